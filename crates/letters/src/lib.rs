//! Letters and reports rendered as tagged, archivable PDF.
//!
//! This crate turns a small, generic document model ([`Document`] made of [`Block`]s) into one
//! PDF file: decision letters, appeal packages (several parts separated by [`Block::PageBreak`])
//! and reports.
//!
//! # Standard
//!
//! The output targets **PDF/A-2a** (ISO 19005-2, level A: archival *and* accessible, i.e. tagged
//! with a logical structure and Unicode text) and, at the same time, **PDF/UA-1** (ISO 14289-1,
//! universal accessibility), as PDF 1.7. The PDF writer ([krilla]) checks everything that can be
//! checked mechanically for both standards when the file is written: fonts embedded and with a
//! Unicode mapping for every glyph, document title and language, XMP metadata, an outline,
//! headings with titles, tagging. A violation is an error ([`LetterError::Pdf`]), never a
//! silently non-conforming file. What cannot be checked mechanically is this crate's job:
//!
//! - reading order is the order of the structure tree, which is the order of the blocks;
//! - the title is the one `H1`, [`Block::Heading`] is `H2`, paragraphs are `P`, label/value pairs
//!   and tables are real `Table`s with `TH` header cells (column headers for tables, row headers
//!   for label/value pairs), captions are `Caption`;
//! - page numbers ("Sida 1 av 3"), table rules and table headers repeated on continuation pages
//!   are artifacts, not content;
//! - word boundaries are real spaces, also at the end of a wrapped line.
//!
//! Text is set in Noto Sans (regular and bold), embedded from the `notosans` crate under the SIL
//! Open Font License 1.1, so rendering needs no fonts on the machine. Pages are A4 with 2.5 cm
//! margins; body text is 11 pt, wrapped by measuring the font's glyph advances.
//!
//! # Why a separate crate
//!
//! PDF writing (krilla, font parsing and subsetting, compression, colour profiles) is by far the
//! heaviest dependency of the system. Kept here, behind a small API that takes plain strings, it
//! is compiled once and stays out of the rebuilds of the web crate and the rest of the workspace
//! (see ADR 0001). Nothing else in the workspace needs to know about PDF.
//!
//! [krilla]: https://crates.io/crates/krilla

mod layout;
mod text;

use krilla::color::luma;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder, ValidationError};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TagGroup, TagTree,
};
use krilla::SerializeSettings;

use crate::layout::{Laid, Mark, Op, SNode, Style};
use crate::text::Fonts;

/// A document to render: a letter, a report or a bundle of several parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// Metadata title and the H1 at the top. Must not be empty.
    pub title: String,
    /// Language of the document, a language tag such as `"sv"` or `"sv-SE"`.
    pub language: String,
    /// Author in the metadata, e.g. "Socialnämnden, Uppsala kommun".
    pub author: String,
    /// Small lines at the top: board, municipality, unit.
    pub letterhead: Vec<String>,
    /// Address block lines; `None` prints no address at all.
    pub recipient: Option<Vec<String>>,
    /// Label/value lines below the address, e.g. `("Datum", "2026-11-25")`.
    pub meta_lines: Vec<(String, String)>,
    /// The body, in reading order.
    pub blocks: Vec<Block>,
}

/// One block of the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section heading (H2).
    Heading(String),
    /// A paragraph (P), wrapped to the text width. Each `'\n'` starts a new paragraph line (a
    /// separate P); an empty line leaves a blank line.
    Paragraph(String),
    /// Label/value pairs, rendered as a two-column table with row headers.
    Facts(Vec<(String, String)>),
    /// A data table with column headers (TH). Long cell text wraps; pages break between rows
    /// (a row taller than a page is split), and the header row is repeated, as an artifact, on
    /// continuation pages.
    Table {
        /// Shown above the table and tagged as its caption; may be empty.
        caption: String,
        /// Column headers; may be empty.
        header: Vec<String>,
        /// Rows of cells; rows may have different lengths (missing cells are empty).
        rows: Vec<Vec<String>>,
    },
    /// Starts a new page (unless the current page is still empty).
    PageBreak,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The title is empty (after removing control characters and whitespace). PDF/UA requires a
    /// document title.
    #[error("the document has no title")]
    MissingTitle,
    /// The language is empty or not a language tag.
    #[error("invalid document language {0:?}: expected a language tag such as \"sv\"")]
    InvalidLanguage(String),
    /// The embedded font could not be loaded.
    #[error("font error: {0}")]
    Font(String),
    /// The PDF writer refused the document, e.g. a PDF/A or PDF/UA validation error.
    #[error("PDF export failed: {0}")]
    Pdf(String),
}

