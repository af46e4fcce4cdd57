//! Reading and validating `themes.toml` (every problem collected, not only the first).

use serde::Serialize;
use toml::{Table, Value};
use yuqing_text::normalize;

use crate::ThemesError;

/// Whether a theme is a plan section (`s4`) or an item (`s4.i10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeKind {
    /// A section (一、…): `[[section]]`.
    Section,
    /// A numbered item: `[[item]]`.
    Item,
}

/// One theme of a [`crate::ThemeSet`]: a plan section or item, as declared in `themes.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Theme {
    /// `s<section>` or `s<section>.i<item>` (e.g. `s4.i10`).
    pub id: String,
    /// Section or item.
    pub kind: ThemeKind,
    /// Id of the section: the theme's own id for a section, the `section` key for an item.
    pub section: String,
    /// Section number (一 → 1) or item number (continuous across the plan, e.g. 10).
    pub number: u32,
    /// Display name (`name` key).
    pub name: String,
}

/// The rule of one theme as written (terms not yet normalised).
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleSpec {
    pub any: Vec<String>,
    pub all: Vec<Vec<String>>,
    pub not: Vec<String>,
    pub title_only: Vec<String>,
    /// (term as written, weight).
    pub weights: Vec<(String, f32)>,
    pub min_score: f32,
}

impl RuleSpec {
    /// True when the rule has no positive term (nothing can make it match on its own).
    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.all.iter().all(Vec::is_empty) && self.title_only.is_empty()
    }
}

/// A theme with its rule.
#[derive(Debug, Clone)]
pub(crate) struct ThemeSpec {
    pub theme: Theme,
    pub rule: RuleSpec,
}

/// A whole validated file: sections first (file order), then items (file order).
#[derive(Debug, Clone)]
pub(crate) struct FileSpec {
    pub plan_name: Option<String>,
    pub themes: Vec<ThemeSpec>,
}

/// Most `all` groups a rule may have.
pub(crate) const MAX_GROUPS: usize = 64;

const RULE_KEYS: &[&str] = &["any", "all", "not", "title_only", "weights", "min_score"];

struct Problems<'a> {
    file: &'a str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn add(&mut self, key: &str, msg: impl std::fmt::Display) {
        self.list.push(format!("{}: {key}: {msg}", self.file));
    }
}

/// Parses and validates the text of a themes file. `file` labels every message.
pub(crate) fn parse_file(text: &str, file: &str) -> Result<FileSpec, ThemesError> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| ThemesError::Syntax {
            file: file.to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
    let mut p = Problems {
        file,
        list: Vec::new(),
    };
    let mut plan_name = None;
    let mut sections: Vec<ThemeSpec> = Vec::new();
    let mut items: Vec<ThemeSpec> = Vec::new();
    match table.get("version") {
        None => p.add("version", "missing key (expected `version = 1`)"),
        Some(Value::Integer(1)) => {}
        Some(v) => p.add("version", format!("unsupported version {v} (expected 1)")),
    }
    for (key, value) in &table {
        match key.as_str() {
            "version" => {}
            "plan" => match value {
                Value::Table(t) => {
                    for (k, v) in t {
                        let path = format!("plan.{k}");
                        match (k.as_str(), v) {
                            ("name", Value::String(s)) => plan_name = Some(s.clone()),
                            ("name", _) => p.add(&path, "expected a string"),
                            _ => p.add(&path, "unknown key"),
                        }
                    }
                }
                _ => p.add("plan", "expected a table `[plan]`"),
            },
            "section" | "item" => {
                let kind = if key == "section" {
                    ThemeKind::Section
                } else {
                    ThemeKind::Item
                };
                let Value::Array(entries) = value else {
                    p.add(key, format!("expected an array of tables `[[{key}]]`"));
                    continue;
                };
                for (i, entry) in entries.iter().enumerate() {
                    let path = format!("{key}[{i}]");
                    let Value::Table(t) = entry else {
                        p.add(&path, "expected a table");
                        continue;
                    };
                    if let Some(spec) = theme_entry(t, kind, &path, &mut p) {
                        match kind {
                            ThemeKind::Section => sections.push(spec),
                            ThemeKind::Item => items.push(spec),
                        }
                    }
                }
            }
            _ => p.add(key, "unknown key"),
        }
    }
    check_ids(&sections, &items, &mut p);
    if !p.list.is_empty() {
        return Err(ThemesError::Invalid {
            file: file.to_string(),
            problems: p.list,
        });
    }
    sections.append(&mut items);
    Ok(FileSpec {
        plan_name,
        themes: sections,
    })
}

