//! Metadata of a speech: mapping the fields a file gives, and inferring the ones it does not.
//!
//! This module owns the normalisation of given values (dates in several notations, years as
//! numbers or strings, tags as lists or comma-separated strings; the field names themselves are
//! in [`crate::corpus::fields`]) and the inference of what is missing, and builds the
//! [`Speech`]. Everything here is a pure function of its input.
//!
//! Inference (see [`build_speech`]); it never overrides a stated field, and each field it fills
//! is listed in the speech's `inferred`:
//! - title: the first meaningful line of the body (web-page noise such as `下载` / `【字号：` /
//!   `来源：…` skipped), else the file name stem;
//! - date and year: given fields; else a year in the title (`2024年…报告`); else a dateline in the
//!   first meaningful lines (`——2026年1月25日在…`, `（2023年3月13日…通过）`); else the publication
//!   day; else the session (NPC, CPPCC, Party congress or plenum) that is the occasion, in the
//!   title, venue or heading (`第十四届全国人民代表大会第一次会议`, `十二大`, `十九届五中全会`); else
//!   the first plausible `YYYY年` or `二〇二四年` in the first 300 characters; else the file name
//!   (`2026_北京市_….csv`, `speech-2019.txt`, `20240305.txt`);
//! - kind, region and speaker: from the title and heading ([`infer`]); no speaker for a document
//!   adopted by a body (a resolution, a decision...).
//!
//! Submodules: `lines` (trimming, web-page noise, the title), `numerals` (ASCII, full-width and
//! Chinese digits), `dates` (given dates, datelines, years in titles, texts and file names),
//! `sessions` (the years of sessions), `infer` (kind, region, speaker) and `overrides` (the
//! values of a `--meta` file). Dates and years are scanned by hand (no regular expressions) and
//! validated with [`jiff::civil::Date`].

mod dates;
mod infer;
mod lines;
mod numerals;
mod overrides;
mod sessions;

use super::Speech;
use super::fields::{Field, FieldMap};

use dates::{DateYear, Given, GivenDate, parse_given_date, parse_given_year};
use lines::{infer_title, is_invisible};
pub(crate) use overrides::{apply_override, check_override};

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

pub(super) fn tags_of(value: &FieldValue) -> Vec<String> {
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
        venue: venue.as_deref(),
    };
    let when = DateYear::infer(given, &title, &body, file_name);
    let who = Who::infer(Who { kind, region, speaker }, &title, &body);

    let inferred = [
        ("title", title_inferred),
        ("date", when.date_inferred),
        ("year", when.year_inferred),
        ("kind", who.0[0]),
        ("region", who.0[1]),
        ("speaker", who.0[2]),
    ]
    .into_iter()
    .filter(|(_, yes)| *yes)
    .map(|(name, _)| name.to_owned())
    .collect();
    let Who { kind, region, speaker } = who.1;

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

/// A speech's kind, region and speaker.
#[derive(Debug, Clone, Default)]
struct Who {
    kind: Option<String>,
    region: Option<String>,
    speaker: Option<String>,
}

impl Who {
    /// Fills what `given` lacks from the title and heading (see [`infer`]); returns which of
    /// kind, region and speaker were inferred. A document adopted by a body (a resolution, a
    /// decision...) gets no inferred speaker.
    fn infer(given: Who, title: &str, body: &str) -> ([bool; 3], Who) {
        let heading = infer::heading(body);
        let mut flags = [false; 3];
        let mut fill = |slot: Option<String>, i: usize, guess: &dyn Fn() -> Option<String>| {
            slot.or_else(|| {
                let found = guess();
                flags[i] = found.is_some();
                found
            })
        };
        let kind = fill(given.kind, 0, &|| infer::infer_kind(title, &heading, body));
        let region = fill(given.region, 1, &|| infer::infer_region(title, &heading));
        let document = kind.as_deref().is_some_and(infer::is_document_kind);
        let speaker = fill(given.speaker, 2, &|| {
            if document { None } else { infer::infer_speaker_of(title, body, &heading) }
        });
        (flags, Who { kind, region, speaker })
    }
}

/// The file name without its last extension.
pub(crate) fn file_stem(file_name: &str) -> &str {
    match file_name.rfind('.') {
        Some(dot) if dot > 0 => &file_name[..dot],
        _ => file_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const NOISY: &str = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n\u{200b}\n\
        2026年北京市政府工作报告\n——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n\
        来源：北京日报\n时间：2026-02-02\n北京市市长 殷勇\n各位代表：\n现在，我代表北京市人民政府……\n";

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
        assert_eq!(
            (s.kind.as_deref(), s.region.as_deref(), s.speaker.as_deref()),
            (Some("政府工作报告"), Some("北京市"), Some("殷勇"))
        );
        assert_eq!(s.inferred, ["title", "date", "year", "kind", "region", "speaker"]);

        // What a record states is never overridden, and is not marked inferred.
        let fields = Fields {
            kind: Some("报告".into()),
            region: Some("北京".into()),
            speaker: Some("某某".into()),
            ..Fields::default()
        };
        let s = speech(fields, NOISY, "a/page.txt");
        assert_eq!(
            (s.kind.as_deref(), s.region.as_deref(), s.speaker.as_deref()),
            (Some("报告"), Some("北京"), Some("某某"))
        );
        assert_eq!(s.inferred, ["title", "date", "year"]);

        // A resolution about a report: kind and region, never the reporter as its speaker,
        // even with a byline-like line.
        let fields = Fields {
            title: Some("第十四届全国人民代表大会第二次会议关于政府工作报告的决议".into()),
            ..Fields::default()
        };
        let body = "关于政府工作报告的决议\n国务院总理　李　强\n第十四届全国人民代表大会第二次会议\
            听取和审议了国务院总理李强所作的政府工作报告。";
        let s = speech(fields, body, "r.jsonl");
        assert_eq!((s.kind.as_deref(), s.region.as_deref()), (Some("决议"), Some("全国")));
        assert_eq!((s.speaker, s.year), (None, Some(2024)));
        assert_eq!(s.inferred, ["year", "kind", "region"]);

        // A report that quotes another year's dateline: the year of the title stands, the
        // dateline of 2023 is not its date.
        let fields =
            Fields { title: Some("2024年市政府工作报告".into()), ..Fields::default() };
        let s = speech(fields, "2024年市政府工作报告\n（2023年1月5日在市人代会上）\n正文", "q.txt");
        assert_eq!((s.year, s.date), (Some(2024), None));

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
        assert_eq!(s.year, Some(2013));
        assert_eq!(s.inferred, ["year", "kind", "region"]);

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
        assert_eq!(s.inferred, ["title", "date", "year", "kind"]);
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
            assert_eq!(s.inferred, ["year", "kind"], "{date}");
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
}
