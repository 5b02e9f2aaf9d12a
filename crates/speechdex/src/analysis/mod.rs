//! Normalisation and the two tokenizers.
//!
//! * [`fold`]: the one normalisation (traditional → simplified, width, case), used at index time
//!   and query time, that keeps character offsets unchanged.
//! * [`exact`]: character bigrams with character positions — decides what matches and every count.
//! * [`words`]: jieba words — ranks (BM25) and feeds word statistics.
//! * [`sentences`]: the one definition of sentences and paragraphs (scopes, `kwic --sentence`,
//!   `diff`).
//!
//! This module knows nothing of the index layout; [`register`] only installs the tokenizers on a
//! tantivy index under the names in [`EXACT_TOKENIZER`] and [`WORDS_TOKENIZER`]. Tokenizers are
//! not stored in a tantivy index, so [`register`] must run after every open.

pub mod boilerplate;
pub mod exact;
pub mod normalize;
pub mod sentences;
pub mod words;

pub use exact::{EXACT_PREFOLDED_TOKENIZER, EXACT_TOKENIZER, ExactTokenizer, phrase_terms};
pub use normalize::fold;
pub use words::{WORDS_PREFOLDED_TOKENIZER, WORDS_TOKENIZER, WordsTokenizer};

/// Version of the analysis chain. An index built with another version must be rebuilt: bump it
/// whenever [`fold`], the exact tokenizer or the words tokenizer changes what they produce.
pub const ANALYZER_VERSION: u32 = 1;

/// Registers both tokenizers on `index`, the words tokenizer with the given user dictionaries
/// (their contents).
pub fn register(index: &tantivy::Index, user_dicts: &[String]) {
    let tokenizers = index.tokenizers();
    tokenizers.register(EXACT_TOKENIZER, ExactTokenizer { prefolded: false });
    tokenizers.register(EXACT_PREFOLDED_TOKENIZER, ExactTokenizer { prefolded: true });
    let words = WordsTokenizer::new(user_dicts);
    tokenizers.register(WORDS_PREFOLDED_TOKENIZER, words.clone().prefolded());
    tokenizers.register(WORDS_TOKENIZER, words);
}

/// A fingerprint of the dictionaries the words tokenizer uses (policy terms + user
/// dictionaries); an index built with a different fingerprint must be rebuilt.
pub fn dictionary_fingerprint(user_dicts: &[String]) -> u64 {
    let mut all = String::from(words::POLICY_TERMS);
    for d in user_dicts {
        all.push('\u{0}');
        all.push_str(d);
    }
    xxhash_rust::xxh3::xxh3_64(all.as_bytes())
}
