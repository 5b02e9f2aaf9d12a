//! Human-readable output for search results and speeches, with optional ANSI colour.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

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

/// Writes `text` with the character ranges of `highlights` styled; without colour, matches are
/// marked with 【 】 so they stay visible.
pub fn highlighted(text: &str, highlights: &[[usize; 2]], style: Style) -> String {
    let plain = style == Style::new();
    let (open, close) = if plain {
        ("【".to_string(), "】".to_string())
    } else {
        (style.render().to_string(), style.render_reset().to_string())
    };
    let mut out = String::with_capacity(text.len() + highlights.len() * 8);
    let mut bounds: Vec<(usize, bool)> = Vec::new();
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
    for h in &merged {
        bounds.push((h[0], true));
        bounds.push((h[1], false));
    }
    let mut b = 0;
    for (i, c) in text.chars().enumerate() {
        while b < bounds.len() && bounds[b].0 == i {
            out.push_str(if bounds[b].1 { &open } else { &close });
            b += 1;
        }
        out.push(c);
    }
    while b < bounds.len() {
        out.push_str(if bounds[b].1 { &open } else { &close });
        b += 1;
    }
    out
}

fn snippet_line(s: &Snippet, p: &Palette) -> String {
    format!("¶{} {}", s.paragraph, highlighted(&s.text, &s.highlights, p.hit))
}

/// Renders search results as a readable list.
pub fn search_results(out: &mut dyn Write, r: &SearchResults, p: &Palette) -> io::Result<()> {
    let dim = p.dim;
    writeln!(
        out,
        "{} speeches, {} hits for {}  {dim}({:.1} ms){dim:#}",
        r.total_docs, r.total_hits, r.query, r.took_ms
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
        writeln!(out, "{:>3}. {title}{}{title:#}  {}", hit.rank, hit.title, meta.join(" · "))?;
        writeln!(out, "     {dim}{}  hits {}  score {:.2}{dim:#}", hit.id, hit.hits, hit.score)?;
        for s in &hit.snippets {
            writeln!(out, "     {}", snippet_line(s, p))?;
        }
    }
    Ok(())
}

/// Renders one speech with its metadata and the matches of `highlights` (character ranges).
pub fn speech(
    out: &mut dyn Write,
    s: &StoredSpeech,
    highlights: &[[usize; 2]],
    p: &Palette,
) -> io::Result<()> {
    let title = p.title;
    writeln!(out, "{title}{}{title:#}", s.title)?;
    let fields: [(&str, Option<String>); 9] = [
        ("id", Some(s.id.clone())),
        ("date", s.date.clone()),
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
            writeln!(out, "{:<8} {v}", format!("{name}:"))?;
        }
    }
    if !s.tags.is_empty() {
        writeln!(out, "{:<8} {}", "tags:", s.tags.join(", "))?;
    }
    if !s.inferred.is_empty() {
        writeln!(out, "{:<8} {}", "inferred:", s.inferred.join(", "))?;
    }
    if !highlights.is_empty() {
        writeln!(out, "{:<8} {}", "matches:", highlights.len())?;
    }
    writeln!(out)?;
    writeln!(out, "{}", highlighted(s.body.as_deref().unwrap_or(""), highlights, p.hit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_highlights_use_brackets() {
        assert_eq!(highlighted("发展新质生产力", &[[2, 7]], Style::new()), "发展【新质生产力】");
        assert_eq!(highlighted("甲乙丙", &[[0, 2], [1, 3]], Style::new()), "【甲乙丙】");
        assert_eq!(highlighted("甲", &[], Style::new()), "甲");
        assert_eq!(highlighted("哈哈哈哈", &[[0, 2], [2, 4]], Style::new()), "【哈哈】【哈哈】");
    }
}
