//! `themes rematch`: re-apply changed theme rules to the stored articles, without crawling.
//!
//! Only the themes whose rule changed are re-applied, and only to their candidates: the
//! per-theme rule fingerprints of the last rematch are kept in `<data_dir>/themes_applied.json`
//! ([`APPLIED_FILE`]); a theme whose fingerprint differs (or that was added or removed) is
//! changed, and its candidates are the articles the store or the index records as matched to
//! it now plus the articles its new rule's compiled tantivy query hits
//! ([`yuqing_themes::ThemeSet::candidates`]). That query never hits less than the matcher, so
//! no other article can gain or lose a changed theme, and rules that did not change cost
//! nothing. Without the file (first rematch, or it is unreadable) every article is re-matched.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use yuqing_index::{ArticleWriter, StoredAnalysis};
use yuqing_model::{Analysis, Article, ArticleId, Sentiment, ThemeMatch};
use yuqing_store::ThemeDiff;
use yuqing_themes::{ThemeFields, ThemeSet};

use crate::{Pipeline, PipelineError};

/// Articles matched and written per step: one store page.
const REMATCH_BATCH: usize = 4096;

/// File in the data directory holding the rule fingerprints the stored matches were made with
/// (JSON: `{"version":1,"fingerprints":{"s4":"<32 hex>",…}}`), written after each rematch.
pub(crate) const APPLIED_FILE: &str = "themes_applied.json";

/// What [`Pipeline::rematch`] changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RematchReport {
    /// True when every stored article was matched again (no fingerprints of a previous rematch,
    /// or [`Pipeline::rematch_full`]); false when only the candidates of changed themes were.
    pub full: bool,
    /// Themes whose rule changed since the last rematch (added and removed ones included), in
    /// file order then removed ones; empty after a full rematch.
    pub changed_themes: Vec<String>,
    /// Stored articles matched again (all of them, or the candidates).
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

/// Contents of [`APPLIED_FILE`].
#[derive(Debug, Serialize, Deserialize)]
struct Applied {
    version: u32,
    fingerprints: BTreeMap<String, String>,
}

/// The fingerprints of the last rematch, `None` when the file is absent or unusable (then
/// everything is re-matched, which is always correct).
fn read_applied(path: &Path) -> Option<BTreeMap<String, String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(
                "cannot read {}: {e}; re-matching every article",
                path.display()
            );
            return None;
        }
    };
    match serde_json::from_str::<Applied>(&text) {
        Ok(a) if a.version == 1 => Some(a.fingerprints),
        Ok(a) => {
            tracing::warn!(
                "{}: unknown version {}; re-matching every article",
                path.display(),
                a.version
            );
            None
        }
        Err(e) => {
            tracing::warn!("{}: {e}; re-matching every article", path.display());
            None
        }
    }
}

/// Writes the fingerprints (temp file + rename). A failure is logged, not returned: the old
/// file then stays, and the next rematch redoes the themes changed since it (extra work only).
fn write_applied(path: &Path, fingerprints: BTreeMap<String, String>) {
    let applied = Applied {
        version: 1,
        fingerprints,
    };
    let tmp = path.with_extension("json.tmp");
    let result = serde_json::to_vec_pretty(&applied)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&tmp, bytes))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        tracing::warn!(
            "cannot write {}: {e}; the next rematch may redo work",
            path.display()
        );
    }
}

/// Themes whose fingerprint differs between `before` and `now`: in `now`'s order, then the ones
/// only in `before` (removed).
fn changed_themes(before: &BTreeMap<String, String>, now: &[(String, String)]) -> Vec<String> {
    let mut changed: Vec<String> = now
        .iter()
        .filter(|(id, fp)| before.get(id) != Some(fp))
        .map(|(id, _)| id.clone())
        .collect();
    let present: HashSet<&str> = now.iter().map(|(id, _)| id.as_str()).collect();
    changed.extend(
        before
            .keys()
            .filter(|id| !present.contains(id.as_str()))
            .cloned(),
    );
    changed
}

/// One rematch in progress: matches pages of articles and writes what changed.
struct Apply<'a> {
    pipeline: &'a Pipeline,
    themes: &'a ThemeSet,
    before: HashMap<ArticleId, Vec<(String, f32)>>,
    writer: ArticleWriter,
    report: RematchReport,
    diff: ThemeDiff,
    /// Re-indexed articles: their new matches wait for the index commit.
    deferred: Vec<(ArticleId, Vec<ThemeMatch>)>,
}

