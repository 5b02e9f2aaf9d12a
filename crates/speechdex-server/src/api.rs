//! The JSON endpoints: parameter checking, one library call each on the blocking pool, errors.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::live::generation_name;
use super::{
    AppState, MAX_DIFF_CHARS, MAX_DIFF_LIST, MAX_KWIC_LINES, MAX_LIMIT, MAX_OFFSET,
    MAX_QUERY_CHARS, MAX_TERMS, MAX_TREND_GROUPS, MAX_VERIFY_EXACT,
};
use speechdex::Choice;
use speechdex::index::SpeechIndex;
use speechdex::index::columns::DocColumns;
use speechdex::search::matcher::MatchOptions;
use speechdex::search::show::{ShowRequest, show};
use speechdex::search::verify::{VerifyRequest, verify as verify_quote};
use speechdex::search::{Filters, Node, SearchRequest, SearchResults, SortOrder, query};
use speechdex::stats::compare::{CompareRequest, Side};
use speechdex::stats::diff::{DEFAULT_MIN_SIMILARITY, DiffOptions, DiffRequest, SpeechDiff};
use speechdex::stats::kwic::{KwicRequest, KwicSort};
use speechdex::stats::trend::{DEFAULT_GROUP_LIMIT, GroupBy, Metric, TrendRequest};

/// An error answer: `{error, parameter?, position?}` with an HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

#[derive(Debug, Clone, Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody { error: message.into(), parameter: None, position: None },
        }
    }

    fn bad(parameter: &str, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, message);
        e.body.parameter = Some(parameter.to_string());
        e
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// A library error, blamed on `parameter` when it is the client's fault.
    fn from_lib(err: speechdex::Error, parameter: Option<&str>) -> ApiError {
        let status = match &err {
            speechdex::Error::UnknownId(_) | speechdex::Error::FileNotSpeech { .. } => {
                StatusCode::NOT_FOUND
            }
            e if e.is_user_error() => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut e = ApiError::new(status, err.to_string());
        if let speechdex::Error::Query { position, message } = &err {
            e.body.position = Some(*position);
            e.body.error = format!("query error at character {position}: {message}");
        }
        if status == StatusCode::BAD_REQUEST {
            e.body.parameter = parameter.map(str::to_string);
        }
        e
    }
}

