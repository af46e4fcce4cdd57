//! The shipped lexicon model: one Aho-Corasick automaton over every lexicon entry, negation and
//! degree looked up just before each sentiment word, contrast and enforcement context per
//! sentence.
//!
//! Negators and degree adverbs are matched as whole lexicon entries, never inside a longer
//! one: the automaton is leftmost-longest, so in 积极 (a positive entry) the match is 积极 and
//! the degree adverb 极 is not seen, while 极其 (a degree entry) and a standalone 极 are. Words
//! that merely contain a modifier character and mean something else (未来, 非遗, 不断) are listed
//! in `shields.txt` for the same reason. There is no segmenter at scoring time (it would cost
//! a jieba cut, ~50× the automaton pass).

use std::fs;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use yuqing_model::{Evidence, Sentiment, SentimentLabel};
use yuqing_text::normalize;

use crate::SentimentError;

/// The lexicon files [`Lexicon::load`] reads, by kind. Every file is optional except
/// `positive.txt` and `negative.txt`.
pub const LEXICON_FILES: [&str; 7] = [
    "positive.txt",
    "negative.txt",
    "negators.txt",
    "degree.txt",
    "contrast.txt",
    "enforcement.txt",
    "shields.txt",
];

/// The project's lexicon as shipped in `config/lexicon/`, compiled into the binary (same
/// order as [`LEXICON_FILES`]).
const BUILTIN: [(&str, &str); 7] = [
    (
        "positive.txt",
        include_str!("../../../config/lexicon/positive.txt"),
    ),
    (
        "negative.txt",
        include_str!("../../../config/lexicon/negative.txt"),
    ),
    (
        "negators.txt",
        include_str!("../../../config/lexicon/negators.txt"),
    ),
    (
        "degree.txt",
        include_str!("../../../config/lexicon/degree.txt"),
    ),
    (
        "contrast.txt",
        include_str!("../../../config/lexicon/contrast.txt"),
    ),
    (
        "enforcement.txt",
        include_str!("../../../config/lexicon/enforcement.txt"),
    ),
    (
        "shields.txt",
        include_str!("../../../config/lexicon/shields.txt"),
    ),
];

/// Weight of a title contribution relative to a body one (a headline is what readers see).
pub const TITLE_WEIGHT: f32 = 2.0;
/// Weight of a negated word relative to the word: a negated positive word counts
/// `-NEGATED_POSITIVE` times its weight (不满意 ≈ a negative word).
pub const NEGATED_POSITIVE: f32 = 0.8;
/// A negated negative word counts `NEGATED_NEGATIVE` times its weight as positive
/// (并未延误 is mildly reassuring, not bad news).
pub const NEGATED_NEGATIVE: f32 = 0.4;
/// Most characters allowed between a negator/degree adverb and the word it modifies
/// (or the next modifier of the chain).
pub const MODIFIER_GAP_CHARS: usize = 1;
/// Saturation constant of the score: `score = raw / (|raw| + SCORE_SATURATION)`, so one
/// ordinary (weight 1) body word gives ±0.2 and one ordinary title word ±0.33.
pub const SCORE_SATURATION: f32 = 4.0;
/// Body length (characters) under which the body sum is used as is; a longer body's sum is
/// divided by `sqrt(chars / BODY_NORM_CHARS)` so a long article is not extreme just for its
/// length.
pub const BODY_NORM_CHARS: f32 = 200.0;
/// Evidence items kept per article (strongest first).
pub const MAX_EVIDENCE: usize = 10;

/// What one automaton pattern means. A word can be several things (破获 is positive and an
/// enforcement word).
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// Signed sentiment weight (> 0 positive, < 0 negative, 0 none).
    polarity: f32,
    /// True for a negator.
    negator: bool,
    /// Degree multiplier, if a degree adverb.
    degree: Option<f32>,
    /// Contrast `(after, before)` multipliers, if a contrast word.
    contrast: Option<(f32, f32)>,
    /// Damping of the sentence's negative words, if an enforcement word.
    damp: Option<f32>,
    /// Sentence (`Some(true)`) or clause (`Some(false)`) boundary punctuation.
    boundary: Option<bool>,
}

/// Sentence-ending punctuation, after normalisation (NFKC maps ！？；to ASCII).
const SENTENCE_ENDS: [&str; 8] = ["。", "!", "?", ";", "\n", "！", "？", "；"];
/// Clause punctuation (ends negation scope but not the contrast/enforcement sentence).
const CLAUSE_ENDS: [&str; 6] = [",", "、", ":", "，", "：", "…"];

