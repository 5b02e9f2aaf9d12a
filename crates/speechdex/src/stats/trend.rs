//! Term trends: how often terms occur per year, speaker, region, kind or speech.
//!
//! [`trend`] iterates the segments once per term: occurrences come from
//! [`find_phrase`](crate::search::exact::find_phrase) on the exact field (so they equal search hits and a non-overlapping
//! substring count of the folded texts), group keys and character counts from fast fields. No
//! stored text is read except, per term, the speech where it first appears (for the sentence)
//! and the one where it last appears (for the title); with `--by speech`, the titles of the
//! speeches listed.
//!
//! Groups come in natural order: years ascending with every year between the first and the last
//! present (years without speeches as rows whose cells are `null`: no data, not zero), speakers, regions and kinds in code-point order, speeches
//! by date; the group of speeches whose key is unknown (`"unknown"`) comes last. With
//! `--by speech`, only speeches where at least one term occurs are listed.
//!
//! Speakers, regions, kinds and speeches can be as many as the speeches: [`TrendRequest::limit`]
//! keeps the groups with the most occurrences (`total_groups` and `truncated` tell how many
//! there were). By speech, the speeches are streamed and only the kept ones are held (a bounded
//! heap), so memory does not grow with the corpus; totals, peaks and first and last appearances
//! are always over every selected speech.
//!
//! [`trend_with`] and [`MatchOptions::ignore_space`] count the terms ignoring whitespace
//! ([`crate::search::spaceless`]), as `search --ignore-space` counts hits.
//!
//! With [`TrendRequest::within`] (`trend --within sentence|paragraph`), the terms must occur
//! together: a term's `count` is its occurrences inside the sentences (paragraphs) that hold
//! every term, and its `docs` the speeches with such a sentence; the first appearance shows the
//! first such sentence. So for `trend A B --within sentence`, each term's `docs` is what
//! `search A B --within sentence --count` gives as `total_docs`, and the terms' counts add up to
//! its `total_hits`. Candidates come from the postings (speeches holding every term), the check
//! from their stored texts ([`crate::search::scope`]).

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::Serialize;
use tantivy::DocAddress;
use tantivy::columnar::StrColumn;

use super::bounded::Smallest;
use super::select::{DocColumns, TermMap, dedup_terms, per_10k, selected, str_value};
use crate::index::SpeechIndex;
use crate::index::schema::names;
use crate::search::Node;
use crate::search::matcher::MatchOptions;
use crate::search::query::Scope;
use crate::search::snippet::{find_matches, paragraph_of};
use crate::search::spaceless::{Equivalence, find_in_text};
use crate::{Error, Result};

/// What to group speeches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Year of the speech.
    Year,
    /// Speaker.
    Speaker,
    /// Region.
    Region,
    /// Kind (讲话, 报告, …).
    Kind,
    /// Each speech on its own.
    Speech,
}

crate::choices!(GroupBy {
    Year => ("year", "year (every year between the first and the last, unknown year last)"),
    Speaker => ("speaker", "speaker"),
    Region => ("region", "region"),
    Kind => ("kind", "kind of speech"),
    Speech => ("speech", "each speech containing a term"),
});

impl GroupBy {
    /// The name of several groups, for messages ("speeches").
    pub fn plural(self) -> &'static str {
        match self {
            GroupBy::Year => "years",
            GroupBy::Speaker => "speakers",
            GroupBy::Region => "regions",
            GroupBy::Kind => "kinds",
            GroupBy::Speech => "speeches",
        }
    }
}

/// The figure that bars, charts and the peak use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Occurrences per 10,000 characters.
    Rate,
    /// Occurrences.
    Count,
    /// Speeches containing the term.
    Docs,
}

crate::choices!(Metric {
    Rate => ("rate", "occurrences per 10,000 characters"),
    Count => ("count", "occurrences"),
    Docs => ("docs", "speeches containing the term"),
});

impl Metric {
    /// The value of this metric in a cell.
    pub fn of(self, cell: &TermCell) -> f64 {
        match self {
            Metric::Rate => cell.rate,
            Metric::Count => cell.count as f64,
            Metric::Docs => cell.docs as f64,
        }
    }
}

