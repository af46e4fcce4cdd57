//! Escaping for the pages: text, highlighted text, index snippets, links, sparklines.
//!
//! Every string from an article (title, body, site, URL) reaches a template either as a plain
//! value (escaped by minijinja's HTML auto-escaping) or through one of the functions here,
//! which escape first and only then add their own fixed markup (`<mark>`, `<em>`, SVG).

use std::fmt::Write;

/// `s` with `& < > " '` replaced by entities (`&#x27;` for `'`; html-escape's
/// `encode_quoted_attribute`), safe in text and in quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// [`escape`] appended to `out`.
fn escape_into(out: &mut String, s: &str) {
    html_escape::encode_quoted_attribute_to_string(s, out);
}

/// A term to mark in a text and the CSS class of its `<mark>` (`""` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MarkTerm {
    /// The text to find (matched ASCII-case-insensitively; empty terms are ignored).
    pub term: String,
    /// Class of the `<mark>`: `q` (query term), `` (theme term), `neg`, `pos`.
    pub class: &'static str,
}

/// `text` HTML-escaped with every occurrence of the `terms` wrapped in
/// `<mark class="..">..</mark>`. Matches are found on the raw text (ASCII case folded, which
/// keeps byte offsets), then overlaps are resolved left to right, the longest match winning
/// at one position (so `快递进村` beats `快递`); each piece is escaped before the markup is
/// added, so markup in the text can never open or close a tag.
///
/// Cost: one `match_indices` pass over the text per term, then a sort of the matches.
pub(crate) fn highlight(text: &str, terms: &[MarkTerm]) -> String {
    let folded = text.to_ascii_lowercase();
    let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
    for t in terms {
        let needle = t.term.trim().to_ascii_lowercase();
        if needle.is_empty() {
            continue;
        }
        for (start, m) in folded.match_indices(needle.as_str()) {
            spans.push((start, start + m.len(), t.class));
        }
    }
    // By start, longer first.
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len() + spans.len() * 24);
    let mut pos = 0;
    for (start, end, class) in spans {
        if start < pos {
            continue; // overlaps the previous mark
        }
        // Offsets come from the ASCII-folded copy, which has the same byte layout as `text`,
        // and from matches of whole UTF-8 needles, so both are char boundaries; `get` keeps
        // this panic-free all the same.
        let (Some(before), Some(inner)) = (text.get(pos..start), text.get(start..end)) else {
            continue;
        };
        escape_into(&mut out, before);
        if class.is_empty() {
            out.push_str("<mark>");
        } else {
            let _ = write!(out, "<mark class=\"{class}\">");
        }
        escape_into(&mut out, inner);
        out.push_str("</mark>");
        pos = end;
    }
    escape_into(&mut out, text.get(pos..).unwrap_or_default());
    out
}

/// An index snippet (already HTML-escaped by `yuqing_index`, matched terms in `<em>..</em>`)
/// made safe whatever it holds: the exact tags `<em>` and `</em>` are kept, every other `<`
/// and `>` and every quote is escaped (entities already in it are left alone). So a snippet
/// can carry no element but `em`, even if the index escaped less than it promises.
pub(crate) fn sanitize_snippet(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    let mut rest = snippet;
    while let Some(i) = rest.find(['<', '>', '"', '\'']) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        if let Some(after) = tail.strip_prefix("<em>") {
            out.push_str("<em>");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("</em>") {
            out.push_str("</em>");
            rest = after;
        } else {
            // `tail` starts with one of `< > " '` (ASCII: a one-byte char), so this splits.
            let Some((c, after)) = tail.split_at_checked(1) else {
                break;
            };
            escape_into(&mut out, c);
            rest = after;
        }
    }
    out.push_str(rest);
    balance_em(out)
}

/// Closes an `<em>` left open (a snippet cut inside a match) so it cannot spill over the page.
fn balance_em(mut s: String) -> String {
    let opened = s.matches("<em>").count();
    let closed = s.matches("</em>").count();
    for _ in closed..opened {
        s.push_str("</em>");
    }
    s
}

/// `url` when it is an absolute `http` or `https` URL (parsed with the `url` crate, so
/// `javascript:`, `data:` and relative or malformed URLs give `None`), in its serialised form.
pub(crate) fn safe_http_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let ok = matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some();
    ok.then(|| parsed.to_string())
}

/// Width and height of a sparkline, CSS pixels.
pub(crate) const SPARK_W: f64 = 140.0;
/// See [`SPARK_W`].
pub(crate) const SPARK_H: f64 = 26.0;

