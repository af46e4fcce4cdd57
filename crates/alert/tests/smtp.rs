//! End-to-end tests of the alert digest against a real SMTP server on 127.0.0.1: a small
//! line-based SMTP responder written here (std `TcpListener`, one thread per connection)
//! that records the envelope and the DATA of every message, speaking STARTTLS or implicit
//! TLS (rustls, with a CA and a `localhost` certificate made at test time by rcgen) and
//! checking AUTH PLAIN/LOGIN credentials. Messages are read back with an
//! independent parser (`mail-parser`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use mail_parser::MessageParser;
use yuqing_alert::{
    AlertError, MailSettings, Outcome, Recipient, SmtpSettings, TlsMode, message_id, run,
    run_with_hook,
};
use yuqing_model::{
    Analysis, Article, ArticleId, DateSource, Evidence, HitField, Sentiment, SentimentLabel,
    TermHit, ThemeMatch, Tier,
};
use yuqing_store::Store;
use yuqing_themes::ThemeSet;

// ---------------------------------------------------------------- the SMTP server

/// One message as the server received it.
#[derive(Debug, Clone)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    /// `AUTH` command line as sent (base64 left as is).
    auth: Option<String>,
    /// Whether the session was TLS when MAIL FROM came.
    tls: bool,
    data: Vec<u8>,
}

/// One AUTH exchange as the server saw it.
#[derive(Debug, Clone, PartialEq)]
struct AuthSeen {
    /// `PLAIN` or `LOGIN`.
    mechanism: String,
    /// Decoded user and password.
    user: String,
    password: String,
    /// Whether the session was TLS at the time.
    tls: bool,
    /// Whether they matched the expected user and password (answered 235, else 535).
    accepted: bool,
}

/// Transport security the test server speaks.
#[derive(Clone)]
enum Security {
    /// Plain text; STARTTLS not offered.
    Plain,
    /// Plain text, STARTTLS offered (EHLO) and performed with this configuration.
    Starttls(Arc<rustls::ServerConfig>),
    /// TLS from the first byte.
    Implicit(Arc<rustls::ServerConfig>),
}

/// How the test server behaves.
#[derive(Clone)]
struct ServerOptions {
    security: Security,
    /// The AUTH mechanisms advertised after EHLO (`PLAIN LOGIN`, `LOGIN` …).
    mechanisms: &'static str,
    /// Expected AUTH user and password.
    user: &'static str,
    password: &'static str,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            security: Security::Plain,
            mechanisms: "PLAIN LOGIN",
            user: "alert",
            password: "s3cret",
        }
    }
}

struct SmtpServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    auths: Arc<Mutex<Vec<AuthSeen>>>,
    /// When set, DATA is answered `451 4.3.0` (temporary failure).
    fail_data: Arc<AtomicBool>,
}

/// Everything a session shares with the test.
#[derive(Clone)]
struct Shared {
    options: ServerOptions,
    received: Arc<Mutex<Vec<Received>>>,
    auths: Arc<Mutex<Vec<AuthSeen>>>,
    fail: Arc<AtomicBool>,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        SmtpServer::start_with(ServerOptions::default())
    }

    fn start_with(options: ServerOptions) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Shared {
            options,
            received: Arc::new(Mutex::new(Vec::new())),
            auths: Arc::new(Mutex::new(Vec::new())),
            fail: Arc::new(AtomicBool::new(false)),
        };
        let server = SmtpServer {
            addr,
            received: shared.received.clone(),
            auths: shared.auths.clone(),
            fail_data: shared.fail.clone(),
        };
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &shared);
                });
            }
        });
        server
    }

    fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn auths(&self) -> Vec<AuthSeen> {
        self.auths.lock().unwrap().clone()
    }

    fn settings(&self, outbox: &Path) -> MailSettings {
        MailSettings {
            smtp: Some(SmtpSettings {
                host: "127.0.0.1".into(),
                port: self.addr.port(),
                tls: TlsMode::None,
                username: Some("alert".into()),
                password: Some("s3cret".into()),
                ca_file: None,
            }),
            from: "舆情监测 <yuqing@example.com>".parse().unwrap(),
            outbox_dir: outbox.to_path_buf(),
            max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
        }
    }
}

/// A byte stream the session speaks over: TCP, or TLS over TCP.
trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

fn tls_over(
    config: &Arc<rustls::ServerConfig>,
    inner: Box<dyn Conn>,
) -> std::io::Result<Box<dyn Conn>> {
    let conn = rustls::ServerConnection::new(config.clone()).map_err(std::io::Error::other)?;
    Ok(Box::new(rustls::StreamOwned::new(conn, inner)))
}

fn reply(input: &mut BufReader<Box<dyn Conn>>, bytes: &[u8]) -> std::io::Result<()> {
    let out = input.get_mut();
    out.write_all(bytes)?;
    out.flush()
}

fn read_line(input: &mut BufReader<Box<dyn Conn>>) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end().to_string()))
}

