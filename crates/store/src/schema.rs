//! Schema migrations, applied in order; `PRAGMA user_version` holds how many have run.
//!
//! Times are stored as UTC RFC 3339 text with nanoseconds and a `Z` suffix
//! (`2020-05-12T02:30:00.000000000Z`): fixed width, so text order is time order.
//! Never edit a shipped migration; append a new one.

/// Migration `n` (0-based) brings the schema from version `n` to `n + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: validators, articles, runs, per-source results.
    "
    CREATE TABLE validators (
        url            TEXT PRIMARY KEY NOT NULL,
        etag           TEXT,
        last_modified  TEXT
    ) WITHOUT ROWID;

    CREATE TABLE articles (
        id             TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
        source         TEXT NOT NULL,
        tier           TEXT NOT NULL,
        url            TEXT NOT NULL CHECK (url <> ''),
        canonical_url  TEXT NOT NULL CHECK (canonical_url <> ''),
        site           TEXT NOT NULL,
        title          TEXT NOT NULL,
        author         TEXT,
        editor         TEXT,
        published_at   TEXT,
        date_source    TEXT NOT NULL,
        body           TEXT NOT NULL,
        fetched_at     TEXT NOT NULL,   -- last fetch
        first_seen_at  TEXT NOT NULL,   -- fetch that inserted the row
        changed_at     TEXT NOT NULL,   -- fetch that last changed the content
        content_hash   BLOB NOT NULL    -- BLAKE3 of title, body, published_at, author
    );
    CREATE INDEX articles_url ON articles (url);
    CREATE INDEX articles_canonical_url ON articles (canonical_url);
    CREATE INDEX articles_source ON articles (source);

    CREATE TABLE runs (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        summary_json   TEXT
    );

    CREATE TABLE source_results (
        source_id      TEXT NOT NULL,
        run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        ok             INTEGER NOT NULL CHECK (ok IN (0, 1)),
        error          TEXT,
        new_count      INTEGER NOT NULL,
        updated_count  INTEGER NOT NULL,
        unchanged_count INTEGER NOT NULL,
        rejected_count INTEGER NOT NULL,
        PRIMARY KEY (source_id, run_id)
    ) WITHOUT ROWID;
    ",
];
