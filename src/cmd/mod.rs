//! One module per subcommand.

mod alert;
mod analyze;
mod config_check;
mod coverage;
mod extract;
mod plan;
mod report;
mod run;
mod search;
mod segment;
mod sentiment;
mod serve;
mod themes;
mod user;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use yuqing_config::Config;

use crate::Failure;
use crate::cli::{
    AlertAction, Cli, Command, ConfigAction, PlanAction, SentimentAction, ThemesAction,
};

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    let config_path = yuqing_config::resolve_config_path(cli.config.as_deref());
    match cli.command {
        Command::Run { json } => run::run(&config_path, json),
        Command::Search(args) => search::search(&config_path, &args),
        Command::Extract { json, input } => extract::extract(&config_path, &input, json),
        Command::Segment { mode, input } => segment::segment(&config_path, mode, &input),
        Command::Plan {
            action:
                PlanAction::Import {
                    json,
                    out,
                    force,
                    input,
                },
        } => plan::import(&config_path, &input, out.as_deref(), force, json),
        Command::Analyze(args) => analyze::analyze(&config_path, &args),
        Command::Themes {
            action: ThemesAction::List { json },
        } => themes::list(&config_path, json),
        Command::Themes {
            action: ThemesAction::Rematch { json, full },
        } => themes::rematch(&config_path, json, full),
        Command::Coverage(args) => coverage::coverage(&config_path, &args),
        Command::Sentiment {
            action: SentimentAction::Train(args),
        } => sentiment::train_cmd(&config_path, &args),
        Command::Sentiment {
            action: SentimentAction::Eval { csv, folds },
        } => sentiment::eval_cmd(&config_path, &csv, folds),
        Command::Report(args) => report::report(&config_path, &args),
        Command::Alert {
            action: AlertAction::Send { dry_run },
        } => alert::send(&config_path, dry_run),
        Command::Serve { no_web } => serve::serve(&config_path, no_web),
        Command::User { action } => user::user(&config_path, &action),
        Command::Config {
            action: ConfigAction::Check,
        } => config_check::check(&config_path),
    }
}

/// Loads and validates the config; every problem is listed in the error.
pub fn load_config(path: &Path) -> Result<Config, Failure> {
    Config::load(path).map_err(|e| {
        // The error's own message names the file and cause; its source chain would repeat it.
        let mut message = e.to_string();
        if matches!(e, yuqing_config::ConfigError::Io { .. }) {
            message.push_str(
                "\nhint: run from the directory holding config/, or pass --config PATH (or set YUQING_CONFIG)",
            );
        }
        Failure {
            code: 1,
            error: anyhow::anyhow!(message),
        }
    })
}

/// The config when its file exists; `None` when the default path is simply absent (commands
/// that can work without it, such as `extract`, then use built-in defaults).
pub fn load_config_if_present(path: &Path) -> Result<Option<Config>, Failure> {
    if !path.exists() && path == Path::new(yuqing_config::DEFAULT_CONFIG_PATH) {
        tracing::warn!(path = %path.display(), "no config file; using built-in defaults");
        return Ok(None);
    }
    load_config(path).map(Some)
}

/// A multi-threaded tokio runtime for the commands that do I/O.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

/// Reads a file argument, `-` meaning standard input.
pub fn read_input(input: &str) -> Result<Vec<u8>, Failure> {
    if input == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("reading stdin")?;
        Ok(buf)
    } else {
        let path = PathBuf::from(input);
        Ok(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)
    }
}
