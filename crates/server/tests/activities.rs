#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Open support's activities against the real server, on the backend of this run: the JSON
//! API and its errors, two sign-ups racing for the last seat, the waitlist, refusals that
//! change nothing, the e-mail outbox and its delivery over real SMTP, the iCalendar feeds
//! read back by an independent parser, the audit rows, the public pages and the staff pages.

mod common;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use common::*;
use domain::activity::{validate_activity, RawActivity};
use domain::clock::Clock;
use icalendar::Component as _;
use mail::{run_once, SmtpSettings, WorkerSettings};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use store::audit::Origin;
use store::outbox::Stored;
use testkit::smtp::SmtpSink;
use testkit::TestClock;

const K: &str = "0380";
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

// ---- setup ----

/// 2026-11-25 10:00 in Stockholm.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

async fn app() -> (TestApp, Arc<TestClock>) {
    let clock = TestClock::new(start());
    let options = testkit::Options {
        clock: clock.clone(),
        ..Default::default()
    };
    (spawn_app_with(options).await, clock)
}

/// Local (Stockholm) wall time, "2026-12-08 18:00".
fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn group(title: &str, capacity: i64) -> RawActivity {
    RawActivity {
        kind: "support_group".into(),
        theme: "dementia".into(),
        title: title.into(),
        description: "Vi ses, fikar och pratar om hur det är att vara anhörig.".into(),
        place_name: "Anhörigcenter".into(),
        place_address: "Storgatan 1, Uppsala".into(),
        capacity: capacity.to_string(),
        reminder_days: "2".into(),
        ..RawActivity::default()
    }
}

fn with(raw: RawActivity, kind: &str, theme: &str) -> RawActivity {
    RawActivity {
        kind: kind.into(),
        theme: theme.into(),
        ..raw
    }
}

/// Creates an activity through the store, with an occasion 18.00–19.30 on each day given.
async fn create(app: &TestApp, raw: RawActivity, days: &[&str]) -> (i64, Vec<i64>) {
    let input = validate_activity(&raw, 0).unwrap();
    let now = app.state.clock.now();
    let origin = Origin::default();
    let id = store::activities::create(&app.db, K, &input, None, now, &origin, None, false)
        .await
        .unwrap();
    let mails = web::mails::Mails::new(&app.state);
    let mut occasions = Vec::new();
    for d in days {
        let o = store::activities::add_occasion(
            &app.db,
            K,
            id,
            at(&format!("{d} 18:00")),
            at(&format!("{d} 19:30")),
            &mails,
            now,
            &origin,
        )
        .await
        .unwrap()
        .unwrap();
        occasions.push(o);
    }
    (id, occasions)
}

