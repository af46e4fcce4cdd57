//! Benchmark: one `run` pass over 10,000 local articles, printing articles/s and peak memory.
//!
//! A fixture site on 127.0.0.1 (served from this process, pages generated on the fly, nothing
//! held in memory) has `LISTINGS` listing pages of `PER_LISTING` article links each; every
//! article is ~1.5 KB of Chinese text. The pass runs with the real pipeline (fetch, extract,
//! segment, index, store) into a temporary data directory. Peak memory is the process's
//! `VmHWM` from `/proc/self/status`, so it includes the fixture server: an upper bound.
//!
//! Run: `cargo run --release -p yuqing-pipeline --example bench_run [-- ARTICLES]`
use std::io::Write;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The allocator of the `yuqing` binary (see src/main.rs), so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PER_LISTING: usize = 100;

const PHRASES: &[&str] = &[
    "国家邮政局召开专题会议，部署推进快递进村工程",
    "各地邮政管理部门加强寄递渠道安全管理，落实实名收寄制度",
    "快递小哥权益保障工作取得新进展，多地出台配套措施",
    "绿色包装试点扩大，可循环快递箱在电商平台推广使用",
    "农村寄递物流体系建设加快，两进一出工程成效明显",
    "万国邮联大会期间，中国代表团介绍邮政业发展经验",
    "春节前后快递业务量保持增长，企业加强运力调配",
    "消费者申诉处理满意度提升，企业服务质量持续改善",
    "邮政普遍服务能力增强，边远地区投递频次提高",
    "智能快件箱和快递驿站布局优化，末端服务更加便利",
    "交通运输部与国家邮政局联合开展安全生产检查",
    "跨境寄递业务稳步发展，国际航空货运能力提升",
];

fn article_text(n: usize) -> String {
    let mut s = String::new();
    let mut x = n as u64 * 2_654_435_761 + 1;
    while s.len() < 1500 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let p = PHRASES[(x % PHRASES.len() as u64) as usize];
        s.push_str("<p>");
        s.push_str(p);
        s.push_str("。第");
        s.push_str(&(x % 1000).to_string());
        s.push_str("批项目顺利推进，相关负责人表示将继续做好服务保障。</p>");
    }
    s
}

fn page(path: &str, port: u16) -> (u16, String) {
    if let Some(rest) = path.strip_prefix("/list/") {
        let Ok(l) = rest.parse::<usize>() else {
            return (404, String::new());
        };
        let mut html = String::from("<html><body><ul class=\"list\">");
        for i in 0..PER_LISTING {
            let n = l * PER_LISTING + i;
            html.push_str(&format!(
                "<li><a href=\"http://127.0.0.1:{port}/a/{n}.html\">文章{n}</a></li>"
            ));
        }
        html.push_str("</ul></body></html>");
        return (200, html);
    }
    if let Some(rest) = path.strip_prefix("/a/") {
        let n: usize = rest.trim_end_matches(".html").parse().unwrap_or(0);
        let html = format!(
            "<html><head><title>快递行业动态第{n}期_测试网</title></head><body>\
             <div class=\"nav\">首页 新闻 政务</div><h1>快递行业动态第{n}期</h1>\
             <div class=\"info\">发布时间：2024-05-{:02} 10:{:02} 来源：测试网 记者 张三</div>\
             <div class=\"article\">{}</div><div class=\"footer\">版权所有</div></body></html>",
            n % 28 + 1,
            n % 60,
            article_text(n)
        );
        return (200, html);
    }
    if path == "/robots.txt" {
        return (200, "User-agent: *\nAllow: /\n".into());
    }
    (404, String::new())
}

async fn serve(listener: TcpListener) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut lines = BufReader::new(r).lines();
            loop {
                let Ok(Some(request)) = lines.next_line().await else {
                    return;
                };
                while let Ok(Some(h)) = lines.next_line().await {
                    if h.is_empty() {
                        break;
                    }
                }
                let path = request.split(' ').nth(1).unwrap_or("/").to_string();
                let (status, body) = page(&path, port);
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if w.write_all(head.as_bytes()).await.is_err()
                    || w.write_all(body.as_bytes()).await.is_err()
                {
                    return;
                }
            }
        });
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let articles: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let listings = articles.div_ceil(PER_LISTING);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    rt.spawn(serve(listener));

    let dir = tempfile::tempdir()?;
    let cfg_dir = dir.path().join("config");
    std::fs::create_dir_all(cfg_dir.join("dict"))?;
    let dict = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/dict");
    let mut main = std::fs::File::create(cfg_dir.join("yuqing.toml"))?;
    write!(
        main,
        "version = 1\n[data]\ndir = \"{}\"\n[fetch]\nper_host_rps = 100\nconcurrency = 16\nrespect_robots = true\n\
         [crawl]\nmax_links_per_listing = {PER_LISTING}\n[text]\ndict_dir = \"{dict}\"\n",
        dir.path().join("data").display()
    )?;
    let mut sources = std::fs::File::create(cfg_dir.join("sources.toml"))?;
    for l in 0..listings {
        write!(
            sources,
            "[[source]]\nid = \"list-{l}\"\nname = \"测试网{l}\"\nkind = \"listing\"\n\
             url = \"http://127.0.0.1:{port}/list/{l}\"\ntier = \"industry\"\nlink_selector = \"ul.list a\"\n\n"
        )?;
    }
    std::fs::write(cfg_dir.join("sites.toml"), "")?;

    let load_start = Instant::now();
    let config = yuqing_config::Config::load(&cfg_dir.join("yuqing.toml"))?;
    let pipeline = yuqing_pipeline::Pipeline::open(config)?;
    let opened = load_start.elapsed().as_secs_f64();
    let start = Instant::now();
    let summary = rt.block_on(pipeline.run_pass(&|_| {}))?;
    let secs = start.elapsed().as_secs_f64();
    let failed = summary.failed().count();
    println!(
        "bench_run: {} articles new, {} rejected, {failed} failed sources, open {opened:.2} s, pass {secs:.1} s, {:.0} articles/s, peak RSS {:.0} MB",
        summary.new,
        summary.rejected,
        summary.new as f64 / secs,
        peak_rss_mb()
    );
    Ok(())
}