/// Standard base64 (RFC 4648) decoding, enough for AUTH; `None` on a bad character.
fn b64decode(s: &str) -> Option<Vec<u8>> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim().bytes().filter(|&c| c != b'=') {
        let v = A.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn b64text(s: &str) -> String {
    String::from_utf8_lossy(&b64decode(s).unwrap_or_default()).into_owned()
}

fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let options = &shared.options;
    let mut tls = false;
    let mut conn: Box<dyn Conn> = Box::new(stream);
    if let Security::Implicit(config) = &options.security {
        conn = tls_over(config, conn)?;
        tls = true;
    }
    let mut input = BufReader::new(conn);
    reply(&mut input, b"220 localhost test smtp\r\n")?;
    let mut current = Received {
        mail_from: String::new(),
        rcpt_to: Vec::new(),
        auth: None,
        tls,
        data: Vec::new(),
    };
    let mut auth = None;
    loop {
        let Some(cmd) = read_line(&mut input)? else {
            return Ok(());
        };
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            let starttls = matches!(options.security, Security::Starttls(_)) && !tls;
            let ehlo = format!(
                "250-localhost\r\n{}250-AUTH {}\r\n250 8BITMIME\r\n",
                if starttls { "250-STARTTLS\r\n" } else { "" },
                options.mechanisms
            );
            reply(&mut input, ehlo.as_bytes())?;
        } else if upper == "STARTTLS" {
            let Security::Starttls(config) = &options.security else {
                reply(&mut input, b"502 5.5.1 not offered\r\n")?;
                continue;
            };
            if tls {
                reply(&mut input, b"503 5.5.1 already in tls\r\n")?;
                continue;
            }
            // Nothing may follow STARTTLS before the handshake (RFC 3207 command injection).
            if !input.buffer().is_empty() {
                return Err(std::io::Error::other("data pipelined after STARTTLS"));
            }
            reply(&mut input, b"220 2.0.0 ready to start tls\r\n")?;
            let plain = input.into_inner();
            input = BufReader::new(tls_over(config, plain)?);
            tls = true;
            // RFC 3207: the client must forget what it learned before; so does the server.
            auth = None;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            reply(&mut input, b"250 ok\r\n")?;
        } else if upper.starts_with("AUTH") {
            let mut words = cmd.split_whitespace().skip(1);
            let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
            let initial = words.next().map(str::to_string);
            if !options.mechanisms.split(' ').any(|m| m == mechanism) {
                reply(&mut input, b"504 5.5.4 mechanism not supported\r\n")?;
                continue;
            }
            let (user, password) = if mechanism == "PLAIN" {
                let response = match initial {
                    Some(r) => r,
                    None => {
                        reply(&mut input, b"334 \r\n")?;
                        read_line(&mut input)?.unwrap_or_default()
                    }
                };
                // authzid \0 authcid \0 password
                let decoded = b64text(&response);
                let mut parts = decoded.split('\0').skip(1);
                (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                )
            } else {
                let user = match initial {
                    Some(u) => b64text(&u),
                    None => {
                        reply(&mut input, b"334 VXNlcm5hbWU6\r\n")?;
                        b64text(&read_line(&mut input)?.unwrap_or_default())
                    }
                };
                reply(&mut input, b"334 UGFzc3dvcmQ6\r\n")?;
                (user, b64text(&read_line(&mut input)?.unwrap_or_default()))
            };
            let accepted = user == options.user && password == options.password;
            shared.auths.lock().unwrap().push(AuthSeen {
                mechanism,
                user,
                password,
                tls,
                accepted,
            });
            if accepted {
                auth = Some(cmd.clone());
                reply(&mut input, b"235 2.7.0 authenticated\r\n")?;
            } else {
                reply(
                    &mut input,
                    b"535 5.7.8 authentication credentials invalid\r\n",
                )?;
            }
        } else if upper.starts_with("MAIL FROM:") {
            current = Received {
                mail_from: cmd["MAIL FROM:".len()..].to_string(),
                rcpt_to: Vec::new(),
                auth: auth.clone(),
                tls,
                data: Vec::new(),
            };
            reply(&mut input, b"250 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            current.rcpt_to.push(cmd["RCPT TO:".len()..].to_string());
            reply(&mut input, b"250 ok\r\n")?;
        } else if upper == "DATA" {
            if shared.fail.load(Ordering::SeqCst) {
                reply(&mut input, b"451 4.3.0 try again later\r\n")?;
                continue;
            }
            reply(&mut input, b"354 go ahead\r\n")?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if input.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                // Dot-unstuffing (RFC 5321 4.5.2).
                let l = if l.starts_with(b"..") {
                    &l[1..]
                } else {
                    &l[..]
                };
                data.extend_from_slice(l);
            }
            current.data = data;
            shared.received.lock().unwrap().push(current.clone());
            reply(&mut input, b"250 2.0.0 queued\r\n")?;
        } else if upper.starts_with("RSET") {
            reply(&mut input, b"250 ok\r\n")?;
        } else if upper.starts_with("QUIT") {
            reply(&mut input, b"221 bye\r\n")?;
            return Ok(());
        } else {
            reply(&mut input, b"500 unknown command\r\n")?;
        }
    }
}

// ---------------------------------------------------------------- certificates

/// A test CA and a server certificate for `localhost` signed by it, made at test time.
struct TestPki {
    /// The CA certificate, PEM (what `smtp_ca_file` holds).
    ca_pem: String,
    /// The server's TLS configuration (leaf + key).
    server: Arc<rustls::ServerConfig>,
}

fn test_pki() -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "yuqing test ca");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    TestPki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}

// ---------------------------------------------------------------- fixtures

const THEMES: &str = r#"
version = 1
[[section]]
id = "s1"
number = 1
name = "服务质量"
[[section]]
id = "s2"
number = 2
name = "安全生产"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "快递服务投诉"
any = ["投诉"]
[[item]]
id = "s2.i2"
section = "s2"
number = 2
name = "寄递安全"
any = ["安全"]
"#;

fn now() -> DateTime<Utc> {
    // 2026-11-30 09:00 Beijing.
    Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap()
}

/// (label, score, evidence as (text, weight)).
type ModelSentiment = (SentimentLabel, f32, &'static [(&'static str, f32)]);

struct Fx {
    title: &'static str,
    url: &'static str,
    tier: Tier,
    sentiment: Option<ModelSentiment>,
    themes: &'static [&'static str],
    /// Index of the story head in the fixture list (None: own story).
    cluster_of: Option<usize>,
    hours_ago: i64,
}

