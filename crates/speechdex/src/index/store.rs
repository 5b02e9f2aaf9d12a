//! The index folder on disk: generations, the `CURRENT` pointer, the writer lock.
//!
//! ```text
//! index/
//!   SPEECHDEX_INDEX  the marker: this folder is a speechdex index (written when it is created)
//!   CURRENT          "gen-000002" — the generation readers open (replaced atomically by rename)
//!   gen-000002/      a complete tantivy index + speechdex.json (analysis settings)
//!   gen-000001/      the previous generation, kept until the next full build for readers
//!                    that opened it just before the swap
//!   gen-000003.tmp/  a full build in progress (removed on the next run if it was interrupted)
//! ```
//!
//! Invariants: `CURRENT` always names a complete, committed generation; a full build never
//! touches the current generation; an incremental build only changes the current generation
//! through one tantivy commit, which is atomic. A kill at any point therefore leaves the previous
//! index usable.
//!
//! **The folder is ours alone.** A build writes only into a folder that is empty, new, or carries
//! the marker [`MARKER_FILE`] (an index of an earlier version, recognised by a valid `CURRENT`,
//! gets the marker on its next build); any other folder is refused with
//! [`Error::NotAnIndex`], so `--index` pointed at the corpus or at a folder of notes deletes
//! nothing. Clean-up removes only entries named exactly like the generations speechdex creates
//! (`gen-` and six digits, optionally `.tmp`) that hold a `speechdex.json` or a tantivy
//! `meta.json` (or are empty, as a build killed at its first step leaves them).
//!
//! **The writer lock** is an exclusive `flock` on the index folder itself: it cannot be deleted
//! from under the indexer that holds it (a lock *file* can), and readers never take it, so an
//! index that a process cannot write (another user's, a read-only mount) can still be searched.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// File naming the current generation.
pub const CURRENT_FILE: &str = "CURRENT";
/// The marker file that makes a folder a speechdex index.
pub const MARKER_FILE: &str = "SPEECHDEX_INDEX";
/// The lock file of earlier versions (no longer used; ignored in an otherwise empty folder).
const LEGACY_LOCK_FILE: &str = ".lock";
/// Analysis settings of a generation.
pub const SETTINGS_FILE: &str = "speechdex.json";
/// Identity stamps (size, times, inode) of the files whose speeches a generation holds.
pub const FILES_FILE: &str = "files.json";
/// Version of the on-disk layout and schema; a different one forces a rebuild. 2: the
/// `published` field. 3: kind, region, speaker and session years inferred (what is stored
/// changed); `inferred`, `published`, `venue`, `source` and `url` fast, for the field audit.
/// 4: the `lines` column (hashes of short lines, for boilerplate) and boilerplate left out of
/// `body_words`.
pub const FORMAT_VERSION: u32 = 4;

const GEN_PREFIX: &str = "gen-";
const GEN_DIGITS: usize = 6;
const TMP_SUFFIX: &str = ".tmp";
const MARKER_TEXT: &str = "This folder is a speechdex index.\n\
speechdex writes and deletes only CURRENT, SPEECHDEX_INDEX and gen-NNNNNN folders here.\n\
Rebuild it with `speechdex index CORPUS --index THIS_FOLDER --rebuild`.\n";

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

