#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Cases, the journal and persons through the API and the staff pages: credentials,
//! need-to-know, municipality isolation, emergency access, felmarkering, protected addresses
//! and the audit rows of every read.

mod common;

use chrono::Utc;
use common::*;
use serde_json::{json, Value};
use testkit::create_staff;

const PW: &str = "korv med bröd och senap";
const SECRET_STREET: &str = "Hemliga gatan 7";

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> (u16, Value) {
        let c = client();
        let url = self.app.url(path);
        let mut req = match method {
            "GET" => c.get(url),
            _ => c.post(url),
        }
        .header("authorization", format!("Bearer {}", self.token));
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None, &[]).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body), &[]).await
    }
}

async fn token(app: &TestApp, user: i64, scopes: &[&str]) -> String {
    let scopes = domain::api_token::parse_scopes(
        &scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .unwrap();
    store::tokens::create(&app.db, user, &scopes, Utc::now(), &Default::default())
        .await
        .unwrap()
}

struct World<'a> {
    me: Api<'a>,
    me_id: i64,
    colleague_other_unit: Api<'a>,
    manager: Api<'a>,
    stranger: Api<'a>,
    case_id: i64,
    entry_id: i64,
    person_id: i64,
}

/// A municipality with two units, a case in unit A with one entry, and a stranger in 0180.
async fn world(app: &TestApp) -> World<'_> {
    let me_id = create_staff(
        app,
        Some("0380"),
        "case-officer",
        "me@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let other = create_staff(
        app,
        Some("0380"),
        "case-officer",
        "other@kommun.example",
        PW,
        true,
        Some("B"),
    )
    .await;
    let manager = create_staff(
        app,
        Some("0380"),
        "unit-manager",
        "boss@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let stranger = create_staff(
        app,
        Some("0180"),
        "case-officer",
        "x@stockholm.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let me = Api {
        app,
        token: token(app, me_id, &["write"]).await,
    };
    let (status, body) = me.post("/api/v1/persons", json!({"given_name": "Test", "family_name": "Skyddad", "personnummer": "811218-9876", "protection": "skyddad_folkbokforing", "address_line": SECRET_STREET, "city": "Demostad"})).await;
    assert_eq!(status, 201, "{body}");
    let person_id = body["id"].as_i64().unwrap();
    let (status, body) = me
        .post(
            "/api/v1/cases",
            json!({"kind": "open-support", "persons": [{"id": person_id, "role": "carer"}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let case_id = body["id"].as_i64().unwrap();
    assert!(body["case_number"].as_str().unwrap().ends_with("-00001"));
    let (status, body) = me
        .post(
            &format!("/api/v1/cases/{case_id}/journal"),
            json!({"text": "Första samtalet med anhörig.", "kind": "phone_call"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let entry_id = body["id"].as_i64().unwrap();
    World {
        me,
        me_id,
        colleague_other_unit: Api {
            app,
            token: token(app, other, &["write"]).await,
        },
        manager: Api {
            app,
            token: token(app, manager, &["write"]).await,
        },
        stranger: Api {
            app,
            token: token(app, stranger, &["write"]).await,
        },
        case_id,
        entry_id,
        person_id,
    }
}

#[tokio::test]
async fn nothing_answers_without_credentials_but_401() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let paths = [
        ("GET", "/api/v1/cases".to_owned()),
        ("POST", "/api/v1/cases".to_owned()),
        ("GET", format!("/api/v1/cases/{}", w.case_id)),
        ("GET", "/api/v1/cases/999999".to_owned()),
        ("GET", format!("/api/v1/cases/{}/journal", w.case_id)),
        ("POST", format!("/api/v1/cases/{}/journal", w.case_id)),
        (
            "POST",
            format!(
                "/api/v1/cases/{}/journal/{}/mark-wrong",
                w.case_id, w.entry_id
            ),
        ),
        ("GET", format!("/api/v1/persons/{}", w.person_id)),
        ("GET", "/api/v1/persons?q=Skyddad".to_owned()),
        ("POST", "/api/v1/persons".to_owned()),
    ];
    for token in ["", "anh_0000", "not-a-token"] {
        let api = Api {
            app: &app,
            token: token.to_owned(),
        };
        for (method, path) in &paths {
            let (status, body) = api
                .call(method, path, Some(json!({"text": "x"})), &[])
                .await;
            assert_eq!(status, 401, "{method} {path} with {token:?}: {body}");
        }
    }
    let r = client().get(app.url("/api/v1/cases")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
}

#[tokio::test]
async fn a_case_is_opened_written_and_corrected_without_losing_anything() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (status, case) = w.me.get(&format!("/api/v1/cases/{}", w.case_id)).await;
    assert_eq!(status, 200);
    assert_eq!(case["kind"], "open-support");
    assert_eq!(case["persons"][0]["role"], "carer");
    assert_eq!(case["events"][0]["kind"], "opened");
    let (status, body) =
        w.me.post(
            &format!(
                "/api/v1/cases/{}/journal/{}/mark-wrong",
                w.case_id, w.entry_id
            ),
            json!({"reason": "Fel person, skrevs av misstag."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, journal) =
        w.me.get(&format!("/api/v1/cases/{}/journal", w.case_id))
            .await;
    let entry = &journal["entries"][0];
    assert_eq!(
        entry["text"], "Första samtalet med anhörig.",
        "the wrong entry stays readable"
    );
    assert_eq!(
        entry["marks"][0]["reason"],
        "Fel person, skrevs av misstag."
    );
    let (status, body) =
        w.me.post(
            &format!("/api/v1/cases/{}/journal", w.case_id),
            json!({"text": "   "}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["text"][0].as_str().unwrap().len() > 5);
    let (status, _) =
        w.me.post(
            &format!(
                "/api/v1/cases/{}/journal/{}/mark-wrong",
                w.case_id, w.entry_id
            ),
            json!({"reason": "kort"}),
        )
        .await;
    assert_eq!(status, 422, "a reason must say something");
    let (status, body) = w.me.post("/api/v1/cases", json!({})).await;
    assert_eq!((status, body["errors"]["kind"].is_array()), (422, true));
    let (status, body) =
        w.me.post(
            "/api/v1/cases",
            json!({"kind": "open-support", "contact_request": "XXX-XXXX"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    // Every change and read left its audit row, and the chain holds.
    let rows = store::audit::rows_after(&app.db, 0, 500).await.unwrap();
    for action in [
        "person.create",
        "case.open",
        "journal.create",
        "case.read",
        "journal.mark_wrong",
        "journal.read",
    ] {
        assert!(
            rows.iter()
                .any(|r| r.event.action == action && r.event.actor == format!("staff:{}", w.me_id)),
            "{action}"
        );
    }
    let read = rows.iter().find(|r| r.event.action == "case.read").unwrap();
    assert_eq!(read.event.persons, vec![format!("person:{}", w.person_id)]);
    assert!(matches!(
        store::audit::verify(&app.db).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn another_municipality_sees_nothing_through_any_endpoint() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let s = &w.stranger;
    for path in [
        format!("/api/v1/cases/{}", w.case_id),
        format!("/api/v1/cases/{}/journal", w.case_id),
        format!("/api/v1/persons/{}", w.person_id),
    ] {
        assert_eq!(s.get(&path).await.0, 404, "{path}");
        assert_eq!(
            s.call(
                "GET",
                &path,
                None,
                &[(
                    "anhorigstod-emergency-reason",
                    "Jag vill se detta ärende nu."
                )]
            )
            .await
            .0,
            404,
            "no emergency across municipalities: {path}"
        );
    }
    assert_eq!(
        s.post(
            &format!("/api/v1/cases/{}/journal", w.case_id),
            json!({"text": "Intrång"})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        s.post(
            &format!(
                "/api/v1/cases/{}/journal/{}/mark-wrong",
                w.case_id, w.entry_id
            ),
            json!({"reason": "Försöker ändra fel kommun."})
        )
        .await
        .0,
        404
    );
    let (status, body) = s
        .post(
            "/api/v1/cases",
            json!({"kind": "other", "persons": [w.person_id]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, found) = s.get("/api/v1/persons?q=Skyddad").await;
    assert_eq!(found["persons"].as_array().unwrap().len(), 0);
    let (_, found) = s.get("/api/v1/persons?q=811218").await;
    assert_eq!(found["persons"].as_array().unwrap().len(), 0);
    let (_, list) = s.get("/api/v1/cases").await;
    assert_eq!(list["cases"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn outside_ones_own_cases_only_with_a_reason_that_is_logged() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let o = &w.colleague_other_unit;
    let path = format!("/api/v1/cases/{}", w.case_id);
    let (status, body) = o.get(&path).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Anhorigstod-Emergency-Reason"));
    let (status, _) = o
        .call(
            "GET",
            &path,
            None,
            &[("anhorigstod-emergency-reason", "kort")],
        )
        .await;
    assert_eq!(status, 403, "a reason must say something");
    let (status, body) = o
        .call(
            "GET",
            &path,
            None,
            &[(
                "anhorigstod-emergency-reason",
                "Handläggaren är sjuk, anhörig ringer nu.",
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = o.get(&format!("/api/v1/cases/{}/journal", w.case_id)).await;
    assert_eq!(status, 200, "the access lasts a while once given");
    let (status, body) = o
        .post(
            &format!("/api/v1/cases/{}/journal", w.case_id),
            json!({"kind": "note", "text": "Skrivet under nödåtkomst."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let rows = store::audit::rows_after(&app.db, 0, 500).await.unwrap();
    let writes: Vec<_> = rows
        .iter()
        .filter(|r| r.event.action == "journal.create")
        .map(|r| r.event.reason.as_deref())
        .collect();
    assert_eq!(
        writes,
        [
            None,
            Some("emergency: Handläggaren är sjuk, anhörig ringer nu.")
        ],
        "a write under emergency access carries its reason"
    );
    let grant = rows
        .iter()
        .find(|r| r.event.action == "case.emergency_access")
        .unwrap();
    assert!(grant
        .event
        .reason
        .as_deref()
        .unwrap()
        .starts_with("emergency: Handläggaren är sjuk"));
    let flagged_reads = rows
        .iter()
        .filter(|r| {
            r.event.action.ends_with(".read")
                && r.event
                    .reason
                    .as_deref()
                    .is_some_and(|x| x.starts_with("emergency:"))
        })
        .count();
    assert_eq!(
        flagged_reads, 2,
        "each read under emergency access carries the reason"
    );
    // A person outside one's cases: the same.
    assert_eq!(
        o.get(&format!("/api/v1/persons/{}", w.person_id)).await.0,
        403
    );
}

#[tokio::test]
async fn only_the_author_or_a_manager_marks_an_entry_wrong() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // A colleague in the same unit who did not write it.
    let same_unit = create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "peer@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let peer = Api {
        app: &app,
        token: token(&app, same_unit, &["write"]).await,
    };
    let path = format!(
        "/api/v1/cases/{}/journal/{}/mark-wrong",
        w.case_id, w.entry_id
    );
    let (status, _) = peer
        .post(&path, json!({"reason": "Jag tycker att den är fel."}))
        .await;
    assert_eq!(status, 403);
    let (status, body) = w
        .manager
        .post(&path, json!({"reason": "Enhetschefen rättar: fel ärende."}))
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_read_only_token_reads_but_does_not_write() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let reader = Api {
        app: &app,
        token: token(&app, w.me_id, &["read"]).await,
    };
    assert_eq!(
        reader.get(&format!("/api/v1/cases/{}", w.case_id)).await.0,
        200
    );
    assert_eq!(
        reader
            .post(
                &format!("/api/v1/cases/{}/journal", w.case_id),
                json!({"text": "x"})
            )
            .await
            .0,
        403
    );
    assert_eq!(
        reader
            .post("/api/v1/cases", json!({"kind": "other"}))
            .await
            .0,
        403
    );
    // A revoked token is no token.
    assert!(store::tokens::revoke(&app.db, &reader.token, Utc::now())
        .await
        .unwrap());
    assert_eq!(
        reader.get(&format!("/api/v1/cases/{}", w.case_id)).await.0,
        401
    );
}

#[tokio::test]
async fn administrators_read_no_case() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "admin@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let sys = create_staff(
        &app,
        None,
        "system-admin",
        "drift@example.org",
        PW,
        true,
        None,
    )
    .await;
    for id in [admin, sys] {
        let api = Api {
            app: &app,
            token: token(&app, id, &["write"]).await,
        };
        let (s, _) = api.get(&format!("/api/v1/cases/{}", w.case_id)).await;
        assert_eq!(s, 404);
        assert!(matches!(api.get("/api/v1/cases").await.0, 403 | 404));
        assert!(matches!(
            api.get(&format!("/api/v1/persons/{}", w.person_id)).await.0,
            403 | 404
        ));
    }
}

#[tokio::test]
async fn a_protected_address_appears_nowhere() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut answers: Vec<String> = Vec::new();
    for path in [
        format!("/api/v1/persons/{}", w.person_id),
        "/api/v1/persons?q=Skyddad".into(),
        format!("/api/v1/cases/{}", w.case_id),
        format!("/api/v1/cases/{}/journal", w.case_id),
        "/api/v1/cases".into(),
    ] {
        let (status, body) = w.me.get(&path).await;
        assert_eq!(status, 200, "{path}");
        answers.push(body.to_string());
    }
    let (_, person) = w.me.get(&format!("/api/v1/persons/{}", w.person_id)).await;
    assert_eq!(person["has_protected_address"], true);
    assert_eq!(person["protection"], "skyddad_folkbokforing");
    let mut b = Browser::new(&app);
    b.sign_in(&app, "me@kommun.example", PW).await;
    for path in [
        format!("/personal/personer/{}", w.person_id),
        "/personal/personer?q=Skyddad".into(),
        format!("/personal/arenden/{}", w.case_id),
        format!("/personal/arenden/{}/utdrag", w.case_id),
        "/personal/arenden".into(),
    ] {
        let p = b.get(&path).await;
        assert_eq!(p.status, 200, "{path}");
        answers.push(p.body);
    }
    for a in &answers {
        assert!(
            !a.contains(SECRET_STREET) && !a.contains("Hemliga"),
            "the protected address leaked: {a}"
        );
    }
    let rows = store::audit::rows_after(&app.db, 0, 1000).await.unwrap();
    assert!(!format!("{rows:?}").contains("Hemliga"), "nor in the log");
    let (code, out, _) = run_cli(
        app.database_url().unwrap(),
        &["requests", "list", "--municipality", "0380"],
    );
    assert_eq!(code, 0);
    assert!(!out.contains("Hemliga"));
}

#[tokio::test]
async fn the_staff_pages_open_a_case_from_a_request_and_keep_the_journal() {
    let app = spawn_app().await;
    create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "anna@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "bo@kommun.example",
        PW,
        true,
        Some("B"),
    )
    .await;
    let (status, body) = post_json(&app, "0380", &json!({"consent": true, "phone": "070-174 06 60", "name": "Karin Demosson", "personnummer": "811218-9876"})).await;
    assert_eq!(status, 201);
    let reference = body["reference"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    b.sign_in(&app, "anna@kommun.example", PW).await;
    let form = b
        .get(&format!("/personal/arenden/nytt?fran={reference}"))
        .await;
    assert!(form.body.contains(&format!("value=\"{reference}\"")));
    let lists_before = store::audit::rows_after(&app.db, 0, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.event.action == "contact_request.list")
        .count();
    let p = b
        .post(
            "/personal/arenden",
            &[
                ("_csrf", &form.csrf()),
                ("kind", "open-support"),
                ("contact_request", &reference),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let case_path = p.location.unwrap();
    // Opening the case read the named request only, not the municipality's whole queue.
    let rows = store::audit::rows_after(&app.db, 0, 1000).await.unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r.event.action == "contact_request.list")
            .count(),
        lists_before
    );
    assert!(rows
        .iter()
        .any(|r| r.event.action == "contact_request.read"));
    let case = b.get(&case_path).await;
    assert!(
        case.body.contains("Karin Demosson"),
        "the carer from the request is linked"
    );
    let csrf = case.csrf();
    let empty = b
        .post(
            &format!("{case_path}/anteckningar"),
            &[("_csrf", &csrf), ("kind", "note"), ("text", "")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("error-summary"));
    let p = b
        .post(
            &format!("{case_path}/anteckningar"),
            &[
                ("_csrf", &csrf),
                ("kind", "meeting"),
                ("text", "Möte hemma hos Karin."),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let case = b.get(&case_path).await;
    let entry_id: String = {
        let i = case.body.find("id=\"post-").unwrap() + 9;
        case.body[i..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let p = b
        .post(
            &format!("{case_path}/anteckningar/{entry_id}/felmarkera"),
            &[
                ("_csrf", &csrf),
                ("reason", "Mötet var på kontoret, inte hemma."),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let extract = b.get(&format!("{case_path}/utdrag")).await;
    assert!(
        extract.body.contains("Möte hemma hos Karin.")
            && extract.body.contains("Mötet var på kontoret")
    );

    // A colleague in another unit needs a reason.
    let mut c = Browser::new(&app);
    c.sign_in(&app, "bo@kommun.example", PW).await;
    let page = c.get(&case_path).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Nödåtkomst"));
    let p = c
        .post(
            &format!("{case_path}/nodatkomst"),
            &[("_csrf", &page.csrf()), ("reason", "kort")],
        )
        .await;
    assert_eq!(p.status, 422);
    let p = c
        .post(
            &format!("{case_path}/nodatkomst"),
            &[
                ("_csrf", &page.csrf()),
                ("reason", "Anna är sjuk och Karin ringer nu."),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = c.get(&case_path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Anna är sjuk"));
    assert!(
        !page.body.contains("Felmarkera anteckningen"),
        "no marking of another's entry"
    );
}

#[tokio::test]
async fn a_unit_manager_reviews_who_read_a_person_and_exports_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let o = &w.colleague_other_unit;
    let (status, _) = o
        .call(
            "GET",
            &format!("/api/v1/cases/{}", w.case_id),
            None,
            &[(
                "anhorigstod-emergency-reason",
                "Akut samtal från anhörig, kollegan är borta.",
            )],
        )
        .await;
    assert_eq!(status, 200);
    let mut boss = Browser::new(&app);
    boss.sign_in(&app, "boss@kommun.example", PW).await;
    let today = Utc::now().date_naive();
    let span = format!(
        "fran={}&till={}",
        today - chrono::Duration::days(30),
        today + chrono::Duration::days(1)
    );
    let p = boss
        .get(&format!(
            "/personal/logg?vy=person&person=19811218-9876&{span}"
        ))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("case.read") && p.body.contains("other@kommun.example"),
        "the colleague's read shows"
    );
    assert!(p.body.contains("me@kommun.example"));
    let csv = boss
        .get(&format!(
            "/personal/logg?vy=person&person=19811218-9876&{span}&format=csv"
        ))
        .await;
    assert!(csv.body.starts_with("seq,at,actor,name,role,action"));
    assert!(csv.body.contains("emergency: Akut samtal"));
    let unusual = boss.get(&format!("/personal/logg?vy=monster&{span}")).await;
    assert!(unusual.body.contains("case.emergency_access"));
    let mine = boss
        .get(&format!(
            "/personal/logg?vy=anvandare&anvandare={}&{span}",
            w.me_id
        ))
        .await;
    assert!(mine.body.contains("journal.create"));
    let bad = boss
        .get("/personal/logg?vy=person&person=19811218-9876&fran=igår&till=2099-12-31")
        .await;
    assert_eq!(bad.status, 422);
    // The review is logged; officers may not review.
    let rows = store::audit::rows_after(&app.db, 0, 1000).await.unwrap();
    assert!(
        rows.iter()
            .filter(|r| r.event.action == "audit.review")
            .count()
            >= 4
    );
    let mut me = Browser::new(&app);
    me.sign_in(&app, "me@kommun.example", PW).await;
    assert_eq!(me.get("/personal/logg").await.status, 403);
}

#[tokio::test]
async fn reading_many_persons_in_an_hour_is_flagged() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for i in 0..45 {
        let (status, _) =
            w.me.post(
                "/api/v1/persons",
                json!({"given_name": format!("P{i}"), "family_name": "Många"}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, found) = w.me.get("/api/v1/persons?q=Många").await;
    assert_eq!(status, 200);
    assert_eq!(found["persons"].as_array().unwrap().len(), 45);
    let heavy = store::audit::heavy_readers(
        &app.db,
        "0380",
        Utc::now() - chrono::Duration::hours(2),
        Utc::now() + chrono::Duration::hours(1),
        40,
    )
    .await
    .unwrap();
    assert_eq!(heavy.len(), 1);
    assert_eq!(heavy[0].actor, format!("staff:{}", w.me_id));
    assert!(heavy[0].persons >= 45);
}

#[tokio::test]
async fn status_moves_and_relations_are_recorded() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (status, body) =
        w.me.post(
            "/api/v1/persons",
            json!({"given_name": "Närstående", "family_name": "Demo"}),
        )
        .await;
    assert_eq!(status, 201);
    let recipient = body["id"].as_i64().unwrap();
    let (status, body) =
        w.me.post(
            &format!("/api/v1/persons/{}/relations", w.person_id),
            json!({"recipient": recipient, "kind": "partner", "lives_together": true}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) =
        w.me.post(
            &format!("/api/v1/persons/{}/relations", w.person_id),
            json!({"recipient": 999999, "kind": "partner"}),
        )
        .await;
    assert_eq!(status, 422);
    let mut b = Browser::new(&app);
    b.sign_in(&app, "me@kommun.example", PW).await;
    let person = b.get(&format!("/personal/personer/{}", w.person_id)).await;
    assert!(person.body.contains("Närstående Demo") && person.body.contains("bor tillsammans"));
    let case_path = format!("/personal/arenden/{}", w.case_id);
    let page = b.get(&case_path).await;
    let csrf = page.csrf();
    assert_eq!(
        b.post(
            &format!("{case_path}/status"),
            &[("_csrf", &csrf), ("status", "decided")]
        )
        .await
        .status,
        422,
        "open cannot jump to decided"
    );
    assert_eq!(
        b.post(
            &format!("{case_path}/status"),
            &[("_csrf", &csrf), ("status", "investigating")]
        )
        .await
        .status,
        303
    );
    let (_, case) = w.me.get(&format!("/api/v1/cases/{}", w.case_id)).await;
    assert_eq!(case["status"], "investigating");
    assert_eq!(case["events"][1]["kind"], "status");
    // Closing asks first, on a page of its own; the case stays as it was until yes.
    let question = b
        .post(
            &format!("{case_path}/status"),
            &[("_csrf", &csrf), ("status", "closed")],
        )
        .await;
    assert_eq!(question.status, 200, "{}", question.body);
    assert!(question.body.contains("Avsluta ärendet?"));
    let (_, case) = w.me.get(&format!("/api/v1/cases/{}", w.case_id)).await;
    assert_eq!(case["status"], "investigating");
    assert_eq!(b.confirm(&question).await.status, 303);
    let (_, case) = w.me.get(&format!("/api/v1/cases/{}", w.case_id)).await;
    assert_eq!(case["status"], "closed");
    let rows = store::audit::rows_after(&app.db, 0, 1000).await.unwrap();
    assert!(rows.iter().any(|r| r.event.action == "case.status"
        && r.event.reason.as_deref() == Some("open -> investigating")));
    let rel = rows
        .iter()
        .find(|r| r.event.action == "person.relations_read")
        .unwrap();
    assert!(
        rel.event.persons.contains(&format!("person:{recipient}")),
        "reading the relation names the related person"
    );
}

#[tokio::test]
async fn persons_are_found_by_whole_number_part_of_a_number_and_name_prefix() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for q in [
        "19811218-9876",
        "811218-9876",
        "8112189876",
        "811218",
        "skydd",
        "Test Skydd",
        "SKYDDAD",
    ] {
        let (status, found) =
            w.me.get(&format!("/api/v1/persons?q={}", q.replace(' ', "%20")))
                .await;
        assert_eq!(status, 200, "{q}");
        let ids: Vec<i64> = found["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![w.person_id], "{q}");
    }
    for q in ["19811218-9877", "Skyddadx", "Test Annan"] {
        let (_, found) =
            w.me.get(&format!("/api/v1/persons?q={}", q.replace(' ', "%20")))
                .await;
        assert_eq!(found["persons"].as_array().unwrap().len(), 0, "{q}");
    }
}

#[tokio::test]
async fn swedish_letters_are_found_whatever_the_case_typed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (status, body) =
        w.me.post(
            "/api/v1/persons",
            json!({"given_name": "Åsa", "family_name": "Öberg"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = body["id"].as_i64().unwrap();
    for q in [
        "öberg",
        "Öberg",
        "ÖBERG",
        "öb",
        "åsa",
        "Åsa öberg",
        "öberg åsa",
    ] {
        let (_, found) =
            w.me.get(&format!("/api/v1/persons?q={}", q.replace(' ', "%20")))
                .await;
        let ids: Vec<i64> = found["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![id], "{q}");
    }
}

#[tokio::test]
async fn staff_register_a_person_by_hand_and_a_protected_address_stays_hidden() {
    let app = spawn_app().await;
    create_staff(
        &app,
        Some("0380"),
        "case-officer",
        "me@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "me@kommun.example", PW).await;
    let form = b.get("/personal/personer/ny").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let bad = b
        .post(
            "/personal/personer/ny",
            &[
                ("_csrf", &csrf),
                ("given_name", ""),
                ("family_name", "Utan"),
                ("id_number", "811218-9877"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("href=\"#f-given_name\"") && bad.body.contains("href=\"#f-id_number\"")
    );
    assert!(
        bad.body.contains("value=\"Utan\""),
        "what was typed is kept"
    );
    let ok = b
        .post(
            "/personal/personer/ny",
            &[
                ("_csrf", &csrf),
                ("given_name", "Hand"),
                ("family_name", "Registrerad"),
                ("id_number", "811218-9876"),
                ("protection", "skyddad_folkbokforing"),
                ("address_line", SECRET_STREET),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = b.get(ok.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("Hand Registrerad") && page.body.contains("Skyddad adress. Visas inte.")
    );
    assert!(!page.body.contains("Hemliga"));
    let dup = b
        .post(
            "/personal/personer/ny",
            &[
                ("_csrf", &csrf),
                ("given_name", "Igen"),
                ("family_name", "Samma"),
                ("id_number", "19811218-9876"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    let rows = store::audit::rows_after(&app.db, 0, 200).await.unwrap();
    assert!(rows
        .iter()
        .any(|r| r.event.action == "person.create" && r.event.role == "case-officer"));
}

/// Found from outside (issue 11): staff JSON with personal data was sent `no-cache`, which
/// lets a cache keep it. Every answer to a signed-in caller is `no-store`; public ones are not.
#[tokio::test]
async fn answers_to_a_signed_in_caller_are_never_stored() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for path in [
        format!("/api/v1/cases/{}", w.case_id),
        format!("/api/v1/persons/{}", w.person_id),
        "/api/v1/cases".to_owned(),
        "/api/v1/municipalities".to_owned(),
    ] {
        let res = client()
            .get(app.url(&path))
            .header("authorization", format!("Bearer {}", w.me.token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let public = client()
        .get(app.url("/api/v1/municipalities"))
        .send()
        .await
        .unwrap();
    assert_ne!(public.headers()["cache-control"], "no-store");
}

/// The case-work review: a person's page did not list their cases. It lists each case the
/// person is in, with its number and status, and the read is logged.
#[tokio::test]
async fn a_persons_page_lists_their_cases() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (status, body) =
        w.me.post(
            "/api/v1/cases",
            json!({"kind": "other", "persons": [{"id": w.person_id, "role": "carer"}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let second = body["case_number"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    b.sign_in(&app, "me@kommun.example", PW).await;
    let page = b.get(&format!("/personal/personer/{}", w.person_id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("/personal/arenden/{}\"", w.case_id)),
        "{}",
        page.body
    );
    assert!(page.body.contains(&second), "{}", page.body);
    assert!(page.body.contains("Öppet anhörigstöd"), "{}", page.body);
    let read = named(&audit(&app).await, "person.cases_read");
    assert_eq!(read.len(), 1);
    assert!(read[0].persons.contains(&format!("case:{}", w.case_id)));
    // A person in no case says so.
    let (status, body) =
        w.me.post(
            "/api/v1/persons",
            json!({"given_name": "Ensam", "family_name": "Person", "protection": "none"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let page = b
        .get(&format!(
            "/personal/personer/{}",
            body["id"].as_i64().unwrap()
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Personen finns inte i något ärende."));
}

/// Sends the page's "open a case" form for a contact request.
async fn open_from_request(b: &mut Browser, reference: &str) -> Page {
    let form = b
        .get(&format!("/personal/arenden/nytt?fran={reference}"))
        .await;
    b.post(
        "/personal/arenden",
        &[
            ("_csrf", &form.csrf()),
            ("kind", "open-support"),
            ("contact_request", reference),
        ],
    )
    .await
}

/// The case-work review: pressing "Öppna ärende" again on a request silently made a second
/// case. Now a request becomes a case once: the page goes to the first case and says so, and
/// the API answers 409 naming it.
#[tokio::test]
async fn a_request_becomes_a_case_once() {
    let app = spawn_app().await;
    let officer = create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "once@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let (status, body) = post_json(
        &app,
        "0380",
        &json!({"consent": true, "phone": "070-174 06 61", "name": "Demo Engångsson"}),
    )
    .await;
    assert_eq!(status, 201);
    let reference = body["reference"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    b.sign_in(&app, "once@kommun.example", PW).await;
    let first = open_from_request(&mut b, &reference).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let first_path = first.location.unwrap();
    let again = open_from_request(&mut b, &reference).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(
        again.location.as_deref(),
        Some(format!("{first_path}?redan=1").as_str())
    );
    let page = b.get(&again.location.unwrap()).await;
    assert!(page
        .body
        .contains("Förfrågan har redan blivit det här ärendet"));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM cases").await, 1);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM persons").await,
        1,
        "pressing again made no second person"
    );
    // What the request said, and how to reach the carer, is the case's first entry.
    assert!(
        page.body
            .contains(&format!("Från kontaktförfrågan {reference}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Nås på: 070-174 06 61"), "{}", page.body);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM journal_entries").await,
        1
    );
    // Handled, it leaves the inbox, unless asked for.
    let inbox = b.get("/personal/inkorg").await;
    assert!(!inbox.body.contains(&reference), "{}", inbox.body);
    let all = b.get("/personal/inkorg?hanterade=1").await;
    assert!(all.body.contains(&reference), "{}", all.body);
    assert!(all.body.contains("Ärende öppnat"));
    // The handled request links to the case it became.
    let (case_id, number) = (
        scalar(&app, "SELECT MIN(id) FROM cases").await,
        text(&app, "SELECT case_number FROM cases ORDER BY id LIMIT 1").await,
    );
    assert!(
        all.body.contains(&format!(
            "<a href=\"/personal/arenden/{case_id}\">{number}</a>"
        )),
        "{}",
        all.body
    );

    let api = Api {
        app: &app,
        token: token(&app, officer, &["write"]).await,
    };
    let (status, body) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "open-support", "contact_request": reference}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let first_id: i64 = first_path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(body["case_id"], first_id);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM cases").await, 1);
    assert_eq!(
        text(
            &app,
            &format!("SELECT status FROM contact_requests WHERE reference = '{reference}'")
        )
        .await,
        "case_opened"
    );
}

/// A request handled without a case (information on the phone) is closed with a reason and
/// leaves the inbox; taking it makes it in progress.
#[tokio::test]
async fn a_request_is_taken_then_closed_with_a_reason() {
    let app = spawn_app().await;
    create_staff(
        &app,
        Some("0380"),
        "carer-support-officer",
        "close@kommun.example",
        PW,
        true,
        Some("A"),
    )
    .await;
    let (status, body) = post_json(
        &app,
        "0380",
        &json!({"consent": true, "phone": "070-174 06 62", "name": "Demo Avslutsson"}),
    )
    .await;
    assert_eq!(status, 201);
    let reference = body["reference"].as_str().unwrap().to_owned();
    let id = scalar(
        &app,
        &format!("SELECT id FROM contact_requests WHERE reference = '{reference}'"),
    )
    .await;
    let mut b = Browser::new(&app);
    b.sign_in(&app, "close@kommun.example", PW).await;
    let path = format!("/personal/inkorg/{id}");
    let page = b.get(&path).await;
    assert!(page.body.contains("<dd>Ny</dd>"), "{}", page.body);
    let csrf = page.csrf();
    let taken = b
        .post(
            &format!("{path}/tilldela"),
            &[("_csrf", &csrf), ("till", "me")],
        )
        .await;
    assert_eq!(taken.status, 303);
    assert!(b.get(&path).await.body.contains("<dd>Pågår</dd>"));

    let short = b
        .post(
            &format!("{path}/avsluta"),
            &[("_csrf", &csrf), ("reason", "ok")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("error-summary"));
    assert!(short.body.contains("id=\"f-reason-error\""));
    const REASON: &str = "Fick information om anhörigcaféet i telefon.";
    let question = b
        .post(
            &format!("{path}/avsluta"),
            &[("_csrf", &csrf), ("reason", REASON)],
        )
        .await;
    assert_eq!(question.status, 200, "{}", question.body);
    assert!(question.body.contains("Avsluta förfrågan utan ärende?"));
    assert!(
        b.get(&path).await.body.contains("/avsluta\""),
        "still open before yes"
    );
    let closed = b.confirm(&question).await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let page = b.get(&path).await;
    assert!(
        page.body.contains(&format!("Avslutad: {REASON}")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/avsluta\""), "no second closing");
    // Confirmed a second time (from another tab): refused.
    let again = b
        .post(
            &format!("{path}/avsluta"),
            &[("_csrf", &csrf), ("reason", REASON), ("_confirmed", "yes")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("Förfrågan är redan hanterad."));

    assert!(!b.get("/personal/inkorg").await.body.contains(&reference));
    let all = b.get("/personal/inkorg?hanterade=1").await;
    assert!(all.body.contains(&reference));
    assert!(all.body.contains("Avslutad"));
    let closes = named(&audit(&app).await, "contact_request.close");
    assert_eq!(closes.len(), 1);
    assert!(
        !format!("{closes:?}").contains("anhörigcaféet"),
        "no text in the log"
    );
}

/// The log row of a person's relations names each person once, however many relations the
/// person has (the list was deduplicated unsorted, so the person stood in it once per relation).
#[tokio::test]
async fn a_persons_relations_are_logged_naming_each_person_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut others = Vec::new();
    for given in ["Första", "Andra"] {
        let (status, body) =
            w.me.post(
                "/api/v1/persons",
                json!({"given_name": given, "family_name": "Närstående", "protection": "none"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let other = body["id"].as_i64().unwrap();
        let (status, body) =
            w.me.post(
                &format!("/api/v1/persons/{}/relations", w.person_id),
                json!({"recipient": other, "kind": "parent"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        others.push(other);
    }
    let mut b = Browser::new(&app);
    b.sign_in(&app, "me@kommun.example", PW).await;
    let page = b.get(&format!("/personal/personer/{}", w.person_id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let read = named(&audit(&app).await, "person.relations_read");
    assert_eq!(read.len(), 1);
    let mut expected: Vec<String> = std::iter::once(w.person_id)
        .chain(others)
        .map(|id| format!("person:{id}"))
        .collect();
    expected.sort();
    assert_eq!(read[0].persons, expected);
}