/// A trend to compute.
#[derive(Debug, Clone, Default)]
pub struct TrendRequest {
    /// The terms (as typed; folded for matching). Duplicates are dropped.
    pub terms: Vec<String>,
    /// Grouping.
    pub by: GroupBy,
    /// The metric for the peak (and for bars and charts).
    pub metric: Metric,
    /// Only speeches matching this query (`None`: all).
    pub filter: Option<Node>,
    /// At most this many groups (`None`: all): those with the most occurrences of the terms
    /// together (then the first in natural order), listed in natural order. Years are never
    /// cut (they run without gaps; there are at most a few thousand).
    pub limit: Option<usize>,
    /// Count the terms only where they all occur together in one sentence or paragraph.
    pub within: Option<Scope>,
}

/// The answer of `speechdex trend`; its JSON form is the contract of `trend --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// The terms, in the order given.
    pub terms: Vec<String>,
    /// The grouping.
    pub by: GroupBy,
    /// The metric of `peak`.
    pub metric: Metric,
    /// The query selecting the speeches (`--where` and the filters, in canonical form); absent
    /// when every speech counts. First and last appearances are within this selection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
    /// With `--within`: the terms count only inside the sentences (paragraphs) holding them all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<Scope>,
    /// Speeches selected.
    pub docs: u64,
    /// Characters of the speeches selected.
    pub chars: u64,
    /// The groups, in natural order (at most the request's limit of them).
    pub groups: Vec<TrendGroup>,
    /// Groups in all, also those the limit left out.
    pub total_groups: u64,
    /// Whether the limit left groups out (`total_groups` > the groups listed).
    pub truncated: bool,
    /// Per term: all occurrences, speeches containing it, rate over all selected speeches.
    pub totals: TermMap<TermCell>,
    /// Per term: the earliest speech containing it (`null` when none does).
    pub first_seen: TermMap<Option<Appearance>>,
    /// Per term: the latest speech containing it.
    pub last_seen: TermMap<Option<Appearance>>,
    /// Per term: the group where the metric is highest (the first such group in natural order
    /// on ties), among all groups, also one that the limit left out.
    pub peak: TermMap<Option<Peak>>,
    /// Likely slips in the terms ([`crate::search::lint::lint_terms`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::search::lint::QueryNote>,
}

/// One group of speeches.
#[derive(Debug, Clone, Serialize)]
pub struct TrendGroup {
    /// The year, speaker, region, kind or speech id; `"unknown"` for speeches without one.
    pub key: String,
    /// With `--by speech`: the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// With `--by speech`: the date, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// With `--by speech`: the year, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Speeches in the group.
    pub docs: u64,
    /// Characters of the speeches in the group.
    pub chars: u64,
    /// Per term: its figures in this group; `null` for a group without speeches (a year in
    /// the middle of the range for which the corpus has no speech): no data, not zero.
    pub terms: TermMap<Option<TermCell>>,
}

/// The figures of one term in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TermCell {
    /// Occurrences (non-overlapping, as search hits).
    pub count: u64,
    /// Speeches containing the term.
    pub docs: u64,
    /// Occurrences per 10,000 characters.
    pub rate: f64,
}

/// A speech where a term appears.
#[derive(Debug, Clone, Serialize)]
pub struct Appearance {
    /// Speech id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Date, when known.
    pub date: Option<String>,
    /// Year, when known.
    pub year: Option<i32>,
    /// The group the speech belongs to.
    pub group: String,
    /// Occurrences of the term in this speech.
    pub count: u64,
    /// First seen only: the sentence of the term's first occurrence in the speech.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
    /// First seen only: the 1-based paragraph of that occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<usize>,
    /// First seen only: its character offset in the speech.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
}

/// The group where a term's metric is highest.
#[derive(Debug, Clone, Serialize)]
pub struct Peak {
    /// Group key.
    pub group: String,
    /// Value of the metric there.
    pub value: f64,
    /// Occurrences there.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum GroupKey {
    Year(i64),
    Text(String),
    /// Date key (`i64::MAX` when unknown), id.
    Speech(i64, String),
    Unknown,
}

