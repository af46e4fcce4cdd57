//! Feed parsing over the real feeds of `../shared/data/feeds` (see its `manifest.jsonl` and
//! `SOURCES.md`): expected parses from feed-rs's fixtures, Chinese real-world feeds and
//! feedparser's encoding edge cases.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use regex::Regex;
use serde_json::Value;
use url::Url;
use yuqing_extract::{FeedError, decode_feed_bytes, html_to_text, looks_like_feed, parse_feed};
use yuqing_model::FeedEntry;

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    dir.join("feeds").is_dir().then_some(dir)
}

macro_rules! data_or_skip {
    () => {
        match data_dir() {
            Some(d) => d,
            None => {
                println!("SKIPPED: ../shared/data not found");
                return;
            }
        }
    };
}

/// The URL we pretend each file was fetched from.
fn feed_url(file: &str) -> String {
    format!("https://feeds.example.test/{file}")
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join("feeds").join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
}

fn manifest(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("feeds/manifest.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn date(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().map(|s| {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("bad expected date {s}: {e}"))
            .with_timezone(&Utc)
    })
}

/// Plain one-line text of a feed-rs `Text` value of an expected file.
fn expected_title(t: &Value) -> String {
    let content = t["content"].as_str().unwrap_or_default();
    let plain = if t["content_type"]
        .as_str()
        .unwrap_or_default()
        .contains("html")
    {
        html_to_text(content)
    } else {
        content.to_owned()
    };
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// feed-rs invents ids (siphash hex or UUID) for entries without one.
fn is_generated_id(id: &str) -> bool {
    let hex = id.chars().all(|c| c.is_ascii_hexdigit());
    let uuid = id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    (hex && (20..=32).contains(&id.len())) || uuid
}

/// Checks our entries against a feed-rs `*.serde.json` expected parse; returns the number of
/// fields compared.
fn check_against_expected(file: &str, ours: &[FeedEntry], expected: &Value) -> usize {
    let exp = expected["entries"].as_array().unwrap();
    assert_eq!(ours.len(), exp.len(), "{file}: entry count");
    let base = Url::parse(&feed_url(file)).unwrap();
    let mut compared = 0;
    for (i, (o, e)) in ours.iter().zip(exp).enumerate() {
        // Title.
        let title = if e["title"].is_null() {
            String::new()
        } else {
            expected_title(&e["title"])
        };
        assert_eq!(o.title, title, "{file}[{i}]: title");
        // Date: published, else updated.
        let when = date(&e["published"]).or_else(|| date(&e["updated"]));
        assert_eq!(o.published_at, when, "{file}[{i}]: date");
        // Link: first alternate / rel-less link, made absolute against the feed URL.
        let link = e["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"].is_null() || l["rel"].as_str() == Some("alternate"));
        match link.and_then(|l| l["href"].as_str()) {
            Some(href) => {
                let abs = base.join(href).unwrap().to_string();
                assert_eq!(o.link.as_deref(), Some(abs.as_str()), "{file}[{i}]: link");
            }
            None if o.link.is_some() => {
                // Only a permalink guid can give a link the expected parse lacks.
                assert_eq!(
                    o.link.as_deref(),
                    Some(o.id.as_str()),
                    "{file}[{i}]: guid link"
                );
            }
            None => {}
        }
        // Id: the feed's own, else our link fallback where feed-rs invented one.
        let exp_id = e["id"].as_str().unwrap();
        if is_generated_id(exp_id) && o.id != exp_id {
            match &o.link {
                Some(link) => assert_eq!(&o.id, link, "{file}[{i}]: id falls back to link"),
                None => assert!(!o.id.is_empty(), "{file}[{i}]: id"),
            }
        } else {
            assert_eq!(o.id, exp_id, "{file}[{i}]: id");
        }
        // Content presence follows the feed's content element (when it has a text body).
        let exp_body = e["content"]["body"]
            .as_str()
            .map(html_to_text)
            .unwrap_or_default();
        assert_eq!(
            o.content.is_some(),
            !exp_body.is_empty(),
            "{file}[{i}]: content presence"
        );
        compared += 5;
    }
    compared
}

