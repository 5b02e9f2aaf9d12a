//! Keyword in context: every occurrence of a term with the text around it.
//!
//! Occurrences and their character offsets come from the exact field (the same non-overlapping
//! occurrences search counts), so `total` equals the term's count in `trend`. Counts per speech
//! come first (without positions, from the index's phrase cache when it has one); positions are
//! read only for the speeches whose lines are shown: in date order, the first ones up to the
//! line limit ([`find_phrase_at`]).
//! Texts come from the stored body: folding keeps character counts, so positions in the exact
//! field index the original text, and `match` is the text as it stands in the speech (for
//! instance 新質生產力 for the term 新质生产力).
//!
//! [`concordance_with`] and [`MatchOptions::ignore_space`] match the term ignoring whitespace
//! ([`crate::search::spaceless`]): `match` then runs from the occurrence's first to its last
//! character, line breaks inside included.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::DocAddress;

use super::select::{DocColumns, selected};
use crate::Result;
use crate::analysis::fold;
use crate::index::SpeechIndex;
use crate::search::Node;
use crate::search::cache::PhraseCounts;
use crate::search::exact::find_phrase_at;
use crate::search::matcher::MatchOptions;
use crate::search::spaceless::{Equivalence, find_spaceless};

/// Order of concordance lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KwicSort {
    /// Oldest speech first, then by offset (speeches without a date last).
    #[default]
    Date,
    /// By the left context read backwards from the term (groups what precedes it).
    Left,
    /// By the right context (groups what follows it).
    Right,
}

/// A concordance to compute.
#[derive(Debug, Clone)]
pub struct KwicRequest {
    /// The term (as typed).
    pub term: String,
    /// Characters of context on each side.
    pub width: usize,
    /// Order of lines.
    pub sort: KwicSort,
    /// At most this many lines (`None`: all).
    pub limit: Option<usize>,
    /// Only speeches matching this query.
    pub filter: Option<Node>,
}

impl KwicRequest {
    /// A request with 30 characters of context, by date, without limit.
    pub fn new(term: impl Into<String>) -> Self {
        KwicRequest {
            term: term.into(),
            width: 30,
            sort: KwicSort::Date,
            limit: None,
            filter: None,
        }
    }
}

/// The answer of `speechdex kwic`; its JSON form is the contract of `kwic --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Concordance {
    /// The term as given.
    pub term: String,
    /// All occurrences in the selected speeches (also when `--limit` cuts `lines`).
    pub total: u64,
    /// Speeches containing the term.
    pub docs: u64,
    /// The lines.
    pub lines: Vec<KwicLine>,
}

/// One occurrence in context.
#[derive(Debug, Clone, Serialize)]
pub struct KwicLine {
    /// Speech id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year, when known.
    pub year: Option<i32>,
    /// Date, when known.
    pub date: Option<String>,
    /// 1-based paragraph (non-empty line) of the occurrence.
    pub paragraph: usize,
    /// Character offset of the occurrence in the speech.
    pub offset: usize,
    /// Up to `width` characters before it (line breaks as spaces).
    pub left: String,
    /// The occurrence as it stands in the speech.
    #[serde(rename = "match")]
    pub matched: String,
    /// Up to `width` characters after it (line breaks as spaces).
    pub right: String,
}

struct DocHit {
    addr: DocAddress,
    date_key: Option<i64>,
    id: String,
    count: u32,
}

fn flat(chars: &[char]) -> String {
    chars.iter().map(|&c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }).collect()
}

/// Computes a concordance.
pub fn concordance(index: &SpeechIndex, req: &KwicRequest) -> Result<Concordance> {
    concordance_with(index, req, MatchOptions::default())
}

