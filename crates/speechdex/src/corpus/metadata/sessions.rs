//! Years of sessions: the National People's Congress and the CPPCC by term and session, the
//! Party's national congresses and the plenums of its Central Committee.
//!
//! Recognised forms (Chinese numerals or ASCII digits, `第` optional where people drop it):
//! - NPC: `第十四届全国人民代表大会第二次会议`, `十四届全国人大二次会议`, `全国人大十四届二次会议`;
//! - CPPCC: `中国人民政治协商会议第十四届全国委员会第二次会议`, `全国政协十四届二次会议`;
//! - Party congresses: `中国共产党第十二次全国代表大会`, `党的十二大`, `中共十二大`, `十二大`;
//! - plenums: `中国共产党第十九届中央委员会第五次全体会议`, `十九届五中全会`.
//!
//! A session gives the year of a text only when it is the text's occasion, not a reference:
//! it must open the text (after an optional `中国共产党` / `中共` / `党的` / `全国政协` …) or follow
//! `在` (`在第十四届全国人民代表大会第二次会议上`) or a date (`2023年3月13日第十四届…通过`).
//! `学习贯彻党的二十大精神` names the twentieth congress but gives no year.

use super::dates::PLAUSIBLE_YEARS;
use super::numerals::{cn_small_number, digit_run};

/// The year of a session of the National People's Congress, by term (届) and session (次).
/// CPPCC sessions fall in the same years from the fifth term (1978) on.
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

/// The year of a CPPCC session (terms before the fifth met in other years: not known here).
fn cppcc_year(term: u32, session: u32) -> Option<i32> {
    if term < 5 { None } else { npc_year(term, session) }
}

/// The year of the Party's N-th national congress.
fn congress_year(n: u32, _: u32) -> Option<i32> {
    const YEARS: [i32; 21] = [
        1921, 1922, 1923, 1925, 1927, 1928, 1945, 1956, 1969, 1973, 1977, 1982, 1987, 1992, 1997,
        2002, 2007, 2012, 2017, 2022, 2027,
    ];
    YEARS.get(usize::try_from(n).ok()?.checked_sub(1)?).copied()
}

/// The year of the N-th plenum of the T-th Central Committee (the eleventh to the twentieth).
fn plenum_year(term: u32, plenum: u32) -> Option<i32> {
    let years: &[i32] = match term {
        11 => &[1977, 1978, 1978, 1979, 1980, 1981, 1982],
        12 => &[1982, 1983, 1984, 1985, 1985, 1986, 1987],
        13 => &[1987, 1988, 1988, 1989, 1989, 1990, 1990, 1991, 1992],
        14 => &[1992, 1993, 1993, 1994, 1995, 1996, 1997],
        15 => &[1997, 1998, 1998, 1999, 2000, 2001, 2002],
        16 => &[2002, 2003, 2003, 2004, 2005, 2006, 2007],
        17 => &[2007, 2008, 2008, 2009, 2010, 2011, 2012],
        18 => &[2012, 2013, 2013, 2014, 2015, 2016, 2017],
        19 => &[2017, 2018, 2018, 2019, 2020, 2021, 2022],
        20 => &[2022, 2023, 2024, 2025],
        _ => return None,
    };
    years.get(usize::try_from(plenum).ok()?.checked_sub(1)?).copied()
}

