#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Assessed support through the API, on both databases: the application, decisions with their
//! rules (reasons, delegation, kommunicering, dates), the notice and the appeal clock, appeals
//! on the last day and the day after, and the quarterly report of decisions not carried out.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use domain::api_token::Scope;
use serde_json::{json, Value};
use store::audit::Origin;
use testkit::{create_staff, spawn_app_with, Options, TestApp, TestClock};

const PW: &str = "korv med bröd och senap";

/// Uppsala, on the platform since January (its first account), on 2026-11-25: staff may
/// register applications received from January on.
async fn app_on_2026_11_25() -> TestApp {
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
    app
}

async fn token(app: &TestApp, user: i64) -> String {
    store::tokens::create(
        &app.db,
        user,
        &[Scope::Write],
        Utc::now(),
        &Origin::default(),
    )
    .await
    .unwrap()
}

async fn call(
    app: &TestApp,
    method: &str,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = client();
    let mut req = match method {
        "GET" => c.get(app.url(path)),
        _ => c.post(app.url(path)),
    };
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    }
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let sql = "SELECT action FROM audit_log ORDER BY seq";
    match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

fn application(received_on: &str) -> Value {
    json!({
        "applicant": {"name": "Demo Anhörigsson", "personnummer": "19121212-1212"},
        "requested": ["avlosning-i-hemmet", "Hjälp att ta hand om trädgården"],
        "received_on": received_on,
        "consent": true
    })
}

