//! Whitespace-insensitive matching on the exact field: `search --ignore-space` and
//! [`super::verify`].
//!
//! ## What matches
//!
//! A text is **squeezed**: [`fold`]ed, then every whitespace character removed (anything
//! `char::is_whitespace` accepts after folding: space, U+3000, tab, line breaks, …). A phrase
//! matches wherever the squeezed text equals the squeezed phrase, and only there; occurrences are
//! counted left to right without overlap in the squeezed text, as `str::matches` counts them.
//! Each occurrence is reported as a range of the original text, from its first to its last
//! character (whitespace inside it included, around it not). So `李强` matches the byline
//! `李　强`, and `李强所作的政府工作报告` the wrapped `李强所作的⏎政府工作报告`.
//!
//! [`Equivalence::WhitespaceAndPunctuation`] (what `verify` uses) also takes the punctuation of
//! each pair of [`PUNCTUATION`] as equal. Folding already maps the full-width forms to ASCII
//! (`，` `：` `；` `！` `？` `（` `）` are `,` `:` `;` `!` `?` `(` `)`); the table adds the pairs
//! that folding keeps apart:
//!
//! | characters | taken as |
//! |---|---|
//! | `“` `”` `„` `‟` `〝` `〞` `「` `」` `『` `』` | `"` |
//! | `‘` `’` `‚` `‛` | `'` |
//! | `。` | `.` |
//! | `—` `–` `―` `‒` `‐` `−` | `-` |
//! | `【` `〔` `〖` / `】` `〕` `〗` | `[` / `]` |
//! | `⋯` | `…` |
//! | `・` `•` `‧` `∙` | `·` |
//! | `〜` | `~` |
//!
//! `、` (the enumeration comma) is not `,`, and `《》` are not `<>`: they are different marks, and a
//! quote that swaps them is a near match, with the difference shown.
//!
//! ## How the index finds occurrences
//!
//! The exact field has one token per character position ([`crate::analysis::exact`]): at the
//! position `t` of a character `c`, the bigram `cd` when the next character `d` is not a line
//! break, else the unigram `c`. In an occurrence of the squeezed phrase `q` (`m` characters), the
//! token at the position `t_k` of `q[k]` (`k < m − 1`) is therefore either
//!
//! * the bigram `q[k]q[k+1]` (a **direct** term): `q[k+1]` is at `t_k + 1`; or
//! * a **gap** term: `q[k]` followed by one of [`FOLDED_SPACES`], or the unigram `q[k]` (before a
//!   line break). Then `q[k+1]` is the first character after the whitespace, i.e. at the first
//!   position after `t_k` that holds a term of offset `k + 1` (any position in between holding
//!   one would be a character that is not whitespace).
//!
//! So the terms of every offset are looked up (with [`Equivalence::WhitespaceAndPunctuation`],
//! for every character of each pair too); documents holding a term of every offset are
//! intersected, rarest offset first; in each, chains are followed from every position of
//! offset 0 through the positions of the others. A chain of direct terms, and of gaps of one
//! character (`作的⏎政府`, `李　强`: the gap term itself says that the character after `q[k]` is
//! whitespace), is an occurrence proven by the index alone. A chain through a longer gap is a
//! candidate: the stored text confirms that only whitespace lies in it (the index cannot tell a
//! second line break from a character whose term is not looked up), and, when the last step is
//! a gap, which character follows it. Only documents with such a candidate are read.

use std::sync::Arc;

use tantivy::postings::{Postings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue};
use tantivy::{DocId, DocSet, InvertedIndexReader, SegmentReader, TERMINATED, Term};

use crate::Result;
use crate::analysis::fold;
use crate::index::document::SpeechDoc;

/// Which characters are taken as equal, beyond folding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Equivalence {
    /// Whitespace is ignored (`search --ignore-space`).
    #[default]
    Whitespace,
    /// Whitespace is ignored and the punctuation of each pair of [`PUNCTUATION`] is equal
    /// (`verify`).
    WhitespaceAndPunctuation,
}

