//! Search: the query language, exact matching, ranking and snippets.
//!
//! [`search`] runs a parsed query ([`query::parse`]) against an index:
//! 1. **match** (exact): every segment is evaluated with [`matcher::match_segment`] on the exact
//!    fields; this decides which speeches match and their `hits` (phrase counts come from the
//!    index's [`PhraseCache`](crate::index::cache::PhraseCache) when it has one: the server);
//! 2. **rank**: BM25 over the jieba word fields (body, and title boosted ×2) of the words of the
//!    query's positive phrases ([`query_words`]: longest matches in the index's own vocabulary)
//!    scores the matching speeches (`--sort relevance`), or date / hits order
//!    them; ties go to the newest. A bounded heap keeps the first `offset + limit`;
//! 3. **page**: only the requested page is read from the doc store (or the speech cache), for
//!    metadata and [`snippet`]s, whose match positions are read from the page's postings.
//!
//! No step loads the jieba dictionary.

pub mod exact;
pub mod lint;
pub mod matcher;
pub mod outside;
pub mod query;
pub mod scope;
pub mod show;
pub mod snippet;
pub mod spaceless;
pub mod verify;

use std::time::Instant;

use serde::Serialize;
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, TERMINATED, Term};

use crate::Result;
use crate::index::SpeechIndex;
pub use query::{Filters, Node, parse};
pub use snippet::Snippet;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// BM25 over jieba words, title boosted.
    Relevance,
    /// Newest first.
    Date,
    /// Most hits first.
    Hits,
}

crate::choices!(SortOrder {
    Relevance => ("relevance", "BM25 over jieba words (title matches boosted) plus ln(1 + exact hits)"),
    Date => ("date", "newest first"),
    Hits => ("hits", "most occurrences first"),
});

/// Results per page unless asked otherwise (`search --limit`, the server's `limit`).
pub const DEFAULT_LIMIT: usize = 10;
/// Snippets per result unless asked otherwise (`--snippets`, `snippets`).
pub const DEFAULT_SNIPPETS: usize = 2;
/// Snippet width in characters unless asked otherwise (the server's `width`).
pub const DEFAULT_SNIPPET_WIDTH: usize = 80;

/// A search to run.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The parsed query (with filters applied).
    pub query: Node,
    /// The query as typed, echoed in the results.
    pub query_text: String,
    /// Results per page.
    pub limit: usize,
    /// Results to skip.
    pub offset: usize,
    /// Order.
    pub sort: SortOrder,
    /// Snippets per result.
    pub snippets: usize,
    /// Snippet width in characters.
    pub snippet_width: usize,
    /// Only count: no ranking, no page.
    pub count_only: bool,
    /// Match the query's phrases ignoring whitespace in the text and the phrase
    /// ([`spaceless`]): `李强` then finds the byline `李　强`, and a phrase a line break cuts.
    pub ignore_space: bool,
    /// Leave boilerplate out of matching and counting (`--no-boilerplate`): an occurrence on a
    /// line of page furniture or of a footer repeated across the index does not count
    /// ([`outside`]).
    pub no_boilerplate: bool,
}

impl SearchRequest {
    /// A request with default paging (10 results, 2 snippets of about 80 characters).
    pub fn new(query: Node, query_text: impl Into<String>) -> Self {
        SearchRequest {
            query,
            query_text: query_text.into(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            sort: SortOrder::Relevance,
            snippets: DEFAULT_SNIPPETS,
            snippet_width: DEFAULT_SNIPPET_WIDTH,
            count_only: false,
            ignore_space: false,
            no_boilerplate: false,
        }
    }
}

/// The answer to a search. Its JSON form is the contract of `search --json` and `/api/search`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Speeches that match (all of them, not only this page).
    pub total_docs: u64,
    /// Occurrences of the query's positive phrases in all matching speeches (of a phrase found
    /// only inside scope groups, its occurrences inside the qualifying sentences or paragraphs).
    pub total_hits: u64,
    /// With scope groups (`SENT(…)`, `PARA(…)`, `--within`): the sentences or paragraphs where a
    /// group holds, in all matching speeches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_units: Option<u64>,
    /// What `total_units` counts when the query's groups are all of one kind (`sentence`,
    /// `paragraph`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<query::Scope>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// This page of results.
    pub results: Vec<SearchHit>,
    /// Likely slips in the query, with the query probably meant ([`lint::lint`]); the query
    /// was searched as typed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<lint::QueryNote>,
}

