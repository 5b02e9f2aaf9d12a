//! `speechdex-bench run`: every measure, in one run, on the same texts.
//!
//! Order: scan (fold, flat copy, jieba ceiling) → full index (the real binary, peak memory) →
//! in-process queries → whole-process queries → peers (rg, SQLite FTS5) → incremental runs.
//! Queries run before the incremental runs, so that every tool answers over the same texts.

use std::fs::{self, File};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use speechdex::analysis::{WordsTokenizer, fold};
use speechdex::corpus::{ReadOptions, discover, read_file};
use speechdex::index::{SpeechIndex, Store};
use speechdex::search::{SearchRequest, parse, search};
use speechdex::stats::kwic::{KwicRequest, kwic};
use speechdex::stats::trend::{GroupBy, TrendRequest, trend};

use crate::measure::{self, Stats, ms_since, repeat, run_with_peak, stats, time_process};
use crate::modify::{self, SpeechRef};
use crate::peers::{self, Fts5};

/// Terms measured when `--terms` is not given: 1–8 characters, frequent and rare, latin and
/// digits, terms of every era.
pub const DEFAULT_TERMS: &[&str] = &[
    "新质生产力",
    "改革开放",
    "GDP",
    "5G",
    "高质量发展",
    "经济",
    "发展",
    "人民公社",
    "乡村振兴",
    "碳达峰",
    "碳中和",
    "供给侧结构性改革",
    "一带一路",
    "科技创新",
    "共同富裕",
    "人工智能",
    "社会主义市场经济",
    "国内生产总值",
    "稳中求进",
    "营商环境",
    "粮食",
    "数字经济",
    "脱贫攻坚",
    "党",
    "农业",
    "生态文明",
    "五年计划",
    "新发展理念",
];

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Corpus folder.
    pub corpus: PathBuf,
    /// Terms.
    pub terms: Vec<String>,
    /// Working folder (`None`: temporary).
    pub work: Option<PathBuf>,
    /// In-process runs per term.
    pub runs: usize,
    /// Process runs per term.
    pub cli_runs: usize,
    /// Time budget of one series.
    pub budget: Duration,
    /// kwic lines.
    pub kwic_limit: usize,
    /// `speechdex index --threads`.
    pub threads: Option<usize>,
    /// Skip rg and FTS5.
    pub skip_peers: bool,
    /// The speechdex binary.
    pub speechdex: PathBuf,
    /// Keep a temporary working folder.
    pub keep_work: bool,
}

/// Everything measured; the JSON form of `run --json`.
#[derive(Debug, Serialize)]
pub struct Results {
    /// Versions.
    pub tools: Tools,
    /// The machine.
    pub machine: Machine,
    /// The corpus.
    pub corpus: CorpusInfo,
    /// Settings of the run.
    pub settings: Settings,
    /// Full index.
    pub index: IndexResult,
    /// Incremental runs.
    pub incremental: Vec<IncrementalRun>,
    /// The jieba ceiling.
    pub jieba: Jieba,
    /// The postings ceiling: tantivy indexing the two body fields alone.
    pub postings: PostingsCeiling,
    /// In-process latency, all terms and runs.
    pub in_process: Latency,
    /// Whole-process latency, all terms and runs.
    pub cli: Latency,
    /// rg and SQLite FTS5.
    pub peers: Peers,
    /// Per term: counts, agreement, medians.
    pub per_term: Vec<TermResult>,
    /// Same-run ratios.
    pub ratios: Vec<Ratio>,
    /// The targets of issue 18 (speed).
    pub targets: Vec<Target>,
    /// Wall time of the whole run.
    pub elapsed_s: f64,
}

/// Versions of the tools measured.
#[derive(Debug, Serialize)]
pub struct Tools {
    /// `speechdex --version`.
    pub speechdex: String,
    /// The speechdex binary.
    pub speechdex_path: PathBuf,
    /// `rg --version` (first line), when available.
    pub rg: Option<String>,
    /// SQLite version, when measured.
    pub sqlite: Option<String>,
}

/// The machine.
#[derive(Debug, Serialize)]
pub struct Machine {
    /// Cores available.
    pub cores: usize,
    /// CPU model.
    pub cpu: String,
    /// Memory in GB.
    pub mem_gb: f64,
    /// 1-minute load average when the run started.
    pub load_at_start: Option<f64>,
}

/// The corpus.
#[derive(Debug, Serialize)]
pub struct CorpusInfo {
    /// Folder.
    pub path: PathBuf,
    /// Files speechdex reads.
    pub files: usize,
    /// Speeches.
    pub speeches: usize,
    /// Bytes of the files (the denominator of MB/s and size ratios).
    pub bytes: u64,
    /// Bytes of speech text (UTF-8).
    pub text_bytes: u64,
    /// Characters of speech text.
    pub chars: u64,
    /// Files, lines or rows the reader skipped.
    pub skipped: usize,
}

/// Settings of the run.
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Terms.
    pub terms: Vec<String>,
    /// In-process runs per term.
    pub runs: usize,
    /// Process runs per term.
    pub cli_runs: usize,
    /// Budget of a series, seconds.
    pub max_seconds: f64,
    /// kwic lines.
    pub kwic_limit: usize,
    /// `--threads` given to the indexer.
    pub threads: Option<usize>,
    /// Peers skipped.
    pub skip_peers: bool,
    /// Working folder.
    pub work: PathBuf,
}

