//! `yuqing serve`: the long-running service. One tokio runtime runs, until SIGINT or SIGTERM:
//!
//! - the crawl: a pass at start, then one every `schedule.crawl_every_minutes` counted from the
//!   previous start; a pass still running when the next is due is not overlapped (that run is
//!   skipped and logged);
//! - the daily report (舆情日报 of the previous Beijing day), the weekly report (舆情周报 of the
//!   previous Monday–Sunday week) and the alert digest (舆情预警), each at the times of its cron
//!   expression (`schedule.*_cron`, croner syntax, seconds optional) read in `timezone`;
//!   reports in `schedule.report_formats` into `<data dir>/reports`;
//! - the web UI and JSON API on `web.listen` (unless `--no-web`).
//!
//! Blocking work (report rendering, SQLite, SMTP) runs on tokio's blocking pool. Every job run
//! logs one line when it starts and one when it ends (outcome, seconds); a failed job is logged
//! and the schedule goes on.
//!
//! Shutdown: the first SIGINT or SIGTERM stops the scheduling; a crawl pass in flight is
//! cancelled safely ([`yuqing_pipeline::Pipeline::run_pass_with_cancel`]: no new fetch starts,
//! fetches in flight are dropped, the articles already fetched are written whole, the
//! cancelled sources' validators are not saved so the next pass reads them again); report and
//! alert jobs in flight finish; the web server stops accepting and finishes its requests; then
//! the process prints a one-line summary and exits 0. A second signal exits at once with
//! code 130 (SQLite's WAL and tantivy's commits leave both stores consistent even then; an
//! interrupted batch is redone by the next pass).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::ValueEnum;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use yuqing_config::Config;
use yuqing_pipeline::Pipeline;
use yuqing_report::Period;

use crate::Failure;
use crate::cli::ReportFormatArg;
use crate::time::format_beijing;

/// Longest wait for blocking jobs still running when the runtime is dropped after shutdown.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(5);

/// A job started at cron times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKind {
    /// The daily guidance report of the previous Beijing day.
    DailyReport,
    /// The weekly guidance report of the previous week.
    WeeklyReport,
    /// The negative-story alert digest.
    Alert,
}

impl JobKind {
    /// The job's name in log lines and on the start-up schedule.
    fn name(self) -> &'static str {
        match self {
            JobKind::DailyReport => "日报 daily-report",
            JobKind::WeeklyReport => "周报 weekly-report",
            JobKind::Alert => "预警 alert",
        }
    }

    /// The config key holding its cron expression.
    fn key(self) -> &'static str {
        match self {
            JobKind::DailyReport => "schedule.daily_report_cron",
            JobKind::WeeklyReport => "schedule.weekly_report_cron",
            JobKind::Alert => "schedule.alert_cron",
        }
    }
}

/// A cron job: kind, expression as written, and its parsed form (`None` = off).
struct CronJob {
    kind: JobKind,
    expr: String,
    cron: Option<croner::Cron>,
}

/// Counts for the shutdown summary.
#[derive(Default)]
struct Stats {
    passes: AtomicU32,
    passes_cancelled: AtomicU32,
    passes_skipped: AtomicU32,
    reports: AtomicU32,
    alerts: AtomicU32,
    failed: AtomicU32,
}

/// What every job needs; shared by the tasks.
struct Ctx {
    config: Config,
    tz: Tz,
    pipeline: Pipeline,
    formats: Vec<ReportFormatArg>,
    stats: Stats,
}

/// Runs the service until a signal (see the module doc). Exit 0 after a graceful shutdown;
/// 130 on a second signal; errors (exit 1) only at start: invalid config or time zone, the
/// data dir in use by another writing process ([`yuqing_config::DataDirLock`]), store,
/// index or dictionaries that cannot be opened, a signal handler or the web address that
/// cannot be set up.
///
/// The signal handlers are installed first, before the slow start-up (config, lock, store,
/// index, jieba: about a second): a SIGINT or SIGTERM during start-up lets start-up finish,
/// then nothing is scheduled and the process prints its summary and exits 0.
pub fn serve(config_path: &Path, no_web: bool) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let runtime = super::runtime()?;
    let cancel = CancellationToken::new();
    let stopped_by = runtime.block_on(async { watch_signals(cancel.clone()) })?;
    let config = super::load_config(config_path)?;
    let tz: Tz = config.timezone.parse().map_err(|e| {
        anyhow!(
            "{}: timezone {:?} is not an IANA time zone: {e}",
            config.path.display(),
            config.timezone
        )
    })?;
    let jobs = cron_jobs(&config)?;
    let formats = report_formats(&config)?;
    // Held until the process ends: a second `serve`, or `run` beside this one, stops at once.
    let _lock = yuqing_config::DataDirLock::acquire(&config.data_dir, "serve")?;
    let pipeline = Pipeline::open(config.clone())?;
    let ctx = Arc::new(Ctx {
        config,
        tz,
        pipeline,
        formats,
        stats: Stats::default(),
    });
    let result = runtime.block_on(run(Arc::clone(&ctx), jobs, no_web, cancel, stopped_by));
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    let signal_name = result?;
    println!("{}", summary(&ctx.stats, signal_name, started.elapsed()));
    Ok(ExitCode::SUCCESS)
}

