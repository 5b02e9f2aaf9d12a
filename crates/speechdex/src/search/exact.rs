//! Exact phrase matching and counting on an exact (bigram) field.
//!
//! Every character position of the field holds exactly one token, the bigram starting there, so
//! a folded phrase of `n ≥ 2` characters occurs at `p` when the bigrams of a *cover* of the
//! phrase sit at `p + offset`: a substring test. Up to four characters the cover is fixed (the
//! first and the last bigram); from five on, the cheapest set of bigrams that covers every
//! character is chosen by the size of their postings (`cheapest_cover`). The documents of the
//! cover's postings are intersected with the rarest leading, then in each common document their
//! positions, fewest first. A two-character phrase of two different characters is counted from
//! term frequencies without positions. A one-character phrase is the union of all terms
//! starting with that character.
//!
//! Occurrences are counted **without overlap**, left to right, as `rg -F -o` and Python's
//! `str.count` do: `哈哈` occurs once in `哈哈哈`.

use std::sync::Arc;

use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED, Term};

use crate::Result;
use crate::analysis::exact::is_break;
use crate::analysis::fold;
use crate::index::cache::{PhraseCache, PhraseCounts};

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

/// The start positions of a phrase in each of the speeches `addrs` (any segments, any order,
/// repeats allowed), reading each segment's postings once: what a result page's snippets and a
/// concordance's shown lines need. Speeches without the phrase are absent from the map.
pub fn find_phrase_at(
    searcher: &tantivy::Searcher,
    field: Field,
    phrase: &str,
    addrs: impl IntoIterator<Item = tantivy::DocAddress>,
) -> Result<std::collections::HashMap<tantivy::DocAddress, Vec<u32>>> {
    let mut by_segment: std::collections::BTreeMap<u32, Vec<DocId>> = Default::default();
    for addr in addrs {
        by_segment.entry(addr.segment_ord).or_default().push(addr.doc_id);
    }
    let mut out = std::collections::HashMap::new();
    for (segment_ord, mut docs) in by_segment {
        docs.sort_unstable();
        docs.dedup();
        let seg = searcher.segment_reader(segment_ord);
        for occ in find_phrase_in_docs(seg, field, phrase, &docs)? {
            out.insert(tantivy::DocAddress::new(segment_ord, occ.doc), occ.starts);
        }
    }
    Ok(out)
}

/// The occurrences (with start positions) of a phrase in some documents of a segment (`docs`
/// ascending), reading only their postings and looking the phrase's terms up once: what the
/// snippets of a result page need.
pub fn find_phrase_in_docs(
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
    docs: &[DocId],
) -> Result<Vec<DocOccurrences>> {
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    find(seg, field, phrase, true, Some(docs))
}

/// Which documents a postings walk visits: all of them, or only some (ascending).
struct Walk<'a> {
    only: Option<&'a [DocId]>,
    next: usize,
}

impl Walk<'_> {
    /// The document to look at next: the leader's current one, or (with a list) the next listed
    /// document the leader holds, seeking it forward; `TERMINATED` when there is none.
    fn settle(&mut self, leader: &mut SegmentPostings) -> DocId {
        let Some(list) = self.only else { return leader.doc() };
        loop {
            let Some(&target) = list.get(self.next) else { return TERMINATED };
            let doc = if leader.doc() < target { leader.seek(target) } else { leader.doc() };
            if doc == target || doc == TERMINATED {
                return doc;
            }
            while list.get(self.next).is_some_and(|&t| t < doc) {
                self.next += 1;
            }
        }
    }
}