/// [`concordance`] with options: with [`MatchOptions::ignore_space`], the term matches ignoring
/// whitespace.
pub fn concordance_with(
    index: &SpeechIndex,
    req: &KwicRequest,
    options: MatchOptions,
) -> Result<Concordance> {
    let searcher = index.searcher();
    let len = fold(&req.term).chars().count();
    let mut hits: Vec<DocHit> = Vec::new();
    let mut total = 0u64;
    // Ignoring whitespace, the occurrences (with their ends) of every speech, found once.
    let mut spans: HashMap<DocAddress, Vec<[u32; 2]>> = HashMap::new();
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, req.filter.as_ref())?;
        let cols = DocColumns::open(seg)?;
        let found = if options.ignore_space {
            let (body, exact) = (index.fields.body, index.fields.body_exact);
            let found = find_spaceless(seg, exact, body, &req.term, Equivalence::Whitespace, None)?;
            let counts = PhraseCounts {
                docs: found.iter().map(|o| o.doc).collect(),
                counts: found.iter().map(|o| o.spans.len() as u32).collect(),
            };
            for o in found {
                spans.insert(DocAddress::new(seg_ord as u32, o.doc), o.spans);
            }
            std::sync::Arc::new(counts)
        } else {
            index.phrase_cache().counts(seg, index.fields.body_exact, &req.term)?
        };
        // Ids order speeches of the same date: read the segment's whole id dictionary once when
        // many speeches need one.
        let ids = if found.len() > 32 { Some(cols.ids()?) } else { None };
        for (doc, count) in found.iter() {
            if !bitmap[doc as usize] {
                continue;
            }
            total += u64::from(count);
            hits.push(DocHit {
                addr: DocAddress::new(seg_ord as u32, doc),
                date_key: cols.date_key(doc),
                id: match &ids {
                    Some(ids) => cols.id_of(ids, doc),
                    None => cols.id(doc),
                },
                count,
            });
        }
    }
    hits.sort_by(|a, b| {
        (a.date_key.is_none(), a.date_key, &a.id).cmp(&(b.date_key.is_none(), b.date_key, &b.id))
    });
    let docs = hits.len() as u64;
    let limit = req.limit.unwrap_or(usize::MAX);
    let mut lines: Vec<KwicLine> = Vec::new();
    let mut next = 0;
    while next < hits.len() {
        if req.sort == KwicSort::Date && lines.len() >= limit {
            break;
        }
        // The speeches whose lines come next: in date order only as many as the limit needs
        // (each speech gives `count` lines), otherwise all of them.
        let mut end = next;
        let mut expected = lines.len();
        while end < hits.len() && (req.sort != KwicSort::Date || expected < limit) {
            expected += hits[end].count as usize;
            end += 1;
        }
        let batch = &hits[next..end];
        next = end;
        let found: HashMap<DocAddress, Vec<[u32; 2]>> = if options.ignore_space {
            batch.iter().filter_map(|h| Some((h.addr, spans.remove(&h.addr)?))).collect()
        } else {
            let starts = find_phrase_at(
                &searcher,
                index.fields.body_exact,
                &req.term,
                batch.iter().map(|hit| hit.addr),
            )?;
            let span = |&s: &u32| [s, s + len as u32];
            starts.into_iter().map(|(a, s)| (a, s.iter().map(span).collect())).collect()
        };
        for hit in batch {
            if req.sort == KwicSort::Date && lines.len() >= limit {
                break;
            }
            let Some(spans) = found.get(&hit.addr) else { continue };
            let stored = index.stored(&searcher, hit.addr, true)?;
            let chars: Vec<char> = stored.body.as_deref().unwrap_or("").chars().collect();
            let starts: Vec<u32> = spans.iter().map(|s| s[0]).collect();
            let paragraphs = paragraphs_at(&chars, &starts);
            for (&[start, end], paragraph) in spans.iter().zip(paragraphs) {
                let s = start as usize;
                let e = (end as usize).min(chars.len());
                if s > chars.len() {
                    continue;
                }
                lines.push(KwicLine {
                    id: stored.id.clone(),
                    title: stored.title.clone(),
                    year: stored.year,
                    date: stored.date.clone(),
                    paragraph,
                    offset: s,
                    left: flat(&chars[s.saturating_sub(req.width)..s]),
                    matched: chars[s..e].iter().collect(),
                    right: flat(&chars[e..(e + req.width).min(chars.len())]),
                });
            }
        }
    }
    match req.sort {
        KwicSort::Date => {}
        KwicSort::Left => {
            lines.sort_by_cached_key(|l| fold(&l.left).chars().rev().collect::<String>())
        }
        KwicSort::Right => lines.sort_by_cached_key(|l| fold(&l.right)),
    }
    lines.truncate(limit);
    Ok(Concordance { term: req.term.clone(), total, docs, lines })
}

/// The 1-based paragraph (non-empty line) of each of the ascending character `offsets`, in one
/// pass (same numbering as [`crate::search::snippet::paragraph_of`]).
fn paragraphs_at(chars: &[char], offsets: &[u32]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut paragraph = 0usize;
    let mut line_has_text = false;
    let mut next = 0;
    for (i, &c) in chars.iter().enumerate() {
        if next >= offsets.len() {
            break;
        }
        if c == '\n' {
            line_has_text = false;
            continue;
        }
        if !line_has_text && !c.is_whitespace() {
            line_has_text = true;
            paragraph += 1;
        }
        while next < offsets.len() && offsets[next] as usize <= i {
            out.push(paragraph.max(1));
            next += 1;
        }
    }
    while out.len() < offsets.len() {
        out.push(paragraph.max(1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::snippet::paragraph_of;

    #[test]
    fn paragraphs_match_paragraph_of() {
        let text = "第一段\n\n  第二段甲\n第三段甲乙\n甲";
        let chars: Vec<char> = text.chars().collect();
        let offsets: Vec<u32> = (0..chars.len() as u32).collect();
        let expected: Vec<usize> =
            offsets.iter().map(|&o| paragraph_of(&chars, o as usize)).collect();
        assert_eq!(paragraphs_at(&chars, &offsets), expected);
    }
}
