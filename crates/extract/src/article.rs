//! Article pages: title, body, publish date, author and editor out of one HTML page.
//!
//! Order of attempts for the body: the matching [`SiteRule`]'s body selector, then a
//! `div.TRS_Editor` (TRS WCM, the CMS of most Chinese government sites), then a generic
//! text-density extractor (see [`extract_article`]).

use crate::canon::canonical_url;
use crate::date::{DateMatch, date_from_url, find_dates, parse_date_text, parse_datetime_value};
use crate::prestrip::prestrip;
use crate::scan::{next_ws, text_counts};
use chrono::{DateTime, Duration, Utc};
use ego_tree::{NodeId, NodeRef};
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use yuqing_model::{DateSource, SiteRule};

/// Shortest body accepted, in non-whitespace characters; a shorter one is [`ExtractError::TooShort`].
pub const MIN_BODY_CHARS: usize = 20;

/// What the caller knows about the page besides its HTML.
#[derive(Debug, Clone, Copy)]
pub struct PageContext<'a> {
    /// URL the page was fetched from (after redirects); used for site rules, the canonical
    /// URL and URL-path dates.
    pub url: &'a str,
    /// Fetch time, UTC: "now" for relative dates (`3小时前`) and year-less dates (`05-12 10:30`).
    pub fetched_at: DateTime<Utc>,
    /// Site rules sorted by domain (`config/sites.toml`); the longest domain matching the URL's
    /// host (equal or a subdomain) applies.
    pub rules: &'a [SiteRule],
}

/// The article found in a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtractedPage {
    /// Headline, site suffix (`_新华网`, `-人民网`, ` | 站名`) removed; may be empty.
    pub title: String,
    /// Body text: paragraphs separated by `\n`, each trimmed, no empty lines.
    pub body: String,
    /// Publish time, UTC; zone-less times were read as Beijing time.
    pub published_at: Option<DateTime<Utc>>,
    /// Where `published_at` came from ([`DateSource::None`] when it is `None`).
    pub date_source: DateSource,
    /// Author(s), space separated (作者/记者/文/通讯员, `<meta name=author>`, JSON-LD).
    pub author: Option<String>,
    /// Editor (编辑/责任编辑/责编), kept apart from the author.
    pub editor: Option<String>,
    /// Site name from `og:site_name` or the `<title>` suffix.
    pub site: Option<String>,
    /// See [`canonical_url`]; uses `<link rel=canonical>` when present.
    pub canonical_url: String,
}

/// Why a page yields no article.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    /// No text block at all was found (empty page, frameset, script-only page).
    #[error("no article content found in {url}")]
    NoContent {
        /// The page URL.
        url: String,
    },
    /// A body was found but it is shorter than [`MIN_BODY_CHARS`].
    #[error("article body of {url} too short: {chars} characters, at least {min} needed")]
    TooShort {
        /// The page URL.
        url: String,
        /// Non-whitespace characters found.
        chars: usize,
        /// The minimum ([`MIN_BODY_CHARS`]).
        min: usize,
    },
    /// A selector of the matching site rule is not valid CSS.
    #[error("invalid css selector {selector:?} in the site rule for {domain}")]
    BadSelector {
        /// The rule's domain.
        domain: String,
        /// The selector text.
        selector: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Tag classes

fn is_skipped_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "iframe"
            | "select"
            | "option"
            | "textarea"
            | "button"
            | "head"
            | "svg"
            | "object"
            | "embed"
            | "canvas"
            | "input"
            | "nav"
            | "aside"
            | "footer"
            | "marquee"
    )
}

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "tbody"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "blockquote"
            | "pre"
            | "dd"
            | "dt"
            | "dl"
            | "hr"
            | "header"
            | "main"
            | "center"
            | "form"
            | "figure"
            | "figcaption"
            | "fieldset"
            | "address"
            | "caption"
            | "body"
            | "html"
    )
}

// Class/id words of boilerplate containers: share bars, comments, related lists, footers.
static NOISE_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(?i)share|comment|related|recommend|footer|copyright|breadcrumb|crumb|^nav|[-_ ]nav|sidebar|side[-_]?bar|advert|^ads?$|[-_]ads?$|^ads?[-_]|banner|toolbar|pagination|hotnews|hot[-_]news|ranking|login|social|qrcode|erweima|fenxiang|xiangguan|tuijian|pinglun|bdshare",
    )
    .unwrap()
});

/// The value of attribute `name` (lowercase) of `el`: a linear scan of its few attributes,
/// without the atom interning of `Element::attr`.
fn attr_value<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    el.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// The class names of `el`: its `class` attribute split at ASCII whitespace, as
/// `Element::classes` does, but without interning every name as an atom (under a global
/// lock) and sorting them.
fn class_names(el: &scraper::node::Element) -> impl Iterator<Item = &str> {
    attr_value(el, "class")
        .unwrap_or("")
        .split_ascii_whitespace()
}

/// Does [`NOISE_ATTR`] match `name`? Answers are kept per page in `cache`: pages repeat a few
/// class names hundreds of times, and a hash lookup is several times cheaper than the regex.
fn is_noise_name<'a>(name: &'a str, cache: &mut NameCache<'a>) -> bool {
    *cache
        .entry(name)
        .or_insert_with(|| NOISE_ATTR.is_match(name))
}

/// Per-page verdicts of [`is_noise_name`].
type NameCache<'a> = HashMap<&'a str, bool, std::hash::BuildHasherDefault<IdHasher>>;

fn is_noise_element<'a>(el: &'a scraper::node::Element, cache: &mut NameCache<'a>) -> bool {
    let id = attr_value(el, "id").unwrap_or("");
    if !id.is_empty() && is_noise_name(id, cache) {
        return true;
    }
    class_names(el).any(|c| is_noise_name(c, cache))
}

// Class/id words of readers' comment lists.
static COMMENT_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(?i)^comments?$|comment[-_]?list|^comment[-_]?box$|pinglun|^replies$|reply[-_]?list",
    )
    .unwrap()
});

fn is_comment_element(el: &scraper::node::Element) -> bool {
    attr_value(el, "id").is_some_and(|id| COMMENT_ATTR.is_match(id))
        || class_names(el).any(|c| COMMENT_ATTR.is_match(c))
}

// ---------------------------------------------------------------------------------------------
// Scoring

/// Hasher for node ids (small integers): one multiply instead of SipHash.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap<V> = HashMap<NodeId, V, std::hash::BuildHasherDefault<IdHasher>>;
type IdSet = HashSet<NodeId, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    /// Non-whitespace characters outside links.
    text: u32,
    /// Non-whitespace characters inside links.
    link: u32,
    /// Sum of the text-node contributions below (see `score_node`).
    score: f32,
}

/// State of one scoring walk: its inputs and what it fills.
struct Scorer<'a, 's> {
    /// Elements removed by the site rule's `noise` selectors.
    noise: &'s IdSet,
    /// Filled: the stats of every element that is not skipped.
    stats: IdMap<Stats>,
    /// Noise verdicts of the page's class and id names.
    names: NameCache<'a>,
}

