//! # yuqing-index: which stored articles match this query, and where?
//!
//! A [tantivy](https://docs.rs/tantivy) full-text index of [`Article`]s with Chinese word
//! (jieba, `zh_word`) and character-bigram (`zh_bigram`) fields, so a query finds an article
//! whether or not jieba cut the words the same way in both (`人民银行` finds `中国人民银行`).
//!
//! * Query syntax (tantivy's query grammar): terms, `"quoted phrases"`, `AND`/`OR`/`NOT`,
//!   `+term`/`-term`, `title:term` (title words and title bigrams), `body:term`, and the raw
//!   fields `source:`, `site:`, `tier:`, `author:`, `editor:`, `url:`. All terms are required
//!   by default; each term is matched against title/body words OR title/body bigrams, title
//!   boosted ×2. The word fields keep no positions: a quoted phrase, or a term jieba cuts
//!   into several words, matches on the bigram fields only, as that exact character
//!   sequence. An empty query matches every article (browse by time).
//! * Filters: `from`/`to` on the article time, `source` (exact source id), `theme` (a plan theme
//!   id such as `s4` or `s4.i10`), `sentiment`, `tier`.
//! * Analysis fields (from [`Analysis`], given to [`ArticleWriter::upsert`]): `theme` (every
//!   matched theme id, multi-valued), `sentiment` (`positive|neutral|negative`),
//!   `sentiment_score`, `cluster` (reprint cluster id; the article's own id when it has none).
//!   They are raw fast fields, also queryable as `theme:s4`, `sentiment:negative`, `cluster:<id>`.
//! * `collapse`: one hit per reprint cluster (its best-ranked member); `total` counts clusters.
//! * `facets`: counts over **all** matching articles (not just the page, and not collapsed) of
//!   theme, sentiment, tier, source and day (Beijing date of `published_at`, `YYYY-MM-DD`),
//!   computed by a collector over fast-field term ordinals (no stored-field loads).
//! * Article time: `published_at`, or `fetched_at` when the article has no publish date. It is
//!   kept in the fast field `sort_at`, used by both the date filter and the time sort, so undated
//!   articles are neither lost by date filters nor sorted last.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use yuqing_index::{ArticleIndex, SearchRequest};
//! use yuqing_model::{Analysis, Article, ArticleId, DateSource, SentimentLabel, Tier};
//! use yuqing_text::Segmenter;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let index = ArticleIndex::open(dir.path(), &Segmenter::load(None).unwrap()).unwrap();
//! let url = "https://www.spb.gov.cn/a/1.html";
//! let article = Article {
//!     id: ArticleId::from_canonical_url(url), source: "spb".into(), tier: Tier::Industry,
//!     url: url.into(), canonical_url: url.into(), site: "国家邮政局".into(),
//!     title: "中国人民银行支持物流企业".into(), author: None, editor: None,
//!     published_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap()),
//!     date_source: DateSource::Meta, body: "快递进村工程持续推进。".into(),
//!     fetched_at: Utc.with_ymd_and_hms(2026, 3, 1, 3, 0, 0).unwrap(),
//! };
//! let mut writer = index.writer(50_000_000).unwrap();
//! writer.upsert(&article, &Analysis::default()).unwrap();
//! writer.commit().unwrap();
//! let mut req = SearchRequest::new("人民银行");
//! req.facets = true;
//! let res = index.search(&req).unwrap();
//! assert_eq!(res.total, 1);
//! assert_eq!(res.hits[0].id, article.id.as_str());
//! assert_eq!(res.hits[0].cluster, article.id.as_str()); // alone in its cluster
//! let facets = res.facets.unwrap();
//! assert_eq!((facets.day[0].key.as_str(), facets.day[0].count), ("2026-03-01", 1));
//! req.sentiment = Some(SentimentLabel::Negative); // no sentiment was given
//! assert_eq!(index.search(&req).unwrap().total, 0);
//! assert_eq!(index.get(&article.id).unwrap(), Some(article));
//! ```
#![warn(missing_docs)]

mod collect;
mod schema;
mod search;
mod snippet;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::directory::MmapDirectory;
use tantivy::query::QueryParser;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use yuqing_model::{Analysis, Article, ArticleId, SentimentLabel, Tier};
use yuqing_text::{BIGRAM_TOKENIZER, BigramTokenizer, Segmenter, WORD_TOKENIZER};

