//! Human output and CSV / JSON Lines rows for `speechdex diff`.
//!
//! The human output reads like a reviewer's marked-up copy: every change in document order,
//! under its section heading, with its paragraph (`A¶12`, `B¶14`), deleted text as `[-…-]` and
//! inserted text as `{+…+}` (also coloured, red and green, when colour is on), then the new and
//! dropped formulations as tables. Control and bidirectional-override characters of the texts
//! are shown escaped (`\u{1b}`, [`super::escape`]), so that a speech cannot drive the terminal.
//!
//! CSV and JSON Lines share one row per listed entry: `list` (`changed`, `removed`, `added`,
//! `new_phrase`, `dropped_phrase`), `order`, `id_old`, `paragraph_old`, `section_old`, `old`,
//! `id_new`, `paragraph_new`, `section_new`, `new`, `similarity`, `marked` (the pair with
//! `[-…-]{+…+}` marks), `phrase`, `count_a`, `count_b`, `g2`; cells that do not apply are empty.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, CellAlignment, Table};
use serde::Serialize;

use super::escape::escape;
use super::plural;
use crate::stats::diff::{ChangedSentence, Formulation, Mark, MarkOp, SentenceChange, SpeechDiff};

/// Styles of the diff output; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffPalette {
    /// Deleted text.
    pub del: Style,
    /// Inserted text.
    pub ins: Style,
    /// Section headings.
    pub section: Style,
    /// Paragraph numbers and other secondary information.
    pub dim: Style,
}

impl DiffPalette {
    /// The palette for colour on or off.
    pub fn new(color: bool) -> DiffPalette {
        if !color {
            return DiffPalette::default();
        }
        DiffPalette {
            del: Style::new().fg_color(Some(AnsiColor::Red.into())).strikethrough(),
            ins: Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            section: Style::new().bold(),
            dim: Style::new().dimmed(),
        }
    }
}

/// The marks of a changed pair as one line: `[-deleted-]{+inserted+}`, styled with `p`.
pub fn marked(marks: &[Mark], p: &DiffPalette) -> String {
    let mut out = String::new();
    for m in marks {
        let text = escape(&m.text);
        match m.op {
            MarkOp::Equal => out.push_str(&text),
            MarkOp::Delete => out.push_str(&format!("{}[-{text}-]{:#}", p.del, p.del)),
            MarkOp::Insert => out.push_str(&format!("{}{{+{text}+}}{:#}", p.ins, p.ins)),
        }
    }
    out
}

