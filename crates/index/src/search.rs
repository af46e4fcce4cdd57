//! Query building, filtering, collection and snippets.

use std::collections::{HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::query_grammar::{self, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, Order, Searcher, TantivyDocument, Term};

use crate::collect::{self, Caches, FacetCollector, RankKey};
use crate::schema::{self, Fields, SORT_AT};
use crate::snippet::{Highlighter, escape_html};
use crate::{Facets, Hit, IndexError, SearchRequest, SearchResults, SortOrder};
use yuqing_model::SentimentLabel;
use yuqing_text::{BIGRAM_TOKENIZER, WORD_TOKENIZER};

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
///
/// With `count`, the rewrite is for counting only: a literal that
/// provably matches the same documents on the bigram fields alone (see [`bigram_covers`]) is
/// searched there only, two posting lists instead of four; scores differ, the matches do not.
fn widen_fields(
    ast: UserInputAst,
    words: &mut TextAnalyzer,
    mut count: Option<&mut CountRewrite>,
) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => {
            let mut out = Vec::with_capacity(clauses.len());
            for (occur, sub) in clauses {
                match (occur, widen_fields(sub, words, count.as_deref_mut())) {
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
            UserInputAst::Boost(Box::new(widen_fields(*sub, words, count)), boost)
        }
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(lit)
                if matches!(
                    lit.field_name.as_deref(),
                    None | Some("title") | Some("body")
                ) =>
            {
                let mut word_tokens = 0usize;
                let mut word = String::new();
                words.token_stream(&lit.phrase).process(&mut |t| {
                    word_tokens += 1;
                    if word_tokens == 1 {
                        word.push_str(&t.text);
                    }
                });
                // Counting: a single all-CJK word of 2+ characters is found by its bigrams.
                let bigrams_only = word_tokens == 1
                    && count.is_some_and(|c| {
                        let covers = bigram_covers(&lit, &word, &mut c.bigrams);
                        c.reduced |= covers;
                        covers
                    });
                if lit.field_name.is_none() && word_tokens <= 1 && !bigrams_only {
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
                    .filter(|name| (word_tokens <= 1 && !bigrams_only) || name.ends_with("_bigram"))
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

/// The state of a rewrite for counting (see [`widen_fields`]).
struct CountRewrite {
    /// The `zh_bigram` analyzer.
    bigrams: TextAnalyzer,
    /// Set when some literal was narrowed to the bigram fields.
    reduced: bool,
}

/// True when the bigram fields alone match exactly the documents that the word and bigram
/// fields together match for `lit`, whose only `zh_word` token is `word` (normalised text).
///
/// The proof: `word` is 2+ characters, each a CJK unified ideograph (U+4E00..U+9FFF, which
/// `zh_bigram` always cuts into bigrams), and `lit` gives exactly `word`'s bigrams. A document
/// whose word field holds the token `word` holds `word` in its normalised text (both
/// tokenizers normalise alike, `yuqing_text::normalize`), inside one run of CJK characters,
/// so its bigram field holds `word`'s bigrams at consecutive positions, which is what the
/// literal's bigram clause (a term, or a phrase of bigrams) asks for: the word clause adds no
/// document. Not for a single character (the bigram field holds a lone character only where
/// it stands alone), Latin letters or digits (one whole token per alphanumeric run, which
/// jieba may cut differently), wildcard, prefix or slop literals, or a literal whose bigrams differ from
/// the word's: those keep the full query.
fn bigram_covers(lit: &UserInputLiteral, word: &str, bigrams: &mut TextAnalyzer) -> bool {
    // `x*` (a wildcard term), `"x"*` (a phrase prefix) and `"x"~n` match other words.
    if lit.prefix || lit.slop > 0 || lit.phrase.contains(['*', '?']) {
        return false;
    }
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 || !chars.iter().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)) {
        return false;
    }
    let mut expected = chars.windows(2);
    let mut same = true;
    bigrams.token_stream(&lit.phrase).process(&mut |t| {
        let mut tc = t.text.chars();
        same &= matches!(
            (expected.next(), tc.next(), tc.next(), tc.next()),
            (Some([a, b]), Some(x), Some(y), None) if *a == x && *b == y
        );
    });
    same && expected.next().is_none()
}

/// True when every clause is an exclusion (`-x` / `NOT x`), and there is at least one.
fn is_all_negative(clauses: &[(Option<Occur>, UserInputAst)]) -> bool {
    !clauses.is_empty()
        && clauses
            .iter()
            .all(|(occur, _)| *occur == Some(Occur::MustNot))
}

/// Parses the user query (strict grammar; the lenient parser supplies the error message);
/// with `count`, the variant for counting (see [`widen_fields`]).
fn parse_user_query(
    parser: &QueryParser,
    words: &mut TextAnalyzer,
    count: Option<&mut CountRewrite>,
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
    match widen_fields(ast, words, count) {
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

/// True when `query` becomes a union of single terms (one literal giving at most one word and
/// at most one bigram token: a word of one or two CJK characters, or one Latin word or
/// number), the only shape whose relevance page `TopDocs` finds by block-max WAND without
/// scoring every match (tantivy 0.27 `BooleanWeight::for_each_pruning`).
fn is_term_union(query: &str, words: &mut TextAnalyzer, bigrams: &mut TextAnalyzer) -> bool {
    let mut ast = match query_grammar::parse_query(query) {
        Ok(ast) => ast,
        Err(_) => return false,
    };
    loop {
        match ast {
            UserInputAst::Clause(mut clauses) if clauses.len() == 1 => match clauses.pop() {
                Some((None | Some(Occur::Should) | Some(Occur::Must), sub)) => ast = sub,
                _ => return false,
            },
            UserInputAst::Leaf(leaf) => {
                let UserInputLeaf::Literal(lit) = *leaf else {
                    return false;
                };
                if lit.prefix
                    || lit.slop > 0
                    || lit.phrase.contains(['*', '?'])
                    || !matches!(
                        lit.field_name.as_deref(),
                        None | Some("title") | Some("body")
                    )
                {
                    return false;
                }
                let count = |a: &mut TextAnalyzer| {
                    let mut n = 0usize;
                    a.token_stream(&lit.phrase).process(&mut |_| n += 1);
                    n
                };
                return count(words) <= 1 && count(bigrams) <= 1;
            }
            _ => return false,
        }
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

/// The tokenizer registered under `name` (registered by `ArticleIndex::open`).
///
/// # Errors
/// [`IndexError::Query`] naming the tokenizer when it is not registered.
fn registered_tokenizer(
    searcher: &Searcher,
    name: &str,
    query: &str,
) -> Result<TextAnalyzer, IndexError> {
    searcher
        .index()
        .tokenizers()
        .get(name)
        .ok_or_else(|| IndexError::Query {
            query: query.to_string(),
            message: format!("tokenizer {name} is not registered"),
        })
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
    let mut words = registered_tokenizer(searcher, WORD_TOKENIZER, &req.query)?;
    let user_query = parse_user_query(parser, &mut words, None, &req.query)?;
    let bigrams = registered_tokenizer(searcher, BIGRAM_TOKENIZER, &req.query)?;
    let mut rewrite = CountRewrite {
        bigrams,
        reduced: false,
    };
    let count_user_query = parse_user_query(parser, &mut words, Some(&mut rewrite), &req.query)?;
    // The filters (date range on `sort_at`, source, theme, sentiment, tier) as required clauses.
    let filters = || {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
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
        clauses
    };
    let filtered = !filters().is_empty();
    let prunable = is_term_union(&req.query, &mut words, &mut rewrite.bigrams);
    let with_filters = |user: &dyn Query| -> Box<dyn Query> {
        let mut clauses = filters();
        if clauses.is_empty() {
            return user.box_clone();
        }
        clauses.insert(0, (Occur::Must, user.box_clone()));
        Box::new(BooleanQuery::new(clauses))
    };
    // `query` ranks the page; `count_query` matches the same documents, maybe with fewer
    // posting lists (see `widen_fields`), for every pass that needs no scores.
    let query = with_filters(&*user_query);
    let count_query = if rewrite.reduced {
        with_filters(&*count_user_query)
    } else {
        query.box_clone()
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
                    .search(&count_query, &FacetCollector { tables })
                    .map_err(IndexError::tantivy("search"))?;
                (
                    usize::try_from(n).unwrap_or(usize::MAX),
                    Some(collect::into_facets(fruit)),
                )
            }
            None => (
                searcher
                    .search(&count_query, &Count)
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
                    if by_time { &*count_query } else { &*query },
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
                    (Some(c), _) => (
                        searcher
                            .search(&count_query, &by_date)
                            .map_err(search_err)?,
                        c,
                    ),
                    // Both parts are unscored: one pass.
                    (None, Some(tables)) => {
                        let (docs, (n, fruit)) = searcher
                            .search(&count_query, &(by_date, FacetCollector { tables }))
                            .map_err(search_err)?;
                        (docs, remember(n, fruit))
                    }
                    (None, None) => {
                        let (docs, n) = searcher
                            .search(&count_query, &(by_date, Count))
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
                    // With a filter the query is an intersection, and a query other than one
                    // word of at most two characters holds an intersection or a phrase:
                    // `TopDocs` cannot prune those (block-max WAND is for a union of terms)
                    // and scores every match anyway, so page, count and facets share one
                    // pass instead of evaluating the query twice.
                    (None, Some(tables)) if filtered || !prunable => {
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use tantivy::query::Query;
    use yuqing_model::{
        Analysis, Article, ArticleId, DateSource, Sentiment, SentimentLabel, ThemeMatch, Tier,
    };
    use yuqing_text::{BIGRAM_TOKENIZER, Segmenter, WORD_TOKENIZER};

    use super::{CountRewrite, parse_user_query};
    use crate::collect::{self, FacetCollector};
    use crate::{ArticleIndex, Facets};

    /// Sentences of the real news pages in `../shared/data/extraction_zh/cwced` (their expected
    /// bodies, cut at `。` and line breaks) and the postal headlines of `postal_express_news`;
    /// `None` when the shared data is missing.
    fn sentences() -> Option<Vec<String>> {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
        let cwced = std::fs::read_to_string(format!("{data}/extraction_zh/cwced/expected.jsonl"));
        let postal = std::fs::read_to_string(format!(
            "{data}/postal_express_news/postal_express_items.jsonl"
        ));
        let (Ok(cwced), Ok(postal)) = (cwced, postal) else {
            return None;
        };
        // The value of `"key": "..."` in a JSON line (escapes other than `\n` kept as they are).
        let field = |line: &str, key: &str| -> Option<String> {
            let start = line.find(&format!("\"{key}\": \""))? + key.len() + 5;
            let rest = line.get(start..)?;
            let end = rest.find("\", \"").unwrap_or(rest.len());
            Some(rest.get(..end)?.to_string())
        };
        let mut out = Vec::new();
        for line in cwced.lines() {
            if let Some(content) = field(line, "expected_content") {
                out.extend(
                    content
                        .split("\\n")
                        .flat_map(|p| p.split('。'))
                        .map(|s| s.trim().to_string())
                        .filter(|s| s.chars().count() >= 4),
                );
            }
        }
        out.extend(postal.lines().filter_map(|l| field(l, "title")));
        Some(out)
    }

    /// An index of articles made of the real sentences (title: one sentence, body: the next
    /// four), with themes, sentiments, tiers, sources and days spread over them, in 3 segments.
    fn corpus_index(dir: &std::path::Path, sentences: &[String]) -> ArticleIndex {
        let seg = Segmenter::load(None).unwrap();
        let index = ArticleIndex::open(dir, &seg).unwrap();
        let mut w = index.writer(50_000_000).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap();
        let n = sentences.len();
        for i in 0..n {
            let url = format!("https://news.example.cn/{i}.html");
            let body: Vec<&str> = (1..5)
                .map(|k| sentences[(i + k * 7) % n].as_str())
                .collect();
            let published = t0 + Duration::hours((i % 200) as i64 * 7);
            let a = Article {
                id: ArticleId::from_canonical_url(&url),
                source: format!("src{}", i % 13),
                tier: [Tier::Central, Tier::Provincial, Tier::Industry][i % 3],
                url: url.clone(),
                canonical_url: url,
                site: "示例网".into(),
                title: sentences[i].clone(),
                author: None,
                editor: None,
                published_at: (i % 11 != 0).then_some(published),
                date_source: DateSource::Meta,
                body: body.join("。"),
                fetched_at: published,
            };
            let theme = |t: String| ThemeMatch {
                theme: t,
                score: 1.0,
                hits: Vec::new(),
            };
            let an = Analysis {
                themes: (0..i % 3)
                    .map(|k| theme(format!("s{}", (i + k) % 10 + 1)))
                    .collect(),
                sentiment: (i % 5 != 0).then(|| Sentiment {
                    label: [SentimentLabel::Neutral, SentimentLabel::Negative][i % 2],
                    score: 0.0,
                    evidence: Vec::new(),
                }),
                fingerprint: None,
                cluster: None,
            };
            w.upsert(&a, &an).unwrap();
            if i == n / 3 || i == 2 * n / 3 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        index
    }

    /// Total and facets of `query` (unscored pass, as the search counts).
    fn count(index: &ArticleIndex, query: &dyn Query) -> (u64, Facets) {
        let searcher = index.searcher().unwrap();
        let (n, fruit) = searcher
            .search(
                query,
                &FacetCollector {
                    tables: &index.caches.facets,
                },
            )
            .unwrap();
        (n, collect::into_facets(fruit))
    }

    /// The counting query (bigram fields only where `bigram_covers` proves it) matches the
    /// same articles as the full query, so totals and every facet are equal, on real text:
    /// CJK words (narrowed), Latin, digits, mixed and single characters (kept whole).
    #[test]
    fn count_query_matches_the_full_query() {
        let Some(sentences) = sentences() else {
            println!("SKIPPED: ../shared/data not found");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let index = corpus_index(dir.path(), &sentences);
        let searcher = index.searcher().unwrap();
        let tokenizers = searcher.index().tokenizers();
        let mut words = tokenizers.get(WORD_TOKENIZER).unwrap();
        // (query, narrowed to the bigram fields?)
        let cases: &[(&str, bool)] = &[
            ("中国", true),
            ("发展", true),
            ("记者", true),
            ("快递", true),
            ("互联网", true),
            ("新华社", true),
            ("\"中国\"", true),
            ("title:中国", true),
            ("body:经济", true),
            ("中国 发展", true),
            ("中国 OR 快递", true),
            ("中国 -经济", true),
            ("快递。", true),
            ("国", false),
            ("的", false),
            ("gdp", false),
            ("app", false),
            ("2019", false),
            ("中国*", false),
            ("\"中国\"~1", false),
        ];
        let mut matched = 0;
        for &(q, narrowed) in cases {
            let full = parse_user_query(&index.parser, &mut words, None, q).unwrap();
            let mut rewrite = CountRewrite {
                bigrams: tokenizers.get(BIGRAM_TOKENIZER).unwrap(),
                reduced: false,
            };
            let counted =
                parse_user_query(&index.parser, &mut words, Some(&mut rewrite), q).unwrap();
            let (a, b) = (count(&index, &*full), count(&index, &*counted));
            assert_eq!(a.0, b.0, "total of {q}");
            assert_eq!(a.1, b.1, "facets of {q}");
            assert_eq!(rewrite.reduced, narrowed, "{q}");
            if a.0 > 0 {
                matched += 1;
            }
            // The search itself (limit 0: count and facets only) reports the full total.
            let mut req = crate::SearchRequest::new(q);
            req.limit = 0;
            req.facets = true;
            let res = index.search(&req).unwrap();
            assert_eq!(res.total as u64, a.0, "search total of {q}");
            assert_eq!(res.facets.as_ref(), Some(&a.1), "search facets of {q}");
        }
        // Not a vacuous comparison: almost every query matches something.
        assert!(
            matched >= cases.len() - 3,
            "{matched} of {} matched",
            cases.len()
        );
    }
}
