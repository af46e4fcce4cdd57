//! # yuqing-config: which settings, sources and site rules are in force, and what is wrong with them?
#![warn(missing_docs)]
