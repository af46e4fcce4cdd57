//! The JSON API handlers under `/api` (routes in [`ROUTES`], documented in
//! [`crate::openapi_document`]).
//!
//! Every parameter is parsed here (not by axum's extractors, whose rejections are plain
//! text), so every bad input is a 400 JSON error naming the parameter.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::Serialize;
use yuqing_index::{FacetCount, SearchRequest, SortOrder};
use yuqing_model::{ArticleId, SentimentLabel, Tier};
use yuqing_themes::ThemeKind;

use crate::reports;
use crate::{AppState, CurrentUser, WebError};

/// Every API route path (axum syntax), in the order registered; the OpenAPI document lists
/// each (checked by a test).
pub const ROUTES: [&str; 9] = [
    "/api/health",
    "/api/search",
    "/api/articles/{id}",
    "/api/articles/{id}/sentiment",
    "/api/themes",
    "/api/coverage",
    "/api/reports",
    "/api/reports/{file}",
    "/api/openapi.json",
];

/// Page size of `/api/search` when `limit` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest `limit` of `/api/search`.
pub const MAX_PAGE_SIZE: usize = 100;
/// Deepest hit `/api/search` pages to (`page × limit`), so a request cannot ask the index to
/// rank millions of hits.
pub const MAX_SEARCH_DEPTH: usize = 10_000;

/// The API routes.
pub(crate) fn routes() -> Router<AppState> {
    use axum::routing::post;
    let [
        health_p,
        search_p,
        article_p,
        sentiment_p,
        themes_p,
        coverage_p,
        reports_p,
        report_p,
        openapi_p,
    ] = ROUTES;
    Router::new()
        .route(health_p, get(health))
        .route(search_p, get(search))
        .route(article_p, get(article))
        .route(sentiment_p, post(correct_sentiment))
        .route(themes_p, get(themes))
        .route(coverage_p, get(coverage))
        .route(reports_p, get(list_reports).post(generate_report))
        .route(report_p, get(download_report))
        .route(openapi_p, get(openapi))
}

/// Beijing time (UTC+8), the zone of every time the API returns and of dates it reads.
fn beijing() -> FixedOffset {
    // 8 h is within the ±24 h FixedOffset accepts, so this cannot fail.
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// RFC 3339 in Beijing time, seconds precision: `2026-03-01T10:00:00+08:00`.
pub(crate) fn rfc3339_bj(t: &DateTime<Utc>) -> String {
    t.with_timezone(&beijing())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Query parameters as a map (first value wins), decoded.
fn query_map(raw: Option<String>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    if let Some(raw) = raw {
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
    }
    map
}

/// A non-empty parameter value.
fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `YYYY-MM-DD` (a Beijing day: its start, or with `end_of_day` its last instant) or an
/// RFC 3339 time.
fn parse_time(name: &str, v: &str, end_of_day: bool) -> Result<DateTime<Utc>, WebError> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let day = if end_of_day { d.succ_opt() } else { Some(d) };
        let start = day
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| beijing().from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc));
        if let Some(t) = start {
            return Ok(if end_of_day {
                t - Duration::nanoseconds(1)
            } else {
                t
            });
        }
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            WebError::BadRequest(format!(
                "{name}: {v:?} is neither a date YYYY-MM-DD nor an RFC 3339 time"
            ))
        })
}

fn parse_bool(name: &str, v: &str) -> Result<bool, WebError> {
    match v {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(WebError::BadRequest(format!(
            "{name}: {v:?} is not a boolean (true/false/1/0)"
        ))),
    }
}

fn parse_usize(name: &str, v: &str, min: usize, max: usize) -> Result<usize, WebError> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            WebError::BadRequest(format!("{name}: {v:?} is not a number in {min}..={max}"))
        })
}

fn parse_sentiment(name: &str, v: &str) -> Result<SentimentLabel, WebError> {
    SentimentLabel::parse(v).ok_or_else(|| {
        WebError::BadRequest(format!(
            "{name}: {v:?} is not one of positive, neutral, negative"
        ))
    })
}

