#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Retention (gallring) on the demo municipality: the plan lists what the rules say and
//! nothing else, names no one, and changes nothing; a run removes exactly that, logs each
//! removal by kind, id and rule, and finds nothing the second time; a file kept for research
//! keeps the cases it shares and the persons in them.

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::*;
use domain::clock::stockholm_date;
use domain::law::LawTable;
use domain::retention::{Due, RecordKind, Rules};
use std::collections::BTreeSet;

const KOMMUN: &str = "0380";
const FAR: &str = "2100-01-01";

fn far() -> NaiveDate {
    NaiveDate::parse_from_str(FAR, "%Y-%m-%d").unwrap()
}

fn rules(on: NaiveDate) -> Rules {
    Rules::in_force(&LawTable::shipped().unwrap(), on, None).unwrap()
}

/// A valid personnummer for a birth day (the serial makes it unique).
fn pnr(y: i32, m: u32, d: u32, serial: u32) -> String {
    let nine = format!("{:02}{m:02}{d:02}{serial:03}", y % 100);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = domain::personnummer::luhn_check_digit(&digits);
    format!("{y}{m:02}{d:02}-{serial:03}{check}")
}

async fn ids(app: &TestApp, sql: &str) -> BTreeSet<i64> {
    let rows: Vec<i64> = match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter().collect()
}

async fn person(app: &TestApp, given: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT id FROM persons WHERE given_name = '{given}'"),
    )
    .await
}

/// The demo municipality, with birth days set so that only Demo-Olle (born on the 15th) is
/// kept for research. The demo's cases: Karin with Gustav, Fatima with Olle, Skyddad alone,
/// Fatima alone, and the applications of Maria (waiting) and Lars (decided, not carried out).
async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    let (code, _, err) = run_cli(app.database_url().unwrap(), &["demo"]);
    assert_eq!(code, 0, "{err}");
    let days = [
        ("Demo-Karin", 1, 3),
        ("Demo-Gustav", 2, 4),
        ("Demo-Fatima", 3, 6),
        ("Demo-Olle", 4, 15),
        ("Demo-Skyddad", 5, 16),
        ("Demo-Maria", 6, 24),
        ("Demo-Lars", 7, 26),
    ];
    for (i, (given, month, day)) in days.into_iter().enumerate() {
        let number = pnr(1950, month, day, 900 + i as u32);
        testkit::execute(
            &app.db,
            &format!("UPDATE persons SET id_number = '{number}' WHERE given_name = '{given}'"),
        )
        .await;
    }
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM persons").await,
        7,
        "the demo's persons are the seven named above"
    );
    app
}

async fn plan(app: &TestApp, on: NaiveDate) -> Vec<Due> {
    store::retention::plan(&app.db, Some(KOMMUN), on, &rules(on))
        .await
        .unwrap()
        .into_iter()
        .flat_map(|p| p.due)
        .collect()
}

fn of_kind(due: &[Due], kind: RecordKind) -> BTreeSet<i64> {
    due.iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.id)
        .collect()
}

async fn application_case(app: &TestApp, given: &str) -> i64 {
    scalar(
        app,
        &format!(
            "SELECT a.case_id FROM applications a JOIN persons p ON p.id = a.applicant_id WHERE p.given_name = '{given}'"
        ),
    )
    .await
}

async fn case_of(app: &TestApp, givens: &[&str]) -> i64 {
    // The case whose persons are exactly these.
    let list = givens
        .iter()
        .map(|g| format!("'{g}'"))
        .collect::<Vec<_>>()
        .join(", ");
    scalar(
        app,
        &format!(
            "SELECT cp.case_id FROM case_persons cp JOIN persons p ON p.id = cp.person_id \
             GROUP BY cp.case_id \
             HAVING COUNT(*) = {n} AND SUM(CASE WHEN p.given_name IN ({list}) THEN 1 ELSE 0 END) = {n}",
            n = givens.len()
        ),
    )
    .await
}

