#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The audit log is tamper-evident: altering, removing or inserting any row is found, also by
//! someone who can write to the database but has not the audit key; a cut tail is found
//! against a checkpoint kept elsewhere.

mod common;

use common::*;
use serde_json::json;

async fn app_with_rows(n: usize) -> TestApp {
    let app = spawn_app().await;
    for _ in 0..n {
        let (status, _) =
            post_json(&app, "0180", &json!({"consent": true, "anonymous": true})).await;
        assert_eq!(status, 201);
    }
    app
}

#[tokio::test]
async fn an_untouched_log_verifies() {
    let app = app_with_rows(5).await;
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { rows: 5 }
    );
}

#[tokio::test]
async fn concurrent_writes_keep_one_unbroken_chain() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let url = app.url("/api/v1/municipalities/0180/contact-requests");
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .json(&json!({"consent": true, "anonymous": true}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { rows: 24 }
    );
}

#[tokio::test]
async fn an_altered_row_is_named() {
    let app = app_with_rows(4).await;
    testkit::execute(
        &app.db,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3",
    )
    .await;
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken {
            seq: 3,
            why: "content does not match its MAC"
        }
    );
}

#[tokio::test]
async fn a_removed_row_is_named() {
    let app = app_with_rows(4).await;
    testkit::execute(&app.db, "DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken {
            seq: 2,
            why: "row missing"
        }
    );
}

#[tokio::test]
async fn a_removed_last_row_is_found() {
    let app = app_with_rows(3).await;
    testkit::execute(&app.db, "DELETE FROM audit_log WHERE seq = 3").await;
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken { seq: 3, .. }
    ));
}

/// The attack of the security review: delete a row, then re-chain everything after it with
/// the (public) hash function and rewind the head. Without the key the new MACs cannot be made.
async fn delete_and_rechain(
    app: &TestApp,
    seq: i64,
    mac: impl Fn(i64, &store::audit::AuditRow, &str) -> String,
) {
    testkit::execute(&app.db, &format!("DELETE FROM audit_log WHERE seq = {seq}")).await;
    let rows = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    let mut prev = if seq == 1 {
        "0".repeat(64)
    } else {
        rows[(seq - 2) as usize].hash.clone()
    };
    for (i, r) in rows.iter().enumerate().skip((seq - 1) as usize) {
        let new_seq = i as i64 + 1;
        let h = mac(new_seq, r, &prev);
        testkit::execute(
            &app.db,
            &format!(
                "UPDATE audit_log SET seq = {new_seq}, prev_hash = '{prev}', hash = '{h}' WHERE seq = {}",
                r.seq
            ),
        )
        .await;
        prev = h;
    }
    let n = rows.len();
    testkit::execute(
        &app.db,
        &format!("UPDATE audit_head SET seq = {n}, hash = '{prev}' WHERE id = 1"),
    )
    .await;
}

#[tokio::test]
async fn a_deleted_and_rechained_row_is_found_without_the_key() {
    let app = app_with_rows(4).await;
    delete_and_rechain(&app, 2, |seq, r, prev| {
        store::audit::row_hash(seq, r.at, &r.event, prev)
    })
    .await;
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken { seq: 2, .. }
    ));
}

#[tokio::test]
async fn a_chain_forged_with_another_key_is_found() {
    let app = app_with_rows(4).await;
    let guess = store::audit::AuditKey::from_text(&store::audit::AuditKey::generate()).unwrap();
    delete_and_rechain(&app, 3, |seq, r, prev| {
        store::audit::row_mac(Some(&guess), seq, r.at, &r.event, prev)
    })
    .await;
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken {
            seq: 3,
            why: "content does not match its MAC"
        }
    );
}

#[tokio::test]
async fn an_inserted_row_is_found() {
    let app = app_with_rows(3).await;
    // A row slipped in at the end, with a plausible link but no key.
    let rows = store::audit::rows_after(&app.db, 0, 10).await.unwrap();
    let last = rows.last().unwrap();
    let e = store::audit::AuditEvent {
        actor: "staff:1".into(),
        role: "case-officer".into(),
        action: "case.read".into(),
        object_kind: "case".into(),
        ..Default::default()
    };
    let h = store::audit::row_hash(4, last.at, &e, &last.hash);
    testkit::execute(
        &app.db,
        &format!(
            "INSERT INTO audit_log (seq, at, actor, role, action, object_kind, persons, prev_hash, hash) \
             SELECT 4, at, 'staff:1', 'case-officer', 'case.read', 'case', '', hash, '{h}' FROM audit_log WHERE seq = 3"
        ),
    )
    .await;
    testkit::execute(
        &app.db,
        &format!("UPDATE audit_head SET seq = 4, hash = '{h}'"),
    )
    .await;
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken { seq: 4, .. }
    ));
}

