//! Getting text or bytes out of browser `File`s, and giving the browser a frame between
//! slices of work.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// The files of a drop or a file input, in order (none when it holds none).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    list.map(|fs| (0..fs.length()).filter_map(|i| fs.get(i)).collect()).unwrap_or_default()
}

/// Reads a file as text; the error names the file.
pub async fn read_file_text(file: &File) -> Result<String, String> {
    let name = file.name();
    match JsFuture::from(file.text()).await {
        Ok(v) => v.as_string().ok_or_else(|| format!("{name}: the file is not text")),
        Err(_) => Err(format!("{name}: the browser could not read the file")),
    }
}

/// Reads a file's bytes (a plan may be gzip-compressed: the core tells by its first bytes).
/// A file past the input limit is refused by its size, before it is read. The error names
/// the file.
pub async fn read_file_bytes(file: &File) -> Result<Vec<u8>, String> {
    let name = file.name();
    if let Err(e) = planscope_core::read::check_size(file.size() as usize) {
        return Err(e.with_file(&name));
    }
    match JsFuture::from(file.array_buffer()).await {
        Ok(buf) => Ok(js_sys::Uint8Array::new(&buf).to_vec()),
        Err(_) => Err(format!("{name}: the browser could not read the file")),
    }
}

/// Resolves after the browser has had a chance to paint: a requestAnimationFrame callback
/// runs just before a paint, and a zero timeout queued from it runs just after.
pub async fn yield_to_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(win) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let after_paint = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        if win.request_animation_frame(after_paint.unchecked_ref()).is_err() {
            // No frames (a hidden tab): don't wait for one.
            let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(after_paint.unchecked_ref(), 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}
