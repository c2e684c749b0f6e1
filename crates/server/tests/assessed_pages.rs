#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Assessed support through the staff pages, as a browser without JavaScript would use them,
//! on both databases: taking an application from the inbox, investigating, kommunicering,
//! deciding, the letter as PDF (without the address of a protected person), the notice, an
//! appeal on the last day and one the day after, the deadline watch and the reports.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::json;
use std::sync::Arc;
use store::audit::Origin;
use testkit::{create_staff, spawn_app_with, Options, TestApp, TestClock};

const PW: &str = "korv med bröd och senap";

/// Uppsala on 2026-11-25, on the platform since January (its first account).
async fn app() -> (TestApp, Arc<TestClock>) {
    let clock = TestClock::new(Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap());
    let app = spawn_app_with(Options {
        clock: clock.clone(),
        ..Options::default()
    })
    .await;
    create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "forsta@kommun.example",
        PW,
        true,
        None,
    )
    .await;
    clock.advance(
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
            - Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap(),
    );
    (app, clock)
}

/// A carer applies online on 2026-10-01 (the server's day is the day of receipt).
async fn apply(app: &TestApp, clock: &TestClock, personnummer: &str) -> (i64, String) {
    let back = app.state.clock.now() - Utc.with_ymd_and_hms(2026, 10, 1, 10, 0, 0).unwrap();
    clock.advance(-back);
    let (status, body) = {
        let res = client()
            .post(app.url("/api/v1/municipalities/0380/applications"))
            .json(&json!({
                "applicant": {"name": "Demo Anhörigsson", "personnummer": personnummer},
                "requested": ["avlosning-i-hemmet"],
                "received_on": "2026-10-01",
                "consent": true
            }))
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json::<serde_json::Value>().await.unwrap(),
        )
    };
    clock.advance(back);
    assert_eq!(status, 201, "{body}");
    (
        body["case_id"].as_i64().unwrap(),
        body["reference"].as_str().unwrap().to_owned(),
    )
}

