//! Full and incremental builds.
//!
//! Both run the same pipeline: discover files → read each → hash each speech → compare with what
//! the index holds → add, replace or delete. A **full** build writes a new generation beside the
//! current one and swaps it in ([`super::store`]); an **incremental** build commits its changes to
//! the current generation (one tantivy commit, atomic). A full build happens when asked
//! (`rebuild`), when there is no index yet, and when the index was built with other analysis
//! settings (analyzer version, dictionaries).
//!
//! A file or folder that cannot be read as a whole keeps the speeches it had in the index
//! (nothing is lost because a file was briefly unreadable; a full build copies them from the old
//! generation); a file that is gone loses its speeches, but a run that would remove more than
//! half of the index stops before changing anything unless told otherwise
//! ([`BuildOptions::allow_shrink`]).

#[cfg(any(test, feature = "fault-injection"))]
use super::fault::{Moment, TestHook};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, Term};

use super::directory::PreadDirectory;
use super::document::{Queue, SpeechDoc};
use super::schema::{Fields, build_schema, names};
use super::store::{FileManifest, Settings, Stamp, Store};
use super::{BuildInfo, SpeechIndex};
use crate::analysis::boilerplate::{Boilerplate, LineCounter, line_hashes};
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
    /// During a full build, commit after this many bytes of text (by default never before the
    /// end: [`BuildOptions::queue_bytes`] bounds memory).
    pub commit_every_bytes: u64,
    /// At most this many bytes of texts (stored and folded copies) wait in tantivy's queue for
    /// the indexing threads; reading waits beyond it.
    pub queue_bytes: u64,
    /// Read every file, even those whose stamp (size, times, inode) is unchanged since the last
    /// build (content hashes still decide what is re-indexed).
    pub checksum: bool,
    /// Let a run remove more than half of the index's speeches (or all of them); without it
    /// such a run stops with [`Error::Shrink`] before changing anything.
    pub allow_shrink: bool,
    /// A full build ends with at most this many segments (at least 1): more are merged in
    /// balanced groups before the new index is made current.
    pub max_segments: usize,
    /// A fault to inject, for tests of crash safety (`SPEECHDEX_TEST_HOOK` by default).
    #[cfg(any(test, feature = "fault-injection"))]
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
            commit_every_bytes: u64::MAX,
            queue_bytes: 32 << 20,
            checksum: false,
            allow_shrink: false,
            max_segments: FINAL_MAX_SEGMENTS,
            #[cfg(any(test, feature = "fault-injection"))]
            test_hook: TestHook::from_env(),
        }
    }
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

/// How long one phase of a build took.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseTime {
    /// The phase, as [`Progress::phase`] names it ("finding files" before the first).
    pub phase: String,
    /// Wall time in milliseconds.
    pub ms: u64,
}

/// A [`Progress`] that passes everything on and times the phases.
struct Timed<'a> {
    inner: &'a mut dyn Progress,
    current: (String, Instant),
    done: Vec<PhaseTime>,
}

impl<'a> Timed<'a> {
    fn new(inner: &'a mut dyn Progress) -> Self {
        Timed { inner, current: ("finding files".into(), Instant::now()), done: Vec::new() }
    }

    /// The phases so far, the current one included.
    fn phases(&self) -> Vec<PhaseTime> {
        let (phase, since) = &self.current;
        let mut all = self.done.clone();
        all.push(PhaseTime { phase: phase.clone(), ms: since.elapsed().as_millis() as u64 });
        all
    }
}

impl Progress for Timed<'_> {
    fn discovered(&mut self, files: usize, bytes: u64) {
        self.inner.discovered(files, bytes);
    }
    fn file_done(&mut self, path: &str, bytes: u64) {
        self.inner.file_done(path, bytes);
    }
    fn skipped(&mut self, skip: &Skip) {
        self.inner.skipped(skip);
    }
    fn phase(&mut self, phase: &str) {
        let (name, since) = std::mem::replace(&mut self.current, (phase.into(), Instant::now()));
        self.done.push(PhaseTime { phase: name, ms: since.elapsed().as_millis() as u64 });
        self.inner.phase(phase);
    }
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
    /// Speeches left as they were (including those of unreadable files, kept).
    pub unchanged: usize,
    /// Speeches kept (an update) or carried over from the old index (a full build) because
    /// their file or folder could not be read this time.
    pub kept_unreadable: usize,
    /// Speeches in the index after the run.
    pub docs: u64,
    /// Segments of the index after the run (each costs a query its own term lookups; see
    /// [`BuildOptions::max_segments`]).
    pub segments: usize,
    /// Files, folders, lines and rows that could not be read.
    pub skipped: Vec<Skip>,
    /// Symbolic links not followed (without `--follow`).
    pub links_not_followed: Vec<String>,
    /// Ids of a metadata file (`--meta`, `meta =` in `speechdex.toml`) that name no speech of
    /// the index (a typo, or a speech since removed): their overrides apply to nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_meta_ids: Vec<String>,
    /// Bytes of files read.
    pub bytes: u64,
    /// Characters of speech text seen.
    pub chars: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// Wall time of each phase, in order (together, all of `elapsed_ms` but the last few µs).
    pub phases: Vec<PhaseTime>,
    /// The index folder.
    pub index: PathBuf,
}

/// How long reading waits for tantivy's queue to drain below [`BuildOptions::queue_bytes`]
/// before adding a document anyway (indexing threads that failed never drain it).
const QUEUE_PATIENCE: Duration = Duration::from_secs(30);

/// A file modified less than this before it was read is read again by the next run, whatever
/// its size and modification time say (timestamps can be as coarse as 2 s).
const RACY_WINDOW: Duration = Duration::from_secs(3);

