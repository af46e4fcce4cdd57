//! In-memory multi-index lookup of fingerprints within a Hamming radius.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use yuqing_model::ArticleId;

use crate::{ClusterError, Fingerprint};

/// Number of bands (tables) the 64 fingerprint bits are split into.
pub const BANDS: usize = 4;

/// An article id packed for the index: the 16 lowercase hex digits of
/// [`ArticleId::from_canonical_url`] as a `u64` (8 bytes instead of a 40-byte heap string), any
/// other spelling as an index into a side table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PackedId {
    /// A 16-digit lowercase hex id.
    Hex(u64),
    /// Index into [`IdTable::others`].
    Other(u32),
}

/// Interns article ids into [`PackedId`]s and back.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    others: Vec<Box<str>>,
    other_of: HashMap<Box<str>, u32>,
}

impl IdTable {
    /// Packs `id`, interning it when it is not 16 lowercase hex digits.
    pub(crate) fn pack(&mut self, id: &ArticleId) -> Result<PackedId, ClusterError> {
        if let Some(p) = self.find(id) {
            return Ok(p);
        }
        let n = u32::try_from(self.others.len())
            .map_err(|_| ClusterError::Full { id: id.to_string() })?;
        let s: Box<str> = id.as_str().into();
        self.others.push(s.clone());
        self.other_of.insert(s, n);
        Ok(PackedId::Other(n))
    }

    /// Packs `id` without interning: `None` for an unknown non-hex id.
    pub(crate) fn find(&self, id: &ArticleId) -> Option<PackedId> {
        let s = id.as_str();
        if s.len() == 16 {
            // One pass over the digits (the hot path: every id of the pipeline is hex).
            let hex = s.bytes().try_fold(0u64, |acc, b| {
                let d = match b {
                    b'0'..=b'9' => b - b'0',
                    b'a'..=b'f' => b - b'a' + 10,
                    _ => return None,
                };
                Some(acc << 4 | u64::from(d))
            });
            if let Some(h) = hex {
                return Some(PackedId::Hex(h));
            }
        }
        self.other_of.get(s).map(|&n| PackedId::Other(n))
    }

    /// The id `p` stands for.
    pub(crate) fn unpack(&self, p: PackedId) -> ArticleId {
        match p {
            PackedId::Hex(h) => ArticleId::from_raw(format!("{h:016x}")),
            PackedId::Other(n) => ArticleId::from_raw(
                self.others
                    .get(n as usize)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Hasher of the id → slot map: the SplitMix64 finaliser (Steele, Lea & Flood 2014) over the
/// written words. The keys are [`PackedId`]s, whose 64-bit form is already a BLAKE3-derived
/// value ([`ArticleId::from_canonical_url`]), so the default SipHash (about 20 ns a key) buys
/// no spread; this costs a few multiplications.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 30;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 27;
        h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^ (h >> 31)
    }
}

type SlotMap = HashMap<PackedId, u32, BuildHasherDefault<IdHasher>>;

/// Band values addressed by a table key: the first band of a key (see [`window`]).
const BAND_BITS: u32 = 64 / BANDS as u32;

/// Key width of a new growing index: 2¹⁰ buckets per table (4 × 64 KiB).
pub const MIN_KEY_BITS: u32 = 10;
/// Widest key a growing index uses: 2²⁴ buckets per table (4 × 1 GiB), reached past 2²⁴
/// (16.8 million) entries; beyond it buckets fill up (spill) instead of the keys widening.
pub const MAX_KEY_BITS: u32 = 24;

/// Entries a bucket holds inline (one 64-byte cache line); more go to the table's spill map.
const BUCKET_CAP: usize = 5;

/// One bucket: up to [`BUCKET_CAP`] full fingerprints and their slots in one cache line, so
/// a probe is one memory access. `spilled` marks a bucket whose further entries are in
/// [`Table::spill`] (about 2 % of the buckets at the highest occupancy of 2 with random
/// fingerprints: Poisson(2) exceeds 5 with probability 0.017).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Bucket {
    fps: [u64; BUCKET_CAP],
    slots: [u32; BUCKET_CAP],
    len: u8,
    spilled: bool,
}

type SpillMap = HashMap<u32, Vec<(u64, u32)>, BuildHasherDefault<IdHasher>>;

/// One table: `2^key_bits` buckets addressed directly by the key (see [`window`]), and the
/// entries of full buckets in a side map.
#[derive(Debug)]
struct Table {
    buckets: Vec<Bucket>,
    spill: SpillMap,
}

impl Table {
    fn new(key_bits: u32) -> Self {
        Table {
            buckets: vec![Bucket::default(); 1 << key_bits],
            spill: SpillMap::default(),
        }
    }

    /// Adds (`fp`, `slot`) to bucket `key` (a key below `2^key_bits`).
    fn push(&mut self, key: usize, fp: u64, slot: u32) {
        let Some(bk) = self.buckets.get_mut(key) else {
            return;
        };
        let n = usize::from(bk.len);
        if let (Some(f), Some(s)) = (bk.fps.get_mut(n), bk.slots.get_mut(n)) {
            *f = fp;
            *s = slot;
            bk.len += 1;
        } else {
            bk.spilled = true;
            // key < 2^MAX_KEY_BITS fits u32.
            self.spill.entry(key as u32).or_default().push((fp, slot));
        }
    }

