//! Analysis results, coverage, clusters, corrections and rematch on real SQLite files.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, HitField, Sentiment, SentimentLabel,
    TermHit, ThemeMatch, Tier,
};
use yuqing_store::{DB_FILE_NAME, SCHEMA_VERSION, Store, StoreError, ThemeDiff, UpsertOutcome};

fn day(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 5, d, h, 0, 0).unwrap()
}

fn article(n: u32, tier: Tier, published: Option<DateTime<Utc>>) -> Article {
    let url = format!("https://news.example.cn/{n}.html");
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: format!("src-{}", tier.as_str()),
        tier,
        url: url.clone(),
        canonical_url: url,
        site: "示例网".into(),
        title: format!("快递进村第{n}批"),
        author: None,
        editor: None,
        published_at: published,
        date_source: if published.is_some() {
            DateSource::Meta
        } else {
            DateSource::None
        },
        body: format!("第{n}篇。国家邮政局部署快递进村工作。"),
        fetched_at: day(28, 0),
    }
}

fn theme(id: &str, score: f32, term: &str) -> ThemeMatch {
    ThemeMatch {
        theme: id.into(),
        score,
        hits: vec![
            TermHit {
                term: term.into(),
                count: 2,
                field: HitField::Title,
            },
            TermHit {
                term: "邮政".into(),
                count: 1,
                field: HitField::Body,
            },
        ],
    }
}

fn analysis(themes: &[(&str, f32)], cluster: Option<&ArticleId>, fp: Option<u64>) -> Analysis {
    Analysis {
        themes: themes
            .iter()
            .map(|(t, s)| theme(t, *s, "快递进村"))
            .collect(),
        sentiment: Some(Sentiment {
            label: SentimentLabel::Negative,
            score: -0.625,
            evidence: vec![
                Evidence {
                    text: "不满意".into(),
                    weight: -1.5,
                },
                Evidence {
                    text: "点赞".into(),
                    weight: 0.5,
                },
            ],
        }),
        fingerprint: fp,
        cluster: cluster.cloned(),
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE_NAME)).unwrap();
    (dir, store)
}

#[test]
fn a_version_1_database_is_migrated_with_its_data() {
    // Made by the store at schema version 1 (commit f84a371): three spb-news articles
    // (published 2020-05-10 02:00, 2020-05-11 02:00, and one undated, all first fetched
    // 2020-05-20 03:00), validators for the feed, one finished run.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema_v1.sqlite3"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    std::fs::copy(fixture, &path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let before: i64 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(before, 1);
    drop(raw);

    let store = Store::open(&path).unwrap();
    assert_eq!(SCHEMA_VERSION, 4);
    assert_eq!(store.article_count().unwrap(), 3);
    assert_eq!(
        store
            .validators("https://www.spb.gov.cn/rss.xml")
            .unwrap()
            .etag
            .as_deref(),
        Some("\"v1\"")
    );
    let health = store.source_health().unwrap();
    assert_eq!(health.len(), 1);
    assert_eq!(health[0].last_counts.new, 3);

    let ids: Vec<ArticleId> = (0..3)
        .map(|n| ArticleId::from_canonical_url(&format!("https://www.spb.gov.cn/v1/{n}.shtml")))
        .collect();
    // Old articles have no analysis until one is saved.
    assert_eq!(store.analysis(&ids[0]).unwrap(), None);
    for id in &ids {
        store
            .save_analysis([(id, &analysis(&[("s4.i10", 2.0)], Some(&ids[0]), Some(7)))])
            .unwrap();
    }
    // The undated article's sort time is its first fetch (2020-05-20 03:00).
    let cov = store.theme_counts(day(10, 0), day(12, 0)).unwrap();
    assert_eq!(cov.len(), 1);
    assert_eq!((cov[0].articles, cov[0].stories), (2, 1));
    let latest = cov[0].latest.as_ref().unwrap();
    assert_eq!(latest.id, ids[1]);
    assert_eq!(latest.title, "快递进村第1批");
    let cov = store.theme_counts(day(20, 3), day(20, 4)).unwrap();
    assert_eq!(cov[0].articles, 1);
    assert_eq!(cov[0].latest.as_ref().unwrap().published_at, None);
    assert_eq!(cov[0].latest.as_ref().unwrap().sort_at, day(20, 3));
    // The publish times were copied to the fingerprint rows.
    let fps = store.fingerprints().unwrap();
    let undated = fps.iter().find(|f| f.id == ids[2]).unwrap();
    assert_eq!(undated.published_at, None);
    let dated = fps.iter().find(|f| f.id == ids[0]).unwrap();
    assert_eq!(dated.published_at, Some(day(10, 2)));
    drop(store);

    // Opening again does not migrate again.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.theme_matches(&ids[2]).unwrap().len(), 1);
}

