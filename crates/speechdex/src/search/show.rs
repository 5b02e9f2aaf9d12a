//! One speech with the matches of a query marked: `speechdex show` and `GET /api/docs/{id}`
//! both call [`show`], so the two answer the same JSON.
//!
//! The speech is found by its id as `search` prints it. An id that names a file of the corpus
//! instead of a speech is answered with the ids of its speeches ([`Error::FileNotSpeech`]).
//! Paragraphs are the non-empty lines of the text, numbered from 1, as `search`, `kwic`, `diff`
//! and `verify` number them.

use serde::Serialize;

use super::Node;
use super::snippet::find_matches;
use crate::index::{SpeechIndex, StoredSpeech};
use crate::{Error, Result};

/// The speech to show.
#[derive(Debug, Clone, Default)]
pub struct ShowRequest {
    /// The speech id, as `search` prints it.
    pub id: String,
    /// The query whose positive phrases are marked (`highlights`).
    pub highlight: Option<Node>,
    /// Only these paragraphs (first, last; from 1, inclusive; `last` may pass the end).
    pub paragraphs: Option<(usize, usize)>,
}

/// A speech with the matches of a query (`show --json`, `/api/docs/{id}`).
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// The speech, its metadata and text (`body`; left out when `paragraphs` stand for it).
    #[serde(flatten)]
    pub speech: StoredSpeech,
    /// Character ranges `[start, end)` of the matches in `body`.
    pub highlights: Vec<[usize; 2]>,
    /// The paragraphs asked for, when some were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraphs: Option<Vec<Paragraph>>,
}

/// One paragraph of a speech.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Its number (non-empty lines from 1).
    pub paragraph: usize,
    /// Its text, as in the speech.
    pub text: String,
}

/// The speech `req.id` with its matches and the paragraphs asked for.
///
/// # Errors
/// [`Error::UnknownId`] or [`Error::FileNotSpeech`] for an id the index does not hold, and
/// [`Error::InvalidArgument`] when the speech has fewer paragraphs than the first asked for.
pub fn show(index: &SpeechIndex, req: &ShowRequest) -> Result<Shown> {
    let searcher = index.searcher();
    let Some(addr) = index.find(&searcher, &req.id)? else {
        return Err(unknown_id(index, &req.id));
    };
    let speech = index.stored(&searcher, addr, true)?;
    let body = speech.body.as_deref().unwrap_or("");
    let paragraphs = req.paragraphs.map(|range| select_paragraphs(body, range)).transpose()?;
    let phrases = req.highlight.as_ref().map(Node::positive_phrases).unwrap_or_default();
    let highlights = find_matches(body, &phrases).into_iter().map(|(s, e)| [s, e]).collect();
    Ok(Shown { speech, highlights, paragraphs })
}

/// The paragraphs `from..=to` of `body`; an error when it has fewer than `from`.
fn select_paragraphs(body: &str, (from, to): (usize, usize)) -> Result<Vec<Paragraph>> {
    let all: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    if from == 0 || from > all.len() || to < from {
        return Err(Error::InvalidArgument(format!(
            "paragraph {from}{}: the speech has {} paragraph{} (numbered from 1)",
            if to > from { format!("-{to}") } else { String::new() },
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(all
        .iter()
        .enumerate()
        .skip(from - 1)
        .take(to.min(all.len()) + 1 - from)
        .map(|(i, text)| Paragraph { paragraph: i + 1, text: (*text).to_string() })
        .collect())
}

/// The error for an id the index does not hold; for a file of the corpus, its speeches' ids.
fn unknown_id(index: &SpeechIndex, id: &str) -> Error {
    match index.ids_in_file(id) {
        Ok(ids) if !ids.is_empty() => Error::FileNotSpeech { file: id.to_string(), ids },
        _ => Error::UnknownId(id.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "第一段。\n\n第二段。\n  \n第三段。";

    #[test]
    fn paragraphs_are_non_empty_lines_from_one() {
        let texts = |from, to| -> Vec<(usize, String)> {
            select_paragraphs(BODY, (from, to))
                .unwrap()
                .into_iter()
                .map(|p| (p.paragraph, p.text))
                .collect()
        };
        assert_eq!(texts(2, 2), vec![(2, "第二段。".to_string())]);
        assert_eq!(texts(2, 99), vec![(2, "第二段。".to_string()), (3, "第三段。".to_string())]);
        assert_eq!(texts(1, 3).len(), 3);
    }

    #[test]
    fn a_paragraph_past_the_end_says_how_many_there_are() {
        let err = select_paragraphs(BODY, (4, 4)).unwrap_err().to_string();
        assert_eq!(err, "paragraph 4: the speech has 3 paragraphs (numbered from 1)");
        assert!(select_paragraphs(BODY, (0, 1)).is_err());
        assert!(select_paragraphs("", (1, 1)).unwrap_err().to_string().contains("0 paragraphs"));
    }
}
