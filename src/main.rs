//! The `yuqing` binary: one module per subcommand under `cmd/`, glue only.
//!
//! Exit codes: 0 success; 1 failure (every source failed, invalid config, I/O); 2 bad usage
//! (unknown flag, bad query syntax, bad date).

mod cli;
mod cmd;
mod time;

use std::process::ExitCode;

use clap::Parser;

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
            eprintln!("yuqing: error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
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
fn init_tracing(verbose: u8, serve: bool) {
    let default = match verbose {
        0 if serve => "warn,yuqing=info",
        0 => "warn",
        1 => "info",
        _ => "debug",
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
