//! Reading the three files, layering defaults < file < environment, and the one `validate`
//! step that collects every problem.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use yuqing_model::{FetchSettings, SiteRule, SourceKind, SourceSpec, Tier};

use crate::error::{ENV_ORIGIN, Problem};
use crate::raw::{RawMain, RawSite, RawSites, RawSource, RawSources};
use crate::{
    Config, ConfigError, CrawlSettings, IndexSettings, MailConfig, RecipientConfig,
    ScheduleSettings, SmtpConfig, SmtpTls, WebSettings,
};

/// Environment lookup: variable name to value (`None` when unset).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Longest source `interval` (seconds) accepted: 30 days.
const MAX_INTERVAL_SECS: i64 = 30 * 24 * 3600;

pub(crate) fn read(file: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(file).map_err(|source| ConfigError::Io {
        file: file.to_path_buf(),
        source,
    })
}

/// Parses one file. A TOML syntax error becomes a problem keyed `line N` whose message starts
/// `not valid TOML:` (a file that is not TOML at all, such as `/etc/passwd`, says so) and
/// `None` is returned, so the other files are still checked and no follow-on problems are
/// invented. Each unknown key or wrongly typed value becomes a problem keyed `line N` with
/// serde's message; serde stops at the first, so the entry it points at is left out and the
/// rest deserialized again until none is left (at most [`MAX_TYPE_PROBLEMS`] rounds): every
/// one is listed, and the file's other values are still validated (a value left out may also
/// be reported missing). A valid file costs one parse.
fn parse<T: DeserializeOwned>(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<T> {
    if let Ok(raw) = toml::from_str::<T>(text) {
        return Some(raw);
    }
    let line_of = |e: &toml::de::Error| match e.span().and_then(|s| text.get(..s.start)) {
        Some(before) => format!("line {}", before.matches('\n').count() + 1),
        None => "file".to_string(),
    };
    let mut root = match toml::de::DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            problems.push(Problem {
                file: file.to_path_buf(),
                key: line_of(&e),
                message: format!("not valid TOML: {}", e.message().trim()),
            });
            return None;
        }
    };
    for _ in 0..MAX_TYPE_PROBLEMS {
        let e = match T::deserialize(toml::de::Deserializer::from(root.clone())) {
            Ok(raw) => return Some(raw),
            Err(e) => e,
        };
        problems.push(Problem {
            file: file.to_path_buf(),
            key: line_of(&e),
            message: e.message().trim().to_string(),
        });
        match e.span() {
            Some(span) if prune(root.get_mut(), &span) => {}
            _ => return None,
        }
    }
    None
}

/// Most unknown keys and wrongly typed values [`parse`] lists in one file.
const MAX_TYPE_PROBLEMS: usize = 100;

/// Removes the innermost entry of `table` (searched through nested tables and arrays of
/// tables) whose key or value span covers `span`, the span of a deserialization error: the
/// unknown key, or the wrongly typed value (a whole array when an element is wrong). Returns
/// whether one was removed.
fn prune(table: &mut toml::de::DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    let covers = |s: std::ops::Range<usize>| s.start <= span.start && span.end <= s.end;
    let mut hit = None;
    for (key, value) in table.iter_mut() {
        let found_inside = match value.get_mut() {
            toml::de::DeValue::Table(t) => prune(t, span),
            toml::de::DeValue::Array(items) => items.iter_mut().any(|item| match item.get_mut() {
                toml::de::DeValue::Table(t) => prune(t, span),
                _ => false,
            }),
            _ => false,
        };
        if found_inside {
            return true;
        }
        if covers(key.span()) || covers(value.span()) {
            hit = Some(key.clone());
            break;
        }
    }
    hit.is_some_and(|key| table.remove(&key).is_some())
}

/// [`parse`] for a file that was read, else the [`unreadable`] problem and `None`.
fn parse_read<T: DeserializeOwned>(
    file: &Path,
    text: std::io::Result<String>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match text {
        Ok(text) => parse(file, &text, problems),
        Err(e) => {
            problems.push(unreadable(file, &e));
            None
        }
    }
}