#[tokio::test]
async fn recent_records_are_not_due_and_far_ahead_everything_but_the_kept_files_is() {
    let app = demo_app().await;
    let today = stockholm_date(Utc::now());
    assert_eq!(plan(&app, today).await, Vec::new(), "the demo is new");
    // Two years less a month on, the open support's records still stay.
    assert_eq!(plan(&app, today + Duration::days(700)).await, Vec::new());

    let due = plan(&app, far()).await;
    let requests = ids(
        &app,
        "SELECT id FROM contact_requests r WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.contact_request_id = r.id)",
    )
    .await;
    assert!(!requests.is_empty());
    assert_eq!(of_kind(&due, RecordKind::ContactRequest), requests);
    assert_eq!(
        of_kind(&due, RecordKind::Signup),
        ids(&app, "SELECT id FROM signups").await
    );
    assert_eq!(
        of_kind(&due, RecordKind::Booking),
        ids(
            &app,
            "SELECT id FROM conversations WHERE channel = 'online'"
        )
        .await
    );
    assert_eq!(
        of_kind(&due, RecordKind::ConversationNote),
        ids(&app, "SELECT id FROM conversations WHERE channel = 'staff'").await
    );
    // Olle is kept for research; Fatima shares his case, so both her cases stay with her.
    let going: BTreeSet<i64> = [
        person(&app, "Demo-Karin").await,
        person(&app, "Demo-Gustav").await,
        person(&app, "Demo-Skyddad").await,
        person(&app, "Demo-Maria").await,
        person(&app, "Demo-Lars").await,
    ]
    .into();
    assert_eq!(of_kind(&due, RecordKind::PersonFile), going);
    let cases: BTreeSet<i64> = [
        case_of(&app, &["Demo-Karin", "Demo-Gustav"]).await,
        case_of(&app, &["Demo-Skyddad"]).await,
        application_case(&app, "Demo-Maria").await,
        application_case(&app, "Demo-Lars").await,
    ]
    .into();
    assert_eq!(of_kind(&due, RecordKind::Case), cases);
    for d in &due {
        assert_eq!(d.kommunkod, KOMMUN);
        assert!(d.eligible_from <= far() && d.eligible_from <= d.due_date);
    }
}

