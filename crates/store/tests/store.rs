//! The store on real SQLite files in a temporary directory.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use yuqing_model::{Article, ArticleId, DateSource, Tier, Validators};
use yuqing_store::{
    Counts, DB_FILE_NAME, SCHEMA_VERSION, SourceResult, Store, StoreError, StoredHead,
    UpsertOutcome, content_hash,
};

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 5, 12, h, m, 0).unwrap()
}

fn article(n: u32) -> Article {
    let url = format!("https://www.spb.gov.cn/gjyzj/c100015/c100016/{n}.shtml");
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: "spb-news".into(),
        tier: Tier::Industry,
        canonical_url: url.clone(),
        url: format!("{url}?from=rss"),
        site: "国家邮政局".into(),
        title: format!("快递进村工程第{n}批试点"),
        author: Some("张三".into()),
        editor: Some("李四".into()),
        // Sub-second precision survives the round trip.
        published_at: Some(t(2, 30) + Duration::nanoseconds(123_456_789)),
        date_source: DateSource::Meta,
        body: "国家邮政局召开会议，部署快递进村工作。\n第二段。".into(),
        fetched_at: t(3, 0),
    }
}

fn db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    (dir, path)
}

#[test]
fn open_twice_migrates_once_and_keeps_data_in_wal_mode() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.upsert_article(&article(1)).unwrap(),
        UpsertOutcome::New
    );
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.article_count().unwrap(), 1);
    assert_eq!(store.article(&article(1).id).unwrap(), Some(article(1)));
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused() {
    let (_dir, path) = db();
    drop(Store::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(raw);
    match Store::open(&path) {
        Err(StoreError::TooNew {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn open_in_a_missing_directory_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir").join(DB_FILE_NAME);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("no/such/dir"), "{err}");
}

#[test]
fn validators_round_trip_and_update_partially() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    let url = "https://www.chinanews.com.cn/rss/scroll-news.xml";
    assert!(store.validators(url).unwrap().is_empty());

    let both = Validators {
        etag: Some("W/\"5f3a\"".into()),
        last_modified: Some("Tue, 12 May 2020 02:30:00 GMT".into()),
    };
    store.set_validators(url, &both).unwrap();
    assert_eq!(store.validators(url).unwrap(), both);
    assert!(
        store
            .validators("https://other.example.cn/")
            .unwrap()
            .is_empty()
    );

    // A response carrying only a new ETag keeps the stored Last-Modified.
    let etag_only = Validators {
        etag: Some("\"6001\"".into()),
        last_modified: None,
    };
    store.set_validators(url, &etag_only).unwrap();
    assert_eq!(
        store.validators(url).unwrap(),
        Validators {
            etag: Some("\"6001\"".into()),
            last_modified: both.last_modified.clone()
        }
    );

    store.clear_validators(url).unwrap();
    assert!(store.validators(url).unwrap().is_empty());
}

#[test]
fn upsert_goes_new_unchanged_updated() {
    let store = Store::open_in_memory().unwrap();
    let a = article(1);
    assert_eq!(store.upsert_article(&a).unwrap(), UpsertOutcome::New);

    // Same content fetched later: unchanged, only fetched_at moves.
    let mut again = a.clone();
    again.fetched_at = t(4, 0);
    again.editor = Some("王五".into()); // not part of the content hash
    assert_eq!(
        store.upsert_article(&again).unwrap(),
        UpsertOutcome::Unchanged
    );
    let stored = store.article(&a.id).unwrap().unwrap();
    assert_eq!(stored.fetched_at, t(4, 0));
    assert_eq!(stored.editor.as_deref(), Some("李四"));
    assert_eq!(stored.body, a.body);

    // Each field of the content hash makes it an update.
    let mut edited = again.clone();
    edited.body.push_str("\n（更正）");
    edited.fetched_at = t(5, 0);
    assert_eq!(
        store.upsert_article(&edited).unwrap(),
        UpsertOutcome::Updated
    );
    assert_eq!(store.article(&a.id).unwrap().as_ref(), Some(&edited));

    let mut retimed = edited.clone();
    retimed.published_at = None;
    assert_eq!(
        store.upsert_article(&retimed).unwrap(),
        UpsertOutcome::Updated
    );
    let mut reauthored = retimed.clone();
    reauthored.author = Some(String::new());
    assert_eq!(
        store.upsert_article(&reauthored).unwrap(),
        UpsertOutcome::Updated
    );
    let mut retitled = reauthored.clone();
    retitled.title.push('！');
    assert_eq!(
        store.upsert_article(&retitled).unwrap(),
        UpsertOutcome::Updated
    );
    assert_eq!(
        store.upsert_article(&retitled).unwrap(),
        UpsertOutcome::Unchanged
    );

    assert_eq!(store.article_count().unwrap(), 1);
    assert_eq!(
        store
            .article(&ArticleId::from_raw("0000000000000000"))
            .unwrap(),
        None
    );
}

#[test]
fn the_first_source_owns_an_article_and_adopt_predicts_the_upsert() {
    let store = Store::open_in_memory().unwrap();
    let first = article(7);
    assert_eq!(store.stored_head(&first.id).unwrap(), None);
    assert_eq!(store.upsert_article(&first).unwrap(), UpsertOutcome::New);
    let head = store.stored_head(&first.id).unwrap().unwrap();
    assert_eq!(head, StoredHead::of(&first));
    assert_eq!(head.content_hash, content_hash(&first));

    // Another source's copy with the same content: unchanged, the owner stays.
    let copy = Article {
        source: "bom-feed".into(),
        tier: Tier::Commercial,
        site: "某商业网站".into(),
        fetched_at: t(4, 0),
        ..first.clone()
    };
    let mut predicted = copy.clone();
    assert_eq!(head.adopt(&mut predicted), UpsertOutcome::Unchanged);
    assert_eq!(
        store.upsert_article(&copy).unwrap(),
        UpsertOutcome::Unchanged
    );
    let stored = store.article(&first.id).unwrap().unwrap();
    assert_eq!(
        (stored.source.as_str(), stored.tier, stored.site.as_str()),
        ("spb-news", Tier::Industry, "国家邮政局")
    );
    assert_eq!(stored.fetched_at, t(4, 0));

    // Another source's changed copy: the content is updated, the owner is not.
    let mut changed = copy.clone();
    changed.body.push_str("\n（更新）");
    changed.fetched_at = t(5, 0);
    let mut predicted = changed.clone();
    assert_eq!(head.adopt(&mut predicted), UpsertOutcome::Updated);
    assert_eq!(
        store.upsert_article(&changed).unwrap(),
        UpsertOutcome::Updated
    );
    let stored = store.article(&first.id).unwrap().unwrap();
    assert_eq!(stored, predicted, "adopt gives exactly the stored record");
    assert_eq!(
        (stored.source.as_str(), stored.tier, stored.site.as_str()),
        ("spb-news", Tier::Industry, "国家邮政局")
    );
    assert_eq!(stored.body, changed.body);

    // The owner itself, re-tiered in sources.toml: its update takes the new tier and site.
    let head = store.stored_head(&first.id).unwrap().unwrap();
    let mut retiered = first.clone();
    retiered.tier = Tier::Central;
    retiered.site = "国家邮政局网站".into();
    retiered.title.push('！');
    let mut predicted = retiered.clone();
    assert_eq!(head.adopt(&mut predicted), UpsertOutcome::Updated);
    assert_eq!(predicted, retiered);
    assert_eq!(
        store.upsert_article(&retiered).unwrap(),
        UpsertOutcome::Updated
    );
    assert_eq!(store.article(&first.id).unwrap().as_ref(), Some(&retiered));
}

#[test]
fn knows_url_by_fetch_url_and_canonical_url() {
    let store = Store::open_in_memory().unwrap();
    let a = article(7);
    assert!(!store.knows_url(&a.canonical_url).unwrap());
    store.upsert_article(&a).unwrap();
    assert!(store.knows_url(&a.canonical_url).unwrap());
    assert!(store.knows_url(&a.url).unwrap());
    assert!(!store.knows_url(&article(8).canonical_url).unwrap());
}

#[test]
fn batch_is_one_transaction() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    store.upsert_article(&article(1)).unwrap();

    let mut changed = article(1);
    changed.title = "改过的标题".into();
    let batch = vec![
        article(1),
        article(2),
        changed.clone(),
        article(3),
        article(3),
    ];
    let outcomes = store.upsert_articles(&batch).unwrap();
    use UpsertOutcome::*;
    assert_eq!(outcomes, [Unchanged, New, Updated, New, Unchanged]);
    assert_eq!(store.article_count().unwrap(), 3);
    assert_eq!(
        store.article(&changed.id).unwrap().unwrap().title,
        "改过的标题"
    );
    assert_eq!(store.upsert_articles(&[]).unwrap(), []);
}

#[test]
fn a_failed_batch_leaves_nothing() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    store.upsert_article(&article(1)).unwrap();

    let mut edited = article(1);
    edited.body = "这次修改不应留下。".into();
    let mut bad = article(9);
    bad.id = ArticleId::from_raw(""); // refused by the schema
    let err = store
        .upsert_articles(&[edited, article(2), bad.clone()])
        .unwrap_err();
    assert!(matches!(err, StoreError::Query { .. }), "{err:?}");
    assert!(err.to_string().contains(&bad.url), "{err}");

    assert_eq!(store.article_count().unwrap(), 1);
    assert!(!store.knows_url(&article(2).canonical_url).unwrap());
    assert_eq!(store.article(&article(1).id).unwrap(), Some(article(1)));
    drop(store);
    // Nothing half-written reappears after reopening either.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.article_count().unwrap(), 1);
    assert_eq!(store.article(&article(1).id).unwrap(), Some(article(1)));
}

#[test]
fn runs_and_source_health() {
    let store = Store::open_in_memory().unwrap();
    let ok = |id, new| SourceResult {
        source_id: id,
        ok: true,
        error: None,
        counts: Counts {
            new,
            updated: 1,
            unchanged: 2,
            rejected: 3,
        },
    };
    let failed = |id, error| SourceResult {
        source_id: id,
        ok: false,
        error: Some(error),
        counts: Counts::default(),
    };

    let r1 = store.begin_run(t(1, 0)).unwrap();
    store.record_source_result(r1, &ok("spb-news", 5)).unwrap();
    store
        .record_source_result(r1, &ok("chinanews-scroll", 9))
        .unwrap();
    store.finish_run(r1, t(1, 5), r#"{"new":14}"#).unwrap();

    let r2 = store.begin_run(t(2, 0)).unwrap();
    assert!(r2 > r1);
    store
        .record_source_result(
            r2,
            &failed("spb-news", "https://www.spb.gov.cn/: timed out"),
        )
        .unwrap();
    store
        .record_source_result(r2, &ok("chinanews-scroll", 4))
        .unwrap();
    let r3 = store.begin_run(t(3, 0)).unwrap();
    store
        .record_source_result(r3, &failed("spb-news", "https://www.spb.gov.cn/: 503"))
        .unwrap();
    store
        .record_source_result(r3, &failed("never-ok", "dns error"))
        .unwrap();

    let health = store.source_health().unwrap();
    let ids: Vec<&str> = health.iter().map(|h| h.source_id.as_str()).collect();
    assert_eq!(ids, ["chinanews-scroll", "never-ok", "spb-news"]);

    let cn = &health[0];
    assert!(cn.last_ok);
    assert_eq!(
        (cn.last_run_id, cn.last_checked_at, cn.last_ok_at),
        (r2, t(2, 0), Some(t(2, 0)))
    );
    assert_eq!(
        cn.last_counts,
        Counts {
            new: 4,
            updated: 1,
            unchanged: 2,
            rejected: 3
        }
    );
    assert_eq!(cn.consecutive_failures, 0);

    let never = &health[1];
    assert_eq!(
        (never.last_ok, never.last_ok_at, never.consecutive_failures),
        (false, None, 1)
    );

    let spb = &health[2];
    assert!(!spb.last_ok);
    assert_eq!(
        spb.last_error.as_deref(),
        Some("https://www.spb.gov.cn/: 503")
    );
    assert_eq!(
        (spb.last_run_id, spb.last_ok_at, spb.consecutive_failures),
        (r3, Some(t(1, 0)), 2)
    );

    // Recording again in the same run replaces the result.
    store.record_source_result(r3, &ok("spb-news", 1)).unwrap();
    let spb = store.source_health().unwrap().remove(2);
    assert_eq!(
        (spb.last_ok, spb.consecutive_failures, spb.last_ok_at),
        (true, 0, Some(t(3, 0)))
    );
}

#[test]
fn unknown_runs_and_bad_summaries_are_errors() {
    let store = Store::open_in_memory().unwrap();
    let result = SourceResult {
        source_id: "x",
        ok: true,
        error: None,
        counts: Counts::default(),
    };
    assert!(matches!(
        store.record_source_result(42, &result),
        Err(StoreError::UnknownRun(42))
    ));
    assert!(matches!(
        store.finish_run(42, t(1, 0), "{}"),
        Err(StoreError::UnknownRun(42))
    ));
    let run = store.begin_run(t(1, 0)).unwrap();
    assert!(matches!(
        store.finish_run(run, t(1, 1), "{not json"),
        Err(StoreError::InvalidSummary { .. })
    ));
}

#[test]
fn counts_add_outcomes() {
    let mut c = Counts::default();
    for o in [
        UpsertOutcome::New,
        UpsertOutcome::New,
        UpsertOutcome::Updated,
        UpsertOutcome::Unchanged,
    ] {
        c.add(o);
    }
    assert_eq!(
        c,
        Counts {
            new: 2,
            updated: 1,
            unchanged: 1,
            rejected: 0
        }
    );
}

#[test]
fn store_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Store>();

    let (_dir, path) = db();
    let store = Arc::new(Store::open(&path).unwrap());
    let handles: Vec<_> = (0..4u32)
        .map(|k| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let batch: Vec<Article> = (0..25).map(|i| article(k * 100 + i)).collect();
                store.upsert_articles(&batch).unwrap()
            })
        })
        .collect();
    for h in handles {
        let outcomes = h.join().unwrap();
        assert!(outcomes.iter().all(|o| *o == UpsertOutcome::New));
    }
    assert_eq!(store.article_count().unwrap(), 100);
}

#[test]
fn a_hand_edited_row_is_reported_not_panicked_on() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    let a = article(1);
    store.upsert_article(&a).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE articles SET tier = 'national' WHERE id = ?1",
        [a.id.as_str()],
    )
    .unwrap();
    match store.article(&a.id) {
        Err(StoreError::Corrupt { row, column, value }) => {
            assert_eq!(
                (row, column, value.as_str()),
                (format!("article {}", a.id), "tier", "national")
            );
        }
        other => panic!("{other:?}"),
    }
}
