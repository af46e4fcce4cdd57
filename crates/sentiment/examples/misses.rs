//! Dev aid: prints examples of one true label that the lexicon model labels otherwise, with
//! their evidence. `cargo run --release -p yuqing-sentiment --example misses -- FILE TEXT_COLS LABEL_MAP LABEL`

use std::path::PathBuf;

use yuqing_model::SentimentLabel;
use yuqing_sentiment::{LabelMap, Lexicon, LexiconModel, read_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: misses FILE TEXT_COLS LABEL_MAP LABEL");
        std::process::exit(2);
    }
    let cols: Vec<String> = args[1].split(',').map(str::to_string).collect();
    let ex = read_csv(
        &PathBuf::from(&args[0]),
        &cols,
        "label",
        &LabelMap::parse(&args[2])?,
    )?;
    let want = SentimentLabel::parse(&args[3]).ok_or("bad label")?;
    let model = LexiconModel::new(Lexicon::load(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/lexicon"
    )))?);
    for e in ex.iter().filter(|e| e.label == want) {
        let s = model.analyze(&e.title, &e.body);
        if s.label != want {
            let ev: Vec<String> = s
                .evidence
                .iter()
                .map(|e| format!("{}{:+.1}", e.text, e.weight))
                .collect();
            println!(
                "{} {:+.2} {} | {} [{}]",
                s.label.as_str(),
                s.score,
                e.title,
                e.body,
                ev.join(" ")
            );
        }
    }
    Ok(())
}