use crate::schema::Fields;

/// Everything that can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The query string is not valid syntax, names an unknown field, or cannot be built.
    #[error("bad query `{query}`: {message}")]
    Query {
        /// The query as given.
        query: String,
        /// The parser's explanation.
        message: String,
    },
    /// The index directory could not be created or opened (missing permissions, not a
    /// directory, or an index with a different schema).
    #[error("cannot open index in {dir}: {message}")]
    Open {
        /// Index directory.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The index directory could not be created.
    #[error("cannot create index directory {dir}: {source}")]
    Io {
        /// Index directory.
        dir: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A tantivy operation (write, commit, search, reload) failed.
    #[error("index {operation} failed: {source}")]
    Tantivy {
        /// What was being done (`commit`, `search`, `add document` …).
        operation: &'static str,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// The directory holds an index written with another schema version (older builds wrote
    /// no version file: version 1). Delete the directory and re-index.
    #[error(
        "index in {dir} has schema version {found}, this build needs version {expected}: delete the directory and re-index"
    )]
    SchemaVersion {
        /// Index directory.
        dir: PathBuf,
        /// Version found (`1` when there is no version file, or the file's text).
        found: String,
        /// [`SCHEMA_VERSION`].
        expected: u32,
    },
    /// The schema version file could not be written or read.
    #[error("cannot access index version file {path}: {source}")]
    VersionFile {
        /// `<dir>/yuqing_index_version`.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A stored document could not be turned back into an [`Article`] (missing or bad field).
    #[error("stored document {id} is corrupt: field `{field}` {message}")]
    Corrupt {
        /// Article id (or `?` when the id itself is missing).
        id: String,
        /// Field name.
        field: &'static str,
        /// What is wrong with it.
        message: &'static str,
    },
}

impl IndexError {
    fn tantivy(operation: &'static str) -> impl FnOnce(tantivy::TantivyError) -> IndexError {
        move |source| IndexError::Tantivy { operation, source }
    }
}

/// Version of the index layout (schema and tokenizers) this build writes and reads, kept in
/// `<dir>/yuqing_index_version`. 1: no analysis fields, `zh_word` with HMM (no version file);
/// 2: theme/sentiment/sentiment_score/cluster/day fields, fast `tier`/`source`, `zh_word`
/// without HMM; 3: word fields (`title`, `body`) without positions (phrases match on the
/// bigram fields), `published_at`/`fetched_at`/`canonical_url` stored only. A version-2
/// index is refused with [`IndexError::SchemaVersion`] (phrase queries would fail on it).
pub const SCHEMA_VERSION: u32 = 3;

/// File in the index directory holding [`SCHEMA_VERSION`] as decimal text.
const VERSION_FILE: &str = "yuqing_index_version";

/// Result ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// BM25 score, best first.
    #[default]
    Relevance,
    /// Article time (`published_at`, else `fetched_at`), newest first.
    Time,
}

/// A search: query string, page, filters and ordering.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Query in the syntax described in the crate doc; empty = all articles.
    pub query: String,
    /// Hits returned at most (page size); 0 only counts.
    pub limit: usize,
    /// Hits skipped before the page (for paging).
    pub offset: usize,
    /// Only articles whose time (see crate doc) is at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only articles whose time is at or before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only articles of this source id (exact match).
    pub source: Option<String>,
    /// Only articles matched to this plan theme id (`s4`, `s4.i10`; exact match).
    pub theme: Option<String>,
    /// Only articles with this sentiment label.
    pub sentiment: Option<SentimentLabel>,
    /// Only articles of this media tier.
    pub tier: Option<Tier>,
    /// Ordering of the hits.
    pub sort: SortOrder,
    /// One hit per reprint cluster (the best-ranked member in `sort` order); `total` then
    /// counts clusters. Costs a hash-map entry per matching cluster.
    pub collapse: bool,
    /// Fill [`SearchResults::facets`] (counts over all matching articles).
    pub facets: bool,
}

