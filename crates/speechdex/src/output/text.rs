//! Human-readable output for search results and speeches, with optional ANSI colour.
//!
//! Every text from the index is escaped ([`super::escape`]): one-line values with
//! [`escape`], a speech's text keeping its line breaks and tabs.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::escape::{Layout, escape, escape_as};
use super::plural;
use crate::index::StoredSpeech;
use crate::search::{SearchResults, Snippet};

/// Styles for human output; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub struct Palette {
    /// Highlighted match.
    pub hit: Style,
    /// Titles.
    pub title: Style,
    /// Secondary information.
    pub dim: Style,
}

impl Palette {
    /// The palette for `color` on or off.
    pub fn new(color: bool) -> Palette {
        if !color {
            return Palette::default();
        }
        Palette {
            hit: Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            title: Style::new().bold(),
            dim: Style::new().dimmed(),
        }
    }
}

/// `text` with the character ranges of `highlights` styled, escaped for `layout` (see
/// [`super::escape`]; highlights are offsets in the unescaped text). Without colour, matches are
/// marked with 【 】 so they stay visible.
pub fn highlighted(text: &str, highlights: &[[usize; 2]], style: Style, layout: Layout) -> String {
    let plain = style == Style::new();
    let (open, close) = if plain {
        ("【".to_string(), "】".to_string())
    } else {
        (style.render().to_string(), style.render_reset().to_string())
    };
    // Merge overlapping highlights so markers nest correctly.
    let mut merged: Vec<[usize; 2]> = Vec::new();
    let mut sorted = highlights.to_vec();
    sorted.sort_unstable();
    for h in sorted {
        match merged.last_mut() {
            Some(last) if h[0] < last[1] => last[1] = last[1].max(h[1]),
            _ => merged.push(h),
        }
    }
    let mut bounds: Vec<(usize, bool)> = Vec::with_capacity(merged.len() * 2);
    for h in &merged {
        bounds.push((h[0], true));
        bounds.push((h[1], false));
    }
    let mut out = String::with_capacity(text.len() + highlights.len() * 8);
    // Walk to each bound (a character offset; past the end: the end), escaping the text before.
    let (mut char_at, mut byte_at, mut from) = (0usize, 0usize, 0usize);
    for (at, is_open) in bounds {
        while char_at < at
            && let Some(c) = text[byte_at..].chars().next()
        {
            byte_at += c.len_utf8();
            char_at += 1;
        }
        out.push_str(&escape_as(&text[from..byte_at], layout));
        out.push_str(if is_open { &open } else { &close });
        from = byte_at;
    }
    out.push_str(&escape_as(&text[from..], layout));
    out
}

fn snippet_line(s: &Snippet, p: &Palette) -> String {
    format!("¶{} {}", s.paragraph, highlighted(&s.text, &s.highlights, p.hit, Layout::Line))
}

/// ` in 3 sentences` for a query with scope groups (`SENT(…)`, `--within`), else nothing.
pub fn units_note(r: &SearchResults) -> String {
    let Some(units) = r.total_units else { return String::new() };
    let (one, many) = match r.within {
        Some(crate::search::query::Scope::Sentence) => ("sentence", "sentences"),
        Some(crate::search::query::Scope::Paragraph) => ("paragraph", "paragraphs"),
        None => ("sentence or paragraph", "sentences or paragraphs"),
    };
    format!(" in {}", plural(units, one, many))
}

/// Renders search results as a readable list.
pub fn search_results(out: &mut dyn Write, r: &SearchResults, p: &Palette) -> io::Result<()> {
    let dim = p.dim;
    writeln!(
        out,
        "{}, {}{} for {}  {dim}({:.1} ms){dim:#}",
        plural(r.total_docs, "speech", "speeches"),
        plural(r.total_hits, "hit", "hits"),
        units_note(r),
        escape(&r.query),
        r.took_ms
    )?;
    for hit in &r.results {
        let when = hit
            .date
            .clone()
            .or_else(|| hit.year.map(|y| y.to_string()))
            .unwrap_or_else(|| "year unknown".into());
        let mut meta = vec![when];
        meta.extend(hit.speaker.clone());
        meta.extend(hit.region.clone());
        let title = p.title;
        writeln!(out)?;
        let (name, meta) = (escape(&hit.title), escape(&meta.join(" · ")).into_owned());
        writeln!(out, "{:>3}. {title}{name}{title:#}  {meta}", hit.rank)?;
        let id = escape(&hit.id);
        writeln!(out, "     {dim}{id}  hits {}  score {:.2}{dim:#}", hit.hits, hit.score)?;
        for s in &hit.snippets {
            writeln!(out, "     {}", snippet_line(s, p))?;
        }
    }
    Ok(())
}

