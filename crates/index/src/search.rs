//! Query building, filtering, collection and snippets.

use std::collections::{HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::query_grammar::{self, UserInputAst, UserInputLeaf};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, Order, Searcher, TantivyDocument, Term};

use crate::collect::{self, Caches, FacetCollector, RankKey};
use crate::schema::{self, Fields, SORT_AT};
use crate::snippet::{Highlighter, escape_html};
use crate::{Facets, Hit, IndexError, SearchRequest, SearchResults, SortOrder};
use yuqing_model::SentimentLabel;
use yuqing_text::WORD_TOKENIZER;

/// Snippet fragment size in bytes (tantivy counts bytes): about 150 CJK characters.
const SNIPPET_BYTES: usize = 450;
/// Characters of body head used when no term matched the body.
const HEAD_CHARS: usize = 150;
/// Boost of the title fields relative to the body fields.
const TITLE_BOOST: f32 = 2.0;

/// The parser over title/body words and bigrams, conjunction by default, title boosted.
pub(crate) fn query_parser(index: &Index, f: &Fields) -> QueryParser {
    let mut p = QueryParser::for_index(index, vec![f.title, f.body, f.title_bigram, f.body_bigram]);
    p.set_conjunction_by_default();
    p.set_field_boost(f.title, TITLE_BOOST);
    p.set_field_boost(f.title_bigram, TITLE_BOOST);
    p
}

/// The fields a literal without a field name is searched in.
const DEFAULT_FIELDS: [&str; 4] = ["title", "body", "title_bigram", "body_bigram"];

/// Rewrites every text literal into a disjunction over word and bigram fields: `x` into
/// `(title:x OR body:x OR title_bigram:x OR body_bigram:x)`, `title:x` into
/// `(title:x OR title_bigram:x)` and `body:x` likewise, so a query matches however jieba cut
/// the words. The word fields have no positions (see `schema::build`): a literal that `words`
/// cuts into several words (a quoted phrase, or an unquoted word jieba splits) is searched as a
/// phrase on the bigram fields only, whose consecutive positions match exactly that character
/// sequence (for `"快递进村"`: `快递 递进 进村`, in order).
fn widen_fields(ast: UserInputAst, words: &mut TextAnalyzer) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => {
            let mut out = Vec::with_capacity(clauses.len());
            for (occur, sub) in clauses {
                match (occur, widen_fields(sub, words)) {
                    // `a AND NOT b` parses as `+a +(-b)`; a required clause made only of
                    // exclusions matches nothing in tantivy, so lift the exclusions up.
                    (None | Some(Occur::Must), UserInputAst::Clause(inner))
                        if is_all_negative(&inner) =>
                    {
                        out.extend(inner)
                    }
                    (occur, sub) => out.push((occur, sub)),
                }
            }
            UserInputAst::Clause(out)
        }
        UserInputAst::Boost(sub, boost) => {
            UserInputAst::Boost(Box::new(widen_fields(*sub, words)), boost)
        }
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(lit)
                if matches!(
                    lit.field_name.as_deref(),
                    None | Some("title") | Some("body")
                ) =>
            {
                let mut word_tokens = 0usize;
                words
                    .token_stream(&lit.phrase)
                    .process(&mut |_| word_tokens += 1);
                if lit.field_name.is_none() && word_tokens <= 1 {
                    // One word (or none): the parser's own expansion over the default fields.
                    return UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit)));
                }
                let fields: &[&str] = match lit.field_name.as_deref() {
                    Some("title") => &["title", "title_bigram"],
                    Some("body") => &["body", "body_bigram"],
                    _ => &DEFAULT_FIELDS,
                };
                let clauses = fields
                    .iter()
                    .filter(|name| word_tokens <= 1 || name.ends_with("_bigram"))
                    .map(|name| {
                        let mut l = lit.clone();
                        l.field_name = Some((*name).to_string());
                        (
                            Some(Occur::Should),
                            UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(l))),
                        )
                    })
                    .collect();
                UserInputAst::Clause(clauses)
            }
            other => UserInputAst::Leaf(Box::new(other)),
        },
    }
}

