//! Fonts, text cleaning and line breaking.
//!
//! The crate does its own (simple, left-to-right) glyph mapping: every character maps to one
//! glyph through the font's character map and advances by the glyph's horizontal advance. That is
//! enough for Swedish and other Latin-script text, keeps line measurement exact (what is measured
//! is what is drawn) and avoids pulling in a shaping engine.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};
use unicode_normalization::UnicodeNormalization;

use crate::LetterError;

/// Which of the two embedded faces a piece of text uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// One face: the krilla font for drawing and skrifa tables for measuring.
struct FaceData {
    font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl FaceData {
    fn load(bytes: &'static [u8], name: &str) -> Result<Self, LetterError> {
        let font_ref = FontRef::new(bytes)
            .map_err(|e| LetterError::Font(format!("{name}: cannot read font: {e}")))?;
        let units_per_em = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        if units_per_em <= 0.0 {
            return Err(LetterError::Font(format!("{name}: units per em is zero")));
        }
        let font = Font::new(bytes.into(), 0)
            .ok_or_else(|| LetterError::Font(format!("{name}: krilla cannot load the font")))?;
        Ok(Self {
            font,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// Glyph id and advance (in em) of a character, `None` when the font has no glyph for it.
    fn glyph(&self, ch: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(ch)?;
        if gid.to_u32() == 0 {
            return None;
        }
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        Some((gid.to_u32(), advance))
    }
}

/// The two faces of the embedded font family (Noto Sans).
pub(crate) struct Fonts {
    regular: FaceData,
    bold: FaceData,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, LetterError> {
        Ok(Self {
            regular: FaceData::load(notosans::REGULAR_TTF, "Noto Sans Regular")?,
            bold: FaceData::load(notosans::BOLD_TTF, "Noto Sans Bold")?,
        })
    }

    fn face(&self, face: Face) -> &FaceData {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    pub(crate) fn krilla_font(&self, face: Face) -> Font {
        self.face(face).font.clone()
    }

    /// Whether both faces can draw the character.
    fn covers(&self, ch: char) -> bool {
        self.regular.glyph(ch).is_some() && self.bold.glyph(ch).is_some()
    }

    fn advance(&self, face: Face, ch: char) -> f32 {
        self.face(face).glyph(ch).map_or(0.0, |(_, a)| a)
    }

    /// Width in points of `text` set in `face` at `size`.
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        text.chars().map(|c| self.advance(face, c)).sum::<f32>() * size
    }

    /// The glyphs of one line of (cleaned) text, and the text they stand for.
    ///
    /// A no-break space is drawn with its own glyph but stands for a plain space in the text, so
    /// copied or extracted text has ordinary spaces.
    pub(crate) fn glyphs(&self, face: Face, line: &str) -> (Vec<KrillaGlyph>, String) {
        let data = self.face(face);
        let mut glyphs = Vec::with_capacity(line.len());
        let mut text = String::with_capacity(line.len());
        for ch in line.chars() {
            let Some((gid, advance)) = data.glyph(ch) else {
                // Cleaning replaced every character the fonts lack; skip defensively.
                continue;
            };
            let stands_for = if ch == '\u{a0}' { ' ' } else { ch };
            let start = text.len();
            text.push(stands_for);
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(gid),
                advance,
                0.0,
                0.0,
                0.0,
                start..text.len(),
                None,
            ));
        }
        (glyphs, text)
    }

    /// Breaks `text` (one cleaned line, no newlines) into lines no wider than `max_width`.
    ///
    /// Breaks at spaces; a word wider than the line is broken between characters. A line that
    /// ends at a break keeps its trailing space, so the word boundary survives in the text a
    /// screen reader or a copy gets. Every line holds at least one character, so this always
    /// terminates, even for a width smaller than one character.
    pub(crate) fn wrap(&self, face: Face, size: f32, text: &str, max_width: f32) -> Vec<String> {
        let space = self.width(face, size, " ");
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut current_width = 0.0_f32;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let word_width = self.width(face, size, word);
            if !current.is_empty() {
                if current_width + space + word_width <= max_width {
                    current.push(' ');
                    current.push_str(word);
                    current_width += space + word_width;
                    continue;
                }
                current.push(' ');
                lines.push(std::mem::take(&mut current));
                current_width = 0.0;
            }
            if word_width <= max_width {
                current.push_str(word);
                current_width = word_width;
                continue;
            }
            // A word longer than a line: break it between characters.
            for ch in word.chars() {
                let w = self.advance(face, ch) * size;
                // Never start a line with a zero-width character (a combining mark).
                if !current.is_empty() && w > 0.0 && current_width + w > max_width {
                    lines.push(std::mem::take(&mut current));
                    current_width = 0.0;
                }
                current.push(ch);
                current_width += w;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
    }

    /// Cleans text for one line: composed (NFC), control and invisible formatting characters
    /// removed, line breaks and tabs turned into spaces, characters the font cannot draw (or
    /// private-use characters, which PDF/A-2a forbids) replaced by `?`.
    pub(crate) fn clean_inline(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.nfc() {
            match ch {
                '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
                c if is_removed(c) => {}
                c if is_private_use(c) || !self.covers(c) => out.push('?'),
                c => out.push(c),
            }
        }
        out
    }

    /// Cleans a block of text into its lines (split at `\n`, `\r\n`, `\r` and the Unicode line
    /// and paragraph separators), each cleaned as by [`Fonts::clean_inline`].
    pub(crate) fn clean_lines(&self, text: &str) -> Vec<String> {
        text.split("\r\n")
            .flat_map(|part| part.split(['\n', '\r', '\u{2028}', '\u{2029}']))
            .map(|line| self.clean_inline(line))
            .collect()
    }

    /// Cleans and collapses whitespace: for titles, labels in metadata and outline entries.
    pub(crate) fn clean_label(&self, text: &str) -> String {
        let cleaned = self.clean_inline(text);
        let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        truncate_chars(&collapsed, MAX_LABEL_CHARS)
    }
}

/// Limit for strings written as PDF strings (title, heading titles, outline entries): far below
/// the 32 767 bytes PDF/A allows, even in UTF-16.
const MAX_LABEL_CHARS: usize = 1000;

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((idx, _)) => text[..idx].to_string(),
        None => text.to_string(),
    }
}

/// Characters dropped from text: control characters, zero-width and bidi formatting characters,
/// the byte order mark, the soft hyphen (this renderer does not hyphenate) and noncharacters.
fn is_removed(c: char) -> bool {
    let cp = u32::from(c);
    c.is_control()
        || matches!(
            cp,
            0xAD | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFDD0..=0xFDEF
        )
        || (cp & 0xFFFE) == 0xFFFE
}

fn is_private_use(c: char) -> bool {
    matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn swedish_letters_have_glyphs() {
        let f = fonts();
        for ch in "åäöÅÄÖéÉüÜ–—“”’§€".chars() {
            assert!(f.covers(ch), "missing glyph for {ch}");
        }
    }

    #[test]
    fn cleaning_strips_controls_and_composes() {
        let f = fonts();
        assert_eq!(f.clean_inline("a\u{0}b\u{7}c\u{200b}d\u{feff}"), "abcd");
        assert_eq!(f.clean_inline("a\u{30a}"), "å");
        assert_eq!(f.clean_inline("x\ty"), "x y");
        assert_eq!(f.clean_inline("\u{e000}"), "?");
        assert_eq!(f.clean_lines("a\r\nb\rc\nd"), vec!["a", "b", "c", "d"]);
        assert_eq!(f.clean_label("  many   spaces\n here "), "many spaces here");
        assert_eq!(f.clean_label(&"x".repeat(5000)).len(), MAX_LABEL_CHARS);
    }

    #[test]
    fn wrap_respects_width_and_keeps_word_boundaries() {
        let f = fonts();
        let text = "Du kan överklaga beslutet hos Förvaltningsrätten i Uppsala inom tre veckor.";
        let lines = f.wrap(Face::Regular, 11.0, text, 150.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(f.width(Face::Regular, 11.0, line.trim_end()) <= 150.0);
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn wrap_breaks_long_words_and_terminates() {
        let f = fonts();
        let url = format!("https://example.org/{}", "a".repeat(200));
        let lines = f.wrap(Face::Regular, 11.0, &url, 100.0);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), url);
        // Narrower than a single character: one character a line, still terminates.
        let lines = f.wrap(Face::Regular, 11.0, "abc", 0.5);
        assert_eq!(lines, vec!["a", "b", "c"]);
        assert!(f.wrap(Face::Regular, 11.0, "", 100.0).is_empty());
        assert!(f.wrap(Face::Regular, 11.0, "   ", 100.0).is_empty());
    }
}