/// Renders one speech with its metadata and the matches of `highlights` (character ranges).
///
/// Paragraphs (lines with text) are numbered in a margin; `paragraphs` keeps only those in
/// `from..=to`.
pub fn speech(
    out: &mut dyn Write,
    s: &StoredSpeech,
    highlights: &[[usize; 2]],
    paragraphs: Option<(usize, usize)>,
    p: &Palette,
) -> io::Result<()> {
    let title = p.title;
    writeln!(out, "{title}{}{title:#}", escape(&s.title))?;
    let fields: [(&str, Option<String>); 10] = [
        ("id", Some(s.id.clone())),
        ("date", s.date.clone()),
        ("published", s.published.clone()),
        ("year", s.year.map(|y| y.to_string())),
        ("speaker", s.speaker.clone()),
        ("region", s.region.clone()),
        ("kind", s.kind.clone()),
        ("venue", s.venue.clone()),
        ("source", s.source.clone()),
        ("url", s.url.clone()),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            writeln!(out, "{:<8} {}", format!("{name}:"), escape(&v))?;
        }
    }
    if !s.tags.is_empty() {
        writeln!(out, "{:<8} {}", "tags:", escape(&s.tags.join(", ")))?;
    }
    if !s.inferred.is_empty() {
        writeln!(out, "{:<8} {}", "inferred:", escape(&s.inferred.join(", ")))?;
    }
    if !highlights.is_empty() {
        writeln!(out, "{:<8} {}", "matches:", highlights.len())?;
    }
    writeln!(out)?;
    let body = s.body.as_deref().unwrap_or("");
    let marked = highlighted(body, highlights, p.hit, Layout::Text);
    numbered(out, body, &marked, paragraphs, p)
}

/// Writes `marked` (the body with highlights, line for line) with paragraph numbers in a margin:
/// a line of `body` with text gets the next number, a blank line none.
fn numbered(
    out: &mut dyn Write,
    body: &str,
    marked: &str,
    only: Option<(usize, usize)>,
    p: &Palette,
) -> io::Result<()> {
    let total = body.lines().filter(|l| !l.trim().is_empty()).count();
    let width = total.max(1).to_string().len();
    let dim = p.dim;
    let mut number = 0;
    for (line, shown) in body.split('\n').zip(marked.split('\n')) {
        let shown = shown.strip_suffix('\r').unwrap_or(shown);
        if line.trim().is_empty() {
            if only.is_none() {
                writeln!(out)?;
            }
            continue;
        }
        number += 1;
        if only.is_some_and(|(from, to)| number < from || number > to) {
            continue;
        }
        writeln!(out, "{dim}{number:>width$}{dim:#}  {shown}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str, highlights: &[[usize; 2]]) -> String {
        highlighted(text, highlights, Style::new(), Layout::Text)
    }

    #[test]
    fn plain_highlights_use_brackets() {
        assert_eq!(plain("发展新质生产力", &[[2, 7]]), "发展【新质生产力】");
        assert_eq!(plain("甲乙丙", &[[0, 2], [1, 3]]), "【甲乙丙】");
        assert_eq!(plain("甲", &[]), "甲");
        assert_eq!(plain("哈哈哈哈", &[[0, 2], [2, 4]]), "【哈哈】【哈哈】");
        assert_eq!(plain("甲乙", &[[1, 9]]), "甲【乙】");
    }

    /// Control characters are escaped around and inside highlights, whose offsets count the
    /// unescaped characters; a text keeps its line breaks and tabs, a line does not.
    #[test]
    fn highlights_escape_controls() {
        let text = "\u{1b}[31m发展\n\t新质\u{1b}生产力\u{202e}";
        assert_eq!(plain(text, &[[9, 15]]), "\\u{1b}[31m发展\n\t【新质\\u{1b}生产力】\\u{202e}");
        assert_eq!(
            highlighted(text, &[[9, 15]], Style::new(), Layout::Line),
            "\\u{1b}[31m发展\\n\\t【新质\\u{1b}生产力】\\u{202e}"
        );
        let red = Palette::new(true).hit;
        let coloured = highlighted(text, &[[9, 11]], red, Layout::Line);
        let (on, off) = (red.render(), red.render_reset());
        assert_eq!(
            coloured,
            format!("\\u{{1b}}[31m发展\\n\\t{on}新质{off}\\u{{1b}}生产力\\u{{202e}}")
        );
    }
}
