//! `yuqing extract`: what extraction makes of one page.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use serde::Serialize;
use yuqing_extract::{PageContext, extract_article};
use yuqing_fetch::{FetchOutcome, Fetcher};
use yuqing_model::{FetchSettings, Validators};

use crate::Failure;
use crate::time::format_beijing;

#[derive(Serialize)]
struct Output<'a> {
    title: &'a str,
    body: &'a str,
    published_at: Option<String>,
    date_source: &'a str,
    author: Option<&'a str>,
    editor: Option<&'a str>,
    site: Option<&'a str>,
    canonical_url: &'a str,
    encoding: &'a str,
}

/// Extracts one file or URL with the configured site rules (built-in defaults when the
/// default config file is absent).
pub fn extract(config_path: &Path, input: &str, json: bool) -> Result<ExitCode, Failure> {
    let config = super::load_config_if_present(config_path)?;
    let rules = config.as_ref().map(|c| c.sites.clone()).unwrap_or_default();
    let (bytes, content_type, url, fetched_at) = if input.starts_with("http://")
        || input.starts_with("https://")
    {
        let settings = config
            .as_ref()
            .map(|c| c.fetch.clone())
            .unwrap_or_else(FetchSettings::default);
        let fetcher = Fetcher::new(&settings)?;
        let outcome = super::runtime()?.block_on(fetcher.fetch(input, &Validators::default()))?;
        match outcome {
            FetchOutcome::Fetched(f) => {
                (f.body.to_vec(), f.content_type, f.final_url, f.fetched_at)
            }
            FetchOutcome::NotModified { .. } => {
                return Err(
                    anyhow::anyhow!("{input}: 304 Not Modified to an unconditional GET").into(),
                );
            }
        }
    } else if let Some((scheme, _)) = input.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Err(Failure::usage(anyhow::anyhow!(
            "{input}: unsupported URL scheme {scheme:?}: give an http(s) URL or a file path"
        )));
    } else {
        let bytes = super::read_input(input)?;
        // A file has no Content-Type: a PDF, image or other binary file is refused by its
        // first bytes.
        if yuqing_fetch::is_binary(&bytes) {
            return Err(anyhow::anyhow!("{input}: not an HTML page (binary content)").into());
        }
        let abs =
            std::fs::canonicalize(input).with_context(|| format!("cannot resolve {input}"))?;
        (bytes, None, format!("file://{}", abs.display()), Utc::now())
    };
    if !yuqing_fetch::is_page_type(content_type.as_deref()) {
        return Err(anyhow::anyhow!(
            "{url}: not an HTML page ({})",
            content_type.as_deref().unwrap_or_default()
        )
        .into());
    }
    let decoded = yuqing_fetch::decode(&bytes, content_type.as_deref());
    let ctx = PageContext {
        url: &url,
        fetched_at,
        rules: &rules,
    };
    let page =
        extract_article(&decoded.text, &ctx).with_context(|| format!("extracting {input}"))?;
    let out = Output {
        title: &page.title,
        body: &page.body,
        published_at: page.published_at.as_ref().map(format_beijing),
        date_source: page.date_source.as_str(),
        author: page.author.as_deref(),
        editor: page.editor.as_deref(),
        site: page.site.as_deref(),
        canonical_url: &page.canonical_url,
        encoding: decoded.encoding,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("标题 title:     {}", out.title);
        println!(
            "时间 published: {} ({})",
            out.published_at.as_deref().unwrap_or("-"),
            out.date_source
        );
        println!("作者 author:    {}", out.author.unwrap_or("-"));
        println!("编辑 editor:    {}", out.editor.unwrap_or("-"));
        println!("网站 site:      {}", out.site.unwrap_or("-"));
        println!("链接 canonical: {}", out.canonical_url);
        println!("编码 encoding:  {}", out.encoding);
        println!();
        println!("{}", out.body);
    }
    Ok(ExitCode::SUCCESS)
}
