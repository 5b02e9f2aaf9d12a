//! Command-line arguments (clap derive). Doc comments are the help text.
//!
//! Every number has a range that clap checks (a value outside it is a usage error, exit status
//! 2, naming the option and the range), so that no value can overflow, panic or ask for
//! unbounded memory further on. Where `speechdex serve` takes the same parameter, the range is
//! the server's ([`speechdex_server`]), except the page size of `search` ([`MAX_SEARCH_LIMIT`]);
//! the doc comments state each range.

use std::path::PathBuf;

use clap::builder::{RangedU64ValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use speechdex::Choice;
use speechdex::corpus::{Field, FieldMap};
use speechdex::search::SortOrder;
use speechdex::search::query::Scope;
use speechdex::stats::kwic::KwicSort;
use speechdex::stats::trend::{GroupBy, Metric};
use speechdex_server::{MAX_KWIC_LINES, MAX_OFFSET};

/// Years of `--year`, `--from`, `--to` (4 digits, as the server's `year`, `from`, `to`).
pub const YEARS: std::ops::RangeInclusive<i64> = 1000..=9999;
/// Largest `search --limit`. The server's pages hold at most [`speechdex_server::MAX_LIMIT`]
/// results, but scripts list every hit of a search in one call (`--jsonl --limit 100000000`),
/// so the command allows more results than an index holds. The library keeps only the hits it
/// has, whatever the limit.
pub const MAX_SEARCH_LIMIT: u64 = 1_000_000_000;
/// Largest `search --snippets` (as the server's `snippets`).
pub const MAX_SNIPPETS: u64 = 10;
/// Largest `kwic --width` (as the server's `width` of `/api/kwic`).
pub const MAX_KWIC_WIDTH: u64 = 200;
/// Largest `compare --limit` (as the server's `limit` of `/api/compare`).
pub const MAX_COMPARE_LIMIT: u64 = 200;
/// Largest `diff --limit` (it only cuts lists: any number of sentences is fine).
pub const MAX_DIFF_LIMIT: u64 = 100_000_000;
/// Largest `top --limit`.
pub const MAX_TOP_LIMIT: u64 = 10_000;
/// Most `index --threads`: tantivy's own limit for its default, each thread buffering up to
/// 64 MB.
pub const MAX_THREADS: u64 = 8;

/// A `usize` option in `range`.
fn usize_in(range: std::ops::RangeInclusive<u64>) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(range)
}

/// A year option in [`YEARS`].
/// The values of a library option ([`Choice`]): names and help from the library, so that the
/// command line, the server and JSON spell them the same.
fn choice<T: Choice + Clone>() -> impl clap::builder::TypedValueParser<Value = T> {
    let values = T::ALL.iter().map(|c| clap::builder::PossibleValue::new(c.name()).help(c.help()));
    // Clap lets only the possible values through, so the fallback is never taken.
    clap::builder::PossibleValuesParser::new(values)
        .map(|name| T::from_name(&name).unwrap_or(T::ALL[0]))
}

fn year() -> clap::builder::RangedI64ValueParser<i32> {
    clap::value_parser!(i32).range(YEARS)
}

/// `HOST:PORT` with a port from 0 to 65535 (the host is resolved when binding).
fn host_port(value: &str) -> Result<String, String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| "give HOST:PORT, such as 127.0.0.1:8080".to_string())?;
    if host.is_empty() {
        return Err("give HOST:PORT, such as 127.0.0.1:8080 (the host is missing)".into());
    }
    port.parse::<u16>()
        .map_err(|_| format!("the port {port:?} is not a number from 0 to 65535"))?;
    Ok(value.to_string())
}

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
    speechdex search '碳达峰 | 碳中和' --from 2021 --to 2025\n  \
    speechdex stats                          what the index holds\n\n\
    Exit status: 0 success (search: hits), 1 nothing found, 2 error (nothing changed), 3 `index \
    --strict` skipped something.")]
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
    #[command(long_about = INDEX_LONG_ABOUT, after_help = INDEX_AFTER_HELP)]
    Index(IndexArgs),
    /// Search speeches: exact phrases, ranked, with snippets.
    #[command(long_about = SEARCH_LONG_ABOUT)]
    Search(SearchArgs),
    /// Print one speech with its metadata, optionally with the matches of a query marked.
    #[command(after_help = SHOW_AFTER_HELP)]
    Show(ShowArgs),
    /// Show what the index holds: speeches per year, kind and region, size, last build.
    #[command(after_help = STATS_AFTER_HELP)]
    Stats(StatsArgs),
    /// Count terms per year, speaker, region, kind or speech, with bars or a chart.
    #[command(long_about = TREND_LONG_ABOUT)]
    Trend(TrendArgs),
    /// Keyword in context: every occurrence of a term with the text around it.
    #[command(long_about = KWIC_LONG_ABOUT)]
    Kwic(KwicArgs),
    /// Compare the words of two speeches or two sets of speeches (keyness).
    #[command(long_about = COMPARE_LONG_ABOUT)]
    Compare(CompareArgs),
    /// What changed in the wording between two speeches or sets (提法变化), sentence by sentence.
    #[command(long_about = DIFF_LONG_ABOUT, after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// The most frequent words of a set of speeches.
    #[command(long_about = TOP_LONG_ABOUT)]
    Top(TopArgs),
    /// Serve the JSON API and the web page over the index (live across rebuilds).
    #[command(long_about = SERVE_LONG_ABOUT)]
    Serve(ServeArgs),
    /// Does a quotation occur, where, and verbatim? Exact matches with the original passage, or
    /// the closest passages with their differences.
    #[command(long_about = VERIFY_LONG_ABOUT, after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// The most frequent, or most distinctive (--against), phrases of 2-8 characters of a set
    /// of speeches.
    #[command(long_about = NGRAMS_LONG_ABOUT, after_help = NGRAMS_AFTER_HELP)]
    Ngrams(NgramsArgs),
    /// The words that stand near a term more often than chance (collocations), by G².
    #[command(long_about = COLLOCATES_LONG_ABOUT, after_help = COLLOCATES_AFTER_HELP)]
    Collocates(CollocatesArgs),
}