#[test]
fn every_feed_in_the_manifest() {
    let dir = data_or_skip!();
    let mut parsed = 0;
    let mut failed = 0;
    let mut fields = 0;
    println!(
        "{:<72} {:>8} {:>8} {:>8}  encoding / error",
        "file", "entries", "expect", "ms"
    );
    for m in manifest(&dir) {
        let file = m["file"].as_str().unwrap();
        let bytes = read(&dir, file);
        let url = feed_url(file);
        assert!(looks_like_feed(&bytes, None), "{file}: looks_like_feed");
        let (_, encoding) = decode_feed_bytes(&bytes);
        let started = std::time::Instant::now();
        let result = parse_feed(&bytes, &url);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let expected_path = m["expected"]
            .as_str()
            .filter(|p| p.ends_with(".serde.json"));
        match &result {
            Ok(entries) => {
                parsed += 1;
                println!(
                    "{file:<72} {:>8} {:>8} {ms:>8.2}  {}",
                    entries.len(),
                    m["entries"],
                    encoding.name()
                );
            }
            Err(e) => {
                failed += 1;
                println!(
                    "{file:<72} {:>8} {:>8} {ms:>8.2}  {e}",
                    "FAILED", m["entries"]
                );
                assert!(
                    e.to_string().contains(&url),
                    "{file}: error names the url: {e}"
                );
            }
        }
        if let Some(p) = expected_path {
            let expected: Value =
                serde_json::from_slice(&std::fs::read(dir.join("feeds").join(p)).unwrap()).unwrap();
            let entries = result.as_ref().unwrap_or_else(|e| panic!("{file}: {e}"));
            fields += check_against_expected(file, entries, &expected);
        } else if file.starts_with("zh_real/") {
            let entries = result.as_ref().unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(
                entries.len() as u64,
                m["entries"].as_u64().unwrap(),
                "{file}: count"
            );
            let chinese = entries.iter().filter(|e| has_cjk(&e.title)).count();
            assert!(
                chinese * 2 >= entries.len(),
                "{file}: only {chinese} Chinese titles"
            );
            for e in entries {
                assert!(!e.title.is_empty(), "{file}: empty title");
                let link = e
                    .link
                    .as_deref()
                    .unwrap_or_else(|| panic!("{file}: no link {e:?}"));
                assert!(link.starts_with("http"), "{file}: link {link}");
                assert!(e.published_at.is_some(), "{file}: no date for {link}");
                assert!(!e.id.is_empty());
            }
        }
    }
    println!("parsed {parsed}, failed {failed}, {fields} expected fields compared");
    // Only the truncated document fails.
    assert_eq!(failed, 1);
    assert!(fields > 100);
}

