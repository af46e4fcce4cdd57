//! Publish dates in Chinese news pages: absolute text dates (`2020年5月12日 10:30`,
//! `2020-05-12 10:30:00`, `2020/05/12`), month-day dates with the year inferred (`05-12 10:30`),
//! relative expressions (`3小时前`, `昨天 08:00`), machine values (ISO 8601 / RFC 3339 from
//! meta tags and JSON-LD) and dates in URL paths (`/2020-05/12/`, `/20200512/`, `t20200512_`).
//!
//! A time written without a zone is Beijing time (UTC+8, no daylight saving since 1991); every
//! result is returned in UTC. Nothing here reads the clock: "now" is always passed in.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;
use std::sync::LazyLock;
use yuqing_model::DateSource;

/// Beijing time, UTC+8: the zone of every date written without one.
pub fn beijing() -> FixedOffset {
    // 8 * 3600 is within ±86_400, so `east_opt` cannot fail.
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// One date found in a text by [`find_dates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    /// The instant, UTC.
    pub at: DateTime<Utc>,
    /// [`DateSource::Text`] for absolute dates, [`DateSource::Relative`] for relative ones.
    pub source: DateSource,
    /// Byte offset of the match start in the searched text.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
    /// Whether the match carried a time of day (more specific, so preferred by callers).
    pub has_time: bool,
    /// Whether the year was written (false for `05-12 10:30` and relative expressions).
    pub has_year: bool,
}

// Full date with optional time and zone: 2020年5月12日 10:30, 2020-05-12 10:30:00, 2020/05/12,
// 2020.05.12, 2022-02-06T12:48:06+00:00.
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?:\s*日)?(?:\s*(?:T|\s)?\s*(\d{1,2})\s*(?:[:：]|时|点)\s*(\d{1,2})(?:\s*(?:[:：]|分)\s*(\d{1,2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?",
    )
    .unwrap()
});

// Month-day with a time (`05-12 10:30`, `5月12日 10:30`) or a written 日 (`5月12日`).
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(\d{1,2})\s*(?:月|-|/)\s*(\d{1,2})(?:\s*(日))?(?:\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?",
    )
    .unwrap()
});

// Relative expressions resolved against "now".
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(?:(\d{1,3})\s*(秒|分钟|小时|个小时|天|日)\s*前|(刚刚)|(今天|昨天|昨日|前天)(?:\s*(\d{1,2})\s*[:：]\s*(\d{2}))?)",
    )
    .unwrap()
});

// Machine values: ISO 8601 / RFC 3339 with optional zone, also `20200512` and `2020-05-12`.
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"^\s*((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?",
    )
    .unwrap()
});

// URL path dates: /2020-05/12/, /2020/05/12/, /20200512/, t20200512_, /2005-03-21/.
static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(?:^|[/_t-])((?:19|20)\d{2})(?:[-/]?)(\d{2})(?:[-/]?)(\d{2})(?:$|[/_.-])").unwrap()
});

/// Parses the first date in `text` (see [`find_dates`] for the formats), resolving relative
/// expressions and year-less dates against `now`. Returns the instant (UTC) and
/// [`DateSource::Text`] or [`DateSource::Relative`]; `None` when no date is found.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use yuqing_extract::date::parse_date_text;
/// let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let (at, _) = parse_date_text("发布时间：2020年5月12日 10:30", now).unwrap();
/// assert_eq!(at, Utc.with_ymd_and_hms(2020, 5, 12, 2, 30, 0).unwrap());
/// ```
pub fn parse_date_text(text: &str, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateSource)> {
    find_dates(text, now).first().map(|m| (m.at, m.source))
}

fn digits_around_ok(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    // The patterns may end in whitespace (`13:03:17\n`): the neighbour is what follows it,
    // and a digit opening the next line (`1个月之后`) does not glue to the date.
    let matched = &text[start..end];
    let after = if matched.ends_with(char::is_whitespace) {
        None
    } else {
        text[end..].chars().next()
    };
    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
}

fn num(m: Option<regex::Match<'_>>) -> Option<u32> {
    m.and_then(|m| m.as_str().parse().ok())
}

