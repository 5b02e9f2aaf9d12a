//! CSV output: one row per result, flat columns, from the same structs as JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::search::SearchResults;

#[derive(Serialize)]
struct SearchRow<'a> {
    rank: usize,
    id: &'a str,
    title: &'a str,
    year: Option<i32>,
    date: Option<&'a str>,
    speaker: Option<&'a str>,
    region: Option<&'a str>,
    path: &'a str,
    score: f32,
    hits: u64,
    paragraph: Option<usize>,
    snippet: Option<&'a str>,
}

/// Writes any serialisable rows as CSV with a header.
pub fn write_rows<T: Serialize>(
    out: &mut dyn Write,
    rows: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for row in rows {
        w.serialize(row).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => io::Error::other(format!("{other:?}")),
        })?;
    }
    w.flush()
}

/// Search results as CSV: one row per result with its first snippet.
pub fn search_results(out: &mut dyn Write, r: &SearchResults) -> io::Result<()> {
    write_rows(
        out,
        r.results.iter().map(|h| SearchRow {
            rank: h.rank,
            id: &h.id,
            title: &h.title,
            year: h.year,
            date: h.date.as_deref(),
            speaker: h.speaker.as_deref(),
            region: h.region.as_deref(),
            path: &h.path,
            score: h.score,
            hits: h.hits,
            paragraph: h.snippets.first().map(|s| s.paragraph),
            snippet: h.snippets.first().map(|s| s.text.as_str()),
        }),
    )
}
