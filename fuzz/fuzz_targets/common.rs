//! Checks shared by the corpus targets: what every read of a file must satisfy.

use speechdex::corpus::{FileRead, ReadOptions, read_bytes};

/// Reads `bytes` as the file `rel` and checks the promises of `read_file`: at least one speech
/// or one skip, every skip with a reason, ids unique and derived from the path, the same result
/// every time.
pub fn read_and_check(rel: &str, bytes: &[u8]) -> FileRead {
    let opts = ReadOptions::default();
    let read = read_bytes(rel, bytes, &opts);
    assert!(
        !read.speeches.is_empty() || !read.skipped.is_empty(),
        "{rel}: neither a speech nor a skip"
    );
    for skip in &read.skipped {
        assert_eq!(skip.path, rel);
        assert!(!skip.reason.trim().is_empty(), "{rel}: a skip without a reason");
    }
    let mut ids = std::collections::HashSet::new();
    for speech in &read.speeches {
        assert_eq!(speech.path, rel);
        assert!(speech.id == rel || speech.id.starts_with(&format!("{rel}:")), "{}", speech.id);
        assert!(ids.insert(speech.id.clone()), "{rel}: duplicate id {}", speech.id);
        assert!(!speech.body.trim().is_empty(), "{rel}: a speech without text");
    }
    let again = read_bytes(rel, bytes, &opts);
    assert_eq!(again.speeches, read.speeches, "{rel}: not deterministic");
    assert_eq!(again.skipped, read.skipped, "{rel}: not deterministic");
    read
}