fn local_to_utc(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    beijing()
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn parse_zone(z: &str) -> Option<FixedOffset> {
    if z == "Z" || z == "UTC" || z == "GMT" {
        return FixedOffset::east_opt(0);
    }
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z.chars().filter(|c| c.is_ascii_digit()).collect();
    let h: i32 = digits.get(..2)?.parse().ok()?;
    let m: i32 = digits.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn build(
    y: i32,
    mo: u32,
    d: u32,
    h: Option<u32>,
    mi: Option<u32>,
    s: Option<u32>,
    zone: Option<&str>,
) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let time = match (h, mi) {
        (Some(h), Some(mi)) => NaiveTime::from_hms_opt(h, mi, s.unwrap_or(0))?,
        _ => NaiveTime::MIN,
    };
    match zone.and_then(parse_zone) {
        Some(off) => off
            .from_local_datetime(&NaiveDateTime::new(date, time))
            .single()
            .map(|d| d.with_timezone(&Utc)),
        None => local_to_utc(date, time),
    }
}

/// Finds every date expression in `text`, in text order, without overlaps. Formats:
/// * absolute (`DateSource::Text`): `2020年5月12日 10:30`, `2020-05-12 10:30:00`, `2020/05/12`,
///   `2020.05.12`, ISO `2022-02-06T12:48:06+00:00` (a written zone is honoured, otherwise
///   Beijing time);
/// * month-day (`DateSource::Text`): `05-12 10:30`, `5月12日` (the year is `now`'s Beijing year,
///   or the year before when that would put the date more than a day after `now`);
/// * relative (`DateSource::Relative`): `3小时前`, `30分钟前`, `2天前`, `刚刚`, `今天 09:00`,
///   `昨天 08:00`, `前天` (day expressions without a time give midnight Beijing time).
///
/// Impossible values (month 13, 25:00) are skipped. Digits glued to a match (`120200512`) make
/// it no match.
pub fn find_dates(text: &str, now: DateTime<Utc>) -> Vec<DateMatch> {
    let mut out: Vec<DateMatch> = Vec::new();
    for c in FULL.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if !digits_around_ok(text, all.start(), all.end()) {
            continue;
        }
        let (Some(y), Some(mo), Some(d)) = (num(c.get(1)), num(c.get(2)), num(c.get(3))) else {
            continue;
        };
        let (h, mi) = (num(c.get(4)), num(c.get(5)));
        let Some(at) = build(
            y as i32,
            mo,
            d,
            h,
            mi,
            num(c.get(6)),
            c.get(7).map(|m| m.as_str()),
        ) else {
            continue;
        };
        out.push(DateMatch {
            at,
            source: DateSource::Text,
            start: all.start(),
            end: all.end(),
            has_time: h.is_some(),
            has_year: true,
        });
    }
    let overlaps =
        |out: &[DateMatch], s: usize, e: usize| out.iter().any(|m| s < m.end && m.start < e);
    let now_local = now.with_timezone(&beijing());
    let mut extra = Vec::new();
    for c in MONTH_DAY.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if overlaps(&out, all.start(), all.end()) || !digits_around_ok(text, all.start(), all.end())
        {
            continue;
        }
        let has_ri = c.get(3).is_some();
        let (h, mi) = (num(c.get(4)), num(c.get(5)));
        // Without 日 or a time, `5-12` is too ambiguous (scores, ranges, ids).
        if !has_ri && h.is_none() {
            continue;
        }
        let (Some(mo), Some(d)) = (num(c.get(1)), num(c.get(2))) else {
            continue;
        };
        let year = chrono::Datelike::year(&now_local);
        let Some(mut at) = build(year, mo, d, h, mi, num(c.get(6)), None) else {
            continue;
        };
        if at > now + Duration::days(1) {
            match build(year - 1, mo, d, h, mi, num(c.get(6)), None) {
                Some(prev) => at = prev,
                None => continue,
            }
        }
        extra.push(DateMatch {
            at,
            source: DateSource::Text,
            start: all.start(),
            end: all.end(),
            has_time: h.is_some(),
            has_year: false,
        });
    }
    out.extend(extra);
    let mut rel = Vec::new();
    for c in RELATIVE.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if overlaps(&out, all.start(), all.end()) {
            continue;
        }
        let at = if let (Some(n), Some(unit)) = (num(c.get(1)), c.get(2)) {
            let n = i64::from(n);
            let delta = match unit.as_str() {
                "秒" => Duration::seconds(n),
                "分钟" => Duration::minutes(n),
                "小时" | "个小时" => Duration::hours(n),
                _ => Duration::days(n),
            };
            Some(now - delta)
        } else if c.get(3).is_some() {
            Some(now)
        } else if let Some(day) = c.get(4) {
            let back = match day.as_str() {
                "今天" => 0,
                "前天" => 2,
                _ => 1,
            };
            let date = now_local.date_naive() - Duration::days(back);
            let time = match (num(c.get(5)), num(c.get(6))) {
                (Some(h), Some(m)) => NaiveTime::from_hms_opt(h, m, 0),
                _ => Some(NaiveTime::MIN),
            };
            time.and_then(|t| local_to_utc(date, t))
        } else {
            None
        };
        if let Some(at) = at {
            rel.push(DateMatch {
                at,
                source: DateSource::Relative,
                start: all.start(),
                end: all.end(),
                has_time: true,
                has_year: false,
            });
        }
    }
    out.extend(rel);
    out.sort_by_key(|m| m.start);
    out
}

