//! Typed settings of `[crawl]` and `[index]` (the `[fetch]` record lives in `yuqing_model`).

use serde::Serialize;

/// What the crawler keeps and follows (`[crawl]` in `yuqing.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrawlSettings {
    /// Articles whose body has fewer characters (Unicode scalar values) are rejected; default 50,
    /// allowed 0..=100000.
    pub min_body_chars: usize,
    /// At most this many article links are taken from one listing page, in page order;
    /// default 50, allowed 1..=10000.
    pub max_links_per_listing: usize,
    /// A feed entry whose content has at least this many characters is used as the article
    /// without fetching the page; default 200, allowed 0..=1000000.
    pub feed_full_text_min_chars: usize,
    /// Whether article URLs already in the store are fetched again (to catch edits); default false.
    pub refetch_known_articles: bool,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            min_body_chars: 50,
            max_links_per_listing: 50,
            feed_full_text_min_chars: 200,
            refetch_known_articles: false,
        }
    }
}

/// How the search index is written (`[index]` in `yuqing.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexSettings {
    /// Memory budget of the index writer, MiB, shared by its indexing threads (one per core, at
    /// most 8); default 128, allowed 15..=16384 (tantivy refuses less than 15 MB per indexing
    /// thread). A thread writes out its segment when its share is full, and every segment
    /// re-learns its vocabulary: on 2 cores 128 MiB used ~10 % less CPU per article than 64
    /// (`bench_ingest`, BENCHMARKS.md). Commits also close segments, so a crawl that commits
    /// per source batch rarely fills even 64 MiB.
    pub writer_heap_mb: usize,
    /// Documents added between two commits; default 1000, allowed 1..=1000000.
    pub commit_every: usize,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings {
            writer_heap_mb: 128,
            commit_every: 1000,
        }
    }
}

/// Transport security of the SMTP connection (`[mail] smtp_tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// `starttls` (default): a plain connection upgraded with STARTTLS, required; port 587.
    Starttls,
    /// `implicit`: TLS from the first byte (SMTPS); port 465.
    Implicit,
    /// `none`: no encryption, accepted only for a loopback host (a local relay).
    None,
}

/// The SMTP server alerts are sent through (`[mail] smtp_*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmtpConfig {
    /// `smtp_host`.
    pub host: String,
    /// `smtp_port`, default 587, allowed 1..=65535.
    pub port: u16,
    /// `smtp_tls`, default `starttls`.
    pub tls: SmtpTls,
    /// `smtp_username`; no AUTH when empty.
    pub username: Option<String>,
    /// `smtp_password_file` joined to the config directory when relative; the password is
    /// read from env `YUQING_SMTP_PASSWORD` first, then this file (never from the TOML).
    pub password_file: Option<std::path::PathBuf>,
    /// `smtp_ca_file` joined to the config directory when relative: a PEM file of extra root
    /// certificates trusted for this server (an office's internal CA), in addition to the
    /// system/webpki roots; `None` when empty.
    pub ca_file: Option<std::path::PathBuf>,
}

/// One alert recipient (`[[mail.recipient]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecipientConfig {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Theme ids subscribed to (`s4` covers its items); empty = every negative story.
    pub themes: Vec<String>,
    /// A story is sent when it is negative with score ≤ -`min_negative_score`; default 0.0,
    /// allowed 0..=1.
    pub min_negative_score: f32,
}

/// Alert e-mail settings (`[mail]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailConfig {
    /// `from`, default `Yuqing 舆情 <yuqing@localhost>`.
    pub from: String,
    /// `outbox_dir` (default `outbox`) joined to the data directory when relative: where
    /// digests are written as `.eml` files when no SMTP host is set.
    pub outbox_dir: std::path::PathBuf,
    /// The SMTP server, `None` when `smtp_host` is empty (the embedded default: outbox).
    pub smtp: Option<SmtpConfig>,
    /// The recipients, in file order.
    pub recipients: Vec<RecipientConfig>,
    /// `max_story_age_days`, default 7, allowed 0..=36500, 0 = no limit: a negative story is
    /// mailed only when its original's publish time (else its first fetch) is at most this
    /// many days old; older ones are skipped, never recorded, never mailed.
    pub max_story_age_days: u32,
}

/// What `yuqing serve` runs and when (`[schedule]`). Cron expressions are read in the
/// configured `timezone` (default Asia/Shanghai), five fields (minute hour day-of-month month
/// day-of-week) or six with seconds first, as parsed by the `croner` crate; an empty string
/// turns the job off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleSettings {
    /// `crawl_every_minutes`: a crawl pass starts this many minutes after the previous one
    /// started (a pass still running is never overlapped); 0 = no crawling; default 60,
    /// allowed 0..=10080.
    pub crawl_every_minutes: u32,
    /// `daily_report_cron`: when the daily guidance report of the previous day is written;
    /// default `"30 7 * * *"` (07:30).
    pub daily_report_cron: String,
    /// `weekly_report_cron`: when the weekly report of the previous week is written; default
    /// `"0 8 * * 1"` (Monday 08:00).
    pub weekly_report_cron: String,
    /// `report_formats`: formats the scheduled reports are written in, each one of `html`,
    /// `md`, `docx`, `xlsx`; default all four.
    pub report_formats: Vec<String>,
    /// `alert_cron`: when the negative-story alert digest is sent; default `"0 8 * * *"`.
    pub alert_cron: String,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            crawl_every_minutes: 60,
            daily_report_cron: "30 7 * * *".to_string(),
            weekly_report_cron: "0 8 * * 1".to_string(),
            report_formats: ["html", "md", "docx", "xlsx"].map(String::from).to_vec(),
            alert_cron: "0 8 * * *".to_string(),
        }
    }
}

/// The analysts' web UI and JSON API of `yuqing serve` (`[web]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebSettings {
    /// `listen`: socket address; default `127.0.0.1:8080` (loopback: put a TLS reverse proxy
    /// in front to serve other machines).
    pub listen: std::net::SocketAddr,
    /// `session_hours`: a login lasts this long; default 12, allowed 1..=720.
    pub session_hours: u32,
    /// `secure_cookie`: mark the session cookie `Secure` (set true when served over HTTPS,
    /// e.g. behind a TLS proxy); default false.
    pub secure_cookie: bool,
    /// `login_attempts_per_minute`: failed logins allowed per user name within a sliding
    /// minute (per client address, four times as many: `yuqing_web`'s
    /// `ADDRESS_LIMIT_FACTOR`); after that many failures every attempt for that name or
    /// address is refused with 429 until the oldest failure is a minute old. Successful
    /// logins never count. Default 5, allowed 1..=1000.
    pub login_attempts_per_minute: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            // The literal is a valid socket address.
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            session_hours: 12,
            secure_cookie: false,
            login_attempts_per_minute: 5,
        }
    }
}
