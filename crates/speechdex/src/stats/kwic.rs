//! Keyword in context: every occurrence of a term with the text around it.
//!
//! Occurrences and their character offsets come from the exact field (the same non-overlapping
//! occurrences search counts), so `total` equals the term's count in `trend`. Counts per speech
//! come first (without positions, from the index's phrase cache when it has one); positions are
//! read only for the speeches whose lines are shown: in date order, the first ones up to the
//! line limit ([`find_phrase_at`]). Sorted by left or right context, every occurrence is looked
//! at (positions read in batches) but only the `limit` first lines in that order are kept, in a
//! bounded heap: memory grows with the limit, not with the number of occurrences, and the lines
//! are the same, in the same order, as a full sort would give (ties in date order).
//! Texts come from the stored body: folding keeps character counts, so positions in the exact
//! field index the original text, and `match` is the text as it stands in the speech (for
//! instance 新質生產力 for the term 新质生产力).
//!
//! [`kwic_with`] and [`MatchOptions::ignore_space`] match the term ignoring whitespace
//! ([`crate::search::spaceless`]): `match` then runs from the occurrence's first to its last
//! character, line breaks inside included.
//!
//! With [`KwicRequest::within`] (`kwic TERM [ALSO…] --within sentence|paragraph`), only the
//! occurrences of the term inside a sentence (paragraph) that also holds every other term
//! ([`KwicRequest::also`]) are listed and counted; candidates come from the postings, the check
//! from the stored texts ([`crate::search::scope`]). With [`KwicRequest::sentence`]
//! (`--sentence`), the context is the occurrence's whole sentence
//! ([`crate::analysis::sentences`]) instead of `width` characters on each side.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::DocAddress;

use super::bounded::Smallest;
use super::select::{DocColumns, selected};
use crate::Result;
use crate::analysis::fold;
use crate::index::SpeechIndex;
use crate::index::cache::PhraseCounts;
use crate::search::Node;
use crate::search::exact::find_phrase_at;
use crate::search::matcher::MatchOptions;
use crate::search::outside::Outside;
use crate::search::query::Scope;
use crate::search::spaceless::{Equivalence, find_spaceless, segment_texts};

/// Order of concordance lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KwicSort {
    /// Oldest speech first, then by offset (speeches without a date last).
    Date,
    /// By the left context read backwards from the term (groups what precedes it).
    Left,
    /// By the right context (groups what follows it).
    Right,
}

crate::choices!(KwicSort {
    Date => ("date", "oldest speech first, then by position"),
    Left => ("left", "by the words before the term (read backwards)"),
    Right => ("right", "by the words after the term"),
});

/// Characters of context on each side unless asked otherwise (`kwic --width`, `width`).
pub const DEFAULT_WIDTH: usize = 30;
/// Lines the server lists unless asked otherwise (`limit`; the CLI lists them all).
pub const DEFAULT_LINES: usize = 100;

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
    /// Only the occurrences inside a sentence or paragraph that also holds every term of
    /// [`KwicRequest::also`].
    pub within: Option<Scope>,
    /// With `within`: the other terms that must occur in the same sentence or paragraph.
    pub also: Vec<String>,
    /// The whole sentence of each occurrence as its context, instead of `width` characters.
    pub sentence: bool,
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
            within: None,
            also: Vec::new(),
            sentence: false,
        }
    }

    /// The term and the terms that must occur with it (the term first, duplicates dropped).
    fn terms(&self) -> Vec<String> {
        let mut all = vec![self.term.clone()];
        all.extend(self.also.iter().cloned());
        super::select::dedup_terms(&all)
    }
}

/// The answer of `speechdex kwic`; its JSON form is the contract of `kwic --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Kwic {
    /// The term as given.
    pub term: String,
    /// All occurrences in the selected speeches (also when `--limit` cuts `lines`).
    pub total: u64,
    /// Speeches containing the term.
    pub docs: u64,
    /// With `--within`: the occurrences listed and counted are those inside the sentences
    /// (paragraphs) that hold every term of `also` too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<Scope>,
    /// With `--within`: the terms that occur in the same sentence or paragraph.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// With `--sentence`: `left` and `right` are the rest of the occurrence's sentence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sentence: bool,
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
    /// Up to `width` characters before it, or its sentence up to it with `--sentence` (line
    /// breaks as spaces).
    pub left: String,
    /// The occurrence as it stands in the speech.
    #[serde(rename = "match")]
    pub matched: String,
    /// Up to `width` characters after it, or its sentence after it with `--sentence` (line
    /// breaks as spaces).
    pub right: String,
}

