//! Speed and memory of reprint clustering.
//!
//! `cargo run --release -p yuqing-cluster --example bench_cluster [-- --text-only]`
//!
//! Prints: fingerprint µs per 1.5 KB article (bodies assembled from the project's own reports in
//! `tests/same_topic.txt`), `same_story` µs per pair, lookup+insert µs per article at 10k, 100k
//! and 1M stored fingerprints (uniformly random fingerprints: real ones are less uniform, so
//! buckets are fuller), and index memory at 1M (heap estimate and resident-set growth).
//!
//! `-- --max 4000000` adds the sizes 2M and 4M (about 0.6 GB more), to see whether lookup time
//! keeps growing past 1M or has levelled off.
//!
//! For scale, at each size it also times (wall clock, best of 5) the memory-latency floor of a lookup: the same number
//! of random one-cache-line reads (32 for the multi-probe, 548 for the radius pass) from a
//! 64-byte-aligned array as large as the index's bucket tables (`4 × 2^k × 64` bytes), and a
//! `std::collections::HashMap<u64, u32>` of n entries answering 32 gets of stored keys. The
//! 1M ÷ 10k ratio of these says how much of the index's own ratio the memory hierarchy alone
//! accounts for.

use std::hint::black_box;
use std::time::Instant;

use yuqing_cluster::{
    Clusterer, DEFAULT_MAX_HAMMING, Fingerprint, StoryText, WEAK_BITS, fingerprint,
    fingerprint_detail, same_story,
};
use yuqing_model::ArticleId;

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A random fingerprint with WEAK_BITS random weak bits (as real queries have).
fn random_fp(rng: &mut Rng) -> Fingerprint {
    let hash = rng.next();
    let mut weak = 0u64;
    while (weak.count_ones() as usize) < WEAK_BITS {
        weak |= 1 << (rng.next() % 64);
    }
    Fingerprint { hash, weak }
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, first field), so
/// figures are not inflated when other processes share the cores; 0 where unavailable.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Wall and on-CPU time since creation.
struct Timer(Instant, u64);
impl Timer {
    fn start() -> Self {
        Timer(Instant::now(), cpu_ns())
    }
    /// (wall µs, cpu µs) per operation over `ops` operations.
    fn per(&self, ops: u64) -> (f64, f64) {
        let wall = self.0.elapsed().as_secs_f64() * 1e6 / ops as f64;
        let cpu = cpu_ns().saturating_sub(self.1) as f64 / 1e3 / ops as f64;
        (wall, cpu)
    }
}

/// Resident set size in KiB from /proc/self/status (0 where unavailable).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// 1.5 KB bodies: paragraphs of the fixture reports drawn at random until 1,500 bytes.
fn articles(n: usize, rng: &mut Rng) -> Vec<String> {
    let paras: Vec<&str> = include_str!("../tests/same_topic.txt")
        .lines()
        .filter(|l| l.chars().count() > 40 && !l.contains('|'))
        .collect();
    (0..n)
        .map(|_| {
            let mut s = String::new();
            while s.len() < 1500 {
                s.push_str(paras[(rng.next() % paras.len() as u64) as usize]);
                s.push('\n');
            }
            s
        })
        .collect()
}

/// One 64-byte line, as an index bucket.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u64; 8]);

/// µs per operation (best of 5 runs, wall clock: the thread-CPU clock of the test machine
/// ticks in 4 ms steps, too coarse for these short runs) of `f`, run `ops` times.
fn best_wall(ops: usize, mut f: impl FnMut() -> u64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut acc = 0u64;
        for _ in 0..ops {
            acc = acc.wrapping_add(f());
        }
        black_box(acc);
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / ops as f64);
    }
    best
}

/// µs per operation of `lines` random one-line reads (independent loads, so the misses
/// overlap as in the index's touching loop) from an array of `table_bytes`.
fn line_floor(table_bytes: usize, lines: usize, ops: usize, rng: &mut Rng) -> f64 {
    let n = (table_bytes / 64).max(1) as u64;
    let arr = vec![Line([1; 8]); n as usize];
    best_wall(ops, || {
        let mut acc = 0u64;
        for _ in 0..lines {
            // The index is below n = arr.len().
            acc = acc.wrapping_add(arr[(rng.next() % n) as usize].0[0]);
        }
        acc
    })
}

/// µs per operation of 32 `HashMap::get` of stored keys (read in order from a list of the
/// keys in random order) in a map of `n` entries.
fn hashmap_floor(n: usize, ops: usize, rng: &mut Rng) -> f64 {
    let keys: Vec<u64> = (0..n).map(|_| rng.next()).collect();
    let map: std::collections::HashMap<u64, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let mut next = keys.iter().cycle();
    best_wall(ops, || {
        let mut acc = 0u64;
        for _ in 0..32 {
            if let Some(k) = next.next() {
                acc = acc.wrapping_add(u64::from(map.get(k).copied().unwrap_or(0)));
            }
        }
        acc
    })
}

