//! The analysts' pages in a real headless Chromium (Debian's `chromium` and `chromedriver`,
//! driven over WebDriver with `fantoccini`), against the real app on 127.0.0.1.
//!
//! Data: 12 Chinese postal-industry articles written for this test (green packaging, 快递进村,
//! a 双十一 story and its reprint, a negative complaint, two culture pieces, and one whose
//! title and body carry `<script>`, `onerror=` and `javascript:` markup and whose URL is a
//! `javascript:` URL), ingested with `Pipeline::ingest` and the shipped config (themes,
//! lexicon, dictionary) into a temp dir; a user added through the store.
//!
//! Flow: the login redirect and form; a search; a click on a plan item in the theme tree
//! (hits must be exactly the index's hits for that theme); an article with highlighted
//! terms; a sentiment correction through the form (the page and the store must show it);
//! the hostile article rendered inert (no `window.__xss`, no alert, no `<img>`, no link to its
//! `javascript:` URL); the dashboard's counts against the index; the Excel export; a daily
//! report generated from the reports page, a weekly one with the optional date box left empty
//! (the last Monday–Sunday week that has ended), and a future date refused there (Chinese
//! message, no file); the Chinese 404 page of an unknown path; no English counter on any page checked.
//! Screenshots go to `target/web-e2e/*.png`.
//!
//! Without a Chromium and chromedriver the test prints `SKIPPED: chromium not found`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as TimeDelta, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use yuqing_index::SearchRequest;
use yuqing_model::{Article, SentimentLabel, Tier};
use yuqing_pipeline::Pipeline;
use yuqing_testkit::{config_with_data_dir, copy_dir};

const USER: &str = "analyst";
const PASSWORD: &str = "correct-horse-42";

/// Title of the hostile fixture (everything in it must show as text).
const XSS_TITLE: &str =
    "<script>window.__xss=1</script>快递进村调查<img src=x onerror=\"window.__xss=2\">";

/// (key, title, body, tier). Key prefixes name the group the assertions use.
const ARTICLES: &[(&str, &str, &str, Tier)] = &[
    (
        "green-1",
        "快递企业推广可循环快递箱",
        "记者从市邮政管理局获悉，本市已在三百个快递网点投放可循环快递箱，消费者收件后可将箱子交还网点重复使用。\n“9792”工程持续推进，电商快件不再二次包装比例明显提高。",
        Tier::Industry,
    ),
    (
        "green-2",
        "瘦身胶带在分拣中心全面应用",
        "多家快递企业在分拣中心全面使用瘦身胶带，单件包裹的胶带用量减少约三成。\n企业负责人介绍，推广免胶带包装箱还需要上游商家配合，可循环包装标准正在制定。",
        Tier::Central,
    ),
    (
        "green-3",
        "电商平台推行原箱发货减少过度包装",
        "在邮政管理部门指导下，多家电商平台与快递企业签署承诺书，推行原箱发货，落实“9792”工程要求。\n可循环快递箱试点范围进一步扩大。",
        Tier::Commercial,
    ),
    (
        "village-1",
        "山阳县建制村实现快递进村全覆盖",
        "记者从山阳县邮政管理部门获悉，该县一百八十二个建制村全部实现快递进村，村民足不出户就能收寄包裹。\n县里采取邮快合作模式统一承接各品牌快件的进村投递，农村寄递更加便捷。",
        Tier::Provincial,
    ),
    (
        "village-2",
        "快递进村工程带动农产品外销",
        "随着快递进村工程深入实施，当地苹果、核桃等农产品通过快递网络卖向全国，农村电商订单同比增长四成。\n果农说，以前要跑几十里路寄包裹，现在村口就能发货，快递进村让大家很满意。",
        Tier::Central,
    ),
    (
        "village-3",
        "村级寄递物流综合服务站开进深山",
        "在偏远山区，县邮政分公司与多家快递企业合作建设村级寄递物流综合服务站，打通农村寄递最后一公里。\n快递进村以后，山区群众收件时间缩短一半。",
        Tier::SelfMedia,
    ),
    (
        "story-orig",
        "双十一快递业务量创历史新高",
        "国家邮政局监测数据显示，双十一期间全国邮政快递企业共揽收快递包裹三十九亿件，同比增长百分之二十三。\n各企业提前储备运力、增加临时人员，旺季全网运行总体平稳有序。",
        Tier::Industry,
    ),
    (
        "story-copy",
        "双十一快递业务量创历史新高",
        "（转载自国家邮政局网站）\n国家邮政局监测数据显示，双十一期间全国邮政快递企业共揽收快递包裹三十九亿件，同比增长百分之二十三。\n各企业提前储备运力、增加临时人员，旺季全网运行总体平稳有序。",
        Tier::Commercial,
    ),
    (
        "negative-1",
        "快递网点暴力分拣 多件包裹破损 消费者投诉无门",
        "近日有市民反映，某快递网点工作人员暴力分拣，随意抛扔包裹，导致多件快件破损、物品损坏。\n消费者投诉后迟迟得不到处理，网点负责人态度恶劣，拒绝赔偿，引发强烈不满。",
        Tier::SelfMedia,
    ),
    (
        "culture-1",
        "寻找最美快递员活动启动",
        "第五届寻找最美快递员活动日前启动，将评选出十名最美快递员，讲述快递小哥的感人故事。\n活动由邮政管理部门和行业协会共同主办。",
        Tier::Industry,
    ),
    (
        "culture-2",
        "邮政博物馆推出书信文化展",
        "邮政博物馆本月推出书信文化展，展出百年来的家书、明信片与邮政文化藏品。\n观众可现场写信并寄给未来的自己。",
        Tier::Provincial,
    ),
    (
        "xss-1",
        XSS_TITLE,
        "快递进村调查：<a href=\"javascript:window.__xss=3\">点击查看</a>\n<img src=x onerror=\"window.__xss=4\"><script>window.__xss=5;alert('xss')</script>快递进村覆盖率继续提高。",
        Tier::SelfMedia,
    ),
];

