//! `verify`: does a quotation occur in the speeches, where, and verbatim?
//!
//! A quote is compared with the texts **squeezed** ([`super::spaceless`]): folded (width, case,
//! traditional → simplified), whitespace and line breaks removed from both, and the punctuation
//! pairs of [`super::spaceless::PUNCTUATION`] taken as equal. So `李强所作的政府工作报告` is found
//! in `李强所作的⏎政府工作报告`, and `“十五五”` in `"十五五"`.
//!
//! **Exact matches** are every non-overlapping occurrence of the squeezed quote in the squeezed
//! texts, found through the exact field's postings as [`super::spaceless`] describes (the stored
//! text is read only to confirm whitespace in gaps, and for the passages shown). Each gives the
//! speech, the paragraph, the character offsets and the **original passage** (with its line
//! breaks), with some context.
//!
//! When there is none, **near matches** are the closest passages, by edit distance
//! (Levenshtein, one character inserted, deleted or replaced per edit) over the squeezed texts,
//! up to a maximum `D` (by default a fifth of the quote's characters, at least 1; quotes of fewer
//! than [`MIN_NEAR_CHARS`] characters get none). They are found through the index, not by
//! reading every text:
//!
//! 1. **q-gram filter.** A passage within `D` edits of a quote of `m` characters keeps at least
//!    `need = m − 1 − 2D` of the quote's `m − 1` bigrams (one edit breaks at most two), so among
//!    any `s = 2D + r` of them it keeps at least `r`. The positions of the `s` cheapest bigrams
//!    (each with its gap terms: the character before whitespace, [`super::spaceless`]) are read;
//!    documents where `r` of them occur within a window of `2m + D + 16` characters go on.
//! 2. **windows.** In those documents the positions of all the bigrams are read; windows of that
//!    width holding at least `need` different bigrams of the quote are candidates, best first.
//! 3. **alignment.** Around each candidate, the stored text is squeezed and the quote aligned
//!    to its best substring (semi-global edit distance, [`align`]); passages within `D` edits are
//!    kept with their differences. Windows are taken by decreasing number of bigrams, and the
//!    search stops when the next window cannot beat the `limit` passages found (a window with
//!    `b` bigrams is at least `⌈(m − 1 − b) / 2⌉` edits away) or after [`MAX_WINDOWS`]. Among
//!    passages equally close, those of windows with more bigrams, then earlier in the index,
//!    come first.
//!
//! The filter loses nothing within `D` edits except passages with more whitespace inside than
//! the window's slack (16 characters plus the quote's length); the cap on windows bounds the time
//! taken by quotes made only of very common bigrams.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::{DocAddress, DocId, SegmentReader};

use super::snippet::paragraph_of;
use super::spaceless::{
    Equivalence, Plan, Squeezed, docs_with, find_squeezed, segment_texts, squeeze, squeeze_range,
};
use crate::index::{SpeechIndex, StoredSpeech};
use crate::{Error, Result};

/// Longest quote, in characters once whitespace is removed.
pub const MAX_QUOTE_CHARS: usize = 1000;
/// Shortest quote that gets near matches, in characters once whitespace is removed.
pub const MIN_NEAR_CHARS: usize = 4;
/// Most candidate windows aligned for near matches.
pub const MAX_WINDOWS: usize = 400;

/// Comparison used by `verify`.
const EQ: Equivalence = Equivalence::WhitespaceAndPunctuation;

/// A quotation to verify.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// The quotation as typed.
    pub quote: String,
    /// Near matches to list (when there is no exact match).
    pub limit: usize,
    /// Exact matches to list (all are counted).
    pub max_exact: usize,
    /// Characters of context on each side of a passage.
    pub context: usize,
    /// Largest edit distance of a near match (default: [`default_max_distance`]).
    pub max_distance: Option<usize>,
}

