#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The staff workspace over HTTP: sign-in, second factor, sessions, CSRF, lockout, the inbox
//! and its access rules. Runs on the backend of this run, with a clock the test moves.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use serde_json::json;
use std::sync::Arc;
use testkit::{create_staff, TestClock};

const PW: &str = "korv med bröd och senap";

async fn app_at_fixed_time() -> (TestApp, Arc<TestClock>) {
    let clock = TestClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap());
    let options = testkit::Options {
        clock: clock.clone(),
        ..Default::default()
    };
    (spawn_app_with(options).await, clock)
}

async fn officer(app: &TestApp, email: &str) -> i64 {
    create_staff(
        app,
        Some("0380"),
        "carer-support-officer",
        email,
        PW,
        true,
        Some("Anhörigstödet"),
    )
    .await
}

fn actions(rows: &[store::audit::AuditRow]) -> Vec<String> {
    rows.iter().map(|r| r.event.action.clone()).collect()
}

#[tokio::test]
async fn sign_in_takes_two_steps_and_gets_a_new_session_id() {
    let (app, _) = app_at_fixed_time().await;
    let id = officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    let p = b.password("anna@kommun.example", PW).await;
    assert_eq!(p.location.as_deref(), Some("/personal/tvastegs"));
    let half = b.cookies["anh_session"].clone();
    let cookie = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("anh_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    // Half signed in is not signed in.
    assert_eq!(
        b.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    let p = b
        .code(&testkit::totp_now(&app, testkit::TEST_TOTP_SECRET))
        .await;
    assert_eq!(p.location.as_deref(), Some("/personal/inkorg"));
    let full = b.cookies["anh_session"].clone();
    assert_ne!(half, full, "the session id changes when sign-in completes");
    assert_eq!(b.get("/personal/inkorg").await.status, 200);
    // The id seen before completion is worth nothing now.
    let mut old = Browser::new(&app);
    old.cookies.insert("anh_session".into(), half);
    assert_eq!(
        old.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    let signin = rows
        .iter()
        .find(|r| r.event.action == "auth.sign_in")
        .unwrap();
    assert_eq!(signin.event.actor, format!("staff:{id}"));
    assert_eq!(signin.event.kommunkod.as_deref(), Some("0380"));
    assert!(actions(&rows).contains(&"auth.password_accepted".to_owned()));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_answer_alike() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    let wrong = b.password("anna@kommun.example", "fel lösenord här").await;
    let unknown = b.password("nobody@kommun.example", PW).await;
    assert_eq!((wrong.status, unknown.status), (401, 401));
    for p in [&wrong, &unknown] {
        assert!(
            p.body.contains("Fel e-postadress eller lösenord.")
                && p.body.contains("role=\"alert\"")
        );
        assert!(!b.cookies.contains_key("anh_session"));
    }
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.event.action == "auth.sign_in_failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].event.actor, "unknown");
    assert!(failed
        .iter()
        .all(|r| r.event.client_addr.as_deref() == Some("127.0.0.1")));
}

#[tokio::test]
async fn an_account_is_locked_after_five_failures_even_with_the_right_password() {
    let (app, clock) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    officer(&app, "bertil@kommun.example").await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(
            b.password("anna@kommun.example", "fel lösenord här")
                .await
                .status,
            401
        );
    }
    let p = b.password("anna@kommun.example", PW).await;
    assert_eq!(p.status, 429);
    assert!(p.body.contains("För många misslyckade försök"));
    // Another account from the same address still signs in.
    let mut other = Browser::new(&app);
    other.sign_in(&app, "bertil@kommun.example", PW).await;
    // After the window the account opens again.
    clock.advance(Duration::minutes(16));
    let mut later = Browser::new(&app);
    later.sign_in(&app, "anna@kommun.example", PW).await;
    let rows = store::audit::rows_after(&app.db, 0, 200).await.unwrap();
    assert!(actions(&rows).contains(&"auth.sign_in_blocked".to_owned()));
}

#[tokio::test]
async fn an_address_is_slowed_after_twenty_failures_over_any_accounts() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    for i in 0..20 {
        assert_eq!(
            b.password(&format!("guess{i}@kommun.example"), "fel lösenord här")
                .await
                .status,
            401
        );
    }
    assert_eq!(b.password("anna@kommun.example", PW).await.status, 429);
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    // Sign-in without the double-submit cookie and field.
    let p = b
        .post(
            "/personal/logga-in",
            &[("email", "anna@kommun.example"), ("password", PW)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(!b.cookies.contains_key("anh_session"));
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let (_, body) = post_json(&app, "0380", &json!({"consent": true, "anonymous": true})).await;
    let id = store::contact_requests::references(&app.db, "0380")
        .await
        .unwrap()
        .len();
    assert_eq!(id, 1, "{body}");
    let p = b
        .post(
            "/personal/inkorg/1/tilldela",
            &[("till", "me"), ("_csrf", "forged")],
        )
        .await;
    assert_eq!(p.status, 403);
    let p = b.post("/personal/logga-ut", &[]).await;
    assert_eq!(p.status, 403);
    assert_eq!(
        b.get("/personal/inkorg").await.status,
        200,
        "still signed in"
    );
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    assert!(!actions(&rows).contains(&"contact_request.assign".to_owned()));
}

#[tokio::test]
async fn a_code_cannot_be_used_twice() {
    let (app, clock) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let code = testkit::totp_now(&app, testkit::TEST_TOTP_SECRET);
    let mut first = Browser::new(&app);
    first.password("anna@kommun.example", PW).await;
    assert_eq!(
        first.code(&code).await.location.as_deref(),
        Some("/personal/inkorg")
    );
    let mut second = Browser::new(&app);
    second.password("anna@kommun.example", PW).await;
    let p = second.code(&code).await;
    assert_eq!(p.status, 401);
    assert!(p.body.contains("Koden stämmer inte"));
    clock.advance(Duration::seconds(30));
    assert_eq!(
        second
            .code(&testkit::totp_now(&app, testkit::TEST_TOTP_SECRET))
            .await
            .location
            .as_deref(),
        Some("/personal/inkorg")
    );
}

#[tokio::test]
async fn enrolment_gives_recovery_codes_that_work_once() {
    let (app, clock) = app_at_fixed_time().await;
    create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "ny@kommun.example",
        PW,
        false,
        None,
    )
    .await;
    let mut b = Browser::new(&app);
    let p = b.password("ny@kommun.example", PW).await;
    assert_eq!(p.location.as_deref(), Some("/personal/tvastegs/aktivera"));
    let page = b.get("/personal/tvastegs/aktivera").await;
    assert!(page.body.contains("<svg"), "a QR code drawn on the server");
    let secret: String = {
        let i = page.body.find("<code id=\"secret\">").unwrap() + 18;
        page.body[i..i + page.body[i..].find('<').unwrap()].replace(' ', "")
    };
    // The same key is shown on reload (it is kept in the session until confirmed).
    assert!(b
        .get("/personal/tvastegs/aktivera")
        .await
        .body
        .contains(&secret[..4]));
    let wrong = b
        .post(
            "/personal/tvastegs/aktivera",
            &[("_csrf", &page.csrf()), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let done = b
        .post(
            "/personal/tvastegs/aktivera",
            &[
                ("_csrf", &page.csrf()),
                ("code", &testkit::totp_now(&app, &secret)),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let codes: Vec<String> = done
        .body
        .match_indices("<li><code>")
        .map(|(i, _)| done.body[i + 10..i + 21].to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(b.get("/personal/inkorg").await.status, 200);
    // Later, without the phone: a recovery code, once.
    clock.advance(Duration::minutes(1));
    let mut c = Browser::new(&app);
    c.password("ny@kommun.example", PW).await;
    assert_eq!(
        c.code(&codes[3]).await.location.as_deref(),
        Some("/personal/inkorg")
    );
    let mut d = Browser::new(&app);
    d.password("ny@kommun.example", PW).await;
    assert_eq!(
        d.code(&codes[3]).await.status,
        401,
        "a recovery code works once"
    );
    assert_eq!(
        d.code(&codes[4].to_lowercase().replace('-', " "))
            .await
            .location
            .as_deref(),
        Some("/personal/inkorg")
    );
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_limit() {
    let (app, clock) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    clock.advance(Duration::minutes(29));
    assert_eq!(b.get("/personal/inkorg").await.status, 200);
    clock.advance(Duration::minutes(29));
    assert_eq!(
        b.get("/personal/inkorg").await.status,
        200,
        "use keeps it alive"
    );
    clock.advance(Duration::minutes(31));
    assert_eq!(
        b.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in"),
        "idle too long"
    );

    clock.advance(Duration::seconds(30));
    let mut c = Browser::new(&app);
    c.sign_in(&app, "anna@kommun.example", PW).await;
    for _ in 0..(12 * 60 / 25) {
        clock.advance(Duration::minutes(25));
        assert_eq!(c.get("/personal/inkorg").await.status, 200);
    }
    clock.advance(Duration::minutes(25));
    assert_eq!(
        c.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in"),
        "past 12 hours"
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let (app, clock) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut a = Browser::new(&app);
    a.sign_in(&app, "anna@kommun.example", PW).await;
    clock.advance(Duration::seconds(30));
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let page = a.get("/personal/inkorg").await;
    let p = a
        .post(
            "/personal/logga-ut",
            &[("_csrf", &page.csrf()), ("everywhere", "yes")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/personal/logga-in?utloggad=1"));
    assert!(
        !a.cookies.contains_key("anh_session"),
        "the cookie is cleared"
    );
    assert_eq!(
        b.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    assert!(actions(&rows).contains(&"auth.sign_out_everywhere".to_owned()));
}

#[tokio::test]
async fn a_disabled_account_is_out_at_once() {
    let (app, _) = app_at_fixed_time().await;
    let id = officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    store::staff::set_disabled(&app.db, id, true, Utc::now(), &Default::default())
        .await
        .unwrap();
    assert_eq!(
        b.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    assert_eq!(
        Browser::new(&app)
            .password("anna@kommun.example", PW)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_inbox_shows_only_the_own_municipality_and_logs_every_read() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let colleague = officer(&app, "bertil@kommun.example").await;
    let stranger = create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "cecilia@stockholm.example",
        PW,
        true,
        None,
    )
    .await;
    for (k, n) in [("0380", 3), ("0180", 2)] {
        for i in 0..n {
            let (status, _) = post_json(&app, k, &json!({"consent": true, "phone": "070-174 06 50", "name": format!("Person {k}-{i}")})).await;
            assert_eq!(status, 201);
        }
    }
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let inbox = b.get("/personal/inkorg").await;
    assert_eq!(inbox.status, 200);
    assert_eq!(inbox.body.matches("href=\"/personal/inkorg/").count(), 3);
    assert!(!inbox.body.contains("Person 0180"));
    let rows = store::audit::rows_after(&app.db, 0, 200).await.unwrap();
    let read = rows
        .iter()
        .rev()
        .find(|r| r.event.action == "contact_request.list")
        .unwrap();
    assert_eq!(read.event.persons.len(), 3);
    assert_eq!(read.event.role, "carer-support-officer");
    assert!(read.event.request_id.is_some());

    // Ids of another municipality answer as if they did not exist.
    let theirs =
        store::contact_requests::queue(&app.db, "0180", None, 10, Utc::now(), &Default::default())
            .await
            .unwrap();
    let p = b.get(&format!("/personal/inkorg/{}", theirs[0].id)).await;
    assert_eq!(p.status, 404);
    let ours =
        store::contact_requests::queue(&app.db, "0380", None, 10, Utc::now(), &Default::default())
            .await
            .unwrap();
    let item = b.get(&format!("/personal/inkorg/{}", ours[0].id)).await;
    assert_eq!(item.status, 200);
    assert!(item.body.contains("Person 0380"));
    let csrf = item.csrf();
    let to_stranger = b
        .post(
            &format!("/personal/inkorg/{}/tilldela", ours[0].id),
            &[("_csrf", &csrf), ("till", &stranger.to_string())],
        )
        .await;
    assert_eq!(
        to_stranger.status, 404,
        "cannot give work to another municipality"
    );
    let to_colleague = b
        .post(
            &format!("/personal/inkorg/{}/tilldela", ours[0].id),
            &[("_csrf", &csrf), ("till", &colleague.to_string())],
        )
        .await;
    assert_eq!(to_colleague.status, 303);
    let mine = b.get("/personal/inkorg?visa=otilldelade").await;
    assert_eq!(mine.body.matches("href=\"/personal/inkorg/").count(), 2);
    let rows = store::audit::rows_after(&app.db, 0, 300).await.unwrap();
    let assign = rows
        .iter()
        .find(|r| r.event.action == "contact_request.assign")
        .unwrap();
    assert_eq!(
        assign.event.reason.as_deref(),
        Some(format!("to staff:{colleague}").as_str())
    );
    assert!(rows.iter().any(|r| r.event.action == "contact_request.read"
        && r.event.object_id == Some(ours[0].id.to_string())));
}

#[tokio::test]
async fn administrators_do_not_read_the_inbox() {
    let (app, clock) = app_at_fixed_time().await;
    create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "admin@kommun.example",
        PW,
        true,
        None,
    )
    .await;
    create_staff(
        &app,
        None,
        "system-admin",
        "drift@example.org",
        PW,
        true,
        None,
    )
    .await;
    let (status, _) = post_json(&app, "0380", &json!({"consent": true, "anonymous": true})).await;
    assert_eq!(status, 201);
    let mut a = Browser::new(&app);
    a.sign_in(&app, "admin@kommun.example", PW).await;
    assert_eq!(a.get("/personal/inkorg").await.status, 403);
    assert_eq!(a.get("/personal/inkorg/1").await.status, 404);
    clock.advance(Duration::seconds(30));
    let mut s = Browser::new(&app);
    s.sign_in(&app, "drift@example.org", PW).await;
    assert_eq!(s.get("/personal/inkorg").await.status, 403);
    assert_eq!(s.get("/personal/inkorg/1").await.status, 404);
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    assert!(!actions(&rows)
        .iter()
        .any(|a| a.starts_with("contact_request.list") || a == "contact_request.read"));
}

#[tokio::test]
async fn the_inbox_pages_by_keyset_without_gaps_or_repeats() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    for _ in 0..120 {
        let (status, _) =
            post_json(&app, "0380", &json!({"consent": true, "anonymous": true})).await;
        assert_eq!(status, 201);
    }
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let mut seen = std::collections::HashSet::new();
    let mut path = "/personal/inkorg?visa=alla&ordning=nyast".to_owned();
    let mut pages = 0;
    loop {
        let p = b.get(&path).await;
        pages += 1;
        for (i, _) in p.body.match_indices("<td><a href=\"/personal/inkorg/") {
            let id: String = p.body[i + 30..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            assert!(
                seen.insert(id.clone()),
                "row {id} appeared twice (page {pages}, path {path})"
            );
        }
        match p.body.find("rel=\"next\"") {
            Some(_) => {
                let i = p.body.find("<a href=\"/personal/inkorg?").unwrap() + 9;
                path = p.body[i..i + p.body[i..].find('"').unwrap()]
                    .replace("&amp;", "&")
                    .replace("&#38;", "&");
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn the_cli_manages_accounts_and_tokens() {
    let db = testkit::fresh_database().await;
    let weak = std::process::Command::new(BIN)
        .args([
            "user",
            "add",
            "--municipality",
            "0380",
            "--role",
            "case-officer",
            "--email",
            "x@kommun.example",
            "--password-stdin",
        ])
        .env("ANHORIGSTOD_DATABASE_URL", &db.url)
        .envs(testkit::KEY_ENV)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut weak = weak;
    weak.stdin
        .take()
        .unwrap()
        .write_all(b"password1234\n")
        .unwrap();
    let out = weak.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password refused"));

    let (code, out, err) = run_cli(
        &db.url,
        &[
            "user",
            "add",
            "--municipality",
            "0380",
            "--role",
            "case-officer",
            "--email",
            "x@kommun.example",
            "--unit",
            "Mottagningen",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("password (shown once)"), "{out}");
    assert!(
        out.contains("a link to choose the password is queued to x@kommun.example"),
        "{out}"
    );
    {
        let store = testkit::open_store(&db.url).await;
        let c = store::staff::credentials(&store, "x@kommun.example")
            .await
            .unwrap()
            .unwrap();
        let mails = store::outbox::list(&store, &format!("staff:{}", c.user.id))
            .await
            .unwrap();
        assert_eq!(mails.len(), 1);
        let link = password_link_in(&mails[0].text);
        assert!(!out.contains(&link), "the link is only in the mail");
        assert_eq!(
            store::staff::units_of(&store, c.user.id)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    let (code, _, err) = run_cli(
        &db.url,
        &[
            "user",
            "add",
            "--role",
            "nurse",
            "--email",
            "y@kommun.example",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("unknown role"));
    let (code, token, err) = run_cli(
        &db.url,
        &[
            "token",
            "create",
            "--email",
            "x@kommun.example",
            "--scope",
            "read",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let token = token.trim();
    assert!(
        token.starts_with("anh_") && token.len() == 68 && !token.contains(' '),
        "only the token: {token}"
    );
    let store = testkit::open_store(&db.url).await;
    let owner = store::tokens::lookup(&store, token, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.scopes, vec![domain::api_token::Scope::Read]);
    let (code, _, _) = run_cli(&db.url, &["user", "disable", "--email", "x@kommun.example"]);
    assert_eq!(code, 0);
    assert!(
        store::tokens::lookup(&store, token, Utc::now())
            .await
            .unwrap()
            .is_none(),
        "disabling ends tokens"
    );
    let (_, list, _) = run_cli(&db.url, &["user", "list", "--municipality", "0380"]);
    let users: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(users[0]["disabled"], true);
    assert!(!list.contains("password_hash") && !list.contains("$argon2"));
}

#[tokio::test]
async fn a_municipal_admin_manages_the_municipalitys_accounts_only() {
    let (app, clock) = app_at_fixed_time().await;
    let admin_id = create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "admin@kommun.example",
        PW,
        true,
        None,
    )
    .await;
    let officer_id = officer(&app, "anna@kommun.example").await;
    let stranger = create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "x@stockholm.example",
        PW,
        true,
        None,
    )
    .await;
    let mut a = Browser::new(&app);
    let p = a.password("admin@kommun.example", PW).await;
    assert_eq!(p.location.as_deref(), Some("/personal/tvastegs"));
    let p = a
        .code(&testkit::totp_now(&app, testkit::TEST_TOTP_SECRET))
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/personal/admin/anvandare"),
        "administrators start among the accounts"
    );
    let page = a.get("/personal/admin/anvandare").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("anna@kommun.example") && !page.body.contains("x@stockholm.example")
    );
    assert!(
        !page.body.contains("href=\"/personal/inkorg\""),
        "no inbox in an administrator's menu"
    );
    let csrf = page.csrf();

    // A new account: nobody is shown a password; the holder chooses one through a link sent
    // to them, then sets up a second factor first.
    let p = a
        .post(
            "/personal/admin/anvandare",
            &[
                ("_csrf", &csrf),
                ("name", "Ny Handläggare"),
                ("email", "ny@kommun.example"),
                ("role", "case-officer"),
                ("unit", "Mottagningen"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("En länk för att välja lösenord"),
        "{}",
        p.body
    );
    let new_id = store::staff::credentials(&app.db, "ny@kommun.example")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let mails = store::outbox::list(&app.db, &format!("staff:{new_id}"))
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "one invitation");
    assert_eq!(mails[0].to, "ny@kommun.example");
    let path = password_link_in(&mails[0].text);
    assert!(
        !p.body.contains(&path),
        "the administrator never sees the link"
    );
    let mut n = Browser::new(&app);
    let chosen = "ett eget lösenord för den nya";
    let done = n
        .post(&path, &[("password", chosen), ("repeat", chosen)])
        .await;
    assert_eq!(done.location.as_deref(), Some("/personal/logga-in?nytt=1"));
    assert_eq!(
        n.password("ny@kommun.example", chosen)
            .await
            .location
            .as_deref(),
        Some("/personal/tvastegs/aktivera")
    );
    let units = store::staff::units_of(&app.db, new_id).await.unwrap();
    assert_eq!(units.len(), 1, "the account is in its unit");
    let dup = a
        .post(
            "/personal/admin/anvandare",
            &[
                ("_csrf", &csrf),
                ("name", "Igen"),
                ("email", "ny@kommun.example"),
                ("role", "case-officer"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    let sys = a
        .post(
            "/personal/admin/anvandare",
            &[
                ("_csrf", &csrf),
                ("name", "Drift"),
                ("email", "d@kommun.example"),
                ("role", "system-admin"),
            ],
        )
        .await;
    assert_eq!(
        sys.status, 403,
        "only system administrators make system administrators"
    );

    // Disabling ends the colleague's session at once; another municipality's account is not there.
    clock.advance(chrono::Duration::seconds(30));
    let mut anna = Browser::new(&app);
    anna.sign_in(&app, "anna@kommun.example", PW).await;
    let p = a
        .post(
            &format!("/personal/admin/anvandare/{officer_id}/inaktivera"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 200);
    assert_eq!(
        anna.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    let p = a
        .post(
            &format!("/personal/admin/anvandare/{stranger}/inaktivera"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 404);
    // Nor does an administrator disable their own account here; the page says why.
    let p = a
        .post(
            &format!("/personal/admin/anvandare/{admin_id}/inaktivera"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(
        p.body.contains("Du kan inte ändra ditt eget konto här."),
        "{}",
        p.body
    );
    let p = a
        .post(
            &format!("/personal/admin/anvandare/{officer_id}/nollstall-tvastegs"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 200);
    let u = store::staff::by_id(&app.db, officer_id)
        .await
        .unwrap()
        .unwrap();
    assert!(u.disabled && !u.has_totp);
    let rows = store::audit::rows_after(&app.db, 0, 500).await.unwrap();
    for action in ["staff.create", "staff.disable", "staff.totp_removed"] {
        assert!(
            rows.iter()
                .any(|r| r.event.action == action && r.event.role == "municipal-admin"),
            "{action}"
        );
    }
    // Case readers have no account administration.
    clock.advance(chrono::Duration::seconds(30));
    officer(&app, "bo@kommun.example").await;
    let mut bo = Browser::new(&app);
    bo.sign_in(&app, "bo@kommun.example", PW).await;
    assert_eq!(bo.get("/personal/admin/anvandare").await.status, 403);
}

#[tokio::test]
async fn the_workspace_is_available_in_english() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let sv = b.get("/personal/inkorg").await;
    assert!(sv.body.contains("<html lang=\"sv\">") && sv.body.contains("<h1>Inkorg</h1>"));
    let p = b
        .post("/personal/sprak", &[("_csrf", &sv.csrf()), ("lang", "en")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/personal/inkorg"));
    let en = b.get("/personal/inkorg").await;
    assert!(
        en.body.contains("<html lang=\"en\">") && en.body.contains("<h1>Inbox</h1>"),
        "{}",
        en.body
    );
    assert!(en.body.contains("lang=\"sv\">På svenska</button>"));
    let p = b
        .post("/personal/sprak", &[("_csrf", &en.csrf()), ("lang", "sv")])
        .await;
    assert_eq!(p.status, 303);
    assert!(b
        .get("/personal/arenden")
        .await
        .body
        .contains("<h1>Ärenden</h1>"));
}

#[tokio::test]
async fn the_inbox_filters_by_the_unit_of_whoever_holds_an_item() {
    let (app, _) = app_at_fixed_time().await;
    officer(&app, "anna@kommun.example").await;
    let other = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "bo@kommun.example",
        PW,
        true,
        Some("Mottagningen"),
    )
    .await;
    for _ in 0..3 {
        let (status, _) =
            post_json(&app, "0380", &json!({"consent": true, "anonymous": true})).await;
        assert_eq!(status, 201);
    }
    let ids =
        store::contact_requests::queue(&app.db, "0380", None, 10, Utc::now(), &Default::default())
            .await
            .unwrap();
    store::contact_requests::assign(
        &app.db,
        "0380",
        ids[0].id,
        Some(other),
        Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap();
    let units = store::staff::units(&app.db, "0380").await.unwrap();
    let reception = units.iter().find(|u| u.name == "Mottagningen").unwrap().id;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let all = b.get("/personal/inkorg").await;
    assert_eq!(
        all.body.matches("<td><a href=\"/personal/inkorg/").count(),
        3
    );
    let filtered = b.get(&format!("/personal/inkorg?enhet={reception}")).await;
    assert_eq!(
        filtered
            .body
            .matches("<td><a href=\"/personal/inkorg/")
            .count(),
        1
    );
    assert!(filtered
        .body
        .contains(&format!("value=\"{reception}\" selected")));
    let kind = b.get("/personal/inkorg?slag=samtal").await;
    assert_eq!(
        kind.body.matches("<td><a href=\"/personal/inkorg/").count(),
        3
    );
    let applications = b.get("/personal/inkorg?slag=ansokan").await;
    assert!(
        applications.body.contains("Inkorgen är tom."),
        "no applications exist yet"
    );
    // A unit of another municipality (or nonsense) is ignored, not an error.
    assert_eq!(
        b.get("/personal/inkorg?enhet=999999")
            .await
            .body
            .matches("<td><a href=\"/personal/inkorg/")
            .count(),
        3
    );
}
