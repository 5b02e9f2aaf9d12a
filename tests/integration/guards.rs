//! Nothing lost in a nightly run (issue 13): the guards of `speechdex index`, the index folder
//! that is ours alone, recovery with `--rebuild`, updates that cannot miss an edit, exit statuses
//! for cron, and an index that other accounts (and read-only mounts) can search.
//!
//! Each test compares the index folder before and after a run that must change nothing
//! ([`snapshot`]: every file's path, size and modification time). Tests of permissions run the
//! binary as `nobody` through `setpriv` when the tests run as root (root reads everything).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{
    arg, assert_exit, bin, is_root, json, spawn_paused_rebuild, stderr, stdout,
    wait_for_committed_tmp, write_files,
};

/// Every file under `dir`: relative path → (size, modification time in ns).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, u128)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            }
            let mtime = meta.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.insert(rel, (if meta.is_dir() { 0 } else { meta.len() }, mtime.as_nanos()));
        }
    }
    out
}

/// The binary run as another account: `nobody` through `setpriv` when we are root (root may
/// read and write everything), ourselves otherwise.
fn as_other_user() -> Command {
    if !is_root() {
        return bin();
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_speechdex"))
        .env_remove("SPEECHDEX_INDEX")
        .env_remove("SPEECHDEX_TEST_HOOK")
        .env("NO_COLOR", "1");
    cmd
}

/// A temporary folder that `nobody` may enter and write (when we are root).
fn shared_tempdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    tmp
}

/// Hands `paths` (recursively) to `nobody` when we are root.
fn give_to_other_user(paths: &[&Path]) {
    if !is_root() {
        return;
    }
    for path in paths {
        let o = Command::new("chown").args(["-R", "65534:65534"]).arg(path).output().unwrap();
        assert!(o.status.success(), "chown {}: {}", path.display(), stderr(&o));
    }
}

/// Restores a folder's permissions when dropped, so that the temporary folder can be removed.
struct Restore(PathBuf, u32);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(self.1));
    }
}

fn index_cmd(cmd: &mut Command, roots: &[&Path], index: &Path, extra: &[&str]) -> Output {
    cmd.arg("index").args(roots).arg("--index").arg(index).arg("--json").args(extra);
    cmd.output().expect("the speechdex binary runs")
}

/// `speechdex index ROOTS --index INDEX --json EXTRA...`.
fn index(cwd: &Path, roots: &[&Path], index: &Path, extra: &[&str]) -> Output {
    index_cmd(bin().current_dir(cwd), roots, index, extra)
}

fn index_ok(cwd: &Path, roots: &[&Path], ix: &Path, extra: &[&str]) -> Value {
    let o = index(cwd, roots, ix, extra);
    assert_exit(&o, 0, &format!("index {roots:?} {extra:?}"));
    json(&o)
}

fn count(cmd: &mut Command, index: &Path, query: &str) -> u64 {
    let o = cmd.args(["search", query, "--count", "--json", "--index", arg(index)]).output();
    let o = o.unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "search {query}: {}", stderr(&o));
    json(&o)["total_docs"].as_u64().unwrap()
}

/// Four speeches: two at the top, two in `sub/`.
fn corpus(dir: &Path) -> PathBuf {
    let root = dir.join("corpus");
    write_files(
        &root,
        &[
            ("a.txt", "甲篇讲话\n推进甲篇专属短语建设。\n".as_bytes()),
            ("b.txt", "乙篇讲话\n推进乙篇专属短语建设。\n".as_bytes()),
            ("sub/c.txt", "丙篇讲话\n推进丙篇专属短语建设。\n".as_bytes()),
            ("sub/d.txt", "丁篇讲话\n推进丁篇专属短语建设。\n".as_bytes()),
        ],
    );
    root
}

fn assert_unchanged(index: &Path, before: &BTreeMap<String, (u64, u128)>, what: &str) {
    assert_eq!(&snapshot(index), before, "{what} changed the index folder");
}

// ---------------------------------------------------------------------------------------------
// 1. Guards on every run