/// Finds `phrase` in `field` of `seg` (every alive document, or only those of `only`), in
/// phases: fold it; a single character is a prefix of terms ([`prefix_occurrences`]); otherwise
/// look its bigrams up ([`phrase_bigrams`]: one missing, no occurrence); two different characters
/// are counted from term frequencies ([`term_frequencies`]); longer phrases open the postings of
/// a cover ([`cover_postings`]) and intersect them ([`intersect_cover`]).
fn find(
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
    keep_positions: bool,
    only: Option<&[DocId]>,
) -> Result<Vec<DocOccurrences>> {
    let folded = fold(phrase);
    let chars: Vec<char> = folded.chars().collect();
    if chars.is_empty() || chars.iter().any(|&c| is_break(c)) {
        return Ok(Vec::new());
    }
    let len = chars.len() as u32;
    let inverted = seg.inverted_index(field)?;
    let alive = seg.alive_bitset();
    let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));

    if len == 1 {
        let prefix = chars[0].to_string();
        let max_doc = seg.max_doc();
        return prefix_occurrences(&inverted, max_doc, &prefix, keep_positions, only, is_alive);
    }
    let Some(bigrams) = phrase_bigrams(&inverted, field, &chars)? else {
        return Ok(Vec::new());
    };
    if len == 2 && chars[0] != chars[1] && !keep_positions {
        return term_frequencies(&inverted, &bigrams[0].1, only, is_alive);
    }
    let postings = cover_postings(&inverted, &bigrams, len)?;
    Ok(intersect_cover(postings, len, keep_positions, only, is_alive))
}

/// The bigrams of a phrase of two or more characters (`chars`) with their offsets and term
/// infos: every offset from five characters on, only the first and the last up to four (their
/// cover is fixed). `None` when one of them is not in the field: the phrase occurs nowhere.
fn phrase_bigrams(
    inverted: &tantivy::InvertedIndexReader,
    field: Field,
    chars: &[char],
) -> Result<Option<Vec<(u32, TermInfo)>>> {
    let last = chars.len() - 2;
    let mut bigrams = Vec::with_capacity(chars.len());
    for k in 0..=last {
        if chars.len() <= 4 && k != 0 && k != last {
            continue;
        }
        let text: String = chars[k..k + 2].iter().collect();
        let term = Term::from_field_text(field, &text);
        match inverted.get_term_info(&term).map_err(tantivy::TantivyError::from)? {
            Some(info) => bigrams.push((k as u32, info)),
            None => return Ok(None),
        }
    }
    Ok(Some(bigrams))
}

/// The counts of a phrase of two different characters, the one bigram term `info`: its
/// occurrences cannot overlap (an overlap at distance 1 would need both characters equal), so
/// its count in a document is the term's frequency there, and no positions are read.
fn term_frequencies(
    inverted: &tantivy::InvertedIndexReader,
    info: &TermInfo,
    only: Option<&[DocId]>,
    is_alive: impl Fn(DocId) -> bool,
) -> Result<Vec<DocOccurrences>> {
    let mut p = inverted
        .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
        .map_err(tantivy::TantivyError::from)?;
    let mut out = Vec::with_capacity(info.doc_freq as usize);
    let mut walk = Walk { only, next: 0 };
    let mut doc = walk.settle(&mut p);
    while doc != TERMINATED {
        if is_alive(doc) {
            out.push(DocOccurrences { doc, count: p.term_freq(), starts: Vec::new() });
        }
        p.advance();
        doc = walk.settle(&mut p);
    }
    Ok(out)
}

/// The postings (with positions) of the bigrams that cover a phrase of `len` characters, each
/// with its offset, the rarest first: it leads the intersection of documents. Up to four
/// characters the cover is fixed (the first and the last bigram: for four characters nothing is
/// gained by adding the middle one); from five on, it is the cheapest ([`cheapest_cover`]).
fn cover_postings(
    inverted: &tantivy::InvertedIndexReader,
    bigrams: &[(u32, TermInfo)],
    len: u32,
) -> Result<Vec<(SegmentPostings, u32)>> {
    let cover: Vec<usize> = if len <= 4 {
        (0..bigrams.len()).collect()
    } else {
        cheapest_cover(&bigrams.iter().map(|(_, i)| cost(i)).collect::<Vec<_>>())
    };
    let mut postings = Vec::with_capacity(cover.len());
    for i in cover {
        let (offset, info) = &bigrams[i];
        let p = inverted
            .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)
            .map_err(tantivy::TantivyError::from)?;
        postings.push((p, *offset));
    }
    postings.sort_by_key(|(p, _)| p.doc_freq());
    Ok(postings)
}

