//! `yuqing search`: query the index from the command line.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use yuqing_index::{ArticleIndex, IndexError, SearchRequest, SortOrder};

use crate::Failure;
use crate::cli::{SearchArgs, SortArg};
use crate::time::{format_beijing, parse_date};

/// One hit of `--json` output.
#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    title: &'a str,
    url: &'a str,
    source: &'a str,
    site: &'a str,
    tier: &'a str,
    published_at: Option<String>,
    score: f32,
    snippet: &'a str,
    themes: &'a [String],
    sentiment: Option<&'static str>,
    sentiment_score: Option<f32>,
    cluster: &'a str,
    /// Articles in the index sharing the cluster (1 = no reprint).
    cluster_size: u64,
}

/// Runs one query; bad syntax or a bad date exits 2.
pub fn search(config_path: &Path, args: &SearchArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let from = args
        .from
        .as_deref()
        .map(|v| parse_date("--from", v, false))
        .transpose()
        .map_err(Failure::usage)?;
    let to = args
        .to
        .as_deref()
        .map(|v| parse_date("--to", v, true))
        .transpose()
        .map_err(Failure::usage)?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Failure::usage(anyhow::anyhow!(
            "--from {} is after --to {}",
            args.from.as_deref().unwrap_or_default(),
            args.to.as_deref().unwrap_or_default()
        )));
    }
    if let Some(source) = args.source.as_deref()
        && config.source(source).is_none()
    {
        eprintln!(
            "yuqing: warning: --source {source:?} is not in {}; only articles stored under that id match",
            config.config_dir.join("sources.toml").display()
        );
    }
    let index_dir = config.data_dir.join("index");
    if !index_dir.exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no index at {}: run `yuqing run` first",
            index_dir.display()
        )));
    }
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let index = ArticleIndex::open(&index_dir, &segmenter)
        .with_context(|| format!("opening index {}", index_dir.display()))?;
    let req = SearchRequest {
        query: args.query.join(" "),
        limit: usize::from(args.limit),
        offset: 0,
        from,
        to,
        source: args.source.clone(),
        theme: args.theme.clone(),
        sentiment: args.sentiment.map(|s| s.label()),
        tier: args.tier.map(|t| t.tier()),
        collapse: args.collapse,
        facets: false,
        sort: match args.sort {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Time => SortOrder::Time,
        },
    };
    let results = match index.search(&req) {
        Ok(r) => r,
        Err(e @ IndexError::Query { .. }) => return Err(Failure::usage(e)),
        Err(e) => return Err(e.into()),
    };
    if args.json {
        let hits: Vec<JsonHit> = results
            .hits
            .iter()
            .map(|h| JsonHit {
                id: &h.id,
                title: &h.title,
                url: &h.url,
                source: &h.source,
                site: &h.site,
                tier: &h.tier,
                published_at: h.published_at.as_ref().map(format_beijing),
                score: h.score,
                snippet: &h.snippet,
                themes: &h.themes,
                sentiment: h.sentiment.map(|s| s.as_str()),
                sentiment_score: h.sentiment_score,
                cluster: &h.cluster,
                cluster_size: h.cluster_size,
            })
            .collect();
        let out = serde_json::json!({ "total": results.total, "hits": hits });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal();
    println!("{} 篇 articles match", results.total);
    for (i, h) in results.hits.iter().enumerate() {
        let when = h
            .published_at
            .as_ref()
            .map(format_beijing)
            .unwrap_or_else(|| "(no date)".into());
        println!("{:>3}. {}", i + 1, h.title);
        let mut facts = vec![when, h.source.clone()];
        if let Some(s) = h.sentiment {
            facts.push(s.label_zh().to_string());
        }
        if h.cluster_size > 1 {
            facts.push(format!("转载 {} 篇 reprints", h.cluster_size - 1));
        }
        if !h.themes.is_empty() {
            facts.push(format!("专题 {}", h.themes.join(",")));
        }
        println!("     {} · {}", facts.join(" · "), h.url);
        println!("     {}", render_snippet(&h.snippet, color));
    }
    Ok(ExitCode::SUCCESS)
}

/// The index's HTML snippet for a terminal: `<em>` as bold (or 【】 without colour), entities
/// decoded.
fn render_snippet(html: &str, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    html.replace('\n', " ")
        .replace("<em>", open)
        .replace("</em>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
