//! Negative stories for the alert digest, and the record of which stories each recipient was
//! sent (schema version 3).
//!
//! A story is a reprint cluster: the articles whose `article_cluster.cluster_seq` is the
//! story's first article (an article without a cluster is a story of its own). Table
//! `deliveries(recipient, cluster_id, message_id, state, created_at, sent_at)`, one row per
//! recipient and story, is the alert's exactly-once state machine: a row is written
//! `pending` with the digest's Message-ID before the digest is sent, and turned `sent` after.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use yuqing_model::{ArticleId, Evidence, SentimentLabel, Tier};

use crate::{Result, Store, StoreError, parse_ts, query_err, ts};

/// A story (reprint cluster) described by one representative article, from
/// [`Store::negative_stories_since`] and [`Store::stories`]. The representative is the
/// story's most negative article (lowest effective score, ties: the earliest stored), or
/// its first article when no member has a sentiment: title, source, site, tier, URL, time,
/// score, label and evidence are all that one article's, so a digest entry never mixes
/// two articles. `id`, `articles` and `themes` cover the whole cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct NegativeStory {
    /// Story id: the id of the cluster's first stored article (the `cluster` of
    /// [`yuqing_model::Analysis`]), or of the article itself when it has no cluster.
    pub id: ArticleId,
    /// Headline of the representative article.
    pub title: String,
    /// Source id of the representative article.
    pub source: String,
    /// Site name of the representative article (e.g. `国家邮政局`).
    pub site: String,
    /// Media tier of the representative article.
    pub tier: Tier,
    /// URL of the representative article.
    pub url: String,
    /// Time of the representative article, UTC: its publish time, else its first fetch.
    pub time: DateTime<Utc>,
    /// Articles in the story (the first article and its reprints), at least 1.
    pub articles: u64,
    /// The representative's effective sentiment score (the lowest among the story's
    /// articles), in [-1, 1] (an analyst's correction counts as its label's pole: -1
    /// negative, 0 neutral, +1 positive); 0 when no member has a sentiment.
    pub score: f32,
    /// Effective label of the representative article.
    pub label: SentimentLabel,
    /// The model's evidence for the representative article (strongest first; empty when only an analyst
    /// labelled it).
    pub evidence: Vec<Evidence>,
    /// True when `label` is an analyst's correction rather than the model's verdict (the
    /// evidence is then the model's, which may not explain the label).
    pub corrected: bool,
    /// Plan themes matched by any article of the story, with the highest score among them,
    /// highest first (ties by theme id).
    pub themes: Vec<(String, f32)>,
}

/// One digest recorded as pending and not yet marked sent, from [`Store::pending_deliveries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDigest {
    /// The digest's Message-ID (without angle brackets, as given to [`Store::record_pending`]).
    pub message_id: String,
    /// Its stories, in id order.
    pub stories: Vec<ArticleId>,
    /// When it was recorded, UTC.
    pub created_at: DateTime<Utc>,
}

/// Effective `(label, score)` of an article: the latest correction's label and pole, else the
/// model's. `None` when neither exists.
fn effective(
    model: Option<(String, f64)>,
    corrected: Option<String>,
    row: &str,
) -> Result<Option<(SentimentLabel, f32)>> {
    let bad = |column: &'static str, value: &str| StoreError::Corrupt {
        row: row.to_string(),
        column,
        value: value.to_string(),
    };
    if let Some(c) = corrected {
        let label =
            SentimentLabel::parse(&c).ok_or_else(|| bad("sentiment_corrections.label", &c))?;
        let pole = match label {
            SentimentLabel::Positive => 1.0,
            SentimentLabel::Neutral => 0.0,
            SentimentLabel::Negative => -1.0,
        };
        return Ok(Some((label, pole)));
    }
    model
        .map(|(l, s)| {
            let label =
                SentimentLabel::parse(&l).ok_or_else(|| bad("article_sentiment.label", &l))?;
            Ok((label, s as f32))
        })
        .transpose()
}

/// The latest correction's label of article `a.seq`, as an SQL expression.
const CORRECTED: &str = "(SELECT label FROM sentiment_corrections sc WHERE sc.article_seq = a.seq
                           ORDER BY sc.at DESC, sc.id DESC LIMIT 1)";

