//! Web users, login sessions and API tokens (schema version 4).
//!
//! Tables: `users(name, password_hash, created_at)`, `sessions(token_hash, user, created_at,
//! expires_at)`, `api_tokens(token_hash, name, user, created_at)`. The store never sees a
//! password or a token: callers pass the password's PHC string (argon2, made by `yuqing-web`)
//! and the 32-byte hash of a token (BLAKE3 of the random token; a fast hash is enough for
//! 256-bit random secrets, which cannot be guessed). Deleting a user deletes its sessions
//! and tokens.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{Result, Store, parse_ts, query_err, ts};

/// One web user, from [`Store::users`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// When the user was added, UTC.
    pub created_at: DateTime<Utc>,
    /// Sessions not yet expired at the time given to [`Store::users`].
    pub active_sessions: u64,
    /// API tokens issued.
    pub api_tokens: u64,
}

impl Store {
    /// Adds user `name` with the PHC string `password_hash` (e.g. `$argon2id$v=19$...`).
    /// Returns `false` (and changes nothing) when the name is taken.
    ///
    /// Errors: [`crate::StoreError::Query`] naming the user.
    pub fn add_user(&self, name: &str, password_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let conn = self.lock();
        conn.prepare_cached(
            "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO NOTHING",
        )
        .and_then(|mut s| s.execute(params![name, password_hash, ts(&at)]))
        .map(|n| n == 1)
        .map_err(query_err(|| format!("adding user {name}")))
    }

