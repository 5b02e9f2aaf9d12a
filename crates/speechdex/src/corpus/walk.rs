//! Finding the files of a corpus: walking the roots deterministically.
//!
//! This module owns [`discover`]: which files are candidates (supported extensions,
//! case-insensitive), which are pruned (hidden names, excluded folders such as the index,
//! symbolic links unless followed: those are listed in [`Discovery::links`]), and how a file is named relative to its root (`/`-separated,
//! lossy for names that are not UTF-8; the path to open stays exact). Walking errors (permission
//! denied, symlink loops, missing roots) become [`Skip`]s.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use super::format::Format;
use super::{Discovery, ReadOptions, Skip, SourceFile};

/// Walks each root and lists the files speechdex can read.
///
/// Each root is walked recursively with entries sorted by file name, so the result is the same
/// every time. A root that is a file is itself a candidate (named by its file name). Hidden files
/// and folders (name starting with `.`) and the folders in `opts.exclude` are skipped; symbolic
/// links are followed only with `opts.follow_links`. Files with other extensions, and `README.*`
/// files inside a folder (they describe the corpus), are counted in [`Discovery::ignored`]. A file reached twice (through two roots) is listed once.
pub fn discover(roots: &[PathBuf], opts: &ReadOptions) -> Discovery {
    let mut found = Discovery::default();
    let exclude: Vec<PathBuf> =
        opts.exclude.iter().map(|p| p.canonicalize().unwrap_or_else(|_| p.clone())).collect();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let dedupe = roots.len() > 1;
    for root in roots {
        walk_root(root, opts, &exclude, &mut found, dedupe.then_some(&mut seen));
    }
    found
}

fn walk_root(
    root: &Path,
    opts: &ReadOptions,
    exclude: &[PathBuf],
    found: &mut Discovery,
    mut seen: Option<&mut HashSet<PathBuf>>,
) {
    let root_name = root.to_string_lossy().into_owned();
    if let Err(err) = std::fs::metadata(root) {
        found.skipped.push(Skip {
            path: root_name,
            line: None,
            reason: format!("cannot read corpus root: {err}"),
        });
        return;
    }
    let walker = WalkDir::new(root).follow_links(opts.follow_links).sort_by_file_name();
    let entries = walker.into_iter().filter_entry(|e| keep_entry(e, exclude));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                found.skipped.push(walk_error(root, &root_name, &err));
                continue;
            }
        };
        if entry.depth() > 0 && entry.path_is_symlink() && !opts.follow_links {
            found.links.push(relative_name(root, entry.path()));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if Format::from_path(entry.path()).is_none()
            || (entry.depth() > 0 && is_readme(&entry))
            || is_meta_file(entry.path(), opts)
        {
            found.ignored += 1;
            continue;
        }
        if let Some(seen) = seen.as_deref_mut() {
            let key = entry.path().canonicalize().unwrap_or_else(|_| entry.path().to_path_buf());
            if !seen.insert(key) {
                continue;
            }
        }
        let rel = if entry.depth() == 0 {
            entry.file_name().to_string_lossy().into_owned()
        } else {
            relative_name(root, entry.path())
        };
        found.files.push(SourceFile { abs: entry.path().to_path_buf(), rel });
    }
}

/// `README.*` files inside a corpus folder describe it; they are not speeches.
fn is_readme(entry: &DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    let stem = name.split('.').next().unwrap_or("");
    stem.eq_ignore_ascii_case("readme")
}

/// False for entries to prune: hidden names below the root, and excluded folders.
fn keep_entry(entry: &DirEntry, exclude: &[PathBuf]) -> bool {
    if entry.depth() > 0 && entry.file_name().as_encoded_bytes().first() == Some(&b'.') {
        return false;
    }
    if exclude.is_empty() || !entry.file_type().is_dir() {
        return true;
    }
    match entry.path().canonicalize() {
        Ok(canonical) => !exclude.contains(&canonical),
        Err(_) => !exclude.iter().any(|e| e == entry.path()),
    }
}

/// True for a metadata file (`--meta`, `meta = "…"`): its rows are overrides, not speeches.
fn is_meta_file(path: &Path, opts: &ReadOptions) -> bool {
    let Some(meta) = opts.fields.meta() else { return false };
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    meta.files().contains(&canonical)
}

