//! Scheduling: yield to the event loop before heavy work (so the page paints its
//! progress text and stays responsive), and draw at most once per animation frame.

use super::pane::Dag;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Resolves on the next macrotask: lets the browser paint and handle input first.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).is_ok())
            .unwrap_or(false);
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Asks for pane `i` to be redrawn on the next animation frame; repeated asks before
/// that frame coalesce into one draw.
pub fn request_draw(dag: Dag, i: usize) {
    let first = dag
        .try_update_value(|d| d.panes.get_mut(i).map(|p| !std::mem::replace(&mut p.frame_pending, true)))
        .flatten()
        .unwrap_or(false);
    if !first {
        return;
    }
    let cb = Closure::once_into_js(move || {
        let drawn = dag
            .try_update_value(|d| {
                let theme = super::theme::Theme::read();
                d.panes.get_mut(i).map(|p| {
                    p.frame_pending = false;
                    super::canvas::draw(p, &theme) && {
                        super::minimap::draw(p, &theme);
                        true
                    }
                })
            })
            .flatten();
        if drawn == Some(true) {
            let ready = dag.try_with_value(|d| d.panes.get(i).map(|p| p.ready)).flatten();
            if let Some(r) = ready
                && r.try_get_untracked() == Some(false)
            {
                r.set(true);
            }
        }
    });
    match web_sys::window() {
        Some(w) => {
            let _ = w.request_animation_frame(cb.unchecked_ref());
        }
        None => {
            let _ = dag.try_update_value(|d| d.panes.get_mut(i).map(|p| p.frame_pending = false));
        }
    }
}

pub fn request_draw_all(dag: Dag) {
    let n = dag.try_with_value(|d| d.panes.len()).unwrap_or(0);
    for i in 0..n {
        request_draw(dag, i);
    }
}
