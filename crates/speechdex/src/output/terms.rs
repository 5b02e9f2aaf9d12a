//! Human tables and CSV rows for term statistics: `trend`, `kwic`, `compare`, `top`.
//!
//! CSV and JSON Lines share the row structs below, so their columns agree:
//!
//! * `trend`: one row per group and term: `by, key, title, date, docs, chars, term, count,
//!   term_docs, rate` (`title` and `date` only with `--by speech`; `rate` per 10,000 characters);
//! * `kwic`: one row per line: `id, title, year, date, paragraph, offset, left, match, right`;
//! * `compare`: one row per listed word or term: `list, word, a, b, a_docs, b_docs, a_rate,
//!   b_rate, g2, log_ratio` with `list` one of `over_a`, `over_b`, `new_in_b`, `only_in_a`,
//!   `term` (word rates per 10,000 tokens, term rates per 10,000 characters);
//! * `top`: one row per word: `rank, word, count, docs, rate` (per 10,000 tokens).
//!
//! The human renderers escape text from the index and the terms ([`super::escape`]); CSV and
//! JSON Lines rows carry it exactly.

use std::borrow::Cow;
use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, CellAlignment, Table};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::escape::escape;
use super::text::Palette;
use crate::choice::Choice;
use crate::stats::compare::{Comparison, Keyword};
use crate::stats::kwic::Kwic;
use crate::stats::trend::{GroupBy, Trend};
use crate::stats::words::TopWords;

fn new_table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY);
    t.set_header(header.into_iter().map(Cell::new));
    t
}

fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// A cell of text from the index (a title, a word, a group), escaped.
fn text(s: &str) -> Cell {
    Cell::new(escape(s))
}

/// A horizontal bar of `width` cells for `value` out of `max`, in eighths of a block; a value
/// above zero always shows at least a sliver.
pub fn bar(value: f64, max: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max).min(1.0) * (width * 8) as f64).round().max(1.0) as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8]);
    }
    out
}

/// A rate with three decimals.
pub fn rate(r: f64) -> String {
    format!("{r:.3}")
}

fn metric_value(metric: crate::stats::trend::Metric, v: f64) -> String {
    match metric {
        crate::stats::trend::Metric::Rate => rate(v),
        _ => format!("{v:.0}"),
    }
}

/// Renders `speechdex trend` as a table with an inline bar per term (bars scaled to the
/// highest value of the metric over all groups and terms), then per term its totals, first
/// and last appearance and peak.
/// The width of a trend table's bars when nothing needs to fit: 24 for one term, less for more.
fn natural_bar_width(t: &Trend) -> usize {
    if t.terms.len() == 1 { 24 } else { (36 / t.terms.len()).clamp(8, 16) }
}

/// Cells per term in a trend table: count, docs, rate and bar for one term (no docs by
/// speech); the metric and a bar for each of several.
fn term_cells(t: &Trend) -> usize {
    match (t.terms.len() == 1, t.by == GroupBy::Speech) {
        (true, false) => 4,
        (true, true) => 3,
        (false, _) => 2,
    }
}

/// The rows of [`trend_table`], with bars of `bar_width` characters (0: no bar columns).
fn trend_grid(t: &Trend, bar_width: usize) -> Table {
    let single = t.terms.len() == 1;
    let speech = t.by == GroupBy::Speech;
    let max = t
        .groups
        .iter()
        .flat_map(|g| g.terms.iter().filter_map(|(_, c)| c.as_ref().map(|c| t.metric.of(c))))
        .fold(0.0f64, f64::max);
    let mut header = vec![t.by.name().to_string()];
    if speech {
        header.extend(["date".to_string(), "title".to_string()]);
    } else {
        header.push("speeches".to_string());
    }
    header.push("chars".to_string());
    for term in &t.terms {
        if single {
            header.push("count".to_string());
            if !speech {
                header.push("docs".to_string());
            }
            header.push("per 10k".to_string());
            if bar_width > 0 {
                header.push(t.metric.name().to_string());
            }
        } else {
            // Narrowed to fit a terminal (shorter bars), the term and the metric take two lines.
            let sep = if bar_width < natural_bar_width(t) { "\n" } else { " " };
            header.push(format!("{}{sep}({})", escape(term), t.metric.name()));
            if bar_width > 0 {
                header.push(String::new());
            }
        }
    }
    let mut table = new_table(header);
    for g in &t.groups {
        let mut row = vec![text(&g.key)];
        if speech {
            row.push(text(g.date.as_deref().unwrap_or("")));
            row.push(text(g.title.as_deref().unwrap_or("")));
        } else {
            row.push(right(g.docs));
        }
        row.push(right(g.chars));
        for (_, c) in g.terms.iter() {
            // A group without speeches has no data: "–", and no bar.
            let Some(c) = c else {
                let cells = term_cells(t);
                row.extend((0..cells - 1).map(|_| right("–")));
                if bar_width > 0 {
                    row.push(Cell::new(""));
                }
                continue;
            };
            let value = t.metric.of(c);
            if single && speech {
                row.extend([right(c.count), right(rate(c.rate))]);
            } else if single {
                row.extend([right(c.count), right(c.docs), right(rate(c.rate))]);
            } else {
                row.push(right(metric_value(t.metric, value)));
            }
            if bar_width > 0 {
                row.push(Cell::new(bar(value, max, bar_width)));
            }
        }
        table.add_row(row);
    }
    table
}

