//! # yuqing-pipeline: one crawl pass, sources in, indexed articles out
//!
//! Wiring only: for every configured source (信源) it fetches the feed, listing or page
//! ([`yuqing_fetch`]), extracts articles ([`yuqing_extract`]) on the blocking pool, and hands
//! them in batches to a single writer thread that stores them ([`yuqing_store`], the source of
//! truth) and indexes them ([`yuqing_index`]). A failure of one source is data in the
//! [`RunSummary`], never the end of the pass.
//!
//! One article, one source everywhere: when several sources lead to the same article (same
//! canonical URL, so the same id), the source that stored it first owns it: its source id,
//! tier and site stay in the store whatever other sources list it later
//! ([`yuqing_store::Store::upsert_article`]). Another source's copy may still update the
//! content (counted `updated` for that source) or match it (`unchanged`); only the first
//! store counts `new`. The index document is always the stored record: the writer applies the
//! same rule before indexing ([`yuqing_store::StoredHead::adopt`]) and leaves unchanged
//! articles alone, so `search --source/--tier`, the web search and `/api/search` agree with
//! the store, `coverage`, reports and exports. The other index writers read the store too:
//! sentiment corrections ([`Pipeline::apply_corrections`]) and `themes rematch`
//! ([`Pipeline::rematch`], which re-indexes from the store's record). Documents written by an
//! earlier build under a later source are repaired once per data directory at the start of
//! a pass ([`Pipeline::repair_owners`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = yuqing_config::Config::load(std::path::Path::new("config/yuqing.toml"))?;
//! let pipeline = yuqing_pipeline::Pipeline::open(config)?;
//! let summary = pipeline.run_pass(&|report: &yuqing_pipeline::SourceReport| {
//!     eprintln!("{} ok={}", report.id, report.ok);
//! }).await?;
//! println!("{} new articles", summary.new);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod analyze;
mod rematch;
mod repair;
mod run;
mod summary;

pub use analyze::{Analyzer, SentimentModelKind};
pub use rematch::RematchReport;
pub use run::{Pipeline, PipelineError};
pub use summary::{RunSummary, SourceReport};