/// True when every clause is an exclusion (`-x` / `NOT x`), and there is at least one.
fn is_all_negative(clauses: &[(Option<Occur>, UserInputAst)]) -> bool {
    !clauses.is_empty()
        && clauses
            .iter()
            .all(|(occur, _)| *occur == Some(Occur::MustNot))
}

/// Parses the user query (strict grammar; the lenient parser supplies the error message).
fn parse_user_query(
    parser: &QueryParser,
    words: &mut TextAnalyzer,
    query: &str,
) -> Result<Box<dyn Query>, IndexError> {
    let bad = |message: String| IndexError::Query {
        query: query.to_string(),
        message,
    };
    if query.trim().is_empty() {
        return Ok(Box::new(AllQuery));
    }
    let ast = match query_grammar::parse_query(query) {
        Ok(ast) => ast,
        Err(_) => {
            let (_, errors) = query_grammar::parse_query_lenient(query);
            let message = if errors.is_empty() {
                "syntax error".to_string()
            } else {
                errors
                    .iter()
                    .map(|e| format!("{} at byte {}", e.message, e.pos))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(bad(message));
        }
    };
    match widen_fields(ast, words) {
        // Only exclusions (`-x`, `NOT x`): everything except the matches of the excluded terms.
        UserInputAst::Clause(clauses) if is_all_negative(&clauses) => {
            let positive = UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(_, sub)| (Some(Occur::Should), sub))
                    .collect(),
            );
            let excluded = parser
                .build_query_from_user_input_ast(positive)
                .map_err(|e| bad(e.to_string()))?;
            Ok(Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, excluded),
            ])))
        }
        ast => parser
            .build_query_from_user_input_ast(ast)
            .map_err(|e| bad(e.to_string())),
    }
}

/// A required exact-match clause on a raw field.
fn term_clause(field: tantivy::schema::Field, value: &str) -> (Occur, Box<dyn Query>) {
    (
        Occur::Must,
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        )),
    )
}

