//! The plan dashboard (`/dashboard?from=&to=`): every section and item of the plan with its
//! coverage in the period (articles, distinct stories, negative share, daily volume), gaps
//! marked, each row linking to its search.
//!
//! All figures come from the index, with the same filters as the search the row links to,
//! so a row's count is the total that search shows: one count search with theme facets over
//! the period, then, for every theme with coverage, one collapsed count search (its total is
//! the number of distinct stories; its facets give articles per tier, sentiment and
//! publish day).
//!
//! Undated articles (no publish time found) follow the rule of the search, the API's and the
//! CLI's `coverage` and the reports: an article counts at its publish time, else at its fetch
//! time (the index's `sort_at`). The period total counts them so, and the daily line does
//! too: a row's line always adds up to its 报道量, and its caption says how many of them had
//! no publish date (drawn on the day they were fetched). The index's day facet is by publish
//! day only, so when the period holds an undated article the line comes from one count
//! search with theme facets per day of the period instead (same `sort_at` bounds as the
//! total); otherwise the publish-day facets are those days already.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use minijinja::Value;
use serde::Serialize;
use yuqing_index::{FacetCount, SearchRequest};
use yuqing_report::beijing_day;
use yuqing_themes::ThemeKind;

use super::html::sparkline;
use super::params::{
    FROM_LABEL, SearchParams, TO_LABEL, day_end_inclusive, day_start, parse_day, range_error_zh,
};
use super::search::theme_label;
use crate::{AppState, WebError};

/// Days shown when the URL gives no period (ending today, Beijing time).
pub(crate) const DEFAULT_DAYS: i64 = 30;
/// Longest period the dashboard draws, days (a sparkline point per day).
pub(crate) const MAX_DAYS: i64 = 366;
/// Negative share from which a row's share is shown in red.
pub(crate) const HIGH_NEGATIVE_SHARE: f64 = 0.2;

/// `from`/`to` of the dashboard URL (Beijing days, inclusive).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct DashboardParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Debug, Serialize)]
struct ItemRow {
    id: String,
    label: String,
    link: String,
    articles: u64,
    stories: u64,
    neg_share: String,
    neg_high: bool,
    spark: Value,
    gap: bool,
}

#[derive(Debug, Serialize)]
struct SectionRow {
    id: String,
    label: String,
    link: String,
    articles: u64,
    stories: u64,
    items: Vec<ItemRow>,
}

/// Coverage of one theme in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Coverage {
    /// Matching articles.
    pub articles: u64,
    /// Distinct reprint clusters among them.
    pub stories: u64,
    /// Negative articles among them.
    pub negative: u64,
    /// Articles per Beijing day of their publish time, else (undated) of their fetch time,
    /// one entry per day of the period, oldest first; adds up to `articles`.
    pub daily: Vec<u64>,
    /// Articles among `articles` without a publish time (in `daily` on their fetch day).
    pub undated: u64,
}

/// The period of `p`: defaults to the [`DEFAULT_DAYS`] days ending `today`; a missing end
/// is `today`, a missing start `DEFAULT_DAYS` before the end.
///
/// Errors: a Chinese message for a malformed date, an end before the start, or a period
/// longer than [`MAX_DAYS`].
pub(crate) fn period(
    p: &DashboardParams,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let to = parse_day(TO_LABEL, p.to.trim())?.unwrap_or(today);
    let from =
        parse_day(FROM_LABEL, p.from.trim())?.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if to < from {
        return Err(range_error_zh(from, to));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(format!("统计区间最长 {MAX_DAYS} 天"));
    }
    Ok((from, to))
}

