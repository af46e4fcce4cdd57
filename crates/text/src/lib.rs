//! # yuqing-text: how is this Chinese text cut into words for the index?
#![warn(missing_docs)]