#[tokio::test]
async fn an_application_is_validated_and_stored_whole_or_not_at_all() {
    let app = app_on_2026_11_25().await;
    let path = "/api/v1/municipalities/0380/applications";
    let bad = [
        (
            json!({"applicant": {"name": "Demo Anhörigsson", "personnummer": "19121212-1212"}, "requested": ["avlosning-i-hemmet"]}),
            "consent",
        ),
        (
            json!({"applicant": {"name": "Demo", "personnummer": "19121212-1212"}, "requested": ["x"], "consent": true}),
            "name",
        ),
        (
            json!({"applicant": {"name": "Demo Anhörigsson", "personnummer": "19121212-1213"}, "requested": ["x"], "consent": true}),
            "personnummer",
        ),
        (
            json!({"applicant": {"name": "Demo Anhörigsson", "personnummer": "19121212-1212"}, "requested": [], "consent": true}),
            "requested",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = call(&app, "POST", None, path, Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert!(answer["errors"][field].is_array(), "{field}: {answer}");
    }
    assert_eq!(count(&app, "applications").await, 0);
    assert_eq!(count(&app, "persons").await, 0);
    assert_eq!(count(&app, "cases").await, 0);

    let (status, answer) = call(&app, "POST", None, path, Some(application("2026-10-01"))).await;
    assert_eq!(status, 201, "{answer}");
    let case_id = answer["case_id"].as_i64().unwrap();
    let a = store::assessed::of_case(
        &app.db,
        &testkit::reading_grant(&app, "0380", case_id).await,
    )
    .await
    .unwrap();
    // The public cannot date what they send (the security review's finding): the server's day
    // counts, whatever `received_on` the client gives.
    assert_eq!(a.received_on, Some(d("2026-11-25")));
    assert_eq!(a.applied.len(), 2);
    assert_eq!(
        a.applied[0].catalogue_slug.as_deref(),
        Some("avlosning-i-hemmet")
    );
    assert_eq!(a.applied[0].track, "assessed_sol");
    assert_eq!(a.applied[1].catalogue_slug, None);
    assert_eq!(a.applied[1].track, "free");
    assert_eq!(a.application.unwrap().channel, "online");
    assert!(audit_actions(&app)
        .await
        .contains(&"application.create".to_owned()));

    // A second application from the same person links the same person record.
    let (status, _) = call(&app, "POST", None, path, Some(application("2026-11-02"))).await;
    assert_eq!(status, 201);
    assert_eq!(count(&app, "persons").await, 1);

    // The inbox lists both, oldest first, until someone takes one.
    let origin = Origin::default();
    let now = app.state.clock.now();
    let inbox = store::assessed::inbox(&app.db, "0380", 50, d("2026-11-25"), now, &origin)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 2);
    assert_eq!(inbox[0].case_id, case_id);
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
    assert_eq!(
        store::assessed::take(&app.db, &actor, case_id, None, now, &origin)
            .await
            .unwrap(),
        store::assessed::Taken::Gone
    );
    let inbox = store::assessed::inbox(&app.db, "0380", 50, d("2026-11-25"), now, &origin)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1);

    // Unknown municipality.
    let (status, _) = call(
        &app,
        "POST",
        None,
        "/api/v1/municipalities/9999/applications",
        Some(application("2026-10-01")),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_public_cannot_back_date_an_application_and_staff_only_within_the_municipalitys_time() {
    let app = app_on_2026_11_25().await;
    let path = "/api/v1/municipalities/0380/applications";
    let (status, answer) = call(&app, "POST", None, path, Some(application("-0001-01-01"))).await;
    assert_eq!(status, 201, "{answer}");
    let grant = testkit::reading_grant(&app, "0380", answer["case_id"].as_i64().unwrap()).await;
    let a = store::assessed::of_case(&app.db, &grant).await.unwrap();
    assert_eq!(a.received_on, Some(d("2026-11-25")));

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
    let officer = token(&app, officer_id).await;
    for (received_on, message) in [
        (
            "-0001-01-01",
            "Datumet ligger före den dag kommunen började använda tjänsten.",
        ),
        (
            "2026-01-04",
            "Datumet ligger före den dag kommunen började använda tjänsten.",
        ),
        ("2026-11-26", ""),
    ] {
        let (status, answer) = call(
            &app,
            "POST",
            Some(&officer),
            path,
            Some(application(received_on)),
        )
        .await;
        assert_eq!(status, 422, "{received_on}: {answer}");
        let errors = answer["errors"]["received_on"].as_array().unwrap();
        assert!(
            message.is_empty() || errors.iter().any(|m| m == message),
            "{received_on}: {answer}"
        );
    }
    let (status, answer) = call(
        &app,
        "POST",
        Some(&officer),
        path,
        Some(application("2026-01-05")),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let grant = testkit::reading_grant(&app, "0380", answer["case_id"].as_i64().unwrap()).await;
    let a = store::assessed::of_case(&app.db, &grant).await.unwrap();
    assert_eq!(a.received_on, Some(d("2026-01-05")));
}

struct Staffed {
    officer: String,
    support: String,
    manager: String,
    case_id: i64,
}

/// An application registered by an officer on the phone, taken at once.
async fn staffed(app: &TestApp, received_on: &str) -> Staffed {
    let officer_id = create_staff(
        app,
        Some("0380"),
        "case-officer",
        "h@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let support_id = create_staff(
        app,
        Some("0380"),
        "carer-support-officer",
        "k@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let manager_id = create_staff(
        app,
        Some("0380"),
        "unit-manager",
        "c@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let officer = token(app, officer_id).await;
    let mut body = application(received_on);
    body["channel"] = json!("phone");
    body["assign_to_me"] = json!(true);
    let (status, answer) = call(
        app,
        "POST",
        Some(&officer),
        "/api/v1/municipalities/0380/applications",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    Staffed {
        officer,
        support: token(app, support_id).await,
        manager: token(app, manager_id).await,
        case_id: answer["case_id"].as_i64().unwrap(),
    }
}

async fn staff_id(app: &TestApp, email: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT id FROM staff_users WHERE email = '{email}'"),
    )
    .await
}

/// The care recipient's consent to respite, recorded by the first officer.
async fn consent(app: &TestApp, case_id: i64, given_on: &str) {
    store::assessed::add_consent(
        &app.db,
        &testkit::grant(app, staff_id(app, "h@kommun.example").await, case_id).await,
        &store::assessed::NewConsent {
            person_id: None,
            given_by: "Den närstående".into(),
            scope: domain::assessed::ConsentScope::Respite,
            given_on: d(given_on),
            note: None,
        },
        1,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
    .unwrap();
}

fn decision(outcome: &str, decided_on: &str) -> Value {
    json!({
        "insats": "avlosning-i-hemmet",
        "outcome": outcome,
        "scope": {"hours_per_month": 16, "from": "2026-12-01", "to": "2027-05-31"},
        "reasons": "Behovet av avlösning är styrkt i utredningen, men i mindre omfattning än den sökta.",
        "decided_on": decided_on
    })
}

#[tokio::test]
async fn decisions_notice_and_the_appeal_clock() {
    let app = app_on_2026_11_25().await;
    let s = staffed(&app, "2026-10-01").await;
    let decisions = format!("/api/v1/cases/{}/decisions", s.case_id);

    // Bad decisions: a clear error each, nothing stored.
    let mut no_reasons = decision("granted", "2026-10-15");
    no_reasons["reasons"] = json!("");
    let mut backwards = decision("granted", "2026-10-15");
    backwards["scope"]["to"] = json!("2026-11-01");
    let mut unknown_basis = decision("granted", "2026-10-15");
    unknown_basis["legal_basis"] = json!("no-such-law");
    // Respite is granted only with the care recipient's consent.
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &decisions,
        Some(decision("granted", "2026-10-15")),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["errors"]["outcome"].is_array(), "{answer}");
    consent(&app, s.case_id, "2026-10-02").await;
    for (body, field) in [
        (no_reasons, "reasons"),
        (backwards, "period_to"),
        (decision("granted", "2026-11-26"), "decided_on"),
        (decision("granted", "2026-09-30"), "decided_on"),
        (decision("maybe", "2026-10-15"), "outcome"),
        (unknown_basis, "legal_basis"),
        // Not fully favourable, and no kommunicering: refused until it is held or waived.
        (
            decision("partly_granted", "2026-10-15"),
            "communication_waiver",
        ),
    ] {
        let (status, answer) = call(&app, "POST", Some(&s.officer), &decisions, Some(body)).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert!(answer["errors"][field].is_array(), "{field}: {answer}");
    }
    // A carer support officer has no delegation to decide.
    let (status, _) = call(
        &app,
        "POST",
        Some(&s.support),
        &decisions,
        Some(decision("granted", "2026-10-15")),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(count(&app, "decisions").await, 0);

    // Kommunicering still open on the decision date: refused; after the deadline: allowed.
    let origin = Origin::default();
    let now = app.state.clock.now();
    let officer_id = staff_id(&app, "h@kommun.example").await;
    let case = testkit::grant(&app, officer_id, s.case_id).await;
    store::assessed::add_communication(
        &app.db,
        &testkit::grant(&app, officer_id, s.case_id).await,
        &store::assessed::NewCommunication {
            material: "Läkarintyg från vårdcentralen".into(),
            method: domain::assessed::CommunicationMethod::Letter,
            sent_on: d("2026-10-05"),
            answer_by: d("2026-10-19"),
        },
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &decisions,
        Some(decision("partly_granted", "2026-10-19")),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["errors"]["communication_waiver"].is_array());
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &decisions,
        Some(decision("partly_granted", "2026-10-20")),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let id = answer["id"].as_i64().unwrap();

    let (status, got) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/decisions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["outcome"], "partly_granted");
    assert_eq!(got["legal_basis"], "sol-bistand");
    assert!(got["legal_citation"].as_str().unwrap().contains("2025:400"));
    assert_eq!(got["received_on"], Value::Null);
    assert_eq!(got["appeal_deadline"], Value::Null);
    // Someone in another municipality does not see it.
    let stranger = create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "x@sthlm.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let stranger = token(&app, stranger).await;
    let (status, _) = call(
        &app,
        "GET",
        Some(&stranger),
        &format!("/api/v1/decisions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // An appeal before the notice is recorded has no clock to be measured against.
    let appeals = format!("/api/v1/decisions/{id}/appeals");
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &appeals,
        Some(json!({"received_on": "2026-11-02"})),
    )
    .await;
    assert_eq!(status, 422, "{answer}");

    // The notice: bad dates refused; a Saturday receipt gives a deadline on the Monday.
    let notice = format!("/api/v1/decisions/{id}/notice");
    for (body, field) in [
        (
            json!({"method": "post", "sent_on": "2026-10-16", "received_on": "2026-11-26"}),
            "received_on",
        ),
        (
            json!({"method": "post", "sent_on": "2026-10-16", "received_on": "2026-10-15"}),
            "received_on",
        ),
        (
            json!({"method": "post", "sent_on": "2026-10-19", "received_on": "2026-10-19"}),
            "sent_on",
        ),
        (
            json!({"method": "dove", "sent_on": "2026-10-20", "received_on": "2026-10-21"}),
            "method",
        ),
    ] {
        let (status, answer) = call(&app, "POST", Some(&s.officer), &notice, Some(body)).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert!(answer["errors"][field].is_array(), "{field}: {answer}");
    }
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &notice,
        Some(json!({"method": "in_person", "sent_on": "2026-10-24", "received_on": "2026-10-24"})),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    // 2026-10-24 is a Saturday; three weeks later is Saturday 2026-11-14: Monday 2026-11-16.
    assert_eq!(got["received_on"], "2026-10-24");
    assert_eq!(got["appeal_deadline"], "2026-11-16");
    let (status, _) = call(
        &app,
        "POST",
        Some(&s.officer),
        &notice,
        Some(json!({"method": "post", "sent_on": "2026-10-24", "received_on": "2026-10-26"})),
    )
    .await;
    assert_eq!(status, 422, "the notice is recorded once");

    // Appeals: before receipt refused; on the Monday timely; the Tuesday late.
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &appeals,
        Some(json!({"received_on": "2026-10-23"})),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["errors"]["received_on"].is_array());
    let (status, on_time) = call(
        &app,
        "POST",
        Some(&s.officer),
        &appeals,
        Some(json!({"received_on": "2026-11-16"})),
    )
    .await;
    assert_eq!(status, 201, "{on_time}");
    assert_eq!(on_time["timely"], true);
    assert_eq!(on_time["deadline"], "2026-11-16");
    let (status, late) = call(
        &app,
        "POST",
        Some(&s.officer),
        &appeals,
        Some(json!({"received_on": "2026-11-17"})),
    )
    .await;
    assert_eq!(status, 201, "{late}");
    assert_eq!(late["timely"], false);
    let late_id = late["id"].as_i64().unwrap();
    let (status, got) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/appeals/{late_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(got["timely"], false);
    assert_eq!(got["deadline"], "2026-11-16");
    assert_eq!(got["status"], "waiting");

    // The late one is dismissed by its own decision; the timely one cannot be.
    use store::assessed::{appeal_step, AppealStep, Refusal};
    let dismiss = AppealStep::Dismiss(
        d("2026-11-18"),
        "Överklagandet kom in efter tre veckor.".into(),
    );
    let on_time_id = on_time["id"].as_i64().unwrap();
    assert_eq!(
        appeal_step(&app.db, &case, on_time_id, &dismiss, officer_id, now, &origin)
            .await
            .unwrap(),
        Err(Refusal::AppealNotLate)
    );
    appeal_step(&app.db, &case, late_id, &dismiss, officer_id, now, &origin)
        .await
        .unwrap()
        .unwrap();
    let (_, got) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/appeals/{late_id}"),
        None,
    )
    .await;
    assert_eq!(got["status"], "dismissed");
    // The timely one is reconsidered, forwarded, and the court's outcome recorded, in order.
    let court = AppealStep::Court(
        domain::assessed::CourtOutcome::Rejected,
        d("2026-11-24"),
        String::new(),
    );
    assert_eq!(
        appeal_step(&app.db, &case, on_time_id, &court, officer_id, now, &origin)
            .await
            .unwrap(),
        Err(Refusal::NotForwarded)
    );
    // The case-work review: forwarded in one click with no reconsideration, and the court
    // package then said the board had reconsidered. Forwarding waits for one now.
    let forward = format!("/api/v1/appeals/{on_time_id}/forward");
    let reconsider = format!("/api/v1/appeals/{on_time_id}/reconsideration");
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &forward,
        Some(json!({"sent_on": "2026-11-18"})),
    )
    .await;
    assert_eq!(status, 422, "{got}");
    assert!(got["errors"]["reconsideration"].is_array(), "{got}");
    for (body, field) in [
        (
            json!({"outcome": "maybe", "decided_on": "2026-11-17"}),
            "outcome",
        ),
        (
            json!({"outcome": "unchanged", "decided_on": "2026-11-26"}),
            "decided_on",
        ),
        (json!({"outcome": "unchanged"}), "decided_on"),
    ] {
        let (status, got) = call(&app, "POST", Some(&s.officer), &reconsider, Some(body)).await;
        assert_eq!(status, 422, "{field}: {got}");
        assert!(got["errors"][field].is_array(), "{field}: {got}");
    }
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &reconsider,
        Some(json!({"outcome": "changed_partly", "decided_on": "2026-11-17", "note": "Timmarna höjs till 12."})),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["reconsideration"], "changed_partly");
    assert_eq!(got["status"], "waiting");
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &reconsider,
        Some(json!({"outcome": "unchanged", "decided_on": "2026-11-17"})),
    )
    .await;
    assert_eq!(status, 422, "reconsidered once: {got}");
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &forward,
        Some(json!({"sent_on": "2026-11-18"})),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["status"], "forwarded");
    // A read token takes no step.
    let reader = store::tokens::create(
        &app.db,
        officer_id,
        &[Scope::Read],
        Utc::now(),
        &Origin::default(),
    )
    .await
    .unwrap();
    let (status, _) = call(
        &app,
        "POST",
        Some(&reader),
        &forward,
        Some(json!({"sent_on": "2026-11-18"})),
    )
    .await;
    assert_eq!(status, 403);
    appeal_step(&app.db, &case, on_time_id, &court, officer_id, now, &origin)
        .await
        .unwrap()
        .unwrap();
    let (_, got) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/appeals/{on_time_id}"),
        None,
    )
    .await;
    assert_eq!(got["status"], "settled");
    assert_eq!(got["court_outcome"], "rejected");

    let actions = audit_actions(&app).await;
    for a in [
        "decision.create",
        "decision.read",
        "decision.notice",
        "appeal.create",
        "appeal.read",
        "appeal.dismissed",
        "appeal.forwarded",
    ] {
        assert!(
            actions.contains(&a.to_owned()),
            "{a} missing from {actions:?}"
        );
    }
    let _ = s.manager;
}