/// Cross-entry checks: duplicate ids, item sections that do not exist, id shapes.
fn check_ids(sections: &[ThemeSpec], items: &[ThemeSpec], p: &mut Problems) {
    let mut seen: Vec<&str> = Vec::new();
    for (kind, list) in [("section", sections), ("item", items)] {
        for (i, spec) in list.iter().enumerate() {
            let t = &spec.theme;
            let path = format!("{kind}[{i}].id");
            if seen.contains(&t.id.as_str()) {
                p.add(&path, format!("duplicate id \"{}\"", t.id));
            }
            seen.push(&t.id);
            match t.kind {
                ThemeKind::Section => {
                    let want = format!("s{}", t.number);
                    if t.id != want {
                        p.add(
                            &path,
                            format!("id \"{}\" must be \"{want}\" (s<number>)", t.id),
                        );
                    }
                }
                ThemeKind::Item => {
                    if !sections.iter().any(|s| s.theme.id == t.section) {
                        p.add(
                            &format!("{kind}[{i}].section"),
                            format!("unknown section \"{}\"", t.section),
                        );
                    }
                    let want = format!("{}.i{}", t.section, t.number);
                    if t.id != want {
                        p.add(
                            &path,
                            format!("id \"{}\" must be \"{want}\" (<section>.i<number>)", t.id),
                        );
                    }
                }
            }
        }
    }
}

/// Reads one `[[section]]` / `[[item]]` table; `None` when a required key is unusable.
fn theme_entry(t: &Table, kind: ThemeKind, path: &str, p: &mut Problems) -> Option<ThemeSpec> {
    let required: &[&str] = match kind {
        ThemeKind::Section => &["id", "number", "name"],
        ThemeKind::Item => &["id", "section", "number", "name"],
    };
    for k in t.keys() {
        if !required.contains(&k.as_str()) && !RULE_KEYS.contains(&k.as_str()) {
            p.add(&format!("{path}.{k}"), "unknown key");
        }
    }
    let mut ok = true;
    let mut string = |k: &str, p: &mut Problems| -> String {
        match t.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::String(_)) => {
                p.add(&format!("{path}.{k}"), "must not be empty");
                ok = false;
                String::new()
            }
            Some(_) => {
                p.add(&format!("{path}.{k}"), "expected a string");
                ok = false;
                String::new()
            }
            None if required.contains(&k) => {
                p.add(&format!("{path}.{k}"), "missing key");
                ok = false;
                String::new()
            }
            None => String::new(),
        }
    };
    let id = string("id", p);
    let name = string("name", p);
    let section = match kind {
        ThemeKind::Section => id.clone(),
        ThemeKind::Item => string("section", p),
    };
    let number = match t.get("number") {
        Some(Value::Integer(n)) if (1..=i64::from(u32::MAX)).contains(n) => {
            u32::try_from(*n).unwrap_or(0)
        }
        Some(Value::Integer(n)) => {
            p.add(
                &format!("{path}.number"),
                format!("must be positive, got {n}"),
            );
            ok = false;
            0
        }
        Some(_) => {
            p.add(&format!("{path}.number"), "expected an integer");
            ok = false;
            0
        }
        None => {
            p.add(&format!("{path}.number"), "missing key");
            ok = false;
            0
        }
    };
    let rule = rule_entry(t, path, kind, p);
    ok.then_some(ThemeSpec {
        theme: Theme {
            id,
            kind,
            section,
            number,
            name,
        },
        rule,
    })
}