    /// Replaces the password hash of user `name` and ends all its sessions. Returns `false`
    /// when there is no such user.
    ///
    /// Errors: [`crate::StoreError::Query`] naming the user.
    pub fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        let conn = self.lock();
        let what = || format!("setting the password of user {name}");
        let n = conn
            .prepare_cached("UPDATE users SET password_hash = ?2 WHERE name = ?1")
            .and_then(|mut s| s.execute(params![name, password_hash]))
            .map_err(query_err(what))?;
        conn.prepare_cached("DELETE FROM sessions WHERE user = ?1")
            .and_then(|mut s| s.execute([name]))
            .map_err(query_err(what))?;
        Ok(n == 1)
    }

    /// The PHC password hash of user `name`, `None` when there is no such user.
    ///
    /// Errors: [`crate::StoreError::Query`] naming the user.
    pub fn password_hash(&self, name: &str) -> Result<Option<String>> {
        let conn = self.lock();
        conn.prepare_cached("SELECT password_hash FROM users WHERE name = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(query_err(|| format!("reading user {name}")))
    }

    /// Every user, by name, with its sessions live at `now` and its API token count.
    ///
    /// Errors: [`crate::StoreError::Query`], [`crate::StoreError::Corrupt`] for a bad time.
    pub fn users(&self, now: DateTime<Utc>) -> Result<Vec<User>> {
        let what = || "listing users".to_string();
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT u.name, u.created_at,
                        (SELECT count(*) FROM sessions s WHERE s.user = u.name AND s.expires_at > ?1),
                        (SELECT count(*) FROM api_tokens t WHERE t.user = u.name)
                 FROM users u ORDER BY u.name",
            )
            .map_err(query_err(what))?;
        let rows = stmt
            .query_map([ts(&now)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(query_err(what))?;
        rows.into_iter()
            .map(|(name, created, sessions, tokens)| {
                Ok(User {
                    created_at: parse_ts(&format!("user {name}"), "users.created_at", &created)?,
                    name,
                    active_sessions: u64::try_from(sessions).unwrap_or(0),
                    api_tokens: u64::try_from(tokens).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Records a login session of `user` under the hash of its token, valid until `expires`;
    /// sessions already expired at `now` are deleted on the way. Returns `false` when there
    /// is no such user.
    ///
    /// Errors: [`crate::StoreError::Query`] naming the user.
    pub fn create_session(
        &self,
        token_hash: &[u8; 32],
        user: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<bool> {
        let what = || format!("creating a session of user {user}");
        let conn = self.lock();
        conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")
            .and_then(|mut s| s.execute([ts(&now)]))
            .map_err(query_err(what))?;
        conn.prepare_cached(
            "INSERT INTO sessions (token_hash, user, created_at, expires_at)
             SELECT ?1, name, ?3, ?4 FROM users WHERE name = ?2",
        )
        .and_then(|mut s| s.execute(params![&token_hash[..], user, ts(&now), ts(&expires)]))
        .map(|n| n == 1)
        .map_err(query_err(what))
    }

    /// The user of the session with this token hash, if it exists and expires after `now`.
    ///
    /// Errors: [`crate::StoreError::Query`].
    pub fn session_user(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let conn = self.lock();
        conn.prepare_cached("SELECT user FROM sessions WHERE token_hash = ?1 AND expires_at > ?2")
            .and_then(|mut s| {
                s.query_row(params![&token_hash[..], ts(&now)], |r| r.get(0))
                    .optional()
            })
            .map_err(query_err(|| "looking up a session".to_string()))
    }

    /// Ends the session with this token hash (nothing if absent).
    ///
    /// Errors: [`crate::StoreError::Query`].
    pub fn delete_session(&self, token_hash: &[u8; 32]) -> Result<()> {
        let conn = self.lock();
        conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
            .and_then(|mut s| s.execute([&token_hash[..]]))
            .map(|_| ())
            .map_err(query_err(|| "ending a session".to_string()))
    }

    /// Records an API token of `user` named `name` (a label such as `cli-2026-11-30`) under
    /// the hash of the token. Returns `false` when there is no such user.
    ///
    /// Errors: [`crate::StoreError::Query`] naming the user.
    pub fn add_api_token(
        &self,
        token_hash: &[u8; 32],
        name: &str,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let conn = self.lock();
        conn.prepare_cached(
            "INSERT INTO api_tokens (token_hash, name, user, created_at)
             SELECT ?1, ?2, name, ?4 FROM users WHERE name = ?3",
        )
        .and_then(|mut s| s.execute(params![&token_hash[..], name, user, ts(&at)]))
        .map(|n| n == 1)
        .map_err(query_err(|| format!("adding an API token of user {user}")))
    }

    /// The user an API token with this hash belongs to, if any.
    ///
    /// Errors: [`crate::StoreError::Query`].
    pub fn api_token_user(&self, token_hash: &[u8; 32]) -> Result<Option<String>> {
        let conn = self.lock();
        conn.prepare_cached("SELECT user FROM api_tokens WHERE token_hash = ?1")
            .and_then(|mut s| s.query_row([&token_hash[..]], |r| r.get(0)).optional())
            .map_err(query_err(|| "looking up an API token".to_string()))
    }

    /// Start time of the latest crawl run, `None` before the first.
    ///
    /// Errors: [`crate::StoreError::Query`], [`crate::StoreError::Corrupt`] for a bad time.
    pub fn last_run_started(&self) -> Result<Option<DateTime<Utc>>> {
        let conn = self.lock();
        let raw: Option<String> = conn
            .prepare_cached("SELECT started_at FROM runs ORDER BY id DESC LIMIT 1")
            .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
            .map_err(query_err(|| "reading the last run".to_string()))?;
        raw.map(|s| parse_ts("last run", "runs.started_at", &s))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn users_sessions_tokens_round_trip() {
        let store = Store::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        assert!(store.add_user("wang", "$argon2id$x", t0).unwrap());
        assert!(!store.add_user("wang", "$argon2id$y", t0).unwrap());
        assert_eq!(
            store.password_hash("wang").unwrap().as_deref(),
            Some("$argon2id$x")
        );
        assert_eq!(store.password_hash("li").unwrap(), None);

        let h = [7u8; 32];
        assert!(
            !store
                .create_session(&h, "li", t0, t0 + Duration::hours(1))
                .unwrap()
        );
        assert!(
            store
                .create_session(&h, "wang", t0, t0 + Duration::hours(1))
                .unwrap()
        );
        assert_eq!(store.session_user(&h, t0).unwrap().as_deref(), Some("wang"));
        assert_eq!(
            store.session_user(&h, t0 + Duration::hours(2)).unwrap(),
            None
        );
        assert_eq!(store.session_user(&[8u8; 32], t0).unwrap(), None);
        let users = store.users(t0).unwrap();
        assert_eq!((users.len(), users[0].active_sessions), (1, 1));
        store.delete_session(&h).unwrap();
        assert_eq!(store.session_user(&h, t0).unwrap(), None);

        let th = [9u8; 32];
        assert!(store.add_api_token(&th, "cli", "wang", t0).unwrap());
        assert!(!store.add_api_token(&[1u8; 32], "cli", "li", t0).unwrap());
        assert_eq!(store.api_token_user(&th).unwrap().as_deref(), Some("wang"));
        assert_eq!(store.users(t0).unwrap()[0].api_tokens, 1);

        // A new password ends sessions.
        assert!(
            store
                .create_session(&h, "wang", t0, t0 + Duration::hours(1))
                .unwrap()
        );
        assert!(store.set_password("wang", "$argon2id$z").unwrap());
        assert_eq!(store.session_user(&h, t0).unwrap(), None);
        assert_eq!(store.last_run_started().unwrap(), None);
        let run = store.begin_run(t0).unwrap();
        assert!(run > 0);
        assert_eq!(store.last_run_started().unwrap(), Some(t0));
    }
}
