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
//! present (empty years as zero rows), speakers, regions and kinds in code-point order, speeches
//! by date; the group of speeches whose key is unknown (`"unknown"`) comes last. With
//! `--by speech`, only speeches where at least one term occurs are listed.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::DocAddress;
use tantivy::columnar::StrColumn;

use super::select::{DocColumns, TermMap, dedup_terms, per_10k, selected, str_value};
use crate::index::SpeechIndex;
use crate::index::schema::names;
use crate::search::Node;
use crate::search::snippet::{find_matches, paragraph_of};
use crate::{Error, Result};

/// What to group speeches by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Year of the speech.
    #[default]
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

impl GroupBy {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Year => "year",
            GroupBy::Speaker => "speaker",
            GroupBy::Region => "region",
            GroupBy::Kind => "kind",
            GroupBy::Speech => "speech",
        }
    }
}

/// The figure that bars, charts and the peak use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Occurrences per 10,000 characters.
    #[default]
    Rate,
    /// Occurrences.
    Count,
    /// Speeches containing the term.
    Docs,
}

impl Metric {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Rate => "rate",
            Metric::Count => "count",
            Metric::Docs => "docs",
        }
    }

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
    /// Speeches selected.
    pub docs: u64,
    /// Characters of the speeches selected.
    pub chars: u64,
    /// The groups, in natural order.
    pub groups: Vec<TrendGroup>,
    /// Per term: all occurrences, speeches containing it, rate over all selected speeches.
    pub totals: TermMap<TermCell>,
    /// Per term: the earliest speech containing it (`null` when none does).
    pub first_seen: TermMap<Option<Appearance>>,
    /// Per term: the latest speech containing it.
    pub last_seen: TermMap<Option<Appearance>>,
    /// Per term: the group where the metric is highest (the first such group on ties).
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
    /// Per term: its figures in this group.
    pub terms: TermMap<TermCell>,
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
enum Key {
    Year(i64),
    Text(String),
    /// Date key (`i64::MAX` when unknown), id.
    Speech(i64, String),
    Unknown,
}

impl Key {
    fn label(&self) -> String {
        match self {
            Key::Year(y) => y.to_string(),
            Key::Text(s) => s.clone(),
            Key::Speech(_, id) => id.clone(),
            Key::Unknown => "unknown".to_string(),
        }
    }
}

struct Acc {
    key: Key,
    docs: u64,
    chars: u64,
    cells: Vec<TermCell>,
    /// With `--by speech`: the speech.
    addr: Option<DocAddress>,
}

/// A speech containing a term, ordered for first / last appearance.
#[derive(Clone)]
struct Seen {
    /// Whether the date or year is known.
    known: bool,
    date_key: i64,
    id: String,
    addr: DocAddress,
    group: usize,
    count: u64,
}

