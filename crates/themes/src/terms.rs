//! Rule-term proposal for plan items and sections, and the themes.toml writer.
//!
//! The proposal method is documented on [`propose_terms`].

use yuqing_text::{SegmentMode, Segmenter, is_stop_word, normalize};

use crate::matcher::is_cjk;
use crate::plan::{Plan, PlanSection, quoted_terms};

/// Generic plan vocabulary (project-written, picked from the 2020 plan): verbs and nouns of
/// official planning prose that say nothing about *what* an item is about (宣传, 做好, 加强,
/// 全面实施, 充分发挥 …) and the regulator itself (邮政管理部门: in almost every industry
/// article). Never proposed, and a key phrase never spans one (they end runs, see the
/// [`propose_terms`]).
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
    // Plan boilerplate found in the proposals of the 2020 plan (the review of plan import):
    // verbs that glue a phrase to its context, adverbs and plan nouns.
    "全面实施",
    "充分发挥",
    "招收",
    "发行",
    "做出",
    "推广应用",
    "始终保持",
    "主旋律",
    "先进个人",
    "邮政管理部门",
    "短板",
    "坚持不懈",
    "提供",
    "坚强",
    "支撑",
    "创新",
    "完善",
    "建立",
    "优化",
    "成立",
    "纪念",
    "挖掘",
    "展现",
    "举办",
    "参与",
    "认定",
    "巩固",
    "统一",
    "阐释",
    "弘扬",
    "培育",
    "践行",
    "传承",
    "扛起",
    "奋力",
    "狠抓",
    "打赢",
    "防范",
    "化解",
    "典型",
    "经验",
    "大型",
    "主动",
    "状态",
    "努力",
    "贡献",
    "代表",
    "能力",
    "资源",
    "知识",
    "功能",
    "基础",
    "共同",
    "载体",
    "规范",
    "试点",
    "意见",
    "实施意见",
    "系列",
    "先行",
    "反映",
    "充分反映",
    "深度",
    "基地",
    "遴选",
    "心里",
    "多层次",
    "系统化",
    "序列化",
    "舆论",
    "主题",
    "专题",
    "坚决",
    "干部职工",
    "工程建设",
    "邮政快递业",
    "邮政行业",
    "整治行动",
    "监督检查",
    "群众性",
    "政治责任",
    "水平",
];

/// Whole terms never proposed although their words may appear inside a longer term: plan
/// boilerplate phrases (project-written, from the 2020 plan: 核心价值 is the plan's wording around
/// 核心价值观, 改革创新 and 典型经验 fit any item) and counted lists whose members the plan
/// does not name (`三项竞选`, the three UPU elections, which news reports name one by one).
pub const GENERIC_PHRASES: &[&str] = &[
    "核心价值",
    "典型经验",
    "改革创新",
    "学习先进",
    "争当先进",
    "三项竞选",
    "干事创业",
];

/// A key phrase found in more than this many background documents (and more than a
/// twentieth of them) is common across the plan (邮政快递业, 邮政管理部门, 国家邮政,
/// 习近平总书记 in the 2020 plan) and says nothing specific about one item: not proposed
/// (quoted names and titles still are).
pub const MAX_BACKGROUND_DF: usize = 2;

/// A two-word sequence found in at least this many plan texts is a collocation of the plan
/// (疫情防控): a key phrase that would cut it (`网络服务疫情`) is not proposed.
pub const COLLOCATION_DF: usize = 3;

/// Words too broad to propose alone but good inside a phrase (快递 → 快递包装, 快递小哥权益;
/// 安全 → 寄递渠道安全; 试验区 → 自由贸易试验区; 回收 alone would hit every recycling story).
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
    "回收",
    "报告",
    "沿线",
    "消费者",
    "试验区",
    "核心",
    "价值",
    "理念",
    "人才",
    "干部",
    "企业",
    "国际",
    "合作",
    "政府",
    "数据",
    "生产",
    "物资",
    "运输",
    "电子",
    "平台",
    "中心",
    "技术",
    "科技",
    "资金",
    "集邮",
    "疫情",
    "防控",
    "扶贫",
    "风险",
    "快递业",
    "邮政业",
    "社会主义",
    "生活",
    "网络服务",
    "开发",
    "开放",
    "研讨会",
    "发布会",
    "现代化",
];

