//! `themes rematch`: re-apply changed theme rules to every stored article, without crawling.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use serde::Serialize;
use yuqing_model::{Article, ArticleId, ThemeMatch};
use yuqing_store::ThemeDiff;

use crate::{Pipeline, PipelineError};

/// Articles matched and written per step: one store page, one index commit.
const REMATCH_BATCH: usize = 4096;

/// What [`Pipeline::rematch`] changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RematchReport {
    /// Stored articles matched again.
    pub articles: u64,
    /// Articles whose set of matched themes changed (re-indexed).
    pub reindexed: u64,
    /// Articles whose stored matches changed in any way (themes, scores or hit terms).
    pub rewritten: u64,
    /// Theme id to the number of articles that match it now and did not before.
    pub added: BTreeMap<String, u64>,
    /// Theme id to the number of articles that matched it before and no longer do.
    pub removed: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Pipeline {
    /// Matches every stored article against the themes file in force and writes what changed:
    /// the stored matches (SQLite) and, for articles whose set of themes changed, the index
    /// document (its `theme` field). Articles are streamed from the store in pages of
    /// [`REMATCH_BATCH`]; matching runs on all cores.
    ///
    /// Order, as in a crawl: the index first, then the store. Articles whose set of themes is
    /// unchanged (only scores or hit terms moved) are written to the store page by page; the
    /// re-indexed ones are committed to the index once at the end (one commit, so no segment
    /// merges between pages) and only then written to the store. A crash before that commit
    /// leaves the store showing the old matches, so running rematch again repeats the work.
    ///
    /// Errors: [`PipelineError::NoThemes`] when no themes file is loaded; store and index
    /// failures.
    pub fn rematch(&self) -> Result<RematchReport, PipelineError> {
        let started = Instant::now();
        let themes = self
            .analyzer()
            .themes()
            .ok_or_else(|| PipelineError::NoThemes(self.config().themes_file.clone()))?;
        let store = self.store();
        let before: HashMap<ArticleId, Vec<(String, f32)>> = store.theme_ids_by_article()?;
        let heap = self
            .config()
            .index
            .writer_heap_mb
            .saturating_mul(1024 * 1024);
        let mut writer = self.index().writer(heap)?;
        let mut report = RematchReport::default();
        let mut diff = ThemeDiff::default();
        // Re-indexed articles: their new matches wait for the index commit.
        let mut deferred: Vec<(ArticleId, Vec<ThemeMatch>)> = Vec::new();
        store.for_each_article_batch(REMATCH_BATCH, |page: &[Article]| {
            let matches: Vec<Vec<ThemeMatch>> = {
                use rayon::prelude::*;
                page.par_iter()
                    .map(|a| themes.match_article(&a.title, &a.body))
                    .collect()
            };
            report.articles += page.len() as u64;
            let mut now_page: Vec<(&ArticleId, &[ThemeMatch])> = Vec::new();
            for (a, new) in page.iter().zip(&matches) {
                let old: BTreeSet<&str> = before
                    .get(&a.id)
                    .map(|v| v.iter().map(|(t, _)| t.as_str()).collect())
                    .unwrap_or_default();
                let now: BTreeSet<&str> = new.iter().map(|m| m.theme.as_str()).collect();
                if old == now {
                    now_page.push((&a.id, new.as_slice()));
                    continue;
                }
                let mut analysis = store.analysis(&a.id)?.unwrap_or_default();
                analysis.themes = new.clone();
                if analysis.cluster.is_none() {
                    analysis.cluster = Some(a.id.clone());
                }
                writer.upsert(a, &analysis)?;
                report.reindexed += 1;
                deferred.push((a.id.clone(), new.clone()));
            }
            diff.merge(store.replace_theme_matches(now_page)?);
            Ok::<(), PipelineError>(())
        })?;
        if !deferred.is_empty() {
            writer.commit()?;
            for chunk in deferred.chunks(REMATCH_BATCH) {
                diff.merge(
                    store.replace_theme_matches(chunk.iter().map(|(id, m)| (id, m.as_slice())))?,
                );
            }
        }
        report.rewritten = diff.rewritten;
        report.added = diff.added;
        report.removed = diff.removed;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}
