//! The index the server answers from, swapped when a rebuild finishes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::Result;
use crate::index::{SpeechIndex, Store};

/// An open index that can be replaced while requests use the previous one.
///
/// Requests call [`LiveIndex::current`] once and keep the `Arc`, so each is answered from one
/// generation; [`LiveIndex::refresh`] swaps in a new generation or reloads the reader.
#[derive(Debug)]
pub struct LiveIndex {
    root: PathBuf,
    current: RwLock<Arc<SpeechIndex>>,
}

/// What [`LiveIndex::refresh`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// `CURRENT` names the generation being served; its reader was reloaded (picking up the
    /// commits of an incremental build, if any).
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
    /// Wraps an index opened from `index.root`.
    pub fn new(index: SpeechIndex) -> LiveIndex {
        LiveIndex { root: index.root.clone(), current: RwLock::new(Arc::new(index)) }
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
    /// reloads the current reader. On error the index being served stays as it was.
    pub fn refresh(&self) -> Result<Refresh> {
        let serving = self.current();
        let named = Store::new(&self.root).current()?;
        if named.as_deref().is_none_or(|g| g == serving.generation) {
            serving.reload()?;
            return Ok(Refresh::Reloaded);
        }
        let fresh = Arc::new(SpeechIndex::open(&self.root)?);
        let generation = generation_name(&fresh.generation);
        let docs = fresh.searcher().num_docs();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(Refresh::Swapped { generation, docs })
    }
}

/// The folder name of a generation path.
pub(crate) fn generation_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