/// Per-theme coverage between `from` and `to` (Beijing days, inclusive) from the index;
/// themes without any article are absent. Blocking (index searches: 2 + one per covered
/// theme, plus one per day of the period when an undated article lies in it).
///
/// Errors: [`WebError`] when the index fails.
pub(crate) fn coverage(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, Coverage>, WebError> {
    let mut req = SearchRequest::new("");
    req.limit = 0;
    req.facets = true;
    req.from = Some(day_start(from));
    req.to = Some(day_end_inclusive(to));
    let all = state.index.search(&req)?;
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let facets = all.facets.unwrap_or_default();
    let dated: u64 = facets.day.iter().map(|f| f.count).sum();
    // Per theme, articles per day of `sort_at`, when the publish-day facets would miss some.
    let by_sort_day = if (all.total as u64) > dated {
        Some(daily_by_sort_time(state, &req, &days)?)
    } else {
        None
    };
    let mut out = HashMap::new();
    for FacetCount { key, count } in facets.theme {
        if count == 0 {
            continue;
        }
        let mut r = req.clone();
        r.theme = Some(key.clone());
        r.collapse = true;
        let res = state.index.search(&r)?;
        let facets = res.facets.unwrap_or_default();
        let articles: u64 = facets.tier.iter().map(|f| f.count).sum();
        let dated: u64 = facets.day.iter().map(|f| f.count).sum();
        let daily = match by_sort_day.as_ref().and_then(|m| m.get(&key)) {
            Some(d) => d.clone(),
            None if by_sort_day.is_some() => vec![0; days.len()],
            None => {
                let per_day: HashMap<&str, u64> = facets
                    .day
                    .iter()
                    .map(|f| (f.key.as_str(), f.count))
                    .collect();
                days.iter()
                    .map(|d| {
                        per_day
                            .get(d.format("%Y-%m-%d").to_string().as_str())
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect()
            }
        };
        out.insert(
            key,
            Coverage {
                articles,
                stories: res.total as u64,
                negative: facets
                    .sentiment
                    .iter()
                    .find(|f| f.key == "negative")
                    .map_or(0, |f| f.count),
                daily,
                undated: articles.saturating_sub(dated),
            },
        );
    }
    Ok(out)
}

/// Per theme id, its articles on each of `days` (oldest first) by the index's sort time
/// (publish time, else fetch time): one count search with theme facets per day, with the
/// filters of `period` (the whole period's count request) and the day's Beijing bounds.
fn daily_by_sort_time(
    state: &AppState,
    period: &SearchRequest,
    days: &[NaiveDate],
) -> Result<HashMap<String, Vec<u64>>, WebError> {
    let mut out: HashMap<String, Vec<u64>> = HashMap::new();
    for (i, day) in days.iter().enumerate() {
        let mut r = period.clone();
        r.from = Some(day_start(*day));
        r.to = Some(day_end_inclusive(*day));
        let res = state.index.search(&r)?;
        for FacetCount { key, count } in res.facets.map(|f| f.theme).unwrap_or_default() {
            let line = out.entry(key).or_insert_with(|| vec![0; days.len()]);
            if let Some(slot) = line.get_mut(i) {
                *slot = count;
            }
        }
    }
    Ok(out)
}

fn theme_link(id: &str, from: NaiveDate, to: NaiveDate) -> String {
    SearchParams {
        theme: id.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        ..Default::default()
    }
    .href("/search")
}

/// `12%` (no decimals; `—` when there are no articles).
fn share(negative: u64, articles: u64) -> (String, bool) {
    if articles == 0 {
        return ("—".to_string(), false);
    }
    let s = negative as f64 / articles as f64;
    (format!("{:.0}%", s * 100.0), s >= HIGH_NEGATIVE_SHARE)
}

/// The dashboard view (blocking). A bad period is shown as the error page's message by the
/// caller.
///
/// Errors: a Chinese message for a bad period (`Ok(Err(..))`), [`WebError`] when the index
/// fails.
pub(crate) fn dashboard_view(
    state: &AppState,
    p: &DashboardParams,
) -> Result<Result<Value, String>, WebError> {
    let today = beijing_day(Utc::now());
    let (from, to) = match period(p, today) {
        Ok(x) => x,
        Err(msg) => return Ok(Err(msg)),
    };
    let cov = coverage(state, from, to)?;
    let days = (to - from).num_days() + 1;
    let empty = Coverage {
        daily: vec![0; usize::try_from(days).unwrap_or(0)],
        ..Default::default()
    };
    let all = state.themes.themes();
    let mut item_count = 0usize;
    let mut covered = 0usize;
    let sections: Vec<SectionRow> = all
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
        .map(|s| {
            let items: Vec<ItemRow> = all
                .iter()
                .filter(|t| t.kind == ThemeKind::Item && t.section == s.id)
                .map(|i| {
                    let c = cov.get(&i.id).unwrap_or(&empty);
                    let (neg_share, neg_high) = share(c.negative, c.articles);
                    item_count += 1;
                    if c.articles > 0 {
                        covered += 1;
                    }
                    ItemRow {
                        id: i.id.clone(),
                        label: theme_label(&state.themes, &i.id),
                        link: theme_link(&i.id, from, to),
                        articles: c.articles,
                        stories: c.stories,
                        neg_share,
                        neg_high,
                        spark: Value::from_safe_string(sparkline(&c.daily, c.undated)),
                        gap: c.articles == 0,
                    }
                })
                .collect();
            let c = cov.get(&s.id).unwrap_or(&empty);
            SectionRow {
                id: s.id.clone(),
                label: theme_label(&state.themes, &s.id),
                link: theme_link(&s.id, from, to),
                articles: c.articles,
                stories: c.stories,
                items,
            }
        })
        .collect();
    Ok(Ok(minijinja::context! {
        nav => "dashboard",
        plan_name => state.themes.plan_name(),
        from => from.to_string(),
        to => to.to_string(),
        days => days,
        item_count => item_count,
        covered => covered,
        gaps => item_count - covered,
        sections => sections,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn period_defaults_and_limits() {
        let today = d("2026-11-30");
        let p = |from: &str, to: &str| DashboardParams {
            from: from.into(),
            to: to.into(),
        };
        assert_eq!(period(&p("", ""), today), Ok((d("2026-11-01"), today)));
        assert_eq!(
            period(&p("", "2026-10-31"), today),
            Ok((d("2026-10-02"), d("2026-10-31")))
        );
        assert_eq!(
            period(&p("2026-11-05", "2026-11-01"), today),
            Err("起始日期 2026-11-05 晚于结束日期 2026-11-01".to_string())
        );
        assert!(
            period(&p("2020-01-01", ""), today)
                .unwrap_err()
                .contains("366")
        );
        assert!(period(&p("x", ""), today).is_err());
    }

    #[test]
    fn negative_share_text() {
        assert_eq!(share(0, 0), ("—".to_string(), false));
        assert_eq!(share(1, 9), ("11%".to_string(), false));
        assert_eq!(share(1, 4), ("25%".to_string(), true));
    }

    #[test]
    fn links_carry_the_period() {
        assert_eq!(
            theme_link("s4.i10", d("2026-11-01"), d("2026-11-30")),
            "/search?from=2026-11-01&to=2026-11-30&theme=s4.i10"
        );
    }
}
