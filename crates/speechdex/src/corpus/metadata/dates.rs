//! Dates and years: given dates in every usual form, datelines, years in titles and texts, and
//! dates in file names.
//!
//! Dates and years are scanned by hand (no regular expressions) and validated with
//! [`jiff::civil::Date`].

use jiff::civil::Date;

use super::file_stem;
use super::lines::{meaningful_lines, trim_line};
use super::numerals::{cn_digit, cn_small_number, cn_year_digit, cn_year_run, digit, digit_run};
use super::sessions::session_year;

/// How many meaningful lines are searched for a dateline.
const DATELINE_LINES: usize = 20;
/// [`parse_date_prefix`] gives the same answer on the first this many characters of a text as
/// on the whole text: the longest date is 13 characters (`二〇二六年十二月三十一日`), and a run of
/// digits or numerals cut here is still too long to be a date. Lines can be whole paragraphs:
/// callers read only this prefix.
pub(super) const DATE_PREFIX_CHARS: usize = 32;
/// How many leading characters of the body are searched for a year.
const YEAR_SCAN_CHARS: usize = 300;
/// How many meaningful lines are searched for the session that is the occasion.
const SESSION_LINES: usize = 5;
/// Years accepted when inferred, and from file names and titles.
pub(super) const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;
/// Years accepted when found in running text (`(19[4-9]\d|20\d\d)年`).
const TEXT_YEARS: std::ops::RangeInclusive<i32> = 1940..=2099;
/// Years accepted in a given `date` or `year` field. Outside it (`0001-01-01`, `9999-12-31`, a
/// placeholder or a typo) a value is treated as an unparseable one: dropped, and the date and
/// year are inferred as if the field were missing.
pub(crate) const GIVEN_YEARS: std::ops::RangeInclusive<i32> = 1800..=2199;

/// The date and year a record gives, parsed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Given<'a> {
    /// The date, as precise as given.
    pub(super) date: Option<GivenDate>,
    /// The year.
    pub(super) year: Option<i32>,
    /// The day of publication.
    pub(super) published: Option<Date>,
    /// The venue, as given.
    pub(super) venue: Option<&'a str>,
}

/// A speech's date and year, and whether each was inferred.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DateYear {
    pub(super) date: Option<Date>,
    pub(super) year: Option<i32>,
    pub(super) date_inferred: bool,
    pub(super) year_inferred: bool,
}

impl DateYear {
    /// The given date and year; else, in order: a year in the title; a dateline; the day of
    /// publication; the NPC session or a year in the text; the file name.
    pub(super) fn infer(given: Given<'_>, title: &str, body: &str, file_name: &str) -> DateYear {
        let mut when = DateYear {
            date: given.date.and_then(GivenDate::day),
            year: given.year.or(given.date.map(GivenDate::year)),
            ..DateYear::default()
        };
        if when.year.is_none() {
            when.year = year_in_title(title);
            when.year_inferred = when.year.is_some();
        }
        if let Some(found) = dateline_date(body) {
            when.infer_day(found);
        }
        if let Some(published) = given.published {
            when.infer_day(published);
        }
        if when.year.is_none() {
            when.year = session_year(title)
                .or_else(|| given.venue.and_then(session_year))
                .or_else(|| meaningful_lines(body).take(SESSION_LINES).find_map(session_year))
                .or_else(|| first_year_in_text(body, YEAR_SCAN_CHARS));
            when.year_inferred = when.year.is_some();
        }
        if when.year.is_none() || when.date.is_none() {
            let (file_date, file_year) = date_from_file_name(file_stem(file_name));
            if let Some(found) = file_date
                && when.date.is_none()
                && when.year.is_none_or(|y| y == i32::from(found.year()))
            {
                when.date = Some(found);
                when.date_inferred = true;
            }
            if when.year.is_none() && file_year.is_some() {
                when.year = file_year;
                when.year_inferred = true;
            }
        }
        when
    }

    /// Takes `found` as the (inferred) date when there is none yet and it agrees with the
    /// year, and its year when there is none.
    fn infer_day(&mut self, found: Date) {
        if self.date.is_some() || self.year.is_some_and(|y| y != i32::from(found.year())) {
            return;
        }
        self.date = Some(found);
        self.date_inferred = true;
        if self.year.is_none() {
            self.year = Some(i32::from(found.year()));
            self.year_inferred = true;
        }
    }
}