/// One run of `speechdex index`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRun {
    /// Wall time (process start to exit).
    pub wall_ms: f64,
    /// Corpus MB per second of wall time.
    pub mb_per_s: f64,
    /// Peak resident memory (VmHWM), MB; includes memory-mapped index files.
    pub peak_rss_mb: Option<f64>,
    /// Largest anonymous resident memory (RssAnon) seen while polling, MB.
    pub peak_anon_mb: Option<f64>,
    /// `full` or `incremental`.
    pub mode: String,
    /// Speeches added.
    pub added: u64,
    /// Speeches updated.
    pub updated: u64,
    /// Speeches removed.
    pub removed: u64,
    /// Speeches unchanged.
    pub unchanged: u64,
    /// Speeches in the index after the run.
    pub docs: u64,
    /// The indexer's own `elapsed_ms`.
    pub reported_ms: u64,
}

/// The full index.
#[derive(Debug, Serialize)]
pub struct IndexResult {
    /// The run.
    pub full: IndexRun,
    /// Size of the current index generation.
    pub index_bytes: u64,
    /// `index_bytes / corpus bytes`.
    pub size_ratio: f64,
    /// Size of the whole index folder (every generation, lock and settings files).
    pub folder_bytes: u64,
    /// Time of `SpeechIndex::open` in the bench process.
    pub open_ms: f64,
}

/// An incremental run.
#[derive(Debug, Serialize)]
pub struct IncrementalRun {
    /// `no change`, `one speech`, `1% of speeches`.
    pub name: String,
    /// Speeches changed before the run.
    pub speeches_changed: usize,
    /// Files they are in.
    pub files_changed: usize,
    /// The run.
    pub run: IndexRun,
}

/// The jieba ceiling.
#[derive(Debug, Serialize)]
pub struct Jieba {
    /// First use: loading the dictionary.
    pub dict_load_ms: f64,
    /// Segmenting every folded text in one thread.
    pub segment_ms: f64,
    /// Words produced.
    pub words: u64,
    /// MB of text per second.
    pub text_mb_per_s: f64,
    /// Corpus MB (file bytes) per second, comparable with the index's MB/s.
    pub corpus_mb_per_s: f64,
    /// Full index wall time / jieba time.
    pub index_over_jieba: f64,
}

/// The postings ceiling ([`crate::ceiling`]), with its rates in corpus MB/s.
#[derive(Debug, Serialize)]
pub struct PostingsCeiling {
    /// What was measured, in MB/s of folded text.
    #[serde(flatten)]
    pub measured: crate::ceiling::Ceiling,
    /// Corpus bytes per byte of folded text: a rate in MB/s of text times this is a rate in
    /// corpus MB/s, comparable with the full index's.
    pub corpus_per_text: f64,
    /// Both body fields, in corpus MB/s.
    pub both_corpus_mb_per_s: f64,
    /// The full index's speed as a share of the ceiling of both fields.
    pub full_over_ceiling: f64,
}

/// Latency series of the query kinds.
#[derive(Debug, Default, Serialize)]
pub struct Latency {
    /// `search --count`.
    pub count: Stats,
    /// Top-10 search with snippets.
    pub top10: Stats,
    /// `trend --by year`, one term.
    pub trend: Stats,
    /// `trend --by year`, the first five terms together.
    pub trend5: Stats,
    /// `kwic --limit N`.
    pub kwic: Stats,
}

/// The peers.
#[derive(Debug, Default, Serialize)]
pub struct Peers {
    /// ripgrep.
    pub rg: Option<RgResult>,
    /// SQLite FTS5 trigram.
    pub fts5: Option<Fts5Result>,
    /// Why a peer was not measured.
    pub unavailable: Vec<String>,
}

/// rg over the flat copy.
#[derive(Debug, Serialize)]
pub struct RgResult {
    /// `rg -F --count-matches`, whole processes, all terms and runs.
    pub count: Stats,
    /// Terms whose total equals speechdex's total_hits.
    pub agree: usize,
    /// Terms measured.
    pub terms: usize,
    /// Bytes of the flat copy.
    pub flat_bytes: u64,
}

/// SQLite FTS5 trigram.
#[derive(Debug, Serialize)]
pub struct Fts5Result {
    /// Build time (reading the flat files, inserting, committing).
    pub build_ms: f64,
    /// Corpus MB per second.
    pub mb_per_s: f64,
    /// Database size.
    pub db_bytes: u64,
    /// `db_bytes / corpus bytes`.
    pub size_ratio: f64,
    /// Document counts, in-process, all terms and runs.
    pub count: Stats,
    /// Terms whose document count equals speechdex's total_docs.
    pub agree: usize,
    /// Terms measured.
    pub terms: usize,
}

/// One term.
#[derive(Debug, Serialize)]
pub struct TermResult {
    /// As given.
    pub term: String,
    /// Folded (what rg and SQLite search for).
    pub folded: String,
    /// Characters.
    pub chars: usize,
    /// speechdex: speeches containing it.
    pub total_docs: u64,
    /// speechdex: occurrences.
    pub total_hits: u64,
    /// Occurrences according to `trend` (must equal `total_hits`).
    pub trend_count: u64,
    /// Occurrences according to `kwic` (must equal `total_hits`).
    pub kwic_total: u64,
    /// Totals printed by `speechdex search --count --json` (must equal the in-process ones).
    pub cli_total_docs: u64,
    /// See `cli_total_docs`.
    pub cli_total_hits: u64,
    /// In-process medians, ms.
    pub in_process_ms: TermMedians,
    /// Whole-process medians, ms.
    pub cli_ms: TermMedians,
    /// rg.
    pub rg: Option<RgTerm>,
    /// FTS5.
    pub fts5: Option<Fts5Term>,
}

