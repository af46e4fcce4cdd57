//! `yuqing alert send`: the alert digest of negative stories, each story once per recipient.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use yuqing_alert::{
    AlertReport, DigestResult, MailSettings, Outcome, Recipient, SmtpSettings, TlsMode,
};
use yuqing_config::{Config, SmtpTls};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

use crate::Failure;

/// The SMTP password: env `YUQING_SMTP_PASSWORD`, else `[mail] smtp_password_file`.
fn password(config: &Config) -> Result<Option<String>, Failure> {
    if let Ok(p) = std::env::var("YUQING_SMTP_PASSWORD")
        && !p.is_empty()
    {
        return Ok(Some(p));
    }
    match config
        .mail
        .smtp
        .as_ref()
        .and_then(|s| s.password_file.as_ref())
    {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| {
                format!(
                    "cannot read the SMTP password file {} (mail.smtp_password_file)",
                    file.display()
                )
            })?;
            Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
        }
        None => Ok(None),
    }
}

/// Maps `[mail]` to the alert crate's settings; the password is read only when `need_password`
/// (a dry run sends nothing and needs none).
fn settings(
    config: &Config,
    need_password: bool,
) -> Result<(MailSettings, Vec<Recipient>), Failure> {
    let from = config.mail.from.parse().map_err(|e| {
        anyhow::anyhow!(
            "{}: mail.from: {:?} is not a mailbox: {e}",
            config.path.display(),
            config.mail.from
        )
    })?;
    let smtp = match &config.mail.smtp {
        Some(s) => Some(SmtpSettings {
            host: s.host.clone(),
            port: s.port,
            tls: match s.tls {
                SmtpTls::Starttls => TlsMode::Starttls,
                SmtpTls::Implicit => TlsMode::Implicit,
                SmtpTls::None => TlsMode::None,
            },
            username: s.username.clone(),
            password: if need_password {
                password(config)?
            } else {
                None
            },
            ca_file: s.ca_file.clone(),
        }),
        None => None,
    };
    let recipients = config
        .mail
        .recipients
        .iter()
        .map(|r| Recipient {
            name: r.name.clone(),
            email: r.email.clone(),
            themes: r.themes.clone(),
            min_negative_score: r.min_negative_score,
        })
        .collect();
    Ok((
        MailSettings {
            smtp,
            from,
            outbox_dir: config.mail.outbox_dir.clone(),
            max_story_age_days: config.mail.max_story_age_days,
        },
        recipients,
    ))
}

/// Builds and sends (or writes, or with `--dry-run` prints) each recipient's digest; exit 1
/// when a digest failed to go out (its stories stay pending for the next run).
pub fn send(config_path: &Path, dry_run: bool) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    // Sending records deliveries, as `serve`'s alert job does: not beside it (a dry run
    // records nothing and may).
    let _lock = if dry_run {
        None
    } else {
        Some(yuqing_config::DataDirLock::acquire(
            &config.data_dir,
            "alert send",
        )?)
    };
    let Some(report) = send_digests(&config, dry_run)? else {
        eprintln!(
            "yuqing: no [[mail.recipient]] in {}: nothing to send",
            config.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    };
    if report.digests.is_empty() {
        println!("no new negative stories for any recipient: nothing sent");
    }
    for d in &report.digests {
        println!("{}", describe(d));
        if dry_run {
            println!("{}", d.digest.text);
        }
    }
    Ok(if failed(&report) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs the alert digest once (`yuqing alert send` and `yuqing serve`'s alert job) without
/// printing: maps `[mail]` to the alert settings (password from `YUQING_SMTP_PASSWORD` or
/// `mail.smtp_password_file`), opens `<data dir>/yuqing.sqlite3` and calls
/// [`yuqing_alert::run`] at the current time. `None` when no `[[mail.recipient]]` is
/// configured (nothing is opened). Blocking (SQLite, SMTP): call it off the async runtime.
///
/// A digest that fails to go out is an [`Outcome::Failed`] in the report, not an error.
///
/// Errors: an invalid `mail.from`, an unreadable password file (not read on a dry run), no
/// store yet, an unreadable themes file, or a store failure.
pub fn send_digests(config: &Config, dry_run: bool) -> Result<Option<AlertReport>, Failure> {
    let (settings, recipients) = settings(config, !dry_run)?;
    if recipients.is_empty() {
        return Ok(None);
    }
    let themes = ThemeSet::load(&config.themes_file)?;
    let db = config.data_dir.join("yuqing.sqlite3");
    if !db.exists() {
        return Err(Failure::from(anyhow::anyhow!(
            "no store at {}: run `yuqing run` first",
            db.display()
        )));
    }
    let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let report = yuqing_alert::run(&store, &themes, &settings, &recipients, Utc::now(), dry_run)?;
    Ok(Some(report))
}

/// Digests of `report` that failed to go out.
pub fn failed(report: &AlertReport) -> usize {
    report
        .digests
        .iter()
        .filter(|d| matches!(d.outcome, Outcome::Failed(_)))
        .count()
}

/// Stories in one digest.
pub fn stories(d: &DigestResult) -> usize {
    d.digest.groups.iter().map(|g| g.stories.len()).sum()
}

/// One line per digest: `wang@example.gov.cn: SUBJECT (3 条 stories) — written to PATH`.
pub fn describe(d: &DigestResult) -> String {
    let what = match &d.outcome {
        Outcome::DryRun => "dry run, not sent".to_string(),
        Outcome::Sent(server) => format!("sent via {server}"),
        Outcome::Written(path) => format!("written to {}", path.display()),
        Outcome::Failed(e) => format!("FAILED, stories stay pending: {e}"),
    };
    format!(
        "{}: {} ({} 条 stories{}) — {what}",
        d.digest.recipient,
        d.digest.subject,
        stories(d),
        if d.digest.resend { ", re-send" } else { "" }
    )
}
