//! # yuqing-extract: here is a page or a feed: give me clean articles
#![warn(missing_docs)]
