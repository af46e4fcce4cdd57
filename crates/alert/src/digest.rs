//! Building one digest: grouping stories by plan theme and rendering the plain-text and
//! HTML bodies (both in Chinese; the HTML escaped).

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Utc};
use yuqing_store::NegativeStory;
use yuqing_themes::{ThemeKind, ThemeSet};

/// Name of the group of stories that match no plan theme.
pub const UNCLASSIFIED: &str = "未归类";

/// Evidence items shown per story (the strongest first).
pub const EVIDENCE_SHOWN: usize = 5;

/// Beijing time (UTC+8, no daylight saving since 1991).
pub fn beijing() -> FixedOffset {
    // 8 h is well inside the ±24 h that FixedOffset accepts: this unwrap cannot fail.
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// One group of a digest: a plan item (with its section), a section matched on its own
/// terms, or [`UNCLASSIFIED`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoryGroup {
    /// Theme id (`s4.i10`, `s4`); `None` for the unclassified group.
    pub theme: Option<String>,
    /// Heading as shown: `四、生态环保 · 10．9792工程`, `四、生态环保` or `未归类`.
    pub heading: String,
    /// The group's stories, most negative first (ties: newer first, then id).
    pub stories: Vec<NegativeStory>,
}

/// The display rank of a theme: plan order (section by section, the section's own group
/// before its items); unclassified last.
fn rank(themes: &ThemeSet, id: Option<&str>) -> (usize, usize) {
    let all = themes.themes();
    let Some(theme) = id.and_then(|id| themes.theme(id)) else {
        return (usize::MAX, usize::MAX);
    };
    let section = all
        .iter()
        .position(|t| t.id == theme.section)
        .unwrap_or(usize::MAX);
    let own = match theme.kind {
        ThemeKind::Section => 0,
        ThemeKind::Item => all
            .iter()
            .position(|t| t.id == theme.id)
            .map_or(0, |i| i + 1),
    };
    (section, own)
}

/// Chinese numeral for a section number (1 → 一, 10 → 十, 21 → 二十一); see
/// [`yuqing_themes::chinese_numeral`].
pub use yuqing_themes::chinese_numeral as chinese_number;

fn heading(themes: &ThemeSet, id: Option<&str>) -> String {
    let Some(theme) = id.and_then(|id| themes.theme(id)) else {
        return UNCLASSIFIED.to_string();
    };
    let section = themes
        .theme(&theme.section)
        .map(|s| format!("{}、{}", chinese_number(s.number), s.name))
        .unwrap_or_else(|| theme.section.clone());
    match theme.kind {
        ThemeKind::Section => section,
        ThemeKind::Item => format!("{section} · {}．{}", theme.number, theme.name),
    }
}

/// The group a story goes in: its highest-scoring plan item known to `themes`, else its
/// highest-scoring section, else unclassified (`None`). Each story appears once.
pub fn primary_theme<'a>(themes: &ThemeSet, story: &'a NegativeStory) -> Option<&'a str> {
    let known = |kind: ThemeKind| {
        story
            .themes
            .iter()
            .map(|(id, _)| id.as_str())
            .find(|id| themes.theme(id).is_some_and(|t| t.kind == kind))
    };
    known(ThemeKind::Item).or_else(|| known(ThemeKind::Section))
}

/// Groups stories by [`primary_theme`], groups in plan order, unclassified last.
pub fn group_stories(themes: &ThemeSet, stories: Vec<NegativeStory>) -> Vec<StoryGroup> {
    let mut groups: Vec<StoryGroup> = Vec::new();
    for story in stories {
        let theme = primary_theme(themes, &story).map(str::to_string);
        match groups.iter_mut().find(|g| g.theme == theme) {
            Some(g) => g.stories.push(story),
            None => groups.push(StoryGroup {
                heading: heading(themes, theme.as_deref()),
                theme,
                stories: vec![story],
            }),
        }
    }
    groups.sort_by_key(|g| rank(themes, g.theme.as_deref()));
    for g in &mut groups {
        g.stories.sort_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| b.time.cmp(&a.time))
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    groups
}

