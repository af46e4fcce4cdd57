//! Classification metrics: per-class precision / recall / F1, confusion matrix, macro-F1.

use std::fmt;

use yuqing_model::SentimentLabel;

/// Scores of one class.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClassMetrics {
    /// Correct predictions of the class / all predictions of it (0 when never predicted).
    pub precision: f64,
    /// Correct predictions of the class / all examples of it (0 when it has none).
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Number of examples whose true label is the class.
    pub support: usize,
}

/// Evaluation of a classifier on labelled examples. Classes are indexed in
/// [`SentimentLabel::ALL`] order (positive, neutral, negative).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metrics {
    /// `confusion[true][predicted]`, counts.
    pub confusion: [[usize; 3]; 3],
    /// Per-class scores, in [`SentimentLabel::ALL`] order.
    pub per_class: [ClassMetrics; 3],
    /// Unweighted mean of the three F1 scores.
    pub macro_f1: f64,
    /// Correct predictions / all examples (0 for no examples).
    pub accuracy: f64,
}

/// Index of a label in [`SentimentLabel::ALL`].
pub(crate) fn class_index(l: SentimentLabel) -> usize {
    match l {
        SentimentLabel::Positive => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Negative => 2,
    }
}

impl Metrics {
    /// Metrics from `(true, predicted)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (SentimentLabel, SentimentLabel)>) -> Self {
        let mut confusion = [[0usize; 3]; 3];
        for (t, p) in pairs {
            if let Some(c) = confusion
                .get_mut(class_index(t))
                .and_then(|row| row.get_mut(class_index(p)))
            {
                *c += 1;
            }
        }
        Metrics::from_confusion(confusion)
    }

    /// Metrics from a confusion matrix (`confusion[true][predicted]`).
    pub fn from_confusion(confusion: [[usize; 3]; 3]) -> Self {
        let mut per_class = [ClassMetrics::default(); 3];
        let total: usize = confusion.iter().flatten().sum();
        let mut correct = 0;
        for (c, m) in per_class.iter_mut().enumerate() {
            let tp = confusion[c][c];
            correct += tp;
            let support: usize = confusion[c].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[c]).sum();
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            let precision = ratio(tp, predicted);
            let recall = ratio(tp, support);
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            *m = ClassMetrics {
                precision,
                recall,
                f1,
                support,
            };
        }
        Metrics {
            confusion,
            per_class,
            macro_f1: per_class.iter().map(|m| m.f1).sum::<f64>() / 3.0,
            accuracy: if total == 0 {
                0.0
            } else {
                correct as f64 / total as f64
            },
        }
    }

    /// Scores of one class.
    pub fn class(&self, label: SentimentLabel) -> ClassMetrics {
        self.per_class[class_index(label)]
    }
}

impl fmt::Display for Metrics {
    /// A per-class table, the confusion matrix (rows = true label, columns = predicted), and
    /// last the line `macro_f1=0.xxx accuracy=0.xxx`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9} {:>9}",
            "class", "precision", "recall", "f1", "support"
        )?;
        for (l, m) in SentimentLabel::ALL.iter().zip(&self.per_class) {
            writeln!(
                f,
                "{:<10} {:>9.3} {:>9.3} {:>9.3} {:>9}",
                l.as_str(),
                m.precision,
                m.recall,
                m.f1,
                m.support
            )?;
        }
        writeln!(f, "confusion (rows: true, columns: predicted)")?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9}",
            "", "positive", "neutral", "negative"
        )?;
        for (l, row) in SentimentLabel::ALL.iter().zip(&self.confusion) {
            writeln!(
                f,
                "{:<10} {:>9} {:>9} {:>9}",
                l.as_str(),
                row[0],
                row[1],
                row[2]
            )?;
        }
        write!(
            f,
            "macro_f1={:.3} accuracy={:.3}",
            self.macro_f1, self.accuracy
        )
    }
}
