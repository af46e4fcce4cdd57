//! # yuqing-fetch: here is a URL: give me its bytes as text, politely
//!
//! Answers "what does this URL say?": [`decode`] turns fetched bytes into text, choosing the
//! character encoding from a BOM, UTF-8 validity, the HTTP header, the document's own
//! declaration or, failing all, a statistical guess.
//!
//! ```
//! use yuqing_fetch::{decode, CharsetSource};
//! let d = decode(b"<meta charset=gbk><p>\xbf\xec\xb5\xdd</p>", None);
//! assert_eq!(d.text, "<meta charset=gbk><p>快递</p>");
//! assert_eq!(d.charset_source, CharsetSource::MetaTag);
//! ```
#![warn(missing_docs)]

mod decode;
mod fetcher;

pub use decode::{CharsetSource, Decoded, PRESCAN_BYTES, decode};
pub use fetcher::{FetchError, FetchOutcome, Fetched, Fetcher, ROBOTS_MAX_BYTES};