struct DocHit {
    addr: DocAddress,
    date_key: Option<i64>,
    id: String,
    count: u32,
}

/// At most this many occurrences have their positions read at once when every occurrence is
/// looked at (sorting by context), so that memory does not grow with the term's frequency.
const POSITIONS_BATCH: usize = 1 << 18;

fn flat(chars: &[char]) -> String {
    chars.iter().map(|&c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }).collect()
}

/// Computes a concordance.
///
/// In date order, lines come in the order the speeches are read and reading stops at the limit.
/// Sorted by context, every occurrence is looked at, but only the `limit` first lines in that
/// order are kept (in a bounded heap, [`Smallest`]): memory depends on the limit, not on how
/// often the term occurs.
pub fn kwic(index: &SpeechIndex, req: &KwicRequest) -> Result<Kwic> {
    kwic_with(index, req, MatchOptions::default())
}

/// [`kwic`] with options: with [`MatchOptions::ignore_space`], the term matches ignoring
/// whitespace.
pub fn kwic_with(index: &SpeechIndex, req: &KwicRequest, options: MatchOptions) -> Result<Kwic> {
    let searcher = index.searcher();
    let (hits, total) = doc_hits(index, &searcher, req, &options)?;
    let docs = hits.len() as u64;
    let limit = req.limit.unwrap_or(usize::MAX);
    let lines = match req.sort {
        KwicSort::Date => lines_by_date(index, &searcher, req, &hits, limit, &options)?,
        KwicSort::Left | KwicSort::Right => {
            lines_by_context(index, &searcher, req, &hits, limit, &options)?
        }
    };
    Ok(Kwic {
        term: req.term.clone(),
        total,
        docs,
        within: req.within,
        also: if req.within.is_some() { req.terms().split_off(1) } else { Vec::new() },
        sentence: req.sentence,
        lines,
    })
}

/// The occurrences of the term inside the sentences or paragraphs of `scope` that hold every
/// term of the request, in the documents `candidates` (ascending) of one segment.
fn scoped_spans(
    index: &SpeechIndex,
    seg: &tantivy::SegmentReader,
    req: &KwicRequest,
    scope: Scope,
    candidates: &[tantivy::DocId],
    options: &MatchOptions,
) -> Result<Vec<(tantivy::DocId, Vec<[u32; 2]>)>> {
    let terms = req.terms();
    let found = crate::search::scope::terms_in_segment(
        seg,
        index.fields.body,
        scope,
        &terms,
        candidates,
        options,
    )?;
    Ok(found
        .into_iter()
        .filter_map(|(doc, mut per_term)| {
            let spans = per_term.swap_remove(0);
            (!spans.is_empty()).then_some((doc, spans))
        })
        .collect())
}

/// The counts of the term in one segment: all of them, or with `within`, those inside the
/// sentences or paragraphs holding every term.
fn segment_counts(
    index: &SpeechIndex,
    seg: &tantivy::SegmentReader,
    req: &KwicRequest,
    options: &MatchOptions,
) -> Result<Arc<PhraseCounts>> {
    let Some(scope) = req.within else { return counts_in(index, seg, &req.term, options) };
    let mut candidates: Option<Vec<tantivy::DocId>> = None;
    for term in req.terms() {
        let docs = counts_in(index, seg, &term, options)?.docs.clone();
        candidates = Some(match candidates {
            None => docs,
            Some(mut prev) => {
                prev.retain(|d| docs.binary_search(d).is_ok());
                prev
            }
        });
    }
    let candidates = candidates.unwrap_or_default();
    let mut out = PhraseCounts::default();
    for (doc, spans) in scoped_spans(index, seg, req, scope, &candidates, options)? {
        out.docs.push(doc);
        out.counts.push(u32::try_from(spans.len()).unwrap_or(u32::MAX));
    }
    Ok(Arc::new(out))
}

/// The occurrences of the term in each speech of one segment (counts only).
fn counts_in(
    index: &SpeechIndex,
    seg: &tantivy::SegmentReader,
    term: &str,
    options: &MatchOptions,
) -> Result<Arc<PhraseCounts>> {
    let exact = index.fields.body_exact;
    options.text_counts(seg, &index.fields, term, || {
        crate::search::exact::phrase_counts(index.phrase_cache(), seg, exact, term)
    })
}

