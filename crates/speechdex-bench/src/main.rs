//! `speechdex-bench`: the benchmark tooling of speechdex.
//!
//! * `generate` grows a corpus to a target size by recombining its paragraphs into synthetic
//!   speeches (deterministic, seeded, streamed to disk): [`generate`].
//! * `run` measures, in one run on the same texts, speechdex's indexing (full and incremental,
//!   speed, size, peak memory), its query latency (in-process and as whole CLI processes), the
//!   jieba ceiling, and the peers a user would pick instead (`rg -F --count-matches` and SQLite
//!   FTS5 with the trigram tokenizer): [`run`]. It prints a markdown report or `--json`.
//! * `ranking` measures ranking quality on an index of the shared corpus: nDCG@10 over judged
//!   topical queries and the known-item ranking: [`ranking`].
//!
//! Every figure in `docs/benchmarks.md` comes from these commands.

// A command-line tool: the report goes to stdout, progress to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod ceiling;
mod generate;
mod measure;
mod modify;
mod peers;
mod ranking;
mod report;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Benchmarks for speechdex: a synthetic corpus generator and a one-command benchmark.
#[derive(Debug, Parser)]
#[command(name = "speechdex-bench", version, about, long_about = None, max_term_width = 100)]
#[command(after_help = "Examples:\n  \
    speechdex-bench generate --from ../shared/corpus --size 50MB --out /tmp/synth-50mb\n  \
    speechdex-bench run --corpus /tmp/synth-50mb --work /tmp/bench-work\n  \
    speechdex-bench run --corpus ../shared/corpus --terms 新质生产力,改革开放,GDP --json")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Grow a corpus to a target size by recombining its paragraphs (seeded, deterministic).
    #[command(long_about = GENERATE_HELP)]
    Generate(GenerateArgs),
    /// Measure indexing, queries, the jieba ceiling and the peers (rg, SQLite FTS5) in one run.
    #[command(long_about = RUN_HELP)]
    Run(RunArgs),
    /// Ranking quality: nDCG@10 over judged topical queries and the known-item ranking.
    #[command(long_about = RANKING_HELP)]
    Ranking(RankingArgs),
}

/// Long help of `ranking`.
const RANKING_HELP: &str = "Ranking quality on an index of ../shared/corpus, in-process.\n\n\
    nDCG@K over judged topical queries (the judgments shipped in data/judgments.tsv, or \
    --judgments FILE: query<TAB>speech id<TAB>grade 0-2, see the file's header for the rule), \
    and the known-item ranking (each speech searched by its three rarest jieba words should come \
    first).\n\n\
    Example:\n  \
    speechdex index ../shared/corpus --index /tmp/shared-index\n  \
    speechdex-bench ranking --index /tmp/shared-index";

#[derive(Debug, Args)]
struct RankingArgs {
    /// The index to measure (built from ../shared/corpus for the shipped judgments).
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// Judgments file [default: the shipped data/judgments.tsv].
    #[arg(long, value_name = "FILE")]
    judgments: Option<PathBuf>,
    /// Results per query that count (nDCG@K).
    #[arg(long, default_value_t = 10, value_name = "K")]
    k: usize,
    /// Print the results as JSON instead of markdown.
    #[arg(long)]
    json: bool,
}

/// Long help of `generate`.
const GENERATE_HELP: &str = "Grow a corpus to a target size by recombining its paragraphs into new, \
    synthetic speeches, for benchmarks.\n\n\
    Every non-empty line (paragraph) of the input speeches is a building block; exact duplicate \
    paragraphs are dropped. Each synthetic speech gets a year from 1954 to 2026 (recent years \
    weigh more), a region (31 provinces or 全国), a kind (政府工作报告, 讲话 or 决议), a \
    fictional speaker, a date in its year and a title such as `2019年浙江省政府工作报告（合成）`. \
    Its text is 20–30 KB of runs of 1–4 consecutive paragraphs of input speeches from within \
    three years of its own year (the nearest years when there are none), so that terms keep \
    their era: when 新质生产力 only occurs in the input from 2023 on, it does so in the output \
    too. Speeches carry `source: synthetic` and the tag 合成.\n\n\
    Output: JSON Lines files of at most --max-file-size each (synthetic-0001.jsonl, ...), or with \
    --format txt one .txt file per speech with YAML front matter, in one folder per year. The \
    output is streamed to disk (only the input's paragraphs are held in memory); the same input, \
    size and seed give byte-identical output. Sizes count the bytes written and take KB, MB, GB \
    (powers of 1000) or KiB, MiB, GiB; the intended range is 10 MB to 2 GB (smaller sizes work, \
    for tests).\n\n\
    Limits: the text is real but repeated. At 50 MB from the 4.4 MB shared corpus every paragraph \
    occurs about 10 times, at 2 GB about 500 times. Document frequencies of the input's terms are \
    inflated, no new vocabulary appears (posting lists grow, term dictionaries do not), texts \
    compress unusually well (the zstd doc store, SQLite pages), and speeches do not read as \
    coherent texts. Use it to measure speed and scale, not relevance or compression.";

