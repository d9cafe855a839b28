//! planscope's core: the plan model, its readers and writers, the verifier, cost model,
//! simulator, generator, rewriter, advisor, layout, cluster view data, permalinks and the
//! HTML report. Plain Rust with no browser or command-line dependency: the page (`web`)
//! and the `planscope` command are thin shells over it, in the root package. The compiler
//! keeps the direction shells -> core. See ARCHITECTURE.md for the map.

pub mod advise;
pub mod analysis;
pub mod arch;
pub mod check;
pub mod cluster;
pub mod compare;
pub mod conditions;
pub mod conditions_form;
pub mod cost;
pub mod counterpart;
pub mod crc32;
pub mod decimal;
pub mod deploy;
pub mod examples;
pub mod expert_load;
pub mod r#gen;
pub mod graph;
pub mod infer;
pub mod launch;
pub mod layout;
pub mod model;
pub mod pace;
/// What planscope accepts (`model::limits`), at the top for every reader and shell.
pub use model::limits;
/// Sorting with one copy of std's sort in the page's wasm (`model::sort`), for every module.
pub use model::sort;
pub mod read;
pub mod report;
pub mod rewrite;
#[cfg(test)]
mod seeded;
pub mod share;
pub mod sim;
pub mod stats;
pub mod summary;
pub mod units;
pub mod view;
pub mod write;
