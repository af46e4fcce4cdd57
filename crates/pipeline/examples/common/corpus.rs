//! The generated corpus and pipeline setup shared by `bench_analysis` and `bench_rematch`:
//! ~1.5 KB articles of CWCED sentences (read in place from `../shared/data`), about a third with
//! postal-topic sentences, ~15 % reprints; a copy of the shipped `config/` in a temp dir.
#![allow(dead_code)]

use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use yuqing_model::{Article, ArticleId, DateSource, Tier};
use yuqing_pipeline::Pipeline;

/// Postal-topic sentences touching several plan items (and a few negative ones).
pub const POSTAL: &[&str] = &[
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

pub const POSTAL_TITLES: &[&str] = &[
    "快递进村工程加快推进",
    "寄递渠道安全专项整治启动",
    "快递包装绿色治理取得新成效",
    "邮政快递业助力脱贫攻坚",
    "双十一快递业务量创新高",
    "万国邮联大会聚焦会费改革",
    "邮政快递企业全力保障防疫物资寄递",
    "快递网点停运引发集中投诉",
];

pub const BUILTIN: &[&str] = &[
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
pub fn general_sentences() -> Vec<String> {
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

pub struct Lcg(u64);
impl Lcg {
    pub fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// `n` generated articles, ids from URLs `https://news.example.cn/{i}.html`; returns the
/// articles and the number of reprints among them.
pub fn articles(n: usize, seed: u64) -> (Vec<Article>, usize) {
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

/// Copies the shipped `config/` (yuqing.toml, sources/sites/themes.toml, dict/, lexicon/) to
/// `to`.
pub fn copy_config(to: &Path) -> std::io::Result<()> {
    let from = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"));
    copy_dir(from, to)
}

pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
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
pub fn open(
    cfg: &Path,
    data: &Path,
    themes_off: bool,
) -> Result<Pipeline, Box<dyn std::error::Error>> {
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