impl GroupKey {
    fn label(&self) -> String {
        match self {
            GroupKey::Year(y) => y.to_string(),
            GroupKey::Text(s) => s.clone(),
            GroupKey::Speech(_, id) => id.clone(),
            GroupKey::Unknown => "unknown".to_string(),
        }
    }
}

/// One group while it is counted.
struct Acc {
    key: GroupKey,
    docs: u64,
    chars: u64,
    /// Per term: count and speeches (the rate is filled in at the end).
    cells: Vec<TermCell>,
    /// With `--by speech`: the speech.
    addr: Option<DocAddress>,
}

impl Acc {
    fn new(key: GroupKey, nterms: usize) -> Acc {
        Acc { key, docs: 0, chars: 0, cells: vec![TermCell::default(); nterms], addr: None }
    }

    /// Fills in the rates.
    fn with_rates(mut self) -> Acc {
        for cell in &mut self.cells {
            cell.rate = per_10k(cell.count, self.chars);
        }
        self
    }

    /// The order in which groups are kept under a limit: most occurrences (all terms together)
    /// first, then natural order.
    fn rank(&self) -> (Reverse<u64>, GroupKey) {
        (Reverse(self.cells.iter().map(|c| c.count).sum()), self.key.clone())
    }
}

/// A speech containing a term, ordered for first / last appearance.
#[derive(Clone)]
struct Seen {
    /// Whether the date or year is known.
    known: bool,
    date_key: i64,
    id: String,
    addr: DocAddress,
    /// The label of the group the speech belongs to.
    group: String,
    count: u64,
}

/// One speech where a term occurs, offered to [`Sums::occurrence`].
struct Occurrence<'a> {
    term: usize,
    addr: DocAddress,
    date_key: Option<i64>,
    count: u32,
    /// The speech id (read only when needed).
    id: &'a mut dyn FnMut() -> String,
    /// The label of its group (made only when needed).
    group: &'a dyn Fn() -> String,
}

/// What is gathered over every selected speech, whatever the grouping and the limit.
struct Sums {
    docs: u64,
    chars: u64,
    totals: Vec<TermCell>,
    first: Vec<Option<Seen>>,
    last: Vec<Option<Seen>>,
    /// Per term: the group with the highest metric so far (value, key, count).
    peaks: Vec<Option<(f64, GroupKey, u64)>>,
}

impl Sums {
    fn new(nterms: usize) -> Sums {
        Sums {
            docs: 0,
            chars: 0,
            totals: vec![TermCell::default(); nterms],
            first: vec![None; nterms],
            last: vec![None; nterms],
            peaks: vec![None; nterms],
        }
    }

    /// Counts one speech where a term occurs, and keeps it when it is the term's first or last
    /// appearance so far.
    fn occurrence(&mut self, o: Occurrence<'_>) {
        let t = o.term;
        self.totals[t].count += u64::from(o.count);
        self.totals[t].docs += 1;
        // First: earliest known date (unknown ones only when no date is known), then smallest
        // id. Last: latest known date, then largest id. Ids are read only on ties of the date.
        let first_key = (o.date_key.is_none(), o.date_key.unwrap_or(i64::MAX));
        let last_key = (o.date_key.is_some(), o.date_key);
        let mut id: Option<String> = None;
        let mut id_of = || id.get_or_insert_with(&mut *o.id).clone();
        let replace_first = match &self.first[t] {
            None => true,
            Some(f) => {
                let other = (!f.known, f.date_key);
                first_key < other || (first_key == other && id_of() < f.id)
            }
        };
        let replace_last = match &self.last[t] {
            None => true,
            Some(l) => {
                let other = (l.known, l.known.then_some(l.date_key));
                last_key > other || (last_key == other && id_of() > l.id)
            }
        };
        if replace_first || replace_last {
            let seen = Seen {
                known: o.date_key.is_some(),
                date_key: o.date_key.unwrap_or(i64::MAX),
                id: id_of(),
                addr: o.addr,
                group: (o.group)(),
                count: u64::from(o.count),
            };
            if replace_first {
                self.first[t] = Some(seen.clone());
            }
            if replace_last {
                self.last[t] = Some(seen);
            }
        }
    }

