//! The polite HTTP client: robots.txt, per-host rate limit, global concurrency, conditional GET,
//! retries with exponential backoff and a streamed body cap.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;
use yuqing_model::{FetchSettings, Validators};

use crate::decode::{Decoded, decode};

/// Largest robots.txt body read, bytes (RFC 9309 §2.5 asks crawlers to parse at least 500 KiB).
pub const ROBOTS_MAX_BYTES: u64 = 512 * 1024;

/// Why a fetch failed. Every variant names the URL involved.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL does not parse, is not `http`/`https`, or has no host.
    #[error("invalid url {url}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The site's robots.txt disallows this URL for our user agent (it was not requested).
    #[error("robots.txt disallows {url}")]
    RobotsDisallowed {
        /// The disallowed URL (after any redirects that led to it).
        url: String,
    },
    /// Connecting, or the whole request (headers and body), took longer than the configured
    /// timeouts on the last attempt.
    #[error("timed out fetching {url}")]
    Timeout {
        /// The URL requested.
        url: String,
    },
    /// The server answered with a non-success status (4xx immediately, 5xx after all retries),
    /// or with a redirect lacking a usable `Location`.
    #[error("http status {status} from {url}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body is longer than `max_body_bytes`; reading stopped at the cap.
    #[error("body of {url} exceeds {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap, bytes.
        limit: u64,
    },
    /// More than `max_redirects` redirects (e.g. a redirect loop).
    #[error("too many redirects from {url}")]
    TooManyRedirects {
        /// The URL originally asked for.
        url: String,
    },
    /// Connection, TLS, protocol or body-decoding (gzip/brotli) failure.
    #[error("network error fetching {url}: {message}")]
    Network {
        /// The URL requested.
        url: String,
        /// The underlying error, flattened to text.
        message: String,
        /// True when the host was never reached: its name did not resolve or no connection
        /// could be opened (reqwest's `is_connect`), for this URL or for its robots.txt. False
        /// for failures after a connection (TLS, protocol, body decoding).
        unreachable: bool,
    },
    /// The host's robots.txt could not be read (5xx after retries, a timeout, no connection), so
    /// nothing on the host is requested for the rest of this run (RFC 9309 §2.3.1.4: an
    /// unreachable robots.txt means complete disallow); `url` itself was not requested.
    #[error(
        "{url} not requested: robots.txt {robots_url} could not be read ({reason}); host skipped for this run"
    )]
    RobotsUnavailable {
        /// The URL that was to be fetched.
        url: String,
        /// The host's robots.txt URL.
        robots_url: String,
        /// Why robots.txt could not be read (the status or network error).
        reason: String,
        /// True when the host was never reached (as in [`FetchError::Network`]).
        unreachable: bool,
    },
    /// The HTTP client could not be built from the settings (e.g. a user agent that is not a
    /// valid header value, or a zero rate/concurrency).
    #[error("invalid fetch settings: {message}")]
    Settings {
        /// What is wrong.
        message: String,
    },
}

impl FetchError {
    /// Whether another attempt may succeed: timeouts, connection errors and 5xx. Callers use
    /// it to tell a passing failure (try again next pass) from a lasting one (404, robots.txt).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Network { .. }
            | FetchError::RobotsUnavailable { .. } => true,
            FetchError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// True when the host could not be reached at all (name resolution or connection failed;
    /// see [`FetchError::Network`]), as opposed to an answer the site gave. A run where every
    /// source fails this way is most likely offline.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            FetchError::Network {
                unreachable: true,
                ..
            } | FetchError::RobotsUnavailable {
                unreachable: true,
                ..
            }
        )
    }
}

/// A successful (2xx) response with its whole body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// HTTP status (2xx).
    pub status: u16,
    /// Raw `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Body bytes after gzip/brotli decoding, at most `max_body_bytes`.
    pub body: Bytes,
    /// Validators to remember for the next conditional GET: the response's `ETag` /
    /// `Last-Modified` where present, else the ones sent.
    pub validators: Validators,
    /// When the response arrived, UTC.
    pub fetched_at: DateTime<Utc>,
}

impl Fetched {
    /// Decodes the body to text using the `Content-Type` charset and the body itself; see
    /// [`crate::decode`].
    pub fn decode(&self) -> Decoded {
        decode(&self.body, self.content_type.as_deref())
    }
}

