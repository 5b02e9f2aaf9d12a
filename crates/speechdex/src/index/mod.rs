//! The tantivy index: schema, full and incremental builds, atomic swap, locking, and opening an
//! index for reading.
//!
//! [`build()`] writes; [`SpeechIndex::open`] reads. Readers never take the writer lock and never
//! see a half-built index: they open the generation named by `CURRENT` (see [`store`]).

pub mod build;
pub mod cache;
pub mod columns;
pub mod directory;
pub mod document;
#[cfg(any(test, feature = "fault-injection"))]
pub mod fault;
pub mod schema;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

use document::SpeechDoc;

pub use build::{BuildMode, BuildOptions, BuildSummary, NoProgress, PhaseTime, Progress, build};
pub use schema::Fields;
pub use store::{Settings, Store};

use crate::analysis::boilerplate::{Boilerplate, LineCounter};
use crate::{Error, Result};

/// Facts about the last build, kept in the tantivy commit payload (atomic with the data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    /// When the build finished (RFC 3339).
    pub built_at: String,
    /// The corpus roots given.
    pub roots: Vec<String>,
    /// Full or incremental.
    pub mode: BuildMode,
    /// Candidate files seen.
    pub files_seen: usize,
    /// Number of skipped files, lines and rows.
    pub skipped: usize,
}

/// An open index, ready for searching.
pub struct SpeechIndex {
    /// The index root folder (holding `CURRENT`).
    pub root: PathBuf,
    /// The generation folder that was opened.
    pub generation: PathBuf,
    /// The tantivy index, with the tokenizers registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Analysis settings of the generation.
    pub settings: Settings,
    reader: IndexReader,
    caches: CacheOptions,
    phrase_cache: crate::index::cache::PhraseCache,
    speech_cache: crate::index::cache::SpeechCache,
    match_threads: Option<usize>,
    /// The boilerplate of the searcher's segments, found on first use.
    boilerplate: std::sync::Mutex<Option<(Vec<tantivy::index::SegmentId>, Arc<Boilerplate>)>>,
}

/// Caches of an open index, for processes that answer many queries (the server). A
/// one-query process (the CLI) gains nothing from them: the defaults keep tantivy's doc-store
/// cache and no phrase-count cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheOptions {
    /// Bytes of exact phrase counts kept per index ([`crate::index::cache`]); 0: none.
    pub phrase_count_bytes: usize,
    /// Bytes of stored speeches (metadata and text) kept decoded per index
    /// ([`crate::index::cache`]), for result pages and snippets; 0: none.
    pub speech_bytes: usize,
}

impl std::fmt::Debug for SpeechIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechIndex").field("generation", &self.generation).finish_non_exhaustive()
    }
}

fn open_reader(index: &Index) -> Result<IndexReader> {
    Ok(index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?)
}

