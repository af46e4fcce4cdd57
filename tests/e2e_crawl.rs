//! End-to-end test of the `yuqing` binary: one crawl pass, a second (conditional) pass,
//! search, extract and `config check`, against a fixture web site served on 127.0.0.1.
//!
//! The fixture site (a plain HTTP/1.1 server on `127.0.0.1:0`, one thread per connection)
//! serves:
//! - our own pages from `tests/fixtures/` (a listing of three 快递/邮政 articles, a GBK page
//!   with neither a charset header nor a meta tag, a robots.txt disallowing `/private/`, a page
//!   that answers 500 once and then 200);
//! - real feeds and pages read at test time from `../shared/data` (never copied into the repo),
//!   with every absolute http(s) URL rewritten to `http://127.0.0.1:PORT/ext/<host>/<path>`;
//! - failure modes, each its own source: a response slower than the timeout, a 50 MiB body
//!   streamed in chunks, a redirect loop and a 404.
//!
//! Every request is recorded (path, `If-None-Match`, `If-Modified-Since`, status). The binary
//! runs with `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` pointing at the fixture server and
//! `NO_PROXY=127.0.0.1,localhost`, so a request for any other host would arrive here as a proxy
//! request, be refused and be recorded: the test asserts there were none.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use yuqing_testkit::{Run, run_with_deadline, source_toml, yuqing_command};

/// Shared test data (read only, never copied into the repo).
const SHARED_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
/// Our own fixtures.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// Validators of the conditional feed (`/feeds/ruanyifeng.atom`).
const FEED_ETAG: &str = "\"ruanyifeng-atom-v1\"";
const FEED_LAST_MODIFIED: &str = "Mon, 01 Dec 2025 03:04:54 GMT";

/// `[fetch] timeout_ms` written into the test config, and how long `/slow.html` stalls.
const TIMEOUT_MS: u64 = 1500;
const SLOW_MS: u64 = 4000;
/// `[fetch] max_body_bytes` and the size of the streamed `/huge.html` body.
const MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;
const HUGE_BYTES: usize = 50 * 1024 * 1024;

/// Longest any single `yuqing` invocation may take before the test kills it.
const COMMAND_DEADLINE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// Our own articles: what the pipeline must find in them.
// ---------------------------------------------------------------------------------------------

/// One of our fixture articles and the values search must report for it.
struct Known {
    path: &'static str,
    title: &'static str,
    published_at: &'static str,
}

const EXPRESS_ARTICLES: [Known; 3] = [
    Known {
        path: "/news/a1.html",
        title: "国家邮政局：5月第二周快递业务量突破35亿件",
        published_at: "2024-05-12T10:30:00+08:00",
    },
    Known {
        path: "/news/a2.html",
        title: "多地邮政网点试点无人机投递 偏远山村包裹当日可达",
        published_at: "2024-06-03T08:15:00+08:00",
    },
    Known {
        path: "/news/a3.html",
        title: "快递员权益保障新规出台 末端派费不得随意克扣",
        published_at: "2024-07-20T16:45:00+08:00",
    },
];

const GBK_ARTICLE: Known = Known {
    path: "/news/gbk-notice.html",
    title: "邮政网点推出春节寄递服务 年货包裹优先揽收",
    published_at: "2024-01-25T09:00:00+08:00",
};

const FLAKY_ARTICLE: Known = Known {
    path: "/flaky/notice.html",
    title: "快递驿站服务质量调查：七成用户满意取件效率",
    published_at: "2024-08-08T14:20:00+08:00",
};

/// First entry of `feeds/zh_real/ruanyifeng_blog.atom.xml` (published 2025-11-28T00:14:06Z).
const FEED_ARTICLE: Known = Known {
    path: "/ext/www.ruanyifeng.com/blog/2025/11/weekly-issue-375.html",
    title: "科技爱好者周刊（第 375 期）：一扇门的 Bug",
    published_at: "2025-11-28T08:14:06+08:00",
};

// ---------------------------------------------------------------------------------------------
// The fixture HTTP server.
// ---------------------------------------------------------------------------------------------

/// One request as the fixture server saw it.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    status: u16,
}

/// A fixed response body.
struct Static {
    content_type: &'static str,
    body: Vec<u8>,
}

struct SiteState {
    port: u16,
    /// Fixed responses by request path.
    routes: HashMap<String, Static>,
    log: Mutex<Vec<Recorded>>,
    /// Requests for any host other than ours (proxy-form or CONNECT): only the canary's.
    escaped: Mutex<Vec<String>>,
    flaky_hits: AtomicUsize,
    /// Bytes of `/huge.html` body written per request, and whether the whole body went out.
    huge_sent: Mutex<Vec<(usize, bool)>>,
}

/// The fixture site; lives (with its threads) until the test process ends.
struct Site {
    state: Arc<SiteState>,
}

impl Site {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.port)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    fn escaped(&self) -> Vec<String> {
        self.state.escaped.lock().unwrap().clone()
    }
}