fn make_date(year: u64, month: u64, day: u64) -> Option<Date> {
    let year = i16::try_from(year).ok()?;
    let month = i8::try_from(month).ok()?;
    let day = i8::try_from(day).ok()?;
    Date::new(year, month, day).ok()
}

/// A date as precise as it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GivenDate {
    /// A day.
    Day(Date),
    /// A month of a year (`2024年3月`, `2024-03`).
    Month(i16, i8),
    /// A year (`2024年`, `2024`).
    Year(i16),
}

impl GivenDate {
    /// The year.
    pub(crate) fn year(self) -> i32 {
        i32::from(match self {
            GivenDate::Day(d) => d.year(),
            GivenDate::Month(y, _) | GivenDate::Year(y) => y,
        })
    }

    /// The day, when it was given to the day.
    pub(crate) fn day(self) -> Option<Date> {
        match self {
            GivenDate::Day(d) => Some(d),
            _ => None,
        }
    }

    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub(crate) fn to_text(self) -> String {
        match self {
            GivenDate::Day(d) => d.to_string(),
            GivenDate::Month(y, m) => format!("{y:04}-{m:02}"),
            GivenDate::Year(y) => format!("{y:04}"),
        }
    }
}

/// Parses a date at the start of `chars`: `2026-02-02`, `2026/2/2`, `2026.2.2`, `2026年2月2日`,
/// `20260202`, or `二〇二六年一月二十七日`. Returns the date and the characters used.
pub(super) fn parse_date_prefix(chars: &[char]) -> Option<(Date, usize)> {
    match parse_partial_date(chars)? {
        (GivenDate::Day(date), used) => Some((date, used)),
        _ => None,
    }
}

/// Parses a date at the start of `chars` as precise as it is written: a day (see
/// [`parse_date_prefix`]), a month (`2024年3月`, `2024-03`, `2024/3`, `2024.3`, `二〇二四年三月`) or a
/// year (`2024年`, `2024`, `二〇二四年`). A month or day that is written must be valid
/// (`2024年13月` is no date, not the year 2024), and a month or year must not be followed by
/// another digit or separator.
fn parse_partial_date(chars: &[char]) -> Option<(GivenDate, usize)> {
    let (found, used) = parse_numeric_date(chars).or_else(|| parse_cn_date(chars))?;
    let next = chars.get(used).copied();
    let open = |c: char| {
        digit(c).is_some()
            || cn_digit(c).is_some()
            || matches!(c, '十' | '-' | '/' | '.' | '－' | '／' | '．' | '月')
    };
    match found {
        GivenDate::Day(_) => (next.is_none_or(|c| digit(c).is_none())).then_some((found, used)),
        _ => (!next.is_some_and(open)).then_some((found, used)),
    }
}

/// A month of a year, when valid.
fn make_month(year: u64, month: u64) -> Option<GivenDate> {
    make_date(year, month, 1).map(|d| GivenDate::Month(d.year(), d.month()))
}

fn parse_numeric_date(chars: &[char]) -> Option<(GivenDate, usize)> {
    let (year, len) = digit_run(chars);
    if len == 8 {
        let date = make_date(year / 10_000, year / 100 % 100, year % 100)?;
        return Some((GivenDate::Day(date), 8));
    }
    if len != 4 {
        return None;
    }
    let year_only = GivenDate::Year(i16::try_from(year).ok()?);
    let mut pos = 4;
    let Some(&sep1) = chars.get(pos) else { return Some((year_only, pos)) };
    let sep2_expected = match sep1 {
        '年' => '月',
        '-' | '/' | '.' | '－' | '／' | '．' => sep1,
        _ => return Some((year_only, pos)),
    };
    pos += 1;
    let (month, mlen) = digit_run(&chars[pos..]);
    if mlen == 0 && sep1 == '年' {
        return Some((year_only, pos));
    }
    if !(1..=2).contains(&mlen) {
        return None;
    }
    pos += mlen;
    if sep1 == '年' {
        if chars.get(pos) != Some(&'月') {
            return None;
        }
        pos += 1;
    } else if chars.get(pos) != Some(&sep2_expected) {
        return Some((make_month(year, month)?, pos));
    }
    let (day, dlen) = digit_run(&chars[pos + usize::from(sep1 != '年')..]);
    if dlen == 0 {
        return Some((make_month(year, month)?, pos));
    }
    if dlen > 2 {
        return None;
    }
    pos += usize::from(sep1 != '年') + dlen;
    if sep1 == '年' && matches!(chars.get(pos), Some('日' | '号')) {
        pos += 1;
    }
    Some((GivenDate::Day(make_date(year, month, day)?), pos))
}

