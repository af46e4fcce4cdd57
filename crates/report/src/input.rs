//! Loading a period's articles, analyses and reprint clusters from the store (I/O).

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use yuqing_model::{Analysis, Article, ArticleId};
use yuqing_store::{ClusterMember, Store};
use yuqing_themes::ThemeSet;

use crate::{Period, ReportError, Result};

/// Days before the period whose articles form the TF-IDF background of the hot words.
pub const BACKGROUND_DAYS: i64 = 28;

/// Articles streamed from the store per batch while loading.
const LOAD_BATCH: usize = 512;

/// One stored article with its analysis and report time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportArticle {
    /// The stored article.
    pub article: Article,
    /// Its stored analysis (themes, sentiment with corrections applied, cluster); default
    /// (empty) when it was never analysed.
    pub analysis: Analysis,
    /// Report time: `published_at`, else `fetched_at` (UTC).
    pub at: DateTime<Utc>,
}

impl ReportArticle {
    /// The story (reprint cluster) this article belongs to: its cluster id, else its own id.
    pub fn story(&self) -> &ArticleId {
        self.analysis.cluster.as_ref().unwrap_or(&self.article.id)
    }
}

/// Everything a report is built from, read once from the store.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The report's period.
    pub period: Period,
    /// Every stored article whose report time falls in `[window_start, period.end())`,
    /// sorted by (time, id): the period, the previous period, the trend days and the
    /// hot-word background.
    pub articles: Vec<ReportArticle>,
    /// Start of the loaded window: the earliest of the previous period, the trend days and
    /// [`BACKGROUND_DAYS`] before the period.
    pub window_start: DateTime<Utc>,
    /// Members of each reprint cluster that has an article in the period (whole store,
    /// oldest first: the first is the original), keyed by cluster id.
    pub clusters: BTreeMap<ArticleId, Vec<ClusterMember>>,
}

impl ReportInput {
    /// Reads the period's articles and those of the comparison, trend and background window
    /// before it (see [`ReportInput::articles`]) with their analyses, plus the members of
    /// every reprint cluster seen in the period.
    ///
    /// Streams every stored article once (the store has no time-range article scan), then
    /// one analysis lookup per article in the window and one member query per cluster of the
    /// period. Blocking I/O: async callers use `spawn_blocking`. `_themes` is accepted for
    /// symmetry with [`crate::Report::build`] (coverage is computed from the stored matches).
    ///
    /// Errors: [`ReportError::Store`] when a read fails.
    pub fn load(store: &Store, _themes: &ThemeSet, period: Period) -> Result<ReportInput> {
        let trend_start = period
            .trend_days()
            .first()
            .map(|d| crate::period::day_start(*d))
            .unwrap_or_else(|| period.start());
        let background_start = period
            .start()
            .checked_sub_signed(TimeDelta::days(BACKGROUND_DAYS))
            .unwrap_or(period.start());
        let window_start = period
            .previous()
            .start()
            .min(trend_start)
            .min(background_start);
        let end = period.end();
        let mut picked: Vec<(DateTime<Utc>, Article)> = Vec::new();
        store.for_each_article_batch(LOAD_BATCH, |batch| {
            for a in batch {
                let at = a.published_at.unwrap_or(a.fetched_at);
                if at >= window_start && at < end {
                    picked.push((at, a.clone()));
                }
            }
            Ok::<(), ReportError>(())
        })?;
        picked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let mut articles = Vec::with_capacity(picked.len());
        for (at, article) in picked {
            let analysis = store.analysis(&article.id)?.unwrap_or_default();
            articles.push(ReportArticle {
                article,
                analysis,
                at,
            });
        }
        let mut clusters = BTreeMap::new();
        for a in articles.iter().filter(|a| period.contains(a.at)) {
            if let Some(c) = &a.analysis.cluster
                && !clusters.contains_key(c)
            {
                clusters.insert(c.clone(), store.cluster_members(c)?);
            }
        }
        Ok(ReportInput {
            period,
            articles,
            window_start,
            clusters,
        })
    }

    /// The articles of the report's period, in (time, id) order.
    pub fn period_articles(&self) -> impl Iterator<Item = &ReportArticle> {
        let p = self.period;
        self.articles.iter().filter(move |a| p.contains(a.at))
    }
}
