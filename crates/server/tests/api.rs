#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The JSON API against a real server, on the backend of this run.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn lists_all_290_municipalities_with_their_regions() {
    let app = spawn_app().await;
    let list: Vec<Value> = client()
        .get(app.url("/api/v1/municipalities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 290);
    let stockholm = list.iter().find(|m| m["kommunkod"] == "0180").unwrap();
    assert_eq!(stockholm["name"], "Stockholm");
    assert_eq!(stockholm["region_code"], "01");
    assert_eq!(stockholm["region_name"], "Stockholms län");
    let regions: std::collections::BTreeSet<_> = list
        .iter()
        .map(|m| m["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(regions.len(), 21);
}

#[tokio::test]
async fn a_valid_request_is_stored_with_its_audit_row() {
    let app = spawn_app().await;
    let (status, body) = post_json(
        &app,
        "0180",
        &json!({"consent": true, "phone": "070-123 45 67", "name": "Test Testsson"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().unwrap();
    assert_eq!(reference.len(), 8);
    assert_eq!(
        store::contact_requests::references(&app.db, "0180")
            .await
            .unwrap(),
        vec![reference.to_owned()]
    );
    let audit = store::audit::rows_after(&app.db, 0, 100).await.unwrap();
    let row = audit
        .iter()
        .find(|r| r.event.action == "contact_request.create")
        .unwrap();
    assert_eq!(row.event.kommunkod.as_deref(), Some("0180"));
    assert!(row.event.request_id.is_some());
    assert_eq!(row.event.client_addr.as_deref(), Some("127.0.0.1"));
    // The audit row holds ids, never the person's data.
    assert!(!format!("{row:?}").contains("Testsson"));
}

#[tokio::test]
async fn the_full_body_is_accepted_and_stored() {
    let app = spawn_app().await;
    let (status, body) = post_json(&app, "0180", &json!({
        "consent": true, "email": "anna@example.se", "name": "Anna", "personnummer": "811218-9876",
        "relation": "partner", "recipient_age_group": "80-plus", "recipient_conditions": ["dementia", "ageing"],
        "carer_age_group": "65-79", "wants": ["talk", "respite"], "message": "Jag orkar inte längre.",
        "preferred_time": "morning"
    })).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["young_carer"], false);
    let rows = store::contact_requests::queue(
        &app.db,
        "0180",
        None,
        10,
        chrono::Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap();
    let r = &rows[0];
    assert_eq!(r.personnummer.as_deref(), Some("19811218-9876"));
    use domain::contact::{Condition, Relation, Want};
    assert_eq!(
        r.recipient_conditions,
        vec![Condition::Dementia, Condition::Ageing]
    );
    assert_eq!(r.wants, vec![Want::Talk, Want::Respite]);
    assert_eq!(r.relation, Some(Relation::Partner));
}

#[tokio::test]
async fn references_are_unique_across_many_requests() {
    let app = spawn_app().await;
    let mut refs = std::collections::HashSet::new();
    for _ in 0..40 {
        let (status, body) =
            post_json(&app, "0180", &json!({"consent": true, "anonymous": true})).await;
        assert_eq!(status, 201);
        assert!(refs.insert(body["reference"].as_str().unwrap().to_owned()));
    }
}

#[tokio::test]
async fn anonymous_requests_keep_no_name_and_young_carers_are_flagged() {
    let app = spawn_app().await;
    let (status, body) = post_json(&app, "0180", &json!({"consent": true, "anonymous": true, "name": "Hemlig", "carer_age_group": "under-18"})).await;
    assert_eq!(status, 201);
    assert_eq!(body["young_carer"], true);
    let rows = store::contact_requests::queue(
        &app.db,
        "0180",
        None,
        10,
        chrono::Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(rows[0].name, None);
    assert!(rows[0].anonymous && rows[0].young_carer && rows[0].involves_child);
}

#[tokio::test]
async fn field_errors_are_422_in_swedish_and_nothing_is_stored() {
    let app = spawn_app().await;
    let cases = [
        (json!({"consent": true}), "phone"),
        (json!({"consent": false, "phone": "0701234567"}), "consent"),
        (json!({"phone": "0701234567"}), "consent"),
        (
            json!({"consent": true, "phone": "0701234567", "personnummer": "811218-9877"}),
            "personnummer",
        ),
        (
            json!({"consent": true, "phone": "0701234567", "personnummer": "19811318-9876"}),
            "personnummer",
        ),
        (json!({"consent": true, "phone": "abc"}), "phone"),
        (
            json!({"consent": true, "email": "anna.example.se"}),
            "email",
        ),
        (
            json!({"consent": true, "phone": "0701234567", "name": "x".repeat(201)}),
            "name",
        ),
        (
            json!({"consent": true, "phone": "0701234567", "message": "x".repeat(4001)}),
            "message",
        ),
        (
            json!({"consent": true, "phone": "0701234567", "relation": "boss"}),
            "relation",
        ),
        (
            json!({"consent": true, "phone": "0701234567", "wants": ["talk", 3]}),
            "wants",
        ),
        (json!({"consent": "yes", "phone": "0701234567"}), "consent"),
        (json!({"consent": true, "phone": 701234567}), "phone"),
    ];
    for (body, field) in cases {
        let (status, answer) = post_json(&app, "0180", &body).await;
        assert_eq!(status, 422, "{body} -> {answer}");
        let messages = answer["errors"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{body} -> {answer}"));
        assert!(!messages.is_empty());
        let text = messages[0].as_str().unwrap();
        assert!(
            !text.starts_with('[') && text.len() > 10,
            "a real message: {text}"
        );
    }
    assert_eq!(count_requests(&app, "0180").await, 0);
}

/// The 422 body, as bytes: fields by name, each with its Swedish messages.
#[tokio::test]
async fn the_field_error_body_keeps_its_exact_shape() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/municipalities/0180/contact-requests");
    for (body, expected) in [
        (
            json!({"email": "anna.example.se", "name": "x".repeat(201)}),
            concat!(
                r#"{"errors":{"consent":["Du behöver samtycka för att vi ska kunna spara din förfrågan."],"#,
                r#""email":["Skriv e-postadressen så här: namn@exempel.se"],"#,
                r#""name":["Texten är för lång."]}}"#
            ),
        ),
        (
            json!({"consent": "yes", "phone": 7}),
            concat!(
                r#"{"errors":{"consent":["Värdet ska vara true eller false."],"#,
                r#""phone":["Värdet ska vara text."]}}"#
            ),
        ),
    ] {
        let res = client().post(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 422, "{body}");
        assert_eq!(res.text().await.unwrap(), expected, "{body}");
    }
}

#[tokio::test]
async fn each_personnummer_error_has_its_own_message() {
    let app = spawn_app().await;
    let mut seen = std::collections::HashSet::new();
    for pnr in [
        "81121a-9876",
        "811218-987",
        "19811318-9876",
        "20991218-9876",
        "811218-9877",
    ] {
        let (status, answer) = post_json(
            &app,
            "0180",
            &json!({"consent": true, "phone": "0701234567", "personnummer": pnr}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            seen.insert(
                answer["errors"]["personnummer"][0]
                    .as_str()
                    .unwrap()
                    .to_owned()
            ),
            "{pnr}"
        );
    }
}

#[tokio::test]
async fn transport_errors_have_their_status_codes() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/municipalities/0180/contact-requests");
    let c = client();
    // Unknown municipality.
    let r = c
        .post(app.url("/api/v1/municipalities/9999/contact-requests"))
        .json(&json!({"consent": true, "anonymous": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    // Wrong content type.
    let r = c
        .post(&url)
        .header("content-type", "text/plain")
        .body(r#"{"consent":true,"anonymous":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Too large.
    let big = format!(
        r#"{{"consent":true,"anonymous":true,"message":"{}"}}"#,
        "a".repeat(70 * 1024)
    );
    let r = c
        .post(&url)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Malformed JSON, invalid UTF-8, not an object.
    for body in [
        b"{\"consent\": tru".to_vec(),
        b"{\"name\": \"\xff\xfe\"}".to_vec(),
        b"[1,2]".to_vec(),
    ] {
        let r = c
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{}", String::from_utf8_lossy(&body));
        assert!(
            r.json::<Value>().await.unwrap()["error"]
                .as_str()
                .unwrap()
                .len()
                > 10
        );
    }
    assert_eq!(count_requests(&app, "0180").await, 0);
}

#[tokio::test]
async fn a_deployment_serves_only_its_municipalities() {
    let mut set = std::collections::HashSet::new();
    set.insert("0380".to_owned());
    let app = spawn_app_with(testkit::Options {
        config: web::WebConfig {
            served: web::Served::Only(set),
            access_log: false,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let (status, _) = post_json(&app, "0180", &json!({"consent": true, "anonymous": true})).await;
    assert_eq!(status, 404);
    let (status, _) = post_json(&app, "0380", &json!({"consent": true, "anonymous": true})).await;
    assert_eq!(status, 201);
    let r = client().get(app.url("/kommun/0180")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let list: Vec<Value> = client()
        .get(app.url("/api/v1/municipalities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 290, "the list still names all municipalities");
    assert_eq!(list.iter().filter(|m| m["served"] == true).count(), 1);
}

#[tokio::test]
async fn catalogue_api_has_both_tracks_and_the_national_entries() {
    let app = spawn_app().await;
    let c: Value = client()
        .get(app.url("/api/v1/municipalities/0180/catalogue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["default_catalogue"], true);
    let entries = c["entries"].as_array().unwrap();
    let track = |t: &str| entries.iter().filter(|e| e["track"] == t).count();
    assert!(track("open") >= 5 && track("assessed_sol") >= 3 && track("assessed_lss") >= 5);
    for slug in [
        "narstaendepenning",
        "omvardnadsbidrag",
        "merkostnadsersattning",
        "anhorigas-riksforbund",
    ] {
        assert!(entries.iter().any(|e| e["slug"] == slug), "{slug}");
    }
    // Placeholders are filled with the municipality's name.
    assert!(!c.to_string().contains("{kommun}"));
    // Not in the default catalogue: only some municipalities pay a carer allowance.
    assert!(!entries.iter().any(|e| e["slug"] == "anhorigbidrag"));
}

#[tokio::test]
async fn openapi_document_names_the_contract() {
    let app = spawn_app().await;
    let spec: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post = &spec["paths"]["/api/v1/municipalities/{kommunkod}/contact-requests"]["post"];
    for code in ["201", "400", "404", "413", "415", "422"] {
        assert!(post["responses"][code].is_object(), "{code}");
    }
    assert!(
        spec["components"]["schemas"]["ContactRequest"]["properties"]["personnummer"].is_object()
    );
}
