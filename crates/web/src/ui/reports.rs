//! The reports page's view of the report files: the listing and generation of
//! `crate::reports` (shared with the API: same directory, names and rendering as
//! `yuqing report`), shown with Chinese labels, sizes and Beijing times; downloads go to the
//! API's `/api/reports/{name}` (the session cookie is enough for a GET).

use chrono::{DateTime, Utc};
use serde::Serialize;
use yuqing_report::{Period, PeriodKind, ReportError, beijing_time_str, default_report_date};

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

/// The periods an empty date box stands for at a given instant, shown in the form's hint
/// (`YYYY-MM-DD`, Beijing days): [`yuqing_report::default_report_date`], the rule the server
/// applies to an empty date when the form is sent.
#[derive(Debug, Serialize)]
pub(crate) struct DefaultPeriods {
    /// The daily report's day: yesterday.
    pub day: String,
    /// Monday of the most recent Monday–Sunday week that has ended.
    pub week_first: String,
    /// Sunday of that week.
    pub week_last: String,
}

impl DefaultPeriods {
    /// The defaults at `now` (today = its Beijing day).
    pub(crate) fn at(now: DateTime<Utc>) -> Self {
        let today = yuqing_report::beijing_day(now);
        let day = Period::daily(default_report_date(PeriodKind::Daily, today));
        let week = Period::weekly(default_report_date(PeriodKind::Weekly, today));
        let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        DefaultPeriods {
            day: ymd(day.first_day),
            week_first: ymd(week.first_day),
            week_last: ymd(week.last_day()),
        }
    }
}

/// Generates the daily or weekly report of `date` (`YYYY-MM-DD`, the API's and the CLI's
/// rule: not after today in Beijing; empty: yesterday, or the last Monday–Sunday week that
/// has ended) in every format (blocking, seconds on a large store) and
/// returns its file stem (`daily-2026-11-30`).
///
/// Errors: those of `crate::reports::generate`; [`WebError::BadDate`] writes nothing (show it
/// with [`date_error_zh`]).
pub(crate) fn make(state: &AppState, weekly: bool, date: &str) -> Result<String, WebError> {
    let written = generate(state, weekly, Some(date), &FORMATS)?;
    let v = serde_json::to_value(&written)
        .map_err(|e| WebError::Task(format!("report record: {e}")))?;
    Ok(format!("{}-{}", text(&v, "kind"), text(&v, "first_day")))
}

/// The reports page's Chinese message for a refused report date (the date as typed is
/// named; a future date also names today's Beijing date).
pub(crate) fn date_error_zh(e: &ReportError) -> String {
    match e {
        ReportError::DateFormat { date } => {
            format!("日期“{date}”不是 YYYY-MM-DD 格式，未生成报告。")
        }
        ReportError::NoSuchDay { date, .. } => format!("日期“{date}”不存在，未生成报告。"),
        ReportError::FutureDate { date, today } => format!(
            "日期“{date}”还没到（今天是北京时间 {today}），只能生成今天及以前的报告，未生成报告。"
        ),
        other => format!("报告日期有误：{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn date_errors_are_chinese_and_name_the_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let e = yuqing_report::report_date(Some("2027-01-01"), today).unwrap_err();
        let m = date_error_zh(&e);
        assert!(
            m.contains("2027-01-01") && m.contains("2026-11-30") && m.contains("还没到"),
            "{m}"
        );
        let e = yuqing_report::report_date(Some("2026-02-30"), today).unwrap_err();
        assert!(date_error_zh(&e).contains("日期“2026-02-30”不存在"));
        let e = yuqing_report::report_date(Some("30.11.2026"), today).unwrap_err();
        assert!(date_error_zh(&e).contains("“30.11.2026”不是 YYYY-MM-DD"));
    }

    #[test]
    fn the_hint_names_the_periods_the_server_uses_for_an_empty_date() {
        use chrono::TimeZone;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for (now, yesterday, monday) in [
            // Tuesday 2026-12-01 01:00 Beijing: the running week of 11-30 is not the default.
            (
                Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap(),
                "2026-11-30",
                "2026-11-23",
            ),
            // Monday 2026-12-07 00:00 Beijing: the week of 11-30 has just ended.
            (
                Utc.with_ymd_and_hms(2026, 12, 6, 16, 0, 0).unwrap(),
                "2026-12-06",
                "2026-11-30",
            ),
        ] {
            let d = DefaultPeriods::at(now);
            let daily = crate::reports::report_period(false, Some(""), now).unwrap();
            let weekly = crate::reports::report_period(true, Some(""), now).unwrap();
            assert_eq!(daily.first_day, day(yesterday));
            assert_eq!(weekly.first_day, day(monday));
            assert_eq!(
                (d.day, d.week_first, d.week_last),
                (
                    daily.first_day.to_string(),
                    weekly.first_day.to_string(),
                    weekly.last_day().to_string()
                ),
                "at {now}"
            );
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(3 << 20), "3.0 MB");
        assert_eq!(human_size(1500), "2 KB");
        assert_eq!(human_size(12), "12 B");
    }
}
