//! `speechdex kwic`: keyword in context.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::search::matcher::MatchOptions;
use speechdex::stats::kwic::{KwicRequest, kwic_with};

use crate::ExitStatus;
use crate::args::{Format, GlobalArgs, KwicArgs};
use crate::config::open_index;
use crate::query::selection;
use crate::terminal::use_color;

/// Runs `speechdex kwic`.
pub fn run(global: &GlobalArgs, args: &KwicArgs) -> Result<ExitStatus> {
    let filter = selection(&args.selection)?;
    if let Some(w) = args.selection.where_.as_deref() {
        crate::terminal::warn_notes(&speechdex::search::lint::lint(w));
    }
    let index = open_index(global)?;
    let req = KwicRequest {
        term: args.term.clone(),
        width: args.width,
        sort: args.sort,
        limit: args.limit,
        filter,
        within: args.within,
        also: args.also.clone(),
        sentence: args.sentence,
    };
    let c = kwic_with(
        &index,
        &req,
        MatchOptions::for_index(&index, args.ignore_space, args.boilerplate.no_boilerplate)?,
    )?;
    let mut out = std::io::stdout().lock();
    match args.format.format() {
        Format::Json => output::json::pretty(&mut out, &c)?,
        Format::Jsonl => output::json::lines(&mut out, &c.lines)?,
        Format::Csv => {
            output::csv::start(&mut out, args.format.bom)?;
            output::csv::write_rows(&mut out, &c.lines)?
        }
        Format::Human => output::terms::kwic_text(
            &mut out,
            &c,
            &output::text::Palette::new(use_color(global.color)),
            crate::terminal::width(),
        )?,
    }
    out.flush()?;
    Ok(if c.total > 0 { ExitStatus::Success } else { ExitStatus::NoHits })
}
