//! The tantivy tokenizers `zh_word` and `zh_bigram`.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy_tokenizer_api::{Token, TokenStream, Tokenizer};

use crate::normalize::NormBuf;

/// True when a token is worth indexing: it has at least one alphanumeric character (CJK
/// ideographs count as alphabetic), i.e. it is not whitespace or punctuation.
///
/// Decided on the first byte for almost every jieba token of Chinese text: an ASCII letter or
/// digit, or the lead byte of a CJK unified ideograph U+4E00..U+9FFF (`E5..E9`, or `E4` with a
/// second byte ≥ `B8`), starts a word; only other tokens (punctuation, whitespace, other
/// scripts) are decoded. Called once per jieba token: the decoding loop was ~1.7 % of ingest
/// instructions (callgrind, `bench_ingest`).
#[inline]
pub(crate) fn is_word(w: &str) -> bool {
    let bytes = w.as_bytes();
    match bytes.first() {
        None => false,
        Some(&b) if b.is_ascii_alphanumeric() => true,
        Some(&b)
            if (0xE5..=0xE9).contains(&b)
                || (b == 0xE4 && bytes.get(1).is_some_and(|&b1| b1 >= 0xB8)) =>
        {
            true
        }
        Some(_) => w.chars().any(is_alnum),
    }
}

/// `char::is_alphanumeric` with fast paths for what Chinese news text is made of: ASCII, the
/// main CJK block, and the CJK / general / full-width punctuation blocks, whose members are
/// never alphanumeric (checked against the Unicode tables by a test). Only other characters
/// reach the slow Unicode table lookup, which was ~9 % of tokenizer instructions (callgrind)
/// because every full-width comma and full stop went through it.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}' => false,
        c => c.is_alphanumeric(),
    }
}

