//! Canonical URLs: one spelling per article, so a re-crawl or a share link with tracking
//! parameters maps to the same article id.

use url::Url;

/// Query parameters removed by [`canonical_url`] (compared lowercase). `utm_*` is removed as a
/// prefix; the others are exact names. Sources: Google Analytics campaign tags (`utm_*`),
/// Alibaba/Taobao (`spm`, `scm`), Tencent/WeChat share links (`from`, `isappinstalled`,
/// `share`, `sharer_*` via prefix below, `chksm`, `scene`, `srcid`, `sessionid`, `clicktime`,
/// `enterid`, `subscene`), Baidu (`bd_vid`), Facebook/Google/Microsoft click ids
/// (`fbclid`, `gclid`, `msclkid`), plus generic `ref`, `share_token`, `timestamp`.
pub const TRACKING_PARAMS: &[&str] = &[
    "spm",
    "scm",
    "from",
    "share",
    "share_token",
    "isappinstalled",
    "chksm",
    "scene",
    "srcid",
    "sessionid",
    "clicktime",
    "enterid",
    "subscene",
    "bd_vid",
    "fbclid",
    "gclid",
    "msclkid",
    "ref",
    "timestamp",
];

/// Query parameter name prefixes removed by [`canonical_url`] (compared lowercase).
pub const TRACKING_PREFIXES: &[&str] = &["utm_", "sharer_"];

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&lower.as_str())
        || TRACKING_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Canonical URL of a page fetched from `url`.
///
/// `canonical_hint` is the page's `<link rel="canonical">` href; it is resolved against `url`
/// and used when it is an http(s) URL, otherwise `url` is used. Then: scheme and host
/// lowercased (done by the WHATWG parser), default port dropped, fragment removed, tracking
/// parameters ([`TRACKING_PARAMS`], [`TRACKING_PREFIXES`]) removed keeping the order of the
/// others, an empty query removed. Idempotent: applying it to its own output changes nothing.
/// A `url` that does not parse is returned trimmed and otherwise unchanged (never an error:
/// the caller still needs some key).
///
/// ```
/// use yuqing_extract::canonical_url;
/// assert_eq!(
///     canonical_url("HTTP://News.Example.CN/a.html?utm_source=wx&id=3#top", None),
///     "http://news.example.cn/a.html?id=3"
/// );
/// ```
pub fn canonical_url(url: &str, canonical_hint: Option<&str>) -> String {
    let base = match Url::parse(url.trim()) {
        Ok(u) => u,
        Err(_) => return url.trim().to_string(),
    };
    let mut chosen = canonical_hint
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .and_then(|h| base.join(h).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(base);
    chosen.set_fragment(None);
    if chosen.query().is_some() {
        let kept: Vec<(String, String)> = chosen
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            chosen.set_query(None);
        } else {
            chosen.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    chosen.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_params_and_fragment_removed() {
        assert_eq!(
            canonical_url(
                "https://www.spb.gov.cn/a/1.html?spm=a.b.c&id=7&utm_medium=x&from=timeline#p2",
                None
            ),
            "https://www.spb.gov.cn/a/1.html?id=7"
        );
        assert_eq!(
            canonical_url("https://x.cn/a?utm_source=1&FROM=2", None),
            "https://x.cn/a"
        );
    }

    #[test]
    fn case_and_default_port() {
        assert_eq!(
            canonical_url("HTTPS://WWW.X.CN:443/Path", None),
            "https://www.x.cn/Path"
        );
    }

    #[test]
    fn canonical_hint_is_resolved_and_checked() {
        assert_eq!(
            canonical_url("https://m.x.cn/a?id=1", Some("/news/a.html")),
            "https://m.x.cn/news/a.html"
        );
        assert_eq!(
            canonical_url("https://m.x.cn/a", Some("https://www.x.cn/b#c")),
            "https://www.x.cn/b"
        );
        // Not http(s): ignored.
        assert_eq!(
            canonical_url("https://m.x.cn/a", Some("javascript:void(0)")),
            "https://m.x.cn/a"
        );
        assert_eq!(
            canonical_url("https://m.x.cn/a", Some("  ")),
            "https://m.x.cn/a"
        );
    }

    #[test]
    fn idempotent() {
        for u in [
            "HTTP://News.Example.CN/a.html?utm_source=wx&id=3&q=%E5%BF%AB%E9%80%92#top",
            "https://x.cn/a b?x=1+2&spm=3",
            "https://x.cn/?",
            "not a url",
        ] {
            let once = canonical_url(u, None);
            assert_eq!(canonical_url(&once, None), once, "{u}");
        }
    }
}
