//! Feed parsing: RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes into [`FeedEntry`] records.
//!
//! Answers "which articles does this feed announce, and does it carry their full text?".
//! Parsing is done by `feed-rs`; this module first turns the raw bytes into clean UTF-8
//! (BOM, leading blank lines, undeclared GB2312/Big5, ISO-8859-1 declarations), then maps each
//! entry to plain-text fields with absolute links.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};
use feed_rs::model::{Entry, Text};
use url::Url;
use yuqing_model::FeedEntry;

use crate::html::html_to_text;

/// Why a feed could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The body is empty or only whitespace.
    #[error("feed {url} is empty")]
    Empty {
        /// Feed URL given to [`parse_feed`].
        url: String,
    },
    /// No RSS, RDF, Atom or JSON Feed root element was found (e.g. an HTML page).
    #[error("{url} is not an rss, atom or json feed")]
    NotAFeed {
        /// Feed URL given to [`parse_feed`].
        url: String,
    },
    /// The document looks like a feed but is malformed (broken XML, truncated, bad JSON).
    #[error("cannot parse feed {url}: {source}")]
    Malformed {
        /// Feed URL given to [`parse_feed`].
        url: String,
        /// The `feed-rs` error, with the position in the document where known.
        #[source]
        source: feed_rs::parser::ParseFeedError,
    },
}

/// Parses an RSS 0.9x/1.0/2.0, Atom 1.0 or JSON Feed 1.0/1.1 document into its entries, in
/// document order.
///
/// * `bytes`: the raw response body (not decoded: the encoding is worked out here, see
///   [`decode_feed_bytes`]).
/// * `feed_url`: the URL the feed was fetched from (after redirects); relative links are
///   resolved against it and any `xml:base`. If it is not an absolute URL, relative links are
///   dropped (`link: None`).
///
/// Each [`FeedEntry`] gets:
/// * `id`: the guid / atom:id / JSON `id`; else the entry link; else a hash of the feed URL and
///   title (feed-rs's `generate_id_from_uri_and_title`);
/// * `link`: the first `alternate` (or rel-less) link, else a permalink-looking guid, made
///   absolute; only `http`/`https` links are kept;
/// * `title`: plain text on one line (HTML stripped, whitespace collapsed, empty if absent);
/// * `published_at`: published, else updated, in UTC;
/// * `author`: author names joined with a space;
/// * `summary`: RSS `description` / Atom `summary` / JSON `summary` as plain text;
/// * `content`: plain text of `content:encoded` / Atom `content` / JSON
///   `content_html`/`content_text`, `None` when the feed only carries a summary.
///
/// Empty text fields become `None`. CPU-bound (XML + HTML parsing): call it off the async
/// runtime.
///
/// # Errors
/// [`FeedError::Empty`] for an empty body, [`FeedError::NotAFeed`] when no feed root element is
/// found, [`FeedError::Malformed`] for broken XML/JSON (e.g. a truncated document). Every error
/// names `feed_url`.
///
/// ```
/// use yuqing_extract::feed::parse_feed;
/// let rss = "\n<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
///            <item><title>快递业务量 &amp; 收入</title><link>/a/1.html</link>\
///            <pubDate>Tue, 12 May 2020 10:30:00 +0800</pubDate></item></channel></rss>";
/// let entries = parse_feed(rss.as_bytes(), "https://www.spb.gov.cn/rss.xml").unwrap();
/// assert_eq!(entries[0].title, "快递业务量 & 收入");
/// assert_eq!(entries[0].link.as_deref(), Some("https://www.spb.gov.cn/a/1.html"));
/// assert_eq!(entries[0].published_at.unwrap().to_rfc3339(), "2020-05-12T02:30:00+00:00");
/// ```
pub fn parse_feed(bytes: &[u8], feed_url: &str) -> Result<Vec<FeedEntry>, FeedError> {
    let (text, _encoding) = decode_feed_bytes(bytes);
    let text = repair_rss_root(text);
    if text.trim().is_empty() {
        return Err(FeedError::Empty {
            url: feed_url.to_owned(),
        });
    }
    let base = Url::parse(feed_url).ok();
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.as_ref().map(Url::as_str))
        // Ids are filled below (guid, else link, else hash), so feed-rs must not invent one.
        .id_generator(|_, _, _| String::new())
        // We reduce everything to plain text: sanitising HTML first would be wasted work.
        .sanitize_content(false)
        .build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| match e {
        feed_rs::parser::ParseFeedError::ParseError(
            feed_rs::parser::ParseErrorKind::NoFeedRoot,
        ) => FeedError::NotAFeed {
            url: feed_url.to_owned(),
        },
        source => FeedError::Malformed {
            url: feed_url.to_owned(),
            source,
        },
    })?;
    Ok(feed
        .entries
        .into_iter()
        .map(|entry| to_feed_entry(entry, base.as_ref(), feed_url))
        .collect())
}