impl From<speechdex::Error> for ApiError {
    fn from(err: speechdex::Error) -> ApiError {
        ApiError::from_lib(err, None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

/// Runs `f` on the blocking pool against the index being served, at most `max_jobs` at a time,
/// and writes its answer as JSON there; the answer then holds its size in bytes of the budget
/// [`super::ServerOptions::answer_bytes`] until it has been handed to hyper (503 when the
/// budget is spent: clients that do not read their answers cannot make the server hold more).
async fn blocking<T, F>(state: &AppState, f: F) -> ApiResult
where
    T: Serialize + Send + 'static,
    F: FnOnce(&SpeechIndex) -> Result<T, ApiError> + Send + 'static,
{
    blocking_as(state, f, Answer::Json).await
}

/// How an answer of type `T` is written, and sent.
enum Answer<T> {
    /// JSON, as the commands' `--json`.
    Json,
    /// CSV with a BOM (Excel reads it as UTF-8), as the command's `--csv --bom`, written by
    /// `write` and offered as a download named `file`.
    Csv { file: &'static str, write: fn(&T) -> Result<Vec<u8>, ApiError> },
}

impl<T: Serialize> Answer<T> {
    /// The `format` parameter: `json` (default) or `csv` (written by `write`, a download named
    /// `file`).
    fn from_params(
        p: &Params,
        file: &'static str,
        write: fn(&T) -> Result<Vec<u8>, ApiError>,
    ) -> Result<Answer<T>, ApiError> {
        match p.text("format")?.as_deref() {
            None | Some("json") => Ok(Answer::Json),
            Some("csv") => Ok(Answer::Csv { file, write }),
            Some(other) => {
                Err(ApiError::bad("format", format!("format={other:?}: give json or csv")))
            }
        }
    }

    /// The bytes of the answer.
    fn bytes(&self, value: &T) -> Result<Vec<u8>, ApiError> {
        match self {
            Answer::Json => json_bytes(value),
            Answer::Csv { write, .. } => write(value),
        }
    }

    /// The response that sends `body` with this answer's headers.
    fn response(&self, body: CountedBody) -> Response {
        let mut response = Response::new(Body::new(body));
        let headers = response.headers_mut();
        match self {
            Answer::Json => {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Answer::Csv { file, .. } => {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                let disposition = format!("attachment; filename=\"{file}\"");
                if let Ok(value) = HeaderValue::from_str(&disposition) {
                    headers.insert(header::CONTENT_DISPOSITION, value);
                }
            }
        }
        response
    }
}

/// [`blocking`], with the answer written and sent as `answer` says.
async fn blocking_as<T, F>(state: &AppState, f: F, answer: Answer<T>) -> ApiResult
where
    T: Serialize + Send + 'static,
    F: FnOnce(&SpeechIndex) -> Result<T, ApiError> + Send + 'static,
{
    let permit = state.jobs.clone().acquire_owned().await.map_err(|_| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down")
    })?;
    let index = state.live.current();
    let answers = state.answers.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let value = f(&index)?;
        let bytes = answer.bytes(&value)?;
        drop(value);
        Ok::<_, ApiError>(answer.response(CountedBody::new(bytes, &answers)?))
    })
    .await;
    match outcome {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => {
            if e.status.is_server_error() {
                (state.log)(&format!("error: {}", e.body.error));
            }
            Err(e)
        }
        Err(join) => {
            (state.log)(&format!("error: a request's job failed: {join}"));
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
        }
    }
}

/// Runs `f` on the blocking pool against the index being served, as one of the `max_jobs`,
/// and returns its value (for work done before an answer's own job).
async fn on_index<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&SpeechIndex) -> Result<T, ApiError> + Send + 'static,
{
    let permit = state.jobs.clone().acquire_owned().await.map_err(|_| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down")
    })?;
    let index = state.live.current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&index)
    })
    .await
    .unwrap_or_else(|join| {
        (state.log)(&format!("error: a request's job failed: {join}"));
        Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
    })
}

/// An answer as JSON.
fn json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("writing JSON: {e}")))
}

/// Search results as CSV with a BOM, as `search --csv --bom` writes them.
fn search_csv(results: &SearchResults) -> Result<Vec<u8>, ApiError> {
    csv_bytes(|out| speechdex::output::csv::search_results(out, results, false))
}

/// A diff as CSV with a BOM, as `diff --csv --bom` writes it (one row per listed entry).
fn diff_csv(d: &SpeechDiff) -> Result<Vec<u8>, ApiError> {
    csv_bytes(|out| speechdex::output::csv::write_rows(out, speechdex::output::diff::diff_rows(d)))
}

/// A BOM and the CSV that `write` writes.
fn csv_bytes(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    speechdex::output::csv::start(&mut out, true).and_then(|()| write(&mut out)).map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("writing CSV: {e}"))
    })?;
    Ok(out)
}

/// Bytes of a JSON answer copied out to hyper at a time: what is not yet copied out stays
/// counted in the answer budget.
const CHUNK: usize = 16 * 1024;

/// A JSON answer holding its share of the answer budget until its last chunk has been handed
/// to hyper (or it is dropped).
struct CountedBody {
    bytes: Vec<u8>,
    sent: usize,
    _permit: Option<OwnedSemaphorePermit>,
}

impl CountedBody {
    /// Takes `bytes.len()` of `budget`, or fails with 503 when that much is not free.
    fn new(bytes: Vec<u8>, budget: &Arc<Semaphore>) -> Result<CountedBody, ApiError> {
        let need = u32::try_from(bytes.len().max(1)).unwrap_or(u32::MAX);
        let permit = budget.clone().try_acquire_many_owned(need).map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy sending large answers to slow clients: try again shortly",
            )
        })?;
        Ok(CountedBody { bytes, sent: 0, _permit: Some(permit) })
    }
}

