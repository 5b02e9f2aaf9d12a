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
//! | `GET /api/search` | `q`, `limit`, `offset`, `sort`, `snippets`, `width`, filters | [`crate::search::SearchResults`], as `search --json` |
//! | `GET /api/docs/{id}` | `q` | the speech (metadata and `body`) and `highlights`, as `show --json` |
//! | `GET /api/stats` | — | [`crate::stats::Overview`], as `stats --json`, plus `cache` ([`crate::search::cache::CachesStats`]) |
//! | `GET /api/trend` | `terms`, `by`, `metric`, `limit`, `where`, filters | [`crate::stats::trend::Trend`], as `trend --json` |
//! | `GET /api/kwic` | `term`, `width`, `limit`, `sort`, `where`, filters | [`crate::stats::concordance::Concordance`], as `kwic --json` |
//! | `GET /api/compare` | `a` or `a_id`, `b` or `b_id`, `terms`, `limit` | [`crate::stats::compare::Comparison`], as `compare --json` |
//!
//! ## Parameters
//!
//! * `q` (search): a query in the syntax of `speechdex search` (see [`crate::search::query`]),
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
//!   [`DEFAULT_GROUP_LIMIT`](crate::stats::trend::DEFAULT_GROUP_LIMIT) (1,000): with more
//!   speakers, regions, kinds or speeches, those with the most occurrences of the terms together
//!   are kept (still in natural order), `total_groups` counts them all and `truncated` is `true`;
//!   years are never cut. Totals, peaks and first and last appearances cover every group.
//! * `term` (kwic): one exact phrase, required. `width`: characters of context on each side,
//!   1–200, default 30. `limit`: lines, 1–[`MAX_KWIC_LINES`], default 100 (`total` still counts
//!   every occurrence). `sort`: `date` (default), `left` or `right`.
//! * `a`, `b` (compare): queries selecting the two sets; or `a_id`, `b_id`: two speech ids (each
//!   side takes one of the two). `limit`: words per list, 1–200, default 20.
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
//! | 413 | a request body over [`MAX_BODY_BYTES`] (no endpoint takes a body) |
//! | 414 | a URI over [`MAX_URI_BYTES`] bytes, or a text parameter over [`MAX_QUERY_CHARS`] characters (hyper itself answers 414 past 64 KiB and 431 when the headers pass about 400 KiB, without a JSON body) |
//! | 503 | the request took longer than the timeout, or the server is busy (retry later) |
//! | 500 | the index could not be read (never caused by what a client sends) |
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
//! looked up in the index. Searches run on tokio's blocking pool, at most
//! [`ServerOptions::max_jobs`] at a time (by default one per CPU core; `serve --jobs`), each
//! under the request timeout; the others wait their turn in arrival order, and a request whose
//! wait and work exceed the timeout is answered 503.
//!
//! # Performance
//!
//! A search costs CPU time, not I/O (the index is memory-mapped). Without caches, at 500 MB it
//! takes about 3 ms of CPU, most of it matching and counting every occurrence for
//! `total_docs` and `total_hits`, then reading the page's stored speeches. `speechdex serve`
//! opens the index with two caches ([`crate::index::CacheOptions`], `serve --cache-mb`, 64 MB by
//! default, half each): exact phrase counts per segment and the decoded speeches of result
//! pages ([`crate::search::cache`]); both are keyed by immutable segments, so they never serve
//! stale answers and need no invalidation when a build lands. A query whose phrases were seen
//! before (alone or in another query, a trend or a comparison) then costs well under 1 ms.
//! Each query matches its segments on one thread: the server already runs one query per core.
//! With more clients than cores, answers queue: at `C` clients latency is about `C` divided
//! by the throughput. `docs/benchmarks.md` (section "Server") has the figures and
//! `scripts/bench-server.sh` measures them; `/api/stats` reports the caches' size, hits and
//! misses under `cache`. The jieba dictionary is not loaded at start-up; `/api/compare`, the
//! only endpoint that needs it, loads it on first use (0.1–0.4 s).

mod api;
mod live;

use std::future::Future;
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
pub use live::{LiveIndex, Refresh};

use crate::Result;

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
    /// Where messages go (nowhere by default).
    pub log: Logger,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            timeout: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            max_jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
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
            .finish_non_exhaustive()
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) live: Arc<LiveIndex>,
    pub(crate) jobs: Arc<Semaphore>,
    pub(crate) log: Logger,
}

/// The router with every endpoint and the limits, over `live`.
pub fn router(live: Arc<LiveIndex>, opts: &ServerOptions) -> Router {
    let state = AppState {
        live,
        jobs: Arc::new(Semaphore::new(opts.max_jobs.max(1))),
        log: opts.log.clone(),
    };
    let timeout = opts.timeout;
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
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(middleware::from_fn(move |req, next| guard(req, next, timeout)))
}

/// Serves `live` on `listener` until `shutdown` completes, refreshing the index in the
/// background.
pub async fn serve(
    listener: TcpListener,
    live: Arc<LiveIndex>,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let app = router(live.clone(), &opts);
    let watcher = tokio::spawn(watch(live, opts.poll, opts.log.clone()));
    let addr = listener.local_addr().ok();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    watcher.abort();
    result.map_err(|e| {
        crate::Error::io(
            "serving on",
            addr.map(|a| a.to_string()).unwrap_or_else(|| "the listener".into()),
            e,
        )
    })
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

/// Limits applied to every request: method, URI length, body size, timeout; and headers that
/// keep answers from being sniffed, framed or cached.
async fn guard(req: Request, next: Next, timeout: Duration) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz";
    let mut response = if req.uri().to_string().len() > MAX_URI_BYTES {
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
