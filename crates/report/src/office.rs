//! Word (docx-rs) and Excel (rust_xlsxwriter) renderings.

use docx_rs::{
    AlignmentType, Docx, Hyperlink, HyperlinkType, PageMargin, Paragraph, Pic, Run, RunFonts,
    Style, StyleType, Table, TableCell, TableRow,
};
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use crate::build::{Change, LabelCount, Report, StoryEntry, time_or_dash};
use crate::chart::{ChartKind, svg_to_png, trend_svg};
use crate::period::{beijing_time_str, date_zh};
use crate::render::{
    change_zh, generated_line, heading, hot_word_zh, hot_words_note, period_line, unfinished_line,
    zh_number,
};
use crate::{ReportError, Result};

/// East Asian font named in the Word document (`w:rFonts w:eastAsia`): present on Windows
/// Word; LibreOffice substitutes an installed CJK font (e.g. Noto Sans CJK SC) through
/// fontconfig.
pub const DOCX_EAST_ASIA_FONT: &str = "Microsoft YaHei";
/// Latin font named in the Word document.
pub const DOCX_LATIN_FONT: &str = "Arial";

fn fonts() -> RunFonts {
    RunFonts::new()
        .east_asia(DOCX_EAST_ASIA_FONT)
        .ascii(DOCX_LATIN_FONT)
        .hi_ansi(DOCX_LATIN_FONT)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).fonts(fonts()))
}

fn heading_para(text: &str, level: usize) -> Paragraph {
    para(text).style(&format!("Heading{level}"))
}

fn cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(para(text))
}

fn head_cell(text: &str) -> TableCell {
    TableCell::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(text).bold().fonts(fonts())))
}

fn link_cell(title: &str, url: &str) -> TableCell {
    let p = if url.starts_with("http://") || url.starts_with("https://") {
        Paragraph::new().add_hyperlink(
            Hyperlink::new(url, HyperlinkType::External).add_run(
                Run::new()
                    .add_text(title)
                    .fonts(fonts())
                    .color("0645AD")
                    .underline("single"),
            ),
        )
    } else {
        para(title)
    };
    TableCell::new().add_paragraph(p)
}

fn table(head: &[&str], rows: Vec<Vec<TableCell>>) -> Table {
    let mut all = vec![TableRow::new(head.iter().map(|h| head_cell(h)).collect())];
    all.extend(rows.into_iter().map(TableRow::new));
    Table::new(all)
}

fn story_cells(s: &StoryEntry) -> Vec<TableCell> {
    vec![
        link_cell(&s.title, &s.url),
        cell(&s.site),
        cell(s.tier.label_zh()),
        cell(&time_or_dash(s.time)),
        cell(&s.reprints.to_string()),
    ]
}

/// EMU (English Metric Units) per twip (1/20 pt): 914,400 EMU per inch / 1,440 twips.
const EMU_PER_TWIP: u64 = 635;
/// A4 width in twips (210 mm), the page size docx-rs writes by default, set explicitly.
const PAGE_W_TWIPS: u32 = 11906;
/// A4 height in twips (297 mm).
const PAGE_H_TWIPS: u32 = 16838;
/// Left and right page margins in twips (3 cm, docx-rs's default, set explicitly).
const MARGIN_TWIPS: u32 = 1701;
/// The text width in EMU, which chart pictures are sized to: (11906 − 2 × 1701) twips =
/// 8504 twips ≈ 5.91 in = 5,400,040 EMU.
const TEXT_W_EMU: u64 = (PAGE_W_TWIPS - 2 * MARGIN_TWIPS) as u64 * EMU_PER_TWIP;

