#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Second-factor secrets are sealed at rest with a key outside the database: a copy of the
//! database does not give them away, a secret moved to another account does not open, and the
//! key can be set on an old database and rotated.

mod common;

use common::*;

const PASSWORD: &str = "ett långt lösenord för test";

async fn stored_secret(app: &TestApp, id: i64) -> String {
    testkit::fetch_text(
        &app.db,
        &format!("SELECT totp_secret FROM staff_users WHERE id = {id}"),
    )
    .await
    .unwrap()
}

/// Runs the binary with the audit key and the given TOTP key (or none).
fn cli(url: &str, totp_key: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut envs = vec![("ANHORIGSTOD_AUDIT_KEY", testkit::TEST_AUDIT_KEY)];
    envs.extend(totp_key.map(|k| ("ANHORIGSTOD_TOTP_KEY", k)));
    run_cli_with(url, args, &envs, &["ANHORIGSTOD_TOTP_KEY"])
}

#[tokio::test]
async fn a_copy_of_the_database_holds_no_second_factor_secret() {
    let app = spawn_app().await;
    let id = testkit::create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "sealed@example.se",
        PASSWORD,
        true,
        None,
    )
    .await;
    let stored = stored_secret(&app, id).await;
    assert!(stored.starts_with("sealed:"), "{stored}");
    assert!(!stored.contains(testkit::TEST_TOTP_SECRET));
    // Sign-in still works with the code from the secret.
    let mut b = Browser::new(&app);
    b.sign_in(&app, "sealed@example.se", PASSWORD).await;
}

#[tokio::test]
async fn a_secret_being_enrolled_is_sealed_too() {
    let app = spawn_app().await;
    testkit::create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "enrol@example.se",
        PASSWORD,
        false,
        None,
    )
    .await;
    let mut b = Browser::new(&app);
    let p = b.password("enrol@example.se", PASSWORD).await;
    let next = p.location.clone().unwrap_or_default();
    let page = b.get(&next).await;
    assert_eq!(page.status, 200, "{next}: {}", page.body);
    let pending = testkit::fetch_text(
        &app.db,
        "SELECT pending_totp FROM sessions WHERE pending_totp IS NOT NULL",
    )
    .await
    .unwrap();
    assert!(pending.starts_with("sealed:"), "{pending}");
}

#[tokio::test]
async fn a_sealed_secret_copied_to_another_account_does_not_open() {
    let app = spawn_app().await;
    let attacker = testkit::create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "own@example.se",
        PASSWORD,
        true,
        None,
    )
    .await;
    let victim = testkit::create_staff(
        &app,
        Some("0180"),
        "municipal-admin",
        "victim@example.se",
        PASSWORD,
        false,
        None,
    )
    .await;
    // Someone with write access to the database gives the victim the attacker's own factor.
    let own = stored_secret(&app, attacker).await;
    testkit::execute(
        &app.db,
        &format!("UPDATE staff_users SET totp_secret = '{own}' WHERE id = {victim}"),
    )
    .await;
    let mut b = Browser::new(&app);
    let p = b.password("victim@example.se", PASSWORD).await;
    if p.location.as_deref() == Some("/personal/tvastegs") {
        let p = b
            .code(&testkit::totp_now(&app, testkit::TEST_TOTP_SECRET))
            .await;
        assert_ne!(p.location.as_deref(), Some("/personal/admin/anvandare"));
    }
    let inbox = b.get("/personal/admin/anvandare").await;
    assert_ne!(inbox.status, 200, "the moved secret let the attacker in");
}

#[tokio::test]
async fn without_the_key_sealed_secrets_stop_the_start() {
    let app = spawn_app().await;
    testkit::create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "nokey@example.se",
        PASSWORD,
        true,
        None,
    )
    .await;
    let url = app.database_url().unwrap();
    let (code, _, err) = cli(url, None, &["user", "list"]);
    assert_ne!(code, 0);
    assert!(err.contains("sealed"), "{err}");
    let (code, _, err) = cli(
        url,
        Some(&store::audit::AuditKey::generate()),
        &["user", "list"],
    );
    assert_ne!(code, 0, "a wrong key is refused");
    assert!(err.contains("does not open"), "{err}");
    let (code, out, err) = cli(url, Some(testkit::TEST_TOTP_KEY), &["user", "list"]);
    assert_eq!(code, 0, "{out} {err}");
}

#[tokio::test]
async fn an_old_database_is_sealed_and_the_key_rotated() {
    let app = spawn_app().await;
    let id = testkit::create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "old@example.se",
        PASSWORD,
        true,
        None,
    )
    .await;
    // As stored before there was a key.
    testkit::execute(
        &app.db,
        &format!(
            "UPDATE staff_users SET totp_secret = '{}' WHERE id = {id}",
            testkit::TEST_TOTP_SECRET
        ),
    )
    .await;
    let url = app.database_url().unwrap().to_owned();
    let (code, out, err) = cli(&url, Some(testkit::TEST_TOTP_KEY), &["user", "seal-totp"]);
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("1 second-factor secrets sealed"), "{out}");
    let sealed = stored_secret(&app, id).await;
    assert!(sealed.starts_with("sealed:"), "{sealed}");

    // Rotation: the new key in the environment, the old one in a file.
    let dir = std::env::temp_dir().join(format!("anh-seal-{}", testkit::random_name()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("old.key");
    std::fs::write(&old, testkit::TEST_TOTP_KEY).unwrap();
    let new_key = store::audit::AuditKey::generate();
    let old_arg = old.to_str().unwrap();
    let (code, out, err) = cli(
        &url,
        Some(&new_key),
        &["user", "seal-totp", "--old-key-file", old_arg],
    );
    assert_eq!(code, 0, "{out} {err}");
    assert_ne!(stored_secret(&app, id).await, sealed, "sealed anew");
    let (code, _, err) = cli(&url, Some(testkit::TEST_TOTP_KEY), &["user", "list"]);
    assert_ne!(code, 0, "the old key no longer opens the secrets");
    assert!(err.contains("does not open"), "{err}");
    let rotated = store::open(&url)
        .await
        .unwrap()
        .with_seal_key(Some(store::sealed::SealKey::from_text(&new_key).unwrap()));
    let creds = store::staff::credentials(&rotated, "old@example.se")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        creds.totp_secret.as_deref(),
        Some(testkit::TEST_TOTP_SECRET)
    );
    let logged = testkit::fetch_text(
        &app.db,
        "SELECT action FROM audit_log WHERE action = 'staff.totp_resealed' ORDER BY seq DESC LIMIT 1",
    )
    .await;
    assert_eq!(logged.as_deref(), Some("staff.totp_resealed"));
}