/// `trend` as a table: one row per group, a bar per term. With `width` (the terminal's
/// columns), a wider table wraps its text cells to fit; `--by speech` leaves out the
/// `speeches` and `docs` columns, which are 1 for every speech.
pub fn trend_table(out: &mut dyn Write, t: &Trend, width: Option<usize>) -> io::Result<()> {
    let natural = natural_bar_width(t);
    let mut table = trend_grid(t, natural);
    if let Some(width) = width {
        // Only a speech's id and title wrap (down to 24 and 16 columns); numbers and other
        // groups keep their width; bars shrink first, and go when narrower than 6.
        let wraps: &[usize] = if t.by == GroupBy::Speech { &[0, 2] } else { &[] };
        let columns = table.column_count();
        let per_term = term_cells(t);
        let bars: Vec<usize> = (0..t.terms.len())
            .map(|j| columns - t.terms.len() * per_term + (j + 1) * per_term - 1)
            .collect();
        let needed: usize = table
            .column_max_content_widths()
            .iter()
            .enumerate()
            .filter(|(i, _)| !bars.contains(i))
            .map(|(i, &w)| match (wraps.contains(&i), i) {
                (true, 0) => usize::from(w).min(24),
                (true, _) => usize::from(w).min(16),
                _ => usize::from(w),
            })
            .sum::<usize>()
            + 3 * columns
            + 1;
        let bar_width = (width.saturating_sub(needed) / t.terms.len()).min(natural);
        if bar_width < natural {
            table = trend_grid(t, if bar_width >= 6 { bar_width } else { 0 });
        }
        fit_table(&mut table, width, wraps);
    }
    writeln!(out, "{table}")?;
    if t.truncated {
        writeln!(
            out,
            "{} of {} {} listed: those with the most occurrences (--limit N to change)",
            t.groups.len(),
            t.total_groups,
            t.by.plural()
        )?;
    }
    write!(out, "{}, {} characters", super::plural(t.docs, "speech", "speeches"), t.chars)?;
    match &t.selection {
        Some(q) => writeln!(out, " matching {}", escape(q))?,
        None => writeln!(out)?,
    }
    trend_summaries(out, t)
}

/// The part of `speechdex trend` below the table: per term, its totals, first and last
/// appearance and peak.
fn trend_summaries(out: &mut dyn Write, t: &Trend) -> io::Result<()> {
    for term in &t.terms {
        writeln!(out)?;
        let total = t.totals.get(term).copied().unwrap_or_default();
        let together = match t.within {
            Some(unit) if t.terms.len() > 1 => format!(" in {} holding every term", unit.plural()),
            Some(unit) => format!(" inside one {}", unit.name()),
            None => String::new(),
        };
        writeln!(
            out,
            "{}: {}{together} in {} ({} per 10,000 characters)",
            escape(term),
            super::plural(total.count, "occurrence", "occurrences"),
            super::plural(total.docs, "speech", "speeches"),
            rate(total.rate)
        )?;
        // Under a selection, first and last are within it (an earlier speech may be outside).
        let within = if t.selection.is_some() { " (in the selection)" } else { "" };
        if let Some(Some(f)) = t.first_seen.get(term) {
            writeln!(
                out,
                "  first{within}: {} {} [{}]",
                escape(&f.date.clone().or(f.year.map(|y| y.to_string())).unwrap_or("?".into())),
                escape(&f.title),
                escape(&f.id)
            )?;
            if let Some(sentence) = &f.sentence {
                writeln!(out, "         “{}”", escape(sentence))?;
            }
        }
        if let Some(Some(l)) = t.last_seen.get(term) {
            writeln!(
                out,
                "  last{within}:  {} {} [{}]",
                escape(&l.date.clone().or(l.year.map(|y| y.to_string())).unwrap_or("?".into())),
                escape(&l.title),
                escape(&l.id)
            )?;
        }
        if let Some(Some(p)) = t.peak.get(term) {
            writeln!(
                out,
                "  peak:  {} ({} {}, {})",
                escape(&p.group),
                t.metric.name(),
                metric_value(t.metric, p.value),
                super::plural(p.count, "occurrence", "occurrences")
            )?;
        }
    }
    Ok(())
}

