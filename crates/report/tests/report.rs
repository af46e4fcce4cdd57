//! End-to-end: a store built from fixtures over several days, daily and weekly reports in
//! all four formats, checked for content, determinism and (through python-docx / openpyxl)
//! validity. The produced files are kept in a temp dir whose path is printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, HitField, Sentiment, SentimentLabel,
    TermHit, ThemeMatch, Tier,
};
use yuqing_report::{
    Period, Report, ReportInput, XLSX_SHEETS, render_docx, render_html, render_markdown,
    render_xlsx, unfinished_line,
};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

const THEMES: &str = r#"
version = 1
[plan]
name = "测试宣传要点"
[[section]]
id = "s1"
number = 1
name = "行业发展"
[[section]]
id = "s2"
number = 2
name = "安全监管"
[[section]]
id = "s3"
number = 3
name = "国际合作"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "快递进村"
any = ["快递进村"]
[[item]]
id = "s1.i2"
section = "s1"
number = 2
name = "9792工程"
any = ["9792"]
[[item]]
id = "s2.i3"
section = "s2"
number = 3
name = "寄递安全"
any = ["寄递安全"]
[[item]]
id = "s2.i4"
section = "s2"
number = 4
name = "绿盾工程"
any = ["绿盾"]
[[item]]
id = "s3.i5"
section = "s3"
number = 5
name = "万国邮联"
any = ["万国邮联"]
"#;

const SCRIPT_TITLE: &str = "<script>alert(1)</script>快递包裹丢失无人管 用户投诉";

/// Beijing wall-clock time → UTC.
fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

struct Fx {
    key: &'static str,
    title: &'static str,
    tier: Tier,
    at: DateTime<Utc>,
    /// false: no publish time, `at` is the fetch time.
    published: bool,
    themes: &'static [&'static str],
    sentiment: Option<(SentimentLabel, f32)>,
    /// Key of the cluster's first article; `None` = no cluster stored.
    cluster: Option<&'static str>,
}

fn url(key: &str) -> String {
    format!("https://news.example.cn/{key}.html")
}

fn id(key: &str) -> ArticleId {
    ArticleId::from_canonical_url(&url(key))
}

fn fixtures() -> Vec<Fx> {
    use SentimentLabel::*;
    let f = |key, title, tier, at, themes, sentiment, cluster| Fx {
        key,
        title,
        tier,
        at,
        published: true,
        themes,
        sentiment,
        cluster,
    };
    let s1i1: &[&str] = &["s1", "s1.i1"];
    let s1i2: &[&str] = &["s1", "s1.i2"];
    let s2i3: &[&str] = &["s2", "s2.i3"];
    let mut v = vec![
        // Background (weeks before) and the previous week.
        f(
            "b1",
            "邮政普遍服务座谈会召开",
            Tier::Industry,
            bj(2026, 11, 5, 9, 0),
            &[],
            Some((Neutral, 0.0)),
            Some("b1"),
        ),
        f(
            "b2",
            "快递企业旺季保障会议",
            Tier::Industry,
            bj(2026, 11, 6, 9, 0),
            &[],
            Some((Neutral, 0.0)),
            Some("b2"),
        ),
        f(
            "a14",
            "快递进村调研",
            Tier::Central,
            bj(2026, 11, 18, 9, 0),
            s1i1,
            Some((Positive, 0.4)),
            Some("a14"),
        ),
        // The week 11-23..11-29; 11-26 is the daily report's day.
        f(
            "a12",
            "9792工程推进会",
            Tier::Industry,
            bj(2026, 11, 24, 10, 0),
            s1i2,
            Some((Positive, 0.3)),
            Some("a12"),
        ),
        f(
            "a10",
            "邮政快递业运行平稳",
            Tier::Industry,
            bj(2026, 11, 25, 23, 59),
            &[],
            Some((Neutral, 0.0)),
            Some("a10"),
        ),
        f(
            "a1",
            "快递进村工程覆盖九成建制村",
            Tier::Central,
            bj(2026, 11, 26, 9, 0),
            s1i1,
            Some((Positive, 0.6)),
            Some("a1"),
        ),
        f(
            "a2",
            "快递进村工程覆盖九成建制村（转载）",
            Tier::Provincial,
            bj(2026, 11, 26, 11, 0),
            s1i1,
            Some((Positive, 0.5)),
            Some("a1"),
        ),
        f(
            "a3",
            "快递进村工程覆盖九成建制村 转",
            Tier::Commercial,
            bj(2026, 11, 26, 15, 0),
            s1i1,
            Some((Positive, 0.5)),
            Some("a1"),
        ),
        f(
            "a4",
            "邮政业推进9792工程",
            Tier::Industry,
            bj(2026, 11, 26, 10, 0),
            s1i2,
            Some((Neutral, 0.1)),
            Some("a4"),
        ),
        f(
            "a5",
            SCRIPT_TITLE,
            Tier::SelfMedia,
            bj(2026, 11, 26, 20, 0),
            s2i3,
            Some((Negative, -0.8)),
            Some("a5"),
        ),
        f(
            "a6",
            "快递包裹丢失无人管，用户投诉",
            Tier::Commercial,
            bj(2026, 11, 26, 22, 0),
            s2i3,
            Some((Negative, -0.6)),
            Some("a5"),
        ),
        f(
            "a7",
            "寄递安全专项检查启动",
            Tier::Central,
            bj(2026, 11, 26, 7, 0),
            s2i3,
            Some((Neutral, 0.0)),
            Some("a7"),
        ),
        f(
            "a8",
            "城市道路改造通告",
            Tier::Commercial,
            bj(2026, 11, 26, 12, 0),
            &[],
            Some((Neutral, 0.0)),
            Some("a8"),
        ),
        f(
            "a9",
            "快递进村让山货出山",
            Tier::Provincial,
            bj(2026, 11, 26, 13, 0),
            s1i1,
            None,
            None,
        ),
        f(
            "a11",
            "快递进村覆盖九成建制村（再转）",
            Tier::SelfMedia,
            bj(2026, 11, 27, 0, 0),
            s1i1,
            Some((Positive, 0.4)),
            Some("a1"),
        ),
    ];
    let mut a13 = f(
        "a13",
        "快递网点爆仓 寄递安全隐患",
        Tier::Commercial,
        bj(2026, 11, 28, 8, 0),
        s2i3,
        Some((Negative, -0.5)),
        Some("a13"),
    );
    a13.published = false;
    v.push(a13);
    v
}

