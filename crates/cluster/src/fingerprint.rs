//! Body normalisation and the 64-bit SimHash fingerprint.

/// Shingle length in characters of the normalised body (see [`fingerprint`] for why 2).
pub const SHINGLE_CHARS: usize = 2;

/// The trapezoid weight reaches full weight `1/RAMP_DIV` of the shingles in from each end.
const RAMP_DIV: usize = 4;

/// Fewest normalised body characters (letters, digits, CJK ideographs after chrome lines are
/// dropped) for which [`fingerprint`] returns a value: 60 characters give 59 shingles. Below that a
/// few changed characters move most bits, and short items (news flashes, captions) share
/// templates, so a fingerprint would not be reliable.
pub const MIN_CHARS: usize = 60;

/// Maps a character to its comparison form: full-width ASCII variants (U+FF01–U+FF5E) to ASCII,
/// ASCII letters lowercased; `None` for whitespace, punctuation and symbols (everything that is
/// not alphanumeric), which reposting sites change freely.
#[inline]
pub(crate) fn norm_char(c: char) -> Option<char> {
    let c = match u32::from(c) {
        // U+FF01..=U+FF5E are the full-width forms of U+0021..=U+007E (Unicode Halfwidth and
        // Fullwidth Forms block); the subtraction stays in range, so from_u32 returns Some.
        u @ 0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0)?,
        _ => c,
    };
    if c.is_ascii() {
        c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase())
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        // CJK Unified Ideographs: alphabetic; skips the Unicode table search.
        Some(c)
    } else if matches!(
        c,
        '。' | '、' | '“' | '”' | '‘' | '’' | '《' | '》' | '…' | '—' | '·'
    ) {
        // The most frequent Chinese punctuation; skips the Unicode table search.
        None
    } else {
        c.is_alphanumeric().then_some(c)
    }
}

/// Opening brackets a site may put around a label (`【编者按】`, `［来源］`).
const OPEN_BRACKETS: &[char] = &['【', '[', '［', '(', '（', '<', '《', '〔'];

/// Labels that open an editor's note (编者按) paragraph; the paragraph is dropped.
const NOTE_LABELS: &[&str] = &["编者按", "编者注", "编辑按", "编者的话", "编前语"];

/// Substrings that mark a short line as site chrome rather than story text (source and editor
/// credits, share/print widgets, repost notices). Collected from the chrome lines of Chinese
/// news sites (e.g. the `cwced` pages under `extraction_zh`).
const CHROME_MARKERS: &[&str] = &[
    "来源：",
    "来源:",
    "责任编辑",
    "编辑：",
    "编辑:",
    "扫一扫",
    "分享到",
    "打印本页",
    "关闭窗口",
    "原标题",
    "字号",
    "本文转自",
    "转载请注明",
    "版权所有",
    "声明：",
    "微信公众号",
    "二维码",
    "【打印】",
    "【关闭】",
];

/// Longest line (in characters) that can be a chrome line.
const CHROME_MAX_CHARS: usize = 60;

/// True when `line` is an editor's note paragraph or a short chrome line; such lines are left
/// out of fingerprints and of [`crate::same_story`] comparisons because reposting sites add,
/// drop and reword them.
pub(crate) fn is_chrome_line(line: &str) -> bool {
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || OPEN_BRACKETS.contains(&c));
    if NOTE_LABELS.iter().any(|l| t.starts_with(l)) {
        return true;
    }
    let short = line.chars().nth(CHROME_MAX_CHARS).is_none();
    short && CHROME_MARKERS.iter().any(|m| line.contains(m))
}

/// True when `line` and `title` are equal after normalisation (the extractor often repeats the
/// headline as the body's first line; reposts that rewrite the headline change that line too).
fn is_title_line(line: &str, title: &str) -> bool {
    let mut a = line.chars().filter_map(norm_char);
    let mut b = title.chars().filter_map(norm_char);
    let mut any = false;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return any,
            (Some(x), Some(y)) if x == y => any = true,
            _ => return false,
        }
    }
}

/// Appends the comparison form of `body` to `out`: lines that are chrome or editor's notes
/// ([`is_chrome_line`]) and a first line repeating `title` are skipped, every other character
/// goes through [`norm_char`].
pub(crate) fn normalize_body(title: &str, body: &str, out: &mut Vec<char>) {
    let mut first = true;
    for line in body.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let was_first = std::mem::replace(&mut first, false);
        if (was_first && is_title_line(line, title)) || is_chrome_line(line) {
            continue;
        }
        out.reserve(line.len());
        for c in line.chars() {
            if let Some(n) = norm_char(c) {
                out.push(n);
            }
        }
    }
}

