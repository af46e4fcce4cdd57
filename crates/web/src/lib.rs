//! # yuqing-web: what does the coverage look like, asked from a browser or a script?
//!
//! The HTTP side of `yuqing serve` (axum 0.8): a JSON API under `/api` (search with facets,
//! articles with their evidence, sentiment corrections, plan themes, coverage, reports,
//! health; described by the OpenAPI 3.1 document at `/api/openapi.json`), the analysts'
//! HTML pages (module `ui`, server-rendered with minijinja), login with argon2 password
//! hashes, session cookies and API tokens, CSRF protection, a login rate limit and security
//! headers.
//!
//! ## Entry points (for the `serve` command)
//! * [`WebApp::open`] loads what a request needs from the [`yuqing_config::Config`]: the
//!   segmenter (`dict_dir`), the index reader (`<data>/index`), the store
//!   (`<data>/yuqing.sqlite3`) and the themes (`themes_file`; an empty set when the file is
//!   missing). [`WebApp::from_parts`] reuses ones the caller already has.
//! * [`serve`] runs it on a bound listener until the shutdown future resolves.
//! * [`WebApp::router`] is the whole app as an [`axum::Router`] (for tests).
//!
//! ## For the pages (module `ui`)
//! * `ui::routes() -> Router<AppState>` is merged into the app; every route there sees the
//!   layers below. Handlers get the state with `State<AppState>` ([`AppState`]: config,
//!   index, store, themes, segmenter; run store/index calls through [`AppState::blocking`]).
//! * Login: take [`CurrentUser`] as an argument; when nobody is logged in an HTML page gets a
//!   303 to `/login?next=<path>`, an `/api` path a 401 JSON error.
//! * The login page `GET /login` is the pages' (form fields `name`, `password`, `next`,
//!   posted to `POST /login`, which is this crate's; after a wrong password it answers 401
//!   with the form again (用户名或密码错误), after `login_attempts_per_minute` failures in a
//!   minute for one name (4 times that many from one address) 429; a form POST must come from this site
//!   (`Origin`/`Referer` = `Host`, else 403). Logout is a form posting to `POST /logout`
//!   with the CSRF field.
//! * CSRF: every form that POSTs needs
//!   `<input type="hidden" name="csrf_token" value="{{ user.csrf_token() }}">` (the name is
//!   [`CSRF_FIELD`]; the value [`CurrentUser::csrf_token`]), a script's `fetch` the header
//!   `X-CSRF-Token` ([`CSRF_HEADER`]). A missing or wrong token is a 403.
//! * Security headers on every response: `Content-Security-Policy: default-src 'self';
//!   img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`
//!   (so **no inline `<script>`, no `on…=` attributes, no inline `style` attributes or
//!   `<style>` blocks**: scripts and CSS come from `/static/...` files),
//!   `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//!   `X-Frame-Options: DENY`.
//! * Unknown paths: under `/api` the JSON 404 (`not_found`, naming the route), elsewhere the
//!   Chinese HTML 404 page (页面不存在, the pages' layout, a link back to the search).
//! * Reports (`POST /api/reports`, the reports page's `POST /reports`): the period follows
//!   `yuqing report` ([`yuqing_report::report_period`]): a date must be a real day not after
//!   today in Beijing, otherwise 400 (`bad_date` in JSON, a Chinese message on the page) and
//!   no file; no date (or a blank one) is yesterday (daily) or the most recent Monday–Sunday
//!   week that has ended (weekly).
//! * Limits: request bodies 1 MiB ([`BODY_LIMIT`]), 30 s per request ([`REQUEST_TIMEOUT`]),
//!   a panicking handler becomes a 500 JSON error.
//!
//! ## Store handle
//! [`yuqing_store::Store`] is `Send + Sync` (one SQLite connection behind a mutex), so the app
//! shares one `Arc<Store>` and runs every store call on the blocking pool
//! ([`AppState::blocking`]); calls are short (indexed lookups), and SQLite in WAL mode lets the
//! crawler's own connection write meanwhile.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use tower::ServiceExt;
//! let dir = tempfile::tempdir().unwrap();
//! let mut config = yuqing_config::Config::load_with_env(
//!     std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/yuqing.toml")),
//!     &|_| None,
//! ).unwrap();
//! config.data_dir = dir.path().to_path_buf();
//! let app = yuqing_web::WebApp::open(&config).unwrap();
//! let req = axum::http::Request::get("/api/health").body(axum::body::Body::empty()).unwrap();
//! let resp = app.router().oneshot(req).await.unwrap();
//! assert_eq!(resp.status(), 200);
//! assert_eq!(resp.headers()["x-frame-options"], "DENY");
//! let req = axum::http::Request::get("/api/themes").body(axum::body::Body::empty()).unwrap();
//! assert_eq!(app.router().oneshot(req).await.unwrap().status(), 401);
//! // An unknown page is an HTML 404 for a browser, JSON under /api.
//! let req = axum::http::Request::get("/nonexistent").body(axum::body::Body::empty()).unwrap();
//! let resp = app.router().oneshot(req).await.unwrap();
//! assert_eq!(resp.status(), 404);
//! assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
//! let req = axum::http::Request::get("/api/nonexistent").body(axum::body::Body::empty()).unwrap();
//! let resp = app.router().oneshot(req).await.unwrap();
//! assert_eq!(resp.status(), 404);
//! assert_eq!(resp.headers()["content-type"], "application/json");
//! # }
//! ```
#![warn(missing_docs)]

mod api;
mod auth;
mod error;
mod openapi;
mod reports;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use yuqing_config::Config;
use yuqing_index::ArticleIndex;
use yuqing_store::Store;
use yuqing_text::Segmenter;
use yuqing_themes::ThemeSet;

