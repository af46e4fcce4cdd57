//! Evaluation of the shipped rules `config/themes.toml` on a hand-written table.
//!
//! Each case is a realistic headline plus first sentence (written for this test, not taken from
//! any corpus) and the set of plan ITEMS a press-office analyst would file it under (sections are
//! derived from items, so they are not listed). The table covers every one of the 29 items at
//! least twice, near misses (the topic word without the postal industry, or the postal industry
//! without the topic) and texts that must match nothing (sports, property, stock market,
//! 邮政编码 / 电子邮件 mentions, 邮储银行 banking news).
//!
//! Caveat: the rules and the first 121 cases were written by the same person and the rules were
//! refined on them, so the figure there is optimistic. Two batches were written before looking
//! at what the rules do with them and scored on their first run: 18 "harder phrasings"
//! (4 misses, 1 false alarm) and the 30-case "second held-out batch" (precision 0.923,
//! recall 0.857, micro-F1 0.889); the rules were fixed afterwards, so those too now pass.
//!
//! Printed: every case whose predicted item set differs, per-item misses and false alarms, and
//! `theme_eval: precision=… recall=… micro_f1=…` over (case, item) pairs.
//! Asserted: micro-F1 ≥ 0.85 (the target of issue 3) and at least one true positive per item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use yuqing_themes::{ThemeKind, ThemeSet};

#[path = "common/cases.rs"]
mod cases;
use cases::CASES;

fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn load_shipped() -> ThemeSet {
    let path = repo_root().join("config/themes.toml");
    match ThemeSet::load(&path) {
        Ok(set) => set,
        Err(e) => panic!("{} does not load: {e}", path.display()),
    }
}

/// Item ids a text matches (sections dropped: they are derived from items).
fn predicted_items(set: &ThemeSet, title: &str, lead: &str) -> BTreeSet<String> {
    set.match_article(title, lead)
        .into_iter()
        .filter(|m| {
            set.theme(&m.theme)
                .is_some_and(|t| t.kind == ThemeKind::Item)
        })
        .map(|m| m.theme)
        .collect()
}

#[test]
fn shipped_themes_load_with_10_sections_and_29_items() {
    let set = load_shipped();
    let sections: Vec<_> = set
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
        .collect();
    let items: Vec<_> = set
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Item)
        .collect();
    assert_eq!(sections.len(), 10);
    assert_eq!(items.len(), 29);
    assert_eq!(
        set.plan_name(),
        Some("2020年全国邮政管理系统新闻宣传工作要点")
    );
    // Numbering exactly as in the plan: sections 1..=10, items 1..=29 continuously, each item's
    // id `s<section>.i<number>`.
    let numbers: Vec<u32> = sections.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    let numbers: Vec<u32> = items.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=29).collect::<Vec<_>>());
    for t in &items {
        assert_eq!(t.id, format!("{}.i{}", t.section, t.number));
    }
    // Item count per section as in the plan: 3 3 3 2 2 3 3 4 3 3.
    let per_section: Vec<usize> = sections
        .iter()
        .map(|s| items.iter().filter(|i| i.section == s.id).count())
        .collect();
    assert_eq!(per_section, [3, 3, 3, 2, 2, 3, 3, 4, 3, 3]);
    assert_eq!(
        set.theme("s1").map(|t| t.name.as_str()),
        Some("坚持不懈推进习近平新时代中国特色社会主义思想学习宣传贯彻")
    );
    assert_eq!(
        set.theme("s8").map(|t| t.name.as_str()),
        Some("做好依法治邮进一步提升行业治理体系和治理能力现代化水平的宣传报道")
    );
}

#[test]
fn table_covers_every_item_twice_and_has_negatives() {
    let set = load_shipped();
    assert!(CASES.len() >= 80, "only {} cases", CASES.len());
    let negatives = CASES.iter().filter(|c| c.expect.is_empty()).count();
    assert!(negatives >= 10, "only {negatives} must-match-nothing cases");
    for theme in set.themes().iter().filter(|t| t.kind == ThemeKind::Item) {
        let n = CASES
            .iter()
            .filter(|c| c.expect.contains(&theme.id.as_str()))
            .count();
        assert!(n >= 2, "{} has only {n} positive cases", theme.id);
    }
    for c in CASES {
        for id in c.expect {
            assert!(
                set.theme(id).is_some(),
                "case {:?} expects unknown {id}",
                c.title
            );
        }
    }
}

#[test]
fn theme_eval_micro_f1() {
    let set = load_shipped();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    // item id -> (true positives, misses, false alarms)
    let mut per_item: BTreeMap<String, (usize, Vec<&str>, Vec<&str>)> = set
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Item)
        .map(|t| (t.id.clone(), (0, Vec::new(), Vec::new())))
        .collect();
    for c in CASES {
        let got = predicted_items(&set, c.title, c.lead);
        let want: BTreeSet<String> = c.expect.iter().map(|s| s.to_string()).collect();
        for id in got.union(&want) {
            let entry = per_item
                .get_mut(id)
                .unwrap_or_else(|| panic!("unknown item {id}"));
            match (got.contains(id), want.contains(id)) {
                (true, true) => {
                    tp += 1;
                    entry.0 += 1;
                }
                (true, false) => {
                    fp += 1;
                    entry.2.push(c.title);
                }
                (false, true) => {
                    fn_ += 1;
                    entry.1.push(c.title);
                }
                (false, false) => {}
            }
        }
        if got != want {
            println!("case {:?}: expected {want:?}, got {got:?}", c.title);
        }
    }
    let mut no_tp = Vec::new();
    for (id, (hits, misses, alarms)) in &per_item {
        if !misses.is_empty() || !alarms.is_empty() {
            println!("{id}: tp={hits} missed={misses:?} false_alarms={alarms:?}");
        }
        if *hits == 0 {
            no_tp.push(id.clone());
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    println!(
        "theme_eval: cases={} tp={tp} fp={fp} fn={fn_} precision={precision:.3} recall={recall:.3} micro_f1={f1:.3}",
        CASES.len()
    );
    assert!(no_tp.is_empty(), "items without a true positive: {no_tp:?}");
    assert!(f1 >= 0.85, "micro-F1 {f1:.3} below the 0.85 target");
}

#[test]
fn must_match_nothing_cases_match_no_section_either() {
    // Sections are derived from items, but a section may also have terms of its own: a text
    // that matches no item must match no theme at all.
    let set = load_shipped();
    let mut wrong = Vec::new();
    for c in CASES.iter().filter(|c| c.expect.is_empty()) {
        let got: Vec<String> = set
            .match_article(c.title, c.lead)
            .into_iter()
            .map(|m| m.theme)
            .collect();
        if !got.is_empty() {
            wrong.push(format!("{:?} -> {got:?}", c.title));
        }
    }
    assert!(
        wrong.is_empty(),
        "must-match-nothing texts matched: {wrong:#?}"
    );
}