/// Long help of `speechdex search` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const SEARCH_LONG_ABOUT: &str = "Search speeches: exact phrases, ranked, with snippets.\n\n\
    A word or \"quoted phrase\" matches exactly, as a substring of the text, whatever jieba does \
    with it; width, case and traditional/simplified forms are folded (新質生產力 finds 新质生产力, \
    gdp finds ＧＤＰ). Words separated by spaces must all occur; `OR` or `|` gives alternatives; \
    `-word` or `NOT word` excludes; parentheses group. Fields: title:, speaker:, region:, kind:, \
    tag:, year:2024, year:2020..2025, date:2024-01-01..2024-06-30.\n\n\
    Scope: SENT(…) holds where the query inside it holds in one sentence, PARA(…) in one \
    paragraph: SENT(人工智能 实体经济) finds the speeches where both occur in the same sentence, \
    SENT(人工智能 -实体经济) a sentence with the first and without the second. Sentences end at \
    。！？!? and at the end of a paragraph (a non-empty line; the lines of a hard-wrapped text are \
    joined). --within sentence|paragraph puts the whole query in such a group. Inside a group, \
    fields, years and dates are the speech's; a group needs a phrase that must occur, and groups \
    do not nest. Hits of a phrase found only inside groups are its occurrences inside the \
    qualifying sentences (or paragraphs), which `total_units` counts.\n\n\
    Results are ranked by BM25 over jieba words (title matches count double) plus ln(1 + hits), \
    where `hits` is the number of occurrences of the query's phrases in the speech. Exit status: 0 with hits, 1 \
    without, 2 on error.";

/// Long help of `speechdex index` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const INDEX_LONG_ABOUT: &str = "Build or update the index from folders and files of speeches.\n\n\
    Incremental by default: new speeches are added, changed ones replaced, removed ones deleted, \
    unchanged ones left alone (content hash), all in one atomic commit. A file is read again \
    whenever its size, modification or change time or inode differ from the last run, or the \
    reading options (--encoding, --max-speech-mb, --map, --meta, speechdex.toml) changed. With --rebuild, a complete new index \
    is built beside the old one and swapped in atomically (also over a damaged index); searches \
    keep working on the old one until then, and a failed or killed build leaves it untouched. \
    Only one indexer may write an index at a time.\n\n\
    Formats: .txt/.md (optional YAML `---` or TOML `+++` front matter), .jsonl/.ndjson, .json \
    (array), .csv/.tsv (header row). Files and folders that cannot be read are reported on stderr \
    and skipped, and keep the speeches they had in the index; everything else is indexed.\n\n\
    Fields: keys, columns and front-matter keys are matched by name, in English or Chinese \
    (title/标题/题目, content/text/正文/内容/全文, date/日期/时间, published/发布时间, year/年份, \
    speaker/author/讲话人, region/province/省份, kind/type/文种, tags/关键词, source/来源, url/链接; \
    the full table is in the README). Name any other key with --map FIELD=KEY, or for a whole \
    corpus in a `speechdex.toml` at its root: `[fields]` then `text = \"讲话全文\"`; --map wins. A \
    record whose text is not found is skipped with the keys it has. Kind, region, speaker, date \
    and year missing from a record are inferred from the title, dateline and byline (listed in \
    `inferred`); --meta FILE.csv (or `meta = \"FILE.csv\"` in speechdex.toml) sets any field of \
    any speech by id, over the record and inference.\n\n\
    Guards (safe to run from cron): a corpus folder that is missing, unreadable or holds no \
    readable file, an --index folder that is neither new, empty nor an index, and a run that \
    would remove more than half of the index's speeches (use --allow-shrink when that is \
    intended) all stop with exit status 2 and change nothing.";

/// The exit statuses of `speechdex index`, in its `--help`.
const INDEX_AFTER_HELP: &str = "Examples:\n  \
    speechdex index ./corpus                   build or update ./index\n  \
    speechdex index /data/speeches --index /srv/speechdex --strict --quiet    (nightly, from cron)\n  \
    speechdex index ./corpus --rebuild          a fresh index, swapped in when complete\n  \
    speechdex index ./data --map text=讲话全文 --map title=名称    keys of your own\n\n\
    Exit status: 0 indexed; 2 error, nothing changed (missing corpus, not an index, would shrink, \
    locked, ...); 3 with --strict: indexed, but some files, folders, lines or rows were skipped.";

/// Long help of `speechdex trend` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const TREND_LONG_ABOUT: &str = "Count terms per year, speaker, region, kind or speech.\n\n\
    For each group and term: occurrences (exact, non-overlapping, the same as search hits), \
    speeches containing the term, speeches and characters in the group, and the rate per 10,000 \
    characters. For each term: its first and last appearance (speech, date, and the sentence it \
    first appears in) and the group where the metric peaks. Years run without gaps from the first \
    to the last (a year without speeches has no data: null in JSON, empty in CSV, a gap in \
    charts); speeches without a year (or speaker, region, kind) form the group `unknown`, \
    listed last. --by speech lists the speeches containing a term, oldest first.\n\n\
    The table shows a bar per term, scaled to the highest value of --metric; --plot draws a chart \
    (lines by year, bars otherwise; SVG or PNG; PNG needs a CJK font such as fonts-noto-cjk).\n\n\
    Terms are exact phrases, not queries: `year:2024` counts that text (a warning says so); select \
    speeches with --year/--from/--to/--region/... or --where QUERY.\n\n\
    --within sentence|paragraph counts the terms only where they all occur together in one \
    sentence (up to 。！？!? or the end of a paragraph) or one paragraph (a non-empty line): a \
    term's count is its occurrences inside those sentences, its speeches those with one, so the \
    figures agree with `search TERMS --within UNIT --count` (its hits are the terms' counts added \
    up). Exit status: 0 when a term occurs, 1 when none does, 2 on errors.";

/// Long help of `speechdex kwic` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const KWIC_LONG_ABOUT: &str = "Keyword in context: every occurrence of a term, one per line, aligned on \
    the term, with the speech's date and title and the paragraph (non-empty line, from 1).\n\n\
    Occurrences are exactly those search counts; the term is shown as written in the speech \
    (新質生產力 for 新质生产力). --json prints {term, total, docs, lines: [{id, title, year, date, \
    paragraph, offset, left, match, right}]}, offsets in characters; total counts every \
    occurrence, also when --limit cuts the lines.\n\n\
    --sentence shows each occurrence's whole sentence (sentences end at 。！？!? and at the end of \
    a paragraph) instead of --width characters: left and right are the rest of the sentence. \
    --within sentence|paragraph with more terms (kwic 人工智能 实体经济 --within sentence) lists \
    only the occurrences of the first term inside a sentence or paragraph that holds the others \
    too; total and docs count those.";

