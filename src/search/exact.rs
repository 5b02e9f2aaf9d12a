//! Exact phrase matching and counting on an exact (bigram) field.
//!
//! A folded phrase of `n ≥ 2` characters is located by the bigrams at offsets 0, 2, 4, … and
//! `n−2` ([`phrase_terms`]): an occurrence starts at `p` when each of those bigrams is at
//! `p + offset`. Because every character position holds exactly one token, this is a substring
//! test. A one-character phrase is the union of all terms starting with that character.
//!
//! Occurrences are counted **without overlap**, left to right, as `rg -F -o` and Python's
//! `str.count` do: `哈哈` occurs once in `哈哈哈`.

use std::collections::HashMap;

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED, Term};

use crate::Result;
use crate::analysis::{fold, phrase_terms};

/// The occurrences of a phrase in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocOccurrences {
    /// Document within the segment.
    pub doc: DocId,
    /// Number of non-overlapping occurrences.
    pub count: u32,
    /// Start positions (character offsets) of those occurrences, ascending; empty unless
    /// positions were asked for.
    pub starts: Vec<u32>,
}

/// Finds a phrase (given unfolded, as typed) in `field` of one segment: every alive document
/// that contains it, ascending, with its count and optionally the start positions.
pub fn find_phrase(
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
    keep_positions: bool,
) -> Result<Vec<DocOccurrences>> {
    find(seg, field, phrase, keep_positions, None)
}

/// The occurrences (with start positions) of a phrase in one document only, reading just that
/// document's postings: what snippets of a result page need.
pub fn find_phrase_in_doc(
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
    doc: DocId,
) -> Result<Option<DocOccurrences>> {
    Ok(find(seg, field, phrase, true, Some(doc))?.into_iter().next())
}

fn find(
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
    keep_positions: bool,
    only: Option<DocId>,
) -> Result<Vec<DocOccurrences>> {
    let folded = fold(phrase);
    let Some(terms) = phrase_terms(&folded) else { return Ok(Vec::new()) };
    let len = folded.chars().count() as u32;
    let inverted = seg.inverted_index(field)?;
    let alive = seg.alive_bitset();
    let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));

    if len == 1 {
        return prefix_occurrences(&inverted, &terms[0].0, keep_positions, only, is_alive);
    }

    let mut postings: Vec<(SegmentPostings, u32)> = Vec::with_capacity(terms.len());
    for (text, offset) in &terms {
        let term = Term::from_field_text(field, text);
        match inverted
            .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
            .map_err(tantivy::TantivyError::from)?
        {
            Some(p) => postings.push((p, *offset as u32)),
            None => return Ok(Vec::new()),
        }
    }
    // The rarest term leads the intersection.
    postings.sort_by_key(|(p, _)| p.doc_freq());

    let mut out = Vec::new();
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); postings.len()];
    let mut candidates: Vec<u32> = Vec::new();
    // `seek` wants a target at or after the current document (tantivy debug-asserts it).
    let mut doc = match only {
        Some(target) if postings[0].0.doc() < target => postings[0].0.seek(target),
        _ => postings[0].0.doc(),
    };
    while doc != TERMINATED && only.is_none_or(|target| doc == target) {
        let mut behind = None;
        for (p, _) in postings.iter_mut().skip(1) {
            let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
            if d > doc {
                behind = Some(d);
                break;
            }
        }
        if let Some(d) = behind {
            doc = postings[0].0.seek(d);
            continue;
        }
        if is_alive(doc) {
            for (i, (p, offset)) in postings.iter_mut().enumerate() {
                positions[i].clear();
                // Shift every position back by its offset, so all lists speak of start positions.
                p.positions(&mut positions[i]);
                positions[i].retain(|&x| x >= *offset);
                for x in positions[i].iter_mut() {
                    *x -= *offset;
                }
            }
            candidates.clear();
            candidates.extend_from_slice(&positions[0]);
            for other in &positions[1..] {
                candidates.retain(|s| other.binary_search(s).is_ok());
                if candidates.is_empty() {
                    break;
                }
            }
            if !candidates.is_empty() {
                let (count, starts) = non_overlapping(&candidates, len, keep_positions);
                out.push(DocOccurrences { doc, count, starts });
            }
        }
        doc = postings[0].0.advance();
    }
    Ok(out)
}

/// Greedy left-to-right selection of non-overlapping occurrences among sorted start positions.
fn non_overlapping(starts: &[u32], len: u32, keep: bool) -> (u32, Vec<u32>) {
    let mut count = 0;
    let mut kept = Vec::new();
    let mut next_free = 0u32;
    for &s in starts {
        if s >= next_free {
            count += 1;
            next_free = s + len;
            if keep {
                kept.push(s);
            }
        }
    }
    (count, kept)
}

/// The smallest string greater than every string starting with `c`.
fn successor(c: char) -> Option<String> {
    let mut next = c as u32 + 1;
    if (0xD800..0xE000).contains(&next) {
        next = 0xE000;
    }
    char::from_u32(next).map(|c| c.to_string())
}

fn prefix_occurrences(
    inverted: &tantivy::InvertedIndexReader,
    prefix: &str,
    keep_positions: bool,
    only: Option<DocId>,
    is_alive: impl Fn(DocId) -> bool,
) -> Result<Vec<DocOccurrences>> {
    let mut builder = inverted.terms().range().ge(prefix.as_bytes());
    let upper = successor(prefix.chars().next().unwrap_or('\0'));
    if let Some(upper) = &upper {
        builder = builder.lt(upper.as_bytes());
    }
    let mut stream = builder.into_stream().map_err(tantivy::TantivyError::from)?;
    let mut by_doc: HashMap<DocId, (u32, Vec<u32>)> = HashMap::new();
    let mut buf = Vec::new();
    while stream.advance() {
        let option = if keep_positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut postings = inverted
            .read_postings_from_terminfo(stream.value(), option)
            .map_err(tantivy::TantivyError::from)?;
        let mut doc = match only {
            Some(target) if postings.doc() < target => postings.seek(target),
            _ => postings.doc(),
        };
        while doc != TERMINATED && only.is_none_or(|target| doc == target) {
            if is_alive(doc) {
                let entry = by_doc.entry(doc).or_default();
                entry.0 += postings.term_freq();
                if keep_positions {
                    buf.clear();
                    postings.positions(&mut buf);
                    entry.1.extend_from_slice(&buf);
                }
            }
            doc = postings.advance();
        }
    }
    let mut out: Vec<DocOccurrences> = by_doc
        .into_iter()
        .map(|(doc, (count, mut starts))| {
            starts.sort_unstable();
            DocOccurrences { doc, count, starts }
        })
        .collect();
    out.sort_unstable_by_key(|o| o.doc);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_overlapping_counts_like_rg() {
        // 哈哈 in 哈哈哈哈哈: starts 0,1,2,3 → 0 and 2.
        assert_eq!(non_overlapping(&[0, 1, 2, 3], 2, true), (2, vec![0, 2]));
        assert_eq!(non_overlapping(&[5], 3, false), (1, vec![]));
        assert_eq!(non_overlapping(&[], 3, false), (0, vec![]));
    }

    #[test]
    fn successor_skips_surrogates() {
        assert_eq!(successor('a').as_deref(), Some("b"));
        assert_eq!(successor('\u{D7FF}').as_deref(), Some("\u{E000}"));
        assert_eq!(successor(char::MAX), None);
    }
}
