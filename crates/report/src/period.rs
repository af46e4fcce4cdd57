//! Report periods: whole Beijing days (UTC+8), half-open `[start, end)`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ReportError, Result};

/// Beijing time offset from UTC, seconds (China has no daylight saving time).
pub const BEIJING_OFFSET_SECS: i32 = 8 * 3600;

/// Daily or weekly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// One Beijing day (舆情日报).
    Daily,
    /// One Monday–Sunday week (舆情周报).
    Weekly,
}

/// A run of whole Beijing days: from 00:00 +08:00 of `first_day` to 00:00 +08:00 of the day
/// after the last, half-open `[start, end)`.
///
/// A weekly period is the natural week **Monday–Sunday** containing the given date, as press
/// offices file weekly reports (周报 covers 周一至周日); run it on Monday for the week before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// Daily or weekly.
    pub kind: PeriodKind,
    /// First Beijing calendar day of the period.
    pub first_day: NaiveDate,
    /// Number of days (1 for daily, 7 for weekly).
    pub days: u32,
}

impl Period {
    /// The Beijing day `date` (00:00–24:00 +08:00).
    pub fn daily(date: NaiveDate) -> Period {
        Period {
            kind: PeriodKind::Daily,
            first_day: date,
            days: 1,
        }
    }

    /// The Monday–Sunday week (Beijing days) that contains `date`.
    pub fn weekly(date: NaiveDate) -> Period {
        let back = u64::from(date.weekday().num_days_from_monday());
        Period {
            kind: PeriodKind::Weekly,
            first_day: date
                .checked_sub_days(chrono::Days::new(back))
                .unwrap_or(date),
            days: 7,
        }
    }

    /// The period of equal length just before this one (for the comparison).
    pub fn previous(&self) -> Period {
        Period {
            kind: self.kind,
            first_day: shift_days(self.first_day, -i64::from(self.days)),
            days: self.days,
        }
    }

    /// Last Beijing day of the period (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        shift_days(self.first_day, i64::from(self.days) - 1)
    }

    /// Start instant, 00:00 Beijing time of `first_day`, in UTC.
    pub fn start(&self) -> DateTime<Utc> {
        day_start(self.first_day)
    }

    /// End instant (excluded): 00:00 Beijing time of the day after the last.
    pub fn end(&self) -> DateTime<Utc> {
        day_start(shift_days(self.first_day, i64::from(self.days)))
    }

    /// True when `t` is in `[start, end)`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        t >= self.start() && t < self.end()
    }

    /// The Beijing days of the period, in order.
    pub fn day_list(&self) -> Vec<NaiveDate> {
        (0..i64::from(self.days))
            .map(|i| shift_days(self.first_day, i))
            .collect()
    }

    /// The days shown on the trend chart: the period's own days for a weekly report, the 7
    /// days ending on the report's day for a daily one.
    pub fn trend_days(&self) -> Vec<NaiveDate> {
        match self.kind {
            PeriodKind::Weekly => self.day_list(),
            PeriodKind::Daily => (0..7)
                .rev()
                .map(|i| shift_days(self.first_day, -i))
                .collect(),
        }
    }

    /// 舆情日报 or 舆情周报.
    pub fn title_zh(&self) -> &'static str {
        match self.kind {
            PeriodKind::Daily => "舆情日报",
            PeriodKind::Weekly => "舆情周报",
        }
    }

    /// `2026年11月30日` (daily) or `2026年11月23日至11月29日` (weekly; the year repeated
    /// when the week spans New Year).
    pub fn label_zh(&self) -> String {
        let first = date_zh(self.first_day);
        if self.days <= 1 {
            return first;
        }
        let last = self.last_day();
        if last.year() == self.first_day.year() {
            format!("{first}至{}月{}日", last.month(), last.day())
        } else {
            format!("{first}至{}", date_zh(last))
        }
    }
}

/// `2026年11月30日`.
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `date` moved by `n` days (saturating at chrono's date range).
fn shift_days(date: NaiveDate, n: i64) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(n)).unwrap_or(date)
}

/// 00:00 Beijing time of `day`, in UTC.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN).and_utc();
    local
        .checked_sub_signed(TimeDelta::seconds(i64::from(BEIJING_OFFSET_SECS)))
        .unwrap_or(local)
}