/// 64-bit hash of one shingle: the characters are packed (21 bits each, Unicode scalars fit) and
/// mixed with the SplitMix64 finaliser (Steele, Lea & Flood 2014), so every output bit depends on
/// every character.
#[inline]
fn shingle_hash(s: &[char]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &c in s {
        h = (h ^ u64::from(c)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 29;
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Largest position weight: keeps the 16-bit vote counters of [`simhash`] from overflowing
/// between flushes, and bounds the edge zone of long texts to 255 shingles.
const MAX_WEIGHT: usize = 255;

/// Position weight of shingle `j` of `n`: a trapezoid rising by 1 per shingle from both ends up
/// to `ramp` (at most [`MAX_WEIGHT`]). Reposting edits the edges of a story (editor's notes and
/// chrome on top, ads and a dropped closing paragraph at the bottom); weighting the edges down
/// keeps those edits from moving many bits, and because the weight changes smoothly a prepended
/// paragraph only shifts the weights a little.
#[inline]
fn weight(j: usize, n: usize, ramp: usize) -> u16 {
    // min(MAX_WEIGHT) makes the cast lossless.
    (j + 1).min(n - j).min(ramp).min(MAX_WEIGHT) as u16
}

/// `SPREAD[b]` has byte `j` equal to bit `j` of `b`: eight lookups turn a 64-bit hash into 64
/// one-byte votes that the vote loop adds with SIMD.
static SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            if b & (1 << j) != 0 {
                t[b] |= 1 << (8 * j);
            }
            j += 1;
        }
        b += 1;
    }
    t
};

/// A fingerprint with the confidence of its bits, for multi-probe lookup
/// ([`crate::LshIndex::candidates_probe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The 64-bit SimHash, as [`fingerprint`] returns it (store this).
    pub hash: u64,
    /// Mask of the [`WEAK_BITS`] bits whose weighted vote was closest to a tie: the bits an edit
    /// of the text is most likely to flip (multi-probe LSH, Lv et al. 2007, applied to SimHash
    /// bits).
    pub weak: u64,
}

/// Number of least-confident bits marked in [`Fingerprint::weak`].
pub const WEAK_BITS: usize = 12;

/// SimHash (Charikar 2002) of the normalised characters `chars`: for each bit, the weighted
/// vote of all `k`-character shingles; `None` below [`MIN_CHARS`].
pub(crate) fn simhash(chars: &[char], k: usize, ramp_div: usize) -> Option<Fingerprint> {
    if chars.len() < MIN_CHARS.max(k) {
        return None;
    }
    let n = chars.len() + 1 - k;
    let ramp = (n / ramp_div.max(1)).max(1);
    // Votes for 1 per bit: 16-bit counters (vectorised) flushed into 64-bit ones before they can
    // overflow (each shingle adds at most MAX_WEIGHT).
    let mut narrow = [0u16; 64];
    let mut wide = [0u64; 64];
    let mut pending = 0u32;
    let mut total = 0u64;
    let mut bits = [0u8; 64];
    for (j, s) in chars.windows(k).enumerate() {
        let h = shingle_hash(s);
        let w = weight(j, n, ramp);
        for (b, chunk) in bits.chunks_exact_mut(8).enumerate() {
            // The index is masked to 0..=255.
            chunk.copy_from_slice(&SPREAD[((h >> (8 * b)) & 0xFF) as usize].to_le_bytes());
        }
        for (c, &bit) in narrow.iter_mut().zip(bits.iter()) {
            *c += u16::from(bit) * w;
        }
        total += u64::from(w);
        pending += u32::from(w);
        if pending > u32::from(u16::MAX) - MAX_WEIGHT as u32 {
            for (o, c) in wide.iter_mut().zip(narrow.iter_mut()) {
                *o += u64::from(std::mem::take(c));
            }
            pending = 0;
        }
    }
    let mut hash = 0u64;
    // (|margin|, bit) for the weak-bit ranking.
    let mut margins = [(0u64, 0u32); 64];
    for (i, ((o, c), m)) in wide
        .iter()
        .zip(narrow.iter())
        .zip(margins.iter_mut())
        .enumerate()
    {
        let ones = o + u64::from(*c);
        if 2 * ones > total {
            hash |= 1 << i;
        }
        *m = ((2 * ones).abs_diff(total), i as u32);
    }
    margins.sort_unstable();
    let weak = margins
        .iter()
        .take(WEAK_BITS)
        .fold(0u64, |m, &(_, i)| m | (1 << i));
    Some(Fingerprint { hash, weak })
}

