//! Cluster assignment: candidates from the index, confirmed by text.

use yuqing_model::ArticleId;

use crate::confirm::{OwnedStory, Prepared, StoryText};
use crate::index::LshIndex;
use crate::{ClusterError, Fingerprint};

/// Hamming radius [`Clusterer::new`] uses: 12 bits. It only filters what the multi-probe
/// lookup reaches, but every entry it lets through costs a store read and a [`crate::same_story`]
/// call. Measured (`examples/bench_cluster.rs`, 1,000,000 random fingerprints): 0.04 entries
/// per lookup within 12 bits, 2.3 within 16. Recall on the project's short reports with
/// variants was 0.576 at 12 bits and 0.615 at 16 (no wrong merge either way); on the main set
/// of `tests/cluster_eval.rs` both give 1.000.
pub const DEFAULT_MAX_HAMMING: u32 = 12;

/// Most candidates whose text [`Clusterer::assign`] loads and compares per article (nearest
/// first), bounding store reads when many stored fingerprints are close.
pub const DEFAULT_MAX_CONFIRM: usize = 8;

/// Bodies shorter than this many bytes (about 1,000 CJK characters) get the second, radius
/// probe in [`Clusterer::assign`] when the multi-probe confirms nothing ([`LshIndex::candidates`]'s
/// probes: complete within 11 bits up to 131,072 stored fingerprints, within 3 bits beyond).
pub const RADIUS_PASS_MAX_BYTES: usize = 3_000;

/// Assigns articles to reprint clusters (转载簇), one article at a time (a single writer).
///
/// Holds an [`LshIndex`] of the fingerprints seen, each with its cluster id. For a new article,
/// [`Clusterer::assign`] asks the index for stored fingerprints within the Hamming radius
/// ([`LshIndex::candidates_probe`]),
/// loads their text through the caller's lookup (nearest first, at most `max_confirm` of them)
/// and joins the cluster of the first that [`crate::same_story`] confirms; otherwise the article starts
/// its own cluster, whose id is its own id. The cluster id is therefore the id of the first
/// article seen of the story. The *original* (earliest published member) is the caller's to
/// compute from the store; [`earliest`] helps.
///
/// At startup rebuild the state from stored rows with [`Clusterer::restore`].
#[derive(Debug)]
pub struct Clusterer {
    index: LshIndex,
    max_hamming: u32,
    max_confirm: usize,
}

impl Default for Clusterer {
    fn default() -> Self {
        Self::new()
    }
}