impl VerifyRequest {
    /// A request with the defaults of the command: 5 near matches, 100 exact ones listed, 20
    /// characters of context.
    pub fn new(quote: impl Into<String>) -> VerifyRequest {
        VerifyRequest {
            quote: quote.into(),
            limit: 5,
            max_exact: 100,
            context: 20,
            max_distance: None,
        }
    }
}

/// The answer of `verify`; its JSON form is the contract of `verify --json`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    /// The quotation as typed.
    pub quote: String,
    /// What was compared: the quote folded, without whitespace, punctuation unified.
    pub compared: String,
    /// Largest edit distance of a near match.
    pub max_distance: usize,
    /// Number of exact matches (all of them, also when `exact` lists fewer).
    pub exact_total: u64,
    /// Exact matches, oldest speech first.
    pub exact: Vec<Passage>,
    /// The closest passages, when there is no exact match: fewest edits first.
    pub near: Vec<Passage>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
}

/// A passage of a speech that matches the quote, exactly or nearly.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// Speech id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year, when known.
    pub year: Option<i32>,
    /// Date, when known.
    pub date: Option<String>,
    /// Speaker, when known.
    pub speaker: Option<String>,
    /// File path relative to the corpus root.
    pub path: String,
    /// Source URL, when known.
    pub url: Option<String>,
    /// Paragraph (non-empty line, from 1) of the passage's first character.
    pub paragraph: usize,
    /// Paragraph of its last character.
    pub paragraph_end: usize,
    /// Character offset of its first character in the speech.
    pub start: usize,
    /// Character offset just after its last character.
    pub end: usize,
    /// The passage exactly as in the speech (line breaks and all).
    pub text: String,
    /// Up to `context` characters before it.
    pub before: String,
    /// Up to `context` characters after it.
    pub after: String,
    /// Edits between the quote and the passage (0 for an exact match).
    pub distance: usize,
    /// The edits that turn the quote into the passage.
    pub differences: Vec<Difference>,
}

/// One edit between the quote and a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// What differs.
    pub kind: DifferenceKind,
    /// Character offset in the quote as typed (for `extra`: of the quote character it comes
    /// before, or the quote's length).
    pub quote_offset: usize,
    /// Character offset in the speech (for `missing`: where the character would be).
    pub text_offset: usize,
    /// The quote's character (`replaced`, `missing`).
    pub quote: Option<String>,
    /// The speech's character (`replaced`, `extra`).
    pub text: Option<String>,
}

/// Kinds of [`Difference`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DifferenceKind {
    /// The speech has another character.
    Replaced,
    /// The quote's character is not in the speech.
    Missing,
    /// The speech has a character the quote lacks.
    Extra,
}

/// The default largest edit distance of a near match for a quote of `chars` characters: a
/// fifth, at least 1; none below [`MIN_NEAR_CHARS`].
pub fn default_max_distance(chars: usize) -> usize {
    if chars < MIN_NEAR_CHARS { 0 } else { (chars / 5).max(1) }
}

