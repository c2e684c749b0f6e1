//! The rendered PDF, read back with an independent parser (lopdf).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use letters::{render, Block, Document, LetterError};
use lopdf::Object;

fn decision_letter() -> Document {
    Document {
        title: "Beslut om avlösning i hemmet".to_string(),
        language: "sv".to_string(),
        author: "Socialnämnden, Uppsala kommun".to_string(),
        letterhead: vec![
            "Socialnämnden".to_string(),
            "Uppsala kommun".to_string(),
            "Enheten för anhörigstöd".to_string(),
        ],
        recipient: Some(vec![
            "Åsa Östlund".to_string(),
            "Ängsvägen 12".to_string(),
            "752 36 Uppsala".to_string(),
        ]),
        meta_lines: vec![
            ("Datum".to_string(), "2026-11-25".to_string()),
            ("Diarienummer".to_string(), "2026-00012".to_string()),
        ],
        blocks: vec![
            Block::Heading("Beslut".to_string()),
            Block::Paragraph(
                "Socialnämnden beviljar avlösning i hemmet med 16 timmar per månad från och med \
                 den 1 december 2026. Beslutet gäller till och med den 30 november 2027."
                    .to_string(),
            ),
            Block::Facts(vec![
                ("Insats".to_string(), "Avlösning i hemmet".to_string()),
                ("Omfattning".to_string(), "16 timmar per månad".to_string()),
                (
                    "Lagrum".to_string(),
                    "4 kap. 1 § socialtjänstlagen (2001:453)".to_string(),
                ),
            ]),
            Block::Heading("Så här kan du överklaga".to_string()),
            Block::Paragraph(
                "Om du inte är nöjd med beslutet kan du överklaga det hos Förvaltningsrätten i \
                 Uppsala.\nSkicka överklagandet till Socialnämnden inom tre veckor från den dag \
                 du fick del av beslutet. Ange vilket beslut du överklagar och varför (é)."
                    .to_string(),
            ),
        ],
    }
}

fn parse(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("the output parses as PDF")
}

fn all_text(pdf: &lopdf::Document) -> String {
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    pdf.extract_text(&pages).expect("text extracts")
}

fn deref<'a>(pdf: &'a lopdf::Document, object: &'a Object) -> &'a Object {
    pdf.dereference(object).expect("reference resolves").1
}

fn xmp(pdf: &lopdf::Document) -> String {
    let catalog = pdf.catalog().unwrap();
    let stream = deref(pdf, catalog.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8(bytes).unwrap()
}

#[test]
fn catalog_is_tagged_with_language_and_structure() {
    let bytes = render(&decision_letter()).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let pdf = parse(&bytes);
    let catalog = pdf.catalog().unwrap();

    let mark_info = deref(&pdf, catalog.get(b"MarkInfo").unwrap())
        .as_dict()
        .unwrap();
    assert!(mark_info.get(b"Marked").unwrap().as_bool().unwrap());

    let root = deref(&pdf, catalog.get(b"StructTreeRoot").unwrap())
        .as_dict()
        .unwrap();
    assert!(root.get(b"K").is_ok(), "structure tree has children");
    assert!(root.get(b"ParentTree").is_ok());

    let lang = deref(&pdf, catalog.get(b"Lang").unwrap()).as_str().unwrap();
    assert_eq!(lang, b"sv");

    // PDF/UA: the viewer shows the title, and there is an outline.
    assert!(catalog.get(b"Outlines").is_ok());
    let prefs = deref(&pdf, catalog.get(b"ViewerPreferences").unwrap())
        .as_dict()
        .unwrap();
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    // PDF/A: an output intent.
    assert!(catalog.get(b"OutputIntents").is_ok());
}

#[test]
fn xmp_declares_pdfa_2a_and_pdfua_1_and_the_title() {
    let pdf = parse(&render(&decision_letter()).unwrap());
    let xmp = xmp(&pdf);
    assert!(xmp.contains("pdfaid:part"), "{xmp}");
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>") || xmp.contains("pdfaid:part=\"2\""),
        "{xmp}"
    );
    assert!(
        xmp.contains("<pdfaid:conformance>A</pdfaid:conformance>")
            || xmp.contains("pdfaid:conformance=\"A\""),
        "{xmp}"
    );
    assert!(xmp.contains("pdfuaid:part"), "{xmp}");
    assert!(xmp.contains("Beslut om avlösning i hemmet"), "{xmp}");
    assert!(xmp.contains("Socialnämnden, Uppsala kommun"), "{xmp}");
}

