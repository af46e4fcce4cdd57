//! End-to-end checks of the `yuqing` binary for problems a fresh-user trial found:
//! `config check` lists every problem of every file in one run, `search --theme` with an
//! unknown id is a usage error naming close ids, and `search --collapse` shows a reprint
//! cluster's original article, and `run` gives the offline hint only when no host was
//! reached, and `user add` exit codes, and `run` rejects binary pages naming each URL once.
//! Everything runs in a temporary directory holding a copy of the
//! repository's own `config/` (no network, no shared data).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{TimeZone, Utc};
use yuqing_model::{Analysis, Article};
use yuqing_testkit::copy_dir;

const REPO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config");

/// A temporary working directory with `config/` copied from the repository.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    copy_dir(Path::new(REPO_CONFIG), &config);
    (dir, config)
}

/// `yuqing --config config/yuqing.toml ARGS` in `cwd`, without the caller's `YUQING_*`
/// config and log variables.
fn command(cwd: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yuqing"));
    c.current_dir(cwd)
        .args(["--config", "config/yuqing.toml"])
        .args(args)
        .env_remove("YUQING_CONFIG")
        .env_remove("YUQING_LOG");
    c
}

fn yuqing(cwd: &Path, args: &[&str]) -> Output {
    command(cwd, args).output().unwrap()
}

fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap();
    old.push_str(text);
    std::fs::write(path, old).unwrap();
}

