//! A small graph of a few nodes and their neighbours (`planscope_core::layout::excerpt`),
//! drawn like a pane of the view but on its own: review mode shows one per step and side,
//! the finding's nodes (or their counterparts) outlined.

use super::frame::request_draw;
use super::pane::{Dag, Pane, Panes};
use super::theme::ColorBy;
use crate::web::state::Side;
use leptos::html::Canvas;
use leptos::prelude::*;
use planscope_core::layout::Grouping;
use planscope_core::layout::excerpt::{CAP, around};
use planscope_core::model::Plan;
use planscope_core::units::thousands;
use std::sync::Arc;

/// Excerpts with more nodes than this are drawn folded into series.
const FOLD_ABOVE: usize = 16;

#[component]
pub fn ExcerptGraph(plan: Arc<Plan>, seeds: Vec<u32>, side: Side, testid: &'static str) -> impl IntoView {
    let x = around(&plan, &seeds, CAP);
    let shown = x.plan.nodes.len();
    let seed_count = x.seeds;
    let left_out = x.seeds_left_out;
    let ready = RwSignal::new(false);
    let sub = Arc::new(x.plan);
    let dag: Dag = StoredValue::new_local(Panes { panes: vec![Pane::new(side, sub, None, ready)] });
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        dag.update_value(|d| {
            if let Some(p) = d.panes.first_mut() {
                p.canvas = Some(c);
                // Many counterparts (an expert's shards in every layer) read as series.
                let g = if p.plan.nodes.len() > FOLD_ABOVE { Grouping::Series } else { Grouping::None };
                p.relayout(g, ColorBy::Gpu);
                // The seeds (a finding's nodes, or their counterparts) come first in the
                // excerpt: outlined as a finding's.
                let ids: Vec<String> = p.plan.nodes.iter().take(seed_count).map(|n| n.id.clone()).collect();
                p.remark(&[], &ids, None, &[]);
                p.measure();
                p.fit();
            }
        });
        request_draw(dag, 0);
    });
    let note = if shown == 0 {
        "no node on this side".to_string()
    } else if left_out > 0 {
        format!("{} of its nodes and their neighbours ({} more not drawn)", thousands(seed_count), thousands(left_out))
    } else {
        format!(
            "{} node{} and {} neighbour{}",
            seed_count,
            if seed_count == 1 { "" } else { "s" },
            shown - seed_count,
            if shown - seed_count == 1 { "" } else { "s" }
        )
    };
    view! {
        <div class="dag-excerpt" data-testid=testid data-nodes=shown data-seeds=seed_count data-ready=move || ready.get().to_string()>
            <p class="muted dag-excerpt-note">{note}</p>
            <canvas node_ref=canvas class="dag-excerpt-canvas" aria-label="The finding's nodes and their neighbours"></canvas>
        </div>
    }
}
