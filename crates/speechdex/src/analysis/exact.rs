//! The **exact** tokenizer: overlapping character bigrams over the folded text, one token per
//! character position, positions in character order.
//!
//! Every character position `i` of the folded text (except line breaks) emits exactly one token
//! that starts with the character at `i`: the bigram `c[i]c[i+1]`, or the unigram `c[i]` when
//! `i` is the last character or `c[i+1]` is a line break. Consequences, which [`crate::search`]
//! and [`crate::stats`] rely on:
//!
//! * a phrase of `n ≥ 2` characters occurs at position `p` exactly when the token at `p + k` is
//!   its `k`-th bigram for every `k` — a phrase query over these tokens is a substring test;
//! * a one-character query `c` occurs at `p` exactly when the token at `p` starts with `c`, so
//!   the sum of term frequencies of all terms with prefix `c` is its count;
//! * latin letters and digits are characters like any other: `5g` is found inside `55gwh`.
//!
//! | text | tokens (position) |
//! |---|---|
//! | `新质生产力` | 新质 (0), 质生 (1), 生产 (2), 产力 (3), 力 (4) |
//! | `5G基站` | 5g (0), g基 (1), 基站 (2), 站 (3) |
//! | `甲\n乙` | 甲 (0), 乙 (2) |

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::normalize::fold;

/// Name under which the exact tokenizer is registered (it folds its input).
pub const EXACT_TOKENIZER: &str = "speechdex_exact";
/// Name of the exact tokenizer for text that is already folded (the indexer folds a body once
/// and gives the folded text to both body fields).
pub const EXACT_PREFOLDED_TOKENIZER: &str = "speechdex_exact_prefolded";

/// Tokenizer producing one bigram (or final unigram) per character position of the folded text.
#[derive(Clone, Debug, Default)]
pub struct ExactTokenizer {
    /// The input is already folded: do not fold again.
    pub prefolded: bool,
}

/// Whether a character breaks bigrams (no token spans it, none starts with it).
#[inline]
pub fn is_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// The terms (and their offsets in characters) that locate `phrase` (already folded) in the exact
/// field: bigrams at offsets 0, 2, 4, … and the last bigram, which together cover every
/// character. Returns `None` for an empty phrase and a phrase containing a line break; a
/// one-character phrase gives its character alone (to be used as a prefix).
pub fn phrase_terms(phrase: &str) -> Option<Vec<(String, usize)>> {
    let chars: Vec<char> = phrase.chars().collect();
    if chars.is_empty() || chars.iter().any(|&c| is_break(c)) {
        return None;
    }
    if chars.len() == 1 {
        return Some(vec![(chars[0].to_string(), 0)]);
    }
    let last = chars.len() - 2;
    let mut out = Vec::with_capacity(chars.len() / 2 + 1);
    let mut k = 0;
    loop {
        let k_eff = k.min(last);
        out.push((chars[k_eff..k_eff + 2].iter().collect(), k_eff));
        if k_eff == last {
            break;
        }
        k += 2;
    }
    Some(out)
}

impl Tokenizer for ExactTokenizer {
    type TokenStream<'a> = ExactTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ExactTokenStream<'a> {
        // Folding keeps the number of characters, so character positions are the same in the
        // folded and the original text. Byte offsets are those of the folded text.
        let text: std::borrow::Cow<'a, str> =
            if self.prefolded { text.into() } else { fold(text).into() };
        ExactTokenStream { text, byte: 0, position: 0, token: Token::default() }
    }
}

/// Token stream of [`ExactTokenizer`].
#[derive(Debug)]
pub struct ExactTokenStream<'a> {
    text: std::borrow::Cow<'a, str>,
    byte: usize,
    position: usize,
    token: Token,
}