/// Reads and checks the rule keys of one theme table.
fn rule_entry(t: &Table, path: &str, kind: ThemeKind, p: &mut Problems) -> RuleSpec {
    let mut rule = RuleSpec {
        min_score: 1.0,
        ..RuleSpec::default()
    };
    rule.any = term_list(t.get("any"), &format!("{path}.any"), p);
    rule.not = term_list(t.get("not"), &format!("{path}.not"), p);
    rule.title_only = term_list(t.get("title_only"), &format!("{path}.title_only"), p);
    match t.get("all") {
        None => {}
        Some(Value::Array(groups)) => {
            if groups.len() > MAX_GROUPS {
                p.add(
                    &format!("{path}.all"),
                    format!("{} groups, at most {MAX_GROUPS} allowed", groups.len()),
                );
            }
            for (g, group) in groups.iter().enumerate() {
                let gpath = format!("{path}.all[{g}]");
                if !matches!(group, Value::Array(_)) {
                    p.add(
                        &gpath,
                        "expected an array of terms (all = [[\"a\", \"b\"], [\"c\"]])",
                    );
                    continue;
                }
                let terms = term_list(Some(group), &gpath, p);
                if terms.is_empty() {
                    p.add(&gpath, "empty group (it could never match)");
                }
                rule.all.push(terms);
            }
        }
        Some(_) => p.add(&format!("{path}.all"), "expected an array of term arrays"),
    }
    for (i, term) in rule.not.iter().enumerate() {
        let norm = normalize(term);
        let positive = rule
            .any
            .iter()
            .chain(rule.all.iter().flatten())
            .any(|t| normalize(t) == norm);
        if positive {
            p.add(
                &format!("{path}.not[{i}]"),
                format!(
                    "\"{term}\" is also a term to match (any/all): the rule contradicts itself"
                ),
            );
        }
    }
    match t.get("min_score") {
        None => {}
        Some(v) => match number(v) {
            Some(x) if x.is_finite() && x > 0.0 => rule.min_score = x as f32,
            Some(x) => p.add(
                &format!("{path}.min_score"),
                format!("must be positive, got {x}"),
            ),
            None => p.add(&format!("{path}.min_score"), "expected a number"),
        },
    }
    match t.get("weights") {
        None => {}
        Some(Value::Table(w)) => {
            for (term, v) in w {
                let wpath = format!("{path}.weights.\"{term}\"");
                let norm = normalize(term.trim());
                let listed = rule
                    .any
                    .iter()
                    .chain(rule.not.iter())
                    .chain(rule.title_only.iter())
                    .chain(rule.all.iter().flatten())
                    .any(|t| normalize(t) == norm);
                if !listed {
                    p.add(&wpath, "weight for a term that is in no list of this rule");
                }
                match number(v) {
                    Some(x) if x.is_finite() && x > 0.0 => {
                        rule.weights.push((term.clone(), x as f32));
                    }
                    Some(x) => p.add(&wpath, format!("weight must be positive, got {x}")),
                    None => p.add(&wpath, "expected a number"),
                }
            }
        }
        Some(_) => p.add(
            &format!("{path}.weights"),
            "expected an inline table { \"term\" = 2.0 }",
        ),
    }
    // An item needs at least one positive term; a section may rely on its items alone.
    if kind == ThemeKind::Item && rule.is_empty() {
        p.add(
            path,
            "empty rule: an item needs `any`, `all` or `title_only` terms",
        );
    }
    rule
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// A list of terms (strings); every empty term and non-string is a problem.
fn term_list(v: Option<&Value>, path: &str, p: &mut Problems) -> Vec<String> {
    let Some(v) = v else { return Vec::new() };
    let Value::Array(a) = v else {
        p.add(path, "expected an array of strings");
        return Vec::new();
    };
    let mut out = Vec::with_capacity(a.len());
    for (i, x) in a.iter().enumerate() {
        match x {
            Value::String(s) if !normalize(s.trim()).is_empty() => out.push(s.trim().to_string()),
            Value::String(_) => p.add(&format!("{path}[{i}]"), "empty term"),
            _ => p.add(&format!("{path}[{i}]"), "expected a string"),
        }
    }
    out
}
