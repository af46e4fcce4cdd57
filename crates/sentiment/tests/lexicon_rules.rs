//! Table-driven checks of the shipped lexicon's rules on sentences written for these tests.

use std::path::PathBuf;

use yuqing_model::SentimentLabel::{self, Negative, Neutral, Positive};
use yuqing_sentiment::{Lexicon, LexiconModel, Model};

fn model() -> LexiconModel {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/lexicon"));
    LexiconModel::new(Lexicon::load(&dir).unwrap())
}

#[test]
fn builtin_equals_files() {
    let m = model();
    let b = Lexicon::builtin();
    assert_eq!(m.lexicon.word_counts(), b.word_counts());
    let (p, n) = b.word_counts();
    assert!(p > 200 && n > 500, "positive {p}, negative {n}");
}

#[test]
fn labels_of_written_sentences() {
    let m = model();
    // (title, body, expected label)
    let cases: &[(&str, &str, SentimentLabel)] = &[
        ("", "用户对快递服务不满意", Negative),
        ("", "用户对快递服务满意", Positive),
        ("", "受天气影响，部分快件并未延误", Neutral),
        ("", "受天气影响，部分快件延误", Negative),
        ("", "网点爆仓，大量包裹丢失", Negative),
        ("", "快递员拾金不昧获点赞", Positive),
        ("", "警方破获一起诈骗案", Neutral), // crackdown: not negative
        ("", "某快递公司拖欠工资后老板跑路", Negative),
        ("", "今天召开会议，研究部署下一阶段工作", Neutral),
        ("", "邮政网点开展便民服务，群众满意度创新高", Positive),
    ];
    for (t, b, want) in cases {
        let s = m.analyze(t, b);
        assert_eq!(s.label, *want, "{t}|{b}: {s:?}");
    }
}

#[test]
fn negation_flips_and_is_in_the_evidence() {
    let m = model();
    let s = m.analyze("", "服务不贴心");
    assert_eq!(s.evidence[0].text, "不贴心");
    assert!(s.evidence[0].weight < 0.0);
    let s = m.analyze("", "包裹并未延误");
    assert_eq!(s.evidence[0].text, "并未延误");
    assert!(s.evidence[0].weight > 0.0);
    // Two negators cancel.
    let s = m.analyze("", "并非不满意");
    assert!(s.score > 0.0, "{s:?}");
    // A negator with a verb of finding or happening (a trial's 未发现丢件 read as negative).
    let s = m.analyze("", "本月抽查未发现丢件");
    assert_eq!(s.evidence[0].text, "未发现丢件");
    assert!(s.score > 0.0, "{s:?}");
    let s = m.analyze("", "全年没有发生事故");
    assert!(s.score > 0.0, "{s:?}");
    // A negator too far away does not apply.
    let s = m.analyze("", "没有想到这次配送延误");
    assert!(s.score < 0.0, "{s:?}");
    // 未来 is not 未 + 来: the positive word after it is not negated.
    let s = m.analyze("", "未来发展成效明显");
    assert!(s.score > 0.0, "{s:?}");
}

#[test]
fn degree_multiplies() {
    let m = model();
    let plain = m.analyze("", "服务满意").score;
    let very = m.analyze("", "服务非常满意");
    let little = m.analyze("", "服务稍微满意").score;
    assert!(
        very.score > plain && plain > little,
        "{} {plain} {little}",
        very.score
    );
    assert_eq!(very.evidence[0].text, "非常满意");
    let w_plain = m.analyze("", "服务满意").evidence[0].weight;
    assert!((very.evidence[0].weight - 1.8 * w_plain).abs() < 1e-5);
    let s = m.analyze("", "服务很不满意");
    assert_eq!(s.evidence[0].text, "很不满意");
}

#[test]
fn modifiers_inside_longer_words_do_not_modify() {
    let m = model();
    let weight_of = |body: &str, text: &str| -> f32 {
        let s = m.analyze("", body);
        s.evidence
            .iter()
            .find(|e| e.text == text)
            .unwrap_or_else(|| panic!("{text} not in the evidence of {body}: {s:?}"))
            .weight
    };
    let base = weight_of("推进", "推进");
    // 极 inside 积极 is not the degree adverb 极: 推进 keeps its own weight, and 积极 counts
    // as the (mild) positive word it is.
    assert_eq!(weight_of("积极推进", "推进"), base);
    let s = m.analyze("", "积极推进");
    assert_eq!(s.evidence.len(), 2, "{s:?}");
    assert!(weight_of("积极推进", "积极") > 0.0);
    // The degree adverbs themselves still multiply: 极其 ×2, a standalone 极 ×1.8.
    let satisfied = weight_of("满意", "满意");
    assert!((weight_of("极其满意", "极其满意") - 2.0 * satisfied).abs() < 1e-5);
    assert!((weight_of("极满意", "极满意") - 1.8 * satisfied).abs() < 1e-5);
    // 不积极 is a negated positive word: negative, and 极 plays no part in it.
    let s = m.analyze("", "部分网点配合不积极");
    assert_eq!(s.evidence[0].text, "不积极", "{s:?}");
    assert!(s.evidence[0].weight < 0.0, "{s:?}");
    // 很 before a word intensifies it.
    assert!(weight_of("很满意", "很满意") > satisfied);
}