/// The problem for a file that cannot be read, keyed `file`:
/// `cannot read it: no such file or directory (os error 2)`.
fn unreadable(file: &Path, e: &std::io::Error) -> Problem {
    let cause = e.to_string();
    let mut chars = cause.chars();
    let cause = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => cause,
    };
    Problem {
        file: file.to_path_buf(),
        key: "file".to_string(),
        message: format!("cannot read it: {cause}"),
    }
}

/// The environment variable overriding a dotted key: `fetch.timeout_ms` -> `YUQING_FETCH_TIMEOUT_MS`.
pub(crate) fn env_name(key: &str) -> String {
    format!("YUQING_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// Picks each `yuqing.toml` value from env, file or default, checks it and records problems
/// against where the value came from.
struct Layer<'a> {
    file: &'a Path,
    env: Env<'a>,
    problems: &'a mut Vec<Problem>,
}

impl Layer<'_> {
    /// The override of `key` from its `YUQING_*` variable, if set, blank included (strings:
    /// `YUQING_MAIL_SMTP_HOST=` sets the empty string, as `smtp_host = ""` in the file does).
    fn env_raw(&self, key: &str) -> Option<(String, String)> {
        let name = env_name(key);
        let value = (self.env)(&name)?;
        Some((name, value))
    }

    fn problem(&mut self, env_var: Option<&str>, key: &str, message: String) {
        let (file, key) = match env_var {
            Some(name) => (PathBuf::from(ENV_ORIGIN), name.to_string()),
            None => (self.file.to_path_buf(), key.to_string()),
        };
        self.problems.push(Problem { file, key, message });
    }

    /// An integer in `range`, converted to `T` (every range used fits its `T`).
    fn int<T: TryFrom<i64> + Copy>(
        &mut self,
        key: &str,
        file_value: Option<i64>,
        default: T,
        range: RangeInclusive<i64>,
    ) -> T {
        // Set, even blank, is an override: a blank one is an error (as `key = ""` in the
        // file is), never silently the file's value.
        let (value, var) = match self.env_raw(key) {
            Some((name, s)) => match s.trim().parse::<i64>() {
                Ok(v) => (v, Some(name)),
                Err(_) => {
                    let message = if s.trim().is_empty() {
                        "is set but empty: an integer is required (unset the variable to use \
                         the file's value)"
                            .to_string()
                    } else {
                        format!("{s:?} is not an integer")
                    };
                    self.problem(Some(&name), key, message);
                    return default;
                }
            },
            None => match file_value {
                Some(v) => (v, None),
                None => return default,
            },
        };
        if !range.contains(&value) {
            let message = format!(
                "{value} is out of range {}..={}",
                range.start(),
                range.end()
            );
            self.problem(var.as_deref(), key, message);
            return default;
        }
        T::try_from(value).unwrap_or(default)
    }

    fn boolean(&mut self, key: &str, file_value: Option<bool>, default: bool) -> bool {
        // Set, even blank, is an override: a blank one is an error, as for integers.
        match self.env_raw(key) {
            Some((name, s)) => match s.trim() {
                "true" | "1" => true,
                "false" | "0" => false,
                "" => {
                    let message = "is set but empty: a boolean is required (true, false, 1 or \
                                   0; unset the variable to use the file's value)"
                        .to_string();
                    self.problem(Some(&name), key, message);
                    default
                }
                other => {
                    let message = format!("{other:?} is not a boolean (true, false, 1 or 0)");
                    self.problem(Some(&name), key, message);
                    default
                }
            },
            None => file_value.unwrap_or(default),
        }
    }

    /// A string and the env variable it came from (`None` = file or default).
    fn string(
        &mut self,
        key: &str,
        file_value: Option<String>,
        default: &str,
    ) -> (String, Option<String>) {
        match self.env_raw(key) {
            Some((name, s)) => (s, Some(name)),
            None => (file_value.unwrap_or_else(|| default.to_string()), None),
        }
    }
}

