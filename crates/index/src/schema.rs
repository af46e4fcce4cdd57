//! Index schema and the Article ⇄ document mapping.

use chrono::{DateTime, FixedOffset, Utc};
use tantivy::TantivyDocument;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions, Value,
};
use yuqing_model::{Analysis, Article, ArticleId, DateSource, SentimentLabel, Tier};
use yuqing_text::{BIGRAM_TOKENIZER, WORD_TOKENIZER};

use crate::IndexError;

/// Handles of every schema field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub title_bigram: Field,
    pub body_bigram: Field,
    pub url: Field,
    pub canonical_url: Field,
    pub source: Field,
    pub site: Field,
    pub tier: Field,
    pub author: Field,
    pub editor: Field,
    pub published_at: Field,
    pub fetched_at: Field,
    pub sort_at: Field,
    pub date_source: Field,
    pub theme: Field,
    pub sentiment: Field,
    pub sentiment_score: Field,
    pub cluster: Field,
    pub day: Field,
}

/// Name of the fast date field holding `published_at`, else `fetched_at`.
pub(crate) const SORT_AT: &str = "sort_at";
/// Name of the multi-valued raw fast field of matched theme ids.
pub(crate) const THEME: &str = "theme";
/// Name of the raw fast field holding the sentiment label.
pub(crate) const SENTIMENT: &str = "sentiment";
/// Name of the raw fast field holding the media tier.
pub(crate) const TIER: &str = "tier";
/// Name of the raw fast field holding the source id.
pub(crate) const SOURCE: &str = "source";
/// Name of the raw fast field holding the reprint cluster id.
pub(crate) const CLUSTER: &str = "cluster";
/// Name of the raw fast field holding the Beijing date (`YYYY-MM-DD`) of `published_at`.
pub(crate) const DAY: &str = "day";

/// Beijing time (UTC+8, no daylight saving) for the `day` field.
const BEIJING_SECS: i32 = 8 * 3600;

/// Builds the schema (see the crate doc for the field list).
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Word fields keep frequencies only: phrases are matched on the bigram fields, whose
    // positions give the exact character sequence (see `search::widen_fields`). Positions on
    // the word fields cost ~50k instructions per article at ingest (callgrind).
    let text = |tokenizer: &str, stored: bool| {
        let record = if tokenizer == WORD_TOKENIZER {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let date = || {
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds)
    };
    let stored_date = || {
        DateOptions::default()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds)
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(WORD_TOKENIZER, true)),
        body: b.add_text_field("body", text(WORD_TOKENIZER, true)),
        title_bigram: b.add_text_field("title_bigram", text(BIGRAM_TOKENIZER, false)),
        body_bigram: b.add_text_field("body_bigram", text(BIGRAM_TOKENIZER, false)),
        url: b.add_text_field("url", STRING | STORED),
        canonical_url: b.add_text_field("canonical_url", STORED),
        source: b.add_text_field(SOURCE, STRING | STORED | FAST),
        site: b.add_text_field("site", STRING | STORED),
        tier: b.add_text_field(TIER, STRING | STORED | FAST),
        author: b.add_text_field("author", STRING | STORED),
        editor: b.add_text_field("editor", STRING | STORED),
        // Read back only (the date filter and the time sort use `sort_at`): stored, not
        // indexed, no column.
        published_at: b.add_date_field("published_at", stored_date()),
        fetched_at: b.add_date_field("fetched_at", stored_date()),
        sort_at: b.add_date_field(SORT_AT, date()),
        date_source: b.add_text_field("date_source", STORED),
        theme: b.add_text_field(THEME, STRING | STORED | FAST),
        sentiment: b.add_text_field(SENTIMENT, STRING | STORED | FAST),
        sentiment_score: b.add_f64_field("sentiment_score", INDEXED | STORED | FAST),
        cluster: b.add_text_field(CLUSTER, STRING | STORED | FAST),
        day: b.add_text_field(DAY, STRING | FAST),
    };
    (b.build(), fields)
}

/// chrono → tantivy, nanosecond precision where chrono can give it (years 1677–2262),
/// microseconds otherwise.
pub(crate) fn to_tantivy_date(t: &DateTime<Utc>) -> tantivy::DateTime {
    match t.timestamp_nanos_opt() {
        Some(n) => tantivy::DateTime::from_timestamp_nanos(n),
        None => tantivy::DateTime::from_timestamp_micros(t.timestamp_micros()),
    }
}

/// tantivy → chrono.
pub(crate) fn to_chrono(t: tantivy::DateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_nanos(t.into_timestamp_nanos())
}

/// `YYYY-MM-DD` of `t` in Beijing time.
pub(crate) fn beijing_day(t: &DateTime<Utc>) -> String {
    match FixedOffset::east_opt(BEIJING_SECS) {
        Some(tz) => t.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        // Unreachable: 8 h is a valid offset; fall back to the UTC date rather than panic.
        None => t.format("%Y-%m-%d").to_string(),
    }
}

