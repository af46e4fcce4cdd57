//! Prints macro-F1 and negative recall of the lexicon model over a grid of thresholds on a
//! labelled CSV (how the default thresholds were checked).
//!
//! `cargo run --release -p yuqing-sentiment --example sweep_thresholds -- FILE.csv [TEXT_COLS] [LABEL_MAP]`
//! e.g. `... ../shared/data/news_sentiment_bdci2019/bdci2019_news_sentiment_balanced.csv title,content_prefix 0=positive,1=neutral,2=negative`

use std::path::PathBuf;

use yuqing_sentiment::{LabelMap, Lexicon, Metrics, Thresholds, read_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: sweep_thresholds FILE.csv [TEXT_COLS] [LABEL_MAP]");
        std::process::exit(2);
    };
    let cols: Vec<String> = args
        .get(1)
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let map = match args.get(2) {
        Some(m) => LabelMap::parse(m)?,
        None => LabelMap::default(),
    };
    let ex = read_csv(&PathBuf::from(file), &cols, "label", &map)?;
    let lex = Lexicon::load(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/lexicon"
    )))?;
    let scores: Vec<f32> = ex
        .iter()
        .map(|e| lex.score(&e.title, &e.body).score)
        .collect();
    println!("pos_t  neg_t  macro_f1  neg_recall  pos_recall");
    for p in [0.15f32, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45] {
        for n in [0.0f32, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] {
            let t = Thresholds {
                positive: p,
                negative: n.max(1e-6),
            };
            let m =
                Metrics::from_pairs(ex.iter().zip(&scores).map(|(e, &s)| (e.label, t.label(s))));
            println!(
                "{p:5.2} {n:6.2} {:9.3} {:11.3} {:11.3}",
                m.macro_f1,
                m.class(yuqing_model::SentimentLabel::Negative).recall,
                m.class(yuqing_model::SentimentLabel::Positive).recall
            );
        }
    }
    Ok(())
}
