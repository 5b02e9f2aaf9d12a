//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exact full-text search and term statistics for Chinese policy speeches.
///
/// speechdex indexes a folder of speeches (txt/md with front matter, JSONL, JSON, CSV/TSV, in
/// UTF-8, UTF-16 or GB18030) and answers exact phrase searches: `新质生产力` finds every speech
/// containing it, as Ctrl-F would, however jieba segments the sentence. Counts agree with a plain
/// substring count after folding width, case and traditional/simplified forms.
#[derive(Debug, Parser)]
#[command(name = "speechdex", version, about, long_about, max_term_width = 100)]
#[command(after_help = "Examples:\n  \
    speechdex index ./corpus                 build or update the index in ./index\n  \
    speechdex search 新质生产力               ranked speeches with snippets\n  \
    speechdex search '碳达峰 | 碳中和' --year 2021..2025\n  \
    speechdex stats                          what the index holds\n\n\
    Exit status: 0 success (search: hits), 1 search without hits, 2 error.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Index folder [default: ./index, or $SPEECHDEX_INDEX].
    #[arg(long, global = true, env = "SPEECHDEX_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index from folders and files of speeches.
    Index(IndexArgs),
    /// Search speeches: exact phrases, ranked, with snippets.
    Search(SearchArgs),
    /// Print one speech with its metadata, optionally with the matches of a query marked.
    Show(ShowArgs),
    /// Show what the index holds: speeches per year, kind and region, size, last build.
    Stats(StatsArgs),
}

/// Output format of commands that print data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Human-readable.
    #[default]
    Human,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// `--json`, `--jsonl`, `--csv` (mutually exclusive).
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Print one JSON object.
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print one JSON object per result line.
    #[arg(long, group = "format")]
    pub jsonl: bool,
    /// Print CSV with a header row.
    #[arg(long, group = "format")]
    pub csv: bool,
}

impl FormatArgs {
    /// The chosen format.
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.jsonl {
            Format::Jsonl
        } else if self.csv {
            Format::Csv
        } else {
            Format::Human
        }
    }
}

/// Sort orders of `search`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SortArg {
    /// BM25 relevance over jieba words, title matches boosted.
    Relevance,
    /// Newest first.
    Date,
    /// Most occurrences first.
    Hits,
}

/// Filters shared by the commands that select speeches.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only speeches of this year (same as `year:2024` in the query).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,
    /// Only speeches of this year or later.
    #[arg(long, value_name = "YEAR")]
    pub from: Option<i32>,
    /// Only speeches of this year or earlier.
    #[arg(long, value_name = "YEAR")]
    pub to: Option<i32>,
    /// Only speeches whose region contains this text.
    #[arg(long)]
    pub region: Option<String>,
    /// Only speeches whose speaker contains this text.
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only speeches whose kind contains this text.
    #[arg(long)]
    pub kind: Option<String>,
}

/// `speechdex search`.
#[derive(Debug, Args)]
#[command(long_about = "Search speeches: exact phrases, ranked, with snippets.\n\n\
    A word or \"quoted phrase\" matches exactly, as a substring of the text, whatever jieba does \
    with it; width, case and traditional/simplified forms are folded (新質生產力 finds 新质生产力, \
    gdp finds ＧＤＰ). Words separated by spaces must all occur; `OR` or `|` gives alternatives; \
    `-word` or `NOT word` excludes; parentheses group. Fields: title:, speaker:, region:, kind:, \
    tag:, year:2024, year:2020..2025, date:2024-01-01..2024-06-30.\n\n\
    Results are ranked by BM25 over jieba words (title matches count double); `hits` is the \
    number of occurrences of the query's phrases in the speech. Exit status: 0 with hits, 1 \
    without, 2 on error.")]
#[command(after_help = "Examples:\n  \
    speechdex search 新质生产力\n  \
    speechdex search '新质生产力 -人工智能' --limit 5\n  \
    speechdex search '碳达峰 | 碳中和' --from 2020 --sort date\n  \
    speechdex search 'title:政府工作报告 year:2020..2025 乡村振兴' --json\n  \
    speechdex search 'region:浙江省 \"共同富裕\"' --count")]
pub struct SearchArgs {
    /// The query (several arguments are joined with spaces).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Results per page.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Results to skip (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Order of results (ties: newest first).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Print only the number of matching speeches and of hits.
    #[arg(long)]
    pub count: bool,
    /// Snippets per result.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub snippets: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Speech id, as printed by `search`.
    pub id: String,
    /// Mark every match of this query's phrases.
    #[arg(long, value_name = "QUERY")]
    pub highlight: Option<String>,
    /// Print as JSON (metadata, text and match offsets).
    #[arg(long)]
    pub json: bool,
}

/// `speechdex index`.
#[derive(Debug, Args)]
#[command(long_about = "Build or update the index from folders and files of speeches.\n\n\
    Incremental by default: new speeches are added, changed ones replaced, removed ones deleted, \
    unchanged ones left alone (content hash). With --rebuild, a complete new index is built beside \
    the old one and swapped in atomically; searches keep working on the old one until then, and a \
    failed or killed build leaves it untouched. Only one indexer may write an index at a time.\n\n\
    Formats: .txt/.md (optional YAML `---` or TOML `+++` front matter), .jsonl/.ndjson, .json \
    (array), .csv/.tsv (header row). Files that cannot be read are reported on stderr and skipped; \
    everything else is indexed.")]
pub struct IndexArgs {
    /// Folders or files to index [default: ./corpus].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Build a complete new index and swap it in, instead of updating the current one.
    #[arg(long)]
    pub rebuild: bool,
    /// A jieba user dictionary (`WORD [FREQ [TAG]]` per line) for word statistics; repeatable.
    /// Without --dict the index keeps the dictionaries it was built with. Changing them forces a
    /// full rebuild.
    #[arg(long, value_name = "FILE")]
    pub dict: Vec<PathBuf>,
    /// Build without any user dictionary (drops those the index had).
    #[arg(long, conflicts_with = "dict")]
    pub no_user_dict: bool,
    /// Read every file in this encoding (utf-8, gb18030, gbk, utf-16le, utf-16be, big5, ...)
    /// instead of detecting it.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Follow symbolic links.
    #[arg(long)]
    pub follow: bool,
    /// Indexing threads [default: number of cores, at most 4].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print no progress and no per-file warnings (the summary still lists skipped files).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `speechdex stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}
