//! Exports: the plans (JSON, DOT) before and after, the self-contained HTML report, the
//! simulated step as a Chrome trace (Perfetto), and SVG or PNG of each view, each with a
//! title and a legend. The DAG and the step are drawn by the core (`write::svg`,
//! `report::step_svg`: the whole graph, every GPU), the other views from the page's own
//! drawing. Everything is made in the page and saved as a download; nothing is uploaded.

use super::state::{Chrome, Rewrite, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::{After, Analysis};
use planscope_core::cluster::{categorical, sequential};
use planscope_core::report::step_svg::{StepSide, step_svg};
use planscope_core::report::{ReportInput, render_html};
use planscope_core::sim::trace;
use planscope_core::write::file_stem::file_stem;
use planscope_core::write::svg::{Frame, dag_svg};
use planscope_core::write::{dot::write_dot, json::write_json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, Element, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement, Url};

/// The views that can be saved as pictures: drawn by the page (found by the CSS selector
/// of their drawing, with a legend), or drawn by the core from the open plans.
#[derive(Clone, Copy)]
enum Source {
    Page(&'static str, Key),
    /// The DAG of the before (false) or after (true) side.
    Dag(bool),
    /// The simulated step of both sides.
    Step,
}

/// What the legend of a page-drawn view shows.
#[derive(Clone, Copy)]
enum Key {
    /// The grid's colour scale for the current metric.
    Metric,
    /// Before and after bars.
    Sides,
}

const VIEWS: [(&str, &str, Source); 8] = [
    ("grid-before", "Cluster, before", Source::Page(r#"[data-testid="gpu-grid"][data-side="before"]"#, Key::Metric)),
    ("grid-after", "Cluster, after", Source::Page(r#"[data-testid="gpu-grid"][data-side="after"]"#, Key::Metric)),
    ("util-busy", "Busy computing", Source::Page(r#"[data-testid="util-busy"]"#, Key::Sides)),
    ("util-comm", "Busy communicating", Source::Page(r#"[data-testid="util-comm"]"#, Key::Sides)),
    ("util-memory", "Memory bars", Source::Page(r#"[data-testid="util-memory"]"#, Key::Sides)),
    ("timeline", "Simulated step", Source::Step),
    ("dag", "DAG, before", Source::Dag(false)),
    ("dag-after", "DAG, after", Source::Dag(true)),
];

/// Saves text as a download.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "the browser refused the file")?;
    download_blob(name, &blob)
}

fn download_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|_| "the browser refused the file")?;
    let a: HtmlAnchorElement =
        document().create_element("a").ok().and_then(|e| e.dyn_into().ok()).ok_or("no document")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke later: revoking at once can cancel the download in some browsers.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    Ok(())
}

/// An SVG drawing as a standalone file: the page styles it with CSS classes and variables,
/// so the computed paint of every element is written inline.
fn standalone_svg(svg: &Element) -> Option<String> {
    let clone: Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    inline_style(svg, &clone);
    let (src, dst) = (svg.query_selector_all("*").ok()?, clone.query_selector_all("*").ok()?);
    for i in 0..src.length().min(dst.length()) {
        if let (Some(a), Some(b)) = (src.item(i), dst.item(i))
            && let (Ok(a), Ok(b)) = (a.dyn_into::<Element>(), b.dyn_into::<Element>())
        {
            inline_style(&a, &b);
        }
    }
    let r = svg.get_bounding_client_rect();
    let _ = clone.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = clone.set_attribute("width", &format!("{:.0}", r.width()));
    let _ = clone.set_attribute("height", &format!("{:.0}", r.height()));
    let _ = clone.set_attribute("style", &format!("background:{}", page_background()));
    web_sys::XmlSerializer::new().ok()?.serialize_to_string(&clone).ok()
}

/// Height of the title and legend band over a page-drawn view.
const HEAD: f64 = 52.0;

/// `svg` (a standalone drawing `w`×`h`) under a band with `title` and the `legend`
/// swatches (colour, label), in the page's colours.
fn framed(svg: &str, w: f64, h: f64, title: &str, legend: &[(String, String)]) -> (String, f64, f64) {
    use planscope_core::report::esc;
    use std::fmt::Write;
    let ink = text_colour();
    let width = w.max(420.0);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{:.0}\" style=\"background:{}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\
         <text x=\"8\" y=\"20\" font-family=\"system-ui,sans-serif\" font-size=\"15\" font-weight=\"600\" fill=\"{ink}\">{}</text>",
        h + HEAD,
        page_background(),
        page_background(),
        esc(title)
    );
    let mut x = 8.0;
    for (colour, label) in legend {
        let _ = write!(
            out,
            "<rect class=\"legend-swatch\" x=\"{x:.0}\" y=\"30\" width=\"14\" height=\"12\" fill=\"{}\" stroke=\"{ink}\" stroke-width=\"0.5\"/>",
            esc(colour)
        );
        x += 18.0;
        if !label.is_empty() {
            let _ = write!(
                out,
                "<text x=\"{x:.0}\" y=\"40\" font-family=\"system-ui,sans-serif\" font-size=\"12\" fill=\"{ink}\">{}</text>",
                esc(label)
            );
            x += 10.0 + 7.0 * label.chars().count() as f64;
        }
    }
    let _ = write!(out, "<g transform=\"translate(0 {HEAD})\">{svg}</g></svg>");
    (out, width, h + HEAD)
}

/// The legend of a page-drawn view.
fn legend(key: Key, chrome: Chrome) -> Vec<(String, String)> {
    let fill_of = |selector: &str, fallback: &str| {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| window().get_computed_style(&el).ok().flatten())
            .and_then(|cs| cs.get_property_value("fill").ok())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    match key {
        Key::Sides => vec![
            (fill_of(".bar.before", "#999999"), "before".into()),
            (fill_of(".bar.after", "#0072b2"), "after".into()),
        ],
        Key::Metric => {
            let metric = chrome.metric.get_untracked();
            let mut v: Vec<(String, String)> = if metric.is_categorical() {
                let mut v: Vec<(String, String)> =
                    (0..9u32).map(|i| (categorical(i).to_string(), String::new())).collect();
                v.push((categorical(9).to_string(), format!("{} (colours repeat after 9)", metric.label())));
                v
            } else {
                let mut v: Vec<(String, String)> =
                    (0..=4).map(|i| (sequential(i as f64 / 4.0), String::new())).collect();
                v[0].1 = "0".into();
                v[4].1 = format!("max · {}", metric.label());
                v
            };
            v.push((fill_of("rect.cell.idle", "#e4e9ef"), "idle".into()));
            v
        }
    }
}

fn text_colour() -> String {
    document()
        .body()
        .and_then(|b| window().get_computed_style(&b).ok().flatten())
        .and_then(|cs| cs.get_property_value("color").ok())
        .unwrap_or_else(|| "#17212b".into())
}

fn inline_style(from: &Element, to: &Element) {
    let Ok(Some(cs)) = window().get_computed_style(from) else { return };
    let mut style = String::new();
    for prop in [
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-width",
        "stroke-dasharray",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "text-anchor",
        "display",
    ] {
        if let Ok(v) = cs.get_property_value(prop)
            && !v.is_empty()
        {
            style.push_str(&format!("{prop}:{v};"));
        }
    }
    let _ = to.set_attribute("style", &style);
}

fn page_background() -> String {
    document()
        .body()
        .and_then(|b| window().get_computed_style(&b).ok().flatten())
        .and_then(|cs| cs.get_property_value("background-color").ok())
        .unwrap_or_else(|| "#ffffff".into())
}

async fn canvas_png(canvas: &HtmlCanvasElement) -> Result<Blob, String> {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = canvas.to_blob(&resolve);
    });
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok())
        .ok_or("the drawing could not be encoded".into())
}

/// Rasterises a standalone SVG at twice its size, on the page's background.
async fn svg_png(svg_text: &str, w: f64, h: f64) -> Result<Blob, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(svg_text));
    let opts = BlobPropertyBag::new();
    opts.set_type("image/svg+xml");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "no blob")?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| "no url")?;
    let img = HtmlImageElement::new().map_err(|_| "no image")?;
    img.set_src(&url);
    let decoded = JsFuture::from(img.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded.map_err(|_| "the drawing could not be rasterised")?;
    let canvas: HtmlCanvasElement =
        document().create_element("canvas").ok().and_then(|e| e.dyn_into().ok()).ok_or("no canvas")?;
    // Twice the size for sharpness, but at most 8,192 px a side and 40 Mpx (what
    // browsers still encode): a whole large DAG is scaled down, not refused.
    let scale = 2.0f64.min(8192.0 / w.max(h).max(1.0)).min((40e6 / (w * h).max(1.0)).sqrt());
    canvas.set_width((w * scale).max(1.0) as u32);
    canvas.set_height((h * scale).max(1.0) as u32);
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok()).ok_or("no 2D context")?;
    ctx.set_fill_style_str(&page_background());
    ctx.fill_rect(0.0, 0.0, w * scale, h * scale);
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w * scale, h * scale)
        .map_err(|_| "the drawing could not be painted")?;
    canvas_png(&canvas).await
}

