//! HTML and Markdown renderings of a [`Report`] (pure).

use std::fmt::Write;

use crate::build::{Change, HotWord, NegativeStory, Report, StoryEntry, time_or_dash};
use crate::chart::{ChartKind, trend_svg};
use crate::period::{beijing_time_str, date_zh};

/// Chinese numeral for 1..=99 (一, 十, 十一, 二十三); see [`yuqing_themes::chinese_numeral`].
pub use yuqing_themes::chinese_numeral as zh_number;

/// Escapes `& < > " '` for HTML text and quoted attribute values (html-escape's
/// `encode_quoted_attribute`; `'` becomes `&#x27;`).
pub use html_escape::encode_quoted_attribute as escape_html;

/// Only `http(s)` URLs become links (no `javascript:`); anything else renders as `#`.
fn safe_url(url: &str) -> &str {
    let l = url.trim_start().as_bytes();
    let is = |p: &[u8]| l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p);
    if is(b"http://") || is(b"https://") {
        url
    } else {
        "#"
    }
}

/// `+12（+20.0%）`, `-3（-50.0%）`, `+2（上期为0）`.
pub fn change_zh(c: &Change) -> String {
    let sign = if c.delta >= 0 { "+" } else { "" };
    match c.percent {
        Some(p) => format!("{sign}{}（{sign}{p:.1}%）", c.delta),
        None => format!("{sign}{}（上期为0）", c.delta),
    }
}

/// The `生成时间` line's text (the only line that differs between two renderings of the
/// same data of a finished period).
pub fn generated_line(r: &Report) -> String {
    format!("生成时间：{}（北京时间）", beijing_time_str(r.generated_at))
}

/// The unfinished-period line, `统计截至 2026-11-30 14:20（北京时间），本期尚未结束；对比上期同一
/// 时段（至 2026-11-23 14:20）` ([`Report::data_until`] and [`Report::previous_until`] in Beijing
/// time), when the period was still running at
/// [`Report::generated_at`]; `None` for a complete period. Every rendering prints it right
/// after the period line.
pub fn unfinished_line(r: &Report) -> Option<String> {
    (!r.complete).then(|| {
        format!(
            "统计截至 {}（北京时间），本期尚未结束；对比上期同一时段（至 {}）",
            beijing_time_str(r.data_until),
            beijing_time_str(r.previous_until)
        )
    })
}

/// Report heading: `{plan name} 舆情日报`.
pub fn heading(r: &Report) -> String {
    match &r.plan_name {
        Some(p) => format!("{}{}", p, r.title),
        None => r.title.clone(),
    }
}

