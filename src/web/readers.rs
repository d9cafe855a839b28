//! The config readers (YAML, TOML, launch lines, hardware files: `planscope_core::conditions`)
//! run in their own wasm module, in a Web Worker (crates/readers), which this page starts
//! when the first config file or model preset is chosen or dropped. The page's own wasm does not link
//! them, so the first download is smaller (README "Page size"); the reading is still the
//! core's. Protocol: crates/readers/src/main.rs. A worker that fails to load says so, and
//! the next file starts a new one.

use js_sys::{Array, Function, Promise};
use planscope_core::check::declared::{self, DeclaredLaunch};
use planscope_core::conditions::reply::{self, Read};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The worker's loader (www/readers-loader.js, copied by index.html): it imports the
/// worker's JS (Trunk's `data-bin="planscope-readers"`) and starts its wasm.
const LOADER: &str = "./readers-loader.js";

/// A request's promise callbacks: resolve with the reply's JSON, or reject with a message.
type Waiting = Rc<RefCell<HashMap<u32, (Function, Function)>>>;

struct Readers {
    worker: Worker,
    /// Resolves when the worker's wasm runs (its `"ready"`), rejects when it fails to load.
    ready: Promise,
    waiting: Waiting,
    next_id: u32,
    /// Set by `onerror`: the next read starts a new worker.
    failed: Rc<Cell<bool>>,
    // Kept while the worker lives; dropped (with the worker) outside their own calls.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Readers {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

thread_local! {
    static READERS: RefCell<Option<Readers>> = const { RefCell::new(None) };
}

/// Reads a conditions file in the worker: what `conditions::read` finds, or why not.
pub async fn read_conditions(file_name: &str, text: &str) -> Result<Read, String> {
    let json = ask(Array::of3(&JsValue::from_str("file"), &JsValue::from(file_name), &JsValue::from(text))).await?;
    reply::decode(&json)
}

/// A model preset read in the worker (its config.json is there): `conditions::preset`.
pub async fn read_preset(id: &str) -> Result<Read, String> {
    reply::decode(&ask(Array::of2(&JsValue::from_str("preset"), &JsValue::from(id))).await?)
}

/// A plan's declared strategy read as a launch line held to `gpus` GPUs, in the worker
/// (`check::declared::read_declared`): the page's verifier gets it as a reading.
pub async fn read_launch(name: &str, gpus: Option<u64>) -> Result<DeclaredLaunch, String> {
    let gpus = gpus.map_or(JsValue::UNDEFINED, |g| JsValue::from(g as f64));
    declared::decode(&ask(Array::of3(&JsValue::from_str("launch"), &JsValue::from(name), &gpus)).await?)
}

/// Sends `request` (the message after its id: crates/readers/src/main.rs) to the worker,
/// started if need be, and awaits its reply's JSON.
async fn ask(request: Array) -> Result<String, String> {
    let ready = READERS.with(|r| -> Result<Promise, String> {
        let mut r = r.borrow_mut();
        if r.as_ref().is_none_or(|w| w.failed.get()) {
            *r = None;
            *r = Some(start()?);
        }
        Ok(r.as_ref().map(|w| w.ready.clone()).unwrap_or_else(|| Promise::resolve(&JsValue::NULL)))
    })?;
    JsFuture::from(ready).await.map_err(|e| message(&e))?;
    let answer = READERS.with(|r| -> Result<Promise, String> {
        let mut r = r.borrow_mut();
        let w = r.as_mut().ok_or_else(|| "the config reader stopped".to_string())?;
        let id = w.next_id;
        w.next_id = w.next_id.wrapping_add(1);
        let waiting = w.waiting.clone();
        let answer = Promise::new(&mut |resolve, reject| {
            waiting.borrow_mut().insert(id, (resolve, reject));
        });
        request.unshift(&JsValue::from(id));
        w.worker.post_message(&request).map_err(|e| message(&e))?;
        Ok(answer)
    })?;
    let json = JsFuture::from(answer).await.map_err(|e| message(&e))?;
    Ok(json.as_string().unwrap_or_default())
}

/// Starts the worker, wiring its replies to the waiting requests.
fn start() -> Result<Readers, String> {
    let worker = Worker::new(LOADER).map_err(|e| format!("the config reader could not start: {}", message(&e)))?;
    let waiting: Waiting = Rc::default();
    let failed = Rc::new(Cell::new(false));
    let on_ready: Rc<RefCell<Option<(Function, Function)>>> = Rc::default();
    let ready = {
        let on_ready = on_ready.clone();
        Promise::new(&mut move |resolve, reject| {
            *on_ready.borrow_mut() = Some((resolve, reject));
        })
    };
    let on_message = {
        let (waiting, on_ready) = (waiting.clone(), on_ready.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if data.as_string().as_deref() == Some("ready") {
                if let Some((resolve, _)) = on_ready.borrow_mut().take() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                return;
            }
            let msg = Array::from(&data);
            let id = msg.get(0).as_f64().map(|f| f as u32);
            if let Some((resolve, _)) = id.and_then(|id| waiting.borrow_mut().remove(&id)) {
                let _ = resolve.call1(&JsValue::NULL, &msg.get(1));
            }
        })
    };
    let on_error = {
        let (waiting, on_ready, failed) = (waiting.clone(), on_ready.clone(), failed.clone());
        Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            ev.prevent_default();
            failed.set(true);
            let why = ev.message();
            let why = JsValue::from(format!(
                "the config reader failed ({LOADER}): {}",
                if why.is_empty() { "it could not be loaded" } else { why.as_str() }
            ));
            if let Some((_, reject)) = on_ready.borrow_mut().take() {
                let _ = reject.call1(&JsValue::NULL, &why);
            }
            for (_, (_, reject)) in waiting.borrow_mut().drain() {
                let _ = reject.call1(&JsValue::NULL, &why);
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Readers { worker, ready, waiting, next_id: 0, failed, _on_message: on_message, _on_error: on_error })
}

/// A rejection's words.
fn message(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| "the config reader failed".to_string())
}
