//! The synthetic corpus generator: recombines the paragraphs of a real corpus into new speeches
//! until a target size is written.
//!
//! Determinism: the input is read in speechdex's own (sorted) order, duplicates are dropped by
//! content, and every random choice comes from one ChaCha8 generator seeded with `--seed`, so
//! the same input, size, seed and format give byte-identical output.
//!
//! Memory: only the input's distinct paragraphs are held; each speech is written as soon as it
//! is drawn.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use speechdex::corpus::{ReadOptions, discover, read_file};

use crate::OutFormat;

/// First and last year of synthetic speeches.
pub const YEAR_MIN: i32 = 1954;
/// Last year of synthetic speeches.
pub const YEAR_MAX: i32 = 2026;
/// Paragraphs come from input speeches within this many years of the synthetic speech's year.
const WINDOW: i32 = 3;
/// Size of a synthetic speech's text, in bytes.
const SPEECH_BYTES: std::ops::RangeInclusive<usize> = 20_000..=30_000;

const REGIONS: &[&str] = &[
    "全国",
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
];
const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高"];
const GIVEN: &[&str] = &[
    "建国", "志强", "海燕", "明华", "晓东", "国平", "春生", "立新", "文彬", "秀英", "振华", "丽萍",
];
const MEETINGS: &[&str] = &[
    "经济工作会议",
    "全体会议",
    "科技创新大会",
    "乡村振兴工作会议",
    "优化营商环境大会",
    "生态环境保护大会",
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Input corpus roots.
    pub from: Vec<PathBuf>,
    /// Target bytes to write.
    pub size: u64,
    /// Output folder.
    pub out: PathBuf,
    /// Seed.
    pub seed: u64,
    /// Output format.
    pub format: OutFormat,
    /// Largest JSONL file.
    pub max_file_bytes: u64,
}

/// What was generated.
#[derive(Debug, Serialize)]
pub struct GenerateSummary {
    /// Output folder.
    pub out: PathBuf,
    /// `jsonl` or `txt`.
    pub format: &'static str,
    /// Seed used.
    pub seed: u64,
    /// Speeches written.
    pub speeches: u64,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Speeches read from the input.
    pub source_speeches: usize,
    /// Distinct paragraphs of the input.
    pub source_paragraphs: usize,
    /// Bytes of text of the input speeches.
    pub source_text_bytes: u64,
    /// Times each input paragraph is used on average (output text / distinct input text).
    pub repetition: f64,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// The input's paragraphs, and for each year the paragraphs a speech of that year draws from.
struct Source {
    paragraphs: Vec<String>,
    /// Input speech of each paragraph (runs of consecutive paragraphs stay within one speech).
    speech_of: Vec<u32>,
    /// For each year from [`YEAR_MIN`], indices into `paragraphs`.
    pools: Vec<Vec<u32>>,
    speeches: usize,
    text_bytes: u64,
    distinct_bytes: u64,
}

fn load_source(from: &[PathBuf]) -> Result<Source> {
    let opts = ReadOptions::default();
    let found = discover(from, &opts);
    let mut paragraphs = Vec::new();
    let mut speech_of = Vec::new();
    let mut by_year: BTreeMap<Option<i32>, Vec<u32>> = BTreeMap::new();
    let mut seen = HashSet::new();
    let (mut speeches, mut text_bytes, mut distinct_bytes) = (0usize, 0u64, 0u64);
    for file in &found.files {
        for speech in read_file(file, &opts).speeches {
            speeches += 1;
            text_bytes += speech.body.len() as u64;
            for line in speech.body.lines() {
                let p = line.trim();
                if p.is_empty() || !seen.insert(xxhash_rust::xxh3::xxh3_64(p.as_bytes())) {
                    continue;
                }
                by_year.entry(speech.year).or_default().push(paragraphs.len() as u32);
                distinct_bytes += p.len() as u64;
                paragraphs.push(p.to_owned());
                speech_of.push(speeches as u32);
            }
        }
    }
    if paragraphs.is_empty() {
        bail!("no speech text found in the input ({} files)", found.files.len());
    }
    let unknown = by_year.remove(&None).unwrap_or_default();
    let known: BTreeMap<i32, Vec<u32>> =
        by_year.into_iter().filter_map(|(y, v)| y.map(|y| (y, v))).collect();
    let mut pools = Vec::new();
    for year in YEAR_MIN..=YEAR_MAX {
        let mut years: Vec<i32> =
            known.range(year - WINDOW..=year + WINDOW).map(|(y, _)| *y).collect();
        if years.is_empty() && !known.is_empty() {
            let best = known.keys().map(|y| (y - year).abs()).min().unwrap_or(0);
            years = known.keys().copied().filter(|y| (y - year).abs() == best).collect();
        }
        let mut pool: Vec<u32> = years.iter().flat_map(|y| known[y].iter().copied()).collect();
        pool.extend(&unknown);
        pool.sort_unstable();
        pools.push(pool);
    }
    Ok(Source { paragraphs, speech_of, pools, speeches, text_bytes, distinct_bytes })
}

/// One synthetic speech's metadata.
#[derive(Serialize)]
struct Record<'a> {
    title: &'a str,
    date: &'a str,
    year: i32,
    speaker: &'a str,
    region: &'a str,
    kind: &'a str,
    source: &'a str,
    tags: [&'a str; 1],
    text: &'a str,
}

struct Drawn {
    year: i32,
    title: String,
    date: String,
    speaker: String,
    region: &'static str,
    kind: &'static str,
    body: String,
}

/// Cumulative weights of the years: recent years weigh more (2026 ten times 1954).
fn year_weights() -> Vec<f64> {
    let mut acc = 0.0;
    (YEAR_MIN..=YEAR_MAX)
        .map(|y| {
            acc += 1.0 + f64::from(y - YEAR_MIN) / 8.0;
            acc
        })
        .collect()
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn draw(rng: &mut ChaCha8Rng, src: &Source, cumulative: &[f64]) -> Drawn {
    let total = cumulative.last().copied().unwrap_or(1.0);
    let x = rng.random_range(0.0..total);
    let offset = cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1);
    let year = YEAR_MIN + offset as i32;
    let region = pick(rng, REGIONS);
    let speaker = format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN));
    let date =
        format!("{year}-{:02}-{:02}", rng.random_range(1..=12u32), rng.random_range(1..=28u32));
    let place = if region == "全国" { "" } else { region };
    let (kind, title) = match rng.random_range(0..10u32) {
        0..=4 => ("政府工作报告", format!("{year}年{place}政府工作报告（合成）")),
        5..=8 => {
            let meeting = pick(rng, MEETINGS);
            ("讲话", format!("{year}年在{place}{meeting}上的讲话（合成）"))
        }
        _ => ("决议", format!("{place}人民代表大会关于{year}年政府工作报告的决议（合成）")),
    };
    let target = rng.random_range(SPEECH_BYTES);
    let pool = &src.pools[offset];
    let mut body = String::with_capacity(target + 4096);
    while body.len() < target {
        let start = pool[rng.random_range(0..pool.len())] as usize;
        let run = rng.random_range(1..=4usize);
        for i in start..(start + run).min(src.paragraphs.len()) {
            if src.speech_of[i] != src.speech_of[start] {
                break;
            }
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&src.paragraphs[i]);
        }
    }
    Drawn { year, title, date, speaker, region, kind, body }
}

