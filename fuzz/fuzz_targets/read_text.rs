//! Text and Markdown files (front matter in YAML or TOML, metadata inference) through
//! `speechdex::corpus::read_bytes`: one speech or one skip, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let rel = match selector % 3 {
        0 => "dir/2024-speech.txt",
        1 => "dir/讲话.md",
        _ => "dir/x.markdown",
    };
    let read = common::read_and_check(rel, bytes);
    assert!(read.speeches.len() + read.skipped.len() == 1, "{rel}: one speech or one skip");
    if let Some(speech) = read.speeches.first() {
        assert_eq!(speech.id, rel);
        // The body is a suffix of the decoded text (front matter removed, nothing changed).
        if let Ok(text) = std::str::from_utf8(bytes)
            && !bytes.contains(&0)
        {
            assert!(text.ends_with(&speech.body), "the body is not the end of the text");
        }
    }
});
