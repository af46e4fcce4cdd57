//! Confirmation of a fingerprint candidate by text overlap.

use crate::fingerprint::{norm_char, normalize_body};

/// Borrowed headline and body of one article, as [`same_story`] compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryText<'a> {
    /// Headline.
    pub title: &'a str,
    /// Body text (paragraphs separated by line breaks), as extracted. Passing only the first
    /// few thousand characters is fine: comparison uses at most [`CONFIRM_CHARS`] of it.
    pub body: &'a str,
}

/// Owned headline and body, as a store lookup returns them for [`crate::Clusterer::assign`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedStory {
    /// Headline.
    pub title: String,
    /// Body text.
    pub body: String,
}

impl OwnedStory {
    /// Borrows as a [`StoryText`].
    pub fn as_text(&self) -> StoryText<'_> {
        StoryText {
            title: &self.title,
            body: &self.body,
        }
    }
}

/// Normalised body characters compared by [`same_story`] (the first 3,000; a reprint that keeps
/// the start of a story keeps most of them, and the cost stays bounded for very long pages).
pub const CONFIRM_CHARS: usize = 3000;

/// Shingle length for confirmation: 4 characters, more specific than the fingerprint's 3, so
/// that stories on one topic share few shingles besides their common phrases.
const CONFIRM_SHINGLE: usize = 4;

/// Body containment at or above which two articles are one story whatever their titles.
const CONTAIN_SURE: f64 = 0.6;
/// Body containment at or above which a similar title or a shared lead also confirms.
const CONTAIN_MAYBE: f64 = 0.35;
/// Title bigram Dice at or above which a [`CONTAIN_MAYBE`] body overlap confirms.
const TITLE_DICE: f64 = 0.5;
/// Lead characters (normalised) whose shingles are checked for [`LEAD_CONTAIN`].
const LEAD_CHARS: usize = 150;
/// Share of one lead's shingles found in the other body at or above which a [`CONTAIN_MAYBE`]
/// body overlap confirms.
const LEAD_CONTAIN: f64 = 0.8;

