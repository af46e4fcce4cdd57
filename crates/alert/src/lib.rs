//! # yuqing-alert: which negative stories has each recipient not been alerted to yet? (预警邮件)
//!
//! [`run`] builds and sends each recipient's daily alert digest: every negative story (a
//! reprint cluster, not each reprint) first seen since that recipient's last digest, within
//! the recipient's theme subscription and score threshold, grouped by plan theme (the
//! story's best-scoring item under its section, else its section, else [`UNCLASSIFIED`]),
//! each with title, source, tier (央媒 …), Beijing time, article and reprint count, sentiment
//! score, evidence and link.
//!
//! ## The message
//! `multipart/alternative` with a plain-text and an HTML part (both Chinese; every crawled
//! value HTML-escaped; control characters in titles become spaces). The subject is
//! `【舆情预警】2026-11-30 负面报道 3 条` and holds no crawled text: titles never reach a
//! header; the subject and the recipient's display name are RFC 2047-encoded by lettre. The
//! Message-ID is derived from the recipient and the sorted story ids ([`message_id`]), so
//! the same digest always carries the same id. Sent with lettre's blocking SMTP transport
//! (STARTTLS, implicit TLS, or plain on loopback only; AUTH when a username is given; the
//! system roots plus the certificates of [`SmtpSettings::ca_file`] are trusted); with
//! no SMTP configured the full RFC 5322 message is written to
//! `<outbox_dir>/<YYYYMMDDTHHMMSSZ>-<recipient>.eml`.
//!
//! ## Exactly once, and what a crash does
//! The store's `deliveries` table holds one row per recipient and story. For each digest:
//! 1. its stories are recorded `pending` with the digest's Message-ID, in one transaction;
//! 2. the message is sent;
//! 3. the rows are marked `sent`.
//!
//! A run first re-sends the recipient's pending digests, each with its recorded Message-ID
//! (the stories re-read from the store, so counts may have grown), and only when all of them
//! went out considers new stories; a story recorded once (pending or sent) is never put in
//! another digest. So:
//! * no story is lost: a crash or SMTP failure before step 3 leaves the rows pending, and
//!   the next run sends them;
//! * a story reaches a recipient in exactly one Message-ID. A crash between the server
//!   accepting the message (step 2) and step 3 makes the next run send that message again:
//!   the receiver gets the same Message-ID twice, which mail clients and servers deduplicate
//!   on. True at-most-once delivery is impossible without the receiver's cooperation (the
//!   send and the record cannot be one atomic step); this is at-least-once with an
//!   identifiable duplicate.
//! * An SMTP failure (connection refused, 4xx/5xx) leaves the digest pending and is
//!   reported in [`AlertReport`]; the recipient's new stories wait for the next run.
//! * A run with nothing pending and nothing new sends nothing.
//! * One article represents each story in a digest entry: the story's most negative
//!   article (lowest effective score; ties: the first stored). Title, link, source, tier,
//!   time, score and evidence are all that article's ([`NegativeStory`]); the reprint count
//!   and theme grouping cover the whole story.
//! * A story older than [`MailSettings::max_story_age_days`] (default 7; the publish time,
//!   else first fetch, of the article that represents it) is never mailed nor recorded: a crawl that finds a
//!   2019 article today does not raise a 预警.
//!
//! "First seen since the last digest" is a window over article first-fetch times starting
//! [`OVERLAP`] before the recipient's last recorded digest (or [`OVERLAP`] before `now` for
//! a first digest); the overlap catches an article fetched before the last digest but
//! stored after it, and the deliveries table excludes what was already recorded.
//!
//! Cost, measured with the `bench_alert` example (release, shared 2-core machine, 100 000
//! synthetic articles over 10 days, 1 in 20 negative): finding the 500 negative stories of
//! the last 24 h takes 174 ms; a whole dry run building a 500-story digest 112 ms.
//!
//! Calls are synchronous (SQLite and a blocking SMTP client): async callers use
//! `spawn_blocking`.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use yuqing_alert::{MailSettings, Recipient, run};
//! use yuqing_model::{Analysis, Article, ArticleId, DateSource, Evidence, Sentiment, SentimentLabel, Tier};
//! use yuqing_store::Store;
//! use yuqing_themes::ThemeSet;
//!
//! let store = Store::open_in_memory()?;
//! let now = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
//! let url = "https://example.com/a/1.html";
//! let article = Article {
//!     id: ArticleId::from_canonical_url(url), source: "example".into(), tier: Tier::Commercial,
//!     url: url.into(), canonical_url: url.into(), site: "示例网".into(),
//!     title: "快递网点停摆引发投诉".into(), author: None, editor: None,
//!     published_at: Some(now - chrono::Duration::hours(3)), date_source: DateSource::Meta,
//!     body: "正文".into(), fetched_at: now - chrono::Duration::hours(2),
//! };
//! let analysis = Analysis {
//!     sentiment: Some(Sentiment { label: SentimentLabel::Negative, score: -0.8,
//!         evidence: vec![Evidence { text: "投诉".into(), weight: -0.5 }] }),
//!     cluster: Some(article.id.clone()),
//!     ..Analysis::default()
//! };
//! store.upsert_analyzed([(&article, &analysis)])?;
//! let themes = ThemeSet::from_toml_str("version = 1", "themes.toml")?;
//! let settings = MailSettings {
//!     smtp: None,
//!     from: "舆情监测 <yuqing@example.com>".parse()?,
//!     outbox_dir: "data/outbox".into(),
//!     max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
//! };
//! let to = [Recipient { name: "王科长".into(), email: "wang@example.com".into(),
//!     themes: vec![], min_negative_score: 0.3 }];
//! // A dry run records and sends nothing, and returns what would be sent.
//! let report = run(&store, &themes, &settings, &to, now, true)?;
//! let digest = &report.digests[0].digest;
//! assert_eq!(digest.subject, "【舆情预警】2026-11-30 负面报道 1 条");
//! assert_eq!(digest.groups[0].heading, "未归类");
//! assert!(digest.text.contains("快递网点停摆引发投诉"));
//! assert!(run(&store, &themes, &settings, &to, now, true)?.digests.len() == 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod digest;
mod error;

