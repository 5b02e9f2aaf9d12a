//! Metadata of a speech: mapping the fields a file gives, and inferring the ones it does not.
//!
//! This module owns the field names every format shares (`title, date, year, speaker, region,
//! venue, kind, tags, source, url` plus the aliases `province`, `publish_date`, `source_url`, and
//! the text fields `content, text, body, full_text`), the normalisation of given values (dates in
//! several notations, years as numbers or strings, tags as lists or comma-separated strings), and
//! the inference rules for what is missing. Everything here is a pure function of its input.
//!
//! Inference, in order (see [`build_speech`]):
//! - title: the first meaningful line of the body (web-page noise such as `下载` / `【字号：` /
//!   `来源：…` skipped), else the file name stem;
//! - date and year: given fields; else a year in the title (`2024年…报告`); else a dateline in the
//!   first meaningful lines (`——2026年1月25日在…`, `（2023年3月13日…通过）`); else the session of the
//!   National People's Congress named in the title or first line (`第十四届全国人民代表大会第一次会议`);
//!   else the first plausible `YYYY年` in the first 300 characters; else the file name
//!   (`2026_北京市_….csv`, `speech-2019.txt`, `20240305.txt`).
//!
//! Dates and years are scanned by hand (no regular expressions) and validated with
//! [`jiff::civil::Date`].

use jiff::civil::Date;

use super::Speech;
use super::fields::{Field, FieldMap};

/// Maximum length of an inferred title, in characters.
const TITLE_MAX_CHARS: usize = 100;
/// How many meaningful lines are searched for a dateline.
const DATELINE_LINES: usize = 20;
/// How many leading characters of the body are searched for a year.
const YEAR_SCAN_CHARS: usize = 300;
/// Years accepted when inferred, and from file names and titles.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;
/// Years accepted when found in running text (`(19[4-9]\d|20\d\d)年`).
const TEXT_YEARS: std::ops::RangeInclusive<i32> = 1940..=2099;
/// Years accepted in a given `date` or `year` field. Outside it (`0001-01-01`, `9999-12-31`, a
/// placeholder or a typo) a value is treated as an unparseable one: dropped, and the date and
/// year are inferred as if the field were missing.
pub(crate) const GIVEN_YEARS: std::ops::RangeInclusive<i32> = 1800..=2199;

/// A value as a format gives it, reduced to what the field mapping needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    /// Null / missing.
    Null,
    /// A string.
    Str(String),
    /// A number, boolean or date, as text.
    Scalar(String),
    /// A list.
    List(Vec<FieldValue>),
    /// Anything else (a nested table): ignored.
    Other,
}

impl FieldValue {
    fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Str(s) | FieldValue::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&serde_json::Value> for FieldValue {
    fn from(value: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match value {
            J::Null => FieldValue::Null,
            J::Bool(b) => FieldValue::Scalar(b.to_string()),
            J::Number(n) => FieldValue::Scalar(n.to_string()),
            J::String(s) => FieldValue::Str(s.clone()),
            J::Array(items) => FieldValue::List(items.iter().map(FieldValue::from).collect()),
            J::Object(_) => FieldValue::Other,
        }
    }
}

impl From<&serde_yaml_ng::Value> for FieldValue {
    fn from(value: &serde_yaml_ng::Value) -> Self {
        use serde_yaml_ng::Value as Y;
        match value {
            Y::Null => FieldValue::Null,
            Y::Bool(b) => FieldValue::Scalar(b.to_string()),
            Y::Number(n) => FieldValue::Scalar(n.to_string()),
            Y::String(s) => FieldValue::Str(s.clone()),
            Y::Sequence(items) => FieldValue::List(items.iter().map(FieldValue::from).collect()),
            Y::Mapping(_) => FieldValue::Other,
            Y::Tagged(tagged) => FieldValue::from(&tagged.value),
        }
    }
}

impl From<&toml::Value> for FieldValue {
    fn from(value: &toml::Value) -> Self {
        use toml::Value as T;
        match value {
            T::String(s) => FieldValue::Str(s.clone()),
            T::Integer(i) => FieldValue::Scalar(i.to_string()),
            T::Float(f) => FieldValue::Scalar(f.to_string()),
            T::Boolean(b) => FieldValue::Scalar(b.to_string()),
            T::Datetime(d) => FieldValue::Scalar(d.to_string()),
            T::Array(items) => FieldValue::List(items.iter().map(FieldValue::from).collect()),
            T::Table(_) => FieldValue::Other,
        }
    }
}

/// The fields a record gives, as given (trimmed, empty values dropped). When several keys give
/// one field, the key of highest priority wins (see [`fields`](crate::corpus::fields)).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fields {
    pub(crate) title: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) published: Option<String>,
    pub(crate) year: Option<String>,
    pub(crate) speaker: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) venue: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) source: Option<String>,
    pub(crate) url: Option<String>,
    /// The text, untrimmed (only a text that is not blank is kept).
    pub(crate) text: Option<String>,
    /// True when a text key was given, even blank.
    pub(crate) text_key_seen: bool,
    /// The priority of the key that gave each field (by [`Field::index`]; 0: none yet).
    ranks: [usize; Field::ALL.len()],
}

