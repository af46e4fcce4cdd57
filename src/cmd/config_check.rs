//! `yuqing config check`: validate every config file, list every problem.

use std::path::Path;
use std::process::ExitCode;

use yuqing_config::{Config, ConfigError};

use crate::Failure;

/// Exit 0 and a one-line summary when everything is valid; exit 1 listing every problem
/// (`file: key: message`, one per line) otherwise.
pub fn check(config_path: &Path) -> Result<ExitCode, Failure> {
    match Config::load(config_path) {
        Ok(config) => {
            let mut failed = 0;
            let segmenter = match yuqing_text::Segmenter::load(Some(&config.dict_dir)) {
                Ok(s) => Some(s),
                Err(e) => {
                    println!("{}: {e}", config.dict_dir.display());
                    failed += 1;
                    None
                }
            };
            let themes = if config.themes_file.exists() {
                match yuqing_themes::ThemeSet::load(&config.themes_file) {
                    Ok(t) => format!(
                        "{} themes in {}",
                        t.themes().len(),
                        config.themes_file.display()
                    ),
                    Err(e) => {
                        // Invalid lists every problem as `file: key: message`, one per line.
                        println!("{e}");
                        failed += 1;
                        String::new()
                    }
                }
            } else {
                format!("no themes file at {}", config.themes_file.display())
            };
            let lexicon = if config.lexicon_dir.exists() {
                match yuqing_sentiment::Lexicon::load(&config.lexicon_dir) {
                    Ok(l) => Some(l),
                    Err(e) => {
                        println!("{e}");
                        failed += 1;
                        None
                    }
                }
            } else {
                Some(yuqing_sentiment::Lexicon::builtin())
            };
            if let (Some(seg), Some(lex)) = (&segmenter, &lexicon)
                && config.sentiment_model.exists()
                && let Err(e) =
                    yuqing_sentiment::TrainedModel::load(&config.sentiment_model, seg, lex)
            {
                println!("{e}");
                failed += 1;
            }
            if failed > 0 {
                eprintln!("yuqing: {failed} file(s) with problems");
                return Ok(ExitCode::from(1));
            }
            println!(
                "ok: {} ({} sources, {} site rules, {themes}, dictionaries in {}; data in {})",
                config.path.display(),
                config.sources.len(),
                config.sites.len(),
                config.dict_dir.display(),
                config.data_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ConfigError::Invalid(problems)) => {
            for p in &problems {
                println!("{p}");
            }
            eprintln!("yuqing: {} problem(s) in the configuration", problems.len());
            Ok(ExitCode::from(1))
        }
        Err(_) => super::load_config(config_path).map(|_| ExitCode::SUCCESS),
    }
}
