//! The JSON API and its security end to end: fixture articles ingested through
//! `Pipeline::ingest` (shipped config: themes, lexicon, dictionary) into a temp data dir, a
//! real server on 127.0.0.1:0 started with `yuqing_web::serve`, a reqwest client.

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, ORIGIN, REFERER, SET_COOKIE};
use serde_json::{Value, json};
use yuqing_model::{Article, Tier};
use yuqing_pipeline::Pipeline;
use yuqing_web::{WebApp, hash_password, new_token, token_hash};

/// Plan item s4.i10 (9792 / green packaging).
const GREEN: &[(&str, &str)] = &[
    (
        "邮政管理局推进绿色包装治理",
        "市邮政管理局召开会议，部署快递包装绿色治理工作，要求各品牌快递企业扩大可循环快递箱投放，推广瘦身胶带和电子运单，绿色包装应用比例稳步提高，群众普遍点赞。",
    ),
    (
        "快递网点推广可循环包装",
        "记者走访发现，本市快递网点已投放可循环快递箱两万个，绿色包装逐步普及。企业介绍，循环箱可重复使用五十次以上，减少纸箱消耗，取得良好成效。",
    ),
    (
        "电商快件减少二次包装",
        "在邮政管理部门推动下，电商快件不再二次包装的比例大幅提升，过度包装现象明显减少，快递包装绿色治理取得积极进展，受到消费者欢迎。",
    ),
];

/// Plan item s6.i16 (parcels to villages).
const VILLAGE: &[(&str, &str)] = &[
    (
        "快递进村打通农村物流最后一公里",
        "该县推进快递进村工程，建设村级寄递物流综合服务站一百余个，农村快递实现村村通，村民在家门口就能收寄包裹，农产品外销更加便利。",
    ),
    (
        "智能快件箱进驻乡村服务站",
        "县邮政分公司在行政村服务站布放智能快件箱，快递进村后村民凭取件码自助取件，农村寄递物流体系更加完善，群众满意度明显提高。",
    ),
];

/// Negative stories.
const NEGATIVE: &[(&str, &str)] = &[
    (
        "快递员暴力分拣遭投诉",
        "近日有网友投诉，某快递网点员工暴力分拣，大量包裹破损，消费者损失严重，投诉无人处理，引发强烈不满。邮政管理部门已介入调查，涉事企业被约谈，将依法严肃处理违规行为。",
    ),
    (
        "快件延误丢失问题突出",
        "多名消费者反映快件严重延误甚至丢失，客服电话长期无法接通，投诉后迟迟得不到赔偿。业内人士指出，部分企业末端网点管理混乱，违规经营问题突出，服务质量下降引发不满。",
    ),
];

/// An article whose title and body carry markup that must come back inert.
const HOSTILE_TITLE: &str = "<script>alert(1)</script>快递包装新规发布";
const HOSTILE_BODY: &str = "<script>alert(2)</script><img src=x onerror=alert(3)> 新规要求快递企业使用绿色包装，减少过度包装，推广可循环快递箱，邮政管理部门将加强监督检查。";

fn article(key: &str, n: usize, title: &str, body: &str) -> Article {
    let url = format!("https://test.example.cn/{key}.html");
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap() + Duration::hours(n as i64);
    Article {
        source: format!("src-{}", n % 2),
        tier: Tier::ALL[n % Tier::ALL.len()],
        fetched_at: at + Duration::minutes(5),
        ..yuqing_testkit::article(&url, title, body, at)
    }
}

struct Fixture {
    green: Vec<Article>,
    negative: Vec<Article>,
    hostile: Article,
    all: Vec<Article>,
}

fn fixture() -> Fixture {
    let mut n = 0;
    let mut make = |key: &str, list: &[(&str, &str)]| -> Vec<Article> {
        list.iter()
            .enumerate()
            .map(|(i, (t, b))| {
                n += 1;
                article(&format!("{key}-{i}"), n, t, b)
            })
            .collect()
    };
    let green = make("green", GREEN);
    let village = make("village", VILLAGE);
    let negative = make("negative", NEGATIVE);
    let hostile = article("hostile", 9, HOSTILE_TITLE, HOSTILE_BODY);
    let mut all = green.clone();
    all.extend(village);
    all.extend(negative.iter().cloned());
    all.push(hostile.clone());
    Fixture {
        green,
        negative,
        hostile,
        all,
    }
}

