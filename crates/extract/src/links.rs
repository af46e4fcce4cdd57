//! Article links on a listing page.
//!
//! Answers "which article pages does this list page (新闻列表页) point to?", given the CSS
//! selector of the source's `link_selector`.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

/// A one-line, lowercase description of a selector parse error for users. scraper's own
/// message for most selector grammar errors is "Unexpected error occurred. Please report this
/// to the developer" followed by a multi-line debug dump of the parser's state: that becomes
/// "unsupported or malformed selector syntax".
pub fn selector_reason(e: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind as K;
    match e {
        K::UnexpectedSelectorParseError(_) => "unsupported or malformed selector syntax".into(),
        K::EndOfLine => "the selector ends too early".into(),
        K::UnexpectedToken => "unexpected token".into(),
        other => other.to_string().to_lowercase(),
    }
}

/// Why links could not be extracted.
#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    /// The `link_selector` is not valid CSS (as parsed by `scraper`/`selectors`).
    #[error("invalid css selector {selector:?}: {message}")]
    BadSelector {
        /// The selector as given.
        selector: String,
        /// A plain description of the problem ([`selector_reason`]).
        message: String,
    },
    /// The page URL is not an absolute URL, so relative links cannot be resolved.
    #[error("invalid base url {url:?}: {source}")]
    BadBaseUrl {
        /// The base URL as given.
        url: String,
        /// The URL parser's error.
        #[source]
        source: url::ParseError,
    },
}

/// `a[href]` inside a matched container.
static ANCHOR: LazyLock<Selector> =
    // Constant, valid selector: parsing cannot fail.
    LazyLock::new(|| Selector::parse("a[href]").unwrap());