/// Long help of `speechdex compare` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const COMPARE_LONG_ABOUT: &str = "Compare the words of two speeches (by id) or two sets of speeches (by \
    query).\n\n\
    Words are jieba words of the texts, without stopwords (dict/stopwords.txt), punctuation and \
    bare numbers. For each word: its counts and rates per 10,000 words in A and B, the \
    log-likelihood G² (≥ 3.84: p < 0.05; ≥ 10.83: p < 0.001) and the log ratio, log₂ of A's \
    relative frequency over B's with 0.5 added to both counts (+1: twice as frequent in A). Lists: \
    words more frequent in A, in B, words new in B (absent from A) and words only in A, each by \
    G². --terms counts given phrases exactly on both sides (rates per 10,000 characters).";

/// Long help of `speechdex diff` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const DIFF_LONG_ABOUT: &str = "What changed in the wording between two speeches (by id) or two sets \
    of speeches (by query): 提法变化, as a reviewer marks up last year's report against this year's.\n\n\
    Both texts are cut into sentences (at 。！？!? and at line ends; the lines of a hard-wrapped \
    text are joined first) and aligned by a patience diff. Sentences equal after folding width, \
    case and traditional/simplified forms and ignoring whitespace and punctuation are unchanged: \
    counted, never listed, also when they moved. A removed and an added sentence between the same \
    unchanged neighbours are one changed sentence when at least --min-similarity of their \
    characters agree (2 x common characters in order / both lengths); its changed characters are \
    marked [-deleted-]{+inserted+}. Every sentence comes with its paragraph (non-empty line, A¶ \
    in A, B¶ in B, as kwic counts) and its section heading (一、 / （一）).\n\n\
    New and dropped formulations are phrases of 2-8 characters (whole jieba words, no \
    punctuation, no stopword or bare number at either end) that one side uses and the other never \
    does, the longest that carries the same occurrences, with their counts on both sides (exact, \
    as `rg -F -o` counts): first those the side puts in quotation marks (“投资于人”: the reports \
    quote what they name), then the others, each by log-likelihood G² (ties: phrases standing \
    between punctuation, then those nearest four characters).\n\n\
    A set (--a/--b) is read as one text: its speeches by region, then date, then id; each listed \
    sentence names its speech. Exit status: 0 whether or not anything changed, 2 on error (unknown \
    id, a query that selects nothing).";

/// Examples of `speechdex diff`, on the shared corpus of government work reports.
const DIFF_AFTER_HELP: &str = "Examples, on the shared corpus (its national reports of 2024 and \
    2025; `speechdex search 政府工作报告 --year 2025` shows such ids):\n  \
    speechdex diff gwr/government_work_reports.jsonl:3 gwr/government_work_reports.jsonl:1\n  \
    speechdex diff gwr/government_work_reports.jsonl:3 gwr/government_work_reports.jsonl:1 --json\n  \
    speechdex diff --a 'year:2024 title:国务院政府工作报告' --b 'year:2025 title:国务院政府工作报告' --csv\n  \
    speechdex diff --a region:北京市 --b region:天津市 --min-similarity 0.6\n  \
    speechdex diff --a 'year:2025 -title:决议' --b 'year:2026 -title:决议'    (two years as wholes)\n\n\
    Output: the changes in document order under their section headings (~ changed, - removed, + \
    added), then the new and dropped formulations. --json: {a, b, min_similarity, unchanged, \
    moved, totals, added: [{order, text, id, paragraph, section}], removed: [...], changed: \
    [{order, old, new, similarity, id_old, id_new, paragraph_old, paragraph_new, section_old, \
    section_new, marks: [{op, text}]}], new_phrases: [{phrase, count_a, count_b, g2, quoted, \
    clause}], \
    dropped_phrases: [...]}.";

/// Long help of `speechdex top` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const TOP_LONG_ABOUT: &str = "The most frequent words of a set of speeches (all by default): jieba \
    words without stopwords, punctuation and bare numbers, with their count, the speeches \
    containing them and the rate per 10,000 words.";

/// Long help of `speechdex serve` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const SERVE_LONG_ABOUT: &str = "Serve a JSON API and a web page over the index.\n\n\
    Open the printed address in a browser: search with highlighted snippets, read a speech with \
    every match marked, draw trends and concordances. The API (/api/search, /api/docs/ID, \
    /api/stats, /api/trend, /api/kwic, /api/compare, /healthz) answers the same JSON as the \
    commands' --json. The first line printed is `listening on http://ADDR`.\n\n\
    The server only reads the index and keeps answering while `speechdex index` updates or \
    rebuilds it: it checks the index folder every second and serves the new index without a \
    restart. It binds 127.0.0.1 unless --addr says otherwise; it has no authentication, so bind \
    another address only on a network you trust.";

/// Long help of `speechdex verify` (on the `Command` variant: a variant's doc comment
/// would override it on the arguments struct).
const VERIFY_LONG_ABOUT: &str = "Does a quotation occur in the speeches, where, and verbatim?\n\n\
    The quote is compared with the texts ignoring whitespace and line breaks (spaces, U+3000, \
    line breaks inside a sentence or a byline such as 李　强), width, case and traditional/\
    simplified forms, and the difference between Chinese and Western punctuation: ，/, ：/: ；/; \
    ！/! ？/? （/( ）/) “/\" ”/\" ‘/' ’/' 「/\" 」/\" 。/. —/- 【/[ 】/] are equal (`、` and `《》` \
    are not). \
    Each exact match gives the speech (id, title, date, speaker, url), the paragraph (non-empty \
    line, from 1, as `show --paragraph` counts), the character offsets and the passage as it \
    stands in the text, line breaks shown as ⏎ (exact in --json).\n\n\
    Without an exact match, the closest passages are listed (near matches): the fewest characters \
    inserted, deleted or replaced (edit distance over the compared texts, at most a fifth of the \
    quote's characters unless --max-distance says otherwise), each difference marked. They are \
    found through the index (passages holding enough of the quote's character pairs near each \
    other), not by reading every speech.\n\n\
    Exit status: 0 when the quote occurs exactly, 1 when it does not (near matches or none), 2 \
    on errors. --json prints {quote, compared, max_distance, exact_total, exact: [...], near: \
    [...]}; each passage has id, title, year, date, speaker, path, url, paragraph, \
    paragraph_end, start, end (character offsets), text, before, after, distance and differences \
    [{kind: replaced|missing|extra, quote_offset, text_offset, quote, text}].";

