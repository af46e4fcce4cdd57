//! Custom collectors over fast fields: facet counts and collapse-by-cluster.
//!
//! Both read only columnar fast fields (term ordinals per segment), never stored documents, so
//! their cost is a few column lookups per matching document. Ordinals are turned into strings
//! once per distinct value per segment, at harvest time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::{CLUSTER, DAY, SENTIMENT, SORT_AT, SOURCE, THEME, TIER};
use crate::{FacetCount, Facets};

/// The facet dimensions, in the order of [`FacetFruit`]'s arrays.
const FACET_FIELDS: [&str; 5] = [THEME, SENTIMENT, TIER, SOURCE, DAY];

/// Counts per value of each facet dimension (indexes as in [`FACET_FIELDS`]).
pub(crate) type FacetFruit = [HashMap<String, u64>; 5];

/// Counts, over every matching live document, the values of the fast fields theme, sentiment,
/// tier, source and day.
pub(crate) struct FacetCollector;

/// One dimension in one segment: the term-ordinal column, its dictionary, and a counter per ord.
struct Dim {
    ords: Column<u64>,
    column: StrColumn,
    counts: Vec<u32>,
}

/// Per-segment part of [`FacetCollector`].
pub(crate) struct FacetSegment {
    dims: Vec<Option<Dim>>,
}

impl Collector for FacetCollector {
    type Fruit = FacetFruit;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = reader.fast_fields();
        let mut dims = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            dims.push(ff.str(name)?.map(|column| Dim {
                ords: column.ords().clone(),
                counts: vec![0; column.num_terms()],
                column,
            }));
        }
        Ok(FacetSegment { dims })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out = FacetFruit::default();
        for fruit in fruits {
            for (acc, part) in out.iter_mut().zip(fruit) {
                for (k, n) in part {
                    *acc.entry(k).or_insert(0) += n;
                }
            }
        }
        Ok(out)
    }
}

