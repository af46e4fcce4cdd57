//! Search latency benchmark at scale: `ArticleIndex::search` p50/p95/p99 per query kind and
//! overall, with facets on, from 16 concurrent searching threads, over N generated articles.
//!
//! `cargo run --release -p yuqing-index --example bench_search -- DIR N [THREADS [QUERIES]]`
//!
//! * `DIR`: index directory. Built once (N generated articles, deterministic seed) when it holds
//!   no index; reused as it is otherwise (a directory with another article count is refused).
//!   Build it with nothing else of yours running: 1,000,000 articles take tens of minutes.
//! * `N`: articles (e.g. 100000 or 1000000).
//! * `THREADS`: concurrent searching threads (default 16), each running its share of
//!   `QUERIES` searches (default 4,000 in total) drawn from the query mix with a fixed seed.
//!
//! Articles: ~1.5 KB bodies of real Chinese news sentences (`../shared/data/extraction_zh/cwced`,
//! read in place, never copied) with postal/express content mixed in: 40 % are industry
//! articles (2–6 real postal headlines from `../shared/data/postal_express_news` and sentences
//! of postal vocabulary drawn Zipf-like), the rest general news with an occasional postal
//! sentence; without the shared data, sentences are generated from built-in word lists. 10
//! plan sections with 29 items (≈ 55 % of articles match a theme), sentiment 60/25/15 %
//! neutral/positive/negative, five tiers, 300 sources (Zipf), 365 days with more recent days
//! busier, ≈ 30 % reprints joining an earlier article's
//! cluster. Query kinds: one term, two terms (AND), a quoted phrase, a term with a theme filter,
//! a term in a 30-day window, a term with a sentiment filter, a term collapsed by cluster; all
//! with facets, 20 hits, by relevance (every fourth query by time).
//!
//! `BENCH_CACHE=0` turns the index's result cache off (every search counts and facets all its
//! matches); `BENCH_CACHE=N` keeps N entries (default 512).
//!
//! Prints the mean CPU time per search (the searching thread's, from
//! `/proc/thread-self/schedstat`), the percentiles, throughput, and the process's peak RSS (`VmHWM`, which includes the
//! build when the index was built in this run: run again to see the search-only figure).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use yuqing_index::{ArticleIndex, SearchRequest, SortOrder};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Sentiment, SentimentLabel, ThemeMatch, Tier,
};
use yuqing_text::Segmenter;

/// The allocator of the `yuqing` binary (see src/main.rs), so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Postal/express-industry words (the plan's vocabulary and what the news says about it).
const POSTAL: &[&str] = &[
    "快递",
    "邮政",
    "快递员",
    "包裹",
    "物流",
    "寄递",
    "驿站",
    "快递进村",
    "两进一出",
    "绿色包装",
    "末端配送",
    "无人机",
    "冷链",
    "跨境电商",
    "国家邮政局",
    "中国邮政",
    "顺丰",
    "京东物流",
    "中通",
    "圆通",
    "申通",
    "韵达",
    "菜鸟",
    "极兔",
    "乡村振兴",
    "农村寄递",
    "邮政管理局",
    "业务量",
    "揽收",
    "派送",
    "投诉",
    "丢件",
    "延误",
    "暴力分拣",
    "智能快件箱",
    "服务质量",
    "安全生产",
    "实名收寄",
    "邮件",
    "集邮",
    "邮票",
    "邮政储蓄",
    "分拣中心",
    "快递柜",
    "网点",
    "运单",
    "电子面单",
    "同城配送",
    "即时配送",
    "航空货运",
    "中欧班列",
    "供应链",
    "仓储",
    "邮路",
    "普遍服务",
    "邮政强国",
    "绿盾",
    "快递小哥",
    "权益保障",
    "末端网点",
    "寄递安全",
    "禁寄物品",
    "信息泄露",
    "快递包装",
    "循环箱",
];