/// Parses a machine-written value from a meta tag, JSON-LD or `<time datetime>`: RFC 3339 /
/// ISO 8601 (`2020-05-12T10:30:00+08:00`, `2020-05-12T02:30:00Z`, `2020-05-12 10:30`,
/// `20200512`), RFC 2822 (`Tue, 12 May 2020 10:30:00 +0800`), or, failing those, the first
/// Chinese text date in it (year-less dates are not accepted here). No zone = Beijing time.
pub fn parse_datetime_value(value: &str) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(v) {
        return Some(d.with_timezone(&Utc));
    }
    if let Some(c) = ISO.captures(v)
        && let (Some(y), Some(mo), Some(d)) = (num(c.get(1)), num(c.get(2)), num(c.get(3)))
    {
        let at = build(
            y as i32,
            mo,
            d,
            num(c.get(4)),
            num(c.get(5)),
            num(c.get(6)),
            c.get(7).map(|m| m.as_str()),
        );
        if at.is_some() {
            return at;
        }
    }
    // Year-less and relative matches need a "now"; a far-future one keeps them out.
    let far = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).single()?;
    find_dates(v, far)
        .into_iter()
        .find(|m| m.has_year && m.source == DateSource::Text)
        .map(|m| m.at)
}

/// Finds a date in a URL's path: `/2020-05/12/`, `/2020/05/12/`, `/2020-05-12/`, `/20200512/`,
/// `t20200512_`, `/2005-03-21/` ; the result is midnight Beijing time of that day, in UTC. The
/// query string and host are ignored. `None` for no (valid) date.
///
/// ```
/// use yuqing_extract::date::date_from_url;
/// let d = date_from_url("http://www.gov.cn/zhengce/2020-05/12/content_1.htm").unwrap();
/// assert_eq!(d.to_rfc3339(), "2020-05-11T16:00:00+00:00");
/// ```
pub fn date_from_url(url: &str) -> Option<DateTime<Utc>> {
    let path = match url::Url::parse(url) {
        Ok(u) => u.path().to_string(),
        Err(_) => url.split(['?', '#']).next().unwrap_or("").to_string(),
    };
    for c in URL_DATE.captures_iter(&path) {
        if let (Some(y), Some(mo), Some(d)) = (num(c.get(1)), num(c.get(2)), num(c.get(3)))
            && let Some(at) = build(y as i32, mo, d, None, None, None, None)
        {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn now() -> DateTime<Utc> {
        // 2024-03-10 12:00 Beijing.
        utc(2024, 3, 10, 4, 0, 0)
    }

    #[test]
    fn chinese_full_date_is_beijing_time() {
        let (at, src) = parse_date_text("2020年5月12日 10:30", now()).unwrap();
        assert_eq!(at, utc(2020, 5, 12, 2, 30, 0));
        assert_eq!(src, DateSource::Text);
        let (at, _) = parse_date_text("2020年05月12日10:30", now()).unwrap();
        assert_eq!(at, utc(2020, 5, 12, 2, 30, 0));
    }

    #[test]
    fn dashed_slashed_and_dotted_dates() {
        assert_eq!(
            parse_date_text("发布时间：2020-05-12 10:30:00 来源", now())
                .unwrap()
                .0,
            utc(2020, 5, 12, 2, 30, 0)
        );
        assert_eq!(
            parse_date_text("2020/05/12", now()).unwrap().0,
            utc(2020, 5, 11, 16, 0, 0)
        );
        assert_eq!(
            parse_date_text("2005-3-11 12:12", now()).unwrap().0,
            utc(2005, 3, 11, 4, 12, 0)
        );
        assert_eq!(
            parse_date_text("2020.05.12", now()).unwrap().0,
            utc(2020, 5, 11, 16, 0, 0)
        );
    }

    #[test]
    fn a_written_zone_is_honoured() {
        let (at, _) = parse_date_text("2022-02-06T12:48:06+00:00", now()).unwrap();
        assert_eq!(at, utc(2022, 2, 6, 12, 48, 6));
    }

    #[test]
    fn month_day_infers_year_never_in_future() {
        // 03-01 is before now (2024-03-10): same year.
        assert_eq!(
            parse_date_text("03-01 10:30", now()).unwrap().0,
            utc(2024, 3, 1, 2, 30, 0)
        );
        // 12-31 would be in the future: previous year.
        assert_eq!(
            parse_date_text("12-31 10:30", now()).unwrap().0,
            utc(2023, 12, 31, 2, 30, 0)
        );
        assert_eq!(
            parse_date_text("5月12日", now()).unwrap().0,
            utc(2023, 5, 11, 16, 0, 0)
        );
        // No 日 and no time: not a date.
        assert_eq!(parse_date_text("比分 3-2", now()), None);
    }

    #[test]
    fn relative_expressions() {
        let (at, src) = parse_date_text("3小时前", now()).unwrap();
        assert_eq!((at, src), (utc(2024, 3, 10, 1, 0, 0), DateSource::Relative));
        assert_eq!(
            parse_date_text("30分钟前", now()).unwrap().0,
            utc(2024, 3, 10, 3, 30, 0)
        );
        assert_eq!(
            parse_date_text("昨天 08:00", now()).unwrap().0,
            utc(2024, 3, 9, 0, 0, 0)
        );
        assert_eq!(
            parse_date_text("前天", now()).unwrap().0,
            utc(2024, 3, 7, 16, 0, 0)
        );
        assert_eq!(
            parse_date_text("2天前", now()).unwrap().0,
            utc(2024, 3, 8, 4, 0, 0)
        );
    }

    #[test]
    fn invalid_values_and_glued_digits_are_rejected() {
        assert_eq!(parse_date_text("2020-13-45", now()), None);
        assert_eq!(parse_date_text("编号120200512", now()), None);
        assert_eq!(parse_date_text("没有日期", now()), None);
    }

    #[test]
    fn find_dates_keeps_order_without_overlap() {
        let ds = find_dates("更新 2021-01-02 发布 2020年5月12日 10:30", now());
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].at, utc(2021, 1, 1, 16, 0, 0));
        assert!(!ds[0].has_time);
        assert_eq!(ds[1].at, utc(2020, 5, 12, 2, 30, 0));
        assert!(ds[1].has_time && ds[1].has_year);
    }

    #[test]
    fn a_digit_opening_the_next_line_does_not_glue() {
        let ds = find_dates(
            "http://example.com/ 2005-07-18 13:03:17\n1个月之后的6月21日",
            now(),
        );
        assert_eq!(ds.first().map(|d| d.at), Some(utc(2005, 7, 18, 5, 3, 17)));
        // Glued on the same line it is still rejected.
        let glued = find_dates("2005-07-18 13:03:171", now());
        assert!(!glued.iter().any(|d| d.at == utc(2005, 7, 18, 5, 3, 17)));
    }

    #[test]
    fn machine_values() {
        assert_eq!(
            parse_datetime_value("2020-05-12T10:30:00+08:00"),
            Some(utc(2020, 5, 12, 2, 30, 0))
        );
        assert_eq!(
            parse_datetime_value("2020-05-12T02:30:00Z"),
            Some(utc(2020, 5, 12, 2, 30, 0))
        );
        assert_eq!(
            parse_datetime_value("2020-05-12 10:30"),
            Some(utc(2020, 5, 12, 2, 30, 0))
        );
        assert_eq!(
            parse_datetime_value("20200512"),
            Some(utc(2020, 5, 11, 16, 0, 0))
        );
        assert_eq!(
            parse_datetime_value("Tue, 12 May 2020 10:30:00 +0800"),
            Some(utc(2020, 5, 12, 2, 30, 0))
        );
        assert_eq!(
            parse_datetime_value("2020年5月12日"),
            Some(utc(2020, 5, 11, 16, 0, 0))
        );
        assert_eq!(parse_datetime_value("soon"), None);
    }

    #[test]
    fn url_dates() {
        let midnight = utc(2020, 5, 11, 16, 0, 0);
        assert_eq!(
            date_from_url("http://x.cn/2020-05/12/content_1.htm"),
            Some(midnight)
        );
        assert_eq!(
            date_from_url("http://x.cn/a/20200512/1.html"),
            Some(midnight)
        );
        assert_eq!(
            date_from_url("http://x.cn/zwgk/t20200512_123.html"),
            Some(midnight)
        );
        assert_eq!(
            date_from_url("http://x.cn/2020/05/12/a.html"),
            Some(midnight)
        );
        assert_eq!(date_from_url("http://x.cn/a.html?d=20200512"), None);
        assert_eq!(date_from_url("http://x.cn/2020-13/45/a.html"), None);
    }
}
