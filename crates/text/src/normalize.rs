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

/// True when `c` is its own normalised form (fast paths: ASCII non-upper, CJK unified
/// ideographs, CJK punctuation 、。〈〉《》「」【】, general punctuation ‐–—‘’“”; the rest asks
/// the NFKC quick-check table).
#[inline]
fn is_stable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return true;
    }
    // Ranges checked against Python's unicodedata.normalize('NFKC', c) == c.
    if ('\u{3001}'..='\u{3035}').contains(&c) {
        return true;
    }
    if ('\u{2010}'..='\u{2027}').contains(&c) {
        return !matches!(
            c,
            '\u{2011}' | '\u{2017}' | '\u{2024}' | '\u{2025}' | '\u{2026}'
        );
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

/// True when the tokenizers may leave `c` unnormalised because it separates tokens before and
/// after normalisation alike: the ideographic space, no-break and typographic spaces (NFKC: a
/// space), `…` (NFKC: `...`) and full-width ASCII punctuation `，！？：；（）％．` etc. (NFKC: the
/// ASCII character) other than `+ # & _ -`, which jieba's dictionary has inside words (`c++`,
/// `c#`, `a-b`). Both tokenizers drop every token without an alphanumeric character; with HMM
/// off, jieba cuts such punctuation off as single-character tokens whether full-width or not,
/// so the token texts and offsets do not change.
#[inline]
fn is_token_neutral(c: char) -> bool {
    match c {
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{2026}' | '\u{3000}' => true,
        '\u{FF01}'..='\u{FF5E}' => {
            // NFKC maps the full-width block to ASCII by a fixed distance.
            let ascii = char::from_u32(u32::from(c) - 0xFEE0).unwrap_or('a');
            !ascii.is_ascii_alphanumeric() && !matches!(ascii, '+' | '#' | '&' | '_' | '-')
        }
        _ => false,
    }
}

/// True when the tokenizers can take `c` as it is: its own normal form, or token-neutral.
#[inline]
fn is_tokenizer_stable(c: char) -> bool {
    // The full-width block first: its punctuation (，：（）！？) is most of the non-CJK, non-ASCII
    // characters of Chinese text and is not NFKC-stable, so `is_stable` would consult the
    // quick-check table for each before `is_token_neutral` accepts it.
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        return is_token_neutral(c);
    }
    is_stable(c) || is_token_neutral(c)
}

/// Length in bytes of the longest prefix of `text` made only of ASCII non-capitals and CJK
/// unified ideographs U+4E00..U+9FFF, found on the UTF-8 bytes without decoding: those are
/// their own normal form (see `is_stable`) and almost all of Chinese text, so the per-character
/// check runs only from the first other character on. The result is always a char boundary
/// (the scan moves by whole characters: 1 byte for ASCII, 3 for a lead byte `E4..E9`).
#[inline]
fn stable_prefix_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if b.is_ascii_uppercase() {
                break;
            }
            i += 1;
        } else if (0xE5..=0xE9).contains(&b)
            || (b == 0xE4 && bytes.get(i + 1).is_some_and(|&b1| b1 >= 0xB8))
        {
            // E4 B8 80 = U+4E00 … E9 BF BF = U+9FFF; valid UTF-8 has two continuation bytes.
            i += 3;
        } else {
            break;
        }
    }
    i.min(bytes.len())
}

