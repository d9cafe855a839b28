//! Getting text out of browser `File`s.

use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// Reads a file as text; the error names the file.
pub async fn read_file_text(file: &File) -> Result<String, String> {
    let name = file.name();
    match JsFuture::from(file.text()).await {
        Ok(v) => v.as_string().ok_or_else(|| format!("{name}: the file is not text")),
        Err(_) => Err(format!("{name}: the browser could not read the file")),
    }
}