/// `YYYY-MM-DD HH:MM` in Beijing time.
pub fn beijing_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The subject: `【舆情预警】2026-11-30 负面报道 3 条` (the date in Beijing time). It never holds
/// a story title, so nothing from a crawled page reaches a header.
pub fn subject(at: DateTime<Utc>, stories: usize) -> String {
    let date = at.with_timezone(&beijing()).format("%Y-%m-%d");
    format!("【舆情预警】{date} 负面报道 {stories} 条")
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and quoted attribute values
/// (html-escape's `encode_quoted_attribute`; `'` becomes `&#x27;`).
pub use html_escape::encode_quoted_attribute as escape_html;

/// A title or other crawled text on one line: control characters (CR, LF, tabs …) become
/// spaces, so a title cannot start a line of its own in the plain-text body.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The evidence line of a story: the model's words and weights; for an analyst's correction,
/// that it is one, then the model's negative words only, if any (its other words argued for
/// another label and would not explain this one).
fn evidence_line(story: &NegativeStory) -> String {
    let words = |negative_only: bool| {
        story
            .evidence
            .iter()
            .filter(|e| !negative_only || e.weight < 0.0)
            .take(EVIDENCE_SHOWN)
            .map(|e| format!("{}（{:+.2}）", one_line(&e.text), e.weight))
            .collect::<Vec<_>>()
            .join("、")
    };
    if story.corrected || story.evidence.is_empty() {
        let negative = words(true);
        return if negative.is_empty() {
            "分析员人工判定为负面".to_string()
        } else {
            format!("分析员人工判定为负面；模型所见负面词：{negative}")
        };
    }
    words(false)
}

fn source_line(story: &NegativeStory) -> String {
    if story.site.is_empty() || story.site == story.source {
        one_line(&story.source)
    } else {
        format!("{}（{}）", one_line(&story.site), one_line(&story.source))
    }
}

fn reprint_line(story: &NegativeStory) -> String {
    format!(
        "共 {} 篇（转载 {} 篇）",
        story.articles,
        story.articles.saturating_sub(1)
    )
}

/// Whether a URL may become a link (only `http://` and `https://`).
fn linkable(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The plain-text body.
pub fn render_text(to_name: &str, subject: &str, groups: &[StoryGroup]) -> String {
    let total: usize = groups.iter().map(|g| g.stories.len()).sum();
    let mut out = String::new();
    let _ = writeln!(out, "{}：", one_line(to_name));
    let _ = writeln!(out, "{subject}");
    let _ = writeln!(
        out,
        "以下 {total} 条负面报道（按转载合并为报道）为上次预警以来新发现的，按宣传要点分组；时间为北京时间。\n"
    );
    let mut n = 0;
    for g in groups {
        let _ = writeln!(out, "【{}】（{} 条）", g.heading, g.stories.len());
        for s in &g.stories {
            n += 1;
            let _ = writeln!(out, "{n}. {}", one_line(&s.title));
            let _ = writeln!(
                out,
                "   来源：{}  {}  {}",
                source_line(s),
                s.tier.label_zh(),
                beijing_time(s.time)
            );
            let _ = writeln!(out, "   {}  情感得分 {:.2}", reprint_line(s), s.score);
            let _ = writeln!(out, "   依据：{}", evidence_line(s));
            let _ = writeln!(out, "   链接：{}", one_line(&s.url));
        }
        out.push('\n');
    }
    out.push_str("——\n本邮件由舆情监测系统自动发送。\n");
    out
}

/// The HTML body: one self-contained document, inline styles, every crawled value escaped.
pub fn render_html(to_name: &str, subject: &str, groups: &[StoryGroup]) -> String {
    let total: usize = groups.iter().map(|g| g.stories.len()).sum();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title></head>\n<body style=\"font-family:sans-serif;max-width:46em;margin:auto;padding:0 1em;color:#222\">\n",
        escape_html(subject)
    );
    let _ = writeln!(out, "<p>{}：</p>", escape_html(to_name));
    let _ = writeln!(
        out,
        "<h1 style=\"font-size:1.3em;color:#b00\">{}</h1>",
        escape_html(subject)
    );
    let _ = writeln!(
        out,
        "<p>以下 {total} 条负面报道（按转载合并为报道）为上次预警以来新发现的，按宣传要点分组；时间为北京时间。</p>"
    );
    for g in groups {
        let _ = writeln!(
            out,
            "<h2 style=\"font-size:1.1em;border-bottom:1px solid #ccc\">{}（{} 条）</h2>\n<ol>",
            escape_html(&g.heading),
            g.stories.len()
        );
        for s in &g.stories {
            let title = escape_html(&s.title);
            let title = if linkable(&s.url) {
                format!("<a href=\"{}\">{title}</a>", escape_html(&s.url))
            } else {
                title.into_owned()
            };
            let _ = writeln!(
                out,
                "<li style=\"margin-bottom:0.8em\"><strong>{title}</strong><br>\n\
                 来源：{}　{}　{}<br>\n{}　情感得分 <span style=\"color:#b00\">{:.2}</span><br>\n\
                 依据：{}<br>\n链接：{}</li>",
                escape_html(&source_line(s)),
                s.tier.label_zh(),
                beijing_time(s.time),
                reprint_line(s),
                s.score,
                escape_html(&evidence_line(s)),
                escape_html(&s.url),
            );
        }
        out.push_str("</ol>\n");
    }
    out.push_str("<p style=\"color:#888;font-size:0.9em\">本邮件由舆情监测系统自动发送。</p>\n</body></html>\n");
    out
}
