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
    let Some(addr) = index.find(&searcher, &args.id)? else {
        return Err(unknown_id(&index, &args.id));
    };
    let mut speech = index.stored(&searcher, addr, true)?;
    let paragraphs = match args.paragraph {
        Some(range) => Some(select_paragraphs(speech.body.as_deref().unwrap_or(""), range)?),
        None => None,
    };
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
            #[serde(skip_serializing_if = "Option::is_none")]
            paragraphs: Option<Vec<Paragraph>>,
        }
        if paragraphs.is_some() {
            speech.body = None; // the paragraphs asked for stand for it
        }
        let shown = Shown { speech: &speech, highlights: &highlights, paragraphs };
        output::json::pretty(&mut out, &shown)?;
    } else {
        output::text::speech(
            &mut out,
            &speech,
            &highlights,
            args.paragraph,
            &output::text::Palette::new(use_color(global.color)),
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// One paragraph of `show --paragraph --json`.
#[derive(serde::Serialize)]
struct Paragraph {
    /// Its number (non-empty lines from 1).
    paragraph: usize,
    /// Its text, as in the speech.
    text: String,
}

/// The paragraphs `from..=to` of `body`; an error when the speech has fewer than `from`.
fn select_paragraphs(body: &str, (from, to): (usize, usize)) -> Result<Vec<Paragraph>> {
    let all: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    if from > all.len() {
        anyhow::bail!(
            "--paragraph {from}: the speech has {} paragraph{}",
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        );
    }
    Ok(all
        .iter()
        .enumerate()
        .skip(from - 1)
        .take(to.min(all.len()) + 1 - from)
        .map(|(i, text)| Paragraph { paragraph: i + 1, text: text.to_string() })
        .collect())
}

/// The error for an id the index does not hold; for a file of many speeches, their ids.
fn unknown_id(index: &speechdex::index::SpeechIndex, id: &str) -> anyhow::Error {
    let ids = index.ids_in_file(id).unwrap_or_default();
    match ids.as_slice() {
        [] => speechdex::Error::UnknownId(id.to_string()).into(),
        [only] => {
            anyhow::anyhow!("{id:?} is a file; its speech is {only} (`speechdex show {only}`)")
        }
        [first, ..] => {
            let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
            anyhow::anyhow!(
                "{id:?} is a file of {} speeches; show one by its id: {}{} (`speechdex show {first}`)",
                ids.len(),
                shown.join(", "),
                if ids.len() > 5 { ", …" } else { "" }
            )
        }
    }
}
