//! Byte-level text scans for the extractor's hot loops.
//!
//! Answers "where is the whitespace in this UTF-8 text, and how many visible characters and
//! Chinese punctuation marks does it hold?" without decoding every `char`: scoring and
//! rendering look at every text node of a page, and on Chinese text a byte scan that only
//! decodes the few lead bytes that can start a whitespace or punctuation character is
//! several times cheaper than `str::chars` with `char::is_whitespace`. The results are
//! exactly those of `char::is_whitespace` (Unicode `White_Space`) — the tests compare them
//! over every `char`.

/// Length in bytes of the whitespace character (`char::is_whitespace`) starting at byte `i`
/// of `b`, or 0 when none starts there (another character, a continuation byte, or `i` out
/// of range). `b` must be valid UTF-8 for the answer to mean a character.
///
/// The `White_Space` characters are U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680,
/// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000 (Unicode `PropList.txt`).
#[inline]
pub(crate) fn ws_len(b: &[u8], i: usize) -> usize {
    let Some(&c) = b.get(i) else {
        return 0;
    };
    match c {
        b'\t'..=b'\r' | b' ' => 1,
        0xC2 => match b.get(i + 1) {
            Some(0x85 | 0xA0) => 2,
            _ => 0,
        },
        0xE1 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x9A), Some(0x80)) => 3,
            _ => 0,
        },
        0xE2 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F)) => 3,
            _ => 0,
        },
        0xE3 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0x80)) => 3,
            _ => 0,
        },
        _ => 0,
    }
}

/// Is the character starting at byte `i` (a lead byte ≥ 0x80) one of the Chinese marks
/// `，。！？；：、“”）（` that the body scorer counts as sentence punctuation?
#[inline]
fn is_cjk_punct_at(b: &[u8], i: usize) -> bool {
    match (b.get(i), b.get(i + 1), b.get(i + 2)) {
        // 、 U+3001, 。 U+3002
        (Some(0xE3), Some(0x80), Some(0x81 | 0x82)) => true,
        // “ U+201C, ” U+201D
        (Some(0xE2), Some(0x80), Some(0x9C | 0x9D)) => true,
        // ！ U+FF01, （ U+FF08, ） U+FF09, ， U+FF0C, ： U+FF1A, ； U+FF1B, ？ U+FF1F
        (Some(0xEF), Some(0xBC), Some(0x81 | 0x88 | 0x89 | 0x8C | 0x9A | 0x9B | 0x9F)) => true,
        _ => false,
    }
}

/// What a byte may start, for the scans below: [`PLAIN`] (nothing to look at: an ordinary
/// character or a continuation byte), [`WS`] (ASCII whitespace), [`COMMA`], or [`LEAD`] (the
/// lead bytes 0xC2, 0xE1, 0xE2, 0xE3 and 0xEF, which start the non-ASCII whitespace
/// characters and the counted Chinese punctuation, among others).
static BYTE_CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[0x0B] = WS;
    t[0x0C] = WS;
    t[b'\r' as usize] = WS;
    t[b' ' as usize] = WS;
    t[b',' as usize] = COMMA;
    t[0xC2] = LEAD;
    t[0xE1] = LEAD;
    t[0xE2] = LEAD;
    t[0xE3] = LEAD;
    t[0xEF] = LEAD;
    t
};
const PLAIN: u8 = 0;
const WS: u8 = 1;
const COMMA: u8 = 2;
const LEAD: u8 = 3;

/// The next whitespace character at or after byte `i` of `s`: `(start, length in bytes)`.
/// `i` must be a char boundary.
pub(crate) fn next_ws(s: &str, i: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut at = i;
    loop {
        at += b
            .get(at..)?
            .iter()
            .position(|&c| matches!(BYTE_CLASS[usize::from(c)], WS | LEAD))?;
        let w = ws_len(b, at);
        if w > 0 {
            return Some((at, w));
        }
        at += 1;
    }
}

/// Counts of one text: `(visible, punct)`, where `visible` is the number of characters that
/// are not whitespace and `punct` the number of those that are `，。！？；：、“”）（` or an
/// ASCII comma. Characters are counted as the bytes that do not continue a UTF-8 sequence;
/// only the few lead bytes that may start whitespace or punctuation are decoded.
pub(crate) fn text_counts(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let chars = b.iter().filter(|&&c| (c as i8) >= -0x40).count();
    let mut ws = 0usize;
    let mut punct = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match BYTE_CLASS[usize::from(c)] {
            PLAIN => {}
            WS => ws += 1,
            COMMA => punct += 1,
            _ => {
                if ws_len(b, i) > 0 {
                    ws += 1;
                } else {
                    punct += usize::from(is_cjk_punct_at(b, i));
                }
            }
        }
    }
    (chars - ws, punct)
}

#[cfg(test)]
mod tests {
    use super::{next_ws, text_counts, ws_len};

    fn is_punct(c: char) -> bool {
        matches!(
            c,
            '，' | '。' | '！' | '？' | '；' | '：' | '、' | '“' | '”' | '）' | '（' | ','
        )
    }

    #[test]
    fn agrees_with_char_methods_on_every_char() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.encode_utf8(&mut buf);
            let expect_ws = if c.is_whitespace() { s.len() } else { 0 };
            assert_eq!(ws_len(s.as_bytes(), 0), expect_ws, "{c:?}");
            let visible = usize::from(!c.is_whitespace());
            assert_eq!(text_counts(s), (visible, usize::from(is_punct(c))), "{c:?}");
        }
    }

    #[test]
    fn counts_mixed_text() {
        let t = "\u{3000}\u{3000}国家邮政局，今天 发布。\u{a0}A, b\u{2003}“快递”\n";
        let visible = t.chars().filter(|c| !c.is_whitespace()).count();
        let punct = t.chars().filter(|&c| is_punct(c)).count();
        assert_eq!(text_counts(t), (visible, punct));
        assert_eq!(text_counts(t), (18, 5));
        assert_eq!(text_counts(""), (0, 0));
        // Out of range and continuation bytes start no whitespace.
        assert_eq!(ws_len(b" ", 1), 0);
        assert_eq!(ws_len("\u{3000}".as_bytes(), 1), 0);
    }

    #[test]
    fn next_ws_finds_every_whitespace_char() {
        // Long enough to go through the 16-byte blocks, with whitespace at varied offsets.
        let t = "国家邮政局发布数据显示今年前两个月全国快递业务量\u{3000}继续保持较快增长，\
                 农村寄递网络的完善带动了快递下乡 包裹数量明显增加\u{a0}x\ty\u{2003}";
        let expect: Vec<(usize, usize)> = t
            .char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(i, c)| (i, c.len_utf8()))
            .collect();
        let mut found = Vec::new();
        let mut i = 0;
        while let Some((at, len)) = next_ws(t, i) {
            found.push((at, len));
            i = at + len;
        }
        assert_eq!(found, expect);
        assert_eq!(expect.len(), 5);
        assert_eq!(
            text_counts(t).0,
            t.chars().filter(|c| !c.is_whitespace()).count()
        );
    }
}
