//! Snippets: short passages around matches, cut at sentence punctuation, with highlights.
//!
//! Matches inside one speech are found by scanning its stored text after [`fold`]ing it (the
//! same folding as the index, which keeps character offsets), so highlights point into the
//! original text. Offsets are in characters.
//!
//! Paragraphs are the non-empty lines of a speech, numbered from 1; a snippet's `paragraph` is
//! the paragraph its first match is in, and its `offset` the character offset of its first
//! character in the speech.

use serde::Serialize;

use crate::analysis::fold;

/// A passage of a speech around one or more matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The passage (line breaks shown as spaces).
    pub text: String,
    /// 1-based paragraph (non-empty line) of the first match.
    pub paragraph: usize,
    /// Character offset of the passage's first character in the speech.
    pub offset: usize,
    /// Matches inside `text`, as `[start, end)` character offsets relative to `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// Every non-overlapping occurrence of each phrase in `body` (after folding both), as character
/// ranges `[start, end)`, sorted by start. Occurrences of different phrases may overlap.
pub fn find_matches(body: &str, phrases: &[&str]) -> Vec<(usize, usize)> {
    let folded = fold(body);
    // Byte offset → char offset in the folded text.
    let mut char_at = vec![0usize; folded.len() + 1];
    let mut n = 0;
    for (i, (b, _)) in folded.char_indices().enumerate() {
        char_at[b] = i;
        n = i + 1;
    }
    char_at[folded.len()] = n;
    let mut out = Vec::new();
    for phrase in phrases {
        let p = fold(phrase);
        if p.is_empty() {
            continue;
        }
        let len = p.chars().count();
        for (b, _) in folded.match_indices(p.as_str()) {
            let start = char_at[b];
            out.push((start, start + len));
        }
    }
    out.sort_unstable();
    out
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n')
}

/// The 1-based paragraph (non-empty line) containing character `offset`.
pub fn paragraph_of(chars: &[char], offset: usize) -> usize {
    let mut paragraph = 0;
    let mut line_has_text = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            line_has_text = false;
            continue;
        }
        if !line_has_text && !c.is_whitespace() {
            line_has_text = true;
            paragraph += 1;
        }
        if i >= offset {
            break;
        }
    }
    paragraph.max(1)
}

/// The characters of a text, decoded from its start only as far as they are asked for: a
/// snippet near the start of a long speech does not decode (nor allocate for) the rest of it.
struct Prefix<'a> {
    rest: std::str::Chars<'a>,
    chars: Vec<char>,
}

impl Prefix<'_> {
    /// The first `k` characters (all of them when the text is shorter).
    fn upto(&mut self, k: usize) -> &[char] {
        while self.chars.len() < k {
            match self.rest.next() {
                Some(c) => self.chars.push(c),
                None => break,
            }
        }
        &self.chars[..k.min(self.chars.len())]
    }

    /// Character `k`, if the text is that long.
    fn at(&mut self, k: usize) -> Option<char> {
        self.upto(k + 1).get(k).copied()
    }
}

