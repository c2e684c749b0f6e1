//! Content text is Markdown written by editors. Raw HTML in it is shown as text, never run.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Links may go to the web, e-mail and phone, or within the site; nothing else (no `javascript:`).
fn safe_link(dest: &str) -> bool {
    let d = dest.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:", "/", "#"]
        .iter()
        .any(|p| d.starts_with(p))
}

pub fn to_html(md: &str) -> String {
    let parser = Parser::new_ext(md, Options::empty()).map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_link(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
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

    #[test]
    fn only_safe_links_keep_their_target() {
        let out =
            super::to_html("[a](javascript:alert(1)) [b](https://example.se) [c](tel:0701740605)");
        assert!(!out.contains("javascript"));
        assert!(
            out.contains("href=\"https://example.se\"") && out.contains("href=\"tel:0701740605\"")
        );
    }
}
