//! `yuqing user add|token|list`: the web UI's users and the API tokens of scripts.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use yuqing_store::Store;

use crate::Failure;
use crate::cli::UserAction;

/// Runs one `yuqing user` action against `<data dir>/yuqing.sqlite3` (created if missing).
pub fn user(config_path: &Path, action: &UserAction) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let db = config.data_dir.join(yuqing_store::DB_FILE_NAME);
    let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    match action {
        UserAction::Add {
            name,
            password_stdin,
        } => add(&store, name, *password_stdin),
        UserAction::Token { name, label } => token(&store, name, label.as_deref()),
        UserAction::List { json } => list(&store, *json),
    }
}

fn add(store: &Store, name: &str, password_stdin: bool) -> Result<ExitCode, Failure> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Failure::usage(anyhow::anyhow!(
            "user name {name:?}: must be non-empty, without spaces or control characters"
        )));
    }
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("password for {name}: "))
            .context("reading the password from the terminal")?;
        let again = rpassword::prompt_password("again: ")
            .context("reading the password from the terminal")?;
        if first != again {
            return Err(Failure::usage(anyhow::anyhow!("the passwords differ")));
        }
        first
    } else {
        return Err(Failure::usage(anyhow::anyhow!(
            "standard input is not a terminal: pass --password-stdin and pipe the password"
        )));
    };
    let phc = yuqing_web::hash_password(&password).map_err(Failure::usage)?;
    if !store.add_user(name, &phc, Utc::now())? {
        // Not a usage error (exit 2): the command was right, the store refused it (exit 1).
        return Err(anyhow::anyhow!("user {name} already exists; nothing changed").into());
    }
    eprintln!("added user {name}");
    Ok(ExitCode::SUCCESS)
}

fn token(store: &Store, name: &str, label: Option<&str>) -> Result<ExitCode, Failure> {
    let token = yuqing_web::new_token()?;
    let now = Utc::now();
    let label = label
        .map(str::to_string)
        .unwrap_or_else(|| format!("token-{}", now.format("%Y%m%dT%H%M%SZ")));
    if !store.add_api_token(&yuqing_web::token_hash(&token), &label, name, now)? {
        return Err(Failure::usage(anyhow::anyhow!(
            "no user {name}: add it first with `yuqing user add {name}`"
        )));
    }
    // The token is shown once; only its hash is stored.
    println!("{token}");
    eprintln!(
        "API token {label} of {name}: send it as `Authorization: Bearer <token>`; it is not stored and cannot be shown again"
    );
    Ok(ExitCode::SUCCESS)
}

fn list(store: &Store, json: bool) -> Result<ExitCode, Failure> {
    let users = store.users(Utc::now())?;
    if json {
        let rows: Vec<_> = users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "name": u.name,
                    "created_at": u.created_at.to_rfc3339(),
                    "active_sessions": u.active_sessions,
                    "api_tokens": u.api_tokens,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "{:<20} {:<25} {:>8} {:>6}",
            "name", "created (UTC)", "sessions", "tokens"
        );
        for u in &users {
            println!(
                "{:<20} {:<25} {:>8} {:>6}",
                u.name,
                u.created_at.format("%Y-%m-%d %H:%M:%S"),
                u.active_sessions,
                u.api_tokens
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