#[tokio::test]
async fn a_cut_tail_is_found_against_a_checkpoint() {
    let app = app_with_rows(3).await;
    let url = app.database_url().unwrap().to_owned();
    let (code, out, err) = run_cli(&url, &["audit", "checkpoint"]);
    assert_eq!(code, 0, "{err}");
    let checkpoint = out.trim().to_owned();
    assert!(checkpoint.starts_with("3:hmac:"), "{checkpoint}");
    for _ in 0..2 {
        post_json(&app, "0180", &json!({"consent": true, "anonymous": true})).await;
    }
    let (code, out, _) = run_cli(&url, &["audit", "verify", "--checkpoint", &checkpoint]);
    assert_eq!(code, 0, "later rows are fine: {out}");

    // Cut rows 3–5 and rewind the head to row 2: the chain itself is whole again.
    testkit::execute(&app.db, "DELETE FROM audit_log WHERE seq >= 3").await;
    testkit::execute(
        &app.db,
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1",
    )
    .await;
    let (code, out, _) = run_cli(&url, &["audit", "verify"]);
    assert_eq!(
        code, 0,
        "without a checkpoint a clean cut cannot be seen: {out}"
    );
    let (code, out, _) = run_cli(&url, &["audit", "verify", "--checkpoint", &checkpoint]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("row 3") && out.contains("checkpoint"), "{out}");
}

#[tokio::test]
async fn the_cli_needs_the_right_key_for_a_keyed_log() {
    let app = app_with_rows(2).await;
    let url = app.database_url().unwrap();
    let run = |key: Option<&str>| {
        let mut c = std::process::Command::new(BIN);
        c.args(["audit", "verify"])
            .env("ANHORIGSTOD_DATABASE_URL", url)
            .env("ANHORIGSTOD_LOG", "warn")
            .env("ANHORIGSTOD_TOTP_KEY", testkit::TEST_TOTP_KEY)
            .env_remove("ANHORIGSTOD_AUDIT_KEY");
        if let Some(k) = key {
            c.env("ANHORIGSTOD_AUDIT_KEY", k);
        }
        let out = c.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(None);
    assert_ne!(code, Some(0));
    assert!(err.contains("audit log is keyed"), "{err}");
    let (code, err) = run(Some(&store::audit::AuditKey::generate()));
    assert_ne!(code, Some(0));
    assert!(err.contains("does not match"), "{err}");
    let (code, err) = run(Some("short"));
    assert_ne!(code, Some(0));
    assert!(err.contains("at least 32 bytes"), "{err}");
    assert_eq!(run(Some(testkit::TEST_AUDIT_KEY)).0, Some(0));
}

#[tokio::test]
async fn an_old_unkeyed_log_moves_to_the_keyed_chain() {
    let app = spawn_app().await;
    let url = app.database_url().unwrap().to_owned();
    // The log as it was before keys: written by a node without one.
    let old = store::open(&url).await.unwrap();
    for i in 0..3 {
        let e = store::audit::AuditEvent {
            actor: format!("staff:{i}"),
            role: "case-officer".into(),
            action: "case.read".into(),
            object_kind: "case".into(),
            ..Default::default()
        };
        store::audit::append_now(&old, chrono::Utc::now(), &e)
            .await
            .unwrap();
    }
    assert_eq!(
        store::audit::verify(&old).await.unwrap(),
        store::audit::Verdict::Intact { rows: 3 }
    );
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken { seq: 1, why } if why.contains("rekey")
    ));
    let (code, out, err) = run_cli(&url, &["audit", "rekey"]);
    assert_eq!(code, 0, "{out} {err}");
    assert!(
        out.contains("intact: 4 rows"),
        "the rekey is itself logged: {out}"
    );
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { rows: 4 }
    );
    let rows = store::audit::rows_after(&app.db, 0, 10).await.unwrap();
    assert!(rows.iter().all(|r| r.hash.starts_with("hmac:")));
    assert_eq!(
        rows[0].event.actor, "staff:0",
        "rows are not changed, only signed"
    );
    assert_eq!(rows[3].event.action, "audit.rekeyed");
}

