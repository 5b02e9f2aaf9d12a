//! Plain text and Markdown (`.txt`, `.md`, `.markdown`): one speech a file, optional front matter.
//!
//! This module owns front matter: YAML between `---` lines or TOML between `+++` lines at the
//! very start of the file (after an optional BOM). Its keys are the field names and aliases of
//! [`fields`](crate::corpus::fields) (or the user's mapping); unknown keys are ignored;
//! malformed front matter skips the file with a reason naming the line. The body is the text
//! after the closing delimiter line, exactly as given (a text key in the front matter is
//! ignored).

use super::{FileContext, Records};
use crate::corpus::fields::FieldMap;
use crate::corpus::metadata::{self, FieldValue, Fields, Origin};

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrontMatterKind {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// A text split into its front matter and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The front matter's language, `None` when there is none.
    pub(crate) kind: Option<FrontMatterKind>,
    /// The front matter between the delimiter lines (empty when there is none).
    pub(crate) front: &'a str,
    /// The body: always a suffix of the input.
    pub(crate) body: &'a str,
}

/// The line without its line terminator and trailing spaces.
fn line_content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r', ' ', '\t'])
}

/// Splits front matter from the body. `Err` when a front matter block is opened but never closed.
pub(crate) fn split_front_matter(text: &str) -> Result<Split<'_>, String> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let (kind, delimiter) = match line_content(&rest[..first_end]) {
        "---" => (FrontMatterKind::Yaml, "---"),
        "+++" => (FrontMatterKind::Toml, "+++"),
        _ => return Ok(Split { kind: None, front: "", body: rest }),
    };
    let front_start = start + first_end;
    let mut pos = front_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if line_content(&text[pos..end]) == delimiter {
            return Ok(Split {
                kind: Some(kind),
                front: &text[front_start..pos],
                body: &text[end..],
            });
        }
        pos = end;
    }
    Err(format!(
        "front matter opened with {delimiter} on line 1 is never closed (expected a line with only \
         {delimiter})"
    ))
}

/// Parses front matter into fields. Line numbers in errors are lines of the file (the front
/// matter starts on line 2).
pub(crate) fn parse_front_matter(
    kind: FrontMatterKind,
    front: &str,
    map: &FieldMap,
) -> Result<Fields, String> {
    let mut fields = Fields::default();
    if front.trim().is_empty() {
        return Ok(fields);
    }
    match kind {
        FrontMatterKind::Yaml => {
            // libyaml takes time quadratic in the nesting of `[` and `{` (100,000 levels: minutes)
            // before serde_yaml's own limit (128 levels) refuses them: refuse them first.
            if let Some(line) = flow_nesting_beyond(front, MAX_FLOW_NESTING) {
                return Err(format!(
                    "malformed YAML front matter at line {}: `[` or `{{` nested more than \
                     {MAX_FLOW_NESTING} levels deep",
                    line + 1
                ));
            }
            let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(front).map_err(|err| {
                let message = strip_location(&err.to_string());
                match err.location() {
                    Some(loc) => {
                        format!("malformed YAML front matter at line {}: {message}", loc.line() + 1)
                    }
                    None => format!("malformed YAML front matter: {message}"),
                }
            })?;
            match value {
                serde_yaml_ng::Value::Null => {}
                serde_yaml_ng::Value::Mapping(entries) => {
                    for (key, value) in &entries {
                        if let Some(key) = key.as_str() {
                            fields.set_named(map, key, FieldValue::from(value));
                        }
                    }
                }
                _ => return Err("malformed YAML front matter: expected `key: value` lines".into()),
            }
        }
        FrontMatterKind::Toml => {
            let table: toml::Table = toml::from_str(front).map_err(|err| {
                let message = err.message().trim().to_owned();
                match err.span() {
                    Some(span) => {
                        let before = front.get(..span.start).unwrap_or(front);
                        let line = 2 + before.matches('\n').count();
                        format!("malformed TOML front matter at line {line}: {message}")
                    }
                    None => format!("malformed TOML front matter: {message}"),
                }
            })?;
            for (key, value) in &table {
                fields.set_named(map, key, FieldValue::from(value));
            }
        }
    }
    Ok(fields)
}

