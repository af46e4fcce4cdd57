//! Rule-term proposal for plan items and the themes.toml writer.

use yuqing_text::{SegmentMode, Segmenter, is_stop_word, normalize};

use crate::matcher::is_cjk;
use crate::plan::{Plan, quoted_terms};

/// Generic plan vocabulary: verbs and nouns of official planning prose that say nothing about
/// *what* an item is about, so they are never proposed as terms (hand-picked from the 2020 plan;
/// they occur in most items: 宣传, 做好, 加强 …).
pub const GENERIC_PLAN_WORDS: &[&str] = &[
    "宣传",
    "做好",
    "加强",
    "大力",
    "深入",
    "推进",
    "工作",
    "持续",
    "全面",
    "积极",
    "报道",
    "宣传报道",
    "开展",
    "推动",
    "加大",
    "充分",
    "重点",
    "关注",
    "全系统",
    "全行业",
    "系统",
    "行业",
    "成效",
    "工作成效",
    "举措",
    "情况",
    "进一步",
    "扎实",
    "不断",
    "着眼",
    "围绕",
    "实施",
    "落实",
    "贯彻",
    "贯彻落实",
    "方面",
    "相关",
    "有关",
    "及时",
    "强化",
    "组织",
    "发挥",
    "作用",
    "做法",
    "好做法",
    "新成效",
    "力度",
    "建设",
    "发展",
    "工作者",
    "继续",
    "提升",
    "加快",
    "坚持",
    "切实",
    "营造",
    "氛围",
    "良好",
    "广泛",
    "形成",
    "结合",
    "重要",
    "重大",
    "各地",
    "各项",
    "主要",
    "部门",
    "等方面",
    "多种",
    "方式",
    "形式",
    "活动",
    "工程",
    "项目",
    "任务",
    "目标",
    "要求",
    "精神",
    "实践",
    "生动",
    "成果",
    "效果",
    "进度",
    "升级",
    "改造",
    "体系",
    "管理",
    "服务",
    "工作的",
    "同时",
    "以及",
    "通过",
    "在全",
    "大力宣传",
    "关注报道",
    "宣传贯彻",
    "突出",
    "呼吁",
    "倡导",
    "总结",
    "推广",
    "普及",
    "关于",
    "指示",
    "及其",
    "期间",
    "应用",
    "发布",
    "解读",
    "专项",
    "办法",
    "战略",
    "各种",
    "调动",
    "建成",
    "相适应",
    "周年",
    "实现",
    "全力",
    "出台",
    "促进",
    "支持",
    "办好",
    "第四届",
    "对全",
    "影响力",
    "深化",
    "打造",
    "一线",
    // Found by a fresh-user import of the 2020 plan: proposed but generic.
    "政策",
    "掀起",
    "热潮",
    "保障",
    "凝聚",
    "社会",
    "修订",
    "时效",
    "高素质",
    "调动",
    "充分调动",
    "积极支持",
    "参加",
    "中央",
    "做细",
    "做实",
    "抓牢",
    "振奋",
    "振奋精神",
    "始终",
    "保持",
    "自觉",
    "教育",
    "引导",
    "教育引导",
    "多样",
    "形式多样",
    "传统",
    "新闻",
    "新闻宣传",
    "报送",
    "信息报送",
    "经济",
    "国民经济",
    "经济社会",
    "专栏",
    "开设",
    "领域",
    "创建",
    "育人",
    "唱响",
    "争当",
    "补齐",
    "集中",
    "基础设施",
    "人民",
    "福祉",
    "趋势",
    "研究",
    "第三批",
    "第五届",
    "全国",
    "各级",
    "国家",
    "有效",
    "利用",
    "提高",
    "进行",
    "加以",
    "认真",
    "确保",
    "聚焦",
    "助力",
    "破解",
    "难题",
    "更好",
    "力量",
    "胜利",
    "传播",
    "良好氛围",
    "深入人心",
    // Found by a fresh-user import of the 2020 plan: words of how publicity is done, not of
    // what an item is about.
    "舆情",
    "传统媒体",
    "调查报告",
    "改革创新",
];

/// A key phrase found in more than this many background documents (and more than a
/// twentieth of them) is common across the plan (邮政快递业, 邮政管理部门, 国家邮政,
/// 习近平总书记 in the 2020 plan) and says nothing specific about one item: not proposed
/// (quoted names and titles still are).
pub const MAX_BACKGROUND_DF: usize = 2;

