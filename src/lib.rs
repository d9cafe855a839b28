//! planscope: verify, repair and draw parallel deployment plans for Mixture-of-Experts
//! models. The core (model, read, write, summary) is plain Rust with no browser
//! dependency; `web` (wasm32 only) and the `planscope` binary are thin shells over it.

pub mod analysis;
pub mod examples;
pub mod model;
pub mod read;
pub mod summary;
pub mod write;

#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod check;
pub mod cluster;
pub mod cost;
pub mod r#gen;
pub mod infer;
pub mod layout;
pub mod sim;
pub mod advise;
pub mod rewrite;
