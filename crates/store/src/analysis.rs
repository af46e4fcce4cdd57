//! Analysis results (plan themes, sentiment, fingerprint, reprint cluster), theme rematch,
//! coverage by period, clusters and analysts' sentiment corrections (schema version 2).
//!
//! Tables, keyed by the article's stable integer `seq` (not its hash id, so that new rows
//! append instead of landing on random B-tree pages): `article_themes(article_seq, theme,
//! score, hits_json)`, `article_sentiment(article_seq, label, score, evidence_json)`,
//! `article_cluster(article_seq, article_id, cluster_id, cluster_seq, fingerprint,
//! published_at)` (one row per analysed article; the row marks it analysed) and
//! `sentiment_corrections(id, article_seq, label, user, at)`. Evidence is stored as the JSON
//! of the model records (`[TermHit]`, `[Evidence]`).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use yuqing_model::{
    Analysis, Article, ArticleId, Evidence, Sentiment, SentimentLabel, TermHit, ThemeMatch, Tier,
};

use crate::{
    RawArticle, Result, Store, StoreError, UpsertOutcome, parse_ts, query_err, ts, upsert,
};

/// Articles read per lock in [`Store::for_each_article`] (about 1 MB of 1.5 KB articles).
const STREAM_PAGE: usize = 512;

/// Coverage of one plan theme in a period, from [`Store::theme_counts`].
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeCoverage {
    /// Theme id (`s4`, `s4.i10`).
    pub theme: String,
    /// Articles matched to the theme whose sort time falls in the period.
    pub articles: u64,
    /// Distinct stories among them: distinct reprint cluster ids, an article without a
    /// cluster counting as its own story.
    pub stories: u64,
    /// Articles per media tier (tiers without articles are absent); the values sum to
    /// `articles`.
    pub by_tier: BTreeMap<Tier, u64>,
    /// The matched article with the latest sort time in the period (ties: the one stored
    /// last).
    pub latest: Option<LatestArticle>,
}

/// The newest article of a theme in a period (see [`ThemeCoverage::latest`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LatestArticle {
    /// Article id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Publish time, UTC; `None` for an undated article (its sort time is its first fetch).
    pub published_at: Option<DateTime<Utc>>,
    /// Sort time: `published_at`, else the first fetch time.
    pub sort_at: DateTime<Utc>,
}

/// One article of a reprint cluster, from [`Store::cluster_members`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterMember {
    /// Article id.
    pub id: ArticleId,
    /// Source id.
    pub source: String,
    /// Media tier of the source.
    pub tier: Tier,
    /// Headline.
    pub title: String,
    /// URL the article was fetched from.
    pub url: String,
    /// Publish time, UTC (`None` when undated).
    pub published_at: Option<DateTime<Utc>>,
}

/// A stored fingerprint, from [`Store::fingerprints`], to rebuild the in-memory LSH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFingerprint {
    /// Article id.
    pub id: ArticleId,
    /// 64-bit SimHash as given to [`Store::save_analysis`].
    pub fingerprint: u64,
    /// Reprint cluster id, when one was assigned.
    pub cluster: Option<ArticleId>,
    /// Publish time of the article, UTC (`None` when undated).
    pub published_at: Option<DateTime<Utc>>,
}

/// An analyst's sentiment correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The label the analyst chose.
    pub label: SentimentLabel,
    /// Who chose it (user name).
    pub user: String,
    /// When, UTC.
    pub at: DateTime<Utc>,
}

impl Correction {
    /// `sentiment` as [`Store::analysis`] reports it under this correction: the label is the
    /// analyst's, the score that label's pole (+1 positive, 0 neutral, -1 negative), the
    /// evidence the model's (empty when no model ran, `sentiment` = `None`).
    pub fn apply(&self, sentiment: Option<Sentiment>) -> Sentiment {
        let mut s = sentiment.unwrap_or_else(|| Sentiment {
            label: self.label,
            score: 0.0,
            evidence: Vec::new(),
        });
        s.label = self.label;
        s.score = corrected_score(self.label);
        s
    }
}

/// A corrected article as a training example, from [`Store::corrections`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectedArticle {
    /// Article id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Body text, paragraphs separated by `\n`.
    pub body: String,
    /// The latest correction of the article.
    pub correction: Correction,
}