pub use api::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH_DEPTH, ROUTES as API_ROUTES};
pub use auth::{
    ADDRESS_LIMIT_FACTOR, AuthMethod, CSRF_FIELD, CSRF_HEADER, CurrentUser, LoginRequired,
    MIN_PASSWORD_CHARS, SESSION_COOKIE, csrf_for, hash_password, new_token, token_hash,
    verify_password,
};
pub use error::{MAX_QUERY_CHARS, WebError};
pub use openapi::openapi_document;

/// Largest request body accepted, bytes (1 MiB); larger bodies get 413.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The `Content-Security-Policy` of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// What every handler can reach. `Clone` is a few `Arc` clones.
#[derive(Clone)]
pub struct AppState {
    /// The configuration in force (`web`, `data_dir`, `timezone`, `sources` …).
    pub config: Arc<Config>,
    /// The search index reader (`Send + Sync`; searches are CPU work: use
    /// [`AppState::blocking`]).
    pub index: Arc<ArticleIndex>,
    /// The store (`Send + Sync`, blocking calls: use [`AppState::blocking`]).
    pub store: Arc<Store>,
    /// The plan themes (sections and items), empty when no themes file exists.
    pub themes: Arc<ThemeSet>,
    /// The process's jieba segmenter (cheap to clone).
    pub segmenter: Segmenter,
    limiter: auth::SharedLimiter,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Runs `f` with a clone of the state on tokio's blocking pool (for store calls, index
    /// searches, report rendering) and returns its result.
    ///
    /// Errors: whatever `f` returns; [`WebError::Task`] if `f` panicked or was cancelled.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&AppState) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| WebError::Task(e.to_string()))?
    }
}

/// The web application: its state, ready to be routed and served.
#[derive(Clone, Debug)]
pub struct WebApp {
    state: AppState,
}

impl WebApp {
    /// Opens what the app needs from `config`: the segmenter with the user dictionaries of
    /// `config.dict_dir` (about 0.2 s), the index `<data_dir>/index` (created if missing),
    /// the store `<data_dir>/yuqing.sqlite3` (created and migrated if missing; the data
    /// directory is created), and the themes of `config.themes_file` (an empty set when the
    /// file does not exist). Blocking: call before the runtime serves, or in `spawn_blocking`.
    ///
    /// Errors: [`WebError::Io`] (data directory), [`WebError::Segmenter`], [`WebError::Index`],
    /// [`WebError::Store`], [`WebError::Themes`] (a themes file that exists but is invalid).
    pub fn open(config: &Config) -> Result<WebApp, WebError> {
        let segmenter = Segmenter::load(Some(&config.dict_dir))?;
        std::fs::create_dir_all(&config.data_dir).map_err(WebError::io(&config.data_dir))?;
        let index = ArticleIndex::open(&config.data_dir.join("index"), &segmenter)?;
        let store = Store::open(&config.data_dir.join(yuqing_store::DB_FILE_NAME))?;
        let themes = if config.themes_file.exists() {
            ThemeSet::load(&config.themes_file)?
        } else {
            ThemeSet::from_toml_str("version = 1\n", "themes.toml")?
        };
        Ok(WebApp::from_parts(
            config.clone(),
            Arc::new(index),
            Arc::new(store),
            Arc::new(themes),
            segmenter,
        ))
    }

    /// An app over parts the caller already opened (e.g. the ones a crawl pipeline holds).
    pub fn from_parts(
        config: Config,
        index: Arc<ArticleIndex>,
        store: Arc<Store>,
        themes: Arc<ThemeSet>,
        segmenter: Segmenter,
    ) -> WebApp {
        let limiter = Arc::new(auth::LoginLimiter::new(
            config.web.login_attempts_per_minute,
        ));
        WebApp {
            state: AppState {
                config: Arc::new(config),
                index,
                store,
                themes,
                segmenter,
                limiter,
            },
        }
    }

    /// The state handlers see.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The whole app: API, login, pages and every layer (auth and CSRF, security headers,
    /// body limit, timeout, panic catcher). Serve it with connect info
    /// (`into_make_service_with_connect_info::<SocketAddr>()`, as [`serve`] does) so the
    /// login rate limit sees client addresses; without it all clients share one address.
    pub fn router(&self) -> Router {
        let state = self.state.clone();
        Router::new()
            .merge(api::routes())
            .route("/login", axum::routing::post(auth::login))
            .route("/logout", axum::routing::post(auth::logout))
            .merge(ui::routes())
            .fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                auth::auth_layer,
            ))
            .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
            .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIMEOUT,
            ))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(header_layer(
                "content-security-policy",
                CONTENT_SECURITY_POLICY,
            ))
            .layer(header_layer("x-content-type-options", "nosniff"))
            .layer(header_layer("referrer-policy", "same-origin"))
            .layer(header_layer("x-frame-options", "DENY"))
            .with_state(state)
    }
}

fn header_layer(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// Unrouted paths: the JSON 404 (`not_found`, naming the route) under `/api`, else the
/// Chinese HTML 404 page (with the navigation when someone is logged in).
async fn not_found(req: axum::extract::Request) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, _body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        return WebError::NotFound(format!("route {path}")).into_response();
    }
    let user = CurrentUser::from_request_parts(&mut parts, &()).await.ok();
    ui::not_found_page(user.as_ref(), &path)
}

fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "handler panicked".to_string());
    WebError::Panic(message).into_response()
}

/// Serves `app` on `listener` (HTTP/1.1) until `shutdown` resolves, then stops accepting
/// and waits for the requests in flight (graceful shutdown).
///
/// Errors: [`WebError::Serve`] when accepting fails for good.
pub async fn serve(
    app: WebApp,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    let router = app.router();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(WebError::Serve)
}
