//! In-memory banded lookup of fingerprints within a Hamming radius.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use yuqing_model::ArticleId;

use crate::{ClusterError, Fingerprint};

/// Number of bands (tables) the 64 fingerprint bits are split into.
pub const BANDS: usize = 4;
/// Bits per band.
const BAND_BITS: u32 = 64 / BANDS as u32;
/// Buckets per band table (one per band value).
const BUCKETS: usize = 1 << BAND_BITS;
/// Largest per-band probe radius [`LshIndex::candidates`] uses (137 probes per band).
const MAX_PROBE_RADIUS: u32 = 2;

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

/// Where one bucket's entries live in its table's pool: `len` entries from `off`, in a region
/// of [`region_cap`]`(len)` or more entries.
#[derive(Debug, Clone, Copy, Default)]
struct Head {
    off: u32,
    len: u32,
}

/// Entries a bucket region holds for `len` entries: the next power of two, at least [`LANES`]
/// (0 for none), so a region is a whole number of [`near`]'s steps, at most half empty (or
/// three quarters below 4 entries), and a bucket moves `log2(len)` times as it grows.
#[inline]
fn region_cap(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        len.next_power_of_two().max(LANES as u32)
    }
}

/// Entries [`near`] reads for a bucket of `len` entries: `len` rounded up to [`LANES`] (within
/// the region, by [`region_cap`]).
#[inline]
fn scan_len(len: u32) -> usize {
    (len as usize).div_ceil(LANES) * LANES
}

/// One band's table: 2¹⁶ bucket heads (8 bytes each, 512 KiB) and one pool holding every
/// bucket's entries contiguously, full fingerprints and slots in two parallel arrays. A probe
/// reads one head and then `len` consecutive fingerprints (8 bytes each: a bucket of up to 8
/// entries is one 64-byte cache line), touching the slot array only for an entry within the
/// radius.
#[derive(Debug)]
struct Table {
    heads: Vec<Head>,
    fps: Vec<u64>,
    slots: Vec<u32>,
    /// Entries stored (sum of the heads' `len`).
    live: usize,
    /// Pool length right after the last [`Table::compact`].
    compacted: usize,
}

impl Table {
    fn new() -> Self {
        Table {
            heads: vec![Head::default(); BUCKETS],
            fps: Vec::new(),
            slots: Vec::new(),
            live: 0,
            compacted: 0,
        }
    }

    /// Appends (`fp`, `slot`) to bucket `key`; moves the bucket to a region twice as large at
    /// the end of the pool when its region is full. `false` when the pool would pass 2³²
    /// entries (offsets are 32-bit).
    fn push(&mut self, key: usize, fp: u64, slot: u32) -> bool {
        let Some(&h) = self.heads.get(key) else {
            return false;
        };
        let (off, len) = (h.off as usize, h.len as usize);
        let head = if h.len < region_cap(h.len) {
            // The region has room: fill the next entry in place.
            if let (Some(f), Some(s)) = (self.fps.get_mut(off + len), self.slots.get_mut(off + len))
            {
                *f = fp;
                *s = slot;
            }
            Head {
                off: h.off,
                len: h.len + 1,
            }
        } else {
            let cap = region_cap(h.len + 1) as usize;
            let new_off = self.fps.len();
            let Some(end) = new_off.checked_add(cap).filter(|&e| e <= u32::MAX as usize) else {
                return false;
            };
            // Grow the pool in steps of an eighth rather than doubling, so its spare capacity
            // stays small (a reallocation copies the pool: O(8) copies per entry amortised).
            let step = cap.max(new_off / 8);
            if self.fps.capacity() < end {
                self.fps.reserve_exact(step);
            }
            if self.slots.capacity() < end {
                self.slots.reserve_exact(step);
            }
            self.fps.extend_from_within(off..off + len);
            self.slots.extend_from_within(off..off + len);
            self.fps.push(fp);
            self.slots.push(slot);
            self.fps.resize(end, 0);
            self.slots.resize(end, 0);
            Head {
                // end <= u32::MAX, so new_off fits.
                off: new_off as u32,
                len: h.len + 1,
            }
        };
        if let Some(hd) = self.heads.get_mut(key) {
            *hd = head;
        }
        self.live += 1;
        // Moved regions leave holes: compact once the pool has grown by half (plus 2¹⁶
        // entries) since the last compaction, so the copying amortises to O(1) per insert and
        // the pool stays within about 1.5 times the live regions.
        if self.fps.len() > self.compacted + self.compacted / 2 + BUCKETS {
            self.compact();
        }
        true
    }