#[test]
fn a_missing_empty_or_unreadable_corpus_exits_2_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    let before = snapshot(&ix);

    let empty = cwd.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let others = cwd.join("others");
    write_files(&others, &[("notes.pdf", b"%PDF"), ("README.txt", b"about")]);
    let typo = cwd.join("corpus-typo");
    for (what, root) in
        [("a missing root", &typo), ("an empty root", &empty), ("no readable file", &others)]
    {
        for extra in [&[][..], &["--rebuild"][..], &["--allow-shrink"][..]] {
            let o = index(cwd, &[root], &ix, extra);
            assert_exit(&o, 2, &format!("{what} {extra:?}"));
            assert!(
                stderr(&o).contains(arg(root)) && stderr(&o).contains("not changed"),
                "{what}: the message does not name the root and say nothing changed: {}",
                stderr(&o)
            );
            assert_unchanged(&ix, &before, what);
        }
    }
    // One good and one missing root: still an error (the missing one may hold half the corpus).
    let o = index(cwd, &[&root, &typo], &ix, &[]);
    assert_exit(&o, 2, "a good and a missing root");
    assert_unchanged(&ix, &before, "a good and a missing root");

    // A first run from nothing creates nothing.
    let fresh = cwd.join("fresh-index");
    let o = index(cwd, &[&typo], &fresh, &[]);
    assert_exit(&o, 2, "a first run from a missing root");
    assert!(!fresh.exists(), "a failed first run created {}", fresh.display());

    // `speechdex index` in a folder without ./corpus.
    let bare = cwd.join("bare");
    std::fs::create_dir(&bare).unwrap();
    let o = bin().current_dir(&bare).arg("index").output().unwrap();
    assert_exit(&o, 2, "speechdex index without ./corpus");
    assert!(stderr(&o).contains("./corpus"), "the message does not name ./corpus: {}", stderr(&o));
    assert_eq!(std::fs::read_dir(&bare).unwrap().count(), 0, "something was created in {bare:?}");
}

#[test]
fn removing_more_than_half_needs_allow_shrink() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    let before = snapshot(&ix);

    // Half (2 of 4) is allowed; three of four is not, in an update or a rebuild.
    std::fs::remove_dir_all(root.join("sub")).unwrap();
    std::fs::remove_file(root.join("b.txt")).unwrap();
    for extra in [&[][..], &["--rebuild"][..]] {
        let o = index(cwd, &[&root], &ix, extra);
        assert_exit(&o, 2, &format!("removing 3 of 4 {extra:?}"));
        let err = stderr(&o);
        assert!(
            err.contains("remove 3 of the 4") && err.contains("--allow-shrink"),
            "the message does not name the count and --allow-shrink: {err}"
        );
        assert_unchanged(&ix, &before, "a refused shrink");
    }
    assert_eq!(count(&mut bin(), &ix, "专属短语"), 4);
    let s = index_ok(cwd, &[&root], &ix, &["--allow-shrink"]);
    assert_eq!((s["removed"].as_u64(), s["docs"].as_u64()), (Some(3), Some(1)), "{s}");

    // All of them: a corpus whose only file has no speech.
    std::fs::write(root.join("a.txt"), "").unwrap();
    std::fs::rename(root.join("a.txt"), root.join("e.txt")).unwrap();
    let o = index(cwd, &[&root], &ix, &[]);
    assert_exit(&o, 2, "a run that leaves no speech");
    assert_eq!(count(&mut bin(), &ix, "专属短语"), 1, "the last speech was removed");
    // Under --quiet no warning names the skipped file: the error itself does.
    let o = index(cwd, &[&root], &ix, &["--quiet"]);
    assert_exit(&o, 2, "a quiet run that leaves no speech");
    let err = stderr(&o);
    assert!(err.contains("(1 file or folder skipped: e.txt: "), "the error names the skip: {err}");
}

