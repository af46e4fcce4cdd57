use serde::{Deserialize, Serialize};

/// Where a rule term hit an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitField {
    /// The headline.
    Title,
    /// The article body.
    Body,
}

impl HitField {
    /// `title` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            HitField::Title => "title",
            HitField::Body => "body",
        }
    }
}

/// One rule term found in an article: the evidence behind a theme match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermHit {
    /// The rule term as written in `themes.toml` (e.g. `快递进村`).
    pub term: String,
    /// Occurrences of the term in `field` (non-overlapping, after normalisation).
    pub count: u32,
    /// Title or body.
    pub field: HitField,
}

/// An article matched to a plan theme (专题): a section (`s4`) or an item (`s4.i10`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeMatch {
    /// Theme id from `themes.toml`: `s<section>` or `s<section>.i<item>`.
    pub theme: String,
    /// Rule score (sum of weighted term evidence; see `yuqing_themes` for the formula);
    /// at least the theme's `min_score`.
    pub score: f32,
    /// The terms that hit, title hits first, then by term.
    pub hits: Vec<TermHit>,
}

/// Sentiment label (倾向性) as analysts use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    /// 正面.
    Positive,
    /// 中性.
    Neutral,
    /// 负面.
    Negative,
}

impl SentimentLabel {
    /// Every label, in display order (positive, neutral, negative).
    pub const ALL: [SentimentLabel; 3] = [
        SentimentLabel::Positive,
        SentimentLabel::Neutral,
        SentimentLabel::Negative,
    ];

    /// `positive`, `neutral` or `negative` (config, index and API spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "positive",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Negative => "negative",
        }
    }

    /// 正面, 中性 or 负面.
    pub fn label_zh(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "正面",
            SentimentLabel::Neutral => "中性",
            SentimentLabel::Negative => "负面",
        }
    }

    /// Parses the English spelling (see [`SentimentLabel::as_str`]) or the Chinese label;
    /// `None` for anything else.
    pub fn parse(s: &str) -> Option<SentimentLabel> {
        SentimentLabel::ALL
            .into_iter()
            .find(|l| l.as_str() == s || l.label_zh() == s)
    }
}

/// One word or phrase that drove a sentiment score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The text as it appears in the article, including a negator or degree adverb that
    /// changed it (e.g. `不满意`, `非常满意`).
    pub text: String,
    /// Signed contribution after negation, degree and title weighting: > 0 positive, < 0 negative.
    pub weight: f32,
}

/// An article's sentiment with the evidence that explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Positive, neutral or negative.
    pub label: SentimentLabel,
    /// Score in [-1, 1]: below 0 leans negative, above 0 positive.
    pub score: f32,
    /// The strongest contributions, by absolute weight (largest first).
    pub evidence: Vec<Evidence>,
}

/// Everything the analysis stage adds to an article before it is indexed and stored:
/// plan themes, sentiment and reprint cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Matched plan themes (sections and items), highest score first, ties by theme id.
    pub themes: Vec<ThemeMatch>,
    /// Sentiment; `None` only when no model ran.
    pub sentiment: Option<Sentiment>,
    /// 64-bit SimHash of character-bigram shingles of the body (see `yuqing_cluster`); `None` when
    /// the text was too short to fingerprint.
    pub fingerprint: Option<u64>,
    /// Reprint cluster (转载簇) id: the id of the first article seen of the story. An
    /// article alone in its story has its own id here.
    pub cluster: Option<crate::ArticleId>,
}