/// The service on the runtime: the web server, the schedule print-out and the job tasks
/// (none when `cancel` was already cancelled by a signal during start-up); returns the name
/// of the signal that stopped it once every task has ended.
async fn run(
    ctx: Arc<Ctx>,
    jobs: Vec<CronJob>,
    no_web: bool,
    cancel: CancellationToken,
    stopped_by: tokio::sync::oneshot::Receiver<&'static str>,
) -> Result<&'static str, Failure> {
    if cancel.is_cancelled() {
        tracing::info!("停止 stopping: signalled during start-up, nothing was scheduled");
        return Ok(stopped_by.await.unwrap_or("signal"));
    }
    let web = if no_web {
        None
    } else {
        Some(start_web(&ctx.config, &ctx.pipeline, &cancel).await?)
    };
    print_schedule(&ctx, &jobs, web.as_ref().map(|w| w.0.as_str()));
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    if ctx.config.schedule.crawl_every_minutes > 0 {
        tasks.push(tokio::spawn(crawl_loop(Arc::clone(&ctx), cancel.clone())));
    }
    for job in jobs {
        if let Some(cron) = job.cron {
            tasks.push(tokio::spawn(cron_loop(
                Arc::clone(&ctx),
                job.kind,
                cron,
                cancel.clone(),
            )));
        }
    }
    if let Some((_, handle)) = web {
        tasks.push(handle);
    }
    cancel.cancelled().await;
    tracing::info!("停止 stopping: waiting for the jobs in flight");
    for task in tasks {
        if let Err(e) = task.await {
            tracing::error!("a service task panicked: {e}");
        }
    }
    Ok(stopped_by.await.unwrap_or("signal"))
}

/// Installs the SIGINT and SIGTERM handlers: the first signal cancels `cancel` (its name is
/// sent on the returned channel), a second one exits the process at once with code 130.
fn watch_signals(
    cancel: CancellationToken,
) -> Result<tokio::sync::oneshot::Receiver<&'static str>, Failure> {
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!("{name}: 停止调度 stopping the schedule; a second signal exits at once");
        let _ = tx.send(name);
        cancel.cancel();
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        eprintln!("yuqing serve: second signal: exiting at once (130)");
        std::process::exit(130);
    });
    Ok(rx)
}

/// Starts the web UI and JSON API ([`yuqing_web`]) on `web.listen`, stopping gracefully (no
/// new connections, requests in flight finish) when `cancel` is cancelled; returns its URL and
/// task. The app shares the pipeline's index and segmenter (jieba is loaded once per process)
/// and opens its own store connection (SQLite WAL: its reads never wait for the crawler's
/// writes) and theme set, on the blocking pool.
///
/// Errors: the app cannot be opened (store, index, dictionaries, themes), or the address
/// cannot be bound (the error names the address and the `web.listen` key).
async fn start_web(
    config: &Config,
    pipeline: &Pipeline,
    cancel: &CancellationToken,
) -> Result<(String, JoinHandle<()>), Failure> {
    let addr = config.web.listen;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow!(
            "cannot listen on {addr} (web.listen in {}): {e}",
            config.path.display()
        )
    })?;
    let bound = listener.local_addr().unwrap_or(addr);
    let web_config = config.clone();
    let index = pipeline.index_handle();
    let segmenter = pipeline.segmenter().clone();
    let app = tokio::task::spawn_blocking(move || -> anyhow::Result<yuqing_web::WebApp> {
        let db = web_config.data_dir.join(yuqing_store::DB_FILE_NAME);
        let store =
            yuqing_store::Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
        let themes = yuqing_themes::ThemeSet::load(&web_config.themes_file)?;
        Ok(yuqing_web::WebApp::from_parts(
            web_config,
            index,
            std::sync::Arc::new(store),
            std::sync::Arc::new(themes),
            segmenter,
        ))
    })
    .await
    .map_err(|e| anyhow!("opening the web app: {e}"))?
    .context("opening the web app")?;
    let shutdown = cancel.clone().cancelled_owned();
    let handle = tokio::spawn(async move {
        match yuqing_web::serve(app, listener, shutdown).await {
            Ok(()) => tracing::info!("网页 web: stopped"),
            Err(e) => tracing::error!("网页 web: the server failed: {e}"),
        }
    });
    Ok((format!("http://{bound}/"), handle))
}

