//! End-to-end test of `yuqing serve`, the scheduler process, through the real binary.
//!
//! A plain HTTP/1.1 server on `127.0.0.1:0` serves our own fictional pages from
//! `tests/fixtures/analysis/` (written for the analysis test) with every date moved to
//! yesterday (Beijing time), so the scheduled daily report of the previous day covers them:
//! - `postal-industry` (listing): four articles;
//! - `south-province` (listing): three articles, one of them negative (网点关停、欠薪);
//! - `biz-portal` (listing, cancellation test only): three articles.
//!
//! `serve_runs_the_schedule_and_stops_on_sigterm`: reports and alerts on a seconds cron
//! (`*/2 * * * * *`), the crawl's first pass at start; asserts the articles indexed, the daily
//! report written, the alert digest written once although the alert job runs again, exit 0
//! on SIGTERM, and the store and index usable afterwards.
//!
//! `sigterm_during_a_slow_source_keeps_what_was_fetched`: sources crawled one at a time, one
//! page that answers only after 30 s; SIGTERM while it is awaited → exit 0 at once, the first
//! source's articles kept, the third source never read; a later `yuqing run` completes the
//! rest with no duplicates and without fetching stored pages again.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use yuqing_testkit::{copy_dir, read_request_head, respond_and_close, tail, yuqing_command};

/// Our own fixtures (fictional pages).
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/analysis");
/// The shipped configuration directory.
const SHIPPED_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
/// Longest wait for anything the service should do (start-up loads jieba in a debug build).
const WAIT: Duration = Duration::from_secs(90);
/// How long the slow page keeps its first request waiting.
const SLOW: Duration = Duration::from_secs(30);
/// How soon after SIGTERM the service must have exited.
const PROMPT_EXIT: Duration = Duration::from_secs(10);

/// One fixture page: served at `path` from `file`, headline `title`.
struct Page {
    path: &'static str,
    file: &'static str,
    title: &'static str,
}

const INDUSTRY: [Page; 4] = [
    Page {
        path: "/industry/rural.html",
        file: "industry/rural.html",
        title: "沧州快递进村覆盖全部建制村 村民在家门口收寄包裹",
    },
    Page {
        path: "/industry/green.html",
        file: "industry/green.html",
        title: "国家邮政局推进“9792”工程 电商快件不再二次包装比例超过九成",
    },
    Page {
        path: "/industry/security.html",
        file: "industry/security.html",
        title: "浙江开展寄递渠道安全检查 实名收寄落实情况纳入年度考核",
    },
    Page {
        path: "/industry/upu.html",
        file: "industry/upu.html",
        title: "中国代表团出席万国邮联行政理事会会议 推动国际邮政合作",
    },
];

/// The negative story (the last page of `south-province`).
const CLOSURE: Page = Page {
    path: "/province/c/1124/closure.html",
    file: "province/closure.html",
    title: "快递网点突然关停 数万件快件积压 员工工资被拖欠",
};

const PROVINCE: [Page; 2] = [
    Page {
        path: "/province/c/1122/green.html",
        file: "province/green.html",
        title: "全国电商快件九成以上不再二次包装",
    },
    Page {
        path: "/province/c/1123/drugs.html",
        file: "province/drugs.html",
        title: "广州邮政管理局联合公安开展寄递渠道禁毒宣传",
    },
];

const BIZ: [Page; 3] = [
    Page {
        path: "/biz/p/20261122-green.html",
        file: "biz/green.html",
        title: "快递包装瘦身：电商快件二次包装比例大降",
    },
    Page {
        path: "/biz/p/20261123-warmth.html",
        file: "biz/warmth.html",
        title: "杭州建成两百家快递小哥暖心驿站 冬送温暖夏送清凉",
    },
    Page {
        path: "/biz/p/20261124-football.html",
        file: "biz/football.html",
        title: "联赛收官战主队逆转夺冠 球迷彻夜狂欢",
    },
];