/// Binds 127.0.0.1:0, loads every fixed response (rewriting external URLs to the bound port)
/// and starts the accept loop.
fn start_site(shared: &Path) -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    let fixtures = Path::new(FIXTURES);
    let read_fixture = |rel: &str| {
        std::fs::read(fixtures.join(rel)).unwrap_or_else(|e| panic!("read fixture {rel}: {e}"))
    };
    let read_shared = |rel: &str| {
        let bytes = std::fs::read(shared.join(rel))
            .unwrap_or_else(|e| panic!("read shared data {rel}: {e}"));
        rewrite_external_urls(&bytes, port)
    };
    const HTML_UTF8: &str = "text/html; charset=utf-8";
    const HTML_NO_CHARSET: &str = "text/html";

    let mut routes = HashMap::new();
    let mut add = |path: &str, content_type: &'static str, body: Vec<u8>| {
        routes.insert(path.to_string(), Static { content_type, body });
    };
    add(
        "/robots.txt",
        "text/plain; charset=utf-8",
        read_fixture("robots.txt"),
    );
    for (path, file) in [
        ("/listing/express.html", "listing/express.html"),
        ("/listing/robots.html", "listing/robots.html"),
        ("/listing/real.html", "listing/real.html"),
        ("/news/a1.html", "news/a1.html"),
        ("/news/a2.html", "news/a2.html"),
        ("/news/a3.html", "news/a3.html"),
    ] {
        add(path, HTML_UTF8, read_fixture(file));
    }
    add(GBK_ARTICLE.path, HTML_NO_CHARSET, gbk_fixture());
    add(
        "/private/secret.html",
        HTML_UTF8,
        "<html><head><title>内部资料 请勿抓取</title></head><body><p>robots.txt 禁止抓取本页。</p></body></html>"
            .as_bytes()
            .to_vec(),
    );
    // Real pages: no charset in the header, so the decoder has to read the meta tag
    // (f70d9c97 is GB2312 bytes with `<meta charset="gb2312">`) or sniff the bytes
    // (gmw is UTF-8 bytes that declare gbk).
    for id in [
        "9890f458-7af7-4e96-a507-6eb1b359d675",
        "f51248cc-bb27-49ba-a159-975795c3ea11",
        "f70d9c97-9d64-415e-a7e4-840c9258eaf5",
    ] {
        add(
            &format!("/real/cwced/{id}.html"),
            HTML_NO_CHARSET,
            read_shared(&format!("extraction_zh/cwced/html/{id}.html")),
        );
    }
    add(
        "/real/readability/gmw.html",
        HTML_NO_CHARSET,
        read_shared("extraction_zh/readability/gmw/source.html"),
    );
    add(
        "/feeds/ruanyifeng.atom",
        "application/atom+xml; charset=utf-8",
        read_shared("feeds/zh_real/ruanyifeng_blog.atom.xml"),
    );
    add(
        "/feeds/meituan.rss",
        "application/rss+xml; charset=utf-8",
        read_shared("feeds/zh_real/meituan_tech.rss.xml"),
    );
    add(
        FLAKY_ARTICLE.path,
        HTML_UTF8,
        read_fixture("news/flaky.html"),
    );

    let state = Arc::new(SiteState {
        port,
        routes,
        log: Mutex::new(Vec::new()),
        escaped: Mutex::new(Vec::new()),
        flaky_hits: AtomicUsize::new(0),
        huge_sent: Mutex::new(Vec::new()),
    });
    let accept_state = Arc::clone(&state);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = Arc::clone(&accept_state);
            thread::spawn(move || handle_connection(stream, &state));
        }
    });
    Site { state }
}

/// Our GBK page: `tests/fixtures/news/gbk-notice.utf8.html` encoded to GBK at test time. It has
/// no `<meta charset>` and is served without a charset parameter.
fn gbk_fixture() -> Vec<u8> {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("news/gbk-notice.utf8.html"))
        .expect("read gbk-notice.utf8.html");
    assert!(
        !text.to_ascii_lowercase().contains("charset"),
        "the GBK fixture must not declare a charset"
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(
        !unmappable,
        "gbk-notice.utf8.html has characters GBK cannot encode"
    );
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the GBK bytes must not also be valid UTF-8"
    );
    bytes.into_owned()
}

/// Rewrites every absolute `http://` / `https://` URL in `bytes` to
/// `http://127.0.0.1:PORT/ext/<host><path>`, except XML namespace URIs (`xmlns="…"`), which
/// are names, not links. Works on bytes: a URL ends at whitespace, a quote, `<`, `>` or any
/// non-ASCII byte, so multi-byte GBK/UTF-8 text is left untouched.
fn rewrite_external_urls(bytes: &[u8], port: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let scheme_len = if rest.starts_with(b"http://") {
            7
        } else if rest.starts_with(b"https://") {
            8
        } else {
            0
        };
        if scheme_len == 0 || is_xmlns_value(bytes, i) {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let end = rest
            .iter()
            .position(|&b| {
                b.is_ascii_whitespace() || b >= 0x80 || matches!(b, b'"' | b'\'' | b'<' | b'>')
            })
            .unwrap_or(rest.len());
        let url = &rest[scheme_len..end];
        let host_end = url
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(url.len());
        let (host, tail) = url.split_at(host_end);
        out.extend_from_slice(format!("http://127.0.0.1:{port}/ext/").as_bytes());
        out.extend_from_slice(host);
        if !tail.starts_with(b"/") {
            out.push(b'/');
        }
        out.extend_from_slice(tail);
        i += end;
    }
    out
}