/// Up to `max` snippets of about `width` characters around `matches` (sorted character ranges),
/// each centred on a match not shown by an earlier snippet. Without matches, one snippet from
/// the start of the text.
pub fn make_snippets(
    body: &str,
    matches: &[(usize, usize)],
    max: usize,
    width: usize,
) -> Vec<Snippet> {
    if body.is_empty() || max == 0 {
        return Vec::new();
    }
    let mut text = Prefix { rest: body.chars(), chars: Vec::new() };
    let mut out: Vec<Snippet> = Vec::new();
    let mut shown_until = 0usize;
    let anchors: Vec<(usize, usize)> =
        if matches.is_empty() { vec![(0, 0)] } else { matches.to_vec() };
    for &(ms, me) in &anchors {
        if out.len() >= max {
            break;
        }
        if !out.is_empty() && ms < shown_until {
            continue;
        }
        // A snippet stays inside the paragraph (line) of its match.
        let para_start = text.upto(ms).iter().rposition(|&c| c == '\n').map_or(0, |k| k + 1);
        let mut para_end = me;
        loop {
            match text.at(para_end) {
                Some('\n') => break,
                Some(_) => para_end += 1,
                None => {
                    // The end of the text (decoded entirely by now).
                    para_end = text.chars.len();
                    break;
                }
            }
        }
        let chars = text.upto(para_end.max(ms) + 1);
        let mlen = me - ms;
        let pad = width.saturating_sub(mlen) / 2;
        let mut start = ms.saturating_sub(pad).max(para_start);
        let mut end = (me + pad).min(para_end);
        if end - start < width {
            if start == para_start {
                end = (start + width).min(para_end);
            } else if end == para_end {
                start = end.saturating_sub(width).max(para_start);
            }
        }
        // Start after a sentence end within 20 characters before `start` (never after the
        // match); end at a sentence end within 20 characters after `end`, included.
        let back = start.saturating_sub(20).max(para_start);
        if let Some(k) = (back..start.min(ms)).rev().find(|&k| is_sentence_end(chars[k])) {
            start = k + 1;
        } else if let Some(k) = (start..ms).find(|&k| is_sentence_end(chars[k])) {
            start = k + 1;
        }
        if let Some(k) =
            (end.max(me)..(end + 20).min(para_end)).find(|&k| is_sentence_end(chars[k]))
        {
            end = k + 1;
        }
        // Never repeat what the previous snippet showed (nor start inside one of its matches).
        start = start.max(shown_until).min(ms);
        while start < ms && chars[start].is_whitespace() {
            start += 1;
        }
        while end > me && chars[end - 1].is_whitespace() {
            end -= 1;
        }
        let snippet_text: String = chars[start..end]
            .iter()
            .map(|&c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let highlights = matches
            .iter()
            .filter(|(s, e)| *s >= start && *e <= end)
            .map(|(s, e)| [s - start, e - start])
            .collect();
        out.push(Snippet {
            text: snippet_text,
            paragraph: paragraph_of(chars, ms),
            offset: start,
            highlights,
        });
        shown_until = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_folded_matches_with_char_offsets() {
        let body = "甲乙。新質生產力很重要，新质生产力！";
        assert_eq!(find_matches(body, &["新质生产力"]), vec![(3, 8), (12, 17)]);
        assert_eq!(find_matches("ＧＤＰ与gdp", &["GDP"]), vec![(0, 3), (4, 7)]);
        assert_eq!(find_matches("哈哈哈", &["哈哈"]), vec![(0, 2)]);
    }

    #[test]
    fn paragraphs_are_non_empty_lines() {
        let chars: Vec<char> = "第一段\n\n第二段\n第三段".chars().collect();
        assert_eq!(paragraph_of(&chars, 0), 1);
        assert_eq!(paragraph_of(&chars, 5), 2);
        assert_eq!(paragraph_of(&chars, 9), 3);
    }

    #[test]
    fn snippet_is_cut_at_sentences_and_highlights_match() {
        let body = format!("{}。我们要发展新质生产力。{}", "前文".repeat(40), "后文".repeat(40));
        let m = find_matches(&body, &["新质生产力"]);
        let s = make_snippets(&body, &m, 2, 40);
        assert_eq!(s.len(), 1);
        let snip = &s[0];
        assert!(snip.text.starts_with("我们要"), "{:?}", snip.text);
        let [a, b] = snip.highlights[0];
        let hl: String = snip.text.chars().skip(a).take(b - a).collect();
        assert_eq!(hl, "新质生产力");
        let from_offset: String = body.chars().skip(snip.offset + a).take(5).collect();
        assert_eq!(from_offset, "新质生产力");
    }

    #[test]
    fn snippets_stay_in_their_paragraph_up_to_the_end_of_the_text() {
        let body = "第一段没有。\n\n第二段有甲乙，还有更多的话。\n最后一段也有甲乙";
        let m = find_matches(body, &["甲乙"]);
        let s = make_snippets(body, &m, 3, 20);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "第二段有甲乙，还有更多的话。");
        assert_eq!((s[0].paragraph, s[0].offset), (2, 8));
        assert_eq!(s[0].highlights, vec![[4, 6]]);
        assert_eq!(s[1].text, "最后一段也有甲乙");
        assert_eq!((s[1].paragraph, s[1].offset), (3, 23));
        assert_eq!(s[1].highlights, vec![[6, 8]]);
        // No match: one snippet from the start, inside the first paragraph.
        assert_eq!(make_snippets(body, &[], 2, 80)[0].text, "第一段没有。");
    }

    #[test]
    fn two_snippets_for_distant_matches() {
        let body = format!("甲{}甲", "乙".repeat(300));
        let m = find_matches(&body, &["甲"]);
        assert_eq!(make_snippets(&body, &m, 2, 80).len(), 2);
        assert_eq!(make_snippets("", &m, 2, 80).len(), 0);
    }
}
