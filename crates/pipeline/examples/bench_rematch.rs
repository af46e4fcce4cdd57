//! Rematch benchmark (issue 3): "`themes rematch` over 100,000 stored articles ≤ 30 s on this
//! machine".
//!
//! Ingests N generated articles (default 100,000; the same generator as `bench_analysis`:
//! ~1.5 KB of CWCED sentences read in place from `../shared/data/extraction_zh/cwced/`, about a
//! third with postal-topic sentences, ~15 % reprints) through `Pipeline::ingest` into a
//! temporary data directory with a copy of the shipped `config/`, then times
//! `Pipeline::rematch` after each of these, re-opening the pipeline after editing the copied
//! `themes.toml` each time:
//! (0) the first rematch: no fingerprints of an earlier one, so every article is re-matched;
//! (a) rules unchanged (nothing to rewrite: no article is read);
//! (b) a realistic edit: `集中投诉` added to item s5.i12's `any`, a `not = ["停运"]` added to
//!     item s6.i16;
//! (c) an edit that changes many articles: section s1 gets its own `any = ["快递", "邮政"]`;
//! (d) `Pipeline::rematch_full` with (c)'s rules: every article again, nothing to change (the
//!     cost of a full rescan, for comparison).
//!
//! Prints seconds (open and rematch) and the report counts of each, and checks the index
//! agrees with the store for the edited themes.
//!
//! `cargo run --release -p yuqing-pipeline --example bench_rematch [-- N] [--base DIR] [--only LIST]`
//!
//! `--base DIR` keeps the ingested data directory in `DIR/data` (created by the first run)
//! and copies it into the temporary directory on later runs instead of ingesting again (the
//! rematch steps always run on a copy). `--only 0abcd` runs only the listed steps (each step
//! starts from the state the earlier ones left, so `--only c` rematches (c)'s rules against
//! the matches of the original rules).
use std::time::Instant;

use yuqing_index::SearchRequest;
use yuqing_pipeline::{Pipeline, RematchReport};

#[path = "common/corpus.rs"]
mod corpus;
use corpus::*;

/// Inserts `insert` into the `[[item]]`/`[[section]]` block with `id`, right after the first
/// occurrence of `after` in that block.
fn edit_block(text: &str, id: &str, after: &str, insert: &str) -> Result<String, String> {
    let key = format!("id = \"{id}\"\n");
    let start = text
        .find(&key)
        .ok_or(format!("themes.toml: no block {id}"))?;
    let end = text[start..].find("\n[[").map_or(text.len(), |e| start + e);
    let at = text[start..end]
        .find(after)
        .map(|p| start + p + after.len())
        .ok_or(format!("themes.toml: block {id} has no {after:?}"))?;
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..at]);
    out.push_str(insert);
    out.push_str(&text[at..]);
    Ok(out)
}

/// Articles the index returns for theme `theme` (count only).
fn indexed_with(p: &Pipeline, theme: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let mut req = SearchRequest::new("");
    req.limit = 0;
    req.theme = Some(theme.to_string());
    Ok(p.index().search(&req)?.total)
}

fn print_report(name: &str, open_s: f64, cpu_s: f64, r: &RematchReport) {
    println!(
        "{name}: open {open_s:.2} s, rematch {:.2} s (process CPU {cpu_s:.2} s), full {}, changed {:?}: {} articles, {} reindexed, {} rewritten; added {:?}; removed {:?}",
        r.seconds,
        r.full,
        r.changed_themes,
        r.articles,
        r.reindexed,
        r.rewritten,
        r.added,
        r.removed
    );
}

/// CPU seconds (user + system) of this process so far, from `/proc/self/stat` (0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the `)` closing the command name: utime and stime are fields 14 and 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let base = flag("--base").map(std::path::PathBuf::from);
    let only = flag("--only").unwrap_or_else(|| "0abcd".to_string());
    let dir = tempfile::tempdir()?;
    let cfg = dir.path().join("config");
    copy_config(&cfg)?;
    let data = dir.path().join("data");
    match &base {
        Some(b) if b.join("data").exists() => {
            let t = Instant::now();
            copy_dir(&b.join("data"), &data)?;
            println!(
                "bench_rematch: data copied from {} in {:.1} s",
                b.display(),
                t.elapsed().as_secs_f64()
            );
        }
        _ => ingest(n, &cfg, &data)?,
    }
    if let Some(b) = &base
        && !b.join("data").exists()
    {
        copy_dir(&data, &b.join("data"))?;
    }
    rematches(&cfg, &data, &only)
}

/// Ingests `n` generated articles into `data` and prints the rate.
fn ingest(
    n: usize,
    cfg: &std::path::Path,
    data: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let (articles, reprints) = articles(n, 20261130);
    println!(
        "bench_rematch: {n} articles ({reprints} reprints) generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let pipeline = open(cfg, data, false)?;
    let open_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let outcomes = pipeline.ingest(articles.chunks(1000).map(|c| c.to_vec()))?;
    let secs = t.elapsed().as_secs_f64();
    drop(articles);
    println!(
        "ingest: {} articles in {secs:.1} s ({:.0} articles/s), open {open_s:.2} s; s5.i12 {} / s6.i16 {} / s1 {} indexed",
        outcomes.len(),
        n as f64 / secs,
        indexed_with(&pipeline, "s5.i12")?,
        indexed_with(&pipeline, "s6.i16")?,
        indexed_with(&pipeline, "s1")?
    );
    pipeline.index().writer(64 << 20)?.wait_merging()?;
    drop(pipeline);
    Ok(())
}

/// Runs the rematch steps listed in `only` (`0abcd`, see the crate doc).
fn rematches(
    cfg: &std::path::Path,
    data: &std::path::Path,
    only: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let themes_path = cfg.join("themes.toml");
    let original = std::fs::read_to_string(&themes_path)?;
    let realistic = edit_block(&original, "s5.i12", "any = [", "\"集中投诉\", ")?;
    let realistic = edit_block(&realistic, "s6.i16", "]]\n", "not = [\"停运\"]\n")?;
    let many = edit_block(&realistic, "s1", "\n", "any = [\"快递\", \"邮政\"]\n")?;
    for (step, name, text, full) in [
        ('0', "(0) first rematch  ", &original, false),
        ('a', "(a) unchanged rules", &original, false),
        ('b', "(b) realistic edit ", &realistic, false),
        ('c', "(c) many changed   ", &many, false),
        ('d', "(d) full rescan    ", &many, true),
    ] {
        if !only.contains(step) {
            continue;
        }
        std::fs::write(&themes_path, text)?;
        let t = Instant::now();
        let p = open(cfg, data, false)?;
        let open_s = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds();
        let report = if full {
            p.rematch_full()?
        } else {
            p.rematch()?
        };
        print_report(name, open_s, cpu_seconds() - cpu, &report);
        let (s5, s6, s1) = (
            indexed_with(&p, "s5.i12")?,
            indexed_with(&p, "s6.i16")?,
            indexed_with(&p, "s1")?,
        );
        let stored = p.store().theme_ids_by_article()?;
        let count = |theme: &str| {
            stored
                .values()
                .filter(|v| v.iter().any(|(t, _)| t == theme))
                .count()
        };
        println!(
            "    indexed s5.i12 {s5} (store {}), s6.i16 {s6} (store {}), s1 {s1} (store {})",
            count("s5.i12"),
            count("s6.i16"),
            count("s1")
        );
    }
    Ok(())
}
