//! # yuqing-fetch: here is a URL: give me its bytes as text, politely
//!
//! Answers "what does this URL say?". [`Fetcher::fetch`] performs one polite GET: robots.txt
//! (RFC 9309, cached per origin), a per-host rate limit, a global concurrency limit, conditional
//! headers from stored [`yuqing_model::Validators`], redirects, retries with exponential backoff
//! and a streamed body cap. [`decode`] (also [`Fetched::decode`]) turns the bytes into text,
//! choosing the character encoding from a BOM, UTF-8 validity, the HTTP header, the document's
//! own declaration or, failing all, a `chardetng` guess.
//!
//! ```
//! use yuqing_fetch::{decode, CharsetSource};
//! let d = decode(b"<meta charset=gbk><p>\xbf\xec\xb5\xdd</p>", None);
//! assert_eq!(d.text, "<meta charset=gbk><p>快递</p>");
//! assert_eq!(d.charset_source, CharsetSource::MetaTag);
//! ```
//!
//! Fetching (needs a server, so not run here):
//!
//! ```no_run
//! # async fn run() -> Result<(), yuqing_fetch::FetchError> {
//! use yuqing_fetch::{FetchOutcome, Fetcher};
//! use yuqing_model::{FetchSettings, Validators};
//! let fetcher = Fetcher::new(&FetchSettings::default())?;
//! match fetcher.fetch("https://www.spb.gov.cn/", &Validators::default()).await? {
//!     FetchOutcome::Fetched(page) => println!("{} chars", page.decode().text.len()),
//!     FetchOutcome::NotModified { validators, .. } => println!("unchanged: {validators:?}"),
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod decode;
mod fetcher;

pub use decode::{CharsetSource, Decoded, PRESCAN_BYTES, decode, is_binary, is_page_type};
pub use fetcher::{FetchError, FetchOutcome, Fetched, Fetcher, ROBOTS_MAX_BYTES};
