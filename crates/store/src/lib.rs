//! # yuqing-store: what has been crawled, when, with which validators, and what did analysis find?
//!
//! One SQLite file, `<data_dir>/yuqing.sqlite3` (see [`DB_FILE_NAME`]), in WAL mode, holding:
//! - the HTTP validators (`ETag`, `Last-Modified`) remembered per URL for conditional GET;
//! - every stored [`Article`] with a content hash, so a re-crawl is reported as
//!   [`UpsertOutcome::New`], [`UpsertOutcome::Updated`] or [`UpsertOutcome::Unchanged`];
//! - crawl runs and each source's result per run, from which [`Store::source_health`] answers
//!   "when did this source last work, and what went wrong since";
//! - each article's [`Analysis`](yuqing_model::Analysis): plan-theme matches with their hit
//!   terms, sentiment with evidence, SimHash fingerprint and reprint cluster
//!   ([`Store::upsert_analyzed`], [`Store::save_analysis`], [`Store::analysis`]), from which
//!   [`Store::theme_counts`] answers "how was each plan item covered in this period" and
//!   [`Store::cluster_members`] "who reprinted this story";
//! - analysts' sentiment corrections, which override the model's label
//!   ([`Store::record_correction`]) and are the training set ([`Store::corrections`]).
//!
//! The schema is migrated on [`Store::open`] through `PRAGMA user_version` (version 2 gives
//! articles a stable integer key, `seq`, that the analysis tables are keyed by, so their
//! rows append). All times are UTC, stored as fixed-width RFC 3339 text with nanoseconds and
//! `Z` (`2020-05-12T02:30:00.000000000Z`), so text order is time order. Calls are synchronous
//! and block on SQLite I/O: async callers use `spawn_blocking`. [`Store`] is `Send + Sync`
//! (one connection behind a mutex).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use yuqing_model::{
//!     Analysis, Article, ArticleId, DateSource, HitField, SentimentLabel, TermHit, ThemeMatch,
//!     Tier, Validators,
//! };
//! use yuqing_store::{Store, UpsertOutcome};
//!
//! let store = Store::open_in_memory()?;
//! let url = "https://www.spb.gov.cn/a/1.shtml";
//! store.set_validators(url, &Validators { etag: Some("\"abc\"".into()), last_modified: None })?;
//! assert_eq!(store.validators(url)?.etag.as_deref(), Some("\"abc\""));
//!
//! let mut article = Article {
//!     id: ArticleId::from_canonical_url(url),
//!     source: "spb-news".into(),
//!     tier: Tier::Industry,
//!     url: url.into(),
//!     canonical_url: url.into(),
//!     site: "国家邮政局".into(),
//!     title: "快递进村工程持续推进".into(),
//!     author: None,
//!     editor: None,
//!     published_at: Some(Utc.with_ymd_and_hms(2020, 5, 12, 2, 30, 0).unwrap()),
//!     date_source: DateSource::Meta,
//!     body: "正文".into(),
//!     fetched_at: Utc.with_ymd_and_hms(2020, 5, 12, 3, 0, 0).unwrap(),
//! };
//! assert_eq!(store.upsert_article(&article)?, UpsertOutcome::New);
//! assert_eq!(store.upsert_article(&article)?, UpsertOutcome::Unchanged);
//! article.body.push_str("（更新）");
//! assert_eq!(store.upsert_article(&article)?, UpsertOutcome::Updated);
//! assert!(store.knows_url(url)?);
//!
//! // The analysis stage's results, then coverage of plan item s4.i10 in May 2020.
//! let analysis = Analysis {
//!     themes: vec![ThemeMatch {
//!         theme: "s4.i10".into(),
//!         score: 3.0,
//!         hits: vec![TermHit { term: "快递进村".into(), count: 1, field: HitField::Title }],
//!     }],
//!     sentiment: None,
//!     fingerprint: Some(0x0123_4567_89ab_cdef),
//!     cluster: Some(article.id.clone()),
//! };
//! store.save_analysis([(&article.id, &analysis)])?;
//! assert_eq!(store.analysis(&article.id)?.as_ref(), Some(&analysis));
//! // Re-reading the unchanged article writes neither it nor its analysis again.
//! let reread = Analysis { themes: Vec::new(), ..analysis.clone() };
//! assert_eq!(store.upsert_analyzed([(&article, &reread)])?, vec![UpsertOutcome::Unchanged]);
//! assert_eq!(store.analysis(&article.id)?.as_ref(), Some(&analysis));
//!
//! // The first source to store an article owns it: another source's copy keeps the owner.
//! let copy = Article { source: "bom-feed".into(), tier: Tier::Commercial, ..article.clone() };
//! assert_eq!(store.upsert_article(&copy)?, UpsertOutcome::Unchanged);
//! let owner = store.stored_head(&article.id)?.expect("stored");
//! assert_eq!((owner.source.as_str(), owner.tier), ("spb-news", Tier::Industry));
//! let may = Utc.with_ymd_and_hms(2020, 5, 1, 0, 0, 0).unwrap();
//! let june = Utc.with_ymd_and_hms(2020, 6, 1, 0, 0, 0).unwrap();
//! let coverage = store.theme_counts(may, june)?;
//! assert_eq!((coverage[0].theme.as_str(), coverage[0].articles, coverage[0].stories), ("s4.i10", 1, 1));
//!
//! // An analyst's correction wins over the model.
//! store.record_correction(&article.id, SentimentLabel::Negative, "wang", june)?;
//! let sentiment = store.analysis(&article.id)?.and_then(|a| a.sentiment);
//! assert_eq!(sentiment.map(|s| s.label), Some(SentimentLabel::Negative));
//! # Ok::<(), yuqing_store::StoreError>(())
//! ```
#![warn(missing_docs)]

