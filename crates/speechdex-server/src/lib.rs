//! The search server behind `speechdex serve`: a JSON API and a web page, over an index that
//! may be rebuilt while the server runs.
//!
//! Everything is `GET`; every answer is JSON except the page and its two assets. The JSON of
//! each endpoint is the same as the `--json` output of the matching command.
//!
//! # Endpoints (the API contract)
//!
//! | Endpoint | Parameters | Answer |
//! |---|---|---|
//! | `GET /` | — | the web page (HTML, embedded in the binary; its assets are `/assets/page.css` and `/assets/page.js`) |
//! | `GET /healthz` | — | `{status: "ok", generation, docs}`: the index generation served and its speeches |
//! | `GET /api/search` | `q`, `limit`, `offset`, `sort`, `snippets`, `width`, `format`, `within`, `boilerplate`, filters | [`speechdex::search::SearchResults`], as `search --json`; with `format=csv`, the same page as CSV with a BOM, as `search --csv --bom` (a download, `search.csv`) |
//! | `GET /api/docs/{id}` | `q` | the speech (metadata and `body`) and `highlights`, as `show --json` |
//! | `GET /api/stats` | — | [`speechdex::stats::Overview`], as `stats --json`, plus `cache` ([`speechdex::index::cache::CachesStats`]) |
//! | `GET /api/trend` | `terms`, `by`, `metric`, `limit`, `where`, `within`, `boilerplate`, filters | [`speechdex::stats::trend::Trend`], as `trend --json` |
//! | `GET /api/kwic` | `term`, `width`, `limit`, `sort`, `where`, `within`, `also`, `boilerplate`, filters | [`speechdex::stats::kwic::Kwic`], as `kwic --json` |
//! | `GET /api/compare` | `a` or `a_id`, `b` or `b_id`, `terms`, `limit` | [`speechdex::stats::compare::Comparison`], as `compare --json` |
//! | `GET /api/diff` | `a` or `qa`, `b` or `qb`, `min_similarity`, `limit`, `phrases`, `format` | [`speechdex::stats::diff::SpeechDiff`], as `diff --json`; with `format=csv`, the rows of `diff --csv --bom` (a download, `diff.csv`) |
//! | `GET /api/verify` | `q`, `limit`, `max_exact`, `context`, `max_distance` | [`speechdex::search::verify::VerifyResult`], as `verify --json` (also when nothing is found: `exact` and `near` empty) |
//!
//! ## Parameters
//!
//! * `q` (search): a query in the syntax of `speechdex search` (see [`speechdex::search::query`]),
//!   at most [`MAX_QUERY_CHARS`] characters. Missing or blank: every speech that the filters
//!   let through, newest first. (docs) the query whose phrases are highlighted; optional.
//! * `limit` (search): results per page, 1–[`MAX_LIMIT`], default 10. `offset`: results to skip,
//!   0–[`MAX_OFFSET`], default 0. `sort`: `relevance` (default), `date` (newest first) or `hits`.
//!   `snippets`: snippets per result, 0–10, default 2. `width`: snippet width in characters,
//!   20–400, default 80.
//! * Filters (search, trend, kwic): `year` (one year), `from` and `to` (a range of years, bounds
//!   included; 4-digit years, `from` ≤ `to`), and `region`, `speaker`, `kind` (the field
//!   contains this text). Empty values are ignored.
//! * `where` (trend, kwic): only the speeches matching this query (search syntax), combined with
//!   the filters.
//! * `id` (docs): the speech id as `search` shows it, percent-encoded or not (ids contain `/` and
//!   `:`, both allowed: `/api/docs/reports/a.jsonl:4`).
//! * `terms` (trend, compare): terms separated by `,` (or the Chinese `，` or `、`), each an exact
//!   phrase; trend takes 1–[`MAX_TERMS`] terms, compare 0–[`MAX_TERMS`]. `by`: `year` (default),
//!   `speaker`, `region`, `kind` or `speech`. `metric`: `rate` (per 10,000 characters, default),
//!   `count` or `docs`. `limit` (trend): groups listed, 1–[`MAX_TREND_GROUPS`], default
//!   [`DEFAULT_GROUP_LIMIT`](speechdex::stats::trend::DEFAULT_GROUP_LIMIT) (1,000): with more
//!   speakers, regions, kinds or speeches, those with the most occurrences of the terms together
//!   are kept (still in natural order), `total_groups` counts them all and `truncated` is `true`;
//!   years are never cut. Totals, peaks and first and last appearances cover every group.
//! * `term` (kwic): one exact phrase, required. `width`: characters of context on each side,
//!   1–200, default 30. `limit`: lines, 1–[`MAX_KWIC_LINES`], default 100 (`total` still counts
//!   every occurrence). `sort`: `date` (default), `left` or `right`.
//! * `a`, `b` (compare): queries selecting the two sets; or `a_id`, `b_id`: two speech ids (each
//!   side takes one of the two). `limit`: words per list, 1–200, default 20.
//! * `a`, `b` (diff): the old and the new speech, by id; or `qa`, `qb`: queries selecting two
//!   sets, each read as one text (each side takes one of the two; a query that selects no
//!   speech is a 400). The two sides hold at most [`MAX_DIFF_CHARS`] characters together
//!   (413 beyond). `min_similarity`: 0–2, default 0.5 (above 1: no changed pairs).
//!   `limit`: entries per list (sentences and phrases), 1–[`MAX_DIFF_LIST`]; without it, at
//!   most [`MAX_DIFF_LIST`] sentences per list and 25 phrases (`totals` counts them all).
//!   `phrases`: phrases per list, 1–[`MAX_DIFF_LIST`], instead of `limit` (the web page asks for
//!   every sentence and a few phrases, and for every phrase only when they are shown).
//! * `q` (verify): the quotation, required (whitespace and line breaks are ignored).
//!   `limit`: near matches, 1–100, default 5. `max_exact`: exact matches listed,
//!   1–[`MAX_VERIFY_EXACT`], default 100 (`exact_total` counts all). `context`: characters on
//!   each side of a passage, 0–200, default 20. `max_distance`: most edits of a near match,
//!   0–100, default a fifth of the quote's characters.
//!
//! Text parameters are at most [`MAX_QUERY_CHARS`] characters. A parameter given twice, or one
//! that the endpoint does not know, is an error (a typo should not silently widen a search).
//!
//! ## Errors
//!
//! Errors are JSON `{error, parameter?, position?}`: `error` is a message for people,
//! `parameter` the offending parameter and `position` the 0-based character position in it of
//! a query syntax error.
//!
//! | Status | When |
//! |---|---|
//! | 400 | a query that does not parse (with `position`), a bad or unknown parameter |
//! | 404 | an unknown speech id, an unknown path |
//! | 405 | a method other than `GET`/`HEAD` |
//! | 413 | a request body over [`MAX_BODY_BYTES`] (no endpoint takes a body); a diff whose sides hold more than [`MAX_DIFF_CHARS`] characters (with `parameter`) |
//! | 414 | a URI over [`MAX_URI_BYTES`] bytes, or a text parameter over [`MAX_QUERY_CHARS`] characters |
//! | 421 | served on a loopback address, a request whose `Host` is not `localhost`, `127.0.0.1` (or another 127.x address) or `[::1]`, with or without a port, or that has no `Host` |
//! | 431 | a request head (request line and headers) over [`MAX_HEAD_BYTES`]: answered by hyper, without a JSON body |
//! | 503 | the request took longer than the timeout; the server is shutting down; or the answer does not fit in what is left of [`ServerOptions::answer_bytes`] (clients not reading their answers): retry later |
//! | 500 | the index could not be read (never caused by what a client sends) |
//!
//! A connection that does not complete its request head in time is closed without an answer
//! (see the limits below).
//!
//! # Limits
//!
//! What one client, or many, can make the server do is bounded; `speechdex serve` uses these
//! defaults ([`ServerOptions`]; `serve --timeout`, `--jobs`, `--max-connections` and
//! `--cache-mb` change some):
//!
//! | Limit | Default | Beyond it |
//! |---|---|---|
//! | connections open at once ([`ServerOptions::max_connections`]) | 256 | further clients wait in the kernel's listen queue (no file descriptor) until one closes |
//! | time to send a complete request head, from the accept or the previous answer ([`ServerOptions::header_timeout`]): also the idle keep-alive timeout | 10 s | the connection is closed |
//! | time an answer being written may make no progress ([`ServerOptions::write_timeout`]) | 30 s | the connection is closed |
//! | request head ([`MAX_HEAD_BYTES`]) | 64 KiB | 431 |
//! | URI ([`MAX_URI_BYTES`]), text parameter ([`MAX_QUERY_CHARS`]), body ([`MAX_BODY_BYTES`]) | 16 KiB, 1,000 characters, 16 KiB | 414, 414, 413 |
//! | requests computed at once ([`ServerOptions::max_jobs`]) | one per CPU core | they wait their turn |
//! | time per request, waiting included ([`ServerOptions::timeout`]) | 30 s | 503 |
//! | search results per page ([`MAX_LIMIT`]), offset ([`MAX_OFFSET`]), snippets, snippet width | 100, 10,000, 10, 400 | 400 |
//! | concordance lines ([`MAX_KWIC_LINES`]), context width | 1,000, 200 characters | 400 |
//! | trend groups ([`MAX_TREND_GROUPS`]; default 1,000), terms ([`MAX_TERMS`]) | 5,000, 10 | 400 |
//! | characters of the two sides of a diff ([`MAX_DIFF_CHARS`]), entries per diff list ([`MAX_DIFF_LIST`]) | 1,000,000, 2,000 | 413, 400 |
//! | characters of all diffs computed at once ([`MAX_DIFF_CHARS`]) | 1,000,000 | they wait their turn |
//! | exact matches a verification lists ([`MAX_VERIFY_EXACT`]), quote | 1,000, 1,000 characters | 400, 414 |
//! | bytes of JSON answers computed and not yet handed to the socket ([`ServerOptions::answer_bytes`]) | 32 MiB | 503 |
//! | caches (phrase counts, speeches of result pages) | 64 MB | least recently used entries dropped |
//! | on shutdown (SIGTERM, Ctrl-C): time for requests in progress to finish ([`ServerOptions::shutdown_grace`]) | 5 s | closed; idle and stalled connections are closed within [`LINGER`] (0.5 s) |
//!
//! Memory does not grow with the number of occurrences of a term or of speeches listed:
//! concordances sorted by context and trends by speech keep only the lines and rows they show
//! (bounded heaps), and every answer is within the limits above. On the shared sample corpus
//! (4.4 MB, 94 speeches) the server stays under 256 MB whatever the requests: about 10 MB at
//! rest, under 60 MB for the largest concordances, trends and searches, about 170 MB with
//! comparisons of the whole corpus running (jieba's dictionary, about 40 MB, and 40 MB per
//! comparison). A diff reads both its sides whole, about 100 bytes per character: diffs in
//! progress share a budget of [`MAX_DIFF_CHARS`] characters, and one that does not fit waits
//! its turn (without holding a job; the request timeout counts), so that memory does not grow
//! with the number of cores. A diff of 888,000 characters (2026's provincial reports against
//! 1954–1990's national ones) takes 4–6 s on 2 cores; the whole server peaked at 138 MB for
//! one, and at 194 MB for two sent together (the second waited; 234 MB when both ran at
//! once, without the budget). docs/reliability.md ("Server limits") has the figures and
//! `scripts/server-limits.sh` the hostile sequence.
//!
//! # Live rebuilds
//!
//! The server holds the open index in a [`LiveIndex`]: an `RwLock<Arc<SpeechIndex>>` swapped by a
//! background task that looks at the index folder every [`ServerOptions::poll`] (1 s): when
//! `CURRENT` names another generation (a full rebuild finished), it opens that generation and
//! swaps it in; otherwise, when the generation's `meta.json` shows a new commit (an incremental
//! build), it reloads the reader, and else leaves it alone (keeping its doc-store caches). A
//! request takes the `Arc` once and keeps it, so it is answered entirely from one generation;
//! when opening fails (for example a build is half-way), the old index keeps being served and the
//! next tick tries again. The server only reads the index.
//!
//! # Safety
//!
//! No part of a request names a file: the page and its assets are compiled in, and ids are
//! looked up in the index. Bound to a loopback address (the default, 127.0.0.1), the server
//! answers only requests naming a loopback host, so that a web page of another site whose name
//! is made to resolve to 127.0.0.1 (DNS rebinding) cannot read the API through a visitor's
//! browser; bound to any other address it answers every `Host` (it is then reachable from other
//! machines anyway, and has no authentication). Searches run on tokio's blocking pool, at most
//! [`ServerOptions::max_jobs`] at a time (by default one per CPU core; `serve --jobs`), each
//! under the request timeout; the others wait their turn in arrival order, and a request whose
//! wait and work exceed the timeout is answered 503.
//!
//! # Performance
//!
//! A search costs CPU time, not I/O (the index is memory-mapped). Without caches, at 500 MB it
//! takes about 3 ms of CPU, most of it matching and counting every occurrence for
//! `total_docs` and `total_hits`, then reading the page's stored speeches. `speechdex serve`
//! opens the index with two caches ([`speechdex::index::CacheOptions`], `serve --cache-mb`, 64 MB by
//! default, half each): exact phrase counts per segment and the decoded speeches of result
//! pages ([`speechdex::index::cache`]); both are keyed by immutable segments, so they never serve
//! stale answers and need no invalidation when a build lands. A query whose phrases were seen
//! before (alone or in another query, a trend or a comparison) then costs well under 1 ms.
//! Each query matches its segments on one thread: the server already runs one query per core.
//! With more clients than cores, answers queue: at `C` clients latency is about `C` divided
//! by the throughput. `docs/benchmarks.md` (section "Server") has the figures and
//! `scripts/bench-server.sh` measures them; `/api/stats` reports the caches' size, hits and
//! misses under `cache`. The jieba dictionary is not loaded at start-up; `/api/compare` and
//! `/api/diff`, the only endpoints that need it, load it on first use (0.1–0.4 s).