#[tokio::test]
async fn the_plan_command_lists_kind_id_reason_and_due_date_names_no_one_and_changes_nothing() {
    let app = demo_app().await;
    let url = app.database_url().unwrap().to_owned();
    let count = "SELECT (SELECT COUNT(*) FROM persons) + (SELECT COUNT(*) FROM cases) \
                 + (SELECT COUNT(*) FROM contact_requests) + (SELECT COUNT(*) FROM signups) \
                 + (SELECT COUNT(*) FROM conversations) + (SELECT COUNT(*) FROM audit_log)";
    let before = scalar(&app, count).await;
    let (code, out, err) = run_cli(
        &url,
        &["retention", "plan", "--as-of", FAR, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(items.len(), plan(&app, far()).await.len());
    for item in &items {
        for field in ["kind", "id", "reason", "due_date"] {
            assert!(item.get(field).is_some(), "{field} missing in {item}");
        }
        assert!(RecordKind::parse(item["kind"].as_str().unwrap()).is_some());
    }
    assert!(items.iter().any(|i| i["kind"] == "person_file"));
    // The protected person's file is listed by id, never by name or address.
    let skyddad = person(&app, "Demo-Skyddad").await;
    assert!(items
        .iter()
        .any(|i| i["kind"] == "person_file" && i["id"] == skyddad));
    for secret in ["Skyddad", "Påhittad", "Anhörigsson", "Demogatan", "Exempel"] {
        assert!(!out.contains(secret), "{secret} in the plan");
    }
    let (code, text, err) = run_cli(&url, &["retention", "plan", "--as-of", FAR]);
    assert_eq!(code, 0, "{err}");
    assert!(text.lines().count() > items.len(), "{text}");
    assert_eq!(
        scalar(&app, count).await,
        before,
        "the plan changed something"
    );
}

#[tokio::test]
async fn a_run_removes_what_is_due_logs_each_removal_and_finds_nothing_the_second_time() {
    let app = demo_app().await;
    let due = plan(&app, far()).await;
    let origin = store::audit::Origin {
        actor: "test".into(),
        role: "system".into(),
        ..Default::default()
    };
    let now = Utc::now();
    let removed = store::retention::run(&app.db, Some(KOMMUN), far(), &rules(far()), now, &origin)
        .await
        .unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].records + removed[0].cases, due.len());

    // What stays: the research file, the file that shares its case, and their two cases.
    let kept: BTreeSet<i64> = [
        person(&app, "Demo-Fatima").await,
        person(&app, "Demo-Olle").await,
    ]
    .into();
    assert_eq!(ids(&app, "SELECT id FROM persons").await, kept);
    assert_eq!(ids(&app, "SELECT id FROM cases").await.len(), 2);
    for table in ["signups", "conversations", "protected_addresses"] {
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM contact_requests r WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.contact_request_id = r.id)"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE about LIKE 'signup:%' OR about LIKE 'occasion:%' OR about LIKE 'conversation:%'"
        )
        .await,
        0,
        "the messages to removed carers went with them"
    );

    // One audit row per removal, by kind, id and rule; the chain still holds.
    let events = named(&audit(&app).await, "retention.remove");
    assert_eq!(events.len(), due.len());
    let logged: BTreeSet<(String, String)> = events
        .iter()
        .map(|e| (e.object_kind.clone(), e.object_id.clone().unwrap()))
        .collect();
    let planned: BTreeSet<(String, String)> = due
        .iter()
        .map(|d| (d.kind.as_str().to_owned(), d.id.to_string()))
        .collect();
    assert_eq!(logged, planned);
    for e in &events {
        let reason = e.reason.clone().unwrap();
        assert!(
            reason.starts_with("person-file:") || reason.starts_with("open-support:"),
            "{reason}"
        );
        assert!(!reason.contains("Demo-"), "{reason}");
    }
    let verdict = store::audit::verify(&app.db).await.unwrap();
    assert!(
        matches!(verdict, store::audit::Verdict::Intact { .. }),
        "{verdict:?}"
    );

    let again = store::retention::run(&app.db, Some(KOMMUN), far(), &rules(far()), now, &origin)
        .await
        .unwrap();
    assert_eq!(again, Vec::new());
    assert_eq!(
        named(&audit(&app).await, "retention.remove").len(),
        due.len()
    );
}

/// Makes one contact request without a case look three years old.
async fn age_a_request(app: &TestApp) -> i64 {
    let id = scalar(
        app,
        "SELECT MIN(id) FROM contact_requests r WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.contact_request_id = r.id) \
         AND NOT EXISTS (SELECT 1 FROM support_contacts o WHERE o.carer_kind = 'contact_request' AND o.carer_id = r.id)",
    )
    .await;
    testkit::execute(
        &app.db,
        &format!(
            "UPDATE contact_requests SET received_at = '2023-01-10T09:00:00+00:00', assigned_at = NULL WHERE id = {id}"
        ),
    )
    .await;
    id
}

/// Makes the protected person's file (their one case, and all in it) seven years old.
async fn age_the_protected_file(app: &TestApp) -> (i64, i64) {
    let skyddad = person(app, "Demo-Skyddad").await;
    let case = case_of(app, &["Demo-Skyddad"]).await;
    let old = "'2019-05-02T09:00:00+00:00'";
    for sql in [
        format!("UPDATE persons SET created_at = {old} WHERE id = {skyddad}"),
        format!("UPDATE cases SET opened_at = {old} WHERE id = {case}"),
        format!("UPDATE case_events SET at = {old} WHERE case_id = {case}"),
        format!("UPDATE journal_entries SET at = {old} WHERE case_id = {case}"),
        format!(
            "UPDATE journal_marks SET at = {old} WHERE entry_id IN (SELECT id FROM journal_entries WHERE case_id = {case})"
        ),
        format!("UPDATE decisions SET created_at = {old} WHERE case_id = {case}"),
        format!("UPDATE appeals SET registered_at = {old} WHERE case_id = {case}"),
        format!(
            "UPDATE person_relations SET created_at = {old} WHERE carer_id = {skyddad} OR recipient_id = {skyddad}"
        ),
    ] {
        testkit::execute(&app.db, &sql).await;
    }
    (skyddad, case)
}

