//! JSON Lines (`.jsonl`, `.ndjson`): one speech object a line.
//!
//! This module owns the line loop: blank lines are ignored, a malformed line (bad JSON, or bytes
//! that do not decode in the file's encoding) is skipped with its line number and the rest is
//! read. Ids are `rel:LINE` (1-based physical line); the object
//! mapping is [`json::speech_from_object`](super::json::speech_from_object).

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
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let reason = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => {
                let origin = Origin { id: ctx.record_id(n), path: ctx.rel, line: Some(n) };
                match speech_from_object(&object, origin) {
                    Ok(speech) => {
                        out.speech(speech);
                        continue;
                    }
                    Err(reason) => reason.to_owned(),
                }
            }
            Ok(other) => format!("expected a JSON object, found {}", type_name(&other)),
            Err(err) => {
                format!("invalid JSON at column {}: {}", err.column(), strip_position(&err))
            }
        };
        ctx.skip(out, Some(n), reason);
    }
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
    use crate::corpus::format::test_support::read_str;

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
        assert_eq!(read.speeches[2].inferred, ["year"]);
        let skips: Vec<_> = read.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
        assert_eq!(skips.len(), 4, "{skips:?}");
        assert_eq!(skips[0].0, Some(3));
        assert!(skips[0].1.starts_with("invalid JSON at column"), "{}", skips[0].1);
        assert!(!skips[0].1.contains("line 1"), "{}", skips[0].1);
        assert_eq!(skips[1], (Some(4), "no text (expected one of content, text, body, full_text)"));
        assert_eq!(skips[2], (Some(8), "expected a JSON object, found an array"));
        assert_eq!(skips[3].0, Some(9));
    }

    proptest::proptest! {
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