/// Renders the document as a tagged PDF/A-2a and PDF/UA-1 file.
pub fn render(doc: &Document) -> Result<Vec<u8>, LetterError> {
    let fonts = Fonts::load()?;
    let title = fonts.clean_label(&doc.title);
    if title.is_empty() {
        return Err(LetterError::MissingTitle);
    }
    let language = language_tag(&doc.language)?;
    let author = fonts.clean_label(&doc.author);

    let laid = layout::layout(doc, &title, &fonts);

    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| LetterError::Pdf(format!("configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut pdf = krilla::Document::new_with(settings);

    let identifiers = draw_pages(&mut pdf, &laid, &fonts)?;
    let tree = build_tree(&laid.tree, &identifiers)?;
    pdf.set_tag_tree(TagTree::from(tree).with_lang(Some(language.clone())));
    pdf.set_outline(outline(&laid));

    let mut metadata = Metadata::new()
        .title(title)
        .language(language)
        .creator("Anhörigstöd".to_string())
        .creation_date(now());
    if !author.is_empty() {
        metadata = metadata.authors(vec![author]);
    }
    pdf.set_metadata(metadata);

    pdf.finish().map_err(describe)
}

/// Checks the language tag (letters, digits and hyphens, starting with a 2–8 letter primary
/// language subtag), as PDF/A and PDF/UA require a valid one.
fn language_tag(language: &str) -> Result<String, LetterError> {
    let tag = language.trim();
    let mut subtags = tag.split('-');
    let primary_ok = subtags
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && tag.len() <= 64 {
        Ok(tag.to_string())
    } else {
        Err(LetterError::InvalidLanguage(language.to_string()))
    }
}

fn now() -> DateTime {
    use chrono::{Datelike, Timelike};
    let now = chrono::Utc::now();
    let small = |v: u32| u8::try_from(v).unwrap_or(0);
    DateTime::new(u16::try_from(now.year()).unwrap_or(2026))
        .month(small(now.month()))
        .day(small(now.day()))
        .hour(small(now.hour()))
        .minute(small(now.minute()))
        .second(small(now.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn describe(error: KrillaError) -> LetterError {
    match error {
        KrillaError::Validation(errors) => {
            let list: Vec<String> = errors
                .iter()
                .map(|(e, validators)| {
                    let standards: Vec<&str> = validators.into_iter().map(|v| v.as_str()).collect();
                    format!("{} ({})", validation_name(e), standards.join(", "))
                })
                .collect();
            LetterError::Pdf(format!("validation failed: {}", list.join("; ")))
        }
        other => LetterError::Pdf(other.to_string()),
    }
}

/// A short name of a validation error (the error's own debug form includes whole fonts).
fn validation_name(error: &ValidationError) -> String {
    match error {
        ValidationError::ContainsNotDefGlyph(_, _, text) => {
            format!("glyph missing in font for {text:?}")
        }
        ValidationError::NoCodepointMapping(..) => "glyph without Unicode mapping".to_string(),
        ValidationError::InvalidCodepointMapping(_, _, c, _) => {
            format!("invalid Unicode mapping {c:?}")
        }
        ValidationError::UnicodePrivateArea(_, _, c, _) => format!("private-use character {c:?}"),
        ValidationError::RestrictedLicense(_) => "font licence forbids embedding".to_string(),
        other => format!("{other:?}"),
    }
}

/// Draws every page; returns the marked-content identifier of each content number.
fn draw_pages(
    pdf: &mut krilla::Document,
    laid: &Laid,
    fonts: &Fonts,
) -> Result<Vec<Option<Identifier>>, LetterError> {
    let mut identifiers: Vec<Option<Identifier>> = vec![None; laid.content_count];
    let total = laid.pages.len();
    for (index, ops) in laid.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(layout::PAGE_W, layout::PAGE_H)
            .ok_or_else(|| LetterError::Pdf("invalid page size".to_string()))?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    style,
                    x,
                    baseline,
                    text,
                    mark,
                } => {
                    let tag = match mark {
                        Mark::Content(_) => ContentTag::Span(SpanTag::empty()),
                        Mark::Artifact(kind) => ContentTag::Artifact(Artifact::with_kind(*kind)),
                    };
                    let id = surface.start_tagged(tag);
                    draw_text(&mut surface, fonts, *style, *x, *baseline, text);
                    surface.end_tagged();
                    if let Mark::Content(content) = mark {
                        if let Some(slot) = identifiers.get_mut(*content) {
                            *slot = Some(id);
                        }
                    }
                }
                Op::Empty { content } => {
                    let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                    surface.end_tagged();
                    if let Some(slot) = identifiers.get_mut(*content) {
                        *slot = Some(id);
                    }
                }
                Op::Rule { x, y, w, h } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        let mut builder = PathBuilder::new();
                        builder.push_rect(rect);
                        if let Some(path) = builder.finish() {
                            let artifact = Artifact::with_kind(ArtifactType::Layout);
                            surface.start_tagged(ContentTag::Artifact(artifact));
                            surface.set_fill(Some(Fill {
                                paint: luma::Color::new(140).into(),
                                opacity: NormalizedF32::ONE,
                                rule: FillRule::NonZero,
                            }));
                            surface.draw_path(&path);
                            surface.set_fill(None);
                            surface.end_tagged();
                        }
                    }
                }
            }
        }

        // Page number, right-aligned in the bottom margin: an artifact, not content.
        let footer = format!("Sida {} av {}", index + 1, total);
        let style = layout::FOOTER;
        let width = fonts.width(style.face, style.size, &footer);
        let x = layout::MARGIN + layout::CONTENT_W - width;
        let artifact = Artifact::with_kind(ArtifactType::Footer);
        surface.start_tagged(ContentTag::Artifact(artifact));
        draw_text(
            &mut surface,
            fonts,
            style,
            x,
            layout::FOOTER_BASELINE,
            &footer,
        );
        surface.end_tagged();

        surface.finish();
        page.finish();
    }
    Ok(identifiers)
}

