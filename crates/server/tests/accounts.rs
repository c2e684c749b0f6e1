#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Accounts and their secrets (the security review's findings on administrators), written as
//! the attacks: an administrator signs in with a password alone; an administrator resets a case
//! officer's password, reads the new one and signs in as them; a stolen session or token
//! outlives a password change. And the way out for the holder: a one-time link, and
//! `/personal/konto` to change one's own password.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use domain::api_token::Scope;
use std::sync::Arc;
use testkit::{create_staff, spawn_app_with, TestApp, TestClock};

const PW: &str = "korv med bröd och senap";
const NEW_PW: &str = "tre gröna tåg i regnet";

async fn app() -> (TestApp, Arc<TestClock>) {
    let clock = TestClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap());
    let options = testkit::Options {
        clock: clock.clone(),
        ..Default::default()
    };
    (spawn_app_with(options).await, clock)
}

async fn token(app: &TestApp, user: i64) -> String {
    store::tokens::create(
        &app.db,
        user,
        &[Scope::Read],
        Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap()
}

async fn api_status(app: &TestApp, token: &str) -> u16 {
    client()
        .get(app.url("/api/v1/cases"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn administrators_sign_in_with_a_second_factor_too() {
    let (app, _) = app().await;
    for (kommun, role, email) in [
        (Some("0380"), "municipal-admin", "admin@kommun.example"),
        (None, "system-admin", "drift@example.org"),
    ] {
        create_staff(&app, kommun, role, email, PW, false, None).await;
        let mut b = Browser::new(&app);
        let p = b.password(email, PW).await;
        assert_eq!(
            p.location.as_deref(),
            Some("/personal/tvastegs/aktivera"),
            "{role}: the password alone is not enough"
        );
        assert_eq!(
            b.get("/personal/admin/anvandare").await.location.as_deref(),
            Some("/personal/logga-in"),
            "{role}: nothing before the second factor"
        );
    }
}

#[tokio::test]
async fn an_administrator_who_resets_a_password_never_sees_one() {
    let (app, clock) = app().await;
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
    let officer = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let officer_token = token(&app, officer).await;
    let mut anna = Browser::new(&app);
    anna.sign_in(&app, "anna@kommun.example", PW).await;
    clock.advance(Duration::seconds(30));

    let mut admin = Browser::new(&app);
    admin.sign_in(&app, "admin@kommun.example", PW).await;
    let csrf = admin.get("/personal/admin/anvandare").await.csrf();
    let p = admin
        .post(
            &format!("/personal/admin/anvandare/{officer}/nytt-losenord"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        !p.body.contains("id=\"new-password\""),
        "no password is shown"
    );
    assert!(p
        .body
        .contains("En länk för att välja nytt lösenord har skickats till anna@kommun.example"));

    // Nothing the administrator could have seen works: not the old password, nor the
    // officer's session or token.
    assert_eq!(
        Browser::new(&app)
            .password("anna@kommun.example", PW)
            .await
            .location,
        None,
        "the old password is refused"
    );
    assert_eq!(
        anna.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    assert_eq!(api_status(&app, &officer_token).await, 401);

    // The link went to the holder's address, in the outbox; the page never showed it.
    let mails = store::outbox::list(&app.db, &format!("staff:{officer}"))
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "anna@kommun.example");
    let path = password_link_in(&mails[0].text);
    assert!(!p.body.contains(&path));

    // The holder chooses a password; mistakes are shown at the field.
    let mut holder = Browser::new(&app);
    let form = holder.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("anna@kommun.example"));
    let wrong = holder
        .post(&path, &[("password", NEW_PW), ("repeat", "något annat")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("Lösenorden är inte likadana"),
        "{}",
        wrong.body
    );
    let short = holder
        .post(&path, &[("password", "kort"), ("repeat", "kort")])
        .await;
    assert_eq!(short.status, 422);
    let done = holder
        .post(&path, &[("password", NEW_PW), ("repeat", NEW_PW)])
        .await;
    assert_eq!(done.location.as_deref(), Some("/personal/logga-in?nytt=1"));
    clock.advance(Duration::seconds(30));
    holder.sign_in(&app, "anna@kommun.example", NEW_PW).await;

    // The link works once.
    let again = Browser::new(&app)
        .post(&path, &[("password", PW), ("repeat", PW)])
        .await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("Länken fungerar inte längre"));

    let actions: Vec<(String, String)> = audit(&app)
        .await
        .into_iter()
        .map(|e| (e.action, e.role))
        .collect();
    assert!(
        actions.contains(&("staff.password_reset".into(), "municipal-admin".into())),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|(a, _)| a == "staff.password_set_by_link"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_reset_link_stops_working_after_a_day_and_when_a_new_one_is_sent() {
    let (app, clock) = app().await;
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
    let officer = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let mut admin = Browser::new(&app);
    admin.sign_in(&app, "admin@kommun.example", PW).await;
    let link = |n: usize| {
        let app = &app;
        async move {
            let mails = store::outbox::list(&app.db, &format!("staff:{officer}"))
                .await
                .unwrap();
            let w = mails[n]
                .text
                .split_whitespace()
                .find(|w| w.contains("/personal/nytt-losenord/"))
                .unwrap()
                .to_owned();
            w[w.find("/personal/").unwrap()..].to_owned()
        }
    };
    let csrf = admin.get("/personal/admin/anvandare").await.csrf();
    let reset_path = format!("/personal/admin/anvandare/{officer}/nytt-losenord");
    admin.post(&reset_path, &[("_csrf", &csrf)]).await;
    let first = link(0).await;
    admin.post(&reset_path, &[("_csrf", &csrf)]).await;
    let second = link(1).await;
    assert_eq!(
        Browser::new(&app).get(&first).await.status,
        410,
        "the earlier link ends"
    );
    assert_eq!(Browser::new(&app).get(&second).await.status, 200);
    clock.advance(Duration::hours(24) + Duration::minutes(1));
    assert_eq!(
        Browser::new(&app).get(&second).await.status,
        410,
        "a day later"
    );
    assert_eq!(
        Browser::new(&app)
            .get("/personal/nytt-losenord/påhittad")
            .await
            .status,
        410
    );
}

#[tokio::test]
async fn an_administrator_cannot_reset_their_own_password_in_the_account_list() {
    let (app, _) = app().await;
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
    let mut admin = Browser::new(&app);
    admin.sign_in(&app, "admin@kommun.example", PW).await;
    let csrf = admin.get("/personal/admin/anvandare").await.csrf();
    let p = admin
        .post(
            &format!("/personal/admin/anvandare/{admin_id}/nytt-losenord"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 403);
}

#[tokio::test]
async fn staff_change_their_own_password_and_other_sessions_and_tokens_end() {
    let (app, clock) = app().await;
    let id = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let api_token = token(&app, id).await;
    let mut elsewhere = Browser::new(&app);
    elsewhere.sign_in(&app, "anna@kommun.example", PW).await;
    clock.advance(Duration::seconds(30));
    let mut here = Browser::new(&app);
    here.sign_in(&app, "anna@kommun.example", PW).await;

    let page = here.get("/personal/konto").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Byt lösenord"));
    let csrf = page.csrf();
    let wrong = here
        .post(
            "/personal/konto",
            &[
                ("_csrf", &csrf),
                ("current", "fel"),
                ("password", NEW_PW),
                ("repeat", NEW_PW),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("Det nuvarande lösenordet stämmer inte."),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("href=\"#f-current\""),
        "the summary links to the field"
    );
    let forged = here
        .post(
            "/personal/konto",
            &[
                ("_csrf", "x"),
                ("current", PW),
                ("password", NEW_PW),
                ("repeat", NEW_PW),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "CSRF is checked");

    let ok = here
        .post(
            "/personal/konto",
            &[
                ("_csrf", &csrf),
                ("current", PW),
                ("password", NEW_PW),
                ("repeat", NEW_PW),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("Lösenordet är bytt."));
    assert_eq!(
        here.get("/personal/inkorg").await.status,
        200,
        "this session goes on"
    );
    assert_eq!(
        elsewhere.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in"),
        "the other session ends"
    );
    assert_eq!(api_status(&app, &api_token).await, 401, "tokens end");
    clock.advance(Duration::seconds(30));
    Browser::new(&app)
        .sign_in(&app, "anna@kommun.example", NEW_PW)
        .await;
    assert!(audit(&app)
        .await
        .iter()
        .any(|e| e.action == "staff.password_changed"));
}

/// The operator's way in is no side door: `user reset-password` prints no password; the
/// holder gets the same one-time link as from the admin page.
#[tokio::test]
async fn a_password_reset_from_the_command_line_shows_no_password_and_mails_a_link() {
    let (app, clock) = app().await;
    let officer = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "cli@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let mut before = Browser::new(&app);
    before.sign_in(&app, "cli@kommun.example", PW).await;
    let url = app.database_url().unwrap().to_owned();
    let (code, out, err) = run_cli(
        &url,
        &["user", "reset-password", "--email", "cli@kommun.example"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("link"), "{out}");
    assert!(!out.to_lowercase().contains("shown once"), "{out}");

    // The old password and session are gone.
    assert_eq!(
        Browser::new(&app)
            .password("cli@kommun.example", PW)
            .await
            .location,
        None,
        "the old password is refused"
    );
    assert_eq!(
        before.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );
    let mails = store::outbox::list(&app.db, &format!("staff:{officer}"))
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "cli@kommun.example");
    let path = password_link_in(&mails[0].text);
    assert!(!out.contains(&path), "the link goes to the holder only");
    let mut holder = Browser::new(&app);
    let done = holder
        .post(&path, &[("password", NEW_PW), ("repeat", NEW_PW)])
        .await;
    assert_eq!(done.location.as_deref(), Some("/personal/logga-in?nytt=1"));
    clock.advance(Duration::seconds(30));
    holder.sign_in(&app, "cli@kommun.example", NEW_PW).await;

    // Given on standard input, the password is set and the link just sent stops working.
    let (code, out, err) = run_cli(
        &url,
        &["user", "reset-password", "--email", "cli@kommun.example"],
    );
    assert_eq!(code, 0, "{err}");
    let mails = store::outbox::list(&app.db, &format!("staff:{officer}"))
        .await
        .unwrap();
    let second = password_link_in(&mails.last().unwrap().text);
    let mut c = std::process::Command::new(BIN);
    c.args([
        "user",
        "reset-password",
        "--email",
        "cli@kommun.example",
        "--password-stdin",
    ])
    .env("ANHORIGSTOD_DATABASE_URL", &url)
    .envs(testkit::KEY_ENV)
    .env("ANHORIGSTOD_LOG", "warn")
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{PW}").unwrap();
    }
    let result = child.wait_with_output().unwrap();
    assert!(result.status.success(), "{out}");
    assert!(!String::from_utf8_lossy(&result.stdout).contains(PW));
    let gone = Browser::new(&app)
        .post(&second, &[("password", NEW_PW), ("repeat", NEW_PW)])
        .await;
    assert_eq!(
        gone.status, 410,
        "the open link ended with the new password"
    );
    clock.advance(Duration::seconds(30));
    Browser::new(&app)
        .sign_in(&app, "cli@kommun.example", PW)
        .await;
    let resets = named(&audit(&app).await, "staff.password_reset");
    assert_eq!(resets.len(), 3);
    assert!(resets.iter().all(|e| e.actor.starts_with("cli:")));
}
