//! The search page's state as URL query parameters: parsing (lenient: empty fields are
//! absent), turning it into a [`SearchRequest`], and building the links of the page (facet
//! filters, paging, export) so that every view is a bookmarkable URL.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use yuqing_index::{SearchRequest, SortOrder};
use yuqing_model::{SentimentLabel, Tier};
use yuqing_report::Period;

/// Hits per page of the search page.
pub(crate) const PAGE_SIZE: usize = 20;
/// Highest page number served (deeper pages cost a top-k of `page × PAGE_SIZE`).
pub(crate) const MAX_PAGE: usize = 500;

/// Query parameters of `/search` and `/search/export.xlsx`, as sent by the form and the
/// links: `q`, `from`/`to` (Beijing days `YYYY-MM-DD`, both inclusive), `theme` (`s4`,
/// `s4.i10`), `sentiment` (`positive|neutral|negative`), `tier` (`central` …), `source`
/// (source id), `collapse` (`1`), `sort` (`relevance|time`), `page` (1-based).
/// Every field is kept as text so a bad value becomes a message on the page, not a 400.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub sentiment: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub collapse: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
}

/// A facet dimension of the search page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dim {
    Theme,
    Sentiment,
    Tier,
    Source,
}

impl SearchParams {
    /// Trims every field (forms send `from=` for an empty date).
    pub(crate) fn normalized(mut self) -> SearchParams {
        for f in [
            &mut self.q,
            &mut self.from,
            &mut self.to,
            &mut self.theme,
            &mut self.sentiment,
            &mut self.tier,
            &mut self.source,
            &mut self.collapse,
            &mut self.sort,
            &mut self.page,
        ] {
            let t = f.trim();
            if t.len() != f.len() {
                *f = t.to_string();
            }
        }
        self
    }

    /// Whether reprints are collapsed (`collapse=1`, `true` or `on`).
    pub(crate) fn collapse(&self) -> bool {
        matches!(self.collapse.as_str(), "1" | "true" | "on")
    }

