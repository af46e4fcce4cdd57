//! Highlighted body excerpts for the hits of one page.
//!
//! The algorithm is tantivy's `SnippetGenerator` (tantivy 0.27, `src/snippet/mod.rs`): the body
//! is tokenized with the field's tokenizer and cut into consecutive fragments of at most
//! `max_bytes` bytes; a fragment scores the sum, over its tokens that are query terms, of
//! `1 / (1 + document frequency)`; the best fragment (earliest on ties) is returned with its
//! matched tokens (overlapping bigrams merged) in `<em>..</em>`. What differs is the cost:
//! tantivy clones the tokenizer for every text (so ours starts with empty buffers and allocates
//! a `String` per token) and lowercases every token into a new `String` before the term lookup;
//! here one tokenizer serves the whole page, and tokens are looked up as they are (the
//! tokenizers already normalise case exactly as the index does). That was ~60 % of the CPU of a
//! 20-hit search (`perf`, `bench_search`).

use std::collections::HashMap;
use std::ops::Range;

use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;

use yuqing_text::{floor_char_boundary, prefix_within};

use crate::IndexError;
use crate::collect::MixBuild;

/// Query terms of one field with their fragment score, and that field's tokenizer.
pub(crate) struct Highlighter {
    /// Term → score; hashed with `collect::MixBuild` (a lookup per body token: SipHash was a
    /// visible share of a search's CPU).
    terms: HashMap<String, f32, MixBuild>,
    tokenizer: TextAnalyzer,
    max_bytes: usize,
    /// Highlight ranges of the fragment being built (reused between texts).
    ranges: Vec<Range<usize>>,
    best: Vec<Range<usize>>,
}

impl Highlighter {
    /// The terms of `query` on `field` that occur in the index (score `1 / (1 + doc freq)`,
    /// as tantivy), and the field's tokenizer.
    ///
    /// # Errors
    /// [`IndexError::Tantivy`] if a document frequency cannot be read or the field has no
    /// tokenizer.
    pub(crate) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_bytes: usize,
    ) -> Result<Highlighter, IndexError> {
        let mut found = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                found.push(term.clone());
            }
        });
        let mut terms = HashMap::with_capacity_and_hasher(found.len(), MixBuild);
        for term in found {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            if terms.contains_key(text) {
                continue;
            }
            let df = searcher
                .doc_freq(&term)
                .map_err(IndexError::tantivy("snippet"))?;
            if df > 0 {
                terms.insert(text.to_string(), 1.0 / (1.0 + df as f32));
            }
        }
        let tokenizer = searcher
            .index()
            .tokenizer_for_field(field)
            .map_err(IndexError::tantivy("snippet"))?;
        Ok(Highlighter {
            terms,
            tokenizer,
            max_bytes,
            ranges: Vec::new(),
            best: Vec::new(),
        })
    }

    /// True when no query term of this field occurs in the index (every snippet would be
    /// empty, so the text need not be tokenized).
    pub(crate) fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when a term is a single character: a single CJK character is a `zh_bigram` token
    /// only where it stands alone, so a word-field match of it may have no bigram match.
    pub(crate) fn has_single_char_term(&self) -> bool {
        self.terms.keys().any(|t| t.chars().nth(1).is_none())
    }

    /// The HTML snippet of `text` (escaped, matches in `<em>..</em>`), or `None` when no query
    /// term occurs in the part scanned: all of `text` up to [`SCAN_BYTES`], else the window
    /// [`scan_window`] picks.
    pub(crate) fn snippet(&mut self, text: &str) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let text = scan_window(text, self.terms.keys().map(String::as_str));
        // (score, start, stop) of the best fragment so far and of the current one.
        let mut best: Option<(f32, usize, usize)> = None;
        let (mut score, mut start, mut stop) = (0.0f32, 0usize, 0usize);
        self.ranges.clear();
        let terms = &self.terms;
        let ranges = &mut self.ranges;
        let best_ranges = &mut self.best;
        let max = self.max_bytes;
        let mut close = |score: f32,
                         start: usize,
                         stop: usize,
                         ranges: &mut Vec<Range<usize>>,
                         best: &mut Option<(f32, usize, usize)>| {
            // Strictly better only: ties keep the earlier fragment (tantivy's order).
            if score > 0.0 && best.is_none_or(|(s, _, _)| score > s) {
                *best = Some((score, start, stop));
                std::mem::swap(best_ranges, ranges);
            }
            ranges.clear();
        };
        let mut stream = self.tokenizer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            if token.offset_to.saturating_sub(start) > max {
                close(score, start, stop, ranges, &mut best);
                score = 0.0;
                start = token.offset_from;
            }
            stop = token.offset_to;
            if let Some(s) = terms.get(token.text.as_str()) {
                score += s;
                ranges.push(token.offset_from..token.offset_to);
            }
        }
        close(score, start, stop, ranges, &mut best);
        let (_, start, stop) = best?;
        let fragment = text.get(start..stop)?;
        let mut html = String::with_capacity(fragment.len() + 32);
        let mut at = 0;
        // Ranges come in token order (starts non-decreasing); merge overlaps (bigrams).
        let mut merged: Option<Range<usize>> = None;
        let emit = |r: Range<usize>, html: &mut String, at: &mut usize| {
            let (s, e) = (r.start.saturating_sub(start), r.end.saturating_sub(start));
            escape_html_into(fragment.get(*at..s).unwrap_or_default(), html);
            html.push_str("<em>");
            escape_html_into(fragment.get(s..e).unwrap_or_default(), html);
            html.push_str("</em>");
            *at = e;
        };
        for r in self.best.iter() {
            match &mut merged {
                Some(m) if r.start < m.end => m.end = m.end.max(r.end),
                _ => {
                    if let Some(m) = merged.take() {
                        emit(m, &mut html, &mut at);
                    }
                    merged = Some(r.clone());
                }
            }
        }
        if let Some(m) = merged {
            emit(m, &mut html, &mut at);
        }
        escape_html_into(fragment.get(at..).unwrap_or_default(), &mut html);
        Some(html)
    }
}