#[tokio::test]
async fn the_ivo_report_lists_exactly_the_decisions_past_three_months() {
    let app = app_on_2026_11_25().await;
    let s = staffed(&app, "2026-03-01").await;
    consent(&app, s.case_id, "2026-03-01").await;
    let decisions = format!("/api/v1/cases/{}/decisions", s.case_id);
    let origin = Origin::default();
    let now = app.state.clock.now();
    let officer_id = staff_id(&app, "h@kommun.example").await;
    let case = testkit::grant(&app, officer_id, s.case_id).await;
    let mut ids = Vec::new();
    for decided in [
        "2026-06-29",
        "2026-06-30",
        "2026-04-15",
        "2026-04-15",
        "2026-03-10",
    ] {
        let (status, answer) = call(
            &app,
            "POST",
            Some(&s.officer),
            &decisions,
            Some(decision("granted", decided)),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        ids.push(answer["id"].as_i64().unwrap());
    }
    // A refusal is never reported.
    let mut refused = decision("refused", "2026-03-20");
    refused["communication_waiver"] = json!("Uppgifterna kommer från den sökande själv.");
    let (status, answer) = call(&app, "POST", Some(&s.officer), &decisions, Some(refused)).await;
    assert_eq!(status, 201, "{answer}");
    use domain::assessed::ExecutionEvent::*;
    for id in &ids {
        store::assessed::order_execution(
            &app.db,
            &case,
            *id,
            "Hemtjänsten Centrum",
            true,
            None,
            officer_id,
            now,
            &origin,
        )
        .await
        .unwrap()
        .unwrap();
    }
    // Started on the last day of its three months: in time.
    store::assessed::execution_event(
        &app.db,
        &case,
        ids[2],
        Started,
        d("2026-07-15"),
        None,
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    // Started the day after: late, reported as carried out in the quarter.
    store::assessed::execution_event(
        &app.db,
        &case,
        ids[3],
        Started,
        d("2026-07-16"),
        None,
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    // Started in time, interrupted 2026-05-01 and not resumed: reported as interrupted.
    store::assessed::execution_event(
        &app.db,
        &case,
        ids[4],
        Started,
        d("2026-04-01"),
        None,
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    store::assessed::execution_event(
        &app.db,
        &case,
        ids[4],
        Interrupted,
        d("2026-05-01"),
        None,
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    // Events out of order are refused.
    assert!(store::assessed::execution_event(
        &app.db,
        &case,
        ids[4],
        Started,
        d("2026-05-02"),
        None,
        officer_id,
        now,
        &origin
    )
    .await
    .unwrap()
    .is_err());
    assert!(store::assessed::execution_event(
        &app.db,
        &case,
        ids[0],
        Resumed,
        d("2026-07-02"),
        None,
        officer_id,
        now,
        &origin
    )
    .await
    .unwrap()
    .is_err());
    store::assessed::explain_delay(
        &app.db,
        &case,
        ids[0],
        "Ingen ledig avlösare.",
        "Anhörig har fått mindre vila.",
        "Dagverksamhet två dagar i veckan.",
        officer_id,
        now,
        &origin,
    )
    .await
    .unwrap()
    .unwrap();

    // By post without a day of receipt: the municipal rule proposes sent + 2 days, moved past
    // the weekend (Friday 2026-07-03 -> Sunday -> Monday 2026-07-06).
    let notice = format!("/api/v1/decisions/{}/notice", ids[1]);
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &notice,
        Some(json!({"method": "post", "sent_on": "2026-07-03"})),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["received_on"], "2026-07-06");
    // The case-work review: a letter posted yesterday could not be recorded, since the
    // presumed day (Thursday 2026-11-26) is still ahead. It counts now, marked as presumed.
    let notice = format!("/api/v1/decisions/{}/notice", ids[2]);
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &notice,
        Some(json!({"method": "post", "sent_on": "2026-11-24"})),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["received_on"], "2026-11-26");
    assert_eq!(got["received_presumed"], true);
    assert_eq!(got["appeal_deadline"], "2026-12-17");
    // Said in person, a day ahead is still refused.
    let (status, got) = call(
        &app,
        "POST",
        Some(&s.officer),
        &format!("/api/v1/decisions/{}/notice", ids[3]),
        Some(json!({"method": "in_person", "sent_on": "2026-11-24", "received_on": "2026-11-26"})),
    )
    .await;
    assert_eq!(status, 422, "{got}");
    assert!(got["errors"]["received_on"].is_array(), "{got}");

    // The officer learns the real day and confirms it on the case page; the deadline follows.
    let mut officer = Browser::new(&app);
    officer.sign_in(&app, "h@kommun.example", PW).await;
    // Until then the deadline watch reminds them that the day is presumed (this one, and the
    // letter posted in July whose day was presumed too).
    const PRESUMED: &str = "Antagen dag då parten fick beslutet";
    let watch = officer.get("/personal/bevakning").await;
    assert_eq!(watch.body.matches(PRESUMED).count(), 2, "{}", watch.body);
    let confirm = |day: &'static str| {
        let path = format!("/personal/beslut/{}/mottagning", ids[2]);
        let case_page = format!("/personal/arenden/{}/bistand?del=delgivning", s.case_id);
        let form = format!("receipt-{}", ids[2]);
        (path, case_page, form, day)
    };
    for (day, status) in [
        ("2026-11-27", 422),
        ("2026-11-23", 422),
        ("2026-11-25", 303),
    ] {
        let (path, case_page, form, day) = confirm(day);
        let page = officer.get(&case_page).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&path), "the confirm form is offered");
        let csrf = page.csrf();
        let r = officer
            .post(
                &path,
                &[
                    ("_csrf", csrf.as_str()),
                    ("_form", form.as_str()),
                    ("received_on", day),
                ],
            )
            .await;
        assert_eq!(r.status, status, "{day}: {}", r.body);
    }
    let (_, got) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/decisions/{}", ids[2]),
        None,
    )
    .await;
    assert_eq!(got["received_on"], "2026-11-25");
    assert_eq!(got["received_presumed"], false);
    assert_eq!(got["appeal_deadline"], "2026-12-16");
    let page = officer
        .get(&format!("/personal/arenden/{}/bistand", s.case_id))
        .await;
    assert!(
        !page
            .body
            .contains(&format!("/personal/beslut/{}/mottagning", ids[2])),
        "confirmed once"
    );
    let watch = officer.get("/personal/bevakning").await;
    assert_eq!(watch.body.matches(PRESUMED).count(), 1, "{}", watch.body);
    let path = "/api/v1/municipalities/0380/reports/not-executed?quarter=2026Q3";
    let (status, _) = call(&app, "GET", Some(&s.officer), path, None).await;
    assert_eq!(
        status, 403,
        "case officers do not read the municipality's reports"
    );
    let (status, _) = call(
        &app,
        "GET",
        Some(&s.manager),
        "/api/v1/municipalities/0180/reports/not-executed?quarter=2026Q3",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, answer) = call(
        &app,
        "GET",
        Some(&s.manager),
        "/api/v1/municipalities/0380/reports/not-executed?quarter=2026Q5",
        None,
    )
    .await;
    assert_eq!(status, 422, "{answer}");

    let (status, report) = call(&app, "GET", Some(&s.manager), path, None).await;
    assert_eq!(status, 200, "{report}");
    let lines = report["lines"].as_array().unwrap();
    let listed: Vec<(i64, String)> = lines
        .iter()
        .map(|l| {
            (
                l["decision_id"].as_i64().unwrap(),
                l["waiting"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (ids[4], "interrupted".to_owned()),
            (ids[3], "not_started".to_owned()),
            (ids[0], "not_started".to_owned()),
        ]
    );
    let first = lines.iter().find(|l| l["decision_id"] == ids[0]).unwrap();
    assert_eq!(first["days_waited"], 93);
    assert_eq!(first["sex"], "man");
    assert_eq!(first["protected_identity"], false);
    assert_eq!(first["reason"], "Ingen ledig avlösare.");
    let late = lines.iter().find(|l| l["decision_id"] == ids[3]).unwrap();
    assert_eq!(late["carried_out_on"], "2026-07-16");

    let res = client()
        .get(app.url(&format!("{path}&format=csv")))
        .header("authorization", format!("Bearer {}", s.manager))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("Ärende;Insats;"), "{csv}");
    assert!(audit_actions(&app)
        .await
        .contains(&"report.not_executed".to_owned()));
}