/// Words too broad to propose alone but good inside a two-word phrase (快递 → 快递包装,
/// 快递小哥; 安全 → 渠道安全).
pub const BROAD_WORDS: &[&str] = &[
    "邮政",
    "快递",
    "寄递",
    "邮票",
    "包装",
    "绿色",
    "国家",
    "全国",
    "先进",
    "学习",
    "思想",
    "政治",
    "文化",
    "媒体",
    "安全",
    "改革",
    "信息",
    "标准",
    "统计",
    "监督",
    "监管",
    "交流",
    "产品",
    "高质量",
    "快件",
    "邮件",
    "两岸",
    "港澳",
    "能源",
    "环保",
    "理论",
    "价值观",
    "十八",
    "邮政快递",
];

/// Words that never start or end a proposed two-word phrase (they glue phrases to context:
/// 关于邮政, 发布快递).
const WEAK_EDGES: &[&str] = &[
    "关于", "发布", "全面", "实施", "充分", "及其", "对全", "出台", "积极",
];

fn is_generic(w: &str) -> bool {
    GENERIC_PLAN_WORDS.contains(&w) || is_stop_word(w)
}

/// Background documents for TF-IDF: the normalised texts against which an item's words are
/// weighed. A word found in few background documents scores high (document frequency counted
/// by substring, like rule matching).
#[derive(Debug, Clone, Default)]
pub struct Background {
    docs: Vec<String>,
}