fn parse_cn_date(chars: &[char]) -> Option<(GivenDate, usize)> {
    if chars.len() < 5 {
        return None;
    }
    let mut year = 0u64;
    for &c in &chars[..4] {
        year = year * 10 + u64::from(cn_digit(c)?);
    }
    if chars[4] != '年' {
        return None;
    }
    let mut pos = 5;
    let Some((month, mlen)) = cn_small_number(&chars[pos..]) else {
        return Some((GivenDate::Year(i16::try_from(year).ok()?), pos));
    };
    pos += mlen;
    if chars.get(pos) != Some(&'月') {
        return None;
    }
    pos += 1;
    let Some((day, dlen)) = cn_small_number(&chars[pos..]) else {
        return Some((make_month(year, u64::from(month))?, pos));
    };
    pos += dlen;
    if !matches!(chars.get(pos), Some('日' | '号')) {
        return None;
    }
    Some((GivenDate::Day(make_date(year, u64::from(month), u64::from(day))?), pos + 1))
}

/// Parses a given date, as precise as it is written (see [`parse_partial_date`]), with the text
/// around it left out (`发布时间：2024年3月5日 10:00`, `2026-02-03T09:02:33Z`): the first date
/// found decides, and it must be of a year in [`GIVEN_YEARS`].
pub(crate) fn parse_given_date(given: &str) -> Option<GivenDate> {
    let chars: Vec<char> = trim_line(given).chars().collect();
    let starts_number = |c: char| digit(c).is_some() || cn_digit(c).is_some();
    for i in 0..chars.len() {
        if !starts_number(chars[i]) || (i > 0 && starts_number(chars[i - 1])) {
            continue;
        }
        if let Some((date, _)) = parse_partial_date(&chars[i..]) {
            return GIVEN_YEARS.contains(&date.year()).then_some(date);
        }
    }
    None
}

/// Normalises a given date to a day (see [`parse_given_date`]); `None` when it is not given to
/// the day.
#[cfg(test)]
pub(crate) fn normalize_date(given: &str) -> Option<Date> {
    parse_given_date(given)?.day()
}

/// Parses a given year: a number, a numeric string (`"2024"`, `"2024.0"`, `"2024年"`), in
/// [`GIVEN_YEARS`].
pub(crate) fn parse_given_year(given: &str) -> Option<i32> {
    let s = trim_line(given);
    let s = s.strip_suffix('年').unwrap_or(s).trim();
    let year = match s.parse::<i32>() {
        Ok(y) => y,
        Err(_) => {
            let f = s.parse::<f64>().ok()?;
            if f.fract() != 0.0 || !(0.0..=9999.0).contains(&f) {
                return None;
            }
            f as i32
        }
    };
    GIVEN_YEARS.contains(&year).then_some(year)
}

/// The first `YYYY年` (digits or Chinese numerals, `二〇二四年`) in `chars` with YYYY in `range`, not part of a longer number and not
/// followed by `以来` ("since", a reference to the past).
fn scan_year(chars: &[char], range: &std::ops::RangeInclusive<i32>) -> Option<i32> {
    let mut i = 0usize;
    while i < chars.len() {
        let (value, len) = match digit(chars[i]) {
            Some(_) => digit_run(&chars[i..]),
            None if cn_year_digit(chars[i]).is_some() => cn_year_run(&chars[i..]),
            None => {
                i += 1;
                continue;
            }
        };
        let end = i + len;
        let since = chars.get(end + 1..end + 3).is_some_and(|s| s == ['以', '来']);
        if len == 4 && chars.get(end) == Some(&'年') && !since {
            let year = i32::try_from(value).unwrap_or(0);
            if range.contains(&year) {
                return Some(year);
            }
        }
        i = end.max(i + 1);
    }
    None
}

