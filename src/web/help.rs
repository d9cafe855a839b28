//! Keyboard shortcuts and the help overlay that lists them (`?`).

use super::state::{Chrome, Focus, Session};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Key, what it does. The DAG view adds its own keys while it has focus.
const SHORTCUTS: [(&str, &str); 16] = [
    ("o", "Open a plan file"),
    ("e", "Export menu"),
    ("r", "Review the findings one at a time"),
    ("← →", "Previous / next finding (in review)"),
    ("b", "Toggle before / after / both"),
    ("t", "Light or dark theme"),
    ("?", "This help"),
    ("Esc", "Close overlays and menus, clear the selection"),
    ("Ctrl/⌘ F", "Search both graphs (when the DAG has focus)"),
    ("z", "Show the selected nodes and their counterparts (DAG)"),
    ("c", "Collapse the expanded stack (DAG)"),
    ("f", "Fit the DAG to its pane (when the DAG has focus)"),
    ("n  ⇧n", "Next / previous node of the DAG (when the DAG has focus)"),
    ("+ −", "Zoom the DAG or the timeline (when focused)"),
    ("Arrows", "Move the selected GPU (cluster grid focused); pan the DAG"),
    ("W S · A D", "Zoom at the pointer · pan the timeline (when focused); drag to zoom to a range"),
];

fn click(selector: &str) {
    if let Some(el) = document().query_selector(selector).ok().flatten()
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        el.click();
    }
}

fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || el.closest("[contenteditable]").ok().flatten().is_some()
    })
}

/// Closes every open menu (`details.menu`); focus inside one goes back to its button.
fn close_menus() {
    let Ok(open) = document().query_selector_all("details.menu[open]") else { return };
    for k in 0..open.length() {
        let Some(d) = open.item(k).and_then(|n| n.dyn_into::<web_sys::HtmlDetailsElement>().ok()) else { continue };
        let had_focus = document().active_element().is_some_and(|a| d.contains(Some(&a)));
        d.set_open(false);
        if had_focus
            && let Some(summary) = d.query_selector("summary").ok().flatten()
            && let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = summary.focus();
        }
    }
}

/// Installs the page-wide shortcuts.
pub fn install_shortcuts(session: Session, focus: Focus, chrome: Chrome) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
            return;
        }
        if focus.review.get_untracked().is_some() {
            match ev.key().as_str() {
                "ArrowRight" => super::review::step(session, focus, 1),
                "ArrowLeft" => super::review::step(session, focus, -1),
                "Escape" => focus.close_review(),
                _ => return,
            }
            ev.prevent_default();
            return;
        }
        match ev.key().as_str() {
            "?" => chrome.toggle_help(),
            "Escape" => {
                chrome.help_open.set(false);
                close_menus();
                focus.select_gpu(None);
                focus.highlight.set(Default::default());
                focus.dag.set(Default::default());
            }
            "o" => click(r#"[data-testid="file-input"]"#),
            "e" => {
                if let Some(d) = document().query_selector(r#"[data-testid="export-menu"]"#).ok().flatten()
                    && let Ok(d) = d.dyn_into::<web_sys::HtmlDetailsElement>()
                {
                    d.set_open(!d.open());
                    // Opened from the keyboard: its first item has the focus, so Tab walks it.
                    if d.open()
                        && let Some(first) = d.query_selector(".menu-item").ok().flatten()
                        && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
                    {
                        let _ = first.focus();
                    }
                }
            }
            "r" => super::review::open(session, focus, chrome),
            "b" => chrome.cycle_shown(),
            "t" => click(r#"[data-testid="theme"]"#),
            _ => return,
        }
        ev.prevent_default();
    });
    // The page lives as long as the document: keep the listener.
    std::mem::forget(handle);
}

#[component]
pub fn Help() -> impl IntoView {
    let help_open = expect_context::<Chrome>().help_open;
    let dialog = NodeRef::<leptos::html::Div>::new();
    super::dialog_focus::hold(help_open.into(), dialog);
    view! {
        <Show when=move || help_open.get()>
            <div class="overlay help-backdrop" on:click=move |_| help_open.set(false)>
                <div
                    class="card help"
                    data-testid="help"
                    node_ref=dialog
                    tabindex="-1"
                    role="dialog"
                    aria-modal="true"
                    aria-label="Keyboard shortcuts"
                    on:click=|ev| ev.stop_propagation()
                >
                    <header class="section-head">
                        <h2>"Keyboard shortcuts"</h2>
                        <button class="button small" aria-label="Close help" on:click=move |_| help_open.set(false)>"×"</button>
                    </header>
                    <dl class="shortcuts">
                        {SHORTCUTS.into_iter().map(|(k, what)| view! { <div><dt><kbd>{k}</kbd></dt><dd>{what}</dd></div> }).collect_view()}
                    </dl>
                </div>
            </div>
        </Show>
    }
}