impl Fields {
    /// Sets the field the key `key` gives under `map` (keys that name no field are ignored);
    /// returns whether the key names a field.
    pub(crate) fn set_named(&mut self, map: &FieldMap, key: &str, value: FieldValue) -> bool {
        match map.resolve(key) {
            Some((field, rank)) => {
                self.set(field, rank, value);
                true
            }
            None => false,
        }
    }

    /// Sets one field from a key of priority `rank` (lower wins), unless a key of higher
    /// priority gave it already. Empty values give nothing.
    pub(crate) fn set(&mut self, field: Field, rank: usize, value: FieldValue) {
        let rank = rank + 1;
        let held = self.ranks[field.index()];
        if held != 0 && held <= rank {
            return;
        }
        let given = match field {
            Field::Text => {
                self.text_key_seen = true;
                match value {
                    FieldValue::Str(text) if !text.trim().is_empty() => {
                        self.text = Some(text);
                        true
                    }
                    _ => false,
                }
            }
            Field::Tags => {
                let tags = tags_of(&value);
                let given = !tags.is_empty();
                if given {
                    self.tags = tags;
                }
                given
            }
            _ => {
                let text = value.as_text().map(clean).filter(|s| !s.is_empty());
                let given = text.is_some();
                if given && let Some(slot) = self.slot(field) {
                    *slot = text;
                }
                given
            }
        };
        if given {
            self.ranks[field.index()] = rank;
        }
    }

    /// The slot of a one-value field (`None` for the text and tags).
    fn slot(&mut self, field: Field) -> Option<&mut Option<String>> {
        Some(match field {
            Field::Title => &mut self.title,
            Field::Date => &mut self.date,
            Field::Published => &mut self.published,
            Field::Year => &mut self.year,
            Field::Speaker => &mut self.speaker,
            Field::Region => &mut self.region,
            Field::Venue => &mut self.venue,
            Field::Kind => &mut self.kind,
            Field::Source => &mut self.source,
            Field::Url => &mut self.url,
            Field::Text | Field::Tags => return None,
        })
    }

    /// Takes the text, if a key gave one that is not blank.
    pub(crate) fn take_text(&mut self) -> Option<String> {
        self.text.take()
    }
}

fn clean(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c)).to_owned()
}

fn tags_of(value: &FieldValue) -> Vec<String> {
    let raw: Vec<String> = match value {
        FieldValue::List(items) => items.iter().filter_map(|v| v.as_text().map(clean)).collect(),
        FieldValue::Str(s) | FieldValue::Scalar(s) => s
            .split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace())
            .map(clean)
            .collect(),
        FieldValue::Null | FieldValue::Other => Vec::new(),
    };
    raw.into_iter().filter(|t| !t.is_empty()).collect()
}