impl HttpBody for CountedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.sent >= this.bytes.len() {
            return std::task::Poll::Ready(None);
        }
        let end = (this.sent + CHUNK).min(this.bytes.len());
        // A copy, so that hyper's queue never keeps the whole answer alive.
        let chunk = Bytes::copy_from_slice(&this.bytes[this.sent..end]);
        this.sent = end;
        if end == this.bytes.len() {
            this.bytes = Vec::new();
            this.sent = 0;
            this._permit = None;
        }
        std::task::Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.bytes.len()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact((self.bytes.len() - self.sent) as u64)
    }
}

/// The query-string parameters of one request, checked against the names an endpoint knows.
struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    fn new(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
        known: &[&str],
    ) -> Result<Params, ApiError> {
        let Query(pairs) = query.map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("bad query string: {}", e.body_text()))
        })?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                return Err(ApiError::bad(
                    name,
                    format!(
                        "unknown parameter {name:?}; this endpoint takes: {}",
                        known.join(", ")
                    ),
                ));
            }
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::bad(name, format!("parameter {name:?} is given twice")));
            }
        }
        Ok(Params { pairs })
    }

    /// The value of `name`, if given.
    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A text value, trimmed, `None` when missing or blank; at most [`MAX_QUERY_CHARS`].
    fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(v) = self.raw(name) else { return Ok(None) };
        if v.chars().nth(MAX_QUERY_CHARS).is_some() {
            let mut e = ApiError::new(
                StatusCode::URI_TOO_LONG,
                format!("{name} is longer than {MAX_QUERY_CHARS} characters: shorten it"),
            );
            e.body.parameter = Some(name.to_string());
            return Err(e);
        }
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    /// An integer in `min..=max`, `default` when missing or blank.
    fn int(&self, name: &str, min: usize, max: usize, default: usize) -> Result<usize, ApiError> {
        match self.raw(name).map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => {
                v.parse::<usize>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                    ApiError::bad(
                        name,
                        format!("{name}={v:?}: give a whole number from {min} to {max}"),
                    )
                })
            }
        }
    }

    /// An integer in `min..=max`, `None` when missing or blank.
    fn int_opt(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, ApiError> {
        match self.raw(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(_) => self.int(name, min, max, min).map(Some),
        }
    }

    /// A number in `min..=max`, `default` when missing or blank.
    fn float(&self, name: &str, min: f64, max: f64, default: f64) -> Result<f64, ApiError> {
        match self.raw(name).map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<f64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                ApiError::bad(name, format!("{name}={v:?}: give a number from {min} to {max}"))
            }),
        }
    }

    /// A 4-digit year, if given.
    fn year(&self, name: &str) -> Result<Option<i32>, ApiError> {
        match self.raw(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad(name, format!("{name}={v:?}: give a 4-digit year such as 2024"))
                }),
        }
    }

    /// One of the values of an option (by name, as on the command line), the default when
    /// missing or blank.
    fn choice<T: Choice>(&self, name: &str) -> Result<T, ApiError> {
        match self.raw(name).map(str::trim) {
            None | Some("") => Ok(T::ALL[0]),
            Some(v) => T::from_name(v).map_err(|e| ApiError::bad(name, format!("{name}={e}"))),
        }
    }

    /// `within=sentence|paragraph`, when given (scope of `search`, `trend`, `kwic`).
    fn within(&self) -> Result<Option<query::Scope>, ApiError> {
        match self.raw("within").map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => query::Scope::from_name(v)
                .map(Some)
                .map_err(|e| ApiError::bad("within", format!("within={e}"))),
        }
    }

    /// `boilerplate=include|exclude` (`search`, `trend`, `kwic`): whether occurrences on
    /// boilerplate lines count (include, the default) or not, as `--no-boilerplate`.
    fn exclude_boilerplate(&self) -> Result<bool, ApiError> {
        match self.raw("boilerplate").map(str::trim) {
            None | Some("") | Some("include") => Ok(false),
            Some("exclude") => Ok(true),
            Some(v) => Err(ApiError::bad(
                "boilerplate",
                format!("boilerplate={v:?} is not known: use include (the default) or exclude"),
            )),
        }
    }

    /// The filters `year`, `from`, `to`, `region`, `speaker`, `kind`.
    fn filters(&self) -> Result<Filters, ApiError> {
        let f = Filters {
            year: self.year("year")?,
            from: self.year("from")?,
            to: self.year("to")?,
            region: self.text("region")?,
            speaker: self.text("speaker")?,
            kind: self.text("kind")?,
        };
        // The one validation of the library (4-digit years, `from` not after `to`).
        f.validate().map_err(|e| ApiError::from_lib(e, Some("from")))?;
        Ok(f)
    }

    /// A parsed query (`None` when missing or blank).
    fn query(&self, name: &str) -> Result<Option<Node>, ApiError> {
        match self.text(name)? {
            None => Ok(None),
            Some(text) => {
                query::parse(&text).map(Some).map_err(|e| ApiError::from_lib(e, Some(name)))
            }
        }
    }

    /// The speeches selected by `where` and the filters (`None`: all), by the library's one
    /// selection rule (as `trend --where` on the command line).
    fn selection(&self) -> Result<Option<Node>, ApiError> {
        let filters = self.filters()?;
        let text = self.text("where")?;
        query::selection(text.as_deref(), &filters)
            .map_err(|e| ApiError::from_lib(e, Some("where")))
    }

    /// Terms separated by `,`, `，` or `、`, blanks dropped.
    fn terms(&self, name: &str, min: usize) -> Result<Vec<String>, ApiError> {
        let text = self.text(name)?.unwrap_or_default();
        let terms: Vec<String> = text
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if terms.len() < min {
            return Err(ApiError::bad(name, format!("give at least {min} term in {name}=T1,T2")));
        }
        if terms.len() > MAX_TERMS {
            return Err(ApiError::bad(name, format!("at most {MAX_TERMS} terms in {name}")));
        }
        Ok(terms)
    }
}

