//! The compiled rule set and article matching.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use yuqing_model::{HitField, TermHit, ThemeMatch};
use yuqing_text::normalize;

use crate::ThemesError;
use crate::rules::{FileSpec, Theme, ThemeKind, parse_file};

/// Weight of the title part of a term's score relative to the body part (the index's
/// search boosts its title fields by the same factor).
pub const TITLE_BOOST: f32 = 2.0;

/// BM25 term-frequency saturation `k1` (Robertson & Zaragoza 2009, "The Probabilistic
/// Relevance Framework: BM25 and Beyond", §3; tantivy's value).
pub const BM25_K1: f32 = 1.2;
/// BM25 length normalisation `b` (same source; tantivy's value).
pub const BM25_B: f32 = 0.75;
/// Average title length, in characters of the normalised text, assumed by the stored score's
/// length normalisation (a fixed constant, so an article's score does not drift with the
/// corpus; Chinese news headlines run 15–30 characters).
pub const AVG_TITLE_CHARS: f32 = 24.0;
/// Average body length assumed likewise (the generated benchmark corpus and typical news
/// articles: about 1,000 characters).
pub const AVG_BODY_CHARS: f32 = 1000.0;
/// Scale of the body part, chosen so that at the average body length one mention of a
/// weight-1 term (0.75) stays below the default `min_score` 1.0 and two (1.03) reach it, as
/// with the earlier `ln(1 + count)` formula the shipped rules were tuned on.
pub const BODY_SCALE: f32 = 0.75;

/// Version of the scoring formula; part of [`ThemeSet::fingerprint`] so that a formula change
/// also triggers a rematch.
const FORMULA: &str =
    "yuqing-themes score v2: w*(2*bm25tf(title,24)+0.75*bm25tf(body,1000)), k1=1.2 b=0.75";

/// BM25's saturated term frequency without IDF: `tf·(k1+1) / (tf + k1·(1 − b + b·len/avg))`.
/// 0 for `tf` 0; 1.0 for one occurrence in a field of average length; approaches `k1 + 1` =
/// 2.2 as `tf` grows; smaller in longer fields.
pub fn bm25_tf(tf: u32, len_chars: usize, avg_chars: f32) -> f32 {
    if tf == 0 {
        return 0.0;
    }
    let tf = tf as f32;
    let norm = BM25_K1 * (1.0 - BM25_B + BM25_B * len_chars as f32 / avg_chars);
    tf * (BM25_K1 + 1.0) / (tf + norm)
}

/// True for characters the index cuts into bigrams (same set as `yuqing_text`'s bigram
/// tokenizer): Han ideographs, 〇, kana, Hangul syllables.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// A letter or digit the index keeps as part of a whole word (not cut into bigrams).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// One distinct positive term of a rule.
#[derive(Debug, Clone)]
pub(crate) struct RuleTerm {
    /// Index into the automaton's patterns.
    pub(crate) term: u32,
    /// The term as first written in this rule (reported in [`TermHit::term`]).
    raw: String,
    pub(crate) weight: f32,
    /// Listed in `any` (or only in `title_only`, which counts as an `any` alternative).
    pub(crate) any: bool,
    /// Bit g set: the term is in `all` group g.
    pub(crate) groups: u64,
    /// Counts only in the title.
    pub(crate) title_only: bool,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) terms: Vec<RuleTerm>,
    /// `any` was non-empty: one of its terms must hit.
    pub(crate) any_required: bool,
    /// All bits of the `all` groups.
    pub(crate) all_mask: u64,
    /// (term, title only) pairs that exclude the article.
    pub(crate) nots: Vec<(u32, bool)>,
    pub(crate) min_score: f32,
}

/// Per-term counts of one article.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Occurrences in title, body.
    count: [u32; 2],
    /// End (byte) of the last counted occurrence in title, body (non-overlapping counting).
    end: [usize; 2],
    /// Whether an occurrence was counted in title, body.
    seen: [bool; 2],
}