/// Posts a form of the assessed page with the page's CSRF token.
async fn post(b: &mut Browser, case_id: i64, path: &str, form: &[(&str, &str)]) -> Page {
    let page = b.get(&format!("/personal/arenden/{case_id}/bistand")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(form);
    b.post(path, &all).await
}

fn ok(p: &Page) {
    assert_eq!(p.status, 303, "{}", p.body);
}

#[tokio::test]
async fn an_officer_takes_investigates_decides_and_handles_the_appeals() {
    let (app, clock) = app().await;
    let officer_id = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "h@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "k@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    create_staff(
        &app,
        Some("0380"),
        "unit-manager",
        "c@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let (case_id, reference) = apply(&app, &clock, "19121212-1212").await;

    let mut b = Browser::new(&app);
    b.sign_in(&app, "h@kommun.example", PW).await;
    let inbox = b.get("/personal/inkorg").await;
    assert!(inbox.body.contains(&reference), "{}", inbox.body);
    let csrf = inbox.csrf();
    let taken = b
        .post(
            &format!("/personal/ansokningar/{case_id}/ta"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(
        taken.location.as_deref(),
        Some(format!("/personal/arenden/{case_id}/bistand").as_str())
    );
    assert!(!b.get("/personal/inkorg").await.body.contains(&reference));

    let r = post(
        &mut b,
        case_id,
        &format!("/personal/arenden/{case_id}/bistand/utredning"),
        &[
            ("_form", "investigation"),
            ("area", "carer_rest"),
            (
                "text",
                "Anhörig sover dåligt och har inte haft en ledig dag på ett halvår.",
            ),
        ],
    )
    .await;
    ok(&r);
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/arenden/{case_id}/bistand/samtycke"),
        &[
            ("_form", "consent"),
            ("scope", "respite"),
            ("given_by", "Den närstående själv"),
            ("given_on", "2026-10-02"),
        ],
    )
    .await;
    ok(&r);
    let page = b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=utredning"
        ))
        .await;
    assert!(page.body.contains("inte haft en ledig dag"));
    assert!(page.body.contains("Den närstående själv"));

    // Partly granted without kommunicering: refused, with the reason next to the field.
    let decision = |decided_on: &'static str| {
        vec![
            ("_form", "decision"),
            ("applied_id", "1"),
            ("outcome", "partly_granted"),
            ("hours_per_month", "16"),
            ("period_from", "2026-12-01"),
            ("period_to", "2027-05-31"),
            ("reasons", "Behovet av avlösning är styrkt i utredningen, men i mindre omfattning än den sökta."),
            ("decided_on", decided_on),
        ]
    };
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/arenden/{case_id}/bistand/beslut"),
        &decision("2026-10-20"),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("error-summary") && r.body.contains("kommunicering"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("i mindre omfattning än den sökta"),
        "the reasons typed are kept"
    );
    // A carer support officer may not decide: the case is not theirs to decide on.
    let mut k = Browser::new(&app);
    k.sign_in(&app, "k@kommun.example", PW).await;
    let csrf = k.get("/personal/inkorg").await.csrf();
    let mut form = decision("2026-10-20");
    form.insert(0, ("_csrf", csrf.as_str()));
    assert_eq!(
        k.post(
            &format!("/personal/arenden/{case_id}/bistand/beslut"),
            &form
        )
        .await
        .status,
        404
    );

    let r = post(
        &mut b,
        case_id,
        &format!("/personal/arenden/{case_id}/bistand/kommunicering"),
        &[
            ("_form", "communication"),
            ("material", "Intyg från vårdcentralen"),
            ("method", "letter"),
            ("sent_on", "2026-10-05"),
            ("answer_by", "2026-10-19"),
        ],
    )
    .await;
    ok(&r);
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/arenden/{case_id}/bistand/beslut"),
        &decision("2026-10-20"),
    )
    .await;
    ok(&r);
    let page = b
        .get(&format!("/personal/arenden/{case_id}/bistand?del=beslut"))
        .await;
    assert!(page.body.contains("Delvis bifall"), "{}", page.body);
    let decision_id: i64 = 1;

    // The letter, as PDF.
    let res = client()
        .get(app.url(&format!("/personal/beslut/{decision_id}/beslut.pdf")))
        .header(
            "cookie",
            b.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    // The notice: received on a Saturday, so the appeal deadline is the Monday three weeks on.
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/beslut/{decision_id}/delgivning"),
        &[
            ("_form", "notice-1"),
            ("method", "in_person"),
            ("sent_on", "2026-10-24"),
            ("received_on", "2026-10-23"),
        ],
    )
    .await;
    assert_eq!(r.status, 422, "received before sent");
    // The form comes back on its own part, its summary naming the field.
    assert!(
        r.body.contains("aria-current=\"page\">Delgivning</a>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Parten fick beslutet: "), "{}", r.body);
    assert!(
        !r.body.contains("/bistand/utredning\""),
        "only the notice part"
    );
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/beslut/{decision_id}/delgivning"),
        &[
            ("_form", "notice-1"),
            ("method", "in_person"),
            ("sent_on", "2026-10-24"),
            ("received_on", "2026-10-24"),
        ],
    )
    .await;
    ok(&r);
    assert!(b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=delgivning"
        ))
        .await
        .body
        .contains("2026-11-16"));

    let r = post(
        &mut b,
        case_id,
        &format!("/personal/beslut/{decision_id}/overklagande"),
        &[("_form", "appeal-1"), ("received_on", "2026-11-16")],
    )
    .await;
    ok(&r);
    let r = post(
        &mut b,
        case_id,
        &format!("/personal/beslut/{decision_id}/overklagande"),
        &[("_form", "appeal-1"), ("received_on", "2026-11-17")],
    )
    .await;
    ok(&r);
    let page = b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=overklaganden"
        ))
        .await;
    assert!(
        page.body.contains("i rätt tid") && page.body.contains("för sent"),
        "{}",
        page.body
    );
    // The timely one cannot be dismissed; the late one is.
    let r = post(
        &mut b,
        case_id,
        "/personal/overklaganden/1/avvisa",
        &[
            ("_form", "dismiss-1"),
            ("on_date", "2026-11-18"),
            ("reasons", "Överklagandet kom in efter att tiden gått ut."),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    let r = post(
        &mut b,
        case_id,
        "/personal/overklaganden/2/avvisa",
        &[
            ("_form", "dismiss-2"),
            ("on_date", "2026-11-18"),
            ("reasons", "Överklagandet kom in efter att tiden gått ut."),
        ],
    )
    .await;
    // Dismissing is final: asked first, on a page of its own.
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Avvisa överklagandet?"));
    assert!(!b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=overklaganden"
        ))
        .await
        .body
        .contains("Avvisat"));
    let r = b.confirm(&r).await;
    ok(&r);
    // The timely one waited more than seven days without being forwarded: a warning.
    assert!(b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=overklaganden"
        ))
        .await
        .body
        .contains("utan att skickas"));
    // Forwarding is offered only once the board has reconsidered; sent anyway, it is refused.
    let page = b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=overklaganden"
        ))
        .await;
    assert!(!page.body.contains("/personal/overklaganden/1/overlamna"));
    assert!(page.body.contains("/personal/overklaganden/1/omprova"));
    let r = post(
        &mut b,
        case_id,
        "/personal/overklaganden/1/overlamna",
        &[("_form", "forward-1"), ("on_date", "2026-11-25")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Ompröva beslutet först"), "{}", r.body);
    let r = post(
        &mut b,
        case_id,
        "/personal/overklaganden/1/omprova",
        &[
            ("_form", "reconsider-1"),
            ("reconsideration", "unchanged"),
            ("on_date", "2026-11-24"),
            ("note", "Inga nya omständigheter har kommit fram."),
        ],
    )
    .await;
    ok(&r);
    let page = b
        .get(&format!(
            "/personal/arenden/{case_id}/bistand?del=overklaganden"
        ))
        .await;
    assert!(page.body.contains("/personal/overklaganden/1/overlamna"));
    let r = post(
        &mut b,
        case_id,
        "/personal/overklaganden/1/overlamna",
        &[("_form", "forward-1"), ("on_date", "2026-11-25")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .body
        .contains("Överlämna överklagandet till förvaltningsrätten?"));
    assert!(r.body.contains("2026-11-25"));
    let r = b.confirm(&r).await;
    ok(&r);
    let res = client()
        .get(app.url("/personal/overklaganden/1/akt.pdf"))
        .header(
            "cookie",
            b.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
    // The package says what the board did, and claims nothing it did not.
    let grant = testkit::grant(&app, officer_id, case_id).await;
    let now = app.state.clock.now();
    let appeal = store::assessed::appeal(&app.db, &grant, 1, now, &Origin::default())
        .await
        .unwrap()
        .unwrap();
    let d = store::assessed::decision(&app.db, &grant, decision_id, now, &Origin::default())
        .await
        .unwrap()
        .unwrap();
    let package =
        web::documents::appeal_package(&app.state, &grant, &appeal, &d, &Origin::default())
            .await
            .unwrap();
    let text = format!("{package:?}");
    assert!(
        text.contains("Nämnden omprövade beslutet 2026-11-24 och ändrade det inte."),
        "{text}"
    );
    assert!(text.contains("Inga nya omständigheter har kommit fram."));
    assert!(!text.contains("har prövat överklagandet"));

    // The watch shows the decision not yet started; the reports are for the manager.
    let watch = b.get("/personal/bevakning").await;
    assert_eq!(watch.status, 200);
    assert!(watch.body.contains("inte påbörjat"), "{}", watch.body);
    assert_eq!(b.get("/personal/rapporter").await.status, 403);
    let mut m = Browser::new(&app);
    m.sign_in(&app, "c@kommun.example", PW).await;
    let reports = m.get("/personal/rapporter?kvartal=2026Q3").await;
    assert_eq!(reports.status, 200, "{}", reports.body);
    // The quarter is a choice, the last closed one by default; the running one says so.
    let default = m.get("/personal/rapporter").await;
    assert!(
        default
            .body
            .contains("<option value=\"2026Q3\" selected>2026 kvartal 3</option>"),
        "{}",
        default.body
    );
    assert!(default.body.contains("2026 kvartal 4 (pågår)"));
    assert!(!default.body.contains("<datalist"));
    assert_eq!(
        m.get("/personal/rapporter?kvartal=2026Q9").await.status,
        422
    );
    assert_eq!(
        m.get("/personal/rapporter/ej-verkstallda.pdf?kvartal=2026Q3")
            .await
            .status,
        200
    );
    let csv = m
        .get("/personal/rapporter/statistik.csv?kvartal=2026Q3")
        .await;
    assert!(csv.body.starts_with("Insats;Kvinnor;Män"), "{}", csv.body);
}

#[tokio::test]
async fn the_letter_never_carries_a_protected_address() {
    let (app, clock) = app().await;
    let officer = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "h@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let origin = Origin::default();
    let now = app.state.clock.now();
    let mut letters = Vec::new();
    for (number, protection) in [
        ("19121212-1212", "none"),
        ("811218-9876", "skyddad_folkbokforing"),
    ] {
        let person = domain::case::validate_person(
            &domain::case::RawPerson {
                id_number: number.into(),
                given_name: "Demo".into(),
                family_name: "Anhörigsson".into(),
                address_line: "Hemliga gatan 7".into(),
                postal_code: "753 20".into(),
                city: "Demostad".into(),
                protection: protection.into(),
                ..Default::default()
            },
            app.state.clock.today(),
        )
        .unwrap();
        store::persons::create(&app.db, "0380", &person, Some(officer), false, now, &origin)
            .await
            .unwrap()
            .unwrap();
        let (case_id, _) = apply(&app, &clock, number).await;
        let actor = store::access::actor_of(&app.db, officer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store::assessed::take(&app.db, &actor, case_id, None, now, &origin)
                .await
                .unwrap(),
            store::assessed::Taken::Taken
        );
        let grant = testkit::grant(&app, officer, case_id).await;
        store::assessed::add_consent(
            &app.db,
            &grant,
            &store::assessed::NewConsent {
                person_id: None,
                given_by: "Den närstående".into(),
                scope: domain::assessed::ConsentScope::Respite,
                given_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 2).unwrap(),
                note: None,
            },
            officer,
            now,
            &origin,
        )
        .await
        .unwrap()
        .unwrap();
        let form = web::assessed::DecisionForm {
            applied_id: store::assessed::of_case(&app.db, &grant)
                .await
                .unwrap()
                .applied
                .first()
                .map(|a| a.id),
            raw: domain::assessed::RawDecision {
                outcome: "granted".into(),
                reasons: "Behovet av avlösning är styrkt i utredningen.".into(),
                decided_on: "2026-10-20".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let id = web::assessed::decide(&app.state, &grant, &form, officer, &origin)
            .await
            .unwrap()
            .unwrap();
        let d = store::assessed::decision(&app.db, &grant, id, now, &origin)
            .await
            .unwrap()
            .unwrap();
        let doc = web::documents::decision_letter(&app.state, &grant, &d, &origin)
            .await
            .unwrap();
        letters.push(doc);
    }
    let open = &letters[0];
    assert_eq!(open.recipient.as_ref().unwrap()[1], "Hemliga gatan 7");
    let protected = &letters[1];
    // The name only, and how the letter reaches them: through the Tax Agency.
    assert_eq!(
        protected.recipient.as_deref(),
        Some(
            &[
                "Demo Anhörigsson".to_string(),
                "Skyddad adress – skickas via Skatteverket".to_string()
            ][..]
        )
    );
    let everything = format!("{protected:?}");
    assert!(!everything.contains("Hemliga"), "{everything}");
    // The letter states the reasons, the legal basis and how to appeal within three weeks.
    let text = format!("{open:?}");
    for needle in [
        "Behovet av avlösning",
        "2025:400",
        "tre veckor",
        "förvaltningsrätten",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    let pdf = web::documents::pdf(protected).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[tokio::test]
async fn staff_register_a_phoned_application_and_adjust_the_letter_texts() {
    let (app, _clock) = app().await;
    create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "h@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "a@kommun.example",
        PW,
        true,
        None,
    )
    .await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "h@kommun.example", PW).await;
    let form = b.get("/personal/ansokningar/ny").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let base = vec![
        ("_csrf", csrf.as_str()),
        ("name", "Demo Telefonsson"),
        ("personnummer", "19121212-1212"),
        ("role", "carer"),
        ("requested", "vaxelvard"),
        ("received_on", "2026-11-20"),
        ("channel", "phone"),
        ("assign", "yes"),
    ];
    // Without the applicant's consent to storing: refused, nothing stored, values kept.
    let r = b.post("/personal/ansokningar/ny", &base).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Demo Telefonsson"));
    assert!(store::assessed::inbox(
        &app.db,
        "0380",
        10,
        app.state.clock.today(),
        app.state.clock.now(),
        &Origin::default()
    )
    .await
    .unwrap()
    .is_empty());
    let mut ok_form = base.clone();
    ok_form.push(("consent", "yes"));
    let r = b.post("/personal/ansokningar/ny", &ok_form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.location.unwrap();
    assert!(to.ends_with("/bistand"), "{to}");
    let page = b.get(&to).await;
    assert!(
        page.body.contains("Växelvård") && page.body.contains("2026-11-20"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Telefon"));

    // The administrator's own wording replaces the shipped text from its date.
    let mut a = Browser::new(&app);
    a.sign_in(&app, "a@kommun.example", PW).await;
    let blocks = a.get("/personal/admin/brevtexter").await;
    assert_eq!(blocks.status, 200, "{}", blocks.body);
    let csrf = blocks.csrf();
    let r = a
        .post(
            "/personal/admin/brevtexter",
            &[
                ("_csrf", &csrf),
                ("code", "contact"),
                ("body", "x"),
                ("valid_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    let r = a
        .post(
            "/personal/admin/brevtexter",
            &[
                ("_csrf", &csrf),
                ("code", "contact"),
                ("body", "Ring Demo-kommunens anhörigstöd på 018-00 00 00."),
                ("valid_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        store::assessed::letter_block(
            &app.db,
            "0380",
            "contact",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        )
        .await
        .unwrap()
        .as_deref(),
        Some("Ring Demo-kommunens anhörigstöd på 018-00 00 00.")
    );
    assert_eq!(
        store::assessed::letter_block(
            &app.db,
            "0380",
            "contact",
            chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        )
        .await
        .unwrap(),
        None
    );
    // A case officer does not edit the letters.
    assert_eq!(b.get("/personal/admin/brevtexter").await.status, 403);
}
