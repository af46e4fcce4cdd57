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
            if let Ok(v) = std::env::var(yuqing_config::env_var_for(key))
                && !v.is_empty()
            {
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
        Err(e @ ConfigError::Io { .. }) => {
            problems.push(e.to_string());
            (None, Paths::lenient(config_path))
        }
    };
    let summary = check_other_files(&paths, &mut problems);
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

    let dict_problems = dictionary_problems(&paths.dict_dir);
    let segmenter = if dict_problems.is_empty() {
        match yuqing_text::Segmenter::load(Some(&paths.dict_dir)) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        }
    } else {
        problems.extend(dict_problems);
        None
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

/// Every bad line of every `*.txt` user dictionary in `dir` (the grammar of
/// `yuqing_text::Segmenter::load`: `word [freq] [tag]`, `word tag`, `#` comments), as
/// `file line N: message`; a directory that cannot be listed or a file that cannot be read
/// is one problem. An absent directory is none (no user dictionaries).
fn dictionary_problems(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt") && p.is_file())
            .collect(),
        Err(e) => {
            out.push(format!(
                "cannot list dictionary directory {}: {e}",
                dir.display()
            ));
            return out;
        }
    };
    files.sort();
    for path in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for (line, message) in dictionary_line_problems(&text) {
                    out.push(format!(
                        "bad entry in dictionary file {} line {line}: {message}",
                        path.display()
                    ));
                }
            }
            Err(e) => out.push(format!(
                "cannot read dictionary file {}: {e}",
                path.display()
            )),
        }
    }
    out
}

/// `(1-based line, message)` for each bad line of one dictionary file's text.
fn dictionary_line_problems(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let is_freq = |f: &str| f.bytes().all(|b| b.is_ascii_digit());
        let is_tag = |f: &str| f.bytes().all(|b| b.is_ascii_alphabetic());
        let message = match fields.as_slice() {
            [_] => None,
            [_, f] if is_freq(f) => f
                .parse::<usize>()
                .err()
                .map(|e| format!("frequency `{f}` is out of range: {e}")),
            [_, t] if is_tag(t) => None,
            [_, f] => Some(format!(
                "expected `word [freq] [tag]`; `{f}` is neither a frequency nor a tag"
            )),
            [_, f, _] if !is_freq(f) => Some(format!(
                "expected `word [freq] [tag]`; `{f}` is not a frequency"
            )),
            [_, f, _] => f
                .parse::<usize>()
                .err()
                .map(|e| format!("frequency `{f}` is out of range: {e}")),
            [_, _, _, extra @ ..] => Some(format!(
                "extra field{} {} after `word freq tag`",
                if extra.len() == 1 { "" } else { "s" },
                extra
                    .iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            [] => None,
        };
        if let Some(m) = message {
            out.push((i + 1, m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dictionary_line_problems;

    #[test]
    fn every_bad_dictionary_line_is_reported_with_the_right_reason() {
        let text = "# comment\n快递员 10 n\n菜鸟驿站\n丰巢 nz\nword 10 n extra\n中通 abc1\n\
                    圆通 99999999999999999999999 n\n申通 x 5\n韵达 3 n a b\n";
        let got = dictionary_line_problems(text);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![5, 6, 7, 8, 9]);
        assert_eq!(got[0].1, "extra field `extra` after `word freq tag`");
        assert!(
            got[1].1.contains("`abc1` is neither a frequency nor a tag"),
            "{:?}",
            got[1]
        );
        assert!(got[2].1.contains("out of range"), "{:?}", got[2]);
        assert!(got[3].1.contains("`x` is not a frequency"), "{:?}", got[3]);
        assert_eq!(got[4].1, "extra fields `a` `b` after `word freq tag`");
    }
}
