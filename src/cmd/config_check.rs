//! `yuqing config check`: validate every config file, list every problem of every file.
//!
//! The files: `yuqing.toml`, `sources.toml` and `sites.toml` (validated together by
//! `yuqing_config`; one that cannot be read is one more problem), the themes file, the lexicon
//! files, the user dictionaries and the trained sentiment model. A problem in one file never
//! hides those of another: when `yuqing.toml` itself is invalid or unreadable, the paths of
//! the other files are still read from it (leniently, with the same defaults and `YUQING_*`
//! overrides) and those files are checked too.
//!
//! Consistent with what the commands do without a file: a missing themes file is a problem
//! (`yuqing serve` refuses to start its web UI, and `report`, `coverage`, `alert send` and
//! `themes list` fail, without the plan; `run` would match no article to it), as is a missing
//! dictionary directory (`run` and `serve` refuse to start). A missing lexicon directory is
//! not: every command then uses the copy of the shipped lexicon built into the binary, and the
//! summary line says so. A missing trained model is the normal case (lexicon model).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yuqing_config::Config;

use crate::Failure;

/// A `yuqing.toml` that did not validate, read once for the lenient readings: its directory
/// (what relative paths are joined to) and its TOML table, if it parses.
struct RawFile {
    dir: PathBuf,
    table: Option<toml::Table>,
}