/// The content hash of a speech: any change of text or metadata changes it.
pub fn speech_hash(speech: &Speech) -> u64 {
    let bytes = serde_json::to_vec(speech).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// Builds or updates the index at `root` from `opts.roots`.
///
/// Guards, each checked before anything is changed (an error leaves the index exactly as it
/// was, and a missing index folder is not created):
/// - every root must exist and be readable, and together they must hold at least one file of a
///   supported format ([`Error::Corpus`]);
/// - the `speechdex.toml` of each root, if any, must be valid ([`Error::Config`]); its
///   `[fields]` table is merged into [`ReadOptions::fields`], which wins;
/// - `root` must be a new or empty folder or an index ([`Error::NotAnIndex`]);
/// - the run must leave at least one speech, and must not remove more than half of the index's
///   speeches unless [`BuildOptions::allow_shrink`] ([`Error::Shrink`]).
///
/// A write that fails (a full disk, most often: tantivy reports it from a worker thread as "an
/// index writer was killed") becomes [`Error::WriteFailed`], which names the free space.
pub fn build(
    root: &Path,
    opts: &BuildOptions,
    progress: &mut dyn Progress,
) -> Result<BuildSummary> {
    build_guarded(root, opts, progress).map_err(|error| explain_write_failure(root, error))
}

/// Wraps a failed write of the index in [`Error::WriteFailed`] with the free space of the
/// index's file system; other errors pass unchanged.
fn explain_write_failure(root: &Path, error: Error) -> Error {
    let is_write = match &error {
        Error::Tantivy(
            tantivy::TantivyError::IoError(_) | tantivy::TantivyError::ErrorInThread(_),
        ) => true,
        // A failed flush inside tantivy's segment writer ("Internal error: No space left on
        // device …", seen on an update of a full disk).
        Error::Tantivy(tantivy::TantivyError::InternalError(message)) => {
            message.contains("No space left") || message.contains("os error 28")
        }
        Error::Io { error, .. } => {
            error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28)
        }
        _ => false,
    };
    if !is_write {
        return error;
    }
    // The index folder may not exist yet (a first build that failed): ask its nearest ancestor.
    let free = root.ancestors().find_map(|dir| fs4::available_space(dir).ok());
    let free = free.map_or_else(|| "an unknown amount".to_string(), human_bytes);
    Error::WriteFailed { path: root.to_path_buf(), free, error: Box::new(error) }
}

