//! Test corpus for reprint clustering: real article bodies read in place from
//! `../shared/data/extraction_zh` (never copied into the repo) and reprint variants generated
//! from them with a seeded RNG, plus the project's own same-topic reports in `same_topic.txt`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One text of the evaluation set.
#[derive(Debug, Clone)]
pub struct Item {
    /// Story label: items with the same label are reprints of one story.
    pub story: String,
    /// Headline.
    pub title: String,
    /// Body, paragraphs separated by `\n`.
    pub body: String,
}

/// `../shared/data` relative to the repo root.
pub fn shared_data() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    p.is_dir().then_some(p)
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator, enough for test variants.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Strips tags from an HTML fragment (readability's expected.html), one line per block element.
fn strip_html(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                if ["p", "br", "div", "h1", "h2", "h3", "li"]
                    .iter()
                    .any(|b| t == *b || t.starts_with(&format!("{b} ")))
                {
                    out.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Paragraphs of a body: non-empty trimmed lines.
pub fn paragraphs(body: &str) -> Vec<String> {
    body.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()).to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn cjk_count(s: &str) -> usize {
    s.chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count()
}

/// A headline for a page without title ground truth: its first line when short, else the first
/// clause of the first line.
fn make_title(paras: &[String]) -> String {
    let first = paras.first().map(String::as_str).unwrap_or("");
    if first.chars().count() <= 30 {
        return first.to_string();
    }
    first
        .split(['。', '，', '！', '？', ','])
        .next()
        .unwrap_or(first)
        .chars()
        .take(30)
        .collect()
}

/// Original stories read in place from `data/extraction_zh`: cwced hand-copied bodies,
/// newspaper4k expected texts and readability expected bodies. Pages with fewer than 200 CJK
/// characters are skipped; bodies are cut to their first 4,000 characters (at a paragraph end).
pub fn originals(data: &Path) -> Vec<Item> {
    let mut out = Vec::new();
    let mut push = |story: String, body: String, title: Option<String>| {
        let mut paras = Vec::new();
        let mut len = 0;
        for p in paragraphs(&body) {
            len += p.chars().count();
            paras.push(p);
            if len > 4000 {
                break;
            }
        }
        if cjk_count(&paras.concat()) < 200 || paras.len() < 2 {
            return;
        }
        let title = title.unwrap_or_else(|| make_title(&paras));
        out.push(Item {
            story,
            title,
            body: paras.join("\n"),
        });
    };
    let cwced = data.join("extraction_zh/cwced/expected.jsonl");
    if let Ok(text) = std::fs::read_to_string(&cwced) {
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("cwced jsonl line");
            let id = v["id"].as_str().unwrap_or("?").to_string();
            let body = v["expected_content"].as_str().unwrap_or("").to_string();
            push(format!("cwced/{id}"), body, None);
        }
    }
    for name in [
        "chinese_article",
        "chinese_article_001",
        "chinese_article_002",
    ] {
        let p = data.join(format!(
            "extraction_zh/newspaper4k/{name}.expected_text.txt"
        ));
        if let Ok(body) = std::fs::read_to_string(&p) {
            push(format!("newspaper4k/{name}"), body, None);
        }
    }
    for name in ["gmw", "qq", "youth", "pixnet"] {
        let dir = data.join(format!("extraction_zh/readability/{name}"));
        let (Ok(html), Ok(meta)) = (
            std::fs::read_to_string(dir.join("expected.html")),
            std::fs::read_to_string(dir.join("expected-metadata.json")),
        ) else {
            continue;
        };
        let meta: serde_json::Value = serde_json::from_str(&meta).expect("readability metadata");
        let title = meta["title"].as_str().map(str::to_string);
        push(format!("readability/{name}"), strip_html(&html), title);
    }
    out
}

const HEAD_PREFIX: &[&str] = &["", "", "转载｜", "【关注】", "重磅！", "热点："];
const HEAD_SUFFIX: &[&str] = &["", "", "_新闻频道", "—中国网", "（图）", "｜焦点"];

const NOTES: &[&str] = &[
    "编者按：本文转载自合作媒体，内容仅供参考，不代表本站观点。欢迎读者朋友留言讨论。",
    "【编者按】这篇报道引起了许多读者的关注，我们今天予以转载，希望对大家有所启发。",
    "编者按：近期，围绕这一话题的讨论持续升温。本报记者梳理了相关情况，现刊发如下。",
    "【导读】这是一篇值得一读的文章，小编推荐给大家，看完记得分享给身边的朋友。",
];

const ADS: &[&str] = &[
    "点击下方链接下载客户端，每天推送最新最热资讯，更有海量福利等你来拿！",
    "【广告】春季大促火热进行中，全场商品满三百减五十，数量有限，先到先得。",
    "关注我们的微信公众号，回复关键词即可领取精美礼品一份，活动长期有效。",
    "想了解更多精彩内容，请搜索本站官方账号，或者拨打热线电话进行咨询。",
    "本栏目长期征集读者来稿，稿件一经采用即付稿酬，欢迎踊跃投稿参与。",
];

const TOP_CHROME: &[&str] = &[
    "来源：新华网  2026-11-29 08:30",
    "来源:人民网-地方频道",
    "2026年11月29日 10:12  中国新闻网",
    "【字号 大 中 小】【打印】【关闭】",
    "原标题：{title}",
    "分享到：微信 微博 QQ空间",
];

const BOTTOM_CHROME: &[&str] = &[
    "责任编辑：王晓明",
    "（编辑：李娜）",
    "扫一扫分享本页",
    "返回搜狐，查看更多",
    "上一篇：全国邮政管理工作会议召开  下一篇：快递新规明年起施行",
    "本文转自网络，如有侵权请联系删除。",
    "【纠错】【打印本页】【关闭窗口】",
];

const TYPO_POOL: &[char] = &[
    '的', '地', '得', '在', '再', '做', '作', '已', '以', '那', '哪',
];

fn rewrite_headline(rng: &mut Rng, title: &str, paras: &[String]) -> String {
    match rng.below(4) {
        0 => format!(
            "{}{}{}",
            rng.pick(HEAD_PREFIX),
            title,
            rng.pick(HEAD_SUFFIX)
        ),
        1 => {
            // Shortened headline.
            let n = title.chars().count();
            let keep = (n * 2 / 3).max(4);
            format!(
                "{}{}",
                title.chars().take(keep).collect::<String>(),
                rng.pick(HEAD_SUFFIX)
            )
        }
        2 => {
            // A clause of the lead as headline.
            let lead = paras
                .get(1)
                .or(paras.first())
                .map(String::as_str)
                .unwrap_or("");
            let clause = lead
                .split(['。', '，', '！', '？'])
                .find(|s| s.chars().count() >= 8)
                .unwrap_or(lead);
            clause.chars().take(24).collect()
        }
        _ => format!("{}：{}", rng.pick(&["独家", "深读", "聚焦", "现场"]), title),
    }
}

fn rewrap(rng: &mut Rng, paras: &[String]) -> Vec<String> {
    let text: String = paras.concat();
    let mut sentences: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, '。' | '！' | '？') {
            sentences.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        sentences.push(cur);
    }
    let indent = if rng.chance(0.5) {
        "\u{3000}\u{3000}"
    } else {
        ""
    };
    let mut out = Vec::new();
    let mut para = String::from(indent);
    for s in sentences {
        para.push_str(&s);
        if rng.chance(0.35) {
            out.push(std::mem::replace(&mut para, String::from(indent)));
        }
    }
    if para.trim().chars().count() > 0 {
        out.push(para);
    }
    out
}

fn typos(rng: &mut Rng, paras: &mut [String]) {
    let n = 1 + rng.below(6);
    for _ in 0..n {
        if paras.is_empty() {
            return;
        }
        let pi = rng.below(paras.len());
        let mut chars: Vec<char> = paras[pi].chars().collect();
        let cjk: Vec<usize> = (0..chars.len())
            .filter(|&i| ('\u{4E00}'..='\u{9FFF}').contains(&chars[i]))
            .collect();
        if cjk.is_empty() {
            continue;
        }
        let at = cjk[rng.below(cjk.len())];
        chars[at] = TYPO_POOL[rng.below(TYPO_POOL.len())];
        paras[pi] = chars.into_iter().collect();
    }
    // Full-width commas to half-width in one paragraph.
    if !paras.is_empty() {
        let pi = rng.below(paras.len());
        paras[pi] = paras[pi].replace('，', ", ");
    }
}

/// One reprint variant of `orig`: a rewritten headline (70 %) and 2–4 of: editor's note, ad
/// paragraph, dropped last paragraph, chrome lines, re-wrapped paragraphs, changed characters.
pub fn variant(rng: &mut Rng, orig: &Item) -> Item {
    let mut paras = paragraphs(&orig.body);
    let title = if rng.chance(0.7) {
        rewrite_headline(rng, &orig.title, &paras)
    } else {
        orig.title.clone()
    };
    let mut ops = [0usize, 1, 2, 3, 4, 5];
    // Fisher–Yates shuffle, then take 2–4 ops.
    for i in (1..ops.len()).rev() {
        ops.swap(i, rng.below(i + 1));
    }
    let k = 2 + rng.below(3);
    let mut chosen: Vec<usize> = ops[..k].to_vec();
    chosen.sort_unstable();
    for op in chosen {
        match op {
            0 => {
                // Drop the last paragraph (keeping at least two).
                if paras.len() > 2 {
                    paras.pop();
                }
            }
            1 => paras = rewrap(rng, &paras),
            2 => typos(rng, &mut paras),
            3 => {
                let at = if rng.chance(0.6) {
                    paras.len()
                } else {
                    1 + rng.below(paras.len().max(1))
                };
                let at = at.min(paras.len());
                paras.insert(at, rng.pick(ADS).to_string());
            }
            4 => paras.insert(0, rng.pick(NOTES).to_string()),
            _ => {
                let top = rng.pick(TOP_CHROME).replace("{title}", &orig.title);
                paras.insert(0, top);
                for _ in 0..1 + rng.below(2) {
                    paras.push(rng.pick(BOTTOM_CHROME).to_string());
                }
            }
        }
    }
    // Some sites repeat the headline as the first body line.
    if rng.chance(0.3) {
        paras.insert(0, title.clone());
    }
    Item {
        story: orig.story.clone(),
        title,
        body: paras.join(if rng.chance(0.5) { "\n" } else { "\n\n" }),
    }
}

/// The project's own same-topic reports (`tests/same_topic.txt`): blocks separated by a line
/// `---`, first line `topic|title`, the rest the body. Each report is its own story.
pub fn same_topic() -> Vec<Item> {
    let text = include_str!("../same_topic.txt");
    let mut out = Vec::new();
    for (i, block) in text.split("\n---\n").enumerate() {
        let mut lines = block.trim().lines();
        let Some(head) = lines.next() else { continue };
        let Some((topic, title)) = head.split_once('|') else {
            continue;
        };
        let body: Vec<&str> = lines.collect();
        out.push(Item {
            story: format!("own/{topic}/{i}"),
            title: title.to_string(),
            body: body.join("\n"),
        });
    }
    out
}

/// Originals, 3–5 variants of each (seed `seed`), and the same-topic reports.
pub fn eval_set(data: &Path, seed: u64) -> (Vec<Item>, usize) {
    let mut rng = Rng::new(seed);
    let origs = originals(data);
    let n_orig = origs.len();
    let mut items = Vec::new();
    for o in &origs {
        items.push(o.clone());
        for _ in 0..3 + rng.below(3) {
            items.push(variant(&mut rng, o));
        }
    }
    items.extend(same_topic());
    (items, n_orig)
}
