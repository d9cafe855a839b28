//! Reading a file with planscope's input limit (`limits::INPUT_BYTES`) applied before the
//! bytes are held: a regular file's length is checked from its metadata, and the read
//! itself stops one byte past the limit, so `/dev/zero`, a pipe or a 5 GB file never
//! fills memory. O(min(size, limit)) time and memory.

use planscope_core::limits::{Limit, LimitError};
use std::io::Read;
use std::path::Path;

/// The bytes of `path`, or the message to print on stderr (`FILE: message`).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let cannot = |e: std::io::Error| format!("{shown}: cannot read the file: {e}");
    let file = std::fs::File::open(path).map_err(cannot)?;
    let max = Limit::InputBytes.max();
    let too_large = |value: u64| format!("{shown}: {}", LimitError { limit: Limit::InputBytes, value, max });
    let declared = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if let Some(len) = declared.filter(|&len| len > max) {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        // A device or pipe has no length to tell; past the cap is all we know.
        return Err(too_large(u64::MAX));
    }
    Ok(bytes)
}

/// As `read_bytes`, as UTF-8 text (as `fs::read_to_string`, which it replaces, says).
pub fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|_| format!("{}: cannot read the file: stream did not contain valid UTF-8", path.display()))
}
