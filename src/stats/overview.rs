//! What an index holds: speeches per year, kind and region, characters, size, last build.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Result;
use crate::index::schema::names;
use crate::index::{BuildInfo, SpeechIndex, Store};

/// The answer of `speechdex stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Speeches in the index.
    pub docs: u64,
    /// Characters of speech text.
    pub chars: u64,
    /// Speeches per year (known years only), ascending.
    pub years: BTreeMap<i32, u64>,
    /// Speeches whose year is unknown.
    pub unknown_year: u64,
    /// Speeches per kind ("" when unknown).
    pub kinds: BTreeMap<String, u64>,
    /// Speeches per region ("" when unknown).
    pub regions: BTreeMap<String, u64>,
    /// Bytes the current generation takes on disk.
    pub index_bytes: u64,
    /// The index folder.
    pub index: String,
    /// The last build, if recorded.
    pub last_build: Option<BuildInfo>,
    /// When the current generation was created (last full build).
    pub generation_created: String,
    /// User dictionaries the index was built with.
    pub user_dictionaries: Vec<String>,
}

/// Computes the overview from fast fields (no stored text is read).
pub fn overview(index: &SpeechIndex) -> Result<Overview> {
    let searcher = index.searcher();
    let mut out = Overview {
        docs: searcher.num_docs(),
        chars: 0,
        years: BTreeMap::new(),
        unknown_year: 0,
        kinds: BTreeMap::new(),
        regions: BTreeMap::new(),
        index_bytes: Store::new(&index.root).size_on_disk(),
        index: index.root.display().to_string(),
        last_build: index.build_info(),
        generation_created: index.settings.created_at.clone(),
        user_dictionaries: index.settings.user_dict_names.clone(),
    };
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let years = ff.i64(names::YEAR)?;
        let chars = ff.u64(names::CHARS)?;
        let kinds = ff.str(names::KIND)?;
        let regions = ff.str(names::REGION)?;
        let mut buf = String::new();
        for doc in seg.doc_ids_alive() {
            match years.first(doc) {
                Some(y) => *out.years.entry(y as i32).or_default() += 1,
                None => out.unknown_year += 1,
            }
            out.chars += chars.first(doc).unwrap_or(0);
            for (col, map) in [(&kinds, &mut out.kinds), (&regions, &mut out.regions)] {
                buf.clear();
                if let Some(col) = col
                    && let Some(ord) = col.term_ords(doc).next()
                {
                    let _ = col.ord_to_str(ord, &mut buf);
                }
                *map.entry(buf.clone()).or_default() += 1;
            }
        }
    }
    Ok(out)
}
