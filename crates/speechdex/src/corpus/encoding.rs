//! Turning a file's bytes into text: BOM handling, encoding detection, binary-file rejection.
//!
//! This module owns the answer to "what text does this file hold?". The rules, in order:
//!
//! 1. A forced encoding (`--encoding`) is used as is; a BOM is stripped only when it matches it.
//! 2. A BOM (UTF-8, UTF-16LE, UTF-16BE) decides the encoding and is stripped.
//! 3. NUL bytes mean UTF-16 without a BOM when they sit at alternating positions and the result
//!    reads as text; otherwise the file is binary.
//! 4. Valid UTF-8 is UTF-8. Almost-valid UTF-8 (a few broken sequences among many good ones, or a
//!    truncated last character) is an error rather than a wrong guess.
//! 5. Anything else is guessed with chardetng (GBK is read as its superset GB18030) and decoded
//!    without replacement: malformed bytes are an error that names the byte offset.
//!
//! The decoded text is returned unchanged apart from the BOM: line endings are kept as given.
//!
//! [`decode`] fails at the first malformed sequence. The readers of one-record-a-line formats
//! (JSONL, CSV) use [`decode_tolerant`] instead: it decodes the whole file in the detected
//! encoding, puts U+FFFD where bytes are malformed and lists those places, so that only the lines
//! or rows that hold them are skipped.

use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

/// Parses an encoding label given by the user (`--encoding`), using the WHATWG label names
/// (`utf-8`, `gb18030`, `gbk`, `utf-16le`, `utf-16be`, `big5`, ...), case-insensitively.
pub fn parse_encoding_label(label: &str) -> crate::Result<&'static Encoding> {
    let trimmed = label.trim();
    let lower = trimmed.to_ascii_lowercase();
    let found = match lower.as_str() {
        "utf16le" | "utf-16-le" | "utf_16le" | "utf_16_le" => Some(UTF_16LE),
        "utf16be" | "utf-16-be" | "utf_16be" | "utf_16_be" => Some(UTF_16BE),
        "gb-18030" | "gb_18030" => Some(GB18030),
        other => Encoding::for_label(other.as_bytes()),
    };
    match found {
        // The "replacement" encoding decodes everything to U+FFFD: never what a user wants.
        Some(enc) if enc != encoding_rs::REPLACEMENT => Ok(enc),
        _ => Err(crate::Error::InvalidArgument(format!(
            "unknown encoding {trimmed:?}: use an encoding label such as utf-8, gb18030, gbk, \
             utf-16le, utf-16be or big5"
        ))),
    }
}

/// Decodes a file's bytes into text, returning the text and the encoding used.
///
/// With `forced`, that encoding is used (a matching BOM is still stripped); otherwise the encoding
/// is detected (see the module documentation). `Err` holds the reason in words a user understands,
/// such as `binary file (contains NUL bytes)` or
/// `could not decode as GB18030: malformed bytes at byte 17 ...`.
pub fn decode(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<(String, &'static Encoding), String> {
    let decoded = decode_tolerant(bytes, forced)?;
    match decoded.damage.first() {
        Some(damage) => Err(malformed(decoded.encoding, damage.file_offset)),
        None => Ok((decoded.text, decoded.encoding)),
    }
}

/// Text decoded from a file's bytes, with the places where bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The text, with U+FFFD in place of each malformed sequence.
    pub(crate) text: String,
    /// The encoding used.
    pub(crate) encoding: &'static Encoding,
    /// The malformed sequences, in order (empty when the file decoded cleanly).
    pub(crate) damage: Vec<Damage>,
}

/// One malformed byte sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Damage {
    /// Byte offset in the decoded text of the U+FFFD that stands for it.
    pub(crate) text_offset: usize,
    /// Byte offset in the file (BOM included) of its first byte.
    pub(crate) file_offset: usize,
}

impl Decoded {
    /// The reason to skip a record holding `damage`, in the words of [`decode`]'s errors.
    pub(crate) fn reason(encoding: &'static Encoding, damage: Damage) -> String {
        malformed(encoding, damage.file_offset)
    }
}

