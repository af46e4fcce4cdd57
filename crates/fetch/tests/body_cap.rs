//! A 50 MB body with no Content-Length is cut off at the cap without being buffered.
//! Alone in its own test binary so the process memory figures are this test's.

mod common;

use std::sync::atomic::Ordering;

use common::{Body, Resp, serve, settings};
use yuqing_fetch::{FetchError, Fetcher};
use yuqing_model::Validators;

/// Peak resident set size of this process, KiB (Linux `/proc/self/status` `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn fifty_megabyte_body_stops_at_cap() {
    const TOTAL: u64 = 50 * 1024 * 1024;
    let server = serve(|_, _| {
        let mut r = Resp::new(200, "").header("Content-Type", "text/html");
        r.body = Body::Endless { total: TOTAL };
        r
    })
    .await;
    let mut s = settings();
    s.max_body_bytes = 1024 * 1024;
    let fetcher = Fetcher::new(&s).unwrap();
    let before = peak_rss_kib();
    let err = fetcher
        .fetch(&server.url("/huge"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::TooLarge { url, limit: 1_048_576 } if *url == server.url("/huge")),
        "{err:?}"
    );
    assert_eq!(server.count("/huge"), 1); // too large is not retried
    // Give the server a moment to notice the closed connection.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let streamed = server.streamed.load(Ordering::SeqCst);
    println!("server wrote {streamed} bytes of {TOTAL} before the client hung up");
    assert!(streamed < TOTAL / 4, "{streamed}");
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        println!("peak RSS {before} KiB -> {after} KiB");
        assert!(
            after - before < 16 * 1024,
            "peak RSS grew by {} KiB",
            after - before
        );
    }
}
