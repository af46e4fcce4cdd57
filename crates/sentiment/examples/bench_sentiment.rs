//! Lexicon model throughput on ~1.5 KB articles, one core.
//!
//! `cargo run --release -p yuqing-sentiment --example bench_sentiment [ARTICLES]`
//! The articles are built from sentences written here (no test data), mixing positive,
//! negative and neutral wording, each about 1.5 KB of UTF-8.

use std::time::Instant;

use yuqing_sentiment::{Lexicon, LexiconModel};

const SENTENCES: [&str; 12] = [
    "今年以来，市邮政管理局扎实推进快递进村工程，农村寄递服务水平明显提升。",
    "部分网点在促销期间出现爆仓，大量快件延误，消费者投诉较多。",
    "据了解，该公司将于下月调整部分线路的营业时间。",
    "快递员拾金不昧，主动归还客户遗失的钱包，获得群众点赞。",
    "有用户反映包裹破损后理赔难，客服态度恶劣，问题至今没有解决。",
    "警方依法查处一起冒充快递员实施诈骗的案件，抓获犯罪嫌疑人三名。",
    "会议指出，要加强行业监管，保障从业人员合法权益，并非一时之策。",
    "记者从现场了解到，事故造成两人受伤，具体原因正在调查中。",
    "企业表示将持续优化服务，但一些消费者认为改善不够明显。",
    "新建的分拣中心投用后，日处理能力创新高，时效提升明显。",
    "另据报道，一名快递员因过劳猝死，引发社会关注。",
    "该项目总投资约十亿元，预计明年年底竣工。",
];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let mut articles = Vec::with_capacity(64);
    for k in 0..64usize {
        let mut body = String::new();
        let mut i = k;
        while body.len() < 1500 {
            body.push_str(SENTENCES[i % SENTENCES.len()]);
            i = i.wrapping_mul(7).wrapping_add(3);
        }
        let title = SENTENCES[(k * 5) % SENTENCES.len()]
            .chars()
            .take(20)
            .collect::<String>();
        articles.push((title, body));
    }
    let avg = articles
        .iter()
        .map(|(t, b)| t.len() + b.len())
        .sum::<usize>()
        / articles.len();
    let model = LexiconModel::new(Lexicon::builtin());
    // Warm-up.
    let mut check = 0.0f32;
    for (t, b) in &articles {
        check += model.analyze(t, b).score;
    }
    let cpu0 = thread_cpu_seconds();
    let start = Instant::now();
    let mut evidence = 0usize;
    for i in 0..n {
        let (t, b) = &articles[i % articles.len()];
        let s = model.analyze(t, b);
        evidence += s.evidence.len();
        check += s.score;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    println!(
        "lexicon sentiment: {n} articles of ~{avg} bytes in {secs:.3} s = {:.0} articles/s on one core ({:.1} us/article; {} evidence items; checksum {check:.1})",
        n as f64 / secs,
        secs * 1e6 / n as f64,
        evidence
    );
    // Wall time counts time the thread waited for a core on a busy machine; CPU time does not.
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        println!(
            "lexicon sentiment: {:.0} articles per CPU-second ({cpu:.2} s of thread CPU time)",
            n as f64 / cpu
        );
    }
}

/// User + system CPU time of this thread from `/proc/thread-self/stat` (Linux; clock ticks
/// assumed 100 Hz, the kernel's USER_HZ); `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, i.e. 12 and 13 after the name.
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
