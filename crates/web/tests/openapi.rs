#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The OpenAPI document and the route registrations cannot drift apart: every `/api/v1`
//! route registered in the source is documented with each of its methods, and every
//! documented path is registered.

use std::collections::BTreeSet;

fn registered() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for file in ["src/api.rs", "src/api_staff.rs"] {
        let src =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        // `.route("/api/v1/...", get(x).post(y))`, possibly spread over lines by rustfmt.
        for part in src.split(".route(").skip(1) {
            let Some(path) = part
                .trim_start()
                .strip_prefix('"')
                .and_then(|p| p.split('"').next())
            else {
                continue;
            };
            if !path.starts_with("/api/v1") {
                continue;
            }
            let end = part.find("))").map_or(part.len(), |i| i + 2);
            let methods = &part[..end];
            for m in ["get", "post", "put", "patch", "delete"] {
                if methods.contains(&format!("{m}(")) {
                    out.insert((path.to_owned(), m.to_owned()));
                }
            }
        }
    }
    out
}

fn documented() -> BTreeSet<(String, String)> {
    let spec: serde_json::Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            out.insert((path.clone(), m.clone()));
        }
    }
    out
}

#[test]
fn every_registered_route_is_documented_and_every_documented_route_registered() {
    let (r, d) = (registered(), documented());
    assert!(r.len() >= 12, "the scan finds the routes: {r:?}");
    let undocumented: Vec<_> = r.difference(&d).collect();
    let unregistered: Vec<_> = d.difference(&r).collect();
    assert!(
        undocumented.is_empty(),
        "registered but not in openapi.json: {undocumented:?}"
    );
    assert!(
        unregistered.is_empty(),
        "in openapi.json but not registered: {unregistered:?}"
    );
}

#[test]
fn staff_operations_declare_bearer_security_and_401() {
    let spec: serde_json::Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/cases") || path.starts_with("/api/v1/persons") {
            for (m, op) in item.as_object().unwrap() {
                assert!(op["security"].is_array(), "{m} {path}");
                assert!(op["responses"]["401"].is_object(), "{m} {path}");
            }
        }
    }
}
