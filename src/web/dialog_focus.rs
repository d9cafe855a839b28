//! Overlays (help, review) take the keyboard focus when they open and give it back to what
//! had it when they close, as WAI-ARIA's dialog pattern asks.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// While `open` holds, the dialog `dialog` (tabindex="-1") has the focus; on closing, the
/// element focused before it opened gets it back (when it is still on the page).
pub fn hold(open: Signal<bool>, dialog: NodeRef<Div>) {
    let before = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        let el = dialog.get();
        match (was.unwrap_or(false), now) {
            (false, true) => {
                let active = document().active_element().and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
                before.set_value(active);
                if let Some(d) = el {
                    let _ = d.focus();
                }
            }
            (true, false) => {
                if let Some(prev) = before.get_value().filter(|p| p.is_connected()) {
                    let _ = prev.focus();
                }
                before.set_value(None);
            }
            // Opened, but its element came after the first run: focus it now.
            (true, true) => {
                if let Some(d) = el
                    && !d.contains(document().active_element().as_ref().map(|a| a.unchecked_ref()))
                {
                    let _ = d.focus();
                }
            }
            (false, false) => {}
        }
        now
    });
}
