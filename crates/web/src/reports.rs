//! Report files of the API: `<data_dir>/reports/<daily|weekly>-<first day>.<html|md|docx|xlsx>`,
//! the names and layout `yuqing report` writes, built with the same `yuqing_report` calls
//! (load → build with the segmenter → render, written via a temporary file and a rename).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use yuqing_report::{
    Period, PeriodKind, Report, ReportInput, render_docx, render_html, render_markdown, render_xlsx,
};

use crate::{AppState, WebError};

/// A report file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    Html,
    Md,
    Docx,
    Xlsx,
}

/// Every format, in the order written.
pub(crate) const FORMATS: [Format; 4] = [Format::Html, Format::Md, Format::Docx, Format::Xlsx];

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The `Content-Type` a report file is served with.
pub(crate) fn content_type(f: Format) -> &'static str {
    match f {
        Format::Html => "text/html; charset=utf-8",
        Format::Md => "text/markdown; charset=utf-8",
        Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// A parsed report file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReportName {
    pub(crate) weekly: bool,
    pub(crate) first_day: NaiveDate,
    pub(crate) format: Format,
}

/// Parses `daily-2026-11-30.html` and the like; anything else (other characters, `/`, `..`,
/// dot files, other extensions) is `None`, so a name taken from a URL never leaves the
/// reports directory.
pub(crate) fn parse_name(name: &str) -> Option<ReportName> {
    let (stem, ext) = name.rsplit_once('.')?;
    let format = FORMATS.into_iter().find(|f| f.ext() == ext)?;
    let (kind, day) = stem.split_once('-')?;
    let weekly = match kind {
        "daily" => false,
        "weekly" => true,
        _ => return None,
    };
    if day.len() != 10 || !day.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let first_day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(ReportName {
        weekly,
        first_day,
        format,
    })
}

/// `<data_dir>/reports`.
pub(crate) fn dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("reports")
}

/// One report file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReportFile {
    /// File name (`daily-2026-11-30.html`).
    name: String,
    /// `daily` or `weekly`.
    kind: &'static str,
    /// First day of the period, `YYYY-MM-DD`.
    first_day: String,
    format: Format,
    /// Size, bytes.
    bytes: u64,
    /// Last modified, RFC 3339 UTC.
    modified: Option<String>,
    /// `/api/reports/<name>`.
    download: String,
}

fn describe(
    path: &Path,
    name: String,
    parsed: &ReportName,
) -> Result<Option<ReportFile>, WebError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(WebError::io(path)(e)),
    };
    if !meta.is_file() {
        return Ok(None);
    }
    Ok(Some(ReportFile {
        kind: if parsed.weekly { "weekly" } else { "daily" },
        first_day: parsed.first_day.format("%Y-%m-%d").to_string(),
        format: parsed.format,
        bytes: meta.len(),
        modified: meta
            .modified()
            .ok()
            .map(|t| DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Secs, true)),
        download: format!("/api/reports/{name}"),
        name,
    }))
}