/// Most terms proposed per item (names and key phrases together).
pub const MAX_TERMS_PER_ITEM: usize = 8;

/// Fewest terms an item should get: below this the document-frequency limit is relaxed (see
/// the [`propose_terms`]); an item whose text has fewer candidate phrases gets fewer.
pub const MIN_TERMS_PER_ITEM: usize = 3;

/// Most terms proposed per section (from its heading).
pub const MAX_TERMS_PER_SECTION: usize = 5;

/// Longest quoted name or title (characters) proposed as is; a longer 《》 title is replaced by
/// its core ([`title_core`]).
pub const MAX_NAME_CHARS: usize = 12;

/// Longest key phrase, in characters.
pub const MAX_PHRASE_CHARS: usize = 10;

/// Most words in a key phrase.
pub const MAX_PHRASE_WORDS: usize = 4;

/// Document types that end a title (`…的实施意见`), stripped by [`title_core`].
const DOC_TYPES: &[&str] = &[
    "意见",
    "实施意见",
    "通知",
    "办法",
    "规定",
    "方案",
    "决定",
    "纲要",
    "规划",
    "条例",
    "细则",
    "实施细则",
    "实施",
    "指导",
    "指导意见",
];

/// Verbs that start a title's topic (`…推动 | 邮政业高质量发展`): [`title_core`] stops there.
const TITLE_VERBS: &[&str] = &[
    "关于",
    "认真落实",
    "落实",
    "贯彻落实",
    "贯彻",
    "推动",
    "促进",
    "加快",
    "加强",
    "推进",
    "深化",
    "做好",
    "进一步",
    "全面",
    "实施",
    "支持",
    "完善",
    "建立",
    "开展",
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

    /// The plan itself as background: one document per section title followed by one per item
    /// text of that section, in plan order, so words that recur across the plan (邮政, 快递,
    /// 行业) weigh little and words particular to one item weigh most.
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

    /// The document-frequency limit of key phrases: [`MAX_BACKGROUND_DF`] or a twentieth of
    /// the documents, whichever is larger.
    fn common(&self) -> usize {
        MAX_BACKGROUND_DF.max(self.docs.len() / 20)
    }
}

/// One word of the cut, with what the proposal needs to know about it.
struct Word<'a> {
    text: &'a str,
    chars: usize,
    /// Letters or digits (not punctuation or whitespace).
    wordlike: bool,
    /// May be part of a key phrase (see the module doc).
    content: bool,
    /// Only jieba's HMM makes it a word (the dictionary-only cut splits it).
    guessed: bool,
    /// Right after `及其`: belongs to the phrase before, so it starts no key phrase.
    no_start: bool,
}

/// The item text cut into [`Word`]s.
fn analyse<'a>(text: &'a str, seg: &Segmenter) -> Vec<Word<'a>> {
    let mut depth = 0u32;
    let mut prev = "";
    let mut out = Vec::new();
    for w in seg.cut(text, SegmentMode::Default) {
        match w {
            "“" | "《" => depth += 1,
            "”" | "》" => depth = depth.saturating_sub(1),
            _ => {}
        }
        let chars = w.chars().count();
        let wordlike = w.chars().any(char::is_alphanumeric);
        let has_cjk = w.chars().any(is_cjk);
        // The dictionary-only cut (HMM off, as the index cuts) splits an HMM-only word.
        let guessed =
            chars >= 2 && has_cjk && seg.segment_line(w, SegmentMode::Default).contains(' ');
        let numeral = w
            .chars()
            .all(|c| "〇一二三四五六七八九十百千万两".contains(c));
        let content = wordlike
            && has_cjk
            && !numeral
            && depth == 0
            && !is_generic(w)
            && !(guessed && chars >= 3);
        out.push(Word {
            text: w,
            chars,
            wordlike,
            content,
            guessed,
            no_start: prev == "及其",
        });
        if wordlike {
            prev = w;
        }
    }
    out
}