/// The report as a Word document: the same sections as [`crate::render_html`] with
/// headings (styles `Heading1`–`Heading3`, named `heading 1`–`heading 3`), tables, the two
/// trend charts as PNG images (rendered with resvg, 2× scale, shown as wide as the text:
/// A4 with 3 cm side margins, 5.91 in, aspect ratio kept), and
/// East Asian fonts set in the document defaults, the default paragraph style `Normal` and
/// every run ([`DOCX_EAST_ASIA_FONT`]). The package is then normalised (schema element
/// order, unique picture ids, hyperlink relationships in document order) so Word opens it
/// without repair and the same report gives the same bytes.
/// The appendix article list is left to the Excel workbook.
///
/// Errors: [`ReportError::Chart`] when a chart cannot be rasterised, [`ReportError::Docx`]
/// when the zip cannot be written.
pub fn render_docx(r: &Report) -> Result<Vec<u8>> {
    let mut d = Docx::new()
        .page_size(PAGE_W_TWIPS, PAGE_H_TWIPS)
        .page_margin(
            PageMargin::new()
                .left(MARGIN_TWIPS as i32)
                .right(MARGIN_TWIPS as i32),
        )
        .default_fonts(fonts())
        .default_size(21); // 10.5 pt (五号)
    // docx-rs's built-in `Normal` carries no font; ours names the East Asian font and
    // `docx_fix` marks it the default paragraph style (`w:default="1"`).
    d.styles.styles.retain(|s| s.style_id != "Normal");
    d = d.add_style(
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .fonts(fonts()),
    );
    for (level, size) in [(1usize, 36usize), (2, 30), (3, 26)] {
        d = d.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .size(size)
                .bold()
                .fonts(fonts()),
        );
    }
    let o = &r.overview;
    d = d
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(heading(r)).fonts(fonts()))
                .style("Heading1")
                .align(AlignmentType::Center),
        )
        .add_paragraph(para(&period_line(r)));
    if let Some(line) = unfinished_line(r) {
        d = d.add_paragraph(
            Paragraph::new().add_run(
                Run::new()
                    .add_text(line)
                    .bold()
                    .color("B00000")
                    .fonts(fonts()),
            ),
        );
    }
    d = d
        .add_paragraph(para(&generated_line(r)))
        .add_paragraph(heading_para("一、舆情概况", 2))
        .add_paragraph(para(&format!(
            "本期共监测到相关报道 {} 篇，涉及 {} 个事件（合并转载后）；其中负面报道 {} 篇；未匹配任何宣传要点的报道 {} 篇。",
            o.articles, o.stories, o.negative_change.current, o.unthemed
        )));
    let rows = [
        ("报道量（篇）", &o.articles_change),
        ("事件数（个）", &o.stories_change),
        ("负面报道（篇）", &o.negative_change),
    ]
    .iter()
    .map(|(n, c)| {
        vec![
            cell(n),
            cell(&c.current.to_string()),
            cell(&c.previous.to_string()),
            cell(&change_zh(c)),
        ]
    })
    .collect();
    d = d.add_table(table(&["指标", "本期", "上期", "变化"], rows));
    for (title, list) in [
        ("倾向性分布", &o.by_sentiment),
        ("媒体层级分布", &o.by_tier),
    ] {
        let heads: Vec<&str> = list.iter().map(|l| l.label.as_str()).collect();
        let counts = list.iter().map(|l| cell(&l.count.to_string())).collect();
        d = d
            .add_paragraph(heading_para(title, 3))
            .add_table(table(&heads, vec![counts]));
    }
    d = d.add_paragraph(heading_para("二、宣传要点报道情况", 2));
    for s in &r.sections {
        d = d
            .add_paragraph(heading_para(
                &format!("（{}）{}", zh_number(s.number), s.name),
                3,
            ))
            .add_paragraph(para(&format!(
                "本部分报道 {} 篇，事件 {} 个。",
                s.articles, s.stories
            )));
        let rows = s
            .items
            .iter()
            .map(|i| {
                let mark = if i.articles == 0 {
                    "（无报道）"
                } else {
                    ""
                };
                vec![
                    cell(&format!("{}．{}{mark}", i.number, i.name)),
                    cell(&i.articles.to_string()),
                    cell(&i.stories.to_string()),
                ]
            })
            .collect();
        d = d.add_table(table(&["要点", "报道（篇）", "事件（个）"], rows));
        if !s.top_stories.is_empty() {
            let rows = s.top_stories.iter().map(story_cells).collect();
            d = d
                .add_paragraph(para("重点报道："))
                .add_table(table(&["标题", "媒体", "层级", "时间", "转载"], rows));
        }
        if !s.negative.is_empty() {
            let rows = s
                .negative
                .iter()
                .map(|n| {
                    let mut c = story_cells(&n.story);
                    c.push(cell(&format!("{:.2}", n.score)));
                    c.push(cell(&if n.evidence.is_empty() {
                        "（无）".to_string()
                    } else {
                        n.evidence.join("、")
                    }));
                    c
                })
                .collect();
            d = d.add_paragraph(para("负面报道：")).add_table(table(
                &["标题", "媒体", "层级", "时间", "转载", "得分", "依据"],
                rows,
            ));
        }
    }
    d = d.add_paragraph(heading_para("三、宣传薄弱环节", 2));
    if r.gaps.is_empty() {
        d = d.add_paragraph(para("本期各宣传要点均有报道。"));
    } else {
        d = d.add_paragraph(para(&format!(
            "以下 {} 项宣传要点本期无相关报道：",
            r.gaps.len()
        )));
        for g in &r.gaps {
            d = d.add_paragraph(para(&format!(
                "{}．{}（{}）",
                g.number, g.name, g.section_name
            )));
        }
    }
    d = d.add_paragraph(heading_para("四、热词", 2));
    d = d.add_paragraph(para(&if r.hot_words.is_empty() {
        "（本期无热词）".to_string()
    } else {
        let w: Vec<String> = r.hot_words.iter().map(hot_word_zh).collect();
        format!("{}：{}", hot_words_note(r), w.join("、"))
    }));
    d = d
        .add_paragraph(heading_para("五、舆情走势", 2))
        .add_paragraph(para(&format!(
            "{}至{}每日报道量。",
            r.trend
                .days
                .first()
                .map(|x| date_zh(*x))
                .unwrap_or_default(),
            r.trend.days.last().map(|x| date_zh(*x)).unwrap_or_default()
        )));
    for (kind, name, rid) in [
        (ChartKind::Sentiment, "sentiment trend", "rIdImage1"),
        (ChartKind::Sections, "section trend", "rIdImage2"),
    ] {
        let (png, w, h) = svg_to_png(&trend_svg(&r.trend, kind), 2.0, name)?;
        // Shown as wide as the text, height in proportion (u64: no overflow; the EMU
        // values fit u32 for any chart below ~800 times as tall as wide).
        let show_h = TEXT_W_EMU * u64::from(h) / u64::from(w.max(1));
        let pic =
            // An explicit relationship id: docx-rs's default comes from a process-wide counter.
            Pic::new_with_dimensions(png, w, h).id(rid).size(
                u32::try_from(TEXT_W_EMU).unwrap_or(u32::MAX),
                u32::try_from(show_h).unwrap_or(u32::MAX),
            );
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut buf)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    crate::docx_fix::normalize_docx(&buf.into_inner())
}