/// A compiled sentiment lexicon: positive and negative words with weights, negators, degree
/// adverbs, contrast words, enforcement context and shield words (format in each file's header
/// under `config/lexicon/`), all in one leftmost-longest Aho-Corasick automaton.
#[derive(Debug, Clone)]
pub struct Lexicon {
    automaton: AhoCorasick,
    entries: Vec<Entry>,
    /// Number of positive and negative words, for reporting.
    counts: (usize, usize),
}

/// One lexicon hit that moved the score, with its place in the normalised text.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// True for the title, false for the body.
    pub in_title: bool,
    /// Byte range in the *normalised* field text ([`yuqing_text::normalize`]), from the first
    /// modifier (negator / degree adverb) to the end of the word.
    pub span: (usize, usize),
    /// Signed contribution after negation, degree, contrast, enforcement damping, title
    /// weighting and body length normalisation.
    pub weight: f32,
}

/// The lexicon's reading of one article: the raw sum, the bounded score and every hit.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconScore {
    /// Sum of all hit weights (unbounded).
    pub raw: f32,
    /// `raw / (|raw| + SCORE_SATURATION)`, in (-1, 1).
    pub score: f32,
    /// Sum of the positive hit weights (≥ 0).
    pub positive: f32,
    /// Sum of the negative hit weights (≤ 0).
    pub negative: f32,
    /// Every hit, in text order (title first).
    pub hits: Vec<Hit>,
}

impl Lexicon {
    /// Reads the lexicon files ([`LEXICON_FILES`]) from `dir`. `positive.txt` and
    /// `negative.txt` are required; the others may be absent. Words are normalised with
    /// [`yuqing_text::normalize`]; a word listed twice in one kind keeps the last weight.
    ///
    /// # Errors
    /// [`SentimentError::LexiconRead`] when a required file is missing or a file is not
    /// readable UTF-8, [`SentimentError::LexiconEntry`] (file and line) for a bad weight or
    /// an empty lexicon.
    pub fn load(dir: &Path) -> Result<Lexicon, SentimentError> {
        let (lexicon, mut problems) = Lexicon::load_all(dir);
        match lexicon {
            Some(l) if problems.is_empty() => Ok(l),
            _ if !problems.is_empty() => Err(problems.swap_remove(0)),
            // `load_all` returns a lexicon or at least one problem.
            _ => Err(SentimentError::LexiconEntry {
                path: dir.to_path_buf(),
                line: 0,
                message: "the lexicon could not be built".into(),
            }),
        }
    }

    /// Every problem of the lexicon files in `dir` (unreadable or missing required files,
    /// each bad line of each file, an empty lexicon), in file and line order; empty when
    /// [`Lexicon::load`] would succeed. For `yuqing config check`, which lists them all.
    pub fn problems(dir: &Path) -> Vec<SentimentError> {
        Lexicon::load_all(dir).1
    }

    /// Reads every file of `dir`, collecting every problem; the lexicon is `None` only when
    /// it could not be built at all.
    fn load_all(dir: &Path) -> (Option<Lexicon>, Vec<SentimentError>) {
        let mut sources = Vec::with_capacity(LEXICON_FILES.len());
        let mut problems = Vec::new();
        for name in LEXICON_FILES {
            let path = dir.join(name);
            let required = name == "positive.txt" || name == "negative.txt";
            match fs::read_to_string(&path) {
                Ok(text) => sources.push((path, text)),
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => problems.push(SentimentError::LexiconRead { path, source }),
            }
        }
        let (lexicon, more) =
            Lexicon::from_sources_all(sources.iter().map(|(p, t)| (p.clone(), t.as_str())));
        problems.extend(more);
        (lexicon, problems)
    }

    /// The project's lexicon (`config/lexicon/` at build time), compiled into the binary.
    pub fn builtin() -> Lexicon {
        // The shipped files are tested (tests/lexicon_rules.rs loads them); a parse failure
        // here would be a build-time mistake caught by every test, so an empty fallback is
        // never reached in a tested build.
        Lexicon::from_sources(
            BUILTIN
                .iter()
                .map(|(name, text)| (PathBuf::from("config/lexicon").join(name), *text)),
        )
        .unwrap_or_else(|_| Lexicon::empty())
    }

