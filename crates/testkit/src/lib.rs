//! # yuqing-testkit: what every test of the workspace needs to set up, written once
//!
//! A dev-only crate (`publish = false`; only ever a `[dev-dependencies]` entry) holding the
//! fixture and setup helpers that the pipeline and web crate tests and the root end-to-end
//! tests (`tests/e2e_*.rs`) used to carry as near-copies:
//!
//! * [`article`]: a fixture [`Article`] (id from the canonical URL, site `测试网`);
//! * [`copy_dir`], [`repo_config_dir`], [`config_with_data_dir`]: a private copy of the
//!   shipped `config/` and a [`Config`] reading it with another data directory;
//! * [`yuqing_command`], [`run_with_deadline`], [`Run`], [`tail`]: running the `yuqing`
//!   binary with nothing leaking in from the environment and every proxy variable pointing
//!   at a loopback fixture site, killed after a deadline;
//! * [`source_toml`], [`read_request_head`], [`respond_and_close`]: the fixture sites'
//!   `sources.toml` entries and their one-request HTTP/1.1 connections.
//!
//! Helpers panic on failure (they are test set-up: a failure is a failed test, with the
//! path or command in the message).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
//! let a = yuqing_testkit::article("https://test.example.cn/a.html", "快递进村", "正文", at);
//! assert_eq!(a.id, yuqing_model::ArticleId::from_canonical_url("https://test.example.cn/a.html"));
//! assert_eq!((a.site.as_str(), a.fetched_at), ("测试网", at));
//! let dir = std::env::temp_dir().join(format!("yuqing-testkit-doc-{}", std::process::id()));
//! yuqing_testkit::copy_dir(yuqing_testkit::repo_config_dir(), &dir);
//! let config = yuqing_testkit::config_with_data_dir(&dir.join("yuqing.toml"), &dir.join("data"));
//! assert_eq!(config.data_dir, dir.join("data"));
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```
#![warn(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use yuqing_config::Config;
use yuqing_model::{Article, ArticleId, DateSource, Tier};

/// A fixture article at `url` (also its canonical URL; the id is derived from it) with
/// `title` and `body`, published (`DateSource::Meta`) and fetched at `at`; source `src`,
/// tier industry, site `测试网`, no author or editor. Override fields with struct update
/// syntax: `Article { source: "x".into(), ..article(…) }`.
pub fn article(url: &str, title: &str, body: impl Into<String>, at: DateTime<Utc>) -> Article {
    Article {
        id: ArticleId::from_canonical_url(url),
        source: "src".into(),
        tier: Tier::Industry,
        url: url.into(),
        canonical_url: url.into(),
        site: "测试网".into(),
        title: title.into(),
        author: None,
        editor: None,
        published_at: Some(at),
        date_source: DateSource::Meta,
        body: body.into(),
        fetched_at: at,
    }
}

/// The repository's shipped `config/` directory.
pub fn repo_config_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"))
}

/// Copies the directory tree `from` into `to` (created; files overwritten).
///
/// # Panics
/// When a directory cannot be read or created or a file cannot be copied (names the path).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("list {}: {e}", from.display()));
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copy {} to {}: {e}", path.display(), target.display()));
        }
    }
}

/// The configuration of `config_file` with `YUQING_DATA_DIR` set to `data_dir` (and no other
/// environment override).
///
/// # Panics
/// When the configuration does not load (the error names the file and key).
pub fn config_with_data_dir(config_file: &Path, data_dir: &Path) -> Config {
    let data = data_dir.display().to_string();
    let env = move |key: &str| (key == "YUQING_DATA_DIR").then(|| data.clone());
    Config::load_with_env(config_file, &env)
        .unwrap_or_else(|e| panic!("load {}: {e}", config_file.display()))
}

/// The last `max` bytes of `s` (from a char boundary): enough of a command's output for a
/// failure message.
pub fn tail(s: &str, max: usize) -> &str {
    let cut = s.len().saturating_sub(max);
    let cut = (cut..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    s.get(cut..).unwrap_or(s)
}

/// How a finished command ended: exit code (`None` when killed by a signal), its whole
/// stdout and stderr (lossy UTF-8) and its wall time in seconds.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code.
    pub code: Option<i32>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// Wall time from spawn to exit, seconds.
    pub seconds: f64,
}

impl Run {
    /// Exit code, time and the last 4000 bytes ([`tail`]) of both streams, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "exit {:?} after {:.1} s\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            self.seconds,
            tail(&self.stdout, 4000),
            tail(&self.stderr, 4000)
        )
    }

    /// Stdout parsed as one JSON document.
    ///
    /// # Panics
    /// When it is not (with [`Run::describe`]).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}",
                self.describe()
            )
        })
    }
}

/// `BIN --config CONFIG ARGS…` run in `cwd` (also `HOME`), with no `YUQING_*` variable from
/// outside, `NO_COLOR=1`, every proxy variable (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`,
/// lower and upper case) set to `proxy` and `NO_PROXY=127.0.0.1,localhost`, so a request
/// for any other host reaches the fixture site at `proxy` (which can refuse and record it)
/// instead of leaving loopback. Stdin is null, stdout and stderr piped.
pub fn yuqing_command(
    bin: &Path,
    cwd: &Path,
    config: &Path,
    proxy: &str,
    args: &[&str],
) -> Command {
    let mut command = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("YUQING_") {
            command.env_remove(name);
        }
    }
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env(var, proxy);
    }
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Spawns `command` (stdout and stderr piped), collects both streams as they come and waits
/// for it, polling every 20 ms.
///
/// # Panics
/// When it cannot be spawned, or when it still runs after `deadline` (it is killed first;
/// `what` names it in the message).
pub fn run_with_deadline(mut command: Command, deadline: Duration, what: &str) -> Run {
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = child.stdout.take().map(|s| drain(Box::new(s)));
    let err = child.stderr.take().map(|s| drain(Box::new(s)));
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .unwrap_or_else(|e| panic!("wait for {what}: {e}"))
        {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {deadline:?}; killed");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let join = |h: Option<thread::JoinHandle<String>>| {
        h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
    };
    Run {
        code: status.code(),
        stdout: join(out),
        stderr: join(err),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// One `[[source]]` table of a `sources.toml` (ends with a blank line): `id`, `name`, `kind`,
/// `url` = `base` + `path`, `tier`, and `link_selector` (a TOML literal string) when given.
pub fn source_toml(
    base: &str,
    id: &str,
    name: &str,
    kind: &str,
    path: &str,
    tier: &str,
    selector: Option<&str>,
) -> String {
    let mut s = format!(
        "[[source]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"{kind}\"\nurl = \"{base}{path}\"\ntier = \"{tier}\"\n"
    );
    if let Some(sel) = selector {
        s.push_str(&format!("link_selector = '{sel}'\n"));
    }
    s.push('\n');
    s
}

/// Reads one HTTP/1.1 request head from `stream` (10 s read timeout) and returns its method
/// and its target's path (query and fragment cut off); `None` when the peer sent nothing.
/// For the tests' fixture sites (one thread per connection, one request per connection).
pub fn read_request_head(stream: &TcpStream) -> Option<(String, String)> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return None;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("");
    let path = target.split(['?', '#']).next().unwrap_or("").to_string();
    Some((method, path))
}

/// Answers `HTTP/1.1 {status}` (`"200 OK"`) with `Connection: close`, `content_type` and
/// `body` (left out when `send_body` is false, as for `HEAD`), then closes the write side and
/// waits for the peer to close, so the client reads the whole response.
pub fn respond_and_close(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    send_body: bool,
) {
    let head = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if send_body {
        let _ = stream.write_all(body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.read(&mut [0u8; 1]);
}