    /// Removes the entry of `slot` from bucket `key`; a spilled entry takes the freed place.
    fn remove(&mut self, key: usize, slot: u32) {
        let Some(bk) = self.buckets.get_mut(key) else {
            return;
        };
        let n = usize::from(bk.len);
        let inline = bk
            .slots
            .get(..n)
            .and_then(|s| s.iter().position(|&x| x == slot));
        let spill_key = key as u32;
        if let Some(i) = inline {
            // n >= 1 since position found an entry below n.
            bk.fps.swap(i, n - 1);
            bk.slots.swap(i, n - 1);
            bk.len -= 1;
            if bk.spilled
                && let Some(v) = self.spill.get_mut(&spill_key)
                && let Some((f, s)) = v.pop()
            {
                let m = usize::from(bk.len);
                if let (Some(bf), Some(bs)) = (bk.fps.get_mut(m), bk.slots.get_mut(m)) {
                    *bf = f;
                    *bs = s;
                    bk.len += 1;
                }
                if v.is_empty() {
                    self.spill.remove(&spill_key);
                    bk.spilled = false;
                }
            }
        } else if bk.spilled
            && let Some(v) = self.spill.get_mut(&spill_key)
            && let Some(i) = v.iter().position(|&(_, s)| s == slot)
        {
            v.swap_remove(i);
            if v.is_empty() {
                self.spill.remove(&spill_key);
                bk.spilled = false;
            }
        }
    }

    /// Renames `from` to `to` in bucket `key`.
    fn rename(&mut self, key: usize, from: u32, to: u32) {
        let Some(bk) = self.buckets.get_mut(key) else {
            return;
        };
        let n = usize::from(bk.len);
        if let Some(s) = bk
            .slots
            .get_mut(..n)
            .and_then(|s| s.iter_mut().find(|x| **x == from))
        {
            *s = to;
        } else if bk.spilled
            && let Some(e) = self
                .spill
                .get_mut(&(key as u32))
                .and_then(|v| v.iter_mut().find(|e| e.1 == from))
        {
            e.1 = to;
        }
    }

    fn heap_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
            + self
                .spill
                .values()
                .map(|v| v.capacity() * 16 + 40)
                .sum::<usize>()
    }
}

/// Most weak bits flipped per table by [`LshIndex::candidates_probe`] (at most 2³ = 8 probes
/// per table, about 25 in all). Measured with 4 (about 35 probes, 3-character shingles): eval
/// recall in the worst of 5 arrival orders 0.987 instead of 0.970, but lookup+insert at
/// 1,000,000 entries about 45 % slower.
pub const MAX_BAND_FLIPS: u32 = 3;

/// Which keys a lookup probes.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// Every key within this many bits of the query's key.
    Radius(u32),
    /// The query's key with every subset of the table's mask flipped.
    Flips([usize; BANDS]),
}

impl Probe {
    /// True when table `b` (keys of `bits` bits) probes the key of an entry differing from the
    /// query by `diff`.
    #[inline]
    fn reaches(&self, b: usize, bits: u32, diff: u64) -> bool {
        let d = window(diff, b, bits);
        match self {
            // Within `r` bits on the table's own band, equal on the bits borrowed beyond it.
            Probe::Radius(r) => d >> BAND_BITS == 0 && (d as u64).count_ones() <= *r,
            Probe::Flips(masks) => d & !masks.get(b).copied().unwrap_or(0) == 0,
        }
    }

    /// Writes the keys to probe in table `b` (keys of `bits` bits) around `q` into `out`;
    /// returns how many (at most [`MAX_PROBES_PER_TABLE`]).
    fn keys(&self, b: usize, bits: u32, q: usize, out: &mut [u32; MAX_PROBES_PER_TABLE]) -> usize {
        let mut n = 0;
        let mut put = |v: usize| {
            if let Some(o) = out.get_mut(n) {
                // Keys are masked to at most MAX_KEY_BITS = 24 bits.
                *o = v as u32;
                n += 1;
            }
        };
        match *self {
            Probe::Radius(r) => {
                // Only bits of the table's own band are flipped (the key's first 16 bits):
                // bits borrowed from the next band stay the query's, so the probe count stops
                // growing once keys are 16 bits wide.
                let band = bits.min(BAND_BITS);
                put(q);
                if r >= 1 {
                    for i in 0..band {
                        put(q ^ (1 << i));
                        if r >= 2 {
                            for j in i + 1..band {
                                put(q ^ (1 << i) ^ (1 << j));
                            }
                        }
                    }
                }
            }
            Probe::Flips(masks) => {
                // Every subset of the table's weak bits (sub-mask enumeration).
                let m = masks.get(b).copied().unwrap_or(0);
                let mut s = m;
                loop {
                    put(q ^ s);
                    if s == 0 {
                        break;
                    }
                    s = (s - 1) & m;
                }
            }
        }
        n
    }
}

/// Largest per-table probe radius [`LshIndex::candidates`] uses.
const MAX_PROBE_RADIUS: u32 = 2;