/// True when the URL starting at `start` is the value of an `xmlns` / `xmlns:x` attribute.
fn is_xmlns_value(bytes: &[u8], start: usize) -> bool {
    let before = &bytes[..start];
    let Some((&quote, before)) = before.split_last() else {
        return false;
    };
    if quote != b'"' && quote != b'\'' {
        return false;
    }
    let before = before.trim_ascii_end();
    let Some((&b'=', before)) = before.split_last() else {
        return false;
    };
    let before = before.trim_ascii_end();
    let name_start = before
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-')))
        .map_or(0, |p| p + 1);
    let name = &before[name_start..];
    name == b"xmlns" || name.starts_with(b"xmlns:")
}

/// Reads one request head, records it and answers it; the connection is closed afterwards.
fn handle_connection(mut stream: TcpStream, state: &SiteState) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();

    // Anything not addressed to us is a request that would have left loopback.
    let own = [
        format!("127.0.0.1:{}", state.port),
        format!("localhost:{}", state.port),
    ];
    let path = if method == "CONNECT" {
        None
    } else if let Some(abs) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        let (authority, path) = abs.split_at(abs.find('/').unwrap_or(abs.len()));
        own.iter()
            .any(|o| o == authority)
            .then(|| if path.is_empty() { "/" } else { path }.to_string())
    } else {
        Some(target.clone())
    };
    let Some(path) = path else {
        state
            .escaped
            .lock()
            .unwrap()
            .push(format!("{method} {target}"));
        let _ = write_response(
            &mut stream,
            502,
            &[],
            b"fixture site: no external requests",
            false,
        );
        return;
    };
    let path = path.split(['?', '#']).next().unwrap_or("").to_string();
    let head_only = method == "HEAD";
    let status = respond(&mut stream, state, &path, &headers, head_only);
    state.log.lock().unwrap().push(Recorded {
        method,
        path,
        if_none_match: headers.get("if-none-match").cloned(),
        if_modified_since: headers.get("if-modified-since").cloned(),
        status,
    });
}

/// Routes one request and returns the status sent.
fn respond(
    stream: &mut TcpStream,
    state: &SiteState,
    path: &str,
    headers: &HashMap<String, String>,
    head_only: bool,
) -> u16 {
    let html = |title: &str, text: &str| {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><h1>{title}</h1><p>{text}</p></body></html>"
        )
        .into_bytes()
    };
    match path {
        "/feeds/ruanyifeng.atom" => {
            let validators = [
                ("ETag", FEED_ETAG.to_string()),
                ("Last-Modified", FEED_LAST_MODIFIED.to_string()),
            ];
            let fresh = headers
                .get("if-none-match")
                .is_some_and(|v| v.split(',').any(|t| t.trim() == FEED_ETAG))
                || (!headers.contains_key("if-none-match")
                    && headers
                        .get("if-modified-since")
                        .is_some_and(|v| v == FEED_LAST_MODIFIED));
            if fresh {
                let _ = write_response(stream, 304, &validators, b"", true);
                return 304;
            }
            let page = &state.routes[path];
            let mut hs = validators.to_vec();
            hs.push(("Content-Type", page.content_type.to_string()));
            let _ = write_response(stream, 200, &hs, &page.body, head_only);
            200
        }
        p if p == FLAKY_ARTICLE.path && state.flaky_hits.fetch_add(1, Ordering::SeqCst) == 0 => {
            let _ = write_response(stream, 500, &[], b"temporary failure", head_only);
            500
        }
        "/slow.html" => {
            thread::sleep(Duration::from_millis(SLOW_MS));
            let body = html("迟到的页面", "这一页在超时之后才返回。");
            let _ = write_response(
                stream,
                200,
                &[("Content-Type", "text/html; charset=utf-8".into())],
                &body,
                head_only,
            );
            200
        }
        "/huge.html" => {
            let (sent, complete) = stream_huge(stream);
            state.huge_sent.lock().unwrap().push((sent, complete));
            200
        }
        "/loop/a" | "/loop/b" => {
            let next = if path == "/loop/a" {
                "/loop/b"
            } else {
                "/loop/a"
            };
            let _ = write_response(
                stream,
                302,
                &[("Location", next.to_string())],
                b"",
                head_only,
            );
            302
        }
        p if p.starts_with("/ext/") => {
            // Stand-in for a page on the real internet: a short article naming the original
            // URL, long enough (> crawl.min_body_chars) to be kept.
            let body = html(
                "站外页面（测试替身）",
                &format!(
                    "原地址：{}。这是端到端测试用的替身页面，真实网页不会被访问；\
                     本段文字只用于让抽取器得到一篇足够长的正文，以便检查订阅源条目的抓取流程。",
                    &p[5..]
                ),
            );
            let _ = write_response(
                stream,
                200,
                &[("Content-Type", "text/html; charset=utf-8".into())],
                &body,
                head_only,
            );
            200
        }
        p => match state.routes.get(p) {
            Some(page) => {
                let _ = write_response(
                    stream,
                    200,
                    &[("Content-Type", page.content_type.to_string())],
                    &page.body,
                    head_only,
                );
                200
            }
            None => {
                let _ = write_response(stream, 404, &[], b"not found", head_only);
                404
            }
        },
    }
}

fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Bad Gateway",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only && status != 304 {
        stream.write_all(body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Let the client read everything before the socket is dropped.
    let _ = stream.read(&mut [0u8; 1]);
    Ok(())
}

/// Streams a generated 50 MiB HTML body in 64 KiB chunks (chunked encoding, no
/// Content-Length). Returns the body bytes written and whether all of them went out.
fn stream_huge(stream: &mut TcpStream) -> (usize, bool) {
    let head = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n\
                Transfer-Encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return (0, false);
    }
    let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
    let mut chunk = b"<html><body>".to_vec();
    while chunk.len() < 64 * 1024 {
        chunk.extend_from_slice("<p>快递包裹填充内容</p>\n".as_bytes());
    }
    let mut sent = 0;
    while sent < HUGE_BYTES {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if stream.write_all(&framed).is_err() {
            return (sent, false);
        }
        sent += chunk.len();
    }
    (sent, stream.write_all(b"0\r\n\r\n").is_ok())
}

// ---------------------------------------------------------------------------------------------
// Config and running the binary.
// ---------------------------------------------------------------------------------------------

/// A temp dir with `config/{yuqing.toml,sources.toml,sites.toml}` and `data/`.
struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    site_base: String,
}

impl Env {
    fn config_dir(&self) -> PathBuf {
        self.root.join("config")
    }
    fn config_file(&self) -> PathBuf {
        self.config_dir().join("yuqing.toml")
    }
}

/// Each source and, for the failing ones, words one of which the failure reason must contain.
const FAILING: [(&str, &[&str]); 4] = [
    ("slow", &["timeout", "timed out"]),
    ("huge", &["large", "too big", "max_body", "limit", "bytes"]),
    ("redirect-loop", &["redirect"]),
    ("missing", &["404", "not found"]),
];
const HEALTHY: [&str; 6] = [
    "express-listing",
    "robots-listing",
    "real-pages",
    "ruanyifeng",
    "meituan",
    "flaky",
];

fn write_config(site: &Site) -> Env {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    std::fs::create_dir_all(root.join("config")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    let dict_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config/dict");
    // `config check` reports a missing themes file (serve, report and coverage need it).
    let themes_file = concat!(env!("CARGO_MANIFEST_DIR"), "/config/themes.toml");
    let yuqing_toml = format!(
        r#"version = 1
timezone = "Asia/Shanghai"

[data]
dir = "{data}"

[fetch]
user_agent = "Yuqing-test/0.1"
connect_timeout_ms = 1000
timeout_ms = {TIMEOUT_MS}
max_body_bytes = {MAX_BODY_BYTES}
max_redirects = 5
per_host_rps = 100
concurrency = 8
retries = 2
backoff_ms = 50
respect_robots = true

[crawl]
# Re-read stored pages on the second pass, so "unchanged" (not "new", not "updated") is tested.
refetch_known_articles = true

[text]
dict_dir = "{dict_dir}"

[analysis]
themes_file = "{themes_file}"
"#,
        data = root.join("data").display(),
    );
    std::fs::write(root.join("config/yuqing.toml"), yuqing_toml).unwrap();
    std::fs::write(
        root.join("config/sources.toml"),
        sources_toml(&site.base(), "industry"),
    )
    .unwrap();
    std::fs::write(
        root.join("config/sites.toml"),
        "# no site rules: generic extraction only\n",
    )
    .unwrap();
    Env {
        _tmp: tmp,
        root,
        site_base: site.base(),
    }
}

/// `sources.toml` for the fixture site; `tier` is the tier of the first source (the others are
/// fixed), so a test can plant an invalid one.
fn sources_toml(base: &str, tier: &str) -> String {
    let source =
        |id: &str, name: &str, kind: &str, path: &str, tier: &str, selector: Option<&str>| {
            source_toml(base, id, name, kind, path, tier, selector)
        };
    [
        source(
            "express-listing",
            "邮政快递观察·行业动态",
            "listing",
            "/listing/express.html",
            tier,
            Some("ul.news-list a"),
        ),
        source(
            "robots-listing",
            "邮政快递观察·通知公告",
            "listing",
            "/listing/robots.html",
            "industry",
            Some("ul.notice-list a"),
        ),
        source(
            "real-pages",
            "转载汇总",
            "listing",
            "/listing/real.html",
            "commercial",
            Some("div.links a"),
        ),
        source(
            "ruanyifeng",
            "阮一峰的网络日志",
            "feed",
            "/feeds/ruanyifeng.atom",
            "self-media",
            None,
        ),
        source(
            "meituan",
            "美团技术团队",
            "feed",
            "/feeds/meituan.rss",
            "commercial",
            None,
        ),
        source(
            "flaky",
            "时好时坏的页面",
            "page",
            FLAKY_ARTICLE.path,
            "provincial",
            None,
        ),
        source(
            "slow",
            "超时的页面",
            "page",
            "/slow.html",
            "provincial",
            None,
        ),
        source(
            "huge",
            "50 MB 的页面",
            "page",
            "/huge.html",
            "provincial",
            None,
        ),
        source(
            "redirect-loop",
            "重定向循环",
            "page",
            "/loop/a",
            "provincial",
            None,
        ),
        source(
            "missing",
            "不存在的页面",
            "page",
            "/missing.html",
            "provincial",
            None,
        ),
    ]
    .concat()
}

/// Runs `yuqing --config <env>/config/yuqing.toml ARGS…` with every proxy variable pointing at
/// the fixture site (so nothing can leave loopback unseen), killing it after
/// [`COMMAND_DEADLINE`].
fn yuqing(env: &Env, args: &[&str]) -> Run {
    yuqing_with_config(env, &env.config_file(), args)
}

fn yuqing_with_config(env: &Env, config: &Path, args: &[&str]) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_yuqing"));
    let command = yuqing_command(bin, &env.root, config, &env.site_base, args);
    run_with_deadline(command, COMMAND_DEADLINE, &format!("yuqing {args:?}"))
}

