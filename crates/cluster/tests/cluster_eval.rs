//! Pairwise precision and recall of reprint clustering on real article bodies (read in place
//! from `../shared/data/extraction_zh`), 3–5 generated reprint variants of each, and the
//! project's own same-topic reports (`tests/same_topic.txt`). Prints
//! `cluster_eval: pairs=… precision=… recall=…`; targets (issue 4): precision ≥ 0.95,
//! recall ≥ 0.90.

mod common;

use std::collections::HashMap;

use yuqing_cluster::{
    Clusterer, OwnedStory, StoryText, fingerprint, fingerprint_detail, overlap, same_story,
};
use yuqing_model::ArticleId;

const SEED: u64 = 20_261_130;

/// Clusters `items` in a seeded shuffled order; returns each item's cluster id.
fn run(items: &[common::Item], clusterer: &mut Clusterer, seed: u64) -> Vec<ArticleId> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut rng = common::Rng::new(seed);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let ids: Vec<ArticleId> = (0..items.len())
        .map(|i| ArticleId::from_canonical_url(&format!("https://eval.test/{i}")))
        .collect();
    let mut store: HashMap<ArticleId, OwnedStory> = HashMap::new();
    let mut clusters = vec![ArticleId::from_raw(""); items.len()];
    for &i in &order {
        let it = &items[i];
        let text = StoryText {
            title: &it.title,
            body: &it.body,
        };
        let fp = fingerprint_detail(&it.title, &it.body);
        clusters[i] = clusterer
            .assign(&ids[i], fp, &text, |id| store.get(id).cloned())
            .expect("index not full");
        store.insert(
            ids[i].clone(),
            OwnedStory {
                title: it.title.clone(),
                body: it.body.clone(),
            },
        );
    }
    clusters
}

/// (true positives, false positives, false negatives) over all pairs.
fn pair_counts(items: &[common::Item], clusters: &[ArticleId]) -> (usize, usize, usize) {
    let (mut tp, mut fp, mut fnn) = (0, 0, 0);
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            let truth = items[a].story == items[b].story;
            let pred = clusters[a] == clusters[b];
            match (truth, pred) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fnn += 1,
                _ => {}
            }
        }
    }
    (tp, fp, fnn)
}

#[test]
fn pairwise_precision_and_recall() {
    let Some(data) = common::shared_data() else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let (items, n_orig) = common::eval_set(&data, SEED);
    let n_own = items.iter().filter(|i| i.story.starts_with("own/")).count();
    assert!(n_orig >= 40, "only {n_orig} original stories");
    assert!(n_own >= 40, "only {n_own} same-topic reports");
    let n_variants = items.len() - n_orig - n_own;
    let no_fp = items
        .iter()
        .filter(|i| fingerprint(&i.title, &i.body).is_none())
        .count();

    // Arrival order matters (a reprint is found from the query's weak bits, not the stored
    // article's), so the set is clustered in several seeded orders; the worst order counts.
    let pairs = items.len() * (items.len() - 1) / 2;
    let (mut worst_p, mut worst_r, mut sum_p, mut sum_r) = (1.0f64, 1.0f64, 0.0, 0.0);
    const ORDERS: u64 = 5;
    for order in 0..ORDERS {
        let mut clusterer = Clusterer::new();
        let clusters = run(&items, &mut clusterer, SEED ^ (order + 1));
        let (tp, fp, fnn) = pair_counts(&items, &clusters);
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fnn).max(1) as f64;
        let n_clusters = {
            let mut c = clusters.clone();
            c.sort();
            c.dedup();
            c.len()
        };
        println!(
            "cluster_eval order {order}: clusters={n_clusters} (true {}) tp={tp} fp={fp} fn={fnn} \
             precision={precision:.3} recall={recall:.3}",
            n_orig + n_own
        );
        worst_p = worst_p.min(precision);
        worst_r = worst_r.min(recall);
        sum_p += precision;
        sum_r += recall;
        if order == 0 {
            show_wrong_pairs(&items, &clusters);
        }
    }
    let true_pairs: usize = {
        let mut n = 0;
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                n += usize::from(items[a].story == items[b].story);
            }
        }
        n
    };
    println!(
        "cluster_eval: items={} originals={n_orig} variants={n_variants} same_topic={n_own} \
         no_fingerprint={no_fp} orders={ORDERS}",
        items.len()
    );
    println!(
        "cluster_eval: pairs={pairs} true_pairs={true_pairs} precision={worst_p:.3} \
         recall={worst_r:.3} (worst order; mean precision={:.3} recall={:.3})",
        sum_p / ORDERS as f64,
        sum_r / ORDERS as f64
    );
    assert!(worst_p >= 0.95, "precision {worst_p:.3} < 0.95");
    assert!(worst_r >= 0.90, "recall {worst_r:.3} < 0.90");
}