/// The parsed `[schedule]` cron expressions, in display order.
fn cron_jobs(config: &Config) -> Result<Vec<CronJob>, Failure> {
    let s = &config.schedule;
    let parser = croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Optional)
        .build();
    [
        (JobKind::DailyReport, &s.daily_report_cron),
        (JobKind::WeeklyReport, &s.weekly_report_cron),
        (JobKind::Alert, &s.alert_cron),
    ]
    .into_iter()
    .map(|(kind, expr)| {
        let expr = expr.trim();
        let cron = if expr.is_empty() {
            None
        } else {
            Some(parser.parse(expr).map_err(|e| {
                anyhow!(
                    "{}: {}: {expr:?} is not a cron expression: {e}",
                    config.path.display(),
                    kind.key()
                )
            })?)
        };
        Ok(CronJob {
            kind,
            expr: expr.to_string(),
            cron,
        })
    })
    .collect()
}

/// `schedule.report_formats` as report formats.
fn report_formats(config: &Config) -> Result<Vec<ReportFormatArg>, Failure> {
    config
        .schedule
        .report_formats
        .iter()
        .map(|f| {
            ReportFormatArg::from_str(f, true).map_err(|_| {
                Failure::from(anyhow!(
                    "{}: schedule.report_formats: {f:?} is not one of html, md, docx, xlsx",
                    config.path.display()
                ))
            })
        })
        .collect()
}

/// The first time `cron` fires strictly after `after`, read in `tz`; `None` when it never
/// does again (an impossible date such as `0 0 31 2 *`).
fn next_run(cron: &croner::Cron, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&after.with_timezone(&tz), false)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Prints what will run when (times in Beijing time) and where the web UI is.
fn print_schedule(ctx: &Ctx, jobs: &[CronJob], web: Option<&str>) {
    let now = Utc::now();
    println!(
        "yuqing serve 定时任务 schedule (cron in {}; times shown in Beijing time):",
        ctx.tz
    );
    match ctx.config.schedule.crawl_every_minutes {
        0 => println!("  {:<22} off", "抓取 crawl"),
        m => println!(
            "  {:<22} every {m} min; first pass now, {} sources",
            "抓取 crawl",
            ctx.config.sources.len()
        ),
    }
    for job in jobs {
        let when = match &job.cron {
            None => "off".to_string(),
            Some(cron) => match next_run(cron, ctx.tz, now) {
                Some(t) => format!("{:?}, next {}", job.expr, format_beijing(&t)),
                None => format!("{:?}, never fires", job.expr),
            },
        };
        println!("  {:<22} {when}", job.kind.name());
    }
    match web {
        Some(url) => println!("网页 web: {url}"),
        None => println!("网页 web: off (--no-web)"),
    }
    println!("yuqing serve: running; stop with Ctrl-C or SIGTERM");
}

/// How often analysts' sentiment corrections (web UI) are written to the index between
/// crawl passes ([`Pipeline::apply_corrections`]; each pass also applies them first).
const CORRECTIONS_EVERY: Duration = Duration::from_secs(60);

/// A pass at start, then one every `crawl_every_minutes` from the previous start, never two
/// at once; between passes, every [`CORRECTIONS_EVERY`], the analysts' corrections are written
/// to the index (never while a pass holds the index writer). On cancellation, waits for the
/// pass in flight (itself cancelled).
async fn crawl_loop(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let every = Duration::from_secs(u64::from(ctx.config.schedule.crawl_every_minutes) * 60);
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut fix_ticker = tokio::time::interval(CORRECTIONS_EVERY);
    fix_ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut current: Option<JoinHandle<()>> = None;
    let mut fixing: Option<JoinHandle<()>> = None;
    loop {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            _ = ticker.tick() => {}
            _ = fix_ticker.tick() => {
                let busy = current.as_ref().is_some_and(|h| !h.is_finished())
                    || fixing.as_ref().is_some_and(|h| !h.is_finished());
                if !busy {
                    fixing = Some(tokio::spawn(apply_corrections(Arc::clone(&ctx))));
                }
                continue;
            }
        }
        // The index has one writer: a corrections job in flight (milliseconds) finishes first.
        if let Some(job) = fixing.take() {
            let _ = job.await;
        }
        if current.as_ref().is_some_and(|h| !h.is_finished()) {
            ctx.stats.passes_skipped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("抓取 crawl: 跳过 skipped: the previous pass is still running");
            continue;
        }
        current = Some(tokio::spawn(crawl_pass(Arc::clone(&ctx), cancel.clone())));
    }
    if let Some(pass) = current
        && let Err(e) = pass.await
    {
        tracing::error!("抓取 crawl: the pass panicked: {e}");
    }
}