impl TokenStream for ExactTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let rest = &self.text[self.byte..];
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { return false };
            let from = self.byte;
            self.byte += c.len_utf8();
            let position = self.position;
            self.position += 1;
            if is_break(c) {
                continue;
            }
            self.token.text.clear();
            self.token.text.push(c);
            let mut to = self.byte;
            if let Some(d) = chars.next()
                && !is_break(d)
            {
                self.token.text.push(d);
                to += d.len_utf8();
            }
            self.token.position = position;
            self.token.position_length = 1;
            self.token.offset_from = from;
            self.token.offset_to = to;
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut tok = ExactTokenizer::default();
        let mut stream = tok.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position));
        }
        out
    }

    macro_rules! table {
        ($($text:expr => [$(($tok:expr, $pos:expr)),* $(,)?]),* $(,)?) => {
            $(
                let expected: Vec<(String, usize)> = vec![$(($tok.to_string(), $pos)),*];
                assert_eq!(
                    tokens($text), expected,
                    "exact tokens of {:?}: bigrams must start at every character position and \
                     the last character (or one before a line break) is a unigram", $text
                );
            )*
        };
    }

    #[test]
    fn token_table() {
        table! {
            "新质生产力" => [("新质", 0), ("质生", 1), ("生产", 2), ("产力", 3), ("力", 4)],
            "5G基站" => [("5g", 0), ("g基", 1), ("基站", 2), ("站", 3)],
            "甲\n乙" => [("甲", 0), ("乙", 2)],
            "新質" => [("新质", 0), ("质", 1)],
            "Ａ" => [("a", 0)],
            "" => [],
            "\r\n" => [],
        }
    }

    #[test]
    fn phrase_terms_cover_every_character() {
        assert_eq!(phrase_terms(""), None);
        assert_eq!(phrase_terms("甲\n乙"), None);
        assert_eq!(phrase_terms("新"), Some(vec![("新".into(), 0)]));
        assert_eq!(phrase_terms("新质"), Some(vec![("新质".into(), 0)]));
        assert_eq!(phrase_terms("新质生"), Some(vec![("新质".into(), 0), ("质生".into(), 1)]));
        assert_eq!(
            phrase_terms("新质生产力"),
            Some(vec![("新质".into(), 0), ("生产".into(), 2), ("产力".into(), 3)])
        );
    }

    proptest! {
        #[test]
        fn offsets_are_ascending_char_boundaries(raw in "\\PC{0,80}") {
            // Offsets are byte offsets in the text tokenized: the folded text (folding keeps the
            // number of characters, not of bytes: Ⱥ → ⱥ is 2 → 3 bytes).
            let s = fold(&raw);
            let mut tok = ExactTokenizer::default();
            let mut stream = tok.token_stream(&raw);
            let mut last = None;
            while stream.advance() {
                let t = stream.token();
                prop_assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
                prop_assert!(t.offset_from < t.offset_to && t.offset_to <= s.len());
                if let Some((from, pos)) = last {
                    prop_assert!(t.offset_from > from && t.position > pos);
                }
                last = Some((t.offset_from, t.position));
            }
        }

        #[test]
        fn n_cjk_chars_give_n_minus_one_bigrams(s in "[\u{4e00}-\u{9fa5}]{1,60}") {
            let toks = tokens(&s);
            let n = s.chars().count();
            prop_assert_eq!(toks.len(), n);
            prop_assert_eq!(toks.iter().filter(|(t, _)| t.chars().count() == 2).count(), n - 1);
        }

        #[test]
        fn phrase_terms_spell_the_phrase(s in "[a-z0-9\u{4e00}-\u{9fa5}]{1,30}") {
            let chars: Vec<char> = s.chars().collect();
            let terms = phrase_terms(&s).unwrap();
            let mut covered = vec![false; chars.len()];
            for (term, off) in &terms {
                for (j, c) in term.chars().enumerate() {
                    prop_assert_eq!(chars[off + j], c);
                    covered[off + j] = true;
                }
            }
            prop_assert!(covered.iter().all(|&c| c));
        }
    }
}
