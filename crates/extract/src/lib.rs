//! # yuqing-extract: here is a page or a feed, give me clean articles
#![warn(missing_docs)]

pub mod article;
pub mod canon;
pub mod date;
pub mod feed;
pub mod html;
pub mod links;

// Re-exports of the crate's main entry points (each module's owner adds its own line below).
pub use article::{ExtractError, ExtractedPage, PageContext, extract_article};
pub use canon::canonical_url;
pub use date::parse_date_text;
pub use feed::{FeedError, decode_feed_bytes, looks_like_feed, parse_feed};
pub use html::html_to_text;
pub use links::{LinksError, extract_links};