/// Where a record comes from.
#[derive(Debug, Clone)]
pub(crate) struct Origin<'a> {
    /// The speech id.
    pub(crate) id: String,
    /// The file's path relative to its root.
    pub(crate) path: &'a str,
    /// The line where the record starts, for multi-record files.
    pub(crate) line: Option<u64>,
}

/// Builds a speech from the fields a record gives and its body, inferring what is missing.
pub(crate) fn build_speech(origin: Origin<'_>, fields: Fields, body: String) -> Speech {
    let Fields {
        title,
        date,
        published,
        year,
        speaker,
        region,
        venue,
        kind,
        tags,
        source,
        url,
        ..
    } = fields;
    let file_name = origin.path.rsplit('/').next().unwrap_or(origin.path);

    let (title, title_inferred) = match title {
        Some(title) => (title, false),
        None => (infer_title(&body).unwrap_or_else(|| file_stem(file_name).to_owned()), true),
    };
    let published = published.as_deref().and_then(parse_given_date);
    let given = Given {
        date: date.as_deref().and_then(parse_given_date),
        year: year.as_deref().and_then(parse_given_year),
        published: published.and_then(GivenDate::day),
    };
    let when = DateYear::infer(given, &title, &body, file_name);

    let inferred =
        [("title", title_inferred), ("date", when.date_inferred), ("year", when.year_inferred)]
            .into_iter()
            .filter(|(_, yes)| *yes)
            .map(|(name, _)| name.to_owned())
            .collect();

    Speech {
        id: origin.id,
        path: origin.path.to_owned(),
        line: origin.line,
        title,
        date: when.date.map(|d| d.to_string()),
        published: published.map(GivenDate::to_text),
        year: when.year,
        speaker,
        region,
        venue,
        kind,
        tags,
        source,
        url,
        inferred,
        body,
    }
}

/// The date and year a record gives, parsed.
#[derive(Debug, Clone, Copy)]
struct Given {
    /// The date, as precise as given.
    date: Option<GivenDate>,
    /// The year.
    year: Option<i32>,
    /// The day of publication.
    published: Option<Date>,
}

/// A speech's date and year, and whether each was inferred.
#[derive(Debug, Clone, Copy, Default)]
struct DateYear {
    date: Option<Date>,
    year: Option<i32>,
    date_inferred: bool,
    year_inferred: bool,
}

impl DateYear {
    /// The given date and year; else, in order: a year in the title; a dateline; the day of
    /// publication; the NPC session or a year in the text; the file name.
    fn infer(given: Given, title: &str, body: &str, file_name: &str) -> DateYear {
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
            when.year = npc_session_year(title)
                .or_else(|| first_meaningful_line(body).and_then(npc_session_year))
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

/// The file name without its last extension.
pub(crate) fn file_stem(file_name: &str) -> &str {
    match file_name.rfind('.') {
        Some(dot) if dot > 0 => &file_name[..dot],
        _ => file_name,
    }
}

// ---------------------------------------------------------------------------------------------
// Lines and titles

/// Zero-width and other invisible characters that web pages leave around.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}')
}

/// A line without surrounding whitespace or invisible characters.
fn trim_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// Exact lines that web pages add around a text.
const NOISE_LINES: &[&str] = &[
    "下载",
    "打印",
    "全屏",
    "收藏",
    "加大",
    "还原",
    "减小",
    "默认",
    "首页",
    "分享",
    "关闭",
    "关闭窗口",
    "打印本页",
    "返回顶部",
    "【打印】",
    "【关闭】",
    "【字号：",
    "【字体：",
    "字号",
    "字体",
];

/// Line beginnings that web pages add around a text.
const NOISE_PREFIXES: &[&str] = &[
    "来源：",
    "来源:",
    "时间：",
    "时间:",
    "作者：",
    "作者:",
    "责任编辑",
    "编辑：",
    "编辑:",
    "发布时间",
    "发表时间",
    "发布日期",
    "阅读量",
    "阅读次数",
    "浏览次数",
    "点击数",
    "您的位置",
    "您现在的位置",
    "当前位置",
    "【字号",
    "【字体",
    "字号：",
    "字体：",
    "分享到",
    "扫一扫",
];

/// True for a line that carries no content: blank, only punctuation or invisible characters,
/// a single character, web-page furniture (`下载`, `【字号：`, `来源：…`), or only a date/time.
pub(crate) fn is_noise_line(line: &str) -> bool {
    let line = trim_line(line);
    let alnum = line.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum <= 1 {
        return true;
    }
    if NOISE_LINES.contains(&line) || NOISE_PREFIXES.iter().any(|p| line.starts_with(p)) {
        return true;
    }
    // A short label such as "您的位置:" or "阅读量：".
    if (line.ends_with(':') || line.ends_with('：')) && line.chars().count() <= 8 {
        return true;
    }
    is_only_datetime(line)
}

/// True when the line is a date, optionally followed by a time (`2026-02-03 09:02:33`).
fn is_only_datetime(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    match parse_date_prefix(&chars) {
        Some((_, used)) => {
            chars[used..].iter().all(|c| c.is_ascii_digit() || matches!(c, ':' | ' ' | 'T' | '.'))
        }
        None => false,
    }
}

/// The meaningful lines of a body: trimmed, noise lines left out.
fn meaningful_lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines().map(trim_line).filter(|l| !is_noise_line(l))
}

