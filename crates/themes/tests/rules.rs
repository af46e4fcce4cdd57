//! themes.toml validation and matching semantics.

use yuqing_model::HitField;
use yuqing_themes::{
    AVG_BODY_CHARS, AVG_TITLE_CHARS, BODY_SCALE, TITLE_BOOST, ThemeKind, ThemeSet, ThemesError,
    bm25_tf,
};

fn set(items: &str) -> ThemeSet {
    let text = format!(
        "version = 1\n[[section]]\nid = \"s1\"\nnumber = 1\nname = \"一\"\n\
         [[section]]\nid = \"s2\"\nnumber = 2\nname = \"二\"\nany = [\"邮政强国\"]\nmin_score = 2.0\n{items}"
    );
    ThemeSet::from_toml_str(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn ids(set: &ThemeSet, title: &str, body: &str) -> Vec<String> {
    set.match_article(title, body)
        .into_iter()
        .map(|m| m.theme)
        .collect()
}

#[test]
fn validation_lists_every_problem() {
    let text = r#"
version = 2
colour = "red"
[[section]]
id = "s1"
number = 1
name = "一"
[[section]]
id = "s1"
number = 1
name = "重复"
[[item]]
id = "s11.i1"
section = "s11"
number = 1
name = "甲"
any = ["快递", ""]
weights = { "邮政" = 2.0, "快递" = -1.0 }
min_score = 0
[[item]]
id = "s1.i2"
section = "s1"
number = 2
name = "乙"
not = ["邮编", "快递"]
all = [[], ["快递"]]
[[item]]
id = "s1.i9"
section = "s1"
number = 3
name = "丙"
any = ["x"]
tittle_only = ["y"]
[[item]]
id = "s1.i4"
section = "s1"
number = 4
name = "丁"
not = ["邮编"]
"#;
    let err = ThemeSet::from_toml_str(text, "themes.toml").unwrap_err();
    let ThemesError::Invalid { file, problems } = &err else {
        panic!("{err}")
    };
    assert_eq!(file, "themes.toml");
    let expected = [
        "themes.toml: version: unsupported version 2 (expected 1)",
        "themes.toml: colour: unknown key",
        "themes.toml: item[0].any[1]: empty term",
        "themes.toml: item[0].min_score: must be positive, got 0",
        "themes.toml: item[0].weights.\"快递\": weight must be positive, got -1",
        "themes.toml: item[0].weights.\"邮政\": weight for a term that is in no list of this rule",
        "themes.toml: item[1].all[0]: empty group (it could never match)",
        "themes.toml: item[1].not[1]: \"快递\" is also a term to match (any/all): the rule contradicts itself",
        "themes.toml: item[3]: empty rule: an item needs `any`, `all` or `title_only` terms",
        "themes.toml: item[2].tittle_only: unknown key",
        "themes.toml: section[1].id: duplicate id \"s1\"",
        "themes.toml: item[0].section: unknown section \"s11\"",
        "themes.toml: item[2].id: id \"s1.i9\" must be \"s1.i3\" (<section>.i<number>)",
    ];
    for e in expected {
        assert!(problems.iter().any(|p| p == e), "missing {e:?} in\n{err}");
    }
    assert_eq!(problems.len(), expected.len(), "{err}");
    // The Display form lists them all, one per line.
    assert_eq!(err.to_string().lines().count(), expected.len());
}

#[test]
fn syntax_and_read_errors_name_the_file() {
    let err = ThemeSet::from_toml_str("version = 1\n[[item]\n", "bad.toml").unwrap_err();
    assert!(matches!(err, ThemesError::Syntax { .. }));
    assert!(
        err.to_string().starts_with("bad.toml: invalid toml:"),
        "{err}"
    );
    let err = ThemeSet::load(std::path::Path::new("/nonexistent/themes.toml")).unwrap_err();
    assert!(matches!(err, ThemesError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/themes.toml"));
}

#[test]
fn load_from_file_and_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("themes.toml");
    std::fs::write(
        &path,
        "version = 1\n[plan]\nname = \"要点\"\n[[section]]\nid = \"s4\"\nnumber = 4\nname = \"环保\"\n\
         [[item]]\nid = \"s4.i10\"\nsection = \"s4\"\nnumber = 10\nname = \"9792\"\nany = [\"9792\"]\n",
    )
    .unwrap();
    let set = ThemeSet::load(&path).unwrap();
    assert_eq!(set.plan_name(), Some("要点"));
    let t = set.theme("s4.i10").unwrap();
    assert_eq!(
        (t.kind, t.section.as_str(), t.number),
        (ThemeKind::Item, "s4", 10)
    );
    assert_eq!(set.theme("s4").unwrap().kind, ThemeKind::Section);
    assert!(set.theme("s5").is_none());
    assert_eq!(set.themes().len(), 2);
    // Problems name the path as given.
    std::fs::write(&path, "version = 1\nextra = 1\n").unwrap();
    let err = ThemeSet::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: extra: unknown key", path.display()))
    );
}

#[test]
fn any_all_not() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "快递进村"
any = ["快递进村", "快递下乡"]
all = [["快递", "邮政"], ["农村", "乡村"]]
not = ["邮政编码"]
"#);
    // any + both groups, in the title.
    assert_eq!(ids(&s, "乡村快递进村提速", ""), ["s1", "s1.i1"]);
    // any hits but group 2 (农村/乡村) does not.
    assert!(ids(&s, "快递进村", "").is_empty());
    // Groups hit but no `any` term.
    assert!(ids(&s, "农村快递", "农村快递很多").is_empty());
    // A `not` term anywhere excludes.
    assert!(ids(&s, "乡村快递进村提速", "邮政编码查询").is_empty());
}

#[test]
fn scores_weights_min_score_and_evidence() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "绿色"
any = ["绿色包装", "9792"]
weights = { "9792" = 3.0 }
min_score = 1.0
"#);
    // Bodies padded to the assumed average length (1,000 characters) score as documented.
    let filler = "今天天气晴朗。".repeat(140); // 980 characters
    let body = |text: &str| format!("{filler}{text}");
    let len = |text: &str| yuqing_text::normalize(text).chars().count();
    let body_tf = |tf: u32, text: &str| BODY_SCALE * bm25_tf(tf, len(text), AVG_BODY_CHARS);
    // One body mention in an average-length article: 0.75 < 1.0.
    let one = body("推广绿色包装。");
    assert!(
        (body_tf(1, &one) - 0.75).abs() < 0.02,
        "{}",
        body_tf(1, &one)
    );
    assert!(ids(&s, "", &one).is_empty());
    // Two body mentions: 1.03.
    let two = body("推广绿色包装，绿色包装回收");
    let m = s.match_article("", &two);
    assert_eq!(m.len(), 2);
    assert!(
        (m[1].score - body_tf(2, &two)).abs() < 1e-6,
        "{}",
        m[1].score
    );
    assert!(m[1].score > 1.0 && m[1].score < 1.1, "{}", m[1].score);
    // In a short text one mention weighs more (BM25 length normalisation): 1.26.
    let m = s.match_article("", "推广绿色包装。");
    assert!((m[1].score - body_tf(1, "推广绿色包装。")).abs() < 1e-6);
    assert!(m[1].score > 1.2, "{}", m[1].score);
    // Weight 3 makes one body mention enough: 3 × 0.75.
    let nine = body("实现9792工程");
    let m = s.match_article("", &nine);
    assert!((m[1].score - 3.0 * body_tf(1, &nine)).abs() < 1e-5);
    // Title and body parts, summed over terms (title count saturates too); evidence per field
    // with counts.
    let title = "绿色包装绿色包装进展";
    let text = "绿色包装。9792目标，9792工程。";
    let m = s.match_article(title, text);
    let item = &m[1];
    assert_eq!(item.theme, "s1.i1");
    let want = TITLE_BOOST * bm25_tf(2, len(title), AVG_TITLE_CHARS)
        + body_tf(1, text)
        + 3.0 * body_tf(2, text);
    assert!((item.score - want).abs() < 1e-5, "{} vs {want}", item.score);
    let hits: Vec<(&str, u32, HitField)> = item
        .hits
        .iter()
        .map(|h| (h.term.as_str(), h.count, h.field))
        .collect();
    assert_eq!(
        hits,
        [
            ("绿色包装", 2, HitField::Title),
            ("9792", 2, HitField::Body),
            ("绿色包装", 1, HitField::Body)
        ]
    );
    // Section s1 derives from the item: same score and evidence.
    assert_eq!(m[0].theme, "s1");
    assert_eq!(m[0].score, item.score);
    assert_eq!(m[0].hits, item.hits);
}

