//! Building the report record from the loaded input (pure, deterministic).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use yuqing_model::{ArticleId, SentimentLabel, Tier};
use yuqing_store::ClusterMember;
use yuqing_text::{SegmentMode, Segmenter, is_stop_word, normalize};
use yuqing_themes::{ThemeKind, ThemeSet};

use crate::Period;
use crate::input::{ReportArticle, ReportInput};
use crate::period::{beijing_day, beijing_time_str};

/// Top stories listed per plan section.
pub const TOP_STORIES: usize = 5;
/// Hot words listed.
pub const HOT_WORDS: usize = 20;

/// Report-specific stop words for the hot words, on top of `yuqing_text::is_stop_word`:
/// date units, newsroom boilerplate (bylines, agency names, editor credits) and filler
/// words every news text has. Hand-picked for this project.
pub const REPORT_STOP_WORDS: &[&str] = &[
    "年",
    "月",
    "日",
    "号",
    "时",
    "分",
    "今年",
    "去年",
    "明年",
    "今天",
    "昨天",
    "日前",
    "近日",
    "目前",
    "记者",
    "本报",
    "本报讯",
    "本报记者",
    "见习记者",
    "特约记者",
    "实习生",
    "新华社记者",
    "中新社",
    "客户端",
    "编者按",
    "点击",
    "阅读",
    "原文",
    "转自",
    "声明",
    "新华社",
    "新华网",
    "人民网",
    "央视网",
    "中新网",
    "通讯员",
    "编辑",
    "责任编辑",
    "责编",
    "来源",
    "作者",
    "图片",
    "摄影",
    "原标题",
    "转载",
    "报道",
    "表示",
    "介绍",
    "进行",
    "开展",
    "工作",
    "相关",
    "方面",
    "通过",
    "情况",
    "问题",
    "一些",
    "其中",
    "同时",
    "以来",
    "此外",
    "提供",
    "实现",
    "推进",
    "推动",
    "加强",
    "全国",
    "我国",
    "中国",
];

/// A label with a count, in display order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelCount {
    /// Machine key (`negative`, `central`, `none`).
    pub key: String,
    /// Chinese label (负面, 央媒, 未分析).
    pub label: String,
    /// Articles.
    pub count: u64,
}

/// Change of a count against the previous period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// This period's count.
    pub current: u64,
    /// The previous period's count.
    pub previous: u64,
    /// `current - previous`.
    pub delta: i64,
    /// `delta / previous × 100`, percent; `None` when the previous count is 0.
    pub percent: Option<f64>,
}

impl Change {
    fn new(current: u64, previous: u64) -> Change {
        let delta = current as i64 - previous as i64;
        Change {
            current,
            previous,
            delta,
            percent: (previous > 0).then(|| delta as f64 * 100.0 / previous as f64),
        }
    }
}

/// Section 一 of the report: volumes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Articles in the period.
    pub articles: u64,
    /// Distinct stories (reprint clusters) in the period.
    pub stories: u64,
    /// Articles per sentiment: 正面, 中性, 负面, then 未分析 (no sentiment stored).
    pub by_sentiment: Vec<LabelCount>,
    /// Articles per media tier, in `Tier::ALL` order (zeros kept).
    pub by_tier: Vec<LabelCount>,
    /// Articles matching no plan theme.
    pub unthemed: u64,
    /// Articles against the previous period of equal length.
    pub articles_change: Change,
    /// Distinct stories against the previous period.
    pub stories_change: Change,
    /// Negative articles against the previous period.
    pub negative_change: Change,
}

/// One story (reprint cluster) as listed: its original, i.e. the earliest stored member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryEntry {
    /// Cluster id (the id of the story's first article; the article's own id when alone).
    pub cluster: ArticleId,
    /// Id of the original (earliest member, by publish time else fetch time, then id).
    pub id: ArticleId,
    /// Headline of the original.
    pub title: String,
    /// Site (媒体) of the original; its source id when the original is outside the window.
    pub site: String,
    /// Media tier of the original.
    pub tier: Tier,
    /// Publish time of the original (UTC); `None` when it has none and is not loaded.
    pub time: Option<DateTime<Utc>>,
    /// Reprints: stored cluster members known by the end of the period (by publish time,
    /// else report time when loaded; members with no known time count) minus one.
    pub reprints: u64,
    /// URL of the original.
    pub url: String,
    /// The story's articles in the period and the section (in a [`NegativeStory`]: its
    /// negative ones), in (time, id) order.
    pub articles: Vec<ArticleId>,
}