impl RawFile {
    fn read(config_path: &Path) -> RawFile {
        let dir = match config_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let table = std::fs::read_to_string(config_path)
            .ok()
            .and_then(|t| t.parse().ok());
        RawFile { dir, table }
    }
}

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
    fn lenient(raw: &RawFile) -> Paths {
        let (dir, table) = (&raw.dir, &raw.table);
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
/// every file (`file: key: message`, `file: line N: message` or `file:line: message`, one per
/// line) otherwise.
pub fn check(config_path: &Path) -> Result<ExitCode, Failure> {
    let password_from_env = std::env::var("YUQING_SMTP_PASSWORD").is_ok_and(|p| !p.is_empty());
    let (config, summary, problems) = collect(config_path, password_from_env);
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

/// Every problem of every file, in order: `yuqing.toml`/`sources.toml`/`sites.toml`, the
/// other files, then `[mail]`'s references (checked also when `yuqing.toml` is invalid, from
/// a lenient reading, so a malformed theme id does not hide them). Returns the loaded config
/// (if valid), the themes and lexicon part of the summary line and the problems.
fn collect(config_path: &Path, password_from_env: bool) -> (Option<Config>, String, Vec<String>) {
    let mut problems: Vec<String> = Vec::new();
    // The loaded config, or the raw file for the lenient readings when it did not load.
    let loaded: Result<Config, RawFile> = match Config::check(config_path) {
        Ok(config) => Ok(config),
        Err(list) => {
            problems.extend(list.iter().map(ToString::to_string));
            Err(RawFile::read(config_path))
        }
    };
    let paths = match &loaded {
        Ok(config) => Paths::of(config),
        Err(raw) => Paths::lenient(raw),
    };
    let summary = check_other_files(config_path, &paths, &mut problems);
    let mail = match &loaded {
        Ok(config) => MailView::of(config),
        Err(raw) => MailView::lenient(config_path, raw, &paths),
    };
    check_mail(&mail, password_from_env, &mut problems);
    (loaded.ok(), summary, problems)
}

/// What [`check_mail`] needs of `[mail]`, from a loaded [`Config`] or, when `yuqing.toml` did
/// not validate, read leniently (as [`Paths::lenient`] reads paths).
struct MailView {
    /// `yuqing.toml` as shown in messages.
    file: String,
    /// Whether an SMTP host is configured.
    smtp: bool,
    /// Whether `smtp_username` is set (non-blank).
    username: bool,
    /// `smtp_password_file`, joined to the config dir.
    password_file: Option<PathBuf>,
    /// The themes file recipient ids are checked against.
    themes_file: PathBuf,
    /// Each recipient's theme ids, in file order.
    recipient_themes: Vec<Vec<String>>,
}

impl MailView {
    fn of(config: &Config) -> MailView {
        let smtp = config.mail.smtp.as_ref();
        MailView {
            file: config.path.display().to_string(),
            smtp: smtp.is_some(),
            username: smtp.is_some_and(|s| s.username.is_some()),
            password_file: smtp.and_then(|s| s.password_file.clone()),
            themes_file: config.themes_file.clone(),
            recipient_themes: config
                .mail
                .recipients
                .iter()
                .map(|r| r.themes.clone())
                .collect(),
        }
    }

    /// `[mail]` from a `yuqing.toml` that did not validate: strings from the `YUQING_MAIL_*`
    /// variable (set, even empty, overrides), else the file when it parses as TOML; theme ids
    /// that are strings. Nothing when the file does not parse.
    fn lenient(config_path: &Path, raw: &RawFile, paths: &Paths) -> MailView {
        let (dir, table) = (&raw.dir, &raw.table);
        let mail = table
            .as_ref()
            .and_then(|t| t.get("mail"))
            .and_then(|v| v.as_table());
        let get = |name: &str| -> String {
            if let Ok(v) = std::env::var(yuqing_config::env_var_for(&format!("mail.{name}"))) {
                return v.trim().to_string();
            }
            mail.and_then(|m| m.get(name))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let password_file = get("smtp_password_file");
        let recipient_themes = mail
            .and_then(|m| m.get("recipient"))
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .map(|r| {
                        r.get("themes")
                            .and_then(|t| t.as_array())
                            .map(|ts| {
                                ts.iter()
                                    .filter_map(|t| t.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        MailView {
            file: config_path.display().to_string(),
            smtp: !get("smtp_host").is_empty(),
            username: !get("smtp_username").is_empty(),
            password_file: (!password_file.is_empty()).then(|| dir.join(password_file)),
            themes_file: paths.themes_file.clone(),
            recipient_themes,
        }
    }
}

/// Whether `id` has the form of a theme id (`s4`, `s4.i10`); malformed ids are reported by
/// `yuqing_config` already, so they are not looked up again.
fn well_formed_theme_id(id: &str) -> bool {
    id.strip_prefix('s').is_some_and(|rest| {
        let (sec, item) = match rest.split_once(".i") {
            Some((sec, item)) => (sec, Some(item)),
            None => (rest, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        digits(sec) && item.is_none_or(digits)
    })
}

/// Checks what `[mail]` points at, appending every problem as `file: key: message`. With
/// SMTP configured and no password in the environment (`password_from_env`: a non-empty
/// `YUQING_SMTP_PASSWORD`): an `smtp_username` without `smtp_password_file` (the login would
/// fail at the first send), or a `smtp_password_file` that cannot be read. Every well-formed
/// recipient theme id that is not a section or item of the themes file (skipped when the
/// themes file itself does not load: its own problems are listed).
fn check_mail(mail: &MailView, password_from_env: bool, problems: &mut Vec<String>) {
    let file = &mail.file;
    if mail.smtp && !password_from_env {
        match &mail.password_file {
            None if mail.username => problems.push(format!(
                "{file}: mail.smtp_username: set, but no password source: set \
                 mail.smtp_password_file or the YUQING_SMTP_PASSWORD variable"
            )),
            None => {}
            Some(pw) => {
                if let Err(e) = std::fs::read_to_string(pw) {
                    problems.push(format!(
                        "{file}: mail.smtp_password_file: cannot read {}: {e}",
                        pw.display()
                    ));
                }
            }
        }
    }
    if mail.recipient_themes.iter().all(Vec::is_empty) {
        return;
    }
    let Ok(themes) = yuqing_themes::ThemeSet::load(&mail.themes_file) else {
        return;
    };
    for (i, ids) in mail.recipient_themes.iter().enumerate() {
        for t in ids {
            if well_formed_theme_id(t) && themes.theme(t).is_none() {
                problems.push(format!(
                    "{file}: mail.recipient[{i}].themes: {t:?} is not a theme id in {} \
                     (section ids such as \"s4\", item ids such as \"s4.i10\")",
                    mail.themes_file.display()
                ));
            }
        }
    }
}

/// Where the value of the `yuqing.toml` key `key` came from, as a problem names it:
/// `environment: YUQING_ANALYSIS_THEMES_FILE` when that variable is set (it overrides the
/// file, as in `yuqing_config`), else `<config file>: analysis.themes_file`.
fn origin(config_path: &Path, key: &str) -> String {
    let var = yuqing_config::env_var_for(key);
    if std::env::var_os(&var).is_some() {
        format!("{}: {var}", yuqing_config::ENV_ORIGIN)
    } else {
        format!("{}: {key}", config_path.display())
    }
}

/// Checks the themes file, the dictionaries, the lexicon and the model, appending every
/// problem; returns the themes and lexicon part of the summary line. A themes file or
/// dictionary directory that cannot be read is named with the key that points at it
/// (`config/yuqing.toml: analysis.themes_file: cannot read themes file …`).
fn check_other_files(config_path: &Path, paths: &Paths, problems: &mut Vec<String>) -> String {
    let themes = match yuqing_themes::ThemeSet::load(&paths.themes_file) {
        Ok(t) => format!(
            "{} themes in {}",
            t.themes().len(),
            paths.themes_file.display()
        ),
        Err(e @ yuqing_themes::ThemesError::Read { .. }) => {
            problems.push(format!(
                "{}: {e}; yuqing serve (web UI), report, coverage, alert send and themes list \
                 need the plan themes, and run matches no article to the plan without them",
                origin(config_path, "analysis.themes_file")
            ));
            String::new()
        }
        Err(e) => {
            // Invalid lists every problem as `file: key: message`, one per line.
            problems.extend(e.to_string().lines().map(|l| l.trim().to_string()));
            String::new()
        }
    };

    // Every bad dictionary line (`file:line: what is wrong`), the lines `run` skips with a
    // warning.
    let segmenter = match yuqing_text::Segmenter::load_with_problems(Some(&paths.dict_dir)) {
        Ok((s, dict_problems)) => {
            problems.extend(dict_problems.iter().map(ToString::to_string));
            dict_problems.is_empty().then_some(s)
        }
        Err(e @ yuqing_text::TextError::DictDir { .. }) => {
            problems.push(format!(
                "{}: {e}; yuqing run and serve refuse to start without it",
                origin(config_path, "text.dict_dir")
            ));
            None
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };

    let (lexicon, lexicon_summary) = if paths.lexicon_dir.exists() {
        let found = yuqing_sentiment::Lexicon::problems(&paths.lexicon_dir);
        let lexicon = if found.is_empty() {
            yuqing_sentiment::Lexicon::load(&paths.lexicon_dir)
                .map_err(|e| problems.push(e.to_string()))
                .ok()
        } else {
            problems.extend(found.iter().map(ToString::to_string));
            None
        };
        (
            lexicon,
            format!("lexicon in {}", paths.lexicon_dir.display()),
        )
    } else {
        (
            Some(yuqing_sentiment::Lexicon::builtin()),
            format!(
                "built-in lexicon (no lexicon dir at {})",
                paths.lexicon_dir.display()
            ),
        )
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
    format!("{themes}, {lexicon_summary}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config dir with the shipped `sources.toml`, `sites.toml`, themes, dictionary and
    /// lexicon, and `main` as `yuqing.toml` (data dir inside the temp dir).
    fn config_dir(main: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        for f in ["sources.toml", "sites.toml", "themes.toml"] {
            std::fs::copy(shipped.join(f), dir.path().join(f)).unwrap();
        }
        for sub in ["dict", "lexicon"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            for e in std::fs::read_dir(shipped.join(sub)).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
            }
        }
        let data = dir.path().join("data");
        let main = format!("version = 1\n[data]\ndir = {:?}\n{main}", data.display());
        let path = dir.path().join("yuqing.toml");
        std::fs::write(&path, main).unwrap();
        (dir, path)
    }

    const SMTP_USER_NO_PASSWORD: &str = "[mail]\nsmtp_host = \"smtp.example.gov.cn\"\n\
        smtp_username = \"yuqing\"\n";

    #[test]
    fn a_user_name_without_a_password_source_is_flagged() {
        let (_dir, path) = config_dir(SMTP_USER_NO_PASSWORD);
        let (config, _, problems) = collect(&path, false);
        assert!(config.is_some(), "{problems:?}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].ends_with(
                "yuqing.toml: mail.smtp_username: set, but no password source: set \
                 mail.smtp_password_file or the YUQING_SMTP_PASSWORD variable"
            ),
            "{problems:?}"
        );
        // The variable is a password source; so is a readable password file.
        let (_, _, problems) = collect(&path, true);
        assert!(problems.is_empty(), "{problems:?}");
        let (dir, path) = config_dir(&format!(
            "{SMTP_USER_NO_PASSWORD}smtp_password_file = \"smtp.secret\"\n"
        ));
        std::fs::write(dir.path().join("smtp.secret"), "hunter2\n").unwrap();
        let (_, _, problems) = collect(&path, false);
        assert!(problems.is_empty(), "{problems:?}");
    }

    /// Issue 5: a malformed theme id made `yuqing.toml` invalid and hid every other mail
    /// problem; now they are all listed, each once.
    #[test]
    fn every_mail_problem_is_listed_at_once() {
        let main = format!(
            "{SMTP_USER_NO_PASSWORD}\n[[mail.recipient]]\nemail = \"wang@example.gov.cn\"\n\
             themes = [\"S5\", \"s99\"]\n\
             [[mail.recipient]]\nemail = \"li@example.gov.cn\"\n\
             [[mail.recipient]]\nemail = \"WANG@example.gov.cn\"\n"
        );
        let (_dir, path) = config_dir(&main);
        let (config, _, problems) = collect(&path, false);
        assert!(config.is_none());
        let with = |needle: &str| problems.iter().filter(|p| p.contains(needle)).count();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert_eq!(
            with("mail.recipient[0].themes: \"S5\" is not a theme id such as"),
            1,
            "{problems:?}"
        );
        assert_eq!(
            with("mail.recipient[0].themes: \"s99\" is not a theme id in"),
            1,
            "{problems:?}"
        );
        assert_eq!(
            with(
                "mail.recipient[2].email: \"WANG@example.gov.cn\" duplicates mail.recipient[0].email"
            ),
            1,
            "{problems:?}"
        );
        assert_eq!(
            with("mail.smtp_username: set, but no password source"),
            1,
            "{problems:?}"
        );
    }
}