/// Like [`decode`], but malformed sequences in the detected (or forced) encoding do not fail
/// the whole file: they are replaced by U+FFFD and listed in [`Decoded::damage`]. Binary files
/// and UTF-16 guesses that do not decode cleanly are still errors.
pub(crate) fn decode_tolerant(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<Decoded, String> {
    let decoded = match forced {
        Some(enc) => {
            // A BOM is stripped only when it matches the forced encoding.
            let start = match Encoding::for_bom(bytes) {
                Some((bom_enc, len)) if bom_enc == enc => len,
                _ => 0,
            };
            // GBK's decoder is GB18030's: report the label the user gave.
            decode_lossy(bytes, start, enc)
        }
        None => detect_and_decode(bytes)?,
    };
    check_not_binary(&decoded.text)?;
    Ok(decoded)
}

/// [`decode_tolerant`] of bytes the caller gives up: plain UTF-8 (no BOM, no NUL, the common
/// case) becomes the text without a copy, so a big file is never held twice.
pub(crate) fn decode_tolerant_owned(
    bytes: Vec<u8>,
    forced: Option<&'static Encoding>,
) -> Result<Decoded, String> {
    let plain_utf8 = forced.is_none()
        && Encoding::for_bom(&bytes).is_none()
        && !bytes.contains(&0)
        && std::str::from_utf8(&bytes).is_ok();
    if !plain_utf8 {
        return decode_tolerant(&bytes, forced);
    }
    let text = String::from_utf8(bytes).map_err(|e| format!("cannot decode: {e}"))?;
    check_not_binary(&text)?;
    Ok(clean(text, UTF_8))
}

/// Whether the bytes `reader` gives would decode as plain UTF-8 in
/// [`decode_tolerant_owned`] (no byte-order mark, no NUL, valid UTF-8, not binary), read in
/// blocks without holding them: a file that is can be read a line at a time.
pub(crate) fn is_plain_utf8(mut reader: impl std::io::Read) -> std::io::Result<bool> {
    const BLOCK: usize = 1 << 20;
    let mut buf = vec![0u8; BLOCK + 4];
    // Bytes of a character cut by the end of the previous block, moved to the front.
    let mut carried = 0usize;
    let mut first = true;
    loop {
        let n = match reader.read(&mut buf[carried..carried + BLOCK]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(carried == 0);
        }
        let bytes = &buf[..carried + n];
        if first {
            // A block may end inside the byte-order mark or the first characters: the checks
            // below only need what is there.
            if Encoding::for_bom(bytes).is_some() {
                return Ok(false);
            }
            let valid = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
            };
            if check_not_binary(valid).is_err() {
                return Ok(false);
            }
            first = false;
        }
        if memchr::memchr(0, bytes).is_some() {
            return Ok(false);
        }
        let keep = match std::str::from_utf8(bytes) {
            Ok(_) => 0,
            // Cut inside the last character: check it with the next block.
            Err(e) if e.error_len().is_none() => bytes.len() - e.valid_up_to(),
            Err(_) => return Ok(false),
        };
        let len = bytes.len();
        buf.copy_within(len - keep..len, 0);
        carried = keep;
    }
}

fn clean(text: String, encoding: &'static Encoding) -> Decoded {
    Decoded { text, encoding, damage: Vec::new() }
}

fn detect_and_decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return Ok(decode_lossy(bytes, len, enc));
    }
    let nul_count = bytes.iter().filter(|&&b| b == 0).count();
    if nul_count > 0 {
        return decode_with_nuls(bytes, nul_count).map(|(text, enc)| clean(text, enc));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(clean(text.to_owned(), UTF_8));
    }
    let stats = utf8_stats(bytes);
    if stats.looks_like_broken_utf8() {
        return Ok(decode_lossy(bytes, 0, UTF_8));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let mut enc = detector.guess(None, chardetng::Utf8Detection::Allow);
    if enc == GBK {
        enc = GB18030;
    }
    if !is_cjk(enc) {
        // chardetng rules GB18030 out at the first malformed sequence and falls back to a
        // single-byte encoding that decodes anything into mojibake: a mostly valid GB18030 file
        // is a damaged GB18030 file.
        let stats = gb18030_stats(bytes);
        if stats.looks_like_broken() {
            return Ok(decode_lossy(bytes, 0, GB18030));
        }
    }
    Ok(decode_lossy(bytes, 0, enc))
}