mod api;
mod conn;
mod live;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use api::ApiError;
pub use conn::{LINGER, MAX_HEAD_BYTES};
pub use live::{LiveIndex, Refresh};

use speechdex::Result;

/// Longest accepted request URI (path and query string), in bytes.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Largest accepted request body, in bytes.
pub const MAX_BODY_BYTES: u64 = 16 * 1024;
/// Longest accepted text parameter (a query, a term list), in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most search results per page.
pub const MAX_LIMIT: usize = 100;
/// Largest search offset.
pub const MAX_OFFSET: usize = 10_000;
/// Most terms in a trend or a comparison.
pub const MAX_TERMS: usize = 10;
/// Most concordance lines per request.
pub const MAX_KWIC_LINES: usize = 1000;
/// Most groups (speakers, regions, kinds, speeches) in a trend.
pub const MAX_TREND_GROUPS: usize = 5000;
/// Most characters the two sides of a diff hold together: a diff reads both sides whole and
/// needs about 100 bytes of memory per character (1,000,000: about 100 MB, 3 s).
pub const MAX_DIFF_CHARS: u64 = 1_000_000;
/// Most entries per list of a diff (sentences added, removed, changed; phrases); also how many
/// sentences each list has without `limit`.
pub const MAX_DIFF_LIST: usize = 2000;
/// Most exact matches a verification lists (all are counted).
pub const MAX_VERIFY_EXACT: usize = 1000;

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");

