//! End-to-end checks of `yuqing config check` for what a fresh-user trial found: a missing
//! themes file passed as `ok`; a missing `sources.toml` hid every problem of `yuqing.toml`
//! (a file that is not TOML, unknown keys); a well-formed recipient theme id missing from
//! themes.toml was not reported beside a malformed one. Each case asserts the exact problem
//! lines (file, key, message) and the exit status. Everything runs in a temporary directory
//! holding a copy of the repository's own `config/` (no network, no shared data).

use std::path::{Path, PathBuf};
use std::process::Command;

use yuqing_testkit::copy_dir;

const REPO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config");

/// What one `config check` run said.
struct Checked {
    code: Option<i32>,
    lines: Vec<String>,
    stderr: String,
}

/// A temporary working directory with `config/` copied from the repository.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    copy_dir(Path::new(REPO_CONFIG), &config);
    (dir, config)
}

/// `yuqing --config <config> config check` in `cwd`, with no `YUQING_*` variable but `env`.
fn check(cwd: &Path, config: &str, env: &[(&str, &str)]) -> Checked {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yuqing"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("YUQING_") {
            command.env_remove(name);
        }
    }
    let out = command
        .current_dir(cwd)
        .args(["--config", config, "config", "check"])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Checked {
        code: out.status.code(),
        lines: String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces the one occurrence of `from` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} in {}",
        file.display()
    );
    std::fs::write(file, text.replace(from, to)).unwrap();
}

const NOT_FOUND: &str = "No such file or directory (os error 2)";
const THEMES_NEEDED: &str = "; yuqing serve (web UI), report, coverage, alert send and themes \
    list need the plan themes, and run matches no article to the plan without them";

/// Issue 1: the themes file (misspelt, deleted, or overridden from the environment) is a
/// problem naming the key and the path; the dictionary directory too; a missing lexicon dir
/// is not (the built-in lexicon is used) but the summary says so.
#[test]
fn a_missing_themes_file_or_dict_dir_is_a_problem_naming_its_key() {
    let (dir, config) = workdir();
    let ok = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(ok.code, Some(0), "{:?}\n{}", ok.lines, ok.stderr);
    assert_eq!(ok.lines.len(), 1, "{:?}", ok.lines);
    assert!(
        ok.lines[0].starts_with("ok: config/yuqing.toml (")
            && ok.lines[0].contains(" themes in config/themes.toml, lexicon in config/lexicon,"),
        "{:?}",
        ok.lines
    );

    let main = config.join("yuqing.toml");
    edit(
        &main,
        "themes_file = \"themes.toml\"",
        "themes_file = \"themez.toml\"",
    );
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(
        out.lines,
        [format!(
            "config/yuqing.toml: analysis.themes_file: cannot read themes file \
             config/themez.toml: {NOT_FOUND}{THEMES_NEEDED}"
        )]
    );
    assert_eq!(
        out.stderr.trim(),
        "yuqing: 1 problem(s) in the configuration"
    );

    // The shipped file deleted; the variable overriding the key is named instead of the key.
    edit(
        &main,
        "themes_file = \"themez.toml\"",
        "themes_file = \"themes.toml\"",
    );
    std::fs::remove_file(config.join("themes.toml")).unwrap();
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(
        out.lines,
        [format!(
            "config/yuqing.toml: analysis.themes_file: cannot read themes file \
             config/themes.toml: {NOT_FOUND}{THEMES_NEEDED}"
        )]
    );
    let out = check(
        dir.path(),
        "config/yuqing.toml",
        &[("YUQING_ANALYSIS_THEMES_FILE", "plan.toml")],
    );
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(
        out.lines,
        [format!(
            "environment: YUQING_ANALYSIS_THEMES_FILE: cannot read themes file \
             config/plan.toml: {NOT_FOUND}{THEMES_NEEDED}"
        )]
    );

    // Themes back; the lexicon and dictionary directories gone.
    std::fs::copy(
        Path::new(REPO_CONFIG).join("themes.toml"),
        config.join("themes.toml"),
    )
    .unwrap();
    std::fs::remove_dir_all(config.join("lexicon")).unwrap();
    let ok = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(ok.code, Some(0), "{:?}\n{}", ok.lines, ok.stderr);
    assert!(
        ok.lines[0].contains(
            " themes in config/themes.toml, built-in lexicon (no lexicon dir at config/lexicon),"
        ),
        "{:?}",
        ok.lines
    );
    std::fs::remove_dir_all(config.join("dict")).unwrap();
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(
        out.lines,
        [format!(
            "config/yuqing.toml: text.dict_dir: cannot read dictionary directory config/dict: \
             {NOT_FOUND}; yuqing run and serve refuse to start without it"
        )]
    );
}

