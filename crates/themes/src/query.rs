//! Theme rules compiled to tantivy queries over the article index (`yuqing-index`'s schema).
//!
//! Why two evaluators: at ingest the Aho-Corasick matcher ([`ThemeSet::match_article`]) decides
//! membership and records the evidence, one article at a time, with no index round trip. Running
//! the compiled queries per article instead would need the article committed first (a commit per
//! batch), and BM25's IDF depends on the corpus, so an article's membership would drift as the
//! corpus grows. The compiled queries serve the index side: finding every stored article a rule
//! can match (the candidates of `themes rematch`) and ranking a theme's articles by BM25.

use tantivy::collector::DocSetCollector;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, EnableScoring,
    Explanation, Occur, PhraseQuery, Query, RegexPhraseQuery, RegexQuery, Scorer, TermQuery,
    Weight, wildcard_query_to_regex_str,
};
use tantivy::schema::Value;
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TantivyDocument, Term};
use yuqing_text::{BigramTokenizer, normalize};

use crate::matcher::{Rule, ThemeSet, is_cjk};
use crate::rules::ThemeKind;
use crate::{TITLE_BOOST, ThemesError};

/// The tantivy fields a compiled rule searches: the `zh_word` (jieba) and `zh_bigram`
/// (character bigram) fields of title and body, as built by `yuqing-index`; plus the article
/// id and the matched-theme field, which [`ThemeSet::candidates`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemeFields {
    /// Article id (raw string, stored), schema field `id`.
    pub id: Field,
    /// Matched theme ids (raw string, multi-valued), schema field `theme`.
    pub theme: Field,
    /// Title words (`zh_word`), schema field `title`.
    pub title: Field,
    /// Body words (`zh_word`), schema field `body`.
    pub body: Field,
    /// Title bigrams (`zh_bigram`), schema field `title_bigram`.
    pub title_bigram: Field,
    /// Body bigrams (`zh_bigram`), schema field `body_bigram`.
    pub body_bigram: Field,
}

impl ThemeFields {
    /// Looks the fields up by name (`id`, `theme`, `title`, `body`, `title_bigram`,
    /// `body_bigram`) in a schema such as `yuqing_index::ArticleIndex::searcher()?.schema()`.
    ///
    /// # Errors
    /// [`ThemesError::Schema`] naming the first field the schema lacks.
    pub fn from_schema(schema: &Schema) -> Result<ThemeFields, ThemesError> {
        let get = |name: &'static str| {
            schema
                .get_field(name)
                .map_err(|_| ThemesError::Schema { field: name })
        };
        Ok(ThemeFields {
            id: get("id")?,
            theme: get("theme")?,
            title: get("title")?,
            body: get("body")?,
            title_bigram: get("title_bigram")?,
            body_bigram: get("body_bigram")?,
        })
    }
}

/// One token of a term as the `zh_bigram` tokenizer cuts it.
enum Piece {
    /// Must equal the indexed token (a bigram, or a whole Latin word / number).
    Exact(String),
    /// A lone CJK character at the start (`first`) and/or end (`last`) of the term: in a text
    /// it may be glued to a neighbouring CJK character into a bigram (`股` of `a股` is the
    /// `股市` bigram of `a股市`), so it matches `c`, `.c` (first) or `c.` (last).
    Lone { c: char, first: bool, last: bool },
}

/// The term's pieces, cut by the index's own bigram tokenizer (so term and text agree).
fn pieces(term: &str) -> Vec<Piece> {
    let mut tok = BigramTokenizer::new();
    let mut stream = tok.token_stream(term);
    let mut texts: Vec<String> = Vec::new();
    while stream.advance() {
        texts.push(stream.token().text.clone());
    }
    let norm = normalize(term);
    let starts_cjk = norm.chars().next().is_some_and(is_cjk);
    let ends_cjk = norm.chars().next_back().is_some_and(is_cjk);
    let n = texts.len();
    texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let mut chars = t.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if is_cjk(c) => Piece::Lone {
                    c,
                    first: i == 0 && starts_cjk,
                    last: i + 1 == n && ends_cjk,
                },
                _ => Piece::Exact(t),
            }
        })
        .collect()
}