/// A callback for the server's messages (index swaps, internal errors).
pub type Logger = Arc<dyn Fn(&str) + Send + Sync>;

/// How the server behaves.
#[derive(Clone)]
pub struct ServerOptions {
    /// Longest time a request may take before it is answered 503.
    pub timeout: Duration,
    /// How often the index folder is checked for a new generation or new commits.
    pub poll: Duration,
    /// Most searches (blocking jobs) running at once; further requests wait their turn, first
    /// come first served. Default: the number of CPU cores, so that a burst of requests queues
    /// instead of time-slicing the cores (which only makes every request slower).
    pub max_jobs: usize,
    /// Most connections open at once (default 256); further clients wait in the listen queue
    /// until one closes. Each connection is a file descriptor and up to about 200 KiB of
    /// buffers.
    pub max_connections: usize,
    /// Longest time a connection may take to send a complete request head, counted from its
    /// accept or from its previous answer: also how long an idle keep-alive connection stays
    /// open (default 10 s).
    pub header_timeout: Duration,
    /// Longest time the writing of an answer may make no progress (a client that does not read)
    /// before the connection is closed (default 30 s).
    pub write_timeout: Duration,
    /// On shutdown, how long requests in progress may take to finish (default 5 s); idle and
    /// stalled connections are closed at once.
    pub shutdown_grace: Duration,
    /// Most bytes of JSON answers held at once, from the moment they are computed until they
    /// are handed to the socket (default 32 MiB): what clients that read slowly, or not at all,
    /// can make the server hold. An answer that does not fit is answered 503 instead.
    pub answer_bytes: usize,
    /// Where messages go (nowhere by default).
    pub log: Logger,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            timeout: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            max_jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
            answer_bytes: 32 << 20,
            log: Arc::new(|_| {}),
        }
    }
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("timeout", &self.timeout)
            .field("poll", &self.poll)
            .field("max_jobs", &self.max_jobs)
            .field("max_connections", &self.max_connections)
            .field("header_timeout", &self.header_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("answer_bytes", &self.answer_bytes)
            .finish_non_exhaustive()
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) live: Arc<LiveIndex>,
    pub(crate) jobs: Arc<Semaphore>,
    /// Bytes of JSON answers held (see [`ServerOptions::answer_bytes`]).
    pub(crate) answers: Arc<Semaphore>,
    /// Characters of the diffs being computed ([`MAX_DIFF_CHARS`] permits): diffs wait their
    /// turn when together they would read more, whatever the number of jobs.
    pub(crate) diff_chars: Arc<Semaphore>,
    pub(crate) log: Logger,
}

