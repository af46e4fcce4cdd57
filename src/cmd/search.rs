//! `yuqing search`: query the index from the command line.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use yuqing_index::{ArticleIndex, IndexError, SearchRequest, SortOrder};
use yuqing_themes::ThemeSet;

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
    /// With `--collapse`, when the hit is the cluster's original rather than the member that
    /// ranked best: that member's id (whose snippet is shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_id: Option<String>,
}

/// Loads the themes file to check `--theme`. A missing file is no check (`None`: the filter
/// then matches only what the index holds under that id). A broken file (bad syntax, unknown
/// key, bad rule) fails when `--theme` is given, since the id cannot be checked, naming the
/// file and key; without `--theme` it is one warning line on stderr and the search goes on.
fn load_themes(themes_file: &Path, theme: Option<&str>) -> Result<Option<ThemeSet>, Failure> {
    if !themes_file.exists() {
        return Ok(None);
    }
    match ThemeSet::load(themes_file) {
        Ok(set) => Ok(Some(set)),
        Err(e) => match theme {
            Some(id) => Err(Failure::from(
                anyhow::Error::new(e).context(format!("cannot check --theme {id:?}")),
            )),
            None => {
                // One line: the first problem (`file: key: message`; the others and a TOML
                // error's source excerpt are left to `config check`).
                let text = e.to_string();
                let mut lines = text.lines();
                let first = lines.next().unwrap_or_default().trim();
                let more = if lines.next().is_some() { " …" } else { "" };
                eprintln!(
                    "yuqing: warning: themes not checked: {first}{more} (`yuqing config check` lists every problem)"
                );
                Ok(None)
            }
        },
    }
}

/// `--theme ID` must name a section or item of the themes file; otherwise a usage error
/// listing the closest ids (same prefix or within edit distance 2, at most 8).
fn check_theme(set: &ThemeSet, themes_file: &Path, id: &str) -> Result<(), Failure> {
    let ids: Vec<&str> = set.themes().iter().map(|t| t.id.as_str()).collect();
    if ids.contains(&id) {
        return Ok(());
    }
    let mut close: Vec<(usize, &str)> = ids
        .iter()
        .map(|&t| (edit_distance(id, t), t))
        .filter(|&(d, t)| d <= 2 || t.starts_with(id) || id.starts_with(t))
        .collect();
    close.sort();
    close.truncate(8);
    let hint = if close.is_empty() {
        format!("`yuqing themes list` shows the {} theme ids", ids.len())
    } else {
        format!(
            "close ids: {}",
            close.iter().map(|(_, t)| *t).collect::<Vec<_>>().join(", ")
        )
    };
    Err(Failure::usage(anyhow::anyhow!(
        "--theme {id:?} is not a theme id in {} ({hint})",
        themes_file.display()
    )))
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// With `--collapse`, each hit of a reprint cluster becomes the cluster's original (the
/// earliest member, from the store) with the cluster's size; the snippet stays the matching
/// member's and its id is kept in `matched_id`. Hits whose cluster the store does not know
/// are left as they are.
fn originals(
    store: &yuqing_store::Store,
    hits: &mut [yuqing_index::Hit],
) -> Result<Vec<Option<String>>, Failure> {
    let mut matched = Vec::with_capacity(hits.len());
    for h in hits.iter_mut() {
        let cluster = yuqing_model::ArticleId::from_raw(h.cluster.clone());
        let members = store.cluster_members(&cluster)?;
        let Some(first) = members.first() else {
            matched.push(None);
            continue;
        };
        h.cluster_size = h.cluster_size.max(members.len() as u64);
        if first.id.as_str() == h.id {
            matched.push(None);
            continue;
        }
        matched.push(Some(std::mem::replace(&mut h.id, first.id.to_string())));
        h.title = first.title.clone();
        h.url = first.url.clone();
        h.source = first.source.clone();
        h.tier = first.tier.as_str().to_string();
        h.published_at = first.published_at;
        if let Some(a) = store.article(&first.id)? {
            h.site = a.site;
        }
        if let Some(an) = store.analysis(&first.id)? {
            h.themes = an.themes.into_iter().map(|t| t.theme).collect();
            h.sentiment = an.sentiment.as_ref().map(|s| s.label);
            h.sentiment_score = an.sentiment.map(|s| s.score);
        }
    }
    Ok(matched)
}

/// Runs one query; bad syntax or a bad date exits 2.
pub fn search(config_path: &Path, args: &SearchArgs) -> Result<ExitCode, Failure> {
    let query = args.query.join(" ");
    if query.trim().is_empty() {
        return Err(Failure::usage(anyhow::anyhow!(
            "empty query: give terms, \"a phrase\", or * for every article (e.g. `yuqing search --theme s4.i10 '*'`)"
        )));
    }
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
    let themes = load_themes(&config.themes_file, args.theme.as_deref())?;
    if let (Some(set), Some(theme)) = (&themes, args.theme.as_deref()) {
        check_theme(set, &config.themes_file, theme)?;
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
        query,
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
    let mut results = match index.search(&req) {
        Ok(r) => r,
        Err(e @ IndexError::Query { .. }) => return Err(Failure::usage(e)),
        Err(e) => return Err(e.into()),
    };
    let db = config.data_dir.join("yuqing.sqlite3");
    let matched = if args.collapse && db.exists() {
        let store =
            yuqing_store::Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
        originals(&store, &mut results.hits)?
    } else {
        vec![None; results.hits.len()]
    };
    if args.json {
        let hits: Vec<JsonHit> = results
            .hits
            .iter()
            .zip(&matched)
            .map(|(h, m)| JsonHit {
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
                matched_id: m.clone(),
            })
            .collect();
        let out = serde_json::json!({ "total": results.total, "hits": hits });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal();
    if args.collapse {
        // Collapsed, the index counts reprint clusters (stories), not articles.
        println!(
            "{} 组 stories match (转载已合并 reprints collapsed)",
            results.total
        );
    } else {
        println!("{} 篇 articles match", results.total);
    }
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
        if let Some(m) = matched.get(i).and_then(Option::as_ref) {
            println!("     (原文 original; 命中转载 matched reprint {m})");
        }
        println!("     {}", render_snippet(&h.snippet, color));
    }
    Ok(ExitCode::SUCCESS)
}

/// The index's HTML snippet for a terminal: `<em>` as bold (or 【】 without colour), entities
/// decoded with html-escape's `decode_html_entities` (the index escapes with html-escape, `'`
/// as `&#x27;`; a literal `<em>` in an article is escaped, so only the index's marks match).
fn render_snippet(html: &str, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let marked = html
        .replace('\n', " ")
        .replace("<em>", open)
        .replace("</em>", close);
    html_escape::decode_html_entities(&marked).into_owned()
}

#[cfg(test)]
mod tests {
    use super::render_snippet;

    #[test]
    fn snippet_marks_and_entities_become_terminal_text() {
        assert_eq!(
            render_snippet(
                "it&#x27;s <em>快递</em> &lt;em&gt;x&lt;/em&gt; &amp;amp; &quot;q&quot; &#39;\nnext",
                false
            ),
            "it's 【快递】 <em>x</em> &amp; \"q\" ' next"
        );
        assert_eq!(render_snippet("<em>a</em>", true), "\x1b[1;31ma\x1b[0m");
    }
}