const LISTINGS: [(&str, &str); 3] = [
    ("/industry/list.html", "industry/list.html"),
    ("/province/index.html", "province/index.html"),
    ("/biz/channel.html", "biz/channel.html"),
];

// ---------------------------------------------------------------------------------------------
// Time.
// ---------------------------------------------------------------------------------------------

/// Yesterday in Beijing time, `YYYY-MM-DD`.
fn yesterday_beijing() -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    (now.date_naive() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// The fixture HTTP server.
// ---------------------------------------------------------------------------------------------

struct SiteState {
    routes: HashMap<String, Vec<u8>>,
    /// A path whose first request is answered only after [`SLOW`].
    slow: Option<String>,
    /// Every request path, in arrival order (logged when the request head is read).
    log: Mutex<Vec<String>>,
}

struct Site {
    port: u16,
    state: Arc<SiteState>,
}

impl Site {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self, path: &str) -> usize {
        self.state
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }
}

/// Serves every fixture page with its `2026-11-2x` dates moved to `day`.
fn start_site(day: &str, slow: Option<&str>) -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    let mut routes = HashMap::new();
    let pages = INDUSTRY
        .iter()
        .chain(&PROVINCE)
        .chain([&CLOSURE])
        .chain(&BIZ);
    let files = LISTINGS
        .iter()
        .copied()
        .chain(pages.map(|p| (p.path, p.file)));
    for (path, file) in files {
        let raw = std::fs::read_to_string(Path::new(FIXTURES).join(file))
            .unwrap_or_else(|e| panic!("read fixture {file}: {e}"));
        let text = (20..=29).fold(raw, |t, d| t.replace(&format!("2026-11-{d}"), day));
        routes.insert(path.to_string(), text.into_bytes());
    }
    let state = Arc::new(SiteState {
        routes,
        slow: slow.map(str::to_string),
        log: Mutex::new(Vec::new()),
    });
    let accept_state = Arc::clone(&state);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = Arc::clone(&accept_state);
            thread::spawn(move || handle_connection(stream, &state));
        }
    });
    Site { port, state }
}

/// Reads one request head and answers it from the routes (404 otherwise); closes afterwards.
fn handle_connection(mut stream: TcpStream, state: &SiteState) {
    let Some((_, path)) = read_request_head(&stream) else {
        return;
    };
    let first = {
        let mut log = state.log.lock().unwrap();
        log.push(path.clone());
        log.iter().filter(|p| **p == path).count() == 1
    };
    if first && state.slow.as_deref() == Some(path.as_str()) {
        thread::sleep(SLOW);
    }
    let (status, body): (&str, &[u8]) = match state.routes.get(&path) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found"),
    };
    respond_and_close(&mut stream, status, "text/html; charset=utf-8", body, true);
}

// ---------------------------------------------------------------------------------------------
// Config.
// ---------------------------------------------------------------------------------------------

/// A temp dir with `config/` (the shipped one, edited) and `data/`.
struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    site_base: String,
}

impl Env {
    fn config_file(&self) -> PathBuf {
        self.root.join("config").join("yuqing.toml")
    }
    fn data(&self) -> PathBuf {
        self.root.join("data")
    }
}

/// Replaces `from` by `to` in `text`, asserting `from` occurs exactly once.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "yuqing.toml: expected exactly one {from:?}"
    );
    text.replacen(from, to, 1)
}