/// `path` relative to `root`, `/`-separated, lossy for names that are not UTF-8.
fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

fn walk_error(root: &Path, root_name: &str, err: &walkdir::Error) -> Skip {
    let path = match err.path() {
        Some(p) if p != root => relative_name(root, p),
        _ => root_name.to_owned(),
    };
    let reason = if let Some(ancestor) = err.loop_ancestor() {
        format!("symbolic link loop (points back to {})", ancestor.display())
    } else if let Some(io) = err.io_error() {
        format!("cannot read: {io}")
    } else {
        err.to_string()
    };
    Skip { path, line: None, reason }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    fn rels(found: &Discovery) -> Vec<&str> {
        found.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn order_hidden_exclude_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "b/2.txt",
            "b/10.TXT",
            "a.md",
            "c.jsonl",
            "d.NDJSON",
            "e.json",
            "f.csv",
            "g.tsv",
            "h.markdown",
            "z/deep/x.txt",
            ".hidden.txt",
            ".git/config.txt",
            "index/meta.json",
            "notes.pdf",
            "README",
            "b/.secret/x.txt",
        ] {
            write(root, rel, "text");
        }
        let opts = ReadOptions { exclude: vec![root.join("index")], ..ReadOptions::default() };
        let found = discover(&[root.to_path_buf()], &opts);
        assert_eq!(
            rels(&found),
            [
                "a.md",
                "b/10.TXT",
                "b/2.txt",
                "c.jsonl",
                "d.NDJSON",
                "e.json",
                "f.csv",
                "g.tsv",
                "h.markdown",
                "z/deep/x.txt"
            ]
        );
        assert_eq!(found.ignored, 2);
        assert!(found.skipped.is_empty());
        assert_eq!(found.files[0].abs, root.join("a.md"));

        // Deterministic.
        assert_eq!(rels(&discover(&[root.to_path_buf()], &opts)), rels(&found));

        // Exclude given through another spelling of the same folder.
        let opts = ReadOptions { exclude: vec![root.join("z/../index")], ..ReadOptions::default() };
        assert!(!rels(&discover(&[root.to_path_buf()], &opts)).contains(&"index/meta.json"));
        assert!(
            rels(&discover(&[root.to_path_buf()], &ReadOptions::default()))
                .contains(&"index/meta.json")
        );
    }

    #[test]
    fn file_root_missing_root_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sub/one.txt", "x");
        let file = dir.path().join("sub/one.txt");
        let missing = dir.path().join("nope");
        let found =
            discover(&[file.clone(), missing, dir.path().to_path_buf()], &ReadOptions::default());
        assert_eq!(rels(&found), ["one.txt"]);
        assert_eq!(found.files[0].abs, file);
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].path.ends_with("nope"));
        assert!(found.skipped[0].reason.starts_with("cannot read corpus root"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        write(&root, "real/a.txt", "x");
        write(dir.path(), "outside/b.txt", "x");
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("linked")).unwrap();
        std::os::unix::fs::symlink(root.join("real/a.txt"), root.join("c.txt")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("real/loop")).unwrap();

        let found = discover(std::slice::from_ref(&root), &ReadOptions::default());
        assert_eq!(rels(&found), ["real/a.txt"]);
        assert!(found.skipped.is_empty());
        assert_eq!(found.links, ["c.txt", "linked", "real/loop"], "links are named, not dropped");

        let opts = ReadOptions { follow_links: true, ..ReadOptions::default() };
        let found = discover(std::slice::from_ref(&root), &opts);
        assert_eq!(rels(&found), ["c.txt", "linked/b.txt", "real/a.txt"]);
        assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
        assert_eq!(found.skipped[0].path, "real/loop");
        assert!(found.skipped[0].reason.contains("loop"), "{}", found.skipped[0].reason);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn non_utf8_names() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        let path = dir.path().join(name);
        if fs::write(&path, "x").is_err() {
            return; // the file system refuses such names
        }
        let found = discover(&[dir.path().to_path_buf()], &ReadOptions::default());
        assert_eq!(rels(&found), ["caf\u{fffd}.txt"]);
        assert_eq!(found.files[0].abs, path);
    }
}
