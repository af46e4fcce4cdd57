//! The one error type of the crate and the problems it lists.

use std::fmt;
use std::path::PathBuf;

/// The `file` of a [`Problem`] whose value came from a `YUQING_*` environment variable.
pub const ENV_ORIGIN: &str = "environment";

/// One thing wrong with the configuration: where it is and what is wrong.
///
/// Displayed as `file: key: message`, e.g.
/// `config/sources.toml: source[3].url: "ftp://x" is not an http(s) URL`.
/// `key` is a dotted path (`fetch.timeout_ms`), an array element (`source[3].url`, 0-based in file
/// order), `line N` for a TOML syntax or type error, or the variable name when `file` is
/// [`ENV_ORIGIN`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File the bad value was read from (as given to [`crate::Config::load`], or [`ENV_ORIGIN`]).
    pub file: PathBuf,
    /// Key, array element, line or variable naming the bad value.
    pub key: String,
    /// What is wrong, lowercase, no trailing dot.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A configuration file (`yuqing.toml`, `sources.toml` or `sites.toml`) could not be read.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        /// The file that could not be read.
        file: PathBuf,
        /// The underlying I/O error (not found, permission denied, not UTF-8 ...).
        #[source]
        source: std::io::Error,
    },
    /// The files were read but at least one value is wrong; every problem found is listed,
    /// one per line, in file order.
    #[error("{}", list_problems(.0))]
    Invalid(Vec<Problem>),
    /// Another process holds the data directory's lock ([`crate::DataDirLock`]).
    #[error(
        "data dir {} is in use by another yuqing process ({holder}): stop it first; \
         search, report, coverage, analyze, user add and alert send --dry-run work beside it",
        dir.display()
    )]
    DataDirInUse {
        /// The data directory.
        dir: PathBuf,
        /// The holder as recorded in the lock file (`serve, pid 4242`).
        holder: String,
    },
    /// The data directory or its lock file could not be created, opened or locked.
    #[error("cannot lock {}: {source}", file.display())]
    Lock {
        /// The lock file.
        file: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn list_problems(problems: &[Problem]) -> String {
    let mut out = format!(
        "{} configuration problem{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}