/// One CSV / JSON Lines row of `trend`.
#[derive(Debug, Serialize)]
pub struct TrendRow<'a> {
    /// Grouping.
    pub by: &'static str,
    /// Group key.
    pub key: &'a str,
    /// Title (`--by speech`).
    pub title: Option<&'a str>,
    /// Date (`--by speech`).
    pub date: Option<&'a str>,
    /// Speeches in the group.
    pub docs: u64,
    /// Characters in the group.
    pub chars: u64,
    /// The term.
    pub term: &'a str,
    /// Occurrences (empty for a group without speeches: no data).
    pub count: Option<u64>,
    /// Speeches of the group containing the term.
    pub term_docs: Option<u64>,
    /// Occurrences per 10,000 characters.
    pub rate: Option<f64>,
}

/// The rows of `trend`: one per group and term.
pub fn trend_rows(t: &Trend) -> Vec<TrendRow<'_>> {
    let mut rows = Vec::new();
    for g in &t.groups {
        for (term, c) in g.terms.iter() {
            rows.push(TrendRow {
                by: t.by.name(),
                key: &g.key,
                title: g.title.as_deref(),
                date: g.date.as_deref(),
                docs: g.docs,
                chars: g.chars,
                term,
                count: c.map(|c| c.count),
                term_docs: c.map(|c| c.docs),
                rate: c.map(|c| c.rate),
            });
        }
    }
    rows
}

/// Renders `kwic`: one line per occurrence, the term aligned in one column (left contexts
/// right-aligned by display width, so CJK characters count double), then title, date and
/// paragraph. Without colour, the term is marked with 【 】.
/// `kwic` for people: a header line, then one aligned line per occurrence. With `width` (the
/// terminal's columns), lines that would be wider are fitted: both contexts are cut to the
/// same number of columns next to the match (not below 8), and titles shortened with `…` when
/// the contexts would fall below 12.
pub fn kwic_text(
    out: &mut dyn Write,
    c: &Kwic,
    p: &Palette,
    width: Option<usize>,
) -> io::Result<()> {
    let shown = if c.lines.len() as u64 == c.total {
        String::new()
    } else {
        format!(", showing {}", c.lines.len())
    };
    let term = escape(&c.term);
    let scope = match c.within {
        Some(unit) if c.also.is_empty() => format!(" (inside one {})", unit.name()),
        Some(unit) => format!(" (in {} that hold {})", unit.plural(), escape(&c.also.join(" "))),
        None => String::new(),
    };
    let occurrences = super::plural(c.total, "occurrence", "occurrences");
    let speeches = super::plural(c.docs, "speech", "speeches");
    writeln!(out, "{term}: {occurrences} in {speeches}{scope}{shown}")?;
    // Escaped first, so that the alignment counts what is printed.
    let lines: Vec<_> = c
        .lines
        .iter()
        .map(|l| {
            let date = l.date.clone().or(l.year.map(|y| y.to_string())).unwrap_or("?".into());
            (escape(&l.left), escape(&l.matched), escape(&l.right), escape(&l.title), date, l)
        })
        .collect();
    if c.sentence {
        return kwic_sentences(out, &lines, p);
    }
    let plain = p.hit == anstyle::Style::new();
    let lines = match width {
        Some(w) => fit_kwic(lines, w, plain),
        None => lines,
    };
    let left_width = lines.iter().map(|l| l.0.width()).max().unwrap_or(0);
    let right_width = lines.iter().map(|l| l.2.width()).max().unwrap_or(0);
    for (left, matched, right, title, date, l) in &lines {
        let matched = if plain {
            format!("【{matched}】")
        } else {
            format!("{}{matched}{:#}", p.hit, p.hit)
        };
        writeln!(
            out,
            "{:<10}  {}{left} {matched} {right}{}  {dim}{title} ¶{}{dim:#}",
            escape(date),
            " ".repeat(left_width - left.width()),
            " ".repeat(right_width - right.width()),
            l.paragraph,
            dim = p.dim,
        )?;
    }
    Ok(())
}