/// Examples of `speechdex verify`, on the speeches of the shared corpus.
const VERIFY_AFTER_HELP: &str = "Examples:\n  \
    speechdex verify 李强所作的政府工作报告\n      \
    found in the NPC resolutions of 2024 and 2025, which break the line after 所作的\n  \
    speechdex verify 李强所做的政府工作报告\n      \
    no exact match (exit status 1): the resolutions, one edit away (做 → 作)\n  \
    speechdex verify '国务院总理 李强'\n      \
    the byline of the 2024 report, 国务院总理　⏎李　强\n  \
    speechdex verify '“十四五”规划' --json\n      \
    curly or straight quotes, the same matches\n\n\
    Exit status: 0 the quote occurs exactly, 1 it does not, 2 error.";

/// Long help of `speechdex ngrams` (on the `Command` variant).
const NGRAMS_LONG_ABOUT: &str = "The most frequent, or most distinctive, phrases of 2-8 \
    characters of a set of speeches (all by default; --where and the filter flags select, as for \
    top).\n\n\
    A phrase is a run of whole jieba words (it never starts or ends inside a word) without \
    whitespace, line breaks or punctuation, whose first and last words are no stopword and no \
    bare number: 新质生产力, 积极的财政政策, 投资于人; not 要适度加力 or 5%左右. It is listed when it \
    occurs at least --min-count times as whole words; its count is then every non-overlapping \
    occurrence in the folded texts, as `rg -F -o` or search counts (width, case and \
    traditional/simplified folded). Maximal: a phrase inside a longer listed-length phrase is \
    listed only when it occurs at least --min-count times outside it (count minus the longer \
    one's count), so 具身 goes when it only ever stands in 具身智能, while 新质生产力 stays beside \
    发展新质生产力.\n\n\
    Ranked by count (ties: longer first). With --against QUERY, by the log-likelihood G² of the \
    set against the speeches QUERY selects (over characters), phrases relatively more frequent \
    in the set only, with their reference count and log ratio. Exit status: 0 when a phrase is \
    listed, 1 when none qualifies, 2 on errors.";

/// Examples of `speechdex ngrams`, on the shared corpus.
const NGRAMS_AFTER_HELP: &str = "Examples, on the shared corpus:\n  \
    speechdex ngrams --where 'title:国务院政府工作报告' --year 2025 --min-len 4\n      \
    the 2025 report's most frequent phrases of 4-8 characters\n  \
    speechdex ngrams --year 2025 --where title:国务院政府工作报告 --against 'title:国务院政府工作报告 year:2024'\n      \
    what the 2025 report says more than the 2024 one (G²)\n  \
    speechdex ngrams --year 2026 --against 'year:2015..2025' --min-len 3 --csv\n      \
    the provincial reports of 2026 against the national reports of 2015-2025\n\n\
    --json: {docs, chars, against?: {label, docs, chars}, min_len, max_len, min_count, total, \
    ngrams: [{rank, ngram, len, count, docs, rate, ref_count?, ref_rate?, g2?, log_ratio?}]} \
    (rates per 10,000 characters).";

/// Long help of `speechdex collocates` (on the `Command` variant).
const COLLOCATES_LONG_ABOUT: &str = "The words that stand near a term more often than chance \
    (collocations), ranked by log-likelihood G², with mutual information (MI) beside it.\n\n\
    The term is an exact phrase: its occurrences are those search counts. Each occurrence's \
    window holds the --window jieba words before it and after it (stopwords included, \
    punctuation not; windows run across punctuation); words overlapping an occurrence are the \
    term's own and never in a window, and a word in two windows counts once. Listed are words \
    that are no stopword or bare number (as top lists them), occur at least --min-count times in \
    the windows and more often there than elsewhere: count (in the windows; left and right of \
    the term), total (in the selected speeches), expected (if spread evenly), G² of the 2x2 \
    table window/outside x word/other words, MI = log2(count / expected). --where and the \
    filter flags select the speeches. Exit status: 0 when a collocate is listed, 1 when none \
    qualifies (or the term does not occur), 2 on errors.";

/// Examples of `speechdex collocates`, on the shared corpus.
const COLLOCATES_AFTER_HELP: &str = "Examples, on the shared corpus:\n  \
    speechdex collocates 财政政策                    积极, 稳健, 货币政策 ... near 财政政策\n  \
    speechdex collocates 新质生产力 --window 3 --year 2026    in the provincial reports of 2026\n  \
    speechdex collocates 改革 --to 1990 --min-count 5 --csv\n\n\
    --json: {term, window, min_count, docs, tokens, occurrences, term_docs, window_tokens, \
    total, collocates: [{rank, word, count, left, right, total, expected, score, g2, mi}]} \
    (score = g2).";

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
    /// Start the CSV with a byte-order mark, so that Excel (on Windows) reads it as UTF-8
    /// instead of garbling the Chinese.
    #[arg(long, requires = "csv")]
    pub bom: bool,
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

/// Filters shared by the commands that select speeches.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only speeches of this year (same as `year:2024` in the query; 1000–9999).
    #[arg(long, value_name = "YEAR", value_parser = year())]
    pub year: Option<i32>,
    /// Only speeches of this year or later (1000–9999).
    #[arg(long, value_name = "YEAR", value_parser = year())]
    pub from: Option<i32>,
    /// Only speeches of this year or earlier (1000–9999).
    #[arg(long, value_name = "YEAR", value_parser = year())]
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

/// `--no-boilerplate`, shared by `search`, `trend` and `kwic`.
#[derive(Debug, Args)]
pub struct BoilerplateArg {
    /// Leave boilerplate out: occurrences on lines of web-page furniture (下载 / 打印 / 【字号】 …)
    /// or of blocks repeated across many speeches (a site's licence footer) do not count. By
    /// default every occurrence counts, as Ctrl-F finds it.
    #[arg(long)]
    pub no_boilerplate: bool,
}

