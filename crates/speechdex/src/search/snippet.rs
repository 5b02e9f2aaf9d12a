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

/// Up to `max` snippets of about `width` characters around `matches` (sorted character ranges),
/// each centred on a match not shown by an earlier snippet. Without matches, one snippet from
/// the start of the text.
pub fn make_snippets(
    body: &str,
    matches: &[(usize, usize)],
    max: usize,
    width: usize,
) -> Vec<Snippet> {
    make_snippets_utf8(body.as_bytes(), matches, max, width)
}

/// [`make_snippets`] over a text's UTF-8 bytes, without decoding all of it: character offsets
/// are found by counting the bytes that start a character, and only the passage around each
/// snippet (its paragraph, at most `width` + 24 characters on each side of the match) is
/// decoded. Invalid UTF-8 is shown replaced, never a panic.
fn make_snippets_utf8(
    body: &[u8],
    matches: &[(usize, usize)],
    max: usize,
    width: usize,
) -> Vec<Snippet> {
    if body.is_empty() || max == 0 {
        return Vec::new();
    }
    // Saturating: `width` comes from callers (any `usize`), and a panic is never an answer.
    let reach = width.saturating_add(24);
    let mut cursor = Cursor::default();
    let mut paragraphs = Paragraphs::default();
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
        let Some(ms_b) = cursor.seek(body, ms) else { break };
        let me_b = cursor.seek(body, me).unwrap_or(body.len());
        // The paragraph (line) of the match, in bytes; `\n` never occurs inside a character.
        let para_start_b = body[..ms_b].iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
        let para_end_b =
            body[me_b..].iter().position(|&b| b == b'\n').map_or(body.len(), |k| me_b + k);
        // The passage decoded: up to `reach` characters before and after the match.
        let (win_start_b, back) = back_chars(body, ms_b, para_start_b, reach);
        let win_end_b = forward_chars(body, me_b, para_end_b, reach);
        let window = String::from_utf8_lossy(&body[win_start_b..win_end_b.max(win_start_b)]);
        let chars: Vec<char> = window.chars().collect();
        let base = ms.saturating_sub(back);
        let (lms, lme) = (back, (back + me.saturating_sub(ms)).min(chars.len()));
        let paragraph = paragraphs.of(body, para_start_b, ms_b);
        let Some((start, end)) = cut(&chars, lms, lme, width, shown_until.saturating_sub(base))
        else {
            continue;
        };
        let snippet_text: String = chars[start..end]
            .iter()
            .map(|&c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let (start, end) = (start + base, end + base);
        let highlights = matches
            .iter()
            .filter(|(s, e)| *s >= start && *e <= end)
            .map(|(s, e)| [s - start, e - start])
            .collect();
        out.push(Snippet { text: snippet_text, paragraph, offset: start, highlights });
        shown_until = end;
    }
    out
}

