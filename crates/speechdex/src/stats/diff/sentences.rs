//! Cutting a speech into sentences, each with its paragraph, section heading and comparison key.
//!
//! Sentences and paragraphs are those of [`crate::analysis::sentences`], the one definition
//! every command shares: sentence ends `。！？!?` and the end of a paragraph (a non-empty line;
//! the lines of a hard-wrapped text are joined first). A sentence's `paragraph` is the
//! numbered paragraph (non-empty line) it starts on, as `kwic` and `show --paragraph` count.
//!
//! **Headings.** A paragraph starting with `一、` … `十九、` (level 1) or `（一）` / `(一)` (level 2)
//! opens a section; a level-1 heading closes the level-2 section. A sentence's `section` is
//! `一、… › （二）…`: each heading's first sentence without its end punctuation, cut to 30
//! characters.
//!
//! **Keys.** Two sentences are the same when their keys are: the text folded
//! ([`crate::analysis::fold`]: width, case, traditional → simplified) without whitespace and
//! punctuation, so that `“投资于人”，` and `投资于人,` compare equal. `.` stays between digits
//! (5.2 ≠ 52), and `%`/`‰` stay. Sentences whose key is empty (`……`) are left out.

use crate::analysis::fold;
use crate::analysis::sentences::{self as units, heading_level, is_end};

pub use crate::analysis::sentences::is_hard_wrapped;

/// One sentence of a speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The text as written (trimmed; joined across the line breaks of a hard-wrapped text).
    pub text: String,
    /// The comparison key: folded, without whitespace and punctuation.
    pub key: String,
    /// Which text of its side it comes from (an index into the side's speeches).
    pub doc: usize,
    /// The 1-based paragraph (non-empty line) it starts on.
    pub paragraph: usize,
    /// The section headings above it (`一、… › （二）…`), if any.
    pub section: Option<String>,
}

/// Whitespace or punctuation: left out of keys and phrases.
pub fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || (c.is_ascii_punctuation() && c != '%')
        || matches!(c,
            '\u{00A1}'..='\u{00BF}' // ¡ « » · ¿ …
            | '\u{2010}'..='\u{2027}' // dashes, quotes, bullets, ellipsis
            | '\u{2031}'..='\u{205E}' // ′ ″ ‹ › ※ … (not ‰)
            | '\u{2E00}'..='\u{2E7F}' // supplemental punctuation
            | '\u{3000}'..='\u{303F}' // 、。〈〉《》「」『』【】〔〕〜 …
            | '\u{30FB}' // ・
            | '\u{FE10}'..='\u{FE6F}' // vertical and small forms
            | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
            && c != '\u{00B0}' // ° is a unit
}

/// The comparison key of a sentence: folded, whitespace and punctuation left out (`.` kept
/// between digits, `%` and `‰` kept).
pub fn key_of(text: &str) -> String {
    let folded: Vec<char> = fold(text).chars().collect();
    let mut key = String::with_capacity(text.len());
    for (i, &c) in folded.iter().enumerate() {
        let between_digits = c == '.'
            && i > 0
            && folded[i - 1].is_ascii_digit()
            && folded.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if between_digits || !is_ignorable(c) {
            key.push(c);
        }
    }
    key
}

/// The label of a heading: its first sentence without the end punctuation, at most 30
/// characters.
fn heading_label(text: &str) -> String {
    const MAX: usize = 30;
    let t = text.trim();
    let first: String = t.chars().take_while(|&c| !is_end(c)).collect();
    let first = first.trim_end_matches(['，', ',', '：', ':', ' ']);
    if first.chars().count() > MAX {
        format!("{}…", first.chars().take(MAX).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Cuts `body` (the `doc`-th text of its side) into sentences, in order.
pub fn split(body: &str, doc: usize) -> Vec<Sentence> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let (mut level1, mut level2): (Option<String>, Option<String>) = (None, None);
    for paragraph in units::paragraphs(body) {
        let text = units::text_of(&chars, &paragraph.span);
        match heading_level(&text) {
            Some(1) => (level1, level2) = (Some(heading_label(&text)), None),
            Some(_) => level2 = Some(heading_label(&text)),
            None => {}
        }
        let section = match (&level1, &level2) {
            (Some(a), Some(b)) => Some(format!("{a} › {b}")),
            (Some(a), None) => Some(a.clone()),
            (None, b) => b.clone(),
        };
        for span in &paragraph.sentences {
            let text = units::text_of(&chars, span);
            let key = key_of(&text);
            if key.is_empty() {
                continue;
            }
            out.push(Sentence {
                text,
                key,
                doc,
                paragraph: span.paragraph,
                section: section.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Where sentences and paragraphs end (end marks, closing quotes, hard-wrapped texts) is
    //! tested beside the splitter, in `analysis::sentences`; these test what `split` adds: the
    //! side's text, paragraph numbers, sections and keys.

    use super::*;

    fn texts(body: &str) -> Vec<String> {
        split(body, 0).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn sentences_carry_their_text_paragraph_and_doc() {
        let s = split("第一段。第二句。\n\n  \n第二段。\r\n第三段", 3);
        let got: Vec<(usize, &str, usize)> =
            s.iter().map(|s| (s.paragraph, s.text.as_str(), s.doc)).collect();
        assert_eq!(
            got,
            [(1, "第一段。", 3), (1, "第二句。", 3), (2, "第二段。", 3), (3, "第三段", 3)]
        );
    }

    #[test]
    fn sentences_without_a_key_are_left_out() {
        assert_eq!(texts("……\n\n——"), Vec::<String>::new());
        assert_eq!(texts("好。……\n对。"), ["好。", "对。"]);
    }

    #[test]
    fn headings_open_sections() {
        let body = "各位代表：\n一、2024年工作回顾\n过去一年很不平凡。\n（一）大力提振消费，全方位扩大国内需求。促进消费。\n\
                    实施提振消费专项行动。\n二、政府工作任务\n做好工作。";
        let s = split(body, 0);
        let sections: Vec<(&str, Option<&str>)> =
            s.iter().map(|s| (s.text.as_str(), s.section.as_deref())).collect();
        assert_eq!(
            sections,
            [
                ("各位代表：", None),
                ("一、2024年工作回顾", Some("一、2024年工作回顾")),
                ("过去一年很不平凡。", Some("一、2024年工作回顾")),
                (
                    "（一）大力提振消费，全方位扩大国内需求。",
                    Some("一、2024年工作回顾 › （一）大力提振消费，全方位扩大国内需求")
                ),
                ("促进消费。", Some("一、2024年工作回顾 › （一）大力提振消费，全方位扩大国内需求")),
                (
                    "实施提振消费专项行动。",
                    Some("一、2024年工作回顾 › （一）大力提振消费，全方位扩大国内需求")
                ),
                ("二、政府工作任务", Some("二、政府工作任务")),
                ("做好工作。", Some("二、政府工作任务")),
            ]
        );
        assert_eq!(heading_label(&"长".repeat(40)), format!("{}…", "长".repeat(30)));
    }

    #[test]
    fn keys_ignore_width_punctuation_and_whitespace() {
        assert_eq!(
            key_of("推动更多资金资源“投资于人”、服务于民生。"),
            "推动更多资金资源投资于人服务于民生"
        );
        assert_eq!(key_of("ＧＤＰ 增長5.2%，"), "gdp增长5.2%");
        assert_eq!(key_of("第5.项"), "第5项");
        assert_ne!(key_of("增长5.2%"), key_of("增长52%"));
        assert_eq!(key_of("温度20°C"), "温度20°c");
    }
}
