//! The public application form for assessed support (ansökan om bistånd), without login.
//!
//! Built as the contact form in [`crate::portal`] is: a server-rendered form that works with
//! JavaScript off, errors beside each field and in a summary at the top (422), and a
//! redirect to a confirmation page once the application is stored (303). Like the contact
//! form it has no CSRF token: nothing here rides on a session or a cookie, so a post from
//! another site can do no more than anyone can by posting the form directly.

use crate::assessed::{applicable, submit_application};
use crate::content::MunicipalityContent;
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::paths::{KommunPath, ReferencePath};
use crate::http::PublicOrigin;
use crate::i18n::I18n;
use crate::portal::{municipality, query_pairs, Choice, Layout};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use domain::assessed::{Applicable, ApplicantRole, RawApplication, MAX_TEXT, MAX_TITLE};
use domain::FieldErrors;
use store::municipalities::Contact;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kommun/{kommunkod}/ansok", get(form).post(form_submit))
        .route("/kommun/{kommunkod}/ansok/skickad/{reference}", get(done))
}

/// The form's fields in the order they appear, for the error summary.
const FIELD_ORDER: &[&str] = &[
    "name",
    "personnummer",
    "phone",
    "email",
    "role",
    "recipient_name",
    "requested",
    "message",
    "consent",
];

/// A field's name as the error summary says it, before a colon.
fn field_label(t: &I18n, field: &str) -> String {
    let label = match field {
        "name" => t.get("apply-field-name"),
        "personnummer" => t.get("apply-field-personnummer"),
        "phone" => t.get("apply-field-phone"),
        "email" => t.get("apply-field-email"),
        "role" => t.get("apply-field-role"),
        "recipient_name" => t.get("apply-field-recipient-name"),
        "requested" => t.get("apply-field-requested"),
        "message" => t.get("apply-field-message"),
        "consent" => t.get("apply-summary-consent"),
        _ => t.get("apply-field-other"),
    };
    label.trim_end_matches(['.', '?', ':']).to_owned()
}

/// An assessed catalogue entry as a checkbox.
pub struct EntryChoice {
    pub slug: String,
    pub title: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    v: RawApplication,
    errors: FormErrors,
    roles: Vec<Choice>,
    entries: Vec<EntryChoice>,
    /// Some of the entries need the care recipient's consent.
    any_consent: bool,
    max_message: usize,
    /// The same, as Swedish writes numbers: "10 000".
    max_message_text: String,
    max_title: usize,
}

impl ApplyPage<'_> {
    fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    fn error_message(&self, field: &str) -> String {
        self.errors.message(field)
    }
}

fn role_label(t: &I18n, role: ApplicantRole) -> String {
    match role {
        ApplicantRole::Carer => t.get("apply-role-carer"),
        ApplicantRole::CareRecipient => t.get("apply-role-care-recipient"),
        ApplicantRole::Guardian => t.get("apply-role-guardian"),
    }
}

fn apply_page<'a>(
    t: &'a I18n,
    c: &'a MunicipalityContent,
    catalogue: &[Applicable],
    v: RawApplication,
    errors: FormErrors,
) -> ApplyPage<'a> {
    let title = if errors.is_empty() {
        t.get("apply-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("apply-title"))
    };
    let kommunkod = c.municipality.kommunkod.as_str();
    let mut l = Layout {
        t,
        title,
        kommun: Some(&c.municipality),
        crumbs: vec![(c.municipality.name.clone(), format!("/kommun/{kommunkod}"))],
    };
    l.crumbs
        .push((t.get("apply-title"), format!("/kommun/{kommunkod}/ansok")));
    // Nothing chosen yet: most who apply here are carers applying for themselves.
    let role = if v.role.trim().is_empty() {
        ApplicantRole::Carer.as_str()
    } else {
        v.role.trim()
    };
    let roles = ApplicantRole::ALL
        .iter()
        .map(|&r| Choice {
            value: r.as_str(),
            label: role_label(t, r),
            checked: r.as_str() == role,
        })
        .collect();
    let entries = catalogue
        .iter()
        .map(|e| EntryChoice {
            slug: e.slug.clone(),
            title: e.title.clone(),
            checked: v.requested.iter().any(|s| s.trim() == e.slug),
        })
        .collect();
    ApplyPage {
        l,
        any_consent: catalogue.iter().any(|e| e.consent_required),
        roles,
        entries,
        max_message: MAX_TEXT,
        max_message_text: grouped(MAX_TEXT),
        max_title: MAX_TITLE,
        v,
        errors,
        c,
    }
}

/// Thousands grouped with a no-break space.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    out
}

/// The summary's links, in the form's order.
fn error_list(t: &I18n, errors: &FieldErrors, has_entries: bool) -> FormErrors {
    // A missing name is said once: "write both given and family name".
    let name_full = errors.messages("name").contains(&"error-name-full");
    FormErrors::with_messages(
        errors,
        FIELD_ORDER,
        |f| field_label(t, f),
        |field, id| match id {
            "error-required" if field == "name" && name_full => None,
            // The shared message speaks of a contact request.
            "error-consent" => Some(t.get("apply-error-consent")),
            id => Some(t.get(id)),
        },
    )
    .anchored(|field| match field {
        // The group's first checkbox, or the free text when there are none.
        "requested" if !has_entries => "f-free_text".to_owned(),
        f if FIELD_ORDER.contains(&f) => format!("f-{f}"),
        _ => "apply-form".to_owned(),
    })
}

