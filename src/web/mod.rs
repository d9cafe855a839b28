//! The web page: a Leptos (CSR) shell over the core. It owns only browser concerns —
//! files, drag and drop, paste, drawing, input — and calls the library for the rest.

mod advisor;
mod app;
mod compare;
mod conditions;
mod dag;
mod dialog_focus;
mod expert_load;
mod export;
mod file_io;
mod findings;
mod gpu_grid;
mod header;
mod help;
mod modifications;
mod permalink;
mod readers;
mod review;
mod state;
mod step_breakdown;
mod timeline;
mod utilization;

pub use app::App;

/// Entry point for the wasm32 binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
