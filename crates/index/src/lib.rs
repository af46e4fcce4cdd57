//! # yuqing-index: which stored articles match this query, and where?
#![warn(missing_docs)]