/// One matching speech.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// 1-based rank in the whole result list.
    pub rank: usize,
    /// Stable speech id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year, when known.
    pub year: Option<i32>,
    /// Date, when known.
    pub date: Option<String>,
    /// Speaker, when known.
    pub speaker: Option<String>,
    /// Region, when known.
    pub region: Option<String>,
    /// Kind of speech, when known.
    pub kind: Option<String>,
    /// Where the speech was published, when known (what a citation needs).
    pub url: Option<String>,
    /// The fields above that were inferred (from the title, dateline, byline...) rather than
    /// stated by the record: a citation should check them.
    pub inferred: Vec<String>,
    /// File path relative to the corpus root.
    pub path: String,
    /// Relevance score (BM25; 0 when sorting by date or hits).
    pub score: f32,
    /// Occurrences of the query's positive phrases in this speech.
    pub hits: u64,
    /// Passages around matches.
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    addr: DocAddress,
    hits: u64,
    score: Score,
    date: i64,
}

/// The order of results: `Less` when `a` is shown before `b`. Total (ties: newest first, then
/// index order), so any way of selecting the first `k` gives the same page.
fn rank_order(sort: SortOrder, a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    let primary = match sort {
        SortOrder::Relevance => b.score.total_cmp(&a.score),
        SortOrder::Date => std::cmp::Ordering::Equal,
        SortOrder::Hits => b.hits.cmp(&a.hits),
    };
    primary.then(b.date.cmp(&a.date)).then(a.addr.cmp(&b.addr))
}

/// The first `k` candidates in [`rank_order`], kept in a heap whose top is the last of them.
struct TopK {
    k: usize,
    sort: SortOrder,
    heap: std::collections::BinaryHeap<Ranked>,
}

/// A candidate ordered by [`rank_order`] (greater: shown later).
struct Ranked(Candidate, SortOrder);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        rank_order(self.1, &self.0, &other.0)
    }
}

impl TopK {
    fn new(k: usize, sort: SortOrder) -> TopK {
        TopK { k, sort, heap: std::collections::BinaryHeap::with_capacity(k.min(1 << 16) + 1) }
    }

    /// Offers a candidate; `date` is called only when the candidate may enter the first `k`.
    fn offer(&mut self, addr: DocAddress, hits: u64, score: Score, date: impl FnOnce() -> i64) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() == self.k {
            let Some(Ranked(last, _)) = self.heap.peek() else { return };
            // Worse on the primary key: out, without reading the date.
            let worse = match self.sort {
                SortOrder::Relevance => score < last.score,
                SortOrder::Hits => hits < last.hits,
                SortOrder::Date => false,
            };
            if worse {
                return;
            }
        }
        let c = Candidate { addr, hits, score, date: date() };
        if self.heap.len() < self.k {
            self.heap.push(Ranked(c, self.sort));
        } else if let Some(mut last) = self.heap.peek_mut()
            && rank_order(self.sort, &c, &last.0) == std::cmp::Ordering::Less
        {
            *last = Ranked(c, self.sort);
        }
    }

    /// The kept candidates, first shown first.
    fn into_sorted(self) -> Vec<Candidate> {
        self.heap.into_sorted_vec().into_iter().map(|r| r.0).collect()
    }
}

