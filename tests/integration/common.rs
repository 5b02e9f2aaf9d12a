//! Shared fixtures: the binary, temporary corpora, the shared corpus.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `speechdex` binary built for these tests.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_speechdex"));
    cmd.env_remove("SPEECHDEX_INDEX").env_remove("SPEECHDEX_TEST_HOOK").env("NO_COLOR", "1");
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