impl SearchRequest {
    /// A request for `query`: first 20 hits by relevance, no filters, no collapse, no facets.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: 20,
            offset: 0,
            from: None,
            to: None,
            source: None,
            theme: None,
            sentiment: None,
            tier: None,
            sort: SortOrder::Relevance,
            collapse: false,
            facets: false,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of matching articles (all pages); number of matching clusters when collapsed.
    pub total: usize,
    /// The requested page of hits, in the requested order.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching articles, when [`SearchRequest::facets`] was set.
    pub facets: Option<Facets>,
}

/// Counts of matching articles per value of each facet dimension. Every list is sorted by
/// count (largest first), then by key; values with no matching article are absent. Counts are
/// over articles, also when the search was collapsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Per plan theme id (`s4`, `s4.i10`): an article matched to several themes counts once
    /// for each.
    pub theme: Vec<FacetCount>,
    /// Per sentiment label (`positive`, `neutral`, `negative`); articles without sentiment are
    /// not counted.
    pub sentiment: Vec<FacetCount>,
    /// Per media tier (`central`, `provincial`, `industry`, `commercial`, `self-media`).
    pub tier: Vec<FacetCount>,
    /// Per source id.
    pub source: Vec<FacetCount>,
    /// Per Beijing (UTC+8) calendar day of `published_at`, `YYYY-MM-DD`; undated articles are
    /// not counted.
    pub day: Vec<FacetCount>,
}

/// One facet value and its number of matching articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (theme id, label, tier, source id or day).
    pub key: String,
    /// Matching articles with this value.
    pub count: u64,
}

/// The analysis fields of one indexed article, as stored (see [`ArticleIndex::analysis`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAnalysis {
    /// Matched theme ids, in the order of [`Analysis::themes`], duplicates removed.
    pub themes: Vec<String>,
    /// Sentiment label, if the analysis had one.
    pub sentiment: Option<SentimentLabel>,
    /// Sentiment score in [-1, 1], if the analysis had one.
    pub sentiment_score: Option<f32>,
    /// Reprint cluster id (the article's own id when the analysis had none).
    pub cluster: String,
}

/// One matching article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Article id (16 hex digits).
    pub id: String,
    /// Headline.
    pub title: String,
    /// URL the page was fetched from.
    pub url: String,
    /// Source id.
    pub source: String,
    /// Publishing site.
    pub site: String,
    /// Media tier (`central`, `provincial`, `industry`, `commercial`, `self-media`).
    pub tier: String,
    /// Publish time, UTC, if known.
    pub published_at: Option<DateTime<Utc>>,
    /// BM25 score (sum over matching fields, title ×2); 0 when sorted by time or for an
    /// empty query.
    pub score: f32,
    /// HTML-escaped body excerpt (about 150 CJK characters / 450 bytes) with the matched terms
    /// in `<em>..</em>`; the head of the body when no term matched the body.
    pub snippet: String,
    /// Matched plan theme ids (`s4`, `s4.i10`), as given at upsert.
    pub themes: Vec<String>,
    /// Sentiment label, if the article was analysed.
    pub sentiment: Option<SentimentLabel>,
    /// Sentiment score in [-1, 1], if the article was analysed.
    pub sentiment_score: Option<f32>,
    /// Reprint cluster id (the article's own id when it is alone).
    pub cluster: String,
    /// Live documents in the index with this cluster id (≥ 1; counted per returned hit).
    pub cluster_size: u64,
}

/// The article index in one directory. `Send + Sync`: share it (e.g. in an `Arc`) between
/// searching threads; only one [`ArticleWriter`] may exist per directory at a time.
pub struct ArticleIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    parser: QueryParser,
    /// `<dir>/meta.json`, rewritten (a new file renamed into place) by every commit and merge.
    meta_path: PathBuf,
    /// Content of `meta.json` when the reader was last reloaded (see `ArticleIndex::fresh`).
    loaded: std::sync::Mutex<Option<Vec<u8>>>,
    /// Per-segment tables of the search collectors (facet ordinals, cluster keys; see
    /// `collect::Caches`), built once per segment.
    caches: collect::Caches,
}

impl std::fmt::Debug for ArticleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleIndex").finish_non_exhaustive()
    }
}

