// Test helpers may unwrap and panic: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The worker against a real SMTP server (aiosmtpd) on a real database, on whichever backend
//! `ANHORIGSTOD_TEST_DATABASE` names.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::clock::Clock;
use mail::{run_once, SmtpSettings, WorkerSettings};
use std::collections::HashMap;
use std::time::Duration as StdDuration;
use store::outbox::{self, NewMail};
use store::Db;
use testkit::smtp::SmtpSink;
use testkit::TestClock;

const WAIT: StdDuration = StdDuration::from_secs(10);

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).unwrap()
}

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        timeout: StdDuration::from_secs(10),
        ..SmtpSettings::new("127.0.0.1", port, "Anhörigstöd <noreply@example.org>")
    }
}

fn mail(n: usize, send_after: DateTime<Utc>) -> NewMail {
    NewMail {
        kommunkod: Some("0780".into()),
        kind: "confirmation".into(),
        about: format!("signup:{n}"),
        to: format!("anhorig{n}@example.org"),
        subject: format!("Bekräftelse {n}: Anhörigträff på Åby gård i Växjö"),
        text: format!(
            "Hej Åsa!\n\nDu är anmäld till träff nummer {n}. Välkommen, säger vi på Öppna förskolan.\n"
        ),
        html: format!("<p>Hej Åsa!</p>\n<p>Du är anmäld till träff nummer {n}. Välkommen!</p>\n"),
        send_after,
    }
}

async fn enqueue(db: &Db, now: DateTime<Utc>, mails: &[NewMail]) {
    let mut tx = db.begin().await.unwrap();
    for m in mails {
        outbox::enqueue(&mut tx, now, m).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Each row's id and Message-ID.
async fn message_ids(db: &Db) -> HashMap<i64, String> {
    outbox::list(db, "")
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.message_id))
        .collect()
}

async fn open() -> (testkit::TestDb, Db) {
    let database = testkit::fresh_database().await;
    let db = store::open(&database.url).await.unwrap();
    (database, db)
}

#[tokio::test]
async fn delivers_once_retries_while_down_and_keeps_the_message_id() {
    let (_database, db) = open().await;
    let clock = TestClock::new(start_time());
    let w = WorkerSettings::default();
    let mut sink = SmtpSink::start();
    let smtp = settings(sink.port());

    // Three messages, delivered at once.
    let first: Vec<NewMail> = (1..=3).map(|n| mail(n, start_time())).collect();
    enqueue(&db, start_time(), &first).await;
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 3);
    let got = sink.wait_for(3, WAIT).await;
    assert_eq!(got.len(), 3);
    let ids = message_ids(&db).await;
    for row in outbox::list(&db, "").await.unwrap() {
        assert_eq!(row.status, "sent");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.last_error, None);
        let r = got
            .iter()
            .find(|r| r.message_id == ids[&row.id])
            .unwrap_or_else(|| panic!("no message with the Message-ID of row {}", row.id));
        let n: usize = row.about["signup:".len()..].parse().unwrap();
        let sent = mail(n, start_time());
        assert_eq!(r.to, sent.to);
        assert_eq!(r.subject, sent.subject);
        assert!(r.subject.contains("Åby gård i Växjö"));
        assert_eq!(r.text, sent.text);
        assert!(r.text.contains("Välkommen, säger vi på Öppna"));
        assert_eq!(r.html, sent.html);
        assert!(r.raw.contains("multipart/alternative"), "{}", r.raw);
        assert!(r.raw.contains("From: =?utf-8?"), "{}", r.raw);
    }

    // The server is down: nothing is sent, nothing is lost, the retry waits.
    sink.stop();
    let second: Vec<NewMail> = (4..=5).map(|n| mail(n, start_time())).collect();
    enqueue(&db, start_time(), &second).await;
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    let rows = outbox::list(&db, "").await.unwrap();
    assert_eq!(rows.len(), 5);
    for row in &rows[3..] {
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 1);
        assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
        assert_eq!(
            row.next_attempt_at,
            start_time().timestamp() + w.retry_base_seconds
        );
        assert!(row.next_attempt_at > clock.now().timestamp());
    }
    // Not due yet, even with the server back.
    sink.restart();
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    assert_eq!(outbox::list(&db, "").await.unwrap()[3].attempts, 1);

    // Past the retry time they go, with the Message-ID they had from the start.
    clock.advance(Duration::seconds(w.retry_base_seconds + 1));
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 2);
    let got = sink.wait_for(5, WAIT).await;
    assert_eq!(got.len(), 5);
    let rows = outbox::list(&db, "").await.unwrap();
    assert!(rows
        .iter()
        .all(|r| r.status == "sent" && r.last_error.is_none()));
    assert_eq!(rows[3].attempts, 2);
    assert_eq!(rows[4].attempts, 2);

    // Every Message-ID arrived exactly once, and nothing more goes.
    clock.advance(Duration::hours(2));
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let got = sink.messages();
    assert_eq!(got.len(), 5);
    let ids = message_ids(&db).await;
    for (id, message_id) in &ids {
        let copies = got.iter().filter(|r| &r.message_id == message_id).count();
        assert_eq!(copies, 1, "row {id}: {message_id} received {copies} times");
    }
}

#[tokio::test]
async fn waits_for_send_after() {
    let (_database, db) = open().await;
    let clock = TestClock::new(start_time());
    let w = WorkerSettings::default();
    let sink = SmtpSink::start();
    let smtp = settings(sink.port());

    let reminder = mail(1, start_time() + Duration::days(1));
    enqueue(&db, start_time(), std::slice::from_ref(&reminder)).await;
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    clock.advance(Duration::days(1) - Duration::seconds(1));
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    let rows = outbox::list(&db, "").await.unwrap();
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("pending", 0));
    assert!(sink.messages().is_empty());

    clock.advance(Duration::seconds(1));
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 1);
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject, reminder.subject);
    assert_eq!(outbox::list(&db, "").await.unwrap()[0].status, "sent");
}

#[tokio::test]
async fn a_crashed_workers_claim_comes_back_after_the_lease() {
    let (_database, db) = open().await;
    let clock = TestClock::new(start_time());
    let w = WorkerSettings::default();
    let sink = SmtpSink::start();
    let smtp = settings(sink.port());

    enqueue(&db, start_time(), &[mail(1, start_time())]).await;
    // A worker claims it and dies before sending.
    let claimed = outbox::claim_due(&db, clock.now(), w.lease_seconds, w.batch)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 0);
    clock.advance(Duration::seconds(w.lease_seconds));
    assert_eq!(run_once(&db, clock.as_ref(), &smtp, &w).await.unwrap(), 1);
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message_id, claimed[0].message_id);
}

#[tokio::test]
async fn the_spawned_worker_sends() {
    let (_database, db) = open().await;
    let clock = TestClock::new(start_time());
    let sink = SmtpSink::start();
    let w = WorkerSettings {
        poll: StdDuration::from_millis(50),
        ..WorkerSettings::default()
    };
    let worker = mail::spawn(db.clone(), clock.clone(), settings(sink.port()), w);
    enqueue(
        &db,
        start_time(),
        &[mail(1, start_time()), mail(2, start_time())],
    )
    .await;
    let got = sink.wait_for(2, WAIT).await;
    worker.abort();
    assert_eq!(got.len(), 2);
}