/// Walks the tree once, bottom-up, filling `sc.stats` for every element that is not skipped.
fn score_node<'a>(
    node: NodeRef<'a, Node>,
    in_link: bool,
    in_comments: bool,
    sc: &mut Scorer<'a, '_>,
) -> Stats {
    match node.value() {
        Node::Text(t) => {
            let (chars, punct) = text_counts(t);
            let (chars, punct) = (saturate(chars), saturate(punct));
            if chars == 0 {
                return Stats::default();
            }
            if in_link {
                Stats {
                    text: 0,
                    link: chars,
                    score: -(chars as f32) - 2.0,
                }
            } else if is_boilerplate(t) {
                // Copyright and licence notices are long and punctuated, but never the article.
                Stats {
                    text: chars,
                    link: 0,
                    score: -(chars as f32),
                }
            } else {
                Stats {
                    text: chars,
                    link: 0,
                    score: chars as f32 + 2.0 * punct as f32 - 6.0,
                }
            }
        }
        Node::Element(el) => {
            let name = el.name();
            if is_skipped_tag(name) || sc.noise.contains(&node.id()) {
                return Stats::default();
            }
            // A boilerplate class/id name (share bar, comments, related list ...).
            let noisy = is_noise_element(el, &mut sc.names);
            // An `<a>` without href is an anchor, not a link (and a stray `<a>` tag that never
            // closes would otherwise turn the rest of the page into "link text").
            let link = in_link || (name == "a" && el.attr("href").is_some());
            // Readers' comments are never the article, however long one of them is: nothing
            // below a comment list gets stats, so none of it is chosen or rendered.
            let comments = in_comments || (noisy && is_comment_element(el));
            let mut s = Stats::default();
            for child in node.children() {
                let c = score_node(child, link, comments, sc);
                s.text += c.text;
                s.link += c.link;
                s.score += c.score;
            }
            if noisy {
                // Its descendants keep their scores (so a real article inside a wrapper named
                // `blq-int-nav` is still found), but it adds nothing to its ancestors.
                return Stats::default();
            }
            if is_block_tag(name) {
                s.score -= 1.0;
            }
            if comments {
                return s;
            }
            sc.stats.insert(node.id(), s);
            s
        }
        Node::Document | Node::Fragment => {
            let mut s = Stats::default();
            for child in node.children() {
                let c = score_node(child, in_link, in_comments, sc);
                s.text += c.text;
                s.link += c.link;
                s.score += c.score;
            }
            s
        }
        _ => Stats::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering text

struct Renderer<'s> {
    out: String,
    stats: Option<&'s IdMap<Stats>>,
    noise: &'s IdSet,
    /// When set, marks (start, end) byte offsets of this node's text in `out`.
    watch: Option<NodeId>,
    watch_span: Option<(usize, usize)>,
    /// Drop link-dense blocks (body rendering) or keep everything (page text).
    prune: bool,
}

impl Renderer<'_> {
    fn newline(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            // Trim trailing spaces of the line just finished.
            let trimmed = self.out.trim_end_matches([' ', '\u{3000}', '\t']).len();
            self.out.truncate(trimmed);
            self.out.push('\n');
        }
    }

    /// Appends `t` with every whitespace run (`char::is_whitespace`, so also `&nbsp;` and
    /// the full-width indent U+3000) collapsed to one space, and none at a line start. Runs
    /// of visible characters are copied whole (a byte scan, see [`next_ws`]).
    fn push_text(&mut self, t: &str) {
        let mut last_space = self.out.is_empty() || self.out.ends_with(['\n', ' ']);
        // Start of the visible run not yet copied.
        let mut run = 0;
        while let Some((at, len)) = next_ws(t, run) {
            if run < at {
                self.out.push_str(t.get(run..at).unwrap_or_default());
                last_space = false;
            }
            if !last_space {
                self.out.push(' ');
                last_space = true;
            }
            run = at + len;
        }
        self.out.push_str(t.get(run..).unwrap_or_default());
    }

    fn render(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.push_text(t),
            Node::Element(el) => {
                let name = el.name();
                if is_skipped_tag(name) || self.noise.contains(&node.id()) {
                    return;
                }
                if self.prune {
                    // Elements absent from the scores were skipped as noise when scoring.
                    let Some(s) = self.stats.and_then(|m| m.get(&node.id())) else {
                        return;
                    };
                    {
                        let total = s.text + s.link;
                        if is_block_tag(name) && s.link > 0 && (s.link as f32) > 0.5 * total as f32
                        {
                            return;
                        }
                    }
                }
                let block = is_block_tag(name);
                if block {
                    self.newline();
                }
                let watched = self.watch == Some(node.id());
                let start = self.out.len();
                for child in node.children() {
                    self.render(child);
                }
                if watched {
                    self.watch_span = Some((start, self.out.len()));
                }
                if block {
                    self.newline();
                }
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.render(child);
                }
            }
            _ => {}
        }
    }
}

fn clean_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let l = line.trim_matches(|c: char| c.is_whitespace());
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(l);
    }
    out
}

// Lines that are site furniture wherever they appear: copyright, ICP licences, share prompts.
// (Measured: the regex's Teddy prefilter beats an `aho_corasick` automaton on these mostly
// short text nodes, 430 against 980 instructions a call.)
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(?i)版权所有|版权声明|著作权|copyright|all rights reserved|©|ICP备|ICP证|举报电话|举报邮箱|许可证编号|不得转载|扫一扫|分享到|免责声明|^声明：",
    )
    .unwrap()
});

/// Is `t` site furniture (copyright, ICP licence, report hotline, share prompt ...)?
fn is_boilerplate(t: &str) -> bool {
    BOILERPLATE.is_match(t)
}

// Byline, date and tool lines at the start or end of a body.
static EDGE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"来源|发布|时间|日期|作者|编辑|责编|字体|字号|浏览|阅读|点击|打印|关闭|收藏|评论|\d{4}[-/年.]\d{1,2}",
    )
    .unwrap()
});

fn ends_sentence(line: &str) -> bool {
    line.ends_with([
        '。', '！', '？', '”', '…', '」', '.', '!', '?', '"', '）', ')',
    ])
}

/// Drops boilerplate lines anywhere, and title repeats, byline/tool lines and short
/// unpunctuated link-list leftovers at the start and end of the body.
fn trim_body(body: &str, title: &str) -> String {
    let mut lines: Vec<&str> = body.lines().filter(|l| !is_boilerplate(l)).collect();
    let title_nows: String = title.chars().filter(|c| !c.is_whitespace()).collect();
    while let Some(first) = lines.first() {
        let n = first.chars().count();
        let nows: String = first.chars().filter(|c| !c.is_whitespace()).collect();
        let is_title = !title_nows.is_empty()
            && (nows == title_nows || (n < 60 && title_nows.contains(&nows)));
        if is_title || (n < 60 && EDGE_LINE.is_match(first) && !ends_sentence(first)) {
            lines.remove(0);
        } else {
            break;
        }
    }
    while let Some(last) = lines.last() {
        let n = last.chars().count();
        if (n < 12 && !ends_sentence(last))
            || (n < 40 && EDGE_LINE.is_match(last) && !ends_sentence(last))
        {
            lines.pop();
        } else {
            break;
        }
    }
    lines.join("\n")
}

/// Number of characters of `s` that are not whitespace.
fn nonws_len(s: &str) -> usize {
    text_counts(s).0
}

/// `n` as a `u32`, saturating (text-node lengths never come near 4 G).
fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------
// Metadata

#[derive(Default)]
struct Meta {
    og_title: Option<String>,
    site_name: Option<String>,
    author: Option<String>,
    date: Option<DateTime<Utc>>,
    canonical: Option<String>,
    ld_date: Option<DateTime<Utc>>,
    ld_author: Option<String>,
}