/// The documents that every postings list of the cover holds (the first, the rarest, leads; the
/// others follow it, [`followers_past`]) and where the phrase starts somewhere
/// ([`phrase_starts`]), with their non-overlapping counts.
fn intersect_cover(
    mut postings: Vec<(SegmentPostings, u32)>,
    len: u32,
    keep_positions: bool,
    only: Option<&[DocId]>,
    is_alive: impl Fn(DocId) -> bool,
) -> Vec<DocOccurrences> {
    let mut out = Vec::new();
    let mut order: Vec<usize> = (0..postings.len()).collect();
    let mut buf: Vec<u32> = Vec::new();
    let mut starts: Vec<u32> = Vec::new();
    let mut walk = Walk { only, next: 0 };
    let mut doc = walk.settle(&mut postings[0].0);
    while doc != TERMINATED {
        if let Some(d) = followers_past(&mut postings[1..], doc) {
            postings[0].0.seek(d);
            doc = walk.settle(&mut postings[0].0);
            continue;
        }
        if is_alive(doc) {
            phrase_starts(&mut postings, &mut order, &mut buf, &mut starts);
            if !starts.is_empty() {
                let (count, starts) = non_overlapping(&starts, len, keep_positions);
                out.push(DocOccurrences { doc, count, starts });
            }
        }
        postings[0].0.advance();
        doc = walk.settle(&mut postings[0].0);
    }
    out
}

/// Moves the followers (the postings lists after the leader) to `doc`: the first document past
/// `doc` that one of them reaches instead, or `None` when they all hold `doc`. (`seek` wants a
/// target at or after the current document; tantivy debug-asserts it.)
fn followers_past(followers: &mut [(SegmentPostings, u32)], doc: DocId) -> Option<DocId> {
    for (p, _) in followers {
        let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
        if d > doc {
            return Some(d);
        }
    }
    None
}

/// The start positions of the phrase (ascending) in the document that every postings list
/// stands on, into `starts` (empty: none). Positions are decoded term by term, fewest first in
/// this document (`order` is reordered), and only while some start position survives.
fn phrase_starts(
    postings: &mut [(SegmentPostings, u32)],
    order: &mut [usize],
    buf: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    order.sort_by_key(|&i| postings[i].0.term_freq());
    starts.clear();
    for (n, &i) in order.iter().enumerate() {
        let (p, offset) = &mut postings[i];
        buf.clear();
        p.positions(buf);
        if n == 0 {
            // Start positions: every position shifted back by its offset.
            starts.extend(buf.iter().filter(|&&x| x >= *offset).map(|&x| x - *offset));
        } else {
            retain_shifted(starts, buf, *offset);
        }
        if starts.is_empty() {
            break;
        }
    }
}

/// What reading a term's postings costs: the bytes of its document list and positions.
fn cost(info: &TermInfo) -> u64 {
    (info.postings_range.len() + info.positions_range.len()) as u64
}

/// The offsets of the cheapest set of bigrams (`costs[k]` is the cost of the bigram at offset
/// `k`) that covers every character of the phrase: it holds the first and the last bigram, and
/// consecutive chosen offsets are 1 or 2 apart. With frequent words such as 社会主义市场经济, the
/// bigrams that straddle word boundaries (义市, 场经) are far rarer than the words' own bigrams.
fn cheapest_cover(costs: &[u64]) -> Vec<usize> {
    let m = costs.len();
    // best[k]: cheapest cover of characters 0..=k+1 whose last chosen bigram is at k; from[k]
    // the previous chosen offset.
    let mut best = vec![u64::MAX; m];
    let mut from = vec![usize::MAX; m];
    for k in 0..m {
        if k == 0 {
            best[0] = costs[0];
            continue;
        }
        for prev in [k.checked_sub(1), k.checked_sub(2)].into_iter().flatten() {
            let c = best[prev].saturating_add(costs[k]);
            if c < best[k] {
                best[k] = c;
                from[k] = prev;
            }
        }
    }
    let mut out = Vec::new();
    let mut k = m - 1;
    loop {
        out.push(k);
        if k == 0 {
            break;
        }
        k = from[k];
    }
    out.reverse();
    out
}

