//! `speechdex compare`: keyness between two speeches or two sets of speeches.

use std::io::Write;

use anyhow::{Result, bail};
use speechdex::output;
use speechdex::stats::compare::{CompareRequest, Side, compare};

use crate::ExitStatus;
use crate::args::{CompareArgs, FilterArgs, Format, GlobalArgs};
use crate::config::open_index;
use crate::query::parse_query;

/// Runs `speechdex compare`.
pub fn run(global: &GlobalArgs, args: &CompareArgs) -> Result<ExitStatus> {
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
            "give two speech ids (`compare ID_A ID_B`) or two queries (`compare --a QUERY --b QUERY`)"
        ),
    };
    let index = open_index(global)?;
    let req = CompareRequest {
        a,
        b,
        terms: args.terms.iter().map(|t| t.trim().to_string()).collect(),
        limit: args.limit,
    };
    let c = compare(&index, &req)?;
    for warning in &c.warnings {
        crate::terminal::eprintln_msg(&format!("warning: {warning}"));
    }
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &c)?,
        Format::Jsonl => output::json::lines(&mut out, output::terms::compare_rows(&c))?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, output::terms::compare_rows(&c))?
        }
        Format::Human => output::terms::compare_table(&mut out, &c)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
