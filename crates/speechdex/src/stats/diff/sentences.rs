//! Cutting a speech into sentences, each with its paragraph, section heading and comparison key.
//!
//! **Paragraphs** are the non-empty lines of the text, numbered from 1, as `kwic` and search
//! snippets number them (a line of whitespace is empty). A sentence's `paragraph` is the line
//! it starts on.
//!
//! **Sentence ends** are `。！？；!?;` (a run of them ends one sentence, with the closing quotes
//! and brackets that follow: `……。”` belongs to its sentence) and the end of a paragraph.
//!
//! **Line breaks.** A line break ends a paragraph, and so a sentence, unless the text is
//! *hard-wrapped*: cut into lines of one fixed length wherever the length ran out, as plain-text
//! exports and e-mails do. A text counts as hard-wrapped when it has at least 6 non-empty lines
//! and, measured either in characters or in display columns (a CJK character is two), the most
//! common length L of the lines at least 20 long is shared, give or take 2, by at least 40% of
//! the non-empty lines, and at least half of those full-length lines end inside a sentence (not
//! with `。！？；!?;：:` or a closing quote or bracket). Speeches written one paragraph per line
//! have lines of every length and nearly all end with punctuation, so they never qualify. In a
//! hard-wrapped text a full-length line continues on the next line unless that line is indented
//! or is a heading; the two lines are joined without a space (with one between two Latin letters
//! or digits).
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

use unicode_width::UnicodeWidthStr;

use crate::analysis::fold;

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

/// A sentence-end character (not the full-width `．`, which is also a decimal point: ５．２％).
pub fn is_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '｡')
}

/// A character that closes a quotation or bracket: it stays with the sentence end before it.
fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '】' | '》' | '〉' | '"' | '\'' | '］' | ']')
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

/// A line of the text: its 1-based paragraph number (0 for an empty line) and its text.
struct Line<'a> {
    paragraph: usize,
    text: &'a str,
}

fn lines_of(body: &str) -> Vec<Line<'_>> {
    let mut paragraph = 0;
    body.split('\n')
        .map(|l| {
            let text = l.strip_suffix('\r').unwrap_or(l);
            if text.trim().is_empty() {
                Line { paragraph: 0, text }
            } else {
                paragraph += 1;
                Line { paragraph, text }
            }
        })
        .collect()
}

/// Whether a line ends inside a sentence (its last visible character is no sentence end,
/// colon or closing quote/bracket).
fn ends_mid_sentence(line: &str) -> bool {
    line.trim_end()
        .chars()
        .last()
        .is_some_and(|c| !is_end(c) && !is_closer(c) && c != '：' && c != ':')
}

/// The hard-wrap test on one measure of line length: the wrap length when the lines pass it.
fn wrap_length(lines: &[&str], measure: impl Fn(&str) -> usize) -> Option<usize> {
    const MIN_LINES: usize = 6;
    if lines.len() < MIN_LINES {
        return None;
    }
    let lengths: Vec<usize> = lines.iter().map(|l| measure(l.trim_end())).collect();
    let mut counts = std::collections::BTreeMap::<usize, usize>::new();
    for &n in lengths.iter().filter(|&&n| n >= 20) {
        *counts.entry(n).or_default() += 1;
    }
    // The most common length (ties: the longer one).
    let (&mode, _) = counts.iter().max_by_key(|&(&n, &c)| (c, n))?;
    let full: Vec<usize> =
        (0..lines.len()).filter(|&i| lengths[i] + 2 >= mode && lengths[i] <= mode + 2).collect();
    let mid = full.iter().filter(|&&i| ends_mid_sentence(lines[i])).count();
    (full.len() * 10 >= lines.len() * 4 && mid * 2 >= full.len()).then_some(mode)
}

/// A measure of line length: characters or display columns.
type Measure = fn(&str) -> usize;