/// Long help of `run`.
const RUN_HELP: &str = "Measure speechdex and its peers in one run, on the same texts.\n\n\
    What is measured (times are wall-clock; MB are 10^6 bytes; corpus bytes are the bytes of the \
    files speechdex reads):\n\
    1. Scan: every speech is read with speechdex's corpus reader and folded (the normalisation \
    index and query share). The folded body of each speech is written to WORK/flat/ as one .txt \
    file (so rg sees exactly the texts speechdex counts), and jieba (speechdex's words tokenizer, \
    one thread) segments it: the jieba ceiling in MB/s of text. Then the postings ceiling: the \
    first 100 MB of folded text, held in memory, are indexed by tantivy alone into an in-memory \
    index with only speechdex's two body fields (the exact bigrams with positions, then those and \
    the jieba words), with the threads and memory of `speechdex index` and no merging. No full \
    build can be faster.\n\
    2. Full index: the real `speechdex index` binary (found next to this one, or --speechdex) \
    indexes a hard-linked copy of the corpus in WORK/corpus; wall time, MB/s, peak memory (VmHWM \
    of the process, polled every 20 ms) and the size of the index relative to the corpus.\n\
    3. In-process queries, warm: the index is opened once and each term is queried --runs times \
    (after one warm-up) with search --count, top-10 search with snippets, trend --by year (one \
    term, and the first five terms together) and kwic (the first --kwic-limit lines); median and \
    p99 over all terms and runs.\n\
    4. Whole processes, start-up included: `speechdex search TERM --count`, `speechdex search \
    TERM`, `speechdex trend TERM --by year` and `speechdex kwic TERM --limit N`, each spawned \
    --cli-runs times per term, output read through a pipe.\n\
    5. Peers (unless --skip-peers): `rg -F --count-matches TERM WORK/flat` (same runs; its total \
    must equal speechdex's total_hits) and SQLite FTS5 with the trigram tokenizer (bundled \
    SQLite, one row per speech holding the folded body): build time, MB/s, database size, and \
    document counts via MATCH for terms of 3+ characters and instr() below (must equal \
    speechdex's total_docs). A missing rg is reported as unavailable.\n\
    6. Incremental runs of `speechdex index` on the copy: nothing changed, one speech changed \
    (a sentence appended), and 1% of the speeches changed (for a single big JSONL file, 1% of \
    its lines); each timed, with peak memory.\n\n\
    How to read it: the markdown report has one section per measure, same-run ratios (\"speechdex \
    count vs rg: 35× faster\": both measured in this run, on this machine, on the same texts), an \
    agreement table per term, and the targets of the speed issue (18) with met/missed. Each series \
    of runs stops early (after at least 3 runs) when it exceeds --max-seconds; the report gives \
    the number of samples. --json prints the same numbers as one object.";

