//! The web page: a Leptos (CSR) shell over the core. It owns only browser concerns —
//! files, drag and drop, paste, rendering — and calls the library for everything else.

mod app;
mod file_io;
mod loaded;
mod summary_view;
mod toolbar;

pub use app::App;

/// Entry point for the wasm32 binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