/// Maps one feed-rs entry to our record (see [`parse_feed`] for the field rules).
fn to_feed_entry(entry: Entry, base: Option<&Url>, feed_url: &str) -> FeedEntry {
    // An Atom entry's own xml:base takes precedence over the feed URL.
    let entry_base = entry.base.as_deref().and_then(|b| match base {
        Some(base) => base.join(b).ok(),
        None => Url::parse(b).ok(),
    });
    let base = entry_base.as_ref().or(base);
    let link = entry
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .chain(
            entry
                .links
                .iter()
                .filter(|l| l.rel.as_deref().is_some_and(|r| r != "alternate")),
        )
        .filter(|l| {
            !matches!(
                l.rel.as_deref(),
                Some("enclosure" | "self" | "edit" | "replies" | "hub" | "edit-media")
            )
        })
        .find_map(|l| absolute_http(&l.href, base))
        // RSS items with only a permalink guid.
        .or_else(|| {
            (entry.id.starts_with("http://") || entry.id.starts_with("https://"))
                .then(|| absolute_http(&entry.id, base))
                .flatten()
        });
    let title = entry
        .title
        .as_ref()
        .map(|t| one_line(&text_to_plain(t)))
        .unwrap_or_default();
    let id = if !entry.id.trim().is_empty() {
        entry.id.trim().to_owned()
    } else if let Some(link) = &link {
        link.clone()
    } else {
        feed_rs::parser::generate_id(&entry.links, &entry.title, Some(feed_url))
    };
    let author = {
        let names: Vec<&str> = entry
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        (!names.is_empty()).then(|| names.join(" "))
    };
    let summary = entry
        .summary
        .as_ref()
        .map(text_to_plain)
        .filter(|s| !s.is_empty());
    let content = entry
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            let ty = c.content_type.as_str();
            Some(if is_html(ty) {
                html_to_text(&repair_double_utf8(body))
            } else if ty.starts_with("text/") {
                plain_lines(&repair_double_utf8(body))
            } else {
                // Base64 images and other non-text inline content.
                String::new()
            })
        })
        .filter(|s| !s.is_empty());
    FeedEntry {
        id,
        link,
        title,
        published_at: entry.published.or(entry.updated),
        author,
        summary,
        content,
    }
}

/// `href` made absolute against `base`, when the result is `http`/`https`; fragment kept
/// (feed links are taken as the publisher wrote them).
fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

/// Whether a MIME type names HTML or XHTML.
fn is_html(content_type: &str) -> bool {
    content_type.contains("html")
}

/// Plain text of a feed text construct (HTML stripped when its type is HTML/XHTML).
fn text_to_plain(t: &Text) -> String {
    let text = repair_double_utf8(&t.content);
    if is_html(t.content_type.as_str()) {
        html_to_text(&text)
    } else {
        plain_lines(&text)
    }
}