/// A negative story with the evidence behind the label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NegativeStory {
    /// The story.
    pub story: StoryEntry,
    /// Lowest sentiment score among its negative articles in the period, [-1, 1].
    pub score: f32,
    /// Id of that most negative article.
    pub worst: ArticleId,
    /// Its negative evidence words (weight < 0), strongest first.
    pub evidence: Vec<String>,
}

/// Coverage of one plan item (要点).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemCoverage {
    /// `s4.i10`.
    pub id: String,
    /// Item number in the plan (continuous, 1..29).
    pub number: u32,
    /// Item name.
    pub name: String,
    /// Articles in the period matching the item.
    pub articles: u64,
    /// Distinct stories among them.
    pub stories: u64,
    /// Their ids, in (time, id) order.
    pub article_ids: Vec<ArticleId>,
}

/// One plan section (部分) with its items, top stories and negative stories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionReport {
    /// `s4`.
    pub id: String,
    /// Section number (一 → 1).
    pub number: u32,
    /// Section heading.
    pub name: String,
    /// Articles in the period matching the section (itself or any of its items).
    pub articles: u64,
    /// Distinct stories among them.
    pub stories: u64,
    /// Items in plan order.
    pub items: Vec<ItemCoverage>,
    /// Up to [`TOP_STORIES`] stories, by reprints (desc), then tier (央媒 first), then time
    /// (earliest first), then id.
    pub top_stories: Vec<StoryEntry>,
    /// Every story with a negative article in the section, most negative first (score,
    /// then reprints desc, then id).
    pub negative: Vec<NegativeStory>,
}

/// A plan item with no coverage in the period (宣传薄弱环节).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// Section id.
    pub section: String,
    /// Section heading.
    pub section_name: String,
    /// Item id.
    pub id: String,
    /// Item number.
    pub number: u32,
    /// Item name.
    pub name: String,
}

/// A hot word (热词) of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotWord {
    /// The word (normalised text, jieba default cut).
    pub word: String,
    /// TF-IDF score with binary term frequency per article (scikit-learn's
    /// `TfidfVectorizer(binary=True, smooth_idf=True)`, summed over the period's articles):
    /// `articles × (ln((1 + N) / (1 + df)) + 1)`. Each article is one vote however often it
    /// repeats a word, so a hot word is one many articles carry: a single long page cannot own
    /// the list (a trial's 7.8 MB one-line page did, with raw and with `1 + ln tf` counts).
    pub score: f64,
    /// Occurrences in the period's titles and bodies.
    pub tf: u64,
    /// Period articles containing it.
    pub articles: u64,
    /// Background documents containing it (`df`, period and background together).
    pub df: u64,
}

/// One line of a trend chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Key (section id or sentiment key).
    pub key: String,
    /// Legend label.
    pub label: String,
    /// Articles per trend day.
    pub counts: Vec<u64>,
}

/// Daily volumes over the trend days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Beijing days: the period's days (weekly) or the 7 days ending on the report day (daily).
    pub days: Vec<NaiveDate>,
    /// All articles per day.
    pub total: Vec<u64>,
    /// One series per plan section (plan order).
    pub by_section: Vec<Series>,
    /// One series per sentiment label (正面, 中性, 负面).
    pub by_sentiment: Vec<Series>,
}

/// One article of the period, as listed in the appendix and the Excel sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRow {
    /// Article id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Site (媒体).
    pub site: String,
    /// Source id (信源).
    pub source: String,
    /// Media tier.
    pub tier: Tier,
    /// Report time (publish, else fetch), UTC.
    pub time: DateTime<Utc>,
    /// Matched plan themes: `s4.i10 9792工程` style labels, sections first, in plan order.
    pub themes: Vec<String>,
    /// Sentiment label; `None` when not analysed.
    pub sentiment: Option<SentimentLabel>,
    /// Sentiment score in [-1, 1].
    pub score: Option<f32>,
    /// Reprints of the article's story (stored members minus one).
    pub reprints: u64,
    /// URL.
    pub url: String,
    /// Story (cluster) id.
    pub story: ArticleId,
}

