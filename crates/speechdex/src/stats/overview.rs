//! What an index holds: speeches per year, kind and region, characters, size, last build; the
//! field audit (how many speeches have each field stated, inferred or missing) and the list of
//! the speeches that lack one field ([`missing`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Result;
use crate::corpus::Field;
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
    /// For each metadata field, how many speeches have it stated, inferred or missing.
    pub fields: Vec<FieldAudit>,
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

/// How many speeches have one field as their record states it, as inferred (from the title,
/// dateline, byline, file name...), or not at all.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FieldAudit {
    /// The field's name ([`Field::name`]).
    pub field: String,
    /// Speeches whose record states it.
    pub stated: u64,
    /// Speeches that have it inferred (listed in their `inferred`).
    pub inferred: u64,
    /// Speeches without it.
    pub missing: u64,
}

/// The fields of the audit, in the order shown: every field but the text (always there).
pub const AUDITED_FIELDS: [Field; 11] = [
    Field::Title,
    Field::Date,
    Field::Published,
    Field::Year,
    Field::Speaker,
    Field::Region,
    Field::Venue,
    Field::Kind,
    Field::Tags,
    Field::Source,
    Field::Url,
];

/// The speeches that lack one field (`speechdex stats --missing FIELD`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Missing {
    /// The field's name.
    pub field: String,
    /// The speeches without it, by id.
    pub speeches: Vec<MissingSpeech>,
}

/// A speech named in [`Missing`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MissingSpeech {
    /// Its id, as `search` prints it (and as a `--meta` file names it).
    pub id: String,
    /// Its title.
    pub title: String,
}

/// The column that tells whether a speech has a field.
enum Presence {
    /// Every speech has it.
    Always,
    /// A text column (present when it holds a value).
    Text(Option<tantivy::columnar::StrColumn>),
    /// A number column.
    Number(Option<tantivy::columnar::Column<i64>>),
}

impl Presence {
    /// The column of `field` in a segment.
    fn of(field: Field, ff: &tantivy::fastfield::FastFieldReaders) -> Result<Presence> {
        let text = |name: &str| -> Result<Presence> { Ok(Presence::Text(ff.str(name)?)) };
        let number =
            |name: &str| -> Result<Presence> { Ok(Presence::Number(ff.column_opt::<i64>(name)?)) };
        match field {
            Field::Title | Field::Text => Ok(Presence::Always),
            Field::Date => number(names::DATE),
            Field::Year => number(names::YEAR),
            Field::Published => text(names::PUBLISHED),
            Field::Speaker => text(names::SPEAKER),
            Field::Region => text(names::REGION),
            Field::Venue => text(names::VENUE),
            Field::Kind => text(names::KIND),
            Field::Tags => text(names::TAGS),
            Field::Source => text(names::SOURCE),
            Field::Url => text(names::URL),
        }
    }

    fn has(&self, doc: tantivy::DocId) -> bool {
        match self {
            Presence::Always => true,
            Presence::Text(col) => col.as_ref().is_some_and(|c| c.term_ords(doc).next().is_some()),
            Presence::Number(col) => col.as_ref().is_some_and(|c| c.first(doc).is_some()),
        }
    }
}

/// The names of the fields a speech has inferred (from the `inferred` column).
fn inferred_names(
    col: Option<&tantivy::columnar::StrColumn>,
    doc: tantivy::DocId,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(col) = col {
        for ord in col.term_ords(doc) {
            let mut name = String::new();
            col.ord_to_str(ord, &mut name).map_err(tantivy::TantivyError::from)?;
            out.push(name);
        }
    }
    Ok(out)
}

/// Counts, for each of [`AUDITED_FIELDS`], the speeches that have it stated, inferred or
/// missing (fast fields only: no stored text is read).
pub fn field_audit(index: &SpeechIndex) -> Result<Vec<FieldAudit>> {
    let searcher = index.searcher();
    let mut out: Vec<FieldAudit> = AUDITED_FIELDS
        .iter()
        .map(|f| FieldAudit { field: f.name().to_owned(), ..FieldAudit::default() })
        .collect();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let columns: Vec<Presence> =
            AUDITED_FIELDS.iter().map(|&f| Presence::of(f, ff)).collect::<Result<_>>()?;
        let inferred = ff.str(names::INFERRED)?;
        for doc in seg.doc_ids_alive() {
            let names = inferred_names(inferred.as_ref(), doc)?;
            for (row, column) in out.iter_mut().zip(&columns) {
                if !column.has(doc) {
                    row.missing += 1;
                } else if names.contains(&row.field) {
                    row.inferred += 1;
                } else {
                    row.stated += 1;
                }
            }
        }
    }
    Ok(out)
}

/// The speeches that lack `field`, sorted by id (their stored titles are read).
pub fn missing(index: &SpeechIndex, field: Field) -> Result<Missing> {
    let searcher = index.searcher();
    let mut speeches = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let column = Presence::of(field, seg.fast_fields())?;
        for doc in seg.doc_ids_alive().filter(|&doc| !column.has(doc)) {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            let stored = index.stored(&searcher, addr, false)?;
            speeches.push(MissingSpeech { id: stored.id, title: stored.title });
        }
    }
    speeches.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Missing { field: field.name().to_owned(), speeches })
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
        fields: field_audit(index)?,
        index_bytes: Store::new(&index.root).size_on_disk(),
        index: index.root.display().to_string(),
        last_build: index.build_info(),
        generation_created: index.settings.created_at.clone(),
        user_dictionaries: index.settings.user_dict_names.clone(),
        space: None,
    };
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let cols = crate::index::columns::DocColumns::open(seg)?;
        let kinds = ff.str(names::KIND)?;
        let regions = ff.str(names::REGION)?;
        let mut buf = String::new();
        for doc in seg.doc_ids_alive() {
            match cols.year(doc) {
                Some(y) => *out.years.entry(y as i32).or_default() += 1,
                None => out.unknown_year += 1,
            }
            out.chars += cols.chars(doc);
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
