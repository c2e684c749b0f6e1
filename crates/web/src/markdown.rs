//! Content text is Markdown written by editors. Raw HTML in it is shown as text, never run.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Links may go to the web, e-mail and phone, or within the site; nothing else (no `javascript:`).
fn safe_link(dest: &str) -> bool {
    let d = dest.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:", "/", "#"]
        .iter()
        .any(|p| d.starts_with(p))
}

fn level_number(l: HeadingLevel) -> usize {
    l as usize
}

fn level_from(n: usize) -> HeadingLevel {
    match n {
        0..=1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Renders editors' Markdown with its headings moved so the highest one becomes `top`: the
/// page around it decides the outline, whatever level the editor started at.
pub fn to_html(md: &str, top: HeadingLevel) -> String {
    let highest = Parser::new_ext(md, Options::empty())
        .filter_map(|ev| match ev {
            Event::Start(Tag::Heading { level, .. }) => Some(level_number(level)),
            _ => None,
        })
        .min()
        .unwrap_or(level_number(top));
    // Every heading is at least `highest`, so this never goes below `top`.
    let shift =
        |l: HeadingLevel| level_from(level_number(l).saturating_sub(highest) + level_number(top));
    let parser = Parser::new_ext(md, Options::empty()).map(|ev| match ev {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
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
        let out = super::to_html(
            "Hej <script>alert(1)</script>\n\n- a\n- b",
            super::HeadingLevel::H2,
        );
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;"));
        assert!(out.contains("<li>a</li>"));
    }

    #[test]
    fn only_safe_links_keep_their_target() {
        let out = super::to_html(
            "[a](javascript:alert(1)) [b](https://example.se) [c](tel:0701740605)",
            super::HeadingLevel::H2,
        );
        assert!(!out.contains("javascript"));
        assert!(
            out.contains("href=\"https://example.se\"") && out.contains("href=\"tel:0701740605\"")
        );
    }

    #[test]
    fn headings_start_at_the_level_the_page_asks_for() {
        use super::HeadingLevel::*;
        let out = super::to_html("### A\n\ntext\n\n#### B\n", H2);
        assert!(
            out.contains("<h2>A</h2>") && out.contains("<h3>B</h3>"),
            "{out}"
        );
        let out = super::to_html("# A\n\n## B\n", H3);
        assert!(
            out.contains("<h3>A</h3>") && out.contains("<h4>B</h4>"),
            "{out}"
        );
        assert!(super::to_html("no headings", H2).contains("<p>no headings</p>"));
    }
}
