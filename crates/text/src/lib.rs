//! # yuqing-text: how is this Chinese text cut into words for the index?
//!
//! Word segmentation ([jieba-rs](https://docs.rs/jieba-rs), the Rust port of the Python `jieba`
//! segmenter, with its bundled dictionary plus project user dictionaries), text normalisation
//! (per-character NFKC, ASCII lowercased) and the two tantivy tokenizers the index uses:
//!
//! * [`WordTokenizer`] (registered as [`WORD_TOKENIZER`], `zh_word`): jieba's default-mode cut of
//!   the normalised text, whitespace/punctuation dropped, stop words **kept**.
//! * [`BigramTokenizer`] (registered as [`BIGRAM_TOKENIZER`], `zh_bigram`): overlapping character
//!   bigrams of CJK runs, so a query finds text whatever way jieba cut it.
//!
//! Both emit one token per position (positions 0, 1, 2, … with no overlap, so phrase queries work;
//! see tantivy issue #718 / tantivy-jieba issue #17 for what goes wrong with `cut_for_search`
//! overlapping tokens) and byte offsets into the *original* text, always on char boundaries.
//!
//! Loading the dictionary takes a fraction of a second: load one [`Segmenter`] per process and
//! clone it (an `Arc` clone); tokenizers made from it share the same dictionary.
//!
//! ```
//! use yuqing_text::{Segmenter, SegmentMode, normalize};
//! let seg = Segmenter::load(None).unwrap();
//! assert_eq!(seg.segment_line("我们在北京，ＥＭＳ快递２０２６", SegmentMode::Default),
//!            "我们 在 北京 ems 快递 2026");
//! assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
//! ```
#![warn(missing_docs)]

mod normalize;
mod tokenizer;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jieba_rs::Jieba;

pub use normalize::normalize;
pub use tokenizer::{
    BigramTokenStream, BigramTokenizer, MAX_TOKENIZED_BYTES, WordTokenStream, WordTokenizer,
    floor_char_boundary, prefix_within,
};

/// Name under which the index registers [`WordTokenizer`].
pub const WORD_TOKENIZER: &str = "zh_word";
/// Name under which the index registers [`BigramTokenizer`].
pub const BIGRAM_TOKENIZER: &str = "zh_bigram";

/// Everything that can go wrong in this crate (only dictionary loading can fail). A bad
/// *line* of a dictionary is not an error but a [`DictProblem`]: the line is skipped.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// The user dictionary directory could not be listed.
    #[error("cannot read dictionary directory {path}: {source}")]
    DictDir {
        /// Directory given to [`Segmenter::load`].
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A user dictionary file could not be read (or is not UTF-8).
    #[error("cannot read dictionary file {path}: {source}")]
    DictRead {
        /// The `*.txt` file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
}

/// A malformed line of a user dictionary (skipped when loading). Displays as
/// `file:line: what is wrong`, the form compilers use, so editors can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictProblem {
    /// The `*.txt` file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it (`frequency `1x` …`, `extra field `extra` …`).
    pub message: String,
}

impl std::fmt::Display for DictProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Which jieba cut to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SegmentMode {
    /// `jieba.cut` (accurate mode): each character belongs to exactly one word. Used by the
    /// index (sequential positions; HMM off there, see [`WordTokenizer`]).
    #[default]
    Default,
    /// `jieba.cut_for_search`: default cut plus the dictionary 2- and 3-character words inside
    /// longer words (overlapping). For display / keyword extraction, never for positions.
    Search,
}

/// Project stop-word list (function words, pronouns, particles). Hand-picked for this project;
/// not used by the index tokenizers (which keep every word so phrases stay exact), but offered to
/// keyword / statistics code through [`is_stop_word`].
const STOP_WORDS: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "而", "就", "这", "那", "之", "其",
    "被", "把", "对", "从", "向", "等", "着", "过", "我", "你", "他", "她", "它", "我们", "你们",
    "他们", "她们", "它们", "这个", "那个", "这些", "那些", "一个", "有", "又", "并", "但", "但是",
    "因为", "所以", "如果", "由于", "以及", "为", "为了", "将", "于", "以", "则", "即", "还", "已",
    "已经", "个", "地", "得", "啊", "吗", "呢", "吧", "哦", "呀", "么", "什么", "上", "下", "中",
    "到", "要", "会", "能", "可以", "不", "没有", "就是", "自己", "这样", "这种", "该",
];

