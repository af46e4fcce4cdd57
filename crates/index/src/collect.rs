//! Custom collectors over fast fields: facet counts and collapse-by-cluster.
//!
//! Both read only per-segment tables built once from the columnar fast fields (term ordinals),
//! never stored documents: a [`FacetTable`] packs each document's facet ordinals into one
//! row, and [`ClusterKeyCache`] / [`GlobalClusters`] turn cluster ordinals into dense group
//! numbers, so a matching document costs a few array reads and increments. Ordinals are turned
//! into strings once per segment, when its table is built.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::{CLUSTER, DAY, SENTIMENT, SOURCE, THEME, TIER};
use crate::{FacetCount, Facets};

/// The single-valued facet dimensions, in the order of [`FacetTable::single`]'s rows and of
/// [`FacetFruit`]'s arrays after the theme.
const SINGLE_FIELDS: [&str; 4] = [SENTIMENT, TIER, SOURCE, DAY];

/// The facet counts of the segments of one search, each by its segment's ordinals; merged by
/// value once per search in [`into_facets`]. Harvesting every segment into maps keyed by
/// value (a `String` clone and a SipHash per value per segment, then a merge of the maps) was
/// ~11 % of a broad faceted search at 1,000,000 articles (`perf`, 12 segments).
#[derive(Default)]
pub(crate) struct FacetFruit(Vec<FacetCounter>);

/// Per segment, the facet ordinals of every document, copied once out of the fast-field
/// columns (theme, sentiment, tier, source, day) and packed into one `u64` per document: each
/// single-valued dimension in just enough bits for its ordinals plus an all-ones "none", and
/// the themes as a bit set when the segment has few enough theme values to fit the remaining
/// bits (39 plan themes + 23 bits of the others at 300 sources and a year of days), else in a
/// side list. Reading the columns per matching document (bit-unpacking, the optional index of
/// `day`, the multi-value index of `theme`) was the largest part of a broad faceted search,
/// and a first unpacked table (16 + ~11 bytes per document) was bound by memory traffic
/// (`perf`: the row load was 57 % of counting), so 8 bytes per document (8 MB at 1,000,000).
pub(crate) struct FacetTable {
    /// Per document: the packed ordinals (see [`Layout`]).
    rows: Vec<u64>,
    layout: Layout,
    /// When the themes did not fit the row: per document `d`, its theme ordinals are
    /// `theme_ords[theme_start[d]..theme_start[d + 1]]` (both empty otherwise).
    theme_start: Vec<u32>,
    theme_ords: Vec<u32>,
    /// Ordinal → value, per dimension (theme, sentiment, tier, source, day).
    names: [Vec<String>; 5],
}

/// Bit layout of a [`FacetTable`] row.
#[derive(Clone, Copy)]
struct Layout {
    /// Shift and width (bits) of sentiment, tier, source, day; all-ones = no value.
    fields: [(u32, u32); 4],
    /// Shift of the theme bit set, when themes are in the row.
    theme_shift: Option<u32>,
}

/// Bits for ordinals `0..terms` plus the all-ones "none" value.
fn width(terms: usize) -> u32 {
    (usize::BITS - terms.leading_zeros()).max(1)
}