fn build_store(path: &Path) -> Store {
    let store = Store::open(path).unwrap();
    for fx in fixtures() {
        let article = Article {
            id: id(fx.key),
            source: format!("src-{}", fx.tier.as_str()),
            tier: fx.tier,
            url: url(fx.key),
            canonical_url: url(fx.key),
            site: format!("{}媒体", fx.tier.label_zh()),
            title: fx.title.to_string(),
            author: None,
            editor: None,
            published_at: fx.published.then_some(fx.at),
            date_source: if fx.published {
                DateSource::Meta
            } else {
                DateSource::None
            },
            body: format!(
                "本报记者 报道。{}。新华社 责任编辑 记者 2026年11月26日。快递 邮政 服务 农村 {}",
                fx.title,
                if fx.themes.contains(&"s1.i1") {
                    "山货 电商 山货 电商"
                } else {
                    ""
                }
            ),
            fetched_at: fx.at,
        };
        let themes = fx
            .themes
            .iter()
            .map(|t| ThemeMatch {
                theme: t.to_string(),
                score: 2.0,
                hits: vec![TermHit {
                    term: "快递".into(),
                    count: 1,
                    field: HitField::Title,
                }],
            })
            .collect();
        let sentiment = fx.sentiment.map(|(label, score)| Sentiment {
            label,
            score,
            evidence: if label == SentimentLabel::Negative {
                vec![
                    Evidence {
                        text: "丢失".into(),
                        weight: -0.5,
                    },
                    Evidence {
                        text: "无人管".into(),
                        weight: -0.3,
                    },
                    Evidence {
                        text: "满意".into(),
                        weight: 0.1,
                    },
                ]
            } else {
                Vec::new()
            },
        });
        let analysis = Analysis {
            themes,
            sentiment,
            fingerprint: Some(1),
            cluster: fx.cluster.map(id),
        };
        store.upsert_analyzed([(&article, &analysis)]).unwrap();
    }
    store
}

fn out_dir() -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix("yuqing-report-test-")
        .tempdir()
        .unwrap()
        .keep();
    println!("report files written to {}", dir.display());
    dir
}

/// The lines of `a` and `b` that differ (same line count required).
fn differing_lines<'a>(a: &'a str, b: &'a str) -> Vec<(&'a str, &'a str)> {
    assert_eq!(a.lines().count(), b.lines().count());
    a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect()
}

fn section_text<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let s = html.find(from).unwrap();
    let e = html[s..].find(to).unwrap() + s;
    &html[s..e]
}