/// Excel column headers of [`render_xlsx`], in order.
pub const XLSX_COLUMNS: [&str; 12] = [
    "发布时间",
    "标题",
    "媒体",
    "信源",
    "媒体层级",
    "专题",
    "倾向性",
    "情感得分",
    "转载数",
    "链接",
    "文章ID",
    "事件ID",
];

/// Worksheets of [`render_xlsx`], in workbook order (Excel opens on the first).
pub const XLSX_SHEETS: [&str; 4] = ["概览", "计划覆盖", "报道清单", "热词"];

/// Column headers of the `计划覆盖` sheet of [`render_xlsx`], in order.
pub const XLSX_COVERAGE_COLUMNS: [&str; 10] = [
    "编号",
    "名称",
    "层级",
    "所属部分",
    "报道数",
    "事件数",
    "负面数",
    "负面占比",
    "状态",
    "ID",
];

/// Cell formats shared by the sheets.
struct Formats {
    bold: Format,
    title: Format,
    pct: Format,
    warn: Format,
    section: Format,
    section_pct: Format,
}

impl Formats {
    fn new() -> Formats {
        let fill = Color::RGB(0xE8EEF7);
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            pct: Format::new().set_num_format("0.0%"),
            warn: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0xB00000)),
            section: Format::new().set_bold().set_background_color(fill),
            section_pct: Format::new()
                .set_bold()
                .set_background_color(fill)
                .set_num_format("0.0%"),
        }
    }
}