impl ArticleIndex {
    /// Opens or creates the tantivy index in `dir` (created if missing), registering the
    /// `zh_word` tokenizer (sharing `segmenter`'s dictionary) and the `zh_bigram` tokenizer.
    ///
    /// A new index gets a version file ([`SCHEMA_VERSION`]); an existing one must have the
    /// same version (older builds: none), it is never rewritten in place.
    ///
    /// # Errors
    /// [`IndexError::Io`] if `dir` cannot be created, [`IndexError::SchemaVersion`] if it holds
    /// an index of another schema version, [`IndexError::VersionFile`] if the version file cannot
    /// be read or written, [`IndexError::Open`] if the index cannot be opened.
    pub fn open(dir: &Path, segmenter: &Segmenter) -> Result<ArticleIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            dir: dir.to_path_buf(),
            source,
        })?;
        check_version(dir)?;
        let open_err = |message: String| IndexError::Open {
            dir: dir.to_path_buf(),
            message,
        };
        let mmap = MmapDirectory::open(dir).map_err(|e| open_err(e.to_string()))?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(mmap, schema).map_err(|e| open_err(e.to_string()))?;
        index
            .tokenizers()
            .register(WORD_TOKENIZER, segmenter.word_tokenizer());
        index
            .tokenizers()
            .register(BIGRAM_TOKENIZER, BigramTokenizer::new());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| open_err(e.to_string()))?;
        let parser = search::query_parser(&index, &fields);
        write_version(dir)?;
        Ok(ArticleIndex {
            index,
            reader,
            fields,
            parser,
            meta_path: dir.join("meta.json"),
            loaded: std::sync::Mutex::new(None),
            caches: collect::Caches::default(),
        })
    }

    /// A writer with an indexing heap of `heap_bytes` in total, split over up to
    /// `min(cores, 8)` indexing threads (tantivy wants ≥ 15 MB per thread, so fewer threads
    /// are used with a small heap; 50 MB+ is sensible). Documents become visible to
    /// [`ArticleIndex::search`] after [`ArticleWriter::commit`].
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if another writer holds the directory lock or the heap is
    /// below 15 MB.
    pub fn writer(&self, heap_bytes: usize) -> Result<ArticleWriter, IndexError> {
        let writer = self
            .index
            .writer(heap_bytes)
            .map_err(IndexError::tantivy("writer open"))?;
        Ok(ArticleWriter {
            writer,
            fields: self.fields,
        })
    }

    /// A writer with exactly `threads` indexing threads (at least 1) sharing `heap_bytes`.
    /// Fewer threads make larger segments from the same heap, and each segment re-learns the
    /// whole vocabulary (term table, dictionary, term sort): on 1.66 KB Chinese articles one
    /// thread with 64 MiB used ~15 % fewer instructions per article than two with 32 MiB each
    /// (callgrind, 8,000 articles; see BENCHMARKS.md), but segments only on one core. For
    /// pipelines whose throughput is bound elsewhere (fetching, extraction) or that commit often.
    ///
    /// # Errors
    /// As [`ArticleIndex::writer`] (the heap per thread must be at least 15 MB).
    pub fn writer_with_threads(
        &self,
        heap_bytes: usize,
        threads: usize,
    ) -> Result<ArticleWriter, IndexError> {
        let writer = self
            .index
            .writer_with_num_threads(threads.max(1), heap_bytes)
            .map_err(IndexError::tantivy("writer open"))?;
        Ok(ArticleWriter {
            writer,
            fields: self.fields,
        })
    }

    /// Runs `req` against the last committed state (the reader is reloaded when a commit or a
    /// merge, of this process or another, has changed the index since the last call).
    ///
    /// # Errors
    /// [`IndexError::Query`] for bad syntax or an unknown field (with the parser's message),
    /// [`IndexError::Tantivy`] if the search itself fails.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        search::run(
            &self.fresh()?,
            &self.parser,
            &self.fields,
            &self.caches,
            req,
        )
    }

    /// Sets how many recent searches' totals, facets and collapsed groups are kept (default
    /// 512; 0 turns the cache off, e.g. to measure uncached searches). Entries are valid for one
    /// committed state of the index: a commit or merge seen by the next search empties it. A
    /// cached search costs only its page (`TopDocs` and the hits' stored fields and snippets).
    pub fn set_result_cache(&self, entries: usize) {
        self.caches.results.set_capacity(entries);
    }

    /// The searcher over the last committed state. Reopening the segments on every call cost
    /// a file lock, a `meta.json` parse and every segment's readers (and emptied the doc-store
    /// block caches), so the reader is reloaded only when `meta.json` differs from the one last
    /// loaded: a commit or merge of this process or of another one (e.g. `yuqing run` while
    /// `yuqing serve` answers searches) is still visible to the next call.
    fn fresh(&self) -> Result<tantivy::Searcher, IndexError> {
        // A few KB read from the page cache; compared by content, not by mtime (two commits
        // within one timestamp tick would look alike).
        let meta = std::fs::read(&self.meta_path).ok();
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if meta.is_none() || *loaded != meta {
            self.reader
                .reload()
                .map_err(IndexError::tantivy("reader reload"))?;
            *loaded = meta;
            let live: Vec<tantivy::index::SegmentId> = self
                .reader
                .searcher()
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect();
            self.caches.retain(&live);
        }
        drop(loaded);
        Ok(self.reader.searcher())
    }

    /// A tantivy searcher over the last committed state (reloaded as for `search`), for
    /// callers that build their own queries over this schema's fields (looked up by name via
    /// `searcher.schema()`: `id`, `title`, `body`, `title_bigram`, `body_bigram`, `theme` …),
    /// e.g. the compiled plan-theme rules of `yuqing-themes` during `themes rematch`.
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if the reader cannot be reloaded.
    pub fn searcher(&self) -> Result<tantivy::Searcher, IndexError> {
        self.fresh()
    }

    /// Number of live (committed, not deleted) articles, after reloading the reader.
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if the reader cannot be reloaded.
    pub fn num_docs(&self) -> Result<u64, IndexError> {
        Ok(self.fresh()?.num_docs())
    }

    /// The stored article with id `id`, rebuilt field by field (`None` if absent).
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] on read failure, [`IndexError::Corrupt`] if the stored document
    /// lacks a required field.
    pub fn get(&self, id: &ArticleId) -> Result<Option<Article>, IndexError> {
        match self.stored_doc(id)? {
            Some(doc) => schema::to_article(&self.fields, &doc).map(Some),
            None => Ok(None),
        }
    }

    /// The analysis fields stored for article `id` (`None` if the article is absent).
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] on read failure, [`IndexError::Corrupt`] if the stored document
    /// lacks its cluster or has an unknown sentiment label.
    pub fn analysis(&self, id: &ArticleId) -> Result<Option<StoredAnalysis>, IndexError> {
        match self.stored_doc(id)? {
            Some(doc) => schema::to_stored_analysis(&self.fields, &doc).map(Some),
            None => Ok(None),
        }
    }

    /// The stored document of article `id`, after reloading the reader.
    fn stored_doc(&self, id: &ArticleId) -> Result<Option<TantivyDocument>, IndexError> {
        let searcher = self.fresh()?;
        let Some(addr) = self.doc_address(&searcher, id)? else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::tantivy("get"))?;
        Ok(Some(doc))
    }

    /// Where `searcher` holds the live document of article `id` (`None` if absent): the id
    /// term's postings walked segment by segment, skipping deleted documents (no scoring).
    fn doc_address(
        &self,
        searcher: &tantivy::Searcher,
        id: &ArticleId,
    ) -> Result<Option<tantivy::DocAddress>, IndexError> {
        let get_err = |e: std::io::Error| IndexError::Tantivy {
            operation: "get",
            source: e.into(),
        };
        let term = Term::from_field_text(self.fields.id, id.as_str());
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment
                .inverted_index(self.fields.id)
                .map_err(IndexError::tantivy("get"))?;
            let Some(info) = inverted.get_term_info(&term).map_err(get_err)? else {
                continue;
            };
            let mut postings = inverted
                .read_postings_from_terminfo(&info, tantivy::schema::IndexRecordOption::Basic)
                .map_err(get_err)?;
            let alive = segment.alive_bitset();
            let mut doc = tantivy::DocSet::doc(&postings);
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    // Segment ordinals fit in u32: tantivy addresses segments by u32.
                    return Ok(Some(tantivy::DocAddress::new(ord as u32, doc)));
                }
                doc = tantivy::DocSet::advance(&mut postings);
            }
        }
        Ok(None)
    }
}