/// Bytes for people: "812 KB", "312.5 MB", "4.2 GB" (powers of 1,000, as `df -H`).
fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000_000 => format!("{:.0} KB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

/// [`build`] without the explanation of write failures.
fn build_guarded(
    root: &Path,
    opts: &BuildOptions,
    progress: &mut dyn Progress,
) -> Result<BuildSummary> {
    let started = Instant::now();
    let progress = &mut Timed::new(progress);
    let store = Store::new(root);
    store.check_ours()?;
    check_roots(&opts.roots)?;
    let mut read = opts.read.clone();
    read.fields = corpus::fields::mapping_for_roots(&opts.roots, &opts.read.fields)?;
    read.exclude.push(root.to_path_buf());
    let discovery = corpus::discover(&opts.roots, &read);
    if discovery.files.is_empty() {
        return Err(nothing_to_index(&opts.roots, &discovery));
    }

    let _lock = store.lock()?;
    store.clean_interrupted()?;
    let state = State::read(&store, opts)?;
    let total_bytes: u64 =
        discovery.files.iter().map(|f| std::fs::metadata(&f.abs).map_or(0, |m| m.len())).sum();
    progress.discovered(discovery.files.len(), total_bytes);

    let mode = if state.reason.is_some() { BuildMode::Full } else { BuildMode::Incremental };
    let mut summary = BuildSummary::new(mode, state.reason.clone(), root, &discovery);
    for skip in &discovery.skipped {
        progress.skipped(skip);
    }
    let info = BuildInfo {
        built_at: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        roots: opts.roots.iter().map(|r| r.display().to_string()).collect(),
        mode,
        files_seen: summary.files_seen,
        skipped: 0,
    };
    let files = &discovery.files;
    match (&state.current, mode) {
        (Some(generation), BuildMode::Incremental) => {
            let manifest = if opts.checksum {
                FileManifest::default()
            } else {
                FileManifest::load(generation)
            };
            let index = open_for_writing(generation, &state.wanted)?;
            let job = Job { index: &index, generation, fresh: false, opts, read: &read, files };
            let existing = Existing { speeches: state.previous, files: manifest, old: None };
            summary.docs = job.run(existing, &mut summary, progress, info)?;
        }
        _ => {
            let pending = store.begin_generation(&state.wanted)?;
            let index = create_index(pending.path(), &state.wanted)?;
            let job = Job {
                index: &index,
                generation: pending.path(),
                fresh: true,
                opts,
                read: &read,
                files,
            };
            let existing = Existing {
                speeches: state.previous,
                files: FileManifest::default(),
                old: state.old,
            };
            let built = job.run(existing, &mut summary, progress, info);
            #[cfg(any(test, feature = "fault-injection"))]
            let built =
                built.and_then(|docs| TestHook::at(opts.test_hook, Moment::Swap).map(|()| docs));
            match built {
                Ok(docs) => summary.docs = docs,
                Err(e) => {
                    drop(index);
                    let _ = store.abandon_generation(pending);
                    return Err(e);
                }
            }
            progress.phase("switching to the new index");
            store.commit_generation(pending)?;
        }
    }
    if let Some(meta) = read.fields.meta().filter(|m| !m.is_empty()) {
        let ids = SpeechIndex::open(root)?.speech_hashes()?;
        summary.unmatched_meta_ids =
            meta.ids().filter(|id| !ids.contains_key(*id)).map(str::to_string).collect();
    }
    summary.phases = progress.phases();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// Every root must exist and be readable: a typo in a crontab or an unmounted share must not
/// look like a corpus whose files were all deleted.
fn check_roots(roots: &[PathBuf]) -> Result<()> {
    if roots.is_empty() {
        return Err(Error::InvalidArgument("no corpus folder or file was given".into()));
    }
    for root in roots {
        let problem = match std::fs::metadata(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some("does not exist (check the path, or whether the share is mounted)".to_string())
            }
            Err(e) => Some(format!("cannot be read: {e}")),
            Ok(meta) if meta.is_dir() => {
                std::fs::read_dir(root).err().map(|e| format!("cannot be listed: {e}"))
            }
            Ok(_) => std::fs::File::open(root).err().map(|e| format!("cannot be read: {e}")),
        };
        if let Some(problem) = problem {
            return Err(Error::Corpus { path: root.clone(), problem });
        }
    }
    Ok(())
}

fn nothing_to_index(roots: &[PathBuf], discovery: &corpus::Discovery) -> Error {
    let path = corpus_name(roots);
    let mut problem = format!(
        "holds no file speechdex reads ({})",
        corpus::SUPPORTED_EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(" ")
    );
    if discovery.ignored > 0 {
        problem.push_str(&format!("; {} files of other types were ignored", discovery.ignored));
    }
    if !discovery.skipped.is_empty() {
        let first = &discovery.skipped[0];
        problem.push_str(&format!(
            "; {} entries could not be read (first: {}: {})",
            discovery.skipped.len(),
            first.path,
            first.reason
        ));
    }
    if !discovery.links.is_empty() {
        problem.push_str(&format!(
            "; {} symbolic links were not followed (use --follow)",
            discovery.links.len()
        ));
    }
    Error::Corpus { path, problem }
}

/// What the index folder holds before a run, and what kind of run it needs.
struct State {
    /// The current generation, when there is a readable one.
    current: Option<PathBuf>,
    /// The settings the run builds with.
    wanted: Settings,
    /// Why a full build is needed; `None`: an incremental update.
    reason: Option<String>,
    /// The speeches of the current generation (id → hash, path); empty without one.
    previous: SpeechHashes,
    /// The current generation open for reading, kept for a full build: speeches of files that
    /// cannot be read this time are carried over from it.
    old: Option<SpeechIndex>,
}

impl State {
    /// Reads the current generation. With `--rebuild`, a damaged or missing `CURRENT`,
    /// settings file or generation is no error: the build starts from the corpus alone.
    fn read(store: &Store, opts: &BuildOptions) -> Result<State> {
        let root = store.root();
        let mut damage: Option<String> = None;
        let tolerate = |e: Error, damage: &mut Option<String>| {
            if opts.rebuild {
                *damage = Some(e.to_string());
                Ok(())
            } else {
                Err(e)
            }
        };
        let mut current = match store.current() {
            Ok(c) => c,
            Err(e) => {
                tolerate(e, &mut damage)?;
                None
            }
        };
        let mut settings = None;
        if let Some(generation) = &current {
            match store.read_settings(generation) {
                Ok(s) => settings = Some(s),
                Err(e) => tolerate(e, &mut damage)?,
            }
        }
        let wanted = match &opts.user_dicts {
            Some(paths) => load_dictionaries(paths)?,
            None => settings
                .as_ref()
                .map(|s| Settings::new(s.user_dicts.clone(), s.user_dict_names.clone()))
                .unwrap_or_else(|| Settings::new(Vec::new(), Vec::new())),
        };
        if settings.is_none() {
            current = None;
        }
        let mut reason = match &settings {
            None if !opts.rebuild => Some("there was no index yet".to_string()),
            Some(have) if !opts.rebuild => {
                have.incompatibility(&wanted).map(|r| format!("{r}: a full rebuild is needed"))
            }
            _ => Some("--rebuild was given".to_string()),
        };
        // The speeches it holds: what an update compares with, what the shrink guard counts,
        // and what a full build carries over for files it cannot read. A generation that a full
        // build replaces anyway may fail to open (another format): it then counts as empty.
        let mut old = None;
        let mut previous = SpeechHashes::new();
        if let (Some(generation), Some(have)) = (&current, &settings) {
            match SpeechIndex::open_generation(root, generation, have)
                .and_then(|ix| ix.speech_hashes().map(|map| (ix, map)))
            {
                Ok((ix, map)) => {
                    previous = map;
                    old = Some(ix);
                }
                Err(e) if reason.is_some() && !opts.rebuild => drop(e),
                Err(e) => tolerate(e, &mut damage)?,
            }
        }
        if let (Some(d), Some(r)) = (&damage, &mut reason) {
            r.push_str(&format!(" (the old index was damaged: {d})"));
        }
        if reason.is_none() {
            old = None; // an update writes into the generation itself
        }
        Ok(State { current, wanted, reason, previous, old })
    }
}

impl BuildSummary {
    fn new(
        mode: BuildMode,
        reason: Option<String>,
        root: &Path,
        discovery: &corpus::Discovery,
    ) -> BuildSummary {
        BuildSummary {
            mode,
            reason,
            files_seen: discovery.files.len(),
            files_ignored: discovery.ignored,
            added: 0,
            updated: 0,
            removed: 0,
            unchanged: 0,
            kept_unreadable: 0,
            docs: 0,
            segments: 0,
            skipped: discovery.skipped.clone(),
            links_not_followed: discovery.links.clone(),
            unmatched_meta_ids: Vec::new(),
            bytes: 0,
            chars: 0,
            elapsed_ms: 0,
            phases: Vec::new(),
            index: root.to_path_buf(),
        }
    }
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
    let directory = PreadDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
    let index = Index::create(directory, schema, settings_)?;
    crate::analysis::register(&index, &settings.user_dicts);
    Ok(index)
}

/// Opens the generation at `dir` for writing (see [`PreadDirectory`]).
fn open_for_writing(dir: &Path, settings: &Settings) -> Result<Index> {
    let index = Index::open(PreadDirectory::open(dir).map_err(tantivy::TantivyError::from)?)?;
    crate::analysis::register(&index, &settings.user_dicts);
    Ok(index)
}

/// A small corpus: at the end of a full build whose segments hold fewer documents than this
/// together, they are all merged into one (each segment stores its own vocabulary). Updates
/// never merge a whole index.
pub const FINAL_MERGE_DOCS: usize = 500;

/// A full build ends with at most this many segments (the default of
/// [`BuildOptions::max_segments`]) unless that would merge more than [`MAX_MERGE_SEGMENTS`] into
/// one. It flushes a segment each time an indexing thread's memory budget is full (19 at 500
/// MB), and every segment costs a search its own term lookups: at 500 MB, `search --count` as a
/// process takes 5.5–9 ms of CPU with 19 segments, 3.4–4.8 ms with 4, 2.3–3.5 ms with 1. Four
/// balanced merges rather than one: the merged copy of a segment and the segment itself are on
/// disk together until its merge ends, at most half of the index at a time (two merges run at
/// once, [`MAX_CONCURRENT_MERGES`]) instead of all of it (beside the previous generation, which a
/// full build keeps until the swap).
pub const FINAL_MAX_SEGMENTS: usize = 4;

/// At most this many segments are merged into one at the end of a full build, so that a merge's
/// memory stays bounded at any size (500 MB corpus: the 19 segments in one merge, 274 MB peak for
/// the whole build; 3 merges of 6–7, 262 MB). A corpus of more than `FINAL_MAX_SEGMENTS ×
/// MAX_MERGE_SEGMENTS` flushes (about 1.7 GB of text) ends with more segments rather than
/// rewriting every segment twice.
pub const MAX_MERGE_SEGMENTS: usize = 16;

/// At most this many of a full build's final merges run at once (each holds its own buffers).
pub const MAX_CONCURRENT_MERGES: usize = 2;

/// Segments smaller than the largest one by this factor are merged: at the end of a full build
/// (the partial last flushes), and by updates (their own small segments, once
/// [`UPDATE_MERGE_MIN_SEGMENTS`] of them have gathered).
pub const SMALL_SEGMENT_FACTOR: u32 = 4;

/// An update merges its small segments only when at least this many have gathered, so that a
/// run of updates does not rewrite the same segment each time.
pub const UPDATE_MERGE_MIN_SEGMENTS: usize = 8;

/// The segments to merge into one: those smaller than the largest by [`SMALL_SEGMENT_FACTOR`],
/// once there are `min_segments` of them (at least two).
///
/// Sizes are relative, not absolute, because a segment is flushed when an indexing thread's
/// memory budget is full: ~1,200 speeches of 25 KB, ~300 of 100 KB. A full build merges nothing
/// while it reads (tantivy's queue is bounded by [`BuildOptions::queue_bytes`] instead of
/// commits), since merging the flushed segments again and again cost about a sixth of its CPU
/// time; it merges once at its end ([`balanced_groups`]). Updates must not merge the flushed
/// segments of a whole index.
fn small_segments(
    segments: &[tantivy::index::SegmentMeta],
    min_segments: usize,
) -> Vec<tantivy::merge_policy::MergeCandidate> {
    let largest = segments.iter().map(|s| s.num_docs()).max().unwrap_or(0);
    let small: Vec<tantivy::index::SegmentId> = segments
        .iter()
        .filter(|s| s.num_docs() * SMALL_SEGMENT_FACTOR < largest)
        .map(|s| s.id())
        .collect();
    if small.len() < min_segments.max(2) {
        return Vec::new();
    }
    vec![tantivy::merge_policy::MergeCandidate(small)]
}

/// The merges that leave at most `max` segments (at least one), or as few as merges of at most
/// [`MAX_MERGE_SEGMENTS`] segments can: the segments, largest first, each go to the group with
/// the fewest documents so far that has room, so that the merges are about the same size (no
/// single one rewrites most of the index); a group of one segment is left as it is. Nothing when
/// there are `max` segments or fewer.
fn balanced_groups(
    segments: &[tantivy::index::SegmentMeta],
    max: usize,
) -> Vec<Vec<tantivy::index::SegmentId>> {
    let per_merge = MAX_MERGE_SEGMENTS;
    let count = max.max(1).max(segments.len().div_ceil(per_merge));
    if segments.len() <= count {
        return Vec::new();
    }
    let mut sorted: Vec<&tantivy::index::SegmentMeta> = segments.iter().collect();
    // Largest first; ties by id, so that the same segments always give the same groups.
    sorted.sort_by(|a, b| b.num_docs().cmp(&a.num_docs()).then(a.id().cmp(&b.id())));
    let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); count];
    for segment in sorted {
        let lightest = groups
            .iter_mut()
            .filter(|(_, ids)| ids.len() < per_merge)
            .min_by_key(|(docs, ids)| (*docs, ids.len()))
            .expect("count × MAX_MERGE_SEGMENTS ≥ the segments");
        lightest.0 += u64::from(segment.num_docs());
        lightest.1.push(segment.id());
    }
    groups.into_iter().map(|(_, ids)| ids).filter(|ids| ids.len() >= 2).collect()
}

