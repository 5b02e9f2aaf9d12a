//! Helpers shared by the term statistics: which speeches of a segment are selected (by an
//! optional query), their sort key by date, their id and a map of terms to values that keeps
//! the order in which terms were given.

use serde::Serialize;
use serde::ser::SerializeMap;
use tantivy::SegmentReader;

pub use crate::index::columns::{DocColumns, str_value};

use crate::Result;
use crate::index::SpeechIndex;
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