/// Computes a trend.
pub fn trend(index: &SpeechIndex, req: &TrendRequest) -> Result<Trend> {
    let terms = dedup_terms(&req.terms);
    if terms.is_empty() {
        return Err(Error::InvalidArgument("give at least one term".into()));
    }
    let searcher = index.searcher();
    let fields = &index.fields;
    let nterms = terms.len();
    let mut groups: Vec<Acc> = Vec::new();
    let mut group_ids: HashMap<Key, usize> = HashMap::new();
    let mut first: Vec<Option<Seen>> = vec![None; nterms];
    let mut last: Vec<Option<Seen>> = vec![None; nterms];
    let key_column = match req.by {
        GroupBy::Speaker => Some(names::SPEAKER),
        GroupBy::Region => Some(names::REGION),
        GroupBy::Kind => Some(names::KIND),
        GroupBy::Year | GroupBy::Speech => None,
    };
    let (mut docs, mut chars) = (0u64, 0u64);

    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, req.filter.as_ref())?;
        let cols = DocColumns::open(seg)?;
        let key_col: Option<StrColumn> = match key_column {
            Some(name) => seg.fast_fields().str(name)?,
            None => None,
        };
        // By speech, every selected speech needs its id: read the id dictionary once.
        let ids = if req.by == GroupBy::Speech { cols.ids()? } else { Vec::new() };
        // Document → group, for the selected documents.
        let mut group_of = vec![usize::MAX; bitmap.len()];
        let mut buf = String::new();
        for (doc, _) in bitmap.iter().enumerate().filter(|(_, s)| **s) {
            let doc = doc as u32;
            let key = match req.by {
                GroupBy::Year => cols.year(doc).map_or(Key::Unknown, Key::Year),
                GroupBy::Speech => {
                    Key::Speech(cols.date_key(doc).unwrap_or(i64::MAX), cols.id_of(&ids, doc))
                }
                _ => {
                    str_value(key_col.as_ref(), doc, &mut buf);
                    if buf.trim().is_empty() { Key::Unknown } else { Key::Text(buf.clone()) }
                }
            };
            let g = *group_ids.entry(key.clone()).or_insert_with(|| {
                groups.push(Acc {
                    key,
                    docs: 0,
                    chars: 0,
                    cells: vec![TermCell::default(); nterms],
                    addr: None,
                });
                groups.len() - 1
            });
            let c = cols.chars(doc);
            groups[g].docs += 1;
            groups[g].chars += c;
            if req.by == GroupBy::Speech {
                groups[g].addr = Some(DocAddress::new(seg_ord as u32, doc));
            }
            docs += 1;
            chars += c;
            group_of[doc as usize] = g;
        }
        for (t, term) in terms.iter().enumerate() {
            let found = index.phrase_cache().counts(seg, fields.body_exact, term)?;
            for (occ_doc, occ_count) in found.iter() {
                let g = group_of[occ_doc as usize];
                if g == usize::MAX {
                    continue;
                }
                let cell = &mut groups[g].cells[t];
                cell.count += u64::from(occ_count);
                cell.docs += 1;
                // First: earliest known date (unknown ones only when no date is known), then
                // smallest id. Last: latest known date, then largest id. Ids are read only on
                // ties of the date.
                let date_key = cols.date_key(occ_doc);
                let first_key = (date_key.is_none(), date_key.unwrap_or(i64::MAX));
                let last_key = (date_key.is_some(), date_key);
                let mut id: Option<String> = None;
                let mut id_of = || id.get_or_insert_with(|| cols.id(occ_doc)).clone();
                let replace_first = match &first[t] {
                    None => true,
                    Some(f) => {
                        let other = (!f.known, f.date_key);
                        first_key < other || (first_key == other && id_of() < f.id)
                    }
                };
                let replace_last = match &last[t] {
                    None => true,
                    Some(l) => {
                        let other = (l.known, l.known.then_some(l.date_key));
                        last_key > other || (last_key == other && id_of() > l.id)
                    }
                };
                if replace_first || replace_last {
                    let seen = Seen {
                        known: date_key.is_some(),
                        date_key: date_key.unwrap_or(i64::MAX),
                        id: id_of(),
                        addr: DocAddress::new(seg_ord as u32, occ_doc),
                        group: g,
                        count: u64::from(occ_count),
                    };
                    if replace_first {
                        first[t] = Some(seen.clone());
                    }
                    if replace_last {
                        last[t] = Some(seen);
                    }
                }
            }
        }
    }

    // Gap years.
    if req.by == GroupBy::Year {
        let years: Vec<i64> = groups
            .iter()
            .filter_map(|g| if let Key::Year(y) = g.key { Some(y) } else { None })
            .collect();
        if let (Some(&lo), Some(&hi)) = (years.iter().min(), years.iter().max()) {
            for y in lo..=hi {
                group_ids.entry(Key::Year(y)).or_insert_with(|| {
                    groups.push(Acc {
                        key: Key::Year(y),
                        docs: 0,
                        chars: 0,
                        cells: vec![TermCell::default(); nterms],
                        addr: None,
                    });
                    groups.len() - 1
                });
            }
        }
    }
    // Group index → label, before reordering.
    let labels: Vec<String> = groups.iter().map(|g| g.key.label()).collect();
    if req.by == GroupBy::Speech {
        groups.retain(|g| g.cells.iter().any(|c| c.count > 0));
    }
    groups.sort_by(|a, b| a.key.cmp(&b.key));

    let mut totals = vec![TermCell::default(); nterms];
    let mut out_groups = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut cells = Vec::with_capacity(nterms);
        for (t, term) in terms.iter().enumerate() {
            let mut cell = g.cells[t];
            cell.rate = per_10k(cell.count, g.chars);
            totals[t].count += cell.count;
            totals[t].docs += cell.docs;
            cells.push((term.clone(), cell));
        }
        let (title, date, year) = match g.addr {
            Some(addr) => {
                let s = index.stored(&searcher, addr, false)?;
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
            terms: TermMap(cells),
        });
    }
    for t in &mut totals {
        t.rate = per_10k(t.count, chars);
    }

    let mut peak = Vec::with_capacity(nterms);
    for (t, term) in terms.iter().enumerate() {
        let mut best: Option<Peak> = None;
        for g in &out_groups {
            let cell = &g.terms.0[t].1;
            let value = req.metric.of(cell);
            if value > 0.0 && best.as_ref().is_none_or(|b| value > b.value) {
                best = Some(Peak { group: g.key.clone(), value, count: cell.count });
            }
        }
        peak.push((term.clone(), best));
    }

    let mut first_seen = Vec::with_capacity(nterms);
    let mut last_seen = Vec::with_capacity(nterms);
    for (t, term) in terms.iter().enumerate() {
        let f = match &first[t] {
            Some(seen) => Some(appearance(index, &searcher, seen, &labels, Some(term))?),
            None => None,
        };
        first_seen.push((term.clone(), f));
        let l = match &last[t] {
            Some(seen) => Some(appearance(index, &searcher, seen, &labels, None)?),
            None => None,
        };
        last_seen.push((term.clone(), l));
    }

    Ok(Trend {
        terms: terms.clone(),
        by: req.by,
        metric: req.metric,
        docs,
        chars,
        groups: out_groups,
        totals: TermMap(terms.iter().cloned().zip(totals).collect()),
        first_seen: TermMap(first_seen),
        last_seen: TermMap(last_seen),
        peak: TermMap(peak),
        warnings: crate::search::lint::lint_terms(&terms),
    })
}

/// Reads the speech of `seen`; with `sentence_of`, also the sentence where that term first
/// occurs in it.
fn appearance(
    index: &SpeechIndex,
    searcher: &tantivy::Searcher,
    seen: &Seen,
    labels: &[String],
    sentence_of: Option<&str>,
) -> Result<Appearance> {
    let stored = index.stored(searcher, seen.addr, sentence_of.is_some())?;
    let mut out = Appearance {
        id: stored.id,
        title: stored.title,
        date: stored.date,
        year: stored.year,
        group: labels[seen.group].clone(),
        count: seen.count,
        sentence: None,
        paragraph: None,
        offset: None,
    };
    if let (Some(term), Some(body)) = (sentence_of, stored.body.as_deref())
        && let Some(&(start, end)) = find_matches(body, &[term]).first()
    {
        let chars: Vec<char> = body.chars().collect();
        out.sentence = Some(super::select::sentence_around(&chars, start, end));
        out.paragraph = Some(paragraph_of(&chars, start));
        out.offset = Some(start);
    }
    Ok(out)
}
