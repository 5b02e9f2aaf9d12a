//! The corpus copy the incremental runs change: a tree of hard links (copies across file
//! systems), and edits that append a sentence to chosen speeches.
//!
//! An edited file is always written to a new file and renamed over the link, so the original
//! corpus is never touched.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The text fields speechdex reads, in its order of preference.
const TEXT_KEYS: &[&str] = &["content", "text", "body", "full_text"];

/// Mirrors `src` into `dst` with hard links (or copies where links fail).
pub fn link_tree(src: &Path, dst: &Path) -> Result<u64> {
    let mut files = 0;
    for entry in walkdir::WalkDir::new(src).follow_links(false) {
        let entry = entry.with_context(|| format!("walking {}", src.display()))?;
        let rel = entry.path().strip_prefix(src).unwrap_or(entry.path());
        let to = dst.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).with_context(|| format!("creating {}", to.display()))?;
        } else if entry.file_type().is_file() {
            if fs::hard_link(entry.path(), &to).is_err() {
                fs::copy(entry.path(), &to)
                    .with_context(|| format!("copying to {}", to.display()))?;
            }
            files += 1;
        }
    }
    Ok(files)
}

/// Which record of a file a speech is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Record {
    /// The whole file (txt, md).
    Whole,
    /// A physical line (JSONL).
    Line(u64),
    /// The N-th record, 1-based (CSV data row, JSON array element).
    Nth(u64),
}

/// Where a speech lives, from its id and line.
pub fn record_of(rel: &str, id: &str, line: Option<u64>) -> Record {
    let ext = extension(rel);
    match ext.as_str() {
        "jsonl" | "ndjson" => line.map_or(Record::Whole, Record::Line),
        "csv" | "tsv" | "json" => {
            id.rsplit_once(':').and_then(|(_, n)| n.parse().ok()).map_or(Record::Whole, Record::Nth)
        }
        _ => Record::Whole,
    }
}

fn extension(rel: &str) -> String {
    Path::new(rel).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn append_text(value: &mut Value, sentence: &str) -> bool {
    let Value::Object(map) = value else { return false };
    for key in TEXT_KEYS {
        if let Some(Value::String(s)) = map.get_mut(*key)
            && !s.trim().is_empty()
        {
            s.push_str(sentence);
            return true;
        }
    }
    false
}

/// Appends `sentence` to the given records of the file `root/rel` (written anew, then renamed
/// over the old one). Returns how many records were changed.
pub fn append_to(
    root: &Path,
    rel: &str,
    records: &BTreeSet<Record>,
    sentence: &str,
) -> Result<usize> {
    let path = root.join(rel);
    let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(0);
    };
    let (new_text, changed) = match extension(rel).as_str() {
        "jsonl" | "ndjson" => {
            let mut out = String::with_capacity(text.len() + 1024);
            let mut changed = 0;
            for (n, line) in (1u64..).zip(text.split_inclusive('\n')) {
                if records.contains(&Record::Line(n)) {
                    let body = line.trim_end_matches(['\n', '\r']);
                    let mut value: Value = serde_json::from_str(body)
                        .with_context(|| format!("{}:{n} is not JSON", path.display()))?;
                    if append_text(&mut value, sentence) {
                        out.push_str(&serde_json::to_string(&value)?);
                        out.push_str(&line[body.len()..]);
                        changed += 1;
                        continue;
                    }
                }
                out.push_str(line);
            }
            (out, changed)
        }
        "json" => {
            let mut value: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let mut changed = 0;
            if let Value::Array(items) = &mut value {
                for (n, item) in (1u64..).zip(items.iter_mut()) {
                    if records.contains(&Record::Nth(n)) && append_text(item, sentence) {
                        changed += 1;
                    }
                }
            }
            (serde_json::to_string_pretty(&value)?, changed)
        }
        ext @ ("csv" | "tsv") => {
            let delimiter = if ext == "tsv" { b'\t' } else { b',' };
            let content = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(content.as_bytes());
            let headers = reader.headers()?.clone();
            let column = TEXT_KEYS
                .iter()
                .find_map(|k| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(k)));
            let Some(column) = column else { return Ok(0) };
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_writer(Vec::new());
            writer.write_record(&headers)?;
            let mut changed = 0;
            for (n, record) in (1u64..).zip(reader.records()) {
                let record = record?;
                let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
                if records.contains(&Record::Nth(n)) && column < fields.len() {
                    fields[column].push_str(sentence);
                    changed += 1;
                }
                writer.write_record(&fields)?;
            }
            let out = String::from_utf8(writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
            (out, changed)
        }
        _ => {
            if !records.contains(&Record::Whole) {
                return Ok(0);
            }
            let mut out = text;
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(sentence);
            out.push('\n');
            (out, 1)
        }
    };
    if changed == 0 {
        return Ok(0);
    }
    let tmp = path.with_file_name(format!(
        ".{}.speechdex-bench.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    fs::write(&tmp, new_text).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(changed)
}

/// A speech of the corpus, as the scan saw it.
#[derive(Debug, Clone)]
pub struct SpeechRef {
    /// File path relative to the corpus root.
    pub rel: String,
    /// Record in the file.
    pub record: Record,
}

/// Changes `count` speeches spread evenly over `speeches` (skipping those that cannot be
/// edited); returns (speeches changed, files touched).
pub fn change_speeches(
    root: &Path,
    speeches: &[SpeechRef],
    count: usize,
    sentence: &str,
) -> Result<(usize, usize)> {
    if speeches.is_empty() || count == 0 {
        bail!("no speeches to change");
    }
    let count = count.min(speeches.len());
    let step = speeches.len() as f64 / count as f64;
    // Candidates in order of preference: evenly spread first, then every other speech.
    let mut order: Vec<usize> = (0..count).map(|i| ((i as f64 + 0.5) * step) as usize).collect();
    let chosen: BTreeSet<usize> = order.iter().copied().collect();
    order.extend((0..speeches.len()).filter(|i| !chosen.contains(i)));
    let mut changed = 0;
    let mut files = BTreeSet::new();
    let mut start = 0;
    while changed < count && start < order.len() {
        let want = count - changed;
        let batch = &order[start..(start + want).min(order.len())];
        start += batch.len();
        let mut by_file: BTreeMap<&str, BTreeSet<Record>> = BTreeMap::new();
        for &i in batch {
            by_file.entry(speeches[i].rel.as_str()).or_default().insert(speeches[i].record);
        }
        for (rel, records) in by_file {
            let n = append_to(root, rel, &records, sentence)?;
            if n > 0 {
                files.insert(rel.to_owned());
                changed += n;
            }
        }
    }
    Ok((changed, files.len()))
}