const FIXTURES: &[Fx] = &[
    // 0: story A head, 2 reprints (1, 2), theme s1.i1.
    Fx {
        title: "多地快递网点停摆 用户投诉激增",
        url: "https://news.example.com/a/1.html",
        tier: Tier::Central,
        sentiment: Some((SentimentLabel::Negative, -0.6, &[("投诉激增", -0.4)])),
        themes: &["s1", "s1.i1"],
        cluster_of: None,
        hours_ago: 5,
    },
    Fx {
        title: "快递网点停摆 投诉激增（转载）",
        url: "https://news.example.org/b/2.html",
        tier: Tier::Commercial,
        sentiment: Some((
            SentimentLabel::Negative,
            -0.9,
            &[("停摆", -0.7), ("投诉", -0.3)],
        )),
        themes: &["s1", "s1.i1"],
        cluster_of: Some(0),
        hours_ago: 4,
    },
    Fx {
        title: "快递网点停摆（再转）",
        url: "https://news.example.net/c/3.html",
        tier: Tier::SelfMedia,
        sentiment: Some((SentimentLabel::Neutral, 0.0, &[])),
        themes: &[],
        cluster_of: Some(0),
        hours_ago: 3,
    },
    // 3: story B, theme s2.i2.
    Fx {
        title: "寄递安全隐患 <b>曝光</b> & 整改",
        url: "https://prov.example.com/d/4.html",
        tier: Tier::Provincial,
        sentiment: Some((SentimentLabel::Negative, -0.5, &[("隐患", -0.5)])),
        themes: &["s2", "s2.i2"],
        cluster_of: None,
        hours_ago: 6,
    },
    // 4: story C, no theme, a title that tries header injection.
    Fx {
        title: "虚假签收\r\nBcc: x@y\r\nSubject: hacked",
        url: "https://self.example.com/e/5.html",
        tier: Tier::SelfMedia,
        sentiment: Some((SentimentLabel::Negative, -0.7, &[("虚假签收", -0.6)])),
        themes: &[],
        cluster_of: None,
        hours_ago: 2,
    },
    // 5: positive, never sent.
    Fx {
        title: "快递服务满意度创新高",
        url: "https://news.example.com/f/6.html",
        tier: Tier::Industry,
        sentiment: Some((SentimentLabel::Positive, 0.8, &[("满意", 0.5)])),
        themes: &["s1", "s1.i1"],
        cluster_of: None,
        hours_ago: 2,
    },
    // 6: negative but above the -0.3 threshold, never sent.
    Fx {
        title: "部分网点略有延误",
        url: "https://news.example.com/g/7.html",
        tier: Tier::Industry,
        sentiment: Some((SentimentLabel::Negative, -0.2, &[("延误", -0.2)])),
        themes: &[],
        cluster_of: None,
        hours_ago: 2,
    },
    // 7: fetched 3 days ago: outside the first digest's window.
    Fx {
        title: "旧闻：快递投诉",
        url: "https://news.example.com/h/8.html",
        tier: Tier::Industry,
        sentiment: Some((SentimentLabel::Negative, -0.9, &[("投诉", -0.9)])),
        themes: &["s1", "s1.i1"],
        cluster_of: None,
        hours_ago: 72,
    },
];

/// Story ids expected in a first digest with subscription "all" and threshold 0.3.
fn expected_all() -> Vec<ArticleId> {
    let mut ids: Vec<ArticleId> = [0, 3, 4].iter().map(|&i| id_of(i)).collect();
    ids.sort();
    ids
}

fn id_of(i: usize) -> ArticleId {
    ArticleId::from_canonical_url(FIXTURES[i].url)
}

fn article(fx: &Fx, at: DateTime<Utc>) -> Article {
    Article {
        id: ArticleId::from_canonical_url(fx.url),
        source: format!("src-{}", &fx.url[8..12]),
        tier: fx.tier,
        url: fx.url.into(),
        canonical_url: fx.url.into(),
        site: "示例网".into(),
        title: fx.title.into(),
        author: None,
        editor: None,
        published_at: Some(at - TimeDelta::minutes(30)),
        date_source: DateSource::Meta,
        body: "正文".into(),
        fetched_at: at,
    }
}

fn analysis(fx: &Fx, own: &ArticleId) -> Analysis {
    Analysis {
        themes: fx
            .themes
            .iter()
            .map(|t| ThemeMatch {
                theme: (*t).into(),
                score: 2.0,
                hits: vec![TermHit {
                    term: "投诉".into(),
                    count: 1,
                    field: HitField::Title,
                }],
            })
            .collect(),
        sentiment: fx.sentiment.map(|(label, score, ev)| Sentiment {
            label,
            score,
            evidence: ev
                .iter()
                .map(|(t, w)| Evidence {
                    text: (*t).into(),
                    weight: *w,
                })
                .collect(),
        }),
        fingerprint: Some(1),
        cluster: Some(fx.cluster_of.map_or_else(|| own.clone(), id_of)),
    }
}

/// Stores fixtures `which` (fetched `hours_ago` before `base`) into `store`.
fn fill(store: &Store, which: &[usize], base: DateTime<Utc>) {
    for &i in which {
        let fx = &FIXTURES[i];
        let a = article(fx, base - TimeDelta::hours(fx.hours_ago));
        let an = analysis(fx, &a.id);
        store.upsert_analyzed([(&a, &an)]).unwrap();
    }
}

fn themes() -> ThemeSet {
    ThemeSet::from_toml_str(THEMES, "themes.toml").unwrap()
}

fn wang() -> Recipient {
    Recipient {
        name: "王科长".into(),
        email: "Wang@Example.com".into(),
        themes: vec![],
        min_negative_score: 0.3,
    }
}

fn parse(data: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(data)
        .expect("a parsable message")
}