/// The search request of `/api/search`'s parameters (see the OpenAPI document).
///
/// A page past the last page of hits is not an error: it answers 200 with no hits and the
/// real `total` (and `pages`), so a script can tell "past the end" from "nothing found".
fn search_request(q: &HashMap<String, String>) -> Result<(SearchRequest, usize), WebError> {
    let text = param(q, "q").unwrap_or("");
    WebError::check_query_len(text)?;
    let mut req = SearchRequest::new(text);
    req.limit = match param(q, "limit") {
        Some(v) => parse_usize("limit", v, 1, MAX_PAGE_SIZE)?,
        None => DEFAULT_PAGE_SIZE,
    };
    let page = match param(q, "page") {
        Some(v) => parse_usize("page", v, 1, MAX_SEARCH_DEPTH)?,
        None => 1,
    };
    req.offset = (page - 1) * req.limit;
    if req.offset + req.limit > MAX_SEARCH_DEPTH {
        return Err(WebError::BadRequest(format!(
            "page: {page} × limit {} is deeper than {MAX_SEARCH_DEPTH} hits; narrow the search",
            req.limit
        )));
    }
    req.from = param(q, "from")
        .map(|v| parse_time("from", v, false))
        .transpose()?;
    req.to = param(q, "to")
        .map(|v| parse_time("to", v, true))
        .transpose()?;
    if let (Some(f), Some(t)) = (req.from, req.to)
        && f > t
    {
        return Err(WebError::BadRequest("from: is after to".into()));
    }
    req.theme = param(q, "theme").map(str::to_string);
    req.source = param(q, "source").map(str::to_string);
    req.sentiment = param(q, "sentiment")
        .map(|v| parse_sentiment("sentiment", v))
        .transpose()?;
    req.tier = param(q, "tier")
        .map(|v| {
            Tier::parse(v).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "tier: {v:?} is not one of central, provincial, industry, commercial, self-media"
                ))
            })
        })
        .transpose()?;
    req.collapse = param(q, "collapse")
        .map(|v| parse_bool("collapse", v))
        .transpose()?
        .unwrap_or(false);
    req.sort = match param(q, "sort") {
        None | Some("relevance") => SortOrder::Relevance,
        Some("time") => SortOrder::Time,
        Some(v) => {
            return Err(WebError::BadRequest(format!(
                "sort: {v:?} is not one of relevance, time"
            )));
        }
    };
    req.facets = param(q, "facets")
        .map(|v| parse_bool("facets", v))
        .transpose()?
        .unwrap_or(true);
    Ok((req, page))
}

/// One hit of `/api/search`.
#[derive(Serialize)]
struct ApiHit {
    id: String,
    title: String,
    url: String,
    source: String,
    site: String,
    tier: String,
    published_at: Option<String>,
    snippet: String,
    themes: Vec<String>,
    sentiment: Option<SentimentLabel>,
    sentiment_score: Option<f32>,
    score: f32,
    cluster: String,
    cluster_size: u64,
    reprints: u64,
}