#[test]
fn daily_report_counts_lists_and_formats() {
    let dir = out_dir();
    let store = build_store(&dir.join("yuqing.sqlite3"));
    let themes = ThemeSet::from_toml_str(THEMES, "themes.toml").unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let input = ReportInput::load(&store, &themes, Period::daily(day)).unwrap();
    let t1 = Utc.with_ymd_and_hms(2026, 11, 27, 0, 5, 0).unwrap();
    let r = Report::build(&input, &themes, t1);

    // Overview: a1..a9 (a10 is 23:59 the day before, a11 00:00 the day after).
    let o = &r.overview;
    assert_eq!(o.articles, 9);
    assert_eq!(o.stories, 6); // {a1,a2,a3} {a4} {a5,a6} {a7} {a8} {a9}
    let counts = |v: &[yuqing_report::LabelCount]| {
        v.iter()
            .map(|l| (l.label.clone(), l.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts(&o.by_sentiment),
        [("正面", 3), ("中性", 3), ("负面", 2), ("未分析", 1)].map(|(a, b)| (a.to_string(), b))
    );
    assert_eq!(
        counts(&o.by_tier),
        [
            ("央媒", 2),
            ("省级", 2),
            ("行业", 1),
            ("商业", 3),
            ("自媒体", 1)
        ]
        .map(|(a, b)| (a.to_string(), b))
    );
    assert_eq!(o.unthemed, 1);
    assert_eq!(
        (o.articles_change.previous, o.articles_change.delta),
        (1, 8)
    );
    assert_eq!(o.articles_change.percent, Some(800.0));
    assert_eq!(
        (
            o.negative_change.current,
            o.negative_change.previous,
            o.negative_change.percent
        ),
        (2, 0, None)
    );

    // Sections and items.
    let s1 = &r.sections[0];
    assert_eq!((s1.id.as_str(), s1.articles, s1.stories), ("s1", 5, 3));
    assert_eq!((s1.items[0].articles, s1.items[0].stories), (4, 2));
    assert_eq!(
        s1.items[0].article_ids,
        vec![id("a1"), id("a2"), id("a9"), id("a3")] // (time, id) order: 09:00 11:00 13:00 15:00
    );
    // Top stories: a1 with 2 reprints by the day's end (a11 comes after), then a9 (省级)
    // before a4 (行业), both without reprints.
    let top: Vec<(&str, u64)> = s1
        .top_stories
        .iter()
        .map(|s| (s.title.as_str(), s.reprints))
        .collect();
    assert_eq!(
        top,
        [
            ("快递进村工程覆盖九成建制村", 2),
            ("快递进村让山货出山", 0),
            ("邮政业推进9792工程", 0)
        ]
    );
    assert_eq!(
        s1.top_stories[0].articles,
        vec![id("a1"), id("a2"), id("a3")]
    );
    assert_eq!(s1.top_stories[0].url, url("a1"));
    assert!(s1.negative.is_empty());
    let s2 = &r.sections[1];
    assert_eq!((s2.articles, s2.stories), (3, 2));
    assert_eq!(s2.negative.len(), 1);
    let n = &s2.negative[0];
    assert_eq!(
        (n.story.title.as_str(), n.story.reprints, n.score),
        (SCRIPT_TITLE, 1, -0.8)
    );
    assert_eq!(n.worst, id("a5"));
    assert_eq!(n.evidence, ["丢失", "无人管"]);
    assert_eq!(
        (r.sections[2].articles, r.sections[2].top_stories.len()),
        (0, 0)
    );

    // Gaps.
    let gaps: Vec<&str> = r.gaps.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(gaps, ["绿盾工程", "万国邮联"]);

    // Hot words: no stop words, no dates; the topic words of the day are there.
    let words: Vec<&str> = r.hot_words.iter().map(|w| w.word.as_str()).collect();
    for stop in [
        "记者",
        "本报",
        "本报记者",
        "新华社",
        "责任编辑",
        "年",
        "月",
        "日",
        "2026年",
        "11月",
    ] {
        assert!(!words.contains(&stop), "stop word {stop} in {words:?}");
    }
    assert!(words.contains(&"山货"), "{words:?}");
    let shanhuo = r.hot_words.iter().find(|w| w.word == "山货").unwrap();
    // 山货 twice in each of the 4 s1.i1 bodies, plus once in a9's title (+ its copy in the body).
    assert_eq!((shanhuo.tf, shanhuo.articles), (10, 4));
    assert_eq!(r.hot_word_docs, 14); // loaded before the day ends: b1 b2 a14 a12 a10 and a1..a9

    // Trend: 7 days ending on the day.
    assert_eq!(r.trend.days.len(), 7);
    assert_eq!(r.trend.days[6], day);
    assert_eq!(r.trend.total, [0, 0, 0, 0, 1, 1, 9]);
    let neg = r
        .trend
        .by_sentiment
        .iter()
        .find(|s| s.key == "negative")
        .unwrap();
    assert_eq!(neg.counts, [0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(r.trend.by_section[0].counts, [0, 0, 0, 0, 1, 0, 5]);

    // Appendix: every article of the day.
    assert_eq!(r.articles.len(), 9);
    assert_eq!(r.articles[0].id, id("a7"));

    // Renderings.
    let html = render_html(&r);
    let md = render_markdown(&r);
    std::fs::write(dir.join("daily.html"), &html).unwrap();
    std::fs::write(dir.join("daily.md"), &md).unwrap();
    assert!(!html.contains("<script>alert"), "unescaped title in html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;快递包裹丢失无人管"));
    assert!(!md.contains("<script>"), "unescaped title in markdown");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;快递包裹丢失无人管"));
    for h in [
        "一、舆情概况",
        "二、宣传要点报道情况",
        "（一）行业发展",
        "（二）安全监管",
        "（三）国际合作",
        "三、宣传薄弱环节",
        "四、热词",
        "五、舆情走势",
        "附录：本期报道清单（9 篇）",
    ] {
        assert!(html.contains(h), "html lacks {h}");
        assert!(md.contains(h), "markdown lacks {h}");
    }
    let gaps_html = section_text(&html, "三、宣传薄弱环节", "四、热词");
    assert!(
        gaps_html.contains("4．绿盾工程（安全监管）")
            && gaps_html.contains("5．万国邮联（国际合作）")
    );
    assert!(!gaps_html.contains("快递进村"));
    let gaps_md = section_text(&md, "三、宣传薄弱环节", "四、热词");
    assert!(
        gaps_md.contains("- 4．绿盾工程（安全监管）")
            && gaps_md.contains("- 5．万国邮联（国际合作）")
    );
    for k in ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"] {
        assert!(
            html.contains(&format!("href=\"{}\"", url(k))),
            "html lacks link {k}"
        );
        assert!(
            md.contains(&format!("]({})", url(k))),
            "markdown lacks link {k}"
        );
    }
    assert!(!html.contains(&url("a11")) && !html.contains(&url("a10")));
    assert!(html.contains("<svg") && html.contains("<style>") && !html.contains("<link "));
    assert!(html.contains(
        "<td class=\"n\">9</td><td class=\"n\">1</td><td class=\"n\">+8（+800.0%）</td>"
    ));
    assert!(html.contains("统计时段：2026年11月26日（北京时间，对比上期：2026年11月25日）"));
    assert!(md.contains("| 报道量（篇） | 9 | 1 | +8（+800.0%） |"));

    // Determinism: a second load and build an hour later differ only in the 生成时间 line.
    let input2 = ReportInput::load(&store, &themes, Period::daily(day)).unwrap();
    let r2 = Report::build(
        &input2,
        &themes,
        Utc.with_ymd_and_hms(2026, 11, 27, 1, 5, 0).unwrap(),
    );
    let html2 = render_html(&r2);
    let d = differing_lines(&html, &html2);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].0.contains("生成时间：2026-11-27 08:05")
            && d[0].1.contains("生成时间：2026-11-27 09:05")
    );
    let md2 = render_markdown(&r2);
    let d = differing_lines(&md, &md2);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].0.starts_with("生成时间"));

    // Office formats, opened by independent readers.
    let docx = render_docx(&r).unwrap();
    // The same report gives the same bytes, also on a second rendering in one process
    // (docx-rs numbers images and hyperlinks from process-wide counters).
    assert!(
        render_docx(&r).unwrap() == docx,
        "docx bytes differ between two renderings"
    );
    let xlsx = render_xlsx(&r).unwrap();
    check_xlsx_overview(&xlsx, Period::daily(day));
    assert_eq!(&docx[..2], b"PK");
    assert_eq!(&xlsx[..2], b"PK");
    let docx_path = dir.join("daily.docx");
    let xlsx_path = dir.join("daily.xlsx");
    std::fs::write(&docx_path, &docx).unwrap();
    std::fs::write(&xlsx_path, &xlsx).unwrap();
    let Some(v) = office_check(&docx_path, &xlsx_path) else {
        return;
    };
    let heads: Vec<&str> = v["docx"]["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        heads,
        [
            "测试宣传要点舆情日报",
            "一、舆情概况",
            "倾向性分布",
            "媒体层级分布",
            "二、宣传要点报道情况",
            "（一）行业发展",
            "（二）安全监管",
            "（三）国际合作",
            "三、宣传薄弱环节",
            "四、热词",
            "五、舆情走势"
        ]
    );
    assert_eq!(v["docx"]["inline_shapes"], 2);
    assert_eq!(v["docx"]["png_magic"][0], "89504e470d0a1a0a");
    // Word-strict validity: unique drawing ids, a default paragraph style with the East
    // Asian font, schema child order, hyperlink relationships in document order.
    assert_eq!(v["docx"]["doc_pr_ids"], serde_json::json!([1, 2]));
    assert_eq!(
        v["docx"]["default_style"],
        serde_json::json!({"name": "Normal", "east_asia": "Microsoft YaHei"})
    );
    assert_eq!(v["docx"]["unstyled_paragraphs"], 0);
    // One default paragraph style: docx-rs writes its own empty `Normal` before ours.
    assert_eq!(
        v["docx"]["default_paragraph_styles"],
        serde_json::json!(["Normal"])
    );
    assert_eq!(v["docx"]["normal_styles"], 1);
    // Charts as wide as the text (A4 11906 − 2 × 1701 twips × 635 EMU), never wider,
    // with the PNG's aspect ratio (to within one EMU of rounding).
    let text_w = v["docx"]["text_width_emu"].as_u64().unwrap();
    assert_eq!(text_w, (11906 - 2 * 1701) * 635);
    let extents = v["docx"]["picture_extents"].as_array().unwrap();
    let sizes = v["docx"]["png_sizes"].as_array().unwrap();
    assert_eq!(extents.len(), 2);
    assert_eq!(sizes.len(), 2);
    for (e, px) in extents.iter().zip(sizes) {
        let (cx, cy) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
        let (pw, ph) = (px[0].as_u64().unwrap(), px[1].as_u64().unwrap());
        assert!(cx <= text_w && cx == text_w, "{e} vs text width {text_w}");
        assert!((cy * pw).abs_diff(cx * ph) <= pw, "{e} vs png {px}");
    }
    assert_eq!(v["docx"]["order_errors"], serde_json::json!([]));
    let link_ids: Vec<&str> = v["docx"]["hyperlink_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(!link_ids.is_empty());
    let mut first_seen: Vec<&str> = Vec::new();
    for l in &link_ids {
        if !first_seen.contains(l) {
            first_seen.push(l);
        }
    }
    assert_eq!(v["docx"]["hyperlink_rels"], serde_json::json!(first_seen));
    assert!(
        v["docx"]["east_asia_fonts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "Microsoft YaHei")
    );
    let paras: Vec<&str> = v["docx"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        paras.contains(&"4．绿盾工程（安全监管）") && paras.contains(&"5．万国邮联（国际合作）")
    );
    let tables = v["docx"]["tables"].as_array().unwrap();
    assert_eq!(
        tables[0][1],
        serde_json::json!(["报道量（篇）", "9", "1", "+8（+800.0%）"])
    );
    let neg_table = tables.iter().find(|t| t[0][6] == "依据").unwrap();
    assert_eq!(neg_table[1][0], SCRIPT_TITLE);
    assert_eq!(neg_table[1][6], "丢失、无人管");

    let rows = v["xlsx"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10); // header + 9 articles
    assert_eq!(rows[0][0], "发布时间");
    assert_eq!(rows[0][9], "链接");
    assert_eq!(v["xlsx"]["autofilter"], "A1:L10");
    assert_eq!(v["xlsx"]["freeze_panes"], "A2");
    let a5 = rows.iter().find(|r| r[10] == id("a5").as_str()).unwrap();
    assert_eq!(a5[1], SCRIPT_TITLE);
    assert_eq!(a5[4], "自媒体");
    assert_eq!(a5[5], "s2 安全监管；s2.i3 寄递安全");
    assert_eq!(a5[6], "负面");
    assert_eq!(a5[7], -0.8);
    assert_eq!(a5[8], 1);
    assert_eq!(a5[9], url("a5"));
    assert_eq!(a5[0], "2026-11-26 20:00");
    let a9 = rows.iter().find(|r| r[10] == id("a9").as_str()).unwrap();
    assert_eq!((a9[6].as_str(), a9[7].as_str()), (Some("未分析"), Some("")));

    // The overview and plan-coverage sheets, through openpyxl.
    assert_eq!(v["xlsx"]["sheets"], serde_json::json!(XLSX_SHEETS));
    let overview = v["xlsx"]["overview"].as_array().unwrap();
    let total = overview.iter().find(|r| r[0] == "报道量（篇）").unwrap();
    assert_eq!(
        (&total[1], &total[2]),
        (&serde_json::json!(9), &serde_json::json!(1))
    );
    assert_eq!(overview[4][1], "本期已结束");
    let cov = v["xlsx"]["coverage"].as_array().unwrap();
    // Header + 3 sections + 5 items.
    assert_eq!(cov.len(), 9);
    assert_eq!(v["xlsx"]["coverage_autofilter"], "A1:J9");
    assert_eq!(v["xlsx"]["coverage_freeze_panes"], "A2");
    let at = |key: &str| cov.iter().position(|r| r[9] == key).unwrap();
    assert_eq!(cov[at("s2.i3")][7], serde_json::json!(2.0 / 3.0));
    let styles = v["xlsx"]["coverage_styles"].as_array().unwrap();
    // styles has no header row: data row k is styles[k - 1]. Sections bold, items not.
    assert_eq!(styles[at("s2") - 1], serde_json::json!([true, "0.0%"]));
    assert_eq!(styles[at("s2.i3") - 1], serde_json::json!([false, "0.0%"]));
}

/// The expected `(articles, stories, negative)` of `period` straight from the fixtures,
/// over the articles matching `theme` (every article when `None`).
fn expected_counts(period: Period, theme: Option<&str>) -> (u64, u64, u64) {
    let fx: Vec<Fx> = fixtures()
        .into_iter()
        .filter(|f| period.contains(f.at) && theme.is_none_or(|t| f.themes.contains(&t)))
        .collect();
    let stories: std::collections::BTreeSet<&str> =
        fx.iter().map(|f| f.cluster.unwrap_or(f.key)).collect();
    let negative = fx
        .iter()
        .filter(|f| matches!(f.sentiment, Some((SentimentLabel::Negative, _))))
        .count();
    (fx.len() as u64, stories.len() as u64, negative as u64)
}

/// The workbook's sheets (name, rows of cells) in order, read with calamine.
fn read_xlsx(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            // Rows from A1 (every sheet writes A1), so row and column indices are absolute.
            assert_eq!(range.start(), Some((0, 0)), "sheet {n}");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (n, rows)
        })
        .collect()
}