const FILTERS: [&str; 6] = ["year", "from", "to", "region", "speaker", "kind"];

fn known(own: &[&'static str], with_filters: bool) -> Vec<&'static str> {
    let mut v = own.to_vec();
    if with_filters {
        v.extend(FILTERS);
    }
    v
}

/// The answer of `/healthz`.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    generation: String,
    docs: u64,
}

pub(super) async fn healthz(State(state): State<AppState>) -> Json<impl Serialize> {
    let index = state.live.current();
    Json(Health {
        status: "ok",
        generation: generation_name(&index.generation),
        docs: index.searcher().num_docs(),
    })
}

pub(super) async fn search(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let own = [
            "q",
            "limit",
            "offset",
            "sort",
            "snippets",
            "width",
            "format",
            "within",
            "boilerplate",
        ];
        let p = Params::new(q, &known(&own, true))?;
        let answer = Answer::from_params(&p, "search.csv", search_csv)?;
        let text = p.text("q")?.unwrap_or_default();
        let node = p.query("q")?.unwrap_or(Node::And(Vec::new()));
        let mut node = query::with_filters(node, &p.filters()?);
        if let Some(scope) = p.within()? {
            node = query::within(node, scope).map_err(|e| ApiError::from_lib(e, Some("within")))?;
        }
        let mut req = SearchRequest::new(node, text);
        req.limit = p.int("limit", 1, MAX_LIMIT, speechdex::search::DEFAULT_LIMIT)?;
        req.offset = p.int("offset", 0, MAX_OFFSET, 0)?;
        req.snippets = p.int("snippets", 0, 10, speechdex::search::DEFAULT_SNIPPETS)?;
        req.snippet_width = p.int("width", 20, 400, speechdex::search::DEFAULT_SNIPPET_WIDTH)?;
        req.sort = p.choice::<SortOrder>("sort")?;
        req.no_boilerplate = p.exclude_boilerplate()?;
        let search = move |index: &SpeechIndex| Ok(speechdex::search::search(index, &req)?);
        blocking_as(&state, search, answer).await
    };
    run.await.into_response()
}

