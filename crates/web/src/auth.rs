//! Who is asking: passwords (argon2id), session cookies, API tokens, CSRF tokens, the limit
//! on failed logins, and the [`CurrentUser`] extractor.
//!
//! * Passwords: argon2id with the `argon2` crate's default parameters (19 MiB, 2 passes,
//!   1 lane: the OWASP minimum), stored as a PHC string.
//! * Session and API tokens: 32 random bytes from the OS generator (`rand::rngs::OsRng`),
//!   sent as 64 hex digits; only their BLAKE3 hash is stored (a random 256-bit secret needs no
//!   slow hash).
//! * CSRF: the synchronizer token of a session is derived from its session token,
//!   `hex(BLAKE3 derive_key("yuqing-web csrf v1", session token))`: unforgeable without the
//!   HttpOnly cookie, the same for the whole session, nothing stored. Checked by
//!   [`auth_layer`] on every non-GET/HEAD/OPTIONS request that carries a session cookie,
//!   from the header [`CSRF_HEADER`] or the url-encoded form field [`CSRF_FIELD`]. Requests
//!   with `Authorization: Bearer` are exempt (a script's token is not sent by a browser on
//!   its own). `POST /login` has no session yet: a form login must instead come from this
//!   site's page (`Origin`, else `Referer`, equal to the `Host`; 403 otherwise), against
//!   login CSRF.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use rand::TryRngCore;
use serde::Deserialize;

use crate::{AppState, WebError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "yuqing_session";
/// Form field that carries the CSRF token in a url-encoded POST.
pub const CSRF_FIELD: &str = "csrf_token";
/// Header that carries the CSRF token (for `fetch` from the pages' scripts).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Shortest password `yuqing user add` and [`hash_password`] accept, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most bytes a login form or JSON body may have (name and password are short).
const LOGIN_BODY_LIMIT: usize = 16 * 1024;

/// How the current user proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The session cookie of a browser login.
    Session,
    /// An `Authorization: Bearer` API token.
    ApiToken,
}

/// The logged-in user, as an axum extractor.
///
/// Rejection when nobody is logged in: for paths under `/api` a 401 JSON error
/// (`{"error":{"code":"unauthorized",...}}`); for any other path a 303 redirect to
/// `/login?next=<path and query>`. The identity is resolved once per request by the app's
/// auth middleware (layered by [`crate::WebApp::router`]); the extractor only reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    /// Login name.
    pub name: String,
    /// Session cookie or API token.
    pub method: AuthMethod,
    /// CSRF token of the session (64 hex digits); empty for API tokens.
    csrf: String,
}

impl CurrentUser {
    /// The CSRF token to put in every form of the page (hidden field [`CSRF_FIELD`]) or in
    /// the [`CSRF_HEADER`] header of a script's POST. Empty for API-token requests (exempt).
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }
}

/// Why there is no [`CurrentUser`]: a redirect to the login page or a 401 JSON error.
#[derive(Debug)]
pub struct LoginRequired {
    api: bool,
    next: String,
}

impl IntoResponse for LoginRequired {
    fn into_response(self) -> Response {
        if self.api {
            WebError::Unauthorized.into_response()
        } else {
            let target = format!("/login?next={}", percent_encode(&self.next));
            Redirect::to(&target).into_response()
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = LoginRequired;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(Identity(Some(user))) = parts.extensions.get::<Identity>() {
            return Ok(user.clone());
        }
        let path = parts.uri.path();
        Err(LoginRequired {
            api: path == "/api" || path.starts_with("/api/"),
            next: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
        })
    }
}

/// The identity [`auth_layer`] resolved, kept in the request extensions.
#[derive(Debug, Clone)]
pub(crate) struct Identity(pub(crate) Option<CurrentUser>);

/// 32 random bytes from the OS as 64 lowercase hex digits.
///
/// Errors: [`WebError::Task`] if the OS generator fails (no entropy source).
pub fn new_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| WebError::Task(format!("os random generator: {e}")))?;
    Ok(hex(&bytes))
}