/// General news words.
const GENERAL: &[&str] = &[
    "经济",
    "发展",
    "会议",
    "政府",
    "企业",
    "市场",
    "增长",
    "消费者",
    "城市",
    "农村",
    "科技",
    "创新",
    "服务",
    "安全",
    "政策",
    "改革",
    "投资",
    "项目",
    "建设",
    "交通",
    "天气",
    "教育",
    "医疗",
    "文化",
    "旅游",
    "就业",
    "价格",
    "数据",
    "报告",
    "记者",
    "表示",
    "今年",
    "同比",
    "全国",
    "地区",
    "部门",
    "工作",
    "推进",
    "加强",
    "提升",
    "完善",
    "落实",
    "群众",
    "社会",
    "管理",
    "机制",
    "标准",
    "质量",
    "行业",
    "规模",
    "水平",
    "能力",
    "合作",
    "国际",
    "国内",
    "人民",
    "银行",
    "中国人民银行",
    "金融",
    "融资",
    "成本",
    "降低",
    "支持",
    "措施",
    "通知",
    "要求",
    "开展",
    "活动",
    "检查",
    "问题",
    "整改",
    "处罚",
    "违法",
    "调查",
    "事故",
    "暴雨",
    "台风",
    "高温",
    "疫情",
    "春节",
    "假期",
    "高峰",
    "保障",
    "运行",
    "平稳",
    "有序",
    "持续",
    "积极",
    "进展",
    "成效",
    "显著",
    "明显",
    "下降",
    "上升",
    "亿元",
    "万件",
    "百分点",
    "季度",
    "上半年",
    "全年",
    "目标",
    "任务",
    "重点",
    "基层",
    "乡镇",
    "村民",
    "商户",
    "平台",
    "电商",
    "直播",
    "网络",
    "数字化",
    "智能",
    "绿色",
    "低碳",
    "环保",
    "能源",
];

const PLACES: &[&str] = &[
    "北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "云南", "甘肃",
    "新疆", "西藏", "贵州", "广西", "重庆", "天津", "河北", "安徽",
];

/// Per-item counts of the 10 plan sections (29 items in all).
const ITEMS_PER_SECTION: [usize; 10] = [3, 3, 4, 3, 3, 3, 2, 3, 3, 2];

const SOURCES: usize = 300;
const DAYS: i64 = 365;

/// Fixed-seed LCG (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() % (1 << 30)) as f64 / (1u64 << 30) as f64
    }
    /// Zipf-like in [0, n): small indexes much more frequent.
    fn zipf(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * u) * n as f64) as usize % n
    }
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
}

/// One generated sentence of 5–11 words; `postal_share` in tenths of words from [`POSTAL`].
fn sentence(rng: &mut Lcg, postal_share: usize, out: &mut String) {
    if rng.below(3) == 0 {
        out.push_str(PLACES[rng.zipf(PLACES.len())]);
    }
    let words = 5 + rng.below(7);
    for w in 0..words {
        let word = if rng.below(10) < postal_share {
            POSTAL[rng.zipf(POSTAL.len())]
        } else {
            GENERAL[rng.zipf(GENERAL.len())]
        };
        out.push_str(word);
        if w == words / 2 && rng.below(2) == 0 {
            out.push('，');
        }
        if rng.below(12) == 0 {
            out.push_str(&format!("{}", rng.below(10_000)));
        }
    }
    out.push('。');
}

/// Real sentences: general news (cwced bodies cut at `。`) and postal headlines; empty lists
/// when `../shared/data` is missing.
struct Corpus {
    general: Vec<String>,
    postal: Vec<String>,
}

fn corpus() -> Corpus {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
    let field = |line: &str, key: &str| -> Option<String> {
        let start = line.find(&format!("\"{key}\": \""))? + key.len() + 5;
        let rest = line.get(start..)?;
        let end = rest.find("\", \"").unwrap_or(rest.len());
        Some(rest.get(..end)?.to_string())
    };
    let mut general = Vec::new();
    if let Ok(text) = std::fs::read_to_string(format!("{data}/extraction_zh/cwced/expected.jsonl"))
    {
        for line in text.lines() {
            if let Some(content) = field(line, "expected_content") {
                for s in content.split(['。', '\\']) {
                    let s = s.trim_start_matches('n').trim();
                    if s.chars().count() >= 8 {
                        general.push(format!("{s}。"));
                    }
                }
            }
        }
    }
    let mut postal = Vec::new();
    if let Ok(text) = std::fs::read_to_string(format!(
        "{data}/postal_express_news/postal_express_items.jsonl"
    )) {
        postal.extend(
            text.lines()
                .filter_map(|l| field(l, "title"))
                .map(|t| format!("{t}。")),
        );
    }
    Corpus { general, postal }
}