/// `part / whole` as a fraction for a `0.0%` cell; `None` when `whole` is 0.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A label-count table with shares (`标签 | 报道数 | 占比`) and a `合计` row, from `row`;
/// returns the next free row.
fn share_table(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    head: &str,
    list: &[LabelCount],
    total: u64,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, head, &f.bold)?
        .write_string_with_format(row, 1, "报道数", &f.bold)?
        .write_string_with_format(row, 2, "占比", &f.bold)?;
    let mut at = row + 1;
    for l in list {
        ws.write_string(at, 0, &l.label)?
            .write_number(at, 1, l.count as f64)?;
        if let Some(x) = share(l.count, total) {
            ws.write_number_with_format(at, 2, x, &f.pct)?;
        }
        at += 1;
    }
    ws.write_string_with_format(at, 0, "合计", &f.bold)?
        .write_number_with_format(at, 1, total as f64, &f.bold)?;
    if total > 0 {
        ws.write_number_with_format(at, 2, 1.0, &f.pct)?;
    }
    Ok(at + 2)
}

/// The `概览` sheet: what the HTML and Word reports lead with (see [`render_xlsx`]).
fn overview_sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    let o = &r.overview;
    for (c, w) in [26.0, 12.0, 12.0, 12.0, 12.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.write_string_with_format(0, 0, heading(r), &f.title)?;
    ws.write_string(1, 0, "统计时段")?.write_string(
        1,
        1,
        format!("{}（北京时间）", r.period.label_zh()),
    )?;
    ws.write_string(2, 0, "对比上期")?
        .write_string(2, 1, r.previous.label_zh())?;
    ws.write_string(3, 0, "生成时间")?.write_string(
        3,
        1,
        format!("{}（北京时间）", beijing_time_str(r.generated_at)),
    )?;
    ws.write_string(4, 0, "统计状态")?;
    match unfinished_line(r) {
        Some(line) => ws.write_string_with_format(4, 1, line, &f.warn)?,
        None => ws.write_string(4, 1, "本期已结束")?,
    };
    let mut row = 6;
    for (c, h) in ["指标", "本期", "上期", "增减", "增减幅度"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &f.bold)?;
    }
    let changes: [(&str, &Change); 3] = [
        ("报道量（篇）", &o.articles_change),
        ("事件数（个）", &o.stories_change),
        ("负面报道（篇）", &o.negative_change),
    ];
    for (name, c) in changes {
        row += 1;
        ws.write_string(row, 0, name)?
            .write_number(row, 1, c.current as f64)?
            .write_number(row, 2, c.previous as f64)?
            .write_number(row, 3, c.delta as f64)?;
        match c.percent {
            Some(p) => ws.write_number_with_format(row, 4, p / 100.0, &f.pct)?,
            None => ws.write_string(row, 4, "上期为0")?,
        };
    }
    row += 1;
    ws.write_string(row, 0, "未匹配宣传要点（篇）")?
        .write_number(row, 1, o.unthemed as f64)?;
    row += 2;
    row = share_table(ws, f, row, "倾向性", &o.by_sentiment, o.articles)?;
    row = share_table(ws, f, row, "媒体层级", &o.by_tier, o.articles)?;
    ws.write_string_with_format(
        row,
        0,
        format!("宣传薄弱环节（无报道的要点 {} 项）", r.gaps.len()),
        &f.bold,
    )?;
    row += 1;
    if r.gaps.is_empty() {
        ws.write_string(row, 0, "本期各宣传要点均有报道。")?;
        return Ok(());
    }
    for (c, h) in ["要点", "编号", "所属部分"].iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.bold)?;
    }
    for g in &r.gaps {
        row += 1;
        ws.write_string(row, 0, &g.name)?
            .write_number(row, 1, f64::from(g.number))?
            .write_string(row, 2, &g.section_name)?;
    }
    Ok(())
}

