//! Evaluating a parsed query against one segment: which documents match, and how many times the
//! query's positive phrases occur in each (its hits).
//!
//! Phrases are matched on the exact field with [`super::exact::find_phrase`]; metadata fields
//! (`title:`, `region:`, …) the same way on their own exact fields; `year:` and `date:` read the
//! year and date columns ([`crate::index::columns::DocColumns`]). Every phrase is looked up once
//! per segment, however often it appears in the query.
//! With [`MatchOptions::ignore_space`], phrases of the text are matched ignoring whitespace
//! ([`super::spaceless`]); metadata fields are matched as always.
//!
//! A scope group (`SENT(…)`, `PARA(…)`) is matched by [`super::scope`]: its candidates come from
//! the postings (the documents holding its required phrases, and its fields), then its check
//! reads their stored texts. The hits of a phrase that occurs only inside scope groups are its
//! occurrences inside the qualifying sentences or paragraphs; a phrase that also occurs outside
//! every group counts everywhere, as without scope.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader};

use super::exact::phrase_counts;
use super::query::{Node, TextField};
use crate::Result;
use crate::index::Fields;
use crate::index::cache::{PhraseCache, PhraseCounts};
use crate::index::columns::DocColumns;

/// The documents of one segment that match, ascending, with their hits.
#[derive(Debug, Default)]
pub struct SegmentMatches {
    /// Matching documents, ascending.
    pub docs: Vec<DocId>,
    /// Hits of each document (same order as `docs`).
    pub hits: Vec<u64>,
    /// With scope groups: the sentences or paragraphs where a group holds, over all matching
    /// documents.
    pub units: u64,
    /// With scope groups: per matching document, the occurrences `[start, end)` that count as
    /// hits of the phrases found only inside groups (for snippets).
    pub scoped: HashMap<DocId, Vec<[u32; 2]>>,
}

/// What the scope groups of a query found in one document.
#[derive(Debug, Default)]
struct DocScoped {
    units: u64,
    /// Per phrase: its occurrences inside qualifying units (of any group).
    spans: HashMap<String, BTreeSet<[u32; 2]>>,
}

/// How phrases are matched.
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Match the phrases of the text ignoring whitespace (`search --ignore-space`): a phrase
    /// matches where the text equals it once whitespace is removed from both.
    pub ignore_space: bool,
    /// Leave boilerplate out (`--no-boilerplate`): the index's boilerplate, whose lines no
    /// occurrence of a phrase of the text may start or end on ([`super::outside`]).
    pub outside: super::outside::LeaveOut,
}

impl MatchOptions {
    /// The options of a request: whitespace ignored or not, boilerplate left out or not (then
    /// the index's boilerplate is found, once per index: [`crate::index::SpeechIndex::boilerplate`]).
    pub fn for_index(
        index: &crate::index::SpeechIndex,
        ignore_space: bool,
        leave_out_boilerplate: bool,
    ) -> Result<MatchOptions> {
        let outside = if leave_out_boilerplate { Some(index.boilerplate()?) } else { None };
        Ok(MatchOptions { ignore_space, outside })
    }

    /// The occurrences of a phrase of the text in one segment, as these options count them:
    /// exact (from `exact`, the postings' counts) or ignoring whitespace, and outside
    /// boilerplate when asked.
    pub fn text_counts(
        &self,
        seg: &SegmentReader,
        fields: &Fields,
        text: &str,
        exact: impl FnOnce() -> Result<Arc<PhraseCounts>>,
    ) -> Result<Arc<PhraseCounts>> {
        let counts = if self.ignore_space {
            let found = super::spaceless::find_spaceless(
                seg,
                fields.body_exact,
                fields.body,
                text,
                super::spaceless::Equivalence::Whitespace,
                None,
            )?;
            Arc::new(PhraseCounts {
                docs: found.iter().map(|o| o.doc).collect(),
                counts: found.iter().map(|o| o.spans.len() as u32).collect(),
            })
        } else {
            exact()?
        };
        match &self.outside {
            None => Ok(counts),
            Some(b) => Ok(Arc::new(super::outside::Outside::new(b, seg, fields)?.counts(
                text,
                &counts,
                self.ignore_space,
            )?)),
        }
    }
}

struct Ctx<'a> {
    seg: &'a SegmentReader,
    fields: &'a Fields,
    counts: &'a PhraseCache,
    options: MatchOptions,
    cache: HashMap<(Field, String), Arc<PhraseCounts>>,
    all: Option<Vec<DocId>>,
    /// The segment's columns, opened by the first `year:` or `date:` filter.
    columns: Option<DocColumns>,
    scoped: HashMap<DocId, DocScoped>,
}