    /// Removes the entry of `slot` from bucket `key` (the bucket's last entry takes its place).
    fn remove(&mut self, key: usize, slot: u32) {
        let Some(h) = self.heads.get_mut(key) else {
            return;
        };
        let (off, len) = (h.off as usize, h.len as usize);
        let Some(i) = self
            .slots
            .get(off..off + len)
            .and_then(|s| s.iter().position(|&x| x == slot))
        else {
            return;
        };
        let last = off + len - 1;
        self.fps.swap(off + i, last);
        self.slots.swap(off + i, last);
        h.len -= 1;
        self.live -= 1;
    }

    /// Renames `from` to `to` in bucket `key`.
    fn rename(&mut self, key: usize, from: u32, to: u32) {
        let Some(&h) = self.heads.get(key) else {
            return;
        };
        let r = h.off as usize..h.off as usize + h.len as usize;
        if let Some(s) = self
            .slots
            .get_mut(r)
            .and_then(|s| s.iter_mut().find(|x| **x == from))
        {
            *s = to;
        }
    }

    /// Rewrites the pool with every bucket in a region of [`region_cap`] entries, in bucket
    /// order.
    fn compact(&mut self) {
        let total: usize = self.heads.iter().map(|h| region_cap(h.len) as usize).sum();
        let mut fps = Vec::with_capacity(total);
        let mut slots = Vec::with_capacity(total);
        for h in &mut self.heads {
            let (off, len) = (h.off as usize, h.len as usize);
            let new_off = fps.len();
            if let (Some(f), Some(s)) =
                (self.fps.get(off..off + len), self.slots.get(off..off + len))
            {
                fps.extend_from_slice(f);
                slots.extend_from_slice(s);
            }
            let end = new_off + region_cap(h.len) as usize;
            fps.resize(end, 0);
            slots.resize(end, 0);
            // total <= the old pool's length, which fits u32.
            h.off = new_off as u32;
        }
        self.compacted = fps.len();
        self.fps = fps;
        self.slots = slots;
    }

    fn heap_bytes(&self) -> usize {
        self.heads.capacity() * std::mem::size_of::<Head>()
            + self.fps.capacity() * 8
            + self.slots.capacity() * 4
    }
}

/// Most weak bits flipped per band by [`LshIndex::candidates_probe`] (at most 2³ = 8 probes
/// per band, about 25 in all). Measured with 4 (about 35 probes, 3-character shingles): eval
/// recall in the worst of 5 arrival orders 0.987 instead of 0.970, but lookup+insert at
/// 1,000,000 entries about 45 % slower.
pub const MAX_BAND_FLIPS: u32 = 3;

/// Which band values a lookup probes.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// Every value within this many bits of the query's band value.
    Radius(u32),
    /// The query's band value with every subset of the band's mask flipped.
    Flips([usize; BANDS]),
}

impl Probe {
    /// True when band `b` of an entry differing from the query by `diff` is probed.
    #[inline]
    fn reaches(&self, b: usize, diff: u64) -> bool {
        let d = band(diff, b);
        match self {
            Probe::Radius(r) => (d as u64).count_ones() <= *r,
            Probe::Flips(masks) => d & !masks.get(b).copied().unwrap_or(0) == 0,
        }
    }