/// Meta keys read as the publish date, in order of preference (compared lowercase).
const DATE_META_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "publish_time",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "firstpublishedtime",
    "contentdate",
];

fn read_meta(doc: &Html) -> Meta {
    let mut m = Meta::default();
    let mut date_rank = usize::MAX;
    for node in doc.tree.nodes() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        match el.name() {
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"))
                    .or_else(|| el.attr("http-equiv"))
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                let Some(content) = el.attr("content").map(str::trim).filter(|c| !c.is_empty())
                else {
                    continue;
                };
                match key.as_str() {
                    "og:title" | "twitter:title" if m.og_title.is_none() => {
                        m.og_title = Some(content.to_string())
                    }
                    "og:site_name" if m.site_name.is_none() => {
                        m.site_name = Some(content.to_string())
                    }
                    "author" | "article:author" | "dc.creator" if m.author.is_none() => {
                        m.author = Some(content.to_string())
                    }
                    k => {
                        if let Some(rank) = DATE_META_KEYS.iter().position(|d| *d == k)
                            && rank < date_rank
                            && let Some(d) = parse_datetime_value(content)
                        {
                            m.date = Some(d);
                            date_rank = rank;
                        }
                    }
                }
            }
            "link"
                if m.canonical.is_none()
                    && el
                        .attr("rel")
                        .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                m.canonical = el.attr("href").map(str::to_string);
            }
            "script"
                if el
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
            {
                let text: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    read_json_ld(&v, &mut m, 0);
                }
            }
            _ => {}
        }
    }
    m
}

fn json_ld_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Object(o) => o.get("name").and_then(json_ld_name),
        serde_json::Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(json_ld_name).collect();
            (!names.is_empty()).then(|| names.join(" "))
        }
        _ => None,
    }
}

fn read_json_ld(v: &serde_json::Value, m: &mut Meta, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|x| read_json_ld(x, m, depth + 1)),
        serde_json::Value::Object(o) => {
            if m.ld_date.is_none() {
                m.ld_date = o
                    .get("datePublished")
                    .and_then(|d| d.as_str())
                    .and_then(parse_datetime_value);
            }
            if m.ld_author.is_none() {
                m.ld_author = o.get("author").and_then(json_ld_name);
            }
            if let Some(g) = o.get("@graph") {
                read_json_ld(g, m, depth + 1);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Title

static TITLE_SEP: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"\s*(?:_+|\|+|｜|\s[-–—]+\s|－+|——|--+|-[^\d\s]{2,8}$)\s*").unwrap()
});

/// Splits `<title>` text into (headline, site suffix).
fn split_title(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    match TITLE_SEP.find(raw) {
        Some(m) if m.start() > 0 => {
            let head = raw[..m.start()].trim();
            if nonws_len(head) >= 4 {
                let rest = raw[m.start()..]
                    .trim_start_matches(|c: char| c.is_whitespace() || "_|｜-–—－".contains(c));
                let site = rest
                    .rsplit(|c: char| "_|｜–—－".contains(c))
                    .next()
                    .map(str::trim);
                return (
                    head.to_string(),
                    site.filter(|s| !s.is_empty()).map(str::to_string),
                );
            }
            (raw.to_string(), None)
        }
        _ => (raw.to_string(), None),
    }
}

fn element_text(el: ElementRef<'_>) -> String {
    let t: String = el.text().collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

// Class names of one post's body in blog and CMS templates (`post-body`, `entry-content`).
static POST_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(?i)^(?:post|entry|blog|article)[-_]?(?:body|content|text)$").unwrap()
});

/// When `container` is a list of posts (two or more non-nested `post-body`-like elements
/// holding at least 60% of its text), the first post with some text: blog front pages list
/// the newest post first, and it is the one the page's date and title belong to.
fn first_of_post_list(doc: &Html, container: NodeId, stats: &IdMap<Stats>) -> Option<NodeId> {
    let root = doc.tree.get(container)?;
    let total = stats.get(&container)?.text;
    let mut posts: Vec<(NodeId, u32)> = Vec::new();
    for n in root.descendants().skip(1) {
        let is_post = n
            .value()
            .as_element()
            .is_some_and(|e| e.classes().any(|c| POST_CLASS.is_match(c)));
        if !is_post
            || n.ancestors()
                .any(|a| posts.iter().any(|(p, _)| *p == a.id()))
        {
            continue;
        }
        let text = stats.get(&n.id()).map_or(0, |s| s.text);
        posts.push((n.id(), text));
    }
    let covered: u32 = posts.iter().map(|(_, t)| t).sum();
    if posts.len() < 2 || (covered as f32) < 0.6 * total as f32 {
        return None;
    }
    posts
        .iter()
        .find(|(_, t)| *t as usize >= MIN_BODY_CHARS)
        .map(|(id, _)| *id)
}

// ---------------------------------------------------------------------------------------------
// Bylines

static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(
        r"(发文机关|作\s*者|撰\s*稿|撰\s*文|发表人|发帖人|本贴由|楼\s*主|[Pp]osted\s+by|(?-u:\b)[Bb]y(?-u:\b)|(?:特约|实习|本报|本台|本网|首席)?记\s*者|通讯员|(?:^|[（(\s【\[])文\s*[:：/／|])\s*[:：/／|]?\s*",
    )
    .unwrap()
});

static EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(?:责任编辑|责编|编辑)[ \t]*[:：][ \t\u{3000}]*([\p{Han}A-Za-z·]{2,12})").unwrap()
});

/// Words that end a byline name list (`记者 张三 报道`, `文/李四 摄影`).
const NAME_STOP: &[&str] = &[
    "报道",
    "摄影",
    "摄",
    "电",
    "讯",
    "编辑",
    "责任",
    "来源",
    "发布",
    "时间",
    "日期",
    "通讯员",
    "记者",
    "实习",
    "本报",
    "综合",
    "整理",
    "图",
    "文",
    "字号",
    "阅读",
    "点击",
    "浏览",
    "转载",
    "原创",
    "责任编辑",
    "责编",
    "本人",
    "个人简介",
    "简介",
    "上海",
    "北京",
    "出自",
    "出处",
    "联系",
    "访问",
    "访问统计",
    "统计",
    "人气",
];

/// Common Chinese surnames (single characters, plus frequent first syllables of Tibetan and
/// Uyghur names): a reporter byline name must start with one.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由欧司上端诸葛格扎次达旦索洛央措尼拉德益买热艾吐";

fn strip_name_suffix(tok: &str) -> &str {
    let mut t = tok;
    for suffix in ["报道", "摄影", "摄", "发自", "电", "讯"] {
        if let Some(s) = t.strip_suffix(suffix)
            && s.chars().count() >= 2
        {
            t = s;
        }
    }
    t
}