/// The wrap length (in characters or columns, with the measure) when the text is hard-wrapped.
fn hard_wrap(lines: &[Line<'_>]) -> Option<(usize, Measure)> {
    let texts: Vec<&str> = lines.iter().filter(|l| l.paragraph > 0).map(|l| l.text).collect();
    let chars: Measure = |s| s.chars().count();
    let columns: Measure = |s| s.width();
    wrap_length(&texts, chars)
        .map(|n| (n, chars))
        .or_else(|| wrap_length(&texts, columns).map(|n| (n, columns)))
}

/// Whether `body` is hard-wrapped (see the module documentation).
pub fn is_hard_wrapped(body: &str) -> bool {
    hard_wrap(&lines_of(body)).is_some()
}

/// Heading level of a paragraph: 1 for `一、`, 2 for `（一）`.
fn heading_level(text: &str) -> Option<u8> {
    const NUMERALS: &str = "一二三四五六七八九十百零〇";
    let t = text.trim_start();
    let numeral_run = |s: &str| s.chars().take_while(|c| NUMERALS.contains(*c)).count();
    let n = numeral_run(t);
    if n > 0 && t.chars().nth(n) == Some('、') {
        return Some(1);
    }
    let mut it = t.chars();
    if matches!(it.next(), Some('（' | '(')) {
        let rest = it.as_str();
        let n = numeral_run(rest);
        if n > 0 && matches!(rest.chars().nth(n), Some('）' | ')')) {
            return Some(2);
        }
    }
    None
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

/// A logical paragraph: its text and, for each character, the paragraph (line) it is on.
struct Block {
    text: String,
    lines: Vec<usize>,
}

impl Block {
    fn push_line(&mut self, text: &str, paragraph: usize) {
        let text = if self.text.is_empty() { text.trim_start() } else { text };
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if latin(self.text.chars().last()) && latin(text.chars().next()) {
            self.text.push(' ');
            self.lines.push(paragraph);
        }
        for c in text.trim_end().chars() {
            self.text.push(c);
            self.lines.push(paragraph);
        }
    }
}

/// The logical paragraphs: one per non-empty line, or joined lines in a hard-wrapped text.
fn blocks(lines: &[Line<'_>]) -> Vec<Block> {
    let wrap = hard_wrap(lines);
    let mut out: Vec<Block> = Vec::new();
    let mut open = false; // whether the last block continues on the next line
    for line in lines {
        if line.paragraph == 0 {
            open = false;
            continue;
        }
        let indented = line.text.starts_with(char::is_whitespace);
        match out.last_mut() {
            Some(block) if open && !indented && heading_level(line.text).is_none() => {
                block.push_line(line.text, line.paragraph);
            }
            _ => {
                let mut block = Block { text: String::new(), lines: Vec::new() };
                block.push_line(line.text, line.paragraph);
                out.push(block);
            }
        }
        open = wrap.is_some_and(|(n, measure)| measure(line.text.trim_end()) + 2 >= n);
    }
    out
}

/// Cuts `body` (the `doc`-th text of its side) into sentences, in order.
pub fn split(body: &str, doc: usize) -> Vec<Sentence> {
    let lines = lines_of(body);
    let mut out = Vec::new();
    let (mut level1, mut level2): (Option<String>, Option<String>) = (None, None);
    for block in blocks(&lines) {
        match heading_level(&block.text) {
            Some(1) => (level1, level2) = (Some(heading_label(&block.text)), None),
            Some(_) => level2 = Some(heading_label(&block.text)),
            None => {}
        }
        let section = match (&level1, &level2) {
            (Some(a), Some(b)) => Some(format!("{a} › {b}")),
            (Some(a), None) => Some(a.clone()),
            (None, b) => b.clone(),
        };
        let chars: Vec<char> = block.text.chars().collect();
        let mut start = 0;
        let mut i = 0;
        while i < chars.len() {
            if is_end(chars[i]) {
                while i < chars.len() && (is_end(chars[i]) || is_closer(chars[i])) {
                    i += 1;
                }
                push_sentence(&mut out, &chars, start, i, &block.lines, doc, &section);
                start = i;
            } else {
                i += 1;
            }
        }
        push_sentence(&mut out, &chars, start, chars.len(), &block.lines, doc, &section);
    }
    out
}

fn push_sentence(
    out: &mut Vec<Sentence>,
    chars: &[char],
    start: usize,
    end: usize,
    lines: &[usize],
    doc: usize,
    section: &Option<String>,
) {
    let raw: String = chars[start..end].iter().collect();
    let text = raw.trim();
    let key = key_of(text);
    if key.is_empty() {
        return;
    }
    let lead = raw.chars().take_while(|c| c.is_whitespace()).count();
    out.push(Sentence {
        text: text.to_string(),
        key,
        doc,
        paragraph: lines.get(start + lead).copied().unwrap_or(1),
        section: section.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Vec<String> {
        split(body, 0).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn sentences_end_at_punctuation_with_their_closing_quotes() {
        assert_eq!(
            texts("他说：“要投资于人。”我们同意！对吗？是的；好\n下一段"),
            ["他说：“要投资于人。”", "我们同意！", "对吗？", "是的；", "好", "下一段"]
        );
        assert_eq!(texts("真的吗？！是。。"), ["真的吗？！", "是。。"]);
        assert_eq!(texts("增长５．２％。"), ["增长５．２％。"]);
        assert_eq!(texts("……\n\n——"), Vec::<String>::new());
    }

    #[test]
    fn paragraphs_are_non_empty_lines() {
        let s = split("第一段。第二句。\n\n  \n第二段。\r\n第三段", 3);
        let got: Vec<(usize, &str, usize)> =
            s.iter().map(|s| (s.paragraph, s.text.as_str(), s.doc)).collect();
        assert_eq!(
            got,
            [(1, "第一段。", 3), (1, "第二句。", 3), (2, "第二段。", 3), (3, "第三段", 3)]
        );
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
        assert_eq!(heading_level("十二、开放"), Some(1));
        assert_eq!(heading_level("(三)改革"), Some(2));
        assert_eq!(heading_level("一是加大力度"), None);
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

    #[test]
    fn hard_wrapped_lines_are_joined() {
        // 12 characters per line, sentences running over line ends.
        let body = "我们要坚持稳中求进工作总基\n调，完整准确全面贯彻新发展\n理念，加快构建新发展格局，\n\
                    着力推动高质量发展。更好统\n筹质的有效提升和量的合理增\n长，持续增强经济活力。\n\
                    \u{3000}\u{3000}第二段开头要缩进两格，\n然后继续写下去直到写完。";
        assert!(is_hard_wrapped(body));
        let s = split(body, 0);
        let got: Vec<(usize, &str)> = s.iter().map(|s| (s.paragraph, s.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展。"
                ),
                (4, "更好统筹质的有效提升和量的合理增长，持续增强经济活力。"),
                (7, "第二段开头要缩进两格，然后继续写下去直到写完。"),
            ]
        );
    }

    #[test]
    fn one_paragraph_per_line_is_not_hard_wrapped() {
        let body = "现在，我代表国务院，向大会报告政府工作，请予审议。\n\
                    过去一年，我国发展历程很不平凡，经济运行总体平稳、稳中有进。\n\
                    “稳”的态势巩固延续。主要表现在，经济规模稳步扩大。\n\
                    一、2024年工作回顾\n\
                    就业、物价总体平稳，城镇新增就业1256万人，居民消费价格上涨0.2%。\n\
                    国际收支基本平衡，对外贸易规模创历史新高，外汇储备超过3.2万亿美元。\n\
                    重点领域风险化解有序有效，社会大局保持稳定，民生保障扎实稳固，成绩来之不易。";
        assert!(!is_hard_wrapped(body));
        assert_eq!(split(body, 0).len(), 8);
        // Latin text wrapped by columns, joined with a space.
        let latin = "The State Council reported on the work of\nthe government in the year gone by and the\n\
                     tasks for this year, and the deputies were\nasked to deliberate on the report and to\n\
                     give their views on it before the vote on\nthe resolution at the end of the meeting.";
        assert!(is_hard_wrapped(latin));
        assert_eq!(split(latin, 0).len(), 1);
        assert!(split(latin, 0)[0].text.contains("work of the government"));
    }
}
