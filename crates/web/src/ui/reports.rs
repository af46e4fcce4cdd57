//! The reports page's view of the report files: the listing and generation of
//! `crate::reports` (shared with the API: same directory, names and rendering as
//! `yuqing report`), shown with Chinese labels, sizes and Beijing times; downloads go to the
//! API's `/api/reports/{name}` (the session cookie is enough for a GET).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use yuqing_report::beijing_time_str;

use crate::reports::{FORMATS, dir, generate, list};
use crate::{AppState, WebError};

/// One listed report file as the page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct FileView {
    pub name: String,
    pub link: String,
    pub kind: &'static str,
    pub size: String,
    pub modified: String,
}

/// `1.2 MB`, `34 KB`, `512 B`.
fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{} KB", n.div_ceil(1 << 10)),
        n => format!("{n} B"),
    }
}

/// A field of a serialised record as text (empty when absent).
fn text(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The report files, newest period first, for the page (blocking).
///
/// Errors: [`WebError::Io`] when the reports directory exists but cannot be read.
pub(crate) fn files(state: &AppState) -> Result<Vec<FileView>, WebError> {
    list(&dir(state))?
        .iter()
        .map(|f| {
            // `ReportFile` is the API's record; its serde form is its public shape.
            let v = serde_json::to_value(f)
                .map_err(|e| WebError::Task(format!("report file record: {e}")))?;
            let modified = DateTime::parse_from_rfc3339(&text(&v, "modified"))
                .map(|t| beijing_time_str(t.with_timezone(&Utc)))
                .unwrap_or_default();
            Ok(FileView {
                link: text(&v, "download"),
                kind: if text(&v, "kind") == "weekly" {
                    "周报"
                } else {
                    "日报"
                },
                size: human_size(
                    v.get("bytes")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0),
                ),
                modified,
                name: text(&v, "name"),
            })
        })
        .collect()
}

/// Generates the daily or weekly report of `date` in every format (blocking, seconds on a
/// large store) and returns its file stem (`daily-2026-11-30`).
///
/// Errors: those of `crate::reports::generate`.
pub(crate) fn make(state: &AppState, weekly: bool, date: NaiveDate) -> Result<String, WebError> {
    let written = generate(state, weekly, date, &FORMATS)?;
    let v = serde_json::to_value(&written)
        .map_err(|e| WebError::Task(format!("report record: {e}")))?;
    Ok(format!("{}-{}", text(&v, "kind"), text(&v, "first_day")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(3 << 20), "3.0 MB");
        assert_eq!(human_size(1500), "2 KB");
        assert_eq!(human_size(12), "12 B");
    }
}