fn fixture_articles() -> Vec<Article> {
    let now = Utc::now();
    ARTICLES
        .iter()
        .enumerate()
        .map(|(i, (key, title, body, tier))| {
            let url = if key.starts_with("xss") {
                "javascript:window.__xss=6".to_string()
            } else {
                format!("https://news.example.cn/{key}.html")
            };
            // Within the last three days, so the dashboard's default period shows them.
            let at = now - TimeDelta::hours(2 + 5 * i as i64);
            Article {
                source: format!("src-{}", i % 3),
                tier: *tier,
                site: "测试新闻网".into(),
                fetched_at: at + TimeDelta::minutes(5),
                ..yuqing_testkit::article(&url, title, *body, at)
            }
        })
        .collect()
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Kills and reaps the chromedriver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_driver(driver: &Path, port: u16) -> Driver {
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
    let guard = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

async fn connect(port: u16, chromium: &Path, profile: &Path) -> Client {
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1360,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("a JSON object literal")
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless chromium")
}

/// Waits (up to 10 s) until the browser's URL satisfies `done`: a click returns once it is
/// dispatched, and the form POST or link navigation it starts may still be in flight.
async fn wait_url(c: &Client, what: &str, done: impl Fn(&url::Url) -> bool) -> url::Url {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = c.current_url().await.unwrap();
        if done(&url) {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still at {url} after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 10 s) until an element matching `css` is on the page.
async fn wait_for(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.find(Locator::Css(css)).await.is_err() {
        assert!(Instant::now() < deadline, "no element {css} after 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn hit_ids(c: &Client) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for el in c.find_all(Locator::Css("li.hit")).await.unwrap() {
        out.insert(el.attr("data-id").await.unwrap().unwrap());
    }
    out
}

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Saves a screenshot of the viewport to `dir/name` and prints its path.
async fn shot(c: &Client, dir: &Path, name: &str) -> PathBuf {
    let png = c.screenshot().await.unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &png).unwrap();
    println!("screenshot: {} ({} bytes)", path.display(), png.len());
    path
}

/// No hostile markup ran and none became an element: `window.__xss` is undefined, no alert
/// is open, the page has no `<img>` and only our one external script.
async fn assert_inert(c: &Client, page: &str) {
    assert_eq!(
        js(c, "return typeof window.__xss;").await,
        "undefined",
        "{page}: a fixture script ran"
    );
    assert!(
        c.get_alert_text().await.is_err(),
        "{page}: an alert is open"
    );
    assert_eq!(
        js(c, "return document.images.length;").await,
        0,
        "{page}: an <img> from article text became an element"
    );
    assert_eq!(
        js(
            c,
            "return Array.from(document.scripts).map(s => s.getAttribute('src')).join(',');"
        )
        .await,
        "/static/app.js",
        "{page}: a script element other than app.js"
    );
    assert_eq!(
        js(
            c,
            "return document.querySelectorAll('a[href^=\"javascript\" i], [onerror], [onclick]').length;"
        )
        .await,
        0,
        "{page}: a javascript: link or an inline handler"
    );
    // Counters are Chinese (篇/组/个): no English plural such as "(1 stories)".
    let english = js(
        c,
        "const m = document.body.innerText.match(/\\(?\\d+ (stories|story|articles|reprints|items|hits|results|files)\\b\\)?/i); return m ? m[0] : '';",
    )
    .await;
    assert_eq!(english, "", "{page}: an English counter");
}

#[test]
fn analyst_flow_in_headless_chromium() {
    let (Some(chromium), Some(driver)) = (
        find_in_path(&["chromium", "chromium-browser", "google-chrome"]),
        find_in_path(&["chromedriver"]),
    ) else {
        println!("SKIPPED: chromium not found");
        return;
    };

    // Data: the shipped config (themes, lexicon, dictionary) with a temp data dir.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let cfg_dir = tmp.path().join("config");
    copy_dir(&repo.join("config"), &cfg_dir);
    let config = config_with_data_dir(&cfg_dir.join("yuqing.toml"), &tmp.path().join("data"));
    let articles = fixture_articles();
    let by_key = |k: &str| -> &Article {
        let i = ARTICLES.iter().position(|a| a.0 == k).unwrap();
        &articles[i]
    };
    {
        let pipeline = Pipeline::open(config.clone()).unwrap();
        let outcomes = pipeline.ingest(vec![articles.clone()]).unwrap();
        assert_eq!(outcomes.len(), articles.len());
    }
    let app = yuqing_web::WebApp::open(&config).unwrap();
    let state = app.state().clone();
    let phc = yuqing_web::hash_password(PASSWORD).unwrap();
    assert!(state.store.add_user(USER, &phc, Utc::now()).unwrap());

    // What the index says the theme filter must show (the browser must show exactly this).
    let village_theme = "s6.i16";
    let mut req = SearchRequest::new("快递");
    req.theme = Some(village_theme.into());
    req.limit = 100;
    let expected_village: BTreeSet<String> = state
        .index
        .search(&req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    for k in ["village-1", "village-2", "village-3", "xss-1"] {
        assert!(
            expected_village.contains(by_key(k).id.as_str()),
            "fixture {k} should match {village_theme}"
        );
    }
    assert!(!expected_village.contains(by_key("green-1").id.as_str()));

    let shots = repo.join("target/web-e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(yuqing_web::serve(app, listener, async {
            let _ = stop_rx.await;
        }));
        let port = free_port();
        let _driver = start_driver(&driver, port);
        let c = connect(port, &chromium, profile.path()).await;

        // 1. Login: a page needs a session; the form logs in and returns to it.
        c.goto(&format!("{base}/search")).await.unwrap();
        let url = c.current_url().await.unwrap();
        assert_eq!(url.path(), "/login", "not redirected to the login page: {url}");
        // A wrong password first: back on the form with the message.
        c.find(Locator::Css("#username")).await.unwrap().send_keys(USER).await.unwrap();
        c.find(Locator::Css("#password")).await.unwrap().send_keys("wrong-password").await.unwrap();
        c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
        wait_for(&c, "#login-error").await;
        assert_eq!(text_of(&c, "#login-error").await, "用户名或密码错误。");
        c.find(Locator::Css("#username")).await.unwrap().send_keys(USER).await.unwrap();
        c.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
        wait_url(&c, "after login", |u| u.path() == "/search").await;
        assert_eq!(text_of(&c, "#current-user").await, USER);
        // The stylesheet loaded under the CSP (its rules are visible to the page).
        assert_eq!(
            js(&c, "return getComputedStyle(document.querySelector('header.top')).display;").await,
            "flex"
        );

        // 2. Search: every article mentions 快递.
        let q = c.find(Locator::Css("#q")).await.unwrap();
        q.send_keys("快递").await.unwrap();
        c.find(Locator::Css("#search-submit")).await.unwrap().click().await.unwrap();
        wait_url(&c, "search submitted", |u| {
            u.query().unwrap_or_default().contains("q=%E5%BF%AB%E9%80%92")
        })
        .await;
        let mut all_req = SearchRequest::new("快递");
        all_req.limit = 0;
        let total_all = state.index.search(&all_req).unwrap().total;
        // Every fixture but the museum piece mentions 快递.
        assert_eq!(total_all, articles.len() - 1);
        assert!(text_of(&c, "#total").await.contains(&format!("共 {total_all} 篇")));
        assert_eq!(hit_ids(&c).await.len(), total_all.min(20));
        assert_eq!(
            js(&c, "return document.querySelectorAll('#hits .snippet em').length > 0;").await,
            true,
            "snippets have no highlighted term"
        );
        assert_inert(&c, "search").await;

        // 3. Filter by a plan item: click it in the theme tree.
        let item = c
            .find(Locator::Css(&format!("#theme-tree a[data-theme=\"{village_theme}\"]")))
            .await
            .unwrap();
        let shown_count: usize = item
            .find(Locator::XPath("following-sibling::span[@class='count']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(shown_count, expected_village.len(), "tree count of {village_theme}");
        item.click().await.unwrap();
        wait_url(&c, "theme filter", |u| {
            u.query().unwrap_or_default().contains("theme=s6.i16")
        })
        .await;
        assert_eq!(hit_ids(&c).await, expected_village);
        assert!(text_of(&c, "#active-filters").await.contains("快递进村"));
        assert_inert(&c, "theme search").await;
        c.set_window_size(1360, 1250).await.unwrap();
        let search_png = shot(&c, &shots, "search.png").await;

        // 4. Open an article from the hit list.
        let target = by_key("village-2");
        c.find(Locator::Css(&format!("li.hit[data-id=\"{}\"] a.hit-title", target.id)))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let article_path = format!("/articles/{}", target.id);
        wait_url(&c, "article opened", |u| u.path() == article_path).await;
        assert_eq!(text_of(&c, "#article-title").await, target.title);
        let marked = js(
            &c,
            "return Array.from(document.querySelectorAll('#article-body mark')).map(m => m.textContent);",
        )
        .await;
        let marked: Vec<String> = serde_json::from_value(marked).unwrap();
        assert!(marked.iter().any(|m| m == "快递进村"), "marks: {marked:?}");
        assert!(text_of(&c, "#themes").await.contains("快递进村"));
        assert_eq!(
            c.find(Locator::Css("#original-link")).await.unwrap().attr("href").await.unwrap().as_deref(),
            Some(target.url.as_str())
        );

        // 5. Correct its sentiment to a label other than the model's.
        let model = state.store.analysis(&target.id).unwrap().unwrap().sentiment.unwrap().label;
        let wanted = if model == SentimentLabel::Negative {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Negative
        };
        assert_eq!(text_of(&c, "#sentiment-label").await, model.label_zh());
        c.find(Locator::Css(&format!("#correction-form input[value=\"{}\"]", wanted.as_str())))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("#correction-submit")).await.unwrap().click().await.unwrap();
        wait_url(&c, "correction saved", |u| {
            u.path() == article_path && u.query() == Some("corrected=1")
        })
        .await;
        assert_eq!(text_of(&c, "#correction-saved").await, "已保存更正。");
        assert_eq!(text_of(&c, "#sentiment-label").await, wanted.label_zh());
        let note = text_of(&c, "#correction-note").await;
        assert!(note.contains(USER) && note.contains(wanted.label_zh()), "{note}");
        let stored = state.store.sentiment_correction(&target.id).unwrap().unwrap();
        assert_eq!((stored.label, stored.user.as_str()), (wanted, USER));
        assert_eq!(
            state.store.analysis(&target.id).unwrap().unwrap().sentiment.unwrap().label,
            wanted
        );
        shot(&c, &shots, "article.png").await;

        // 6. The hostile article: listed, opened, inert.
        let xss = by_key("xss-1");
        c.goto(&format!("{base}/articles/{}?q=%3Cscript%3E", xss.id)).await.unwrap();
        assert_inert(&c, "hostile article").await;
        assert_eq!(text_of(&c, "#article-title").await, XSS_TITLE);
        assert!(text_of(&c, "#article-body").await.contains("<a href=\"javascript:window.__xss=3\">点击查看</a>"));
        assert!(c.find(Locator::Css("#original-link")).await.is_err(), "a javascript: URL became a link");
        assert!(text_of(&c, "#original-link-unsafe").await.contains("javascript:window.__xss=6"));
        assert!(js(&c, "return document.title;").await.as_str().unwrap().starts_with("<script>"));

        // 7. Dashboard: the village row counts what the theme search counts.
        c.goto(&format!("{base}/dashboard")).await.unwrap();
        let row = format!("tr[data-theme=\"{village_theme}\"]");
        let cells = js(
            &c,
            &format!("return Array.from(document.querySelectorAll('{row} td.num')).map(td => td.textContent.trim());"),
        )
        .await;
        let cells: Vec<String> = serde_json::from_value(cells).unwrap();
        let mut theme_req = SearchRequest::new("");
        theme_req.theme = Some(village_theme.into());
        theme_req.limit = 0;
        let village_articles = state.index.search(&theme_req).unwrap().total;
        assert_eq!(cells.first().map(String::as_str), Some(village_articles.to_string().as_str()));
        assert_eq!(
            js(&c, &format!("return document.querySelectorAll('{row} svg.spark polyline').length;")).await,
            1
        );
        let gaps = js(&c, "return document.querySelectorAll('tr.gap').length;").await;
        let gaps = gaps.as_u64().unwrap();
        assert!(gaps > 0 && gaps < 29, "gap rows: {gaps}");
        assert!(text_of(&c, "#dashboard-summary").await.contains(&format!("{gaps} 个无报道")));
        assert_inert(&c, "dashboard").await;
        c.set_window_size(1360, 1500).await.unwrap();
        shot(&c, &shots, "dashboard.png").await;

        // 8. Excel export of the theme search (same session, fetched by the page).
        let export = js(
            &c,
            "return fetch('/search/export.xlsx?q=%E5%BF%AB%E9%80%92&theme=s6.i16')\
               .then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), b.byteLength, new Uint8Array(b)[0], new Uint8Array(b)[1]]));",
        )
        .await;
        assert_eq!(export[0], 200, "{export}");
        assert_eq!(export[1], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(export[2].as_u64().unwrap() > 1000, "{export}");
        assert_eq!((export[3].as_u64(), export[4].as_u64()), (Some(b'P'.into()), Some(b'K'.into())));

        // 9. Reports: generate today's daily report through the form.
        c.goto(&format!("{base}/reports")).await.unwrap();
        let day = yuqing_report::beijing_day(Utc::now()).format("%Y-%m-%d").to_string();
        let date = c.find(Locator::Css("#report-form input[name=date]")).await.unwrap();
        // Set the date input's value directly (typing into a date field is locale-dependent).
        c.execute(
            "arguments[0].value = arguments[1];",
            vec![serde_json::to_value(&date).unwrap(), serde_json::Value::String(day.clone())],
        )
        .await
        .unwrap();
        c.find(Locator::Css("#report-form button[type=submit]")).await.unwrap().click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while c.find(Locator::Css("#report-message")).await.is_err() {
            assert!(Instant::now() < deadline, "no report after 60 s");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let listed = text_of(&c, "#report-files").await;
        for ext in ["html", "md", "docx", "xlsx"] {
            let name = format!("daily-{day}.{ext}");
            assert!(listed.contains(&name), "{name} not listed: {listed}");
            assert!(config.data_dir.join("reports").join(&name).is_file());
        }

        // 9a. The date box left empty (it is optional), weekly: the most recent Monday–Sunday
        // week that has ended in Beijing (the CLI's rule), not the running week. The expected
        // Monday from the Beijing day before and after the request (midnight may pass).
        c.goto(&format!("{base}/reports")).await.unwrap();
        let required = c
            .execute("return document.querySelector('#report-form input[name=date]').required;", vec![])
            .await
            .unwrap();
        assert_eq!(required, serde_json::Value::Bool(false), "the date box is required");
        let hint = text_of(&c, "#report-date-hint").await;
        assert!(hint.contains("留空：日报为昨天，周报为上一个完整周（周一至周日）"), "{hint}");
        let ended_monday = |today: chrono::NaiveDate| yuqing_report::Period::weekly(today).previous().first_day.format("%Y-%m-%d").to_string();
        let t_before = yuqing_report::beijing_day(Utc::now());
        c.execute("document.querySelector('#report-form select[name=kind]').value = 'weekly';", vec![]).await.unwrap();
        c.find(Locator::Css("#report-form button[type=submit]")).await.unwrap().click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while c.find(Locator::Css("#report-message")).await.is_err() {
            assert!(Instant::now() < deadline, "no weekly report after 60 s");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let t_after = yuqing_report::beijing_day(Utc::now());
        let shown = text_of(&c, "#report-message").await;
        assert!(
            [t_before, t_after].into_iter().any(|t| shown.contains(&format!("weekly-{}", ended_monday(t)))),
            "{shown}"
        );

        // 9b. A day after today (Beijing) through the form: the page says so in Chinese,
        // names the date, and nothing is written (daily and weekly).
        let tomorrow = (yuqing_report::beijing_day(Utc::now()) + TimeDelta::days(1)).format("%Y-%m-%d").to_string();
        let before: BTreeSet<_> = std::fs::read_dir(config.data_dir.join("reports")).unwrap().map(|e| e.unwrap().file_name()).collect();
        for (kind, date) in [("weekly", tomorrow.as_str()), ("daily", "2027-01-01")] {
            c.goto(&format!("{base}/reports")).await.unwrap();
            let form = c.find(Locator::Css("#report-form")).await.unwrap();
            c.execute(
                "arguments[0].querySelector('select[name=kind]').value = arguments[1]; arguments[0].querySelector('input[name=date]').value = arguments[2];",
                vec![serde_json::to_value(&form).unwrap(), kind.into(), date.into()],
            )
            .await
            .unwrap();
            c.find(Locator::Css("#report-form button[type=submit]")).await.unwrap().click().await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            while c.find(Locator::Css("#report-error")).await.is_err() {
                assert!(Instant::now() < deadline, "{kind} {date}: no error after 30 s");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let shown = text_of(&c, "#report-error").await;
            assert!(shown.contains(&format!("日期“{date}”还没到")) && shown.contains("未生成报告"), "{shown}");
            assert!(c.find(Locator::Css("#report-message")).await.is_err(), "{kind} {date}: a success message");
            assert_inert(&c, "reports (refused date)").await;
        }
        shot(&c, &shots, "report-future-date.png").await;
        let after: BTreeSet<_> = std::fs::read_dir(config.data_dir.join("reports")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(before, after, "a refused date wrote a file");

        // 9c. An unknown page: the Chinese 404 page in the site's layout, back to the search.
        c.goto(&format!("{base}/no-such-page")).await.unwrap();
        assert_eq!(text_of(&c, "main h1").await, "页面不存在");
        assert!(text_of(&c, "main .error-box").await.contains("/no-such-page"));
        assert_eq!(text_of(&c, "#current-user").await, USER);
        assert_inert(&c, "404").await;
        shot(&c, &shots, "not-found.png").await;
        c.find(Locator::Css("main a[href=\"/search\"]")).await.unwrap().click().await.unwrap();
        wait_url(&c, "back to search", |u| u.path() == "/search").await;

        // 10. Logout ends the session.
        c.find(Locator::Css("form[action=\"/logout\"] button")).await.unwrap().click().await.unwrap();
        wait_url(&c, "logout", |u| u.path() == "/login").await;
        c.goto(&format!("{base}/dashboard")).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().path(), "/login");

        c.close().await.unwrap();
        let _ = stop_tx.send(());
        server.await.unwrap().unwrap();
        assert!(search_png.is_file());
    });
}
