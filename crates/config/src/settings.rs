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
    /// Memory budget of the index writer, MiB; default 64, allowed 15..=16384 (tantivy refuses
    /// less than 15 MB per indexing thread).
    pub writer_heap_mb: usize,
    /// Documents added between two commits; default 1000, allowed 1..=1000000.
    pub commit_every: usize,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings {
            writer_heap_mb: 64,
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
}