/// The report files in `dir`, newest period first, then by name; a missing directory is an
/// empty list. Blocking.
///
/// Errors: [`WebError::Io`] when the directory exists but cannot be read.
pub(crate) fn list(dir: &Path) -> Result<Vec<ReportFile>, WebError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WebError::io(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(WebError::io(dir))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Some(parsed) = parse_name(&name) else {
            continue;
        };
        if let Some(f) = describe(&entry.path(), name, &parsed)? {
            out.push(f);
        }
    }
    out.sort_by(|a, b| b.first_day.cmp(&a.first_day).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// The period a `weekly` (else daily) report generated at `now` covers:
/// [`yuqing_report::report_period`] with today = the Beijing day of `now`, the one rule of
/// `yuqing report`, the scheduled reports and the web. `date` is `YYYY-MM-DD` (surrounding
/// white space ignored): the day, or the Monday–Sunday week, containing it; today itself is
/// allowed (the report is then marked unfinished, [`Report::complete`] false). `None` or a
/// blank value means the last period that has ended: yesterday in Beijing for a daily report,
/// the most recent Monday–Sunday week that has ended for a weekly one (on a Tuesday the week
/// before the running one, not the running one).
///
/// Errors: [`WebError::BadDate`] for a value that is not `YYYY-MM-DD`, a day that does not
/// exist (`2026-02-30`) or a day after today in Beijing; the message names the date.
pub(crate) fn report_period(
    weekly: bool,
    date: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Period, WebError> {
    let kind = if weekly {
        PeriodKind::Weekly
    } else {
        PeriodKind::Daily
    };
    let date = date.filter(|d| !d.trim().is_empty());
    yuqing_report::report_period(kind, date, yuqing_report::beijing_day(now))
        .map_err(WebError::BadDate)
}

/// What [`generate`] wrote (the JSON body of `POST /api/reports`).
#[derive(Debug, Serialize)]
pub(crate) struct Written {
    kind: &'static str,
    first_day: String,
    last_day: String,
    /// False while the period is still running at generation time (a report of today, or of
    /// the current week): its counts will still grow ([`Report::complete`]).
    complete: bool,
    /// The instant the report's data runs to, RFC 3339 in Beijing time: the period's end when
    /// `complete`, else the generation time ([`Report::data_until`]).
    data_until: String,
    /// Articles in the period.
    articles: u64,
    /// Distinct stories in the period.
    stories: u64,
    /// Plan items without coverage.
    gaps: usize,
    files: Vec<ReportFile>,
}

/// Builds the daily or weekly report of [`report_period`] (the period containing `date`,
/// `YYYY-MM-DD`, checked against the same clock the report is built with; `None` or blank =
/// yesterday, or the last Monday–Sunday week that has ended, in Beijing) and writes each of `formats` to [`dir`]. Every web path that writes a report goes
/// through here, so none skips the date rule. Blocking and CPU-heavy (seconds on a large
/// store).
///
/// Errors: [`WebError::BadDate`] (nothing is written), [`WebError::Store`] /
/// [`WebError::Report`] from loading or rendering, [`WebError::Io`] naming the file that
/// could not be written.
pub(crate) fn generate(
    state: &AppState,
    weekly: bool,
    date: Option<&str>,
    formats: &[Format],
) -> Result<Written, WebError> {
    let now = Utc::now();
    let period = report_period(weekly, date, now)?;
    let input = ReportInput::load(&state.store, &state.themes, period)?;
    let report = Report::build_with(&input, &state.themes, Some(&state.segmenter), now);
    let out = dir(state);
    std::fs::create_dir_all(&out).map_err(WebError::io(&out))?;
    let kind = match period.kind {
        PeriodKind::Daily => "daily",
        PeriodKind::Weekly => "weekly",
    };
    let stem = format!("{kind}-{}", period.first_day.format("%Y-%m-%d"));
    let mut files = Vec::new();
    for &f in formats {
        let bytes = match f {
            Format::Html => render_html(&report).into_bytes(),
            Format::Md => render_markdown(&report).into_bytes(),
            Format::Docx => render_docx(&report)?,
            Format::Xlsx => render_xlsx(&report)?,
        };
        let name = format!("{stem}.{}", f.ext());
        let path = out.join(&name);
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &bytes).map_err(WebError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(WebError::io(&path))?;
        let parsed = ReportName {
            weekly,
            first_day: period.first_day,
            format: f,
        };
        files.extend(describe(&path, name, &parsed)?);
    }
    Ok(Written {
        kind,
        first_day: period.first_day.format("%Y-%m-%d").to_string(),
        last_day: period.last_day().format("%Y-%m-%d").to_string(),
        complete: report.complete,
        data_until: crate::api::rfc3339_bj(&report.data_until),
        articles: report.overview.articles,
        stories: report.overview.stories,
        gaps: report.gaps.len(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn report_periods_follow_the_cli_rule_in_beijing_time() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // (instant in UTC, its Beijing wall clock, yesterday there, Monday of the last week
        // that has ended there).
        for (now, bj, yesterday, monday) in [
            // Monday 2026-11-30 00:30 Beijing: the week 11-23..11-29 ended half an hour ago.
            (
                Utc.with_ymd_and_hms(2026, 11, 29, 16, 30, 0).unwrap(),
                "2026-11-30 00:30",
                "2026-11-29",
                "2026-11-23",
            ),
            // Tuesday 2026-12-01 01:00 Beijing (still Monday 17:00 in UTC): the week of 11-30
            // is running, so the one before it.
            (
                Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap(),
                "2026-12-01 01:00",
                "2026-11-30",
                "2026-11-23",
            ),
            // Sunday 2026-12-06 23:59 Beijing: a minute before the week of 11-30 ends.
            (
                Utc.with_ymd_and_hms(2026, 12, 6, 15, 59, 0).unwrap(),
                "2026-12-06 23:59",
                "2026-12-05",
                "2026-11-23",
            ),
            // Monday 2026-12-07 00:00 Beijing: now it has ended.
            (
                Utc.with_ymd_and_hms(2026, 12, 6, 16, 0, 0).unwrap(),
                "2026-12-07 00:00",
                "2026-12-06",
                "2026-11-30",
            ),
        ] {
            assert_eq!(yuqing_report::beijing_time_str(now), bj);
            for blank in [None, Some(""), Some("  ")] {
                let d = report_period(false, blank, now).unwrap();
                assert_eq!(d, Period::daily(day(yesterday)), "daily at {bj}");
                let w = report_period(true, blank, now).unwrap();
                assert_eq!(w, Period::weekly(day(monday)), "weekly at {bj}");
                assert!(w.end() <= now, "weekly at {bj}: {w:?} has not ended");
                let next = Period::weekly(w.last_day() + chrono::Duration::days(1));
                assert!(next.end() > now, "weekly at {bj}: {next:?} has ended too");
            }
        }
        // A date given keeps its meaning: the day or the week containing it, even unfinished
        // (Tuesday 2026-12-01 01:00 Beijing).
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap();
        assert_eq!(
            report_period(false, Some(" 2026-12-01 "), now).unwrap(),
            Period::daily(day("2026-12-01"))
        );
        let w = report_period(true, Some("2026-12-01"), now).unwrap();
        assert_eq!(w, Period::weekly(day("2026-11-30")));
        assert!(w.end() > now);
        assert_eq!(
            report_period(true, Some("2026-11-29"), now).unwrap(),
            Period::weekly(day("2026-11-23"))
        );
        for (bad, says) in [
            ("2026-12-02", "in the future"),
            ("2027-01-01", "in the future"),
            ("2026-02-30", "no such day"),
            ("1.12.2026", "expected YYYY-MM-DD"),
        ] {
            for weekly in [false, true] {
                let e = report_period(weekly, Some(bad), now).unwrap_err();
                assert_eq!(e.code(), "bad_date", "{bad}");
                assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
                let m = e.to_string();
                assert!(m.contains(bad) && m.contains(says), "{bad}: {m}");
            }
        }
    }

    #[test]
    fn only_report_names_parse() {
        let n = parse_name("weekly-2026-11-23.docx").unwrap();
        assert!(n.weekly);
        assert_eq!(n.first_day, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(n.format, Format::Docx);
        for bad in [
            "../daily-2026-11-30.html",
            "daily-2026-11-30.html/..",
            ".daily-2026-11-30.html.tmp",
            "daily-2026-11-30.exe",
            "monthly-2026-11-30.html",
            "daily-2026-13-30.html",
            "daily-+2026-1-30.html",
            "daily-2026-11-30",
            "..",
            "",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }
}