/// Writes pending sentiment corrections to the index, logged when there were any.
async fn apply_corrections(ctx: Arc<Ctx>) {
    let pipeline = ctx.pipeline.clone();
    match tokio::task::spawn_blocking(move || pipeline.apply_corrections()).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!("更正 corrections: re-indexed {n} corrected articles"),
        Ok(Err(e)) => tracing::warn!("更正 corrections: not written to the index: {e}"),
        Err(e) => tracing::error!("更正 corrections: the job panicked: {e}"),
    }
}

/// One crawl pass, logged.
async fn crawl_pass(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let started = Instant::now();
    ctx.stats.passes.fetch_add(1, Ordering::Relaxed);
    tracing::info!("抓取 crawl: 开始 started");
    let result = ctx.pipeline.run_pass_with_cancel(&|_| {}, &cancel).await;
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(s) => {
            let failed = s.failed().count();
            let counts = format!(
                "{} new, {} updated, {} unchanged, {} rejected; sources {} ok, {failed} failed",
                s.new,
                s.updated,
                s.unchanged,
                s.rejected,
                s.sources.len() - failed
            );
            if cancel.is_cancelled() {
                ctx.stats.passes_cancelled.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    "抓取 crawl: 已取消 cancelled by shutdown after {seconds:.1} s: {counts} (the rest is read on the next pass)"
                );
            } else if s.all_failed() {
                ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("抓取 crawl: 失败 every source failed after {seconds:.1} s");
            } else {
                tracing::info!("抓取 crawl: 完成 done in {seconds:.1} s: {counts}");
            }
            for r in s.failed().filter(|_| !cancel.is_cancelled()) {
                tracing::warn!(
                    "抓取 crawl: source {} failed: {}",
                    r.id,
                    r.error.as_deref().unwrap_or("")
                );
            }
        }
        Err(e) => {
            ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!("抓取 crawl: 失败 failed after {seconds:.1} s: {e}");
        }
    }
}

/// Runs `kind` at each time `cron` fires until cancelled; a run in flight is awaited, never
/// interrupted. Fire times missed while a run was going on are skipped.
async fn cron_loop(ctx: Arc<Ctx>, kind: JobKind, cron: croner::Cron, cancel: CancellationToken) {
    let mut last: Option<DateTime<Utc>> = None;
    loop {
        let now = Utc::now();
        // Never before the previous fire time: a timer waking a hair early on the wall clock
        // must not run the same occurrence twice.
        let after = last.map_or(now, |l| l.max(now));
        let Some(next) = next_run(&cron, ctx.tz, after) else {
            tracing::warn!("{}: the cron expression never fires again", kind.name());
            return;
        };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        last = Some(next);
        run_job(&ctx, kind, next).await;
    }
}

/// One run of a cron job on the blocking pool, logged; `fired` is the scheduled time (the
/// reports' periods are counted from it, so a late run still reports the intended day).
async fn run_job(ctx: &Arc<Ctx>, kind: JobKind, fired: DateTime<Utc>) {
    let started = Instant::now();
    let today = fired.with_timezone(&crate::time::beijing()).date_naive();
    let period = match kind {
        JobKind::DailyReport => Some(Period::daily(today - chrono::Duration::days(1))),
        JobKind::WeeklyReport => Some(Period::weekly(yuqing_report::default_report_date(
            yuqing_report::PeriodKind::Weekly,
            today,
        ))),
        JobKind::Alert => None,
    };
    let what = match period {
        Some(p) => format!("{} {}", kind.name(), p.first_day.format("%Y-%m-%d")),
        None => kind.name().to_string(),
    };
    tracing::info!("{what}: 开始 started");
    let job_ctx = Arc::clone(ctx);
    let result = tokio::task::spawn_blocking(move || job(&job_ctx, kind, period))
        .await
        .map_err(|e| anyhow!("the job panicked: {e}"))
        .and_then(|r| r.map_err(|f| f.error));
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(JobOutcome::Ok(detail)) => {
            tracing::info!("{what}: 完成 done in {seconds:.1} s: {detail}");
        }
        Ok(JobOutcome::Partly(detail)) => {
            ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("{what}: 部分失败 partly failed after {seconds:.1} s: {detail}");
        }
        Err(e) => {
            ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("{what}: 失败 failed after {seconds:.1} s: {e:#}");
        }
    }
}

