#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Need-to-know without side doors (the security review's H1), written as the attacks: an
//! officer who may not read a person tries to reach them by opening a case for them, by
//! registering an application under their personnummer and taking it, by taking an
//! application someone sent in under it, and by opening a case from a contact request that
//! names them. Each door answers "only with an emergency reason", and a reason that is given
//! shows in the log review as emergency access.

mod common;

use chrono::Utc;
use common::*;
use domain::api_token::Scope;
use serde_json::{json, Value};
use testkit::create_staff;

const PW: &str = "korv med bröd och senap";
/// A valid generated personnummer, registered by the owner.
const NUMBER: &str = "811218-9876";
const STREET: &str = "Provvägen 14";
const REASON: &str = "Handläggaren är sjuk och anhörig ringer nu.";

async fn token(app: &TestApp, user: i64) -> String {
    store::tokens::create(
        &app.db,
        user,
        &[Scope::Write],
        Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap()
}

async fn api(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
    reason: Option<&str>,
) -> (u16, Value) {
    let c = client();
    let mut req = match method {
        "GET" => c.get(app.url(path)),
        _ => c.post(app.url(path)),
    };
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(r) = reason {
        req = req.header("anhorigstod-emergency-reason", r);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The owner (unit A) has registered the person and works on their case; the intruder is a
/// case officer in unit B with no cases. Returns the intruder's token and id, and the person.
async fn scene(app: &TestApp) -> (String, i64, i64) {
    let owner = create_staff(
        app,
        Some("0380"),
        "case-officer",
        "owner@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let intruder = create_staff(
        app,
        Some("0380"),
        "case-officer",
        "intruder@kommun.example",
        PW,
        true,
        Some("B"),
    )
    .await;
    let owner_token = token(app, owner).await;
    let (status, body) = api(
        app,
        Some(&owner_token),
        "POST",
        "/api/v1/persons",
        Some(json!({"given_name": "Demo-Olle", "family_name": "Exempelsson", "personnummer": NUMBER, "address_line": STREET, "city": "Demostad"})),
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let person = body["id"].as_i64().unwrap();
    let (status, body) = api(
        app,
        Some(&owner_token),
        "POST",
        "/api/v1/cases",
        Some(json!({"kind": "open-support", "persons": [person]})),
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (token(app, intruder).await, intruder, person)
}

async fn emergency_joins(app: &TestApp) -> Vec<store::audit::AuditEvent> {
    named(&audit(app).await, store::access::EMERGENCY_JOIN)
}

#[tokio::test]
async fn opening_a_case_for_someone_one_may_not_read_needs_a_reason() {
    let app = spawn_app().await;
    let (t, _, person) = scene(&app).await;
    let person_path = format!("/api/v1/persons/{person}");
    assert_eq!(
        api(&app, Some(&t), "GET", &person_path, None, None).await.0,
        403
    );
    let cases_before = scalar(&app, "SELECT COUNT(*) FROM cases").await;

    // The attack: a case of one's own that names the person.
    let open =
        json!({"kind": "other", "persons": [person, {"id": person, "role": "care_recipient"}]});
    let (status, body) = api(
        &app,
        Some(&t),
        "POST",
        "/api/v1/cases",
        Some(open.clone()),
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Anhorigstod-Emergency-Reason"));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM cases").await,
        cases_before
    );
    let (status, body) = api(&app, Some(&t), "GET", &person_path, None, None).await;
    assert_eq!(status, 403, "still out of reach: {body}");
    assert!(emergency_joins(&app).await.is_empty());

    // A reason too short to say anything is no reason.
    let short = api(
        &app,
        Some(&t),
        "POST",
        "/api/v1/cases",
        Some(open.clone()),
        Some("kort"),
    )
    .await;
    assert_eq!(short.0, 403);

    // With a reason the case opens, and the join is flagged for the log review.
    let (status, body) = api(
        &app,
        Some(&t),
        "POST",
        "/api/v1/cases",
        Some(open),
        Some(REASON),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let flags = emergency_joins(&app).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].persons, [format!("person:{person}")]);
    assert_eq!(
        flags[0].reason.as_deref(),
        Some(format!("emergency: {REASON}").as_str())
    );

    // The unknown and the other municipality's stay a plain 422, as before.
    let (status, body) = api(
        &app,
        Some(&t),
        "POST",
        "/api/v1/cases",
        Some(json!({"kind": "other", "persons": [999_999]})),
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn registering_an_application_under_someones_number_does_not_reach_them() {
    let app = spawn_app().await;
    let (t, _, person) = scene(&app).await;
    let person_path = format!("/api/v1/persons/{person}");
    let (status, body) = api(
        &app,
        Some(&t),
        "POST",
        "/api/v1/municipalities/0380/applications",
        Some(json!({"applicant": {"name": "Demo-Olle Exempelsson", "personnummer": NUMBER}, "requested": ["vaxelvard"], "consent": true, "channel": "phone", "assign_to_me": true})),
        None,
    )
    .await;
    assert_eq!(status, 201, "the application is kept: {body}");
    assert_eq!(body["assigned_to_me"], json!(false), "{body}");
    let case_id = body["case_id"].as_i64().unwrap();
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM cases WHERE id = {case_id} AND assigned_to IS NULL")
        )
        .await,
        1,
        "it waits in the inbox"
    );
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM applications WHERE case_id = {case_id} AND applicant_id = {person}")).await,
        1,
        "linked to the person already registered"
    );
    let (status, body) = api(&app, Some(&t), "GET", &person_path, None, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.to_string().contains(STREET));
}

#[tokio::test]
async fn taking_an_application_sent_in_under_someones_number_asks_for_a_reason() {
    let app = spawn_app().await;
    let (_, intruder, person) = scene(&app).await;
    // Someone sends in an application with the person's number (no sign-in needed).
    let (status, body) = api(
        &app,
        None,
        "POST",
        "/api/v1/municipalities/0380/applications",
        Some(json!({"applicant": {"name": "Demo-Olle Exempelsson", "personnummer": NUMBER}, "requested": ["vaxelvard"], "consent": true})),
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let case_id = body["case_id"].as_i64().unwrap();
    // And one from someone nobody knows yet, which anyone in the inbox may take.
    let (status, body) = api(
        &app,
        None,
        "POST",
        "/api/v1/municipalities/0380/applications",
        Some(json!({"applicant": {"name": "Demo-Nya Sökandesson", "personnummer": "19720211-9942"}, "requested": ["vaxelvard"], "consent": true})),
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let fresh_case = body["case_id"].as_i64().unwrap();

    let mut b = Browser::new(&app);
    b.sign_in(&app, "intruder@kommun.example", PW).await;
    let inbox = b.get("/personal/inkorg?kind=ansokan").await;
    let csrf = inbox.csrf();
    let take = format!("/personal/ansokningar/{case_id}/ta");
    let p = b.post(&take, &[("_csrf", &csrf)]).await;
    assert_eq!(p.status, 200, "asks for a reason instead of taking it");
    assert!(p.body.contains(&format!("action=\"{take}\"")), "{}", p.body);
    assert!(!p.body.contains(STREET));
    let unassigned =
        format!("SELECT COUNT(*) FROM cases WHERE id = {case_id} AND assigned_to IS NULL");
    assert_eq!(scalar(&app, &unassigned).await, 1);
    let p = b.post(&take, &[("_csrf", &csrf), ("reason", "kort")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("error-summary"), "{}", p.body);
    assert_eq!(scalar(&app, &unassigned).await, 1);
    assert!(emergency_joins(&app).await.is_empty());

    let p = b.post(&take, &[("_csrf", &csrf), ("reason", REASON)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM cases WHERE id = {case_id} AND assigned_to = {intruder}"
            )
        )
        .await,
        1
    );
    let flags = emergency_joins(&app).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].persons, [format!("person:{person}")]);

    // The log review lists it with the other emergency access.
    let (mut boss, _) = staff_with_id(&app, "0380", "unit-manager", "boss@kommun.example").await;
    let review = boss.get("/personal/logg?vy=monster").await;
    assert_eq!(review.status, 200);
    assert!(review.body.contains(REASON), "{}", review.body);

    // An applicant known only through their own application: taken without a word.
    let p = b
        .post(
            &format!("/personal/ansokningar/{fresh_case}/ta"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(emergency_joins(&app).await.len(), 1);
}

#[tokio::test]
async fn a_case_from_a_request_naming_someone_links_them_only_with_a_reason() {
    let app = spawn_app().await;
    let (_, _, person) = scene(&app).await;
    let (status, body) = post_json(
        &app,
        "0380",
        &json!({"consent": true, "phone": "070-174 06 60", "name": "Demo-Olle Exempelsson", "personnummer": NUMBER}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    b.sign_in(&app, "intruder@kommun.example", PW).await;
    let form = b
        .get(&format!("/personal/arenden/nytt?fran={reference}"))
        .await;
    let csrf = form.csrf();
    let cases_before = scalar(&app, "SELECT COUNT(*) FROM cases").await;
    let open = |reason: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "open-support".to_owned()),
            ("contact_request", reference.clone()),
            ("reason", reason.to_owned()),
        ]
    };
    let pairs = open("");
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = b.post("/personal/arenden", &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("id=\"f-reason\""),
        "the reason is asked for"
    );
    assert!(
        p.body.contains("href=\"#f-reason\""),
        "and named in the summary"
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM cases").await,
        cases_before
    );

    let pairs = open(REASON);
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = b.post("/personal/arenden", &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let flags = emergency_joins(&app).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].persons, [format!("person:{person}")]);
}