/// The merges at the end of a full build, after its only commit: every segment when they hold
/// fewer than [`FINAL_MERGE_DOCS`] documents together; [`balanced_groups`] when there are more
/// than `max_segments`; otherwise the [`small_segments`] (the partial last flushes).
///
/// They are started explicitly, once, rather than by a merge policy, which tantivy asks again
/// each time a merge ends or a segment is added: the plan sees every segment, and no segment
/// is merged twice.
fn final_merges(
    segments: &[tantivy::index::SegmentMeta],
    max_segments: usize,
) -> Vec<Vec<tantivy::index::SegmentId>> {
    let total: usize = segments.iter().map(|s| s.num_docs() as usize).sum();
    if total < FINAL_MERGE_DOCS && segments.len() >= 2 {
        return vec![segments.iter().map(|s| s.id()).collect()];
    }
    if segments.len() > max_segments {
        return balanced_groups(segments, max_segments);
    }
    small_segments(segments, 2).into_iter().map(|c| c.0).collect()
}

/// The merge policy of updates ([`small_segments`], once [`UPDATE_MERGE_MIN_SEGMENTS`] small
/// segments have gathered).
#[derive(Debug)]
struct MergeUpdates;

impl tantivy::merge_policy::MergePolicy for MergeUpdates {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::index::SegmentMeta],
    ) -> Vec<tantivy::merge_policy::MergeCandidate> {
        small_segments(segments, UPDATE_MERGE_MIN_SEGMENTS)
    }
}

/// The speeches of an index: id → (content hash, corpus path).
pub(crate) type SpeechHashes = HashMap<String, (u64, String)>;

/// What the index holds before a run.
#[derive(Default)]
struct Existing {
    /// The current generation's speeches (an update's baseline; for a full build, what the
    /// shrink guard compares with).
    speeches: SpeechHashes,
    /// The stamps of the files last read into the current generation (updates only).
    files: FileManifest,
    /// The current generation, for a full build to carry over the speeches of unreadable files.
    old: Option<SpeechIndex>,
}

/// One run of the pipeline into one tantivy index.
struct Job<'a> {
    index: &'a Index,
    /// The generation folder written (its manifest is saved there).
    generation: &'a Path,
    /// A new generation (a full build): it may commit part-way, since it is not current until
    /// the swap; an update of the current generation commits exactly once.
    fresh: bool,
    opts: &'a BuildOptions,
    read: &'a ReadOptions,
    files: &'a [corpus::SourceFile],
}

/// The state of a run while files are read.
struct Pass<'a> {
    writer: IndexWriter<SpeechDoc>,
    fields: Fields,
    /// Speech ids read or kept, so far.
    seen: HashSet<String>,
    /// Bytes added since the last commit (full builds only commit part-way).
    since_commit: u64,
    /// Texts queued for tantivy's indexing threads.
    queue: std::sync::Arc<Queue>,
    /// The current generation's speeches by file.
    by_path: HashMap<&'a str, Vec<&'a str>>,
    /// The stamps to save after the commit.
    manifest: FileManifest,
    /// Boilerplate left out of the words that rank speeches ([`Job::boilerplate`]).
    boilerplate: Boilerplate,
}