#[test]
fn structure_has_headings_paragraphs_and_tables() {
    let pdf = parse(&render(&decision_letter()).unwrap());
    let mut kinds = Vec::new();
    for object in pdf.objects.values() {
        if let Ok(dict) = object.as_dict() {
            if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"StructElem".as_slice()) {
                if let Ok(kind) = dict.get(b"S").and_then(Object::as_name) {
                    kinds.push(String::from_utf8_lossy(kind).into_owned());
                }
            }
        }
    }
    for expected in ["Document", "H1", "H2", "P", "Table", "TR", "TH", "TD"] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "no {expected} in {kinds:?}"
        );
    }
    assert_eq!(kinds.iter().filter(|k| *k == "H1").count(), 1);
}

#[test]
fn swedish_text_extracts() {
    let pdf = parse(&render(&decision_letter()).unwrap());
    let text = all_text(&pdf);
    for expected in [
        "överklaga",
        "Förvaltningsrätten",
        "Beslut om avlösning i hemmet",
        "Åsa Östlund",
        "Ängsvägen 12",
        "Diarienummer",
        "2026-00012",
        "socialtjänstlagen",
        "(é)",
        "Sida 1 av 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn no_recipient_prints_no_address() {
    let mut doc = decision_letter();
    doc.recipient = None;
    let pdf = parse(&render(&doc).unwrap());
    let text = all_text(&pdf);
    assert!(text.contains("Förvaltningsrätten"));
    for address in ["Åsa", "Östlund", "Ängsvägen", "752 36"] {
        assert!(!text.contains(address), "{address:?} printed: {text:?}");
    }
}

#[test]
fn long_documents_break_pages_and_number_them() {
    let mut doc = decision_letter();
    for i in 0..60 {
        doc.blocks.push(Block::Paragraph(format!(
            "Stycke {i}: utredningen visar att den anhörige behöver stöd för att orka fortsätta \
             vårda sin närstående i hemmet."
        )));
    }
    doc.blocks.push(Block::PageBreak);
    doc.blocks.push(Block::Heading("Bilaga".to_string()));
    let pdf = parse(&render(&doc).unwrap());
    let pages = pdf.get_pages();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let text = all_text(&pdf);
    let total = pages.len();
    assert!(text.contains(&format!("Sida 2 av {total}")), "{text}");
    assert!(text.contains(&format!("Sida {total} av {total}")));
    // The appendix heading starts the last page.
    let last = pdf.extract_text(&[total as u32]).unwrap();
    assert!(last.contains("Bilaga"), "{last}");
}

#[test]
fn page_break_gives_a_new_page_but_never_a_blank_one() {
    let mut doc = decision_letter();
    doc.blocks = vec![
        Block::PageBreak,
        Block::Paragraph("Överklagandet".to_string()),
        Block::PageBreak,
        Block::PageBreak,
        Block::Paragraph("Beslutet".to_string()),
        Block::PageBreak,
    ];
    let pdf = parse(&render(&doc).unwrap());
    assert_eq!(pdf.get_pages().len(), 3);
    let second = pdf.extract_text(&[2]).unwrap();
    let third = pdf.extract_text(&[3]).unwrap();
    assert!(
        second.contains("Överklagandet") && !second.contains("Beslutet"),
        "{second}"
    );
    assert!(third.contains("Beslutet"), "{third}");
}

#[test]
fn large_table_spans_many_pages() {
    let mut doc = decision_letter();
    let rows: Vec<Vec<String>> = (0..2000)
        .map(|i| {
            vec![
                format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                format!("Anteckning {i}"),
                if i % 7 == 0 {
                    "En längre anteckning som måste brytas på flera rader eftersom den inte får \
                     plats i sin kolumn, med å, ä och ö."
                        .to_string()
                } else {
                    "Kort".to_string()
                },
            ]
        })
        .collect();
    doc.blocks.push(Block::Table {
        caption: "Journalutdrag".to_string(),
        header: vec![
            "Datum".to_string(),
            "Rubrik".to_string(),
            "Text".to_string(),
        ],
        rows,
    });
    let start = std::time::Instant::now();
    let bytes = render(&doc).unwrap();
    eprintln!(
        "2000-row table: {} bytes in {:?}",
        bytes.len(),
        start.elapsed()
    );
    let pdf = parse(&bytes);
    let pages = pdf.get_pages();
    assert!(pages.len() > 20, "{} pages", pages.len());
    let last = pdf.extract_text(&[pages.len() as u32]).unwrap();
    assert!(last.contains("Anteckning 1999"), "{last}");
    // The header is repeated on continuation pages.
    let second = pdf.extract_text(&[3]).unwrap();
    assert!(second.contains("Rubrik"), "{second}");
}

#[test]
fn table_with_ragged_rows_empty_cells_and_long_words() {
    let mut doc = decision_letter();
    let url = format!("https://example.org/{}", "x".repeat(200));
    doc.blocks = vec![
        Block::Table {
            caption: String::new(),
            header: vec![],
            rows: vec![
                vec![],
                vec![String::new(), url.clone()],
                vec!["a".to_string(), "b".to_string(), "c".to_string()],
            ],
        },
        Block::Table {
            caption: "Bara rubrik".to_string(),
            header: vec![],
            rows: vec![],
        },
        Block::Table {
            caption: "Många kolumner".to_string(),
            header: (0..40).map(|i| format!("Kolumn {i}")).collect(),
            rows: vec![(0..40).map(|i| format!("värde{i}")).collect()],
        },
        Block::Table {
            caption: String::new(),
            header: vec!["Fält".to_string()],
            rows: vec![vec!["ord ".repeat(2000)]],
        },
        Block::Paragraph(url.clone()),
    ];
    let pdf = parse(&render(&doc).unwrap());
    let text = all_text(&pdf);
    assert!(text.contains("Bara rubrik"));
    // The extractor separates the pieces of the broken word with whitespace.
    let squeezed: String = text.split_whitespace().collect();
    assert!(
        squeezed.contains(&url),
        "long word not printed in full: {text}"
    );
}

#[test]
fn odd_input_does_not_fail() {
    let doc = Document {
        title: "  Titel\u{0}med\u{7}styrtecken\n ".to_string(),
        language: "sv-SE".to_string(),
        author: String::new(),
        letterhead: vec![String::new(), "\u{200b}".to_string()],
        recipient: Some(vec![String::new()]),
        meta_lines: vec![(String::new(), String::new())],
        blocks: vec![
            Block::Heading(String::new()),
            Block::Heading("\u{1}".to_string()),
            Block::Paragraph(String::new()),
            Block::Paragraph("\n\n\r\n".to_string()),
            Block::Paragraph(
                "emoji 😀, CJK 漢字, private \u{e000}, rtl שלום, a\u{301}".to_string(),
            ),
            Block::Facts(vec![]),
            Block::Table {
                caption: String::new(),
                header: vec![],
                rows: vec![],
            },
            Block::PageBreak,
        ],
    };
    let pdf = parse(&render(&doc).unwrap());
    let text = all_text(&pdf);
    assert!(text.contains("Titelmedstyrtecken"), "{text}");
    assert!(text.contains("á"), "{text}");
}

#[test]
fn title_and_language_are_required() {
    let mut doc = decision_letter();
    doc.title = " \u{0} ".to_string();
    assert!(matches!(render(&doc), Err(LetterError::MissingTitle)));
    let mut doc = decision_letter();
    doc.language = String::new();
    assert!(matches!(render(&doc), Err(LetterError::InvalidLanguage(_))));
    doc.language = "svenska språket".to_string();
    assert!(matches!(render(&doc), Err(LetterError::InvalidLanguage(_))));
}
