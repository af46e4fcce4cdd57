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
}

/// `Result` with [`ReportError`].
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
