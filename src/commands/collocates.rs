//! `speechdex collocates`: the words near a term, by log-likelihood.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::stats::collocates::{CollocatesRequest, collocates};

use crate::ExitStatus;
use crate::args::{CollocatesArgs, Format, GlobalArgs};
use crate::config::open_index;
use crate::query::selection;

/// Runs `speechdex collocates`.
pub fn run(global: &GlobalArgs, args: &CollocatesArgs) -> Result<ExitStatus> {
    let filter = selection(&args.selection)?;
    let index = open_index(global)?;
    let req = CollocatesRequest {
        term: args.term.clone(),
        window: args.window,
        min_count: args.min_count,
        limit: args.limit,
        filter,
    };
    let c = collocates(&index, &req)?;
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &c)?,
        Format::Jsonl => output::json::lines(&mut out, &c.collocates)?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, &c.collocates)?
        }
        Format::Human => output::phrases::collocates_table(&mut out, &c)?,
    }
    out.flush()?;
    Ok(if c.collocates.is_empty() { ExitStatus::NoHits } else { ExitStatus::Success })
}