#[test]
fn truncated_feed_fails_cleanly_naming_the_url() {
    let dir = data_or_skip!();
    let file = "odd_real_world_feed_rs/rss_2.0_invalid_1.xml";
    let err = parse_feed(&read(&dir, file), &feed_url(file)).unwrap_err();
    assert!(matches!(err, FeedError::Malformed { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot parse feed {}", feed_url(file)))
    );
}

#[test]
fn v2ex_uses_published_not_earlier_updated() {
    let dir = data_or_skip!();
    let file = "zh_real/v2ex_index.atom.xml";
    let bytes = read(&dir, file);
    let entries = parse_feed(&bytes, &feed_url(file)).unwrap();
    assert_eq!(entries.len(), 50);
    // Cross-check with the raw <published> / <updated> of each <entry>.
    let raw = String::from_utf8(bytes).unwrap();
    let published = Regex::new(r"(?s)<entry>.*?<published>([^<]+)</published>").unwrap();
    let raw_dates: Vec<DateTime<Utc>> = published
        .captures_iter(&raw)
        .map(|c| {
            DateTime::parse_from_rfc3339(&c[1])
                .unwrap()
                .with_timezone(&Utc)
        })
        .collect();
    assert_eq!(raw_dates.len(), 50);
    let ours: Vec<DateTime<Utc>> = entries.iter().map(|e| e.published_at.unwrap()).collect();
    assert_eq!(ours, raw_dates);
    // Every link is a V2EX topic.
    assert!(entries.iter().all(|e| {
        e.link
            .as_deref()
            .is_some_and(|l| l.starts_with("https://www.v2ex.com/t/"))
    }));
}

#[test]
fn chinese_feeds_titles_and_full_text() {
    let dir = data_or_skip!();
    let file = "zh_real/ld_podcast.rss.xml";
    let pod = parse_feed(&read(&dir, file), &feed_url(file)).unwrap();
    assert_eq!(pod.len(), 190);
    assert_eq!(
        pod[0].title,
        "昔日“用户思维”，今朝“韭菜思维”，聊聊大厂的傲慢与偏见"
    );
    assert_eq!(
        pod[1].title,
        "炒币大赛，阿里赢麻了，OpenAI亏惨了，但赢的真是AI吗？"
    );

    // The Atom feed carries whole articles: content is long, plain text, several paragraphs.
    let file = "zh_real/ruanyifeng_blog.atom.xml";
    let atom = parse_feed(&read(&dir, file), &feed_url(file)).unwrap();
    assert_eq!(atom.len(), 3);
    for e in &atom {
        let c = e
            .content
            .as_deref()
            .unwrap_or_else(|| panic!("no content: {}", e.title));
        assert!(
            c.chars().count() > 200,
            "{}: {} chars",
            e.title,
            c.chars().count()
        );
        assert!(c.lines().count() > 3);
        assert!(!c.contains("<p>") && !c.contains("&lt;"), "{c}");
        assert!(has_cjk(c));
        assert!(
            e.link
                .as_deref()
                .unwrap()
                .starts_with("http://www.ruanyifeng.com/blog/")
        );
    }
    // The RSS version of the same blog: same newest article.
    let file = "zh_real/ruanyifeng_blog.rss.xml";
    let rss = parse_feed(&read(&dir, file), &feed_url(file)).unwrap();
    assert_eq!(rss.len(), 6);
    assert!(
        rss.iter().any(|e| e.title == atom[0].title),
        "{}",
        atom[0].title
    );
    // Meituan: one-line document, HTML description becomes a plain summary.
    let file = "zh_real/meituan_tech.rss.xml";
    let mt = parse_feed(&read(&dir, file), &feed_url(file)).unwrap();
    assert_eq!(mt.len(), 10);
    for e in &mt {
        let s = e
            .summary
            .as_deref()
            .unwrap_or_else(|| panic!("no summary: {}", e.title));
        assert!(!s.contains('<'), "{s}");
    }
}

#[test]
fn encoding_edge_cases() {
    let dir = data_or_skip!();
    let e = "encoding_edge_feedparser/";
    // GB2312 with no declaration: detected; titles decode (value from Python's gb2312 codec).
    let file = format!("{e}chardet__gb2312.xml");
    let bytes = read(&dir, &file);
    assert_eq!(decode_feed_bytes(&bytes).1, encoding_rs::GBK);
    let entries = parse_feed(&bytes, &feed_url(&file)).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].title, "不归移民漫画系列：专业工作");
    // Big5 with no declaration (feed title only, no entries).
    let file = format!("{e}chardet__big5.xml");
    let bytes = read(&dir, &file);
    let (text, enc) = decode_feed_bytes(&bytes);
    assert_eq!(enc, encoding_rs::BIG5);
    assert!(text.contains("<title>我希望"), "{text}");
    assert_eq!(parse_feed(&bytes, &feed_url(&file)).unwrap().len(), 0);
    // Declared big5 / gb2312 (gb2312 is decoded as GBK, a subset of GB18030).
    let file = format!("{e}encoding__big5.xml");
    assert_eq!(decode_feed_bytes(&read(&dir, &file)).1, encoding_rs::BIG5);
    let file = format!("{e}encoding__http_application_atom_xml_gb2312_encoding.xml");
    let bytes = read(&dir, &file);
    assert_eq!(decode_feed_bytes(&bytes).1, encoding_rs::GBK);
    assert!(parse_feed(&bytes, &feed_url(&file)).unwrap().is_empty());
    // A bogus label falls back to detection (the bytes are ASCII: UTF-8).
    let file = format!("{e}encoding__bozo_bogus_encoding.xml");
    assert_eq!(decode_feed_bytes(&read(&dir, &file)).1, encoding_rs::UTF_8);
    // Invalid bytes after a UTF-8 BOM: replaced, never a panic.
    let file = format!("{e}encoding__bozo_invalid-bytes-with-bom.xml");
    let bytes = read(&dir, &file);
    let (text, enc) = decode_feed_bytes(&bytes);
    assert_eq!(enc, encoding_rs::UTF_8);
    assert!(
        text.contains("Valid UTF8: \u{468}Invalid UTF8: Espa\u{fffd}a"),
        "{text}"
    );
    // Declared/actual mismatch that crashed feedparser: parses, the item's summary is text.
    let file = format!("{e}encoding__bozo_encoding_mismatch_crash.xml");
    let entries = parse_feed(&read(&dir, &file), &feed_url(&file)).unwrap();
    assert_eq!(entries.len(), 1);
    // UTF-8 read as ISO-8859-1 and re-encoded: repaired, as feedparser expects (U+2026).
    let file = format!("{e}encoding__double-encoded-html.xml");
    let entries = parse_feed(&read(&dir, &file), &feed_url(&file)).unwrap();
    assert_eq!(entries[0].summary.as_deref(), Some("\u{2026}"));
}

#[test]
fn html_pages_are_not_feeds() {
    let dir = data_or_skip!();
    let pages = dir.join("extraction_zh/readability");
    let mut checked = 0;
    for site in ["gmw", "qq", "youth", "pixnet"] {
        let path = pages.join(site).join("source.html");
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        assert!(
            !looks_like_feed(&bytes, Some("text/html")),
            "{}",
            path.display()
        );
        let err = parse_feed(&bytes, "https://example.test/page").unwrap_err();
        assert!(
            matches!(
                err,
                FeedError::NotAFeed { .. } | FeedError::Malformed { .. }
            ),
            "{err}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
}