/// The whitespace characters that can follow a character in a term of the exact field: the
/// folded forms of every whitespace character other than line breaks (U+3000, no-break and
/// the typographic spaces fold to a space).
pub const FOLDED_SPACES: [char; 8] =
    [' ', '\t', '\u{b}', '\u{c}', '\u{85}', '\u{1680}', '\u{2028}', '\u{2029}'];

/// Punctuation taken as equal by [`Equivalence::WhitespaceAndPunctuation`], beyond what
/// folding does: `(character, taken as)`.
pub const PUNCTUATION: &[(char, char)] = &[
    ('“', '"'),
    ('”', '"'),
    ('„', '"'),
    ('‟', '"'),
    ('〝', '"'),
    ('〞', '"'),
    ('「', '"'),
    ('」', '"'),
    ('『', '"'),
    ('』', '"'),
    ('‘', '\''),
    ('’', '\''),
    ('‚', '\''),
    ('‛', '\''),
    ('。', '.'),
    ('—', '-'),
    ('–', '-'),
    ('―', '-'),
    ('‒', '-'),
    ('‐', '-'),
    ('−', '-'),
    ('【', '['),
    ('〔', '['),
    ('〖', '['),
    ('】', ']'),
    ('〕', ']'),
    ('〗', ']'),
    ('⋯', '…'),
    ('・', '·'),
    ('•', '·'),
    ('‧', '·'),
    ('∙', '·'),
    ('〜', '~'),
];

/// Whether a folded character is whitespace (removed when squeezing).
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The character `c` (folded) is compared as.
#[inline]
pub fn unify(c: char, eq: Equivalence) -> char {
    if eq == Equivalence::Whitespace || c.is_ascii() {
        return c;
    }
    PUNCTUATION.iter().find(|(from, _)| *from == c).map_or(c, |&(_, to)| to)
}

/// Every folded character compared as `c` (itself included, first).
pub fn class(c: char, eq: Equivalence) -> Vec<char> {
    let mut out = vec![c];
    if eq == Equivalence::WhitespaceAndPunctuation {
        let target = unify(c, eq);
        if target != c {
            out.push(target);
        }
        out.extend(PUNCTUATION.iter().filter(|(f, t)| *t == target && *f != c).map(|(f, _)| *f));
    }
    out
}

/// A squeezed text: folded, unified, whitespace removed, with the offset of each character in
/// the original text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Squeezed {
    /// The characters that remain.
    pub chars: Vec<char>,
    /// For each, its character offset in the original text.
    pub offsets: Vec<u32>,
}

/// Squeezes `text` (see the module doc).
pub fn squeeze(text: &str, eq: Equivalence) -> Squeezed {
    let mut out = Squeezed::default();
    for (i, c) in fold(text).chars().enumerate() {
        if !is_space(c) {
            out.chars.push(unify(c, eq));
            out.offsets.push(i as u32);
        }
    }
    out
}

/// The characters `from..to` of `text` folded as [`fold`] folds them in the whole text
/// (traditional → simplified looks at the neighbouring characters, so one is taken on each side).
pub fn fold_range(text: &[char], from: usize, to: usize) -> Vec<char> {
    let to = to.min(text.len());
    let from = from.min(to);
    let lo = from.saturating_sub(1);
    let hi = (to + 1).min(text.len());
    let window: String = text[lo..hi].iter().collect();
    fold(&window).chars().skip(from - lo).take(to - from).collect()
}

/// Squeezes the characters `from..to` of `text`; offsets are offsets in `text`.
pub fn squeeze_range(text: &[char], from: usize, to: usize, eq: Equivalence) -> Squeezed {
    let to = to.min(text.len());
    let from = from.min(to);
    let mut out = Squeezed::default();
    for (i, c) in fold_range(text, from, to).into_iter().enumerate() {
        if !is_space(c) {
            out.chars.push(unify(c, eq));
            out.offsets.push((from + i) as u32);
        }
    }
    out
}

