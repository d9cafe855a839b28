//! Writers: a `Plan` out as text, and its DAG as an SVG drawing.

pub mod dot;
pub mod file_stem;
pub mod json;
pub mod svg;
pub mod xml;
