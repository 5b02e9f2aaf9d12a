//! Evaluating a parsed query against one segment: which documents match, and how many times the
//! query's positive phrases occur in each (its hits).
//!
//! Phrases are matched on the exact field with [`super::exact::find_phrase`]; metadata fields
//! (`title:`, `region:`, …) the same way on their own exact fields; `year:` and `date:` read fast
//! fields. Every phrase is looked up once per segment, however often it appears in the query.
//! With [`MatchOptions::ignore_space`], phrases of the text are matched ignoring whitespace
//! ([`super::spaceless`]); metadata fields are matched as always.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader};

use super::exact::phrase_counts;
use super::query::{Node, TextField};
use crate::Result;
use crate::index::Fields;
use crate::index::cache::{PhraseCache, PhraseCounts};
use crate::index::schema::names;

/// The documents of one segment that match, ascending, with their hits.
#[derive(Debug, Default)]
pub struct SegmentMatches {
    /// Matching documents, ascending.
    pub docs: Vec<DocId>,
    /// Hits of each document (same order as `docs`).
    pub hits: Vec<u64>,
}

/// How phrases are matched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Match the phrases of the text ignoring whitespace (`search --ignore-space`): a phrase
    /// matches where the text equals it once whitespace is removed from both.
    pub ignore_space: bool,
}

struct Ctx<'a> {
    seg: &'a SegmentReader,
    fields: &'a Fields,
    counts: &'a PhraseCache,
    options: MatchOptions,
    cache: HashMap<(Field, String), Arc<PhraseCounts>>,
    all: Option<Vec<DocId>>,
}

impl Ctx<'_> {
    fn phrase(&mut self, field: Field, text: &str) -> Result<Arc<PhraseCounts>> {
        let key = (field, text.to_string());
        if let Some(found) = self.cache.get(&key) {
            return Ok(found.clone());
        }
        let found = if self.options.ignore_space && field == self.fields.body_exact {
            // Not in the phrase cache, whose entries are exact counts.
            let found = super::spaceless::find_spaceless(
                self.seg,
                field,
                self.fields.body,
                text,
                super::spaceless::Equivalence::Whitespace,
                None,
            )?;
            Arc::new(PhraseCounts {
                docs: found.iter().map(|o| o.doc).collect(),
                counts: found.iter().map(|o| o.spans.len() as u32).collect(),
            })
        } else {
            phrase_counts(self.counts, self.seg, field, text)?
        };
        self.cache.insert(key, found.clone());
        Ok(found)
    }

    fn all(&mut self) -> &[DocId] {
        let seg = self.seg;
        self.all.get_or_insert_with(|| seg.doc_ids_alive().collect())
    }

    fn field_of(&self, f: TextField) -> Field {
        match f {
            TextField::Title => self.fields.title,
            TextField::Speaker => self.fields.speaker,
            TextField::Region => self.fields.region,
            TextField::Kind => self.fields.kind,
            TextField::Tag => self.fields.tags,
        }
    }

    fn eval(&mut self, node: &Node) -> Result<Vec<DocId>> {
        Ok(match node {
            Node::Phrase { text, .. } => {
                let body = self.fields.body_exact;
                self.phrase(body, text)?.docs.clone()
            }
            Node::Field { field, text, .. } => {
                let f = self.field_of(*field);
                self.phrase(f, text)?.docs.clone()
            }
            Node::Year { from, to, .. } => {
                let col = self.seg.fast_fields().i64(names::YEAR)?;
                let (lo, hi) = (from.map_or(i64::MIN, i64::from), to.map_or(i64::MAX, i64::from));
                let all = self.all().to_vec();
                all.into_iter()
                    .filter(|&d| col.first(d).is_some_and(|y| (lo..=hi).contains(&y)))
                    .collect()
            }
            Node::Date { from, to, .. } => {
                let col = self.seg.fast_fields().i64(names::DATE)?;
                let key = |d: &jiff::civil::Date| crate::index::schema::day_key(*d);
                let lo = from.as_ref().map_or(i64::MIN, key);
                let hi = to.as_ref().map_or(i64::MAX, key);
                let all = self.all().to_vec();
                all.into_iter()
                    .filter(|&d| col.first(d).is_some_and(|v| (lo..=hi).contains(&v)))
                    .collect()
            }
            Node::And(children) => {
                let (negative, positive): (Vec<&Node>, Vec<&Node>) =
                    children.iter().partition(|c| matches!(c, Node::Not(_)));
                let mut acc: Option<Vec<DocId>> = None;
                for child in positive {
                    let docs = self.eval(child)?;
                    acc = Some(match acc {
                        None => docs,
                        Some(prev) => intersect(&prev, &docs),
                    });
                    if acc.as_ref().is_some_and(Vec::is_empty) {
                        return Ok(Vec::new());
                    }
                }
                let mut acc = match acc {
                    Some(a) => a,
                    None => self.all().to_vec(),
                };
                for child in negative {
                    if let Node::Not(inner) = child {
                        let excluded = self.eval(inner)?;
                        acc = difference(&acc, &excluded);
                    }
                }
                acc
            }
            Node::Or(children) => {
                let mut acc = Vec::new();
                for child in children {
                    let docs = self.eval(child)?;
                    acc = union(&acc, &docs);
                }
                acc
            }
            Node::Not(inner) => {
                let excluded = self.eval(inner)?;
                let all = self.all().to_vec();
                difference(&all, &excluded)
            }
        })
    }
}

/// Matches `node` in one segment; hits count the occurrences of `positive` phrases (those not
/// under a negation) in each matching document's body. Phrase counts come from `counts` when
/// it holds them.
pub fn match_segment(
    seg: &SegmentReader,
    fields: &Fields,
    counts: &PhraseCache,
    node: &Node,
    positive: &[&str],
) -> Result<SegmentMatches> {
    match_segment_with(seg, fields, counts, node, positive, MatchOptions::default())
}

/// [`match_segment`] with options.
pub fn match_segment_with(
    seg: &SegmentReader,
    fields: &Fields,
    counts: &PhraseCache,
    node: &Node,
    positive: &[&str],
    options: MatchOptions,
) -> Result<SegmentMatches> {
    let mut ctx = Ctx { seg, fields, counts, options, cache: HashMap::new(), all: None };
    let docs = ctx.eval(node)?;
    let mut hits = vec![0u64; docs.len()];
    for phrase in positive {
        let occ = ctx.phrase(fields.body_exact, phrase)?;
        // Both lists are ascending: merge.
        let mut j = 0;
        for (i, d) in docs.iter().enumerate() {
            while j < occ.docs.len() && occ.docs[j] < *d {
                j += 1;
            }
            if j < occ.docs.len() && occ.docs[j] == *d {
                hits[i] += u64::from(occ.counts[j]);
            }
        }
    }
    Ok(SegmentMatches { docs, hits })
}

fn intersect(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn union(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i] < b[j]) {
            out.push(a[i]);
            i += 1;
        } else if i >= a.len() || b[j] < a[i] {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
            j += 1;
        }
    }
    out
}

fn difference(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let mut j = 0;
    a.iter()
        .copied()
        .filter(|d| {
            while j < b.len() && b[j] < *d {
                j += 1;
            }
            !(j < b.len() && b[j] == *d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[3, 4, 7]), vec![3, 7]);
        assert_eq!(union(&[1, 5], &[2, 5, 9]), vec![1, 2, 5, 9]);
        assert_eq!(difference(&[1, 2, 3, 4], &[2, 4, 6]), vec![1, 3]);
        assert_eq!(union(&[], &[]), Vec::<DocId>::new());
    }
}
