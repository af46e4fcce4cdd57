//! # yuqing-config: which settings, sources and site rules are in force, and what is wrong with them?
//!
//! Loads `yuqing.toml` and the `sources.toml` and `sites.toml` beside it into one typed
//! [`Config`]. Values are layered **defaults < file < `YUQING_*` environment**, and command-line
//! flags are applied by the binary on top. Loading is pure apart from reading the three files:
//! no network, no clock.
//!
//! Each file is first read into raw serde structs (`deny_unknown_fields`, so a misspelt key
//! is an error, not a silently ignored setting), then one validation step checks every value
//! and collects **every** problem, each naming its file and key
//! (`config/sources.toml: source[3].url: "ftp://x" is not an http(s) URL`). A TOML syntax
//! error is reported with its line (`config/sites.toml: line 12: not valid TOML: ...`), as is
//! every unknown key and wrongly typed value (each is left out in turn, so the first one
//! serde meets hides neither the others nor the file's other values).
//! [`Config::load`] stops at the first file that cannot be read; [`Config::check`] lists it
//! as one more problem and goes on with the others.
//!
//! Environment overrides: every `yuqing.toml` key `section.key` can be set with
//! `YUQING_SECTION_KEY` (`fetch.timeout_ms` -> `YUQING_FETCH_TIMEOUT_MS`, `data.dir` ->
//! `YUQING_DATA_DIR`, `timezone` -> `YUQING_TIMEZONE`). A set variable always overrides, even
//! empty: an empty string key means the empty string (`YUQING_MAIL_SMTP_HOST=` turns SMTP
//! off, as `smtp_host = ""` does), an empty number or boolean key is an error naming the
//! variable (as `smtp_port = ""` in the file is); unset the variable to keep the file's value.
//! `YUQING_CONFIG` chooses the file itself (see [`resolve_config_path`]).
//!
//! Secrets (the SMTP password, a web login) never go in these files: they will be read from
//! the environment or a `*_FILE` path when those features land, and are redacted in dumps.
//!
//! ```
//! use std::path::Path;
//! use yuqing_config::Config;
//!
//! // The configuration shipped with the project, without environment overrides.
//! let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/yuqing.toml"));
//! let config = Config::load_with_env(path, &|_| None).expect("shipped config is valid");
//! assert_eq!(config.timezone, "Asia/Shanghai");
//! assert!(config.fetch.user_agent.contains("Yuqing"));
//! assert!(config.sources.iter().any(|s| s.url.contains("spb.gov.cn")));
//! assert!(config.sites.windows(2).all(|w| w[0].domain < w[1].domain));
//! ```
#![warn(missing_docs)]

mod error;
mod load;
mod lock;
mod raw;
mod settings;

use std::path::{Path, PathBuf};

use serde::Serialize;
use yuqing_model::{FetchSettings, SiteRule, SourceSpec};

pub use error::{ConfigError, ENV_ORIGIN, Problem};
pub use lock::{DataDirLock, LOCK_FILE_NAME};
pub use settings::{
    CrawlSettings, IndexSettings, MailConfig, RecipientConfig, ScheduleSettings, SmtpConfig,
    SmtpTls, WebSettings,
};

/// Where the configuration is read from when neither a flag nor `YUQING_CONFIG` says otherwise
/// (relative to the working directory).
pub const DEFAULT_CONFIG_PATH: &str = "config/yuqing.toml";

/// Environment variable naming the configuration file.
pub const CONFIG_PATH_ENV: &str = "YUQING_CONFIG";

/// The configuration file to read: the `--config` flag if given, else `YUQING_CONFIG` if set
/// and non-empty, else [`DEFAULT_CONFIG_PATH`]. Reads the process environment.
pub fn resolve_config_path(flag: Option<&Path>) -> PathBuf {
    resolve_config_path_with_env(flag, &|name| std::env::var(name).ok())
}

/// [`resolve_config_path`] with an injected environment lookup (for tests and embedding).
pub fn resolve_config_path_with_env(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match env(CONFIG_PATH_ENV) {
        Some(p) if !p.trim().is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_CONFIG_PATH),
    }
}