/// Where a snippet starts and ends in `chars` (a paragraph, or the part of it around the match
/// `[ms, me)`), as in the doc of [`make_snippets`]: centred on the match, widened to `width`
/// at the paragraph's edges, cut at sentence ends, never before `shown_until`.
fn cut(
    chars: &[char],
    ms: usize,
    me: usize,
    width: usize,
    shown_until: usize,
) -> Option<(usize, usize)> {
    let (para_start, para_end) = (0, chars.len());
    if ms > me || me > para_end {
        // Only with positions that do not fit the text (a damaged index).
        return None;
    }
    let mlen = me - ms;
    let pad = width.saturating_sub(mlen) / 2;
    let mut start = ms.saturating_sub(pad).max(para_start);
    let mut end = me.saturating_add(pad).min(para_end);
    if end - start < width {
        if start == para_start {
            end = start.saturating_add(width).min(para_end);
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
    if let Some(k) = (end.max(me)..(end + 20).min(para_end)).find(|&k| is_sentence_end(chars[k])) {
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
    Some((start, end.max(start)))
}

/// Whether byte `b` starts a UTF-8 character (is not a continuation byte `10xxxxxx`).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// Finds byte offsets of character offsets, moving forward only.
#[derive(Default)]
struct Cursor {
    /// A byte offset …
    byte: usize,
    /// … and the number of characters starting before it.
    chars: usize,
}

impl Cursor {
    /// The byte offset of character `k` (`Some(len)` for the end of the text), or `None` when
    /// the text is shorter. Fastest when `k` is not less than the one before.
    fn seek(&mut self, text: &[u8], k: usize) -> Option<usize> {
        const CHUNK: usize = 1024;
        if k < self.chars {
            // Never needed for sorted matches; cheap insurance for unsorted ones.
            *self = Cursor::default();
        }
        // Whole chunks that end before character `k` starts: counted (SIMD), not walked.
        while self.byte + CHUNK <= text.len() {
            let n = bytecount::num_chars(&text[self.byte..self.byte + CHUNK]);
            if self.chars + n > k {
                break;
            }
            self.byte += CHUNK;
            self.chars += n;
        }
        while self.byte < text.len() {
            if starts_char(text[self.byte]) {
                if self.chars == k {
                    return Some(self.byte);
                }
                self.chars += 1;
            }
            self.byte += 1;
        }
        (self.chars == k).then_some(text.len())
    }
}

/// From byte `from` (a character start), up to `n` characters back but not before `floor`:
/// the byte reached and the characters stepped over.
fn back_chars(text: &[u8], from: usize, floor: usize, n: usize) -> (usize, usize) {
    let (mut at, mut stepped) = (from, 0);
    while stepped < n && at > floor {
        at -= 1;
        while at > floor && !starts_char(text[at]) {
            at -= 1;
        }
        // `floor` may be a continuation byte in invalid UTF-8: not a character of its own.
        if starts_char(text[at]) {
            stepped += 1;
        }
    }
    (at, stepped)
}

/// From byte `from`, up to `n` characters forward but not after `ceiling`: the byte reached.
fn forward_chars(text: &[u8], from: usize, ceiling: usize, n: usize) -> usize {
    let (mut at, mut stepped) = (from, 0);
    while stepped < n && at < ceiling {
        at += 1;
        while at < ceiling && !starts_char(text[at]) {
            at += 1;
        }
        stepped += 1;
    }
    at
}

/// Counts paragraphs (non-empty lines) of a UTF-8 text, moving forward only.
#[derive(Default)]
struct Paragraphs {
    /// A line start …
    line: usize,
    /// … and the non-empty lines before it.
    before: usize,
}

impl Paragraphs {
    /// The 1-based paragraph of the character at byte `at`, whose line starts at byte
    /// `line_start` (as [`paragraph_of`] counts: its own line counts once text starts at or
    /// before `at`).
    fn of(&mut self, text: &[u8], line_start: usize, at: usize) -> usize {
        if line_start < self.line {
            // Never needed for sorted matches, as for `Cursor`.
            *self = Paragraphs::default();
        }
        let mut from = self.line;
        for nl in memchr::memchr_iter(b'\n', &text[self.line..line_start]) {
            let end = self.line + nl;
            if has_text(&text[from..end]) {
                self.before += 1;
            }
            from = end + 1;
        }
        // `line_start` follows a `\n` (or is 0): every line before it was counted.
        self.line = line_start;
        let end = forward_chars(text, at, text.len(), 1);
        let own = usize::from(has_text(&text[line_start..end.max(line_start)]));
        (self.before + own).max(1)
    }
}

/// Whether a line holds a character that is not whitespace.
fn has_text(line: &[u8]) -> bool {
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b < 0x80 {
            if !(b as char).is_whitespace() {
                return true;
            }
            i += 1;
            continue;
        }
        let len = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        match line.get(i..i + len).and_then(|c| std::str::from_utf8(c).ok()) {
            Some(c) if c.chars().all(char::is_whitespace) => i += len,
            _ => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    // The implementation before `make_snippets_utf8` (decoding every character up to the
    // snippet): the oracle of the property test below.
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
    fn reference_snippets(
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

    #[test]
    fn finds_folded_matches_with_char_offsets() {
        let body = "甲乙。新質生產力很重要，新质生产力！";
        assert_eq!(find_matches(body, &["新质生产力"]), vec![(3, 8), (12, 17)]);
        assert_eq!(find_matches("ＧＤＰ与gdp", &["GDP"]), vec![(0, 3), (4, 7)]);
        assert_eq!(find_matches("哈哈哈", &["哈哈"]), vec![(0, 2)]);
    }

    /// Any width and count are answered, the largest included (no overflow).
    #[test]
    fn huge_widths_do_not_overflow() {
        let body = "第一段。\n发展新质生产力，推动高质量发展。\n第三段";
        let m = find_matches(body, &["新质生产力"]);
        for width in [usize::MAX, usize::MAX - 24, usize::MAX / 2 + 1] {
            let s = make_snippets(body, &m, usize::MAX, width);
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].text, "发展新质生产力，推动高质量发展。");
            assert_eq!(s[0].highlights, vec![[2, 7]]);
        }
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

    fn text_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "甲",
            "乙",
            "发展",
            "。",
            "，",
            "！",
            "\n",
            "\n\n",
            " ",
            "\u{3000}",
            "a",
            "é",
            "𠀀",
            "新质生产力",
            "\r\n",
            "；",
        ]);
        proptest::collection::vec(piece, 0..1500).prop_map(|v| v.concat())
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn byte_snippets_equal_the_char_by_char_ones(
            body in text_strategy(),
            phrase in proptest::sample::select(vec!["甲", "发展", "甲乙", "新质生产力", "。"]),
            max in 0usize..4,
            width in 0usize..60,
        ) {
            let m = find_matches(&body, &[phrase]);
            proptest::prop_assert_eq!(
                make_snippets(&body, &m, max, width),
                reference_snippets(&body, &m, max, width)
            );
        }

        #[test]
        fn cursor_finds_the_byte_offset_of_every_character(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', 0xC3, 0xA9, 0xE4, 0xB8, 0x80, 0xF0, b'\n']),
                0..5000,
            ),
            wanted in proptest::collection::vec(0usize..6000, 1..8),
        ) {
            // Any bytes (valid UTF-8 or not): byte offset of the k-th byte that is not a
            // continuation byte, as a plain scan finds it.
            let starts: Vec<usize> =
                (0..bytes.len()).filter(|&i| starts_char(bytes[i])).collect();
            let naive = |k: usize| match starts.get(k) {
                Some(&b) => Some(b),
                None => (k == starts.len()).then_some(bytes.len()),
            };
            let mut wanted = wanted;
            wanted.sort_unstable();
            let mut cursor = Cursor::default();
            for &k in &wanted {
                proptest::prop_assert_eq!(cursor.seek(&bytes, k), naive(k), "k = {}", k);
            }
        }

        #[test]
        fn never_panics_on_any_bytes(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            starts in proptest::collection::vec(0usize..400, 0..6),
            max in 0usize..4,
        ) {
            let mut m: Vec<(usize, usize)> = starts.iter().map(|&s| (s, s + 2)).collect();
            m.sort_unstable();
            let _ = make_snippets_utf8(&body, &m, max, 40);
        }
    }
}