/// True when `w` is in the project's stop-word list (的 了 是 在 和 与 及 …, about 90 entries).
/// Exact match on the normalised word; single CJK particles, pronouns and conjunctions.
pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(&w)
}

/// A loaded jieba segmenter. `Clone` is a cheap `Arc` clone: load once per process
/// ([`Segmenter::load`]) and clone it wherever needed.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("jieba", &self.jieba)
            .finish()
    }
}

impl Segmenter {
    /// Jieba's bundled dictionary plus every `*.txt` user dictionary in `dict_dir` (read in file
    /// name order). Format, jieba's: `word [freq] [tag]` per line, whitespace separated; `#`
    /// comment lines and blank lines are skipped; `word tag` (tag = ASCII letters) is accepted as in
    /// Python jieba. A word without a frequency gets jieba's
    /// `suggest_freq` (just high enough for the word to stay whole). Words are normalised with
    /// [`normalize`] since the tokenizers cut normalised text.
    ///
    /// A malformed line (see [`Segmenter::load_with_problems`]) is skipped and logged as a
    /// `tracing` warning `file:line: what is wrong`; the good lines are loaded, so one typo in
    /// a dictionary does not stop a crawl or the server (`yuqing config check` lists them all).
    ///
    /// Costs about 0.2 s (release) for the bundled dictionary: do it once per process.
    ///
    /// # Errors
    /// [`TextError::DictDir`] if `dict_dir` cannot be listed, [`TextError::DictRead`] if a file
    /// cannot be read as UTF-8.
    pub fn load(dict_dir: Option<&Path>) -> Result<Segmenter, TextError> {
        let (segmenter, problems) = Segmenter::load_with_problems(dict_dir)?;
        for p in &problems {
            tracing::warn!("{p} (line skipped)");
        }
        Ok(segmenter)
    }

    /// As [`Segmenter::load`], but returns every malformed line instead of logging it, in file
    /// and line order. A line is malformed when it has more than three fields (`word 10 n
    /// extra`), when its second field is neither a frequency (ASCII digits fitting a `usize`)
    /// nor a tag (ASCII letters), or when, with three fields, the second is not a frequency.
    ///
    /// # Errors
    /// As [`Segmenter::load`].
    pub fn load_with_problems(
        dict_dir: Option<&Path>,
    ) -> Result<(Segmenter, Vec<DictProblem>), TextError> {
        let mut jieba = Jieba::new();
        let mut problems = Vec::new();
        if let Some(dir) = dict_dir {
            let entries = fs::read_dir(dir).map_err(|source| TextError::DictDir {
                path: dir.to_path_buf(),
                source,
            })?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| TextError::DictDir {
                    path: dir.to_path_buf(),
                    source,
                })?;
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "txt") && path.is_file() {
                    files.push(path);
                }
            }
            files.sort();
            for path in files {
                let text = fs::read_to_string(&path).map_err(|source| TextError::DictRead {
                    path: path.clone(),
                    source,
                })?;
                for entry in parse_user_dict(&text) {
                    match entry {
                        Ok((word, freq, tag)) => {
                            jieba.add_word(&normalize(word), freq, tag);
                        }
                        Err((line, message)) => problems.push(DictProblem {
                            path: path.clone(),
                            line,
                            message,
                        }),
                    };
                }
            }
        }
        Ok((
            Segmenter {
                jieba: Arc::new(jieba),
            },
            problems,
        ))
    }

    /// Raw jieba cut of `text` (no normalisation, nothing dropped): slices of `text`, in order.
    /// HMM is on for new words. In [`SegmentMode::Search`] the output has overlapping words.
    pub fn cut<'a>(&self, text: &'a str, mode: SegmentMode) -> Vec<&'a str> {
        let tokens = match mode {
            SegmentMode::Default => self.jieba.cut(text, true),
            SegmentMode::Search => self.jieba.cut_for_search(text, true),
        };
        tokens.into_iter().map(|t| t.word).collect()
    }

    /// Tokens as the index's word field sees them, joined by one space (for `yuqing segment`):
    /// the text is normalised ([`normalize`]), cut **with HMM off** as the index tokenizer does
    /// (unknown words fall apart into single characters), and tokens without any alphanumeric
    /// character (whitespace, punctuation) are dropped. Stop words are **kept**, as in the index.
    pub fn segment_line(&self, text: &str, mode: SegmentMode) -> String {
        let norm = normalize(text);
        let mut out = String::with_capacity(norm.len() + norm.len() / 2);
        let words = match mode {
            SegmentMode::Default => self.jieba.cut(&norm, false),
            SegmentMode::Search => self.jieba.cut_for_search(&norm, false),
        };
        for w in words.into_iter().map(|t| t.word) {
            if tokenizer::is_word(w) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(w);
            }
        }
        out
    }

    /// The `zh_word` tantivy tokenizer; shares this segmenter's `Arc<Jieba>` (no dictionary copy,
    /// here or when tantivy clones the tokenizer).
    pub fn word_tokenizer(&self) -> WordTokenizer {
        WordTokenizer::new(Arc::clone(&self.jieba))
    }
}