/// Story ids named in a received message's plain text, via the URLs of their
/// representative articles (any member of a story may represent it).
fn stories_in(text: &str) -> Vec<ArticleId> {
    let mut ids: Vec<ArticleId> = FIXTURES
        .iter()
        .enumerate()
        .filter(|(_, fx)| text.contains(&format!("链接：{}", fx.url)))
        .map(|(i, fx)| id_of(fx.cluster_of.unwrap_or(i)))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

// ---------------------------------------------------------------- tests

#[test]
fn digest_reaches_smtp_server_once_with_both_parts_and_safe_headers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4, 5, 6, 7], now());
    let server = SmtpServer::start();
    let settings = server.settings(&dir.path().join("outbox"));

    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(report.digests.len(), 1);
    assert_eq!(
        report.digests[0].outcome,
        Outcome::Sent(format!("127.0.0.1:{}", server.addr.port()))
    );
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.mail_from, "<yuqing@example.com>");
    // The address as configured; deliveries are keyed by its lowercase form.
    assert_eq!(m.rcpt_to, vec!["<Wang@Example.com>".to_string()]);
    assert!(
        m.auth
            .as_deref()
            .is_some_and(|a| a.starts_with("AUTH PLAIN")),
        "{:?}",
        m.auth
    );

    // Headers: no header comes from a title; the injection attempt stays in the body.
    let raw = String::from_utf8_lossy(&m.data);
    let header_block = raw.split("\r\n\r\n").next().unwrap();
    assert!(
        !header_block.to_ascii_lowercase().contains("bcc"),
        "{header_block}"
    );
    assert!(!header_block.contains("hacked"), "{header_block}");
    assert!(
        header_block.contains("multipart/alternative"),
        "{header_block}"
    );
    let msg = parse(&m.data);
    assert!(msg.bcc().is_none());
    assert_eq!(msg.subject(), Some("【舆情预警】2026-11-30 负面报道 3 条"));
    assert_eq!(
        msg.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("Wang@Example.com")
    );
    assert_eq!(
        msg.to().and_then(|a| a.first()).and_then(|a| a.name()),
        Some("王科长")
    );
    let expected_id = message_id("wang@example.com", &expected_all());
    assert_eq!(format!("<{}>", msg.message_id().unwrap()), expected_id);

    // The plain part: groups in plan order, the stories, counts, evidence, Beijing time.
    let text = msg.body_text(0).unwrap().into_owned();
    assert_eq!(stories_in(&text), expected_all());
    let a = text
        .find("【一、服务质量 · 1．快递服务投诉】（1 条）")
        .expect(&text);
    let b = text
        .find("【二、安全生产 · 2．寄递安全】（1 条）")
        .expect(&text);
    let c = text.find("【未归类】（1 条）").expect(&text);
    assert!(a < b && b < c, "{text}");
    // Story A: 3 articles; ONE article describes it, the most negative reprint (fixture 1):
    // its title, link, tier, time, score and evidence, never the head's (issue 5: an entry
    // showed one member's title with another's score and evidence words).
    let story_a = &text[a..b];
    assert!(
        story_a.contains("1. 快递网点停摆 投诉激增（转载）"),
        "{story_a}"
    );
    assert!(!story_a.contains("多地快递网点停摆"), "{story_a}");
    assert!(
        story_a.contains("链接：https://news.example.org/b/2.html"),
        "{story_a}"
    );
    assert!(!story_a.contains("news.example.com/a/1.html"), "{story_a}");
    assert!(story_a.contains("共 3 篇（转载 2 篇）"), "{story_a}");
    assert!(story_a.contains("情感得分 -0.90"), "{story_a}");
    assert!(
        story_a.contains("停摆（-0.70）、投诉（-0.30）"),
        "{story_a}"
    );
    assert!(!story_a.contains("投诉激增（-0.40）"), "{story_a}");
    // Fetched 4 h before 09:00 Beijing, published 30 min before that.
    assert!(
        story_a.contains(&format!(
            "{}  2026-11-30 04:30",
            Tier::Commercial.label_zh()
        )),
        "{story_a}"
    );
    // The injection title is on one line in the body.
    assert!(
        text.contains("虚假签收  Bcc: x@y  Subject: hacked"),
        "{text}"
    );
    for absent in ["满意度创新高", "略有延误", "旧闻"] {
        assert!(!text.contains(absent), "{absent} in {text}");
    }

    // The HTML part: same stories, escaped.
    let html = msg.body_html(0).unwrap().into_owned();
    assert!(
        html.contains("寄递安全隐患 &lt;b&gt;曝光&lt;/b&gt; &amp; 整改"),
        "{html}"
    );
    assert!(!html.contains("<b>曝光</b>"));
    assert!(
        html.contains(
            "<a href=\"https://news.example.org/b/2.html\">快递网点停摆 投诉激增（转载）</a>"
        ),
        "{html}"
    );
    assert!(html.contains("共 3 篇（转载 2 篇）"));
    assert!(html.contains("停摆（-0.70）"));

    // Recorded as sent: a second run sends nothing, also an hour later.
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
    let again = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert!(again.digests.is_empty());
    let later = run(
        &store,
        &themes(),
        &settings,
        &[wang()],
        now() + TimeDelta::hours(1),
        false,
    )
    .unwrap();
    assert!(later.digests.is_empty());
    assert_eq!(server.messages().len(), 1);

    // A new reprint of story A does not make it new; a new story does.
    let new_at = now() + TimeDelta::hours(2);
    let reprint = article(
        &Fx {
            url: "https://x.example.com/zz/9.html",
            ..FIXTURES[1]
        },
        new_at,
    );
    store
        .upsert_analyzed([(&reprint, &analysis(&FIXTURES[1], &reprint.id))])
        .unwrap();
    let fresh = Fx {
        url: "https://x.example.com/yy/10.html",
        title: "新的负面报道：安全事故",
        cluster_of: None,
        ..FIXTURES[3]
    };
    let fresh_article = article(&fresh, new_at);
    store
        .upsert_analyzed([(&fresh_article, &analysis(&fresh, &fresh_article.id))])
        .unwrap();
    let third = run(&store, &themes(), &settings, &[wang()], new_at, false).unwrap();
    assert_eq!(third.digests.len(), 1);
    assert_eq!(
        third.digests[0].digest.story_ids(),
        vec![fresh_article.id.clone()]
    );
    let got = server.messages();
    assert_eq!(got.len(), 2);
    let msg = parse(&got[1].data);
    assert_eq!(msg.subject(), Some("【舆情预警】2026-11-30 负面报道 1 条"));
    assert!(msg.body_text(0).unwrap().contains("新的负面报道：安全事故"));
}

