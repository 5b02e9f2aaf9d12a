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
    /// Where the disk space goes ([`space_usage`]), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space: Option<SpaceUsage>,
}

/// Where an index's disk space goes: bytes per field and per kind of structure, summed over
/// the segments of the current generation.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SpaceUsage {
    /// Segments of the index.
    pub segments: usize,
    /// One row per field that takes space, largest first.
    pub fields: Vec<FieldSpace>,
    /// Stored documents (compressed blocks and their offsets): every stored field together,
    /// mostly the speech text.
    pub store: u64,
    /// Deleted-document bitsets (speeches replaced or removed by incremental builds).
    pub deletes: u64,
    /// Everything else on disk: the manifest, build records, tantivy's meta files.
    pub other: u64,
    /// Bytes on disk of the whole generation (the sum of the above).
    pub total: u64,
}

/// The bytes of one field, per structure.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FieldSpace {
    /// Field name ([`crate::index::schema`]).
    pub field: String,
    /// Term dictionary: the field's vocabulary.
    pub terms: u64,
    /// Postings: which speeches hold each term, and how often.
    pub postings: u64,
    /// Positions of each occurrence (the exact fields only).
    pub positions: u64,
    /// Fast fields (columns) and field norms.
    pub columns: u64,
    /// The sum of the above.
    pub total: u64,
}

/// Measures where the disk space of `index` goes (reads the segments' file footers only).
pub fn space_usage(index: &SpeechIndex) -> Result<SpaceUsage> {
    let searcher = index.searcher();
    let usage = searcher
        .space_usage()
        .map_err(|e| crate::Error::io("measuring the disk space of", &index.root, e))?;
    let mut fields: BTreeMap<String, FieldSpace> = BTreeMap::new();
    let mut out = SpaceUsage { segments: usage.segments().len(), ..SpaceUsage::default() };
    for seg in usage.segments() {
        let mut add = |per_field: &tantivy::space_usage::PerFieldSpaceUsage,
                       slot: fn(&mut FieldSpace) -> &mut u64| {
            for usage in per_field.fields() {
                let row = fields.entry(usage.field_name().to_string()).or_default();
                *slot(row) += usage.total().get_bytes();
            }
        };
        add(seg.termdict(), |f| &mut f.terms);
        add(seg.postings(), |f| &mut f.postings);
        add(seg.positions(), |f| &mut f.positions);
        add(seg.fast_fields(), |f| &mut f.columns);
        add(seg.fieldnorms(), |f| &mut f.columns);
        out.store += seg.store().total().get_bytes();
        out.deletes += seg.deletes().get_bytes();
    }
    out.fields = fields
        .into_iter()
        .map(|(field, mut f)| {
            f.field = field;
            f.total = f.terms + f.postings + f.positions + f.columns;
            f
        })
        .filter(|f| f.total > 0)
        .collect();
    out.fields.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.field.cmp(&b.field)));
    let counted = out.fields.iter().map(|f| f.total).sum::<u64>() + out.store + out.deletes;
    let on_disk = Store::new(&index.root).size_on_disk();
    out.other = on_disk.saturating_sub(counted);
    out.total = counted + out.other;
    Ok(out)
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
        space: None,
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
