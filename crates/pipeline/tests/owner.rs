//! One article, one source everywhere: two sources of different tiers lead to the same
//! article page, crawled from a fixture site on 127.0.0.1 by real passes
//! (`Pipeline::run_pass`: fetcher, extraction, analysis, the writer thread, tantivy and
//! SQLite). After each pass the index document of the shared article must say what the
//! store's row says (source, tier, site, body), a `source`/`tier` filtered search must find
//! it under its owner only, and the per-source counters must say who stored it first.
//!
//! Before the owner rule the second source re-wrote the index document (the store kept the
//! first source), so `search --source local-list` missed the article the database, coverage
//! and reports attributed to local-list.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use yuqing_index::SearchRequest;
use yuqing_model::{Article, ArticleId, SourceKind, SourceSpec, Tier};
use yuqing_pipeline::{Pipeline, RunSummary, SourceReport};
use yuqing_testkit::{config_with_data_dir, read_request_head, repo_config_dir, respond_and_close};

/// What the fixture site serves now: the shared article's version and whether the first
/// source's listing still links to it.
struct SiteState {
    version: AtomicUsize,
    first_lists_shared: AtomicBool,
}

/// A paragraph long enough for `crawl.min_body_chars`; `version` changes the body only.
fn body(version: usize) -> String {
    format!(
        "本报讯 国家邮政局今日发布通报，提醒广大用户注意防范冒充快递客服的诈骗行为。通报指出，\
         不法分子以快件丢失理赔为由诱导用户点击链接、填写银行卡信息，造成财产损失。\
         邮政管理部门提示，快递企业不会要求用户提供银行卡密码或验证码。（第{version}版）"
    )
}

fn article_page(title: &str, version: usize) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"2026-03-01T10:00:00+08:00\">\
         </head><body><article><h1>{title}</h1><p>{}</p></article></body></html>",
        body(version)
    )
}

fn listing(links: &[&str]) -> String {
    let items: String = links
        .iter()
        .map(|l| format!("<li><a href=\"{l}\">{l}</a></li>"))
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>列表</title></head>\
         <body><ul class=\"news\">{items}</ul></body></html>"
    )
}

const SHARED_TITLE: &str = "国家邮政局提醒防范冒充快递客服诈骗";
const OTHER_TITLE: &str = "多地快递网点推出春节寄递服务";