// ---------------------------------------------------------------------------------------------
// Assertion helpers.
// ---------------------------------------------------------------------------------------------

/// `yuqing run --json`, asserting exit 0, and its summary.
fn crawl(env: &Env) -> (Run, Value) {
    let run = yuqing(env, &["run", "--json"]);
    assert_eq!(
        run.code,
        Some(0),
        "yuqing run --json must exit 0 when some sources work:\n{}",
        run.describe()
    );
    let summary = run.json();
    (run, summary)
}

fn summary_source<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["sources"]
        .as_array()
        .unwrap_or_else(|| panic!("summary has no \"sources\" array: {summary}"))
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("summary lists no source {id:?}: {summary}"))
}

fn count(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key:?} is not a count in {v}"))
}

fn assert_source_ok(summary: &Value, id: &str) {
    let s = summary_source(summary, id);
    assert_eq!(s["ok"], true, "source {id} should be ok: {s}");
    assert!(
        s["error"].is_null() || s["error"] == "",
        "ok source {id} carries an error: {s}"
    );
}

fn assert_source_failed(summary: &Value, id: &str, reason_words: &[&str]) {
    let s = summary_source(summary, id);
    assert_eq!(s["ok"], false, "source {id} should have failed: {s}");
    let reason = s["error"]
        .as_str()
        .unwrap_or_else(|| panic!("failed source {id} has no error text: {s}"));
    let lower = reason.to_lowercase();
    assert!(
        reason_words.iter().any(|w| lower.contains(w)),
        "source {id} failed with {reason:?}, expected a reason mentioning one of {reason_words:?}"
    );
    assert_eq!(
        count(s, "new"),
        0,
        "failed source {id} reports new articles: {s}"
    );
}

/// Sum of one counter over the per-source entries must equal the top-level figure.
fn assert_totals_add_up(summary: &Value) {
    for key in ["new", "updated", "unchanged", "rejected"] {
        let sum: u64 = summary["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| count(s, key))
            .sum();
        assert_eq!(
            sum,
            count(summary, key),
            "per-source {key:?} does not add up to the total: {summary}"
        );
    }
    assert!(
        summary["seconds"].as_f64().is_some_and(|s| s >= 0.0),
        "no seconds in {summary}"
    );
}

/// `yuqing search --json --limit 100 ARGS… QUERY`, asserting exit 0; returns the result.
fn search(env: &Env, extra: &[&str], query: &str) -> Value {
    let mut args = vec!["search", "--json", "--limit", "100"];
    args.extend_from_slice(extra);
    args.push(query);
    let run = yuqing(env, &args);
    assert_eq!(
        run.code,
        Some(0),
        "yuqing {args:?} failed:\n{}",
        run.describe()
    );
    let result = run.json();
    let hits = result["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits array for {args:?}: {result}"));
    assert!(
        count(&result, "total") >= hits.len() as u64,
        "total is smaller than the hits returned for {args:?}: {result}"
    );
    result
}

fn hits(result: &Value) -> &Vec<Value> {
    result["hits"].as_array().unwrap()
}

/// The hit whose URL is `<site>/<path>`; panics with the hits listed if there is none.
fn hit_for<'a>(result: &'a Value, env: &Env, path: &str) -> &'a Value {
    let url = format!("{}{}", env.site_base, path);
    hits(result)
        .iter()
        .find(|h| h["url"] == url.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no hit with url {url} in {}",
                serde_json::to_string_pretty(result).unwrap()
            )
        })
}

fn assert_known_hit(result: &Value, env: &Env, known: &Known, source: &str) {
    let hit = hit_for(result, env, known.path);
    assert_eq!(hit["title"], known.title, "title of {}: {hit}", known.path);
    assert_eq!(
        hit["published_at"], known.published_at,
        "published_at of {}: {hit}",
        known.path
    );
    assert_eq!(hit["source"], source, "source of {}: {hit}", known.path);
    assert!(
        hit["id"].as_str().is_some_and(|id| !id.is_empty()),
        "hit without id: {hit}"
    );
}

/// Asserts no two hits share an id or a URL.
fn assert_no_duplicates(result: &Value) {
    let mut seen = BTreeMap::new();
    for h in hits(result) {
        for key in ["id", "url"] {
            let v = h[key].to_string();
            if let Some(prev) = seen.insert((key, v.clone()), h.clone()) {
                panic!("duplicate {key} {v}: {prev} and {h}");
            }
        }
    }
}

