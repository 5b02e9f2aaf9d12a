//! `speechdex search`: ranked exact search with snippets.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::search::SearchRequest;

use crate::ExitStatus;
use crate::args::{Format, GlobalArgs, SearchArgs};
use crate::config::open_index;
use crate::query::parse_query;
use crate::terminal::use_color;

/// Runs `speechdex search`.
pub fn run(global: &GlobalArgs, args: &SearchArgs) -> Result<ExitStatus> {
    let text = args.query.join(" ");
    let mut node = parse_query(&text, &args.filters)?;
    if let Some(scope) = args.within {
        node = speechdex::search::query::within(node, scope)?;
    }
    let index = open_index(global)?;
    let mut req = SearchRequest::new(node, text);
    req.limit = args.limit;
    req.offset = args.offset;
    req.snippets = args.snippets;
    req.count_only = args.count;
    req.ignore_space = args.ignore_space;
    req.no_boilerplate = args.boilerplate.no_boilerplate;
    req.sort = args.sort;
    let results = speechdex::search::search(&index, &req)?;
    crate::terminal::warn_notes(&results.warnings);
    let mut out = std::io::stdout().lock();
    let format = args.format.format();
    if args.count {
        #[derive(serde::Serialize)]
        struct Counts<'a> {
            query: &'a str,
            total_docs: u64,
            total_hits: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            total_units: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            within: Option<speechdex::search::query::Scope>,
        }
        let counts = Counts {
            query: &results.query,
            total_docs: results.total_docs,
            total_hits: results.total_hits,
            total_units: results.total_units,
            within: results.within,
        };
        match format {
            Format::Json | Format::Jsonl => output::json::lines(&mut out, [counts])?,
            Format::Csv => {
                output::csv::start(&mut out, args.format.bom)?;
                output::csv::write_rows(&mut out, [counts])?
            }
            Format::Human => writeln!(
                out,
                "{}, {}{}",
                output::plural(results.total_docs, "speech", "speeches"),
                output::plural(results.total_hits, "hit", "hits"),
                output::text::units_note(&results)
            )?,
        }
    } else {
        match format {
            Format::Json => output::json::pretty(&mut out, &results)?,
            Format::Jsonl => output::json::lines(&mut out, &results.results)?,
            Format::Csv => {
                output::csv::start(&mut out, args.format.bom)?;
                output::csv::search_results(&mut out, &results, args.snippet_rows)?
            }
            Format::Human => output::text::search_results(
                &mut out,
                &results,
                &output::text::Palette::new(use_color(global.color)),
            )?,
        }
    }
    out.flush()?;
    Ok(if results.total_docs > 0 { ExitStatus::Success } else { ExitStatus::NoHits })
}
