#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The audit log is tamper-evident: altering or removing any row is found.

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
            why: "content does not match its hash"
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

#[tokio::test]
async fn a_rehashed_row_breaks_the_next_link() {
    let app = app_with_rows(3).await;
    // Someone who edits a row and recomputes its hash still breaks the row after it.
    let rows = store::audit::rows_after(&app.db, 0, 10).await.unwrap();
    let mut e = rows[1].event.clone();
    e.actor = "forged".into();
    let forged = store::audit::row_hash(2, rows[1].at, &e, &rows[1].prev_hash);
    testkit::execute(
        &app.db,
        &format!("UPDATE audit_log SET actor = 'forged', hash = '{forged}' WHERE seq = 2"),
    )
    .await;
    assert_eq!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Broken {
            seq: 3,
            why: "previous hash does not match"
        }
    );
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
