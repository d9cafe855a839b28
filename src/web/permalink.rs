//! The address bar: a permalink (`#v1.…`, the plan and view compressed into the URL
//! fragment, which browsers never send to a server) kept current while a plan is open,
//! restored on load; and `?url=` to open a plan hosted elsewhere.

use super::state::{Chrome, Focus, Restore, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::share::{self, COMFORTABLE_LINK_BYTES, Shared, SharedPlan, ViewState};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What to open first: the plan in the link, else `?url=`, else the built-in example.
/// A damaged link says so and opens the example, so the page stays usable.
pub fn start(session: Session) {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    if hash.len() > 1 {
        match share::permalink::decode_unchecked(&hash) {
            Ok(shared) => {
                let restore = Restore {
                    target: shared.strategy,
                    conditions: shared.conditions,
                    expert_load: shared.expert_load.map(std::sync::Arc::new),
                    compared: shared.compared,
                    view: Some(shared.view),
                };
                session.open_shared(&shared.file_name, &shared.plan_text, restore);
            }
            Err(e) => {
                session.open_example();
                session.error.set(Some(format!("This link cannot be opened: {e}. Showing the example instead.")));
            }
        }
        return;
    }
    let url = location.search().ok().and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok()?.get("url"));
    match url {
        Some(url) if !url.trim().is_empty() => open_url(session, url),
        _ => session.open_example(),
    }
}

fn open_url(session: Session, url: String) {
    session.busy.set(Some(format!("Fetching {url}…")));
    spawn_local(async move {
        match fetch_text(&url).await {
            Ok(text) => {
                let name = url.rsplit('/').find(|s| !s.is_empty()).unwrap_or(&url).to_string();
                session.open_text(&name, &text);
            }
            Err(msg) => {
                session.busy.set(None);
                session.open_example();
                session.error.set(Some(format!("Could not load {url}: {msg}")));
            }
        }
    });
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let resp = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(|_| "the request failed (offline, blocked, or the server does not allow cross-origin reads)")?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "no response")?;
    if !resp.ok() {
        return Err(format!("the server answered {} {}", resp.status(), resp.status_text()));
    }
    let text = JsFuture::from(resp.text().map_err(|_| "the response has no text")?)
        .await
        .map_err(|_| "the response could not be read")?;
    text.as_string().ok_or_else(|| "the response is not text".to_string())
}

/// Keeps the address bar's fragment equal to the permalink of what is on screen.
pub fn keep_address_current(session: Session, focus: Focus, chrome: Chrome) {
    Effect::new(move |_| {
        let Some(opened) = session.opened.get() else { return };
        let compared = session.compared.get();
        let Some(text) = opened.text.as_deref() else {
            // A compressed plan too large to inflate as text, or a generated one too large
            // to write as text: no link can hold it.
            replace_url(&base_url());
            session.link_note.set(Some(format!(
                "{} is too large for a link (past {} MB as JSON); share the file or export the HTML report instead.",
                opened.file_name,
                planscope_core::read::MAX_INPUT_BYTES / (1024 * 1024)
            )));
            return;
        };
        let shared = Shared {
            file_name: opened.file_name.clone(),
            plan_text: text.to_string(),
            // The target as asked for, or the declared one the after side was built for.
            strategy: session.target.get().or_else(|| session.after.with(|a| a.as_ref().and_then(|r| r.target))),
            conditions: session.conditions.get(),
            expert_load: session.expert_load.get().map(|l| (*l).clone()),
            compared: compared
                .as_ref()
                .map(|c| SharedPlan { file_name: c.file_name.clone(), text: c.text.to_string() }),
            view: view_state(focus, chrome),
        };
        let bytes = text.len() + compared.as_ref().map_or(0, |c| c.text.len());
        // Deflate shrinks plans 6–30×; far past the budget, don't spend the time.
        let link = if bytes <= COMFORTABLE_LINK_BYTES * 40 { Some(share::encode(&shared)) } else { None };
        let base = base_url();
        match link.filter(|l| share::fits(l, COMFORTABLE_LINK_BYTES)) {
            Some(link) => {
                replace_url(&format!("{base}{link}"));
                session.link_note.set(None);
            }
            None => {
                replace_url(&base);
                // The expert load rides in the link too, and can be what makes it long.
                let with_load = if shared.expert_load.is_some() { " with the expert load" } else { "" };
                let (what, share) = match &compared {
                    Some(c) => {
                        (format!("{} and {}{with_load} together are", opened.file_name, c.file_name), "the files")
                    }
                    None if with_load.is_empty() => (format!("{} is", opened.file_name), "the file"),
                    None => (format!("{}{with_load} is", opened.file_name), "the files"),
                };
                session.link_note.set(Some(format!(
                    "{what} too large for a link ({}); share {share} or export the HTML report instead.",
                    planscope_core::units::bytes(bytes)
                )));
            }
        }
    });
}

/// The view as a permalink stores it (tracked, so the link follows the view).
fn view_state(focus: Focus, chrome: Chrome) -> ViewState {
    let mut v = ViewState::default();
    chrome.write_view(&mut v);
    focus.write_view(&mut v);
    v
}

/// The page's address without query or fragment (a permalink replaces `?url=`).
fn base_url() -> String {
    let loc = window().location();
    loc.pathname().unwrap_or_else(|_| "./".into())
}

fn replace_url(url: &str) {
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}