/// The router with every endpoint and the limits, over `live`, for a server bound to `bound`:
/// when that is a loopback address, only requests naming a loopback host are answered.
pub fn router(live: Arc<LiveIndex>, opts: &ServerOptions, bound: SocketAddr) -> Router {
    let answer_bytes = opts.answer_bytes.clamp(1, Semaphore::MAX_PERMITS);
    let state = AppState {
        live,
        jobs: Arc::new(Semaphore::new(opts.max_jobs.max(1))),
        answers: Arc::new(Semaphore::new(answer_bytes)),
        diff_chars: Arc::new(Semaphore::new(MAX_DIFF_CHARS as usize)),
        log: opts.log.clone(),
    };
    let timeout = opts.timeout;
    let check_host = bound.ip().is_loopback();
    Router::new()
        .route("/", get(page))
        .route("/index.html", get(page))
        .route("/assets/page.css", get(css))
        .route("/assets/page.js", get(js))
        .route("/healthz", get(api::healthz))
        .route("/api/search", get(api::search))
        .route("/api/docs/{*id}", get(api::doc))
        .route("/api/stats", get(api::stats))
        .route("/api/trend", get(api::trend))
        .route("/api/kwic", get(api::kwic))
        .route("/api/compare", get(api::compare))
        .route("/api/diff", get(api::diff))
        .route("/api/verify", get(api::verify))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(middleware::from_fn(move |req, next| guard(req, next, timeout, check_host)))
}

