//! Analysis benchmark (issues 3 and 4): what theme matching, lexicon sentiment, the SimHash
//! fingerprint and reprint clustering cost per article, and what share of ingest they are.
//!
//! Generates N articles (default 20,000) of ~1.5 KB of varied Chinese news text: sentences of
//! `../shared/data/extraction_zh/cwced/expected.jsonl` (read in place, never copied; built-in
//! sentences when absent) mixed with postal-topic sentences in about a third of the articles
//! (so plan themes match a realistic share), and about 15 % reprints (an earlier article with a
//! source line prepended and one sentence dropped, under a new URL) so clusters form.
//!
//! Prints:
//! 1. single-core µs per article of each stage (`ThemeSet::match_article`, `Model::analyze`
//!    with the shipped lexicon, `fingerprint_detail`, `Clusterer::assign` with an in-memory
//!    lookup), wall-clock and thread CPU time;
//! 2. `Pipeline::ingest` (segment + index + store + analysis, all cores) in batches of 1,000
//!    into a fresh data directory: articles/s and process CPU µs per article, with the shipped
//!    config and with themes off (`analysis.themes_file` pointing at a missing file);
//! 3. the analysis share: stage CPU µs / ingest CPU µs per article.
//!
//! With `--mix`, about half the articles get their body doubled (about 3 KB, past
//! `yuqing_cluster::RADIUS_PASS_MAX_BYTES`), so half are short stories that take the cluster
//! radius pass and half are long ones that do not; without it every article is short (~1.5 KB).
//!
//! With `--preload M`, the clusterer holds M random fingerprints (random ids, never
//! candidates' text: the lookup finds none of them) before the N articles are assigned, so
//! the assignment figure is what it costs with M articles stored (the "1M stored").
//!
//! `cargo run --release -p yuqing-pipeline --example bench_analysis [-- N] [--mix] [--preload M]`
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use yuqing_cluster::{Clusterer, OwnedStory, StoryText};
use yuqing_model::{Article, ArticleId};
use yuqing_store::UpsertOutcome;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::*;
#[path = "common/procstat.rs"]
mod procstat;
use procstat::{cpu_secs, loadavg};

fn process_cpu() -> f64 {
    cpu_secs("/proc/self/stat")
}

fn thread_cpu() -> f64 {
    cpu_secs("/proc/thread-self/stat")
}

struct IngestRun {
    wall: f64,
    cpu: f64,
    new: usize,
}

