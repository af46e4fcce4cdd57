//! The JSON API handlers under `/api`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

use crate::{AppState, CurrentUser, WebError};

/// The API routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/themes", get(themes))
        .route("/api/openapi.json", get(openapi))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    index_docs: u64,
    store_articles: u64,
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, WebError> {
    state
        .blocking(|s| {
            Ok(Json(Health {
                status: "ok",
                index_docs: s.index.num_docs()?,
                store_articles: s.store.article_count()?,
            }))
        })
        .await
}

async fn themes(State(state): State<AppState>, _user: CurrentUser) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "themes": state.themes.themes() }))
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi_document())
}