#[test]
fn analysis_round_trips_and_is_replaced() {
    let (_dir, store) = temp_store();
    let a = article(1, Tier::Central, Some(day(12, 2)));
    store.upsert_article(&a).unwrap();
    assert_eq!(store.analysis(&a.id).unwrap(), None);

    let fp = 0xF0E1_D2C3_B4A5_9687; // high bit set: stored as a negative integer
    let mut saved = analysis(&[("s4.i10", 3.5), ("s4", 1.25)], Some(&a.id), Some(fp));
    store.save_analysis([(&a.id, &saved)]).unwrap();
    let got = store.analysis(&a.id).unwrap().unwrap();
    assert_eq!(got, saved);
    assert_eq!(got.fingerprint, Some(fp));
    assert_eq!(got.themes[0].hits[0].term, "快递进村");
    assert_eq!(store.theme_matches(&a.id).unwrap(), saved.themes);

    // A second analysis replaces themes and sentiment entirely.
    saved.themes = vec![theme("s7.i20", 1.0, "绿色包装")];
    saved.sentiment = None;
    saved.fingerprint = None;
    store.save_analysis([(&a.id, &saved)]).unwrap();
    let got = store.analysis(&a.id).unwrap().unwrap();
    assert_eq!(got.themes.len(), 1);
    assert_eq!(got.themes[0].theme, "s7.i20");
    assert_eq!(got.sentiment, None);
    assert_eq!(got.fingerprint, None);
    assert!(store.fingerprints().unwrap().is_empty());
}

#[test]
fn analysis_of_an_unknown_article_saves_nothing_of_the_batch() {
    let (_dir, store) = temp_store();
    let a = article(1, Tier::Central, Some(day(12, 2)));
    store.upsert_article(&a).unwrap();
    let ghost = ArticleId::from_raw("00000000deadbeef");
    let an = analysis(&[("s1", 1.0)], None, Some(1));
    match store.save_analysis([(&a.id, &an), (&ghost, &an)]) {
        Err(StoreError::UnknownArticle { id, what }) => {
            assert_eq!(id, "00000000deadbeef");
            assert!(what.contains("00000000deadbeef"), "{what}");
        }
        other => panic!("expected UnknownArticle, got {other:?}"),
    }
    assert_eq!(store.analysis(&a.id).unwrap(), None);
    // The cluster id must be a stored article too (the story's first article).
    let orphan = analysis(&[("s1", 1.0)], Some(&ghost), Some(1));
    match store.save_analysis([(&a.id, &orphan)]) {
        Err(StoreError::UnknownArticle { id, what }) => {
            assert_eq!(id, "00000000deadbeef");
            assert!(what.contains(a.id.as_str()), "{what}");
        }
        other => panic!("expected UnknownArticle, got {other:?}"),
    }
    assert!(matches!(
        store.replace_theme_matches([(&ghost, orphan.themes.as_slice())]),
        Err(StoreError::UnknownArticle { .. })
    ));
    assert!(matches!(
        store.record_correction(&ghost, SentimentLabel::Positive, "wang", day(28, 1)),
        Err(StoreError::UnknownArticle { .. })
    ));
}