mod analysis;
mod deliveries;
mod error;
mod schema;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use yuqing_model::{Article, ArticleId, DateSource, Tier, Validators};

pub use analysis::{
    ClusterMember, CorrectedArticle, Correction, LatestArticle, StoredFingerprint, ThemeCoverage,
    ThemeDiff,
};
pub use deliveries::{NegativeStory, PendingDigest};
pub use error::{Result, StoreError};
pub use users::User;

/// File name of the database inside the data directory.
pub const DB_FILE_NAME: &str = "yuqing.sqlite3";

/// Schema version this build migrates to (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = schema::MIGRATIONS.len() as i64;

/// How long a call waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What [`Store::upsert_article`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpsertOutcome {
    /// No article with this id was stored; it was inserted.
    New,
    /// The id was stored with a different content hash (title, body, published_at or author
    /// changed); the row was replaced, keeping its first-seen time.
    Updated,
    /// The id was stored with the same content hash; only the last fetch time moved.
    Unchanged,
}

/// What an upsert of an already stored article compares against (see
/// [`Store::stored_head`]): the owner fields kept from the first store and the content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    /// Source id that owns the article: the source that stored it first.
    pub source: String,
    /// The tier stored with it.
    pub tier: Tier,
    /// The site stored with it.
    pub site: String,
    /// [`content_hash`] of the stored title, body, published_at and author.
    pub content_hash: [u8; 32],
}

impl StoredHead {
    /// The head `article` would have once stored as a new row.
    pub fn of(article: &Article) -> StoredHead {
        StoredHead {
            source: article.source.clone(),
            tier: article.tier,
            site: article.site.clone(),
            content_hash: content_hash(article),
        }
    }

    /// Rewrites `article` into the record an upsert over this head stores, and says which
    /// outcome that upsert reports: the owner rule of [`Store::upsert_article`] (a copy from
    /// another source takes this head's source, tier and site), then the content hash
    /// decides between [`UpsertOutcome::Updated`] and [`UpsertOutcome::Unchanged`]. For an
    /// unchanged article the stored row keeps everything but a later `fetched_at`.
    pub fn adopt(&self, article: &mut Article) -> UpsertOutcome {
        if article.source != self.source {
            article.source.clone_from(&self.source);
            article.tier = self.tier;
            article.site.clone_from(&self.site);
        }
        if content_hash(article) == self.content_hash {
            UpsertOutcome::Unchanged
        } else {
            UpsertOutcome::Updated
        }
    }
}

/// Article counts of one source in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Articles stored for the first time.
    pub new: u32,
    /// Articles whose content changed.
    pub updated: u32,
    /// Articles fetched again with the same content.
    pub unchanged: u32,
    /// Pages or entries rejected (too short, no title, not an article ...).
    pub rejected: u32,
}

