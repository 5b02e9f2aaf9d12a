//! Helpers shared by the term statistics: which speeches of a segment are selected (by an
//! optional query), their sort key by date, their id and a map of terms to values that keeps
//! the order in which terms were given.

use serde::Serialize;
use serde::ser::SerializeMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, SegmentReader};

use crate::Result;
use crate::index::SpeechIndex;
use crate::index::schema::names;
use crate::search::Node;
use crate::search::matcher::match_segment;

/// The alive documents of `seg` that `filter` matches (all alive documents without a filter),
/// as a bitmap indexed by document id.
pub fn selected(
    seg: &SegmentReader,
    index: &SpeechIndex,
    filter: Option<&Node>,
) -> Result<Vec<bool>> {
    let mut bitmap = vec![false; seg.max_doc() as usize];
    match filter {
        None => {
            for doc in seg.doc_ids_alive() {
                bitmap[doc as usize] = true;
            }
        }
        Some(node) => {
            for doc in match_segment(seg, &index.fields, index.phrase_cache(), node, &[])?.docs {
                bitmap[doc as usize] = true;
            }
        }
    }
    Ok(bitmap)
}

/// Fast-field columns that the statistics read for every document.
pub struct DocColumns {
    years: Column<i64>,
    dates: Column<i64>,
    chars: Column<u64>,
    ids: Option<StrColumn>,
}

impl DocColumns {
    /// Opens the columns of one segment.
    pub fn open(seg: &SegmentReader) -> Result<DocColumns> {
        let ff = seg.fast_fields();
        Ok(DocColumns {
            years: ff.i64(names::YEAR)?,
            dates: ff.i64(names::DATE)?,
            chars: ff.u64(names::CHARS)?,
            ids: ff.str(names::ID)?,
        })
    }

    /// The year, when known.
    pub fn year(&self, doc: DocId) -> Option<i64> {
        self.years.first(doc)
    }

    /// Characters of text.
    pub fn chars(&self, doc: DocId) -> u64 {
        self.chars.first(doc).unwrap_or(0)
    }

    /// The chronological sort key ([`crate::index::schema::chrono_key`]).
    pub fn date_key(&self, doc: DocId) -> Option<i64> {
        crate::index::schema::chrono_key(self.dates.first(doc), self.years.first(doc))
    }

    /// Every speech id of the segment, by ordinal: [`DocColumns::id_of`] then finds a speech's id
    /// without a dictionary lookup. Cheaper than [`DocColumns::id`] from a few dozen speeches on.
    pub fn ids(&self) -> Result<Vec<String>> {
        match &self.ids {
            Some(col) => {
                Ok(crate::index::dictionary_terms(col).map_err(tantivy::TantivyError::from)?)
            }
            None => Ok(Vec::new()),
        }
    }

    /// The id of `doc` in a table from [`DocColumns::ids`].
    pub fn id_of(&self, ids: &[String], doc: DocId) -> String {
        self.ids
            .as_ref()
            .and_then(|col| col.term_ords(doc).next())
            .and_then(|ord| ids.get(ord as usize))
            .cloned()
            .unwrap_or_default()
    }

    /// The speech id.
    pub fn id(&self, doc: DocId) -> String {
        let mut out = String::new();
        if let Some(ids) = &self.ids
            && let Some(ord) = ids.term_ords(doc).next()
        {
            let _ = ids.ord_to_str(ord, &mut out);
        }
        out
    }
}

/// Reads the first value of a raw string fast field (`""` when absent).
pub fn str_value(col: Option<&StrColumn>, doc: DocId, buf: &mut String) {
    buf.clear();
    if let Some(col) = col
        && let Some(ord) = col.term_ords(doc).next()
    {
        let _ = col.ord_to_str(ord, buf);
    }
}

/// A map from term to value that serialises as a JSON object with the terms in the order they
/// were given.
#[derive(Debug, Clone, PartialEq)]
pub struct TermMap<T>(pub Vec<(String, T)>);

impl<T> TermMap<T> {
    /// The value of `term`.
    pub fn get(&self, term: &str) -> Option<&T> {
        self.0.iter().find(|(t, _)| t == term).map(|(_, v)| v)
    }

    /// Terms and values in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(t, v)| (t.as_str(), v))
    }
}

impl<T: Serialize> Serialize for TermMap<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The terms without duplicates and empty strings, in the order given.
pub fn dedup_terms(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        if !t.is_empty() && !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// Occurrences per 10,000 units (0 when there are none).
pub fn per_10k(count: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { count as f64 * 10_000.0 / total as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_maps_keep_order() {
        let m = TermMap(vec![("乙".to_string(), 1), ("甲".to_string(), 2)]);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"乙":1,"甲":2}"#);
        assert_eq!(m.get("甲"), Some(&2));
        assert_eq!(dedup_terms(&["a".into(), "".into(), "a".into(), "b".into()]), vec!["a", "b"]);
    }
}
