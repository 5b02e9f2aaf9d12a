//! Field names: which record keys, CSV columns and front-matter keys give which field of a
//! speech, in every format.
//!
//! This module owns the one table of aliases ([`ALIASES`]) and the user's mapping
//! ([`FieldMap`], from `speechdex index --map FIELD=KEY` and the `[fields]` table of a
//! `speechdex.toml`). A key is matched after trimming whitespace, invisible characters and a
//! byte-order mark, case-insensitively for ASCII, with `-` and spaces read as `_` (`Full Text`,
//! `full-text` and `full_text` are one key). Only whole keys match: `会议时间` is not `时间`.
//!
//! When several keys of one record give the same field, the one of highest priority wins: a
//! key named by the mapping first, then the aliases in the order of [`ALIASES`] (the English
//! schema name first), whatever their order in the record. Keys that name no field are ignored;
//! a record whose text is not found is skipped with the keys it has (see the readers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::meta::MetaTable;
use crate::{Error, Result};

/// A field of a speech that a record can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The title.
    Title,
    /// The full text (the body).
    Text,
    /// The day the speech was given.
    Date,
    /// The day it was published (kept apart from `date`).
    Published,
    /// The year.
    Year,
    /// Who spoke.
    Speaker,
    /// Province, city, region.
    Region,
    /// The meeting or occasion.
    Venue,
    /// Kind of text (report, speech, resolution...).
    Kind,
    /// Free tags.
    Tags,
    /// The publisher.
    Source,
    /// The source URL.
    Url,
}

impl Field {
    /// Every field, in the order of [`Field::name`]s shown to users.
    pub const ALL: [Field; 12] = [
        Field::Title,
        Field::Text,
        Field::Date,
        Field::Published,
        Field::Year,
        Field::Speaker,
        Field::Region,
        Field::Venue,
        Field::Kind,
        Field::Tags,
        Field::Source,
        Field::Url,
    ];

    /// The field's name in `--map`, `speechdex.toml` and the index.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
            Field::Date => "date",
            Field::Published => "published",
            Field::Year => "year",
            Field::Speaker => "speaker",
            Field::Region => "region",
            Field::Venue => "venue",
            Field::Kind => "kind",
            Field::Tags => "tags",
            Field::Source => "source",
            Field::Url => "url",
        }
    }

    /// The field named `name` (its [`Field::name`], case-insensitive); `Err` lists the names.
    pub fn from_name(name: &str) -> Result<Field, String> {
        let wanted = name.trim().to_ascii_lowercase();
        Field::ALL.into_iter().find(|f| f.name() == wanted).ok_or_else(|| {
            format!("unknown field {:?} (fields: {})", name.trim(), Field::names().join(", "))
        })
    }

    /// The names of every field.
    pub fn names() -> Vec<&'static str> {
        Field::ALL.iter().map(|f| f.name()).collect()
    }

    /// The field's place in [`Field::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The keys that name each field, in order of priority (a key listed earlier wins over a later
