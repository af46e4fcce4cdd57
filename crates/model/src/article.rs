use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Article id: the first 8 bytes of the BLAKE3 hash of the canonical URL, as 16 lowercase hex
/// digits. The same canonical URL always gives the same id, so a re-crawl updates, never duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// Hashes a canonical URL (see `yuqing_extract::canonical_url`) into an id.
    pub fn from_canonical_url(canonical_url: &str) -> Self {
        let hash = blake3::hash(canonical_url.as_bytes());
        let mut s = String::with_capacity(16);
        for b in &hash.as_bytes()[..8] {
            s.push_str(&format!("{b:02x}"));
        }
        ArticleId(s)
    }

    /// Wraps an id read back from the index or the store (not checked).
    pub fn from_raw(s: impl Into<String>) -> Self {
        ArticleId(s.into())
    }

    /// The 16 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// HTTP validators remembered per URL for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// `ETag` response header, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` response header, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when neither validator is known (an unconditional GET follows).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// Where an article's publish time came from (reported as `date_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// `datePublished` in a JSON-LD block.
    JsonLd,
    /// A `<meta>` tag such as `article:published_time`, `pubdate`, `publishdate`.
    Meta,
    /// A `<time datetime>` element.
    TimeTag,
    /// The site rule's date selector.
    SiteRule,
    /// The feed entry's published/updated date.
    Feed,
    /// Text in the page such as `2020年5月12日 10:30` or `发布时间：2020-05-12`.
    Text,
    /// A relative expression (`3小时前`, `昨天 08:00`) resolved against the fetch time.
    Relative,
    /// A date in the URL path such as `/2020-05/12/` or `/20200512/`.
    Url,
    /// No date found.
    None,
}

impl DateSource {
    /// Every date source, in order of preference.
    pub const ALL: [DateSource; 9] = [
        DateSource::JsonLd,
        DateSource::Meta,
        DateSource::TimeTag,
        DateSource::SiteRule,
        DateSource::Feed,
        DateSource::Text,
        DateSource::Relative,
        DateSource::Url,
        DateSource::None,
    ];

    /// Parses the [`DateSource::as_str`] spelling back (as stored by the index and the
    /// store); `None` for anything else.
    pub fn parse(s: &str) -> Option<DateSource> {
        DateSource::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The kebab-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::JsonLd => "json-ld",
            DateSource::Meta => "meta",
            DateSource::TimeTag => "time-tag",
            DateSource::SiteRule => "site-rule",
            DateSource::Feed => "feed",
            DateSource::Text => "text",
            DateSource::Relative => "relative",
            DateSource::Url => "url",
            DateSource::None => "none",
        }
    }
}

/// One entry of a parsed feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    /// Entry id (guid / atom:id), or the link when the feed has none.
    pub id: String,
    /// Absolute link to the article page, resolved against the feed URL; `None` if absent.
    pub link: Option<String>,
    /// Entry title, plain text, trimmed.
    pub title: String,
    /// Published (or else updated) time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Author names joined with a space.
    pub author: Option<String>,
    /// Summary / description as plain text (HTML stripped).
    pub summary: Option<String>,
    /// Full content as plain text (HTML stripped, paragraphs separated by `\n`), when the feed
    /// carries the article text (content:encoded, atom:content, content_html).
    pub content: Option<String>,
}

/// A clean article ready to index and store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Hash of `canonical_url`.
    pub id: ArticleId,
    /// Id of the source (信源) that led to it.
    pub source: String,
    /// Media tier of that source.
    pub tier: crate::Tier,
    /// URL the page was fetched from (after redirects).
    pub url: String,
    /// Canonical URL: `<link rel=canonical>` or the URL, tracking parameters and fragment removed.
    pub canonical_url: String,
    /// Publishing site: `og:site_name` / the source name, else the host.
    pub site: String,
    /// Headline.
    pub title: String,
    /// Author(s) (作者/记者/文), space separated.
    pub author: Option<String>,
    /// Editor (编辑/责任编辑), kept apart from the author.
    pub editor: Option<String>,
    /// Publish time, UTC (times without a zone were read as Beijing time, UTC+8).
    pub published_at: Option<DateTime<Utc>>,
    /// Where `published_at` came from.
    pub date_source: DateSource,
    /// Body text, paragraphs separated by `\n`.
    pub body: String,
    /// When the page was fetched, UTC.
    pub fetched_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_stable_and_distinct() {
        let a = ArticleId::from_canonical_url("https://example.cn/a");
        assert_eq!(a, ArticleId::from_canonical_url("https://example.cn/a"));
        assert_ne!(a, ArticleId::from_canonical_url("https://example.cn/b"));
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn tier_round_trips() {
        for t in crate::Tier::ALL {
            assert_eq!(crate::Tier::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(crate::Tier::parse("national"), None);
        for d in DateSource::ALL {
            assert_eq!(DateSource::parse(d.as_str()), Some(d));
        }
        assert_eq!(DateSource::parse("jsonld"), None);
    }
}