/// What [`Store::replace_theme_matches`] changed: matches added and removed per theme.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThemeDiff {
    /// Theme id to number of articles that match it now and did not before.
    pub added: BTreeMap<String, u64>,
    /// Theme id to number of articles that matched it before and no longer do.
    pub removed: BTreeMap<String, u64>,
    /// Articles whose stored matches were rewritten (themes, scores or hits changed).
    pub rewritten: u64,
}

impl ThemeDiff {
    /// Adds another diff's counts to this one (for rematch runs in several batches).
    pub fn merge(&mut self, other: ThemeDiff) {
        for (theme, n) in other.added {
            *self.added.entry(theme).or_default() += n;
        }
        for (theme, n) in other.removed {
            *self.removed.entry(theme).or_default() += n;
        }
        self.rewritten += other.rewritten;
    }
}

/// A theme match as stored: `(theme, score, hits_json)`.
type ThemeRow = (String, f64, String);

fn encode<T: serde::Serialize + ?Sized>(v: &T, id: &ArticleId) -> Result<String> {
    serde_json::to_string(v).map_err(|source| StoreError::Encode {
        what: format!("saving the analysis of article {id}"),
        source,
    })
}

fn corrupt(id: &str, column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        row: format!("article {id}"),
        column,
        value: value.to_string(),
    }
}

fn parse_label(id: &str, column: &'static str, s: &str) -> Result<SentimentLabel> {
    SentimentLabel::parse(s).ok_or_else(|| corrupt(id, column, s))
}

fn parse_tier(id: &str, s: &str) -> Result<Tier> {
    Tier::parse(s).ok_or_else(|| corrupt(id, "tier", s))
}

fn opt_ts(id: &str, column: &'static str, s: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_ts(&format!("article {id}"), column, s))
        .transpose()
}

/// The theme rows of one match list, sorted by theme (the primary-key order).
fn theme_rows(id: &ArticleId, themes: &[ThemeMatch]) -> Result<Vec<ThemeRow>> {
    let mut rows = themes
        .iter()
        .map(|m| Ok((m.theme.clone(), f64::from(m.score), encode(&m.hits, id)?)))
        .collect::<Result<Vec<_>>>()?;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows)
}

/// The stable row number of article `id`, `None` when it is not stored.
fn seq_of(conn: &Connection, id: &ArticleId) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT seq FROM articles WHERE id = ?1")
        .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
        .map_err(query_err(|| format!("looking up article {id}")))
}

/// Replaces the theme rows of article `seq` (`id`, for messages) inside the caller's
/// transaction; `fresh` when the article was inserted in this transaction (nothing to delete).
fn write_themes(
    conn: &Connection,
    seq: i64,
    id: &ArticleId,
    rows: &[ThemeRow],
    fresh: bool,
) -> Result<()> {
    let what = || format!("saving the themes of article {id}");
    if !fresh {
        conn.prepare_cached("DELETE FROM article_themes WHERE article_seq = ?1")
            .and_then(|mut s| s.execute([seq]))
            .map_err(query_err(what))?;
    }
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO article_themes (article_seq, theme, score, hits_json)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(query_err(what))?;
    for (theme, score, hits) in rows {
        insert
            .execute(params![seq, theme, score, hits])
            .map_err(query_err(what))?;
    }
    Ok(())
}

/// An article just inserted in the current transaction: its seq and stored publish time.
struct Fresh {
    seq: i64,
    published_at: Option<String>,
}

