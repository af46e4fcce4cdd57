//! # yuqing-report: what did the media say about the publicity plan this day or week?
//!
//! The guidance report (舆情日报 / 舆情周报) a press office reads every morning, in Chinese,
//! organised by the plan (`themes.toml`):
//!
//! 1. **load** (I/O): [`ReportInput::load`] reads from the [`yuqing_store::Store`] every
//!    article of the [`Period`] (whole Beijing days, `[00:00, 24:00)` +08:00; an article
//!    counts by its publish time, else its fetch time) and of the window before it (the
//!    previous period of equal length for the comparison, the 7 trend days of a daily
//!    report, and [`BACKGROUND_DAYS`] of hot-word background), each with its stored analysis
//!    (themes, sentiment with analysts' corrections, reprint cluster), and the members of
//!    every reprint cluster of the period.
//! 2. **build** (pure, deterministic): [`Report::build`] turns that into a plain serde
//!    record: 一、舆情概况 (articles, distinct stories, by sentiment, by media tier, change
//!    against the previous period), 二、each plan section and item with coverage counts, top
//!    stories (one per reprint cluster, the original = earliest member, ranked by reprints,
//!    then tier, then time, then id) and negative stories with their evidence, 三、the plan
//!    items with no coverage (宣传薄弱环节), 四、hot words (TF-IDF of jieba words, an article
//!    counting once per word, so one long page cannot own them; stop words
//!    removed: [`REPORT_STOP_WORDS`]; listed with the number of articles carrying each,
//!    `山货（3 篇）`, not its raw count), 五、the daily trend per section and sentiment, and an
//!    appendix listing every article. Every count keeps the article ids behind it.
//! 3. **render** (pure): [`render_html`] (one self-contained page, inline CSS and SVG),
//!    [`render_markdown`], [`render_docx`] (Word, charts as PNG via resvg, East Asian fonts
//!    set) and [`render_xlsx`] (every article of the period, no cap). HTML and Markdown are
//!    byte-identical for the same data apart from the one `生成时间` line. A period that
//!    had not ended at the report's `generated_at` ([`Report::complete`] false) carries the
//!    line [`unfinished_line`] (`统计截至 …（北京时间），本期尚未结束`) beside the period in
//!    every format; the Excel workbook leads with the sheets `概览` and `计划覆盖`
//!    ([`XLSX_SHEETS`]).
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use yuqing_report::{Period, Report, ReportInput, render_html, render_markdown};
//! use yuqing_store::Store;
//! use yuqing_themes::ThemeSet;
//!
//! let themes = ThemeSet::from_toml_str(r#"
//! version = 1
//! [[section]]
//! id = "s4"
//! number = 4
//! name = "生态环保"
//! [[item]]
//! id = "s4.i10"
//! section = "s4"
//! number = 10
//! name = "9792工程"
//! any = ["9792"]
//! "#, "themes.toml").unwrap();
//! let store = Store::open_in_memory()?;
//! let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
//! let input = ReportInput::load(&store, &themes, Period::daily(day))?;
//! let report = Report::build(&input, &themes, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
//! assert_eq!(report.overview.articles, 0);
//! assert!(report.complete); // generated the morning after: the day is over
//! assert_eq!(report.gaps[0].name, "9792工程"); // nothing covered it: a gap
//! let html = render_html(&report);
//! assert!(html.contains("宣传薄弱环节") && html.contains("2026年11月30日"));
//! assert!(render_markdown(&report).starts_with("# 舆情日报"));
//! # Ok::<(), yuqing_report::ReportError>(())
//! ```
#![warn(missing_docs)]

mod build;
mod chart;
mod docx_fix;
mod error;
mod input;
mod office;
mod period;
mod render;

pub use build::{
    ArticleRow, Change, Gap, HOT_WORDS, HotWord, ItemCoverage, LabelCount, NegativeStory, Overview,
    REPORT_STOP_WORDS, Report, SectionReport, Series, StoryEntry, TOP_STORIES, Trend,
};
pub use chart::{CHART_FONTS, ChartKind, svg_to_png, trend_svg};
pub use error::{ReportError, Result};
pub use input::{BACKGROUND_DAYS, ReportArticle, ReportInput};
pub use office::{
    DOCX_EAST_ASIA_FONT, DOCX_LATIN_FONT, XLSX_COLUMNS, XLSX_COVERAGE_COLUMNS, XLSX_SHEETS,
    render_docx, render_xlsx,
};
pub use period::{
    BEIJING_OFFSET_SECS, Period, PeriodKind, beijing_day, beijing_time_str, date_zh,
    default_report_date, report_date, report_period,
};
pub use render::{
    change_zh, escape_html, escape_md, generated_line, render_html, render_markdown,
    unfinished_line, zh_number,
};
