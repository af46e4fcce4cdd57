//! End-to-end test of the analysis features through the `yuqing` binary: plan themes (专题),
//! sentiment (倾向), reprint clusters (转载合并), coverage and gaps, `themes rematch`,
//! `analyze`, `config check` of a broken themes file and `plan import`.
//!
//! A plain HTTP/1.1 server on `127.0.0.1:0` serves our own pages from
//! `tests/fixtures/analysis/` (fictional postal/express news written for this test) through
//! four sources on one host, each with its own site chrome:
//! - `postal-industry` (industry, listing): 快递进村 (s6.i16), the original 9792 packaging story
//!   (s4.i10), a 寄递安全/三项制度/绿盾 inspection (s5.i12), a 万国邮联 meeting (s7.i18);
//! - `central-daily` (central, RSS feed): a reprint of the 9792 story;
//! - `south-province` (provincial, listing): a second reprint, a 寄递渠道禁毒 story (same topic
//!   as the inspection, a different story), and a negative story (网点关停、快件积压、欠薪);
//! - `biz-portal` (commercial, listing): a third reprint, a positive story (快递小哥暖心驿站,
//!   s9.i26) and a football story that must match no theme.
//!
//! Each reprint has a changed headline, an added 编者按 and the original's last paragraph
//! dropped. The shipped `config/` (yuqing.toml, sites.toml, themes.toml, dict/, lexicon/) is
//! copied into a temp dir with a `sources.toml` pointing at the fixture server.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use yuqing_testkit::{
    Run, copy_dir, read_request_head, respond_and_close, run_with_deadline, source_toml,
    yuqing_command,
};

/// Our own fixtures for this test.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/analysis");
/// The shipped configuration directory.
const SHIPPED_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
/// Shared plans (read only, never copied into the repo).
const SHARED_PLANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/plans");

/// Longest any single `yuqing` invocation may take before the test kills it.
const COMMAND_DEADLINE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// The stories.
// ---------------------------------------------------------------------------------------------

/// One fixture page: where it is served, which file it is, which source links it.
struct Page {
    path: &'static str,
    file: &'static str,
    source: &'static str,
    title: &'static str,
}

const RURAL: Page = Page {
    path: "/industry/rural.html",
    file: "industry/rural.html",
    source: "postal-industry",
    title: "沧州快递进村覆盖全部建制村 村民在家门口收寄包裹",
};
const GREEN: Page = Page {
    path: "/industry/green.html",
    file: "industry/green.html",
    source: "postal-industry",
    title: "国家邮政局推进“9792”工程 电商快件不再二次包装比例超过九成",
};
const SECURITY: Page = Page {
    path: "/industry/security.html",
    file: "industry/security.html",
    source: "postal-industry",
    title: "浙江开展寄递渠道安全检查 实名收寄落实情况纳入年度考核",
};
const UPU: Page = Page {
    path: "/industry/upu.html",
    file: "industry/upu.html",
    source: "postal-industry",
    title: "中国代表团出席万国邮联行政理事会会议 推动国际邮政合作",
};
const GREEN_CENTRAL: Page = Page {
    path: "/central/2026/1121/green.html",
    file: "central/green.html",
    source: "central-daily",
    title: "“9792”工程成效显著：九成以上电商快件告别二次包装",
};
const GREEN_PROVINCE: Page = Page {
    path: "/province/c/1122/green.html",
    file: "province/green.html",
    source: "south-province",
    title: "全国电商快件九成以上不再二次包装",
};
const DRUGS: Page = Page {
    path: "/province/c/1123/drugs.html",
    file: "province/drugs.html",
    source: "south-province",
    title: "广州邮政管理局联合公安开展寄递渠道禁毒宣传",
};
const CLOSURE: Page = Page {
    path: "/province/c/1124/closure.html",
    file: "province/closure.html",
    source: "south-province",
    title: "快递网点突然关停 数万件快件积压 员工工资被拖欠",
};
const GREEN_BIZ: Page = Page {
    path: "/biz/p/20261122-green.html",
    file: "biz/green.html",
    source: "biz-portal",
    title: "快递包装瘦身：电商快件二次包装比例大降",
};
const WARMTH: Page = Page {
    path: "/biz/p/20261123-warmth.html",
    file: "biz/warmth.html",
    source: "biz-portal",
    title: "杭州建成两百家快递小哥暖心驿站 冬送温暖夏送清凉",
};
const FOOTBALL: Page = Page {
    path: "/biz/p/20261124-football.html",
    file: "biz/football.html",
    source: "biz-portal",
    title: "联赛收官战主队逆转夺冠 球迷彻夜狂欢",
};

const PAGES: [&Page; 11] = [
    &RURAL,
    &GREEN,
    &SECURITY,
    &UPU,
    &GREEN_CENTRAL,
    &GREEN_PROVINCE,
    &DRUGS,
    &CLOSURE,
    &GREEN_BIZ,
    &WARMTH,
    &FOOTBALL,
];