#[tokio::test]
async fn the_run_command_removes_what_is_due_today_and_nothing_more() {
    let app = demo_app().await;
    let url = app.database_url().unwrap().to_owned();
    let request = age_a_request(&app).await;
    let (skyddad, case) = age_the_protected_file(&app).await;
    let requests = scalar(&app, "SELECT COUNT(*) FROM contact_requests").await;

    let (code, out, err) = run_cli(&url, &["retention", "run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0380: 2 records and 1 cases removed"), "{out}");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM contact_requests").await,
        requests - 1
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM contact_requests WHERE id = {request}")
        )
        .await,
        0
    );
    assert_eq!(
        ids(&app, "SELECT id FROM persons").await.len(),
        6,
        "only the aged file went"
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM persons WHERE id = {skyddad}")
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM cases WHERE id = {case}")
        )
        .await,
        0
    );
    let events = named(&audit(&app).await, "retention.remove");
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events.iter().all(|e| e.actor.starts_with("cli:")));

    let (code, out, err) = run_cli(&url, &["retention", "run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nothing due"), "{out}");
    let (code, _, err) = run_cli(&url, &["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
}

#[tokio::test]
async fn the_staff_page_shows_managers_what_goes_by_next_month_without_names() {
    let app = demo_app().await;
    let request = age_a_request(&app).await;
    let (skyddad, _) = age_the_protected_file(&app).await;

    let mut manager = staff(&app, KOMMUN, "unit-manager", "chef@gallring.example").await;
    let page = manager.get("/personal/gallring").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Kontaktförfrågan utan ärende"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("<td>{request}</td>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Personakt"));
    assert!(page.body.contains(&format!("<td>{skyddad}</td>")));
    for secret in ["Skyddad", "Påhittad", "Anhörigsson", "Exempel"] {
        assert!(!page.body.contains(secret), "{secret} on the page");
    }
    assert!(
        page.body.contains("href=\"/personal/gallring\""),
        "the nav links it"
    );
    assert_eq!(
        named(&audit(&app).await, "retention.plan.read").len(),
        1,
        "looking is logged"
    );
    // Nothing was removed by looking.
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM persons").await, 7);

    // Looking further ahead shows the open support's records once their two years are up.
    let ahead = stockholm_date(Utc::now()) + Duration::days(3 * 365);
    let page = manager
        .get(&format!("/personal/gallring?till={ahead}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Anmälan till aktivitet"),
        "{}",
        page.body
    );
    for bad in ["inte-ett-datum", "2015-01-01", "2199-01-01"] {
        let page = manager.get(&format!("/personal/gallring?till={bad}")).await;
        assert_eq!(page.status, 422, "{bad}");
        assert!(page.body.contains("error-summary"), "{bad}");
        assert!(page.body.contains("id=\"f-till-error\""), "{bad}");
        assert!(page.body.contains("aria-invalid=\"true\""), "{bad}");
    }

    let mut admin = staff(&app, KOMMUN, "municipal-admin", "admin@gallring.example").await;
    assert_eq!(admin.get("/personal/gallring").await.status, 200);
    for role in ["case-officer", "carer-support-officer"] {
        let mut b = staff(&app, KOMMUN, role, &format!("{role}@gallring.example")).await;
        let page = b.get("/personal/gallring").await;
        assert_eq!(page.status, 403, "{role}");
        assert!(!page.body.contains("href=\"/personal/gallring\""), "{role}");
    }
    // Another municipality's manager sees their own (empty) plan, not this one's.
    let mut other = staff(&app, "0180", "unit-manager", "chef@annan.example").await;
    let page = other.get("/personal/gallring").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&format!("<td>{skyddad}</td>")));
}
