#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Individual conversations, the support contact and the open-support statistics against the
//! real server, on the backend of this run: booking, rebooking and cancelling by token on the
//! public pages (with two carers racing for one time), the recording modes and what they keep
//! in the database, the officers' pages, the offers of a named support contact, and the
//! statistics as a table, CSV and SVG chart, with small counts hidden outside the workspace.

mod common;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use common::*;
use domain::activity::{validate_activity, RawActivity};
use domain::clock::Clock;
use domain::conversation::{validate_held, ConversationMode, RawHeld, RecordingMode, Slot};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use store::audit::Origin;
use testkit::TestClock;

const K: &str = "0380";
const OTHER: &str = "0180";

// ---- setup ----

/// 2026-11-25 10:00 in Stockholm.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

async fn app_at(t: DateTime<Utc>) -> (TestApp, Arc<TestClock>) {
    let clock = TestClock::new(t);
    let options = testkit::Options {
        clock: clock.clone(),
        ..Default::default()
    };
    (spawn_app_with(options).await, clock)
}

/// Local (Stockholm) wall time, "2026-12-02 10:00".
fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A staff account that is not signed in, with a display name; returns its id.
async fn account(app: &TestApp, kommun: &str, role: &str, email: &str, name: &str) -> i64 {
    let id = testkit::create_staff(app, Some(kommun), role, email, STAFF_PW, true, None).await;
    rename(app, id, name).await;
    id
}

async fn rename(app: &TestApp, id: i64, name: &str) {
    testkit::execute(
        &app.db,
        &format!("UPDATE staff_users SET display_name = '{name}' WHERE id = {id}"),
    )
    .await;
}

/// A signed-in member of staff with a display name; returns the browser and the id.
async fn signed_in(
    app: &TestApp,
    kommun: &str,
    role: &str,
    email: &str,
    name: &str,
) -> (Browser, i64) {
    let (b, id) = staff_with_id(app, kommun, role, email).await;
    rename(app, id, name).await;
    (b, id)
}

/// After the clock moved past the idle timeout.
async fn again(b: &mut Browser, app: &TestApp, email: &str) {
    b.cookies.clear();
    b.sign_in(app, email, STAFF_PW).await;
}