/// Verifies a quotation (see the module doc).
pub fn verify(index: &SpeechIndex, req: &VerifyRequest) -> Result<VerifyResult> {
    let started = Instant::now();
    let quote = squeeze(&req.quote, EQ);
    if quote.chars.is_empty() {
        return Err(Error::InvalidArgument("the quote is empty (it holds only whitespace)".into()));
    }
    if quote.chars.len() > MAX_QUOTE_CHARS {
        return Err(Error::InvalidArgument(format!(
            "the quote has {} characters (without whitespace); at most {MAX_QUOTE_CHARS} can be \
             verified: quote a shorter passage",
            quote.chars.len()
        )));
    }
    let m = quote.chars.len();
    let max_distance =
        req.max_distance.unwrap_or_else(|| default_max_distance(m)).min(m.saturating_sub(1));
    let searcher = index.searcher();
    let mut speeches = Speeches { index, searcher: &searcher, loaded: HashMap::new() };
    let (exact_total, exact) = exact_matches(&mut speeches, &quote, req)?;
    let near = if exact_total == 0 && max_distance > 0 && m >= MIN_NEAR_CHARS {
        near_matches(&mut speeches, &quote, req, max_distance)?
    } else {
        Vec::new()
    };
    Ok(VerifyResult {
        quote: req.quote.clone(),
        compared: quote.chars.iter().collect(),
        max_distance,
        exact_total,
        exact,
        near,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// A speech read for verifying: metadata and text.
struct Loaded {
    speech: StoredSpeech,
    chars: Arc<Vec<char>>,
}

/// The speeches read so far (each once).
struct Speeches<'a> {
    index: &'a SpeechIndex,
    searcher: &'a tantivy::Searcher,
    loaded: HashMap<DocAddress, Arc<Loaded>>,
}

impl Speeches<'_> {
    fn get(&mut self, addr: DocAddress) -> Result<Arc<Loaded>> {
        if let Some(found) = self.loaded.get(&addr) {
            return Ok(found.clone());
        }
        let mut speech = self.index.stored(self.searcher, addr, true)?;
        let chars = Arc::new(speech.body.take().unwrap_or_default().chars().collect());
        let loaded = Arc::new(Loaded { speech, chars });
        self.loaded.insert(addr, loaded.clone());
        Ok(loaded)
    }
}

/// Sort key of a speech: its date (or year), unknown last.
fn date_key(seg: &SegmentReader, doc: DocId) -> Result<i64> {
    Ok(crate::index::columns::DocColumns::open(seg)?.date_key(doc).unwrap_or(i64::MAX))
}

/// Every exact match (counted), the first `max_exact` by date listed.
fn exact_matches(
    speeches: &mut Speeches<'_>,
    quote: &Squeezed,
    req: &VerifyRequest,
) -> Result<(u64, Vec<Passage>)> {
    let field = speeches.index.fields.body_exact;
    let searcher = speeches.searcher;
    let mut found: Vec<(i64, DocAddress, [u32; 2])> = Vec::new();
    let body = speeches.index.fields.body;
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let seg_ord = seg_ord as u32;
        let mut load = segment_texts(seg, body);
        for occ in find_squeezed(seg, field, &quote.chars, EQ, None, &mut load)? {
            let key = date_key(seg, occ.doc)?;
            let addr = DocAddress::new(seg_ord, occ.doc);
            found.extend(occ.spans.iter().map(|&span| (key, addr, span)));
        }
    }
    found.sort_unstable();
    let total = found.len() as u64;
    let mut out = Vec::new();
    for (_, addr, span) in found.into_iter().take(req.max_exact) {
        let loaded = speeches.get(addr)?;
        out.push(passage(&loaded, span, req.context, Vec::new(), 0));
    }
    Ok((total, out))
}

/// The passage `span` of a loaded speech.
fn passage(
    loaded: &Loaded,
    [start, end]: [u32; 2],
    context: usize,
    differences: Vec<Difference>,
    distance: usize,
) -> Passage {
    let chars = &loaded.chars;
    let end = (end as usize).min(chars.len());
    let start = (start as usize).min(end);
    let s = &loaded.speech;
    Passage {
        id: s.id.clone(),
        title: s.title.clone(),
        year: s.year,
        date: s.date.clone(),
        speaker: s.speaker.clone(),
        path: s.path.clone(),
        url: s.url.clone(),
        paragraph: paragraph_of(chars, start),
        paragraph_end: paragraph_of(chars, end.saturating_sub(1).max(start)),
        start,
        end,
        text: chars[start..end].iter().collect(),
        before: chars[start.saturating_sub(context)..start].iter().collect(),
        after: chars[end..end.saturating_add(context).min(chars.len())].iter().collect(),
        distance,
        differences,
    }
}

/// A place worth aligning the quote to: positions of the first and last bigram found there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    addr: DocAddress,
    from: u32,
    to: u32,
    /// Different bigrams of the quote in it.
    bigrams: usize,
}