/// Adds and replaces articles. Changes are invisible until [`ArticleWriter::commit`]; dropping
/// the writer without committing discards them.
pub struct ArticleWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl std::fmt::Debug for ArticleWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleWriter").finish_non_exhaustive()
    }
}

impl ArticleWriter {
    /// Deletes any article with the same id, then adds `a` with its `analysis` (themes,
    /// sentiment, cluster; see the crate doc), so re-indexing an article leaves one document.
    /// Segmentation happens on tantivy's indexing threads; this call only builds the document.
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if the indexing threads have died.
    pub fn upsert(&mut self, a: &Article, analysis: &Analysis) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, a.id.as_str()));
        self.writer
            .add_document(schema::to_document(&self.fields, a, analysis))
            .map_err(IndexError::tantivy("add document"))?;
        Ok(())
    }

    /// Deletes the article with id `id` (nothing if absent); visible after
    /// [`ArticleWriter::commit`]. On the writer, not on [`ArticleIndex`], because only one
    /// writer may hold the directory.
    pub fn delete(&mut self, id: &ArticleId) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, id.as_str()));
    }

    /// Commits everything upserted so far (durable on disk, visible to the next search).
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if the commit fails (I/O, full disk).
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer
            .commit()
            .map_err(IndexError::tantivy("commit"))?;
        Ok(())
    }
}