/// The open plan's name, for titles and file names.
fn stem(session: Session) -> String {
    session.opened.with_untracked(|o| o.as_ref().map(|o| file_stem(&o.file_name))).unwrap_or_default()
}

/// The after side's analysis, when a rewrite succeeded.
fn after_analysis(session: Session) -> Option<Analysis> {
    session.after.with_untracked(|a| a.as_ref().and_then(Rewrite::ok).map(|a| a.analysis.clone()))
}

/// A view drawn by the core: its standalone SVG and size, or why there is none.
fn core_drawing(session: Session, source: Source, title: &str) -> Result<(String, f64, f64), String> {
    let before = session.opened.with_untracked(|o| o.as_ref().map(|o| o.before.clone())).ok_or("no plan is open")?;
    let after = after_analysis(session);
    match source {
        Source::Dag(side_after) => {
            let a = if side_after {
                after.ok_or("there is no rewritten plan yet: choose a target and press Rewrite")?
            } else {
                before
            };
            let d = dag_svg(&a.plan, Frame { title: Some(title), legend: true });
            Ok((d.svg, d.width as f64, d.height as f64))
        }
        Source::Step => {
            let mut sides = Vec::new();
            if let Some(sim) = &before.report.metrics.simulation {
                sides.push(StepSide { name: "before", plan: &before.plan, sim });
            }
            if let Some(a) = &after
                && let Some(sim) = &a.report.metrics.simulation
            {
                sides.push(StepSide { name: "after", plan: &a.plan, sim });
            }
            let d = step_svg(&sides, Some(title))
                .ok_or_else(|| format!("no simulated step: the plan needs {}", planscope_core::sim::STEP_NEEDS))?;
            Ok((d.svg, d.width, d.height))
        }
        Source::Page(..) => Err("not a core drawing".into()),
    }
}