/// `--where` and the filter flags: the speeches a statistics command counts in
/// ([`crate::query::selection`]).
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// Only speeches matching this query (same syntax as search).
    #[arg(long = "where", value_name = "QUERY")]
    pub where_: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// `speechdex search`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex search 新质生产力\n  \
    speechdex search '新质生产力 -人工智能' --limit 5\n  \
    speechdex search '碳达峰 | 碳中和' --from 2020 --sort date\n  \
    speechdex search 'title:政府工作报告 year:2020..2025 乡村振兴' --json\n  \
    speechdex search 'region:浙江省 \"共同富裕\"' --count\n  \
    speechdex search 人工智能 实体经济 --within sentence     both in one sentence\n  \
    speechdex search 'PARA(碳达峰 碳中和 -煤炭) year:2021..' --count")]
pub struct SearchArgs {
    /// The query (several arguments are joined with spaces). To start it with an excluded
    /// term, put `--` before it or quote the whole query: `search -- -人工智能 新质生产力`.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Results per page (1–1000000000).
    #[arg(long, short = 'n', default_value_t = speechdex::search::DEFAULT_LIMIT,
          value_parser = usize_in(1..=MAX_SEARCH_LIMIT))]
    pub limit: usize,
    /// Results to skip, for paging (0–10000).
    #[arg(long, default_value_t = 0, value_parser = usize_in(0..=MAX_OFFSET as u64))]
    pub offset: usize,
    /// Order of results (ties: newest first).
    #[arg(long, value_parser = choice::<SortOrder>(), default_value_t = SortOrder::default())]
    pub sort: SortOrder,
    /// Print only the number of matching speeches and of hits.
    #[arg(long)]
    pub count: bool,
    /// Ignore whitespace inside phrases and the text: a phrase matches wherever the text equals
    /// it once spaces, U+3000 and line breaks are removed from both (`李强` finds the byline
    /// `李　强`, and a sentence that a line break cuts). Hits are counted the same way.
    #[arg(long)]
    pub ignore_space: bool,
    #[command(flatten)]
    pub boilerplate: BoilerplateArg,
    /// Only where the query holds inside one sentence (up to 。！？!?) or one paragraph, as if
    /// it were written SENT(…) or PARA(…); hits then count the phrases' occurrences inside
    /// those sentences or paragraphs.
    #[arg(long, value_name = "UNIT", value_parser = choice::<Scope>())]
    pub within: Option<Scope>,
    /// With --csv: one row per snippet (the result's columns repeated) instead of one row per
    /// speech with its snippets joined by ` … `.
    #[arg(long, requires = "csv")]
    pub snippet_rows: bool,
    /// Snippets per result (0–10).
    #[arg(long, default_value_t = speechdex::search::DEFAULT_SNIPPETS, value_name = "N",
          value_parser = usize_in(0..=MAX_SNIPPETS))]
    pub snippets: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Examples of `speechdex show`.
const SHOW_AFTER_HELP: &str = "Paragraphs (non-empty lines) are numbered from 1 in the margin, \
    as `search` and `kwic` number them, so a quotation can be cited with its paragraph.\n\n\
    Examples:\n  \
    speechdex show 2025_政府工作报告.jsonl:1                      the whole speech\n  \
    speechdex show 2025_政府工作报告.jsonl:1 --highlight 新质生产力   matches marked 【…】\n  \
    speechdex show 2025_政府工作报告.jsonl:1 --paragraph 12-14     paragraphs 12 to 14 only\n  \
    speechdex show 2025_政府工作报告.jsonl:1 --json               metadata, text, match offsets\n\n\
    A file of a JSONL/JSON/CSV corpus holds many speeches: their ids end in `:LINE` (`show FILE` \
    lists them).";

/// Examples of `speechdex stats`.
const STATS_AFTER_HELP: &str = "Examples:\n  \
    speechdex stats                   speeches per year, kind and region; size; last build\n  \
    speechdex stats --space           where the disk space goes, per field\n  \
    speechdex stats --missing speaker the speeches without a speaker (id, title)\n  \
    speechdex stats --json | jq .docs";

/// Most near matches of `verify --limit`.
pub const MAX_VERIFY_LIMIT: u64 = 100;
/// Most exact matches `verify --max-exact` lists.
pub const MAX_VERIFY_EXACT: u64 = 100_000;
/// Largest `verify --context`.
pub const MAX_VERIFY_CONTEXT: u64 = 200;
/// Largest `verify --max-distance`.
pub const MAX_VERIFY_DISTANCE: u64 = 100;

/// `speechdex verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The quotation (several arguments are joined with spaces; whitespace is ignored anyway).
    #[arg(required = true, value_name = "QUOTE")]
    pub quote: Vec<String>,
    /// Near matches to list when there is no exact match (1–100).
    #[arg(long, short = 'n', default_value_t = 5, value_parser = usize_in(1..=MAX_VERIFY_LIMIT))]
    pub limit: usize,
    /// Exact matches to list, oldest speech first; all are counted (1–100000).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = usize_in(1..=MAX_VERIFY_EXACT))]
    pub max_exact: usize,
    /// Characters of context shown on each side of a passage (0–200).
    #[arg(long, default_value_t = 20, value_name = "CHARS", value_parser = usize_in(0..=MAX_VERIFY_CONTEXT))]
    pub context: usize,
    /// Most edits (characters inserted, deleted or replaced) of a near match (0–100; 0: no near
    /// matches) [default: a fifth of the quote's characters, at least 1; none for quotes of
    /// fewer than 4 characters].
    #[arg(long, value_name = "N", value_parser = usize_in(0..=MAX_VERIFY_DISTANCE))]
    pub max_distance: Option<usize>,
    /// Print one JSON object (passages exactly as in the text).
    #[arg(long)]
    pub json: bool,
}

/// `speechdex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Speech id, as printed by `search`.
    pub id: String,
    /// Mark every match of this query's phrases.
    #[arg(long, value_name = "QUERY")]
    pub highlight: Option<String>,
    /// Only these paragraphs: `N` or `N-M` (numbered from 1, as in the margin).
    #[arg(long, value_name = "N[-M]", value_parser = parse_paragraphs)]
    pub paragraph: Option<(usize, usize)>,
    /// Print as JSON (metadata, text and match offsets).
    #[arg(long)]
    pub json: bool,
}

