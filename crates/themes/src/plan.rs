//! Plan import: the hierarchy of a publicity plan (工作要点) from its extracted PDF text.

use serde::Serialize;

use crate::ThemesError;

/// A parsed plan: its numbered sections (一、二、…) in document order.
///
/// JSON (serde): `{"sections":[{"number":1,"title":"…","items":[{"number":1,"title":"…",
/// "text":"…","terms":["…"]}],"terms":["…"]}]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Sections in document order.
    pub sections: Vec<PlanSection>,
    /// The plan's own domain words (邮政, 快递 … for a postal plan), which an article must
    /// mention for an imported theme to match: empty after [`parse_plan`], filled by
    /// [`crate::fill_terms`] ([`crate::domain_terms`]).
    pub domain: Vec<String>,
}

/// One section (一、… 十、) of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSection {
    /// Section number as written (`三、` → 3).
    pub number: u32,
    /// The heading text after `N、`, joined across line breaks, without trailing punctuation.
    pub title: String,
    /// The numbered items of the section, in document order.
    pub items: Vec<PlanItem>,
    /// Proposed rule terms of the section itself (empty after [`parse_plan`];
    /// [`crate::fill_terms`] proposes the heading's terms particular to the section).
    pub terms: Vec<String>,
}

/// One numbered item of a plan section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItem {
    /// Item number as written (`10．` → 10; `（二）` → 2). In the shared plan items are numbered
    /// continuously across sections (1 … 29).
    pub number: u32,
    /// The item's first clause: the text up to the first `，` `。` `；` or `：` (see
    /// [`parse_plan`] for why), e.g. `围绕实现“9792”工程目标`.
    pub title: String,
    /// The whole item paragraph(s) joined into one line, without the number.
    pub text: String,
    /// Proposed rule terms. [`parse_plan`] fills only the quoted names and 《》 titles
    /// ([`quoted_terms`]); [`crate::fill_terms`] adds TF-IDF key phrases.
    pub terms: Vec<String>,
}

