//! `yuqing report daily|weekly`: the guidance report (舆情报告) in HTML, Markdown, Word, Excel.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use yuqing_report::{
    Period, PeriodKind, Report, ReportInput, render_docx, render_html, render_markdown, render_xlsx,
};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

use crate::Failure;
use crate::cli::{ReportArgs, ReportFormatArg, ReportKindArg};
use crate::time::beijing;

/// Builds the report of the chosen period and writes each format to `--out`, printing the
/// paths. Files are named `<daily|weekly>-<first day>.<ext>` and written via a temporary file
/// and a rename, so a reader never sees half a report.
pub fn report(config_path: &Path, args: &ReportArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let today = Utc::now().with_timezone(&beijing()).date_naive();
    let date = match args.date.as_deref() {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| Failure::usage(anyhow::anyhow!("--date {d:?}: expected YYYY-MM-DD")))?,
        None if args.kind == ReportKindArg::Daily => today - Duration::days(1),
        None => today,
    };
    let period = match args.kind {
        ReportKindArg::Daily => Period::daily(date),
        ReportKindArg::Weekly => Period::weekly(date),
    };
    let themes = ThemeSet::load(&config.themes_file)?;
    let db = config.data_dir.join("yuqing.sqlite3");
    if !db.exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no store at {}: run `yuqing run` first",
            db.display()
        )));
    }
    let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let input = ReportInput::load(&store, &themes, period)?;
    let report = Report::build_with(&input, &themes, Some(&segmenter), Utc::now());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.data_dir.join("reports"));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let stem = format!(
        "{}-{}",
        match period.kind {
            PeriodKind::Daily => "daily",
            PeriodKind::Weekly => "weekly",
        },
        period.first_day.format("%Y-%m-%d")
    );
    let mut formats = args.format.clone();
    formats.dedup();
    for f in formats {
        let (ext, bytes) = match f {
            ReportFormatArg::Html => ("html", render_html(&report).into_bytes()),
            ReportFormatArg::Md => ("md", render_markdown(&report).into_bytes()),
            ReportFormatArg::Docx => ("docx", render_docx(&report)?),
            ReportFormatArg::Xlsx => ("xlsx", render_xlsx(&report)?),
        };
        let path = out.join(format!("{stem}.{ext}"));
        let tmp = out.join(format!(".{stem}.{ext}.tmp"));
        std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    eprintln!(
        "{} {}: {} articles, {} stories, {} plan items without coverage",
        period.title_zh(),
        period.label_zh(),
        report.overview.articles,
        report.overview.stories,
        report.gaps.len()
    );
    Ok(ExitCode::SUCCESS)
}