/// The Beijing calendar day of instant `t`.
pub fn beijing_day(t: DateTime<Utc>) -> NaiveDate {
    beijing(t).date()
}

/// `t` as a naive Beijing wall-clock time.
pub(crate) fn beijing(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    let n = t.naive_utc();
    n.checked_add_signed(TimeDelta::seconds(i64::from(BEIJING_OFFSET_SECS)))
        .unwrap_or(n)
}

/// The day a report covers when no date is given, `today` being today's Beijing date: for a
/// daily report the day before `today` (the last whole day); for a weekly report the last
/// Sunday before `today`, so that [`Period::weekly`] of it is the most recent Monday–Sunday
/// week that has ended (on Monday the week just ended, on Tuesday to Sunday the week before
/// the current one, which is still running until Sunday 24:00). Saturates at chrono's
/// earliest date.
pub fn default_report_date(kind: PeriodKind, today: NaiveDate) -> NaiveDate {
    let back = match kind {
        PeriodKind::Daily => 1,
        PeriodKind::Weekly => u64::from(today.weekday().num_days_from_monday()) + 1,
    };
    today
        .checked_sub_days(chrono::Days::new(back))
        .unwrap_or(today)
}

/// The period a `kind` report covers (used by `yuqing report`; the one rule for the CLI,
/// the scheduled reports and the web): the day or Monday–Sunday week containing `date`
/// (`YYYY-MM-DD`, checked by [`report_date`]; an unfinished period is allowed and marked in
/// the report) when given, else the last one that has ended ([`default_report_date`]: the
/// day before `today`, or the last complete week). `today` is today's Beijing date (e.g.
/// [`beijing_day`] of `Utc::now()`).
///
/// Errors: those of [`report_date`], each naming the date as given.
pub fn report_period(kind: PeriodKind, date: Option<&str>, today: NaiveDate) -> Result<Period> {
    let day = match date {
        Some(d) => report_date(Some(d), today)?,
        None => default_report_date(kind, today),
    };
    Ok(match kind {
        PeriodKind::Daily => Period::daily(day),
        PeriodKind::Weekly => Period::weekly(day),
    })
}

/// The day whose period a report covers: `date` (`YYYY-MM-DD`) when given, else the day
/// before `today` (the daily default; a weekly report without a date should use
/// [`report_period`], whose default is the last complete week). `today` is today's Beijing
/// date (e.g. [`beijing_day`] of `Utc::now()`). Leading and trailing white space is ignored.
///
/// Errors: [`ReportError::DateFormat`] for a value that is not `YYYY-MM-DD`,
/// [`ReportError::NoSuchDay`] for a well-formed day that does not exist (`2026-02-30`),
/// [`ReportError::FutureDate`] for a day after `today` (its period has not happened yet, so
/// the report would be empty). Each names the date as given.
pub fn report_date(date: Option<&str>, today: NaiveDate) -> Result<NaiveDate> {
    let Some(raw) = date else {
        return Ok(today.pred_opt().unwrap_or(today));
    };
    let d = raw.trim();
    let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
        let shaped = d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if shaped {
            ReportError::NoSuchDay {
                date: d.to_owned(),
                reason: e.to_string(),
            }
        } else {
            ReportError::DateFormat {
                date: raw.to_owned(),
            }
        }
    })?;
    if day > today {
        return Err(ReportError::FutureDate {
            date: d.to_owned(),
            today,
        });
    }
    Ok(day)
}