/// Publishes a time through the store (the staff form is tested on its own).
async fn publish(
    app: &TestApp,
    kommun: &str,
    officer: i64,
    starts: &str,
    mode: ConversationMode,
    place: Option<&str>,
) -> i64 {
    let starts_at = at(starts);
    let slot = Slot {
        starts_at,
        ends_at: starts_at + Duration::minutes(45),
        mode,
        place: place.map(str::to_owned),
    };
    store::conversations::publish_slot(
        &app.db,
        kommun,
        officer,
        &slot,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
}

async fn set_mode(app: &TestApp, mode: RecordingMode, by: i64) {
    store::conversations::set_recording_mode(
        &app.db,
        K,
        mode,
        by,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap();
}

/// Posts the public booking form.
async fn book(
    app: &TestApp,
    kommun: &str,
    slot: i64,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    post_form(app, &format!("/kommun/{kommun}/samtal/{slot}"), form).await
}

/// Books and expects the redirect to the booking page; returns (conversation id, token).
async fn booked(app: &TestApp, kommun: &str, slot: i64, form: &[(&str, &str)]) -> (i64, String) {
    let (status, location, body) = book(app, kommun, slot, form).await;
    assert_eq!(status, 303, "{body}");
    let location = location.unwrap();
    let token = location
        .strip_prefix(&format!("/kommun/{kommun}/bokning/"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_owned();
    assert!(
        token.len() == 32 && token.bytes().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    let id = scalar(
        app,
        &format!("SELECT id FROM conversations WHERE token = '{token}'"),
    )
    .await;
    (id, token)
}

fn yes() -> (&'static str, &'static str) {
    ("consent", "yes")
}

async fn status_of(app: &TestApp, conversation: i64) -> String {
    text(
        app,
        &format!("SELECT status FROM conversations WHERE id = {conversation}"),
    )
    .await
}

async fn slot_of(app: &TestApp, conversation: i64) -> i64 {
    scalar(
        app,
        &format!("SELECT slot_id FROM conversations WHERE id = {conversation}"),
    )
    .await
}

/// Whether a column of the conversation is NULL.
async fn is_null(app: &TestApp, conversation: i64, column: &str) -> bool {
    scalar(
        app,
        &format!(
            "SELECT COUNT(*) FROM conversations WHERE id = {conversation} AND {column} IS NULL"
        ),
    )
    .await
        == 1
}

async fn count(app: &TestApp, table: &str) -> i64 {
    scalar(app, &format!("SELECT COUNT(*) FROM {table}")).await
}

/// The kinds of the messages in the outbox about a conversation, oldest first.
async fn mails(app: &TestApp, conversation: i64) -> Vec<String> {
    store::outbox::list(&app.db, &format!("conversation:{conversation}"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect()
}

/// The free times the public list links to.
async fn listed(app: &TestApp, kommun: &str) -> BTreeSet<i64> {
    let (status, body) = page(app, &format!("/kommun/{kommun}/samtal")).await;
    assert_eq!(status, 200, "{body}");
    let prefix = format!("href=\"/kommun/{kommun}/samtal/");
    body.split(&prefix)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The message shown next to a field (`id="f-{field}-error"`), or "".
fn field_error(body: &str, field: &str) -> String {
    let marker = format!("id=\"f-{field}-error\">");
    let Some(i) = body.find(&marker) else {
        return String::new();
    };
    let rest = &body[i + marker.len()..];
    let p = &rest[..rest.find("</p>").unwrap()];
    // Drop the hidden "Fel:" prefix.
    match p.rfind("</span>") {
        Some(j) => p[j + 7..].to_owned(),
        None => p.to_owned(),
    }
}

fn persons(kind: &str, ids: &[i64]) -> BTreeSet<String> {
    ids.iter().map(|i| format!("{kind}:{i}")).collect()
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

/// Posts a staff form with the session's CSRF token.
async fn staff_post(b: &mut Browser, csrf: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let mut pairs = vec![("_csrf", csrf)];
    pairs.extend_from_slice(form);
    b.post(path, &pairs).await
}

async fn csrf_from(b: &mut Browser, path: &str) -> String {
    let p = b.get(path).await;
    assert_eq!(p.status, 200, "{path}: {}", p.body);
    p.csrf()
}

// ---- activities and sign-ups, for the support contact and the statistics ----

fn activity(kind: &str, title: &str) -> RawActivity {
    RawActivity {
        kind: kind.into(),
        theme: "dementia".into(),
        title: title.into(),
        description: "Vi ses, fikar och pratar om hur det är att vara anhörig.".into(),
        place_name: "Anhörigcenter".into(),
        place_address: "Storgatan 1, Uppsala".into(),
        capacity: "20".into(),
        reminder_days: "2".into(),
        ..RawActivity::default()
    }
}

/// Creates an activity through the store with an occasion 18.00–19.30 on each day.
async fn create_activity(app: &TestApp, kind: &str, title: &str, days: &[&str]) -> i64 {
    let input = validate_activity(&activity(kind, title), 0).unwrap();
    let now = app.state.clock.now();
    let origin = Origin::default();
    let id = store::activities::create(&app.db, K, &input, None, now, &origin, None, false)
        .await
        .unwrap();
    let mails = web::mails::Mails::new(&app.state);
    for d in days {
        store::activities::add_occasion(
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
    }
    id
}

/// Signs up through the API; returns (sign-up id, token).
async fn sign_up(app: &TestApp, activity: i64, body: Value) -> (i64, String) {
    let r = client()
        .post(app.url(&format!("/api/v1/activities/{activity}/signups")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status"], "confirmed", "{b}");
    let token = b["token"].as_str().unwrap().to_owned();
    let id = scalar(
        app,
        &format!("SELECT id FROM signups WHERE token = '{token}'"),
    )
    .await;
    (id, token)
}

/// A request for a conversation through the public API; returns its id.
async fn request(app: &TestApp, kommun: &str, body: Value) -> i64 {
    let (status, b) = post_json(app, kommun, &body).await;
    assert_eq!(status, 201, "{b}");
    let reference = b["reference"].as_str().unwrap();
    scalar(
        app,
        &format!("SELECT id FROM contact_requests WHERE reference = '{reference}'"),
    )
    .await
}

// ---- 1. booking on the public pages ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carer_books_rebooks_and_cancels_a_time_on_the_public_pages() {
    let (app, _) = app_at(start()).await;
    let officer = account(
        &app,
        K,
        "carer-support-officer",
        "karin@uppsala.example",
        "Karin Konsulent",
    )
    .await;
    let phone = publish(
        &app,
        K,
        officer,
        "2026-12-02 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let video = publish(
        &app,
        K,
        officer,
        "2026-12-02 11:00",
        ConversationMode::Video,
        None,
    )
    .await;
    let visit = publish(
        &app,
        K,
        officer,
        "2026-12-03 13:00",
        ConversationMode::InPerson,
        Some("Anhörigcenter, Storgatan 1"),
    )
    .await;
    let later = publish(
        &app,
        K,
        officer,
        "2026-12-04 09:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let called_off = publish(
        &app,
        K,
        officer,
        "2026-12-04 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let compose = web::mails::Mails::new(&app.state);
    store::conversations::cancel_slot(
        &app.db,
        K,
        called_off,
        &compose,
        app.state.clock.now(),
        &Origin::default(),
    )
    .await
    .unwrap()
    .unwrap();
    let past = publish(
        &app,
        K,
        officer,
        "2026-11-24 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    // Began half an hour ago: no longer bookable either.
    let begun = publish(
        &app,
        K,
        officer,
        "2026-11-25 09:30",
        ConversationMode::Phone,
        None,
    )
    .await;
    let stockholm = account(
        &app,
        OTHER,
        "carer-support-officer",
        "sven@stockholm.example",
        "Sven Stockholm",
    )
    .await;
    let theirs = publish(
        &app,
        OTHER,
        stockholm,
        "2026-12-02 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;

    // Only free times still to come, of this municipality.
    assert_eq!(
        listed(&app, K).await,
        BTreeSet::from([phone, video, visit, later])
    );
    assert_eq!(listed(&app, OTHER).await, BTreeSet::from([theirs]));
    let (_, list) = page(&app, "/kommun/0380/samtal").await;
    assert!(list.contains("Med Karin Konsulent"), "{list}");
    assert!(
        list.contains("På plats, Anhörigcenter, Storgatan 1"),
        "{list}"
    );
    for (path, what) in [
        (format!("/kommun/{K}/samtal/{called_off}"), "cancelled"),
        (format!("/kommun/{K}/samtal/{past}"), "past"),
        (format!("/kommun/{K}/samtal/{begun}"), "begun"),
    ] {
        let (status, _, body) = post_form(
            &app,
            &path,
            &[("name", "Anna"), ("phone", "070-123 45 67"), yes()],
        )
        .await;
        assert_eq!(status, 422, "{what}");
        assert!(body.contains("Tiden är inte längre ledig"), "{what}");
    }
    // Another municipality's time, an unknown time and a malformed id are not found here.
    for slot in [theirs.to_string(), "999999".into(), "abc".into()] {
        let (status, _) = page(&app, &format!("/kommun/{K}/samtal/{slot}")).await;
        assert_eq!(status, 404, "GET {slot}");
        let (status, _, _) = post_form(
            &app,
            &format!("/kommun/{K}/samtal/{slot}"),
            &[("name", "Anna"), ("phone", "070-123 45 67"), yes()],
        )
        .await;
        assert_eq!(status, 404, "POST {slot}");
    }
    assert_eq!(count(&app, "conversations").await, 0);

    // Field errors, in Swedish, next to the field; nothing is stored.
    let (status, _, body) = book(&app, K, phone, &[("name", "Anna Anhörig"), yes()]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "phone"),
        "Fyll i ett telefonnummer, så att vi kan ringa dig."
    );
    assert!(body.contains("value=\"Anna Anhörig\""), "typed values kept");
    let (status, _, body) = book(
        &app,
        K,
        video,
        &[("name", "Anna Anhörig"), ("phone", "070-123 45 67"), yes()],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "email"),
        "Fyll i en e-postadress, så att vi kan skicka länken till videosamtalet."
    );
    let (status, _, body) = book(
        &app,
        K,
        phone,
        &[("name", "Anna Anhörig"), ("phone", "070-123 45 67")],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "consent"),
        "Du behöver samtycka för att vi ska kunna spara din bokning."
    );
    let (status, _, body) = book(&app, K, phone, &[("phone", "070-123 45 67"), yes()]).await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "name"), "Fyll i ditt namn.");
    let (status, _, body) = book(&app, K, visit, &[("name", "Anna Anhörig"), yes()]).await;
    assert_eq!(status, 422, "named, in person: some way to reach them");
    assert_eq!(
        field_error(&body, "email"),
        "Fyll i e-post eller telefon, så att vi kan nå dig."
    );
    assert_eq!(count(&app, "conversations").await, 0);
    assert_eq!(count(&app, "outbox").await, 0);

    // A booking.
    let (anna, token) = booked(
        &app,
        K,
        phone,
        &[
            ("name", "Anna Anhörig"),
            ("phone", "070-123 45 67"),
            ("email", "Anna@Example.org"),
            ("topic", "Min pappa har fått en stroke"),
            ("age_group", "65-79"),
            ("gender", "woman"),
            yes(),
        ],
    )
    .await;
    assert_eq!(slot_of(&app, anna).await, phone);
    assert_eq!(status_of(&app, anna).await, "booked");
    assert_eq!(
        text(
            &app,
            &format!("SELECT email FROM conversations WHERE id = {anna}")
        )
        .await,
        "anna@example.org"
    );
    let book_rows = named(&audit(&app).await, "conversation.book");
    assert_eq!(book_rows.len(), 1);
    assert_eq!(book_rows[0].object_id, Some(anna.to_string()));
    assert_eq!(set(&book_rows[0].persons), persons("conversation", &[anna]));
    assert_eq!(book_rows[0].kommunkod.as_deref(), Some(K));
    let outbox = store::outbox::list(&app.db, &format!("conversation:{anna}"))
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, "booking");
    assert_eq!(outbox[0].to, "anna@example.org");
    assert_eq!(outbox[0].subject, "Din tid för samtal är bokad");
    assert!(
        outbox[0]
            .text
            .contains(&format!("/kommun/{K}/bokning/{token}")),
        "{}",
        outbox[0].text
    );
    assert!(!listed(&app, K).await.contains(&phone), "taken");

    // The carer's page: private, a logged read, with time, mode and the named contact.
    let r = client()
        .get(app.url(&format!("/kommun/{K}/bokning/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers().get("cache-control").unwrap().to_str().unwrap(),
        "no-store"
    );
    let body = r.text().await.unwrap();
    for s in [
        "Din tid är bokad",
        "onsdag 2 december 2026, kl. 10.00",
        "<dd>I telefon</dd>",
        "<dt>Din stödkontakt</dt><dd>Karin Konsulent</dd>",
        "Anna Anhörig",
    ] {
        assert!(body.contains(s), "{s}: {body}");
    }
    let reads = named(&audit(&app).await, "conversation.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(set(&reads[0].persons), persons("conversation", &[anna]));

    // The time is taken now.
    let (status, _, body) = book(
        &app,
        K,
        phone,
        &[("name", "Bo Bror"), ("phone", "070-765 43 21"), yes()],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Tiden är inte längre ledig"), "{body}");
    assert_eq!(count(&app, "conversations").await, 1);
    let (bo, _) = booked(
        &app,
        K,
        later,
        &[("name", "Bo Bror"), ("phone", "070-765 43 21"), yes()],
    )
    .await;
    assert!(
        mails(&app, bo).await.is_empty(),
        "Bo gave no e-mail address"
    );

    // Two carers racing for one time: exactly one gets it, every round.
    let mut raced = Vec::new();
    for round in 0..3 {
        let slot = if round == 0 {
            video
        } else {
            publish(
                &app,
                K,
                officer,
                &format!("2026-12-1{round} 10:00"),
                ConversationMode::Video,
                None,
            )
            .await
        };
        let cecilia = [("name", "Cecilia"), ("email", "cecilia@example.org"), yes()];
        let david = [("name", "David"), ("email", "david@example.org"), yes()];
        let (a, b) = tokio::join!(book(&app, K, slot, &cecilia), book(&app, K, slot, &david));
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 422], "round {round}");
        let loser = if a.0 == 422 { &a.2 } else { &b.2 };
        assert!(loser.contains("Tiden är inte längre ledig"), "{loser}");
        assert_eq!(
            scalar(
                &app,
                &format!("SELECT COUNT(*) FROM conversations WHERE slot_id = {slot}")
            )
            .await,
            1,
            "round {round}"
        );
        raced.push(slot);
    }
    assert_eq!(
        count(&app, "conversations").await,
        5,
        "Anna, Bo and three winners"
    );

    // Rebooking moves the booking and frees the old time.
    let (status, location, _) = post_form(
        &app,
        &format!("/kommun/{K}/bokning/{token}/byt"),
        &[("slot", &visit.to_string())],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/kommun/{K}/bokning/{token}?klart=flyttad").as_str())
    );
    assert_eq!(slot_of(&app, anna).await, visit);
    assert_eq!(status_of(&app, anna).await, "booked");
    assert_eq!(
        text(
            &app,
            &format!("SELECT mode FROM conversations WHERE id = {anna}")
        )
        .await,
        "in_person"
    );
    let free = listed(&app, K).await;
    assert!(free.contains(&phone) && !free.contains(&visit), "{free:?}");
    let (_, body) = page(&app, &format!("/kommun/{K}/bokning/{token}?klart=flyttad")).await;
    assert!(body.contains("Klart. Du har fått den nya tiden."), "{body}");
    assert!(
        body.contains("torsdag 3 december 2026, kl. 13.00"),
        "{body}"
    );
    assert!(
        body.contains("På plats, Anhörigcenter, Storgatan 1"),
        "{body}"
    );
    assert_eq!(mails(&app, anna).await, ["booking", "rebooking"]);
    let moved = named(&audit(&app).await, "conversation.rebook");
    assert_eq!(moved.len(), 1);
    assert_eq!(
        moved[0].reason.as_deref(),
        Some(format!("slot {phone} -> {visit}").as_str())
    );

    // Not to a taken, cancelled or begun time, nor one elsewhere: nothing changes.
    for slot in [later, called_off, begun, theirs, raced[0]] {
        let (status, _, body) = post_form(
            &app,
            &format!("/kommun/{K}/bokning/{token}/byt"),
            &[("slot", &slot.to_string())],
        )
        .await;
        assert_eq!(status, 422, "slot {slot}");
        assert!(body.contains("Tiden är inte längre ledig"), "{body}");
        assert_eq!(slot_of(&app, anna).await, visit);
    }
    assert_eq!(mails(&app, anna).await, ["booking", "rebooking"]);

    // Cancelling frees the time; a second press changes nothing.
    for _ in 0..2 {
        let (status, location, _) =
            post_form(&app, &format!("/kommun/{K}/bokning/{token}/avboka"), &[]).await;
        assert_eq!(status, 303);
        assert_eq!(
            location.as_deref(),
            Some(format!("/kommun/{K}/bokning/{token}?klart=avbokad").as_str())
        );
    }
    assert_eq!(status_of(&app, anna).await, "cancelled");
    assert!(listed(&app, K).await.contains(&visit));
    assert_eq!(
        mails(&app, anna).await,
        ["booking", "rebooking", "booking_cancelled"]
    );
    assert_eq!(named(&audit(&app).await, "conversation.cancel").len(), 1);
    let (status, body) = page(&app, &format!("/kommun/{K}/bokning/{token}?klart=avbokad")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Bokningen är avbokad"), "{body}");
    assert!(body.contains("Klart. Tiden är avbokad."), "{body}");
    assert!(!body.contains("/byt\""), "no rebooking once cancelled");
    let (status, _, body) = post_form(
        &app,
        &format!("/kommun/{K}/bokning/{token}/byt"),
        &[("slot", &phone.to_string())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Bokningen är redan avbokad."), "{body}");
    assert_eq!(status_of(&app, anna).await, "cancelled");
    // The freed time can be booked by someone else.
    booked(
        &app,
        K,
        visit,
        &[("name", "Erik"), ("email", "erik@example.org"), yes()],
    )
    .await;

    // Unknown tokens, well-formed or not, and a booking looked up under another municipality.
    for t in ["0123456789abcdef0123456789abcdef", "nope"] {
        let (status, _) = page(&app, &format!("/kommun/{K}/bokning/{t}")).await;
        assert_eq!(status, 404, "GET {t}");
        let (status, _, _) = post_form(&app, &format!("/kommun/{K}/bokning/{t}/avboka"), &[]).await;
        assert_eq!(status, 404, "cancel {t}");
        let (status, _, _) = post_form(
            &app,
            &format!("/kommun/{K}/bokning/{t}/byt"),
            &[("slot", &phone.to_string())],
        )
        .await;
        assert_eq!(status, 404, "rebook {t}");
    }
    let (status, _) = page(&app, &format!("/kommun/{OTHER}/bokning/{token}")).await;
    assert_eq!(status, 404);
    // The link works only under its own municipality's address, for cancelling too.
    let (status, _, _) = post_form(
        &app,
        &format!("/kommun/{OTHER}/bokning/{token}/avboka"),
        &[],
    )
    .await;
    assert_eq!(status, 404, "cancel under another municipality");
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact {
            rows: count(&app, "audit_log").await
        }
    );
}

// ---- 2. recording modes ----

#[tokio::test]
async fn the_recording_mode_decides_what_a_booking_keeps() {
    let (app, _) = app_at(start()).await;
    let (mut admin, _) = signed_in(
        &app,
        K,
        "municipal-admin",
        "admin@uppsala.example",
        "Ada Admin",
    )
    .await;
    let (mut officer, officer_id) = signed_in(
        &app,
        K,
        "carer-support-officer",
        "karin@uppsala.example",
        "Karin Konsulent",
    )
    .await;
    let (mut case_officer, _) = signed_in(
        &app,
        K,
        "case-officer",
        "hanna@uppsala.example",
        "Hanna Handläggare",
    )
    .await;
    let slots: Vec<i64> = {
        let mut v = Vec::new();
        for d in 1..=6 {
            v.push(
                publish(
                    &app,
                    K,
                    officer_id,
                    &format!("2026-12-0{d} 10:00"),
                    ConversationMode::Phone,
                    None,
                )
                .await,
            );
        }
        v
    };
    let visit = publish(
        &app,
        K,
        officer_id,
        "2026-12-07 13:00",
        ConversationMode::InPerson,
        Some("Anhörigcenter"),
    )
    .await;
    let video = publish(
        &app,
        K,
        officer_id,
        "2026-12-08 13:00",
        ConversationMode::Video,
        None,
    )
    .await;

    // Named until the board decides otherwise.
    let p = admin.get("/personal/admin/oppet-stod").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("value=\"named\" checked"), "{}", p.body);
    let csrf = p.csrf();

    // Only the municipal administrator sets it.
    for b in [&mut officer, &mut case_officer] {
        assert_eq!(b.get("/personal/admin/oppet-stod").await.status, 403);
        let token = csrf_from(b, "/personal/inkorg").await;
        let p = staff_post(
            b,
            &token,
            "/personal/admin/oppet-stod",
            &[("recording_mode", "anonymous")],
        )
        .await;
        assert_eq!(p.status, 403);
    }
    assert_eq!(count(&app, "open_support_settings").await, 0);
    // An unknown mode changes nothing.
    let p = staff_post(
        &mut admin,
        &csrf,
        "/personal/admin/oppet-stod",
        &[("recording_mode", "everything")],
    )
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(count(&app, "open_support_settings").await, 0);

    let p = staff_post(
        &mut admin,
        &csrf,
        "/personal/admin/oppet-stod",
        &[("recording_mode", "pseudonymous")],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/admin/oppet-stod?klart=1")
    );
    assert_eq!(
        text(
            &app,
            "SELECT recording_mode FROM open_support_settings WHERE kommunkod = '0380'"
        )
        .await,
        "pseudonymous"
    );
    let changed = named(&audit(&app).await, "open_support.recording_mode");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].reason.as_deref(), Some("pseudonymous"));

    // Pseudonymous: no name asked nor kept (even if posted), a pseudonym instead.
    let (_, list) = page(&app, "/kommun/0380/samtal").await;
    assert!(list.contains("Du får ett påhittat namn hos oss."), "{list}");
    let (_, form) = page(&app, &format!("/kommun/0380/samtal/{}", slots[0])).await;
    assert!(!form.contains("name=\"name\""), "{form}");
    assert!(form.contains("name=\"topic\""));
    let (status, _, body) = book(&app, K, slots[0], &[("phone", "070-123 45 67")]).await;
    assert_eq!(status, 422, "a phone number is kept, so consent is needed");
    assert_eq!(
        field_error(&body, "consent"),
        "Du behöver samtycka för att vi ska kunna spara din bokning."
    );
    let (p1, token) = booked(
        &app,
        K,
        slots[0],
        &[
            ("name", "Hemlig Hemligsson"),
            ("phone", "070-123 45 67"),
            ("topic", "Jag orkar inte längre"),
            yes(),
        ],
    )
    .await;
    assert!(is_null(&app, p1, "name").await);
    let pseudonym = text(
        &app,
        &format!("SELECT pseudonym FROM conversations WHERE id = {p1}"),
    )
    .await;
    let code = pseudonym
        .strip_prefix("Anhörig ")
        .unwrap_or_else(|| panic!("{pseudonym}"));
    assert!(
        code.len() == 4
            && code
                .bytes()
                .all(|c| domain::contact::REFERENCE_ALPHABET.contains(&c)),
        "{pseudonym}"
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT topic FROM conversations WHERE id = {p1}")
        )
        .await,
        "Jag orkar inte längre"
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT recording FROM conversations WHERE id = {p1}")
        )
        .await,
        "pseudonymous"
    );
    let (_, body) = page(&app, &format!("/kommun/0380/bokning/{token}")).await;
    assert!(body.contains(&pseudonym), "{body}");
    assert!(!body.contains("Hemlig Hemligsson"));
    let p = officer.get("/personal/samtal").await;
    assert!(p.body.contains(&pseudonym), "{}", p.body);
    assert!(!p.body.contains("Hemlig Hemligsson"));

    // Anonymous: no name, no pseudonym, no topic, whatever is posted.
    let p = staff_post(
        &mut admin,
        &csrf,
        "/personal/admin/oppet-stod",
        &[("recording_mode", "anonymous")],
    )
    .await;
    assert_eq!(p.status, 303);
    let (_, form) = page(&app, &format!("/kommun/0380/samtal/{}", slots[1])).await;
    assert!(!form.contains("name=\"name\"") && !form.contains("name=\"topic\""));
    let (a1, _) = booked(
        &app,
        K,
        slots[1],
        &[
            ("name", "Hemlig Hemligsson"),
            ("phone", "070-123 45 67"),
            ("topic", "Hemligt ämne"),
            ("age_group", "18-64"),
            yes(),
        ],
    )
    .await;
    for column in ["name", "pseudonym", "topic", "email"] {
        assert!(is_null(&app, a1, column).await, "{column}");
    }
    assert_eq!(
        text(
            &app,
            &format!("SELECT phone FROM conversations WHERE id = {a1}")
        )
        .await,
        "070-123 45 67",
        "the number is kept, to make the call"
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT recording FROM conversations WHERE id = {a1}")
        )
        .await,
        "anonymous"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM conversations WHERE topic LIKE '%Hemligt%' OR name LIKE '%Hemlig%'"
        )
        .await,
        0
    );
    // An anonymous visit in person needs no contact and no consent; it stores nothing.
    let (a2, _) = booked(&app, K, visit, &[]).await;
    for column in ["name", "pseudonym", "topic", "email", "phone"] {
        assert!(is_null(&app, a2, column).await, "{column}");
    }
    // A phone call still needs the number, a video call the address, and keeping them consent.
    let (status, _, body) = book(&app, K, slots[2], &[yes()]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "phone"),
        "Fyll i ett telefonnummer, så att vi kan ringa dig."
    );
    let (status, _, body) = book(&app, K, video, &[yes()]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "email"),
        "Fyll i en e-postadress, så att vi kan skicka länken till videosamtalet."
    );
    let (status, _, body) = book(&app, K, slots[2], &[("phone", "070-123 45 67")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "consent"),
        "Du behöver samtycka för att vi ska kunna spara din bokning."
    );
    let p = officer.get("/personal/samtal").await;
    assert!(p.body.contains("Anonym"), "{}", p.body);

    // Back to named: the name is asked for and kept again.
    let p = staff_post(
        &mut admin,
        &csrf,
        "/personal/admin/oppet-stod",
        &[("recording_mode", "named")],
    )
    .await;
    assert_eq!(p.status, 303);
    let (n1, _) = booked(
        &app,
        K,
        slots[3],
        &[("name", "Nora Namn"), ("phone", "070-111 11 11"), yes()],
    )
    .await;
    assert_eq!(
        text(
            &app,
            &format!("SELECT name FROM conversations WHERE id = {n1}")
        )
        .await,
        "Nora Namn"
    );
    assert!(is_null(&app, n1, "pseudonym").await);
}

// ---- 3. the officers' page ----

#[tokio::test]
async fn officers_publish_cancel_mark_and_register_conversations() {
    let (app, clock) = app_at(start()).await;
    let email = "karin@uppsala.example";
    let (mut b, karin) =
        signed_in(&app, K, "carer-support-officer", email, "Karin Konsulent").await;
    let p = b.get("/personal/samtal").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let csrf = p.csrf();

    // Publishing a time.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/tid",
        &[
            ("date", "2026-11-26"),
            ("start", "10:00"),
            ("end", "10:45"),
            ("mode", "phone"),
            ("place", ""),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/samtal?klart=published")
    );
    let phone = scalar(&app, "SELECT MAX(id) FROM conversation_slots").await;
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM conversation_slots WHERE id = {phone} AND officer_id = {karin} AND mode = 'phone' AND status = 'open'"
            )
        )
        .await,
        1
    );
    let published = named(&audit(&app).await, "conversation.slot.publish");
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].object_id, Some(phone.to_string()));
    let p = b.get("/personal/samtal?klart=published").await;
    assert!(p.body.contains("Tiden är publicerad."), "{}", p.body);

    // In person needs a place; a time that has passed is refused; nothing is stored.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/tid",
        &[
            ("date", "2026-11-26"),
            ("start", "13:00"),
            ("end", "13:45"),
            ("mode", "in_person"),
            ("place", " "),
        ],
    )
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(field_error(&p.body, "place"), "Fyll i det här fältet.");
    for (date, start) in [("2026-11-24", "10:00"), ("2026-11-25", "09:00")] {
        let p = staff_post(
            &mut b,
            &csrf,
            "/personal/samtal/tid",
            &[
                ("date", date),
                ("start", start),
                ("end", "11:45"),
                ("mode", "phone"),
            ],
        )
        .await;
        assert_eq!(p.status, 422, "{date} {start}");
        assert_eq!(
            field_error(&p.body, "date"),
            "Tillfället kan inte ligga bakåt i tiden."
        );
    }
    assert_eq!(count(&app, "conversation_slots").await, 1);

    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/tid",
        &[
            ("date", "2026-11-26"),
            ("start", "13:00"),
            ("end", "13:45"),
            ("mode", "in_person"),
            ("place", "Anhörigcenter"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let visit = scalar(&app, "SELECT MAX(id) FROM conversation_slots").await;
    let video = publish(
        &app,
        K,
        karin,
        "2026-11-27 10:00",
        ConversationMode::Video,
        None,
    )
    .await;

    // Carers book them.
    let (anna, _) = booked(
        &app,
        K,
        phone,
        &[
            ("name", "Anna Anhörig"),
            ("phone", "070-123 45 67"),
            ("email", "anna@example.org"),
            ("topic", "Avlösning i hemmet"),
            yes(),
        ],
    )
    .await;
    let (bo, _) = booked(
        &app,
        K,
        visit,
        &[("name", "Bo Bror"), ("phone", "070-765 43 21"), yes()],
    )
    .await;
    let (cecilia, cecilia_token) = booked(
        &app,
        K,
        video,
        &[
            ("name", "Cecilia Syster"),
            ("email", "cecilia@example.org"),
            yes(),
        ],
    )
    .await;

    // The schedule names who booked; the read is logged naming each conversation shown.
    let p = b.get("/personal/samtal").await;
    assert_eq!(p.status, 200);
    for s in [
        "Anna Anhörig",
        "070-123 45 67, anna@example.org",
        "Avlösning i hemmet",
        "Bo Bror",
        "Cecilia Syster",
    ] {
        assert!(p.body.contains(s), "{s}: {}", p.body);
    }
    assert!(
        !p.body.contains("/personal/samtal/genomfort"),
        "nothing to mark before the time"
    );
    let lists = named(&audit(&app).await, "conversation.list");
    assert_eq!(
        set(&lists.last().unwrap().persons),
        persons("conversation", &[anna, bo, cecilia])
    );
    assert!(lists.last().unwrap().actor.starts_with("staff:"));

    // Marking before the time has come is refused.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &anna.to_string())],
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert_eq!(status_of(&app, anna).await, "booked");

    // Cancelling a booked time tells the carer.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/stall-in",
        &[("slot", &video.to_string())],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/samtal?klart=slot-cancelled")
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT status FROM conversation_slots WHERE id = {video}")
        )
        .await,
        "cancelled"
    );
    assert_eq!(status_of(&app, cecilia).await, "cancelled");
    assert_eq!(mails(&app, cecilia).await, ["booking", "slot_cancelled"]);
    let cancelled = named(&audit(&app).await, "conversation.slot.cancel");
    assert_eq!(cancelled.len(), 1);
    assert_eq!(
        set(&cancelled[0].persons),
        persons("conversation", &[cecilia])
    );
    let (_, body) = page(&app, &format!("/kommun/{K}/bokning/{cecilia_token}")).await;
    assert!(body.contains("Bokningen är avbokad"), "{body}");
    assert!(!listed(&app, K).await.contains(&video));
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/stall-in",
        &[("slot", &video.to_string())],
    )
    .await;
    assert_eq!(p.status, 422, "already cancelled");
    assert!(p.body.contains("Tiden är inte längre ledig"));
    assert_eq!(mails(&app, cecilia).await, ["booking", "slot_cancelled"]);

    // Another municipality's time and booking are out of reach.
    let sven = account(
        &app,
        OTHER,
        "carer-support-officer",
        "sven@stockholm.example",
        "Sven Stockholm",
    )
    .await;
    let theirs = publish(
        &app,
        OTHER,
        sven,
        "2026-11-26 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let (their_booking, _) = booked(
        &app,
        OTHER,
        theirs,
        &[("name", "Stina"), ("phone", "070-999 99 99"), yes()],
    )
    .await;
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/stall-in",
        &[("slot", &theirs.to_string())],
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(!p.body.contains("Stina"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT status FROM conversation_slots WHERE id = {theirs}")
        )
        .await,
        "open"
    );
    assert_eq!(status_of(&app, their_booking).await, "booked");

    // A case officer has no access.
    let (mut case_officer, _) = signed_in(
        &app,
        K,
        "case-officer",
        "hanna@uppsala.example",
        "Hanna Handläggare",
    )
    .await;
    assert_eq!(case_officer.get("/personal/samtal").await.status, 403);
    let their_csrf = csrf_from(&mut case_officer, "/personal/inkorg").await;
    let before = count(&app, "conversation_slots").await;
    let p = staff_post(
        &mut case_officer,
        &their_csrf,
        "/personal/samtal/tid",
        &[
            ("date", "2026-11-28"),
            ("start", "10:00"),
            ("end", "10:45"),
            ("mode", "phone"),
        ],
    )
    .await;
    assert_eq!(p.status, 403);
    let p = staff_post(
        &mut case_officer,
        &their_csrf,
        "/personal/samtal/stall-in",
        &[("slot", &phone.to_string())],
    )
    .await;
    assert_eq!(p.status, 403);
    assert_eq!(count(&app, "conversation_slots").await, before);
    assert_eq!(status_of(&app, anna).await, "booked");

    // Once the time has come: held, or not held; each only once.
    clock.advance(Duration::hours(24) + Duration::minutes(5));
    again(&mut b, &app, email).await;
    let csrf = csrf_from(&mut b, "/personal/samtal").await;
    let p = b.get("/personal/samtal").await;
    assert!(p.body.contains("/personal/samtal/genomfort"), "{}", p.body);
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &anna.to_string())],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/personal/samtal?klart=marked"));
    assert_eq!(status_of(&app, anna).await, "held");
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &anna.to_string()), ("held", "no")],
    )
    .await;
    assert_eq!(p.status, 422, "marked once");
    assert_eq!(status_of(&app, anna).await, "held");
    // Bo's time (13.00) has not come yet; then it has.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &bo.to_string()), ("held", "no")],
    )
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(status_of(&app, bo).await, "booked");
    clock.advance(Duration::hours(3));
    again(&mut b, &app, email).await;
    let csrf = csrf_from(&mut b, "/personal/samtal").await;
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &bo.to_string()), ("held", "no")],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(status_of(&app, bo).await, "not_held");
    // Not another municipality's booking, even when its time has come.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/genomfort",
        &[("conversation", &their_booking.to_string())],
    )
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(status_of(&app, their_booking).await, "booked");
    let marks = named(&audit(&app).await, "conversation.mark");
    let reasons: Vec<_> = marks.iter().map(|e| e.reason.clone().unwrap()).collect();
    assert_eq!(reasons, ["held", "not_held"]);
    assert_eq!(
        marks
            .iter()
            .map(|e| e.object_id.clone().unwrap())
            .collect::<Vec<_>>(),
        [anna.to_string(), bo.to_string()]
    );

    // Registering a call afterwards (today 2026-11-26); not on a future date.
    let before = count(&app, "conversations").await;
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/registrera",
        &[
            ("held_date", "2026-11-27"),
            ("held_time", "09:00"),
            ("held_mode", "phone"),
            ("held_name", "Greta Ringer"),
        ],
    )
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(
        field_error(&p.body, "held_date"),
        "Datumet kan inte ligga i framtiden."
    );
    assert_eq!(count(&app, "conversations").await, before);
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/samtal/registrera",
        &[
            ("held_date", "2026-11-26"),
            ("held_time", "11:30"),
            ("held_mode", "phone"),
            ("held_name", "Greta Ringer"),
            ("held_phone", "070-555 66 77"),
            ("held_topic", "Avlösning"),
            ("held_age_group", "80-plus"),
            ("held_gender", "woman"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/samtal?klart=registered")
    );
    let greta = scalar(&app, "SELECT MAX(id) FROM conversations").await;
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM conversations WHERE id = {greta} AND channel = 'staff' AND status = 'held' \
                 AND name = 'Greta Ringer' AND phone = '070-555 66 77' AND age_group = '80-plus' AND gender = 'woman' \
                 AND officer_id = {karin} AND created_by = {karin} AND token IS NULL AND slot_id IS NULL"
            )
        )
        .await,
        1
    );
    let starts = text(
        &app,
        &format!("SELECT CAST(starts_at AS TEXT) FROM conversations WHERE id = {greta}"),
    )
    .await
    .replace('T', " ");
    assert_eq!(&starts[..16], "2026-11-26 11:30");
    let registered = named(&audit(&app).await, "conversation.register");
    assert_eq!(registered.len(), 1);
    assert_eq!(
        set(&registered[0].persons),
        persons("conversation", &[greta])
    );
    let p = b.get("/personal/samtal").await;
    assert!(p.body.contains("Greta Ringer"), "{}", p.body);
    let lists = named(&audit(&app).await, "conversation.list");
    assert!(
        lists
            .iter()
            .any(|e| set(&e.persons) == persons("conversation", &[anna, bo, greta])),
        "the held ones, listed and logged: {lists:?}"
    );
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact {
            rows: count(&app, "audit_log").await
        }
    );
}

