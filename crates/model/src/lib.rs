//! # yuqing-model: what are the things Yuqing talks about?
//!
//! The shared vocabulary of every stage: sources (信源) and their media tier, article ids,
//! HTTP validators, feed entries, extracted articles and the settings records the
//! configuration hands to each stage. No I/O, no clock: plain data with serde.
//!
//! ```
//! use yuqing_model::{ArticleId, Tier};
//! let id = ArticleId::from_canonical_url("https://www.spb.gov.cn/a/1.html");
//! assert_eq!(id.as_str().len(), 16);
//! assert_eq!(Tier::Central.label_zh(), "央媒");
//! ```
#![warn(missing_docs)]

mod analysis;
mod article;
mod settings;
mod source;

pub use analysis::{Analysis, Evidence, HitField, Sentiment, SentimentLabel, TermHit, ThemeMatch};
pub use article::{Article, ArticleId, DateSource, FeedEntry, Validators};
pub use settings::{FetchSettings, SiteRule};
pub use source::{SourceKind, SourceSpec, Tier};
