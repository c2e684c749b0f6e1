//! Content text is Markdown written by editors. Raw HTML in it is shown as text, never run.

use pulldown_cmark::{html, Event, Options, Parser};

pub fn to_html(md: &str) -> String {
    let parser = Parser::new_ext(md, Options::empty()).map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn raw_html_is_escaped() {
        let out = super::to_html("Hej <script>alert(1)</script>\n\n- a\n- b");
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;"));
        assert!(out.contains("<li>a</li>"));
    }
}
