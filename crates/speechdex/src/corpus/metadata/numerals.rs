//! Numerals: ASCII, full-width and Chinese digits, and small Chinese numbers (一 to 九十九).

/// The value of an ASCII or full-width digit.
pub(super) fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// The value of a Chinese digit (`〇一二…九`).
pub(super) fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' | 'Ｏ' | 'O' | 'o' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Parses a Chinese number from 1 to 99 (`三`, `十`, `十四`, `二十`, `二十七`) at the start of
/// `chars`, returning the value and the characters used.
pub(super) fn cn_small_number(chars: &[char]) -> Option<(u32, usize)> {
    let first = *chars.first()?;
    if first == '十' {
        return match chars.get(1).copied().and_then(cn_digit).filter(|&d| d > 0) {
            Some(units) => Some((10 + units, 2)),
            None => Some((10, 1)),
        };
    }
    let tens = cn_digit(first).filter(|&d| d > 0)?;
    if chars.get(1) != Some(&'十') {
        return Some((tens, 1));
    }
    match chars.get(2).copied().and_then(cn_digit).filter(|&d| d > 0) {
        Some(units) => Some((tens * 10 + units, 3)),
        None => Some((tens * 10, 2)),
    }
}

/// Reads a run of ASCII/full-width digits at the start of `chars`: (value, length).
pub(super) fn digit_run(chars: &[char]) -> (u64, usize) {
    let mut value = 0u64;
    let mut len = 0usize;
    for &c in chars {
        match digit(c) {
            Some(d) if len < 12 => {
                value = value * 10 + u64::from(d);
                len += 1;
            }
            _ => break,
        }
    }
    (value, len)
}

/// The value of a Chinese digit as written in years (`二〇二四`): no `十`, `两` or Latin `o`.
pub(super) fn cn_year_digit(c: char) -> Option<u32> {
    match c {
        '两' | 'O' | 'o' | 'Ｏ' => None,
        _ => cn_digit(c),
    }
}

/// Reads a run of Chinese year digits at the start of `chars`: (value, length).
pub(super) fn cn_year_run(chars: &[char]) -> (u64, usize) {
    let mut value = 0u64;
    let mut len = 0usize;
    for &c in chars {
        match cn_year_digit(c) {
            Some(d) if len < 12 => {
                value = value * 10 + u64::from(d);
                len += 1;
            }
            _ => break,
        }
    }
    (value, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let small = |s: &str| cn_small_number(&s.chars().collect::<Vec<_>>());
        let cases = [
            ("三", Some((3, 1))),
            ("十", Some((10, 1))),
            ("十四届", Some((14, 2))),
            ("二十", Some((20, 2))),
            ("二十七日", Some((27, 3))),
            ("〇", None),
            ("届", None),
        ];
        for (input, want) in cases {
            assert_eq!(small(input), want, "{input:?}");
        }
        let run = |s: &str| cn_year_run(&s.chars().collect::<Vec<_>>());
        assert_eq!(run("二〇二四年"), (2024, 4));
        assert_eq!(run("一九五四"), (1954, 4));
        assert_eq!(run("两千"), (0, 0));
        assert_eq!(run("十一"), (0, 0));
    }
}