/// The occurrences of `phrase` in one text (as typed, not from the index: for the one speech
/// whose sentence is shown), as `[first, last + 1)` character offsets, without overlap.
pub fn find_in_text(text: &str, phrase: &str, eq: Equivalence) -> Vec<[u32; 2]> {
    let t = squeeze(text, eq);
    let p = squeeze(phrase, eq).chars;
    let mut out = Vec::new();
    let mut i = 0;
    while !p.is_empty() && i + p.len() <= t.chars.len() {
        if t.chars[i..i + p.len()] == p[..] {
            out.push([t.offsets[i], t.offsets[i + p.len() - 1] + 1]);
            i += p.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The occurrences of a phrase in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    /// Document within the segment.
    pub doc: DocId,
    /// Non-overlapping occurrences, ascending: `[first, last + 1)` character offsets in the
    /// original text.
    pub spans: Vec<[u32; 2]>,
}

/// The texts of documents, as characters, for confirming gaps.
pub type TextLoader<'a> = dyn FnMut(DocId) -> Result<Arc<Vec<char>>> + 'a;

/// Finds `phrase` (as typed) in the exact field `field` of one segment, ignoring whitespace
/// (and unifying punctuation with [`Equivalence::WhitespaceAndPunctuation`]); `body` is the
/// stored field the texts are read from when a gap must be confirmed. Only the documents of
/// `only` (ascending) when given.
pub fn find_spaceless(
    seg: &SegmentReader,
    field: Field,
    body: Field,
    phrase: &str,
    eq: Equivalence,
    only: Option<&[DocId]>,
) -> Result<Vec<Occurrences>> {
    let q = squeeze(phrase, eq).chars;
    find_squeezed(seg, field, &q, eq, only, &mut segment_texts(seg, body))
}

/// A [`TextLoader`] reading the stored field `body` of a segment's documents (the doc store is
/// opened on first use, with a small cache of decompressed blocks: documents are asked for in
/// ascending order, and a block holds several).
pub fn segment_texts(
    seg: &SegmentReader,
    body: Field,
) -> impl FnMut(DocId) -> Result<Arc<Vec<char>>> + '_ {
    let mut store = None;
    move |doc: DocId| {
        if store.is_none() {
            store = Some(seg.get_store_reader(4).map_err(tantivy::TantivyError::from)?);
        }
        let Some(reader) = store.as_ref() else { return Ok(Arc::default()) };
        let mut stored: SpeechDoc = reader.get(doc)?;
        Ok(Arc::new(match stored.take(body) {
            Some(OwnedValue::Str(text)) => text.chars().collect(),
            _ => Vec::new(),
        }))
    }
}

/// [`find_spaceless`] for a phrase already squeezed, with the texts from `load`.
pub fn find_squeezed(
    seg: &SegmentReader,
    field: Field,
    q: &[char],
    eq: Equivalence,
    only: Option<&[DocId]>,
    load: &mut TextLoader<'_>,
) -> Result<Vec<Occurrences>> {
    if q.is_empty() {
        return Ok(Vec::new());
    }
    if q.len() == 1 {
        return single_character(seg, field, q[0], eq, only);
    }
    let inverted = seg.inverted_index(field)?;
    let plan = Plan::new(&inverted, field, q, eq)?;
    if plan.offsets.iter().any(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let alive = |doc: DocId| seg.alive_bitset().is_none_or(|a| a.is_alive(doc));
    // Documents holding every offset, rarest offset first.
    let mut order: Vec<usize> = (0..plan.offsets.len()).collect();
    order.sort_by_key(|&k| plan.cost(k));
    let mut docs = docs_with(&inverted, &plan.offsets[order[0]], only)?;
    docs.retain(|&d| alive(d));
    for &k in &order[1..] {
        if docs.is_empty() {
            break;
        }
        docs = docs_with(&inverted, &plan.offsets[k], Some(&docs))?;
    }
    let all: Vec<usize> = (0..plan.offsets.len()).collect();
    let mut out = Vec::new();
    for hits in plan.hits(&inverted, &all, &docs)? {
        let mut spans = Vec::new();
        let mut text: Option<Arc<Vec<char>>> = None;
        for chain in chains(&hits, q.len()) {
            if chain.gaps.iter().any(|&(a, b)| hits.any_within(a, b)) {
                // A term of the phrase inside a gap: a character that is not whitespace.
                continue;
            }
            let span = match chain.end {
                End::At(end) if chain.gaps.is_empty() => Some([chain.start, end]),
                _ => {
                    if text.is_none() {
                        text = Some(load(hits.doc)?);
                    }
                    let text = text.as_deref().map_or(&[][..], Vec::as_slice);
                    confirm(&chain, text, q[q.len() - 1], eq)
                }
            };
            spans.extend(span);
        }
        let spans = non_overlapping(spans);
        if !spans.is_empty() {
            out.push(Occurrences { doc: hits.doc, spans });
        }
    }
    Ok(out)
}

/// A one-character phrase: never crosses whitespace, so its occurrences are those of each
/// character of its class in the exact field.
fn single_character(
    seg: &SegmentReader,
    field: Field,
    c: char,
    eq: Equivalence,
    only: Option<&[DocId]>,
) -> Result<Vec<Occurrences>> {
    let mut by_doc: std::collections::BTreeMap<DocId, Vec<[u32; 2]>> = Default::default();
    for member in class(c, eq) {
        let text = member.to_string();
        let found = match only {
            Some(docs) => super::exact::find_phrase_in_docs(seg, field, &text, docs)?,
            None => super::exact::find_phrase(seg, field, &text, true)?,
        };
        for occ in found {
            by_doc.entry(occ.doc).or_default().extend(occ.starts.iter().map(|&s| [s, s + 1]));
        }
    }
    Ok(by_doc
        .into_iter()
        .map(|(doc, mut spans)| {
            spans.sort_unstable();
            Occurrences { doc, spans }
        })
        .collect())
}

/// A term of one offset of the phrase.
#[derive(Debug, Clone)]
pub(crate) struct OffsetTerm {
    info: TermInfo,
    /// A gap term (the character followed by whitespace or a line break) rather than the
    /// bigram of the offset.
    gap: bool,
}

/// The terms of each bigram offset `k` (`0..m−1`) of a squeezed phrase in one segment.
#[derive(Debug)]
pub(crate) struct Plan {
    /// For each offset, the terms found in the segment's dictionary (empty: none).
    pub offsets: Vec<Vec<OffsetTerm>>,
}

impl Plan {
    /// Looks up the direct and gap terms of every offset of `q` (at least two characters).
    pub fn new(
        inverted: &InvertedIndexReader,
        field: Field,
        q: &[char],
        eq: Equivalence,
    ) -> Result<Plan> {
        let classes: Vec<Vec<char>> = q.iter().map(|&c| class(c, eq)).collect();
        let mut offsets = Vec::with_capacity(q.len().saturating_sub(1));
        let mut text = String::new();
        let lookup = |text: &str, gap: bool, into: &mut Vec<OffsetTerm>| -> Result<()> {
            let term = Term::from_field_text(field, text);
            if let Some(info) =
                inverted.get_term_info(&term).map_err(tantivy::TantivyError::from)?
            {
                into.push(OffsetTerm { info, gap });
            }
            Ok(())
        };
        for k in 0..q.len().saturating_sub(1) {
            let mut terms = Vec::new();
            for &a in &classes[k] {
                for &b in &classes[k + 1] {
                    text.clear();
                    text.push(a);
                    text.push(b);
                    lookup(&text, false, &mut terms)?;
                }
                text.clear();
                text.push(a);
                lookup(&text, true, &mut terms)?;
                for space in FOLDED_SPACES {
                    text.clear();
                    text.push(a);
                    text.push(space);
                    lookup(&text, true, &mut terms)?;
                }
            }
            offsets.push(terms);
        }
        Ok(Plan { offsets })
    }

    /// What reading offset `k` costs, in documents of its terms.
    pub fn cost(&self, k: usize) -> u64 {
        self.offsets[k].iter().map(|t| u64::from(t.info.doc_freq)).sum()
    }

    /// The positions of the offsets `which` in each of `docs` (ascending).
    pub fn hits(
        &self,
        inverted: &InvertedIndexReader,
        which: &[usize],
        docs: &[DocId],
    ) -> Result<Vec<DocHits>> {
        let mut out: Vec<DocHits> = docs
            .iter()
            .map(|&doc| DocHits {
                doc,
                direct: vec![Vec::new(); self.offsets.len()],
                gap: vec![Vec::new(); self.offsets.len()],
            })
            .collect();
        for &k in which {
            for term in &self.offsets[k] {
                let mut p = inverted
                    .read_postings_from_terminfo(
                        &term.info,
                        IndexRecordOption::WithFreqsAndPositions,
                    )
                    .map_err(tantivy::TantivyError::from)?;
                for hits in out.iter_mut() {
                    let d = if p.doc() < hits.doc { p.seek(hits.doc) } else { p.doc() };
                    if d == TERMINATED {
                        break;
                    }
                    if d == hits.doc {
                        let into = if term.gap { &mut hits.gap[k] } else { &mut hits.direct[k] };
                        p.append_positions_with_offset(0, into);
                    }
                }
            }
            for hits in out.iter_mut() {
                hits.direct[k].sort_unstable();
                hits.gap[k].sort_unstable();
            }
        }
        Ok(out)
    }
}

/// Alive-or-not aside, the documents (ascending) holding any of `terms`; only those of `within`
/// (ascending) when given.
pub(crate) fn docs_with(
    inverted: &InvertedIndexReader,
    terms: &[OffsetTerm],
    within: Option<&[DocId]>,
) -> Result<Vec<DocId>> {
    let mut marks = within.map(|w| vec![false; w.len()]);
    let mut all = Vec::new();
    for term in terms {
        let mut p = inverted
            .read_postings_from_terminfo(&term.info, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?;
        match (within, marks.as_mut()) {
            (Some(list), Some(marks)) => {
                for (i, &doc) in list.iter().enumerate() {
                    let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                    if d == TERMINATED {
                        break;
                    }
                    marks[i] |= d == doc;
                }
            }
            _ => {
                while p.doc() != TERMINATED {
                    all.push(p.doc());
                    p.advance();
                }
            }
        }
    }
    if let (Some(list), Some(marks)) = (within, marks) {
        return Ok(list.iter().zip(marks).filter(|(_, m)| *m).map(|(&d, _)| d).collect());
    }
    all.sort_unstable();
    all.dedup();
    Ok(all)
}

/// The positions of the offsets of a phrase in one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocHits {
    pub doc: DocId,
    /// Per offset, positions of its direct terms (ascending).
    pub direct: Vec<Vec<u32>>,
    /// Per offset, positions of its gap terms (ascending).
    pub gap: Vec<Vec<u32>>,
}

impl DocHits {
    /// Whether a term of any offset is at a position strictly between `a` and `b`.
    fn any_within(&self, a: u32, b: u32) -> bool {
        let inside = |v: &Vec<u32>| v.get(v.partition_point(|&p| p <= a)).is_some_and(|&p| p < b);
        self.direct.iter().chain(&self.gap).any(inside)
    }

    /// The first position after `t` holding a term of offset `k`.
    fn next_after(&self, k: usize, t: u32) -> Option<u32> {
        let first = |v: &[u32]| v.get(v.partition_point(|&p| p <= t)).copied();
        match (first(&self.direct[k]), first(&self.gap[k])) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// How a chain ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The phrase's last character ends at this offset (exclusive).
    At(u32),
    /// The next to last character is at this offset and followed by whitespace: the last one is
    /// the first character after it that is not whitespace.
    AfterGap(u32),
}

/// A candidate occurrence found in the postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chain {
    /// Offset of the first character.
    pub start: u32,
    /// `(a, b)`: the characters strictly between offsets `a` and `b` must be whitespace.
    pub gaps: Vec<(u32, u32)>,
    /// Where it ends.
    pub end: End,
}

/// Every chain of a phrase of `m ≥ 2` characters through the postings of one document (see
/// the module doc), by ascending start.
pub(crate) fn chains(hits: &DocHits, m: usize) -> Vec<Chain> {
    let last = m - 2;
    let mut starts: Vec<u32> = hits.direct[0].iter().chain(&hits.gap[0]).copied().collect();
    starts.sort_unstable();
    let mut out = Vec::new();
    'start: for start in starts {
        let mut t = start;
        let mut gaps = Vec::new();
        for k in 0..=last {
            let direct = hits.direct[k].binary_search(&t).is_ok();
            if !direct && hits.gap[k].binary_search(&t).is_err() {
                continue 'start;
            }
            if k == last {
                let end = if direct { End::At(t + 2) } else { End::AfterGap(t) };
                out.push(Chain { start, gaps, end });
                continue 'start;
            }
            if direct {
                t += 1;
            } else {
                let Some(next) = hits.next_after(k + 1, t) else { continue 'start };
                // One character between: the gap term says it is whitespace (a line break
                // after a unigram, a space after `q[k]` in a bigram). Longer gaps are checked in
                // the text.
                if next > t + 2 {
                    gaps.push((t, next));
                }
                t = next;
            }
        }
    }
    out
}

/// Confirms a chain in the text: whitespace in each gap and, after a final gap, `last` (unified)
/// as the next character. The occurrence's `[start, end)`, or `None`.
pub(crate) fn confirm(
    chain: &Chain,
    text: &[char],
    last: char,
    eq: Equivalence,
) -> Option<[u32; 2]> {
    let blank = |i: usize| text.get(i).is_some_and(|&c| is_space(fold_one(c)));
    for &(a, b) in &chain.gaps {
        if !(a as usize + 1..b as usize).all(blank) {
            return None;
        }
    }
    match chain.end {
        End::At(end) => Some([chain.start, end]),
        End::AfterGap(t) => {
            let mut i = t as usize + 1;
            while blank(i) {
                i += 1;
            }
            let c = fold_range(text, i, i + 1).first().map(|&c| unify(c, eq))?;
            (c == last).then_some([chain.start, i as u32 + 1])
        }
    }
}

/// Folds one character for width and case (enough to tell whitespace).
fn fold_one(c: char) -> char {
    crate::analysis::normalize::fold_char_width_case(c)
}

/// Occurrences `[start, end)` sorted by start, taken greedily left to right without overlap.
fn non_overlapping(mut spans: Vec<[u32; 2]>) -> Vec<[u32; 2]> {
    spans.sort_unstable();
    let mut out: Vec<[u32; 2]> = Vec::with_capacity(spans.len());
    for s in spans {
        if out.last().is_none_or(|prev| s[0] >= prev[1]) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folded_spaces_are_every_whitespace_after_folding() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let f = fold_one(c);
            if c.is_whitespace() || f.is_whitespace() {
                assert!(
                    crate::analysis::exact::is_break(f) || FOLDED_SPACES.contains(&f),
                    "{c:?} folds to {f:?}, which is missing from FOLDED_SPACES"
                );
            }
        }
        assert!(FOLDED_SPACES.iter().all(|c| c.is_whitespace() && fold_one(*c) == *c));
    }

    #[test]
    fn punctuation_pairs_are_stable_under_folding() {
        for &(from, to) in PUNCTUATION {
            assert_eq!(fold_one(from), from, "{from:?} is changed by folding: no pair needed");
            assert_eq!(fold_one(to), to, "{to:?} (target) is changed by folding");
            assert_eq!(unify(from, Equivalence::WhitespaceAndPunctuation), to);
        }
        // The pairs of the issue that folding already unifies.
        for (a, b) in [('，', ','), ('：', ':'), ('；', ';'), ('！', '!'), ('？', '?'), ('（', '(')]
        {
            assert_eq!(fold_one(a), b);
        }
        assert_eq!(class('"', Equivalence::WhitespaceAndPunctuation).len(), 11);
        assert_eq!(class('“', Equivalence::WhitespaceAndPunctuation)[..2], ['“', '"']);
        assert_eq!(class('“', Equivalence::Whitespace), vec!['“']);
    }

    #[test]
    fn squeezing_keeps_offsets() {
        let s = squeeze("李\u{3000}强 所作的\n政府", Equivalence::Whitespace);
        assert_eq!(s.chars.iter().collect::<String>(), "李强所作的政府");
        assert_eq!(s.offsets, vec![0, 2, 4, 5, 6, 8, 9]);
        let s = squeeze("“新質”。", Equivalence::WhitespaceAndPunctuation);
        assert_eq!(s.chars.iter().collect::<String>(), "\"新质\".");
        let chars: Vec<char> = "甲乾隆乙".chars().collect();
        assert_eq!(
            fold_range(&chars, 1, 3),
            fold("甲乾隆乙").chars().skip(1).take(2).collect::<Vec<_>>()
        );
    }

    fn hits(direct: &[&[u32]], gap: &[&[u32]]) -> DocHits {
        DocHits {
            doc: 0,
            direct: direct.iter().map(|v| v.to_vec()).collect(),
            gap: gap.iter().map(|v| v.to_vec()).collect(),
        }
    }

    #[test]
    fn chains_follow_direct_terms_and_gaps() {
        // 甲乙丙 at 0 (direct, direct); 甲乙\n丙 at 10: 乙 then a line break.
        let h = hits(&[&[0, 10], &[1]], &[&[], &[11]]);
        let c = chains(&h, 3);
        assert_eq!(c[0], Chain { start: 0, gaps: vec![], end: End::At(3) });
        assert_eq!(c[1], Chain { start: 10, gaps: vec![], end: End::AfterGap(11) });
        // 甲 at 20 followed by a space, 乙丙 at 23.
        let h = hits(&[&[], &[23]], &[&[20], &[]]);
        assert_eq!(
            chains(&h, 3),
            vec![Chain { start: 20, gaps: vec![(20, 23)], end: End::At(25) }]
        );
        // One character in the gap (甲 then a line break or a space): proven by the index.
        let h = hits(&[&[], &[2]], &[&[0], &[]]);
        assert_eq!(chains(&h, 3), vec![Chain { start: 0, gaps: vec![], end: End::At(4) }]);
        // A gap with no later hit of the next offset: nothing.
        let h = hits(&[&[], &[3]], &[&[20], &[]]);
        assert!(chains(&h, 3).is_empty());
        let text: Vec<char> = "甲乙\n 丙".chars().collect();
        let chain = Chain { start: 0, gaps: vec![], end: End::AfterGap(1) };
        assert_eq!(confirm(&chain, &text, '丙', Equivalence::Whitespace), Some([0, 5]));
        assert_eq!(confirm(&chain, &text, '丁', Equivalence::Whitespace), None);
        let chain = Chain { start: 0, gaps: vec![(0, 4)], end: End::At(5) };
        assert_eq!(confirm(&chain, &text, '丙', Equivalence::Whitespace), None);
    }

    #[test]
    fn finds_in_one_text() {
        let text = "国务院总理\u{3000}\n李\u{3000}强，李强";
        assert_eq!(find_in_text(text, "李强", Equivalence::Whitespace), vec![[7, 10], [11, 13]]);
        assert_eq!(find_in_text(text, " ", Equivalence::Whitespace), Vec::<[u32; 2]>::new());
    }

    #[test]
    fn non_overlapping_is_greedy() {
        assert_eq!(non_overlapping(vec![[2, 4], [0, 3], [3, 5]]), vec![[0, 3], [3, 5]]);
    }

    /// Non-overlapping occurrences of `phrase` in `text`, both squeezed: the oracle.
    fn naive(text: &str, phrase: &str, eq: Equivalence) -> Vec<[u32; 2]> {
        let t = squeeze(text, eq);
        let p = squeeze(phrase, eq).chars;
        let mut out = Vec::new();
        let mut i = 0;
        while !p.is_empty() && i + p.len() <= t.chars.len() {
            if t.chars[i..i + p.len()] == p[..] {
                out.push([t.offsets[i], t.offsets[i + p.len() - 1] + 1]);
                i += p.len();
            } else {
                i += 1;
            }
        }
        out
    }

    fn index_of(texts: &[String]) -> (tantivy::Index, crate::index::Fields) {
        let schema = crate::index::schema::build_schema();
        let index = tantivy::Index::create_in_ram(schema.clone());
        crate::analysis::register(&index, &[]);
        let fields = crate::index::Fields::resolve(&schema).unwrap();
        let mut writer: tantivy::IndexWriter<SpeechDoc> =
            index.writer_with_num_threads(1, 15 << 20).unwrap();
        for text in texts {
            let mut doc = SpeechDoc::new();
            doc.add_text(fields.body, text.clone());
            // The indexer folds a body once for both body fields.
            doc.add_text(fields.body_exact, fold(text));
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index, fields)
    }

    fn check(texts: &[String], phrases: &[String], eq: Equivalence) -> Result<(), TestCaseError> {
        let (index, fields) = index_of(texts);
        let searcher = index.reader().unwrap().searcher();
        let seg = searcher.segment_reader(0);
        for phrase in phrases {
            let found =
                find_spaceless(seg, fields.body_exact, fields.body, phrase, eq, None).unwrap();
            for (doc, text) in texts.iter().enumerate() {
                let want = naive(text, phrase, eq);
                let got =
                    found.iter().find(|o| o.doc == doc as u32).map_or(vec![], |o| o.spans.clone());
                prop_assert_eq!(got, want, "{:?} in {:?}", phrase, text);
            }
        }
        Ok(())
    }

    #[test]
    fn finds_bylines_and_wrapped_lines() {
        let texts = vec![
            "国务院总理\u{3000}\n李\u{3000}强\n\n各位代表".to_string(),
            "审议了国务院总理李强所作的\n政府工作报告\n。会议".to_string(),
            "“十五五”规划 。".to_string(),
        ];
        let phrases: Vec<String> =
            ["李强", "总理李强", "李强所作的政府工作报告", "报告。会议", "强", "\"十五五\"规划."]
                .map(String::from)
                .to_vec();
        check(&texts, &phrases, Equivalence::Whitespace).unwrap();
        check(&texts, &phrases, Equivalence::WhitespaceAndPunctuation).unwrap();
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "甲", "乙", "丙", "甲", "乙", " ", "\n", "\u{3000}", "\t", "\r\n", "“", "\"", "。", ".",
        ]);
        proptest::collection::vec(piece, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Occurrences from the index equal those of a plain scan of the squeezed texts.
        #[test]
        fn equals_a_scan_of_squeezed_texts(
            texts in proptest::collection::vec(text_strategy(), 1..5),
            phrases in proptest::collection::vec("[甲乙丙 \n“\"。.]{1,6}", 1..5),
            punctuation in proptest::bool::ANY,
        ) {
            let eq = if punctuation {
                Equivalence::WhitespaceAndPunctuation
            } else {
                Equivalence::Whitespace
            };
            check(&texts, &phrases, eq)?;
        }

        /// A quote cut from a text, with whitespace put anywhere into it, is always found
        /// there.
        #[test]
        fn a_quote_with_whitespace_inserted_is_found(
            text in "[甲乙丙丁戊，。\n ]{10,120}",
            cut in (0usize..100, 2usize..20),
            spaces in proptest::collection::vec((0usize..30, proptest::sample::select(vec![" ", "\n", "\u{3000}", "\r\n"])), 0..4),
        ) {
            let chars: Vec<char> = text.chars().collect();
            let from = cut.0.min(chars.len() - 1);
            let to = (from + cut.1).min(chars.len());
            let mut quote: Vec<String> = chars[from..to].iter().map(|c| c.to_string()).collect();
            for (at, s) in &spaces {
                let at = (*at).min(quote.len());
                quote.insert(at, s.to_string());
            }
            let quote = quote.concat();
            prop_assume!(!squeeze(&quote, Equivalence::Whitespace).chars.is_empty());
            let (index, fields) = index_of(std::slice::from_ref(&text));
            let searcher = index.reader().unwrap().searcher();
            let found = find_spaceless(
                searcher.segment_reader(0), fields.body_exact, fields.body, &quote,
                Equivalence::WhitespaceAndPunctuation, None,
            ).unwrap();
            prop_assert_eq!(found.len(), 1, "{:?} in {:?}", quote, text);
            // The occurrence that covers the cut, or one overlapping it (greedy order).
            let squeezed_len = squeeze(&quote, Equivalence::Whitespace).chars.len();
            prop_assert!(!found[0].spans.is_empty() && squeezed_len > 0);
            prop_assert_eq!(found[0].spans.clone(), naive(&text, &quote, Equivalence::WhitespaceAndPunctuation));
        }
    }
}