/// Stores one article's analysis inside the caller's transaction. `fresh` is given when the
/// article row was inserted in this transaction (no lookup, no old rows to delete).
fn save_one(conn: &Connection, id: &ArticleId, a: &Analysis, fresh: Option<Fresh>) -> Result<()> {
    let what = || format!("saving the analysis of article {id}");
    let unknown = |id: &ArticleId| StoreError::UnknownArticle {
        what: what(),
        id: id.to_string(),
    };
    let is_fresh = fresh.is_some();
    let (seq, published): (i64, Option<String>) = match fresh {
        Some(f) => (f.seq, f.published_at),
        None => conn
            .prepare_cached("SELECT seq, published_at FROM articles WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(query_err(what))?
            .ok_or_else(|| unknown(id))?,
    };
    let cluster_seq = match &a.cluster {
        None => None,
        Some(c) if c == id => Some(seq),
        Some(c) => Some(seq_of(conn, c)?.ok_or_else(|| unknown(c))?),
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO article_cluster
             (article_seq, article_id, cluster_id, cluster_seq, fingerprint, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            seq,
            id.as_str(),
            a.cluster.as_ref().map(ArticleId::as_str),
            cluster_seq,
            // Bits kept as they are: u64 -> i64 two's complement, undone on read.
            a.fingerprint.map(|f| f as i64),
            published,
        ])
    })
    .map_err(query_err(what))?;
    write_themes(conn, seq, id, &theme_rows(id, &a.themes)?, is_fresh)?;
    match &a.sentiment {
        Some(s) => {
            let evidence = encode(&s.evidence, id)?;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO article_sentiment (article_seq, label, score, evidence_json)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| {
                st.execute(params![seq, s.label.as_str(), f64::from(s.score), evidence])
            })
            .map_err(query_err(what))?;
        }
        None if is_fresh => {}
        None => {
            conn.prepare_cached("DELETE FROM article_sentiment WHERE article_seq = ?1")
                .and_then(|mut st| st.execute([seq]))
                .map_err(query_err(what))?;
        }
    }
    Ok(())
}