/// `2026-11-30 08:05` Beijing time.
pub fn beijing_time_str(t: DateTime<Utc>) -> String {
    beijing(t).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_date_defaults_to_yesterday_and_rejects_bad_days() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = day("2026-11-30"); // a Monday
        let d = report_date(None, today).unwrap();
        assert_eq!(d, day("2026-11-29"));
        assert_eq!(Period::weekly(d).first_day, day("2026-11-23"));
        assert_eq!(report_date(Some(" 2026-11-30 "), today).unwrap(), today);
        let e = report_date(Some("2026-02-30"), today).unwrap_err();
        assert!(matches!(e, ReportError::NoSuchDay { .. }), "{e}");
        let m = e.to_string();
        assert!(m.contains("2026-02-30") && m.contains("no such day"), "{m}");
        let e = report_date(Some("2099-12-31"), today).unwrap_err();
        assert!(matches!(e, ReportError::FutureDate { .. }), "{e}");
        let m = e.to_string();
        assert!(m.contains("2099-12-31") && m.contains("future") && m.contains("2026-11-30"));
        let e = report_date(Some("30.11.2026"), today).unwrap_err();
        assert!(matches!(e, ReportError::DateFormat { .. }), "{e}");
        assert!(e.to_string().contains("expected YYYY-MM-DD"));
    }

    #[test]
    fn default_weekly_period_is_the_last_complete_week() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let at =
            |y, mo, d, h, mi| chrono::TimeZone::with_ymd_and_hms(&Utc, y, mo, d, h, mi, 0).unwrap();
        // (instant in UTC, its Beijing wall clock, first day of the default weekly period).
        for (now, beijing_now, monday) in [
            // Monday 2026-11-30 00:30 Beijing: the week 11-23..11-29 ended 30 minutes ago.
            (at(2026, 11, 29, 16, 30), "2026-11-30 00:30", "2026-11-23"),
            // Tuesday 2026-12-01 10:00: the week of 11-30 is running, so the one before.
            (at(2026, 12, 1, 2, 0), "2026-12-01 10:00", "2026-11-23"),
            // Sunday 2026-12-06 23:59: one minute before the week of 11-30 ends.
            (at(2026, 12, 6, 15, 59), "2026-12-06 23:59", "2026-11-23"),
            // Monday 2026-12-07 00:00: now it has ended.
            (at(2026, 12, 6, 16, 0), "2026-12-07 00:00", "2026-11-30"),
            // A week across New Year: Saturday 2027-01-02 → 2026-12-21..12-27.
            (at(2027, 1, 2, 4, 0), "2027-01-02 12:00", "2026-12-21"),
        ] {
            assert_eq!(beijing_time_str(now), beijing_now);
            let p = report_period(PeriodKind::Weekly, None, beijing_day(now)).unwrap();
            assert_eq!(p.kind, PeriodKind::Weekly);
            assert_eq!(p.first_day, day(monday), "at {beijing_now}");
            assert_eq!(p.last_day().weekday(), chrono::Weekday::Sun);
            assert!(p.end() <= now, "at {beijing_now}: {p:?} has not ended");
            let next = Period::weekly(shift_days(p.last_day(), 1));
            assert!(next.end() > now, "at {beijing_now}: {next:?} has ended too");
            // The daily default stays yesterday.
            let d = report_period(PeriodKind::Daily, None, beijing_day(now)).unwrap();
            assert_eq!(d, Period::daily(beijing_day(now).pred_opt().unwrap()));
        }
        // An explicit date keeps its meaning: the week containing it, even unfinished.
        let today = day("2026-12-01");
        let p = report_period(PeriodKind::Weekly, Some("2026-11-30"), today).unwrap();
        assert_eq!(p.first_day, day("2026-11-30"));
        let p = report_period(PeriodKind::Weekly, Some("2026-11-29"), today).unwrap();
        assert_eq!(p.first_day, day("2026-11-23"));
        let e = report_period(PeriodKind::Weekly, Some("2026-12-02"), today).unwrap_err();
        assert!(matches!(e, ReportError::FutureDate { .. }), "{e}");
    }

    #[test]
    fn daily_and_weekly_bounds() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(); // a Thursday
        let p = Period::daily(d);
        assert_eq!(p.start().to_rfc3339(), "2026-11-25T16:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-11-26T16:00:00+00:00");
        assert_eq!(p.previous().first_day.to_string(), "2026-11-25");
        assert_eq!(p.trend_days().len(), 7);
        assert_eq!(p.trend_days()[0].to_string(), "2026-11-20");
        let w = Period::weekly(d);
        assert_eq!(w.first_day.to_string(), "2026-11-23");
        assert_eq!(w.last_day().to_string(), "2026-11-29");
        assert_eq!(w.label_zh(), "2026年11月23日至11月29日");
        assert_eq!(w.previous().first_day.to_string(), "2026-11-16");
        assert!(w.contains(w.start()) && !w.contains(w.end()));
        assert_eq!(beijing_day(p.start()), d);
    }
}
