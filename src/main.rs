//! The `planscope` binary: the command-line tool natively, the web page on wasm32.
//! Both are thin shells over `planscope_core` (crates/core), which knows neither.

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    web::start();
}
