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
    // 2: articles get a stable integer key (seq) so the analysis tables, keyed by it, grow
    // by appending (a hash-keyed B-tree takes every insert on a random page: about one 4 KB
    // page written per insert per table, which made analysis writes 3x the article's cost);
    // analysis results (themes, sentiment, fingerprint and cluster); analysts' sentiment
    // corrections; the article sort time indexed for coverage by period.
    "
    CREATE TABLE articles_v2 (
        seq            INTEGER PRIMARY KEY,  -- stable row number (survives VACUUM)
        id             TEXT NOT NULL UNIQUE CHECK (id <> ''),
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
        content_hash   BLOB NOT NULL,   -- BLAKE3 of title, body, published_at, author
        -- Article time for periods: published_at, else the first fetch (which, unlike
        -- fetched_at, does not move when an undated page is fetched again). Written by the
        -- upsert, not a generated column: SQLite never treats an index on a generated
        -- column as covering (the columns it derives from count as used).
        sort_at        TEXT NOT NULL
    );
    INSERT INTO articles_v2 (seq, id, source, tier, url, canonical_url, site, title, author,
            editor, published_at, date_source, body, fetched_at, first_seen_at, changed_at,
            content_hash, sort_at)
        SELECT rowid, id, source, tier, url, canonical_url, site, title, author,
            editor, published_at, date_source, body, fetched_at, first_seen_at, changed_at,
            content_hash, coalesce(published_at, first_seen_at)
        FROM articles ORDER BY rowid;
    DROP TABLE articles;
    ALTER TABLE articles_v2 RENAME TO articles;
    -- No canonical_url index any more: the id is the hash of the canonical URL, so the id
    -- finds it (each index on a hash-like key costs a random page write per insert).
    CREATE INDEX articles_url ON articles (url);
    CREATE INDEX articles_source ON articles (source);
    -- Covering for coverage (with the implicit seq): a period is a range scan that never
    -- reads article rows.
    CREATE INDEX articles_sort_at ON articles (sort_at, tier);

    CREATE TABLE article_themes (
        article_seq    INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
        theme          TEXT NOT NULL,   -- s4 or s4.i10
        score          REAL NOT NULL,
        hits_json      TEXT NOT NULL,   -- [TermHit] as JSON
        PRIMARY KEY (article_seq, theme)
    ) WITHOUT ROWID;

    CREATE TABLE article_sentiment (
        article_seq    INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
        label          TEXT NOT NULL,   -- positive, neutral, negative
        score          REAL NOT NULL,   -- [-1, 1]
        evidence_json  TEXT NOT NULL    -- [Evidence] as JSON
    );

    -- One row per analysed article (also when it has no fingerprint or cluster): the row
    -- marks the article as analysed, and is narrow so that all fingerprints load fast.
    CREATE TABLE article_cluster (
        article_seq    INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
        article_id     TEXT NOT NULL,   -- copy of articles.id
        cluster_id     TEXT,            -- id of the story's first article
        cluster_seq    INTEGER REFERENCES articles (seq) ON DELETE SET NULL,
        fingerprint    INTEGER,         -- 64-bit SimHash, bits as a signed integer
        published_at   TEXT             -- copy of articles.published_at
    );
    CREATE INDEX article_cluster_cluster ON article_cluster (cluster_seq);

    -- Keeps the copy above in step when a re-crawl changes the article.
    CREATE TRIGGER articles_published_at_to_cluster AFTER UPDATE OF published_at ON articles
    BEGIN
        UPDATE article_cluster SET published_at = NEW.published_at
         WHERE article_seq = NEW.seq AND published_at IS NOT NEW.published_at;
    END;

    CREATE TABLE sentiment_corrections (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        article_seq    INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
        label          TEXT NOT NULL,
        user           TEXT NOT NULL,
        at             TEXT NOT NULL
    );
    CREATE INDEX sentiment_corrections_article ON sentiment_corrections (article_seq, at, id);
    ",
    // 3: the alert digest's deliveries, one row per recipient and story (reprint cluster),
    // pending from before the send until marked sent; first-fetch times indexed for "stories
    // first seen since the last digest" (appends: the times grow with the crawl).
    "
    CREATE TABLE deliveries (
        recipient      TEXT NOT NULL,   -- address, trimmed and lowercased
        cluster_id     TEXT NOT NULL,   -- story id (id of the cluster's first article)
        message_id     TEXT NOT NULL,   -- the digest's Message-ID, with angle brackets
        state          TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
        created_at     TEXT NOT NULL,   -- recorded pending
        sent_at        TEXT,            -- marked sent
        PRIMARY KEY (recipient, cluster_id)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_pending ON deliveries (recipient, state, created_at);
    CREATE INDEX articles_first_seen ON articles (first_seen_at);
    ",
    // 4: web users (argon2 PHC hashes), login sessions and API tokens, both stored as the
    // BLAKE3 hash of the random token, never the token itself.
    "
    CREATE TABLE users (
        name           TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
        password_hash  TEXT NOT NULL,   -- PHC string, $argon2id$...
        created_at     TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE sessions (
        token_hash     BLOB PRIMARY KEY NOT NULL,
        user           TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,
        created_at     TEXT NOT NULL,
        expires_at     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX sessions_expires ON sessions (expires_at);
    CREATE INDEX sessions_user ON sessions (user);

    CREATE TABLE api_tokens (
        token_hash     BLOB PRIMARY KEY NOT NULL,
        name           TEXT NOT NULL,   -- label given when issued
        user           TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,
        created_at     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX api_tokens_user ON api_tokens (user);
    ",
];
