#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The public application form for assessed support (ansökan om bistånd), against a real
//! server on both databases: the form, its errors (nothing stored), a stored application in
//! the inbox, the confirmation page, preselecting with `?stod=` and the links to the form.

mod common;

use common::*;
use store::audit::Origin;

const FORM: &str = "/kommun/0380/ansok";

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = client().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a urlencoded body; returns (status, location, body).
async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let r = client()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, r.text().await.unwrap())
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    scalar(app, &format!("SELECT COUNT(*) FROM {table}")).await
}

async fn inbox(app: &TestApp) -> Vec<store::assessed::InboxApplication> {
    let now = app.state.clock.now();
    store::assessed::inbox(
        &app.db,
        "0380",
        50,
        app.state.clock.today(),
        now,
        &Origin::default(),
    )
    .await
    .unwrap()
}

fn good() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Demo Anhörigsson"),
        ("personnummer", "19121212-1212"),
        ("phone", "070-123 45 67"),
        ("role", "carer"),
        ("recipient_name", "Demo Närståendesson"),
        ("requested", "vaxelvard"),
        ("requested", "avlosning-i-hemmet"),
        ("free_text", "Hjälp med trädgården"),
        ("message", "Jag vårdar min pappa och behöver vila."),
        ("consent", "yes"),
    ]
}

/// Whether the checkbox for `slug` in the "requested" group is ticked.
fn ticked(body: &str, slug: &str) -> bool {
    let marker = format!("name=\"requested\" value=\"{slug}\" ");
    let tag = body
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no checkbox for {slug}"));
    tag.split('>').next().unwrap().ends_with(" checked")
}

