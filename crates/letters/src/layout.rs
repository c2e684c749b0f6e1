//! Layout: turns a [`Document`] into positioned pages and a structure (tag) tree.
//!
//! Layout runs before anything is drawn, so the total page count is known when the footers
//! ("Sida 1 av 3") are written. Every piece of real content gets a content number; the structure
//! tree refers to those numbers, and drawing later turns each into a krilla marked-content
//! identifier. Reading order is the order of the structure tree, which is the order of the
//! document's blocks.

use std::num::NonZeroU16;

use krilla::tagging::{ArtifactType, TableHeaderScope, Tag, TagKind};

use crate::text::{Face, Fonts};
use crate::{Block, Document};

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
/// 2.5 cm.
pub(crate) const MARGIN: f32 = 70.87;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN;
/// One millimetre in points.
const MM: f32 = 72.0 / 25.4;
/// Where a window envelope shows the address: a C5 envelope, or an E65 with the A4 folded in
/// three, shows the sheet through a window about 45 mm below the top edge, and a right-hand
/// window starts in the right half (105 mm from the left edge). The block starts at the
/// window's top and is at most [`ADDRESS_WINDOW_H`] tall.
pub(crate) const ADDRESS_WINDOW_X: f32 = MARGIN + CONTENT_W / 2.0;
pub(crate) const ADDRESS_WINDOW_Y: f32 = 45.0 * MM;
pub(crate) const ADDRESS_WINDOW_H: f32 = 30.0 * MM;
/// Baseline of the footer ("Sida 1 av 3"), inside the bottom margin.
pub(crate) const FOOTER_BASELINE: f32 = PAGE_H - 40.0;

/// Typeface, size and line height of one kind of text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) face: Face,
    pub(crate) size: f32,
    pub(crate) leading: f32,
}

const BODY: Style = Style {
    face: Face::Regular,
    size: 11.0,
    leading: 15.5,
};
const SMALL: Style = Style {
    face: Face::Regular,
    size: 9.5,
    leading: 13.0,
};
const H1: Style = Style {
    face: Face::Bold,
    size: 17.0,
    leading: 22.0,
};
const H2: Style = Style {
    face: Face::Bold,
    size: 13.0,
    leading: 18.0,
};
const CELL: Style = Style {
    face: Face::Regular,
    size: 10.0,
    leading: 13.5,
};
const CELL_BOLD: Style = Style {
    face: Face::Bold,
    ..CELL
};
pub(crate) const FOOTER: Style = Style {
    face: Face::Regular,
    size: 9.0,
    leading: 12.0,
};

const PARAGRAPH_GAP: f32 = 6.0;
const BLOCK_GAP: f32 = 10.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;

/// Noto Sans: ascender 1.069 em, descender 0.293 em. Centres the glyphs in the line box.
fn baseline(y: f32, style: Style) -> f32 {
    y + (style.leading - 1.362 * style.size) / 2.0 + 1.069 * style.size
}

/// What a drawn piece is for a screen reader.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    /// Real content, referred to by the structure tree under this number.
    Content(usize),
    /// Not part of the structure (repeated table headers, rules, page numbers).
    Artifact(ArtifactType),
}

/// One drawing operation on a page.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Text {
        style: Style,
        x: f32,
        baseline: f32,
        text: String,
        mark: Mark,
    },
    /// An empty marked-content sequence, so that an empty table cell still has content.
    Empty { content: usize },
    /// A filled rectangle (table rules), always an artifact.
    Rule { x: f32, y: f32, w: f32, h: f32 },
}

/// A node of the structure tree.
#[derive(Clone, Debug)]
pub(crate) enum SNode {
    Group(TagKind, Vec<SNode>),
    Leaf(usize),
}

/// An outline (bookmark) entry: the title (level 1) and the headings (level 2).
#[derive(Clone, Debug)]
pub(crate) struct OutlineEntry {
    pub(crate) level: u8,
    pub(crate) text: String,
    pub(crate) page: usize,
    pub(crate) y: f32,
}

/// The laid-out document.
pub(crate) struct Laid {
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) tree: Vec<SNode>,
    pub(crate) outline: Vec<OutlineEntry>,
    pub(crate) content_count: usize,
}

/// A table cell's wrapped lines and style.
struct Cell {
    style: Style,
    lines: Vec<String>,
}

/// A table header drawn again (as an artifact) at the top of each continuation page.
struct Repeat {
    cells: Vec<Cell>,
    widths: Vec<f32>,
}