/// The directory of `path` (`.` when it has none): where `sources.toml` and `sites.toml` are.
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads and validates `path` and the `sources.toml` / `sites.toml` beside it; the first
/// file that cannot be read is a [`ConfigError::Io`].
pub(crate) fn load(path: &Path, env: Env<'_>) -> Result<Config, ConfigError> {
    let dir = dir_of(path);
    let main_text = read(path)?;
    let sources_text = read(&dir.join("sources.toml"))?;
    let sites_text = read(&dir.join("sites.toml"))?;
    validate(path, env, [Ok(main_text), Ok(sources_text), Ok(sites_text)])
        .map_err(ConfigError::Invalid)
}

/// As [`load`], but a file that cannot be read is one more problem (keyed `file`) and the
/// other files are still read and validated: every problem of every file, in one list.
pub(crate) fn check(path: &Path, env: Env<'_>) -> Result<Config, Vec<Problem>> {
    let dir = dir_of(path);
    let texts = [
        std::fs::read_to_string(path),
        std::fs::read_to_string(dir.join("sources.toml")),
        std::fs::read_to_string(dir.join("sites.toml")),
    ];
    validate(path, env, texts)
}

/// Validates the texts of `path`, `sources.toml` and `sites.toml` (in that order; an `Err`
/// is a file that could not be read), collecting every problem.
fn validate(
    path: &Path,
    env: Env<'_>,
    texts: [std::io::Result<String>; 3],
) -> Result<Config, Vec<Problem>> {
    let config_dir = dir_of(path);
    let sources_path = config_dir.join("sources.toml");
    let sites_path = config_dir.join("sites.toml");
    let [main_text, sources_text, sites_text] = texts;

    let mut problems = Vec::new();
    let raw: Option<RawMain> = parse_read(path, main_text, &mut problems);
    let raw_sources: Option<RawSources> = parse_read(&sources_path, sources_text, &mut problems);
    let raw_sites: Option<RawSites> = parse_read(&sites_path, sites_text, &mut problems);

    match raw.as_ref().map(|r| r.version) {
        None | Some(Some(1)) => {}
        Some(Some(v)) => problems.push(Problem {
            file: path.to_path_buf(),
            key: "version".into(),
            message: format!("version {v} is not supported (this build reads version 1)"),
        }),
        Some(None) => problems.push(Problem {
            file: path.to_path_buf(),
            key: "version".into(),
            message: "missing (add `version = 1` at the top)".into(),
        }),
    }

    // Validation goes on with defaults for a file that did not parse.
    let raw = raw.unwrap_or_default();
    let mut layer = Layer {
        file: path,
        env,
        problems: &mut problems,
    };

    let (data_dir, _) = layer.string("data.dir", raw.data.dir, "data");
    let (timezone, tz_var) = layer.string("timezone", raw.timezone, "Asia/Shanghai");
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        let message = format!("{timezone:?} is not an IANA time zone such as \"Asia/Shanghai\"");
        layer.problem(tz_var.as_deref(), "timezone", message);
    }

    let d = FetchSettings::default();
    let f = raw.fetch;
    let (user_agent, ua_var) = layer.string("fetch.user_agent", f.user_agent, &d.user_agent);
    if !user_agent.contains("Yuqing") {
        let message =
            format!("{user_agent:?} must contain \"Yuqing\" so sites can identify the crawler");
        layer.problem(ua_var.as_deref(), "fetch.user_agent", message);
    } else if user_agent.chars().any(char::is_control) {
        let message = "contains control characters".to_string();
        layer.problem(ua_var.as_deref(), "fetch.user_agent", message);
    }
    let fetch = FetchSettings {
        user_agent,
        connect_timeout_ms: layer.int(
            "fetch.connect_timeout_ms",
            f.connect_timeout_ms,
            d.connect_timeout_ms,
            100..=300_000,
        ),
        timeout_ms: layer.int(
            "fetch.timeout_ms",
            f.timeout_ms,
            d.timeout_ms,
            100..=600_000,
        ),
        max_body_bytes: layer.int(
            "fetch.max_body_bytes",
            f.max_body_bytes,
            d.max_body_bytes,
            1024..=1 << 30,
        ),
        max_redirects: layer.int(
            "fetch.max_redirects",
            f.max_redirects,
            d.max_redirects,
            0..=20,
        ),
        per_host_rps: layer.int(
            "fetch.per_host_rps",
            f.per_host_rps,
            d.per_host_rps,
            1..=100,
        ),
        concurrency: layer.int("fetch.concurrency", f.concurrency, d.concurrency, 1..=256),
        retries: layer.int("fetch.retries", f.retries, d.retries, 0..=10),
        backoff_ms: layer.int("fetch.backoff_ms", f.backoff_ms, d.backoff_ms, 0..=60_000),
        respect_robots: layer.boolean("fetch.respect_robots", f.respect_robots, d.respect_robots),
    };
    if fetch.timeout_ms < fetch.connect_timeout_ms {
        let message = format!(
            "{} ms is shorter than fetch.connect_timeout_ms ({} ms)",
            fetch.timeout_ms, fetch.connect_timeout_ms
        );
        layer.problem(None, "fetch.timeout_ms", message);
    }

    let d = CrawlSettings::default();
    let c = raw.crawl;
    let crawl = CrawlSettings {
        min_body_chars: layer.int(
            "crawl.min_body_chars",
            c.min_body_chars,
            d.min_body_chars,
            0..=100_000,
        ),
        max_links_per_listing: layer.int(
            "crawl.max_links_per_listing",
            c.max_links_per_listing,
            d.max_links_per_listing,
            1..=10_000,
        ),
        feed_full_text_min_chars: layer.int(
            "crawl.feed_full_text_min_chars",
            c.feed_full_text_min_chars,
            d.feed_full_text_min_chars,
            0..=1_000_000,
        ),
        refetch_known_articles: layer.boolean(
            "crawl.refetch_known_articles",
            c.refetch_known_articles,
            d.refetch_known_articles,
        ),
    };

    let d = IndexSettings::default();
    let i = raw.index;
    let index = IndexSettings {
        writer_heap_mb: layer.int(
            "index.writer_heap_mb",
            i.writer_heap_mb,
            d.writer_heap_mb,
            15..=16_384,
        ),
        commit_every: layer.int(
            "index.commit_every",
            i.commit_every,
            d.commit_every,
            1..=1_000_000,
        ),
    };

    let (dict_dir, _) = layer.string("text.dict_dir", raw.text.dict_dir, "dict");
    let a = raw.analysis;
    let (themes_file, _) = layer.string("analysis.themes_file", a.themes_file, "themes.toml");
    let (lexicon_dir, _) = layer.string("analysis.lexicon_dir", a.lexicon_dir, "lexicon");
    let (sentiment_model, _) = layer.string(
        "analysis.sentiment_model",
        a.sentiment_model,
        "sentiment-model.json",
    );

    let m = raw.mail;
    let (from, from_var) = layer.string("mail.from", m.from, "Yuqing 舆情 <yuqing@localhost>");
    if !from.contains('@') || from.chars().any(char::is_control) {
        let message =
            format!("{from:?} is not a mailbox such as \"舆情监测 <yuqing@example.com>\"");
        layer.problem(from_var.as_deref(), "mail.from", message);
    }
    let (outbox_dir, _) = layer.string("mail.outbox_dir", m.outbox_dir, "outbox");
    let (smtp_host, _) = layer.string("mail.smtp_host", m.smtp_host, "");
    let smtp_port: u16 = layer.int("mail.smtp_port", m.smtp_port, 587, 1..=65535);
    let (tls, tls_var) = layer.string("mail.smtp_tls", m.smtp_tls, "starttls");
    let tls = match tls.as_str() {
        "starttls" => SmtpTls::Starttls,
        "implicit" => SmtpTls::Implicit,
        "none" => SmtpTls::None,
        other => {
            let message = format!("{other:?} is not one of starttls, implicit, none");
            layer.problem(tls_var.as_deref(), "mail.smtp_tls", message);
            SmtpTls::Starttls
        }
    };
    let (username, _) = layer.string("mail.smtp_username", m.smtp_username, "");
    let (password_file, _) = layer.string("mail.smtp_password_file", m.smtp_password_file, "");
    let (ca_file, _) = layer.string("mail.smtp_ca_file", m.smtp_ca_file, "");
    let max_story_age_days: u32 = layer.int(
        "mail.max_story_age_days",
        m.max_story_age_days,
        7,
        0..=36500,
    );
    let smtp_host = smtp_host.trim().to_string();
    if tls == SmtpTls::None
        && !smtp_host.is_empty()
        && !matches!(smtp_host.as_str(), "localhost" | "127.0.0.1" | "::1")
    {
        let message =
            format!("smtp_tls = \"none\" is only allowed for a loopback host, not {smtp_host:?}");
        layer.problem(None, "mail.smtp_tls", message);
    }
    let smtp = (!smtp_host.is_empty()).then(|| SmtpConfig {
        host: smtp_host,
        port: smtp_port,
        tls,
        username: (!username.trim().is_empty()).then(|| username.trim().to_string()),
        password_file: (!password_file.trim().is_empty())
            .then(|| config_dir.join(password_file.trim())),
        ca_file: (!ca_file.trim().is_empty()).then(|| config_dir.join(ca_file.trim())),
    });
    let mut recipients = Vec::new();
    for (i, r) in m.recipient.into_iter().enumerate() {
        let key = |k: &str| format!("mail.recipient[{i}].{k}");
        let email = r.email.unwrap_or_default().trim().to_string();
        if email.is_empty()
            || !email.contains('@')
            || email.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            layer.problem(
                None,
                &key("email"),
                format!("{email:?} is not an e-mail address"),
            );
        }
        let min = r.min_negative_score.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&min) {
            layer.problem(
                None,
                &key("min_negative_score"),
                format!("{min} is outside 0..=1"),
            );
        }
        let themes = r.themes.unwrap_or_default();
        for t in &themes {
            let ok = t.strip_prefix('s').is_some_and(|rest| {
                let mut parts = rest.splitn(2, ".i");
                let sec = parts.next().unwrap_or("");
                !sec.is_empty()
                    && sec.bytes().all(|b| b.is_ascii_digit())
                    && parts
                        .next()
                        .is_none_or(|it| !it.is_empty() && it.bytes().all(|b| b.is_ascii_digit()))
            });
            if !ok {
                layer.problem(
                    None,
                    &key("themes"),
                    format!("{t:?} is not a theme id such as \"s4\" or \"s4.i10\""),
                );
            }
        }
        // Deliveries are keyed by the lowercase address: a second entry for one address
        // would race the first for the same stories.
        if !email.is_empty()
            && let Some(first) = recipients
                .iter()
                .position(|p: &RecipientConfig| p.email.eq_ignore_ascii_case(&email))
        {
            layer.problem(
                None,
                &key("email"),
                format!(
                    "{email:?} duplicates mail.recipient[{first}].email (addresses compare \
                     case-insensitively; give one entry several themes instead)"
                ),
            );
        }
        recipients.push(RecipientConfig {
            name: r.name.unwrap_or_else(|| email.clone()),
            email,
            themes,
            min_negative_score: min as f32,
        });
    }
    let mail = MailConfig {
        from,
        outbox_dir: Path::new(&data_dir).join(outbox_dir),
        smtp,
        recipients,
        max_story_age_days,
    };

    let schedule = validate_schedule(&mut layer, raw.schedule);
    let web = validate_web(&mut layer, raw.web);

    let sources = match raw_sources {
        Some(raw) => validate_sources(&sources_path, raw.source, &mut problems),
        None => Vec::new(),
    };
    let sites = match raw_sites {
        Some(raw) => validate_sites(&sites_path, raw.site, &mut problems),
        None => Vec::new(),
    };

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        path: path.to_path_buf(),
        dict_dir: config_dir.join(dict_dir),
        themes_file: config_dir.join(themes_file),
        lexicon_dir: config_dir.join(lexicon_dir),
        sentiment_model: Path::new(&data_dir).join(sentiment_model),
        mail,
        schedule,
        web,
        config_dir,
        data_dir: PathBuf::from(data_dir),
        timezone,
        fetch,
        crawl,
        index,
        sources,
        sites,
    })
}

