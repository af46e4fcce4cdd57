//! What `themes rematch` and coverage cost on a real file:
//! `cargo run --release -p yuqing-store --example stream_articles [N [writes-only]]`
//! (default N = 100,000).
//!
//! Stores N articles of about 1.5 KB (UTF-8 body bytes) with their analysis (two theme matches
//! with hits, sentiment with evidence, fingerprint, cluster of 5) through `upsert_analyzed` in
//! batches of 500, then times: streaming every article (`for_each_article_batch`),
//! `theme_ids_by_article`, a full rematch (stream + `replace_theme_matches` per page, a third
//! of the articles gaining a theme), `theme_counts` over everything and over one week,
//! `fingerprints` and `cluster_members`. The database is made in the system temp directory
//! and removed afterwards.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, HitField, Sentiment, SentimentLabel,
    TermHit, ThemeMatch, Tier,
};
use yuqing_store::{DB_FILE_NAME, Store, StoreError, ThemeDiff};

fn article(n: u32) -> Article {
    let url = format!("https://www.example.cn/news/{n}.html");
    let start = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    Article {
        id: ArticleId::from_canonical_url(&url),
        source: format!("source-{}", n % 40),
        tier: Tier::ALL[n as usize % Tier::ALL.len()],
        url: url.clone(),
        canonical_url: url,
        site: "示例网".into(),
        title: format!("快递进村工程第{n}批试点启动"),
        author: Some("张三".into()),
        editor: None,
        // One article every 5 minutes: 100,000 span about 347 days.
        published_at: Some(start + Duration::minutes(5 * i64::from(n))),
        date_source: DateSource::Meta,
        body: format!(
            "第{n}篇。{}",
            "国家邮政局召开会议，部署快递进村工作。".repeat(26)
        ),
        fetched_at: start + Duration::days(400),
    }
}

fn matches(n: u32, rematch: bool) -> Vec<ThemeMatch> {
    let hit = |term: &str, field| TermHit {
        term: term.into(),
        count: 2,
        field,
    };
    let mut m = vec![
        ThemeMatch {
            theme: format!("s{}", n % 10 + 1),
            score: 2.5,
            hits: vec![
                hit("快递进村", HitField::Title),
                hit("邮政", HitField::Body),
            ],
        },
        ThemeMatch {
            theme: format!("s{}.i{}", n % 10 + 1, n % 29 + 1),
            score: 2.0,
            hits: vec![hit("快递进村", HitField::Title)],
        },
    ];
    if rematch && n.is_multiple_of(3) && !m.iter().any(|t| t.theme == "s9.i27") {
        m.push(ThemeMatch {
            theme: "s9.i27".into(),
            score: 1.0,
            hits: vec![hit("寄递安全", HitField::Body)],
        });
    }
    m
}

