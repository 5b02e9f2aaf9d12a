//! Human tables for `ngrams` and `collocates`. CSV and JSON Lines rows are the library's
//! [`crate::stats::ngrams::Ngram`] and [`crate::stats::collocates::Collocate`] structs
//! themselves, so their columns are the JSON fields:
//!
//! * `ngrams`: `rank, ngram, len, count, docs, rate` (per 10,000 characters), and with
//!   `--against` also `ref_count, ref_rate, g2, log_ratio`;
//! * `collocates`: `rank, word, count, left, right, total, expected, score, g2, mi`.
//!
//! The human renderers escape text from the index and the term ([`super::escape`]).

use std::io::{self, Write};

use comfy_table::Cell;

use super::escape::escape;
use super::plural;
use super::table::{new_table, right};
use crate::stats::collocates::Collocates;
use crate::stats::ngrams::Ngrams;

/// Renders `ngrams`: what was read, then the phrases.
pub fn ngrams_table(out: &mut dyn Write, n: &Ngrams) -> io::Result<()> {
    writeln!(
        out,
        "{}, {} characters; phrases of {}–{} characters occurring at least {} times, maximal: {} \
         listed of {}",
        plural(n.docs, "speech", "speeches"),
        n.chars,
        n.min_len,
        n.max_len,
        n.min_count,
        n.ngrams.len(),
        n.total
    )?;
    if let Some(r) = &n.against {
        writeln!(
            out,
            "against {}: {}, {} characters; ranked by G² (≥ 3.84: p < 0.05, ≥ 10.83: p < \
             0.001), phrases more frequent in the set only; log ratio = log₂ of the set's \
             relative frequency over the reference's, counts +0.5",
            escape(&r.label),
            plural(r.docs, "speech", "speeches"),
            r.chars
        )?;
    }
    let mut header = vec!["#", "n-gram", "count", "speeches", "per 10k chars"];
    if n.against.is_some() {
        header.extend(["reference", "ref per 10k", "G²", "log ratio"]);
    }
    let mut t = new_table(&header);
    for g in &n.ngrams {
        let mut row = vec![
            right(g.rank),
            Cell::new(escape(&g.ngram)),
            right(g.count),
            right(g.docs),
            right(format!("{:.2}", g.rate)),
        ];
        if n.against.is_some() {
            row.extend([
                right(g.ref_count.unwrap_or(0)),
                right(format!("{:.2}", g.ref_rate.unwrap_or(0.0))),
                right(format!("{:.2}", g.g2.unwrap_or(0.0))),
                right(format!("{:+.2}", g.log_ratio.unwrap_or(0.0))),
            ]);
        }
        t.add_row(row);
    }
    writeln!(out, "{t}")
}

/// Renders `collocates`: the term's occurrences, then the words near it.
pub fn collocates_table(out: &mut dyn Write, c: &Collocates) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} in {} (of {} selected, {} words); window ±{} words, {} words in the windows",
        escape(&c.term),
        plural(c.occurrences, "occurrence", "occurrences"),
        plural(c.term_docs, "speech", "speeches"),
        c.docs,
        c.tokens,
        c.window,
        c.window_tokens
    )?;
    writeln!(
        out,
        "words near it at least {} times, more often than elsewhere, by G² (≥ 10.83: p < 0.001); \
         MI = log₂(count / expected); {} listed of {}",
        c.min_count,
        c.collocates.len(),
        c.total
    )?;
    let mut t =
        new_table(&["#", "word", "count", "left", "right", "total", "expected", "G²", "MI"]);
    for k in &c.collocates {
        t.add_row(vec![
            right(k.rank),
            Cell::new(escape(&k.word)),
            right(k.count),
            right(k.left),
            right(k.right),
            right(k.total),
            right(format!("{:.1}", k.expected)),
            right(format!("{:.2}", k.g2)),
            right(format!("{:.2}", k.mi)),
        ]);
    }
    writeln!(out, "{t}")
}
