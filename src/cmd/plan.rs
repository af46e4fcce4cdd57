//! `yuqing plan import`: a plan document in, proposed theme rules out.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::Failure;

/// Parses the plan at `input`, proposes rule terms per item and section
/// ([`yuqing_themes::fill_terms`]: whole words as the segmenter cuts the plan, with the
/// config's `dict_dir` when a config is present, else jieba's dictionary only), and prints the
/// plan as JSON (`--json`) or writes `themes.toml` to `out` (standard output without `--out`).
pub fn import(
    config_path: &Path,
    input: &Path,
    out: Option<&Path>,
    force: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let text = std::fs::read_to_string(input)
        .with_context(|| format!("cannot read plan {} (UTF-8 text expected)", input.display()))?;
    let mut plan = yuqing_themes::parse_plan(&text)
        .with_context(|| format!("{}: no plan structure found", input.display()))?;
    let dict_dir = super::load_config_if_present(config_path)?.map(|c| c.dict_dir);
    let segmenter = yuqing_text::Segmenter::load(dict_dir.as_deref())?;
    yuqing_themes::fill_terms(&mut plan, &segmenter);
    let items: usize = plan.sections.iter().map(|s| s.items.len()).sum();
    if json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        let toml = yuqing_themes::plan_to_toml(&plan);
        match out {
            Some(path) => {
                if path.exists() && !force {
                    return Err(Failure::usage(anyhow::anyhow!(
                        "{} exists: pass --force to overwrite it (your edited rules would be lost)",
                        path.display()
                    )));
                }
                std::fs::write(path, toml)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!(
                    "wrote {} ({} sections, {items} items): edit the terms, then `yuqing config check`",
                    path.display(),
                    plan.sections.len()
                );
            }
            None => print!("{toml}"),
        }
    }
    if !json && out.is_none() {
        eprintln!("{} sections, {items} items", plan.sections.len());
    }
    Ok(ExitCode::SUCCESS)
}
