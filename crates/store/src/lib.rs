//! # yuqing-store: what has been crawled, when, and with which validators?
#![warn(missing_docs)]