/// `[a-z0-9_-]+`.
fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `Some(message)` when `css` does not parse as a selector (scraper / selectors grammar).
fn selector_error(css: &str) -> Option<String> {
    if css.trim().is_empty() {
        return Some("empty CSS selector".to_string());
    }
    use scraper::error::SelectorErrorKind as K;
    match scraper::Selector::parse(css) {
        Ok(_) => None,
        // scraper's message for most grammar errors is "Unexpected error occurred. Please
        // report this to the developer" and a multi-line debug dump: say it plainly.
        Err(K::UnexpectedSelectorParseError(_)) => Some(format!(
            "{css:?} is not a valid CSS selector (unsupported or malformed selector syntax)"
        )),
        Err(K::EndOfLine) => Some(format!(
            "{css:?} is not a valid CSS selector (it ends too early)"
        )),
        Err(e) => Some(format!(
            "{css:?} is not a valid CSS selector ({})",
            e.to_string().to_lowercase()
        )),
    }
}

fn http_url_error(url: &str) -> Option<String> {
    match url::Url::parse(url) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            None
        }
        Ok(_) => Some(format!("{url:?} is not an http(s) URL")),
        Err(e) => Some(format!("{url:?} is not an http(s) URL ({e})")),
    }
}

fn validate_sources(
    file: &Path,
    raw: Vec<RawSource>,
    problems: &mut Vec<Problem>,
) -> Vec<SourceSpec> {
    let mut out = Vec::with_capacity(raw.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    if raw.is_empty() {
        problems.push(Problem {
            file: file.to_path_buf(),
            key: "source".into(),
            message: "no [[source]] entries: there is nothing to crawl".into(),
        });
    }
    for (i, s) in raw.into_iter().enumerate() {
        let before = problems.len();
        let mut bad = |field: &str, message: String| {
            problems.push(Problem {
                file: file.to_path_buf(),
                key: format!("source[{i}].{field}"),
                message,
            });
        };
        let missing = || "missing (required)".to_string();

        match &s.id {
            None => bad("id", missing()),
            Some(id) if !is_valid_id(id) => bad("id", format!("{id:?} must match [a-z0-9_-]+")),
            Some(id) => {
                if let Some(first) = seen.get(id) {
                    bad(
                        "id",
                        format!("duplicate id {id:?} (first used by source[{first}])"),
                    );
                } else {
                    seen.insert(id.clone(), i);
                }
            }
        }
        match &s.name {
            Some(n) if !n.trim().is_empty() => {}
            _ => bad("name", missing()),
        }
        let kind = match s.kind.as_deref() {
            None => {
                bad("kind", missing());
                None
            }
            Some("feed") => Some(SourceKind::Feed),
            Some("listing") => Some(SourceKind::Listing),
            Some("page") => Some(SourceKind::Page),
            Some(k) => {
                bad("kind", format!("{k:?} is not one of feed, listing, page"));
                None
            }
        };
        match &s.url {
            None => bad("url", missing()),
            Some(u) => {
                if let Some(m) = http_url_error(u) {
                    bad("url", m);
                }
            }
        }
        let tier = match s.tier.as_deref() {
            None => {
                bad("tier", missing());
                None
            }
            Some(t) => {
                let tier = Tier::parse(t);
                if tier.is_none() {
                    bad(
                        "tier",
                        format!(
                            "{t:?} is not one of central, provincial, industry, commercial, self-media"
                        ),
                    );
                }
                tier
            }
        };
        if let Some(v) = s.interval
            && !(1..=MAX_INTERVAL_SECS).contains(&v)
        {
            bad(
                "interval",
                format!("{v} is out of range 1..={MAX_INTERVAL_SECS} (seconds)"),
            );
        }
        match (&s.link_selector, kind) {
            (None, Some(SourceKind::Listing)) => {
                bad("link_selector", "required for kind = \"listing\"".into())
            }
            (Some(_), Some(k)) if k != SourceKind::Listing => bad(
                "link_selector",
                format!(
                    "only used by kind = \"listing\", this source is {:?}",
                    k.as_str()
                ),
            ),
            (Some(css), _) => {
                if let Some(m) = selector_error(css) {
                    bad("link_selector", m);
                }
            }
            _ => {}
        }

        if problems.len() == before
            && let (Some(id), Some(name), Some(kind), Some(url), Some(tier)) =
                (s.id, s.name, kind, s.url, tier)
        {
            out.push(SourceSpec {
                id,
                name,
                kind,
                url,
                tier,
                interval_secs: s.interval.and_then(|v| u64::try_from(v).ok()),
                link_selector: s.link_selector,
            });
        }
    }
    out
}

/// A host name as written in a rule: lowercase, no scheme, path, port or leading dot.
fn domain_error(domain: &str) -> Option<String> {
    let plain = !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.contains('.');
    if plain && url::Host::parse(domain).is_ok() {
        None
    } else {
        Some(format!(
            "{domain:?} is not a lowercase host name such as \"spb.gov.cn\" (no scheme, path or port)"
        ))
    }
}

fn validate_sites(file: &Path, raw: Vec<RawSite>, problems: &mut Vec<Problem>) -> Vec<SiteRule> {
    let mut out = Vec::with_capacity(raw.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, s) in raw.into_iter().enumerate() {
        let before = problems.len();
        let mut bad = |field: &str, message: String| {
            problems.push(Problem {
                file: file.to_path_buf(),
                key: format!("site[{i}].{field}"),
                message,
            });
        };
        match &s.domain {
            None => bad("domain", "missing (required)".into()),
            Some(d) => {
                if let Some(m) = domain_error(d) {
                    bad("domain", m);
                } else if let Some(first) = seen.get(d) {
                    bad(
                        "domain",
                        format!("duplicate domain {d:?} (first used by site[{first}])"),
                    );
                } else {
                    seen.insert(d.clone(), i);
                }
            }
        }
        let fields = [
            ("title", &s.title),
            ("body", &s.body),
            ("date", &s.date),
            ("author", &s.author),
        ];
        for (field, css) in fields {
            if let Some(m) = css.as_deref().and_then(selector_error) {
                bad(field, m);
            }
        }
        for (j, css) in s.noise.iter().enumerate() {
            if let Some(m) = selector_error(css) {
                bad(&format!("noise[{j}]"), m);
            }
        }
        if s.title.is_none() && s.body.is_none() && s.date.is_none() && s.author.is_none() {
            bad(
                "body",
                "the rule has no title, body, date or author selector".into(),
            );
        }
        if problems.len() == before
            && let Some(domain) = s.domain
        {
            out.push(SiteRule {
                domain,
                title: s.title,
                body: s.body,
                date: s.date,
                author: s.author,
                noise: s.noise,
            });
        }
    }
    out.sort_by(|a, b| a.domain.cmp(&b.domain));
    out
}

/// `[schedule]`: intervals in range, cron expressions parsed by croner (seconds optional),
/// report formats known.
fn validate_schedule(layer: &mut Layer<'_>, s: crate::raw::RawSchedule) -> ScheduleSettings {
    let d = ScheduleSettings::default();
    let crawl_every_minutes = layer.int(
        "schedule.crawl_every_minutes",
        s.crawl_every_minutes,
        d.crawl_every_minutes,
        0..=10_080,
    );
    let cron = |layer: &mut Layer<'_>, key: &str, value: Option<String>, default: &str| {
        let (expr, var) = layer.string(key, value, default);
        let expr = expr.trim().to_string();
        if !expr.is_empty() {
            let parser = croner::parser::CronParser::builder()
                .seconds(croner::parser::Seconds::Optional)
                .build();
            if let Err(e) = parser.parse(&expr) {
                let message = format!(
                    "{expr:?} is not a cron expression (minute hour day month weekday, e.g. \"30 7 * * *\"): {e}"
                );
                layer.problem(var.as_deref(), key, message);
            }
        }
        expr
    };
    let daily_report_cron = cron(
        layer,
        "schedule.daily_report_cron",
        s.daily_report_cron,
        &d.daily_report_cron,
    );
    let weekly_report_cron = cron(
        layer,
        "schedule.weekly_report_cron",
        s.weekly_report_cron,
        &d.weekly_report_cron,
    );
    let alert_cron = cron(layer, "schedule.alert_cron", s.alert_cron, &d.alert_cron);
    let report_formats = match s.report_formats {
        None => d.report_formats,
        Some(list) => {
            for f in &list {
                if !matches!(f.as_str(), "html" | "md" | "docx" | "xlsx") {
                    let message = format!("{f:?} is not one of html, md, docx, xlsx");
                    layer.problem(None, "schedule.report_formats", message);
                }
            }
            list
        }
    };
    ScheduleSettings {
        crawl_every_minutes,
        daily_report_cron,
        weekly_report_cron,
        report_formats,
        alert_cron,
    }
}