/// Repairs UTF-8 that was read as ISO-8859-1 and encoded again (`â\u{80}¦` for `…`), the
/// mojibake feedparser's `double-encoded-html` case describes: every maximal run of
/// characters up to U+00FF that contains non-ASCII is taken as bytes, and replaced by their
/// UTF-8 decoding when they are valid UTF-8 with at least one multi-byte sequence. Genuine
/// Latin-1 text (`café`, `Größe`) is never valid UTF-8 as bytes, so it is left alone. Runs
/// before HTML stripping (which drops the C1 control characters such mojibake contains).
/// Borrows the input (no copy) when it has no U+00C2..U+00F4 lead character.
fn repair_double_utf8(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| ('\u{c2}'..='\u{f4}').contains(&c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        match std::str::from_utf8(run) {
            Ok(s) if !s.is_ascii() => out.push_str(s),
            // Not valid UTF-8 (or plain ASCII): the characters were genuine, keep them.
            _ => out.extend(run.iter().map(|b| char::from(*b))),
        }
        run.clear();
    };
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => run.push(b),
            Err(_) => {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut run, &mut out);
    Cow::Owned(out)
}

/// Plain text with each line's whitespace collapsed and trimmed, empty lines dropped.
fn plain_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(first);
        for w in words {
            out.push(' ');
            out.push_str(w);
        }
    }
    out
}

/// Joins lines with a space (titles are one line).
fn one_line(s: &str) -> String {
    if s.contains('\n') {
        s.replace('\n', " ")
    } else {
        s.to_owned()
    }
}

/// Decodes raw feed bytes into UTF-8 text ready for an XML/JSON parser, and says which
/// encoding was used.
///
/// The returned text has any BOM, leading whitespace/blank lines and the XML declaration
/// (`<?xml ...?>`) removed, so a parser reading it as UTF-8 (the XML default) is right.
/// The encoding is chosen in this order (after the WHATWG/XML rules, simplified):
/// 1. a byte order mark (UTF-8, UTF-16LE/BE);
/// 2. the `encoding` of the XML declaration, looked up as a WHATWG label by `encoding_rs`
///    (`gb2312` decodes as GBK/GB18030, `iso-8859-1` as windows-1252), unless the bytes are valid
///    UTF-8 containing non-ASCII text, in which case the declaration is taken to be wrong;
/// 3. UTF-8 when the bytes are valid UTF-8, or nearly so (fewer than 1 invalid byte per 50
///    bytes of valid multi-byte UTF-8: stray bytes in a UTF-8 feed), whatever the declaration;
/// 4. otherwise (including a UTF-8 declaration over bytes that are not UTF-8) the guess of `chardetng` (used by Firefox) over the whole body, which tells
///    GBK, Big5, Shift_JIS, windows-125x ... apart.
///
/// Invalid byte sequences become U+FFFD. The text is borrowed when the input is valid UTF-8.
///
/// ```
/// use yuqing_extract::feed::decode_feed_bytes;
/// let gbk = b"\n<?xml version=\"1.0\" encoding=\"gb2312\"?><rss>\xbf\xec\xb5\xdd</rss>";
/// let (text, encoding) = decode_feed_bytes(gbk);
/// assert_eq!(text, "<rss>快递</rss>");
/// assert_eq!(encoding.name(), "GBK");
/// ```
pub fn decode_feed_bytes(bytes: &[u8]) -> (Cow<'_, str>, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(rest);
        return (strip_prolog_text(text), encoding);
    }
    let bytes = bytes.trim_ascii_start();
    let (declared, after_decl) = xml_declaration(bytes);
    let body = bytes.get(after_decl..).unwrap_or_default();
    let utf8 = std::str::from_utf8(body).ok();
    let encoding = match (declared, utf8) {
        // Valid UTF-8 with non-ASCII content: believe the bytes over a wrong declaration.
        (_, Some(s)) if !s.is_ascii() => UTF_8,
        (Some(enc), Some(_)) => enc,
        (Some(enc), None) if enc != UTF_8 => enc,
        (None, Some(_)) => UTF_8,
        // Declared UTF-8 (or undeclared) but invalid: a few stray bytes in UTF-8 text stay
        // UTF-8; GBK/Big5 mislabelled as UTF-8 (invalid almost everywhere) is detected.
        (_, None) if mostly_utf8(body) => UTF_8,
        (_, None) => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(body, true);
            detector.guess(None, chardetng::Utf8Detection::Allow)
        }
    };
    let text = match utf8 {
        Some(s) if encoding == UTF_8 || s.is_ascii() => Cow::Borrowed(s),
        _ => encoding.decode_without_bom_handling(body).0,
    };
    (trim_start_cow(text), encoding)
}