/// The occurrences `[start, end)` of the term in each of the speeches `addrs` (those without it
/// are absent), reading only their postings ([`find_phrase_at`], or ignoring whitespace).
/// With [`MatchOptions::outside`], the occurrences on boilerplate lines are dropped.
fn occurrences_at(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &KwicRequest,
    options: &MatchOptions,
    addrs: impl IntoIterator<Item = DocAddress>,
) -> Result<HashMap<DocAddress, Vec<[u32; 2]>>> {
    let mut out = occurrences_everywhere(index, searcher, req, options, addrs)?;
    let Some(boilerplate) = &options.outside else { return Ok(out) };
    if req.within.is_some() {
        return Ok(out); // the scope check read blanked texts
    }
    let addrs: Vec<DocAddress> = out.keys().copied().collect();
    for (segment_ord, docs) in by_segment(addrs) {
        let seg = searcher.segment_reader(segment_ord);
        let outside = Outside::new(boilerplate, seg, &index.fields)?;
        let mut load = segment_texts(seg, index.fields.body);
        for doc in docs.into_iter().filter(|&d| outside.may_touch(d)) {
            let addr = DocAddress::new(segment_ord, doc);
            let text: String = load(doc)?.iter().collect();
            if let Some(spans) = out.get_mut(&addr) {
                outside.keep(&text, spans);
                if spans.is_empty() {
                    out.remove(&addr);
                }
            }
        }
    }
    Ok(out)
}

/// [`occurrences_at`] over the whole texts.
fn occurrences_everywhere(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &KwicRequest,
    options: &MatchOptions,
    addrs: impl IntoIterator<Item = DocAddress>,
) -> Result<HashMap<DocAddress, Vec<[u32; 2]>>> {
    let term = req.term.as_str();
    let (body, exact) = (index.fields.body, index.fields.body_exact);
    if let Some(scope) = req.within {
        let mut out = HashMap::new();
        for (segment_ord, docs) in by_segment(addrs) {
            let seg = searcher.segment_reader(segment_ord);
            for (doc, spans) in scoped_spans(index, seg, req, scope, &docs, options)? {
                out.insert(DocAddress::new(segment_ord, doc), spans);
            }
        }
        return Ok(out);
    }
    if !options.ignore_space {
        let len = fold(term).chars().count() as u32;
        let starts = find_phrase_at(searcher, exact, term, addrs)?;
        let span = |&s: &u32| [s, s + len];
        return Ok(starts.into_iter().map(|(a, s)| (a, s.iter().map(span).collect())).collect());
    }
    let mut out = HashMap::new();
    for (segment_ord, docs) in by_segment(addrs) {
        let seg = searcher.segment_reader(segment_ord);
        let eq = Equivalence::Whitespace;
        for occ in find_spaceless(seg, exact, body, term, eq, Some(&docs))? {
            out.insert(DocAddress::new(segment_ord, occ.doc), occ.spans);
        }
    }
    Ok(out)
}

/// The selected speeches containing the term, in date order (speeches without a date last,
/// then by id), and the number of occurrences in all of them.
fn doc_hits(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &KwicRequest,
    options: &MatchOptions,
) -> Result<(Vec<DocHit>, u64)> {
    let mut hits: Vec<DocHit> = Vec::new();
    let mut total = 0u64;
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, req.filter.as_ref())?;
        let cols = DocColumns::open(seg)?;
        let found = segment_counts(index, seg, req, options)?;
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
    Ok((hits, total))
}

/// Consecutive runs of `hits` whose occurrences (`count`) add up to `budget` (at least one
/// speech each).
fn batches<T>(hits: &[T], budget: usize, count: impl Fn(&T) -> u32) -> impl Iterator<Item = &[T]> {
    let mut rest = hits;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        let mut expected = 0usize;
        while end < rest.len() && (end == 0 || expected < budget) {
            expected += count(&rest[end]) as usize;
            end += 1;
        }
        let (batch, tail) = rest.split_at(end);
        rest = tail;
        Some(batch)
    })
}

/// One speech's text and the occurrences of the term in it, for making lines.
struct SpeechText {
    stored: crate::index::StoredSpeech,
    chars: Vec<char>,
    /// With `--sentence`: the sentences of the text, in order.
    sentences: Option<Vec<crate::analysis::sentences::Span>>,
}

impl SpeechText {
    fn read(
        index: &SpeechIndex,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
        sentence: bool,
    ) -> Result<Self> {
        let stored = index.stored(searcher, addr, true)?;
        let body = stored.body.as_deref().unwrap_or("");
        let chars: Vec<char> = body.chars().collect();
        let sentences = sentence.then(|| crate::analysis::sentences::units(body, Scope::Sentence));
        Ok(SpeechText { stored, chars, sentences })
    }