impl Counts {
    /// Counts one upsert outcome (saturating).
    pub fn add(&mut self, outcome: UpsertOutcome) {
        let n = match outcome {
            UpsertOutcome::New => &mut self.new,
            UpsertOutcome::Updated => &mut self.updated,
            UpsertOutcome::Unchanged => &mut self.unchanged,
        };
        *n = n.saturating_add(1);
    }
}

/// The result of crawling one source in one run, for [`Store::record_source_result`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceResult<'a> {
    /// Source id from `sources.toml`.
    pub source_id: &'a str,
    /// Whether the source's own URL was fetched and read (per-article failures are `rejected`).
    pub ok: bool,
    /// What went wrong when not ok (the fetch or parse error, naming the URL).
    pub error: Option<&'a str>,
    /// Articles by outcome.
    pub counts: Counts,
}

/// Health of one source: its latest result and how long it has been failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceHealth {
    /// Source id.
    pub source_id: String,
    /// Run of the latest result.
    pub last_run_id: i64,
    /// Start time of that run, UTC.
    pub last_checked_at: DateTime<Utc>,
    /// Whether the latest result was ok.
    pub last_ok: bool,
    /// Error of the latest result, when it failed.
    pub last_error: Option<String>,
    /// Counts of the latest result.
    pub last_counts: Counts,
    /// Start time of the latest run in which the source was ok; `None` if it never was.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// Failed results since the last ok one (0 when the latest was ok).
    pub consecutive_failures: u32,
}

/// The crawl store: one SQLite connection behind a mutex (`Send + Sync`).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// UTC time as fixed-width RFC 3339 text.
fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Reads the fixed-width form [`ts`] writes (`2020-05-12T02:30:00.000000000Z`) without a
/// general parser (about 10x faster than RFC 3339 parsing; loading a million fingerprints
/// parses a million times); `None` for anything else.
fn parse_fixed_ts(s: &str) -> Option<DateTime<Utc>> {
    let b: &[u8; 30] = s.as_bytes().try_into().ok()?;
    let punct = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if b[29] != b'Z' || punct.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?
        .and_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 29)?)
        .map(|t| t.and_utc())
}

/// Reads a stored time; `row` names the row for the error (`article <id>`, `source <id>`).
fn parse_ts(row: &str, column: &'static str, s: &str) -> Result<DateTime<Utc>> {
    if let Some(t) = parse_fixed_ts(s) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt {
            row: row.to_string(),
            column,
            value: s.to_string(),
        })
}