fn save_view(session: Session, chrome: Chrome, key: &'static str, label: &'static str, source: Source, png: bool) {
    let name = stem(session);
    let title = format!("{name} · {label}");
    spawn_local(async move {
        let drawing = match source {
            Source::Page(selector, legend_key) => match document().query_selector(selector).ok().flatten() {
                None => Err(format!("the {key} view is not on screen")),
                Some(el) => match standalone_svg(&el) {
                    None => Err("the drawing could not be serialised".into()),
                    Some(svg) => {
                        let r = el.get_bounding_client_rect();
                        Ok(framed(&svg, r.width(), r.height(), &title, &legend(legend_key, chrome)))
                    }
                },
            },
            core => core_drawing(session, core, &title),
        };
        let result = match drawing {
            Err(e) => Err(e),
            Ok((svg, _, _)) if !png => download_text(&format!("{name}.{key}.svg"), "image/svg+xml", &svg),
            Ok((svg, w, h)) => match svg_png(&svg, w, h).await {
                Ok(b) => download_blob(&format!("{name}.{key}.png"), &b),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            session.error.set(Some(format!("Export failed: {e}")));
        }
    });
}

/// The simulated step of both sides as a Chrome trace, as `planscope verify --trace` writes it.
fn save_trace(session: Session) {
    let Some(before) = session.opened.with_untracked(|o| o.as_ref().map(|o| o.before.clone())) else { return };
    let after = after_analysis(session);
    let mut sides = Vec::new();
    if let Some(sim) = &before.report.metrics.simulation {
        sides.push(trace::Side { name: "before", plan: &before.plan, sim });
    }
    if let Some(a) = &after
        && let Some(sim) = &a.report.metrics.simulation
    {
        sides.push(trace::Side { name: "after", plan: &a.plan, sim });
    }
    let result = if sides.is_empty() {
        Err(format!("no simulated step: the plan needs {}", planscope_core::sim::STEP_NEEDS))
    } else {
        download_text(&format!("{}.trace.json", stem(session)), "application/json", &trace::build(&sides).to_json())
    };
    if let Err(e) = result {
        session.error.set(Some(format!("Export failed: {e}")));
    }
}

fn save_plan(session: Session, after: bool, dot: bool) {
    let Some(o) = session.opened.get_untracked() else { return };
    let (plan, tag) = if after {
        let rewritten = session.after.with_untracked(|a| {
            a.as_ref().and_then(Rewrite::ok).map(|a| (a.analysis.plan.clone(), a.analysis.strategy))
        });
        match rewritten {
            Some((plan, strategy)) => (plan, strategy.map(|s| s.short()).unwrap_or("after".into())),
            None => {
                session.error.set(Some("There is no rewritten plan yet: choose a target and press Rewrite".into()));
                return;
            }
        }
    } else {
        (o.before.plan.clone(), "planscope".to_string())
    };
    let name = file_stem(&o.file_name);
    let result = if dot {
        download_text(&format!("{name}.{tag}.dot"), "text/vnd.graphviz", &write_dot(&plan))
    } else {
        download_text(&format!("{name}.{tag}.json"), "application/json", &write_json(&plan))
    };
    if let Err(e) = result {
        session.error.set(Some(format!("Export failed: {e}")));
    }
}

/// The HTML report of what is open, as `planscope report` writes it.
pub fn save_report(session: Session, chrome: Chrome) {
    let Some(o) = session.opened.get_untracked() else { return };
    let after = session.after.get_untracked();
    let input = ReportInput {
        file_name: o.file_name.clone(),
        before: o.before.clone(),
        after: after.clone().map(|r| r.outcome.map(|a| After::clone(&a))),
        strategy: after.and_then(|r| r.target),
        metric: Some(chrome.metric.get_untracked()),
    };
    let html = render_html(&input);
    if let Err(e) = download_text(&format!("{}.report.html", file_stem(&o.file_name)), "text/html", &html) {
        session.error.set(Some(format!("Export failed: {e}")));
    }
}

#[component]
pub fn ExportMenu() -> impl IntoView {
    let session = expect_context::<Session>();
    let chrome = expect_context::<Chrome>();
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = move || {
        if let Some(d) = menu.get_untracked() {
            d.set_open(false);
        }
    };
    let item = move |key: &'static str, label: &'static str, run: Box<dyn Fn() + Send + Sync>| {
        view! {
            <button
                class="menu-item"
                data-export=key
                on:click=move |_| {
                    run();
                    close();
                }
            >
                {label}
            </button>
        }
    };
    let pictures = VIEWS
        .into_iter()
        .map(|(key, label, source)| {
            view! {
                <div class="menu-row">
                    <span>{label}</span>
                    {item(key, "SVG", Box::new(move || save_view(session, chrome, key, label, source, false)))}
                    {item(key, "PNG", Box::new(move || save_view(session, chrome, key, label, source, true)))}
                </div>
            }
        })
        .collect_view();
    view! {
        <details class="menu" data-testid="export-menu" node_ref=menu>
            <summary class="button">"Export"</summary>
            <div class="menu-panel">
                <p class="menu-title">"Plans"</p>
                <div class="menu-row">
                    <span>"Before"</span>
                    {item("plan-before-json", "JSON", Box::new(move || save_plan(session, false, false)))}
                    {item("plan-before-dot", "DOT", Box::new(move || save_plan(session, false, true)))}
                </div>
                <div class="menu-row">
                    <span>"After"</span>
                    {item("plan-after-json", "JSON", Box::new(move || save_plan(session, true, false)))}
                    {item("plan-after-dot", "DOT", Box::new(move || save_plan(session, true, true)))}
                </div>
                <p class="menu-title">"Report"</p>
                {item("report", "HTML report (self-contained)", Box::new(move || save_report(session, chrome)))}
                {item("trace", "Step · Chrome trace (Perfetto)", Box::new(move || save_trace(session)))}
                <p class="menu-title">"Views"</p>
                {pictures}
            </div>
        </details>
    }
}
