//! Resolving arguments into what the library needs: the index folder, and an index that exists
//! (built from `./corpus` on first use of the default location).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use speechdex::index::{BuildOptions, SpeechIndex};

use crate::args::GlobalArgs;
use crate::terminal::{TerminalProgress, eprintln_msg};

/// The default index folder.
pub const DEFAULT_INDEX: &str = "index";
/// The default corpus folder.
pub const DEFAULT_CORPUS: &str = "corpus";

/// The index folder the user asked for.
pub fn index_dir(global: &GlobalArgs) -> PathBuf {
    global.index.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX))
}

/// Opens the index; when none exists at the default location and `./corpus` does, builds it
/// first (with a message on stderr), so that a fresh clone's first search works.
pub fn open_index(global: &GlobalArgs) -> Result<SpeechIndex> {
    let dir = index_dir(global);
    match SpeechIndex::open(&dir) {
        Err(speechdex::Error::IndexNotFound { .. })
            if global.index.is_none() && Path::new(DEFAULT_CORPUS).is_dir() =>
        {
            eprintln_msg(&format!(
                "no index yet in ./{DEFAULT_INDEX}: building it from ./{DEFAULT_CORPUS} (once)"
            ));
            let opts =
                BuildOptions { roots: vec![PathBuf::from(DEFAULT_CORPUS)], ..Default::default() };
            let mut progress = TerminalProgress::new(false);
            let summary = speechdex::index::build(&dir, &opts, &mut progress)
                .with_context(|| format!("building the index in {}", dir.display()))?;
            progress.finish();
            eprintln_msg(&format!(
                "indexed {} speeches from {} files in {:.1} s",
                summary.docs,
                summary.files_seen,
                summary.elapsed_ms as f64 / 1000.0
            ));
            Ok(SpeechIndex::open(&dir)?)
        }
        other => Ok(other?),
    }
}
