//! Writers: a `Plan` out as text.

pub mod dot;
pub mod json;
