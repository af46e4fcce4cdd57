//! The analysts' HTML pages (owned by the web-ui work; this is the placeholder).

use crate::AppState;

/// The pages' routes, merged into the app by [`crate::WebApp::router`].
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
}
