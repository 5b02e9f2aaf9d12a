//! Renderers: one per format, each a function from the library's result structs to a
//! `&mut dyn Write`. The same `serde::Serialize` structs feed JSON, JSON Lines and CSV, so the
//! fields never drift apart between formats.

pub mod chart;
pub mod csv;
pub mod diff;
pub mod json;
pub mod stats;
pub mod table;
pub mod text;
