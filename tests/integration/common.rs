//! Shared fixtures: the binary, temporary corpora, the shared corpus.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `speechdex` binary built for these tests.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_speechdex"));
    cmd.env_remove("SPEECHDEX_INDEX")
        .env_remove("SPEECHDEX_TEST_HOOK")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs the binary with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("the speechdex binary runs")
}

/// Stdout as UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses stdout as JSON, with a helpful panic.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", stdout(o), stderr(o))
    })
}

/// The shared corpus beside the project (`../shared/corpus`). `None` when it is missing and we
/// are not on CI; on CI (`CI=true`) a missing corpus fails the test.
pub fn shared_corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if path.is_dir() {
        return Some(path.canonicalize().expect("canonical path"));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the shared corpus is missing at {}",
        path.display()
    );
    eprintln!("skipping: {} is missing", path.display());
    None
}

/// Writes `files` (relative path, bytes) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Indexes `corpus` into `index` (`speechdex index CORPUS --index INDEX --quiet`), asserting
/// success.
pub fn index_corpus(corpus: &Path, index: &Path) {
    let o = bin()
        .arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("--quiet")
        .output()
        .expect("the speechdex binary runs");
    assert!(o.status.success(), "indexing {} failed:\n{}", corpus.display(), stderr(&o));
}

/// A path as a command-line argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// At most the first 3,000 characters of `text`, for messages.
pub fn short(text: &str) -> String {
    match text.char_indices().nth(3_000) {
        Some((i, _)) => format!("{}… ({} bytes in all)", &text[..i], text.len()),
        None => text.to_owned(),
    }
}

/// Asserts that a command exited with `code`, showing (the start of) its output otherwise.
pub fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: expected exit status {code}, got {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        short(&stdout(o)),
        short(&stderr(o))
    );
}

/// Whether the tests run as root (who may read and write everything: permission tests then
/// run the binary as another account).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

// Paused rebuilds (`SPEECHDEX_TEST_HOOK=pause-before-swap`), for crash-safety tests.

/// A child process killed (SIGKILL) and reaped when dropped, so that a failing test leaves no
/// paused indexer behind.
pub struct Killed(pub Child);

impl Killed {
    /// Kills and reaps the process.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `speechdex index ROOT --rebuild --allow-shrink --index INDEX` paused just before the
/// swap (it replaces every speech, which the shrink guard would otherwise refuse).
pub fn spawn_paused_rebuild(cwd: &Path, root: &Path, index: &Path) -> Killed {
    let child = bin()
        .current_dir(cwd)
        .env("SPEECHDEX_TEST_HOOK", "pause-before-swap")
        .args(["index", arg(root), "--rebuild", "--allow-shrink", "--index", arg(index), "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the speechdex binary starts");
    Killed(child)
}

/// The `gen-*.tmp` folders of an index.
pub fn tmp_generations(index: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(index) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("gen-") && n.ends_with(".tmp"))
        })
        .collect()
}

/// Waits (up to 30 s) until a `gen-*.tmp` folder holds a committed tantivy index (its
/// `meta.json` has the build's payload), i.e. the paused build is just before its swap.
pub fn wait_for_committed_tmp(index: &Path, child: &mut Killed) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for tmp in tmp_generations(index) {
            let meta = std::fs::read(tmp.join("meta.json")).ok();
            let meta: Option<Value> = meta.and_then(|m| serde_json::from_slice(&m).ok());
            if meta.is_some_and(|m| m["payload"].is_string()) {
                return tmp;
            }
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("the paused rebuild exited early with {status}");
        }
        assert!(
            Instant::now() < deadline,
            "no committed gen-*.tmp folder appeared in {} within 30 s",
            index.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

// Golden files and the sample corpus.

/// The sample corpus shipped in the repository (`corpus/`).
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The sample corpus indexed once per test run (shared by the tests that only read it).
pub fn sample_index() -> &'static Path {
    static SAMPLE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let dir = tempfile::TempDir::new().expect("a temporary folder");
            index_corpus(&sample_corpus(), dir.path());
            dir
        })
        .path()
}

/// Compares `actual` with `tests/integration/golden/NAME`; `UPDATE_GOLDEN=1` rewrites the file
/// instead (after a deliberate change: review the diff).
pub fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display())
    });
    assert!(
        expected == actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it after a deliberate change)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}