/// One element of a session pattern.
#[derive(Clone, Copy)]
enum Part {
    /// These characters.
    Lit(&'static str),
    /// These characters, or nothing.
    Opt(&'static str),
    /// A Chinese number: the first is the term (or congress), the second the session.
    Num,
}

use Part::{Lit, Num, Opt};

type YearOf = fn(u32, u32) -> Option<i32>;

/// The session patterns and how each gives a year. Short congress forms (`十二大`) are
/// matched apart (see [`short_congress`]).
const PATTERNS: &[(&[Part], YearOf)] = &[
    (&[Opt("第"), Num, Lit("届全国人民代表大会"), Opt("第"), Num, Lit("次会议")], npc_year),
    (&[Opt("第"), Num, Lit("届全国人大"), Opt("第"), Num, Lit("次会议")], npc_year),
    (&[Lit("全国人大"), Opt("第"), Num, Lit("届"), Opt("第"), Num, Lit("次会议")], npc_year),
    (&[Opt("第"), Num, Lit("届全国委员会"), Opt("第"), Num, Lit("次会议")], cppcc_year),
    (&[Lit("全国政协"), Opt("第"), Num, Lit("届"), Opt("第"), Num, Lit("次会议")], cppcc_year),
    (&[Opt("第"), Num, Lit("次全国代表大会")], congress_year),
    (&[Opt("第"), Num, Lit("届中央委员会第"), Num, Lit("次全体会议")], plenum_year),
    (&[Num, Lit("届"), Num, Lit("中全会")], plenum_year),
];

/// Organisations named before a session, skipped when judging whether it is the occasion.
const ORGANISATIONS: &[&str] =
    &["中国共产党", "中共", "党的", "中国人民政治协商会议", "全国政协", "政协"];

/// Matches `pattern` at the start of `chars`: the numbers read and the characters used.
fn match_parts(chars: &[char], pattern: &[Part]) -> Option<(Vec<u32>, usize)> {
    let mut pos = 0usize;
    let mut numbers = Vec::new();
    let starts = |pos: usize, lit: &str| {
        let n = lit.chars().count();
        chars.get(pos..pos + n).is_some_and(|w| w.iter().copied().eq(lit.chars())).then_some(n)
    };
    for part in pattern {
        match *part {
            Lit(lit) => pos += starts(pos, lit)?,
            Opt(lit) => pos += starts(pos, lit).unwrap_or(0),
            Num => {
                let (n, used) = number(chars.get(pos..)?)?;
                numbers.push(n);
                pos += used;
            }
        }
    }
    Some((numbers, pos))
}

/// A Chinese number (`十四`) or one or two ASCII digits (`14`) at the start of `chars`.
fn number(chars: &[char]) -> Option<(u32, usize)> {
    if let Some(found) = cn_small_number(chars) {
        return Some(found);
    }
    let (value, len) = digit_run(chars);
    ((1..=2).contains(&len) && value > 0).then(|| (u32::try_from(value).unwrap_or(0), len))
}

/// True when what comes before a session makes it the text's occasion: nothing (after the
/// organisation's name), `在`, or a date (`…日`).
fn is_occasion(before: &[char]) -> bool {
    let mut end = before.len();
    loop {
        while end > 0 && (before[end - 1].is_whitespace() || before[end - 1] == '第') {
            end -= 1;
        }
        let org = ORGANISATIONS.iter().find(|org| {
            let n = org.chars().count();
            end >= n && before[end - n..end].iter().copied().eq(org.chars())
        });
        match org {
            Some(org) => end -= org.chars().count(),
            None => break,
        }
    }
    let before = &before[..end];
    let last = before.iter().rev().find(|c| !matches!(c, '—' | '―' | '（' | '(' | '-'));
    match last {
        None => true,
        Some(&c) => c == '在' || c == '日',
    }
}

/// `十二大` after `党的` / `中共` / `中国共产党` or at the start of the text.
fn short_congress(chars: &[char], at: usize) -> Option<i32> {
    let (n, used) = cn_small_number(&chars[at..])?;
    if chars.get(at + used) != Some(&'大') {
        return None;
    }
    let after: String = chars[at + used + 1..].iter().take(2).collect();
    let ends = after.is_empty()
        || after.chars().next().is_some_and(|c| !c.is_alphanumeric())
        || ["报告", "上", "开幕", "闭幕", "政治"].iter().any(|w| after.starts_with(w));
    if !ends {
        return None;
    }
    if at > 0 && super::numerals::cn_digit(chars[at - 1]).is_some() {
        return None;
    }
    let before = &chars[..at];
    let named = ["党的", "中共", "中国共产党"]
        .iter()
        .any(|org| before.ends_with(&org.chars().collect::<Vec<_>>()));
    (named && is_occasion(before) || before.is_empty()).then(|| congress_year(n, 0)).flatten()
}

/// The year of the session (NPC, CPPCC, Party congress or plenum) that is the occasion of
/// `text` (a title, a venue, a dateline): see the [module doc](self).
pub(crate) fn session_year(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().collect();
    for at in 0..chars.len() {
        for (pattern, year_of) in PATTERNS {
            let Some((numbers, _)) = match_parts(&chars[at..], pattern) else { continue };
            if !is_occasion(&chars[..at]) {
                continue;
            }
            if let Some(year) = year_of(numbers[0], numbers.get(1).copied().unwrap_or(0)) {
                return Some(year);
            }
        }
        if let Some(year) = short_congress(&chars, at) {
            return Some(year);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions() {
        let cases = [
            ("第十四届全国人民代表大会第一次会议关于政府工作报告的决议", Some(2023)),
            ("第十四届全国人民代表大会第三次会议", Some(2025)),
            ("第十二届全国人民代表大会第一次会议听取和审议了", Some(2013)),
            ("第十届全国人民代表大会第五次会议", Some(2007)),
            ("第二届全国人民代表大会第三次会议", Some(1962)),
            ("第一届全国人民代表大会第一次会议", Some(1954)),
            ("第五届全国人民代表大会第四次会议", Some(1981)),
            ("——2024年3月5日在第十四届全国人民代表大会第二次会议上", Some(2024)),
            ("（2023年3月13日第十四届全国人民代表大会第一次会议通过）", Some(2023)),
            ("在十四届全国人大二次会议上的讲话", Some(2024)),
            ("全国人大十三届三次会议", Some(2020)),
            ("中国人民政治协商会议第十四届全国委员会第二次会议", Some(2024)),
            ("在全国政协十三届四次会议开幕会上的讲话", Some(2021)),
            ("在中国共产党第十二次全国代表大会上的报告", Some(1982)),
            ("中国共产党第二十次全国代表大会", Some(2022)),
            ("——在中国共产党第一次全国代表大会上", Some(1921)),
            ("十二大", Some(1982)),
            ("中共十九大", Some(2017)),
            ("在党的十八大上的报告", Some(2012)),
            ("十九届五中全会公报", Some(2020)),
            ("第12次全国代表大会", Some(1982)),
            ("第14届全国人民代表大会第2次会议", Some(2024)),
            ("中国共产党第十九届中央委员会第五次全体会议公报", Some(2020)),
            ("在党的二十届三中全会第二次全体会议上的讲话", Some(2024)),
            // Counter-examples: references, local bodies, sessions that never met.
            ("北京市第十六届人民代表大会第四次会议", None),
            ("在甘肃省十四届人民代表大会第四次会议上", None),
            ("第二届全国人民代表大会第九次会议", None),
            ("全国人民代表大会", None),
            ("学习贯彻党的二十大精神", None),
            ("在学习贯彻党的二十大精神研讨班上的讲话", None),
            ("深入贯彻十九届五中全会精神", None),
            ("在中华全国妇女联合会第十三次全国代表大会上的致辞", None),
            ("在省委十一届十次全会上的讲话", None),
            ("二十大项工程", None),
            ("第三届全国委员会第一次会议", None),
        ];
        for (input, want) in cases {
            assert_eq!(session_year(input), want, "{input:?}");
        }
    }
}
