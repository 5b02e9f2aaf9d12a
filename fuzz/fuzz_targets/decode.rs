//! Encoding detection and decoding (`speechdex::corpus::decode`) on arbitrary bytes, detected and
//! forced: never a panic; valid UTF-8 decodes to itself; decoded text holds no NUL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use speechdex::corpus::decode;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let forced = match selector % 8 {
        0 => Some(encoding_rs::UTF_8),
        1 => Some(encoding_rs::GB18030),
        2 => Some(encoding_rs::UTF_16LE),
        3 => Some(encoding_rs::UTF_16BE),
        4 => Some(encoding_rs::BIG5),
        _ => None,
    };
    if let Ok((text, enc)) = decode(bytes, forced) {
        assert!(!text.contains('\0'), "decoded text with a NUL");
        if forced.is_none() && enc == encoding_rs::UTF_8 {
            let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            assert_eq!(text.as_bytes(), body, "UTF-8 not decoded to itself");
        }
    }
});