/// How a job run ended when it did not fail outright.
enum JobOutcome {
    /// Done; what it did.
    Ok(String),
    /// Done with some part failed (an alert digest not sent); what happened.
    Partly(String),
}

/// The blocking body of a cron job.
fn job(ctx: &Ctx, kind: JobKind, period: Option<Period>) -> Result<JobOutcome, Failure> {
    match (kind, period) {
        (JobKind::DailyReport | JobKind::WeeklyReport, Some(period)) => {
            let out = ctx.config.data_dir.join("reports");
            let written = super::report::write_report(
                &ctx.config,
                ctx.pipeline.segmenter(),
                period,
                &ctx.formats,
                &out,
            )?;
            ctx.stats.reports.fetch_add(1, Ordering::Relaxed);
            Ok(JobOutcome::Ok(format!(
                "{}; {} files in {}",
                written.describe(),
                written.paths.len(),
                out.display()
            )))
        }
        _ => {
            ctx.stats.alerts.fetch_add(1, Ordering::Relaxed);
            let Some(report) = super::alert::send_digests(&ctx.config, false)? else {
                return Ok(JobOutcome::Ok(
                    "no [[mail.recipient]] configured: nothing to send".to_string(),
                ));
            };
            for d in &report.digests {
                tracing::info!("预警 alert: {}", super::alert::describe(d));
            }
            let failed = super::alert::failed(&report);
            let detail = format!(
                "{} digests, {} stories, {failed} failed",
                report.digests.len(),
                report
                    .digests
                    .iter()
                    .map(super::alert::stories)
                    .sum::<usize>()
            );
            Ok(if failed > 0 {
                JobOutcome::Partly(detail)
            } else {
                JobOutcome::Ok(detail)
            })
        }
    }
}

/// `yuqing serve: stopped by SIGTERM after 12.3 s: 2 crawl passes (1 cancelled, 0 skipped), …`.
fn summary(stats: &Stats, signal_name: &str, elapsed: Duration) -> String {
    let n = |a: &AtomicU32| a.load(Ordering::Relaxed);
    format!(
        "yuqing serve: stopped by {signal_name} after {:.1} s: {} crawl passes ({} cancelled, {} skipped), {} reports, {} alert runs, {} failed jobs",
        elapsed.as_secs_f64(),
        n(&stats.passes),
        n(&stats.passes_cancelled),
        n(&stats.passes_skipped),
        n(&stats.reports),
        n(&stats.alerts),
        n(&stats.failed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(expr: &str) -> croner::Cron {
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Optional)
            .build()
            .parse(expr)
            .unwrap()
    }

    #[test]
    fn next_run_reads_cron_in_the_zone() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 2024-05-12 23:00 UTC is 2024-05-13 07:00 in Beijing: 07:30 Beijing comes next.
        let after = DateTime::parse_from_rfc3339("2024-05-12T23:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let next = next_run(&parse("30 7 * * *"), tz, after).unwrap();
        assert_eq!(format_beijing(&next), "2024-05-13T07:30:00+08:00");
        // Strictly after: an exact fire time gives the next one.
        let again = next_run(&parse("30 7 * * *"), tz, next).unwrap();
        assert_eq!(format_beijing(&again), "2024-05-14T07:30:00+08:00");
        // Seconds field, and Monday 08:00 (2024-05-13 is a Monday).
        let s = next_run(&parse("*/2 * * * * *"), tz, after).unwrap();
        assert_eq!((s - after).num_seconds(), 2);
        let weekly = next_run(&parse("0 8 * * 1"), tz, after).unwrap();
        assert_eq!(format_beijing(&weekly), "2024-05-13T08:00:00+08:00");
        let utc: Tz = "UTC".parse().unwrap();
        let in_utc = next_run(&parse("30 7 * * *"), utc, after).unwrap();
        assert_eq!(in_utc.to_rfc3339(), "2024-05-13T07:30:00+00:00");
    }

    #[test]
    fn summary_counts() {
        let stats = Stats::default();
        stats.passes.store(2, Ordering::Relaxed);
        stats.passes_cancelled.store(1, Ordering::Relaxed);
        stats.reports.store(3, Ordering::Relaxed);
        let line = summary(&stats, "SIGTERM", Duration::from_millis(1500));
        assert_eq!(
            line,
            "yuqing serve: stopped by SIGTERM after 1.5 s: 2 crawl passes (1 cancelled, 0 skipped), 3 reports, 0 alert runs, 0 failed jobs"
        );
    }
}
