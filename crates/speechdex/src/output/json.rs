//! JSON and JSON Lines output.
//!
//! `search --json` prints one [`crate::search::SearchResults`] object:
//! `{query, total_docs, total_hits, took_ms, results: [{rank, id, title, year, date, speaker,
//! region, path, score, hits, snippets: [{text, paragraph, offset, highlights: [[start, end]]}]}]}`.
//! Offsets and highlights are in characters; `highlights` are relative to the snippet's `text`,
//! `offset` is the snippet's start in the speech. `--jsonl` prints one result object per line.

use std::io::{self, Write};

use serde::Serialize;

/// Writes `value` as pretty JSON followed by a newline.
pub fn pretty<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// Writes each item as one JSON line.
pub fn lines<T: Serialize>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, &item).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(())
}
