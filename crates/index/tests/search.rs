//! Search acceptance: 15 hand-written Chinese articles indexed into a tempdir; each query must
//! hit exactly the expected ids.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use yuqing_index::{
    ArticleIndex, FacetCount, IndexError, SCHEMA_VERSION, SearchRequest, SortOrder, StoredAnalysis,
};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Sentiment, SentimentLabel, ThemeMatch, Tier,
};
use yuqing_text::Segmenter;

struct Fixture {
    _dir: tempfile::TempDir,
    index: ArticleIndex,
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0).unwrap()
}

/// (key, source, title, body, published day (None = undated, fetched on day 20)).
const ARTICLES: &[(&str, &str, &str, &str, Option<u32>)] = &[
    (
        "pboc",
        "xinhua",
        "中国人民银行发布金融支持物流通知",
        "中国人民银行近日发布通知，要求金融机构加大对快递物流企业的信贷支持。",
        Some(1),
    ),
    (
        "village",
        "spb",
        "国家邮政局推进快递进村工程",
        "国家邮政局表示，今年将全面推进快递进村工程，建制村快递服务覆盖率进一步提升。",
        Some(2),
    ),
    (
        "village_split",
        "people",
        "农村寄递物流体系建设",
        "各地推动快递进村，打通农村物流最后一公里。",
        Some(3),
    ),
    (
        "words_apart",
        "people",
        "乡村振兴新举措",
        "快递企业积极进入乡村，村民在村口就能收到包裹。",
        Some(4),
    ),
    (
        "sf",
        "sina",
        "顺丰发布年度业绩",
        "顺丰控股公布年度业绩，营业收入同比增长，国际业务表现亮眼。",
        Some(5),
    ),
    (
        "zto",
        "sina",
        "中通快递业务量创新高",
        "中通快递第四季度业务量同比增长，市场份额保持领先。",
        Some(6),
    ),
    (
        "complaint",
        "weibo",
        "消费者投诉快递延误",
        "多名消费者反映快递延误、包裹丢失，邮政管理部门介入调查。",
        Some(7),
    ),
    (
        "stamps",
        "spb",
        "中国邮政发行纪念邮票",
        "中国邮政今日发行纪念邮票一套，集邮爱好者排队购买。",
        Some(8),
    ),
    (
        "greenshield",
        "spb",
        "绿盾工程验收",
        "邮政业安全监管信息系统绿盾工程通过验收。",
        Some(9),
    ),
    (
        "ems",
        "xinhua",
        "ＥＭＳ推出国际快递新服务",
        "EMS宣布推出跨境电商专线，时效提升。",
        Some(10),
    ),
    (
        "weather",
        "cma",
        "气象台发布暴雨预警",
        "受强降雨影响，部分地区快递派送可能延迟，请市民合理安排。",
        Some(11),
    ),
    (
        "bank_other",
        "xinhua",
        "银行业支持小微企业",
        "多家商业银行推出普惠金融产品，支持小微企业发展。",
        Some(12),
    ),
    (
        "drone",
        "sina",
        "无人机快递试点启动",
        "顺丰无人机在山区开展快递配送试点。",
        Some(13),
    ),
    (
        "undated",
        "blog",
        "快递员的一天",
        "一位快递员讲述他的一天：早出晚归，风雨无阻。",
        None,
    ),
    (
        "html",
        "weibo",
        "快递包装<回收>倡议",
        "倡议书提出：快递包装要\"减量化\" & 可循环。",
        Some(14),
    ),
];

