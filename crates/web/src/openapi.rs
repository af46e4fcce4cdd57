//! The OpenAPI 3.1 document of the JSON API, written by hand with `serde_json`.

use serde_json::{Value, json};

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn path_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn err(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn obj() -> Value {
    json!({ "type": "object" })
}

/// The OpenAPI 3.1 document served at `/api/openapi.json`: every API route (see the crate
/// doc) with its parameters, request bodies and responses; `POST /login` and `POST /logout`
/// too. Security: cookie `yuqing_session` or `Authorization: Bearer <token>` on everything
/// but `/api/health` and `/api/openapi.json`.
pub fn openapi_document() -> Value {
    let search_facets = json!({ "type": ["object", "null"], "properties": {
        "theme": { "type": "array", "items": { "$ref": "#/components/schemas/FacetCount" } },
        "sentiment": { "type": "array", "items": { "$ref": "#/components/schemas/FacetCount" } },
        "tier": { "type": "array", "items": { "$ref": "#/components/schemas/FacetCount" } },
        "source": { "type": "array", "items": { "$ref": "#/components/schemas/FacetCount" } },
        "day": { "type": "array", "items": { "$ref": "#/components/schemas/FacetCount" } } } });
    let search_ok = json!({ "type": "object", "properties": {
        "total": { "type": "integer" },
        "pages": { "type": "integer", "description": "pages of `limit` hits the total fills (0 when nothing matched)" },
        "page": { "type": "integer" }, "limit": { "type": "integer" },
        "hits": { "type": "array", "description": "empty when page > pages", "items": { "type": "object", "properties": {
            "id": { "type": "string" }, "title": { "type": "string" }, "url": { "type": "string" },
            "source": { "type": "string" }, "site": { "type": "string" }, "tier": { "type": "string" },
            "published_at": { "type": ["string", "null"] },
            "snippet": { "type": "string", "description": "HTML-escaped text, matched terms in <b>" },
            "themes": { "type": "array", "items": { "type": "string" } },
            "sentiment": { "type": ["string", "null"] }, "sentiment_score": { "type": ["number", "null"] },
            "score": { "type": "number" }, "cluster": { "type": "string" },
            "cluster_size": { "type": "integer" }, "reprints": { "type": "integer" } } } },
        "facets": search_facets } });
    let date_or_time =
        json!({ "type": "string", "examples": ["2026-03-01", "2026-03-01T08:00:00+08:00"] });
    let sentiment = json!({ "type": "string", "enum": ["positive", "neutral", "negative"] });
    let tier = json!({ "type": "string", "enum": ["central", "provincial", "industry", "commercial", "self-media"] });
    let report_file = json!({ "type": "object", "properties": {
        "name": { "type": "string" }, "kind": { "type": "string" }, "first_day": { "type": "string" },
        "format": { "type": "string", "enum": ["html", "md", "docx", "xlsx"] },
        "bytes": { "type": "integer" }, "modified": { "type": ["string", "null"] },
        "download": { "type": "string" } } });
    let written = json!({ "type": "object",
        "required": ["kind", "first_day", "last_day", "complete", "data_until", "articles", "stories", "gaps", "files"],
        "properties": {
            "kind": { "type": "string", "enum": ["daily", "weekly"] },
            "first_day": { "type": "string", "format": "date" },
            "last_day": { "type": "string", "format": "date" },
            "complete": { "type": "boolean",
                "description": "false while the period is still running (a report of today or of the current week): its counts will still grow" },
            "data_until": { "type": "string", "format": "date-time",
                "description": "RFC 3339, Beijing time: the period's end when complete, else the generation time" },
            "articles": { "type": "integer", "description": "articles in the period" },
            "stories": { "type": "integer", "description": "distinct stories (reprint clusters) in the period" },
            "gaps": { "type": "integer", "description": "plan items without coverage" },
            "files": { "type": "array", "items": report_file.clone() } } });
    let auth_errors = |mut responses: serde_json::Map<String, Value>| {
        responses.insert("401".into(), err("not logged in"));
        Value::Object(responses)
    };
    let csrf = json!({ "name": "X-CSRF-Token", "in": "header", "required": false,
        "description": "CSRF token of the session (required for cookie sessions unless the form field csrf_token is sent; not for bearer tokens)",
        "schema": { "type": "string" } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Yuqing 舆情 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Media monitoring: search coverage, plan themes, sentiment, reports. Times are RFC 3339 in Beijing time (+08:00); dates YYYY-MM-DD are Beijing days. Errors are {\"error\":{\"code\",\"message\"}}."
        },
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "yuqing_session" },
                "bearer": { "type": "http", "scheme": "bearer", "description": "token from `yuqing user token NAME`" }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } } },
                "FacetCount": { "type": "object", "properties": { "key": { "type": "string" }, "count": { "type": "integer" }, "name": { "type": "string" } } }
            }
        },
        "security": [ { "session": [] }, { "bearer": [] } ],
        "paths": {
            "/api/health": { "get": {
                "summary": "Index size, store size, last crawl, sources with errors (no login)",
                "security": [],
                "responses": { "200": ok("health", json!({ "type": "object", "properties": {
                    "status": { "type": "string" }, "index_docs": { "type": "integer" },
                    "store_articles": { "type": "integer" }, "last_crawl_at": { "type": ["string", "null"] },
                    "sources": { "type": "integer" }, "sources_with_errors": { "type": "array" } } })) }
            } },
            "/api/search": { "get": {
                "summary": "Full-text search with filters, paging and facet counts",
                "parameters": [
                    query("q", "query (terms, \"phrases\", AND/OR/NOT, title:, body:, source: ...); empty = all; at most 500 characters (MAX_QUERY_CHARS), longer is 400 query_too_long", json!({ "type": "string", "maxLength": crate::MAX_QUERY_CHARS })),
                    query("from", "articles at or after (date = start of that Beijing day)", date_or_time.clone()),
                    query("to", "articles at or before (date = end of that Beijing day)", date_or_time.clone()),
                    query("theme", "plan theme id, e.g. s4 or s4.i10", json!({ "type": "string" })),
                    query("sentiment", "sentiment label", sentiment.clone()),
                    query("source", "source id", json!({ "type": "string" })),
                    query("tier", "media tier", tier),
                    query("collapse", "one hit per reprint cluster", json!({ "type": "boolean", "default": false })),
                    query("sort", "ordering", json!({ "type": "string", "enum": ["relevance", "time"], "default": "relevance" })),
                    query("page", "1-based page; a page past the last (above `pages`) is 200 with empty hits and the real total; page × limit deeper than 10000 hits is 400 bad_request", json!({ "type": "integer", "minimum": 1, "default": 1 })),
                    query("limit", "page size", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 })),
                    query("facets", "compute facet counts", json!({ "type": "boolean", "default": true }))
                ],
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), ok("a page of hits", search_ok)),
                    ("400".to_string(), err("bad parameter, a query the parser rejects (code bad_query, the parser's message), a theme id that is not in /api/themes (code unknown_theme), a source id neither in sources.toml nor in the index (code unknown_source), or q longer than 500 characters (code query_too_long; nothing is searched)"))
                ]))
            } },
            "/api/articles/{id}": { "get": {
                "summary": "An article with its themes and hit terms, sentiment with evidence and correction, reprint cluster",
                "parameters": [ path_param("id", "article id, 16 hex digits") ],
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), ok("the article", json!({ "type": "object", "properties": {
                        "article": obj(), "themes": { "type": "array" },
                        "sentiment": { "type": ["object", "null"], "description": "label and score in force (under an analyst's correction: the corrected label and its pole +1/0/-1), the model's evidence, correction {label,user,at} or null, model {label,score}: the model's own verdict, kept under a correction (null if unknown)" },
                        "cluster": { "type": ["object", "null"] } } }))),
                    ("404".to_string(), err("no such article"))
                ]))
            } },
            "/api/articles/{id}/sentiment": { "post": {
                "summary": "Record an analyst's sentiment correction (wins over the model)",
                "parameters": [ path_param("id", "article id, 16 hex digits"), csrf.clone() ],
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": { "type": "object", "required": ["label"], "properties": { "label": sentiment.clone() } } },
                    "application/x-www-form-urlencoded": { "schema": { "type": "object", "required": ["label"], "properties": { "label": sentiment, "csrf_token": { "type": "string" } } } } } },
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), ok("the correction", json!({ "type": "object", "properties": {
                        "label": { "type": "string" }, "user": { "type": "string" }, "at": { "type": "string" } } }))),
                    ("400".to_string(), err("missing or unknown label")),
                    ("403".to_string(), err("missing or wrong CSRF token")),
                    ("404".to_string(), err("no such article"))
                ]))
            } },
            "/api/themes": { "get": {
                "summary": "The plan's sections and items",
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), ok("themes", json!({ "type": "object", "properties": {
                        "plan": { "type": ["string", "null"] },
                        "themes": { "type": "array", "items": { "type": "object", "properties": {
                            "id": { "type": "string" }, "kind": { "type": "string", "enum": ["section", "item"] },
                            "section": { "type": "string" }, "number": { "type": "integer" }, "name": { "type": "string" } } } } } })))
                ]))
            } },
            "/api/coverage": { "get": {
                "summary": "Coverage per plan section and item in a period (default the last 30 days), with gaps",
                "parameters": [
                    query("from", "period start (date = start of that Beijing day)", date_or_time.clone()),
                    query("to", "period end, inclusive (date = end of that Beijing day)", date_or_time)
                ],
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), ok("coverage", json!({ "type": "object", "properties": {
                        "from": { "type": "string" }, "to": { "type": "string" },
                        "sections": { "type": "array" }, "gaps": { "type": "array", "items": { "type": "string" } } } }))),
                    ("400".to_string(), err("bad date"))
                ]))
            } },
            "/api/reports": {
                "get": {
                    "summary": "Report files in <data>/reports, newest period first",
                    "responses": auth_errors(serde_json::Map::from_iter([
                        ("200".to_string(), ok("files", json!({ "type": "object", "properties": { "reports": { "type": "array", "items": report_file } } })))
                    ]))
                },
                "post": {
                    "summary": "Generate the daily or weekly guidance report (html, md, docx, xlsx)",
                    "parameters": [ csrf ],
                    "requestBody": { "required": true, "content": {
                        "application/json": { "schema": { "type": "object", "properties": {
                            "kind": { "type": "string", "enum": ["daily", "weekly"], "default": "daily" },
                            "date": { "type": "string", "format": "date",
                                "description": "a day of the period (the day, or the Monday–Sunday week, containing it; may be today, the report then says the period has not ended), Beijing, not in the future; absent or blank: the last period that has ended, i.e. yesterday (daily) or the most recent Monday–Sunday week that has ended (weekly; on a Tuesday the week before the running one)" } } } },
                        "application/x-www-form-urlencoded": { "schema": { "type": "object", "properties": {
                            "kind": { "type": "string" }, "date": { "type": "string", "description": "as in JSON; empty = the default period" }, "csrf_token": { "type": "string" } } } } } },
                    "responses": auth_errors(serde_json::Map::from_iter([
                        ("201".to_string(), ok("files written", written)),
                        ("400".to_string(), err("code bad_request: kind is not daily or weekly; code bad_date: a date that is not YYYY-MM-DD, does not exist or is after today in Beijing (the message names it; nothing is written)")),
                        ("403".to_string(), err("missing or wrong CSRF token"))
                    ]))
                }
            },
            "/api/reports/{file}": { "get": {
                "summary": "Download a report file",
                "parameters": [ path_param("file", "file name as listed, e.g. daily-2026-11-30.docx") ],
                "responses": auth_errors(serde_json::Map::from_iter([
                    ("200".to_string(), json!({ "description": "the file (attachment)" })),
                    ("404".to_string(), err("no such report (any other name, e.g. with a path, is refused)"))
                ]))
            } },
            "/api/openapi.json": { "get": {
                "summary": "This document (no login)",
                "security": [],
                "responses": { "200": ok("OpenAPI 3.1", obj()) }
            } },
            "/login": { "post": {
                "summary": "Log in: sets the session cookie (HttpOnly, SameSite=Lax)",
                "security": [],
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": { "type": "object", "required": ["name", "password"], "properties": {
                        "name": { "type": "string" }, "password": { "type": "string" } } } },
                    "application/x-www-form-urlencoded": { "schema": { "type": "object", "required": ["name", "password"], "properties": {
                        "name": { "type": "string" }, "password": { "type": "string" }, "next": { "type": "string" } } } } } },
                "responses": {
                    "200": ok("JSON login: user, csrf_token, expires_at", obj()),
                    "303": { "description": "form login: to next (success) or /login?error=1" },
                    "401": err("wrong user name or password (JSON login)"),
                    "429": err("too many failed logins for this name (login_attempts_per_minute a minute) or from this address (4 times as many); the Retry-After header gives the seconds until the oldest failure leaves the one-minute window (at least 1)")
                }
            } },
            "/logout": { "post": {
                "summary": "End the session (CSRF token required)",
                "parameters": [ { "name": "X-CSRF-Token", "in": "header", "required": false, "schema": { "type": "string" } } ],
                "responses": { "303": { "description": "to /login" }, "403": err("missing or wrong CSRF token") }
            } }
        }
    })
}
