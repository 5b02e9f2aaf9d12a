//! The index folder on disk: generations, the `CURRENT` pointer, the writer lock.
//!
//! ```text
//! index/
//!   CURRENT          "gen-000002" — the generation readers open (replaced atomically by rename)
//!   gen-000002/      a complete tantivy index + speechdex.json (analysis settings)
//!   gen-000001/      the previous generation, kept until the next full build for readers
//!                    that opened it just before the swap
//!   gen-000003.tmp/  a full build in progress (removed on the next run if it was interrupted)
//!   .lock            held (flock) by the one indexer allowed at a time
//! ```
//!
//! Invariants: `CURRENT` always names a complete, committed generation; a full build never
//! touches the current generation; an incremental build only changes the current generation
//! through tantivy commits, which are atomic. A kill at any point therefore leaves the previous
//! index usable.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// File naming the current generation.
pub const CURRENT_FILE: &str = "CURRENT";
/// Lock file held by the indexer.
pub const LOCK_FILE: &str = ".lock";
/// Analysis settings of a generation.
pub const SETTINGS_FILE: &str = "speechdex.json";
/// Sizes and modification times of the files whose speeches a generation holds.
pub const FILES_FILE: &str = "files.json";
/// Version of the on-disk layout and schema; a different one forces a rebuild.
pub const FORMAT_VERSION: u32 = 1;

const GEN_PREFIX: &str = "gen-";
const TMP_SUFFIX: &str = ".tmp";

/// Settings a generation was built with: what the analyzers need at query time to reproduce the
/// index's tokens, and what decides whether an incremental build is possible.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// [`FORMAT_VERSION`] at build time.
    pub format_version: u32,
    /// [`crate::analysis::ANALYZER_VERSION`] at build time.
    pub analyzer_version: u32,
    /// [`crate::analysis::dictionary_fingerprint`] of the dictionaries.
    pub dictionary_fingerprint: u64,
    /// Contents of the user dictionaries (kept in the index so that it is self-contained).
    pub user_dicts: Vec<String>,
    /// Names of the user dictionary files, for `stats`.
    pub user_dict_names: Vec<String>,
    /// When this generation was created (RFC 3339).
    pub created_at: String,
}

impl Settings {
    /// Settings for a new generation with these user dictionaries.
    pub fn new(user_dicts: Vec<String>, user_dict_names: Vec<String>) -> Settings {
        Settings {
            format_version: FORMAT_VERSION,
            analyzer_version: crate::analysis::ANALYZER_VERSION,
            dictionary_fingerprint: crate::analysis::dictionary_fingerprint(&user_dicts),
            user_dicts,
            user_dict_names,
            created_at: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }

    /// Why an index with these settings cannot be updated incrementally with `wanted`, if it
    /// cannot.
    pub fn incompatibility(&self, wanted: &Settings) -> Option<String> {
        if self.format_version != wanted.format_version {
            Some(format!(
                "index format changed ({} → {})",
                self.format_version, wanted.format_version
            ))
        } else if self.analyzer_version != wanted.analyzer_version {
            Some(format!(
                "analyzer version changed ({} → {})",
                self.analyzer_version, wanted.analyzer_version
            ))
        } else if self.dictionary_fingerprint != wanted.dictionary_fingerprint {
            Some("dictionaries changed".to_string())
        } else {
            None
        }
    }
}

/// What the index knew of each corpus file when it last read it: `rel → (size, mtime in ns)`.
///
/// Written after each successful commit (never before), so it can only be older than the index,
/// never newer: a file it lists with the same size and modification time is unchanged since its
/// speeches were indexed and need not be read again. A missing or unreadable manifest means
/// "read everything".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileManifest {
    /// `rel → [size, mtime_ns]`.
    pub files: std::collections::BTreeMap<String, (u64, u128)>,
}

