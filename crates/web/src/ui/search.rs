//! The search page (`/search`): runs the index search of the URL's state and builds the view
//! (hits, theme tree, facets with counts, active filters, pager).

use minijinja::Value;
use serde::Serialize;
use yuqing_index::{FacetCount, Facets, Hit, SearchRequest};
use yuqing_model::{SentimentLabel, Tier};
use yuqing_report::beijing_time_str;
use yuqing_themes::{ThemeKind, ThemeSet, chinese_numeral};

use super::html::sanitize_snippet;
use super::params::{Dim, Field, MAX_PAGE, PAGE_SIZE, Problem, SearchParams, shown_value};
use crate::{AppState, MAX_QUERY_CHARS, WebError};

/// One link of a facet list or the theme tree.
#[derive(Debug, Serialize)]
pub(crate) struct FacetLink {
    pub key: String,
    pub label: String,
    pub count: u64,
    pub link: String,
    pub on: bool,
}

/// A section of the theme tree with its items.
#[derive(Debug, Serialize)]
pub(crate) struct TreeSection {
    pub id: String,
    pub label: String,
    pub count: u64,
    pub link: String,
    pub on: bool,
    pub open: bool,
    pub items: Vec<FacetLink>,
}

#[derive(Debug, Serialize)]
struct ThemeTag {
    name: String,
    link: String,
}

#[derive(Debug, Serialize)]
struct HitView {
    id: String,
    title: String,
    link: String,
    site: String,
    tier: &'static str,
    time: String,
    sentiment: Option<&'static str>,
    sentiment_zh: Option<&'static str>,
    snippet: Value,
    themes: Vec<ThemeTag>,
    reprints: u64,
    cluster_link: String,
}

#[derive(Debug, Serialize)]
struct Chip {
    label: String,
    clear: String,
}

#[derive(Debug, Serialize)]
struct PageLink {
    n: usize,
    link: Option<String>,
    on: bool,
}

/// Display label of a theme id: `四、加强…` for a section, `10. 9792工程` for an item, the
/// id itself when the theme set does not know it.
pub(crate) fn theme_label(themes: &ThemeSet, id: &str) -> String {
    match themes.theme(id) {
        Some(t) if t.kind == ThemeKind::Section => {
            format!("{}、{}", chinese_numeral(t.number), t.name)
        }
        Some(t) => format!("{}. {}", t.number, t.name),
        None => id.to_string(),
    }
}

/// Chinese label of a tier's config spelling (the spelling itself if unknown).
pub(crate) fn tier_zh(tier: &str) -> &'static str {
    Tier::parse(tier).map_or("未知层级", Tier::label_zh)
}

fn count_of(list: &[FacetCount], key: &str) -> u64 {
    list.iter().find(|f| f.key == key).map_or(0, |f| f.count)
}

/// The theme tree: every section of `themes` (file order) with its items, counts from
/// `counts`, links that set (or, when already on, keep) the theme filter of `p`.
pub(crate) fn theme_tree(
    themes: &ThemeSet,
    counts: &[FacetCount],
    p: &SearchParams,
) -> Vec<TreeSection> {
    let all = themes.themes();
    all.iter()
        .filter(|t| t.kind == ThemeKind::Section)
        .map(|s| {
            let items: Vec<FacetLink> = all
                .iter()
                .filter(|t| t.kind == ThemeKind::Item && t.section == s.id)
                .map(|i| FacetLink {
                    key: i.id.clone(),
                    label: theme_label(themes, &i.id),
                    count: count_of(counts, &i.id),
                    link: p.with_dim(Dim::Theme, &i.id).href("/search"),
                    on: p.theme == i.id,
                })
                .collect();
            let count = count_of(counts, &s.id);
            let on = p.theme == s.id;
            TreeSection {
                open: on || count > 0 || items.iter().any(|i| i.on),
                id: s.id.clone(),
                label: theme_label(themes, &s.id),
                count,
                link: p.with_dim(Dim::Theme, &s.id).href("/search"),
                on,
                items,
            }
        })
        .collect()
}

fn facet_links(
    p: &SearchParams,
    dim: Dim,
    keys: impl IntoIterator<Item = (String, String)>,
    counts: &[FacetCount],
) -> Vec<FacetLink> {
    keys.into_iter()
        .map(|(key, label)| FacetLink {
            count: count_of(counts, &key),
            link: p.with_dim(dim, &key).href("/search"),
            on: p.dim(dim) == key,
            key,
            label,
        })
        .collect()
}