/// Executes `req`: user query AND date range (on `sort_at`) AND source/theme/sentiment/tier,
/// then collects the page (collapsed by cluster if asked), the total and the facets in one pass.
pub(crate) fn run(
    searcher: &Searcher,
    parser: &QueryParser,
    f: &Fields,
    caches: &Caches,
    req: &SearchRequest,
) -> Result<SearchResults, IndexError> {
    let mut words = searcher
        .index()
        .tokenizers()
        .get(WORD_TOKENIZER)
        .ok_or_else(|| IndexError::Query {
            query: req.query.clone(),
            message: format!("tokenizer {WORD_TOKENIZER} is not registered"),
        })?;
    let user_query = parse_user_query(parser, &mut words, &req.query)?;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query.box_clone())];
    if req.from.is_some() || req.to.is_some() {
        let bound = |t: &Option<chrono::DateTime<chrono::Utc>>| match t {
            Some(t) => Bound::Included(Term::from_field_date_for_search(
                f.sort_at,
                schema::to_tantivy_date(t),
            )),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(bound(&req.from), bound(&req.to))),
        ));
    }
    if let Some(source) = &req.source {
        clauses.push(term_clause(f.source, source));
    }
    if let Some(theme) = &req.theme {
        clauses.push(term_clause(f.theme, theme));
    }
    if let Some(sentiment) = req.sentiment {
        clauses.push(term_clause(f.sentiment, sentiment.as_str()));
    }
    if let Some(tier) = req.tier {
        clauses.push(term_clause(f.tier, tier.as_str()));
    }
    let filtered = clauses.len() > 1;
    let query: Box<dyn Query> = if clauses.len() == 1 {
        user_query.box_clone()
    } else {
        Box::new(BooleanQuery::new(clauses))
    };

    let search_err = IndexError::tantivy("search");
    let facet_tables = req.facets.then_some(&caches.facets);
    let by_time = req.sort == SortOrder::Time;
    let key = CacheKey::of(req);
    let generation = searcher.generation().generation_id();
    let cached = caches.results.get(generation, &key);
    // Keeps the total and facets of a pass that counted every match (no collapse groups), so
    // the same search at this index generation skips that pass.
    let remember = |n: u64, fruit: collect::FacetFruit| {
        let total = usize::try_from(n).unwrap_or(usize::MAX);
        let facets = Some(collect::into_facets(fruit));
        caches.results.put(
            generation,
            key.clone(),
            Cached {
                total,
                facets: facets.clone(),
                groups: None,
            },
        );
        (total, facets)
    };
    // Count and facets never need scores: they run without scoring (a block of doc ids at a
    // time), and the relevance page is found by `TopDocs` alone, which then skips blocks that
    // cannot reach the page (block-max WAND) instead of scoring every match.
    let count_and_facets = || -> Result<(usize, Option<Facets>), IndexError> {
        let (total, facets) = match facet_tables {
            Some(tables) => {
                let (n, fruit) = searcher
                    .search(&query, &FacetCollector { tables })
                    .map_err(IndexError::tantivy("search"))?;
                (
                    usize::try_from(n).unwrap_or(usize::MAX),
                    Some(collect::into_facets(fruit)),
                )
            }
            None => (
                searcher
                    .search(&query, &Count)
                    .map_err(IndexError::tantivy("search"))?,
                None,
            ),
        };
        caches.results.put(
            generation,
            key.clone(),
            Cached {
                total,
                facets: facets.clone(),
                groups: None,
            },
        );
        Ok((total, facets))
    };
    let keep = if req.limit == 0 {
        0
    } else {
        req.offset.saturating_add(req.limit)
    };
    let (total, addrs, facets): (usize, Vec<(f32, DocAddress)>, _) = if req.collapse {
        let (total, ranked, facets) = match cached {
            Some(Cached {
                total,
                facets,
                groups: Some(groups),
            }) if keep <= groups.len() || groups.len() == total => (total, groups, facets),
            _ => {
                let collapsed = collect::collapse(
                    searcher,
                    &*query,
                    by_time,
                    &caches.keys,
                    &caches.global,
                    facet_tables,
                )
                .map_err(search_err)?;
                let total = collapsed.groups.len();
                let facets = collapsed.facets.map(collect::into_facets);
                let ranked =
                    collect::rank_groups(collapsed.groups, keep.max(CACHED_GROUPS.min(total)));
                let ranked = Arc::new(ranked);
                caches.results.put(
                    generation,
                    key,
                    Cached {
                        total,
                        facets: facets.clone(),
                        groups: Some(Arc::clone(&ranked)),
                    },
                );
                (total, ranked, facets)
            }
        };
        let page = ranked
            .iter()
            .take(keep)
            .skip(req.offset)
            .map(|&(key, addr)| (if by_time { 0.0 } else { key as f32 }, addr))
            .collect();
        (total, page, facets)
    } else {
        let counted = cached.map(|c| (c.total, c.facets));
        if req.limit == 0 {
            let (total, facets) = match counted {
                Some(c) => c,
                None => count_and_facets()?,
            };
            (total, Vec::new(), facets)
        } else {
            let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
            if by_time {
                let by_date = top.order_by_fast_field::<tantivy::DateTime>(SORT_AT, Order::Desc);
                let (docs, (total, facets)) = match (counted, facet_tables) {
                    (Some(c), _) => (searcher.search(&query, &by_date).map_err(search_err)?, c),
                    // Both parts are unscored: one pass.
                    (None, Some(tables)) => {
                        let (docs, (n, fruit)) = searcher
                            .search(&query, &(by_date, FacetCollector { tables }))
                            .map_err(search_err)?;
                        (docs, remember(n, fruit))
                    }
                    (None, None) => {
                        let (docs, n) = searcher
                            .search(&query, &(by_date, Count))
                            .map_err(search_err)?;
                        (docs, (n, None))
                    }
                };
                let docs = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
                (total, docs, facets)
            } else {
                let by_score = top.order_by_score();
                match (counted, facet_tables) {
                    (Some((total, facets)), _) => {
                        let docs = searcher.search(&query, &by_score).map_err(search_err)?;
                        (total, docs, facets)
                    }
                    // With a filter the query is an intersection, which `TopDocs` cannot
                    // prune: it scores every match anyway, so page, count and facets share
                    // one pass instead of evaluating the query twice.
                    (None, Some(tables)) if filtered => {
                        let (docs, (n, fruit)) = searcher
                            .search(&query, &(by_score, FacetCollector { tables }))
                            .map_err(search_err)?;
                        let (total, facets) = remember(n, fruit);
                        (total, docs, facets)
                    }
                    (None, _) => {
                        let docs = searcher.search(&query, &by_score).map_err(search_err)?;
                        let (total, facets) = count_and_facets()?;
                        (total, docs, facets)
                    }
                }
            }
        }
    };

    let mut hits = Vec::with_capacity(addrs.len());
    if addrs.is_empty() {
        return Ok(SearchResults {
            total,
            hits,
            facets,
        });
    }
    // Snippets: bigram terms highlight any CJK match; word terms cover the rest. The word
    // pass (jieba over the whole body) runs only where the bigram pass cannot stand in for it:
    // no bigram terms at all, or a one-character word term (see `Highlighter`).
    let mut bigram_hl = Highlighter::new(searcher, &*user_query, f.body_bigram, SNIPPET_BYTES)?;
    let mut word_hl = Highlighter::new(searcher, &*user_query, f.body, SNIPPET_BYTES)?;
    let word_pass = !word_hl.is_empty() && (bigram_hl.is_empty() || word_hl.has_single_char_term());
    for (score, addr) in addrs {
        let doc: TantivyDocument = searcher
            .doc(addr)
            .map_err(IndexError::tantivy("document fetch"))?;
        let text = |field| schema::get_str(&doc, field).unwrap_or_default().to_string();
        let body = schema::get_str(&doc, f.body).unwrap_or_default();
        let cluster = text(f.cluster);
        let cluster_size = if cluster.is_empty() {
            1
        } else {
            let q = TermQuery::new(
                Term::from_field_text(f.cluster, &cluster),
                IndexRecordOption::Basic,
            );
            q.count(searcher)
                .map_err(IndexError::tantivy("cluster count"))? as u64
        };
        hits.push(Hit {
            id: text(f.id),
            title: text(f.title),
            url: text(f.url),
            source: text(f.source),
            site: text(f.site),
            tier: text(f.tier),
            published_at: schema::get_date(&doc, f.published_at),
            score,
            snippet: snippet(&mut bigram_hl, word_pass.then_some(&mut word_hl), body),
            themes: doc
                .get_all(f.theme)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            sentiment: schema::get_str(&doc, f.sentiment).and_then(SentimentLabel::parse),
            sentiment_score: doc
                .get_first(f.sentiment_score)
                .and_then(|v| v.as_f64())
                .map(|s| s as f32),
            cluster,
            cluster_size,
        });
    }
    Ok(SearchResults {
        total,
        hits,
        facets,
    })
}

