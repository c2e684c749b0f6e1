//! The OpenAPI 3.1 document, generated from the route registrations: each module registers its
//! routes with `api_routes!`, which records every operation's documentation beside it.

use serde_json::{Map, Value};
use std::sync::OnceLock;

/// One documented operation: method, path and its OpenAPI operation object.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub doc: fn() -> Value,
}

/// Registers routes and records their documentation in one place: expands to `router()` and
/// `operations()` for the module it stands in.
#[macro_export]
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:ident $doc:tt;)*) => {
        pub fn router() -> axum::Router<$crate::AppState> {
            axum::Router::new()$(.route($path, axum::routing::$method($handler)))*
        }

        pub fn operations() -> Vec<$crate::openapi::Operation> {
            vec![$($crate::openapi::Operation {
                method: stringify!($method),
                path: $path,
                doc: || serde_json::json!($doc),
            }),*]
        }
    };
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
            item.insert(op.method.to_owned(), (op.doc)());
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
