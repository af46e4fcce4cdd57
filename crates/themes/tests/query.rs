//! The compiled tantivy queries ([`ThemeSet::query`]) hit exactly the articles the matcher
//! ([`ThemeSet::match_article`]) matches, on a real `yuqing-index` index of the 151 hand-written
//! cases of `table.rs`, for every section and item of the shipped `config/themes.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use tantivy::TantivyDocument;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::schema::Value;
use yuqing_index::ArticleIndex;
use yuqing_model::{Analysis, Article, ArticleId, DateSource, Tier};
use yuqing_text::Segmenter;
use yuqing_themes::{ThemeFields, ThemeSet};

// Only title and lead are used here (the expected items are `table.rs`'s business).
#[path = "common/cases.rs"]
#[allow(dead_code)]
mod cases;
use cases::CASES;

fn article(n: usize, title: &str, body: &str) -> Article {
    let url = format!("https://example.test/{n}.html");
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: "test".into(),
        tier: Tier::Industry,
        url: url.clone(),
        canonical_url: url,
        site: "测试".into(),
        title: title.into(),
        author: None,
        editor: None,
        published_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap()),
        date_source: DateSource::Meta,
        body: body.into(),
        fetched_at: Utc.with_ymd_and_hms(2026, 3, 1, 3, 0, 0).unwrap(),
    }
}

/// An index (in a temp dir) of `(title, body)` texts; article n has URL `…/n.html`.
fn index_of(texts: &[(&str, &str)]) -> (tempfile::TempDir, ArticleIndex, Vec<Article>) {
    let dir = tempfile::tempdir().unwrap();
    let index = ArticleIndex::open(dir.path(), &Segmenter::load(None).unwrap()).unwrap();
    let mut w = index.writer(50_000_000).unwrap();
    let articles: Vec<Article> = texts
        .iter()
        .enumerate()
        .map(|(n, (t, b))| article(n, t, b))
        .collect();
    for a in &articles {
        w.upsert(a, &Analysis::default()).unwrap();
    }
    w.commit().unwrap();
    (dir, index, articles)
}

/// Ids of the articles `set`'s query for `theme` hits, best score first.
fn query_hits(index: &ArticleIndex, set: &ThemeSet, theme: &str) -> Vec<(String, f32)> {
    let searcher = index.searcher().unwrap();
    let fields = ThemeFields::from_schema(searcher.schema()).unwrap();
    let id = searcher.schema().get_field("id").unwrap();
    let Some(q) = set.query(theme, &fields) else {
        return Vec::new();
    };
    let top = searcher
        .search(&q, &TopDocs::with_limit(10_000).order_by_score())
        .unwrap();
    let all = searcher.search(&q, &DocSetCollector).unwrap();
    assert_eq!(top.len(), all.len(), "{theme}: every hit is scored");
    top.into_iter()
        .map(|(score, addr)| {
            let doc: TantivyDocument = searcher.doc(addr).unwrap();
            let id = doc.get_first(id).and_then(|v| v.as_str()).unwrap();
            (id.to_string(), score)
        })
        .collect()
}

fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The shipped themes file with `min_score` lowered to 1e-6 everywhere: the query does not
/// apply score thresholds, so this is the rule set whose matches it must equal exactly.
fn without_min_score(text: &str) -> ThemeSet {
    let mut table: toml::Table = text.parse().unwrap();
    for key in ["section", "item"] {
        if let Some(toml::Value::Array(entries)) = table.get_mut(key) {
            for e in entries {
                if let toml::Value::Table(t) = e {
                    t.insert("min_score".into(), toml::Value::Float(1e-6));
                }
            }
        }
    }
    ThemeSet::from_toml_str(&toml::to_string(&table).unwrap(), "themes.toml").unwrap()
}

#[test]
fn compiled_queries_hit_what_the_matcher_matches_on_the_151_cases() {
    let text = std::fs::read_to_string(repo_root().join("config/themes.toml")).unwrap();
    let shipped = ThemeSet::from_toml_str(&text, "themes.toml").unwrap();
    let exact = without_min_score(&text);
    let texts: Vec<(&str, &str)> = CASES.iter().map(|c| (c.title, c.lead)).collect();
    assert!(texts.len() >= 151, "{} cases", texts.len());
    let (_dir, index, articles) = index_of(&texts);
    let matched = |set: &ThemeSet| {
        let mut by_theme: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for a in &articles {
            for m in set.match_article(&a.title, &a.body) {
                by_theme
                    .entry(m.theme)
                    .or_default()
                    .insert(a.id.as_str().to_string());
            }
        }
        by_theme
    };
    let exact_sets = matched(&exact);
    let shipped_sets = matched(&shipped);
    let mut compared = 0;
    let mut below_min = 0;
    for theme in shipped.themes() {
        let hits: BTreeSet<String> = query_hits(&index, &shipped, &theme.id)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let want = exact_sets.get(&theme.id).cloned().unwrap_or_default();
        assert_eq!(
            hits, want,
            "{}: query hits vs matcher without min_score",
            theme.id
        );
        let strict = shipped_sets.get(&theme.id).cloned().unwrap_or_default();
        assert!(strict.is_subset(&hits), "{}: matcher ⊆ query", theme.id);
        below_min += hits.len() - strict.len();
        compared += hits.len();
    }
    println!(
        "query_equivalence: {} themes, {compared} (theme, article) hits equal the matcher's; \
         {below_min} of them fall below min_score",
        shipped.themes().len()
    );
    assert!(compared > 151, "the cases hit themes: {compared}");
}

