//! Labelled examples and the CSV reader.

use std::path::{Path, PathBuf};

use yuqing_model::SentimentLabel;

use crate::SentimentError;

/// One labelled article for training or evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Headline (empty when the data has a single text column).
    pub title: String,
    /// Body or lead text (the single text column when there is no title).
    pub body: String,
    /// The analyst's label.
    pub label: SentimentLabel,
}

/// How the label column's values map to labels (e.g. `0=positive,1=neutral,2=negative`).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMap {
    pairs: Vec<(String, SentimentLabel)>,
}

impl Default for LabelMap {
    /// Accepts `positive`/`neutral`/`negative` and `正面`/`中性`/`负面` (see
    /// [`SentimentLabel::parse`]); nothing else.
    fn default() -> Self {
        LabelMap { pairs: Vec::new() }
    }
}

impl LabelMap {
    /// Parses `VALUE=LABEL[,VALUE=LABEL…]`, LABEL being `positive`, `neutral`, `negative`,
    /// `正面`, `中性` or `负面`; values are trimmed. The default spellings stay accepted too.
    ///
    /// # Errors
    /// [`SentimentError::LabelMap`] naming the bad item.
    pub fn parse(spec: &str) -> Result<LabelMap, SentimentError> {
        let mut pairs = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (value, label) = item
                .split_once('=')
                .ok_or_else(|| SentimentError::LabelMap {
                    item: item.to_string(),
                    message: "expected VALUE=LABEL".into(),
                })?;
            let label =
                SentimentLabel::parse(label.trim()).ok_or_else(|| SentimentError::LabelMap {
                    item: item.to_string(),
                    message: format!(
                        "unknown label {:?} (positive, neutral, negative, 正面, 中性, 负面)",
                        label.trim()
                    ),
                })?;
            pairs.push((value.trim().to_string(), label));
        }
        Ok(LabelMap { pairs })
    }

    /// The label of a column value (trimmed), or `None`.
    pub fn get(&self, value: &str) -> Option<SentimentLabel> {
        let value = value.trim();
        self.pairs
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, l)| *l)
            .or_else(|| SentimentLabel::parse(value))
    }
}

/// Reads labelled examples from a UTF-8 CSV file with a header row (RFC 4180: quoted fields may
/// hold commas, doubled quotes and newlines; a UTF-8 BOM is skipped).
///
/// `text_columns`: one column (the body) or several (the first is the title, the rest are
/// joined with a newline into the body). Empty means: `text` if the header has it, else
/// `title` + `content`. `label_column` is usually `label`. Rows whose fields are all empty are
/// skipped.
///
/// # Errors
/// [`SentimentError::CsvRead`] if the file cannot be read, [`SentimentError::CsvColumn`] if a
/// column is missing from the header, [`SentimentError::CsvRow`] (file, line, column) for a row
/// too short, an unterminated quote or a label the map does not know.
pub fn read_csv(
    path: &Path,
    text_columns: &[String],
    label_column: &str,
    label_map: &LabelMap,
) -> Result<Vec<Example>, SentimentError> {
    let data = std::fs::read_to_string(path).map_err(|source| SentimentError::CsvRead {
        path: path.to_path_buf(),
        source,
    })?;
    let data = data.strip_prefix('\u{feff}').unwrap_or(&data);
    let rows = parse_csv(data, path)?;
    let mut it = rows.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(SentimentError::CsvColumn {
            path: path.to_path_buf(),
            column: label_column.to_string(),
        });
    };
    let col = |name: &str| -> Result<usize, SentimentError> {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| SentimentError::CsvColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
            })
    };
    let text_idx: Vec<usize> = if !text_columns.is_empty() {
        text_columns
            .iter()
            .map(|c| col(c))
            .collect::<Result<_, _>>()?
    } else if let Ok(i) = col("text") {
        vec![i]
    } else {
        vec![col("title")?, col("content")?]
    };
    let label_idx = col(label_column)?;
    let mut out = Vec::new();
    for (line, row) in it {
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: usize| -> Result<&str, SentimentError> {
            row.get(i)
                .map(String::as_str)
                .ok_or_else(|| SentimentError::CsvRow {
                    path: path.to_path_buf(),
                    line,
                    column: header.get(i).cloned().unwrap_or_default(),
                    message: format!("row has {} fields, header has {}", row.len(), header.len()),
                })
        };
        let raw_label = field(label_idx)?;
        let label = label_map
            .get(raw_label)
            .ok_or_else(|| SentimentError::CsvRow {
                path: path.to_path_buf(),
                line,
                column: label_column.to_string(),
                message: format!("unknown label {raw_label:?}"),
            })?;
        let (title, body) = match text_idx.as_slice() {
            [only] => (String::new(), field(*only)?.to_string()),
            [first, rest @ ..] => {
                let mut body = String::new();
                for &i in rest {
                    if !body.is_empty() {
                        body.push('\n');
                    }
                    body.push_str(field(i)?);
                }
                (field(*first)?.to_string(), body)
            }
            [] => (String::new(), String::new()),
        };
        out.push(Example { title, body, label });
    }
    Ok(out)
}

/// Splits CSV text into rows of fields, each row with its 1-based starting line.
fn parse_csv(data: &str, path: &Path) -> Result<Vec<(usize, Vec<String>)>, SentimentError> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut quote_line = 1usize;
    let mut chars = data.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                quote_line = line;
                at_field_start = false;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err(SentimentError::CsvRow {
            path: PathBuf::from(path),
            line: quote_line,
            column: String::new(),
            message: "quoted field is never closed".into(),
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}
