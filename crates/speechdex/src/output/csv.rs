//! CSV output: one row per result, flat columns, from the same structs as JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::search::{SearchHit, SearchResults};

#[derive(Serialize)]
struct SearchRow<'a> {
    rank: usize,
    id: &'a str,
    title: &'a str,
    year: Option<i32>,
    date: Option<&'a str>,
    speaker: Option<&'a str>,
    region: Option<&'a str>,
    kind: Option<&'a str>,
    url: Option<&'a str>,
    /// The inferred fields, `;`-separated.
    inferred: String,
    path: &'a str,
    score: f32,
    hits: u64,
    /// The paragraphs of the snippets, `;`-separated (or the one paragraph of this row's
    /// snippet, with one row per snippet).
    paragraphs: String,
    /// The snippets, joined with ` … ` (or this row's snippet).
    snippets: String,
}

/// The UTF-8 byte-order mark Excel needs to read a CSV file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Writes the byte-order mark when `bom` (call before the first row).
pub fn start(out: &mut dyn Write, bom: bool) -> io::Result<()> {
    if bom { out.write_all(BOM.as_bytes()) } else { Ok(()) }
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

/// Search results as CSV: one row per result with all its snippets joined, or with
/// `snippet_rows` one row per snippet (a result without snippets still gets one row).
pub fn search_results(
    out: &mut dyn Write,
    r: &SearchResults,
    snippet_rows: bool,
) -> io::Result<()> {
    fn row(h: &SearchHit, paragraphs: String, snippets: String) -> SearchRow<'_> {
        SearchRow {
            rank: h.rank,
            id: &h.id,
            title: &h.title,
            year: h.year,
            date: h.date.as_deref(),
            speaker: h.speaker.as_deref(),
            region: h.region.as_deref(),
            kind: h.kind.as_deref(),
            url: h.url.as_deref(),
            inferred: h.inferred.join(";"),
            path: &h.path,
            score: h.score,
            hits: h.hits,
            paragraphs,
            snippets,
        }
    }
    let mut rows = Vec::new();
    for h in &r.results {
        if snippet_rows && !h.snippets.is_empty() {
            for s in &h.snippets {
                rows.push(row(h, s.paragraph.to_string(), s.text.clone()));
            }
        } else {
            let paragraphs: Vec<String> =
                h.snippets.iter().map(|s| s.paragraph.to_string()).collect();
            let texts: Vec<&str> = h.snippets.iter().map(|s| s.text.as_str()).collect();
            rows.push(row(h, paragraphs.join(";"), texts.join(" … ")));
        }
    }
    write_rows(out, rows)
}