    /// The context on the `side` (left or right) of the occurrence at `s` (at most the length
    /// of the text) of `len` characters, as shown: `width` characters, or with `--sentence`
    /// the rest of its sentence.
    fn context(&self, side: KwicSort, s: usize, len: usize, width: usize) -> String {
        if let Some(sentences) = &self.sentences {
            let e = (s + len).min(self.chars.len());
            let containing = |offset: usize| {
                let i = sentences.partition_point(|u| u.end <= offset);
                sentences.get(i).filter(|u| u.start <= offset)
            };
            return if side == KwicSort::Left {
                let from = containing(s).map_or(s, |u| u.start.min(s));
                flat(&self.chars[from..s])
            } else {
                let to = containing(e.saturating_sub(1)).map_or(e, |u| u.end.max(e));
                flat(&self.chars[e..to.min(self.chars.len())])
            };
        }
        if side == KwicSort::Left {
            flat(&self.chars[s.saturating_sub(width)..s])
        } else {
            let e = (s + len).min(self.chars.len());
            flat(&self.chars[e..e.saturating_add(width).min(self.chars.len())])
        }
    }

    fn line(
        &self,
        s: usize,
        len: usize,
        paragraph: usize,
        left: String,
        right: String,
    ) -> KwicLine {
        let e = (s + len).min(self.chars.len());
        KwicLine {
            id: self.stored.id.clone(),
            title: self.stored.title.clone(),
            year: self.stored.year,
            date: self.stored.date.clone(),
            paragraph,
            offset: s,
            left,
            matched: self.chars[s..e].iter().collect(),
            right,
        }
    }
}

/// Lines in date order: positions are read only for the speeches the limit reaches.
fn lines_by_date(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &KwicRequest,
    hits: &[DocHit],
    limit: usize,
    options: &MatchOptions,
) -> Result<Vec<KwicLine>> {
    let mut lines: Vec<KwicLine> = Vec::new();
    let mut next = 0;
    while next < hits.len() && lines.len() < limit {
        // The speeches whose lines come next: only as many as the limit needs (each speech
        // gives `count` lines).
        let batch =
            batches(&hits[next..], limit - lines.len(), |h| h.count).next().unwrap_or_default();
        next += batch.len();
        let found = occurrences_at(index, searcher, req, options, batch.iter().map(|h| h.addr))?;
        for hit in batch {
            if lines.len() >= limit {
                break;
            }
            let Some(spans) = found.get(&hit.addr) else { continue };
            let text = SpeechText::read(index, searcher, hit.addr, req.sentence)?;
            let starts: Vec<u32> = spans.iter().map(|s| s[0]).collect();
            let paragraphs = paragraphs_at(&text.chars, &starts);
            for (&[start, end], paragraph) in spans.iter().zip(paragraphs) {
                let (s, len) = (start as usize, end.saturating_sub(start) as usize);
                if s > text.chars.len() {
                    continue;
                }
                let left = text.context(KwicSort::Left, s, len, req.width);
                let right = text.context(KwicSort::Right, s, len, req.width);
                lines.push(text.line(s, len, paragraph, left, right));
            }
        }
    }
    lines.truncate(limit);
    Ok(lines)
}

/// The order of lines sorted by context: the context key ([`context_key`]), then the speech's
/// place in date order, then the occurrence's place in the speech. Unique, so the lines kept do
/// not depend on the order in which they are looked at; ties on the context stay in date order,
/// as with a stable sort of the lines in date order.
type LineKey = (String, usize, usize);

/// The sort key of a line by its left context (read backwards from the term) or by its right
/// context, from that context as shown: lines are compared as folded text.
fn context_key(sort: KwicSort, context: &str) -> String {
    match sort {
        KwicSort::Left => fold(context).chars().rev().collect(),
        KwicSort::Date | KwicSort::Right => fold(context),
    }
}