/// A facet value with, for themes, the theme's name.
#[derive(Serialize)]
struct ApiFacet {
    key: String,
    count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
struct ApiFacets {
    theme: Vec<ApiFacet>,
    sentiment: Vec<ApiFacet>,
    tier: Vec<ApiFacet>,
    source: Vec<ApiFacet>,
    day: Vec<ApiFacet>,
}

#[derive(Serialize)]
struct SearchResponse {
    total: usize,
    /// Pages of `limit` hits the total fills (0 when nothing matched); a `page` above it
    /// has no hits.
    pages: usize,
    page: usize,
    limit: usize,
    hits: Vec<ApiHit>,
    facets: Option<ApiFacets>,
}

/// The index snippet marks terms with `<em>`; the API promises `<b>`. The snippet text is
/// HTML-escaped, so a literal `<em>` in an article is `&lt;em&gt;` and is not touched.
fn bold_marks(snippet: &str) -> String {
    snippet.replace("<em>", "<b>").replace("</em>", "</b>")
}

/// `GET /api/search`.
async fn search(
    State(state): State<AppState>,
    _user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, WebError> {
    let (req, page) = search_request(&query_map(raw))?;
    if let Some(theme) = req.theme.as_deref() {
        WebError::check_theme(&state.themes, theme)?;
    }
    state
        .blocking(move |s| {
            if let Some(source) = req.source.as_deref()
                && !crate::ui::source_is_known(s, source)?
            {
                return Err(WebError::UnknownSource(source.to_string()));
            }
            let res = s.index.search(&req)?;
            let facet = |list: Vec<FacetCount>, names: bool| -> Vec<ApiFacet> {
                list.into_iter()
                    .map(|f| ApiFacet {
                        name: if names {
                            s.themes.theme(&f.key).map(|t| t.name.clone())
                        } else {
                            None
                        },
                        key: f.key,
                        count: f.count,
                    })
                    .collect()
            };
            let facets = res.facets.map(|f| ApiFacets {
                theme: facet(f.theme, true),
                sentiment: facet(f.sentiment, false),
                tier: facet(f.tier, false),
                source: facet(f.source, false),
                day: facet(f.day, false),
            });
            let hits = res
                .hits
                .into_iter()
                .map(|h| ApiHit {
                    published_at: h.published_at.as_ref().map(rfc3339_bj),
                    snippet: bold_marks(&h.snippet),
                    reprints: h.cluster_size.saturating_sub(1),
                    id: h.id,
                    title: h.title,
                    url: h.url,
                    source: h.source,
                    site: h.site,
                    tier: h.tier,
                    themes: h.themes,
                    sentiment: h.sentiment,
                    sentiment_score: h.sentiment_score,
                    score: h.score,
                    cluster: h.cluster,
                    cluster_size: h.cluster_size,
                })
                .collect();
            Ok(Json(SearchResponse {
                total: res.total,
                pages: res.total.div_ceil(req.limit),
                page,
                limit: req.limit,
                hits,
                facets,
            }))
        })
        .await
}

/// An article id from the path: 16 lowercase hex digits (the store's form).
fn article_id(raw: &str) -> Result<ArticleId, WebError> {
    if raw.len() == 16
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(ArticleId::from_raw(raw))
    } else {
        Err(WebError::NotFound(format!("article {raw:?}")))
    }
}

#[derive(Serialize)]
struct ApiArticle {
    id: String,
    title: String,
    url: String,
    canonical_url: String,
    source: String,
    site: String,
    tier: &'static str,
    author: Option<String>,
    editor: Option<String>,
    published_at: Option<String>,
    date_source: &'static str,
    fetched_at: String,
    body: String,
}

#[derive(Serialize)]
struct ApiThemeMatch {
    id: String,
    name: Option<String>,
    kind: Option<ThemeKind>,
    score: f32,
    hits: Vec<yuqing_model::TermHit>,
}

#[derive(Serialize)]
struct ApiCorrection {
    label: SentimentLabel,
    user: String,
    at: String,
}

/// The model's own verdict on an article.
#[derive(Serialize)]
struct ApiModelSentiment {
    label: SentimentLabel,
    score: f32,
}

#[derive(Serialize)]
struct ApiSentiment {
    /// The label in force (an analyst's correction wins over the model).
    label: SentimentLabel,
    /// The score in force: the model's, or under a correction the corrected label's pole
    /// (+1 positive, 0 neutral, -1 negative).
    score: f32,
    /// The model's evidence (kept under a correction).
    evidence: Vec<yuqing_model::Evidence>,
    correction: Option<ApiCorrection>,
    /// The model's label and score, also under a correction (`None` when the index no
    /// longer holds them).
    model: Option<ApiModelSentiment>,
}

/// The model's `(label, score)` of article `id`: the store's sentiment when the article is
/// not corrected (`corrected` false, `stored` is then the model's), else the model's own
/// verdict kept in the store beside the correction ([`yuqing_store::Store::model_sentiment`];
/// the index cannot tell it, since the pipeline re-indexes a corrected article with the
/// corrected label). `None` when the model gave none. Blocking (one store read when
/// corrected).
pub(crate) fn model_sentiment(
    state: &AppState,
    id: &ArticleId,
    stored: Option<&yuqing_model::Sentiment>,
    corrected: bool,
) -> Option<(SentimentLabel, f32)> {
    if !corrected {
        return stored.map(|s| (s.label, s.score));
    }
    let model = state.store.model_sentiment(id).ok().flatten()?;
    Some((model.label, model.score))
}

#[derive(Serialize)]
struct ApiMember {
    id: String,
    title: String,
    url: String,
    source: String,
    tier: &'static str,
    published_at: Option<String>,
}

#[derive(Serialize)]
struct ApiCluster {
    id: String,
    size: usize,
    /// The other articles of the cluster (reprints), earliest first as the store lists them.
    members: Vec<ApiMember>,
}

#[derive(Serialize)]
struct ArticleResponse {
    article: ApiArticle,
    themes: Vec<ApiThemeMatch>,
    sentiment: Option<ApiSentiment>,
    cluster: Option<ApiCluster>,
}

/// `GET /api/articles/{id}`.
async fn article(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Json<ArticleResponse>, WebError> {
    let id = article_id(&raw)?;
    state
        .blocking(move |s| {
            let a = s
                .store
                .article(&id)?
                .ok_or_else(|| WebError::NotFound(format!("article {id}")))?;
            let analysis = s.store.analysis(&id)?.unwrap_or_default();
            let correction = s.store.sentiment_correction(&id)?;
            let themes = analysis
                .themes
                .into_iter()
                .map(|m| {
                    let t = s.themes.theme(&m.theme);
                    ApiThemeMatch {
                        name: t.map(|t| t.name.clone()),
                        kind: t.map(|t| t.kind),
                        id: m.theme,
                        score: m.score,
                        hits: m.hits,
                    }
                })
                .collect();
            let model = model_sentiment(s, &id, analysis.sentiment.as_ref(), correction.is_some())
                .map(|(label, score)| ApiModelSentiment { label, score });
            let sentiment = analysis.sentiment.map(|se| ApiSentiment {
                model,
                label: se.label,
                score: se.score,
                evidence: se.evidence,
                correction: correction.map(|c| ApiCorrection {
                    label: c.label,
                    user: c.user,
                    at: rfc3339_bj(&c.at),
                }),
            });
            let cluster = match analysis.cluster {
                Some(cid) => {
                    let members = s.store.cluster_members(&cid)?;
                    Some(ApiCluster {
                        id: cid.to_string(),
                        size: members.len(),
                        members: members
                            .into_iter()
                            .filter(|m| m.id != a.id)
                            .map(|m| ApiMember {
                                id: m.id.to_string(),
                                title: m.title,
                                url: m.url,
                                source: m.source,
                                tier: m.tier.as_str(),
                                published_at: m.published_at.as_ref().map(rfc3339_bj),
                            })
                            .collect(),
                    })
                }
                None => None,
            };
            Ok(Json(ArticleResponse {
                article: ApiArticle {
                    id: a.id.to_string(),
                    published_at: a.published_at.as_ref().map(rfc3339_bj),
                    fetched_at: rfc3339_bj(&a.fetched_at),
                    tier: a.tier.as_str(),
                    date_source: a.date_source.as_str(),
                    title: a.title,
                    url: a.url,
                    canonical_url: a.canonical_url,
                    source: a.source,
                    site: a.site,
                    author: a.author,
                    editor: a.editor,
                    body: a.body,
                },
                themes,
                sentiment,
                cluster,
            }))
        })
        .await
}

/// The `label` field of a JSON (`{"label": ...}`) or url-encoded (`label=...`) body.
fn body_field(headers: &HeaderMap, body: &[u8], field: &str) -> Result<Option<String>, WebError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| WebError::BadRequest(format!("body: not JSON: {e}")))?;
        Ok(v.get(field).and_then(|x| x.as_str()).map(str::to_string))
    } else {
        Ok(url::form_urlencoded::parse(body)
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.into_owned()))
    }
}