fn is_cjk(enc: &'static Encoding) -> bool {
    [GB18030, GBK, encoding_rs::BIG5, encoding_rs::EUC_JP, encoding_rs::EUC_KR].contains(&enc)
        || [encoding_rs::SHIFT_JIS, encoding_rs::ISO_2022_JP].contains(&enc)
}

/// Counts how GB18030-like a byte string is, decoding past malformed sequences.
fn gb18030_stats(bytes: &[u8]) -> DecodeStats {
    let mut stats = DecodeStats::default();
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(4096);
    let mut read_total = 0usize;
    loop {
        out.clear();
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        stats.multibyte += count_multibyte(&out);
        match result {
            DecoderResult::InputEmpty => return stats,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, extra) => {
                if stats.errors == 0 {
                    stats.first_error =
                        read_total.saturating_sub(usize::from(bad) + usize::from(extra));
                }
                stats.errors += 1;
            }
        }
    }
}

/// How well a byte string decodes in some encoding.
#[derive(Debug, Default)]
struct DecodeStats {
    /// Characters decoded from multi-byte sequences.
    multibyte: usize,
    /// Malformed sequences.
    errors: usize,
    /// Byte offset of the first malformed sequence.
    first_error: usize,
}

impl DecodeStats {
    /// Mostly valid with a few bad sequences: a damaged file in this encoding.
    fn looks_like_broken(&self) -> bool {
        self.errors > 0 && self.multibyte >= 4 && self.errors * 20 <= self.multibyte
    }
}

/// Bytes with NULs: UTF-16 without BOM, or binary.
///
/// Both byte orders are tried; the one whose text reads best (see [`plausible_share`]) wins, if
/// it reads well and holds some ASCII (a line break, a digit: text read in the wrong byte order
/// has none, every ASCII character having become U+xx00). Where the NULs sit says little for
/// Chinese text: 一 (U+4E00) or 需 (U+9700) put a NUL on the "wrong" side, and such a file has few
/// ASCII characters to outvote them.
fn decode_with_nuls(bytes: &[u8], nul_count: usize) -> Result<(String, &'static Encoding), String> {
    const BINARY: &str = "binary file (contains NUL bytes)";
    // Valid UTF-8 with a few stray NULs is a binary (or damaged) file, not UTF-16: UTF-16 text in
    // a Latin script has a NUL every other byte.
    if std::str::from_utf8(bytes).is_ok() && nul_count * 100 < bytes.len() {
        return Err(BINARY.to_owned());
    }
    if !bytes.len().is_multiple_of(2) {
        return Err(BINARY.to_owned());
    }
    let mut best: Option<(f64, String, &'static Encoding)> = None;
    for candidate in [UTF_16LE, UTF_16BE] {
        let Ok(text) = decode_strict(bytes, candidate) else { continue };
        if text.contains('\0') || !text.chars().take(65_536).any(|c| matches!(c, '\t'..='~')) {
            continue;
        }
        let share = plausible_share(&text);
        if share >= 0.9 && best.as_ref().is_none_or(|(best_share, _, _)| share > *best_share) {
            best = Some((share, text, candidate));
        }
    }
    best.map(|(_, text, enc)| (text, enc)).ok_or_else(|| BINARY.to_owned())
}

/// Decodes without replacement; the error names the first malformed byte.
fn decode_strict(bytes: &[u8], enc: &'static Encoding) -> Result<String, String> {
    let decoded = decode_lossy(bytes, 0, enc);
    match decoded.damage.first() {
        Some(damage) => Err(malformed(enc, damage.file_offset)),
        None => Ok(decoded.text),
    }
}

/// Decodes `bytes[start..]`, replacing each malformed sequence by U+FFFD and recording where.
fn decode_lossy(bytes: &[u8], start: usize, enc: &'static Encoding) -> Decoded {
    let input = &bytes[start..];
    let mut decoder = enc.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(input.len()).unwrap_or(0);
    let mut out = String::with_capacity(capacity);
    let mut damage = Vec::new();
    let mut read_total = 0usize;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&input[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let more = decoder
                    .max_utf8_buffer_length_without_replacement(input.len() - read_total)
                    .unwrap_or(4096)
                    .max(16);
                out.reserve_exact(more);
            }
            DecoderResult::Malformed(bad, extra) => {
                let at = read_total.saturating_sub(usize::from(bad) + usize::from(extra));
                damage.push(Damage { text_offset: out.len(), file_offset: start + at });
                if out.capacity() - out.len() < char::REPLACEMENT_CHARACTER.len_utf8() {
                    // Grow by a bounded amount rather than doubling a large buffer.
                    out.reserve_exact(4096.max((input.len() - read_total) / 16));
                }
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    Decoded { text: out, encoding: enc, damage }
}

fn malformed(enc: &'static Encoding, at: usize) -> String {
    format!(
        "could not decode as {}: malformed bytes at byte {at}; if the file uses another \
         encoding, give it with --encoding (for example gb18030, utf-16le, big5)",
        enc.name()
    )
}

/// Rejects text that is clearly not text: NUL characters or a large share of control characters.
fn check_not_binary(text: &str) -> Result<(), String> {
    if text.contains('\0') {
        return Err("binary file (contains NUL bytes)".to_owned());
    }
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}') {
            control += 1;
        }
    }
    if total >= 8 && control * 10 > total {
        return Err("binary file (too many control characters)".to_owned());
    }
    Ok(())
}