/// Medians of one term.
#[derive(Debug, Default, Serialize)]
pub struct TermMedians {
    /// `search --count`.
    pub count: f64,
    /// Top-10 with snippets.
    pub top10: f64,
    /// `trend --by year`.
    pub trend: f64,
    /// `kwic`.
    pub kwic: f64,
}

/// rg on one term.
#[derive(Debug, Serialize)]
pub struct RgTerm {
    /// Matches.
    pub total: u64,
    /// Files with a match.
    pub files: u64,
    /// Median, ms.
    pub median_ms: f64,
    /// `total == total_hits`.
    pub agrees: bool,
}

/// FTS5 on one term.
#[derive(Debug, Serialize)]
pub struct Fts5Term {
    /// `MATCH` or `instr`.
    pub method: &'static str,
    /// Documents.
    pub docs: u64,
    /// Median, ms.
    pub median_ms: f64,
    /// `docs == total_docs`.
    pub agrees: bool,
}

/// A same-run ratio.
#[derive(Debug, Serialize)]
pub struct Ratio {
    /// Short key.
    pub key: String,
    /// The factor (> 1: the first is faster or smaller).
    pub factor: f64,
    /// In words.
    pub text: String,
}

/// A target of the benchmarks issue.
#[derive(Debug, Serialize)]
pub struct Target {
    /// The target.
    pub target: String,
    /// Corpus size the target is stated for.
    pub stated_for: String,
    /// What this run measured.
    pub measured: String,
    /// Met on this corpus (`None`: not measured).
    pub met: Option<bool>,
}

fn progress(started: Instant, msg: &str) {
    eprintln!("[{:>7.1}s] {msg}", started.elapsed().as_secs_f64());
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Runs the benchmark.
pub fn run(opts: &RunOptions) -> Result<Results> {
    let (work, temporary) = match &opts.work {
        Some(w) => (w.clone(), false),
        None => {
            (std::env::temp_dir().join(format!("speechdex-bench-{}", std::process::id())), true)
        }
    };
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let work = work.canonicalize()?;
    let result = run_in(opts, &work);
    if temporary && !opts.keep_work {
        let _ = fs::remove_dir_all(&work);
    } else {
        eprintln!("work folder kept: {}", work.display());
    }
    result
}

struct Scan {
    files: usize,
    bytes: u64,
    text_bytes: u64,
    chars: u64,
    skipped: usize,
    speeches: Vec<SpeechRef>,
    flat_files: Vec<PathBuf>,
    flat_bytes: u64,
    jieba_load_ms: f64,
    jieba_ms: f64,
    words: u64,
    /// The first folded texts, up to [`crate::ceiling::CEILING_TEXT_BYTES`].
    ceiling_texts: Vec<String>,
}

/// Reads every speech, folds it, writes the flat copy and times jieba on it.
fn scan(corpus: &Path, flat: Option<&Path>) -> Result<Scan> {
    let opts = ReadOptions::default();
    let found = discover(&[corpus.to_path_buf()], &opts);
    let words = WordsTokenizer::new(&[]).prefolded();
    let t = Instant::now();
    black_box(words.words("中华人民共和国国务院总理"));
    let jieba_load_ms = ms_since(t);
    let mut s = Scan {
        files: found.files.len(),
        bytes: 0,
        text_bytes: 0,
        chars: 0,
        skipped: found.skipped.len(),
        speeches: Vec::new(),
        flat_files: Vec::new(),
        flat_bytes: 0,
        jieba_load_ms,
        jieba_ms: 0.0,
        words: 0,
        ceiling_texts: Vec::new(),
    };
    let mut ceiling_bytes = 0;
    for file in &found.files {
        s.bytes += fs::metadata(&file.abs).map(|m| m.len()).unwrap_or(0);
        let read = read_file(file, &opts);
        s.skipped += read.skipped.len();
        for speech in read.speeches {
            s.text_bytes += speech.body.len() as u64;
            let folded = fold(&speech.body);
            s.chars += folded.chars().count() as u64;
            let t = Instant::now();
            let w = words.words(&folded);
            s.jieba_ms += ms_since(t);
            s.words += black_box(w).len() as u64;
            if let Some(flat) = flat {
                let n = s.flat_files.len();
                let dir = flat.join(format!("{:04}", n / 1000));
                if n.is_multiple_of(1000) {
                    fs::create_dir_all(&dir)?;
                }
                let path = dir.join(format!("{n:07}.txt"));
                fs::write(&path, &folded).with_context(|| format!("writing {}", path.display()))?;
                s.flat_bytes += folded.len() as u64;
                s.flat_files.push(path);
            }
            if ceiling_bytes < crate::ceiling::CEILING_TEXT_BYTES {
                ceiling_bytes += folded.len() as u64;
                s.ceiling_texts.push(folded);
            }
            s.speeches.push(SpeechRef {
                record: modify::record_of(&speech.path, &speech.id, speech.line),
                rel: speech.path,
            });
        }
    }
    Ok(s)
}

fn speechdex_cmd(opts: &RunOptions) -> Command {
    let mut cmd = Command::new(&opts.speechdex);
    cmd.env_remove("SPEECHDEX_INDEX").env("NO_COLOR", "1");
    cmd
}

/// Times whole `speechdex` processes; checks the exit status (0, or 1 for "no hits").
fn cli_series(opts: &RunOptions, args: &[String], runs: usize) -> Result<Vec<f64>> {
    let once = || -> Result<f64> {
        let (ms, out) = time_process(speechdex_cmd(opts).args(args))?;
        match out.status.code() {
            Some(0 | 1) => Ok(ms),
            _ => bail!(
                "speechdex {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
    };
    once()?; // warm-up
    repeat(runs, opts.budget, once)
}

fn median(samples: &[f64]) -> f64 {
    stats(samples).median_ms
}

fn machine() -> Machine {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let load = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()));
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu,
        mem_gb: mem_kb / 1e6,
        load_at_start: load,
    }
}

