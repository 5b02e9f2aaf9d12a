//! The **words** tokenizer: jieba segmentation of the folded text, for BM25 ranking and word
//! statistics (top words, keyness). It never decides what matches; [`super::exact`] does.
//!
//! jieba (`jieba-rs`, re-exported by `tantivy-jieba`) runs in default (precise) mode with HMM, so
//! that every character belongs to exactly one word and word counts add up. The dictionary is
//! jieba's own plus the project's policy terms (`dict/policy-terms.txt`) plus any user
//! dictionaries, so that 新质生产力 or 供给侧结构性改革 count as one word. Tokens made only of
//! punctuation or whitespace are dropped; positions are word ordinals.
//!
//! | text | tokens |
//! |---|---|
//! | `加快发展新质生产力` | 加快, 发展, 新质生产力 |
//! | `深化供给侧结构性改革。` | 深化, 供给侧结构性改革 |
//! | `GDP增长5%` | gdp, 增长, 5 |
//!
//! The dictionary is loaded once per process on first use (about 0.1 s) and shared by every
//! clone of the tokenizer (tantivy clones analyzers for every query parse): code paths that do
//! not segment words, such as exact counting, never pay for it.

use std::collections::HashMap;
use std::io::BufReader;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::Jieba;

use super::normalize::fold;

/// Name under which the words tokenizer is registered (it folds its input).
pub const WORDS_TOKENIZER: &str = "speechdex_words";
/// Name of the words tokenizer for text that is already folded.
pub const WORDS_PREFOLDED_TOKENIZER: &str = "speechdex_words_prefolded";

/// The project's policy-term dictionary, compiled into the binary.
pub const POLICY_TERMS: &str = include_str!("../../dict/policy-terms.txt");

/// A jieba dictionary set: jieba's default dictionary, the policy terms and user dictionaries,
/// loaded lazily and shared.
#[derive(Debug)]
struct LazyJieba {
    user_dicts: Vec<String>,
    cell: OnceLock<Jieba>,
}

impl LazyJieba {
    fn get(&self) -> &Jieba {
        self.cell.get_or_init(|| {
            let mut jieba = Jieba::new();
            for dict in
                std::iter::once(POLICY_TERMS).chain(self.user_dicts.iter().map(String::as_str))
            {
                // Dictionaries are validated by `validate_dictionary` before they get here.
                let _ = jieba.load_dict(&mut BufReader::new(dict.as_bytes()));
            }
            jieba
        })
    }
}

/// Checks that `contents` is a valid jieba dictionary (`WORD [FREQ [TAG]]` per line); returns
/// the 1-based line and problem of the first bad line.
pub fn validate_dictionary(contents: &str) -> Result<(), (usize, String)> {
    for (i, line) in contents.lines().enumerate() {
        let mut parts = line.split_whitespace();
        let Some(_word) = parts.next() else { continue };
        if let Some(freq) = parts.next()
            && freq.parse::<usize>().is_err()
        {
            return Err((i + 1, format!("frequency {freq:?} is not a whole number")));
        }
    }
    Ok(())
}

/// Tokenizer that cuts folded text into jieba words.
#[derive(Clone, Debug)]
pub struct WordsTokenizer {
    jieba: Arc<LazyJieba>,
    prefolded: bool,
}

impl WordsTokenizer {
    /// A tokenizer with the policy terms and the given user dictionaries (their contents). The
    /// same set of dictionaries gives the same shared, lazily loaded jieba instance.
    pub fn new(user_dicts: &[String]) -> Self {
        static CACHE: OnceLock<Mutex<HashMap<Vec<String>, Arc<LazyJieba>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        let jieba = cache
            .entry(user_dicts.to_vec())
            .or_insert_with(|| {
                Arc::new(LazyJieba { user_dicts: user_dicts.to_vec(), cell: OnceLock::new() })
            })
            .clone();
        WordsTokenizer { jieba, prefolded: false }
    }

    /// Cuts `text` into words (folded), dropping punctuation and whitespace: the same words the
    /// index holds. Returns `(word, char_start, char_end)` in the original text.
    pub fn words(&self, text: &str) -> Vec<(String, usize, usize)> {
        if self.prefolded {
            return self.cut(text);
        }
        self.cut(&fold(text))
    }

    /// The same tokenizer for text that is already folded.
    pub fn prefolded(mut self) -> Self {
        self.prefolded = true;
        self
    }

    fn cut(&self, folded: &str) -> Vec<(String, usize, usize)> {
        self.jieba
            .get()
            .cut(folded, true)
            .into_iter()
            .filter(|t| is_word(t.word))
            .map(|t| (t.word.to_string(), t.start, t.end))
            .collect()
    }
}

/// A token counts as a word when it has at least one letter or digit.
pub fn is_word(token: &str) -> bool {
    token.chars().any(|c| {
        c.is_ascii_alphanumeric()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || (!c.is_ascii() && c.is_alphanumeric())
    })
}

impl Tokenizer for WordsTokenizer {
    type TokenStream<'a> = WordsTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsTokenStream {
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        let words = self.words(text);
        let tokens = words
            .into_iter()
            .enumerate()
            .map(|(position, (text, start, end))| Token {
                offset_from: offsets[start.min(offsets.len() - 1)],
                offset_to: offsets[end.min(offsets.len() - 1)],
                position,
                text,
                position_length: 1,
            })
            .collect::<Vec<_>>();
        WordsTokenStream { tokens: tokens.into_iter(), token: Token::default() }
    }
}

/// Token stream of [`WordsTokenizer`].
#[derive(Debug)]
pub struct WordsTokenStream {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl TokenStream for WordsTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.token = t;
                true
            }
            None => false,
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

    fn words(text: &str) -> Vec<String> {
        WordsTokenizer::new(&[]).words(text).into_iter().map(|w| w.0).collect()
    }

    #[test]
    fn word_table() {
        let table: &[(&str, &[&str])] = &[
            ("加快发展新质生产力", &["加快", "发展", "新质生产力"]),
            ("深化供给侧结构性改革。", &["深化", "供给侧结构性改革"]),
            ("制定“十五五”规划", &["制定", "十五五", "规划"]),
            ("新質生產力", &["新质生产力"]),
            ("，。！", &[]),
        ];
        for (text, expected) in table {
            assert_eq!(
                words(text),
                *expected,
                "words of {text:?}: is the policy dictionary (dict/policy-terms.txt) loaded?"
            );
        }
    }

    #[test]
    fn user_dictionary_adds_words() {
        let user = vec!["青川模式 100000 n".to_string()];
        let tok = WordsTokenizer::new(&user);
        let got: Vec<String> = tok.words("推广青川模式").into_iter().map(|w| w.0).collect();
        assert!(got.contains(&"青川模式".to_string()), "{got:?}");
    }

    #[test]
    fn validates_dictionaries() {
        assert!(validate_dictionary("新词 10 n\n\n另一个\n").is_ok());
        assert_eq!(validate_dictionary("好 1\n坏 x n").unwrap_err().0, 2);
    }

    proptest! {
        #[test]
        fn offsets_are_ascending_char_boundaries(s in "\\PC{0,60}") {
            let mut tok = WordsTokenizer::new(&[]);
            let mut stream = tok.token_stream(&s);
            let mut last_to = 0;
            while stream.advance() {
                let t = stream.token();
                prop_assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
                prop_assert!(t.offset_from >= last_to && t.offset_from < t.offset_to);
                last_to = t.offset_to;
            }
        }
    }
}
