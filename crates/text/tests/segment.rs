//! Segmentation acceptance: user dictionary words stay whole, offsets land on char boundaries
//! and map back to the original text, full-width input is normalised.

use std::sync::OnceLock;

use tantivy_tokenizer_api::{TokenStream, Tokenizer};
use yuqing_text::{BigramTokenizer, SegmentMode, Segmenter, normalize};

/// One segmenter with the test user dictionary (loading jieba is slow-ish; share it).
fn seg() -> &'static Segmenter {
    static SEG: OnceLock<(tempfile::TempDir, Segmenter)> = OnceLock::new();
    &SEG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("postal.txt"),
            "# postal/express industry terms\n\
             快递进村\n\
             两进一出 5 n\n\
             绿盾\n\
             \n\
             邮政强国 nz\n",
        )
        .unwrap();
        // A second file, and a non-txt file that must be ignored.
        std::fs::write(dir.path().join("more.txt"), "9792\n").unwrap();
        std::fs::write(dir.path().join("ignored.csv"), "not a dict , at all\n").unwrap();
        let seg = Segmenter::load(Some(dir.path())).unwrap();
        (dir, seg)
    })
    .1
}

#[test]
fn user_dictionary_words_stay_whole() {
    let s = seg();
    let cases = [
        ("国家邮政局推进快递进村工程", "快递进村"),
        ("落实两进一出工程要求", "两进一出"),
        ("开展绿盾专项行动", "绿盾"),
        ("拨打9792热线咨询", "9792"),
        ("加快建设邮政强国", "邮政强国"),
    ];
    for (text, word) in cases {
        let words = s.cut(text, SegmentMode::Default);
        assert!(words.contains(&word), "{text}: {words:?}");
        assert_eq!(words.concat(), text, "default cut covers the text exactly");
    }
    // Without the user dictionary jieba splits at least one of them.
    let plain = Segmenter::load(None).unwrap();
    let words = plain.cut("国家邮政局推进快递进村工程", SegmentMode::Default);
    assert!(!words.contains(&"快递进村"), "{words:?}");
}

#[test]
fn golden_segment_line() {
    let s = seg();
    assert_eq!(
        s.segment_line(
            "国家邮政局：推进“快递进村”，拨打９７９２！",
            SegmentMode::Default
        ),
        "国家邮政局 推进 快递进村 拨打 9792"
    );
    // Search mode adds the dictionary words inside long words.
    let search = s.segment_line("中华人民共和国邮政法", SegmentMode::Search);
    for w in ["中华", "人民", "共和国", "中华人民共和国"] {
        assert!(search.split(' ').any(|x| x == w), "{search}");
    }
}

#[test]
fn full_width_is_normalised() {
    assert_eq!(normalize("ＳＦ顺丰　２０２６年Ｑ１"), "sf顺丰 2026年q1");
    let line = seg().segment_line("ＳＦ快递　２０２６", SegmentMode::Default);
    assert_eq!(line, "sf 快递 2026");
}

const VARIED: &[&str] = &[
    "国家邮政局公布2026年1月邮政行业运行情况，快递业务量完成１２３.４亿件。",
    "ＥＭＳ、顺丰（SF Express）与京东物流——“最后一公里”怎么走？",
    "中国人民银行发布通知；Ａｌｉｂａｂａ旗下菜鸟驿站覆盖98%乡镇",
    "①快递进村 ②两进一出 ③绿盾工程\t\n\r  ",
    "Ｈｅｌｌｏ，世界！é e\u{301} 😀 emoji 和 日本語のテキスト 한국어",
    "",
    "，，，！！",
    "㈱株式会社 ㍿ ﬁle Ⅻ",
];

fn check_offsets<T: Tokenizer>(tok: &mut T, text: &str) -> usize {
    let mut stream = tok.token_stream(text);
    let mut n = 0;
    let mut last_from = 0;
    while stream.advance() {
        let t = stream.token();
        assert_eq!(t.position, n, "sequential positions in {text:?}");
        assert!(t.offset_from < t.offset_to, "{t:?} in {text:?}");
        assert!(t.offset_from >= last_from, "offsets go forward in {text:?}");
        assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to));
        let orig = &text[t.offset_from..t.offset_to];
        // The original slice normalises to the token text.
        // (contains, not equals: one character may expand, `㈱` → `(株)` gives token `株`.)
        assert!(
            normalize(orig).contains(t.text.as_str()),
            "{t:?} in {text:?}"
        );
        last_from = t.offset_from;
        n += 1;
    }
    n
}

#[test]
fn offsets_on_char_boundaries_and_map_back() {
    let mut word = seg().word_tokenizer();
    let mut bigram = BigramTokenizer::new();
    let mut total = 0;
    for text in VARIED {
        total += check_offsets(&mut word, text);
        total += check_offsets(&mut bigram, text);
    }
    // Also every prefix of a mixed string (cuts through multi-byte sequences are skipped).
    let mixed = VARIED.concat();
    for (i, _) in mixed.char_indices().step_by(3) {
        check_offsets(&mut word, &mixed[i..]);
        check_offsets(&mut bigram, &mixed[..i]);
    }
    assert!(total > 60, "tokens seen: {total}");
}

#[test]
fn word_tokens_drop_punctuation_keep_stop_words() {
    let mut word = seg().word_tokenizer();
    let mut stream = word.token_stream("快递的发展，很快！");
    let mut texts = Vec::new();
    while let Some(t) = stream.next() {
        texts.push(t.text.clone());
    }
    assert!(texts.contains(&"的".to_string()), "{texts:?}");
    assert!(
        texts.iter().all(|t| t != "，" && t != "," && t != "!"),
        "{texts:?}"
    );
}

#[test]
fn cloned_tokenizer_gives_same_tokens() {
    let mut a = seg().word_tokenizer();
    let mut b = a.clone();
    let text = "邮政强国建设持续推进，快递进村覆盖率提升";
    let collect = |t: &mut yuqing_text::WordTokenizer| {
        let mut s = t.token_stream(text);
        let mut v = Vec::new();
        while let Some(tok) = s.next() {
            v.push(tok.clone());
        }
        v
    };
    let ta = collect(&mut a);
    assert_eq!(ta, collect(&mut b));
    // Reusing the same tokenizer (scratch buffers) gives the same again.
    assert_eq!(ta, collect(&mut a));
}

fn token_texts<T: Tokenizer>(tok: &mut T, text: &str) -> Vec<String> {
    let mut s = tok.token_stream(text);
    let mut v = Vec::new();
    while let Some(t) = s.next() {
        v.push(t.text.clone());
    }
    v
}

#[test]
fn full_width_punctuation_left_in_place_gives_the_normalised_tokens() {
    // The tokenizers skip normalising full-width punctuation and odd spaces (they separate
    // tokens either way); the tokens must equal those of the fully normalised text.
    let mut word = seg().word_tokenizer();
    let mut bigram = BigramTokenizer::new();
    let texts = VARIED.iter().copied().chain([
        "业务量同比增长15．2％，快递进村（试点）！\u{3000}圆通…中通：韵达；",
        "C＋＋与C＃、a－b、x＿y和R＆D：均为词内字符",
        "价格：１００元／件？\u{00A0}是的…",
    ]);
    for text in texts {
        let norm = normalize(text);
        assert_eq!(
            token_texts(&mut word, text),
            token_texts(&mut word, &norm),
            "{text:?}"
        );
        assert_eq!(
            token_texts(&mut bigram, text),
            token_texts(&mut bigram, &norm),
            "{text:?}"
        );
    }
}
