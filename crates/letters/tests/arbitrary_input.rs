//! Arbitrary text never makes rendering panic, loop or fail validation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use letters::{render, Block, Document};
use proptest::collection::vec;
use proptest::prelude::*;

/// Any Unicode, plus strings biased towards the awkward cases (control characters, combining
/// marks, invisible characters, long words, newlines).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zåäöÅÄÖé \n\t\u{0}\u{7}\u{301}\u{200b}\u{feff}\u{e000}😀]{0,40}",
        "[a-z]{150,300}",
    ]
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        text().prop_map(Block::Heading),
        text().prop_map(Block::Paragraph),
        vec((text(), text()), 0..4).prop_map(Block::Facts),
        (text(), vec(text(), 0..4), vec(vec(text(), 0..5), 0..6)).prop_map(
            |(caption, header, rows)| Block::Table {
                caption,
                header,
                rows
            }
        ),
        Just(Block::PageBreak),
    ]
}

fn document() -> impl Strategy<Value = Document> {
    (
        text(),
        text(),
        vec(text(), 0..3),
        proptest::option::of(vec(text(), 0..4)),
        vec((text(), text()), 0..3),
        vec(block(), 0..8),
    )
        .prop_map(
            |(title, author, letterhead, recipient, meta_lines, blocks)| Document {
                // A title with at least one visible character and a valid language: then
                // rendering must succeed, whatever the rest holds.
                title: format!("Titel {title}"),
                language: "sv".to_string(),
                author,
                letterhead,
                recipient,
                meta_lines,
                blocks,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn any_document_renders(doc in document()) {
        let bytes = render(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(lopdf::Document::load_mem(&bytes).is_ok());
    }

    #[test]
    fn any_title_and_language_is_an_answer_not_a_panic(title in text(), language in text()) {
        let doc = Document { title, language, ..Document::default() };
        let _ = render(&doc);
    }
}
