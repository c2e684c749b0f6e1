#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Abuse of the anonymous doors (the security review's rate-limit and lockout findings),
//! written as the attacks: one client floods contact requests or sign-ups, a client names
//! itself a new address in `X-Forwarded-For` for every request, many clients behind our own
//! proxy fail to sign in, and one address fails on a colleague's account to lock them out.

mod common;

use common::*;
use domain::activity::{validate_activity, RawActivity};
use serde_json::json;
use std::process::{Command, Stdio};
use testkit::{create_staff, spawn_app_with, Options, TestApp};

const PW: &str = "korv med bröd och senap";

async fn app_with(per_client: u32, per_municipality: u32, proxies: &[&str]) -> TestApp {
    let mut options = Options::default();
    options.config.rate_limit_per_minute = per_client;
    options.config.rate_limit_municipality_per_minute = per_municipality;
    options.config.trusted_proxies =
        web::http::TrustedProxies::parse(proxies.iter().copied()).unwrap();
    spawn_app_with(options).await
}

fn contact(name: &str) -> serde_json::Value {
    json!({"consent": true, "phone": "070-123 45 67", "name": name})
}

async fn send_contact(app: &TestApp, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .post(app.url("/api/v1/municipalities/0180/contact-requests"))
        .json(&contact("Demo Flodsson"));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

/// The seconds a refused write is told to wait.
fn retry_after(answer: &reqwest::Response) -> u64 {
    answer.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn one_client_cannot_flood_the_contact_requests() {
    // The defaults: 20 a minute from one address.
    let app = app_with(20, 600, &[]).await;
    for i in 0..20 {
        assert_eq!(send_contact(&app, None).await.status(), 201, "request {i}");
    }
    let over = send_contact(&app, None).await;
    assert_eq!(over.status(), 429);
    let wait = retry_after(&over);
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = over.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("För många"),
        "{body}"
    );
    assert_eq!(count_requests(&app, "0180").await, 20);

    // The HTML form answers with a Swedish page, and nothing is stored.
    let (status, _, page) = post_form(
        &app,
        "/kommun/0180/be-om-samtal",
        &[
            ("name", "Demo Flodsson"),
            ("phone", "070-123 45 67"),
            ("consent", "on"),
        ],
    )
    .await;
    assert_eq!(status, 429);
    assert!(page.contains("<html lang=\"sv\""), "{page}");
    assert!(page.contains("För många försök just nu"), "{page}");
    assert_eq!(count_requests(&app, "0180").await, 20);
}

#[tokio::test]
async fn a_made_up_forwarded_address_does_not_reset_the_limit() {
    // No proxy is trusted: the header is the client's own word.
    let app = app_with(3, 0, &[]).await;
    for i in 0..3 {
        let status = send_contact(&app, Some(&format!("198.51.100.{i}")))
            .await
            .status();
        assert_eq!(status, 201);
    }
    assert_eq!(
        send_contact(&app, Some("198.51.100.99")).await.status(),
        429
    );
}

#[tokio::test]
async fn behind_our_proxy_each_client_counts_alone_and_the_municipality_as_a_whole() {
    let app = app_with(2, 5, &["127.0.0.1"]).await;
    // Two clients behind the proxy get their own two each...
    for client_addr in ["198.51.100.1", "198.51.100.2"] {
        for _ in 0..2 {
            assert_eq!(send_contact(&app, Some(client_addr)).await.status(), 201);
        }
    }
    assert_eq!(send_contact(&app, Some("198.51.100.1")).await.status(), 429);
    // ...and many clients together reach the municipality's limit.
    assert_eq!(send_contact(&app, Some("198.51.100.3")).await.status(), 201);
    assert_eq!(send_contact(&app, Some("198.51.100.4")).await.status(), 429);
    assert_eq!(count_requests(&app, "0180").await, 5);
    // Another municipality is not held up.
    let other = client()
        .post(app.url("/api/v1/municipalities/0380/contact-requests"))
        .header("x-forwarded-for", "198.51.100.4")
        .json(&contact("Demo Annansson"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
}

#[tokio::test]
async fn one_client_cannot_fill_an_activity_with_sign_ups() {
    let app = app_with(3, 0, &[]).await;
    let raw = RawActivity {
        kind: "support_group".into(),
        theme: "dementia".into(),
        title: "Samtalsgrupp".into(),
        description: "Vi ses och pratar om hur det är att vara anhörig.".into(),
        place_name: "Anhörigcenter".into(),
        place_address: "Storgatan 1, Uppsala".into(),
        capacity: "10".into(),
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
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = client()
            .post(app.url(&format!("/api/v1/activities/{id}/signups")))
            .json(&json!({"name": format!("Demo Platsson {i}"), "email": format!("plats{i}@example.org"), "consent": true}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM signups").await, 3);
}

/// Sign-in through the proxy for the client `addr`: the answer's location.
async fn try_sign_in(app: &TestApp, addr: &str, email: &str, password: &str) -> String {
    let c = client();
    let login = c
        .get(app.url("/personal/logga-in"))
        .header("x-forwarded-for", addr)
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body = login.text().await.unwrap();
    let csrf = body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .finish();
    let r = c
        .post(app.url("/personal/logga-in"))
        .header("x-forwarded-for", addr)
        .header("cookie", cookies.join("; "))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = r.text().await.unwrap();
    location.unwrap_or(if text.contains("För många misslyckade försök") {
        "blocked".into()
    } else {
        "wrong".into()
    })
}

#[tokio::test]
async fn behind_a_proxy_one_clients_failures_do_not_lock_out_everyone() {
    let app = app_with(0, 0, &["127.0.0.1"]).await;
    create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    // One client guesses at many accounts until its address is stopped...
    for i in 0..20 {
        let to = try_sign_in(
            &app,
            "198.51.100.66",
            &format!("x{i}@kommun.example"),
            "fel",
        )
        .await;
        assert_eq!(to, "wrong", "attempt {i}");
    }
    assert_eq!(
        try_sign_in(&app, "198.51.100.66", "anna@kommun.example", PW).await,
        "blocked"
    );
    // ...but a colleague behind the same proxy signs in (the old code counted the proxy).
    assert_eq!(
        try_sign_in(&app, "198.51.100.7", "anna@kommun.example", PW).await,
        "/personal/tvastegs"
    );
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_account_for_its_owner() {
    let app = app_with(0, 0, &["127.0.0.1"]).await;
    create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    for _ in 0..5 {
        assert_eq!(
            try_sign_in(&app, "203.0.113.5", "anna@kommun.example", "fel").await,
            "wrong"
        );
    }
    // The guessing address is stopped on this account, even with the right password...
    assert_eq!(
        try_sign_in(&app, "203.0.113.5", "anna@kommun.example", PW).await,
        "blocked"
    );
    // ...while the owner, elsewhere, is not.
    assert_eq!(
        try_sign_in(&app, "198.51.100.7", "anna@kommun.example", PW).await,
        "/personal/tvastegs"
    );
}

#[tokio::test]
async fn old_sign_in_attempts_are_pruned() {
    let app = app_with(0, 0, &[]).await;
    testkit::execute(
        &app.db,
        "INSERT INTO login_attempts (at, email, client_addr, success) \
         VALUES ('2020-01-01T00:00:00Z', 'gammal@kommun.example', '198.51.100.1', FALSE)",
    )
    .await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM login_attempts").await, 1);
    try_sign_in(&app, "198.51.100.1", "ny@kommun.example", "fel").await;
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM login_attempts WHERE email = 'gammal@kommun.example'"
        )
        .await,
        0
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM login_attempts").await, 1);
}

#[tokio::test]
async fn the_binary_reads_the_limit_from_its_environment() {
    let database = testkit::fresh_database().await;
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("ANHORIGSTOD_DATABASE_URL", &database.url)
        .envs(testkit::KEY_ENV)
        .env("ANHORIGSTOD_LOG", "warn")
        .env("ANHORIGSTOD_RATE_LIMIT_PER_MINUTE", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let base = line
        .trim()
        .strip_prefix("Anhörigstöd listening on ")
        .unwrap()
        .to_owned();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = client()
            .post(format!(
                "{base}/api/v1/municipalities/0180/contact-requests"
            ))
            .json(&contact("Demo Miljösson"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(statuses, [201, 201, 429]);
}

/// Two nodes on one database with the given limits and one clock, stopped mid-minute so that
/// the shared count's minute cannot turn during the attack.
async fn two_nodes(per_client: u32, per_municipality: u32) -> (TestApp, TestApp) {
    let clock = testkit::TestClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-12-04T10:15:10Z")
            .unwrap()
            .to_utc(),
    );
    let options = || {
        let mut o = Options::default();
        o.config.rate_limit_per_minute = per_client;
        o.config.rate_limit_municipality_per_minute = per_municipality;
        o.clock = clock.clone();
        o
    };
    let a = spawn_app_with(options()).await;
    let b = testkit::spawn_node(a.database_url().unwrap(), options()).await;
    (a, b)
}

#[tokio::test]
async fn a_client_spreading_its_writes_over_two_nodes_meets_one_limit() {
    let (a, b) = two_nodes(4, 0).await;
    for (i, node) in [&a, &b, &a, &b].into_iter().enumerate() {
        assert_eq!(send_contact(node, None).await.status(), 201, "write {i}");
    }
    // Each node has seen only two writes; together they have seen the limit.
    for node in [&a, &b] {
        let over = send_contact(node, None).await;
        assert_eq!(over.status(), 429);
        assert_eq!(retry_after(&over), 50, "until the minute turns");
    }
    assert_eq!(count_requests(&a, "0180").await, 4);
}

#[tokio::test]
async fn a_municipality_limit_holds_over_all_nodes() {
    let (a, b) = two_nodes(0, 3).await;
    for node in [&a, &b, &b] {
        assert_eq!(send_contact(node, None).await.status(), 201);
    }
    assert_eq!(send_contact(&a, None).await.status(), 429);
    assert_eq!(count_requests(&b, "0180").await, 3);
}