fn num(x: u64) -> Data {
    Data::Float(x as f64)
}

fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

/// The `概览` and `计划覆盖` sheets of a report over the fixtures, read with calamine:
/// sheet order, totals, splits, item counts and gaps, against counts taken from the
/// fixtures themselves.
fn check_xlsx_overview(xlsx: &[u8], period: Period) {
    let sheets = read_xlsx(xlsx);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, XLSX_SHEETS);
    assert_eq!(names, ["概览", "计划覆盖", "报道清单", "热词"]);
    let ov = &sheets[0].1;
    let row = |label: &str| {
        ov.iter()
            .find(|r| r.first() == Some(&text(label)))
            .unwrap_or_else(|| panic!("概览 has no row {label}: {ov:?}"))
    };
    let (articles, stories, negative) = expected_counts(period, None);
    let (prev_articles, _, _) = expected_counts(period.previous(), None);
    assert_eq!(ov[0][0], text("测试宣传要点舆情日报"));
    assert_eq!(
        row("统计时段")[1],
        text(&format!("{}（北京时间）", period.label_zh()))
    );
    assert_eq!(row("统计状态")[1], text("本期已结束"));
    let total = row("报道量（篇）");
    assert_eq!(
        total[1..4],
        [
            num(articles),
            num(prev_articles),
            Data::Float(articles as f64 - prev_articles as f64)
        ]
    );
    assert_eq!(
        total[4],
        Data::Float((articles as f64 - prev_articles as f64) / prev_articles as f64)
    );
    assert_eq!(row("事件数（个）")[1], num(stories));
    let neg = row("负面报道（篇）");
    assert_eq!(neg[1], num(negative));
    assert_eq!(neg[4], text("上期为0")); // no negative article the day before
    // Sentiment and tier splits: counts and shares of the period's articles.
    let in_period: Vec<Fx> = fixtures()
        .into_iter()
        .filter(|f| period.contains(f.at))
        .collect();
    let positive = in_period
        .iter()
        .filter(|f| matches!(f.sentiment, Some((SentimentLabel::Positive, _))))
        .count() as u64;
    assert!(positive > 0);
    assert_eq!(
        row("正面")[1..3],
        [
            num(positive),
            Data::Float(positive as f64 / articles as f64)
        ]
    );
    assert_eq!(
        row("负面")[1..3],
        [
            num(negative),
            Data::Float(negative as f64 / articles as f64)
        ]
    );
    let central = in_period.iter().filter(|f| f.tier == Tier::Central).count() as u64;
    assert_eq!(
        row("央媒")[1..3],
        [num(central), Data::Float(central as f64 / articles as f64)]
    );
    let totals: Vec<&Vec<Data>> = ov
        .iter()
        .filter(|r| r.first() == Some(&text("合计")))
        .collect();
    assert_eq!(totals.len(), 2); // sentiment, tier
    for t in totals {
        assert_eq!(t[1..3], [num(articles), Data::Float(1.0)]);
    }
    // The gap list: 绿盾工程 (item 4 of 安全监管) has no article.
    let gap = row("绿盾工程");
    assert_eq!(gap[1..3], [num(4), text("安全监管")]);

    let cov = &sheets[1].1;
    assert_eq!(
        cov[0][..4],
        [text("编号"), text("名称"), text("层级"), text("所属部分")]
    );
    let line = |id: &str| {
        cov.iter()
            .find(|r| r.get(9) == Some(&text(id)))
            .unwrap_or_else(|| panic!("计划覆盖 has no row {id}"))
    };
    let ids: Vec<&Data> = cov[1..].iter().map(|r| &r[9]).collect();
    assert_eq!(
        ids,
        [
            "s1", "s1.i1", "s1.i2", "s2", "s2.i3", "s2.i4", "s3", "s3.i5"
        ]
        .map(text)
        .iter()
        .collect::<Vec<_>>()
    );
    let (a, st, n) = expected_counts(period, Some("s1.i1"));
    assert!(a > 0);
    assert_eq!(
        line("s1.i1")[..9],
        [
            num(1),
            text("快递进村"),
            text("要点"),
            text("行业发展"),
            num(a),
            num(st),
            num(n),
            Data::Float(n as f64 / a as f64),
            text("有报道")
        ]
    );
    let (a, st, n) = expected_counts(period, Some("s2.i3"));
    assert!(n > 0);
    assert_eq!(
        line("s2.i3")[4..9],
        [
            num(a),
            num(st),
            num(n),
            Data::Float(n as f64 / a as f64),
            text("有报道")
        ]
    );
    let (a, st, n) = expected_counts(period, Some("s2"));
    assert_eq!(
        line("s2")[..9],
        [
            text("二"),
            text("安全监管"),
            text("部分"),
            text("安全监管"),
            num(a),
            num(st),
            num(n),
            Data::Float(n as f64 / a as f64),
            text("有报道")
        ]
    );
    // A gap: no article, no share, marked 空白.
    assert_eq!(
        line("s2.i4")[4..9],
        [num(0), num(0), num(0), Data::Empty, text("空白")]
    );
    assert_eq!(
        line("s3")[4..9],
        [num(0), num(0), num(0), Data::Empty, text("空白")]
    );
    // The article list keeps its place and its header.
    assert_eq!(sheets[2].1.len() as u64, articles + 1);
    assert_eq!(sheets[2].1[0][0], text("发布时间"));
}

