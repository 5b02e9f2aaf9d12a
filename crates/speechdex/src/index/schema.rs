//! The index schema: field names as constants, and [`Fields`], the resolved field handles.
//!
//! | field | type | indexed as | stored | fast | used for |
//! |---|---|---|---|---|---|
//! | `id` | str | raw | yes | yes | stable speech id, updates and deletes |
//! | `path` | str | raw | yes | yes | the file a speech came from |
//! | `line` | u64 | – | yes | – | citing a JSONL line / CSV row |
//! | `title` | text | exact bigrams + positions | yes | – | `title:` filter, display |
//! | `title_words` | text | jieba words, freqs | – | – | BM25 title boost |
//! | `body` | text | – | yes (zstd) | – | snippets, concordance, `show` |
//! | `body_exact` | text | exact bigrams + positions | – | – | matching and every count |
//! | `body_words` | text | jieba words, freqs | – | – | BM25 ranking (boilerplate left out), word statistics |
//! | `speaker`, `region`, `kind`, `tags` | text | exact bigrams + positions | yes | raw | filters, grouping |
//! | `year` | i64 | yes | yes | yes | `year:` filter, trends (absent when unknown) |
//! | `date` | i64 `YYYYMMDD` | yes | – | yes | `date:` filter, sorting |
//! | `date_text` | str | – | yes | – | display |
//! | `published`, `venue`, `source`, `url`, `inferred` | str | – | yes | raw | display, the field audit of `stats` |
//! | `chars` | u64 | – | yes | yes | rates per 10,000 characters |
//! | `hash` | u64 | – | yes | yes | incremental builds: unchanged speeches are skipped |
//! | `lines` | u64, many | – | – | yes | hashes of the short lines: boilerplate repeated across speeches |
//!
//! The body is folded once by the indexer and both body fields receive the folded text (their
//! tokenizers are the `prefolded` variants); the other fields fold in their tokenizer.
//! The word fields keep frequencies but no positions (positions are ~45% of an index and only
//! the exact field needs them).

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{
    EXACT_PREFOLDED_TOKENIZER, EXACT_TOKENIZER, WORDS_PREFOLDED_TOKENIZER, WORDS_TOKENIZER,
};

/// Field names. Never repeat these as literals elsewhere.
pub mod names {
    #![allow(missing_docs)]
    pub const ID: &str = "id";
    pub const PATH: &str = "path";
    pub const LINE: &str = "line";
    pub const TITLE: &str = "title";
    pub const TITLE_WORDS: &str = "title_words";
    pub const BODY: &str = "body";
    pub const BODY_EXACT: &str = "body_exact";
    pub const BODY_WORDS: &str = "body_words";
    pub const SPEAKER: &str = "speaker";
    pub const REGION: &str = "region";
    pub const KIND: &str = "kind";
    pub const TAGS: &str = "tags";
    pub const YEAR: &str = "year";
    pub const DATE: &str = "date";
    pub const DATE_TEXT: &str = "date_text";
    pub const PUBLISHED: &str = "published";
    pub const VENUE: &str = "venue";
    pub const SOURCE: &str = "source";
    pub const URL: &str = "url";
    pub const INFERRED: &str = "inferred";
    pub const CHARS: &str = "chars";
    pub const HASH: &str = "hash";
    pub const LINES: &str = "lines";
}

/// Resolved handles of every field of the schema.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct Fields {
    pub id: Field,
    pub path: Field,
    pub line: Field,
    pub title: Field,
    pub title_words: Field,
    pub body: Field,
    pub body_exact: Field,
    pub body_words: Field,
    pub speaker: Field,
    pub region: Field,
    pub kind: Field,
    pub tags: Field,
    pub year: Field,
    pub date: Field,
    pub date_text: Field,
    pub published: Field,
    pub venue: Field,
    pub source: Field,
    pub url: Field,
    pub inferred: Field,
    pub chars: Field,
    pub hash: Field,
    pub lines: Field,
}