/// Share of characters that are common in Chinese or Latin text: used to accept a UTF-16 guess.
fn plausible_share(text: &str) -> f64 {
    let mut total = 0usize;
    let mut good = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        let plausible = matches!(c,
            '\t' | '\n' | '\r' | ' '..='~'
            | '\u{a0}'..='\u{24f}'      // Latin-1 and Latin extended
            | '\u{2000}'..='\u{206f}'   // general punctuation
            | '\u{3000}'..='\u{303f}'   // CJK punctuation
            | '\u{3400}'..='\u{4dbf}'   // CJK extension A
            | '\u{4e00}'..='\u{9fff}'   // CJK unified ideographs
            | '\u{ff00}'..='\u{ffef}'   // full-width forms
        );
        if plausible {
            good += 1;
        }
    }
    if total == 0 { 1.0 } else { good as f64 / total as f64 }
}

/// How UTF-8-like a byte string is.
struct Utf8Stats {
    /// Valid multi-byte sequences.
    multibyte: usize,
    /// Invalid or truncated sequences.
    errors: usize,
    /// Byte offset of the first invalid sequence.
    first_error: usize,
    /// The only error is an incomplete sequence at the very end.
    truncated_at_end: bool,
}

impl Utf8Stats {
    /// Mostly valid UTF-8 with a few bad sequences: a damaged UTF-8 file, not another encoding.
    fn looks_like_broken_utf8(&self) -> bool {
        // GB18030 or Big5 Chinese text has about one valid UTF-8 sequence for three errors.
        (self.errors == 1 && self.truncated_at_end && self.multibyte > 0)
            || (self.multibyte >= 2 && self.errors * 2 <= self.multibyte)
    }
}

