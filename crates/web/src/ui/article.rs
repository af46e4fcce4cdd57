//! The article page (`/articles/{id}`): clean text with hit terms highlighted, themes and
//! sentiment with their evidence, the analyst's correction, the reprint cluster, the
//! original link (only when it is http/https).

use minijinja::Value;
use serde::Serialize;
use yuqing_model::{ArticleId, HitField, SentimentLabel};
use yuqing_report::beijing_time_str;

use super::html::{MarkTerm, highlight, safe_http_url};
use super::params::SearchParams;
use super::search::{theme_label, tier_zh};
use crate::{AppState, MAX_QUERY_CHARS, WebError};

/// Query-string of the article page: `q` (the search that led here, for highlighting) and
/// `corrected=1` after a correction was saved.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct ArticleParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub corrected: String,
}

#[derive(Debug, Serialize)]
struct HitView {
    term: String,
    count: u32,
    field: &'static str,
}

#[derive(Debug, Serialize)]
struct ThemeView {
    id: String,
    name: String,
    score: String,
    link: String,
    hits: Vec<HitView>,
}

#[derive(Debug, Serialize)]
struct EvidenceView {
    text: String,
    weight: String,
}

#[derive(Debug, Serialize)]
struct SentimentView {
    label: &'static str,
    label_zh: &'static str,
    score: String,
    evidence: Vec<EvidenceView>,
}

#[derive(Debug, Serialize)]
struct MemberView {
    link: String,
    title: String,
    source: String,
    tier: &'static str,
    time: String,
    current: bool,
}

/// A score with its sign, two decimals, a true minus sign: `+0.35`, `−0.90`.
fn signed(score: f32) -> String {
    format!("{score:+.2}").replace('-', "\u{2212}")
}

/// The words of a search query worth marking in the text: quoted phrases and bare terms,
/// without operators (`AND`/`OR`/`NOT`), field prefixes (`title:`), `+`, parentheses, and
/// without negated terms (`-x`, `NOT x`) or field searches on non-text fields.
pub(crate) fn query_terms(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = q;
    let mut negate_next = false;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(' || c == ')');
        if rest.is_empty() {
            break;
        }
        // One token: a quoted phrase (possibly after a prefix) or up to whitespace.
        let (token, tail) = match rest.find('"') {
            Some(0) => {
                let body = &rest[1..];
                match body.find('"') {
                    Some(e) => (&rest[..e + 2], &body[e + 1..]),
                    None => (rest, ""),
                }
            }
            _ => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .unwrap_or(rest.len());
                let (t, tail) = rest.split_at(end);
                // `title:"a b"`: the phrase continues past the whitespace.
                if let Some(i) = t.find(":\"")
                    && !t[i + 2..].contains('"')
                    && let Some(close) = tail.find('"')
                {
                    (&rest[..end + close + 1], &tail[close + 1..])
                } else {
                    (t, tail)
                }
            }
        };
        rest = tail;
        if matches!(token, "AND" | "OR" | "&&" | "||") {
            continue;
        }
        if token == "NOT" {
            negate_next = true;
            continue;
        }
        let negated = std::mem::take(&mut negate_next) || token.starts_with('-');
        let mut t = token.trim_start_matches(['+', '-']);
        if let Some((field, value)) = t.split_once(':')
            && !field.contains('"')
        {
            if !matches!(field, "title" | "body") {
                continue;
            }
            t = value;
        }
        let t = t.trim_matches('"').trim();
        if !negated && !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// Longest part of a body the article page shows, bytes (~60,000 Chinese characters, far
/// more than any news article). A one-line page of megabytes made a 12.6 MB page with ~450,000
/// marks, and 16 such requests at once took the server to 905 MB (fresh-user trial).
const MAX_SHOWN_BYTES: usize = 192 * 1024;