/// The validated configuration in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// The `yuqing.toml` that was read, as given.
    pub path: PathBuf,
    /// Its directory (`.` when `path` has none); `sources.toml`, `sites.toml` and relative
    /// `dict_dir` are found here.
    pub config_dir: PathBuf,
    /// `[data] dir` (env `YUQING_DATA_DIR`), default `data`: the store and index live here.
    /// A relative path is relative to the working directory, not to the config file.
    pub data_dir: PathBuf,
    /// IANA time zone used for schedules and for reading times without a zone; default
    /// `Asia/Shanghai`; checked with chrono-tz.
    pub timezone: String,
    /// `[fetch]`: HTTP behaviour (see [`FetchSettings`] for units and defaults).
    pub fetch: FetchSettings,
    /// `[crawl]`: what is kept and followed.
    pub crawl: CrawlSettings,
    /// `[index]`: index writer budget and commit batching.
    pub index: IndexSettings,
    /// `sources.toml` `[[source]]` entries, in file order, ids unique.
    pub sources: Vec<SourceSpec>,
    /// `sites.toml` `[[site]]` rules, sorted by domain, domains unique.
    pub sites: Vec<SiteRule>,
    /// `[text] dict_dir` (default `dict`) joined to `config_dir` when relative: the jieba user
    /// dictionaries (`*.txt`, `word freq tag` per line).
    pub dict_dir: PathBuf,
    /// `[analysis] themes_file` (default `themes.toml`) joined to `config_dir` when relative:
    /// the plan themes (专题) and their rules, read by `yuqing_themes::ThemeSet::load`.
    pub themes_file: PathBuf,
    /// `[analysis] lexicon_dir` (default `lexicon`) joined to `config_dir` when relative: the
    /// sentiment lexicon of the default model.
    pub lexicon_dir: PathBuf,
    /// `[analysis] sentiment_model` (default `sentiment-model.json`) joined to `data_dir` when
    /// relative: the model `yuqing sentiment train` writes; used instead of the lexicon model
    /// when the file exists.
    pub sentiment_model: PathBuf,
    /// `[mail]`: alert e-mail (SMTP or outbox) and recipients.
    pub mail: MailConfig,
    /// `[schedule]`: what `yuqing serve` runs and when.
    pub schedule: ScheduleSettings,
    /// `[web]`: the web UI and JSON API of `yuqing serve`.
    pub web: WebSettings,
}

impl Config {
    /// Loads `path` (normally from [`resolve_config_path`]) and the `sources.toml` and
    /// `sites.toml` beside it, with `YUQING_*` overrides from the process environment.
    ///
    /// Errors: [`ConfigError::Io`] naming the first file that cannot be read;
    /// [`ConfigError::Invalid`] listing every problem found in all three files and the
    /// environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_with_env(path, &|name| std::env::var(name).ok())
    }

    /// [`Config::load`] with an injected environment lookup (name -> value), so tests can
    /// override settings without touching the process environment.
    pub fn load_with_env(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        load::load(path, env)
    }

    /// Loads as [`Config::load`] does, for `yuqing config check`: a file that cannot be read
    /// (missing, unreadable, not UTF-8) is one more [`Problem`] keyed `file`
    /// (`config/sources.toml: file: cannot read it: no such file or directory (os error 2)`),
    /// not an early error, so a missing `sources.toml` does not hide an unknown key or a
    /// file that is not TOML at all in `yuqing.toml` (`line 1: not valid TOML: ...`).
    ///
    /// Errors: every problem of the three files and the environment, in file order (the
    /// problems [`ConfigError::Invalid`] lists, plus the unreadable files).
    pub fn check(path: &Path) -> Result<Config, Vec<Problem>> {
        Config::check_with_env(path, &|name| std::env::var(name).ok())
    }

    /// [`Config::check`] with an injected environment lookup (name -> value).
    pub fn check_with_env(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<Problem>> {
        load::check(path, env)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&SourceSpec> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The site rule for `host`: the rule whose domain equals the host or is its longest
    /// parent domain (`spb.gov.cn` serves `www.spb.gov.cn`, not `xspb.gov.cn`).
    /// `host` is compared case-insensitively.
    pub fn site_rule(&self, host: &str) -> Option<&SiteRule> {
        let host = host.to_ascii_lowercase();
        self.sites
            .iter()
            .filter(|r| {
                host == r.domain
                    || host
                        .strip_suffix(r.domain.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
            .max_by_key(|r| r.domain.len())
    }
}

/// The environment variable that overrides the dotted `yuqing.toml` key `key`:
/// `fetch.timeout_ms` -> `YUQING_FETCH_TIMEOUT_MS`.
pub fn env_var_for(key: &str) -> String {
    load::env_name(key)
}