fn main() {
    let mut rng = Rng(2026);
    let args: Vec<String> = std::env::args().collect();
    let max: u64 = args
        .iter()
        .position(|a| a == "--max")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("--max takes a number of entries"))
        .unwrap_or(1_000_000);
    let docs = articles(2000, &mut rng);
    let bytes: usize = docs.iter().map(String::len).sum();
    let reps = 20;
    let t = Timer::start();
    let mut acc = 0u64;
    for _ in 0..reps {
        for d in &docs {
            acc = acc.wrapping_add(fingerprint("标题", black_box(d)).unwrap_or(0));
        }
    }
    let (per, cpu) = t.per((reps * docs.len()) as u64);
    let _ = black_box(fingerprint_detail("标题", &docs[0]));
    println!(
        "fingerprint: {per:.2} us per article (cpu {cpu:.2} us; mean {} bytes) [{acc:x}]",
        bytes / docs.len(),
    );

    let t = Timer::start();
    let mut same = 0;
    let pairs = 2000;
    for i in 0..pairs {
        let a = StoryText {
            title: "标题甲",
            body: &docs[i % docs.len()],
        };
        let b = StoryText {
            title: "标题乙",
            body: &docs[(i * 7 + 1) % docs.len()],
        };
        same += usize::from(same_story(black_box(&a), black_box(&b)));
    }
    let (per, cpu) = t.per(pairs as u64);
    println!("same_story: {per:.2} us per pair of 1.5 KB bodies (cpu {cpu:.2} us) [{same}]");
    if std::env::args().any(|a| a == "--text-only") {
        return;
    }

    let rss0 = rss_kib();
    let short = &docs[0][..docs[0].floor_char_boundary(700)];
    let long = docs[..3].concat();
    let mut c = Clusterer::new();
    let mut n = 0u64;
    let ops = 20_000usize;
    let rounds = 5;
    let extra: Vec<ArticleId> = (0..ops)
        .map(|k| ArticleId::from_canonical_url(&format!("https://bench/extra/{k}")))
        .collect();
    // (n, lookup+insert cpu µs) for the flatness ratio.
    let mut flat: Vec<(u64, f64)> = Vec::new();
    let mut flat_short: Vec<f64> = Vec::new();
    // (n, multi-probe floor, radius floor, hashmap floor) in µs per lookup.
    let mut floors: Vec<(u64, f64, f64, f64)> = Vec::new();
    let sizes: Vec<u64> = [10_000u64, 100_000, 1_000_000, 2_000_000, 4_000_000]
        .into_iter()
        .filter(|&s| s <= max.max(1_000_000))
        .collect();
    for target in sizes {
        // Ids are made before timing; the fill includes the rebuilds of the tables each time
        // the size doubles (amortised into the per-entry figure).
        let fill: Vec<(ArticleId, u64)> = (n..target)
            .map(|k| {
                (
                    ArticleId::from_canonical_url(&format!("https://bench/{k}")),
                    rng.next(),
                )
            })
            .collect();
        let t = Timer::start();
        for (id, fp) in &fill {
            c.restore(id, *fp, id).expect("not full");
        }
        let (w, cpu) = t.per(fill.len().max(1) as u64);
        println!(
            "restore: n={n}..{target}: {w:.2} us per entry (cpu {cpu:.2} us, rebuilds included)"
        );
        n = target;
        drop(fill);
        // Best (least disturbed) of `rounds` rounds of `ops` operations, by thread CPU time.
        let best = |f: &mut dyn FnMut(u64) -> usize| {
            let mut out = (f64::MAX, f64::MAX, 0);
            for r in 0..rounds {
                let t = Timer::start();
                let found = f(r as u64);
                let (w, cpu) = t.per(ops as u64);
                if cpu < out.1 {
                    out = (w, cpu, found);
                }
            }
            out
        };
        let index = c.index();
        let k = index.key_bits() as usize;
        // Radius probes flip bits of each table's own 16-bit band only (see `LshIndex`).
        let m = k.min(16);
        let radius_probes = 4 * (1 + m + m * (m - 1) / 2);
        println!(
            "index: n={target} key bits {k} (occupancy {:.2} per bucket)",
            target as f64 / (1u64 << k) as f64
        );
        let (w, cpu, found) = best(&mut |r| {
            let mut probe = Rng(target ^ r);
            (0..ops)
                .map(|_| index.candidates(probe.next(), 3).len())
                .sum()
        });
        println!(
            "lookup: n={target} radius 3 (4 buckets): {w:.2} us (cpu {cpu:.2} us) [{found} found]"
        );
        let (w, cpu, found) = best(&mut |r| {
            let mut probe = Rng(target ^ r);
            (0..ops)
                .map(|_| {
                    index
                        .candidates_probe(&random_fp(&mut probe), DEFAULT_MAX_HAMMING)
                        .len()
                })
                .sum()
        });
        println!(
            "lookup: n={target} multi-probe max={DEFAULT_MAX_HAMMING} (<= 32 buckets): {w:.2} us (cpu {cpu:.2} us) [{found} found]"
        );
        let (w, cpu, found) = best(&mut |r| {
            let mut probe = Rng(target ^ r ^ 7);
            (0..ops)
                .map(|_| index.candidates(probe.next(), DEFAULT_MAX_HAMMING).len())
                .sum()
        });
        println!(
            "lookup: n={target} radius {DEFAULT_MAX_HAMMING} ({radius_probes} buckets, the short-text pass): {w:.2} us (cpu {cpu:.2} us) [{found} found]"
        );
        // Lookup + insert as the Clusterer does it: assign (nothing to confirm: the lookup
        // returns no text) 20,000 new articles, then remove them again (not timed) so the size
        // returns to `target`; ids are made before timing.
        let mut assign = |body: &str, tag: &str| {
            let text = StoryText {
                title: "标题",
                body,
            };
            let mut qrng = Rng(target ^ 99);
            let mut out = (f64::MAX, f64::MAX);
            for _ in 0..rounds {
                let t = Timer::start();
                for id in &extra {
                    let _ = black_box(c.assign(id, Some(random_fp(&mut qrng)), &text, |_| None));
                }
                let (w, cpu) = t.per(ops as u64);
                if cpu < out.1 {
                    out = (w, cpu);
                }
                for id in &extra {
                    c.remove(id);
                }
            }
            let (w, cpu) = out;
            println!("assign: n={target} new {tag}: {w:.2} us per article (cpu {cpu:.2} us)");
            cpu
        };
        let cpu = assign(&long, "long story (multi-probe + insert)");
        flat.push((target, cpu));
        flat_short.push(assign(
            short,
            "short story (multi-probe + radius pass + insert)",
        ));
        let table_bytes = 4 * (1usize << k) * 64;
        let mut frng = Rng(target ^ 5);
        let multi = line_floor(table_bytes, 32, 10 * ops, &mut frng);
        let radius = line_floor(table_bytes, radius_probes, ops, &mut frng);
        let hmap = hashmap_floor(target as usize, 10 * ops, &mut frng);
        println!(
            "floor: n={target} random line reads over {:.0} MB: 32 lines {multi:.2} us, {radius_probes} lines {radius:.2} us; HashMap<u64,u32> of n, 32 gets {hmap:.2} us (wall)",
            table_bytes as f64 / 1e6
        );
        floors.push((target, multi, radius, hmap));
    }
    let heap = c.index().heap_bytes();
    println!(
        "memory: n={} heap_estimate={:.1} MB ({:.0} bytes/entry) rss_growth={:.1} MB",
        c.index().len(),
        heap as f64 / 1e6,
        heap as f64 / c.index().len() as f64,
        (rss_kib().saturating_sub(rss0)) as f64 * 1024.0 / 1e6
    );
    if let (Some(first), Some(last)) = (flat.first(), flat.last()) {
        println!(
            "flatness: lookup+insert cpu at n={} / n={} = {:.2}",
            last.0,
            first.0,
            last.1 / first.1
        );
    }
    if let (Some(first), Some(last)) = (flat_short.first(), flat_short.last()) {
        println!(
            "flatness: short story (radius pass) cpu at n={} / n={} = {:.2}",
            flat.last().map_or(0, |l| l.0),
            flat.first().map_or(0, |f| f.0),
            last / first
        );
    }
    // Ratios to the 10k row, for every size: the index and its memory floors side by side.
    if let (Some(f0), Some(s0), Some(fl0)) = (flat.first(), flat_short.first(), floors.first()) {
        for (((n, long), short), fl) in flat.iter().zip(&flat_short).zip(&floors) {
            println!(
                "ratio to n=10000 at n={n}: long story {:.2} (32-line floor {:.2}), short story {:.2} (radius-probe line floor {:.2}), HashMap 32 gets {:.2}",
                long / f0.1,
                fl.1 / fl0.1,
                short / s0,
                fl.2 / fl0.2,
                fl.3 / fl0.3
            );
        }
    }
}