    /// Offers a finished group (with its rates) for the peaks: the highest metric, the first
    /// group in natural order on ties, over every group (also those a limit leaves out).
    fn offer_peaks(&mut self, metric: Metric, g: &Acc) {
        for (best, cell) in self.peaks.iter_mut().zip(&g.cells) {
            let value = metric.of(cell);
            let better = match best {
                None => value > 0.0,
                Some((v, key, _)) => value > *v || (value == *v && g.key < *key),
            };
            if better {
                *best = Some((value, g.key.clone(), cell.count));
            }
        }
    }
}

/// The groups to show, in natural order, and how many there were in all.
struct Groups {
    shown: Vec<Acc>,
    total: u64,
}

/// The most groups a trend lists by default (`trend --limit`, the API's `limit`).
pub const DEFAULT_GROUP_LIMIT: usize = 1000;

/// Computes a trend.
pub fn trend(index: &SpeechIndex, req: &TrendRequest) -> Result<Trend> {
    trend_with(index, req, MatchOptions::default())
}

/// The counts of `term` in one segment: exact, or ignoring whitespace.
fn term_counts(
    index: &SpeechIndex,
    seg: &tantivy::SegmentReader,
    term: &str,
    options: &MatchOptions,
) -> Result<std::sync::Arc<crate::index::cache::PhraseCounts>> {
    let fields = &index.fields;
    options.text_counts(seg, fields, term, || {
        crate::search::exact::phrase_counts(index.phrase_cache(), seg, fields.body_exact, term)
    })
}

/// The counts of every term in one segment (same order as `terms`); with `within`, only the
/// occurrences inside the sentences or paragraphs that hold every term.
fn segment_counts(
    index: &SpeechIndex,
    seg: &tantivy::SegmentReader,
    terms: &[String],
    options: &MatchOptions,
    within: Option<Scope>,
) -> Result<Vec<std::sync::Arc<crate::index::cache::PhraseCounts>>> {
    let all = terms
        .iter()
        .map(|term| term_counts(index, seg, term, options))
        .collect::<Result<Vec<_>>>()?;
    let Some(scope) = within else { return Ok(all) };
    // Candidates: the speeches holding every term.
    let mut candidates: Vec<tantivy::DocId> =
        all.first().map(|c| c.docs.clone()).unwrap_or_default();
    for counts in &all[1..] {
        candidates.retain(|d| counts.docs.binary_search(d).is_ok());
    }
    let found = crate::search::scope::terms_in_segment(
        seg,
        index.fields.body,
        scope,
        terms,
        &candidates,
        options,
    )?;
    Ok((0..terms.len())
        .map(|t| {
            let mut out = crate::index::cache::PhraseCounts::default();
            for (doc, spans) in &found {
                if !spans[t].is_empty() {
                    out.docs.push(*doc);
                    out.counts.push(u32::try_from(spans[t].len()).unwrap_or(u32::MAX));
                }
            }
            std::sync::Arc::new(out)
        })
        .collect())
}

/// [`trend`] with options: with [`MatchOptions::ignore_space`], terms are counted ignoring
/// whitespace.
pub fn trend_with(index: &SpeechIndex, req: &TrendRequest, options: MatchOptions) -> Result<Trend> {
    let terms = dedup_terms(&req.terms);
    if terms.is_empty() {
        return Err(Error::InvalidArgument("give at least one term".into()));
    }
    let searcher = index.searcher();
    let mut sums = Sums::new(terms.len());
    let groups = match req.by {
        GroupBy::Speech => by_speech(index, &searcher, req, &terms, &mut sums, &options)?,
        _ => by_key(index, &searcher, req, &terms, &mut sums, &options)?,
    };
    finish(index, &searcher, req, &terms, sums, groups, &options)
}