/// Most probes in one table: 1 + 16 + 120 keys within 2 bits of the key on the table's
/// 16-bit band ([`MAX_PROBE_RADIUS`]); 2³ for the multi-probe ([`MAX_BAND_FLIPS`]).
const MAX_PROBES_PER_TABLE: usize = 137;

/// Key of table `b` for fingerprint `fp` with keys of `bits` bits: the `bits` bits starting
/// at bit `16·b`, wrapping past bit 63. Up to 16 bits the key lies within band `b`, so the
/// four keys are disjoint substrings (multi-index hashing proper); wider keys take the low
/// bits of the next band as well.
#[inline]
fn window(fp: u64, b: usize, bits: u32) -> usize {
    ((fp.rotate_right(b as u32 * BAND_BITS)) & ((1u64 << bits) - 1)) as usize
}

/// Population count of each 64-bit lane by the SWAR method (Warren, *Hacker's Delight* §5-1),
/// using only shifts, masks and adds, so that the compiler can run two lanes per SSE2
/// register (the `popcnt` instruction is not in the baseline x86-64 target).
#[inline(always)]
fn popcount_lanes<const N: usize>(x: [u64; N]) -> [u64; N] {
    x.map(|v| {
        let v = v - ((v >> 1) & 0x5555_5555_5555_5555);
        let v = (v & 0x3333_3333_3333_3333) + ((v >> 2) & 0x3333_3333_3333_3333);
        let v = (v + (v >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        let v = v + (v >> 8);
        let v = v + (v >> 16);
        (v + (v >> 32)) & 0x7f
    })
}

/// Lookup of 64-bit fingerprints by Hamming distance by multi-index hashing (Manku, Jain &
/// Das Sarma 2007 §3; Norouzi, Punjani & Fleet, "Fast search in Hamming space with
/// multi-index hashing", CVPR 2012), with keys that widen as the index grows so that a bucket
/// holds at most about 2 entries at any size.
///
/// Four tables; table `b` is keyed by the `k` bits starting at bit `16·b` and
/// has `2^k` buckets of one 64-byte cache line each, holding up to 5 full fingerprints and
/// their slots inline (more spill into a side map). The key width `k` starts at
/// [`MIN_KEY_BITS`] and grows by one bit, rebuilding the tables, whenever the index passes
/// `2^(k+1)` entries (occupancy 2), up to [`MAX_KEY_BITS`]; a rebuild re-inserts every entry,
/// and since it happens when the size doubles its cost is O(1) amortised per insert. So a
/// probe is one cache line whatever the size, and the number of probes of a lookup does not
/// depend on the size either. Two ways to choose the probed keys:
///
/// * [`LshIndex::candidates`] (radius `r`): in every table, all keys that differ from the
///   query's in at most `r / 4` bits (capped at 2) of the table's own band, the first
///   `m = min(k, 16)` bits of the key: 4 × (1 + m + m(m−1)/2) probes, 4 × 137 = 548 for every
///   `k ≥ 16`, so the count stops growing at 131,072 entries (it was 4 × 191 = 764 at k = 19
///   when the borrowed bits were flipped too). While `k ≤ 16` the keys are disjoint
///   substrings and, by the pigeonhole principle, the result is complete for `r ≤ 11` (11
///   differing bits over 4 bands leave some band with at most 2). Wider keys overlap (each
///   also takes the low `k − 16` bits of the next band, which a probe keeps as the query's),
///   so an entry is reached only through a table whose band differs in at most 2 bits and
///   whose borrowed bits do not differ at all. Each differing bit spoils at most one table
///   through the borrowed bits, and a table's band needs 3 differing bits to spoil it, so 3
///   differing bits spoil at most 3 of the 4 tables: a lookup with `r` 8–11 finds every entry
///   within 3 bits (one differing bit in each band's borrowed bits hides an entry 4 bits
///   away), not all within `r`. Measured on the project's short reports
///   (`tests/cluster_eval.rs`, 19-bit keys as at 1,000,000 entries): recall 0.663, against
///   0.688 when all `k` key bits were flipped (complete within 5 bits), for 28 % fewer probes.
/// * [`LshIndex::candidates_probe`] (multi-probe): in every table, the query's key with every
///   combination of its least-confident bits within the key flipped, at most 32 probes; what
///   [`crate::Clusterer`] uses. With wider keys an entry must also agree with the query on
///   the extra bits (or differ only in weak ones), so a large index reaches fewer reprints per
///   probe than a small one: `tests/cluster_eval.rs` measures recall with the key width fixed
///   at the width of a 1,000,000-entry index (19 bits) and wider.
///
/// Memory: 4 × `2^k` × 64 bytes of buckets, which is 128 to 256 bytes per entry (occupancy 2
/// down to 1 just after a rebuild), plus 32 bytes per entry of slot arrays and id map;
/// [`LshIndex::heap_bytes`] counts it. An empty index holds 4 × 64 KiB.
#[derive(Debug)]
pub struct LshIndex {
    tables: Vec<Table>,
    /// Key width of the tables.
    key_bits: u32,
    /// Whether the key width grows with the size ([`LshIndex::new`]) or is fixed
    /// ([`LshIndex::with_key_bits`]).
    grows: bool,
    /// Slot → fingerprint.
    fps: Vec<u64>,
    /// Slot → id.
    ids: Vec<PackedId>,
    /// Slot → payload (the cluster id, for [`crate::Clusterer`]).
    payload: Vec<PackedId>,
    slot_of: SlotMap,
    pub(crate) id_table: IdTable,
}

impl Default for LshIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl LshIndex {
    /// An empty index whose key width grows with its size (starts at [`MIN_KEY_BITS`]:
    /// 4 × 1,024 buckets, 256 KiB).
    pub fn new() -> Self {
        Self::build(MIN_KEY_BITS, true)
    }

    /// An empty index with keys of `bits` bits whatever its size (clamped to 1–24; 4 × 2^bits
    /// buckets of 64 bytes). For measuring how a large index, whose keys are wide, finds
    /// reprints, with a small test set; [`LshIndex::new`] is the one to use.
    pub fn with_key_bits(bits: u32) -> Self {
        Self::build(bits.clamp(1, MAX_KEY_BITS), false)
    }

    fn build(key_bits: u32, grows: bool) -> Self {
        LshIndex {
            tables: (0..BANDS).map(|_| Table::new(key_bits)).collect(),
            key_bits,
            grows,
            fps: Vec::new(),
            ids: Vec::new(),
            payload: Vec::new(),
            slot_of: SlotMap::default(),
            id_table: IdTable::default(),
        }
    }

    /// Number of stored fingerprints.
    pub fn len(&self) -> usize {
        self.fps.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.fps.is_empty()
    }

    /// Current key width in bits (see the type's doc).
    pub fn key_bits(&self) -> u32 {
        self.key_bits
    }

    /// Stores `fp` under `id`, replacing what `id` had. Errors with [`ClusterError::Full`] when
    /// the index already holds 2³² − 1 entries.
    pub fn insert(&mut self, id: &ArticleId, fp: u64) -> Result<(), ClusterError> {
        let pid = self.id_table.pack(id)?;
        self.insert_packed(pid, fp, pid, id)
    }

    /// Stores `fp` under `pid` with `payload`; see [`LshIndex::insert`].
    pub(crate) fn insert_packed(
        &mut self,
        pid: PackedId,
        fp: u64,
        payload: PackedId,
        id: &ArticleId,
    ) -> Result<(), ClusterError> {
        self.remove_packed(pid);
        let slot = u32::try_from(self.fps.len())
            .ok()
            .filter(|&s| s < u32::MAX)
            .ok_or_else(|| ClusterError::Full { id: id.to_string() })?;
        let bits = self.key_bits;
        for (b, table) in self.tables.iter_mut().enumerate() {
            table.push(window(fp, b, bits), fp, slot);
        }
        self.fps.push(fp);
        self.ids.push(pid);
        self.payload.push(payload);
        self.slot_of.insert(pid, slot);
        if self.grows && self.key_bits < MAX_KEY_BITS && self.fps.len() > 2usize << self.key_bits {
            self.rebuild(self.key_bits + 1);
        }
        Ok(())
    }

    /// Rebuilds the tables with keys of `bits` bits: O(n), once each time the size doubles.
    fn rebuild(&mut self, bits: u32) {
        // Drop the old tables first so that old and new are not held at once.
        self.tables.clear();
        self.tables = (0..BANDS).map(|_| Table::new(bits)).collect();
        self.key_bits = bits;
        for (b, table) in self.tables.iter_mut().enumerate() {
            for (slot, &fp) in self.fps.iter().enumerate() {
                // The slot count is below u32::MAX (checked on insert).
                table.push(window(fp, b, bits), fp, slot as u32);
            }
        }
    }

    /// Removes `id`; returns whether it was stored.
    pub fn remove(&mut self, id: &ArticleId) -> bool {
        match self.id_table.find(id) {
            Some(pid) => self.remove_packed(pid),
            None => false,
        }
    }

    /// The fingerprint stored for `id`.
    pub fn get(&self, id: &ArticleId) -> Option<u64> {
        let slot = *self.slot_of.get(&self.id_table.find(id)?)?;
        self.fps.get(slot as usize).copied()
    }

    /// Removes `pid` (swap-remove: the last slot moves into the freed one).
    fn remove_packed(&mut self, pid: PackedId) -> bool {
        let Some(slot) = self.slot_of.remove(&pid) else {
            return false;
        };
        let Some(&fp) = self.fps.get(slot as usize) else {
            return false;
        };
        let bits = self.key_bits;
        for (b, table) in self.tables.iter_mut().enumerate() {
            table.remove(window(fp, b, bits), slot);
        }
        // fps.get(slot) succeeded, so fps is not empty.
        let last = self.fps.len() - 1;
        self.fps.swap_remove(slot as usize);
        self.ids.swap_remove(slot as usize);
        self.payload.swap_remove(slot as usize);
        if slot as usize != last {
            // The entry that was in slot `last` now lives in `slot`; last < u32::MAX (slots
            // are u32).
            let moved_fp = self.fps.get(slot as usize).copied().unwrap_or_default();
            for (b, table) in self.tables.iter_mut().enumerate() {
                table.rename(window(moved_fp, b, bits), last as u32, slot);
            }
            if let Some(&moved) = self.ids.get(slot as usize) {
                self.slot_of.insert(moved, slot);
            }
        }
        true
    }

    /// Calls `f(slot, distance)` once for every entry within `max_hamming` bits of `fp` that
    /// `probe` reaches.
    ///
    /// Memory-level parallelism: the keys of all probes are computed first and one byte of
    /// every probed bucket is loaded in a tight loop, then the buckets are scanned. None of
    /// these loads depends on another, so their cache misses overlap, and the scan reads
    /// cached lines. The touching loop is short (no pushes: the keys stay in per-table arrays
    /// on the stack) so that many loads fit in the reorder buffer at once: with the same
    /// probes, this cut the radius pass by about a third at 100,000 and 1,000,000 entries
    /// (`examples/bench_cluster.rs`) against a loop that pushed every (table, key) to a `Vec`
    /// between the loads. (`prefetcht0` instead of loads was twice as slow on the project's
    /// test machine, a VM: the prefetches appear to be dropped on TLB misses.)
    fn scan(&self, fp: u64, max_hamming: u32, probe: &Probe, mut f: impl FnMut(u32, u32)) {
        let bits = self.key_bits;
        let mut keys = [[0u32; MAX_PROBES_PER_TABLE]; BANDS];
        let mut counts = [0usize; BANDS];
        let mut touched = 0u8;
        for (b, ((table, ks), c)) in self
            .tables
            .iter()
            .zip(keys.iter_mut())
            .zip(counts.iter_mut())
            .enumerate()
        {
            *c = probe.keys(b, bits, window(fp, b, bits), ks);
            for &key in ks.get(..*c).unwrap_or_default() {
                touched ^= table.buckets.get(key as usize).map_or(0, |bk| bk.len);
            }
        }
        // Keeps the touching loads from being optimised away.
        std::hint::black_box(touched);
        let max = u64::from(max_hamming);
        for (b, ((table, ks), &c)) in self.tables.iter().zip(&keys).zip(&counts).enumerate() {
            for &key in ks.get(..c).unwrap_or_default() {
                let Some(bk) = table.buckets.get(key as usize) else {
                    continue;
                };
                // An entry can be reached in several tables: report it from the first.
                let mut report = |efp: u64, slot: u32, d: u64| {
                    if !(0..b).any(|eb| probe.reaches(eb, bits, efp ^ fp)) {
                        // d <= 64.
                        f(slot, d as u32);
                    }
                };
                let n = usize::from(bk.len);
                if n > 0 {
                    let d = popcount_lanes(bk.fps.map(|e| e ^ fp));
                    for (i, ((&di, &e), &s)) in d.iter().zip(&bk.fps).zip(&bk.slots).enumerate() {
                        if i < n && di <= max {
                            report(e, s, di);
                        }
                    }
                }
                if bk.spilled
                    && let Some(v) = table.spill.get(&key)
                {
                    for &(e, s) in v {
                        let d = u64::from((e ^ fp).count_ones());
                        if d <= max {
                            report(e, s, d);
                        }
                    }
                }
            }
        }
    }

    /// Stored ids within `max_hamming` bits of `fp` with their distance, nearest first (ties in
    /// insertion order). Complete for `max_hamming ≤ 11` while the key width is at most 16
    /// bits (up to 131,072 entries); with wider keys `max_hamming` 8–11 finds every entry
    /// within 3 bits (see the type's doc);
    /// cost: 4, 4 × (1 + m) or 4 × (1 + m + m(m−1)/2) bucket probes for `max_hamming` 0–3,
    /// 4–7 or ≥ 8, with m = min(k, 16) for keys of k bits (at most 548).
    pub fn candidates(&self, fp: u64, max_hamming: u32) -> Vec<(ArticleId, u32)> {
        let probe = Probe::Radius((max_hamming / BANDS as u32).min(MAX_PROBE_RADIUS));
        self.to_ids(self.slots(fp, max_hamming, &probe))
    }

    /// Multi-probe lookup (Lv, Josephson, Wang, Charikar & Li 2007, "Multi-probe LSH"): stored
    /// ids within `max_hamming` bits of `fp.hash`, nearest first, found by probing in each table
    /// the query's key with every combination of its weak bits within the key
    /// ([`Fingerprint::weak`], at most [`MAX_BAND_FLIPS`] per table, the lowest-numbered kept)
    /// flipped, at most 32 probes. An edit flips mostly bits whose vote was close to a tie, so
    /// this finds far more reprints per probe than a fixed radius: while designing
    /// (3-character shingles, 16-bit keys), 97.8 % of the test set's reprint pairs (ordered
    /// pairs, each side as the query) were reached with about 25 probes, against 93 % within 7
    /// bits with 68 probes. Not complete for any radius > 3 (an entry is found when all its
    /// differing bits in some table's key are weak bits of the query).
    pub fn candidates_probe(&self, fp: &Fingerprint, max_hamming: u32) -> Vec<(ArticleId, u32)> {
        self.to_ids(self.probe_slots(fp, max_hamming))
    }

    /// Like [`LshIndex::candidates_probe`], as (slot, distance).
    pub(crate) fn probe_slots(&self, fp: &Fingerprint, max_hamming: u32) -> Vec<(u32, u32)> {
        let mut masks = [0usize; BANDS];
        for (b, m) in masks.iter_mut().enumerate() {
            let mut w = window(fp.weak, b, self.key_bits);
            while w.count_ones() > MAX_BAND_FLIPS {
                // Drop the highest set bit.
                w &= !(1 << (usize::BITS - 1 - w.leading_zeros()));
            }
            *m = w;
        }
        self.slots(fp.hash, max_hamming, &Probe::Flips(masks))
    }

    /// Slots within `max_hamming` bits found by the radius probe of [`LshIndex::candidates`].
    pub(crate) fn radius_slots(&self, fp: u64, max_hamming: u32) -> Vec<(u32, u32)> {
        let probe = Probe::Radius((max_hamming / BANDS as u32).min(MAX_PROBE_RADIUS));
        self.slots(fp, max_hamming, &probe)
    }

    fn to_ids(&self, slots: Vec<(u32, u32)>) -> Vec<(ArticleId, u32)> {
        slots
            .into_iter()
            .filter_map(|(slot, d)| {
                let pid = *self.ids.get(slot as usize)?;
                Some((self.id_table.unpack(pid), d))
            })
            .collect()
    }

    /// Slots reached by `probe` within `max_hamming` bits, nearest first then by slot.
    fn slots(&self, fp: u64, max_hamming: u32, probe: &Probe) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        self.scan(fp, max_hamming, probe, |slot, d| out.push((slot, d)));
        out.sort_unstable_by_key(|&(slot, d)| (d, slot));
        out
    }

    /// Id and payload of `slot`.
    pub(crate) fn slot(&self, slot: u32) -> Option<(PackedId, PackedId)> {
        Some((
            *self.ids.get(slot as usize)?,
            *self.payload.get(slot as usize)?,
        ))
    }

    /// Approximate heap bytes held: buckets and spill maps, slot arrays, id map.
    pub fn heap_bytes(&self) -> usize {
        let mut n: usize = self.tables.iter().map(Table::heap_bytes).sum();
        n += self.fps.capacity() * 8;
        n += (self.ids.capacity() + self.payload.capacity()) * std::mem::size_of::<PackedId>();
        // hashbrown: one control byte per bucket plus the (key, value) pair.
        n += self.slot_of.capacity() * (std::mem::size_of::<(PackedId, u32)>() + 1);
        n += self
            .id_table
            .others
            .iter()
            .map(|s| 2 * s.len() + 40)
            .sum::<usize>();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> ArticleId {
        ArticleId::from_raw(format!("{n:016x}"))
    }

    /// The probes of a lookup stop growing once keys are 16 bits wide (131,072 entries): the
    /// radius pass probes 4 × 137 = 548 lines at 16, 19 (1 M entries) and 24 bits, fewer below;
    /// the multi-probe at most 4 × 2³ = 32.
    #[test]
    fn probe_count_stops_growing() {
        let mut out = [0u32; MAX_PROBES_PER_TABLE];
        let radius = |bits: u32, out: &mut [u32; MAX_PROBES_PER_TABLE]| -> usize {
            (0..BANDS)
                .map(|b| Probe::Radius(MAX_PROBE_RADIUS).keys(b, bits, 0x5a5a, out))
                .sum()
        };
        assert_eq!(radius(13, &mut out), 4 * (1 + 13 + 78));
        for bits in [16, 19, 24] {
            assert_eq!(radius(bits, &mut out), 548, "key bits {bits}");
        }
        // Every probed key is distinct and within 2 bits of the query on the band.
        let n = Probe::Radius(2).keys(0, 19, 0x5a5a, &mut out);
        let mut keys: Vec<u32> = out[..n].to_vec();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 137);
        assert!(
            keys.iter()
                .all(|k| (k ^ 0x5a5a).count_ones() <= 2 && (k ^ 0x5a5a) >> 16 == 0)
        );
        let flips = Probe::Flips([0b1011, 0b1, 0, 0b111 << 20]);
        let total: usize = (0..BANDS).map(|b| flips.keys(b, 24, 0, &mut out)).sum();
        assert_eq!(total, 8 + 2 + 1 + 8);
        let mut ix = LshIndex::new();
        for i in 0..300_000u64 {
            ix.insert(&id(i), i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .unwrap();
        }
        // 300,000 entries: keys have widened past 16 bits, the probe count stays 548.
        assert!(ix.key_bits() > 16, "{}", ix.key_bits());
        assert_eq!(radius(ix.key_bits(), &mut out), 548);
    }

    #[test]
    fn finds_within_radius_and_removes() {
        let mut ix = LshIndex::new();
        let base = 0x0123_4567_89ab_cdefu64;
        // Distances 0, 3 (spread over bands), 7 (two bits in every band but one), 20.
        let fps = [
            base,
            base ^ 0x0001_0001_0001_0000,
            base ^ 0x0003_0003_0003_0001,
            base ^ 0x0000_0000_000f_ffff,
        ];
        for (i, fp) in fps.iter().enumerate() {
            ix.insert(&id(i as u64), *fp).unwrap();
        }
        assert_eq!(ix.len(), 4);
        let got = ix.candidates(base, 7);
        assert_eq!(got, vec![(id(0), 0), (id(1), 3), (id(2), 7)]);
        assert_eq!(ix.candidates(base, 3), vec![(id(0), 0), (id(1), 3)]);
        assert!(ix.remove(&id(0)));
        assert!(!ix.remove(&id(0)));
        assert_eq!(ix.len(), 3);
        // id(3) moved into slot 0; it is still found by its own fingerprint.
        assert_eq!(ix.candidates(fps[3], 0), vec![(id(3), 0)]);
        assert_eq!(ix.candidates(base, 7), vec![(id(1), 3), (id(2), 7)]);
        assert_eq!(ix.get(&id(2)), Some(fps[2]));
    }

    #[test]
    fn complete_up_to_eleven_bits() {
        // Every way of flipping 11 bits spread as 3+3+3+2 over the bands is found at radius 11.
        let mut ix = LshIndex::new();
        let base = 0xdead_beef_f00d_cafeu64;
        let flip = 0x0007_0007_0007_0003u64;
        ix.insert(&id(1), base ^ flip).unwrap();
        ix.insert(&id(2), base ^ flip.rotate_left(16)).unwrap();
        let got = ix.candidates(base, 11);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, d)| *d == 11));
        assert!(ix.candidates(base, 10).is_empty());
    }

    #[test]
    fn multi_probe_flips_weak_bits() {
        let mut ix = LshIndex::new();
        let base = 0x1111_2222_3333_4444u64;
        // 8 differing bits, 2 per band: found only when they are all weak bits of the query.
        let flip = 0x0003_0003_0003_0003u64;
        ix.insert(&id(1), base ^ flip).unwrap();
        // 2 weak bits in band 0 cover band 0's difference.
        let weak = 0x0000_0000_0000_0003;
        let q = Fingerprint { hash: base, weak };
        assert_eq!(ix.candidates_probe(&q, 8), vec![(id(1), 8)]);
        assert!(ix.candidates_probe(&q, 7).is_empty());
        // Weak bits elsewhere do not help; a fixed radius of 7 misses 8 bits too.
        let q2 = Fingerprint {
            hash: base,
            weak: 0x0000_0000_0000_000c,
        };
        assert!(ix.candidates_probe(&q2, 8).is_empty());
        assert!(ix.candidates(base, 7).is_empty());
        // Weak bits in every band: still reported once.
        let q3 = Fingerprint {
            hash: base,
            weak: flip,
        };
        assert_eq!(ix.candidates_probe(&q3, 64), vec![(id(1), 8)]);
    }

    #[test]
    fn other_ids_and_replace() {
        let mut ix = LshIndex::new();
        let odd = ArticleId::from_raw("not-a-hex-id");
        ix.insert(&odd, 42).unwrap();
        ix.insert(&odd, 43).unwrap();
        assert_eq!(ix.len(), 1);
        assert_eq!(ix.candidates(43, 0), vec![(odd.clone(), 0)]);
        assert!(ix.candidates(42, 0).is_empty());
        // Upper-case hex is not the canonical spelling: kept as a string, round-trips.
        let upper = ArticleId::from_raw("00000000000000AB");
        ix.insert(&upper, 7).unwrap();
        assert_eq!(ix.candidates(7, 0), vec![(upper, 0)]);
    }

    /// SplitMix64, for seeded test fingerprints.
    fn mix(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Every stored (id, fingerprint) within `r` bits of `q`, nearest first, by brute force.
    fn brute(stored: &HashMap<u64, u64>, q: u64, r: u32) -> Vec<(ArticleId, u32)> {
        let mut v: Vec<(u32, u64)> = stored
            .iter()
            .map(|(&k, &fp)| ((fp ^ q).count_ones(), k))
            .filter(|&(d, _)| d <= r)
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(d, k)| (id(k), d)).collect()
    }

    /// Sorted by (distance, id): the index breaks distance ties by slot, which swap-removal
    /// reorders.
    fn by_id(mut v: Vec<(ArticleId, u32)>) -> Vec<(ArticleId, u32)> {
        v.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    #[test]
    fn radius_lookup_matches_brute_force_through_churn_spills_and_growth() {
        // 3,000 entries in clusters of near fingerprints (so buckets overflow into the spill
        // maps), the key width growing from 10 to 11 bits on the way, a third removed and
        // re-inserted elsewhere: the complete radius lookup (≤ 11 bits, keys ≤ 16 bits) must
        // equal a brute-force scan at every step.
        let mut ix = LshIndex::new();
        assert_eq!(ix.key_bits(), MIN_KEY_BITS);
        let mut stored: HashMap<u64, u64> = HashMap::new();
        let centre = |k: u64| mix(k % 40);
        let near_fp = |k: u64, salt: u64| {
            let flips = mix(k ^ salt) & mix(k.rotate_left(7) ^ salt) & mix(k ^ 0xabc ^ salt);
            centre(k) ^ flips
        };
        for k in 0..3_000u64 {
            let fp = near_fp(k, 1);
            ix.insert(&id(k), fp).unwrap();
            stored.insert(k, fp);
        }
        // Past 2^11 entries the keys widened once.
        assert_eq!(ix.key_bits(), MIN_KEY_BITS + 1);
        let spilled = |ix: &LshIndex| ix.tables.iter().map(|t| t.spill.len()).sum::<usize>();
        assert!(spilled(&ix) > 0, "no bucket overflowed");
        let check = |ix: &LshIndex, stored: &HashMap<u64, u64>| {
            let mut found = 0;
            for k in 0..60u64 {
                let q = near_fp(k * 37, 2);
                let want = brute(stored, q, 11);
                found += want.len();
                assert_eq!(by_id(ix.candidates(q, 11)), want, "query {k}");
            }
            // The queries do reach stored entries (the comparison is not of empty lists).
            assert!(found > 100, "only {found} entries within 11 bits");
            assert_eq!(ix.len(), stored.len());
        };
        check(&ix, &stored);
        for k in (0..3_000u64).step_by(3) {
            assert!(ix.remove(&id(k)));
            stored.remove(&k);
        }
        check(&ix, &stored);
        for k in (0..3_000u64).step_by(6) {
            let fp = near_fp(k, 3);
            ix.insert(&id(k), fp).unwrap();
            stored.insert(k, fp);
        }
        check(&ix, &stored);
        for (&k, &fp) in &stored {
            assert_eq!(ix.get(&id(k)), Some(fp));
        }
        // Removing everything empties every bucket and spill map.
        for &k in stored.keys() {
            assert!(ix.remove(&id(k)));
        }
        assert!(ix.is_empty());
        assert_eq!(spilled(&ix), 0);
        assert!(
            ix.tables
                .iter()
                .all(|t| t.buckets.iter().all(|b| b.len == 0 && !b.spilled))
        );
    }

    #[test]
    fn keys_widen_when_size_doubles() {
        let mut ix = LshIndex::new();
        let mut rng = 7u64;
        let mut widths = Vec::new();
        for k in 0..20_000u64 {
            rng = mix(rng);
            ix.insert(&id(k), rng).unwrap();
            // Occupancy stays ≤ 2 per bucket.
            assert!(ix.len() <= 2 << ix.key_bits());
            if widths.last() != Some(&ix.key_bits()) {
                widths.push(ix.key_bits());
                // Widened just as the size passed 2^(bits).
                if ix.key_bits() > MIN_KEY_BITS {
                    assert_eq!(ix.len(), (1 << ix.key_bits()) + 1);
                }
            }
        }
        assert_eq!(widths, vec![10, 11, 12, 13, 14]);
        // Every entry is still found by its own fingerprint after the rebuilds.
        let mut rng = 7u64;
        for k in 0..20_000u64 {
            rng = mix(rng);
            assert!(ix.candidates(rng, 0).contains(&(id(k), 0)), "entry {k}");
        }
        // A fixed width does not grow.
        let mut fixed = LshIndex::with_key_bits(12);
        for k in 0..20_000u64 {
            fixed.insert(&id(k), mix(k)).unwrap();
        }
        assert_eq!(fixed.key_bits(), 12);
        assert_eq!(fixed.candidates(mix(5), 0), vec![(id(5), 0)]);
    }

    #[test]
    fn wide_keys_complete_up_to_three_bits() {
        // With 20-bit keys (each overlapping the next band by 4 bits) a radius-11 lookup flips
        // up to 2 bits of each table's own 16-bit band and keeps the 4 borrowed bits: it finds
        // exactly the entries within 11 bits that some table reaches that way, which includes
        // every entry within 3 bits, but not every entry within 11.
        let bits = 20;
        let mut ix = LshIndex::with_key_bits(bits);
        let mut stored: HashMap<u64, u64> = HashMap::new();
        let base = 0x0f1e_2d3c_4b5a_6978u64;
        for k in 0..4_000u64 {
            // 1 to 12 random bits flipped.
            let mut fp = base;
            for j in 0..=(k % 12) {
                fp ^= 1 << (mix(k * 31 + j) % 64);
            }
            ix.insert(&id(k), fp).unwrap();
            stored.insert(k, fp);
        }
        // One bit in the borrowed bits of every band: 4 bits away, reached by no table.
        let hidden = base ^ 0x0001_0001_0001_0001;
        ix.insert(&id(9_999), hidden).unwrap();
        stored.insert(9_999, hidden);
        let got = ix.candidates(base, 11);
        assert!(!got.iter().any(|g| g.0 == id(9_999)));
        let within3: Vec<_> = got.iter().filter(|g| g.1 <= 3).cloned().collect();
        assert_eq!(by_id(within3), brute(&stored, base, 3));
        assert!(brute(&stored, base, 3).len() > 100);
        // Exactly the entries some table reaches: band differing in ≤ 2 bits, borrowed in 0.
        let reached = |fp: u64| {
            (0..BANDS).any(|b| {
                let d = (fp ^ base).rotate_right(b as u32 * 16);
                (d & 0xffff).count_ones() <= 2 && (d >> 16) & ((1 << (bits - 16)) - 1) == 0
            })
        };
        let want: Vec<_> = brute(&stored, base, 11)
            .into_iter()
            .filter(|(i, _)| ix.get(i).is_some_and(reached))
            .collect();
        assert_eq!(by_id(got.clone()), want);
        // And here strictly fewer than all within 11 bits.
        assert!(got.len() < brute(&stored, base, 11).len());
    }
}
