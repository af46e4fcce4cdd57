//! Bytes → text: which character encoding does a fetched page use, and what does it say?
//!
//! The order of evidence follows the WHATWG "encoding sniffing algorithm"
//! (<https://html.spec.whatwg.org/multipage/parsing.html#encoding-sniffing-algorithm>) with one
//! deliberate change for the Chinese web: bytes that are entirely valid UTF-8 (and not pure ASCII)
//! are decoded as UTF-8 *before* any declaration is trusted, because many Chinese sites serve
//! UTF-8 while still declaring `gbk`/`gb2312` (see Mozilla Readability's `gmw`, `qq`, `youth` test
//! pages). A stray valid-UTF-8 run in real GBK text is vanishingly unlikely for a whole page.

use encoding_rs::{
    Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED,
};

/// How many leading bytes are searched for an in-document declaration (`<meta>`, XML prolog,
/// SogouT wrapper line). Browsers use 1024; real Chinese pages put the `<meta>` as late as byte
/// ~1960 (cwced test set), so 4 KiB leaves headroom.
pub const PRESCAN_BYTES: usize = 4096;

/// Where the encoding used by [`decode`] came from, strongest evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharsetSource {
    /// A byte-order mark (UTF-8, UTF-16LE or UTF-16BE) at the start of the bytes.
    Bom,
    /// The bytes are entirely valid UTF-8 and contain non-ASCII, so any declaration was overruled.
    Utf8Valid,
    /// The `charset=` parameter of the HTTP `Content-Type` header.
    HttpHeader,
    /// `encoding="..."` in an XML prolog (`<?xml version="1.0" encoding="gb2312"?>`).
    XmlProlog,
    /// A `<meta charset>` / `<meta http-equiv="Content-Type" content="...; charset=...">` tag, or the
    /// `encoding="..."` attribute of a SogouT-corpus `<text id=... encoding=...>` wrapper line,
    /// within the first [`PRESCAN_BYTES`] bytes.
    MetaTag,
    /// No usable declaration: guessed by `chardetng` (no TLD hint).
    Sniffed,
}

/// The result of [`decode`]: the text and how its encoding was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, without any byte-order mark. Invalid sequences are replaced by U+FFFD.
    pub text: String,
    /// WHATWG name of the encoding used, e.g. `"UTF-8"`, `"gb18030"`, `"Big5"`, `"windows-1252"`.
    /// `gb2312` and `GBK` labels (and GBK guesses) are always reported as `"gb18030"`, their superset.
    pub encoding: &'static str,
    /// Which evidence chose `encoding`.
    pub charset_source: CharsetSource,
    /// True when at least one malformed byte sequence was replaced by U+FFFD.
    pub had_errors: bool,
}

/// Decodes page or feed bytes to text; never fails.
///
/// `content_type` is the raw HTTP `Content-Type` header value, if any (e.g.
/// `"text/html; charset=GBK"`). Order of evidence:
/// 1. a BOM ([`CharsetSource::Bom`]);
/// 2. bytes that are valid UTF-8 and contain non-ASCII ([`CharsetSource::Utf8Valid`]);
/// 3. the header `charset=`, then the XML prolog, then a SogouT `<text encoding=>` first line or a
///    `<meta>` charset in the first [`PRESCAN_BYTES`] bytes (unknown labels such as `"bogus"` are
///    skipped). Pure-ASCII input reports the declared encoding when it is ASCII-compatible (the
///    text is the same either way);
/// 4. `chardetng` with no TLD hint ([`CharsetSource::Sniffed`]); pure ASCII without a declaration
///    is reported as UTF-8 / [`CharsetSource::Utf8Valid`].
///
/// `gb2312`/`GBK` decode as GB18030. As in browsers, an in-document UTF-16 declaration means
/// UTF-8 and `x-user-defined` means windows-1252.
///
/// ```
/// use yuqing_fetch::{decode, CharsetSource};
/// // "快递" in GBK, declared by the header.
/// let d = decode(b"\xbf\xec\xb5\xdd", Some("text/html; charset=gb2312"));
/// assert_eq!(d.text, "快递");
/// assert_eq!(d.encoding, "gb18030");
/// assert_eq!(d.charset_source, CharsetSource::HttpHeader);
/// // UTF-8 bytes win over a wrong declaration.
/// let d = decode("快递".as_bytes(), Some("text/html; charset=gbk"));
/// assert_eq!((d.text.as_str(), d.charset_source), ("快递", CharsetSource::Utf8Valid));
/// ```
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        return run(encoding, rest, CharsetSource::Bom);
    }
    let valid_utf8 = std::str::from_utf8(bytes).ok();
    if let Some(s) = valid_utf8
        && !s.is_ascii()
    {
        return Decoded {
            text: s.to_owned(),
            encoding: UTF_8.name(),
            charset_source: CharsetSource::Utf8Valid,
            had_errors: false,
        };
    }
    let declared = content_type
        .and_then(header_charset)
        .map(|e| (e, CharsetSource::HttpHeader))
        .or_else(|| document_charset(bytes));
    if let Some(s) = valid_utf8 {
        // Pure ASCII: identical text in every ASCII-compatible encoding.
        let (encoding, source) = match declared {
            Some((e, src)) if e.is_ascii_compatible() => (e, src),
            _ => (UTF_8, CharsetSource::Utf8Valid),
        };
        return Decoded {
            text: s.to_owned(),
            encoding: encoding.name(),
            charset_source: source,
            had_errors: false,
        };
    }
    if let Some((encoding, source)) = declared {
        return run(encoding, bytes, source);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = normalize(detector.guess(None, chardetng::Utf8Detection::Allow));
    run(guess, bytes, CharsetSource::Sniffed)
}