/// The 9792 story and its three reprints.
const GREEN_ALL: [&Page; 4] = [&GREEN, &GREEN_CENTRAL, &GREEN_PROVINCE, &GREEN_BIZ];

/// Plan items the fixtures were written to cover (checked story by story with `yuqing analyze`
/// while writing them): every other item of the shipped themes.toml is a gap.
const COVERED_ITEMS: [&str; 6] = ["s4.i10", "s4.i11", "s5.i12", "s6.i16", "s7.i18", "s9.i26"];

/// Articles per section in the period: s4 the 4 packaging articles, s5 inspection + 禁毒,
/// s6 快递进村, s7 万国邮联, s9 the closure (欠薪) and the 暖心驿站 story.
const SECTION_ARTICLES: [(&str, u64); 5] = [("s4", 4), ("s5", 2), ("s6", 1), ("s7", 1), ("s9", 2)];

// ---------------------------------------------------------------------------------------------
// The fixture HTTP server.
// ---------------------------------------------------------------------------------------------

struct SiteState {
    port: u16,
    routes: HashMap<String, (&'static str, Vec<u8>)>,
    log: Mutex<Vec<(String, u16)>>,
}

/// The fixture site; lives (with its threads) until the test process ends.
struct Site {
    state: Arc<SiteState>,
}

impl Site {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.port)
    }
}

fn read_fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(rel))
        .unwrap_or_else(|e| panic!("read fixture {rel}: {e}"))
}

/// Binds 127.0.0.1:0, loads every page and starts the accept loop.
fn start_site() -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    const HTML: &str = "text/html; charset=utf-8";
    let mut routes = HashMap::new();
    for (path, file) in [
        ("/industry/list.html", "industry/list.html"),
        ("/province/index.html", "province/index.html"),
        ("/biz/channel.html", "biz/channel.html"),
    ] {
        routes.insert(path.to_string(), (HTML, read_fixture(file)));
    }
    for page in PAGES {
        routes.insert(page.path.to_string(), (HTML, read_fixture(page.file)));
    }
    let rss = String::from_utf8(read_fixture("central/rss.xml"))
        .unwrap()
        .replace("PLACEHOLDER_BASE", &format!("http://127.0.0.1:{port}"));
    routes.insert(
        "/central/rss.xml".to_string(),
        ("application/rss+xml; charset=utf-8", rss.into_bytes()),
    );
    let state = Arc::new(SiteState {
        port,
        routes,
        log: Mutex::new(Vec::new()),
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

/// Reads one request head and answers it from the routes (404 otherwise); closes afterwards.
fn handle_connection(mut stream: TcpStream, state: &SiteState) {
    let Some((method, path)) = read_request_head(&stream) else {
        return;
    };
    let (status, content_type, body): (u16, &str, &[u8]) = match state.routes.get(&path) {
        Some((ct, body)) => (200, ct, body),
        None => (404, "text/plain", b"not found"),
    };
    let status_line = if status == 200 {
        "200 OK"
    } else {
        "404 Not Found"
    };
    respond_and_close(
        &mut stream,
        status_line,
        content_type,
        body,
        method != "HEAD",
    );
    state.log.lock().unwrap().push((path, status));
}

// ---------------------------------------------------------------------------------------------
// Config and running the binary.
// ---------------------------------------------------------------------------------------------

/// A temp dir with `config/` (copied from the shipped one, sources pointing at the site) and
/// `data/`.
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

/// Replaces `from` by `to` in `text`, asserting `from` occurs exactly once.
fn replace_once(text: &str, from: &str, to: &str, what: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{what}: expected exactly one {from:?}"
    );
    text.replacen(from, to, 1)
}

/// Copies the shipped config into `dir` with the test's data dir, fetch settings and sources.
fn write_config_dir(dir: &Path, data_dir: &Path, site_base: &str) {
    copy_dir(Path::new(SHIPPED_CONFIG), dir);
    let shipped = std::fs::read_to_string(dir.join("yuqing.toml")).unwrap();
    let mut toml = replace_once(
        &shipped,
        "dir = \"data\"",
        &format!("dir = {:?}", data_dir.display().to_string()),
        "yuqing.toml [data]",
    );
    for (from, to) in [
        ("per_host_rps = 1\n", "per_host_rps = 100\n"),
        ("respect_robots = true", "respect_robots = false"),
        ("retries = 3", "retries = 0"),
        ("timeout_ms = 30000", "timeout_ms = 10000"),
    ] {
        toml = replace_once(&toml, from, to, "yuqing.toml [fetch]");
    }
    std::fs::write(dir.join("yuqing.toml"), toml).unwrap();
    std::fs::write(dir.join("sources.toml"), sources_toml(site_base)).unwrap();
}

fn sources_toml(base: &str) -> String {
    let source = |id: &str, name: &str, kind: &str, path: &str, tier: &str, sel: Option<&str>| {
        source_toml(base, id, name, kind, path, tier, sel)
    };
    [
        source(
            "postal-industry",
            "邮政业观察",
            "listing",
            "/industry/list.html",
            "industry",
            Some("ul.list a"),
        ),
        source(
            "central-daily",
            "中央日报客户端",
            "feed",
            "/central/rss.xml",
            "central",
            None,
        ),
        source(
            "south-province",
            "南方省报网",
            "listing",
            "/province/index.html",
            "provincial",
            Some("div.newslist a.t"),
        ),
        source(
            "biz-portal",
            "快讯门户",
            "listing",
            "/biz/channel.html",
            "commercial",
            Some("h3.item-title a"),
        ),
    ]
    .concat()
}

fn write_env(site: &Site) -> Env {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    std::fs::create_dir_all(root.join("data")).unwrap();
    write_config_dir(&root.join("config"), &root.join("data"), &site.base());
    Env {
        _tmp: tmp,
        root,
        site_base: site.base(),
    }
}

fn yuqing(env: &Env, args: &[&str]) -> Run {
    yuqing_with_config(env, &env.config_file(), args)
}

/// Runs `yuqing --config CONFIG ARGS…` with every proxy variable pointing at the fixture site
/// and no `YUQING_*` variable from outside, killing it after [`COMMAND_DEADLINE`].
fn yuqing_with_config(env: &Env, config: &Path, args: &[&str]) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_yuqing"));
    let command = yuqing_command(bin, &env.root, config, &env.site_base, args);
    run_with_deadline(command, COMMAND_DEADLINE, &format!("yuqing {args:?}"))
}