/// Whether `bytes`, which are not valid UTF-8, are still UTF-8 text with a few stray bytes:
/// fewer than 1 invalid byte per 50 bytes of valid non-ASCII UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().bytes().filter(|b| !b.is_ascii()).count();
        bad += chunk.invalid().len();
    }
    bad.saturating_mul(50) < good
}

/// Finds a leading `<?xml ...?>` declaration in `bytes` (already left-trimmed): returns the
/// encoding it declares (when `encoding_rs` knows the label) and the offset just past it
/// (0 when there is none).
fn xml_declaration(bytes: &[u8]) -> (Option<&'static Encoding>, usize) {
    let is_decl = bytes.starts_with(b"<?xml")
        && bytes
            .get(5)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'?');
    if !is_decl {
        return (None, 0);
    }
    let Some(end) = bytes.windows(2).position(|w| w == b"?>") else {
        return (None, 0);
    };
    let decl = bytes.get(..end).unwrap_or_default();
    let encoding = find_subslice(decl, b"encoding").and_then(|i| {
        let rest = decl.get(i + 8..)?.trim_ascii_start().strip_prefix(b"=")?;
        let rest = rest.trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value = rest.get(1..)?;
        let close = value.iter().position(|b| *b == quote)?;
        Encoding::for_label(value.get(..close)?)
    });
    (encoding, end + 2)
}

/// Position of `needle` in `haystack`.
fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Offset of the `<` opening the root element of an XML document, after the declaration,
/// processing instructions, comments and a DOCTYPE; `None` when the prolog is unterminated
/// or no element follows.
fn root_element_offset(doc: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let rest = doc.get(pos..)?;
        let trimmed = rest.trim_ascii_start();
        pos += rest.len() - trimmed.len();
        let close: &[u8] = if trimmed.starts_with(b"<?") {
            b"?>"
        } else if trimmed.starts_with(b"<!--") {
            b"-->"
        } else if trimmed.starts_with(b"<!") {
            b">"
        } else if trimmed.first() == Some(&b'<') {
            return Some(pos);
        } else {
            return None;
        };
        pos += find_subslice(trimmed, close)? + close.len();
    }
}

/// Repairs two RSS root omissions feed-rs rejects as "no feed root" but feedparser and
/// browsers accept: a `<rss>` without `version` (feed-rs needs `2.0`, `0.91`, `0.92` or empty;
/// `version="2.0"` is added) and items directly under `<rss>` without a `<channel>` (one is
/// wrapped around the content). Other documents are returned untouched (borrowed).
fn repair_rss_root(text: Cow<'_, str>) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(root) = root_element_offset(bytes) else {
        return text;
    };
    let tag = bytes.get(root..).unwrap_or_default();
    let is_rss = tag.starts_with(b"<rss")
        && tag
            .get(4)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
    if !is_rss {
        return text;
    }
    let Some(tag_end) = tag.iter().position(|b| *b == b'>') else {
        return text;
    };
    let open_tag = tag.get(..tag_end).unwrap_or_default();
    let has_version = open_tag.windows(8).enumerate().any(|(i, w)| {
        w.first().is_some_and(u8::is_ascii_whitespace)
            && w.get(1..) == Some(&b"version"[..])
            && open_tag
                .get(i + 8..)
                .is_some_and(|r| r.trim_ascii_start().first() == Some(&b'='))
    });
    let has_channel = find_subslice(tag, b"<channel").is_some();
    if has_version && has_channel {
        return text;
    }
    // Byte offsets of ASCII delimiters in a valid str are char boundaries.
    let after_open = root + tag_end + 1;
    let close = text.rfind("</rss").filter(|c| *c >= after_open);
    let mut fixed = String::with_capacity(text.len() + 40);
    fixed.push_str(text.get(..root + 4).unwrap_or_default());
    if !has_version {
        fixed.push_str(" version=\"2.0\"");
    }
    fixed.push_str(text.get(root + 4..after_open).unwrap_or_default());
    if has_channel {
        fixed.push_str(text.get(after_open..).unwrap_or_default());
    } else {
        fixed.push_str("<channel>");
        match close {
            Some(c) => {
                fixed.push_str(text.get(after_open..c).unwrap_or_default());
                fixed.push_str("</channel>");
                fixed.push_str(text.get(c..).unwrap_or_default());
            }
            None => fixed.push_str(text.get(after_open..).unwrap_or_default()),
        }
    }
    Cow::Owned(fixed)
}