/// The q-gram filter's numbers for a quote of `m` characters and `d` edits: `(need, s, r)`.
fn filter_numbers(m: usize, d: usize) -> (usize, usize, usize) {
    let bigrams = m - 1;
    let need = bigrams.saturating_sub(2 * d).max(1);
    let r_wanted = need.min((need / 4).max(2));
    let s = (2 * d + r_wanted).min(bigrams);
    let r = need.saturating_sub(bigrams - s).max(1);
    (need, s, r)
}

/// Width of a window, in characters of the text (whitespace included).
fn window_span(m: usize, d: usize) -> u32 {
    (2 * m + d + 16) as u32
}

/// The candidate windows of one segment, by the q-gram filter (module doc, steps 1 and 2).
fn near_windows(
    seg: &SegmentReader,
    seg_ord: u32,
    field: tantivy::schema::Field,
    q: &[char],
    d: usize,
) -> Result<Vec<Window>> {
    let bigrams = q.len() - 1;
    let inverted = seg.inverted_index(field)?;
    let plan = Plan::new(&inverted, field, q, EQ)?;
    let (need, s, r) = filter_numbers(q.len(), d);
    if plan.offsets.iter().filter(|t| !t.is_empty()).count() < need {
        return Ok(Vec::new());
    }
    let mut order: Vec<usize> = (0..bigrams).collect();
    order.sort_by_key(|&k| plan.cost(k));
    let seeds = &order[..s];
    let alive = |doc: DocId| seg.alive_bitset().is_none_or(|a| a.is_alive(doc));
    let mut docs = Vec::new();
    for &k in seeds {
        docs.extend(docs_with(&inverted, &plan.offsets[k], None)?);
    }
    docs.sort_unstable();
    docs.dedup();
    docs.retain(|&doc| alive(doc));
    let span = window_span(q.len(), d);
    let docs: Vec<DocId> = plan
        .hits(&inverted, seeds, &docs)?
        .iter()
        .filter(|h| !windows(&flatten(h), bigrams, span, r).is_empty())
        .map(|h| h.doc)
        .collect();
    let all: Vec<usize> = (0..bigrams).collect();
    let mut out = Vec::new();
    for hits in plan.hits(&inverted, &all, &docs)? {
        for (from, to, found) in windows(&flatten(&hits), bigrams, span, need) {
            out.push(Window { addr: DocAddress::new(seg_ord, hits.doc), from, to, bigrams: found });
        }
    }
    Ok(out)
}

/// Every position of a document's hits with its offset, by position.
fn flatten(hits: &super::spaceless::DocHits) -> Vec<(u32, usize)> {
    let mut out: Vec<(u32, usize)> = Vec::new();
    for (k, (direct, gap)) in hits.direct.iter().zip(&hits.gap).enumerate() {
        out.extend(direct.iter().chain(gap).map(|&p| (p, k)));
    }
    out.sort_unstable();
    out
}

/// Windows of at most `span` characters holding at least `need` different offsets (of
/// `offsets`), as `(first, last position, offsets)`: for each, the best window, then the best
/// not overlapping those taken.
fn windows(
    hits: &[(u32, usize)],
    offsets: usize,
    span: u32,
    need: usize,
) -> Vec<(u32, u32, usize)> {
    let mut count = vec![0u32; offsets];
    let mut distinct = 0;
    let mut j = 0;
    let mut found = Vec::new();
    for i in 0..hits.len() {
        while j < hits.len() && hits[j].0 < hits[i].0.saturating_add(span) {
            count[hits[j].1] += 1;
            distinct += usize::from(count[hits[j].1] == 1);
            j += 1;
        }
        if distinct >= need {
            found.push((hits[i].0, hits[j - 1].0, distinct));
        }
        count[hits[i].1] -= 1;
        distinct -= usize::from(count[hits[i].1] == 0);
    }
    found.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut taken: Vec<(u32, u32, usize)> = Vec::new();
    for w in found {
        if taken.iter().all(|t| w.1 < t.0 || w.0 > t.1) {
            taken.push(w);
        }
    }
    taken
}