/// Serves `live` on `listener` until `shutdown` completes, refreshing the index in the
/// background; then stops accepting, lets requests in progress finish (at most
/// [`ServerOptions::shutdown_grace`]) and closes the other connections at once.
pub async fn serve(
    listener: TcpListener,
    live: Arc<LiveIndex>,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let addr = listener
        .local_addr()
        .map_err(|e| speechdex::Error::io("reading the address of", "the listener", e))?;
    let app = router(live.clone(), &opts, addr);
    let watcher = tokio::spawn(watch(live, opts.poll, opts.log.clone()));
    conn::run(listener, app, &opts, shutdown).await;
    watcher.abort();
    Ok(())
}

/// Every `poll`, swaps in a new generation or picks up new commits.
async fn watch(live: Arc<LiveIndex>, poll: Duration, log: Logger) {
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error: Option<String> = None;
    loop {
        tick.tick().await;
        let l = live.clone();
        let outcome = tokio::task::spawn_blocking(move || l.refresh()).await;
        match outcome {
            Ok(Ok(Refresh::Swapped { generation, docs })) => {
                last_error = None;
                log(&format!("serving index generation {generation} ({docs} speeches)"));
            }
            Ok(Ok(_)) => last_error = None,
            Ok(Err(e)) => {
                let msg = e.to_string();
                if last_error.as_deref() != Some(msg.as_str()) {
                    log(&format!("keeping the current index: {msg}"));
                }
                last_error = Some(msg);
            }
            Err(e) => log(&format!("index refresh failed: {e}")),
        }
    }
}