/// `POST /api/articles/{id}/sentiment`: records the analyst's label; 200 with the correction.
async fn correct_sentiment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ApiCorrection>, WebError> {
    let id = article_id(&raw)?;
    let label = body_field(&headers, &body, "label")?
        .ok_or_else(|| WebError::BadRequest("label: missing".into()))?;
    let label = parse_sentiment("label", label.trim())?;
    state
        .blocking(move |s| {
            let at = Utc::now();
            match s.store.record_correction(&id, label, &user.name, at) {
                Ok(()) => Ok(Json(ApiCorrection {
                    label,
                    user: user.name,
                    at: rfc3339_bj(&at),
                })),
                Err(yuqing_store::StoreError::UnknownArticle { .. }) => {
                    Err(WebError::NotFound(format!("article {id}")))
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
}

/// `GET /api/themes`: the plan's sections and items.
async fn themes(State(state): State<AppState>, _user: CurrentUser) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "plan": state.themes.plan_name(),
        "themes": state.themes.themes(),
    }))
}

#[derive(Serialize)]
struct CoverageLatest {
    id: String,
    title: String,
    published_at: Option<String>,
}

#[derive(Serialize)]
struct CoverageRow {
    id: String,
    number: u32,
    name: String,
    articles: u64,
    stories: u64,
    by_tier: BTreeMap<&'static str, u64>,
    latest: Option<CoverageLatest>,
    gap: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<CoverageRow>>,
}