/// Reads names after a byline label: Han names (2–4 characters, or longer with `·`) for
/// reporter labels, any word for explicit 作者/发表人/posted-by labels.
fn names_after(text: &str, label: &str) -> Option<String> {
    // 发文机关 (issuing body, on government notices) names an organisation, not a person.
    let organ = label.contains("发文机关");
    let explicit = organ
        || label.contains('作')
        || label.contains("发表人")
        || label.contains("发帖人")
        || label.contains('楼')
        || label.contains("本贴由")
        || label.to_ascii_lowercase().contains("by");
    // Names sit on the label's line (a label at a line end may take the next line).
    let text = text.strip_prefix('\n').unwrap_or(text);
    let line = text.split('\n').next().unwrap_or("");
    let window: String = line.chars().take(40).collect();
    let mut names: Vec<&str> = Vec::new();
    for raw in
        window.split(|c: char| c.is_whitespace() || "、，,/／;；|）)】]（(【[：:".contains(c))
    {
        if raw.is_empty() {
            if names.is_empty() {
                continue;
            }
            // Separators in a row (`伊琳  李清芬`) are fine.
            continue;
        }
        if NAME_STOP.contains(&raw) {
            break;
        }
        // `大卫于2005年8月12日…发表`: the name ends where `于` + a date begins.
        let raw = match raw.find('于') {
            Some(i)
                if i > 0
                    && raw[i + '于'.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                &raw[..i]
            }
            _ => raw,
        };
        let tok = strip_name_suffix(raw.split("发自").next().unwrap_or(raw));
        let han = tok
            .chars()
            .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·');
        let n = tok.chars().count();
        let surname_ok = explicit || tok.chars().next().is_some_and(|c| SURNAMES.contains(c));
        let ok = if organ {
            han && (2..=20).contains(&n)
        } else if han {
            surname_ok && ((2..=4).contains(&n) || (tok.contains('·') && n <= 12))
        } else {
            explicit
                && names.is_empty()
                && (2..=20).contains(&n)
                && tok
                    .chars()
                    .all(|c| c.is_alphanumeric() || "&_-.·".contains(c))
                && !tok.chars().all(|c| c.is_ascii_digit())
        };
        if !ok {
            break;
        }
        names.push(tok);
        if tok.len() != raw.len() || !han {
            // A suffix such as 报道 ends the list; so does a non-Han user name.
            break;
        }
        if names.len() >= 6 {
            break;
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(names.join(" "))
}

// A user name written before 发表于 (blogs, forums): `ggjjzhzz 发表于 2005-9-15`.
static POSTER: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(?:^|[\s\]】|])([\p{Han}A-Za-z0-9_&·.\-]{2,20})[ \t]*(?:发表于|发表在)").unwrap()
});

// `（姚峰 上海报道）`: a name and a place before 报道 in brackets, closing a story.
static BRACKET_REPORT: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"[（(]\s*(\p{Han}{2,4})\s+\p{Han}{2,8}?报道\s*[）)]").unwrap()
});

/// `赵  培` (a two-character name padded to the width of three) becomes `赵培`.
fn join_padded_name(a: String) -> String {
    let toks: Vec<&str> = a.split_whitespace().collect();
    if toks.len() == 2 && toks.iter().all(|t| t.chars().count() == 1) {
        toks.concat()
    } else {
        a
    }
}

/// Is `name` a plausible personal name: 2–4 Han characters starting with a common surname?
fn is_person_name(name: &str) -> bool {
    let n = name.chars().count();
    (2..=4).contains(&n)
        && name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && name.chars().next().is_some_and(|c| SURNAMES.contains(c))
}

/// Characters that end organisation names (`新闻晨报`, `人民网`, `新华社`, `央视`): a 来源
/// ending in one is a publisher, not a person.
const ORG_END: &str = "报网社台刊局部委院会站厅所处视界司署办馆团校队军省市县区讯闻志店吧坛";

// `[ 黄宇 ] 来源：` (a bracketed writer just before the source label, as on sohu-style
// headers) and `来源: 尹娟` (a person given as the source: the writer of the piece).
static BRACKET_BEFORE_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"[\[【]\s*(\p{Han}{2,4})\s*[\]】][^\p{Han}\n]{0,4}来源").unwrap()
});
static SOURCE_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"来\s*源\s*[:：]\s*(\p{Han}{2,3})(?:\s|$)").unwrap()
});
// `（袁源）`, `（常书香 马丹阳）`: writers' names in brackets closing the last paragraph.
static CLOSING_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"[（(]\s*((?:\p{Han}{2,4}[\s、]*){1,4})[）)]\s*$").unwrap()
});

/// Names in brackets at the very end of the body text (`……新春佳节。（常书香 马丹阳）`).
fn closing_names(body: &str) -> Option<String> {
    let last = body.lines().last()?;
    let c = CLOSING_NAMES.captures(last)?;
    let names: Vec<&str> = c
        .get(1)?
        .as_str()
        .split(|c: char| c.is_whitespace() || c == '、')
        .filter(|t| !t.is_empty())
        .collect();
    (!names.is_empty()
        && names
            .iter()
            .all(|n| is_person_name(n) && !NAME_STOP.contains(n)))
    .then(|| names.join(" "))
}

/// A writer given in a source slot: `[ 黄宇 ] 来源：` or `来源: 尹娟` (a person's name, not a
/// publisher's).
fn source_person(region: &str) -> Option<String> {
    if let Some(m) = BRACKET_BEFORE_SOURCE
        .captures(region)
        .and_then(|c| c.get(1))
        && is_person_name(m.as_str())
    {
        return Some(m.as_str().to_string());
    }
    SOURCE_PERSON
        .captures_iter(region)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .find(|n| {
            is_person_name(n)
                && !n.chars().last().is_some_and(|c| ORG_END.contains(c))
                && !NAME_STOP.contains(n)
        })
        .map(str::to_string)
}

/// The owner of a personal blog, named by the page title: `海姑娘 | blog.example.com` or
/// `bjreader的博客`. On a personal blog the owner writes the posts.
fn blog_owner(title_tag: &str) -> Option<String> {
    let t = title_tag.trim();
    if let Some(owner) = t.strip_suffix("的博客") {
        let owner = owner.trim();
        return (!owner.is_empty() && owner.chars().count() <= 20 && !owner.contains(' '))
            .then(|| owner.to_string());
    }
    let (owner, site) = t.split_once(['|', '｜'])?;
    let (owner, site) = (owner.trim(), site.trim().to_ascii_lowercase());
    let n = owner.chars().count();
    (site.contains("blog") || site.contains("博客"))
        .then_some(owner)
        .filter(|o| (2..=12).contains(&n) && !o.contains(char::is_whitespace))
        .map(str::to_string)
}

// Forum post labels (`本贴由 大卫 于2005年…发表`), unambiguous anywhere in a post.
static FORUM_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(本贴由|发帖人|发表人)\s*[:：]?\s*").unwrap()
});

/// The poster named by a forum label anywhere in `region` (the body and what precedes it):
/// on forum pages the container often holds the post and the reply list, so the label sits
/// mid-container, out of reach of the head and tail windows.
fn forum_poster(region: &str) -> Option<String> {
    FORUM_BYLINE
        .find_iter(region)
        .find_map(|m| names_after(&region[m.end()..], m.as_str()))
}

fn find_author(region: &str) -> Option<String> {
    for m in BYLINE.find_iter(region) {
        let label = m.as_str();
        // `Produced By 大汉网络`, `Powered by …`: software credits, not bylines.
        let before = region[..m.start()].trim_end().to_ascii_lowercase();
        if label.to_ascii_lowercase().contains("by")
            && ["produced", "powered", "designed", "supported", "hosted"]
                .iter()
                .any(|w| before.ends_with(w))
        {
            continue;
        }
        if let Some(n) = names_after(&region[m.end()..], label) {
            return Some(n);
        }
    }
    if let Some(n) = BRACKET_REPORT
        .captures(region)
        .and_then(|c| c.get(1))
        .filter(|m| {
            m.as_str()
                .chars()
                .next()
                .is_some_and(|c| SURNAMES.contains(c))
        })
    {
        return Some(n.as_str().to_string());
    }
    POSTER
        .captures(region)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .filter(|n| !NAME_STOP.contains(&n.as_str()))
}

