//! The fast-field columns of a segment that every layer above reads per document: year, date,
//! characters and id ([`DocColumns`]), and the chronological key built from them
//! ([`crate::index::schema::chrono_key`]). One home, so that search, the statistics and the
//! server read a column the same way.

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, SegmentReader};

use crate::Result;
use crate::index::schema::names;

/// Fast-field columns read for every document.
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

    /// The date as a day key ([`crate::index::schema::day_key`], `YYYYMMDD`), when known.
    pub fn date(&self, doc: DocId) -> Option<i64> {
        self.dates.first(doc)
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