/// A compiled `themes.toml`: every section and item theme with its rule, and one Aho-Corasick
/// automaton over all distinct (normalised) terms of all rules.
///
/// Build with [`ThemeSet::load`] or [`ThemeSet::from_toml_str`]; cheap to share behind an `Arc`
/// (matching takes `&self`); `Clone` copies the rules and shares nothing mutable.
#[derive(Debug, Clone)]
pub struct ThemeSet {
    plan_name: Option<String>,
    pub(crate) themes: Vec<Theme>,
    pub(crate) rules: Vec<Rule>,
    /// For each section theme index: the indices of its item themes.
    pub(crate) section_items: Vec<Vec<usize>>,
    /// For each term: the themes whose rule mentions it (positive or `not`).
    postings: Vec<Vec<u32>>,
    /// Normalised terms, by pattern id.
    pub(crate) patterns: Vec<String>,
    /// Whether a pattern starts / ends with a letter or digit (word-boundary check).
    word_edges: Vec<(bool, bool)>,
    automaton: AhoCorasick,
    pub(crate) by_id: HashMap<String, usize>,
    fingerprint: String,
}

impl ThemeSet {
    /// Reads and compiles a themes file (format in the crate documentation). Problems are
    /// reported with the path as given as the file label.
    ///
    /// # Errors
    /// [`ThemesError::Read`] (file unreadable), [`ThemesError::Syntax`] (not TOML),
    /// [`ThemesError::Invalid`] (every rule problem, each naming file and key),
    /// [`ThemesError::Compile`] (automaton too large).
    pub fn load(path: &Path) -> Result<ThemeSet, ThemesError> {
        let text = std::fs::read_to_string(path).map_err(|source| ThemesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ThemeSet::from_toml_str(&text, &path.display().to_string())
    }

    /// Compiles the text of a themes file; `file_label` (e.g. `themes.toml`) starts every
    /// problem message.
    ///
    /// # Errors
    /// As [`ThemeSet::load`], without [`ThemesError::Read`].
    pub fn from_toml_str(text: &str, file_label: &str) -> Result<ThemeSet, ThemesError> {
        let spec = parse_file(text, file_label)?;
        ThemeSet::compile(spec, file_label)
    }

    fn compile(spec: FileSpec, file: &str) -> Result<ThemeSet, ThemesError> {
        let mut interner = Interner::default();
        let mut themes = Vec::with_capacity(spec.themes.len());
        let mut rules = Vec::with_capacity(spec.themes.len());
        for ts in spec.themes {
            let r = &ts.rule;
            let mut terms: Vec<RuleTerm> = Vec::new();
            let title_only: Vec<u32> = r.title_only.iter().map(|t| interner.id(t)).collect();
            for t in &r.any {
                add_term(&mut terms, &mut interner, &title_only, t, true, None);
            }
            for (g, group) in r.all.iter().enumerate() {
                for t in group {
                    add_term(&mut terms, &mut interner, &title_only, t, false, Some(g));
                }
            }
            let not_ids: Vec<u32> = r.not.iter().map(|t| interner.id(t)).collect();
            for t in &r.title_only {
                let id = interner.id(t);
                if not_ids.contains(&id) {
                    // Title-only exclusion: handled with the `not` terms below.
                    continue;
                }
                let listed = terms.iter().any(|x| x.term == id);
                // Only in title_only: an extra `any` alternative, restricted to the title.
                add_term(&mut terms, &mut interner, &title_only, t, !listed, None);
            }
            for (t, w) in &r.weights {
                let id = interner.id(t);
                if let Some(x) = terms.iter_mut().find(|x| x.term == id) {
                    x.weight = *w;
                }
            }
            let nots = r
                .not
                .iter()
                .map(|t| {
                    let id = interner.id(t);
                    (id, title_only.contains(&id))
                })
                .collect();
            let all_mask = if r.all.is_empty() {
                0
            } else {
                u64::MAX >> (64 - r.all.len().min(64))
            };
            rules.push(Rule {
                terms,
                any_required: !r.any.is_empty(),
                all_mask,
                nots,
                min_score: r.min_score,
            });
            themes.push(ts.theme);
        }
        let patterns = interner.patterns;
        // A full DFA is the fastest for overlapping search over a few hundred terms (measured
        // by `bench_match`); should it exceed the crate's state limits, let it pick.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .map_err(|e| ThemesError::Compile {
                file: file.to_string(),
                terms: patterns.len(),
                message: e.to_string(),
            })?;
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); patterns.len()];
        for (i, rule) in rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let ids = rule
                .terms
                .iter()
                .map(|t| t.term)
                .chain(rule.nots.iter().map(|n| n.0));
            for id in ids {
                if let Some(p) = postings.get_mut(id as usize)
                    && p.last() != Some(&i)
                {
                    p.push(i);
                }
            }
        }
        let by_id: HashMap<String, usize> = themes
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let section_items = themes
            .iter()
            .map(|s| {
                if s.kind == ThemeKind::Section {
                    themes
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| t.kind == ThemeKind::Item && t.section == s.id)
                        .map(|(i, _)| i)
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let word_edges = patterns
            .iter()
            .map(|p| {
                (
                    p.chars().next().is_some_and(is_word_char),
                    p.chars().next_back().is_some_and(is_word_char),
                )
            })
            .collect();
        let fingerprint = fingerprint(&themes, &rules, &patterns);
        Ok(ThemeSet {
            plan_name: spec.plan_name,
            themes,
            rules,
            section_items,
            postings,
            patterns,
            word_edges,
            automaton,
            by_id,
            fingerprint,
        })
    }

    /// Every theme: sections first, then items, each in file order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The theme with this id (`s4`, `s4.i10`), if declared.
    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.by_id.get(id).and_then(|&i| self.themes.get(i))
    }

    /// `[plan] name`, when the file gives one.
    pub fn plan_name(&self) -> Option<&str> {
        self.plan_name.as_deref()
    }

    /// Number of distinct normalised terms in the automaton.
    pub fn term_count(&self) -> usize {
        self.patterns.len()
    }

    /// 32 hex digits: BLAKE3 of everything that decides matches (theme ids, kinds, sections,
    /// normalised terms with their lists, weights and title-only flags, `not` terms, min
    /// scores, and the scoring formula's version). Equal fingerprints mean a rematch would
    /// change nothing; names and comments do not count.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// Matches one article against every theme. `title` and `body` are raw text; both are
    /// normalised (`yuqing_text::normalize`) and scanned once each by the automaton.
    ///
    /// Returns the matched themes (sections and items), highest score first, ties by id; each
    /// with the terms that hit (title hits first, then by term). Semantics and score formula:
    /// see the crate documentation. Cost: about linear in the text length plus the hit terms;
    /// per call one buffer for the normalised text and a few scratch vectors sized by the
    /// number of terms and themes, nothing per term.
    pub fn match_article(&self, title: &str, body: &str) -> Vec<ThemeMatch> {
        let mut slots = vec![Slot::default(); self.patterns.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut norm = String::with_capacity(title.len().max(body.len()));
        normalize_into(title, &mut norm);
        self.scan(&norm, HitField::Title, &mut slots, &mut touched);
        let title_chars = norm.chars().count();
        normalize_into(body, &mut norm);
        self.scan(&norm, HitField::Body, &mut slots, &mut touched);
        if touched.is_empty() {
            return Vec::new();
        }
        let lens = [title_chars, norm.chars().count()];
        let mut candidate = vec![false; self.themes.len()];
        for &t in &touched {
            for &th in self.postings.get(t as usize).into_iter().flatten() {
                if let Some(c) = candidate.get_mut(th as usize) {
                    *c = true;
                }
            }
        }
        let mut results: Vec<Option<(f32, Vec<TermHit>)>> = vec![None; self.themes.len()];
        for (i, rule) in self.rules.iter().enumerate() {
            if candidate.get(i).copied().unwrap_or(false)
                && let Some(r) = results.get_mut(i)
            {
                *r = eval(rule, &slots, lens);
            }
        }
        let mut out = Vec::new();
        // Sections first: they copy the evidence of their items, which the items then move out.
        for (i, theme) in self.themes.iter().enumerate() {
            if theme.kind != ThemeKind::Section {
                continue;
            }
            let items = self.section_items.get(i).map_or(&[][..], Vec::as_slice);
            let parts = std::iter::once(i)
                .chain(items.iter().copied())
                .filter_map(|j| results.get(j).and_then(Option::as_ref));
            let mut best: Option<f32> = None;
            let mut hits: Vec<TermHit> = Vec::new();
            for (score, h) in parts {
                best = Some(best.map_or(*score, |b| b.max(*score)));
                hits.extend(h.iter().cloned());
            }
            if let Some(score) = best {
                sort_hits(&mut hits);
                hits.dedup_by(|a, b| a.field == b.field && a.term == b.term);
                out.push(ThemeMatch {
                    theme: theme.id.clone(),
                    score,
                    hits,
                });
            }
        }
        for (theme, result) in self.themes.iter().zip(results) {
            if theme.kind == ThemeKind::Item
                && let Some((score, hits)) = result
            {
                out.push(ThemeMatch {
                    theme: theme.id.clone(),
                    score,
                    hits,
                });
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.theme.cmp(&b.theme))
        });
        out
    }

    /// Counts every term in `text` (the title or the body): overlapping automaton pass,
    /// then per term a greedy left-to-right non-overlapping count (as `str::matches`), skipping
    /// occurrences that would cut a Latin word or number (the index keeps those whole).
    fn scan(&self, text: &str, field: HitField, slots: &mut [Slot], touched: &mut Vec<u32>) {
        // Index into the two-element arrays of `Slot`.
        let field = match field {
            HitField::Title => 0,
            HitField::Body => 1,
        };
        for m in self.automaton.find_overlapping_iter(text) {
            let id = m.pattern().as_usize();
            let (word_start, word_end) = self.word_edges.get(id).copied().unwrap_or_default();
            // Matches of UTF-8 patterns start and end on char boundaries; `get` keeps it total.
            if word_start
                && text
                    .get(..m.start())
                    .and_then(|s| s.chars().next_back())
                    .is_some_and(is_word_char)
            {
                continue;
            }
            if word_end
                && text
                    .get(m.end()..)
                    .and_then(|s| s.chars().next())
                    .is_some_and(is_word_char)
            {
                continue;
            }
            let Some(slot) = slots.get_mut(id) else {
                continue;
            };
            if slot.seen[field] && m.start() < slot.end[field] {
                continue;
            }
            if !slot.seen[0] && !slot.seen[1] {
                touched.push(m.pattern().as_u32());
            }
            slot.seen[field] = true;
            slot.end[field] = m.end();
            slot.count[field] = slot.count[field].saturating_add(1);
        }
    }
}

