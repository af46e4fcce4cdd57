//! Per-character NFKC + ASCII lowercase, with a map from normalised byte offsets back to the
//! original text.

use unicode_normalization::UnicodeNormalization;

/// Normalises `text` for indexing and querying: every character is replaced by its NFKC form
/// (Unicode UAX #15 compatibility decomposition + composition, so full-width `ＡＢＣ１２３，` becomes
/// `ABC123,` and the ideographic space becomes a space), then ASCII letters are lowercased.
/// Non-ASCII letters keep their case.
///
/// NFKC is applied per character, not across characters: a base letter followed by a combining
/// mark stays decomposed. This keeps each output character traceable to one input character,
/// which the tokenizers need for byte offsets; query and index go through the same function.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_normalized(c, &mut out);
    }
    out
}

/// True when `c` is its own normalised form (fast path: ASCII non-upper, CJK unified ideographs).
#[inline]
fn is_stable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return true;
    }
    matches!(
        unicode_normalization::is_nfkc_quick(std::iter::once(c)),
        unicode_normalization::IsNormalized::Yes
    )
}

/// Appends the normalised form of `c` to `out`.
#[inline]
fn push_normalized(c: char, out: &mut String) {
    if is_stable(c) {
        out.push(c);
    } else {
        for n in std::iter::once(c).nfkc() {
            out.push(n.to_ascii_lowercase());
        }
    }
}

/// One changed input character: where its replacement sits in the normalised text and where the
/// character sits in the original (byte offsets).
#[derive(Debug, Clone, Copy)]
struct Change {
    norm_start: usize,
    norm_end: usize,
    orig_start: usize,
    orig_end: usize,
}

/// Reusable normalisation buffer: the normalised text plus the list of changed characters, so
/// offsets in the normalised text can be mapped back to the original.
#[derive(Debug, Default)]
pub(crate) struct NormBuf {
    /// Normalised text (valid after [`NormBuf::fill`] returned `true`).
    pub(crate) text: String,
    changes: Vec<Change>,
}

impl NormBuf {
    /// Normalises `orig` into the buffer. Returns `false` (and leaves the buffer empty) when the
    /// text is already normalised, so the caller can use `orig` directly.
    pub(crate) fn fill(&mut self, orig: &str) -> bool {
        self.text.clear();
        self.changes.clear();
        let Some(first) = orig.char_indices().find(|&(_, c)| !is_stable(c)) else {
            return false;
        };
        self.text.reserve(orig.len());
        // `first.0` is a char boundary returned by char_indices.
        self.text.push_str(&orig[..first.0]);
        for (i, c) in orig[first.0..].char_indices() {
            let i = i + first.0;
            if is_stable(c) {
                self.text.push(c);
            } else {
                let norm_start = self.text.len();
                push_normalized(c, &mut self.text);
                self.changes.push(Change {
                    norm_start,
                    norm_end: self.text.len(),
                    orig_start: i,
                    orig_end: i + c.len_utf8(),
                });
            }
        }
        true
    }

    /// Maps a token `[from, to)` of the normalised text back to a byte range of the original
    /// text; both ends land on original char boundaries. `to > from` is expected.
    pub(crate) fn map_range(&self, from: usize, to: usize) -> (usize, usize) {
        (self.map_start(from), self.map_end(to))
    }

    /// The last change that starts at or before normalised offset `x`.
    fn change_before(&self, x: usize) -> Option<&Change> {
        let idx = self.changes.partition_point(|c| c.norm_start <= x);
        idx.checked_sub(1).and_then(|i| self.changes.get(i))
    }

    fn map_start(&self, x: usize) -> usize {
        match self.change_before(x) {
            None => x,
            Some(c) if x < c.norm_end => c.orig_start,
            Some(c) => x - c.norm_end + c.orig_end,
        }
    }

    fn map_end(&self, x: usize) -> usize {
        if x == 0 {
            return 0;
        }
        // The character containing byte x-1 decides where the end maps to.
        match self.change_before(x - 1) {
            None => x,
            Some(c) if x - 1 < c.norm_end => c.orig_end,
            Some(c) => x - c.norm_end + c.orig_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case() {
        assert_eq!(
            normalize("ＥＭＳ快递２０２６年，Ｈｅｌｌｏ World"),
            "ems快递2026年,hello world"
        );
        assert_eq!(normalize("\u{3000}中国"), " 中国");
        assert_eq!(normalize("①"), "1");
    }

    #[test]
    fn map_back() {
        let orig = "ＥＭＳ快递，ok";
        let mut b = NormBuf::default();
        assert!(b.fill(orig));
        assert_eq!(b.text, "ems快递,ok");
        // "ems" = 0..3 in norm → 0..9 in orig.
        assert_eq!(b.map_range(0, 3), (0, 9));
        // "快递" = 3..9 norm → 9..15 orig.
        assert_eq!(b.map_range(3, 9), (9, 15));
        // "ok" = 10..12 norm → orig after "，" (15..18) → 18..20.
        assert_eq!(b.map_range(10, 12), (18, 20));
        assert_eq!(&orig[18..20], "ok");
        let mut b2 = NormBuf::default();
        assert!(!b2.fill("已经规范的文本 abc"));
    }
}