#[test]
fn upsert_analyzed_writes_both_in_one_transaction() {
    let (_dir, store) = temp_store();
    let a = article(1, Tier::Industry, Some(day(12, 2)));
    let b = article(2, Tier::Industry, Some(day(12, 3)));
    let an_a = analysis(&[("s4.i10", 2.0)], Some(&a.id), Some(11));
    let an_b = analysis(&[("s4.i10", 1.0)], Some(&a.id), Some(12));
    let outcomes = store.upsert_analyzed([(&a, &an_a), (&b, &an_b)]).unwrap();
    assert_eq!(outcomes, vec![UpsertOutcome::New, UpsertOutcome::New]);
    assert_eq!(store.analysis(&b.id).unwrap(), Some(an_b.clone()));
    // Unchanged: the stored analysis stays (the index document written with it stays true).
    let an_other = analysis(&[("s6.i16", 3.0)], Some(&b.id), Some(13));
    let outcomes = store.upsert_analyzed([(&b, &an_other)]).unwrap();
    assert_eq!(outcomes, vec![UpsertOutcome::Unchanged]);
    assert_eq!(store.analysis(&b.id).unwrap(), Some(an_b.clone()));
    // Updated: the new analysis is saved.
    let mut b2 = b.clone();
    b2.body.push_str("（更新）");
    let outcomes = store.upsert_analyzed([(&b2, &an_other)]).unwrap();
    assert_eq!(outcomes, vec![UpsertOutcome::Updated]);
    assert_eq!(store.analysis(&b.id).unwrap(), Some(an_other));

    // An empty URL fails the article insert; the earlier pair is rolled back too.
    let c = article(3, Tier::Industry, None);
    let mut bad = article(4, Tier::Industry, None);
    bad.url.clear();
    assert!(store.upsert_analyzed([(&c, &an_a), (&bad, &an_a)]).is_err());
    assert_eq!(store.article(&c.id).unwrap(), None);
    assert_eq!(store.analysis(&c.id).unwrap(), None);
}