    /// `time` or `relevance` (anything else is relevance).
    pub(crate) fn sort_key(&self) -> &'static str {
        if self.sort == "time" {
            "time"
        } else {
            "relevance"
        }
    }

    /// The 1-based page, clamped to `1..=MAX_PAGE` (bad text is page 1).
    pub(crate) fn page(&self) -> usize {
        self.page.parse::<usize>().unwrap_or(1).clamp(1, MAX_PAGE)
    }

    /// The value of one facet dimension (empty when not filtered).
    pub(crate) fn dim(&self, d: Dim) -> &str {
        match d {
            Dim::Theme => &self.theme,
            Dim::Sentiment => &self.sentiment,
            Dim::Tier => &self.tier,
            Dim::Source => &self.source,
        }
    }

    /// A copy with dimension `d` set to `value` (empty = cleared) and paging reset.
    pub(crate) fn with_dim(&self, d: Dim, value: &str) -> SearchParams {
        let mut p = self.clone();
        let slot = match d {
            Dim::Theme => &mut p.theme,
            Dim::Sentiment => &mut p.sentiment,
            Dim::Tier => &mut p.tier,
            Dim::Source => &mut p.source,
        };
        *slot = value.to_string();
        p.page.clear();
        p
    }

    /// A copy on page `n` (page 1 drops the parameter).
    pub(crate) fn with_page(&self, n: usize) -> SearchParams {
        let mut p = self.clone();
        p.page = if n <= 1 { String::new() } else { n.to_string() };
        p
    }

    /// The non-empty parameters in a fixed order, URL-encoded (`application/x-www-form-
    /// urlencoded`, as a form would send them), without the leading `?`.
    pub(crate) fn query_string(&self) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        let collapse = if self.collapse() { "1" } else { "" };
        let sort = if self.sort == "time" { "time" } else { "" };
        let page = if self.page() > 1 {
            self.page().to_string()
        } else {
            String::new()
        };
        for (k, v) in [
            ("q", self.q.as_str()),
            ("from", &self.from),
            ("to", &self.to),
            ("theme", &self.theme),
            ("sentiment", &self.sentiment),
            ("tier", &self.tier),
            ("source", &self.source),
            ("collapse", collapse),
            ("sort", sort),
            ("page", &page),
        ] {
            if !v.is_empty() {
                ser.append_pair(k, v);
            }
        }
        ser.finish()
    }

    /// `path?query` (just `path` when there is no parameter).
    pub(crate) fn href(&self, path: &str) -> String {
        let q = self.query_string();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    /// A copy without the value of `field` (both dates for [`Field::Dates`]); used to keep a
    /// refused value out of the page's links and hidden form fields.
    pub(crate) fn without(&self, field: Field) -> SearchParams {
        let mut p = self.clone();
        match field {
            Field::Query => p.q.clear(),
            Field::From => p.from.clear(),
            Field::To => p.to.clear(),
            Field::Dates => {
                p.from.clear();
                p.to.clear();
            }
            Field::Theme => p.theme.clear(),
            Field::Sentiment => p.sentiment.clear(),
            Field::Tier => p.tier.clear(),
            Field::Source => p.source.clear(),
        }
        p
    }

    /// The index request for this state: filters, sort, collapse, facets on, the page's
    /// window of `PAGE_SIZE` hits. Theme and source ids are passed on unchecked (checking
    /// them needs the plan and the index: `ui::search::checked_request`).
    ///
    /// Errors: every bad parameter found, in [`Field`] order, each with a Chinese message
    /// naming the parameter and its value: `from`/`to` not a `YYYY-MM-DD` day, `from` after
    /// `to`, unknown sentiment or tier.
    pub(crate) fn to_request(&self) -> Result<SearchRequest, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut req = SearchRequest::new(self.q.clone());
        req.limit = PAGE_SIZE;
        req.offset = (self.page() - 1) * PAGE_SIZE;
        req.facets = true;
        req.collapse = self.collapse();
        req.sort = if self.sort == "time" {
            SortOrder::Time
        } else {
            SortOrder::Relevance
        };
        let mut day = |field, label, s: &str| {
            parse_day(label, s).unwrap_or_else(|message| {
                problems.push(Problem { field, message });
                None
            })
        };
        let from = day(Field::From, FROM_LABEL, &self.from);
        let to = day(Field::To, TO_LABEL, &self.to);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            problems.push(Problem {
                field: Field::Dates,
                message: range_error_zh(f, t),
            });
        }
        req.from = from.map(day_start);
        req.to = to.map(day_end_inclusive);
        if !self.theme.is_empty() {
            req.theme = Some(self.theme.clone());
        }
        if !self.source.is_empty() {
            req.source = Some(self.source.clone());
        }
        if !self.sentiment.is_empty() {
            req.sentiment = SentimentLabel::parse(&self.sentiment);
            if req.sentiment.is_none() {
                let allowed: Vec<&str> = SentimentLabel::ALL.map(SentimentLabel::label_zh).into();
                problems.push(Problem {
                    field: Field::Sentiment,
                    message: format!(
                        "倾向性参数 {} 无效（可选：{}）",
                        shown_value(&self.sentiment),
                        allowed.join("/")
                    ),
                });
            }
        }
        if !self.tier.is_empty() {
            req.tier = Tier::parse(&self.tier);
            if req.tier.is_none() {
                let allowed: Vec<String> = Tier::ALL
                    .map(|t| format!("{} {}", t.label_zh(), t.as_str()))
                    .into();
                problems.push(Problem {
                    field: Field::Tier,
                    message: format!(
                        "媒体层级参数 {} 无效（可选：{}）",
                        shown_value(&self.tier),
                        allowed.join("/")
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(req)
        } else {
            Err(problems)
        }
    }
}

/// A parameter of the search URL, in the order the page lists its problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    /// `q`.
    Query,
    /// `from`.
    From,
    /// `to`.
    To,
    /// `from` and `to` together (the start after the end).
    Dates,
    /// `theme`.
    Theme,
    /// `sentiment`.
    Sentiment,
    /// `tier`.
    Tier,
    /// `source`.
    Source,
}

/// A bad search parameter: which one, and the Chinese message for the analyst naming it and
/// its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: Field,
    pub message: String,
}