struct Layouter<'a> {
    fonts: &'a Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    /// Where flow content starts on the current page (below a repeated table header).
    page_start_y: f32,
    next_content: usize,
    outline: Vec<OutlineEntry>,
}

pub(crate) fn layout(doc: &Document, title: &str, fonts: &Fonts) -> Laid {
    let mut l = Layouter {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
        page_start_y: TOP,
        next_content: 0,
        outline: Vec::new(),
    };
    let mut tree = Vec::new();

    // Letterhead: small lines, one paragraph each (so a screen reader pauses between them).
    let letterhead: Vec<SNode> = doc
        .letterhead
        .iter()
        .filter_map(|line| {
            let leaves = l.flow(SMALL, MARGIN, CONTENT_W, &fonts.clean_inline(line));
            group(Tag::P.into(), leaves)
        })
        .collect();
    if let Some(node) = group(Tag::Div.into(), letterhead) {
        tree.push(node);
        l.gap(BLOCK_GAP * 1.5);
    }

    // Address block, where a window envelope shows it (the letterhead stays above it).
    if let Some(recipient) = &doc.recipient {
        l.y = l.y.max(ADDRESS_WINDOW_Y);
        let x = ADDRESS_WINDOW_X;
        // What does not fit in the window is left out rather than printed where it does not
        // show (an address is at most five lines).
        let room = (ADDRESS_WINDOW_H / BODY.leading).floor() as usize;
        let address: Vec<SNode> = recipient
            .iter()
            .take(room)
            .filter_map(|line| {
                let leaves = l.flow(BODY, x, PAGE_W - MARGIN - x, &fonts.clean_inline(line));
                group(Tag::P.into(), leaves)
            })
            .collect();
        if let Some(node) = group(Tag::Div.into(), address) {
            tree.push(node);
            l.gap(BLOCK_GAP * 1.5);
        }
    }

    // Date, reference number and the like: label/value pairs.
    if let Some(node) = l.facts(&doc.meta_lines) {
        tree.push(node);
        l.gap(BLOCK_GAP);
    }

    // The title: the one H1.
    l.gap(BLOCK_GAP);
    let lines = fonts.wrap(H1.face, H1.size, title, CONTENT_W);
    l.keep_together(lines.len() as f32 * H1.leading + 2.0 * BODY.leading);
    l.outline.push(OutlineEntry {
        level: 1,
        text: title.to_string(),
        page: l.page_index(),
        y: l.y,
    });
    let leaves = l.lines(H1, MARGIN, lines);
    if let Some(h1) = group(heading_tag(1, title), leaves) {
        tree.push(h1);
    }
    l.gap(BLOCK_GAP);

    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                let text = fonts.clean_label(text);
                if text.is_empty() {
                    continue;
                }
                l.gap(BLOCK_GAP);
                let lines = fonts.wrap(H2.face, H2.size, &text, CONTENT_W);
                l.keep_together(lines.len() as f32 * H2.leading + 2.0 * BODY.leading);
                l.outline.push(OutlineEntry {
                    level: 2,
                    text: text.clone(),
                    page: l.page_index(),
                    y: l.y,
                });
                let leaves = l.lines(H2, MARGIN, lines);
                if let Some(node) = group(heading_tag(2, &text), leaves) {
                    tree.push(node);
                }
                l.gap(PARAGRAPH_GAP / 2.0);
            }
            Block::Paragraph(text) => {
                for line in fonts.clean_lines(text) {
                    let leaves = l.flow(BODY, MARGIN, CONTENT_W, &line);
                    match group(Tag::P.into(), leaves) {
                        Some(node) => {
                            tree.push(node);
                            l.gap(PARAGRAPH_GAP);
                        }
                        // An empty line ("\n\n") leaves a blank line.
                        None => l.gap(BODY.leading),
                    }
                }
            }
            Block::Facts(pairs) => {
                if let Some(node) = l.facts(pairs) {
                    tree.push(node);
                    l.gap(BLOCK_GAP);
                }
            }
            Block::Table {
                caption,
                header,
                rows,
            } => {
                let nodes = l.table(caption, header, rows);
                if !nodes.is_empty() {
                    tree.extend(nodes);
                    l.gap(BLOCK_GAP);
                }
            }
            Block::PageBreak => {
                if !l.at_page_start() {
                    l.new_page();
                }
            }
        }
    }

    // A trailing page break leaves an empty last page: drop it.
    while l.pages.len() > 1 && l.pages.last().is_some_and(Vec::is_empty) {
        l.pages.pop();
    }

    Laid {
        pages: l.pages,
        tree,
        outline: l.outline,
        content_count: l.next_content,
    }
}