impl Apply<'_> {
    /// Matches `page` (all cores) and writes it: unchanged theme sets to the store now,
    /// changed ones to the index writer (their store write waits for the commit).
    ///
    /// `indexed[i]`, when given, is the index's stored analysis of `page[i]` (sentiment and
    /// cluster, read with the article from the index); for articles without it that must be
    /// re-indexed it is read from the index in one batch, and only where the index lacks the
    /// article from the store. Re-indexing keeps the indexed sentiment and cluster and writes
    /// the article as the store holds it (one store read per re-indexed article read from the
    /// index): only the `theme` field changes, unless the document disagreed with the store.
    fn page(
        &mut self,
        page: &[Article],
        indexed: &[Option<StoredAnalysis>],
    ) -> Result<(), PipelineError> {
        let matches: Vec<Vec<ThemeMatch>> = {
            use rayon::prelude::*;
            let themes = self.themes;
            page.par_iter()
                .map(|a| themes.match_article(&a.title, &a.body))
                .collect()
        };
        self.report.articles += page.len() as u64;
        let store = self.pipeline.store();
        let mut now_page: Vec<(&ArticleId, &[ThemeMatch])> = Vec::new();
        // (position in `page`, its stored analysis when already known)
        let mut reindex: Vec<(usize, Option<&StoredAnalysis>)> = Vec::new();
        for (i, (a, new)) in page.iter().zip(&matches).enumerate() {
            let old: BTreeSet<&str> = self
                .before
                .get(&a.id)
                .map(|v| v.iter().map(|(t, _)| t.as_str()).collect())
                .unwrap_or_default();
            let now: BTreeSet<&str> = new.iter().map(|m| m.theme.as_str()).collect();
            if old == now {
                now_page.push((&a.id, new.as_slice()));
            } else {
                reindex.push((i, indexed.get(i).and_then(Option::as_ref)));
            }
        }
        let unknown: Vec<ArticleId> = reindex
            .iter()
            .filter(|(_, known)| known.is_none())
            .filter_map(|&(i, _)| page.get(i).map(|a| a.id.clone()))
            .collect();
        let fetched: HashMap<ArticleId, StoredAnalysis> = if unknown.is_empty() {
            HashMap::new()
        } else {
            self.pipeline
                .index()
                .stored_articles(&unknown)?
                .into_iter()
                .map(|(a, an)| (a.id, an))
                .collect()
        };
        for (i, known) in reindex {
            let (Some(a), Some(new)) = (page.get(i), matches.get(i)) else {
                continue;
            };
            let mut analysis = match known.or_else(|| fetched.get(&a.id)) {
                Some(stored) => Analysis {
                    themes: Vec::new(),
                    sentiment: stored.sentiment.map(|label| Sentiment {
                        label,
                        score: stored.sentiment_score.unwrap_or(0.0),
                        evidence: Vec::new(),
                    }),
                    fingerprint: None,
                    cluster: Some(ArticleId::from_raw(stored.cluster.clone())),
                },
                None => store.analysis(&a.id)?.unwrap_or_default(),
            };
            analysis.themes = new.clone();
            if analysis.cluster.is_none() {
                analysis.cluster = Some(a.id.clone());
            }
            // An article read from the index is re-indexed as the store holds it (the system
            // of record: owner source and tier), so a document written before the owner rule
            // is repaired; one the store lacks (index ahead after a crash) keeps its document.
            let stored = if known.is_some() {
                store.article(&a.id)?
            } else {
                None
            };
            self.writer
                .upsert(stored.as_ref().unwrap_or(a), &analysis)?;
            self.report.reindexed += 1;
            self.deferred.push((a.id.clone(), new.clone()));
        }
        self.diff.merge(store.replace_theme_matches(now_page)?);
        Ok(())
    }

    /// Commits the index (once), then writes the re-indexed articles' matches to the store.
    fn finish(mut self) -> Result<RematchReport, PipelineError> {
        if !self.deferred.is_empty() {
            self.writer.commit()?;
            let store = self.pipeline.store();
            for chunk in self.deferred.chunks(REMATCH_BATCH) {
                self.diff.merge(
                    store.replace_theme_matches(chunk.iter().map(|(id, m)| (id, m.as_slice())))?,
                );
            }
        }
        let mut report = self.report;
        report.rewritten = self.diff.rewritten;
        report.added = self.diff.added;
        report.removed = self.diff.removed;
        Ok(report)
    }
}

