//! Matching benchmark: every theme of a themes file against ~1.5 KB articles.
//!
//! `cargo run --release -p yuqing-themes --example bench_match [ROUNDS]` (default 20 rounds over
//! all articles). Articles are cut from the cwced bodies in
//! `../shared/data/extraction_zh/cwced/expected.jsonl` (read in place, never copied): the bodies
//! are joined and cut into 1,500-byte pieces on character boundaries; the title is the piece's
//! first 30 characters. Themes: `config/themes.toml` if it exists, else a file generated from
//! `../shared/plans/postal-publicity-plan-2020.txt` (parse_plan + fill_terms + plan_to_toml).
//!
//! Prints µs/article and articles/s on one core, the share of articles matching any item, and
//! for scale the cost of the jieba default cut of the same articles (the index's word field).

use std::time::Instant;

use yuqing_text::{SegmentMode, Segmenter};
use yuqing_themes::{ThemeKind, ThemeSet, fill_terms, parse_plan, plan_to_toml};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/themes.toml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20);
    let seg = Segmenter::load(None)?;
    let (set, source) = if std::path::Path::new(CONFIG).exists() {
        (
            ThemeSet::load(std::path::Path::new(CONFIG))?,
            "config/themes.toml",
        )
    } else {
        let text =
            std::fs::read_to_string(format!("{SHARED}/plans/postal-publicity-plan-2020.txt"))?;
        let mut plan = parse_plan(&text)?;
        fill_terms(&mut plan, &seg);
        (
            ThemeSet::from_toml_str(&plan_to_toml(&plan), "generated")?,
            "generated from the shared plan",
        )
    };
    let items = set
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Item)
        .count();
    println!(
        "themes: {source}: {} themes ({items} items), {} distinct terms",
        set.themes().len(),
        set.term_count()
    );

    let jsonl =
        std::fs::read_to_string(format!("{SHARED}/data/extraction_zh/cwced/expected.jsonl"))
            .map_err(|e| format!("SKIPPED: ../shared/data not found ({e})"))?;
    let mut all = String::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(body) = v.get("expected_content").and_then(|b| b.as_str()) {
            all.push_str(body);
            all.push('\n');
        }
    }
    let mut articles: Vec<(String, String)> = Vec::new();
    let mut piece = String::with_capacity(1600);
    for c in all.chars() {
        piece.push(c);
        if piece.len() >= 1500 {
            let title: String = piece.trim().chars().take(30).collect();
            articles.push((title, std::mem::take(&mut piece)));
        }
    }
    let bytes: usize = articles.iter().map(|(t, b)| t.len() + b.len()).sum();
    println!(
        "articles: {} of {:.0} bytes on average (title + body)",
        articles.len(),
        bytes as f64 / articles.len().max(1) as f64
    );

    // Warm up, count matches.
    let mut matched_item = 0usize;
    let mut matches = 0usize;
    for (t, b) in &articles {
        let m = set.match_article(t, b);
        matches += m.len();
        if m.iter().any(|m| m.theme.contains(".i")) {
            matched_item += 1;
        }
    }
    // The machine is shared: report the fastest round (least disturbed) and the median.
    let mut per_round: Vec<f64> = Vec::with_capacity(rounds);
    let mut sink = 0usize;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for (t, b) in &articles {
            sink += set.match_article(t, b).len();
        }
        per_round.push(start.elapsed().as_secs_f64() * 1e6 / articles.len().max(1) as f64);
    }
    per_round.sort_by(f64::total_cmp);
    let us = per_round.first().copied().unwrap_or(0.0);
    let median = per_round.get(per_round.len() / 2).copied().unwrap_or(0.0);
    println!(
        "match_article: {us:.1} µs/article (best of {} rounds; median {median:.1}), \
         {:.0} articles/s on one core ({sink} matches)",
        per_round.len(),
        1e6 / us
    );
    println!(
        "articles matching any item: {matched_item} of {} ({matches} theme matches)",
        articles.len()
    );

    let mut cut_best = f64::MAX;
    let mut words = 0usize;
    for _ in 0..3 {
        let start = Instant::now();
        words = 0;
        for (t, b) in &articles {
            words +=
                seg.cut(t, SegmentMode::Default).len() + seg.cut(b, SegmentMode::Default).len();
        }
        cut_best = cut_best.min(start.elapsed().as_secs_f64() * 1e6 / articles.len().max(1) as f64);
    }
    println!(
        "for scale: jieba default cut of the same article: {cut_best:.1} µs ({words} words); \
         matching = {:.1} % of that",
        us / cut_best * 100.0
    );
    Ok(())
}