/// Limits applied to every request: host (with `check_host`), method, URI length, body size,
/// timeout; and headers that keep answers from being sniffed, framed or cached.
async fn guard(req: Request, next: Next, timeout: Duration, check_host: bool) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz";
    let mut response = if check_host && let Some(host) = foreign_host(&req) {
        ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this server answers only to localhost, 127.0.0.1 and [::1], not to the host \
                 {host:?}: open it as http://127.0.0.1:PORT/"
            ),
        )
        .into_response()
    } else if req.uri().to_string().len() > MAX_URI_BYTES {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the request URI is longer than {MAX_URI_BYTES} bytes: shorten the query"),
        )
        .into_response()
    } else if body_too_large(&req) {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request bodies are limited to {MAX_BODY_BYTES} bytes (no endpoint takes one)"),
        )
        .into_response()
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
        method_not_allowed().await.into_response()
    } else {
        match tokio::time::timeout(timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the request took longer than {} s: narrow the query or try again",
                    timeout.as_secs_f64()
                ),
            )
            .into_response(),
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The host a request names (its `Host` header, and the authority of an absolute URI) when it is
/// not a loopback name (`localhost`, `127.0.0.1` or another 127.x address, `[::1]`, with or
/// without a port); `Some("")` when it names none. A page served from another name that
/// resolves to 127.0.0.1 (DNS rebinding) is refused this way.
fn foreign_host(req: &Request) -> Option<String> {
    let header = req.headers().get(header::HOST).map(|v| String::from_utf8_lossy(v.as_bytes()));
    let authority = req.uri().authority().map(|a| a.as_str().into());
    let named: Vec<std::borrow::Cow<'_, str>> = header.into_iter().chain(authority).collect();
    if named.is_empty() {
        return Some(String::new());
    }
    named.into_iter().find(|h| !is_loopback_host(h)).map(|h| h.into_owned())
}

/// Whether `host` (`name`, `name:port`, `[v6]` or `[v6]:port`) is a loopback name or address.
fn is_loopback_host(host: &str) -> bool {
    // The name and what follows it: nothing or `:port`.
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, port)) => (v6, port),
            None => return false,
        },
        None => host.split_at(host.rfind(':').unwrap_or(host.len())),
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
        });
    let name_ok = if host.starts_with('[') {
        name.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
    } else {
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| IpAddr::V4(ip).is_loopback())
    };
    port_ok && name_ok
}

fn body_too_large(req: &Request) -> bool {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>().map_or(true, |n| n > MAX_BODY_BYTES));
    declared.unwrap_or(false)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
             connect-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    r
}

async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE_HTML)
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", PAGE_CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", PAGE_JS)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such endpoint: {} (the API is listed at /, see /api/…)", req.uri().path()),
    )
}

async fn method_not_allowed() -> Response {
    let mut r =
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "only GET is supported").into_response();
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_with_or_without_a_port() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.1.2.3:65535",
            "[::1]",
            "[::1]:8080",
            "[0:0:0:0:0:0:0:1]:1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost:",
            "localhost:http",
            "localhost:123456",
            "10.0.0.1",
            "::1",
            "[::1",
            "[::2]:80",
            "[::1]8080",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
