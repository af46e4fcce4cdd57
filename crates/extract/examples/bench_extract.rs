//! Extraction speed over the CWCED pages: decodes every page once, runs `extract_article`
//! over all of them once untimed (the crate's regexes compile on first use), then for at
//! least two seconds on one thread, and prints pages per second of wall-clock time and of
//! this thread's CPU time (the second is less disturbed by other processes).
//! `cargo run --release -p yuqing-extract --example bench_extract`
//! (`-- FILE` instead prints the extraction of one HTML file, for debugging;
//! `BENCH_PARSE_ONLY=1` adds the time of html5ever parsing the raw pages alone).
//!
//! Wall-clock figures swing by ±30% on a shared machine; instruction counts do not. For
//! those, run exactly one timed pass under callgrind and divide by the 63 pages:
//!
//! ```text
//! cargo build --release -p yuqing-extract --example bench_extract
//! BENCH_PASSES=1 valgrind --tool=callgrind --toggle-collect='bench_extract::timed_pass' \
//!     target/release/examples/bench_extract
//! ```

use chrono::{TimeZone, Utc};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use yuqing_extract::{PageContext, extract_article};

/// The allocator of the `yuqing` binary (see src/main.rs), so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn decode(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let enc = if head.contains("gb2312") || head.contains("gbk") || head.contains("gb18030") {
        encoding_rs::GB18030
    } else {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
    };
    enc.decode(bytes).0.into_owned()
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/stat`, utime + stime at
/// 100 ticks/s); `None` elsewhere. Lets the figure ignore time lost to other processes.
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Extracts every page once; returns how many gave an article. Not inlined, so that
/// `valgrind --tool=callgrind --toggle-collect='bench_extract::timed_pass'` counts only it.
#[inline(never)]
fn timed_pass(pages: &[String], ctx: &PageContext<'_>) -> usize {
    pages
        .iter()
        .filter(|p| extract_article(p, ctx).is_ok())
        .count()
}

fn main() {
    let fetched_at = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
    let ctx = PageContext {
        url: "https://example.invalid/article.html",
        fetched_at,
        rules: &[],
    };
    if let Some(file) = std::env::args().nth(1) {
        let html = decode(&std::fs::read(&file).expect("readable file"));
        match extract_article(&html, &ctx) {
            Ok(p) => println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default()),
            Err(e) => println!("error: {e}"),
        }
        return;
    }
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/extraction_zh/cwced/html"
    ));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let pages: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .map(|b| decode(&b))
        .collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    // One untimed pass first: the crate's regexes compile on first use.
    let warm_ok = pages
        .iter()
        .filter(|p| extract_article(p, &ctx).is_ok())
        .count();
    let cpu0 = thread_cpu_secs();
    let start = Instant::now();
    let mut n = 0usize;
    let mut ok = 0usize;
    // `BENCH_PASSES=N`: exactly N timed passes (instruction counts per page with
    // `valgrind --tool=callgrind --toggle-collect='bench_extract::timed_pass'`).
    let passes: Option<usize> = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut pass = 0usize;
    while passes.map_or(start.elapsed() < Duration::from_secs(2), |p| pass < p) {
        pass += 1;
        ok += timed_pass(&pages, &ctx);
        n += pages.len();
    }
    debug_assert!(passes.is_some() || ok == warm_ok * pass);
    let secs = start.elapsed().as_secs_f64();
    if let (Some(a), Some(b)) = (cpu0, thread_cpu_secs()) {
        println!(
            "thread CPU time {:.2}s: {:.0} pages per CPU-second",
            b - a,
            n as f64 / (b - a).max(1e-9)
        );
    }
    if std::env::var_os("BENCH_PARSE_ONLY").is_some() {
        let t = Instant::now();
        for p in &pages {
            std::hint::black_box(scraper::Html::parse_document(p));
        }
        println!(
            "html5ever parse alone: {:.0} pages/s",
            pages.len() as f64 / t.elapsed().as_secs_f64()
        );
    }
    println!(
        "{} pages ({:.1} KB mean), {n} extractions in {secs:.2}s on one thread: {:.0} pages/s ({ok} ok)",
        pages.len(),
        bytes as f64 / pages.len().max(1) as f64 / 1024.0,
        n as f64 / secs
    );
}