/// Parses the text of a plan document (text extracted from a PDF, e.g.
/// `../shared/plans/postal-publicity-plan-2020.txt`) into sections and items.
///
/// What it copes with: page markers (`- 1 -`), blank lines, stray leading spaces, lines wrapped
/// mid-phrase (joined with no space, or with one space between two Latin/digit characters),
/// spaces a PDF puts around Latin words and numbers (`成立 40 周年` → `成立40周年`), headings
/// wrapped over two lines. Sections are lines starting with a Chinese numeral and `、`; items are
/// lines starting with `1．`, `1.`, `1、`, `（一）`/`(1)`. A heading or item start is only accepted
/// when its number follows the previous one (sections 1, 2, 3 …; items continue the previous
/// number, or restart at 1 in a section without items), so a wrapped line that happens to start
/// with `十、` or `2.` stays text.
///
/// A heading continues on the next line when its line is full (at least 85 % of the document's
/// usual line length) and, in documents that mark paragraph ends with a trailing space (as this
/// plan's PDF text does), has no trailing space. Text before the first item of a section (the
/// section's lead paragraph) and the preamble are not part of any item.
///
/// Item titles: the first clause, up to the first `，` `。` `；` `：`. Chosen over the whole first
/// sentence because sentences in such plans run to 60–100 characters (item 22 is one
/// 70-character sentence); the first clause is the item's headline (`办好第四届“寻找最美快递员”活动`,
/// `加强行业法制建设方面的报道`). A clause shorter than 8 characters (`着眼为党和国家立心` has 9,
/// so it stays) is extended by the next clause so it is never a fragment; a clause longer than 40
/// characters that enumerates tasks (`A、B、C…`, `、` outside quotes and brackets) is cut to its
/// first task when that has at least 8 characters (`宣传报道乡镇局所专项整治行动`).
///
/// # Errors
/// [`ThemesError::Plan`] when no section heading is found.
pub fn parse_plan(text: &str) -> Result<Plan, ThemesError> {
    let lines = plan_lines(text);
    let full_len = usual_line_len(&lines);
    let trailing = lines.iter().filter(|l| l.para_end).count();
    // Trailing space marks paragraph ends only if some, not most, lines have it.
    let uses_para_marks = trailing > 0 && trailing * 10 < lines.len() * 6;
    let wrapped = |l: &Line| {
        l.chars * 100 >= full_len * 85
            && !(uses_para_marks && l.para_end)
            && !l.text.ends_with(['。', '；', '：', '.', ';', ':'])
    };

    let mut sections: Vec<PlanSection> = Vec::new();
    let mut last_item = 0u32;
    let mut heading_open = false;
    let mut in_item = false;
    for line in &lines {
        let next_section = sections.last().map_or(1, |s| s.number + 1);
        if let Some((n, rest)) = section_start(line.text)
            && n == next_section
        {
            sections.push(PlanSection {
                number: n,
                title: rest.to_string(),
                items: Vec::new(),
                terms: Vec::new(),
            });
            heading_open = wrapped(line);
            in_item = false;
            continue;
        }
        if let Some(section) = sections.last_mut() {
            if let Some((n, rest)) = item_start(line.text)
                && (n == last_item + 1 || (n == 1 && section.items.is_empty()))
            {
                section.items.push(PlanItem {
                    number: n,
                    title: String::new(),
                    text: rest.to_string(),
                    terms: Vec::new(),
                });
                last_item = n;
                heading_open = false;
                in_item = true;
                continue;
            }
            if heading_open {
                join_into(&mut section.title, line.text);
                heading_open = wrapped(line);
            } else if in_item && let Some(item) = section.items.last_mut() {
                join_into(&mut item.text, line.text);
            }
        }
    }
    if sections.is_empty() {
        return Err(ThemesError::Plan(
            "no section headings (一、 二、 …) found".to_string(),
        ));
    }
    for section in &mut sections {
        section.title = tidy_spaces(&section.title)
            .trim_end_matches(['。', '；', '：', ' '])
            .to_string();
        for item in &mut section.items {
            item.text = tidy_spaces(&item.text);
            item.title = first_clause(&item.text);
            item.terms = quoted_terms(&item.text);
        }
    }
    Ok(Plan {
        sections,
        domain: Vec::new(),
    })
}

/// A non-empty, non-page-marker line of the plan.
struct Line<'a> {
    /// Trimmed text.
    text: &'a str,
    /// Characters in `text`.
    chars: usize,
    /// The raw line ended with whitespace (a paragraph end in this PDF's text).
    para_end: bool,
}

fn plan_lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .filter_map(|raw| {
            let raw = raw.trim_start_matches('\u{feff}');
            let t = raw.trim();
            if t.is_empty() || is_page_marker(t) {
                return None;
            }
            Some(Line {
                text: t,
                chars: t.chars().count(),
                para_end: raw.ends_with(char::is_whitespace),
            })
        })
        .collect()
}

/// `- 1 -`, `—2—`, `-12-`.
fn is_page_marker(t: &str) -> bool {
    let inner = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－') || c.is_whitespace());
    inner.len() < t.len()
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_digit())
        && t.starts_with(['-', '—', '–', '－'])
}

/// The usual length (characters) of a full line: the median length of lines of at least 10
/// characters (wrapped paragraphs are mostly full lines). At least 1.
fn usual_line_len(lines: &[Line]) -> usize {
    let mut lens: Vec<usize> = lines.iter().map(|l| l.chars).filter(|&c| c >= 10).collect();
    lens.sort_unstable();
    lens.get(lens.len() / 2).copied().unwrap_or(1).max(1)
}

