//! Raw serde mirrors of the three files. Every value is optional so that a missing or wrong
//! value becomes a [`crate::Problem`] in `validate`, not a parse error that hides the others.
//! Integers are `i64` (TOML's integer type) so negative values get a range message.

use serde::Deserialize;

/// `yuqing.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMain {
    pub version: Option<i64>,
    pub timezone: Option<String>,
    #[serde(default)]
    pub data: RawData,
    #[serde(default)]
    pub fetch: RawFetch,
    #[serde(default)]
    pub crawl: RawCrawl,
    #[serde(default)]
    pub index: RawIndex,
    #[serde(default)]
    pub text: RawText,
    #[serde(default)]
    pub analysis: RawAnalysis,
    #[serde(default)]
    pub mail: RawMail,
    #[serde(default)]
    pub schedule: RawSchedule,
    #[serde(default)]
    pub web: RawWeb,
}

/// `[schedule]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchedule {
    pub crawl_every_minutes: Option<i64>,
    pub daily_report_cron: Option<String>,
    pub weekly_report_cron: Option<String>,
    pub report_formats: Option<Vec<String>>,
    pub alert_cron: Option<String>,
}

/// `[web]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeb {
    pub listen: Option<String>,
    pub session_hours: Option<i64>,
    pub secure_cookie: Option<bool>,
    pub login_attempts_per_minute: Option<i64>,
}

/// `[data]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawData {
    pub dir: Option<String>,
}

/// `[fetch]`, mirrors `yuqing_model::FetchSettings`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFetch {
    pub user_agent: Option<String>,
    pub connect_timeout_ms: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub max_body_bytes: Option<i64>,
    pub max_redirects: Option<i64>,
    pub per_host_rps: Option<i64>,
    pub concurrency: Option<i64>,
    pub retries: Option<i64>,
    pub backoff_ms: Option<i64>,
    pub respect_robots: Option<bool>,
}

/// `[crawl]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCrawl {
    pub min_body_chars: Option<i64>,
    pub max_links_per_listing: Option<i64>,
    pub feed_full_text_min_chars: Option<i64>,
    pub refetch_known_articles: Option<bool>,
}

/// `[index]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndex {
    pub writer_heap_mb: Option<i64>,
    pub commit_every: Option<i64>,
}

/// `[text]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawText {
    pub dict_dir: Option<String>,
}

/// `[analysis]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnalysis {
    pub themes_file: Option<String>,
    pub lexicon_dir: Option<String>,
    pub sentiment_model: Option<String>,
}

/// `[mail]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMail {
    pub from: Option<String>,
    pub outbox_dir: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i64>,
    pub smtp_tls: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password_file: Option<String>,
    pub smtp_ca_file: Option<String>,
    pub max_story_age_days: Option<i64>,
    #[serde(default)]
    pub recipient: Vec<RawRecipient>,
}

/// `[[mail.recipient]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecipient {
    pub name: Option<String>,
    pub email: Option<String>,
    pub themes: Option<Vec<String>>,
    pub min_negative_score: Option<f64>,
}

/// `sources.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSources {
    #[serde(default)]
    pub source: Vec<RawSource>,
}

/// One `[[source]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub url: Option<String>,
    pub tier: Option<String>,
    pub interval: Option<i64>,
    pub link_selector: Option<String>,
}

/// `sites.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSites {
    #[serde(default)]
    pub site: Vec<RawSite>,
}

/// One `[[site]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSite {
    pub domain: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub date: Option<String>,
    pub author: Option<String>,
    #[serde(default)]
    pub noise: Vec<String>,
}