/// The closest passages (module doc).
fn near_matches(
    speeches: &mut Speeches<'_>,
    quote: &Squeezed,
    req: &VerifyRequest,
    d: usize,
) -> Result<Vec<Passage>> {
    let q = &quote.chars;
    let field = speeches.index.fields.body_exact;
    let mut windows = Vec::new();
    for (seg_ord, seg) in speeches.searcher.segment_readers().iter().enumerate() {
        windows.extend(near_windows(seg, seg_ord as u32, field, q, d)?);
    }
    windows.sort_by(|a, b| {
        b.bigrams.cmp(&a.bigrams).then(a.addr.cmp(&b.addr)).then(a.from.cmp(&b.from))
    });
    let bigrams = q.len() - 1;
    let margin = q.len() + d + 16;
    let mut found: Vec<(usize, DocAddress, [u32; 2], Vec<Difference>)> = Vec::new();
    let mut seen = HashSet::new();
    for w in windows.iter().take(MAX_WINDOWS) {
        let lower_bound = (bigrams - w.bigrams.min(bigrams)).div_ceil(2);
        if found.len() >= req.limit && found.iter().all(|f| f.0 <= lower_bound) {
            break;
        }
        let loaded = speeches.get(w.addr)?;
        let from = (w.from as usize).saturating_sub(margin);
        let to = (w.to as usize).saturating_add(margin);
        let region = squeeze_range(&loaded.chars, from, to, EQ);
        let Some(a) = align(q, &region.chars) else { continue };
        if a.distance > d || a.start == a.end {
            continue;
        }
        let span = [region.offsets[a.start], region.offsets[a.end - 1] + 1];
        if !seen.insert((w.addr, span[0])) {
            continue;
        }
        let differences = differences(&a.edits, quote, &req.quote, &region, &loaded.chars);
        found.push((a.distance, w.addr, span, differences));
        // Keep the `limit` closest (ties: in the order of the windows; the sort is stable).
        found.sort_by_key(|f| f.0);
        found.truncate(req.limit);
    }
    let mut out = Vec::new();
    for (distance, addr, span, differences) in found {
        let loaded = speeches.get(addr)?;
        out.push(passage(&loaded, span, req.context, differences, distance));
    }
    Ok(out)
}

/// The edits of an alignment as [`Difference`]s in the quote as typed and the speech.
fn differences(
    edits: &[Edit],
    quote: &Squeezed,
    typed: &str,
    region: &Squeezed,
    text: &[char],
) -> Vec<Difference> {
    let typed: Vec<char> = typed.chars().collect();
    let q_at = |i: usize| quote.offsets.get(i).map_or(typed.len(), |&o| o as usize);
    let t_at = |j: usize| region.offsets[j] as usize;
    let ch = |c: Option<&char>| c.map(|c| c.to_string());
    edits
        .iter()
        .map(|e| match *e {
            Edit::Replaced { quote: i, text: j } => Difference {
                kind: DifferenceKind::Replaced,
                quote_offset: q_at(i),
                text_offset: t_at(j),
                quote: ch(typed.get(q_at(i))),
                text: ch(text.get(t_at(j))),
            },
            Edit::Missing { quote: i, text: j } => Difference {
                kind: DifferenceKind::Missing,
                quote_offset: q_at(i),
                // Right after the text character before it.
                text_offset: if j == 0 { t_at(0) } else { t_at(j - 1) + 1 },
                quote: ch(typed.get(q_at(i))),
                text: None,
            },
            Edit::Extra { quote: i, text: j } => Difference {
                kind: DifferenceKind::Extra,
                quote_offset: q_at(i),
                text_offset: t_at(j),
                quote: None,
                text: ch(text.get(t_at(j))),
            },
        })
        .collect()
}

