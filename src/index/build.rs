//! Full and incremental builds.
//!
//! Both run the same pipeline: discover files → read each → hash each speech → compare with what
//! the index holds → add, replace or delete. A **full** build writes a new generation beside the
//! current one and swaps it in ([`super::store`]); an **incremental** build commits its changes to
//! the current generation (one tantivy commit, atomic). A full build happens when asked
//! (`rebuild`), when there is no index yet, and when the index was built with other analysis
//! settings (analyzer version, dictionaries).
//!
//! A file that cannot be read as a whole keeps the speeches it had in the index (nothing is lost
//! because a file was briefly unreadable); a file that is gone loses its speeches.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, Term};

use super::directory::ReadDirectory;
use super::document::SpeechDoc;
use super::schema::{Fields, build_schema};
use super::store::{FileManifest, Settings, Store};
use super::{BuildInfo, SpeechIndex};
use crate::corpus::{self, ReadOptions, Skip, Speech};
use crate::{Error, Result};

/// Options of a build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Files and folders to index.
    pub roots: Vec<PathBuf>,
    /// How to walk and read them.
    pub read: ReadOptions,
    /// Build a complete new index even when an incremental update is possible.
    pub rebuild: bool,
    /// User dictionary files; `None` keeps the dictionaries the index already has.
    pub user_dicts: Option<Vec<PathBuf>>,
    /// Indexing threads (at least 1).
    pub threads: usize,
    /// Memory budget of each indexing thread in bytes (at least 15 MB).
    pub heap_per_thread: usize,
    /// During a full build, commit after this many bytes of text to bound memory.
    pub commit_every_bytes: u64,
    /// Read every file, even those whose size and modification time are unchanged since the
    /// last build (content hashes still decide what is re-indexed).
    pub checksum: bool,
    /// A fault to inject, for tests of crash safety.
    pub test_hook: Option<TestHook>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            roots: Vec::new(),
            read: ReadOptions::default(),
            rebuild: false,
            user_dicts: None,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4),
            heap_per_thread: 64 << 20,
            commit_every_bytes: 24 << 20,
            checksum: false,
            test_hook: None,
        }
    }
}

/// Faults a test can inject into a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestHook {
    /// Sleep for a minute just before making a full build current (so a test can kill it).
    PauseBeforeSwap,
    /// Fail just before making a full build current.
    FailBeforeSwap,
}

/// Observer of a build's progress. Every method has a no-op default.
pub trait Progress {
    /// Files found and their total size.
    fn discovered(&mut self, _files: usize, _bytes: u64) {}
    /// One file was read (`bytes` of it).
    fn file_done(&mut self, _path: &str, _bytes: u64) {}
    /// Something was skipped.
    fn skipped(&mut self, _skip: &Skip) {}
    /// A new phase begins ("committing", "merging", ...).
    fn phase(&mut self, _phase: &str) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// Whether a build was full or incremental.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildMode {
    /// A new generation was built and swapped in.
    Full,
    /// The current generation was updated.
    Incremental,
}

/// What a build did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildSummary {
    /// Full or incremental.
    pub mode: BuildMode,
    /// Why a full build was done.
    pub reason: Option<String>,
    /// Candidate files found (each is either read or in `skipped` with line `null`).
    pub files_seen: usize,
    /// Files ignored because their extension is not a supported format.
    pub files_ignored: usize,
    /// Speeches new in the index.
    pub added: usize,
    /// Speeches replaced because they changed.
    pub updated: usize,
    /// Speeches deleted because they are gone from the corpus.
    pub removed: usize,
    /// Speeches left as they were.
    pub unchanged: usize,
    /// Speeches in the index after the run.
    pub docs: u64,
    /// Files, lines and rows that could not be read.
    pub skipped: Vec<Skip>,
    /// Bytes of files read.
    pub bytes: u64,
    /// Characters of speech text seen.
    pub chars: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// The index folder.
    pub index: PathBuf,
}

/// A file modified less than this before it was read is read again by the next run, whatever
/// its size and modification time say (timestamps can be as coarse as 2 s).
const RACY_WINDOW: Duration = Duration::from_secs(3);

