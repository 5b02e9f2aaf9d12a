//! Human output of `verify` ([`crate::search::verify`]).
//!
//! Each passage is shown on one line with its context, line breaks as `⏎` (the JSON keeps the
//! exact text). An exact match is marked as a whole; for a near match the text's line marks the
//! characters that differ (and `‸` where a quote character is missing), a `quote:` line below
//! marks the quote's side, and the differences are listed (`做 → 作`, `−的`, `+了`). Without
//! colour, marks are 【 】. Data is escaped ([`super::escape`]).

use std::io::{self, Write};

use super::escape::{Layout, escape};
use super::plural;
use super::text::{Palette, highlighted};
use crate::search::verify::{Difference, DifferenceKind, Passage, VerifyResult};

/// Shown for a line break.
const LINE_BREAK: char = '⏎';
/// Shown where a character is missing.
const MISSING: char = '‸';

/// Renders a verification.
pub fn human(out: &mut dyn Write, r: &VerifyResult, p: &Palette) -> io::Result<()> {
    let quote = escape(&r.quote);
    let dim = p.dim;
    if r.exact_total > 0 {
        let listed = if (r.exact.len() as u64) < r.exact_total {
            format!(" ({} listed, oldest first)", r.exact.len())
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} for {quote}{listed}  {dim}({:.1} ms){dim:#}",
            plural(r.exact_total, "exact match", "exact matches"),
            r.took_ms
        )?;
        for (i, m) in r.exact.iter().enumerate() {
            writeln!(out)?;
            heading(out, i + 1, m, p)?;
            let (line, marks) = shown(m, &[Mark::Span(m.start, m.end)]);
            writeln!(out, "     {}", highlighted(&line, &marks, p.hit, Layout::Line))?;
        }
        return Ok(());
    }
    if r.near.is_empty() {
        let within = if r.max_distance == 0 {
            String::new()
        } else {
            format!(", and no passage within {}", plural(r.max_distance as u64, "edit", "edits"))
        };
        return writeln!(
            out,
            "no exact match for {quote}{within}  {dim}({:.1} ms){dim:#}",
            r.took_ms
        );
    }
    writeln!(
        out,
        "no exact match for {quote}; the closest {} (at most {})  {dim}({:.1} ms){dim:#}",
        plural(r.near.len() as u64, "passage", "passages"),
        plural(r.max_distance as u64, "edit", "edits"),
        r.took_ms
    )?;
    for (i, m) in r.near.iter().enumerate() {
        writeln!(out)?;
        heading(out, i + 1, m, p)?;
        near(out, r, m, p)?;
    }
    Ok(())
}

/// Number, title, date, speaker; id, paragraphs, offsets, url.
fn heading(out: &mut dyn Write, n: usize, m: &Passage, p: &Palette) -> io::Result<()> {
    let when =
        m.date.clone().or_else(|| m.year.map(|y| y.to_string())).unwrap_or("year unknown".into());
    let mut meta = vec![when];
    meta.extend(m.speaker.clone());
    if m.distance > 0 {
        meta.push(plural(m.distance as u64, "edit", "edits"));
    }
    let (title, dim) = (p.title, p.dim);
    writeln!(out, "{n:>3}. {title}{}{title:#}  {}", escape(&m.title), escape(&meta.join(" · ")))?;
    let paragraphs = if m.paragraph_end > m.paragraph {
        format!("¶{}–{}", m.paragraph, m.paragraph_end)
    } else {
        format!("¶{}", m.paragraph)
    };
    writeln!(
        out,
        "     {dim}{}  {paragraphs}  characters {}–{}{dim:#}",
        escape(&m.id),
        m.start,
        m.end
    )?;
    match &m.url {
        Some(url) => writeln!(out, "     {dim}{}{dim:#}", escape(url)),
        None => Ok(()),
    }
}

/// The text and quote lines of a near match, and its differences.
fn near(out: &mut dyn Write, r: &VerifyResult, m: &Passage, p: &Palette) -> io::Result<()> {
    let text_marks: Vec<Mark> = m
        .differences
        .iter()
        .map(|d| match d.kind {
            DifferenceKind::Missing => Mark::Caret(d.text_offset),
            _ => Mark::Span(d.text_offset, d.text_offset + 1),
        })
        .collect();
    let (line, marks) = shown(m, &text_marks);
    writeln!(out, "     text:  {}", highlighted(&line, &marks, p.hit, Layout::Line))?;
    let quote: Vec<char> = r.quote.chars().collect();
    let quote_marks: Vec<Mark> = m
        .differences
        .iter()
        .map(|d| match d.kind {
            DifferenceKind::Extra => Mark::Caret(d.quote_offset),
            _ => Mark::Span(d.quote_offset, d.quote_offset + 1),
        })
        .collect();
    let (line, marks) = display(&quote, 0, quote.len(), &quote_marks);
    writeln!(out, "     quote: {}", highlighted(&line, &marks, p.hit, Layout::Line))?;
    let listed: Vec<String> = m.differences.iter().map(difference).collect();
    writeln!(out, "     {}", escape(&listed.join(", ")))
}