/// Characters outside ASCII and the CJK unified block that are their own
/// `yuqing_text::normalize` form and common in Chinese news text (not `…` or `℃`, which NFKC
/// expands to `...` and `°c`). Checked against `normalize` in the tests.
fn is_stable_punct(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '「'
            | '」'
            | '『'
            | '』'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '—'
            | '·'
            | '–'
            | '●'
            | '○'
            | '■'
            | '□'
            | '△'
            | '▲'
            | '◆'
            | '★'
            | '※'
            | '→'
            | '×'
            | '°'
    )
}

/// Writes `yuqing_text::normalize(text)` into `out` (cleared first), with fast paths: ASCII
/// (lowercased), CJK unified ideographs and common punctuation that NFKC keeps are copied in
/// spans, full-width forms
/// U+FF01–U+FF5E map to ASCII U+0021–U+007E (their NFKC decomposition) then lowercase, and
/// U+3000 becomes a space. Any other character goes through `normalize` itself, so the result
/// is identical (asserted for every BMP character in the tests). Reuses `out`'s buffer.
fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    // Unchanged characters are copied in spans; `span` is the start of the pending span.
    let mut span = 0;
    for (i, c) in text.char_indices() {
        let unchanged = match c {
            c if c.is_ascii() => !c.is_ascii_uppercase(),
            '\u{4E00}'..='\u{9FFF}' => true,
            c => is_stable_punct(c),
        };
        if unchanged {
            continue;
        }
        // `span..i` lies between char boundaries from char_indices.
        out.push_str(text.get(span..i).unwrap_or_default());
        span = i + c.len_utf8();
        match c {
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            '\u{FF01}'..='\u{FF5E}' => {
                let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
                out.push(ascii.to_ascii_lowercase());
            }
            '\u{3000}' => out.push(' '),
            c => {
                let mut buf = [0u8; 4];
                out.push_str(&normalize(c.encode_utf8(&mut buf)));
            }
        }
    }
    out.push_str(text.get(span..).unwrap_or_default());
}