fn article(key: &str) -> Article {
    let (_, source, title, body, published) =
        ARTICLES.iter().find(|a| a.0 == key).copied().unwrap();
    let url = format!("https://news.example.cn/{key}.html");
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: source.to_string(),
        tier: if source == "spb" {
            Tier::Industry
        } else {
            Tier::Central
        },
        url: url.clone(),
        canonical_url: url,
        site: format!("{source} site"),
        title: title.to_string(),
        author: (key == "pboc").then(|| "张三 李四".to_string()),
        editor: (key == "pboc").then(|| "王五".to_string()),
        published_at: published.map(day),
        date_source: if published.is_some() {
            DateSource::Meta
        } else {
            DateSource::None
        },
        body: body.to_string(),
        fetched_at: Utc.with_ymd_and_hms(2026, 3, 20, 1, 2, 3).unwrap()
            + chrono::Duration::nanoseconds(123_456_789),
    }
}

/// Analysis of each fixture article: themes s4 (+ item s4.i10) on the village stories, s7 on the
/// complaint, s2 on greenshield; two positive, two negative, `undated` without sentiment, the
/// rest neutral; clusters {village, village_split, words_apart} and {sf, zto}.
fn analysis(key: &str) -> Analysis {
    let themes: &[&str] = match key {
        "village" | "village_split" => &["s4", "s4.i10"],
        "words_apart" => &["s4", "s4"], // a duplicate is indexed once
        "complaint" => &["s7"],
        "greenshield" => &["s2"],
        _ => &[],
    };
    let sentiment = match key {
        "sf" => Some((SentimentLabel::Positive, 0.625)),
        "zto" => Some((SentimentLabel::Positive, 0.5)),
        "complaint" => Some((SentimentLabel::Negative, -0.75)),
        "weather" => Some((SentimentLabel::Negative, -0.25)),
        "undated" => None,
        _ => Some((SentimentLabel::Neutral, 0.0)),
    };
    let cluster = match key {
        "village_split" | "words_apart" => Some(article("village").id),
        "zto" => Some(article("sf").id),
        "village" => Some(article("village").id),
        _ => None,
    };
    Analysis {
        themes: themes
            .iter()
            .map(|t| ThemeMatch {
                theme: t.to_string(),
                score: 2.0,
                hits: Vec::new(),
            })
            .collect(),
        sentiment: sentiment.map(|(label, score)| Sentiment {
            label,
            score,
            evidence: Vec::new(),
        }),
        fingerprint: None,
        cluster,
    }
}

fn id(key: &str) -> String {
    article(key).id.as_str().to_string()
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let dict = tempfile::tempdir().unwrap();
        std::fs::write(dict.path().join("postal.txt"), "快递进村\n绿盾\n").unwrap();
        let seg = Segmenter::load(Some(dict.path())).unwrap();
        let index = ArticleIndex::open(&dir.path().join("idx"), &seg).unwrap();
        let mut w = index.writer(50_000_000).unwrap();
        for a in ARTICLES {
            w.upsert(&article(a.0), &analysis(a.0)).unwrap();
        }
        w.commit().unwrap();
        Fixture { _dir: dir, index }
    })
}

