//! The `yuqing` binary: one module per subcommand under `cmd/`, glue only.
//!
//! Exit codes: 0 success; 1 failure (every source failed, invalid config, I/O); 2 bad usage
//! (unknown flag, bad query syntax, bad date).

mod cli;
mod cmd;
mod time;

use std::process::ExitCode;

use clap::Parser;

/// The process allocator: mimalloc instead of glibc's malloc. glibc keeps memory freed by the
/// many fetch, extraction and indexing threads in per-thread arenas: `yuqing run` over 10,000
/// local articles peaked at 298–319 MB with it and 238 MB with mimalloc, and ingest used ~8 %
/// less CPU per article (`bench_run`, `bench_ingest`; figures in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error with the exit code it should end the process with.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code (1 failure, 2 usage).
    pub code: u8,
    /// What went wrong, printed on stderr.
    pub error: anyhow::Error,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 2,
            error: error.into(),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    let args = cli::Cli::parse();
    // The service logs each job run at info level by default.
    let serve = matches!(args.command, cli::Command::Serve { .. });
    init_tracing(args.verbose, serve);
    match cmd::dispatch(args) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("yuqing: error: {}", error_text(&failure.error));
            ExitCode::from(failure.code)
        }
    }
}

/// The error and its causes joined by `: `, each cause once: many errors already print
/// their source in their own message (`cannot read csv file x.csv: No such file …` with
/// the I/O error as its source too), and anyhow's `{:#}` would repeat it.
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// `yuqing search ... | head` should end quietly when `head` closes the pipe, as other Unix
/// tools do, instead of panicking in `println!`: restore the default SIGPIPE action that the
/// Rust runtime sets to "ignore".
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Logs to stderr; `YUQING_LOG` (tracing-subscriber filter syntax) wins over `-v`. `serve`
/// logs its own info lines (job start and end) without `-v`.
///
/// Quieted by default: html5ever's parser warnings (`foster parenting not implemented` and
/// the like, about the page's markup, never actionable by the user; `YUQING_LOG=html5ever=warn`
/// shows them), and, for commands other than `serve` without `-v`, the per-source warnings of
/// the pipeline ("source failed") and the fetcher ("robots.txt unavailable"), because the run
/// summary prints the same error on its source's line (`-v` shows them).
fn init_tracing(verbose: u8, serve: bool) {
    let default = match verbose {
        0 if serve => "warn,yuqing=info,html5ever=error",
        0 => "warn,html5ever=error,yuqing_pipeline::run=error,yuqing_fetch::fetcher=error",
        1 => "info,html5ever=error",
        _ => "debug,html5ever=error",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("YUQING_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

#[cfg(test)]
mod tests {
    use super::error_text;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let outer = anyhow::Error::new(io).context("cannot read csv file x.csv: no such file");
        assert_eq!(
            error_text(&outer),
            "cannot read csv file x.csv: no such file"
        );
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let outer = anyhow::Error::new(io).context("cannot read x.csv");
        assert_eq!(error_text(&outer), "cannot read x.csv: no such file");
    }
}