impl FileManifest {
    /// Reads the manifest of a generation (empty when missing or unreadable).
    pub fn load(generation: &Path) -> FileManifest {
        fs::read_to_string(generation.join(FILES_FILE))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Writes the manifest of a generation (atomically: temp file + rename).
    pub fn save(&self, generation: &Path) -> Result<()> {
        let tmp = generation.join(format!("{FILES_FILE}.tmp"));
        write_json(&tmp, self)?;
        let path = generation.join(FILES_FILE);
        fs::rename(&tmp, &path).map_err(|e| Error::io("writing", path, e))
    }

    /// `(size, mtime_ns)` of a file, when the file system tells.
    pub fn stamp(meta: &fs::Metadata) -> Option<(u64, u128)> {
        let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some((meta.len(), mtime.as_nanos()))
    }
}

/// The index root folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// The held writer lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

impl Store {
    /// The store at `root` (nothing is read or created yet).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the root folder if needed and takes the writer lock, failing at once with
    /// [`Error::Locked`] when another process holds it.
    pub fn lock(&self) -> Result<WriterLock> {
        fs::create_dir_all(&self.root)
            .map_err(|e| Error::io("creating index folder", &self.root, e))?;
        let path = self.root.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("opening lock file", &path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => {
                Err(Error::Locked { path: self.root.clone(), lock: path })
            }
            Err(fs::TryLockError::Error(e)) => Err(Error::io("locking", &path, e)),
        }
    }