fn analysis(a: &Article, n: u32) -> Analysis {
    Analysis {
        themes: matches(n, false),
        sentiment: Some(Sentiment {
            label: SentimentLabel::Positive,
            score: 0.4,
            evidence: vec![
                Evidence {
                    text: "点赞".into(),
                    weight: 1.0,
                },
                Evidence {
                    text: "成效".into(),
                    weight: 0.5,
                },
                Evidence {
                    text: "不满意".into(),
                    weight: -0.5,
                },
            ],
        }),
        fingerprint: Some(u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        cluster: Some(if n.is_multiple_of(5) {
            a.id.clone()
        } else {
            ArticleId::from_canonical_url(&format!(
                "https://www.example.cn/news/{}.html",
                n / 5 * 5
            ))
        }),
    }
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (Linux; 0
/// elsewhere): wall-clock rates on a shared machine also measure the neighbours.
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
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("yuqing-store-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(DB_FILE_NAME);
    let store = Store::open(&path)?;
    let rate = |label: &str, count: u64, start: Instant| {
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label}: {count} in {secs:.3} s = {:.0}/s",
            count as f64 / secs
        );
    };

    let mut body_bytes = 0u64;
    let mut write_secs = 0.0;
    let mut write_cpu = 0.0;
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let articles: Vec<Article> = chunk.iter().map(|&i| article(i)).collect();
        let analyses: Vec<Analysis> = articles
            .iter()
            .zip(chunk)
            .map(|(a, &i)| analysis(a, i))
            .collect();
        body_bytes += articles.iter().map(|a| a.body.len() as u64).sum::<u64>();
        let (start, cpu) = (Instant::now(), cpu_secs());
        store.upsert_analyzed(articles.iter().zip(&analyses))?;
        write_secs += start.elapsed().as_secs_f64();
        write_cpu += cpu_secs() - cpu;
    }
    println!(
        "upsert_analyzed (article + analysis), batches of 500: {n} in {write_secs:.3} s = {:.0}/s (mean body {} bytes)",
        f64::from(n) / write_secs,
        body_bytes / u64::from(n.max(1))
    );
    println!(
        "  CPU {write_cpu:.2} s = {:.0} µs per article (user + system)",
        write_cpu * 1e6 / f64::from(n.max(1))
    );
    println!(
        "database: {:.1} MB",
        std::fs::metadata(&path)?.len() as f64 / 1e6
            + std::fs::metadata(dir.join(format!("{DB_FILE_NAME}-wal")))
                .map(|m| m.len() as f64 / 1e6)
                .unwrap_or(0.0)
    );

    if std::env::args().nth(2).as_deref() == Some("writes-only") {
        drop(store);
        std::fs::remove_dir_all(&dir)?;
        return Ok(());
    }

    let start = Instant::now();
    let (mut count, mut bytes) = (0u64, 0u64);
    store.for_each_article_batch(512, |page| {
        count += page.len() as u64;
        bytes += page.iter().map(|a| a.body.len() as u64).sum::<u64>();
        Ok::<(), StoreError>(())
    })?;
    rate("for_each_article_batch(512)", count, start);
    println!("  streamed {:.1} MB of body text", bytes as f64 / 1e6);

    let start = Instant::now();
    let old = store.theme_ids_by_article()?;
    rate("theme_ids_by_article", old.len() as u64, start);

    let start = Instant::now();
    let mut diff = ThemeDiff::default();
    store.for_each_article_batch(512, |page| {
        let new: Vec<(&ArticleId, Vec<ThemeMatch>)> = page
            .iter()
            .map(|a| {
                let i: u32 = a.body[3..]
                    .split('篇')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                (&a.id, matches(i, true))
            })
            .collect();
        diff.merge(store.replace_theme_matches(new.iter().map(|(id, m)| (*id, m.as_slice())))?);
        Ok::<(), StoreError>(())
    })?;
    rate(
        "rematch (stream + replace_theme_matches, no matching)",
        count,
        start,
    );
    println!(
        "  rewritten {} articles, added {:?}, removed {:?}",
        diff.rewritten, diff.added, diff.removed
    );

    let from = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    let start = Instant::now();
    let cov = store.theme_counts(from, to)?;
    println!(
        "theme_counts, all {n} articles: {} themes in {:.3} s",
        cov.len(),
        start.elapsed().as_secs_f64()
    );
    let week = Utc.with_ymd_and_hms(2020, 3, 1, 0, 0, 0).unwrap();
    let start = Instant::now();
    let cov = store.theme_counts(week, week + Duration::days(7))?;
    println!(
        "theme_counts, one week ({} articles): {} themes in {:.4} s",
        cov.iter()
            .filter(|c| !c.theme.contains('.'))
            .map(|c| c.articles)
            .sum::<u64>(),
        cov.len(),
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let fps = store.fingerprints()?;
    rate("fingerprints", fps.len() as u64, start);

    let start = Instant::now();
    let mut members = 0;
    for fp in fps.iter().take(1000) {
        if let Some(c) = &fp.cluster {
            members += store.cluster_members(c)?.len();
        }
    }
    rate("cluster_members (1000 calls)", 1000, start);
    println!("  {members} members listed");

    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
