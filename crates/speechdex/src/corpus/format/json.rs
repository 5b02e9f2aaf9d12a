//! JSON (`.json`): an array of speech objects, or a single speech object.
//!
//! This module owns the mapping of one JSON object to a speech, which [`jsonl`](super::jsonl)
//! shares: keys are the field names and aliases of [`fields`](crate::corpus::fields) (or the
//! user's mapping); the text is the string of the text key of highest priority. An object
//! without one is skipped with its keys, and the key holding the longest string that names no
//! field is suggested for `--map text=KEY`. Ids are `rel:N`, N the 1-based element index (a
//! single object is `rel:1`).

use serde_json::{Map, Value};

use super::{FileContext, NoText, Records};
use crate::corpus::Speech;
use crate::corpus::fields::FieldMap;
use crate::corpus::metadata::{self, FieldValue, Fields, Origin};

/// Maps one JSON object to a speech; `Err` says why it has none.
pub(crate) fn speech_from_object(
    object: &Map<String, Value>,
    origin: Origin<'_>,
    map: &FieldMap,
) -> Result<Speech, NoText> {
    let mut fields = Fields::default();
    let mut suggestion: Option<(&str, usize)> = None;
    for (key, value) in object {
        if !fields.set_named(map, key, FieldValue::from(value))
            && let Value::String(text) = value
            && suggestion.is_none_or(|(_, len)| text.len() > len)
        {
            suggestion = Some((key, text.len()));
        }
    }
    match fields.take_text() {
        Some(body) => Ok(metadata::build_speech(origin, fields, body)),
        None if fields.text_key_seen => Err(NoText::Blank),
        None => Err(NoText::Missing {
            keys: object.keys().map(|k| k.trim().to_owned()).collect(),
            suggestion: suggestion.map(|(key, _)| key.trim().to_owned()),
        }),
    }
}

/// Names a JSON value's type, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a JSON file.
pub(crate) fn read(ctx: &FileContext<'_>, text: &str, out: &mut Records<'_>) {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        // The whole file is lost, so the skip is the file's (line `None`: the index keeps what it
        // had from it); the reason names the line and column.
        Err(err) => return ctx.skip(out, None, format!("invalid JSON: {err}")),
    };
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&value],
        other => {
            let reason = format!(
                "expected a JSON array of objects or one object, found {}",
                type_name(other)
            );
            return ctx.skip(out, None, reason);
        }
    };
    for (n, item) in (1u64..).zip(items) {
        match item {
            Value::Object(object) => {
                let origin = Origin { id: ctx.record_id(n), path: ctx.rel, line: None };
                match speech_from_object(object, origin, ctx.fields) {
                    Ok(speech) => out.speech(speech),
                    Err(why) => out.no_text(ctx, None, &format!("element {n}: "), why),
                }
            }
            other => ctx.skip(
                out,
                None,
                format!("element {n}: expected an object, found {}", type_name(other)),
            ),
        }
    }
    out.finish_no_text(ctx);
}

#[cfg(test)]
mod tests {
    use crate::corpus::format::test_support::read_str;

    #[test]
    fn arrays_and_objects() {
        let input = r#"[
            {"title": "一", "content": "正文一", "year": 2020},
            {"title": "二", "text": "正文二", "year": "2021", "tags": ["a"]},
            {"title": "三"},
            42,
            {"full_text": "2019年政府工作报告\n正文", "year": null}
        ]"#;
        let read = read_str("d/a.json", input);
        let ids: Vec<_> = read.speeches.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["d/a.json:1", "d/a.json:2", "d/a.json:5"]);
        let years: Vec<_> = read.speeches.iter().map(|s| s.year).collect();
        assert_eq!(years, [Some(2020), Some(2021), Some(2019)]);
        assert_eq!(read.speeches[2].title, "2019年政府工作报告");
        assert_eq!(read.speeches[2].inferred, ["title", "year", "kind"]);
        let reasons: Vec<_> = read.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "element 3: no text (keys: title); name the text key with --map text=KEY or in \
                 speechdex.toml (text keys recognised: content, text, body, full_text, fulltext, \
                 正文, 内容, 全文, 文本)",
                "element 4: expected an object, found a number"
            ]
        );

        let read = read_str("one.json", r#"{"body": "正文", "title": "T"}"#);
        assert_eq!(read.speeches[0].id, "one.json:1");

        let read = read_str("bad.json", "[\n{\"content\": \"x\"},\n{oops}\n]");
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped[0].line, None, "a syntax error loses the whole file");
        assert!(read.skipped[0].reason.starts_with("invalid JSON"));
        assert!(read.skipped[0].reason.contains("at line 3 column"), "{}", read.skipped[0].reason);

        // Nesting beyond serde_json's recursion limit is an error, not a stack overflow.
        let read = read_str("deep.json", &"[".repeat(100_000));
        assert_eq!(read.skipped.len(), 1);
        assert!(read.skipped[0].reason.contains("recursion limit"), "{}", read.skipped[0].reason);

        // No element with text: one skip for the file, with the keys and the likely text key.
        let read =
            read_str("k.json", r#"[{"题目": "一", "讲话全文": "长长的正文"}, {"题目": "二"}]"#);
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
        assert!(
            read.skipped[0].reason.starts_with(
                "no text in any of its 2 records (keys: 讲话全文, 题目); name the text key with \
                 --map text=讲话全文"
            ),
            "{}",
            read.skipped[0].reason
        );

        let read = read_str("str.json", "\"just a string\"");
        assert!(read.skipped[0].reason.contains("found a string"));
    }
}