/// Removes leading whitespace and an XML declaration from already decoded text.
fn strip_prolog_text(text: Cow<'_, str>) -> Cow<'_, str> {
    let text = trim_start_cow(text);
    let (_, after) = xml_declaration(text.as_bytes());
    if after == 0 {
        return text;
    }
    let rest = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(after..).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(after..).unwrap_or_default().to_owned()),
    };
    trim_start_cow(rest)
}

/// `str::trim_start` that keeps a borrow borrowed.
fn trim_start_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_start()),
        Cow::Owned(s) => {
            let trimmed = s.trim_start();
            if trimmed.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(trimmed.to_owned())
            }
        }
    }
}

/// Whether a response body is a feed rather than an HTML page, from its `Content-Type` and
/// its first bytes.
///
/// True when `content_type` is a feed type (`application/rss+xml`, `application/atom+xml`,
/// `application/rdf+xml`, `application/feed+json`), or when the first 2 KiB, after a BOM,
/// whitespace, the XML declaration, comments, processing instructions and a DOCTYPE, open
/// with an `<rss`, `<feed`, `<rdf:RDF`/`<RDF` root element, or form a JSON object naming
/// `jsonfeed.org`. Sniffing is tried whatever the content type, since many Chinese sites
/// serve RSS as `text/html` or `text/plain`.
///
/// ```
/// use yuqing_extract::feed::looks_like_feed;
/// assert!(looks_like_feed(b"\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\">", Some("text/html")));
/// assert!(!looks_like_feed(b"<!DOCTYPE html><html>", Some("text/html")));
/// ```
pub fn looks_like_feed(bytes: &[u8], content_type: Option<&str>) -> bool {
    if let Some(ct) = content_type {
        let ct = ct.trim_start().as_bytes();
        let essence = ct
            .split(|b| *b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii_end();
        for feed_type in [
            &b"application/rss+xml"[..],
            b"application/atom+xml",
            b"application/rdf+xml",
            b"application/feed+json",
        ] {
            if essence.eq_ignore_ascii_case(feed_type) {
                return true;
            }
        }
    }
    let head = bytes.get(..2048).unwrap_or(bytes);
    // UTF-16 documents: decode the head first so the ASCII scan below works.
    let decoded: Cow<'_, [u8]> = match Encoding::for_bom(head) {
        Some((enc, len)) if enc != UTF_8 => {
            let (text, _) = enc.decode_without_bom_handling(head.get(len..).unwrap_or_default());
            Cow::Owned(text.into_owned().into_bytes())
        }
        Some((_, len)) => Cow::Borrowed(head.get(len..).unwrap_or_default()),
        None => Cow::Borrowed(head),
    };
    let rest = decoded.trim_ascii_start();
    if rest.first() == Some(&b'{') {
        return find_subslice(rest, b"jsonfeed.org").is_some();
    }
    let Some(root) = root_element_offset(rest) else {
        return false;
    };
    let rest = rest.get(root..).unwrap_or_default();
    let Some(tag) = rest.strip_prefix(b"<") else {
        return false;
    };
    let name_len = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        .unwrap_or(tag.len());
    let name = tag.get(..name_len).unwrap_or_default();
    // Drop a namespace prefix (`rdf:RDF`, `atom:feed`).
    let local = match name.iter().position(|b| *b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or_default(),
        None => name,
    };
    local.eq_ignore_ascii_case(b"rss") || local == b"feed" || local == b"RDF"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_line_and_bom_before_declaration_are_tolerated() {
        let doc = "\u{feff}\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
                   <entry><id>tag:a,1</id><title type=\"html\">&lt;b&gt;邮政&lt;/b&gt; 新闻</title>\
                   <link href=\"p/1\"/><updated>2024-01-02T03:04:05+08:00</updated></entry></feed>";
        let e = parse_feed(doc.as_bytes(), "https://ex.cn/feeds/atom.xml").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].id, "tag:a,1");
        assert_eq!(e[0].title, "邮政 新闻");
        assert_eq!(e[0].link.as_deref(), Some("https://ex.cn/feeds/p/1"));
        assert_eq!(
            e[0].published_at.unwrap().to_rfc3339(),
            "2024-01-01T19:04:05+00:00"
        );
        assert_eq!(e[0].content, None);
    }

    #[test]
    fn rss_content_encoded_becomes_content_and_id_falls_back_to_link() {
        let doc = r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
            xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
            <item><title>一</title><link>https://ex.cn/1</link><dc:creator>张三</dc:creator>
            <description>&lt;p&gt;摘要&lt;/p&gt;</description>
            <content:encoded><![CDATA[<p>第一段</p><p>第二段 &amp; 更多</p>]]></content:encoded></item>
            </channel></rss>"#;
        let e = parse_feed(doc.as_bytes(), "https://ex.cn/rss").unwrap();
        assert_eq!(e[0].id, "https://ex.cn/1");
        assert_eq!(e[0].author.as_deref(), Some("张三"));
        assert_eq!(e[0].summary.as_deref(), Some("摘要"));
        assert_eq!(e[0].content.as_deref(), Some("第一段\n第二段 & 更多"));
    }

    #[test]
    fn json_feed_content_and_relative_url() {
        let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[
            {"id":"7","url":"/n/7","title":" 标题 ","content_html":"<p>正文</p>","date_published":"2024-05-01T08:00:00+08:00"},
            {"url":"https://ex.cn/n/8","content_text":"line one\n\n  line   two"}]}"#;
        let e = parse_feed(doc.as_bytes(), "https://ex.cn/feed.json").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].id, "7");
        assert_eq!(e[0].link.as_deref(), Some("https://ex.cn/n/7"));
        assert_eq!(e[0].title, "标题");
        assert_eq!(e[0].content.as_deref(), Some("正文"));
        assert_eq!(e[1].id, "https://ex.cn/n/8");
        assert_eq!(e[1].content.as_deref(), Some("line one\nline two"));
    }

    #[test]
    fn error_crosses_threads() {
        // parse_feed runs in spawn_blocking: its error must be Send + Sync + 'static.
        fn check<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
        let err = parse_feed(b"<rss version=\"2.0\"><channel>", "https://ex.cn/x").unwrap_err();
        check(&err);
        assert!(std::error::Error::source(&err).is_some(), "{err}");
    }

    #[test]
    fn errors_name_the_url() {
        let err = parse_feed(b"  \n", "https://ex.cn/empty").unwrap_err();
        assert!(matches!(err, FeedError::Empty { .. }));
        assert_eq!(err.to_string(), "feed https://ex.cn/empty is empty");
        let err = parse_feed(b"<html><body>hi</body></html>", "https://ex.cn/page").unwrap_err();
        assert!(matches!(err, FeedError::NotAFeed { .. }), "{err}");
        assert!(err.to_string().contains("https://ex.cn/page"));
        let err = parse_feed(
            b"<rss version=\"2.0\"><channel><item><title>x</ti",
            "https://ex.cn/cut",
        )
        .unwrap_err();
        assert!(err.to_string().contains("https://ex.cn/cut"), "{err}");
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        // "国家邮政局发布快递业务量数据" in GBK, no declaration.
        let (title, _, _) = encoding_rs::GBK.encode("国家邮政局发布快递业务量数据，同比增长");
        let mut doc = b"<rss version=\"2.0\"><channel><item><title>".to_vec();
        doc.extend_from_slice(&title);
        doc.extend_from_slice(b"</title><link>https://ex.cn/1</link></item></channel></rss>");
        let (_, enc) = decode_feed_bytes(&doc);
        assert_eq!(enc, encoding_rs::GBK);
        let e = parse_feed(&doc, "https://ex.cn/rss").unwrap();
        assert_eq!(e[0].title, "国家邮政局发布快递业务量数据，同比增长");
    }

    #[test]
    fn wrong_utf8_declaration_and_stray_bytes() {
        let (gbk, _, _) = encoding_rs::GBK.encode("中国邮政集团有限公司发布公告，快递包裹");
        let mut doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><title>".to_vec();
        doc.extend_from_slice(&gbk);
        doc.extend_from_slice(b"</title></rss>");
        let (text, enc) = decode_feed_bytes(&doc);
        assert_eq!(enc, encoding_rs::GBK);
        assert!(text.contains("快递包裹"), "{text}");
        // One stray byte in otherwise UTF-8 Chinese text: stays UTF-8, one replacement.
        let mut doc = "<rss><title>国家邮政局发布快递业务量数据，同比增长百分之二十"
            .as_bytes()
            .to_vec();
        doc.push(0xff);
        doc.extend_from_slice("</title></rss>".as_bytes());
        let (text, enc) = decode_feed_bytes(&doc);
        assert_eq!(enc, encoding_rs::UTF_8);
        assert_eq!(
            text,
            "<rss><title>国家邮政局发布快递业务量数据，同比增长百分之二十\u{fffd}</title></rss>"
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><item><title>邮票</title></item></channel></rss>";
        let mut bytes = vec![0xFF, 0xFE];
        for u in doc.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let e = parse_feed(&bytes, "https://ex.cn/rss").unwrap();
        assert_eq!(e[0].title, "邮票");
        assert!(looks_like_feed(&bytes, None));
    }

    #[test]
    fn double_encoded_utf8_is_repaired_latin1_kept() {
        assert_eq!(repair_double_utf8("a\u{e2}\u{80}\u{a6} b"), "a… b");
        // "快递" (E5 BF AB E9 80 92) read as Latin-1, between Chinese text.
        let moji = "国\u{e5}\u{bf}\u{ab}\u{e9}\u{80}\u{92}局";
        assert_eq!(repair_double_utf8(moji), "国快递局");
        for genuine in ["café Größe", "Ã mano", "plain ascii", "中文"] {
            assert_eq!(repair_double_utf8(genuine), genuine);
        }
        // No lead character: no copy.
        assert!(matches!(
            repair_double_utf8("国家邮政局 © 2024"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn channel_less_and_version_less_rss_is_repaired() {
        let doc = "<!-- c --><rss><item><title>a</title><link>https://ex.cn/a</link></item></rss>";
        let e = parse_feed(doc.as_bytes(), "https://ex.cn/rss").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].title, "a");
        let ok = "<rss version=\"2.0\"><channel></channel></rss>";
        assert!(matches!(
            repair_rss_root(Cow::Borrowed(ok)),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_feed(
            b"<html>",
            Some("application/rss+xml; charset=utf-8")
        ));
        assert!(looks_like_feed(
            b"<?xml version='1.0'?><!-- c --><?xml-stylesheet href='a'?><rdf:RDF xmlns:rdf='x'>",
            Some("text/xml")
        ));
        assert!(looks_like_feed(
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
            None
        ));
        assert!(looks_like_feed(
            br#"{"version": "https://jsonfeed.org/version/1"}"#,
            None
        ));
        assert!(!looks_like_feed(
            br#"{"version": 1}"#,
            Some("application/json")
        ));
        assert!(!looks_like_feed(
            b"<!DOCTYPE html>\n<html><head>",
            Some("text/html")
        ));
        assert!(!looks_like_feed(b"", None));
        assert!(!looks_like_feed(b"<feedback>", None));
    }
}