impl ArticleWriter {
    /// Waits until the background segment merges set off by earlier commits have finished,
    /// then releases the writer (and the directory lock). Uncommitted changes are discarded,
    /// as when the writer is dropped. For bulk loads that want the merged layout before
    /// searching; dropping the writer instead leaves merges unfinished (they restart later).
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if a merge failed (I/O, full disk).
    pub fn wait_merging(self) -> Result<(), IndexError> {
        self.writer
            .wait_merging_threads()
            .map_err(IndexError::tantivy("merge"))
    }

    /// Turns the background segment merges of this writer's commits off (`false`) or back on
    /// (`true`, tantivy's default log merge policy). For bulk rewrites such as `themes rematch`
    /// that commit once and then drop the writer: dropping kills merges in flight, so their
    /// CPU would be lost; the next writer's commit merges the segments left.
    pub fn set_merging(&mut self, on: bool) {
        if on {
            self.writer
                .set_merge_policy(Box::<tantivy::indexer::LogMergePolicy>::default());
        } else {
            self.writer
                .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
    }
}

impl ArticleIndex {
    /// The stored articles with these ids and their stored analysis fields, read from the
    /// index's document store with one searcher (no database round trip), in the order of
    /// `ids`; ids not in the index are skipped. For re-indexing an article with a change to
    /// its analysis only (`themes rematch`): the returned pair rebuilds the same document
    /// through [`ArticleWriter::upsert`]. Cost: a term lookup and a stored-document read
    /// (one compressed block, cached per segment reader) per id.
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] on read failure, [`IndexError::Corrupt`] if a stored document
    /// lacks a required field.
    pub fn stored_articles(
        &self,
        ids: &[ArticleId],
    ) -> Result<Vec<(Article, StoredAnalysis)>, IndexError> {
        let searcher = self.fresh()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(addr) = self.doc_address(&searcher, id)? else {
                continue;
            };
            let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::tantivy("get"))?;
            out.push((
                schema::to_article(&self.fields, &doc)?,
                schema::to_stored_analysis(&self.fields, &doc)?,
            ));
        }
        Ok(out)
    }
}

/// Refuses a directory holding an index of another schema version. A directory without
/// `meta.json` has no index yet and passes.
fn check_version(dir: &Path) -> Result<(), IndexError> {
    if !dir.join("meta.json").exists() {
        return Ok(());
    }
    let path = dir.join(VERSION_FILE);
    let found = match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "1".to_string(),
        Err(source) => return Err(IndexError::VersionFile { path, source }),
    };
    if found == SCHEMA_VERSION.to_string() {
        Ok(())
    } else {
        Err(IndexError::SchemaVersion {
            dir: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        })
    }
}

/// Writes the version file if missing (new index).
fn write_version(dir: &Path) -> Result<(), IndexError> {
    let path = dir.join(VERSION_FILE);
    if path.exists() {
        return Ok(());
    }
    std::fs::write(&path, format!("{SCHEMA_VERSION}\n"))
        .map_err(|source| IndexError::VersionFile { path, source })
}