/// The year a title names (`2024年政府工作报告` → 2024).
pub(crate) fn year_in_title(title: &str) -> Option<i32> {
    let chars: Vec<char> = title.chars().collect();
    scan_year(&chars, &PLAUSIBLE_YEARS)
}

/// The first plausible `YYYY年` (1940–2099) in the first `max_chars` characters of `body`.
pub(crate) fn first_year_in_text(body: &str, max_chars: usize) -> Option<i32> {
    let chars: Vec<char> = body.chars().take(max_chars).collect();
    scan_year(&chars, &TEXT_YEARS)
}

/// Characters that open a dateline: dashes and opening brackets.
fn is_dateline_opener(c: char) -> bool {
    matches!(c, '—' | '―' | '–' | '-' | '－' | '─' | '（' | '(' | '〔' | '[' | '【')
}

/// The date of a dateline in the first meaningful lines: `——2026年1月25日在…`,
/// `（2025年12月18日）`, `（2023年3月13日第十四届全国人民代表大会第一次会议通过）`,
/// `2026年1月27日在陕西省…`, `——二〇二六年一月二十七日在…`.
pub(crate) fn dateline_date(body: &str) -> Option<Date> {
    meaningful_lines(body).take(DATELINE_LINES).find_map(|line| {
        let mut chars = line.chars().peekable();
        let mut opener = 0;
        while chars.next_if(|&c| is_dateline_opener(c) || c.is_whitespace()).is_some() {
            opener += 1;
        }
        // The date and the character after it (lines can be whole paragraphs).
        let head: Vec<char> = chars.take(DATE_PREFIX_CHARS + 1).collect();
        let (date, used) = parse_date_prefix(&head)?;
        let rest = &head[used..];
        let ok = opener > 0 || rest.first() == Some(&'在');
        (ok && PLAUSIBLE_YEARS.contains(&i32::from(date.year()))).then_some(date)
    })
}