/// Distinct normalised terms and their pattern ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    patterns: Vec<String>,
}

impl Interner {
    /// The pattern id of `raw` once normalised, adding it if new.
    fn id(&mut self, raw: &str) -> u32 {
        let norm = normalize(raw);
        if let Some(&id) = self.ids.get(&norm) {
            return id;
        }
        let id = u32::try_from(self.patterns.len()).unwrap_or(u32::MAX);
        self.patterns.push(norm.clone());
        self.ids.insert(norm, id);
        id
    }
}

/// Adds `raw` to a rule's terms (merging with an earlier listing of the same normalised term):
/// `any` marks an `any` alternative, `group` an `all` group.
fn add_term(
    terms: &mut Vec<RuleTerm>,
    interner: &mut Interner,
    title_only: &[u32],
    raw: &str,
    any: bool,
    group: Option<usize>,
) {
    let id = interner.id(raw);
    let pos = match terms.iter().position(|t| t.term == id) {
        Some(pos) => pos,
        None => {
            terms.push(RuleTerm {
                term: id,
                raw: raw.to_string(),
                weight: 1.0,
                any: false,
                groups: 0,
                title_only: title_only.contains(&id),
            });
            terms.len() - 1
        }
    };
    if let Some(t) = terms.get_mut(pos) {
        t.any |= any;
        if let Some(g) = group.filter(|&g| g < 64) {
            t.groups |= 1u64 << g;
        }
    }
}

