use serde::{Deserialize, Serialize};

/// HTTP behaviour of the crawler (`[fetch]` in `yuqing.toml`). Durations in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchSettings {
    /// User-Agent header; must name Yuqing. Also the agent matched in robots.txt.
    pub user_agent: String,
    /// TCP + TLS connect timeout, ms.
    pub connect_timeout_ms: u64,
    /// Whole-request timeout (headers and body), ms.
    pub timeout_ms: u64,
    /// Largest body read, bytes; a longer body is cut off and the fetch fails with `TooLarge`.
    pub max_body_bytes: u64,
    /// Redirects followed before failing.
    pub max_redirects: usize,
    /// Requests per second allowed to one host.
    pub per_host_rps: u32,
    /// Requests in flight at once, all hosts together.
    pub concurrency: usize,
    /// Retries after a timeout, connection error or 5xx (never after a 4xx).
    pub retries: u32,
    /// First retry delay, ms; doubled on each further retry.
    pub backoff_ms: u64,
    /// Whether robots.txt is fetched and obeyed.
    pub respect_robots: bool,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: concat!(
                "Yuqing/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/yuqing-project/yuqing; media monitoring)"
            )
            .to_string(),
            connect_timeout_ms: 10_000,
            timeout_ms: 30_000,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            per_host_rps: 1,
            concurrency: 8,
            retries: 3,
            backoff_ms: 500,
            respect_robots: true,
        }
    }
}

/// Per-domain extraction rule from `config/sites.toml` (`[[site]]`). All selectors are CSS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteRule {
    /// Host the rule applies to; also matches its subdomains (`spb.gov.cn` matches `www.spb.gov.cn`).
    pub domain: String,
    /// Element holding the headline.
    pub title: Option<String>,
    /// Element(s) holding the article body.
    pub body: Option<String>,
    /// Element holding the publish date text.
    pub date: Option<String>,
    /// Element holding the author / byline.
    pub author: Option<String>,
    /// Elements removed from the body before text is taken (share bars, related lists).
    pub noise: Vec<String>,
}
