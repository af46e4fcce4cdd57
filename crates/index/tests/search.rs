//! Search acceptance: 15 hand-written Chinese articles indexed into a tempdir; each query must
//! hit exactly the expected ids.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use yuqing_index::{ArticleIndex, IndexError, SearchRequest, SortOrder};
use yuqing_model::{Article, ArticleId, DateSource, Tier};
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
            w.upsert(&article(a.0)).unwrap();
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
        w.upsert(&a).unwrap();
        w.commit().unwrap();
        a.title = "顺丰更新后的标题".into();
        w.upsert(&a).unwrap();
        w.upsert(&a).unwrap();
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