/// Evaluates one rule on the article's term counts: `Some((score, hits))` when it matches.
/// `lens`: title and body length in characters (normalised), for the BM25 length norm.
fn eval(rule: &Rule, slots: &[Slot], lens: [usize; 2]) -> Option<(f32, Vec<TermHit>)> {
    for &(t, title_only) in &rule.nots {
        let c = slots.get(t as usize).map_or([0, 0], |s| s.count);
        if c[0] > 0 || (!title_only && c[1] > 0) {
            return None;
        }
    }
    let mut any_ok = !rule.any_required;
    let mut groups = 0u64;
    let mut score = 0.0f32;
    let mut hit_terms = 0usize;
    for rt in &rule.terms {
        let c = slots.get(rt.term as usize).map_or([0, 0], |s| s.count);
        let title = c[0];
        let body = if rt.title_only { 0 } else { c[1] };
        if title == 0 && body == 0 {
            continue;
        }
        hit_terms += 1;
        any_ok |= rt.any;
        groups |= rt.groups;
        score += rt.weight
            * (TITLE_BOOST * bm25_tf(title, lens[0], AVG_TITLE_CHARS)
                + BODY_SCALE * bm25_tf(body, lens[1], AVG_BODY_CHARS));
    }
    if hit_terms == 0
        || !any_ok
        || groups & rule.all_mask != rule.all_mask
        || score < rule.min_score
    {
        return None;
    }
    let mut hits = Vec::with_capacity(hit_terms * 2);
    for rt in &rule.terms {
        let c = slots.get(rt.term as usize).map_or([0, 0], |s| s.count);
        if c[0] > 0 {
            hits.push(TermHit {
                term: rt.raw.clone(),
                count: c[0],
                field: HitField::Title,
            });
        }
        if c[1] > 0 && !rt.title_only {
            hits.push(TermHit {
                term: rt.raw.clone(),
                count: c[1],
                field: HitField::Body,
            });
        }
    }
    sort_hits(&mut hits);
    Some((score, hits))
}