/// The content hash [`Store::upsert_article`] compares to tell [`UpsertOutcome::Updated`] from
/// [`UpsertOutcome::Unchanged`]: 32 bytes of BLAKE3 over title, body, published_at (as stored,
/// RFC 3339 UTC with nanoseconds) and author, each length-prefixed (and `None` distinguished
/// from an empty string) so no two different tuples hash the same input. Source, tier, site,
/// URLs, editor, date source and fetch time are not part of it.
pub fn content_hash(a: &Article) -> [u8; 32] {
    fn field(h: &mut blake3::Hasher, v: Option<&[u8]>) {
        match v {
            None => {
                h.update(&[0]);
            }
            Some(b) => {
                h.update(&[1]);
                h.update(&(b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }
    let mut h = blake3::Hasher::new();
    field(&mut h, Some(a.title.as_bytes()));
    field(&mut h, Some(a.body.as_bytes()));
    let published = a.published_at.map(|t| ts(&t));
    field(&mut h, published.as_deref().map(str::as_bytes));
    field(&mut h, a.author.as_deref().map(str::as_bytes));
    *h.finalize().as_bytes()
}

fn query_err(what: impl FnOnce() -> String) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Query {
        what: what(),
        source,
    }
}

impl Store {
    /// Opens (creating the file, not its directory) and migrates the database at `path`,
    /// normally `<data_dir>/`[`DB_FILE_NAME`]. Sets WAL journaling, `synchronous = NORMAL`
    /// (a power cut may lose the last commits, never consistency), foreign keys on, a 5 s
    /// busy timeout and a page cache of up to 64 MiB. Opening an up-to-date file again changes nothing.
    ///
    /// Errors: [`StoreError::Open`] (directory missing, not a database), [`StoreError::WalRefused`],
    /// [`StoreError::TooNew`], [`StoreError::Migrate`].
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::WalRefused {
                path: path.to_path_buf(),
                mode,
            });
        }
        Store::setup(conn, path)
    }

    /// A private in-memory store (for tests and dry runs); dropped with the value.
    pub fn open_in_memory() -> Result<Store> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::setup(conn, path)
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        // Page cache of up to 64 MiB (allocated as used; SQLite's default is 2 MiB), so the
        // index pages a batch of random-id inserts touches stay in memory.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        migrate(&mut conn, path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The database file this store was opened on (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection; a panic in another thread cannot leave a transaction open (rusqlite
    /// rolls back on drop), so a poisoned lock is still safe to use.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Validators remembered for `url`; empty when none are (the fetch is unconditional).
    pub fn validators(&self, url: &str) -> Result<Validators> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT etag, last_modified FROM validators WHERE url = ?1")
            .map_err(query_err(|| format!("reading validators for {url}")))?;
        let v = stmt
            .query_row([url], |r| {
                Ok(Validators {
                    etag: r.get(0)?,
                    last_modified: r.get(1)?,
                })
            })
            .optional()
            .map_err(query_err(|| format!("reading validators for {url}")))?;
        Ok(v.unwrap_or_default())
    }

    /// Remembers the validators of the latest response for `url`. A field that is `None`
    /// keeps the stored value (a 304 response may repeat only some validators); use
    /// [`Store::clear_validators`] to forget them. Keeping an old `Last-Modified` beside a new
    /// `ETag` is safe: servers evaluate `If-None-Match` first (RFC 9110, section 13.2.2).
    pub fn set_validators(&self, url: &str, v: &Validators) -> Result<()> {
        if v.is_empty() {
            return Ok(());
        }
        let conn = self.lock();
        conn.prepare_cached(
            "INSERT INTO validators (url, etag, last_modified) VALUES (?1, ?2, ?3)
             ON CONFLICT (url) DO UPDATE SET
                 etag = coalesce(excluded.etag, etag),
                 last_modified = coalesce(excluded.last_modified, last_modified)",
        )
        .and_then(|mut s| s.execute(params![url, v.etag, v.last_modified]))
        .map_err(query_err(|| format!("storing validators for {url}")))?;
        Ok(())
    }

    /// Forgets the validators of `url` (the next fetch is unconditional).
    pub fn clear_validators(&self, url: &str) -> Result<()> {
        let conn = self.lock();
        conn.execute("DELETE FROM validators WHERE url = ?1", [url])
            .map_err(query_err(|| format!("clearing validators for {url}")))?;
        Ok(())
    }

    /// Inserts or updates the article by id. The content hash ([`content_hash`]: title, body,
    /// published_at, author) decides between [`UpsertOutcome::Updated`] (the content columns
    /// replaced, `changed_at` = `fetched_at`) and [`UpsertOutcome::Unchanged`] (only the last
    /// fetch time moves forward).
    ///
    /// Owner rule: the source that stored an article first owns it. An update never changes
    /// the stored `source`; its `tier` and `site` are replaced only by a copy from that same
    /// source (a re-tiered source), never by another source's copy of the article. So an
    /// article listed by several sources stays counted, filtered and reported under the first.
    /// [`StoredHead::adopt`] applies the same rule to a record before it is indexed.
    ///
    /// Errors: [`StoreError::Query`] naming the article id and URL (e.g. an empty id or URL,
    /// which the schema refuses).
    pub fn upsert_article(&self, a: &Article) -> Result<UpsertOutcome> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(query_err(|| {
            format!("storing article {} ({})", a.id, a.url)
        }))?;
        let outcome = upsert(&tx, a)?;
        tx.commit().map_err(query_err(|| {
            format!("storing article {} ({})", a.id, a.url)
        }))?;
        Ok(outcome)
    }

    /// [`Store::upsert_article`] for each article, in one transaction: either all are stored
    /// or, on the first error, none (the error names the failing article). Outcomes are in
    /// input order; an id repeated in the batch sees the earlier copy.
    pub fn upsert_articles(&self, batch: &[Article]) -> Result<Vec<UpsertOutcome>> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(query_err(|| {
            format!("storing a batch of {} articles", batch.len())
        }))?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for a in batch {
            outcomes.push(upsert(&tx, a)?);
        }
        tx.commit().map_err(query_err(|| {
            format!("storing a batch of {} articles", batch.len())
        }))?;
        Ok(outcomes)
    }

    /// Whether an article whose `url` or `canonical_url` equals `url` is stored. The
    /// canonical URL is found through the article id, which is its hash
    /// ([`ArticleId::from_canonical_url`]; an article stored under another id is found by
    /// its fetch URL only).
    pub fn knows_url(&self, url: &str) -> Result<bool> {
        let conn = self.lock();
        let id = ArticleId::from_canonical_url(url);
        conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE url = ?1)
                 OR EXISTS (SELECT 1 FROM articles WHERE id = ?2 AND canonical_url = ?1)",
        )
        .and_then(|mut s| s.query_row([url, id.as_str()], |r| r.get(0)))
        .map_err(query_err(|| format!("looking up {url}")))
    }

    /// The stored article with this id, as last stored (its `fetched_at` is the last fetch).
    ///
    /// Errors: [`StoreError::Corrupt`] when a stored tier, date source or time cannot be read.
    pub fn article(&self, id: &ArticleId) -> Result<Option<Article>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, source, tier, url, canonical_url, site, title, author, editor,
                        published_at, date_source, body, fetched_at
                 FROM articles WHERE id = ?1",
            )
            .map_err(query_err(|| format!("reading article {id}")))?;
        let row = stmt
            .query_row([id.as_str()], RawArticle::from_row)
            .optional()
            .map_err(query_err(|| format!("reading article {id}")))?;
        row.map(RawArticle::into_article).transpose()
    }

    /// The owner fields and content hash of the stored article `id` (`None` when not stored):
    /// what [`StoredHead::adopt`] needs to predict an upsert. One primary-key lookup.
    ///
    /// Errors: [`StoreError::Corrupt`] when the stored tier or hash cannot be read;
    /// [`StoreError::Query`] naming the id.
    pub fn stored_head(&self, id: &ArticleId) -> Result<Option<StoredHead>> {
        let conn = self.lock();
        let row: Option<(String, String, String, Vec<u8>)> = conn
            .prepare_cached("SELECT source, tier, site, content_hash FROM articles WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(query_err(|| format!("reading the owner of article {id}")))?;
        let Some((source, tier, site, hash)) = row else {
            return Ok(None);
        };
        let corrupt = |column, value: String| StoreError::Corrupt {
            row: format!("article {id}"),
            column,
            value,
        };
        let tier = Tier::parse(&tier).ok_or_else(|| corrupt("tier", tier.clone()))?;
        let content_hash: [u8; 32] = hash
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("content_hash", format!("{} bytes", hash.len())))?;
        Ok(Some(StoredHead {
            source,
            tier,
            site,
            content_hash,
        }))
    }

    /// Number of stored articles.
    pub fn article_count(&self) -> Result<u64> {
        let conn = self.lock();
        conn.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(query_err(|| "counting articles".to_string()))
    }

    /// Records the start of a crawl run; returns its id (increasing, never reused).
    pub fn begin_run(&self, started_at: DateTime<Utc>) -> Result<i64> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO runs (started_at) VALUES (?1)",
            [ts(&started_at)],
        )
        .map_err(query_err(|| "starting a run".to_string()))?;
        Ok(conn.last_insert_rowid())
    }

    /// Records the end of run `run_id` with its summary (a JSON document, e.g. the pipeline's
    /// counters). Errors: [`StoreError::InvalidSummary`], [`StoreError::UnknownRun`].
    pub fn finish_run(
        &self,
        run_id: i64,
        finished_at: DateTime<Utc>,
        summary_json: &str,
    ) -> Result<()> {
        serde_json::from_str::<serde_json::Value>(summary_json)
            .map_err(|source| StoreError::InvalidSummary { run_id, source })?;
        let conn = self.lock();
        let n = conn
            .execute(
                "UPDATE runs SET finished_at = ?2, summary_json = ?3 WHERE id = ?1",
                params![run_id, ts(&finished_at), summary_json],
            )
            .map_err(query_err(|| format!("finishing run {run_id}")))?;
        if n == 0 {
            return Err(StoreError::UnknownRun(run_id));
        }
        Ok(())
    }

    /// Records how source `result.source_id` did in run `run_id` (recording it again in the
    /// same run replaces the earlier result). Errors: [`StoreError::UnknownRun`].
    pub fn record_source_result(&self, run_id: i64, result: &SourceResult<'_>) -> Result<()> {
        let what = || format!("recording source {} in run {run_id}", result.source_id);
        let conn = self.lock();
        let exists: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)",
                [run_id],
                |r| r.get(0),
            )
            .map_err(query_err(what))?;
        if !exists {
            return Err(StoreError::UnknownRun(run_id));
        }
        let c = result.counts;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO source_results (source_id, run_id, ok, error, new_count,
                 updated_count, unchanged_count, rejected_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut s| {
            s.execute(params![
                result.source_id,
                run_id,
                result.ok,
                result.error,
                c.new,
                c.updated,
                c.unchanged,
                c.rejected
            ])
        })
        .map_err(query_err(what))?;
        Ok(())
    }

    /// For every source ever recorded, sorted by id: its latest result, when it was last ok
    /// and how many failures followed. "Latest" is by run id (runs are numbered in start
    /// order).
    pub fn source_health(&self) -> Result<Vec<SourceHealth>> {
        let what = || "reading source health".to_string();
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT r.source_id, r.run_id, runs.started_at, r.ok, r.error, r.new_count,
                        r.updated_count, r.unchanged_count, r.rejected_count,
                        (SELECT max(run_id) FROM source_results o
                          WHERE o.source_id = r.source_id AND o.ok = 1) AS last_ok_run
                 FROM source_results r JOIN runs ON runs.id = r.run_id
                 WHERE r.run_id = (SELECT max(run_id) FROM source_results l
                                   WHERE l.source_id = r.source_id)
                 ORDER BY r.source_id",
            )
            .map_err(query_err(what))?;
        let latest = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    Counts {
                        new: r.get(5)?,
                        updated: r.get(6)?,
                        unchanged: r.get(7)?,
                        rejected: r.get(8)?,
                    },
                    r.get::<_, Option<i64>>(9)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(query_err(what))?;
        let mut since = conn
            .prepare_cached(
                "SELECT (SELECT started_at FROM runs WHERE id = ?2),
                        (SELECT count(*) FROM source_results
                          WHERE source_id = ?1 AND ok = 0 AND run_id > ?3)",
            )
            .map_err(query_err(what))?;
        let mut out = Vec::with_capacity(latest.len());
        for (source_id, run_id, started, ok, error, counts, last_ok_run) in latest {
            let row = format!("source {source_id}");
            let (ok_started, failures): (Option<String>, i64) = since
                .query_row(
                    params![source_id, last_ok_run, last_ok_run.unwrap_or(0)],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(query_err(what))?;
            out.push(SourceHealth {
                last_checked_at: parse_ts(&row, "runs.started_at", &started)?,
                last_ok_at: ok_started
                    .map(|s| parse_ts(&row, "runs.started_at", &s))
                    .transpose()?,
                consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                source_id,
                last_run_id: run_id,
                last_ok: ok,
                last_error: error,
                last_counts: counts,
            });
        }
        Ok(out)
    }
}