/// One listed change, for printing in document order.
enum Entry<'a> {
    Removed(&'a SentenceChange),
    Added(&'a SentenceChange),
    Changed(&'a ChangedSentence),
}

impl Entry<'_> {
    fn order(&self) -> u64 {
        match self {
            Entry::Removed(s) | Entry::Added(s) => s.order,
            Entry::Changed(c) => c.order,
        }
    }
}

fn side_line(
    out: &mut dyn Write,
    name: &str,
    side: &crate::stats::diff::DiffSide,
) -> io::Result<()> {
    let title = side.title.as_deref().map(|t| format!("  {}", escape(t))).unwrap_or_default();
    let wrapped = if side.hard_wrapped > 0 {
        format!(", {} hard-wrapped", side.hard_wrapped)
    } else {
        String::new()
    };
    let speeches = plural(side.docs, "speech", "speeches");
    writeln!(
        out,
        "{name}: {}{title}  ({speeches}, {} sentences, {} characters{wrapped})",
        escape(&side.label),
        side.sentences,
        side.chars
    )
}

/// Renders `speechdex diff` for people.
pub fn diff_text(out: &mut dyn Write, d: &SpeechDiff, p: &DiffPalette) -> io::Result<()> {
    side_line(out, "A", &d.a)?;
    side_line(out, "B", &d.b)?;
    let t = &d.totals;
    writeln!(
        out,
        "{} sentences unchanged ({} moved), {} changed, {} removed, {} added  {dim}(changed: \
         similarity ≥ {:.2}; [-deleted-] {{+inserted+}}){dim:#}",
        d.unchanged,
        d.moved,
        t.changed,
        t.removed,
        t.added,
        d.min_similarity,
        dim = p.dim
    )?;
    changes(out, d, p)?;
    let shown = |n: usize, total: u64| {
        if n as u64 == total { String::new() } else { format!(", showing {n} of {total}") }
    };
    for (title, list, total) in [
        ("New formulations (in B, not in A)", &d.new_phrases, t.new_phrases),
        ("Dropped formulations (in A, not in B)", &d.dropped_phrases, t.dropped_phrases),
    ] {
        writeln!(out, "\n{}{title}{}{:#}", p.section, shown(list.len(), total), p.section)?;
        if !list.is_empty() {
            writeln!(out, "{}", phrase_table(list))?;
        }
    }
    Ok(())
}

/// The sentence changes, in document order, under their section headings.
fn changes(out: &mut dyn Write, d: &SpeechDiff, p: &DiffPalette) -> io::Result<()> {
    let mut entries: Vec<Entry<'_>> = d
        .removed
        .iter()
        .map(Entry::Removed)
        .chain(d.added.iter().map(Entry::Added))
        .chain(d.changed.iter().map(Entry::Changed))
        .collect();
    entries.sort_by_key(Entry::order);
    let shown = entries.len() as u64;
    let total = d.totals.added + d.totals.removed + d.totals.changed;
    let sets = d.a.docs > 1 || d.b.docs > 1;
    // The section each side is in: a heading line whenever one of them changes.
    let (mut in_a, mut in_b): (Option<&str>, Option<&str>) = (None, None);
    let dim = p.dim;
    for e in &entries {
        let (sa, sb) = match e {
            Entry::Removed(s) => (s.section.as_deref(), in_b),
            Entry::Added(s) => (in_a, s.section.as_deref()),
            Entry::Changed(c) => (c.section_old.as_deref(), c.section_new.as_deref()),
        };
        if (sa, sb) != (in_a, in_b) {
            let heading = match (sa, sb) {
                (Some(x), Some(y)) if x != y => format!("{} → {}", escape(x), escape(y)),
                (Some(x), _) | (None, Some(x)) => escape(x).into_owned(),
                (None, None) => "(before the first heading)".to_string(),
            };
            writeln!(out, "\n{}§ {heading}{:#}", p.section, p.section)?;
            (in_a, in_b) = (sa, sb);
        }
        let id = |id: &str| if sets { format!(" [{}]", escape(id)) } else { String::new() };
        match e {
            Entry::Changed(c) => {
                let place = format!(
                    "A¶{}{} B¶{}{}",
                    c.paragraph_old,
                    id(&c.id_old),
                    c.paragraph_new,
                    id(&c.id_new)
                );
                writeln!(out, "~ {dim}{place}  {:.2}{dim:#}", c.similarity)?;
                writeln!(out, "  {}", marked(&c.marks, p))?;
            }
            Entry::Removed(s) => {
                writeln!(out, "- {dim}A¶{}{}{dim:#}", s.paragraph, id(&s.id))?;
                writeln!(out, "  {}[-{}-]{:#}", p.del, escape(&s.text), p.del)?;
            }
            Entry::Added(s) => {
                writeln!(out, "+ {dim}B¶{}{}{dim:#}", s.paragraph, id(&s.id))?;
                writeln!(out, "  {}{{+{}+}}{:#}", p.ins, escape(&s.text), p.ins)?;
            }
        }
    }
    if shown < total {
        writeln!(
            out,
            "\n{dim}({shown} of {total} changes shown; --limit sets how many per list){dim:#}"
        )?;
    }
    Ok(())
}

fn phrase_table(list: &[Formulation]) -> Table {
    // TODO(merge): the same table style as `output::terms::new_table`.
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY);
    // Quoted phrases come first (see `stats::diff::phrases`): the column says which they are.
    t.set_header(["phrase", "A", "B", "G²", "quoted"].map(Cell::new));
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for f in list {
        t.add_row(vec![
            Cell::new(escape(&f.phrase).into_owned()),
            right(f.count_a.to_string()),
            right(f.count_b.to_string()),
            right(format!("{:.2}", f.g2)),
            Cell::new(if f.quoted { "“…”" } else { "" }),
        ]);
    }
    t
}