/// Decodes `bytes` (BOM already removed) with `encoding`, replacing malformed sequences.
fn run(encoding: &'static Encoding, bytes: &[u8], source: CharsetSource) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        charset_source: source,
        had_errors,
    }
}

/// GBK (which `gb2312` labels map to in WHATWG) becomes its superset GB18030.
fn normalize(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK { GB18030 } else { encoding }
}

/// Resolves a label, applying the in-document overrides of the HTML spec.
fn in_document_label(label: &[u8]) -> Option<&'static Encoding> {
    let e = Encoding::for_label(label)?;
    Some(if e == UTF_16BE || e == UTF_16LE {
        UTF_8
    } else if e == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        normalize(e)
    })
}

/// The `charset` parameter of a `Content-Type` header value.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    let label = attr_value(content_type.as_bytes(), b"charset")?;
    Encoding::for_label(label).map(normalize)
}

/// The in-document declaration: XML prolog, SogouT wrapper line, then `<meta>`.
fn document_charset(bytes: &[u8]) -> Option<(&'static Encoding, CharsetSource)> {
    let head = bytes.get(..PRESCAN_BYTES).unwrap_or(bytes);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let trimmed = head.get(start..).unwrap_or_default();
    if trimmed.starts_with(b"<?xml") {
        let end = find(trimmed, b"?>").unwrap_or(trimmed.len());
        if let Some(e) = trimmed
            .get(..end)
            .and_then(|p| attr_value(p, b"encoding"))
            .and_then(in_document_label)
        {
            return Some((e, CharsetSource::XmlProlog));
        }
    }
    if starts_with_ci(trimmed, b"<text ") {
        let end = trimmed
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(trimmed.len());
        if let Some(e) = trimmed
            .get(..end)
            .and_then(|line| attr_value(line, b"encoding"))
            .and_then(in_document_label)
        {
            return Some((e, CharsetSource::MetaTag));
        }
    }
    meta_charset(head).map(|e| (e, CharsetSource::MetaTag))
}

/// The first usable charset in a `<meta ...>` tag of `head`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut rest = head;
    while let Some(i) = find_ci(rest, b"<meta") {
        let tag_start = rest.get(i + 5..)?;
        let end = tag_start
            .iter()
            .position(|&b| b == b'>')
            .unwrap_or(tag_start.len());
        let tag = tag_start.get(..end)?;
        if let Some(e) = attr_value(tag, b"charset").and_then(in_document_label) {
            return Some(e);
        }
        rest = tag_start.get(end..)?;
    }
    None
}

/// Finds `name` (case-insensitive) followed by optional spaces, `=`, optional quotes, and returns
/// the label up to the next quote, space, `;`, `>` or `?`. Works for attributes and header params.
fn attr_value<'a>(hay: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut rest = hay;
    while let Some(i) = find_ci(rest, name) {
        let after = rest.get(i + name.len()..)?;
        let mut j = 0;
        while after.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if after.get(j) == Some(&b'=') {
            j += 1;
            while after
                .get(j)
                .is_some_and(|&b| b.is_ascii_whitespace() || b == b'"' || b == b'\'')
            {
                j += 1;
            }
            let value = after.get(j..)?;
            let len = value
                .iter()
                .position(|&b| {
                    matches!(b, b'"' | b'\'' | b';' | b'>' | b'?' | b'/' | b',')
                        || b.is_ascii_whitespace()
                })
                .unwrap_or(value.len());
            let label = value.get(..len)?;
            if !label.is_empty() {
                return Some(label);
            }
        }
        rest = after;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// Whether a response of this `Content-Type` can be a web page or feed: an HTML, XML or other
/// `text/*` type (case-insensitive). A missing type is allowed (many servers omit it); PDF,
/// images, JSON APIs and the like are not pages to extract.
pub fn is_page_type(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("html") || ct.contains("xml") || ct.starts_with("text/")
    })
}