#[test]
fn title_only_terms() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "快递进村"
any = ["快递进村"]
title_only = ["进村"]
"#);
    // 进村 alone in the title is an `any` alternative worth 2.0.
    let m = s.match_article("邮政服务进村入户", "");
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].hits.len(), 1);
    assert_eq!(m[1].hits[0].field, HitField::Title);
    // In the body it counts for nothing, and is not reported.
    assert!(ids(&s, "", "服务进村，进村入户，进村").is_empty());
    let m = s.match_article("", "快递进村，快递进村，送货进村");
    assert_eq!(m.len(), 2);
    assert!(m[1].hits.iter().all(|h| h.term == "快递进村"));
}

#[test]
fn substring_normalisation_and_word_edges() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "央行"
any = ["人民银行", "RCEP", "9792"]
"#);
    // 人民银行 inside 中国人民银行 (as a bigram phrase query finds it).
    assert_eq!(ids(&s, "中国人民银行发布通知", ""), ["s1", "s1.i1"]);
    // Full-width Latin and digits normalise; Latin terms are case-insensitive.
    assert_eq!(ids(&s, "ＲＣＥＰ生效", ""), ["s1", "s1.i1"]);
    assert_eq!(ids(&s, "rcep生效", ""), ["s1", "s1.i1"]);
    assert_eq!(ids(&s, "推进“９７９２”工程", ""), ["s1", "s1.i1"]);
    // A number or Latin word is matched whole, like the index keeps it.
    assert!(ids(&s, "197920件", "").is_empty());
    assert!(ids(&s, "rcepx", "").is_empty());
    // Punctuation between characters breaks a CJK term (the bigram phrase breaks too).
    assert!(ids(&s, "人民，银行", "").is_empty());
}