/// Runs a search.
pub fn search(index: &SpeechIndex, req: &SearchRequest) -> Result<SearchResults> {
    let started = Instant::now();
    let searcher = index.searcher();
    let positive = req.query.positive_phrases();
    let rank = !req.count_only && req.sort == SortOrder::Relevance && !positive.is_empty();
    let scoring_query = if rank { Some(bm25_query(&searcher, index, &positive)?) } else { None };
    let weight = match &scoring_query {
        Some(q) => Some(q.weight(EnableScoring::enabled_from_searcher(&searcher))?),
        None => None,
    };

    let mut total_docs = 0u64;
    let mut total_hits = 0u64;
    let mut total_units = 0u64;
    let mut scoped: std::collections::HashMap<DocAddress, Vec<(usize, usize)>> = Default::default();
    // Only the first `offset + limit` in order are shown: a bounded heap keeps them while the
    // candidates stream by (most are rejected by one comparison of their score or hits, before
    // their date is even read).
    let wanted = if req.count_only { 0 } else { req.offset.saturating_add(req.limit) };
    let mut top = TopK::new(wanted, req.sort);
    let options = matcher::MatchOptions {
        ignore_space: req.ignore_space,
        outside: if req.no_boilerplate { Some(index.boilerplate()?) } else { None },
    };
    let matches =
        match_segments(searcher.segment_readers(), index, &req.query, &positive, &options)?;
    for ((seg_ord, seg), m) in searcher.segment_readers().iter().enumerate().zip(matches) {
        total_docs += m.docs.len() as u64;
        total_hits += m.hits.iter().sum::<u64>();
        total_units += m.units;
        if wanted == 0 {
            continue;
        }
        for (doc, spans) in m.scoped {
            let ranges = spans.iter().map(|&[s, e]| (s as usize, e as usize)).collect();
            scoped.insert(DocAddress::new(seg_ord as u32, doc), ranges);
        }
        let cols = crate::index::columns::DocColumns::open(seg)?;
        let mut scorer = match &weight {
            Some(w) => Some(w.scorer(seg, 1.0)?),
            None => None,
        };
        for (doc, hits) in m.docs.iter().zip(&m.hits) {
            let score = match scorer.as_mut() {
                Some(s) => score_at(s.as_mut(), *doc) + hits_bonus(*hits),
                None => 0.0,
            };
            let date = || cols.date_key(*doc).unwrap_or(i64::MIN);
            top.offer(DocAddress::new(seg_ord as u32, *doc), *hits, score, date);
        }
    }

    let mut results = Vec::new();
    if !req.count_only {
        let candidates = top.into_sorted();
        let page: Vec<DocAddress> =
            candidates.iter().skip(req.offset).take(req.limit).map(|c| c.addr).collect();
        let mut free = std::collections::HashSet::new();
        matcher::free_phrases(&req.query, &mut free);
        let unscoped: Vec<&str> = positive.iter().copied().filter(|p| free.contains(*p)).collect();
        let mut matches_of = if req.snippets > 0 {
            page_matches(&searcher, index, &page, &unscoped, &options)?
        } else {
            std::collections::HashMap::new()
        };
        for addr in &page {
            if let Some(ranges) = scoped.remove(addr) {
                let all = matches_of.entry(*addr).or_default();
                all.extend(ranges);
                all.sort_unstable();
                all.dedup();
            }
        }
        for (i, c) in candidates.iter().enumerate().skip(req.offset).take(req.limit) {
            let stored = index.stored_shared(&searcher, c.addr)?;
            let body = stored.body.as_deref().unwrap_or("");
            let mut matches = matches_of.remove(&c.addr).unwrap_or_default();
            if let Some(b) = &options.outside {
                // Snippets show only the occurrences that counted.
                let ranges = outside::boilerplate_ranges(b, body);
                matches.retain(|&(s, e)| !outside::on_boilerplate(&ranges, [s as u32, e as u32]));
            }
            results.push(SearchHit {
                rank: i + 1,
                id: stored.id.clone(),
                title: stored.title.clone(),
                year: stored.year,
                date: stored.date.clone(),
                speaker: stored.speaker.clone(),
                region: stored.region.clone(),
                kind: stored.kind.clone(),
                url: stored.url.clone(),
                inferred: stored.inferred.clone(),
                path: stored.path.clone(),
                score: c.score,
                hits: c.hits,
                snippets: snippet::make_snippets(body, &matches, req.snippets, req.snippet_width),
            });
        }
    }
    Ok(SearchResults {
        query: req.query_text.clone(),
        total_docs,
        total_hits,
        total_units: req.query.has_scope().then_some(total_units),
        within: req.query.scope_kind(),
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        results,
        warnings: lint::lint(&req.query_text),
    })
}

/// Indexes with fewer documents than this are matched on one thread: starting threads would
/// cost more than they save.
const PARALLEL_MIN_DOCS: u32 = 2_000;

/// [`matcher::match_segment`] on every segment, in segment order. Segments are matched on up to
/// as many threads as there are cores (at most 4), largest segments first, when the index is big
/// enough for threads to pay off.
fn match_segments(
    segments: &[tantivy::SegmentReader],
    index: &SpeechIndex,
    query: &Node,
    positive: &[&str],
    options: &matcher::MatchOptions,
) -> Result<Vec<matcher::SegmentMatches>> {
    // `available_parallelism` reads cgroup files (tens of µs): asked once per process.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let docs: u32 = segments.iter().map(|s| s.max_doc()).sum();
    let threads = if docs < PARALLEL_MIN_DOCS || segments.len() < 2 {
        1
    } else {
        let cores =
            *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        cores.min(4).min(segments.len()).min(index.match_threads().unwrap_or(usize::MAX))
    };
    if threads <= 1 {
        return segments
            .iter()
            .map(|seg| {
                let cache = index.phrase_cache();
                let options = options.clone();
                matcher::match_segment_with(seg, &index.fields, cache, query, positive, options)
            })
            .collect();
    }
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(segments[i].max_doc()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<matcher::SegmentMatches>>>> =
        segments.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let work = || {
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&i) = order.get(n) else { break };
            let m = matcher::match_segment_with(
                &segments[i],
                &index.fields,
                index.phrase_cache(),
                query,
                positive,
                options.clone(),
            );
            *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(m);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Ok(matcher::SegmentMatches::default()))
        })
        .collect()
}

