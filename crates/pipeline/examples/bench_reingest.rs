//! Benchmark: what re-reading unchanged articles costs the writer (a feed that carries full
//! text, or `crawl.refetch_known_articles = true`, hands every known article to it again).
//!
//! Ingests N generated articles (default 5,000; the `bench_analysis` corpus: ~1.5 KB of
//! CWCED sentences read in place from `../shared/data`, a third postal, ~15 % reprints) into
//! a fresh data directory with the shipped config, then ingests the same articles again
//! twice: once as the same source (all unchanged) and once under another source id and tier
//! (the owner rule: still unchanged, the owner kept). Prints process CPU µs per article
//! (`/proc/self/stat`, 10 ms ticks) and wall-clock of each round, the index's document count
//! and how many index documents name the second source (must be 0), with the load average;
//! then the cost of `Pipeline::repair_owners` (the once-per-data-directory owner check).
//!
//! `cargo build --release -p yuqing-pipeline --example bench_reingest && target/release/examples/bench_reingest [N]`
use std::time::Instant;

use yuqing_index::SearchRequest;
use yuqing_model::{Article, Tier};
use yuqing_store::UpsertOutcome;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::*;
#[path = "common/procstat.rs"]
mod procstat;
use procstat::{cpu_secs, loadavg};

fn round(
    pipeline: &yuqing_pipeline::Pipeline,
    what: &str,
    articles: &[Article],
) -> Result<(), Box<dyn std::error::Error>> {
    let n = articles.len();
    let batches: Vec<Vec<Article>> = articles.chunks(1000).map(<[Article]>::to_vec).collect();
    let (cpu, wall) = (cpu_secs("/proc/self/stat"), Instant::now());
    let outcomes = pipeline.ingest(batches)?;
    let (cpu, wall) = (
        cpu_secs("/proc/self/stat") - cpu,
        wall.elapsed().as_secs_f64(),
    );
    let count = |o: UpsertOutcome| outcomes.iter().filter(|x| **x == o).count();
    println!(
        "{what:<32} new {:>5} updated {:>5} unchanged {:>5}: {wall:.2} s wall, CPU {cpu:.2} s = {:.0} µs/article (load {})",
        count(UpsertOutcome::New),
        count(UpsertOutcome::Updated),
        count(UpsertOutcome::Unchanged),
        cpu * 1e6 / n as f64,
        loadavg()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    let dir = tempfile::tempdir()?;
    let cfg = dir.path().join("config");
    copy_config(&cfg)?;
    let pipeline = open(&cfg, &dir.path().join("data"), false)?;
    let (articles, _) = articles(n, 7);
    round(&pipeline, "first ingest", &articles)?;
    round(&pipeline, "again, same source", &articles)?;
    let other: Vec<Article> = articles
        .iter()
        .map(|a| Article {
            source: "other-source".into(),
            tier: Tier::Commercial,
            ..a.clone()
        })
        .collect();
    round(&pipeline, "again, another source and tier", &other)?;
    let (cpu, wall) = (cpu_secs("/proc/self/stat"), Instant::now());
    let repaired = pipeline.repair_owners()?;
    println!(
        "repair_owners (every document compared with the store): {repaired} re-indexed, {:.2} s wall, CPU {:.2} s = {:.0} µs/article (load {})",
        wall.elapsed().as_secs_f64(),
        cpu_secs("/proc/self/stat") - cpu,
        (cpu_secs("/proc/self/stat") - cpu) * 1e6 / articles.len() as f64,
        loadavg()
    );
    let mut req = SearchRequest::new("");
    req.limit = 1;
    let total = pipeline.index().search(&req)?.total;
    req.source = Some("other-source".into());
    let other_docs = pipeline.index().search(&req)?.total;
    println!(
        "index documents: {total}; naming other-source: {other_docs} (0: the store's owner kept)"
    );
    Ok(())
}
