//! `speechdex show`: one speech, with the matches of a query marked.

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::search::snippet::find_matches;

use crate::ExitStatus;
use crate::args::{FilterArgs, GlobalArgs, ShowArgs};
use crate::commands::search::{parse_query, use_color};
use crate::config::open_index;

/// Runs `speechdex show`.
pub fn run(global: &GlobalArgs, args: &ShowArgs) -> Result<ExitStatus> {
    let phrases_query = match &args.highlight {
        Some(q) => Some(parse_query(q, &FilterArgs::default())?),
        None => None,
    };
    let index = open_index(global)?;
    let searcher = index.searcher();
    let addr = index
        .find(&searcher, &args.id)?
        .ok_or_else(|| speechdex::Error::UnknownId(args.id.clone()))?;
    let speech = index.stored(&searcher, addr, true)?;
    let phrases = phrases_query.as_ref().map(|q| q.positive_phrases()).unwrap_or_default();
    let highlights: Vec<[usize; 2]> = find_matches(speech.body.as_deref().unwrap_or(""), &phrases)
        .into_iter()
        .map(|(s, e)| [s, e])
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            speech: &'a speechdex::index::StoredSpeech,
            highlights: &'a [[usize; 2]],
        }
        output::json::pretty(&mut out, &Shown { speech: &speech, highlights: &highlights })?;
    } else {
        output::text::speech(
            &mut out,
            &speech,
            &highlights,
            &output::text::Palette::new(use_color(global.color)),
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
