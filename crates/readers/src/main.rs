//! The page's config readers, as a Web Worker (wasm32): `planscope_core::conditions` with
//! its YAML, TOML, launch-line and hardware-file readers, which the page itself does not
//! link. Trunk builds it beside the page (index.html, `data-type="worker"`); the page starts
//! it when a config file is first chosen or dropped (src/web/readers.rs), so the page's
//! first download is smaller (README "Page size").
//!
//! Protocol: once ready the worker posts `"ready"`; then each message is answered with
//! `[id, reply JSON]`: `[id, "file", file name, text]` and `[id, "preset", preset id]` (the
//! model presets' config.json files are read here too) with `conditions::reply::encode`'s,
//! `[id, "launch", declared strategy, GPUs or undefined]` (a plan's declared launch line,
//! for the page's verifier) with `check::declared::encode`'s. The reading itself is the
//! core's: this file only moves messages.

#[cfg(target_arch = "wasm32")]
fn main() {
    use planscope_core::check::declared;
    use planscope_core::conditions::reply;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answer = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let msg = js_sys::Array::from(&ev.data());
        let id = msg.get(0);
        let (kind, a, b) = (msg.get(1).as_string(), msg.get(2).as_string(), msg.get(3));
        let json = match (kind.as_deref(), a) {
            (Some("file"), Some(name)) => match b.as_string() {
                Some(text) => reply::encode(&reply::read_reply(&name, &text)),
                None => reply::encode(&Err("the page sent the config reader a file name without its text".into())),
            },
            (Some("preset"), Some(id)) => reply::encode(&reply::preset_reply(&id)),
            (Some("launch"), Some(name)) => {
                declared::encode(&declared::read_declared(&name, b.as_f64().map(|g| g as u64)))
            }
            _ => reply::encode(&Err("the page sent the config reader no file, preset or launch line".into())),
        };
        let out = js_sys::Array::of2(&id, &JsValue::from(json));
        // A post that fails leaves the page waiting on this id; it reports the worker's
        // errors (`onerror`) instead, and there is nothing more this side could say.
        let _ = answer.post_message(&out);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from("ready"));
}

/// Natively there is no worker to be: the command reads config files itself
/// (`planscope strategy`, `--conditions`).
#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    eprintln!(
        "planscope-readers is the page's Web Worker, built for wasm32 by trunk; natively, `planscope strategy FILE` and `--conditions FILE` read config files"
    );
    std::process::ExitCode::from(2)
}