use std::fmt;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::MultiPart;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use yuqing_model::ArticleId;
use yuqing_store::{NegativeStory, Store};
use yuqing_themes::ThemeSet;

pub use digest::{
    EVIDENCE_SHOWN, StoryGroup, UNCLASSIFIED, beijing_time, chinese_number, escape_html,
    group_stories, primary_theme, render_html, render_text, subject,
};
pub use error::{AlertError, Result};
/// The mailbox type of [`MailSettings::from`] (lettre's; parse `"名字 <a@b.c>"` into it).
pub use lettre::message::Mailbox;

/// How far before the last digest (or before `now`, for a recipient's first digest) the
/// window of first-fetch times starts: 24 hours.
pub const OVERLAP: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How long one SMTP command may take before the send counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (required; usually port 587).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Implicit,
    /// No encryption: accepted only for a loopback host (`localhost`, `127.0.0.1`, `::1`),
    /// e.g. a local relay or a test server.
    None,
}

/// The SMTP server to send through.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name (checked against its TLS certificate) or IP address.
    pub host: String,
    /// TCP port (587 STARTTLS, 465 implicit TLS, 25 plain).
    pub port: u16,
    /// Transport security.
    pub tls: TlsMode,
    /// AUTH user name; no AUTH when `None`.
    pub username: Option<String>,
    /// AUTH password, resolved by the caller from the environment or a file (never from
    /// the TOML); ignored without a username.
    pub password: Option<String>,
    /// PEM file of extra root certificates trusted for this server (an office's internal
    /// CA, `[mail] smtp_ca_file`), added to the system roots; `None`: system roots only.
    /// Read when the transport is set up; every certificate in it is added.
    pub ca_file: Option<PathBuf>,
}