#[test]
fn an_unreadable_folder_keeps_its_speeches_and_strict_exits_3() {
    let tmp = shared_tempdir();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    give_to_other_user(&[&root]);
    // The index is built by the account that will not be able to read `sub/`.
    let o = index_cmd(&mut as_other_user(), &[&root], &ix, &[]);
    assert_exit(&o, 0, "the first build");
    assert_eq!(json(&o)["docs"], 4);

    let sub = root.join("sub");
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).unwrap();
    let _restore = Restore(sub.clone(), 0o755);
    for extra in [&[][..], &["--rebuild"][..]] {
        let o = index_cmd(&mut as_other_user(), &[&root], &ix, extra);
        assert_exit(&o, 0, &format!("an unreadable folder {extra:?}"));
        let s = json(&o);
        assert_eq!(s["docs"], 4, "{extra:?}: speeches of the unreadable folder were lost: {s}");
        assert_eq!(s["removed"], 0, "{s}");
        assert_eq!(s["kept_unreadable"], 2, "{s}");
        assert!(
            s["skipped"].as_array().unwrap().iter().any(|k| k["path"] == "sub"),
            "the folder is not named: {s}"
        );
        assert_eq!(count(&mut bin(), &ix, "丙篇专属短语"), 1, "{extra:?}: sub/c.txt is gone");
    }
    // --strict: everything else indexed, exit status 3.
    std::fs::write(root.join("a.txt"), "甲篇讲话\n推进甲篇专属短语再建设。\n").unwrap();
    let o = index_cmd(&mut as_other_user(), &[&root], &ix, &["--strict"]);
    assert_exit(&o, 3, "--strict with a skipped folder");
    assert_eq!(json(&o)["updated"], 1);
    assert_eq!(count(&mut bin(), &ix, "甲篇专属短语再建设"), 1, "--strict did not index the rest");

    drop(_restore);
    let o = index_cmd(&mut as_other_user(), &[&root], &ix, &["--strict"]);
    assert_exit(&o, 0, "--strict with nothing skipped");
}

// ---------------------------------------------------------------------------------------------
// 2. The index folder is ours alone

#[test]
fn a_folder_that_is_not_an_index_is_never_written_or_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    // The corpus itself as the index, with a user folder named like a generation.
    write_files(&root, &[("gen-2024/e.txt", "戊篇讲话\n内容。\n".as_bytes())]);
    let notes = cwd.join("notes");
    write_files(&notes, &[("gen-ai/idea.md", b"# idea"), ("gen-000001/keep.txt", b"mine")]);
    for target in [&root, &notes] {
        let before = snapshot(target);
        for extra in [&[][..], &["--rebuild"][..]] {
            let o = index(cwd, &[&root], target, extra);
            assert_exit(&o, 2, &format!("--index {} {extra:?}", target.display()));
            assert!(
                stderr(&o).contains("not a speechdex index"),
                "the refusal does not say why: {}",
                stderr(&o)
            );
            assert_unchanged(target, &before, "a refused --index");
        }
    }

    // Our own index keeps what a user put in it: only our generations are cleaned up.
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    assert!(ix.join("SPEECHDEX_INDEX").is_file(), "a new index has no marker");
    write_files(&ix, &[("gen-ai/x.md", b"x"), ("gen-2024/y.md", b"y"), ("gen-9.tmp/z", b"z")]);
    for _ in 0..3 {
        index_ok(cwd, &[&root], &ix, &["--rebuild"]);
    }
    for kept in ["gen-ai/x.md", "gen-2024/y.md", "gen-9.tmp/z"] {
        assert!(ix.join(kept).is_file(), "{kept} was deleted by the clean-up");
    }
    let ours: Vec<String> = std::fs::read_dir(&ix)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 10 && n.starts_with("gen-0"))
        .collect();
    assert_eq!(ours.len(), 2, "old generations are not cleaned up: {ours:?}");

    // An index of an earlier version (no marker) is recognised and gets one.
    std::fs::remove_file(ix.join("SPEECHDEX_INDEX")).unwrap();
    index_ok(cwd, &[&root], &ix, &[]);
    assert!(ix.join("SPEECHDEX_INDEX").is_file(), "an earlier index did not get the marker");
}

#[test]
fn a_second_indexer_is_refused_even_when_lock_files_are_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    let mut first = spawn_paused_rebuild(cwd, &root, &ix);
    let pending = wait_for_committed_tmp(&ix, &mut first);
    // Whatever lock files a user deletes ...
    for entry in std::fs::read_dir(&ix).unwrap().flatten() {
        if entry.file_name().to_string_lossy().contains("lock") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    // ... a second indexer still refuses, and does not touch the first one's build.
    let o = index(cwd, &[&root], &ix, &["--rebuild"]);
    assert_exit(&o, 2, "a second indexer");
    assert!(stderr(&o).contains("another speechdex process"), "{}", stderr(&o));
    assert!(pending.join("meta.json").is_file(), "the second indexer removed the first's build");
    first.kill();
}

// ---------------------------------------------------------------------------------------------
// 3. --rebuild repairs what the error messages send users to repair with it

