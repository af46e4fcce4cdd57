//! Loading real files: the shipped configuration, broken files, environment overrides.

use std::path::{Path, PathBuf};

use yuqing_config::{
    Config, ConfigError, CrawlSettings, DEFAULT_CONFIG_PATH, ENV_ORIGIN, IndexSettings, Problem,
    resolve_config_path_with_env,
};
use yuqing_model::{FetchSettings, SourceKind, Tier};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/yuqing.toml")
}

fn no_env(_: &str) -> Option<String> {
    None
}

const MAIN: &str = "version = 1\n";
const ONE_SOURCE: &str = r#"
[[source]]
id = "spb-news"
name = "国家邮政局"
kind = "listing"
url = "https://www.spb.gov.cn/list.shtml"
tier = "industry"
link_selector = "ul.list a"
"#;
const ONE_SITE: &str = "[[site]]\ndomain = \"spb.gov.cn\"\nbody = \"div.TRS_Editor\"\n";

/// Writes the three files into a fresh directory; returns it (kept alive) and the main path.
fn write_config(main: &str, sources: &str, sites: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("yuqing.toml"), main).unwrap();
    std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
    std::fs::write(dir.path().join("sites.toml"), sites).unwrap();
    let path = dir.path().join("yuqing.toml");
    (dir, path)
}

fn problems(result: Result<Config, ConfigError>) -> Vec<Problem> {
    match result {
        Err(ConfigError::Invalid(p)) => p,
        other => panic!("expected invalid config, got {other:?}"),
    }
}

fn keys(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.key.as_str()).collect()
}

#[test]
fn shipped_config_is_valid_and_holds_the_defaults() {
    let config = Config::load_with_env(&shipped(), &no_env).unwrap_or_else(|e| panic!("{e}"));
    // Every option in yuqing.toml is written with its default value.
    assert_eq!(config.fetch, FetchSettings::default());
    assert_eq!(config.crawl, CrawlSettings::default());
    assert_eq!(config.index, IndexSettings::default());
    assert_eq!(config.data_dir, PathBuf::from("data"));
    assert_eq!(config.timezone, "Asia/Shanghai");
    assert_eq!(config.dict_dir, config.config_dir.join("dict"));
    assert_eq!(config.themes_file, config.config_dir.join("themes.toml"));
    assert_eq!(config.lexicon_dir, config.config_dir.join("lexicon"));
    assert_eq!(
        config.sentiment_model,
        PathBuf::from("data").join("sentiment-model.json")
    );
    // Mail: the embedded default writes digests to the outbox; no recipients.
    assert_eq!(config.mail.smtp, None);
    assert_eq!(config.mail.outbox_dir, PathBuf::from("data").join("outbox"));
    assert!(config.mail.recipients.is_empty());
    assert!(config.mail.from.contains("@localhost"));

    assert!(
        config.sources.len() >= 12,
        "{} sources",
        config.sources.len()
    );
    assert!(
        config
            .sources
            .iter()
            .any(|s| s.url.contains("spb.gov.cn") && s.tier == Tier::Industry)
    );
    assert!(config.sources.iter().any(|s| s.tier == Tier::Central));
    for s in &config.sources {
        assert_eq!(
            s.kind == SourceKind::Listing,
            s.link_selector.is_some(),
            "{}",
            s.id
        );
    }
    // Each listing source's domain has a site rule.
    for s in config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Listing)
    {
        let host = url::Url::parse(&s.url)
            .unwrap()
            .host_str()
            .unwrap()
            .to_string();
        assert!(config.site_rule(&host).is_some(), "no site rule for {host}");
    }
    assert_eq!(
        config.site_rule("www.spb.gov.cn").unwrap().body.as_deref(),
        Some("div.TRS_Editor")
    );

    // The dictionary is in word freq tag form with 100+ entries.
    let dict = std::fs::read_to_string(config.dict_dir.join("industry.txt")).unwrap();
    let entries: Vec<&str> = dict
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert!(entries.len() >= 100, "{} dictionary entries", entries.len());
    for line in &entries {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 3, "{line:?}");
        assert!(parts[1].parse::<u32>().is_ok(), "{line:?}");
    }
    for term in [
        "快递进村",
        "两进一出",
        "绿盾",
        "9792",
        "邮政强国",
        "快递小哥",
        "寄递渠道",
        "实名收寄",
    ] {
        assert!(
            entries.iter().any(|l| l.split(' ').next() == Some(term)),
            "{term} missing"
        );
    }
}