/// True for characters cut into bigrams: Han ideographs (CJK unified + extension A/B…,
/// compatibility ideographs, `〇`), kana and Hangul syllables.
#[inline]
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Longest prefix of a text the tokenizers cut, bytes (1 MiB, cut back to a character
/// boundary); the rest of a longer text gives no tokens. Tokens are built for a whole text
/// before tantivy reads them (~75 bytes each, ~3 per CJK character over both tokenizers), so a
/// 5.7 MB one-line page cost ~470 MB at ingest and a 9.9 MB one ~710 MB (fresh-user trial).
/// News articles are a few KB to tens of KB; elasticsearch caps highlighting at 1,000,000
/// characters for the same reason (`index.highlight.max_analyzed_offset`). The stored text is
/// kept whole; only matching past this point is lost.
pub const MAX_TOKENIZED_BYTES: usize = 1 << 20;

/// Token capacity a [`TokenBuf`] keeps between texts; after a longer text its buffers are freed
/// down to this, so one huge page does not pin its tokens' memory in a long-lived tokenizer.
const KEPT_TOKENS: usize = 1 << 14;

/// The largest character boundary of `text` at or below byte `i` (`text.len()` when `i` is
/// past the end, 0 at worst). For cutting long texts without splitting a character.
pub fn floor_char_boundary(text: &str, i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    let mut i = i;
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` cut to at most `max_bytes` bytes, at a character boundary ([`floor_char_boundary`]).
pub fn prefix_within(text: &str, max_bytes: usize) -> &str {
    text.get(..floor_char_boundary(text, max_bytes))
        .unwrap_or_default()
}

/// `text` cut to at most [`MAX_TOKENIZED_BYTES`], at a character boundary.
fn tokenized_part(text: &str) -> &str {
    prefix_within(text, MAX_TOKENIZED_BYTES)
}

/// Reusable token buffer: `len` tokens of `tokens` are live; their `String`s are reused.
#[derive(Debug, Default)]
struct TokenBuf {
    tokens: Vec<Token>,
    len: usize,
}

impl TokenBuf {
    fn clear(&mut self) {
        self.len = 0;
        if self.tokens.len() > KEPT_TOKENS {
            self.tokens.truncate(KEPT_TOKENS);
            self.tokens.shrink_to(KEPT_TOKENS);
        }
    }

    /// Appends a token with text `text`, byte offsets `[from, to)` and the next position.
    fn push(&mut self, text: &str, from: usize, to: usize) {
        let position = self.len;
        if let Some(tok) = self.tokens.get_mut(position) {
            tok.text.clear();
            tok.text.push_str(text);
            tok.offset_from = from;
            tok.offset_to = to;
            tok.position = position;
            tok.position_length = 1;
        } else {
            self.tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: text.to_owned(),
                position_length: 1,
            });
        }
        self.len += 1;
    }

    fn live(&mut self) -> &mut [Token] {
        let len = self.len.min(self.tokens.len());
        &mut self.tokens[..len]
    }
}

/// Stream over a slice of prepared tokens (shared by both tokenizers).
struct SliceStream<'a> {
    tokens: &'a mut [Token],
    /// Index of the current token, `None` before the first `advance`.
    idx: Option<usize>,
    /// Returned by `token()` when called before `advance` or after the end (never panics).
    empty: Token,
}

impl<'a> SliceStream<'a> {
    fn new(tokens: &'a mut [Token]) -> Self {
        SliceStream {
            tokens,
            idx: None,
            empty: Token::default(),
        }
    }

    fn advance(&mut self) -> bool {
        let next = self.idx.map_or(0, |i| i + 1);
        self.idx = Some(next.min(self.tokens.len()));
        next < self.tokens.len()
    }

    fn token(&self) -> &Token {
        self.idx
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.empty)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.idx.and_then(|i| self.tokens.get_mut(i)) {
            Some(t) => t,
            None => &mut self.empty,
        }
    }
}

/// `zh_word`: jieba default-mode cut of the normalised text ([`crate::normalize`]), **HMM off**:
/// dictionary words stay whole, a run of characters jieba's dictionary does not know is cut into
/// single characters (the `zh_bigram` field keeps recall for such words, and phrase queries
/// still match because query and index go through this same tokenizer). With HMM on, jieba's
/// Viterbi pass over unknown runs was the largest single ingest cost (measured with
/// `yuqing-index`'s `bench_ingest` example). Whitespace and punctuation tokens are dropped, stop
/// words kept. Positions are 0, 1, 2, … per
/// emitted token (never overlapping), offsets are byte offsets into the original text on char
/// boundaries, token text is the normalised word.
///
/// Made by [`crate::Segmenter::word_tokenizer`]. Cloning shares the `Arc<Jieba>` dictionary
/// and starts with empty scratch buffers.
pub struct WordTokenizer {
    jieba: Arc<Jieba>,
    norm: NormBuf,
    buf: TokenBuf,
}

impl WordTokenizer {
    pub(crate) fn new(jieba: Arc<Jieba>) -> Self {
        WordTokenizer {
            jieba,
            norm: NormBuf::default(),
            buf: TokenBuf::default(),
        }
    }
}

impl Clone for WordTokenizer {
    fn clone(&self) -> Self {
        WordTokenizer::new(Arc::clone(&self.jieba))
    }
}

impl std::fmt::Debug for WordTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordTokenizer").finish_non_exhaustive()
    }
}

/// Token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a>(SliceStream<'a>);

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.0.advance()
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.buf.clear();
        let text = tokenized_part(text);
        let changed = self.norm.fill(text);
        let src: &str = if changed { &self.norm.text } else { text };
        for t in self.jieba.cut(src, false) {
            if !is_word(t.word) {
                continue;
            }
            let (from, to) = if changed {
                self.norm.map_range(t.byte_start, t.byte_end)
            } else {
                (t.byte_start, t.byte_end)
            };
            self.buf.push(t.word, from, to);
        }
        WordTokenStream(SliceStream::new(self.buf.live()))
    }
}

/// `zh_bigram`: on the normalised text, every run of CJK characters gives its overlapping
/// character bigrams (`中国人` → `中国`, `国人`; a lone CJK character gives itself), every run of
/// other alphanumeric characters (ASCII words, digits) gives one whole token, anything else
/// separates. Positions are sequential (0, 1, 2, …), so a phrase of bigrams matches exactly the
/// character sequence: `人民银行` (`人民 民银 银行`) finds `中国人民银行`. Offsets are byte offsets
/// into the original text on char boundaries.
#[derive(Default)]
pub struct BigramTokenizer {
    norm: NormBuf,
    buf: TokenBuf,
}

impl BigramTokenizer {
    /// A new tokenizer (no dictionary needed).
    pub fn new() -> Self {
        BigramTokenizer::default()
    }
}

impl Clone for BigramTokenizer {
    fn clone(&self) -> Self {
        BigramTokenizer::default()
    }
}

impl std::fmt::Debug for BigramTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BigramTokenizer").finish_non_exhaustive()
    }
}

/// Token stream of [`BigramTokenizer`].
pub struct BigramTokenStream<'a>(SliceStream<'a>);

impl TokenStream for BigramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.0.advance()
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramTokenStream<'a> {
        self.buf.clear();
        let text = tokenized_part(text);
        let changed = self.norm.fill(text);
        let src: &str = if changed { &self.norm.text } else { text };
        let norm = &self.norm;
        let buf = &mut self.buf;
        let mut emit = |from: usize, to: usize| {
            // from..to are char boundaries of `src` (the loop below moves by whole characters).
            let word = src.get(from..to).unwrap_or_default();
            let (f, t) = if changed {
                norm.map_range(from, to)
            } else {
                (from, to)
            };
            buf.push(word, f, t);
        };
        // Previous CJK char of the current run and the run length.
        let mut prev_cjk: Option<(usize, usize)> = None;
        let mut run_len = 0usize;
        // Start of the current alphanumeric word.
        let mut word_start: Option<usize> = None;
        let mut last_end = 0usize;
        let bytes = src.as_bytes();
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            // Classify the character at `i` on its lead byte where possible: ASCII, and the
            // CJK unified block U+4E00..U+9FFF (lead E5..E9, or E4 with a second byte ≥ B8),
            // which is almost all of the text; other characters are decoded.
            let (cjk, alnum, len) = if b < 0x80 {
                (false, b.is_ascii_alphanumeric(), 1)
            } else if (0xE5..=0xE9).contains(&b)
                || (b == 0xE4 && bytes.get(i + 1).is_some_and(|&b1| b1 >= 0xB8))
            {
                (true, true, 3)
            } else {
                match src.get(i..).and_then(|rest| rest.chars().next()) {
                    Some(c) => (is_cjk(c), is_alnum(c), c.len_utf8()),
                    None => break,
                }
            };
            let end = i + len;
            if cjk {
                if let Some(ws) = word_start.take() {
                    emit(ws, i);
                }
                if let Some((ps, _)) = prev_cjk {
                    emit(ps, end);
                }
                prev_cjk = Some((i, end));
                run_len += 1;
            } else {
                if let Some((ps, pe)) = prev_cjk.take() {
                    if run_len == 1 {
                        emit(ps, pe);
                    }
                    run_len = 0;
                }
                if alnum {
                    if word_start.is_none() {
                        word_start = Some(i);
                    }
                } else if let Some(ws) = word_start.take() {
                    emit(ws, i);
                }
            }
            last_end = end;
            i = end;
        }
        if let Some((ps, pe)) = prev_cjk
            && run_len == 1
        {
            emit(ps, pe);
        }
        if let Some(ws) = word_start {
            emit(ws, last_end);
        }
        BigramTokenStream(SliceStream::new(self.buf.live()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bigrams(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = BigramTokenizer::new();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while let Some(tok) = s.next() {
            out.push((
                tok.text.clone(),
                tok.position,
                tok.offset_from,
                tok.offset_to,
            ));
        }
        out
    }

    #[test]
    fn bigram_runs() {
        let toks = bigrams("中国人民银行，EMS快递 a 邮");
        let texts: Vec<&str> = toks.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            [
                "中国", "国人", "人民", "民银", "银行", "ems", "快递", "a", "邮"
            ]
        );
        let positions: Vec<usize> = toks.iter().map(|t| t.1).collect();
        assert_eq!(positions, (0..9).collect::<Vec<_>>());
        // "银行" = chars 4..6 → bytes 12..18.
        assert_eq!((toks[4].2, toks[4].3), (12, 18));
    }

    #[test]
    fn bigram_full_width_offsets() {
        let text = "ＥＭＳ２０２６年";
        let toks = bigrams(text);
        assert_eq!(toks[0].0, "ems2026");
        assert_eq!(&text[toks[0].2..toks[0].3], "ＥＭＳ２０２６");
        assert_eq!(toks[1].0, "年");
        assert_eq!(&text[toks[1].2..toks[1].3], "年");
    }

    #[test]
    fn alnum_fast_paths_agree_with_unicode() {
        for c in ('\0'..='\u{FFFF}').chain('\u{20000}'..='\u{2FFFF}') {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn is_word_fast_path_agrees_with_the_definition() {
        let words = [
            "",
            " ",
            "，",
            "。",
            "快递",
            "中国人民银行",
            "a",
            "Z9",
            "9792",
            "-",
            "—",
            "、",
            "\u{4e00}",
            "\u{4dff}",
            "\u{9fff}",
            "\u{a000}",
            "\u{3007}",
            "Ｅ",
            "é",
            "…",
            "，快",
            ".5",
            "«a»",
            "\u{20000}",
            "한국",
            "カ",
        ];
        for w in words {
            assert_eq!(is_word(w), w.chars().any(char::is_alphanumeric), "{w:?}");
        }
        // Every character of the BMP and the CJK extension B block, alone and followed by a
        // non-word character (the fast path looks at the first byte only).
        for c in ('\0'..='\u{FFFF}').chain('\u{20000}'..='\u{2A6DF}') {
            for w in [c.to_string(), format!("{c}，")] {
                assert_eq!(is_word(&w), c.is_alphanumeric(), "U+{:04X}", u32::from(c));
            }
        }
    }

    #[test]
    fn only_the_first_mib_is_cut_and_huge_buffers_are_freed() {
        // "邮" is 3 bytes: the limit falls inside a character and is moved back before it.
        let head = "邮".repeat(MAX_TOKENIZED_BYTES / 3 + 1);
        let text = format!("{head}快递进村");
        let cut = tokenized_part(&text);
        assert_eq!(cut.len(), MAX_TOKENIZED_BYTES - MAX_TOKENIZED_BYTES % 3);
        assert!(text.is_char_boundary(cut.len()));
        let mut t = BigramTokenizer::new();
        let mut n = 0usize;
        let mut last = String::new();
        {
            let mut s = t.token_stream(&text);
            while let Some(tok) = s.next() {
                n += 1;
                last.clone_from(&tok.text);
            }
        }
        // One bigram per character after the first, none from past the limit.
        assert_eq!(n, cut.chars().count() - 1);
        assert_eq!(last, "邮邮");
        // The next text starts from a buffer no larger than the kept capacity.
        assert_eq!(bigrams("快递").len(), 1);
        {
            let _ = t.token_stream("快递");
        }
        assert!(t.buf.tokens.len() <= KEPT_TOKENS, "{}", t.buf.tokens.len());
        // Short texts are untouched.
        assert_eq!(tokenized_part("快递进村"), "快递进村");
    }

    #[test]
    fn stream_never_panics_before_advance() {
        let mut t = BigramTokenizer::new();
        let mut s = t.token_stream("");
        assert_eq!(s.token().text, "");
        assert!(!s.advance());
        assert!(!s.advance());
        assert_eq!(s.token_mut().text, "");
    }
}