/// The guidance report (舆情报告): a plain serde record, everything traceable to article ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// 舆情日报 / 舆情周报.
    pub title: String,
    /// Plan name from `themes.toml` (`[plan] name`), if any.
    pub plan_name: Option<String>,
    /// The period.
    pub period: Period,
    /// The previous period used for the comparison.
    pub previous: Period,
    /// End (excluded) of the part of `previous` compared: its end for a finished period; for
    /// one still running, as far into `previous` as `data_until` is into `period` (a week
    /// reported on Wednesday is compared with Monday–Wednesday of the week before, not with
    /// the whole week).
    pub previous_until: DateTime<Utc>,
    /// When the report was generated (passed in; the only clock).
    pub generated_at: DateTime<Utc>,
    /// True when the period had ended by `generated_at` (`generated_at >= period.end()`);
    /// false for a day or week still running (`report daily --date <today>`, or a weekly
    /// report before its Sunday is over), whose counts will still grow. Renderers then print
    /// [`crate::unfinished_line`] beside the period.
    pub complete: bool,
    /// The instant the report's data runs to (UTC): the period's end when `complete`, else
    /// `generated_at`.
    pub data_until: DateTime<Utc>,
    /// 一、舆情概况.
    pub overview: Overview,
    /// 二、宣传要点报道情况, one per plan section in plan order.
    pub sections: Vec<SectionReport>,
    /// 三、宣传薄弱环节: items with no article, plan order.
    pub gaps: Vec<Gap>,
    /// 四、热词, best first (score desc, then word).
    pub hot_words: Vec<HotWord>,
    /// Background documents the hot words' IDF was computed over (N).
    pub hot_word_docs: u64,
    /// 五、舆情走势.
    pub trend: Trend,
    /// 附录: every article of the period, (time, id) order.
    pub articles: Vec<ArticleRow>,
}

/// A process-wide segmenter with jieba's bundled dictionary, loaded on first use.
fn shared_segmenter() -> Option<&'static Segmenter> {
    static SEG: OnceLock<Option<Segmenter>> = OnceLock::new();
    SEG.get_or_init(|| match Segmenter::load(None) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!("cannot load the jieba dictionary, hot words left out: {e}");
            None
        }
    })
    .as_ref()
}

/// Per-story facts used by the lists.
struct StoryFacts {
    original: StoryEntry,
}

impl Report {
    /// [`Report::build_with`] with a process-wide segmenter holding jieba's bundled
    /// dictionary only (loaded once, about 0.2 s).
    pub fn build(input: &ReportInput, themes: &ThemeSet, generated_at: DateTime<Utc>) -> Report {
        Report::build_with(input, themes, shared_segmenter(), generated_at)
    }

    /// Builds the report from `input`: pure and deterministic (every list has an explicit
    /// order with tie-breaks; no clock but `generated_at`, which also decides
    /// [`Report::complete`]: pass the time the input was loaded). CPU-bound (the hot words
    /// cut every loaded text with jieba): call it off the async runtime. Hot words are empty
    /// when `seg` is `None`.
    ///
    /// Coverage counts use the stored theme matches of each article; themes stored but no
    /// longer in `themes` are ignored, plan items of `themes` without articles become gaps.
    pub fn build_with(
        input: &ReportInput,
        themes: &ThemeSet,
        seg: Option<&Segmenter>,
        generated_at: DateTime<Utc>,
    ) -> Report {
        let period = input.period;
        let previous = period.previous();
        let data_until = generated_at.min(period.end());
        let elapsed = (data_until - period.start()).max(chrono::TimeDelta::zero());
        let previous_until = previous.start() + elapsed;
        let current: Vec<&ReportArticle> = input.period_articles().collect();
        let prev: Vec<&ReportArticle> = input
            .articles
            .iter()
            .filter(|a| previous.contains(a.at) && a.at < previous_until)
            .collect();
        let by_id: BTreeMap<&ArticleId, &ReportArticle> =
            input.articles.iter().map(|a| (&a.article.id, a)).collect();

        let stories = story_facts(input, &current, &by_id);
        let overview = overview(&current, &prev, themes);
        let (sections, gaps) = sections(&current, themes, &stories);
        let (hot_words, hot_word_docs) = match seg {
            Some(seg) => hot_words(input, seg),
            None => (Vec::new(), 0),
        };
        let trend = trend(input, themes);
        let articles = current
            .iter()
            .map(|a| article_row(a, themes, &stories))
            .collect();
        Report {
            title: period.title_zh().to_string(),
            plan_name: themes.plan_name().map(str::to_string),
            period,
            previous,
            previous_until,
            generated_at,
            complete: generated_at >= period.end(),
            data_until,
            overview,
            sections,
            gaps,
            hot_words,
            hot_word_docs,
            trend,
            articles,
        }
    }
}

