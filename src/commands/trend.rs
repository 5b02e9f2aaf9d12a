//! `speechdex trend`: term counts per group, as a table with bars, JSON, CSV or a chart.

use std::io::Write;

use anyhow::{Context, Result};
use speechdex::output;
use speechdex::search::matcher::MatchOptions;
use speechdex::stats::trend::{TrendRequest, trend_with};

use crate::ExitStatus;
use crate::args::{Format, GlobalArgs, TrendArgs};
use crate::config::open_index;
use crate::query::selection;
use crate::terminal::eprintln_msg;

/// The speeches a statistics command works on: `--where QUERY` and the filter flags; `None`
/// Runs `speechdex trend`.
pub fn run(global: &GlobalArgs, args: &TrendArgs) -> Result<ExitStatus> {
    let filter = selection(&args.selection)?;
    if let Some(plot) = &args.plot {
        speechdex::output::chart::ChartFormat::from_path(plot)?;
    }
    let index = open_index(global)?;
    let req = TrendRequest {
        terms: args.terms.clone(),
        by: args.by,
        metric: args.metric,
        filter,
        limit: (args.limit > 0).then_some(args.limit),
        within: args.within,
    };
    let t = trend_with(
        &index,
        &req,
        MatchOptions::for_index(&index, args.ignore_space, args.boilerplate.no_boilerplate)?,
    )?;
    if let Some(w) = args.selection.where_.as_deref() {
        crate::terminal::warn_notes(&speechdex::search::lint::lint(w));
    }
    crate::terminal::warn_notes(&t.warnings);
    if t.truncated && matches!(args.format.format(), Format::Jsonl | Format::Csv) {
        eprintln_msg(&format!(
            "note: {} of {} {} listed (those with the most occurrences); --limit N to change",
            t.groups.len(),
            t.total_groups,
            t.by.plural()
        ));
    }
    if let Some(plot) = &args.plot {
        output::chart::plot_trend(&t, plot, &crate::fonts::chart_fonts())
            .with_context(|| format!("drawing the chart {}", plot.display()))?;
        eprintln_msg(&format!("chart written to {}", plot.display()));
    }
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &t)?,
        Format::Jsonl => output::json::lines(&mut out, output::terms::trend_rows(&t))?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, output::terms::trend_rows(&t))?
        }
        Format::Human => output::terms::trend_table(&mut out, &t, crate::terminal::width())?,
    }
    out.flush()?;
    // As `search` and `kwic`: 1 when no term occurs in the speeches selected.
    let found = t.totals.0.iter().any(|(_, cell)| cell.count > 0);
    Ok(if found { ExitStatus::Success } else { ExitStatus::NoHits })
}
