//! Times the alert's store work on a synthetic store: `negative_stories_since` over a 24 h
//! window and a whole dry run, with N articles (default 100 000) fetched over 10 days, one
//! in 20 negative, stories of 1 to 4 articles.
//!
//! `cargo run --release -p yuqing-alert --example bench_alert -- [N]`

use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use yuqing_alert::{MailSettings, Recipient, run};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, Sentiment, SentimentLabel, ThemeMatch, Tier,
};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(100_000), |s| s.parse())?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.sqlite3"))?;
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
    let span = TimeDelta::days(10);
    let t = Instant::now();
    let mut head = ArticleId::from_raw("");
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut batch = Vec::with_capacity(chunk.len());
        for &i in chunk {
            let url = format!("https://example.com/a/{i}.html");
            let fetched = now - span + span * (i as i32) / (n as i32);
            let a = Article {
                id: ArticleId::from_canonical_url(&url),
                source: format!("s{}", i % 50),
                tier: Tier::ALL[i % 5],
                url: url.clone(),
                canonical_url: url,
                site: "示例".into(),
                title: format!("标题 {i}"),
                author: None,
                editor: None,
                published_at: Some(fetched - TimeDelta::minutes(20)),
                date_source: DateSource::Meta,
                body: "正文".repeat(400),
                fetched_at: fetched,
            };
            if i % 4 == 0 {
                head = a.id.clone();
            }
            let negative = i % 20 == 0;
            let an = Analysis {
                themes: vec![ThemeMatch {
                    theme: "s1".into(),
                    score: 2.0,
                    hits: vec![],
                }],
                sentiment: Some(Sentiment {
                    label: if negative {
                        SentimentLabel::Negative
                    } else {
                        SentimentLabel::Neutral
                    },
                    score: if negative { -0.7 } else { 0.0 },
                    evidence: vec![Evidence {
                        text: "投诉".into(),
                        weight: -0.5,
                    }],
                }),
                fingerprint: Some(i as u64),
                cluster: Some(head.clone()),
            };
            batch.push((a, an));
        }
        store.upsert_analyzed(batch.iter().map(|(a, b)| (a, b)))?;
    }
    println!("stored {n} articles in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let stories = store.negative_stories_since(now - TimeDelta::hours(24), -0.3)?;
    println!(
        "negative_stories_since(24 h): {} stories in {:.1} ms",
        stories.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let themes = ThemeSet::from_toml_str(
        "version = 1\n[[section]]\nid = \"s1\"\nnumber = 1\nname = \"服务\"\nany = [\"投诉\"]\n",
        "themes.toml",
    )?;
    let settings = MailSettings {
        smtp: None,
        from: "yuqing@example.com".parse()?,
        outbox_dir: dir.path().join("outbox"),
        max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
    };
    let to = [Recipient {
        name: "王".into(),
        email: "wang@example.com".into(),
        themes: vec![],
        min_negative_score: 0.3,
    }];
    let t = Instant::now();
    let report = run(&store, &themes, &settings, &to, now, true)?;
    println!(
        "dry run: {} digest(s), {} bytes of text, {:.1} ms",
        report.digests.len(),
        report
            .digests
            .iter()
            .map(|d| d.digest.text.len())
            .sum::<usize>(),
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