/// One parsed line of a user dictionary: `(word, freq, tag)`, or `(1-based line, message)`.
type DictLine<'a> = Result<(&'a str, Option<usize>, Option<&'a str>), (usize, String)>;

/// The entries of one user dictionary file's `text`, skipping blank and `#` lines (a leading
/// BOM is ignored). Python jieba's user dictionary grammar: `word [freq] [tag]`, where the tag
/// is ASCII letters, so `word tag` (no frequency) is allowed too.
fn parse_user_dict(text: &str) -> impl Iterator<Item = DictLine<'_>> {
    let is_freq = |f: &str| f.bytes().all(|b| b.is_ascii_digit());
    let is_tag = |f: &str| f.bytes().all(|b| b.is_ascii_alphabetic());
    let freq = move |f: &str| {
        f.parse::<usize>()
            .map_err(|e| format!("frequency `{f}` is out of range: {e}"))
    };
    text.lines().enumerate().filter_map(move |(i, line)| {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let mut fields = line.split_whitespace();
        let word = fields.next()?;
        let entry = match (fields.next(), fields.next(), fields.next()) {
            (None, _, _) => Ok((word, None, None)),
            (Some(f), None, _) if is_freq(f) => freq(f).map(|n| (word, Some(n), None)),
            (Some(t), None, _) if is_tag(t) => Ok((word, None, Some(t))),
            (Some(f), None, _) => Err(format!(
                "expected `word [freq] [tag]`; `{f}` is neither a frequency nor a tag"
            )),
            (Some(f), Some(_), None) if !is_freq(f) => Err(format!(
                "expected `word [freq] [tag]`; `{f}` is not a frequency"
            )),
            (Some(f), Some(t), None) => freq(f).map(|n| (word, Some(n), Some(t))),
            (Some(_), Some(_), Some(extra)) => {
                let rest: Vec<&str> = std::iter::once(extra).chain(fields).collect();
                Err(format!(
                    "extra field{} {} after `word freq tag`",
                    if rest.len() == 1 { "" } else { "s" },
                    rest.iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ))
            }
        };
        Some(entry.map_err(|m| (i + 1, m)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words() {
        assert!(is_stop_word("的"));
        assert!(is_stop_word("我们"));
        assert!(!is_stop_word("快递"));
    }

    #[test]
    fn missing_dir_is_an_error() {
        let err = Segmenter::load(Some(Path::new("/nonexistent/yuqing-dict"))).unwrap_err();
        assert!(matches!(err, TextError::DictDir { .. }));
        assert!(err.to_string().contains("/nonexistent/yuqing-dict"));
    }
}
