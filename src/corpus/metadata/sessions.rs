//! Years of sessions: the National People's Congress by term and session.

use super::dates::PLAUSIBLE_YEARS;
use super::numerals::{cn_digit, cn_small_number};

/// The year of a session of the National People's Congress, by term (届) and session (次).
fn npc_year(term: u32, session: u32) -> Option<i32> {
    let session = usize::try_from(session).ok()?;
    let year = match term {
        1 => *[1954, 1955, 1956, 1957, 1958].get(session.checked_sub(1)?)?,
        2 => *[1959, 1960, 1962, 1963].get(session.checked_sub(1)?)?,
        3 if session == 1 => 1964,
        4 if session == 1 => 1975,
        5 if (1..=5).contains(&session) => 1978 + i32::try_from(session).ok()? - 1,
        6.. if (1..=5).contains(&session) => {
            1983 + 5 * (i32::try_from(term).ok()? - 6) + i32::try_from(session).ok()? - 1
        }
        _ => return None,
    };
    PLAUSIBLE_YEARS.contains(&year).then_some(year)
}

/// The year of the NPC session a text names: `第十四届全国人民代表大会第一次会议` → 2023.
pub(crate) fn npc_session_year(text: &str) -> Option<i32> {
    const MIDDLE: [char; 10] = ['届', '全', '国', '人', '民', '代', '表', '大', '会', '第'];
    let chars: Vec<char> = text.chars().collect();
    let mut start = 0usize;
    while let Some(offset) = chars.get(start..)?.windows(MIDDLE.len()).position(|w| w == MIDDLE) {
        let at = start + offset;
        start = at + 1;
        // Backwards from "届": the term number, preceded by "第".
        let mut from = at;
        while from > 0 && (cn_digit(chars[from - 1]).is_some() || chars[from - 1] == '十') {
            from -= 1;
        }
        if from == 0 || chars[from - 1] != '第' {
            continue;
        }
        let Some((term, tlen)) = cn_small_number(&chars[from..at]) else { continue };
        if from + tlen != at {
            continue;
        }
        let after = at + MIDDLE.len();
        let Some((session, slen)) = cn_small_number(&chars[after..]) else { continue };
        if chars.get(after + slen) != Some(&'次') {
            continue;
        }
        if let Some(year) = npc_year(term, session) {
            return Some(year);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npc_sessions() {
        let cases = [
            ("第十四届全国人民代表大会第一次会议关于政府工作报告的决议", Some(2023)),
            ("第十四届全国人民代表大会第三次会议", Some(2025)),
            ("第十二届全国人民代表大会第一次会议听取和审议了", Some(2013)),
            ("第十届全国人民代表大会第五次会议", Some(2007)),
            ("第二届全国人民代表大会第三次会议", Some(1962)),
            ("第一届全国人民代表大会第一次会议", Some(1954)),
            ("第五届全国人民代表大会第四次会议", Some(1981)),
            ("北京市第十六届人民代表大会第四次会议", None),
            ("第二届全国人民代表大会第九次会议", None),
            ("全国人民代表大会", None),
        ];
        for (input, want) in cases {
            assert_eq!(npc_session_year(input), want, "{input:?}");
        }
    }
}