#[test]
fn weekly_report_spans_monday_to_sunday() {
    let dir = out_dir();
    let store = build_store(&dir.join("yuqing.sqlite3"));
    let themes = ThemeSet::from_toml_str(THEMES, "themes.toml").unwrap();
    // A Thursday: the week is Monday 11-23 to Sunday 11-29.
    let period = Period::weekly(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    let input = ReportInput::load(&store, &themes, period).unwrap();
    let r = Report::build(
        &input,
        &themes,
        Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap(),
    );
    // a1..a13 (a13 by its fetch time, having no publish time).
    assert_eq!(r.overview.articles, 13);
    assert_eq!(r.overview.articles_change.previous, 1); // a14
    assert_eq!(r.title, "舆情周报");
    assert_eq!(r.period.label_zh(), "2026年11月23日至11月29日");
    // a11 (00:00 on 11-27) is a reprint of a1 within the week now: 3 reprints.
    assert_eq!(r.sections[0].top_stories[0].reprints, 3);
    assert_eq!(r.sections[0].top_stories[0].articles.len(), 4);
    let s2 = &r.sections[1];
    let neg: Vec<(&str, f32)> = s2
        .negative
        .iter()
        .map(|n| (n.story.title.as_str(), n.score))
        .collect();
    assert_eq!(
        neg,
        [(SCRIPT_TITLE, -0.8), ("快递网点爆仓 寄递安全隐患", -0.5)]
    );
    assert_eq!(r.trend.days.len(), 7);
    assert_eq!(r.trend.total, [0, 1, 1, 9, 1, 1, 0]);
    let xlsx = render_xlsx(&r).unwrap();
    let docx = render_docx(&r).unwrap();
    let html = render_html(&r);
    std::fs::write(dir.join("weekly.html"), &html).unwrap();
    std::fs::write(dir.join("weekly.md"), render_markdown(&r)).unwrap();
    std::fs::write(dir.join("weekly.xlsx"), &xlsx).unwrap();
    std::fs::write(dir.join("weekly.docx"), &docx).unwrap();
    assert!(html.contains("附录：本期报道清单（13 篇）"));
    let Some(v) = office_check(&dir.join("weekly.docx"), &dir.join("weekly.xlsx")) else {
        return;
    };
    assert_eq!(v["xlsx"]["rows"].as_array().unwrap().len(), 14);
    assert_eq!(v["xlsx"]["autofilter"], "A1:L14");
    let a13 = v["xlsx"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[10] == id("a13").as_str())
        .unwrap()
        .clone();
    assert_eq!(a13[0], "2026-11-28 08:00");
    assert_eq!(v["docx"]["headings"][0], "测试宣传要点舆情周报");
}

/// The text of `word/document.xml` in a docx.
fn docx_xml(docx: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// A weekly report built while its week is still running says so in every format, with
/// the Beijing time the data runs to; built at or after the week's end it does not.
#[test]
fn unfinished_period_is_marked_in_every_format() {
    let dir = out_dir();
    let store = build_store(&dir.join("yuqing.sqlite3"));
    let themes = ThemeSet::from_toml_str(THEMES, "themes.toml").unwrap();
    let week = Period::weekly(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()); // 11-23..11-29
    let input = ReportInput::load(&store, &themes, week).unwrap();
    const LINE: &str = "统计截至 2026-11-28 14:20（北京时间），本期尚未结束；对比上期同一时段（至 2026-11-21 14:20）";

    // Saturday 14:20 Beijing: the week runs until Monday 00:00.
    let saturday = bj(2026, 11, 28, 14, 20);
    let r = Report::build(&input, &themes, saturday);
    assert!(!r.complete);
    assert_eq!(r.data_until, saturday);
    assert_eq!(unfinished_line(&r).as_deref(), Some(LINE));
    // Compared with the same part of the week before (to Saturday 11-21 14:20): a14 (11-18).
    assert_eq!(r.previous_until, bj(2026, 11, 21, 14, 20));
    assert_eq!(r.overview.articles_change.previous, 1);
    // On Tuesday noon the week before is cut at Tuesday 11-17 noon: a14 is not in it yet.
    let tuesday = Report::build(&input, &themes, bj(2026, 11, 24, 12, 0));
    assert_eq!(tuesday.previous_until, bj(2026, 11, 17, 12, 0));
    assert_eq!(tuesday.overview.articles_change.previous, 0);
    let html = render_html(&r);
    let period_at = html.find("统计时段：2026年11月23日至11月29日").unwrap();
    let line_at = html
        .find(&format!("<p class=\"meta unfinished\">{LINE}</p>"))
        .unwrap();
    let overview_at = html.find("一、舆情概况").unwrap();
    assert!(
        period_at < line_at && line_at < overview_at,
        "the line follows the period"
    );
    let md = render_markdown(&r);
    let md_lines: Vec<&str> = md.lines().filter(|l| !l.is_empty()).collect();
    assert!(md_lines[1].starts_with("统计时段："), "{md_lines:?}");
    assert_eq!(md_lines[2], format!("**{LINE}**"));
    let docx = render_docx(&r).unwrap();
    let xml = docx_xml(&docx);
    let (p, l) = (xml.find("统计时段：").unwrap(), xml.find(LINE).unwrap());
    assert!(p < l && l < xml.find("一、舆情概况").unwrap());
    let sheets = read_xlsx(&render_xlsx(&r).unwrap());
    let status = sheets[0]
        .1
        .iter()
        .find(|r| r[0] == text("统计状态"))
        .unwrap();
    assert_eq!(status[1], text(LINE));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["complete"], false);
    assert_eq!(json["data_until"], "2026-11-28T06:20:00Z");
    std::fs::write(dir.join("unfinished.html"), &html).unwrap();
    std::fs::write(dir.join("unfinished.docx"), &docx).unwrap();

    // One minute before the week's end: still running, the data runs to Sunday 23:59.
    let r = Report::build(&input, &themes, bj(2026, 11, 29, 23, 59));
    assert!(!r.complete);
    assert_eq!(
        unfinished_line(&r).as_deref(),
        Some(
            "统计截至 2026-11-29 23:59（北京时间），本期尚未结束；对比上期同一时段（至 2026-11-22 23:59）"
        )
    );

    // At the week's end (Monday 00:00 Beijing) and later: complete, no line anywhere.
    for at in [bj(2026, 11, 30, 0, 0), bj(2026, 12, 7, 9, 0)] {
        let r = Report::build(&input, &themes, at);
        assert!(r.complete);
        assert_eq!(r.data_until, week.end());
        assert_eq!(unfinished_line(&r), None);
        assert!(!render_html(&r).contains("尚未结束"));
        assert!(!render_markdown(&r).contains("尚未结束"));
        assert!(!docx_xml(&render_docx(&r).unwrap()).contains("尚未结束"));
        let sheets = read_xlsx(&render_xlsx(&r).unwrap());
        let status = sheets[0]
            .1
            .iter()
            .find(|r| r[0] == text("统计状态"))
            .unwrap();
        assert_eq!(status[1], text("本期已结束"));
        assert_eq!(serde_json::to_value(&r).unwrap()["complete"], true);
    }

    // A daily report of the day it is built on.
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let input = ReportInput::load(&store, &themes, Period::daily(day)).unwrap();
    let r = Report::build(&input, &themes, bj(2026, 11, 26, 9, 5));
    assert!(!r.complete);
    assert!(
        render_markdown(&r).contains("**统计截至 2026-11-26 09:05（北京时间），本期尚未结束；对比上期同一时段（至 2026-11-25 09:05）**")
    );
}

/// Runs `tests/check_office.py`; `None` (after printing SKIPPED) when python-docx or
/// openpyxl is not installed.
fn office_check(docx: &Path, xlsx: &Path) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/check_office.py");
    let out = match Command::new("python3")
        .arg(script)
        .arg(docx)
        .arg(xlsx)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!(
                "SKIPPED: python-docx/openpyxl not installed (pip install python-docx openpyxl): python3: {e}"
            );
            return None;
        }
    };
    if out.status.code() == Some(3) {
        println!("SKIPPED: python-docx/openpyxl not installed (pip install python-docx openpyxl)");
        return None;
    }
    assert!(
        out.status.success(),
        "check_office.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The hot words in the HTML, Markdown and Word reports carry the number of articles
/// (报道数, `山货（3 篇）`), not the raw term count: one page repeating 包裹 600 times shows
/// `包裹（1 篇）` (a trial's list read `邮政（60008）`). The Excel sheet keeps both, labelled.
#[test]
fn hot_words_show_articles_not_raw_counts() {
    let store = Store::open_in_memory().unwrap();
    let themes = ThemeSet::from_toml_str(THEMES, "themes.toml").unwrap();
    let spam = format!("转载页面。{}", "包裹，".repeat(600));
    let docs = [
        ("h1", "农村电商报道一", "山货进城，农户增收。".to_string()),
        ("h2", "农村电商报道二", "山货上行，物流提速。".to_string()),
        ("h3", "农村电商报道三", "山货出山，村民点赞。".to_string()),
        ("h4", "转载页面", spam),
    ];
    for (i, (key, title, body)) in docs.iter().enumerate() {
        let at = bj(2026, 11, 26, 9 + i as u32, 0);
        let article = Article {
            id: id(key),
            source: "src-commercial".into(),
            tier: Tier::Commercial,
            url: url(key),
            canonical_url: url(key),
            site: "商业媒体".into(),
            title: (*title).to_string(),
            author: None,
            editor: None,
            published_at: Some(at),
            date_source: DateSource::Meta,
            body: body.clone(),
            fetched_at: at,
        };
        let analysis = Analysis {
            themes: Vec::new(),
            sentiment: None,
            fingerprint: None,
            cluster: None,
        };
        store.upsert_analyzed([(&article, &analysis)]).unwrap();
    }
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let input = ReportInput::load(&store, &themes, Period::daily(day)).unwrap();
    let r = Report::build(&input, &themes, bj(2026, 11, 27, 8, 0));
    let word = |w: &str| {
        r.hot_words
            .iter()
            .find(|h| h.word == w)
            .unwrap_or_else(|| panic!("{w} not a hot word: {:?}", r.hot_words))
    };
    assert_eq!((word("包裹").tf, word("包裹").articles), (600, 1));
    assert_eq!((word("山货").tf, word("山货").articles), (3, 3));

    let note = "按 TF-IDF 排序（背景文档 4 篇），括号内为提及该词的报道篇数";
    let md = render_markdown(&r);
    let md_words = section_text(&md, "## 四、热词", "## 五、");
    assert!(md_words.contains(&format!("{note}：")), "{md_words}");
    assert!(md_words.contains("山货（3 篇）") && md_words.contains("包裹（1 篇）"));
    assert!(!md_words.contains("600"), "{md_words}");
    let html = render_html(&r);
    let html_words = section_text(&html, "四、热词", "五、舆情走势");
    assert!(html_words.contains(note), "{html_words}");
    assert!(
        html_words.contains("<span>山货（3 篇）</span>"),
        "{html_words}"
    );
    assert!(
        html_words.contains("<span>包裹（1 篇）</span>"),
        "{html_words}"
    );
    assert!(!html_words.contains("600"), "{html_words}");
    let xml = docx_xml(&render_docx(&r).unwrap());
    let docx_words = section_text(&xml, "四、热词", "五、舆情走势");
    assert!(docx_words.contains(note), "{docx_words}");
    assert!(docx_words.contains("山货（3 篇）") && docx_words.contains("包裹（1 篇）"));
    assert!(!docx_words.contains("600"), "{docx_words}");

    // Excel: 词频 is the raw count, 报道数 the articles, each under its label.
    let sheets = read_xlsx(&render_xlsx(&r).unwrap());
    let (_, rows) = sheets.iter().find(|(n, _)| n == "热词").unwrap();
    assert_eq!(rows[0][..3], [text("热词"), text("词频"), text("报道数")]);
    let row = |w: &str| rows.iter().find(|r| r[0] == text(w)).unwrap();
    assert_eq!(row("包裹")[1..3], [num(600), num(1)]);
    assert_eq!(row("山货")[1..3], [num(3), num(3)]);
}
