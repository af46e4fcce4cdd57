//! # yuqing-themes: which items of the publicity plan does this article cover, and by which words?
//!
//! A press office works from a publicity plan (宣传工作要点): numbered sections (一、… 十、)
//! and items (`1．` … `29．`). This crate
//!
//! * imports a plan from its PDF text ([`parse_plan`]) and proposes rule terms per item and
//!   section, whole words of the segmenter's cut ranked by TF-IDF against the plan
//!   ([`propose_terms`], [`propose_section_terms`], [`fill_terms`]), written out as a
//!   `themes.toml` ([`plan_to_toml`]);
//! * compiles the `themes.toml` rules ([`ThemeSet`]) and matches articles against every
//!   section and item at once, with the evidence ([`ThemeSet::match_article`] →
//!   [`yuqing_model::ThemeMatch`] with [`yuqing_model::TermHit`]s).
//!
//! ## themes.toml
//! ```toml
//! version = 1
//! [plan]                     # optional
//! name = "2020年全国邮政管理系统新闻宣传工作要点"
//!
//! [[section]]
//! id = "s4"                  # s<number>
//! number = 4
//! name = "加强行业生态环保工作的宣传报道"
//! any = []                   # optional own terms (same rule keys as items)
//!
//! [[item]]
//! id = "s6.i16"              # s<section>.i<item>
//! section = "s6"
//! number = 16
//! name = "快递进村"
//! any = ["快递进村", "快递下乡"]          # at least one must hit (if non-empty)
//! all = [["快递", "邮政"], ["农村", "村"]]  # each group needs >= 1 hit
//! not = ["邮政编码"]                      # any hit excludes the article
//! title_only = ["进村"]                   # counts only when it hits the title
//! weights = { "快递进村" = 3.0 }           # default 1.0; the term must be in a list
//! min_score = 2.0                         # default 1.0
//! ```
//! Every problem of a file is reported at once, each as `file: key: message`
//! (`themes.toml: item[3].section: unknown section "s11"`; array indices count from 0):
//! unknown keys, missing or mistyped keys, `version` other than 1, duplicate ids, ids not of the
//! form `s<number>` / `<section>.i<number>`, items naming an unknown section, items without any
//! positive term (`any`, `all` or `title_only`), empty terms or groups, weights for terms in no
//! list, non-positive weights or `min_score`.
//!
//! ## Matching semantics
//! * Title, body and terms are normalised like the index (`yuqing_text::normalize`: per-character
//!   NFKC, so full-width `ＥＭＳ２０２０` is `ems2020`, and ASCII lowercased).
//! * A term hits where its characters occur in the normalised text: substring, counted without
//!   overlaps. That is what a phrase query over the index's character-bigram field finds, so
//!   `人民银行` hits `中国人民银行`, and `快递进村` does not hit `快递，进村`. Like the bigram field,
//!   which keeps Latin words and numbers whole, a term that starts (ends) with a Latin letter or
//!   digit only hits where the text does not continue the word there: `9792` hits `9792工程` but
//!   not `197920`, `ems` not `systems`.
//! * Score of a rule = Σ over its hit positive terms (`any`, `all`, `title_only`) of
//!   `weight × (2 × bm25_tf(title count, title length, 24) + 0.75 × bm25_tf(body count, body
//!   length, 1000))`, where [`bm25_tf`]`(tf, len, avg) = tf·(k1+1) / (tf + k1·(1 − b +
//!   b·len/avg))` with `k1` = 1.2, `b` = 0.75 and lengths in characters of the normalised
//!   text: BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
//!   Beyond") with the term weight in the place of IDF and fixed average lengths
//!   ([`AVG_TITLE_CHARS`], [`AVG_BODY_CHARS`]), so the score ranks like the BM25 score of the
//!   rule's compiled query ([`ThemeSet::query`]) but does not drift with the corpus. Further
//!   mentions add ever less (saturating at 2.2), and a mention counts for more in a short text
//!   than in a long one. With the default `min_score` 1.0 a weight-1 term that hits a title of
//!   average length passes (2.0); in the body of an average-length article it must hit twice
//!   (one mention gives 0.75, two 1.03), so a passing mention is not coverage, while in a short
//!   text (a lead of 50 characters) one mention gives 1.22. Raise a term's weight to let one
//!   body mention suffice anywhere (weight 1.5 → 1.13 at average length).
//! * A rule matches when: some `any` term hits (or `any` is empty), every `all` group has a hit,
//!   no `not` term hits (title or body), and the score is at least `min_score`.
//! * `title_only` terms count only where they hit the title, in every list of that rule (also
//!   `not`); a term listed only under `title_only` is one more `any` alternative.
//! * A section matches on its own rule or whenever one of its items matches; its score is the
//!   highest of those, its hits the union of theirs.
//!
//! Why an automaton at ingest and BM25 queries on the index: see [`ThemeSet::query`] and the
//! `query` module; the compiled queries find the same articles (`tests/query.rs`) and rank a
//! theme's articles by BM25 (with IDF) when searched; the automaton matches one article
//! without an index commit and with a score that does not depend on the rest of the corpus.
//!
//! All terms of all rules go into one Aho-Corasick automaton (crate `aho-corasick`, standard
//! semantics, overlapping search): one pass over the title and one over the body count every
//! term; rules are then evaluated only for themes one of whose terms hit. Measured by the
//! `bench_match` example (`cargo run --release -p yuqing-themes --example bench_match`).
//!
//! ```
//! use yuqing_themes::{AVG_BODY_CHARS, AVG_TITLE_CHARS, ThemeSet, bm25_tf};
//! let toml = r#"
//! version = 1
//! [[section]]
//! id = "s4"
//! number = 4
//! name = "生态环保"
//! [[item]]
//! id = "s4.i10"
//! section = "s4"
//! number = 10
//! name = "9792工程"
//! any = ["9792", "绿色包装"]
//! not = ["邮政编码"]
//! "#;
//! let set = ThemeSet::from_toml_str(toml, "themes.toml").unwrap();
//! let m = set.match_article("邮政业推进“９７９２”工程", "绿色包装应用……绿色包装回收");
//! assert_eq!(m[0].theme, "s4");      // the section, via its item (same score, id first)
//! assert_eq!(m[1].theme, "s4.i10");
//! // 9792 in the title + 绿色包装 twice in the body, BM25-saturated and length-normalised.
//! // Lengths of the normalised texts (NFKC: `９` → `9`, `…` → `...`): 13 and 18 characters.
//! let (title_len, body_len) = (13, 18);
//! let want = 2.0 * bm25_tf(1, title_len, AVG_TITLE_CHARS) + 0.75 * bm25_tf(2, body_len, AVG_BODY_CHARS);
//! assert!((m[1].score - want).abs() < 1e-5);
//! assert_eq!(m[1].hits[0].term, "9792");
//! assert_eq!(m[1].hits[1].count, 2);
//! ```
#![warn(missing_docs)]

mod error;
mod matcher;
mod plan;
mod query;
mod rules;
mod terms;

pub use error::ThemesError;
pub use matcher::{
    AVG_BODY_CHARS, AVG_TITLE_CHARS, BM25_B, BM25_K1, BODY_SCALE, TITLE_BOOST, ThemeSet, bm25_tf,
};
pub use plan::{Plan, PlanItem, PlanSection, chinese_numeral, parse_plan, quoted_terms};
pub use query::ThemeFields;
pub use rules::{Theme, ThemeKind};
pub use terms::{
    BROAD_WORDS, Background, COLLOCATION_DF, DOMAIN_ITEM_SHARE, GENERIC_PHRASES,
    GENERIC_PLAN_WORDS, MAX_BACKGROUND_DF, MAX_DOMAIN_TERMS, MAX_NAME_CHARS, MAX_PHRASE_CHARS,
    MAX_PHRASE_WORDS, MAX_TERMS_PER_ITEM, MAX_TERMS_PER_SECTION, MIN_TERMS_PER_ITEM, TOML_HEADER,
    domain_terms, fill_terms, plan_to_toml, propose_section_terms, propose_terms, title_core,
};