/// Value of a Chinese numeral 一 … 九十九 (also 〇/零 digits); `None` if `s` is not one.
pub(crate) fn chinese_number(s: &str) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).filter(|&d| d > 0),
        ['十', u] => digit(*u).map(|d| 10 + d),
        [t, '十'] => digit(*t).filter(|&d| d > 1).map(|d| d * 10),
        [t, '十', u] => Some(digit(*t).filter(|&d| d > 1)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// `三、做好…` → (3, `做好…`).
fn section_start(line: &str) -> Option<(u32, &str)> {
    let (num, rest) = line.split_once('、')?;
    let n = chinese_number(num)?;
    Some((n, rest.trim_start()))
}

/// `10．围绕…`, `10.`, `10、`, `（二）`, `(2)` → (number, rest).
fn item_start(line: &str) -> Option<(u32, &str)> {
    let digits_end = line
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || ('０'..='９').contains(&c)))
        .map_or(line.len(), |(i, _)| i);
    if digits_end > 0 {
        // digits_end is a char boundary (from char_indices); every char before it is a digit.
        let (digits, rest) = line.split_at_checked(digits_end)?;
        let n: u32 = digits
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .unwrap_or_else(|| (c as u32).saturating_sub('０' as u32))
            })
            .try_fold(0u32, |acc, d| acc.checked_mul(10)?.checked_add(d))?;
        let mut it = rest.chars();
        let sep = it.next()?;
        if !matches!(sep, '．' | '.' | '、') {
            return None;
        }
        let after = it.as_str();
        // `1.5亿件` is a number, not an item.
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        return Some((n, after.trim_start()));
    }
    let inner_rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('))?;
    let close = inner_rest.find(['）', ')'])?;
    let inner = inner_rest.get(..close)?;
    let n = chinese_number(inner).or_else(|| inner.parse().ok())?;
    let after = inner_rest.get(close..)?;
    let after = after
        .strip_prefix('）')
        .or_else(|| after.strip_prefix(')'))?;
    Some((n, after.trim_start()))
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Appends a wrapped line: no space, except one between two Latin letters/digits.
fn join_into(acc: &mut String, next: &str) {
    let needs_space =
        acc.chars().next_back().is_some_and(is_latin) && next.chars().next().is_some_and(is_latin);
    if needs_space {
        acc.push(' ');
    }
    acc.push_str(next);
}

/// Removes whitespace runs next to a non-ASCII character (`和 RCEP国家` → `和RCEP国家`,
/// `成立 40 周年` → `成立40周年`); between two ASCII characters a run becomes one space.
fn tidy_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && c.is_ascii() && out.chars().next_back().is_some_and(|p| p.is_ascii()) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// The first clause of an item (see [`parse_plan`]): up to the first `，。；：`, extended by the
/// next clause while shorter than 8 characters.
fn first_clause(text: &str) -> String {
    let mut out = String::new();
    for clause in text.split(['，', '。', '；', '：']) {
        if !out.is_empty() {
            out.push('，');
        }
        out.push_str(clause.trim());
        if out.chars().count() >= 8 {
            break;
        }
    }
    let out = out.trim_end_matches('，');
    if out.chars().count() <= 40 {
        return out.to_string();
    }
    // An enumeration (A、B、C…): keep the first member, if it is not a fragment.
    let mut depth = 0i32;
    for (i, c) in out.char_indices() {
        match c {
            '“' | '《' | '（' | '(' => depth += 1,
            '”' | '》' | '）' | ')' => depth -= 1,
            '、' if depth == 0 => {
                let head = out.get(..i).unwrap_or(out);
                if head.chars().count() >= 8 {
                    return head.to_string();
                }
            }
            _ => {}
        }
    }
    out.to_string()
}

/// Quoted names and document titles in `text`, in order of first appearance, deduplicated:
/// the content of each “…” (split at `、` when every part has at least 3 characters:
/// `“双随机、一公开”` → `双随机`, `一公开`; `“诚信、服务、规范、共享”` stays whole), plus, for a
/// quote of only digits (a numbered programme), the quote joined with the two CJK characters
/// after it (`“9792”工程` → `9792`, `9792工程`; not `“4S”核心`, which cuts `核心价值理念`), and
/// the content of each 《…》 (`交通强国建设纲要`).
/// Quotes longer than 20 characters are skipped (they are sentences, not names).
pub fn quoted_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    };
    for (open, close) in [('“', '”'), ('《', '》'), ('"', '"')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            let inner = &after[..end];
            let tail = &after[end + close.len_utf8()..];
            rest = tail;
            let n = inner.chars().count();
            if n == 0 || n > 20 && open != '《' {
                continue;
            }
            if open == '《' {
                push(inner);
                continue;
            }
            let parts: Vec<&str> = inner.split('、').collect();
            if parts.len() > 1 && parts.iter().all(|p| p.chars().count() >= 3) {
                for p in parts {
                    push(p);
                }
            } else {
                push(inner);
            }
            if inner.chars().all(|c| c.is_ascii_digit()) {
                let next2: String = tail.chars().take(2).collect();
                if next2.chars().count() == 2 && next2.chars().all(crate::matcher::is_cjk) {
                    push(&format!("{inner}{next2}"));
                }
            }
        }
    }
    out
}

