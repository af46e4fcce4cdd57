//! The analysis stage: plan themes, sentiment and the reprint fingerprint of one article.

use std::path::Path;

use yuqing_config::Config;
use yuqing_model::Analysis;
use yuqing_sentiment::{Lexicon, LexiconModel, Model, TrainedModel};
use yuqing_text::Segmenter;
use yuqing_themes::ThemeSet;

use crate::PipelineError;

/// Which sentiment model is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentimentModelKind {
    /// The shipped lexicon and rules (`config/lexicon/`).
    Lexicon,
    /// A model written by `yuqing sentiment train` (`analysis.sentiment_model`).
    Trained,
}

/// Pure, per-article analysis: theme matching with evidence ([`ThemeSet`]), sentiment with
/// evidence ([`Model`]) and the SimHash fingerprint ([`yuqing_cluster::fingerprint`]). The
/// reprint cluster needs the other articles, so the pipeline's writer assigns it.
///
/// Loaded once per process and shared (`Sync`); [`Analyzer::analyze`] is CPU-bound and
/// synchronous: call it off the async runtime.
#[derive(Debug)]
pub struct Analyzer {
    themes: Option<ThemeSet>,
    lexicon: Lexicon,
    sentiment: Model,
    kind: SentimentModelKind,
}

impl Analyzer {
    /// Loads `config.themes_file` (absent: no theme matching, with a warning), the lexicon in
    /// `config.lexicon_dir` (absent: the lexicon built into the binary) and, when
    /// `config.sentiment_model` exists, the trained model instead of the lexicon model.
    ///
    /// Errors: [`PipelineError::Themes`] for an unreadable or invalid themes file (every
    /// problem listed), [`PipelineError::Sentiment`] for a bad lexicon or model file.
    pub fn load(config: &Config, seg: &Segmenter) -> Result<Analyzer, PipelineError> {
        let themes = if config.themes_file.exists() {
            Some(ThemeSet::load(&config.themes_file)?)
        } else {
            tracing::warn!(
                path = %config.themes_file.display(),
                "no themes file: articles are not matched to plan themes"
            );
            None
        };
        let lexicon = load_lexicon(&config.lexicon_dir)?;
        let (sentiment, kind) = if config.sentiment_model.exists() {
            let model = TrainedModel::load(&config.sentiment_model, seg, &lexicon)?;
            (Model::Trained(model), SentimentModelKind::Trained)
        } else {
            (
                Model::Lexicon(LexiconModel::new(lexicon.clone())),
                SentimentModelKind::Lexicon,
            )
        };
        Ok(Analyzer {
            themes,
            lexicon,
            sentiment,
            kind,
        })
    }

    /// An analyzer from parts (tests, benchmarks).
    pub fn from_parts(themes: Option<ThemeSet>, lexicon: Lexicon, sentiment: Model) -> Analyzer {
        let kind = match sentiment {
            Model::Lexicon(_) => SentimentModelKind::Lexicon,
            Model::Trained(_) => SentimentModelKind::Trained,
        };
        Analyzer {
            themes,
            lexicon,
            sentiment,
            kind,
        }
    }

    /// The plan themes, when a themes file was found.
    pub fn themes(&self) -> Option<&ThemeSet> {
        self.themes.as_ref()
    }

    /// The lexicon (the trained model's features are computed with it too).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The sentiment model in force.
    pub fn sentiment_model(&self) -> &Model {
        &self.sentiment
    }

    /// Whether the lexicon or a trained model scores sentiment.
    pub fn sentiment_model_kind(&self) -> SentimentModelKind {
        self.kind
    }

    /// Themes, sentiment and fingerprint of one article (`cluster` is left `None`).
    pub fn analyze(&self, title: &str, body: &str) -> Analysis {
        self.analyze_detail(title, body).0
    }

    /// [`Analyzer::analyze`], also returning the fingerprint with its weak-bit mask, which
    /// the cluster assignment probes with ([`yuqing_cluster::Clusterer::assign`]).
    pub fn analyze_detail(
        &self,
        title: &str,
        body: &str,
    ) -> (Analysis, Option<yuqing_cluster::Fingerprint>) {
        let fp = yuqing_cluster::fingerprint_detail(title, body);
        let analysis = Analysis {
            themes: self
                .themes
                .as_ref()
                .map(|t| t.match_article(title, body))
                .unwrap_or_default(),
            sentiment: Some(self.sentiment.analyze(title, body)),
            fingerprint: fp.map(|f| f.hash),
            cluster: None,
        };
        (analysis, fp)
    }
}

/// The lexicon in `dir`, or the built-in one when `dir` does not exist.
fn load_lexicon(dir: &Path) -> Result<Lexicon, PipelineError> {
    if dir.exists() {
        Ok(Lexicon::load(dir)?)
    } else {
        tracing::warn!(path = %dir.display(), "no lexicon directory: using the built-in lexicon");
        Ok(Lexicon::builtin())
    }
}
