//! One-off repair of index documents written before the owner rule: a data directory crawled
//! by an earlier build may hold index documents naming a later source (and its tier and site)
//! while the store kept the first. [`Pipeline::repair_owners`] re-indexes those from the store;
//! each crawl pass runs it once per data directory (marker file [`OWNERS_CHECKED_FILE`]).

use std::collections::HashMap;

use yuqing_model::{Article, ArticleId};

use crate::{Pipeline, PipelineError};

/// Stored articles compared per step: one store page and one index read.
const REPAIR_BATCH: usize = 4096;

/// File in the data directory written once [`Pipeline::repair_owners`] has run to the end
/// (its content is the number of documents repaired); while it exists passes skip the repair.
pub(crate) const OWNERS_CHECKED_FILE: &str = "index_owners_checked";

impl Pipeline {
    /// Re-indexes every article whose index document names another source, tier or site
    /// than the store's row (the system of record), from the store's article and analysis
    /// ([`yuqing_store::Store::analysis`], corrections applied), then one commit. Articles the
    /// index lacks are left alone. Returns the number re-indexed.
    ///
    /// Cost: every stored article is read from the store and its index document from the
    /// index's document store, in pages of 4,096 (one pass over both: 27 µs CPU per article
    /// with nothing stale, 20,000 articles in `examples/bench_reingest`, so about 3 s per
    /// 100,000); the writer is taken only when something is stale. Blocking: call it off the
    /// async runtime. Each crawl pass calls it once per data directory (see the module doc).
    ///
    /// Errors: the store or the index cannot be read or written (the index writer is held by
    /// a pass running in another process).
    pub fn repair_owners(&self) -> Result<usize, PipelineError> {
        let store = self.store();
        let index = self.index();
        let mut stale: Vec<ArticleId> = Vec::new();
        store.for_each_article_batch(REPAIR_BATCH, |page: &[Article]| {
            let ids: Vec<ArticleId> = page.iter().map(|a| a.id.clone()).collect();
            let indexed: HashMap<ArticleId, Article> = index
                .stored_articles(&ids)?
                .into_iter()
                .map(|(a, _)| (a.id.clone(), a))
                .collect();
            for a in page {
                if let Some(doc) = indexed.get(&a.id)
                    && (doc.source != a.source || doc.tier != a.tier || doc.site != a.site)
                {
                    stale.push(a.id.clone());
                }
            }
            Ok::<(), PipelineError>(())
        })?;
        if stale.is_empty() {
            return Ok(0);
        }
        let heap = self.config().index.writer_heap_mb.saturating_mul(1 << 20);
        let mut writer = index.writer(heap)?;
        let mut written = 0;
        for id in &stale {
            let Some(article) = store.article(id)? else {
                continue;
            };
            let analysis = store.analysis(id)?.unwrap_or_default();
            writer.upsert(&article, &analysis)?;
            written += 1;
        }
        writer.commit()?;
        Ok(written)
    }

    /// [`Pipeline::repair_owners`] unless [`OWNERS_CHECKED_FILE`] says it already ran for this
    /// data directory; writes the file after a complete run. A failure is logged (the next
    /// pass tries again), never fatal to the pass.
    pub(crate) fn repair_owners_once(&self) {
        let marker = self.config().data_dir.join(OWNERS_CHECKED_FILE);
        if marker.exists() {
            return;
        }
        match self.repair_owners() {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(
                        "re-indexed {n} articles whose index document named another source than the store"
                    );
                }
                if let Err(e) = std::fs::write(&marker, format!("{n}\n")) {
                    tracing::warn!("cannot write {}: {e}", marker.display());
                }
            }
            Err(e) => tracing::warn!("index owners not checked: {e}"),
        }
    }
}