/// A key-phrase candidate: its text, the word range of its first occurrence, its background df.
struct Candidate {
    text: String,
    pos: usize,
    end: usize,
    df: usize,
    /// Characters outside [`BROAD_WORDS`].
    specific: usize,
    /// The phrase is a whole run (a complete noun phrase between boilerplate words).
    whole_run: bool,
}

/// The key-phrase candidates of `text` (steps 2 and 3 of the module doc), deduplicated, in
/// text order.
fn candidates(text: &str, seg: &Segmenter, bg: &Background) -> Vec<Candidate> {
    let words = analyse(text, seg);
    let mut out: Vec<Candidate> = Vec::new();
    // Two adjacent words that the plan often writes together (`in_plan`), or that this text
    // writes together more than once.
    let collocation = |a: Option<&Word>, b: Option<&Word>, in_plan: bool| match (a, b) {
        (Some(a), Some(b)) if a.wordlike && b.wordlike => {
            let pair = format!("{}{}", a.text, b.text);
            (!in_plan && text.matches(pair.as_str()).nth(1).is_some())
                || bg.df(&normalize(&pair)) >= COLLOCATION_DF
        }
        _ => false,
    };
    for start in 0..words.len() {
        let mut phrase = String::new();
        let mut chars = 0;
        for end in start..words.len().min(start + MAX_PHRASE_WORDS) {
            let Some(w) = words.get(end) else { break };
            if !w.content {
                break;
            }
            chars += w.chars;
            if chars > MAX_PHRASE_CHARS {
                break;
            }
            phrase.push_str(w.text);
            let Some(first) = words.get(start) else { break };
            if first.no_start || first.chars < 2 || w.chars < 2 {
                continue;
            }
            if start == end && (w.chars < 3 || w.guessed || BROAD_WORDS.contains(&w.text)) {
                continue;
            }
            if GENERIC_PHRASES.contains(&phrase.as_str())
                || BROAD_WORDS.contains(&phrase.as_str())
                || is_generic(&phrase)
                || out.iter().any(|c| c.text == phrase)
            {
                continue;
            }
            let before = start.checked_sub(1).and_then(|i| words.get(i));
            let after = words.get(end + 1);
            if collocation(before, Some(first), false) || collocation(Some(w), after, false) {
                continue;
            }
            // A single character left dangling at the end of the run belongs to this phrase's
            // last word (`随手|拍`, `传播|力`): the phrase would cut a compound.
            let dangling = after.is_some_and(|a| a.content && a.chars == 1)
                && !words.get(end + 2).is_some_and(|n| n.content);
            if dangling {
                continue;
            }
            // Three or more words around a collocation: a modifier glued to it
            // (`网络服务` + `疫情防控`); the collocation alone is judged by its df.
            let inner = words.get(start..=end).unwrap_or_default();
            if inner.len() >= 3
                && inner
                    .windows(2)
                    .any(|p| collocation(p.first(), p.get(1), true))
            {
                continue;
            }
            out.push(Candidate {
                df: bg.df(&normalize(&phrase)),
                text: phrase.clone(),
                pos: start,
                end: end + 1,
                whole_run: !before.is_some_and(|b| b.content) && !after.is_some_and(|a| a.content),
                specific: inner
                    .iter()
                    .filter(|w| !BROAD_WORDS.contains(&w.text))
                    .map(|w| w.chars)
                    .sum(),
            });
        }
    }
    out
}

/// TF-IDF score of a candidate (step 5 of the module doc); `tf_text` is the text the phrase is
/// counted in.
fn score(c: &Candidate, tf_text: &str, bg: &Background) -> f64 {
    let tf = tf_text.matches(c.text.as_str()).count().max(1) as f64;
    let len = c.text.chars().count().clamp(2, 4) as f64;
    let n = bg.len() as f64;
    let idf = ((n + 1.0) / (c.df as f64 + 1.0)).ln() + 1.0;
    let words = match c.end.saturating_sub(c.pos) {
        0..=2 => 1.0,
        3 => 0.8,
        _ => 0.65,
    };
    tf * idf * (1.0 + 0.1 * (len - 2.0)) * words
}