#[test]
fn shipped_sites_are_sorted_by_domain_in_the_file() {
    let path = shipped().with_file_name("sites.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let domains: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("domain = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(domains.len() >= 5);
    let mut sorted = domains.clone();
    sorted.sort();
    assert_eq!(domains, sorted);
}

#[test]
fn broken_sources_report_every_problem_with_its_key() {
    let sources = r#"
[[source]]
id = "ok"
name = "好的"
kind = "feed"
url = "https://example.cn/rss.xml"
tier = "central"

[[source]]
id = "Bad Id"
name = "坏编号"
kind = "feed"
url = "https://example.cn/rss2.xml"
tier = "central"

[[source]]
id = "list"
name = "列表"
kind = "listing"
url = "https://example.cn/list.html"
tier = "provincial"

[[source]]
id = "ftp"
name = "非网页"
kind = "feed"
url = "ftp://x"
tier = "national"
"#;
    let (_dir, path) = write_config(MAIN, sources, ONE_SITE);
    let p = problems(Config::load_with_env(&path, &no_env));
    assert_eq!(
        keys(&p),
        [
            "source[1].id",
            "source[2].link_selector",
            "source[3].url",
            "source[3].tier"
        ]
    );
    let file = path.with_file_name("sources.toml");
    assert!(p.iter().all(|p| p.file == file));
    assert_eq!(
        p[2].to_string(),
        format!(
            "{}: source[3].url: \"ftp://x\" is not an http(s) URL",
            file.display()
        )
    );
    assert!(p[3].message.contains("\"national\""), "{}", p[3].message);
}

#[test]
fn problems_in_all_three_files_are_reported_together() {
    let main = "version = 2\n[fetch]\nuser_agent = \"curl/8\"\ntimeout_ms = -5\n[index]\nwriter_heap_mb = 1\n";
    let sources = ONE_SOURCE
        .replace("ul.list a", "ul..list a")
        .replace("interval =", "x =");
    let sites = "[[site]]\ndomain = \"https://spb.gov.cn/\"\nbody = \"div[\"\n";
    let (_dir, path) = write_config(main, &sources, sites);
    let err = Config::load_with_env(&path, &no_env).unwrap_err();
    let text = err.to_string();
    let p = problems(Err(err));
    assert_eq!(
        keys(&p),
        [
            "version",
            "fetch.user_agent",
            "fetch.timeout_ms",
            "index.writer_heap_mb",
            "source[0].link_selector",
            "site[0].domain",
            "site[0].body",
        ]
    );
    assert!(text.starts_with("7 configuration problems:\n"), "{text}");
    assert!(
        text.contains("fetch.timeout_ms: -5 is out of range 100..=600000"),
        "{text}"
    );
}

#[test]
fn syntax_and_unknown_keys_name_file_and_line() {
    let main = "version = 1\n\n[fetch]\ntimeout = 5\n";
    let sources = format!("{ONE_SOURCE}\n[[source]\nid = \"x\"\n");
    let (_dir, path) = write_config(main, &sources, ONE_SITE);
    let p = problems(Config::load_with_env(&path, &no_env));
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].file, path);
    assert_eq!(p[0].key, "line 4");
    assert!(
        p[0].message.contains("unknown field `timeout`"),
        "{}",
        p[0].message
    );
    assert_eq!(p[1].file, path.with_file_name("sources.toml"));
    assert_eq!(p[1].key, "line 10");
    assert!(p[1].message.contains("expected `]`"), "{}", p[1].message);
    // A syntax error says the file is not TOML; a type error does not.
    assert!(
        p[1].message.starts_with("not valid TOML: "),
        "{}",
        p[1].message
    );
    assert!(!p[0].message.contains("TOML"), "{}", p[0].message);
}

#[test]
fn duplicate_ids_and_domains_are_reported() {
    let sources = format!("{ONE_SOURCE}{ONE_SOURCE}");
    let sites = format!("{ONE_SITE}{ONE_SITE}[[site]]\ndomain = \"ce.cn\"\n");
    let (_dir, path) = write_config(MAIN, &sources, &sites);
    let p = problems(Config::load_with_env(&path, &no_env));
    assert_eq!(keys(&p), ["source[1].id", "site[1].domain", "site[2].body"]);
    assert!(p[0].message.contains("first used by source[0]"));
}

