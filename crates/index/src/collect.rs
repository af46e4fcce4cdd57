//! Custom collectors over fast fields: facet counts and collapse-by-cluster.
//!
//! Both read only columnar fast fields (term ordinals per segment), never stored documents, so
//! their cost is a few column lookups per matching document. Ordinals are turned into strings
//! once per distinct value per segment, at harvest time.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
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

/// Best member of each reprint cluster among the matching documents: cluster id →
/// (rank key, address). Ties go to the lower document address (as `TopDocs` does).
pub(crate) type CollapseFruit = HashMap<String, (RankKey, DocAddress)>;

/// Keeps, per `cluster` value, the best-ranked matching document (by score, or by `sort_at`
/// when `by_time`).
pub(crate) struct CollapseCollector {
    pub(crate) by_time: bool,
}

/// Per-segment part of [`CollapseCollector`]: best (key, doc) per cluster ord.
pub(crate) struct CollapseSegment {
    segment: SegmentOrdinal,
    clusters: Option<(Column<u64>, StrColumn)>,
    time: Option<Column<tantivy::DateTime>>,
    best: Vec<Option<(RankKey, DocId)>>,
    /// Documents without a cluster value (not written by this crate's upsert): each is its own
    /// group, keyed by its address.
    loners: Vec<(RankKey, DocId)>,
}

/// True when `a` ranks before `b` (higher key, then lower address).
#[inline]
fn better(a: (RankKey, DocAddress), b: (RankKey, DocAddress)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl Collector for CollapseCollector {
    type Fruit = CollapseFruit;
    type Child = CollapseSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CollapseSegment> {
        let ff = reader.fast_fields();
        let clusters = ff.str(CLUSTER)?.map(|c| (c.ords().clone(), c));
        let best = vec![None; clusters.as_ref().map_or(0, |(_, c)| c.num_terms())];
        let time = if self.by_time {
            Some(ff.date(SORT_AT)?)
        } else {
            None
        };
        Ok(CollapseSegment {
            segment,
            clusters,
            time,
            best,
            loners: Vec::new(),
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
        let ord = self
            .clusters
            .as_ref()
            .and_then(|(ords, _)| ords.first(doc))
            .and_then(|o| usize::try_from(o).ok());
        match ord.and_then(|o| self.best.get_mut(o)) {
            // Documents arrive in increasing doc id: only a strictly higher key replaces.
            Some(slot) => match slot {
                Some((k, _)) if *k >= key => {}
                _ => *slot = Some((key, doc)),
            },
            None => self.loners.push((key, doc)),
        }
    }

    fn harvest(self) -> CollapseFruit {
        let mut out = HashMap::with_capacity(self.best.len() + self.loners.len());
        let segment = self.segment;
        if let Some((_, column)) = &self.clusters {
            let (ords, best): (Vec<u64>, Vec<(RankKey, DocId)>) = self
                .best
                .iter()
                .enumerate()
                .filter_map(|(ord, b)| b.map(|b| (ord as u64, b)))
                .unzip();
            let mut best = best.into_iter();
            for_each_term(column, &ords, |cluster| {
                if let (Some((key, doc)), Some(cluster)) = (best.next(), cluster) {
                    out.insert(cluster.to_string(), (key, DocAddress::new(segment, doc)));
                }
            });
        }
        for (key, doc) in self.loners {
            // `\u{0}` cannot start an article id (16 hex digits), so these never merge.
            out.insert(
                format!("\u{0}{segment}/{doc}"),
                (key, DocAddress::new(segment, doc)),
            );
        }
        out
    }
}

/// The best `keep` collapsed groups, ranked (key desc, address asc), as (cluster id, key,
/// address). Selects before sorting, so the cost is O(groups + keep·log keep).
pub(crate) fn rank_groups(fruit: CollapseFruit, keep: usize) -> Vec<(String, RankKey, DocAddress)> {
    let mut v: Vec<(String, RankKey, DocAddress)> =
        fruit.into_iter().map(|(k, (s, a))| (k, s, a)).collect();
    let order = |a: &(String, RankKey, DocAddress), b: &(String, RankKey, DocAddress)| {
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