    /// A lexicon with no words (every article scores 0, neutral).
    fn empty() -> Lexicon {
        // `build` only fails when aho-corasick rejects the patterns (too many states); the
        // fourteen one-character punctuation patterns it adds here cannot hit that limit.
        Lexicon::build(Vec::new(), (0, 0)).unwrap_or_else(|_| unreachable!())
    }

    /// Number of (positive, negative) words.
    pub fn word_counts(&self) -> (usize, usize) {
        self.counts
    }

    fn from_sources<'a>(
        sources: impl Iterator<Item = (PathBuf, &'a str)>,
    ) -> Result<Lexicon, SentimentError> {
        match Lexicon::from_sources_all(sources) {
            (Some(l), problems) if problems.is_empty() => Ok(l),
            (_, mut problems) if !problems.is_empty() => Err(problems.swap_remove(0)),
            _ => Err(SentimentError::LexiconEntry {
                path: PathBuf::from("config/lexicon"),
                line: 0,
                message: "the lexicon could not be built".into(),
            }),
        }
    }

    /// Parses every line of every source, collecting every bad line (a bad line is skipped);
    /// the lexicon is built from the good lines unless it would be empty.
    fn from_sources_all<'a>(
        sources: impl Iterator<Item = (PathBuf, &'a str)>,
    ) -> (Option<Lexicon>, Vec<SentimentError>) {
        let mut problems = Vec::new();
        let mut map: std::collections::HashMap<String, Entry> = std::collections::HashMap::new();
        let mut counts = (0, 0);
        for (path, text) in sources {
            let kind = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut fields = line.split_whitespace();
                let Some(word) = fields.next() else { continue };
                let word = normalize(word);
                let nums: Vec<&str> = fields.collect();
                let bad = |message: String| SentimentError::LexiconEntry {
                    path: path.clone(),
                    line: i + 1,
                    message,
                };
                let num = |k: usize, default: Option<f32>| -> Result<f32, SentimentError> {
                    match nums.get(k) {
                        Some(s) => s
                            .parse::<f32>()
                            .ok()
                            .filter(|v| v.is_finite() && *v >= 0.0)
                            .ok_or_else(|| {
                                bad(format!("weight {s:?} is not a non-negative number"))
                            }),
                        None => default.ok_or_else(|| bad(format!("{word} has no weight"))),
                    }
                };
                let parsed: Result<(), SentimentError> = (|| {
                    let e = map.entry(word.clone()).or_default();
                    match kind.as_str() {
                        "positive.txt" => {
                            e.polarity = num(0, None)?;
                            counts.0 += 1;
                        }
                        "negative.txt" => {
                            e.polarity = -num(0, None)?;
                            counts.1 += 1;
                        }
                        "negators.txt" => e.negator = true,
                        "degree.txt" => e.degree = Some(num(0, None)?),
                        "contrast.txt" => e.contrast = Some((num(0, None)?, num(1, Some(0.5))?)),
                        "enforcement.txt" => {
                            let d = num(0, None)?;
                            if d > 1.0 {
                                return Err(bad(format!("damping {d} is above 1")));
                            }
                            e.damp = Some(d);
                        }
                        _ => {} // shields: the entry exists and means nothing
                    }
                    Ok(())
                })();
                if let Err(e) = parsed {
                    problems.push(e);
                }
            }
        }
        if counts.0 + counts.1 == 0 {
            problems.push(SentimentError::LexiconEntry {
                path: PathBuf::from("positive.txt"),
                line: 0,
                message: "the lexicon has no positive or negative words".into(),
            });
            return (None, problems);
        }
        let mut pairs: Vec<(String, Entry)> = map.into_iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        match Lexicon::build(pairs, counts) {
            Ok(l) => (Some(l), problems),
            Err(e) => {
                problems.push(e);
                (None, problems)
            }
        }
    }

    fn build(
        mut pairs: Vec<(String, Entry)>,
        counts: (usize, usize),
    ) -> Result<Lexicon, SentimentError> {
        for (set, sentence) in [(&SENTENCE_ENDS[..], true), (&CLAUSE_ENDS[..], false)] {
            for p in set {
                pairs.push((
                    (*p).to_string(),
                    Entry {
                        boundary: Some(sentence),
                        ..Entry::default()
                    },
                ));
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(pairs.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| SentimentError::LexiconEntry {
                path: PathBuf::from("config/lexicon"),
                line: 0,
                message: format!("cannot build the automaton: {e}"),
            })?;
        Ok(Lexicon {
            automaton,
            entries: pairs.into_iter().map(|(_, e)| e).collect(),
            counts,
        })
    }

    /// Scores an article (raw text; normalised here). `CPU`: one automaton pass per field,
    /// about 10–20 µs for 1.5 KB; allocation: the two normalised strings and the hit list.
    pub fn score(&self, title: &str, body: &str) -> LexiconScore {
        let t = normalize(title);
        let b = normalize(body);
        self.score_normalized(&t, &b)
    }

    /// [`Lexicon::score`] on text already normalised with [`yuqing_text::normalize`].
    pub fn score_normalized(&self, title: &str, body: &str) -> LexiconScore {
        let mut hits = Vec::new();
        // A headline announcing a crackdown frames the whole article: its enforcement damping
        // carries over to every sentence of the body.
        let title_damp = self.scan(title, true, TITLE_WEIGHT, 1.0, &mut hits);
        let body_chars = body.chars().count() as f32;
        let body_factor = if body_chars > BODY_NORM_CHARS {
            1.0 / (body_chars / BODY_NORM_CHARS).sqrt()
        } else {
            1.0
        };
        self.scan(body, false, body_factor, title_damp, &mut hits);
        let (mut positive, mut negative) = (0.0f32, 0.0f32);
        for h in &hits {
            if h.weight > 0.0 {
                positive += h.weight;
            } else {
                negative += h.weight;
            }
        }
        let raw = positive + negative;
        LexiconScore {
            raw,
            score: raw / (raw.abs() + SCORE_SATURATION),
            positive,
            negative,
            hits,
        }
    }

    /// One field: walks the automaton's matches, keeping the pending modifiers of the current
    /// clause and the hits of the current sentence (contrast and enforcement apply to the
    /// whole sentence). `base_damp` is the enforcement damping every sentence starts with.
    /// Returns the strongest (smallest) enforcement damping seen in the field (1 for none).
    fn scan(
        &self,
        text: &str,
        in_title: bool,
        factor: f32,
        base_damp: f32,
        out: &mut Vec<Hit>,
    ) -> f32 {
        // Pending modifiers: (start, end, negator?, degree multiplier).
        let mut mods: Vec<(usize, usize, bool, f32)> = Vec::new();
        let sentence_start = out.len();
        let mut sent_start = sentence_start;
        let mut contrast_factor = 1.0f32;
        let mut damp = base_damp;
        let mut min_damp = 1.0f32;
        // Each hit's weight before damping: the polarity sign decides if damping applies,
        // so remember whether the word itself was negative.
        let mut neg_word: Vec<bool> = Vec::new();
        let finish = |out: &mut Vec<Hit>, neg_word: &mut Vec<bool>, from: usize, damp: f32| {
            if damp < 1.0 {
                for (h, &n) in out[from..].iter_mut().zip(neg_word.iter()) {
                    if n {
                        h.weight *= damp;
                    }
                }
            }
            neg_word.clear();
        };
        for m in self.automaton.find_iter(text) {
            let Some(e) = self.entries.get(m.pattern().as_usize()) else {
                continue;
            };
            if let Some(sentence) = e.boundary {
                mods.clear();
                if sentence {
                    finish(out, &mut neg_word, sent_start, damp);
                    sent_start = out.len();
                    contrast_factor = 1.0;
                    damp = base_damp;
                }
                continue;
            }
            if let Some((after, before)) = e.contrast {
                for h in out.iter_mut().skip(sent_start) {
                    h.weight *= before;
                }
                contrast_factor *= after;
                mods.clear();
            }
            if let Some(d) = e.damp {
                damp = damp.min(d);
                min_damp = min_damp.min(d);
            }
            if e.polarity != 0.0 {
                // Walk back over the chain of modifiers that ends right before this word.
                let mut negations = 0u32;
                let mut mult = 1.0f32;
                let mut begin = m.start();
                for &(s, end, neg, deg) in mods.iter().rev() {
                    if gap_chars(text, end, begin) > MODIFIER_GAP_CHARS {
                        break;
                    }
                    if neg {
                        negations += 1;
                    }
                    mult *= deg;
                    begin = s;
                }
                mods.clear();
                let mut w = e.polarity * mult;
                if negations % 2 == 1 {
                    w = if w > 0.0 {
                        -w * NEGATED_POSITIVE
                    } else {
                        -w * NEGATED_NEGATIVE
                    };
                }
                out.push(Hit {
                    in_title,
                    span: (begin, m.end()),
                    weight: w * factor * contrast_factor,
                });
                neg_word.push(e.polarity < 0.0 && negations.is_multiple_of(2));
            } else if e.negator || e.degree.is_some() {
                mods.push((m.start(), m.end(), e.negator, e.degree.unwrap_or(1.0)));
            }
        }
        finish(out, &mut neg_word, sent_start, damp);
        min_damp
    }
}

/// Characters in `text[from..to]` (0 when the range is empty or not on char boundaries).
fn gap_chars(text: &str, from: usize, to: usize) -> usize {
    if to <= from {
        return 0;
    }
    text.get(from..to).map_or(usize::MAX, |s| s.chars().count())
}

/// Score thresholds of the lexicon model: `score <= -negative` is negative,
/// `score >= positive` is positive, anything between neutral.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// Positive threshold (> 0).
    pub positive: f32,
    /// Negative threshold (> 0, compared with `-score`).
    pub negative: f32,
}

