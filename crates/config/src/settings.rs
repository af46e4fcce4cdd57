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