/// FNV-1a over the characters of a shingle (64-bit, Fowler–Noll–Vo).
#[inline]
fn shingle_key(s: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in s {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Sorted, deduplicated shingle keys of `chars`.
fn shingle_set(chars: &[char]) -> Vec<u64> {
    let mut v: Vec<u64> = chars.windows(CONFIRM_SHINGLE).map(shingle_key).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Number of common elements of two sorted, deduplicated slices (merge walk).
fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Share of `a`'s elements found in the sorted slice `b`.
fn share_in(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let n = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    n as f64 / a.len() as f64
}

/// Dice coefficient of two sorted, deduplicated bigram sets (0 when either is empty).
fn dice(x: &[u64], y: &[u64]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    2.0 * intersection(x, y) as f64 / (x.len() + y.len()) as f64
}

/// Dice coefficient of the character-bigram sets of two normalised titles (0 when either has
/// fewer than two characters).
#[cfg(test)]
fn title_dice(a: &str, b: &str) -> f64 {
    dice(&title_bigrams(a), &title_bigrams(b))
}

/// Sorted, deduplicated character-bigram keys of a normalised title.
fn title_bigrams(s: &str) -> Vec<u64> {
    let chars: Vec<char> = s.chars().filter_map(norm_char).collect();
    let mut v: Vec<u64> = chars.windows(2).map(shingle_key).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// One side of a comparison, computed once per article: the shingle sets [`overlap`] needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    body: Vec<u64>,
    lead: Vec<u64>,
    title: Vec<u64>,
}

impl Prepared {
    /// Normalises and shingles `s` (see [`same_story`]).
    pub(crate) fn new(s: &StoryText<'_>) -> Prepared {
        let mut c = Vec::with_capacity(s.body.len().min(4 * CONFIRM_CHARS) / 3 + 1);
        normalize_body(s.title, s.body, &mut c);
        c.truncate(CONFIRM_CHARS);
        Prepared {
            body: shingle_set(&c),
            lead: shingle_set(c.get(..LEAD_CHARS).unwrap_or(&c)),
            title: title_bigrams(s.title),
        }
    }

    /// Overlap figures of `self` and `other`.
    pub(crate) fn overlap(&self, other: &Prepared) -> Overlap {
        let min = self.body.len().min(other.body.len());
        let containment = if min == 0 {
            0.0
        } else {
            intersection(&self.body, &other.body) as f64 / min as f64
        };
        Overlap {
            containment,
            title: dice(&self.title, &other.title),
            lead: share_in(&self.lead, &other.body).max(share_in(&other.lead, &self.body)),
        }
    }

    /// The [`same_story`] decision for `self` and `other`.
    pub(crate) fn same_story(&self, other: &Prepared) -> bool {
        let o = self.overlap(other);
        o.containment >= CONTAIN_SURE
            || (o.containment >= CONTAIN_MAYBE && (o.title >= TITLE_DICE || o.lead >= LEAD_CONTAIN))
    }
}

/// Overlap figures behind a [`same_story`] decision, for inspection and tuning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Shared body shingles over the smaller body's shingles, in [0, 1].
    pub containment: f64,
    /// Title character-bigram Dice coefficient, in [0, 1].
    pub title: f64,
    /// The larger of: share of either lead's shingles found in the other body, in [0, 1].
    pub lead: f64,
}

/// Measures the overlap of two articles (see [`same_story`]).
pub fn overlap(a: &StoryText<'_>, b: &StoryText<'_>) -> Overlap {
    Prepared::new(a).overlap(&Prepared::new(b))
}

/// True when `a` and `b` are the same story (one a reprint of the other, or both of a third).
///
/// Both bodies are normalised as for [`crate::fingerprint`] (chrome and editor's-note lines
/// dropped, punctuation and whitespace removed, first [`CONFIRM_CHARS`] characters kept) and cut
/// into 4-character shingles. Containment (shared shingles over the smaller set; Broder 1997,
/// "On the resemblance and containment of documents") tolerates what reposting adds or drops.
/// Rule:
/// * containment ≥ 0.6: same story, whatever the headlines (reposts rewrite them);
/// * containment ≥ 0.35 and (title character-bigram Dice ≥ 0.5, or ≥ 80 % of one lead's first
///   150 characters' shingles found in the other body): same story;
/// * otherwise different: two reports on one topic share phrases and boilerplate
///   (国家邮政局有关负责人表示 …), not their reporting.
///
/// Thresholds were set on `tests/cluster_eval.rs` (see its figures). Cost: linear in the body
/// lengths plus a sort (see `examples/bench_cluster.rs`); [`crate::Clusterer`] prepares the
/// new article's side once for all its candidates.
///
/// ```
/// use yuqing_cluster::{same_story, StoryText};
/// let body = "本报讯（记者 陈立）记者从山阳县邮政管理部门获悉，截至11月底，该县182个建制村全部实现\
///             快递服务进村，村民足不出户就能收寄包裹。山阳县采取邮快合作模式，由县邮政分公司统一\
///             承接各品牌快件的进村投递。";
/// let repost = format!("编者按：本文转载自合作媒体。\n{body}\n责任编辑：王五");
/// let other = "本报讯（记者 刘洋）记者从省邮政管理局获悉，全省农村地区揽收快件4.2亿件，同比增长28%，\
///              各地依托快递进村服务站开展电商培训，帮助农户开设网店。";
/// let a = StoryText { title: "山阳县快递进村实现全覆盖", body };
/// let b = StoryText { title: "182个村通快递", body: &repost };
/// let c = StoryText { title: "电商快递协同带动农产品上行", body: other };
/// assert!(same_story(&a, &b));
/// assert!(!same_story(&a, &c));
/// ```
pub fn same_story(a: &StoryText<'_>, b: &StoryText<'_>) -> bool {
    Prepared::new(a).same_story(&Prepared::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_and_dice() {
        assert_eq!(intersection(&[1, 3, 5, 7], &[2, 3, 7, 9]), 2);
        assert_eq!(intersection(&[], &[1]), 0);
        assert!((title_dice("快递进村", "快递进村") - 1.0).abs() < 1e-9);
        // 快递 递进 进村 vs 快递 递下 下乡: one shared of 3 + 3.
        assert!((title_dice("快递进村", "快递下乡") - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(title_dice("快", "快递"), 0.0);
    }

    #[test]
    fn containment_ignores_added_paragraphs() {
        let body = "今年以来全国快递业务量累计突破一千亿件农村地区收投快件量同比增长超过两成";
        let a = StoryText { title: "甲", body };
        let longer = format!("{body}\n关注我们的微信公众号回复关键词领取礼品");
        let b = StoryText {
            title: "乙",
            body: &longer,
        };
        let o = overlap(&a, &b);
        assert!((o.containment - 1.0).abs() < 1e-9, "{o:?}");
        assert!((o.lead - 1.0).abs() < 1e-9);
        assert_eq!(o.title, 0.0);
    }
}
