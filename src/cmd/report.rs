//! `yuqing report daily|weekly`: the guidance report (舆情报告) in HTML, Markdown, Word, Excel.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use yuqing_config::Config;
use yuqing_report::{
    Period, PeriodKind, Report, ReportInput, beijing_time_str, render_docx, render_html,
    render_markdown, render_xlsx,
};
use yuqing_store::Store;
use yuqing_text::Segmenter;
use yuqing_themes::ThemeSet;

use crate::Failure;
use crate::cli::{ReportArgs, ReportFormatArg, ReportKindArg};
use crate::time::beijing;

/// Builds the report of the chosen period and writes each format to `--out`, printing the
/// paths. Files are named `<daily|weekly>-<first day>.<ext>` and written via a temporary file
/// and a rename, so a reader never sees half a report.
pub fn report(config_path: &Path, args: &ReportArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    // One clock for the default date and the report's 生成时间 / unfinished-period mark.
    let now = Utc::now();
    let period = report_period_at(args.kind, args.date.as_deref(), now)?;
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.data_dir.join("reports"));
    let written = write_report_at(&config, &segmenter, period, &args.format, &out, now)?;
    for path in &written.paths {
        println!("{}", path.display());
    }
    eprintln!("{}", written.describe());
    Ok(ExitCode::SUCCESS)
}

/// The period `yuqing report` run at `now` covers: [`yuqing_report::report_period`] with
/// today = the Beijing day of `now`: the day or Monday–Sunday week containing `--date`
/// (an unfinished one is marked in the report), else yesterday (daily) or the most recent
/// Monday–Sunday week that has ended in Beijing (weekly: on a Tuesday, the week before last
/// Monday, not the running one). `yuqing serve`'s weekly job uses the same default.
///
/// Errors (usage, exit 2): a value that is not `YYYY-MM-DD`, a day that does not exist
/// (`2026-02-30`), or a day after today (its period has not happened yet).
pub fn report_period_at(
    kind: ReportKindArg,
    date: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Period, Failure> {
    let today = now.with_timezone(&beijing()).date_naive();
    let kind = match kind {
        ReportKindArg::Daily => PeriodKind::Daily,
        ReportKindArg::Weekly => PeriodKind::Weekly,
    };
    yuqing_report::report_period(kind, date, today)
        .map_err(|e| Failure::usage(anyhow::anyhow!("--date {e}")))
}

/// What [`write_report`] wrote.
#[derive(Debug, Clone)]
pub struct WrittenReport {
    /// The period reported on.
    pub period: Period,
    /// One file per format, in the order asked.
    pub paths: Vec<PathBuf>,
    /// Articles in the period.
    pub articles: u64,
    /// Distinct stories (reprint clusters) in the period.
    pub stories: u64,
    /// Plan items without coverage (宣传薄弱环节).
    pub gaps: usize,
    /// False when the period was still running when the report was built
    /// ([`yuqing_report::Report::complete`]).
    pub complete: bool,
    /// The instant the report's data runs to: the period's end, or the build time when
    /// the period was still running.
    pub data_until: DateTime<Utc>,
}

impl WrittenReport {
    /// One line: `舆情日报 2024年5月12日: 12 articles, 9 stories, 20 plan items without
    /// coverage`, followed by `; period not over yet, data until 2024-05-12 14:20 (Beijing
    /// time)` when the period was still running.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "{} {}: {} articles, {} stories, {} plan items without coverage",
            self.period.title_zh(),
            self.period.label_zh(),
            self.articles,
            self.stories,
            self.gaps
        );
        if !self.complete {
            line.push_str(&format!(
                "; period not over yet, data until {} (Beijing time)",
                beijing_time_str(self.data_until)
            ));
        }
        line
    }
}

/// [`write_report_at`] generated now (`Utc::now()`); used by `yuqing serve`'s scheduled
/// reports.
pub fn write_report(
    config: &Config,
    segmenter: &Segmenter,
    period: Period,
    formats: &[ReportFormatArg],
    out: &Path,
) -> Result<WrittenReport, Failure> {
    write_report_at(config, segmenter, period, formats, out, Utc::now())
}