/// The first character at or after byte `from` (a char boundary) that the tokenizers cannot
/// take as it is, with its byte offset; stable runs are skipped on the bytes first.
#[inline]
fn next_change(text: &str, from: usize) -> Option<(usize, char)> {
    let mut i = from;
    loop {
        let rest = text.get(i..)?;
        let skip = stable_prefix_len(rest);
        let c = rest.get(skip..)?.chars().next()?;
        i += skip;
        if !is_tokenizer_stable(c) {
            return Some((i, c));
        }
        i += c.len_utf8();
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

/// Reusable normalisation buffer for the tokenizers: the normalised text plus the list of changed
/// characters, so offsets in the normalised text can be mapped back to the original. Token-neutral
/// characters (full-width punctuation, see `is_token_neutral`) are left as they are: ordinary
/// Chinese text (full-width commas and colons, no full-width letters or digits) needs no copy.
#[derive(Debug, Default)]
pub(crate) struct NormBuf {
    /// Normalised text (valid after [`NormBuf::fill`] returned `true`).
    pub(crate) text: String,
    changes: Vec<Change>,
}

impl NormBuf {
    /// Normalises `orig` into the buffer, except for token-neutral characters. Returns `false`
    /// (and leaves the buffer empty) when nothing needs changing, so the caller can use `orig`
    /// directly.
    pub(crate) fn fill(&mut self, orig: &str) -> bool {
        self.text.clear();
        self.changes.clear();
        let Some(first) = next_change(orig, 0) else {
            return false;
        };
        self.text.reserve(orig.len());
        // Runs of unchanged characters are copied whole; `run`, `i` and every slice bound below
        // are char boundaries (from `next_change`, or a boundary plus that char's length).
        let mut run = 0;
        let mut at = Some(first);
        while let Some((i, c)) = at {
            self.text.push_str(orig.get(run..i).unwrap_or_default());
            run = i + c.len_utf8();
            if c.is_ascii_uppercase() {
                // One byte for one byte: offsets do not move, no change to record.
                self.text.push(c.to_ascii_lowercase());
            } else {
                let norm_start = self.text.len();
                push_normalized(c, &mut self.text);
                self.changes.push(Change {
                    norm_start,
                    norm_end: self.text.len(),
                    orig_start: i,
                    orig_end: run,
                });
            }
            at = next_change(orig, run);
        }
        self.text.push_str(orig.get(run..).unwrap_or_default());
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
    fn stable_fast_paths_agree_with_nfkc() {
        for c in ('\u{2000}'..='\u{206F}').chain('\u{3000}'..='\u{303F}') {
            let nfkc: String = std::iter::once(c).nfkc().collect();
            assert_eq!(
                is_stable(c),
                nfkc == c.to_string(),
                "U+{:04X}",
                u32::from(c)
            );
        }
        // Every token-neutral character normalises to ASCII non-word characters.
        let mut neutral = 0;
        for c in ('\u{00A0}'..='\u{3000}').chain('\u{FF01}'..='\u{FF5E}') {
            if is_token_neutral(c) {
                neutral += 1;
                let n = normalize(&c.to_string());
                assert!(
                    !n.is_empty() && n != c.to_string(),
                    "U+{:04X}",
                    u32::from(c)
                );
                assert!(
                    n.chars().all(|x| x.is_ascii() && !x.is_alphanumeric()),
                    "{n}"
                );
            }
        }
        // 13 spaces and the ellipsis; 94 full-width ASCII less 62 alphanumerics and + # & _ -.
        assert_eq!(neutral, 14 + 94 - 62 - 5);
    }

    #[test]
    fn stable_prefix_stops_at_the_first_other_character() {
        assert_eq!(stable_prefix_len(""), 0);
        assert_eq!(stable_prefix_len("abc 123"), 7);
        assert_eq!(stable_prefix_len("快递abc"), 9);
        assert_eq!(stable_prefix_len("快递，abc"), 6);
        assert_eq!(stable_prefix_len("快A"), 3);
        // U+4DFF (E4 B7 BF) is below the CJK block; U+4E00 (E4 B8 80) is in it; U+9FFF last.
        assert_eq!(stable_prefix_len("\u{4DFF}"), 0);
        assert_eq!(stable_prefix_len("\u{4E00}\u{9FFF}\u{A000}"), 6);
        for c in ('\0'..='\u{FFFF}').step_by(7) {
            let s = format!("a{c}b");
            let n = stable_prefix_len(&s);
            assert!(s.is_char_boundary(n));
            assert!(s[..n].chars().all(is_stable), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn map_back() {
        let orig = "ＥＭＳ快递，ok";
        let mut b = NormBuf::default();
        assert!(b.fill(orig));
        assert_eq!(b.text, "ems快递，ok"); // the full-width comma is token-neutral
        // "ems" = 0..3 in norm → 0..9 in orig.
        assert_eq!(b.map_range(0, 3), (0, 9));
        // "快递" = 3..9 norm → 9..15 orig.
        assert_eq!(b.map_range(3, 9), (9, 15));
        // "ok" = 12..14 norm → orig after "，" (15..18) → 18..20.
        assert_eq!(b.map_range(12, 14), (18, 20));
        assert_eq!(&orig[18..20], "ok");
        let mut b2 = NormBuf::default();
        assert!(!b2.fill("已经规范的文本 abc"));
        // Full-width punctuation and the ideographic space separate tokens either way: no copy.
        assert!(!b2.fill("快递，邮政：（通知）！\u{3000}“好”。《报》增长3．5％…"));
        // But not the ones jieba keeps inside words, nor letters and digits.
        for s in ["c＋＋", "３", "c＃", "a－b", "ＡＢ", "①"] {
            assert!(b2.fill(s), "{s}");
        }
        // Mixed: the comma stays, the digits change, offsets still map back.
        let orig = "２０，年";
        assert!(b2.fill(orig));
        assert_eq!(b2.text, "20，年");
        assert_eq!(b2.map_range(0, 2), (0, 6));
        assert_eq!(b2.map_range(5, 8), (9, 12));
        assert_eq!(&orig[9..12], "年");
        // ASCII capitals are lowered in place (no change recorded), offsets stay exact.
        let orig = "EMS快递ＡB，OK";
        assert!(b2.fill(orig));
        assert_eq!(b2.text, "ems快递ab，ok");
        assert_eq!(b2.changes.len(), 1);
        assert_eq!(b2.map_range(0, 3), (0, 3));
        assert_eq!(b2.map_range(9, 11), (9, 13)); // "ab" ← "ＡB"
        assert_eq!(b2.map_range(14, 16), (16, 18)); // "ok"
        assert_eq!(&orig[16..18], "OK");
    }
}