fn story_facts<'a>(
    input: &'a ReportInput,
    current: &[&'a ReportArticle],
    by_id: &BTreeMap<&ArticleId, &'a ReportArticle>,
) -> BTreeMap<&'a ArticleId, StoryFacts> {
    let mut out: BTreeMap<&ArticleId, StoryFacts> = BTreeMap::new();
    for a in current {
        let key = a.story();
        if out.contains_key(key) {
            continue;
        }
        // Members known by the end of the period: a report regenerated later keeps its
        // reprint counts (a member without any known time is counted).
        let end = input.period.end();
        let members: Option<Vec<&ClusterMember>> = input.clusters.get(key).map(|m| {
            m.iter()
                .filter(|m| {
                    m.published_at
                        .or_else(|| by_id.get(&m.id).map(|l| l.at))
                        .is_none_or(|t| t < end)
                })
                .collect()
        });
        let members = members.filter(|m| !m.is_empty());
        let original = match members.as_ref().and_then(|m| m.first()) {
            Some(m) => {
                let loaded = by_id.get(&m.id);
                StoryEntry {
                    cluster: key.clone(),
                    id: m.id.clone(),
                    title: m.title.clone(),
                    site: loaded
                        .map(|l| l.article.site.clone())
                        .unwrap_or_else(|| m.source.clone()),
                    tier: m.tier,
                    time: m.published_at.or(loaded.map(|l| l.at)),
                    reprints: members
                        .as_ref()
                        .map_or(0, |m| m.len() as u64)
                        .saturating_sub(1),
                    url: m.url.clone(),
                    articles: Vec::new(),
                }
            }
            None => StoryEntry {
                cluster: key.clone(),
                id: a.article.id.clone(),
                title: a.article.title.clone(),
                site: a.article.site.clone(),
                tier: a.article.tier,
                time: Some(a.at),
                reprints: 0,
                url: a.article.url.clone(),
                articles: Vec::new(),
            },
        };
        out.insert(key, StoryFacts { original });
    }
    out
}

fn sentiment_key(a: &ReportArticle) -> Option<SentimentLabel> {
    a.analysis.sentiment.as_ref().map(|s| s.label)
}

fn overview(current: &[&ReportArticle], prev: &[&ReportArticle], themes: &ThemeSet) -> Overview {
    let distinct =
        |v: &[&ReportArticle]| v.iter().map(|a| a.story()).collect::<BTreeSet<_>>().len() as u64;
    let negatives = |v: &[&ReportArticle]| {
        v.iter()
            .filter(|a| sentiment_key(a) == Some(SentimentLabel::Negative))
            .count() as u64
    };
    let mut by_sentiment: Vec<LabelCount> = SentimentLabel::ALL
        .iter()
        .map(|l| LabelCount {
            key: l.as_str().to_string(),
            label: l.label_zh().to_string(),
            count: current
                .iter()
                .filter(|a| sentiment_key(a) == Some(*l))
                .count() as u64,
        })
        .collect();
    by_sentiment.push(LabelCount {
        key: "none".into(),
        label: "未分析".into(),
        count: current
            .iter()
            .filter(|a| sentiment_key(a).is_none())
            .count() as u64,
    });
    let by_tier = Tier::ALL
        .iter()
        .map(|t| LabelCount {
            key: t.as_str().to_string(),
            label: t.label_zh().to_string(),
            count: current.iter().filter(|a| a.article.tier == *t).count() as u64,
        })
        .collect();
    let unthemed = current
        .iter()
        .filter(|a| {
            !a.analysis
                .themes
                .iter()
                .any(|m| themes.theme(&m.theme).is_some())
        })
        .count() as u64;
    Overview {
        articles: current.len() as u64,
        stories: distinct(current),
        by_sentiment,
        by_tier,
        unthemed,
        articles_change: Change::new(current.len() as u64, prev.len() as u64),
        stories_change: Change::new(distinct(current), distinct(prev)),
        negative_change: Change::new(negatives(current), negatives(prev)),
    }
}