fn first_meaningful_line(body: &str) -> Option<&str> {
    meaningful_lines(body).next()
}

/// The title a body suggests: its first meaningful line, capped at 100 characters.
pub(crate) fn infer_title(body: &str) -> Option<String> {
    let line = first_meaningful_line(body)?;
    let capped: String = line.chars().take(TITLE_MAX_CHARS).collect();
    Some(trim_line(&capped).to_owned())
}

// ---------------------------------------------------------------------------------------------
// Numbers, dates and years

/// The value of an ASCII or full-width digit.
fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// The value of a Chinese digit (`〇一二…九`).
fn cn_digit(c: char) -> Option<u32> {
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
fn cn_small_number(chars: &[char]) -> Option<(u32, usize)> {
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
fn digit_run(chars: &[char]) -> (u64, usize) {
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
fn parse_date_prefix(chars: &[char]) -> Option<(Date, usize)> {
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

/// The first `YYYY年` in `chars` with YYYY in `range`, not part of a longer number and not
/// followed by `以来` ("since", a reference to the past).
fn scan_year(chars: &[char], range: &std::ops::RangeInclusive<i32>) -> Option<i32> {
    let mut i = 0usize;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let (value, len) = digit_run(&chars[i..]);
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
        let chars: Vec<char> = line.chars().collect();
        let opener =
            chars.iter().take_while(|&&c| is_dateline_opener(c) || c.is_whitespace()).count();
        let (date, used) = parse_date_prefix(&chars[opener..])?;
        let rest = &chars[opener + used..];
        let ok = opener > 0 || rest.first() == Some(&'在');
        (ok && PLAUSIBLE_YEARS.contains(&i32::from(date.year()))).then_some(date)
    })
}

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

    const NOISY: &str = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n\u{200b}\n\
        2026年北京市政府工作报告\n——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n\
        来源：北京日报\n时间：2026-02-02\n北京市市长 殷勇\n各位代表：\n现在，我代表北京市人民政府……\n";

    #[test]
    fn titles() {
        let long = "长".repeat(150);
        let cases = [
            (NOISY, Some("2026年北京市政府工作报告")),
            (
                "您的位置:\n首页\n>\n2026年政府工作报告\n来源：云南日报\n",
                Some("2026年政府工作报告"),
            ),
            ("\u{feff}\r\n  标题  \r\n正文", Some("标题")),
            ("\u{200b}\n\n】\n", None),
            ("2026-02-03 09:02:33\n正文第一行", Some("正文第一行")),
            (long.as_str(), Some(&long[..100 * '长'.len_utf8()])),
        ];
        for (input, want) in cases {
            assert_eq!(infer_title(input).as_deref(), want, "{input:?}");
        }
    }

    fn speech(fields: Fields, body: &str, path: &str) -> Speech {
        build_speech(Origin { id: path.to_owned(), path, line: None }, fields, body.to_owned())
    }

    #[test]
    fn inference_cascade() {
        // Noisy provincial text with nothing given.
        let s = speech(Fields::default(), NOISY, "a/page.txt");
        assert_eq!(s.title, "2026年北京市政府工作报告");
        assert_eq!(s.year, Some(2026));
        assert_eq!(s.date.as_deref(), Some("2026-01-25"));
        assert_eq!(s.inferred, ["title", "date", "year"]);

        // Given date: year derived, not inferred.
        let fields = Fields { date: Some("2026/2/2".into()), ..Fields::default() };
        let s = speech(fields, "标题\n正文", "x.txt");
        assert_eq!((s.date.as_deref(), s.year), (Some("2026-02-02"), Some(2026)));
        assert_eq!(s.inferred, ["title"]);

        // Given year: a dateline of another year is not taken as the date.
        let fields =
            Fields { year: Some("2024".into()), title: Some("T".into()), ..Fields::default() };
        let s = speech(fields, "T\n（2025年12月18日）\n", "x.txt");
        assert_eq!((s.date, s.year, s.inferred.len()), (None, Some(2024), 0));

        // Resolution: year from the NPC session in the title.
        let fields = Fields {
            title: Some("第十二届全国人民代表大会第一次会议关于政府工作报告的决议".into()),
            ..Fields::default()
        };
        let s = speech(fields, "会议同意报告提出的今年经济社会发展的总体要求。", "gwr.jsonl");
        assert_eq!((s.year, s.inferred.clone()), (Some(2013), vec!["year".to_owned()]));

        // Year in the first 300 characters.
        let s = speech(
            Fields { title: Some("决议".into()), ..Fields::default() },
            "同意报告提出的2025年经济社会发展",
            "r.txt",
        );
        assert_eq!(s.year, Some(2025));

        // File name.
        let s = speech(Fields::default(), "没有年份的讲话", "dir/20240305.txt");
        assert_eq!((s.date.as_deref(), s.year), (Some("2024-03-05"), Some(2024)));
        assert_eq!(s.inferred, ["title", "date", "year"]);
        let s = speech(Fields::default(), "没有年份的讲话", "speech-2019.txt");
        assert_eq!((s.date, s.year), (None, Some(2019)));

        // Nothing at all: still a speech, title from the file name.
        let s = speech(Fields::default(), "】\n\u{200b}", "dir/无题.md");
        assert_eq!((s.title.as_str(), s.year, s.date), ("无题", None, None));
    }

    /// A given date or year outside GIVEN_YEARS is treated as an unparseable one: dropped, and
    /// inferred from the title, dateline or file name as if it were missing.
    #[test]
    fn implausible_given_dates_are_dropped() {
        for date in ["0001-01-01", "9999-12-31", "not a date"] {
            let fields = Fields {
                date: Some(date.into()),
                title: Some("2024年政府工作报告".into()),
                ..Fields::default()
            };
            let s = speech(fields, "正文", "x.txt");
            assert_eq!((s.date, s.year), (None, Some(2024)), "{date}");
            assert_eq!(s.inferred, ["year"], "{date}");
        }
        for year in ["1", "9999", "2200", "nineteen"] {
            let fields = Fields {
                year: Some(year.into()),
                date: Some("2023-03-05".into()),
                ..Fields::default()
            };
            let s = speech(fields, "标题\n正文", "x.txt");
            assert_eq!((s.date.as_deref(), s.year), (Some("2023-03-05"), Some(2023)), "{year}");
        }
        let fields = Fields { date: Some("0001-01-01".into()), ..Fields::default() };
        let s = speech(fields, "标题\n正文", "y.txt");
        assert_eq!((s.date, s.year), (None, None));
    }

    #[test]
    fn field_mapping() {
        let map = FieldMap::default();
        let mut f = Fields::default();
        f.set_named(&map, " City ", FieldValue::Str("北京市".into()));
        f.set_named(&map, "Province", FieldValue::Str("北京".into()));
        f.set_named(&map, "publish_date", FieldValue::Str("2026-02-02".into()));
        f.set_named(&map, "source_url", FieldValue::Str("https://example.org".into()));
        f.set_named(&map, "year", FieldValue::Scalar("2026".into()));
        f.set_named(&map, "tags", FieldValue::Str("经济, 科技，改革、 开放;；".into()));
        f.set_named(&map, "unknown", FieldValue::Str("x".into()));
        f.set_named(&map, "正文", FieldValue::Str("正文".into()));
        f.set_named(&map, "content", FieldValue::Str("  ".into()));
        f.set_named(&map, "text", FieldValue::Scalar("42".into()));
        // province is listed before city: the order of the table decides, not the record's.
        assert_eq!(f.region.as_deref(), Some("北京"));
        assert_eq!((f.date.as_deref(), f.published.as_deref()), (None, Some("2026-02-02")));
        assert_eq!(f.url.as_deref(), Some("https://example.org"));
        assert_eq!(f.year.as_deref(), Some("2026"));
        assert_eq!(f.tags, ["经济", "科技", "改革", "开放"]);
        // A blank text of higher priority does not hide a text of lower priority.
        assert_eq!(f.take_text().as_deref(), Some("正文"));

        let mut f = Fields::default();
        f.set_named(
            &map,
            "tags",
            FieldValue::List(vec![FieldValue::Str(" a b ".into()), FieldValue::Null]),
        );
        f.set_named(&map, "title", FieldValue::Null);
        f.set_named(&map, "题目", FieldValue::Str("题目".into()));
        f.set_named(&map, "标题", FieldValue::Str("标题".into()));
        assert_eq!(f.tags, ["a b"], "list items are kept whole");
        assert_eq!(f.title.as_deref(), Some("标题"));
        assert_eq!(f.take_text(), None);
        assert!(!f.text_key_seen);

        // A mapped key wins over every alias, and gives only its mapped field.
        let map = FieldMap::from_pairs([("text", "讲话全文"), ("title", "正文")]).unwrap();
        let mut f = Fields::default();
        f.set_named(&map, "content", FieldValue::Str("别的".into()));
        f.set_named(&map, "讲话全文", FieldValue::Str("全文".into()));
        f.set_named(&map, "正文", FieldValue::Str("一个标题".into()));
        assert_eq!(f.take_text().as_deref(), Some("全文"));
        assert_eq!(f.title.as_deref(), Some("一个标题"));
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

    /// A date given to the month keeps its year and no day; `published` is stored apart and is
    /// the date (inferred) only when no date or dateline is found.
    #[test]
    fn month_precision_and_publication_dates() {
        let fields = Fields { date: Some("2024年3月".into()), ..Fields::default() };
        let s = speech(fields, "标题\n正文", "x.txt");
        assert_eq!((s.date, s.year, s.inferred.clone()), (None, Some(2024), vec!["title".into()]));

        let fields = Fields { published: Some("2026年2月2日".into()), ..Fields::default() };
        let s = speech(fields.clone(), "标题\n——2026年1月25日在大会上\n", "x.txt");
        assert_eq!(s.date.as_deref(), Some("2026-01-25"), "the dateline comes first");
        assert_eq!(s.published.as_deref(), Some("2026-02-02"));
        let s = speech(fields, "标题\n正文", "x.txt");
        assert_eq!((s.date.as_deref(), s.year), (Some("2026-02-02"), Some(2026)));
        assert_eq!(s.inferred, ["title", "date", "year"]);

        let fields = Fields {
            date: Some("2024-03-05".into()),
            published: Some("2024-03".into()),
            ..Fields::default()
        };
        let s = speech(fields, "标题\n正文", "x.txt");
        assert_eq!(
            (s.date.as_deref(), s.published.as_deref()),
            (Some("2024-03-05"), Some("2024-03"))
        );
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

        #[test]
        fn given_dates_never_panic(text in "([0-9〇一二三四五六七八九十年月日号./\\- ]|[a-z]){0,20}") {
            if let Some(date) = parse_given_date(&text) {
                proptest::prop_assert!(GIVEN_YEARS.contains(&date.year()));
            }
        }
    }
}
