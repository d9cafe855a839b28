//! Exports: the plans (JSON, DOT) before and after, the self-contained HTML report, and
//! SVG or PNG of each drawn view. Everything is made in the page and saved as a download;
//! nothing is uploaded.

use super::state::{Chrome, Rewrite, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::After;
use planscope_core::report::{ReportInput, render_html};
use planscope_core::write::file_stem::file_stem;
use planscope_core::write::{dot::write_dot, json::write_json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, Element, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement, Url};

/// The views that can be saved as pictures, by the CSS selector of their drawing.
const VIEWS: [(&str, &str, &str); 6] = [
    ("grid-before", "Cluster, before", r#"[data-testid="gpu-grid"][data-side="before"]"#),
    ("grid-after", "Cluster, after", r#"[data-testid="gpu-grid"][data-side="after"]"#),
    ("util-busy", "Busy bars", r#"[data-testid="util-busy"]"#),
    ("util-memory", "Memory bars", r#"[data-testid="util-memory"]"#),
    ("timeline", "Timeline", r#"[data-testid="timeline"] svg"#),
    ("dag", "DAG", r#"[data-testid="dag-view"] canvas"#),
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
    let scale = 2.0;
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

fn save_view(session: Session, key: &'static str, selector: &'static str, png: bool) {
    let name = session.opened.with_untracked(|o| o.as_ref().map(|o| file_stem(&o.file_name))).unwrap_or_default();
    spawn_local(async move {
        let Some(el) = document().query_selector(selector).ok().flatten() else {
            session.error.set(Some(format!("Nothing to export: the {key} view is not on screen")));
            return;
        };
        let result = if let Ok(canvas) = el.clone().dyn_into::<HtmlCanvasElement>() {
            match canvas_png(&canvas).await {
                Ok(b) => download_blob(&format!("{name}.{key}.png"), &b),
                Err(e) => Err(e),
            }
        } else {
            match standalone_svg(&el) {
                None => Err("the drawing could not be serialised".into()),
                Some(svg) if !png => download_text(&format!("{name}.{key}.svg"), "image/svg+xml", &svg),
                Some(svg) => {
                    let r = el.get_bounding_client_rect();
                    match svg_png(&svg, r.width(), r.height()).await {
                        Ok(b) => download_blob(&format!("{name}.{key}.png"), &b),
                        Err(e) => Err(e),
                    }
                }
            }
        };
        if let Err(e) = result {
            session.error.set(Some(format!("Export failed: {e}")));
        }
    });
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
        .map(|(key, label, selector)| {
            view! {
                <div class="menu-row">
                    <span>{label}</span>
                    {item(key, "SVG", Box::new(move || save_view(session, key, selector, false)))}
                    {item(key, "PNG", Box::new(move || save_view(session, key, selector, true)))}
                </div>
            }
        })
        .collect_view();
    view! {
        <details class="menu" data-testid="export-menu" node_ref=menu>
            <summary class="button">"Export"</summary>
            <div class="menu-panel" role="menu">
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
                <p class="menu-title">"Views"</p>
                {pictures}
            </div>
        </details>
    }
}