pub(super) async fn doc(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let Path(id) = id.map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("bad speech id: {}", e.body_text()))
        })?;
        let p = Params::new(q, &["q"])?;
        let node = p.query("q")?;
        let req = ShowRequest { id, highlight: node, paragraphs: None };
        blocking(&state, move |index| Ok(show(index, &req)?)).await
    };
    run.await.into_response()
}

/// `/api/stats`: `stats --json`, plus what the server's caches hold and how often they
/// answered (`cache.phrase_counts`, `cache.speeches`: budget, bytes, entries, hits, misses).
#[derive(serde::Serialize)]
struct ServerStats {
    #[serde(flatten)]
    overview: speechdex::stats::Overview,
    cache: speechdex::index::cache::CachesStats,
}

pub(super) async fn stats(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        Params::new(q, &[])?;
        blocking(&state, |index| {
            Ok(ServerStats {
                overview: speechdex::stats::overview(index)?,
                cache: index.cache_stats(),
            })
        })
        .await
    };
    run.await.into_response()
}

pub(super) async fn trend(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let own = ["terms", "by", "metric", "where", "limit", "within", "boilerplate"];
        let p = Params::new(q, &known(&own, true))?;
        let req = TrendRequest {
            terms: p.terms("terms", 1)?,
            by: p.choice::<GroupBy>("by")?,
            metric: p.choice::<Metric>("metric")?,
            filter: p.selection()?,
            limit: Some(p.int("limit", 1, MAX_TREND_GROUPS, DEFAULT_GROUP_LIMIT)?),
            within: p.within()?,
        };
        let exclude = p.exclude_boilerplate()?;
        blocking(&state, move |index| {
            let options = MatchOptions::for_index(index, false, exclude)?;
            speechdex::stats::trend::trend_with(index, &req, options)
                .map_err(|e| ApiError::from_lib(e, Some("terms")))
        })
        .await
    };
    run.await.into_response()
}

pub(super) async fn kwic(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let own = ["term", "width", "limit", "sort", "where", "within", "also", "boilerplate"];
        let p = Params::new(q, &known(&own, true))?;
        let term = p.text("term")?.ok_or_else(|| ApiError::bad("term", "give a term: term=…"))?;
        let req = KwicRequest {
            term,
            width: p.int("width", 1, 200, speechdex::stats::kwic::DEFAULT_WIDTH)?,
            sort: p.choice::<KwicSort>("sort")?,
            limit: Some(p.int(
                "limit",
                1,
                MAX_KWIC_LINES,
                speechdex::stats::kwic::DEFAULT_LINES,
            )?),
            filter: p.selection()?,
            within: p.within()?,
            also: p.terms("also", 0)?,
            sentence: false,
        };
        let exclude = p.exclude_boilerplate()?;
        blocking(&state, move |index| {
            let options = MatchOptions::for_index(index, false, exclude)?;
            speechdex::stats::kwic::kwic_with(index, &req, options)
                .map_err(|e| ApiError::from_lib(e, Some("term")))
        })
        .await
    };
    run.await.into_response()
}

pub(super) async fn compare(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let p = Params::new(q, &["a", "b", "a_id", "b_id", "terms", "limit"])?;
        let side = |query: &str, id: &str| -> Result<Side, ApiError> {
            match (p.text(query)?, p.text(id)?) {
                (Some(text), None) => {
                    let node = p.query(query)?.unwrap_or(Node::And(Vec::new()));
                    Ok(Side::Query { text, node })
                }
                (None, Some(id)) => Ok(Side::Speech(id)),
                _ => Err(ApiError::bad(
                    query,
                    format!("give either {query} (a query) or {id} (a speech id)"),
                )),
            }
        };
        let req = CompareRequest {
            a: side("a", "a_id")?,
            b: side("b", "b_id")?,
            terms: p.terms("terms", 0)?,
            limit: p.int("limit", 1, 200, speechdex::stats::compare::DEFAULT_WORDS)?,
        };
        blocking(&state, move |index| Ok(speechdex::stats::compare::compare(index, &req)?)).await
    };
    run.await.into_response()
}