/// Groups by year, speaker, region or kind: one group per value seen among the selected
/// speeches (and, by year, every year between), cut to the limit except by year.
fn by_key(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &TrendRequest,
    terms: &[String],
    sums: &mut Sums,
    options: &MatchOptions,
) -> Result<Groups> {
    let nterms = terms.len();
    let mut groups: Vec<Acc> = Vec::new();
    let mut group_ids: HashMap<GroupKey, usize> = HashMap::new();
    let key_column = match req.by {
        GroupBy::Speaker => Some(names::SPEAKER),
        GroupBy::Region => Some(names::REGION),
        GroupBy::Kind => Some(names::KIND),
        GroupBy::Year | GroupBy::Speech => None,
    };
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, req.filter.as_ref())?;
        let cols = DocColumns::open(seg)?;
        let key_col: Option<StrColumn> = match key_column {
            Some(name) => seg.fast_fields().str(name)?,
            None => None,
        };
        // Document → group, for the selected documents.
        let mut group_of = vec![usize::MAX; bitmap.len()];
        let mut buf = String::new();
        for (doc, _) in bitmap.iter().enumerate().filter(|(_, s)| **s) {
            let doc = doc as u32;
            let key = if req.by == GroupBy::Year {
                cols.year(doc).map_or(GroupKey::Unknown, GroupKey::Year)
            } else {
                str_value(key_col.as_ref(), doc, &mut buf);
                if buf.trim().is_empty() { GroupKey::Unknown } else { GroupKey::Text(buf.clone()) }
            };
            let g = *group_ids.entry(key.clone()).or_insert_with(|| {
                groups.push(Acc::new(key, nterms));
                groups.len() - 1
            });
            let c = cols.chars(doc);
            groups[g].docs += 1;
            groups[g].chars += c;
            sums.docs += 1;
            sums.chars += c;
            group_of[doc as usize] = g;
        }
        let counts = segment_counts(index, seg, terms, options, req.within)?;
        for (t, found) in counts.iter().enumerate() {
            for (doc, count) in found.iter() {
                let g = group_of[doc as usize];
                if g == usize::MAX {
                    continue;
                }
                let cell = &mut groups[g].cells[t];
                cell.count += u64::from(count);
                cell.docs += 1;
                sums.occurrence(Occurrence {
                    term: t,
                    addr: DocAddress::new(seg_ord as u32, doc),
                    date_key: cols.date_key(doc),
                    count,
                    id: &mut || cols.id(doc),
                    group: &|| groups[g].key.label(),
                });
            }
        }
    }
    if req.by == GroupBy::Year {
        add_gap_years(&mut groups, &group_ids, nterms);
    }
    let total = groups.len() as u64;
    let limit = if req.by == GroupBy::Year { usize::MAX } else { req.limit.unwrap_or(usize::MAX) };
    let mut best = Smallest::new(limit);
    for g in groups {
        let g = g.with_rates();
        sums.offer_peaks(req.metric, &g);
        best.offer(g.rank(), g);
    }
    let mut shown = best.into_sorted();
    shown.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Groups { shown, total })
}

/// Adds the years missing between the first and the last, as empty groups.
fn add_gap_years(groups: &mut Vec<Acc>, group_ids: &HashMap<GroupKey, usize>, nterms: usize) {
    let years: Vec<i64> = groups
        .iter()
        .filter_map(|g| if let GroupKey::Year(y) = g.key { Some(y) } else { None })
        .collect();
    if let (Some(&lo), Some(&hi)) = (years.iter().min(), years.iter().max()) {
        for y in lo..=hi {
            if !group_ids.contains_key(&GroupKey::Year(y)) {
                groups.push(Acc::new(GroupKey::Year(y), nterms));
            }
        }
    }
}