fn has_theme(a: &ReportArticle, id: &str) -> bool {
    a.analysis.themes.iter().any(|m| m.theme == id)
}

/// Ranking of top stories: reprints desc, tier (央媒 first), time (earliest first, unknown
/// last), id.
fn story_order(a: &StoryEntry, b: &StoryEntry) -> std::cmp::Ordering {
    b.reprints
        .cmp(&a.reprints)
        .then(a.tier.cmp(&b.tier))
        .then_with(|| match (a.time, b.time) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
        .then_with(|| a.id.cmp(&b.id))
}

/// Stories of `arts` (in (time, id) order) with their articles filled in, ranked.
fn ranked_stories(
    arts: &[&ReportArticle],
    stories: &BTreeMap<&ArticleId, StoryFacts>,
) -> Vec<StoryEntry> {
    let mut by_key: BTreeMap<&ArticleId, StoryEntry> = BTreeMap::new();
    for a in arts {
        let key = a.story();
        let Some(f) = stories.get(key) else { continue };
        by_key
            .entry(key)
            .or_insert_with(|| f.original.clone())
            .articles
            .push(a.article.id.clone());
    }
    let mut v: Vec<StoryEntry> = by_key.into_values().collect();
    v.sort_by(story_order);
    v
}

fn negative_stories(
    arts: &[&ReportArticle],
    stories: &BTreeMap<&ArticleId, StoryFacts>,
) -> Vec<NegativeStory> {
    let neg: Vec<&ReportArticle> = arts
        .iter()
        .copied()
        .filter(|a| sentiment_key(a) == Some(SentimentLabel::Negative))
        .collect();
    let mut out: Vec<NegativeStory> = ranked_stories(&neg, stories)
        .into_iter()
        .filter_map(|story| {
            // The most negative article of the story: lowest score, then id.
            let worst = neg
                .iter()
                .filter(|a| a.story() == &story.cluster)
                .filter_map(|a| a.analysis.sentiment.as_ref().map(|s| (s.score, *a)))
                .min_by(|x, y| {
                    x.0.total_cmp(&y.0)
                        .then_with(|| x.1.article.id.cmp(&y.1.article.id))
                })?;
            let evidence = worst
                .1
                .analysis
                .sentiment
                .as_ref()
                .map(|s| {
                    s.evidence
                        .iter()
                        .filter(|e| e.weight < 0.0)
                        .map(|e| e.text.clone())
                        .collect()
                })
                .unwrap_or_default();
            Some(NegativeStory {
                score: worst.0,
                worst: worst.1.article.id.clone(),
                evidence,
                story,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then(b.story.reprints.cmp(&a.story.reprints))
            .then_with(|| a.story.id.cmp(&b.story.id))
    });
    out
}

fn sections(
    current: &[&ReportArticle],
    themes: &ThemeSet,
    stories: &BTreeMap<&ArticleId, StoryFacts>,
) -> (Vec<SectionReport>, Vec<Gap>) {
    let mut out = Vec::new();
    let mut gaps = Vec::new();
    for s in themes
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
    {
        let arts: Vec<&ReportArticle> = current
            .iter()
            .copied()
            .filter(|a| has_theme(a, &s.id))
            .collect();
        let count_stories = |v: &[&ReportArticle]| {
            v.iter().map(|a| a.story()).collect::<BTreeSet<_>>().len() as u64
        };
        let mut items = Vec::new();
        for i in themes
            .themes()
            .iter()
            .filter(|t| t.kind == ThemeKind::Item && t.section == s.id)
        {
            let ia: Vec<&ReportArticle> = arts
                .iter()
                .copied()
                .filter(|a| has_theme(a, &i.id))
                .collect();
            if ia.is_empty() {
                gaps.push(Gap {
                    section: s.id.clone(),
                    section_name: s.name.clone(),
                    id: i.id.clone(),
                    number: i.number,
                    name: i.name.clone(),
                });
            }
            items.push(ItemCoverage {
                id: i.id.clone(),
                number: i.number,
                name: i.name.clone(),
                articles: ia.len() as u64,
                stories: count_stories(&ia),
                article_ids: ia.iter().map(|a| a.article.id.clone()).collect(),
            });
        }
        let mut top = ranked_stories(&arts, stories);
        top.truncate(TOP_STORIES);
        out.push(SectionReport {
            id: s.id.clone(),
            number: s.number,
            name: s.name.clone(),
            articles: arts.len() as u64,
            stories: count_stories(&arts),
            items,
            top_stories: top,
            negative: negative_stories(&arts, stories),
        });
    }
    (out, gaps)
}

/// True when a word may be a hot word: at least 2 characters, not a stop word, not a bare
/// number or date (`2026`, `11月`), containing a CJK character or a letter.
fn keep_word(w: &str) -> bool {
    if w.chars().count() < 2 || is_stop_word(w) || REPORT_STOP_WORDS.contains(&w) {
        return false;
    }
    let stem = w.trim_end_matches(['年', '月', '日', '号', '时', '点', '分', '%', '万', '亿']);
    if stem.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return false;
    }
    w.chars().any(|c| c.is_alphabetic())
}

/// Words of one text (title + body), normalised and cut, filtered with [`keep_word`].
fn words<'a>(seg: &Segmenter, norm: &'a str) -> impl Iterator<Item = &'a str> {
    seg.cut(norm, SegmentMode::Default)
        .into_iter()
        .filter(|w| keep_word(w))
}