/// Applies the pending migrations, each in its own immediate transaction that re-reads the
/// version (so two processes opening at once do not both migrate).
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    for (i, sql) in schema::MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        let err = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version: target,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        if current >= target {
            continue;
        }
        tx.execute_batch(sql).map_err(err)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

/// One article upsert inside the caller's transaction.
fn upsert(conn: &Connection, a: &Article) -> Result<UpsertOutcome> {
    let what = || format!("storing article {} ({})", a.id, a.url);
    let hash = content_hash(a);
    let fetched = ts(&a.fetched_at);
    let stored: Option<Vec<u8>> = conn
        .prepare_cached("SELECT content_hash FROM articles WHERE id = ?1")
        .and_then(|mut s| s.query_row([a.id.as_str()], |r| r.get(0)).optional())
        .map_err(query_err(what))?;
    let published = a.published_at.map(|t| ts(&t));
    let outcome = match stored {
        Some(h) if h.as_slice() == hash.as_slice() => {
            conn.prepare_cached(
                "UPDATE articles SET fetched_at = max(fetched_at, ?2) WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![a.id.as_str(), fetched]))
            .map_err(query_err(what))?;
            return Ok(UpsertOutcome::Unchanged);
        }
        Some(_) => UpsertOutcome::Updated,
        None => UpsertOutcome::New,
    };
    // New rows take first_seen_at = fetched_at; updated rows keep theirs.
    conn.prepare_cached(
        "INSERT INTO articles (id, source, tier, url, canonical_url, site, title, author, editor,
             published_at, date_source, body, fetched_at, first_seen_at, changed_at, content_hash,
             sort_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?13, ?14,
             coalesce(?10, ?13))
         ON CONFLICT (id) DO UPDATE SET
             sort_at = coalesce(excluded.published_at, articles.first_seen_at),
             tier = CASE WHEN articles.source = excluded.source
                         THEN excluded.tier ELSE articles.tier END,
             site = CASE WHEN articles.source = excluded.source
                         THEN excluded.site ELSE articles.site END,
             url = excluded.url, canonical_url = excluded.canonical_url,
             title = excluded.title, author = excluded.author, editor = excluded.editor,
             published_at = excluded.published_at, date_source = excluded.date_source,
             body = excluded.body, fetched_at = excluded.fetched_at,
             changed_at = excluded.changed_at, content_hash = excluded.content_hash",
    )
    .and_then(|mut s| {
        s.execute(params![
            a.id.as_str(),
            a.source,
            a.tier.as_str(),
            a.url,
            a.canonical_url,
            a.site,
            a.title,
            a.author,
            a.editor,
            published,
            a.date_source.as_str(),
            a.body,
            fetched,
            hash.as_slice(),
        ])
    })
    .map_err(query_err(what))?;
    Ok(outcome)
}

