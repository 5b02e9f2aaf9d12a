//! JSON Lines (`.jsonl`, `.ndjson`): one speech object a line.
//!
//! This module owns the line loop: blank lines are ignored, a malformed line (bad JSON, or bytes
//! that do not decode in the file's encoding) is skipped with its line number and the rest is
//! read. Ids are `rel:LINE` (1-based physical line); the object
//! mapping is [`json::speech_from_object`](super::json::speech_from_object).

use std::io::BufRead;

use serde_json::Value;

use super::json::{speech_from_object, type_name};
use super::{FileContext, Records};
use crate::corpus::metadata::Origin;

/// Reads a JSON Lines file.
pub(crate) fn read(ctx: &FileContext<'_>, text: &str, out: &mut Records<'_>) {
    let mut start = 0usize;
    for (n, line) in (1u64..).zip(text.split('\n')) {
        let end = start + line.len();
        let damage = ctx.damage_in(start, end);
        start = end + 1;
        if let Some(reason) = damage {
            ctx.skip(out, Some(n), reason);
            continue;
        }
        read_line(ctx, n, line, out);
    }
    out.finish_no_text(ctx);
}

/// Reads a JSON Lines file of plain UTF-8 from `reader` one line at a time, as [`read`] reads
/// its whole text: the same speeches, skips and line numbers, with one line in memory instead of
/// the file. A line longer than `max_line` bytes is skipped without being held. Returns whether
/// any line was not blank, or the error that stopped the reading (what was read is kept).
pub(crate) fn read_stream(
    ctx: &FileContext<'_>,
    reader: &mut impl BufRead,
    max_line: usize,
    out: &mut Records<'_>,
) -> std::io::Result<bool> {
    let mut buf = Vec::new();
    let mut any_text = false;
    for n in 1u64.. {
        let Some(len) = read_line_bounded(reader, &mut buf, max_line)? else { break };
        if len > buf.len() {
            let reason = format!(
                "line of {:.1} MiB is longer than {:.1} MiB, twice the limit of one speech: \
                 raise the limit with `speechdex index --max-speech-mb`",
                len as f64 / f64::from(1 << 20),
                max_line as f64 / f64::from(1 << 20)
            );
            ctx.skip(out, Some(n), reason);
            any_text = true;
            continue;
        }
        match std::str::from_utf8(&buf) {
            Ok(line) => {
                any_text |= !line.trim().is_empty();
                read_line(ctx, n, line, out);
            }
            // Checked before, so the file changed while it was read.
            Err(_) => {
                ctx.skip(out, Some(n), "malformed UTF-8 (the file changed while it was read?)")
            }
        }
    }
    out.finish_no_text(ctx);
    Ok(any_text)
}

/// Reads the next line (without its `\n`) into `buf`, keeping at most `max` bytes of it:
/// `None` at the end of the input, else the line's full length (more than `buf.len()` when it
/// was cut).
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<usize>> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(len));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        let room = max.saturating_sub(buf.len()).min(take);
        buf.extend_from_slice(&available[..room]);
        len += take;
        reader.consume(take + usize::from(done));
        if done {
            return Ok(Some(len));
        }
    }
}

/// Reads line `n` (1-based, without its `\n`) of a JSON Lines file.
fn read_line(ctx: &FileContext<'_>, n: u64, line: &str, out: &mut Records<'_>) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() {
        return;
    }
    let reason = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => {
            let origin = Origin { id: ctx.record_id(n), path: ctx.rel, line: Some(n) };
            match speech_from_object(&object, origin, ctx.fields) {
                Ok(speech) => out.speech(speech),
                Err(why) => out.no_text(ctx, Some(n), "", why),
            }
            return;
        }
        Ok(other) => format!("expected a JSON object, found {}", type_name(&other)),
        Err(err) => format!("invalid JSON at column {}: {}", err.column(), strip_position(&err)),
    };
    ctx.skip(out, Some(n), reason);
}