/// One side of `/api/diff`: the speech id in `id` or the query in `query`, not both.
fn diff_side(p: &Params, id: &str, query: &str) -> Result<Side, ApiError> {
    match (p.text(id)?, p.text(query)?) {
        (Some(id), None) => Ok(Side::Speech(id)),
        (None, Some(text)) => {
            let node = p.query(query)?.unwrap_or(Node::And(Vec::new()));
            Ok(Side::Query { text, node })
        }
        (Some(_), Some(_)) => Err(ApiError::bad(
            id,
            format!("give either {id} (a speech id) or {query} (a query), not both"),
        )),
        (None, None) => Err(ApiError::bad(
            id,
            format!(
                "give {id} (a speech id, as /api/search lists them) or {query} (a query \
                 selecting a set of speeches)"
            ),
        )),
    }
}

/// Characters of the speeches of one side of a diff (from the `chars` fast field, without
/// reading any text); 404 for an unknown id, 400 for a query that selects nothing.
fn side_chars(index: &SpeechIndex, side: &Side, parameter: &str) -> Result<u64, ApiError> {
    let searcher = index.searcher();
    let mut columns: Vec<Option<DocColumns>> = Vec::new();
    let mut chars_of = |addr: tantivy::DocAddress| -> Result<u64, ApiError> {
        let seg = addr.segment_ord as usize;
        columns.resize_with(columns.len().max(seg + 1), || None);
        if columns[seg].is_none() {
            columns[seg] = Some(DocColumns::open(searcher.segment_reader(addr.segment_ord))?);
        }
        Ok(columns[seg].as_ref().map_or(0, |c| c.chars(addr.doc_id)))
    };
    match side {
        Side::Speech(id) => {
            let addr = index
                .find(&searcher, id)?
                .ok_or_else(|| ApiError::from_lib(speechdex::Error::UnknownId(id.clone()), None))?;
            chars_of(addr)
        }
        Side::Query { text, node } => {
            let docs = speechdex::stats::words::select_docs(index, Some(node))
                .map_err(|e| ApiError::from_lib(e, Some(parameter)))?;
            if docs.is_empty() {
                return Err(ApiError::bad(
                    parameter,
                    format!(
                        "{parameter}={text:?} selects no speech, so there is nothing to compare: \
                         widen the query"
                    ),
                ));
            }
            docs.into_iter().map(chars_of).sum()
        }
    }
}

/// The characters of both sides of a diff; 413 when together they hold more than
/// [`MAX_DIFF_CHARS`]: a diff reads both sides whole, and its memory grows with them.
fn diff_size(index: &SpeechIndex, req: &DiffRequest) -> Result<u64, ApiError> {
    let a = side_chars(index, &req.a, side_name(&req.a, "a", "qa"))?;
    let b = side_chars(index, &req.b, side_name(&req.b, "b", "qb"))?;
    if a + b <= MAX_DIFF_CHARS {
        return Ok(a + b);
    }
    let larger = if a >= b { side_name(&req.a, "a", "qa") } else { side_name(&req.b, "b", "qb") };
    let mut e = ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the two sides hold {a} and {b} characters; this server compares at most \
             {MAX_DIFF_CHARS} characters in all (a diff reads both sides whole): narrow the \
             queries (for example with year: or region:), or run `speechdex diff --a QUERY --b \
             QUERY` on the command line"
        ),
    );
    e.body.parameter = Some(larger.to_string());
    Err(e)
}