impl fmt::Debug for SmtpSettings {
    /// Like the derived form, with the password shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Where digests go and from whom.
#[derive(Debug, Clone, PartialEq)]
pub struct MailSettings {
    /// The SMTP server; `None` writes each digest as an `.eml` file to `outbox_dir` instead.
    pub smtp: Option<SmtpSettings>,
    /// The `From` mailbox (e.g. `"舆情监测 <yuqing@example.com>".parse()`).
    pub from: Mailbox,
    /// Directory for `.eml` files when `smtp` is `None` (created when missing), normally
    /// `data/outbox`.
    pub outbox_dir: PathBuf,
    /// Age limit of new stories, in days (`[mail] max_story_age_days`, default
    /// [`DEFAULT_MAX_STORY_AGE_DAYS`]); 0 = no limit. A story whose time
    /// ([`NegativeStory::time`]: the publish time, else the first fetch, of the article that
    /// represents it) is more
    /// than this many days before `now` is never put in a digest and never recorded: it is
    /// skipped, and once its first fetch leaves the look-back window it is not considered
    /// again (an old article found by a new crawl is news to nobody). Pending re-sends are
    /// not affected.
    pub max_story_age_days: u32,
}

/// Default of [`MailSettings::max_story_age_days`]: 7 days.
pub const DEFAULT_MAX_STORY_AGE_DAYS: u32 = 7;

/// One recipient and their subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    /// Display name (`王科长`).
    pub name: String,
    /// Address; deliveries are recorded under it trimmed and ASCII-lowercased.
    pub email: String,
    /// Theme ids subscribed to (`s4` covers its items `s4.i…`); empty = every story,
    /// including those matching no theme. With a non-empty list, unclassified stories are
    /// not sent.
    pub themes: Vec<String>,
    /// Threshold in [0, 1]: a story is sent when its effective sentiment label is negative
    /// and its score ≤ `-min_negative_score`.
    pub min_negative_score: f32,
}

impl Recipient {
    /// The key deliveries are recorded under: the address trimmed and ASCII-lowercased.
    pub fn key(&self) -> String {
        self.email.trim().to_ascii_lowercase()
    }

    /// Whether the subscription covers a story with these theme ids.
    pub fn wants(&self, story: &NegativeStory) -> bool {
        self.themes.is_empty()
            || story.themes.iter().any(|(t, _)| {
                self.themes.iter().any(|s| {
                    t == s
                        || t.strip_prefix(s.as_str())
                            .is_some_and(|r| r.starts_with('.'))
                })
            })
    }
}

/// One digest: who it is for, its Message-ID, subject, grouped stories and both bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// Recipient key ([`Recipient::key`]).
    pub recipient: String,
    /// Message-ID with angle brackets, from [`message_id`].
    pub message_id: String,
    /// Subject line (see [`subject`]).
    pub subject: String,
    /// Stories by group, groups in plan order, unclassified last.
    pub groups: Vec<StoryGroup>,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Whether this is a pending digest sent again (same Message-ID as before).
    pub resend: bool,
}

impl Digest {
    /// The digest's story ids, sorted.
    pub fn story_ids(&self) -> Vec<ArticleId> {
        let mut ids: Vec<ArticleId> = self
            .groups
            .iter()
            .flat_map(|g| g.stories.iter().map(|s| s.id.clone()))
            .collect();
        ids.sort();
        ids
    }
}

/// Where a digest went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `dry_run`: built, not recorded, not sent.
    DryRun,
    /// Accepted by the SMTP server (`host:port`).
    Sent(String),
    /// Written to this `.eml` file.
    Written(PathBuf),
    /// Sending failed (the message names the server or file); the stories stay pending.
    Failed(String),
}

/// One digest of a run and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestResult {
    /// The digest.
    pub digest: Digest,
    /// Sent, written, failed or dry run.
    pub outcome: Outcome,
}

/// What [`run`] did, digest by digest (pending re-sends first per recipient).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertReport {
    /// Every digest built, in recipient order.
    pub digests: Vec<DigestResult>,
}

