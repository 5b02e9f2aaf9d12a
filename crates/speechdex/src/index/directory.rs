//! The directory the **indexer** works in: tantivy's memory-mapped directory, except that files
//! are read with `pread` into short-lived buffers instead of being mapped.
//!
//! Segment merges read every byte of the segments they merge. Through memory maps, each page read
//! stays in the process's resident set until the mapping goes away, so a merge of a few hundred
//! MB of segments shows as a few hundred MB of resident memory (file-backed, but counted in RSS
//! and `VmHWM`). With `pread`, what a merge reads lives in the page cache (not in the process)
//! and in buffers that tantivy drops as soon as a term, a column or a doc-store segment is
//! written. Searches keep using memory maps ([`super::SpeechIndex::open`]): they read little
//! and often, through [`SearchDirectory`].
//!
//! Both make an index usable by other accounts and on read-only mounts: the indexer writes
//! tantivy's `meta.json` and `.managed.json` with the ordinary permissions (tantivy's own atomic
//! write makes them private to the indexing account, mode 600), and readers do without
//! tantivy's meta lock where they may not create or open it for writing.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::HasLen;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// A [`MmapDirectory`] whose files are read with `pread` instead of being mapped.
#[derive(Debug, Clone)]
pub struct PreadDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl PreadDirectory {
    /// Opens the directory at `root`.
    pub fn open(root: &Path) -> Result<PreadDirectory, OpenDirectoryError> {
        Ok(PreadDirectory { root: root.to_path_buf(), inner: MmapDirectory::open(root)? })
    }
}

/// Reads shorter than this are served from a window of [`WINDOW`] bytes read ahead.
const SMALL_READ: usize = 4 << 10;
/// The read-ahead window of a file's small reads.
const WINDOW: usize = 64 << 10;

/// One file, read with `pread`.
///
/// A merge reads each term's postings and positions as its own range, in file order: most are a
/// few bytes. One `pread` each made the kernel's read path (and zero-filled buffers) a third of
/// a merge. Small reads are copied out of a window read ahead instead; the copy is exact, so
/// what tantivy keeps never pins the window, and the window itself is one per file, dropped with
/// the file.
#[derive(Debug)]
struct PreadFile {
    file: File,
    len: usize,
    window: Mutex<Window>,
}

/// The bytes at `start..start + bytes.len()` of a file.
#[derive(Debug, Default)]
struct Window {
    start: usize,
    bytes: Vec<u8>,
}

impl PreadFile {
    fn read_exact(&self, range: Range<usize>) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; range.len()];
        self.file.read_exact_at(&mut buf, range.start as u64)?;
        Ok(buf)
    }
}

impl HasLen for PreadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for PreadFile {
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        if range.len() >= SMALL_READ || range.end > self.len {
            return Ok(OwnedBytes::new(self.read_exact(range)?));
        }
        let mut window = self.window.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let covered = range.start >= window.start && range.end <= window.start + window.bytes.len();
        if !covered {
            let end = (range.start + WINDOW).min(self.len);
            window.bytes = self.read_exact(range.start..end)?;
            window.start = range.start;
        }
        let at = range.start - window.start;
        Ok(OwnedBytes::new(window.bytes[at..at + range.len()].to_vec()))
    }
}

impl Directory for PreadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })?;
        let len =
            file.metadata().map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?.len()
                as usize;
        Ok(Arc::new(PreadFile { file, len, window: Mutex::default() }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        atomic_write(&self.root.join(path), data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// Writes `data` to `path` through a temporary file in the same folder and a rename, with the
/// permissions any new file gets (`0666` less the umask), so that other accounts can read it.
fn atomic_write(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(data)?;
        f.sync_data()
    });
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// The directory searches open: tantivy's memory-mapped directory, except that tantivy's meta
/// lock is skipped where this process may not take it (another account's index, a read-only
/// mount). The lock only keeps an indexer's clean-up from deleting segment files while a reader
/// opens them; a process that cannot write the folder can still read a complete index, and the
/// generations it opens are never deleted under it (see [`super::store`]).
#[derive(Debug, Clone)]
pub struct SearchDirectory {
    inner: MmapDirectory,
}

impl SearchDirectory {
    /// Opens the directory at `root`.
    pub fn open(root: &Path) -> Result<SearchDirectory, OpenDirectoryError> {
        Ok(SearchDirectory { inner: MmapDirectory::open(root)? })
    }
}

/// A lock that holds nothing.
struct NoLock;

impl Directory for SearchDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                Ok(DirectoryLock::from(Box::new(NoLock)))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn atomic_writes_are_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let d = PreadDirectory::open(dir.path()).unwrap();
        d.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        d.atomic_write(Path::new("meta.json"), b"{\"a\":1}").unwrap();
        let path = dir.path().join("meta.json");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044 & !umask(), "mode {mode:o}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[cfg(unix)]
    fn umask() -> u32 {
        // The umask of new files, read back from a file created with 0o666.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("probe");
        File::create(&p).unwrap();
        0o666 & !std::fs::metadata(&p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn reads_ranges_and_reports_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), b"0123456789").unwrap();
        let d = PreadDirectory::open(dir.path()).unwrap();
        let slice = d.open_read(Path::new("a.bin")).unwrap();
        assert_eq!(slice.len(), 10);
        assert_eq!(slice.slice(2..5).read_bytes().unwrap().as_slice(), b"234");
        assert!(matches!(
            d.open_read(Path::new("missing")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    #[test]
    fn small_reads_from_the_window_equal_the_file() {
        // Three windows and a bit: small reads forwards, backwards, across a window's end and
        // at the end of the file; big reads directly; a read past the end fails.
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3 * WINDOW + 1234).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(dir.path().join("f"), &data).unwrap();
        let file =
            PreadDirectory::open(dir.path()).unwrap().get_file_handle(Path::new("f")).unwrap();
        let n = data.len();
        let ranges = [
            0..10,
            5..SMALL_READ - 1,
            WINDOW - 5..WINDOW + 5,
            100..200,
            WINDOW + 7..WINDOW + 8,
            2 * WINDOW..2 * WINDOW + SMALL_READ,
            n - 3..n,
            n..n,
            1..1 + 3 * SMALL_READ,
            0..n,
        ];
        for range in ranges {
            let got = file.read_bytes(range.clone()).unwrap();
            assert_eq!(got.as_slice(), &data[range.clone()], "{range:?}");
        }
        assert!(file.read_bytes(n - 2..n + 1).is_err());
    }
}
