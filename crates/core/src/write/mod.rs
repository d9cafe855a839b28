//! Writers: a `Plan` out as text.

pub mod dot;
pub mod file_stem;
pub mod json;