impl FacetSegment {
    #[inline]
    fn count(dim: &mut Dim, doc: DocId) {
        for ord in dim.ords.values_for_doc(doc) {
            if let Some(c) = usize::try_from(ord)
                .ok()
                .and_then(|o| dim.counts.get_mut(o))
            {
                *c += 1;
            }
        }
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for dim in self.dims.iter_mut().flatten() {
            FacetSegment::count(dim, doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        // Column by column: keeps one column's pages hot for the whole block.
        for dim in self.dims.iter_mut().flatten() {
            for &doc in docs {
                FacetSegment::count(dim, doc);
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        let mut out = FacetFruit::default();
        for (acc, dim) in out.iter_mut().zip(self.dims) {
            let Some(dim) = dim else { continue };
            let (ords, counts): (Vec<u64>, Vec<u32>) = dim
                .counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(ord, n)| (ord as u64, *n))
                .unzip();
            let mut counts = counts.into_iter();
            for_each_term(&dim.column, &ords, |key| {
                if let (Some(n), Some(key)) = (counts.next(), key) {
                    *acc.entry(key.to_string()).or_insert(0) += u64::from(n);
                }
            });
        }
        out
    }
}

/// Calls `f` with the term of each of `ords` (strictly increasing), in order, walking the
/// column's dictionary once block by block: a lookup per ord (`ord_to_str`) decodes a whole
/// sstable block each time, which made collapsing 5,000 clusters cost ~100 ms. `f` gets `None`
/// for a term that is not UTF-8; an I/O error on the mmap ends the walk early (the remaining
/// values are left out).
fn for_each_term(column: &StrColumn, ords: &[u64], mut f: impl FnMut(Option<&str>)) {
    // `ords` come from enumerate(): strictly increasing, as the callee asserts.
    let _ = column
        .dictionary()
        .sorted_ords_to_term_cb(ords, |bytes| f(std::str::from_utf8(bytes).ok()));
}

/// Turns the merged counts into [`Facets`], each list sorted by count desc, then key asc.
pub(crate) fn into_facets(fruit: FacetFruit) -> Facets {
    let [theme, sentiment, tier, source, day] = fruit.map(|m| {
        let mut v: Vec<FacetCount> = m
            .into_iter()
            .map(|(key, count)| FacetCount { key, count })
            .collect();
        v.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        v
    });
    Facets {
        theme,
        sentiment,
        tier,
        source,
        day,
    }
}

/// Ranking key of a collapsed group: the BM25 score, or the article time in seconds.
pub(crate) type RankKey = f64;

/// A collapse group: a reprint cluster (by [`cluster_key`]), or one document without a
/// cluster value (not written by this crate's upsert), which is its own group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GroupKey {
    /// Cluster id, as [`cluster_key`].
    Cluster(u64),
    /// A document without a cluster.
    Alone(DocAddress),
}

/// Best member of each group among the matching documents: group → (rank key, address).
/// Ties go to the lower document address (as `TopDocs` does).
pub(crate) type CollapseFruit = HashMap<GroupKey, (RankKey, DocAddress), MixBuild>;

/// Hasher for [`GroupKey`]s: cluster keys are already uniform 64-bit hashes, so a multiply-
/// rotate mix (the `FxHash` step of rustc) replaces SipHash, which was the largest single cost
/// of a collapsed search over many matches (`perf`, 100k articles). Not for untrusted keys
/// chosen to collide: cluster keys come from the index.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct MixBuild;

/// The hasher of [`MixBuild`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Mix(u64);

impl Mix {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
    fn write_isize(&mut self, x: isize) {
        self.add(x as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl std::hash::BuildHasher for MixBuild {
    type Hasher = Mix;
    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

/// The 64-bit key of a cluster id: the value of its 16 hex digits (every [`ArticleId`] is
/// such a hash of a canonical URL, so distinct ids give distinct keys), else FNV-1a 64 of the
/// bytes (for ids written by other means; a collision would merge two clusters' groups).
///
/// [`ArticleId`]: yuqing_model::ArticleId
pub(crate) fn cluster_key(id: &[u8]) -> u64 {
    if id.len() == 16
        && let Some(v) = std::str::from_utf8(id)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
    {
        return v;
    }
    id.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Per segment, the [`cluster_key`] of every term ordinal of the `cluster` column. Segments
/// never change, so a table is built once (one walk over the column's dictionary) and then
/// serves every collapsed search: before, each such search decoded the cluster id of every
/// matching cluster from the (zstd-compressed) dictionary and hashed it as a `String`.
#[derive(Default)]
pub(crate) struct ClusterKeyCache(Mutex<HashMap<SegmentId, Arc<Vec<u64>>>>);

impl ClusterKeyCache {
    /// The table of segment `id`, built from `column` if missing.
    fn get(&self, id: SegmentId, column: &StrColumn) -> std::io::Result<Arc<Vec<u64>>> {
        if let Some(t) = self.lock().get(&id) {
            return Ok(Arc::clone(t));
        }
        let mut keys = Vec::with_capacity(column.num_terms());
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            keys.push(cluster_key(stream.key()));
        }
        let table = Arc::new(keys);
        self.lock().insert(id, Arc::clone(&table));
        Ok(table)
    }

    /// Drops the tables of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<Vec<u64>>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Keeps, per reprint cluster, the best-ranked matching document (by score, or by `sort_at`
/// when `by_time`).
pub(crate) struct CollapseCollector<'a> {
    pub(crate) by_time: bool,
    pub(crate) keys: &'a ClusterKeyCache,
}

/// Per-segment part of [`CollapseCollector`]: best (rank key, doc) per cluster key.
pub(crate) struct CollapseSegment {
    segment: SegmentOrdinal,
    /// Cluster ordinals of the documents, and the ordinal → cluster key table.
    clusters: Option<(Column<u64>, Arc<Vec<u64>>)>,
    time: Option<Column<tantivy::DateTime>>,
    best: CollapseFruit,
}

/// True when `a` ranks before `b` (higher key, then lower address).
#[inline]
fn better(a: (RankKey, DocAddress), b: (RankKey, DocAddress)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl Collector for CollapseCollector<'_> {
    type Fruit = CollapseFruit;
    type Child = CollapseSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CollapseSegment> {
        let ff = reader.fast_fields();
        let clusters = match ff.str(CLUSTER)? {
            Some(c) => Some((c.ords().clone(), self.keys.get(reader.segment_id(), &c)?)),
            None => None,
        };
        let time = if self.by_time {
            Some(ff.date(SORT_AT)?)
        } else {
            None
        };
        Ok(CollapseSegment {
            segment,
            clusters,
            time,
            best: HashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        !self.by_time
    }

    fn merge_fruits(&self, fruits: Vec<CollapseFruit>) -> tantivy::Result<CollapseFruit> {
        let mut fruits = fruits.into_iter();
        let mut out = fruits.next().unwrap_or_default();
        for fruit in fruits {
            for (k, v) in fruit {
                match out.get_mut(&k) {
                    Some(cur) if better(v, *cur) => *cur = v,
                    Some(_) => {}
                    None => {
                        out.insert(k, v);
                    }
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for CollapseSegment {
    type Fruit = CollapseFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = match &self.time {
            // Undated documents cannot exist (sort_at is always written); rank them last.
            Some(t) => t
                .first(doc)
                .map_or(f64::MIN, |d| d.into_timestamp_secs() as f64),
            None => f64::from(score),
        };
        let address = DocAddress::new(self.segment, doc);
        let group = self
            .clusters
            .as_ref()
            .and_then(|(ords, keys)| {
                let ord = usize::try_from(ords.first(doc)?).ok()?;
                keys.get(ord).copied()
            })
            .map_or(GroupKey::Alone(address), GroupKey::Cluster);
        // Documents arrive in increasing doc id: only a strictly higher key replaces.
        match self.best.entry(group) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                if key > e.get().0 {
                    e.insert((key, address));
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((key, address));
            }
        }
    }

    fn harvest(self) -> CollapseFruit {
        self.best
    }
}

/// The best `keep` collapsed groups, ranked (key desc, address asc), as (group, key, address).
/// Selects before sorting, so the cost is O(groups + keep·log keep).
pub(crate) fn rank_groups(
    fruit: CollapseFruit,
    keep: usize,
) -> Vec<(GroupKey, RankKey, DocAddress)> {
    let mut v: Vec<(GroupKey, RankKey, DocAddress)> =
        fruit.into_iter().map(|(k, (s, a))| (k, s, a)).collect();
    let order = |a: &(GroupKey, RankKey, DocAddress), b: &(GroupKey, RankKey, DocAddress)| {
        b.1.total_cmp(&a.1).then_with(|| a.2.cmp(&b.2))
    };
    if keep == 0 {
        v.clear();
    } else if keep < v.len() {
        v.select_nth_unstable_by(keep - 1, order);
        v.truncate(keep);
    }
    v.sort_unstable_by(order);
    v
}

#[cfg(test)]
mod tests {
    use super::cluster_key;

    #[test]
    fn cluster_keys() {
        assert_eq!(cluster_key(b"00000000000000ff"), 255);
        assert_eq!(cluster_key(b"ffffffffffffffff"), u64::MAX);
        // Not 16 hex digits: hashed, and different ids give different keys.
        assert_ne!(cluster_key(b"cluster-a"), cluster_key(b"cluster-b"));
        assert_ne!(
            cluster_key(b"0000000000000g00"),
            cluster_key(b"0000000000000h00")
        );
    }
}