// ---- 4. the support contact ----

#[tokio::test]
async fn every_named_carer_is_offered_a_support_contact_once() {
    let (app, _) = app_at(start()).await;
    let (mut b, karin) = signed_in(
        &app,
        K,
        "carer-support-officer",
        "karin@uppsala.example",
        "Karin Konsulent",
    )
    .await;
    let kalle = account(
        &app,
        K,
        "case-officer",
        "kalle@uppsala.example",
        "Kalle Kontaktsson",
    )
    .await;
    let sven = account(
        &app,
        OTHER,
        "carer-support-officer",
        "sven@stockholm.example",
        "Sven Stockholm",
    )
    .await;

    // Carers come in through a request, a sign-up or a named conversation.
    let cilla = request(
        &app,
        K,
        json!({"name": "Cilla Förfrågan", "phone": "070-111 22 33", "consent": true}),
    )
    .await;
    let hidden = request(
        &app,
        K,
        json!({"anonymous": true, "name": "Hemlig Person", "phone": "070-222 33 44", "consent": true}),
    )
    .await;
    let stockholmer = request(
        &app,
        OTHER,
        json!({"name": "Stina Stockholm", "phone": "070-333 44 55", "consent": true}),
    )
    .await;
    let group = create_activity(&app, "support_group", "Samtalsgrupp", &["2026-12-08"]).await;
    let (sigge, sigge_token) = sign_up(
        &app,
        group,
        json!({"name": "Sigge Anmäld", "email": "sigge@example.org", "consent": true}),
    )
    .await;
    let (tova, tova_token) = sign_up(
        &app,
        group,
        json!({"name": "Tova Tackar", "email": "tova@example.org", "consent": true}),
    )
    .await;
    let (_, ulla_token) = sign_up(
        &app,
        group,
        json!({"name": "Ulla Avbokad", "email": "ulla@example.org", "consent": true}),
    )
    .await;
    let r = client()
        .delete(app.url(&format!("/api/v1/signups/{ulla_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let slot = publish(
        &app,
        K,
        karin,
        "2026-12-02 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let (nora, nora_token) = booked(
        &app,
        K,
        slot,
        &[("name", "Nora Samtal"), ("phone", "070-444 55 66"), yes()],
    )
    .await;

    let p = b.get("/personal/stodkontakt").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let csrf = p.csrf();
    for s in [
        "4 anhöriga har inte fått erbjudandet",
        "Cilla Förfrågan",
        "Sigge Anmäld",
        "Tova Tackar",
        "Nora Samtal",
    ] {
        assert!(p.body.contains(s), "{s}: {}", p.body);
    }
    for s in [
        "Hemlig Person",
        "070-222 33 44",
        "Ulla Avbokad",
        "Stina Stockholm",
    ] {
        assert!(!p.body.contains(s), "{s}");
    }
    let reads = named(&audit(&app).await, "support_contact.waiting.read");
    assert_eq!(reads.len(), 1);
    let mut expected = persons("contact_request", &[cilla]);
    expected.extend(persons("signup", &[sigge, tova]));
    expected.extend(persons("conversation", &[nora]));
    assert_eq!(set(&reads[0].persons), expected);

    // An offer takes the carer off the list and is recorded with its audit row.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "signup"),
            ("carer", &sigge.to_string()),
            ("contact", &kalle.to_string()),
            ("offered_on", "2026-11-25"),
            ("answer", ""),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/stodkontakt?klart=erbjuden")
    );
    let offer = scalar(
        &app,
        &format!(
            "SELECT id FROM support_contacts WHERE carer_kind = 'signup' AND carer_id = {sigge} \
             AND contact_id = {kalle} AND recorded_by = {karin} AND answer IS NULL AND kommunkod = '0380'"
        ),
    )
    .await;
    let offers = named(&audit(&app).await, "support_contact.offer");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].object_id, Some(offer.to_string()));
    assert_eq!(set(&offers[0].persons), persons("signup", &[sigge]));
    let p = b.get("/personal/stodkontakt").await;
    assert!(
        p.body.contains("3 anhöriga har inte fått erbjudandet"),
        "{}",
        p.body
    );
    let waiting = &p.body[..p.body.find("id=\"erbjudna\"").unwrap()];
    assert!(!waiting.contains("Sigge Anmäld"));
    let offered = &p.body[p.body.find("id=\"erbjudna\"").unwrap()..];
    assert!(offered.contains("Sigge Anmäld") && offered.contains("Kalle Kontaktsson"));
    assert!(offered.contains("Inget svar än"));

    // The participant's page names the contact.
    let (_, body) = page(&app, &format!("/kommun/{K}/anmalan/{sigge_token}")).await;
    assert!(body.contains("Kalle Kontaktsson"), "{body}");

    // A second offer for the same carer is refused.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "signup"),
            ("carer", &sigge.to_string()),
            ("contact", &karin.to_string()),
            ("offered_on", "2026-11-25"),
        ],
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body
            .contains("Den här anhöriga har redan fått ett erbjudande."),
        "{}",
        p.body
    );
    assert_eq!(count(&app, "support_contacts").await, 1);

    // The answer is recorded once.
    let p = staff_post(
        &mut b,
        &csrf,
        &format!("/personal/stodkontakt/{offer}/svar"),
        &[("answer", "accepted")],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/stodkontakt?klart=svar")
    );
    let p = staff_post(
        &mut b,
        &csrf,
        &format!("/personal/stodkontakt/{offer}/svar"),
        &[("answer", "declined")],
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Svaret är redan sparat."), "{}", p.body);
    assert_eq!(
        text(
            &app,
            &format!("SELECT answer FROM support_contacts WHERE id = {offer}")
        )
        .await,
        "accepted"
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT CAST(answered_on AS TEXT) FROM support_contacts WHERE id = {offer}")
        )
        .await,
        "2026-11-25"
    );
    let answers = named(&audit(&app).await, "support_contact.answer");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].reason.as_deref(), Some("accepted"));
    assert_eq!(set(&answers[0].persons), persons("signup", &[sigge]));

    // An offer declined at once: the page names no contact.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "signup"),
            ("carer", &tova.to_string()),
            ("contact", &kalle.to_string()),
            ("offered_on", "2026-11-24"),
            ("answer", "declined"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM support_contacts WHERE carer_kind = 'signup' AND carer_id = {tova} AND answer = 'declined'"
            )
        )
        .await,
        1
    );
    let (_, body) = page(&app, &format!("/kommun/{K}/anmalan/{tova_token}")).await;
    assert!(!body.contains("Kalle Kontaktsson"), "{body}");

    // A conversation's booking page names the offered contact instead of the officer.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "conversation"),
            ("carer", &nora.to_string()),
            ("contact", &kalle.to_string()),
            ("offered_on", "2026-11-25"),
            ("answer", "accepted"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let (_, body) = page(&app, &format!("/kommun/{K}/bokning/{nora_token}")).await;
    assert!(
        body.contains("<dt>Din stödkontakt</dt><dd>Kalle Kontaktsson</dd>"),
        "{body}"
    );

    // Refused: another municipality's carer, an anonymous request, an unknown kind, a
    // colleague elsewhere as the contact, a future date. Nothing is stored.
    let before = count(&app, "support_contacts").await;
    for (kind, carer, contact, on, status) in [
        ("contact_request", stockholmer, kalle, "2026-11-25", 404),
        ("contact_request", hidden, kalle, "2026-11-25", 404),
        ("case", cilla, kalle, "2026-11-25", 422),
        ("contact_request", cilla, sven, "2026-11-25", 422),
        ("contact_request", cilla, kalle, "2026-11-26", 422),
    ] {
        let p = staff_post(
            &mut b,
            &csrf,
            "/personal/stodkontakt/erbjud",
            &[
                ("kind", kind),
                ("carer", &carer.to_string()),
                ("contact", &contact.to_string()),
                ("offered_on", on),
            ],
        )
        .await;
        assert_eq!(
            p.status, status,
            "{kind} {carer} {contact} {on}: {}",
            p.body
        );
    }
    assert_eq!(count(&app, "support_contacts").await, before);
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "contact_request"),
            ("carer", &cilla.to_string()),
            ("contact", &karin.to_string()),
            ("offered_on", "2026-11-26"),
        ],
    )
    .await;
    assert!(
        p.body.contains("Datumet kan inte ligga i framtiden."),
        "{}",
        p.body
    );
    // Staff elsewhere cannot answer this municipality's offer.
    let (mut elsewhere, _) = staff_with_id(
        &app,
        OTHER,
        "carer-support-officer",
        "stig@stockholm.example",
    )
    .await;
    let their_csrf = csrf_from(&mut elsewhere, "/personal/stodkontakt").await;
    let tova_offer = scalar(
        &app,
        &format!(
            "SELECT id FROM support_contacts WHERE carer_kind = 'signup' AND carer_id = {tova}"
        ),
    )
    .await;
    let p = staff_post(
        &mut elsewhere,
        &their_csrf,
        &format!("/personal/stodkontakt/{offer}/svar"),
        &[("answer", "declined")],
    )
    .await;
    assert_eq!(p.status, 404);
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/999999/svar",
        &[("answer", "declined")],
    )
    .await;
    assert_eq!(p.status, 404);
    assert_eq!(
        text(
            &app,
            &format!("SELECT answer FROM support_contacts WHERE id = {tova_offer}")
        )
        .await,
        "declined"
    );

    // The last one; then nobody with a name is waiting.
    let p = staff_post(
        &mut b,
        &csrf,
        "/personal/stodkontakt/erbjud",
        &[
            ("kind", "contact_request"),
            ("carer", &cilla.to_string()),
            ("contact", &karin.to_string()),
            ("offered_on", "2026-11-25"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = b.get("/personal/stodkontakt").await;
    assert!(
        p.body
            .contains("Alla anhöriga med namn har erbjudits en stödkontakt."),
        "{}",
        p.body
    );
    assert_eq!(
        named(&audit(&app).await, "support_contact.offer").len(),
        4,
        "Sigge, Tova, Nora, Cilla"
    );
}

// ---- 5. statistics ----

/// The rows of the table with this caption: (label, shown value).
fn table(body: &str, caption: &str) -> Vec<(String, String)> {
    let marker = format!("<caption>{caption}</caption>");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no table {caption}: {body}"));
    let t = &body[i..];
    let t = &t[..t.find("</table>").unwrap()];
    t.split("<th scope=\"row\">")
        .skip(1)
        .map(|r| {
            let (label, rest) = r.split_once("</th><td>").unwrap();
            (
                label.to_owned(),
                rest[..rest.find("</td>").unwrap()].to_owned(),
            )
        })
        .collect()
}

fn map(rows: &[(&str, &str)]) -> BTreeMap<String, String> {
    rows.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The bars of the chart: (title text, height).
fn bars(body: &str) -> Vec<(String, i64)> {
    body.split("<rect ")
        .skip(1)
        .map(|r| {
            let h = r.split_once("height=\"").unwrap().1;
            let height = h[..h.find('"').unwrap()].parse().unwrap();
            let t = r.split_once("<title>").unwrap().1;
            (t[..t.find("</title>").unwrap()].to_owned(), height)
        })
        .collect()
}

fn fact(body: &str, label: &str) -> String {
    let marker = format!("<dt>{label}</dt><dd>");
    let rest = &body[body.find(&marker).unwrap_or_else(|| panic!("{label}")) + marker.len()..];
    rest[..rest.find("</dd>").unwrap()].to_owned()
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const SHORT: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// Every figure of a page as "part|group" → value, as the CSV names them.
fn figures(body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("Totalt|".into(), {
        let lead = body.split_once("Vi har nått ").unwrap().1;
        lead[..lead.find(" anhöriga").unwrap()].to_owned()
    });
    out.insert("Anonyma kontakter|".into(), fact(body, "Anonyma kontakter"));
    out.insert("Unga anhöriga|".into(), fact(body, "Unga anhöriga"));
    for caption in [
        "Per sätt att nå oss",
        "Per ålder",
        "Kvinnor och män",
        "Per månad",
    ] {
        for (k, v) in table(body, caption) {
            out.insert(format!("{caption}|{k}"), v);
        }
    }
    out
}

fn csv_figures(csv: &str) -> BTreeMap<String, String> {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("del;grupp;antal"));
    lines
        .map(|l| {
            let cells: Vec<String> = l
                .split(';')
                .map(|c| c.trim_matches('"').replace("\"\"", "\""))
                .collect();
            assert_eq!(cells.len(), 3, "{l}");
            (format!("{}|{}", cells[0], cells[1]), cells[2].clone())
        })
        .collect()
}

/// Checks that the chart's bars carry the table's per-month values, and hidden ones no bar.
fn chart_matches_table(body: &str) {
    let months = table(body, "Per månad");
    let bars = bars(body);
    assert_eq!(months.len(), 12);
    assert_eq!(bars.len(), 12);
    let max = months
        .iter()
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .max()
        .unwrap()
        .max(1);
    for i in 0..12 {
        assert_eq!(months[i].0, MONTHS[i]);
        assert_eq!(
            bars[i].0,
            format!("{}: {}", SHORT[i], months[i].1),
            "month {i}"
        );
        let height = months[i].1.parse::<i64>().map_or(0, |n| n * 160 / max);
        assert_eq!(bars[i].1, height, "bar {i}");
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// Moves the clock forward to `t`.
fn to(clock: &TestClock, t: DateTime<Utc>) {
    let by = t - clock.now();
    assert!(by >= Duration::zero());
    clock.advance(by);
}

async fn csv(b: &mut Browser, path: &str) -> String {
    let p = b.get(path).await;
    assert_eq!(p.status, 200, "{}", p.body);
    p.body
}

#[tokio::test]
async fn statistics_count_each_carer_once_and_hide_small_counts_outside() {
    // 2027-01-01 00:30 in Stockholm, still 2026 in UTC.
    let (app, clock) = app_at(utc(2026, 12, 31, 23, 30)).await;
    let karin = account(
        &app,
        K,
        "carer-support-officer",
        "karin@uppsala.example",
        "Karin Konsulent",
    )
    .await;
    let origin = Origin::default();

    // Requests in January: Anna (also in groups), Gustav, two anonymous ones.
    request(
        &app,
        K,
        json!({"anonymous": true, "carer_age_group": "under-18", "consent": true}),
    )
    .await;
    to(&clock, utc(2027, 1, 4, 9, 0));
    request(
        &app,
        K,
        json!({"name": "Anna Anhörig", "email": "anna@example.org", "carer_age_group": "65-79", "consent": true}),
    )
    .await;
    request(
        &app,
        K,
        json!({"name": "Gustav", "phone": "070-111 22 33", "consent": true}),
    )
    .await;
    request(
        &app,
        K,
        json!({"anonymous": true, "phone": "070-111 22 33", "consent": true}),
    )
    .await;

    // Sign-ups: a group in March, a lecture in May, a café next year; one cancelled.
    let group = create_activity(
        &app,
        "support_group",
        "Samtalsgrupp",
        &["2027-03-10", "2027-03-17"],
    )
    .await;
    let lecture = create_activity(&app, "lecture", "Föreläsning om demens", &["2027-05-12"]).await;
    let cafe = create_activity(&app, "drop_in", "Anhörigcafé", &["2028-02-01"]).await;
    let person = |name: &str, email: &str, age: &str, gender: &str| json!({"name": name, "email": email, "age_group": age, "gender": gender, "consent": true});
    sign_up(
        &app,
        group,
        person("Anna Anhörig", "anna@example.org", "65-79", "woman"),
    )
    .await;
    sign_up(
        &app,
        group,
        person("Bo Bror", "bo@example.org", "18-64", "man"),
    )
    .await;
    let (_, cecilia) = sign_up(
        &app,
        group,
        person("Cecilia", "cecilia@example.org", "18-64", "woman"),
    )
    .await;
    let r = client()
        .delete(app.url(&format!("/api/v1/signups/{cecilia}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    sign_up(
        &app,
        lecture,
        json!({"name": "Anna A.", "email": "Anna@Example.org", "consent": true}),
    )
    .await;
    sign_up(
        &app,
        lecture,
        person("Dora Dotter", "dora@example.org", "under-18", "woman"),
    )
    .await;
    sign_up(
        &app,
        cafe,
        person("Erik", "erik@example.org", "18-64", "man"),
    )
    .await;

    // Conversations in April (named): held, not held, cancelled; one in December stays booked.
    let s1 = publish(
        &app,
        K,
        karin,
        "2027-04-14 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let s2 = publish(
        &app,
        K,
        karin,
        "2027-04-15 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let s3 = publish(
        &app,
        K,
        karin,
        "2027-04-16 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let s4 = publish(
        &app,
        K,
        karin,
        "2027-12-20 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let (frida, _) = booked(
        &app,
        K,
        s1,
        &[
            ("name", "Frida"),
            ("phone", "070-222 33 44"),
            ("email", "frida@example.org"),
            ("age_group", "80-plus"),
            ("gender", "woman"),
            yes(),
        ],
    )
    .await;
    let (hugo, _) = booked(
        &app,
        K,
        s2,
        &[("name", "Hugo"), ("phone", "070-333 44 55"), yes()],
    )
    .await;
    let (_, ivar) = booked(
        &app,
        K,
        s3,
        &[("name", "Ivar"), ("phone", "070-444 55 66"), yes()],
    )
    .await;
    let (status, _, _) = post_form(&app, &format!("/kommun/{K}/bokning/{ivar}/avboka"), &[]).await;
    assert_eq!(status, 303);
    booked(
        &app,
        K,
        s4,
        &[
            ("name", "Jens"),
            ("phone", "070-555 44 33"),
            ("email", "jens@example.org"),
            yes(),
        ],
    )
    .await;

    to(&clock, utc(2027, 4, 23, 9, 0));
    for (id, status) in [
        (frida, domain::conversation::ConversationStatus::Held),
        (hugo, domain::conversation::ConversationStatus::NotHeld),
    ] {
        store::conversations::mark(&app.db, K, id, status, clock.now(), &origin)
            .await
            .unwrap()
            .unwrap();
    }

    // June, anonymous: two bookings with the same number (one held, one left booked) and
    // three calls registered afterwards.
    to(&clock, utc(2027, 5, 3, 9, 0));
    set_mode(&app, RecordingMode::Anonymous, karin).await;
    let s5 = publish(
        &app,
        K,
        karin,
        "2027-06-01 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let s6 = publish(
        &app,
        K,
        karin,
        "2027-06-02 10:00",
        ConversationMode::Phone,
        None,
    )
    .await;
    let (a5, _) = booked(
        &app,
        K,
        s5,
        &[
            ("phone", "070-999 88 77"),
            ("age_group", "18-64"),
            ("gender", "man"),
            yes(),
        ],
    )
    .await;
    booked(&app, K, s6, &[("phone", "070-999 88 77"), yes()]).await;
    to(&clock, utc(2027, 6, 10, 9, 0));
    store::conversations::mark(
        &app.db,
        K,
        a5,
        domain::conversation::ConversationStatus::Held,
        clock.now(),
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    let local = domain::clock::stockholm_local(clock.now());
    for (date, age, gender) in [
        ("2027-06-08", "18-64", "woman"),
        ("2027-06-09", "", ""),
        ("2027-06-10", "", ""),
    ] {
        let raw = RawHeld {
            date: date.into(),
            time: "09:00".into(),
            mode: "phone".into(),
            name: "Namn som inte sparas".into(),
            phone: "070-999 88 77".into(),
            age_group: age.into(),
            gender: gender.into(),
            ..RawHeld::default()
        };
        let h = validate_held(&raw, RecordingMode::Anonymous, local).unwrap();
        store::conversations::register_held(
            &app.db,
            K,
            karin,
            &h,
            RecordingMode::Anonymous,
            clock.now(),
            &origin,
        )
        .await
        .unwrap();
    }

    // Read on 2027-12-01: Jens's time (20 December) has not come.
    to(&clock, utc(2027, 12, 1, 9, 0));
    let (mut officer, _) = staff_with_id(
        &app,
        K,
        "carer-support-officer",
        "konsulent2@uppsala.example",
    )
    .await;
    let p = officer.get("/personal/oppet-stod/statistik?ar=2027").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let staff_page = p.body;

    // Anna (request, group, lecture: one person), Bo, Dora, Frida, Gustav; seven anonymous:
    // two requests, two bookings with the same number, three registered calls.
    assert!(
        staff_page.contains("Vi har nått 12 anhöriga, varje person räknad en gång."),
        "{staff_page}"
    );
    let mut expected = BTreeMap::from([
        ("Totalt|".to_owned(), "12".to_owned()),
        ("Anonyma kontakter|".to_owned(), "7".to_owned()),
        ("Unga anhöriga|".to_owned(), "2".to_owned()),
    ]);
    let groups: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "Per sätt att nå oss",
            vec![
                ("Förfrågan om samtal", "4"),
                ("Föreläsning", "2"),
                ("Samtal", "6"),
                ("Samtalsgrupp", "2"),
            ],
        ),
        (
            "Per ålder",
            vec![
                ("Under 18 år", "2"),
                ("18–64 år", "3"),
                ("65–79 år", "1"),
                ("80 år eller äldre", "1"),
                ("Uppgift saknas", "5"),
            ],
        ),
        (
            "Kvinnor och män",
            vec![("Kvinna", "4"), ("Man", "2"), ("Uppgift saknas", "6")],
        ),
        (
            "Per månad",
            vec![
                ("januari", "4"),
                ("februari", "0"),
                ("mars", "2"),
                ("april", "1"),
                ("maj", "2"),
                ("juni", "5"),
                ("juli", "0"),
                ("augusti", "0"),
                ("september", "0"),
                ("oktober", "0"),
                ("november", "0"),
                ("december", "0"),
            ],
        ),
    ];
    for (caption, rows) in &groups {
        assert_eq!(
            map(&table(&staff_page, caption)
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>()),
            map(rows),
            "{caption}"
        );
        for (k, v) in rows {
            expected.insert(format!("{caption}|{k}"), (*v).to_owned());
        }
    }
    assert_eq!(figures(&staff_page), expected);
    chart_matches_table(&staff_page);

    // The CSV has the same numbers.
    let file = csv(&mut officer, "/personal/oppet-stod/statistik.csv?ar=2027").await;
    assert_eq!(csv_figures(&file), expected);

    // For the board and the public, 1 to 4 are "färre än 5"; 0 and 5 or more are shown.
    let board: BTreeMap<String, String> = expected
        .iter()
        .map(|(k, v)| {
            let n: i64 = v.parse().unwrap();
            let shown = if (1..5).contains(&n) {
                "färre än 5".to_owned()
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect();
    assert_eq!(board["Per månad|juni"], "5");
    assert_eq!(board["Per månad|juli"], "0");
    assert_eq!(board["Per månad|januari"], "färre än 5");
    let file = csv(
        &mut officer,
        "/personal/oppet-stod/statistik.csv?ar=2027&namnd=1",
    )
    .await;
    assert_eq!(csv_figures(&file), board);
    let (status, public) = page(&app, "/kommun/0380/statistik?ar=2027").await;
    assert_eq!(status, 200);
    assert_eq!(figures(&public), board);
    assert!(public.contains("Antal under 5 visas inte"), "{public}");
    chart_matches_table(&public);
    for name in ["Anna", "Gustav", "anna@example.org"] {
        assert!(
            !public.contains(name) && !staff_page.contains(name),
            "{name}"
        );
    }

    // Who may read it: the officers and the unit manager, not a case officer.
    let mut manager = staff(&app, K, "unit-manager", "chef@uppsala.example").await;
    let p = manager.get("/personal/oppet-stod/statistik?ar=2027").await;
    assert_eq!(p.status, 200);
    assert_eq!(figures(&p.body), expected);
    let mut case_officer = staff(&app, K, "case-officer", "hanna@uppsala.example").await;
    assert_eq!(
        case_officer
            .get("/personal/oppet-stod/statistik?ar=2027")
            .await
            .status,
        403
    );
    assert_eq!(
        case_officer
            .get("/personal/oppet-stod/statistik.csv?ar=2027")
            .await
            .status,
        403
    );
    // Another year has nothing.
    let p = officer.get("/personal/oppet-stod/statistik?ar=2026").await;
    assert!(p.body.contains("Vi har nått 0 anhöriga"), "{}", p.body);

    // 2027-12-31 23:30 UTC is 2028 in Stockholm: that request is next year's. Jens's time
    // has come by now and counts, in December.
    to(&clock, utc(2027, 12, 31, 23, 30));
    request(
        &app,
        K,
        json!({"name": "Nyårsafton", "email": "sen@example.org", "consent": true}),
    )
    .await;
    let mut officer = staff(
        &app,
        K,
        "carer-support-officer",
        "konsulent3@uppsala.example",
    )
    .await;
    let p = officer.get("/personal/oppet-stod/statistik?ar=2027").await;
    let now = figures(&p.body);
    assert_eq!(now["Totalt|"], "13");
    assert_eq!(now["Per månad|december"], "1");
    assert_eq!(now["Per månad|januari"], "4");
    assert_eq!(now["Per sätt att nå oss|Förfrågan om samtal"], "4");
    let p = officer.get("/personal/oppet-stod/statistik?ar=2028").await;
    let next = figures(&p.body);
    assert_eq!(next["Per sätt att nå oss|Förfrågan om samtal"], "1");
    assert_eq!(next["Per månad|januari"], "1", "{next:?}");
}

/// The public statistics page is open to anyone: a report is computed (and its read logged)
/// once per node in a while, not on every visit.
#[tokio::test]
async fn the_public_report_is_computed_once_a_while_not_per_visit() {
    let app = spawn_app().await;
    let reads = "SELECT COUNT(*) FROM audit_log WHERE action = 'stats.open_support.read'";
    for _ in 0..3 {
        let (status, _) = page(&app, "/kommun/0380/statistik?ar=2026").await;
        assert_eq!(status, 200);
    }
    assert_eq!(scalar(&app, reads).await, 1);
    // A year still to come shows this year's report, not a computation of its own.
    let (status, _) = page(&app, "/kommun/0380/statistik?ar=2099").await;
    assert_eq!(status, 200);
    let this_year = chrono::Datelike::year(&app.state.clock.today());
    assert_eq!(
        scalar(&app, reads).await,
        if this_year == 2026 { 1 } else { 2 }
    );
}