/// `做 → 作`, `−的` (missing from the text), `+了` (extra in the text).
fn difference(d: &Difference) -> String {
    let show = |s: &Option<String>| {
        s.as_deref().map_or(String::new(), |c| c.replace('\n', "⏎").replace(' ', "␣"))
    };
    match d.kind {
        DifferenceKind::Replaced => format!("{} → {}", show(&d.quote), show(&d.text)),
        DifferenceKind::Missing => format!("−{}", show(&d.quote)),
        DifferenceKind::Extra => format!("+{}", show(&d.text)),
    }
}

/// Something marked on a line, in offsets of the characters shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// The characters `from..to`.
    Span(usize, usize),
    /// A `‸` before this character.
    Caret(usize),
}

/// A passage with its context on one line, and where the marks are (offsets of the speech).
fn shown(m: &Passage, marks: &[Mark]) -> (String, Vec<[usize; 2]>) {
    let mut chars: Vec<char> = m.before.chars().collect();
    let base = m.start - chars.len();
    chars.extend(m.text.chars());
    chars.extend(m.after.chars());
    let shifted: Vec<Mark> = marks
        .iter()
        .map(|&mark| match mark {
            Mark::Span(a, b) => Mark::Span(a - base, b - base),
            Mark::Caret(a) => Mark::Caret(a - base),
        })
        .collect();
    let (line, ranges) = display(&chars, 0, chars.len(), &shifted);
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    let open = ellipsis(base > 0);
    let close = ellipsis(!m.after.is_empty());
    let shift = open.chars().count();
    let ranges = ranges.iter().map(|[a, b]| [a + shift, b + shift]).collect();
    (format!("{open}{line}{close}"), ranges)
}

/// `chars[from..to]` for one line (line breaks as ⏎, `\r\n` as one), with `‸` put in for carets,
/// and the ranges of the marks in the line's characters.
fn display(chars: &[char], from: usize, to: usize, marks: &[Mark]) -> (String, Vec<[usize; 2]>) {
    let mut line = String::new();
    let mut at = Vec::with_capacity(to - from + 1);
    let mut n = 0;
    let mut i = from;
    while i < to {
        for mark in marks {
            if *mark == Mark::Caret(i) {
                line.push(MISSING);
                n += 1;
            }
        }
        at.push(n);
        let c = chars[i];
        if c == '\r' && chars.get(i + 1) == Some(&'\n') && i + 1 < to {
            // One ⏎ for both: the `\n` maps to the same place.
            at.push(n);
            i += 1;
        }
        line.push(if c == '\n' || c == '\r' { LINE_BREAK } else { c });
        n += 1;
        i += 1;
    }
    for mark in marks {
        if *mark == Mark::Caret(to) {
            line.push(MISSING);
            n += 1;
        }
    }
    at.push(n);
    let pos = |k: usize| at.get(k - from).copied().unwrap_or(n);
    let ranges = marks
        .iter()
        .map(|&mark| match mark {
            Mark::Span(a, b) => [pos(a), pos(b)],
            Mark::Caret(a) => {
                // The caret just before character `a`.
                let end = if a >= to { n } else { pos(a) };
                [end - 1, end]
            }
        })
        .collect();
    (line, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(chars: &str, marks: &[Mark]) -> String {
        let chars: Vec<char> = chars.chars().collect();
        let (line, ranges) = display(&chars, 0, chars.len(), marks);
        highlighted(&line, &ranges, anstyle::Style::new(), Layout::Line)
    }

    #[test]
    fn lines_mark_spans_and_carets() {
        assert_eq!(plain("李强所作的\n政府", &[Mark::Span(3, 4)]), "李强所【作】的⏎政府");
        assert_eq!(plain("甲乙\r\n丙", &[Mark::Span(0, 5)]), "【甲乙⏎丙】");
        assert_eq!(plain("甲乙丁", &[Mark::Caret(2)]), "甲乙【‸】丁");
        assert_eq!(plain("甲乙", &[Mark::Caret(2)]), "甲乙【‸】");
        assert_eq!(plain("甲\u{1b}乙", &[Mark::Span(2, 3)]), "甲\\u{1b}【乙】");
    }
}
