//! Report periods: whole Beijing days (UTC+8), half-open `[start, end)`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

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

/// `2026-11-30 08:05` Beijing time.
pub fn beijing_time_str(t: DateTime<Utc>) -> String {
    beijing(t).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