/// Reads story `story_seq` (its first article's seq): members, the representative (the most
/// negative member, else the head) with its fields and sentiment, themes. `None` when the head article is not stored.
fn read_story(conn: &Connection, story_seq: i64) -> Result<Option<NegativeStory>> {
    let what = || format!("reading story of article seq {story_seq}");
    // Members: the head and every article clustered under it.
    let sql = format!(
        "SELECT a.seq, a.id, s.label, s.score, s.evidence_json, {CORRECTED}
         FROM articles a LEFT JOIN article_sentiment s ON s.article_seq = a.seq
         WHERE a.seq = ?1
            OR a.seq IN (SELECT article_seq FROM article_cluster WHERE cluster_seq = ?1)
         ORDER BY a.seq"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(query_err(what))?;
    let mut rows = stmt.query([story_seq]).map_err(query_err(what))?;
    let mut articles = 0u64;
    let mut seqs = Vec::new();
    let mut head_id: Option<String> = None;
    // (score, label, evidence json, member id, member seq, corrected)
    let mut worst: Option<(f32, SentimentLabel, Option<String>, String, i64, bool)> = None;
    while let Some(r) = rows.next().map_err(query_err(what))? {
        articles += 1;
        let seq: i64 = r.get(0).map_err(query_err(what))?;
        seqs.push(seq);
        let member: String = r.get(1).map_err(query_err(what))?;
        if seq == story_seq {
            head_id = Some(member.clone());
        }
        let label: Option<String> = r.get(2).map_err(query_err(what))?;
        let score: Option<f64> = r.get(3).map_err(query_err(what))?;
        let evidence: Option<String> = r.get(4).map_err(query_err(what))?;
        let corrected: Option<String> = r.get(5).map_err(query_err(what))?;
        let model = label.zip(score);
        let is_corrected = corrected.is_some();
        let Some((label, score)) = effective(model, corrected, &format!("article {member}"))?
        else {
            continue;
        };
        // Lowest score wins; ties keep the first (seq order is insertion order).
        if worst.as_ref().is_none_or(|w| score < w.0) {
            worst = Some((score, label, evidence, member, seq, is_corrected));
        }
    }
    drop(rows);
    let Some(id) = head_id else {
        return Ok(None);
    };
    // The representative: the most negative member, else (no sentiment at all) the head.
    // Title, link, site and time are that article's, so one digest entry describes one
    // article (issue 5: a reprint's title was shown with an older member's score).
    let (score, label, evidence, rep_seq, corrected) = match worst {
        Some((score, label, evidence, member, seq, corrected)) => {
            let evidence = match evidence {
                Some(json) => serde_json::from_str::<Vec<Evidence>>(&json).map_err(|_| {
                    StoreError::Corrupt {
                        row: format!("article {member}"),
                        column: "article_sentiment.evidence_json",
                        value: json,
                    }
                })?,
                None => Vec::new(),
            };
            (score, label, evidence, seq, corrected)
        }
        None => (0.0, SentimentLabel::Neutral, Vec::new(), story_seq, false),
    };
    let rep = conn
        .prepare_cached(
            "SELECT id, title, source, site, tier, url, sort_at FROM articles WHERE seq = ?1",
        )
        .and_then(|mut s| {
            s.query_row([rep_seq], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .optional()
        })
        .map_err(query_err(what))?;
    let Some((rep_id, title, source, site, tier, url, sort_at)) = rep else {
        return Ok(None);
    };
    let row = format!("article {rep_id}");
    let tier = Tier::parse(&tier).ok_or_else(|| StoreError::Corrupt {
        row: row.clone(),
        column: "tier",
        value: tier.clone(),
    })?;
    let time = parse_ts(&row, "sort_at", &sort_at)?;
    let mut themes: BTreeMap<String, f32> = BTreeMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT theme, score FROM article_themes WHERE article_seq = ?1")
        .map_err(query_err(what))?;
    for seq in seqs {
        let rows = stmt
            .query_map([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(query_err(what))?;
        for (theme, s) in rows {
            let s = s as f32;
            let e = themes.entry(theme).or_insert(s);
            *e = e.max(s);
        }
    }
    let mut themes: Vec<(String, f32)> = themes.into_iter().collect();
    themes.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Some(NegativeStory {
        id: ArticleId::from_raw(id),
        title,
        source,
        site,
        tier,
        url,
        time,
        articles,
        score,
        label,
        evidence,
        corrected,
        themes,
    }))
}

impl Store {
    /// The stories (reprint clusters) with at least one article first fetched at or after
    /// `since` whose effective sentiment (an analyst's latest correction, else the model's)
    /// is negative with score ≤ `max_score` (e.g. `-0.3`). Each story is read whole: all its
    /// articles count in [`NegativeStory::articles`] and [`NegativeStory::themes`], and its
    /// score is its most negative article's. Sorted by story time, then id.
    ///
    /// Cost: a range scan of the index `articles_first_seen` (migration 3) over the window,
    /// then a few primary-key and `article_cluster_cluster` lookups per negative story.
    ///
    /// Errors: [`StoreError::Query`]; [`StoreError::Corrupt`] for an unreadable label, tier,
    /// time or evidence.
    pub fn negative_stories_since(
        &self,
        since: DateTime<Utc>,
        max_score: f32,
    ) -> Result<Vec<NegativeStory>> {
        let what = || format!("finding negative stories first seen since {since}");
        let conn = self.lock();
        let sql = format!(
            "SELECT a.id, coalesce(c.cluster_seq, a.seq), s.label, s.score, {CORRECTED}
             FROM articles a INDEXED BY articles_first_seen
             LEFT JOIN article_cluster c ON c.article_seq = a.seq
             LEFT JOIN article_sentiment s ON s.article_seq = a.seq
             WHERE a.first_seen_at >= ?1"
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(query_err(what))?;
        let mut rows = stmt.query([ts(&since)]).map_err(query_err(what))?;
        let mut story_seqs = Vec::new();
        while let Some(r) = rows.next().map_err(query_err(what))? {
            let id: String = r.get(0).map_err(query_err(what))?;
            let story: i64 = r.get(1).map_err(query_err(what))?;
            let model = r
                .get::<_, Option<String>>(2)
                .map_err(query_err(what))?
                .zip(r.get::<_, Option<f64>>(3).map_err(query_err(what))?);
            let corrected: Option<String> = r.get(4).map_err(query_err(what))?;
            if let Some((SentimentLabel::Negative, score)) =
                effective(model, corrected, &format!("article {id}"))?
                && score <= max_score
            {
                story_seqs.push(story);
            }
        }
        drop(rows);
        drop(stmt);
        story_seqs.sort_unstable();
        story_seqs.dedup();
        let mut out = Vec::with_capacity(story_seqs.len());
        for seq in story_seqs {
            if let Some(story) = read_story(&conn, seq)? {
                out.push(story);
            }
        }
        out.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The stories with the given ids (story ids as in [`NegativeStory::id`]), in the order
    /// given, whatever their sentiment now (a story no article of which has a sentiment has
    /// score 0, label neutral). Ids not stored are skipped.
    ///
    /// Errors: as [`Store::negative_stories_since`].
    pub fn stories(&self, ids: &[ArticleId]) -> Result<Vec<NegativeStory>> {
        let conn = self.lock();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let what = || format!("looking up story {id}");
            let seq: Option<i64> = conn
                .prepare_cached("SELECT seq FROM articles WHERE id = ?1")
                .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
                .map_err(query_err(what))?;
            if let Some(seq) = seq
                && let Some(story) = read_story(&conn, seq)?
            {
                out.push(story);
            }
        }
        Ok(out)
    }

    /// Of `stories`, those never recorded (pending or sent) for `recipient`, in the order given.
    ///
    /// Errors: [`StoreError::Query`].
    pub fn undelivered(&self, recipient: &str, stories: &[ArticleId]) -> Result<Vec<ArticleId>> {
        let what = || format!("reading deliveries to {recipient}");
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT 1 FROM deliveries WHERE recipient = ?1 AND cluster_id = ?2")
            .map_err(query_err(what))?;
        let mut out = Vec::new();
        for id in stories {
            let known = stmt
                .query_row(params![recipient, id.as_str()], |_| Ok(()))
                .optional()
                .map_err(query_err(what))?;
            if known.is_none() {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    /// When the latest digest for `recipient` was recorded (pending or sent), UTC; `None`
    /// before the first.
    ///
    /// Errors: [`StoreError::Query`], [`StoreError::Corrupt`].
    pub fn last_digest_at(&self, recipient: &str) -> Result<Option<DateTime<Utc>>> {
        let what = || format!("reading deliveries to {recipient}");
        let conn = self.lock();
        let at: Option<String> = conn
            .prepare_cached("SELECT max(created_at) FROM deliveries WHERE recipient = ?1")
            .and_then(|mut s| s.query_row([recipient], |r| r.get(0)))
            .map_err(query_err(what))?;
        at.map(|at| parse_ts(&format!("deliveries to {recipient}"), "created_at", &at))
            .transpose()
    }

    /// Records, in one transaction, that the digest `message_id` to `recipient` carries
    /// `stories`, each as `pending` at `at`: the step before sending.
    ///
    /// Errors: [`StoreError::Query`], also when a story is already recorded for the
    /// recipient (e.g. another run raced this one); nothing is recorded then.
    pub fn record_pending(
        &self,
        recipient: &str,
        message_id: &str,
        stories: &[ArticleId],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let what = || format!("recording digest {message_id} to {recipient} as pending");
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(query_err(what))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO deliveries (recipient, cluster_id, message_id, state, created_at)
                     VALUES (?1, ?2, ?3, 'pending', ?4)",
                )
                .map_err(query_err(what))?;
            let at = ts(&at);
            for id in stories {
                insert
                    .execute(params![recipient, id.as_str(), message_id, at])
                    .map_err(query_err(|| {
                        format!("recording story {id} of digest {message_id} to {recipient}")
                    }))?;
            }
        }
        tx.commit().map_err(query_err(what))
    }

    /// Marks the pending stories of digest `message_id` to `recipient` as sent at `at`;
    /// returns how many rows changed (0 when already marked).
    ///
    /// Errors: [`StoreError::Query`].
    pub fn mark_sent(&self, recipient: &str, message_id: &str, at: DateTime<Utc>) -> Result<u64> {
        let what = || format!("marking digest {message_id} to {recipient} as sent");
        let conn = self.lock();
        let n = conn
            .prepare_cached(
                "UPDATE deliveries SET state = 'sent', sent_at = ?3
                 WHERE recipient = ?1 AND message_id = ?2 AND state = 'pending'",
            )
            .and_then(|mut s| s.execute(params![recipient, message_id, ts(&at)]))
            .map_err(query_err(what))?;
        Ok(n as u64)
    }

    /// The digests to `recipient` recorded pending and never marked sent, oldest first (ties
    /// by Message-ID), each with its stories in id order.
    ///
    /// Errors: [`StoreError::Query`], [`StoreError::Corrupt`].
    pub fn pending_deliveries(&self, recipient: &str) -> Result<Vec<PendingDigest>> {
        let what = || format!("reading pending deliveries to {recipient}");
        let conn = self.lock();
        let rows: Vec<(String, String, String)> = conn
            .prepare_cached(
                "SELECT message_id, cluster_id, created_at FROM deliveries
                 WHERE recipient = ?1 AND state = 'pending'
                 ORDER BY created_at, message_id, cluster_id",
            )
            .and_then(|mut s| {
                s.query_map([recipient], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(query_err(what))?;
        let mut out: Vec<PendingDigest> = Vec::new();
        for (message_id, story, created) in rows {
            match out.last_mut() {
                Some(d) if d.message_id == message_id => d.stories.push(ArticleId::from_raw(story)),
                _ => out.push(PendingDigest {
                    created_at: parse_ts(
                        &format!("delivery of {story} to {recipient}"),
                        "created_at",
                        &created,
                    )?,
                    message_id,
                    stories: vec![ArticleId::from_raw(story)],
                }),
            }
        }
        Ok(out)
    }
}
