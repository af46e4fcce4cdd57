//! `yuqing coverage`: coverage per plan section and item in a period, and the gaps.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{Duration, Utc};
use serde::Serialize;
use yuqing_model::Tier;
use yuqing_store::{Store, ThemeCoverage};
use yuqing_themes::{Theme, ThemeKind, ThemeSet};

use crate::Failure;
use crate::cli::CoverageArgs;
use crate::time::{format_beijing, parse_date};

#[derive(Serialize)]
struct Latest {
    id: String,
    title: String,
    published_at: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    number: u32,
    name: String,
    articles: u64,
    /// Distinct stories: reprints of one story count once.
    stories: u64,
    /// Articles per media tier (every tier listed, zeros included).
    by_tier: BTreeMap<&'static str, u64>,
    /// Share of the articles per tier, 0..1 (every tier listed).
    tier_share: BTreeMap<&'static str, f64>,
    latest: Option<Latest>,
    /// No article in the period (宣传薄弱环节).
    gap: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<Row>>,
}

#[derive(Serialize)]
struct Report {
    from: String,
    to: String,
    sections: Vec<Row>,
    /// Ids of the items with no article in the period.
    gaps: Vec<String>,
}

/// Prints the coverage table (or JSON) for `[--from, --to]`, default the last 30 days.
pub fn coverage(config_path: &Path, args: &CoverageArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let to = match args.to.as_deref() {
        Some(v) => parse_date("--to", v, true).map_err(Failure::usage)?,
        None => Utc::now(),
    };
    let from = match args.from.as_deref() {
        Some(v) => parse_date("--from", v, false).map_err(Failure::usage)?,
        None => to - Duration::days(30),
    };
    if from > to {
        let to_text = match args.to.as_deref() {
            Some(v) => v.to_string(),
            None => format!("{} (the default: now)", format_beijing(&to)),
        };
        return Err(Failure::usage(anyhow::anyhow!(
            "--from {} is after --to {to_text}",
            args.from.as_deref().unwrap_or_default()
        )));
    }
    let themes = ThemeSet::load(&config.themes_file)?;
    let db = config.data_dir.join("yuqing.sqlite3");
    if !db.exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no store at {}: run `yuqing run` first",
            db.display()
        )));
    }
    let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    // `to` is inclusive on the command line; the store's period is half-open.
    let counts = store.theme_counts(from, to + Duration::milliseconds(1))?;
    let by_id: HashMap<&str, &ThemeCoverage> =
        counts.iter().map(|c| (c.theme.as_str(), c)).collect();
    let row = |t: &Theme| -> Row {
        let c = by_id.get(t.id.as_str());
        let articles = c.map(|c| c.articles).unwrap_or(0);
        let by_tier: BTreeMap<&'static str, u64> = Tier::ALL
            .iter()
            .map(|tier| {
                (
                    tier.as_str(),
                    c.and_then(|c| c.by_tier.get(tier)).copied().unwrap_or(0),
                )
            })
            .collect();
        let tier_share = by_tier
            .iter()
            .map(|(k, n)| {
                let share = if articles == 0 {
                    0.0
                } else {
                    *n as f64 / articles as f64
                };
                (*k, (share * 1000.0).round() / 1000.0)
            })
            .collect();
        Row {
            id: t.id.clone(),
            number: t.number,
            name: t.name.clone(),
            articles,
            stories: c.map(|c| c.stories).unwrap_or(0),
            by_tier,
            tier_share,
            latest: c.and_then(|c| c.latest.as_ref()).map(|l| Latest {
                id: l.id.to_string(),
                title: l.title.clone(),
                published_at: l.published_at.as_ref().map(format_beijing),
            }),
            gap: articles == 0,
            items: None,
        }
    };
    let mut sections = Vec::new();
    let mut gaps = Vec::new();
    for s in themes
        .themes()
        .iter()
        .filter(|t| t.kind == ThemeKind::Section)
    {
        let items: Vec<Row> = themes
            .themes()
            .iter()
            .filter(|i| i.kind == ThemeKind::Item && i.section == s.id)
            .map(row)
            .collect();
        gaps.extend(items.iter().filter(|i| i.gap).map(|i| i.id.clone()));
        let mut r = row(s);
        r.items = Some(items);
        sections.push(r);
    }
    let report = Report {
        from: format_beijing(&from),
        to: format_beijing(&to),
        sections,
        gaps,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_table(&report);
    Ok(ExitCode::SUCCESS)
}

fn print_table(r: &Report) {
    println!("专题覆盖 coverage {} — {}", r.from, r.to);
    println!(
        "{:<9} {:>6} {:>6}  {:>5} {:>5} {:>5} {:>5} {:>5}  名称 / 最新报道",
        "id", "篇数", "事件", "央媒", "省级", "行业", "商业", "自媒体"
    );
    let print_row = |row: &Row, indent: &str| {
        let t = |k: &str| row.by_tier.get(k).copied().unwrap_or(0);
        let mark = if row.gap { "  ◆ 空白 gap" } else { "" };
        println!(
            "{indent}{:<w$} {:>6} {:>6}  {:>5} {:>5} {:>5} {:>5} {:>5}  {}{mark}",
            row.id,
            row.articles,
            row.stories,
            t("central"),
            t("provincial"),
            t("industry"),
            t("commercial"),
            t("self-media"),
            row.name,
            w = 9 - indent.len()
        );
        if let Some(l) = &row.latest {
            println!(
                "{indent}{:<w$} {:>6} {:>6}  {:>29}  ↳ {} {}",
                "",
                "",
                "",
                "",
                l.published_at.as_deref().unwrap_or("(no date)"),
                l.title,
                w = 9 - indent.len()
            );
        }
    };
    for s in &r.sections {
        print_row(s, "");
        for i in s.items.iter().flatten() {
            print_row(i, "  ");
        }
    }
    if r.gaps.is_empty() {
        println!("\n宣传薄弱环节 gaps: none — every item has coverage in the period");
    } else {
        println!(
            "\n宣传薄弱环节 gaps: {} item(s) with no coverage: {}",
            r.gaps.len(),
            r.gaps.join(", ")
        );
    }
}