/// A running server over a temp data dir holding the fixture, with user `wang` / password
/// `correct horse`.
struct Server {
    base: String,
    app: WebApp,
    data: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

const PASSWORD: &str = "correct horse";

fn start(fix: &Fixture, attempts_per_minute: u32) -> Server {
    let data = tempfile::tempdir().unwrap();
    let shipped = yuqing_testkit::repo_config_dir().join("yuqing.toml");
    let mut config = yuqing_testkit::config_with_data_dir(&shipped, data.path());
    config.web.login_attempts_per_minute = attempts_per_minute;
    {
        let pipeline = Pipeline::open(config.clone()).unwrap();
        let outcomes = pipeline.ingest(vec![fix.all.clone()]).unwrap();
        assert_eq!(outcomes.len(), fix.all.len());
    }
    let app = WebApp::open(&config).unwrap();
    let phc = hash_password(PASSWORD).unwrap();
    assert!(
        app.state()
            .store
            .add_user("wang", &phc, Utc::now())
            .unwrap()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = app.clone();
    runtime.spawn(async move {
        yuqing_web::serve(served, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Server {
        base,
        app,
        data,
        runtime,
        client,
        stop: Some(stop),
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        self.runtime.block_on(async {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let headers = resp.headers().clone();
            (status, headers, resp.bytes().await.unwrap().to_vec())
        })
    }

    fn json(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let (status, _, body) = self.send(req);
        let v = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "{status}: not JSON ({e}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        (status, v)
    }

    /// Logs in with JSON; returns (cookie header value, csrf token).
    fn login(&self) -> (String, String) {
        let (status, headers, body) = self.send(
            self.client
                .post(self.url("/login"))
                .json(&json!({ "name": "wang", "password": PASSWORD })),
        );
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let set = headers[SET_COOKIE].to_str().unwrap().to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"));
        assert!(!set.contains("Secure"), "secure_cookie is off by default");
        let cookie = set.split(';').next().unwrap().to_string();
        let v: Value = serde_json::from_slice(&body).unwrap();
        (cookie, v["csrf_token"].as_str().unwrap().to_string())
    }
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn health_login_and_rate_limit() {
    let fix = fixture();
    let s = start(&fix, 3);

    // Health needs no login and counts what was ingested.
    let (status, headers, body) = s.send(s.client.get(s.url("/api/health")));
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["index_docs"], json!(fix.all.len()));
    assert_eq!(v["store_articles"], json!(fix.all.len()));
    assert_eq!(v["last_crawl_at"], Value::Null, "ingest is not a crawl run");
    // Security headers on every response.
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'self'")
    );

    // Everything else needs a login.
    for path in [
        "/api/search?q=快递",
        "/api/themes",
        "/api/reports",
        "/api/coverage",
    ] {
        let (status, v) = s.json(s.client.get(s.url(path)));
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(&v), "unauthorized");
    }
    // A made-up session cookie or token is no login either.
    let (status, _) = s.json(
        s.client
            .get(s.url("/api/themes"))
            .header(COOKIE, "yuqing_session=00ff")
            .header(AUTHORIZATION, "Bearer nope"),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Successful logins never count against the limit (3 failures per minute).
    for _ in 0..8 {
        s.login();
    }

    // Login CSRF: a form login must come from this site's page.
    let form = [
        ("name", "wang"),
        ("password", PASSWORD),
        ("next", "/dashboard"),
    ];
    for (header, value) in [
        (ORIGIN, "http://evil.example".to_string()),
        (REFERER, "http://evil.example/login".to_string()),
    ] {
        let (status, v) = s.json(
            s.client
                .post(s.url("/login"))
                .header(header, value)
                .form(&form),
        );
        assert_eq!((status, error_code(&v)), (StatusCode::FORBIDDEN, "csrf"));
    }
    let (status, v) = s.json(s.client.post(s.url("/login")).form(&form));
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::FORBIDDEN, "csrf"),
        "a form without Origin or Referer"
    );
    // A JSON login naming another site is refused too.
    let (status, _) = s.json(
        s.client
            .post(s.url("/login"))
            .header(ORIGIN, "http://evil.example")
            .json(&json!({ "name": "wang", "password": PASSWORD })),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    // From the site's own page (Referer, or Origin): logged in.
    let (status, headers, _) = s.send(
        s.client
            .post(s.url("/login"))
            .header(REFERER, s.url("/login?next=/dashboard"))
            .form(&form),
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/dashboard");
    assert!(
        headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("yuqing_session=")
    );

    // A form login with a wrong password: 401 and the form again, with the message (failure 1).
    let (status, _, body) = s.send(
        s.client
            .post(s.url("/login"))
            .header(ORIGIN, s.base.clone())
            .form(&[
                ("name", "wang"),
                ("password", "wrong password"),
                ("next", "/dashboard"),
            ]),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("用户名或密码错误"), "{html}");
    // The template escapes `/` as `&#x2f;`.
    assert!(
        html.contains(r#"name="next" value="&#x2f;dashboard""#),
        "{html}"
    );
    // Failures 2 and 3: 401; then the limit (3 failures per minute per address and name): 429.
    let wrong = json!({ "name": "wang", "password": "wrong password" });
    for _ in 0..2 {
        let (status, v) = s.json(s.client.post(s.url("/login")).json(&wrong));
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(&v), "bad_credentials");
    }
    let (status, headers, body) = s.send(s.client.post(s.url("/login")).json(&wrong));
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error_code(&v), "rate_limited");
    // Retry-After: the seconds until the oldest failure leaves the one-minute window; the
    // message says the same.
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        v["error"]["message"],
        format!("too many login attempts for user wang: retry in {retry} s")
    );
    // Even the right password is refused while limited.
    let right = json!({ "name": "wang", "password": PASSWORD });
    let (status, _) = s.json(s.client.post(s.url("/login")).json(&right));
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another name from the same address is still checked (401, not 429): the address may
    // fail ADDRESS_LIMIT_FACTOR times as often (colleagues behind one office NAT).
    let (status, v) = s.json(
        s.client
            .post(s.url("/login"))
            .json(&json!({ "name": "li", "password": "typo" })),
    );
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::UNAUTHORIZED, "bad_credentials")
    );
    // Failures for other names fill the address's allowance (3 × 4 = 12, of which wang's 3
    // and li's 1 are used): then every name from it is refused, and a form gets the form
    // with a message.
    for i in 0..(3 * yuqing_web::ADDRESS_LIMIT_FACTOR - 4) {
        let name = format!("guess{i}");
        let (status, v) = s.json(
            s.client
                .post(s.url("/login"))
                .json(&json!({ "name": name, "password": "x" })),
        );
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {v}");
    }
    let (status, headers, body) = s.send(
        s.client
            .post(s.url("/login"))
            .header(ORIGIN, s.base.clone())
            .form(&[("name", "li"), ("password", "x"), ("next", "/dashboard")]),
    );
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is limited too"
    );
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(
        String::from_utf8_lossy(&body).contains(&format!("登录失败次数过多，请 {retry} 秒后再试")),
        "{}",
        String::from_utf8_lossy(&body)
    );

    // Oversized bodies are refused before any handler, on the declared length alone: the
    // server answers 413 without reading a byte of the body. (A client that writes the whole
    // body first may instead see the connection closed under it, so the request is written by
    // hand: headers only.)
    {
        use std::io::{Read, Write};
        let addr = s.base.trim_start_matches("http://");
        let mut tcp = std::net::TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        write!(
            tcp,
            "POST /api/reports HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            2 * 1024 * 1024
        )
        .unwrap();
        let mut answer = Vec::new();
        let _ = tcp.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }

    // Unknown routes are JSON 404s.
    let (status, v) = s.json(s.client.get(s.url("/api/nope")));
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[test]
fn search_articles_corrections_reports_and_tokens() {
    let fix = fixture();
    let s = start(&fix, 50);
    let (cookie, csrf) = s.login();
    let get = |path: &str| s.json(s.client.get(s.url(path)).header(COOKIE, &cookie));

    // Theme filter: every green article, facet counts equal to the hits.
    let (status, v) = get("/api/search?theme=s4.i10&limit=100");
    assert_eq!(status, StatusCode::OK, "{v}");
    let hits = v["hits"].as_array().unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    for a in &fix.green {
        assert!(
            ids.contains(&a.id.as_str()),
            "{} not found by theme",
            a.title
        );
    }
    assert_eq!(v["total"], json!(hits.len()));
    let theme_facet = v["facets"]["theme"].as_array().unwrap();
    let s4i10 = theme_facet.iter().find(|f| f["key"] == "s4.i10").unwrap();
    assert_eq!(s4i10["count"], json!(hits.len()));
    assert!(s4i10["name"].as_str().unwrap().contains("9792"));
    for h in hits {
        assert!(h["themes"].as_array().unwrap().contains(&json!("s4.i10")));
        assert!(h["published_at"].as_str().unwrap().ends_with("+08:00"));
    }
    let tier_sum: u64 = v["facets"]["tier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(tier_sum, hits.len() as u64);
    let day = &v["facets"]["day"][0];
    assert_eq!(
        (day["key"].as_str(), day["count"].as_u64()),
        (Some("2026-03-01"), Some(hits.len() as u64))
    );

    // Sentiment filter: the negative stories; the facet of an unfiltered search agrees.
    let (_, all) = get("/api/search?limit=100");
    assert_eq!(all["total"], json!(fix.all.len()));
    let neg_facet = all["facets"]["sentiment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "negative")
        .map_or(0, |f| f["count"].as_u64().unwrap());
    let (status, v) = get("/api/search?sentiment=negative&limit=100");
    assert_eq!(status, StatusCode::OK);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len() as u64, neg_facet);
    assert!(hits.iter().all(|h| h["sentiment"] == "negative"));
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    for a in &fix.negative {
        assert!(ids.contains(&a.id.as_str()), "{} is not negative", a.title);
    }
    let sent = &v["facets"]["sentiment"];
    assert_eq!(sent, &json!([{ "key": "negative", "count": hits.len() }]));

    // Bad query: 400 with the parser's message.
    let (status, v) = get("/api/search?q=nosuchfield:x");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&v), "bad_query");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nosuchfield"),
        "{v}"
    );
    // An unknown theme id: 400 naming the id and where the ids are listed, not 0 hits; the
    // search page shows the same message instead of an empty result.
    let (status, v) = get("/api/search?theme=s99.i1");
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "unknown_theme"),
        "{v}"
    );
    let message = v["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "theme: \"s99.i1\" is not a plan theme id (GET /api/themes lists them)"
    );
    let (status, _, body) = s.send(
        s.client
            .get(s.url("/search?theme=s99.i1"))
            .header(COOKIE, &cookie),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let page = String::from_utf8_lossy(&body);
    assert!(
        page.contains(
            "<span id=\"search-error-message\">未知专题 s99.i1，请在左侧专题树中选择</span>"
        ),
        "{page}"
    );
    assert!(!page.contains("&#x2f;api&#x2f;themes"), "{page}");
    assert!(!page.contains("class=\"hit\""), "no hits listed: {page}");
    let (status, v) = get("/api/search?limit=1000");
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    assert!(v["error"]["message"].as_str().unwrap().starts_with("limit"));

    // Markup in the article comes back escaped in the snippet; the search finds it.
    let (_, v) = get("/api/search?q=新规发布");
    let h = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == fix.hostile.id.as_str())
        .expect("hostile article found");
    let snippet = h["snippet"].as_str().unwrap();
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(
        !snippet.contains("<script") && !snippet.contains("<img"),
        "{snippet}"
    );
    assert_eq!(h["title"], HOSTILE_TITLE, "JSON carries the title as text");

    // Article view and a correction round trip.
    let target = &fix.green[0];
    let path = format!("/api/articles/{}", target.id);
    let (status, v) = get(&path);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["article"]["title"], target.title);
    assert_eq!(v["article"]["published_at"], "2026-03-01T10:00:00+08:00");
    let theme = v["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "s4.i10")
        .expect("theme with hits");
    assert!(!theme["hits"].as_array().unwrap().is_empty());
    let before = v["sentiment"]["label"].as_str().unwrap().to_string();
    assert_eq!(v["sentiment"]["correction"], Value::Null);
    let new_label = if before == "negative" {
        "positive"
    } else {
        "negative"
    };
    let post = s
        .client
        .post(s.url(&format!("{path}/sentiment")))
        .header(COOKIE, &cookie)
        .json(&json!({ "label": new_label }));
    // Without the CSRF token: 403.
    let (status, v) = s.json(post.try_clone().unwrap());
    assert_eq!((status, error_code(&v)), (StatusCode::FORBIDDEN, "csrf"));
    let (status, _) = s.json(
        post.try_clone()
            .unwrap()
            .header("x-csrf-token", "0".repeat(64)),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A form post with the token in the field works too (checked below with the header).
    let (status, v) = s.json(post.header("x-csrf-token", &csrf));
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["label"].as_str(), v["user"].as_str()),
        (Some(new_label), Some("wang"))
    );
    let (_, v) = get(&path);
    assert_eq!(v["sentiment"]["label"], new_label);
    assert_eq!(v["sentiment"]["correction"]["user"], "wang");
    let stored = s
        .app
        .state()
        .store
        .sentiment_correction(&target.id)
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.label.as_str(), stored.user.as_str()),
        (new_label, "wang")
    );
    // Form body with the CSRF field.
    let (status, v) = s.json(
        s.client
            .post(s.url(&format!("{path}/sentiment")))
            .header(COOKIE, &cookie)
            .form(&[("label", "neutral"), ("csrf_token", csrf.as_str())]),
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        s.app
            .state()
            .store
            .sentiment_correction(&target.id)
            .unwrap()
            .unwrap()
            .label
            .as_str(),
        "neutral"
    );
    let (status, v) = s.json(
        s.client
            .post(s.url(&format!("{path}/sentiment")))
            .header(COOKIE, &cookie)
            .form(&[("label", "neutral"), ("csrf_token", "bad")]),
    );
    assert_eq!((status, error_code(&v)), (StatusCode::FORBIDDEN, "csrf"));
    // Bad label, unknown article.
    let (status, v) = s.json(
        s.client
            .post(s.url(&format!("{path}/sentiment")))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "label": "furious" })),
    );
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, v) = get("/api/articles/0000000000000000");
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, _) = get("/api/articles/..%2F..%2Fetc");
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Bearer token: no cookie, no CSRF needed.
    let token = new_token().unwrap();
    assert!(
        s.app
            .state()
            .store
            .add_api_token(&token_hash(&token), "test", "wang", Utc::now())
            .unwrap()
    );
    let bearer = format!("Bearer {token}");
    let (status, v) = s.json(
        s.client
            .get(s.url("/api/themes"))
            .header(AUTHORIZATION, &bearer),
    );
    assert_eq!(status, StatusCode::OK);
    assert!(
        v["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "s4.i10")
    );
    let (status, _) = s.json(
        s.client
            .post(s.url(&format!("/api/articles/{}/sentiment", fix.negative[0].id)))
            .header(AUTHORIZATION, &bearer)
            .json(&json!({ "label": "negative" })),
    );
    assert_eq!(status, StatusCode::OK);

    // Coverage: the green items counted in the fixture's day.
    let (status, v) = get("/api/coverage?from=2026-03-01&to=2026-03-01");
    assert_eq!(status, StatusCode::OK, "{v}");
    let s4 = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "s4")
        .unwrap();
    let item = s4["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "s4.i10")
        .unwrap();
    assert!(item["articles"].as_u64().unwrap() >= fix.green.len() as u64);
    assert_eq!(item["gap"], false);
    assert!(!v["gaps"].as_array().unwrap().contains(&json!("s4.i10")));
    let (status, _) = get("/api/coverage?from=2026-03-02&to=2026-03-01");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Report generate + list + download.
    let (status, v) = s.json(
        s.client
            .post(s.url("/api/reports"))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "kind": "daily", "date": "2026-03-01" })),
    );
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["articles"], json!(fix.all.len()));
    assert_eq!(v["files"].as_array().unwrap().len(), 4);
    // A past day is complete: its data runs to the period's end (midnight after, Beijing).
    assert_eq!(
        (
            &v["first_day"],
            &v["last_day"],
            &v["complete"],
            &v["data_until"]
        ),
        (
            &json!("2026-03-01"),
            &json!("2026-03-01"),
            &json!(true),
            &json!("2026-03-02T00:00:00+08:00")
        ),
        "{v}"
    );
    let (_, v) = get("/api/reports");
    let names: Vec<&str> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"daily-2026-03-01.html") && names.contains(&"daily-2026-03-01.docx"),
        "{names:?}"
    );
    let (status, headers, body) = s.send(
        s.client
            .get(s.url("/api/reports/daily-2026-03-01.md"))
            .header(COOKIE, &cookie),
    );
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let md = String::from_utf8(body).unwrap();
    assert!(
        md.starts_with("# ") && md.contains("舆情日报") && md.contains("2026年3月1日"),
        "{}",
        &md[..md.len().min(300)]
    );
    // The CLI's date rule (yuqing_report::report_period): a day after today in Beijing, a day
    // that does not exist or a malformed one is a 400 bad_date naming the date, through the
    // API (JSON and token) and through the reports page's form, and nothing is written.
    let reports_dir = s.data.path().join("reports");
    let files_now = || {
        let mut v: Vec<String> = std::fs::read_dir(&reports_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let before = files_now();
    let today = yuqing_report::beijing_day(chrono::Utc::now());
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let bad_dates = [
        (tomorrow.as_str(), "in the future"),
        ("2027-01-01", "in the future"),
        ("2099-12-31", "in the future"),
        ("2026-02-30", "no such day"),
        ("31.12.2025", "expected YYYY-MM-DD"),
    ];
    for (date, says) in bad_dates {
        for kind in ["daily", "weekly"] {
            for by_token in [false, true] {
                let req = s.client.post(s.url("/api/reports"));
                let req = if by_token {
                    req.header(AUTHORIZATION, &bearer)
                } else {
                    req.header(COOKIE, &cookie).header("x-csrf-token", &csrf)
                };
                let (status, v) = s.json(req.json(&json!({ "kind": kind, "date": date })));
                assert_eq!(status, StatusCode::BAD_REQUEST, "{kind} {date}: {v}");
                assert_eq!(error_code(&v), "bad_date", "{kind} {date}: {v}");
                let msg = v["error"]["message"].as_str().unwrap();
                assert!(msg.contains(date) && msg.contains(says), "{date}: {v}");
            }
            // The reports page's form: the page again, 400, with the Chinese message.
            let (status, _, body) = s.send(
                s.client
                    .post(s.url("/reports"))
                    .header(COOKIE, &cookie)
                    .form(&[("kind", kind), ("date", date), ("csrf_token", &csrf)]),
            );
            let page = String::from_utf8(body).unwrap();
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "form {kind} {date}: {page}"
            );
            let shown = page
                .split("id=\"report-error\">")
                .nth(1)
                .and_then(|r| r.split("</p>").next())
                .unwrap_or_else(|| panic!("form {kind} {date}: no error box: {page}"));
            assert!(shown.contains(&format!("日期“{date}”")), "{shown}");
            let zh = match says {
                "in the future" => "还没到",
                "no such day" => "不存在",
                _ => "不是 YYYY-MM-DD 格式",
            };
            assert!(
                shown.contains(zh) && shown.contains("未生成报告"),
                "{shown}"
            );
            assert!(
                page.contains("id=\"report-form\""),
                "the form is shown again"
            );
        }
    }
    // A kind that is not daily/weekly, or none at all: the page again with the message.
    for form in [
        vec![("kind", "monthly"), ("csrf_token", csrf.as_str())],
        vec![("date", "2026-03-01"), ("csrf_token", csrf.as_str())],
    ] {
        let (status, _, body) = s.send(
            s.client
                .post(s.url("/reports"))
                .header(COOKIE, &cookie)
                .form(&form),
        );
        let page = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}: {page}");
        let kind = form
            .iter()
            .find(|(k, _)| *k == "kind")
            .map_or("", |(_, v)| v);
        assert!(page.contains(&format!("未知的报告类型“{kind}”")), "{page}");
    }
    assert_eq!(files_now(), before, "a refused date wrote a file");
    // Today (Beijing) is allowed, through both paths; the report says it is unfinished.
    let day = today.to_string();
    let t0 = chrono::Utc::now();
    let (status, v) = s.json(
        s.client
            .post(s.url("/api/reports"))
            .header(AUTHORIZATION, &bearer)
            .json(&json!({ "kind": "daily", "date": day })),
    );
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        (&v["first_day"], &v["complete"]),
        (&json!(day), &json!(false)),
        "{v}"
    );
    let until = chrono::DateTime::parse_from_rfc3339(v["data_until"].as_str().unwrap()).unwrap();
    assert_eq!(until.offset().local_minus_utc(), 8 * 3600, "{v}");
    // Unfinished: the data runs to the generation time (seconds precision), not the day's end.
    let until = until.with_timezone(&chrono::Utc);
    assert!(
        until >= t0 - chrono::Duration::seconds(1) && until <= chrono::Utc::now(),
        "{v}"
    );
    let (status, headers, body) = s.send(
        s.client
            .post(s.url("/reports"))
            .header(COOKIE, &cookie)
            .form(&[
                ("kind", "weekly"),
                ("date", day.as_str()),
                ("csrf_token", &csrf),
            ]),
    );
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let monday = yuqing_report::Period::weekly(today).first_day.to_string();
    assert_eq!(
        headers[LOCATION].to_str().unwrap(),
        format!("/reports?made=weekly-{monday}")
    );
    let after = files_now();
    for name in [format!("daily-{day}.md"), format!("weekly-{monday}.xlsx")] {
        assert!(after.contains(&name), "{name}: {after:?}");
    }
    assert_eq!(after.len(), before.len() + 8, "{after:?}");
    // No date (absent or blank): the last period that has ended in Beijing, the CLI's rule
    // (yuqing_report::report_period): yesterday for a daily report, the most recent
    // Monday–Sunday week that has ended for a weekly one (not the running week). The
    // expected period is computed from the Beijing day before and after the request, either
    // accepted (the request may cross midnight).
    let expected = |weekly: bool, today: chrono::NaiveDate| {
        use chrono::Datelike;
        if weekly {
            // Back to the last Sunday before today, then its Monday.
            let sunday = today
                - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()) + 1);
            (sunday - chrono::Duration::days(6), sunday)
        } else {
            let yesterday = today - chrono::Duration::days(1);
            (yesterday, yesterday)
        }
    };
    let bodies = [
        json!({ "kind": "daily" }),
        json!({ "kind": "weekly" }),
        json!({ "kind": "weekly", "date": "" }),
        json!({ "kind": "daily", "date": "  " }),
    ];
    for body in bodies {
        let weekly = body["kind"] == "weekly";
        let t_before = yuqing_report::beijing_day(chrono::Utc::now());
        let (status, v) = s.json(
            s.client
                .post(s.url("/api/reports"))
                .header(COOKIE, &cookie)
                .header("x-csrf-token", &csrf)
                .json(&body),
        );
        let t_after = yuqing_report::beijing_day(chrono::Utc::now());
        assert_eq!(status, StatusCode::CREATED, "{body}: {v}");
        let got = (
            v["first_day"].as_str().unwrap().to_string(),
            v["last_day"].as_str().unwrap().to_string(),
        );
        let accepted: Vec<(String, String)> = [t_before, t_after]
            .into_iter()
            .map(|t| expected(weekly, t))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert!(
            accepted.contains(&got),
            "{body}: {got:?} not in {accepted:?}: {v}"
        );
        // The period has ended: the report is complete and says nothing is pending.
        assert_eq!(v["complete"], json!(true), "{body}: {v}");
        let kind = if weekly { "weekly" } else { "daily" };
        assert_eq!(v["kind"], json!(kind), "{body}: {v}");
        if weekly {
            let first = chrono::NaiveDate::parse_from_str(&got.0, "%Y-%m-%d").unwrap();
            let last = chrono::NaiveDate::parse_from_str(&got.1, "%Y-%m-%d").unwrap();
            use chrono::Datelike;
            assert_eq!(
                (first.weekday(), last.weekday(), (last - first).num_days()),
                (chrono::Weekday::Mon, chrono::Weekday::Sun, 6),
                "{v}"
            );
            // The running week (containing today) is not the default.
            assert!(last < t_before, "{v}");
        }
        let md = std::fs::read_to_string(reports_dir.join(format!("{kind}-{}.md", got.0))).unwrap();
        assert!(
            !md.contains("本期尚未结束"),
            "{body}: an ended period marked unfinished"
        );
    }
    // The reports page's form with an empty date: the same rule (weekly: the last ended week).
    let t_before = yuqing_report::beijing_day(chrono::Utc::now());
    let (status, headers, body) = s.send(
        s.client
            .post(s.url("/reports"))
            .header(COOKIE, &cookie)
            .form(&[("kind", "weekly"), ("date", ""), ("csrf_token", &csrf)]),
    );
    let t_after = yuqing_report::beijing_day(chrono::Utc::now());
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let location = headers[LOCATION].to_str().unwrap().to_string();
    let accepted: Vec<String> = [t_before, t_after]
        .into_iter()
        .map(|t| format!("/reports?made=weekly-{}", expected(true, t).0))
        .collect();
    assert!(accepted.contains(&location), "{location}: {accepted:?}");
    // The form: the date box empty and optional, with the hint naming the rule and the
    // periods it means now (the same days as the API's default above).
    let (status, _, body) = s.send(s.client.get(s.url("/reports")).header(COOKIE, &cookie));
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    let input = page
        .split("<input type=\"date\"")
        .nth(1)
        .and_then(|r| r.split('>').next())
        .unwrap_or_else(|| panic!("no date box: {page}"));
    assert!(input.contains("name=\"date\""), "{input}");
    assert!(
        !input.contains("required"),
        "the date box is required: {input}"
    );
    assert!(
        input.contains("value=\"\""),
        "the date box is pre-filled: {input}"
    );
    let hint = page
        .split("id=\"report-date-hint\">")
        .nth(1)
        .and_then(|r| r.split("</p>").next())
        .unwrap_or_else(|| panic!("no hint: {page}"));
    assert!(
        hint.contains("留空：日报为昨天，周报为上一个完整周（周一至周日）"),
        "{hint}"
    );
    let (t_before, t_after) = (t_after, yuqing_report::beijing_day(chrono::Utc::now()));
    assert!(
        [t_before, t_after].into_iter().any(|t| {
            let (d, _) = expected(false, t);
            let (m, su) = expected(true, t);
            hint.contains(&format!("日报 {d}，周报 {m} 至 {su}"))
        }),
        "{hint}"
    );

    // Path traversal and other names: 404, never the file.
    std::fs::write(s.data.path().join("secret.txt"), "secret").unwrap();
    for bad in [
        "..%2Fsecret.txt",
        "..%2Fyuqing.sqlite3",
        "%2e%2e%2fsecret.txt",
        "daily-2026-03-01.md%00",
        ".daily-2026-03-01.md.tmp",
    ] {
        let (status, headers, body) = s.send(
            s.client
                .get(s.url(&format!("/api/reports/{bad}")))
                .header(COOKIE, &cookie),
        );
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(headers.get("content-disposition").is_none());
        assert!(
            !String::from_utf8_lossy(&body).contains("secret\""),
            "{bad}"
        );
    }

    // Logout ends the session.
    let (status, _, _) = s.send(
        s.client
            .post(s.url("/logout"))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf),
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = get("/api/themes");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn unknown_paths_are_an_html_page_outside_the_api_and_json_inside() {
    let fix = fixture();
    let s = start(&fix, 5);
    let (cookie, _) = s.login();
    for with_login in [false, true] {
        let req = s.client.get(s.url("/nonexistent?x=1"));
        let req = if with_login {
            req.header(COOKIE, &cookie)
        } else {
            req
        };
        let (status, headers, body) = s.send(req);
        let page = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{headers:?}"
        );
        assert!(
            page.contains("<h1>页面不存在</h1>")
                // minijinja escapes `/` as `&#x2f;`
                && page.contains("没有找到页面 &#x2f;nonexistent，")
                && page.contains("href=\"/search\""),
            "{page}"
        );
        // The site's layout; the navigation only for a logged-in user.
        assert!(page.contains("/static/app.css"), "{page}");
        assert_eq!(
            page.contains("id=\"current-user\">wang<"),
            with_login,
            "{page}"
        );
        assert_eq!(headers["x-frame-options"], "DENY");
    }
    // A hostile path is escaped, never markup.
    let (status, _, body) = s.send(s.client.get(s.url("/%3Cscript%3Ealert(1)%3C/script%3E")));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&body).contains("<script>alert"));
    for path in ["/api/nonexistent", "/api", "/api/reports/x/y"] {
        for with_login in [false, true] {
            let req = s.client.get(s.url(path));
            let req = if with_login {
                req.header(COOKIE, &cookie)
            } else {
                req
            };
            let (status, v) = s.json(req);
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {v}");
            assert_eq!(error_code(&v), "not_found", "{path}: {v}");
            assert!(
                v["error"]["message"].as_str().unwrap().contains(path),
                "{v}"
            );
        }
    }
}