#[test]
fn environment_overrides_file_and_defaults() {
    let main =
        "version = 1\n[data]\ndir = \"/srv/yuqing\"\n[fetch]\ntimeout_ms = 20000\nretries = 1\n";
    let (_dir, path) = write_config(main, ONE_SOURCE, ONE_SITE);

    let file_only = Config::load_with_env(&path, &no_env).unwrap();
    assert_eq!(file_only.data_dir, PathBuf::from("/srv/yuqing"));
    assert_eq!(file_only.fetch.timeout_ms, 20_000);
    assert_eq!(file_only.fetch.retries, 1);
    assert_eq!(
        file_only.fetch.concurrency,
        FetchSettings::default().concurrency
    );

    let env = |name: &str| match name {
        "YUQING_DATA_DIR" => Some("/var/lib/yuqing".to_string()),
        "YUQING_FETCH_TIMEOUT_MS" => Some("45000".to_string()),
        "YUQING_FETCH_RESPECT_ROBOTS" => Some("false".to_string()),
        "YUQING_CRAWL_MIN_BODY_CHARS" => Some("80".to_string()),
        "YUQING_TIMEZONE" => Some("Asia/Urumqi".to_string()),
        _ => None,
    };
    let c = Config::load_with_env(&path, &env).unwrap();
    assert_eq!(c.data_dir, PathBuf::from("/var/lib/yuqing"));
    assert_eq!(c.fetch.timeout_ms, 45_000);
    assert!(!c.fetch.respect_robots);
    assert_eq!(c.crawl.min_body_chars, 80);
    assert_eq!(c.timezone, "Asia/Urumqi");
    assert_eq!(c.fetch.retries, 1);
}

#[test]
fn bad_environment_values_name_the_variable() {
    let (_dir, path) = write_config(MAIN, ONE_SOURCE, ONE_SITE);
    let env = |name: &str| match name {
        "YUQING_FETCH_CONCURRENCY" => Some("many".to_string()),
        "YUQING_FETCH_RESPECT_ROBOTS" => Some("yes".to_string()),
        "YUQING_TIMEZONE" => Some("Beijing".to_string()),
        "YUQING_INDEX_COMMIT_EVERY" => Some("0".to_string()),
        _ => None,
    };
    let p = problems(Config::load_with_env(&path, &env));
    assert_eq!(
        keys(&p),
        [
            "YUQING_TIMEZONE",
            "YUQING_FETCH_CONCURRENCY",
            "YUQING_FETCH_RESPECT_ROBOTS",
            "YUQING_INDEX_COMMIT_EVERY",
        ]
    );
    assert!(p.iter().all(|p| p.file == Path::new(ENV_ORIGIN)));
}

#[test]
fn missing_files_are_io_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("yuqing.toml");
    std::fs::write(&path, MAIN).unwrap();
    let err = Config::load_with_env(&path, &no_env).unwrap_err();
    match &err {
        ConfigError::Io { file, .. } => assert_eq!(file, &dir.path().join("sources.toml")),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("sources.toml"));
}

#[test]
fn config_path_precedence_is_flag_then_env_then_default() {
    let env = |name: &str| (name == "YUQING_CONFIG").then(|| "/etc/yuqing/yuqing.toml".to_string());
    let flag = Path::new("my.toml");
    assert_eq!(
        resolve_config_path_with_env(Some(flag), &env),
        PathBuf::from("my.toml")
    );
    assert_eq!(
        resolve_config_path_with_env(None, &env),
        PathBuf::from("/etc/yuqing/yuqing.toml")
    );
    assert_eq!(
        resolve_config_path_with_env(None, &no_env),
        PathBuf::from(DEFAULT_CONFIG_PATH)
    );
}

#[test]
fn site_rule_matches_subdomains_and_prefers_the_longest() {
    let sites = "[[site]]\ndomain = \"people.com.cn\"\nbody = \"div#rwb_zw\"\n\
                 [[site]]\ndomain = \"finance.people.com.cn\"\nbody = \"div.rm_txt_con\"\n";
    let (_dir, path) = write_config(MAIN, ONE_SOURCE, sites);
    let c = Config::load_with_env(&path, &no_env).unwrap();
    let body = |h: &str| c.site_rule(h).and_then(|r| r.body.as_deref());
    assert_eq!(body("www.people.com.cn"), Some("div#rwb_zw"));
    assert_eq!(body("FINANCE.people.com.cn"), Some("div.rm_txt_con"));
    assert_eq!(body("people.com.cn"), Some("div#rwb_zw"));
    assert_eq!(body("xpeople.com.cn"), None);
}