    /// The folder of the current generation, if there is one.
    pub fn current(&self) -> Result<Option<PathBuf>> {
        let path = self.root.join(CURRENT_FILE);
        match fs::read_to_string(&path) {
            Ok(name) => {
                let name = name.trim();
                if !is_generation_name(name) {
                    return Err(Error::IncompatibleIndex {
                        path: self.root.clone(),
                        problem: format!("has a damaged {CURRENT_FILE} file ({name:?})"),
                    });
                }
                Ok(Some(self.root.join(name)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading", path, e)),
        }
    }

    /// Reads the settings of a generation.
    pub fn read_settings(&self, generation: &Path) -> Result<Settings> {
        let path = generation.join(SETTINGS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
        serde_json::from_str(&text).map_err(|e| Error::IncompatibleIndex {
            path: self.root.clone(),
            problem: format!("has unreadable settings in {}: {e}", path.display()),
        })
    }

    /// Removes what interrupted full builds left behind. Call with the lock held.
    pub fn clean_interrupted(&self) -> Result<()> {
        for name in self.generation_names()? {
            if name.ends_with(TMP_SUFFIX) {
                let path = self.root.join(&name);
                fs::remove_dir_all(&path).map_err(|e| Error::io("removing", path, e))?;
            }
        }
        Ok(())
    }

    /// Creates the folder for a new full build and writes its settings. Call with the lock held.
    pub fn begin_generation(&self, settings: &Settings) -> Result<PendingGeneration> {
        let next =
            self.generation_names()?.iter().filter_map(|n| generation_number(n)).max().unwrap_or(0)
                + 1;
        let name = format!("{GEN_PREFIX}{next:06}");
        let tmp = self.root.join(format!("{name}{TMP_SUFFIX}"));
        fs::create_dir_all(&tmp).map_err(|e| Error::io("creating", &tmp, e))?;
        write_json(&tmp.join(SETTINGS_FILE), settings)?;
        Ok(PendingGeneration { tmp, name })
    }

    /// Makes a finished generation current: renames it into place, then atomically replaces
    /// `CURRENT`, then removes generations older than the previous one. Call with the lock held.
    pub fn commit_generation(&self, pending: PendingGeneration) -> Result<PathBuf> {
        let final_path = self.root.join(&pending.name);
        fs::rename(&pending.tmp, &final_path)
            .map_err(|e| Error::io("renaming new index into place", &final_path, e))?;
        let previous = self.current().ok().flatten();
        let tmp_current = self.root.join(format!("{CURRENT_FILE}.tmp"));
        {
            let mut f =
                File::create(&tmp_current).map_err(|e| Error::io("writing", &tmp_current, e))?;
            f.write_all(format!("{}\n", pending.name).as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(|e| Error::io("writing", &tmp_current, e))?;
        }
        sync_dir(&self.root);
        let current = self.root.join(CURRENT_FILE);
        fs::rename(&tmp_current, &current)
            .map_err(|e| Error::io("switching to the new index", &current, e))?;
        sync_dir(&self.root);
        // Keep the previous generation for readers that opened it just before the swap.
        let keep_prev = previous.as_deref().and_then(|p| p.file_name()).and_then(|n| n.to_str());
        for name in self.generation_names()? {
            if name != pending.name
                && Some(name.as_str()) != keep_prev
                && !name.ends_with(TMP_SUFFIX)
            {
                let _ = fs::remove_dir_all(self.root.join(&name));
            }
        }
        Ok(final_path)
    }

    fn generation_names(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("listing", &self.root, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(GEN_PREFIX))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Total size in bytes of the current generation.
    pub fn size_on_disk(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            let Ok(entries) = fs::read_dir(p) else { return 0 };
            entries
                .filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        self.current().ok().flatten().map(|g| walk(&g)).unwrap_or(0)
    }
}

/// A full build's folder, not yet current.
#[derive(Debug)]
pub struct PendingGeneration {
    tmp: PathBuf,
    name: String,
}

impl PendingGeneration {
    /// Where the new index is being written.
    pub fn path(&self) -> &Path {
        &self.tmp
    }
}

fn is_generation_name(name: &str) -> bool {
    generation_number(name).is_some()
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix(GEN_PREFIX)?.parse().ok()
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::io("serialising", path, std::io::Error::other(e.to_string())))?;
    let mut f = File::create(path).map_err(|e| Error::io("writing", path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("writing", path, e))
}

fn sync_dir(path: &Path) {
    // Durability of the rename; not supported everywhere, and not fatal when it fails.
    if let Ok(dir) = File::open(path) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_swap_and_old_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("idx"));
        let _lock = store.lock().unwrap();
        assert_eq!(store.current().unwrap(), None);
        let settings = Settings::new(vec![], vec![]);
        for expected in ["gen-000001", "gen-000002", "gen-000003"] {
            let pending = store.begin_generation(&settings).unwrap();
            let path = store.commit_generation(pending).unwrap();
            assert!(path.ends_with(expected));
            assert_eq!(store.current().unwrap().unwrap(), path);
        }
        let names = store.generation_names().unwrap();
        assert_eq!(names, vec!["gen-000002", "gen-000003"], "the previous generation is kept");
    }

    #[test]
    fn interrupted_builds_are_cleaned_and_current_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let _lock = store.lock().unwrap();
        let settings = Settings::new(vec![], vec![]);
        let first = store.commit_generation(store.begin_generation(&settings).unwrap()).unwrap();
        let pending = store.begin_generation(&settings).unwrap();
        assert!(pending.path().exists());
        drop(pending); // as if killed
        assert_eq!(store.current().unwrap().unwrap(), first);
        store.clean_interrupted().unwrap();
        assert_eq!(store.generation_names().unwrap(), vec!["gen-000001"]);
    }

    #[test]
    fn second_lock_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let _held = store.lock().unwrap();
        match Store::new(dir.path()).lock() {
            Err(Error::Locked { .. }) => {}
            other => panic!("expected Locked, got {other:?}"),
        }
    }

    #[test]
    fn settings_incompatibility() {
        let a = Settings::new(vec![], vec![]);
        assert_eq!(a.incompatibility(&a.clone()), None);
        let b = Settings::new(vec!["词 1".into()], vec!["d.txt".into()]);
        assert!(a.incompatibility(&b).unwrap().contains("dictionaries"));
    }
}