fn exact_options(tokenizer: &str, stored: bool, fast: bool) -> TextOptions {
    let mut opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    if stored {
        opts = opts.set_stored();
    }
    if fast {
        opts = opts.set_fast("raw");
    }
    opts
}

fn words_options(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

/// The `date` fast field's value of a day: `YYYYMMDD`.
pub fn day_key(day: jiff::civil::Date) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// The chronological sort key of a speech, from its `date` and `year` fast fields: `YYYYMMDD`,
/// or `YYYY9999` for a speech known only by its year (it counts as the last day of that year,
/// after the dated speeches of the year); `None` when both are unknown. Every listing by date
/// (search `--sort date`, verify, trend's first and last, kwic) uses this one rule.
pub fn chrono_key(date: Option<i64>, year: Option<i64>) -> Option<i64> {
    date.or_else(|| year.map(|y| y * 10_000 + 9_999))
}

/// Builds the schema.
pub fn build_schema() -> Schema {
    use names::*;
    let mut b = Schema::builder();
    b.add_text_field(ID, STRING | STORED | FAST);
    b.add_text_field(PATH, STRING | STORED | FAST);
    b.add_u64_field(LINE, STORED);
    b.add_text_field(TITLE, exact_options(EXACT_TOKENIZER, true, false));
    b.add_text_field(TITLE_WORDS, words_options(WORDS_TOKENIZER));
    b.add_text_field(BODY, STORED);
    b.add_text_field(BODY_EXACT, exact_options(EXACT_PREFOLDED_TOKENIZER, false, false));
    b.add_text_field(BODY_WORDS, words_options(WORDS_PREFOLDED_TOKENIZER));
    for name in [SPEAKER, REGION, KIND, TAGS] {
        b.add_text_field(name, exact_options(EXACT_TOKENIZER, true, true));
    }
    b.add_i64_field(YEAR, INDEXED | STORED | FAST);
    b.add_i64_field(DATE, INDEXED | FAST);
    b.add_text_field(DATE_TEXT, STORED);
    for name in [PUBLISHED, VENUE, SOURCE, URL, INFERRED] {
        b.add_text_field(name, STORED | FAST);
    }
    b.add_u64_field(CHARS, STORED | FAST);
    b.add_u64_field(HASH, STORED | FAST);
    b.add_u64_field(LINES, FAST);
    b.build()
}

impl Fields {
    /// Resolves the fields of `schema`; fails when the schema is not speechdex's.
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        use names::*;
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f(ID)?,
            path: f(PATH)?,
            line: f(LINE)?,
            title: f(TITLE)?,
            title_words: f(TITLE_WORDS)?,
            body: f(BODY)?,
            body_exact: f(BODY_EXACT)?,
            body_words: f(BODY_WORDS)?,
            speaker: f(SPEAKER)?,
            region: f(REGION)?,
            kind: f(KIND)?,
            tags: f(TAGS)?,
            year: f(YEAR)?,
            date: f(DATE)?,
            date_text: f(DATE_TEXT)?,
            published: f(PUBLISHED)?,
            venue: f(VENUE)?,
            source: f(SOURCE)?,
            url: f(URL)?,
            inferred: f(INFERRED)?,
            chars: f(CHARS)?,
            hash: f(HASH)?,
            lines: f(LINES)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speech_known_by_its_year_sorts_after_the_dated_speeches_of_that_year() {
        let day = |s: &str| day_key(s.parse().unwrap());
        assert_eq!(day("2024-03-05"), 20_240_305);
        let dated = chrono_key(Some(day("2024-12-31")), Some(2024));
        let year_only = chrono_key(None, Some(2024));
        let next_year = chrono_key(Some(day("2025-01-01")), Some(2025));
        assert!(dated < year_only && year_only < next_year);
        assert_eq!(chrono_key(None, None), None);
    }
}