/// Prints the first 20 wrong pairs with their overlap figures, to see why.
fn show_wrong_pairs(items: &[common::Item], clusters: &[ArticleId]) {
    let mut shown = 0;
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            if shown < 20 && (items[a].story == items[b].story) != (clusters[a] == clusters[b]) {
                shown += 1;
                let o = overlap(
                    &StoryText {
                        title: &items[a].title,
                        body: &items[a].body,
                    },
                    &StoryText {
                        title: &items[b].title,
                        body: &items[b].body,
                    },
                );
                let kind = if clusters[a] == clusters[b] {
                    "merged"
                } else {
                    "split"
                };
                let d = match (
                    fingerprint(&items[a].title, &items[a].body),
                    fingerprint(&items[b].title, &items[b].body),
                ) {
                    (Some(x), Some(y)) => (x ^ y).count_ones(),
                    _ => 64,
                };
                println!(
                    "  {kind}: {} vs {} ({d} bits): {o:?}",
                    items[a].story, items[b].story
                );
            }
        }
    }
}

/// Every pair of the project's own same-topic reports directly through `same_story` (no
/// fingerprint shortcut): none may be merged.
#[test]
fn same_topic_reports_stay_apart() {
    let own = common::same_topic();
    assert!(own.len() >= 40, "only {} reports", own.len());
    let mut merged = Vec::new();
    let mut max_contain: f64 = 0.0;
    for a in 0..own.len() {
        for b in a + 1..own.len() {
            let ta = StoryText {
                title: &own[a].title,
                body: &own[a].body,
            };
            let tb = StoryText {
                title: &own[b].title,
                body: &own[b].body,
            };
            max_contain = max_contain.max(overlap(&ta, &tb).containment);
            if same_story(&ta, &tb) {
                merged.push((own[a].title.clone(), own[b].title.clone()));
            }
        }
    }
    println!(
        "same_topic: reports={} max_containment={max_contain:.3}",
        own.len()
    );
    assert!(merged.is_empty(), "merged: {merged:?}");
}

/// Every generated variant against its original directly through `same_story`.
#[test]
fn variants_confirmed_against_original() {
    let Some(data) = common::shared_data() else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let mut rng = common::Rng::new(SEED ^ 2);
    let (mut ok, mut total) = (0, 0);
    let mut min_contain: f64 = 1.0;
    for o in common::originals(&data) {
        for _ in 0..4 {
            let v = common::variant(&mut rng, &o);
            let ta = StoryText {
                title: &o.title,
                body: &o.body,
            };
            let tb = StoryText {
                title: &v.title,
                body: &v.body,
            };
            min_contain = min_contain.min(overlap(&ta, &tb).containment);
            total += 1;
            if same_story(&ta, &tb) {
                ok += 1;
            }
        }
    }
    let share = ok as f64 / total as f64;
    println!("variants: confirmed {ok}/{total} ({share:.3}) min_containment={min_contain:.3}");
    assert!(share >= 0.97, "only {ok}/{total} variants confirmed");
}