#[test]
fn corrections_override_the_model_label_and_feed_training() {
    let (_dir, store) = temp_store();
    let a = article(1, Tier::Central, Some(day(12, 2)));
    let b = article(2, Tier::Central, Some(day(12, 3)));
    let c = article(3, Tier::Central, Some(day(12, 4)));
    store
        .upsert_articles(&[a.clone(), b.clone(), c.clone()])
        .unwrap();
    store
        .save_analysis([(&a.id, &analysis(&[("s1", 1.0)], Some(&a.id), Some(1)))])
        .unwrap();
    assert_eq!(store.sentiment_correction(&a.id).unwrap(), None);

    store
        .record_correction(&a.id, SentimentLabel::Neutral, "li", day(28, 1))
        .unwrap();
    store
        .record_correction(&a.id, SentimentLabel::Positive, "wang", day(28, 2))
        .unwrap();
    // Recorded later but dated earlier: does not win.
    store
        .record_correction(&a.id, SentimentLabel::Negative, "zhao", day(27, 0))
        .unwrap();
    store
        .record_correction(&b.id, SentimentLabel::Negative, "li", day(28, 3))
        .unwrap();

    let s = store.analysis(&a.id).unwrap().unwrap().sentiment.unwrap();
    assert_eq!(s.label, SentimentLabel::Positive);
    assert_eq!(s.score, 1.0);
    assert_eq!(s.evidence[0].text, "不满意"); // the model's evidence stays
    // The model's own verdict is kept beside the correction.
    let model = store.model_sentiment(&a.id).unwrap().unwrap();
    let saved = analysis(&[("s1", 1.0)], Some(&a.id), Some(1))
        .sentiment
        .unwrap();
    assert_eq!((model.label, model.score), (saved.label, saved.score));
    assert_eq!(model.evidence, saved.evidence);
    assert_eq!(store.model_sentiment(&c.id).unwrap(), None); // never analysed
    let corr = store.sentiment_correction(&a.id).unwrap().unwrap();
    assert_eq!(
        (corr.label, corr.user.as_str()),
        (SentimentLabel::Positive, "wang")
    );
    assert_eq!(corr.at, day(28, 2));

    // A fresh model run keeps the correction in force.
    store
        .save_analysis([(&a.id, &analysis(&[("s1", 1.0)], Some(&a.id), Some(1)))])
        .unwrap();
    let s = store.analysis(&a.id).unwrap().unwrap().sentiment.unwrap();
    assert_eq!(s.label, SentimentLabel::Positive);

    // A corrected article never analysed still reports the analyst's label.
    let got_b = store.analysis(&b.id).unwrap().unwrap();
    assert!(got_b.themes.is_empty());
    let s = got_b.sentiment.unwrap();
    assert_eq!((s.label, s.score), (SentimentLabel::Negative, -1.0));
    assert_eq!(store.analysis(&c.id).unwrap(), None);

    let training = store.corrections().unwrap();
    let rows: Vec<(&ArticleId, &str, SentimentLabel, &str)> = training
        .iter()
        .map(|t| {
            (
                &t.id,
                t.title.as_str(),
                t.correction.label,
                t.correction.user.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (&a.id, "快递进村第1批", SentimentLabel::Positive, "wang"),
            (&b.id, "快递进村第2批", SentimentLabel::Negative, "li"),
        ]
    );
    assert_eq!(training[1].body, b.body);
}

/// Fixture: 8 articles over three days, four tiers, two multi-article clusters.
///
/// | n | tier       | published    | cluster | themes        |
/// |---|------------|--------------|---------|---------------|
/// | 1 | central    | 05-12 02:00  | 1       | s4, s4.i10    |
/// | 2 | provincial | 05-12 05:00  | 1       | s4, s4.i10    |
/// | 3 | self-media | 05-13 01:00  | 1       | s4.i10        |
/// | 4 | industry   | 05-12 09:00  | 4       | s4, s4.i10    |
/// | 5 | industry   | 05-14 09:00  | 4       | s4            |
/// | 6 | commercial | 05-13 08:00  | none    | s7.i20        |
/// | 7 | central    | undated (first fetch 05-28 00:00) | 7 | s4.i10 |
/// | 8 | central    | 05-13 10:00  | 8       | none          |
fn coverage_fixture(store: &Store) -> Vec<Article> {
    /// (n, tier, published_at, cluster article n, themes)
    type Row = (
        u32,
        Tier,
        Option<DateTime<Utc>>,
        Option<u32>,
        &'static [&'static str],
    );
    let rows: [Row; 8] = [
        (
            1,
            Tier::Central,
            Some(day(12, 2)),
            Some(1),
            &["s4", "s4.i10"],
        ),
        (
            2,
            Tier::Provincial,
            Some(day(12, 5)),
            Some(1),
            &["s4", "s4.i10"],
        ),
        (3, Tier::SelfMedia, Some(day(13, 1)), Some(1), &["s4.i10"]),
        (
            4,
            Tier::Industry,
            Some(day(12, 9)),
            Some(4),
            &["s4", "s4.i10"],
        ),
        (5, Tier::Industry, Some(day(14, 9)), Some(4), &["s4"]),
        (6, Tier::Commercial, Some(day(13, 8)), None, &["s7.i20"]),
        (7, Tier::Central, None, Some(7), &["s4.i10"]),
        (8, Tier::Central, Some(day(13, 10)), Some(8), &[]),
    ];
    let articles: Vec<Article> = rows
        .iter()
        .map(|(n, tier, p, ..)| article(*n, *tier, *p))
        .collect();
    let id_of = |n: u32| articles[n as usize - 1].id.clone();
    let analyses: Vec<Analysis> = rows
        .iter()
        .map(|(n, _, _, cluster, themes)| {
            let themes: Vec<(&str, f32)> = themes.iter().map(|t| (*t, 1.0 + *n as f32)).collect();
            analysis(&themes, cluster.map(id_of).as_ref(), Some(u64::from(*n)))
        })
        .collect();
    store
        .upsert_analyzed(articles.iter().zip(&analyses))
        .unwrap();
    articles
}