#[test]
fn subscriptions_and_thresholds_filter_per_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4, 5, 6, 7], now());
    let server = SmtpServer::start();
    let settings = server.settings(&dir.path().join("outbox"));
    let li = Recipient {
        name: "李处".into(),
        email: "li@example.com".into(),
        themes: vec!["s2".into()],
        min_negative_score: 0.3,
    };
    let zhao = Recipient {
        name: "赵".into(),
        email: "zhao@example.com".into(),
        themes: vec!["s1.i1".into()],
        min_negative_score: 0.95,
    };
    let strict = Recipient {
        name: "钱".into(),
        email: "qian@example.com".into(),
        themes: vec![],
        min_negative_score: 0.65,
    };
    let report = run(
        &store,
        &themes(),
        &settings,
        &[li, zhao, strict],
        now(),
        false,
    )
    .unwrap();
    // zhao: story A's worst score is -0.9 > -0.95, nothing to send.
    assert_eq!(report.digests.len(), 2);
    let got = server.messages();
    assert_eq!(got.len(), 2);
    let li_msg = got
        .iter()
        .find(|m| m.rcpt_to == ["<li@example.com>"])
        .unwrap();
    let text = parse(&li_msg.data).body_text(0).unwrap().into_owned();
    assert_eq!(stories_in(&text), vec![id_of(3)]);
    assert!(!text.contains("未归类"), "{text}");
    let qian = got
        .iter()
        .find(|m| m.rcpt_to == ["<qian@example.com>"])
        .unwrap();
    let text = parse(&qian.data).body_text(0).unwrap().into_owned();
    let mut want = vec![id_of(0), id_of(4)];
    want.sort();
    assert_eq!(stories_in(&text), want);
}

#[test]
fn smtp_failure_leaves_stories_pending_and_next_run_sends_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4], now());
    let server = SmtpServer::start();
    let settings = server.settings(&dir.path().join("outbox"));
    server.fail_data.store(true, Ordering::SeqCst);

    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(report.failures().count(), 1);
    let Outcome::Failed(why) = &report.digests[0].outcome else {
        panic!("{:?}", report.digests[0].outcome)
    };
    assert!(why.contains("451") && why.contains("127.0.0.1"), "{why}");
    let failed_id = report.digests[0].digest.message_id.clone();
    let pending = store.pending_deliveries("wang@example.com").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id, failed_id);
    assert_eq!(pending[0].stories, expected_all());
    assert!(server.messages().is_empty());

    // Still failing: reported again, nothing new is built meanwhile.
    let report = run(
        &store,
        &themes(),
        &settings,
        &[wang()],
        now() + TimeDelta::hours(1),
        false,
    )
    .unwrap();
    assert_eq!(report.digests.len(), 1);
    assert!(report.digests[0].digest.resend);
    assert_eq!(report.failures().count(), 1);

    server.fail_data.store(false, Ordering::SeqCst);
    let report = run(
        &store,
        &themes(),
        &settings,
        &[wang()],
        now() + TimeDelta::hours(2),
        false,
    )
    .unwrap();
    assert_eq!(report.digests.len(), 1);
    assert!(report.digests[0].digest.resend);
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let msg = parse(&got[0].data);
    assert_eq!(format!("<{}>", msg.message_id().unwrap()), failed_id);
    // The resend keeps the subject of the original (its date and count).
    assert_eq!(msg.subject(), Some("【舆情预警】2026-11-30 负面报道 3 条"));
    assert_eq!(stories_in(&msg.body_text(0).unwrap()), expected_all());
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
    assert!(
        run(
            &store,
            &themes(),
            &settings,
            &[wang()],
            now() + TimeDelta::hours(3),
            false
        )
        .unwrap()
        .digests
        .is_empty()
    );
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn dry_run_records_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4], now());
    let server = SmtpServer::start();
    let settings = server.settings(&dir.path().join("outbox"));
    for _ in 0..2 {
        let report = run(&store, &themes(), &settings, &[wang()], now(), true).unwrap();
        assert_eq!(report.digests.len(), 1);
        assert_eq!(report.digests[0].outcome, Outcome::DryRun);
        assert_eq!(report.digests[0].digest.story_ids(), expected_all());
    }
    assert!(server.messages().is_empty());
    assert_eq!(store.last_digest_at("wang@example.com").unwrap(), None);
    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(report.digests.len(), 1);
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn without_smtp_the_digest_is_written_to_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4], now());
    let outbox = dir.path().join("data/outbox");
    let settings = MailSettings {
        smtp: None,
        from: "舆情监测 <yuqing@example.com>".parse().unwrap(),
        outbox_dir: outbox.clone(),
        max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
    };
    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    let path = outbox.join("20261130T010000Z-wang@example.com.eml");
    assert_eq!(report.digests[0].outcome, Outcome::Written(path.clone()));
    let bytes = std::fs::read(&path).unwrap();
    let msg = parse(&bytes);
    assert_eq!(msg.subject(), Some("【舆情预警】2026-11-30 负面报道 3 条"));
    assert_eq!(stories_in(&msg.body_text(0).unwrap()), expected_all());
    assert!(msg.body_html(0).unwrap().contains("未归类"));
    assert!(
        run(&store, &themes(), &settings, &[wang()], now(), false)
            .unwrap()
            .digests
            .is_empty()
    );
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 1);
}