// ---------------------------------------------------------------------------------------------
// Dates in the page text

static DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: compiling it cannot fail.
    Regex::new(r"(发布时间|发表时间|发布日期|发表日期|发表于|发布于|时间|日期|来源|发布|发表|更新时间|[Pp]ublished|[Pp]osted)\s*[:：]?\s*$").unwrap()
});

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Is `d` exactly midnight in Beijing time (a date-only value)?
fn is_local_midnight(d: DateTime<Utc>) -> bool {
    d.with_timezone(&crate::date::beijing()).time() == chrono::NaiveTime::MIN
}

/// Do `a` and `b` fall on the same Beijing calendar day?
fn same_local_day(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    let tz = crate::date::beijing();
    a.with_timezone(&tz).date_naive() == b.with_timezone(&tz).date_naive()
}

/// Picks the publish date among text dates: labelled ones and those between the title and
/// the start of the body win; dates deep in the body or after it lose.
fn pick_text_date(
    page: &str,
    dates: &[DateMatch],
    title_pos: Option<usize>,
    body: (usize, usize),
    body_text: &str,
    fetched_at: DateTime<Utc>,
) -> Option<DateMatch> {
    let (bs, be) = body;
    let any_absolute = dates
        .iter()
        .any(|m| m.source == DateSource::Text && m.at <= fetched_at);
    // A written year beats an inferred one.
    let any_year = dates.iter().any(|m| m.has_year && m.at <= fetched_at);
    let mut best: Option<(f32, DateMatch)> = None;
    for m in dates {
        if m.at > fetched_at + Duration::days(1)
            || (any_absolute && m.source == DateSource::Relative)
            || (any_year && !m.has_year)
        {
            continue;
        }
        let mut score = 0.0f32;
        let before = &page[floor_char(page, m.start.saturating_sub(30))..m.start];
        if DATE_LABEL.is_match(before) {
            score += 40.0;
        }
        if m.has_time {
            score += 10.0;
        }
        if m.has_year {
            score += 10.0;
        }
        if m.source == DateSource::Relative {
            // 今天/昨天 are common words; any absolute date beats them.
            score -= 40.0;
        }
        let pos = m.start;
        if pos < bs {
            score -= (bs - pos) as f32 / 60.0;
            if let Some(tp) = title_pos
                && pos >= tp
            {
                score += 15.0;
            }
        } else if pos < be {
            let into = pos - bs;
            score -= 5.0 + into as f32 / 30.0;
            // Inside the container but pruned from the body (a related-links list): as bad
            // as a date after the body.
            if !body_text.contains(&page[m.start..m.end]) {
                score -= 25.0;
            }
        } else {
            score -= 30.0 + (pos - be) as f32 / 60.0;
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, *m));
        }
    }
    best.map(|(_, m)| m)
}

// ---------------------------------------------------------------------------------------------
// Site rules

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

/// The rule for `url`: the longest `domain` equal to the host or a parent domain of it.
pub fn matching_rule<'r>(rules: &'r [SiteRule], url: &str) -> Option<&'r SiteRule> {
    let host = host_of(url)?;
    rules
        .iter()
        .filter(|r| {
            let d = r.domain.trim().trim_start_matches('.').to_ascii_lowercase();
            !d.is_empty()
                && (host == d
                    || host
                        .strip_suffix(d.as_str())
                        .is_some_and(|p| p.ends_with('.')))
        })
        .max_by_key(|r| r.domain.len())
}

fn compile(rule: &SiteRule, sel: &str) -> Result<Selector, ExtractError> {
    Selector::parse(sel).map_err(|_| ExtractError::BadSelector {
        domain: rule.domain.clone(),
        selector: sel.to_string(),
    })
}

/// Removes a SogouT-style `<text id="URL" title=... encoding=...>` first line (CWCED pages).
fn strip_wrapper(html: &str) -> &str {
    let t = html.trim_start();
    if t.starts_with("<text ") || t.starts_with("<text\t") {
        match t.find('\n') {
            Some(nl) if t[..nl].trim_end().ends_with('>') => &t[nl + 1..],
            _ => t.find('>').map_or("", |i| &t[i + 1..]),
        }
    } else {
        html
    }
}

// ---------------------------------------------------------------------------------------------

