//! `themes rematch` by candidates (only changed themes, only the articles their compiled
//! queries or current members give) ends in exactly the state a full rescan gives, after each
//! of a series of rule edits: every stored match (theme, score, hits), the index's theme
//! facets, and the per-theme added/removed counts.
//!
//! Corpus: the 151 hand-written cases of `crates/themes/tests/table.rs` (headline + lead), each
//! also as a longer variant with the lead repeated (so body counts and scores differ), ingested
//! twice into two data directories with the shipped `config/`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use yuqing_index::SearchRequest;
use yuqing_model::{Article, Tier};
use yuqing_pipeline::{Pipeline, RematchReport};
use yuqing_testkit::{config_with_data_dir, copy_dir};

#[path = "../../themes/tests/common/cases.rs"]
#[allow(dead_code)]
mod cases;

fn article(n: usize, title: &str, body: String) -> Article {
    let url = format!("https://rematch.example.cn/{n}.html");
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap() + Duration::minutes(n as i64);
    Article {
        tier: Tier::ALL[n % Tier::ALL.len()],
        ..yuqing_testkit::article(&url, title, body, at)
    }
}

fn corpus() -> Vec<Article> {
    let mut out = Vec::new();
    for (i, c) in cases::CASES.iter().enumerate() {
        out.push(article(2 * i, c.title, c.lead.to_string()));
        out.push(article(
            2 * i + 1,
            "今日要闻",
            format!("{}{}{}", c.title, c.lead, c.lead),
        ));
    }
    out
}

fn open(cfg: &Path, data: &Path) -> Pipeline {
    Pipeline::open(config_with_data_dir(&cfg.join("yuqing.toml"), data)).unwrap()
}

/// Every stored match: article id → [(theme, score, hits as `field:term×count`)].
fn stored(p: &Pipeline) -> BTreeMap<String, Vec<(String, String, Vec<String>)>> {
    let mut out = BTreeMap::new();
    for a in corpus() {
        let matches = p.store().theme_matches(&a.id).unwrap();
        if matches.is_empty() {
            continue;
        }
        let v = matches
            .into_iter()
            .map(|m| {
                let hits = m
                    .hits
                    .iter()
                    .map(|h| format!("{:?}:{}×{}", h.field, h.term, h.count))
                    .collect();
                (m.theme, format!("{:.5}", m.score), hits)
            })
            .collect();
        out.insert(a.id.to_string(), v);
    }
    out
}

/// Index facet counts per theme over all articles.
fn facets(p: &Pipeline) -> Vec<(String, u64)> {
    let mut req = SearchRequest::new("");
    req.limit = 0;
    req.facets = true;
    let f = p.index().search(&req).unwrap().facets.unwrap();
    f.theme.into_iter().map(|c| (c.key, c.count)).collect()
}

/// Inserts `insert` after the first `after` inside the block whose id line is `id = "<id>"`.
fn edit_block(text: &str, id: &str, after: &str, insert: &str) -> String {
    let start = text.find(&format!("id = \"{id}\"\n")).unwrap();
    let at = start + text[start..].find(after).unwrap() + after.len();
    format!("{}{insert}{}", &text[..at], &text[at..])
}

/// Removes the `[[item]]` block of `id`.
fn drop_item(text: &str, id: &str) -> String {
    let start = text.find(&format!("id = \"{id}\"\n")).unwrap();
    let block = text[..start].rfind("[[item]]").unwrap();
    let end = start
        + text[start..]
            .find("\n[[")
            .map_or(text.len() - start, |e| e + 1);
    format!("{}{}", &text[..block], &text[end..])
}

#[test]
fn rematch_by_candidates_equals_a_full_rescan_after_each_edit() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    copy_dir(&root.join("config"), &cfg);
    let (inc_data, full_data) = (dir.path().join("inc"), dir.path().join("full"));
    let articles = corpus();
    for data in [&inc_data, &full_data] {
        let p = open(&cfg, data);
        p.ingest(vec![articles.clone()]).unwrap();
    }
    // The first rematch has no fingerprints to compare with: it rescans everything.
    let first = open(&cfg, &inc_data).rematch().unwrap();
    assert!(first.full, "{first:?}");
    assert_eq!(first.articles, articles.len() as u64);
    assert_eq!((first.reindexed, first.rewritten), (0, 0), "{first:?}");
    // Unchanged rules: nothing is read.
    let again = open(&cfg, &inc_data).rematch().unwrap();
    assert!(!again.full && again.changed_themes.is_empty());
    assert_eq!((again.articles, again.reindexed), (0, 0));

    let path = cfg.join("themes.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    let broad = edit_block(&original, "s1", "\n", "any = [\"快递\", \"邮政\"]\n");
    let narrowed = edit_block(
        &broad,
        "s4.i10",
        "\n",
        "not = [\"快递员\"]\nmin_score = 2.5\n",
    );
    let weighted = edit_block(&narrowed, "s3.i9", "\n", "min_score = 3.0\n");
    let dropped = drop_item(&weighted, "s6.i16");
    let edits: [(&str, &str, &[&str]); 5] = [
        ("broad section rule", &broad, &["s1"]),
        ("not term and min_score", &narrowed, &["s4.i10"]),
        ("higher min_score", &weighted, &["s3.i9"]),
        ("item removed", &dropped, &["s6.i16"]),
        (
            "back to the original",
            &original,
            &["s1", "s3.i9", "s4.i10", "s6.i16"],
        ),
    ];
    let mut total_articles = 0;
    for (name, text, changed) in edits {
        std::fs::write(&path, text).unwrap();
        let inc = open(&cfg, &inc_data);
        let full = open(&cfg, &full_data);
        let r_inc: RematchReport = inc.rematch().unwrap();
        let r_full: RematchReport = full.rematch_full().unwrap();
        assert!(!r_inc.full && r_full.full, "{name}");
        let mut got = r_inc.changed_themes.clone();
        got.sort();
        let mut want: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{name}: changed themes");
        assert_eq!(r_full.articles, articles.len() as u64, "{name}");
        assert!(r_inc.articles < r_full.articles, "{name}: {r_inc:?}");
        assert_eq!(stored(&inc), stored(&full), "{name}: stored matches");
        assert_eq!(facets(&inc), facets(&full), "{name}: index facets");
        assert_eq!(
            (&r_inc.added, &r_inc.removed, r_inc.reindexed),
            (&r_full.added, &r_full.removed, r_full.reindexed),
            "{name}: report"
        );
        println!(
            "rematch_equivalence: {name}: {} of {} articles re-matched, {} re-indexed, added {:?}, removed {:?}",
            r_inc.articles, r_full.articles, r_inc.reindexed, r_inc.added, r_inc.removed
        );
        total_articles += r_inc.articles;
        let changes: u64 = r_inc.added.values().chain(r_inc.removed.values()).sum();
        assert!(changes > 0, "{name}: the edit changes matches");
    }
    assert!(total_articles > 0);
}
