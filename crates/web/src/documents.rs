//! Letters and reports as documents for the `letters` crate (tagged PDF/A): the decision
//! letter, the appeal package for the administrative court, and the quarterly reports. The
//! wording comes from the letter blocks (shipped in `data/letters.toml`, or the
//! municipality's own), legal references from the law table; an address is printed only when
//! the person's identity is not protected.

use crate::error::PageError;
use crate::reports::{NotExecuted, StatisticsRow};
use crate::AppState;
use chrono::NaiveDate;
use domain::letter_text::{fill, Blocks};
use letters::{Block, Document};
use store::access::CaseGrant;
use store::assessed::{AppealRow, DecisionRow};
use store::audit::Origin;

/// The municipality's wording of a block on a date, else the shipped one.
async fn block(
    state: &AppState,
    kommunkod: &str,
    code: &str,
    on: NaiveDate,
) -> Result<String, PageError> {
    if let Some(own) = store::assessed::letter_block(&state.db, kommunkod, code, on).await? {
        return Ok(own);
    }
    let shipped = Blocks::shipped().map_err(|e| PageError::internal(e.to_string()))?;
    Ok(shipped.get(code, on).unwrap_or_default().to_owned())
}

pub fn pdf(doc: &Document) -> Result<Vec<u8>, PageError> {
    letters::render(doc).map_err(|e| PageError::internal(format!("pdf: {e}")))
}

struct Sender {
    kommun: String,
    board: String,
    phone: String,
    email: String,
}

async fn sender(state: &AppState, kommunkod: &str) -> Result<Sender, PageError> {
    let c = crate::content::load(state, kommunkod)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(Sender {
        kommun: state.t.get1("letter-kommun", "name", &c.municipality.name),
        board: c.settings.board_name.clone(),
        phone: c.settings.switchboard_phone.clone().unwrap_or_default(),
        email: c.settings.email.clone().unwrap_or_default(),
    })
}