/// Best first: score, then more characters outside broad words (the more specific of two
/// phrases that score alike: `快递小哥权益` before `快递小哥`, but `中国快递发展指数` before
/// `中国快递发展指数报告`), then a whole run before a part of one (`邮政优秀文化` before
/// `邮政优秀`), then fewer characters, then earlier in the text.
fn rank<'c>(cands: &'c [Candidate], tf_text: &str, bg: &Background) -> Vec<&'c Candidate> {
    let mut ranked: Vec<(f64, &Candidate)> =
        cands.iter().map(|c| (score(c, tf_text, bg), c)).collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.specific.cmp(&a.1.specific))
            .then(b.1.whole_run.cmp(&a.1.whole_run))
            .then(a.1.text.len().cmp(&b.1.text.len()))
            .then(a.1.pos.cmp(&b.1.pos))
    });
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// The core of a long document title: the words after the last verb that starts the topic
/// (关于, 落实, 推动, 促进 …), without the trailing document type (`的实施意见`), if 4 to
/// [`MAX_NAME_CHARS`] characters: `关于认真落实习近平总书记重要指示推动邮政业高质量发展的实施意见`
/// → `邮政业高质量发展`. `None` when there is no such core.
pub fn title_core(title: &str, seg: &Segmenter) -> Option<String> {
    let mut words: Vec<&str> = seg
        .cut(title, SegmentMode::Default)
        .into_iter()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    while words
        .last()
        .is_some_and(|w| DOC_TYPES.contains(w) || is_stop_word(w))
    {
        words.pop();
    }
    let start = words
        .iter()
        .rposition(|w| TITLE_VERBS.contains(w) || is_stop_word(w))
        .map_or(0, |i| i + 1);
    let core: String = words.get(start..)?.concat();
    let n = core.chars().count();
    (4..=MAX_NAME_CHARS).contains(&n).then_some(core)
}

/// The names of `text` that are proposed (step 1 of the module doc), in order.
fn names(text: &str, seg: &Segmenter) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in quoted_terms(text) {
        let n = t.chars().count();
        let t = if n > MAX_NAME_CHARS {
            match title_core(&t, seg) {
                Some(core) => core,
                None => continue,
            }
        } else {
            t
        };
        let latin = t.chars().all(|c| c.is_ascii_alphanumeric());
        if GENERIC_PHRASES.contains(&t.as_str())
            || is_generic(&t)
            || (latin && t.len() < 3 && !t.chars().all(|c| c.is_ascii_digit()))
            || out.contains(&t)
        {
            continue;
        }
        out.push(t);
    }
    out
}

/// Appends phrases of `ranked` to `out` until `out` has `max` terms, skipping a phrase that
/// contains or is contained in a term of `out`, or shares a word of the text with a phrase
/// taken before (`生态环保监控` after `环保监控平台`: two fragments of one compound); `taken`
/// holds the word ranges of the phrases taken.
fn take(out: &mut Vec<String>, taken: &mut Vec<(usize, usize)>, ranked: &[&Candidate], max: usize) {
    for c in ranked {
        if out.len() >= max {
            break;
        }
        if out
            .iter()
            .any(|o| o.contains(c.text.as_str()) || c.text.contains(o.as_str()))
            || taken.iter().any(|&(s, e)| c.pos < e && s < c.end)
        {
            continue;
        }
        out.push(c.text.clone());
        taken.push((c.pos, c.end));
    }
}

