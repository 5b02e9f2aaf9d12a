//! Escaping text from files for a terminal.
//!
//! Titles, bodies, metadata and file names come from files that anyone may have written. Printed
//! raw, an escape sequence in them (`ESC [ 2 J`, a hyperlink, a new window title) is run by the
//! terminal, and a bidirectional override reorders what the reader sees. Every human renderer
//! therefore passes data through [`escape`] (one line: titles, fields, file names, snippets,
//! messages) or [`escape_text`] (a speech's text, which keeps its line breaks and tabs). JSON
//! and CSV are for programs and stay exact (JSON escapes control characters itself).
//!
//! | character | shown as |
//! |---|---|
//! | tab, line break, carriage return | `\t`, `\n`, `\r` (in [`escape_text`]: tab and line break as is, `\r` before `\n` as is) |
//! | other C0 controls U+0000–U+001F, DEL U+007F, C1 controls U+0080–U+009F | `\u{HEX}`: ESC is `\u{1b}`, DEL `\u{7f}`, CSI `\u{9b}` |
//! | bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069 | `\u{202e}` … |
//! | everything else (CJK, punctuation, emoji, backslash) | unchanged |
//!
//! The notation is that of Rust and JavaScript string escapes: the code point in lowercase hex.
//! Escaped output contains no character that [`is_escaped`] selects (other than those
//! [`escape_text`] keeps), so escaping it again changes nothing. A backslash in the data is not
//! doubled (file names and texts rarely hold one, and doubling would change them); `--json`
//! gives the exact text.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown escaped: C0 and C1 controls, DEL, and the bidirectional formatting
/// characters that reorder text (U+202A–U+202E, U+2066–U+2069).
pub fn is_escaped(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Which layout characters stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One line: every control character is escaped, line breaks and tabs too.
    Line,
    /// Text: line breaks (`\n`, and `\r\n`) and tabs stay; other controls are escaped.
    Text,
}

/// `text` for one line of terminal output: every character that [`is_escaped`] selects is
/// written as `\t`, `\n`, `\r` or `\u{HEX}`. Borrows when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_as(text, Layout::Line)
}

/// `text` for terminal output over several lines: as [`escape`], but line breaks (`\n`,
/// `\r\n`) and tabs are kept.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    escape_as(text, Layout::Text)
}

/// `text` escaped for `layout` (see [`escape`] and [`escape_text`]).
pub fn escape_as(text: &str, layout: Layout) -> Cow<'_, str> {
    let Some(first) = text.find(|c| needs_escape(c, layout)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut chars = text[first..].chars().peekable();
    while let Some(c) = chars.next() {
        let kept = match c {
            '\r' => layout == Layout::Text && chars.peek() == Some(&'\n'),
            _ => !needs_escape(c, layout),
        };
        if kept {
            out.push(c);
        } else {
            push_escape(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` may need escaping in `layout` (`\r` is kept only before `\n`).
fn needs_escape(c: char, layout: Layout) -> bool {
    match layout {
        Layout::Text if c == '\n' || c == '\t' => false,
        _ => is_escaped(c),
    }
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn examples() {
        let cases = [
            ("新质生产力", "新质生产力"),
            ("\u{1b}[2J标题", "\\u{1b}[2J标题"),
            ("a\u{7f}b\u{9b}c\u{0}", "a\\u{7f}b\\u{9b}c\\u{0}"),
            ("甲\u{202e}乙\u{2066}丙\u{2069}", "甲\\u{202e}乙\\u{2066}丙\\u{2069}"),
            ("一\n二\t三\r\n", "一\\n二\\t三\\r\\n"),
            ("C:\\dir\\a.txt", "C:\\dir\\a.txt"),
            // Not controls: zero-width space, BOM, the left-to-right mark, line separator.
            ("\u{200b}\u{feff}\u{200e}\u{2028}", "\u{200b}\u{feff}\u{200e}\u{2028}"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input), want, "{input:?}");
        }
        assert_eq!(escape_text("一\n二\t三\r\n四\r五\u{1b}"), "一\n二\t三\r\n四\\r五\\u{1b}");
        assert!(matches!(escape("没有控制字符"), Cow::Borrowed(_)));
        assert!(matches!(escape_text("第一段\n\t第二段"), Cow::Borrowed(_)));
    }

    /// Reverses [`escape`] for text without backslashes: every escape names one character.
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('\\') {
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            let (c, used) = match rest.as_bytes()[0] {
                b't' => ('\t', 1),
                b'n' => ('\n', 1),
                b'r' => ('\r', 1),
                _ => {
                    let end = rest.find('}').expect("a closing brace");
                    let code = u32::from_str_radix(&rest[2..end], 16).expect("hex");
                    (char::from_u32(code).expect("a char"), end + 1)
                }
            };
            out.push(c);
            rest = &rest[used..];
        }
        out.push_str(rest);
        out
    }

    /// Text mixing CJK, ASCII, controls and bidi characters.
    fn mixed() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            4 => proptest::char::range('\u{4e00}', '\u{9fff}'),
            2 => proptest::char::range(' ', '~'),
            2 => proptest::char::range('\u{0}', '\u{1f}'),
            1 => proptest::char::range('\u{7f}', '\u{a0}'),
            1 => proptest::char::range('\u{2020}', '\u{206f}'),
            1 => Just('\u{3002}'),
            1 => any::<char>(),
        ];
        proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        /// One-line output holds no control or bidi character; text output only `\n`, `\t` and
        /// `\r` before `\n`; both are deterministic, idempotent and reversible.
        #[test]
        fn escaped_output_is_inert(s in mixed()) {
            let line = escape(&s);
            prop_assert!(!line.chars().any(is_escaped), "{line:?}");
            prop_assert_eq!(&escape(&s), &line);
            prop_assert_eq!(escape(&line), line.clone());
            let text = escape_text(&s);
            let chars: Vec<char> = text.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                let allowed = c == '\n' || c == '\t' || (c == '\r' && chars.get(i + 1) == Some(&'\n'));
                prop_assert!(!is_escaped(c) || allowed, "{text:?}");
            }
            prop_assert_eq!(escape_text(&text), text.clone());
            if !s.contains('\\') {
                prop_assert_eq!(unescape(&line), s.clone());
                prop_assert_eq!(unescape(&text), s);
            }
        }

        /// CJK text (ideographs, CJK punctuation, full-width forms) is never changed.
        #[test]
        fn cjk_is_unchanged(s in "[\u{4e00}-\u{9fff}\u{3000}-\u{303f}\u{ff01}-\u{ff5e}，。、；：？！“”‘’（）《》]{0,50}") {
            prop_assert!(matches!(escape(&s), Cow::Borrowed(_)));
            prop_assert!(matches!(escape_text(&s), Cow::Borrowed(_)));
        }
    }
}
