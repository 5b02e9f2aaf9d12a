//! The one normalisation ("folding") used at index time and at query time.
//!
//! [`fold`] maps a text to a text with **exactly the same number of characters**, character by
//! character, so that a character offset in the folded text is the same offset in the original
//! text. Snippets, concordance lines and highlight offsets therefore point into the original
//! speech without any mapping table.
//!
//! | step | example | how |
//! |---|---|---|
//! | traditional → simplified | 新質生產力 → 新质生产力 | `fast2s` (pure Rust, one character out per character in) |
//! | width (NFKC-style) | ＡＢＣ１２３ → ABC123, U+3000 → space | NFKC of the character when it is a single character |
//! | case | GDP → gdp | lowercase when the lowercase is a single character |
//!
//! Characters whose NFKC form is several characters (㎡ → m2, ① → 1 is single, ㈠ → (一) is not)
//! are kept as they are, to preserve the one-to-one mapping.

use unicode_normalization::UnicodeNormalization;

/// Folds `text` for matching: traditional → simplified, width, case. Never changes the number of
/// characters.
///
/// ```
/// use speechdex::analysis::fold;
/// assert_eq!(fold("新質生產力"), "新质生产力");
/// assert_eq!(fold("ＧＤＰ增長５Ｇ"), "gdp增长5g");
/// assert_eq!(fold("㎡").chars().count(), 1);
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // fast2s is context-sensitive for a few characters (prev, cur, next) but always emits one
    // character per character; only 3-byte UTF-8 characters are looked up.
    let simplified = if text.is_ascii() { None } else { Some(fast2s::convert(text)) };
    let source = simplified.as_deref().unwrap_or(text);
    for c in source.chars() {
        out.push(fold_char_width_case(c));
    }
    out
}

/// Folds one character for width and case only (no traditional → simplified, which needs
/// context). Used by [`fold`].
#[inline]
pub fn fold_char_width_case(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // CJK Unified Ideographs and most Chinese punctuation are NFKC-stable and caseless.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return c;
    }
    let c = match c {
        // Full-width ASCII variants: the common case, handled without a table lookup.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => single(c.nfkc()).unwrap_or(c),
    };
    single(c.to_lowercase()).unwrap_or(c)
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    if it.next().is_some() { None } else { Some(first) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CASES: &[(&str, &str)] = &[
        ("新质生产力", "新质生产力"),
        ("新質生產力", "新质生产力"),
        ("ＡＢＣ１２３", "abc123"),
        ("GDP增长5G", "gdp增长5g"),
        ("５５ＧＷｈ", "55gwh"),
        ("全　角", "全 角"),
        ("（示例）", "(示例)"),
        ("“十五五”", "“十五五”"),
        ("Ⅻ", "ⅻ"),
        ("㎡", "㎡"),
        ("", ""),
    ];

    #[test]
    fn folds_table() {
        for (input, expected) in CASES {
            assert_eq!(
                fold(input),
                *expected,
                "fold({input:?}): the width/case/traditional tables disagree with the expected form"
            );
        }
    }

    proptest! {
        #[test]
        fn preserves_char_count(s in "\\PC{0,64}") {
            prop_assert_eq!(fold(&s).chars().count(), s.chars().count());
        }

        #[test]
        fn idempotent_on_cjk_and_ascii(s in "[a-zA-Z0-9\u{4e00}-\u{9fff}\u{ff01}-\u{ff5e} ]{0,64}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