    /// Writes the band values to probe in band `b` around `q` into `out`; returns how many
    /// (at most [`MAX_PROBES_PER_BAND`]).
    fn keys(&self, b: usize, q: usize, out: &mut [u16; MAX_PROBES_PER_BAND]) -> usize {
        let mut n = 0;
        let mut put = |v: usize| {
            if let Some(o) = out.get_mut(n) {
                // Band values are masked to 16 bits.
                *o = v as u16;
                n += 1;
            }
        };
        match *self {
            Probe::Radius(r) => {
                put(q);
                if r >= 1 {
                    for i in 0..BAND_BITS {
                        put(q ^ (1 << i));
                        if r >= 2 {
                            for j in i + 1..BAND_BITS {
                                put(q ^ (1 << i) ^ (1 << j));
                            }
                        }
                    }
                }
            }
            Probe::Flips(masks) => {
                // Every subset of the band's weak bits (sub-mask enumeration).
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

/// Most probes in one band: 1 + 16 + 120 at radius 2 (2⁸ would be 8 flipped weak bits; at
/// most [`MAX_BAND_FLIPS`] are).
const MAX_PROBES_PER_BAND: usize = 137;

/// Band `b` of fingerprint `fp`.
#[inline]
fn band(fp: u64, b: usize) -> usize {
    ((fp >> (b as u32 * BAND_BITS)) & (BUCKETS as u64 - 1)) as usize
}

/// Population count of each 64-bit lane by the SWAR method (Warren, *Hacker's Delight* §5-1),
/// using only shifts, masks and adds, so that the compiler runs two lanes per SSE2 register
/// (the `popcnt` instruction is not in the baseline x86-64 target, and the scalar fallback of
/// `count_ones` costs about as much per lane as this does per register).
#[inline(always)]
fn popcount_lanes(x: [u64; LANES]) -> [u64; LANES] {
    x.map(|v| {
        let v = v - ((v >> 1) & 0x5555_5555_5555_5555);
        let v = (v & 0x3333_3333_3333_3333) + ((v >> 2) & 0x3333_3333_3333_3333);
        let v = (v + (v >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        let v = v + (v >> 8);
        let v = v + (v >> 16);
        (v + (v >> 32)) & 0x7f
    })
}

/// Fingerprints compared per step of [`near`].
const LANES: usize = 4;

/// Calls `f(i, fps[i], distance)` for every `i < len` with `fps[i]` within `max` bits of `q`.
/// `fps` is a bucket's region read in whole steps of [`LANES`] ([`scan_len`]); entries from
/// `len` on are stale and skipped. The distances of a step are computed together
/// ([`popcount_lanes`]); most steps find none within `max` and cost one test. Measured with
/// callgrind (2,000 multi-probe and 200 radius lookups per size): at 1,000,000 entries (15 per
/// bucket) 15 % fewer instructions than a `count_ones` loop over `len` entries, at 10,000 and
/// 100,000 entries 10–20 % more; the large index is the one that needs it. (A branch-free mask
/// of the lanes instead of `all` cost 17 % more at 1,000,000.)
#[inline(always)]
fn near(fps: &[u64], len: usize, q: u64, max: u32, mut f: impl FnMut(usize, u64, u32)) {
    let max = u64::from(max);
    for (k, c) in fps.chunks_exact(LANES).enumerate() {
        let mut x = [0u64; LANES];
        for (xi, &e) in x.iter_mut().zip(c) {
            *xi = e ^ q;
        }
        let d = popcount_lanes(x);
        if d.iter().all(|&di| di > max) {
            continue;
        }
        for (i, (&di, &e)) in d.iter().zip(c).enumerate() {
            let at = k * LANES + i;
            if di <= max && at < len {
                // di <= 64.
                f(at, e, di as u32);
            }
        }
    }
}

/// Banded lookup of 64-bit fingerprints by Hamming distance ("multi-index hashing",
/// Manku, Jain & Das Sarma 2007 §3; Norouzi, Punjani & Fleet 2012).
///
/// The 64 bits are split into [`BANDS`] = 4 bands of 16 bits; each band has a table of 65,536
/// buckets addressed directly by the band value, holding the full fingerprints of the entries
/// with that value inline and contiguous (one pool per table; 8-byte heads), so a probe reads
/// one head and one run of consecutive fingerprints and filters them by exact distance. Two
/// ways to choose the probed buckets:
///
/// * [`LshIndex::candidates`] (radius `r`): in every band, all values within `r / 4` bits
///   (capped at 2) of the query's. By the pigeonhole principle an entry within `r` bits differs
///   in at most `r / 4` bits of some band, so the result is complete for `r ≤ 11`. 4, 68 or 548
///   probes.
/// * [`LshIndex::candidates_probe`] (multi-probe): in every band, the query's value with every
///   combination of its least-confident bits flipped, about 25 probes; what
///   [`crate::Clusterer`] uses.
///
/// The number of probes does not depend on the number of entries, but a bucket holds
/// `n / 65,536` entries with random fingerprints (about 15 at 1,000,000: two or three cache
/// lines), all of which are compared; the heads of a lookup are read first, then one
/// fingerprint per cache line of every bucket, then the buckets are scanned, so the cache
/// misses overlap. Measured (`examples/bench_cluster.rs`, best of 5 rounds of 20,000, thread
/// CPU): lookup+insert grows about 2× from 10,000 to 1,000,000 entries (6× for the previous
/// layout). Wider band keys would keep buckets at a constant size but reach fewer reprints per
/// probe (on the test set's pairs, 8 overlapping 20-bit windows with 4 flipped bits, 128
/// probes, reach about what 4 × 16 bits with 3 flipped bits, 32 probes, do).
///
/// Memory: 4 × 65,536 heads (2 MiB) plus, per entry, 12 bytes in each of the four pools
/// (regions of power-of-two size, at least 4; holes left by moved regions compacted once the
/// pool has grown by half) and the slot arrays and id map; [`LshIndex::heap_bytes`] counts it:
/// 196 bytes per entry at 1,000,000 (resident set +242 MB), against 167 for the previous layout
/// of one `Vec` per bucket.
#[derive(Debug)]
pub struct LshIndex {
    tables: Vec<Table>,
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
    /// An empty index (allocates the 4 × 65,536 bucket heads, 2 MiB).
    pub fn new() -> Self {
        LshIndex {
            tables: (0..BANDS).map(|_| Table::new()).collect(),
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

    /// Stores `fp` under `id`, replacing what `id` had. Errors with [`ClusterError::Full`] when
    /// the index already holds 2³² − 1 entries or a band's pool would pass 2³² entries.
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
        let full = || ClusterError::Full { id: id.to_string() };
        let slot = u32::try_from(self.fps.len())
            .ok()
            .filter(|&s| s < u32::MAX)
            .ok_or_else(full)?;
        for (b, table) in self.tables.iter_mut().enumerate() {
            if !table.push(band(fp, b), fp, slot) {
                // Undo the bands already written so the tables stay consistent.
                for (eb, t) in self.tables.iter_mut().enumerate().take(b) {
                    t.remove(band(fp, eb), slot);
                }
                return Err(full());
            }
        }
        self.fps.push(fp);
        self.ids.push(pid);
        self.payload.push(payload);
        self.slot_of.insert(pid, slot);
        Ok(())
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
        for (b, table) in self.tables.iter_mut().enumerate() {
            table.remove(band(fp, b), slot);
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
                table.rename(band(moved_fp, b), last as u32, slot);
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
    /// Memory-level parallelism: the heads of all probes of all bands are read first, then one
    /// fingerprint per cache line of every non-empty bucket is loaded and discarded, then the
    /// buckets are scanned. None of these loads depends on another, so the cache misses of one
    /// step overlap (a scan loop between them would keep the processor from running ahead to
    /// the next bucket), and the scan then reads cached lines.
    fn scan(&self, fp: u64, max_hamming: u32, probe: &Probe, mut f: impl FnMut(u32, u32)) {
        let mut keys = [0u16; MAX_PROBES_PER_BAND];
        // Non-empty buckets to scan: (band, head).
        let mut heads: Vec<(u8, Head)> = Vec::with_capacity(match probe {
            Probe::Radius(_) => BANDS * MAX_PROBES_PER_BAND,
            Probe::Flips(_) => BANDS << MAX_BAND_FLIPS,
        });
        for (b, table) in self.tables.iter().enumerate() {
            let k = probe.keys(b, band(fp, b), &mut keys);
            for &key in keys.get(..k).unwrap_or_default() {
                if let Some(&h) = table.heads.get(usize::from(key))
                    && h.len > 0
                {
                    // b < BANDS = 4.
                    heads.push((b as u8, h));
                }
            }
        }
        let mut touched = 0u64;
        for &(b, h) in &heads {
            if let Some(t) = self.tables.get(usize::from(b)) {
                let off = h.off as usize;
                let end = off + h.len as usize;
                // One load per cache line (8 fingerprints), and the last entry's line.
                for i in (off..end).step_by(8) {
                    touched ^= t.fps.get(i).copied().unwrap_or_default();
                }
                touched ^= t.fps.get(end - 1).copied().unwrap_or_default();
            }
        }
        // Keeps the touching loads from being optimised away.
        std::hint::black_box(touched);
        for &(b, h) in &heads {
            let b = usize::from(b);
            let Some(table) = self.tables.get(b) else {
                continue;
            };
            let off = h.off as usize;
            let Some(fps) = table.fps.get(off..off + scan_len(h.len)) else {
                continue;
            };
            near(fps, h.len as usize, fp, max_hamming, |i, efp, d| {
                // An entry can be reached in several bands: report it from the first.
                if !(0..b).any(|eb| probe.reaches(eb, efp ^ fp))
                    && let Some(&slot) = table.slots.get(off + i)
                {
                    f(slot, d);
                }
            });
        }
    }

    /// Stored ids within `max_hamming` bits of `fp` with their distance, nearest first (ties in
    /// insertion order). Complete for `max_hamming ≤ 11` (see the type's doc); cost: 4 × 1,
    /// 4 × 17 or 4 × 137 bucket probes for `max_hamming` 0–3, 4–7 or ≥ 8.
    pub fn candidates(&self, fp: u64, max_hamming: u32) -> Vec<(ArticleId, u32)> {
        let probe = Probe::Radius((max_hamming / BANDS as u32).min(MAX_PROBE_RADIUS));
        self.to_ids(self.slots(fp, max_hamming, &probe))
    }

    /// Multi-probe lookup (Lv, Josephson, Wang, Charikar & Li 2007, "Multi-probe LSH"): stored
    /// ids within `max_hamming` bits of `fp.hash`, nearest first, found by probing in each band
    /// the query's band value with every combination of its weak bits ([`Fingerprint::weak`],
    /// at most [`MAX_BAND_FLIPS`] per band, the lowest-numbered kept) flipped. An edit flips
    /// mostly bits whose vote was close to a tie, so this finds far more reprints per probe than
    /// a fixed radius: while designing (3-character shingles), 97.8 % of the test set's reprint
    /// pairs (ordered pairs, each side as the query) were reached with about 25 probes, against
    /// 93 % within 7 bits with 68 probes. Not complete for any radius > 3 (an entry is found when all
    /// its differing bits in some band are weak bits of the query).
    pub fn candidates_probe(&self, fp: &Fingerprint, max_hamming: u32) -> Vec<(ArticleId, u32)> {
        self.to_ids(self.probe_slots(fp, max_hamming))
    }

    /// Like [`LshIndex::candidates_probe`], as (slot, distance).
    pub(crate) fn probe_slots(&self, fp: &Fingerprint, max_hamming: u32) -> Vec<(u32, u32)> {
        let mut masks = [0usize; BANDS];
        for (b, m) in masks.iter_mut().enumerate() {
            let mut w = band(fp.weak, b);
            while w.count_ones() > MAX_BAND_FLIPS {
                // Drop the highest set bit.
                w &= !(1 << (usize::BITS - 1 - w.leading_zeros()));
            }
            *m = w;
        }
        self.slots(fp.hash, max_hamming, &Probe::Flips(masks))
    }

    /// Slots within `max_hamming` bits found by the complete radius probe of
    /// [`LshIndex::candidates`] (every entry within 11 bits; 548 probes at radius 8–11).
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

    /// Approximate heap bytes held: bucket heads and pools, slot arrays, id map.
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
    fn radius_lookup_matches_brute_force_through_churn_and_compaction() {
        // 3,000 entries in clusters of near fingerprints (so buckets hold many entries and
        // regions move as they grow), a third removed and re-inserted elsewhere, then the pools
        // compacted: the complete radius lookup (≤ 11 bits) must equal a brute-force scan at
        // every step.
        let mut ix = LshIndex::new();
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
        let before: usize = ix.tables.iter().map(|t| t.fps.len()).sum();
        for t in &mut ix.tables {
            t.compact();
        }
        let after: usize = ix.tables.iter().map(|t| t.fps.len()).sum();
        assert!(
            after < before,
            "compaction freed nothing: {before} -> {after}"
        );
        check(&ix, &stored);
        for (&k, &fp) in &stored {
            assert_eq!(ix.get(&id(k)), Some(fp));
        }
    }
}