/// The document indexed for `a` with its `analysis` (title/body go into both word and bigram
/// fields; theme ids deduplicated; cluster = `a.id` when the analysis has none).
pub(crate) fn to_document(f: &Fields, a: &Article, analysis: &Analysis) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, a.id.as_str());
    doc.add_text(f.title, &a.title);
    doc.add_text(f.body, &a.body);
    doc.add_text(f.title_bigram, &a.title);
    doc.add_text(f.body_bigram, &a.body);
    doc.add_text(f.url, &a.url);
    doc.add_text(f.canonical_url, &a.canonical_url);
    doc.add_text(f.source, &a.source);
    doc.add_text(f.site, &a.site);
    doc.add_text(f.tier, a.tier.as_str());
    if let Some(author) = &a.author {
        doc.add_text(f.author, author);
    }
    if let Some(editor) = &a.editor {
        doc.add_text(f.editor, editor);
    }
    if let Some(p) = &a.published_at {
        doc.add_date(f.published_at, to_tantivy_date(p));
    }
    doc.add_date(f.fetched_at, to_tantivy_date(&a.fetched_at));
    doc.add_date(
        f.sort_at,
        to_tantivy_date(a.published_at.as_ref().unwrap_or(&a.fetched_at)),
    );
    doc.add_text(f.date_source, a.date_source.as_str());
    if let Some(p) = &a.published_at {
        doc.add_text(f.day, beijing_day(p));
    }
    for (i, m) in analysis.themes.iter().enumerate() {
        // Themes are few (a handful): a quadratic duplicate check beats a set allocation.
        let seen = analysis
            .themes
            .iter()
            .take(i)
            .any(|earlier| earlier.theme == m.theme);
        if !seen && !m.theme.is_empty() {
            doc.add_text(f.theme, &m.theme);
        }
    }
    if let Some(s) = &analysis.sentiment {
        doc.add_text(f.sentiment, s.label.as_str());
        doc.add_f64(f.sentiment_score, f64::from(s.score));
    }
    let cluster = analysis.cluster.as_ref().unwrap_or(&a.id);
    doc.add_text(f.cluster, cluster.as_str());
    doc
}

/// The analysis fields read back from a stored document.
pub(crate) fn to_stored_analysis(
    f: &Fields,
    doc: &TantivyDocument,
) -> Result<crate::StoredAnalysis, IndexError> {
    let id = get_str(doc, f.id).unwrap_or("?");
    let corrupt = |field: &'static str, message: &'static str| IndexError::Corrupt {
        id: id.to_string(),
        field,
        message,
    };
    let themes = doc
        .get_all(f.theme)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let sentiment = match get_str(doc, f.sentiment) {
        Some(s) => Some(
            SentimentLabel::parse(s).ok_or_else(|| corrupt("sentiment", "is not a known label"))?,
        ),
        None => None,
    };
    let sentiment_score = doc
        .get_first(f.sentiment_score)
        .and_then(|v| v.as_f64())
        .map(|s| s as f32);
    let cluster = get_str(doc, f.cluster)
        .ok_or_else(|| corrupt("cluster", "is missing"))?
        .to_string();
    Ok(crate::StoredAnalysis {
        themes,
        sentiment,
        sentiment_score,
        cluster,
    })
}

pub(crate) fn get_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|v| v.as_str())
}

pub(crate) fn get_date(doc: &TantivyDocument, field: Field) -> Option<DateTime<Utc>> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .map(to_chrono)
}

/// Rebuilds the article from a stored document.
pub(crate) fn to_article(f: &Fields, doc: &TantivyDocument) -> Result<Article, IndexError> {
    let id = get_str(doc, f.id).unwrap_or("?").to_string();
    let corrupt = |field: &'static str, message: &'static str| IndexError::Corrupt {
        id: id.clone(),
        field,
        message,
    };
    let text = |field: Field, name: &'static str| {
        get_str(doc, field)
            .map(str::to_string)
            .ok_or_else(|| corrupt(name, "is missing"))
    };
    let tier_s = text(f.tier, "tier")?;
    let tier = Tier::parse(&tier_s).ok_or_else(|| corrupt("tier", "is not a known tier"))?;
    let ds = text(f.date_source, "date_source")?;
    let date_source = DateSource::parse(&ds)
        .ok_or_else(|| corrupt("date_source", "is not a known date source"))?;
    Ok(Article {
        id: ArticleId::from_raw(text(f.id, "id")?),
        source: text(f.source, "source")?,
        tier,
        url: text(f.url, "url")?,
        canonical_url: text(f.canonical_url, "canonical_url")?,
        site: text(f.site, "site")?,
        title: text(f.title, "title")?,
        author: get_str(doc, f.author).map(str::to_string),
        editor: get_str(doc, f.editor).map(str::to_string),
        published_at: get_date(doc, f.published_at),
        date_source,
        body: text(f.body, "body")?,
        fetched_at: get_date(doc, f.fetched_at)
            .ok_or_else(|| corrupt("fetched_at", "is missing"))?,
    })
}