/// The reference from a confirmation URL `/kommun/K/ansok/skickad/REF?...`.
fn reference_of(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_form_lists_the_assessed_entries_of_the_municipality() {
    let app = spawn_app().await;
    let (status, body) = get(&app, FORM).await;
    assert_eq!(status, 200);
    assert!(body.starts_with("<!doctype html>") && body.contains("<html lang=\"sv\">"));
    assert!(body.contains("<h1>Ansök om stöd</h1>"));
    assert!(body.contains("method=\"post\" action=\"/kommun/0380/ansok\""));
    assert!(!body.contains("<script"), "works without JavaScript");
    assert!(!body.contains("[apply-") && !body.contains("[error-") && !body.contains("[form-"));
    // Every assessed entry, SoL and LSS, by its title; open support is not applied for.
    let assessed = web::assessed::applicable(&app.state, "0380").await.unwrap();
    assert!(assessed.len() >= 10, "{assessed:?}");
    for (i, e) in assessed.iter().enumerate() {
        let id = if i == 0 {
            "f-requested".to_owned()
        } else {
            format!("f-requested-{}", e.slug)
        };
        assert!(
            body.contains(&format!(
                "type=\"checkbox\" name=\"requested\" value=\"{}\" id=\"{id}\">",
                e.slug
            )),
            "{} is a checkbox",
            e.slug
        );
        assert!(
            body.contains(&format!("<label for=\"{id}\">{}</label>", e.title)),
            "{} has its title as label",
            e.slug
        );
    }
    assert!(body.contains("Personlig assistans (LSS)") && body.contains("Växelvård"));
    assert!(!body.contains("value=\"individuella-samtal\""));
    // The free text, the roles (the carer's chosen from the start) and the consent box.
    assert!(body.contains("<label for=\"f-free_text\">Något annat"));
    assert!(body.contains("type=\"radio\" name=\"role\" value=\"carer\" id=\"f-role\" checked>"));
    assert!(body.contains("value=\"care_recipient\" id=\"f-role-care_recipient\">"));
    assert!(body.contains("value=\"guardian\" id=\"f-role-guardian\">"));
    assert!(body.contains("<legend>Vem är du som ansöker?</legend>"));
    assert!(body.contains("<legend>Vad söker du?</legend>"));
    assert!(body.contains("id=\"f-consent\" name=\"consent\" value=\"yes\""));
    assert!(
        body.contains("aria-describedby=\"f-personnummer-hint\""),
        "hints are tied to their fields"
    );
    assert!(
        !body.contains("name=\"received_on\"") && !body.contains("name=\"channel\""),
        "the public does not set the date received or the channel"
    );
    assert!(!body.contains("error-summary"));
}

#[tokio::test]
async fn stod_in_the_query_ticks_entries_of_the_catalogue() {
    let app = spawn_app().await;
    let (status, body) = get(
        &app,
        "/kommun/0380/ansok?stod=vaxelvard&stod=personlig-assistans&stod=individuella-samtal&stod=%3Cb%3E",
    )
    .await;
    assert_eq!(status, 200);
    assert!(ticked(&body, "vaxelvard") && ticked(&body, "personlig-assistans"));
    assert!(!ticked(&body, "dagverksamhet"));
    assert_eq!(
        body.matches(" checked>").count(),
        3,
        "two entries and the carer role"
    );
    assert!(!body.contains("<b>") && !body.contains("individuella-samtal"));
    assert!(
        body.contains("name=\"free_text\" value=\"\" maxlength=\"200\""),
        "nothing goes into the free text"
    );

    // An assessed entry's page links to the form with the entry chosen; open support does not.
    let (_, entry) = get(&app, "/kommun/0380/stod/vaxelvard").await;
    assert!(entry.contains("href=\"/kommun/0380/ansok?stod=vaxelvard\""));
    assert!(entry.contains("Ansök om det här stödet"));
    let (_, open) = get(&app, "/kommun/0380/stod/individuella-samtal").await;
    assert!(!open.contains("/ansok"));
    let (_, overview) = get(&app, "/kommun/0380").await;
    assert!(overview.contains("href=\"/kommun/0380/ansok\""));
}

#[tokio::test]
async fn errors_are_shown_beside_the_fields_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (status, _, body) = post(&app, FORM, &[("message", "Hej <b>där</b>")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("<title>Fel i formuläret: Ansök om stöd"));
    assert!(body.contains("id=\"error-summary\"") && body.contains("role=\"alert\""));
    for (field, message) in [
        ("name", "Skriv både förnamn och efternamn."),
        (
            "personnummer",
            "Fyll i personnummer eller samordningsnummer.",
        ),
        (
            "requested",
            "Välj minst ett stöd, eller skriv vad du söker.",
        ),
        (
            "consent",
            "Kryssa i rutan om samtycke. Utan ditt samtycke kan vi inte ta emot ansökan här.",
        ),
    ] {
        assert!(
            body.contains(&format!("<a href=\"#f-{field}\">")),
            "{field} in the summary"
        );
        let beside = format!(
            "<p class=\"field-error\" id=\"f-{field}-error\"><span class=\"visually-hidden\">Fel: </span>{message}</p>"
        );
        assert!(body.contains(&beside), "{field}: {beside}");
        assert!(
            body.matches(message).count() >= 2,
            "{field}: the message in the summary and beside the field"
        );
    }
    // The summary in the form's order; the missing name said once.
    let order: Vec<usize> = ["#f-name", "#f-personnummer", "#f-requested", "#f-consent"]
        .iter()
        .map(|a| body.find(&format!("href=\"{a}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(!body.contains("Fyll i det här fältet."));
    for field in ["name", "personnummer", "consent"] {
        let input = body
            .split(&format!("id=\"f-{field}\""))
            .nth(1)
            .unwrap()
            .split('>')
            .next()
            .unwrap();
        assert!(input.contains("aria-invalid=\"true\""), "{field}: {input}");
        assert!(
            input.contains(&format!("f-{field}-error")),
            "{field}: {input}"
        );
    }
    assert!(!body.contains("id=\"f-phone-error\""), "phone is optional");
    assert!(
        body.contains(">Hej &#60;b&#62;där&#60;/b&#62;</textarea>")
            || body.contains(">Hej &lt;b&gt;där&lt;/b&gt;</textarea>"),
        "typed text kept, escaped"
    );

    // A wrong check digit and a one-word name; what was typed and ticked stays.
    let mut bad = good();
    bad[0] = ("name", "Demo");
    bad[1] = ("personnummer", "19121212-1213");
    bad[3] = ("role", "care_recipient");
    let (status, _, body) = post(&app, FORM, &bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("Personnumret stämmer inte. Kontrollera att alla siffror är rätt."));
    assert!(body.contains("id=\"f-name-error\""));
    assert!(!body.contains("id=\"f-consent-error\"") && !body.contains("id=\"f-requested-error\""));
    assert!(body.contains("value=\"19121212-1213\""));
    assert!(ticked(&body, "vaxelvard") && ticked(&body, "avlosning-i-hemmet"));
    assert!(!ticked(&body, "dagverksamhet"));
    assert!(body.contains("value=\"care_recipient\" id=\"f-role-care_recipient\" checked>"));
    assert!(!body.contains("value=\"carer\" id=\"f-role\" checked>"));
    assert!(body.contains("value=\"Hjälp med trädgården\""));
    assert!(body.contains("id=\"f-consent\" name=\"consent\" value=\"yes\" aria-describedby=\"f-consent-hint\" checked>"));

    // An unknown role.
    let mut bad = good();
    bad[3] = ("role", "neighbour");
    let (status, _, body) = post(&app, FORM, &bad).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("<a href=\"#f-role\">Vem är du som ansöker: Välj ett av alternativen.</a>")
    );

    for table in ["applications", "applied_insatser", "cases", "persons"] {
        assert_eq!(count(&app, table).await, 0, "{table}");
    }
    assert!(inbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_good_application_is_stored_and_confirmed() {
    let app = spawn_app().await;
    let mut form = good();
    // The public cannot backdate an application or say it came by phone.
    form.push(("received_on", "2020-01-01"));
    form.push(("channel", "phone"));
    let (status, location, _) = post(&app, FORM, &form).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with("/kommun/0380/ansok/skickad/ANS-")
            && location.ends_with("?samtycke=1"),
        "{location}"
    );
    let reference = reference_of(&location);
    assert_eq!(reference.len(), 13, "{reference}");

    let inbox = inbox(&app).await;
    assert_eq!(inbox.len(), 1);
    let a = &inbox[0];
    assert_eq!(a.reference, reference);
    assert_eq!(a.channel, "online");
    assert_eq!(a.applicant_role, "carer");
    assert_eq!(a.received_on, app.state.clock.today());
    assert_eq!(
        a.requested,
        vec!["Växelvård", "Avlösning i hemmet", "Hjälp med trädgården"]
    );
    let case = store::assessed::of_case(
        &app.db,
        &testkit::reading_grant(&app, "0380", a.case_id).await,
    )
    .await
    .unwrap();
    let row = case.application.unwrap();
    assert_eq!(row.recipient_name.as_deref(), Some("Demo Närståendesson"));
    assert_eq!(
        row.message.as_deref(),
        Some("Jag vårdar min pappa och behöver vila.")
    );
    assert_eq!(case.applied[0].catalogue_slug.as_deref(), Some("vaxelvard"));
    assert!(case.applied[0].consent_required);
    assert_eq!(case.applied[2].catalogue_slug, None);
    assert_eq!(case.applied[2].track, "free");
    // The audit row says it came from the public, with the client's address.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'application.create' AND actor = 'public' \
             AND client_addr = '127.0.0.1' AND request_id IS NOT NULL"
        )
        .await,
        1
    );

    let (status, page) = get(&app, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Tack, vi har tagit emot din ansökan</h1>"));
    assert!(page.contains(&format!(
        "<p class=\"reference\" id=\"reference\">{reference}</p>"
    )));
    for said in [
        "biståndshandläggare",
        "utreder ansökan",
        "skriftligt beslut",
        "och varför",
        "överklaga",
        "inom tre veckor från den dag du fick beslutet",
        "id=\"samtycke\"",
    ] {
        assert!(page.contains(said), "the confirmation says {said:?}");
    }
    assert!(!page.contains("[apply-"));
    assert!(
        !page.contains("Demo Anhörigsson"),
        "no personal data on the page"
    );
}

#[tokio::test]
async fn consent_is_mentioned_only_when_it_is_needed() {
    let app = spawn_app().await;
    // Help for the carer's own part needs nobody else's consent.
    let mut form = good();
    form.retain(|(k, _)| *k != "requested" && *k != "free_text");
    form.push(("requested", "praktisk-hjalp-for-anhorig"));
    let (status, location, _) = post(&app, FORM, &form).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(!location.contains('?'), "{location}");
    let (_, page) = get(&app, &location).await;
    assert!(!page.contains("id=\"samtycke\""));

    // The care recipient applying for respite for themselves consents by applying.
    let mut form = good();
    form[3] = ("role", "care_recipient");
    let (status, location, _) = post(&app, FORM, &form).await;
    assert_eq!(status, 303);
    assert!(!location.unwrap().contains("samtycke"));
    assert_eq!(inbox(&app).await.len(), 2);
    assert_eq!(
        count(&app, "persons").await,
        1,
        "the same person, found by number"
    );
}

#[tokio::test]
async fn what_is_not_in_the_catalogue_is_kept_as_free_text() {
    let app = spawn_app().await;
    let form = [
        ("name", "Demo Anhörigsson"),
        ("personnummer", "191212121212"),
        ("requested", "finns-inte"),
        ("requested", "individuella-samtal"),
        ("consent", "yes"),
    ];
    let (status, location, body) = post(&app, FORM, &form).await;
    assert_eq!(status, 303, "{body}");
    assert!(!location.unwrap().contains("samtycke"));
    let inbox = inbox(&app).await;
    assert_eq!(
        inbox[0].requested,
        vec!["finns-inte", "individuella-samtal"]
    );
    let case = store::assessed::of_case(
        &app.db,
        &testkit::reading_grant(&app, "0380", inbox[0].case_id).await,
    )
    .await
    .unwrap();
    assert!(case
        .applied
        .iter()
        .all(|r| r.catalogue_slug.is_none() && r.track == "free"));

    // A free text that is too long is an error on the group.
    let long = "x".repeat(201);
    let form = [
        ("name", "Demo Anhörigsson"),
        ("personnummer", "19121212-1212"),
        ("free_text", long.as_str()),
        ("consent", "yes"),
    ];
    let (status, _, body) = post(&app, FORM, &form).await;
    assert_eq!(status, 422);
    assert!(body.contains(
        "<a href=\"#f-requested\">Vad söker du: Beskriv det du söker med högst 200 tecken.</a>"
    ));
    let free = body.split("id=\"f-free_text\"").nth(1).unwrap();
    assert!(free
        .split('>')
        .next()
        .unwrap()
        .contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn a_body_too_large_is_answered_with_the_form() {
    let app = spawn_app().await;
    let big = "x".repeat(70 * 1024);
    let (status, _, body) = post(&app, FORM, &[("message", big.as_str())]).await;
    assert_eq!(status, 413);
    assert!(body.contains("Det du skickade var för stort."));
    assert!(body.contains("<a href=\"#f-message\">"));
    assert_eq!(count(&app, "applications").await, 0);
}

#[tokio::test]
async fn unknown_municipalities_and_references_are_404() {
    let app = spawn_app().await;
    for path in [
        "/kommun/9999/ansok",
        "/kommun/abcd/ansok",
        "/kommun/9999/ansok/skickad/ANS-ABCD-2345",
        "/kommun/0380/ansok/skickad/%3Cscript%3E",
        "/kommun/0380/ansok/skickad/ANS-abcd-2345",
        "/kommun/0380/ansok/skickad/ABC-DEFG",
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("Sidan finns inte"), "{path}");
    }
    let (status, _, body) = post(&app, "/kommun/9999/ansok", &good()).await;
    assert_eq!(status, 404);
    assert!(body.contains("Sidan finns inte"));
    assert_eq!(count(&app, "applications").await, 0);
}