/// Copies the shipped config with the test's data dir, fetch settings, `edits` and sources
/// (`(id, listing path, link selector)`).
fn write_env(site: &Site, edits: &[(&str, &str)], sources: &[(&str, &str, &str)]) -> Env {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let dir = root.join("config");
    copy_dir(Path::new(SHIPPED_CONFIG), &dir);
    let shipped = std::fs::read_to_string(dir.join("yuqing.toml")).unwrap();
    let data = root.join("data");
    let mut toml = replace_once(
        &shipped,
        "dir = \"data\"",
        &format!("dir = {:?}", data.display().to_string()),
    );
    for (from, to) in [
        ("per_host_rps = 1\n", "per_host_rps = 100\n"),
        ("respect_robots = true", "respect_robots = false"),
        ("retries = 3", "retries = 0"),
        ("timeout_ms = 30000", "timeout_ms = 60000"),
        ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\""),
    ]
    .iter()
    .chain(edits)
    {
        toml = replace_once(&toml, from, to);
    }
    std::fs::write(dir.join("yuqing.toml"), toml).unwrap();
    let base = site.base();
    let sources: String = sources
        .iter()
        .map(|(id, path, selector)| {
            format!(
                "[[source]]\nid = \"{id}\"\nname = \"{id}\"\nkind = \"listing\"\n\
                 url = \"{base}{path}\"\ntier = \"industry\"\nlink_selector = '{selector}'\n\n"
            )
        })
        .collect();
    std::fs::write(dir.join("sources.toml"), sources).unwrap();
    Env {
        _tmp: tmp,
        root,
        site_base: base,
    }
}

const INDUSTRY_SOURCE: (&str, &str, &str) = ("postal-industry", "/industry/list.html", "ul.list a");
const PROVINCE_SOURCE: (&str, &str, &str) =
    ("south-province", "/province/index.html", "div.newslist a.t");
const BIZ_SOURCE: (&str, &str, &str) = ("biz-portal", "/biz/channel.html", "h3.item-title a");

// ---------------------------------------------------------------------------------------------
// Running the binary.
// ---------------------------------------------------------------------------------------------

/// `yuqing --config … ARGS` with no `YUQING_*` variable from outside and every proxy variable
/// pointing at the fixture site (so nothing leaves loopback).
fn command(env: &Env, args: &[&str]) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_yuqing"));
    yuqing_command(bin, &env.root, &env.config_file(), &env.site_base, args)
}

