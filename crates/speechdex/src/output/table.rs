//! Human-readable tables (comfy-table, which pads CJK text by display width). Text from the
//! index (paths, kinds, regions, field names) is escaped ([`super::escape`]).

use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, CellAlignment, Table};

use super::escape::escape;
use super::plural;
use crate::stats::{FieldAudit, Missing, Overview, SpaceUsage};

/// A table with the house style (borders only) and `header`.
pub(super) fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY);
    t.set_header(header.iter().map(Cell::new));
    t
}

/// A right-aligned cell (numbers).
pub(super) fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// A cell of text from the index, escaped.
fn text(s: &str) -> Cell {
    Cell::new(escape(s))
}

/// Renders `speechdex stats`.
pub fn overview(out: &mut dyn Write, o: &Overview) -> io::Result<()> {
    writeln!(out, "index:       {}", escape(&o.index))?;
    writeln!(out, "speeches:    {}", o.docs)?;
    writeln!(out, "characters:  {}", o.chars)?;
    writeln!(out, "size:        {:.1} MB on disk", o.index_bytes as f64 / 1e6)?;
    if let Some(b) = &o.last_build {
        writeln!(
            out,
            "last build:  {} ({}), {} seen, {} skipped",
            escape(&b.built_at),
            match b.mode {
                crate::index::BuildMode::Full => "full build",
                crate::index::BuildMode::Incremental => "incremental update",
            },
            plural(b.files_seen as u64, "file", "files"),
            b.skipped
        )?;
        writeln!(out, "corpus:      {}", escape(&b.roots.join(", ")))?;
    }
    writeln!(out, "full build:  {}", escape(&o.generation_created))?;
    if !o.user_dictionaries.is_empty() {
        writeln!(out, "dictionaries: {}", escape(&o.user_dictionaries.join(", ")))?;
    }
    writeln!(out)?;
    let mut t = new_table(&["year", "speeches"]);
    for (year, n) in &o.years {
        t.add_row(vec![Cell::new(year), right(n)]);
    }
    if o.unknown_year > 0 {
        t.add_row(vec![Cell::new("unknown"), right(o.unknown_year)]);
    }
    writeln!(out, "{t}")?;
    for (title, map) in [("kind", &o.kinds), ("region", &o.regions)] {
        let mut t = new_table(&[title, "speeches"]);
        let mut rows: Vec<_> = map.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, n) in rows {
            t.add_row(vec![text(if k.is_empty() { "(unknown)" } else { k }), right(n)]);
        }
        writeln!(out, "\n{t}")?;
    }
    if !o.fields.is_empty() {
        writeln!(out, "\n{}", audit_table(&o.fields))?;
    }
    if let Some(space) = &o.space {
        writeln!(out, "\n{}", space_table(space))?;
    }
    Ok(())
}

/// The field audit of `speechdex stats`: speeches with each field stated, inferred, missing.
fn audit_table(fields: &[FieldAudit]) -> Table {
    let mut t = new_table(&["field", "stated", "inferred", "missing"]);
    for f in fields {
        t.add_row(vec![text(&f.field), right(f.stated), right(f.inferred), right(f.missing)]);
    }
    t
}

/// Renders `speechdex stats --missing FIELD`: one speech a line, id then title, and a count.
pub fn missing(out: &mut dyn Write, m: &Missing) -> io::Result<()> {
    for s in &m.speeches {
        writeln!(out, "{}\t{}", escape(&s.id), escape(&s.title))?;
    }
    let n = m.speeches.len() as u64;
    writeln!(out, "{} without {}", plural(n, "speech", "speeches"), escape(&m.field))
}

fn megabytes(bytes: u64) -> Cell {
    right(format!("{:.2}", bytes as f64 / 1e6))
}

/// The `--space` table of `speechdex stats`: MB per field and structure, largest first.
fn space_table(s: &SpaceUsage) -> Table {
    let mut t = new_table(&[
        "space (MB)",
        "term dictionary",
        "postings",
        "positions",
        "columns",
        "total",
        "share",
    ]);
    let share = |bytes: u64| {
        right(format!(
            "{:.1} %",
            if s.total == 0 { 0.0 } else { 100.0 * bytes as f64 / s.total as f64 }
        ))
    };
    let mut sums = [0u64; 4];
    // Fields under 0.1 % of the index share one row (`--json` lists every field).
    let mut small = crate::stats::FieldSpace::default();
    let mut small_fields = 0;
    let mut rows = Vec::new();
    for f in &s.fields {
        for (sum, v) in sums.iter_mut().zip([f.terms, f.postings, f.positions, f.columns]) {
            *sum += v;
        }
        if f.total * 1000 < s.total {
            small_fields += 1;
            small.terms += f.terms;
            small.postings += f.postings;
            small.positions += f.positions;
            small.columns += f.columns;
            small.total += f.total;
        } else {
            rows.push(f.clone());
        }
    }
    if small_fields > 0 {
        small.field = format!("{small_fields} other fields");
        rows.push(small);
    }
    for f in &rows {
        t.add_row(vec![
            text(&f.field),
            megabytes(f.terms),
            megabytes(f.postings),
            megabytes(f.positions),
            megabytes(f.columns),
            megabytes(f.total),
            share(f.total),
        ]);
    }
    let empty = || Cell::new("");
    t.add_row(vec![
        Cell::new("stored documents"),
        empty(),
        empty(),
        empty(),
        empty(),
        megabytes(s.store),
        share(s.store),
    ]);
    if s.deletes > 0 {
        t.add_row(vec![
            Cell::new("deleted-document lists"),
            empty(),
            empty(),
            empty(),
            empty(),
            megabytes(s.deletes),
            share(s.deletes),
        ]);
    }
    t.add_row(vec![
        Cell::new("other files"),
        empty(),
        empty(),
        empty(),
        empty(),
        megabytes(s.other),
        share(s.other),
    ]);
    t.add_row(vec![
        Cell::new(format!(
            "total ({} segment{})",
            s.segments,
            if s.segments == 1 { "" } else { "s" }
        )),
        megabytes(sums[0]),
        megabytes(sums[1]),
        megabytes(sums[2]),
        megabytes(sums[3]),
        megabytes(s.total),
        share(s.total),
    ]);
    t
}
