use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use yuqing_cluster::{Clusterer, OwnedStory, StoryText};
use yuqing_config::Config;
use yuqing_extract::{PageContext, canonical_url, extract_article, extract_links, parse_feed};
use yuqing_fetch::{FetchOutcome, Fetched, Fetcher};
use yuqing_index::ArticleIndex;
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, FeedEntry, SourceKind, SourceSpec, Validators,
};
use yuqing_store::{Store, StoredHead, UpsertOutcome};
use yuqing_text::Segmenter;

use crate::analyze::Analyzer;
use crate::summary::{RunSummary, SourceReport};

/// Article pages fetched at once for one source (the fetcher's per-host limit still applies).
const PAGES_IN_FLIGHT: usize = 4;
/// Rejection lines kept per source in the summary.
const MAX_REJECTION_LINES: usize = 20;
/// The error of a source not read because the pass was cancelled before it started.
const CANCELLED_BEFORE_SOURCE: &str = "cancelled by shutdown before this source was read";
/// The error of a source whose crawl was cancelled midway (see
/// [`Pipeline::run_pass_with_cancel`]).
const CANCELLED_DURING_SOURCE: &str = "crawl cancelled by shutdown; the articles fetched before it are kept, the rest is read on the next pass";

/// Failures that stop a pass before it starts or while writing; a failing source is not one.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The SQLite store failed.
    #[error("store: {0}")]
    Store(#[from] yuqing_store::StoreError),
    /// The tantivy index failed.
    #[error("index: {0}")]
    Index(#[from] yuqing_index::IndexError),
    /// The segmenter (jieba + user dictionary) failed to load.
    #[error("segmenter: {0}")]
    Text(#[from] yuqing_text::TextError),
    /// The HTTP client could not be built.
    #[error("fetcher: {0}")]
    Fetch(#[from] yuqing_fetch::FetchError),
    /// The writer thread stopped (its error is logged).
    #[error("writer stopped: {0}")]
    Writer(String),
    /// The themes file is unreadable or invalid (every problem is listed).
    #[error("themes: {0}")]
    Themes(#[from] yuqing_themes::ThemesError),
    /// The sentiment lexicon or trained model could not be loaded.
    #[error("sentiment: {0}")]
    Sentiment(#[from] yuqing_sentiment::SentimentError),
    /// The reprint cluster index failed.
    #[error("clusters: {0}")]
    Cluster(#[from] yuqing_cluster::ClusterError),
    /// A command needs the plan themes but no themes file exists.
    #[error("no themes file at {}: write one with `yuqing plan import` (see README)", .0.display())]
    NoThemes(PathBuf),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}

/// The crawler and its stores: open once, run passes.
///
/// Holds the one [`Segmenter`] of the process (jieba loaded once), the [`Store`], the
/// [`ArticleIndex`] and the [`Fetcher`]. Cheap to clone (everything behind `Arc`).
#[derive(Clone)]
pub struct Pipeline {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    fetcher: Fetcher,
    store: Arc<Store>,
    index: Arc<ArticleIndex>,
    segmenter: Segmenter,
    analyzer: Arc<Analyzer>,
    /// Reprint clusters of every stored article: used by the writer only, one batch at a time.
    clusterer: Arc<Mutex<Clusterer>>,
}

/// What became of one linked page.
enum PageResult {
    /// An extracted article.
    Article(Box<Article>),
    /// Already stored and not fetched again (`crawl.refetch_known_articles = false`):
    /// counted as unchanged.
    Known,
    /// Nothing to read (no link, or 304).
    Nothing,
    /// Fetch or extraction failed; `transient` for timeouts, connection errors and 5xx.
    Rejected { reason: String, transient: bool },
    /// Not fetched, or its fetch abandoned, because the pass was cancelled: neither rejected
    /// nor counted; the next pass reads it.
    Cancelled,
}

/// An article indexed whose store write is still in flight, as the writer thread sees it.
struct Pending {
    /// Number of the batch that indexed it (a later batch may index the id again; only the
    /// latest entry is removed when its own store write lands).
    batch: u64,
    /// Headline and body, for the cluster lookup of the next batches.
    story: OwnedStory,
    /// Owner and content hash the store will hold, for the owner rule of the next batches.
    head: StoredHead,
}

/// An article with its analysis and its fingerprint's probe detail (for clustering).
type Analysed = (Article, Analysis, Option<yuqing_cluster::Fingerprint>);

/// Articles indexed but not yet in the store, by id (see [`Pending`]).
type InFlight = Mutex<HashMap<ArticleId, Pending>>;

/// One batch of articles from one source, handed to the writer thread.
struct WriteBatch {
    /// Each article with its analysis and its fingerprint's probe detail (for clustering).
    articles: Vec<Analysed>,
    reply: oneshot::Sender<Result<Vec<UpsertOutcome>, String>>,
}

impl Pipeline {
    /// Opens (creating if needed) `<data_dir>/yuqing.sqlite3` and `<data_dir>/index/`, loads the
    /// segmenter with the user dictionaries in `config.dict_dir`, the analysis stage
    /// ([`Analyzer::load`]: themes, sentiment model), rebuilds the reprint cluster index from the
    /// stored fingerprints, and builds the HTTP client.
    ///
    /// Errors: [`PipelineError`] naming the directory, store, index, dictionary, themes file or
    /// sentiment model that failed.
    pub fn open(config: Config) -> Result<Pipeline, PipelineError> {
        let segmenter = Segmenter::load(Some(&config.dict_dir))?;
        Self::open_with_segmenter(config, segmenter)
    }

    /// As [`Pipeline::open`], reusing an already loaded segmenter.
    pub fn open_with_segmenter(
        config: Config,
        segmenter: Segmenter,
    ) -> Result<Pipeline, PipelineError> {
        let index_dir = config.data_dir.join("index");
        std::fs::create_dir_all(&index_dir).map_err(|source| PipelineError::DataDir {
            path: index_dir.clone(),
            source,
        })?;
        let store = Store::open(&config.data_dir.join("yuqing.sqlite3"))?;
        let index = ArticleIndex::open(&index_dir, &segmenter)?;
        let fetcher = Fetcher::new(&config.fetch)?;
        let analyzer = Analyzer::load(&config, &segmenter)?;
        let mut clusterer = Clusterer::new();
        for row in store.fingerprints()? {
            let cluster = row.cluster.as_ref().unwrap_or(&row.id);
            clusterer.restore(&row.id, row.fingerprint, cluster)?;
        }
        Ok(Pipeline {
            inner: Arc::new(Inner {
                config,
                fetcher,
                store: Arc::new(store),
                index: Arc::new(index),
                segmenter,
                analyzer: Arc::new(analyzer),
                clusterer: Arc::new(Mutex::new(clusterer)),
            }),
        })
    }

    /// The analysis stage (themes, sentiment, fingerprint).
    pub fn analyzer(&self) -> &Analyzer {
        &self.inner.analyzer
    }

    /// The store (articles, validators, runs).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The search index.
    pub fn index(&self) -> &ArticleIndex {
        &self.inner.index
    }

    /// A shared handle on the search index, for a reader living beside the pipeline in one
    /// process (the web UI of `yuqing serve`): searches see each commit of the writer, and the
    /// index (schema, tokenizers over the one jieba) is opened once.
    pub fn index_handle(&self) -> Arc<ArticleIndex> {
        Arc::clone(&self.inner.index)
    }

    /// The process's segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.inner.segmenter
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// One pass over every configured source. `progress` is called once per source as it
    /// finishes (from the async task; keep it cheap).
    ///
    /// Each source's articles are written as one batch: index first (upsert by id, committed),
    /// then the store, then the source's HTTP validators. Before indexing, the writer turns
    /// each article into the record the store will hold ([`StoredHead::adopt`]: the source that
    /// stored an article first keeps it, see the crate doc) and predicts the store's verdict;
    /// a new or updated article's index document is that record, an unchanged one is not
    /// written to the index at all. A crash at any point therefore loses nothing: without
    /// saved validators the next pass re-reads the source, and an article indexed but not
    /// stored is new to the store again, so both sides are written.
    ///
    /// Errors only when the writer fails (store or index unusable); source failures are
    /// reported in the [`RunSummary`].
    pub async fn run_pass(
        &self,
        progress: &(dyn Fn(&SourceReport) + Sync),
    ) -> Result<RunSummary, PipelineError> {
        self.run_pass_with_cancel(progress, &CancellationToken::new())
            .await
    }

    /// Writes analysts' sentiment corrections into the index: every corrected article whose
    /// indexed label differs from its latest correction is re-indexed with the store's analysis
    /// (where the correction overrides the model, see `Store::analysis`), then one commit.
    /// Idempotent and self-healing (nothing to do once the index agrees), so it needs no
    /// marker; each crawl pass runs it first, which is how a correction made in the web UI
    /// reaches search filters, facets and the dashboard. Blocking (index writes): call it off
    /// the async runtime. Returns the number of articles re-indexed.
    ///
    /// Errors: the store or the index cannot be read or written (the index writer is held by a
    /// pass running in this or another process).
    pub fn apply_corrections(&self) -> Result<usize, PipelineError> {
        let store = &self.inner.store;
        let index = &self.inner.index;
        let mut stale = Vec::new();
        for c in store.corrections()? {
            let indexed = index.analysis(&c.id)?.and_then(|a| a.sentiment);
            if indexed != Some(c.correction.label) {
                stale.push(c.id);
            }
        }
        if stale.is_empty() {
            return Ok(0);
        }
        let heap = self
            .inner
            .config
            .index
            .writer_heap_mb
            .saturating_mul(1 << 20);
        let mut writer = index.writer(heap)?;
        let mut written = 0;
        for id in &stale {
            let (Some(article), Some(analysis)) = (store.article(id)?, store.analysis(id)?) else {
                continue;
            };
            writer.upsert(&article, &analysis)?;
            written += 1;
        }
        writer.commit()?;
        Ok(written)
    }

    /// As [`Pipeline::run_pass`], abandoning the pass safely once `cancel` is cancelled (a
    /// service shutting down). What "safely" means:
    ///
    /// - Sources not started yet are not fetched; each is reported failed with the error
    ///   `cancelled by shutdown before this source was read`.
    /// - In a source being crawled, page fetches not started are skipped and those in flight
    ///   are dropped (the HTTP request is abandoned; nothing of it was written). The pages
    ///   already fetched and extracted are analysed and written as one batch, exactly as a
    ///   complete source is (clusters, index commit, then one store transaction), so what is
    ///   stored is whole articles only. The source is reported failed with the error
    ///   `crawl cancelled by shutdown; …` and its HTTP validators (ETag, Last-Modified) are
    ///   NOT saved, so the next pass reads the feed or listing again; pages already stored
    ///   are skipped then (`crawl.refetch_known_articles = false`) or re-read and upserted by
    ///   id (true): either way no duplicates.
    /// - Batches already handed to the writer are completed (index commit and store
    ///   transaction); the writer is never interrupted mid-batch.
    /// - The run is recorded in the store as usual, with the cancelled sources as failed.
    ///
    /// The wait after cancelling is therefore bounded by the analysis and write of the
    /// batches in hand (milliseconds to a second or so per source), not by any fetch.
    ///
    /// Errors: as [`Pipeline::run_pass`].
    pub async fn run_pass_with_cancel(
        &self,
        progress: &(dyn Fn(&SourceReport) + Sync),
        cancel: &CancellationToken,
    ) -> Result<RunSummary, PipelineError> {
        let started = Instant::now();
        {
            let this = self.clone();
            blocking(move || this.repair_owners_once()).await?;
        }
        {
            let this = self.clone();
            match blocking(move || this.apply_corrections()).await? {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!("re-indexed {n} articles with analysts' sentiment corrections")
                }
                Err(e) => tracing::warn!("sentiment corrections not written to the index: {e}"),
            }
        }
        let run_id = {
            let store = self.inner.store.clone();
            let now = Utc::now();
            blocking(move || store.begin_run(now)).await??
        };

        let (tx, rx) = mpsc::channel::<WriteBatch>(8);
        let writer = self.spawn_writer(rx)?;

        let concurrency = self.inner.config.fetch.concurrency.max(1);
        let sources = &self.inner.config.sources;
        // The futures are collected first (they are lazy: nothing runs until polled): a
        // stream over a borrowing `map` closure makes the pass's future fail the `Send` proof
        // `tokio::spawn` needs (rustc's higher-ranked lifetime limitation), and `yuqing serve`
        // spawns the pass.
        let crawls: Vec<_> = sources
            .iter()
            .enumerate()
            .map(|(i, src)| {
                let tx = tx.clone();
                async move {
                    let report = self.crawl_source(src, &tx, cancel).await;
                    progress(&report);
                    (i, report)
                }
            })
            .collect();
        let mut reports: Vec<(usize, SourceReport)> = futures_util::stream::iter(crawls)
            .buffer_unordered(concurrency)
            .collect()
            .await;
        drop(tx);
        let writer_result = writer
            .await
            .map_err(|e| PipelineError::Task(e.to_string()))?;
        writer_result?;

        reports.sort_by_key(|(i, _)| *i);
        let reports: Vec<SourceReport> = reports.into_iter().map(|(_, r)| r).collect();
        let summary = RunSummary::from_reports(reports, started.elapsed().as_secs_f64());

        let store = self.inner.store.clone();
        let record = summary.clone();
        blocking(move || -> Result<(), yuqing_store::StoreError> {
            for r in &record.sources {
                store.record_source_result(
                    run_id,
                    &yuqing_store::SourceResult {
                        source_id: &r.id,
                        ok: r.ok,
                        error: r.error.as_deref(),
                        counts: yuqing_store::Counts {
                            new: r.new,
                            updated: r.updated,
                            unchanged: r.unchanged,
                            rejected: r.rejected,
                        },
                    },
                )?;
            }
            let json = serde_json_summary(&record);
            store.finish_run(run_id, Utc::now(), &json)
        })
        .await??;
        Ok(summary)
    }

    /// The writer: a thread that owns the tantivy writer and the cluster index, and a store
    /// thread behind it. For each batch, in arrival order: reprint clusters are assigned, the
    /// documents indexed and committed; then the store thread writes the articles and their
    /// analysis in one transaction and answers the source. The store write of one batch
    /// overlaps the indexing of the next, and a batch reaches SQLite only after its index
    /// commit (see [`Pipeline::run_pass`]).
    fn spawn_writer(
        &self,
        rx: mpsc::Receiver<WriteBatch>,
    ) -> Result<tokio::task::JoinHandle<Result<(), PipelineError>>, PipelineError> {
        let job = self.writer_job(rx)?;
        Ok(tokio::task::spawn_blocking(job))
    }

    /// The writer loop of [`Pipeline::spawn_writer`] as a closure to run on a blocking thread.
    fn writer_job(
        &self,
        mut rx: mpsc::Receiver<WriteBatch>,
    ) -> Result<impl FnOnce() -> Result<(), PipelineError> + Send + 'static, PipelineError> {
        let heap = self
            .inner
            .config
            .index
            .writer_heap_mb
            .saturating_mul(1024 * 1024);
        let commit_every = self.inner.config.index.commit_every.max(1);
        let mut writer = self.inner.index.writer(heap)?;
        let store = self.inner.store.clone();
        let clusterer = self.inner.clusterer.clone();
        Ok(move || {
            // The articles indexed but not yet written to the store: the cluster lookup of the
            // next batch must see their text (a reprint from another source may arrive while
            // its original's store write is in flight), and the owner rule their owner and
            // content hash (another source's copy may arrive in the next batch).
            let in_flight: Arc<InFlight> = Arc::default();
            let (store_tx, store_rx) =
                std::sync::mpsc::sync_channel::<(WriteBatch, u64, Vec<UpsertOutcome>)>(1);
            let store_thread = {
                let store = store.clone();
                let in_flight = in_flight.clone();
                std::thread::Builder::new()
                    .name("yuqing-store-writer".into())
                    .spawn(move || -> Result<(), PipelineError> {
                        for (batch, number, planned) in store_rx {
                            let result = store
                                .upsert_analyzed(batch.articles.iter().map(|(a, an, _)| (a, an)))
                                .map_err(PipelineError::from);
                            if let Ok(outcomes) = &result {
                                let mut pending =
                                    in_flight.lock().unwrap_or_else(|e| e.into_inner());
                                for (a, _, _) in &batch.articles {
                                    if pending.get(&a.id).is_some_and(|p| p.batch == number) {
                                        pending.remove(&a.id);
                                    }
                                }
                                drop(pending);
                                warn_mispredicted(&batch.articles, &planned, outcomes);
                            }
                            let failed = result.as_ref().err().map(|e| e.to_string());
                            let _ = batch.reply.send(result.map_err(|e| e.to_string()));
                            if let Some(message) = failed {
                                tracing::error!(error = %message, "store write failed; stopping the pass");
                                return Err(PipelineError::Writer(message));
                            }
                        }
                        Ok(())
                    })
                    .map_err(|e| PipelineError::Task(e.to_string()))?
            };
            let mut outcome = Ok(());
            let mut number = 0u64;
            while let Some(mut batch) = rx.blocking_recv() {
                number += 1;
                let result = index_batch(
                    &mut writer,
                    &store,
                    &clusterer,
                    &in_flight,
                    number,
                    &mut batch.articles,
                    commit_every,
                );
                let planned = match result {
                    Ok(planned) => planned,
                    Err(e) => {
                        let message = e.to_string();
                        let _ = batch.reply.send(Err(message.clone()));
                        tracing::error!(error = %message, "index write failed; stopping the pass");
                        outcome = Err(PipelineError::Writer(message));
                        break;
                    }
                };
                if store_tx.send((batch, number, planned)).is_err() {
                    // The store thread stopped after a failure; its result is reported below.
                    break;
                }
            }
            drop(store_tx);
            let stored = store_thread
                .join()
                .map_err(|_| PipelineError::Task("store writer panicked".into()))?;
            outcome.and(stored)
        })
    }

    /// Ingests already extracted articles without crawling (imports, benchmarks, tests):
    /// each batch is analysed on all cores ([`Analyzer::analyze`]), then written exactly as a
    /// crawl writes a source's batch (clusters, index commit, then the store; the store write
    /// of one batch overlaps the analysis and indexing of the next). Call from outside an
    /// async runtime (it blocks).
    ///
    /// Returns the store's verdict per article, in input order.
    ///
    /// Errors: the first store or index failure (batches before it are durable).
    pub fn ingest<I>(&self, batches: I) -> Result<Vec<UpsertOutcome>, PipelineError>
    where
        I: IntoIterator<Item = Vec<Article>>,
    {
        use rayon::prelude::*;
        let (tx, rx) = mpsc::channel::<WriteBatch>(2);
        let job = self.writer_job(rx)?;
        let writer = std::thread::Builder::new()
            .name("yuqing-index-writer".into())
            .spawn(job)
            .map_err(|e| PipelineError::Task(e.to_string()))?;
        let analyzer = &self.inner.analyzer;
        let mut answers = Vec::new();
        for batch in batches {
            let articles: Vec<_> = batch
                .into_par_iter()
                .map(|a| {
                    let (analysis, fp) = analyzer.analyze_detail(&a.title, &a.body);
                    (a, analysis, fp)
                })
                .collect();
            let (reply, answer) = oneshot::channel();
            if tx.blocking_send(WriteBatch { articles, reply }).is_err() {
                break;
            }
            answers.push(answer);
        }
        drop(tx);
        let written = writer
            .join()
            .map_err(|_| PipelineError::Task("index writer panicked".into()))?;
        let mut outcomes = Vec::new();
        for answer in answers {
            match answer.blocking_recv() {
                Ok(Ok(o)) => outcomes.extend(o),
                Ok(Err(message)) => return Err(PipelineError::Writer(message)),
                Err(_) => break,
            }
        }
        written?;
        Ok(outcomes)
    }

    async fn crawl_source(
        &self,
        src: &SourceSpec,
        tx: &mpsc::Sender<WriteBatch>,
        cancel: &CancellationToken,
    ) -> SourceReport {
        let mut report = SourceReport {
            id: src.id.clone(),
            ..Default::default()
        };
        let not_read = |mut report: SourceReport| {
            report.error = Some(CANCELLED_BEFORE_SOURCE.to_string());
            report
        };
        if cancel.is_cancelled() {
            return not_read(report);
        }
        let validators = match self.validators(&src.url).await {
            Ok(v) => v,
            Err(e) => {
                report.error = Some(e);
                return report;
            }
        };
        let fetch = tokio::select! {
            biased;
            _ = cancel.cancelled() => return not_read(report),
            fetch = self.inner.fetcher.fetch(&src.url, &validators) => fetch,
        };
        let fetched = match fetch {
            Ok(FetchOutcome::NotModified { .. }) => {
                report.ok = true;
                report.not_modified = true;
                return report;
            }
            Ok(FetchOutcome::Fetched(f)) => f,
            Err(e) => {
                tracing::warn!(source = %src.id, error = %e, "source failed");
                report.unreachable = e.is_unreachable();
                report.error = Some(e.to_string());
                return report;
            }
        };
        let new_validators = fetched.validators.clone();
        let articles = match src.kind {
            SourceKind::Feed => {
                self.articles_from_feed(src, fetched, &mut report, cancel)
                    .await
            }
            SourceKind::Listing => {
                self.articles_from_listing(src, fetched, &mut report, cancel)
                    .await
            }
            SourceKind::Page => match self.article_from_fetched(src, fetched, None).await {
                Ok(a) => Ok(vec![a]),
                Err(reason) => Err(reason),
            },
        };
        let articles = match articles {
            Ok(a) => a,
            Err(reason) => {
                tracing::warn!(source = %src.id, error = %reason, "source failed");
                report.error = Some(reason);
                return report;
            }
        };
        // Checked once the pages are in hand: a cancellation during the fetches may have left
        // pages unread, so the source is written as far as it got and read again next pass.
        let cancelled = cancel.is_cancelled();
        report.ok = !cancelled;
        if cancelled {
            report.error = Some(CANCELLED_DURING_SOURCE.to_string());
        }
        let retry_next_pass = report.transient_failures > 0 || cancelled;
        if !articles.is_empty() {
            let analyzer = self.inner.analyzer.clone();
            let articles = match blocking(move || {
                articles
                    .into_iter()
                    .map(|a| {
                        let (analysis, fp) = analyzer.analyze_detail(&a.title, &a.body);
                        (a, analysis, fp)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            {
                Ok(a) => a,
                Err(e) => {
                    report.ok = false;
                    report.error = Some(format!("analysis failed: {e}"));
                    return report;
                }
            };
            let (reply, answer) = oneshot::channel();
            if tx.send(WriteBatch { articles, reply }).await.is_err() {
                report.ok = false;
                report.error = Some("writer stopped before this source was written".into());
                return report;
            }
            match answer.await {
                Ok(Ok(outcomes)) => {
                    for o in outcomes {
                        match o {
                            UpsertOutcome::New => report.new += 1,
                            UpsertOutcome::Updated => report.updated += 1,
                            UpsertOutcome::Unchanged => report.unchanged += 1,
                        }
                    }
                }
                Ok(Err(message)) => {
                    report.ok = false;
                    report.error = Some(format!("articles could not be written: {message}"));
                    return report;
                }
                Err(_) => {
                    report.ok = false;
                    report.error = Some("writer stopped before answering".into());
                    return report;
                }
            }
        }
        // Validators last: only once the articles they cover are durable, and only when no
        // page failed in passing (timeout, 5xx) and the pass was not cancelled: otherwise the
        // next pass would get a 304 and never read those pages.
        if !new_validators.is_empty() && !retry_next_pass {
            let store = self.inner.store.clone();
            let url = src.url.clone();
            if let Ok(Err(e)) = blocking(move || store.set_validators(&url, &new_validators)).await
            {
                tracing::warn!(source = %src.id, error = %e, "could not save validators");
            }
        }
        report
    }

    async fn validators(&self, url: &str) -> Result<Validators, String> {
        let store = self.inner.store.clone();
        let url = url.to_string();
        match blocking(move || store.validators(&url)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(format!("store: {e}")),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn articles_from_feed(
        &self,
        src: &SourceSpec,
        fetched: Fetched,
        report: &mut SourceReport,
        cancel: &CancellationToken,
    ) -> Result<Vec<Article>, String> {
        let feed_url = fetched.final_url.clone();
        let body = fetched.body.clone();
        let entries = blocking(move || parse_feed(&body, &feed_url))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let min_full = self.inner.config.crawl.feed_full_text_min_chars;
        let mut articles = Vec::new();
        let mut to_fetch = Vec::new();
        for entry in entries {
            let full = entry
                .content
                .as_deref()
                .is_some_and(|c| c.chars().count() >= min_full);
            match (&entry.link, full) {
                (Some(link), true) => {
                    articles.push(article_from_entry(src, link, &entry, fetched.fetched_at))
                }
                (Some(_), false) => to_fetch.push(entry),
                (None, _) => reject(
                    report,
                    format!("{}: entry {:?} has no link", src.url, entry.id),
                ),
            }
        }
        let pages = self.fetch_pages(src, to_fetch, report, cancel).await;
        articles.extend(pages);
        Ok(articles)
    }

    async fn articles_from_listing(
        &self,
        src: &SourceSpec,
        fetched: Fetched,
        report: &mut SourceReport,
        cancel: &CancellationToken,
    ) -> Result<Vec<Article>, String> {
        let Some(selector) = src.link_selector.clone() else {
            return Err(format!("source {}: listing without link_selector", src.id));
        };
        let links = blocking(move || {
            let decoded = fetched.decode();
            extract_links(&decoded.text, &fetched.final_url, &selector)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        let max = self.inner.config.crawl.max_links_per_listing;
        let entries: Vec<FeedEntry> = links
            .into_iter()
            .take(max)
            .map(|link| FeedEntry {
                id: link.clone(),
                link: Some(link),
                title: String::new(),
                published_at: None,
                author: None,
                summary: None,
                content: None,
            })
            .collect();
        Ok(self.fetch_pages(src, entries, report, cancel).await)
    }

    /// Fetches and extracts the pages of feed entries or listing links not stored yet. Once
    /// `cancel` is cancelled, pages not started are skipped and those in flight abandoned
    /// ([`PageResult::Cancelled`]).
    async fn fetch_pages(
        &self,
        src: &SourceSpec,
        entries: Vec<FeedEntry>,
        report: &mut SourceReport,
        cancel: &CancellationToken,
    ) -> Vec<Article> {
        let results: Vec<PageResult> =
            futures_util::stream::iter(entries.into_iter().map(|entry| async move {
                if cancel.is_cancelled() {
                    return PageResult::Cancelled;
                }
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => PageResult::Cancelled,
                    page = self.fetch_page(src, &entry) => page,
                }
            }))
            .buffer_unordered(PAGES_IN_FLIGHT)
            .collect()
            .await;
        let mut articles = Vec::new();
        let mut cancelled = 0usize;
        for r in results {
            match r {
                PageResult::Article(a) => articles.push(*a),
                PageResult::Known => report.unchanged += 1,
                PageResult::Nothing => {}
                PageResult::Cancelled => cancelled += 1,
                PageResult::Rejected { reason, transient } => {
                    if transient {
                        report.transient_failures += 1;
                    }
                    reject(report, reason)
                }
            }
        }
        if cancelled > 0 {
            tracing::info!(
                source = %src.id,
                pages = cancelled,
                kept = articles.len(),
                "crawl cancelled: pages left for the next pass"
            );
        }
        articles
    }

    /// Fetches and extracts one linked page.
    async fn fetch_page(&self, src: &SourceSpec, entry: &FeedEntry) -> PageResult {
        let Some(link) = entry.link.as_deref() else {
            return PageResult::Nothing;
        };
        if !self.inner.config.crawl.refetch_known_articles && self.knows(link).await {
            return PageResult::Known;
        }
        match self.inner.fetcher.fetch(link, &Validators::default()).await {
            Ok(FetchOutcome::Fetched(f)) => {
                match self.article_from_fetched(src, f, Some(entry)).await {
                    Ok(a) => PageResult::Article(Box::new(a)),
                    Err(reason) => PageResult::Rejected {
                        reason,
                        transient: false,
                    },
                }
            }
            Ok(FetchOutcome::NotModified { .. }) => PageResult::Nothing,
            Err(e) => PageResult::Rejected {
                reason: e.to_string(),
                transient: e.is_transient(),
            },
        }
    }

    async fn knows(&self, url: &str) -> bool {
        let store = self.inner.store.clone();
        let url = url.to_string();
        matches!(blocking(move || store.knows_url(&url)).await, Ok(Ok(true)))
    }

    /// Extracts an article from a fetched page on the blocking pool; `entry` (feed entry) fills
    /// a missing title, author or date.
    async fn article_from_fetched(
        &self,
        src: &SourceSpec,
        fetched: Fetched,
        entry: Option<&FeedEntry>,
    ) -> Result<Article, String> {
        if !yuqing_fetch::is_page_type(fetched.content_type.as_deref()) {
            return Err(format!(
                "{}: not an HTML page ({})",
                fetched.final_url,
                fetched.content_type.as_deref().unwrap_or_default()
            ));
        }
        // A server may label any file text/html: the body itself is checked too, as `yuqing
        // extract` checks a file.
        if yuqing_fetch::is_binary(&fetched.body) {
            return Err(format!(
                "{}: not an HTML page (binary content)",
                fetched.final_url
            ));
        }
        let rules = self.inner.config.sites.clone();
        let min_body = self.inner.config.crawl.min_body_chars;
        let url = fetched.final_url.clone();
        let fetched_at = fetched.fetched_at;
        let page = blocking(move || {
            let decoded = fetched.decode();
            let ctx = PageContext {
                url: &url,
                fetched_at,
                rules: &rules,
            };
            // Every extraction error names the page URL itself.
            extract_article(&decoded.text, &ctx)
                .map(|p| (p, url.clone()))
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        let (page, final_url) = page;
        let mut article = Article {
            id: ArticleId::from_canonical_url(&page.canonical_url),
            source: src.id.clone(),
            tier: src.tier,
            url: final_url.clone(),
            canonical_url: page.canonical_url,
            site: page.site.unwrap_or_else(|| src.name.clone()),
            title: page.title,
            author: page.author,
            editor: page.editor,
            published_at: page.published_at,
            date_source: page.date_source,
            body: page.body,
            fetched_at,
        };
        if let Some(entry) = entry {
            fill_from_entry(&mut article, entry);
        }
        if article.title.trim().is_empty() {
            return Err(format!(
                "{final_url}: no title found (no <title>, <h1> or og:title: not an article page?)"
            ));
        }
        let chars = article.body.chars().count();
        if chars < min_body {
            return Err(format!(
                "{final_url}: body has {chars} characters, fewer than crawl.min_body_chars = {min_body}"
            ));
        }
        Ok(article)
    }
}

/// Writes one batch (the writer's `number`-th) to the index as the store will hold it, and
/// returns the store's verdict on each article, predicted.
///
/// 1. Owner rule and verdict, in batch order: each article is compared with the record the
///    store holds or will hold for its id (an earlier copy in this batch or in a batch whose
///    store write is in flight, else the store, [`Store::stored_head`]) and rewritten by
///    [`StoredHead::adopt`]: a copy from another source takes the owner's source, tier and
///    site, exactly as the store's upsert keeps them.
/// 2. Reprint clusters are assigned to new and updated articles. Candidates of the same story
///    are looked up in the batch itself first, then among the articles of earlier batches
///    whose store write is still in flight (`in_flight`; this batch's new and updated
///    articles are added to it), then in the store.
/// 3. New and updated articles are indexed (committed every `commit_every` documents and at
///    the end), an updated one with the analyst's sentiment correction, if any, applied as
///    [`Store::analysis`] reports it. Unchanged articles cost no index write (the store keeps
///    their analysis too, see [`Store::upsert_analyzed`]); a batch of unchanged articles
///    commits nothing.
fn index_batch(
    writer: &mut yuqing_index::ArticleWriter,
    store: &Store,
    clusterer: &Mutex<Clusterer>,
    in_flight: &InFlight,
    number: u64,
    articles: &mut [Analysed],
    commit_every: usize,
) -> Result<Vec<UpsertOutcome>, PipelineError> {
    let mut planned = Vec::with_capacity(articles.len());
    for (a, _, _) in articles.iter_mut() {
        let pending = in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&a.id)
            .map(|p| p.head.clone());
        let head = match pending {
            Some(head) => Some(head),
            None => store.stored_head(&a.id)?,
        };
        let outcome = match head {
            None => UpsertOutcome::New,
            Some(head) => head.adopt(a),
        };
        if outcome != UpsertOutcome::Unchanged {
            // Visible to the next copies in this batch and to the next batches.
            in_flight.lock().unwrap_or_else(|e| e.into_inner()).insert(
                a.id.clone(),
                Pending {
                    batch: number,
                    story: OwnedStory {
                        title: a.title.clone(),
                        body: a.body.clone(),
                    },
                    head: StoredHead::of(a),
                },
            );
        }
        planned.push(outcome);
    }
    {
        let by_id: HashMap<ArticleId, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, (a, _, _))| (a.id.clone(), i))
            .collect();
        // A poisoned lock means an earlier batch panicked mid-assignment; the index itself is
        // still consistent (each assign is one insert), so carry on with it.
        let mut clusterer = clusterer.lock().unwrap_or_else(|e| e.into_inner());
        for (i, outcome) in planned.iter().enumerate() {
            if *outcome == UpsertOutcome::Unchanged {
                continue;
            }
            let Some((a, _, fp)) = articles.get(i) else {
                continue;
            };
            let text = StoryText {
                title: &a.title,
                body: &a.body,
            };
            let lookup = |id: &ArticleId| -> Option<OwnedStory> {
                if let Some((other, _, _)) = by_id.get(id).and_then(|&j| articles.get(j)) {
                    return Some(OwnedStory {
                        title: other.title.clone(),
                        body: other.body.clone(),
                    });
                }
                let pending = in_flight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(id)
                    .map(|p| p.story.clone());
                if pending.is_some() {
                    return pending;
                }
                match store.article(id) {
                    Ok(Some(other)) => Some(OwnedStory {
                        title: other.title,
                        body: other.body,
                    }),
                    _ => None,
                }
            };
            let cluster = clusterer.assign(&a.id, *fp, &text, lookup)?;
            if let Some((_, analysis, _)) = articles.get_mut(i) {
                analysis.cluster = Some(cluster);
            }
        }
    }
    let mut written = 0usize;
    for ((a, analysis, _), outcome) in articles.iter().zip(&planned) {
        match outcome {
            UpsertOutcome::Unchanged => continue,
            // The store keeps the model's sentiment beside the correction; the index holds
            // what `Store::analysis` reports.
            UpsertOutcome::Updated => match store.sentiment_correction(&a.id)? {
                Some(c) => {
                    let corrected = Analysis {
                        sentiment: Some(c.apply(analysis.sentiment.clone())),
                        ..analysis.clone()
                    };
                    writer.upsert(a, &corrected)?;
                }
                None => writer.upsert(a, analysis)?,
            },
            UpsertOutcome::New => writer.upsert(a, analysis)?,
        }
        written += 1;
        if written.is_multiple_of(commit_every) {
            writer.commit()?;
        }
    }
    if !written.is_multiple_of(commit_every) {
        writer.commit()?;
    }
    Ok(planned)
}

/// Logs each article whose store verdict differs from the writer's prediction: only another
/// process writing the same store at once can cause it, and the index document of such an
/// article may then lag until its next change.
fn warn_mispredicted(articles: &[Analysed], planned: &[UpsertOutcome], outcomes: &[UpsertOutcome]) {
    for (((a, _, _), p), o) in articles.iter().zip(planned).zip(outcomes) {
        if p != o {
            tracing::warn!(
                id = %a.id,
                url = %a.url,
                predicted = ?p,
                stored = ?o,
                "store verdict differs from the index write; was the store written by another process?"
            );
        }
    }
}

/// An article straight from a feed entry that carries the full text.
fn article_from_entry(
    src: &SourceSpec,
    link: &str,
    entry: &FeedEntry,
    fetched_at: chrono::DateTime<Utc>,
) -> Article {
    let canonical = canonical_url(link, None);
    Article {
        id: ArticleId::from_canonical_url(&canonical),
        source: src.id.clone(),
        tier: src.tier,
        url: link.to_string(),
        canonical_url: canonical,
        site: src.name.clone(),
        title: entry.title.clone(),
        author: entry.author.clone(),
        editor: None,
        published_at: entry.published_at,
        date_source: if entry.published_at.is_some() {
            DateSource::Feed
        } else {
            DateSource::None
        },
        body: entry.content.clone().unwrap_or_default(),
        fetched_at,
    }
}

/// The feed's own fields win where the page's heuristics are weakest.
fn fill_from_entry(article: &mut Article, entry: &FeedEntry) {
    if article.title.trim().is_empty() && !entry.title.is_empty() {
        article.title = entry.title.clone();
    }
    if article.author.is_none() {
        article.author = entry.author.clone();
    }
    let page_date_is_weak = matches!(
        article.date_source,
        DateSource::None | DateSource::Text | DateSource::Url | DateSource::Relative
    );
    if let Some(at) = entry.published_at
        && page_date_is_weak
    {
        article.published_at = Some(at);
        article.date_source = DateSource::Feed;
    }
}

fn reject(report: &mut SourceReport, reason: String) {
    report.rejected += 1;
    if report.rejections.len() < MAX_REJECTION_LINES {
        report.rejections.push(reason);
    }
}

fn serde_json_summary(summary: &RunSummary) -> String {
    // Serialising plain data with derived Serialize cannot fail (no maps with non-string keys).
    serde_json::to_string(summary).unwrap_or_else(|_| "{}".into())
}

/// Runs blocking work (SQLite, extraction, jieba) on tokio's blocking pool.
async fn blocking<T, F>(f: F) -> Result<T, PipelineError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PipelineError::Task(e.to_string()))
}
