//! Template for a new input format: copy this file, fill in `read`, and wire it up.
//!
//! This module owns nothing at run time: it is not wired to any extension. It is compiled and
//! tested so that it stays in step with the code it shows. To add a format `xyz`:
//!
//! 1. Copy this file to `format/xyz.rs` and declare it in `format/mod.rs`
//!    (`pub(crate) mod xyz;`).
//! 2. Add a variant to `Format`, map the extension in `Format::from_path`, call
//!    `xyz::read` from `Format::read`, and add the extension to `SUPPORTED_EXTENSIONS`.
//! 3. In `read`, turn the decoded text into records. For each record:
//!    - collect its fields into a [`Fields`] with [`Fields::set_named`] and the file's mapping
//!      `ctx.fields` (the names and aliases of [`fields`](crate::corpus::fields), the user's
//!      `--map` first; unknown keys ignored), or [`Fields::set`];
//!    - take the text with [`Fields::take_text`]; when there is none, hand the record to
//!      [`Records::no_text`] with its keys (and call [`Records::finish_no_text`] at the end of
//!      the file, so that a file without any text key is reported once, not once per record);
//!    - build the speech with [`metadata::build_speech`], which infers the title, date and year.
//!      The id is the relative path for a one-speech file, or [`FileContext::record_id`] with a
//!      1-based record number for a multi-record file.
//! 4. Never panic and never print: a problem with the whole file is one skip (line `None`), a
//!    problem with one record is a skip with its line, and the other records are still read.
//! 5. Keep the order of speeches the order of the file, so that reading is deterministic.
//! 6. Add table-driven tests beside the code (good input, a bad record, a record without text)
//!    and a proptest that random input never panics.
//!
//! The example below reads a made-up format of records separated by lines of `%%`, each record
//! a few `key: value` lines, a blank line, and the text.

use super::{FileContext, NoText, Records};
use crate::corpus::metadata::{self, FieldValue, Fields, Origin};

/// Reads one file of the example format (records separated by `%%` lines).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn read(ctx: &FileContext<'_>, text: &str, out: &mut Records<'_>) {
    let mut record_start = 1u64; // physical line where the current record starts
    let mut line_no = 0u64;
    let mut record = String::new();
    let mut n = 0u64;
    for line in text.split_inclusive('\n') {
        line_no += 1;
        if line.trim_end() == "%%" {
            n += 1;
            read_record(ctx, n, record_start, &record, out);
            record.clear();
            record_start = line_no + 1;
        } else {
            record.push_str(line);
        }
    }
    if !record.trim().is_empty() {
        n += 1;
        read_record(ctx, n, record_start, &record, out);
    }
    out.finish_no_text(ctx);
}

/// One record: `key: value` lines, a blank line, then the text.
fn read_record(ctx: &FileContext<'_>, n: u64, line: u64, record: &str, out: &mut Records<'_>) {
    let (head, text) = record.split_once("\n\n").unwrap_or(("", record));
    let mut fields = Fields::default();
    for pair in head.lines() {
        if let Some((key, value)) = pair.split_once(':') {
            fields.set_named(ctx.fields, key, FieldValue::Str(value.to_owned()));
        }
    }
    fields.set_named(ctx.fields, "text", FieldValue::Str(text.to_owned()));
    match fields.take_text() {
        Some(body) => {
            let origin = Origin { id: ctx.record_id(n), path: ctx.rel, line: Some(line) };
            out.speech(metadata::build_speech(origin, fields, body));
        }
        None => out.no_text(ctx, Some(line), "", NoText::Blank),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_format() {
        let text = "title: 一\nyear: 2020\n\n正文一\n%%\ntitle: 二\n\n \n%%\n2021年讲话\n";
        let out =
            Records::collect(u64::MAX, |records| read(&FileContext::clean("x.xyz"), text, records));
        let got: Vec<_> = out
            .speeches
            .iter()
            .map(|s| (s.id.as_str(), s.line, s.title.as_str(), s.year))
            .collect();
        assert_eq!(
            got,
            [
                ("x.xyz:1", Some(1), "一", Some(2020)),
                ("x.xyz:3", Some(10), "2021年讲话", Some(2021))
            ]
        );
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].line, Some(6));
    }
}