/// Best highlighted fragment of `body`, else its HTML-escaped head.
fn snippet(bigram: &mut Highlighter, word: Option<&mut Highlighter>, body: &str) -> String {
    if let Some(s) = bigram.snippet(body) {
        return s;
    }
    if let Some(s) = word.and_then(|w| w.snippet(body)) {
        return s;
    }
    let end = body
        .char_indices()
        .nth(HEAD_CHARS)
        .map_or(body.len(), |(i, _)| i);
    escape_html(body.get(..end).unwrap_or(body))
}

/// Collapsed groups kept ranked in a cached entry: the pages a reader clicks through (up to
/// 1,000 groups = 50 pages of 20) are served without collapsing again.
const CACHED_GROUPS: usize = 1_000;

/// Entries kept by [`ResultCache`] (each up to a few tens of KB: the facet lists and ranked
/// groups), dropped oldest first.
const CACHE_ENTRIES: usize = 512;

/// What identifies a search's matches: the query and filters, not the page (nor the sort,
/// except for a collapsed search whose groups it ranks).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    query: String,
    from: Option<i64>,
    to: Option<i64>,
    source: Option<String>,
    theme: Option<String>,
    sentiment: Option<&'static str>,
    tier: Option<&'static str>,
    /// `None`: not collapsed; `Some(by_time)`: collapsed, groups ranked by time or score.
    collapse: Option<bool>,
    facets: bool,
}