/// `speechdex index`.
#[derive(Debug, Args)]
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
    /// Read the field FIELD from the key KEY (a JSON key, CSV column or front-matter key), before
    /// the names speechdex knows; repeatable, e.g. --map text=讲话全文 --map title=名称. FIELD is
    /// one of title, text, date, published, year, speaker, region, venue, kind, tags, source,
    /// url. Wins over the `[fields]` of a speechdex.toml at a corpus root.
    #[arg(long = "map", value_name = "FIELD=KEY", value_parser = parse_map)]
    pub map: Vec<(Field, String)>,
    /// Metadata that wins over the records and inference: a CSV whose `id` column names
    /// speeches as `search` prints them and whose other columns are fields (speaker, date,
    /// 讲话人...). Editing it is picked up by the next run. Also `meta = "FILE.csv"` in a
    /// speechdex.toml at a corpus root; this file wins over it.
    #[arg(long, value_name = "FILE.csv")]
    pub meta: Option<PathBuf>,
    /// Read every file, even those whose size, times and inode have not changed since the last
    /// build (by default such files are not read again; content hashes decide what changes).
    #[arg(long)]
    pub checksum: bool,
    /// Let this run remove more than half of the index's speeches, or all of them (without it,
    /// such a run stops with exit status 2 and changes nothing: a wrong path or an unmounted
    /// share must not wipe the index).
    #[arg(long)]
    pub allow_shrink: bool,
    /// Exit with status 3 when anything was skipped (files, folders, lines, rows), after
    /// indexing the rest: for cron jobs and scripts that must notice.
    #[arg(long)]
    pub strict: bool,
    /// The largest speech to index, in MiB of text (1–1024). Bigger speeches (one file, or one
    /// record of a JSONL/JSON/CSV file) are skipped with a reason: indexing a speech needs about
    /// 8 times its size in memory.
    #[arg(long, value_name = "MIB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_speech_mb: u64,
    /// Indexing threads, 1–8 [default: number of cores, at most 4].
    #[arg(long, value_name = "N", value_parser = usize_in(1..=MAX_THREADS))]
    pub threads: Option<usize>,
    /// Index segments a full build (the first, `--rebuild`, or after a change of dictionaries
    /// or index format) ends with, 1–64 [default: 4]. Fewer segments make counts faster and the
    /// end of the build longer (merging rewrites the index). At most 16 of the segments flushed
    /// while indexing (about 25 MB of text each) merge into one, so a corpus bigger than about
    /// N × 400 MB ends with more than N: at 500 MB, `--max-segments 1` ends with 2, and a
    /// `search --count` process takes about 0.4 ms less than with 4.
    #[arg(long, value_name = "N", value_parser = usize_in(1..=64))]
    pub max_segments: Option<usize>,
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
    /// Also show where the disk space goes: bytes per field in the term dictionaries,
    /// postings, positions and columns, and in the stored documents (the speech texts).
    ///
    /// The exact fields (`body_exact`, `title`, …) keep one position per character, which is
    /// what makes phrases and counts exact; `body_words` keeps word frequencies for ranking.
    #[arg(long)]
    pub space: bool,
    /// List the speeches that lack FIELD (id and title; e.g. `speaker`, `date`, `region`), to
    /// fill them in: the overview's field audit counts them.
    #[arg(long, value_name = "FIELD")]
    pub missing: Option<String>,
}

/// `speechdex trend`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex trend 新质生产力\n  \
    speechdex trend 碳达峰 碳中和 --from 2015 --metric count\n  \
    speechdex trend 新质生产力 --by region --where 'title:政府工作报告'\n  \
    speechdex trend 人民公社 改革开放 --plot trend.svg\n  \
    speechdex trend 乡村振兴 --json\n  \
    speechdex trend 人工智能 实体经济 --within sentence --metric docs    (together in one sentence)")]
pub struct TrendArgs {
    /// The terms (each an exact phrase).
    #[arg(required = true, value_name = "TERM")]
    pub terms: Vec<String>,
    /// What to group speeches by.
    #[arg(long, value_parser = choice::<GroupBy>(), default_value_t = GroupBy::default())]
    pub by: GroupBy,
    /// The figure for bars, chart and peak.
    #[arg(long, value_parser = choice::<Metric>(), default_value_t = Metric::default())]
    pub metric: Metric,
    /// Draw a chart into this file (.svg or .png): lines by year, bars for other groupings.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Count the terms ignoring whitespace (spaces, U+3000, line breaks) in the text and the
    /// terms, as `search --ignore-space` does.
    #[arg(long)]
    pub ignore_space: bool,
    #[command(flatten)]
    pub boilerplate: BoilerplateArg,
    /// Count the terms only where they all occur together in one sentence (up to 。！？!?) or
    /// one paragraph: each term's occurrences inside such sentences, and the speeches with one
    /// (as `search TERMS --within UNIT --count`).
    #[arg(long, value_name = "UNIT", value_parser = choice::<Scope>())]
    pub within: Option<Scope>,
    /// At most this many speakers, regions, kinds or speeches: those with the most
    /// occurrences (years are never cut); 0 lists them all.
    #[arg(long, short = 'n', value_name = "N",
          default_value_t = speechdex::stats::trend::DEFAULT_GROUP_LIMIT)]
    pub limit: usize,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex kwic`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex kwic 新质生产力\n  \
    speechdex kwic 新质生产力 --sort right --width 20 --limit 50\n  \
    speechdex kwic 高质量发展 --where 'year:2024' --csv\n  \
    speechdex kwic 新质生产力 --sentence --limit 5          whole sentences, with ¶\n  \
    speechdex kwic 人工智能 实体经济 --within sentence --sentence    人工智能 where 实体经济 is in the sentence")]
pub struct KwicArgs {
    /// The term (an exact phrase).
    #[arg(value_name = "TERM")]
    pub term: String,
    /// With --within: other terms (exact phrases) that must occur in the same sentence or
    /// paragraph as the term; only the term's occurrences there are listed.
    #[arg(value_name = "ALSO", requires = "within")]
    pub also: Vec<String>,
    /// Characters of context on each side (1–200).
    #[arg(long, default_value_t = speechdex::stats::kwic::DEFAULT_WIDTH,
          value_parser = usize_in(1..=MAX_KWIC_WIDTH))]
    pub width: usize,
    /// Order of the lines.
    #[arg(long, value_parser = choice::<KwicSort>(), default_value_t = KwicSort::default())]
    pub sort: KwicSort,
    /// At most this many lines (1–1000; without --limit, every line).
    #[arg(long, short = 'n', value_name = "N", value_parser = usize_in(1..=MAX_KWIC_LINES as u64))]
    pub limit: Option<usize>,
    /// Match the term ignoring whitespace (spaces, U+3000, line breaks) in the text and the
    /// term, as `search --ignore-space` does; a match then shows its line breaks.
    #[arg(long)]
    pub ignore_space: bool,
    #[command(flatten)]
    pub boilerplate: BoilerplateArg,
    /// Only the occurrences inside a sentence (up to 。！？!?) or paragraph that also holds
    /// every ALSO term; `total` counts those.
    #[arg(long, value_name = "UNIT", value_parser = choice::<Scope>())]
    pub within: Option<Scope>,
    /// The whole sentence of each occurrence as its context (instead of --width characters);
    /// the paragraph number (¶) says where it is.
    #[arg(long)]
    pub sentence: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex compare`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex compare ID_A ID_B\n  \
    speechdex compare --a year:2024 --b year:2025 --limit 30\n  \
    speechdex compare --a region:浙江省 --b region:江苏省 --terms 新质生产力,共同富裕 --json")]