impl Background {
    /// A background from any texts (normalised with `yuqing_text::normalize`).
    pub fn new<I, S>(docs: I) -> Background
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Background {
            docs: docs.into_iter().map(|d| normalize(d.as_ref())).collect(),
        }
    }

    /// The plan itself as background: one document per item text plus one per section title,
    /// so words that recur across the plan (邮政, 快递, 行业) weigh little and words particular
    /// to one item weigh most.
    pub fn from_plan(plan: &Plan) -> Background {
        Background::new(plan.sections.iter().flat_map(|s| {
            std::iter::once(s.title.as_str()).chain(s.items.iter().map(|i| i.text.as_str()))
        }))
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when there are no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Number of documents containing the (normalised) phrase (substring).
    pub fn df(&self, phrase: &str) -> usize {
        self.docs.iter().filter(|d| d.contains(phrase)).count()
    }

    /// Smoothed inverse document frequency of a (normalised) phrase:
    /// `ln((N + 1) / (df + 1)) + 1`, where `df` counts documents containing it (the smoothed
    /// IDF of scikit-learn's `TfidfVectorizer`). At least 1.
    pub fn idf(&self, phrase: &str) -> f64 {
        let df = self.df(phrase);
        ((self.docs.len() as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0
    }
}

/// Most TF-IDF key phrases proposed per item (on top of quoted names and titles).
pub const KEY_PHRASES_PER_ITEM: usize = 6;

/// Proposes rule terms for one plan item's text, best first:
///
/// 1. quoted names and 《》 titles ([`quoted_terms`]): `快递进村`, `9792`, `绿盾`, `交通强国建设纲要`;
/// 2. up to [`KEY_PHRASES_PER_ITEM`] key phrases by TF-IDF against `background`: candidates are
///    jieba words (default cut) of at least 2 characters with a CJK character that are neither
///    stop words, [`GENERIC_PLAN_WORDS`] nor [`BROAD_WORDS`], and pairs of adjacent words that
///    are not stop words or generic (broad words allowed; at most 6 characters, e.g. `快递` +
///    `包装` → `快递包装`); score = count in the item × IDF
///    ([`Background::idf`]) × (1 + 0.15 × (characters − 2)), favouring specific longer phrases.
///    A candidate that contains, or is contained in, an already chosen term is skipped (substring
///    matching would make it redundant or merely broader), and so is one found in more than
///    [`MAX_BACKGROUND_DF`] background documents and more than a twentieth of them (common to
///    many items: 邮政快递业, 国家邮政).
///
/// The terms are spelled as in the item text; an analyst is expected to edit them.
pub fn propose_terms(item_text: &str, seg: &Segmenter, background: &Background) -> Vec<String> {
    let mut out = quoted_terms(item_text);
    let words = seg.cut(item_text, SegmentMode::Default);
    // A word that may be part of a phrase; a single-word term must also not be broad.
    let content = |w: &str| {
        w.chars().count() >= 2
            && w.chars().any(is_cjk)
            && !is_generic(w)
            && !w.contains(['“', '”', '《', '》'])
    };
    let mut cands: Vec<(String, usize)> = Vec::new();
    let mut push = |c: String, pos: usize| {
        if !cands.iter().any(|(x, _)| *x == c) {
            cands.push((c, pos));
        }
    };
    for (i, pair) in words.windows(2).enumerate() {
        if let [a, b] = pair
            && content(a)
            && content(b)
            && a.chars().count() + b.chars().count() <= 6
            && !WEAK_EDGES.contains(a)
            && !WEAK_EDGES.contains(b)
        {
            push(format!("{a}{b}"), i);
        }
    }
    for (i, w) in words.iter().enumerate() {
        if content(w) && !BROAD_WORDS.contains(w) {
            push((*w).to_string(), i);
        }
    }
    let common = MAX_BACKGROUND_DF.max(background.len() / 20);
    let mut scored: Vec<(f64, usize, String)> = cands
        .into_iter()
        .filter(|(c, _)| background.df(&normalize(c)) <= common)
        .map(|(c, pos)| {
            let norm = normalize(&c);
            let tf = item_text.matches(c.as_str()).count().max(1) as f64;
            let len = c.chars().count() as f64;
            (
                tf * background.idf(&norm) * (1.0 + 0.15 * (len - 2.0)),
                pos,
                c,
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut added = 0;
    for (_, _, c) in scored {
        if added >= KEY_PHRASES_PER_ITEM {
            break;
        }
        if out
            .iter()
            .any(|o| o.contains(c.as_str()) || c.contains(o.as_str()))
        {
            continue;
        }
        out.push(c);
        added += 1;
    }
    out
}

/// Replaces every item's `terms` with [`propose_terms`] against the plan itself
/// ([`Background::from_plan`]).
pub fn fill_terms(plan: &mut Plan, seg: &Segmenter) {
    let bg = Background::from_plan(plan);
    for section in &mut plan.sections {
        for item in &mut section.items {
            item.terms = propose_terms(&item.text, seg, &bg);
        }
    }
}

/// The header comment of a generated themes.toml: the rule syntax and semantics.
pub const TOML_HEADER: &str = r#"# Yuqing plan themes (专题): one [[section]] per plan section, one [[item]] per plan item.
# Generated by `yuqing plan import`; the terms are proposals: edit them, then run
# `yuqing config check` and `yuqing themes rematch`.
#
# Rule keys (all optional except on items, which need `any`, `all` or `title_only` terms):
#   any        = ["a", "b"]            at least one must hit (if the list is non-empty)
#   all        = [["a", "b"], ["c"]]   every group needs at least one hit
#   not        = ["x"]                 any hit excludes the article
#   title_only = ["t"]                 these terms count only in the title (a term listed only
#                                      here is one more `any` alternative)
#   weights    = { "a" = 3.0 }         per-term weight, default 1.0 (term must be in a list)
#   min_score  = 1.0                   default 1.0
# Text and terms are normalised (full-width -> half-width, Latin lowercased); a term hits where
# its characters occur (人民银行 hits 中国人民银行; a Latin word or number only as a whole word).
# Score = sum over hit terms of weight * (2 * bm25(title count) + 0.75 * bm25(body count)),
# bm25(tf) = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average length)), lengths in
# characters, averages 24 (title) and 1000 (body): one title hit gives about 2.0, one body
# mention in an average article 0.75 (two: 1.03), more mentions add ever less.
# An article matches when an `any` term hits, every `all` group hits, no `not` term hits and
# score >= min_score. A section matches on its own rule or whenever one of its items matches.
"#;

/// Writes a themes.toml for `plan`: [`TOML_HEADER`], `version = 1`, one `[[section]]` per
/// section (`id = "s<n>"`, `any = []`: sections match through their items) and one `[[item]]`
/// per item (`id = "s<section>.i<item>"`, `name` = the item title, `any` = its `terms`, and the
/// item text as a comment). An item without terms gets `any = []`, which `yuqing config check`
/// reports, so it cannot go unnoticed.
pub fn plan_to_toml(plan: &Plan) -> String {
    let mut out = String::with_capacity(4096 + plan.sections.len() * 2048);
    out.push_str(TOML_HEADER);
    out.push_str("\nversion = 1\n\n# [plan]\n# name = \"\"\n");
    for s in &plan.sections {
        out.push_str(&format!(
            "\n[[section]]\nid = \"s{n}\"\nnumber = {n}\nname = {name}\nany = []\n",
            n = s.number,
            name = quote(&s.title)
        ));
    }
    for s in &plan.sections {
        for item in &s.items {
            out.push_str(&format!("\n# {}\n", item.text.replace(['\n', '\r'], " ")));
            let terms: Vec<String> = item.terms.iter().map(|t| quote(t)).collect();
            out.push_str(&format!(
                "[[item]]\nid = \"s{sn}.i{n}\"\nsection = \"s{sn}\"\nnumber = {n}\nname = {name}\nany = [{terms}]\n",
                sn = s.number,
                n = item.number,
                name = quote(&item.title),
                terms = terms.join(", ")
            ));
        }
    }
    out
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