fn ingest(
    cfg: &Path,
    data: &Path,
    themes_off: bool,
    articles: &[Article],
) -> Result<IngestRun, Box<dyn std::error::Error>> {
    let pipeline = open(cfg, data, themes_off)?;
    assert_eq!(pipeline.analyzer().themes().is_none(), themes_off);
    let c0 = process_cpu();
    let t = Instant::now();
    // The clone of each batch is part of the generator's cost, not measured separately; it is
    // a memcpy of 1.5 MB per batch, negligible next to segmentation.
    let outcomes = pipeline.ingest(articles.chunks(1000).map(|c| c.to_vec()))?;
    let wall = t.elapsed().as_secs_f64();
    let cpu = process_cpu() - c0;
    let new = outcomes
        .iter()
        .filter(|o| matches!(o, UpsertOutcome::New))
        .count();
    Ok(IngestRun { wall, cpu, new })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let preload: usize = args
        .iter()
        .position(|a| a == "--preload")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let n: usize = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || args[i - 1] != "--preload")
        .find_map(|(_, a)| a.parse().ok())
        .unwrap_or(20_000);
    let mix = std::env::args().any(|a| a == "--mix");
    let (mut articles, reprints) = articles(n, 20261130);
    if mix {
        // About half the stories long: the body doubled when the headline's hash is odd (a
        // reprint keeps its original's headline, so both sides of a reprint pair change alike
        // and stay near-duplicates).
        for a in &mut articles {
            let h = a.title.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
            if h & 1 == 1 {
                a.body = format!("{}\n{}", a.body, a.body);
            }
        }
    }
    let bytes: usize = articles.iter().map(|a| a.title.len() + a.body.len()).sum();
    let short = articles
        .iter()
        .filter(|a| a.body.len() < yuqing_cluster::RADIUS_PASS_MAX_BYTES)
        .count();
    println!(
        "bench_analysis: {n} articles ({reprints} reprints), mean {:.0} bytes of text, {short} short (body < {} bytes: the cluster radius pass runs for them); load {}",
        bytes as f64 / n as f64,
        yuqing_cluster::RADIUS_PASS_MAX_BYTES,
        loadavg()
    );

    let dir = tempfile::tempdir()?;
    let cfg = dir.path().join("config");
    copy_config(&cfg)?;

    // 1. Single-core stage costs, with the analyzer the pipeline loads.
    let pipeline = open(&cfg, &dir.path().join("probe"), false)?;
    let analyzer = pipeline.analyzer();
    let Some(themes) = analyzer.themes() else {
        return Err("shipped themes.toml did not load".into());
    };
    let per = |wall: f64, cpu: f64| (wall * 1e6 / n as f64, cpu * 1e6 / n as f64);

    let (c0, t) = (thread_cpu(), Instant::now());
    let mut matched = 0usize;
    let mut theme_hits: HashMap<String, usize> = HashMap::new();
    for a in &articles {
        let m = themes.match_article(&a.title, &a.body);
        if !m.is_empty() {
            matched += 1;
        }
        for tm in m {
            *theme_hits.entry(tm.theme).or_default() += 1;
        }
    }
    let themes_us = per(t.elapsed().as_secs_f64(), thread_cpu() - c0);

    let model = analyzer.sentiment_model();
    let (c0, t) = (thread_cpu(), Instant::now());
    let mut labels = [0usize; 3];
    for a in &articles {
        let s = model.analyze(&a.title, &a.body);
        labels[s.label as usize] += 1;
    }
    let sentiment_us = per(t.elapsed().as_secs_f64(), thread_cpu() - c0);

    let (c0, t) = (thread_cpu(), Instant::now());
    let fps: Vec<_> = articles
        .iter()
        .map(|a| yuqing_cluster::fingerprint_detail(&a.title, &a.body))
        .collect();
    let fp_us = per(t.elapsed().as_secs_f64(), thread_cpu() - c0);

    let by_id: HashMap<&ArticleId, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id, i))
        .collect();
    let mut clusterer = Clusterer::new();
    if preload > 0 {
        // SplitMix64 fingerprints under ids no article has: stored rows the lookup finds no
        // text for (a candidate among them is skipped, as a deleted row would be).
        let mut x = 0x5EED_u64;
        let t = Instant::now();
        for k in 0..preload {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let id = ArticleId::from_raw(format!("{:016x}", k as u64 | 1 << 63));
            clusterer.restore(&id, z ^ (z >> 31), &id)?;
        }
        println!(
            "preloaded {preload} fingerprints in {:.2} s (key bits {}, index heap {:.0} MB)",
            t.elapsed().as_secs_f64(),
            clusterer.index().key_bits(),
            clusterer.index().heap_bytes() as f64 / 1e6
        );
    }
    let (c0, t) = (thread_cpu(), Instant::now());
    let mut joined = 0usize;
    // Candidate texts loaded (each then compared by `same_story`): the confirmation share.
    let mut loads = 0usize;
    for (a, fp) in articles.iter().zip(&fps) {
        let lookup = |id: &ArticleId| {
            loads += 1;
            by_id.get(id).map(|&j| OwnedStory {
                title: articles[j].title.clone(),
                body: articles[j].body.clone(),
            })
        };
        let text = StoryText {
            title: &a.title,
            body: &a.body,
        };
        let cluster = clusterer.assign(&a.id, *fp, &text, lookup)?;
        if cluster != a.id {
            joined += 1;
        }
    }
    let cluster_us = per(t.elapsed().as_secs_f64(), thread_cpu() - c0);
    drop(pipeline);

    let mut top: Vec<_> = theme_hits.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!(
        "themes matched {matched} articles ({:.1} %); top: {:?}",
        matched as f64 * 100.0 / n as f64,
        &top[..top.len().min(6)]
    );
    println!(
        "sentiment labels: positive {} neutral {} negative {}; clustering: {joined} of {reprints} reprints joined a cluster, {loads} candidate lookups (text loaded and compared when found)",
        labels[0], labels[1], labels[2]
    );
    println!("single core, µs per article (wall / thread CPU):");
    for (name, (w, c)) in [
        ("theme matching (29 items + 10 sections)", themes_us),
        ("lexicon sentiment", sentiment_us),
        ("fingerprint", fp_us),
        ("cluster assignment (in-memory lookup)", cluster_us),
    ] {
        println!("  {name:<42} {w:>7.1} / {c:>7.1}");
    }
    println!(
        "  lexicon sentiment: {:.0} articles/s per core by wall-clock, {:.0} by thread CPU",
        1e6 / sentiment_us.0,
        1e6 / sentiment_us.1
    );

    // 2. Ingest through the pipeline, with and without theme matching, in the order
    // off, on, on, off so that a drift in the machine's load hits both alike.
    let mut runs: Vec<(bool, IngestRun)> = Vec::new();
    for (k, themes_off) in [true, false, false, true].into_iter().enumerate() {
        let r = ingest(
            &cfg,
            &dir.path().join(format!("data{k}")),
            themes_off,
            &articles,
        )?;
        println!(
            "ingest themes {}: {} new in {:.2} s = {:.0} articles/s; CPU {:.2} s = {:.0} µs/article (load {})",
            if themes_off { "off" } else { "on " },
            r.new,
            r.wall,
            n as f64 / r.wall,
            r.cpu,
            r.cpu * 1e6 / n as f64,
            loadavg()
        );
        runs.push((themes_off, r));
    }
    let sum = |off: bool| {
        runs.iter().filter(|(o, _)| *o == off).fold(
            IngestRun {
                wall: 0.0,
                cpu: 0.0,
                new: 0,
            },
            |acc, (_, r)| IngestRun {
                wall: acc.wall + r.wall,
                cpu: acc.cpu + r.cpu,
                new: acc.new + r.new,
            },
        )
    };
    let (with, without) = (sum(false), sum(true));
    // Both sums cover two runs: per-article figures below divide by 2n.
    let n2 = 2 * n;
    let ingest_cpu_us = with.cpu * 1e6 / n2 as f64;
    println!(
        "two runs each, total: wall-clock themes on vs off {:+.1} %; CPU {:+.1} %",
        (with.wall / without.wall - 1.0) * 100.0,
        (with.cpu / without.cpu - 1.0) * 100.0
    );
    println!("share of ingest CPU per article (stage thread CPU / ingest CPU, themes on):");
    let total = themes_us.1 + sentiment_us.1 + fp_us.1 + cluster_us.1;
    for (name, c) in [
        ("theme matching", themes_us.1),
        ("lexicon sentiment", sentiment_us.1),
        ("fingerprint", fp_us.1),
        ("cluster assignment", cluster_us.1),
        ("all analysis", total),
    ] {
        println!("  {name:<20} {:>5.1} %", c * 100.0 / ingest_cpu_us);
    }
    println!(
        "  (theme matching as added cost on themes-off ingest: {:.1} %; clustering (fingerprint + assignment): {:.1} %)",
        themes_us.1 * 100.0 / (without.cpu * 1e6 / n2 as f64),
        (fp_us.1 + cluster_us.1) * 100.0 / ingest_cpu_us
    );
    Ok(())
}
