//! The one definition of sentences and paragraphs, for every command: the scope of
//! `search --within`, `SENT(…)`/`PARA(…)` groups, `trend`/`kwic --within`, `kwic --sentence`
//! and the sentences `diff` aligns.
//!
//! **Paragraphs.** The numbered paragraphs of a speech are its non-empty lines, from 1, as
//! `show --paragraph` numbers them (a line of whitespace is empty). A *logical* paragraph is one
//! non-empty line, or, in a hard-wrapped text, the lines a fixed line length cut apart, joined
//! again (see below). Scopes and sentences run inside logical paragraphs; each [`Span`] carries
//! the numbered paragraph (line) it starts on.
//!
//! **Sentence ends** are `。` `！` `？` `!` `?` (and every character that folds to one of them, such
//! as `｡` and `﹗`): a run of them ends one sentence, with the closing quotes and brackets that
//! follow (`……。”` belongs to its sentence). The end of a logical paragraph ends a sentence too.
//! `；`, `：` and the full-width `．` (also a decimal point: ５．２％) do not.
//!
//! **Hard-wrapped texts.** A text counts as hard-wrapped when it has at least 6 non-empty lines
//! and, measured either in characters or in display columns (a CJK character is two), the most
//! common length L of the lines at least 20 long is shared, give or take 2, by at least 40% of
//! the non-empty lines, and at least half of those full-length lines end inside a sentence (not
//! with a sentence end, `；;：:`, or a closing quote or bracket). Speeches written one paragraph
//! per line have lines of every length and nearly all end with punctuation, so they never
//! qualify. In a hard-wrapped text a full-length line continues on the next line unless that
//! line is indented or is a heading (`一、`, `（一）`).
//!
//! Spans are `[start, end)` character offsets into the text as given, trimmed of whitespace at
//! both ends; [`fold`](super::fold) keeps character offsets, so they index the folded text as
//! well. Sentences and paragraphs that are only whitespace are left out.
//!
//! | text | sentences | paragraphs |
//! |---|---|---|
//! | `他说：“好。”我们同意！对吗？是的；好` | `他说：“好。”` · `我们同意！` · `对吗？` · `是的；好` | one |
//! | `第一段。\n\n  第二段` | `第一段。` (¶1) · `第二段` (¶2) | ¶1 · ¶2 |

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::normalize::fold_char_width_case;

/// The unit a scope works in: one sentence or one paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// A sentence: up to `。！？!?` or the end of its paragraph.
    Sentence,
    /// A logical paragraph: a non-empty line (lines joined in a hard-wrapped text).
    Paragraph,
}

crate::choices!(Scope {
    Sentence => ("sentence", "in one sentence (up to 。！？!? or the end of the paragraph)"),
    Paragraph => ("paragraph", "in one paragraph (a non-empty line; a hard-wrapped text's lines joined)"),
});

impl Scope {
    /// The name of several units, for messages ("sentences").
    pub fn plural(self) -> &'static str {
        match self {
            Scope::Sentence => "sentences",
            Scope::Paragraph => "paragraphs",
        }
    }
}

/// A sentence or paragraph of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Character offset of its first character (not whitespace).
    pub start: usize,
    /// Character offset after its last character (not whitespace).
    pub end: usize,
    /// The numbered paragraph (non-empty line, from 1) it starts on.
    pub paragraph: usize,
}

/// A logical paragraph and its sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The whole paragraph.
    pub span: Span,
    /// Its sentences, in order; together they hold every character of the paragraph that is
    /// not whitespace.
    pub sentences: Vec<Span>,
}

/// A sentence-end character: `。！？!?` and every character that folds to one of them.
pub fn is_end(c: char) -> bool {
    matches!(fold_char_width_case(c), '。' | '!' | '?')
}

/// A character that closes a quotation or bracket: it stays with the sentence end before it.
pub fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '】' | '》' | '〉' | '"' | '\'' | '］' | ']')
}

/// A line of the text: its 1-based paragraph number (0 for an empty line) and the character
/// range of its text (without the line break and a `\r` before it).
struct Line {
    paragraph: usize,
    start: usize,
    end: usize,
}

fn lines_of(chars: &[char]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    let mut start = 0;
    for i in 0..=chars.len() {
        if i < chars.len() && chars[i] != '\n' {
            continue;
        }
        let end = if i > start && chars[i - 1] == '\r' { i - 1 } else { i };
        let empty = chars[start..end].iter().all(|c| c.is_whitespace());
        if !empty {
            paragraph += 1;
        }
        out.push(Line { paragraph: if empty { 0 } else { paragraph }, start, end });
        start = i + 1;
    }
    out
}