fn draw_text(surface: &mut Surface<'_>, fonts: &Fonts, style: Style, x: f32, y: f32, line: &str) {
    let (glyphs, text) = fonts.glyphs(style.face, line);
    if glyphs.is_empty() {
        return;
    }
    surface.draw_glyphs(
        Point::from_xy(x, y),
        &glyphs,
        fonts.krilla_font(style.face),
        &text,
        style.size,
        false,
    );
}

/// Converts the layout's structure tree into krilla's, each content number to its identifier.
fn build_tree(nodes: &[SNode], ids: &[Option<Identifier>]) -> Result<Vec<Node>, LetterError> {
    nodes
        .iter()
        .map(|node| match node {
            SNode::Leaf(content) => ids
                .get(*content)
                .copied()
                .flatten()
                .map(Node::from)
                .ok_or_else(|| LetterError::Pdf(format!("content {content} was never drawn"))),
            SNode::Group(tag, children) => Ok(Node::from(TagGroup::with_children(
                tag.clone(),
                build_tree(children, ids)?,
            ))),
        })
        .collect()
}

/// Bookmarks: the title, with the headings below it.
fn outline(laid: &Laid) -> Outline {
    let mut outline = Outline::new();
    let mut root: Option<OutlineNode> = None;
    for entry in &laid.outline {
        let destination = XyzDestination::new(entry.page, Point::from_xy(layout::MARGIN, entry.y));
        let node = OutlineNode::new(entry.text.clone(), destination);
        match (&mut root, entry.level) {
            (Some(parent), 2) => parent.push_child(node),
            _ => {
                if let Some(previous) = root.take() {
                    outline.push_child(previous);
                }
                root = Some(node.with_open(true));
            }
        }
    }
    if let Some(last) = root {
        outline.push_child(last);
    }
    outline
}