/// Output format of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// JSON Lines files of at most --max-file-size each (synthetic-0001.jsonl, ...).
    Jsonl,
    /// One .txt file per speech with YAML front matter, in one folder per year.
    Txt,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Input corpus folders or files (any format speechdex reads).
    #[arg(long, required = true, num_args = 1.., value_name = "DIR")]
    from: Vec<PathBuf>,
    /// Target size of the output (bytes written), e.g. 50MB, 500MB, 2GB.
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    size: u64,
    /// Output folder (created; must be empty if it exists).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Jsonl)]
    format: OutFormat,
    /// Largest JSONL file.
    #[arg(long, value_parser = parse_size, default_value = "64MB", value_name = "SIZE")]
    max_file_size: u64,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The corpus to measure (a folder speechdex can index).
    #[arg(long, value_name = "DIR")]
    corpus: PathBuf,
    /// Terms to query, comma-separated [default: 28 terms of 1–8 characters].
    #[arg(long, value_delimiter = ',', value_name = "T1,T2,...")]
    terms: Vec<String>,
    /// Working folder for the corpus copy, the index, the flat copy and the SQLite database
    /// (its corpus/, index/ and flat/ are replaced) [default: a temporary folder, removed at
    /// the end].
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// Timed runs per term and query, in-process (after one warm-up).
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Timed runs per term of whole CLI processes and of rg [default: --runs].
    #[arg(long)]
    cli_runs: Option<usize>,
    /// Stop a series of runs after this many seconds (at least 3 runs are made).
    #[arg(long, default_value_t = 20.0, value_name = "SECONDS")]
    max_seconds: f64,
    /// Lines of kwic to produce (sorted by date; without a limit kwic reads every matching speech).
    #[arg(long, default_value_t = 100, value_name = "N")]
    kwic_limit: usize,
    /// Indexing threads passed to `speechdex index --threads` [default: speechdex's default].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Do not measure rg and SQLite FTS5 (and do not write the flat copy).
    #[arg(long)]
    skip_peers: bool,
    /// The speechdex binary [default: `speechdex` next to this binary].
    #[arg(long, value_name = "FILE")]
    speechdex: Option<PathBuf>,
    /// Print the results as one JSON object instead of the markdown report.
    #[arg(long)]
    json: bool,
    /// Also write the markdown report to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Keep the temporary working folder.
    #[arg(long)]
    keep_work: bool,
}

/// Parses `50MB`, `2GB`, `500MiB`, `1048576`.
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a size like 50MB"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown unit {other:?} (use KB, MB, GB, KiB, MiB, GiB)")),
    };
    let bytes = value * factor;
    if !(1.0..=1e13).contains(&bytes) {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(bytes as u64)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => cmd_generate(args),
        Command::Run(args) => cmd_run(args),
        Command::Ranking(args) => cmd_ranking(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("speechdex-bench: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn cmd_ranking(args: RankingArgs) -> Result<()> {
    let judgments = match &args.judgments {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the judgments {}", path.display()))?,
        None => ranking::JUDGMENTS.to_string(),
    };
    let report = ranking::measure(&args.index, &judgments, args.k.max(1))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", ranking::markdown(&report));
    }
    Ok(())
}

fn cmd_generate(args: GenerateArgs) -> Result<()> {
    if args.size < 10_000_000 || args.size > 2_000_000_000 {
        eprintln!("note: {} bytes is outside the intended range of 10 MB to 2 GB", args.size);
    }
    if args.max_file_size < 1_000_000 {
        bail!("--max-file-size must be at least 1MB");
    }
    let opts = generate::GenerateOptions {
        from: args.from,
        size: args.size,
        out: args.out,
        seed: args.seed,
        format: args.format,
        max_file_bytes: args.max_file_size,
    };
    let summary = generate::generate(&opts)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

fn cmd_run(args: RunArgs) -> Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let speechdex = match args.speechdex {
        Some(p) => p,
        None => std::env::current_exe()
            .context("locating this binary")?
            .parent()
            .context("locating this binary's folder")?
            .join(format!("speechdex{}", std::env::consts::EXE_SUFFIX)),
    };
    if !speechdex.is_file() {
        bail!(
            "the speechdex binary is missing at {} (build it with `cargo build --release --workspace`, or \
             give --speechdex FILE)",
            speechdex.display()
        );
    }
    let terms: Vec<String> = if args.terms.is_empty() {
        run::DEFAULT_TERMS.iter().map(|t| (*t).to_owned()).collect()
    } else {
        args.terms.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
    };
    if terms.is_empty() {
        bail!("--terms is empty");
    }
    let opts = run::RunOptions {
        corpus: args.corpus,
        terms,
        work: args.work,
        runs: args.runs,
        cli_runs: args.cli_runs.unwrap_or(args.runs).max(1),
        budget: Duration::from_secs_f64(args.max_seconds.max(0.0)),
        kwic_limit: args.kwic_limit,
        threads: args.threads,
        skip_peers: args.skip_peers,
        speechdex,
        keep_work: args.keep_work,
    };
    let results = run::run(&opts)?;
    let markdown = report::markdown(&results);
    if let Some(path) = &args.report {
        std::fs::write(path, &markdown).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print!("{markdown}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50MB"), Ok(50_000_000));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1.5 mb"), Ok(1_500_000));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("MB").is_err());
    }
}