/// An inline SVG sparkline of daily counts (one value per day, oldest first): a filled line
/// scaled to the largest count, a base line, and a `<title>` with the total and peak for
/// screen readers and hover; when `undated` (of the total) is not 0, the title adds that
/// that many articles have no publish date and are counted on their fetch day. Only numbers
/// go into it, so it is safe to emit unescaped. No values gives an empty string; a single
/// day is drawn as a flat line at its height.
pub(crate) fn sparkline(counts: &[u64], undated: u64) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let total: u64 = counts.iter().sum();
    let pad = 2.0;
    let h = SPARK_H - 2.0 * pad;
    let n = counts.len();
    let step = if n > 1 {
        (SPARK_W - 2.0 * pad) / (n - 1) as f64
    } else {
        0.0
    };
    let point = |i: usize, c: u64| -> (f64, f64) {
        let x = if n > 1 {
            pad + step * i as f64
        } else {
            pad + (SPARK_W - 2.0 * pad) * (i as f64)
        };
        let y = if max == 0 {
            SPARK_H - pad
        } else {
            SPARK_H - pad - h * (c as f64) / (max as f64)
        };
        (x, y)
    };
    let mut pts: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| point(i, c))
        .collect();
    if n == 1
        && let Some(&(_, y)) = pts.first()
    {
        pts.push((SPARK_W - pad, y));
    }
    let mut line = String::new();
    for (x, y) in &pts {
        let _ = write!(line, "{x:.1},{y:.1} ");
    }
    let line = line.trim_end();
    let (first_x, last_x) = (
        pts.first().map_or(pad, |p| p.0),
        pts.last().map_or(SPARK_W - pad, |p| p.0),
    );
    let base = SPARK_H - pad;
    let note = if undated > 0 {
        format!("；含 {undated} 篇无发布日期，按抓取日计入")
    } else {
        String::new()
    };
    format!(
        "<svg class=\"spark\" width=\"{w}\" height=\"{hgt}\" viewBox=\"0 0 {w} {hgt}\" role=\"img\" \
         aria-label=\"每日报道量，共{total}篇，单日最多{max}篇{note}\"><title>共 {total} 篇，单日最多 {max} 篇（{n} 天{note}）</title>\
         <polygon class=\"area\" points=\"{first_x:.1},{base:.1} {line} {last_x:.1},{base:.1}\"/>\
         <line class=\"base\" x1=\"{pad}\" y1=\"{base:.1}\" x2=\"{right:.1}\" y2=\"{base:.1}\"/>\
         <polyline class=\"line\" points=\"{line}\"/></svg>",
        w = SPARK_W,
        hgt = SPARK_H,
        right = SPARK_W - pad,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(term: &str, class: &'static str) -> MarkTerm {
        MarkTerm {
            term: term.to_string(),
            class,
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn highlight_escapes_first_and_prefers_longest() {
        let html = highlight(
            "快递进村<script>alert(1)</script>，快递 EMS 与 ems",
            &[t("快递", "q"), t("快递进村", ""), t("ems", "neg")],
        );
        assert_eq!(
            html,
            "<mark>快递进村</mark>&lt;script&gt;alert(1)&lt;/script&gt;，<mark class=\"q\">快递</mark> \
             <mark class=\"neg\">EMS</mark> 与 <mark class=\"neg\">ems</mark>"
        );
        // A term containing markup is matched on the raw text and escaped inside the mark.
        assert_eq!(
            highlight("a<b>c", &[t("<b>", "q")]),
            "a<mark class=\"q\">&lt;b&gt;</mark>c"
        );
        assert_eq!(
            highlight("无匹配 & 文本", &[t("", "q")]),
            "无匹配 &amp; 文本"
        );
    }

    #[test]
    fn snippet_keeps_only_em() {
        assert_eq!(
            sanitize_snippet("前文<em>快递</em>&amp;后文"),
            "前文<em>快递</em>&amp;后文"
        );
        assert_eq!(
            sanitize_snippet("<img src=x onerror=\"a\"><em>x</em><script>"),
            "&lt;img src=x onerror=&quot;a&quot;&gt;<em>x</em>&lt;script&gt;"
        );
        assert_eq!(sanitize_snippet("<em>cut"), "<em>cut</em>");
        assert_eq!(
            sanitize_snippet("it's <em>a</em> &#x27;b&#x27;"),
            "it&#x27;s <em>a</em> &#x27;b&#x27;"
        );
        assert_eq!(sanitize_snippet("<e"), "&lt;e");
    }

    #[test]
    fn only_http_links() {
        assert_eq!(
            safe_http_url("https://www.spb.gov.cn/a 1.html").as_deref(),
            Some("https://www.spb.gov.cn/a%201.html")
        );
        assert_eq!(
            safe_http_url("http://x.cn").as_deref(),
            Some("http://x.cn/")
        );
        assert_eq!(safe_http_url("javascript:alert(1)"), None);
        assert_eq!(safe_http_url(" JavaScript:alert(1)"), None);
        assert_eq!(safe_http_url("data:text/html,<script>"), None);
        assert_eq!(safe_http_url("/relative"), None);
    }

    #[test]
    fn sparkline_scales_to_the_peak() {
        let svg = sparkline(&[0, 2, 4], 0);
        // x from 2 to 138 in two steps; y: 0 -> 24 (base), 2 -> 13, 4 -> 2 (top).
        assert!(
            svg.contains("points=\"2.0,24.0 70.0,13.0 138.0,2.0\""),
            "{svg}"
        );
        assert!(svg.contains("<title>共 6 篇，单日最多 4 篇（3 天）</title>"));
        let undated = sparkline(&[0, 2, 4], 1);
        assert!(
            undated.contains(
                "<title>共 6 篇，单日最多 4 篇（3 天；含 1 篇无发布日期，按抓取日计入）</title>"
            ),
            "{undated}"
        );
        let flat = sparkline(&[0, 0], 0);
        assert!(flat.contains("points=\"2.0,24.0 138.0,24.0\""), "{flat}");
        let one = sparkline(&[5], 0);
        assert!(one.contains("points=\"2.0,2.0 138.0,2.0\""), "{one}");
        assert_eq!(sparkline(&[], 0), "");
    }
}
