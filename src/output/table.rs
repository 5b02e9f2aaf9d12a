//! Human-readable tables (comfy-table, which pads CJK text by display width).

use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, CellAlignment, Table};

use crate::stats::Overview;

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY);
    t.set_header(header.iter().map(Cell::new));
    t
}

fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// Renders `speechdex stats`.
pub fn overview(out: &mut dyn Write, o: &Overview) -> io::Result<()> {
    writeln!(out, "index:       {}", o.index)?;
    writeln!(out, "speeches:    {}", o.docs)?;
    writeln!(out, "characters:  {}", o.chars)?;
    writeln!(out, "size:        {:.1} MB on disk", o.index_bytes as f64 / 1e6)?;
    if let Some(b) = &o.last_build {
        writeln!(
            out,
            "last build:  {} ({:?}), {} files seen, {} skipped",
            b.built_at, b.mode, b.files_seen, b.skipped
        )?;
        writeln!(out, "corpus:      {}", b.roots.join(", "))?;
    }
    writeln!(out, "full build:  {}", o.generation_created)?;
    if !o.user_dictionaries.is_empty() {
        writeln!(out, "dictionaries: {}", o.user_dictionaries.join(", "))?;
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
            t.add_row(vec![Cell::new(if k.is_empty() { "(unknown)" } else { k }), right(n)]);
        }
        writeln!(out, "\n{t}")?;
    }
    Ok(())
}
