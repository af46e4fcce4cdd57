//! # yuqing-fetch: here is a URL: give me its bytes as text, politely
#![warn(missing_docs)]