/// Whether a line ends inside a sentence (its last visible character is no sentence end,
/// semicolon, colon or closing quote/bracket).
fn ends_mid_sentence(line: &str) -> bool {
    line.trim_end().chars().last().is_some_and(|c| {
        !is_end(c) && !is_closer(c) && !matches!(fold_char_width_case(c), ';' | ':')
    })
}

/// The hard-wrap test on one measure of line length: the wrap length when the lines pass it.
fn wrap_length(lines: &[String], measure: Measure) -> Option<usize> {
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
    let mid = full.iter().filter(|&&i| ends_mid_sentence(&lines[i])).count();
    (full.len() * 10 >= lines.len() * 4 && mid * 2 >= full.len()).then_some(mode)
}

/// A measure of line length: characters or display columns.
type Measure = fn(&str) -> usize;

/// The wrap length (in characters or columns, with the measure) when the text is hard-wrapped.
fn hard_wrap(chars: &[char], lines: &[Line]) -> Option<(usize, Measure)> {
    let texts: Vec<String> = lines
        .iter()
        .filter(|l| l.paragraph > 0)
        .map(|l| chars[l.start..l.end].iter().collect())
        .collect();
    let by_chars: Measure = |s| s.chars().count();
    let by_columns: Measure = |s| s.width();
    wrap_length(&texts, by_chars)
        .map(|n| (n, by_chars))
        .or_else(|| wrap_length(&texts, by_columns).map(|n| (n, by_columns)))
}

/// Whether `body` is hard-wrapped (see the module documentation).
pub fn is_hard_wrapped(body: &str) -> bool {
    let chars: Vec<char> = body.chars().collect();
    hard_wrap(&chars, &lines_of(&chars)).is_some()
}