/// The occurrences of the phrases in each speech of a page, as sorted character ranges, read
/// from those speeches' postings (no folding of the stored text needed): one lookup of each
/// phrase per segment, however many of the page's speeches it holds.
fn page_matches(
    searcher: &tantivy::Searcher,
    index: &SpeechIndex,
    page: &[DocAddress],
    phrases: &[&str],
    options: &matcher::MatchOptions,
) -> Result<std::collections::HashMap<DocAddress, Vec<(usize, usize)>>> {
    let mut out: std::collections::HashMap<DocAddress, Vec<(usize, usize)>> = Default::default();
    if options.ignore_space {
        spaceless_page_matches(searcher, index, page, phrases, &mut out)?;
        for ranges in out.values_mut() {
            ranges.sort_unstable();
        }
        return Ok(out);
    }
    for phrase in phrases {
        let len = crate::analysis::fold(phrase).chars().count();
        let found =
            exact::find_phrase_at(searcher, index.fields.body_exact, phrase, page.iter().copied())?;
        for (addr, starts) in found {
            out.entry(addr)
                .or_default()
                .extend(starts.iter().map(|&s| (s as usize, s as usize + len)));
        }
    }
    for ranges in out.values_mut() {
        ranges.sort_unstable();
    }
    Ok(out)
}

/// [`page_matches`] ignoring whitespace: the occurrences' ranges run from their first to their
/// last character (line breaks inside included).
fn spaceless_page_matches(
    searcher: &tantivy::Searcher,
    index: &SpeechIndex,
    page: &[DocAddress],
    phrases: &[&str],
    out: &mut std::collections::HashMap<DocAddress, Vec<(usize, usize)>>,
) -> Result<()> {
    let mut by_segment: std::collections::BTreeMap<u32, Vec<DocId>> = Default::default();
    for addr in page {
        by_segment.entry(addr.segment_ord).or_default().push(addr.doc_id);
    }
    for (segment_ord, mut docs) in by_segment {
        docs.sort_unstable();
        docs.dedup();
        let seg = searcher.segment_reader(segment_ord);
        for phrase in phrases {
            let found = spaceless::find_spaceless(
                seg,
                index.fields.body_exact,
                index.fields.body,
                phrase,
                spaceless::Equivalence::Whitespace,
                Some(&docs),
            )?;
            for occ in found {
                out.entry(DocAddress::new(segment_ord, occ.doc))
                    .or_default()
                    .extend(occ.spans.iter().map(|&[s, e]| (s as usize, e as usize)));
            }
        }
    }
    Ok(())
}

fn score_at(scorer: &mut dyn tantivy::query::Scorer, doc: DocId) -> Score {
    let mut current = scorer.doc();
    if current != TERMINATED && current < doc {
        current = scorer.seek(doc);
    }
    if current == doc { scorer.score() } else { 0.0 }
}

/// Weight of the exact occurrences in the relevance score (see [`hits_bonus`]).
pub const HITS_WEIGHT: Score = 1.0;

/// What the exact occurrences add to a speech's BM25 score: `HITS_WEIGHT × ln(1 + hits)`.
///
/// BM25 over jieba words normalises by length (tantivy's b = 0.75), so a 700-character
/// resolution that names a term once outranked full reports that discuss it (issue 16:
/// 共同富裕's third result had 1 hit, reports with 3 came later). The logarithm of the exact
/// count favours speeches that return to the term without letting a long text win on length
/// alone. Measured with `speechdex-bench ranking` on the shared corpus (docs/benchmarks.md):
/// nDCG@10 over 23 judged topical queries 0.961 → 0.987, the known-item ranking unchanged (87/94).
pub fn hits_bonus(hits: u64) -> Score {
    HITS_WEIGHT * (hits as Score).ln_1p()
}

/// BM25 over the words of the positive phrases, in the body and (boosted) in the title.
fn bm25_query(
    searcher: &tantivy::Searcher,
    index: &SpeechIndex,
    phrases: &[&str],
) -> Result<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for phrase in phrases {
        for word in query_words(searcher, index, phrase)? {
            if !seen.insert(word.clone()) {
                continue;
            }
            let body = Term::from_field_text(index.fields.body_words, &word);
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(body, IndexRecordOption::WithFreqs)),
            ));
            let title = Term::from_field_text(index.fields.title_words, &word);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(title, IndexRecordOption::WithFreqs)),
                    2.0,
                )),
            ));
        }
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Longest words that can be tried in the index's vocabulary, in characters.
const MAX_WORD_CHARS: usize = 12;

