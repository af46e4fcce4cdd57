//! Matching benchmark: every theme of a themes file against ~1.5 KB articles.
//!
//! `cargo run --release -p yuqing-themes --example bench_match [ROUNDS]` (default 20 rounds over
//! all articles). Articles are cut from the cwced bodies in
//! `../shared/data/extraction_zh/cwced/expected.jsonl` (read in place, never copied): the bodies
//! are joined and cut into 1,500-byte pieces on character boundaries; the title is the piece's
//! first 30 characters. A second, postal-heavy set leads each piece with a plan item (title =
//! the item title, body = item text + piece, cut at 1,500 bytes) so most articles match several
//! themes and evidence is built. Themes: `config/themes.toml` if it exists, else a file
//! generated from `../shared/plans/postal-publicity-plan-2020.txt` (parse_plan + fill_terms +
//! plan_to_toml).
//!
//! Prints, per set, µs/article (fastest round: the machine is shared, the fastest round is the
//! least disturbed; and the median) and articles/s on one core, how many articles match an
//! item, and for scale the cost of the jieba default cut of the same articles (the index's word
//! field does that work at ingest).

use std::time::Instant;

use yuqing_text::{SegmentMode, Segmenter};
use yuqing_themes::{ThemeKind, ThemeSet, fill_terms, parse_plan, plan_to_toml};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/themes.toml");

type Articles = Vec<(String, String)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20)
        .max(1);
    let plan_text =
        std::fs::read_to_string(format!("{SHARED}/plans/postal-publicity-plan-2020.txt"))
            .map_err(|e| format!("SKIPPED: ../shared/plans not found ({e})"))?;
    let jsonl =
        std::fs::read_to_string(format!("{SHARED}/data/extraction_zh/cwced/expected.jsonl"))
            .map_err(|e| format!("SKIPPED: ../shared/data not found ({e})"))?;
    let seg = Segmenter::load(None)?;
    let mut plan = parse_plan(&plan_text)?;
    let (set, source) = if std::path::Path::new(CONFIG).exists() {
        (
            ThemeSet::load(std::path::Path::new(CONFIG))?,
            "config/themes.toml",
        )
    } else {
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

    let general = cwced_pieces(&jsonl)?;
    let bytes: usize = general.iter().map(|(t, b)| t.len() + b.len()).sum();
    println!(
        "articles: {} of {:.0} bytes on average (title + body)",
        general.len(),
        bytes as f64 / general.len().max(1) as f64
    );
    let best = report("cwced pieces (general news)", &set, &general, rounds);

    let leads: Vec<(&str, &str)> = plan
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| (i.title.as_str(), i.text.as_str())))
        .collect();
    let postal: Articles = general
        .iter()
        .zip(leads.iter().cycle())
        .map(|((_, piece), (title, lead))| {
            let mut body = String::with_capacity(1600);
            body.push_str(lead);
            body.push('\n');
            for c in piece.chars() {
                if body.len() >= 1500 {
                    break;
                }
                body.push(c);
            }
            (title.to_string(), body)
        })
        .collect();
    report("plan-item lead + cwced (postal)", &set, &postal, rounds);

    let mut cut_best = f64::MAX;
    let mut words = 0usize;
    for _ in 0..3 {
        let start = Instant::now();
        words = 0;
        for (t, b) in &general {
            words +=
                seg.cut(t, SegmentMode::Default).len() + seg.cut(b, SegmentMode::Default).len();
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / general.len().max(1) as f64;
        cut_best = cut_best.min(us);
    }
    println!(
        "for scale: jieba default cut of the same general articles: {cut_best:.1} µs \
         ({words} words); matching = {:.1} % of that",
        best / cut_best * 100.0
    );
    Ok(())
}

/// The cwced bodies joined and cut into ~1,500-byte pieces; title = first 30 characters.
fn cwced_pieces(jsonl: &str) -> Result<Articles, serde_json::Error> {
    let mut all = String::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(body) = v.get("expected_content").and_then(|b| b.as_str()) {
            all.push_str(body);
            all.push('\n');
        }
    }
    let mut articles = Vec::new();
    let mut piece = String::with_capacity(1600);
    for c in all.chars() {
        piece.push(c);
        if piece.len() >= 1500 {
            let title: String = piece.trim().chars().take(30).collect();
            articles.push((title, std::mem::take(&mut piece)));
        }
    }
    Ok(articles)
}

/// Times `rounds` passes over `articles`, prints the figures, returns the fastest µs/article.
fn report(label: &str, set: &ThemeSet, articles: &[(String, String)], rounds: usize) -> f64 {
    let mut matched_item = 0usize;
    let mut matches = 0usize;
    for (t, b) in articles {
        let m = set.match_article(t, b);
        matches += m.len();
        if m.iter().any(|m| m.theme.contains(".i")) {
            matched_item += 1;
        }
    }
    let mut per_round: Vec<f64> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut sink = 0usize;
        for (t, b) in articles {
            sink += set.match_article(t, b).len();
        }
        std::hint::black_box(sink);
        per_round.push(start.elapsed().as_secs_f64() * 1e6 / articles.len().max(1) as f64);
    }
    per_round.sort_by(f64::total_cmp);
    let best = per_round.first().copied().unwrap_or(0.0);
    let median = per_round.get(per_round.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{label}: {best:.1} µs/article (best of {rounds} rounds; median {median:.1}), \
         {:.0} articles/s on one core; {matched_item} of {} articles match an item \
         ({matches} theme matches)",
        1e6 / best,
        articles.len()
    );
    best
}
