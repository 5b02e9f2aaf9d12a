//! The index the server answers from, swapped when a rebuild finishes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tantivy::index::SegmentId;

use speechdex::Result;
use speechdex::index::{CacheOptions, SpeechIndex, Store};

/// An open index that can be replaced while requests use the previous one.
///
/// Requests call [`LiveIndex::current`] once and keep the `Arc`, so each is answered from one
/// generation; [`LiveIndex::refresh`] swaps in a new generation or reloads the reader.
#[derive(Debug)]
pub struct LiveIndex {
    root: PathBuf,
    /// The caches of every generation opened (those of the first).
    caches: CacheOptions,
    /// Threads per query of every generation opened (those of the first).
    match_threads: Option<usize>,
    current: RwLock<Arc<SpeechIndex>>,
    /// The commit the served reader shows (`None`: not known yet, reload on the next refresh).
    seen: Mutex<Option<Commit>>,
}

/// What identifies a commit of one generation: its opstamp and its segments with their
/// deletions (a merge changes the segments, not the opstamp).
type Commit = (u64, Vec<(SegmentId, u32)>);

fn commit_of(index: &SpeechIndex) -> Result<Commit> {
    let meta = index.index.load_metas()?;
    let segments = meta.segments.iter().map(|s| (s.id(), s.num_deleted_docs())).collect();
    Ok((meta.opstamp, segments))
}

/// What [`LiveIndex::refresh`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// `CURRENT` names the generation being served; its reader was reloaded (picking up the
    /// commits of an incremental build), or left as it was when the generation has no new
    /// commit (a fresh reader would only drop the doc-store caches of the current one).
    Reloaded,
    /// A new generation was opened and is now served.
    Swapped {
        /// Its folder name (`gen-000003`).
        generation: String,
        /// Speeches it holds.
        docs: u64,
    },
}

impl LiveIndex {
    /// Wraps an index opened from `index.root`; later generations get the same caches.
    pub fn new(index: SpeechIndex) -> LiveIndex {
        LiveIndex {
            root: index.root.clone(),
            caches: index.caches(),
            match_threads: index.match_threads(),
            current: RwLock::new(Arc::new(index)),
            seen: Mutex::new(None),
        }
    }

    /// Opens the current generation of the index at `root`.
    pub fn open(root: &Path) -> Result<LiveIndex> {
        Ok(LiveIndex::new(SpeechIndex::open(root)?))
    }

    /// The index folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index being served.
    pub fn current(&self) -> Arc<SpeechIndex> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Looks at `CURRENT`: when it names another generation, opens it and swaps it in; otherwise
    /// reloads the current reader if the generation has a new commit. On error the index being
    /// served stays as it was.
    pub fn refresh(&self) -> Result<Refresh> {
        let serving = self.current();
        let named = Store::new(&self.root).current()?;
        if named.as_deref().is_none_or(|g| g == serving.generation) {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let commit = commit_of(&serving)?;
            if seen.as_ref() != Some(&commit) {
                serving.reload()?;
                *seen = Some(commit);
            }
            return Ok(Refresh::Reloaded);
        }
        let mut fresh = SpeechIndex::open(&self.root)?.with_caches(self.caches);
        if let Some(threads) = self.match_threads {
            fresh = fresh.with_match_threads(threads);
        }
        let fresh = Arc::new(fresh);
        let generation = generation_name(&fresh.generation);
        let docs = fresh.searcher().num_docs();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        // The fresh reader shows some commit; the next refresh reloads it once to be sure.
        *seen = None;
        Ok(Refresh::Swapped { generation, docs })
    }
}

/// The folder name of a generation path.
pub(crate) fn generation_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