/// Needs no shared data: the project's own short same-topic reports as originals, 3–5 reprint
/// variants of each. Harder for precision than the main set (every story has same-topic
/// neighbours whose variants get the same chrome, notes and ads) and for recall (reports of
/// 150–250 characters, so an added ad or note is a larger share of the text).
///
/// Known weakness: recall here is 0.708, below the 0.90 target (which the main set
/// meets): the fingerprint of a short text moves too far for the multi-probe lookup, and past
/// 12 bits for a third of the reprint pairs. The recall bound below guards against
/// regressions (0.708 with the radius pass, 0.641 if it probed 1 bit per band instead of 2,
/// 0.576 without it), it is not the target.
#[test]
fn own_reports_with_variants() {
    let own = common::same_topic();
    let mut rng = common::Rng::new(SEED ^ 3);
    let mut items = Vec::new();
    for o in &own {
        items.push(o.clone());
        for _ in 0..3 + rng.below(3) {
            items.push(common::variant(&mut rng, o));
        }
    }
    let mut clusterer = Clusterer::new();
    let clusters = run(&items, &mut clusterer, SEED ^ 4);
    let (tp, fp, fnn) = pair_counts(&items, &clusters);
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fnn).max(1) as f64;
    println!(
        "cluster_eval_own: items={} stories={} tp={tp} fp={fp} fn={fnn} precision={precision:.3} recall={recall:.3}",
        items.len(),
        own.len()
    );
    show_wrong_pairs(&items, &clusters);
    assert!(precision >= 0.95, "precision {precision:.3} < 0.95");
    assert!(
        recall >= 0.70,
        "recall {recall:.3} < 0.70 (regression on short texts)"
    );
}

/// The index widens its keys as it grows (19 bits from 524,289 to 1,048,576 stored
/// fingerprints, 20 up to 2,097,152), and a wider key reaches fewer reprints per probe. This
/// clusters both sets with the key width fixed as in such large indexes, so the recall that
/// holds at 1,000,000 stored articles is measured, not only the recall of a small index
/// (`cluster_eval_wide:` lines). Targets as above for the main set (worst of 5 orders).
#[test]
fn recall_with_the_key_width_of_a_large_index() {
    let Some(data) = common::shared_data() else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let (items, _) = common::eval_set(&data, SEED);
    let own = {
        let own = common::same_topic();
        let mut rng = common::Rng::new(SEED ^ 3);
        let mut v = Vec::new();
        for o in &own {
            v.push(o.clone());
            for _ in 0..3 + rng.below(3) {
                v.push(common::variant(&mut rng, o));
            }
        }
        v
    };
    for bits in [19u32, 20] {
        let (mut worst_p, mut worst_r) = (1.0f64, 1.0f64);
        for order in 0..5u64 {
            let mut clusterer = Clusterer::with_key_bits(bits);
            let clusters = run(&items, &mut clusterer, SEED ^ (order + 1));
            let (tp, fp, fnn) = pair_counts(&items, &clusters);
            worst_p = worst_p.min(tp as f64 / (tp + fp).max(1) as f64);
            worst_r = worst_r.min(tp as f64 / (tp + fnn).max(1) as f64);
        }
        let mut clusterer = Clusterer::with_key_bits(bits);
        let clusters = run(&own, &mut clusterer, SEED ^ 4);
        let (tp, fp, fnn) = pair_counts(&own, &clusters);
        let own_p = tp as f64 / (tp + fp).max(1) as f64;
        let own_r = tp as f64 / (tp + fnn).max(1) as f64;
        println!(
            "cluster_eval_wide: key_bits={bits} main precision={worst_p:.3} recall={worst_r:.3} \
             (worst of 5 orders); own short reports precision={own_p:.3} recall={own_r:.3}"
        );
        assert!(
            worst_p >= 0.95,
            "{bits} bits: precision {worst_p:.3} < 0.95"
        );
        assert!(worst_r >= 0.90, "{bits} bits: recall {worst_r:.3} < 0.90");
        assert!(
            own_p >= 0.95,
            "{bits} bits: own precision {own_p:.3} < 0.95"
        );
    }
}