#[test]
fn openapi_lists_every_route() {
    let fix = fixture();
    let s = start(&fix, 5);
    let (status, doc) = s.json(s.client.get(s.url("/api/openapi.json")));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for route in yuqing_web::API_ROUTES {
        assert!(
            paths.contains_key(route),
            "{route} missing from the OpenAPI document"
        );
    }
    let post = &doc["paths"]["/api/reports"]["post"]["responses"];
    let written = &post["201"]["content"]["application/json"]["schema"]["properties"];
    assert_eq!(written["complete"]["type"], "boolean", "{post}");
    assert_eq!(written["data_until"]["format"], "date-time", "{post}");
    assert!(
        post["400"]["description"]
            .as_str()
            .unwrap()
            .contains("bad_date"),
        "{post}"
    );
    // And every documented path is routed (not the fallback).
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", "0000000000000000")
            .replace("{file}", "daily-2026-03-01.md");
        for method in item.as_object().unwrap().keys() {
            let req = match method.as_str() {
                "get" => s.client.get(s.url(&concrete)),
                "post" => s.client.post(s.url(&concrete)),
                other => panic!("unexpected method {other}"),
            };
            let (_, _, body) = s.send(req);
            assert!(
                !String::from_utf8_lossy(&body).contains("route "),
                "{method} {path} is not routed"
            );
        }
    }
}