fn read_theme_matches(conn: &Connection, seq: i64, id: &ArticleId) -> Result<Vec<ThemeMatch>> {
    let what = || format!("reading the themes of article {id}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT theme, score, hits_json FROM article_themes WHERE article_seq = ?1
             ORDER BY score DESC, theme",
        )
        .map_err(query_err(what))?;
    let rows = stmt
        .query_map([seq], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(query_err(what))?;
    rows.into_iter()
        .map(|(theme, score, hits)| {
            let hits: Vec<TermHit> = serde_json::from_str(&hits)
                .map_err(|_| corrupt(id.as_str(), "article_themes.hits_json", &hits))?;
            Ok(ThemeMatch {
                theme,
                score: score as f32,
                hits,
            })
        })
        .collect()
}

/// The sentiment the model gave article `seq` (`id` for messages), as stored: no correction
/// applied.
fn read_model_sentiment(conn: &Connection, seq: i64, id: &ArticleId) -> Result<Option<Sentiment>> {
    let what = || format!("reading the sentiment of article {id}");
    let row = conn
        .prepare_cached(
            "SELECT label, score, evidence_json FROM article_sentiment WHERE article_seq = ?1",
        )
        .and_then(|mut s| {
            s.query_row([seq], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .optional()
        })
        .map_err(query_err(what))?;
    row.map(|(label, score, evidence)| {
        Ok(Sentiment {
            label: parse_label(id.as_str(), "article_sentiment.label", &label)?,
            score: score as f32,
            evidence: serde_json::from_str::<Vec<Evidence>>(&evidence)
                .map_err(|_| corrupt(id.as_str(), "article_sentiment.evidence_json", &evidence))?,
        })
    })
    .transpose()
}

fn read_correction(conn: &Connection, seq: i64, id: &ArticleId) -> Result<Option<Correction>> {
    let what = || format!("reading the sentiment correction of article {id}");
    let row = conn
        .prepare_cached(
            "SELECT label, user, at FROM sentiment_corrections WHERE article_seq = ?1
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row([seq], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .optional()
        })
        .map_err(query_err(what))?;
    row.map(|(label, user, at)| {
        Ok(Correction {
            label: parse_label(id.as_str(), "sentiment_corrections.label", &label)?,
            user,
            at: parse_ts(&format!("article {id}"), "sentiment_corrections.at", &at)?,
        })
    })
    .transpose()
}

/// The score an analyst's label stands for: the pole of the scale (+1, 0, -1).
fn corrected_score(label: SentimentLabel) -> f32 {
    match label {
        SentimentLabel::Positive => 1.0,
        SentimentLabel::Neutral => 0.0,
        SentimentLabel::Negative => -1.0,
    }
}

impl Store {
    /// Stores the analysis of already stored articles, in one transaction (all or, on the
    /// first error, none). For each `(id, analysis)`, replaces the article's theme matches,
    /// its sentiment (deleted when `None`) and its fingerprint and cluster; analysts'
    /// corrections are kept (see [`Store::analysis`]). Pass e.g.
    /// `articles.iter().map(|a| &a.id).zip(&analyses)`.
    ///
    /// Errors: [`StoreError::UnknownArticle`] when an id, or a cluster id other than the
    /// article's own, is not stored (the cluster id is the story's first article, stored
    /// earlier or earlier in the batch); nothing is saved then. [`StoreError::Query`] naming
    /// the article (e.g. a NaN score, or a theme listed twice).
    pub fn save_analysis<'a>(
        &self,
        batch: impl IntoIterator<Item = (&'a ArticleId, &'a Analysis)>,
    ) -> Result<()> {
        let what = || "saving a batch of analyses".to_string();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(query_err(what))?;
        for (id, a) in batch {
            save_one(&tx, id, a, None)?;
        }
        tx.commit().map_err(query_err(what))
    }

    /// [`Store::upsert_articles`] and [`Store::save_analysis`] of each pair in one transaction:
    /// the pipeline's ingest write. Outcomes are in input order. The analysis is saved for
    /// new and updated articles; an unchanged article keeps its stored analysis (and the index
    /// document written when it last changed, which holds that analysis, stays true), so
    /// re-reading an unchanged page writes nothing but its fetch time.
    ///
    /// Errors: as the two calls; on any error nothing of the batch is stored.
    pub fn upsert_analyzed<'a>(
        &self,
        batch: impl IntoIterator<Item = (&'a Article, &'a Analysis)>,
    ) -> Result<Vec<UpsertOutcome>> {
        let what = || "storing a batch of analysed articles".to_string();
        let batch = batch.into_iter();
        let mut outcomes = Vec::with_capacity(batch.size_hint().0);
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(query_err(what))?;
        for (article, analysis) in batch {
            let outcome = upsert(&tx, article)?;
            if outcome == UpsertOutcome::Unchanged {
                outcomes.push(outcome);
                continue;
            }
            // A new row was just inserted: its seq is the last rowid (no lookup needed).
            let fresh = (outcome == UpsertOutcome::New).then(|| Fresh {
                seq: tx.last_insert_rowid(),
                published_at: article.published_at.as_ref().map(ts),
            });
            save_one(&tx, &article.id, analysis, fresh)?;
            outcomes.push(outcome);
        }
        tx.commit().map_err(query_err(what))?;
        Ok(outcomes)
    }

    /// The sentiment the model gave article `id`, with its evidence, as stored. Unlike
    /// [`Store::analysis`], which reports an analyst's correction (the corrected label, the
    /// score at its pole), this stays the model's own verdict under a correction. `None` for an
    /// unknown or unanalysed article.
    ///
    /// Errors: [`StoreError::Query`] / [`StoreError::Corrupt`] as for [`Store::analysis`].
    pub fn model_sentiment(&self, id: &ArticleId) -> Result<Option<Sentiment>> {
        let conn = self.lock();
        match seq_of(&conn, id)? {
            Some(seq) => read_model_sentiment(&conn, seq, id),
            None => Ok(None),
        }
    }

    /// The stored analysis of an article, or `None` when it was never analysed nor corrected.
    /// Themes are highest score first, ties by theme id.
    ///
    /// A correction overrides the model: when the article has one, `sentiment.label` is the
    /// latest correction's label and `sentiment.score` that label's pole (+1 positive, 0
    /// neutral, -1 negative: the analyst is certain), while `evidence` stays the model's (what
    /// it saw; empty when no model ran). [`Store::sentiment_correction`] tells whether and by
    /// whom an article was corrected.
    ///
    /// Errors: [`StoreError::Corrupt`] when stored evidence or a label cannot be read back.
    pub fn analysis(&self, id: &ArticleId) -> Result<Option<Analysis>> {
        let what = || format!("reading the analysis of article {id}");
        let conn = self.lock();
        let Some(seq) = seq_of(&conn, id)? else {
            return Ok(None);
        };
        let cluster = conn
            .prepare_cached(
                "SELECT cluster_id, fingerprint FROM article_cluster WHERE article_seq = ?1",
            )
            .and_then(|mut s| {
                s.query_row([seq], |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<i64>>(1)?))
                })
                .optional()
            })
            .map_err(query_err(what))?;
        let correction = read_correction(&conn, seq, id)?;
        if cluster.is_none() && correction.is_none() {
            return Ok(None);
        }
        let (cluster, fingerprint) = cluster.unwrap_or((None, None));
        let mut sentiment = read_model_sentiment(&conn, seq, id)?;
        if let Some(c) = correction {
            sentiment = Some(c.apply(sentiment));
        }
        Ok(Some(Analysis {
            themes: read_theme_matches(&conn, seq, id)?,
            sentiment,
            fingerprint: fingerprint.map(|f| f as u64),
            cluster: cluster.map(ArticleId::from_raw),
        }))
    }

    /// The article's stored theme matches, highest score first, ties by theme id; empty when
    /// none (or never analysed).
    ///
    /// Errors: [`StoreError::Corrupt`] when stored hits cannot be read back.
    pub fn theme_matches(&self, id: &ArticleId) -> Result<Vec<ThemeMatch>> {
        let conn = self.lock();
        match seq_of(&conn, id)? {
            Some(seq) => read_theme_matches(&conn, seq, id),
            None => Ok(Vec::new()),
        }
    }

    /// Calls `f` on every stored article, in storage (insertion) order, `batch` articles at
    /// a time (at least 1), holding at most one batch in memory. The lock is released while
    /// `f` runs, so `f` may call the store (e.g. [`Store::replace_theme_matches`]); articles
    /// stored meanwhile may or may not be seen, none is seen twice. Stops at `f`'s first error.
    ///
    /// Errors: `f`'s error, or a [`StoreError`] (converted into `E`) when reading fails or a
    /// row is corrupt.
    pub fn for_each_article_batch<E, F>(&self, batch: usize, mut f: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Article]) -> Result<(), E>,
    {
        let batch = batch.max(1);
        let limit = i64::try_from(batch).unwrap_or(i64::MAX);
        let mut after = i64::MIN;
        let mut page: Vec<Article> = Vec::with_capacity(batch);
        loop {
            page.clear();
            {
                let what = || "streaming stored articles".to_string();
                let conn = self.lock();
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT id, source, tier, url, canonical_url, site, title, author, editor,
                                published_at, date_source, body, fetched_at, seq
                         FROM articles WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )
                    .map_err(query_err(what))?;
                let mut rows = stmt.query(params![after, limit]).map_err(query_err(what))?;
                while let Some(r) = rows.next().map_err(query_err(what))? {
                    let raw = RawArticle::from_row(r).map_err(query_err(what))?;
                    after = r.get(13).map_err(query_err(what))?;
                    page.push(raw.into_article()?);
                }
            }
            if page.is_empty() {
                return Ok(());
            }
            f(&page)?;
            if page.len() < batch {
                return Ok(());
            }
        }
    }

    /// [`Store::for_each_article_batch`] one article at a time (pages of 512 articles).
    ///
    /// ```
    /// # use yuqing_store::{Store, StoreError};
    /// let store = Store::open_in_memory()?;
    /// let mut n = 0;
    /// store.for_each_article(|_article| {
    ///     n += 1;
    ///     Ok::<(), StoreError>(())
    /// })?;
    /// assert_eq!(n, 0);
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn for_each_article<E, F>(&self, mut f: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&Article) -> Result<(), E>,
    {
        self.for_each_article_batch(STREAM_PAGE, |page| page.iter().try_for_each(&mut f))
    }

    /// Every stored theme match as `article id -> [(theme, score)]`, themes in id order
    /// (articles without matches are absent): the "before" of a rematch.
    pub fn theme_ids_by_article(&self) -> Result<HashMap<ArticleId, Vec<(String, f32)>>> {
        let what = || "reading all theme matches".to_string();
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT c.article_id, t.theme, t.score
                 FROM article_themes t JOIN article_cluster c ON c.article_seq = t.article_seq
                 ORDER BY t.article_seq, t.theme",
            )
            .map_err(query_err(what))?;
        let mut rows = stmt.query([]).map_err(query_err(what))?;
        let mut out: HashMap<ArticleId, Vec<(String, f32)>> = HashMap::new();
        let mut current: Option<(String, Vec<(String, f32)>)> = None;
        while let Some(r) = rows.next().map_err(query_err(what))? {
            let id = r.get_ref(0).and_then(|v| Ok(v.as_str()?));
            let id = id.map_err(query_err(what))?;
            let theme: String = r.get(1).map_err(query_err(what))?;
            let score = r.get::<_, f64>(2).map_err(query_err(what))? as f32;
            // Rows come in primary-key order, so an article's themes are adjacent.
            match &mut current {
                Some((cur, themes)) if cur == id => themes.push((theme, score)),
                _ => {
                    if let Some((cur, themes)) = current.take() {
                        out.insert(ArticleId::from_raw(cur), themes);
                    }
                    current = Some((id.to_string(), vec![(theme, score)]));
                }
            }
        }
        if let Some((cur, themes)) = current {
            out.insert(ArticleId::from_raw(cur), themes);
        }
        Ok(out)
    }

    /// Replaces the theme matches of each article (sentiment and cluster untouched), in one
    /// transaction, and returns what changed per theme. An article whose themes, scores and
    /// hits are unchanged is not rewritten. For `themes rematch`: stream the articles with
    /// [`Store::for_each_article_batch`], match, and call this per batch; merge the diffs
    /// with [`ThemeDiff::merge`].
    ///
    /// Errors: [`StoreError::UnknownArticle`] when an article with new matches is not stored
    /// (nothing of the batch is saved).
    pub fn replace_theme_matches<'a>(
        &self,
        batch: impl IntoIterator<Item = (&'a ArticleId, &'a [ThemeMatch])>,
    ) -> Result<ThemeDiff> {
        let what = || "replacing a batch of theme matches".to_string();
        let mut diff = ThemeDiff::default();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(query_err(what))?;
        for (id, themes) in batch {
            let Some(seq) = seq_of(&tx, id)? else {
                if themes.is_empty() {
                    continue;
                }
                return Err(StoreError::UnknownArticle {
                    what: format!("replacing the themes of article {id}"),
                    id: id.to_string(),
                });
            };
            let new = theme_rows(id, themes)?;
            let old: Vec<ThemeRow> = tx
                .prepare_cached(
                    "SELECT theme, score, hits_json FROM article_themes WHERE article_seq = ?1
                     ORDER BY theme",
                )
                .and_then(|mut s| {
                    s.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect()
                })
                .map_err(query_err(|| format!("reading the themes of article {id}")))?;
            if old == new {
                continue;
            }
            let old_ids: HashSet<&str> = old.iter().map(|r| r.0.as_str()).collect();
            let new_ids: HashSet<&str> = new.iter().map(|r| r.0.as_str()).collect();
            for t in new_ids.difference(&old_ids) {
                *diff.added.entry((*t).to_string()).or_default() += 1;
            }
            for t in old_ids.difference(&new_ids) {
                *diff.removed.entry((*t).to_string()).or_default() += 1;
            }
            diff.rewritten += 1;
            // Theme rows need the article's analysis row (it carries the id for
            // theme_ids_by_article); an article never analysed gets an empty one.
            tx.prepare_cached(
                "INSERT OR IGNORE INTO article_cluster (article_seq, article_id, published_at)
                 SELECT seq, id, published_at FROM articles WHERE seq = ?1",
            )
            .and_then(|mut s| s.execute([seq]))
            .map_err(query_err(|| {
                format!("replacing the themes of article {id}")
            }))?;
            write_themes(&tx, seq, id, &new, false)?;
        }
        tx.commit().map_err(query_err(what))?;
        Ok(diff)
    }

    /// Coverage per theme of the articles whose sort time (`published_at`, else the first
    /// fetch) falls in `[from, to)`: article count, distinct stories, articles per tier and
    /// the latest article. Sorted by theme id (text order: `s10` before `s2`); themes with no
    /// article in the period are absent (the caller, knowing the plan, marks them as gaps).
    ///
    /// Distinct stories are counted by the cluster's stored article (an article whose
    /// cluster article is no longer stored counts as its own story).
    ///
    /// Cost: one range scan of the covering index `articles_sort_at` (no article row is
    /// read) joined to the theme and cluster rows by primary key, then one lookup per theme.
    pub fn theme_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ThemeCoverage>> {
        #[derive(Default)]
        struct Acc {
            articles: u64,
            stories: HashSet<i64>,
            by_tier: BTreeMap<Tier, u64>,
            latest: Option<(String, i64)>, // (sort_at, seq)
        }
        let what = || format!("counting theme coverage from {from} to {to}");
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT t.theme, a.seq, a.tier, a.sort_at, c.cluster_seq
                 FROM articles a INDEXED BY articles_sort_at
                 CROSS JOIN article_themes t ON t.article_seq = a.seq
                 LEFT JOIN article_cluster c ON c.article_seq = a.seq
                 WHERE a.sort_at >= ?1 AND a.sort_at < ?2",
            )
            .map_err(query_err(what))?;
        let mut rows = stmt
            .query(params![ts(&from), ts(&to)])
            .map_err(query_err(what))?;
        let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
        while let Some(r) = rows.next().map_err(query_err(what))? {
            let text = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?));
            let theme = text(0).map_err(query_err(what))?;
            let seq: i64 = r.get(1).map_err(query_err(what))?;
            let tier = text(2).map_err(query_err(what))?;
            let tier = Tier::parse(tier).ok_or_else(|| StoreError::Corrupt {
                row: format!("article number {seq}"),
                column: "tier",
                value: tier.to_string(),
            })?;
            let sort_at = text(3).map_err(query_err(what))?;
            let cluster: Option<i64> = r.get(4).map_err(query_err(what))?;
            let a = match acc.get_mut(theme) {
                Some(a) => a,
                None => acc.entry(theme.to_string()).or_default(),
            };
            a.articles += 1;
            a.stories.insert(cluster.unwrap_or(seq));
            *a.by_tier.entry(tier).or_default() += 1;
            let newer = match &a.latest {
                None => true,
                Some((s, q)) => (sort_at, seq) > (s.as_str(), *q),
            };
            if newer {
                a.latest = Some((sort_at.to_string(), seq));
            }
        }
        drop(rows);
        let mut latest = conn
            .prepare_cached("SELECT id, title, published_at, sort_at FROM articles WHERE seq = ?1")
            .map_err(query_err(what))?;
        let mut out = Vec::with_capacity(acc.len());
        for (theme, a) in acc {
            let latest = match a.latest {
                None => None,
                Some((_, seq)) => {
                    let row = latest
                        .query_row([seq], |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, Option<String>>(2)?,
                                r.get::<_, String>(3)?,
                            ))
                        })
                        .map_err(query_err(|| format!("reading article number {seq}")))?;
                    let (id, title, published, sort_at) = row;
                    Some(LatestArticle {
                        published_at: opt_ts(&id, "published_at", published.as_deref())?,
                        sort_at: parse_ts(&format!("article {id}"), "sort_at", &sort_at)?,
                        id: ArticleId::from_raw(id),
                        title,
                    })
                }
            };
            out.push(ThemeCoverage {
                theme,
                articles: a.articles,
                stories: a.stories.len() as u64,
                by_tier: a.by_tier,
                latest,
            });
        }
        Ok(out)
    }

    /// Every stored fingerprint with its cluster id and publish time, in article id order,
    /// to rebuild the in-memory LSH at startup. Articles analysed without a fingerprint are
    /// left out. Reads only the narrow `article_cluster` table (publish times are copied
    /// there on save and kept in step by a trigger when a re-crawl changes them).
    pub fn fingerprints(&self) -> Result<Vec<StoredFingerprint>> {
        let what = || "reading all fingerprints".to_string();
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT article_id, fingerprint, cluster_id, published_at FROM article_cluster
                 WHERE fingerprint IS NOT NULL",
            )
            .map_err(query_err(what))?;
        let mut rows = stmt.query([]).map_err(query_err(what))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(query_err(what))? {
            let id: String = r.get(0).map_err(query_err(what))?;
            let fp: i64 = r.get(1).map_err(query_err(what))?;
            let cluster: Option<String> = r.get(2).map_err(query_err(what))?;
            let published = r
                .get_ref(3)
                .and_then(|v| Ok(v.as_str_or_null()?))
                .map_err(query_err(what))?;
            out.push(StoredFingerprint {
                published_at: opt_ts(&id, "article_cluster.published_at", published)?,
                id: ArticleId::from_raw(id),
                fingerprint: fp as u64,
                cluster: cluster.map(ArticleId::from_raw),
            });
        }
        Ok(out)
    }

    /// The articles of reprint cluster `cluster`, oldest first by sort time (`published_at`,
    /// else the first fetch), ties by id; the first is the original. Empty for an unknown
    /// cluster.
    pub fn cluster_members(&self, cluster: &ArticleId) -> Result<Vec<ClusterMember>> {
        let what = || format!("reading the members of cluster {cluster}");
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT a.id, a.source, a.tier, a.title, a.url, a.published_at
                 FROM article_cluster c JOIN articles a ON a.seq = c.article_seq
                 WHERE c.cluster_seq = (SELECT seq FROM articles WHERE id = ?1)
                 ORDER BY a.sort_at, a.id",
            )
            .map_err(query_err(what))?;
        let rows = stmt
            .query_map([cluster.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(query_err(what))?;
        rows.into_iter()
            .map(|(id, source, tier, title, url, published)| {
                Ok(ClusterMember {
                    tier: parse_tier(&id, &tier)?,
                    published_at: opt_ts(&id, "published_at", published.as_deref())?,
                    id: ArticleId::from_raw(id),
                    source,
                    title,
                    url,
                })
            })
            .collect()
    }

    /// Number of articles in reprint cluster `cluster` (0 for an unknown cluster); the
    /// reprint count is this minus one.
    pub fn cluster_size(&self, cluster: &ArticleId) -> Result<u64> {
        let conn = self.lock();
        conn.prepare_cached(
            "SELECT count(*) FROM article_cluster
             WHERE cluster_seq = (SELECT seq FROM articles WHERE id = ?1)",
        )
        .and_then(|mut s| s.query_row([cluster.as_str()], |r| r.get::<_, i64>(0)))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(query_err(|| format!("counting cluster {cluster}")))
    }

    /// Records an analyst's sentiment correction of article `id`. Corrections are kept as a
    /// history; the latest (by `at`, then by recording order) is the one that counts in
    /// [`Store::analysis`] and [`Store::corrections`]. A later model run does not remove it.
    ///
    /// Errors: [`StoreError::UnknownArticle`] when the article is not stored.
    pub fn record_correction(
        &self,
        id: &ArticleId,
        label: SentimentLabel,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let what = || format!("recording the sentiment correction of article {id} by {user}");
        let conn = self.lock();
        let written = conn
            .prepare_cached(
                "INSERT INTO sentiment_corrections (article_seq, label, user, at)
                 SELECT seq, ?2, ?3, ?4 FROM articles WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id.as_str(), label.as_str(), user, ts(&at)]))
            .map_err(query_err(what))?;
        if written == 0 {
            return Err(StoreError::UnknownArticle {
                what: what(),
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// The latest sentiment correction of article `id`, if an analyst made one.
    pub fn sentiment_correction(&self, id: &ArticleId) -> Result<Option<Correction>> {
        let conn = self.lock();
        match seq_of(&conn, id)? {
            Some(seq) => read_correction(&conn, seq, id),
            None => Ok(None),
        }
    }

    /// Every corrected article with its text and latest correction, oldest correction
    /// first: the analysts' labels for the next sentiment training.
    pub fn corrections(&self) -> Result<Vec<CorrectedArticle>> {
        let what = || "reading sentiment corrections".to_string();
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT a.id, a.title, a.body, c.label, c.user, c.at
                 FROM sentiment_corrections c JOIN articles a ON a.seq = c.article_seq
                 WHERE c.id = (SELECT l.id FROM sentiment_corrections l
                               WHERE l.article_seq = c.article_seq
                               ORDER BY l.at DESC, l.id DESC LIMIT 1)
                 ORDER BY c.at, c.id",
            )
            .map_err(query_err(what))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(query_err(what))?;
        rows.into_iter()
            .map(|(id, title, body, label, user, at)| {
                Ok(CorrectedArticle {
                    correction: Correction {
                        label: parse_label(&id, "sentiment_corrections.label", &label)?,
                        user,
                        at: parse_ts(&format!("article {id}"), "sentiment_corrections.at", &at)?,
                    },
                    id: ArticleId::from_raw(id),
                    title,
                    body,
                })
            })
            .collect()
    }
}