/// Facet counts of one dimension: from the main search when that dimension is not filtered,
/// else from a count-only search without its filter (so the other values of a filtered
/// dimension still show how many articles they would give).
fn dim_counts(
    state: &AppState,
    req: &SearchRequest,
    main: &Facets,
    dim: Dim,
    filtered: bool,
) -> Result<Vec<FacetCount>, WebError> {
    let pick = |f: &Facets| match dim {
        Dim::Theme => f.theme.clone(),
        Dim::Sentiment => f.sentiment.clone(),
        Dim::Tier => f.tier.clone(),
        Dim::Source => f.source.clone(),
    };
    if !filtered {
        return Ok(pick(main));
    }
    let mut r = req.clone();
    r.limit = 0;
    r.offset = 0;
    r.collapse = false;
    r.facets = true;
    match dim {
        Dim::Theme => r.theme = None,
        Dim::Sentiment => r.sentiment = None,
        Dim::Tier => r.tier = None,
        Dim::Source => r.source = None,
    }
    let res = state.index.search(&r)?;
    Ok(res.facets.as_ref().map(pick).unwrap_or_default())
}

fn hit_view(state: &AppState, p: &SearchParams, h: Hit) -> HitView {
    let themes = &state.themes;
    // Items are the precise coverage; a section shows only when none of its items matched.
    let items: Vec<&String> = h.themes.iter().filter(|t| t.contains(".i")).collect();
    let shown: Vec<&String> = h
        .themes
        .iter()
        .filter(|t| t.contains(".i") || !items.iter().any(|i| i.starts_with(&format!("{t}."))))
        .collect();
    let tags = shown
        .into_iter()
        .map(|t| ThemeTag {
            name: theme_label(themes, t),
            link: p.with_dim(Dim::Theme, t).href("/search"),
        })
        .collect();
    let mut article_link = format!("/articles/{}", h.id);
    if !p.q.is_empty() {
        article_link.push('?');
        article_link.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &p.q)
                .finish(),
        );
    }
    let cluster = SearchParams {
        q: format!("cluster:{}", h.cluster),
        sort: "time".into(),
        ..Default::default()
    };
    HitView {
        link: article_link,
        tier: tier_zh(&h.tier),
        time: h
            .published_at
            .map_or_else(|| "无日期".to_string(), beijing_time_str),
        sentiment: h.sentiment.map(SentimentLabel::as_str),
        sentiment_zh: h.sentiment.map(SentimentLabel::label_zh),
        snippet: Value::from_safe_string(sanitize_snippet(&h.snippet)),
        themes: tags,
        reprints: h.cluster_size.saturating_sub(1),
        cluster_link: cluster.href("/search"),
        id: h.id,
        title: h.title,
        site: h.site,
    }
}

/// A problem with the search shown above the results: a Chinese explanation for the analyst,
/// then (smaller) the technical detail when there is one (the query parser's text).
#[derive(Debug, Serialize)]
pub(crate) struct SearchError {
    message: String,
    detail: Option<String>,
}

impl SearchError {
    fn plain(message: String) -> SearchError {
        SearchError {
            message,
            detail: None,
        }
    }
}

/// The Chinese explanation of a query parser message (`missing delimiter \" at byte 7`):
/// unbalanced quotes or parentheses, an unknown field, else a generic one.
pub(crate) fn query_error_zh(parser: &str) -> &'static str {
    if parser.contains("missing delimiter \\\"") || parser.contains("missing delimiter \\'") {
        "查询语法有误：引号没有成对"
    } else if parser.contains("expected ')'") {
        "查询语法有误：括号没有成对"
    } else if parser.contains("Field does not exist") {
        "查询语法有误：没有这个字段（可用 title:、body:、source:、site:）"
    } else if parser.contains("missing ]")
        || parser.contains("missing range delimiter")
        || parser.contains("missing keyword TO")
    {
        "查询语法有误：范围写法不完整"
    } else {
        "查询语法有误"
    }
}