fn heading_tag(level: u16, title: &str) -> TagKind {
    let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
    Tag::Hn(level, Some(title.to_string())).into()
}

/// A group node, or `None` when it would have no children (empty text).
fn group(tag: TagKind, children: Vec<SNode>) -> Option<SNode> {
    (!children.is_empty()).then_some(SNode::Group(tag, children))
}

impl Layouter<'_> {
    fn page_index(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
        self.page_start_y = TOP;
    }

    fn at_page_start(&self) -> bool {
        self.y <= self.page_start_y + 0.01
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.at_page_start() {
            self.y = (self.y + h).min(BOTTOM);
        }
    }

    /// Starts a new page unless `h` fits below (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM + 0.01 && !self.at_page_start() {
            self.new_page();
        }
    }

    /// Like [`Self::ensure`], for a heading and the start of what follows it; never asks for more
    /// than a page.
    fn keep_together(&mut self, h: f32) {
        self.ensure(h.min(BOTTOM - TOP));
    }

    fn content(&mut self) -> usize {
        let id = self.next_content;
        self.next_content += 1;
        id
    }

    fn text(&mut self, style: Style, x: f32, y: f32, text: String, mark: Mark) {
        self.push(Op::Text {
            style,
            x,
            baseline: baseline(y, style),
            text,
            mark,
        });
    }

    /// Flowed lines of content, breaking pages between lines.
    fn lines(&mut self, style: Style, x: f32, lines: Vec<String>) -> Vec<SNode> {
        let mut leaves = Vec::with_capacity(lines.len());
        for line in lines {
            self.ensure(style.leading);
            let id = self.content();
            self.text(style, x, self.y, line, Mark::Content(id));
            self.y += style.leading;
            leaves.push(SNode::Leaf(id));
        }
        leaves
    }

    /// One cleaned line of text, wrapped to `width` and flowed.
    fn flow(&mut self, style: Style, x: f32, width: f32, text: &str) -> Vec<SNode> {
        let lines = self.fonts.wrap(style.face, style.size, text, width);
        self.lines(style, x, lines)
    }

    fn cell(&self, style: Style, text: &str, width: f32) -> Cell {
        let inner = (width - 2.0 * CELL_PAD_X).max(1.0);
        let lines = self.fonts.wrap(
            style.face,
            style.size,
            &self.fonts.clean_inline(text),
            inner,
        );
        Cell { style, lines }
    }

    /// Draws one table row, splitting it across pages when it does not fit: whole rows move to
    /// the next page; a row taller than a page is split between lines. Returns the content
    /// numbers of each cell.
    fn row(
        &mut self,
        cells: &[Cell],
        widths: &[f32],
        rule: Option<f32>,
        repeat: Option<&Repeat>,
    ) -> Vec<Vec<usize>> {
        let mut ids: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
        let leading = cells
            .iter()
            .map(|c| c.style.leading)
            .fold(CELL.leading, f32::max);
        let total = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut start = 0;
        loop {
            let remaining = total - start;
            let fits = ((BOTTOM - self.y - 2.0 * CELL_PAD_Y) / leading).floor();
            let fits = if fits > 0.0 { fits as usize } else { 0 };
            let take = if remaining <= fits {
                remaining
            } else if !self.at_page_start() {
                self.continue_table(repeat);
                continue;
            } else {
                fits.max(1)
            };
            let end = start + take;
            let mut x = MARGIN;
            for (i, cell) in cells.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0.0);
                let mut y = self.y + CELL_PAD_Y;
                for line in cell.lines.iter().take(end).skip(start) {
                    let id = self.content();
                    self.text(
                        cell.style,
                        x + CELL_PAD_X,
                        y,
                        line.clone(),
                        Mark::Content(id),
                    );
                    if let Some(cell_ids) = ids.get_mut(i) {
                        cell_ids.push(id);
                    }
                    y += leading;
                }
                if start == 0 && cell.lines.is_empty() {
                    let id = self.content();
                    self.push(Op::Empty { content: id });
                    if let Some(cell_ids) = ids.get_mut(i) {
                        cell_ids.push(id);
                    }
                }
                x += width;
            }
            self.y += take as f32 * leading + 2.0 * CELL_PAD_Y;
            if let Some(thickness) = rule {
                self.push(Op::Rule {
                    x: MARGIN,
                    y: self.y - thickness / 2.0,
                    w: widths.iter().sum(),
                    h: thickness,
                });
            }
            start = end;
            if start >= total {
                break;
            }
            self.continue_table(repeat);
        }
        ids
    }

    /// A new page in the middle of a table, with the header drawn again as an artifact.
    fn continue_table(&mut self, repeat: Option<&Repeat>) {
        self.new_page();
        let Some(repeat) = repeat else {
            return;
        };
        let leading = repeat
            .cells
            .iter()
            .map(|c| c.style.leading)
            .fold(CELL.leading, f32::max);
        let lines = repeat
            .cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0);
        let height = lines as f32 * leading + 2.0 * CELL_PAD_Y;
        // A header that would take much of the page is not repeated.
        if lines == 0 || height > (BOTTOM - TOP) / 3.0 {
            return;
        }
        let mut x = MARGIN;
        for (cell, width) in repeat.cells.iter().zip(&repeat.widths) {
            let mut y = self.y + CELL_PAD_Y;
            for line in &cell.lines {
                let mark = Mark::Artifact(ArtifactType::PaginationOther);
                self.text(cell.style, x + CELL_PAD_X, y, line.clone(), mark);
                y += leading;
            }
            x += width;
        }
        self.y += height;
        self.push(Op::Rule {
            x: MARGIN,
            y: self.y - 0.4,
            w: repeat.widths.iter().sum(),
            h: 0.8,
        });
        self.page_start_y = self.y;
    }

    /// Label/value pairs as a two-column table whose first column holds row headers.
    fn facts(&mut self, pairs: &[(String, String)]) -> Option<SNode> {
        if pairs.is_empty() {
            return None;
        }
        let label_natural = pairs
            .iter()
            .map(|(label, _)| {
                let label = self.fonts.clean_inline(label);
                self.fonts.width(CELL_BOLD.face, CELL_BOLD.size, &label)
            })
            .fold(0.0, f32::max)
            + 2.0 * CELL_PAD_X
            + 6.0;
        let label_w = label_natural.min(CONTENT_W * 0.4);
        let widths = [label_w, CONTENT_W - label_w];
        let mut rows = Vec::with_capacity(pairs.len());
        for (label, value) in pairs {
            let cells = [
                self.cell(CELL_BOLD, label, label_w),
                self.cell(CELL, value, CONTENT_W - label_w),
            ];
            let ids = self.row(&cells, &widths, None, None);
            let mut ids = ids.into_iter();
            let th = ids.next().unwrap_or_default();
            let td = ids.next().unwrap_or_default();
            rows.push(SNode::Group(
                Tag::TR.into(),
                vec![
                    SNode::Group(Tag::TH(TableHeaderScope::Row).into(), leaves(th)),
                    SNode::Group(Tag::TD.into(), leaves(td)),
                ],
            ));
        }
        Some(SNode::Group(
            Tag::Table.into(),
            vec![SNode::Group(Tag::TBody.into(), rows)],
        ))
    }

    /// A data table with a caption, column headers and rows. Returns the structure nodes: the
    /// table, or only a paragraph for the caption when there are neither headers nor rows.
    fn table(&mut self, caption: &str, header: &[String], rows: &[Vec<String>]) -> Vec<SNode> {
        let caption = self.fonts.clean_inline(caption);
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        let has_header = header
            .iter()
            .any(|h| !self.fonts.clean_inline(h).trim().is_empty());

        let mut children = Vec::new();
        if !caption.trim().is_empty() {
            let lines = self
                .fonts
                .wrap(CELL_BOLD.face, CELL_BOLD.size, &caption, CONTENT_W);
            // Keep the caption with the header and the first row.
            self.keep_together((lines.len() + 3) as f32 * CELL.leading + 4.0 * CELL_PAD_Y);
            let leaves = self.lines(CELL_BOLD, MARGIN, lines);
            self.gap(2.0);
            if columns == 0 {
                return group(Tag::P.into(), leaves).into_iter().collect();
            }
            children.extend(group(Tag::Caption.into(), leaves));
        }
        if columns == 0 {
            return Vec::new();
        }

        let widths = self.column_widths(columns, header, rows);
        let empty = String::new();
        let cells_of = |l: &Self, style: Style, texts: &[String]| -> Vec<Cell> {
            (0..columns)
                .map(|i| {
                    let text = texts.get(i).unwrap_or(&empty);
                    l.cell(style, text, widths.get(i).copied().unwrap_or(0.0))
                })
                .collect()
        };

        let repeat = if has_header {
            let cells = cells_of(self, CELL_BOLD, header);
            self.ensure(CELL.leading * 2.0 + 4.0 * CELL_PAD_Y);
            let ids = self.row(&cells, &widths, Some(0.8), None);
            let ths = ids
                .into_iter()
                .map(|ids| SNode::Group(Tag::TH(TableHeaderScope::Column).into(), leaves(ids)))
                .collect();
            children.push(SNode::Group(
                Tag::THead.into(),
                vec![SNode::Group(Tag::TR.into(), ths)],
            ));
            Some(Repeat {
                cells,
                widths: widths.clone(),
            })
        } else {
            None
        };

        let mut body = Vec::with_capacity(rows.len());
        for row in rows {
            let cells = cells_of(self, CELL, row);
            let ids = self.row(&cells, &widths, Some(0.4), repeat.as_ref());
            let tds = ids
                .into_iter()
                .map(|ids| SNode::Group(Tag::TD.into(), leaves(ids)))
                .collect();
            body.push(SNode::Group(Tag::TR.into(), tds));
        }
        if !body.is_empty() {
            children.push(SNode::Group(Tag::TBody.into(), body));
        }
        vec![SNode::Group(Tag::Table.into(), children)]
    }

    /// Column widths filling the text width, as a table's automatic layout does: each column
    /// is at least as wide as its longest word (so no word is broken across lines), narrow
    /// columns get their natural width, and the rest is shared in proportion to what the wide
    /// ones would need to set their text on one line. Only when the longest words alone are
    /// wider than the page are the columns narrowed below them.
    fn column_widths(&self, columns: usize, header: &[String], rows: &[Vec<String>]) -> Vec<f32> {
        let mut natural = vec![0.0_f32; columns];
        let mut longest_word = vec![0.0_f32; columns];
        let mut measure = |style: Style, texts: &[String]| {
            for (i, text) in texts.iter().enumerate().take(columns) {
                let text = self.fonts.clean_inline(text);
                let w = self.fonts.width(style.face, style.size, &text) + 2.0 * CELL_PAD_X;
                let word = text
                    .split(' ')
                    .map(|word| self.fonts.width(style.face, style.size, word))
                    .fold(0.0_f32, f32::max)
                    + 2.0 * CELL_PAD_X
                    // Rounding in the wrap's own sums must not push a word that just fits.
                    + 0.5;
                if let Some(n) = natural.get_mut(i) {
                    *n = n.max(w);
                }
                if let Some(m) = longest_word.get_mut(i) {
                    *m = m.max(word);
                }
            }
        };
        measure(CELL_BOLD, header);
        for row in rows {
            measure(CELL, row);
        }
        let minimum: Vec<f32> = longest_word.into_iter().map(|w| w.max(12.0)).collect();
        let natural: Vec<f32> = natural
            .into_iter()
            .zip(&minimum)
            .map(|(n, m)| n.max(*m))
            .collect();
        let total: f32 = natural.iter().sum();
        if total <= CONTENT_W {
            return natural
                .iter()
                .map(|w| w + (CONTENT_W - total) * w / total)
                .collect();
        }
        let least: f32 = minimum.iter().sum();
        if least >= CONTENT_W {
            return minimum.iter().map(|w| w * CONTENT_W / least).collect();
        }
        // Narrow columns keep their natural width; the wide ones share the rest, each at
        // least its longest word, the spare in proportion to what each would still need.
        let share = CONTENT_W / columns as f32;
        let wide: Vec<bool> = natural.iter().map(|n| *n > share).collect();
        let narrow_total: f32 = natural
            .iter()
            .zip(&wide)
            .filter(|(_, w)| !**w)
            .map(|(n, _)| n)
            .sum();
        let wide_min: f32 = minimum
            .iter()
            .zip(&wide)
            .filter(|(_, w)| **w)
            .map(|(m, _)| m)
            .sum();
        let room = CONTENT_W - narrow_total;
        let (grows, spare): (Vec<bool>, f32) = if wide_min <= room {
            (wide.clone(), room - wide_min)
        } else {
            // The wide columns' words do not fit beside the narrow ones at full width: every
            // column starts from its longest word.
            (vec![true; columns], CONTENT_W - least)
        };
        let want: f32 = natural
            .iter()
            .zip(&minimum)
            .zip(&grows)
            .filter(|(_, g)| **g)
            .map(|((n, m), _)| n - m)
            .sum();
        natural
            .iter()
            .zip(&minimum)
            .zip(&grows)
            .map(|((n, m), g)| {
                if !g {
                    *n
                } else if want > 0.0 {
                    m + spare * (n - m) / want
                } else {
                    *m
                }
            })
            .collect()
    }
}