/// The content hash of a speech: any change of text or metadata changes it.
pub fn speech_hash(speech: &Speech) -> u64 {
    let bytes = serde_json::to_vec(speech).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// Builds or updates the index at `root` from `opts.roots`.
pub fn build(
    root: &Path,
    opts: &BuildOptions,
    progress: &mut dyn Progress,
) -> Result<BuildSummary> {
    let started = Instant::now();
    let store = Store::new(root);
    let _lock = store.lock()?;
    store.clean_interrupted()?;
    let current = store.current()?;
    let current_settings = match &current {
        Some(generation) => Some(store.read_settings(generation)?),
        None => None,
    };
    let wanted = match &opts.user_dicts {
        Some(paths) => load_dictionaries(paths)?,
        None => current_settings
            .as_ref()
            .map(|s| Settings::new(s.user_dicts.clone(), s.user_dict_names.clone()))
            .unwrap_or_else(|| Settings::new(Vec::new(), Vec::new())),
    };
    let reason = if opts.rebuild {
        Some("--rebuild was given".to_string())
    } else {
        match &current_settings {
            None => Some("there was no index yet".to_string()),
            Some(have) => {
                have.incompatibility(&wanted).map(|r| format!("{r}: a full rebuild is needed"))
            }
        }
    };

    let mut read = opts.read.clone();
    read.exclude.push(root.to_path_buf());
    let discovery = corpus::discover(&opts.roots, &read);
    let total_bytes: u64 =
        discovery.files.iter().map(|f| std::fs::metadata(&f.abs).map_or(0, |m| m.len())).sum();
    progress.discovered(discovery.files.len(), total_bytes);

    let mut summary = BuildSummary {
        mode: if reason.is_some() { BuildMode::Full } else { BuildMode::Incremental },
        reason: reason.clone(),
        files_seen: discovery.files.len(),
        files_ignored: discovery.ignored,
        added: 0,
        updated: 0,
        removed: 0,
        unchanged: 0,
        docs: 0,
        skipped: Vec::new(),
        bytes: 0,
        chars: 0,
        elapsed_ms: 0,
        index: root.to_path_buf(),
    };
    for skip in &discovery.skipped {
        progress.skipped(skip);
    }
    summary.skipped.extend(discovery.skipped.iter().cloned());

    let info = BuildInfo {
        built_at: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        roots: opts.roots.iter().map(|r| r.display().to_string()).collect(),
        mode: summary.mode,
        files_seen: summary.files_seen,
        skipped: 0,
    };

    match reason {
        Some(_) => {
            let pending = store.begin_generation(&wanted)?;
            let index = create_index(pending.path(), &wanted)?;
            let docs = run(
                &index,
                pending.path(),
                opts,
                &discovery.files,
                &read,
                Existing::default(),
                &mut summary,
                progress,
                info,
            )?;
            summary.docs = docs;
            match opts.test_hook {
                Some(TestHook::PauseBeforeSwap) => std::thread::sleep(Duration::from_secs(60)),
                Some(TestHook::FailBeforeSwap) => {
                    return Err(Error::InvalidArgument(
                        "test hook: failing before the swap".into(),
                    ));
                }
                None => {}
            }
            progress.phase("switching to the new index");
            store.commit_generation(pending)?;
        }
        None => {
            let generation = current.as_deref().unwrap_or(root);
            let existing = SpeechIndex::open_generation(root, generation, &wanted)?;
            let map = existing.speech_hashes()?;
            drop(existing);
            let index = open_for_writing(generation, &wanted)?;
            let manifest = if opts.checksum {
                FileManifest::default()
            } else {
                FileManifest::load(generation)
            };
            summary.docs = run(
                &index,
                generation,
                opts,
                &discovery.files,
                &read,
                Existing { speeches: map, files: manifest },
                &mut summary,
                progress,
                info,
            )?;
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

fn load_dictionaries(paths: &[PathBuf]) -> Result<Settings> {
    let mut contents = Vec::new();
    let mut names = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Dictionary {
            path: path.clone(),
            message: format!("cannot be read as UTF-8 text: {e}"),
        })?;
        crate::analysis::words::validate_dictionary(&text).map_err(|(line, problem)| {
            Error::Dictionary {
                path: path.clone(),
                message: format!("line {line}: {problem} (expected `WORD [FREQUENCY [TAG]]`)"),
            }
        })?;
        contents.push(text);
        names.push(path.display().to_string());
    }
    Ok(Settings::new(contents, names))
}

/// Bytes of stored text compressed together. tantivy's default (16 KB) holds less than one
/// speech (20–30 KB), so zstd never sees the repetitions between speeches; 64 KB holds two or
/// three (stored text −7 % on the shared corpus) and costs ~0.1 ms more per speech read.
const DOCSTORE_BLOCK_BYTES: usize = 64 << 10;

fn create_index(dir: &Path, settings: &Settings) -> Result<Index> {
    let schema: Schema = build_schema();
    let settings_ = tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(
            tantivy::store::ZstdCompressor::default(),
        ),
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..Default::default()
    };
    let directory = ReadDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
    let index = Index::create(directory, schema, settings_)?;
    crate::analysis::register(&index, &settings.user_dicts);
    Ok(index)
}

/// Opens the generation at `dir` for writing (see [`ReadDirectory`]).
fn open_for_writing(dir: &Path, settings: &Settings) -> Result<Index> {
    let index = Index::open(ReadDirectory::open(dir).map_err(tantivy::TantivyError::from)?)?;
    crate::analysis::register(&index, &settings.user_dicts);
    Ok(index)
}

/// Segments with more documents than this are not merged again. Merges then read and write at
/// most ~8 × this many documents at a time, which bounds their memory and keeps a big corpus
/// from rewriting its largest segment at every merge (tantivy's default merges every segment
/// below 10,000 documents into one, over and over); a 500 MB corpus of 25 KB speeches ends with
/// segments of ~3,900 documents (eight flushes of ~490) and one of the leftovers.
pub const MERGE_MAX_DOCS: usize = 3_000;

/// The merge policy of the last commit of a full build: the segments left below
/// [`MERGE_MAX_DOCS`] (the last flushes, and every segment of a small corpus) are merged into
/// one, smallest first, up to twice that many documents. Fewer segments mean fewer term lookups
/// per query, and a small corpus no longer stores its vocabulary once per indexing thread.
#[derive(Debug)]
struct MergeSmallSegments;

impl tantivy::merge_policy::MergePolicy for MergeSmallSegments {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::index::SegmentMeta],
    ) -> Vec<tantivy::merge_policy::MergeCandidate> {
        let mut small: Vec<&tantivy::index::SegmentMeta> =
            segments.iter().filter(|s| (s.num_docs() as usize) < MERGE_MAX_DOCS).collect();
        small.sort_by_key(|s| s.num_docs());
        let mut docs = 0usize;
        let mut ids = Vec::new();
        for s in small {
            docs += s.num_docs() as usize;
            if docs > 2 * MERGE_MAX_DOCS {
                break;
            }
            ids.push(s.id());
        }
        if ids.len() < 2 {
            return Vec::new();
        }
        vec![tantivy::merge_policy::MergeCandidate(ids)]
    }
}

