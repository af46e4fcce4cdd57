//! How long the cluster index takes to reload at startup:
//! `cargo run --release -p yuqing-store --example load_fingerprints [N]` (default 1,000,000).
//!
//! Stores N short articles (about 200 bytes of body, enough for the table shapes that matter
//! here) with a fingerprint and a cluster of 4 each, then times `Store::fingerprints`, a
//! reopen followed by `fingerprints` (cold page cache of SQLite, warm OS cache), and
//! `cluster_size` lookups. The database is made in the system temp directory and removed.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use yuqing_model::{Analysis, Article, ArticleId, DateSource, Tier};
use yuqing_store::{DB_FILE_NAME, Store};

fn id(n: u32) -> ArticleId {
    ArticleId::from_canonical_url(&format!("https://www.example.cn/n/{n}.html"))
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (Linux; 0
/// elsewhere): wall-clock times on a shared machine also measure the neighbours.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0 // clock ticks (USER_HZ = 100 on Linux)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("yuqing-store-fp-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(DB_FILE_NAME);
    let store = Store::open(&path)?;
    let start_time = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();

    let start = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
        let articles: Vec<Article> = chunk
            .iter()
            .map(|&i| {
                let url = format!("https://www.example.cn/n/{i}.html");
                Article {
                    id: id(i),
                    source: format!("source-{}", i % 40),
                    tier: Tier::ALL[i as usize % Tier::ALL.len()],
                    url: url.clone(),
                    canonical_url: url,
                    site: "示例网".into(),
                    title: format!("快递进村第{i}批"),
                    author: None,
                    editor: None,
                    published_at: Some(start_time + Duration::seconds(30 * i64::from(i))),
                    date_source: DateSource::Meta,
                    body: format!("第{i}篇。{}", "国家邮政局部署快递进村工作。".repeat(5)),
                    fetched_at: start_time + Duration::days(400),
                }
            })
            .collect();
        let analyses: Vec<Analysis> = chunk
            .iter()
            .map(|&i| Analysis {
                themes: Vec::new(),
                sentiment: None,
                fingerprint: Some(u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                cluster: Some(id(i / 4 * 4)),
            })
            .collect();
        store.upsert_analyzed(articles.iter().zip(&analyses))?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "stored {n} articles with fingerprints in {secs:.1} s ({:.0}/s)",
        f64::from(n) / secs
    );

    let (start, cpu) = (Instant::now(), cpu_secs());
    let fps = store.fingerprints()?;
    println!(
        "fingerprints, warm: {} rows in {:.3} s (CPU {:.2} s)",
        fps.len(),
        start.elapsed().as_secs_f64(),
        cpu_secs() - cpu
    );
    drop(fps);
    drop(store);

    let (start, cpu) = (Instant::now(), cpu_secs());
    let store = Store::open(&path)?;
    let fps = store.fingerprints()?;
    println!(
        "open + fingerprints, fresh connection: {} rows in {:.3} s (CPU {:.2} s; {} MB of rows in memory)",
        fps.len(),
        start.elapsed().as_secs_f64(),
        cpu_secs() - cpu,
        fps.capacity() * std::mem::size_of::<yuqing_store::StoredFingerprint>() / 1_000_000
    );

    let start = Instant::now();
    let mut total = 0;
    for fp in fps.iter().step_by(1000) {
        if let Some(c) = &fp.cluster {
            total += store.cluster_size(c)?;
        }
    }
    let calls = fps.len().div_ceil(1000);
    println!(
        "cluster_size: {calls} calls in {:.3} s (sizes sum {total})",
        start.elapsed().as_secs_f64()
    );
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