fn utf8_stats(bytes: &[u8]) -> Utf8Stats {
    let mut stats = Utf8Stats { multibyte: 0, errors: 0, first_error: 0, truncated_at_end: false };
    let mut pos = 0usize;
    while pos < bytes.len() {
        match std::str::from_utf8(&bytes[pos..]) {
            Ok(valid) => {
                stats.multibyte += count_multibyte(valid);
                break;
            }
            Err(err) => {
                let good = err.valid_up_to();
                // The prefix was just validated; this cannot fail.
                if let Ok(valid) = std::str::from_utf8(&bytes[pos..pos + good]) {
                    stats.multibyte += count_multibyte(valid);
                }
                if stats.errors == 0 {
                    stats.first_error = pos + good;
                }
                stats.errors += 1;
                match err.error_len() {
                    Some(len) => {
                        stats.truncated_at_end = false;
                        pos += good + len;
                    }
                    None => {
                        stats.truncated_at_end = stats.errors == 1;
                        break;
                    }
                }
            }
        }
    }
    stats
}

fn count_multibyte(s: &str) -> usize {
    s.chars().filter(|c| !c.is_ascii()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `decode_tolerant_owned` calls plain UTF-8.
    fn plain(bytes: &[u8]) -> bool {
        Encoding::for_bom(bytes).is_none()
            && !bytes.contains(&0)
            && std::str::from_utf8(bytes).is_ok_and(|t| check_not_binary(t).is_ok())
    }

    #[test]
    fn plain_utf8_in_blocks() {
        let block = 1 << 20;
        let mut across = vec![b'a'; block - 1];
        across.extend_from_slice("中文\n".as_bytes()); // 中 is cut by the first block's end
        let mut cut_at_end = across.clone();
        cut_at_end.extend_from_slice(&"中".as_bytes()[..2]);
        let mut nul_late = across.clone();
        nul_late.extend_from_slice(b"x\0y");
        let cases: [(&str, &[u8], bool); 8] = [
            ("empty", b"", true),
            ("ascii", b"{\"text\":\"x\"}\n", true),
            ("bom", b"\xEF\xBB\xBF{}", false),
            ("nul", b"a\0b", false),
            ("gb18030", b"\xD6\xD0\xCE\xC4", false),
            ("a character across two blocks", &across, true),
            ("cut at the end", &cut_at_end, false),
            ("NUL after the first block", &nul_late, false),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(is_plain_utf8(bytes).unwrap(), want, "{name}");
            assert_eq!(plain(bytes), want, "{name}: the oracle disagrees");
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_utf8_equals_the_whole_file_test(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            text in "\\PC{0,40}",
        ) {
            proptest::prop_assert_eq!(is_plain_utf8(&bytes[..]).unwrap(), plain(&bytes));
            proptest::prop_assert_eq!(is_plain_utf8(text.as_bytes()).unwrap(), plain(text.as_bytes()));
        }
    }

    fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for unit in s.encode_utf16() {
            let b = if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() };
            out.extend_from_slice(&b);
        }
        out
    }

    const ZH: &str =
        "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。2024年工作回顾\r\n";

    /// Chinese text rich in 一 (U+4E00) and 需 (U+9700), with one line break as its only ASCII.
    const ZH_XX00: &str =
        "统一思想，一心一意扩大内需，一以贯之满足需求。\n第一，统一大市场需要一体推进。";

    #[test]
    fn decodes_good_inputs() {
        let gb = GB18030.encode(ZH).0.into_owned();
        let cases: Vec<(&str, Vec<u8>, &str, &'static Encoding)> = vec![
            ("utf-8", ZH.as_bytes().to_vec(), ZH, UTF_8),
            ("utf-8 bom", [&[0xEF, 0xBB, 0xBF][..], ZH.as_bytes()].concat(), ZH, UTF_8),
            ("utf-16le bom", utf16(ZH, false, true), ZH, UTF_16LE),
            ("utf-16be bom", utf16(ZH, true, true), ZH, UTF_16BE),
            ("utf-16le no bom", utf16(ZH, false, false), ZH, UTF_16LE),
            ("utf-16be no bom", utf16(ZH, true, false), ZH, UTF_16BE),
            ("utf-16le ascii", utf16("hello world\n", false, false), "hello world\n", UTF_16LE),
            // Characters U+xx00 put NULs on the other side (issue 7: these were "binary").
            ("utf-16le U+xx00", utf16(ZH_XX00, false, false), ZH_XX00, UTF_16LE),
            ("utf-16be U+xx00", utf16(ZH_XX00, true, false), ZH_XX00, UTF_16BE),
            ("utf-16be ascii", utf16("hello world\n", true, false), "hello world\n", UTF_16BE),
            ("gb18030", gb, ZH, GB18030),
            ("empty", Vec::new(), "", UTF_8),
            ("crlf kept", b"a\r\nb\r\n".to_vec(), "a\r\nb\r\n", UTF_8),
        ];
        for (name, bytes, want, want_enc) in cases {
            let got = decode(&bytes, None);
            assert_eq!(got, Ok((want.to_owned(), want_enc)), "{name}");
        }
    }

    #[test]
    fn rejects_bad_inputs() {
        let mut truncated = ZH.as_bytes().to_vec();
        truncated.extend_from_slice(&"中".as_bytes()[..2]);
        let mut corrupted = ZH.as_bytes().to_vec();
        corrupted.insert(12, 0xFF);
        let short = b"\xe4\xb8\xad\xe6\x96\x87\xff\xe4\xb8\xad\xe6\x96\x87".to_vec();
        let mut bad_gb = GB18030.encode(ZH).0.into_owned();
        bad_gb.push(0x81); // lone lead byte at the end
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "nul in utf-8",
                b"hello\0world, this is a binary-ish file with text".to_vec(),
                "binary",
            ),
            ("random binary", (0u8..=255).cycle().take(2048).collect(), "binary"),
            ("controls", vec![1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16, b'a', b'b'], "binary"),
            ("truncated utf-8", truncated, "could not decode as UTF-8: malformed bytes at byte"),
            ("corrupted utf-8", corrupted, "could not decode as UTF-8: malformed bytes at byte 12"),
            ("one bad byte", short, "could not decode as UTF-8: malformed bytes at byte 6"),
            ("bad gb18030", bad_gb, "could not decode as gb18030"),
            ("odd utf-16", utf16("abc", false, false)[..5].to_vec(), "binary"),
        ];
        for (name, bytes, want) in cases {
            match decode(&bytes, None) {
                Ok((text, enc)) => panic!("{name}: decoded as {} to {text:?}", enc.name()),
                Err(reason) => assert!(reason.contains(want), "{name}: {reason}"),
            }
        }
    }

    #[test]
    fn forced_encoding() {
        let gb = GB18030.encode(ZH).0.into_owned();
        assert_eq!(decode(&gb, Some(GBK)), Ok((ZH.to_owned(), GBK)));
        let with_bom = [&[0xEF, 0xBB, 0xBF][..], ZH.as_bytes()].concat();
        assert_eq!(decode(&with_bom, Some(UTF_8)), Ok((ZH.to_owned(), UTF_8)));
        assert_eq!(decode(&utf16(ZH, true, true), Some(UTF_16BE)), Ok((ZH.to_owned(), UTF_16BE)));
        let err = decode(&gb, Some(UTF_8)).unwrap_err();
        assert!(err.starts_with("could not decode as UTF-8: malformed bytes at byte 0"), "{err}");
    }

    #[test]
    fn labels() {
        for (label, enc) in [
            ("utf-8", UTF_8),
            ("UTF8", UTF_8),
            (" gb18030 ", GB18030),
            ("gbk", GBK),
            ("utf-16le", UTF_16LE),
            ("utf16be", UTF_16BE),
            ("big5", encoding_rs::BIG5),
        ] {
            assert_eq!(parse_encoding_label(label).ok(), Some(enc), "{label}");
        }
        for bad in ["", "klingon", "iso-2022-kr"] {
            let err = parse_encoding_label(bad).unwrap_err();
            assert!(matches!(err, crate::Error::InvalidArgument(_)));
            assert!(err.to_string().contains("gb18030"), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = decode(&bytes, None);
            let _ = decode(&bytes, Some(GB18030));
            let _ = decode(&bytes, Some(UTF_16LE));
        }
    }
}