impl Job<'_> {
    fn writer(&self) -> Result<IndexWriter<SpeechDoc>> {
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .num_worker_threads(self.opts.threads.clamp(1, 8))
            .memory_budget_per_thread(self.opts.heap_per_thread.max(15 << 20))
            .num_merge_threads(self.merge_threads())
            .build();
        let writer: IndexWriter<SpeechDoc> = self.index.writer_with_options(options)?;
        // Segment files an interrupted or failed update wrote but never committed are garbage
        // only the next writer can see: remove them before adding more (on a full disk they
        // hold the space this run needs).
        let _ = writer.garbage_collect_files().wait();
        if self.fresh {
            // Nothing is merged until the end (see small_segments).
            writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        } else {
            writer.set_merge_policy(Box::new(MergeUpdates));
        }
        Ok(writer)
    }

    /// Merges that run at once. A full build's final merges ([`final_merges`]) run two at a
    /// time when it has two threads: they are its last work and would leave a core idle (500 MB:
    /// 9.0 → 4.6 s, peak memory 260 → 294 MB, since concurrent merges add up their buffers). An
    /// update merges one at a time, in the background of its writer.
    fn merge_threads(&self) -> usize {
        if self.fresh { self.opts.threads.clamp(1, MAX_CONCURRENT_MERGES) } else { 1 }
    }

    /// Reads every file, checks the guards, commits once (an update) or finally (a full
    /// build), and returns the number of speeches in the index written.
    fn run(
        &self,
        existing: Existing,
        summary: &mut BuildSummary,
        progress: &mut dyn Progress,
        mut info: BuildInfo,
    ) -> Result<u64> {
        let Existing { speeches: existing, files: known_files, old } = existing;
        let mut by_path: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, (_, path)) in &existing {
            by_path.entry(path.as_str()).or_default().push(id.as_str());
        }
        let reader = self.read.reader_key();
        let known_files =
            if known_files.reader == reader { known_files } else { FileManifest::default() };
        progress.phase("finding boilerplate");
        let boilerplate = self.boilerplate(&known_files)?;
        progress.phase("reading and indexing");
        let mut pass = Pass {
            writer: self.writer()?,
            fields: Fields::resolve(&self.index.schema())?,
            seen: HashSet::new(),
            since_commit: 0,
            queue: Queue::new(),
            by_path,
            manifest: FileManifest { reader, ..Default::default() },
            boilerplate,
        };
        // Baseline for an update: the speeches the index has; for a full build: none.
        let baseline = if self.fresh { &SpeechHashes::new() } else { &existing };
        for file in self.files {
            self.read_file(file, &mut pass, baseline, &known_files, summary, progress)?;
        }
        let keep = self.keep_unreadable(&mut pass, &existing, summary);
        if let Some(old) = &old {
            self.carry_over(&mut pass, old, &keep)?;
        }
        for id in existing.keys() {
            if !pass.seen.contains(id) {
                if !self.fresh {
                    pass.writer.delete_term(Term::from_field_text(pass.fields.id, id));
                }
                summary.removed += 1;
            }
        }
        let after = if self.fresh {
            pass.seen.len() as u64
        } else {
            (existing.len() - summary.removed + summary.added) as u64
        };
        self.check_shrink(existing.len() as u64, summary.removed as u64, after, summary)?;

        #[cfg(any(test, feature = "fault-injection"))]
        TestHook::at(self.opts.test_hook, Moment::Commit)?;
        progress.phase("finishing indexing and committing");
        info.skipped = summary.skipped.len();
        let payload = serde_json::to_string(&info).unwrap_or_default();
        let Pass { mut writer, manifest, .. } = pass;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        // Only after the commit: the manifest may lag behind the index, never run ahead of it.
        manifest.save(self.generation)?;
        progress.phase("merging segments");
        if self.fresh {
            self.merge_at_end(&mut writer)?;
        }
        writer.wait_merging_threads()?;
        let metas = self.index.searchable_segment_metas()?;
        summary.segments = metas.len();
        Ok(metas.iter().map(|m| u64::from(m.num_docs())).sum())
    }

    /// The boilerplate that the words of the speeches read are indexed without (so that a
    /// licence footer or page furniture does not rank a speech): the short lines of every text
    /// this run reads are counted first (the files are read twice; the first reading only
    /// splits lines), together with those of the speeches an update keeps (the `lines` column).
    /// Word statistics count the index's own `lines` columns instead ([`SpeechIndex::boilerplate`]),
    /// so they stay exact where an update's ranking words can lag: a speech an update keeps
    /// keeps the words it was indexed with until it changes or the next full build.
    fn boilerplate(&self, known_files: &FileManifest) -> Result<Boilerplate> {
        let mut counter = LineCounter::default();
        if !self.fresh {
            let searcher = self.index.reader()?.searcher();
            for seg in searcher.segment_readers() {
                let lines = seg.fast_fields().u64(names::LINES)?;
                for doc in seg.doc_ids_alive() {
                    counter.add_hashes(lines.values_for_doc(doc));
                }
            }
        }
        let to_read: Vec<&corpus::SourceFile> = self
            .files
            .iter()
            .filter(|file| {
                let stamp = std::fs::metadata(&file.abs).ok().as_ref().map(Stamp::of);
                self.fresh || stamp.is_none() || known_files.files.get(&file.rel) != stamp.as_ref()
            })
            .collect();
        // The files are shared out among the indexing threads, which have nothing to do yet.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let count = || {
            let mut counter = LineCounter::default();
            while let Some(file) =
                to_read.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                corpus::read_file_each(file, self.read, &mut |speech: Speech| {
                    counter.add(&speech.body);
                });
            }
            counter
        };
        let threads = self.opts.threads.clamp(1, to_read.len().max(1));
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(count)).collect();
            counter.merge(count());
            for helper in helpers {
                // A helper that panicked leaves its files uncounted: fewer repeated lines,
                // never a wrong count (the statistics count the `lines` columns).
                if let Ok(counted) = helper.join() {
                    counter.merge(counted);
                }
            }
        });
        Ok(counter.finish())
    }

    /// Merges a full build's segments ([`final_merges`]), two merges at a time
    /// ([`Job::merge_threads`]), into the new generation, which is not current yet. Each merge replaces its segments in `meta.json`
    /// atomically when it ends; a merge that fails (a full disk) leaves its segments as they
    /// were, still a complete index, so its error is not the build's.
    fn merge_at_end(&self, writer: &mut IndexWriter<SpeechDoc>) -> Result<()> {
        let plan = final_merges(&self.index.searchable_segment_metas()?, self.opts.max_segments);
        // No segment meta may outlive the plan: tantivy keeps the files of every segment whose
        // meta is alive, and the merged segments' files must go as each merge ends.
        let merges: Vec<_> = plan.iter().map(|ids| writer.merge(ids)).collect();
        for merge in merges {
            let _ = merge.wait();
        }
        writer.garbage_collect_files().wait()?;
        Ok(())
    }

    /// A run that would leave no speech, or remove more than half of them, stops here: nothing
    /// is committed (an update) and the new generation is never made current (a full build).
    fn check_shrink(
        &self,
        before: u64,
        removed: u64,
        after: u64,
        summary: &BuildSummary,
    ) -> Result<()> {
        if after == 0 && (before == 0 || !self.opts.allow_shrink) {
            // The reasons go into the message itself: with --quiet no warning was printed.
            let whole: Vec<&Skip> = summary.skipped.iter().filter(|s| s.line.is_none()).collect();
            let shown: Vec<String> =
                whole.iter().take(3).map(|s| format!("{}: {}", s.path, s.reason)).collect();
            return Err(Error::Corpus {
                path: corpus_name(&self.opts.roots),
                problem: format!(
                    "no speech could be read from its {} files ({} skipped{}{})",
                    summary.files_seen,
                    if whole.len() == 1 {
                        "1 file or folder".to_string()
                    } else {
                        format!("{} files or folders", whole.len())
                    },
                    if shown.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", shown.join("; "))
                    },
                    if whole.len() > shown.len() { "; …" } else { "" }
                ),
            });
        }
        if before > 0 && removed * 2 > before && !self.opts.allow_shrink {
            return Err(Error::Shrink { path: summary.index.clone(), before, removed, after });
        }
        Ok(())
    }

    /// Speeches of files and folders that could not be read as a whole stay in the index: a
    /// permission problem or a file being rewritten must not delete them. Returns their ids.
    fn keep_unreadable(
        &self,
        pass: &mut Pass<'_>,
        existing: &SpeechHashes,
        summary: &mut BuildSummary,
    ) -> Vec<String> {
        let unreadable: Vec<&str> =
            summary.skipped.iter().filter(|s| s.line.is_none()).map(|s| s.path.as_str()).collect();
        if unreadable.is_empty() {
            return Vec::new();
        }
        let mut kept = Vec::new();
        for (id, (_, path)) in existing {
            let inside = unreadable.iter().any(|u| {
                path == u || (path.starts_with(u) && path.as_bytes().get(u.len()) == Some(&b'/'))
            });
            if inside && pass.seen.insert(id.clone()) {
                kept.push(id.clone());
            }
        }
        kept.sort();
        summary.kept_unreadable += kept.len();
        if !self.fresh {
            summary.unchanged += kept.len();
        }
        kept
    }

    /// Copies the speeches `ids` from the old generation into a new one, as stored.
    fn carry_over(&self, pass: &mut Pass<'_>, old: &SpeechIndex, ids: &[String]) -> Result<()> {
        let searcher = old.searcher();
        for id in ids {
            let Some(addr) = old.find(&searcher, id)? else { continue };
            let speech = old.stored(&searcher, addr, true)?.into_speech();
            let hash = speech_hash(&speech);
            let chars = speech.body.chars().count() as u64;
            let doc = to_document(&pass.fields, speech, hash, chars, &pass.boilerplate);
            pass.writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Reads one file (or finds it unchanged) and adds, replaces or keeps its speeches.
    fn read_file(
        &self,
        file: &corpus::SourceFile,
        pass: &mut Pass<'_>,
        existing: &SpeechHashes,
        known_files: &FileManifest,
        summary: &mut BuildSummary,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        // A file modified shortly before it is read may be modified again within the same
        // timestamp tick, keeping its size: its stamp would then match a text the index does not
        // hold. Only stamps older than this by RACY_WINDOW are trusted (git's "racily clean").
        let trusted_before = std::time::SystemTime::now()
            .checked_sub(RACY_WINDOW)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let stamp = std::fs::metadata(&file.abs).ok().as_ref().map(Stamp::of);
        let bytes = stamp.map_or(0, |s| s.size);
        let ids = pass.by_path.get(file.rel.as_str()).filter(|_| !self.fresh);
        if let (Some(stamp), Some(ids)) = (stamp, ids)
            && known_files.files.get(&file.rel) == Some(&stamp)
        {
            // The same file, untouched since its speeches were indexed: not read.
            for id in ids {
                if pass.seen.insert((*id).to_string()) {
                    summary.unchanged += 1;
                }
            }
            pass.manifest.files.insert(file.rel.clone(), stamp);
            progress.file_done(&file.rel, bytes);
            return Ok(());
        }
        summary.bytes += bytes;
        // Each speech is indexed as soon as it is read: a big JSONL file is never held as a list
        // of speeches. The first indexing error stops the work (the rest of the file is still
        // parsed, and dropped) and is returned after the file.
        let mut failed: Option<Error> = None;
        let mut skips = Vec::new();
        let mut each = |speech: Speech| {
            if failed.is_none()
                && let Err(e) = self.add(speech, pass, existing, summary, &mut skips)
            {
                failed = Some(e);
            }
        };
        let skipped = corpus::read_file_each(file, self.read, &mut each);
        if let Some(e) = failed {
            return Err(e);
        }
        // Files with problems are read again next time, so their problems are reported again;
        // so are files that changed while they were read (their stamp after the read differs).
        let after = std::fs::metadata(&file.abs).ok().as_ref().map(Stamp::of);
        if let Some(stamp) = stamp
            && skipped.is_empty()
            && skips.is_empty()
            && stamp.mtime < trusted_before
            && after == Some(stamp)
        {
            pass.manifest.files.insert(file.rel.clone(), stamp);
        }
        for skip in skips.iter().chain(&skipped) {
            progress.skipped(skip);
        }
        summary.skipped.extend(skips);
        summary.skipped.extend(skipped);
        progress.file_done(&file.rel, bytes);
        Ok(())
    }

    /// Adds one speech read from a file, unless the index already holds it as it is.
    fn add(
        &self,
        speech: Speech,
        pass: &mut Pass<'_>,
        existing: &SpeechHashes,
        summary: &mut BuildSummary,
        skips: &mut Vec<Skip>,
    ) -> Result<()> {
        if !pass.seen.insert(speech.id.clone()) {
            skips.push(Skip {
                path: speech.path.clone(),
                line: speech.line,
                reason: format!("duplicate id {:?}: another speech has the same id", speech.id),
            });
            return Ok(());
        }
        let hash = speech_hash(&speech);
        let chars = speech.body.chars().count() as u64;
        summary.chars += chars;
        match existing.get(&speech.id) {
            Some((old, _)) if *old == hash => {
                summary.unchanged += 1;
                return Ok(());
            }
            Some(_) => {
                pass.writer.delete_term(Term::from_field_text(pass.fields.id, &speech.id));
                summary.updated += 1;
            }
            None => summary.added += 1,
        }
        let bytes = speech.body.len() as u64;
        pass.since_commit += bytes;
        let mut doc = to_document(&pass.fields, speech, hash, chars, &pass.boilerplate);
        // Two copies of the text at most (stored and folded).
        doc.hold_in(&pass.queue, 2 * bytes);
        pass.queue.wait_below(self.opts.queue_bytes, QUEUE_PATIENCE);
        pass.writer.add_document(doc)?;
        if self.fresh && pass.since_commit >= self.opts.commit_every_bytes {
            pass.since_commit = 0;
            pass.writer.commit()?;
        }
        Ok(())
    }
}

fn corpus_name(roots: &[PathBuf]) -> PathBuf {
    PathBuf::from(roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", "))
}