/// Reads the urlencoded form, keeping repeated checkbox names. The date received and the
/// channel are not read: an application sent here arrives online, today.
pub fn raw_from_form(body: &[u8]) -> RawApplication {
    let mut r = RawApplication::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => r.name = v,
            "personnummer" => r.personnummer = v,
            "phone" => r.phone = v,
            "email" => r.email = v,
            "role" => r.role = v,
            "recipient_name" => r.recipient_name = v,
            "requested" => r.requested.push(v),
            "free_text" => r.free_text = v,
            "message" => r.message = v,
            "consent" => r.consent = v == "yes",
            _ => {}
        }
    }
    r
}

async fn form(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let catalogue = applicable(&state, &kommunkod).await?;
    // `?stod=slug` (repeatable) ticks entries of the catalogue; anything else is ignored.
    let requested = query_pairs(&q)
        .into_iter()
        .filter(|(k, v)| k == "stod" && catalogue.iter().any(|e| e.slug == v.trim()))
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let v = RawApplication {
        requested,
        ..RawApplication::default()
    };
    let html = apply_page(&state.t, &c, &catalogue, v, FormErrors::none()).render()?;
    Ok(Html(html).into_response())
}

async fn form_submit(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    PublicOrigin(origin): PublicOrigin,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let catalogue = applicable(&state, &kommunkod).await?;
    let t = &state.t;
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let message = t.get(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "error-form-too-large"
            } else {
                "error-form-unreadable"
            });
            let mut errors = FormErrors::none();
            errors.push("message", field_label(t, "message"), message);
            let html = apply_page(t, &c, &catalogue, RawApplication::default(), errors).render()?;
            return Ok((e.status(), Html(html)).into_response());
        }
    };
    let raw = raw_from_form(&body);
    match submit_application(&state, &kommunkod, &raw, None, &origin).await? {
        Ok(submitted) => {
            // The care recipient's consent is theirs to give when someone else applies.
            let consent = raw.role.trim() != ApplicantRole::CareRecipient.as_str()
                && catalogue.iter().any(|e| {
                    e.consent_required && raw.requested.iter().any(|s| s.trim() == e.slug)
                });
            let q = if consent { "?samtycke=1" } else { "" };
            Ok(Redirect::to(&format!(
                "/kommun/{kommunkod}/ansok/skickad/{}{q}",
                submitted.reference
            ))
            .into_response())
        }
        Err(errors) => {
            let list = error_list(t, &errors, !catalogue.is_empty());
            let html = apply_page(t, &c, &catalogue, raw, list).render()?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// The shape of the references the store hands out: `ANS-XXXX-XXXX`, capitals and digits.
fn well_formed(reference: &str) -> bool {
    let b = reference.as_bytes();
    b.len() == 13
        && reference.starts_with("ANS-")
        && b[8] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| *i > 3 && *i != 8)
            .all(|(_, ch)| ch.is_ascii_uppercase() || ch.is_ascii_digit())
}

#[derive(Template)]
#[template(path = "apply_done.html")]
struct DonePage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    reference: String,
    consent: bool,
    officers: Vec<&'a Contact>,
}

async fn done(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(ReferencePath { reference }): Path<ReferencePath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    // The reference is shown back as typed only when it has the shape we hand out.
    if !well_formed(&reference) {
        return Err(PageError::NotFound);
    }
    let t = &state.t;
    let consent = query_pairs(&q)
        .iter()
        .any(|(k, v)| k == "samtycke" && v == "1");
    let p = DonePage {
        l: Layout {
            t,
            title: t.get("apply-done-title"),
            kommun: Some(&c.municipality),
            crumbs: vec![(c.municipality.name.clone(), format!("/kommun/{kommunkod}"))],
        },
        officers: c.contacts_of("case_officer_intake").collect(),
        consent,
        reference,
        c: &c,
    };
    Ok(Html(p.render()?).into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_form_is_read_without_date_or_channel() {
        let r = raw_from_form(
            b"name=Demo+Anh%C3%B6rigsson&requested=vaxelvard&requested=dagverksamhet\
              &free_text=Tr%C3%A4dg%C3%A5rd&consent=yes&received_on=2020-01-01&channel=phone",
        );
        assert_eq!(r.name, "Demo Anhörigsson");
        assert_eq!(r.requested, vec!["vaxelvard", "dagverksamhet"]);
        assert_eq!(r.free_text, "Trädgård");
        assert!(r.consent);
        assert!(r.received_on.is_empty() && r.channel.is_empty());
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(10_000), "10\u{a0}000");
        assert_eq!(grouped(200), "200");
    }

    #[test]
    fn references_of_the_store_shape_only() {
        assert!(well_formed("ANS-AB2C-9XYZ"));
        assert!(!well_formed("ANS-ab2c-9xyz"));
        assert!(!well_formed("ABC-DEFG"));
        assert!(!well_formed("ANS-AB2C-9XY<"));
        assert!(!well_formed("ANS-AB2C-9XYZ1"));
    }

    #[test]
    fn a_missing_name_is_said_once() {
        let t = I18n::swedish().unwrap();
        let mut e = FieldErrors::new();
        e.add("consent", "error-consent");
        e.add("name", "error-name-full");
        e.add("name", "error-required");
        e.add("requested", "error-requested-required");
        let shown = error_list(&t, &e, true);
        let list: Vec<_> = shown.iter().collect();
        let fields: Vec<_> = list.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "requested", "consent"]);
        assert_eq!(list[0].message, t.get("error-name-full"));
        assert_eq!(list[1].anchor, "f-requested");
        assert_eq!(list[2].label, "Samtycke");
        assert_eq!(list[2].message, t.get("apply-error-consent"));
        let without = error_list(&t, &e, false);
        assert_eq!(
            without.iter().nth(1).map(|e| e.anchor.as_str()),
            Some("f-free_text")
        );
    }
}