/// The store's steps take a grant (ADR 17): it reaches only its own case, and a step asks the
/// policy again for its own action, so a carer support officer's grant cannot decide.
#[tokio::test]
async fn a_grant_reaches_only_its_case_and_the_steps_its_role_may_take() {
    let app = app_on_2026_11_25().await;
    let s = staffed(&app, "2026-10-01").await;
    consent(&app, s.case_id, "2026-10-02").await;
    let decisions = format!("/api/v1/cases/{}/decisions", s.case_id);
    let (status, answer) = call(
        &app,
        "POST",
        Some(&s.officer),
        &decisions,
        Some(decision("granted", "2026-10-15")),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let decision_id = answer["id"].as_i64().unwrap();
    let now = app.state.clock.now();
    let origin = Origin::default();

    // The carer support officer of the same unit may read the case, not decide on it.
    let support = testkit::grant(&app, staff_id(&app, "k@kommun.example").await, s.case_id).await;
    let input = store::assessed::DecisionInput {
        applied_id: None,
        insats: Some("Avlösning".into()),
        decision: domain::assessed::validate_decision(
            &domain::assessed::RawDecision {
                outcome: "granted".into(),
                reasons: "Behovet är styrkt i utredningen av ärendet.".into(),
                decided_on: "2026-10-20".into(),
                ..Default::default()
            },
            d("2026-10-01"),
            d("2026-11-25"),
        )
        .unwrap(),
        legal_ref: None,
        communication_waiver: None,
    };
    let denied = store::assessed::decide(
        &app.db,
        &support,
        &input,
        |_, _| Some("SoL".into()),
        None,
        2,
        false,
        now,
        &origin,
    )
    .await;
    assert!(
        matches!(denied, Err(store::StoreError::Denied(_))),
        "{denied:?}"
    );

    // A grant on another case does not reach this case's decision.
    let (status, other) = call(
        &app,
        "POST",
        None,
        "/api/v1/municipalities/0380/applications",
        Some(application("2026-10-03")),
    )
    .await;
    assert_eq!(status, 201, "{other}");
    let elsewhere = testkit::reading_grant(&app, "0380", other["case_id"].as_i64().unwrap()).await;
    assert!(
        store::assessed::decision(&app.db, &elsewhere, decision_id, now, &origin)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store::assessed::decision(&app.db, &support, decision_id, now, &origin)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        count(&app, "decisions").await,
        1,
        "nothing decided by the refused grant"
    );
}

/// The security review's L6, on assessed support: a colleague in another unit decides in a
/// case under emergency access. The decision's audit row, and the read of it, must carry the
/// emergency reason, so the log review sees the write and not only the reads.
#[tokio::test]
async fn a_decision_under_emergency_access_is_logged_with_its_reason() {
    let app = app_on_2026_11_25().await;
    let s = staffed(&app, "2026-10-01").await;
    consent(&app, s.case_id, "2026-10-10").await;
    let other_id = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "annan@kommun.example",
        PW,
        true,
        Some("B"),
    )
    .await;
    let other = token(&app, other_id).await;
    let decisions = format!("/api/v1/cases/{}/decisions", s.case_id);
    let (status, _) = call(
        &app,
        "POST",
        Some(&other),
        &decisions,
        Some(decision("granted", "2026-11-20")),
    )
    .await;
    assert_eq!(status, 403, "not without a reason");

    const REASON: &str = "Handläggaren är sjuk och beslutet måste fattas i dag.";
    let res = client()
        .post(app.url(&decisions))
        .header("authorization", format!("Bearer {other}"))
        .header("anhorigstod-emergency-reason", REASON)
        .json(&decision("granted", "2026-11-20"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let id = answer["id"].as_i64().unwrap();
    // The emergency access runs a while: the read that follows carries the reason too.
    let (status, _) = call(
        &app,
        "GET",
        Some(&other),
        &format!("/api/v1/decisions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // The case's own officer reads it without one.
    let (status, _) = call(
        &app,
        "GET",
        Some(&s.officer),
        &format!("/api/v1/decisions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let rows = store::audit::rows_after(&app.db, 0, 1000).await.unwrap();
    let reasons = |action: &str| -> Vec<Option<String>> {
        rows.iter()
            .filter(|r| r.event.action == action)
            .map(|r| r.event.reason.clone())
            .collect()
    };
    let flagged = Some(format!("emergency: {REASON}"));
    assert_eq!(reasons("decision.create"), std::slice::from_ref(&flagged));
    assert_eq!(reasons("decision.read"), [flagged, None]);
    assert_eq!(
        reasons("application.create"),
        [None],
        "the officer's own steps carry none"
    );
}

#[tokio::test]
async fn one_letter_lists_every_insats_decided_that_day_and_names_the_officer() {
    let app = app_on_2026_11_25().await;
    let s = staffed(&app, "2026-10-01").await;
    consent(&app, s.case_id, "2026-10-02").await;
    let decisions = format!("/api/v1/cases/{}/decisions", s.case_id);
    let (status, first) = call(
        &app,
        "POST",
        Some(&s.officer),
        &decisions,
        Some(decision("granted", "2026-10-15")),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let mut garden = decision("granted", "2026-10-15");
    garden["insats"] = json!("Hjälp att ta hand om trädgården");
    garden["reasons"] =
        json!("Trädgårdsarbetet tar den tid som behövs för vila, och hjälpen avlastar.");
    let (status, second) = call(&app, "POST", Some(&s.officer), &decisions, Some(garden)).await;
    assert_eq!(status, 201, "{second}");
    let officer_id = staff_id(&app, "h@kommun.example").await;
    let grant = testkit::grant(&app, officer_id, s.case_id).await;
    let origin = Origin::default();
    let now = app.state.clock.now();
    for id in [
        first["id"].as_i64().unwrap(),
        second["id"].as_i64().unwrap(),
    ] {
        let d = store::assessed::decision(&app.db, &grant, id, now, &origin)
            .await
            .unwrap()
            .unwrap();
        let doc = web::documents::decision_letter(&app.state, &grant, &d, &origin)
            .await
            .unwrap();
        // One letter for the application's decisions of that day, whichever is asked for.
        assert_eq!(doc.title, "Beslut om din ansökan");
        let text = format!("{doc:?}");
        for needle in [
            "Avlösning i hemmet",
            "Hjälp att ta hand om trädgården",
            "Behovet av avlösning är styrkt",
            "Trädgårdsarbetet tar den tid",
            // The officer who holds the case, reached directly.
            "h@kommun.example",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert_eq!(
            text.matches("Så överklagar du").count(),
            1,
            "one appeal instruction"
        );
    }
    // The same letter from the API, with a staff token; a stranger gets nothing.
    let id = first["id"].as_i64().unwrap();
    let res = client()
        .get(app.url(&format!("/api/v1/decisions/{id}/letter.pdf")))
        .header("authorization", format!("Bearer {}", s.officer))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
    let res = client()
        .get(app.url(&format!("/api/v1/decisions/{id}/letter.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}