fn merge_policy() -> Box<dyn tantivy::merge_policy::MergePolicy> {
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_MAX_DOCS);
    Box::new(policy)
}

/// Existing speeches: id → (hash, path).
pub(crate) type HashMapById = HashMap<String, (u64, String)>;

/// What the index holds before a run.
#[derive(Debug, Default)]
struct Existing {
    speeches: HashMapById,
    files: FileManifest,
}

#[allow(clippy::too_many_arguments)]
fn run(
    index: &Index,
    generation: &Path,
    opts: &BuildOptions,
    files: &[corpus::SourceFile],
    read: &ReadOptions,
    existing: Existing,
    summary: &mut BuildSummary,
    progress: &mut dyn Progress,
    mut info: BuildInfo,
) -> Result<u64> {
    let Existing { speeches: existing, files: known_files } = existing;
    let mut manifest = FileManifest::default();
    let fields = Fields::resolve(&index.schema())?;
    // One merge at a time: concurrent merges add up their buffers.
    let options = tantivy::indexer::IndexWriterOptions::builder()
        .num_worker_threads(opts.threads.max(1))
        .memory_budget_per_thread(opts.heap_per_thread.max(15 << 20))
        .num_merge_threads(1)
        .build();
    let mut writer: IndexWriter<SpeechDoc> = index.writer_with_options(options)?;
    // Segment files an interrupted or failed update wrote but never committed are garbage only
    // the next writer can see: remove them before adding more (on a full disk they hold the
    // space this run needs).
    let _ = writer.garbage_collect_files().wait();
    writer.set_merge_policy(merge_policy());
    let mut by_path: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, (_, path)) in &existing {
        by_path.entry(path.as_str()).or_default().push(id.as_str());
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut since_commit = 0u64;
    let full = existing.is_empty();

    for file in files {
        // A file modified shortly before it is read may be modified again within the same
        // timestamp tick, keeping its size: its stamp would then match a text the index does not
        // hold. Only stamps older than this by RACY_WINDOW are trusted (git's "racily clean").
        let trusted_before = std::time::SystemTime::now()
            .checked_sub(RACY_WINDOW)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let stamp = std::fs::metadata(&file.abs).ok().as_ref().and_then(FileManifest::stamp);
        let bytes = stamp.map_or(0, |s| s.0);
        let ids = by_path.get(file.rel.as_str());
        if let (Some(stamp), Some(ids)) = (stamp, ids)
            && known_files.files.get(&file.rel) == Some(&stamp)
        {
            // Same size and modification time as when its speeches were indexed: not read.
            for id in ids {
                if seen.insert((*id).to_string()) {
                    summary.unchanged += 1;
                }
            }
            manifest.files.insert(file.rel.clone(), stamp);
            progress.file_done(&file.rel, bytes);
            continue;
        }
        summary.bytes += bytes;
        // Each speech is indexed as soon as it is read: a big JSONL file is never held as a list
        // of speeches. The first indexing error stops the work (the rest of the file is still
        // parsed, and dropped) and is returned after the file.
        let mut failed: Option<Error> = None;
        let mut each = |speech: Speech| {
            if failed.is_some() {
                return;
            }
            if !seen.insert(speech.id.clone()) {
                let skip = Skip {
                    path: speech.path.clone(),
                    line: speech.line,
                    reason: format!("duplicate id {:?}: another speech has the same id", speech.id),
                };
                progress.skipped(&skip);
                summary.skipped.push(skip);
                return;
            }
            let hash = speech_hash(&speech);
            let chars = speech.body.chars().count() as u64;
            summary.chars += chars;
            match existing.get(&speech.id) {
                Some((old, _)) if *old == hash => {
                    summary.unchanged += 1;
                    return;
                }
                Some(_) => {
                    writer.delete_term(Term::from_field_text(fields.id, &speech.id));
                    summary.updated += 1;
                }
                None => summary.added += 1,
            }
            since_commit += speech.body.len() as u64;
            let result = writer.add_document(to_document(&fields, speech, hash, chars));
            let result = result.and_then(|_| {
                if full && since_commit >= opts.commit_every_bytes {
                    since_commit = 0;
                    writer.commit().map(|_| ())
                } else {
                    Ok(())
                }
            });
            if let Err(e) = result {
                failed = Some(e.into());
            }
        };
        let skipped = corpus::read_file_each(file, read, &mut each);
        if let Some(e) = failed {
            return Err(e);
        }
        // Files with problems are read again next time, so their problems are reported again.
        if let Some(stamp) = stamp
            && skipped.is_empty()
            && stamp.1 < trusted_before
        {
            manifest.files.insert(file.rel.clone(), stamp);
        }
        for skip in &skipped {
            progress.skipped(skip);
            if skip.line.is_none() {
                // The whole file is unreadable: keep what the index had from it.
                for id in by_path.get(file.rel.as_str()).into_iter().flatten() {
                    seen.insert((*id).to_string());
                    summary.unchanged += 1;
                }
            }
        }
        summary.skipped.extend(skipped);
        progress.file_done(&file.rel, bytes);
    }
    for id in existing.keys() {
        if !seen.contains(id) {
            writer.delete_term(Term::from_field_text(fields.id, id));
            summary.removed += 1;
        }
    }
    progress.phase("committing");
    info.skipped = summary.skipped.len();
    let payload = serde_json::to_string(&info).unwrap_or_default();
    if full {
        writer.set_merge_policy(Box::new(MergeSmallSegments));
    }
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    // Only after the commit: the manifest may lag behind the index, never run ahead of it.
    manifest.save(generation)?;
    progress.phase("merging segments");
    writer.wait_merging_threads()?;
    Ok(index.searchable_segment_metas()?.iter().map(|m| u64::from(m.num_docs())).sum())
}

