//! HTML to plain text.
//!
//! Answers "what does a reader see in this HTML?": the text content of a fragment or a whole
//! document, with one line per block element. Used for feed titles, summaries and contents, and
//! for article bodies.

use scraper::Html;
use scraper::node::Node;

/// What an element does to the text flow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Its whole subtree is dropped (scripts, styles, the document head ...).
    Skip,
    /// It starts and ends a line (paragraphs, divs, list items, headings, rows ...).
    Block,
    /// A line break (`br`): ends the current line.
    Break,
    /// A table cell: separated from its neighbours by a space.
    Cell,
    /// Preformatted text: its newlines are kept as line breaks.
    Pre,
    /// Everything else: text flows through.
    Inline,
}

/// Classifies an element by its lowercase local name (html5ever lowercases HTML tag names).
fn role(name: &str) -> Role {
    match name {
        "script" | "style" | "noscript" | "template" | "head" | "title" | "iframe" | "object"
        | "embed" | "svg" | "math" | "canvas" | "select" | "button" | "textarea" => Role::Skip,
        "br" => Role::Break,
        "td" | "th" => Role::Cell,
        "pre" => Role::Pre,
        "p" | "div" | "li" | "ul" | "ol" | "dl" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4"
        | "h5" | "h6" | "tr" | "table" | "thead" | "tbody" | "tfoot" | "caption" | "section"
        | "article" | "aside" | "header" | "footer" | "nav" | "main" | "blockquote" | "address"
        | "figure" | "figcaption" | "hr" | "form" | "fieldset" | "legend" | "details"
        | "summary" | "dialog" | "hgroup" | "center" | "body" | "html" | "option" | "menu"
        | "picture" | "video" | "audio" => Role::Block,
        _ => Role::Inline,
    }
}

/// Accumulates text: collapses whitespace runs to one space, trims every line and never emits
/// an empty line.
struct TextSink {
    out: String,
    /// Nothing but whitespace written on the current line yet.
    at_line_start: bool,
    /// Whitespace seen since the last visible character.
    pending_space: bool,
}

impl TextSink {
    fn new(capacity: usize) -> Self {
        TextSink {
            out: String::with_capacity(capacity),
            at_line_start: true,
            pending_space: false,
        }
    }

    fn newline(&mut self) {
        if !self.at_line_start {
            self.out.push('\n');
            self.at_line_start = true;
        }
        self.pending_space = false;
    }

    fn space(&mut self) {
        if !self.at_line_start {
            self.pending_space = true;
        }
    }

    fn text(&mut self, text: &str, pre: bool) {
        for c in text.chars() {
            if pre && c == '\n' {
                self.newline();
            } else if c.is_whitespace() {
                // Includes U+00A0 (&nbsp;) and U+3000 (ideographic space used for indentation).
                self.space();
            } else if !c.is_control() {
                if self.pending_space {
                    self.out.push(' ');
                }
                self.out.push(c);
                self.at_line_start = false;
                self.pending_space = false;
            }
        }
    }

    fn finish(mut self) -> String {
        if self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out
    }
}

/// Plain text of an HTML fragment or document.
///
/// Scripts, styles, the document `<head>` and other non-text elements (`noscript`, `template`,
/// `iframe`, `svg`, form controls) are dropped; block elements (`p`, `div`, `br`, `li`, `h1`-`h6`,
/// `tr`, `section`, `article`, `blockquote` ...) become `\n`; table cells are separated by a
/// space; runs of whitespace (including `&nbsp;` and the ideographic space U+3000) collapse to
/// one space; entities are decoded (by the HTML5 parser, html5ever via `scraper`); lines are
/// trimmed and empty lines dropped; newlines inside `<pre>` are kept. Text that contains no
/// markup comes back with its whitespace normalised.
///
/// Never fails: malformed HTML is repaired the way browsers do (WHATWG parsing algorithm).
/// CPU cost is one HTML5 parse, linear in the input length.
///
/// ```
/// use yuqing_extract::html::html_to_text;
/// let text = html_to_text("<p>国家邮政局&amp;快递</p><script>x()</script><div>第二段<br>第三行</div>");
/// assert_eq!(text, "国家邮政局&快递\n第二段\n第三行");
/// ```
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut sink = TextSink::new(html.len() / 2);
    // Depth inside a skipped subtree (0 = not skipping) and inside <pre>.
    let mut skip_depth = 0usize;
    let mut pre_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let r = role(el.name());
                    if skip_depth > 0 || r == Role::Skip {
                        skip_depth += 1;
                        continue;
                    }
                    match r {
                        Role::Block | Role::Break => sink.newline(),
                        Role::Cell => sink.space(),
                        Role::Pre => {
                            sink.newline();
                            pre_depth += 1;
                        }
                        Role::Inline | Role::Skip => {}
                    }
                }
                Node::Text(t) if skip_depth == 0 => sink.text(t, pre_depth > 0),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    match role(el.name()) {
                        Role::Block => sink.newline(),
                        Role::Cell => sink.space(),
                        Role::Pre => {
                            sink.newline();
                            pre_depth = pre_depth.saturating_sub(1);
                        }
                        Role::Break | Role::Inline | Role::Skip => {}
                    }
                }
            }
        }
    }
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_become_lines() {
        assert_eq!(
            html_to_text("<p>First  para\n graph.</p><p> Second </p>"),
            "First para graph.\nSecond"
        );
    }

    #[test]
    fn br_breaks_lines_without_empty_lines() {
        assert_eq!(html_to_text("a<br>b<br/><br/>c"), "a\nb\nc");
    }

    #[test]
    fn nested_divs_give_one_line_each() {
        let html = "<div><div><div>一</div><div>二 <b>粗</b> 体</div></div>尾</div>";
        assert_eq!(html_to_text(html), "一\n二 粗 体\n尾");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            html_to_text("<p>A &amp; B &lt;C&gt; &quot;d&quot; &#20013;&#x6587; &nbsp;x</p>"),
            "A & B <C> \"d\" 中文 x"
        );
    }

    #[test]
    fn scripts_styles_and_head_dropped() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head>\
                    <body><script>var a = '<p>no</p>';</script><p>yes</p>\
                    <noscript>enable js</noscript></body></html>";
        assert_eq!(html_to_text(html), "yes");
    }

    #[test]
    fn chinese_text_kept_and_ideographic_space_trimmed() {
        let html = "<p>\u{3000}\u{3000}新华社北京5月12日电，国家邮政局监测数据显示。</p>\
                    <h2>快递业务量</h2><ul><li>顺丰</li><li>中通</li></ul>";
        assert_eq!(
            html_to_text(html),
            "新华社北京5月12日电，国家邮政局监测数据显示。\n快递业务量\n顺丰\n中通"
        );
    }

    #[test]
    fn table_cells_are_spaced_rows_are_lines() {
        let html = "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>";
        assert_eq!(html_to_text(html), "a b\nc d");
    }

    #[test]
    fn pre_keeps_newlines() {
        assert_eq!(html_to_text("<pre>x = 1\ny = 2</pre>"), "x = 1\ny = 2");
    }

    #[test]
    fn plain_text_and_empty_input() {
        assert_eq!(html_to_text("  just   text \n here "), "just text here");
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<div> <p> </p> </div>"), "");
    }
}