/// Chinese name of `from` in messages.
pub(crate) const FROM_LABEL: &str = "起始日期";
/// Chinese name of `to` in messages.
pub(crate) const TO_LABEL: &str = "结束日期";

/// Most characters of a parameter value repeated in a message (a longer one ends in `…`):
/// the value comes from the address bar.
const SHOWN_VALUE_CHARS: usize = 40;

/// `v` as a message repeats it: at most [`SHOWN_VALUE_CHARS`] characters, then `…`.
pub(crate) fn shown_value(v: &str) -> String {
    match v.char_indices().nth(SHOWN_VALUE_CHARS) {
        None => v.to_string(),
        // `cut` is a char boundary (from `char_indices`), so the slice cannot fail.
        Some((cut, _)) => format!("{}…", &v[..cut]),
    }
}

/// The message of a period whose start `from` lies after its end `to`.
pub(crate) fn range_error_zh(from: NaiveDate, to: NaiveDate) -> String {
    format!("{FROM_LABEL} {from} 晚于{TO_LABEL} {to}")
}

/// `YYYY-MM-DD` (empty = none).
///
/// Errors: a Chinese message naming the field (`label`) and the value: not of the shape
/// `YYYY-MM-DD`, or of that shape but no calendar day (`2026-02-30`).
pub(crate) fn parse_day(label: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(Some(d)),
        Err(_) if shaped => Err(format!("{label} {s} 不存在（没有这一天）")),
        _ => Err(format!(
            "{label} {} 格式有误，应为 YYYY-MM-DD（如 2026-11-01）",
            shown_value(s)
        )),
    }
}

/// 00:00 Beijing time of `day`, as UTC.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    Period::daily(day).start()
}

