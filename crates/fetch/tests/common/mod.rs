//! A tiny HTTP/1.1 server on 127.0.0.1:0 for the fetcher tests: one response per connection
//! (`Connection: close`), every request recorded, in-flight requests and streamed bytes counted.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One recorded request: path (with query) and lowercase header names.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub headers: HashMap<String, String>,
}

pub enum Body {
    Bytes(Vec<u8>),
    /// `total` zero bytes without Content-Length, written 64 KiB at a time.
    Endless {
        total: u64,
    },
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Sleep before answering.
    pub delay: Duration,
}

impl Resp {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Body::Bytes(body.into()),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn delay_ms(mut self, ms: u64) -> Resp {
        self.delay = Duration::from_millis(ms);
        self
    }
}

type Handler = dyn Fn(&Req, usize) -> Resp + Send + Sync;

#[derive(Clone)]
pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<Req>>>,
    pub in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
    pub streamed: Arc<AtomicU64>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    pub fn paths(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.path.clone())
            .collect()
    }
    pub fn count(&self, path: &str) -> usize {
        self.paths().iter().filter(|p| *p == path).count()
    }
    pub fn requests(&self, path: &str) -> Vec<Req> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|r| r.path == path).cloned().collect()
    }
}

/// Starts a server; `handler(request, times_this_path_was_seen_before)` builds each response.
pub async fn serve(handler: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server {
        base: format!("http://{addr}"),
        log: Arc::default(),
        in_flight: Arc::default(),
        max_in_flight: Arc::default(),
        streamed: Arc::default(),
    };
    let handler: Arc<Handler> = Arc::new(handler);
    let s = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let s = s.clone();
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let _ = handle(stream, s, handler).await;
            });
        }
    });
    server
}

async fn handle(mut stream: TcpStream, s: Server, handler: Arc<Handler>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("")
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let req = Req { path, headers };
    let seen = {
        let mut log = s.log.lock().unwrap();
        let seen = log.iter().filter(|r| r.path == req.path).count();
        log.push(req.clone());
        seen
    };
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let resp = handler(&req, seen);
    tokio::time::sleep(resp.delay).await;
    let result = write_response(&mut stream, &s, resp).await;
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    result
}

async fn write_response(stream: &mut TcpStream, s: &Server, resp: Resp) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", resp.status);
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    match resp.body {
        Body::Bytes(body) => {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Body::Endless { total } => {
            out.push_str("\r\n");
            stream.write_all(out.as_bytes()).await?;
            let block = vec![b'a'; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                stream.write_all(&block).await?;
                sent += block.len() as u64;
                s.streamed.fetch_add(block.len() as u64, Ordering::SeqCst);
            }
        }
    }
    stream.flush().await?;
    stream.shutdown().await
}

/// Settings for tests: fast limits, no robots unless asked.
pub fn settings() -> yuqing_model::FetchSettings {
    yuqing_model::FetchSettings {
        user_agent: "YuqingTest/0.1 (+https://example.invalid)".to_string(),
        connect_timeout_ms: 1_000,
        timeout_ms: 2_000,
        max_body_bytes: 1024 * 1024,
        max_redirects: 3,
        per_host_rps: 1_000,
        concurrency: 8,
        retries: 2,
        backoff_ms: 20,
        respect_robots: false,
    }
}
