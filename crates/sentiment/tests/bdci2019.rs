//! Evaluation on real labelled news: BDCI 2019 互联网新闻情感分析, balanced 2,289-item cut
//! (`../shared/data/news_sentiment_bdci2019`, read in place, never copied). Targets from
//! issue 4: lexicon macro-F1 >= 0.60, trained 5-fold macro-F1 >= 0.75, negative recall >= 0.80.

use std::path::PathBuf;

use yuqing_model::SentimentLabel;
use yuqing_sentiment::{
    Example, LabelMap, Lexicon, LexiconModel, Model, cross_validate, evaluate, read_csv,
};
use yuqing_text::Segmenter;

fn data_file() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.is_dir() {
        println!("SKIPPED: ../shared/data not found");
        return None;
    }
    Some(dir.join("news_sentiment_bdci2019/bdci2019_news_sentiment_balanced.csv"))
}

fn lexicon_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/lexicon"))
}

fn examples(path: &std::path::Path) -> Vec<Example> {
    let map = LabelMap::parse("0=positive,1=neutral,2=negative").unwrap();
    let cols = ["title".to_string(), "content_prefix".to_string()];
    let ex = read_csv(path, &cols, "label", &map).unwrap();
    assert_eq!(ex.len(), 2289);
    for l in SentimentLabel::ALL {
        assert_eq!(ex.iter().filter(|e| e.label == l).count(), 763);
    }
    ex
}

#[test]
fn shipped_lexicon_model_on_bdci2019() {
    let Some(path) = data_file() else { return };
    let ex = examples(&path);
    let model = Model::Lexicon(LexiconModel::new(Lexicon::load(&lexicon_dir()).unwrap()));
    let m = evaluate(&model, &ex);
    println!("lexicon model, BDCI 2019 balanced (2,289 items):\n{m}");
    assert!(
        m.macro_f1 >= 0.60,
        "lexicon macro-F1 {:.3} < 0.60",
        m.macro_f1
    );
    let neg = m.class(SentimentLabel::Negative).recall;
    assert!(neg >= 0.80, "lexicon negative recall {neg:.3} < 0.80");
}

#[test]
fn trained_model_5_fold_on_bdci2019() {
    let Some(path) = data_file() else { return };
    let ex = examples(&path);
    let seg = Segmenter::load(None).unwrap();
    let lexicon = Lexicon::load(&lexicon_dir()).unwrap();
    let m = cross_validate(&ex, 5, &seg, &lexicon);
    println!("trained model, 5-fold cross-validation, BDCI 2019 balanced:\n{m}");
    println!("trained macro_f1 (unrounded) = {:.5}", m.macro_f1);
    // Issue 4 target. Measured 0.7511: the margin is thin, so a lexicon change that moves
    // this figure should be checked with `--example sweep_train`.
    assert!(
        m.macro_f1 >= 0.75,
        "trained macro-F1 {:.4} < 0.75",
        m.macro_f1
    );
    let neg = m.class(SentimentLabel::Negative).recall;
    assert!(neg >= 0.80, "trained negative recall {neg:.3} < 0.80");
}
