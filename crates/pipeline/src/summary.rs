use serde::Serialize;

/// What one crawl pass did to one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceReport {
    /// Source id from `sources.toml`.
    pub id: String,
    /// True when the source's own URL was read (or answered 304 Not Modified).
    pub ok: bool,
    /// Why the source failed, naming the URL (`None` when `ok`).
    pub error: Option<String>,
    /// True when the source failed because its host was never reached: the name did not
    /// resolve or no connection could be opened, for the source URL or its robots.txt
    /// ([`yuqing_fetch::FetchError::is_unreachable`]). A pass where every source is unreachable
    /// is most likely offline.
    pub unreachable: bool,
    /// True when the source's URL answered 304 Not Modified to a conditional GET.
    pub not_modified: bool,
    /// Articles stored for the first time: this source owns them (see the crate doc).
    pub new: u32,
    /// Articles already stored whose content this source's copy changed, also ones another
    /// source owns (their owner stays).
    pub updated: u32,
    /// Articles already stored and unchanged (by this or another source), including stored
    /// pages a feed or listing still links to that were not fetched again
    /// (`crawl.refetch_known_articles = false`). They cost no index write.
    pub unchanged: u32,
    /// Pages or entries that gave no article (fetch failed, no body, not HTML), counted not fatal.
    pub rejected: u32,
    /// Rejected pages whose fetch failed in passing (timeout, connection error, 5xx); while
    /// non-zero, the source's validators are not saved, so the next pass re-reads it.
    pub transient_failures: u32,
    /// One line per rejected page: `URL: reason` (at most 20 kept).
    pub rejections: Vec<String>,
}

/// The result of one pass over every source; printed by `yuqing run` and stored per run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunSummary {
    /// One report per source, in `sources.toml` order.
    pub sources: Vec<SourceReport>,
    /// Sum of `new` over sources.
    pub new: u32,
    /// Sum of `updated` over sources.
    pub updated: u32,
    /// Sum of `unchanged` over sources.
    pub unchanged: u32,
    /// Sum of `rejected` over sources.
    pub rejected: u32,
    /// Wall-clock seconds of the pass.
    pub seconds: f64,
}

impl RunSummary {
    /// Builds the totals from per-source reports.
    pub fn from_reports(sources: Vec<SourceReport>, seconds: f64) -> Self {
        let mut s = RunSummary {
            seconds,
            ..Default::default()
        };
        for r in &sources {
            s.new += r.new;
            s.updated += r.updated;
            s.unchanged += r.unchanged;
            s.rejected += r.rejected;
        }
        s.sources = sources;
        s
    }

    /// Sources that failed.
    pub fn failed(&self) -> impl Iterator<Item = &SourceReport> {
        self.sources.iter().filter(|r| !r.ok)
    }

    /// True when there was at least one source and every one failed (`yuqing run` exits 1).
    pub fn all_failed(&self) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|r| !r.ok)
    }
}
