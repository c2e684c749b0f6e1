#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The whole authorization matrix over HTTP: every role, against every case and person
//! endpoint, for a case of the caller's unit, a case elsewhere in the municipality and a case
//! in another municipality. The expected answer comes from the pure policy
//! (`domain::policy::can`): allowed answers 2xx, emergency-only 403 (a reason is needed), and
//! denied 404 (the object is not shown to exist). Every allowed read leaves its audit row.

mod common;

use chrono::Utc;
use common::*;
use domain::api_token::Scope;
use domain::policy::{can, Action, CaseRef, Decision, Resource};
use domain::staff::{Actor, Role};
use serde_json::{json, Value};
use testkit::create_staff;

const PW: &str = "korv med bröd och senap";

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> u16 {
    let c = client();
    let req = match method {
        "GET" => c.get(app.url(path)),
        _ => c.post(app.url(path)),
    }
    .header("authorization", format!("Bearer {token}"));
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap().status().as_u16()
}

fn expected(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "2xx",
        Decision::EmergencyOnly => "403",
        Decision::Deny => "404",
    }
}

fn got(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        403 => "403",
        404 => "404",
        _ => "other",
    }
}

/// A granted decision dated today, valid for any case.
fn decision_body() -> Value {
    use domain::clock::Clock;
    json!({
        "insats": "Avlösning i hemmet",
        "outcome": "granted",
        "reasons": "Behovet är styrkt i utredningen av matrisen.",
        "decided_on": domain::clock::SystemClock.today().to_string(),
    })
}