/// Builds the report of `period` from `<data dir>/yuqing.sqlite3` and the themes file,
/// generated at `now` (its 生成时间; a period not over by `now` is marked 本期尚未结束), and
/// writes each of `formats` (duplicates written once) into `out` (created if needed) as
/// `<daily|weekly>-<first day>.<ext>`, each via a hidden temporary file and a rename. Prints
/// nothing; used by `yuqing report`. Blocking (SQLite, rendering): call it off the async
/// runtime.
///
/// Errors: no store yet (names the file and says to run `yuqing run`), an unreadable themes
/// file, a store, rendering or file-system error naming the path.
pub fn write_report_at(
    config: &Config,
    segmenter: &Segmenter,
    period: Period,
    formats: &[ReportFormatArg],
    out: &Path,
    now: DateTime<Utc>,
) -> Result<WrittenReport, Failure> {
    let themes = ThemeSet::load(&config.themes_file)?;
    let db = config.data_dir.join("yuqing.sqlite3");
    if !db.exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no store at {}: run `yuqing run` first",
            db.display()
        )));
    }
    let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let input = ReportInput::load(&store, &themes, period)?;
    let report = Report::build_with(&input, &themes, Some(segmenter), now);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let stem = format!(
        "{}-{}",
        match period.kind {
            PeriodKind::Daily => "daily",
            PeriodKind::Weekly => "weekly",
        },
        period.first_day.format("%Y-%m-%d")
    );
    let mut done: Vec<ReportFormatArg> = Vec::new();
    let mut paths = Vec::new();
    for &f in formats {
        if done.contains(&f) {
            continue;
        }
        done.push(f);
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
        paths.push(path);
    }
    Ok(WrittenReport {
        period,
        paths,
        articles: report.overview.articles,
        stories: report.overview.stories,
        gaps: report.gaps.len(),
        complete: report.complete,
        data_until: report.data_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// `h:m` Beijing time on `d` (UTC+8), as the UTC instant `yuqing report` would see.
    fn beijing_at(d: &str, h: u32, m: u32) -> DateTime<Utc> {
        let t = day(d).and_hms_opt(h, m, 0).unwrap().and_utc();
        t - chrono::Duration::hours(8)
    }

    #[test]
    fn default_weekly_is_the_last_ended_week_and_daily_yesterday() {
        use ReportKindArg::{Daily, Weekly};
        for (now, weekly_first, daily) in [
            // Monday 00:30: the week 11-23..11-29 ended half an hour ago.
            (beijing_at("2026-11-30", 0, 30), "2026-11-23", "2026-11-29"),
            // Tuesday (the trial's case): not the running week of 11-30.
            (beijing_at("2026-12-01", 9, 0), "2026-11-23", "2026-11-30"),
            // Sunday 23:59: the week of 11-30 has a minute to go.
            (beijing_at("2026-12-06", 23, 59), "2026-11-23", "2026-12-05"),
            // Monday 00:00 Beijing (Sunday 16:00 UTC): now it has ended.
            (beijing_at("2026-12-07", 0, 0), "2026-11-30", "2026-12-06"),
        ] {
            let w = report_period_at(Weekly, None, now).unwrap();
            assert_eq!(w.kind, PeriodKind::Weekly);
            assert_eq!(w.first_day, day(weekly_first), "weekly at {now}");
            assert!(w.end() <= now, "weekly at {now}: {w:?} is not over");
            let d = report_period_at(Daily, None, now).unwrap();
            assert_eq!(d, Period::daily(day(daily)), "daily at {now}");
        }
        // --date keeps its meaning: the week containing it, even one still running.
        let tuesday = beijing_at("2026-12-01", 9, 0);
        let w = report_period_at(Weekly, Some("2026-12-01"), tuesday).unwrap();
        assert_eq!(w.first_day, day("2026-11-30"));
        assert!(w.end() > tuesday);
    }

    #[test]
    fn describe_says_when_the_period_is_not_over() {
        let period = Period::weekly(day("2026-11-26"));
        let mut w = WrittenReport {
            period,
            paths: Vec::new(),
            articles: 13,
            stories: 9,
            gaps: 2,
            complete: true,
            data_until: period.end(),
        };
        assert_eq!(
            w.describe(),
            "舆情周报 2026年11月23日至11月29日: 13 articles, 9 stories, 2 plan items without coverage"
        );
        w.complete = false;
        // 06:20 UTC is 14:20 in Beijing.
        w.data_until = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 6, 20, 0).unwrap();
        assert!(
            w.describe().ends_with(
                "2 plan items without coverage; period not over yet, data until 2026-11-28 14:20 (Beijing time)"
            ),
            "{}",
            w.describe()
        );
    }

    #[test]
    fn bad_dates_are_usage_errors_naming_the_date() {
        let now = beijing_at("2026-11-30", 12, 0);
        let e = report_period_at(ReportKindArg::Weekly, Some("2026-02-30"), now).unwrap_err();
        assert_eq!(e.code, 2);
        let m = format!("{:#}", e.error);
        assert!(m.contains("2026-02-30") && m.contains("no such day"), "{m}");
        let e = report_period_at(ReportKindArg::Daily, Some("2099-01-01"), now).unwrap_err();
        assert_eq!(e.code, 2);
        let m = format!("{:#}", e.error);
        assert!(m.contains("2099-01-01") && m.contains("future"), "{m}");
        let e = report_period_at(ReportKindArg::Daily, Some("30.11.2026"), now).unwrap_err();
        assert!(format!("{:#}", e.error).contains("expected YYYY-MM-DD"));
        let d = report_period_at(ReportKindArg::Daily, Some("2026-11-30"), now).unwrap();
        assert_eq!(d, Period::daily(day("2026-11-30")));
    }
}