/// Proposes rule terms for one plan item's text, best first: names, then key phrases by
/// TF-IDF against `background`, 3 to 8 of them when the text has that many candidates. The
/// terms are spelled as in the item text (unnormalised, so `RCEP` keeps its case); an analyst
/// is expected to edit them.
///
/// # Method
/// A proposed term is a sequence of whole words as the project's segmenter cuts the plan text
/// ([`Segmenter::cut`], jieba accurate mode with HMM, the industry dictionary of `config/dict`
/// loaded), so it never cuts a word in two (no `打牢全` from `打牢全系统`, no `化人` from
/// `育人化人`). Per item ([`propose_terms`]):
///
/// 1. **Names**: quoted names and 《》 titles of the item ([`quoted_terms`]), except plan
///    boilerplate ([`GENERIC_PHRASES`]) and Latin quotes of fewer than 3 letters (`4S` would hit
///    every `4S店`); a title longer than [`MAX_NAME_CHARS`] is replaced by its core
///    ([`title_core`]: `关于认真落实…推动邮政业高质量发展的实施意见` → `邮政业高质量发展`).
/// 2. **Key phrases**: n-grams of 1 to [`MAX_PHRASE_WORDS`] words (at most
///    [`MAX_PHRASE_CHARS`] characters) inside a *run*: a stretch of the cut without punctuation,
///    quotes, stop words ([`yuqing_text::is_stop_word`]), plan boilerplate
///    ([`GENERIC_PLAN_WORDS`]), bare numbers, and words of 3 or more characters that only
///    jieba's HMM proposes (the dictionary-only cut splits them: `打牢全`). Runs end at
///    boilerplate verbs, so `全面实施 | 电子证照` and `从 | 贫困地区 | 招收` never join. A phrase
///    starts and ends with a word of at least 2 characters (a one-word phrase has at least 3:
///    `权益`, `大局`, `通道` alone are too vague), does not start right after `及其`
///    (`仿印邮票图案及其制品` binds 制品 to the left), does not end before a single character
///    that ends the run (`旺季随手|拍`), is not a boilerplate phrase
///    ([`GENERIC_PHRASES`]) and, alone, not a broad word ([`BROAD_WORDS`]: 邮政, 快递; fine inside
///    快递包装) nor an HMM-only word (`复产` stays inside `复工复产`).
/// 3. **Collocation test**: a phrase is dropped when its first word with the word before it, or
///    its last word with the word after it, forms a two-word collocation found in at least
///    [`COLLOCATION_DF`] plan texts ([`Background`]): `网络服务 | 疫情` cuts `疫情防控`.
/// 4. **Document-frequency test**: a phrase found in more than [`MAX_BACKGROUND_DF`] plan texts
///    (and more than a twentieth of them) is common to the plan, not particular to the item
///    (邮政快递业, 国家邮政, 疫情防控).
/// 5. **Score**: TF-IDF times a shape factor, `tf × idf × (1 + 0.1 × (min(chars, 4) − 2)) ×
///    w`, where `tf` counts the phrase in the item text, `idf` is the smoothed IDF over the
///    plan's texts ([`Background::idf`], as scikit-learn's `TfidfVectorizer`), and `w` is 1 for
///    phrases of one or two words, 0.8 for three, 0.65 for four. The shape factor is a project
///    choice, tuned against the hand-curated `config/themes.toml`: the curated terms are mostly
///    four-character, one- or two-word compounds (理论学习, 电子证照), and longer n-grams are
///    rarely written the same way in news. Ties: more characters outside broad words
///    (`快递小哥权益` before `快递小哥`; `中国快递发展指数` before `中国快递发展指数报告`), then
///    a whole run (a complete phrase between boilerplate words: `邮政优秀文化` before
///    `邮政优秀`), then the shorter, then the earlier phrase.
/// 6. **Selection**: names first, then phrases best first, skipping one that contains or is
///    contained in a term already chosen (substring matching makes it redundant or merely
///    broader) or that shares a word occurrence with a phrase taken before (two fragments of
///    one compound: `生态环保监控`, `环保监控平台`), up to [`MAX_TERMS_PER_ITEM`]. An item left
///    with fewer than [`MIN_TERMS_PER_ITEM`] terms takes further phrases with the
///    document-frequency limit relaxed to a tenth of the plan's texts (at least 4), then without
///    it and with overlapping phrases allowed.
///
/// Sections ([`propose_section_terms`]) get the key phrases of their heading that are
/// particular to the section: found in at most one plan text outside the section.
///
/// # Example
/// ```
/// use yuqing_text::Segmenter;
/// use yuqing_themes::{Background, propose_terms};
/// let seg = Segmenter::load(None).unwrap(); // jieba's dictionary only
/// let item = "推进“快递进村”，全面实施电子证照，加强邮政服务";
/// let bg = Background::new([item, "加强邮政服务", "全面实施安全生产"]);
/// // A quoted name first; `全面实施` is boilerplate, so `电子证照` is not `全面实施电子`;
/// // in `加强邮政服务` 加强 and 服务 are boilerplate and 邮政 alone is too broad.
/// assert_eq!(propose_terms(item, &seg, &bg), ["快递进村", "电子证照"]);
/// ```
pub fn propose_terms(item_text: &str, seg: &Segmenter, background: &Background) -> Vec<String> {
    let mut out = names(item_text, seg);
    out.truncate(MAX_TERMS_PER_ITEM);
    let cands = candidates(item_text, seg, background);
    let ranked = rank(&cands, item_text, background);
    let mut taken = Vec::new();
    let relaxed = 4.max(background.len() / 10);
    for limit in [background.common(), relaxed, usize::MAX] {
        let pass: Vec<&Candidate> = ranked.iter().copied().filter(|c| c.df <= limit).collect();
        let max = if limit == background.common() {
            MAX_TERMS_PER_ITEM
        } else {
            MIN_TERMS_PER_ITEM
        };
        if limit == usize::MAX {
            // Last resort: phrases may share words with those taken (生产旺季, 寄递渠道安全).
            taken.clear();
        }
        take(&mut out, &mut taken, &pass, max);
        if out.len() >= MIN_TERMS_PER_ITEM {
            break;
        }
    }
    out
}