#[test]
fn coverage_counts_articles_stories_and_tiers_in_the_period() {
    let (_dir, store) = temp_store();
    let arts = coverage_fixture(&store);

    // 05-12 00:00 to 05-14 00:00: articles 1, 2, 3, 4, 6, 8.
    let cov = store.theme_counts(day(12, 0), day(14, 0)).unwrap();
    let themes: Vec<&str> = cov.iter().map(|c| c.theme.as_str()).collect();
    assert_eq!(themes, vec!["s4", "s4.i10", "s7.i20"]);

    let s4 = &cov[0];
    assert_eq!((s4.articles, s4.stories), (3, 2)); // 1, 2, 4 in clusters 1 and 4
    assert_eq!(
        s4.by_tier,
        BTreeMap::from([
            (Tier::Central, 1),
            (Tier::Provincial, 1),
            (Tier::Industry, 1)
        ])
    );
    let latest = s4.latest.as_ref().unwrap();
    assert_eq!(latest.id, arts[3].id); // 4, 05-12 09:00
    assert_eq!(latest.title, "快递进村第4批");
    assert_eq!(latest.published_at, Some(day(12, 9)));

    let item = &cov[1];
    assert_eq!((item.articles, item.stories), (4, 2)); // 1, 2, 3, 4
    assert_eq!(item.by_tier.get(&Tier::SelfMedia), Some(&1));
    assert_eq!(item.by_tier.values().sum::<u64>(), 4);
    assert_eq!(item.latest.as_ref().unwrap().id, arts[2].id); // 3, 05-13 01:00

    let s7 = &cov[2];
    assert_eq!((s7.articles, s7.stories), (1, 1)); // no cluster: its own story
    assert_eq!(s7.by_tier, BTreeMap::from([(Tier::Commercial, 1)]));

    // The end is exclusive, the start inclusive.
    let cov = store.theme_counts(day(12, 2), day(12, 9)).unwrap();
    assert_eq!(cov.len(), 2);
    assert_eq!(cov[0].articles, 2); // s4: 1 and 2, not 4
    assert_eq!(cov[0].stories, 1);

    // The undated article counts at its first fetch (05-28 00:00).
    let cov = store.theme_counts(day(27, 0), day(29, 0)).unwrap();
    assert_eq!(cov.len(), 1);
    assert_eq!((cov[0].theme.as_str(), cov[0].articles), ("s4.i10", 1));
    assert_eq!(cov[0].latest.as_ref().unwrap().published_at, None);

    assert!(store.theme_counts(day(1, 0), day(2, 0)).unwrap().is_empty());
}

#[test]
fn clusters_list_members_by_time_and_fingerprints_load() {
    let (_dir, store) = temp_store();
    let mut arts = coverage_fixture(&store);
    let c1 = arts[0].id.clone();
    let members = store.cluster_members(&c1).unwrap();
    let got: Vec<(&ArticleId, Tier, Option<DateTime<Utc>>)> = members
        .iter()
        .map(|m| (&m.id, m.tier, m.published_at))
        .collect();
    assert_eq!(
        got,
        vec![
            (&arts[0].id, Tier::Central, Some(day(12, 2))),
            (&arts[1].id, Tier::Provincial, Some(day(12, 5))),
            (&arts[2].id, Tier::SelfMedia, Some(day(13, 1))),
        ]
    );
    assert_eq!(members[1].source, "src-provincial");
    assert_eq!(members[2].url, arts[2].url);
    assert_eq!(store.cluster_size(&c1).unwrap(), 3);
    assert_eq!(store.cluster_size(&arts[3].id).unwrap(), 2);
    assert_eq!(store.cluster_size(&arts[5].id).unwrap(), 0);

    let fps = store.fingerprints().unwrap();
    assert_eq!(fps.len(), 8);
    let f3 = fps.iter().find(|f| f.id == arts[2].id).unwrap();
    assert_eq!(
        (f3.fingerprint, f3.cluster.as_ref(), f3.published_at),
        (3, Some(&c1), Some(day(13, 1)))
    );
    assert_eq!(
        fps.iter().find(|f| f.id == arts[5].id).unwrap().cluster,
        None
    );

    // A re-crawl that moves the publish time moves it in the fingerprint rows and in the
    // member order: article 3 now predates article 1.
    arts[2].published_at = Some(day(11, 0));
    arts[2].fetched_at = day(28, 5);
    assert_eq!(
        store.upsert_article(&arts[2]).unwrap(),
        UpsertOutcome::Updated
    );
    let fps = store.fingerprints().unwrap();
    let f3 = fps.iter().find(|f| f.id == arts[2].id).unwrap();
    assert_eq!(f3.published_at, Some(day(11, 0)));
    let first = &store.cluster_members(&c1).unwrap()[0];
    assert_eq!(first.id, arts[2].id);
}