/// Totals of a fixed set of searches, to compare before and after the second pass.
fn search_totals(env: &Env) -> Vec<(String, u64)> {
    [
        (vec![], "快递"),
        (vec![], "邮政"),
        (vec!["--source", "ruanyifeng"], "周刊"),
        (vec!["--source", "meituan"], "站外页面"),
        (vec!["--source", "real-pages"], "宇航员"),
        (vec!["--source", "flaky"], "驿站"),
    ]
    .into_iter()
    .map(|(extra, q)| {
        let result = search(env, &extra, q);
        assert_no_duplicates(&result);
        (format!("{extra:?} {q}"), count(&result, "total"))
    })
    .collect()
}

fn shared_data() -> Option<PathBuf> {
    let p = PathBuf::from(SHARED_DATA);
    p.is_dir().then_some(p)
}

// ---------------------------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------------------------

#[test]
fn crawl_search_recrawl_against_fixture_site() {
    let Some(shared) = shared_data() else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let site = start_site(&shared);
    let env = write_config(&site);

    // 7a. The config we wrote is valid.
    let check = yuqing(&env, &["config", "check"]);
    assert_eq!(
        check.code,
        Some(0),
        "config check on the test config:\n{}",
        check.describe()
    );

    // The proxy trap is live: a URL on 127.0.0.2 (loopback, but not in NO_PROXY) is sent to the
    // fixture server as a proxy request instead of being connected to (nothing listens there).
    let canary_host = format!("127.0.0.2:{}", site.state.port);
    let canary = yuqing(
        &env,
        &[
            "extract",
            "--json",
            &format!("http://{canary_host}/canary.html"),
        ],
    );
    assert_ne!(
        canary.code,
        Some(0),
        "the canary page cannot be extracted:\n{}",
        canary.describe()
    );
    assert!(
        site.escaped().iter().any(|r| r.contains(&canary_host)),
        "the proxy trap saw no canary request, so it would not see escapes either: {:?}\n{}",
        site.escaped(),
        canary.describe()
    );

    // 1. First pass: exit 0; failing sources not ok with a reason, the others ok.
    let (run1, summary1) = crawl(&env);
    eprintln!("first pass: {:.1} s wall, summary {summary1}", run1.seconds);
    for id in HEALTHY {
        assert_source_ok(&summary1, id);
    }
    for (id, words) in FAILING {
        assert_source_failed(&summary1, id, words);
    }
    assert_eq!(
        summary1["sources"].as_array().unwrap().len(),
        HEALTHY.len() + FAILING.len(),
        "{summary1}"
    );
    assert_totals_add_up(&summary1);
    // 3 own articles + GBK page + flaky page + 3 feed entries + 4 real pages at least.
    assert!(
        count(&summary1, "new") >= 12,
        "too few new articles in the first pass: {summary1}"
    );
    for id in ["express-listing", "ruanyifeng", "flaky"] {
        assert!(
            count(summary_source(&summary1, id), "new") >= 1,
            "source {id} brought nothing new: {summary1}"
        );
    }
    assert_eq!(
        count(summary_source(&summary1, "express-listing"), "new"),
        3,
        "{summary1}"
    );
    assert_eq!(
        count(summary_source(&summary1, "ruanyifeng"), "new"),
        3,
        "{summary1}"
    );

    // The huge body was cut off while streaming, not read to the end.
    let huge = site.state.huge_sent.lock().unwrap().clone();
    assert!(!huge.is_empty(), "/huge.html was never requested");
    for (sent, complete) in &huge {
        assert!(
            !complete && *sent < HUGE_BYTES,
            "the whole 50 MiB body was read ({sent} bytes)"
        );
    }
    // The redirect loop was followed, but at most max_redirects (5) + 1 requests per attempt,
    // and at most retries (2) + 1 attempts.
    let loop_requests = site.requests_to("/loop/a").len() + site.requests_to("/loop/b").len();
    assert!(
        !site.requests_to("/loop/b").is_empty() && loop_requests <= 6 * 3,
        "redirect loop: {loop_requests} requests in the first pass"
    );
    // Feed entries without full text were fetched from the (rewritten) loopback URL.
    assert!(
        site.requests()
            .iter()
            .any(|r| r.path.starts_with("/ext/tech.meituan.com/")),
        "meituan entries have no full text, their pages should have been fetched from /ext/"
    );
    // The crawler asked for robots.txt.
    assert!(
        !site.requests_to("/robots.txt").is_empty(),
        "robots.txt was never requested"
    );

    // 2. Search finds known articles with the right titles and dates.
    let express = search(&env, &["--source", "express-listing"], "快递");
    assert_no_duplicates(&express);
    for known in &EXPRESS_ARTICLES {
        assert_known_hit(&express, &env, known, "express-listing");
    }
    assert_eq!(
        count(&express, "total"),
        3,
        "express-listing has exactly 3 articles: {express}"
    );
    for h in hits(&express) {
        assert!(h["snippet"].is_string(), "hit without snippet: {h}");
    }
    // --sort time: newest first; --limit cuts the hits, not the total.
    let by_time = search(
        &env,
        &["--source", "express-listing", "--sort", "time"],
        "快递",
    );
    let order: Vec<&str> = hits(&by_time)
        .iter()
        .filter_map(|h| h["published_at"].as_str())
        .collect();
    let expected: Vec<&str> = EXPRESS_ARTICLES
        .iter()
        .rev()
        .map(|k| k.published_at)
        .collect();
    assert_eq!(
        order, expected,
        "--sort time must list newest first: {by_time}"
    );
    let mut limited_args = vec!["search", "--json", "--limit", "2"];
    limited_args.extend(["--source", "express-listing", "快递"]);
    let limited = yuqing(&env, &limited_args);
    assert_eq!(limited.code, Some(0), "{}", limited.describe());
    let limited = limited.json();
    assert_eq!(hits(&limited).len(), 2, "--limit 2: {limited}");
    assert_eq!(
        count(&limited, "total"),
        3,
        "--limit does not change total: {limited}"
    );
    let june = search(
        &env,
        &[
            "--source",
            "express-listing",
            "--from",
            "2024-06-01",
            "--to",
            "2024-06-30",
        ],
        "快递",
    );
    assert_eq!(
        count(&june, "total"),
        1,
        "only a2 is from June 2024: {june}"
    );
    assert_known_hit(&june, &env, &EXPRESS_ARTICLES[1], "express-listing");

    let gbk = search(&env, &["--source", "robots-listing"], "寄递");
    assert_known_hit(&gbk, &env, &GBK_ARTICLE, "robots-listing");

    let feed = search(&env, &["--source", "ruanyifeng"], "周刊");
    assert_known_hit(&feed, &env, &FEED_ARTICLE, "ruanyifeng");

    let real = search(&env, &["--source", "real-pages"], "宇航员");
    let gmw = hit_for(&real, &env, "/real/readability/gmw.html");
    assert!(
        gmw["title"]
            .as_str()
            .is_some_and(|t| t.contains("宇航员在太空中喝酒会怎么样")),
        "gmw (UTF-8 bytes declaring gbk) title decoded wrongly: {gmw}"
    );
    let cnr = search(&env, &["--source", "real-pages"], "装备");
    let cnr = hit_for(
        &cnr,
        &env,
        "/real/cwced/f70d9c97-9d64-415e-a7e4-840c9258eaf5.html",
    );
    assert!(
        cnr["title"]
            .as_str()
            .is_some_and(|t| t.contains("军队装备试验鉴定规定")),
        "央广网 GB2312 page title decoded wrongly: {cnr}"
    );
    // Ground truth is 2022-02-13 07:00:00; the day is what this end-to-end test holds the
    // pipeline to (the time of day is the extractor's own test's business).
    assert!(
        cnr["published_at"]
            .as_str()
            .is_some_and(|d| d.starts_with("2022-02-13T") && d.ends_with("+08:00")),
        "央广网 page date (expected 2022-02-13, Beijing time): {cnr}"
    );

    // 3. robots.txt: the disallowed page was never requested (and counts as rejected, not as
    // a failure of its listing).
    assert_eq!(
        count(summary_source(&summary1, "robots-listing"), "rejected"),
        1,
        "/private/secret.html is the one rejected link of robots-listing: {summary1}"
    );
    assert!(
        site.requests_to("/private/secret.html").is_empty(),
        "/private/secret.html is disallowed by robots.txt but was requested"
    );

    // 4. The 500-then-200 page was retried and indexed.
    let flaky_statuses: Vec<u16> = site
        .requests_to(FLAKY_ARTICLE.path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        flaky_statuses.first(),
        Some(&500),
        "flaky page: {flaky_statuses:?}"
    );
    assert!(
        flaky_statuses.contains(&200),
        "flaky page never retried to a 200: {flaky_statuses:?}"
    );
    let flaky = search(&env, &["--source", "flaky"], "驿站");
    assert_known_hit(&flaky, &env, &FLAKY_ARTICLE, "flaky");

    // 5. Second pass: conditional GET answered 304, nothing new, no duplicates.
    let totals1 = search_totals(&env);
    let feed_requests_before = site.requests_to("/feeds/ruanyifeng.atom").len();
    let (run2, summary2) = crawl(&env);
    eprintln!(
        "second pass: {:.1} s wall, summary {summary2}",
        run2.seconds
    );
    let feed_requests = site.requests_to("/feeds/ruanyifeng.atom");
    assert!(
        feed_requests.len() > feed_requests_before,
        "the feed was not fetched again"
    );
    let first = &feed_requests[0];
    assert!(
        first.if_none_match.is_none(),
        "the very first feed request cannot be conditional: {first:?}"
    );
    let last = feed_requests.last().unwrap();
    assert_eq!(
        last.if_none_match.as_deref(),
        Some(FEED_ETAG),
        "second pass feed request: {last:?}"
    );
    assert_eq!(last.status, 304, "second pass feed request: {last:?}");
    assert_eq!(last.method, "GET", "{last:?}");
    if let Some(since) = &last.if_modified_since {
        assert_eq!(
            since, FEED_LAST_MODIFIED,
            "If-Modified-Since must echo Last-Modified: {last:?}"
        );
    }
    assert_source_ok(&summary2, "ruanyifeng");
    assert_eq!(
        count(summary_source(&summary2, "ruanyifeng"), "new"),
        0,
        "{summary2}"
    );
    assert_eq!(
        count(&summary2, "new"),
        0,
        "nothing changed, nothing can be new: {summary2}"
    );
    assert_eq!(
        count(&summary2, "updated"),
        0,
        "nothing changed, nothing can be updated: {summary2}"
    );
    // refetch_known_articles = true: every stored page is read again and found unchanged.
    for (id, unchanged) in [("express-listing", 3), ("robots-listing", 1), ("flaky", 1)] {
        assert_eq!(
            count(summary_source(&summary2, id), "unchanged"),
            unchanged,
            "source {id} on the second pass: {summary2}"
        );
    }
    let feed2 = summary_source(&summary2, "ruanyifeng");
    if let Some(not_modified) = feed2.get("not_modified") {
        assert_eq!(not_modified, true, "the feed answered 304: {feed2}");
    }
    for (id, words) in FAILING {
        assert_source_failed(&summary2, id, words);
    }
    assert_totals_add_up(&summary2);
    let totals2 = search_totals(&env);
    assert_eq!(
        totals1, totals2,
        "search totals changed after a pass that found nothing new"
    );
    assert!(
        site.requests_to("/private/secret.html").is_empty(),
        "second pass requested /private/"
    );

    // 6. Bad query syntax: exit 2 with a message on stderr.
    let bad = yuqing(&env, &["search", "--json", "\"unclosed"]);
    assert_eq!(
        bad.code,
        Some(2),
        "bad query syntax must exit 2:\n{}",
        bad.describe()
    );
    assert!(
        !bad.stderr.trim().is_empty(),
        "bad query syntax: no message on stderr"
    );
    assert!(
        !bad.stderr.contains("panicked"),
        "bad query syntax panicked:\n{}",
        bad.stderr
    );
    eprintln!(
        "bad query: exit {:?}, stderr {:?}",
        bad.code,
        bad.stderr.trim()
    );

    // 7b. An unknown tier: config check fails naming sources.toml and the key.
    let bad_dir = env.root.join("bad-config");
    std::fs::create_dir_all(&bad_dir).unwrap();
    std::fs::copy(env.config_file(), bad_dir.join("yuqing.toml")).unwrap();
    std::fs::copy(
        env.config_dir().join("sites.toml"),
        bad_dir.join("sites.toml"),
    )
    .unwrap();
    std::fs::write(
        bad_dir.join("sources.toml"),
        sources_toml(&env.site_base, "national"),
    )
    .unwrap();
    let bad_check = yuqing_with_config(&env, &bad_dir.join("yuqing.toml"), &["config", "check"]);
    assert_eq!(
        bad_check.code,
        Some(1),
        "config check with tier = \"national\":\n{}",
        bad_check.describe()
    );
    let said = format!("{}{}", bad_check.stdout, bad_check.stderr);
    assert!(
        said.contains("sources.toml"),
        "config check does not name sources.toml:\n{said}"
    );
    assert!(
        said.contains("tier"),
        "config check does not name the key `tier`:\n{said}"
    );
    eprintln!(
        "bad tier: exit {:?}, said {:?}",
        bad_check.code,
        said.trim()
    );

    // 9. `yuqing segment FILE`: tokens separated by spaces that put back together give the text
    // (punctuation is not a token).
    let text = "国家邮政局发布快递业务量数据，邮政网点试点无人机投递。";
    let text_file = env.root.join("segment.txt");
    std::fs::write(&text_file, text).unwrap();
    for mode in ["default", "search"] {
        let seg = yuqing(
            &env,
            &["segment", "--mode", mode, text_file.to_str().unwrap()],
        );
        assert_eq!(
            seg.code,
            Some(0),
            "segment --mode {mode}:\n{}",
            seg.describe()
        );
        let tokens: Vec<&str> = seg.stdout.split_whitespace().collect();
        assert!(
            tokens.contains(&"快递"),
            "segment --mode {mode}: {tokens:?}"
        );
        if mode == "default" {
            assert_eq!(
                tokens.concat(),
                text.replace(['，', '。'], ""),
                "precise mode must cover the text once: {tokens:?}"
            );
        }
    }

    // 8. `yuqing extract --json` on the GBK page saved as a file.
    let gbk_file = env.root.join("gbk-notice.html");
    std::fs::write(&gbk_file, gbk_fixture()).unwrap();
    let extracted = yuqing(&env, &["extract", "--json", gbk_file.to_str().unwrap()]);
    assert_eq!(
        extracted.code,
        Some(0),
        "extract:\n{}",
        extracted.describe()
    );
    let article = extracted.json();
    assert_eq!(article["title"], GBK_ARTICLE.title, "{article}");
    assert_eq!(
        article["published_at"], GBK_ARTICLE.published_at,
        "{article}"
    );
    assert_eq!(article["date_source"], "text", "{article}");
    assert!(
        article["author"]
            .as_str()
            .is_some_and(|a| a.contains("赵丽")),
        "{article}"
    );
    assert!(
        article["body"]
            .as_str()
            .is_some_and(|b| b.contains("年货包裹在节前送达")),
        "{article}"
    );

    // Nothing but the canary ever tried to leave loopback.
    let escaped: Vec<String> = site
        .escaped()
        .into_iter()
        .filter(|r| !r.contains(&canary_host))
        .collect();
    assert_eq!(
        escaped,
        Vec::<String>::new(),
        "requests for other hosts reached the proxy trap"
    );
}