/// The counts of one `计划覆盖` row (a section or an item), in articles of the period.
struct Coverage<'a> {
    articles: u64,
    stories: u64,
    negative: u64,
    id: &'a str,
}

/// Writes the counts and status columns (E–J) of `c` in `row`, cells in `text` format and
/// the negative share in `pct`.
fn coverage_counts(
    ws: &mut Worksheet,
    row: u32,
    c: &Coverage<'_>,
    text: &Format,
    pct: &Format,
) -> Result<(), XlsxError> {
    ws.write_number_with_format(row, 4, c.articles as f64, text)?
        .write_number_with_format(row, 5, c.stories as f64, text)?
        .write_number_with_format(row, 6, c.negative as f64, text)?;
    match share(c.negative, c.articles) {
        Some(x) => ws.write_number_with_format(row, 7, x, pct)?,
        None => ws.write_blank(row, 7, text)?,
    };
    let status = if c.articles == 0 {
        "空白"
    } else {
        "有报道"
    };
    ws.write_string_with_format(row, 8, status, text)?
        .write_string_with_format(row, 9, c.id, text)?;
    Ok(())
}

/// The `计划覆盖` sheet: one row per plan section and item (see [`render_xlsx`]).
fn coverage_sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    for (c, h) in XLSX_COVERAGE_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    for (c, w) in [6.0, 36.0, 6.0, 24.0, 8.0, 8.0, 8.0, 9.0, 8.0, 10.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    // Negative articles of the period, to count each item's (its article ids are kept).
    let negative: std::collections::HashSet<&yuqing_model::ArticleId> = r
        .articles
        .iter()
        .filter(|a| a.sentiment == Some(yuqing_model::SentimentLabel::Negative))
        .map(|a| &a.id)
        .collect();
    let plain = Format::new();
    let mut row = 0u32;
    for s in &r.sections {
        row += 1;
        // A negative story lists the section's negative articles of that story.
        let neg: u64 = s
            .negative
            .iter()
            .map(|n| n.story.articles.len() as u64)
            .sum();
        ws.write_string_with_format(row, 0, zh_number(s.number), &f.section)?
            .write_string_with_format(row, 1, &s.name, &f.section)?
            .write_string_with_format(row, 2, "部分", &f.section)?
            .write_string_with_format(row, 3, &s.name, &f.section)?;
        let c = Coverage {
            articles: s.articles,
            stories: s.stories,
            negative: neg,
            id: &s.id,
        };
        coverage_counts(ws, row, &c, &f.section, &f.section_pct)?;
        for i in &s.items {
            row += 1;
            let neg = i
                .article_ids
                .iter()
                .filter(|id| negative.contains(id))
                .count() as u64;
            ws.write_number(row, 0, f64::from(i.number))?
                .write_string(row, 1, &i.name)?
                .write_string(row, 2, "要点")?
                .write_string(row, 3, &s.name)?;
            let c = Coverage {
                articles: i.articles,
                stories: i.stories,
                negative: neg,
                id: &i.id,
            };
            coverage_counts(ws, row, &c, &plain, &f.pct)?;
        }
    }
    ws.autofilter(0, 0, row, (XLSX_COVERAGE_COLUMNS.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The report as an Excel workbook, sheets in [`XLSX_SHEETS`] order; every count and share
/// is a number cell (shares formatted `0.0%`), so Excel can sort, filter and chart them.
///
/// - `概览` (overview): heading, period and the previous period (Beijing dates), generation
///   time, status (`本期已结束`, or the [`unfinished_line`] in red); the table `指标 | 本期 |
///   上期 | 增减 | 增减幅度` for articles, distinct stories (事件) and negative articles
///   (幅度 `上期为0` when the previous count is 0) and the articles matching no plan item; the
///   sentiment split (正面/中性/负面/未分析) and the media-tier split (央媒/省级/行业/商业/
///   自媒体), each count with its share of the period's articles and a `合计` row; then the
///   gap list (plan items without coverage: name, number, section).
/// - `计划覆盖` (plan coverage): one row per plan section, then its items, in plan order
///   ([`XLSX_COVERAGE_COLUMNS`]): 编号 (section: Chinese numeral as text; item: its number),
///   名称, 层级 (`部分` / `要点`), 所属部分, 报道数, 事件数, 负面数 (negative articles),
///   负面占比 (blank without articles), 状态 (`空白` without articles, else `有报道`), ID;
///   section rows bold on a blue-grey fill; a bold frozen header row and an autofilter.
/// - `报道清单`: every article of the period (no cap; Excel's limit is 1,048,575 rows): a
///   bold header row ([`XLSX_COLUMNS`]), an autofilter over all rows, the header frozen.
///   Times are Beijing-time text (`2026-11-30 08:05`), themes `s4.i10 name` joined by `；`,
///   the score a number (blank when not analysed), URLs as text (no hyperlink length limit).
/// - `热词`: the hot words with term frequency, articles and TF-IDF score.
///
/// Errors: [`ReportError::Xlsx`] naming the sheet when a cell is refused or the workbook
/// cannot be saved.
pub fn render_xlsx(r: &Report) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    let bold = &f.bold;
    let xerr = |sheet: &'static str| move |source| ReportError::Xlsx { sheet, source };
    {
        const SHEET: &str = "概览";
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).map_err(xerr(SHEET))?;
        overview_sheet(ws, r, &f).map_err(xerr(SHEET))?;
    }
    {
        const SHEET: &str = "计划覆盖";
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).map_err(xerr(SHEET))?;
        coverage_sheet(ws, r, &f).map_err(xerr(SHEET))?;
    }
    {
        const SHEET: &str = "报道清单";
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).map_err(xerr(SHEET))?;
        for (c, h) in XLSX_COLUMNS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, bold)
                .map_err(xerr(SHEET))?;
        }
        for (c, w) in [
            17.0, 48.0, 14.0, 14.0, 8.0, 30.0, 8.0, 9.0, 7.0, 40.0, 18.0, 18.0,
        ]
        .iter()
        .enumerate()
        {
            ws.set_column_width(c as u16, *w).map_err(xerr(SHEET))?;
        }
        for (i, a) in r.articles.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(row, 0, beijing_time_str(a.time))
                .and_then(|w| w.write_string(row, 1, &a.title))
                .and_then(|w| w.write_string(row, 2, &a.site))
                .and_then(|w| w.write_string(row, 3, &a.source))
                .and_then(|w| w.write_string(row, 4, a.tier.label_zh()))
                .and_then(|w| w.write_string(row, 5, a.themes.join("；")))
                .and_then(|w| {
                    w.write_string(row, 6, a.sentiment.map_or("未分析", |s| s.label_zh()))
                })
                .and_then(|w| w.write_number(row, 8, a.reprints as f64))
                .and_then(|w| w.write_string(row, 9, &a.url))
                .and_then(|w| w.write_string(row, 10, a.id.as_str()))
                .and_then(|w| w.write_string(row, 11, a.story.as_str()))
                .map_err(xerr(SHEET))?;
            if let Some(s) = a.score {
                // Rounded to 4 decimals so the f32 → f64 widening shows no noise digits.
                let v = (f64::from(s) * 10_000.0).round() / 10_000.0;
                ws.write_number(row, 7, v).map_err(xerr(SHEET))?;
            }
        }
        let last = u32::try_from(r.articles.len()).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, last, (XLSX_COLUMNS.len() - 1) as u16)
            .map_err(xerr(SHEET))?;
        ws.set_freeze_panes(1, 0).map_err(xerr(SHEET))?;
    }
    {
        const SHEET: &str = "热词";
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).map_err(xerr(SHEET))?;
        for (c, h) in ["热词", "词频", "报道数", "TF-IDF"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, bold)
                .map_err(xerr(SHEET))?;
        }
        for (i, w) in r.hot_words.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(row, 0, &w.word)
                .and_then(|x| x.write_number(row, 1, w.tf as f64))
                .and_then(|x| x.write_number(row, 2, w.articles as f64))
                .and_then(|x| x.write_number(row, 3, (w.score * 1000.0).round() / 1000.0))
                .map_err(xerr(SHEET))?;
        }
    }
    wb.save_to_buffer().map_err(xerr("workbook"))
}