#[test]
fn rematch_streams_every_article_and_reports_the_diff() {
    let (_dir, store) = temp_store();
    let n = 1_300u32; // three pages of 512
    let articles: Vec<Article> = (0..n)
        .map(|i| {
            article(
                i,
                Tier::Industry,
                Some(day(12, 0) + Duration::minutes(i64::from(i))),
            )
        })
        .collect();
    // Before: every article matches s1; even ones also s2.
    let before: Vec<Analysis> = (0..n)
        .map(|i| {
            let themes: &[(&str, f32)] = if i % 2 == 0 {
                &[("s1", 1.0), ("s2", 2.0)]
            } else {
                &[("s1", 1.0)]
            };
            analysis(themes, None, Some(u64::from(i)))
        })
        .collect();
    for (a, an) in articles.chunks(500).zip(before.chunks(500)) {
        store.upsert_analyzed(a.iter().zip(an)).unwrap();
    }
    let old = store.theme_ids_by_article().unwrap();
    assert_eq!(old.len(), n as usize);
    assert_eq!(
        old[&articles[0].id],
        vec![("s1".to_string(), 1.0), ("s2".to_string(), 2.0)]
    );
    assert_eq!(old[&articles[1].id], vec![("s1".to_string(), 1.0)]);

    // New rules: s2 is gone; multiples of 3 match s3; everything keeps s1 unchanged.
    let mut seen = Vec::new();
    let mut diff = ThemeDiff::default();
    store
        .for_each_article_batch(512, |page| {
            let matches: Vec<(ArticleId, Vec<ThemeMatch>)> = page
                .iter()
                .map(|a| {
                    let i: u32 = a.body[3..]
                        .split('篇')
                        .next()
                        .and_then(|s| s.parse().ok())
                        .unwrap();
                    let mut m = vec![theme("s1", 1.0, "快递进村")];
                    if i.is_multiple_of(3) {
                        m.push(theme("s3", 0.5, "快递进村"));
                    }
                    seen.push(a.id.clone());
                    (a.id.clone(), m)
                })
                .collect();
            // The store is usable from inside the callback.
            let d =
                store.replace_theme_matches(matches.iter().map(|(id, m)| (id, m.as_slice())))?;
            diff.merge(d);
            Ok::<(), StoreError>(())
        })
        .unwrap();
    assert_eq!(seen.len(), n as usize);
    let distinct: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), n as usize);
    let evens = u64::from(n.div_ceil(2)); // 650
    let thirds = u64::from(n.div_ceil(3)); // 434
    assert_eq!(diff.removed, BTreeMap::from([("s2".to_string(), evens)]));
    assert_eq!(diff.added, BTreeMap::from([("s3".to_string(), thirds)]));
    // Rewritten: even or multiple of 3 (inclusion-exclusion over 0..1300).
    let sixths = u64::from(n.div_ceil(6));
    assert_eq!(diff.rewritten, evens + thirds - sixths);
    assert_eq!(
        store.theme_matches(&articles[3].id).unwrap(),
        vec![theme("s1", 1.0, "快递进村"), theme("s3", 0.5, "快递进村")]
    );
    // Sentiment and cluster rows are untouched by a rematch.
    assert_eq!(
        store
            .analysis(&articles[3].id)
            .unwrap()
            .unwrap()
            .fingerprint,
        Some(3)
    );

    // Streaming stops at the callback's first error.
    let mut calls = 0;
    let r = store.for_each_article(|_| {
        calls += 1;
        if calls == 10 {
            Err(StoreError::UnknownRun(10))
        } else {
            Ok(())
        }
    });
    assert!(matches!(r, Err(StoreError::UnknownRun(10))));
    assert_eq!(calls, 10);
}

#[test]
fn coverage_reads_only_the_covering_index_of_articles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    drop(Store::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = raw
        .prepare(
            "EXPLAIN QUERY PLAN
             SELECT t.theme, a.seq, a.tier, a.sort_at, c.cluster_seq
             FROM articles a INDEXED BY articles_sort_at
             CROSS JOIN article_themes t ON t.article_seq = a.seq
             LEFT JOIN article_cluster c ON c.article_seq = a.seq
             WHERE a.sort_at >= ?1 AND a.sort_at < ?2",
        )
        .unwrap();
    let plan: Vec<String> = stmt
        .query_map(["2020", "2021"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    println!("sqlite {} plan: {plan:?}", rusqlite::version());
    assert!(
        plan[0].contains("COVERING INDEX articles_sort_at"),
        "{plan:?}"
    );
}