/// `audit rotate-key` with the new key configured and the old one in a file.
fn rotate_key(url: &str, new_key: &str, old_key_file: &std::path::Path) -> (i32, String, String) {
    let old = old_key_file.to_str().unwrap();
    run_cli_with(
        url,
        &["audit", "rotate-key", "--old-key-file", old],
        &[
            ("ANHORIGSTOD_AUDIT_KEY", new_key),
            ("ANHORIGSTOD_TOTP_KEY", testkit::TEST_TOTP_KEY),
        ],
        &[],
    )
}

#[tokio::test]
async fn the_audit_key_rotates_and_the_old_key_stops_working() {
    let app = app_with_rows(2).await;
    let url = app.database_url().unwrap().to_owned();
    let before = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    let dir = std::env::temp_dir().join(format!("anh-rotate-{}", testkit::random_name()));
    std::fs::create_dir_all(&dir).unwrap();
    let new_key = store::audit::AuditKey::generate();

    // A wrong old key: the chain does not check out, nothing is signed.
    let wrong = dir.join("wrong.key");
    std::fs::write(&wrong, store::audit::AuditKey::generate()).unwrap();
    let (code, out, err) = rotate_key(&url, &new_key, &wrong);
    assert_eq!(code, 2, "{out} {err}");
    assert!(out.contains("broken at row 1"), "{out}");
    assert_eq!(
        store::audit::rows_after(&app.db, 0, 100).await.unwrap(),
        before,
        "a refused rotation changes nothing"
    );

    let old = dir.join("old.key");
    std::fs::write(&old, testkit::TEST_AUDIT_KEY).unwrap();
    let (code, out, err) = rotate_key(&url, &new_key, &old);
    assert_eq!(code, 0, "{out} {err}");
    let rows = before.len();
    assert!(out.contains(&format!("intact: {} rows", rows + 1)), "{out}");

    let after = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.event, b.event, "rows are not changed, only signed");
        assert_ne!(a.hash, b.hash, "row {} is signed anew", a.seq);
    }
    assert_eq!(after[rows].event.action, "audit.key_rotated");
    let keyed = |k: &str| store::audit::AuditKey::from_text(k).unwrap();
    assert_eq!(
        store::audit::verify_with(&app.db, Some(&keyed(&new_key)), None)
            .await
            .unwrap(),
        store::audit::Verdict::Intact {
            rows: rows as i64 + 1
        }
    );
    let (code, _, err) = run_cli(&url, &["audit", "verify"]);
    assert_ne!(code, 0, "the old key no longer opens the log");
    assert!(err.contains("does not match"), "{err}");
}

#[tokio::test]
async fn the_cli_exits_non_zero_on_a_broken_log() {
    let app = app_with_rows(2).await;
    let url = app.database_url().unwrap().to_owned();
    let (code, out, _) = run_cli(&url, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact: 2 rows"));
    testkit::execute(
        &app.db,
        "UPDATE audit_log SET object_id = '999' WHERE seq = 1",
    )
    .await;
    let (code, out, _) = run_cli(&url, &["audit", "verify"]);
    assert_ne!(code, 0);
    assert!(out.contains("row 1"), "{out}");
}

#[tokio::test]
async fn listing_requests_is_itself_logged() {
    let app = app_with_rows(2).await;
    let (code, out, err) = run_cli(
        app.database_url().unwrap(),
        &[
            "requests",
            "list",
            "--municipality",
            "0180",
            "--reason",
            "test",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(list.len(), 2);
    let rows = store::audit::rows_after(&app.db, 0, 10).await.unwrap();
    let read = rows
        .iter()
        .find(|r| r.event.action == "contact_request.list")
        .unwrap();
    assert_eq!(read.event.persons.len(), 2);
    assert!(read.event.actor.starts_with("cli:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logged_reads_are_batched_without_losing_one() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let e = store::audit::AuditEvent {
                actor: format!("staff:{i}"),
                role: "case-officer".into(),
                action: "case.read".into(),
                object_kind: "case".into(),
                ..Default::default()
            };
            store::audit::append_now(&db, chrono::Utc::now(), &e)
                .await
                .unwrap()
        }));
    }
    let mut seqs = std::collections::HashSet::new();
    for t in tasks {
        assert!(seqs.insert(t.await.unwrap()), "each read gets its own row");
    }
    assert_eq!(seqs.len(), 200);
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { rows: 200 }
    );
    let rows = store::audit::rows_after(&app.db, 0, 500).await.unwrap();
    let actors: std::collections::HashSet<_> = rows.iter().map(|r| r.event.actor.clone()).collect();
    assert_eq!(actors.len(), 200);
}