#[test]
fn mail_settings_and_recipients_are_validated_together() {
    let main = r#"version = 1
[mail]
smtp_host = "smtp.example.gov.cn"
smtp_port = 465
smtp_tls = "implicit"
smtp_username = "yuqing"
smtp_password_file = "smtp.secret"

[[mail.recipient]]
name = "王科长"
email = "wang@example.gov.cn"
themes = ["s5", "s9.i26"]
min_negative_score = 0.3
"#;
    let (dir, path) = write_config(main, ONE_SOURCE, ONE_SITE);
    let config = Config::load_with_env(&path, &no_env).unwrap_or_else(|e| panic!("{e}"));
    let smtp = config.mail.smtp.expect("smtp configured");
    assert_eq!(smtp.host, "smtp.example.gov.cn");
    assert_eq!(smtp.port, 465);
    assert_eq!(smtp.tls, yuqing_config::SmtpTls::Implicit);
    assert_eq!(smtp.username.as_deref(), Some("yuqing"));
    assert_eq!(smtp.password_file, Some(dir.path().join("smtp.secret")));
    assert_eq!(config.mail.recipients.len(), 1);
    assert_eq!(config.mail.recipients[0].themes, ["s5", "s9.i26"]);
    assert!((config.mail.recipients[0].min_negative_score - 0.3).abs() < 1e-6);

    let bad = r#"version = 1
[mail]
smtp_host = "smtp.example.gov.cn"
smtp_tls = "none"
smtp_password = "hunter2"

[[mail.recipient]]
email = "not an address"
themes = ["快递", "s4.i"]
min_negative_score = 2.0
"#;
    let (_dir, path) = write_config(bad, ONE_SOURCE, ONE_SITE);
    let p = problems(Config::load_with_env(&path, &no_env));
    // A password key in the TOML is refused outright (deny_unknown_fields) and named.
    assert!(
        p.iter().any(|p| p.message.contains("smtp_password")),
        "{p:?}"
    );
    let (_dir, path) = write_config(
        &bad.replace("smtp_password = \"hunter2\"\n", ""),
        ONE_SOURCE,
        ONE_SITE,
    );
    let p = problems(Config::load_with_env(&path, &no_env));
    let k = keys(&p);
    assert!(k.contains(&"mail.smtp_tls"), "{k:?}");
    assert!(k.contains(&"mail.recipient[0].email"), "{k:?}");
    assert!(k.contains(&"mail.recipient[0].min_negative_score"), "{k:?}");
    assert_eq!(
        k.iter()
            .filter(|k| **k == "mail.recipient[0].themes")
            .count(),
        2,
        "{p:?}"
    );
}

#[test]
fn story_age_limit_defaults_to_seven_days_and_is_validated() {
    let (_dir, path) = write_config(MAIN, ONE_SOURCE, ONE_SITE);
    let config = Config::load_with_env(&path, &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.mail.max_story_age_days, 7);
    let (_dir, path) = write_config(
        "version = 1\n[mail]\nmax_story_age_days = 0\n",
        ONE_SOURCE,
        ONE_SITE,
    );
    let config = Config::load_with_env(&path, &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.mail.max_story_age_days, 0);
    let (_dir, path) = write_config(
        "version = 1\n[mail]\nmax_story_age_days = -1\n",
        ONE_SOURCE,
        ONE_SITE,
    );
    let p = problems(Config::load_with_env(&path, &no_env));
    assert_eq!(keys(&p), ["mail.max_story_age_days"], "{p:?}");
    let env = |n: &str| (n == "YUQING_MAIL_MAX_STORY_AGE_DAYS").then(|| "30".to_string());
    let (_dir, path) = write_config(MAIN, ONE_SOURCE, ONE_SITE);
    let config = Config::load_with_env(&path, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.mail.max_story_age_days, 30);
}