/// Lets `table` wrap its columns `wraps` so that it fits in `width` columns; the others keep
/// the width of their content.
fn fit_table(table: &mut Table, width: usize, wraps: &[usize]) {
    let columns = table.column_count();
    for i in (0..columns).filter(|i| !wraps.contains(i)) {
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
}

/// Narrowest context kept on each side of a match, and the width below which titles are
/// shortened instead.
const KWIC_MIN_CONTEXT: usize = 8;
const KWIC_SHORTEN_TITLES_BELOW: usize = 12;
const KWIC_MIN_TITLE: usize = 10;

/// Cuts the contexts (and, if need be, the titles) of concordance lines so that each fits in
/// `width` columns (see [`kwic_text`]).
fn fit_kwic(mut lines: Vec<KwicRow<'_>>, width: usize, plain: bool) -> Vec<KwicRow<'_>> {
    let max = |f: &dyn Fn(&KwicRow<'_>) -> usize| lines.iter().map(f).max().unwrap_or(0);
    let (left, right) = (max(&|l| l.0.width()), max(&|l| l.2.width()));
    let matched = max(&|l| l.1.width()) + if plain { 4 } else { 0 };
    let para = max(&|l| l.5.paragraph.to_string().len());
    let title = max(&|l| l.3.width());
    // date (10), two spaces, left, space, match, space, right, two spaces, title, " ¶N".
    let fixed = 10 + 2 + 1 + matched + 1 + 2 + 2 + para;
    if fixed + left + right + title <= width {
        return lines;
    }
    let mut title_cols = title;
    let mut context = width.saturating_sub(fixed + title) / 2;
    if context < KWIC_SHORTEN_TITLES_BELOW {
        context = KWIC_SHORTEN_TITLES_BELOW.min(left.max(right));
        title_cols = width.saturating_sub(fixed + 2 * context).max(KWIC_MIN_TITLE);
        context = (width.saturating_sub(fixed + title_cols) / 2).max(KWIC_MIN_CONTEXT);
    }
    for l in &mut lines {
        if l.0.width() > context {
            l.0 = Cow::Owned(last_columns(&l.0, context));
        }
        if l.2.width() > context {
            l.2 = Cow::Owned(first_columns(&l.2, context));
        }
        if l.3.width() > title_cols {
            let mut t = first_columns(&l.3, title_cols.saturating_sub(1));
            t.push('…');
            l.3 = Cow::Owned(t);
        }
    }
    lines
}

/// The first characters of `s` that fit in `cols` columns.
fn first_columns(s: &str, cols: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= cols
        })
        .collect()
}

/// The last characters of `s` that fit in `cols` columns.
fn last_columns(s: &str, cols: usize) -> String {
    let mut used = 0;
    let mut tail: Vec<char> = s
        .chars()
        .rev()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= cols
        })
        .collect();
    tail.reverse();
    tail.into_iter().collect()
}

/// One concordance line (left, match, right, title, date, line).
type KwicRow<'a> = (
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    String,
    &'a crate::stats::kwic::KwicLine,
);

