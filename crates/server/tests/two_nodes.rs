#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Two app nodes on one database, each with its own caches (kept an hour here, so that only
//! the change feed can explain a fresh answer): a sign-up, a cancellation and a catalogue
//! import on one node are seen on the other within a second; a session ended or a token
//! revoked on one node is refused on the other at once.

mod common;

use chrono::Utc;
use common::*;
use domain::activity::{validate_activity, RawActivity};
use domain::api_token::Scope;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::{create_staff, spawn_app_with, spawn_node, Options, TestApp};

const PW: &str = "korv med bröd och senap";

fn long_caches() -> Options {
    let mut o = Options::default();
    o.config.activities_ttl = Duration::from_secs(3600);
    o.config.content_ttl = Duration::from_secs(3600);
    o
}

async fn nodes() -> (TestApp, TestApp) {
    let a = spawn_app_with(long_caches()).await;
    let b = spawn_node(a.database_url().unwrap(), long_caches()).await;
    (a, b)
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    client()
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn seats_left(app: &TestApp, id: i64) -> i64 {
    let list = json_of(app, "/api/v1/municipalities/0380/activities").await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .and_then(|a| a["seats_left"].as_i64())
        .unwrap()
}

/// Asks `check` until it holds, for at most a second; false if it never did.
async fn within_a_second<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn activity(app: &TestApp) -> i64 {
    let raw = RawActivity {
        kind: "support_group".into(),
        theme: "dementia".into(),
        title: "Samtalsgrupp".into(),
        description: "Vi ses och pratar om hur det är att vara anhörig.".into(),
        place_name: "Anhörigcenter".into(),
        place_address: "Storgatan 1, Uppsala".into(),
        capacity: "5".into(),
        ..RawActivity::default()
    };
    let input = validate_activity(&raw, 0).unwrap();
    let now = app.state.clock.now();
    let id = store::activities::create(
        &app.db,
        "0380",
        &input,
        None,
        now,
        &Default::default(),
        None,
        false,
    )
    .await
    .unwrap();
    let day = (now + chrono::Duration::days(7)).date_naive();
    store::activities::add_occasion(
        &app.db,
        "0380",
        id,
        day.and_hms_opt(18, 0, 0).unwrap(),
        day.and_hms_opt(19, 30, 0).unwrap(),
        &web::mails::Mails::new(&app.state),
        now,
        &Default::default(),
    )
    .await
    .unwrap()
    .unwrap();
    id
}

#[tokio::test]
async fn a_sign_up_on_one_node_is_seen_on_the_other_within_a_second() {
    let (a, b) = nodes().await;
    let id = activity(&a).await;
    // Both nodes have the listing cached.
    assert_eq!(seats_left(&a, id).await, 5);
    assert_eq!(seats_left(&b, id).await, 5);

    let r = client()
        .post(a.url(&format!("/api/v1/activities/{id}/signups")))
        .json(&json!({"name": "Demo Platsson", "email": "plats@example.org", "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(seats_left(&a, id).await, 4, "this node at once");
    assert!(
        within_a_second(|| async { seats_left(&b, id).await == 4 }).await,
        "the other node"
    );

    // And back: cancelled through the other node.
    let r = client()
        .delete(b.url(&format!("/api/v1/signups/{token}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert!(within_a_second(|| async { seats_left(&a, id).await == 5 }).await);
}

#[tokio::test]
async fn a_catalogue_import_is_seen_on_every_node_within_a_second() {
    let (a, b) = nodes().await;
    let before = page(&b, "/kommun/0380").await.1;
    assert!(!before.contains("Helt ny sida om avlösning"));
    // The import, as the CLI makes it, on the shared database.
    let (_, mut catalogue) = store::catalogue::current(&a.db, "0380")
        .await
        .unwrap()
        .unwrap_or_else(|| (0, (*a.state.default_catalogue).clone()));
    catalogue.entries[0].title = "Helt ny sida om avlösning".into();
    store::catalogue::save(&a.db, "0380", &catalogue, "test")
        .await
        .unwrap();
    assert!(
        within_a_second(|| async {
            page(&b, "/kommun/0380/stod")
                .await
                .1
                .contains("Helt ny sida om avlösning")
        })
        .await,
        "the other node shows the new version"
    );
}

#[tokio::test]
async fn a_session_ended_or_a_token_revoked_on_one_node_is_refused_on_the_other() {
    let (a, b) = nodes().await;
    let id = create_staff(
        &a,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let mut browser = Browser::new(&a);
    browser.sign_in(&a, "anna@kommun.example", PW).await;
    // The same cookie on the other node.
    browser.base = b.base.clone();
    assert_eq!(browser.get("/personal/inkorg").await.status, 200);
    browser.base = a.base.clone();
    let csrf = browser.get("/personal/inkorg").await.csrf();
    browser
        .post(
            "/personal/logga-ut",
            &[("_csrf", &csrf), ("everywhere", "yes")],
        )
        .await;
    browser.base = b.base.clone();
    assert_eq!(
        browser.get("/personal/inkorg").await.location.as_deref(),
        Some("/personal/logga-in")
    );

    let token = store::tokens::create(&a.db, id, &[Scope::Read], Utc::now(), &Default::default())
        .await
        .unwrap();
    let status = |node: &TestApp| {
        let req = client()
            .get(node.url("/api/v1/cases"))
            .header("authorization", format!("Bearer {token}"));
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(&b).await, 200);
    store::tokens::revoke_all(&a.db, id, Utc::now())
        .await
        .unwrap();
    assert_eq!(status(&b).await, 401);
}