#[tokio::test]
async fn every_role_endpoint_and_case_answers_as_the_policy_says() {
    let app = spawn_app().await;
    let k = |s: &str| domain::Kommunkod::parse(s).unwrap();
    // The case owner in unit A of 0380, and a stranger's case in 0180.
    let owner = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "owner@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let other_owner = create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "other-owner@kommun.example",
        PW,
        true,
        Some("B"),
    )
    .await;
    let far_owner = create_staff(
        &app,
        Some("0180"),
        "case-officer",
        "far@stockholm.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let mut cases = Vec::new();
    let mut decisions = Vec::new();
    for (kommun, who) in [("0380", owner), ("0380", other_owner), ("0180", far_owner)] {
        let token = store::tokens::create(
            &app.db,
            who,
            &[Scope::Write],
            Utc::now(),
            &Default::default(),
        )
        .await
        .unwrap();
        let created: Value = client()
            .post(app.url("/api/v1/persons"))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({"given_name": "Matris", "family_name": format!("Person{who}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let person = created["id"].as_i64().unwrap();
        let case: Value = client()
            .post(app.url("/api/v1/cases"))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({"kind": "open-support", "persons": [person]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let case_id = case["id"].as_i64().unwrap();
        let entry: Value = client()
            .post(app.url(&format!("/api/v1/cases/{case_id}/journal")))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({"text": "Anteckning i matrisen."}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let refs = store::cases::case_ref(&app.db, kommun, case_id)
            .await
            .unwrap()
            .unwrap();
        let decision: Value = client()
            .post(app.url(&format!("/api/v1/cases/{case_id}/decisions")))
            .header("authorization", format!("Bearer {token}"))
            .json(&decision_body())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        decisions.push(decision["id"].as_i64().unwrap());
        cases.push((
            kommun,
            case_id,
            person,
            entry["id"].as_i64().unwrap(),
            who,
            refs,
        ));
    }
    let names = [
        "my unit's case",
        "a case elsewhere in my municipality",
        "another municipality's case",
    ];

    let mut checked = 0;
    for &role in Role::ALL {
        let kommun = (role != Role::SystemAdmin).then_some("0380");
        let email = format!("{}@matris.example", role.as_str());
        let id = create_staff(&app, kommun, role.as_str(), &email, PW, true, Some("A")).await;
        let token = store::tokens::create(
            &app.db,
            id,
            &[Scope::Write],
            Utc::now(),
            &Default::default(),
        )
        .await
        .unwrap();
        let units = store::staff::units_of(&app.db, id).await.unwrap();
        let actor = Actor {
            user_id: id,
            role,
            kommunkod: kommun.map(k),
            units,
        };
        for (((case_kommun, case_id, person, entry, author, refs), name), decision_id) in
            cases.iter().zip(names).zip(&decisions)
        {
            let case = CaseRef {
                kommunkod: k(case_kommun),
                ..refs.clone()
            };
            let person_resource = Resource::Person {
                kommunkod: k(case_kommun),
                cases: vec![case.clone()],
                created_by: Some(*author),
            };
            let cells: Vec<(&str, String, Option<Value>, Decision)> = vec![
                (
                    "GET",
                    format!("/api/v1/cases/{case_id}"),
                    None,
                    can(&actor, Action::ReadCase, &Resource::Case(case.clone())),
                ),
                (
                    "GET",
                    format!("/api/v1/cases/{case_id}/journal"),
                    None,
                    can(&actor, Action::ReadCase, &Resource::Case(case.clone())),
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case_id}/journal"),
                    Some(json!({"text": "Matris."})),
                    can(&actor, Action::WriteCase, &Resource::Case(case.clone())),
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case_id}/journal/{entry}/mark-wrong"),
                    Some(json!({"reason": "Matrisens prov av felmarkering."})),
                    can(
                        &actor,
                        Action::MarkJournalWrong,
                        &Resource::JournalEntry {
                            case: case.clone(),
                            author: *author,
                        },
                    ),
                ),
                (
                    "GET",
                    format!("/api/v1/persons/{person}"),
                    None,
                    can(&actor, Action::ReadPerson, &person_resource),
                ),
                (
                    "GET",
                    format!("/api/v1/decisions/{decision_id}"),
                    None,
                    can(&actor, Action::ReadCase, &Resource::Case(case.clone())),
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case_id}/decisions"),
                    Some(decision_body()),
                    can(&actor, Action::Decide, &Resource::Case(case.clone())),
                ),
            ];
            for (method, path, body, decision) in cells {
                let status = call(&app, &token, method, &path, body).await;
                let mut want = expected(decision);
                // A refused correction is about the entry, not the case: where the case itself
                // is not hidden from the caller, the answer is 403 ("only your own entries").
                // So is a decision by a role without delegation on a case it may read.
                if decision == Decision::Deny
                    && (path.ends_with("mark-wrong") || path.ends_with("/decisions"))
                    && can(&actor, Action::ReadCase, &Resource::Case(case.clone()))
                        != Decision::Deny
                {
                    want = "403";
                }
                assert_eq!(
                    got(status),
                    want,
                    "{role:?} {method} {path} on {name}: {status}"
                );
                checked += 1;
            }
        }
        // Municipality-level actions.
        let municipality = Resource::Municipality(k("0380"));
        let list = call(&app, &token, "GET", "/api/v1/cases", None).await;
        let search = call(&app, &token, "GET", "/api/v1/persons?q=Matris", None).await;
        let open = call(
            &app,
            &token,
            "POST",
            "/api/v1/cases",
            Some(json!({"kind": "other"})),
        )
        .await;
        for (status, action, what) in [
            (list, Action::OpenCase, "list cases"),
            (search, Action::SearchPersons, "search persons"),
            (open, Action::OpenCase, "open a case"),
        ] {
            let allowed = kommun.is_some() && can(&actor, action, &municipality) == Decision::Allow;
            assert_eq!(
                got(status) == "2xx",
                allowed,
                "{role:?} may {what}? status {status}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * (3 * 7 + 3));
    // Every allowed read left a row naming the reader.
    let rows = store::audit::rows_after(&app.db, 0, 5000).await.unwrap();
    assert!(rows
        .iter()
        .any(|r| r.event.action == "case.read" && r.event.role == "unit-manager"));
    assert!(!rows.iter().any(|r| r.event.action.ends_with(".read")
        && (r.event.role == "municipal-admin" || r.event.role == "system-admin")));
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}