/// [`Run::json`] after asserting exit 0 (`what` names the command in the message).
trait OkJson {
    fn ok_json(&self, what: &str) -> Value;
}

impl OkJson for Run {
    fn ok_json(&self, what: &str) -> Value {
        assert_eq!(self.code, Some(0), "{what}:\n{}", self.describe());
        self.json()
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

fn count(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key:?} is not a count in {v}"))
}

/// `yuqing search --json --limit 100 ARGS… QUERY`, asserting exit 0; returns the hits.
fn search(env: &Env, extra: &[&str], query: &str) -> Vec<Value> {
    let mut args = vec!["search", "--json", "--limit", "100"];
    args.extend_from_slice(extra);
    args.push(query);
    let run = yuqing(env, &args);
    let result = run.ok_json(&format!("search {extra:?} {query}"));
    let hits = result["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no \"hits\" array: {result}"))
        .clone();
    assert!(
        count(&result, "total") as usize >= hits.len(),
        "total below the number of hits: {result}"
    );
    hits
}

/// The request path of a hit's URL.
fn hit_path(hit: &Value) -> &str {
    let url = hit["url"].as_str().unwrap_or("");
    url.find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or(url)
}

fn paths(hits: &[Value]) -> BTreeSet<String> {
    hits.iter().map(|h| hit_path(h).to_string()).collect()
}

fn find_hit<'a>(hits: &'a [Value], page: &Page) -> &'a Value {
    hits.iter()
        .find(|h| hit_path(h) == page.path)
        .unwrap_or_else(|| {
            panic!(
                "no hit for {} ({}) among {:?}",
                page.path,
                page.title,
                paths(hits)
            )
        })
}

fn themes_of(hit: &Value) -> BTreeSet<String> {
    hit["themes"]
        .as_array()
        .unwrap_or_else(|| panic!("hit has no themes array: {hit}"))
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every hit of a query matching all fixture pages (OR of words each page has).
fn all_hits(env: &Env) -> Vec<Value> {
    let hits = search(env, &[], "快递 OR 邮政 OR 联赛");
    assert_eq!(
        paths(&hits),
        PAGES.iter().map(|p| p.path.to_string()).collect(),
        "the catch-all query must find exactly the 11 fixture pages"
    );
    hits
}

/// The `coverage --json` row of a section or item.
fn coverage_row<'a>(report: &'a Value, id: &str) -> &'a Value {
    for s in report["sections"].as_array().expect("sections array") {
        if s["id"] == id {
            return s;
        }
        for i in s["items"].as_array().expect("items array") {
            if i["id"] == id {
                return i;
            }
        }
    }
    panic!("coverage has no row {id}: {report}")
}

fn coverage(env: &Env, from: &str, to: &str) -> Value {
    yuqing(env, &["coverage", "--json", "--from", from, "--to", to]).ok_json("coverage --json")
}

fn gaps(report: &Value) -> BTreeSet<String> {
    report["gaps"]
        .as_array()
        .expect("gaps array")
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect()
}