impl CacheKey {
    fn of(req: &SearchRequest) -> CacheKey {
        let nanos = |t: &Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.timestamp_nanos_opt().unwrap_or(t.timestamp_micros()))
        };
        CacheKey {
            query: req.query.clone(),
            from: nanos(&req.from),
            to: nanos(&req.to),
            source: req.source.clone(),
            theme: req.theme.clone(),
            sentiment: req.sentiment.map(|s| s.as_str()),
            tier: req.tier.map(|t| t.as_str()),
            collapse: req.collapse.then_some(req.sort == SortOrder::Time),
            facets: req.facets,
        }
    }
}

/// A cached outcome of the expensive part of a search: the total, the facets, and for a
/// collapsed search the best groups ranked.
#[derive(Clone)]
pub(crate) struct Cached {
    total: usize,
    facets: Option<Facets>,
    /// Ranked (key, address) of the best groups: at least [`CACHED_GROUPS`] or all of them.
    groups: Option<Arc<Vec<(RankKey, DocAddress)>>>,
}

/// Totals, facets and collapsed groups of recent searches, valid for one searcher generation
/// (cleared when a commit or merge changes the index). Counting and faceting visit every match
/// (a broad query at 1,000,000 articles matches 200,000 of them, ~25 ms CPU); the page itself
/// is cheap (`TopDocs` skips what cannot reach it), so paging, re-sorting, and the same query
/// from several analysts or the dashboard cost only the page.
#[derive(Default)]
pub(crate) struct ResultCache(Mutex<CacheState>);

#[derive(Default)]
struct CacheState {
    generation: u64,
    entries: HashMap<CacheKey, Cached>,
    order: VecDeque<CacheKey>,
    /// 0 disables the cache (set by [`ResultCache::set_capacity`]); `None`: [`CACHE_ENTRIES`].
    capacity: Option<usize>,
}

impl ResultCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Entries kept at most; 0 turns caching off (for measuring uncached searches).
    pub(crate) fn set_capacity(&self, entries: usize) {
        let mut st = self.lock();
        st.capacity = Some(entries);
        st.entries.clear();
        st.order.clear();
    }

    fn get(&self, generation: u64, key: &CacheKey) -> Option<Cached> {
        let st = self.lock();
        if st.generation != generation {
            return None;
        }
        st.entries.get(key).cloned()
    }

    fn put(&self, generation: u64, key: CacheKey, value: Cached) {
        let mut st = self.lock();
        let capacity = st.capacity.unwrap_or(CACHE_ENTRIES);
        if capacity == 0 {
            return;
        }
        if st.generation != generation {
            st.entries.clear();
            st.order.clear();
            st.generation = generation;
        }
        if st.entries.insert(key.clone(), value).is_none() {
            st.order.push_back(key);
        }
        while st.order.len() > capacity {
            if let Some(old) = st.order.pop_front() {
                st.entries.remove(&old);
            }
        }
    }
}