/// The trial's failure: a crawl found a 2019 article today, and the first digest of a new
/// recipient mailed it as a new 预警. With the default age limit (7 days) it is skipped and
/// not recorded; with 0 (no limit) it is sent.
#[test]
fn stories_older_than_the_age_limit_are_never_mailed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[4], now());
    // Fetched an hour ago, published 2019-06-03: story time = publish time.
    let url = "https://old.example.com/2019/0603/x.html";
    let old = Article {
        id: ArticleId::from_canonical_url(url),
        url: url.into(),
        canonical_url: url.into(),
        title: "2019年快递员讨薪事件".into(),
        published_at: Some(Utc.with_ymd_and_hms(2019, 6, 3, 2, 0, 0).unwrap()),
        ..article(&FIXTURES[4], now() - TimeDelta::hours(1))
    };
    let an = analysis(&FIXTURES[4], &old.id);
    store.upsert_analyzed([(&old, &an)]).unwrap();
    // Published 8 days ago (over the limit) and 6 days ago (within it), fetched now.
    let mut ids = vec![id_of(4)];
    let mut skipped = vec![old.id.clone()];
    for (days, path) in [(8, "/8d.html"), (6, "/6d.html")] {
        let url = format!("https://old.example.com{path}");
        let a = Article {
            id: ArticleId::from_canonical_url(&url),
            url: url.clone(),
            canonical_url: url,
            title: format!("{days}天前的投诉"),
            published_at: Some(now() - TimeDelta::days(days)),
            ..article(&FIXTURES[4], now() - TimeDelta::hours(1))
        };
        if days == 6 {
            ids.push(a.id.clone());
        } else {
            skipped.push(a.id.clone());
        }
        store
            .upsert_analyzed([(&a, &analysis(&FIXTURES[4], &a.id))])
            .unwrap();
    }
    ids.sort();
    let outbox = dir.path().join("outbox");
    let mut settings = MailSettings {
        smtp: None,
        from: "舆情监测 <yuqing@example.com>".parse().unwrap(),
        outbox_dir: outbox.clone(),
        max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
    };
    assert_eq!(settings.max_story_age_days, 7);
    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(report.digests.len(), 1);
    let text = &report.digests[0].digest.text;
    assert!(!text.contains("2019年快递员讨薪事件"), "{text}");
    assert!(
        !text.contains("8天前的投诉") && text.contains("6天前的投诉"),
        "{text}"
    );
    let mut got = report.digests[0].digest.story_ids();
    got.sort();
    assert_eq!(got, ids);
    // Not recorded either: nothing stays pending, and without the limit it would go out.
    assert_eq!(
        store
            .undelivered("wang@example.com", &skipped)
            .unwrap()
            .len(),
        2
    );
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
    settings.max_story_age_days = 0;
    let report = run(&store, &themes(), &settings, &[wang()], now(), true).unwrap();
    let text = &report.digests[0].digest.text;
    assert!(text.contains("2019年快递员讨薪事件"), "{text}");
    let mut got = report.digests[0].digest.story_ids();
    got.sort();
    skipped.sort();
    assert_eq!(got, skipped);
}

#[test]
fn plain_smtp_is_refused_off_loopback_and_bad_addresses_are_named() {
    let store = Store::open_in_memory().unwrap();
    let mut settings = SmtpServer::start().settings(Path::new("outbox"));
    if let Some(smtp) = settings.smtp.as_mut() {
        smtp.host = "mail.example.com".into();
    }
    let err = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap_err();
    assert!(
        matches!(err, AlertError::PlainNotLoopback { ref host } if host == "mail.example.com"),
        "{err}"
    );
    let bad = Recipient {
        email: "not an address".into(),
        ..wang()
    };
    let err = run(&store, &themes(), &settings, &[bad], now(), false).unwrap_err();
    assert!(err.to_string().contains("not an address"), "{err}");
    assert!(format!("{:?}", settings.smtp).contains("***"));
    assert!(!format!("{:?}", settings.smtp).contains("s3cret"));
}

/// Env var that makes [`crash_child`] run the sender and abort right after the send.
const CRASH_ENV: &str = "YUQING_ALERT_TEST_CRASH_CHILD";

/// The child half of the crash test: does nothing unless `CRASH_ENV` is `<db>|<port>`.
#[test]
fn crash_child() {
    let Ok(spec) = std::env::var(CRASH_ENV) else {
        return;
    };
    let (db, port) = spec.rsplit_once('|').unwrap();
    let store = Store::open(Path::new(db)).unwrap();
    let mut settings = SmtpServer::start().settings(Path::new("outbox"));
    if let Some(smtp) = settings.smtp.as_mut() {
        smtp.port = port.parse().unwrap();
    }
    let _ = run_with_hook(
        &store,
        &themes(),
        &settings,
        &[wang()],
        now(),
        false,
        &mut |_| {
            // The server has accepted the message; the record says pending.
            std::process::abort();
        },
    );
    unreachable!("the hook aborts");
}

