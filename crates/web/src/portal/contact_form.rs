//! The contact request form ("be om ett samtal") and its receipt page.

use super::{municipality, query_pairs, query_value, render, Layout};
use crate::contact::{submit, Submitted};
use crate::content::MunicipalityContent;
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::paths::{KommunPath, ReferencePath};
use crate::http::PublicOrigin;
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::contact::{
    AgeGroup, Condition, PreferredTime, RawContactRequest, Relation, Want, FIELD_ORDER,
};
use store::municipalities::Contact;

// ---- The contact request form ----

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    v: RawContactRequest,
    errors: FormErrors,
    relations: Vec<Choice>,
    recipient_ages: Vec<Choice>,
    conditions: Vec<Choice>,
    carer_ages: Vec<Choice>,
    wants: Vec<Choice>,
    times: Vec<Choice>,
    max_message: usize,
}

impl FormPage<'_> {
    fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    fn error_message(&self, field: &str) -> String {
        self.errors.message(field)
    }
}

/// A field's name as the summary says it, before a colon.
fn field_label(t: &I18n, field: &str) -> String {
    t.get(&format!("field-{}", field.replace('_', "-")))
        .trim_end_matches(['.', '?', ':'])
        .to_owned()
}

fn choices<T: Copy>(
    t: &I18n,
    prefix: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    chosen: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice {
            value: name(x),
            label: t.get(&format!("{prefix}-{}", name(x))),
            checked: chosen.contains(&name(x)),
        })
        .collect()
}

fn form_page<'a>(
    t: &'a I18n,
    c: &'a MunicipalityContent,
    v: RawContactRequest,
    errors: FormErrors,
) -> FormPage<'a> {
    let title = if errors.is_empty() {
        t.get("form-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("form-title"))
    };
    let kommunkod = c.municipality.kommunkod.as_str();
    let conds: Vec<&str> = v.recipient_conditions.iter().map(String::as_str).collect();
    let wants: Vec<&str> = v.wants.iter().map(String::as_str).collect();
    FormPage {
        l: Layout::new(t, title, Some(&c.municipality)).crumb(
            t.get("form-title"),
            format!("/kommun/{kommunkod}/be-om-samtal"),
        ),
        relations: choices(
            t,
            "relation",
            Relation::ALL,
            Relation::as_str,
            &[v.relation.as_str()],
        ),
        recipient_ages: choices(
            t,
            "age",
            AgeGroup::ALL,
            AgeGroup::as_str,
            &[v.recipient_age_group.as_str()],
        ),
        conditions: choices(t, "condition", Condition::ALL, Condition::as_str, &conds),
        carer_ages: choices(
            t,
            "age",
            AgeGroup::ALL,
            AgeGroup::as_str,
            &[v.carer_age_group.as_str()],
        ),
        wants: choices(t, "want", Want::ALL, Want::as_str, &wants),
        times: choices(
            t,
            "time",
            PreferredTime::ALL,
            PreferredTime::as_str,
            &[v.preferred_time.as_str()],
        ),
        max_message: domain::contact::MAX_MESSAGE,
        v,
        errors,
        c,
    }
}

pub(super) async fn form(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    render(&form_page(
        &state.t,
        &c,
        RawContactRequest::default(),
        FormErrors::none(),
    ))
}

/// Reads the urlencoded form, keeping repeated checkbox names.
pub fn raw_from_form(body: &[u8]) -> RawContactRequest {
    let mut r = RawContactRequest::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "anonymous" => r.anonymous = v == "yes",
            "name" => r.name = v,
            "phone" => r.phone = v,
            "email" => r.email = v,
            "personnummer" => r.personnummer = v,
            "relation" => r.relation = v,
            "recipient_age_group" => r.recipient_age_group = v,
            "recipient_conditions" => r.recipient_conditions.push(v),
            "carer_age_group" => r.carer_age_group = v,
            "wants" => r.wants.push(v),
            "message" => r.message = v,
            "preferred_time" => r.preferred_time = v,
            "consent" => r.consent = v == "yes",
            _ => {}
        }
    }
    r.recipient_is_child = r.recipient_age_group == AgeGroup::Under18.as_str();
    r
}

pub(super) async fn form_submit(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    PublicOrigin(origin): PublicOrigin,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let mut page = form_page(t, &c, RawContactRequest::default(), FormErrors::none());
            page.errors.push(
                "message",
                t.get("field-message"),
                t.get(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "error-form-too-large"
                } else {
                    "error-form-unreadable"
                }),
            );
            let html = page.render()?;
            return Ok((e.status(), Html(html)).into_response());
        }
    };
    let raw = raw_from_form(&body);
    match submit(&state, &kommunkod, &raw, &origin).await? {
        Submitted::Stored {
            reference,
            young_carer,
        } => {
            let q = if young_carer { "?ung=1" } else { "" };
            Ok(Redirect::to(&format!(
                "/kommun/{kommunkod}/be-om-samtal/skickad/{reference}{q}"
            ))
            .into_response())
        }
        Submitted::Invalid(errors) => {
            let list = FormErrors::new(t, &errors, FIELD_ORDER, |f| field_label(t, f));
            let html = form_page(t, &c, raw, list).render()?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    reference: String,
    young_carer: bool,
    officers: Vec<&'a Contact>,
}

pub(super) async fn form_done(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(ReferencePath { reference }): Path<ReferencePath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    // The reference is shown back as typed only when it has the shape we hand out.
    let well_formed = reference.len() == 8
        && reference.chars().enumerate().all(|(i, ch)| {
            if i == 3 {
                ch == '-'
            } else {
                domain::contact::REFERENCE_ALPHABET.contains(&(ch as u8))
            }
        });
    if !well_formed {
        return Err(PageError::NotFound);
    }
    let t = &state.t;
    let p = DonePage {
        l: Layout::new(t, t.get("done-title"), Some(&c.municipality)),
        young_carer: query_value(&query_pairs(&q), "ung") == "1",
        officers: c.contacts_of("carer_support_officer").collect(),
        reference,
        c: &c,
    };
    render(&p)
}