/// Binds 127.0.0.1:0 and serves the two listings and two article pages, one thread per
/// connection. Returns the base URL.
fn start_site(state: Arc<SiteState>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let state = state.clone();
            thread::spawn(move || {
                let Some((method, path)) = read_request_head(&stream) else {
                    return;
                };
                let version = state.version.load(Ordering::SeqCst);
                let page = match path.as_str() {
                    "/list-a.html" if state.first_lists_shared.load(Ordering::SeqCst) => {
                        Some(listing(&["/news/xss.html"]))
                    }
                    "/list-a.html" => Some(listing(&[])),
                    "/list-b.html" => Some(listing(&["/news/xss.html", "/news/other.html"])),
                    "/news/xss.html" => Some(article_page(SHARED_TITLE, version)),
                    "/news/other.html" => Some(article_page(OTHER_TITLE, 1)),
                    _ => None,
                };
                let send_body = method != "HEAD";
                match page {
                    Some(html) => respond_and_close(
                        &mut stream,
                        "200 OK",
                        "text/html; charset=utf-8",
                        html.as_bytes(),
                        send_body,
                    ),
                    None => respond_and_close(
                        &mut stream,
                        "404 Not Found",
                        "text/plain",
                        b"not found",
                        send_body,
                    ),
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn listing_source(base: &str, id: &str, path: &str, tier: Tier) -> SourceSpec {
    SourceSpec {
        id: id.into(),
        name: format!("{id} 网站"),
        kind: SourceKind::Listing,
        url: format!("{base}{path}"),
        tier,
        interval_secs: None,
        link_selector: Some("ul.news a".into()),
    }
}

fn run(pipeline: &Pipeline) -> RunSummary {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let summary = runtime
        .block_on(pipeline.run_pass(&|_: &SourceReport| {}))
        .expect("pass");
    for r in &summary.sources {
        assert!(
            r.ok,
            "source {} failed: {:?} {:?}",
            r.id, r.error, r.rejections
        );
        assert_eq!(r.rejected, 0, "{}: {:?}", r.id, r.rejections);
    }
    summary
}

/// (new, updated, unchanged) of source `id`.
fn counts(summary: &RunSummary, id: &str) -> (u32, u32, u32) {
    let r = summary
        .sources
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no report for {id}"));
    (r.new, r.updated, r.unchanged)
}

/// Ids found by an empty query with a source or tier filter.
fn ids_with(pipeline: &Pipeline, source: Option<&str>, tier: Option<Tier>) -> BTreeSet<String> {
    let mut req = SearchRequest::new("");
    req.source = source.map(str::to_string);
    req.tier = tier;
    req.limit = 100;
    let results = pipeline.index().search(&req).expect("search");
    results.hits.into_iter().map(|h| h.id).collect()
}

/// The index document of `id` agrees with the store's row, field by field, and search
/// filters by source and tier find it under the store's owner only.
fn assert_index_is_store(pipeline: &Pipeline, id: &ArticleId) -> Article {
    let stored = pipeline
        .store()
        .article(id)
        .expect("store read")
        .expect("article stored");
    let indexed = pipeline
        .index()
        .stored_articles(std::slice::from_ref(id))
        .expect("index read");
    assert_eq!(indexed.len(), 1, "one index document for {id}");
    let (doc, _) = &indexed[0];
    assert_eq!(
        (doc.source.as_str(), doc.tier, doc.site.as_str()),
        (stored.source.as_str(), stored.tier, stored.site.as_str()),
        "index document and store row disagree on the owner of {id}"
    );
    assert_eq!((&doc.title, &doc.body), (&stored.title, &stored.body));
    for other in ["local-list", "bom-list"] {
        let found = ids_with(pipeline, Some(other), None).contains(id.as_str());
        assert_eq!(found, other == stored.source, "search --source {other}");
    }
    for tier in [Tier::Commercial, Tier::Industry] {
        let found = ids_with(pipeline, None, Some(tier)).contains(id.as_str());
        assert_eq!(
            found,
            tier == stored.tier,
            "search --tier {}",
            tier.as_str()
        );
    }
    stored
}

#[test]
fn an_article_listed_by_two_sources_keeps_its_first_source_in_store_and_index() {
    let state = Arc::new(SiteState {
        version: AtomicUsize::new(1),
        first_lists_shared: AtomicBool::new(true),
    });
    let base = start_site(state.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = config_with_data_dir(&repo_config_dir().join("yuqing.toml"), dir.path());
    // Sources one at a time, in order: local-list (commercial) always reaches the writer
    // first. Every linked page is fetched again, so the second source's copy of the shared
    // article reaches the writer too (as a full-text feed entry would).
    config.sources = vec![
        listing_source(&base, "local-list", "/list-a.html", Tier::Commercial),
        listing_source(&base, "bom-list", "/list-b.html", Tier::Industry),
    ];
    config.fetch.concurrency = 1;
    config.fetch.per_host_rps = 1000;
    config.fetch.respect_robots = false;
    config.fetch.retries = 0;
    config.crawl.refetch_known_articles = true;
    let pipeline = Pipeline::open(config).expect("open pipeline");
    let shared = ArticleId::from_canonical_url(&format!("{base}/news/xss.html"));
    let other = ArticleId::from_canonical_url(&format!("{base}/news/other.html"));

    // Pass 1: local-list stores the shared article first; bom-list's identical copy is
    // unchanged and must not move it, in the index either.
    let summary = run(&pipeline);
    assert!(
        dir.path().join("index_owners_checked").exists(),
        "the first pass checks the index owners once"
    );
    assert_eq!(counts(&summary, "local-list"), (1, 0, 0));
    assert_eq!(counts(&summary, "bom-list"), (1, 0, 1));
    let stored = assert_index_is_store(&pipeline, &shared);
    assert_eq!(
        (stored.source.as_str(), stored.tier),
        ("local-list", Tier::Commercial)
    );
    let stored_other = assert_index_is_store(&pipeline, &other);
    assert_eq!(
        (stored_other.source.as_str(), stored_other.tier),
        ("bom-list", Tier::Industry)
    );
    assert_eq!(
        ids_with(&pipeline, Some("local-list"), None),
        BTreeSet::from([shared.to_string()])
    );

    // Pass 2: nothing changed; both copies unchanged, owner kept.
    let summary = run(&pipeline);
    assert_eq!(counts(&summary, "local-list"), (0, 0, 1));
    assert_eq!(counts(&summary, "bom-list"), (0, 0, 2));
    assert_index_is_store(&pipeline, &shared);

    // Pass 3: the page changed; the owner's read updates it, the second copy matches.
    state.version.store(2, Ordering::SeqCst);
    let summary = run(&pipeline);
    assert_eq!(counts(&summary, "local-list"), (0, 1, 0));
    assert_eq!(counts(&summary, "bom-list"), (0, 0, 2));
    let stored = assert_index_is_store(&pipeline, &shared);
    assert!(stored.body.contains("第2版"), "{}", stored.body);
    assert_eq!(stored.source, "local-list");

    // Pass 4: the owner no longer lists it and the page changes again: bom-list's read
    // updates the content (counted updated for bom-list), the owner stays local-list.
    state.first_lists_shared.store(false, Ordering::SeqCst);
    state.version.store(3, Ordering::SeqCst);
    let summary = run(&pipeline);
    assert_eq!(counts(&summary, "local-list"), (0, 0, 0));
    assert_eq!(counts(&summary, "bom-list"), (0, 1, 1));
    let stored = assert_index_is_store(&pipeline, &shared);
    assert!(stored.body.contains("第3版"), "{}", stored.body);
    assert_eq!(
        (stored.source.as_str(), stored.tier),
        ("local-list", Tier::Commercial)
    );
    assert_eq!(pipeline.store().article_count().expect("count"), 2);
}

/// The writer's view of articles whose store write is still in flight: copies of one article
/// from two sources in one batch and in consecutive batches (`Pipeline::ingest` overlaps the
/// store write of a batch with the indexing of the next) get the store's verdicts and leave
/// the index document equal to the stored row.
#[test]
fn copies_in_one_batch_and_in_consecutive_batches_follow_the_owner_rule() {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_with_data_dir(&repo_config_dir().join("yuqing.toml"), dir.path());
    let pipeline = Pipeline::open(config).expect("open pipeline");
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 2, 0, 0)
        .single()
        .expect("valid time");
    let first = |n: usize, version: usize| Article {
        source: "local-list".into(),
        tier: Tier::Commercial,
        site: "local-list 网站".into(),
        ..yuqing_testkit::article(
            &format!("https://news.example.cn/{n}.html"),
            SHARED_TITLE,
            body(version),
            at,
        )
    };
    let copy = |n: usize, version: usize| Article {
        source: "bom-list".into(),
        tier: Tier::Industry,
        site: "bom-list 网站".into(),
        ..first(n, version)
    };
    use yuqing_store::UpsertOutcome::{New, Unchanged, Updated};
    // One batch: the owner's copy, an identical copy, a changed copy. Then two batches in a
    // row, the second changing article 2 while article 2's first store write may be pending.
    let outcomes = pipeline
        .ingest(vec![
            vec![first(1, 1), copy(1, 1), copy(1, 2)],
            vec![first(2, 1)],
            vec![copy(2, 2), copy(2, 2)],
            vec![copy(2, 3), first(3, 1)],
        ])
        .expect("ingest");
    assert_eq!(
        outcomes,
        vec![
            New, Unchanged, Updated, New, Updated, Unchanged, Updated, New
        ]
    );
    for (n, version) in [(1, 2), (2, 3), (3, 1)] {
        let stored = assert_index_is_store(&pipeline, &first(n, version).id);
        assert_eq!(stored, first(n, version), "article {n}");
    }
}

/// A data directory from before the owner rule: an index document naming a later source is
/// re-indexed from the store by `repair_owners`, once; documents that agree are left alone.
#[test]
fn repair_owners_reindexes_documents_that_disagree_with_the_store() {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_with_data_dir(&repo_config_dir().join("yuqing.toml"), dir.path());
    let pipeline = Pipeline::open(config).expect("open pipeline");
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 2, 0, 0)
        .single()
        .expect("valid time");
    let owned = |n: usize| Article {
        source: "local-list".into(),
        tier: Tier::Commercial,
        ..yuqing_testkit::article(
            &format!("https://news.example.cn/{n}.html"),
            &format!("{OTHER_TITLE}{n}"),
            body(n),
            at,
        )
    };
    pipeline
        .ingest(vec![vec![owned(1), owned(2)]])
        .expect("ingest");
    assert_eq!(pipeline.repair_owners().expect("repair"), 0);
    // What an earlier build left: article 2's document under the second source.
    {
        let stale = Article {
            source: "bom-list".into(),
            tier: Tier::Industry,
            site: "bom-list 网站".into(),
            ..owned(2)
        };
        let analysis = pipeline
            .store()
            .analysis(&stale.id)
            .expect("analysis")
            .unwrap_or_default();
        let mut writer = pipeline.index().writer(50 << 20).expect("writer");
        writer.upsert(&stale, &analysis).expect("upsert");
        writer.commit().expect("commit");
    }
    assert_eq!(
        ids_with(&pipeline, Some("bom-list"), None),
        BTreeSet::from([owned(2).id.to_string()])
    );
    assert_eq!(pipeline.repair_owners().expect("repair"), 1);
    assert_index_is_store(&pipeline, &owned(1).id);
    assert_index_is_store(&pipeline, &owned(2).id);
    assert_eq!(pipeline.repair_owners().expect("repair"), 0);
}