#[test]
fn rebuild_recovers_from_a_damaged_current_settings_or_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    type Damage = fn(&Path);
    let current = |ix: &Path| ix.join(std::fs::read_to_string(ix.join("CURRENT")).unwrap().trim());
    let damages: [(&str, Damage); 6] = [
        ("an empty CURRENT", |ix| std::fs::write(ix.join("CURRENT"), "").unwrap()),
        ("a garbage CURRENT", |ix| std::fs::write(ix.join("CURRENT"), "\u{0}garbage\n").unwrap()),
        ("a CURRENT naming a missing generation", |ix| {
            std::fs::write(ix.join("CURRENT"), "gen-000777\n").unwrap()
        }),
        ("a missing CURRENT with generations left", |ix| {
            std::fs::remove_file(ix.join("CURRENT")).unwrap()
        }),
        ("a missing speechdex.json", |ix| {
            let g = ix.join(std::fs::read_to_string(ix.join("CURRENT")).unwrap().trim());
            std::fs::remove_file(g.join("speechdex.json")).unwrap()
        }),
        ("a corrupt speechdex.json", |ix| {
            let g = ix.join(std::fs::read_to_string(ix.join("CURRENT")).unwrap().trim());
            std::fs::write(g.join("speechdex.json"), "{not json").unwrap()
        }),
    ];
    for (what, damage) in damages {
        let ix = cwd.join(format!("idx-{}", what.len()));
        index_ok(cwd, &[&root], &ix, &[]);
        let _ = current(&ix);
        damage(&ix);
        if what != "a missing CURRENT with generations left" {
            let o = index(cwd, &[&root], &ix, &[]);
            assert_exit(&o, 2, &format!("an update over {what}"));
            assert!(stderr(&o).contains("--rebuild"), "{what}: no advice: {}", stderr(&o));
        }
        let s = index_ok(cwd, &[&root], &ix, &["--rebuild"]);
        assert_eq!(s["docs"], 4, "{what}: {s}");
        assert_eq!(count(&mut bin(), &ix, "专属短语"), 4, "{what}: search after the repair");
        // And the repaired index updates as usual.
        let again = index_ok(cwd, &[&root], &ix, &[]);
        assert_eq!(
            (again["mode"].as_str(), again["unchanged"].as_u64()),
            (Some("incremental"), Some(4))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Updates that cannot miss an edit

#[test]
fn edits_that_keep_size_and_time_and_other_encodings_are_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let a = root.join("a.txt");
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    let set_mtime = |path: &Path| {
        std::fs::File::options().write(true).open(path).unwrap().set_modified(an_hour_ago).unwrap()
    };
    for name in ["a.txt", "b.txt", "sub/c.txt", "sub/d.txt"] {
        set_mtime(&root.join(name));
    }
    let gbk = root.join("gbk.txt");
    let text = "庚篇讲话\n推进庚篇专属短语建设，深化改革开放。\n";
    std::fs::write(&gbk, encoding_rs::GB18030.encode(text).0).unwrap();
    set_mtime(&gbk);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    let s = index_ok(cwd, &[&root], &ix, &[]);
    assert_eq!((s["unchanged"].as_u64(), s["bytes"].as_u64()), (Some(5), Some(0)), "{s}");

    // Same size, modification time put back (touch -d, an archive, a sync tool).
    let edited = std::fs::read_to_string(&a).unwrap().replace("建设", "推动");
    assert_eq!(edited.len(), std::fs::metadata(&a).unwrap().len() as usize);
    std::fs::write(&a, &edited).unwrap();
    set_mtime(&a);
    let s = index_ok(cwd, &[&root], &ix, &[]);
    assert_eq!(s["updated"], 1, "an edit keeping size and mtime was missed: {s}");
    assert_eq!(count(&mut bin(), &ix, "甲篇专属短语推动"), 1);

    // Another --encoding reads the files again (the GB18030 file becomes other text or a
    // skip, never "unchanged"); back to detection restores it.
    let o = index(cwd, &[&root], &ix, &["--encoding", "big5"]);
    let s = json(&o);
    assert!(s["bytes"].as_u64().unwrap() > 0, "--encoding big5 read nothing again: {s}");
    let gb_changed = s["updated"].as_u64().unwrap() >= 1
        || s["skipped"].as_array().unwrap().iter().any(|k| k["path"] == "gbk.txt");
    assert!(gb_changed, "the GB18030 file read as Big5 was called unchanged: {s}");
    let s = index_ok(cwd, &[&root], &ix, &[]);
    assert!(s["bytes"].as_u64().unwrap() > 0, "{s}");
    assert_eq!(count(&mut bin(), &ix, "庚篇专属短语"), 1, "detection did not restore the text");
}

// ---------------------------------------------------------------------------------------------
// 6. Read-only use

#[test]
fn another_account_can_search_and_serve_a_read_only_index() {
    let tmp = shared_tempdir();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    // Nobody may write it (for root's own processes, permissions are no obstacle: the other
    // account is `nobody`).
    let o = Command::new("chmod").args(["-R", "a-w,a+rX"]).arg(&ix).output().unwrap();
    assert!(o.status.success());
    let _restore = Restore(ix.clone(), 0o755);
    let before = snapshot(&ix);

    assert_eq!(count(&mut as_other_user(), &ix, "乙篇专属短语"), 1, "search as another account");
    let o = as_other_user().args(["stats", "--json", "--index", arg(&ix)]).output().unwrap();
    assert_exit(&o, 0, "stats as another account");
    assert_eq!(json(&o)["docs"], 4);
    let o = as_other_user().args(["show", "b.txt", "--index", arg(&ix)]).output().unwrap();
    assert_exit(&o, 0, "show as another account");
    assert!(stdout(&o).contains("乙篇专属短语"));

    let mut server = as_other_user()
        .args(["serve", "--addr", "127.0.0.1:0", "--index", arg(&ix)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.trim().trim_start_matches("listening on http://").to_string();
    let body = (|| {
        let mut stream = std::net::TcpStream::connect(&addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let request = format!(
            "GET /api/search?q=%E4%B9%99%E7%AF%87 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut body = String::new();
        stream.read_to_string(&mut body).ok()?;
        Some(body)
    })();
    let _ = server.kill();
    let mut err = String::new();
    let _ = server.stderr.take().unwrap().read_to_string(&mut err);
    let _ = server.wait();
    let body = body.unwrap_or_default();
    assert!(
        body.starts_with("HTTP/1.1 200") && body.contains("b.txt"),
        "serve as another account: {first:?}\n{body}\nstderr:\n{err}"
    );
    assert_unchanged(&ix, &before, "reading as another account");
}

#[test]
fn index_files_are_readable_by_others() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let ix = cwd.join("idx");
    index_ok(cwd, &[&root], &ix, &[]);
    index_ok(cwd, &[&root], &ix, &["--rebuild"]);
    std::fs::write(root.join("a.txt"), "甲篇讲话\n改过了。\n").unwrap();
    index_ok(cwd, &[&root], &ix, &[]);
    // With the usual umask (022), every file is readable by group and others; the test's own
    // umask decides what "usual" means here, as it decides for every other program.
    let probe = cwd.join("probe");
    std::fs::write(&probe, "").unwrap();
    let allowed = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o044;
    for (rel, _) in snapshot(&ix) {
        let mode = std::fs::metadata(ix.join(&rel)).unwrap().permissions().mode();
        assert_eq!(mode & allowed, allowed, "{rel} has mode {mode:o}");
    }
}

// ---------------------------------------------------------------------------------------------
// Smaller

#[test]
fn symbolic_links_not_followed_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let root = corpus(cwd);
    let outside = cwd.join("outside");
    write_files(&outside, &[("x.txt", "外部讲话\n内容。\n".as_bytes())]);
    std::os::unix::fs::symlink(&outside, root.join("linked")).unwrap();
    let ix = cwd.join("idx");
    let s = index_ok(cwd, &[&root], &ix, &[]);
    assert_eq!(s["links_not_followed"], serde_json::json!(["linked"]), "{s}");
    let o =
        bin().current_dir(cwd).args(["index", arg(&root), "--index", arg(&ix)]).output().unwrap();
    assert!(
        stdout(&o).contains("linked"),
        "the human summary does not name the link: {}",
        stdout(&o)
    );
    let s = index_ok(cwd, &[&root], &ix, &["--follow"]);
    assert_eq!(
        (s["added"].as_u64(), s["links_not_followed"].as_array().map(Vec::len)),
        (Some(1), Some(0))
    );
}
