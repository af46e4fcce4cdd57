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
    /// The publicity plan: import a plan document into theme rules.
    Plan {
        /// Which one.
        #[command(subcommand)]
        action: PlanAction,
    },
    /// Show the plan themes a text matches and its sentiment, with the evidence.
    Analyze(AnalyzeArgs),
    /// Plan themes (专题): list them, or re-apply changed rules to every stored article.
    Themes {
        /// Which one.
        #[command(subcommand)]
        action: ThemesAction,
    },
    /// Coverage per plan section and item in a period, with the items nobody covered (gaps).
    Coverage(CoverageArgs),
    /// Sentiment model: train on labelled articles, or evaluate on a labelled CSV.
    Sentiment {
        /// Which one.
        #[command(subcommand)]
        action: SentimentAction,
    },
    /// Write the guidance report (舆情日报 / 周报) of a day or week: HTML, Markdown, Word, Excel.
    Report(ReportArgs),
    /// Alert e-mail on negative stories (预警).
    Alert {
        /// Which one.
        #[command(subcommand)]
        action: AlertAction,
    },
    /// Run as a service: crawl every N minutes, write the reports and send the alert digest
    /// at their cron times ([schedule]), serve the web UI ([web]); stop with SIGINT/SIGTERM.
    Serve {
        /// Do not start the web UI and JSON API (scheduler only).
        #[arg(long)]
        no_web: bool,
    },
    /// Users of the web UI and API tokens for scripts.
    User {
        /// Which one.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Configuration commands.
    Config {
        /// Which one.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `yuqing user ...`
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a web user; the password (at least 8 characters) is asked on the terminal without
    /// echo, or read as one line from standard input with --password-stdin.
    Add {
        /// Login name.
        name: String,
        /// Read the password from standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Issue a new API token for NAME and print it (once; only its hash is stored).
    Token {
        /// The user the token acts as.
        name: String,
        /// A label to recognise the token by (default `token-<time>`).
        #[arg(long)]
        label: Option<String>,
    },
    /// List the users with their live sessions and token counts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `yuqing config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate yuqing.toml, sources.toml, sites.toml and the user dictionaries; list every problem.
    Check,
}

/// `yuqing plan ...`
#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Read a plan document (plain text, e.g. from a PDF) and propose themes.toml: one theme per
    /// section and per numbered item, with rule terms to edit.
    Import {
        /// Print the parsed plan as JSON instead of TOML.
        #[arg(long)]
        json: bool,
        /// Write the TOML here instead of standard output (refuses to overwrite without --force).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Overwrite --out if it exists.
        #[arg(long)]
        force: bool,
        /// The plan as UTF-8 text.
        #[arg(value_name = "FILE")]
        input: PathBuf,
    },
}

/// `yuqing analyze` flags.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Print JSON: `{"themes": [...], "sentiment": {...}}`.
    #[arg(long)]
    pub json: bool,
    /// The headline (weighted above the body); without it the first line of the text is used.
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// A UTF-8 text file, or - for standard input.
    #[arg(value_name = "FILE")]
    pub input: String,
}

/// `yuqing themes ...`
#[derive(Debug, Subcommand)]
pub enum ThemesAction {
    /// List the sections and items of themes.toml with their rule terms.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-apply themes.toml to the stored articles (no crawling); report matches added and
    /// removed per theme. Only the rules changed since the last rematch are re-applied, to the
    /// articles they or their current matches concern (the first rematch reads every article).
    Rematch {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Re-match every stored article, whatever changed.
        #[arg(long)]
        full: bool,
    },
}

/// `yuqing coverage` flags.
#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// First day, YYYY-MM-DD (Beijing time) or RFC 3339; default: 30 days before --to.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, inclusive, YYYY-MM-DD or RFC 3339; default: today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