/// Whether `body` is binary rather than text, by its first 1,024 bytes: a PDF (`%PDF-`) or a
/// NUL byte, which text in any charset a page may use has only in UTF-16 (allowed when it
/// starts with a UTF-16 byte-order mark). For bodies whose `Content-Type` is missing or wrong
/// (a server labelling every file `text/html`, a local file).
pub fn is_binary(body: &[u8]) -> bool {
    let head = body.get(..1024).unwrap_or(body);
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    head.starts_with(b"%PDF-") || (!utf16 && head.contains(&0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_bodies_by_their_first_bytes() {
        assert!(is_binary(b"%PDF-1.7\n..."));
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!is_binary("<html><p>快递进村</p></html>".as_bytes()));
        // UTF-16 text has NULs but a byte-order mark.
        assert!(!is_binary(b"\xff\xfe<\0h\0"));
        // Only the head counts.
        let mut late = vec![b'a'; 2000];
        late.push(0);
        assert!(!is_binary(&late));
    }

    #[test]
    fn bom_wins_and_is_stripped() {
        let d = decode(b"\xef\xbb\xbfabc\xff", Some("text/html; charset=gbk"));
        assert_eq!(d.text, "abc\u{fffd}");
        assert_eq!(d.charset_source, CharsetSource::Bom);
        assert!(d.had_errors);
        let d = decode(b"\xff\xfea\x00", None);
        assert_eq!((d.text.as_str(), d.encoding), ("a", "UTF-16LE"));
    }

    #[test]
    fn meta_forms_are_found_but_script_charset_is_not() {
        let gbk = b"\xbf\xec\xb5\xdd";
        let mut page = b"<html><script charset=\"utf-8\"></script><META http-equiv=\"Content-Type\" content=\"text/html; charset=GB2312\"><p>".to_vec();
        page.extend_from_slice(gbk);
        let d = decode(&page, None);
        assert_eq!(d.charset_source, CharsetSource::MetaTag);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.ends_with("快递"));
        let mut page = b"<meta charset=big5><p>".to_vec();
        page.extend_from_slice(b"\xa7\xd6\xbb\xbc"); // 快遞 in Big5
        let d = decode(&page, None);
        assert_eq!((d.encoding, d.text.ends_with("快遞")), ("Big5", true));
    }

    #[test]
    fn header_beats_meta_and_bogus_labels_fall_through() {
        let mut page = b"<meta charset=\"big5\">".to_vec();
        page.extend_from_slice(b"\xbf\xec\xb5\xdd");
        let d = decode(&page, Some("text/html;charset=\"gbk\""));
        assert_eq!(d.charset_source, CharsetSource::HttpHeader);
        assert!(d.text.ends_with("快递"));
        let d = decode(&page, Some("text/html; charset=bogus"));
        assert_eq!(d.charset_source, CharsetSource::MetaTag);
        assert_eq!(d.encoding, "Big5");
    }

    #[test]
    fn ascii_reports_declared_encoding() {
        let d = decode(b"<?xml version='1.0' encoding='gb2312'?><rss/>", None);
        assert_eq!(
            (d.encoding, d.charset_source),
            ("gb18030", CharsetSource::XmlProlog)
        );
        let d = decode(b"<rss/>", None);
        assert_eq!(
            (d.encoding, d.charset_source),
            ("UTF-8", CharsetSource::Utf8Valid)
        );
        let d = decode(b"", Some("text/html; charset=utf-16"));
        assert_eq!((d.text.as_str(), d.had_errors), ("", false));
    }

    #[test]
    fn undeclared_gbk_is_sniffed() {
        let (bytes, _, _) =
            GBK.encode("国家邮政局公布了快递服务满意度调查结果，顺丰速运排名第一。");
        let d = decode(&bytes, None);
        assert_eq!(d.charset_source, CharsetSource::Sniffed);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains("快递服务满意度"));
    }

    #[test]
    fn page_types() {
        for ok in [
            None,
            Some("text/html; charset=gbk"),
            Some("TEXT/HTML"),
            Some("application/xhtml+xml"),
            Some("application/rss+xml"),
            Some("text/plain"),
        ] {
            assert!(is_page_type(ok), "{ok:?}");
        }
        for no in [
            Some("application/pdf"),
            Some("image/png"),
            Some("application/json"),
        ] {
            assert!(!is_page_type(no), "{no:?}");
        }
    }
}