/// Every term of a fast-field dictionary, in ordinal order: one pass over its blocks (one
/// `ord_to_str` per term would decompress a block, with a new zstd context, each time).
pub(crate) fn dictionary_terms(
    column: &tantivy::columnar::StrColumn,
) -> std::io::Result<Vec<String>> {
    let dictionary = column.dictionary();
    let mut out = Vec::with_capacity(dictionary.num_terms());
    let mut stream = dictionary.stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// A speech as stored in the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredSpeech {
    /// Stable id.
    pub id: String,
    /// File path relative to the corpus root.
    pub path: String,
    /// Line where it starts in its file.
    pub line: Option<u64>,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Date `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Date of publication (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), kept apart from `date`.
    #[serde(default)]
    pub published: Option<String>,
    /// Speaker.
    pub speaker: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// Venue.
    pub venue: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Source.
    pub source: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Fields that were inferred.
    pub inferred: Vec<String>,
    /// Characters of text.
    pub chars: u64,
    /// Full text, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl StoredSpeech {
    /// The speech as read from its file (the body is empty unless it was read with the body).
    pub fn into_speech(self) -> crate::corpus::Speech {
        let StoredSpeech {
            id,
            path,
            line,
            title,
            year,
            date,
            published,
            speaker,
            region,
            kind,
            venue,
            tags,
            source,
            url,
            inferred,
            chars: _,
            body,
        } = self;
        crate::corpus::Speech {
            id,
            path,
            line,
            title,
            date,
            published,
            year,
            speaker,
            region,
            venue,
            kind,
            tags,
            source,
            url,
            inferred,
            body: body.unwrap_or_default(),
        }
    }
}

impl SpeechIndex {
    /// Opens the current generation of the index at `root`.
    pub fn open(root: &Path) -> Result<SpeechIndex> {
        let store = Store::new(root);
        let generation =
            store.current()?.ok_or_else(|| Error::IndexNotFound { path: root.into() })?;
        let settings = store.read_settings(&generation)?;
        let wanted = Settings::new(settings.user_dicts.clone(), settings.user_dict_names.clone());
        if let Some(problem) = settings.incompatibility(&wanted) {
            return Err(Error::IncompatibleIndex {
                path: root.into(),
                problem: format!("was built by another version of speechdex ({problem})"),
            });
        }
        Self::open_generation(root, &generation, &settings)
    }

    pub(crate) fn open_generation(
        root: &Path,
        generation: &Path,
        settings: &Settings,
    ) -> Result<SpeechIndex> {
        let directory =
            directory::SearchDirectory::open(generation).map_err(tantivy::TantivyError::from);
        let index = directory.and_then(Index::open).map_err(|e| match e {
            tantivy::TantivyError::OpenDirectoryError(_)
            | tantivy::TantivyError::OpenReadError(_) => Error::IncompatibleIndex {
                path: root.into(),
                problem: format!("cannot be opened ({e})"),
            },
            other => Error::Tantivy(other),
        })?;
        crate::analysis::register(&index, &settings.user_dicts);
        let fields = Fields::resolve(&index.schema()).map_err(|e| Error::IncompatibleIndex {
            path: root.into(),
            problem: format!("has another schema ({e})"),
        })?;
        Ok(SpeechIndex {
            root: root.into(),
            generation: generation.into(),
            reader: open_reader(&index)?,
            index,
            fields,
            settings: settings.clone(),
            caches: CacheOptions::default(),
            phrase_cache: Default::default(),
            speech_cache: Default::default(),
            boilerplate: Default::default(),
            match_threads: None,
        })
    }

    /// The same index with other caches (empty: call before searching).
    pub fn with_caches(mut self, caches: CacheOptions) -> SpeechIndex {
        self.phrase_cache = crate::index::cache::PhraseCache::new(caches.phrase_count_bytes);
        self.speech_cache = crate::index::cache::SpeechCache::new(caches.speech_bytes);
        self.caches = caches;
        self
    }

    /// At most `threads` threads match the segments of one query (by default as many as there
    /// are cores, up to 4, on indexes of 2,000+ speeches). A server that already answers one
    /// query per core sets 1: more threads per query would only add thread start-ups.
    pub fn with_match_threads(mut self, threads: usize) -> SpeechIndex {
        self.match_threads = Some(threads.max(1));
        self
    }

    /// The most threads one query's matching may use, when limited.
    pub fn match_threads(&self) -> Option<usize> {
        self.match_threads
    }

    /// The caches this index was opened with.
    pub fn caches(&self) -> CacheOptions {
        self.caches
    }

    /// What the caches hold and how often they answered.
    pub fn cache_stats(&self) -> crate::index::cache::CachesStats {
        crate::index::cache::CachesStats {
            phrase_counts: self.phrase_cache.stats(),
            speeches: self.speech_cache.stats(),
        }
    }

    /// The phrase-count cache (off unless [`CacheOptions::phrase_count_bytes`] is set).
    pub fn phrase_cache(&self) -> &crate::index::cache::PhraseCache {
        &self.phrase_cache
    }

    /// A searcher over the last commit seen by [`SpeechIndex::reload`].
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Picks up commits made since the index was opened (within the same generation).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// The payload of the last build.
    pub fn build_info(&self) -> Option<BuildInfo> {
        let meta = self.index.load_metas().ok()?;
        serde_json::from_str(meta.payload.as_deref()?).ok()
    }

    /// Every speech's id → (content hash, path), from fast fields.
    pub(crate) fn speech_hashes(&self) -> Result<build::SpeechHashes> {
        let searcher = self.searcher();
        let mut out = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let (Some(ids), Some(paths)) =
                (ff.str(schema::names::ID)?, ff.str(schema::names::PATH)?)
            else {
                continue;
            };
            let hashes = ff.u64(schema::names::HASH)?;
            // Every id and path of the segment, by ordinal, read in one pass over each
            // dictionary (looking each ordinal up alone decompresses a block per document).
            let read = |e| Error::io("reading", &self.generation, e);
            let id_terms = dictionary_terms(&ids).map_err(read)?;
            let path_terms = dictionary_terms(&paths).map_err(read)?;
            for doc in seg.doc_ids_alive() {
                let (Some(id_ord), Some(path_ord)) =
                    (ids.term_ords(doc).next(), paths.term_ords(doc).next())
                else {
                    continue;
                };
                let (Some(id), Some(path)) =
                    (id_terms.get(id_ord as usize), path_terms.get(path_ord as usize))
                else {
                    continue;
                };
                out.insert(id.clone(), (hashes.first(doc).unwrap_or(0), path.clone()));
            }
        }
        Ok(out)
    }

    /// The boilerplate of the index (page furniture and blocks of lines repeated across its
    /// speeches: [`Boilerplate`]), found by counting the `lines` column of every speech (the
    /// hashes of its short lines, written at index time; no text is read) and kept until the
    /// searcher's segments change (an update seen by [`SpeechIndex::reload`]).
    pub fn boilerplate(&self) -> Result<Arc<Boilerplate>> {
        let searcher = self.searcher();
        let segments: Vec<tantivy::index::SegmentId> =
            searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        let mut slot = self.boilerplate.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, found)) = slot.as_ref()
            && *seen == segments
        {
            return Ok(found.clone());
        }
        let mut counter = LineCounter::default();
        for seg in searcher.segment_readers() {
            let lines = seg.fast_fields().u64(schema::names::LINES)?;
            for doc in seg.doc_ids_alive() {
                counter.add_hashes(lines.values_for_doc(doc));
            }
        }
        let found = Arc::new(counter.finish());
        *slot = Some((segments, found.clone()));
        Ok(found)
    }

    /// Reads a stored speech; `with_body` includes the full text.
    pub fn stored(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        with_body: bool,
    ) -> Result<StoredSpeech> {
        let mut doc: SpeechDoc = searcher.doc(addr)?;
        let mut speech = self.to_stored(&mut doc);
        if with_body {
            speech.body = match doc.take(self.fields.body) {
                Some(tantivy::schema::OwnedValue::Str(text)) => Some(text),
                _ => Some(String::new()),
            };
        }
        Ok(speech)
    }

    /// A stored speech with its body, from the speech cache when it holds it
    /// ([`CacheOptions::speech_bytes`]): what result pages read.
    pub fn stored_shared(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<Arc<StoredSpeech>> {
        let segment = searcher.segment_reader(addr.segment_ord).segment_id();
        self.speech_cache.get_or_load(segment, addr.doc_id, || self.stored(searcher, addr, true))
    }

    /// The ids of the speeches read from the file `path` (a corpus path as `search` shows it,
    /// or a file name that ends one), in line order: what `show FILE` suggests, since a JSONL,
    /// JSON or CSV file holds many speeches (`FILE:LINE`).
    pub fn ids_in_file(&self, path: &str) -> Result<Vec<String>> {
        let suffix = format!("/{path}");
        let mut ids: Vec<(Option<u64>, String)> = self
            .speech_hashes()?
            .into_iter()
            .filter(|(_, (_, p))| p == path || p.ends_with(&suffix))
            .map(|(id, _)| {
                let line = id.rsplit_once(':').and_then(|(_, l)| l.parse().ok());
                (line, id)
            })
            .collect();
        ids.sort();
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    }

    /// Finds a speech by id.
    pub fn find(&self, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>> {
        let term = tantivy::Term::from_field_text(self.fields.id, id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &tantivy::collector::TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, addr)| *addr))
    }

    fn to_stored(&self, doc: &mut SpeechDoc) -> StoredSpeech {
        let f = &self.fields;
        let mut text = |field| match doc.take(field) {
            Some(tantivy::schema::OwnedValue::Str(s)) => Some(s),
            _ => None,
        };
        let (id, path, title) = (text(f.id), text(f.path), text(f.title));
        let (date, speaker, region, kind) =
            (text(f.date_text), text(f.speaker), text(f.region), text(f.kind));
        let (venue, source, url) = (text(f.venue), text(f.source), text(f.url));
        let published = text(f.published);
        let texts = |field| {
            doc.get_all(field).filter_map(|v| v.as_str()).map(str::to_string).collect::<Vec<_>>()
        };
        let number = |field| doc.get_all(field).find_map(|v| v.as_u64());
        StoredSpeech {
            id: id.unwrap_or_default(),
            path: path.unwrap_or_default(),
            line: number(f.line),
            title: title.unwrap_or_default(),
            year: doc.get_all(f.year).find_map(|v| v.as_i64()).map(|y| y as i32),
            date,
            published,
            speaker,
            region,
            kind,
            venue,
            tags: texts(f.tags),
            source,
            url,
            inferred: texts(f.inferred),
            chars: number(f.chars).unwrap_or(0),
            body: None,
        }
    }
}