/// Converts a speech into a tantivy document. The folded body is held once for both body
/// fields; when folding changes nothing (text already simplified, half-width and lower case),
/// the stored body shares it too.
fn to_document(f: &Fields, s: Speech, hash: u64, chars: u64) -> SpeechDoc {
    let Speech {
        id,
        path,
        line,
        title,
        date,
        year,
        speaker,
        region,
        venue,
        kind,
        tags,
        source,
        url,
        inferred,
        body,
    } = s;
    let mut d = SpeechDoc::new();
    d.add_text(f.id, id);
    d.add_text(f.path, path);
    if let Some(line) = line {
        d.add_u64(f.line, line);
    }
    d.add_shared(&[f.title, f.title_words], title);
    let folded = crate::analysis::fold(&body);
    if folded == body {
        drop(folded);
        d.add_shared(&[f.body, f.body_words, f.body_exact], body);
    } else {
        d.add_text(f.body, body);
        d.add_shared(&[f.body_words, f.body_exact], folded);
    }
    for (field, value) in [(f.speaker, speaker), (f.region, region), (f.kind, kind)] {
        if let Some(v) = value {
            d.add_text(field, v);
        }
    }
    for tag in tags {
        d.add_text(f.tags, tag);
    }
    if let Some(year) = year {
        d.add_i64(f.year, i64::from(year));
    }
    if let Some(date) = date {
        if let Some(key) = date_key(&date) {
            d.add_i64(f.date, key);
        }
        d.add_text(f.date_text, date);
    }
    for (field, value) in [(f.venue, venue), (f.source, source), (f.url, url)] {
        if let Some(v) = value {
            d.add_text(field, v);
        }
    }
    for name in inferred {
        d.add_text(f.inferred, name);
    }
    d.add_u64(f.chars, chars);
    d.add_u64(f.hash, hash);
    d
}

