//! planscope: verify, repair and draw parallel deployment plans for Mixture-of-Experts
//! models. The core (model, read, write, check, cost, sim, rewrite, layout, ...) is plain
//! Rust with no browser dependency; `web` (wasm32 only) and the `planscope` binary are
//! thin shells over it. See ARCHITECTURE.md for the map.

pub mod advise;
pub mod analysis;
pub mod check;
pub mod cluster;
pub mod cost;
pub mod counterpart;
pub mod examples;
pub mod r#gen;
pub mod infer;
pub mod layout;
pub mod model;
pub mod read;
pub mod report;
pub mod rewrite;
pub mod share;
pub mod sim;
pub mod summary;
pub mod units;
pub mod write;

#[cfg(target_arch = "wasm32")]
pub mod web;
