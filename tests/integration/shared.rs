//! The shared corpus (`../shared/corpus`, 94 speeches) indexed once per test binary, with its
//! speeches read independently of speechdex, for the tests that check speechdex's figures
//! against their own: the JSONL `content` with serde_json, the CSV `full_text` with the csv
//! crate, the whole `.txt`; folded with [`speechdex::analysis::fold`] (width, case, traditional
//! → simplified: the folding every count is defined after), so that a count is `str::matches`
//! (non-overlapping, as `rg -F -o`).
//!
//! [`shared`] is `None` when the corpus is missing outside CI (the test then returns early); with
//! `CI=true` a missing corpus fails every test that asks for it ([`shared_corpus`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use speechdex::analysis::fold;
use tempfile::TempDir;

use crate::common::{index_corpus, shared_corpus};

/// The national government work reports and NPC resolutions (one per line).
const NATIONAL: &str = "gwr/government_work_reports.jsonl";

/// One speech of the shared corpus, read without speechdex.
#[derive(Debug)]
pub struct Doc {
    /// The id speechdex gives it (`FILE:LINE`, `FILE:ROW`, `FILE`).
    pub id: String,
    /// The JSONL or CSV `title`; the first line of the `.txt`.
    pub title: String,
    /// The year the file states (JSONL or CSV `year`); `None` for the NPC resolutions and the
    /// seed speech, whose year speechdex infers.
    pub stated_year: Option<i32>,
    /// The year speechdex should give it, found here independently: the stated year, else the
    /// year of the NPC session a resolution's title names, else the first `YYYY年` of the seed
    /// speech's title.
    pub year: Option<i32>,
    /// Only for the CSV rows: the dateline's day, else `publish_date` (see [`dateline_2026`]).
    pub date: Option<String>,
    /// Only for the CSV rows: the `province`.
    pub region: Option<String>,
    /// The text as the file gives it.
    pub body: String,
    /// `body` folded.
    pub folded: String,
    /// `folded` as word statistics read it: boilerplate lines blanked with spaces (the
    /// library's rule, `analysis::boilerplate`, over these texts; its own tests are its
    /// acceptance), so that n-gram and collocate counts can be checked independently.
    pub statistics: String,
}

impl Doc {
    fn new(id: String, title: String, body: String) -> Doc {
        let folded = fold(&body);
        Doc {
            id,
            title,
            stated_year: None,
            year: None,
            date: None,
            region: None,
            body,
            folded,
            statistics: String::new(),
        }
    }

    /// Non-overlapping occurrences of `term` after folding both (0 for an empty term).
    pub fn count(&self, term: &str) -> u64 {
        let t = fold(term);
        if t.is_empty() { 0 } else { self.folded.matches(t.as_str()).count() as u64 }
    }

    /// Whether `term` occurs, after folding both.
    pub fn has(&self, term: &str) -> bool {
        self.folded.contains(fold(term).as_str())
    }
}

/// The shared corpus indexed once per test binary, and its speeches.
pub struct Shared {
    index: TempDir,
    /// Every speech, in the order of the files (the JSONL lines, the CSV files by name, the
    /// seed speech).
    pub docs: Vec<Doc>,
}

impl Shared {
    /// The index folder.
    pub fn index(&self) -> &Path {
        self.index.path()
    }

    /// The speech `id`.
    pub fn doc(&self, id: &str) -> &Doc {
        self.docs.iter().find(|d| d.id == id).unwrap_or_else(|| panic!("no speech {id}"))
    }

    /// The ids of the speeches for which `pred` holds.
    pub fn ids_where(&self, pred: impl Fn(&Doc) -> bool) -> BTreeSet<String> {
        self.docs.iter().filter(|d| pred(d)).map(|d| d.id.clone()).collect()
    }

    /// The speeches of the national JSONL file (reports and resolutions).
    pub fn national(&self) -> impl Iterator<Item = &Doc> {
        self.docs.iter().filter(|d| d.id.starts_with(NATIONAL))
    }

    /// The id of the national government work report of `year`.
    pub fn report_id(&self, year: i32) -> &str {
        let title = format!("{year}年中华人民共和国国务院政府工作报告");
        self.national()
            .find(|d| d.title == title)
            .map(|d| d.id.as_str())
            .unwrap_or_else(|| panic!("the {year} national report is in {NATIONAL}"))
    }
}

/// The shared corpus indexed once per test binary, and its speeches; `None` when the corpus is
/// missing and we are not on CI.
pub fn shared() -> Option<&'static Shared> {
    static SHARED: OnceLock<Option<Shared>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let corpus = shared_corpus()?;
            let mut docs = read_docs(&corpus);
            assert_eq!(docs.len(), 94, "the shared corpus should hold 94 speeches");
            let boilerplate = speechdex::analysis::boilerplate::Boilerplate::of_texts(
                docs.iter().map(|d| d.folded.as_str()),
            );
            for d in &mut docs {
                d.statistics = boilerplate.blank(&d.folded).into_owned();
            }
            let index = TempDir::new().expect("temp dir");
            index_corpus(&corpus, index.path());
            Some(Shared { index, docs })
        })
        .as_ref()
}