/// The words of a query phrase for ranking: the phrase is cut, left to right, into the longest
/// pieces that are words of the index's word field (the words jieba produced when indexing), so
/// that ranking speaks the index's vocabulary without loading jieba's dictionary at query time
/// (0.1–0.4 s per process). Pieces that are no word of the index are dropped.
pub fn query_words(
    searcher: &tantivy::Searcher,
    index: &SpeechIndex,
    phrase: &str,
) -> Result<Vec<String>> {
    let chars: Vec<char> = crate::analysis::fold(phrase).chars().collect();
    let mut dictionaries = Vec::new();
    for seg in searcher.segment_readers() {
        dictionaries.push(seg.inverted_index(index.fields.body_words)?);
    }
    let is_word = |w: &str| -> Result<bool> {
        for inv in &dictionaries {
            if inv.terms().get(w.as_bytes()).map_err(tantivy::TantivyError::from)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut taken = 1;
        let mut found = None;
        for j in (i + 1..=(i + MAX_WORD_CHARS).min(chars.len())).rev() {
            let piece: String = chars[i..j].iter().collect();
            if crate::analysis::words::is_word(&piece) && is_word(&piece)? {
                taken = j - i;
                found = Some(piece);
                break;
            }
        }
        out.extend(found);
        i += taken;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Boilerplate is left out of the words that rank (issue 16): six short pages whose only
    /// 作品 is in a licence footer rank below a long speech that talks about 作品 once. With the
    /// footer's words indexed, the short pages would win on length. `--no-boilerplate` then
    /// finds only the speech.
    #[test]
    fn a_footer_does_not_rank_a_speech() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        let footer = "本作品在全世界都属于公有领域\n依据著作权法第五条\n所以属于公有领域";
        for i in 0..6 {
            let page = format!("第{i}号通知\n会议于今天召开。\n{footer}\n");
            std::fs::write(corpus.join(format!("page{i}.txt")), page).unwrap();
        }
        let long = "推进高质量发展，建设现代化产业体系。".repeat(40);
        let speech = format!("文艺工作讲话\n{long}\n他们创作的作品很好。\n{long}\n");
        std::fs::write(corpus.join("speech.txt"), speech).unwrap();
        let root = dir.path().join("index");
        let opts = crate::index::build::BuildOptions {
            roots: vec![corpus],
            threads: 1,
            ..Default::default()
        };
        crate::index::build::build(&root, &opts, &mut crate::index::build::NoProgress).unwrap();
        let index = SpeechIndex::open(&root).unwrap();
        let mut req = SearchRequest::new(parse("作品").unwrap(), "作品");
        let found = search(&index, &req).unwrap();
        assert_eq!(found.total_docs, 7, "search counts the footers too");
        let ranked: Vec<(&str, f32)> =
            found.results.iter().map(|r| (r.id.as_str(), r.score)).collect();
        assert!(ranked[0].0.ends_with("speech.txt"), "{ranked:?}");
        req.no_boilerplate = true;
        let found = search(&index, &req).unwrap();
        assert_eq!((found.total_docs, found.total_hits), (1, 1));
    }

    proptest::proptest! {
        /// The heap keeps exactly the first `k` of a full sort, in order, for every sort order
        /// (ties in score, hits and date included).
        #[test]
        fn top_k_is_the_start_of_the_full_order(
            raw in proptest::collection::vec((0u8..4, 0u64..4, 0i64..4), 0..60),
            k in 0usize..70,
            sort in proptest::sample::select(vec![SortOrder::Relevance, SortOrder::Date, SortOrder::Hits]),
        ) {
            let all: Vec<Candidate> = raw
                .iter()
                .enumerate()
                .map(|(i, &(score, hits, date))| Candidate {
                    addr: DocAddress::new((i % 3) as u32, i as u32),
                    hits,
                    score: f32::from(score) / 2.0,
                    date,
                })
                .collect();
            let mut top = TopK::new(k, sort);
            let mut dates_read = 0;
            for c in &all {
                top.offer(c.addr, c.hits, c.score, || {
                    dates_read += 1;
                    c.date
                });
            }
            let mut expected = all.clone();
            expected.sort_by(|a, b| rank_order(sort, a, b));
            expected.truncate(k);
            proptest::prop_assert_eq!(top.into_sorted(), expected);
            proptest::prop_assert!(dates_read <= all.len());
        }
    }
}
