//! Times a weekly report over a synthetic store: `cargo run --release -p yuqing-report
//! --example bench_report [ARTICLES_PER_DAY]` (default 300 a day over 60 days, 10 plan
//! sections × 3 items, 1 in 4 articles a reprint, 1 in 8 negative). Prints the time of
//! load, build and each rendering, and the output sizes. Writes only to a temp dir.

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, HitField, Sentiment, SentimentLabel,
    TermHit, ThemeMatch, Tier,
};
use yuqing_report::{
    Period, Report, ReportInput, render_docx, render_html, render_markdown, render_xlsx,
};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

const WORDS: &[&str] = &[
    "快递",
    "邮政",
    "农村",
    "寄递",
    "服务",
    "电商",
    "包裹",
    "末端",
    "网点",
    "配送",
    "绿色包装",
    "冷链",
    "航空",
    "跨境",
    "智能",
    "投诉",
    "时效",
    "旺季",
    "业务量",
    "收入",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let per_day: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let days = 60u64;
    let mut toml = String::from("version = 1\n");
    for s in 1..=10 {
        toml.push_str(&format!(
            "[[section]]\nid = \"s{s}\"\nnumber = {s}\nname = \"第{s}部分\"\n"
        ));
    }
    for i in 1..=30u32 {
        let s = (i - 1) / 3 + 1;
        toml.push_str(&format!(
            "[[item]]\nid = \"s{s}.i{i}\"\nsection = \"s{s}\"\nnumber = {i}\nname = \"要点{i}\"\nany = [\"要点词{i}\"]\n"
        ));
    }
    let themes = ThemeSet::from_toml_str(&toml, "themes.toml")?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("yuqing.sqlite3"))?;
    let start = Utc
        .with_ymd_and_hms(2026, 9, 30, 16, 0, 0)
        .single()
        .ok_or("date")?;
    let t = Instant::now();
    let mut batch: Vec<(Article, Analysis)> = Vec::new();
    let mut last_original: Option<ArticleId> = None;
    for n in 0..per_day * days {
        let url = format!("https://example.cn/{n}.html");
        let at = start + Duration::seconds((n * 86_400 / per_day) as i64);
        let item = (n * 7 % 27) as u32 + 1; // items 28..30 never covered: gaps
        let s = (item - 1) / 3 + 1;
        let body: String = (0..400)
            .map(|k| WORDS[((n * 31 + k * 17) % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join("，");
        let article = Article {
            id: ArticleId::from_canonical_url(&url),
            source: format!("src{}", n % 40),
            tier: Tier::ALL[(n % 5) as usize],
            url: url.clone(),
            canonical_url: url,
            site: format!("媒体{}", n % 40),
            title: format!(
                "第{n}条 {}{}进展",
                WORDS[(n % 20) as usize],
                WORDS[(n * 3 % 20) as usize]
            ),
            author: None,
            editor: None,
            published_at: Some(at),
            date_source: DateSource::Meta,
            body,
            fetched_at: at,
        };
        let reprint = n % 4 == 3 && last_original.is_some();
        let cluster = if reprint {
            last_original.clone()
        } else {
            Some(article.id.clone())
        };
        if !reprint {
            last_original = Some(article.id.clone());
        }
        let negative = n % 8 == 5;
        let analysis = Analysis {
            themes: vec![
                ThemeMatch {
                    theme: format!("s{s}"),
                    score: 2.0,
                    hits: vec![TermHit {
                        term: format!("要点词{item}"),
                        count: 1,
                        field: HitField::Title,
                    }],
                },
                ThemeMatch {
                    theme: format!("s{s}.i{item}"),
                    score: 2.0,
                    hits: vec![TermHit {
                        term: format!("要点词{item}"),
                        count: 1,
                        field: HitField::Title,
                    }],
                },
            ],
            sentiment: Some(Sentiment {
                label: if negative {
                    SentimentLabel::Negative
                } else {
                    SentimentLabel::Neutral
                },
                score: if negative { -0.6 } else { 0.0 },
                evidence: vec![Evidence {
                    text: "投诉".into(),
                    weight: -0.4,
                }],
            }),
            fingerprint: Some(n),
            cluster,
        };
        batch.push((article, analysis));
        if batch.len() == 1000 {
            store.upsert_analyzed(batch.iter().map(|(a, b)| (a, b)))?;
            batch.clear();
        }
    }
    store.upsert_analyzed(batch.iter().map(|(a, b)| (a, b)))?;
    println!(
        "store: {} articles over {days} days in {:.1?}",
        per_day * days,
        t.elapsed()
    );

    let last_day = NaiveDate::from_ymd_opt(2026, 11, 28).ok_or("date")?;
    for period in [Period::daily(last_day), Period::weekly(last_day)] {
        let t = Instant::now();
        let input = ReportInput::load(&store, &themes, period)?;
        let load = t.elapsed();
        let t = Instant::now();
        let report = Report::build(&input, &themes, Utc::now());
        let build = t.elapsed();
        let t = Instant::now();
        let html = render_html(&report);
        let t_html = t.elapsed();
        let t = Instant::now();
        let md = render_markdown(&report);
        let t_md = t.elapsed();
        let t = Instant::now();
        let docx = render_docx(&report)?;
        let t_docx = t.elapsed();
        let t = Instant::now();
        let xlsx = render_xlsx(&report)?;
        let t_xlsx = t.elapsed();
        println!(
            "{}: {} loaded articles ({} in the period, {} gaps); load {load:.1?}, build {build:.1?} \
             (jieba over every loaded text), html {t_html:.1?} ({} KB), md {t_md:.1?} ({} KB), \
             docx {t_docx:.1?} ({} KB), xlsx {t_xlsx:.1?} ({} KB)",
            report.title,
            input.articles.len(),
            report.overview.articles,
            report.gaps.len(),
            html.len() / 1024,
            md.len() / 1024,
            docx.len() / 1024,
            xlsx.len() / 1024
        );
    }
    Ok(())
}