/// The trial's failure: `YUQING_MAIL_SMTP_HOST=` (set, empty) left the file's SMTP host in
/// force; it now means the empty string, as `smtp_host = ""` does: no SMTP, the outbox. A
/// set but empty number or boolean override is an error naming the variable (issue 5: an
/// empty `YUQING_MAIL_SMTP_PORT=` was silently ignored), as `smtp_port = ""` in the file is.
#[test]
fn an_empty_string_override_means_the_empty_string() {
    let main =
        "version = 1\n[mail]\nsmtp_host = \"smtp.example.gov.cn\"\nsmtp_username = \"yuqing\"\n";
    let (_dir, path) = write_config(main, ONE_SOURCE, ONE_SITE);
    let config = Config::load_with_env(&path, &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.mail.smtp.map(|s| s.host).as_deref(),
        Some("smtp.example.gov.cn")
    );
    let env = |n: &str| (n == "YUQING_MAIL_SMTP_HOST").then(String::new);
    let config = Config::load_with_env(&path, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.mail.smtp, None);

    let env = |n: &str| match n {
        "YUQING_MAIL_SMTP_PORT" => Some(String::new()),
        "YUQING_FETCH_RESPECT_ROBOTS" => Some(" ".to_string()),
        "YUQING_FETCH_RETRIES" => Some("3".to_string()),
        _ => None,
    };
    let p = problems(Config::load_with_env(&path, &env));
    let mut k = keys(&p);
    k.sort_unstable();
    assert_eq!(
        k,
        ["YUQING_FETCH_RESPECT_ROBOTS", "YUQING_MAIL_SMTP_PORT"],
        "{p:?}"
    );
    for p in &p {
        assert!(p.message.starts_with("is set but empty"), "{p:?}");
    }
    let port = p.iter().find(|p| p.key == "YUQING_MAIL_SMTP_PORT");
    assert!(
        port.is_some_and(|p| p.message.contains("an integer is required")),
        "{p:?}"
    );
    // The file's `smtp_port = ""` is an error too (a type error naming its line).
    let (_dir, path) = write_config(
        "version = 1\n[mail]\nsmtp_port = \"\"\n",
        ONE_SOURCE,
        ONE_SITE,
    );
    assert_eq!(
        keys(&problems(Config::load_with_env(&path, &no_env))),
        ["line 3"]
    );
}

/// Two recipients with one address (compared case-insensitively) are an error naming the
/// second and the first: deliveries are keyed by the lowercase address.
#[test]
fn duplicate_recipient_addresses_are_reported() {
    let main = r#"version = 1
[mail]
[[mail.recipient]]
email = "wang@example.gov.cn"
[[mail.recipient]]
email = "li@example.gov.cn"
[[mail.recipient]]
email = "Wang@Example.GOV.cn"
themes = ["S5"]
"#;
    let (_dir, path) = write_config(main, ONE_SOURCE, ONE_SITE);
    let p = problems(Config::load_with_env(&path, &no_env));
    let mut k = keys(&p);
    k.sort_unstable();
    assert_eq!(
        k,
        ["mail.recipient[2].email", "mail.recipient[2].themes"],
        "{p:?}"
    );
    let dup = p.iter().find(|p| p.key == "mail.recipient[2].email");
    assert_eq!(
        dup.map(|p| p.message.as_str()).unwrap_or_default(),
        "\"Wang@Example.GOV.cn\" duplicates mail.recipient[0].email (addresses compare \
         case-insensitively; give one entry several themes instead)"
    );
}

/// The data-directory lock: a second holder is refused at once with a message naming the
/// directory and the first holder; dropping the first frees it.
#[test]
fn the_data_dir_lock_admits_one_holder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = yuqing_config::DataDirLock::acquire(&data, "serve").unwrap();
    assert_eq!(first.path(), data.join(yuqing_config::LOCK_FILE_NAME));
    let err = yuqing_config::DataDirLock::acquire(&data, "run").unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, ConfigError::DataDirInUse { ref dir, .. } if *dir == data),
        "{err:?}"
    );
    assert!(
        message.starts_with(&format!(
            "data dir {} is in use by another yuqing process (serve, pid {})",
            data.display(),
            std::process::id()
        )),
        "{message}"
    );
    drop(first);
    let again = yuqing_config::DataDirLock::acquire(&data, "run");
    assert!(again.is_ok(), "{again:?}");
}

