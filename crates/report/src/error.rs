//! The crate's error type.

/// Everything that can go wrong while loading or rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading articles, analyses or clusters from the store failed.
    #[error("cannot read the report's articles from the store: {0}")]
    Store(#[from] yuqing_store::StoreError),
    /// rust_xlsxwriter refused a cell or could not assemble the workbook (e.g. more than
    /// 1,048,575 articles, Excel's row limit).
    #[error("cannot write the excel workbook (sheet {sheet}): {source}")]
    Xlsx {
        /// Worksheet being written.
        sheet: &'static str,
        /// Underlying error.
        source: rust_xlsxwriter::XlsxError,
    },
    /// docx-rs could not pack the Word document.
    #[error("cannot pack the word document: {0}")]
    Docx(String),
    /// The trend chart SVG could not be parsed or rasterised to PNG.
    #[error("cannot render the trend chart {chart} to png: {message}")]
    Chart {
        /// Which chart.
        chart: &'static str,
        /// What failed.
        message: String,
    },
    /// A report date that is not `YYYY-MM-DD` ([`crate::report_date`]).
    #[error("{date:?}: expected YYYY-MM-DD")]
    DateFormat {
        /// The value as given.
        date: String,
    },
    /// A `YYYY-MM-DD` report date naming a day that does not exist, e.g. `2026-02-30`.
    #[error("{date}: no such day ({reason})")]
    NoSuchDay {
        /// The value as given.
        date: String,
        /// chrono's parse error.
        reason: String,
    },
    /// A report date after today (Beijing): its period has not happened yet.
    #[error(
        "{date}: in the future (today is {today} in Beijing); a report covers days that have passed"
    )]
    FutureDate {
        /// The value as given.
        date: String,
        /// Today's Beijing date.
        today: chrono::NaiveDate,
    },
}

/// `Result` with [`ReportError`].
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
