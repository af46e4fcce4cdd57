//! The one error type of the crate.

use std::path::PathBuf;

/// Why a store operation failed. Every variant names the database file, URL, article id or
/// run involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or configured (missing directory, permissions,
    /// not a SQLite file, WAL not available).
    #[error("cannot open store {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A schema migration failed; the database is left at the previous version.
    #[error("cannot migrate store {} to version {version}: {source}", path.display())]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The version the failed migration would have reached.
        version: i64,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Yuqing with a schema this build does not know.
    #[error("store {} has schema version {found}, this build supports up to {supported}", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// `PRAGMA user_version` found in the file.
        found: i64,
        /// Highest version this build migrates to.
        supported: i64,
    },
    /// A query failed; `what` says which operation and on which URL / id / run.
    #[error("{what}: {source}")]
    Query {
        /// The operation and its subject, e.g. `storing validators for https://...`.
        what: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// SQLite would not switch the file to WAL journaling (e.g. a network file system).
    #[error("store {} cannot use WAL journaling (journal_mode stayed {mode})", path.display())]
    WalRefused {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite reported.
        mode: String,
    },
    /// A stored value cannot be read back as its type (edited by hand or by a newer build).
    #[error("{row}: column {column} holds {value:?}, which is not valid")]
    Corrupt {
        /// The row, e.g. `article 3f2a...` or `source spb-news`.
        row: String,
        /// Column name.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// `finish_run` or `record_source_result` named a run that `begin_run` never returned.
    #[error("run {0} does not exist")]
    UnknownRun(i64),
    /// A run summary passed to `finish_run` is not JSON.
    #[error("summary of run {run_id} is not valid JSON: {source}")]
    InvalidSummary {
        /// The run.
        run_id: i64,
        /// The JSON parse error.
        #[source]
        source: serde_json::Error,
    },
    /// Analysis results or a correction were given for an article id that is not stored
    /// (store the article first, e.g. with `upsert_analyzed`).
    #[error("{what}: article {id} is not stored")]
    UnknownArticle {
        /// The operation, e.g. `saving the analysis of article 3f2a...`.
        what: String,
        /// The article id.
        id: String,
    },
    /// Analysis evidence could not be encoded as JSON (cannot happen for the model's types,
    /// which hold only strings and numbers; reported rather than panicked on).
    #[error("{what}: cannot encode as JSON: {source}")]
    Encode {
        /// The operation and its article id.
        what: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// `Result` with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