/// Query for where `term` occurs in one bigram field: a TermQuery (one exact piece), a
/// PhraseQuery of its bigrams, a RegexQuery / RegexPhraseQuery when an edge character stands
/// alone (see [`Piece::Lone`]). `None` for a term with no indexable piece (only punctuation).
fn bigram_query(term: &str, field: Field) -> Option<Box<dyn Query>> {
    let ps = pieces(term);
    let lone = |c: char, first: bool, last: bool| {
        let c = wildcard_query_to_regex_str(&c.to_string());
        match (first, last) {
            (true, true) => format!("{c}|.{c}|{c}."),
            (true, false) => format!("{c}|.{c}"),
            (false, true) => format!("{c}|{c}."),
            (false, false) => c,
        }
    };
    let any_lone = ps
        .iter()
        .any(|p| matches!(p, Piece::Lone { first, last, .. } if *first || *last));
    match ps.as_slice() {
        [] => None,
        [Piece::Exact(t)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))),
        [Piece::Lone { c, first, last }] => {
            RegexQuery::from_pattern(&lone(*c, *first, *last), field)
                .ok()
                .map(|q| Box::new(q) as Box<dyn Query>)
        }
        _ if any_lone => {
            let terms = ps
                .iter()
                .map(|p| match p {
                    Piece::Exact(t) => wildcard_query_to_regex_str(t),
                    Piece::Lone { c, first, last } => lone(*c, *first, *last),
                })
                .collect();
            Some(Box::new(RegexPhraseQuery::new(field, terms)))
        }
        _ => Some(Box::new(PhraseQuery::new(
            ps.iter()
                .map(|p| match p {
                    Piece::Exact(t) => Term::from_field_text(field, t),
                    Piece::Lone { c, .. } => Term::from_field_text(field, &c.to_string()),
                })
                .collect(),
        ))),
    }
}

/// Membership query of a term: it occurs in the title (or the body too, unless `title_only`).
fn member(term: &str, title_only: bool, f: &ThemeFields) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(q) = bigram_query(term, f.title_bigram) {
        clauses.push((Occur::Should, q));
    }
    if !title_only && let Some(q) = bigram_query(term, f.body_bigram) {
        clauses.push((Occur::Should, q));
    }
    match clauses.len() {
        0 => None,
        1 => clauses.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(clauses))),
    }
}

/// Scored query of one field pair: must hit the bigram field (membership), and hitting the
/// word field too (the term is one jieba word there, e.g. `人民银行` on its own rather than
/// inside another word) adds its BM25 score.
fn scored_field(term: &str, bigram: Field, word: Field) -> Option<Box<dyn Query>> {
    let must = bigram_query(term, bigram)?;
    let norm = normalize(term);
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, must),
        (
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(word, &norm),
                IndexRecordOption::WithFreqs,
            )),
        ),
    ])))
}

/// Scored query of a positive term: title (×[`TITLE_BOOST`]) or body, times the weight.
fn scored(term: &str, title_only: bool, weight: f32, f: &ThemeFields) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(q) = scored_field(term, f.title_bigram, f.title) {
        clauses.push((Occur::Should, Box::new(BoostQuery::new(q, TITLE_BOOST))));
    }
    if !title_only && let Some(q) = scored_field(term, f.body_bigram, f.body) {
        clauses.push((Occur::Should, q));
    }
    if clauses.is_empty() {
        return None;
    }
    Some(Box::new(BoostQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        weight,
    )))
}

/// A required clause that only filters (score 0).
fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

