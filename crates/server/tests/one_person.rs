#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One person, one record (issue 12, part 1), walked as officers registered people: the same
//! personnummer typed again finds the record already there (409 with its id in the API, a link
//! on the page); records without a number with the same name and no contradicting birth date
//! are offered as duplicates, and merging them, after a confirmation page of its own, keeps
//! both histories and is logged.

mod common;

use common::*;
use serde_json::{json, Value};

const PW: &str = "korv med bröd och senap";

async fn officer(app: &TestApp) -> String {
    let id = staff_in_unit_a(app, "case-officer", "h@kommun.example").await;
    write_token(app, id).await
}

async fn register(app: &TestApp, t: &str, person: Value) -> (u16, Value) {
    api(app, t, "POST", "/api/v1/persons", Some(person)).await
}

#[tokio::test]
async fn the_same_personnummer_again_answers_409_with_the_record_already_there() {
    let app = app_on_2026_11_25().await;
    let t = officer(&app).await;
    let (status, first) = register(
        &app,
        &t,
        json!({"given_name": "Anna", "family_name": "Andersson", "personnummer": "811218-9876"}),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let id = first["id"].as_i64().unwrap();
    // The same number in another form, with another spelling of the name.
    let (status, again) = register(
        &app,
        &t,
        json!({"given_name": "Anna-Karin", "family_name": "Andersson", "personnummer": "19811218-9876"}),
    )
    .await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["existing_id"], id);
    // It says no more than that: no name, no number.
    assert!(!again.to_string().contains("Anna"));
    assert!(!again.to_string().contains("9876"));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM persons").await, 1);

    // The page links to the record instead of making a second one.
    let mut b = Browser::new(&app);
    b.sign_in(&app, "h@kommun.example", PW).await;
    let form = b.get("/personal/personer/ny").await;
    let page = b
        .post(
            "/personal/personer/ny",
            &[
                ("_csrf", &form.csrf()),
                ("given_name", "Anna"),
                ("family_name", "Andersson"),
                ("id_number", "198112189876"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/personal/personer/{id}\"")),
        "{}",
        page.body
    );
    // The summary names the field.
    assert!(
        page.body
            .contains("Personnummer eller id: En person med det numret finns redan."),
        "{}",
        page.body
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM persons").await, 1);
}

#[tokio::test]
async fn records_without_a_number_are_offered_as_duplicates_and_merged_after_a_confirmation() {
    let app = app_on_2026_11_25().await;
    let t = officer(&app).await;
    let anna = |birth: &str| json!({"given_name": "Anna", "family_name": "Andersson", "birth_date": birth, "phone": "070-123 45 67"});
    let (_, a) = register(&app, &t, anna("1950-03-14")).await;
    let (_, b) = register(&app, &t, anna("")).await;
    let (_, c) = register(&app, &t, anna("1951-01-01")).await;
    let (a, b, c) = (
        a["id"].as_i64().unwrap(),
        b["id"].as_i64().unwrap(),
        c["id"].as_i64().unwrap(),
    );
    let dups = |v: &Value| -> Vec<i64> {
        v["possible_duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let (_, pa) = api(&app, &t, "GET", &format!("/api/v1/persons/{a}"), None).await;
    assert_eq!(pa["birth_date"], "1950-03-14");
    assert_eq!(dups(&pa), vec![b], "a and c were born on different days");
    let (_, pb) = api(&app, &t, "GET", &format!("/api/v1/persons/{b}"), None).await;
    assert_eq!(dups(&pb), vec![a, c]);

    // b has a case; the officer merges b into a from a's page.
    let (status, case) = api(
        &app,
        &t,
        "POST",
        "/api/v1/cases",
        Some(json!({"kind": "open-support", "persons": [{"id": b, "role": "carer"}]})),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let case_id = case["id"].as_i64().unwrap();
    let mut br = Browser::new(&app);
    br.sign_in(&app, "h@kommun.example", PW).await;
    let page = br.get(&format!("/personal/personer/{a}")).await;
    assert!(page.body.contains("Kan vara samma person"), "{}", page.body);
    let confirm_path = format!("/personal/personer/{a}/sammanfoga/{b}");
    assert!(page.body.contains(&confirm_path));
    // The confirmation is a page of its own; opening it changes nothing.
    let confirm = br.get(&confirm_path).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("Ja, sammanfoga"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM persons WHERE merged_into IS NOT NULL"
        )
        .await,
        0
    );
    let done = br
        .post(
            &format!("/personal/personer/{a}/sammanfoga"),
            &[("_csrf", &confirm.csrf()), ("other", &b.to_string())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/personal/personer/{a}?sammanfogad=1").as_str())
    );
    // Both histories are kept: b stays, pointing at a; b's case is now a's.
    let (_, pb) = api(&app, &t, "GET", &format!("/api/v1/persons/{b}"), None).await;
    assert_eq!(pb["merged_into"], a);
    let page = br
        .get(&format!("/personal/personer/{a}?sammanfogad=1"))
        .await;
    assert!(page.body.contains("Personerna är sammanfogade"));
    assert!(page.body.contains(&format!("/personal/arenden/{case_id}")));
    let (_, found) = api(&app, &t, "GET", "/api/v1/persons?q=Anna", None).await;
    let found: Vec<i64> = found["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(found, vec![a, c], "the merged record is not found again");
    let merges = named(&audit(&app).await, "person.merge");
    assert_eq!(merges.len(), 1);
    assert_eq!(
        merges[0].persons,
        vec![format!("person:{a}"), format!("person:{b}")]
    );
    // c was born on another day than a: not the same person.
    let (status, body) = api(
        &app,
        &t,
        "POST",
        &format!("/api/v1/persons/{a}/merge"),
        Some(json!({"duplicate": c})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["duplicate"].is_array());
}

#[tokio::test]
async fn two_numbers_or_a_protected_address_are_never_merged() {
    let app = app_on_2026_11_25().await;
    let t = officer(&app).await;
    let (_, x) = register(
        &app,
        &t,
        json!({"given_name": "Bo", "family_name": "Ek", "personnummer": "811218-9876"}),
    )
    .await;
    let (_, y) = register(
        &app,
        &t,
        json!({"given_name": "Bo", "family_name": "Ek", "personnummer": "19121212-1212"}),
    )
    .await;
    let (_, z) = register(
        &app,
        &t,
        json!({"given_name": "Bo", "family_name": "Ek", "protection": "skyddad_folkbokforing",
               "address_line": "Hemliga gatan 7"}),
    )
    .await;
    let (x, y, z) = (
        x["id"].as_i64().unwrap(),
        y["id"].as_i64().unwrap(),
        z["id"].as_i64().unwrap(),
    );
    for (a, b) in [(x, y), (x, z)] {
        let (status, body) = api(
            &app,
            &t,
            "POST",
            &format!("/api/v1/persons/{a}/merge"),
            Some(json!({"duplicate": b})),
        )
        .await;
        assert_eq!(status, 422, "{body}");
    }
    // Two numbers are two persons; the protected one is never offered.
    let (_, px) = api(&app, &t, "GET", &format!("/api/v1/persons/{x}"), None).await;
    assert_eq!(px["possible_duplicates"], json!([]));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM persons WHERE merged_into IS NOT NULL"
        )
        .await,
        0
    );
    assert!(named(&audit(&app).await, "person.merge").is_empty());
}