/// The message of a search page whose query is longer than [`MAX_QUERY_CHARS`].
fn query_too_long_zh(chars: usize) -> String {
    format!("检索词太长（{chars} 个字），最多 {MAX_QUERY_CHARS} 个字，请缩短后再检索。")
}

/// The index request of `p` when every parameter is good, else every problem found (in
/// [`Field`] order), nothing searched but the source check below. Checks: the query length
/// ([`MAX_QUERY_CHARS`]), the dates, sentiment and tier ([`SearchParams::to_request`]), the
/// theme (an id of the plan, when a plan is loaded: the API's rule) and the source (an id of
/// the config, or one the index holds articles of: sources removed from the config keep
/// their articles; one count-only search, run only for an id the config does not know).
///
/// Errors: [`WebError`] when the index fails during the source check.
pub(crate) fn checked_request(
    state: &AppState,
    p: &SearchParams,
) -> Result<Result<SearchRequest, Vec<Problem>>, WebError> {
    let mut problems = Vec::new();
    if p.q.chars().nth(MAX_QUERY_CHARS).is_some() {
        problems.push(Problem {
            field: Field::Query,
            message: query_too_long_zh(p.q.chars().count()),
        });
    }
    let req = p.to_request().map_err(|found| problems.extend(found)).ok();
    if !p.theme.is_empty() && WebError::check_theme(&state.themes, &p.theme).is_err() {
        problems.push(Problem {
            field: Field::Theme,
            message: format!("未知专题 {}，请在左侧专题树中选择", shown_value(&p.theme)),
        });
    }
    if !p.source.is_empty() && !source_is_known(state, &p.source)? {
        problems.push(Problem {
            field: Field::Source,
            message: format!(
                "未知信源 {}（配置和已收录的文章中都没有这个信源）",
                shown_value(&p.source)
            ),
        });
    }
    problems.sort_by_key(|x| x.field);
    Ok(match req {
        Some(req) if problems.is_empty() => Ok(req),
        _ => Err(problems),
    })
}

/// Whether `id` is a source of `sources.toml` or one the index holds articles of (a source
/// removed from the config stays searchable). Blocking: one count search when the config
/// does not know it.
///
/// Errors: [`WebError`] when the index fails.
pub(crate) fn source_is_known(state: &AppState, id: &str) -> Result<bool, WebError> {
    if state.config.source(id).is_some() {
        return Ok(true);
    }
    let mut r = SearchRequest::new("");
    r.limit = 0;
    r.source = Some(id.to_string());
    Ok(state.index.search(&r)?.total > 0)
}

/// Page numbers around `page` of `pages`: 1, …, page−2 … page+2, …, last (`None` link = gap).
fn pager(p: &SearchParams, page: usize, pages: usize) -> Vec<PageLink> {
    let mut out = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        let near = n + 2 >= page && n <= page + 2;
        if n == 1 || n == pages || near {
            if n > last_shown + 1 {
                out.push(PageLink {
                    n: 0,
                    link: None,
                    on: false,
                });
            }
            out.push(PageLink {
                n,
                link: Some(p.with_page(n).href("/search")),
                on: n == page,
            });
            last_shown = n;
        }
    }
    out
}

/// The search page of `p`: its template context, and whether the search was refused (a bad
/// parameter or a query the parser rejects: the page then answers 400, as the API does).
pub(crate) struct SearchView {
    /// Context of `search.html`.
    pub view: Value,
    /// No search ran: `error` says why.
    pub refused: bool,
}