/// Lines sorted by context: every occurrence is looked at, the first `limit` in context order
/// kept in a bounded heap. Speeches are read in index order (so that each batch of positions
/// reads a forward range of the postings: one pass over them in all), each occurrence keyed by
/// [`LineKey`].
fn lines_by_context(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &KwicRequest,
    hits: &[DocHit],
    limit: usize,
    options: &MatchOptions,
) -> Result<Vec<KwicLine>> {
    let mut best: Smallest<LineKey, KwicLine> = Smallest::new(limit);
    // (place in date order, speech), in index order.
    let mut in_index_order: Vec<(usize, &DocHit)> = hits.iter().enumerate().collect();
    in_index_order.sort_unstable_by_key(|(_, hit)| hit.addr);
    for batch in batches(&in_index_order, POSITIONS_BATCH, |(_, h)| h.count) {
        let addrs = batch.iter().map(|(_, hit)| hit.addr);
        let found = occurrences_at(index, searcher, req, options, addrs)?;
        for &(rank, hit) in batch {
            let Some(spans) = found.get(&hit.addr) else { continue };
            let text = SpeechText::read(index, searcher, hit.addr, req.sentence)?;
            let starts: Vec<u32> = spans.iter().map(|s| s[0]).collect();
            let paragraphs = paragraphs_at(&text.chars, &starts);
            for (nth, (&[start, end], paragraph)) in spans.iter().zip(paragraphs).enumerate() {
                let (s, len) = (start as usize, end.saturating_sub(start) as usize);
                if s > text.chars.len() {
                    continue;
                }
                // The sorted side first: the other is made only for a line that is kept.
                let sorted = text.context(req.sort, s, len, req.width);
                let key = (context_key(req.sort, &sorted), rank, nth);
                if !best.wants(&key) {
                    continue;
                }
                let (left, right) = if req.sort == KwicSort::Left {
                    (sorted, text.context(KwicSort::Right, s, len, req.width))
                } else {
                    (text.context(KwicSort::Left, s, len, req.width), sorted)
                };
                best.offer(key, text.line(s, len, paragraph, left, right));
            }
        }
    }
    Ok(best.into_sorted())
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

/// The documents of `addrs` by segment, each segment's sorted and without repeats.
fn by_segment(
    addrs: impl IntoIterator<Item = DocAddress>,
) -> std::collections::BTreeMap<u32, Vec<tantivy::DocId>> {
    let mut out: std::collections::BTreeMap<u32, Vec<tantivy::DocId>> = Default::default();
    for addr in addrs {
        out.entry(addr.segment_ord).or_default().push(addr.doc_id);
    }
    for docs in out.values_mut() {
        docs.sort_unstable();
        docs.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::snippet::paragraph_of;

    fn line(left: String, right: String, n: usize) -> KwicLine {
        KwicLine {
            id: format!("s{}", n / 7),
            title: String::new(),
            year: None,
            date: None,
            paragraph: 1,
            offset: n,
            left,
            matched: "发展".into(),
            right,
        }
    }

    proptest::proptest! {
        /// The bounded path keeps the same lines, in the same order, as the full sort it
        /// replaced (`sort_by_cached_key` over every line in date order, then cut to the
        /// limit), for random contexts full of ties and of characters that fold (traditional,
        /// full-width, case), whatever order the speeches are read in.
        #[test]
        fn bounded_context_sort_equals_the_full_sort(
            contexts in proptest::collection::vec(
                ("[发發展Ａa，, ]{0,3}", "[发發展Ａa，, ]{0,3}"), 0..150),
            limit in 0usize..160,
            left in proptest::bool::ANY,
            seed in proptest::num::u64::ANY,
        ) {
            let sort = if left { KwicSort::Left } else { KwicSort::Right };
            // Lines in date order: speech n / 7, its occurrence n % 7.
            let lines: Vec<KwicLine> =
                contexts.into_iter().enumerate().map(|(n, (l, r))| line(l, r, n)).collect();
            let mut full = lines.clone();
            match sort {
                KwicSort::Left => {
                    full.sort_by_cached_key(|l| fold(&l.left).chars().rev().collect::<String>())
                }
                _ => full.sort_by_cached_key(|l| fold(&l.right)),
            }
            full.truncate(limit);
            // Read in another order (a seeded shuffle, as index order differs from date order).
            let mut shuffled = lines;
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut best = Smallest::new(limit);
            for l in shuffled {
                let side = if left { &l.left } else { &l.right };
                let key: LineKey = (context_key(sort, side), l.offset / 7, l.offset % 7);
                if best.wants(&key) {
                    best.offer(key, l);
                }
            }
            let offsets = |v: &[KwicLine]| v.iter().map(|l| l.offset).collect::<Vec<_>>();
            proptest::prop_assert_eq!(offsets(&best.into_sorted()), offsets(&full));
        }
    }

    #[test]
    fn batches_cover_every_speech_once() {
        let hits: Vec<DocHit> = [3u32, 1, 5, 2, 8]
            .iter()
            .enumerate()
            .map(|(i, &count)| DocHit {
                addr: DocAddress::new(0, i as u32),
                date_key: None,
                id: String::new(),
                count,
            })
            .collect();
        let count = |h: &DocHit| h.count;
        let sizes: Vec<usize> = batches(&hits, 4, count).map(<[DocHit]>::len).collect();
        assert_eq!(sizes, [2, 1, 2], "3+1 reach 4; 5 alone; 2+8");
        assert_eq!(batches(&hits, 0, count).count(), 5, "at least one speech per batch");
        assert_eq!(batches(&[], 4, count).count(), 0);
    }

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