/// Proposes terms for a section from its heading: names and key phrases of the heading (as
/// [`propose_terms`]) found in at most one plan text outside the section (the section's own
/// title and items excluded), best first by TF-IDF over the heading and the section's items,
/// at most [`MAX_TERMS_PER_SECTION`]. Often empty: a heading of plan boilerplate
/// (`加大对行业人才工作的宣传`) has nothing particular, and the section then matches through its
/// items.
pub fn propose_section_terms(
    section: &PlanSection,
    seg: &Segmenter,
    background: &Background,
) -> Vec<String> {
    let own: Vec<String> = std::iter::once(section.title.as_str())
        .chain(section.items.iter().map(|i| i.text.as_str()))
        .map(normalize)
        .collect();
    let outside = |t: &str| {
        let t = normalize(t);
        background
            .df(&t)
            .saturating_sub(own.iter().filter(|d| d.contains(t.as_str())).count())
    };
    let mut out: Vec<String> = names(&section.title, seg)
        .into_iter()
        .filter(|t| outside(t) <= 1)
        .collect();
    let all_text = own.concat();
    let cands: Vec<Candidate> = candidates(&section.title, seg, background)
        .into_iter()
        .filter(|c| outside(&c.text) <= 1)
        .collect();
    let ranked = rank(&cands, &all_text, background);
    take(&mut out, &mut Vec::new(), &ranked, MAX_TERMS_PER_SECTION);
    out
}

/// Share of a plan's items a word must occur in to count as a domain word ([`domain_terms`]).
pub const DOMAIN_ITEM_SHARE: f64 = 0.5;

/// Most domain words [`domain_terms`] keeps.
pub const MAX_DOMAIN_TERMS: usize = 6;

