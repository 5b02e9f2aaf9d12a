//! `speechdex diff`: what changed in the wording between two speeches or two sets of speeches.

use std::io::Write;

use anyhow::{Result, bail};
use speechdex::output;
use speechdex::stats::compare::Side;
use speechdex::stats::diff::{DiffOptions, DiffRequest, diff};

use crate::ExitStatus;
use crate::args::{DiffArgs, FilterArgs, Format, GlobalArgs};
use crate::config::open_index;
use crate::query::parse_query;
use crate::terminal::use_color;

/// Phrases per list without `--limit`.
const DEFAULT_PHRASES: usize = 25;

/// Runs `speechdex diff`; exit status 0 whether or not the sides differ.
pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<ExitStatus> {
    let (a, b) = match (&args.a, &args.b, args.ids.as_slice()) {
        (Some(a), Some(b), []) => {
            let none = FilterArgs::default();
            (
                Side::Query { text: a.clone(), node: parse_query(a, &none)? },
                Side::Query { text: b.clone(), node: parse_query(b, &none)? },
            )
        }
        (None, None, [a, b]) => (Side::Speech(a.clone()), Side::Speech(b.clone())),
        _ => bail!(
            "give two speech ids (`diff ID_A ID_B`, old first) or two queries (`diff --a QUERY \
             --b QUERY`), not both; `speechdex search` shows the ids"
        ),
    };
    let index = open_index(global)?;
    let options = DiffOptions {
        sentence_limit: args.limit,
        phrase_limit: args.limit.unwrap_or(DEFAULT_PHRASES),
        min_similarity: args.min_similarity,
    };
    let d = diff(&index, &DiffRequest { a, b, options })?;
    for warning in &d.warnings {
        crate::terminal::eprintln_msg(&format!("warning: {warning}"));
    }
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &d)?,
        Format::Jsonl => output::json::lines(&mut out, output::diff::diff_rows(&d))?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, output::diff::diff_rows(&d))?
        }
        Format::Human => output::diff::diff_text(
            &mut out,
            &d,
            &output::diff::DiffPalette::new(use_color(global.color)),
        )?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