const EDGE_RULES: &str = r#"
version = 1
[[section]]
id = "s1"
number = 1
name = "边界"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "人民银行"
any = ["人民银行"]
[[item]]
id = "s1.i2"
section = "s1"
number = 2
name = "单字与拉丁"
any = ["a股", "ems", "村"]
weights = { "a股" = 2.0, "ems" = 2.0, "村" = 2.0 }
[[item]]
id = "s1.i3"
section = "s1"
number = 3
name = "组与排除"
any = ["快递"]
all = [["农村", "乡村"]]
not = ["邮政编码"]
title_only = ["进村"]
"#;

#[test]
fn edge_terms_bigrams_lone_characters_latin_words_groups_and_nots() {
    let set = ThemeSet::from_toml_str(EDGE_RULES, "edge.toml").unwrap();
    let texts: &[(&str, &str)] = &[
        ("中国人民银行发布数据", ""),  // 0: 人民银行 inside a longer word
        ("人民 银行", ""),             // 1: separated: no hit
        ("A股市场今日上涨", ""),       // 2: a股 glued to 市 (lone edge char)
        ("systems update", "ems快递"), // 3: ems only as a whole word (body)
        ("农村快递", "乡村快递网点"),  // 4: 村 inside bigrams; s1.i3 all+any
        ("快递进村", "农村快递，邮政编码100000"), // 5: not term excludes s1.i3
        ("进村", "快递员在农村"),      // 6: 快递 in body, group, title-only 进村
        ("体育新闻", "足球比赛"),      // 7: nothing
    ];
    let (_dir, index, articles) = index_of(texts);
    let id = |n: usize| articles[n].id.as_str().to_string();
    for theme in ["s1", "s1.i1", "s1.i2", "s1.i3"] {
        let hits: BTreeSet<String> = query_hits(&index, &set, theme)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let matched: BTreeSet<String> = articles
            .iter()
            .filter(|a| {
                set.match_article(&a.title, &a.body)
                    .iter()
                    .any(|m| m.theme == theme)
            })
            .map(|a| a.id.as_str().to_string())
            .collect();
        // min_score 1.0 holds for every hit here (title hits or weight 2), so sets are equal.
        assert_eq!(hits, matched, "{theme}");
    }
    let hits = |theme: &str| -> BTreeSet<String> {
        query_hits(&index, &set, theme)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    assert_eq!(hits("s1.i1"), BTreeSet::from([id(0)]));
    assert_eq!(
        hits("s1.i2"),
        BTreeSet::from([id(2), id(3), id(4), id(5), id(6)])
    );
    assert_eq!(hits("s1.i3"), BTreeSet::from([id(4), id(6)]));
}

#[test]
fn bm25_ranks_title_and_repeated_mentions_first() {
    let set = ThemeSet::from_toml_str(EDGE_RULES, "edge.toml").unwrap();
    let filler = "今天天气晴朗，市民出行顺利。".repeat(20);
    let once = format!("{filler}中国人民银行发布数据。");
    let thrice = format!("{filler}人民银行、人民银行和人民银行。");
    let texts: &[(&str, &str)] = &[
        ("一般新闻", &once),
        ("一般新闻", &thrice),
        ("人民银行发布数据", &filler),
    ];
    let (_dir, index, articles) = index_of(texts);
    let ranked: Vec<String> = query_hits(&index, &set, "s1.i1")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let id = |n: usize| articles[n].id.as_str().to_string();
    assert_eq!(ranked, vec![id(2), id(1), id(0)]);
    // The section ranks by its best item (DisjunctionMax), so it gives the same order.
    let section: Vec<String> = query_hits(&index, &set, "s1")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(section, ranked);
}

#[test]
fn unknown_theme_and_foreign_schema() {
    let set = ThemeSet::from_toml_str(EDGE_RULES, "edge.toml").unwrap();
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("title", tantivy::schema::TEXT);
    let err = ThemeFields::from_schema(&b.build()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "index schema has no field `id` (expected yuqing-index's schema)"
    );
    let (_dir, index, _) = index_of(&[("人民银行", "")]);
    let searcher = index.searcher().unwrap();
    let fields = ThemeFields::from_schema(searcher.schema()).unwrap();
    assert!(set.query("s9.i9", &fields).is_none());
    assert!(set.query("s1.i1", &fields).is_some());
}
