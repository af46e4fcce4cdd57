//! # yuqing-pipeline: one crawl pass: sources in, indexed articles out
#![warn(missing_docs)]
