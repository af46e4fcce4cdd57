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
//! `cargo run --release -p yuqing-pipeline --example bench_analysis [-- N]`
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use yuqing_cluster::{Clusterer, OwnedStory, StoryText};
use yuqing_model::{Article, ArticleId, DateSource, Tier};
use yuqing_pipeline::Pipeline;
use yuqing_store::UpsertOutcome;

/// Postal-topic sentences touching several plan items (and a few negative ones).
const POSTAL: &[&str] = &[
    "国家邮政局召开专题会议，部署推进快递进村工程，力争年底前快递服务覆盖全部建制村。",
    "各地邮政管理部门加强寄递渠道安全管理，严格落实实名收寄、收寄验视、过机安检三项制度。",
    "“9792”工程稳步推进，电商快件不再二次包装比例达到52%，可循环快递箱投放量超过200万个。",
    "快递企业推广绿色包装，使用45毫米以下瘦身胶带封装比例达到90%。",
    "邮政快递业积极服务乡村振兴，助力脱贫攻坚，带动贫困地区特色农产品销售。",
    "“双十一”业务旺季期间，全国邮政快递企业共处理快件超过39亿件。",
    "万国邮联第27届大会期间，中国代表团介绍了邮政业发展经验并参与会费改革讨论。",
    "疫情期间，邮政快递企业开辟绿色通道，优先寄递防疫物资和生活必需品。",
    "全国邮政快递企业复工复产有序推进，快递业务量恢复至去年同期水平。",
    "跨境电商快速发展，快递企业加快海外仓布局，国际快递业务量同比增长。",
    "邮政管理部门深入开展“放管服”改革，推行快递业务经营许可电子证照。",
    "快递小哥权益保障工作取得新进展，多地出台配套措施，美好生活的创造者受到关注。",
    "《快递暂行条例》实施以来，行业法治建设不断加强，相关管理办法陆续修订。",
    "邮政系统开展党风廉政建设警示教育，推进全面从严治党向纵深发展。",
    "智能快件箱和快递驿站布局优化，末端服务更加便利，农村寄递物流体系加快建设。",
    "消费者投诉快递延误、丢件和暴力分拣等问题，邮政管理部门表示将依法严肃处理违规企业。",
    "某快递网点突然停运，大量快件积压无人派送，引发消费者不满和集中投诉。",
    "快递员因超时派送被罚款，劳动强度大、收入下降等问题引发社会关注。",
];

const POSTAL_TITLES: &[&str] = &[
    "快递进村工程加快推进",
    "寄递渠道安全专项整治启动",
    "快递包装绿色治理取得新成效",
    "邮政快递业助力脱贫攻坚",
    "双十一快递业务量创新高",
    "万国邮联大会聚焦会费改革",
    "邮政快递企业全力保障防疫物资寄递",
    "快递网点停运引发集中投诉",
];

const BUILTIN: &[&str] = &[
    "中国人民银行发布通知，要求金融机构加大对实体企业的支持力度，降低融资成本。",
    "受强降雨影响，部分地区交通出行可能受阻，请市民合理安排出行时间。",
    "市教育局公布今年中考招生计划，普通高中招生人数比去年增加三千人。",
    "记者从市卫健委获悉，全市新建社区卫生服务中心十二个，方便居民就近就医。",
    "该公司发布年报称，全年营业收入同比增长百分之十五，净利润创历史新高。",
    "警方提醒广大市民提高防范意识，谨防电信网络诈骗，保护好个人财产安全。",
    "本届运动会共设二十个比赛项目，来自全省的两千余名运动员参加比赛。",
    "专家表示，今年夏季气温偏高，需注意防暑降温，老人和儿童尽量减少户外活动。",
];

