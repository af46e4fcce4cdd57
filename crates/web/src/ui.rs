//! The analysts' HTML pages, in Chinese: search (`/`, `/search`, export `/search/export.xlsx`),
//! plan dashboard (`/dashboard`), article (`/articles/{id}`, correction
//! `POST /articles/{id}/sentiment`), reports (`/reports`, `POST /reports`; files download
//! from the API's `/api/reports/{name}`), the login page (`GET /login`) and the static assets
//! (`/static/app.css`, `/static/app.js`, `/static/favicon.svg`, embedded).
//!
//! Pages are minijinja templates (embedded; HTML auto-escaping on) filled from the index and
//! the store on the blocking pool. Text from articles is always escaped; the only markup the
//! pages add to it is `<mark>`/`<em>` around hit terms (escape first, then mark; see
//! `ui::html`) and server-made SVG sparklines. Article links are emitted only for http/https
//! URLs. No inline script, handler or style: the CSP is `default-src 'self'`.
//!
//! Errors on a page render the error page (HTML) with the status of the [`WebError`]; a bad
//! search query or filter (unknown theme, sentiment, tier or source, a malformed date, a
//! start after the end, a query too long or that does not parse) is shown on the search page
//! itself in Chinese, naming the parameter and its value, with status 400 and no search run
//! (the API's `/api/search` answers 400 for the same requests), never a 500.

mod article;
mod dashboard;
mod export;
mod html;
mod params;
mod reports;
mod search;
mod templates;

pub(crate) use search::source_is_known;

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use yuqing_model::{ArticleId, SentimentLabel};

use crate::{AppState, CSRF_FIELD, CurrentUser, WebError};

use params::SearchParams;

/// The pages' routes, merged into the app by [`crate::WebApp::router`].
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/search", get(search_page))
        .route("/search/export.xlsx", get(export_page))
        .route("/dashboard", get(dashboard_page))
        .route("/articles/{id}", get(article_page))
        .route("/articles/{id}/sentiment", post(correct_sentiment))
        .route("/reports", get(reports_page).post(generate_report))
        .route("/login", get(login_page))
        .route("/static/{file}", get(asset))
}

/// The context every page gets: the user, the CSRF token and its field name.
fn base(user: &CurrentUser) -> Value {
    context! {
        user => &user.name,
        csrf => user.csrf_token(),
        csrf_field => CSRF_FIELD,
    }
}

/// Renders `name` with the base context of `user` merged with `view`.
fn page(name: &str, user: &CurrentUser, view: Value) -> Response {
    match templates::render(name, context! { ..view, ..base(user) }) {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(Some(user), e),
    }
}

/// The HTML error page for `err` with its status (the message is the error's text).
fn error_page(user: Option<&CurrentUser>, err: WebError) -> Response {
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "page failed");
    }
    let title = match status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::BAD_REQUEST => "请求有误",
        StatusCode::FORBIDDEN => "无权操作",
        _ => "出错了",
    };
    let ctx = context! {
        title => title,
        message => err.to_string(),
        ..user.map(base).unwrap_or_default()
    };
    let body = templates::render("error.html", ctx)
        .unwrap_or_else(|_| format!("{title}: {}", html::escape(&err.to_string())));
    (status, Html(body)).into_response()
}

/// `GET /` and `GET /search` (400 with the page and its message when the search is refused).
async fn search_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Response {
    let p = p.normalized();
    match state.blocking(move |s| search::search_view(s, &p)).await {
        Ok(v) => {
            let mut r = page("search.html", &user, v.view);
            if v.refused && r.status().is_success() {
                *r.status_mut() = StatusCode::BAD_REQUEST;
            }
            r
        }
        Err(e) => error_page(Some(&user), e),
    }
}

