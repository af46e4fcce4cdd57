//! Command-line syntax (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Yuqing (舆情): media monitoring and sentiment for press offices.
#[derive(Debug, Parser)]
#[command(name = "yuqing", version, about, long_about = None)]
pub struct Cli {
    /// Main config file; sources.toml, sites.toml and dict/ are read beside it.
    #[arg(long, global = true, env = "YUQING_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug); YUQING_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One crawl pass over every source: fetch, extract, segment, index, store.
    Run {
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Search the indexed articles.
    Search(SearchArgs),
    /// Show what extraction makes of one page (a file or an http(s) URL).
    Extract {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// An HTML file or an http(s) URL.
        #[arg(value_name = "FILE_OR_URL")]
        input: String,
    },
    /// Print text as the index segments it, tokens separated by spaces.
    Segment {
        /// default: jieba's precise mode (what the index uses); search: finer, overlapping cuts.
        #[arg(long, value_enum, default_value_t = SegmentModeArg::Default)]
        mode: SegmentModeArg,
        /// A text file, or - for standard input.
        #[arg(value_name = "FILE")]
        input: String,
    },
    /// Configuration commands.
    Config {
        /// Which one.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `yuqing config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate yuqing.toml, sources.toml, sites.toml and the user dictionaries; list every problem.
    Check,
}

/// `yuqing search` flags.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Print `{"total", "hits": [...]}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// Hits to show (1–10000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=10000))]
    pub limit: u16,
    /// Earliest publish date, YYYY-MM-DD (Beijing time) or RFC 3339.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Latest publish date, inclusive: YYYY-MM-DD (to the end of that Beijing day) or RFC 3339.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only articles from this source id.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Terms, "quoted phrases", AND / OR / NOT, title:term.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
}

/// `--sort`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// BM25 score.
    Relevance,
    /// Newest first.
    Time,
}

/// `--mode`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SegmentModeArg {
    /// Precise mode.
    Default,
    /// Search mode.
    Search,
}
