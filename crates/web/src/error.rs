//! The one error type of the crate, and how it becomes an HTTP response.

use std::path::PathBuf;

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Longest search query accepted, in characters (`q` of `/api/search`, `/search` and the
/// export): the search page copies the query into every facet and theme link, so a
/// 20,000-character query would make a megabyte page. Longer queries are refused (400
/// `query_too_long` in the API, a Chinese message on the page) and nothing is searched.
pub const MAX_QUERY_CHARS: usize = 500;

/// Everything that can go wrong opening the web app, serving, or answering a request.
///
/// As a response ([`IntoResponse`]) every variant is the JSON body
/// `{"error": {"code": "<code>", "message": "<display text>"}}` with the status of
/// [`WebError::status`] and the code of [`WebError::code`]. Input errors are 4xx; only a
/// failing store, index, file system or task gives a 500 (`internal`).
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The jieba dictionaries of `config.dict_dir` could not be loaded.
    #[error("cannot load the segmenter: {0}")]
    Segmenter(#[from] yuqing_text::TextError),
    /// The themes file exists but is invalid.
    #[error("cannot load themes: {0}")]
    Themes(#[from] yuqing_themes::ThemesError),
    /// The index failed (open, search or read); a bad query is [`WebError::BadQuery`].
    #[error("index: {0}")]
    Index(yuqing_index::IndexError),
    /// The store failed (open or query).
    #[error("store: {0}")]
    Store(#[from] yuqing_store::StoreError),
    /// A report could not be built or rendered.
    #[error("report: {0}")]
    Report(#[from] yuqing_report::ReportError),
    /// A file or directory (data dir, reports dir, a report file) could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The server stopped with an I/O error (accepting connections).
    #[error("serving http failed: {0}")]
    Serve(std::io::Error),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
    /// The search query does not parse (400 `bad_query`); the message is the parser's.
    #[error("{0}")]
    BadQuery(String),
    /// A request parameter or body field is invalid (400 `bad_request`); names the parameter.
    #[error("{0}")]
    BadRequest(String),
    /// A report date (`POST /api/reports`, `POST /reports`) that is not `YYYY-MM-DD`, names a
    /// day that does not exist, or lies after today in Beijing (400 `bad_date`); holds
    /// [`yuqing_report::report_period`]'s error, whose text names the date as given.
    #[error("date: {0}")]
    BadDate(yuqing_report::ReportError),
    /// The `theme` filter names no theme of the loaded themes file (400 `unknown_theme`);
    /// holds the id. Without this a search would answer 0 hits, as if nothing were covered.
    #[error("theme: {0:?} is not a plan theme id (GET /api/themes lists them)")]
    UnknownTheme(String),
    /// The `source` filter names a source that is neither in `sources.toml` nor in the index
    /// (400 `unknown_source`); holds the id. Without this a search would answer 0 hits, as if
    /// the source had published nothing. Sources removed from the config but still in the
    /// index are accepted.
    #[error("source: {0:?} is neither in sources.toml nor in the index")]
    UnknownSource(String),
    /// The article, report or route does not exist (404 `not_found`); names it.
    #[error("{0} not found")]
    NotFound(String),
    /// No valid session cookie or API token (401 `unauthorized`).
    #[error("login required")]
    Unauthorized,
    /// Wrong user name or password (401 `bad_credentials`).
    #[error("wrong user name or password")]
    BadCredentials,
    /// A POST from a session without the matching CSRF token (403 `csrf`).
    #[error("missing or wrong csrf token (form field csrf_token or header x-csrf-token)")]
    Csrf,
    /// A login POST whose `Origin` (else `Referer`) does not name this host (403 `csrf`):
    /// login CSRF protection; behind a proxy, the proxy must pass the original `Host`.
    #[error("login posted from another site: Origin/Referer does not match the Host header")]
    CrossOriginLogin,
    /// Too many login attempts from this address or for this user name (429 `rate_limited`,
    /// with a `Retry-After` header of `retry_after` seconds).
    #[error("too many login attempts for {who}: retry in {retry_after} s")]
    RateLimited {
        /// What is limited: `address 1.2.3.4` or `user wang`.
        who: String,
        /// Seconds until the oldest failure leaves the one-minute window (at least 1).
        retry_after: u64,
    },
    /// The search query is longer than [`MAX_QUERY_CHARS`] characters (400 `query_too_long`);
    /// holds its length in characters. Nothing is searched.
    #[error("q: the query is {0} characters long; at most {max} are accepted", max = MAX_QUERY_CHARS)]
    QueryTooLong(usize),
    /// The request took longer than the timeout (408 `timeout`).
    #[error("request timed out after {0} s")]
    Timeout(u64),
    /// A handler panicked (500 `internal`); caught by the last-resort layer.
    #[error("internal error: {0}")]
    Panic(String),
}

impl From<yuqing_index::IndexError> for WebError {
    fn from(e: yuqing_index::IndexError) -> WebError {
        match e {
            yuqing_index::IndexError::Query { message, .. } => WebError::BadQuery(message),
            other => WebError::Index(other),
        }
    }
}

impl WebError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadQuery(_)
            | WebError::BadRequest(_)
            | WebError::BadDate(_)
            | WebError::UnknownTheme(_)
            | WebError::UnknownSource(_)
            | WebError::QueryTooLong(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Unauthorized | WebError::BadCredentials => StatusCode::UNAUTHORIZED,
            WebError::Csrf | WebError::CrossOriginLogin => StatusCode::FORBIDDEN,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of the JSON body (`bad_query`, `not_found` …).
    pub fn code(&self) -> &'static str {
        match self {
            WebError::BadQuery(_) => "bad_query",
            WebError::BadRequest(_) => "bad_request",
            WebError::BadDate(_) => "bad_date",
            WebError::UnknownTheme(_) => "unknown_theme",
            WebError::UnknownSource(_) => "unknown_source",
            WebError::NotFound(_) => "not_found",
            WebError::Unauthorized => "unauthorized",
            WebError::BadCredentials => "bad_credentials",
            WebError::Csrf | WebError::CrossOriginLogin => "csrf",
            WebError::RateLimited { .. } => "rate_limited",
            WebError::QueryTooLong(_) => "query_too_long",
            WebError::Timeout(_) => "timeout",
            _ => "internal",
        }
    }

    /// [`WebError::UnknownTheme`] when `id` is not a theme of `themes`; no check (`Ok`) when
    /// `themes` is empty (no themes file: the filter then matches what the index holds).
    pub(crate) fn check_theme(themes: &yuqing_themes::ThemeSet, id: &str) -> Result<(), WebError> {
        if themes.themes().is_empty() || themes.theme(id).is_some() {
            Ok(())
        } else {
            Err(WebError::UnknownTheme(id.to_string()))
        }
    }

    /// [`WebError::QueryTooLong`] when `q` has more than [`MAX_QUERY_CHARS`] characters.
    pub(crate) fn check_query_len(q: &str) -> Result<(), WebError> {
        // Counting stops past the limit, so a huge query costs no more than a short one.
        match q.chars().nth(MAX_QUERY_CHARS) {
            None => Ok(()),
            Some(_) => Err(WebError::QueryTooLong(q.chars().count())),
        }
    }

    /// Shorthand for [`WebError::Io`].
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> WebError {
        let path = path.into();
        move |source| WebError::Io { path, source }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.to_string() }
        });
        let mut resp = (status, Json(body)).into_response();
        if let WebError::RateLimited { retry_after, .. } = self {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        resp
    }
}