impl FacetTable {
    /// Builds the table of one segment (about 100 ns per document).
    fn build(reader: &SegmentReader) -> tantivy::Result<FacetTable> {
        let ff = reader.fast_fields();
        let max_doc = reader.max_doc();
        let n = max_doc as usize;
        let mut names: [Vec<String>; 5] = Default::default();
        let mut columns = Vec::with_capacity(SINGLE_FIELDS.len());
        for (dim, name) in SINGLE_FIELDS.iter().enumerate() {
            let column = ff.str(name)?;
            if let (Some(c), Some(slot)) = (&column, names.get_mut(dim + 1)) {
                *slot = term_names(c)?;
            }
            columns.push(column);
        }
        let themes = ff.str(THEME)?;
        if let Some(c) = &themes {
            names[0] = term_names(c)?;
        }
        let mut fields = [(0u32, 0u32); 4];
        let mut shift = 0u32;
        for (f, names) in fields.iter_mut().zip(names.iter().skip(1)) {
            let w = width(names.len());
            *f = (shift, w);
            shift += w;
        }
        // Single-valued dimensions beyond 64 bits cannot happen below 2^16 values each; such a
        // segment would count wrongly, so it is refused rather than mis-packed.
        if shift > 64 {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "facet values of segment {} need {shift} bits",
                reader.segment_id().short_uuid_string()
            )));
        }
        let theme_shift = (names[0].len() <= (64 - shift) as usize).then_some(shift);
        let layout = Layout {
            fields,
            theme_shift,
        };
        let mut rows = vec![0u64; n];
        for ((column, &(sh, w)), _) in columns.iter().zip(&fields).zip(0..) {
            let none = (1u64 << w) - 1;
            match column {
                Some(c) => {
                    let ords = c.ords();
                    for (doc, row) in (0..max_doc).zip(rows.iter_mut()) {
                        let v = ords.first(doc).filter(|&o| o < none).unwrap_or(none);
                        *row |= v << sh;
                    }
                }
                None => rows.iter_mut().for_each(|row| *row |= none << sh),
            }
        }
        let mut theme_start = Vec::new();
        let mut theme_ords = Vec::new();
        if let Some(c) = &themes {
            let ords = c.ords();
            match theme_shift {
                Some(sh) => {
                    for (doc, row) in (0..max_doc).zip(rows.iter_mut()) {
                        for o in ords.values_for_doc(doc) {
                            // o < names[0].len() <= 64 - sh, so the shift stays below 64.
                            if let Some(bit) = 1u64.checked_shl(sh + o as u32) {
                                *row |= bit;
                            }
                        }
                    }
                }
                None => {
                    theme_start.reserve(n + 1);
                    theme_start.push(0);
                    for doc in 0..max_doc {
                        theme_ords.extend(
                            ords.values_for_doc(doc)
                                .map(|o| u32::try_from(o).unwrap_or(u32::MAX)),
                        );
                        theme_start.push(u32::try_from(theme_ords.len()).unwrap_or(u32::MAX));
                    }
                }
            }
        }
        Ok(FacetTable {
            rows,
            layout,
            theme_start,
            theme_ords,
            names,
        })
    }

    /// Fresh zeroed counters for this segment: one per ordinal, plus one for the "none" value
    /// of each single-valued dimension (never reported), so counting needs no test.
    fn counters(&self) -> [Vec<u32>; 5] {
        let mut out: [Vec<u32>; 5] = Default::default();
        out[0] = vec![0; self.names[0].len()];
        for (c, &(_, w)) in out.iter_mut().skip(1).zip(&self.layout.fields) {
            *c = vec![0; 1usize << w];
        }
        out
    }

    /// Adds `doc`'s values to `counts` (from [`FacetTable::counters`]).
    #[inline]
    fn count(&self, counts: &mut [Vec<u32>; 5], doc: DocId) {
        let d = doc as usize;
        let Some(&row) = self.rows.get(d) else { return };
        let [theme, rest @ ..] = counts;
        for (c, &(sh, w)) in rest.iter_mut().zip(&self.layout.fields) {
            let ord = (row >> sh) & ((1u64 << w) - 1);
            // `c` has 2^w entries: always in range.
            if let Some(x) = c.get_mut(ord as usize) {
                *x += 1;
            }
        }
        match self.layout.theme_shift {
            Some(sh) => {
                let mut bits = row.checked_shr(sh).unwrap_or(0);
                while bits != 0 {
                    if let Some(x) = theme.get_mut(bits.trailing_zeros() as usize) {
                        *x += 1;
                    }
                    bits &= bits - 1;
                }
            }
            None => {
                if let (Some(&a), Some(&b)) = (self.theme_start.get(d), self.theme_start.get(d + 1))
                    && let Some(ords) = self.theme_ords.get(a as usize..b as usize)
                {
                    for &ord in ords {
                        if let Some(x) = theme.get_mut(ord as usize) {
                            *x += 1;
                        }
                    }
                }
            }
        }
    }
}

/// Every term of `column`'s dictionary, in ordinal order (non-UTF-8 terms become empty strings,
/// keeping the ordinals aligned).
fn term_names(column: &StrColumn) -> std::io::Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.num_terms());
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// A fast hasher (the multiply-rotate `FxHash` step of rustc) for keys that come from the index
/// (snippet terms): SipHash was a visible cost per lookup. Not for untrusted keys chosen to
/// collide.
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

