//! Beijing-time parsing and formatting for the command line.

use anyhow::{Context, anyhow};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

pub use yuqing_extract::date::beijing;

/// Parses `YYYY-MM-DD` (start of that Beijing day, or its end when `end_of_day`) or RFC 3339.
pub fn parse_date(flag: &str, value: &str, end_of_day: bool) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .with_context(|| format!("{flag} {value:?}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    let time = if end_of_day {
        NaiveTime::from_hms_milli_opt(23, 59, 59, 999)
    } else {
        NaiveTime::from_hms_opt(0, 0, 0)
    }
    .ok_or_else(|| anyhow!("invalid time"))?;
    beijing()
        .from_local_datetime(&day.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| anyhow!("{flag} {value:?}: not a valid Beijing time"))
}

/// RFC 3339 in Beijing time, e.g. `2024-05-12T10:30:00+08:00`.
pub fn format_beijing(t: &DateTime<Utc>) -> String {
    t.with_timezone(&beijing())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_bounds_are_beijing() {
        let from = parse_date("--from", "2024-05-12", false).unwrap();
        assert_eq!(from.to_rfc3339(), "2024-05-11T16:00:00+00:00");
        let to = parse_date("--to", "2024-05-12", true).unwrap();
        assert_eq!(format_beijing(&to), "2024-05-12T23:59:59+08:00");
        assert!(parse_date("--from", "12/05/2024", false).is_err());
    }
}