#[test]
fn config_check_lists_every_problem_of_every_file_in_one_run() {
    let (dir, config) = workdir();
    // The shipped configuration is valid.
    let ok = yuqing(dir.path(), &["config", "check"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // One problem or more in every file.
    let main = config.join("yuqing.toml");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("bogus_key = 1\n{text}")).unwrap();
    append(
        &config.join("sources.toml"),
        "\n[[source]]\nid = \"broken\"\nname = \"x\"\nkind = \"listing\"\nurl = \"https://example.com/\"\ntier = \"industry\"\ninterval = 3600\nlink_selector = \"div:nosuchpseudo\"\n",
    );
    append(
        &config.join("sites.toml"),
        "\n[[site]]\ndomain = \"example.org\"\ntitle = \"h1 >\"\nbody = \"div\"\n",
    );
    append(
        &config.join("themes.toml"),
        "\n[[item]]\nid = \"s1.i99\"\nsection = \"s99\"\nnumber = 99\nname = \"坏\"\nany = [\"快递\"]\n",
    );
    append(&config.join("lexicon/negative.txt"), "\n差劲 x\n");
    append(&config.join("lexicon/positive.txt"), "\n赞\n");
    append(
        &config.join("dict/industry.txt"),
        "\n快递驿站 10 n extra\n中通 abc1\n",
    );

    let out = yuqing(dir.path(), &["config", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let has = |file: &str, words: &[&str]| {
        lines
            .iter()
            .any(|l| l.contains(file) && words.iter().all(|w| l.contains(w)))
    };
    assert!(has("yuqing.toml", &["line 1", "bogus_key"]), "{stdout}");
    assert!(
        has(
            "sources.toml",
            &[
                "link_selector",
                "div:nosuchpseudo",
                "unsupported or malformed"
            ]
        ),
        "{stdout}"
    );
    assert!(has("sites.toml", &["title", "h1 >"]), "{stdout}");
    assert!(has("themes.toml", &["s99"]), "{stdout}");
    assert!(has("negative.txt", &["line", "\"x\""]), "{stdout}");
    assert!(has("positive.txt", &["赞 has no weight"]), "{stdout}");
    assert!(has("industry.txt", &["extra field `extra`"]), "{stdout}");
    assert!(
        has("industry.txt", &["`abc1` is neither a frequency nor a tag"]),
        "{stdout}"
    );
    // No library internals, and each problem once.
    assert!(!stdout.contains("report this to the developer"), "{stdout}");
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), lines.len(), "{stdout}");
    assert!(
        stderr.contains(&format!("{} problem(s)", lines.len())),
        "{stderr}"
    );
}

#[test]
fn an_unknown_theme_is_a_usage_error_listing_close_ids() {
    let (dir, _config) = workdir();
    let out = yuqing(dir.path(), &["search", "--theme", "s1.i999", "快递"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"s1.i999\" is not a theme id"), "{stderr}");
    assert!(stderr.contains("close ids: s1"), "{stderr}");
    // A known id passes the check (and then needs an index).
    let out = yuqing(dir.path(), &["search", "--theme", "s1", "快递"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no index"), "{stderr}");
}

fn article(url: &str, title: &str, hours: u32) -> Article {
    let at = Utc.with_ymd_and_hms(2026, 11, 20, hours, 0, 0).unwrap();
    let body = format!("{title}。快递包装绿色化工作稳步推进，各地邮政管理部门加强督导。");
    Article {
        source: "fixture".into(),
        site: "示例网".into(),
        ..yuqing_testkit::article(url, title, body, at)
    }
}

#[test]
fn collapse_shows_the_cluster_original_with_its_reprint_count() {
    let (dir, config) = workdir();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // The original (earliest) mentions 包装 once in its title; the later reprints more often,
    // so a reprint ranks best.
    let original = article("https://a.example.com/1.html", "快递绿色包装 新规出台", 1);
    let reprint = article(
        "https://b.example.com/2.html",
        "包装 包装 包装：快递绿色包装新规（转载）",
        5,
    );
    let reprint2 = article("https://c.example.com/3.html", "快递绿色包装新规（转）", 6);
    let other = article("https://d.example.com/4.html", "另一条包装新闻", 3);
    let store = yuqing_store::Store::open(&data.join("yuqing.sqlite3")).unwrap();
    let segmenter = yuqing_text::Segmenter::load(Some(&config.join("dict"))).unwrap();
    let index = yuqing_index::ArticleIndex::open(&data.join("index"), &segmenter).unwrap();
    let mut writer = index.writer(50_000_000).unwrap();
    for (a, cluster) in [
        (&original, &original.id),
        (&reprint, &original.id),
        (&reprint2, &original.id),
        (&other, &other.id),
    ] {
        let analysis = Analysis {
            cluster: Some(cluster.clone()),
            fingerprint: Some(1),
            ..Analysis::default()
        };
        store.upsert_analyzed([(a, &analysis)]).unwrap();
        writer.upsert(a, &analysis).unwrap();
    }
    writer.commit().unwrap();
    drop(writer);
    drop(index);
    drop(store);

    let out = yuqing(dir.path(), &["search", "--collapse", "--json", "包装"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{v:#}");
    assert_eq!(v["total"], 2, "{v:#}");
    let story = hits
        .iter()
        .find(|h| h["cluster"] == original.id.as_str())
        .unwrap();
    assert_eq!(story["id"], original.id.as_str(), "{v:#}");
    assert_eq!(story["title"], original.title.as_str());
    assert_eq!(story["url"], original.url.as_str());
    assert_eq!(story["cluster_size"], 3);
    assert_eq!(story["matched_id"], reprint.id.as_str(), "{v:#}");
    let single = hits.iter().find(|h| h["id"] == other.id.as_str()).unwrap();
    assert!(single.get("matched_id").is_none(), "{v:#}");

    // The text output names the original and its reprint count.
    let out = yuqing(dir.path(), &["search", "--collapse", "包装"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Collapsed, the count is of stories (2), not of matching articles.
    assert!(
        stdout.starts_with("2 组 stories match (转载已合并 reprints collapsed)"),
        "{stdout}"
    );
    assert!(stdout.contains(&original.title), "{stdout}");
    assert!(stdout.contains("转载 2 篇 reprints"), "{stdout}");
    assert!(stdout.contains(&original.url), "{stdout}");
}

#[test]
fn an_error_cause_is_printed_once() {
    let (dir, _config) = workdir();
    let out = yuqing(
        dir.path(),
        &["sentiment", "eval", "--csv", "no-such-file.csv"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot read csv file no-such-file.csv"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn extract_refuses_a_url_scheme_it_cannot_fetch() {
    let (dir, _config) = workdir();
    let out = yuqing(dir.path(), &["extract", "ftp://example.com/a.html"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ftp://example.com/a.html: unsupported URL scheme \"ftp\""),
        "{stderr}"
    );
}

#[test]
fn coverage_from_after_the_default_to_says_to_is_now() {
    let (dir, _config) = workdir();
    let out = yuqing(dir.path(), &["coverage", "--from", "2999-01-01"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--from 2999-01-01 is after --to "),
        "{stderr}"
    );
    assert!(stderr.contains("(the default: now)"), "{stderr}");
}

#[test]
fn extract_refuses_a_binary_file() {
    let (dir, _config) = workdir();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    )
    .unwrap();
    let png = dir.path().join("page.html");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    for f in [&pdf, &png] {
        let out = yuqing(dir.path(), &["extract", f.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("not an HTML page (binary content)"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn an_empty_query_is_a_usage_error() {
    let (dir, _config) = workdir();
    for q in ["", "   "] {
        let out = yuqing(dir.path(), &["search", q]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{q:?}: {stderr}");
        assert!(stderr.contains("empty query"), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_broken_themes_file_fails_a_theme_search_and_warns_once_otherwise() {
    let (dir, config) = workdir();
    // A searchable index holding one article.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let a = article("https://a.example.com/1.html", "快递绿色包装新规出台", 1);
    let segmenter = yuqing_text::Segmenter::load(Some(&config.join("dict"))).unwrap();
    let index = yuqing_index::ArticleIndex::open(&data.join("index"), &segmenter).unwrap();
    let mut writer = index.writer(50_000_000).unwrap();
    writer.upsert(&a, &Analysis::default()).unwrap();
    writer.commit().unwrap();
    drop(writer);
    drop(index);

    let themes = config.join("themes.toml");
    let shipped = std::fs::read_to_string(&themes).unwrap();
    // An unknown key: with --theme the id cannot be checked, so the search fails naming the
    // file and the key.
    std::fs::write(&themes, format!("bogus_key = 1\n{shipped}")).unwrap();
    let out = yuqing(dir.path(), &["search", "--theme", "s1", "包装"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot check --theme \"s1\"")
            && stderr.contains("themes.toml")
            && stderr.contains("bogus_key"),
        "{stderr}"
    );
    // Without --theme: one warning line naming the file, and the search goes on.
    let out = yuqing(dir.path(), &["search", "包装"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings
            .iter()
            .all(|w| w.contains("themes.toml") && w.contains("bogus_key")),
        "{stderr}"
    );
    assert!(stdout.starts_with("1 篇 articles match"), "{stdout}");
    assert!(stdout.contains(&a.title), "{stdout}");

    // Bad TOML syntax: the same, naming the file.
    std::fs::write(&themes, format!("[[item]\n{shipped}")).unwrap();
    let out = yuqing(dir.path(), &["search", "--theme", "s1", "包装"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("themes.toml") && stderr.contains("invalid toml"),
        "{stderr}"
    );
    let out = yuqing(dir.path(), &["search", "包装"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("themes.toml"), "{stderr}");
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A server on 127.0.0.1 that answers every request with 503 (robots.txt included), on its
/// own thread for the life of the test process.
fn always_503() -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    port
}

fn sources(urls: &[String]) -> String {
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            format!(
                "[[source]]\nid = \"s{i}\"\nname = \"信源{i}\"\nkind = \"feed\"\nurl = \"{url}\"\ntier = \"industry\"\n\n"
            )
        })
        .collect()
}

#[test]
fn run_tells_an_offline_machine_from_failing_sites() {
    let (dir, config) = workdir();
    let hint = "no source could be reached";
    // Every host unreachable (connection refused): exit 1 and the offline hint.
    let refused: Vec<String> = (0..2)
        .map(|_| format!("http://127.0.0.1:{}/feed.xml", closed_port()))
        .collect();
    std::fs::write(config.join("sources.toml"), sources(&refused)).unwrap();
    let out = yuqing(dir.path(), &["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(hint), "{stdout}");
    assert_eq!(stdout.matches("FAILED").count(), 2, "{stdout}");

    // One host answers (503): every source still failed, but the machine is online, so no
    // offline hint.
    let mut mixed = refused.clone();
    mixed.push(format!("http://127.0.0.1:{}/feed.xml", always_503()));
    std::fs::write(config.join("sources.toml"), sources(&mixed)).unwrap();
    let out = yuqing(dir.path(), &["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("503"), "{stdout}");
    assert!(!stdout.contains(hint), "{stdout}");
}

/// `yuqing ARGS` in `cwd` with `input` on standard input.
fn yuqing_stdin(cwd: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = command(cwd, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_add_exit_codes() {
    let (dir, _config) = workdir();
    let add = |name: &str| {
        yuqing_stdin(
            dir.path(),
            &["user", "add", name, "--password-stdin"],
            "a-long-enough-password\n",
        )
    };
    let first = add("analyst");
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // The same name again: refused by the store, not a usage error.
    let again = add("analyst");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("user analyst already exists"), "{stderr}");
    // A name with a space is bad usage.
    let bad = add("two words");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// A server on 127.0.0.1 answering `path → (content type, body)`, 404 elsewhere, on its own
/// thread for the life of the test process.
fn serve_pages(pages: Vec<(&'static str, &'static str, Vec<u8>)>) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let _ = reader.read_line(&mut line);
            // Skip the rest of the head.
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, ctype, body) = match pages.iter().find(|(p, _, _)| *p == path) {
                Some((_, ct, b)) => ("200 OK", *ct, b.clone()),
                None => ("404 Not Found", "text/plain", b"not found".to_vec()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    });
    port
}

#[test]
fn run_rejects_binary_pages_and_names_each_url_once() {
    let (dir, config) = workdir();
    let listing = "<html><head><meta charset=\"utf-8\"><title>列表</title></head><body>\
        <ul class=\"news\"><li><a href=\"/bin.html\">文件</a></li><li><a href=\"/empty.html\">空页</a></li></ul></body></html>";
    // A PNG labelled text/html, and a page with no text at all.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    let empty = b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>"
        .to_vec();
    let port = serve_pages(vec![
        (
            "/robots.txt",
            "text/plain",
            b"User-agent: *\nAllow: /\n".to_vec(),
        ),
        (
            "/list.html",
            "text/html; charset=utf-8",
            listing.as_bytes().to_vec(),
        ),
        ("/bin.html", "text/html", png),
        ("/empty.html", "text/html; charset=utf-8", empty),
    ]);
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        config.join("sources.toml"),
        format!(
            "[[source]]\nid = \"list\"\nname = \"列表\"\nkind = \"listing\"\nurl = \"{base}/list.html\"\n\
             tier = \"industry\"\nlink_selector = \"ul.news a\"\n"
        ),
    )
    .unwrap();
    let out = yuqing(dir.path(), &["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The listing was read (the source is ok) and both pages were rejected with their reason.
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "rejected: {base}/bin.html: not an HTML page (binary content)"
        )),
        "{stdout}"
    );
    let empty_line = stdout
        .lines()
        .find(|l| l.contains("/empty.html"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(empty_line.matches("/empty.html").count(), 1, "{empty_line}");
}