fn all_item_ids(report: &Value) -> BTreeSet<String> {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every row: by_tier adds up to articles, stories ≤ articles, gap iff no article.
fn assert_rows_consistent(report: &Value) {
    for s in report["sections"].as_array().unwrap() {
        let rows = std::iter::once(s).chain(s["items"].as_array().unwrap().iter());
        for row in rows {
            let articles = count(row, "articles");
            let by_tier: u64 = row["by_tier"]
                .as_object()
                .unwrap_or_else(|| panic!("no by_tier: {row}"))
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(by_tier, articles, "by_tier does not add up: {row}");
            assert!(count(row, "stories") <= articles, "{row}");
            assert_eq!(row["gap"], articles == 0, "{row}");
        }
    }
}

/// Title line and `<p>` paragraphs of a fixture page, as plain text for `yuqing analyze`.
fn page_text(page: &Page) -> String {
    let html = String::from_utf8(read_fixture(page.file)).unwrap();
    let mut text = format!("{}\n", page.title);
    for chunk in html.split("<p>").skip(1) {
        if let Some((p, _)) = chunk.split_once("</p>") {
            text.push_str(p);
            text.push('\n');
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------------------------

#[test]
fn themes_sentiment_reprints_coverage_end_to_end() {
    let started = Instant::now();
    let site = start_site();
    let env = write_env(&site);

    let check = yuqing(&env, &["config", "check"]);
    assert_eq!(check.code, Some(0), "config check:\n{}", check.describe());

    // 1. One crawl pass: all 11 pages new, every source ok.
    let run = yuqing(&env, &["run", "--json"]);
    let summary = run.ok_json("run --json");
    eprintln!("crawl: {:.1} s", run.seconds);
    for (id, new) in [
        ("postal-industry", 4),
        ("central-daily", 1),
        ("south-province", 3),
        ("biz-portal", 3),
    ] {
        let s = summary["sources"]
            .as_array()
            .expect("sources array")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no source {id} in {summary}"));
        assert_eq!(s["ok"], true, "source {id}: {s}");
        assert_eq!(count(s, "new"), new, "source {id}: {s}");
    }
    assert_eq!(count(&summary, "new"), 11, "{summary}");

    // Titles, sources and tiers as crawled; the football story matches no theme.
    let everything = all_hits(&env);
    for hit in &everything {
        eprintln!(
            "  {} cluster {} ×{} {} {:?}",
            hit_path(hit),
            hit["cluster"],
            hit["cluster_size"],
            hit["sentiment"],
            themes_of(hit)
        );
    }
    for page in PAGES {
        let hit = find_hit(&everything, page);
        assert_eq!(hit["title"], page.title, "{hit}");
        assert_eq!(hit["source"], page.source, "{hit}");
    }
    assert_eq!(
        themes_of(find_hit(&everything, &FOOTBALL)),
        BTreeSet::new(),
        "the football story must match no plan theme"
    );

    // 2. --theme s6.i16: the 快递进村 story; every hit carries the item and its section.
    let rural_hits = search(&env, &["--theme", "s6.i16"], "快递");
    let rural = find_hit(&rural_hits, &RURAL);
    assert_eq!(rural["tier"], "industry", "{rural}");
    assert!(
        !paths(&rural_hits).contains(FOOTBALL.path),
        "{:?}",
        paths(&rural_hits)
    );
    for hit in &rural_hits {
        let themes = themes_of(hit);
        assert!(
            themes.contains("s6.i16") && themes.contains("s6"),
            "--theme s6.i16 hit without s6.i16 and s6: {hit}"
        );
    }
    // A section filter finds its items' articles.
    let s4 = paths(&search(&env, &["--theme", "s4"], "包装"));
    let green_paths: BTreeSet<String> = GREEN_ALL.iter().map(|p| p.path.to_string()).collect();
    assert_eq!(s4, green_paths, "--theme s4 包装");

    // Tier and date filters.
    let central = paths(&search(&env, &["--tier", "central"], "包装"));
    assert_eq!(
        central,
        BTreeSet::from([GREEN_CENTRAL.path.to_string()]),
        "--tier central"
    );
    let day = paths(&search(
        &env,
        &["--from", "2026-11-24", "--to", "2026-11-24"],
        "快递 OR 联赛",
    ));
    assert_eq!(
        day,
        BTreeSet::from([CLOSURE.path.to_string(), FOOTBALL.path.to_string()]),
        "articles of 2026-11-24"
    );

    // 3. Sentiment: the closure story is negative, the 暖心驿站 story positive.
    let closure = find_hit(&everything, &CLOSURE);
    assert_eq!(closure["sentiment"], "negative", "{closure}");
    assert!(
        closure["sentiment_score"].as_f64().is_some_and(|s| s < 0.0),
        "{closure}"
    );
    let negative = paths(&search(&env, &["--sentiment", "negative"], "快递"));
    assert!(negative.contains(CLOSURE.path), "{negative:?}");
    assert!(!negative.contains(WARMTH.path), "{negative:?}");
    let positive = paths(&search(&env, &["--sentiment", "positive"], "快递"));
    assert!(positive.contains(WARMTH.path), "{positive:?}");
    assert!(!positive.contains(CLOSURE.path), "{positive:?}");

    // 4. Reprints: one cluster of 4; the two 寄递安全 stories stay apart; --collapse.
    // Reprint-cluster failures are collected and reported together at the end (the test
    // still fails), so that the checks after them run too.
    let mut reprint_failures: Vec<String> = Vec::new();
    let mut expect = |ok: bool, message: String| {
        if !ok {
            reprint_failures.push(message);
        }
    };
    let green_cluster = find_hit(&everything, &GREEN)["cluster"].clone();
    assert!(
        green_cluster.as_str().is_some_and(|c| !c.is_empty()),
        "no cluster id on the original: {green_cluster}"
    );
    for page in GREEN_ALL {
        let hit = find_hit(&everything, page);
        expect(
            hit["cluster"] == green_cluster && count(hit, "cluster_size") == 4,
            format!(
                "{} not in the original's cluster {green_cluster} of 4: cluster {} size {}",
                page.path, hit["cluster"], hit["cluster_size"]
            ),
        );
        let themes = themes_of(hit);
        assert!(themes.contains("s4.i10") && themes.contains("s4"), "{hit}");
    }
    let security = find_hit(&everything, &SECURITY);
    let drugs = find_hit(&everything, &DRUGS);
    assert_ne!(
        security["cluster"], drugs["cluster"],
        "two different 寄递安全 stories share a cluster"
    );
    for hit in [security, drugs] {
        assert_eq!(count(hit, "cluster_size"), 1, "{hit}");
        assert!(themes_of(hit).contains("s5.i12"), "{hit}");
    }
    let clusters: BTreeSet<&str> = everything
        .iter()
        .map(|h| h["cluster"].as_str().unwrap_or(""))
        .collect();
    expect(
        clusters.len() == 8,
        format!(
            "{} clusters among 11 articles, expected 8 (4 of them one story)",
            clusters.len()
        ),
    );
    let collapsed = search(&env, &["--collapse"], "包装");
    let green_hits: Vec<&Value> = collapsed
        .iter()
        .filter(|h| green_paths.contains(hit_path(h)))
        .collect();
    expect(
        green_hits.len() == 1 && count(green_hits[0], "cluster_size") == 4,
        format!(
            "--collapse 包装 shows the reprinted story {} times: {:?}",
            green_hits.len(),
            green_hits
                .iter()
                .map(|h| (hit_path(h), h["cluster_size"].clone()))
                .collect::<Vec<_>>()
        ),
    );
    let uncollapsed = search(&env, &[], "包装");
    expect(
        uncollapsed.len() == collapsed.len() + 3,
        format!(
            "collapse must remove exactly the 3 reprints: {} hits uncollapsed, {} collapsed",
            uncollapsed.len(),
            collapsed.len()
        ),
    );

    // 5. Coverage over the fixture period.
    let report = coverage(&env, "2026-11-20", "2026-11-25");
    assert_rows_consistent(&report);
    let green_row = coverage_row(&report, "s4.i10");
    assert_eq!(count(green_row, "articles"), 4, "{green_row}");
    expect(
        count(green_row, "stories") == 1,
        format!(
            "coverage s4.i10: {} stories, expected 1 (4 articles)",
            green_row["stories"]
        ),
    );
    let tiers: BTreeMap<String, u64> = green_row["by_tier"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    let expected_tiers: BTreeMap<String, u64> = [
        ("central", 1),
        ("provincial", 1),
        ("industry", 1),
        ("commercial", 1),
        ("self-media", 0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(tiers, expected_tiers, "{green_row}");
    assert_eq!(green_row["tier_share"]["central"], 0.25, "{green_row}");
    assert_eq!(green_row["latest"]["title"], GREEN_BIZ.title, "{green_row}");
    assert_eq!(count(coverage_row(&report, "s5.i12"), "stories"), 2);
    // Each themed article is in exactly one section: section totals add up to 10 of the 11
    // articles, the football story counts nowhere.
    let mut section_total = 0;
    for s in report["sections"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let expected = SECTION_ARTICLES
            .iter()
            .find(|(sid, _)| *sid == id)
            .map_or(0, |(_, n)| *n);
        assert_eq!(count(s, "articles"), expected, "section {id}: {s}");
        section_total += count(s, "articles");
    }
    assert_eq!(section_total, 10, "sports must count in no section");
    assert!(
        !report.to_string().contains(FOOTBALL.title),
        "the football story appears in coverage"
    );
    let all_items = all_item_ids(&report);
    assert_eq!(all_items.len(), 29, "shipped plan has 29 items");
    let covered: BTreeSet<String> = COVERED_ITEMS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        gaps(&report),
        all_items.difference(&covered).cloned().collect(),
        "gaps must be exactly the items no fixture covers"
    );
    // The union of the hits' item themes is the covered set, too.
    let hit_items: BTreeSet<String> = everything
        .iter()
        .flat_map(themes_of)
        .filter(|t| t.contains(".i"))
        .collect();
    assert_eq!(hit_items, covered, "item themes of the indexed articles");
    // A later window: the packaging story (11-21/22) is a gap there.
    let late = coverage(&env, "2026-11-24", "2026-11-25");
    assert_rows_consistent(&late);
    assert!(gaps(&late).contains("s4.i10"), "{}", late["gaps"]);
    assert!(!gaps(&late).contains("s7.i18"), "{}", late["gaps"]);
    assert_eq!(count(coverage_row(&late, "s9.i26"), "articles"), 1);

    // 6. analyze on fixture texts: themes with their hits, sentiment with evidence.
    let rural_file = env.root.join("rural.txt");
    std::fs::write(&rural_file, page_text(&RURAL)).unwrap();
    let analysis = yuqing(&env, &["analyze", "--json", rural_file.to_str().unwrap()])
        .ok_json("analyze --json rural.txt");
    let themes = analysis["themes"].as_array().expect("themes array");
    let ids: BTreeSet<&str> = themes.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, BTreeSet::from(["s6", "s6.i16"]), "{analysis}");
    let item = themes.iter().find(|t| t["id"] == "s6.i16").unwrap();
    assert_eq!(item["section"], "s6", "{item}");
    assert_eq!(item["item"], "s6.i16", "{item}");
    assert!(item["score"].as_f64().is_some_and(|s| s >= 1.0), "{item}");
    let hits = item["hits"].as_array().expect("hits array");
    let title_hit = hits
        .iter()
        .find(|h| h["term"] == "快递进村" && h["field"] == "title")
        .unwrap_or_else(|| panic!("快递进村 not hit in the title: {item}"));
    assert_eq!(count(title_hit, "count"), 1, "{title_hit}");
    let body_hit = hits
        .iter()
        .find(|h| h["term"] == "快递进村" && h["field"] == "body")
        .unwrap_or_else(|| panic!("快递进村 not hit in the body: {item}"));
    assert_eq!(count(body_hit, "count"), 2, "{body_hit}");
    for h in hits {
        assert!(h["field"] == "title" || h["field"] == "body", "{h}");
        assert!(count(h, "count") >= 1, "{h}");
    }
    let closure_file = env.root.join("closure.txt");
    let closure_text = page_text(&CLOSURE);
    std::fs::write(&closure_file, &closure_text).unwrap();
    let analysis = yuqing(&env, &["analyze", "--json", closure_file.to_str().unwrap()])
        .ok_json("analyze --json closure.txt");
    let sentiment = &analysis["sentiment"];
    assert_eq!(sentiment["label"], "negative", "{analysis}");
    let evidence = sentiment["evidence"].as_array().expect("evidence array");
    assert!(
        evidence
            .iter()
            .any(|e| e["weight"].as_f64().is_some_and(|w| w < 0.0)
                && e["text"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty() && closure_text.contains(t))),
        "no negative evidence from the text: {sentiment}"
    );

    // 7. themes rematch: nothing to do right after the run.
    let rematch = yuqing(&env, &["themes", "rematch", "--json"]).ok_json("themes rematch");
    assert_eq!(count(&rematch, "articles"), 11, "{rematch}");
    assert_eq!(count(&rematch, "rewritten"), 0, "{rematch}");
    assert_eq!(count(&rematch, "reindexed"), 0, "{rematch}");
    assert_eq!(rematch["added"], serde_json::json!({}), "{rematch}");
    assert_eq!(rematch["removed"], serde_json::json!({}), "{rematch}");

    // Edit the rules: a `not` term (温州) takes the inspection out of s5.i12, and a new `any`
    // term (行政理事会, in the UPU headline) brings the UPU story into s10.i29.
    let themes_path = env.config_dir().join("themes.toml");
    let rules = std::fs::read_to_string(&themes_path).unwrap();
    let rules = replace_once(
        &rules,
        "not = [\"人肉快递\", ",
        "not = [\"温州\", \"人肉快递\", ",
        "themes.toml s5.i12",
    );
    let rules = replace_once(
        &rules,
        "any = [\"邮政文化\", ",
        "any = [\"行政理事会\", \"邮政文化\", ",
        "themes.toml s10.i29",
    );
    std::fs::write(&themes_path, rules).unwrap();
    let check = yuqing(&env, &["config", "check"]);
    assert_eq!(check.code, Some(0), "edited themes:\n{}", check.describe());
    let rematch = yuqing(&env, &["themes", "rematch", "--json"]).ok_json("themes rematch");
    eprintln!("rematch after the edit: {rematch}");
    // Only the two edited rules are re-applied, to their candidates (not all 11 articles).
    assert_eq!(
        rematch["changed_themes"],
        serde_json::json!(["s5.i12", "s10.i29"]),
        "{rematch}"
    );
    let candidates = count(&rematch, "articles");
    assert!((2..=11).contains(&candidates), "{rematch}");
    assert_eq!(count(&rematch, "rewritten"), 2, "{rematch}");
    assert_eq!(count(&rematch, "reindexed"), 2, "{rematch}");
    assert_eq!(
        rematch["added"],
        serde_json::json!({"s10": 1, "s10.i29": 1}),
        "{rematch}"
    );
    assert_eq!(
        rematch["removed"],
        serde_json::json!({"s5": 1, "s5.i12": 1}),
        "{rematch}"
    );
    let s5 = paths(&search(&env, &["--theme", "s5.i12"], "寄递"));
    assert_eq!(
        s5,
        BTreeSet::from([DRUGS.path.to_string()]),
        "--theme s5.i12"
    );
    let s10 = paths(&search(&env, &["--theme", "s10.i29"], "邮政"));
    assert_eq!(
        s10,
        BTreeSet::from([UPU.path.to_string()]),
        "--theme s10.i29"
    );
    let report = coverage(&env, "2026-11-20", "2026-11-25");
    assert_rows_consistent(&report);
    assert_eq!(count(coverage_row(&report, "s5.i12"), "articles"), 1);
    assert_eq!(count(coverage_row(&report, "s5"), "articles"), 1);
    assert_eq!(count(coverage_row(&report, "s10.i29"), "articles"), 1);
    assert_eq!(
        coverage_row(&report, "s10.i29")["latest"]["title"],
        UPU.title
    );
    let mut covered_now = covered.clone();
    covered_now.insert("s10.i29".to_string());
    assert_eq!(
        gaps(&report),
        all_items.difference(&covered_now).cloned().collect(),
        "gaps after the rematch"
    );
    assert_eq!(
        site.state
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == GREEN.path)
            .count(),
        1,
        "rematch must not crawl"
    );

    // 7b. Alert digest to the outbox (no SMTP configured): the negative story reaches the
    // recipient once; a second run sends nothing.
    {
        // The fixtures' dates are fixed (2026-11-24): no story age limit, so that the test
        // does not expire a week after that date.
        let mut main = std::fs::read_to_string(env.config_file())
            .unwrap()
            .replace("max_story_age_days = 7", "max_story_age_days = 0");
        main.push_str(
            "\n[[mail.recipient]]\nname = \"值班分析员\"\nemail = \"duty@example.gov.cn\"\n",
        );
        std::fs::write(env.config_file(), main).unwrap();
        let outbox = env.root.join("data").join("outbox");
        let dry = yuqing(&env, &["alert", "send", "--dry-run"]);
        assert_eq!(
            dry.code,
            Some(0),
            "alert send --dry-run:\n{}",
            dry.describe()
        );
        assert!(dry.stdout.contains(CLOSURE.title), "{}", dry.describe());
        assert!(!dry.stdout.contains(WARMTH.title), "{}", dry.describe());
        assert!(!outbox.exists(), "a dry run writes nothing");
        let sent = yuqing(&env, &["alert", "send"]);
        assert_eq!(sent.code, Some(0), "alert send:\n{}", sent.describe());
        assert!(sent.stdout.contains("written to"), "{}", sent.describe());
        let eml: Vec<_> = std::fs::read_dir(&outbox)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .collect();
        assert_eq!(eml.len(), 1, "one digest in {}", outbox.display());
        let message = std::fs::read_to_string(eml[0].path()).unwrap();
        assert!(message.contains("duty@example.gov.cn"), "{message}");
        assert!(
            message.contains("Message-ID:") || message.contains("Message-Id:"),
            "{message}"
        );
        let again = yuqing(&env, &["alert", "send"]);
        assert_eq!(
            again.code,
            Some(0),
            "second alert send:\n{}",
            again.describe()
        );
        assert!(
            again.stdout.contains("nothing sent"),
            "{}",
            again.describe()
        );
        assert_eq!(
            std::fs::read_dir(&outbox).unwrap().count(),
            1,
            "nothing new written"
        );
    }

    // 7c. The daily guidance report of the closure story's day, in all four formats.
    {
        let out = env.root.join("reports");
        let report = yuqing(
            &env,
            &[
                "report",
                "daily",
                "--date",
                "2026-11-24",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(report.code, Some(0), "report daily:\n{}", report.describe());
        for ext in ["html", "md", "docx", "xlsx"] {
            let f = out.join(format!("daily-2026-11-24.{ext}"));
            assert!(
                std::fs::metadata(&f).is_ok_and(|m| m.len() > 1000),
                "{}",
                f.display()
            );
        }
        let md = std::fs::read_to_string(out.join("daily-2026-11-24.md")).unwrap();
        assert!(
            md.contains(CLOSURE.title),
            "the day's negative story is in the report"
        );
        assert!(md.contains("宣传薄弱环节"), "gaps are listed");
        assert!(!md.contains(GREEN.title), "another day's story is not");
        assert!(
            !md.contains("本期尚未结束"),
            "a past day is not marked unfinished"
        );

        // Today's daily report (Beijing): the day is still running, and every format says so.
        let today = yuqing_report::beijing_day(chrono::Utc::now());
        let date = today.format("%Y-%m-%d").to_string();
        let running = yuqing(
            &env,
            &[
                "report",
                "daily",
                "--date",
                &date,
                "--format",
                "md,xlsx",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(
            running.code,
            Some(0),
            "report daily today:\n{}",
            running.describe()
        );
        // Unless Beijing midnight passed while it ran (the binary's today was then tomorrow).
        if yuqing_report::beijing_day(chrono::Utc::now()) == today {
            let md = std::fs::read_to_string(out.join(format!("daily-{date}.md"))).unwrap();
            let mark = md
                .lines()
                .find(|l| l.contains("本期尚未结束"))
                .unwrap_or_else(|| panic!("no unfinished mark in today's report:\n{md}"));
            assert!(mark.starts_with(&format!("**统计截至 {date} ")), "{mark}");
            assert!(
                running.stderr.contains("period not over yet, data until"),
                "{}",
                running.describe()
            );
        }
    }

    // 8. config check with a themes.toml broken in two places.
    let bad_dir = env.root.join("bad-config");
    write_config_dir(&bad_dir, &env.root.join("data"), &env.site_base);
    let rules = std::fs::read_to_string(bad_dir.join("themes.toml")).unwrap();
    let rules = replace_once(
        &rules,
        "id = \"s6.i16\"\nsection = \"s6\"",
        "id = \"s6.i16\"\nsection = \"s66\"",
        "bad themes.toml section",
    );
    let rules = replace_once(
        &rules,
        "\"9792\" = 3.0",
        "\"9792\" = -1.0",
        "bad themes.toml weight",
    );
    std::fs::write(bad_dir.join("themes.toml"), rules).unwrap();
    let bad = yuqing_with_config(&env, &bad_dir.join("yuqing.toml"), &["config", "check"]);
    eprintln!("broken themes.toml: {}", bad.describe());
    assert_eq!(bad.code, Some(1), "broken themes.toml:\n{}", bad.describe());
    let said = format!("{}{}", bad.stdout, bad.stderr);
    let lines: Vec<&str> = said.lines().collect();
    assert!(
        lines.iter().any(|l| l.contains("themes.toml")
            && l.contains("item[15].section")
            && l.contains("s66")),
        "unknown section not reported with file and key:\n{said}"
    );
    assert!(
        lines.iter().any(|l| l.contains("themes.toml")
            && l.contains("item[9].weights")
            && l.contains("9792")),
        "bad weight not reported with file and key:\n{said}"
    );

    // 9. plan import of the shared plan.
    plan_import(&env);

    eprintln!("e2e_analysis: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        reprint_failures.is_empty(),
        "reprint clusters:\n{}",
        reprint_failures.join("\n")
    );
}

fn plan_import(env: &Env) {
    let plan = Path::new(SHARED_PLANS).join("postal-publicity-plan-2020.txt");
    if !plan.exists() {
        println!("SKIPPED: ../shared/plans not found");
        return;
    }
    let plan = plan.to_str().unwrap();
    let dir = env.root.join("plan-config");
    write_config_dir(&dir, &env.root.join("plan-data"), &env.site_base);
    let out = dir.join("imported.toml");
    let out_str = out.to_str().unwrap();
    let import = yuqing(env, &["plan", "import", "--out", out_str, plan]);
    assert_eq!(import.code, Some(0), "plan import:\n{}", import.describe());
    let written = std::fs::read_to_string(&out).expect("plan import wrote no file");
    let config = std::fs::read_to_string(dir.join("yuqing.toml")).unwrap();
    let config = replace_once(
        &config,
        "themes_file = \"themes.toml\"",
        "themes_file = \"imported.toml\"",
        "yuqing.toml [analysis]",
    );
    std::fs::write(dir.join("yuqing.toml"), config).unwrap();
    let config_file = dir.join("yuqing.toml");
    let check = yuqing_with_config(env, &config_file, &["config", "check"]);
    assert_eq!(
        check.code,
        Some(0),
        "config check with the imported themes:\n{}",
        check.describe()
    );
    assert!(check.stdout.contains("imported.toml"), "{}", check.stdout);
    let list = yuqing_with_config(env, &config_file, &["themes", "list", "--json"])
        .ok_json("themes list --json");
    let themes = list.as_array().expect("themes list is an array");
    let kinds = |k: &str| themes.iter().filter(|t| t["kind"] == k).count();
    assert_eq!(kinds("section"), 10, "{list}");
    assert_eq!(kinds("item"), 29, "{list}");
    assert!(
        themes.iter().any(|t| t["id"] == "s4.i10"),
        "no s4.i10 in the imported plan"
    );
    // Refuses to overwrite without --force (exit 2, file unchanged); --force overwrites.
    std::fs::write(&out, "# edited by hand\n").unwrap();
    let again = yuqing(env, &["plan", "import", "--out", out_str, plan]);
    assert_eq!(
        again.code,
        Some(2),
        "overwrite without --force:\n{}",
        again.describe()
    );
    assert!(again.stderr.contains("--force"), "{}", again.describe());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# edited by hand\n");
    let forced = yuqing(env, &["plan", "import", "--force", "--out", out_str, plan]);
    assert_eq!(forced.code, Some(0), "--force:\n{}", forced.describe());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
}