/// One CSV / JSON Lines row of `diff`.
#[derive(Debug, Default, Serialize)]
pub struct DiffRow<'a> {
    /// `changed`, `removed`, `added`, `new_phrase` or `dropped_phrase`.
    pub list: &'static str,
    /// Position of a sentence change in document order.
    pub order: Option<u64>,
    /// Speech of the old sentence.
    pub id_old: Option<&'a str>,
    /// Paragraph of the old sentence.
    pub paragraph_old: Option<usize>,
    /// Section of the old sentence.
    pub section_old: Option<&'a str>,
    /// The old sentence.
    pub old: Option<&'a str>,
    /// Speech of the new sentence.
    pub id_new: Option<&'a str>,
    /// Paragraph of the new sentence.
    pub paragraph_new: Option<usize>,
    /// Section of the new sentence.
    pub section_new: Option<&'a str>,
    /// The new sentence.
    pub new: Option<&'a str>,
    /// Similarity of a changed pair.
    pub similarity: Option<f64>,
    /// A changed pair with `[-…-]{+…+}` marks.
    pub marked: Option<String>,
    /// A new or dropped phrase.
    pub phrase: Option<&'a str>,
    /// Its occurrences in A.
    pub count_a: Option<u64>,
    /// Its occurrences in B.
    pub count_b: Option<u64>,
    /// Its G².
    pub g2: Option<f64>,
}

/// The rows of `diff`: sentence changes in document order, then new and dropped phrases.
pub fn diff_rows(d: &SpeechDiff) -> Vec<DiffRow<'_>> {
    let mut rows: Vec<DiffRow<'_>> = Vec::new();
    for c in &d.changed {
        rows.push(DiffRow {
            list: "changed",
            order: Some(c.order),
            id_old: Some(&c.id_old),
            paragraph_old: Some(c.paragraph_old),
            section_old: c.section_old.as_deref(),
            old: Some(&c.old),
            id_new: Some(&c.id_new),
            paragraph_new: Some(c.paragraph_new),
            section_new: c.section_new.as_deref(),
            new: Some(&c.new),
            similarity: Some(c.similarity),
            marked: Some(marked(&c.marks, &DiffPalette::default())),
            ..DiffRow::default()
        });
    }
    for s in &d.removed {
        rows.push(DiffRow {
            list: "removed",
            order: Some(s.order),
            id_old: Some(&s.id),
            paragraph_old: Some(s.paragraph),
            section_old: s.section.as_deref(),
            old: Some(&s.text),
            ..DiffRow::default()
        });
    }
    for s in &d.added {
        rows.push(DiffRow {
            list: "added",
            order: Some(s.order),
            id_new: Some(&s.id),
            paragraph_new: Some(s.paragraph),
            section_new: s.section.as_deref(),
            new: Some(&s.text),
            ..DiffRow::default()
        });
    }
    rows.sort_by_key(|r| r.order);
    for (list, phrases) in [("new_phrase", &d.new_phrases), ("dropped_phrase", &d.dropped_phrases)]
    {
        for f in phrases {
            rows.push(DiffRow {
                list,
                phrase: Some(&f.phrase),
                count_a: Some(f.count_a),
                count_b: Some(f.count_b),
                g2: Some(f.g2),
                ..DiffRow::default()
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        let marks = [Mark { op: MarkOp::Insert, text: "红\u{1b}[31m字\u{202e}反".into() }];
        assert_eq!(marked(&marks, &DiffPalette::default()), "{+红\\u{1b}[31m字\\u{202e}反+}");
    }

    #[test]
    fn marks_read_like_a_marked_up_copy() {
        let marks = crate::stats::diff::align::marks(
            "积极的财政政策要适度加力。",
            "实施更加积极的财政政策。",
        );
        assert_eq!(
            marked(&marks, &DiffPalette::default()),
            "{+实施更加+}积极的财政政策[-要适度加力-]。"
        );
        let coloured = marked(&marks, &DiffPalette::new(true));
        assert!(coloured.contains("\u{1b}[") && coloured.contains("{+实施更加+}"), "{coloured}");
    }
}
