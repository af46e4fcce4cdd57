//! The page templates (minijinja 2, HTML auto-escaping on for every `.html` name) and the
//! static assets, both embedded in the binary with `include_str!`.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

use crate::WebError;

/// `(name, source)` of every template; names end in `.html`, which turns on minijinja's HTML
/// auto-escaping (`& < > " ' /` become entities in every `{{ }}` output that is not a value
/// made with `Value::from_safe_string`).
const TEMPLATES: [(&str, &str); 7] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("search.html", include_str!("../../templates/search.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("article.html", include_str!("../../templates/article.html")),
    ("reports.html", include_str!("../../templates/reports.html")),
];

/// `(file name under /static/, content type, bytes)` of every asset.
pub(crate) const ASSETS: [(&str, &str, &[u8]); 3] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css").as_bytes(),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js").as_bytes(),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../static/favicon.svg").as_bytes(),
    ),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Undefined variables render as empty (a missing optional field is not an error),
        // but never as markup.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, source) in TEMPLATES {
            // The templates are constants checked by `every_template_parses`; a broken one
            // is left out here and then fails in `render` with its name.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not parse");
            }
        }
        env
    })
}

/// Renders template `name` with `ctx`.
///
/// Errors: [`WebError::Task`] naming the template when it is missing or fails to render
/// (a bug, covered by the tests).
pub(crate) fn render<S: Serialize>(name: &str, ctx: S) -> Result<String, WebError> {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| WebError::Task(format!("template {name}: {e:#}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    /// ` on<letters>=` anywhere (an event-handler attribute).
    fn has_inline_handler(src: &str) -> bool {
        src.match_indices(" on").any(|(i, _)| {
            let rest = &src[i + 3..];
            let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            letters > 0 && rest.as_bytes().get(letters) == Some(&b'=')
        })
    }

    #[test]
    fn every_template_parses() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn output_is_escaped_and_safe_values_are_not() {
        let html = render(
            "error.html",
            context! {
                title => "<script>window.__xss=1</script>",
                message => minijinja::Value::from_safe_string("<b>ok</b>".into()),
                user => "a\"b",
                csrf => "t",
                csrf_field => "csrf_token",
            },
        )
        .unwrap();
        assert!(!html.contains("<script>window"));
        assert!(
            html.contains("&lt;script&gt;window.__xss=1&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(html.contains("<b>ok</b>"));
        assert!(html.contains("a&quot;b"));
        // Only the external script, never an inline one or an inline handler.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains("<script src=\"/static/app.js\" defer></script>"));
        assert!(!html.contains(" style=") && !html.contains("<style"));
        for (name, source) in TEMPLATES {
            assert!(
                !has_inline_handler(source),
                "{name} has an inline event handler"
            );
            assert!(!source.contains("style="), "{name} has an inline style");
        }
    }
}