fn side_name<'a>(side: &Side, id: &'a str, query: &'a str) -> &'a str {
    match side {
        Side::Speech(_) => id,
        Side::Query { .. } => query,
    }
}

pub(super) async fn diff(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let own = ["a", "b", "qa", "qb", "min_similarity", "limit", "phrases", "format"];
        let p = Params::new(q, &own)?;
        let answer = Answer::from_params(&p, "diff.csv", diff_csv)?;
        let limit = p.int_opt("limit", 1, MAX_DIFF_LIST)?;
        let phrases = p.int_opt("phrases", 1, MAX_DIFF_LIST)?;
        let options = DiffOptions {
            sentence_limit: Some(limit.unwrap_or(MAX_DIFF_LIST)),
            phrase_limit: phrases.or(limit).unwrap_or(DiffOptions::default().phrase_limit),
            min_similarity: p.float("min_similarity", 0.0, 2.0, DEFAULT_MIN_SIMILARITY)?,
        };
        let req =
            DiffRequest { a: diff_side(&p, "a", "qa")?, b: diff_side(&p, "b", "qb")?, options };
        // First the sizes (fast fields only), then the characters' share of the diff budget
        // (waiting, without holding a job, while other diffs use it), then the diff.
        let req = Arc::new(req);
        let sized = req.clone();
        let chars = on_index(&state, move |index| diff_size(index, &sized)).await?;
        let need = u32::try_from(chars.clamp(1, MAX_DIFF_CHARS)).unwrap_or(u32::MAX);
        let budget = state.diff_chars.clone().acquire_many_owned(need).await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down")
        })?;
        let run = move |index: &SpeechIndex| {
            let _budget = budget;
            Ok(speechdex::stats::diff::diff(index, &req)?)
        };
        blocking_as(&state, run, answer).await
    };
    run.await.into_response()
}

pub(super) async fn verify(
    State(state): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let run = async {
        let p = Params::new(q, &["q", "limit", "max_exact", "context", "max_distance"])?;
        let quote = p.text("q")?.ok_or_else(|| {
            ApiError::bad("q", "give the quotation to verify: q=… (whitespace is ignored)")
        })?;
        let defaults = VerifyRequest::new(String::new());
        let req = VerifyRequest {
            quote,
            limit: p.int("limit", 1, 100, defaults.limit)?,
            max_exact: p.int("max_exact", 1, MAX_VERIFY_EXACT, defaults.max_exact)?,
            context: p.int("context", 0, 200, defaults.context)?,
            max_distance: p.int_opt("max_distance", 0, 100)?,
        };
        blocking(&state, move |index| {
            verify_quote(index, &req).map_err(|e| ApiError::from_lib(e, Some("q")))
        })
        .await
    };
    run.await.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls `body` to its end: the frames' sizes.
    fn drain(body: &mut CountedBody) -> Vec<usize> {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut sizes = Vec::new();
        while let std::task::Poll::Ready(Some(Ok(frame))) =
            std::pin::Pin::new(&mut *body).poll_frame(&mut cx)
        {
            sizes.push(frame.into_data().map_or(0, |d| d.len()));
        }
        sizes
    }

    #[test]
    fn answers_hold_their_bytes_of_the_budget_until_handed_over() {
        let budget = Arc::new(Semaphore::new(3 * CHUNK));
        let mut first = CountedBody::new(vec![b'x'; 2 * CHUNK + 10], &budget).unwrap();
        assert_eq!(first.size_hint().exact(), Some(2 * CHUNK as u64 + 10));
        let refused = CountedBody::new(vec![b'y'; CHUNK], &budget).map(|_| ()).unwrap_err();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(drain(&mut first), [CHUNK, CHUNK, 10]);
        assert!(first.is_end_stream());
        assert_eq!(budget.available_permits(), 3 * CHUNK, "released with the last chunk");
        let second = CountedBody::new(vec![b'y'; CHUNK], &budget).unwrap();
        drop(second);
        assert_eq!(budget.available_permits(), 3 * CHUNK, "released when dropped");
    }
}
