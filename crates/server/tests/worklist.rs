#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The officer's case list (issue 12, part 3), walked as an officer works from it: a carer
//! calls quoting a reference, a personnummer or a case number; the list names the person
//! (never a protected identity outside need-to-know), its reference, age and next deadline;
//! filters, order and keyset paging; the search is logged as one, without what was typed.

mod common;

use common::*;
use serde_json::{json, Value};

const PW: &str = "korv med bröd och senap";

struct Desk {
    officer: String,
    officer_id: i64,
    manager: String,
    application_case: i64,
    case_number: String,
    reference: String,
}

/// An officer and a manager in unit A; an application received by phone on 2026-10-01 and
/// taken by the officer.
async fn desk(app: &TestApp) -> Desk {
    let officer_id = staff_in_unit_a(app, "case-officer", "h@kommun.example").await;
    let manager_id = staff_in_unit_a(app, "unit-manager", "c@kommun.example").await;
    let officer = write_token(app, officer_id).await;
    let (status, answer) = api(
        app,
        &officer,
        "POST",
        "/api/v1/municipalities/0380/applications",
        Some(json!({
            "applicant": {"name": "Demo Anhörigsson", "personnummer": "19121212-1212"},
            "requested": ["avlosning-i-hemmet"],
            "received_on": "2026-10-01",
            "consent": true,
            "channel": "phone",
            "assign_to_me": true
        })),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let application_case = answer["case_id"].as_i64().unwrap();
    let reference = answer["reference"].as_str().unwrap().to_owned();
    let (_, case) = api(
        app,
        &officer,
        "GET",
        &format!("/api/v1/cases/{application_case}"),
        None,
    )
    .await;
    Desk {
        officer,
        officer_id,
        manager: write_token(app, manager_id).await,
        application_case,
        case_number: case["case_number"].as_str().unwrap().to_owned(),
        reference,
    }
}

async fn open_for(app: &TestApp, token: &str, person: Value) -> i64 {
    let (status, body) = api(app, token, "POST", "/api/v1/persons", Some(person)).await;
    assert_eq!(status, 201, "{body}");
    let person_id = body["id"].as_i64().unwrap();
    let (status, body) = api(
        app,
        token,
        "POST",
        "/api/v1/cases",
        Some(json!({"kind": "open-support", "persons": [{"id": person_id, "role": "carer"}]})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_case_is_found_by_the_reference_the_carer_quotes_its_number_or_personnummer() {
    let app = app_on_2026_11_25().await;
    let d = desk(&app).await;
    let oberg = open_for(
        &app,
        &d.officer,
        json!({"given_name": "Berit", "family_name": "Öberg", "personnummer": ""}),
    )
    .await;
    let find = |q: String| {
        let (app, t) = (&app, d.officer.clone());
        async move {
            let path = format!("/api/v1/cases?q={}", urlencode(&q));
            let (status, body) = api(app, &t, "GET", &path, None).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    for q in [
        d.reference.clone(),
        d.reference.to_lowercase(),
        d.case_number.clone(),
        "19121212-1212".to_owned(),
        "191212121212".to_owned(),
        "anhörigsson".to_owned(),
    ] {
        assert_eq!(ids(&find(q.clone()).await), vec![d.application_case], "{q}");
    }
    assert_eq!(ids(&find("öberg".into()).await), vec![oberg]);
    assert_eq!(ids(&find("ANS-ZZZZ-ZZZZ".into()).await), Vec::<i64>::new());

    // The row says who, which reference, how old and what is due next.
    let body = find(d.reference.clone()).await;
    let row = &body["cases"][0];
    assert_eq!(row["person"]["name"], "Demo Anhörigsson");
    assert_eq!(row["reference"], d.reference.as_str());
    assert_eq!(row["case_number"], d.case_number.as_str());
    assert_eq!(row["received_on"], "2026-10-01");
    assert_eq!(row["age_days"], 55);
    assert_eq!(row["next_deadline"]["what"], "case-age");
    assert_eq!(row["assigned_to"], d.officer_id);

    // Each search is logged as one, naming what was found and never what was typed.
    let searches = named(&audit(&app).await, "case.search");
    assert_eq!(searches.len(), 9);
    assert!(searches[0]
        .persons
        .contains(&format!("case:{}", d.application_case)));
    for e in &searches {
        let all = format!("{e:?}");
        assert!(!all.contains("1212"), "{all}");
        assert!(!all.contains(&d.reference), "{all}");
    }
    // Listing without a term is a list, not a search.
    api(&app, &d.officer, "GET", "/api/v1/cases", None).await;
    assert_eq!(named(&audit(&app).await, "case.search").len(), 9);
    assert!(!named(&audit(&app).await, "case.list").is_empty());
}

#[tokio::test]
async fn a_protected_identity_is_named_only_to_the_officer_who_holds_the_case() {
    let app = app_on_2026_11_25().await;
    let d = desk(&app).await;
    let hidden = open_for(
        &app,
        &d.officer,
        json!({"given_name": "Hemlig", "family_name": "Person", "personnummer": "811218-9876",
               "protection": "skyddad_folkbokforing", "address_line": "Hemliga gatan 7"}),
    )
    .await;
    let row_of = |list: &Value| {
        list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == hidden)
            .cloned()
            .unwrap()
    };
    let (_, mine) = api(&app, &d.officer, "GET", "/api/v1/cases", None).await;
    assert_eq!(row_of(&mine)["person"]["name"], "Hemlig Person");
    // The manager reaches the unit's cases, but the identity is not theirs to see in a list.
    let (_, theirs) = api(&app, &d.manager, "GET", "/api/v1/cases", None).await;
    let row = row_of(&theirs);
    assert_eq!(row["person"]["name"], Value::Null);
    assert_eq!(row["person"]["protection"], "skyddad_folkbokforing");
    assert!(!theirs.to_string().contains("Hemlig"));
    assert!(!theirs.to_string().contains("Hemliga gatan"));
    // Nor can the name be searched for by someone who may not see it.
    let (_, found) = api(&app, &d.manager, "GET", "/api/v1/cases?q=hemlig", None).await;
    assert_eq!(ids(&found), Vec::<i64>::new());
    let (_, found) = api(&app, &d.officer, "GET", "/api/v1/cases?q=hemlig", None).await;
    assert_eq!(ids(&found), vec![hidden]);
    // The page says so too.
    let mut b = Browser::new(&app);
    b.sign_in(&app, "c@kommun.example", PW).await;
    let page = b.get("/personal/arenden").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Skyddad identitet"), "{}", page.body);
    assert!(!page.body.contains("Hemlig Person"));
}

#[tokio::test]
async fn the_list_filters_orders_and_pages_without_losing_or_repeating_a_case() {
    let app = app_on_2026_11_25().await;
    let d = desk(&app).await;
    let mut opened = vec![d.application_case];
    for _ in 0..100 {
        let (status, body) = api(
            &app,
            &d.officer,
            "POST",
            "/api/v1/cases",
            Some(json!({"kind": "other"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        opened.push(body["id"].as_i64().unwrap());
    }
    // Newest first, in two pages by keyset.
    let (_, first) = api(&app, &d.officer, "GET", "/api/v1/cases", None).await;
    assert_eq!(ids(&first).len(), 100);
    let before = first["next_before"].as_i64().unwrap();
    let (_, second) = api(
        &app,
        &d.officer,
        "GET",
        &format!("/api/v1/cases?before={before}"),
        None,
    )
    .await;
    assert_eq!(second["next_before"], Value::Null);
    let mut all = ids(&first);
    all.extend(ids(&second));
    let mut expected = opened.clone();
    expected.reverse();
    assert_eq!(all, expected);
    // Oldest first pages the other way.
    let (_, first) = api(&app, &d.officer, "GET", "/api/v1/cases?sort=oldest", None).await;
    assert_eq!(ids(&first)[0], d.application_case);
    let after = first["next_after"].as_i64().unwrap();
    let (_, second) = api(
        &app,
        &d.officer,
        "GET",
        &format!("/api/v1/cases?sort=oldest&after={after}"),
        None,
    )
    .await;
    let mut all = ids(&first);
    all.extend(ids(&second));
    assert_eq!(all, opened);

    // By status, and by holder: the application is under investigation once taken? Only its
    // status says; one case closed and one left with nobody show under their filters.
    let closed = opened[5];
    let nobodys = opened[6];
    testkit::execute(
        &app.db,
        &format!("UPDATE cases SET status = 'closed' WHERE id = {closed}"),
    )
    .await;
    testkit::execute(
        &app.db,
        &format!("UPDATE cases SET assigned_to = NULL WHERE id = {nobodys}"),
    )
    .await;
    let (_, list) = api(&app, &d.officer, "GET", "/api/v1/cases?status=closed", None).await;
    assert_eq!(ids(&list), vec![closed]);
    let (_, list) = api(&app, &d.officer, "GET", "/api/v1/cases?holder=nobody", None).await;
    assert_eq!(ids(&list), vec![nobodys]);
    let (_, list) = api(
        &app,
        &d.officer,
        "GET",
        "/api/v1/cases?holder=me&sort=oldest",
        None,
    )
    .await;
    assert!(!ids(&list).contains(&nobodys));
    let unit: i64 = scalar(
        &app,
        &format!("SELECT unit_id FROM cases WHERE id = {closed}"),
    )
    .await;
    let (_, list) = api(
        &app,
        &d.officer,
        "GET",
        &format!("/api/v1/cases?unit={unit}&status=closed"),
        None,
    )
    .await;
    assert_eq!(ids(&list), vec![closed]);

    // What cannot be read answers 422 naming each field.
    let (status, body) = api(
        &app,
        &d.officer,
        "GET",
        "/api/v1/cases?q=a&status=lost&holder=them&unit=x&sort=sideways",
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for f in ["q", "status", "holder", "unit", "sort"] {
        assert!(body["errors"][f].is_array(), "{f}: {body}");
    }
}

#[tokio::test]
async fn the_case_page_searches_and_names_the_field_that_is_wrong() {
    let app = app_on_2026_11_25().await;
    let d = desk(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "h@kommun.example", PW).await;
    let page = b
        .get(&format!("/personal/arenden?q={}", urlencode(&d.reference)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    for s in [&d.case_number, &d.reference, "Demo Anhörigsson", "55 dagar"] {
        assert!(page.body.contains(s), "{s}: {}", page.body);
    }
    assert!(page.body.contains("Ärendet väntar på beslut"));
    let page = b.get("/personal/arenden?q=ANS-ZZZZ-ZZZZ").await;
    assert!(page.body.contains("Inga ärenden matchar sökningen."));
    assert!(!page.body.contains(&d.case_number));
    // An unknown status says which field it is about, in the summary and beside it.
    let page = b.get("/personal/arenden?status=lost").await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("Status: Välj ett av alternativen."),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"f-status-error\""));
    // The deadline watch names the person, the reference and the holder too.
    let page = b.get("/personal/bevakning").await;
    assert_eq!(page.status, 200);
    let holder = testkit::fetch_text(
        &app.db,
        &format!(
            "SELECT display_name FROM staff_users WHERE id = {}",
            d.officer_id
        ),
    )
    .await
    .unwrap();
    for s in [
        &d.case_number,
        &d.reference,
        "Demo Anhörigsson",
        holder.as_str(),
    ] {
        assert!(page.body.contains(s), "{s}: {}", page.body);
    }
}

fn urlencode(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_string()
            } else {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// A name many people bear is searched case by case in the list's order, a rare one by its
/// people first (the store counts them on the name indexes); both read each word typed as the
/// beginning of a given or family name, and page alike.
#[tokio::test]
async fn a_common_name_is_found_as_a_rare_one_is_each_word_beginning_a_name() {
    let app = app_on_2026_11_25().await;
    let d = desk(&app).await;
    let mut want = Vec::new();
    for _ in 0..310 {
        let person = json!({"given_name": "Anna", "family_name": "Vanligsson", "personnummer": ""});
        want.push(open_for(&app, &d.officer, person).await);
    }
    let rare = open_for(
        &app,
        &d.officer,
        json!({"given_name": "Ovanliga", "family_name": "Vanligsson", "personnummer": ""}),
    )
    .await;
    want.push(rare);
    want.sort_unstable_by(|a, b| b.cmp(a));
    let find = |q: &'static str| {
        let (app, t) = (&app, d.officer.clone());
        async move {
            let (status, body) = api(app, &t, "GET", &format!("/api/v1/cases?q={q}"), None).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    // 311 people bear the name: more than are counted before the cases are walked.
    let first = find("vanligsson").await;
    assert_eq!(ids(&first), want[..100].to_vec());
    let before = first["next_before"].as_i64().unwrap();
    let (_, second) = api(
        &app,
        &d.officer,
        "GET",
        &format!("/api/v1/cases?q=vanligsson&before={before}"),
        None,
    )
    .await;
    assert_eq!(ids(&second), want[100..200].to_vec());
    // A second word narrows the common name; a rare given name is found alone.
    assert_eq!(ids(&find("vanligsson%20ovan").await), vec![rare]);
    assert_eq!(ids(&find("ovan").await), vec![rare]);
    // A word begins a name: the middle of one finds nothing.
    assert_eq!(ids(&find("ligsson").await), Vec::<i64>::new());
}