/// What one [`Fetcher::fetch`] produced.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: the page is unchanged since the validators were issued.
    NotModified {
        /// The URL that answered 304, after redirects.
        final_url: String,
        /// Validators to keep: any the 304 carried, else the ones sent.
        validators: Validators,
    },
    /// A 2xx response with its body.
    Fetched(Fetched),
}

/// A host's robots.txt verdict, cached for the life of the [`Fetcher`].
enum RobotsRule {
    /// No robots.txt (4xx) or an unparseable one: everything allowed.
    AllowAll,
    /// robots.txt answered 5xx or was unreachable: nothing allowed for this run. Holds why
    /// (the robots.txt fetch error), so the failure is reported as what it is, and whether the
    /// host was never reached ([`FetchError::is_unreachable`]).
    Unavailable { reason: String, unreachable: bool },
    /// Parsed rules for our agent.
    Rules(texting_robots::Robot),
}

/// What one HTTP exchange produced (before redirects are followed).
enum Exchange {
    Redirect(Url),
    NotModified(Validators),
    Done(Fetched),
}

struct Inner {
    client: reqwest::Client,
    settings: FetchSettings,
    /// Product token matched against robots.txt `User-agent` lines (`Yuqing` of `Yuqing/0.1 (...)`).
    robots_agent: String,
    limiter: DefaultKeyedRateLimiter<String>,
    permits: Semaphore,
    robots: Mutex<HashMap<String, Arc<OnceCell<Arc<RobotsRule>>>>>,
}