/// The part of `body` the page shows (cut at a character boundary) and, when cut, (characters
/// shown, characters in all).
fn shown_body(body: &str) -> (&str, Option<(usize, usize)>) {
    if body.len() <= MAX_SHOWN_BYTES {
        return (body, None);
    }
    let shown = yuqing_text::prefix_within(body, MAX_SHOWN_BYTES);
    (shown, Some((shown.chars().count(), body.chars().count())))
}

/// Most query words marked on an article page. Marking costs words × text length, and the
/// page's `q` comes from the address bar, so it is not bounded by the search form.
const MAX_QUERY_MARKS: usize = 32;

/// The words of `q` marked on the article page: [`query_terms`] of its first
/// [`MAX_QUERY_CHARS`] characters (the longest query a search accepts), at most
/// [`MAX_QUERY_MARKS`] of them.
fn marked_query_terms(q: &str) -> Vec<String> {
    let end = q
        .char_indices()
        .nth(MAX_QUERY_CHARS)
        .map_or(q.len(), |(i, _)| i);
    // `end` is a char boundary (from `char_indices`), so `get` always succeeds.
    let mut terms = query_terms(q.get(..end).unwrap_or(q));
    terms.truncate(MAX_QUERY_MARKS);
    terms
}

/// The article view (blocking: store reads), or `None` when the article is not stored.
///
/// Errors: [`WebError::Store`] when the store fails.
pub(crate) fn article_view(
    state: &AppState,
    id: &str,
    p: &ArticleParams,
) -> Result<Option<Value>, WebError> {
    let id = ArticleId::from_raw(id);
    let Some(a) = state.store.article(&id)? else {
        return Ok(None);
    };
    let analysis = state.store.analysis(&id)?.unwrap_or_default();
    let correction = state.store.sentiment_correction(&id)?;

    // Marks: query terms, theme hit terms, sentiment evidence (by sign).
    let mut marks: Vec<MarkTerm> = marked_query_terms(&p.q)
        .into_iter()
        .map(|term| MarkTerm { term, class: "q" })
        .collect();
    for m in &analysis.themes {
        for h in &m.hits {
            if !marks.iter().any(|x| x.term == h.term) {
                marks.push(MarkTerm {
                    term: h.term.clone(),
                    class: "",
                });
            }
        }
    }
    if let Some(s) = &analysis.sentiment {
        for e in &s.evidence {
            if !marks.iter().any(|x| x.term == e.text) {
                marks.push(MarkTerm {
                    term: e.text.clone(),
                    class: if e.weight < 0.0 { "neg" } else { "pos" },
                });
            }
        }
    }
    let (shown, cut) = shown_body(&a.body);
    let paragraphs: Vec<Value> = shown
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Value::from_safe_string(highlight(l, &marks)))
        .collect();

    let themes: Vec<ThemeView> = analysis
        .themes
        .iter()
        .map(|m| ThemeView {
            name: theme_label(&state.themes, &m.theme),
            score: format!("{:.2}", m.score),
            link: SearchParams {
                theme: m.theme.clone(),
                ..Default::default()
            }
            .href("/search"),
            hits: m
                .hits
                .iter()
                .map(|h| HitView {
                    term: h.term.clone(),
                    count: h.count,
                    field: match h.field {
                        HitField::Title => "标题",
                        HitField::Body => "正文",
                    },
                })
                .collect(),
            id: m.theme.clone(),
        })
        .collect();

    let sentiment = analysis.sentiment.as_ref().map(|s| SentimentView {
        label: s.label.as_str(),
        label_zh: s.label.label_zh(),
        score: format!("{:+.2}", s.score),
        evidence: s
            .evidence
            .iter()
            .map(|e| EvidenceView {
                text: e.text.clone(),
                weight: format!("{:+.2}", e.weight),
            })
            .collect(),
    });
    // The model's own label and score, shown next to a correction (the store's sentiment
    // then carries the corrected label's pole, not the model's score).
    let model = if correction.is_some() {
        crate::api::model_sentiment(state, &id, analysis.sentiment.as_ref(), true)
    } else {
        None
    };
    let current_label = analysis.sentiment.as_ref().map(|s| s.label);
    let labels: Vec<Value> = SentimentLabel::ALL
        .iter()
        .map(|l| {
            minijinja::context! {
                key => l.as_str(),
                zh => l.label_zh(),
                checked => Some(*l) == current_label,
            }
        })
        .collect();

    let cluster_id = analysis.cluster.clone().unwrap_or_else(|| id.clone());
    let cluster: Vec<MemberView> = state
        .store
        .cluster_members(&cluster_id)?
        .into_iter()
        .map(|m| MemberView {
            link: format!("/articles/{}", m.id),
            current: m.id == id,
            title: m.title,
            source: state
                .config
                .source(&m.source)
                .map_or_else(|| m.source.clone(), |s| s.name.clone()),
            tier: m.tier.label_zh(),
            time: m
                .published_at
                .map_or_else(|| "无日期".into(), beijing_time_str),
        })
        .collect();

    Ok(Some(minijinja::context! {
        nav => "search",
        a => minijinja::context! {
            id => a.id.as_str(),
            title => &a.title,
            site => &a.site,
            source => &a.source,
            tier => tier_zh(a.tier.as_str()),
            time => a.published_at.map_or_else(|| "无日期".to_string(), beijing_time_str),
            author => &a.author,
            editor => &a.editor,
            link => safe_http_url(&a.url),
            url => &a.url,
        },
        paragraphs => paragraphs,
        cut => cut.map(|(shown, total)| minijinja::context! { shown => shown, total => total }),
        themes => themes,
        sentiment => sentiment,
        correction => correction.map(|c| minijinja::context! {
            label_zh => c.label.label_zh(),
            user => c.user,
            at => beijing_time_str(c.at),
        }),
        model => model.map(|(label, score)| minijinja::context! {
            label => label.as_str(),
            label_zh => label.label_zh(),
            score => signed(score),
        }),
        corrected => p.corrected == "1",
        labels => labels,
        cluster => cluster,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_signed() {
        assert_eq!(signed(-0.9), "\u{2212}0.90");
        assert_eq!(signed(0.354), "+0.35");
    }

    #[test]
    fn query_terms_drop_operators_fields_and_negations() {
        assert_eq!(
            query_terms(
                r#"快递进村 OR "绿色 包装" AND title:双十一 -外卖 NOT 投诉 source:spb (邮政)"#
            ),
            vec!["快递进村", "绿色 包装", "双十一", "邮政"]
        );
        assert_eq!(
            query_terms(r#"title:"快递 进村" +EMS"#),
            vec!["快递 进村", "EMS"]
        );
        assert_eq!(query_terms(""), Vec::<String>::new());
        // A huge body is shown in part, cut at a character boundary, with both lengths.
        assert_eq!(shown_body("快递进村"), ("快递进村", None));
        let huge = "邮".repeat(MAX_SHOWN_BYTES);
        let (shown, cut) = shown_body(&huge);
        assert_eq!(shown.len(), MAX_SHOWN_BYTES - MAX_SHOWN_BYTES % 3);
        assert_eq!(cut, Some((MAX_SHOWN_BYTES / 3, MAX_SHOWN_BYTES)));
        // An address-bar query is cut at the search limit and marks at most 32 words.
        let long: String = (0..2000).map(|i| format!("w{i} ")).collect();
        let marked = marked_query_terms(&long);
        assert_eq!(marked.len(), MAX_QUERY_MARKS);
        assert_eq!(marked[0], "w0");
        assert_eq!(marked[31], "w31");
        let one_long_word = "快".repeat(3 * MAX_QUERY_CHARS);
        assert_eq!(
            marked_query_terms(&one_long_word),
            vec!["快".repeat(MAX_QUERY_CHARS)]
        );
        assert_eq!(query_terms("\"unterminated"), vec!["unterminated"]);
        assert_eq!(query_terms("a a"), vec!["a"]);
    }
}