impl Ctx<'_> {
    fn phrase(&mut self, field: Field, text: &str) -> Result<Arc<PhraseCounts>> {
        let key = (field, text.to_string());
        if let Some(found) = self.cache.get(&key) {
            return Ok(found.clone());
        }
        let found = if field == self.fields.body_exact {
            // Ignoring whitespace or outside boilerplate: not from the phrase cache, whose
            // entries are exact counts.
            let (seg, cache) = (self.seg, self.counts);
            self.options
                .text_counts(seg, self.fields, text, || phrase_counts(cache, seg, field, text))?
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

    /// The documents of the segment whose column value (`value`: a year, a day key) lies in
    /// `lo..=hi`. The columns are opened once per segment.
    fn in_range(
        &mut self,
        value: fn(&DocColumns, DocId) -> Option<i64>,
        lo: i64,
        hi: i64,
    ) -> Result<Vec<DocId>> {
        let cols = match self.columns.take() {
            Some(cols) => cols,
            None => DocColumns::open(self.seg)?,
        };
        let docs = self.all().iter().copied();
        let docs = docs.filter(|&d| value(&cols, d).is_some_and(|v| (lo..=hi).contains(&v)));
        let docs = docs.collect();
        self.columns = Some(cols);
        Ok(docs)
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
                let (lo, hi) = (from.map_or(i64::MIN, i64::from), to.map_or(i64::MAX, i64::from));
                self.in_range(DocColumns::year, lo, hi)?
            }
            Node::Date { from, to, .. } => {
                let key = |d: &jiff::civil::Date| crate::index::schema::day_key(*d);
                let lo = from.as_ref().map_or(i64::MIN, key);
                let hi = to.as_ref().map_or(i64::MAX, key);
                self.in_range(DocColumns::date, lo, hi)?
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
            Node::Scope { scope, node, .. } => self.eval_scope(*scope, node)?,
        })
    }

    /// The documents that may satisfy `node` inside a scope group, from the postings: a phrase's
    /// documents, a field's, the intersection over the children of an AND that are no negation,
    /// the union over those of an OR; every document for a negation.
    fn candidates(&mut self, node: &Node) -> Result<Vec<DocId>> {
        Ok(match node {
            Node::Phrase { .. }
            | Node::Field { .. }
            | Node::Year { .. }
            | Node::Date { .. }
            | Node::Scope { .. } => self.eval(node)?,
            Node::And(children) => {
                let mut acc: Option<Vec<DocId>> = None;
                for child in children.iter().filter(|c| !matches!(c, Node::Not(_))) {
                    let docs = self.candidates(child)?;
                    acc = Some(match acc {
                        None => docs,
                        Some(prev) => intersect(&prev, &docs),
                    });
                    if acc.as_ref().is_some_and(Vec::is_empty) {
                        break;
                    }
                }
                match acc {
                    Some(acc) => acc,
                    None => self.all().to_vec(),
                }
            }
            Node::Or(children) => {
                let mut acc = Vec::new();
                for child in children {
                    acc = union(&acc, &self.candidates(child)?);
                }
                acc
            }
            Node::Not(_) => self.all().to_vec(),
        })
    }

    /// The documents with a sentence or paragraph where `node` holds ([`super::scope`]); what
    /// the group found in each is kept for the hits.
    fn eval_scope(&mut self, scope: super::query::Scope, node: &Node) -> Result<Vec<DocId>> {
        let candidates = self.candidates(node)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        // The documents of each field, year and date of the group.
        let mut meta: HashMap<*const Node, Vec<DocId>> = HashMap::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n {
                Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => {
                    let docs = self.eval(n)?;
                    meta.insert(n as *const Node, docs);
                }
                Node::And(children) | Node::Or(children) => stack.extend(children),
                Node::Not(child) | Node::Scope { node: child, .. } => stack.push(child),
                Node::Phrase { .. } => {}
            }
        }
        let meta_of = |n: &Node, doc: DocId| {
            meta.get(&(n as *const Node)).is_some_and(|docs| docs.binary_search(&doc).is_ok())
        };
        let found = super::scope::in_segment(
            self.seg,
            self.fields.body,
            scope,
            node,
            &candidates,
            &meta_of,
            &self.options,
        )?;
        let positive = node.positive_phrases();
        let mut docs = Vec::with_capacity(found.len());
        for d in found {
            let entry = self.scoped.entry(d.doc).or_default();
            entry.units += d.found.units;
            for (phrase, spans) in positive.iter().zip(d.found.spans) {
                entry.spans.entry((*phrase).to_string()).or_default().extend(spans);
            }
            docs.push(d.doc);
        }
        Ok(docs)
    }
}

/// The body phrases outside every negation and every scope group: their hits are all their
/// occurrences in the document.
pub fn free_phrases(node: &Node, out: &mut HashSet<String>) {
    match node {
        Node::Phrase { text, .. } => {
            out.insert(text.clone());
        }
        Node::And(children) | Node::Or(children) => {
            children.iter().for_each(|c| free_phrases(c, out));
        }
        Node::Not(_) | Node::Scope { .. } | Node::Field { .. } | Node::Year { .. } => {}
        Node::Date { .. } => {}
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
    let mut ctx = Ctx {
        seg,
        fields,
        counts,
        options,
        cache: HashMap::new(),
        all: None,
        columns: None,
        scoped: HashMap::new(),
    };
    let docs = ctx.eval(node)?;
    let mut hits = vec![0u64; docs.len()];
    let mut free = HashSet::new();
    free_phrases(node, &mut free);
    let mut units = 0;
    let mut scoped = HashMap::new();
    if !ctx.scoped.is_empty() {
        for (i, doc) in docs.iter().enumerate() {
            let Some(found) = ctx.scoped.remove(doc) else { continue };
            units += found.units;
            let mut spans = Vec::new();
            for phrase in positive.iter().filter(|p| !free.contains(**p)) {
                if let Some(s) = found.spans.get(*phrase) {
                    hits[i] += s.len() as u64;
                    spans.extend(s.iter().copied());
                }
            }
            spans.sort_unstable();
            scoped.insert(*doc, spans);
        }
    }
    for phrase in positive.iter().filter(|p| free.contains(**p)) {
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
    Ok(SegmentMatches { docs, hits, units, scoped })
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