/// Heading level of a paragraph: 1 for `一、`, 2 for `（一）` / `(一)`.
pub fn heading_level(text: &str) -> Option<u8> {
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

/// The logical paragraphs, each as the character offsets of its characters in order (line
/// breaks and the whitespace around them left out where lines are joined).
fn blocks(chars: &[char]) -> Vec<(Vec<usize>, usize)> {
    let lines = lines_of(chars);
    let wrap = hard_wrap(chars, &lines);
    let mut out: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut open = false; // whether the last block continues on the next line
    for line in &lines {
        if line.paragraph == 0 {
            open = false;
            continue;
        }
        let text: String = chars[line.start..line.end].iter().collect();
        let indented = text.starts_with(char::is_whitespace);
        let trimmed_end = line.start + text.trim_end().chars().count();
        let continues = open && !indented && heading_level(&text).is_none();
        if !continues {
            out.push((Vec::new(), line.paragraph));
        }
        if let Some((positions, _)) = out.last_mut() {
            let lead = if continues {
                0
            } else {
                chars[line.start..line.end].iter().take_while(|c| c.is_whitespace()).count()
            };
            positions.extend(line.start + lead..trimmed_end);
        }
        open = wrap.is_some_and(|(n, measure)| measure(text.trim_end()) + 2 >= n);
    }
    out
}

/// The logical paragraphs of `body` with their sentences (see the module documentation).
pub fn paragraphs(body: &str) -> Vec<Paragraph> {
    let chars: Vec<char> = body.chars().collect();
    let lines = lines_of(&chars);
    // The numbered paragraph of each character offset's line.
    let paragraph_at = |offset: usize| -> usize {
        let i = lines.partition_point(|l| l.start <= offset);
        lines[..i].iter().rev().find(|l| l.paragraph > 0).map_or(1, |l| l.paragraph)
    };
    let mut out = Vec::new();
    for (positions, paragraph) in blocks(&chars) {
        let span_of = |a: usize, b: usize| -> Option<Span> {
            // Trim whitespace inside the range of positions a..b.
            let slice = &positions[a..b];
            let first = slice.iter().position(|&p| !chars[p].is_whitespace())?;
            let last = slice.iter().rposition(|&p| !chars[p].is_whitespace())?;
            let start = slice[first];
            Some(Span { start, end: slice[last] + 1, paragraph: paragraph_at(start) })
        };
        let Some(span) = span_of(0, positions.len()) else { continue };
        let span = Span { paragraph, ..span };
        let mut sentences = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < positions.len() {
            if is_end(chars[positions[i]]) {
                while i < positions.len()
                    && (is_end(chars[positions[i]]) || is_closer(chars[positions[i]]))
                {
                    i += 1;
                }
                sentences.extend(span_of(start, i));
                start = i;
            } else {
                i += 1;
            }
        }
        sentences.extend(span_of(start, positions.len()));
        out.push(Paragraph { span, sentences });
    }
    out
}

/// The sentences or the logical paragraphs of `body`, in order.
pub fn units(body: &str, scope: Scope) -> Vec<Span> {
    let paragraphs = paragraphs(body);
    match scope {
        Scope::Paragraph => paragraphs.into_iter().map(|p| p.span).collect(),
        Scope::Sentence => paragraphs.into_iter().flat_map(|p| p.sentences).collect(),
    }
}

/// The text of a span of `chars` as a reader sees it: the lines of a hard-wrapped text joined
/// (without the line break and the whitespace around it; with one space between two Latin
/// letters or digits), other line breaks as spaces.
pub fn text_of(chars: &[char], span: &Span) -> String {
    let end = span.end.min(chars.len());
    let start = span.start.min(end);
    let mut out = String::with_capacity(end - start);
    for (k, line) in chars[start..end].split(|&c| c == '\n').enumerate() {
        let line: String = line.iter().collect();
        let line = if k == 0 { line.trim_end().to_string() } else { line.trim().to_string() };
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if k > 0 && latin(out.chars().last()) && latin(line.chars().next()) {
            out.push(' ');
        }
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sentences(body: &str) -> Vec<String> {
        let chars: Vec<char> = body.chars().collect();
        units(body, Scope::Sentence).iter().map(|s| text_of(&chars, s)).collect()
    }

    #[test]
    fn sentences_end_at_end_marks_with_their_closing_quotes() {
        assert_eq!(
            sentences("他说：“要投资于人。”我们同意！对吗？是的；好\n下一段"),
            ["他说：“要投资于人。”", "我们同意！", "对吗？", "是的；好", "下一段"]
        );
        assert_eq!(sentences("真的吗？！是。。"), ["真的吗？！", "是。。"]);
        assert_eq!(sentences("增长５．２％。Yes! No?ok"), ["增长５．２％。", "Yes!", "No?", "ok"]);
        assert_eq!(sentences("半角｡小写﹗"), ["半角｡", "小写﹗"]);
        assert_eq!(sentences("……\n\n  "), ["……"]);
        assert!(sentences(" \n\t\n").is_empty());
    }

    #[test]
    fn paragraphs_are_non_empty_lines_numbered_as_show_numbers_them() {
        let body = "第一段。第二句。\n\n  \n  第二段。\r\n第三段";
        let got: Vec<(usize, usize, usize)> =
            units(body, Scope::Sentence).iter().map(|s| (s.start, s.end, s.paragraph)).collect();
        assert_eq!(got, [(0, 4, 1), (4, 8, 1), (15, 19, 2), (21, 24, 3)]);
        let paragraphs: Vec<(usize, usize, usize)> =
            units(body, Scope::Paragraph).iter().map(|s| (s.start, s.end, s.paragraph)).collect();
        assert_eq!(paragraphs, [(0, 8, 1), (15, 19, 2), (21, 24, 3)]);
    }

    #[test]
    fn hard_wrapped_lines_are_one_paragraph() {
        // 12 characters per line, sentences running over line ends.
        let body = "我们要坚持稳中求进工作总基\n调，完整准确全面贯彻新发展\n理念，加快构建新发展格局，\n\
                    着力推动高质量发展。更好统\n筹质的有效提升和量的合理增\n长，持续增强经济活力。\n\
                    \u{3000}\u{3000}第二段开头要缩进两格，\n然后继续写下去直到写完。";
        assert!(is_hard_wrapped(body));
        let chars: Vec<char> = body.chars().collect();
        let s = units(body, Scope::Sentence);
        let got: Vec<(usize, String)> =
            s.iter().map(|s| (s.paragraph, text_of(&chars, s))).collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展。"
                        .to_string()
                ),
                (4, "更好统筹质的有效提升和量的合理增长，持续增强经济活力。".to_string()),
                (7, "第二段开头要缩进两格，然后继续写下去直到写完。".to_string()),
            ]
        );
        assert_eq!(units(body, Scope::Paragraph).len(), 2);
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
        assert_eq!(units(body, Scope::Sentence).len(), 8);
        assert_eq!(units(body, Scope::Paragraph).len(), 7);
        let latin = "The State Council reported on the work of\nthe government in the year gone by and the\n\
                     tasks for this year, and the deputies were\nasked to deliberate on the report and to\n\
                     give their views on it before the vote on\nthe resolution at the end of the meeting.";
        assert!(is_hard_wrapped(latin));
        assert_eq!(sentences(latin).len(), 1);
        assert!(sentences(latin)[0].contains("work of the government"));
    }

    #[test]
    fn headings_are_numbered_with_chinese_numerals() {
        assert_eq!(heading_level("一、2024年工作回顾"), Some(1));
        assert_eq!(heading_level("十二、开放"), Some(1));
        assert_eq!(heading_level("（一）大力提振消费"), Some(2));
        assert_eq!(heading_level("(三)改革"), Some(2));
        assert_eq!(heading_level("一是加大力度"), None);
    }

    /// Texts of sentence ends, closers, line breaks, whitespace and a few letters.
    fn text_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(vec!['甲', '乙', 'a', 'B', '，', '；', '．']),
                2 => proptest::sample::select(vec!['。', '！', '？', '!', '?', '｡', '﹗']),
                1 => proptest::sample::select(vec!['”', '）', '」']),
                2 => proptest::sample::select(vec!['\n', ' ', '\u{3000}', '\r']),
            ],
            0..80,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        /// Sentences, in order, hold every character of the text that is not whitespace, each
        /// once (concatenated, they give the text back without its whitespace); no sentence
        /// crosses a line break of a text that is not hard-wrapped; a sentence holds an end mark
        /// only in the run that ends it; and each lies inside its paragraph.
        #[test]
        fn sentences_cut_the_text_without_losing_or_repeating_anything(body in text_strategy()) {
            let chars: Vec<char> = body.chars().collect();
            let squeeze = |s: &[char]| s.iter().filter(|c| !c.is_whitespace()).collect::<String>();
            let paragraphs = paragraphs(&body);
            let sentences: Vec<Span> = paragraphs.iter().flat_map(|p| p.sentences.clone()).collect();
            let joined: String = sentences.iter().map(|s| squeeze(&chars[s.start..s.end])).collect();
            prop_assert_eq!(joined, squeeze(&chars));
            let mut last_end = 0;
            for s in &sentences {
                prop_assert!(s.start < s.end && s.start >= last_end, "ordered, disjoint");
                last_end = s.end;
                let text = &chars[s.start..s.end];
                prop_assert!(!text[0].is_whitespace() && !text[text.len() - 1].is_whitespace());
                if !is_hard_wrapped(&body) {
                    prop_assert!(!text.contains(&'\n'), "a line break inside {:?}", text);
                }
                // End marks only in the final run of ends and closers.
                // (A hard-wrapped text's run may go on after a line break: `!\n。`.)
                let tail = text
                    .iter()
                    .rev()
                    .take_while(|&&c| is_end(c) || is_closer(c) || c.is_whitespace())
                    .count();
                let inner = &text[..text.len() - tail];
                prop_assert!(!inner.iter().any(|&c| is_end(c)), "inner end mark in {:?}", text);
            }
            for p in &paragraphs {
                for s in &p.sentences {
                    prop_assert!(p.span.start <= s.start && s.end <= p.span.end);
                }
            }
        }

        /// The same text folded (width, case) cuts at the same offsets, unless folding changes
        /// whether or how it is hard-wrapped: wrapping measured in display columns sees a
        /// full-width ．or U+3000 fold to one column (every command cuts the stored text, never
        /// the folded one, so that case only needs to be set aside here).
        #[test]
        fn folding_keeps_the_cuts(body in text_strategy()) {
            let folded = crate::analysis::fold(&body);
            let wrap = |t: &str| {
                let chars: Vec<char> = t.chars().collect();
                hard_wrap(&chars, &lines_of(&chars)).map(|(n, _)| n)
            };
            prop_assume!(wrap(&body) == wrap(&folded));
            prop_assert_eq!(units(&body, Scope::Sentence), units(&folded, Scope::Sentence));
            prop_assert_eq!(units(&body, Scope::Paragraph), units(&folded, Scope::Paragraph));
        }
    }
}