#[test]
fn search_page_limits_messages_and_corrected_sentiment() {
    let fix = fixture();
    let s = start(&fix, 5);
    let (cookie, csrf) = s.login();
    let get = |path: &str| s.json(s.client.get(s.url(path)).header(COOKIE, &cookie));
    let page = |path: &str| {
        let (status, _, body) = s.send(s.client.get(s.url(path)).header(COOKIE, &cookie));
        (status, String::from_utf8(body).unwrap())
    };
    let (_, all) = get("/api/search?q=快递&limit=100");
    let total = all["total"].as_u64().unwrap();
    assert!(total > 0 && total <= 20, "{all}");

    // 1. A page past the last: the page says so and links to page 1, never "第 9981–9980 条".
    let (status, html) = page("/search?q=快递&page=999999");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(
            "<p class=\"error-box\" id=\"page-beyond\">没有第 999999 页，共 1 页。<a href=\"&#x2f;search?q=%E5%BF%AB%E9%80%92\" id=\"page-beyond-first\">回到第 1 页</a></p>"
        ),
        "{html}"
    );
    assert!(
        html.contains(&format!("共 <strong>{total}</strong> 篇</div>")),
        "no range shown: {html}"
    );
    assert!(
        !html.contains("9981") && !html.contains("class=\"hit\""),
        "{html}"
    );
    assert!(!html.contains("id=\"no-hits\""), "{html}");
    // The API: an empty page with the real total (200); too deep is a 400.
    let (status, v) = get("/api/search?q=快递&page=5");
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["total"], &v["pages"], &v["page"], &v["hits"]),
        (&json!(total), &json!(1), &json!(5), &json!([]))
    );
    let (status, v) = get("/api/search?q=快递&page=999999");
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );

    // 2. A 20,000-character query: 400 query_too_long in the API; on the page a Chinese
    // message, no search, and the query is not copied into the links.
    // (ASCII: the http crate refuses URIs over 64 KiB, i.e. 7,000 percent-encoded 汉字.)
    let long = "a".repeat(20_000);
    let (status, v) = get(&format!("/api/search?q={long}"));
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "query_too_long"),
        "{v}"
    );
    assert_eq!(
        v["error"]["message"],
        "q: the query is 20000 characters long; at most 500 are accepted"
    );
    let at_limit = "快".repeat(yuqing_web::MAX_QUERY_CHARS);
    let long_start = "a".repeat(yuqing_web::MAX_QUERY_CHARS);
    let (status, v) = get(&format!("/api/search?q={at_limit}"));
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, html) = page(&format!("/search?q={long}"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains(
            "<span id=\"search-error-message\">检索词太长（20000 个字），最多 500 个字，请缩短后再检索。</span>"
        ),
        "{}",
        &html[..html.len().min(3000)]
    );
    assert!(html.len() < 60_000, "page of {} bytes", html.len());
    assert!(
        html.contains(&format!("value=\"{long_start}\"")),
        "the box keeps 500"
    );
    assert!(
        !html.contains(&format!("{long_start}a")),
        "more than 500 shown"
    );
    assert!(html.contains("共 <strong>0</strong> 篇"));
    assert!(!html.contains("q=aaaa"), "the query is in a link");

    // 3. A query the parser rejects: Chinese first, the parser's text after it, smaller.
    let (status, html) = page("/search?q=%22%E5%BF%AB%E9%80%92");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let shown = html
        .split("id=\"search-error\">")
        .nth(1)
        .and_then(|r| r.split("</div>").next())
        .unwrap_or_else(|| panic!("no error box: {html}"));
    assert!(
        shown.starts_with("<span id=\"search-error-message\">查询语法有误：引号没有成对</span><br><small class=\"muted\" id=\"search-error-detail\">missing delimiter"),
        "{shown}"
    );
    // The API keeps the parser's English message.
    let (status, v) = get("/api/search?q=%22%E5%BF%AB%E9%80%92");
    assert_eq!(
        (status, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_query")
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("missing delimiter"),
        "{v}"
    );

    // 4. Bad filters: the page answers 400 with a Chinese message naming the parameter and
    // its value, runs no search (no hits, no counts), keeps the other fields in the form and
    // the links, and leaves the refused value out of them; the API refuses the same ones.
    let error_of = |html: &str| -> String {
        html.split("<span id=\"search-error-message\">")
            .nth(1)
            .and_then(|r| r.split("</span>").next())
            .unwrap_or_else(|| panic!("no error message: {html}"))
            .to_string()
    };
    // (path, the bad parameter as links would carry it, message, API: Some(400 code) or None
    // for a 200 with no hits)
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        (
            "/search?q=快递&theme=s99&collapse=1",
            "theme=s99",
            "未知专题 s99，请在左侧专题树中选择",
            Some("unknown_theme"),
        ),
        (
            "/search?q=快递&sentiment=meh&collapse=1",
            "sentiment=meh",
            "倾向性参数 meh 无效（可选：正面&#x2f;中性&#x2f;负面）",
            Some("bad_request"),
        ),
        (
            "/search?q=快递&tier=national&collapse=1",
            "tier=national",
            "媒体层级参数 national 无效（可选：央媒 central&#x2f;省级 provincial&#x2f;行业 industry&#x2f;商业 commercial&#x2f;自媒体 self-media）",
            Some("bad_request"),
        ),
        (
            "/search?q=快递&source=nosuchsource&collapse=1",
            "source=nosuchsource",
            "未知信源 nosuchsource（配置和已收录的文章中都没有这个信源）",
            Some("unknown_source"),
        ),
        (
            "/search?q=快递&from=2026-12-01&to=2026-11-01&collapse=1",
            "from=2026-12-01",
            "起始日期 2026-12-01 晚于结束日期 2026-11-01",
            Some("bad_request"),
        ),
        (
            "/search?q=快递&from=2026%2F11%2F01&collapse=1",
            "from=2026%2F11%2F01",
            "起始日期 2026&#x2f;11&#x2f;01 格式有误，应为 YYYY-MM-DD（如 2026-11-01）",
            Some("bad_request"),
        ),
        (
            "/search?q=快递&to=2026-02-30&collapse=1",
            "to=2026-02-30",
            "结束日期 2026-02-30 不存在（没有这一天）",
            Some("bad_request"),
        ),
    ];
    for (path, bad, message, api) in cases {
        let (status, html) = page(path);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(&error_of(&html), message, "{path}");
        assert!(html.contains("共 <strong>0</strong> 组"), "{path}: {html}");
        assert!(!html.contains("class=\"hit\""), "{path}: no search: {html}");
        assert!(
            !html.contains("<span class=\"count\">1"),
            "{path}: no counts: {html}"
        );
        // The other fields are kept: the query, the collapse box, the export link; the bad
        // value is in no link and no hidden field.
        assert!(html.contains("value=\"快递\""), "{path}: {html}");
        assert!(
            html.contains("value=\"1\" data-autosubmit checked"),
            "{path}"
        );
        assert!(
            html.contains(
                "href=\"&#x2f;search&#x2f;export.xlsx?q=%E5%BF%AB%E9%80%92&amp;collapse=1\""
            ),
            "{path}: {html}"
        );
        assert!(!html.contains(bad), "{path}: {bad} in a link: {html}");
        for field in ["theme", "sentiment", "tier", "source"] {
            let hidden = format!("<input type=\"hidden\" name=\"{field}\"");
            assert!(!html.contains(&hidden), "{path}: {html}");
        }
        let api_path = path.replacen("/search?", "/api/search?", 1);
        let (status, v) = get(&api_path);
        match api {
            Some(code) => assert_eq!(
                (status, error_code(&v)),
                (StatusCode::BAD_REQUEST, *code),
                "{api_path}: {v}"
            ),
            None => assert_eq!(
                (status, &v["total"]),
                (StatusCode::OK, &json!(0)),
                "{api_path}: {v}"
            ),
        }
    }
    // Dates stay in their boxes to be corrected.
    let (_, html) = page("/search?q=快递&from=2026-12-01&to=2026-11-01");
    assert!(
        html.contains("name=\"from\" value=\"2026-12-01\"")
            && html.contains("name=\"to\" value=\"2026-11-01\""),
        "{html}"
    );
    // Several bad parameters: every message, in the form's order; the good filter is kept in
    // the hidden field and the links.
    let (status, html) = page("/search?tier=central&sentiment=meh&theme=s99");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&html),
        "未知专题 s99，请在左侧专题树中选择；倾向性参数 meh 无效（可选：正面&#x2f;中性&#x2f;负面）"
    );
    assert!(html.contains("<input type=\"hidden\" name=\"tier\" value=\"central\">"));
    assert!(!html.contains("name=\"theme\"") && !html.contains("name=\"sentiment\""));
    assert!(
        html.contains("href=\"&#x2f;search&#x2f;export.xlsx?tier=central\""),
        "{html}"
    );
    // The export refuses them too (400, the same message), and a source the config does
    // not know but the index holds articles of is a good filter on both.
    let (status, _, body) = s.send(
        s.client
            .get(s.url("/search/export.xlsx?sentiment=meh"))
            .header(COOKIE, &cookie),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&body).contains("倾向性参数 meh 无效"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (_, v) = get("/api/search?source=src-1");
    let src1 = v["total"].as_u64().unwrap();
    assert!(src1 > 0, "{v}");
    let (status, html) = page("/search?source=src-1");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("共 <strong>{src1}</strong> 篇")),
        "{html}"
    );
    assert!(!html.contains("search-error"), "{html}");

    // 5. A corrected article: the corrected label in force, the model's label and score
    // beside it (API field `model`, the page's note), the model's evidence kept.
    let target = &fix.negative[0];
    let path = format!("/api/articles/{}", target.id);
    let (_, before) = get(&path);
    assert_eq!(before["sentiment"]["label"], "negative", "{before}");
    let model_score = before["sentiment"]["score"].as_f64().unwrap();
    assert!(model_score < 0.0, "{before}");
    assert_eq!(
        before["sentiment"]["model"],
        json!({ "label": "negative", "score": before["sentiment"]["score"] })
    );
    let (status, _) = s.json(
        s.client
            .post(s.url(&format!("{path}/sentiment")))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "label": "neutral" })),
    );
    assert_eq!(status, StatusCode::OK);
    let (_, after) = get(&path);
    let se = &after["sentiment"];
    assert_eq!(
        (&se["label"], &se["score"]),
        (&json!("neutral"), &json!(0.0))
    );
    assert_eq!(
        se["model"],
        json!({ "label": "negative", "score": before["sentiment"]["score"] })
    );
    assert_eq!(se["evidence"], before["sentiment"]["evidence"]);
    assert_eq!(se["correction"]["label"], "neutral");
    let (status, html) = page(&format!("/articles/{}", target.id));
    assert_eq!(status, StatusCode::OK);
    let score = format!("{model_score:+.2}").replace('-', "\u{2212}");
    assert!(
        html.contains(&format!(
            "分析员更正为 <strong>中性</strong>（模型：<span id=\"model-sentiment\">负面，{score}</span>）"
        )),
        "{html}"
    );
    assert!(!html.contains("得分 +0.00"), "{html}");
    assert!(html.contains("id=\"sentiment-label\">中性<"), "{html}");

    // The pipeline then writes the correction into the index (as `serve` does every minute):
    // the index holds the corrected label, and the model's verdict still comes from the store.
    let shipped = yuqing_testkit::repo_config_dir().join("yuqing.toml");
    let config = yuqing_testkit::config_with_data_dir(&shipped, s.data.path());
    let applied = Pipeline::open(config).unwrap().apply_corrections().unwrap();
    assert!(applied >= 1, "{applied}");
    let id = target.id.as_str();
    let indexed_neutral = || {
        let (_, v) = get("/api/search?q=*&sentiment=neutral&limit=100");
        v["hits"].as_array().unwrap().iter().any(|h| h["id"] == id)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !indexed_neutral() {
        assert!(
            std::time::Instant::now() < deadline,
            "the index never showed the correction"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let (_, reindexed) = get(&path);
    assert_eq!(
        reindexed["sentiment"]["model"],
        json!({ "label": "negative", "score": before["sentiment"]["score"] }),
        "{reindexed}"
    );
}

#[test]
fn dashboard_counts_an_undated_article_on_its_fetch_day_in_both_numbers() {
    // The fixture plus one green-packaging article without a publish date, fetched on
    // 2026-03-05 10:00 Beijing time (the dated green ones are published on 2026-03-01).
    let mut fix = fixture();
    let fetched = Utc.with_ymd_and_hms(2026, 3, 5, 2, 0, 0).unwrap();
    let undated = Article {
        published_at: None,
        date_source: yuqing_model::DateSource::None,
        ..yuqing_testkit::article(
            "https://test.example.cn/undated-green.html",
            "快递包装绿色治理再推进",
            "市邮政管理局部署快递包装绿色治理，推广可循环快递箱和电子运单，绿色包装应用比例继续提高，减少过度包装。",
            fetched,
        )
    };
    fix.all.push(undated.clone());
    let s = start(&fix, 5);
    let (cookie, _) = s.login();
    let get = |path: &str| s.json(s.client.get(s.url(path)).header(COOKIE, &cookie));
    let page = |path: &str| {
        let (status, _, body) = s.send(s.client.get(s.url(path)).header(COOKIE, &cookie));
        assert_eq!(status, StatusCode::OK, "{path}");
        String::from_utf8(body).unwrap()
    };
    let total = |from: &str, to: &str| -> u64 {
        let (status, v) = get(&format!(
            "/api/search?theme=s4.i10&from={from}&to={to}&limit=1"
        ));
        assert_eq!(status, StatusCode::OK, "{v}");
        v["total"].as_u64().unwrap()
    };
    // The undated article is in the item (the search counts it at its fetch time).
    let (_, v) = get("/api/search?theme=s4.i10&from=2026-03-05&to=2026-03-05");
    assert_eq!(v["hits"][0]["id"], undated.id.as_str(), "{v}");
    assert_eq!(v["hits"][0]["published_at"], Value::Null, "{v}");
    let on_first_day = total("2026-03-01", "2026-03-01");
    assert!(
        on_first_day >= 2,
        "dated green articles on 03-01: {on_first_day}"
    );

    // (period, 报道量 as the search counts it, the row's sparkline caption)
    let row = |from: &str, to: &str| -> (u64, String) {
        let html = page(&format!("/dashboard?from={from}&to={to}"));
        let tr = html
            .split("data-theme=\"s4.i10\">")
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("no s4.i10 row: {html}"));
        let articles = tr
            .split("<td class=\"num\">")
            .nth(1)
            .and_then(|r| r.split("</td>").next())
            .unwrap()
            .parse()
            .unwrap();
        let title = tr
            .split("<title>")
            .nth(1)
            .and_then(|r| r.split("</title>").next())
            .unwrap_or_else(|| panic!("no caption: {tr}"))
            .to_string();
        (articles, title)
    };
    // A period with the undated article: the total and the line both count it, on its
    // fetch day, and the caption says so.
    let all = total("2026-03-01", "2026-03-05");
    assert_eq!(all, on_first_day + 1);
    assert_eq!(
        row("2026-03-01", "2026-03-05"),
        (
            all,
            format!(
                "共 {all} 篇，单日最多 {on_first_day} 篇（5 天；含 1 篇无发布日期，按抓取日计入）"
            )
        )
    );
    assert_eq!(
        row("2026-03-05", "2026-03-05"),
        (
            1,
            "共 1 篇，单日最多 1 篇（1 天；含 1 篇无发布日期，按抓取日计入）".to_string()
        )
    );
    // Without it: the publish-day counts, no note.
    assert_eq!(
        row("2026-03-01", "2026-03-04"),
        (
            on_first_day,
            format!("共 {on_first_day} 篇，单日最多 {on_first_day} 篇（4 天）")
        )
    );
}