/// Keeps the start positions `s` (ascending) for which `s + offset` is in `positions`
/// (ascending).
fn retain_shifted(starts: &mut Vec<u32>, positions: &[u32], offset: u32) {
    let mut j = 0;
    starts.retain(|&s| {
        let want = s + offset;
        while j < positions.len() && positions[j] < want {
            j += 1;
        }
        j < positions.len() && positions[j] == want
    });
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
    max_doc: DocId,
    prefix: &str,
    keep_positions: bool,
    only: Option<&[DocId]>,
    is_alive: impl Fn(DocId) -> bool,
) -> Result<Vec<DocOccurrences>> {
    let mut builder = inverted.terms().range().ge(prefix.as_bytes());
    let upper = successor(prefix.chars().next().unwrap_or('\0'));
    if let Some(upper) = &upper {
        builder = builder.lt(upper.as_bytes());
    }
    let mut stream = builder.into_stream().map_err(tantivy::TantivyError::from)?;
    // Counts (and positions) by document, in arrays indexed by document: a frequent character
    // starts hundreds of terms, each with thousands of documents.
    let mut counts = vec![0u32; max_doc as usize];
    let mut starts: Vec<Vec<u32>> =
        if keep_positions { vec![Vec::new(); max_doc as usize] } else { Vec::new() };
    let option = if keep_positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let mut buf = Vec::new();
    while stream.advance() {
        let mut postings = inverted
            .read_postings_from_terminfo(stream.value(), option)
            .map_err(tantivy::TantivyError::from)?;
        let mut walk = Walk { only, next: 0 };
        let mut doc = walk.settle(&mut postings);
        while doc != TERMINATED {
            counts[doc as usize] += postings.term_freq();
            if keep_positions {
                buf.clear();
                postings.positions(&mut buf);
                starts[doc as usize].extend_from_slice(&buf);
            }
            postings.advance();
            doc = walk.settle(&mut postings);
        }
    }
    let mut out = Vec::new();
    for (doc, &count) in counts.iter().enumerate() {
        let doc = doc as DocId;
        if count == 0 || !is_alive(doc) {
            continue;
        }
        let starts = match starts.get_mut(doc as usize) {
            Some(s) => {
                s.sort_unstable();
                std::mem::take(s)
            }
            None => Vec::new(),
        };
        out.push(DocOccurrences { doc, count, starts });
    }
    Ok(out)
}

/// The exact counts of `phrase` (as typed) in `field` of `seg`, through `cache` (the index's
/// [`PhraseCache`], which keeps them when it has a budget: the server).
pub fn phrase_counts(
    cache: &PhraseCache,
    seg: &SegmentReader,
    field: Field,
    phrase: &str,
) -> Result<Arc<PhraseCounts>> {
    cache.get_or_count(seg, field, phrase, || {
        Ok(PhraseCounts::from(find_phrase(seg, field, phrase, false)?))
    })
}

impl From<Vec<DocOccurrences>> for PhraseCounts {
    fn from(found: Vec<DocOccurrences>) -> Self {
        let mut out = PhraseCounts {
            docs: Vec::with_capacity(found.len()),
            counts: Vec::with_capacity(found.len()),
        };
        for o in found {
            out.docs.push(o.doc);
            out.counts.push(o.count);
        }
        out
    }
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

