//! `yuqing themes list|rematch`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use yuqing_themes::{ThemeKind, ThemeSet};

use crate::Failure;

/// Prints the sections and items of the themes file.
pub fn list(config_path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let themes = ThemeSet::load(&config.themes_file)?;
    if json {
        println!("{}", serde_json::to_string_pretty(themes.themes())?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = themes.plan_name() {
        println!("{name}");
    }
    for t in themes
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
    {
        println!("{:<7} {}", t.id, t.name);
        for i in themes
            .themes()
            .iter()
            .filter(|i| i.kind == ThemeKind::Item && i.section == t.id)
        {
            println!("  {:<9} {}. {}", i.id, i.number, i.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Re-applies the themes file to the stored articles (only changed rules, to their candidate
/// articles, unless `full`) and reports the changes per theme.
pub fn rematch(config_path: &Path, json: bool, full: bool) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    if !config.data_dir.join("yuqing.sqlite3").exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no store at {}: run `yuqing run` first",
            config.data_dir.join("yuqing.sqlite3").display()
        )));
    }
    // Rematching rewrites the index: not beside `run` or `serve`.
    let _lock = yuqing_config::DataDirLock::acquire(&config.data_dir, "themes rematch")?;
    let pipeline = yuqing_pipeline::Pipeline::open(config).context("opening the data directory")?;
    let report = if full {
        pipeline.rematch_full()?
    } else {
        pipeline.rematch()?
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if report.full {
        println!("all rules re-applied to every stored article");
    } else if report.changed_themes.is_empty() {
        println!("no rule changed since the last rematch: nothing to do");
    } else {
        println!("changed rules: {}", report.changed_themes.join(" "));
    }
    println!(
        "rematched {} articles in {:.1} s: {} with changed matches, {} re-indexed",
        report.articles, report.seconds, report.rewritten, report.reindexed
    );
    let themes = pipeline.analyzer().themes();
    let mut ids: Vec<&String> = report.added.keys().chain(report.removed.keys()).collect();
    ids.sort_by_key(|a| theme_order(a));
    ids.dedup();
    for id in ids {
        let name = themes
            .and_then(|t| t.theme(id))
            .map(|t| t.name.as_str())
            .unwrap_or("(not in themes file)");
        println!(
            "  {:<9} +{:<5} -{:<5} {name}",
            id,
            report.added.get(id).copied().unwrap_or(0),
            report.removed.get(id).copied().unwrap_or(0)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Numeric order of theme ids: `s2` < `s2.i3` < `s10`.
pub fn theme_order(id: &str) -> (u32, u32) {
    let mut parts = id.split(".i");
    let section = parts
        .next()
        .and_then(|s| s.strip_prefix('s'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX);
    let item = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    (section, item)
}
