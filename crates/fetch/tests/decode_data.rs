//! Decoding the shared real-world pages: cwced (63 pages, GBK/GB2312/UTF-8, SogouT wrappers),
//! Mozilla Readability's Chinese pages (UTF-8 that declares gbk) and feedparser's encoding cases.

use std::path::PathBuf;
use yuqing_fetch::{CharsetSource, decode};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: ../shared/data not found");
        None
    }
}

/// Lines of the expected body long enough to be a meaningful probe, as 12-char slices.
fn probes(expected: &str) -> Vec<String> {
    expected
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
        .filter(|l| l.chars().count() >= 12)
        .map(|l| l.chars().take(12).collect())
        .collect()
}

#[test]
fn cwced_pages_decode_to_their_expected_body() {
    let Some(dir) = data_dir() else { return };
    let cwced = dir.join("extraction_zh/cwced");
    let jsonl = std::fs::read_to_string(cwced.join("expected.jsonl")).unwrap();
    let mut pages = 0;
    let (mut probes_total, mut probes_found) = (0, 0);
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let rec: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = rec["html_file"].as_str().unwrap();
        let bytes = std::fs::read(cwced.join(file)).unwrap();
        let d = decode(&bytes, None);
        let valid_utf8 = rec["bytes_valid_utf8"].as_bool().unwrap();
        let expected_encoding = if valid_utf8 { "UTF-8" } else { "gb18030" };
        assert_eq!(
            d.encoding, expected_encoding,
            "{file}: {:?}",
            d.charset_source
        );
        if valid_utf8 {
            let want = if bytes.starts_with(b"\xef\xbb\xbf") {
                CharsetSource::Bom
            } else {
                CharsetSource::Utf8Valid
            };
            assert_eq!(d.charset_source, want, "{file}");
        } else {
            let declared = rec["meta_charset"].is_string()
                || ["gb2312", "gbk"].contains(&rec["wrapper_encoding"].as_str().unwrap_or(""));
            let want = if declared {
                CharsetSource::MetaTag
            } else {
                CharsetSource::Sniffed
            };
            assert_eq!(d.charset_source, want, "{file}");
        }
        let replaced = d.text.matches('\u{fffd}').count();
        if replaced > 0 {
            println!(
                "{file}: {replaced} U+FFFD of {} chars",
                d.text.chars().count()
            );
        }
        assert!(
            replaced * 1000 <= d.text.len(),
            "{file}: {replaced} replacement characters"
        );
        let ps = probes(rec["expected_content"].as_str().unwrap());
        let found = ps.iter().filter(|p| d.text.contains(p.as_str())).count();
        assert!(found > 0, "{file}: none of {} body slices found", ps.len());
        probes_total += ps.len();
        probes_found += found;
        pages += 1;
    }
    assert_eq!(pages, 63);
    println!("cwced: {pages} pages, {probes_found}/{probes_total} body-line slices found");
    // Misses are lines split by inline tags or entities in the HTML; mojibake would find ~none.
    assert!(
        probes_found * 4 >= probes_total * 3,
        "{probes_found}/{probes_total}"
    );
}

#[test]
fn readability_pages_are_utf8_despite_gbk_meta() {
    let Some(dir) = data_dir() else { return };
    for page in ["gmw", "qq", "youth", "pixnet"] {
        let base = dir.join("extraction_zh/readability").join(page);
        let bytes = std::fs::read(base.join("source.html")).unwrap();
        let meta: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(base.join("expected-metadata.json")).unwrap(),
        )
        .unwrap();
        let d = decode(&bytes, Some("text/html"));
        assert_eq!(
            (d.encoding, d.charset_source),
            ("UTF-8", CharsetSource::Utf8Valid),
            "{page}"
        );
        // Eight characters from the first non-ASCII one: mojibake cannot contain them.
        let title: String = meta["title"]
            .as_str()
            .unwrap()
            .chars()
            .skip_while(char::is_ascii)
            .take(8)
            .collect();
        assert!(!title.is_empty(), "{page}");
        assert!(
            d.text.contains(&title),
            "{page}: title {title:?} not in text"
        );
        // Trusting the declaration would have produced mojibake.
        if page != "pixnet" {
            let wrong = encoding_rs::GB18030.decode_without_bom_handling(&bytes).0;
            assert!(!wrong.contains(&title), "{page}");
        }
    }
}

#[test]
fn feedparser_encoding_edge_cases() {
    let Some(dir) = data_dir() else { return };
    let base = dir.join("feeds/encoding_edge_feedparser");
    let read = |name: &str| std::fs::read(base.join(name)).unwrap();

    let d = decode(&read("chardet__gb2312.xml"), None);
    assert_eq!(
        (d.encoding, d.charset_source),
        ("gb18030", CharsetSource::Sniffed)
    );
    assert!(!d.had_errors && !d.text.contains('\u{fffd}'));
    let d = decode(&read("chardet__big5.xml"), None);
    assert_eq!(
        (d.encoding, d.charset_source),
        ("Big5", CharsetSource::Sniffed)
    );
    let d = decode(&read("encoding__big5.xml"), None);
    assert_eq!(
        (d.encoding, d.charset_source),
        ("Big5", CharsetSource::XmlProlog)
    );
    let d = decode(
        &read("encoding__http_application_atom_xml_gb2312_encoding.xml"),
        Some("application/atom+xml"),
    );
    assert_eq!(
        (d.encoding, d.charset_source),
        ("gb18030", CharsetSource::XmlProlog)
    );
    let d = decode(&read("encoding__bozo_bogus_encoding.xml"), None);
    assert_eq!(
        (d.encoding, d.charset_source),
        ("UTF-8", CharsetSource::Utf8Valid)
    );
    let d = decode(&read("encoding__bozo_invalid-bytes-with-bom.xml"), None);
    assert_eq!(
        (d.encoding, d.charset_source),
        ("UTF-8", CharsetSource::Bom)
    );
    assert!(
        d.had_errors
            && d.text
                .contains("Valid UTF8: \u{0468}Invalid UTF8: Espa\u{fffd}a")
            && d.text.contains('\u{fffd}')
    );
    let d = decode(&read("encoding__bozo_encoding_mismatch_crash.xml"), None);
    assert!(d.text.contains("http://www.example.com/"));
    let d = decode(&read("encoding__double-encoded-html.xml"), None);
    assert!(d.text.contains("&#226;&#128;&#166;"));
}