    /// Non-overlapping occurrences, left to right, like `str.count` / `rg -o`.
    fn naive_count(text: &str, phrase: &str) -> u32 {
        text.matches(phrase).count() as u32
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Counts and positions from the index equal a substring count, for phrases of one to
        /// seven characters over a tiny alphabet (so that phrases overlap themselves, as 哈哈
        /// in 哈哈哈, and long phrases choose among many covers).
        #[test]
        fn counts_equal_substring_counts(
            texts in proptest::collection::vec("[哈甲乙\n]{0,60}", 1..6),
            phrases in proptest::collection::vec("[哈甲乙]{1,7}", 1..6),
            subset in proptest::collection::vec(proptest::bool::ANY, 6),
        ) {
            let schema = crate::index::schema::build_schema();
            let index = tantivy::Index::create_in_ram(schema.clone());
            crate::analysis::register(&index, &[]);
            let fields = crate::index::Fields::resolve(&schema).unwrap();
            let mut writer: tantivy::IndexWriter<crate::index::document::SpeechDoc> =
                index.writer_with_num_threads(1, 15 << 20).unwrap();
            for text in &texts {
                let mut doc = crate::index::document::SpeechDoc::new();
                doc.add_text(fields.body_exact, text.clone());
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            let seg = searcher.segment_reader(0);
            let listed: Vec<DocId> =
                (0..texts.len() as DocId).filter(|&d| subset[d as usize]).collect();
            for phrase in &phrases {
                // Some documents only (a result page): the same as all, filtered.
                let all = find_phrase(seg, fields.body_exact, phrase, true).unwrap();
                let some = find_phrase_in_docs(seg, fields.body_exact, phrase, &listed).unwrap();
                let want: Vec<&DocOccurrences> =
                    all.iter().filter(|o| listed.contains(&o.doc)).collect();
                proptest::prop_assert_eq!(some.iter().collect::<Vec<_>>(), want,
                    "{:?} in docs {:?}", phrase, &listed);
                for keep in [false, true] {
                    let found = find_phrase(seg, fields.body_exact, phrase, keep).unwrap();
                    for (doc, text) in texts.iter().enumerate() {
                        let want = naive_count(text, phrase);
                        let got = found.iter().find(|o| o.doc == doc as u32);
                        proptest::prop_assert_eq!(got.map_or(0, |o| o.count), want,
                            "{:?} in {:?} (positions {})", phrase, text, keep);
                        if keep && let Some(o) = got {
                            let starts: Vec<u32> = text
                                .match_indices(phrase.as_str())
                                .map(|(b, _)| text[..b].chars().count() as u32)
                                .collect();
                            proptest::prop_assert_eq!(&o.starts, &starts);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cheapest_cover_covers_every_character() {
        // 社会主义市场经济: 社会 会主 主义 义市 市场 场经 经济, the words' bigrams frequent.
        assert_eq!(cheapest_cover(&[100, 5, 100, 5, 100, 5, 100]), vec![0, 1, 3, 5, 6]);
        assert_eq!(cheapest_cover(&[1, 1, 1, 1, 1, 1, 1]), vec![0, 2, 4, 6]);
        assert_eq!(cheapest_cover(&[7]), vec![0]);
        assert_eq!(cheapest_cover(&[1, 1]), vec![0, 1]);
        // Any costs: first and last chosen, gaps of 1 or 2.
        for costs in [[3u64, 9, 1, 1, 9, 2], [1, 1, 100, 1, 1, 1], [9, 9, 9, 9, 9, 9]] {
            let cover = cheapest_cover(&costs);
            assert_eq!((cover[0], *cover.last().unwrap()), (0, costs.len() - 1));
            assert!(cover.windows(2).all(|w| (1..=2).contains(&(w[1] - w[0]))), "{cover:?}");
        }
    }

    #[test]
    fn retain_shifted_intersects() {
        let mut starts = vec![0, 3, 5, 9];
        retain_shifted(&mut starts, &[2, 5, 7, 11], 2);
        assert_eq!(starts, vec![0, 3, 5, 9]);
        let mut starts = vec![0, 3, 5, 9];
        retain_shifted(&mut starts, &[5, 11], 2);
        assert_eq!(starts, vec![3, 9]);
        let mut starts = vec![1];
        retain_shifted(&mut starts, &[], 1);
        assert!(starts.is_empty());
    }

    #[test]
    fn successor_skips_surrogates() {
        assert_eq!(successor('a').as_deref(), Some("b"));
        assert_eq!(successor('\u{D7FF}').as_deref(), Some("\u{E000}"));
        assert_eq!(successor(char::MAX), None);
    }

    #[test]
    fn phrase_counts_follow_deletions_in_a_segment() {
        use tantivy::{Index, IndexWriter, TantivyDocument, Term};
        let schema = crate::index::schema::build_schema();
        let fields = crate::index::Fields::resolve(&schema).unwrap();
        let index = Index::create_in_ram(schema);
        crate::analysis::register(&index, &[]);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for (id, body) in [("a", "甲乙和甲乙"), ("b", "甲乙"), ("c", "丙丁")] {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.id, id);
            doc.add_text(fields.body_exact, body);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let cache = crate::index::cache::PhraseCache::new(1 << 20);
        let total = |searcher: &tantivy::Searcher| -> (usize, u32) {
            let seg = &searcher.segment_readers()[0];
            let c = phrase_counts(&cache, seg, fields.body_exact, "甲乙").unwrap();
            (c.len(), c.counts.iter().sum())
        };
        assert_eq!(total(&reader.searcher()), (2, 3));
        assert_eq!(total(&reader.searcher()), (2, 3));
        assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));

        // Deleting a speech keeps the segment (no merges) but changes its alive documents.
        writer.delete_term(Term::from_field_text(fields.id, "a"));
        writer.commit().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        assert_eq!(total(&searcher), (1, 1), "not the counts cached before the deletion");
    }
}