/// The stored form of a session or API token: BLAKE3 of its text.
pub fn token_hash(token: &str) -> [u8; 32] {
    *blake3::hash(token.as_bytes()).as_bytes()
}

/// The CSRF token of the session whose cookie holds `session_token` (see the module doc).
pub fn csrf_for(session_token: &str) -> String {
    hex(&blake3::derive_key(
        "yuqing-web csrf v1",
        session_token.as_bytes(),
    ))
}

/// An argon2id PHC string for `password` with a fresh random salt. CPU-heavy (tens of ms):
/// call off the async runtime.
///
/// Errors: [`WebError::BadRequest`] for a password shorter than [`MIN_PASSWORD_CHARS`]
/// characters, [`WebError::Task`] if hashing fails.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(WebError::BadRequest(format!(
            "password: at least {MIN_PASSWORD_CHARS} characters are required"
        )));
    }
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|e| WebError::Task(format!("os random generator: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| WebError::Task(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::Task(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `phc`; `false` also for an unreadable hash.
/// CPU-heavy: call off the async runtime.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A PHC hash of a random password, verified against when the user name is unknown so that
/// a wrong name costs as long as a wrong password (no user-name oracle by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        new_token()
            .and_then(|t| hash_password(&t))
            .unwrap_or_default()
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Percent-encodes everything but unreserved characters and `/` (for `next=`).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Length of the login limiter's sliding window.
const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// How many more failures an address may have than a user name: an office behind one NAT or
/// proxy address shares the address's allowance, so one analyst's typos must not lock out the
/// colleagues (a trial found that with equal limits); a guesser trying many names from one
/// address is still stopped after this many times the per-name limit.
pub const ADDRESS_LIMIT_FACTOR: usize = 4;

/// Failed-login limits per user name and per client address: a sliding window of one minute
/// holding the times of failed attempts; once a name has `login_attempts_per_minute`
/// failures in the window, or an address [`ADDRESS_LIMIT_FACTOR`] times that many, every
/// attempt for it (right password or not) is refused with 429 until the oldest failure
/// leaves the window. Successful logins are never counted, so many users behind one proxy
/// address are not locked out by logging in.
pub(crate) struct LoginLimiter {
    per_minute: usize,
    per_address: usize,
    by_ip: std::sync::Mutex<std::collections::HashMap<IpAddr, Failures>>,
    by_name: std::sync::Mutex<std::collections::HashMap<String, Failures>>,
}

/// Failure times of one key, oldest first.
type Failures = std::collections::VecDeque<Instant>;

/// Keys kept before idle ones (no failure in the window) are dropped.
const LIMITER_KEYS: usize = 10_000;

impl LoginLimiter {
    pub(crate) fn new(per_minute: u32) -> LoginLimiter {
        let per_minute = usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX);
        LoginLimiter {
            per_minute,
            per_address: per_minute.saturating_mul(ADDRESS_LIMIT_FACTOR),
            by_ip: std::sync::Mutex::new(std::collections::HashMap::new()),
            by_name: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Drops the failures of `q` older than the window; true while it is still full.
    fn full(q: &mut Failures, now: Instant, per_minute: usize) -> bool {
        while q
            .front()
            .is_some_and(|&t| now.duration_since(t) >= LOGIN_WINDOW)
        {
            q.pop_front();
        }
        q.len() >= per_minute
    }

    /// Seconds until the oldest failure of a full `q` leaves the window, at least 1.
    fn retry_after(q: &Failures, now: Instant) -> u64 {
        let left = q.front().map_or(std::time::Duration::ZERO, |&t| {
            LOGIN_WINDOW.saturating_sub(now.duration_since(t))
        });
        // Round up: after `left` rounded down the window would still be full.
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        secs.max(1)
    }

    /// `Err` (429, with the seconds to wait) when `ip` or `name` has used up its failures in
    /// the last minute.
    fn check(&self, ip: IpAddr, name: &str, now: Instant) -> Result<(), WebError> {
        let n = self.per_minute;
        let ip_wait = lock(&self.by_ip)
            .get_mut(&ip)
            .and_then(|q| Self::full(q, now, self.per_address).then(|| Self::retry_after(q, now)));
        if let Some(retry_after) = ip_wait {
            return Err(WebError::RateLimited {
                who: format!("address {ip}"),
                retry_after,
            });
        }
        let name_wait = lock(&self.by_name)
            .get_mut(name)
            .and_then(|q| Self::full(q, now, n).then(|| Self::retry_after(q, now)));
        if let Some(retry_after) = name_wait {
            return Err(WebError::RateLimited {
                who: format!("user {name}"),
                retry_after,
            });
        }
        Ok(())
    }

    /// Records a failed attempt from `ip` for `name`.
    fn failed(&self, ip: IpAddr, name: &str, now: Instant) {
        record(&mut lock(&self.by_ip), ip, now, self.per_address);
        record(
            &mut lock(&self.by_name),
            name.to_string(),
            now,
            self.per_minute,
        );
    }
}

/// Appends a failure at `now` to `key`'s window (keeping at most `n`), first dropping idle keys
/// when the map has grown past [`LIMITER_KEYS`].
fn record<K: std::hash::Hash + Eq>(
    map: &mut std::collections::HashMap<K, Failures>,
    key: K,
    now: Instant,
    n: usize,
) {
    if map.len() >= LIMITER_KEYS {
        map.retain(|_, q| {
            // Prunes the failures older than the window.
            LoginLimiter::full(q, now, usize::MAX);
            !q.is_empty()
        });
    }
    let q = map.entry(key).or_default();
    q.push_back(now);
    while q.len() > n {
        q.pop_front();
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Login CSRF check: a browser's form POST to `/login` must come from this site's own page,
/// i.e. its `Origin` (else its `Referer`) names the request's `Host`; a cross-site page could
/// otherwise log the victim into the attacker's account. A JSON login without either header is
/// a script (a browser cannot send a cross-site JSON POST without a CORS preflight, which this
/// server never grants) and passes; with a header, the header must match.
///
/// Behind a reverse proxy the proxy must pass the original `Host` (nginx `proxy_set_header Host
/// $host`). Errors: [`WebError::CrossOriginLogin`] (403).
fn check_login_origin(headers: &HeaderMap, json: bool) -> Result<(), WebError> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let origin_host = |v: &str| -> Option<String> {
        let rest = v.trim().split_once("://")?.1;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Some(rest.get(..end)?.to_ascii_lowercase())
    };
    let claimed = match headers.get(axum::http::header::ORIGIN) {
        // "null" (sandboxed or privacy-stripped origins) is treated as absent.
        Some(v) if v.as_bytes() != b"null" => Some(v.to_str().ok().and_then(origin_host)),
        _ => headers
            .get(axum::http::header::REFERER)
            .map(|v| v.to_str().ok().and_then(origin_host)),
    };
    match (claimed, host) {
        (Some(Some(c)), Some(h)) if c == h.to_ascii_lowercase() => Ok(()),
        (None, _) if json => Ok(()),
        _ => Err(WebError::CrossOriginLogin),
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Resolves the identity of every request (API token first, else session cookie) into the
/// request extensions for [`CurrentUser`], and enforces the CSRF token on state-changing
/// requests from a session (403 [`WebError::Csrf`]). Applied to the whole router.
pub(crate) async fn auth_layer(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match resolve(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn resolve(state: &AppState, req: Request) -> Result<Request, WebError> {
    let headers = req.headers();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let user = if let Some(token) = bearer(headers) {
        let hash = token_hash(token);
        let name = state
            .blocking(move |s| s.store.api_token_user(&hash).map_err(WebError::from))
            .await?;
        name.map(|name| CurrentUser {
            name,
            method: AuthMethod::ApiToken,
            csrf: String::new(),
        })
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        let csrf = csrf_for(token);
        let name = state
            .blocking(move |s| {
                s.store
                    .session_user(&hash, Utc::now())
                    .map_err(WebError::from)
            })
            .await?;
        name.map(|name| CurrentUser {
            name,
            method: AuthMethod::Session,
            csrf,
        })
    } else {
        None
    };
    let mut req = req;
    if let Some(u) = &user
        && u.method == AuthMethod::Session
        && unsafe_method
        && req.uri().path() != "/login"
    {
        req = check_csrf(req, &u.csrf).await?;
    }
    req.extensions_mut().insert(Identity(user));
    Ok(req)
}

/// Passes `req` on when its CSRF header, or the `csrf_token` field of its url-encoded body,
/// equals `expected`; the body is buffered (within the body limit) and put back.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, WebError> {
    if let Some(v) = req.headers().get(CSRF_HEADER) {
        return if constant_time_eq(v.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(WebError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(WebError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
        .await
        .map_err(|e| WebError::BadRequest(format!("request body: {e}")))?;
    let found = form_urlencoded_field(&bytes, CSRF_FIELD);
    if !found.is_some_and(|f| constant_time_eq(f.as_bytes(), expected.as_bytes())) {
        return Err(WebError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The first value of field `name` in a url-encoded body (`+` and `%XX` decoded).
fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |&b| b == b'=');
            let k = it.next().unwrap_or_default();
            let v = it.next().unwrap_or_default();
            (url_decode(k), url_decode(v))
        })
        .collect()
}

fn url_decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hexval = s
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(v) = hexval {
                    out.push(v);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The body of `POST /login`: url-encoded form or JSON.
#[derive(Debug, Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    /// Local path to go to after a form login (default `/`).
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`.
///
/// Form body (`application/x-www-form-urlencoded`, fields `name`, `password`, `next`): on
/// success 303 to `next` (a local path; anything else becomes `/`) with the session cookie;
/// on wrong credentials 401 with the login form again (用户名或密码错误). JSON body
/// (`{"name","password"}`): 200 `{"user","csrf_token","expires_at"}` with the cookie, or 401
/// `bad_credentials`. A form POST whose `Origin`/`Referer` is not this host gets 403 `csrf`
/// (login CSRF, see `check_login_origin`). Once `login_attempts_per_minute` attempts have
/// failed within a minute for one name (or [`ADDRESS_LIMIT_FACTOR`] times that many from one
/// address), attempts get 429 (`rate_limited`,
/// or the form with a message) before the password is checked; successful logins never count.
pub(crate) async fn login(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, WebError> {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    check_login_origin(req.headers(), json)?;
    let bytes = axum::body::to_bytes(req.into_body(), LOGIN_BODY_LIMIT)
        .await
        .map_err(|e| WebError::BadRequest(format!("login body: {e}")))?;
    let form: LoginForm = if json {
        serde_json::from_slice(&bytes)
            .map_err(|e| WebError::BadRequest(format!("login body: {e}")))?
    } else {
        let pairs = serde_urlencoded_pairs(&bytes);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        LoginForm {
            name: get("name")
                .ok_or_else(|| WebError::BadRequest("login body: field name is missing".into()))?,
            password: get("password").ok_or_else(|| {
                WebError::BadRequest("login body: field password is missing".into())
            })?,
            next: get("next"),
        }
    };
    let name = form.name.trim().to_string();
    let next = form
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/".to_string());
    if let Err(e) = state.limiter.check(ip, &name, Instant::now()) {
        if json {
            return Err(e);
        }
        let retry_after = match &e {
            WebError::RateLimited { retry_after, .. } => *retry_after,
            _ => 60,
        };
        let mut resp = crate::ui::login_form(
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            Some(&format!("登录失败次数过多，请 {retry_after} 秒后再试。")),
        );
        resp.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(retry_after.max(1)),
        );
        return Ok(resp);
    }
    let hours = i64::from(state.config.web.session_hours);
    let user = name.clone();
    let session = state
        .blocking(move |s| {
            let phc = s.store.password_hash(&user)?;
            let ok = verify_password(&form.password, phc.as_deref().unwrap_or(dummy_hash()));
            if !(ok && phc.is_some()) {
                return Ok(None);
            }
            let token = new_token()?;
            let now = Utc::now();
            let expires = now + Duration::hours(hours);
            if !s
                .store
                .create_session(&token_hash(&token), &user, now, expires)?
            {
                return Ok(None);
            }
            Ok(Some((token, expires)))
        })
        .await?;
    let Some((token, expires)) = session else {
        tracing::warn!(user = %name, %ip, "failed login");
        state.limiter.failed(ip, &name, Instant::now());
        if json {
            return Err(WebError::BadCredentials);
        }
        return Ok(crate::ui::login_form(
            StatusCode::UNAUTHORIZED,
            &next,
            Some(crate::ui::BAD_CREDENTIALS),
        ));
    };
    let cookie = session_cookie(&token, hours * 3600, state.config.web.secure_cookie)?;
    let mut resp = if json {
        axum::Json(serde_json::json!({
            "user": name,
            "csrf_token": csrf_for(&token),
            "expires_at": expires.to_rfc3339(),
        }))
        .into_response()
    } else {
        Redirect::to(&next).into_response()
    };
    resp.headers_mut().append(SET_COOKIE, cookie);
    Ok(resp)
}

/// `POST /logout` (session users need the CSRF token): ends the session, clears the cookie,
/// 303 to `/login`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        state
            .blocking(move |s| s.store.delete_session(&hash).map_err(WebError::from))
            .await?;
    }
    let mut resp = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        session_cookie("", 0, state.config.web.secure_cookie)?,
    );
    Ok(resp)
}

fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> Result<HeaderValue, WebError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .map_err(|e| WebError::Task(format!("session cookie: {e}")))
}

/// Shared login limiter of an app.
pub(crate) type SharedLimiter = Arc<LoginLimiter>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_says_when_the_oldest_failure_leaves_the_window() {
        let limiter = LoginLimiter::new(2);
        let ip = IpAddr::from([10, 0, 0, 1]);
        let t0 = Instant::now();
        limiter.failed(ip, "wang", t0);
        limiter.failed(ip, "wang", t0 + std::time::Duration::from_secs(20));
        let wait = |secs: f64| match limiter.check(
            ip,
            "wang",
            t0 + std::time::Duration::from_secs_f64(secs),
        ) {
            Err(WebError::RateLimited { who, retry_after }) => Some((who, retry_after)),
            _ => None,
        };
        assert_eq!(wait(30.0), Some(("user wang".to_string(), 30)));
        // Rounded up, never 0 while still limited.
        assert_eq!(wait(59.5).map(|w| w.1), Some(1));
        // The oldest failure has left: one failure in the window, not limited.
        assert_eq!(wait(60.0), None);
    }

    #[test]
    fn password_hash_round_trip_and_minimum() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct hors", &phc));
        assert!(!verify_password("x", "not a phc"));
        assert!(matches!(
            hash_password("short"),
            Err(WebError::BadRequest(_))
        ));
    }

    #[test]
    fn tokens_are_random_hex_and_csrf_is_derived() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(csrf_for(&a), csrf_for(&a));
        assert_ne!(csrf_for(&a), csrf_for(&b));
        assert_ne!(csrf_for(&a), a);
    }

    #[test]
    fn form_fields_are_decoded() {
        let body = b"name=wang&csrf_token=ab%2Bc+d&x";
        assert_eq!(
            form_urlencoded_field(body, "csrf_token").as_deref(),
            Some("ab+c d")
        );
        assert_eq!(form_urlencoded_field(body, "name").as_deref(), Some("wang"));
        assert_eq!(form_urlencoded_field(body, "nope"), None);
        assert_eq!(url_decode(b"%zz%4"), "%zz%4");
    }

    #[test]
    fn cookies_and_bearer_are_read() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; yuqing_session=tok ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }
}