/// The person a decision concerns: the applicant, read (and logged) for the letter, with the
/// address block: name and address, or for a protected identity the name and the words that
/// the letter goes through the Tax Agency (the address is never read).
async fn addressee(
    state: &AppState,
    case: &CaseGrant,
    origin: &Origin,
) -> Result<(String, Option<Vec<String>>), PageError> {
    let a = store::assessed::of_case(&state.db, case).await?;
    let Some(app) = a.application else {
        return Ok((String::new(), None));
    };
    let applicant = store::access::party(&state.db, case, app.applicant_id, "decision letter")
        .await?
        .ok_or(PageError::NotFound)?;
    let p = store::persons::get(&state.db, &applicant, state.clock.now(), origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let name = format!("{} {}", p.summary.given_name, p.summary.family_name);
    // Skyddad folkbokföring: the address is never printed (the store never returns it).
    if p.summary.protection.hides_address() {
        return Ok((
            name.clone(),
            Some(vec![name, state.t.get("letter-protected-address")]),
        ));
    }
    let address = p.address_line.as_ref().map(|line| {
        let mut lines = vec![name.clone(), line.clone()];
        let place = [p.postal_code.clone(), p.city.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !place.is_empty() {
            lines.push(place);
        }
        lines
    });
    Ok((name, address))
}

/// The officer the party reaches directly: the case's holder, else the one who decided.
async fn officer(
    state: &AppState,
    case: &CaseGrant,
    decided_by: i64,
) -> Result<(String, String), PageError> {
    let k = case.kommun();
    let holder = store::cases::case_ref(&state.db, k.as_str(), case.id())
        .await?
        .and_then(|c| c.assigned_to);
    let who = store::staff::by_id(&state.db, holder.unwrap_or(decided_by)).await?;
    Ok(who.map_or_else(Default::default, |u| (u.display_name, u.email)))
}

/// The decision letter (FL 32–33 §§), one per application's decision: every insats decided
/// that day in the case, each with its outcome, scope, legal basis and reasons; then how to
/// appeal and whom to ask, in Swedish.
pub async fn decision_letter(
    state: &AppState,
    case: &CaseGrant,
    d: &DecisionRow,
    origin: &Origin,
) -> Result<Document, PageError> {
    let t = &state.t;
    let kommunkod = case.kommun();
    let kommunkod = kommunkod.as_str();
    let s = sender(state, kommunkod).await?;
    let (name, recipient) = addressee(state, case, origin).await?;
    let (officer_name, officer_email) = officer(state, case, d.decided_by).await?;
    // The decisions on the application made the same day go in one letter.
    let mut decided: Vec<DecisionRow> = store::assessed::of_case(&state.db, case)
        .await?
        .decisions
        .into_iter()
        .map(|f| f.decision)
        .filter(|x| x.decided_on == d.decided_on)
        .collect();
    if !decided.iter().any(|x| x.id == d.id) {
        decided.push(d.clone());
    }
    decided.sort_by_key(|x| x.id);
    let weeks = state
        .law
        .period("appeal", d.decided_on)
        .map_or(3, |p| p.amount);
    // Small numbers in words, as a letter writes them.
    let in_words = format!("letter-number-{weeks}");
    let weeks = if t.has(&in_words) {
        t.get(&in_words)
    } else {
        weeks.to_string()
    };
    let on = d.decided_on;
    let reasons_rule = state
        .law
        .reference("fl-reasons", on)
        .map(|r| format!(" ({})", r.citation))
        .unwrap_or_default();
    let common = |insats: &str| -> Vec<(&'static str, String)> {
        vec![
            ("kommun", s.kommun.clone()),
            ("board", s.board.clone()),
            ("weeks", weeks.clone()),
            ("insats", insats.to_owned()),
            ("phone", s.phone.clone()),
            ("email", s.email.clone()),
            ("officer", officer_name.clone()),
            ("officer_email", officer_email.clone()),
        ]
    };
    let filled = |text: &str, values: &[(&'static str, String)]| {
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(text, &pairs)
    };
    let mut blocks = Vec::new();
    if d.is_demo {
        blocks.push(Block::Paragraph(t.get("letter-demo")));
    }
    let several = decided.len() > 1;
    for x in &decided {
        let insats = x.insats.to_lowercase();
        let values = common(&insats);
        if several {
            blocks.push(Block::Heading(x.insats.clone()));
        }
        let intro = block(
            state,
            kommunkod,
            &format!("decision-intro-{}", x.outcome),
            on,
        )
        .await?;
        blocks.push(Block::Paragraph(filled(&intro, &values)));
        let mut facts = vec![
            (t.get("letter-insats"), x.insats.clone()),
            (
                t.get("letter-outcome"),
                t.get(&format!("outcome-{}", x.outcome)),
            ),
        ];
        let scope = crate::assessed::scope_text(t, x);
        if !scope.is_empty() {
            facts.push((t.get("letter-scope"), scope));
        }
        facts.push((t.get("letter-legal-basis"), x.legal_citation.clone()));
        blocks.push(Block::Facts(facts));
        blocks.push(Block::Heading(format!(
            "{}{reasons_rule}",
            t.get("letter-reasons")
        )));
        blocks.push(Block::Paragraph(x.reasons.clone()));
    }
    let values = common(&d.insats.to_lowercase());
    let appeal = block(state, kommunkod, "appeal-instructions", on).await?;
    let contact = block(state, kommunkod, "contact", on).await?;
    blocks.push(Block::Heading(t.get("letter-how-to-appeal")));
    blocks.push(Block::Paragraph(filled(&appeal, &values)));
    blocks.push(Block::Heading(t.get("letter-questions")));
    blocks.push(Block::Paragraph(filled(&contact, &values)));
    let title = if several {
        t.get("letter-decision-title-application")
    } else {
        t.get1("letter-decision-title", "insats", &d.insats.to_lowercase())
    };
    Ok(Document {
        title,
        language: "sv".into(),
        author: format!("{}, {}", s.board, s.kommun),
        letterhead: vec![s.board.clone(), s.kommun.clone()],
        recipient,
        meta_lines: vec![
            (t.get("letter-date"), d.decided_on.to_string()),
            (t.get("letter-case-number"), d.case_number.clone()),
            (t.get("letter-to"), name),
            (t.get("letter-decided-by"), d.decided_by_name.clone()),
            (t.get("letter-officer"), officer_name.clone()),
            (t.get("letter-officer-email"), officer_email.clone()),
        ],
        blocks,
    })
}

/// The package to the administrative court: a covering letter, the appeal, the decision, the
/// investigation and the journal extract.
pub async fn appeal_package(
    state: &AppState,
    case: &CaseGrant,
    appeal: &AppealRow,
    d: &DecisionRow,
    origin: &Origin,
) -> Result<Document, PageError> {
    let t = &state.t;
    let kommunkod = case.kommun();
    let kommunkod = kommunkod.as_str();
    let s = sender(state, kommunkod).await?;
    let values = [("kommun", s.kommun.as_str()), ("board", s.board.as_str())];
    let on = appeal.forwarded_on.unwrap_or(appeal.received_on);
    let intro = fill(
        &block(state, kommunkod, "appeal-package-intro", on).await?,
        &values,
    );
    let package = case.for_purpose("appeal package");
    let (v, journal) = store::cases::page(&state.db, &package, state.clock.now(), origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let persons: Vec<(String, String)> = v
        .persons
        .iter()
        .map(|p| {
            (
                format!("{} {}", p.person.given_name, p.person.family_name),
                p.person.id_number.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut timeliness = format!(
        "{} {}",
        t.get1(
            "letter-appeal-arrived",
            "date",
            &appeal.received_on.to_string()
        ),
        t.get1(
            "letter-appeal-deadline",
            "date",
            &appeal.deadline.to_string()
        )
    );
    if appeal.timely {
        timeliness.push(' ');
        timeliness.push_str(&t.get("letter-appeal-in-time"));
    } else if let Some(note) = &appeal.exception_note {
        timeliness.push(' ');
        timeliness.push_str(note);
    }
    let mut blocks = vec![
        Block::Paragraph(intro),
        Block::Facts(vec![
            (
                t.get("letter-appellant"),
                persons.first().map(|p| p.0.clone()).unwrap_or_default(),
            ),
            (
                t.get("letter-personnummer"),
                persons.first().map(|p| p.1.clone()).unwrap_or_default(),
            ),
            (
                t.get("letter-appealed"),
                format!(
                    "{} ({}) {}",
                    d.insats,
                    t.get(&format!("outcome-{}", d.outcome)),
                    d.decided_on
                ),
            ),
            (
                t.get("letter-notified"),
                d.received_on.map(|r| r.to_string()).unwrap_or_default(),
            ),
            (
                t.get("letter-appeal-received"),
                appeal.received_on.to_string(),
            ),
        ]),
        Block::Paragraph(timeliness),
    ];
    // What the board really did: the package never claims a reconsideration not recorded.
    if let (Some(r), Some(on)) = (&appeal.reconsideration, appeal.reconsidered_on) {
        blocks.push(Block::Heading(t.get("letter-reconsideration")));
        blocks.push(Block::Paragraph(t.get1(
            &format!("letter-reconsidered-{r}"),
            "date",
            &on.to_string(),
        )));
        if let Some(note) = appeal
            .reconsideration_note
            .as_ref()
            .filter(|n| !n.trim().is_empty())
        {
            blocks.push(Block::Paragraph(note.clone()));
        }
    }
    blocks.push(Block::Heading(t.get("letter-attachments")));
    blocks.push(Block::Paragraph(t.get("letter-attachments-list")));
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(t.get("letter-attachment-appeal")));
    blocks.push(Block::Paragraph(
        appeal
            .note
            .clone()
            .unwrap_or_else(|| t.get("letter-appeal-original")),
    ));
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(t.get("letter-attachment-decision")));
    let letter = decision_letter(state, case, d, origin).await?;
    blocks.extend(
        letter
            .blocks
            .into_iter()
            .filter(|b| !matches!(b, Block::PageBreak)),
    );
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(t.get("letter-attachment-investigation")));
    let investigation: Vec<Vec<String>> = journal
        .iter()
        .filter(|e| e.kind == "investigation")
        .map(|e| {
            vec![
                e.at.format("%Y-%m-%d").to_string(),
                state
                    .t
                    .get(&format!("area-{}", e.area.clone().unwrap_or_default())),
                e.text.clone(),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        caption: t.get("letter-investigation-caption"),
        header: vec![
            t.get("letter-date"),
            t.get("letter-area"),
            t.get("assessed-investigation-text"),
        ],
        rows: investigation,
    });
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(t.get("letter-attachment-journal")));
    let entries: Vec<Vec<String>> = journal
        .iter()
        .filter(|e| e.kind != "investigation")
        .map(|e| {
            let mut text = e.text.clone();
            for m in &e.marks {
                text.push_str(&format!(
                    " [{} {}: {}]",
                    t.get("letter-marked-wrong"),
                    m.at.format("%Y-%m-%d"),
                    m.reason
                ));
            }
            vec![
                e.at.format("%Y-%m-%d").to_string(),
                e.author_name.clone(),
                text,
            ]
        })
        .collect();
    blocks.push(Block::Table {
        caption: t.get("letter-journal-caption"),
        header: vec![
            t.get("letter-date"),
            t.get("letter-author"),
            t.get("letter-entry"),
        ],
        rows: entries,
    });
    Ok(Document {
        title: t.get1("letter-package-title", "number", &d.case_number),
        language: "sv".into(),
        author: format!("{}, {}", s.board, s.kommun),
        letterhead: vec![s.board.clone(), s.kommun.clone()],
        recipient: Some(vec![t.get("letter-court")]),
        meta_lines: vec![
            (t.get("letter-date"), on.to_string()),
            (t.get("letter-case-number"), d.case_number.clone()),
        ],
        blocks,
    })
}

/// The quarterly individual report of decisions not carried out, and the council's
/// de-identified statistics, as one document.
pub async fn not_executed_report(
    state: &AppState,
    kommunkod: &str,
    r: &NotExecuted,
    stats: &[StatisticsRow],
) -> Result<Document, PageError> {
    let s = sender(state, kommunkod).await?;
    let t = &state.t;
    let quarter = domain::calendar::quarter_of(r.first);
    let cite = state
        .law
        .reference("ivo-not-executed", r.last)
        .map(|x| x.citation.clone())
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = r
        .lines
        .iter()
        .map(|l| {
            vec![
                l.case_number.clone(),
                l.insats.clone(),
                l.law.to_uppercase(),
                l.decided_on.to_string(),
                t.get(&format!("report-waiting-{}", l.waiting)),
                l.days_waited.to_string(),
                t.get(&format!("report-sex-{}", l.sex)),
                t.get(if l.protected_identity {
                    "report-yes"
                } else {
                    "report-no"
                }),
                l.carried_out_on
                    .or(l.ended_on)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                l.reason.clone(),
            ]
        })
        .collect();
    let stat_rows: Vec<Vec<String>> = stats
        .iter()
        .map(|s| {
            vec![
                s.insats.clone(),
                s.women.to_string(),
                s.men.to_string(),
                s.unknown.to_string(),
                s.total.to_string(),
                s.max_days.to_string(),
                s.mean_days.to_string(),
            ]
        })
        .collect();
    Ok(Document {
        title: t.get1("letter-report-title", "quarter", &quarter),
        language: "sv".into(),
        author: format!("{}, {}", s.board, s.kommun),
        letterhead: vec![s.board.clone(), s.kommun.clone()],
        recipient: None,
        meta_lines: vec![
            (t.get("letter-period"), format!("{} – {}", r.first, r.last)),
            (t.get("letter-grounds"), cite),
        ],
        blocks: vec![
            Block::Heading(t.get("letter-report-ivo")),
            Block::Table {
                caption: t.get1("letter-report-ivo-caption", "quarter", &quarter),
                header: [
                    "report-col-case",
                    "report-col-insats",
                    "report-col-law",
                    "report-col-decided",
                    "report-col-waiting",
                    "report-col-days",
                    "report-col-sex",
                    "report-col-protected",
                    "report-col-carried-out",
                    "report-col-reason",
                ]
                .iter()
                .map(|h| t.get(h))
                .collect(),
                rows,
            },
            Block::PageBreak,
            Block::Heading(t.get("letter-report-stats")),
            Block::Paragraph(t.get("letter-report-stats-lead")),
            Block::Table {
                caption: t.get1("letter-report-stats-caption", "quarter", &quarter),
                header: [
                    "report-col-insats",
                    "report-col-women",
                    "report-col-men",
                    "report-col-unknown",
                    "report-col-total",
                    "report-col-max-days",
                    "report-col-mean-days",
                ]
                .iter()
                .map(|h| t.get(h))
                .collect(),
                rows: stat_rows,
            },
        ],
    })
}