#[test]
fn contrast_makes_the_later_clause_weigh_more() {
    let m = model();
    // Same words, opposite order: the clause after 但 decides.
    let a = m.analyze("", "网点服务热情但包裹延误");
    let b = m.analyze("", "包裹延误但网点服务热情");
    assert!(a.score < 0.0, "{a:?}");
    assert!(b.score > 0.0, "{b:?}");
    // A sentence end resets the contrast.
    let c = m.analyze("", "包裹延误。网点服务热情");
    assert!(c.score.abs() < b.score.abs(), "{c:?} {b:?}");
}

#[test]
fn title_weighs_more_than_body() {
    let m = model();
    let in_title = m.analyze("快件延误", "网点服务热情");
    let in_body = m.analyze("网点服务热情", "快件延误");
    assert!(in_title.score < 0.0, "{in_title:?}");
    assert!(in_body.score > 0.0, "{in_body:?}");
    let t = m.analyze("快件延误", "").evidence[0].weight;
    let b = m.analyze("", "快件延误").evidence[0].weight;
    assert!((t - 2.0 * b).abs() < 1e-5, "{t} {b}");
}

#[test]
fn enforcement_damps_crime_words() {
    let m = model();
    let crime = m.analyze("", "不法分子冒充快递员实施诈骗");
    let crackdown = m.analyze("", "警方依法查处冒充快递员实施诈骗的不法分子");
    assert_eq!(crime.label, Negative);
    assert!(crackdown.label != Negative, "{crackdown:?}");
    let w = |s: &yuqing_model::Sentiment| {
        s.evidence
            .iter()
            .find(|e| e.text == "诈骗")
            .map(|e| e.weight)
    };
    assert!(w(&crackdown).unwrap().abs() < w(&crime).unwrap().abs());
}

#[test]
fn evidence_is_sorted_merged_and_bounded() {
    let m = model();
    let s = m.analyze(
        "快递爆仓",
        "包裹延误，包裹延误，客户投诉，服务热情，快递员辛苦了",
    );
    let mags: Vec<f32> = s.evidence.iter().map(|e| e.weight.abs()).collect();
    assert!(mags.windows(2).all(|w| w[0] >= w[1]), "{mags:?}");
    assert_eq!(s.evidence.iter().filter(|e| e.text == "延误").count(), 1);
    assert!(s.evidence.len() <= yuqing_sentiment::MAX_EVIDENCE);
    assert!((-1.0..=1.0).contains(&s.score));
    // Model::analyze gives the same as the inner model.
    let whole = Model::Lexicon(m.clone()).analyze("快递爆仓", "包裹延误");
    assert_eq!(whole, m.analyze("快递爆仓", "包裹延误"));
}

#[test]
fn long_text_stays_bounded() {
    let m = model();
    let body = "快件延误，客户投诉。".repeat(200);
    let s = m.analyze("", &body);
    assert_eq!(s.label, Negative);
    assert!(s.score > -1.0 && s.score < 0.0);
    let empty = m.analyze("", "");
    assert_eq!(
        (empty.label, empty.score, empty.evidence.len()),
        (Neutral, 0.0, 0)
    );
}

#[test]
fn bad_lexicon_lines_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("positive.txt"), "# header\n好 1\n").unwrap();
    std::fs::write(dir.path().join("negative.txt"), "坏 1\n差 x\n").unwrap();
    let err = Lexicon::load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("negative.txt") && err.contains("line 2"),
        "{err}"
    );
    std::fs::write(dir.path().join("negative.txt"), "坏 1\n").unwrap();
    let lex = Lexicon::load(dir.path()).unwrap();
    assert_eq!(lex.word_counts(), (1, 1));
    std::fs::remove_file(dir.path().join("negative.txt")).unwrap();
    let err = Lexicon::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("negative.txt"), "{err}");
}

#[test]
fn every_lexicon_problem_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("positive.txt"), "好 1\n棒 y\n赞\n").unwrap();
    std::fs::write(dir.path().join("negative.txt"), "坏 1\n差 x\n").unwrap();
    std::fs::write(dir.path().join("enforcement.txt"), "破获 1.5\n").unwrap();
    let problems: Vec<String> = Lexicon::problems(dir.path())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems[0].contains("positive.txt line 2"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("positive.txt line 3") && problems[1].contains("赞 has no weight")
    );
    assert!(
        problems[2].contains("negative.txt line 2"),
        "{}",
        problems[2]
    );
    assert!(problems[3].contains("enforcement.txt line 1") && problems[3].contains("above 1"));
    // `load` reports the first of them.
    let first = Lexicon::load(dir.path()).unwrap_err().to_string();
    assert_eq!(first, problems[0]);
    // A missing required file is a problem too, alongside the bad lines.
    std::fs::remove_file(dir.path().join("negative.txt")).unwrap();
    let problems = Lexicon::problems(dir.path());
    assert!(
        problems[0].to_string().contains("negative.txt"),
        "{}",
        problems[0]
    );
    assert_eq!(problems.len(), 4);
    std::fs::write(dir.path().join("negative.txt"), "坏 1\n").unwrap();
    std::fs::write(dir.path().join("positive.txt"), "好 1\n").unwrap();
    std::fs::remove_file(dir.path().join("enforcement.txt")).unwrap();
    assert!(Lexicon::problems(dir.path()).is_empty());
}