/// One group per selected speech where a term occurs. The speeches are streamed (the terms'
/// sorted per-segment counts merged) and only the `limit` with the most occurrences are kept,
/// in a bounded heap: memory does not grow with the number of speeches listed.
fn by_speech(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &TrendRequest,
    terms: &[String],
    sums: &mut Sums,
    options: &MatchOptions,
) -> Result<Groups> {
    let nterms = terms.len();
    let mut best = Smallest::new(req.limit.unwrap_or(usize::MAX));
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, req.filter.as_ref())?;
        let cols = DocColumns::open(seg)?;
        for doc in bitmap.iter().enumerate().filter(|(_, s)| **s).map(|(d, _)| d as u32) {
            sums.docs += 1;
            sums.chars += cols.chars(doc);
        }
        let found = segment_counts(index, seg, terms, options, req.within)?;
        // Every listed speech needs its id: read the id dictionary once when there are many.
        let ids = if found.iter().map(|f| f.len()).sum::<usize>() > 32 {
            Some(cols.ids()?)
        } else {
            None
        };
        let mut next = vec![0usize; nterms];
        while let Some(doc) = (0..nterms).filter_map(|t| found[t].docs.get(next[t])).min().copied()
        {
            let mut acc = Acc::new(GroupKey::Unknown, nterms);
            for t in 0..nterms {
                if found[t].docs.get(next[t]) == Some(&doc) {
                    let count = u64::from(found[t].counts[next[t]]);
                    acc.cells[t] = TermCell { count, docs: 1, rate: 0.0 };
                    next[t] += 1;
                }
            }
            if !bitmap[doc as usize] {
                continue;
            }
            let id = match &ids {
                Some(ids) => cols.id_of(ids, doc),
                None => cols.id(doc),
            };
            let addr = DocAddress::new(seg_ord as u32, doc);
            let date_key = cols.date_key(doc);
            for (t, cell) in acc.cells.iter().enumerate().filter(|(_, c)| c.count > 0) {
                sums.occurrence(Occurrence {
                    term: t,
                    addr,
                    date_key,
                    count: u32::try_from(cell.count).unwrap_or(u32::MAX),
                    id: &mut || id.clone(),
                    group: &|| id.clone(),
                });
            }
            acc.key = GroupKey::Speech(date_key.unwrap_or(i64::MAX), id);
            acc.docs = 1;
            acc.chars = cols.chars(doc);
            acc.addr = Some(addr);
            let acc = acc.with_rates();
            sums.offer_peaks(req.metric, &acc);
            best.offer(acc.rank(), acc);
        }
    }
    let total = best.offered();
    let mut shown = best.into_sorted();
    shown.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Groups { shown, total })
}

/// The answer: the groups shown (titles read for speeches), totals, peaks, first and last
/// appearances.
fn finish(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    req: &TrendRequest,
    terms: &[String],
    sums: Sums,
    groups: Groups,
    options: &MatchOptions,
) -> Result<Trend> {
    let mut out_groups = Vec::with_capacity(groups.shown.len());
    for g in groups.shown {
        let (title, date, year) = match g.addr {
            Some(addr) => {
                let s = index.stored(searcher, addr, false)?;
                (Some(s.title), s.date, s.year)
            }
            None => (None, None, None),
        };
        out_groups.push(TrendGroup {
            key: g.key.label(),
            title,
            date,
            year,
            docs: g.docs,
            chars: g.chars,
            terms: named(terms, g.cells.into_iter().map(|c| (g.docs > 0).then_some(c)).collect()),
        });
    }
    let mut totals = sums.totals;
    for t in &mut totals {
        t.rate = per_10k(t.count, sums.chars);
    }
    let peak = sums
        .peaks
        .into_iter()
        .map(|p| p.map(|(value, key, count)| Peak { group: key.label(), value, count }))
        .collect();
    let mut first_seen = Vec::with_capacity(terms.len());
    let mut last_seen = Vec::with_capacity(terms.len());
    for (t, term) in terms.iter().enumerate() {
        let scoped = req.within.map(|scope| (scope, terms));
        first_seen.push(match &sums.first[t] {
            Some(seen) => Some(appearance(index, searcher, seen, Some(term), scoped, options)?),
            None => None,
        });
        last_seen.push(match &sums.last[t] {
            Some(seen) => Some(appearance(index, searcher, seen, None, scoped, options)?),
            None => None,
        });
    }
    Ok(Trend {
        terms: terms.to_vec(),
        by: req.by,
        metric: req.metric,
        selection: req.filter.as_ref().map(crate::search::query::to_query_string),
        within: req.within,
        docs: sums.docs,
        chars: sums.chars,
        truncated: (out_groups.len() as u64) < groups.total,
        total_groups: groups.total,
        groups: out_groups,
        totals: named(terms, totals),
        first_seen: named(terms, first_seen),
        last_seen: named(terms, last_seen),
        peak: named(terms, peak),
        warnings: crate::search::lint::lint_terms(terms),
    })
}

