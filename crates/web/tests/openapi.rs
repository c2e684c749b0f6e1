#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The OpenAPI document is generated from the route registrations (`api_routes!`), so a route
//! cannot exist undocumented. This snapshot test shows every change to the contract in review:
//! when the generated document differs from `tests/snapshots/openapi.json` the test fails;
//! run it with `UPDATE_SNAPSHOTS=1` to accept the change.

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

#[test]
fn the_generated_document_matches_the_snapshot() {
    let generated = format!("{}\n", web::openapi::json());
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(SNAPSHOT, &generated).unwrap();
    }
    let snapshot = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        generated == snapshot,
        "the API contract changed; review the difference and run with UPDATE_SNAPSHOTS=1 to accept it"
    );
}

#[test]
fn the_document_names_every_contracted_operation() {
    let doc = web::openapi::document();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/api/v1/municipalities", "get"),
        (
            "/api/v1/municipalities/{kommunkod}/contact-requests",
            "post",
        ),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/journal", "get"),
        ("/api/v1/cases/{id}/journal", "post"),
        ("/api/v1/cases/{id}/journal/{entry}/mark-wrong", "post"),
        ("/api/v1/persons/{id}", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/municipalities/{kommunkod}/activities", "get"),
        ("/api/v1/municipalities/{kommunkod}/activities.ics", "get"),
        ("/api/v1/activities/{id}/signups", "post"),
        ("/api/v1/signups/{token}", "get"),
        ("/api/v1/signups/{token}", "delete"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
}

#[test]
fn staff_operations_declare_bearer_security_and_401() {
    let doc = web::openapi::document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/cases") || path.starts_with("/api/v1/persons") {
            for (m, op) in item.as_object().unwrap() {
                assert!(op["security"].is_array(), "{m} {path}");
                assert!(op["responses"]["401"].is_object(), "{m} {path}");
            }
        }
    }
}

#[test]
fn every_anonymous_write_documents_429_with_retry_after() {
    let doc = web::openapi::document();
    for (path, method) in [
        (
            "/api/v1/municipalities/{kommunkod}/contact-requests",
            "post",
        ),
        ("/api/v1/municipalities/{kommunkod}/applications", "post"),
        ("/api/v1/activities/{id}/signups", "post"),
        ("/api/v1/signups/{token}", "delete"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["responses"]["429"]["$ref"],
            "#/components/responses/TooManyRequests",
            "{method} {path}"
        );
    }
    assert!(
        doc["components"]["responses"]["TooManyRequests"]["headers"]["Retry-After"].is_object()
    );
}
