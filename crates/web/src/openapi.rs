//! The OpenAPI 3.1 document, generated from the route registrations: each API module registers
//! its routes with `api_routes!`, naming the file of their operation objects
//! (`api/openapi/*.json`, keyed `"<method> <path>"`); a route whose key the file lacks does not
//! compile.

use serde_json::{Map, Value};
use std::sync::OnceLock;

/// One documented operation: method, path and the JSON file that documents it.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    /// The module's operations file; this operation is its `"<method> <path>"` entry.
    pub docs: &'static str,
}

impl Operation {
    /// The operation object (`null` if the file does not parse, which a test rules out).
    pub fn doc(&self) -> Value {
        let mut all: Map<String, Value> = serde_json::from_str(self.docs).unwrap_or_default();
        all.remove(&format!("{} {}", self.method, self.path))
            .unwrap_or(Value::Null)
    }
}

/// Registers routes and their documentation in one place: expands to `router()` and
/// `operations()` for the module it stands in. Each route's `"<method> <path>":` key must be in
/// the `docs` file, checked while compiling.
#[macro_export]
macro_rules! api_routes {
    (docs = $docs:expr; $($method:ident $path:literal => $handler:ident;)*) => {
        const DOCS: &str = $docs;

        $(const _: () = assert!(
            $crate::openapi::documents(DOCS, concat!("\"", stringify!($method), " ", $path, "\":")),
            "a route of api_routes! has no \"<method> <path>\" entry in its docs file",
        );)*

        pub fn router() -> axum::Router<$crate::AppState> {
            axum::Router::new()$(.route($path, axum::routing::$method($handler)))*
        }

        pub fn operations() -> Vec<$crate::openapi::Operation> {
            vec![$($crate::openapi::Operation {
                method: stringify!($method),
                path: $path,
                docs: DOCS,
            }),*]
        }
    };
}

/// Whether `docs` contains `key` (for the compile-time check of `api_routes!`).
pub const fn documents(docs: &str, key: &str) -> bool {
    let (d, k) = (docs.as_bytes(), key.as_bytes());
    let mut i = 0;
    while i + k.len() <= d.len() {
        let mut j = 0;
        while j < k.len() && d[i + j] == k[j] {
            j += 1;
        }
        if j == k.len() {
            return true;
        }
        i += 1;
    }
    false
}

const BASE: &str = include_str!("../openapi-base.json");

/// The whole document: the base (info, components) and every registered operation.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(BASE).unwrap_or_else(|_| Value::Object(Map::new()));
    let mut paths = Map::new();
    for op in crate::api::operations() {
        let item = paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(op.method.to_owned(), op.doc());
        }
    }
    if let Value::Object(d) = &mut doc {
        d.insert("paths".into(), Value::Object(paths));
    }
    doc
}

/// The document as served, built once.
pub fn json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| serde_json::to_string_pretty(&document()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::{BTreeMap, BTreeSet};

    /// The compile-time check finds a key; this one checks the other way round and the shape:
    /// every file parses, and each of its entries is an operation object of a registered route.
    #[test]
    fn every_route_is_documented_and_every_documented_operation_is_a_route() {
        let mut files: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for op in crate::api::operations() {
            let doc = op.doc();
            assert!(doc["responses"].is_object(), "{} {}", op.method, op.path);
            assert!(doc["summary"].is_string(), "{} {}", op.method, op.path);
            files
                .entry(op.docs)
                .or_default()
                .insert(format!("{} {}", op.method, op.path));
        }
        for (docs, routes) in files {
            let all: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(docs).unwrap();
            let documented: BTreeSet<String> = all.keys().cloned().collect();
            assert_eq!(documented, routes);
        }
    }

    /// What every route with a JSON body can answer besides success, and the emergency
    /// header every route on a case or a person reads, are in the contract.
    #[test]
    fn bodies_and_emergency_access_are_documented() {
        let whole = super::document();
        for op in crate::api::operations() {
            let doc = op.doc();
            let name = format!("{} {}", op.method, op.path);
            if doc.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(doc["responses"][code].is_object(), "{name} lacks {code}");
                }
            }
            let on_a_case = [
                "/cases/{id}",
                "/persons/{id}",
                "/decisions/{id}",
                "/appeals/{id}",
            ]
            .iter()
            .any(|p| op.path.contains(p))
                // Routes that link a person to the caller's work read it too.
                || (op.method == "post"
                    && (op.path == "/api/v1/cases" || op.path.ends_with("/applications")));
            let params = doc["parameters"].as_array().cloned().unwrap_or_default();
            let emergency = params
                .iter()
                .any(|p| p["$ref"] == "#/components/parameters/EmergencyReason");
            assert_eq!(emergency, on_a_case, "{name}: the emergency header");
            if op.path.contains("{id}") {
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == "id" && p["in"] == "path"),
                    "{name} documents its id"
                );
            }
        }
        assert_eq!(
            whole["components"]["parameters"]["EmergencyReason"]["name"],
            "Anhorigstod-Emergency-Reason"
        );
    }

    #[test]
    fn documents_finds_a_key() {
        assert!(super::documents(r#"{"get /a": {}}"#, "\"get /a\":"));
        assert!(!super::documents(r#"{"get /a/b": {}}"#, "\"get /a\":"));
        assert!(!super::documents("", "\"get /a\":"));
    }
}
