//! Typed path parameters. Each names one parameter, so a handler takes one `Path<…>` per
//! parameter it needs and the route's other parameters are left to other extractors (`Id<K>`).

use serde::Deserialize;

/// `{kommunkod}`; whether it is a municipality we serve is the handler's question.
#[derive(Deserialize)]
pub(crate) struct KommunPath {
    pub kommunkod: String,
}

/// `{slug}` of a page or a support entry.
#[derive(Deserialize)]
pub(crate) struct SlugPath {
    pub slug: String,
}

/// `{token}` of a private link (a booking, a sign-up).
#[derive(Deserialize)]
pub(crate) struct TokenPath {
    pub token: String,
}

/// `{reference}` the carer was given (a contact request, an application).
#[derive(Deserialize)]
pub(crate) struct ReferencePath {
    pub reference: String,
}

/// `{file}` of a report download.
#[derive(Deserialize)]
pub(crate) struct FilePath {
    pub file: String,
}

/// `{action}` of a step posted to a shared route.
#[derive(Deserialize)]
pub(crate) struct ActionPath {
    pub action: String,
}