/// A running `yuqing serve` with its output collected as it comes.
struct Service {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Service {
    fn start(env: &Env, args: &[&str]) -> Service {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        let mut child = command(env, &all).spawn().expect("spawn yuqing serve");
        let collect = |r: Box<dyn Read + Send>| {
            let buf = Arc::new(Mutex::new(String::new()));
            let sink = Arc::clone(&buf);
            thread::spawn(move || {
                for line in BufReader::new(r).lines() {
                    let Ok(line) = line else { break };
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
            buf
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        Service {
            child,
            stdout,
            stderr,
        }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn describe(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            tail(&self.stdout(), 6000),
            tail(&self.stderr(), 6000)
        )
    }

    /// Polls `done` every 50 ms until it holds; panics with the output after [`WAIT`] or if
    /// the process ended.
    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Service) -> bool) {
        let started = Instant::now();
        loop {
            if done(self) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "yuqing serve exited ({status}) while waiting for {what}\n{}",
                    self.describe()
                );
            }
            if started.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("no {what} after {WAIT:?}\n{}", self.describe());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code and the seconds it took.
    fn terminate(&mut self) -> (Option<i32>, f64) {
        let pid = i32::try_from(self.child.id()).expect("pid fits i32");
        // SAFETY: kill(2) with our own child's pid and a valid signal number.
        let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(sent, 0, "kill -TERM {pid}");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads take the last lines.
                thread::sleep(Duration::from_millis(100));
                return (status.code(), started.elapsed().as_secs_f64());
            }
            if started.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("still running {WAIT:?} after SIGTERM\n{}", self.describe());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether process `pid` catches SIGTERM (its bit in `SigCgt` of `/proc/PID/status`).
fn catches_sigterm(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        })
        .is_some_and(|mask| mask & (1 << (libc::SIGTERM - 1)) != 0)
}

/// Runs a one-shot `yuqing ARGS`, asserting exit 0; returns stdout.
fn yuqing_ok(env: &Env, args: &[&str]) -> String {
    let out = command(env, args).output().expect("run yuqing");
    assert_eq!(
        out.status.code(),
        Some(0),
        "yuqing {args:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        tail(&String::from_utf8_lossy(&out.stderr), 6000)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// The request paths of every stored article (`search --json` of a query matching every
/// fixture page), asserting each article appears once.
fn stored_paths(env: &Env) -> BTreeSet<String> {
    let out = yuqing_ok(
        env,
        &["search", "--json", "--limit", "100", "快递 OR 邮政 OR 联赛"],
    );
    let result: Value = serde_json::from_str(out.trim()).expect("search --json output");
    let hits = result["hits"].as_array().expect("hits array");
    assert_eq!(
        result["total"].as_u64(),
        Some(hits.len() as u64),
        "total and hits differ: {result}"
    );
    let mut paths = BTreeSet::new();
    for hit in hits {
        let url = hit["url"].as_str().expect("hit url");
        let path = url
            .strip_prefix(&env.site_base)
            .unwrap_or_else(|| panic!("hit from elsewhere: {url}"));
        assert!(
            paths.insert(path.to_string()),
            "{path} stored twice: {result}"
        );
    }
    paths
}

fn paths_of<'a>(pages: impl IntoIterator<Item = &'a Page>) -> BTreeSet<String> {
    pages.into_iter().map(|p| p.path.to_string()).collect()
}

/// The `.eml` files in the outbox.
fn outbox(env: &Env) -> Vec<PathBuf> {
    match std::fs::read_dir(env.data().join("outbox")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Decodes standard base64, skipping line breaks (the digest's parts are base64).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The text/plain part of a digest, decoded.
fn plain_part(eml: &str) -> String {
    let start = eml
        .find("Content-Type: text/plain")
        .unwrap_or_else(|| panic!("no text/plain part:\n{eml}"));
    let part = &eml[start..];
    let body_start = part.find("\r\n\r\n").map(|i| i + 4).expect("part body");
    let body = &part[body_start..];
    let body = &body[..body.find("--").unwrap_or(body.len())];
    assert!(
        part[..body_start].contains("base64"),
        "text part not base64: {}",
        &part[..body_start]
    );
    String::from_utf8(base64_decode(body)).expect("utf-8 text part")
}

/// A plain HTTP/1.1 GET on `addr` (`127.0.0.1:PORT`); returns the whole response.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

fn count_lines(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

#[test]
fn serve_runs_the_schedule_and_stops_on_sigterm() {
    let day = yesterday_beijing();
    let site = start_site(&day, None);
    let env = write_env(
        &site,
        &[
            (
                "daily_report_cron = \"30 7 * * *\"",
                "daily_report_cron = \"*/2 * * * * *\"",
            ),
            (
                "weekly_report_cron = \"0 8 * * 1\"",
                "weekly_report_cron = \"\"",
            ),
            (
                "alert_cron = \"0 8 * * *\"",
                "alert_cron = \"*/2 * * * * *\"",
            ),
            (
                "report_formats = [\"html\", \"md\", \"docx\", \"xlsx\"]",
                "report_formats = [\"md\", \"html\"]",
            ),
            (
                "# [[mail.recipient]]\n# name = \"王科长\"\n# email = \"wang@example.gov.cn\"",
                "[[mail.recipient]]\nname = \"王科长\"\nemail = \"wang@example.gov.cn\"",
            ),
        ],
        &[INDUSTRY_SOURCE, PROVINCE_SOURCE],
    );
    let all = paths_of(INDUSTRY.iter().chain(&PROVINCE).chain([&CLOSURE]));
    let mut serve = Service::start(&env, &[]);

    // Start-up: the schedule with the next times in Beijing time, and the web address.
    serve.wait_for("the start-up schedule", |s| {
        s.stdout().contains("yuqing serve: running")
    });
    let stdout = serve.stdout();
    for line in [
        "抓取 crawl",
        "日报 daily-report",
        "周报 weekly-report",
        "预警 alert",
        "网页 web: http://127.0.0.1:",
    ] {
        assert!(
            stdout.contains(line),
            "no {line:?} in the schedule:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("\"*/2 * * * * *\", next ") && stdout.contains("+08:00"),
        "next run times in Beijing time expected:\n{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("周报 weekly-report") && l.trim_end().ends_with("off")),
        "the weekly report is off:\n{stdout}"
    );
    // The web server answers in the same process (health needs no login).
    let web = stdout
        .lines()
        .find_map(|l| l.strip_prefix("网页 web: http://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no web address:\n{stdout}"))
        .to_string();
    let health = http_get(&web, "/api/health");
    assert!(
        health.starts_with("HTTP/1.1 200"),
        "GET /api/health on {web}:\n{health}"
    );

    // The first crawl pass at start indexes every article.
    serve.wait_for("the first crawl pass", |s| {
        s.stderr().contains("抓取 crawl: 完成 done")
    });
    let stderr = serve.stderr();
    assert!(
        stderr.contains(&format!("{} new, 0 updated", all.len())),
        "the first pass should store {} articles:\n{stderr}",
        all.len()
    );

    // The daily report of yesterday, written by a run that started after the pass.
    let report_md = env.data().join("reports").join(format!("daily-{day}.md"));
    let report_html = env.data().join("reports").join(format!("daily-{day}.html"));
    serve.wait_for("a daily report with the crawled articles", |_| {
        std::fs::read_to_string(&report_md)
            .is_ok_and(|md| md.contains(&format!("相关报道 **{}** 篇", all.len())))
    });
    let md = std::fs::read_to_string(&report_md).unwrap();
    assert!(
        md.contains("负面报道 **1** 篇"),
        "one negative article:\n{md}"
    );
    assert!(
        md.contains(&format!(
            "[{}]({}{})",
            CLOSURE.title, env.site_base, CLOSURE.path
        )),
        "the negative story is linked:\n{md}"
    );
    assert!(report_html.exists(), "the html format too");
    assert!(
        !env.data()
            .join("reports")
            .join(format!("daily-{day}.docx"))
            .exists(),
        "only the configured formats"
    );

    // The alert digest: one message with the negative story, however often the job runs.
    serve.wait_for("an alert digest in the outbox", |_| {
        !outbox(&env).is_empty()
    });
    let done_then = count_lines(&serve.stderr(), "预警 alert: 完成 done");
    serve.wait_for("two more alert runs", |s| {
        count_lines(&s.stderr(), "预警 alert: 完成 done") >= done_then + 2
    });
    let mails = outbox(&env);
    assert_eq!(
        mails.len(),
        1,
        "one digest, sent once: {mails:?}\n{}",
        serve.describe()
    );
    let eml = std::fs::read_to_string(&mails[0]).unwrap();
    assert!(eml.contains("<wang@example.gov.cn>"), "recipient:\n{eml}");
    let text = plain_part(&eml);
    assert!(
        text.contains(&format!("{}{}", env.site_base, CLOSURE.path)),
        "the negative story's link in the digest:\n{text}"
    );
    for page in INDUSTRY.iter().chain(&PROVINCE) {
        assert!(
            !text.contains(page.path),
            "{} is not negative:\n{text}",
            page.path
        );
    }

    // One writer per data dir: a second serve, a run, a rematch, a real alert send stop at
    // once naming the dir and the holder (the trial saw tantivy "FileAlreadyExists … .del"
    // errors later instead); read-only commands work beside serve.
    let holder = format!("(serve, pid {})", serve.child.id());
    for args in [
        &["serve", "--no-web"][..],
        &["run"],
        &["themes", "rematch"],
        &["alert", "send"],
    ] {
        let started = Instant::now();
        let out = command(&env, args).output().expect("run yuqing");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "yuqing {args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "data dir {} is in use by another yuqing process {holder}",
                env.data().display()
            )),
            "yuqing {args:?}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "yuqing {args:?} must stop at once"
        );
    }
    assert_eq!(stored_paths(&env), all, "search beside serve");
    let out_dir = env.root.join("beside");
    let report = yuqing_ok(
        &env,
        &[
            "report",
            "daily",
            "--format",
            "md",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(report.contains(&format!("daily-{day}.md")), "{report}");
    // Without --date the weekly report is the last Monday–Sunday week that has ended, not the
    // running one (a trial's Tuesday run wrote the unfinished week).
    let before = yuqing_report::beijing_day(chrono::Utc::now());
    let weekly = yuqing_ok(
        &env,
        &[
            "report",
            "weekly",
            "--format",
            "md",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let after = yuqing_report::beijing_day(chrono::Utc::now());
    let ended = |today| yuqing_report::Period::weekly(today).previous().first_day;
    let (first, second) = (ended(before), ended(after));
    assert!(
        weekly.contains(&format!("weekly-{first}.md"))
            || weekly.contains(&format!("weekly-{second}.md")),
        "{weekly}"
    );
    let md = std::fs::read_to_string(out_dir.join(format!("weekly-{second}.md")))
        .or_else(|_| std::fs::read_to_string(out_dir.join(format!("weekly-{first}.md"))))
        .unwrap();
    assert!(
        !md.contains("本期尚未结束"),
        "an ended week is not marked unfinished"
    );
    yuqing_ok(&env, &["coverage"]);
    yuqing_ok(&env, &["alert", "send", "--dry-run"]);

    // SIGTERM: exit 0 promptly with the one-line summary.
    let (code, seconds) = serve.terminate();
    eprintln!("exited {seconds:.2} s after SIGTERM");
    assert_eq!(
        code,
        Some(0),
        "exit code after SIGTERM\n{}",
        serve.describe()
    );
    assert!(
        seconds < PROMPT_EXIT.as_secs_f64(),
        "took {seconds:.1} s to stop"
    );
    let stdout = serve.stdout();
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("yuqing serve: stopped by SIGTERM"))
        .unwrap_or_else(|| panic!("no summary line:\n{stdout}"));
    assert!(
        summary.contains("1 crawl passes (0 cancelled, 0 skipped)"),
        "{summary}"
    );
    assert!(
        summary.contains(" 0 failed jobs"),
        "{summary}\n{}",
        serve.describe()
    );

    // The store and the index open fine afterwards: every article once, and a pass finds
    // nothing new (the writer lock was released).
    assert_eq!(stored_paths(&env), all);
    let run: Value = serde_json::from_str(yuqing_ok(&env, &["run", "--json"]).trim()).unwrap();
    assert_eq!(run["new"].as_u64(), Some(0), "{run}");
    assert_eq!(run["unchanged"].as_u64(), Some(all.len() as u64), "{run}");
}

#[test]
fn sigterm_during_a_slow_source_keeps_what_was_fetched() {
    let day = yesterday_beijing();
    let site = start_site(&day, Some(CLOSURE.path));
    let env = write_env(
        &site,
        &[
            ("concurrency = 8", "concurrency = 1"),
            (
                "daily_report_cron = \"30 7 * * *\"",
                "daily_report_cron = \"\"",
            ),
            (
                "weekly_report_cron = \"0 8 * * 1\"",
                "weekly_report_cron = \"\"",
            ),
            ("alert_cron = \"0 8 * * *\"", "alert_cron = \"\""),
        ],
        &[INDUSTRY_SOURCE, PROVINCE_SOURCE, BIZ_SOURCE],
    );
    let mut serve = Service::start(&env, &["--no-web"]);
    serve.wait_for("the start-up schedule", |s| {
        s.stdout().contains("yuqing serve: running")
    });
    assert!(
        serve.stdout().contains("网页 web: off (--no-web)"),
        "{}",
        serve.describe()
    );

    // Sources go one at a time: the first is done (written) before the second starts; the
    // second's slow page is now being awaited.
    serve.wait_for("the request of the slow page", |_| {
        site.requests(CLOSURE.path) == 1
    });
    let (code, seconds) = serve.terminate();
    eprintln!("exited {seconds:.2} s after SIGTERM");
    assert_eq!(
        code,
        Some(0),
        "exit code after SIGTERM\n{}",
        serve.describe()
    );
    assert!(
        seconds < PROMPT_EXIT.as_secs_f64() && seconds < SLOW.as_secs_f64() / 3.0,
        "took {seconds:.1} s to stop: the slow fetch must be abandoned\n{}",
        serve.describe()
    );
    let stdout = serve.stdout();
    assert!(
        stdout.contains("1 crawl passes (1 cancelled, 0 skipped)"),
        "the pass is reported cancelled:\n{stdout}"
    );
    assert_eq!(
        site.requests(BIZ_SOURCE.1),
        0,
        "the third source must not be started after the signal"
    );

    // Kept: the first source whole, maybe the province pages already fetched; never the
    // slow page, nothing twice.
    let before = stored_paths(&env);
    let industry = paths_of(&INDUSTRY);
    assert!(
        before.is_superset(&industry),
        "first source kept: {before:?}"
    );
    assert!(
        before.is_subset(&industry.union(&paths_of(&PROVINCE)).cloned().collect()),
        "only fetched pages are stored: {before:?}"
    );

    // A later run completes the rest: everything once, stored pages not fetched again, and
    // the province listing read again (its validators were not saved).
    let listing_reads = site.requests(PROVINCE_SOURCE.1);
    let run: Value = serde_json::from_str(yuqing_ok(&env, &["run", "--json"]).trim()).unwrap();
    let all = paths_of(
        INDUSTRY
            .iter()
            .chain(&PROVINCE)
            .chain([&CLOSURE])
            .chain(&BIZ),
    );
    assert_eq!(stored_paths(&env), all, "{run}");
    assert_eq!(
        run["new"].as_u64(),
        Some((all.len() - before.len()) as u64),
        "new articles = the ones missing before: {run}"
    );
    assert_eq!(site.requests(PROVINCE_SOURCE.1), listing_reads + 1);
    for path in &before {
        assert_eq!(
            site.requests(path),
            1,
            "{path} was stored and must not be fetched again"
        );
    }
    assert_eq!(
        site.requests(CLOSURE.path),
        2,
        "the slow page is read by the later run"
    );
}

/// The trial's failure: SIGTERM within ~0.5 s of start (before "running") killed serve with
/// 143 and no summary. The handlers now come before the slow start-up: the signal is sent
/// the moment the process catches SIGTERM, start-up finishes, nothing is scheduled or
/// crawled, and serve prints its summary and exits 0.
#[test]
fn sigterm_during_start_up_exits_0_with_the_summary() {
    let day = yesterday_beijing();
    let site = start_site(&day, None);
    let env = write_env(&site, &[], &[INDUSTRY_SOURCE]);
    let mut serve = Service::start(&env, &["--no-web"]);
    let pid = serve.child.id();
    let started = Instant::now();
    while !catches_sigterm(pid) {
        if let Some(status) = serve.child.try_wait().unwrap() {
            panic!("exited ({status}) during start-up\n{}", serve.describe());
        }
        assert!(started.elapsed() < WAIT, "never caught SIGTERM");
        thread::sleep(Duration::from_millis(1));
    }
    eprintln!("SIGTERM caught {:?} after spawn", started.elapsed());
    let (code, seconds) = serve.terminate();
    eprintln!("exited {seconds:.2} s after SIGTERM");
    assert_eq!(code, Some(0), "exit code\n{}", serve.describe());
    let stdout = serve.stdout();
    assert!(
        stdout.contains("yuqing serve: stopped by SIGTERM after")
            && stdout.contains("0 crawl passes (0 cancelled, 0 skipped), 0 reports, 0 alert runs"),
        "summary expected:\n{}",
        serve.describe()
    );
    assert!(
        !stdout.contains("yuqing serve: running"),
        "nothing is scheduled after a signal during start-up:\n{}",
        serve.describe()
    );
    assert_eq!(site.requests(INDUSTRY_SOURCE.1), 0, "no crawl");
    // The lock was released with the process: a run works now.
    yuqing_ok(&env, &["run", "--json"]);
    assert_eq!(site.requests(INDUSTRY_SOURCE.1), 1);
}

/// `yuqing report --date`: a day in the future or one that does not exist is a usage error
/// (exit 2) naming the date (the trial got "expected YYYY-MM-DD" for 2026-02-30 and an empty
/// report for 2099-01-01).
#[test]
fn report_dates_in_the_future_or_nonexistent_are_usage_errors() {
    let site = start_site(&yesterday_beijing(), None);
    let env = write_env(&site, &[], &[INDUSTRY_SOURCE]);
    for (date, says) in [
        ("2099-01-01", "--date 2099-01-01: in the future"),
        ("2026-02-30", "--date 2026-02-30: no such day"),
        ("2026/02/03", "expected YYYY-MM-DD"),
    ] {
        let out = command(&env, &["report", "weekly", "--date", date])
            .output()
            .expect("run yuqing");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{date}: {stderr}");
        assert!(stderr.contains(says), "{date}: {stderr}");
    }
    assert!(!env.data().join("reports").exists(), "nothing written");
}

/// `config check` names an SMTP password file that cannot be read and recipient theme ids
/// that are not in themes.toml (the trial's check said "ok" to both); `alert send --dry-run`
/// goes without the password (the trial's failed on the missing file).
#[test]
fn config_check_names_the_password_file_and_unknown_recipient_themes() {
    let site = start_site(&yesterday_beijing(), None);
    let env = write_env(
        &site,
        &[
            ("smtp_host = \"\"", "smtp_host = \"127.0.0.1\""),
            ("smtp_tls = \"starttls\"", "smtp_tls = \"none\""),
            ("smtp_username = \"\"", "smtp_username = \"yuqing\""),
            (
                "smtp_password_file = \"\"",
                "smtp_password_file = \"missing.secret\"",
            ),
            (
                "# [[mail.recipient]]\n# name = \"王科长\"\n# email = \"wang@example.gov.cn\"",
                "[[mail.recipient]]\nname = \"王科长\"\nemail = \"wang@example.gov.cn\"\nthemes = [\"s1\", \"s99\", \"s1.i99\"]",
            ),
        ],
        &[INDUSTRY_SOURCE],
    );
    let out = command(&env, &["config", "check"])
        .output()
        .expect("run yuqing");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let file = env.config_file().display().to_string();
    let missing = env.root.join("config").join("missing.secret");
    assert!(
        stdout.contains(&format!(
            "{file}: mail.smtp_password_file: cannot read {}",
            missing.display()
        )),
        "{stdout}"
    );
    for bad in ["s99", "s1.i99"] {
        assert!(
            stdout.contains(&format!(
                "{file}: mail.recipient[0].themes: \"{bad}\" is not a theme id"
            )),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("\"s1\" is not"), "{stdout}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    // A dry run sends nothing and reads no password.
    yuqing_ok(&env, &["run", "--json"]);
    let dry = yuqing_ok(&env, &["alert", "send", "--dry-run"]);
    assert!(
        dry.contains("nothing sent") || dry.contains("dry run, not sent"),
        "{dry}"
    );
}