fn ids(req: &SearchRequest) -> Vec<String> {
    let mut v: Vec<String> = fixture()
        .index
        .search(req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

fn expect(query: &str, keys: &[&str]) {
    let mut want: Vec<String> = keys.iter().map(|k| id(k)).collect();
    want.sort();
    assert_eq!(ids(&SearchRequest::new(query)), want, "query {query:?}");
}

#[test]
fn all_articles_indexed() {
    assert_eq!(fixture().index.num_docs().unwrap(), ARTICLES.len() as u64);
}

#[test]
fn bigrams_find_words_inside_longer_words() {
    // jieba keeps 中国人民银行 whole; 人民银行 must still find it, and not bank_other.
    expect("人民银行", &["pboc"]);
}

#[test]
fn phrase_and_terms() {
    // Exact phrase: only texts with 快递进村 in sequence (user dict word or not).
    expect("\"快递进村\"", &["village", "village_split"]);
    // Phrases of several words match on the bigram fields (the word fields keep no positions).
    expect("\"人民银行\"", &["pboc"]);
    expect("title:\"快递进村\"", &["village"]);
    // Unquoted words are all required but may be apart.
    expect("快递 乡村", &["words_apart"]);
    expect("顺丰 无人机", &["drone"]);
}

#[test]
fn boolean_operators() {
    expect("顺丰 AND NOT 无人机", &["sf"]);
    expect("顺丰 -无人机", &["sf"]);
    expect("顺丰 NOT 无人机", &["sf"]);
    // Only an exclusion: every article but those.
    let all_but: Vec<&str> = ARTICLES
        .iter()
        .map(|a| a.0)
        .filter(|k| !["sf", "drone"].contains(k))
        .collect();
    expect("-顺丰", &all_but);
    expect("绿盾 OR 邮票", &["greenshield", "stamps"]);
    expect("中通 OR 顺丰", &["sf", "zto", "drone"]);
}

#[test]
fn title_field() {
    // 顺丰 appears in the body of `drone` only, in the title of `sf`.
    expect("title:顺丰", &["sf"]);
    // Full-width query and title are normalised alike.
    expect("title:ｅｍｓ", &["ems"]);
    expect("title:邮政局", &["village"]);
}

#[test]
fn date_range_and_source_filters() {
    let mut req = SearchRequest::new("快递");
    req.from = Some(day(5));
    req.to = Some(day(10));
    let mut want: Vec<String> = ["zto", "complaint", "ems"].iter().map(|k| id(k)).collect();
    want.sort();
    assert_eq!(ids(&req), want);

    let mut req = SearchRequest::new("");
    req.source = Some("spb".into());
    let mut want: Vec<String> = ["village", "stamps", "greenshield"]
        .iter()
        .map(|k| id(k))
        .collect();
    want.sort();
    assert_eq!(ids(&req), want);

    // Undated articles fall back to fetched_at (day 20) for the filter.
    let mut req = SearchRequest::new("快递员");
    req.from = Some(day(19));
    assert_eq!(ids(&req), vec![id("undated")]);
}

#[test]
fn time_sort_newest_first_and_paging() {
    let mut req = SearchRequest::new("快递");
    req.sort = SortOrder::Time;
    req.limit = 3;
    let res = fixture().index.search(&req).unwrap();
    let got: Vec<String> = res.hits.iter().map(|h| h.id.clone()).collect();
    // undated (fetched day 20), html (14), drone (13).
    assert_eq!(got, vec![id("undated"), id("html"), id("drone")]);
    assert!(res.total > 8, "total {}", res.total);
    req.offset = 1;
    let res2 = fixture().index.search(&req).unwrap();
    assert_eq!(res2.hits[0].id, id("html"));
    assert_eq!(res2.total, res.total);
}

#[test]
fn relevance_prefers_title_matches() {
    let res = fixture().index.search(&SearchRequest::new("顺丰")).unwrap();
    assert_eq!(res.total, 2);
    assert_eq!(res.hits[0].id, id("sf"));
    assert!(res.hits[0].score > res.hits[1].score);
}

#[test]
fn snippets_highlight_and_escape() {
    let res = fixture()
        .index
        .search(&SearchRequest::new("人民银行"))
        .unwrap();
    let snip = &res.hits[0].snippet;
    assert!(snip.contains("<em>人民银行</em>"), "{snip}");

    let res = fixture().index.search(&SearchRequest::new("包装")).unwrap();
    let snip = &res.hits[0].snippet;
    assert!(snip.contains("<em>包装</em>"), "{snip}");
    assert!(snip.contains("&quot;") && snip.contains("&amp;"), "{snip}");

    // A title-only match falls back to the escaped body head.
    let res = fixture()
        .index
        .search(&SearchRequest::new("title:预警"))
        .unwrap();
    assert_eq!(res.hits[0].snippet, article("weather").body);
}

#[test]
fn bad_syntax_is_a_query_error() {
    for q in ["\"快递进村", "title:", "nosuchfield:快递"] {
        match fixture().index.search(&SearchRequest::new(q)) {
            Err(IndexError::Query { query, message }) => {
                assert_eq!(query, q);
                assert!(!message.is_empty());
            }
            other => panic!("{q:?} gave {other:?}"),
        }
    }
}

#[test]
fn odd_queries() {
    // Dangling operators and unbalanced parentheses are syntax errors with the position.
    for q in ["快递 AND", "AND", "(快递", "快递)"] {
        let err = fixture().index.search(&SearchRequest::new(q)).unwrap_err();
        assert!(matches!(err, IndexError::Query { .. }), "{q:?}: {err}");
    }
    let err = fixture()
        .index
        .search(&SearchRequest::new("(快递"))
        .unwrap_err();
    assert!(err.to_string().contains("at byte 7"), "{err}");
    // Only punctuation: no token, no match, no error.
    assert_eq!(
        fixture()
            .index
            .search(&SearchRequest::new("，，"))
            .unwrap()
            .total,
        0
    );
    // `*` and the empty query match everything.
    for q in ["*", "", "  "] {
        let r = fixture().index.search(&SearchRequest::new(q)).unwrap();
        assert_eq!(r.total, ARTICLES.len(), "{q:?}");
    }
}

#[test]
fn get_round_trips_every_field() {
    for key in ["pboc", "undated", "html"] {
        let a = article(key);
        assert_eq!(fixture().index.get(&a.id).unwrap(), Some(a));
    }
    let missing = ArticleId::from_raw("0000000000000000");
    assert_eq!(fixture().index.get(&missing).unwrap(), None);
}

#[test]
fn upsert_twice_leaves_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::load(None).unwrap();
    let index = ArticleIndex::open(dir.path(), &seg).unwrap();
    let mut a = article("sf");
    {
        let mut w = index.writer(20_000_000).unwrap();
        w.upsert(&a, &Analysis::default()).unwrap();
        w.commit().unwrap();
        a.title = "顺丰更新后的标题".into();
        w.upsert(&a, &analysis("sf")).unwrap();
        w.upsert(&a, &analysis("sf")).unwrap();
        w.commit().unwrap();
    }
    assert_eq!(index.num_docs().unwrap(), 1);
    assert_eq!(index.get(&a.id).unwrap().unwrap().title, "顺丰更新后的标题");
    let res = index.search(&SearchRequest::new("更新")).unwrap();
    assert_eq!(res.total, 1);
    // Reopening the same directory sees the committed state.
    drop(index);
    let index = ArticleIndex::open(dir.path(), &seg).unwrap();
    assert_eq!(index.num_docs().unwrap(), 1);
}

fn keys_to_ids(keys: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(|k| id(k)).collect();
    v.sort();
    v
}

fn counts(list: &[FacetCount]) -> Vec<(&str, u64)> {
    list.iter().map(|c| (c.key.as_str(), c.count)).collect()
}

#[test]
fn theme_sentiment_and_tier_filters() {
    let mut req = SearchRequest::new("");
    req.theme = Some("s4".into());
    assert_eq!(
        ids(&req),
        keys_to_ids(&["village", "village_split", "words_apart"])
    );
    req.theme = Some("s4.i10".into());
    assert_eq!(ids(&req), keys_to_ids(&["village", "village_split"]));
    // Filters combine with the query and with each other.
    req.query = "农村".into();
    assert_eq!(ids(&req), keys_to_ids(&["village_split"]));

    let mut req = SearchRequest::new("快递");
    req.sentiment = Some(SentimentLabel::Negative);
    assert_eq!(ids(&req), keys_to_ids(&["complaint", "weather"]));
    req.sentiment = Some(SentimentLabel::Positive);
    assert_eq!(ids(&req), keys_to_ids(&["zto"]));

    let mut req = SearchRequest::new("");
    req.tier = Some(Tier::Industry);
    assert_eq!(
        ids(&req),
        keys_to_ids(&["village", "stamps", "greenshield"])
    );
    req.sentiment = Some(SentimentLabel::Neutral);
    req.theme = Some("s2".into());
    assert_eq!(ids(&req), keys_to_ids(&["greenshield"]));

    // The raw fields are also reachable from the query syntax.
    assert_eq!(
        ids(&SearchRequest::new("sentiment:negative")),
        keys_to_ids(&["complaint", "weather"])
    );
}

#[test]
fn hits_carry_analysis_fields() {
    let mut req = SearchRequest::new("title:邮政局");
    req.limit = 5;
    let res = fixture().index.search(&req).unwrap();
    assert_eq!(res.hits.len(), 1);
    let h = &res.hits[0];
    assert_eq!(h.themes, ["s4", "s4.i10"]);
    assert_eq!(h.sentiment, Some(SentimentLabel::Neutral));
    assert_eq!(h.sentiment_score, Some(0.0));
    assert_eq!(h.cluster, id("village"));
    assert_eq!(h.cluster_size, 3);
    assert!(res.facets.is_none());

    let res = fixture()
        .index
        .search(&SearchRequest::new("title:投诉"))
        .unwrap();
    let h = &res.hits[0];
    assert_eq!(h.themes, ["s7"]);
    assert_eq!(h.sentiment_score, Some(-0.75));
    // Alone in its story: its own id, size 1.
    assert_eq!(
        (h.cluster.as_str(), h.cluster_size),
        (id("complaint").as_str(), 1)
    );

    let res = fixture()
        .index
        .search(&SearchRequest::new("快递员"))
        .unwrap();
    assert_eq!(res.hits[0].id, id("undated"));
    assert_eq!(res.hits[0].sentiment, None);
    assert_eq!(res.hits[0].sentiment_score, None);
}

#[test]
fn facets_count_every_match() {
    let mut req = SearchRequest::new("");
    req.facets = true;
    req.limit = 2; // facets are over all matches, not the page
    let res = fixture().index.search(&req).unwrap();
    assert_eq!(res.hits.len(), 2);
    let f = res.facets.unwrap();
    assert_eq!(
        counts(&f.theme),
        [("s4", 3), ("s4.i10", 2), ("s2", 1), ("s7", 1)]
    );
    assert_eq!(
        counts(&f.sentiment),
        [("neutral", 10), ("negative", 2), ("positive", 2)]
    );
    assert_eq!(counts(&f.tier), [("central", 12), ("industry", 3)]);
    assert_eq!(
        counts(&f.source),
        [
            ("sina", 3),
            ("spb", 3),
            ("xinhua", 3),
            ("people", 2),
            ("weibo", 2),
            ("blog", 1),
            ("cma", 1)
        ]
    );
    // 14 dated articles on 14 days (02:00 UTC = 10:00 Beijing); the undated one has no day.
    assert_eq!(f.day.len(), 14);
    assert_eq!(counts(&f.day)[0], ("2026-03-01", 1));
    assert!(f.day.iter().all(|d| d.count == 1));

    // With a query and a filter, and counting only (limit 0).
    let mut req = SearchRequest::new("快递");
    req.facets = true;
    req.limit = 0;
    req.tier = Some(Tier::Industry);
    let res = fixture().index.search(&req).unwrap();
    assert_eq!(res.total, 1);
    assert!(res.hits.is_empty());
    let f = res.facets.unwrap();
    assert_eq!(counts(&f.theme), [("s4", 1), ("s4.i10", 1)]);
    assert_eq!(counts(&f.source), [("spb", 1)]);
    assert_eq!(counts(&f.day), [("2026-03-02", 1)]);
}

#[test]
fn collapse_keeps_one_hit_per_cluster() {
    let all = fixture().index.search(&SearchRequest::new("")).unwrap();
    let mut req = SearchRequest::new("");
    req.collapse = true;
    req.limit = 100;
    req.facets = true;
    let res = fixture().index.search(&req).unwrap();
    // 15 articles; village_split + words_apart join village, zto joins sf.
    assert_eq!(all.total, 15);
    assert_eq!(res.total, 12);
    assert_eq!(res.hits.len(), 12);
    let mut clusters: Vec<&str> = res.hits.iter().map(|h| h.cluster.as_str()).collect();
    clusters.sort();
    clusters.dedup();
    assert_eq!(clusters.len(), 12);
    // Facets still count articles, not clusters.
    let f = res.facets.unwrap();
    assert_eq!(counts(&f.tier), [("central", 12), ("industry", 3)]);

    // By relevance the best member represents the cluster: the title match.
    let mut req = SearchRequest::new("快递进村");
    req.collapse = true;
    let res = fixture().index.search(&req).unwrap();
    assert_eq!(res.total, 1);
    assert_eq!(res.hits[0].id, id("village"));
    assert_eq!(res.hits[0].cluster_size, 3);
    assert!(res.hits[0].score > 0.0);

    // By time: the newest member; paging over clusters.
    let mut req = SearchRequest::new("快递");
    req.sort = SortOrder::Time;
    req.collapse = true;
    req.limit = 100;
    let full = fixture().index.search(&req).unwrap();
    let flat = fixture().index.search(&SearchRequest::new("快递")).unwrap();
    // village, village_split and words_apart all mention 快递: two fewer groups.
    assert_eq!(full.total, flat.total - 2);
    let village = full
        .hits
        .iter()
        .find(|h| h.cluster == id("village"))
        .unwrap();
    assert_eq!(village.id, id("words_apart"));
    let times: Vec<_> = full
        .hits
        .iter()
        .map(|h| h.published_at.unwrap_or(day(20)))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    req.offset = 2;
    req.limit = 3;
    let page = fixture().index.search(&req).unwrap();
    let want: Vec<&str> = full.hits[2..5].iter().map(|h| h.id.as_str()).collect();
    let got: Vec<&str> = page.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(got, want);
    assert_eq!(page.total, full.total);
}

#[test]
fn analysis_round_trips() {
    let idx = &fixture().index;
    assert_eq!(
        idx.analysis(&article("village_split").id).unwrap(),
        Some(StoredAnalysis {
            themes: vec!["s4".into(), "s4.i10".into()],
            sentiment: Some(SentimentLabel::Neutral),
            sentiment_score: Some(0.0),
            cluster: id("village"),
        })
    );
    assert_eq!(
        idx.analysis(&article("undated").id).unwrap(),
        Some(StoredAnalysis {
            themes: vec![],
            sentiment: None,
            sentiment_score: None,
            cluster: id("undated"),
        })
    );
    let words_apart = idx.analysis(&article("words_apart").id).unwrap().unwrap();
    assert_eq!(words_apart.themes, ["s4"]);
    assert_eq!(
        idx.analysis(&ArticleId::from_raw("0000000000000000"))
            .unwrap(),
        None
    );
}

#[test]
fn delete_and_beijing_day() {
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::load(None).unwrap();
    let index = ArticleIndex::open(dir.path(), &seg).unwrap();
    let mut late = article("sf");
    // 20:30 UTC on 1 March is 04:30 on 2 March in Beijing.
    late.published_at = Some(Utc.with_ymd_and_hms(2026, 3, 1, 20, 30, 0).unwrap());
    let zto = article("zto");
    let mut w = index.writer(20_000_000).unwrap();
    w.upsert(&late, &analysis("sf")).unwrap();
    w.upsert(&zto, &analysis("zto")).unwrap();
    w.commit().unwrap();
    let mut req = SearchRequest::new("");
    req.facets = true;
    let res = index.search(&req).unwrap();
    let f = res.facets.unwrap();
    assert_eq!(counts(&f.day), [("2026-03-02", 1), ("2026-03-06", 1)]);
    assert_eq!(res.hits[0].cluster_size, 2);

    w.delete(&late.id);
    w.delete(&ArticleId::from_raw("0000000000000000")); // absent: no effect
    w.commit().unwrap();
    assert_eq!(index.num_docs().unwrap(), 1);
    assert_eq!(index.get(&late.id).unwrap(), None);
    let res = index.search(&req).unwrap();
    assert_eq!(res.hits[0].id, zto.id.as_str());
    // The deleted member no longer counts towards the cluster.
    assert_eq!(res.hits[0].cluster_size, 1);
    assert_eq!(counts(&res.facets.unwrap().day), [("2026-03-06", 1)]);
}

#[test]
fn other_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::load(None).unwrap();
    drop(ArticleIndex::open(dir.path(), &seg).unwrap());
    let version = dir.path().join("yuqing_index_version");
    assert_eq!(
        std::fs::read_to_string(&version).unwrap().trim(),
        SCHEMA_VERSION.to_string()
    );
    // Reopening the same version works.
    drop(ArticleIndex::open(dir.path(), &seg).unwrap());
    // An index from before versioning (no file) is refused, naming the directory.
    std::fs::remove_file(&version).unwrap();
    let err = ArticleIndex::open(dir.path(), &seg).unwrap_err();
    match &err {
        IndexError::SchemaVersion {
            found, expected, ..
        } => {
            assert_eq!(found, "1");
            assert_eq!(*expected, SCHEMA_VERSION);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
    // The previous version (word fields with positions) is refused too.
    std::fs::write(&version, "2\n").unwrap();
    assert!(matches!(
        ArticleIndex::open(dir.path(), &seg),
        Err(IndexError::SchemaVersion { found, .. }) if found == "2"
    ));
}

#[test]
fn collapse_and_facets_across_segments() {
    // Each commit makes a segment: a cluster split over three segments is still one group, and
    // facet counts add up over segments.
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::load(None).unwrap();
    let index = ArticleIndex::open(dir.path(), &seg).unwrap();
    let mut w = index.writer(20_000_000).unwrap();
    for keys in [
        &["village", "sf"][..],
        &["village_split", "zto"],
        &["words_apart"],
    ] {
        for k in keys {
            w.upsert(&article(k), &analysis(k)).unwrap();
        }
        w.commit().unwrap();
    }
    let mut req = SearchRequest::new("");
    req.collapse = true;
    req.facets = true;
    req.sort = SortOrder::Time;
    let res = index.search(&req).unwrap();
    assert_eq!(res.total, 2);
    let got: Vec<(&str, u64)> = res
        .hits
        .iter()
        .map(|h| (h.id.as_str(), h.cluster_size))
        .collect();
    // Newest first: zto (day 6) stands for {sf, zto}, words_apart (day 4) for the village story.
    assert_eq!(
        got,
        [(id("zto").as_str(), 2), (id("words_apart").as_str(), 3)]
    );
    let f = res.facets.unwrap();
    assert_eq!(counts(&f.theme), [("s4", 3), ("s4.i10", 2)]);
    assert_eq!(counts(&f.sentiment), [("neutral", 3), ("positive", 2)]);
}

#[test]
fn snippet_of_a_very_long_body_shows_the_deep_match() {
    // A one-line page of ~600 KB whose only mention of the query is far past the head: the
    // snippet is scanned in a window around it (not the whole body) and still highlights it.
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::load(None).unwrap();
    let index = ArticleIndex::open(&dir.path().join("idx"), &seg).unwrap();
    let mut w = index.writer(50_000_000).unwrap();
    let filler = "今日天气晴朗气温适宜。".repeat(10_000);
    let mut a = article("weather");
    a.body = format!("{filler}邮政绿盾工程取得新进展{filler}");
    w.upsert(&a, &Analysis::default()).unwrap();
    w.commit().unwrap();
    let res = index.search(&SearchRequest::new("绿盾")).unwrap();
    assert_eq!(res.total, 1);
    let snip = &res.hits[0].snippet;
    assert!(snip.contains("<em>绿盾</em>"), "{snip}");
    assert!(snip.len() < 2_000, "{}", snip.len());
}