/// Word counts of a set of documents: `df` (documents containing the word, all
/// documents), `tf` (occurrences and articles, period documents only), `n` (documents).
#[derive(Default)]
struct WordCounts {
    df: BTreeMap<String, u64>,
    tf: BTreeMap<String, (u64, u64)>,
    n: u64,
}

impl WordCounts {
    fn add_doc(&mut self, seg: &Segmenter, title: &str, body: &str, in_period: bool) {
        let mut text = String::with_capacity(title.len() + body.len() + 1);
        text.push_str(title);
        text.push('\n');
        text.push_str(body);
        let norm = normalize(&text);
        self.n += 1;
        let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
        for w in words(seg, &norm) {
            *seen.entry(w).or_default() += 1;
        }
        for (w, count) in seen {
            if in_period {
                match self.tf.get_mut(w) {
                    Some(e) => {
                        e.0 += count;
                        e.1 += 1;
                    }
                    None => {
                        self.tf.insert(w.to_string(), (count, 1));
                    }
                }
            }
            match self.df.get_mut(w) {
                Some(d) => *d += 1,
                None => {
                    self.df.insert(w.to_string(), 1);
                }
            }
        }
    }

    /// Sums two partial counts (addition commutes: the result does not depend on how
    /// rayon split the documents).
    fn merge(mut self, other: WordCounts) -> WordCounts {
        for (w, d) in other.df {
            *self.df.entry(w).or_default() += d;
        }
        for (w, (t, a)) in other.tf {
            let e = self.tf.entry(w).or_default();
            e.0 += t;
            e.1 += a;
        }
        self.n += other.n;
        self
    }
}

/// [`HotWord::score`]: `articles × (ln((1 + n) / (1 + df)) + 1)` for a word carried by
/// `articles` period articles and `df` of the `n` loaded documents.
fn hot_word_score(articles: u64, df: u64, n: u64) -> f64 {
    let idf = ((1.0 + n as f64) / (1.0 + df as f64)).ln() + 1.0;
    articles as f64 * idf
}

/// TF-IDF hot words: binary term frequency (an article counts once for a word however often
/// it repeats it, summed over the period's articles, titles and bodies; scikit-learn's
/// `binary=True`), IDF over every
/// loaded article up to the period's end (the period plus the background window before
/// it), smoothed as in scikit-learn's `TfidfVectorizer(smooth_idf=True)`:
/// `idf = ln((1 + N) / (1 + df)) + 1`. Documents are cut in parallel (rayon); the counts
/// are sums, so the result is the same whatever the split.
fn hot_words(input: &ReportInput, seg: &Segmenter) -> (Vec<HotWord>, u64) {
    use rayon::prelude::*;
    let period = input.period;
    let end = period.end();
    let counts = input
        .articles
        .par_iter()
        .filter(|a| a.at < end)
        .fold(WordCounts::default, |mut c, a| {
            c.add_doc(
                seg,
                &a.article.title,
                &a.article.body,
                period.contains(a.at),
            );
            c
        })
        .reduce(WordCounts::default, WordCounts::merge);
    let (df, n) = (&counts.df, counts.n);
    let mut out: Vec<HotWord> = counts
        .tf
        .into_iter()
        .map(|(word, (tf, arts))| {
            let d = df.get(&word).copied().unwrap_or(0);
            HotWord {
                score: hot_word_score(arts, d, n),
                tf,
                articles: arts,
                df: d,
                word,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.word.cmp(&b.word))
    });
    out.truncate(HOT_WORDS);
    (out, n)
}