/// Reads every speech of the shared corpus with serde_json and the csv crate.
fn read_docs(root: &Path) -> Vec<Doc> {
    let mut docs = Vec::new();

    // JSONL: one report or resolution per line; `year` is null for the resolutions.
    let jsonl = std::fs::read_to_string(root.join(NATIONAL)).unwrap();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).expect("JSONL line");
        let title = v["title"].as_str().unwrap_or_default().to_string();
        let body = v["content"].as_str().expect("content").to_string();
        let mut doc = Doc::new(format!("{NATIONAL}:{}", i + 1), title, body);
        doc.stated_year = match &v["year"] {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_i64().map(|y| y as i32),
            _ => None,
        };
        doc.year = match &v["year"] {
            Value::String(_) | Value::Number(_) => doc.stated_year,
            _ => npc_session_year(&doc.title),
        };
        docs.push(doc);
    }

    // CSV: one row per file, with province, year, title, publish_date and full_text.
    let mut csvs: Vec<PathBuf> = std::fs::read_dir(root.join("provincial-2026"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    csvs.sort();
    for path in csvs {
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (province, year, title, date, text) =
            (col("province"), col("year"), col("title"), col("publish_date"), col("full_text"));
        for (row, record) in reader.records().enumerate() {
            let record = record.unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            let id = format!("provincial-2026/{name}:{}", row + 1);
            let mut doc = Doc::new(id, record[title].to_string(), record[text].to_string());
            doc.stated_year = record[year].trim().parse().ok();
            doc.year = doc.stated_year;
            doc.date = Some(
                dateline_2026(&record[text]).unwrap_or_else(|| record[date].trim().to_string()),
            );
            doc.region = Some(record[province].trim().to_string());
            docs.push(doc);
        }
    }

    // The seed speech: the whole file; its first line is the title and names the year.
    for entry in std::fs::read_dir(root.join("seed")).unwrap() {
        let path = entry.unwrap().path();
        let body = std::fs::read_to_string(&path).unwrap();
        let title = body.lines().next().unwrap_or_default().trim().to_string();
        let name = path.file_name().unwrap().to_string_lossy();
        let mut doc = Doc::new(format!("seed/{name}"), title, body);
        doc.year = year_in_text(&doc.title);
        docs.push(doc);
    }
    docs
}

/// The first `YYYY年` in `text`.
fn year_in_text(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// The year of the session of the National People's Congress a resolution's title names
/// (`第十四届全国人民代表大会第三次会议…` → 2025), from the historical calendar of sessions.
fn npc_session_year(title: &str) -> Option<i32> {
    fn small_number(s: &str) -> Option<i32> {
        let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as i32 / 3 + 1);
        let chars: Vec<char> = s.chars().collect();
        match chars.as_slice() {
            ['十'] => Some(10),
            ['十', d] => Some(10 + digit(*d)?),
            [d] => digit(*d),
            _ => None,
        }
    }
    let rest = title.strip_prefix('第')?;
    let (term, rest) = rest.split_once("届全国人民代表大会第")?;
    let (session, _) = rest.split_once("次会议")?;
    let (term, session) = (small_number(term)?, small_number(session)?);
    // First session of each term; the 2nd NPC met in 1959, 1960, 1962 and 1963.
    const FIRST: [i32; 14] =
        [1954, 1959, 1964, 1975, 1978, 1983, 1988, 1993, 1998, 2003, 2008, 2013, 2018, 2023];
    let start = *FIRST.get(usize::try_from(term - 1).ok()?)?;
    Some(start + session - 1 + i32::from(term == 2 && session >= 3))
}

/// The day of a dateline of December 2025 to February 2026 in the first lines of `text`
/// (`——2026年1月25日在…`, `（2026年1月27日…）`, `二〇二六年一月二十七日在…`), as `YYYY-MM-DD`: a line
/// that starts, after dashes or an opening bracket, with the day written out, and either had
/// such an opener or goes on with 在. The day the report was delivered; `publish_date` is the
/// day it was published, which speechdex keeps apart.
fn dateline_2026(text: &str) -> Option<String> {
    const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let cn = |n: u32| match n {
        1..=9 => CN[n as usize].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", CN[(n % 10) as usize]),
        _ if n.is_multiple_of(10) => format!("{}十", CN[(n / 10) as usize]),
        _ => format!("{}十{}", CN[(n / 10) as usize], CN[(n % 10) as usize]),
    };
    let mut days = Vec::new();
    for (year, month, last) in [(2025, 12, 31), (2026, 1, 31), (2026, 2, 28)] {
        let cn_year: String =
            year.to_string().chars().map(|c| CN[c as usize - '0' as usize]).collect();
        for day in 1..=last {
            let iso = format!("{year}-{month:02}-{day:02}");
            days.push((format!("{year}年{month}月{day}日"), iso.clone()));
            days.push((format!("{cn_year}年{}月{}日", cn(month), cn(day)), iso));
        }
    }
    let openers = ['—', '―', '–', '-', '－', '─', '（', '(', '〔', '[', '【'];
    text.lines().take(60).find_map(|line| {
        let line = line.trim();
        let rest = line.trim_start_matches(|c: char| openers.contains(&c) || c.is_whitespace());
        let opened = rest.len() < line.len();
        days.iter().find_map(|(written, iso)| {
            let after = rest.strip_prefix(written.as_str())?;
            (opened || after.starts_with('在')).then(|| iso.clone())
        })
    })
}