/// What the index knew of each corpus file when it last read it, and how it read it.
///
/// Written after each successful commit (never before), so it can only be older than the index,
/// never newer: a file whose [`Stamp`] is unchanged (size, modification *and* change time, inode
/// and device) and that is read with the same [`FileManifest::reader`] options is unchanged
/// since its speeches were indexed and need not be read again. Any write to a file, any
/// `touch -d` or restore of an old modification time, and any replacement of the file (an
/// archive unpacked, a sync tool's rename) changes its change time or inode. A missing or
/// unreadable manifest means "read everything".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileManifest {
    /// The options the files were read with (encoding, size limit, ...): other options read
    /// the same bytes into other speeches, so every file is read again when they change.
    #[serde(default)]
    pub reader: String,
    /// `rel → stamp`.
    pub files: std::collections::BTreeMap<String, Stamp>,
}

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the epoch.
    pub mtime: i128,
    /// Status change time (any write, chmod, rename or time change sets it to now), ns.
    pub ctime: i128,
    /// Inode number.
    pub ino: u64,
    /// Device number.
    pub dev: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    #[cfg(unix)]
    pub fn of(meta: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Stamp {
            size: meta.len(),
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
            ctime: ns(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }

    /// The stamp of a file's metadata (no change time or inode here: size and time only).
    #[cfg(not(unix))]
    pub fn of(meta: &fs::Metadata) -> Stamp {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp { size: meta.len(), mtime, ctime: mtime, ino: 0, dev: 0 }
    }
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

    /// Makes sure the root folder is an index folder (creating it, with its marker, when it is
    /// missing or empty) and takes the writer lock, failing at once with [`Error::Locked`] when
    /// another process holds it. A folder that is neither empty nor an index is refused with
    /// [`Error::NotAnIndex`] and left untouched.
    pub fn lock(&self) -> Result<WriterLock> {
        self.check_ours()?;
        self.claim()?;
        let dir = File::open(&self.root).map_err(|e| Error::io("opening", &self.root, e))?;
        match dir.try_lock() {
            Ok(()) => Ok(WriterLock { _file: dir }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Locked { path: self.root.clone() }),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("locking", &self.root, e)),
        }
    }

    /// Checks, without writing anything, that the folder is ours to write: it is missing,
    /// empty, marked as an index, or an index of an earlier version.
    pub fn check_ours(&self) -> Result<()> {
        if self.root.join(MARKER_FILE).is_file() {
            return Ok(());
        }
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => Some(entries),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("reading index folder", &self.root, e)),
        };
        let foreign: Vec<String> = entries
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != LEGACY_LOCK_FILE)
            .collect();
        if !foreign.is_empty() && !self.is_legacy_index() {
            let mut names = foreign;
            names.sort();
            let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
            return Err(Error::NotAnIndex {
                path: self.root.clone(),
                holds: format!(
                    "{}{}",
                    shown.join(", "),
                    if names.len() > 3 {
                        format!(" and {} more", names.len() - 3)
                    } else {
                        String::new()
                    }
                ),
            });
        }
        Ok(())
    }

    /// Creates the folder and its marker (after [`Store::check_ours`]).
    fn claim(&self) -> Result<()> {
        let marker = self.root.join(MARKER_FILE);
        if marker.is_file() {
            return Ok(());
        }
        fs::create_dir_all(&self.root)
            .map_err(|e| Error::io("creating index folder", &self.root, e))?;
        let mut f = File::create(&marker).map_err(|e| Error::io("writing", &marker, e))?;
        f.write_all(MARKER_TEXT.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io("writing", &marker, e))?;
        sync_dir(&self.root);
        Ok(())
    }

    /// An index of an earlier version (no marker): `CURRENT` names a generation that exists
    /// and holds our settings file.
    fn is_legacy_index(&self) -> bool {
        let Ok(name) = fs::read_to_string(self.root.join(CURRENT_FILE)) else { return false };
        let name = name.trim();
        is_generation_name(name) && self.root.join(name).join(SETTINGS_FILE).is_file()
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
                let generation = self.root.join(name);
                if !generation.is_dir() {
                    return Err(Error::IncompatibleIndex {
                        path: self.root.clone(),
                        problem: format!(
                            "has a {CURRENT_FILE} file naming {name}, which is missing"
                        ),
                    });
                }
                Ok(Some(generation))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading", path, e)),
        }
    }

    /// Reads the settings of a generation.
    pub fn read_settings(&self, generation: &Path) -> Result<Settings> {
        let path = generation.join(SETTINGS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| Error::IncompatibleIndex {
            path: self.root.clone(),
            problem: format!("cannot read its settings file {}: {e}", path.display()),
        })?;
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

    /// Removes a full build that will not be made current (it failed a guard). Call with the
    /// lock held.
    pub fn abandon_generation(&self, pending: PendingGeneration) -> Result<()> {
        fs::remove_dir_all(&pending.tmp).map_err(|e| Error::io("removing", &pending.tmp, e))
    }

    /// Creates the folder for a new full build and writes its settings. Call with the lock held.
    pub fn begin_generation(&self, settings: &Settings) -> Result<PendingGeneration> {
        // Past every name of the pattern, ours or not, so that a rename never meets a folder.
        let next = fs::read_dir(&self.root)
            .map_err(|e| Error::io("listing", &self.root, e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| generation_number(n.trim_end_matches(TMP_SUFFIX)))
            .max()
            .unwrap_or(0)
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

    /// The entries that are generations speechdex created: named `gen-NNNNNN` or
    /// `gen-NNNNNN.tmp`, folders, holding our settings file, a tantivy `meta.json` (a damaged
    /// generation) or nothing at all. Anything else, whatever its name, is not ours and never
    /// deleted.
    fn generation_names(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("listing", &self.root, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| is_generation_name(n.strip_suffix(TMP_SUFFIX).unwrap_or(n)))
            .filter(|n| {
                let dir = self.root.join(n);
                dir.join(SETTINGS_FILE).is_file()
                    || dir.join("meta.json").is_file()
                    || fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none())
            })
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
    let digits = name.strip_prefix(GEN_PREFIX)?;
    if digits.len() != GEN_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
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