/// "a vs b: 3.5× faster" (or slower) for two times.
pub fn speed_ratio(key: &str, a: &str, a_ms: f64, b: &str, b_ms: f64) -> Ratio {
    let factor = b_ms / a_ms;
    let text = if factor >= 1.0 {
        format!("{a} vs {b}: {factor:.1}× faster")
    } else {
        format!("{a} vs {b}: {:.1}× slower", 1.0 / factor)
    };
    Ratio { key: key.to_owned(), factor, text }
}

/// Runs every phase in order and fills the results.
fn run_in(opts: &RunOptions, work: &Path) -> Result<Results> {
    let started = Instant::now();
    let machine = machine();
    let b = Bench::new(opts, work, started)?;
    let version = speechdex_cmd(opts).arg("--version").output()?;
    let mut tools = Tools {
        speechdex: String::from_utf8_lossy(&version.stdout).trim().to_owned(),
        speechdex_path: opts.speechdex.clone(),
        rg: None,
        sqlite: None,
    };
    // 1. Scan, and the postings ceiling.
    let (mut sc, corpus) = b.scan_corpus()?;
    let ceiling = b.postings_ceiling(&mut sc)?;
    // 2. Full index of a hard-linked copy.
    let mut index = b.full_index(&sc)?;
    // 3. In-process queries.
    let t = Instant::now();
    let opened = SpeechIndex::open(&b.index_dir)?;
    index.open_ms = ms_since(t);
    let (mut per_term, in_process) = b.in_process_queries(&opened)?;
    drop(opened);
    // 4. Whole processes.
    let cli = b.process_queries(&mut per_term)?;
    // 5. Peers.
    let peers = b.peers(&sc, &mut per_term, &mut tools)?;
    // 6. Incremental runs.
    let incremental = b.incremental_runs(&sc)?;
    // Derived figures.
    let mut results = Results {
        tools,
        machine,
        corpus,
        settings: b.settings(),
        jieba: jieba(&sc, &index.full),
        postings: postings(ceiling, &sc, &index.full),
        index,
        incremental,
        in_process,
        cli,
        peers,
        per_term,
        ratios: Vec::new(),
        targets: Vec::new(),
        elapsed_s: 0.0,
    };
    results.ratios = ratios(&results);
    results.targets = targets(&results);
    progress(started, "done");
    results.elapsed_s = started.elapsed().as_secs_f64();
    Ok(results)
}

/// One run of the benchmark: its options, the paths in its working folder and its clock. Each
/// measurement phase is one method; [`run_in`] calls them in order.
struct Bench<'a> {
    opts: &'a RunOptions,
    /// The working folder.
    work: &'a Path,
    /// When the run started (for the progress lines).
    started: Instant,
    /// The corpus, canonical.
    corpus: PathBuf,
    /// WORK/corpus: the hard-linked copy that is indexed and changed by the incremental runs.
    copy: PathBuf,
    /// WORK/index.
    index_dir: PathBuf,
    /// WORK/flat: the folded texts, one file per speech, for rg and FTS5.
    flat: PathBuf,
    /// WORK/fts5.sqlite.
    db: PathBuf,
}