/// Values per term, named by their terms.
fn named<T>(terms: &[String], values: Vec<T>) -> TermMap<T> {
    TermMap(terms.iter().cloned().zip(values).collect())
}

/// Reads the speech of `seen`; with `sentence_of`, also the sentence where that term first
/// occurs in it (with `scoped`, first occurs inside a sentence or paragraph holding every term).
fn appearance(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    seen: &Seen,
    sentence_of: Option<&str>,
    scoped: Option<(Scope, &[String])>,
    options: &MatchOptions,
) -> Result<Appearance> {
    let stored = index.stored(searcher, seen.addr, sentence_of.is_some())?;
    let mut out = Appearance {
        id: stored.id,
        title: stored.title,
        date: stored.date,
        year: stored.year,
        group: seen.group.clone(),
        count: seen.count,
        sentence: None,
        paragraph: None,
        offset: None,
    };
    let first = |body: &str, term: &str| {
        if let Some((scope, terms)) = scoped {
            let node = Node::and(
                terms
                    .iter()
                    .map(|t| Node::Phrase { text: t.clone(), span: Default::default() })
                    .collect(),
            );
            let blanked = options.outside.as_ref().map(|b| b.blank(body));
            let body = blanked.as_deref().unwrap_or(body);
            let found =
                crate::search::scope::in_text(body, scope, &node, &|_| true, options.ignore_space);
            let k = node.positive_phrases().iter().position(|p| *p == term)?;
            found.spans[k].first().map(|&[s, e]| (s as usize, e as usize))
        } else {
            let mut found: Vec<[u32; 2]> = if options.ignore_space {
                find_in_text(body, term, Equivalence::Whitespace)
            } else {
                find_matches(body, &[term]).iter().map(|&(s, e)| [s as u32, e as u32]).collect()
            };
            if let Some(b) = &options.outside {
                crate::search::outside::keep_outside(b, body, &mut found);
            }
            found.first().map(|&[s, e]| (s as usize, e as usize))
        }
    };
    if let (Some(term), Some(body)) = (sentence_of, stored.body.as_deref())
        && let Some((start, end)) = first(body, term)
    {
        let chars: Vec<char> = body.chars().collect();
        out.sentence = Some(sentence_around(body, &chars, start, end));
        out.paragraph = Some(paragraph_of(&chars, start));
        out.offset = Some(start);
    }
    Ok(out)
}

/// The sentence ([`crate::analysis::sentences`]) of the occurrence `[start, end)` of `body`, at
/// most about 200 characters (cut with `…` around the occurrence when longer).
fn sentence_around(body: &str, chars: &[char], start: usize, end: usize) -> String {
    const MAX: usize = 200;
    let units = crate::analysis::sentences::units(body, Scope::Sentence);
    let unit = units.iter().find(|u| u.start <= start && start < u.end);
    let (mut s, mut e) = unit.map_or((start, end), |u| (u.start, u.end.max(end)));
    let (mut prefix, mut suffix) = ("", "");
    if e - s > MAX {
        let half = MAX.saturating_sub(end - start) / 2;
        if start - s > half {
            s = start - half;
            prefix = "…";
        }
        if e - end > half {
            e = end + half;
            suffix = "…";
        }
    }
    let span = crate::analysis::sentences::Span { start: s, end: e, paragraph: 0 };
    format!("{prefix}{}{suffix}", crate::analysis::sentences::text_of(chars, &span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_of_an_occurrence_is_the_one_every_command_uses() {
        let body = "前一句。我们要发展新质生产力！”后一句；还是后一句\n第二段";
        let chars: Vec<char> = body.chars().collect();
        assert_eq!(sentence_around(body, &chars, 9, 14), "我们要发展新质生产力！”");
        assert_eq!(sentence_around(body, &chars, 17, 19), "后一句；还是后一句");
        assert_eq!(sentence_around(body, &chars, 26, 28), "第二段");
        let long = format!("{}新质{}", "甲".repeat(300), "乙".repeat(300));
        let chars: Vec<char> = long.chars().collect();
        let s = sentence_around(&long, &chars, 300, 302);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("新质"), "{s}");
        assert!(s.chars().count() <= 202);
    }
}