/// A polite HTTP fetcher. Cheap to clone (an `Arc` inside); `Send + Sync`.
///
/// Behaviour, from [`FetchSettings`]:
/// - robots.txt (RFC 9309) is fetched once per scheme+host+port and cached for the life of the
///   fetcher: 2xx → rules for our product token (the user agent up to the first `/`); 4xx →
///   allow all; 5xx, timeout or unreachable → disallow all for this run. Disallowed URLs are
///   never requested. `Crawl-delay` is ignored. Skipped when `respect_robots` is false.
/// - every request, robots.txt included, first waits on a per-host rate limiter (keyed by host
///   name, `per_host_rps` requests per second, burst 1), then takes one of `concurrency`
///   global permits, held until the body is read.
/// - redirects are followed by hand (at most `max_redirects`), so every hop is checked against
///   robots.txt and rate-limited too; `timeout_ms` applies to each hop.
/// - timeouts, connection errors and 5xx are retried up to `retries` times after
///   `backoff_ms`, `2 * backoff_ms`, … ; 4xx are never retried.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// Builds the HTTP client (rustls, gzip, brotli, HTTP/2) and the limiters.
    ///
    /// Errors: [`FetchError::Settings`] when the client cannot be built, `per_host_rps` or
    /// `concurrency` is zero.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        let bad = |message: String| FetchError::Settings { message };
        let rps = NonZeroU32::new(settings.per_host_rps)
            .ok_or_else(|| bad("per_host_rps must be at least 1".into()))?;
        if settings.concurrency == 0 {
            return Err(bad("concurrency must be at least 1".into()));
        }
        // One request every 1/rps seconds, no bursts: the politest reading of "n per second".
        let quota = Quota::with_period(Duration::from_secs(1) / rps.get())
            .unwrap_or_else(|| Quota::per_second(rps))
            .allow_burst(NonZeroU32::MIN);
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.as_str())
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(|e| bad(format!("http client: {e}")))?;
        let robots_agent = settings
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or_default()
            .to_string();
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                settings: settings.clone(),
                robots_agent,
                limiter: RateLimiter::keyed(quota),
                permits: Semaphore::new(settings.concurrency),
                robots: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// One polite GET of `url`: robots.txt check, per-host rate limit, global concurrency limit,
    /// `If-None-Match` / `If-Modified-Since` from `validators`, redirects, retries and the body cap.
    ///
    /// Errors: see [`FetchError`]; `url` in an error is the URL of the hop that failed.
    pub async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let mut current = parse_http_url(url)?;
        let mut hops = 0usize;
        loop {
            if self.inner.settings.respect_robots {
                self.robots_check(&current).await?;
            }
            match self
                .exchange_with_retries(url, &current, validators)
                .await?
            {
                Exchange::Redirect(next) => {
                    hops += 1;
                    if hops > self.inner.settings.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: url.to_string(),
                        });
                    }
                    tracing::debug!(from = %current, to = %next, "redirect");
                    current = next;
                }
                Exchange::NotModified(validators) => {
                    return Ok(FetchOutcome::NotModified {
                        final_url: current.to_string(),
                        validators,
                    });
                }
                Exchange::Done(fetched) => return Ok(FetchOutcome::Fetched(fetched)),
            }
        }
    }

    async fn exchange_with_retries(
        &self,
        original: &str,
        url: &Url,
        validators: &Validators,
    ) -> Result<Exchange, FetchError> {
        let mut attempt = 0u32;
        let mut delay = Duration::from_millis(self.inner.settings.backoff_ms);
        loop {
            match self.exchange(original, url, validators).await {
                Err(e) if e.is_transient() && attempt < self.inner.settings.retries => {
                    tracing::debug!(%url, attempt, error = %e, "retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Waits for the host's rate limiter, then for a global permit.
    async fn polite_turn(&self, url: &Url) -> Result<tokio::sync::SemaphorePermit<'_>, FetchError> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.inner.limiter.until_key_ready(&host).await;
        self.inner
            .permits
            .acquire()
            .await
            .map_err(|e| FetchError::Settings {
                message: format!("concurrency semaphore: {e}"),
            })
    }

    /// One request and its body, holding a permit throughout.
    async fn exchange(
        &self,
        original: &str,
        url: &Url,
        validators: &Validators,
    ) -> Result<Exchange, FetchError> {
        let _permit = self.polite_turn(url).await?;
        let mut request = self.inner.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, lm);
        }
        let mut response = request.send().await.map_err(|e| classify(url, e))?;
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let next = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|loc| url.join(loc).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            return match next {
                Some(next) => Ok(Exchange::Redirect(next)),
                None => Err(FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                }),
            };
        }
        let merged = merge_validators(response.headers(), validators);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Exchange::NotModified(merged));
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_capped(&mut response, url, self.inner.settings.max_body_bytes).await?;
        Ok(Exchange::Done(Fetched {
            url: original.to_string(),
            final_url: url.to_string(),
            status: status.as_u16(),
            content_type,
            body,
            validators: merged,
            fetched_at: Utc::now(),
        }))
    }

    /// Whether robots.txt of `url`'s origin allows it, fetching robots.txt on first use:
    /// `RobotsDisallowed` when its rules forbid the URL, `Network` naming the robots.txt
    /// failure when it could not be read (the host is then skipped for this run).
    async fn robots_check(&self, url: &Url) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            // A poisoned lock only means another task panicked mid-insert; the map is still valid.
            let mut map = self
                .inner
                .robots
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(map.entry(origin.clone()).or_default())
        };
        let rule = cell
            .get_or_init(|| async { Arc::new(self.load_robots(&origin).await) })
            .await;
        match rule.as_ref() {
            RobotsRule::AllowAll => Ok(()),
            RobotsRule::Unavailable {
                reason,
                unreachable,
            } => Err(FetchError::RobotsUnavailable {
                url: url.to_string(),
                robots_url: format!("{origin}/robots.txt"),
                reason: reason.clone(),
                unreachable: *unreachable,
            }),
            RobotsRule::Rules(robot) if robot.allowed(url.as_str()) => Ok(()),
            RobotsRule::Rules(_) => Err(FetchError::RobotsDisallowed {
                url: url.to_string(),
            }),
        }
    }

    async fn load_robots(&self, origin: &str) -> RobotsRule {
        let Ok(mut url) = Url::parse(&format!("{origin}/robots.txt")) else {
            return RobotsRule::Unavailable {
                reason: format!("{origin}/robots.txt is not a valid URL"),
                unreachable: false,
            };
        };
        // RFC 9309 §2.3.1.2: follow at least five redirects.
        for _ in 0..=5 {
            let outcome = self.robots_exchange(&url).await;
            match outcome {
                Ok(Exchange::Redirect(next)) => url = next,
                Ok(Exchange::Done(fetched)) => {
                    return match texting_robots::Robot::new(&self.inner.robots_agent, &fetched.body)
                    {
                        Ok(robot) => RobotsRule::Rules(robot),
                        Err(e) => {
                            tracing::warn!(%url, error = %e, "unparseable robots.txt, allowing all");
                            RobotsRule::AllowAll
                        }
                    };
                }
                Ok(Exchange::NotModified(_)) => return RobotsRule::AllowAll,
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                    return RobotsRule::AllowAll;
                }
                Err(FetchError::TooLarge { .. }) => return RobotsRule::AllowAll,
                Err(e) => {
                    tracing::warn!(%url, error = %e, "robots.txt unavailable, disallowing host");
                    // The fetched page's error names its own URL; the robots.txt URL is
                    // implied by the message around this reason.
                    let unreachable = e.is_unreachable();
                    return RobotsRule::Unavailable {
                        reason: match e {
                            FetchError::Network { message, .. } => message,
                            FetchError::Timeout { .. } => "timed out".to_string(),
                            other => other.to_string(),
                        },
                        unreachable,
                    };
                }
            }
        }
        RobotsRule::Unavailable {
            reason: format!("{url}: too many redirects"),
            unreachable: false,
        }
    }

    /// robots.txt request: rate-limited and permit-holding like any other, with retries on 5xx.
    async fn robots_exchange(&self, url: &Url) -> Result<Exchange, FetchError> {
        let empty = Validators::default();
        let mut attempt = 0u32;
        let mut delay = Duration::from_millis(self.inner.settings.backoff_ms);
        loop {
            let result = async {
                let _permit = self.polite_turn(url).await?;
                let mut response = self
                    .inner
                    .client
                    .get(url.clone())
                    .send()
                    .await
                    .map_err(|e| classify(url, e))?;
                let status = response.status();
                if status.is_redirection() {
                    return response
                        .headers()
                        .get(LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|loc| url.join(loc).ok())
                        .map(Exchange::Redirect)
                        .ok_or(FetchError::Status {
                            url: url.to_string(),
                            status: status.as_u16(),
                        });
                }
                if !status.is_success() {
                    return Err(FetchError::Status {
                        url: url.to_string(),
                        status: status.as_u16(),
                    });
                }
                let body = read_capped(&mut response, url, ROBOTS_MAX_BYTES).await?;
                Ok(Exchange::Done(Fetched {
                    url: url.to_string(),
                    final_url: url.to_string(),
                    status: status.as_u16(),
                    content_type: None,
                    body,
                    validators: empty.clone(),
                    fetched_at: Utc::now(),
                }))
            }
            .await;
            match result {
                Err(e) if e.is_transient() && attempt < self.inner.settings.retries => {
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

fn parse_http_url(url: &str) -> Result<Url, FetchError> {
    let invalid = |reason: String| FetchError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let parsed = Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme {} is not http(s)",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".into()));
    }
    Ok(parsed)
}

/// Maps a reqwest error to a [`FetchError`] naming `url`.
fn classify(url: &Url, e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout {
            url: url.to_string(),
        }
    } else {
        // The source chain carries the cause: reqwest's top-level message is often just
        // "error sending request for url (…)", which repeats the URL the error names anyway,
        // so it is left out when there is a cause to show.
        let mut parts: Vec<String> = Vec::new();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        let top = e.to_string();
        let message = if parts.is_empty() || !top.starts_with("error sending request") {
            std::iter::once(top)
                .chain(parts)
                .collect::<Vec<_>>()
                .join(": ")
        } else {
            parts.join(": ")
        };
        FetchError::Network {
            url: url.to_string(),
            message,
            unreachable: e.is_connect(),
        }
    }
}

/// New validators: the response's where present, else the old ones.
fn merge_validators(headers: &HeaderMap, old: &Validators) -> Validators {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    Validators {
        etag: header(ETAG).or_else(|| old.etag.clone()),
        last_modified: header(LAST_MODIFIED).or_else(|| old.last_modified.clone()),
    }
}

/// Reads the body chunk by chunk, failing with `TooLarge` as soon as it would pass `limit`
/// (so at most `limit` bytes plus one network chunk are ever held).
async fn read_capped(
    response: &mut reqwest::Response,
    url: &Url,
    limit: u64,
) -> Result<Bytes, FetchError> {
    let too_large = || FetchError::TooLarge {
        url: url.to_string(),
        limit,
    };
    // Early refusal on a declared length (reqwest reports none when it decompresses the body).
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let capacity = declared.unwrap_or(0).min(limit).min(1 << 20);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(url, e))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
