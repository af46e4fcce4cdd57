//! `yuqing segment`: text as the index sees it, to check the user dictionary.

use std::path::Path;
use std::process::ExitCode;

use yuqing_text::{SegmentMode, Segmenter};

use crate::Failure;
use crate::cli::SegmentModeArg;

/// Prints each input line segmented, tokens separated by one space.
pub fn segment(config_path: &Path, mode: SegmentModeArg, input: &str) -> Result<ExitCode, Failure> {
    let config = super::load_config_if_present(config_path)?;
    let dict_dir = config.as_ref().map(|c| c.dict_dir.as_path());
    let segmenter = Segmenter::load(dict_dir)?;
    let bytes = super::read_input(input)?;
    let text = String::from_utf8_lossy(&bytes);
    let mode = match mode {
        SegmentModeArg::Default => SegmentMode::Default,
        SegmentModeArg::Search => SegmentMode::Search,
    };
    for line in text.lines() {
        println!("{}", segmenter.segment_line(line, mode));
    }
    Ok(ExitCode::SUCCESS)
}
