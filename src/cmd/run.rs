//! `yuqing run`: one crawl pass with a progress bar and a summary.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use yuqing_pipeline::{Pipeline, RunSummary, SourceReport};

use crate::Failure;

/// Crawls every source once. Exit 0 when the pass completed (even with failed sources), 1 when
/// every source failed.
pub fn run(config_path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    // One writer per data dir: a second `run`, or `run` beside `serve`, stops here.
    let _lock = yuqing_config::DataDirLock::acquire(&config.data_dir, "run")?;
    let sources = config.sources.len() as u64;
    let pipeline = Pipeline::open(config)?;
    let bar = if std::io::stderr().is_terminal() && !json {
        let bar = ProgressBar::new(sources);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} 信源 {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let progress = |r: &SourceReport| {
        bar.inc(1);
        bar.set_message(format!("{} {}", r.id, if r.ok { "ok" } else { "failed" }));
    };
    let summary = super::runtime()?.block_on(pipeline.run_pass(&progress))?;
    bar.finish_and_clear();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(if summary.all_failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(s: &RunSummary) {
    let ok = s.sources.iter().filter(|r| r.ok).count();
    println!(
        "信源 sources: {ok} ok, {} failed; 文章 articles: {} new, {} updated, {} unchanged, {} rejected; {:.1} s",
        s.sources.len() - ok,
        s.new,
        s.updated,
        s.unchanged,
        s.rejected,
        s.seconds
    );
    for r in &s.sources {
        let status = match (&r.error, r.not_modified) {
            (Some(e), _) => format!("FAILED {e}"),
            (None, true) => "ok (304 not modified)".to_string(),
            (None, false) => "ok".to_string(),
        };
        println!(
            "  {:<24} new {:>4}  updated {:>4}  unchanged {:>4}  rejected {:>4}  {status}",
            r.id, r.new, r.updated, r.unchanged, r.rejected
        );
        for reason in &r.rejections {
            println!("      rejected: {reason}");
        }
        // The pipeline keeps the first reasons only.
        let unlisted = usize::try_from(r.rejected)
            .unwrap_or(usize::MAX)
            .saturating_sub(r.rejections.len());
        if unlisted > 0 {
            println!("      … and {unlisted} more rejected (yuqing run -v logs every one)");
        }
    }
    if s.all_failed() && s.sources.iter().all(|r| r.unreachable) {
        println!(
            "提示 hint: no source could be reached (DNS or connection errors on every host): is this machine online, or does it need a proxy (HTTPS_PROXY)?"
        );
    }
}