/// `[web]`: a socket address and sane limits.
fn validate_web(layer: &mut Layer<'_>, w: crate::raw::RawWeb) -> WebSettings {
    let d = WebSettings::default();
    let (listen, var) = layer.string("web.listen", w.listen, &d.listen.to_string());
    let listen = match listen.trim().parse::<std::net::SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => {
            let message = format!("{listen:?} is not a socket address such as \"127.0.0.1:8080\"");
            layer.problem(var.as_deref(), "web.listen", message);
            d.listen
        }
    };
    WebSettings {
        listen,
        session_hours: layer.int(
            "web.session_hours",
            w.session_hours,
            d.session_hours,
            1..=720,
        ),
        secure_cookie: layer.boolean("web.secure_cookie", w.secure_cookie, d.secure_cookie),
        login_attempts_per_minute: layer.int(
            "web.login_attempts_per_minute",
            w.login_attempts_per_minute,
            d.login_attempts_per_minute,
            1..=1000,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped `yuqing.toml` writes out every option (none left to an implicit default).
    #[test]
    fn shipped_main_file_lists_every_option() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/yuqing.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let raw: RawMain = toml::from_str(&text).unwrap();
        let f = &raw.fetch;
        let c = &raw.crawl;
        let i = &raw.index;
        let present = [
            raw.version.is_some(),
            raw.timezone.is_some(),
            raw.data.dir.is_some(),
            f.user_agent.is_some(),
            f.connect_timeout_ms.is_some(),
            f.timeout_ms.is_some(),
            f.max_body_bytes.is_some(),
            f.max_redirects.is_some(),
            f.per_host_rps.is_some(),
            f.concurrency.is_some(),
            f.retries.is_some(),
            f.backoff_ms.is_some(),
            f.respect_robots.is_some(),
            c.min_body_chars.is_some(),
            c.max_links_per_listing.is_some(),
            c.feed_full_text_min_chars.is_some(),
            c.refetch_known_articles.is_some(),
            i.writer_heap_mb.is_some(),
            i.commit_every.is_some(),
            raw.text.dict_dir.is_some(),
            raw.analysis.themes_file.is_some(),
            raw.analysis.lexicon_dir.is_some(),
            raw.analysis.sentiment_model.is_some(),
            raw.mail.from.is_some(),
            raw.mail.outbox_dir.is_some(),
            raw.mail.smtp_host.is_some(),
            raw.mail.smtp_port.is_some(),
            raw.mail.smtp_tls.is_some(),
            raw.mail.smtp_username.is_some(),
            raw.mail.smtp_password_file.is_some(),
            raw.mail.smtp_ca_file.is_some(),
            raw.mail.max_story_age_days.is_some(),
            raw.schedule.crawl_every_minutes.is_some(),
            raw.schedule.daily_report_cron.is_some(),
            raw.schedule.weekly_report_cron.is_some(),
            raw.schedule.report_formats.is_some(),
            raw.schedule.alert_cron.is_some(),
            raw.web.listen.is_some(),
            raw.web.session_hours.is_some(),
            raw.web.secure_cookie.is_some(),
            raw.web.login_attempts_per_minute.is_some(),
        ];
        let missing: Vec<usize> = (0..present.len()).filter(|&k| !present[k]).collect();
        assert!(
            missing.is_empty(),
            "options missing at positions {missing:?}"
        );
    }

    #[test]
    fn env_names_follow_the_key() {
        assert_eq!(env_name("fetch.timeout_ms"), "YUQING_FETCH_TIMEOUT_MS");
        assert_eq!(env_name("data.dir"), "YUQING_DATA_DIR");
        assert_eq!(env_name("timezone"), "YUQING_TIMEZONE");
    }
}