/// An `articles` row as stored, before its text columns are parsed.
struct RawArticle {
    id: String,
    source: String,
    tier: String,
    url: String,
    canonical_url: String,
    site: String,
    title: String,
    author: Option<String>,
    editor: Option<String>,
    published_at: Option<String>,
    date_source: String,
    body: String,
    fetched_at: String,
}

impl RawArticle {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawArticle> {
        Ok(RawArticle {
            id: r.get(0)?,
            source: r.get(1)?,
            tier: r.get(2)?,
            url: r.get(3)?,
            canonical_url: r.get(4)?,
            site: r.get(5)?,
            title: r.get(6)?,
            author: r.get(7)?,
            editor: r.get(8)?,
            published_at: r.get(9)?,
            date_source: r.get(10)?,
            body: r.get(11)?,
            fetched_at: r.get(12)?,
        })
    }

    fn into_article(self) -> Result<Article> {
        let row = format!("article {}", self.id);
        let corrupt = |column, value: &str| StoreError::Corrupt {
            row: row.clone(),
            column,
            value: value.to_string(),
        };
        let tier = Tier::parse(&self.tier).ok_or_else(|| corrupt("tier", &self.tier))?;
        let date_source = DateSource::parse(&self.date_source)
            .ok_or_else(|| corrupt("date_source", &self.date_source))?;
        let published_at = self
            .published_at
            .as_deref()
            .map(|s| parse_ts(&row, "published_at", s))
            .transpose()?;
        let fetched_at = parse_ts(&row, "fetched_at", &self.fetched_at)?;
        Ok(Article {
            id: ArticleId::from_raw(self.id),
            source: self.source,
            tier,
            url: self.url,
            canonical_url: self.canonical_url,
            site: self.site,
            title: self.title,
            author: self.author,
            editor: self.editor,
            published_at,
            date_source,
            body: self.body,
            fetched_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn fixed_width_times_read_back_exactly() {
        let t = Utc.with_ymd_and_hms(2020, 5, 12, 2, 30, 7).unwrap()
            + Duration::nanoseconds(123_456_789);
        assert_eq!(ts(&t), "2020-05-12T02:30:07.123456789Z");
        assert_eq!(parse_fixed_ts(&ts(&t)), Some(t));
        assert_eq!(parse_ts("x", "c", &ts(&t)).unwrap(), t);
        // Other RFC 3339 spellings take the general parser.
        assert_eq!(parse_fixed_ts("2020-05-12T10:30:07+08:00"), None);
        assert_eq!(
            parse_ts("x", "c", "2020-05-12T10:30:07+08:00").unwrap(),
            Utc.with_ymd_and_hms(2020, 5, 12, 2, 30, 7).unwrap()
        );
        assert_eq!(parse_fixed_ts("2020-13-12T02:30:07.123456789Z"), None);
        assert_eq!(parse_fixed_ts("2020-05-12T02:30:07.12345678xZ"), None);
        assert!(parse_ts("x", "c", "2020-13-12T02:30:07.123456789Z").is_err());
    }
}
