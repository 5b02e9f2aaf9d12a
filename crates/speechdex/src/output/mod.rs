//! Renderers: one per format, each a function from the library's result structs to a
//! `&mut dyn Write`. The same `serde::Serialize` structs feed JSON, JSON Lines and CSV, so the
//! fields never drift apart between formats.
//!
//! Human renderers (`text`, `table`, `stats`, `diff`, `verify`) escape control characters in the
//! data they print ([`escape`]); JSON and CSV print the data exactly.

pub mod chart;
pub mod csv;
pub mod diff;
pub mod escape;
pub mod json;
pub mod phrases;
pub mod table;
pub mod terms;
pub mod text;
pub mod verify;

/// `1 speech`, `2 speeches`: a count with its noun in the right number.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