/// Sentences of the shared CWCED extraction test set, read in place (as
/// `crates/index/examples/bench_ingest.rs` does); built-in sentences when it is absent.
fn general_sentences() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/extraction_zh/cwced/expected.jsonl"
    );
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        for line in text.lines() {
            if let Some(start) = line.find("\"expected_content\": \"") {
                let rest = &line[start + 21..];
                let end = rest.find("\", \"").unwrap_or(rest.len());
                for s in rest[..end].split(['。', '\\']) {
                    let s = s.trim_start_matches('n').trim();
                    if s.chars().count() >= 8 {
                        out.push(format!("{s}。"));
                    }
                }
            }
        }
    } else {
        println!("SKIPPED: ../shared/data not found (using built-in general sentences)");
    }
    if out.len() < 100 {
        out = BUILTIN.iter().map(|s| s.to_string()).collect();
    }
    out
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// `n` generated articles, ids from URLs `https://news.example.cn/{i}.html`; returns the
/// articles and the number of reprints among them.
fn articles(n: usize, seed: u64) -> (Vec<Article>, usize) {
    let general = general_sentences();
    let mut rng = Lcg(seed);
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut out: Vec<Article> = Vec::with_capacity(n);
    let mut reprints = 0;
    for i in 0..n {
        let url = format!("https://news.example.cn/{i}.html");
        let (title, body) = if i > 10 && rng.next() % 100 < 15 {
            // A reprint of one of the last 2,000 articles: source line added, one sentence
            // dropped.
            reprints += 1;
            let orig = &out[i - 1 - rng.next() % (i - 1).min(2000)];
            let mut body = String::from("（来源：转载自合作媒体）\n");
            let mut parts = orig.body.split_inclusive('。');
            let drop = rng.next() % 8;
            for (k, s) in parts.by_ref().enumerate() {
                if k != drop {
                    body.push_str(s);
                }
            }
            (orig.title.clone(), body)
        } else {
            let postal = rng.next() % 100 < 35;
            let mut body = String::new();
            while body.len() < 1500 {
                if postal && rng.next() % 100 < 40 {
                    body.push_str(POSTAL[rng.next() % POSTAL.len()]);
                } else {
                    body.push_str(&general[rng.next() % general.len()]);
                }
                if rng.next().is_multiple_of(4) {
                    body.push('\n');
                }
            }
            let title: String = if postal {
                POSTAL_TITLES[rng.next() % POSTAL_TITLES.len()].to_string()
            } else {
                general[rng.next() % general.len()]
                    .chars()
                    .take(24)
                    .collect()
            };
            (title, body)
        };
        out.push(Article {
            id: ArticleId::from_canonical_url(&url),
            source: format!("src{}", i % 20),
            tier: Tier::ALL[i % Tier::ALL.len()],
            url: url.clone(),
            canonical_url: url,
            site: "示例网".into(),
            title,
            author: Some("记者 张三".into()),
            editor: None,
            published_at: Some(base + Duration::minutes(i as i64)),
            date_source: DateSource::Meta,
            body,
            fetched_at: base + Duration::minutes(i as i64 + 5),
        });
    }
    (out, reprints)
}

/// CPU seconds (user + system) from a `/proc/.../stat` file (clock ticks assumed 100 Hz).
fn cpu_secs(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return f64::NAN;
    };
    let Some(rest) = stat.rfind(')').and_then(|p| stat.get(p + 2..)) else {
        return f64::NAN;
    };
    let mut f = rest.split(' ').skip(11);
    let u: f64 = f.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let s: f64 = f.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    (u + s) / 100.0
}

/// The 1-minute load average (`/proc/loadavg`), for reading noisy figures.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split(' ').next().map(str::to_string))
        .unwrap_or_default()
}

fn process_cpu() -> f64 {
    cpu_secs("/proc/self/stat")
}

fn thread_cpu() -> f64 {
    cpu_secs("/proc/thread-self/stat")
}

/// Copies the shipped `config/` (yuqing.toml, sources/sites/themes.toml, dict/, lexicon/) to
/// `to`.
fn copy_config(to: &Path) -> std::io::Result<()> {
    let from = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"));
    copy_dir(from, to)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Opens a pipeline on the copied config with data in `data`; `themes_off` points
/// `analysis.themes_file` at a missing file.
fn open(cfg: &Path, data: &Path, themes_off: bool) -> Result<Pipeline, Box<dyn std::error::Error>> {
    let data = data.display().to_string();
    let missing = cfg.join("no-such-themes.toml").display().to_string();
    let env = move |key: &str| match key {
        "YUQING_DATA_DIR" => Some(data.clone()),
        "YUQING_ANALYSIS_THEMES_FILE" if themes_off => Some(missing.clone()),
        _ => None,
    };
    let config = yuqing_config::Config::load_with_env(&cfg.join("yuqing.toml"), &env)?;
    Ok(Pipeline::open(config)?)
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
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let (articles, reprints) = articles(n, 20261130);
    let bytes: usize = articles.iter().map(|a| a.title.len() + a.body.len()).sum();
    println!(
        "bench_analysis: {n} articles ({reprints} reprints), mean {:.0} bytes of text; load {}",
        bytes as f64 / n as f64,
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
    let (c0, t) = (thread_cpu(), Instant::now());
    let mut joined = 0usize;
    for (a, fp) in articles.iter().zip(&fps) {
        let lookup = |id: &ArticleId| {
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
        "sentiment labels: positive {} neutral {} negative {}; clustering: {joined} of {reprints} reprints joined a cluster",
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