/// Converts a speech into a tantivy document. The folded body is held once for both body
/// fields; when folding changes nothing (text already simplified, half-width and lower case),
/// the stored body shares it too. The words field gets the folded body with its boilerplate
/// blanked (a copy, only for texts that have some); the `lines` column the hashes of its short
/// lines.
fn to_document(
    f: &Fields,
    s: Speech,
    hash: u64,
    chars: u64,
    boilerplate: &Boilerplate,
) -> SpeechDoc {
    let Speech {
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
    for h in line_hashes(&folded) {
        d.add_u64(f.lines, h);
    }
    let words = match boilerplate.blank(&folded) {
        Cow::Owned(blanked) => Some(blanked),
        Cow::Borrowed(_) => None,
    };
    let mut exact = vec![f.body_exact];
    match words {
        Some(blanked) => d.add_text(f.body_words, blanked),
        None => exact.push(f.body_words),
    }
    if folded == body {
        drop(folded);
        exact.push(f.body);
        d.add_shared(&exact, body);
    } else {
        d.add_text(f.body, body);
        d.add_shared(&exact, folded);
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
    for (field, value) in
        [(f.published, published), (f.venue, venue), (f.source, source), (f.url, url)]
    {
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
    Some(super::schema::day_key(date.parse().ok()?))
}

#[cfg(test)]
mod tests {

    #[test]
    fn write_failures_name_the_free_space_and_other_errors_pass() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("not/yet/an/index");
        let killed = Error::Tantivy(tantivy::TantivyError::ErrorInThread("killed".into()));
        let err = explain_write_failure(&missing, killed);
        assert!(matches!(err, Error::WriteFailed { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("is free on its disk") && !text.contains("unknown"), "{text}");
        let internal = tantivy::TantivyError::InternalError("No space left on device".into());
        let err = explain_write_failure(&missing, Error::Tantivy(internal));
        assert!(matches!(err, Error::WriteFailed { .. }), "{err:?}");
        let other = tantivy::TantivyError::InternalError("something else".into());
        let err = explain_write_failure(&missing, Error::Tantivy(other));
        assert!(matches!(err, Error::Tantivy(_)), "{err:?}");
        let user = explain_write_failure(&missing, Error::UnknownId("x".into()));
        assert!(matches!(user, Error::UnknownId(_)), "{user:?}");
        assert_eq!(human_bytes(812_000), "812 KB");
        assert_eq!(human_bytes(312_460_000), "312.5 MB");
        assert_eq!(human_bytes(4_200_000_000), "4.2 GB");
    }
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

    fn age_to(path: &Path, time: std::time::SystemTime) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }

    #[test]
    fn an_edit_that_keeps_size_and_modification_time_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        let a = corpus.join("a.txt");
        let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        std::fs::write(&a, "甲的讲话\n发展新质生产力。\n").unwrap();
        age_to(&a, an_hour_ago);
        std::fs::write(corpus.join("b.txt"), "乙的讲话\n推进乡村振兴。\n").unwrap();
        age_to(&corpus.join("b.txt"), an_hour_ago);
        let index = dir.path().join("index");
        build(&index, &opts(&corpus), &mut NoProgress).unwrap();

        // Same size (力 and 率 are both 3 bytes), modification time put back: as `touch -d`,
        // an archive or a sync tool leave it. The change time differs.
        std::fs::write(&a, "甲的讲话\n发展新质生产率。\n").unwrap();
        age_to(&a, an_hour_ago);
        let next = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        assert_eq!((next.updated, next.unchanged), (1, 1), "{next:?}");

        // Other reading options read every file again.
        let read = ReadOptions { max_speech_bytes: 1 << 20, ..ReadOptions::default() };
        let other = BuildOptions { read, ..opts(&corpus) };
        let again = build(&index, &other, &mut NoProgress).unwrap();
        assert!(again.bytes > 0, "a change of reading options did not read the files again");
        assert_eq!(again.unchanged, 2);
    }

    #[test]
    fn an_update_commits_once_even_into_an_empty_index() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("seed.txt"), "种子\n一篇。\n").unwrap();
        let index = dir.path().join("index");
        build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        // Empty the index on purpose (the file gone, only a file without speeches left,
        // --allow-shrink) ...
        std::fs::remove_file(corpus.join("seed.txt")).unwrap();
        std::fs::write(corpus.join("empty.txt"), "").unwrap();
        let allow = |o: BuildOptions| BuildOptions { allow_shrink: true, ..o };
        let emptied = build(&index, &allow(opts(&corpus)), &mut NoProgress).unwrap();
        assert_eq!((emptied.removed, emptied.docs), (1, 0));
        // ... then add many speeches in an update that fails just before its commit: part-way
        // commits (every byte here) would leave some of them in the index.
        for i in 0..40 {
            std::fs::write(corpus.join(format!("n{i:02}.txt")), format!("新{i}\n内容{i}。\n"))
                .unwrap();
        }
        let failing = BuildOptions {
            commit_every_bytes: 1,
            test_hook: Some(TestHook::FailBeforeCommit),
            ..opts(&corpus)
        };
        assert!(build(&index, &failing, &mut NoProgress).is_err());
        let ix = SpeechIndex::open(&index).unwrap();
        assert_eq!(ix.speech_hashes().unwrap().len(), 0, "a failed update left part of its work");
        drop(ix);
        let done = build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        assert_eq!((done.mode, done.added, done.docs), (BuildMode::Incremental, 40, 40));
    }

    #[test]
    fn guards_stop_before_anything_changes() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        for i in 0..4 {
            std::fs::write(corpus.join(format!("{i}.txt")), format!("第{i}篇\n内容。\n")).unwrap();
        }
        let index = dir.path().join("index");

        // No index folder is made for a corpus that is missing or empty.
        let missing = BuildOptions { roots: vec![dir.path().join("nope")], ..opts(&corpus) };
        assert!(matches!(build(&index, &missing, &mut NoProgress), Err(Error::Corpus { .. })));
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert!(matches!(build(&index, &opts(&empty), &mut NoProgress), Err(Error::Corpus { .. })));
        assert!(!index.exists(), "a failed first run created the index folder");

        build(&index, &opts(&corpus), &mut NoProgress).unwrap();
        for rebuild in [false, true] {
            let o = BuildOptions { rebuild, ..opts(&empty) };
            assert!(matches!(build(&index, &o, &mut NoProgress), Err(Error::Corpus { .. })));
        }
        // Three of four files gone: more than half.
        for i in 1..4 {
            std::fs::remove_file(corpus.join(format!("{i}.txt"))).unwrap();
        }
        for rebuild in [false, true] {
            match build(&index, &BuildOptions { rebuild, ..opts(&corpus) }, &mut NoProgress) {
                Err(Error::Shrink { before: 4, removed: 3, after: 1, .. }) => {}
                other => panic!("expected Shrink, got {other:?}"),
            }
        }
        assert_eq!(SpeechIndex::open(&index).unwrap().speech_hashes().unwrap().len(), 4);
        let allowed = BuildOptions { allow_shrink: true, ..opts(&corpus) };
        assert_eq!(build(&index, &allowed, &mut NoProgress).unwrap().docs, 1);
    }

    /// Segment metas of `docs` documents each, in an index of speechdex's schema.
    fn metas(docs: &[u32]) -> Vec<tantivy::index::SegmentMeta> {
        let index = Index::create_in_ram(build_schema());
        docs.iter()
            .map(|&n| index.new_segment_meta(tantivy::index::SegmentId::generate_random(), n))
            .collect()
    }

    /// The documents of each merge's segments, sorted.
    fn docs_of(
        metas: &[tantivy::index::SegmentMeta],
        merges: &[Vec<tantivy::index::SegmentId>],
    ) -> Vec<Vec<u32>> {
        merges
            .iter()
            .map(|ids| {
                let mut docs: Vec<u32> =
                    metas.iter().filter(|m| ids.contains(&m.id())).map(|m| m.num_docs()).collect();
                docs.sort();
                docs
            })
            .collect()
    }

    #[test]
    fn only_small_segments_are_merged() {
        use tantivy::merge_policy::MergePolicy;
        let last = |docs: &[u32]| {
            let metas = metas(docs);
            let merges = docs_of(&metas, &final_merges(&metas, FINAL_MAX_SEGMENTS));
            assert!(merges.len() <= 1);
            merges.into_iter().flatten().collect::<Vec<u32>>()
        };
        let update = |docs: &[u32]| {
            let metas = metas(docs);
            let merges: Vec<_> =
                MergeUpdates.compute_merge_candidates(&metas).into_iter().map(|c| c.0).collect();
            assert!(merges.len() <= 1);
            docs_of(&metas, &merges).into_iter().flatten().collect::<Vec<u32>>()
        };
        // A small corpus: everything at the end of a full build, whatever the sizes ...
        assert_eq!(last(&[47, 47]), [47, 47]);
        assert_eq!(last(&[300, 10]), [10, 300]);
        // ... but an update does not merge a whole index.
        assert!(update(&[2, 1]).is_empty());
        // A few big segments: the flushes stay, the partial last ones are merged ...
        assert_eq!(last(&[1_200, 1_190, 143, 40]), [40, 143]);
        // ... flushes of big speeches too (relative sizes, not absolute).
        assert_eq!(last(&[300, 20, 60, 280]), [20, 60]);
        // Nothing small, or one small segment alone: nothing to merge.
        assert!(last(&[950, 953]).is_empty());
        assert!(last(&[1_200, 1_190, 143]).is_empty());
        // Updates wait for eight small segments.
        let mut docs = vec![1_200u32; 17];
        docs.extend([3, 1, 2, 5, 1, 1, 2]);
        assert!(update(&docs).is_empty());
        docs.push(4);
        assert_eq!(update(&docs).len(), 8);
    }

    #[test]
    fn a_large_build_ends_with_at_most_max_segments_in_balanced_merges() {
        // A 500 MB build: 19 flushes of two threads, the last two partial.
        let mut docs = vec![1_200u32; 17];
        docs.extend([700, 143]);
        let metas = metas(&docs);
        let merges = final_merges(&metas, FINAL_MAX_SEGMENTS);
        let after = |merges: &[Vec<tantivy::index::SegmentId>]| {
            let merged: usize = merges.iter().map(Vec::len).sum();
            metas.len() - merged + merges.len()
        };
        assert_eq!(after(&merges), FINAL_MAX_SEGMENTS);
        // Every segment at most once; no merge reads much more than its share.
        let mut ids: Vec<_> = merges.iter().flatten().collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), metas.len());
        let sizes: Vec<u32> = docs_of(&metas, &merges).iter().map(|d| d.iter().sum()).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1_200, "{sizes:?}");
        // Done once: the merged segments are not merged again.
        let merged = self::metas(&sizes);
        assert!(final_merges(&merged, FINAL_MAX_SEGMENTS).is_empty());

        // One huge segment and small ones: the huge one is not rewritten.
        let metas = self::metas(&[10_000, 900, 800, 700, 600, 500]);
        let merges = final_merges(&metas, 3);
        assert!(merges.iter().flatten().all(|id| *id != metas[0].id()));
        assert_eq!(metas.len() - merges.iter().map(Vec::len).sum::<usize>() + merges.len(), 3);

        // A bound of 1 or 0: one segment.
        assert_eq!(final_merges(&self::metas(&[900, 900, 900]), 0).len(), 1);
        // Never more than MAX_MERGE_SEGMENTS in one merge (memory): a 2 GB build's 76 flushes
        // end as 5 segments, each read once.
        let metas = self::metas(&[1_200; 76]);
        let merges = final_merges(&metas, FINAL_MAX_SEGMENTS);
        assert!(merges.iter().all(|m| m.len() <= MAX_MERGE_SEGMENTS));
        assert_eq!(merges.len(), 5);
        assert_eq!(merges.iter().map(Vec::len).sum::<usize>(), 76);
    }

    #[test]
    fn a_build_of_many_segments_is_merged_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        // More speeches than FINAL_MERGE_DOCS, so that they are not all merged into one.
        let mut lines = String::new();
        for i in 0..600 {
            lines.push_str(&format!(
                "{{\"id\": \"s{i}\", \"title\": \"讲话{i}\", \"text\": \"发展新质生产力{i}。\"}}\n"
            ));
        }
        std::fs::write(corpus.join("speeches.jsonl"), lines).unwrap();
        let segments = |max_segments: usize| {
            let index = dir.path().join(format!("index-{max_segments}"));
            // A commit every ~50 speeches: a segment each time.
            let opts = BuildOptions { commit_every_bytes: 1_000, max_segments, ..opts(&corpus) };
            let summary = build(&index, &opts, &mut NoProgress).unwrap();
            assert_eq!(summary.docs, 600);
            let ix = SpeechIndex::open(&index).unwrap();
            assert_eq!(ix.speech_hashes().unwrap().len(), 600);
            let segments = ix.searcher().segment_readers().len();
            assert_eq!(summary.segments, segments);
            // Every phase is timed, in order, and together they are the whole run.
            let phases: Vec<&str> = summary.phases.iter().map(|p| p.phase.as_str()).collect();
            assert_eq!(
                phases,
                [
                    "finding files",
                    "finding boilerplate",
                    "reading and indexing",
                    "finishing indexing and committing",
                    "merging segments",
                    "switching to the new index"
                ]
            );
            let timed: u64 = summary.phases.iter().map(|p| p.ms).sum();
            // Each phase is rounded down to whole milliseconds.
            assert!(timed <= summary.elapsed_ms && timed + 10 >= summary.elapsed_ms, "{summary:?}");
            // The merged segments' files are gone.
            let generation =
                index.join(std::fs::read_to_string(index.join("CURRENT")).unwrap().trim());
            let mut ids: Vec<String> = std::fs::read_dir(&generation)
                .unwrap()
                .filter_map(|e| {
                    let name = e.unwrap().file_name().to_string_lossy().into_owned();
                    let stem = name.split('.').next().unwrap().to_string();
                    (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                        .then_some(stem)
                })
                .collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), segments, "{ids:?}");
            segments
        };
        assert!(segments(usize::MAX) > 8);
        assert_eq!(segments(3), 3);
    }

    #[test]
    fn date_keys() {
        assert_eq!(date_key("2024-03-05"), Some(20240305));
        assert_eq!(date_key("2024-02-30"), None);
    }
}