/// Fresh-user trial: without `sources.toml`, `check` still lists what is wrong in
/// `yuqing.toml` (a file that is not TOML at all, or an unknown key) and in `sites.toml`;
/// `load` keeps stopping at the first unreadable file.
#[test]
fn check_lists_an_unreadable_file_beside_the_other_files_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("yuqing.toml");
    // The first line of /etc/passwd: not TOML.
    std::fs::write(&path, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    std::fs::write(
        dir.path().join("sites.toml"),
        "[[site]]\ndomain = \"X\"\nbody = \"p\"\n",
    )
    .unwrap();
    let p = Config::check_with_env(&path, &no_env).unwrap_err();
    let lines: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert_eq!(p.len(), 3, "{lines:#?}");
    assert_eq!(
        (p[0].file.as_path(), p[0].key.as_str()),
        (path.as_path(), "line 1")
    );
    assert!(p[0].message.starts_with("not valid TOML: "), "{lines:#?}");
    let sources = dir.path().join("sources.toml");
    assert_eq!(
        lines[1],
        format!(
            "{}: file: cannot read it: no such file or directory (os error 2)",
            sources.display()
        )
    );
    assert_eq!(p[2].file, dir.path().join("sites.toml"));
    assert_eq!(p[2].key, "site[0].domain");
    assert!(matches!(
        Config::load_with_env(&path, &no_env),
        Err(ConfigError::Io { file, .. }) if file == sources
    ));

    // An unknown key in a TOML file is named with its line, beside the missing file.
    std::fs::write(&path, "version = 1\n[fetch]\nbogus_key = 1\n").unwrap();
    std::fs::write(dir.path().join("sites.toml"), ONE_SITE).unwrap();
    let p = Config::check_with_env(&path, &no_env).unwrap_err();
    assert_eq!(keys(&p), ["line 3", "file"], "{p:?}");
    assert_eq!(p[0].file, path);
    assert!(
        p[0].message.starts_with("unknown field `bogus_key`"),
        "{p:?}"
    );
    assert_eq!(p[1].file, sources);

    // A missing main file is a problem too; the two files beside it are still checked.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&sources, "[[source]]\nid = \"A\"\n").unwrap();
    let p = Config::check_with_env(&path, &no_env).unwrap_err();
    assert_eq!(
        (p[0].file.as_path(), p[0].key.as_str()),
        (path.as_path(), "file")
    );
    assert!(
        p.iter()
            .any(|q| q.file == sources && q.key == "source[0].id"),
        "{p:?}"
    );
}

#[test]
fn check_of_a_valid_config_equals_load() {
    let loaded = Config::load_with_env(&shipped(), &no_env).unwrap_or_else(|e| panic!("{e}"));
    let checked = Config::check_with_env(&shipped(), &no_env).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(loaded, checked);
}

/// Serde stops at the first unknown key or wrong type; every one is listed anyway (each
/// left out in turn), with its line, and the file's other values are still validated.
#[test]
fn every_unknown_key_and_wrong_type_of_a_file_is_listed() {
    let main = "version = 1\ntimezone = \"Mars/Olympus\"\nbogus_key = 1\n\
                [fetch]\ntimeout = 5\nretries = \"two\"\n\
                [schedule]\nreport_formats = [\"html\", 3]\n\
                [bogus]\nx = 1\n\
                [[mail.recipient]]\nemail = \"wang@example.gov.cn\"\ncolour = \"red\"\n";
    let sources = format!("{ONE_SOURCE}interval = \"1h\"\n");
    let (_dir, path) = write_config(main, &sources, ONE_SITE);
    let p = Config::check_with_env(&path, &no_env).unwrap_err();
    let lines: Vec<String> = p.iter().map(ToString::to_string).collect();
    let sources_path = path.with_file_name("sources.toml");
    let at = |file: &Path, key: &str, start: &str| {
        p.iter()
            .filter(|q| q.file == file && q.key == key && q.message.starts_with(start))
            .count()
    };
    // Every unknown key and wrong type is listed with its line, and the values beside them
    // are still validated (the timezone).
    for (file, key, start) in [
        (&path, "line 3", "unknown field `bogus_key`"),
        (&path, "line 5", "unknown field `timeout`"),
        (&path, "line 6", "invalid type: string \"two\""),
        (&path, "line 8", "invalid type: integer `3`"),
        (&path, "line 9", "unknown field `bogus`"),
        (&path, "line 13", "unknown field `colour`"),
        (&path, "timezone", "\"Mars/Olympus\" is not an IANA"),
        (&sources_path, "line 9", "invalid type: string \"1h\""),
    ] {
        assert_eq!(at(file, key, start), 1, "{key}: {start}: {lines:#?}");
    }
    assert_eq!(p.len(), 8, "{lines:#?}");
    // `load` lists the same problems.
    assert_eq!(problems(Config::load_with_env(&path, &no_env)), p);
}