/// A JSON string, which is also a valid YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

struct Writer {
    format: OutFormat,
    out: PathBuf,
    max_file_bytes: u64,
    current: Option<(BufWriter<File>, u64)>,
    files: u64,
    bytes: u64,
    speeches: u64,
}

impl Writer {
    fn write(&mut self, d: &Drawn) -> Result<()> {
        let record = Record {
            title: &d.title,
            date: &d.date,
            year: d.year,
            speaker: &d.speaker,
            region: d.region,
            kind: d.kind,
            source: "synthetic",
            tags: ["合成"],
            text: &d.body,
        };
        self.speeches += 1;
        match self.format {
            OutFormat::Jsonl => {
                let mut line = serde_json::to_string(&record)?;
                line.push('\n');
                let len = line.len() as u64;
                let full = self
                    .current
                    .as_ref()
                    .is_some_and(|(_, n)| *n > 0 && n + len > self.max_file_bytes);
                if full {
                    self.close()?;
                }
                if self.current.is_none() {
                    self.files += 1;
                    let path = self.out.join(format!("synthetic-{:04}.jsonl", self.files));
                    let file = File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    self.current = Some((BufWriter::with_capacity(1 << 20, file), 0));
                }
                if let Some((w, n)) = self.current.as_mut() {
                    w.write_all(line.as_bytes())?;
                    *n += len;
                }
                self.bytes += len;
            }
            OutFormat::Txt => {
                let text = format!(
                    "---\ntitle: {}\ndate: {}\nyear: {}\nspeaker: {}\nregion: {}\nkind: {}\n\
                     source: synthetic\ntags: [合成]\n---\n{}\n",
                    quoted(record.title),
                    quoted(record.date),
                    record.year,
                    quoted(record.speaker),
                    quoted(record.region),
                    quoted(record.kind),
                    record.text
                );
                let dir = self.out.join(record.year.to_string());
                fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(format!("{:07}.txt", self.speeches));
                fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
                self.files += 1;
                self.bytes += text.len() as u64;
            }
        }
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some((mut w, _)) = self.current.take() {
            w.flush()?;
        }
        Ok(())
    }
}

fn check_out(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries =
            fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
        if entries.next().is_some() {
            bail!("{} is not empty: give a new or empty folder", out.display());
        }
    }
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))
}

/// Generates a synthetic corpus.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary> {
    let started = Instant::now();
    check_out(&opts.out)?;
    let src = load_source(&opts.from)?;
    eprintln!(
        "generate: {} input speeches, {} distinct paragraphs ({:.1} MB); writing {:.1} MB to {}",
        src.speeches,
        src.paragraphs.len(),
        src.distinct_bytes as f64 / 1e6,
        opts.size as f64 / 1e6,
        opts.out.display()
    );
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let cumulative = year_weights();
    let mut writer = Writer {
        format: opts.format,
        out: opts.out.clone(),
        max_file_bytes: opts.max_file_bytes,
        current: None,
        files: 0,
        bytes: 0,
        speeches: 0,
    };
    let mut text_bytes = 0u64;
    let mut next_report = 100_000_000u64;
    while writer.bytes < opts.size {
        let drawn = draw(&mut rng, &src, &cumulative);
        text_bytes += drawn.body.len() as u64;
        writer.write(&drawn)?;
        if writer.bytes >= next_report {
            eprintln!("generate: {:.0} MB", writer.bytes as f64 / 1e6);
            next_report += 100_000_000;
        }
    }
    writer.close()?;
    Ok(GenerateSummary {
        out: opts.out.clone(),
        format: match opts.format {
            OutFormat::Jsonl => "jsonl",
            OutFormat::Txt => "txt",
        },
        seed: opts.seed,
        speeches: writer.speeches,
        files: writer.files,
        bytes: writer.bytes,
        source_speeches: src.speeches,
        source_paragraphs: src.paragraphs.len(),
        source_text_bytes: src.text_bytes,
        repetition: text_bytes as f64 / src.distinct_bytes.max(1) as f64,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