impl Corpus {
    /// A general-news sentence appended to `out`.
    fn general(&self, rng: &mut Lcg, out: &mut String) {
        match self.general.len() {
            0 => sentence(rng, 1, out),
            n => out.push_str(&self.general[rng.below(n)]),
        }
    }
    /// A postal sentence appended to `out`: a real headline or generated postal vocabulary.
    fn postal(&self, rng: &mut Lcg, out: &mut String) {
        match self.postal.len() {
            n if n > 0 && rng.below(2) == 0 => out.push_str(&self.postal[rng.below(n)]),
            _ => sentence(rng, 5, out),
        }
    }
}

/// Article `i` and its analysis (deterministic in `i` and the seed stream).
fn article(
    i: usize,
    rng: &mut Lcg,
    corpus: &Corpus,
    clusters: &[ArticleId],
) -> (Article, Analysis) {
    let industry = rng.below(10) < 4;
    let mut title = String::new();
    if industry {
        corpus.postal(rng, &mut title);
    } else {
        corpus.general(rng, &mut title);
    }
    let title: String = title.trim_end_matches('。').chars().take(30).collect();
    let mut body = String::with_capacity(1800);
    let mut postal_left = if industry {
        2 + rng.below(5)
    } else {
        usize::from(rng.below(10) == 0)
    };
    while body.len() < 1500 {
        if postal_left > 0 && rng.below(3) == 0 {
            corpus.postal(rng, &mut body);
            postal_left -= 1;
        } else {
            corpus.general(rng, &mut body);
        }
        if rng.below(5) == 0 {
            body.push('\n');
        }
    }
    // Recent days busier: day offset = DAYS · u², seconds spread over the day.
    let u = rng.unit();
    let age_secs = ((u * u) * (DAYS * 86_400) as f64) as i64;
    let published = base_time() - Duration::seconds(age_secs);
    let url = format!("https://news{}.example.cn/a/{i}.html", i % 97);
    let id = ArticleId::from_canonical_url(&url);
    let tier = match rng.below(100) {
        0..=9 => Tier::Central,
        10..=34 => Tier::Provincial,
        35..=49 => Tier::Industry,
        50..=79 => Tier::Commercial,
        _ => Tier::SelfMedia,
    };
    let source = format!("src{:03}", rng.zipf(SOURCES));
    let mut themes = Vec::new();
    if rng.below(100) < 55 {
        for _ in 0..1 + rng.below(2) {
            let s = rng.zipf(10);
            let item = rng.below(ITEMS_PER_SECTION[s]);
            for theme in [format!("s{}", s + 1), format!("s{}.i{}", s + 1, item + 1)] {
                themes.push(ThemeMatch {
                    theme,
                    score: 2.0,
                    hits: Vec::new(),
                });
            }
        }
    }
    let (label, score) = match rng.below(100) {
        0..=59 => (SentimentLabel::Neutral, 0.0),
        60..=84 => (SentimentLabel::Positive, 0.6),
        _ => (SentimentLabel::Negative, -0.7),
    };
    // ≈ 30 % reprints of one of the last 2,000 articles.
    let cluster = if !clusters.is_empty() && rng.below(10) < 3 {
        let back = 1 + rng.below(clusters.len().min(2_000));
        clusters.get(clusters.len() - back).cloned()
    } else {
        None
    };
    let a = Article {
        id: id.clone(),
        source,
        tier,
        url: url.clone(),
        canonical_url: url,
        site: "示例网".into(),
        title,
        author: Some("记者 张三".into()),
        editor: None,
        published_at: Some(published),
        date_source: DateSource::Meta,
        body,
        fetched_at: published + Duration::minutes(5),
    };
    let an = Analysis {
        themes,
        sentiment: Some(Sentiment {
            label,
            score,
            evidence: Vec::new(),
        }),
        fingerprint: None,
        cluster: Some(cluster.unwrap_or(id)),
    };
    (a, an)
}