/// Article links on a listing page: the `href`s of elements matching `selector` (when a match
/// is itself an element with `href`, e.g. `ul.list a`), or of the `a[href]` elements inside
/// them (e.g. `ul.list`), in page order.
///
/// Each `href` is trimmed and resolved against `base_url` (honouring a `<base href>` in the
/// page, as browsers do); only `http`/`https` results are kept (so `javascript:`, `mailto:`,
/// `tel:` links are dropped), as are same-page links (empty or `#...` hrefs); the fragment is
/// removed; duplicates are removed,
/// keeping the first occurrence. No other normalisation (query parameters are kept: many
/// Chinese CMSs put the article id there).
///
/// CPU-bound (one HTML parse): call it off the async runtime.
///
/// # Errors
/// [`LinksError::BadSelector`] naming the selector when it is not valid CSS;
/// [`LinksError::BadBaseUrl`] when `base_url` is not an absolute URL.
///
/// ```
/// use yuqing_extract::links::extract_links;
/// let html = r#"<ul class="list"><li><a href="/a/1.html#top">一</a></li>
///               <li><a href="javascript:void(0)">更多</a></li><li><a href="2.html">二</a></li></ul>"#;
/// let links = extract_links(html, "https://www.spb.gov.cn/xw/", "ul.list").unwrap();
/// assert_eq!(links, ["https://www.spb.gov.cn/a/1.html", "https://www.spb.gov.cn/xw/2.html"]);
/// ```
pub fn extract_links(
    html: &str,
    base_url: &str,
    selector: &str,
) -> Result<Vec<String>, LinksError> {
    let sel = Selector::parse(selector).map_err(|e| LinksError::BadSelector {
        selector: selector.to_owned(),
        message: selector_reason(&e),
    })?;
    let mut base = Url::parse(base_url).map_err(|source| LinksError::BadBaseUrl {
        url: base_url.to_owned(),
        source,
    })?;
    let doc = Html::parse_document(html);
    if let Some(href) = first_base_href(&doc)
        && let Ok(b) = base.join(href)
    {
        base = b;
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut push = |el: ElementRef<'_>| {
        let Some(href) = el.value().attr("href") else {
            return;
        };
        let href = href.trim();
        // Same-page links (`#top`, `""`) are navigation, never articles.
        if href.is_empty() || href.starts_with('#') {
            return;
        }
        let Ok(mut url) = base.join(href) else {
            return;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        url.set_fragment(None);
        let url: String = url.into();
        if seen.insert(url.clone()) {
            out.push(url);
        }
    };
    for el in doc.select(&sel) {
        if el.value().attr("href").is_some() {
            push(el);
        } else {
            el.select(&ANCHOR).for_each(&mut push);
        }
    }
    Ok(out)
}

/// `href` of the page's first `<base>` element, if any.
fn first_base_href(doc: &Html) -> Option<&str> {
    static BASE: LazyLock<Selector> =
        // Constant, valid selector: parsing cannot fail.
        LazyLock::new(|| Selector::parse("base[href]").unwrap());
    doc.select(&BASE).next()?.value().attr("href")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://www.example.cn/news/list.html";

    #[test]
    fn relative_links_resolved() {
        let html = r#"<div class="l"><a href="a.html">1</a><a href="/b.html">2</a>
                      <a href="../c/d.html?id=3">3</a><a href="//cdn.example.cn/e">4</a>
                      <a href=" http://other.cn/f ">5</a></div>"#;
        assert_eq!(
            extract_links(html, BASE, "div.l a").unwrap(),
            [
                "https://www.example.cn/news/a.html",
                "https://www.example.cn/b.html",
                "https://www.example.cn/c/d.html?id=3",
                "https://cdn.example.cn/e",
                "http://other.cn/f",
            ]
        );
    }

    #[test]
    fn container_selector_collects_inner_anchors() {
        let html = r#"<ul class="news"><li><a href="1.html">一</a><span>2024-01-01</span></li>
                      <li><div><a href="2.html">二</a></div></li></ul>
                      <ul class="nav"><li><a href="/home">首页</a></li></ul>"#;
        assert_eq!(
            extract_links(html, BASE, "ul.news").unwrap(),
            [
                "https://www.example.cn/news/1.html",
                "https://www.example.cn/news/2.html"
            ]
        );
        // Matching the anchors themselves gives the same links.
        assert_eq!(
            extract_links(html, BASE, "ul.news a").unwrap(),
            extract_links(html, BASE, "ul.news li").unwrap()
        );
    }

    #[test]
    fn javascript_mailto_dropped_and_duplicates_removed() {
        let html = r##"<div id="x"><a href="javascript:void(0)">j</a><a href="mailto:a@b.cn">m</a>
                      <a href="tel:123">t</a><a href="#">top</a><a href="p1.html#c">1</a>
                      <a href="p1.html">1 again</a><a href="p2.html">2</a><a>no href</a>
                      <a href="https://www.example.cn/news/p2.html#x">2 again</a></div>"##;
        assert_eq!(
            extract_links(html, BASE, "#x").unwrap(),
            [
                "https://www.example.cn/news/p1.html",
                "https://www.example.cn/news/p2.html"
            ]
        );
    }

    #[test]
    fn base_element_is_honoured() {
        let html = r#"<html><head><base href="https://m.example.cn/wap/"></head>
                      <body><a class="t" href="n/1.html">1</a></body></html>"#;
        assert_eq!(
            extract_links(html, BASE, "a.t").unwrap(),
            ["https://m.example.cn/wap/n/1.html"]
        );
    }

    #[test]
    fn bad_selector_and_base_are_errors() {
        let err = extract_links("<a href=x>", BASE, "ul[[").unwrap_err();
        assert!(matches!(err, LinksError::BadSelector { .. }));
        assert!(err.to_string().contains("\"ul[[\""), "{err}");
        let err = extract_links("<a href=x>", "not a url", "a").unwrap_err();
        assert!(err.to_string().contains("not a url"), "{err}");
        // Grammar errors scraper reports with a debug dump read as one plain line.
        let err = extract_links("<a href=x>", BASE, "div:nosuchpseudo")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid css selector \"div:nosuchpseudo\": unsupported or malformed selector syntax"
        );
        for css in ["ul >", "a[", "p::", "##x", ">"] {
            let err = extract_links("<a href=x>", BASE, css)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("invalid css selector {css:?}: "))
                    && !err.contains('\n')
                    && !err.contains("developer"),
                "{err}"
            );
        }
    }

    #[test]
    fn no_match_is_empty() {
        assert!(
            extract_links("<p>无链接</p>", BASE, "ul.list")
                .unwrap()
                .is_empty()
        );
    }
}