/// Compiles one rule (see [`ThemeSet::query`]); `None` when it has no positive term.
fn rule_query(rule: &Rule, patterns: &[String], f: &ThemeFields) -> Option<Box<dyn Query>> {
    let text = |id: u32| patterns.get(id as usize).map_or("", String::as_str);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for t in &rule.terms {
        if let Some(q) = scored(text(t.term), t.title_only, t.weight, f) {
            clauses.push((Occur::Should, q));
        }
    }
    if clauses.is_empty() {
        return None;
    }
    let disjunction = |pick: &dyn Fn(&crate::matcher::RuleTerm) -> bool| {
        let qs: Vec<(Occur, Box<dyn Query>)> = rule
            .terms
            .iter()
            .filter(|t| pick(t))
            .filter_map(|t| member(text(t.term), t.title_only, f))
            .map(|q| (Occur::Should, q))
            .collect();
        if qs.is_empty() {
            Box::new(EmptyQuery) as Box<dyn Query>
        } else {
            Box::new(BooleanQuery::new(qs))
        }
    };
    // Without `all` groups every positive term is an `any` alternative (or `any` is not
    // required), so the scored Should clauses alone require what the matcher does: one hit.
    if rule.any_required && rule.all_mask != 0 {
        clauses.push(filter(disjunction(&|t| t.any)));
    }
    for g in 0..64u32 {
        let bit = 1u64 << g;
        if rule.all_mask & bit != 0 {
            clauses.push(filter(disjunction(&|t| t.groups & bit != 0)));
        }
    }
    for &(id, title_only) in &rule.nots {
        if let Some(q) = member(text(id), title_only, f) {
            clauses.push((Occur::MustNot, Box::new(PlainSeek(q))));
        }
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// Wraps a query so its scorer answers `seek_danger` through plain `seek` (the `DocSet`
/// default). Used for `not` clauses: tantivy 0.27's exclusion calls `seek_danger` on the
/// excluded scorer with a target that may lie before the scorer's first document, which is
/// correct (that target is not excluded) but trips `PhraseScorer::seek_danger`'s
/// `debug_assert!(target >= self.doc())` in debug builds.
#[derive(Debug)]
struct PlainSeek(Box<dyn Query>);

impl Clone for PlainSeek {
    fn clone(&self) -> Self {
        PlainSeek(self.0.box_clone())
    }
}

impl Query for PlainSeek {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlainSeekWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct PlainSeekWeight(Box<dyn Weight>);

impl Weight for PlainSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlainSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PlainSeekScorer(Box<dyn Scorer>);

impl DocSet for PlainSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlainSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

impl ThemeSet {
    /// The rule of theme `id` compiled to a tantivy query over `fields`; `None` for an unknown
    /// id or a section with neither terms nor items.
    ///
    /// Shape: every positive term (`any`, `all`, `title_only`) is a Should clause
    /// `Boost(weight, Boost(2, title) ∨ body)`, where each field part requires the term in the
    /// bigram field (a TermQuery for one bigram or Latin word, else a PhraseQuery of its
    /// bigrams, so `人民银行` hits `中国人民银行`) and adds the word field's score when jieba
    /// kept the term as one word; `any` (when `all` groups exist too) and each `all` group are
    /// zero-scored Must disjunctions; `not` terms are MustNot. A section is the
    /// DisjunctionMax (highest score, as the matcher takes) of its own rule and its items.
    ///
    /// Score: tantivy's BM25 (k1 = 1.2, b = 0.75; a phrase's IDF is the sum of its bigrams'),
    /// times the boosts: the theme's relevance for ranking.
    ///
    /// Hits equal the matcher's ([`ThemeSet::match_article`], asserted on the 151 cases of
    /// `tests/table.rs`) with two deliberate differences, both towards more hits: `min_score`
    /// is not applied (a score threshold cannot be a query), and a phrase of tokens also
    /// matches across a separator where the substring does not: a term holding a space or
    /// punctuation (`china post` also hits `china-post`), or a text repeating a bigram across
    /// punctuation (`人民，民银，银行` for `人民银行`). The query never hits less, which is what
    /// `themes rematch` relies on to find its candidates.
    pub fn query(&self, id: &str, fields: &ThemeFields) -> Option<Box<dyn Query>> {
        let &i = self.by_id.get(id)?;
        let theme = self.themes.get(i)?;
        let own = self
            .rules
            .get(i)
            .and_then(|r| rule_query(r, &self.patterns, fields));
        if theme.kind == ThemeKind::Item {
            return own;
        }
        let mut parts: Vec<Box<dyn Query>> = own.into_iter().collect();
        for &j in self.section_items.get(i).map_or(&[][..], Vec::as_slice) {
            if let Some(q) = self
                .rules
                .get(j)
                .and_then(|r| rule_query(r, &self.patterns, fields))
            {
                parts.push(q);
            }
        }
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Box::new(DisjunctionMaxQuery::new(parts))),
        }
    }
}

impl ThemeSet {
    /// Ids of every indexed article whose membership of one of the `changed` themes could
    /// differ under this rule set: the articles the index records as matched to it now (its
    /// `theme` field, whatever rules did it) and the articles its own rule's compiled query
    /// (as in [`ThemeSet::query`]; for a section without its items) hits. Since the query never hits less than the matcher, an article
    /// outside this set neither has nor gets any of those themes, so re-matching only the
    /// candidates gives the same result as re-matching everything (asserted in the pipeline's
    /// tests). Theme ids not in this set (removed themes) contribute their current members.
    ///
    /// Returned in index order (segment, then document), without duplicates.
    ///
    /// # Errors
    /// [`ThemesError::Search`] if tantivy fails to run the query or read a stored document.
    pub fn candidates(
        &self,
        searcher: &Searcher,
        fields: &ThemeFields,
        changed: &[String],
    ) -> Result<Vec<String>, ThemesError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for id in changed {
            // The theme's own rule only: a section's items that did not change cannot change
            // its matches, and their hits are members already.
            let own = self.by_id.get(id.as_str()).and_then(|&i| {
                self.rules
                    .get(i)
                    .and_then(|r| rule_query(r, &self.patterns, fields))
            });
            if let Some(q) = own {
                clauses.push((Occur::Should, q));
            }
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.theme, id),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let search = |operation: &'static str| {
            move |source: tantivy::TantivyError| ThemesError::Search { operation, source }
        };
        let hits = searcher
            .search(&BooleanQuery::new(clauses), &DocSetCollector)
            .map_err(search("candidate search"))?;
        let mut addrs: Vec<DocAddress> = hits.into_iter().collect();
        addrs.sort_unstable();
        let mut ids = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(search("document fetch"))?;
            if let Some(id) = doc.get_first(fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }
}
