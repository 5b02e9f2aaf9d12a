//! JSON Lines and JSON files through `speechdex::corpus::read_bytes`: every line is a speech, a
//! skip or blank; ids name their line (JSONL) or element (JSON); never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let rel = if selector % 2 == 0 { "gwr/reports.jsonl" } else { "gwr/reports.json" };
    let read = common::read_and_check(rel, bytes);
    if rel.ends_with(".jsonl") {
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        let mut seen = std::collections::HashSet::new();
        for speech in &read.speeches {
            let line = speech.line.expect("a JSONL speech has a line");
            assert!((1..=lines).contains(&line));
            assert_eq!(speech.id, format!("{rel}:{line}"));
            assert!(seen.insert(line));
        }
        for skip in &read.skipped {
            if let Some(line) = skip.line {
                assert!((1..=lines).contains(&line), "skip line {line} of {lines}");
                assert!(seen.insert(line), "line {line} both read and skipped");
            }
        }
    }
});