/// one for the same field). Matched as described in the [module doc](self).
pub const ALIASES: &[(&str, Field)] = &[
    ("title", Field::Title),
    ("headline", Field::Title),
    ("标题", Field::Title),
    ("题目", Field::Title),
    ("名称", Field::Title),
    ("篇名", Field::Title),
    ("content", Field::Text),
    ("text", Field::Text),
    ("body", Field::Text),
    ("full_text", Field::Text),
    ("fulltext", Field::Text),
    ("正文", Field::Text),
    ("内容", Field::Text),
    ("全文", Field::Text),
    ("文本", Field::Text),
    ("date", Field::Date),
    ("speech_date", Field::Date),
    ("日期", Field::Date),
    ("时间", Field::Date),
    ("讲话日期", Field::Date),
    ("讲话时间", Field::Date),
    ("published", Field::Published),
    ("publish_date", Field::Published),
    ("publication_date", Field::Published),
    ("pub_date", Field::Published),
    ("published_at", Field::Published),
    ("release_date", Field::Published),
    ("发布日期", Field::Published),
    ("发布时间", Field::Published),
    ("发表日期", Field::Published),
    ("发表时间", Field::Published),
    ("year", Field::Year),
    ("年份", Field::Year),
    ("年度", Field::Year),
    ("年", Field::Year),
    ("speaker", Field::Speaker),
    ("author", Field::Speaker),
    ("讲话人", Field::Speaker),
    ("发言人", Field::Speaker),
    ("作者", Field::Speaker),
    ("报告人", Field::Speaker),
    ("region", Field::Region),
    ("province", Field::Region),
    ("city", Field::Region),
    ("地区", Field::Region),
    ("省份", Field::Region),
    ("城市", Field::Region),
    ("地方", Field::Region),
    ("venue", Field::Venue),
    ("meeting", Field::Venue),
    ("congress", Field::Venue),
    ("会议", Field::Venue),
    ("kind", Field::Kind),
    ("type", Field::Kind),
    ("category", Field::Kind),
    ("genre", Field::Kind),
    ("类型", Field::Kind),
    ("文种", Field::Kind),
    ("类别", Field::Kind),
    ("体裁", Field::Kind),
    ("tags", Field::Tags),
    ("tag", Field::Tags),
    ("keywords", Field::Tags),
    ("keyword", Field::Tags),
    ("标签", Field::Tags),
    ("关键词", Field::Tags),
    ("关键字", Field::Tags),
    ("source", Field::Source),
    ("publisher", Field::Source),
    ("来源", Field::Source),
    ("出处", Field::Source),
    ("url", Field::Url),
    ("link", Field::Url),
    ("source_url", Field::Url),
    ("链接", Field::Url),
    ("网址", Field::Url),
];

/// A key as it is matched: trimmed (whitespace, invisible characters, byte-order mark), ASCII
/// lower case, `-` and spaces as `_`.
pub(crate) fn normalize_key(key: &str) -> String {
    key.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2060}')
    })
    .chars()
    .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
    .collect()
}

/// The field an alias names, with its priority (lower wins), for a key already normalised.
fn alias(normalized: &str) -> Option<(Field, usize)> {
    ALIASES.iter().position(|(name, _)| *name == normalized).map(|i| (ALIASES[i].1, i + 1))
}

/// The user's mapping of fields to record keys: `--map text=讲话全文`, or the `[fields]` table of
/// a `speechdex.toml`. A mapped key gives its field before any alias, and only that field.
/// It also carries the overrides of the metadata files (`--meta`, `meta = "FILE.csv"`), which
/// the readers apply to the speeches they read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {
    /// Field → key as given.
    keys: BTreeMap<Field, String>,
    /// The overrides of the metadata files, if any.
    meta: Option<Arc<MetaTable>>,
}

/// The empty mapping, for readers without options.
pub(crate) static NO_MAP: FieldMap = FieldMap { keys: BTreeMap::new(), meta: None };

impl FieldMap {
    /// Parses one `FIELD=KEY` (the argument of `--map`).
    pub fn parse_assignment(text: &str) -> Result<(Field, String), String> {
        let Some((field, key)) = text.split_once('=') else {
            return Err(format!(
                "expected FIELD=KEY (e.g. text=讲话全文), got {text:?}; fields: {}",
                Field::names().join(", ")
            ));
        };
        let field = Field::from_name(field)?;
        Ok((field, FieldMap::checked_key(field, key)?))
    }

    /// A key for `field`, trimmed; `Err` when it is blank.
    fn checked_key(field: Field, key: &str) -> Result<String, String> {
        let key = key.trim();
        if normalize_key(key).is_empty() {
            return Err(format!(
                "the key for {} is empty (expected {}=KEY)",
                field.name(),
                field.name()
            ));
        }
        Ok(key.to_owned())
    }

    /// A mapping from `(FIELD, KEY)` pairs. `Err` when a field is given twice, or one key is
    /// given for two fields.
    pub fn from_pairs<S: AsRef<str>>(
        pairs: impl IntoIterator<Item = (S, S)>,
    ) -> Result<FieldMap, String> {
        let mut map = FieldMap::default();
        for (field, key) in pairs {
            let field = Field::from_name(field.as_ref())?;
            let key = FieldMap::checked_key(field, key.as_ref())?;
            if map.keys.contains_key(&field) {
                return Err(format!("{} is mapped twice", field.name()));
            }
            if let Some((other, _)) =
                map.keys.iter().find(|(_, k)| normalize_key(k) == normalize_key(&key))
            {
                return Err(format!(
                    "the key {key:?} is mapped to both {} and {}",
                    other.name(),
                    field.name()
                ));
            }
            map.keys.insert(field, key);
        }
        Ok(map)
    }