fn leaves(ids: Vec<usize>) -> Vec<SNode> {
    ids.into_iter().map(SNode::Leaf).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    fn letter(recipient: Option<Vec<String>>) -> Document {
        Document {
            title: "Beslut".into(),
            language: "sv".into(),
            author: "Socialnämnden".into(),
            letterhead: vec!["Socialnämnden".into(), "Demo kommun".into()],
            recipient,
            meta_lines: vec![("Datum".into(), "2026-12-04".into())],
            blocks: vec![Block::Paragraph("Text.".into())],
        }
    }

    /// Every text set on the first page, with its position.
    fn texts(laid: &Laid) -> Vec<(f32, f32, String)> {
        laid.pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Text {
                    x, baseline, text, ..
                } => Some((*x, *baseline, text.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_address_is_set_where_the_envelope_window_shows_it() {
        let f = fonts();
        let address = vec![
            "Åsa Östlund".to_string(),
            "Ängsvägen 12".to_string(),
            "752 36 Uppsala".to_string(),
        ];
        let laid = layout(&letter(Some(address.clone())), "Beslut", &f);
        let all = texts(&laid);
        for line in &address {
            let (x, baseline, _) = all.iter().find(|(_, _, t)| t.trim() == line).unwrap();
            assert!(*x >= ADDRESS_WINDOW_X - 0.01, "{line} at x {x}");
            assert!(
                *baseline > ADDRESS_WINDOW_Y && *baseline < ADDRESS_WINDOW_Y + ADDRESS_WINDOW_H,
                "{line} at {baseline}, window {ADDRESS_WINDOW_Y}..{}",
                ADDRESS_WINDOW_Y + ADDRESS_WINDOW_H
            );
        }
        // Nothing else shows through the window: the letterhead is above it, the date below.
        for (x, baseline, t) in &all {
            if address.iter().any(|a| a == t.trim()) {
                continue;
            }
            let in_window = *x >= ADDRESS_WINDOW_X
                && *baseline > ADDRESS_WINDOW_Y
                && *baseline < ADDRESS_WINDOW_Y + ADDRESS_WINDOW_H;
            assert!(!in_window, "{t:?} shows in the window");
        }
        // A letter without an address starts its text at the top.
        let laid = layout(&letter(None), "Beslut", &f);
        let date = texts(&laid)
            .into_iter()
            .find(|(_, _, t)| t.contains("2026-12-04"))
            .unwrap();
        assert!(date.1 < ADDRESS_WINDOW_Y);
    }

    #[test]
    fn narrow_table_columns_never_break_a_word() {
        let f = fonts();
        let header: Vec<String> = [
            "Insats",
            "Beslutsdatum",
            "Verkställt",
            "Dagar",
            "Orsak",
            "Kommentar",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let rows: Vec<Vec<String>> = (0..3)
            .map(|_| {
                vec![
                    "Dagverksamhet".into(),
                    "2026-08-03".into(),
                    "Nej".into(),
                    "123".into(),
                    "Resursbrist hos utföraren".into(),
                    "Den enskilde har tackat nej till erbjuden plats och väntar på en annan \
                     verksamhet närmare hemmet, vilket utföraren arbetar med."
                        .into(),
                ]
            })
            .collect();
        let l = Layouter {
            fonts: &f,
            pages: vec![Vec::new()],
            y: TOP,
            page_start_y: TOP,
            next_content: 0,
            outline: Vec::new(),
        };
        let widths = l.column_widths(header.len(), &header, &rows);
        assert!((widths.iter().sum::<f32>() - CONTENT_W).abs() < 0.5);
        let styled = std::iter::once((CELL_BOLD, &header)).chain(rows.iter().map(|r| (CELL, r)));
        for (style, row) in styled {
            for (text, width) in row.iter().zip(&widths) {
                let cell = l.cell(style, text, *width);
                let words: Vec<&str> = cell
                    .lines
                    .iter()
                    .flat_map(|s| s.split_whitespace())
                    .collect();
                let expected: Vec<&str> = text.split_whitespace().collect();
                assert_eq!(
                    words, expected,
                    "a word of {text:?} broke in a column of {width}"
                );
            }
        }
    }
}