impl<'a> Bench<'a> {
    /// Finds the corpus and clears the working folder's corpus/, index/ and flat/.
    fn new(opts: &'a RunOptions, work: &'a Path, started: Instant) -> Result<Self> {
        let corpus = opts
            .corpus
            .canonicalize()
            .with_context(|| format!("the corpus {} is missing", opts.corpus.display()))?;
        let b = Bench {
            opts,
            work,
            started,
            corpus,
            copy: work.join("corpus"),
            index_dir: work.join("index"),
            flat: work.join("flat"),
            db: work.join("fts5.sqlite"),
        };
        for p in [&b.copy, &b.index_dir, &b.flat] {
            if p.exists() {
                fs::remove_dir_all(p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
        Ok(b)
    }

    fn settings(&self) -> Settings {
        let opts = self.opts;
        Settings {
            terms: opts.terms.clone(),
            runs: opts.runs,
            cli_runs: opts.cli_runs,
            max_seconds: opts.budget.as_secs_f64(),
            kwic_limit: opts.kwic_limit,
            threads: opts.threads,
            skip_peers: opts.skip_peers,
            work: self.work.to_owned(),
        }
    }

    /// The index folder as a command-line argument.
    fn index_arg(&self) -> String {
        self.index_dir.display().to_string()
    }

    /// The first five terms (the terms of the five-term trend).
    fn first_five(&self) -> Vec<String> {
        self.opts.terms.iter().take(5).cloned().collect()
    }

    /// Times `query` in-process, `--runs` times within the budget.
    fn timed<T, E>(&self, mut query: impl FnMut() -> Result<T, E>) -> Result<Vec<f64>>
    where
        anyhow::Error: From<E>,
    {
        repeat(self.opts.runs, self.opts.budget, || {
            let t = Instant::now();
            black_box(query()?);
            Ok(ms_since(t))
        })
    }

    /// One run of `speechdex index` on the copy.
    fn index_run(&self, corpus_bytes: u64) -> Result<IndexRun> {
        let mut cmd = speechdex_cmd(self.opts);
        cmd.arg("index").arg(&self.copy).arg("--index").arg(&self.index_dir);
        cmd.args(["--json", "--quiet"]);
        if let Some(t) = self.opts.threads {
            cmd.arg("--threads").arg(t.to_string());
        }
        let out = self.work.join("index-stdout.json");
        let err = self.work.join("index-stderr.txt");
        cmd.stdout(File::create(&out)?).stderr(File::create(&err)?);
        let run = run_with_peak(&mut cmd)?;
        if !run.status.success() {
            bail!(
                "speechdex index failed ({}): {}",
                run.status,
                fs::read_to_string(&err).unwrap_or_default().trim()
            );
        }
        let summary: Value = serde_json::from_str(&fs::read_to_string(&out)?)
            .context("speechdex index --json printed no JSON")?;
        let num = |k: &str| summary[k].as_u64().unwrap_or(0);
        Ok(IndexRun {
            wall_ms: run.wall_ms,
            mb_per_s: mb(corpus_bytes) / (run.wall_ms / 1000.0),
            peak_rss_mb: run.peak_rss.map(mb),
            peak_anon_mb: run.peak_anon.map(mb),
            mode: summary["mode"].as_str().unwrap_or("?").to_owned(),
            added: num("added"),
            updated: num("updated"),
            removed: num("removed"),
            unchanged: num("unchanged"),
            docs: num("docs"),
            reported_ms: num("elapsed_ms"),
        })
    }

    /// Phase 1, scan: fold every speech, write the flat copy (unless the peers are skipped),
    /// time jieba.
    fn scan_corpus(&self) -> Result<(Scan, CorpusInfo)> {
        progress(self.started, "scanning the corpus: fold, flat copy, jieba ceiling");
        let sc = scan(&self.corpus, (!self.opts.skip_peers).then_some(self.flat.as_path()))?;
        if sc.speeches.is_empty() {
            bail!("no speeches found in {}", self.corpus.display());
        }
        let corpus_info = CorpusInfo {
            path: self.corpus.clone(),
            files: sc.files,
            speeches: sc.speeches.len(),
            bytes: sc.bytes,
            text_bytes: sc.text_bytes,
            chars: sc.chars,
            skipped: sc.skipped,
        };
        progress(
            self.started,
            &format!(
                "{} speeches, {} files, {:.1} MB; jieba {:.0} ms",
                sc.speeches.len(),
                sc.files,
                mb(sc.bytes),
                sc.jieba_ms
            ),
        );
        Ok((sc, corpus_info))
    }

    /// Phase 1b, the postings ceiling, on the texts the scan kept (then dropped).
    fn postings_ceiling(&self, sc: &mut Scan) -> Result<crate::ceiling::Ceiling> {
        progress(self.started, "postings ceiling: tantivy indexing the two body fields alone");
        let texts = std::mem::take(&mut sc.ceiling_texts);
        let c = crate::ceiling::measure(&texts, self.opts.threads)?;
        progress(
            self.started,
            &format!(
                "{:.1} MB of text: exact field {:.1} MB/s, both fields {:.1} MB/s",
                mb(c.text_bytes),
                c.exact_mb_per_s,
                c.both_mb_per_s
            ),
        );
        Ok(c)
    }

    /// Phase 2, full index of a hard-linked copy of the corpus: the run and the sizes
    /// (`open_ms` is measured by phase 3).
    fn full_index(&self, sc: &Scan) -> Result<IndexResult> {
        modify::link_tree(&self.corpus, &self.copy)?;
        progress(self.started, "speechdex index (full)");
        let full = self.index_run(sc.bytes)?;
        let index_bytes = Store::new(&self.index_dir).size_on_disk();
        let folder_bytes = measure::dir_size(&self.index_dir);
        progress(
            self.started,
            &format!(
                "full index: {:.0} ms, {:.1} MB/s, index {:.1} MB",
                full.wall_ms,
                full.mb_per_s,
                mb(index_bytes)
            ),
        );
        Ok(IndexResult {
            full,
            index_bytes,
            size_ratio: index_bytes as f64 / sc.bytes as f64,
            folder_bytes,
            open_ms: 0.0,
        })
    }

    /// Phase 3, in-process queries on the opened index: every term, then the five-term trend.
    fn in_process_queries(&self, index: &SpeechIndex) -> Result<(Vec<TermResult>, Latency)> {
        let mut per_term = Vec::new();
        let mut inp: [Vec<f64>; 4] = Default::default();
        progress(self.started, "in-process queries");
        for term in &self.opts.terms {
            let (result, samples) = self.term_in_process(index, term)?;
            for (all, s) in inp.iter_mut().zip(samples) {
                all.extend(s);
            }
            per_term.push(result);
        }
        let trend5_req =
            TrendRequest { terms: self.first_five(), by: GroupBy::Year, ..TrendRequest::default() };
        black_box(trend(index, &trend5_req)?);
        let trend5 = self.timed(|| trend(index, &trend5_req))?;
        let in_process = Latency {
            count: stats(&inp[0]),
            top10: stats(&inp[1]),
            trend: stats(&inp[2]),
            trend5: stats(&trend5),
            kwic: stats(&inp[3]),
        };
        Ok((per_term, in_process))
    }

    /// One term in-process: its counts (search, trend, kwic) and the samples of the four query
    /// kinds (count, top 10, trend, kwic).
    fn term_in_process(
        &self,
        index: &SpeechIndex,
        term: &str,
    ) -> Result<(TermResult, [Vec<f64>; 4])> {
        let node = parse(term).with_context(|| format!("parsing the term {term:?}"))?;
        let mut count_req = SearchRequest::new(node.clone(), term.to_owned());
        count_req.count_only = true;
        let counts = search(index, &count_req)?;
        let count = self.timed(|| search(index, &count_req))?;
        let top_req = SearchRequest::new(node, term.to_owned());
        black_box(search(index, &top_req)?);
        let top10 = self.timed(|| search(index, &top_req))?;
        let trend_req = TrendRequest {
            terms: vec![term.to_owned()],
            by: GroupBy::Year,
            ..TrendRequest::default()
        };
        let tr = trend(index, &trend_req)?;
        let trend_count = tr.totals.0.first().map_or(0, |(_, c)| c.count);
        let trends = self.timed(|| trend(index, &trend_req))?;
        let kwic_req =
            KwicRequest { limit: Some(self.opts.kwic_limit), ..KwicRequest::new(term.to_owned()) };
        let kwic_total = kwic(index, &kwic_req)?.total;
        let kwic = self.timed(|| kwic(index, &kwic_req))?;
        let medians = TermMedians {
            count: median(&count),
            top10: median(&top10),
            trend: median(&trends),
            kwic: median(&kwic),
        };
        let folded = fold(term);
        let result = TermResult {
            chars: folded.chars().count(),
            folded,
            term: term.to_owned(),
            total_docs: counts.total_docs,
            total_hits: counts.total_hits,
            trend_count,
            kwic_total,
            cli_total_docs: 0,
            cli_total_hits: 0,
            in_process_ms: medians,
            cli_ms: TermMedians::default(),
            rg: None,
            fts5: None,
        };
        Ok((result, [count, top10, trends, kwic]))
    }

    /// Phase 4, whole processes: every term, then the five-term trend.
    fn process_queries(&self, per_term: &mut [TermResult]) -> Result<Latency> {
        progress(self.started, "whole-process queries");
        let mut cli: [Vec<f64>; 4] = Default::default();
        for tr in per_term.iter_mut() {
            self.term_processes(tr, &mut cli)?;
        }
        let mut trend5_args: Vec<String> = vec![
            "trend".into(),
            "--by".into(),
            "year".into(),
            "--index".into(),
            self.index_arg(),
            "--".into(),
        ];
        trend5_args.extend(self.first_five());
        let cli_trend5 = cli_series(self.opts, &trend5_args, self.opts.cli_runs)?;
        Ok(Latency {
            count: stats(&cli[0]),
            top10: stats(&cli[1]),
            trend: stats(&cli[2]),
            trend5: stats(&cli_trend5),
            kwic: stats(&cli[3]),
        })
    }

    /// One term as whole processes: the totals `search --count --json` prints, then the four
    /// query kinds (their samples are added to `cli`).
    fn term_processes(&self, tr: &mut TermResult, cli: &mut [Vec<f64>; 4]) -> Result<()> {
        let idx = self.index_arg();
        let term = tr.term.clone();
        let (_, out) = time_process(
            speechdex_cmd(self.opts)
                .args(["search", "--count", "--json", "--index", &idx, "--", &term]),
        )?;
        let v: Value = serde_json::from_slice(&out.stdout).with_context(|| {
            format!(
                "search --count --json printed no JSON: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        tr.cli_total_docs = v["total_docs"].as_u64().unwrap_or(u64::MAX);
        tr.cli_total_hits = v["total_hits"].as_u64().unwrap_or(u64::MAX);
        let arg_sets: [Vec<String>; 4] = [
            vec![
                "search".into(),
                "--count".into(),
                "--index".into(),
                idx.clone(),
                "--".into(),
                term.clone(),
            ],
            vec!["search".into(), "--index".into(), idx.clone(), "--".into(), term.clone()],
            vec![
                "trend".into(),
                "--by".into(),
                "year".into(),
                "--index".into(),
                idx.clone(),
                "--".into(),
                term.clone(),
            ],
            vec![
                "kwic".into(),
                "--limit".into(),
                self.opts.kwic_limit.to_string(),
                "--index".into(),
                idx,
                "--".into(),
                term,
            ],
        ];
        let mut medians = [0.0; 4];
        for (i, args) in arg_sets.iter().enumerate() {
            let s = cli_series(self.opts, args, self.opts.cli_runs)?;
            medians[i] = median(&s);
            cli[i].extend(s);
        }
        tr.cli_ms = TermMedians {
            count: medians[0],
            top10: medians[1],
            trend: medians[2],
            kwic: medians[3],
        };
        Ok(())
    }

    /// Phase 5, peers, unless skipped: rg over the flat copy, then SQLite FTS5 built from it.
    /// Their versions go to `tools`; a peer that is missing is listed as unavailable.
    fn peers(&self, sc: &Scan, per_term: &mut [TermResult], tools: &mut Tools) -> Result<Peers> {
        let mut peers = Peers::default();
        if self.opts.skip_peers {
            peers.unavailable.push("rg and SQLite FTS5: skipped (--skip-peers)".into());
            return Ok(peers);
        }
        match peers::rg_version() {
            Ok(version) => {
                progress(self.started, "rg -F --count-matches over the flat copy");
                tools.rg = Some(version);
                peers.rg = Some(self.rg(sc, per_term)?);
            }
            Err(why) => peers.unavailable.push(format!("rg: {why}")),
        }
        match peers::fts5_check() {
            Ok(version) => {
                progress(self.started, "SQLite FTS5 trigram: build");
                tools.sqlite = Some(version);
                peers.fts5 = Some(self.fts5(sc, per_term)?);
            }
            Err(why) => peers.unavailable.push(format!("SQLite FTS5 trigram: {why:#}")),
        }
        Ok(peers)
    }

    /// `rg -F --count-matches` over the flat copy, as processes, per term.
    fn rg(&self, sc: &Scan, per_term: &mut [TermResult]) -> Result<RgResult> {
        let mut all = Vec::new();
        let mut agree = 0;
        for tr in per_term.iter_mut() {
            let (_, out) = time_process(&mut peers::rg_command(&tr.folded, &self.flat))?;
            let (total, files) = peers::parse_rg(&out.stdout);
            let s = repeat(self.opts.cli_runs, self.opts.budget, || {
                Ok(time_process(&mut peers::rg_command(&tr.folded, &self.flat))?.0)
            })?;
            let agrees = total == tr.total_hits;
            agree += usize::from(agrees);
            tr.rg = Some(RgTerm { total, files, median_ms: median(&s), agrees });
            all.extend(s);
        }
        Ok(RgResult { count: stats(&all), agree, terms: per_term.len(), flat_bytes: sc.flat_bytes })
    }

    /// SQLite FTS5 trigram: the build from the flat copy, then document counts in-process, per
    /// term. The database is removed afterwards.
    fn fts5(&self, sc: &Scan, per_term: &mut [TermResult]) -> Result<Fts5Result> {
        let (fts, build_ms) = peers::fts5_build(&self.db, &sc.flat_files)?;
        let db_bytes = fts.size();
        progress(self.started, &format!("FTS5 built in {build_ms:.0} ms; queries"));
        let mut all = Vec::new();
        let mut agree = 0;
        for tr in per_term.iter_mut() {
            let docs = fts.count_docs(&tr.folded)?;
            let s = self.timed(|| fts.count_docs(&tr.folded))?;
            let agrees = docs == tr.total_docs;
            agree += usize::from(agrees);
            tr.fts5 = Some(Fts5Term {
                method: Fts5::method(&tr.folded),
                docs,
                median_ms: median(&s),
                agrees,
            });
            all.extend(s);
        }
        let result = Fts5Result {
            build_ms,
            mb_per_s: mb(sc.bytes) / (build_ms / 1000.0),
            db_bytes,
            size_ratio: db_bytes as f64 / sc.bytes as f64,
            count: stats(&all),
            agree,
            terms: per_term.len(),
        };
        drop(fts);
        let _ = fs::remove_file(&self.db);
        Ok(result)
    }

    /// Phase 6, incremental runs of `speechdex index` on the copy: nothing changed, one speech
    /// changed, 1% of the speeches changed.
    fn incremental_runs(&self, sc: &Scan) -> Result<Vec<IncrementalRun>> {
        progress(self.started, "incremental runs");
        let noop = self.index_run(sc.bytes)?;
        let mut incremental = vec![IncrementalRun {
            name: "nothing changed".into(),
            speeches_changed: 0,
            files_changed: 0,
            run: noop,
        }];
        let changes = [
            ("one speech changed", 1, "（本句由基准测试追加，第一次修改。）"),
            (
                "1% of speeches changed",
                sc.speeches.len().div_ceil(100),
                "（本句由基准测试追加，第二次修改。）",
            ),
        ];
        for (name, want, sentence) in changes {
            let (changed, files) =
                modify::change_speeches(&self.copy, &sc.speeches, want, sentence)?;
            let run = self.index_run(sc.bytes)?;
            incremental.push(IncrementalRun {
                name: name.into(),
                speeches_changed: changed,
                files_changed: files,
                run,
            });
        }
        Ok(incremental)
    }
}

/// The jieba ceiling, from the scan and the full index.
fn jieba(sc: &Scan, full: &IndexRun) -> Jieba {
    Jieba {
        dict_load_ms: sc.jieba_load_ms,
        segment_ms: sc.jieba_ms,
        words: sc.words,
        text_mb_per_s: mb(sc.text_bytes) / (sc.jieba_ms / 1000.0),
        corpus_mb_per_s: mb(sc.bytes) / (sc.jieba_ms / 1000.0),
        index_over_jieba: full.wall_ms / sc.jieba_ms,
    }
}

/// The postings ceiling in corpus MB/s: text MB/s × corpus bytes per text byte.
fn postings(measured: crate::ceiling::Ceiling, sc: &Scan, full: &IndexRun) -> PostingsCeiling {
    let per_text = sc.bytes as f64 / sc.text_bytes.max(1) as f64;
    let both = measured.both_mb_per_s * per_text;
    PostingsCeiling {
        corpus_per_text: per_text,
        both_corpus_mb_per_s: both,
        full_over_ceiling: full.mb_per_s / both,
        measured,
    }
}

/// Same-run ratios: jieba, process over in-process, and the peers that were measured.
fn ratios(r: &Results) -> Vec<Ratio> {
    let (full, index_bytes) = (&r.index.full, r.index.index_bytes);
    let (in_process, cli_latency) = (&r.in_process, &r.cli);
    let mut ratios = vec![Ratio {
        key: "index_over_jieba".into(),
        factor: r.jieba.index_over_jieba,
        text: format!(
            "full index time is {:.1}× the time jieba alone needs to segment the texts",
            r.jieba.index_over_jieba
        ),
    }];
    ratios.push(Ratio {
        key: "count_cli_over_inprocess".into(),
        factor: cli_latency.count.median_ms / in_process.count.median_ms,
        text: format!(
            "search --count as a whole process takes {:.0}× its in-process time (start-up, \
             opening the index, printing)",
            cli_latency.count.median_ms / in_process.count.median_ms
        ),
    });
    if let Some(rg) = &r.peers.rg {
        ratios.push(speed_ratio(
            "count_cli_vs_rg",
            "speechdex search --count (process)",
            cli_latency.count.median_ms,
            "rg -F --count-matches",
            rg.count.median_ms,
        ));
        ratios.push(speed_ratio(
            "count_inprocess_vs_rg",
            "speechdex count (in-process)",
            in_process.count.median_ms,
            "rg -F --count-matches",
            rg.count.median_ms,
        ));
        ratios.push(speed_ratio(
            "trend_cli_vs_rg",
            "speechdex trend --by year (process)",
            cli_latency.trend.median_ms,
            "rg -F --count-matches",
            rg.count.median_ms,
        ));
    }
    if let Some(f) = &r.peers.fts5 {
        ratios.push(Ratio {
            key: "build_vs_fts5".into(),
            factor: full.mb_per_s / f.mb_per_s,
            text: format!(
                "speechdex full index vs SQLite FTS5 trigram build: {:.1}× {}",
                if full.mb_per_s >= f.mb_per_s {
                    full.mb_per_s / f.mb_per_s
                } else {
                    f.mb_per_s / full.mb_per_s
                },
                if full.mb_per_s >= f.mb_per_s { "faster" } else { "slower" }
            ),
        });
        ratios.push(Ratio {
            key: "size_vs_fts5".into(),
            factor: f.db_bytes as f64 / index_bytes as f64,
            text: format!(
                "speechdex index is {:.2}× the size of the FTS5 database",
                index_bytes as f64 / f.db_bytes as f64
            ),
        });
        ratios.push(speed_ratio(
            "count_inprocess_vs_fts5",
            "speechdex count (in-process)",
            in_process.count.median_ms,
            "FTS5 document count (in-process)",
            f.count.median_ms,
        ));
    }
    ratios
}

/// The highest peak memory (VmHWM, anonymous) over the full and the incremental index runs.
fn peak_memory(r: &Results) -> (Option<f64>, Option<f64>) {
    let runs = || std::iter::once(&r.index.full).chain(r.incremental.iter().map(|i| &i.run));
    let max = |m: Option<f64>, v: f64| Some(m.map_or(v, |m: f64| m.max(v)));
    let peak = runs().filter_map(|x| x.peak_rss_mb).fold(None, max);
    let peak_anon = runs().filter_map(|x| x.peak_anon_mb).fold(None, max);
    (peak, peak_anon)
}

/// The targets of the speed issue (issue 18), met or missed on this corpus.
fn targets(r: &Results) -> Vec<Target> {
    let (full, in_process, peers) = (&r.index.full, &r.in_process, &r.peers);
    let size_ratio = r.index.size_ratio;
    let (peak, peak_anon) = peak_memory(r);
    let term_ratio = term_ratio_vs_rg(&r.per_term);
    let none_ms = r.incremental.first().map_or(f64::NAN, |i| i.run.wall_ms);
    let (any, at50, at500) = ("any size", "50 MB", "500 MB");
    let fts5 = peers.fts5.as_ref().map(|f| full.mb_per_s / f.mb_per_s);
    let rg_text = |min: f64, stated_for: &str| Target {
        target: format!(
            "search --count as a process ≥ {min:.0}× faster than rg (median of the terms)"
        ),
        stated_for: stated_for.into(),
        measured: term_ratio.map_or("rg not measured".into(), |t| format!("{t:.1}×")),
        met: term_ratio.map(|t| t >= min),
    };
    vec![
        Target {
            target: "full index ≥ 15 MB/s".into(),
            stated_for: "50 MB, 500 MB".into(),
            measured: format!(
                "{:.1} MB/s (tantivy alone with the two body fields: {:.1} MB/s)",
                full.mb_per_s, r.postings.both_corpus_mb_per_s
            ),
            met: Some(full.mb_per_s >= 15.0),
        },
        Target {
            target: "full index ≥ 4× SQLite FTS5's build speed".into(),
            stated_for: "50 MB, 500 MB".into(),
            measured: fts5.map_or("not measured".into(), |f| {
                format!(
                    "{f:.2}× (tantivy alone with the two body fields: {:.2}×)",
                    f / r.postings.full_over_ceiling
                )
            }),
            met: fts5.map(|f| f >= 4.0),
        },
        Target {
            target: "peak memory while indexing ≤ 400 MB".into(),
            stated_for: any.into(),
            measured: match (peak, peak_anon) {
                (Some(p), Some(a)) => format!("{p:.0} MB VmHWM ({a:.0} MB anonymous)"),
                (Some(p), None) => format!("{p:.0} MB VmHWM"),
                _ => "not measured".into(),
            },
            met: peak.map(|p| p <= 400.0),
        },
        Target {
            target: "index with stored text ≤ 1.5× the corpus (and below it at scale)".into(),
            stated_for: "4.4 MB and up".into(),
            measured: format!("{size_ratio:.2}×"),
            met: Some(size_ratio <= 1.5),
        },
        rg_text(10.0, at50),
        rg_text(50.0, at500),
        Target {
            target: "search --count in-process p99 ≤ 10 ms".into(),
            stated_for: at500.into(),
            measured: format!("{:.3} ms", in_process.count.p99_ms),
            met: Some(in_process.count.p99_ms <= 10.0),
        },
        Target {
            target: "incremental run with nothing changed ≤ 1 s".into(),
            stated_for: at500.into(),
            measured: format!("{none_ms:.0} ms"),
            met: Some(none_ms <= 1000.0),
        },
    ]
}

/// The median over the terms of rg's time / speechdex's (`search --count` as a process), each
/// the median of its runs; `None` when rg was not measured.
fn term_ratio_vs_rg(per_term: &[TermResult]) -> Option<f64> {
    let ratios: Vec<f64> = per_term
        .iter()
        .filter_map(|t| t.rg.as_ref().map(|rg| rg.median_ms / t.cli_ms.count))
        .collect();
    (!ratios.is_empty()).then(|| median(&ratios))
}
