//! `/search/export.xlsx`: the whole result set of a search (all pages, same filters, sort and
//! collapse) as an Excel workbook, written with `rust_xlsxwriter`.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use yuqing_index::Hit;
use yuqing_report::beijing_time_str;

use super::params::SearchParams;
use super::search::{theme_label, tier_zh};
use crate::{AppState, WebError};

/// Most rows exported (the hits of a search beyond it are left out and a last row says so):
/// every hit carries a snippet, so a million-row export would hold about a gigabyte.
pub(crate) const MAX_EXPORT_ROWS: usize = 200_000;

/// Column headers of the export sheet `检索结果`.
pub(crate) const EXPORT_COLUMNS: [&str; 11] = [
    "发布时间",
    "标题",
    "网站",
    "信源",
    "媒体层级",
    "专题",
    "倾向性",
    "倾向得分",
    "转载数",
    "链接",
    "文章ID",
];

/// The workbook of every hit of `p` (up to [`MAX_EXPORT_ROWS`]) and the number of hits
/// written. Blocking (index search, xlsx writing).
///
/// Errors: [`WebError::QueryTooLong`] for a query over [`crate::MAX_QUERY_CHARS`] (nothing
/// is searched), [`WebError::BadRequest`] for bad parameters (the search page's Chinese
/// messages: unknown theme, sentiment, tier or source, bad dates), [`WebError::BadQuery`] for a query
/// that does not parse, [`WebError::Index`] when the index fails, [`WebError::Task`] when the
/// workbook cannot be written.
pub(crate) fn export_xlsx(
    state: &AppState,
    p: &SearchParams,
) -> Result<(Vec<u8>, usize), WebError> {
    WebError::check_query_len(&p.q)?;
    let mut req = super::search::checked_request(state, p)?.map_err(|problems| {
        let messages: Vec<&str> = problems.iter().map(|x| x.message.as_str()).collect();
        WebError::BadRequest(messages.join("；"))
    })?;
    req.offset = 0;
    req.facets = false;
    req.limit = 0;
    let total = state.index.search(&req)?.total;
    req.limit = total.min(MAX_EXPORT_ROWS);
    let hits = if req.limit == 0 {
        Vec::new()
    } else {
        state.index.search(&req)?.hits
    };
    let bytes =
        workbook(state, &hits, total).map_err(|e| WebError::Task(format!("xlsx export: {e}")))?;
    Ok((bytes, hits.len()))
}

fn workbook(state: &AppState, hits: &[Hit], total: usize) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("检索结果")?;
    for (c, h) in (0u16..).zip(EXPORT_COLUMNS) {
        ws.write_string_with_format(0, c, h, &bold)?;
    }
    for (c, w) in (0u16..).zip([17.0, 48.0, 14.0, 12.0, 8.0, 36.0, 7.0, 9.0, 7.0, 40.0, 18.0]) {
        ws.set_column_width(c, w)?;
    }
    let mut row = 0u32;
    for h in hits {
        row += 1;
        let themes: Vec<String> = h
            .themes
            .iter()
            .map(|t| theme_label(&state.themes, t))
            .collect();
        ws.write_string(
            row,
            0,
            h.published_at.map(beijing_time_str).unwrap_or_default(),
        )?;
        ws.write_string(row, 1, &h.title)?;
        ws.write_string(row, 2, &h.site)?;
        ws.write_string(row, 3, &h.source)?;
        ws.write_string(row, 4, tier_zh(&h.tier))?;
        ws.write_string(row, 5, themes.join("；"))?;
        ws.write_string(row, 6, h.sentiment.map_or("未分析", |s| s.label_zh()))?;
        if let Some(s) = h.sentiment_score {
            ws.write_number(row, 7, (f64::from(s) * 10_000.0).round() / 10_000.0)?;
        }
        ws.write_number(row, 8, h.cluster_size.saturating_sub(1) as f64)?;
        // URLs as text: article text is untrusted, and a formula or hyperlink is never made.
        ws.write_string(row, 9, &h.url)?;
        ws.write_string(row, 10, &h.id)?;
    }
    if total > hits.len() {
        ws.write_string(
            row + 1,
            0,
            format!(
                "共 {total} 条结果，仅导出前 {} 条；请缩小检索范围。",
                hits.len()
            ),
        )?;
    }
    ws.autofilter(0, 0, row, (EXPORT_COLUMNS.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