impl Clusterer {
    /// An empty clusterer with [`DEFAULT_MAX_HAMMING`] and [`DEFAULT_MAX_CONFIRM`].
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_MAX_HAMMING, DEFAULT_MAX_CONFIRM)
    }

    /// An empty clusterer with another Hamming radius (0–64 bits; it only filters what the
    /// probes reach, so a larger radius costs no probes) and candidate cap.
    pub fn with_limits(max_hamming: u32, max_confirm: usize) -> Self {
        Clusterer {
            index: LshIndex::new(),
            max_hamming,
            max_confirm,
        }
    }

    /// An empty clusterer with default limits whose index keeps keys of `bits` bits whatever
    /// its size ([`LshIndex::with_key_bits`]): with a small test set, clusters as a large
    /// index would (19-bit keys from 524,289 to 1,048,576 entries). [`Clusterer::new`] is the
    /// one to use.
    pub fn with_key_bits(bits: u32) -> Self {
        Clusterer {
            index: LshIndex::with_key_bits(bits),
            max_hamming: DEFAULT_MAX_HAMMING,
            max_confirm: DEFAULT_MAX_CONFIRM,
        }
    }

    /// The fingerprint index (for `len` and memory figures).
    pub fn index(&self) -> &LshIndex {
        &self.index
    }

    /// Re-inserts one stored row at startup: article `id` with fingerprint `fp` belongs to
    /// cluster `cluster`. Rows without a fingerprint need no call. Errors with
    /// [`ClusterError::Full`] past 2³² − 1 entries.
    pub fn restore(
        &mut self,
        id: &ArticleId,
        fp: u64,
        cluster: &ArticleId,
    ) -> Result<(), ClusterError> {
        let pid = self.index.id_table.pack(id)?;
        let cid = self.index.id_table.pack(cluster)?;
        self.index.insert_packed(pid, fp, cid, id)
    }

    /// Forgets article `id` (deleted from the store); returns whether it was indexed. Other
    /// members keep their cluster id even when `id` was the cluster's first article.
    pub fn remove(&mut self, id: &ArticleId) -> bool {
        self.index.remove(id)
    }

    /// Cluster id for article `id` with fingerprint `fp` (from [`crate::fingerprint_detail`];
    /// with only a stored hash use `Fingerprint { hash, weak: 0 }`, which probes 4 buckets and
    /// finds fewer reprints) and
    /// text `text`; records it. `lookup` loads a stored article's headline and body by id
    /// (`None` when it is gone: that candidate is skipped). With `fp == None` the article is its
    /// own cluster and is not indexed. Assigning an id again replaces its entry.
    ///
    /// Cost: one index lookup (see [`LshIndex::candidates_probe`]), at most `max_confirm` calls of
    /// `lookup` and [`crate::same_story`], one insert. Errors with [`ClusterError::Full`] past
    /// 2³² − 1 entries.
    pub fn assign<F>(
        &mut self,
        id: &ArticleId,
        fp: Option<Fingerprint>,
        text: &StoryText<'_>,
        mut lookup: F,
    ) -> Result<ArticleId, ClusterError>
    where
        F: FnMut(&ArticleId) -> Option<OwnedStory>,
    {
        let Some(fp) = fp else {
            return Ok(id.clone());
        };
        let pid = self.index.id_table.pack(id)?;
        let mut cluster = pid;
        let mut tried = 0;
        let mut prepared: Option<Prepared> = None;
        // First the multi-probe on the query's weak bits (cheap, finds most reprints); when it
        // confirms nothing, the radius probe. Multi-probe is not symmetric: an
        // original stored first is missed by a reprint whose weak bits do not cover where
        // the two differ (seen with ~450-character reports 9 bits apart), so without the
        // second pass the clusters depended on arrival order.
        let mut seen: Vec<u32> = Vec::new();
        // The radius pass (4 × (1 + m + m(m−1)/2) probes, m = min(k, 16) for k-bit keys: 368
        // at 10,000 stored fingerprints, 548 from 131,072 on) costs several times the
        // multi-probe (≤ 32 probes; figures in BENCHMARKS.md from `examples/bench_cluster.rs`),
        // so it runs only for texts short enough to drift past the multi-probe: long texts'
        // SimHash is stable (test set: recall 1.000 with the multi-probe alone).
        let passes = if text.body.len() < RADIUS_PASS_MAX_BYTES {
            2
        } else {
            1
        };
        'passes: for pass in 0..passes {
            let slots = if pass == 0 {
                self.index.probe_slots(&fp, self.max_hamming)
            } else {
                self.index.radius_slots(fp.hash, self.max_hamming)
            };
            for (slot, _d) in slots {
                if tried >= self.max_confirm {
                    break 'passes;
                }
                if seen.contains(&slot) {
                    continue;
                }
                seen.push(slot);
                let Some((cand, cand_cluster)) = self.index.slot(slot) else {
                    continue;
                };
                if cand == pid {
                    continue;
                }
                tried += 1;
                let cand_id = self.index.id_table.unpack(cand);
                let Some(story) = lookup(&cand_id) else {
                    continue;
                };
                let me = prepared.get_or_insert_with(|| Prepared::new(text));
                if me.same_story(&Prepared::new(&story.as_text())) {
                    cluster = cand_cluster;
                    break 'passes;
                }
            }
        }
        self.index.insert_packed(pid, fp.hash, cluster, id)?;
        Ok(self.index.id_table.unpack(cluster))
    }
}