/// Chinese numeral of a plan section number, as plans write them: 1..=99 as 一, 十, 十一,
/// 二十三; other values as Arabic digits.
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS.get(d as usize).copied().unwrap_or("");
    match n {
        1..=9 => digit(n).to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", digit(n % 10)),
        20..=99 if n.is_multiple_of(10) => format!("{}十", digit(n / 10)),
        20..=99 => format!("{}十{}", digit(n / 10), digit(n % 10)),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(chinese_number("一"), Some(1));
        assert_eq!(chinese_number("十"), Some(10));
        assert_eq!(chinese_number("十二"), Some(12));
        assert_eq!(chinese_number("二十"), Some(20));
        assert_eq!(chinese_number("二十九"), Some(29));
        assert_eq!(chinese_number("十十"), None);
        assert_eq!(chinese_number("三五”规划"), None);
    }

    #[test]
    fn item_starts() {
        assert_eq!(item_start("10．围绕"), Some((10, "围绕")));
        assert_eq!(item_start("3. 大力"), Some((3, "大力")));
        assert_eq!(item_start("4、做好"), Some((4, "做好")));
        assert_eq!(item_start("（二）加强"), Some((2, "加强")));
        assert_eq!(item_start("(3)加强"), Some((3, "加强")));
        assert_eq!(item_start("1.5亿件"), None);
        assert_eq!(item_start("2020 年是"), None);
    }

    #[test]
    fn quotes() {
        assert_eq!(
            quoted_terms(
                "围绕实现“9792”工程目标，推进“绿盾”工程、“双随机、一公开”和“诚信、服务”及《邮政强国建设行动纲要》"
            ),
            [
                "9792",
                "9792工程",
                "绿盾",
                "双随机",
                "一公开",
                "诚信、服务",
                "邮政强国建设行动纲要"
            ]
        );
    }

    #[test]
    fn small_plan() {
        let text = "前言\n- 1 - \n一、第一部分标题很长很长很长很长很长很长很长很长很\n长的结尾 \n导语。\n 1．着眼立心，持续\n深入 RCEP\n 国家。\n2．短，句。\n二、第二\n（一）甲乙丙丁戊己庚辛，后。\n";
        let plan = parse_plan(text).unwrap();
        assert_eq!(plan.sections.len(), 2);
        assert_eq!(
            plan.sections[0].title,
            "第一部分标题很长很长很长很长很长很长很长很长很长的结尾"
        );
        assert_eq!(
            plan.sections[0].items[0].text,
            "着眼立心，持续深入RCEP国家。"
        );
        assert_eq!(
            plan.sections[0].items[0].title,
            "着眼立心，持续深入RCEP国家"
        );
        assert_eq!(plan.sections[0].items[1].title, "短，句");
        assert_eq!(plan.sections[1].items[0].number, 1);
        assert_eq!(plan.sections[1].items[0].title, "甲乙丙丁戊己庚辛");
    }
}