/// The whole view of the search page for `p` (blocking: runs up to five index searches: the
/// page, and one count-only search per filtered facet dimension; plus one for a source id
/// the config does not know).
///
/// A bad parameter or query is shown on the page (`error`: every problem, joined by `；`),
/// not returned as an error; nothing is searched then, and the bad values are kept out of
/// the page's links and hidden fields (the dates stay in their boxes to be corrected, the
/// search box keeps at most [`MAX_QUERY_CHARS`] characters).
///
/// Errors: [`WebError`] when the index fails for another reason.
pub(crate) fn search_view(state: &AppState, p: &SearchParams) -> Result<SearchView, WebError> {
    let mut error = None;
    let mut total = 0usize;
    let mut hits = Vec::new();
    let mut counts: [Vec<FacetCount>; 4] = Default::default();
    let shown_q: String = p.q.chars().take(MAX_QUERY_CHARS).collect();
    let (from_box, to_box) = (p.from.clone(), p.to.clone());
    let linked;
    let (p, request) = match checked_request(state, p)? {
        Ok(req) => (p, Some(req)),
        Err(problems) => {
            let messages: Vec<&str> = problems.iter().map(|x| x.message.as_str()).collect();
            error = Some(SearchError::plain(messages.join("；")));
            linked = problems
                .iter()
                .fold(p.clone(), |acc, x| acc.without(x.field));
            (&linked, None)
        }
    };
    let refused = error.is_some();
    let mut refused_query = false;
    if let Some(req) = request {
        match state.index.search(&req) {
            Err(yuqing_index::IndexError::Query { message, .. }) => {
                refused_query = true;
                error = Some(SearchError {
                    message: query_error_zh(&message).to_string(),
                    detail: Some(message),
                });
            }
            Err(e) => return Err(e.into()),
            Ok(res) => {
                total = res.total;
                let facets = res.facets.unwrap_or_default();
                for (slot, dim) in
                    counts
                        .iter_mut()
                        .zip([Dim::Theme, Dim::Sentiment, Dim::Tier, Dim::Source])
                {
                    *slot = dim_counts(state, &req, &facets, dim, !p.dim(dim).is_empty())?;
                }
                hits = res
                    .hits
                    .into_iter()
                    .map(|h| hit_view(state, p, h))
                    .collect();
            }
        }
    }
    let [theme_counts, sentiment_counts, tier_counts, source_counts] = counts;
    let page = p.page();
    let pages = total.div_ceil(PAGE_SIZE).min(MAX_PAGE);
    // A page past the last (a stale bookmark, an edited URL): no hits, a message naming the
    // page asked for and the page count, a link back to page 1; never a range like 9981–9980.
    let beyond = (hits.is_empty() && total > 0 && page > pages).then(|| {
        let asked = p.page.parse::<usize>().unwrap_or(page).max(page);
        minijinja::context! {
            message => format!("没有第 {asked} 页，共 {pages} 页。"),
            first => p.with_page(1).href("/search"),
            last => p.with_page(pages).href("/search"),
            pages => pages,
        }
    });
    let start = (page - 1) * PAGE_SIZE + 1;
    let end = (start + hits.len()).saturating_sub(1);

    let sentiments = facet_links(
        p,
        Dim::Sentiment,
        SentimentLabel::ALL.map(|l| (l.as_str().to_string(), l.label_zh().to_string())),
        &sentiment_counts,
    );
    let tiers = facet_links(
        p,
        Dim::Tier,
        Tier::ALL.map(|t| (t.as_str().to_string(), t.label_zh().to_string())),
        &tier_counts,
    );
    // Sources with matches (largest first), plus the filtered one even when it has none.
    let mut source_keys: Vec<String> = source_counts.iter().map(|f| f.key.clone()).collect();
    if !p.source.is_empty() && !source_keys.contains(&p.source) {
        source_keys.push(p.source.clone());
    }
    let sources = facet_links(
        p,
        Dim::Source,
        source_keys.into_iter().map(|k| {
            let label = state
                .config
                .source(&k)
                .map_or_else(|| k.clone(), |s| s.name.clone());
            (k, label)
        }),
        &source_counts,
    );

    let mut chips = Vec::new();
    let mut chip = |label: String, cleared: SearchParams| {
        chips.push(Chip {
            label,
            clear: cleared.href("/search"),
        });
    };
    if !p.theme.is_empty() {
        chip(
            format!("专题：{}", theme_label(&state.themes, &p.theme)),
            p.with_dim(Dim::Theme, ""),
        );
    }
    if !p.sentiment.is_empty() {
        let label =
            SentimentLabel::parse(&p.sentiment).map_or(p.sentiment.as_str(), |l| l.label_zh());
        chip(format!("倾向性：{label}"), p.with_dim(Dim::Sentiment, ""));
    }
    if !p.tier.is_empty() {
        chip(
            format!("层级：{}", tier_zh(&p.tier)),
            p.with_dim(Dim::Tier, ""),
        );
    }
    if !p.source.is_empty() {
        chip(format!("信源：{}", p.source), p.with_dim(Dim::Source, ""));
    }
    if !p.from.is_empty() || !p.to.is_empty() {
        let mut cleared = p.with_page(1);
        cleared.from.clear();
        cleared.to.clear();
        chip(
            format!(
                "日期：{} 至 {}",
                if p.from.is_empty() { "不限" } else { &p.from },
                if p.to.is_empty() { "不限" } else { &p.to }
            ),
            cleared,
        );
    }

    let mut export = p.with_page(1);
    export.page.clear();
    let view = minijinja::context! {
        nav => "search",
        q => shown_q,
        from => from_box,
        to => to_box,
        sort => p.sort_key(),
        collapse => p.collapse(),
        theme => &p.theme,
        sentiment => &p.sentiment,
        tier => &p.tier,
        source => &p.source,
        error => error,
        beyond => beyond,
        total => total,
        start => start,
        end => end,
        shown => !hits.is_empty(),
        page => page,
        pages => pages,
        hits => hits,
        tree => theme_tree(&state.themes, &theme_counts, p),
        theme_clear => p.with_dim(Dim::Theme, "").href("/search"),
        sentiments => sentiments,
        sentiment_clear => p.with_dim(Dim::Sentiment, "").href("/search"),
        tiers => tiers,
        tier_clear => p.with_dim(Dim::Tier, "").href("/search"),
        sources => sources,
        source_clear => p.with_dim(Dim::Source, "").href("/search"),
        chips => chips,
        pager => pager(p, page, pages),
        prev => (page > 1 && page <= pages).then(|| p.with_page(page - 1).href("/search")),
        next => (page < pages).then(|| p.with_page(page + 1).href("/search")),
        export_link => export.href("/search/export.xlsx"),
    };
    Ok(SearchView {
        view,
        refused: refused || refused_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_windows_with_gaps() {
        let p = SearchParams::default();
        let nums =
            |page, pages| -> Vec<usize> { pager(&p, page, pages).iter().map(|l| l.n).collect() };
        assert_eq!(nums(1, 3), vec![1, 2, 3]);
        assert_eq!(nums(6, 12), vec![1, 0, 4, 5, 6, 7, 8, 0, 12]);
        assert_eq!(nums(1, 0), Vec::<usize>::new());
        let links = pager(&p, 2, 3);
        assert_eq!(links[1].link.as_deref(), Some("/search?page=2"));
        assert!(links[1].on);
        assert_eq!(links[0].link.as_deref(), Some("/search"));
    }

    #[test]
    fn parser_messages_get_a_chinese_explanation() {
        assert_eq!(
            query_error_zh("missing delimiter \\\" at byte 7"),
            "查询语法有误：引号没有成对"
        );
        assert_eq!(
            query_error_zh("expected ')' at byte 3"),
            "查询语法有误：括号没有成对"
        );
        assert_eq!(
            query_error_zh("Field does not exist: 'nosuchfield'"),
            "查询语法有误：没有这个字段（可用 title:、body:、source:、site:）"
        );
        assert_eq!(query_error_zh("syntax error"), "查询语法有误");
        assert_eq!(
            query_too_long_zh(20_000),
            "检索词太长（20000 个字），最多 500 个字，请缩短后再检索。"
        );
    }

    #[test]
    fn theme_labels() {
        let set = ThemeSet::from_toml_str(
            "version = 1\n[[section]]\nid = \"s4\"\nnumber = 4\nname = \"生态环保\"\n\
             [[item]]\nid = \"s4.i10\"\nsection = \"s4\"\nnumber = 10\nname = \"9792工程\"\nany = [\"9792\"]\n",
            "themes.toml",
        )
        .unwrap();
        assert_eq!(theme_label(&set, "s4"), "四、生态环保");
        assert_eq!(theme_label(&set, "s4.i10"), "10. 9792工程");
        assert_eq!(theme_label(&set, "s9"), "s9");
        let counts = vec![FacetCount {
            key: "s4.i10".into(),
            count: 3,
        }];
        let p = SearchParams {
            theme: "s4.i10".into(),
            ..Default::default()
        };
        let tree = theme_tree(&set, &counts, &p);
        assert_eq!(tree.len(), 1);
        assert!(tree[0].open && !tree[0].on && tree[0].count == 0);
        assert_eq!(tree[0].items[0].count, 3);
        assert!(tree[0].items[0].on);
        assert_eq!(tree[0].items[0].link, "/search?theme=s4.i10");
    }
}
