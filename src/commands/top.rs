//! `speechdex top`: the most frequent words of a set of speeches.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::stats::words::top_words;

use crate::ExitStatus;
use crate::args::{Format, GlobalArgs, TopArgs};
use crate::config::open_index;
use crate::query::selection;

/// Runs `speechdex top`.
pub fn run(global: &GlobalArgs, args: &TopArgs) -> Result<ExitStatus> {
    let filter = selection(&args.selection)?;
    let index = open_index(global)?;
    let top = top_words(&index, filter.as_ref(), args.limit)?;
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &top)?,
        Format::Jsonl => output::json::lines(&mut out, &top.words)?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, &top.words)?
        }
        Format::Human => output::terms::top_table(&mut out, &top)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
