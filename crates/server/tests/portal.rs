#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The portal's pages and the HTML form, against a real server.

mod common;

use common::*;
use serde_json::Value;

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = client().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn every_page_of_a_municipality_renders() {
    let app = spawn_app().await;
    let catalogue: Value = client()
        .get(app.url("/api/v1/municipalities/0180/catalogue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut paths: Vec<String> = [
        "/",
        "/nationellt",
        "/sok",
        "/kommun/0180",
        "/kommun/0180/stod",
        "/kommun/0180/ekonomiskt-stod",
        "/kommun/0180/kontakt",
        "/kommun/0180/be-om-samtal",
        "/om/personuppgifter",
        "/om/tillganglighet",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for e in catalogue["entries"].as_array().unwrap() {
        paths.push(format!("/kommun/0180/stod/{}", e["slug"].as_str().unwrap()));
    }
    for p in catalogue["pages"].as_array().unwrap() {
        paths.push(format!("/kommun/0180/sida/{}", p["slug"].as_str().unwrap()));
    }
    assert!(paths.len() > 30);
    for path in &paths {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            body.starts_with("<!doctype html>") && body.contains("<html lang=\"sv\">"),
            "{path}"
        );
        assert!(body.contains("<main id=\"main\""), "{path}");
        assert!(
            !body.contains("[error-") && !body.contains("{kommun}") && !body.contains("{namnd}"),
            "{path}: a missing message or placeholder"
        );
        assert!(!body.contains("<script"), "{path}: no JavaScript");
    }
}

#[tokio::test]
async fn the_start_page_groups_all_municipalities_by_region() {
    let app = spawn_app().await;
    let (_, body) = get(&app, "/").await;
    assert_eq!(body.matches("<optgroup").count(), 21);
    assert_eq!(body.matches("<option value=").count(), 290);
    assert!(body.contains("href=\"/nationellt\""));
    let r = client()
        .get(app.url("/valj?kommun=0180"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/kommun/0180");
}

#[tokio::test]
async fn an_entry_page_shows_track_legal_basis_and_provenance() {
    let app = spawn_app().await;
    let (_, body) = get(&app, "/kommun/0180/stod/vaxelvard").await;
    assert!(body.contains("<h1>Växelvård</h1>"));
    assert!(body.contains("Stöd efter ansökan (socialtjänstlagen)"));
    assert!(
        body.contains("Socialtjänstlagen (2025:400)"),
        "legal reference from the law table"
    );
    assert!(
        body.contains("Senast uppdaterad")
            && body.contains("Redaktör")
            && body.contains("Granskare")
    );
    let (_, open) = get(&app, "/kommun/0180/stod/individuella-samtal").await;
    assert!(
        open.contains("Nämndens beslut:"),
        "open support names the board's decision"
    );
}

#[tokio::test]
async fn national_benefits_show_amounts_from_the_law_table() {
    let app = spawn_app().await;
    let (_, body) = get(&app, "/kommun/0180/stod/omvardnadsbidrag").await;
    assert!(body.contains("148\u{a0}000\u{a0}kr"), "250 % of 59 200 kr");
    let (_, body) = get(&app, "/kommun/0180/ekonomiskt-stod").await;
    assert!(
        body.contains("17\u{a0}760\u{a0}kr"),
        "merkostnadsersättning 30 %"
    );
    assert!(
        body.contains("Kommunen har ingen egen ersättning"),
        "the default catalogue has no municipal allowance"
    );
}

#[tokio::test]
async fn printing_chosen_sections() {
    let app = spawn_app().await;
    let (_, all) = get(&app, "/kommun/0180/stod/vaxelvard").await;
    let (_, some) = get(&app, "/kommun/0180/stod/vaxelvard?del=kostnad").await;
    assert!(all.contains("id=\"om\"") && all.contains("id=\"kostnad\""));
    assert!(some.contains("id=\"kostnad\"") && !some.contains("id=\"om\""));
}

#[tokio::test]
async fn search_finds_support_by_everyday_words() {
    let app = spawn_app().await;
    for (q, expect) in [
        ("vaxelvard", "/kommun/0180/stod/vaxelvard"),
        ("stroke", "/kommun/0180/stod/stodgrupp-stroke"),
        ("demens", "/kommun/0180/stod/stodgrupp-demens"),
        ("klaga", "/kommun/0180/sida/om-du-inte-ar-nojd"),
    ] {
        let (status, body) = get(&app, &format!("/sok?q={q}&kommun=0180")).await;
        assert_eq!(status, 200);
        assert!(body.contains(expect), "{q} should find {expect}");
    }
    let (_, none) = get(&app, "/sok?q=qwxyz&kommun=0180").await;
    assert!(none.contains("Träffar: 0"));
}

#[tokio::test]
async fn the_form_posts_and_redirects_to_a_confirmation() {
    let app = spawn_app().await;
    let r = client()
        .post(app.url("/kommun/0180/be-om-samtal"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Test&phone=070-123+45+67&consent=yes&wants=talk&wants=group&carer_age_group=under-18")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/kommun/0180/be-om-samtal/skickad/") && location.ends_with("?ung=1"),
        "{location}"
    );
    let reference = location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        store::contact_requests::references(&app.db, "0180")
            .await
            .unwrap(),
        vec![reference.clone()]
    );
    let (status, page) = get(&app, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains(&reference) && page.contains("Till dig som är under 18"));
    let (status, _) = get(&app, "/kommun/0180/be-om-samtal/skickad/<script>").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_form_error_keeps_what_was_typed_and_lists_the_errors() {
    let app = spawn_app().await;
    let r = client()
        .post(app.url("/kommun/0180/be-om-samtal"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Karin+%3Cb%3E&personnummer=811218-9877&message=Hej+d%C3%A4r&wants=respite")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("<title>Fel i formuläret"));
    assert!(body.contains("id=\"error-summary\"") && body.contains("role=\"alert\""));
    for field in ["phone", "personnummer", "consent"] {
        assert!(
            body.contains(&format!("href=\"#f-{field}\"")),
            "{field} in the summary"
        );
        assert!(
            body.contains(&format!("id=\"f-{field}-error\"")),
            "{field} error beside the field"
        );
    }
    assert!(
        body.contains("value=\"Karin &#60;b&#62;\"") || body.contains("value=\"Karin &lt;b&gt;\""),
        "typed text kept, escaped"
    );
    assert!(body.contains(">Hej där</textarea>"));
    assert!(body.contains("value=\"respite\" id=\"f-wants-respite\" checked"));
    assert_eq!(count_requests(&app, "0180").await, 0);
}

#[tokio::test]
async fn unknown_pages_are_404_in_swedish() {
    let app = spawn_app().await;
    for path in [
        "/finns-inte",
        "/kommun/9999",
        "/kommun/abcd/stod",
        "/kommun/0180/stod/finns-inte",
        "/kommun/0180/sida/finns-inte",
        "/om/kontakt-inledning",
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("Sidan finns inte"), "{path}");
    }
}

#[tokio::test]
async fn security_headers_and_operations_endpoints() {
    let app = spawn_app().await;
    let r = client().get(app.url("/kommun/0180")).send().await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.get("set-cookie").is_none(), "no cookies on public pages");
    assert_eq!(h["x-request-id"].len(), 16);
    let (status, body) = get(&app, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (_, metrics) = get(&app, "/metrics").await;
    assert!(
        metrics.contains(
            "anhorigstod_http_requests_total{route=\"/kommun/{kommunkod}\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE anhorigstod_http_request_duration_seconds histogram"));
}

#[tokio::test]
async fn the_css_is_served_and_has_a_print_style() {
    let app = spawn_app().await;
    let r = client()
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert!(r.text().await.unwrap().contains("@media print"));
}

#[tokio::test]
async fn searching_without_a_municipality_finds_places_and_national_support() {
    let app = spawn_app().await;
    let (_, body) = get(&app, "/sok?q=uppsala").await;
    assert!(
        body.contains("href=\"/kommun/0380\""),
        "a municipality by name"
    );
    let (_, body) = get(&app, "/sok?q=omv%C3%A5rdnadsbidrag").await;
    assert!(body.contains("href=\"/nationellt/stod/omvardnadsbidrag\""));
    let (_, body) = get(&app, "/sok?q=personuppgifter").await;
    assert!(body.contains("href=\"/om/personuppgifter\""));
    let (_, body) = get(&app, "/sok?q=avlastning&kommun=9999").await;
    assert!(body.contains("Vi hittar ingen kommun med den koden"));
}

/// Found from outside (issue 11): `/metrics` was public, and HTTPS deployments had no way to
/// send HSTS. With `metrics_token` only its bearer reads the metrics; with `hsts` every answer
/// carries Strict-Transport-Security.
#[tokio::test]
async fn metrics_need_the_token_and_hsts_is_sent_when_configured() {
    let mut options = testkit::Options::default();
    options.config.metrics_token = Some("m3trics-t0ken-for-tests".into());
    options.config.hsts = true;
    let app = testkit::spawn_app_with(options).await;
    let c = client();
    let anonymous = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), 403);
    let wrong = c
        .get(app.url("/metrics"))
        .header("authorization", "Bearer nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let scraper = c
        .get(app.url("/metrics"))
        .header("authorization", "Bearer m3trics-t0ken-for-tests")
        .send()
        .await
        .unwrap();
    assert_eq!(scraper.status(), 200);
    assert!(scraper
        .text()
        .await
        .unwrap()
        .contains("anhorigstod_http_requests_total"));
    let page = c.get(app.url("/kommun/0180")).send().await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let plain = spawn_app().await;
    let page = c.get(plain.url("/kommun/0180")).send().await.unwrap();
    assert!(page.headers().get("strict-transport-security").is_none());
}
