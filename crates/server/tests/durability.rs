#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! An acknowledged request survives a crash: requests are sent concurrently, the server is
//! killed with SIGKILL mid-stream, restarted, and every acknowledged reference is there.

mod common;

use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_requests_survive_sigkill() {
    let database = testkit::fresh_database().await;
    let (mut child, base) = start_server(&database.url, &[]);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut senders = Vec::new();
    for worker in 0..8 {
        let (base, acknowledged) = (base.clone(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            let c = client();
            for i in 0..500 {
                let body = json!({"consent": true, "phone": "070-123 45 67", "name": format!("Worker {worker} request {i}")});
                match c.post(format!("{base}/api/v1/municipalities/0180/contact-requests")).json(&body).send().await {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = match r.json().await {
                            Ok(v) => v,
                            Err(_) => return,
                        };
                        acknowledged.lock().unwrap().push(v["reference"].as_str().unwrap().to_owned());
                    }
                    // The server is gone: this worker stops.
                    _ => return,
                }
            }
        }));
    }
    // Kill once a good number are acknowledged, while the others are still in flight.
    loop {
        tokio::task::yield_now().await;
        if acknowledged.lock().unwrap().len() >= 120 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix: no graceful shutdown, no flush.
    child.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(acked.len() >= 120);

    // The server starts again on the same database.
    let (mut child, base) = start_server(&database.url, &[]);
    let health = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();

    let db = testkit::open_store(&database.url).await;
    let stored: std::collections::HashSet<String> =
        store::contact_requests::references(&db, "0180")
            .await
            .unwrap()
            .into_iter()
            .collect();
    let lost: Vec<&String> = acked.iter().filter(|r| !stored.contains(*r)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged requests lost: {lost:?}",
        lost.len()
    );
    assert!(matches!(
        store::audit::verify(&db).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}