/// `yuqing sentiment ...`
#[derive(Debug, Subcommand)]
pub enum SentimentAction {
    /// Fit the trainable model on a labelled CSV plus the analysts' stored corrections and save
    /// it in the data directory (used from then on instead of the lexicon model).
    Train(LabelledCsvArgs),
    /// Score a labelled CSV: per-class precision/recall/F1, confusion matrix, then
    /// `macro_f1=… accuracy=…`.
    Eval {
        /// The CSV and its columns.
        #[command(flatten)]
        csv: LabelledCsvArgs,
        /// Train and test by K-fold cross-validation instead of scoring the current model.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=100))]
        folds: Option<u16>,
    },
}

/// A labelled CSV and how to read it.
#[derive(Debug, clap::Args)]
pub struct LabelledCsvArgs {
    /// The CSV file (UTF-8, header row).
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Columns joined as the text, e.g. `title,content_prefix`; default `text`, else
    /// `title,content`.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub text_columns: Vec<String>,
    /// The label column.
    #[arg(long, value_name = "L", default_value = "label")]
    pub label_column: String,
    /// How label values map to labels, e.g. `0=positive,1=neutral,2=negative`; default accepts
    /// positive/neutral/negative and 正面/中性/负面.
    #[arg(long, value_name = "MAP")]
    pub label_map: Option<String>,
}

/// `yuqing alert ...`
#[derive(Debug, Subcommand)]
pub enum AlertAction {
    /// Send each recipient the negative stories not sent to them yet, grouped by plan theme
    /// (SMTP, or .eml files in the outbox when no SMTP host is configured).
    Send {
        /// Print what would be sent; record and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `yuqing report` flags.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// daily: one Beijing day; weekly: the Monday–Sunday week containing --date.
    #[arg(value_enum)]
    pub kind: ReportKindArg,
    /// A day of the period (YYYY-MM-DD, Beijing time, not in the future); default: yesterday
    /// (daily), the last Monday–Sunday week that has ended (weekly).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Formats to write, comma-separated: html, md, docx, xlsx.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "html,md,docx,xlsx"
    )]
    pub format: Vec<ReportFormatArg>,
    /// Directory to write into (created if needed); default `<data dir>/reports`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `yuqing report daily|weekly`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKindArg {
    /// 舆情日报.
    Daily,
    /// 舆情周报.
    Weekly,
}

/// `--format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// Word.
    Docx,
    /// Excel: every article of the period.
    Xlsx,
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
    /// Only articles matching this plan theme: a section (`s4`) or an item (`s4.i10`).
    #[arg(long, value_name = "ID")]
    pub theme: Option<String>,
    /// Only articles with this sentiment.
    #[arg(long, value_enum)]
    pub sentiment: Option<SentimentArg>,
    /// Only articles from sources of this media tier.
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    /// One hit per reprint cluster (转载合并): the cluster's original (earliest) article, with
    /// its reprint count.
    #[arg(long)]
    pub collapse: bool,
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

/// `--sentiment`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SentimentArg {
    /// 正面.
    Positive,
    /// 中性.
    Neutral,
    /// 负面.
    Negative,
}

impl SentimentArg {
    /// The model's label.
    pub fn label(self) -> yuqing_model::SentimentLabel {
        match self {
            SentimentArg::Positive => yuqing_model::SentimentLabel::Positive,
            SentimentArg::Neutral => yuqing_model::SentimentLabel::Neutral,
            SentimentArg::Negative => yuqing_model::SentimentLabel::Negative,
        }
    }
}

/// `--tier`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TierArg {
    /// 央媒.
    Central,
    /// 省级.
    Provincial,
    /// 行业.
    Industry,
    /// 商业.
    Commercial,
    /// 自媒体.
    SelfMedia,
}

impl TierArg {
    /// The model's tier.
    pub fn tier(self) -> yuqing_model::Tier {
        match self {
            TierArg::Central => yuqing_model::Tier::Central,
            TierArg::Provincial => yuqing_model::Tier::Provincial,
            TierArg::Industry => yuqing_model::Tier::Industry,
            TierArg::Commercial => yuqing_model::Tier::Commercial,
            TierArg::SelfMedia => yuqing_model::Tier::SelfMedia,
        }
    }
}

/// `--mode`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SegmentModeArg {
    /// Precise mode.
    Default,
    /// Search mode.
    Search,
}
