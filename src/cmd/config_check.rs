//! `yuqing config check`: validate every config file, list every problem of every file.
//!
//! The files: `yuqing.toml`, `sources.toml` and `sites.toml` (validated together by
//! `yuqing_config`), the themes file, the lexicon files, the user dictionaries and the trained
//! sentiment model. A problem in one file never hides those of another: when `yuqing.toml`
//! itself is invalid, the paths of the other files are still read from it (leniently, with
//! the same defaults and `YUQING_*` overrides) and those files are checked too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yuqing_config::{Config, ConfigError};

use crate::Failure;

/// Where the files besides the three TOML files are, as `yuqing.toml` says.
struct Paths {
    dict_dir: PathBuf,
    themes_file: PathBuf,
    lexicon_dir: PathBuf,
    sentiment_model: PathBuf,
}

impl Paths {
    fn of(config: &Config) -> Paths {
        Paths {
            dict_dir: config.dict_dir.clone(),
            themes_file: config.themes_file.clone(),
            lexicon_dir: config.lexicon_dir.clone(),
            sentiment_model: config.sentiment_model.clone(),
        }
    }

    /// The paths from a `yuqing.toml` that did not validate: each key read from the
    /// `YUQING_*` variable, else from the file if it parses as TOML and the value is a string,
    /// else the default; joined as `yuqing_config` joins them (the data dir is not joined to
    /// the config dir).
    fn lenient(config_path: &Path) -> Paths {
        let dir = match config_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let table: Option<toml::Table> = std::fs::read_to_string(config_path)
            .ok()
            .and_then(|t| t.parse().ok());
        let get = |key: &str, default: &str| -> String {
            // Set, even empty, overrides the file, as `yuqing_config` does for strings.
            if let Ok(v) = std::env::var(yuqing_config::env_var_for(key)) {
                return v;
            }
            let mut value = table.as_ref().map(|t| t as &toml::Table);
            let (section, name) = key.split_once('.').unwrap_or(("", key));
            value = value
                .and_then(|t| t.get(section))
                .and_then(|v| v.as_table());
            value
                .and_then(|t| t.get(name))
                .and_then(|v| v.as_str())
                .unwrap_or(default)
                .to_string()
        };
        Paths {
            dict_dir: dir.join(get("text.dict_dir", "dict")),
            themes_file: dir.join(get("analysis.themes_file", "themes.toml")),
            lexicon_dir: dir.join(get("analysis.lexicon_dir", "lexicon")),
            sentiment_model: Path::new(&get("data.dir", "data"))
                .join(get("analysis.sentiment_model", "sentiment-model.json")),
        }
    }
}

/// Exit 0 and a one-line summary when everything is valid; exit 1 listing every problem of
/// every file (`file: key: message` or `file line N: message`, one per line) otherwise.
pub fn check(config_path: &Path) -> Result<ExitCode, Failure> {
    let mut problems: Vec<String> = Vec::new();
    let (config, paths) = match Config::load(config_path) {
        Ok(config) => {
            let paths = Paths::of(&config);
            (Some(config), paths)
        }
        Err(ConfigError::Invalid(list)) => {
            problems.extend(list.iter().map(ToString::to_string));
            (None, Paths::lenient(config_path))
        }
        Err(e) => {
            problems.push(e.to_string());
            (None, Paths::lenient(config_path))
        }
    };
    let summary = check_other_files(&paths, &mut problems);
    if let Some(config) = &config {
        check_mail(config, &mut problems);
    }
    for p in &problems {
        println!("{p}");
    }
    if !problems.is_empty() {
        eprintln!("yuqing: {} problem(s) in the configuration", problems.len());
        return Ok(ExitCode::from(1));
    }
    let Some(config) = config else {
        // Unreachable: a config that did not load recorded at least one problem.
        return Ok(ExitCode::from(1));
    };
    println!(
        "ok: {} ({} sources, {} site rules, {summary}, dictionaries in {}; data in {})",
        config.path.display(),
        config.sources.len(),
        config.sites.len(),
        config.dict_dir.display(),
        config.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Checks what `[mail]` points at, appending every problem as `file: key: message`: with SMTP
/// configured and no `YUQING_SMTP_PASSWORD`, a `smtp_password_file` that cannot be read;
/// every recipient theme id that is not a section or item of the themes file (skipped when
/// the themes file itself does not load: its own problems are listed).
fn check_mail(config: &Config, problems: &mut Vec<String>) {
    let file = config.path.display();
    let password_from_env = std::env::var("YUQING_SMTP_PASSWORD").is_ok_and(|p| !p.is_empty());
    if let Some(smtp) = &config.mail.smtp
        && !password_from_env
        && let Some(pw) = &smtp.password_file
        && let Err(e) = std::fs::read_to_string(pw)
    {
        problems.push(format!(
            "{file}: mail.smtp_password_file: cannot read {}: {e}",
            pw.display()
        ));
    }
    if config.mail.recipients.iter().all(|r| r.themes.is_empty()) {
        return;
    }
    let Ok(themes) = yuqing_themes::ThemeSet::load(&config.themes_file) else {
        return;
    };
    for (i, r) in config.mail.recipients.iter().enumerate() {
        for t in &r.themes {
            if themes.theme(t).is_none() {
                problems.push(format!(
                    "{file}: mail.recipient[{i}].themes: {t:?} is not a theme id in {} \
                     (section ids such as \"s4\", item ids such as \"s4.i10\")",
                    config.themes_file.display()
                ));
            }
        }
    }
}

/// Checks the themes file, the dictionaries, the lexicon and the model, appending every
/// problem; returns the themes part of the summary line.
fn check_other_files(paths: &Paths, problems: &mut Vec<String>) -> String {
    let themes = if paths.themes_file.exists() {
        match yuqing_themes::ThemeSet::load(&paths.themes_file) {
            Ok(t) => format!(
                "{} themes in {}",
                t.themes().len(),
                paths.themes_file.display()
            ),
            Err(e) => {
                // Invalid lists every problem as `file: key: message`, one per line.
                problems.extend(e.to_string().lines().map(|l| l.trim().to_string()));
                String::new()
            }
        }
    } else {
        format!("no themes file at {}", paths.themes_file.display())
    };

    // Every bad dictionary line (`file:line: what is wrong`), the lines `run` skips with a
    // warning.
    let segmenter = match yuqing_text::Segmenter::load_with_problems(Some(&paths.dict_dir)) {
        Ok((s, dict_problems)) => {
            problems.extend(dict_problems.iter().map(ToString::to_string));
            dict_problems.is_empty().then_some(s)
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };

    let lexicon = if paths.lexicon_dir.exists() {
        let found = yuqing_sentiment::Lexicon::problems(&paths.lexicon_dir);
        if found.is_empty() {
            yuqing_sentiment::Lexicon::load(&paths.lexicon_dir)
                .map_err(|e| problems.push(e.to_string()))
                .ok()
        } else {
            problems.extend(found.iter().map(ToString::to_string));
            None
        }
    } else {
        Some(yuqing_sentiment::Lexicon::builtin())
    };

    if paths.sentiment_model.exists() {
        match (&segmenter, &lexicon) {
            (Some(seg), Some(lex)) => {
                if let Err(e) =
                    yuqing_sentiment::TrainedModel::load(&paths.sentiment_model, seg, lex)
                {
                    problems.push(e.to_string());
                }
            }
            _ => problems.push(format!(
                "{}: not checked: it needs the dictionaries and the lexicon, which have problems",
                paths.sentiment_model.display()
            )),
        }
    }
    themes
}