#[test]
fn crash_between_send_and_record_loses_nothing_and_duplicates_share_the_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("y.sqlite3");
    {
        let store = Store::open(&db).unwrap();
        fill(&store, &[0, 1, 2, 3, 4], now());
    }
    let server = SmtpServer::start();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(
            CRASH_ENV,
            format!("{}|{}", db.display(), server.addr.port()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child must have aborted");
    let first = server.messages();
    assert_eq!(first.len(), 1, "the child sent before crashing");

    let store = Store::open(&db).unwrap();
    let pending = store.pending_deliveries("wang@example.com").unwrap();
    assert_eq!(pending.len(), 1, "the crash left the digest pending");

    let settings = server.settings(&dir.path().join("outbox"));
    let report = run(
        &store,
        &themes(),
        &settings,
        &[wang()],
        now() + TimeDelta::hours(1),
        false,
    )
    .unwrap();
    assert_eq!(report.digests.len(), 1);
    assert!(report.digests[0].digest.resend);
    let got = server.messages();
    assert_eq!(got.len(), 2);
    // No story lost: every expected story arrived; every story that arrived twice arrived
    // under one Message-ID.
    let mut by_story: std::collections::BTreeMap<ArticleId, Vec<String>> = Default::default();
    for m in &got {
        let msg = parse(&m.data);
        let id = msg.message_id().unwrap().to_string();
        for s in stories_in(&msg.body_text(0).unwrap()) {
            by_story.entry(s).or_default().push(id.clone());
        }
    }
    assert_eq!(by_story.keys().cloned().collect::<Vec<_>>(), expected_all());
    for (story, ids) in &by_story {
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{story}: {ids:?}");
    }
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
    assert!(
        run(
            &store,
            &themes(),
            &settings,
            &[wang()],
            now() + TimeDelta::hours(2),
            false
        )
        .unwrap()
        .digests
        .is_empty()
    );
    assert_eq!(server.messages().len(), 2);
}

#[test]
fn analyst_corrections_override_the_model_label() {
    let store = Store::open_in_memory().unwrap();
    fill(&store, &[0, 1, 2, 5], now());
    // Story A's head and its negative reprint corrected to neutral; the self-media reprint is
    // neutral already: story A is no longer negative. The positive story is corrected to
    // negative: it is sent with the pole score -1.
    let at = now() - TimeDelta::minutes(10);
    store
        .record_correction(&id_of(0), SentimentLabel::Neutral, "wang", at)
        .unwrap();
    store
        .record_correction(&id_of(1), SentimentLabel::Neutral, "wang", at)
        .unwrap();
    store
        .record_correction(&id_of(5), SentimentLabel::Negative, "wang", at)
        .unwrap();
    let settings = MailSettings {
        smtp: None,
        from: "yuqing@example.com".parse().unwrap(),
        outbox_dir: "unused".into(),
        max_story_age_days: yuqing_alert::DEFAULT_MAX_STORY_AGE_DAYS,
    };
    let report = run(&store, &themes(), &settings, &[wang()], now(), true).unwrap();
    assert_eq!(report.digests.len(), 1);
    let digest = &report.digests[0].digest;
    assert_eq!(digest.story_ids(), vec![id_of(5)]);
    let story = &digest.groups[0].stories[0];
    assert_eq!((story.label, story.score), (SentimentLabel::Negative, -1.0));
    // The model's evidence is kept: what it saw.
    assert_eq!(story.evidence[0].text, "满意");
    assert!(story.corrected);
    assert_eq!(digest.groups[0].heading, "一、服务质量 · 1．快递服务投诉");
    // The mail says the label is an analyst's, not that 满意 made it negative.
    let text = &digest.text;
    assert!(text.contains("依据：分析员人工判定为负面\n"), "{text}");
    assert!(!text.contains("满意（"), "{text}");
    assert!(
        digest.html.contains("依据：分析员人工判定为负面<br>"),
        "{}",
        digest.html
    );
}

#[test]
fn message_ids_depend_on_recipient_and_story_set_only() {
    let (a, b) = (id_of(0), id_of(3));
    let ab = message_id("wang@example.com", &[a.clone(), b.clone()]);
    assert_eq!(ab, message_id("wang@example.com", &[b.clone(), a.clone()]));
    assert_ne!(ab, message_id("li@example.com", &[a.clone(), b.clone()]));
    assert_ne!(ab, message_id("wang@example.com", std::slice::from_ref(&a)));
    assert!(
        ab.starts_with('<') && ab.ends_with("@yuqing.alert>") && ab.len() == 47,
        "{ab}"
    );
}

#[test]
fn a_racing_second_record_of_a_story_fails_and_records_nothing() {
    let store = Store::open_in_memory().unwrap();
    let (a, b) = (id_of(0), id_of(3));
    store
        .record_pending(
            "wang@example.com",
            "<m1@yuqing.alert>",
            std::slice::from_ref(&a),
            now(),
        )
        .unwrap();
    let err = store
        .record_pending(
            "wang@example.com",
            "<m2@yuqing.alert>",
            &[b.clone(), a.clone()],
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains(a.as_str()), "{err}");
    let pending = store.pending_deliveries("wang@example.com").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].stories, vec![a.clone()]);
    assert_eq!(
        store
            .undelivered("wang@example.com", &[a.clone(), b.clone()])
            .unwrap(),
        vec![b]
    );
    assert_eq!(
        store
            .mark_sent("wang@example.com", "<m1@yuqing.alert>", now())
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .mark_sent("wang@example.com", "<m1@yuqing.alert>", now())
            .unwrap(),
        0
    );
    assert_eq!(
        store.last_digest_at("wang@example.com").unwrap(),
        Some(now())
    );
}

#[test]
fn starttls_required_never_falls_back_to_plain_text() {
    let store = Store::open_in_memory().unwrap();
    fill(&store, &[3], now());
    // The test server does not offer STARTTLS: the send must fail, not go out in clear.
    let server = SmtpServer::start();
    let mut settings = server.settings(Path::new("unused"));
    if let Some(smtp) = settings.smtp.as_mut() {
        smtp.tls = TlsMode::Starttls;
    }
    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(report.failures().count(), 1);
    let Outcome::Failed(why) = &report.digests[0].outcome else {
        panic!("{:?}", report.digests[0].outcome)
    };
    assert!(why.contains("STARTTLS is not supported"), "{why}");
    // Neither the credentials nor the message went out in clear.
    assert!(server.auths().is_empty());
    assert!(server.messages().is_empty());
    assert_eq!(
        store.pending_deliveries("wang@example.com").unwrap()[0].stories,
        vec![id_of(3)]
    );
}

// ---------------------------------------------------------------- TLS

/// Settings for a TLS server on `localhost` (the name in its certificate), trusting the
/// CA written to `<dir>/ca.pem` when `ca_pem` is given.
fn tls_settings(
    server: &SmtpServer,
    tls: TlsMode,
    dir: &Path,
    ca_pem: Option<&str>,
) -> MailSettings {
    let mut settings = server.settings(&dir.join("outbox"));
    let ca_file = ca_pem.map(|pem| {
        let path = dir.join("ca.pem");
        std::fs::write(&path, pem).unwrap();
        path
    });
    if let Some(smtp) = settings.smtp.as_mut() {
        smtp.host = "localhost".into();
        smtp.tls = tls;
        smtp.ca_file = ca_file;
    }
    settings
}