/// The original of a cluster: the member with the smallest key (e.g. publication time), ties
/// broken by the smaller id; `None` for no members. `members` yields (id, key) pairs.
///
/// ```
/// use yuqing_model::ArticleId;
/// let a = ArticleId::from_raw("a");
/// let b = ArticleId::from_raw("b");
/// let first = yuqing_cluster::earliest([(a.clone(), 20261130), (b.clone(), 20261129)]);
/// assert_eq!(first, Some(b));
/// ```
pub fn earliest<K: Ord>(members: impl IntoIterator<Item = (ArticleId, K)>) -> Option<ArticleId> {
    members
        .into_iter()
        .min_by(|(ia, ka), (ib, kb)| ka.cmp(kb).then_with(|| ia.cmp(ib)))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::HashMap;

    use super::*;
    use crate::fingerprint_detail;

    const BODY: &str = "本报讯（记者 孙洁）近日，市邮政管理局联合公安、国家安全等部门，对辖区内快递企业开展\
        寄递渠道安全专项检查。检查组重点检查了收寄验视、实名收寄、过机安检三项制度的落实情况，\
        对发现的未按规定验视、实名信息登记不全等问题，当场责令整改。";
    const OTHER: &str = "本报讯（记者 孙洁）日前，某快递网点在对一票寄往外省的包裹进行过机安检时，发现包裹内\
        藏有管制刀具，网点随即报告公安机关。警方经调查发现，寄件人以厨房用品的名义交寄，企图逃避\
        安检。目前，寄件人已被依法处理。";

    fn id(s: &str) -> ArticleId {
        ArticleId::from_canonical_url(s)
    }

    fn story(title: &str, body: &str) -> OwnedStory {
        OwnedStory {
            title: title.into(),
            body: body.into(),
        }
    }

    #[test]
    fn reprint_joins_cluster_and_other_story_does_not() {
        let mut store: HashMap<ArticleId, OwnedStory> = HashMap::new();
        let mut c = Clusterer::new();
        let a = id("https://a.cn/1");
        let sa = story("寄递渠道安全检查", BODY);
        let fa = fingerprint_detail(&sa.title, &sa.body);
        assert_eq!(c.assign(&a, fa, &sa.as_text(), |_| None).unwrap(), a);
        store.insert(a.clone(), sa);

        let b = id("https://b.cn/2");
        let body_b = format!("来源：某某网\n{BODY}\n扫一扫分享本页");
        let sb = story("多部门联合检查快递企业", &body_b);
        let calls = Cell::new(0);
        let got = c
            .assign(
                &b,
                fingerprint_detail(&sb.title, &sb.body),
                &sb.as_text(),
                |x| {
                    calls.set(calls.get() + 1);
                    store.get(x).cloned()
                },
            )
            .unwrap();
        assert_eq!(got, a);
        assert_eq!(calls.get(), 1);
        store.insert(b.clone(), sb);

        let o = id("https://c.cn/3");
        let so = story("快递网点查获管制刀具", OTHER);
        let got = c
            .assign(
                &o,
                fingerprint_detail(&so.title, &so.body),
                &so.as_text(),
                |x| store.get(x).cloned(),
            )
            .unwrap();
        assert_eq!(got, o);
        assert_eq!(c.index().len(), 3);
    }

    #[test]
    fn restore_remove_missing_text_and_no_fingerprint() {
        let fa = fingerprint_detail("t", BODY).unwrap();
        let (a, b, first) = (id("https://a/1"), id("https://b/2"), id("https://first/0"));
        let mut c = Clusterer::new();
        // Rebuilt state: `a` belongs to a cluster whose first article is not indexed.
        c.restore(&a, fa.hash, &first).unwrap();
        let text = StoryText {
            title: "t2",
            body: BODY,
        };
        let sa = story("t", BODY);
        assert_eq!(
            c.assign(&b, Some(fa), &text, |_| Some(sa.clone())).unwrap(),
            first
        );
        // Candidate text gone from the store: skipped, own cluster.
        let d = id("https://d/4");
        assert_eq!(c.assign(&d, Some(fa), &text, |_| None).unwrap(), d);
        // No fingerprint: own cluster, not indexed.
        let e = id("https://e/5");
        assert_eq!(c.assign(&e, None, &text, |_| None).unwrap(), e);
        assert_eq!(c.index().len(), 3);
        assert!(c.remove(&a));
        assert!(!c.remove(&e));
        assert_eq!(c.index().len(), 2);
        // Re-assigning an id replaces its entry and does not match itself.
        assert_eq!(c.assign(&d, Some(fa), &text, |_| None).unwrap(), d);
        assert_eq!(c.index().len(), 2);
    }

    #[test]
    fn confirm_cap_bounds_lookups() {
        let fa = fingerprint_detail("t", BODY).unwrap();
        let mut c = Clusterer::with_limits(DEFAULT_MAX_HAMMING, 2);
        for i in 0..5 {
            c.restore(
                &id(&format!("https://x/{i}")),
                fa.hash,
                &id(&format!("https://x/{i}")),
            )
            .unwrap();
        }
        let calls = Cell::new(0);
        let text = StoryText {
            title: "t",
            body: BODY,
        };
        let new = id("https://new/1");
        let got = c
            .assign(&new, Some(fa), &text, |_| {
                calls.set(calls.get() + 1);
                None
            })
            .unwrap();
        assert_eq!(got, new);
        assert_eq!(calls.get(), 2);
    }
}