#[test]
fn overlapping_terms_count_separately_and_without_overlap() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "包"
any = ["快递", "快递包装", "哈哈"]
"#);
    let m = s.match_article("", "快递包装和快递；哈哈哈哈哈");
    let hits: Vec<(&str, u32)> = m[1]
        .hits
        .iter()
        .map(|h| (h.term.as_str(), h.count))
        .collect();
    // 快递 counted inside 快递包装 too; 哈哈 in 哈哈哈哈哈 twice (non-overlapping).
    assert_eq!(hits, [("哈哈", 2), ("快递", 2), ("快递包装", 1)]);
}

#[test]
fn sections_own_rule_and_ordering() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "甲"
any = ["甲乙"]
[[item]]
id = "s2.i2"
section = "s2"
number = 2
name = "乙"
any = ["丙丁"]
"#);
    // s2's own rule (邮政强国, min 2.0) matches on a title hit without any item.
    let m = s.match_article("建设邮政强国", "");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].theme, "s2");
    assert_eq!(m[0].hits[0].term, "邮政强国");
    // Both sections: sorted by score desc; equal scores by id.
    let m = s.match_article("甲乙", "丙丁丙丁丙丁 邮政强国 邮政强国");
    let got: Vec<(&str, f32)> = m.iter().map(|m| (m.theme.as_str(), m.score)).collect();
    // s1.i1: 甲乙 in a 2-character title; s2.i2: 丙丁 x3 in a 16-character body (1.49); own
    // rule 邮政强国 x2 (1.43) < its min 2.0.
    let s1 = TITLE_BOOST * bm25_tf(1, 2, AVG_TITLE_CHARS);
    let s2 = BODY_SCALE * bm25_tf(3, 16, AVG_BODY_CHARS);
    assert!(BODY_SCALE * bm25_tf(2, 16, AVG_BODY_CHARS) < 2.0);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0], ("s1", s1));
    assert_eq!(got[1], ("s1.i1", s1));
    assert_eq!(got[2].0, "s2");
    assert_eq!(got[3].0, "s2.i2");
    assert!((got[2].1 - s2).abs() < 1e-6);
    assert_eq!(got[2].1, got[3].1);
    // The section's evidence is the item's (own rule did not match).
    assert!(m[2].hits.iter().all(|h| h.term == "丙丁"));
    assert!(s.match_article("无关", "体育新闻").is_empty());
}

#[test]
fn fingerprint_follows_rules_not_names() {
    let a = set(
        "[[item]]\nid = \"s1.i1\"\nsection = \"s1\"\nnumber = 1\nname = \"甲\"\nany = [\"甲乙\"]\n",
    );
    let b = set(
        "[[item]]\nid = \"s1.i1\"\nsection = \"s1\"\nnumber = 1\nname = \"改名\"\nany = [\"甲乙\"]\n",
    );
    let c = set(
        "[[item]]\nid = \"s1.i1\"\nsection = \"s1\"\nnumber = 1\nname = \"甲\"\nany = [\"甲乙\"]\nweights = { \"甲乙\" = 2.0 }\n",
    );
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), c.fingerprint());
    assert_eq!(a.fingerprint().len(), 32);
}

#[test]
fn shipped_config_loads() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/themes.toml"
    ));
    if !path.exists() {
        println!("SKIPPED: config/themes.toml not found");
        return;
    }
    let set = ThemeSet::load(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        set.themes()
            .iter()
            .filter(|t| t.kind == ThemeKind::Item)
            .count(),
        29
    );
    assert_eq!(
        set.themes()
            .iter()
            .filter(|t| t.kind == ThemeKind::Section)
            .count(),
        10
    );
}

#[test]
fn title_only_exclusion() {
    let s = set(r#"
[[item]]
id = "s1.i1"
section = "s1"
number = 1
name = "快递进村"
any = ["快递进村"]
not = ["广告"]
title_only = ["广告"]
"#);
    // 广告 excludes only from the title; in the body it neither excludes nor scores.
    assert!(ids(&s, "快递进村广告", "").is_empty());
    let m = s.match_article("快递进村", "广告");
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].score, TITLE_BOOST * bm25_tf(1, 4, AVG_TITLE_CHARS));
    assert_eq!(m[1].hits.len(), 1);
}

#[test]
fn theme_set_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<ThemeSet>();
    let s = std::sync::Arc::new(set(
        "[[item]]\nid = \"s1.i1\"\nsection = \"s1\"\nnumber = 1\nname = \"甲\"\nany = [\"甲乙\"]\n",
    ));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let s = std::sync::Arc::clone(&s);
            std::thread::spawn(move || s.match_article("甲乙", "").len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 2);
    }
}