#[derive(Serialize)]
struct CoverageResponse {
    from: String,
    to: String,
    sections: Vec<CoverageRow>,
    gaps: Vec<String>,
}

/// `GET /api/coverage?from=&to=`: as `yuqing coverage --json` (default the last 30 days).
async fn coverage(
    State(state): State<AppState>,
    _user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<CoverageResponse>, WebError> {
    let q = query_map(raw);
    let to = param(&q, "to")
        .map(|v| parse_time("to", v, true))
        .transpose()?
        .unwrap_or_else(Utc::now);
    let from = param(&q, "from")
        .map(|v| parse_time("from", v, false))
        .transpose()?
        .unwrap_or(to - Duration::days(30));
    if from > to {
        return Err(WebError::BadRequest("from: is after to".into()));
    }
    state
        .blocking(move |s| {
            // `to` is inclusive; the store's period is half-open.
            let counts = s.store.theme_counts(from, to + Duration::nanoseconds(1))?;
            let by_id: HashMap<&str, &yuqing_store::ThemeCoverage> =
                counts.iter().map(|c| (c.theme.as_str(), c)).collect();
            let row = |t: &yuqing_themes::Theme| {
                let c = by_id.get(t.id.as_str());
                let articles = c.map_or(0, |c| c.articles);
                CoverageRow {
                    id: t.id.clone(),
                    number: t.number,
                    name: t.name.clone(),
                    articles,
                    stories: c.map_or(0, |c| c.stories),
                    by_tier: Tier::ALL
                        .iter()
                        .map(|tier| {
                            let n = c.and_then(|c| c.by_tier.get(tier)).copied();
                            (tier.as_str(), n.unwrap_or(0))
                        })
                        .collect(),
                    latest: c.and_then(|c| c.latest.as_ref()).map(|l| CoverageLatest {
                        id: l.id.to_string(),
                        title: l.title.clone(),
                        published_at: l.published_at.as_ref().map(rfc3339_bj),
                    }),
                    gap: articles == 0,
                    items: None,
                }
            };
            let all = s.themes.themes();
            let mut gaps = Vec::new();
            let sections = all
                .iter()
                .filter(|t| t.kind == ThemeKind::Section)
                .map(|sec| {
                    let items: Vec<CoverageRow> = all
                        .iter()
                        .filter(|i| i.kind == ThemeKind::Item && i.section == sec.id)
                        .map(row)
                        .collect();
                    gaps.extend(items.iter().filter(|i| i.gap).map(|i| i.id.clone()));
                    let mut r = row(sec);
                    r.items = Some(items);
                    r
                })
                .collect();
            Ok(Json(CoverageResponse {
                from: rfc3339_bj(&from),
                to: rfc3339_bj(&to),
                sections,
                gaps,
            }))
        })
        .await
}

/// `GET /api/reports`: the report files, newest period first.
async fn list_reports(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<serde_json::Value>, WebError> {
    state
        .blocking(|s| {
            let files = reports::list(&reports::dir(s))?;
            Ok(Json(serde_json::json!({ "reports": files })))
        })
        .await
}

/// `GET /api/reports/{file}`: the file as an attachment; only names `yuqing report` writes.
async fn download_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let format = reports::parse_name(&name)
        .ok_or_else(|| WebError::NotFound(format!("report {name:?}")))?
        .format;
    let path = reports::dir(&state).join(&name);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(WebError::NotFound(format!("report {name}")));
        }
        Err(e) => return Err(WebError::io(&path)(e)),
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| WebError::BadRequest(format!("file: {e}")))?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(reports::content_type(format)),
            ),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /api/reports` (`kind` = daily|weekly, `date` = YYYY-MM-DD, JSON or form body):
/// builds and writes the report of the day or Monday–Sunday week containing `date`; without a
/// date (or a blank one) the last period that has ended in Beijing: yesterday (daily), the
/// most recent Monday–Sunday week that has ended (weekly); 201 with the files written and
/// `complete` / `data_until`; 400 `bad_date` naming the date for a value that is not
/// YYYY-MM-DD, a day that does not exist or a day after today in Beijing (the CLI's rule,
/// [`reports::report_period`]), and nothing is written.
async fn generate_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let kind = body_field(&headers, &body, "kind")?.unwrap_or_else(|| "daily".into());
    let weekly = match kind.trim() {
        "daily" => false,
        "weekly" => true,
        other => {
            return Err(WebError::BadRequest(format!(
                "kind: {other:?} is not one of daily, weekly"
            )));
        }
    };
    // The date is checked inside `generate`, against the clock the report is built with.
    let date = body_field(&headers, &body, "date")?;
    let written = state
        .blocking(move |s| reports::generate(s, weekly, date.as_deref(), &reports::FORMATS))
        .await?;
    Ok((StatusCode::CREATED, Json(written)).into_response())
}

#[derive(Serialize)]
struct SourceProblem {
    id: String,
    last_error: Option<String>,
    consecutive_failures: u32,
    last_checked_at: String,
    last_ok_at: Option<String>,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    index_docs: u64,
    store_articles: u64,
    last_crawl_at: Option<String>,
    sources: usize,
    sources_with_errors: Vec<SourceProblem>,
}

/// `GET /api/health` (no login).
async fn health(State(state): State<AppState>) -> Result<Json<Health>, WebError> {
    state
        .blocking(|s| {
            let problems = s
                .store
                .source_health()?
                .into_iter()
                .filter(|h| !h.last_ok)
                .map(|h| SourceProblem {
                    last_checked_at: rfc3339_bj(&h.last_checked_at),
                    last_ok_at: h.last_ok_at.as_ref().map(rfc3339_bj),
                    id: h.source_id,
                    last_error: h.last_error,
                    consecutive_failures: h.consecutive_failures,
                })
                .collect();
            Ok(Json(Health {
                status: "ok",
                index_docs: s.index.num_docs()?,
                store_articles: s.store.article_count()?,
                last_crawl_at: s.store.last_run_started()?.as_ref().map(rfc3339_bj),
                sources: s.config.sources.len(),
                sources_with_errors: problems,
            }))
        })
        .await
}

/// `GET /api/openapi.json` (no login).
async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi_document())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn search_parameters_are_parsed_and_checked() {
        let (req, page) = search_request(&q(&[
            ("q", "快递"),
            ("page", "3"),
            ("limit", "10"),
            ("from", "2026-03-01"),
            ("to", "2026-03-01"),
            ("sentiment", "negative"),
            ("tier", "central"),
            ("collapse", "1"),
            ("sort", "time"),
        ]))
        .unwrap();
        assert_eq!((req.offset, req.limit, page), (20, 10, 3));
        assert_eq!(req.from.unwrap().to_rfc3339(), "2026-02-28T16:00:00+00:00");
        assert_eq!(
            req.to.unwrap().to_rfc3339_opts(SecondsFormat::Nanos, true),
            "2026-03-01T15:59:59.999999999Z"
        );
        assert_eq!(req.sentiment, Some(SentimentLabel::Negative));
        assert_eq!(req.tier, Some(Tier::Central));
        assert!(req.collapse && req.facets);
        assert_eq!(req.sort, SortOrder::Time);
        for (k, v) in [
            ("limit", "101"),
            ("limit", "0"),
            ("page", "x"),
            ("page", "600"),
            ("from", "yesterday"),
            ("sentiment", "angry"),
            ("tier", "x"),
            ("collapse", "maybe"),
            ("sort", "random"),
            ("q", &"快".repeat(crate::MAX_QUERY_CHARS + 1)),
        ] {
            let err = search_request(&q(&[(k, v)])).err();
            assert!(
                matches!(&err, Some(WebError::BadRequest(m)) if m.starts_with(k))
                    || matches!(&err, Some(e @ WebError::QueryTooLong(501)) if e.to_string().starts_with(k)),
                "{k}={v}: {err:?}"
            );
        }
    }

    #[test]
    fn snippet_marks_become_bold_but_escaped_text_stays() {
        assert_eq!(
            bold_marks("a <em>快递</em> &lt;em&gt;x"),
            "a <b>快递</b> &lt;em&gt;x"
        );
    }

    #[test]
    fn article_ids_are_checked() {
        assert!(article_id("0123456789abcdef").is_ok());
        assert!(matches!(article_id("../etc"), Err(WebError::NotFound(_))));
        assert!(article_id("0123456789ABCDEF").is_err());
    }

    #[test]
    fn times_are_beijing() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap();
        assert_eq!(rfc3339_bj(&t), "2026-03-01T10:00:00+08:00");
    }
}