pub struct CompareArgs {
    /// Speech ids A and B (or use --a and --b).
    #[arg(value_name = "ID", num_args = 0..=2)]
    pub ids: Vec<String>,
    /// Set A: the speeches matching this query.
    #[arg(long, value_name = "QUERY", requires = "b")]
    pub a: Option<String>,
    /// Set B: the speeches matching this query.
    #[arg(long, value_name = "QUERY", requires = "a")]
    pub b: Option<String>,
    /// Terms to count exactly on both sides, comma-separated.
    #[arg(long, value_name = "T1,T2", value_delimiter = ',')]
    pub terms: Vec<String>,
    /// Words per list (1–200).
    #[arg(long, short = 'n', default_value_t = speechdex::stats::compare::DEFAULT_WORDS,
          value_parser = usize_in(1..=MAX_COMPARE_LIMIT))]
    pub limit: usize,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Speech ids A (old) and B (new) (or use --a and --b).
    #[arg(value_name = "ID", num_args = 0..=2)]
    pub ids: Vec<String>,
    /// Set A (old): the speeches matching this query, read as one text.
    #[arg(long, value_name = "QUERY", requires = "b")]
    pub a: Option<String>,
    /// Set B (new): the speeches matching this query, read as one text.
    #[arg(long, value_name = "QUERY", requires = "a")]
    pub b: Option<String>,
    /// At most N entries in each list: changed, removed and added sentences, new and dropped
    /// phrases [default: every sentence, 25 phrases].
    #[arg(long, short = 'n', value_name = "N", value_parser = usize_in(1..=MAX_DIFF_LIMIT))]
    pub limit: Option<usize>,
    /// Similarity (0-1) from which a removed and an added sentence are shown as one changed
    /// sentence; above 1, never.
    #[arg(long, value_name = "S", default_value_t = 0.5, value_parser = parse_similarity)]
    pub min_similarity: f64,
    #[command(flatten)]
    pub format: FormatArgs,
}

fn parse_similarity(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=2.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a similarity between 0 and 1 (e.g. 0.5)")),
    }
}

/// `speechdex top`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex top\n  \
    speechdex top --where 'year:2024 title:政府工作报告' --limit 30\n  \
    speechdex top --region 浙江省 --csv")]