/// serde_json's message without its " at line 1 column C" suffix (the line is the file's).
fn strip_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use crate::corpus::FileRead;
    use crate::corpus::format::test_support::{read_str, read_str_mapped};
    use crate::corpus::format::{FileContext, Records};

    #[test]
    fn lines() {
        let input = concat!(
            "{\"title\":\"一\",\"content\":\"正文\",\"year\":2024}\n",
            "\n",
            "{\"title\":\"坏\",\"content\":\n",
            "{\"title\":\"无正文\",\"year\":2020}\r\n",
            "   \r\n",
            "{\"title\":\"字符串年份\",\"text\":\"正文\",\"year\":\"2019\"}\n",
            "{\"title\":\"第十四届全国人民代表大会第一次会议关于政府工作报告的决议\",\"content\":\"x\",\"year\":null}\n",
            "[1,2]\n",
            "{\"title\":\"空白\",\"content\":\" \\n \"}",
        );
        let read = read_str("gwr/g.jsonl", input);
        let got: Vec<_> = read.speeches.iter().map(|s| (s.id.as_str(), s.line, s.year)).collect();
        assert_eq!(
            got,
            [
                ("gwr/g.jsonl:1", Some(1), Some(2024)),
                ("gwr/g.jsonl:6", Some(6), Some(2019)),
                ("gwr/g.jsonl:7", Some(7), Some(2023)),
            ]
        );
        assert_eq!(read.speeches[2].inferred, ["year", "kind", "region"]);
        let skips: Vec<_> = read.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
        assert_eq!(skips.len(), 4, "{skips:?}");
        assert_eq!(skips[0].0, Some(3));
        assert!(skips[0].1.starts_with("invalid JSON at column"), "{}", skips[0].1);
        assert!(!skips[0].1.contains("line 1"), "{}", skips[0].1);
        assert_eq!(skips[1].0, Some(4));
        assert!(
            skips[1].1.starts_with("no text (keys: title, year); name the text key with --map"),
            "{}",
            skips[1].1
        );
        assert_eq!(skips[2], (Some(8), "expected a JSON object, found an array"));
        assert_eq!(skips[3].0, Some(9));
    }

    /// `text` read a line at a time through a reader of `capacity` bytes (`max_line` bytes a
    /// line at most), as `read_str` reads it whole.
    fn read_streamed(rel: &str, text: &str, capacity: usize, max_line: usize) -> FileRead {
        Records::collect(u64::MAX, |out| {
            let mut reader = std::io::BufReader::with_capacity(capacity, text.as_bytes());
            super::read_stream(&FileContext::clean(rel), &mut reader, max_line, out).unwrap();
        })
    }

    /// Speeches `(id, line, body)` and skips `(line, reason)`.
    type Summary = (Vec<(String, Option<u64>, String)>, Vec<(Option<u64>, String)>);

    fn summary(read: &FileRead) -> Summary {
        let speeches =
            read.speeches.iter().map(|s| (s.id.clone(), s.line, s.body.clone())).collect();
        let skips = read.skipped.iter().map(|s| (s.line, s.reason.clone())).collect();
        (speeches, skips)
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_the_next_read() {
        let text = "{\"text\":\"一\"}\n{\"text\":\"太长太长太长\"}\r\n{\"text\":\"三\"}";
        let read = read_streamed("a.jsonl", text, 4, 16);
        let (speeches, skips) = summary(&read);
        let lines: Vec<_> = speeches.iter().map(|s| (s.1, s.2.as_str())).collect();
        assert_eq!(lines, [(Some(1), "一"), (Some(3), "三")]);
        assert_eq!(skips.len(), 1, "{skips:?}");
        assert_eq!(skips[0].0, Some(2));
        assert!(skips[0].1.contains("--max-speech-mb"), "{}", skips[0].1);
    }

    /// The keys of a real corpus: read by their Chinese names; a file whose text key is of its
    /// own is one skip naming the keys and the likely text key, read with the mapping.
    #[test]
    fn chinese_keys_and_mapped_text() {
        let line = r#"{"题目":"讲话","发布时间":"2024年3月5日","内容":"正文","文种":"讲话","省份":"浙江"}"#;
        let s = &read_str("c.jsonl", line).speeches[0];
        let got =
            (s.title.as_str(), s.published.as_deref(), s.kind.as_deref(), s.region.as_deref());
        assert_eq!(got, ("讲话", Some("2024-03-05"), Some("讲话"), Some("浙江")));
        assert_eq!(
            (s.date.as_deref(), s.inferred.clone()),
            (Some("2024-03-05"), vec!["date".into(), "year".into()])
        );

        let text = "{\"名称\":\"一\",\"讲话全文\":\"正文一\"}\n{\"名称\":\"二\",\"讲话全文\":\"正文二\"}\n";
        let read = read_str("m.jsonl", text);
        assert!(read.speeches.is_empty());
        let skips: Vec<_> = read.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
        assert_eq!(skips.len(), 1, "once per file: {skips:?}");
        assert_eq!(skips[0].0, None);
        assert!(
            skips[0].1.starts_with(
                "no text in any of its 2 records (keys: 名称, 讲话全文); name the text key with \
                 --map text=讲话全文"
            ),
            "{}",
            skips[0].1
        );
        // Streamed, the same.
        assert_eq!(summary(&read_streamed("m.jsonl", text, 7, usize::MAX)), summary(&read));

        let map = crate::corpus::FieldMap::from_pairs([("text", "讲话全文")]).unwrap();
        let read = read_str_mapped("m.jsonl", text, &map);
        let got: Vec<_> =
            read.speeches.iter().map(|s| (s.title.as_str(), s.body.as_str())).collect();
        assert_eq!(got, [("一", "正文一"), ("二", "正文二")]);
    }

    proptest::proptest! {
        /// Line by line through any buffer size gives what reading the whole text gives.
        #[test]
        fn streaming_equals_reading_whole(
            input in "([{}\\[\\]\":,a-z0-9 \\n\\r]|\\{\"text\":\"中文\"\\}\n|\"content\"|\"year\"|null|中文){0,40}",
            capacity in 1usize..64,
        ) {
            let whole = summary(&read_str("p.jsonl", &input));
            let streamed = summary(&read_streamed("p.jsonl", &input, capacity, usize::MAX));
            proptest::prop_assert_eq!(streamed, whole);
        }

        #[test]
        fn never_panics(input in "([{}\\[\\]\":,a-z0-9 \\n\\r]|\"content\"|\"year\"|null|中文){0,40}") {
            let read = read_str("p.jsonl", &input);
            for s in &read.speeches {
                proptest::prop_assert!(s.id.starts_with("p.jsonl:"));
            }
        }

        #[test]
        fn never_panics_any(input in proptest::prelude::any::<String>()) {
            let _ = read_str("p.ndjson", &input);
        }
    }
}