/// A date (`20240305`) or year (`2026_北京市`, `speech-2019`) in a file name stem.
pub(crate) fn date_from_file_name(stem: &str) -> (Option<Date>, Option<i32>) {
    let chars: Vec<char> = stem.chars().collect();
    let mut i = 0usize;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let len = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let run = &chars[i..i + len];
        if len == 8
            && let Some((GivenDate::Day(date), _)) = parse_numeric_date(run)
            && PLAUSIBLE_YEARS.contains(&i32::from(date.year()))
        {
            return (Some(date), Some(i32::from(date.year())));
        }
        if len == 4 {
            let (value, _) = digit_run(run);
            let year = i32::try_from(value).unwrap_or(0);
            if PLAUSIBLE_YEARS.contains(&year) {
                return (None, Some(year));
            }
        }
        i += len;
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        normalize_date(s).map(|d| d.to_string())
    }

    #[test]
    fn dates() {
        let cases = [
            ("2026-02-02", Some("2026-02-02")),
            ("2026/2/2", Some("2026-02-02")),
            ("2026.2.2", Some("2026-02-02")),
            ("2026年2月2日", Some("2026-02-02")),
            ("2026年12月18日", Some("2026-12-18")),
            ("20260202", Some("2026-02-02")),
            ("２０２６年２月２日", Some("2026-02-02")),
            ("二〇二六年一月二十七日", Some("2026-01-27")),
            (" 2026-02-03 09:02:33 ", Some("2026-02-03")),
            ("2026-02-03T09:02:33Z", Some("2026-02-03")),
            ("2026-02-30", None),
            ("2026-13-01", None),
            ("2026-2/2", None),
            ("2026年2月", None),
            ("202602", None),
            ("yesterday", None),
            ("", None),
            // Valid calendar dates outside GIVEN_YEARS are dropped like unparseable ones.
            ("0001-01-01", None),
            ("9999-12-31", None),
            ("1799-12-31", None),
            ("1800-01-01", Some("1800-01-01")),
            ("2199-12-31", Some("2199-12-31")),
            ("2200-01-01", None),
            ("22000101", None),
        ];
        for (input, want) in cases {
            assert_eq!(d(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn given_years() {
        let cases = [
            ("2024", Some(2024)),
            (" 2024 ", Some(2024)),
            ("2024.0", Some(2024)),
            ("2024年", Some(2024)),
            ("2024.5", None),
            ("abc", None),
            ("", None),
            ("12", None),
            ("1800", Some(1800)),
            ("2199", Some(2199)),
            ("1799", None),
            ("2200", None),
            ("0001", None),
            ("9999", None),
            ("9999.0", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_given_year(input), want, "{input:?}");
        }
    }

    #[test]
    fn years_in_text() {
        let cases = [
            ("2024年中华人民共和国国务院政府工作报告", Some(2024)),
            ("陕西省2026年政府工作报告", Some(2026)),
            ("1958年以来，我国各族人民……1960年", Some(1960)),
            ("第十四届全国人民代表大会", None),
            ("12024年", None),
            ("2024", None),
            ("１９９８年", Some(1998)),
            ("1921年建党", None),
            ("二〇二四年工作要点", Some(2024)),
            ("一九五四年九月", Some(1954)),
            ("二〇二四", None),
            ("十二年", None),
        ];
        for (input, want) in cases {
            assert_eq!(first_year_in_text(input, 300), want, "{input:?}");
        }
        assert_eq!(year_in_title("1921年建党"), Some(1921));
        let long = format!("{}2024年", "字".repeat(300));
        assert_eq!(first_year_in_text(&long, 300), None);
    }

    #[test]
    fn datelines() {
        let cases = [
            ("标题\n——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n", Some("2026-01-25")),
            ("标题\n――2026年1月27日在青海省\n", Some("2026-01-27")),
            ("标题\n（2025年12月18日）\n正文", Some("2025-12-18")),
            (
                "决议\n\n\n（2023年3月13日第十四届全国人民代表大会第一次会议通过）\n",
                Some("2023-03-13"),
            ),
            (
                "标题\n2026年1月27日在陕西省第十四届人民代表大会第四次会议上 陕西省省长 赵刚",
                Some("2026-01-27"),
            ),
            (
                "标题\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上",
                Some("2026-01-27"),
            ),
            ("标题\n2026-02-03 09:02:33\n正文", None),
            ("标题\n2025年12月18日，市委召开会议。", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(dateline_date(input).map(|d| d.to_string()).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn file_names() {
        let cases = [
            ("2026_北京市_政府工作报告", (None, Some(2026))),
            ("speech-2019", (None, Some(2019))),
            ("20240305", (Some("2024-03-05"), Some(2024))),
            ("000_e20aaa98e4728523", (None, None)),
            ("report_3000", (None, None)),
            ("", (None, None)),
        ];
        for (input, (date, year)) in cases {
            let (got_date, got_year) = date_from_file_name(input);
            assert_eq!(got_date.map(|d| d.to_string()).as_deref(), date, "{input:?}");
            assert_eq!(got_year, year, "{input:?}");
        }
    }

    /// Given dates in every usual form, as precise as they are written.
    #[test]
    fn given_dates() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2024年3月5日", Some("2024-03-05")),
            ("2024年03月05日", Some("2024-03-05")),
            ("2024年3月5号", Some("2024-03-05")),
            ("二〇二四年三月五日", Some("2024-03-05")),
            ("二零二四年十月十日", Some("2024-10-10")),
            ("二〇二四年十二月二十日", Some("2024-12-20")),
            ("二〇二四年一月三十一日", Some("2024-01-31")),
            ("2024.03.05", Some("2024-03-05")),
            ("2024/3/5", Some("2024-03-05")),
            ("2024-3-5", Some("2024-03-05")),
            ("２０２４年３月５日", Some("2024-03-05")),
            ("20240305", Some("2024-03-05")),
            // Month and year precision.
            ("2024年3月", Some("2024-03")),
            ("2024-03", Some("2024-03")),
            ("2024/3", Some("2024-03")),
            ("二〇二四年三月", Some("2024-03")),
            ("2024年", Some("2024")),
            ("2024", Some("2024")),
            ("二〇二四年", Some("2024")),
            // Text around the date.
            ("发布时间：2024年3月5日 10:00", Some("2024-03-05")),
            ("（2024年3月5日）", Some("2024-03-05")),
            ("2024-03-05T09:02:33Z", Some("2024-03-05")),
            (" 2024年3月5日 星期二 ", Some("2024-03-05")),
            ("第3期 2024-03-05", Some("2024-03-05")),
            // Counter-examples.
            ("2024年13月", None),
            ("2024年13月5日", None),
            ("二〇二四年二月三十日", None),
            ("2024-02-30", None),
            ("1700年", None),
            ("1700-01-01", None),
            ("2200年1月", None),
            ("2024年3", None),
            ("2024-3-", None),
            ("2024-3/5", None),
            ("202403", None),
            ("3月5日", None),
            ("yesterday", None),
            ("", None),
        ];
        for (input, want) in cases {
            let got = parse_given_date(input).map(GivenDate::to_text);
            assert_eq!(got.as_deref(), *want, "{input:?}");
        }
    }
    proptest::proptest! {
        /// A day written in each usual form parses back to itself.
        #[test]
        fn dates_round_trip(year in 1800i16..=2199, month in 1i8..=12, day in 1i8..=31, form in 0usize..8) {
            let Ok(date) = Date::new(year, month, day) else { return Ok(()) };
            let cn = |n: i64| -> String {
                const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
                match n {
                    1..=9 => D[n as usize].to_owned(),
                    10 => "十".to_owned(),
                    11..=19 => format!("十{}", D[(n % 10) as usize]),
                    _ if n % 10 == 0 => format!("{}十", D[(n / 10) as usize]),
                    _ => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
                }
            };
            let cn_year: String = year.to_string().chars().map(|c| {
                ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"][c as usize - '0' as usize]
            }).collect();
            let text = match form {
                0 => format!("{year}年{month}月{day}日"),
                1 => format!("{cn_year}年{}月{}日", cn(month.into()), cn(day.into())),
                2 => format!("{year}.{month:02}.{day:02}"),
                3 => format!("{year}/{month}/{day}"),
                4 => format!("{year}-{month}-{day}"),
                5 => format!("{year}{month:02}{day:02}"),
                6 => format!("发布时间：{year}年{month:02}月{day:02}日 09:30"),
                _ => format!("{year}-{month:02}-{day:02}T08:00:00Z"),
            };
            proptest::prop_assert_eq!(parse_given_date(&text), Some(GivenDate::Day(date)), "{}", text);
            let month_text = format!("{year}年{month}月");
            proptest::prop_assert_eq!(
                parse_given_date(&month_text).map(GivenDate::to_text),
                Some(format!("{year:04}-{month:02}"))
            );
        }

        /// Reading only the first `DATE_PREFIX_CHARS` characters of a line gives the same date.
        #[test]
        fn a_date_is_read_from_the_prefix_of_a_line(
            (year, month, day) in (1900u32..2100, 1u32..=13, 1u32..=32),
            form in 0usize..4,
            tail in "[0-9〇一二三四五六七八九十年月日号./\\-在]{0,60}",
        ) {
            let cn = |n: u32| -> String {
                n.to_string().chars().map(|c| "〇一二三四五六七八九".chars().nth(c as usize - '0' as usize).unwrap_or('〇')).collect()
            };
            let date = match form {
                0 => format!("{year}年{month}月{day}日"),
                1 => format!("{}年{}月{}日", cn(year), cn(month), cn(day)),
                2 => format!("{year}-{month}-{day}"),
                _ => format!("{year}{month:02}{day:02}"),
            };
            let chars: Vec<char> = format!("{date}{tail}").chars().collect();
            let head = &chars[..chars.len().min(DATE_PREFIX_CHARS)];
            proptest::prop_assert_eq!(parse_date_prefix(head), parse_date_prefix(&chars));
        }

        #[test]
        fn given_dates_never_panic(text in "([0-9〇一二三四五六七八九十年月日号./\\- ]|[a-z]){0,20}") {
            if let Some(date) = parse_given_date(&text) {
                proptest::prop_assert!(GIVEN_YEARS.contains(&date.year()));
            }
        }
    }
}