/// Builds `n` articles into `index` (256 MiB writer heap, a commit every 100,000), then waits
/// for the merges.
fn build(index: &ArticleIndex, n: usize) {
    let t = Instant::now();
    let mut rng = Lcg(20261130);
    let corpus = corpus();
    eprintln!(
        "{} general and {} postal sentences from ../shared/data",
        corpus.general.len(),
        corpus.postal.len()
    );
    let mut w = index.writer(256 << 20).expect("writer");
    let mut clusters: Vec<ArticleId> = Vec::with_capacity(n);
    for i in 0..n {
        let (a, an) = article(i, &mut rng, &corpus, &clusters);
        clusters.push(an.cluster.clone().unwrap_or_else(|| a.id.clone()));
        w.upsert(&a, &an).expect("upsert");
        if (i + 1) % 100_000 == 0 {
            w.commit().expect("commit");
            eprintln!("{} articles in {:.0} s", i + 1, t.elapsed().as_secs_f64());
        }
    }
    w.commit().expect("commit");
    eprintln!(
        "committed {n} in {:.0} s; merging",
        t.elapsed().as_secs_f64()
    );
    w.wait_merging().expect("merge");
    println!(
        "built {n} articles in {:.0} s (incl. merges)",
        t.elapsed().as_secs_f64()
    );
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Term,
    And2,
    Phrase,
    Theme,
    DateRange,
    Sentiment,
    Collapse,
}

const KINDS: [Kind; 7] = [
    Kind::Term,
    Kind::And2,
    Kind::Phrase,
    Kind::Theme,
    Kind::DateRange,
    Kind::Sentiment,
    Kind::Collapse,
];

/// A query word: mostly postal vocabulary (what analysts search), sometimes general.
fn query_word(rng: &mut Lcg) -> &'static str {
    if rng.below(4) < 3 {
        POSTAL[rng.zipf(POSTAL.len())]
    } else {
        GENERAL[rng.zipf(GENERAL.len())]
    }
}

