//! The page's state, split by who uses it, each part provided once through context
//! (`app.rs`) and taken with `expect_context` by the components that need it:
//! - `Session`: the open plan — the file and its before side, the rewrite (after side),
//!   the target box, the conditions and the config files read into them (`ConfigReads`),
//!   error, progress and notes — and the operations open, rewrite.
//! - `Focus`: what is looked at — the highlighted finding, the selected GPU, the review
//!   position, the DAG selection.
//! - `Chrome`: how it is shown — metric, shown sides, help, theme, advisor panel, DAG
//!   settings.
//!
//! Before and after are separate signals: a rewrite replaces only the after side, so
//! the before side's views (and its DAG layout session) are not rebuilt.

mod chrome;
mod config_reads;
mod focus;
mod session;

pub use chrome::Chrome;
pub use config_reads::ConfigReads;
pub use focus::Focus;
pub use session::{Restore, Rewrite, Session};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

impl Side {
    pub fn key(self) -> &'static str {
        match self {
            Side::Before => "before",
            Side::After => "after",
        }
    }
}
