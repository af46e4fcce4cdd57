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
            if let Err(e) = yuqing_text::Segmenter::load(Some(&config.dict_dir)) {
                println!("{}: {e}", config.dict_dir.display());
                return Ok(ExitCode::from(1));
            }
            println!(
                "ok: {} ({} sources, {} site rules, dictionaries in {}; data in {})",
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
