//! Segmentation benchmark: dictionary load time and segmentation throughput.
//!
//! Run with `cargo run --release -p yuqing-text --example bench_segment`. Text comes from the
//! `expected_content` of `../shared/data/extraction_zh/cwced/expected.jsonl` (test data, read in
//! place) when present, else from built-in sentences. Targets: load ≤ 0.3 s, ≥ 10 MB/s.

use std::time::Instant;

use tantivy_tokenizer_api::{TokenStream, Tokenizer};
use yuqing_text::{BigramTokenizer, SegmentMode, Segmenter};

const BUILTIN: &[&str] = &[
    "国家邮政局公布2026年1月邮政行业运行情况，快递业务量完成123.4亿件，同比增长15.2%。",
    "为推进快递进村工程，各地邮政管理部门加强与交通运输、商务、供销等部门协作。",
    "中国人民银行发布通知，要求金融机构加大对物流企业的支持力度，降低融资成本。",
    "顺丰、圆通、中通、申通、韵达等企业持续优化末端网络，菜鸟驿站覆盖98%的乡镇。",
    "消费者投诉快递延误、丢件和暴力分拣等问题，邮政管理部门表示将依法严肃处理。",
    "“两进一出”工程取得积极进展，快递服务制造业项目超过1000个，业务收入大幅增长。",
];

fn corpus() -> (String, &'static str) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/extraction_zh/cwced/expected.jsonl"
    );
    if let Ok(text) = std::fs::read_to_string(path) {
        let mut out = String::new();
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(c) = v.get("expected_content").and_then(|c| c.as_str())
            {
                out.push_str(c);
                out.push('\n');
            }
        }
        if !out.is_empty() {
            return (out, "cwced expected_content");
        }
    }
    (BUILTIN.join("\n"), "built-in sentences")
}

fn main() {
    let t = Instant::now();
    let seg = Segmenter::load(None).expect("bundled dictionary loads");
    println!("dictionary load: {:.3} s", t.elapsed().as_secs_f64());

    let (base, origin) = corpus();
    let docs: Vec<&str> = base.lines().filter(|l| !l.trim().is_empty()).collect();
    let bytes_per_pass: usize = docs.iter().map(|d| d.len()).sum();
    let passes = (8_000_000 / bytes_per_pass.max(1)).max(1);
    println!(
        "corpus: {origin}, {} lines, {:.2} MB per pass, {passes} passes",
        docs.len(),
        bytes_per_pass as f64 / 1e6
    );
    let mb = (bytes_per_pass * passes) as f64 / 1e6;

    let t = Instant::now();
    let mut words = 0usize;
    for _ in 0..passes {
        for d in &docs {
            words += seg.cut(d, SegmentMode::Default).len();
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "jieba cut (default, HMM): {:.1} MB/s ({words} words)",
        mb / s
    );

    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..passes {
        for d in &docs {
            n += yuqing_text::normalize(d).len();
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!("normalize: {:.1} MB/s ({n} bytes out)", mb / s);

    let normed: Vec<String> = docs.iter().map(|d| yuqing_text::normalize(d)).collect();
    let t = Instant::now();
    let mut words = 0usize;
    for _ in 0..passes {
        for d in &normed {
            words += seg.cut(d, SegmentMode::Default).len();
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "jieba cut of normalised text: {:.1} MB/s ({words} words)",
        mb / s
    );

    let mut word_tok = seg.word_tokenizer();
    let t = Instant::now();
    let mut tokens = 0usize;
    for _ in 0..passes {
        for d in &docs {
            let mut st = word_tok.token_stream(d);
            while st.advance() {
                tokens += 1;
            }
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!("zh_word tokenizer: {:.1} MB/s ({tokens} tokens)", mb / s);

    let mut bigram = BigramTokenizer::new();
    let t = Instant::now();
    let mut tokens = 0usize;
    for _ in 0..passes {
        for d in &docs {
            let mut st = bigram.token_stream(d);
            while st.advance() {
                tokens += 1;
            }
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!("zh_bigram tokenizer: {:.1} MB/s ({tokens} tokens)", mb / s);
}