async fn cancel_occasion(app: &TestApp, activity: i64, occasion: i64) {
    let mails = web::mails::Mails::new(&app.state);
    store::activities::cancel_occasion(
        &app.db,
        K,
        activity,
        occasion,
        "Lokalen är upptagen den dagen.",
        &mails,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
    .unwrap();
}

// ---- HTTP ----

fn person(name: &str, email: &str) -> Value {
    json!({ "name": name, "email": email, "consent": true })
}

async fn sign_up(app: &TestApp, activity: i64, body: &Value) -> (u16, Value) {
    let r = client()
        .post(app.url(&format!("/api/v1/activities/{activity}/signups")))
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Signs up and expects 201; returns (sign-up id, token, status).
async fn signed(app: &TestApp, activity: i64, body: &Value) -> (i64, String, String) {
    let (status, b) = sign_up(app, activity, body).await;
    assert_eq!(status, 201, "{b}");
    let token = b["token"].as_str().unwrap().to_owned();
    assert!(
        token.len() == 32 && token.bytes().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    let id = scalar(
        app,
        &format!("SELECT id FROM signups WHERE token = '{token}'"),
    )
    .await;
    (id, token, b["status"].as_str().unwrap().to_owned())
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str) -> (u16, Value) {
    let r = client()
        .request(method, app.url(path))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    send(app, reqwest::Method::GET, path).await
}

async fn delete(app: &TestApp, path: &str) -> (u16, Value) {
    send(app, reqwest::Method::DELETE, path).await
}

/// The Swedish messages of one field in a 422 answer.
fn errors_of(body: &Value, field: &str) -> Vec<String> {
    body["errors"][field]
        .as_array()
        .unwrap_or_else(|| panic!("no errors for {field}: {body}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

// ---- the database ----

async fn status_of(app: &TestApp, signup: i64) -> String {
    text(
        app,
        &format!("SELECT status FROM signups WHERE id = {signup}"),
    )
    .await
}

async fn confirmed_in(app: &TestApp, activity: i64) -> i64 {
    scalar(
        app,
        &format!(
            "SELECT COUNT(*) FROM signups WHERE activity_id = {activity} AND status = 'confirmed'"
        ),
    )
    .await
}

/// Rows in signups, outbox and audit_log.
async fn counts(app: &TestApp) -> [i64; 3] {
    [
        scalar(app, "SELECT COUNT(*) FROM signups").await,
        scalar(app, "SELECT COUNT(*) FROM outbox").await,
        scalar(app, "SELECT COUNT(*) FROM audit_log").await,
    ]
}

async fn outbox(app: &TestApp, about: &str) -> Vec<Stored> {
    store::outbox::list(&app.db, about).await.unwrap()
}

async fn mail_about(app: &TestApp, signup: i64) -> Vec<Stored> {
    outbox(app, &format!("signup:{signup}")).await
}

async fn reminder(app: &TestApp, occasion: i64, signup: i64) -> Vec<Stored> {
    outbox(app, &format!("occasion:{occasion}:signup:{signup}")).await
}

fn kinds(rows: &[Stored]) -> Vec<&str> {
    rows.iter().map(|r| r.kind.as_str()).collect()
}

fn persons(ids: &[i64]) -> BTreeSet<String> {
    ids.iter().map(|i| format!("signup:{i}")).collect()
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

// ---- staff ----

async fn csrf(b: &mut Browser) -> String {
    let p = b.get("/personal/aktiviteter/ny").await;
    assert_eq!(p.status, 200, "{}", p.body);
    p.csrf()
}

async fn staff_post(b: &mut Browser, path: &str, form: &[(&str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

/// Where the edit form of an activity posts, as a browser finds it on the page: the form
/// with the title field (the page also has the sign-out form).
async fn edit_action(b: &mut Browser, id: i64) -> String {
    let p = b.get(&format!("/personal/aktiviteter/{id}/andra")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let form = p
        .body
        .split("<form ")
        .find(|f| f[..f.find("</form>").unwrap_or(f.len())].contains("name=\"title\""))
        .unwrap_or_else(|| panic!("no edit form: {}", p.body));
    let action = form
        .split_once("action=\"")
        .unwrap_or_else(|| panic!("no action: {form}"))
        .1;
    action[..action.find('"').unwrap()].to_owned()
}

fn activity_form(csrf: &str, title: &str, capacity: i64) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.to_owned()),
        ("kind", "support_group".into()),
        ("theme", "dementia".into()),
        ("title", title.into()),
        (
            "description",
            "Vi ses, fikar och pratar om hur det är att vara anhörig.".into(),
        ),
        ("audience", "Dig som är anhörig".into()),
        ("place_name", "Anhörigcenter".into()),
        ("place_address", "Storgatan 1, Uppsala".into()),
        ("step_free", "yes".into()),
        ("capacity", capacity.to_string()),
        ("cost", String::new()),
        ("signup_deadline", String::new()),
        ("reminder_days", "2".into()),
    ]
}

// ---- 1. the API ----

#[tokio::test]
async fn the_api_lists_signs_up_shows_and_cancels() {
    let (app, _) = app().await;
    let (id, occasions) = create(
        &app,
        group("Samtalsgrupp om demens", 2),
        &["2026-12-08", "2026-12-15"],
    )
    .await;

    let (status, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let a = &list[0];
    assert_eq!(a["id"], id);
    assert_eq!(a["title"], "Samtalsgrupp om demens");
    assert_eq!(a["capacity"], 2);
    assert_eq!(a["seats_left"], 2);
    let listed: Vec<i64> = a["occasions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, occasions);

    // The minimal body: name, e-mail, consent.
    let (anna, anna_token, status) =
        signed(&app, id, &person("Anna Anhörig", "anna@example.org")).await;
    assert_eq!(status, "confirmed");
    let events = audit(&app).await;
    let created = named(&events, "signup.create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].object_id, Some(anna.to_string()));
    assert_eq!(set(&created[0].persons), persons(&[anna]));
    assert_eq!(created[0].kommunkod.as_deref(), Some(K));

    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(list[0]["seats_left"], 1);

    // Reading the status by the token is a logged read.
    let (status, s) = get_json(&app, &format!("/api/v1/signups/{anna_token}")).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["status"], "confirmed");
    assert_eq!(s["activity_id"], id);
    let reads = named(&audit(&app).await, "signup.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(set(&reads[0].persons), persons(&[anna]));

    let (_, _, status) = signed(&app, id, &person("Bo Bror", "bo@example.org")).await;
    assert_eq!(status, "confirmed");
    let (cecilia, cecilia_token, status) =
        signed(&app, id, &person("Cecilia Syster", "cecilia@example.org")).await;
    assert_eq!(status, "waitlisted");
    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(list[0]["seats_left"], 0);

    // Cancelling: 200, then 409 for the same token; the freed seat is taken from the queue.
    let (status, body) = delete(&app, &format!("/api/v1/signups/{anna_token}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let (_, s) = get_json(&app, &format!("/api/v1/signups/{anna_token}")).await;
    assert_eq!(s["status"], "cancelled");
    let (status, body) = delete(&app, &format!("/api/v1/signups/{anna_token}")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "Anmälan är redan avbokad.");
    let (_, s) = get_json(&app, &format!("/api/v1/signups/{cecilia_token}")).await;
    assert_eq!(s["status"], "confirmed");
    assert_eq!(status_of(&app, cecilia).await, "confirmed");
    assert_eq!(status_of(&app, anna).await, "cancelled");

    // Unknown tokens, well-formed or not, and unknown activities.
    let before = counts(&app).await;
    for token in ["0123456789abcdef0123456789abcdef", "nope"] {
        let (status, _) = get_json(&app, &format!("/api/v1/signups/{token}")).await;
        assert_eq!(status, 404, "GET {token}");
        let (status, _) = delete(&app, &format!("/api/v1/signups/{token}")).await;
        assert_eq!(status, 404, "DELETE {token}");
    }
    for path in [
        "/api/v1/activities/999999/signups",
        "/api/v1/activities/abc/signups",
    ] {
        let r = client()
            .post(app.url(path))
            .json(&person("Dora", "dora@example.org"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let (status, _) = get_json(&app, "/api/v1/municipalities/9999/activities").await;
    assert_eq!(status, 404);
    assert_eq!(counts(&app).await, before, "nothing stored or logged");

    // The municipality's calendar through the API.
    let r = client()
        .get(app.url("/api/v1/municipalities/0380/activities.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let body = r.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 2);
}

#[tokio::test]
async fn bad_api_input_is_refused_in_swedish_and_stores_nothing() {
    let (app, _) = app().await;
    let (id, _) = create(&app, group("Anhörigcafé", 10), &["2026-12-08"]).await;
    let path = format!("/api/v1/activities/{id}/signups");
    let before = counts(&app).await;

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"email": "a@example.org", "consent": true}),
            "name",
            "Fyll i ditt namn.",
        ),
        (
            json!({"name": "Anna", "email": "a@example.org"}),
            "consent",
            "Du behöver samtycka för att vi ska kunna spara din anmälan.",
        ),
        (
            json!({"name": "Anna", "email": "a@example.org", "consent": false}),
            "consent",
            "Du behöver samtycka för att vi ska kunna spara din anmälan.",
        ),
        (
            json!({"name": "Anna", "consent": true}),
            "email",
            "Fyll i e-post eller telefon, så att vi kan nå dig.",
        ),
        (
            json!({"name": "Anna", "email": "inte-en-adress", "consent": true}),
            "email",
            "Skriv e-postadressen så här: namn@exempel.se",
        ),
        (
            json!({"name": "Anna", "email": "a@example.org", "consent": true, "needs": ["teleport"]}),
            "needs",
            "Välj ett av alternativen.",
        ),
        (
            json!({"name": 5, "email": "a@example.org", "consent": true}),
            "name",
            "Värdet ska vara text.",
        ),
        (
            json!({"name": "Anna", "email": "a@example.org", "consent": "yes"}),
            "consent",
            "Värdet ska vara true eller false.",
        ),
        (
            json!({"name": "Anna", "email": "a@example.org", "consent": true, "needs": "interpreter"}),
            "needs",
            "Värdet ska vara en lista med text.",
        ),
    ];
    for (body, field, message) in &cases {
        let (status, answer) = sign_up(&app, id, body).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert_eq!(errors_of(&answer, field), [*message], "{body} → {answer}");
    }
    // Everything wrong at once is named field by field.
    let (status, answer) = sign_up(&app, id, &json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(errors_of(&answer, "name"), ["Fyll i ditt namn."]);
    assert_eq!(
        errors_of(&answer, "email"),
        ["Fyll i e-post eller telefon, så att vi kan nå dig."]
    );
    assert_eq!(errors_of(&answer, "consent").len(), 1);

    // Not JSON, malformed JSON, not an object.
    let raw = |content_type: &'static str, body: &'static str| {
        client()
            .post(app.url(&path))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let r = raw(
        "text/plain",
        r#"{"name": "Anna", "email": "a@example.org", "consent": true}"#,
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        b["error"],
        "Skicka JSON med Content-Type: application/json."
    );
    let r = raw("application/json", r#"{"name": "Anna", "#)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(
        b["error"]
            .as_str()
            .unwrap()
            .starts_with("Förfrågan är inte giltig JSON"),
        "{b}"
    );
    let r = raw("application/json", r#"["Anna"]"#).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"], "Förfrågan ska vara ett JSON-objekt.");

    assert_eq!(
        counts(&app).await,
        before,
        "no sign-up, message or audit row"
    );
    let (status, _) = sign_up(&app, id, &person("Anna", "a@example.org")).await;
    assert_eq!(status, 201, "the good body still goes through");
}

// ---- 2. capacity ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sign_ups_racing_for_the_last_seat_never_both_get_it() {
    let (app, _) = app().await;
    let c = client();
    for round in 0..6 {
        let (id, _) = create(&app, group(&format!("Runda {round}"), 1), &["2026-12-08"]).await;
        let url = app.url(&format!("/api/v1/activities/{id}/signups"));
        let first = c
            .post(&url)
            .json(&person("Anna", &format!("anna{round}@example.org")))
            .send();
        let second = c
            .post(&url)
            .json(&person("Bo", &format!("bo{round}@example.org")))
            .send();
        let (first, second) = tokio::join!(first, second);
        let mut seats = Vec::new();
        for r in [first.unwrap(), second.unwrap()] {
            assert_eq!(r.status().as_u16(), 201);
            let b: Value = r.json().await.unwrap();
            seats.push(b["status"].as_str().unwrap().to_owned());
        }
        seats.sort();
        assert_eq!(seats, ["confirmed", "waitlisted"], "round {round}");
        assert_eq!(confirmed_in(&app, id).await, 1, "round {round}");
    }
    // Three for the last two seats of a group where one is already taken.
    let (id, _) = create(&app, group("Tre om två", 3), &["2026-12-08"]).await;
    signed(&app, id, &person("Först", "forst@example.org")).await;
    let url = app.url(&format!("/api/v1/activities/{id}/signups"));
    let post = |n: u32| {
        c.post(&url)
            .json(&person("Racer", &format!("racer{n}@example.org")))
            .send()
    };
    let (x, y, z) = tokio::join!(post(1), post(2), post(3));
    let mut seats = Vec::new();
    for r in [x.unwrap(), y.unwrap(), z.unwrap()] {
        assert_eq!(r.status().as_u16(), 201);
        let b: Value = r.json().await.unwrap();
        seats.push(b["status"].as_str().unwrap().to_owned());
    }
    seats.sort();
    assert_eq!(seats, ["confirmed", "confirmed", "waitlisted"]);
    assert_eq!(confirmed_in(&app, id).await, 3);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM activities a WHERE (SELECT COUNT(*) FROM signups s \
             WHERE s.activity_id = a.id AND s.status = 'confirmed') > a.capacity"
        )
        .await,
        0,
        "no activity over capacity"
    );
}

// ---- 3. the waitlist ----

#[tokio::test]
async fn a_freed_seat_and_a_larger_capacity_go_to_the_queue_in_order() {
    let (app, _) = app().await;
    let (id, occasions) = create(&app, group("Anhörigcafé", 1), &["2026-12-08"]).await;
    let o = occasions[0];
    let (a, a_token, s) = signed(&app, id, &person("Anna", "anna@example.org")).await;
    assert_eq!(s, "confirmed");
    let (b, _, s) = signed(&app, id, &person("Bo", "bo@example.org")).await;
    assert_eq!(s, "waitlisted");
    let (c, _, s) = signed(&app, id, &person("Cecilia", "cecilia@example.org")).await;
    assert_eq!(s, "waitlisted");
    assert_eq!(kinds(&mail_about(&app, b).await), ["waitlisted"]);
    assert!(
        reminder(&app, o, b).await.is_empty(),
        "no reminder in the queue"
    );
    assert_eq!(reminder(&app, o, a).await[0].status, "pending");

    let (status, _) = delete(&app, &format!("/api/v1/signups/{a_token}")).await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, a).await, "cancelled");
    assert_eq!(
        status_of(&app, b).await,
        "confirmed",
        "the first in the queue"
    );
    assert_eq!(status_of(&app, c).await, "waitlisted");
    let to_b = mail_about(&app, b).await;
    assert_eq!(kinds(&to_b), ["waitlisted", "promotion"]);
    assert_eq!(to_b[1].to, "bo@example.org");
    assert_eq!(to_b[1].subject, "Du har fått en plats: Anhörigcafé");
    assert_eq!(to_b[1].status, "pending");
    assert_eq!(kinds(&mail_about(&app, c).await), ["waitlisted"]);
    assert_eq!(kinds(&reminder(&app, o, b).await), ["reminder"]);
    assert_eq!(
        reminder(&app, o, a).await[0].status,
        "void",
        "the cancelled one's reminder does not go"
    );
    assert_eq!(
        kinds(&mail_about(&app, a).await),
        ["confirmation", "cancelled"]
    );
    let cancel = named(&audit(&app).await, "signup.cancel");
    assert_eq!(set(&cancel[0].persons), persons(&[a, b]));

    // The officer raises the capacity: the next in the queue gets the seat.
    let mut officer = staff(
        &app,
        K,
        "carer-support-officer",
        "konsulent@uppsala.example",
    )
    .await;
    let token = csrf(&mut officer).await;
    let edit = edit_action(&mut officer, id).await;
    let p = staff_post(
        &mut officer,
        &edit,
        &activity_form(&token, "Anhörigcafé", 2),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/personal/aktiviteter/{id}?klart=saved").as_str())
    );
    assert_eq!(status_of(&app, c).await, "confirmed");
    let to_c = mail_about(&app, c).await;
    assert_eq!(kinds(&to_c), ["waitlisted", "promotion"]);
    assert_eq!(to_c[1].to, "cecilia@example.org");
    let update = named(&audit(&app).await, "activity.update");
    assert_eq!(set(&update[0].persons), persons(&[c]));

    // Below the two now confirmed: refused with the reason, and nothing changes.
    let before = counts(&app).await;
    let p = staff_post(
        &mut officer,
        &edit,
        &activity_form(&token, "Anhörigcafé, nytt namn", 1),
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body
            .contains("Antalet platser kan inte bli färre än antalet som redan har fått en plats."),
        "{}",
        p.body
    );
    assert!(p.body.contains("href=\"#f-capacity\""), "{}", p.body);
    assert_eq!(counts(&app).await, before);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT capacity FROM activities WHERE id = {id}")
        )
        .await,
        2
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT title FROM activities WHERE id = {id}")
        )
        .await,
        "Anhörigcafé"
    );
    assert_eq!(confirmed_in(&app, id).await, 2);
}

// ---- 4. refusals ----

#[tokio::test]
async fn closed_activities_double_sign_ups_and_used_links_are_refused_and_change_nothing() {
    let (app, clock) = app().await;
    let late = create(
        &app,
        RawActivity {
            signup_deadline: "2026-11-30".into(),
            ..with(
                group("Kurs med sista anmälningsdag", 10),
                "course",
                "general",
            )
        },
        &["2026-12-10"],
    )
    .await
    .0;
    let (cancelled, _) = create(&app, group("Inställd grupp", 10), &["2026-12-10"]).await;
    let mails = web::mails::Mails::new(&app.state);
    store::activities::cancel_activity(
        &app.db,
        K,
        cancelled,
        "Gruppen läggs ned i år.",
        &mails,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
    .unwrap();
    let (bare, bare_occasions) =
        create(&app, group("Grupp utan tillfälle", 10), &["2026-12-10"]).await;
    cancel_occasion(&app, bare, bare_occasions[0]).await;
    let (open, _) = create(&app, group("Öppen grupp", 10), &["2026-12-10"]).await;
    signed(&app, open, &person("Anna", "anna@example.org")).await;
    let (phone_signup, phone_token, _) = signed(
        &app,
        open,
        &json!({"name": "Bo", "phone": "070-123 45 67", "consent": true}),
    )
    .await;

    // The deadline is the last day, in Swedish time: 23:59 on it is still in time.
    clock.advance(Duration::days(5) + Duration::hours(13) + Duration::minutes(59));
    assert_eq!(
        domain::clock::stockholm_local(clock.now()),
        at("2026-11-30 23:59")
    );
    signed(&app, late, &person("I tid", "itid@example.org")).await;
    clock.advance(Duration::minutes(1));

    let before = counts(&app).await;
    let refusals: Vec<(i64, Value, &str, &str)> = vec![
        (
            late,
            person("För sent", "sent@example.org"),
            "activity",
            "Sista dag att anmäla sig har passerat.",
        ),
        (
            cancelled,
            person("Carl", "carl@example.org"),
            "activity",
            "Aktiviteten är inställd. Det går inte att anmäla sig.",
        ),
        (
            bare,
            person("Carl", "carl@example.org"),
            "activity",
            "Det finns inga fler tillfällen att anmäla sig till.",
        ),
        (
            open,
            person("Anna igen", "ANNA@Example.ORG"),
            "email",
            "Du är redan anmäld till den här aktiviteten med samma e-post eller telefon.",
        ),
        (
            open,
            json!({"name": "Bo igen", "phone": "+46 70 123 45 67", "consent": true}),
            "phone",
            "Du är redan anmäld till den här aktiviteten med samma e-post eller telefon.",
        ),
    ];
    for (activity, body, field, message) in &refusals {
        let (status, answer) = sign_up(&app, *activity, body).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert_eq!(errors_of(&answer, field), [*message], "{body} → {answer}");
        assert_eq!(counts(&app).await, before, "{body}: nothing written");
    }
    // The public form says the same, beside the activity, and stores nothing either.
    let (status, _, body) = post_form(
        &app,
        &format!("/kommun/0380/aktiviteter/{late}"),
        &[
            ("name", "För sent"),
            ("email", "sent@example.org"),
            ("consent", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Sista dag att anmäla sig har passerat."),
        "{body}"
    );
    assert!(!body.contains("id=\"signup-form\""), "no form when closed");
    assert_eq!(counts(&app).await, before);

    // A used link: the second cancellation is refused and writes nothing.
    let (status, _) = delete(&app, &format!("/api/v1/signups/{phone_token}")).await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, phone_signup).await, "cancelled");
    let before = counts(&app).await;
    let (status, _) = delete(&app, &format!("/api/v1/signups/{phone_token}")).await;
    assert_eq!(status, 409);
    for token in ["ffffffffffffffffffffffffffffffff", "inte-en-token"] {
        assert_eq!(
            delete(&app, &format!("/api/v1/signups/{token}")).await.0,
            404
        );
        assert_eq!(
            get_json(&app, &format!("/api/v1/signups/{token}")).await.0,
            404
        );
    }
    assert_eq!(counts(&app).await, before);
    // Only a live sign-up counts as a double: after cancelling, the number may sign up again.
    let (_, _, s) = signed(
        &app,
        open,
        &json!({"name": "Bo", "phone": "+46 70 123 45 67", "consent": true}),
    )
    .await;
    assert_eq!(s, "confirmed");
}

// ---- 5. e-mail ----

#[tokio::test]
async fn sign_up_mail_is_written_with_the_change_and_delivered_over_smtp_with_retries() {
    let (app, clock) = app().await;
    let raw = RawActivity {
        reminder_days: "3".into(),
        ..group("Samtalsgrupp för anhöriga", 5)
    };
    let (id, occasions) = create(&app, raw, &["2026-12-08", "2026-12-15"]).await;
    let (s, token, status) = signed(&app, id, &person("Åsa Öberg", "asa@example.org")).await;
    assert_eq!(status, "confirmed");
    let now = clock.now();

    let mine = mail_about(&app, s).await;
    assert_eq!(kinds(&mine), ["confirmation"]);
    assert_eq!(mine[0].to, "asa@example.org");
    assert_eq!(mine[0].subject, "Du är anmäld: Samtalsgrupp för anhöriga");
    assert_eq!(mine[0].status, "pending");
    assert_eq!(mine[0].next_attempt_at, now.timestamp());
    let link = format!("http://127.0.0.1:8080/kommun/0380/anmalan/{token}");
    assert!(mine[0].text.contains(&link), "{}", mine[0].text);
    for (o, day) in occasions.iter().zip(["2026-12-08", "2026-12-15"]) {
        let r = reminder(&app, *o, s).await;
        assert_eq!(kinds(&r), ["reminder"], "occasion {o}");
        assert_eq!(r[0].status, "pending");
        assert_eq!(r[0].subject, "Påminnelse: Samtalsgrupp för anhöriga");
        let due = domain::clock::from_stockholm(at(&format!("{day} 18:00"))) - Duration::days(3);
        assert_eq!(r[0].next_attempt_at, due.timestamp(), "3 days before");
    }

    // An occasion is cancelled: its reminder is void and the participant is told.
    cancel_occasion(&app, id, occasions[1]).await;
    assert_eq!(reminder(&app, occasions[1], s).await[0].status, "void");
    assert_eq!(reminder(&app, occasions[0], s).await[0].status, "pending");
    let mine = mail_about(&app, s).await;
    assert_eq!(kinds(&mine), ["confirmation", "occasion_cancelled"]);
    assert_eq!(
        mine[1].subject,
        "Ett tillfälle är inställt: Samtalsgrupp för anhöriga"
    );
    assert!(
        mine[1].text.contains("tisdag 15 december 2026"),
        "{}",
        mine[1].text
    );

    // Delivery through a real SMTP server: what is due goes, the reminder waits.
    let mut sink = SmtpSink::start();
    let smtp = SmtpSettings {
        timeout: std::time::Duration::from_secs(10),
        ..SmtpSettings::new(
            "127.0.0.1",
            sink.port(),
            "Anhörigstöd <noreply@example.org>",
        )
    };
    let w = WorkerSettings::default();
    assert_eq!(
        run_once(&app.db, clock.as_ref(), &smtp, &w).await.unwrap(),
        2
    );
    let got = sink.wait_for(2, WAIT).await;
    assert_eq!(got.len(), 2);
    let confirmation = got
        .iter()
        .find(|m| m.message_id == mine[0].message_id)
        .unwrap_or_else(|| panic!("no confirmation among {got:?}"));
    assert_eq!(confirmation.to, "asa@example.org");
    assert_eq!(
        confirmation.subject,
        "Du är anmäld: Samtalsgrupp för anhöriga"
    );
    assert!(
        confirmation.text.contains("Hej Åsa Öberg!"),
        "{}",
        confirmation.text
    );
    assert!(
        confirmation
            .text
            .contains(&format!("/kommun/0380/anmalan/{token}")),
        "{}",
        confirmation.text
    );
    assert!(
        confirmation
            .html
            .contains(&format!("/kommun/0380/anmalan/{token}")),
        "{}",
        confirmation.html
    );
    assert!(
        confirmation
            .text
            .contains("tisdag 8 december 2026, kl. 18.00–19.30"),
        "{}",
        confirmation.text
    );
    for m in &mail_about(&app, s).await {
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 1), "{}", m.kind);
    }
    assert_eq!(reminder(&app, occasions[0], s).await[0].status, "pending");

    // The server is down when the participant cancels: the message waits, with the error.
    sink.stop();
    let (status, _) = delete(&app, &format!("/api/v1/signups/{token}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        run_once(&app.db, clock.as_ref(), &smtp, &w).await.unwrap(),
        0
    );
    let cancelled = mail_about(&app, s).await.pop().unwrap();
    assert_eq!(cancelled.kind, "cancelled");
    assert_eq!(cancelled.status, "pending");
    assert!(cancelled.attempts >= 1);
    assert!(cancelled
        .last_error
        .as_deref()
        .is_some_and(|e| !e.is_empty()));
    assert!(cancelled.next_attempt_at > clock.now().timestamp());
    assert_eq!(
        reminder(&app, occasions[0], s).await[0].status,
        "void",
        "no reminder after cancelling"
    );

    // Back up, but not yet due; then past the retry it goes.
    sink.restart();
    assert_eq!(
        run_once(&app.db, clock.as_ref(), &smtp, &w).await.unwrap(),
        0
    );
    clock.advance(Duration::seconds(w.retry_base_seconds + 1));
    assert_eq!(
        run_once(&app.db, clock.as_ref(), &smtp, &w).await.unwrap(),
        1
    );
    let got = sink.wait_for(3, WAIT).await;
    assert_eq!(got.len(), 3);
    let last = got
        .iter()
        .find(|m| m.message_id == cancelled.message_id)
        .unwrap();
    assert_eq!(
        last.subject,
        "Din anmälan är avbokad: Samtalsgrupp för anhöriga"
    );
    let cancelled = mail_about(&app, s).await.pop().unwrap();
    assert_eq!((cancelled.status.as_str(), cancelled.attempts), ("sent", 2));

    // Past the occasions nothing more goes; every Message-ID arrived exactly once.
    clock.advance(Duration::days(30));
    assert_eq!(
        run_once(&app.db, clock.as_ref(), &smtp, &w).await.unwrap(),
        0
    );
    let got = sink.messages();
    let sent: Vec<Stored> = outbox(&app, "")
        .await
        .into_iter()
        .filter(|m| m.status == "sent")
        .collect();
    assert_eq!(sent.len(), 3);
    assert_eq!(got.len(), 3);
    for m in &sent {
        let copies = got.iter().filter(|r| r.message_id == m.message_id).count();
        assert_eq!(
            copies, 1,
            "{} ({}) received {copies} times",
            m.message_id, m.kind
        );
    }
}

// ---- 6. iCalendar ----

fn prop<'a>(c: &'a icalendar::parser::Component<'a>, name: &str) -> String {
    c.find_prop(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .val
        .as_str()
        .to_owned()
}

/// Reads a feed with the `icalendar` crate's parser: (UID, DTSTART, its TZID, STATUS, SUMMARY)
/// per event, in order.
fn read_feed(body: &str) -> Vec<(String, String, String, String, String)> {
    let unfolded = icalendar::parser::unfold(body);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|e| {
            let start = e.find_prop("DTSTART").unwrap();
            let tzid = start
                .params
                .iter()
                .find(|p| p.key.as_str() == "TZID")
                .and_then(|p| p.val.as_ref())
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default();
            (
                prop(e, "UID"),
                start.val.as_str().to_owned(),
                tzid,
                prop(e, "STATUS"),
                prop(e, "SUMMARY"),
            )
        })
        .collect()
}

async fn calendar(app: &TestApp, path: &str) -> String {
    let r = client().get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/calendar"), "{path}: {ct}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_calendar_feeds_read_back_with_an_independent_parser() {
    let (app, _) = app().await;
    let title = "Samtalsgrupp, demens; jul";
    let (a, occ) = create(&app, group(title, 8), &["2026-12-08", "2026-12-15"]).await;
    let (b, occ_b) = create(
        &app,
        with(group("Föreläsning om stroke", 50), "lecture", "stroke"),
        &["2027-01-12"],
    )
    .await;
    cancel_occasion(&app, a, occ[1]).await;
    let uid = |o: i64| format!("occasion-{o}@anhorigstod.0380");
    let tz = "Europe/Stockholm".to_owned();

    let feed = calendar(&app, "/kommun/0380/aktiviteter.ics").await;
    let mut events = read_feed(&feed);
    events.sort();
    let mut expected = vec![
        (
            uid(occ[0]),
            "20261208T180000".to_owned(),
            tz.clone(),
            "CONFIRMED".to_owned(),
            title.to_owned(),
        ),
        (
            uid(occ[1]),
            "20261215T180000".to_owned(),
            tz.clone(),
            "CANCELLED".to_owned(),
            title.to_owned(),
        ),
        (
            uid(occ_b[0]),
            "20270112T180000".to_owned(),
            tz.clone(),
            "CONFIRMED".to_owned(),
            "Föreläsning om stroke".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(events, expected, "{feed}");
    let api = calendar(&app, "/api/v1/municipalities/0380/activities.ics").await;
    let mut api_events = read_feed(&api);
    api_events.sort();
    assert_eq!(api_events, expected);

    // The typed reader agrees on times, zone and status.
    let cal = icalendar::Calendar::from_str(&feed).unwrap();
    let cancelled = cal
        .events()
        .find(|e| e.get_uid() == Some(uid(occ[1]).as_str()))
        .unwrap();
    assert_eq!(
        cancelled.get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );
    assert_eq!(
        cancelled.get_start(),
        Some(icalendar::DatePerhapsTime::DateTime(
            icalendar::CalendarDateTime::WithTimezone {
                date_time: at("2026-12-15 18:00"),
                tzid: tz.clone(),
            }
        ))
    );
    assert_eq!(
        cancelled.get_end(),
        Some(icalendar::DatePerhapsTime::DateTime(
            icalendar::CalendarDateTime::WithTimezone {
                date_time: at("2026-12-15 19:30"),
                tzid: tz.clone(),
            }
        ))
    );
    assert!(
        cancelled.get_sequence().unwrap() >= 1,
        "a change subscribers see"
    );

    // One activity's own feed holds its occasions only.
    let own = calendar(&app, &format!("/kommun/0380/aktiviteter/{a}/kalender.ics")).await;
    let own_events = read_feed(&own);
    let uids: Vec<&str> = own_events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(uids, [uid(occ[0]), uid(occ[1])]);
    assert_eq!(own_events[1].3, "CANCELLED");
    let cal = icalendar::Calendar::from_str(&own).unwrap();
    assert_eq!(cal.events().count(), 2);
    assert_eq!(
        cal.events().next().unwrap().get_url(),
        Some(format!("http://127.0.0.1:8080/kommun/0380/aktiviteter/{a}").as_str())
    );
    for path in [
        "/kommun/0380/aktiviteter/999999/kalender.ics".to_owned(),
        format!("/kommun/0180/aktiviteter/{b}/kalender.ics"),
    ] {
        assert_eq!(page(&app, &path).await.0, 404, "{path}");
    }
}

// ---- 8. public pages ----

#[tokio::test]
async fn the_public_pages_sign_up_show_the_status_and_cancel() {
    let (app, _) = app().await;
    let (id, _) = create(&app, group("Anhörigträff", 3), &["2026-12-08"]).await;
    let path = format!("/kommun/0380/aktiviteter/{id}");
    let (status, body) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("method=\"post\" action=\"{path}\"")),
        "{body}"
    );
    assert!(body.contains("3 platser kvar"), "{body}");

    // Errors: 422, a summary that links to the fields, each message beside its field.
    let before = counts(&app).await;
    let (status, _, body) = post_form(
        &app,
        &path,
        &[("name", " "), ("email", "inte-en-adress"), ("phone", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("class=\"error-summary\""), "{body}");
    assert!(body.contains("Något behöver rättas"));
    for (field, message) in [
        ("name", "Fyll i ditt namn."),
        ("email", "Skriv e-postadressen så här: namn@exempel.se"),
        (
            "consent",
            "Du behöver samtycka för att vi ska kunna spara din anmälan.",
        ),
    ] {
        assert!(
            body.contains(&format!("<a href=\"#f-{field}\">")),
            "{field} in the summary"
        );
        let beside = body
            .split(&format!("id=\"f-{field}-error\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no message beside {field}"));
        assert!(
            beside[..beside.find("</p>").unwrap()].contains(message),
            "{field}: {message}"
        );
    }
    assert!(
        body.contains("value=\"inte-en-adress\""),
        "what was typed stays"
    );
    assert_eq!(counts(&app).await, before);

    // Signed up: 303 to the participant's own page.
    let (status, location, _) = post_form(
        &app,
        &path,
        &[
            ("name", "Anna Anhörig"),
            ("email", "anna@example.org"),
            ("phone", "070-123 45 67"),
            ("needs", "care_for_recipient"),
            ("consent", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    let token = location
        .strip_prefix("/kommun/0380/anmalan/")
        .unwrap_or_else(|| panic!("{location}"))
        .to_owned();
    assert!(store::activities::well_formed_token(&token), "{token}");
    let r = client().get(app.url(&location)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let body = r.text().await.unwrap();
    assert!(body.contains("<h1>Du är anmäld</h1>"), "{body}");
    assert!(body.contains("Du har fått en plats. Välkommen!"));
    assert!(body.contains("Anna Anhörig") && body.contains("Anhörigträff"));
    assert!(
        body.contains("Då kan du ha rätt till avlösning"),
        "respite pointed to"
    );
    let cancel = format!("/kommun/0380/anmalan/{token}/avboka");
    assert!(
        body.contains(&format!("action=\"{cancel}\"")),
        "the cancel form"
    );
    assert!(body.contains("Avboka min anmälan"));
    assert_eq!(
        named(&audit(&app).await, "signup.read").len(),
        1,
        "the page read is logged"
    );

    // Cancelled from the page: a redirect, and the page says so without the button.
    let (status, location, _) = post_form(&app, &cancel, &[]).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert_eq!(location, format!("/kommun/0380/anmalan/{token}?avbokad=1"));
    let (status, body) = page(&app, &location).await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Anmälan är avbokad</h1>"), "{body}");
    assert!(body.contains("Klart. Din anmälan är avbokad."));
    assert!(body.contains("Den här anmälan är avbokad."));
    assert!(!body.contains("Avboka min anmälan"));
    assert!(!body.contains(&format!("action=\"{cancel}\"")));
    assert_eq!(
        text(
            &app,
            &format!("SELECT cancelled_by FROM signups WHERE token = '{token}'")
        )
        .await,
        "carer"
    );
    // A second press changes nothing and lands on the same page.
    let before = scalar(&app, "SELECT COUNT(*) FROM outbox").await;
    let (status, location, _) = post_form(&app, &cancel, &[]).await;
    assert_eq!(
        (status, location.as_deref()),
        (
            303,
            Some(format!("/kommun/0380/anmalan/{token}?avbokad=1").as_str())
        )
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox").await, before);
    // Unknown tokens, and a token under another municipality.
    for p in [
        "/kommun/0380/anmalan/0123456789abcdef0123456789abcdef".to_owned(),
        format!("/kommun/0180/anmalan/{token}"),
        format!("/kommun/0180/aktiviteter/{id}"),
    ] {
        assert_eq!(page(&app, &p).await.0, 404, "{p}");
    }
}

#[tokio::test]
async fn the_list_filters_by_theme_kind_young_carers_and_date() {
    let (app, _) = app().await;
    let (dementia, _) = create(&app, group("Demensgruppen", 8), &["2026-12-08"]).await;
    let (stroke, _) = create(
        &app,
        with(group("Strokeföreläsningen", 40), "lecture", "stroke"),
        &["2026-12-10"],
    )
    .await;
    let (young_cafe, _) = create(
        &app,
        with(group("Ungdomscaféet", 15), "drop_in", "young_carers"),
        &["2027-01-14"],
    )
    .await;
    let (young_group, _) = create(
        &app,
        RawActivity {
            for_young_carers: true,
            ..group("Unga med en förälder med demens", 8)
        },
        &["2027-02-02"],
    )
    .await;
    let (cancelled, _) = create(&app, group("Inställda gruppen", 8), &["2026-12-09"]).await;
    let mails = web::mails::Mails::new(&app.state);
    store::activities::cancel_activity(
        &app.db,
        K,
        cancelled,
        "Ledaren har slutat.",
        &mails,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
    .unwrap();
    let (past, _) = create(&app, group("Förra terminens grupp", 8), &["2026-11-20"]).await;
    let (no_occasion, occ) =
        create(&app, group("Gruppen utan tillfälle", 8), &["2026-12-11"]).await;
    cancel_occasion(&app, no_occasion, occ[0]).await;
    let all = [
        dementia,
        stroke,
        young_cafe,
        young_group,
        cancelled,
        past,
        no_occasion,
    ];

    let shown = |body: &str| -> Vec<i64> {
        all.iter()
            .copied()
            .filter(|id| body.contains(&format!("href=\"/kommun/0380/aktiviteter/{id}\"")))
            .collect()
    };
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("", vec![dementia, stroke, young_cafe, young_group]),
        ("?tema=dementia", vec![dementia, young_group]),
        ("?typ=support_group", vec![dementia, young_group]),
        ("?typ=lecture&tema=stroke", vec![stroke]),
        ("?tema=stroke&typ=support_group", vec![]),
        ("?unga=1", vec![young_cafe, young_group]),
        ("?tema=dementia&typ=support_group&unga=1", vec![young_group]),
        ("?fran=2026-12-09", vec![stroke, young_cafe, young_group]),
        (
            "?tema=dementia&typ=support_group&unga=1&fran=2027-02-02",
            vec![young_group],
        ),
        (
            "?tema=dementia&typ=support_group&unga=1&fran=2027-02-03",
            vec![],
        ),
        // Unknown values are ignored rather than refused.
        (
            "?tema=teleport&typ=&fran=igar",
            vec![dementia, stroke, young_cafe, young_group],
        ),
    ];
    for (query, expected) in &cases {
        let (status, body) = page(&app, &format!("/kommun/0380/aktiviteter{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(&shown(&body), expected, "{query}");
        // The count in its plural form: "1 aktivitet", "2 aktiviteter".
        let count = match expected.len() {
            1 => "1 aktivitet".to_owned(),
            n => format!("{n} aktiviteter"),
        };
        assert!(body.contains(&format!(">{count}</h2>")), "{query}: {count}");
        if expected.is_empty() {
            assert!(
                body.contains("Just nu finns inga aktiviteter som passar det du valde."),
                "{query}"
            );
        }
    }
    // Soonest first.
    let (_, body) = page(&app, "/kommun/0380/aktiviteter").await;
    let place = |id: i64| {
        body.find(&format!("href=\"/kommun/0380/aktiviteter/{id}\""))
            .unwrap()
    };
    assert!(place(dementia) < place(stroke));
    assert!(place(stroke) < place(young_cafe));
    assert!(place(young_cafe) < place(young_group));
    // The filter the visitor chose stays chosen.
    let (_, body) = page(
        &app,
        "/kommun/0380/aktiviteter?tema=dementia&typ=support_group&unga=1&fran=2026-12-01",
    )
    .await;
    assert!(body.contains("<option value=\"dementia\" selected>"));
    assert!(body.contains("<option value=\"support_group\" selected>"));
    assert!(body.contains("name=\"unga\" value=\"1\" checked>"));
    assert!(body.contains("value=\"2026-12-01\""));
    // The API lists the same activities as the unfiltered page.
    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![dementia, stroke, young_cafe, young_group];
    expected.sort();
    assert_eq!(ids, expected);
}

// ---- 9. staff (and 7. the audit of what they read and record) ----

#[tokio::test]
async fn a_carer_support_officer_runs_an_activity_from_the_staff_pages() {
    let (app, clock) = app().await;
    let mut b = staff(
        &app,
        K,
        "carer-support-officer",
        "konsulent@uppsala.example",
    )
    .await;
    assert_eq!(b.get("/personal/aktiviteter").await.status, 200);
    let token = csrf(&mut b).await;

    // A form with errors stores nothing.
    let activities = scalar(&app, "SELECT COUNT(*) FROM activities").await;
    let mut bad = activity_form(&token, "", 2);
    bad.retain(|(k, _)| *k != "capacity");
    let p = staff_post(&mut b, "/personal/aktiviteter", &bad).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Fyll i det här fältet."), "{}", p.body);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM activities").await,
        activities
    );

    let title = "Samtalsgrupp för anhöriga till personer med demens";
    let p = staff_post(
        &mut b,
        "/personal/aktiviteter",
        &activity_form(&token, title, 2),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let location = p.location.unwrap();
    let id: i64 = location
        .strip_prefix("/personal/aktiviteter/")
        .and_then(|r| r.strip_suffix("#tillfallen"))
        .unwrap_or_else(|| panic!("{location}"))
        .parse()
        .unwrap();
    assert_eq!(
        text(
            &app,
            &format!("SELECT title FROM activities WHERE id = {id}")
        )
        .await,
        title
    );

    // Two occasions: one starting soon (10.20 today), one next week.
    for (date, start, end) in [
        ("2026-11-25", "10:20", "11:30"),
        ("2026-12-02", "18:00", "19:30"),
    ] {
        let p = staff_post(
            &mut b,
            &format!("/personal/aktiviteter/{id}/tillfalle"),
            &[
                ("_csrf", token.clone()),
                ("date", date.into()),
                ("start", start.into()),
                ("end", end.into()),
            ],
        )
        .await;
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(
            p.location.as_deref(),
            Some(format!("/personal/aktiviteter/{id}?klart=occasion-added").as_str())
        );
    }
    let first = scalar(
        &app,
        &format!(
            "SELECT id FROM activity_occasions WHERE activity_id = {id} ORDER BY starts_at LIMIT 1"
        ),
    )
    .await;
    let second = scalar(
        &app,
        &format!(
            "SELECT id FROM activity_occasions WHERE activity_id = {id} ORDER BY starts_at DESC LIMIT 1"
        ),
    )
    .await;
    assert_ne!(first, second);

    let (anna, _, s) = signed(&app, id, &person("Anna Anhörig", "anna@example.org")).await;
    assert_eq!(s, "confirmed");
    let (bo, _, s) = signed(
        &app,
        id,
        &json!({"name": "Bo Bror", "phone": "070-765 43 21", "consent": true}),
    )
    .await;
    assert_eq!(s, "confirmed");
    let (cecilia, _, s) = signed(&app, id, &person("Cecilia Syster", "cecilia@example.org")).await;
    assert_eq!(s, "waitlisted");

    // The activity's page shows who signed up, and the read is logged naming them.
    let p = b.get(&format!("/personal/aktiviteter/{id}")).await;
    assert_eq!(p.status, 200);
    for name in ["Anna Anhörig", "Bo Bror", "Cecilia Syster", "070-765 43 21"] {
        assert!(p.body.contains(name), "{name}");
    }
    assert!(p.body.contains("2 av 2 platser tagna"), "{}", p.body);
    let reads = named(&audit(&app).await, "activity.participants.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(set(&reads[0].persons), persons(&[anna, bo, cecilia]));
    assert_eq!(reads[0].object_id, Some(id.to_string()));
    assert!(reads[0].actor.starts_with("staff:"), "{}", reads[0].actor);

    // Once the first occasion has started: who came (Cecilia is in the queue, not counted).
    clock.advance(Duration::minutes(25));
    let p = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/narvaro"),
        &[
            ("_csrf", token.clone()),
            ("occasion", first.to_string()),
            ("present", anna.to_string()),
            ("present", cecilia.to_string()),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/personal/aktiviteter/{id}?klart=attendance-saved").as_str())
    );
    let marked = |signup: i64| {
        format!(
            "SELECT COUNT(*) FROM attendance WHERE occasion_id = {first} AND signup_id = {signup} AND attended = TRUE"
        )
    };
    assert_eq!(scalar(&app, &marked(anna)).await, 1);
    assert_eq!(scalar(&app, &marked(bo)).await, 0);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM attendance WHERE occasion_id = {first}")
        )
        .await,
        2,
        "both confirmed recorded, the queue not"
    );
    let attendance = named(&audit(&app).await, "activity.attendance");
    assert_eq!(attendance.len(), 1);
    assert_eq!(set(&attendance[0].persons), persons(&[anna, bo]));
    assert_eq!(
        attendance[0].object_id,
        Some(format!("{id}:{first}")),
        "names the occasion"
    );

    // A message to everyone with an e-mail address.
    let p = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/meddelande"),
        &[
            ("_csrf", token.clone()),
            ("subject", "Ny lokal".into()),
            ("text", "Vi ses i rum 2 i stället.".into()),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let messages: Vec<Stored> = outbox(&app, "")
        .await
        .into_iter()
        .filter(|m| m.kind == "message")
        .collect();
    let to: BTreeSet<&str> = messages.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(
        to,
        BTreeSet::from(["anna@example.org", "cecilia@example.org"])
    );
    assert!(messages
        .iter()
        .all(|m| m.subject == "Ny lokal" && m.text.contains("Vi ses i rum 2 i stället.")));
    assert!(mail_about(&app, bo).await.is_empty(), "Bo gave no address");

    // Staff cancel a participant, after a confirmation naming her: the queue moves up.
    let question = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/avboka"),
        &[("_csrf", token.clone()), ("signup", anna.to_string())],
    )
    .await;
    assert_eq!(question.status, 200, "{}", question.body);
    assert!(
        question.body.contains("Avboka deltagaren?"),
        "{}",
        question.body
    );
    assert_eq!(
        status_of(&app, anna).await,
        "confirmed",
        "nothing changes before yes"
    );
    let p = b.confirm(&question).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(status_of(&app, anna).await, "cancelled");
    assert_eq!(
        text(
            &app,
            &format!("SELECT cancelled_by FROM signups WHERE id = {anna}")
        )
        .await,
        "staff"
    );
    assert_eq!(status_of(&app, cecilia).await, "confirmed");
    assert!(kinds(&mail_about(&app, cecilia).await).contains(&"promotion"));

    // Cancelling an occasion needs a reason of some words.
    let before = counts(&app).await;
    let p = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/installt-tillfalle"),
        &[
            ("_csrf", token.clone()),
            ("occasion", second.to_string()),
            ("reason", "sjuk".into()),
        ],
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Skriv skälet med några ord."), "{}", p.body);
    // The page shown again reads (and logs) the participants; nothing else is written.
    assert_eq!(counts(&app).await[..2], before[..2]);
    let p = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/installt-tillfalle"),
        &[
            ("_csrf", token.clone()),
            ("occasion", second.to_string()),
            ("reason", "Ledaren är sjuk den veckan.".into()),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM activity_occasions WHERE id = {second} AND cancelled = TRUE"
            )
        )
        .await,
        1
    );
    assert!(kinds(&mail_about(&app, cecilia).await).contains(&"occasion_cancelled"));
    assert!(!kinds(&mail_about(&app, anna).await).contains(&"occasion_cancelled"));

    // And the whole activity, once confirmed on a page of its own.
    let question = staff_post(
        &mut b,
        &format!("/personal/aktiviteter/{id}/installd"),
        &[
            ("_csrf", token.clone()),
            ("cancel_reason", "Gruppen läggs ned i vår.".into()),
        ],
    )
    .await;
    assert_eq!(question.status, 200, "{}", question.body);
    assert!(question.body.contains("Ställa in hela aktiviteten?"));
    assert!(question.body.contains("Gruppen läggs ned i vår."));
    let p = b.confirm(&question).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/personal/aktiviteter/{id}?klart=cancelled").as_str())
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT status FROM activities WHERE id = {id}")
        )
        .await,
        "cancelled"
    );
    for s in [bo, cecilia] {
        assert_eq!(status_of(&app, s).await, "cancelled");
    }
    assert_eq!(
        kinds(&mail_about(&app, cecilia).await).last(),
        Some(&"activity_cancelled")
    );
    let p = b.get(&format!("/personal/aktiviteter/{id}")).await;
    assert!(p.body.contains("Aktiviteten är inställd."), "{}", p.body);

    // A case officer has no access to the open support; staff elsewhere do not see it.
    let mut case_officer = staff(&app, K, "case-officer", "handlaggare@uppsala.example").await;
    assert_eq!(case_officer.get("/personal/aktiviteter").await.status, 403);
    assert_eq!(
        case_officer
            .get(&format!("/personal/aktiviteter/{id}"))
            .await
            .status,
        403
    );
    let mut elsewhere = staff(
        &app,
        "0180",
        "carer-support-officer",
        "konsulent@stockholm.example",
    )
    .await;
    let own = elsewhere.get("/personal/aktiviteter").await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains(title));
    assert_eq!(
        elsewhere
            .get(&format!("/personal/aktiviteter/{id}"))
            .await
            .status,
        404
    );
    let their_token = csrf(&mut elsewhere).await;
    let before = counts(&app).await;
    let p = staff_post(
        &mut elsewhere,
        &format!("/personal/aktiviteter/{id}/meddelande"),
        &[
            ("_csrf", their_token),
            ("subject", "Hej".into()),
            ("text", "Från fel kommun.".into()),
        ],
    )
    .await;
    assert_eq!(p.status, 404);
    assert_eq!(counts(&app).await, before);
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact {
            rows: scalar(&app, "SELECT COUNT(*) FROM audit_log").await
        }
    );
}

/// The public pages keep a municipality's activities a moment per node, and a change made
/// through this node drops them at once: a carer never sees their own sign-up missing.
#[tokio::test]
async fn public_listings_are_cached_until_this_node_changes_them() {
    let clock = TestClock::new(start());
    let mut options = testkit::Options {
        clock: clock.clone(),
        ..Default::default()
    };
    options.config.activities_ttl = std::time::Duration::from_secs(3600);
    let app = spawn_app_with(options).await;
    let (first, _) = create(&app, group("Första gruppen", 2), &["2026-12-08"]).await;
    let seats = |v: &Value, id: i64| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["seats_left"].as_i64().unwrap())
    };
    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(seats(&list, first), Some(2));
    // The pages are rendered once from the listing and kept with it.
    let activity = format!("/kommun/0380/aktiviteter/{first}");
    let (_, body) = page(&app, &activity).await;
    assert!(body.contains("2 platser kvar"), "{body}");
    let (_, body) = page(&app, "/kommun/0380/aktiviteter").await;
    assert!(body.contains("Första gruppen"), "{body}");

    // Written behind the web layer's back: the cached listing and pages do not show it yet.
    let (second, _) = create(&app, group("Andra gruppen", 5), &["2026-12-09"]).await;
    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(seats(&list, second), None, "served from the cache");
    let (_, body) = page(&app, "/kommun/0380/aktiviteter").await;
    assert!(!body.contains("Andra gruppen"), "served from the cache");
    // Each filter is a page of its own: another kind shows neither group.
    let (_, body) = page(&app, "/kommun/0380/aktiviteter?typ=lecture").await;
    assert!(!body.contains("Första gruppen"), "{body}");

    // A sign-up through this node drops the cache: both activities, and the seat taken.
    let (status, _) = sign_up(&app, first, &person("Demo Cachesson", "cache@example.org")).await;
    assert_eq!(status, 201);
    let (_, list) = get_json(&app, "/api/v1/municipalities/0380/activities").await;
    assert_eq!(seats(&list, first), Some(1));
    assert_eq!(seats(&list, second), Some(5));
    let (_, body) = page(&app, &activity).await;
    assert!(body.contains("1 plats kvar"), "{body}");
    let (_, body) = page(&app, "/kommun/0380/aktiviteter").await;
    assert!(body.contains("Andra gruppen"), "{body}");
    let (_, body) = page(&app, "/kommun/0380/aktiviteter?typ=support_group").await;
    assert!(
        body.contains("Första gruppen") && body.contains("Andra gruppen"),
        "{body}"
    );
}
