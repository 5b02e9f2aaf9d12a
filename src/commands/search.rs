//! `speechdex search`: ranked exact search with snippets.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use speechdex::output;
use speechdex::output::escape::escape;
use speechdex::search::{Filters, SearchRequest, query};

use crate::ExitStatus;
use crate::args::{ColorChoice, FilterArgs, Format, GlobalArgs, SearchArgs};
use crate::config::open_index;

/// Parses the query and applies the filter flags; query errors show where the problem is.
pub fn parse_query(text: &str, filters: &FilterArgs) -> Result<query::Node> {
    let filters = Filters {
        year: filters.year,
        from: filters.from,
        to: filters.to,
        region: filters.region.clone(),
        speaker: filters.speaker.clone(),
        kind: filters.kind.clone(),
    };
    filters.validate()?;
    match query::parse(text) {
        Ok(node) => Ok(query::with_filters(node, &filters)),
        Err(err @ speechdex::Error::Query { position, .. }) => {
            // The query around the problem (a long query is cut), and a caret under it.
            const AROUND: usize = 40;
            let chars: Vec<char> = text.chars().collect();
            let start = position.saturating_sub(AROUND).min(chars.len());
            let end = position.saturating_add(AROUND).min(chars.len());
            let ellipsis = |cut: bool| if cut { "…" } else { "" };
            // Escaped before measuring, so that the caret stands under what is printed.
            let before: String = chars[start..position.clamp(start, end)].iter().collect();
            let shown: String = chars[start..end].iter().collect();
            let (before, shown) = (escape(&before), escape(&shown));
            let before = format!("{}{before}", ellipsis(start > 0));
            let col = unicode_width::UnicodeWidthStr::width(before.as_str());
            Err(anyhow::anyhow!(
                "{err}\n  {}{shown}{}\n  {}^",
                ellipsis(start > 0),
                ellipsis(end < chars.len()),
                " ".repeat(col)
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Whether to colour stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// Runs `speechdex search`.
pub fn run(global: &GlobalArgs, args: &SearchArgs) -> Result<ExitStatus> {
    let text = args.query.join(" ");
    let node = parse_query(&text, &args.filters)?;
    let index = open_index(global)?;
    let mut req = SearchRequest::new(node, text);
    req.limit = args.limit;
    req.offset = args.offset;
    req.snippets = args.snippets;
    req.count_only = args.count;
    req.ignore_space = args.ignore_space;
    req.sort = args.sort;
    let results = speechdex::search::search(&index, &req)?;
    crate::config::warn_notes(&results.warnings);
    let mut out = std::io::stdout().lock();
    let format = args.format.format();
    if args.count {
        #[derive(serde::Serialize)]
        struct Counts<'a> {
            query: &'a str,
            total_docs: u64,
            total_hits: u64,
        }
        let counts = Counts {
            query: &results.query,
            total_docs: results.total_docs,
            total_hits: results.total_hits,
        };
        match format {
            Format::Json | Format::Jsonl => output::json::lines(&mut out, [counts])?,
            Format::Csv => {
                output::csv::start(&mut out, args.format.bom)?;
                output::csv::write_rows(&mut out, [counts])?
            }
            Format::Human => writeln!(
                out,
                "{}, {}",
                output::plural(results.total_docs, "speech", "speeches"),
                output::plural(results.total_hits, "hit", "hits")
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