fn trend(input: &ReportInput, themes: &ThemeSet) -> Trend {
    let days = input.period.trend_days();
    let index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut total = vec![0u64; days.len()];
    let sections: Vec<_> = themes
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
        .collect();
    let mut by_section: Vec<Series> = sections
        .iter()
        .map(|s| Series {
            key: s.id.clone(),
            label: format!("{}、{}", crate::render::zh_number(s.number), s.name),
            counts: vec![0; days.len()],
        })
        .collect();
    let mut by_sentiment: Vec<Series> = SentimentLabel::ALL
        .iter()
        .map(|l| Series {
            key: l.as_str().to_string(),
            label: l.label_zh().to_string(),
            counts: vec![0; days.len()],
        })
        .collect();
    for a in &input.articles {
        let Some(&i) = index.get(&beijing_day(a.at)) else {
            continue;
        };
        if let Some(t) = total.get_mut(i) {
            *t += 1;
        }
        for s in by_section.iter_mut() {
            if has_theme(a, &s.key)
                && let Some(c) = s.counts.get_mut(i)
            {
                *c += 1;
            }
        }
        if let Some(l) = sentiment_key(a)
            && let Some(s) = by_sentiment.iter_mut().find(|s| s.key == l.as_str())
            && let Some(c) = s.counts.get_mut(i)
        {
            *c += 1;
        }
    }
    Trend {
        days,
        total,
        by_section,
        by_sentiment,
    }
}

fn article_row(
    a: &ReportArticle,
    themes: &ThemeSet,
    stories: &BTreeMap<&ArticleId, StoryFacts>,
) -> ArticleRow {
    // Plan order (sections first, then items, as the ThemeSet lists them).
    let labels = themes
        .themes()
        .iter()
        .filter(|t| has_theme(a, &t.id))
        .map(|t| format!("{} {}", t.id, t.name))
        .collect();
    ArticleRow {
        id: a.article.id.clone(),
        title: a.article.title.clone(),
        site: a.article.site.clone(),
        source: a.article.source.clone(),
        tier: a.article.tier,
        time: a.at,
        themes: labels,
        sentiment: sentiment_key(a),
        score: a.analysis.sentiment.as_ref().map(|s| s.score),
        reprints: stories.get(a.story()).map_or(0, |f| f.original.reprints),
        url: a.article.url.clone(),
        story: a.story().clone(),
    }
}

/// Beijing time of an optional instant, `—` when unknown.
pub(crate) fn time_or_dash(t: Option<DateTime<Utc>>) -> String {
    t.map(beijing_time_str).unwrap_or_else(|| "—".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_long_article_cannot_own_the_hot_words() {
        let seg = Segmenter::load(None).expect("the built-in dictionary loads");
        let mut c = WordCounts::default();
        // One page repeating 物流 3,000 times; 山货 once in each of 3 short reports.
        c.add_doc(&seg, "页面", &"物流".repeat(3000), true);
        for _ in 0..3 {
            c.add_doc(&seg, "报道", "山货销售", true);
        }
        // A background document (before the period) counts in df only.
        c.add_doc(&seg, "旧闻", "山货", false);
        assert_eq!(c.tf["物流"], (3000, 1));
        assert_eq!(c.tf["山货"], (3, 3));
        assert_eq!((c.df["物流"], c.df["山货"], c.n), (1, 4, 5));
        let score = |word: &str| hot_word_score(c.tf[word].1, c.df[word], c.n);
        // 物流: 1 × (ln(6/2) + 1) = 2.10; 山货: 3 × (ln(6/5) + 1) = 3.55 (by raw counts 物流
        // would lead 3,000 to 3, by 1 + ln tf 9.0 to 3).
        assert!((score("物流") - 2.0986).abs() < 1e-3, "{}", score("物流"));
        assert!((score("山货") - 3.5470).abs() < 1e-3, "{}", score("山货"));
        let merged = WordCounts::default().merge(c);
        assert_eq!(merged.tf["山货"], (3, 3));
    }
}
