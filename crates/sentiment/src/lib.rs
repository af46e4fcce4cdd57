//! # yuqing-sentiment: is this article positive, neutral or negative, and which words say so?
//!
//! Two models behind one [`Model::analyze`]:
//!
//! * [`LexiconModel`] — the shipped default: the project's own lexicon (`config/lexicon/`, see
//!   each file's header for its format) matched by one leftmost-longest Aho-Corasick automaton
//!   over the normalised text; negators and degree adverbs just before a word change it
//!   (`不满意`, `非常满意`), a contrast word (但, 却, 然而) makes the rest of the sentence weigh
//!   more, enforcement context (破获, 依法查处) damps the crime words of its sentence, the title
//!   weighs [`lexicon::TITLE_WEIGHT`] times the body. No segmentation: tens of thousands of
//!   articles per second per core.
//! * [`TrainedModel`] — multinomial logistic regression over character n-grams, jieba words and
//!   the lexicon's sums, trained on the office's own labels ([`train`]), saved as JSON.
//!
//! Both give a [`Sentiment`] with a label, a score in [-1, 1] and the evidence (words with
//! signed weights, strongest first). [`evaluate`] and [`cross_validate`] measure either on
//! labelled data read by [`read_csv`].
//!
//! ```
//! use yuqing_sentiment::{Lexicon, LexiconModel, Model};
//! use yuqing_model::SentimentLabel;
//!
//! let model = Model::Lexicon(LexiconModel::new(Lexicon::builtin()));
//! let s = model.analyze("快递网点爆仓 大量快件延误", "消费者投诉称包裹丢失，客服态度恶劣。");
//! assert_eq!(s.label, SentimentLabel::Negative);
//! assert!(s.score < 0.0);
//! assert!(s.evidence.iter().any(|e| e.text == "爆仓" && e.weight < 0.0));
//!
//! let s = model.analyze("", "客户对服务并不满意");
//! assert_eq!(s.evidence[0].text, "并不满意");
//! assert!(s.evidence[0].weight < 0.0);
//! ```
#![warn(missing_docs)]

mod data;
pub mod lexicon;
mod metrics;
mod trained;

use std::path::PathBuf;

pub use data::{Example, LabelMap, read_csv};
pub use lexicon::{Hit, Lexicon, LexiconModel, LexiconScore, MAX_EVIDENCE, Thresholds};
pub use metrics::{ClassMetrics, Metrics};
pub use trained::{MODEL_KIND, MODEL_VERSION, TrainParams, TrainedModel, train, train_with};
use yuqing_model::SentimentLabel;
pub use yuqing_model::{Evidence, Sentiment};
use yuqing_text::Segmenter;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum SentimentError {
    /// A lexicon file is missing or unreadable.
    #[error("cannot read lexicon file {path}: {source}")]
    LexiconRead {
        /// The file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A lexicon line is malformed (or the lexicon is empty, line 0).
    #[error("bad entry in lexicon file {path} line {line}: {message}")]
    LexiconEntry {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A label map item is malformed (`--label-map`).
    #[error("bad label map item {item:?}: {message}")]
    LabelMap {
        /// The `VALUE=LABEL` item.
        item: String,
        /// What is wrong.
        message: String,
    },
    /// A CSV file cannot be read.
    #[error("cannot read csv file {path}: {source}")]
    CsvRead {
        /// The file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A column is not in the CSV header.
    #[error("csv file {path} has no column {column:?}")]
    CsvColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
    },
    /// A CSV row is malformed.
    #[error("csv file {path} line {line} column {column:?}: {message}")]
    CsvRow {
        /// The file.
        path: PathBuf,
        /// 1-based line where the row starts.
        line: usize,
        /// Column name (empty when the row as a whole is bad).
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A saved model cannot be read or parsed.
    #[error("cannot read sentiment model {path}: {message}")]
    ModelRead {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A saved model has another kind or version.
    #[error("sentiment model {path} is {found}, expected {expected}")]
    ModelVersion {
        /// The file.
        path: PathBuf,
        /// Kind and version found.
        found: String,
        /// Kind and version this build reads.
        expected: String,
    },
    /// A model cannot be written.
    #[error("cannot write sentiment model {path}: {source}")]
    ModelWrite {
        /// The file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
}

/// A sentiment model: the shipped lexicon model or one trained on labelled data.
#[derive(Debug, Clone)]
pub enum Model {
    /// Lexicon and rules (no training).
    Lexicon(LexiconModel),
    /// Logistic regression trained with [`train`].
    Trained(TrainedModel),
}

impl Model {
    /// Label, score in [-1, 1] and evidence for an article (raw title and body text; both are
    /// normalised inside). CPU-bound and synchronous: the lexicon model takes tens of
    /// microseconds for 1.5 KB, the trained one is bound by jieba (about a millisecond).
    pub fn analyze(&self, title: &str, body: &str) -> Sentiment {
        match self {
            Model::Lexicon(m) => m.analyze(title, body),
            Model::Trained(m) => m.analyze(title, body),
        }
    }
}

/// Runs `model` on every example and compares with the labels.
pub fn evaluate(model: &Model, examples: &[Example]) -> Metrics {
    Metrics::from_pairs(
        examples
            .iter()
            .map(|e| (e.label, model.analyze(&e.title, &e.body).label)),
    )
}

/// Seed of the fold assignment in [`cross_validate`].
pub const FOLD_SEED: u64 = 20_191_123;

/// Stratified K-fold cross-validation of [`train`] (default params): examples of each label are
/// shuffled with a fixed seed ([`FOLD_SEED`]) and dealt round-robin into `k` folds; each fold
/// is predicted by a model trained on the others, and the predictions are pooled into one
/// [`Metrics`]. `k` is clamped to `2..=examples.len()` (fewer than 2 examples: empty metrics).
pub fn cross_validate(
    examples: &[Example],
    k: usize,
    seg: &Segmenter,
    lexicon: &Lexicon,
) -> Metrics {
    cross_validate_with(examples, k, seg, lexicon, TrainParams::default())
}

/// [`cross_validate`] with explicit training params.
pub fn cross_validate_with(
    examples: &[Example],
    k: usize,
    seg: &Segmenter,
    lexicon: &Lexicon,
    params: TrainParams,
) -> Metrics {
    if examples.len() < 2 {
        return Metrics::default();
    }
    let k = k.clamp(2, examples.len());
    let mut folds = vec![0usize; examples.len()];
    let mut next = 0usize;
    for (li, label) in SentimentLabel::ALL.iter().enumerate() {
        let mut idx: Vec<usize> = examples
            .iter()
            .enumerate()
            .filter(|(_, e)| e.label == *label)
            .map(|(i, _)| i)
            .collect();
        trained::shuffle(&mut idx, FOLD_SEED.wrapping_add(li as u64));
        for i in idx {
            if let Some(f) = folds.get_mut(i) {
                *f = next % k;
            }
            next += 1;
        }
    }
    Metrics::from_pairs(trained::cross_predict(
        examples, &folds, k, seg, lexicon, params,
    ))
}
