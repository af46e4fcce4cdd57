//! `yuqing sentiment train|eval`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use yuqing_sentiment::{
    Example, LabelMap, Lexicon, LexiconModel, Model, TrainedModel, cross_validate, evaluate,
    read_csv, train,
};
use yuqing_store::Store;

use crate::Failure;
use crate::cli::LabelledCsvArgs;

/// Reads the labelled CSV named by `args`; errors name the file, line and column.
fn examples(args: &LabelledCsvArgs) -> Result<Vec<Example>, Failure> {
    let map = match args.label_map.as_deref() {
        Some(spec) => LabelMap::parse(spec).map_err(Failure::usage)?,
        None => LabelMap::default(),
    };
    let examples = read_csv(&args.csv, &args.text_columns, &args.label_column, &map)?;
    if examples.is_empty() {
        return Err(Failure::from(anyhow::anyhow!(
            "{}: no labelled rows",
            args.csv.display()
        )));
    }
    Ok(examples)
}

/// The lexicon in the configured directory, or the built-in one when it is absent.
fn lexicon(config: &yuqing_config::Config) -> Result<Lexicon, Failure> {
    if config.lexicon_dir.exists() {
        Ok(Lexicon::load(&config.lexicon_dir)?)
    } else {
        Ok(Lexicon::builtin())
    }
}

/// Trains on the CSV plus the analysts' corrections in the store, and saves the model to
/// `analysis.sentiment_model` (written to a temporary file, then renamed).
pub fn train_cmd(config_path: &Path, args: &LabelledCsvArgs) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let mut examples = examples(args)?;
    let from_csv = examples.len();
    let db = config.data_dir.join("yuqing.sqlite3");
    let mut corrected = 0;
    if db.exists() {
        let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
        for c in store.corrections()? {
            examples.push(Example {
                title: c.title,
                body: c.body,
                label: c.correction.label,
            });
            corrected += 1;
        }
    }
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let lexicon = lexicon(&config)?;
    let model = train(&examples, &segmenter, &lexicon);
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    model.save(&config.sentiment_model)?;
    let on_training = evaluate(&Model::Trained(model), &examples);
    println!(
        "trained on {} examples ({from_csv} from {}, {corrected} analyst corrections); saved {}",
        examples.len(),
        args.csv.display(),
        config.sentiment_model.display()
    );
    println!(
        "fit on the training data (not an estimate of accuracy; use `sentiment eval --folds 5`): macro_f1={:.3} accuracy={:.3}",
        on_training.macro_f1, on_training.accuracy
    );
    Ok(ExitCode::SUCCESS)
}

/// Scores the model in force on the CSV, or cross-validates training with `folds`.
pub fn eval_cmd(
    config_path: &Path,
    args: &LabelledCsvArgs,
    folds: Option<u16>,
) -> Result<ExitCode, Failure> {
    let config = super::load_config(config_path)?;
    let examples = examples(args)?;
    let segmenter = yuqing_text::Segmenter::load(Some(&config.dict_dir))?;
    let lexicon = lexicon(&config)?;
    let (what, metrics) = match folds {
        Some(k) => (
            format!("trained model, {k}-fold cross-validation"),
            cross_validate(&examples, usize::from(k), &segmenter, &lexicon),
        ),
        None => {
            let (what, model) = if config.sentiment_model.exists() {
                (
                    format!("trained model {}", config.sentiment_model.display()),
                    Model::Trained(TrainedModel::load(
                        &config.sentiment_model,
                        &segmenter,
                        &lexicon,
                    )?),
                )
            } else {
                (
                    format!("lexicon model ({})", config.lexicon_dir.display()),
                    Model::Lexicon(LexiconModel::new(lexicon)),
                )
            };
            (what, evaluate(&model, &examples))
        }
    };
    println!(
        "{what}, {} examples from {}",
        examples.len(),
        args.csv.display()
    );
    let text = metrics.to_string();
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
