#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `anhorigstod generate`: fake but consistent data loaded in bulk, marked demo, logged once,
//! at a small scale so the test is quick.

mod common;

use common::*;
use std::collections::BTreeMap;

fn generate(url: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["generate", "--preset", "municipality", "--scale", "0.01"];
    args.extend_from_slice(extra);
    run_cli(url, &args)
}

async fn counts(db: &store::Db) -> BTreeMap<&'static str, i64> {
    store::bulk::counts(db).await.unwrap().into_iter().collect()
}

#[tokio::test]
async fn generate_has_help() {
    let (code, out, _) = run_cli("sqlite::memory:", &["generate", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--preset",
        "national",
        "municipality",
        "--kommun",
        "--seed",
        "--database-url",
    ] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
    assert!(!out.contains("--scale"), "--scale is for tests only");
    let (code, _, err) = run_cli(
        "sqlite::memory:",
        &["generate", "--preset", "national", "--kommun", "0180"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--kommun"), "{err}");
}

#[tokio::test]
async fn a_generated_municipality_is_consistent_fake_and_logged_once() {
    let db = testkit::fresh_database().await;
    // The demo seed first, so generated ids must continue after its rows.
    let (code, _, err) = run_cli(&db.url, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let store = testkit::open_store(&db.url).await;
    let before = counts(&store).await;

    let (code, out, err) = generate(&db.url, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Generated fake demo data"), "{out}");
    // Standard error is not a terminal here: one line per stage, no carriage returns.
    assert!(err.contains("persons: 1 200 rows in"), "{err}");
    assert!(!err.contains('\r'));

    let after = counts(&store).await;
    let n: BTreeMap<&str, i64> = after
        .iter()
        .map(|(table, count)| (*table, count - before[table]))
        .collect();
    // 900 carers and 300 care recipients, 200 cases, 2 000 entries, 150 requests.
    assert_eq!(n["persons"], 1_200);
    assert_eq!(n["person_relations"], 900);
    assert_eq!(n["cases"], 200);
    // An opening per case, and the status moves of those not open.
    assert!((200..=800).contains(&n["case_events"]), "{n:?}");
    assert!((200..=400).contains(&n["case_persons"]), "{n:?}");
    assert_eq!(n["journal_entries"], 2_000);
    assert!((1..=60).contains(&n["journal_marks"]), "{n:?}");
    assert_eq!(n["contact_requests"], 150);
    assert_eq!(n["units"], 2);
    // About 0.3 % have skyddad folkbokföring (with this seed, a few): their address is apart.
    assert!(n["protected_addresses"] > 0, "{n:?}");

    // Every rule of the data: numbers, demo marks, protected addresses, municipalities.
    let today = chrono::Utc::now().date_naive();
    let check = store::bulk::check(&store, today).await.unwrap();
    assert_eq!(check.persons, after["persons"]);
    assert!(check.problems().is_empty(), "{:?}", check.problems());

    // A sample through the ordinary (logged) search: fake names, valid fake numbers.
    let origin = store::audit::Origin {
        actor: "test".into(),
        role: "system".into(),
        ..Default::default()
    };
    let found = store::persons::search(&store, "0180", "Demo", chrono::Utc::now(), &origin)
        .await
        .unwrap();
    assert_eq!(found.len(), 50);
    for p in &found {
        assert!(p.is_demo);
        assert!(p.given_name.starts_with("Demo-"), "{}", p.given_name);
        if let Some(number) = &p.id_number {
            let parsed = domain::Personnummer::parse(number, today).unwrap();
            assert_eq!(&parsed.canonical(), number);
            let serial: u32 = number[9..12].parse().unwrap();
            assert!((980..=999).contains(&serial), "{number}");
        }
    }

    // Staff: demo accounts after the demo seed's, with the demo password and key.
    let seeded = store::staff::credentials(&store, "sysadmin@demo.example")
        .await
        .unwrap()
        .unwrap();
    let staff = store::staff::list(&store, Some("0180")).await.unwrap();
    assert!(staff.len() >= 4);
    assert!(staff
        .iter()
        .all(|s| s.is_demo && s.has_totp && s.id > seeded.user.id));
    let roles: std::collections::BTreeSet<&str> = staff.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        [
            "carer-support-officer",
            "case-officer",
            "municipal-admin",
            "unit-manager"
        ]
    );
    let officer = store::staff::credentials(&store, "kh0180.3@demo.example")
        .await
        .unwrap()
        .unwrap();
    assert!(web::staff::auth::verify_password(
        &officer.password_hash,
        "demo-anhorigstod-2026"
    ));
    let (code, out, err) = run_cli(
        &db.url,
        &["demo", "code", "--email", "kh0180.3@demo.example"],
    );
    assert_eq!(code, 0, "{err}");
    let code_text = out.trim();
    assert!(
        code_text.len() == 6 && code_text.chars().all(|c| c.is_ascii_digit()),
        "{out}"
    );

    // One audit row for the whole load, and the chain holds.
    let rows = store::audit::rows_after(&store, 0, 10_000).await.unwrap();
    let loads: Vec<_> = rows
        .iter()
        .filter(|r| r.event.action == "data.generate")
        .collect();
    assert_eq!(loads.len(), 1);
    assert!(loads[0].event.actor.starts_with("cli:"));
    assert_eq!(loads[0].event.kommunkod.as_deref(), Some("0180"));
    assert!(loads[0].event.persons.is_empty());
    assert!(loads[0]
        .event
        .reason
        .as_deref()
        .unwrap()
        .contains("1200 persons"));
    assert!(matches!(
        store::audit::verify(&store).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
    let (code, out, _) = run_cli(&db.url, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"));

    // The application carries on after the load: new rows get ids after the generated ones.
    let person = domain::case::validate_person(
        &domain::case::RawPerson {
            given_name: "Demo-Ny".into(),
            family_name: "Efterladdad".into(),
            ..Default::default()
        },
        today,
    )
    .unwrap();
    let id = store::persons::create(
        &store,
        "0180",
        &person,
        None,
        true,
        chrono::Utc::now(),
        &origin,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        id,
        after["persons"] + 1,
        "ids are contiguous after the load"
    );
    store.close().await;
}

#[tokio::test]
async fn generating_again_is_refused_but_another_municipality_is_added() {
    let db = testkit::fresh_database().await;
    let (code, _, err) = generate(&db.url, &[]);
    assert_eq!(code, 0, "{err}");

    let (code, _, err) = generate(&db.url, &[]);
    assert_ne!(
        code, 0,
        "a second load into the same municipality must be refused"
    );
    assert!(
        err.contains("refusing") && err.contains("0180") && err.contains("--kommun"),
        "{err}"
    );

    let (code, _, err) = generate(&db.url, &["--kommun", "1480", "--seed", "7"]);
    assert_eq!(code, 0, "{err}");
    let store = testkit::open_store(&db.url).await;
    let n = counts(&store).await;
    assert_eq!(n["persons"], 2_400);
    assert_eq!(n["cases"], 400);
    assert_eq!(n["journal_entries"], 4_000);
    let check = store::bulk::check(&store, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    assert!(check.problems().is_empty(), "{:?}", check.problems());
    assert_eq!(
        store::audit::verify(&store).await.unwrap(),
        store::audit::Verdict::Intact { rows: 2 }
    );
    let (code, _, err) = generate(&db.url, &["--kommun", "9999"]);
    assert_ne!(code, 0);
    assert!(err.contains("9999"), "{err}");
    store.close().await;
}

#[tokio::test]
async fn national_leaves_out_municipalities_that_hold_data() {
    let db = testkit::fresh_database().await;
    // The demo seed puts persons and cases in 0380.
    let (code, _, err) = run_cli(&db.url, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let store = testkit::open_store(&db.url).await;
    let before = counts(&store).await;
    assert!(before["persons"] > 0);

    let (code, _, err) = run_cli(
        &db.url,
        &["generate", "--preset", "national", "--scale", "0.002"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Leaving out 1 municipality") && err.contains("0380"),
        "{err}"
    );
    let n = counts(&store).await;
    // 2 600 carers and 800 care recipients, 600 cases, 6 000 entries, shared by the other 289.
    assert_eq!(n["persons"] - before["persons"], 3_400);
    assert_eq!(n["cases"] - before["cases"], 600);
    assert_eq!(n["journal_entries"] - before["journal_entries"], 6_000);
    assert_eq!(n["units"] - before["units"], 2 * 289);
    assert!(store::staff::list(&store, Some("0380"))
        .await
        .unwrap()
        .iter()
        .all(|s| !s.email.starts_with("kh0380.")));
    let check = store::bulk::check(&store, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    assert!(check.problems().is_empty(), "{:?}", check.problems());
    assert!(matches!(
        store::audit::verify(&store).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));

    // Again: every municipality holds data now.
    let (code, _, err) = run_cli(
        &db.url,
        &["generate", "--preset", "national", "--scale", "0.002"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("refusing") && err.contains("more"), "{err}");
    store.close().await;
}