/// Per-segment tables of type `T`, built once per segment and shared by every search (segments
/// never change). Tables of merged-away segments are dropped by [`SegmentCache::retain`].
pub(crate) struct SegmentCache<T>(Mutex<HashMap<SegmentId, Arc<T>>>);

impl<T> Default for SegmentCache<T> {
    fn default() -> Self {
        SegmentCache(Mutex::new(HashMap::new()))
    }
}

impl<T> SegmentCache<T> {
    /// The table of segment `id`, built by `build` if missing. The lock is held while building,
    /// so concurrent first searches build a table once.
    fn get_or_build<E>(
        &self,
        id: SegmentId,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let mut map = self.lock();
        if let Some(t) = map.get(&id) {
            return Ok(Arc::clone(t));
        }
        let table = Arc::new(build()?);
        map.insert(id, Arc::clone(&table));
        Ok(table)
    }

    /// Drops the tables of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<T>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The [`FacetTable`]s of the live segments.
pub(crate) type FacetCache = SegmentCache<FacetTable>;

/// The facet table of `reader`'s segment, from `cache` or built.
pub(crate) fn facet_table(
    cache: &FacetCache,
    reader: &SegmentReader,
) -> tantivy::Result<Arc<FacetTable>> {
    cache.get_or_build(reader.segment_id(), || FacetTable::build(reader))
}

/// Running facet counts of one segment: its table and one counter per ordinal.
pub(crate) struct FacetCounter {
    table: Arc<FacetTable>,
    counts: [Vec<u32>; 5],
}

impl FacetCounter {
    /// Zeroed counters over `table`.
    pub(crate) fn new(table: Arc<FacetTable>) -> FacetCounter {
        let counts = table.counters();
        FacetCounter { table, counts }
    }

    /// Counts `doc`'s facet values.
    #[inline]
    pub(crate) fn count(&mut self, doc: DocId) {
        self.table.count(&mut self.counts, doc);
    }

    /// Adds this segment's counts to `out`.
    pub(crate) fn harvest_into(self, out: &mut FacetFruit) {
        out.0.push(self);
    }
}

/// Counts the matching live documents and, over them, the values of theme, sentiment, tier,
/// source and day. Never scores.
pub(crate) struct FacetCollector<'a> {
    pub(crate) tables: &'a FacetCache,
}

/// Per-segment part of [`FacetCollector`].
pub(crate) struct FacetSegment {
    total: u64,
    counter: FacetCounter,
}

impl Collector for FacetCollector<'_> {
    type Fruit = (u64, FacetFruit);
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        Ok(FacetSegment {
            total: 0,
            counter: FacetCounter::new(facet_table(self.tables, reader)?),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u64, FacetFruit)>) -> tantivy::Result<(u64, FacetFruit)> {
        let mut out = FacetFruit::default();
        let mut total = 0;
        for (n, fruit) in fruits {
            total += n;
            out.0.extend(fruit.0);
        }
        Ok((total, out))
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = (u64, FacetFruit);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        self.counter.count(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        for &doc in docs {
            self.counter.count(doc);
        }
    }

    fn harvest(self) -> (u64, FacetFruit) {
        let mut out = FacetFruit::default();
        self.counter.harvest_into(&mut out);
        (self.total, out)
    }
}