/// `kwic --sentence`: each occurrence's sentence on a line of its own, under its date, title
/// and paragraph (sentences are too long to align).
fn kwic_sentences(out: &mut dyn Write, lines: &[KwicRow<'_>], p: &Palette) -> io::Result<()> {
    let plain = p.hit == anstyle::Style::new();
    for (left, matched, right, title, date, l) in lines {
        let matched = if plain {
            format!("【{matched}】")
        } else {
            format!("{}{matched}{:#}", p.hit, p.hit)
        };
        writeln!(out, "{dim}{}  {title} ¶{}{dim:#}", escape(date), l.paragraph, dim = p.dim)?;
        writeln!(out, "  {left}{matched}{right}")?;
    }
    Ok(())
}

fn keyword_table(title: &str, words: &[Keyword]) -> Table {
    let mut t = new_table(
        [title, "A", "B", "A/10k", "B/10k", "G²", "log ratio"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    for k in words {
        t.add_row(vec![
            text(&k.word),
            right(k.a),
            right(k.b),
            right(format!("{:.2}", k.a_rate)),
            right(format!("{:.2}", k.b_rate)),
            right(format!("{:.2}", k.g2)),
            right(format!("{:+.2}", k.log_ratio)),
        ]);
    }
    t
}

/// Renders `compare`: the two sides, then the keyword lists and the given terms.
pub fn compare_table(out: &mut dyn Write, c: &Comparison) -> io::Result<()> {
    for (name, s) in [("A", &c.a), ("B", &c.b)] {
        let title = s.title.as_deref().map(|t| format!(" {}", escape(t))).unwrap_or_default();
        writeln!(
            out,
            "{name}: {}{title}: {} speeches, {} characters, {} words ({} distinct)",
            escape(&s.label),
            s.docs,
            s.chars,
            s.tokens,
            s.distinct
        )?;
    }
    writeln!(
        out,
        "G² = log-likelihood (≥ 3.84: p < 0.05, ≥ 10.83: p < 0.001); log ratio = log₂ of A's \
         relative frequency over B's, counts +0.5; rates per 10,000 words"
    )?;
    for (title, list) in [
        ("more in A", &c.over_a),
        ("more in B", &c.over_b),
        ("new in B", &c.new_in_b),
        ("only in A", &c.only_in_a),
    ] {
        writeln!(out, "\n{}", keyword_table(title, list))?;
    }
    if !c.terms.is_empty() {
        let mut t = new_table(
            ["term", "A", "A docs", "A/10k chars", "B", "B docs", "B/10k chars", "G²", "log ratio"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        for k in &c.terms {
            t.add_row(vec![
                text(&k.term),
                right(k.a),
                right(k.a_docs),
                right(rate(k.a_rate)),
                right(k.b),
                right(k.b_docs),
                right(rate(k.b_rate)),
                right(format!("{:.2}", k.g2)),
                right(format!("{:+.2}", k.log_ratio)),
            ]);
        }
        writeln!(out, "\n{t}")?;
    }
    Ok(())
}

/// One CSV / JSON Lines row of `compare`.
#[derive(Debug, Serialize)]
pub struct CompareRow<'a> {
    /// `over_a`, `over_b`, `new_in_b`, `only_in_a` or `term`.
    pub list: &'static str,
    /// The word or term.
    pub word: &'a str,
    /// Occurrences in A.
    pub a: u64,
    /// Occurrences in B.
    pub b: u64,
    /// Speeches of A containing it (terms only).
    pub a_docs: Option<u64>,
    /// Speeches of B containing it (terms only).
    pub b_docs: Option<u64>,
    /// Rate in A (per 10,000 words; terms: characters).
    pub a_rate: f64,
    /// Rate in B.
    pub b_rate: f64,
    /// Log-likelihood.
    pub g2: f64,
    /// Log ratio.
    pub log_ratio: f64,
}

/// The rows of `compare`.
pub fn compare_rows(c: &Comparison) -> Vec<CompareRow<'_>> {
    let mut rows = Vec::new();
    for (list, words) in [
        ("over_a", &c.over_a),
        ("over_b", &c.over_b),
        ("new_in_b", &c.new_in_b),
        ("only_in_a", &c.only_in_a),
    ] {
        for k in words {
            rows.push(CompareRow {
                list,
                word: &k.word,
                a: k.a,
                b: k.b,
                a_docs: None,
                b_docs: None,
                a_rate: k.a_rate,
                b_rate: k.b_rate,
                g2: k.g2,
                log_ratio: k.log_ratio,
            });
        }
    }
    for k in &c.terms {
        rows.push(CompareRow {
            list: "term",
            word: &k.term,
            a: k.a,
            b: k.b,
            a_docs: Some(k.a_docs),
            b_docs: Some(k.b_docs),
            a_rate: k.a_rate,
            b_rate: k.b_rate,
            g2: k.g2,
            log_ratio: k.log_ratio,
        });
    }
    rows
}

/// Renders `top`.
pub fn top_table(out: &mut dyn Write, t: &TopWords) -> io::Result<()> {
    writeln!(
        out,
        "{} speeches, {} characters, {} words ({} distinct, stopwords left out)",
        t.docs, t.chars, t.tokens, t.distinct
    )?;
    let mut table = new_table(
        ["#", "word", "count", "speeches", "per 10k words"].iter().map(|s| s.to_string()).collect(),
    );
    for w in &t.words {
        table.add_row(vec![
            right(w.rank),
            text(&w.word),
            right(w.count),
            right(w.docs),
            right(format!("{:.2}", w.rate)),
        ]);
    }
    writeln!(out, "{table}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_in_eighths() {
        assert_eq!(bar(1.0, 1.0, 4), "████");
        assert_eq!(bar(0.5, 1.0, 4), "██");
        assert_eq!(bar(1.0, 8.0, 1), "▏");
        assert_eq!(bar(0.0001, 1.0, 4), "▏");
        assert_eq!(bar(0.0, 1.0, 4), "");
        assert_eq!(bar(3.0, 0.0, 4), "");
        assert_eq!(bar(0.3, 1.0, 2).chars().count(), 1);
    }
}
