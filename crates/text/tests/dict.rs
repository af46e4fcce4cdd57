//! User dictionaries with bad lines: every bad line is reported at once (`file:line: what is
//! wrong`) and the good lines of the same files are still loaded.

use std::path::Path;

use yuqing_text::{DictProblem, SegmentMode, Segmenter};

#[test]
fn every_bad_line_is_reported_and_the_good_lines_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "# comment\n\
         快递员驿站 10 n\n\
         菜鸟驿站\n\
         丰巢 nz\n\
         word 10 n extra\n\
         中通 abc1\n\
         圆通 99999999999999999999999 n\n\
         申通 x 5\n\
         韵达 3 n a b\n\
         寄递物流站\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.txt"), "\u{feff}绿盾 1x\n邮政强国 nz\n").unwrap();

    let (seg, problems) = Segmenter::load_with_problems(Some(dir.path())).unwrap();
    let got: Vec<(String, usize, &str)> = problems
        .iter()
        .map(|p| {
            let file = p.path.file_name().unwrap().to_string_lossy().into_owned();
            (file, p.line, p.message.as_str())
        })
        .collect();
    let want: Vec<(String, usize, &str)> = vec![
        (
            "a.txt".into(),
            5,
            "extra field `extra` after `word freq tag`",
        ),
        (
            "a.txt".into(),
            6,
            "expected `word [freq] [tag]`; `abc1` is neither a frequency nor a tag",
        ),
        (
            "a.txt".into(),
            7,
            "frequency `99999999999999999999999` is out of range: number too large to fit in target type",
        ),
        (
            "a.txt".into(),
            8,
            "expected `word [freq] [tag]`; `x` is not a frequency",
        ),
        (
            "a.txt".into(),
            9,
            "extra fields `a` `b` after `word freq tag`",
        ),
        (
            "b.txt".into(),
            1,
            "expected `word [freq] [tag]`; `1x` is neither a frequency nor a tag",
        ),
    ];
    assert_eq!(got, want);
    // Displayed as `file:line: message`.
    let first = problems.first().unwrap();
    assert_eq!(
        first.to_string(),
        format!(
            "{}:5: extra field `extra` after `word freq tag`",
            dir.path().join("a.txt").display()
        )
    );

    // The good lines, before and after the bad ones and in both files, are loaded: their
    // words stay whole (jieba alone cuts them apart).
    let plain = Segmenter::load(None).unwrap();
    for word in ["快递员驿站", "寄递物流站", "邮政强国"] {
        assert_ne!(
            plain.segment_line(word, SegmentMode::Default),
            word,
            "{word} is cut by jieba's own dictionary"
        );
        assert_eq!(seg.segment_line(word, SegmentMode::Default), word);
    }

    // `load` loads the same words and does not fail on the bad lines.
    let lenient = Segmenter::load(Some(dir.path())).unwrap();
    assert_eq!(
        lenient.segment_line("寄递物流站", SegmentMode::Default),
        "寄递物流站"
    );
}

#[test]
fn a_clean_dictionary_has_no_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.txt"),
        "快递进村\n两进一出 5 n\n绿盾 nz\n",
    )
    .unwrap();
    let (_, problems) = Segmenter::load_with_problems(Some(dir.path())).unwrap();
    assert_eq!(problems, Vec::<DictProblem>::new());
    let (_, problems) = Segmenter::load_with_problems(None).unwrap();
    assert!(problems.is_empty());
    assert!(Segmenter::load_with_problems(Some(Path::new("/nonexistent/yuqing-dict"))).is_err());
}
