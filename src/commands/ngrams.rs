//! `speechdex ngrams`: the most frequent or most distinctive phrases of a set of speeches.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::stats::ngrams::{Against, NgramRequest, ngrams};

use crate::ExitStatus;
use crate::args::{FilterArgs, Format, GlobalArgs, NgramsArgs};
use crate::config::open_index;
use crate::query::{parse_query, selection};

/// Runs `speechdex ngrams`.
pub fn run(global: &GlobalArgs, args: &NgramsArgs) -> Result<ExitStatus> {
    let filter = selection(&args.selection)?;
    let against = match &args.against {
        Some(text) => {
            Some(Against { text: text.clone(), node: parse_query(text, &FilterArgs::default())? })
        }
        None => None,
    };
    let index = open_index(global)?;
    let req = NgramRequest {
        filter,
        against,
        min_len: args.min_len,
        max_len: args.max_len,
        min_count: args.min_count,
        limit: args.limit,
    };
    let n = ngrams(&index, &req)?;
    for warning in &n.warnings {
        crate::terminal::eprintln_msg(&format!("warning: {warning}"));
    }
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &n)?,
        Format::Jsonl => output::json::lines(&mut out, &n.ngrams)?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, &n.ngrams)?
        }
        Format::Human => output::phrases::ngrams_table(&mut out, &n)?,
    }
    out.flush()?;
    Ok(if n.ngrams.is_empty() { ExitStatus::NoHits } else { ExitStatus::Success })
}