#[test]
fn starttls_with_the_configured_ca_authenticates_after_tls_and_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[0, 1, 2, 3, 4], now());
    let pki = test_pki();
    let server = SmtpServer::start_with(ServerOptions {
        security: Security::Starttls(pki.server.clone()),
        ..ServerOptions::default()
    });
    let settings = tls_settings(&server, TlsMode::Starttls, dir.path(), Some(&pki.ca_pem));

    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(
        report.digests[0].outcome,
        Outcome::Sent(format!("localhost:{}", server.addr.port()))
    );
    // AUTH PLAIN came once, inside TLS, with the configured user and password.
    assert_eq!(
        server.auths(),
        vec![AuthSeen {
            mechanism: "PLAIN".into(),
            user: "alert".into(),
            password: "s3cret".into(),
            tls: true,
            accepted: true,
        }]
    );
    let got = server.messages();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls, "the message went over TLS");
    assert_eq!(got[0].rcpt_to, vec!["<Wang@Example.com>".to_string()]);
    let msg = parse(&got[0].data);
    assert_eq!(msg.subject(), Some("【舆情预警】2026-11-30 负面报道 3 条"));
    assert_eq!(stories_in(&msg.body_text(0).unwrap()), expected_all());
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn implicit_tls_with_auth_login_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[3], now());
    let pki = test_pki();
    let server = SmtpServer::start_with(ServerOptions {
        security: Security::Implicit(pki.server.clone()),
        mechanisms: "LOGIN",
        ..ServerOptions::default()
    });
    let settings = tls_settings(&server, TlsMode::Implicit, dir.path(), Some(&pki.ca_pem));

    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    assert_eq!(
        report.failures().count(),
        0,
        "{:?}",
        report.digests[0].outcome
    );
    let auths = server.auths();
    assert_eq!(auths.len(), 1);
    assert_eq!(
        (
            auths[0].mechanism.as_str(),
            auths[0].user.as_str(),
            auths[0].password.as_str()
        ),
        ("LOGIN", "alert", "s3cret")
    );
    assert!(auths[0].tls && auths[0].accepted);
    let got = server.messages();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls);
    assert_eq!(
        stories_in(&parse(&got[0].data).body_text(0).unwrap()),
        vec![id_of(3)]
    );
}

#[test]
fn an_untrusted_certificate_fails_clearly_and_leaves_the_stories_pending() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[3], now());
    let pki = test_pki();
    let other_ca = test_pki().ca_pem;
    for (security, tls) in [
        (Security::Starttls(pki.server.clone()), TlsMode::Starttls),
        (Security::Implicit(pki.server.clone()), TlsMode::Implicit),
    ] {
        let server = SmtpServer::start_with(ServerOptions {
            security,
            ..ServerOptions::default()
        });
        // Trusting another CA, and trusting only the system roots: both refuse.
        for ca in [Some(other_ca.as_str()), None] {
            let settings = tls_settings(&server, tls, dir.path(), ca);
            let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
            assert_eq!(report.digests.len(), 1);
            let Outcome::Failed(why) = &report.digests[0].outcome else {
                panic!("{tls:?} {ca:?}: {:?}", report.digests[0].outcome)
            };
            assert!(
                why.starts_with(&format!("smtp localhost:{}: ", server.addr.port())),
                "{why}"
            );
            assert!(why.contains("invalid peer certificate"), "{why}");
            assert!(why.contains("smtp_ca_file"), "{why}");
            assert!(
                server.auths().is_empty(),
                "no AUTH before a trusted TLS session"
            );
            assert!(server.messages().is_empty());
            assert_eq!(
                store.pending_deliveries("wang@example.com").unwrap()[0].stories,
                vec![id_of(3)]
            );
        }
    }
}

#[test]
fn wrong_credentials_are_refused_and_the_stories_stay_pending() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("y.sqlite3")).unwrap();
    fill(&store, &[3], now());
    let pki = test_pki();
    let server = SmtpServer::start_with(ServerOptions {
        security: Security::Starttls(pki.server.clone()),
        password: "another",
        ..ServerOptions::default()
    });
    let settings = tls_settings(&server, TlsMode::Starttls, dir.path(), Some(&pki.ca_pem));
    let report = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap();
    let Outcome::Failed(why) = &report.digests[0].outcome else {
        panic!("{:?}", report.digests[0].outcome)
    };
    assert!(why.contains("535"), "{why}");
    let auths = server.auths();
    assert!(
        !auths.is_empty() && auths.iter().all(|a| a.tls && !a.accepted),
        "{auths:?}"
    );
    assert!(server.messages().is_empty());
    assert_eq!(
        store.pending_deliveries("wang@example.com").unwrap()[0].stories,
        vec![id_of(3)]
    );
}

#[test]
fn a_missing_or_empty_ca_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_memory().unwrap();
    fill(&store, &[3], now());
    let server = SmtpServer::start();
    let mut settings = tls_settings(&server, TlsMode::Starttls, dir.path(), None);
    let missing = dir.path().join("no-such-ca.pem");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "# not a certificate\n").unwrap();
    for path in [missing, empty] {
        if let Some(smtp) = settings.smtp.as_mut() {
            smtp.ca_file = Some(path.clone());
        }
        let err = run(&store, &themes(), &settings, &[wang()], now(), false).unwrap_err();
        assert!(
            matches!(&err, AlertError::CaFile { path: p, .. } if *p == path),
            "{err}"
        );
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
    // Nothing was recorded: the run stopped before any digest.
    assert!(
        store
            .pending_deliveries("wang@example.com")
            .unwrap()
            .is_empty()
    );
    assert!(server.messages().is_empty());
}
