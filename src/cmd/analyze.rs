//! `yuqing analyze`: which plan themes a text matches, its sentiment, and why.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use yuqing_model::{Sentiment, TermHit};
use yuqing_pipeline::Analyzer;

use crate::Failure;
use crate::cli::AnalyzeArgs;

#[derive(Serialize)]
struct JsonTheme<'a> {
    id: &'a str,
    section: &'a str,
    /// Item id, `null` for a section.
    item: Option<&'a str>,
    name: &'a str,
    score: f32,
    hits: &'a [TermHit],
}

#[derive(Serialize)]
struct JsonAnalysis<'a> {
    themes: Vec<JsonTheme<'a>>,
    sentiment: Option<&'a Sentiment>,
}

/// Analyses one text (a file or `-`); the title is `--title` or the text's first line.
pub fn analyze(config_path: &Path, args: &AnalyzeArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let bytes = super::read_input(&args.input)?;
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", args.input))?;
    let (title, body) = match &args.title {
        Some(t) => (t.as_str(), text.as_str()),
        None => match text.trim_start().split_once('\n') {
            Some((first, rest)) => (first.trim(), rest),
            None => (text.trim(), ""),
        },
    };
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let analyzer = Analyzer::load(&config, &segmenter).context("loading the analysis stage")?;
    let analysis = analyzer.analyze(title, body);
    let themes: Vec<JsonTheme> = analysis
        .themes
        .iter()
        .map(|m| {
            let theme = analyzer.themes().and_then(|t| t.theme(&m.theme));
            let is_item = matches!(theme.map(|t| t.kind), Some(yuqing_themes::ThemeKind::Item));
            JsonTheme {
                id: &m.theme,
                section: theme.map(|t| t.section.as_str()).unwrap_or(&m.theme),
                item: is_item.then_some(m.theme.as_str()),
                name: theme.map(|t| t.name.as_str()).unwrap_or(""),
                score: m.score,
                hits: &m.hits,
            }
        })
        .collect();
    if args.json {
        let out = JsonAnalysis {
            themes,
            sentiment: analysis.sentiment.as_ref(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("标题 title: {title}");
    if themes.is_empty() {
        println!("专题 themes: (none matched)");
    } else {
        println!("专题 themes:");
        for t in &themes {
            let hits: Vec<String> = t
                .hits
                .iter()
                .map(|h| format!("{}×{} ({})", h.term, h.count, h.field.as_str()))
                .collect();
            println!(
                "  {:<8} {:>6.2}  {}  ← {}",
                t.id,
                t.score,
                t.name,
                hits.join(", ")
            );
        }
    }
    if let Some(s) = &analysis.sentiment {
        println!(
            "倾向 sentiment: {} {} (score {:+.2})",
            s.label.label_zh(),
            s.label.as_str(),
            s.score
        );
        for e in &s.evidence {
            println!("  {:+.2}  {}", e.weight, e.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}