pub struct TopArgs {
    /// Words to list (1–10000).
    #[arg(long, short = 'n', default_value_t = 50, value_parser = usize_in(1..=MAX_TOP_LIMIT))]
    pub limit: usize,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex ngrams`.
#[derive(Debug, Args)]
pub struct NgramsArgs {
    /// Rank by distinctiveness (G²) against the speeches matching this query instead of by
    /// count (the filter flags select the set, not the reference).
    #[arg(long, value_name = "QUERY")]
    pub against: Option<String>,
    /// Shortest phrase, in characters (2-8).
    #[arg(long, value_name = "N", default_value_t = speechdex::stats::ngrams::MIN_CHARS,
          value_parser = usize_in(2..=8))]
    pub min_len: usize,
    /// Longest phrase, in characters (2-8).
    #[arg(long, value_name = "N", default_value_t = speechdex::stats::ngrams::MAX_CHARS,
          value_parser = usize_in(2..=8))]
    pub max_len: usize,
    /// Fewest occurrences of a phrase in the set (1-1000000).
    #[arg(long, value_name = "N", default_value_t = speechdex::stats::ngrams::DEFAULT_MIN_COUNT,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub min_count: u64,
    /// Phrases to list (1-10000).
    #[arg(long, short = 'n', default_value_t = speechdex::stats::ngrams::DEFAULT_LIMIT,
          value_parser = usize_in(1..=MAX_TOP_LIMIT))]
    pub limit: usize,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex collocates`.
#[derive(Debug, Args)]
pub struct CollocatesArgs {
    /// The term (an exact phrase).
    #[arg(value_name = "TERM")]
    pub term: String,
    /// Words on each side of an occurrence (1-50).
    #[arg(long, value_name = "N", default_value_t = speechdex::stats::collocates::DEFAULT_WINDOW,
          value_parser = usize_in(1..=speechdex::stats::collocates::MAX_WINDOW as u64))]
    pub window: usize,
    /// Fewest occurrences of a word in the windows (1-1000000).
    #[arg(long, value_name = "N",
          default_value_t = speechdex::stats::collocates::DEFAULT_MIN_COUNT,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub min_count: u64,
    /// Collocates to list (1-10000).
    #[arg(long, short = 'n', default_value_t = speechdex::stats::collocates::DEFAULT_LIMIT,
          value_parser = usize_in(1..=MAX_TOP_LIMIT))]
    pub limit: usize,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `speechdex serve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    speechdex serve\n  \
    speechdex serve --index /data/index --addr 0.0.0.0:8080\n  \
    speechdex serve --addr 127.0.0.1:0      any free port (printed)")]
pub struct ServeArgs {
    /// Address and port to listen on (port 0–65535; 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT", value_parser = host_port)]
    pub addr: String,
    /// Seconds a request may take before it is answered 503 (1–3600).
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Most requests computed at once (searches, trends, …; 1–1024); further requests wait
    /// their turn, first come first served [default: the number of CPU cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,
    /// Memory for caches, in MB: half for exact phrase counts (a term searched again, alone,
    /// in another query, a trend or a comparison, is not counted again until the index
    /// changes), half for the decoded speeches of result pages. 0 turns both off (0–65536).
    #[arg(long, default_value_t = 64, value_name = "MB",
          value_parser = clap::value_parser!(u64).range(0..=65_536))]
    pub cache_mb: u64,
    /// Most connections open at once; further clients wait until one closes. A connection that
    /// sends no complete request for 10 s (idle, or stalled half-way) is closed.
    #[arg(long, default_value_t = 256, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_connections: u64,
}

/// `FIELD=KEY` for `index --map`.
fn parse_map(text: &str) -> Result<(Field, String), String> {
    FieldMap::parse_assignment(text)
}

/// `N` or `N-M` (1-based, N ≤ M) for `show --paragraph`.
fn parse_paragraphs(text: &str) -> Result<(usize, usize), String> {
    let number = |t: &str| -> Result<usize, String> {
        match t.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("{t:?} is not a paragraph number (1, 2, …)")),
        }
    };
    let (from, to) = match text.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(text)?, number(text)?),
    };
    if from > to {
        return Err(format!("{from}-{to}: the first paragraph comes after the last"));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    fn parses(args: &[&str]) -> bool {
        Cli::try_parse_from([&["speechdex"], args].concat()).is_ok()
    }

    /// Each numeric option takes the ends of its range and refuses the values just outside,
    /// and huge ones.
    #[test]
    fn numbers_are_checked_against_their_ranges() {
        let cases: [(&[&str], &str, &str, &str); 14] = [
            (&["search", "q"], "--limit", "1", "1000000000"),
            (&["search", "q"], "--offset", "0", "10000"),
            (&["search", "q"], "--snippets", "0", "10"),
            (&["search", "q"], "--year", "1000", "9999"),
            (&["search", "q"], "--from", "1000", "9999"),
            (&["trend", "t"], "--to", "1000", "9999"),
            (&["kwic", "t"], "--width", "1", "200"),
            (&["kwic", "t"], "--limit", "1", "1000"),
            (&["compare", "a", "b"], "--limit", "1", "200"),
            (&["top"], "--limit", "1", "10000"),
            (&["index"], "--threads", "1", "8"),
            (&["index"], "--max-speech-mb", "1", "1024"),
            (&["serve"], "--jobs", "1", "1024"),
            (&["serve"], "--cache-mb", "0", "65536"),
        ];
        for (cmd, flag, lo, hi) in cases {
            let with = |v: &str| parses(&[cmd, &[flag, v]].concat());
            assert!(with(lo) && with(hi), "{cmd:?} {flag} {lo} and {hi}");
            let below = lo.parse::<i64>().unwrap() - 1;
            let above = hi.parse::<i64>().unwrap() + 1;
            for bad in [below.to_string(), above.to_string(), "18446744073709551000".into()] {
                assert!(!with(&bad), "{cmd:?} {flag} {bad} was accepted");
            }
        }
        assert!(parses(&["serve", "--timeout", "3600"]) && !parses(&["serve", "--timeout", "0"]));
    }

    /// `verify`: its numeric options are checked against their ranges, stated in its help.
    #[test]
    fn verify_options_have_ranges() {
        for (flag, lo, hi) in [
            ("--limit", 1, MAX_VERIFY_LIMIT),
            ("--max-exact", 1, MAX_VERIFY_EXACT),
            ("--context", 0, MAX_VERIFY_CONTEXT),
            ("--max-distance", 0, MAX_VERIFY_DISTANCE),
        ] {
            let with = |v: u64| parses(&["verify", "q", flag, &v.to_string()]);
            assert!(with(lo) && with(hi), "verify {flag} {lo} and {hi}");
            assert!(!with(hi + 1) && (lo == 0 || !with(lo - 1)), "verify {flag}");
        }
        assert!(!parses(&["verify"]), "a quote is required");
        let mut cli = Cli::command();
        let help = cli.find_subcommand_mut("verify").unwrap().render_long_help().to_string();
        for range in ["1–100", "1–100000", "0–200", "0–100"] {
            assert!(help.contains(range), "verify --help lacks {range}");
        }
    }

    #[test]
    fn addresses_need_a_port_in_range() {
        for ok in ["127.0.0.1:0", "localhost:65535", "[::1]:8080", "0.0.0.0:8080"] {
            assert!(parses(&["serve", "--addr", ok]), "{ok}");
        }
        for bad in ["127.0.0.1:65536", "127.0.0.1", ":8080", "127.0.0.1:-1", "127.0.0.1:http"] {
            assert!(!parses(&["serve", "--addr", bad]), "{bad}");
        }
    }

    /// The help states the ranges that the parsers check.
    #[test]
    fn help_states_the_ranges() {
        let mut cli = Cli::command();
        let help = |cli: &mut clap::Command, sub: &str| {
            cli.find_subcommand_mut(sub).unwrap().render_long_help().to_string().replace('\n', " ")
        };
        let search = help(&mut cli, "search");
        for range in [
            format!("1–{MAX_SEARCH_LIMIT}"),
            format!("0–{MAX_OFFSET}"),
            format!("0–{MAX_SNIPPETS}"),
            format!("{}–{}", YEARS.start(), YEARS.end()),
        ] {
            assert!(search.contains(&range), "search --help lacks {range}");
        }
        let kwic = help(&mut cli, "kwic");
        assert!(kwic.contains(&format!("1–{MAX_KWIC_WIDTH}")));
        assert!(kwic.contains(&format!("1–{MAX_KWIC_LINES}")));
        assert!(help(&mut cli, "compare").contains(&format!("1–{MAX_COMPARE_LIMIT}")));
        assert!(help(&mut cli, "top").contains(&format!("1–{MAX_TOP_LIMIT}")));
        assert!(help(&mut cli, "index").contains(&format!("1–{MAX_THREADS}")));
    }
}