/// The deepest nesting of YAML flow collections speechdex parses (serde_yaml refuses more than
/// 128 levels anyway).
const MAX_FLOW_NESTING: usize = 128;

/// The 1-based line of `front` where `[` and `{` outside quotes are first open more than `limit`
/// deep, if they ever are. Closing brackets
/// close; quotes are followed roughly (`"…"` with `\` escapes, `'…'`): enough to tell real
/// nesting from brackets in titles.
fn flow_nesting_beyond(front: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in front.chars() {
        if c == '\n' {
            line += 1;
        }
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > limit {
                        return Some(line);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    None
}

/// Removes the parser's " at line L column C", numbered within the front matter, not the file.
fn strip_location(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let tail = &after[digits..];
        let tail = match tail.strip_prefix(" column ") {
            Some(col) => col.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => tail,
        };
        if digits == 0 {
            out.push_str(" at line ");
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Reads one text file as one speech (id = the relative path).
pub(crate) fn read(ctx: &FileContext<'_>, text: &str, out: &mut Records<'_>) {
    let split = match split_front_matter(text) {
        Ok(split) => split,
        Err(reason) => return ctx.skip(out, None, reason),
    };
    let fields = match split.kind {
        Some(kind) => match parse_front_matter(kind, split.front, ctx.fields) {
            Ok(fields) => fields,
            Err(reason) => return ctx.skip(out, None, reason),
        },
        None => Fields::default(),
    };
    if split.body.trim().is_empty() {
        return ctx.skip(out, None, "no text after the front matter");
    }
    let origin = Origin { id: ctx.rel.to_owned(), path: ctx.rel, line: None };
    out.speech(metadata::build_speech(origin, fields, split.body.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::format::test_support::read_str;

    /// Deep flow nesting is refused at once (issue 7: libyaml took minutes for 100,000 levels,
    /// hours for a megabyte).
    #[test]
    fn deep_yaml_nesting_is_refused_at_once() {
        let started = std::time::Instant::now();
        for open in ["[", "{", "[{"] {
            let input = format!("---\ntitle: x\na: {}\n---\n正文", open.repeat(500_000));
            let read = read_str("deep.md", &input);
            assert!(read.speeches.is_empty());
            let reason = &read.skipped[0].reason;
            assert!(reason.starts_with("malformed YAML front matter at line 3:"), "{reason}");
            assert!(reason.contains("nested more than 128 levels"), "{reason}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
        // Up to the limit, serde_yaml decides (it refuses at 128 too).
        let input = format!("---\na: {}{}\n---\n正文", "[".repeat(100), "]".repeat(100));
        assert_eq!(read_str("ok.md", &input).speeches.len(), 1);
        assert_eq!(flow_nesting_beyond("a: '[[[' \"[[\\\"[\" [[x]]", 2), None);
        assert_eq!(flow_nesting_beyond("a: [\n [\n  [", 2), Some(3));
    }

    #[test]
    fn front_matter_cases() {
        // (name, input, Ok((title, year, tags, body)) or Err(reason fragment))
        type Want = Result<
            (&'static str, Option<i32>, &'static [&'static str], &'static str),
            &'static str,
        >;
        let cases: &[(&str, &str, Want)] = &[
            (
                "yaml",
                "---\ntitle: 讲话\ndate: 2024-03-05\ntags: [经济, 科技]\nprovince: 北京\nextra: 1\n---\n正文\n第二行\n",
                Ok(("讲话", Some(2024), &["经济", "科技"], "正文\n第二行\n")),
            ),
            (
                "yaml with bom and crlf",
                "\u{feff}---\r\ntitle: 讲话\r\nyear: \"2019\"\r\ntags: a, b\r\n---\r\n\r\n正文\r\n",
                Ok(("讲话", Some(2019), &["a", "b"], "\r\n正文\r\n")),
            ),
            (
                "toml",
                "+++\ntitle = \"讲话\"\ndate = 2024-03-05\ntags = \"x，y\"\n+++\n正文",
                Ok(("讲话", Some(2024), &["x", "y"], "正文")),
            ),
            (
                "none",
                "第一行标题\n  正文  \n",
                Ok(("第一行标题", None, &[], "第一行标题\n  正文  \n")),
            ),
            ("empty yaml", "---\n---\n标题\n正文", Ok(("标题", None, &[], "标题\n正文"))),
            (
                "malformed yaml",
                "---\ntitle: [unclosed\nyear: 1\n---\n正文",
                Err("malformed YAML front matter at line"),
            ),
            ("yaml list", "---\n- a\n- b\n---\n正文", Err("expected `key: value`")),
            (
                "malformed toml",
                "+++\ntitle = \"ok\"\nyear = = 1\n+++\n正文",
                Err("malformed TOML front matter at line 3"),
            ),
            ("unclosed", "---\ntitle: x\n正文", Err("never closed")),
            (
                "brackets in values",
                "---\ntitle: \"[[[[[[\"\ntags: ['[[[', \"{{\\\"\"]\nother: [a, {b: [c]}]\n---\n正文",
                Ok(("[[[[[[", None, &["[[[", "{{\""], "正文")),
            ),
            ("only front matter", "---\ntitle: x\n---\n\n", Err("no text after the front matter")),
        ];
        for (name, input, want) in cases {
            let read = read_str("dir/s.md", input);
            match want {
                Ok((title, year, tags, body)) => {
                    assert!(read.skipped.is_empty(), "{name}: {:?}", read.skipped);
                    let s = &read.speeches[0];
                    assert_eq!(s.title, *title, "{name}");
                    assert_eq!(s.year, *year, "{name}");
                    assert_eq!(s.tags, *tags, "{name}");
                    assert_eq!(s.body, *body, "{name}");
                    assert_eq!(s.id, "dir/s.md", "{name}");
                    assert_eq!(s.path, "dir/s.md", "{name}");
                }
                Err(fragment) => {
                    assert!(read.speeches.is_empty(), "{name}");
                    assert_eq!(read.skipped.len(), 1, "{name}");
                    assert!(
                        read.skipped[0].reason.contains(fragment),
                        "{name}: {}",
                        read.skipped[0].reason
                    );
                    assert_eq!(read.skipped[0].line, None, "{name}");
                }
            }
        }
    }

    #[test]
    fn yaml_fields() {
        let input = "---\ntitle: 讲话\nspeaker: 张三\nregion: 上海\nvenue: 大会\nkind: speech\n\
                     source: 日报\nsource_url: https://x.org/a\n发布日期: 2024/3/6\n日期: 2024年3月5日\n---\n正文";
        let s = &read_str("s.txt", input).speeches[0];
        assert_eq!(s.speaker.as_deref(), Some("张三"));
        assert_eq!(s.region.as_deref(), Some("上海"));
        assert_eq!(s.venue.as_deref(), Some("大会"));
        assert_eq!(s.kind.as_deref(), Some("speech"));
        assert_eq!(s.source.as_deref(), Some("日报"));
        assert_eq!(s.url.as_deref(), Some("https://x.org/a"));
        assert_eq!(s.date.as_deref(), Some("2024-03-05"));
        assert_eq!(s.published.as_deref(), Some("2024-03-06"));
        assert_eq!(s.year, Some(2024));
        assert!(s.inferred.is_empty(), "{:?}", s.inferred);
    }

    #[test]
    fn locations_stripped() {
        let cases = [
            (
                "did not find ',' at line 2 column 5, while parsing",
                "did not find ',', while parsing",
            ),
            ("bad at line 3", "bad"),
            ("no location", "no location"),
            ("at line x", "at line x"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_location(input), want, "{input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn splitter_body_is_suffix(input in "(\u{feff})?((---|\\+\\+\\+| ?-{2,4}\\r?)\\n|[a-z: =\"\\[\\]中文\\r]{0,12}\\n){0,8}") {
            if let Ok(split) = split_front_matter(&input) {
                proptest::prop_assert!(input.ends_with(split.body));
                proptest::prop_assert!(input.contains(split.front));
            }
            let _ = read_str("p.md", &input);
        }

        #[test]
        fn splitter_never_panics(input in proptest::prelude::any::<String>()) {
            if let Ok(split) = split_front_matter(&input) {
                proptest::prop_assert!(input.ends_with(split.body));
            }
            let _ = read_str("p.txt", &input);
        }
    }
}