fn sort_hits(hits: &mut [TermHit]) {
    hits.sort_by(|a, b| a.field.cmp(&b.field).then_with(|| a.term.cmp(&b.term)));
}

/// Canonical dump of what decides one theme's own matches (id, kind, section, min score,
/// `any`/`all` structure, normalised terms with weights, lists and title-only flags, `not`s).
fn rule_dump(theme: &Theme, rule: &Rule, patterns: &[String]) -> String {
    let term = |id: u32| patterns.get(id as usize).map_or("", String::as_str);
    let kind = match theme.kind {
        ThemeKind::Section => "S",
        ThemeKind::Item => "I",
    };
    let mut terms: Vec<String> = rule
        .terms
        .iter()
        .map(|t| {
            format!(
                "+{}:{}:{}:{:x}:{}",
                term(t.term),
                t.weight,
                t.any,
                t.groups,
                t.title_only
            )
        })
        .chain(
            rule.nots
                .iter()
                .map(|&(t, title)| format!("-{}:{title}", term(t))),
        )
        .collect();
    terms.sort();
    format!(
        "\n{kind}|{}|{}|{}|{}|{}|{}",
        theme.id,
        theme.section,
        rule.min_score,
        rule.any_required,
        rule.all_mask,
        terms.join("\u{1f}")
    )
}

/// First 32 hex digits of a BLAKE3 hash.
fn hex32(h: &blake3::Hasher) -> String {
    let hex = h.finalize().to_hex();
    hex.as_str().get(..32).unwrap_or_default().to_string()
}

/// BLAKE3 over a canonical dump of what decides matches (see [`ThemeSet::fingerprint`]).
fn fingerprint(themes: &[Theme], rules: &[Rule], patterns: &[String]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(FORMULA.as_bytes());
    for (theme, rule) in themes.iter().zip(rules) {
        h.update(rule_dump(theme, rule, patterns).as_bytes());
    }
    hex32(&h)
}

impl ThemeSet {
    /// Per theme (sections first, then items, file order): its id and 32 hex digits of BLAKE3
    /// over what decides that theme's own rule: the scoring formula's version, id, kind,
    /// section and rule (as in [`ThemeSet::fingerprint`]). A section's items are not part of
    /// it: an item change can only change the section for the articles whose match of that
    /// item changes, and those are re-matched whole for the item. `themes rematch` re-evaluates
    /// only the candidates of the themes whose fingerprint changed (or that were added or
    /// removed); with every fingerprint unchanged, matches, scores and hits are the same.
    pub fn rule_fingerprints(&self) -> Vec<(String, String)> {
        let dump = |i: usize| match (self.themes.get(i), self.rules.get(i)) {
            (Some(t), Some(r)) => rule_dump(t, r, &self.patterns),
            _ => String::new(),
        };
        (0..self.themes.len())
            .map(|i| {
                let mut h = blake3::Hasher::new();
                h.update(FORMULA.as_bytes());
                h.update(dump(i).as_bytes());
                let id = self.themes.get(i).map_or(String::new(), |t| t.id.clone());
                (id, hex32(&h))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_normalize_equals_yuqing_text_normalize_for_every_char() {
        let mut out = String::new();
        let mut buf = [0u8; 4];
        // Every fast path is in the BMP; other planes always take the `normalize` path.
        for cp in 0..=0xFFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = c.encode_utf8(&mut buf);
            normalize_into(s, &mut out);
            assert_eq!(out, normalize(s), "U+{cp:04X}");
        }
        let text = "ＥＭＳ快递，“９７９２”工程…　ＲＣＥＰ、①②Ｈｅｌｌｏ World";
        normalize_into(text, &mut out);
        assert_eq!(out, normalize(text));
    }
}
