//! Times article upserts on a real file: `cargo run -p yuqing-store --example upsert_throughput`.
//! Prints articles per second for new inserts (batches of 500), unchanged re-upserts and
//! single-article upserts (one transaction each), and `knows_url` lookups.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use yuqing_model::{Article, ArticleId, DateSource, Tier};
use yuqing_store::{DB_FILE_NAME, Store};

fn article(n: u32) -> Article {
    let url = format!("https://www.spb.gov.cn/gjyzj/c100015/c100016/{n}.shtml");
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: "spb-news".into(),
        tier: Tier::Industry,
        url: url.clone(),
        canonical_url: url,
        site: "国家邮政局".into(),
        title: format!("快递进村工程第{n}批试点"),
        author: None,
        editor: None,
        published_at: Utc.with_ymd_and_hms(2020, 5, 12, 2, 30, 0).single(),
        date_source: DateSource::Meta,
        body: "国家邮政局召开会议，部署快递进村工作。".repeat(60),
        fetched_at: Utc::now(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("yuqing-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&dir.join(DB_FILE_NAME))?;
    let n = 20_000u32;
    let articles: Vec<Article> = (0..n).map(article).collect();

    let rate = |label: &str, count: usize, start: Instant| {
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label}: {count} in {secs:.3} s = {:.0}/s",
            count as f64 / secs
        );
    };
    let start = Instant::now();
    for chunk in articles.chunks(500) {
        store.upsert_articles(chunk)?;
    }
    rate("new, batches of 500", articles.len(), start);

    let start = Instant::now();
    for chunk in articles.chunks(500) {
        store.upsert_articles(chunk)?;
    }
    rate("unchanged, batches of 500", articles.len(), start);

    let start = Instant::now();
    for a in &articles[..2000] {
        store.upsert_article(a)?;
    }
    rate("unchanged, one transaction each", 2000, start);

    let start = Instant::now();
    for a in &articles[..2000] {
        assert!(store.knows_url(&a.url)?);
    }
    rate("knows_url", 2000, start);
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