/// Longest part of a text tokenized for its snippet, bytes. Tokenizing a whole body costs
/// memory and time in proportion to it: a 5.7 MB one-line page took ~200 MB and a large share of
/// a search's time per hit that showed it (fresh-user trial; 16 such searches at once reached
/// 2.8 GB). Real articles are far shorter, so their snippets are unchanged.
pub(crate) const SCAN_BYTES: usize = 64 * 1024;

/// The part of `text` scanned for a snippet: `text` itself up to [`SCAN_BYTES`]; else a window
/// of [`SCAN_BYTES`] (cut at character boundaries) starting half a window before the first
/// verbatim occurrence of any of `terms`, or the head of `text` when none occurs verbatim (a
/// term the tokenizer normalised, e.g. full-width letters in the text). The snippet of a long
/// text is then the best fragment of that window rather than of the whole text.
pub(crate) fn scan_window<'t, 'q>(text: &'t str, terms: impl Iterator<Item = &'q str>) -> &'t str {
    if text.len() <= SCAN_BYTES {
        return text;
    }
    let first = terms
        .filter(|t| !t.is_empty())
        .filter_map(|t| text.find(t))
        .min()
        .unwrap_or(0);
    let start = floor_char_boundary(text, first.saturating_sub(SCAN_BYTES / 2));
    text.get(start..)
        .map(|rest| prefix_within(rest, SCAN_BYTES))
        .unwrap_or_default()
}

/// `s` HTML-escaped: `& < > " '` become `&amp; &lt; &gt; &quot; &#x27;` (html-escape's
/// `encode_quoted_attribute`), so a snippet is safe in element text and in a quoted attribute.
pub(crate) fn escape_html(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// [`escape_html`] appended to `out` (no intermediate `String`).
fn escape_html_into(s: &str, out: &mut String) {
    html_escape::encode_quoted_attribute_to_string(s, out);
}

#[cfg(test)]
mod tests {
    use super::{SCAN_BYTES, escape_html, scan_window};

    #[test]
    fn long_texts_are_scanned_around_the_first_term() {
        let short = "快递进村工程";
        assert_eq!(scan_window(short, ["进村"].into_iter()), short);
        // 3-byte characters: a window never splits one.
        let filler = "天".repeat(100_000);
        let text = format!("{filler}快递进村{filler}");
        let w = scan_window(&text, ["无关", "进村"].into_iter());
        assert!(
            w.len() <= SCAN_BYTES && w.len() > SCAN_BYTES - 3,
            "{}",
            w.len()
        );
        assert!(w.contains("快递进村"));
        let at = w.find("进村").unwrap();
        // Half a window before the term, moved back to a character boundary.
        assert!((SCAN_BYTES / 2..SCAN_BYTES / 2 + 3).contains(&at), "{at}");
        // No verbatim occurrence: the head.
        let head = scan_window(&text, ["ＥＭＳ"].into_iter());
        assert!(text.starts_with(head) && head.len() > SCAN_BYTES - 3);
        // A term near the start: the window starts at 0.
        let early = format!("快递{filler}");
        assert!(scan_window(&early, ["快递"].into_iter()).starts_with("快递"));
    }

    #[test]
    fn escapes_markup_and_both_quotes() {
        assert_eq!(
            escape_html(r#"<img src=x onerror='a("b")'> & 快递"#),
            "&lt;img src=x onerror=&#x27;a(&quot;b&quot;)&#x27;&gt; &amp; 快递"
        );
        assert_eq!(escape_html("快递进村"), "快递进村");
    }
}
