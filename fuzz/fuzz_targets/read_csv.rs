//! CSV and TSV files through `speechdex::corpus::read_bytes`: rows are speeches or skips with
//! their line; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let rel = if selector % 2 == 0 { "provincial/2026_x.csv" } else { "provincial/x.tsv" };
    let read = common::read_and_check(rel, bytes);
    let lines = bytes.split(|&b| b == b'\n' || b == b'\r').count() as u64;
    for speech in &read.speeches {
        let line = speech.line.expect("a CSV speech has a line");
        assert!((2..=lines).contains(&line), "speech at line {line} of {lines}");
    }
});