/// The plan's own domain words: dictionary words of two or more CJK characters (the
/// segmenter's search-mode cut, which also yields the words inside compounds: 邮政快递业 →
/// 邮政, 快递) that occur, as a substring as theme terms hit, in at least
/// [`DOMAIN_ITEM_SHARE`] of the plan's items and are not plan boilerplate
/// ([`GENERIC_PLAN_WORDS`], stop words); most frequent first (ties by the word), at most
/// [`MAX_DOMAIN_TERMS`]. A sector's plan names its sector throughout (the 2020 postal plan:
/// 邮政 in 17 and 快递 in 16 of its 29 items), so these tell a story of the sector from general
/// news on the same topic (疫情防控, 乡村振兴): [`plan_to_toml`] makes them an `all` group of
/// every imported theme, as the hand-written config/themes.toml does. Empty for a plan with
/// fewer than 3 items.
pub fn domain_terms(plan: &Plan, seg: &Segmenter) -> Vec<String> {
    let items: Vec<&str> = plan
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.text.as_str()))
        .collect();
    if items.len() < 3 {
        return Vec::new();
    }
    let mut candidates = std::collections::BTreeSet::new();
    for text in &items {
        for w in seg.cut(text, SegmentMode::Search) {
            // A word the cut without guessing splits is an HMM guess, not a dictionary word.
            if w.chars().all(is_cjk)
                && w.chars().count() >= 2
                && !is_generic(w)
                && !seg.segment_line(w, SegmentMode::Default).contains(' ')
            {
                candidates.insert(w);
            }
        }
    }
    let min = (items.len() as f64 * DOMAIN_ITEM_SHARE).ceil() as usize;
    let mut words: Vec<(&str, usize)> = candidates
        .into_iter()
        .map(|w| (w, items.iter().filter(|t| t.contains(w)).count()))
        .filter(|&(_, n)| n >= min)
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    words
        .into_iter()
        .take(MAX_DOMAIN_TERMS)
        .map(|(w, _)| w.to_string())
        .collect()
}

/// Replaces every item's and section's `terms` with [`propose_terms`] and
/// [`propose_section_terms`] against the plan itself ([`Background::from_plan`]), and the
/// plan's `domain` with [`domain_terms`].
pub fn fill_terms(plan: &mut Plan, seg: &Segmenter) {
    plan.domain = domain_terms(plan, seg);
    let bg = Background::from_plan(plan);
    for section in &mut plan.sections {
        for item in &mut section.items {
            item.terms = propose_terms(&item.text, seg, &bg);
        }
        section.terms = propose_section_terms(section, seg, &bg);
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
/// section (`id = "s<n>"`, `any` = its `terms`; a section without terms gets `any = []` and a
/// comment saying it matches through its items) and one `[[item]]`
/// per item (`id = "s<section>.i<item>"`, `name` = the item title, `any` = its `terms`, and the
/// item text as a comment), each section and item with terms also getting the plan's domain
/// words ([`Plan::domain`]) as an `all` group. An item without terms gets `any = []`, which
/// `yuqing config check` reports, so it cannot go unnoticed.
pub fn plan_to_toml(plan: &Plan) -> String {
    let mut out = String::with_capacity(4096 + plan.sections.len() * 2048);
    out.push_str(TOML_HEADER);
    out.push_str("\nversion = 1\n\n# [plan]\n# name = \"\"\n");
    // The domain group: every theme with terms also needs one of the plan's domain words.
    let domain = if plan.domain.is_empty() {
        String::new()
    } else {
        out.push_str(&format!(
            "\n# The plan's domain words (in at least {:.0} % of its items): every theme below with\n\
             # terms also needs one of them (`all`), so that general news on the same topic\n\
             # (疫情防控, 乡村振兴 …) is not filed under the plan. Edit or drop the group.\n",
            DOMAIN_ITEM_SHARE * 100.0
        ));
        let words: Vec<String> = plan.domain.iter().map(|t| quote(t)).collect();
        format!("all = [[{}]]\n", words.join(", "))
    };
    for s in &plan.sections {
        if s.terms.is_empty() {
            out.push_str(
                "\n# No term particular to this section in its heading: it matches through its items.",
            );
        }
        let terms: Vec<String> = s.terms.iter().map(|t| quote(t)).collect();
        out.push_str(&format!(
            "\n[[section]]\nid = \"s{n}\"\nnumber = {n}\nname = {name}\nany = [{terms}]\n",
            n = s.number,
            name = quote(&s.title),
            terms = terms.join(", ")
        ));
        if !terms.is_empty() {
            out.push_str(&domain);
        }
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
            if !terms.is_empty() {
                out.push_str(&domain);
            }
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