/// One edit of an [`Alignment`], in indexes of the quote and of the text aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// `quote[quote]` is `text[text]` in the text.
    Replaced {
        /// Index in the quote.
        quote: usize,
        /// Index in the text.
        text: usize,
    },
    /// `quote[quote]` is missing before `text[text]`.
    Missing {
        /// Index in the quote.
        quote: usize,
        /// Index in the text of the character it would precede (the passage's end for the last).
        text: usize,
    },
    /// `text[text]` is not in the quote (it comes before `quote[quote]`).
    Extra {
        /// Index in the quote of the character it precedes (the quote's length after the last).
        quote: usize,
        /// Index in the text.
        text: usize,
    },
}

/// The best match of `quote` in `text`: the substring `text[start..end]` with the fewest edits
/// (Levenshtein) from `quote`, and those edits in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment {
    /// First character of the substring.
    pub start: usize,
    /// Just after its last character.
    pub end: usize,
    /// Edits between the quote and the substring.
    pub distance: usize,
    /// The edits, in order.
    pub edits: Vec<Edit>,
}

/// Aligns `quote` to its best substring of `text` (semi-global edit distance, Sellers'
/// algorithm: a free start and end in the text). Among substrings equally close, the one ending
/// last; its edits prefer replacing to inserting and deleting. `None` for an empty quote.
pub fn align(quote: &[char], text: &[char]) -> Option<Alignment> {
    let (m, n) = (quote.len(), text.len());
    if m == 0 {
        return None;
    }
    let w = n + 1;
    // dp[i][j]: fewest edits between quote[..i] and a substring of text ending at j.
    let mut dp = vec![0u32; (m + 1) * w];
    for i in 1..=m {
        dp[i * w] = i as u32;
        for j in 1..=n {
            let diagonal = dp[(i - 1) * w + j - 1] + u32::from(quote[i - 1] != text[j - 1]);
            let missing = dp[(i - 1) * w + j] + 1;
            let extra = dp[i * w + j - 1] + 1;
            dp[i * w + j] = diagonal.min(missing).min(extra);
        }
    }
    let last = &dp[m * w..];
    let best = *last.iter().min()?;
    let end = last.iter().rposition(|&d| d == best)?;
    let (mut i, mut j) = (m, end);
    let mut edits = Vec::new();
    while i > 0 {
        let here = dp[i * w + j];
        if j > 0 {
            let same = quote[i - 1] == text[j - 1];
            if here == dp[(i - 1) * w + j - 1] + u32::from(!same) {
                if !same {
                    edits.push(Edit::Replaced { quote: i - 1, text: j - 1 });
                }
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if here == dp[(i - 1) * w + j] + 1 {
            edits.push(Edit::Missing { quote: i - 1, text: j });
            i -= 1;
        } else {
            edits.push(Edit::Extra { quote: i, text: j - 1 });
            j -= 1;
        }
    }
    edits.reverse();
    Some(Alignment { start: j, end, distance: best as usize, edits })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_replacement() {
        let a =
            align(&chars("李强所做的政府工作报告"), &chars("国务院总理李强所作的政府工作报告会议"))
                .unwrap();
        assert_eq!((a.start, a.end, a.distance), (5, 16, 1));
        assert_eq!(a.edits, vec![Edit::Replaced { quote: 3, text: 8 }]);
    }

    #[test]
    fn missing_and_extra() {
        let a = align(&chars("甲乙丙丁戊"), &chars("子甲乙丁戊丑")).unwrap();
        assert_eq!((a.start, a.end, a.distance), (1, 5, 1));
        assert_eq!(a.edits, vec![Edit::Missing { quote: 2, text: 3 }]);
        let a = align(&chars("甲乙丙丁"), &chars("甲乙X丙丁")).unwrap();
        assert_eq!((a.start, a.end, a.distance), (0, 5, 1));
        assert_eq!(a.edits, vec![Edit::Extra { quote: 2, text: 2 }]);
        assert_eq!(align(&[], &chars("甲")), None);
        assert_eq!(align(&chars("甲乙"), &[]).map(|a| a.distance), Some(2));
    }

    #[test]
    fn filter_numbers_keep_the_lemma() {
        // m = 11, D = 2: 10 bigrams, at least 6 kept; of the 6 cheapest at least 2.
        assert_eq!(filter_numbers(11, 2), (6, 6, 2));
        for m in 2..60 {
            for d in 0..m {
                let (need, s, r) = filter_numbers(m, d);
                let bigrams = m - 1;
                assert!(s <= bigrams && r >= 1 && r <= s, "{m} {d}");
                // Within d edits at most 2d bigrams are lost, so at least s − 2d of any s are
                // kept: the filter asks for no more (when the lemma gives anything at all).
                if bigrams > 2 * d {
                    assert_eq!(need, bigrams - 2 * d);
                    assert!(r <= s - 2 * d, "{m} {d}: {need} {s} {r}");
                }
            }
        }
    }

    #[test]
    fn windows_take_the_best_then_the_rest() {
        // Offsets 0..3 at 10..13 and offsets 0, 1 at 100, 101.
        let hits = vec![(10, 0), (11, 1), (12, 2), (13, 3), (100, 0), (101, 1)];
        assert_eq!(windows(&hits, 4, 20, 2), vec![(10, 13, 4), (100, 101, 2)]);
        assert_eq!(windows(&hits, 4, 20, 3), vec![(10, 13, 4)]);
        assert!(windows(&[], 4, 20, 1).is_empty());
    }

    /// Levenshtein distance, the textbook way.
    fn levenshtein(a: &[char], b: &[char]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut row = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                row[j] = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                    .min(prev[j] + 1)
                    .min(row[j - 1] + 1);
            }
            prev = row;
        }
        prev[b.len()]
    }

    /// The text obtained by applying the edits to the quote.
    fn apply(quote: &[char], text: &[char], a: &Alignment) -> Vec<char> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut t = a.start;
        let mut edits = a.edits.iter().peekable();
        while i < quote.len() || edits.peek().is_some() {
            match edits.peek() {
                Some(Edit::Extra { quote: qi, text: tj }) if *qi == i => {
                    assert_eq!(*tj, t);
                    out.push(text[*tj]);
                    t += 1;
                    edits.next();
                }
                Some(Edit::Missing { quote: qi, .. }) if *qi == i => {
                    i += 1;
                    edits.next();
                }
                Some(Edit::Replaced { quote: qi, text: tj }) if *qi == i => {
                    assert_eq!(*tj, t);
                    out.push(text[*tj]);
                    i += 1;
                    t += 1;
                    edits.next();
                }
                _ => {
                    out.push(quote[i]);
                    i += 1;
                    t += 1;
                }
            }
        }
        out
    }

    proptest! {
        /// The distance is the smallest Levenshtein distance between the quote and any
        /// substring of the text, computed independently; the edits turn the quote into the
        /// substring reported, one edit per unit of distance.
        #[test]
        fn alignment_equals_an_independent_dp(
            quote in "[甲乙丙丁]{1,8}",
            text in "[甲乙丙丁戊]{0,16}",
        ) {
            let (q, t) = (chars(&quote), chars(&text));
            let a = align(&q, &t).unwrap();
            let mut best = usize::MAX;
            for s in 0..=t.len() {
                for e in s..=t.len() {
                    best = best.min(levenshtein(&q, &t[s..e]));
                }
            }
            prop_assert_eq!(a.distance, best);
            prop_assert_eq!(levenshtein(&q, &t[a.start..a.end]), best);
            prop_assert_eq!(a.edits.len(), a.distance);
            prop_assert_eq!(apply(&q, &t, &a), t[a.start..a.end].to_vec());
        }
    }
}
