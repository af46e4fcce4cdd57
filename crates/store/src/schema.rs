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
    // 2: analysis results (themes, sentiment, fingerprint and cluster), analysts' sentiment
    // corrections, and the article sort time indexed for coverage by period.
    "
    -- Article time for periods: published_at, else the first fetch (first_seen_at, which
    -- does not move when an undated page is fetched again). VIRTUAL: ALTER TABLE cannot add
    -- a STORED column; the index below holds the computed value.
    ALTER TABLE articles ADD COLUMN sort_at TEXT
        GENERATED ALWAYS AS (coalesce(published_at, first_seen_at)) VIRTUAL;
    -- Covering for coverage: a period is a range scan that never reads article bodies.
    CREATE INDEX articles_sort_at ON articles (sort_at, id, tier);

    CREATE TABLE article_themes (
        article_id     TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        theme          TEXT NOT NULL,   -- s4 or s4.i10
        score          REAL NOT NULL,
        hits_json      TEXT NOT NULL,   -- [TermHit] as JSON
        PRIMARY KEY (article_id, theme)
    ) WITHOUT ROWID;

    CREATE TABLE article_sentiment (
        article_id     TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        label          TEXT NOT NULL,   -- positive, neutral, negative
        score          REAL NOT NULL,   -- [-1, 1]
        evidence_json  TEXT NOT NULL    -- [Evidence] as JSON
    ) WITHOUT ROWID;

    -- One row per analysed article (also when it has no fingerprint or cluster): the row
    -- marks the article as analysed.
    CREATE TABLE article_cluster (
        article_id     TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        cluster_id     TEXT,            -- id of the story's first article
        fingerprint    INTEGER,         -- 64-bit SimHash, bits as a signed integer
        published_at   TEXT             -- copy of articles.published_at (fast fingerprint load)
    ) WITHOUT ROWID;
    CREATE INDEX article_cluster_cluster ON article_cluster (cluster_id);

    -- Keeps the copy above in step when a re-crawl changes the article.
    CREATE TRIGGER articles_published_at_to_cluster AFTER UPDATE OF published_at ON articles
    BEGIN
        UPDATE article_cluster SET published_at = NEW.published_at
         WHERE article_id = NEW.id AND published_at IS NOT NEW.published_at;
    END;

    CREATE TABLE sentiment_corrections (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id     TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        label          TEXT NOT NULL,
        user           TEXT NOT NULL,
        at             TEXT NOT NULL
    );
    CREATE INDEX sentiment_corrections_article ON sentiment_corrections (article_id, at, id);
    ",
];