fn request(kind: Kind, rng: &mut Lcg) -> SearchRequest {
    let mut req = SearchRequest::new(query_word(rng));
    match kind {
        Kind::Term => {}
        Kind::And2 => req.query = format!("{} {}", query_word(rng), query_word(rng)),
        Kind::Phrase => {
            req.query = format!("\"{}{}\"", PLACES[rng.zipf(PLACES.len())], query_word(rng))
        }
        Kind::Theme => {
            let s = rng.zipf(10);
            req.theme = Some(if rng.below(2) == 0 {
                format!("s{}", s + 1)
            } else {
                format!("s{}.i{}", s + 1, 1 + rng.below(ITEMS_PER_SECTION[s]))
            });
        }
        Kind::DateRange => {
            let end = base_time() - Duration::days(rng.below(180) as i64);
            req.from = Some(end - Duration::days(30));
            req.to = Some(end);
        }
        Kind::Sentiment => req.sentiment = Some(SentimentLabel::Negative),
        Kind::Collapse => req.collapse = true,
    }
    req.facets = true;
    if rng.below(4) == 0 {
        req.sort = SortOrder::Time;
    }
    req
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn vm_hwm_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: bench_search DIR N [THREADS [QUERIES]]"),
    );
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect("N");
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4_000);
    let seg = Segmenter::load(None).expect("dictionary");
    let index = ArticleIndex::open(&dir, &seg).expect("open index");
    let have = index.num_docs().expect("num_docs");
    if have == 0 {
        build(&index, n);
    } else if have != n as u64 {
        panic!(
            "{} holds {have} articles, not {n}: use another directory",
            dir.display()
        );
    } else {
        println!("reusing {} ({have} articles)", dir.display());
    }
    // BENCH_CACHE=0: every search counts and facets its matches (no result cache).
    if let Some(n) = std::env::var("BENCH_CACHE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        index.set_result_cache(n);
    }
    let index = Arc::new(index);
    // Warm-up: one pass of each kind (page cache, reader).
    let mut rng = Lcg(7);
    for kind in KINDS {
        index.search(&request(kind, &mut rng)).expect("search");
    }
    // BENCH_KIND=term (or and2, phrase, theme, daterange, sentiment, collapse): that kind only.
    let only = std::env::var("BENCH_KIND").ok().and_then(|k| {
        KINDS
            .into_iter()
            .find(|kind| format!("{kind:?}").eq_ignore_ascii_case(&k))
    });
    let t = Instant::now();
    let cpu0 = cpu_secs();
    let results: Vec<Vec<(Kind, f64, usize, f64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|th| {
                let index = Arc::clone(&index);
                scope.spawn(move || {
                    let mut rng = Lcg(1000 + th as u64);
                    let mut out = Vec::new();
                    for q in 0..queries / threads {
                        let kind = match only {
                            Some(k) => k,
                            None => KINDS[(q + th) % KINDS.len()],
                        };
                        let req = request(kind, &mut rng);
                        let t = Instant::now();
                        let c = thread_cpu_ns();
                        let res = index.search(&req).expect("search");
                        let cpu = thread_cpu_ns()
                            .zip(c)
                            .map_or(f64::NAN, |(b, a)| (b - a) as f64 / 1e6);
                        out.push((kind, t.elapsed().as_secs_f64() * 1e3, res.total, cpu));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let wall = t.elapsed().as_secs_f64();
    let all: Vec<(Kind, f64, usize, f64)> = results.into_iter().flatten().collect();
    println!(
        "{} searches from {threads} threads in {wall:.1} s: {:.0} searches/s{}",
        all.len(),
        all.len() as f64 / wall,
        match (cpu0, cpu_secs()) {
            (Some(a), Some(b)) => format!(", {:.2} ms CPU each", (b - a) * 1e3 / all.len() as f64),
            _ => String::new(),
        }
    );
    println!("kind        n   mean hits  CPU ms    p50 ms   p95 ms   p99 ms   max ms");
    let report = |name: &str, mut ms: Vec<f64>, hits: f64, cpu: f64| {
        ms.sort_by(f64::total_cmp);
        println!(
            "{name:<9} {:>5} {:>10.0} {:>7.2} {:>9.1} {:>8.1} {:>8.1} {:>8.1}",
            ms.len(),
            hits,
            cpu,
            pct(&ms, 0.5),
            pct(&ms, 0.95),
            pct(&ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN)
        );
    };
    for kind in KINDS {
        let of: Vec<&(Kind, f64, usize, f64)> = all.iter().filter(|r| r.0 == kind).collect();
        let hits = of.iter().map(|r| r.2 as f64).sum::<f64>() / of.len().max(1) as f64;
        let cpu = of.iter().map(|r| r.3).sum::<f64>() / of.len().max(1) as f64;
        report(
            &format!("{kind:?}").to_lowercase(),
            of.iter().map(|r| r.1).collect(),
            hits,
            cpu,
        );
    }
    let hits = all.iter().map(|r| r.2 as f64).sum::<f64>() / all.len().max(1) as f64;
    let cpu = all.iter().map(|r| r.3).sum::<f64>() / all.len().max(1) as f64;
    report("overall", all.iter().map(|r| r.1).collect(), hits, cpu);
    if let Some(mb) = vm_hwm_mb() {
        println!("peak RSS (VmHWM) {mb:.0} MB");
    }
}

/// CPU time of the calling thread in nanoseconds (first field of `/proc/thread-self/schedstat`,
/// Linux; nanosecond resolution, unlike the 10 ms ticks of `stat`).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// CPU seconds (user + system, all threads) of this process, from `/proc/self/stat` (Linux,
/// 100 Hz clock ticks assumed).
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut f = rest.split(' ').skip(11);
    let utime: f64 = f.next()?.parse().ok()?;
    let stime: f64 = f.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