    /// This mapping with the fields of `over` replacing its own (flags over `speechdex.toml`).
    pub fn overlaid_with(&self, over: &FieldMap) -> FieldMap {
        let mut keys: BTreeMap<Field, String> = self
            .keys
            .iter()
            .filter(|(field, key)| {
                // A key that `over` maps to another field leaves this mapping.
                !over.keys.contains_key(field)
                    && !over.keys.values().any(|k| normalize_key(k) == normalize_key(key))
            })
            .map(|(f, k)| (*f, k.clone()))
            .collect();
        keys.extend(over.keys.iter().map(|(f, k)| (*f, k.clone())));
        let meta = match (&self.meta, &over.meta) {
            (Some(a), Some(b)) => Some(Arc::new(a.overlaid_with(b))),
            (a, b) => b.clone().or_else(|| a.clone()),
        };
        FieldMap { keys, meta }
    }

    /// This mapping with the overrides of `meta` winning over those it has.
    pub fn with_meta(mut self, meta: MetaTable) -> FieldMap {
        let merged = match self.meta.take() {
            Some(have) => have.overlaid_with(&meta),
            None => meta,
        };
        self.meta = Some(Arc::new(merged));
        self
    }

    /// The overrides of the metadata files, if any.
    pub fn meta(&self) -> Option<&MetaTable> {
        self.meta.as_deref()
    }

    /// The key mapped to `field`.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.keys.get(&field).map(String::as_str)
    }

    /// True when nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// `field=key` pairs, comma-separated, keys quoted: stable, for the reader key and messages.
    pub fn describe(&self) -> String {
        let pairs: Vec<String> =
            self.keys.iter().map(|(f, k)| format!("{}={k:?}", f.name())).collect();
        pairs.join(",")
    }

    /// The field a record's key gives, with its priority (lower wins; a mapped key is 0), or
    /// `None` for a key that names no field.
    pub(crate) fn resolve(&self, key: &str) -> Option<(Field, usize)> {
        let normalized = normalize_key(key);
        if normalized.is_empty() {
            return None;
        }
        if let Some((field, _)) = self.keys.iter().find(|(_, k)| normalize_key(k) == normalized) {
            return Some((*field, 0));
        }
        alias(&normalized)
    }
}

/// The file at a corpus root whose `[fields]` table maps fields to keys for a whole corpus.
pub const CONFIG_FILE: &str = "speechdex.toml";

/// The mapping of the `[fields]` table of `speechdex.toml` at `root`, with the overrides of
/// its `meta` file (relative to the root), if there is one (`None` for a root that is a file,
/// or a folder without it).
pub fn root_config(root: &Path) -> Result<Option<FieldMap>> {
    let path = root.join(CONFIG_FILE);
    if !root.is_dir() || !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
    let (map, meta) =
        parse_config(&text).map_err(|message| Error::Config { path: path.clone(), message })?;
    match meta {
        Some(file) => Ok(Some(map.with_meta(MetaTable::load(&root.join(file))?))),
        None => Ok(Some(map)),
    }
}

/// Parses the text of a `speechdex.toml`: the `[fields]` mapping and the `meta` file named;
/// `Err` says what is wrong and on which line.
fn parse_config(text: &str) -> std::result::Result<(FieldMap, Option<String>), String> {
    let table: toml::Table = toml::from_str(text).map_err(|err| {
        let message = err.message().trim().to_owned();
        match err.span() {
            Some(span) => {
                let line = 1 + text.get(..span.start).unwrap_or(text).matches('\n').count();
                format!("line {line}: {message}")
            }
            None => message,
        }
    })?;
    let mut pairs = Vec::new();
    let mut meta = None;
    for (name, value) in &table {
        let fields = match (name.as_str(), value) {
            ("fields", toml::Value::Table(fields)) => fields,
            ("fields", _) => return Err("`fields` must be a table: [fields]".into()),
            ("meta", toml::Value::String(file)) => {
                meta = Some(file.clone());
                continue;
            }
            ("meta", _) => return Err("`meta` must name a CSV file: meta = \"meta.csv\"".into()),
            _ => {
                return Err(format!(
                    "unknown setting `{name}` (expected a [fields] table, e.g. text = \"讲话全文\", \
                     or meta = \"FILE.csv\")"
                ));
            }
        };
        for (field, key) in fields {
            let toml::Value::String(key) = key else {
                return Err(format!("[fields] {field}: expected the key as a string"));
            };
            pairs.push((field.clone(), key.clone()));
        }
    }
    let map = FieldMap::from_pairs(pairs).map_err(|e| format!("[fields]: {e}"))?;
    Ok((map, meta))
}

