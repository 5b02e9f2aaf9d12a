//! `speechdex show`: one speech, with the matches of a query marked (the library's
//! [`speechdex::search::show`], as the server's `/api/docs/{id}`).

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::search::show::{ShowRequest, show};

use crate::ExitStatus;
use crate::args::{FilterArgs, GlobalArgs, ShowArgs};
use crate::config::open_index;
use crate::query::parse_query;
use crate::terminal::use_color;

/// Runs `speechdex show`.
pub fn run(global: &GlobalArgs, args: &ShowArgs) -> Result<ExitStatus> {
    let highlight = match &args.highlight {
        Some(q) => Some(parse_query(q, &FilterArgs::default())?),
        None => None,
    };
    let index = open_index(global)?;
    let req = ShowRequest { id: args.id.clone(), highlight, paragraphs: args.paragraph };
    let mut shown = show(&index, &req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        if shown.paragraphs.is_some() {
            shown.speech.body = None; // the paragraphs asked for stand for it
        }
        output::json::pretty(&mut out, &shown)?;
    } else {
        output::text::speech(
            &mut out,
            &shown.speech,
            &shown.highlights,
            args.paragraph,
            &output::text::Palette::new(use_color(global.color)),
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