/// Fingerprint of an article for near-duplicate lookup: a 64-bit SimHash (Charikar 2002,
/// "Similarity estimation techniques from rounding algorithms"; used for web near-duplicates by
/// Manku, Jain & Das Sarma 2007, "Detecting near-duplicates for web crawling").
///
/// * Text: the body only. Lines that are site chrome (来源：, 责任编辑, 扫一扫分享 …) or an editor's
///   note (编者按 …), and a first line repeating `title`, are skipped; then whitespace,
///   punctuation and symbols are dropped, full-width ASCII becomes half-width and ASCII is
///   lowercased, so re-wrapped paragraphs and changed punctuation do not matter. The headline is
///   not hashed: reposts rewrite it.
/// * Features: overlapping character bigrams ([`SHINGLE_CHARS`]). Chinese has no spaces, and
///   word shingles via a segmenter (jieba) cost more than the whole clustering budget, so the
///   features are character n-grams. The length was chosen on `tests/cluster_eval.rs`: with the
///   lookup [`crate::Clusterer`] uses, pairwise recall in the worst of five arrival orders was
///   1.000 with bigrams against 0.970 with 3-grams on the main set (66 real bodies, 262
///   reprints), and about 0.6 for both on the project's short reports with variants, at
///   precision 1.000 for both. While designing, reprint pairs within 7 bits were 0.98 (bigrams),
///   0.93 (3-grams), 0.89 (4-grams), 0.87 (5-grams). Bigrams also bring different stories
///   closer (46 pairs of different stories within 18 bits against 36 for 3-grams, none within
///   15 for either): more candidates to confirm, bounded by [`crate::DEFAULT_MAX_CONFIRM`].
/// * Weights: a trapezoid over positions (full weight from a quarter of the text in from each
///   end), because reposting edits the edges of a story (reprint pairs within 3 bits: 0.74 with
///   the trapezoid, 0.54 with flat weights).
///
/// Returns `None` when fewer than [`MIN_CHARS`] normalised characters remain.
/// Cost: linear in the body length: one hash and 64 vectorised 16-bit adds per shingle (see
/// `examples/bench_cluster.rs`).
///
/// ```
/// let body = "国家邮政局数据显示，今年以来全国快递业务量累计突破一千亿件，农村地区收投快件量\
///             同比增长超过两成，快递进村工程持续推进，越来越多的村民在家门口就能取到包裹。";
/// let a = yuqing_cluster::fingerprint("快递业务量突破千亿件", body).unwrap();
/// let reposted = format!("来源：某某网\n{body}\n责任编辑：张三");
/// let b = yuqing_cluster::fingerprint("全国快递业务量破千亿", &reposted).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(yuqing_cluster::fingerprint("短讯", "快递进村。"), None);
/// ```
pub fn fingerprint(title: &str, body: &str) -> Option<u64> {
    fingerprint_detail(title, body).map(|f| f.hash)
}

/// [`fingerprint`] with the mask of its least-confident bits, for
/// [`crate::Clusterer::assign`]'s multi-probe lookup. Same cost as [`fingerprint`].
pub fn fingerprint_detail(title: &str, body: &str) -> Option<Fingerprint> {
    let mut chars = Vec::with_capacity(body.len() / 3 + 1);
    normalize_body(title, body, &mut chars);
    simhash(&chars, SHINGLE_CHARS, RAMP_DIV)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_char_maps_full_width_and_drops_punctuation() {
        let s: String = "ＥＭＳ快递，２０２６年 Hello!"
            .chars()
            .filter_map(norm_char)
            .collect();
        assert_eq!(s, "ems快递2026年hello");
    }

    #[test]
    fn chrome_lines() {
        assert!(is_chrome_line("来源：人民网  2026-11-29"));
        assert!(is_chrome_line(
            "【编者按】快递进村是一项民生工程，本报今起推出系列报道。"
        ));
        assert!(is_chrome_line("（责任编辑：王五）"));
        assert!(!is_chrome_line(
            "记者从国家邮政局获悉，全国快递业务量持续增长。"
        ));
        let long = format!("{}来源：", "快递".repeat(40));
        assert!(!is_chrome_line(&long));
    }

    #[test]
    fn title_line_skipped() {
        let mut a = Vec::new();
        normalize_body("快递 进村！", "快递进村\n村民取件更方便", &mut a);
        assert_eq!(a.iter().collect::<String>(), "村民取件更方便");
    }

    #[test]
    fn simhash_weights_and_threshold() {
        let short: Vec<char> = "快".repeat(MIN_CHARS - 1).chars().collect();
        assert_eq!(simhash(&short, 4, 4), None);
        // Identical shingles everywhere: the fingerprint is the shingle's hash, and every bit
        // is unanimous.
        let same: Vec<char> = "快".repeat(MIN_CHARS).chars().collect();
        let f = simhash(&same, 4, 4).unwrap();
        assert_eq!(f.hash, shingle_hash(&same[..4]));
        assert_eq!(f.weak.count_ones() as usize, WEAK_BITS);
        // Long text: the 16-bit counters are flushed (57,000 shingles of weight up to 255).
        let long: Vec<char> = "快".repeat(60_000).chars().collect();
        assert_eq!(simhash(&long, 4, 4).unwrap().hash, shingle_hash(&same[..4]));
        assert_eq!(weight(0, 10, 3), 1);
        assert_eq!(weight(5, 10, 3), 3);
        assert_eq!(weight(9, 10, 3), 1);
        assert_eq!(weight(5000, 10000, 2500), 255);
    }
}
