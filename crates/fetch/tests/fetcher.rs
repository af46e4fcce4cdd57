//! The fetcher against a real HTTP server on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::{Resp, serve, settings};
use yuqing_fetch::{CharsetSource, FetchError, FetchOutcome, Fetched, Fetcher};
use yuqing_model::Validators;

const GZIP_BODY: [u8; 44] = [
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x01, 0x15, 0x00, 0xea, 0xff, 0xe5,
    0x8e, 0x8b, 0xe7, 0xbc, 0xa9, 0xe7, 0x9a, 0x84, 0xe5, 0xbf, 0xab, 0xe9, 0x80, 0x92, 0xe6, 0x96,
    0xb0, 0xe9, 0x97, 0xbb, 0xbe, 0x94, 0x33, 0x80, 0x15, 0x00, 0x00, 0x00,
];

fn fetched(outcome: FetchOutcome) -> Fetched {
    match outcome {
        FetchOutcome::Fetched(f) => f,
        other => panic!("expected a body, got {other:?}"),
    }
}

#[test]
fn fetcher_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<Fetcher>();
}

#[tokio::test]
async fn plain_gzip_and_charset() {
    let server = serve(|req, _| match req.path.as_str() {
        "/gbk" => Resp::new(200, b"<p>\xbf\xec\xb5\xdd</p>".to_vec())
            .header("Content-Type", "text/html; charset=GBK"),
        "/gz" => Resp::new(200, GZIP_BODY.to_vec())
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/plain"),
        _ => Resp::new(404, ""),
    })
    .await;
    let fetcher = Fetcher::new(&settings()).unwrap();
    let f = fetched(
        fetcher
            .fetch(&server.url("/gbk"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(f.status, 200);
    assert_eq!(f.url, server.url("/gbk"));
    assert_eq!(f.final_url, server.url("/gbk"));
    assert_eq!(f.content_type.as_deref(), Some("text/html; charset=GBK"));
    assert_eq!(&f.body[..], b"<p>\xbf\xec\xb5\xdd</p>");
    let d = f.decode();
    assert_eq!(
        (d.text.as_str(), d.charset_source),
        ("<p>快递</p>", CharsetSource::HttpHeader)
    );
    assert!(f.validators.is_empty());

    let f = fetched(
        fetcher
            .fetch(&server.url("/gz"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(f.decode().text, "压缩的快递新闻");
    let req = &server.requests("/gz")[0];
    assert_eq!(req.headers["user-agent"], settings().user_agent);
    let accept = &req.headers["accept-encoding"];
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
    assert!(!req.headers.contains_key("if-none-match"));
}

#[tokio::test]
async fn redirects_followed_and_loops_stopped() {
    let server = serve(|req, _| match req.path.as_str() {
        "/r1" => Resp::new(301, "").header("Location", "/r2"),
        "/r2" => Resp::new(302, "").header("Location", "/final?x=1"),
        "/final?x=1" => Resp::new(200, "done"),
        "/loop" => Resp::new(302, "").header("Location", "/loop"),
        _ => Resp::new(404, ""),
    })
    .await;
    let fetcher = Fetcher::new(&settings()).unwrap();
    let f = fetched(
        fetcher
            .fetch(&server.url("/r1"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(f.url, server.url("/r1"));
    assert_eq!(f.final_url, server.url("/final?x=1"));
    assert_eq!(&f.body[..], b"done");

    let err = fetcher
        .fetch(&server.url("/loop"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::TooManyRedirects { url } if *url == server.url("/loop")),
        "{err:?}"
    );
    // The first request plus max_redirects (3) followed hops.
    assert_eq!(server.count("/loop"), 4);
}

#[tokio::test]
async fn robots_disallowed_path_is_never_requested() {
    let server = serve(|req, _| match req.path.as_str() {
        "/robots.txt" => Resp::new(
            200,
            "User-agent: *\nDisallow: /\n\nUser-agent: YuqingTest\nDisallow: /private\n",
        ),
        "/to-private" => Resp::new(302, "").header("Location", "/private/b"),
        _ => Resp::new(200, "ok"),
    })
    .await;
    let mut s = settings();
    s.respect_robots = true;
    let fetcher = Fetcher::new(&s).unwrap();
    let err = fetcher
        .fetch(&server.url("/private/a"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::RobotsDisallowed { url } if *url == server.url("/private/a"))
    );
    fetched(
        fetcher
            .fetch(&server.url("/public"), &Validators::default())
            .await
            .unwrap(),
    );
    fetched(
        fetcher
            .clone()
            .fetch(&server.url("/other"), &Validators::default())
            .await
            .unwrap(),
    );
    // A redirect into the disallowed area is stopped before the hop is requested.
    let err = fetcher
        .fetch(&server.url("/to-private"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::RobotsDisallowed { url } if *url == server.url("/private/b"))
    );
    assert_eq!(server.count("/robots.txt"), 1);
    assert!(
        server.paths().iter().all(|p| !p.starts_with("/private")),
        "{:?}",
        server.paths()
    );

    // respect_robots = false skips robots.txt entirely.
    let fetcher = Fetcher::new(&settings()).unwrap();
    fetched(
        fetcher
            .fetch(&server.url("/private/a"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(server.count("/robots.txt"), 1);
    assert_eq!(server.count("/private/a"), 1);
}

#[tokio::test]
async fn robots_4xx_allows_and_5xx_disallows() {
    let missing = serve(|req, _| match req.path.as_str() {
        "/robots.txt" => Resp::new(404, ""),
        _ => Resp::new(200, "ok"),
    })
    .await;
    let broken = serve(|req, _| match req.path.as_str() {
        "/robots.txt" => Resp::new(503, ""),
        _ => Resp::new(200, "ok"),
    })
    .await;
    let mut s = settings();
    s.respect_robots = true;
    s.retries = 1;
    let fetcher = Fetcher::new(&s).unwrap();
    fetched(
        fetcher
            .fetch(&missing.url("/a"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(missing.paths(), ["/robots.txt", "/a"]);
    let err = fetcher
        .fetch(&broken.url("/a"), &Validators::default())
        .await
        .unwrap_err();
    // Reported as what it is (robots.txt could not be read), not as a robots.txt rule.
    assert!(
        matches!(&err, FetchError::RobotsUnavailable { url, robots_url, reason, .. }
            if url.ends_with("/a") && robots_url.ends_with("/robots.txt") && reason.contains("503")),
        "{err:?}"
    );
    // The host answered (503): reached, so not "unreachable".
    assert!(!err.is_unreachable(), "{err:?}");
    // robots.txt was retried once on 503; the page was never asked for.
    assert_eq!(broken.paths(), ["/robots.txt", "/robots.txt"]);
}

#[tokio::test]
async fn retries_on_5xx_but_not_4xx() {
    let server = serve(|req, seen| match req.path.as_str() {
        "/flaky" if seen == 0 => Resp::new(500, "oops"),
        "/flaky" => Resp::new(200, "fine"),
        "/down" => Resp::new(502, ""),
        _ => Resp::new(404, ""),
    })
    .await;
    let mut s = settings();
    s.backoff_ms = 50;
    let fetcher = Fetcher::new(&s).unwrap();
    let f = fetched(
        fetcher
            .fetch(&server.url("/flaky"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(&f.body[..], b"fine");
    assert_eq!(server.count("/flaky"), 2);

    let err = fetcher
        .fetch(&server.url("/missing"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(server.count("/missing"), 1);

    let start = Instant::now();
    let err = fetcher
        .fetch(&server.url("/down"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(server.count("/down"), 3); // 1 + retries (2)
    // Backoff 50 ms then 100 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn conditional_get_updates_changed_validators_only() {
    let server = serve(|req, _| {
        let inm = req.headers.get("if-none-match").map(String::as_str);
        let ims = req.headers.get("if-modified-since").map(String::as_str);
        match req.path.as_str() {
            // Unchanged: 304 carrying a new ETag but no Last-Modified.
            "/etag" if inm == Some("\"v1\"") => Resp::new(304, "").header("ETag", "\"v2\""),
            // Changed: 200 with a new Last-Modified only.
            "/lm" if ims == Some("Mon, 02 Jan 2006 15:04:05 GMT") => {
                Resp::new(200, "new").header("Last-Modified", "Tue, 03 Jan 2006 15:04:05 GMT")
            }
            _ => Resp::new(200, "unconditional"),
        }
    })
    .await;
    let fetcher = Fetcher::new(&settings()).unwrap();
    let old = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Mon, 02 Jan 2006 15:04:05 GMT".into()),
    };
    match fetcher.fetch(&server.url("/etag"), &old).await.unwrap() {
        FetchOutcome::NotModified {
            final_url,
            validators,
        } => {
            assert_eq!(final_url, server.url("/etag"));
            assert_eq!(validators.etag.as_deref(), Some("\"v2\""));
            assert_eq!(validators.last_modified, old.last_modified);
        }
        other => panic!("expected 304, got {other:?}"),
    }
    let f = fetched(fetcher.fetch(&server.url("/lm"), &old).await.unwrap());
    assert_eq!(&f.body[..], b"new");
    assert_eq!(f.validators.etag, old.etag);
    assert_eq!(
        f.validators.last_modified.as_deref(),
        Some("Tue, 03 Jan 2006 15:04:05 GMT")
    );
    let req = &server.requests("/lm")[0];
    assert_eq!(req.headers["if-none-match"], "\"v1\"");
}

#[tokio::test]
async fn slow_endpoint_times_out() {
    let server = serve(|_, _| Resp::new(200, "late").delay_ms(800)).await;
    let mut s = settings();
    s.timeout_ms = 150;
    s.retries = 1;
    let fetcher = Fetcher::new(&s).unwrap();
    let start = Instant::now();
    let err = fetcher
        .fetch(&server.url("/slow"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::Timeout { url } if *url == server.url("/slow")),
        "{err:?}"
    );
    assert_eq!(server.count("/slow"), 2); // timeouts are retried
    assert!(
        start.elapsed() < Duration::from_millis(700),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn per_host_rate_limit_spaces_requests_and_counts_robots() {
    let server = serve(|_, _| Resp::new(200, "ok")).await;
    let mut s = settings();
    s.per_host_rps = 10;
    s.respect_robots = true; // robots.txt is the 200 "ok" page: no rules, all allowed
    let fetcher = Fetcher::new(&s).unwrap();
    let start = Instant::now();
    for i in 0..3 {
        fetched(
            fetcher
                .fetch(&server.url(&format!("/p{i}")), &Validators::default())
                .await
                .unwrap(),
        );
    }
    // robots.txt + 3 pages = 4 requests, 100 ms apart.
    assert_eq!(server.paths().len(), 4);
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn global_concurrency_is_capped() {
    let server = serve(|_, _| Resp::new(200, "ok").delay_ms(150)).await;
    let mut s = settings();
    s.concurrency = 2;
    let fetcher = Fetcher::new(&s).unwrap();
    let start = Instant::now();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let fetcher = fetcher.clone();
            let url = server.url(&format!("/c{i}"));
            tokio::spawn(async move { fetcher.fetch(&url, &Validators::default()).await })
        })
        .collect();
    for t in tasks {
        fetched(t.await.unwrap().unwrap());
    }
    assert_eq!(
        server
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
    assert!(
        start.elapsed() >= Duration::from_millis(440),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn bad_urls_and_refused_connections() {
    let fetcher = Fetcher::new(&settings()).unwrap();
    for url in [
        "ftp://127.0.0.1/x",
        "not a url",
        "http://",
        "mailto:news@example.cn",
    ] {
        let err = fetcher
            .fetch(url, &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, FetchError::InvalidUrl { url: u, .. } if u == url),
            "{err:?}"
        );
    }
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let err = fetcher
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::Network { url: u, .. } if *u == url),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("network error fetching http://127.0.0.1:")
    );
    // Nothing listens there: the host was never reached.
    assert!(err.is_unreachable(), "{err:?}");
}

#[tokio::test]
async fn declared_oversize_body_is_refused() {
    let server = serve(|_, _| Resp::new(200, vec![b'x'; 4096])).await;
    let mut s = settings();
    s.max_body_bytes = 4095;
    let fetcher = Fetcher::new(&s).unwrap();
    let err = fetcher
        .fetch(&server.url("/big"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 4095, .. }),
        "{err:?}"
    );
    s.max_body_bytes = 4096;
    let fetcher = Fetcher::new(&s).unwrap();
    let f = fetched(
        fetcher
            .fetch(&server.url("/big"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(f.body.len(), 4096);
}