/// Extracts the article of one page. Pure and synchronous (CPU-bound: a few ms for a 100 KB
/// page; call it off the async runtime).
///
/// * Body: the site rule's `body` selector (all matches, in order), else the largest
///   `div.TRS_Editor`, else the element with the highest text score, where each text node
///   outside a link adds its non-whitespace length + 2 per Chinese punctuation mark − 6, each
///   text node in a link subtracts its length + 2, and each block element costs 1 (a
///   maximum-subtree variant of Finn et al.'s Body Text Extraction, 2001). Inside the chosen
///   element, blocks whose text is more than half link text, `nav`/`aside`/`footer`, and
///   elements whose class/id names share bars, comments, related lists, footers or ads are
///   dropped, as are the rule's `noise` selectors. Paragraphs are joined with `\n`.
/// * Title: rule `title`, `og:title`, an `<h1>` contained in `<title>`, `<title>` without its
///   site suffix, the first `<h1>`.
/// * Date, first found: rule `date`, JSON-LD `datePublished`, meta tags (see
///   `DATE_META_KEYS` in the source: `article:published_time`, `pubdate`, `publishdate`, ...),
///   `<time datetime>`, the best-placed text date (labelled 发布时间/来源/时间, between the title and
///   the body), a date in the URL path. Text inside `<script>`/`<style>` is never read.
/// * Author: rule `author`, JSON-LD, byline patterns (作者：X, 记者 X, 文/X, 通讯员 X, 发表人) near the
///   title and at the end of the body, `<meta name=author>`. Editor: 责任编辑/责编/编辑：X.
///
/// Before the one html5ever parse, a byte scan cuts `<script>` (JSON-LD kept), `<style>`,
/// `<svg>` and comments and, when no site rule applies, the attributes nothing here reads
/// (all but `id`, `class`, `type`, a link's `href` presence, and those of `meta`, `link`,
/// `time`); on the CWCED pages the attribute filtering cuts html5ever's work by a third
/// (6.5 M to 4.4 M instructions a page). Whole cost: about 7.3 M instructions per CWCED page
/// (50 KB mean; callgrind, see `examples/bench_extract.rs`).
///
/// Errors: [`ExtractError::NoContent`] (no text), [`ExtractError::TooShort`] (body under
/// [`MIN_BODY_CHARS`]), [`ExtractError::BadSelector`] (invalid rule selector).
pub fn extract_article(html: &str, ctx: &PageContext<'_>) -> Result<ExtractedPage, ExtractError> {
    let rule = matching_rule(ctx.rules, ctx.url);
    // A site rule's selectors may name any attribute: keep them all when one applies.
    let html = prestrip(strip_wrapper(html), rule.is_none());
    let doc = Html::parse_document(&html);
    let meta = read_meta(&doc);

    // Rule selectors.
    let mut noise: IdSet = IdSet::default();
    let mut rule_body: Vec<NodeId> = Vec::new();
    let mut rule_title = None;
    let mut rule_date_text = None;
    let mut rule_author = None;
    if let Some(r) = rule {
        for n in &r.noise {
            let sel = compile(r, n)?;
            noise.extend(doc.select(&sel).map(|e| e.id()));
        }
        if let Some(b) = &r.body {
            let sel = compile(r, b)?;
            rule_body.extend(doc.select(&sel).map(|e| e.id()));
        }
        if let Some(t) = &r.title {
            let sel = compile(r, t)?;
            rule_title = doc
                .select(&sel)
                .next()
                .map(element_text)
                .filter(|t| !t.is_empty());
        }
        if let Some(d) = &r.date {
            let sel = compile(r, d)?;
            rule_date_text = doc.select(&sel).next().map(element_text);
        }
        if let Some(a) = &r.author {
            let sel = compile(r, a)?;
            rule_author = doc.select(&sel).next().map(element_text);
        }
    }

    // Score the whole tree once.
    let mut scorer = Scorer {
        noise: &noise,
        stats: IdMap::with_capacity_and_hasher(doc.tree.nodes().len(), Default::default()),
        names: NameCache::default(),
    };
    score_node(doc.tree.root(), false, false, &mut scorer);
    let stats = scorer.stats;

    // Choose body container(s).
    let mut containers: Vec<NodeId> = rule_body;
    if containers.is_empty() {
        let trs = doc
            .tree
            .nodes()
            .filter(|n| {
                n.value()
                    .as_element()
                    .is_some_and(|e| class_names(e).any(|c| c.eq_ignore_ascii_case("TRS_Editor")))
            })
            .max_by_key(|n| stats.get(&n.id()).map_or(0, |s| s.text));
        if let Some(n) = trs.filter(|n| {
            stats
                .get(&n.id())
                .is_some_and(|s| s.text as usize >= MIN_BODY_CHARS)
        }) {
            containers.push(n.id());
        }
    }
    if containers.is_empty() {
        let best = stats
            .iter()
            .filter(|(_, s)| s.text > 0)
            .max_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(a.0)));
        match best {
            Some((id, _)) => containers.push(*id),
            None => {
                return Err(ExtractError::NoContent {
                    url: ctx.url.to_string(),
                });
            }
        }
    }

    // A container that is a list of posts (a blog's front page): keep the first post.
    if rule.is_none_or(|r| r.body.is_none())
        && let [only] = containers.as_slice()
        && let Some(first) = first_of_post_list(&doc, *only, &stats)
    {
        containers = vec![first];
    }

    // A lone paragraph won (its parent also holds a link list that drags the parent's score
    // down): take its sibling paragraphs too, as readability does, and watch the parent.
    let mut watch = containers.first().copied();
    if rule.is_none_or(|r| r.body.is_none())
        && let [only] = containers.as_slice()
        && let Some(node) = doc.tree.get(*only)
        && node.value().as_element().is_some_and(|e| e.name() == "p")
        && let Some(parent) = node.parent()
    {
        let paragraphs: Vec<NodeId> = parent
            .children()
            .filter(|c| c.value().as_element().is_some_and(|e| e.name() == "p"))
            .filter(|c| {
                stats.get(&c.id()).is_some_and(|s| {
                    s.text >= 10 && (s.link as f32) <= 0.3 * (s.text + s.link) as f32
                })
            })
            .map(|c| c.id())
            .collect();
        if paragraphs.len() >= 2 {
            containers = paragraphs;
            watch = Some(parent.id());
        }
    }

    // Body text. Visible characters are at most 3 bytes in UTF-8 (CJK); whitespace adds a
    // little: sizing the buffer up front saves the copies of a growing `String`.
    let body_cap: usize = containers
        .iter()
        .filter_map(|id| stats.get(id))
        .map(|s| (s.text as usize + s.link as usize) * 3 + 64)
        .sum();
    let mut r = Renderer {
        out: String::with_capacity(body_cap),
        stats: Some(&stats),
        noise: &noise,
        watch: None,
        watch_span: None,
        prune: true,
    };
    for id in &containers {
        if let Some(n) = doc.tree.get(*id) {
            // The chosen node itself is never pruned for link density.
            r.newline();
            for child in n.children() {
                r.render(child);
            }
            r.newline();
        }
    }
    let body = clean_lines(&r.out);

    // Page text (everything outside script/style), with the body's span marked.
    let mut p = Renderer {
        out: String::with_capacity(html.len() / 2),
        stats: None,
        noise: &noise,
        watch,
        watch_span: None,
        prune: false,
    };
    p.render(doc.tree.root());
    let page = p.out;
    let body_span = p.watch_span.unwrap_or((0, page.len()));

    // Title.
    let title_tag = doc
        .tree
        .nodes()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "title"))
        .and_then(ElementRef::wrap)
        .map(element_text)
        .unwrap_or_default();
    let (title_stripped, title_site) = split_title(&title_tag);
    let h1s: Vec<String> = doc
        .tree
        .nodes()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "h1"))
        .filter_map(ElementRef::wrap)
        .map(element_text)
        .filter(|t| nonws_len(t) >= 2)
        .take(5)
        .collect();
    let title = rule_title
        .or_else(|| meta.og_title.as_deref().map(|t| split_title(t).0))
        .or_else(|| {
            h1s.iter()
                .find(|h| nonws_len(h) >= 4 && title_tag.contains(h.as_str()))
                .cloned()
        })
        .or_else(|| (!title_stripped.is_empty()).then(|| title_stripped.clone()))
        .or_else(|| h1s.first().cloned())
        .unwrap_or_default();
    let title_pos = if title.is_empty() {
        None
    } else {
        let probe: String = title.chars().take(12).collect();
        page[..body_span.0.min(page.len())].rfind(probe.as_str())
    };

    // Date.
    let mut date: Option<(DateTime<Utc>, DateSource)> = rule_date_text
        .as_deref()
        .and_then(|t| parse_date_text(t, ctx.fetched_at))
        .map(|(d, _)| (d, DateSource::SiteRule));
    if date.is_none() {
        date = meta.ld_date.map(|d| (d, DateSource::JsonLd));
    }
    if date.is_none() {
        date = meta.date.map(|d| (d, DateSource::Meta));
    }
    if date.is_none() {
        date = doc
            .tree
            .nodes()
            .filter_map(|n| n.value().as_element())
            .filter(|e| e.name() == "time")
            .filter_map(|e| e.attr("datetime"))
            .find_map(parse_datetime_value)
            .map(|d| (d, DateSource::TimeTag));
    }
    // Publish dates in the text sit near the body: search 3000 bytes before it to 1500 after.
    let text_date = || {
        let from = floor_char(&page, body_span.0.saturating_sub(3000));
        let to = floor_char(&page, (body_span.1 + 1500).min(page.len()));
        let mut dates = find_dates(&page[from..to], ctx.fetched_at);
        for d in &mut dates {
            d.start += from;
            d.end += from;
        }
        pick_text_date(&page, &dates, title_pos, body_span, &body, ctx.fetched_at)
    };
    match date {
        None => date = text_date().map(|m| (m.at, m.source)),
        // A date-only machine value (midnight Beijing time, e.g. `2022-02-13`) gives way to
        // a text date on the same day that has the time of day (`2022-02-13 07:00:00`).
        Some((d, src)) if src != DateSource::SiteRule && is_local_midnight(d) => {
            if let Some(m) = text_date()
                && m.has_time
                && m.source == DateSource::Text
                && same_local_day(m.at, d)
            {
                date = Some((m.at, DateSource::Text));
            }
        }
        Some(_) => {}
    }
    if date.is_none() {
        date = date_from_url(ctx.url).map(|d| (d, DateSource::Url));
    }

    // Author and editor.
    let (bs, be) = body_span;
    let head_start = floor_char(&page, title_pos.unwrap_or(bs.saturating_sub(300)).min(bs));
    let head_end = floor_char(&page, (bs + 150).min(page.len()));
    let tail_start = floor_char(&page, be.saturating_sub(200).max(bs));
    let tail_end = floor_char(&page, (be + 100).min(page.len()));
    let author = rule_author
        .and_then(|a| find_author(&a).or(Some(a)).filter(|a| !a.is_empty()))
        .or_else(|| meta.ld_author.clone())
        .or_else(|| find_author(&page[head_start..head_end.max(head_start)]))
        .or_else(|| find_author(&page[tail_start..tail_end.max(tail_start)]))
        .or_else(|| forum_poster(&page[head_start..be.max(head_start)]))
        .or_else(|| closing_names(&body))
        .or_else(|| source_person(&page[head_start..tail_end.max(head_start)]))
        .or_else(|| blog_owner(&title_tag))
        .or_else(|| {
            meta.author.clone().filter(|a| {
                let domain_like = a.contains('.') && a.is_ascii() && !a.contains(' ');
                // CMS user ids (`<meta name=author content="104363">`) are not names.
                let id_like = a
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == '_');
                a.chars().count() <= 20
                    && !id_like
                    && !a.contains("://")
                    && !domain_like
                    && Some(a) != meta.site_name.as_ref()
            })
        })
        .map(join_padded_name);
    let editor = EDITOR
        .captures(&page[head_start..tail_end.max(head_start)])
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string());

    let body = trim_body(&body, &title);
    // Counting stops at the minimum: bodies are long, and only a short one's length is
    // reported.
    let chars = body
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(MIN_BODY_CHARS)
        .count();
    if chars == 0 {
        return Err(ExtractError::NoContent {
            url: ctx.url.to_string(),
        });
    }
    if chars < MIN_BODY_CHARS {
        return Err(ExtractError::TooShort {
            url: ctx.url.to_string(),
            chars,
            min: MIN_BODY_CHARS,
        });
    }
    let (published_at, date_source) = match date {
        Some((d, s)) => (Some(d), s),
        None => (None, DateSource::None),
    };
    Ok(ExtractedPage {
        title,
        body,
        published_at,
        date_source,
        author,
        editor,
        site: meta.site_name.or(title_site),
        canonical_url: canonical_url(ctx.url, meta.canonical.as_deref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const PARA: &str = "国家邮政局今日发布数据显示，快递业务量同比增长百分之二十，行业运行平稳有序，服务质量持续提升。";

    fn ctx<'a>(url: &'a str, rules: &'a [SiteRule]) -> PageContext<'a> {
        PageContext {
            url,
            fetched_at: Utc.with_ymd_and_hms(2024, 3, 10, 4, 0, 0).unwrap(),
            rules,
        }
    }

    fn page(inner: &str) -> String {
        format!(
            "<html><head><title>快递业务量增长_国家邮政局</title></head><body>\
             <div class=\"nav\"><a href=\"/\">首页</a><a href=\"/a\">新闻</a><a href=\"/b\">公告</a></div>\
             {inner}<div class=\"footer\">版权所有 国家邮政局</div></body></html>"
        )
    }

    #[test]
    fn blog_front_page_keeps_the_first_post_and_owner() {
        let first = "今天去了海边，风很大，浪也很高，我们在沙滩上走了很久才回家。";
        let second = "昨天做了一道湘菜，辣得大家直喝水，可是每个人都说还想再吃一次。";
        let html = format!(
            "<html><head><title>海姑娘 | blog.example.com</title></head><body>\
             <div class=\"posts\"><div class=\"post\"><div class=\"post-title\">海边 2005-06-14 03:25:55</div>\
             <div class=\"post-body\"><p>{first}</p></div></div>\
             <div class=\"post\"><div class=\"post-title\">湘菜 2005-06-10 05:53:20</div>\
             <div class=\"post-body\"><p>{second}</p><p>{second}</p></div></div></div></body></html>"
        );
        let p = extract_article(&html, &ctx("https://blog.example.com/u/1", &[])).unwrap();
        assert_eq!(p.body, first);
        assert_eq!(p.author.as_deref(), Some("海姑娘"));
    }

    #[test]
    fn a_long_comment_never_wins_and_empty_anchor_is_dropped() {
        let long = PARA.repeat(3);
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"post\"><p>{PARA}</p><p>{PARA}</p></div>\
             <a name = \"feedback\" /><div id=\"comments\"><h4>re: 快递 2024-03-09 10:00</h4><p>{long}</p></div>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html", &[])).unwrap();
        assert_eq!(p.body, format!("{PARA}\n{PARA}"));
    }

    #[test]
    fn date_only_meta_gives_way_to_same_day_text_time() {
        let body = format!(
            "<h1>快递业务量增长</h1><div class=\"info\">发布时间：2022-02-13 07:00:00</div>\
             <div class=\"content\"><p>{PARA}</p><p>{PARA}</p></div></body></html>"
        );
        let html = |meta: &str| {
            format!(
                "<html><head><title>快递业务量增长</title><meta name=\"PubDate\" content=\"{meta}\"></head><body>{body}"
            )
        };
        let p =
            extract_article(&html("2022-02-13"), &ctx("https://a.example/1.html", &[])).unwrap();
        assert_eq!(
            p.published_at,
            Some(Utc.with_ymd_and_hms(2022, 2, 12, 23, 0, 0).unwrap())
        );
        assert_eq!(p.date_source, DateSource::Text);
        // Another day in the meta tag: the meta tag stands.
        let p =
            extract_article(&html("2022-02-14"), &ctx("https://a.example/1.html", &[])).unwrap();
        assert_eq!(
            p.published_at,
            Some(Utc.with_ymd_and_hms(2022, 2, 13, 16, 0, 0).unwrap())
        );
        assert_eq!(p.date_source, DateSource::Meta);
    }

    #[test]
    fn a_lone_paragraph_brings_its_sibling_paragraphs() {
        let links: String = (0..30)
            .map(|i| format!("<a href=\"/r{i}\">相关报道标题第{i}条快递新闻链接文字</a><br>"))
            .collect();
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"main\"><p>{PARA}<p>{PARA}{PARA}<p>编辑：山石\
             <table><tr><td>{links}</td></tr></table></div>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html", &[])).unwrap();
        assert_eq!(p.body, format!("{PARA}\n{PARA}{PARA}"));
        assert_eq!(p.editor.as_deref(), Some("山石"));
    }

    #[test]
    fn forum_poster_label_mid_container() {
        let replies: String = (0..12)
            .map(|i| format!("<p>回复第{i}条：说得很好，我也有同感，谢谢楼主的分享。</p>"))
            .collect();
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"content\"><p>{PARA}</p><p>{PARA}</p>\
             <p>本贴由 大卫 于2005年8月12日16:12:21在〖心灵体操〗发表.</p>{replies}</div>"
        ));
        let p = extract_article(&html, &ctx("https://bbs.example.com/t/1", &[])).unwrap();
        assert_eq!(p.author.as_deref(), Some("大卫"));
    }

    #[test]
    fn closing_bracket_names_and_person_as_source() {
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"content\"><p>{PARA}</p><p>{PARA}（常书香 马丹阳）</p></div>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html", &[])).unwrap();
        assert_eq!(p.author.as_deref(), Some("常书香 马丹阳"));
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"content\"><p>{PARA}</p><p>{PARA}</p></div><p>来源: 尹娟 </p>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html", &[])).unwrap();
        assert_eq!(p.author.as_deref(), Some("尹娟"));
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"content\"><p>{PARA}</p><p>{PARA}</p></div><p>来源：新闻晨报 </p>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html", &[])).unwrap();
        assert_eq!(p.author, None);
    }

    #[test]
    fn generic_body_title_date_author_editor() {
        let html = page(&format!(
            "<h1>快递业务量增长</h1><div class=\"info\">发布时间：2024-03-08 09:30 来源：新华网 记者 王小明</div>\
             <div class=\"content\"><p>{PARA}</p><p>{PARA}</p><p>（责任编辑：李四）</p></div>\
             <ul class=\"list\"><li><a href=\"/x\">其他新闻标题一二三四五</a></li></ul>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/a.html?spm=1", &[])).unwrap();
        assert_eq!(p.title, "快递业务量增长");
        assert_eq!(p.site.as_deref(), Some("国家邮政局"));
        assert_eq!(p.body, format!("{PARA}\n{PARA}\n（责任编辑：李四）"));
        assert_eq!(
            p.published_at,
            Some(Utc.with_ymd_and_hms(2024, 3, 8, 1, 30, 0).unwrap())
        );
        assert_eq!(p.date_source, DateSource::Text);
        assert_eq!(p.author.as_deref(), Some("王小明"));
        assert_eq!(p.editor.as_deref(), Some("李四"));
        assert_eq!(p.canonical_url, "https://www.spb.gov.cn/a.html");
    }

    #[test]
    fn meta_author_ids_are_not_names() {
        let html = page(&format!("<div><p>{PARA}</p><p>{PARA}</p></div>"));
        let with = |content: &str| {
            let h = html.replace(
                "<head>",
                &format!("<head><meta name=\"author\" content=\"{content}\">"),
            );
            extract_article(&h, &ctx("https://x.cn/news/1.html", &[]))
                .unwrap()
                .author
        };
        // A CMS user id (a real people.com.cn page carries one) is dropped; a name is kept.
        assert_eq!(with("104363"), None);
        assert_eq!(with("2024-01_7"), None);
        assert_eq!(with("张三").as_deref(), Some("张三"));
    }

    #[test]
    fn script_dates_are_ignored_and_meta_wins() {
        let html = page(&format!(
            "<script>var d = '2019-01-01 10:00';</script><style>/* 2018-01-01 */</style>\
             <div><p>{PARA}</p></div>"
        ));
        let p = extract_article(&html, &ctx("https://x.cn/news/20230505/1.html", &[])).unwrap();
        // Only the URL carries a date.
        assert_eq!(p.date_source, DateSource::Url);
        assert_eq!(
            p.published_at,
            Some(Utc.with_ymd_and_hms(2023, 5, 4, 16, 0, 0).unwrap())
        );
        let with_meta = html.replace(
            "<head>",
            "<head><meta property=\"article:published_time\" content=\"2024-01-02T03:04:05+08:00\">",
        );
        let p =
            extract_article(&with_meta, &ctx("https://x.cn/news/20230505/1.html", &[])).unwrap();
        assert_eq!(p.date_source, DateSource::Meta);
        assert_eq!(
            p.published_at,
            Some(Utc.with_ymd_and_hms(2024, 1, 1, 19, 4, 5).unwrap())
        );
    }

    #[test]
    fn sogou_wrapper_and_trs_editor() {
        let html = format!(
            "<text id=\"http://x.gov.cn/a.htm\" title=\"t\" encoding=\"gb2312\">\n{}",
            page(&format!(
                "<div class=\"side\"><p>{PARA}{PARA}{PARA}</p></div><div class=\"TRS_Editor\"><p>{PARA}</p></div>"
            ))
        );
        let p = extract_article(&html, &ctx("http://x.gov.cn/a.htm", &[])).unwrap();
        assert_eq!(p.body, PARA);
        assert!(!p.body.contains("text id"));
    }

    #[test]
    fn site_rule_selectors_and_noise() {
        let rules = vec![SiteRule {
            domain: "spb.gov.cn".into(),
            title: Some("#t".into()),
            body: Some(".main".into()),
            date: Some(".when".into()),
            author: None,
            noise: vec![".ad".into()],
        }];
        let html = page(&format!(
            "<div id=\"t\">规则标题</div><span class=\"when\">2024年3月1日</span>\
             <div class=\"main\"><p>{PARA}</p><div class=\"ad\">广告内容不应出现在正文里面的文字</div></div>"
        ));
        let p = extract_article(&html, &ctx("https://www.spb.gov.cn/x.html", &rules)).unwrap();
        assert_eq!(p.title, "规则标题");
        assert_eq!(p.body, PARA);
        assert_eq!(p.date_source, DateSource::SiteRule);
        // Another host: the rule does not apply.
        assert!(matching_rule(&rules, "https://notspb.gov.cn/x").is_none());
        assert!(matching_rule(&rules, "https://spb.gov.cn/x").is_some());
    }

    #[test]
    fn errors() {
        let short = page("<p>太短</p>");
        assert!(matches!(
            extract_article(&short, &ctx("https://x.cn/a", &[])),
            Err(ExtractError::TooShort { .. }) | Err(ExtractError::NoContent { .. })
        ));
        assert_eq!(
            extract_article("", &ctx("https://x.cn/a", &[])),
            Err(ExtractError::NoContent {
                url: "https://x.cn/a".into()
            })
        );
        let rules = vec![SiteRule {
            domain: "x.cn".into(),
            body: Some("div[".into()),
            ..Default::default()
        }];
        assert_eq!(
            extract_article(&page(PARA), &ctx("https://x.cn/a", &rules)),
            Err(ExtractError::BadSelector {
                domain: "x.cn".into(),
                selector: "div[".into()
            })
        );
    }

    #[test]
    fn boilerplate_lines_dropped_anywhere() {
        let body = "声明：本站内容仅供参考。\n快递业务量同比增长，行业运行平稳有序。\n\
                    Copyright 2024 国家邮政局 All Rights Reserved\n服务质量持续提升，声明：无。\n\
                    扫一扫分享到微信\n农村寄递网络不断完善，包裹数量明显增加。";
        assert_eq!(
            trim_body(body, ""),
            "快递业务量同比增长，行业运行平稳有序。\n服务质量持续提升，声明：无。\n\
             农村寄递网络不断完善，包裹数量明显增加。"
        );
        assert_eq!(trim_body("", "标题"), "");
    }

    #[test]
    fn title_suffixes() {
        assert_eq!(split_title("标题内容很长_新华网").0, "标题内容很长");
        assert_eq!(split_title("标题内容很长-人民网").0, "标题内容很长");
        assert_eq!(split_title("标题内容很长 | 某某站").0, "标题内容很长");
        assert_eq!(split_title("2005-2006年度报告").0, "2005-2006年度报告");
    }
}
