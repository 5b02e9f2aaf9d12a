//! The **words** tokenizer: jieba segmentation of the folded text, for BM25 ranking and word
//! statistics (top words, keyness). It never decides what matches; [`super::exact`] does.
//!
//! jieba (`jieba-rs`, re-exported by `tantivy-jieba`) runs in default (precise) mode with HMM, so
//! that every character belongs to exactly one word and word counts add up. The dictionary is
//! jieba's own plus the project's policy terms (`crates/speechdex/dict/policy-terms.txt`) plus any user
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

/// Text cut into words at a time (bytes, then up to the next safe break): the token stream
/// holds the tokens of one chunk, not of the whole text, so that a speech of hundreds of
/// megabytes does not need gigabytes of tokens at once.
const CHUNK_BYTES: usize = 256 * 1024;

/// A character after which jieba's segmentation can be cut without changing it: jieba emits
/// whitespace (except the `\r` of `\r\n`) and CJK punctuation as one-character tokens and never
/// joins them to their neighbours (jieba-rs `cut_each`: only the `is_han_default` class forms
/// blocks).
fn is_safe_break(c: char) -> bool {
    matches!(c, '\n' | ' ' | '\t' | '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
}

/// The end of the chunk of `text` starting at `start`: just after the first safe break at least
/// [`CHUNK_BYTES`] further, or the end of the text.
fn chunk_end(text: &str, start: usize) -> usize {
    let mut from = start + CHUNK_BYTES;
    if from >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(from) {
        from += 1;
    }
    match text[from..].char_indices().find(|&(_, c)| is_safe_break(c)) {
        Some((i, c)) => from + i + c.len_utf8(),
        None => text.len(),
    }
}

/// A word of the chunk being consumed: where its (folded) text is, and its byte offsets in the
/// original text.
#[derive(Debug, Clone, Copy)]
struct Word {
    text: (usize, usize),
    from: usize,
    to: usize,
}

impl Tokenizer for WordsTokenizer {
    type TokenStream<'a> = WordsTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsTokenStream<'a> {
        WordsTokenStream {
            tokenizer: self,
            text,
            next_chunk: 0,
            folded: String::new(),
            words: Vec::new(),
            next_word: 0,
            position: 0,
            token: Token::default(),
        }
    }
}

/// Token stream of [`WordsTokenizer`]: cuts the text chunk by chunk, as it is consumed. A
/// chunk's words are kept as byte ranges and copied into the one token as they are read (no
/// string per word).
#[derive(Debug)]
pub struct WordsTokenStream<'a> {
    tokenizer: &'a WordsTokenizer,
    text: &'a str,
    next_chunk: usize,
    /// The current chunk folded (unless the tokenizer is `prefolded`: the words are then
    /// ranges of `text`).
    folded: String,
    words: Vec<Word>,
    next_word: usize,
    position: usize,
    token: Token,
}

impl WordsTokenStream<'_> {
    /// Cuts the chunk `start..end` of the text into `self.words`.
    fn cut_chunk(&mut self, start: usize, end: usize) {
        self.words.clear();
        self.next_word = 0;
        let chunk = &self.text[start..end];
        let jieba = self.tokenizer.jieba.get();
        if self.tokenizer.prefolded {
            for t in jieba.cut(chunk, true) {
                if is_word(t.word) {
                    let (from, to) = (start + t.byte_start, start + t.byte_end);
                    self.words.push(Word { text: (from, to), from, to });
                }
            }
            return;
        }
        // Folding keeps the characters but not always their lengths (full-width → half-width):
        // offsets go through character indices.
        self.folded = fold(chunk);
        let mut offsets: Vec<usize> = chunk.char_indices().map(|(i, _)| start + i).collect();
        offsets.push(end);
        let at = |i: usize| offsets[i.min(offsets.len() - 1)];
        for t in jieba.cut(&self.folded, true) {
            if is_word(t.word) {
                let text = (t.byte_start, t.byte_end);
                self.words.push(Word { text, from: at(t.start), to: at(t.end) });
            }
        }
    }
}

impl TokenStream for WordsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(&word) = self.words.get(self.next_word) {
                self.next_word += 1;
                let source = if self.tokenizer.prefolded { self.text } else { &self.folded };
                self.token.text.clear();
                self.token.text.push_str(&source[word.text.0..word.text.1]);
                self.token.offset_from = word.from;
                self.token.offset_to = word.to;
                self.token.position = self.position;
                self.token.position_length = 1;
                self.position += 1;
                return true;
            }
            if self.next_chunk >= self.text.len() {
                return false;
            }
            let start = self.next_chunk;
            self.next_chunk = chunk_end(self.text, start);
            self.cut_chunk(start, self.next_chunk);
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

    /// Every token of `text`: (text, offset_from, offset_to, position).
    fn stream(tok: &mut WordsTokenizer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = tok.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    /// Cutting a long text chunk by chunk gives the tokens of cutting it whole (issue 7: a
    /// 200 MB speech held about 27 bytes of tokens per byte of text).
    #[test]
    fn chunks_give_the_tokens_of_the_whole_text() {
        let mut tok = WordsTokenizer::new(&[]);
        let para = "加快发展新质生产力，深化供给侧结构性改革。GDP增长5%\r\n推进乡村全面振兴 一以贯之　坚持稳中求进；";
        for (name, text) in [
            ("paragraphs", para.repeat(CHUNK_BYTES / para.len() * 3)),
            ("one line", para.replace(['\n', '\r'], "").repeat(CHUNK_BYTES / para.len() * 3)),
            ("no break at all", "新质生产力".repeat(CHUNK_BYTES / 5)),
        ] {
            let whole: Vec<_> = {
                let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                offsets.push(text.len());
                tok.words(&text)
                    .into_iter()
                    .enumerate()
                    .map(|(p, (w, s, e))| (w, offsets[s], offsets[e], p))
                    .collect()
            };
            let chunked = stream(&mut tok, &text);
            assert!(text.len() > 2 * CHUNK_BYTES, "{name}");
            assert_eq!(chunked.len(), whole.len(), "{name}");
            assert!(chunked == whole, "{name}: the chunked tokens differ");
        }
        assert!(stream(&mut tok, "").is_empty());
        // The prefolded tokenizer (the body's) on folded text: the same words, as ranges.
        let mut pre = WordsTokenizer::new(&[]).prefolded();
        let text = fold(&para.repeat(CHUNK_BYTES / para.len() * 3));
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        let whole: Vec<_> = pre
            .words(&text)
            .into_iter()
            .enumerate()
            .map(|(p, (w, s, e))| (w, offsets[s], offsets[e], p))
            .collect();
        assert!(stream(&mut pre, &text) == whole, "prefolded: the chunked tokens differ");
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