/// `统计时段：…` line.
pub fn period_line(r: &Report) -> String {
    format!(
        "统计时段：{}（北京时间，对比上期：{}）",
        r.period.label_zh(),
        r.previous.label_zh()
    )
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',SimSun,sans-serif;\
margin:0 auto;max-width:960px;padding:12px;color:#222;line-height:1.6}\
h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.25em;border-bottom:2px solid #b22;padding-bottom:2px;margin-top:1.6em}\
h3{font-size:1.1em;margin-top:1.2em}h4{font-size:1em;margin:.8em 0 .3em}\
.meta{color:#555;margin:0}.tw{overflow-x:auto;-webkit-overflow-scrolling:touch}\
table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.92em}\
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#f3f3f3;white-space:nowrap}td.n{text-align:right;white-space:nowrap}\
.neg{color:#b00}.gap{color:#b00;font-weight:bold}.unfinished{color:#b00;font-weight:bold}.ev{color:#b00;font-size:.9em}\
.words span{display:inline-block;margin:2px 4px;padding:1px 6px;background:#f5e9e9;border-radius:3px}\
.chart{max-width:720px}a{color:#0645ad;word-break:break-all}\
@media (max-width:600px){body{padding:6px}table{font-size:.85em}}\
@media print{body{max-width:none}a{color:#000;text-decoration:none}.tw{overflow:visible}\
h2,h3{page-break-after:avoid}tr,svg{page-break-inside:avoid}}";

fn story_cells_html(s: &StoryEntry) -> String {
    format!(
        "<td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        escape_html(safe_url(&s.url)),
        escape_html(&s.title),
        escape_html(&s.site),
        s.tier.label_zh(),
        time_or_dash(s.time),
        s.reprints
    )
}

fn evidence_zh(n: &NegativeStory) -> String {
    if n.evidence.is_empty() {
        "（无）".to_string()
    } else {
        n.evidence.join("、")
    }
}

/// A hot word as the HTML, Markdown and Word reports list it: the word and the number of the
/// period's articles carrying it (报道数), `快递进村（3 篇）`. Not the raw term count
/// ([`HotWord::tf`], which one page repeating a word can inflate to tens of thousands; the
/// Excel sheet `热词` has both, labelled 词频 and 报道数).
pub(crate) fn hot_word_zh(w: &HotWord) -> String {
    format!("{}（{} 篇）", w.word, w.articles)
}

/// The line above the hot words: how they are ranked and what the number in brackets is.
pub(crate) fn hot_words_note(r: &Report) -> String {
    format!(
        "按 TF-IDF 排序（背景文档 {} 篇），括号内为提及该词的报道篇数",
        r.hot_word_docs
    )
}

/// One self-contained HTML page (inline CSS and SVG, no external resource): headings,
/// responsive tables (scroll sideways on a phone), print styles. Every text from articles
/// or the plan is HTML-escaped and only `http(s)` links are emitted. Apart from the
/// [`generated_line`] line (and, for a period still running, the [`unfinished_line`] in
/// red), the output depends only on the report's data.
pub fn render_html(r: &Report) -> String {
    let mut h = String::with_capacity(64 * 1024 + r.articles.len() * 400);
    let o = &r.overview;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n\
         <p class=\"meta\">{}</p>\n",
        escape_html(&heading(r)),
        escape_html(&r.period.label_zh()),
        escape_html(&heading(r)),
        escape_html(&period_line(r)),
    );
    if let Some(line) = unfinished_line(r) {
        let _ = writeln!(h, "<p class=\"meta unfinished\">{line}</p>");
    }
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", generated_line(r));
    h.push_str("<h2>一、舆情概况</h2>\n");
    let _ = writeln!(
        h,
        "<p>本期共监测到相关报道 <b>{}</b> 篇，涉及 <b>{}</b> 个事件（合并转载后）；\
         其中负面报道 <b>{}</b> 篇；未匹配任何宣传要点的报道 {} 篇。</p>",
        o.articles, o.stories, o.negative_change.current, o.unthemed
    );
    h.push_str(
        "<div class=\"tw\"><table><tr><th>指标</th><th>本期</th><th>上期</th><th>变化</th></tr>\n",
    );
    for (name, c) in [
        ("报道量（篇）", &o.articles_change),
        ("事件数（个）", &o.stories_change),
        ("负面报道（篇）", &o.negative_change),
    ] {
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            c.current,
            c.previous,
            change_zh(c)
        );
    }
    h.push_str("</table></div>\n<h4>倾向性分布</h4>\n<div class=\"tw\"><table><tr>");
    for l in &o.by_sentiment {
        let _ = write!(h, "<th>{}</th>", l.label);
    }
    h.push_str("</tr><tr>");
    for l in &o.by_sentiment {
        let _ = write!(h, "<td class=\"n\">{}</td>", l.count);
    }
    h.push_str("</tr></table></div>\n<h4>媒体层级分布</h4>\n<div class=\"tw\"><table><tr>");
    for l in &o.by_tier {
        let _ = write!(h, "<th>{}</th>", l.label);
    }
    h.push_str("</tr><tr>");
    for l in &o.by_tier {
        let _ = write!(h, "<td class=\"n\">{}</td>", l.count);
    }
    h.push_str("</tr></table></div>\n<h2>二、宣传要点报道情况</h2>\n");
    for s in &r.sections {
        let _ = writeln!(
            h,
            "<h3 id=\"{}\">（{}）{}</h3>\n<p>本部分报道 <b>{}</b> 篇，事件 <b>{}</b> 个。</p>",
            escape_html(&s.id),
            zh_number(s.number),
            escape_html(&s.name),
            s.articles,
            s.stories
        );
        h.push_str("<div class=\"tw\"><table><tr><th>要点</th><th>报道（篇）</th><th>事件（个）</th></tr>\n");
        for i in &s.items {
            let cls = if i.articles == 0 {
                " class=\"gap\""
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<tr><td{cls}>{}．{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                i.number,
                escape_html(&i.name),
                i.articles,
                i.stories
            );
        }
        h.push_str("</table></div>\n");
        if !s.top_stories.is_empty() {
            h.push_str("<h4>重点报道</h4>\n<div class=\"tw\"><table><tr><th>标题</th><th>媒体</th><th>层级</th><th>时间</th><th>转载</th></tr>\n");
            for t in &s.top_stories {
                let _ = writeln!(h, "<tr>{}</tr>", story_cells_html(t));
            }
            h.push_str("</table></div>\n");
        }
        if !s.negative.is_empty() {
            h.push_str("<h4 class=\"neg\">负面报道</h4>\n<div class=\"tw\"><table><tr><th>标题</th><th>媒体</th><th>层级</th><th>时间</th><th>转载</th><th>得分</th><th>依据</th></tr>\n");
            for n in &s.negative {
                let _ = writeln!(
                    h,
                    "<tr>{}<td class=\"n\">{:.2}</td><td class=\"ev\">{}</td></tr>",
                    story_cells_html(&n.story),
                    n.score,
                    escape_html(&evidence_zh(n))
                );
            }
            h.push_str("</table></div>\n");
        }
    }
    h.push_str("<h2>三、宣传薄弱环节</h2>\n");
    if r.gaps.is_empty() {
        h.push_str("<p>本期各宣传要点均有报道。</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p>以下 {} 项宣传要点本期无相关报道：</p>\n<ul>",
            r.gaps.len()
        );
        for g in &r.gaps {
            let _ = writeln!(
                h,
                "<li>{}．{}（{}）</li>",
                g.number,
                escape_html(&g.name),
                escape_html(&g.section_name)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2>四、热词</h2>\n");
    if r.hot_words.is_empty() {
        h.push_str("<p>（本期无热词）</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p class=\"meta\">{}。</p>\n<p class=\"words\">",
            hot_words_note(r)
        );
        for w in &r.hot_words {
            let _ = write!(h, "<span>{}</span>", escape_html(&hot_word_zh(w)));
        }
        h.push_str("</p>\n");
    }
    let _ = writeln!(
        h,
        "<h2>五、舆情走势</h2>\n<p class=\"meta\">{}至{}每日报道量。</p>\n<div class=\"chart\">{}</div>\n<div class=\"chart\">{}</div>",
        r.trend
            .days
            .first()
            .map(|d| date_zh(*d))
            .unwrap_or_default(),
        r.trend.days.last().map(|d| date_zh(*d)).unwrap_or_default(),
        trend_svg(&r.trend, ChartKind::Sentiment),
        trend_svg(&r.trend, ChartKind::Sections)
    );
    let _ = writeln!(h, "<h2>附录：本期报道清单（{} 篇）</h2>", r.articles.len());
    h.push_str("<div class=\"tw\"><table><tr><th>时间</th><th>标题</th><th>媒体</th><th>层级</th><th>倾向</th><th>转载</th></tr>\n");
    for a in &r.articles {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            beijing_time_str(a.time),
            escape_html(safe_url(&a.url)),
            escape_html(&a.title),
            escape_html(&a.site),
            a.tier.label_zh(),
            a.sentiment.map_or("未分析", |s| s.label_zh()),
            a.reprints
        );
    }
    h.push_str("</table></div>\n</body>\n</html>\n");
    h
}

/// Escapes Markdown inline syntax (`\ ` `` ` `` `* _ [ ] < > | #`) and folds newlines to spaces,
/// so a title cannot open a link, a table cell or raw HTML.
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A URL usable inside `(…)` of a Markdown link: spaces, parentheses and `<>` percent-encoded.
fn md_url(url: &str) -> String {
    safe_url(url)
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

fn story_cells_md(s: &StoryEntry) -> String {
    format!(
        "[{}]({}) | {} | {} | {} | {}",
        escape_md(&s.title),
        md_url(&s.url),
        escape_md(&s.site),
        s.tier.label_zh(),
        time_or_dash(s.time),
        s.reprints
    )
}

/// The same content as [`render_html`] in CommonMark + GFM tables (charts as tables of
/// daily counts). Titles escaped with [`escape_md`].
pub fn render_markdown(r: &Report) -> String {
    let mut m = String::with_capacity(32 * 1024 + r.articles.len() * 200);
    let o = &r.overview;
    let _ = writeln!(m, "# {}\n", escape_md(&heading(r)));
    let _ = writeln!(m, "{}\n", escape_md(&period_line(r)));
    if let Some(line) = unfinished_line(r) {
        let _ = writeln!(m, "**{line}**\n");
    }
    let _ = writeln!(m, "{}\n", generated_line(r));
    m.push_str("## 一、舆情概况\n\n");
    let _ = writeln!(
        m,
        "本期共监测到相关报道 **{}** 篇，涉及 **{}** 个事件（合并转载后）；其中负面报道 **{}** 篇；未匹配任何宣传要点的报道 {} 篇。\n",
        o.articles, o.stories, o.negative_change.current, o.unthemed
    );
    m.push_str("| 指标 | 本期 | 上期 | 变化 |\n|---|---:|---:|---:|\n");
    for (name, c) in [
        ("报道量（篇）", &o.articles_change),
        ("事件数（个）", &o.stories_change),
        ("负面报道（篇）", &o.negative_change),
    ] {
        let _ = writeln!(
            m,
            "| {name} | {} | {} | {} |",
            c.current,
            c.previous,
            change_zh(c)
        );
    }
    for (title, list) in [
        ("倾向性分布", &o.by_sentiment),
        ("媒体层级分布", &o.by_tier),
    ] {
        let _ = writeln!(m, "\n#### {title}\n");
        let heads: Vec<&str> = list.iter().map(|l| l.label.as_str()).collect();
        let _ = writeln!(m, "| {} |", heads.join(" | "));
        let _ = writeln!(m, "|{}", "---:|".repeat(list.len()));
        let counts: Vec<String> = list.iter().map(|l| l.count.to_string()).collect();
        let _ = writeln!(m, "| {} |", counts.join(" | "));
    }
    m.push_str("\n## 二、宣传要点报道情况\n");
    for s in &r.sections {
        let _ = writeln!(
            m,
            "\n### （{}）{}\n\n本部分报道 **{}** 篇，事件 **{}** 个。\n",
            zh_number(s.number),
            escape_md(&s.name),
            s.articles,
            s.stories
        );
        m.push_str("| 要点 | 报道（篇） | 事件（个） |\n|---|---:|---:|\n");
        for i in &s.items {
            let mark = if i.articles == 0 {
                "（无报道）"
            } else {
                ""
            };
            let _ = writeln!(
                m,
                "| {}．{}{mark} | {} | {} |",
                i.number,
                escape_md(&i.name),
                i.articles,
                i.stories
            );
        }
        if !s.top_stories.is_empty() {
            m.push_str(
                "\n#### 重点报道\n\n| 标题 | 媒体 | 层级 | 时间 | 转载 |\n|---|---|---|---|---:|\n",
            );
            for t in &s.top_stories {
                let _ = writeln!(m, "| {} |", story_cells_md(t));
            }
        }
        if !s.negative.is_empty() {
            m.push_str("\n#### 负面报道\n\n| 标题 | 媒体 | 层级 | 时间 | 转载 | 得分 | 依据 |\n|---|---|---|---|---:|---:|---|\n");
            for n in &s.negative {
                let _ = writeln!(
                    m,
                    "| {} | {:.2} | {} |",
                    story_cells_md(&n.story),
                    n.score,
                    escape_md(&evidence_zh(n))
                );
            }
        }
    }
    m.push_str("\n## 三、宣传薄弱环节\n\n");
    if r.gaps.is_empty() {
        m.push_str("本期各宣传要点均有报道。\n");
    } else {
        let _ = writeln!(m, "以下 {} 项宣传要点本期无相关报道：\n", r.gaps.len());
        for g in &r.gaps {
            let _ = writeln!(
                m,
                "- {}．{}（{}）",
                g.number,
                escape_md(&g.name),
                escape_md(&g.section_name)
            );
        }
    }
    m.push_str("\n## 四、热词\n\n");
    if r.hot_words.is_empty() {
        m.push_str("（本期无热词）\n");
    } else {
        let _ = writeln!(m, "{}：\n", hot_words_note(r));
        let words: Vec<String> = r
            .hot_words
            .iter()
            .map(|w| escape_md(&hot_word_zh(w)))
            .collect();
        let _ = writeln!(m, "{}", words.join("、"));
    }
    m.push_str("\n## 五、舆情走势\n\n");
    let days: Vec<String> = r
        .trend
        .days
        .iter()
        .map(|d| d.format("%m-%d").to_string())
        .collect();
    let _ = writeln!(m, "| 系列 | {} |", days.join(" | "));
    let _ = writeln!(m, "|---|{}", "---:|".repeat(days.len()));
    let row = |label: &str, counts: &[u64]| {
        let c: Vec<String> = counts.iter().map(u64::to_string).collect();
        format!("| {} | {} |\n", escape_md(label), c.join(" | "))
    };
    m.push_str(&row("合计", &r.trend.total));
    for s in r.trend.by_sentiment.iter().chain(&r.trend.by_section) {
        m.push_str(&row(&s.label, &s.counts));
    }
    let _ = writeln!(m, "\n## 附录：本期报道清单（{} 篇）\n", r.articles.len());
    m.push_str("| 时间 | 标题 | 媒体 | 层级 | 倾向 | 转载 |\n|---|---|---|---|---|---:|\n");
    for a in &r.articles {
        let _ = writeln!(
            m,
            "| {} | [{}]({}) | {} | {} | {} | {} |",
            beijing_time_str(a.time),
            escape_md(&a.title),
            md_url(&a.url),
            escape_md(&a.site),
            a.tier.label_zh(),
            a.sentiment.map_or("未分析", |s| s.label_zh()),
            a.reprints
        );
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_and_escaping() {
        let zh: Vec<String> = [1, 9, 10, 11, 20, 23, 100].map(zh_number).into();
        assert_eq!(zh, ["一", "九", "十", "十一", "二十", "二十三", "100"]);
        assert_eq!(
            escape_html("<a href='x'>&\"</a>"),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(
            escape_md("[x](y) | *b* <i>\n#"),
            "\\[x\\](y) \\| \\*b\\* &lt;i&gt; \\#"
        );
        assert_eq!(safe_url("javascript:alert(1)"), "#");
        assert_eq!(safe_url("HTTPS://a.cn/x"), "HTTPS://a.cn/x");
        assert_eq!(md_url("https://a.cn/x (1)"), "https://a.cn/x%20%281%29");
        let c = Change {
            current: 3,
            previous: 4,
            delta: -1,
            percent: Some(-25.0),
        };
        assert_eq!(change_zh(&c), "-1（-25.0%）");
    }
}