/// Issue 2: without `sources.toml`, the problems of `yuqing.toml` (an unknown key, or a file
/// that is not TOML at all) are still listed, each file independently, in one run.
#[test]
fn a_missing_sources_file_hides_no_problem_of_the_main_file() {
    let (dir, config) = workdir();
    std::fs::remove_file(config.join("sources.toml")).unwrap();
    let no_sources = format!(
        "config/sources.toml: file: cannot read it: {}",
        NOT_FOUND.to_lowercase()
    );
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(out.lines, std::slice::from_ref(&no_sources));

    let main = config.join("yuqing.toml");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("bogus_key = 1\n{text}")).unwrap();
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(out.lines.len(), 2, "{:?}", out.lines);
    assert!(
        out.lines[0].starts_with("config/yuqing.toml: line 1: unknown field `bogus_key`"),
        "{:?}",
        out.lines
    );
    assert_eq!(out.lines[1], no_sources);
    assert_eq!(
        out.stderr.trim(),
        "yuqing: 2 problem(s) in the configuration"
    );

    // A second unknown key (line 34, under [fetch]) and a bad value beside them are listed too.
    edit(&main, "[fetch]\n", "[fetch]\nretry = 3\n");
    edit(
        &main,
        "timezone = \"Asia/Shanghai\"",
        "timezone = \"Asia/Shanghia\"",
    );
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(out.lines.len(), 4, "{:?}", out.lines);
    assert!(
        out.lines[1].starts_with("config/yuqing.toml: line 34: unknown field `retry`"),
        "{:?}",
        out.lines
    );
    // Parse problems of the three files first, then the values.
    assert_eq!(out.lines[2], no_sources);
    assert_eq!(
        out.lines[3],
        "config/yuqing.toml: timezone: \"Asia/Shanghia\" is not an IANA time zone such as \
         \"Asia/Shanghai\""
    );

    // Garbage: the file is said not to be TOML; the paths it would name are the defaults,
    // and the files there (the shipped themes, dictionaries) are still checked.
    std::fs::write(&main, "<html>not a config</html>\n").unwrap();
    let out = check(dir.path(), "config/yuqing.toml", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    assert_eq!(out.lines.len(), 2, "{:?}", out.lines);
    assert!(
        out.lines[0].starts_with("config/yuqing.toml: line 1: not valid TOML: "),
        "{:?}",
        out.lines
    );
    assert_eq!(out.lines[1], no_sources);
}

/// Issue 2: `--config /etc/passwd` (here a copy of its first line): the file is not TOML,
/// the files beside it are missing, and so are the themes file and dictionaries its
/// (default) paths name; every one is listed, each once.
#[test]
fn a_passwd_file_given_as_config_says_it_is_not_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("etc")).unwrap();
    std::fs::write(
        dir.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n",
    )
    .unwrap();
    let out = check(dir.path(), "etc/passwd", &[]);
    assert_eq!(out.code, Some(1), "{:?}", out.lines);
    let missing = NOT_FOUND.to_lowercase();
    assert_eq!(
        out.lines,
        [
            "etc/passwd: line 1: not valid TOML: key with no value, expected `=`".to_string(),
            format!("etc/sources.toml: file: cannot read it: {missing}"),
            format!("etc/sites.toml: file: cannot read it: {missing}"),
            format!(
                "etc/passwd: analysis.themes_file: cannot read themes file etc/themes.toml: \
                 {NOT_FOUND}{THEMES_NEEDED}"
            ),
            format!(
                "etc/passwd: text.dict_dir: cannot read dictionary directory etc/dict: \
                 {NOT_FOUND}; yuqing run and serve refuse to start without it"
            ),
        ]
    );
    assert_eq!(
        out.stderr.trim(),
        "yuqing: 5 problem(s) in the configuration"
    );
}

/// Issue 3: a malformed recipient theme id and a well-formed one missing from themes.toml
/// are both reported, in the same run, whichever comes first.
#[test]
fn malformed_and_unknown_recipient_theme_ids_are_both_reported() {
    let (dir, config) = workdir();
    let main = config.join("yuqing.toml");
    let text = std::fs::read_to_string(&main).unwrap();
    let unknown = "config/yuqing.toml: mail.recipient[0].themes: \"s99\" is not a theme id in \
                   config/themes.toml (section ids such as \"s4\", item ids such as \"s4.i10\")";
    let malformed = "config/yuqing.toml: mail.recipient[0].themes: \"x\" is not a theme id \
                     such as \"s4\" or \"s4.i10\"";
    for (themes, expected) in [
        ("[\"s99\", \"x\"]", vec![malformed, unknown]),
        ("[\"x\", \"s99\"]", vec![malformed, unknown]),
        ("[\"s99\"]", vec![unknown]),
        ("[\"x\"]", vec![malformed]),
        ("[\"s4\", \"s4.i10\"]", vec![]),
    ] {
        std::fs::write(
            &main,
            format!(
                "{text}\n[[mail.recipient]]\nemail = \"wang@example.gov.cn\"\nthemes = {themes}\n"
            ),
        )
        .unwrap();
        let out = check(dir.path(), "config/yuqing.toml", &[]);
        if expected.is_empty() {
            assert_eq!(out.code, Some(0), "{themes}: {:?}", out.lines);
            assert!(
                out.lines[0].starts_with("ok: "),
                "{themes}: {:?}",
                out.lines
            );
        } else {
            assert_eq!(out.code, Some(1), "{themes}: {:?}", out.lines);
            assert_eq!(out.lines, expected, "{themes}");
        }
    }
}