/// Adds up the segments' counts by value into [`Facets`], each list sorted by count desc, then
/// key asc (the "none" counters have no name and are skipped).
pub(crate) fn into_facets(fruit: FacetFruit) -> Facets {
    let mut maps: [HashMap<&str, u64, MixBuild>; 5] = Default::default();
    for part in &fruit.0 {
        for ((acc, counts), names) in maps.iter_mut().zip(&part.counts).zip(&part.table.names) {
            for (&n, name) in counts.iter().zip(names) {
                if n > 0 {
                    *acc.entry(name.as_str()).or_insert(0) += u64::from(n);
                }
            }
        }
    }
    let [theme, sentiment, tier, source, day] = maps.map(|m| {
        let mut v: Vec<FacetCount> = m
            .into_iter()
            .map(|(key, count)| FacetCount {
                key: key.to_string(),
                count,
            })
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

/// Per segment, the [`cluster_key`] of every term ordinal of the `cluster` column (one walk
/// over the column's dictionary per segment, ever).
pub(crate) type ClusterKeyCache = SegmentCache<Vec<u64>>;

/// The keys of every term of `column`, in ordinal order.
fn key_table(column: &StrColumn) -> std::io::Result<Vec<u64>> {
    let mut keys = Vec::with_capacity(column.num_terms());
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        keys.push(cluster_key(stream.key()));
    }
    Ok(keys)
}

/// Marks a cluster ordinal without a group number (cannot happen for a table built from the
/// same segments; such documents are then their own group).
const NO_GROUP: u32 = u32::MAX;

/// Dense group numbers `0..n` for the distinct clusters of a set of segments, per document, so
/// collapsing keeps its best member per cluster in a plain array instead of a hash map keyed
/// by cluster (hashing and merging per-segment maps was ~17 % of the 1,000,000-article search
/// mix, `perf`). Numbers are given in order of first appearance (segment by segment, document
/// by document): reprints are close in time to their cluster's first article, so the array a
/// search touches is read almost in order (numbering by key instead made two cache misses per
/// matching document, ~85 % of the collapse loop).
pub(crate) struct GlobalClusters {
    /// Number of distinct clusters.
    n: usize,
    /// Per segment: document → group number ([`NO_GROUP`] when the document has no cluster).
    by_segment: HashMap<SegmentId, Vec<u32>>,
}

/// The [`GlobalClusters`] of the searcher last asked for, rebuilt when its set of segments
/// changes (a commit or a merge): one hash-map insert per document, ~0.1 s at 1,000,000.
#[derive(Default)]
pub(crate) struct GlobalClusterCache(Mutex<Option<(Vec<SegmentId>, Arc<GlobalClusters>)>>);

impl GlobalClusterCache {
    /// The group numbers of `searcher`'s segments (per-segment key tables from `keys`).
    fn get(
        &self,
        searcher: &tantivy::Searcher,
        keys: &ClusterKeyCache,
    ) -> tantivy::Result<Arc<GlobalClusters>> {
        let ids: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        let mut cached = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((have, table)) = &*cached
            && *have == ids
        {
            return Ok(Arc::clone(table));
        }
        let mut number: HashMap<u64, u32, MixBuild> = HashMap::default();
        let mut by_segment = HashMap::with_capacity(ids.len());
        for reader in searcher.segment_readers() {
            let max_doc = reader.max_doc();
            let mut groups = vec![NO_GROUP; max_doc as usize];
            if let Some(c) = reader.fast_fields().str(CLUSTER)? {
                let table = keys.get_or_build(reader.segment_id(), || key_table(&c))?;
                let ords = c.ords();
                for (doc, g) in (0..max_doc).zip(groups.iter_mut()) {
                    let Some(&key) = ords
                        .first(doc)
                        .and_then(|o| table.get(usize::try_from(o).ok()?))
                    else {
                        continue;
                    };
                    let next = u32::try_from(number.len()).unwrap_or(NO_GROUP);
                    *g = *number.entry(key).or_insert(next);
                }
            }
            by_segment.insert(reader.segment_id(), groups);
        }
        let table = Arc::new(GlobalClusters {
            n: number.len(),
            by_segment,
        });
        *cached = Some((ids, Arc::clone(&table)));
        Ok(table)
    }
}

/// Every per-segment table a search uses, kept by [`crate::ArticleIndex`] across searches.
#[derive(Default)]
pub(crate) struct Caches {
    /// Cluster keys per segment.
    pub(crate) keys: ClusterKeyCache,
    /// Dense cluster group numbers of the current segments.
    pub(crate) global: GlobalClusterCache,
    /// Facet ordinals per segment.
    pub(crate) facets: FacetCache,
    /// Totals, facets and collapsed groups of recent searches.
    pub(crate) results: crate::search::ResultCache,
}

impl Caches {
    /// Drops the tables of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        self.keys.retain(live);
        self.facets.retain(live);
    }
}

/// The per-search state of a collapse: for every matching group its best (rank key, address).
pub(crate) struct Collapsed {
    /// Best member of each matching group, in order of first match.
    pub(crate) groups: Vec<(RankKey, DocAddress)>,
    /// Facet counts over all matching articles, when asked for.
    pub(crate) facets: Option<FacetFruit>,
}

/// Runs `query` over every segment keeping, per reprint cluster, the best-ranked matching
/// document (by BM25 score, or by `sort_at` when `by_time`; ties to the lower address, as
/// `TopDocs`), and counting facets over all matches when `facets` is given. One pass over the
/// matches; a document without a cluster value is its own group.
///
/// # Errors
/// A tantivy error when a column or posting list cannot be read.
pub(crate) fn collapse(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
    by_time: bool,
    keys: &ClusterKeyCache,
    global: &GlobalClusterCache,
    facets: Option<&FacetCache>,
) -> tantivy::Result<Collapsed> {
    use tantivy::query::EnableScoring;
    let clusters = global.get(searcher, keys)?;
    let weight = query.weight(if by_time {
        EnableScoring::disabled_from_searcher(searcher)
    } else {
        EnableScoring::enabled_from_searcher(searcher)
    })?;
    // Group number → 1 + index in `best` (0: not matched yet). Zeroed pages are mapped lazily.
    let mut slot: Vec<u32> = vec![0; clusters.n];
    let mut best: Vec<(RankKey, DocAddress)> = Vec::new();
    let mut fruit = facets.map(|_| FacetFruit::default());
    for (seg, reader) in searcher.segment_readers().iter().enumerate() {
        let seg = SegmentOrdinal::try_from(seg).unwrap_or(SegmentOrdinal::MAX);
        let numbers: &[u32] = clusters
            .by_segment
            .get(&reader.segment_id())
            .map_or(&[], Vec::as_slice);
        let ff = reader.fast_fields();
        let time = if by_time {
            Some(ff.date(crate::schema::SORT_AT)?)
        } else {
            None
        };
        let mut counter = match facets {
            Some(cache) => Some(FacetCounter::new(facet_table(cache, reader)?)),
            None => None,
        };
        let alive = reader.alive_bitset();
        {
            let mut on_doc = |doc: DocId, score: Score| {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    return;
                }
                if let Some(c) = counter.as_mut() {
                    c.count(doc);
                }
                let key = match &time {
                    // Undated documents cannot exist (sort_at is always written); rank them last.
                    Some(t) => t
                        .first(doc)
                        .map_or(f64::MIN, |d| d.into_timestamp_secs() as f64),
                    None => f64::from(score),
                };
                let address = DocAddress::new(seg, doc);
                let group = numbers
                    .get(doc as usize)
                    .and_then(|&g| slot.get_mut(g as usize));
                match group {
                    Some(s) if *s == 0 => {
                        best.push((key, address));
                        // At most one entry per document: fits u32 (tantivy doc ids are u32).
                        *s = u32::try_from(best.len()).unwrap_or(u32::MAX);
                    }
                    Some(s) => {
                        // Documents arrive in increasing address: only a strictly higher key
                        // replaces.
                        if let Some(b) = best.get_mut(*s as usize - 1)
                            && key > b.0
                        {
                            *b = (key, address);
                        }
                    }
                    None => best.push((key, address)),
                }
            };
            if by_time {
                weight.for_each_no_score(reader, &mut |docs| {
                    for &doc in docs {
                        on_doc(doc, 0.0);
                    }
                })?;
            } else {
                weight.for_each(reader, &mut on_doc)?;
            }
        }
        if let (Some(c), Some(f)) = (counter, fruit.as_mut()) {
            c.harvest_into(f);
        }
    }
    Ok(Collapsed {
        groups: best,
        facets: fruit,
    })
}

/// The best `keep` collapsed groups, ranked (key desc, address asc), as (key, address).
/// Selects before sorting, so the cost is O(groups + keep·log keep).
pub(crate) fn rank_groups(
    mut v: Vec<(RankKey, DocAddress)>,
    keep: usize,
) -> Vec<(RankKey, DocAddress)> {
    let order = |a: &(RankKey, DocAddress), b: &(RankKey, DocAddress)| {
        b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
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