impl Default for Thresholds {
    /// `positive = 0.30`, `negative = 0.20`.
    ///
    /// How they were chosen: a story is negative as soon as one ordinary negative word
    /// (weight 1) in the body is not outweighed (score -1/(1+4) = -0.20), because a missed
    /// negative story is the costly error. A story is positive only with more than one
    /// ordinary positive word or a strong one (0.30 needs raw ≥ 1.7): news prose is full of
    /// mildly positive official vocabulary (推进, 发展, 服务) that alone does not make a story
    /// positive. `examples/sweep_thresholds.rs` prints the grid on a labelled CSV; on the BDCI
    /// 2019 news set these values sit on its plateau (macro-F1 0.657–0.673 for positive
    /// 0.25–0.35 × negative 0.15–0.25; 0.667 here, negative recall 0.870).
    fn default() -> Self {
        Thresholds {
            positive: 0.30,
            negative: 0.20,
        }
    }
}

impl Thresholds {
    /// The label for a score.
    pub fn label(&self, score: f32) -> SentimentLabel {
        if score <= -self.negative {
            SentimentLabel::Negative
        } else if score >= self.positive {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Neutral
        }
    }
}

/// The lexicon model: a [`Lexicon`] plus the [`Thresholds`] that turn its score into a label.
#[derive(Debug, Clone)]
pub struct LexiconModel {
    /// The compiled lexicon.
    pub lexicon: Lexicon,
    /// Label thresholds.
    pub thresholds: Thresholds,
}

