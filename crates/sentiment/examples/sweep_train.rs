//! Dev aid: 5-fold macro-F1 of the trained model over a small grid of training params.
//! `cargo run --release -p yuqing-sentiment --example sweep_train -- FILE TEXT_COLS LABEL_MAP`

use std::path::PathBuf;

use yuqing_sentiment::{LabelMap, Lexicon, TrainParams, cross_validate_with, read_csv};
use yuqing_text::Segmenter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: sweep_train FILE TEXT_COLS LABEL_MAP");
        std::process::exit(2);
    }
    let cols: Vec<String> = args[1].split(',').map(str::to_string).collect();
    let ex = read_csv(
        &PathBuf::from(&args[0]),
        &cols,
        "label",
        &LabelMap::parse(&args[2])?,
    )?;
    let seg = Segmenter::load(None)?;
    let lex = Lexicon::load(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/lexicon"
    )))?;
    for epochs in [15usize, 30] {
        for nb in [0.0f32] {
            for alpha in [0.1f32, 0.2] {
                for ls in [0.25f32, 0.5] {
                    for lr in [10.0f32, 20.0] {
                        let p = TrainParams {
                            learning_rate: lr,
                            nbsvm: std::env::var("NBSVM").is_ok(),
                            epochs,
                            nb_weight: nb,
                            nb_alpha: alpha,
                            lexicon_scale: ls,
                            ..TrainParams::default()
                        };
                        let m = cross_validate_with(&ex, 5, &seg, &lex, p);
                        println!(
                            "epochs={epochs} nb_weight={nb} nb_alpha={alpha} lexicon_scale={ls} lr={lr} macro_f1={:.3} neg_recall={:.3}",
                            m.macro_f1,
                            m.class(yuqing_model::SentimentLabel::Negative).recall
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
