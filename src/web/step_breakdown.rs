//! Where the step goes: a stacked bar per side (mean seconds per layer on the busiest GPU,
//! per part), with throughput per GPU and the fraction of the model each side covers;
//! from the core's view model (`planscope_core::view::step_breakdown`), as the report draws it.

use leptos::prelude::*;
use planscope_core::analysis::Analysis;
use planscope_core::view::step_breakdown::{BAR_HEIGHT, SideBar, WIDTH, step_breakdown};

fn side(s: SideBar) -> impl IntoView {
    let rects = s
        .segments
        .into_iter()
        .map(|g| {
            view! {
                <rect class=format!("part-{}", g.part) x=g.x y=0 width=g.width height=BAR_HEIGHT fill=g.fill>
                    <title>{g.title}</title>
                </rect>
            }
        })
        .collect_view();
    let caption = format!("{} per layer · {} · {}", s.per_layer, s.throughput, s.coverage);
    view! {
        <figure class="step-side" data-side=s.side>
            <figcaption><b>{s.side}</b>" · "{caption}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {BAR_HEIGHT}") preserveAspectRatio="none" role="img"
                aria-label=format!("{} step breakdown", s.side)>
                {rects}
            </svg>
        </figure>
    }
}

#[component]
pub fn StepBreakdown(before: Analysis, after: Option<Analysis>) -> impl IntoView {
    step_breakdown(&before, after.as_ref()).map(|v| {
        let legend = v
            .legend
            .into_iter()
            .map(|(label, fill)| {
                view! {
                    <span class="legend-item">
                        <svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill=fill /></svg>
                        " "{label}" "
                    </span>
                }
            })
            .collect_view();
        let sides = v.sides.into_iter().map(side).collect_view();
        view! {
            <section class="card step-breakdown" data-testid="step-breakdown" aria-label="Where the step goes">
                <header class="section-head">
                    <h2>"Where the step goes"</h2>
                    <span class="muted">"mean per layer on the busiest GPU"</span>
                </header>
                {sides}
                <p class="legend">{legend}</p>
            </section>
        }
    })
}