impl AlertReport {
    /// The digests that failed to go out (their stories stay pending).
    pub fn failures(&self) -> impl Iterator<Item = &DigestResult> {
        self.digests
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Failed(_)))
    }
}

/// The deterministic Message-ID of a digest: `<` + 32 hex digits of BLAKE3 over a version
/// tag, the recipient key and the sorted, deduplicated story ids + `@yuqing.alert>`. The same
/// recipient and stories always give the same id, in any order.
pub fn message_id(recipient_key: &str, stories: &[ArticleId]) -> String {
    let mut ids: Vec<&str> = stories.iter().map(ArticleId::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut h = blake3::Hasher::new();
    h.update(b"yuqing-alert digest v1\0");
    h.update(recipient_key.as_bytes());
    for id in ids {
        h.update(b"\0");
        h.update(id.as_bytes());
    }
    let hex = h.finalize().to_hex();
    format!(
        "<{}@yuqing.alert>",
        hex.as_str().get(..32).unwrap_or(hex.as_str())
    )
}

/// Builds a digest of `stories` for `recipient` (grouping, subject dated `at`, both bodies).
pub fn build_digest(
    themes: &ThemeSet,
    recipient: &Recipient,
    stories: Vec<NegativeStory>,
    message_id: String,
    at: DateTime<Utc>,
    resend: bool,
) -> Digest {
    let subject = subject(at, stories.len());
    let groups = group_stories(themes, stories);
    let text = render_text(&recipient.name, &subject, &groups);
    let html = render_html(&recipient.name, &subject, &groups);
    Digest {
        recipient: recipient.key(),
        message_id,
        subject,
        groups,
        text,
        html,
        resend,
    }
}

/// The RFC 5322 message of a digest from `from` to `to`.
///
/// Errors: [`AlertError::Build`].
pub fn message(digest: &Digest, from: &Mailbox, to: &Mailbox) -> Result<Message> {
    Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(digest.subject.as_str())
        .message_id(Some(digest.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            digest.text.clone(),
            digest.html.clone(),
        ))
        .map_err(|source| AlertError::Build {
            email: digest.recipient.clone(),
            message_id: digest.message_id.clone(),
            source,
        })
}

/// Where messages go in this run.
enum Sink {
    Smtp {
        transport: SmtpTransport,
        server: String,
    },
    Outbox(PathBuf),
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Sink {
    fn new(settings: &MailSettings) -> Result<Sink> {
        let Some(smtp) = &settings.smtp else {
            return Ok(Sink::Outbox(settings.outbox_dir.clone()));
        };
        let host = smtp.host.as_str();
        let transport_err = |source| AlertError::Transport {
            host: host.to_string(),
            source,
        };
        let tls = match smtp.tls {
            TlsMode::None if !is_loopback(host) => {
                return Err(AlertError::PlainNotLoopback {
                    host: host.to_string(),
                });
            }
            TlsMode::None => Tls::None,
            TlsMode::Starttls => Tls::Required(tls_parameters(smtp)?.map_err(transport_err)?),
            TlsMode::Implicit => Tls::Wrapper(tls_parameters(smtp)?.map_err(transport_err)?),
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &smtp.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                smtp.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Sink::Smtp {
            transport: builder.build(),
            server: format!("{host}:{}", smtp.port),
        })
    }

    /// Sends or writes one message; `Err` names the server or file.
    fn deliver(&self, msg: &Message, recipient: &str, now: DateTime<Utc>) -> Outcome {
        match self {
            Sink::Smtp { transport, server } => match transport.send(msg) {
                Ok(_) => Outcome::Sent(server.clone()),
                Err(e) => Outcome::Failed(smtp_failure(server, &e)),
            },
            Sink::Outbox(dir) => match write_eml(dir, recipient, now, &msg.formatted()) {
                Ok(path) => Outcome::Written(path),
                Err((path, e)) => Outcome::Failed(format!("outbox {}: {e}", path.display())),
            },
        }
    }
}

/// TLS parameters for `smtp.host`: the system roots plus every certificate of
/// `smtp.ca_file`. `Err(CaFile)` names the file; `Ok(Err)` is lettre's error.
fn tls_parameters(
    smtp: &SmtpSettings,
) -> std::result::Result<
    std::result::Result<TlsParameters, lettre::transport::smtp::Error>,
    AlertError,
> {
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if let Some(path) = &smtp.ca_file {
        let ca_err = |message: String| AlertError::CaFile {
            path: path.clone(),
            message,
        };
        let pem = std::fs::read(path).map_err(|e| ca_err(e.to_string()))?;
        // lettre accepts a PEM without any certificate (and silently skips other blocks):
        // an empty trust list would only show up as a failed handshake, so say it here.
        let certs = String::from_utf8_lossy(&pem)
            .matches("-----BEGIN CERTIFICATE-----")
            .count();
        if certs == 0 {
            return Err(ca_err(
                "no PEM certificate (-----BEGIN CERTIFICATE-----) in the file".into(),
            ));
        }
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| ca_err(format!("not a valid PEM certificate file: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    Ok(builder.build())
}

/// The message of a failed send: `smtp host:port: ` + the error chain, each cause once;
/// a certificate the client does not trust gets a hint at `smtp_ca_file`.
fn smtp_failure(server: &str, e: &lettre::transport::smtp::Error) -> String {
    let mut chain: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        // lettre's Display already appends its source: keep only what is new.
        if !chain.iter().any(|c| c.contains(&text)) {
            chain.push(text);
        }
        cur = err.source();
    }
    let mut msg = format!("smtp {server}: {}", chain.join(": "));
    let lower = msg.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        msg.push_str(
            " (the server's TLS certificate is not trusted: if it is signed by an internal \
             CA, set [mail] smtp_ca_file to that CA's PEM file)",
        );
    }
    msg
}

/// Writes `<dir>/<YYYYMMDDTHHMMSSZ>-<recipient>.eml` (a `-2`, `-3` … suffix when taken) via a
/// temporary file and a rename, so a crash never leaves half a message under the final name.
fn write_eml(
    dir: &Path,
    recipient: &str,
    now: DateTime<Utc>,
    bytes: &[u8],
) -> std::result::Result<PathBuf, (PathBuf, std::io::Error)> {
    let safe: String = recipient
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._-+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = format!("{}-{safe}", now.format("%Y%m%dT%H%M%SZ"));
    let tmp = dir.join(format!(".{stem}.eml.tmp"));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        for n in 1u32.. {
            let name = if n == 1 {
                format!("{stem}.eml")
            } else {
                format!("{stem}-{n}.eml")
            };
            let path = dir.join(name);
            if !path.exists() {
                std::fs::rename(&tmp, &path)?;
                return Ok(path);
            }
        }
        Err(std::io::Error::other("no free file name"))
    })();
    result.map_err(|e| (tmp.clone(), e))
}

fn mailbox(recipient: &Recipient) -> Result<Mailbox> {
    let email = recipient.email.trim();
    let address = email.parse().map_err(|source| AlertError::Address {
        name: recipient.name.clone(),
        email: email.to_string(),
        source,
    })?;
    let name = (!recipient.name.is_empty()).then(|| recipient.name.clone());
    Ok(Mailbox::new(name, address))
}

/// Whether `story` is older than `max_days` days at `now` (never when `max_days` is 0).
fn too_old(story: &NegativeStory, max_days: u32, now: DateTime<Utc>) -> bool {
    max_days > 0 && now - story.time > chrono::TimeDelta::days(i64::from(max_days))
}

/// Sends every recipient's alert digest; see the crate documentation for the state machine.
/// `now` dates new digests and their records; `dry_run` records and sends nothing and returns
/// the digests that would be sent (pending re-sends included).
///
/// Errors: [`AlertError::Address`] (checked for every recipient before anything is sent),
/// [`AlertError::PlainNotLoopback`], [`AlertError::Transport`], [`AlertError::CaFile`], [`AlertError::Outbox`],
/// [`AlertError::Store`] (reading or recording; a digest whose send succeeded but whose
/// record failed is re-sent next run with the same Message-ID), [`AlertError::Build`]. A
/// failed send is not an error: it is [`Outcome::Failed`] in the report.
pub fn run(
    store: &Store,
    themes: &ThemeSet,
    settings: &MailSettings,
    recipients: &[Recipient],
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<AlertReport> {
    run_with_hook(
        store,
        themes,
        settings,
        recipients,
        now,
        dry_run,
        &mut |_| {},
    )
}

/// [`run`], calling `after_send` with each digest the moment its send succeeded, before it is
/// marked sent: the point where a crash makes the next run send the digest again. For crash
/// tests (a hook that aborts the process) and progress output.
///
/// Errors: as [`run`].
pub fn run_with_hook(
    store: &Store,
    themes: &ThemeSet,
    settings: &MailSettings,
    recipients: &[Recipient],
    now: DateTime<Utc>,
    dry_run: bool,
    after_send: &mut dyn FnMut(&Digest),
) -> Result<AlertReport> {
    let mailboxes = recipients.iter().map(mailbox).collect::<Result<Vec<_>>>()?;
    let sink = Sink::new(settings)?;
    if let (Sink::Outbox(dir), false) = (&sink, dry_run) {
        std::fs::create_dir_all(dir).map_err(|source| AlertError::Outbox {
            path: dir.clone(),
            source,
        })?;
    }
    let mut report = AlertReport::default();
    for (recipient, to) in recipients.iter().zip(&mailboxes) {
        let key = recipient.key();
        // Each step returns whether the recipient may go on to new stories.
        let mut send = |digest: Digest, report: &mut AlertReport| -> Result<bool> {
            if dry_run {
                report.digests.push(DigestResult {
                    digest,
                    outcome: Outcome::DryRun,
                });
                return Ok(true);
            }
            let msg = message(&digest, &settings.from, to)?;
            if !digest.resend {
                store.record_pending(&key, &digest.message_id, &digest.story_ids(), now)?;
            }
            let outcome = sink.deliver(&msg, &key, now);
            let ok = !matches!(outcome, Outcome::Failed(_));
            if ok {
                after_send(&digest);
                store.mark_sent(&key, &digest.message_id, now)?;
            }
            report.digests.push(DigestResult { digest, outcome });
            Ok(ok)
        };
        // 1. Pending digests, with their recorded Message-IDs.
        let mut ok = true;
        for pending in store.pending_deliveries(&key)? {
            let stories = store.stories(&pending.stories)?;
            if stories.is_empty() {
                // Every story of it was deleted from the store: nothing left to send.
                if !dry_run {
                    store.mark_sent(&key, &pending.message_id, now)?;
                }
                continue;
            }
            let digest = build_digest(
                themes,
                recipient,
                stories,
                pending.message_id,
                pending.created_at,
                true,
            );
            if !send(digest, &mut report)? {
                ok = false;
                break;
            }
        }
        if !ok {
            continue;
        }
        // 2. New stories.
        let since = store.last_digest_at(&key)?.unwrap_or(now).min(now) - OVERLAP;
        let threshold = -recipient.min_negative_score.max(0.0);
        let candidates: Vec<NegativeStory> = store
            .negative_stories_since(since, threshold)?
            .into_iter()
            .filter(|s| recipient.wants(s) && !too_old(s, settings.max_story_age_days, now))
            .collect();
        let ids: Vec<ArticleId> = candidates.iter().map(|s| s.id.clone()).collect();
        let fresh = store.undelivered(&key, &ids)?;
        let stories: Vec<NegativeStory> = candidates
            .into_iter()
            .filter(|s| fresh.contains(&s.id))
            .collect();
        if stories.is_empty() {
            continue;
        }
        let id = message_id(&key, &fresh);
        let digest = build_digest(themes, recipient, stories, id, now, false);
        send(digest, &mut report)?;
    }
    Ok(report)
}