impl Pipeline {
    /// Re-applies the themes file in force to the stored articles and writes what changed:
    /// the stored matches (SQLite) and, for articles whose set of themes changed, the index
    /// document (its `theme` field).
    ///
    /// Which articles: see the module doc. With `<data_dir>/themes_applied.json` from an
    /// earlier rematch, only
    /// the themes whose rule fingerprint ([`ThemeSet::rule_fingerprints`]) changed are
    /// re-applied, to their candidates (read from the index's stored documents in pages of
    /// 4,096, from the store where the index lacks one); with
    /// nothing changed it reads no article. Without it, every stored article is streamed.
    /// Either way the file is written at the end.
    ///
    /// Order, as in a crawl: the index first, then the store. Articles whose set of themes is
    /// unchanged (only scores or hit terms moved) are written to the store page by page; the
    /// re-indexed ones are committed to the index once at the end (one commit, no segment
    /// merges: the next crawl's commit merges) and only then written to the store. A
    /// re-indexed article keeps its indexed sentiment and cluster; only its themes change. A crash before that commit
    /// leaves the store showing the old matches and the old fingerprint file, so running
    /// rematch again repeats the work.
    ///
    /// Limit: articles crawled while the themes file differed from both the last rematched and
    /// the current one (edited, crawled, edited back) are not revisited for themes whose
    /// fingerprint is back to the last rematched one; [`Pipeline::rematch_full`] fixes that.
    ///
    /// Errors: [`PipelineError::NoThemes`] when no themes file is loaded; store and index
    /// failures; [`PipelineError::Themes`] when the candidate search fails.
    pub fn rematch(&self) -> Result<RematchReport, PipelineError> {
        self.rematch_inner(false)
    }

    /// [`Pipeline::rematch`] over every stored article, whatever the fingerprint file says.
    ///
    /// Errors: as [`Pipeline::rematch`].
    pub fn rematch_full(&self) -> Result<RematchReport, PipelineError> {
        self.rematch_inner(true)
    }

    fn rematch_inner(&self, full: bool) -> Result<RematchReport, PipelineError> {
        let started = Instant::now();
        let themes = self
            .analyzer()
            .themes()
            .ok_or_else(|| PipelineError::NoThemes(self.config().themes_file.clone()))?;
        let applied_path = self.config().data_dir.join(APPLIED_FILE);
        let now = themes.rule_fingerprints();
        let previous = if full {
            None
        } else {
            read_applied(&applied_path)
        };
        let changed = previous.as_ref().map(|p| changed_themes(p, &now));
        if changed.as_ref().is_some_and(Vec::is_empty) {
            return Ok(RematchReport {
                seconds: started.elapsed().as_secs_f64(),
                ..RematchReport::default()
            });
        }
        let store = self.store();
        let before = store.theme_ids_by_article()?;
        let heap = self
            .config()
            .index
            .writer_heap_mb
            .saturating_mul(1024 * 1024);
        let mut writer = self.index().writer(heap)?;
        // One commit, then the writer is dropped, which kills merges in flight: merging would
        // only cost CPU here (the next crawl's commit merges).
        writer.set_merging(false);
        let mut apply = Apply {
            pipeline: self,
            themes,
            before,
            writer,
            report: RematchReport::default(),
            diff: ThemeDiff::default(),
            deferred: Vec::new(),
        };
        match &changed {
            None => {
                apply.report.full = true;
                store.for_each_article_batch(REMATCH_BATCH, |page: &[Article]| {
                    apply.page(page, &[])
                })?;
            }
            Some(changed) => {
                apply.report.changed_themes = changed.clone();
                let searcher = self.index().searcher()?;
                let fields = ThemeFields::from_schema(searcher.schema())?;
                let mut ids: Vec<ArticleId> = themes
                    .candidates(&searcher, &fields, changed)?
                    .into_iter()
                    .map(ArticleId::from_raw)
                    .collect();
                drop(searcher);
                // Members according to the store too (it can disagree with the index after a
                // crash between the index commit and the store write).
                let mut seen: HashSet<ArticleId> = ids.iter().cloned().collect();
                for (id, matched) in &apply.before {
                    if matched.iter().any(|(t, _)| changed.contains(t)) && seen.insert(id.clone()) {
                        ids.push(id.clone());
                    }
                }
                // Candidates are read from the index (article and analysis in one stored
                // document, in index order); the few the index lacks from the store.
                for chunk in ids.chunks(REMATCH_BATCH) {
                    let mut page = Vec::with_capacity(chunk.len());
                    let mut indexed = Vec::with_capacity(chunk.len());
                    let mut found: HashSet<ArticleId> = HashSet::with_capacity(chunk.len());
                    for (a, an) in self.index().stored_articles(chunk)? {
                        found.insert(a.id.clone());
                        page.push(a);
                        indexed.push(Some(an));
                    }
                    for id in chunk.iter().filter(|id| !found.contains(*id)) {
                        if let Some(a) = store.article(id)? {
                            page.push(a);
                            indexed.push(None);
                        }
                    }
                    apply.page(&page, &indexed)?;
                }
            }
        }
        let mut report = apply.finish()?;
        write_applied(&applied_path, now.into_iter().collect());
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}