/// `YYYY-MM-DD` → `YYYYMMDD` as an integer (the `date` fast field).
pub fn date_key(date: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.parse().ok()?;
    Some(i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(root: &Path) -> BuildOptions {
        BuildOptions { roots: vec![root.to_path_buf()], threads: 1, ..Default::default() }
    }

    #[test]
    fn unchanged_files_are_not_read_again_and_changes_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "甲的讲话\n发展新质生产力。\n").unwrap();
        std::fs::write(corpus.join("b.txt"), "乙的讲话\n推进乡村振兴。\n").unwrap();
        // Files modified within RACY_WINDOW of a run are read again: make these older.
        let age = |name: &str| {
            let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
            let file = std::fs::File::options().write(true).open(corpus.join(name)).unwrap();
            file.set_modified(an_hour_ago).unwrap();
        };
        age("a.txt");
        age("b.txt");
        let index = dir.path().join("index");

        let first = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        assert_eq!((first.mode, first.added, first.docs), (BuildMode::Full, 2, 2));

        let second = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        assert_eq!((second.mode, second.unchanged, second.bytes), (BuildMode::Incremental, 2, 0));

        std::fs::write(corpus.join("b.txt"), "乙的讲话\n推进乡村全面振兴。\n").unwrap();
        age("b.txt");
        let third = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        let b_len = std::fs::metadata(corpus.join("b.txt")).unwrap().len();
        assert_eq!((third.updated, third.unchanged, third.bytes), (1, 1, b_len));

        let checksum = BuildOptions { checksum: true, ..opts(&corpus) };
        let fourth = build(&index, &checksum, &mut NoProgress).unwrap();
        assert_eq!(fourth.unchanged, 2);
        assert!(fourth.bytes > b_len, "--checksum reads every file");

        std::fs::remove_file(corpus.join("a.txt")).unwrap();
        let fifth = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        assert_eq!((fifth.removed, fifth.docs), (1, 1));
    }

    #[test]
    fn date_keys() {
        assert_eq!(date_key("2024-03-05"), Some(20240305));
        assert_eq!(date_key("2024-02-30"), None);
    }
}
