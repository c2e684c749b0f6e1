#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! API token lifecycle, written as the review found it: a token never expired, could not be
//! listed or revoked one by one, survived a second-factor reset, and `--scope cases:write` (the
//! name the help suggested) silently made a read-only token.

mod common;

use chrono::{Duration, Utc};
use common::*;
use domain::api_token::Scope;
use serde_json::Value;
use testkit::{create_staff, spawn_app, TestApp};

const PW: &str = "korv med bröd och senap";
const EMAIL: &str = "anna@kommun.example";

async fn officer(app: &TestApp) -> i64 {
    create_staff(
        app,
        Some("0380"),
        "case-officer",
        EMAIL,
        PW,
        true,
        Some("A"),
    )
    .await
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

async fn token_rows(app: &TestApp, user: i64) -> usize {
    store::tokens::list(&app.db, user, Utc::now())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_unknown_scope_is_refused_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let id = officer(&app).await;
    let url = app.database_url().unwrap();
    let (code, out, err) = run_cli(
        url,
        &[
            "token",
            "create",
            "--email",
            EMAIL,
            "--scope",
            "cases:write",
        ],
    );
    assert_ne!(code, 0, "refused: {out}");
    assert!(err.contains("read, write"), "{err}");
    assert!(!out.contains("anh_"), "no token printed: {out}");
    assert_eq!(token_rows(&app, id).await, 0, "nothing stored");

    let (code, _, err) = run_cli(
        url,
        &["token", "create", "--email", EMAIL, "--expires-in", "10y"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("90d"), "{err}");
    assert_eq!(token_rows(&app, id).await, 0);
}

#[tokio::test]
async fn a_token_is_listed_without_its_secret_and_revoked_by_id() {
    let app = spawn_app().await;
    let id = officer(&app).await;
    let url = app.database_url().unwrap();
    let (code, out, err) = run_cli(
        url,
        &["token", "create", "--email", EMAIL, "--scope", "write"],
    );
    assert_eq!(code, 0, "{err}");
    let secret = out.trim().to_owned();
    assert!(secret.starts_with("anh_"), "{secret}");
    assert_eq!(api_status(&app, &secret).await, 200);

    let (code, out, err) = run_cli(
        url,
        &["token", "list", "--email", EMAIL, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(&secret[4..]), "the secret is never listed");
    let rows: Value = serde_json::from_str(&out).unwrap();
    let row = &rows[0];
    assert_eq!(row["scopes"], serde_json::json!(["write"]));
    assert_eq!(row["state"], "live");
    assert!(row["last_used_at"].is_string(), "used once above: {row}");
    let created: chrono::DateTime<Utc> = row["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<Utc> = row["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        expires - created,
        Duration::days(90),
        "the default lifetime"
    );
    let token_id = row["id"].as_i64().unwrap();

    let (code, out, _) = run_cli(url, &["token", "list", "--email", EMAIL]);
    assert_eq!(code, 0);
    assert!(out.contains("expires") && out.contains("live"), "{out}");

    let (code, _, err) = run_cli(url, &["token", "revoke", &token_id.to_string()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(api_status(&app, &secret).await, 401, "revoked at once");
    let (code, _, err) = run_cli(url, &["token", "revoke", &token_id.to_string()]);
    assert_ne!(code, 0, "a second revoke says so");
    assert!(err.contains("no live token"), "{err}");

    let log = store::audit::rows_after(&app.db, 0, 10_000).await.unwrap();
    let about = format!("staff:{id}");
    let actions: Vec<&str> = log
        .iter()
        .filter(|r| r.event.persons.contains(&about))
        .map(|r| r.event.action.as_str())
        .collect();
    assert!(actions.contains(&"token.create"), "{actions:?}");
    assert_eq!(
        actions.iter().filter(|a| **a == "token.revoke").count(),
        1,
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_token_stops_working_when_its_lifetime_ends() {
    let app = spawn_app().await;
    let id = officer(&app).await;
    let made = Utc::now() - Duration::hours(2);
    let expired = store::tokens::create_with_lifetime(
        &app.db,
        id,
        &[Scope::Read],
        Duration::hours(1),
        made,
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(api_status(&app, &expired).await, 401);
    let live = store::tokens::create_with_lifetime(
        &app.db,
        id,
        &[Scope::Read],
        Duration::hours(3),
        made,
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(api_status(&app, &live).await, 200);
    let states: Vec<_> = store::tokens::list(&app.db, id, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.state.as_str())
        .collect();
    assert_eq!(states, ["live", "expired"]);
}

#[tokio::test]
async fn a_second_factor_reset_ends_the_accounts_tokens() {
    let app = spawn_app().await;
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
    let id = officer(&app).await;
    let secret = store::tokens::create(
        &app.db,
        id,
        &[Scope::Write],
        Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(api_status(&app, &secret).await, 200);

    let mut admin = Browser::new(&app);
    admin.sign_in(&app, "admin@kommun.example", PW).await;
    let csrf = admin.get("/personal/admin/anvandare").await.csrf();
    let p = admin
        .post(
            &format!("/personal/admin/anvandare/{id}/nollstall-tvastegs"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        api_status(&app, &secret).await,
        401,
        "whoever held the old factor may hold the token too"
    );
}

#[tokio::test]
async fn a_password_reset_from_the_command_line_ends_the_accounts_tokens() {
    let app = spawn_app().await;
    let id = officer(&app).await;
    let secret =
        store::tokens::create(&app.db, id, &[Scope::Read], Utc::now(), &Default::default())
            .await
            .unwrap();
    let (code, _, err) = run_cli(
        app.database_url().unwrap(),
        &["user", "reset-password", "--email", EMAIL],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(api_status(&app, &secret).await, 401);
}