/// The last millisecond of `day` in Beijing time, as UTC (an inclusive upper bound).
pub(crate) fn day_end_inclusive(day: NaiveDate) -> DateTime<Utc> {
    Period::daily(day).end() - Duration::milliseconds(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn params(q: &str) -> SearchParams {
        SearchParams {
            q: q.to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn query_string_round_trips_and_encodes() {
        let mut p = params("\"绿色 包装\" & title:快递");
        p.theme = "s4.i10".into();
        p.collapse = "on".into();
        p.sort = "time".into();
        p.page = "3".into();
        let qs = p.query_string();
        assert_eq!(
            qs,
            "q=%22%E7%BB%BF%E8%89%B2+%E5%8C%85%E8%A3%85%22+%26+title%3A%E5%BF%AB%E9%80%92\
             &theme=s4.i10&collapse=1&sort=time&page=3"
        );
        let back: SearchParams = serde_urlencoded_parse(&qs);
        assert_eq!(back.q, p.q);
        assert_eq!(back.theme, "s4.i10");
        assert!(back.collapse());
        assert_eq!(back.page(), 3);
        // Facet links reset the page; page 1 and relevance are implicit.
        assert_eq!(
            p.with_dim(Dim::Theme, "").with_page(1).href("/search"),
            "/search?q=%22%E7%BB%BF%E8%89%B2+%E5%8C%85%E8%A3%85%22+%26+title%3A%E5%BF%AB%E9%80%92&collapse=1&sort=time"
        );
        assert_eq!(SearchParams::default().href("/search"), "/search");
    }

    fn serde_urlencoded_parse(qs: &str) -> SearchParams {
        let mut p = SearchParams::default();
        for (k, v) in url::form_urlencoded::parse(qs.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "q" => p.q = v,
                "theme" => p.theme = v,
                "collapse" => p.collapse = v,
                "sort" => p.sort = v,
                "page" => p.page = v,
                _ => {}
            }
        }
        p
    }

    #[test]
    fn request_has_beijing_day_bounds_and_filters() {
        let mut p = params("快递");
        p.from = "2026-11-01".into();
        p.to = "2026-11-02".into();
        p.sentiment = "负面".into();
        p.tier = "central".into();
        p.page = "2".into();
        let r = p.to_request().unwrap();
        assert_eq!(
            r.from,
            Some(Utc.with_ymd_and_hms(2026, 10, 31, 16, 0, 0).unwrap())
        );
        assert_eq!(
            r.to,
            Some(
                Utc.with_ymd_and_hms(2026, 11, 2, 15, 59, 59).unwrap()
                    + Duration::milliseconds(999)
            )
        );
        assert_eq!(r.sentiment, Some(SentimentLabel::Negative));
        assert_eq!(r.tier, Some(Tier::Central));
        assert_eq!((r.offset, r.limit), (PAGE_SIZE, PAGE_SIZE));
        assert!(r.facets);
    }

    #[test]
    fn bad_values_are_messages() {
        let problems = |p: SearchParams| -> Vec<(Field, String)> {
            p.to_request()
                .unwrap_err()
                .into_iter()
                .map(|x| (x.field, x.message))
                .collect()
        };
        let mut p = params("");
        p.from = "2026/11/01".into();
        assert_eq!(
            problems(p),
            vec![(
                Field::From,
                "起始日期 2026/11/01 格式有误，应为 YYYY-MM-DD（如 2026-11-01）".to_string()
            )]
        );
        let mut p = params("");
        p.to = "2026-02-30".into();
        assert_eq!(
            problems(p),
            vec![(
                Field::To,
                "结束日期 2026-02-30 不存在（没有这一天）".to_string()
            )]
        );
        let mut p = params("");
        p.from = "2026-12-01".into();
        p.to = "2026-11-01".into();
        assert_eq!(
            problems(p),
            vec![(
                Field::Dates,
                "起始日期 2026-12-01 晚于结束日期 2026-11-01".to_string()
            )]
        );
        // Every bad parameter is reported, in field order.
        let mut p = params("");
        p.tier = "national".into();
        p.sentiment = "meh".into();
        assert_eq!(
            problems(p),
            vec![
                (
                    Field::Sentiment,
                    "倾向性参数 meh 无效（可选：正面/中性/负面）".to_string()
                ),
                (
                    Field::Tier,
                    "媒体层级参数 national 无效（可选：央媒 central/省级 provincial/行业 industry/\
                     商业 commercial/自媒体 self-media）"
                        .to_string()
                ),
            ]
        );
        // A value from the address bar is cut in the message.
        let mut p = params("");
        p.sentiment = "x".repeat(1000);
        let msg = &problems(p)[0].1;
        assert!(msg.contains(&format!("{}…", "x".repeat(40))), "{msg}");
        assert!(!msg.contains(&"x".repeat(41)), "{msg}");
        assert_eq!(params("").with_page(0).page(), 1);
        let mut p = params("");
        p.page = "99999".into();
        assert_eq!(p.page(), MAX_PAGE);
    }

    #[test]
    fn without_clears_one_field() {
        let p = SearchParams {
            q: "快递".into(),
            from: "2026-11-01".into(),
            to: "2026-11-02".into(),
            theme: "s99".into(),
            ..Default::default()
        };
        assert_eq!(
            p.without(Field::Theme).href("/search"),
            "/search?q=%E5%BF%AB%E9%80%92&from=2026-11-01&to=2026-11-02"
        );
        assert_eq!(
            p.without(Field::Dates).href("/search"),
            "/search?q=%E5%BF%AB%E9%80%92&theme=s99"
        );
    }
}