impl LexiconModel {
    /// A model with the default [`Thresholds`].
    pub fn new(lexicon: Lexicon) -> LexiconModel {
        LexiconModel {
            lexicon,
            thresholds: Thresholds::default(),
        }
    }

    /// Label, score in (-1, 1) and up to [`MAX_EVIDENCE`] evidence items (the lexicon hits,
    /// merged by text, strongest first; the text includes negators and degree adverbs as
    /// normalised, e.g. `不满意`, `非常满意`).
    pub fn analyze(&self, title: &str, body: &str) -> Sentiment {
        let t = normalize(title);
        let b = normalize(body);
        let s = self.lexicon.score_normalized(&t, &b);
        Sentiment {
            label: self.thresholds.label(s.score),
            score: s.score,
            evidence: evidence_from_hits(&s.hits, &t, &b),
        }
    }
}

/// Merges hits with the same text (summing weights) and keeps the [`MAX_EVIDENCE`] strongest.
pub(crate) fn evidence_from_hits(hits: &[Hit], title: &str, body: &str) -> Vec<Evidence> {
    let mut merged: Vec<(&str, f32)> = Vec::with_capacity(hits.len());
    for h in hits {
        let src = if h.in_title { title } else { body };
        let Some(text) = src.get(h.span.0..h.span.1) else {
            continue;
        };
        match merged.iter_mut().find(|(t, _)| *t == text) {
            Some((_, w)) => *w += h.weight,
            None => merged.push((text, h.weight)),
        }
    }
    merged.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
    merged
        .into_iter()
        .filter(|(_, w)| *w != 0.0)
        .take(MAX_EVIDENCE)
        .map(|(t, w)| Evidence {
            text: t.to_string(),
            weight: w,
        })
        .collect()
}