/// The mapping for a run over `roots`: the `speechdex.toml` of each root (two roots may not map
/// one field to different keys), with `flags` (from `--map`) winning over them.
pub fn mapping_for_roots(roots: &[PathBuf], flags: &FieldMap) -> Result<FieldMap> {
    let mut merged = FieldMap::default();
    let mut from: BTreeMap<Field, PathBuf> = BTreeMap::new();
    for root in roots {
        let Some(map) = root_config(root)? else { continue };
        if let Some(meta) = map.meta() {
            merged = merged.with_meta(meta.clone());
        }
        for (field, key) in &map.keys {
            match merged.keys.get(field) {
                Some(have)
                    if normalize_key(have) != normalize_key(key) && flags.get(*field).is_none() =>
                {
                    let first =
                        from.get(field).map(|p| p.display().to_string()).unwrap_or_default();
                    return Err(Error::Config {
                        path: root.join(CONFIG_FILE),
                        message: format!(
                            "[fields] maps {} to {key:?}, but {first} maps it to {have:?}: index \
                             the roots separately, or choose one with --map {}=KEY",
                            field.name(),
                            field.name()
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    merged.keys.insert(*field, key.clone());
                    from.insert(*field, root.join(CONFIG_FILE));
                }
            }
        }
    }
    Ok(merged.overlaid_with(flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every alias maps to its field, whatever its case and surrounding space; the English
    /// schema name of each field is its first alias.
    #[test]
    fn every_alias_maps_as_documented() {
        let map = FieldMap::default();
        for (i, (alias, field)) in ALIASES.iter().enumerate() {
            assert_eq!(map.resolve(alias), Some((*field, i + 1)), "{alias}");
            let decorated = format!("\u{feff} {} \t", alias.to_ascii_uppercase());
            assert_eq!(map.resolve(&decorated).map(|r| r.0), Some(*field), "{decorated:?}");
        }
        // The schema name is an alias, the first of its field but for the text (`content`
        // first, as before the table existed).
        for field in Field::ALL {
            let first = ALIASES.iter().find(|(_, f)| *f == field).map(|(a, _)| *a);
            let want = if field == Field::Text { "content" } else { field.name() };
            assert_eq!(first, Some(want), "{field:?}");
            assert_eq!(map.resolve(field.name()).map(|r| r.0), Some(field), "{field:?}");
        }
        let unique: std::collections::HashSet<_> = ALIASES.iter().map(|(a, _)| *a).collect();
        assert_eq!(unique.len(), ALIASES.len(), "an alias is listed twice");
    }

    #[test]
    fn keys_match_whole_and_normalised() {
        let map = FieldMap::default();
        let cases: &[(&str, Option<Field>)] = &[
            ("标题", Some(Field::Title)),
            ("Full Text", Some(Field::Text)),
            ("full-text", Some(Field::Text)),
            ("FULL_TEXT", Some(Field::Text)),
            ("Publish_Date", Some(Field::Published)),
            ("\u{feff}province", Some(Field::Region)),
            ("类型", Some(Field::Kind)),
            ("Type", Some(Field::Kind)),
            // Only whole keys: 时间 inside a longer key is not a date.
            ("会议时间", None),
            ("时间戳", None),
            ("标题2", None),
            ("讲话全文", None),
            ("titles", None),
            ("", None),
            (" \u{feff} ", None),
        ];
        for (key, want) in cases {
            assert_eq!(map.resolve(key).map(|r| r.0), *want, "{key:?}");
        }
    }

    #[test]
    fn assignments() {
        let ok = [
            ("text=讲话全文", Field::Text, "讲话全文"),
            (" Title = 名称 ", Field::Title, "名称"),
            ("url=a=b", Field::Url, "a=b"),
            ("published=发布时间", Field::Published, "发布时间"),
        ];
        for (input, field, key) in ok {
            assert_eq!(FieldMap::parse_assignment(input), Ok((field, key.to_owned())), "{input}");
        }
        let bad = [
            ("body=正文", "unknown field \"body\" (fields: title, text, date, published"),
            ("text", "expected FIELD=KEY"),
            ("text= ", "the key for text is empty"),
            ("=x", "unknown field \"\""),
        ];
        for (input, fragment) in bad {
            let err = FieldMap::parse_assignment(input).unwrap_err();
            assert!(err.contains(fragment), "{input}: {err}");
        }
        assert!(FieldMap::from_pairs([("text", "a"), ("text", "b")]).is_err());
        let err = FieldMap::from_pairs([("text", "A"), ("title", "a")]).unwrap_err();
        assert!(err.contains("mapped to both text and title"), "{err}");
    }

    #[test]
    fn mapped_keys_come_first_and_flags_win() {
        let file = FieldMap::from_pairs([("text", "讲话全文"), ("title", "名称")]).unwrap();
        assert_eq!(file.resolve("讲话全文"), Some((Field::Text, 0)));
        // A mapped alias gives only its mapped field.
        let map = FieldMap::from_pairs([("text", "标题")]).unwrap();
        assert_eq!(map.resolve("标题"), Some((Field::Text, 0)));
        assert_eq!(map.resolve("title").map(|r| r.0), Some(Field::Title));

        let flags = FieldMap::from_pairs([("text", "全文内容"), ("speaker", "名称")]).unwrap();
        let merged = file.overlaid_with(&flags);
        assert_eq!(merged.get(Field::Text), Some("全文内容"));
        assert_eq!(merged.get(Field::Speaker), Some("名称"));
        assert_eq!(merged.get(Field::Title), None, "名称 now names the speaker");
        assert_eq!(merged.describe(), "text=\"全文内容\",speaker=\"名称\"");
        assert!(FieldMap::default().describe().is_empty());
    }

    #[test]
    fn config_files() {
        let (map, meta) =
            parse_config("# a corpus\n[fields]\ntext = \"讲话全文\"\ntitle = \"名称\"\n").unwrap();
        assert_eq!(map.describe(), "title=\"名称\",text=\"讲话全文\"");
        assert_eq!(meta, None);
        assert!(parse_config("").unwrap().0.is_empty());
        let (_, meta) = parse_config("meta = \"meta.csv\"\n").unwrap();
        assert_eq!(meta.as_deref(), Some("meta.csv"));
        let bad = [
            ("[fields]\ntext = \"a\"\ntitle = = 1\n", "line 3:"),
            ("[fields]\nbody = \"a\"\n", "[fields]: unknown field \"body\""),
            ("[fields]\ntext = 1\n", "[fields] text: expected the key as a string"),
            ("[feilds]\ntext = \"a\"\n", "unknown setting `feilds`"),
            ("fields = 1\n", "must be a table"),
            ("meta = 1\n", "`meta` must name a CSV file"),
        ];
        for (text, fragment) in bad {
            let err = parse_config(text).unwrap_err();
            assert!(err.contains(fragment), "{text:?}: {err}");
        }

        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for (root, key) in [(&a, "全文一"), (&b, "全文二")] {
            std::fs::create_dir(root).unwrap();
            std::fs::write(root.join(CONFIG_FILE), format!("[fields]\ntext = \"{key}\"\n"))
                .unwrap();
        }
        let none = FieldMap::default();
        let one = mapping_for_roots(std::slice::from_ref(&a), &none).unwrap();
        assert_eq!(one.get(Field::Text), Some("全文一"));
        let err = mapping_for_roots(&[a.clone(), b.clone()], &none).unwrap_err().to_string();
        assert!(err.contains("b/speechdex.toml") && err.contains("--map text=KEY"), "{err}");
        let flags = FieldMap::from_pairs([("text", "正文")]).unwrap();
        let both = mapping_for_roots(&[a.clone(), b], &flags).unwrap();
        assert_eq!(both.get(Field::Text), Some("正文"));
        std::fs::write(a.join(CONFIG_FILE), "[fields\n").unwrap();
        let err = mapping_for_roots(&[a], &none).unwrap_err().to_string();
        assert!(err.contains("a/speechdex.toml: line 1:"), "{err}");
    }
}
