//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum ThemesError {
    /// A themes file could not be read (missing, unreadable or not UTF-8).
    #[error("cannot read themes file {path}: {source}")]
    Read {
        /// The file given to [`crate::ThemeSet::load`].
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The themes file is not valid TOML (the message carries line and column).
    #[error("{file}: invalid toml: {message}")]
    Syntax {
        /// File label (path or the label given to [`crate::ThemeSet::from_toml_str`]).
        file: String,
        /// The TOML parser's message.
        message: String,
    },
    /// The themes file is valid TOML but breaks the rule format; every problem found, one per
    /// line, each as `file: key: message` (e.g. `themes.toml: item[3].section: unknown section "s11"`).
    #[error("{}", problems.join("\n"))]
    Invalid {
        /// File label.
        file: String,
        /// Every problem, in file order, already prefixed with the file label and key.
        problems: Vec<String>,
    },
    /// The rules are valid but the term automaton could not be built (far too many terms).
    #[error("{file}: cannot compile {terms} rule terms: {message}")]
    Compile {
        /// File label.
        file: String,
        /// Number of distinct terms.
        terms: usize,
        /// The aho-corasick builder's message.
        message: String,
    },
    /// The index schema lacks a field the compiled rules search ([`crate::ThemeFields`]).
    #[error("index schema has no field `{field}` (expected yuqing-index's schema)")]
    Schema {
        /// The missing field's name.
        field: &'static str,
    },
    /// A tantivy search over the article index failed ([`crate::ThemeSet::candidates`]).
    #[error("index {operation} failed: {source}")]
    Search {
        /// What was being done (`candidate search`, `document fetch`).
        operation: &'static str,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// The plan text has no recognisable structure.
    #[error("plan: {0}")]
    Plan(String),
}