/// `GET /search/export.xlsx`: every hit of the search as a workbook (attachment).
async fn export_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Response {
    let p = p.normalized();
    match state.blocking(move |s| export::export_xlsx(s, &p)).await {
        Ok((bytes, _rows)) => {
            let name = format!("search-{}.xlsx", Utc::now().format("%Y%m%d-%H%M%S"));
            (
                [
                    (
                        CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (
                        CONTENT_DISPOSITION,
                        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                            .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                    (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => error_page(Some(&user), e),
    }
}

/// `GET /dashboard?from=&to=`.
async fn dashboard_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<dashboard::DashboardParams>,
) -> Response {
    match state
        .blocking(move |s| dashboard::dashboard_view(s, &p))
        .await
    {
        Ok(Ok(view)) => page("dashboard.html", &user, view),
        Ok(Err(msg)) => error_page(Some(&user), WebError::BadRequest(msg)),
        Err(e) => error_page(Some(&user), e),
    }
}

/// `GET /articles/{id}?q=&corrected=`.
async fn article_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(p): Query<article::ArticleParams>,
) -> Response {
    let shown = id.clone();
    match state
        .blocking(move |s| article::article_view(s, &id, &p))
        .await
    {
        Ok(Some(view)) => page("article.html", &user, view),
        Ok(None) => error_page(Some(&user), WebError::NotFound(format!("article {shown}"))),
        Err(e) => error_page(Some(&user), e),
    }
}

/// Body of `POST /articles/{id}/sentiment` (the CSRF field is checked by the auth layer).
#[derive(Debug, Deserialize)]
struct CorrectionForm {
    label: String,
}

/// `POST /articles/{id}/sentiment`: stores the analyst's label with
/// `Store::record_correction` and redirects (303) back to the article with `corrected=1`.
async fn correct_sentiment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<CorrectionForm>,
) -> Response {
    let Some(label) = SentimentLabel::parse(form.label.trim()) else {
        return error_page(
            Some(&user),
            WebError::BadRequest(format!(
                "label: expected positive, neutral or negative, got {:?}",
                form.label
            )),
        );
    };
    let name = user.name.clone();
    let article = ArticleId::from_raw(id.clone());
    let res = state
        .blocking(move |s| {
            if s.store.article(&article)?.is_none() {
                return Err(WebError::NotFound(format!("article {article}")));
            }
            s.store
                .record_correction(&article, label, &name, Utc::now())
                .map_err(WebError::from)
        })
        .await;
    match res {
        Ok(()) => {
            tracing::info!(article = %id, label = label.as_str(), user = %user.name, "sentiment corrected");
            Redirect::to(&format!("/articles/{id}?corrected=1")).into_response()
        }
        Err(e) => error_page(Some(&user), e),
    }
}

/// Query of `GET /reports`: `made` names the report just generated.
#[derive(Debug, Default, Deserialize)]
struct ReportsParams {
    #[serde(default)]
    made: String,
}

async fn reports_view(
    state: &AppState,
    user: &CurrentUser,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    match state.blocking(reports::files).await {
        Ok(files) => {
            // What an empty date box means right now (the server applies the same rule
            // when the form is sent, with its own clock).
            let defaults = reports::DefaultPeriods::at(Utc::now());
            page(
                "reports.html",
                user,
                context! {
                    nav => "reports",
                    files => files,
                    defaults => defaults,
                    message => message,
                    error => error,
                },
            )
        }
        Err(e) => error_page(Some(user), e),
    }
}

/// `GET /reports`.
async fn reports_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ReportsParams>,
) -> Response {
    let made = p.made.trim();
    let message =
        (!made.is_empty()).then(|| format!("已生成 {made}（HTML、Markdown、Word、Excel）。"));
    reports_view(&state, &user, message, None).await
}

/// Body of `POST /reports`. Missing fields are empty (an empty date is the last period that
/// has ended in Beijing, as in the API and the CLI: yesterday, or the last Monday–Sunday
/// week; an empty kind is refused on the page) instead of axum's plain-text 422.
#[derive(Debug, Deserialize)]
struct GenerateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
}

/// `POST /reports`: generates the daily or weekly report of the date (empty: the last period
/// that has ended, `crate::reports::report_period`) in four formats, then
/// redirects (303) to `/reports?made=<stem>`; a bad kind, or a date that is not YYYY-MM-DD,
/// does not exist or lies after today in Beijing (the API's and the CLI's rule), re-renders
/// the page with a Chinese message naming it (400) and writes nothing.
async fn generate_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<GenerateForm>,
) -> Response {
    let weekly = match form.kind.as_str() {
        "daily" => false,
        "weekly" => true,
        other => {
            let msg = format!("未知的报告类型“{other}”");
            return reports_refused(&state, &user, msg).await;
        }
    };
    match state
        .blocking(move |s| reports::make(s, weekly, &form.date))
        .await
    {
        Ok(stem) => Redirect::to(&format!("/reports?made={stem}")).into_response(),
        Err(WebError::BadDate(e)) => {
            reports_refused(&state, &user, reports::date_error_zh(&e)).await
        }
        Err(e) => error_page(Some(&user), e),
    }
}

/// The reports page with the error `msg` shown above the form, status 400.
async fn reports_refused(state: &AppState, user: &CurrentUser, msg: String) -> Response {
    let mut r = reports_view(state, user, None, Some(msg)).await;
    if r.status().is_success() {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

/// The HTML 404 page for a path outside `/api/` (the fallback of the app; `/api/...` keeps
/// the JSON error). With the navigation when someone is logged in.
pub(crate) fn not_found_page(user: Option<&CurrentUser>, path: &str) -> Response {
    let ctx = context! {
        title => "页面不存在",
        message => format!("没有找到页面 {path}，请检查地址。"),
        ..user.map(base).unwrap_or_default()
    };
    let body = templates::render("error.html", ctx)
        .unwrap_or_else(|_| format!("页面不存在：{}", html::escape(path)));
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

/// Query of `GET /login`: where to go after logging in, and `error=1` after a failure.
#[derive(Debug, Default, Deserialize)]
struct LoginParams {
    #[serde(default)]
    next: String,
    #[serde(default)]
    error: String,
}

/// The message of the login form after wrong credentials.
pub(crate) const BAD_CREDENTIALS: &str = "用户名或密码错误。";

/// `GET /login`: the login form (posts `name`, `password`, `next` to `POST /login`).
async fn login_page(Query(p): Query<LoginParams>) -> Response {
    login_form(
        StatusCode::OK,
        &p.next,
        (p.error == "1").then_some(BAD_CREDENTIALS),
    )
}

/// The login form with status `status`, going to `next` after login (only a local path is
/// kept), showing `error` if any. Used by `GET /login` and by a failed form `POST /login`.
pub(crate) fn login_form(status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let next = next.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let ctx = context! {
        next => if local { next } else { "" },
        error => error,
        csrf_field => CSRF_FIELD,
    };
    match templates::render("login.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => error_page(None, e),
    }
}

/// `GET /static/{file}`: an embedded asset (no login needed), cached for an hour.
async fn asset(Path(file): Path<String>) -> Response {
    match templates::ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, ctype, bytes)) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(ctype)),
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => error_page(None, WebError::NotFound(format!("static file {file}"))),
    }
}
