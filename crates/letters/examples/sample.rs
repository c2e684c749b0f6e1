//! Writes a sample decision letter with an appendix table: `cargo run -p letters --example
//! sample -- /tmp/sample.pdf`.

use letters::{render, Block, Document};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample.pdf".to_string());
    let doc = Document {
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
                "Socialnämnden beviljar dig avlösning i hemmet med 16 timmar per månad från och \
                 med den 1 december 2026. Beslutet gäller till och med den 30 november 2027."
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
                 Uppsala. Skicka överklagandet till Socialnämnden inom tre veckor från den dag du \
                 fick del av beslutet.\nAnge vilket beslut du överklagar och varför.\n\nMed \
                 vänlig hälsning\nKim Handläggare"
                    .to_string(),
            ),
            Block::PageBreak,
            Block::Heading("Journalutdrag".to_string()),
            Block::Table {
                caption: "Anteckningar i ärendet".to_string(),
                header: vec![
                    "Datum".to_string(),
                    "Rubrik".to_string(),
                    "Anteckning".to_string(),
                ],
                rows: (1..=80)
                    .map(|i| {
                        vec![
                            format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                            format!("Samtal {i}"),
                            if i % 5 == 0 {
                                format!(
                                    "Längre anteckning {i}: den anhörige berättar om sin \
                                     situation och önskar avlösning två eftermiddagar i veckan. \
                                     https://example.org/{}",
                                    "x".repeat(90)
                                )
                            } else {
                                "Kort anteckning.".to_string()
                            },
                        ]
                    })
                    .collect(),
            },
        ],
    };
    std::fs::write(&path, render(&doc)?)?;
    println!("wrote {path}");
    Ok(())
}
