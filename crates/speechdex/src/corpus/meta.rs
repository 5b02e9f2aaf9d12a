//! Overrides without editing the sources: a metadata file (`--meta FILE.csv`, or
//! `meta = "FILE.csv"` in a corpus root's `speechdex.toml`).
//!
//! The file is a CSV (any encoding speechdex detects) whose `id` column names a speech as
//! `search` prints it (`gwr/reports.jsonl:3`, `speeches/a.txt`) and whose other columns are
//! fields, by schema name or alias (`speaker`, `讲话人`, `date`, `日期`...). A non-empty cell wins
//! over what the record states and over inference, and the field leaves the speech's `inferred`
//! list; an empty cell changes nothing. The text cannot be set this way.
//!
//! The file's content hash is part of the reader key ([`super::ReadOptions::reader_key`]):
//! editing it makes the next incremental run read the corpus again, and only the speeches whose
//! metadata changed are rewritten (the others keep their content hash).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Speech;
use super::fields::{Field, FieldMap};
use super::metadata;
use crate::{Error, Result};

/// The overrides of one or more metadata files: speech id → (field, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaTable {
    rows: BTreeMap<String, Vec<(Field, String)>>,
    /// The files read (canonical paths): never indexed as corpus files.
    files: Vec<PathBuf>,
    /// Content hash of the files, in order.
    hash: u64,
}

impl MetaTable {
    /// Reads the metadata file at `path`; `Err` ([`Error::Config`]) says what is wrong and on
    /// which line.
    pub fn load(path: &Path) -> Result<MetaTable> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
        let (text, _) = super::decode(&bytes, None)
            .map_err(|message| Error::Config { path: path.into(), message })?;
        let mut table = MetaTable::parse(&text)
            .map_err(|message| Error::Config { path: path.into(), message })?;
        table.files.push(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
        table.hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        Ok(table)
    }

    /// Parses the text of a metadata file.
    pub(crate) fn parse(text: &str) -> std::result::Result<MetaTable, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| format!("the header row: {e}"))?.clone();
        let names = FieldMap::default();
        let mut id_column = None;
        let mut columns = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let key = super::fields::normalize_key(header);
            if matches!(key.as_str(), "id" | "编号" | "标识") {
                id_column = Some(i);
                continue;
            }
            let field = names.resolve(header).map(|(f, _)| f).ok_or_else(|| {
                format!(
                    "unknown column {header:?} (expected id and fields: {})",
                    Field::names().join(", ")
                )
            })?;
            if field == Field::Text {
                return Err(format!("column {header:?}: the text cannot be set by a meta file"));
            }
            columns.push((i, field));
        }
        let id_column = id_column.ok_or("no id column (the speech ids as search prints them)")?;
        let mut rows: BTreeMap<String, Vec<(Field, String)>> = BTreeMap::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = record.map_err(|e| format!("line {line}: {e}"))?;
            let id = record.get(id_column).unwrap_or("").trim();
            if id.is_empty() {
                continue;
            }
            let mut values = Vec::new();
            for &(i, field) in &columns {
                let value = record.get(i).unwrap_or("").trim();
                if value.is_empty() {
                    continue;
                }
                metadata::check_override(field, value)
                    .map_err(|e| format!("line {line}, {}: {e}", field.name()))?;
                values.push((field, value.to_owned()));
            }
            if rows.insert(id.to_owned(), values).is_some() {
                return Err(format!("line {line}: the id {id:?} is given twice"));
            }
        }
        Ok(MetaTable { rows, files: Vec::new(), hash: 0 })
    }

    /// This table with the rows of `over` winning, field by field.
    pub fn overlaid_with(&self, over: &MetaTable) -> MetaTable {
        let mut out = self.clone();
        for (id, values) in &over.rows {
            let row = out.rows.entry(id.clone()).or_default();
            row.retain(|(f, _)| !values.iter().any(|(g, _)| g == f));
            row.extend(values.iter().cloned());
        }
        out.files.extend(over.files.iter().cloned());
        out.hash = xxhash_rust::xxh3::xxh3_64(format!("{}:{}", self.hash, over.hash).as_bytes());
        out
    }

    /// How many speeches the table names.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The speech ids it names, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }

    /// True when it names none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The content hash of the files (for the reader key).
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The files read, canonical (the walk leaves them out of the corpus).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Applies the row of `speech`'s id, if any.
    pub(crate) fn apply(&self, speech: &mut Speech) {
        if let Some(values) = self.rows.get(&speech.id) {
            for (field, value) in values {
                metadata::apply_override(speech, *field, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_parse_or_say_why_not() {
        let table = MetaTable::parse(
            "\u{feff}id,讲话人,date,kind,tags\na.txt,张三,2024年3月5日,,经济；科技\nb.txt,,,,\n\n",
        )
        .unwrap();
        assert_eq!(table.len(), 2);
        assert_eq!(
            table.rows["a.txt"],
            [
                (Field::Speaker, "张三".to_owned()),
                (Field::Date, "2024年3月5日".to_owned()),
                (Field::Tags, "经济；科技".to_owned()),
            ]
        );
        assert!(table.rows["b.txt"].is_empty());
        let bad = [
            ("speaker\n张三\n", "no id column"),
            ("id,text\na,b\n", "the text cannot be set"),
            ("id,who\na,b\n", "unknown column \"who\""),
            ("id,date\na,someday\n", "line 2, date:"),
            ("id,year\na,1700\n", "line 2, year:"),
            ("id,kind\na,x\na,y\n", "line 3: the id \"a\" is given twice"),
        ];
        for (text, fragment) in bad {
            let err = MetaTable::parse(text).unwrap_err();
            assert!(err.contains(fragment), "{text:?}: {err}");
        }
    }

    #[test]
    fn later_tables_win_field_by_field() {
        let a = MetaTable::parse("id,speaker,kind\nx,甲,讲话\n").unwrap();
        let b = MetaTable::parse("id,speaker\nx,乙\ny,丙\n").unwrap();
        let c = a.overlaid_with(&b);
        assert_eq!(c.rows["x"], [(Field::Kind, "讲话".into()), (Field::Speaker, "乙".into())]);
        assert_eq!(c.len(), 2);
    }
}
