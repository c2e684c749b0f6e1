//! Staff pages for persons: the search, a person's record with its relations, and registering
//! a person. The same access rules as the API (`store::access`), the same audit rows.

use super::pages::{message, permitted, query_value, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::{ids, Id, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::case::RawPerson;
use domain::policy::Action;
use domain::FieldErrors;
use serde::Deserialize;
use store::access::{PersonGrant, Verdict};

#[derive(Template)]
#[template(path = "staff/persons.html")]
struct PersonsPage<'a> {
    l: StaffLayout<'a>,
    query: String,
    searched: bool,
    hits: Vec<(i64, String, String, String)>,
    errors: FormErrors,
}

pub async fn search(
    State(state): State<AppState>,
    ctx: StaffCtx,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let kommun = permitted(&ctx, Action::SearchPersons)?;
    let t = ctx.texts(&state);
    let query: String = query_value(&q, "q").chars().take(100).collect();
    let mut errors = FieldErrors::new();
    let mut hits = Vec::new();
    let searched = !query.trim().is_empty();
    if searched && query.trim().chars().count() < 2 {
        errors.add("q", "error-query-short");
    } else if searched {
        hits = store::persons::search(
            &state.db,
            kommun.as_str(),
            &query,
            state.clock.now(),
            &ctx.origin,
        )
        .await?
        .into_iter()
        .map(|p| {
            // Lists show the birth date part of the number only.
            let number = p
                .id_number
                .as_deref()
                .map(|n| n.chars().take(8).collect::<String>())
                .unwrap_or_else(|| p.internal_ref.clone());
            (
                p.id,
                format!("{} {}", p.given_name, p.family_name),
                number,
                t.get(&format!("protection-{}", p.protection)),
            )
        })
        .collect();
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &PersonsPage {
            l: StaffLayout::signed_in(t, t.get("persons-title"), &ctx.staff, "persons"),
            query,
            searched,
            hits,
            errors: FormErrors::plain(t, &errors, &[]),
        },
    )
}

#[derive(Template)]
#[template(path = "staff/person.html")]
struct PersonPage<'a> {
    l: StaffLayout<'a>,
    p: store::persons::PersonRecord,
    protection: String,
    emergency: Option<String>,
    csrf: String,
    /// (other person's id, name, how related, lives together)
    relations: Vec<(i64, String, String, bool)>,
    relation_kinds: Vec<(&'static str, String)>,
    /// (case id, case number, kind, status, opened on)
    cases: Vec<(i64, String, String, String, String)>,
}

/// Access to the person in the path: its emergency reason when granted, or the answer to
/// give (not found when hidden; a person outside the member of staff's cases is forbidden,
/// with the text that points to the case's emergency access).
async fn person_access(
    state: &AppState,
    ctx: &StaffCtx,
    id: i64,
) -> Result<PersonGrant, PageError> {
    match store::access::person(&state.db, &ctx.staff.actor, id, None).await? {
        Verdict::Granted(grant) => Ok(grant),
        Verdict::Hidden => Err(PageError::NotFound),
        Verdict::NeedsReason => Err(PageError::ForbiddenBecause("person-not-yours")),
    }
}

pub async fn person(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Person>,
) -> Result<Response, PageError> {
    let id = id.get();
    let kommun = ctx.kommun()?;
    let grant = person_access(&state, &ctx, id).await?;
    let p = store::persons::get(&state.db, &grant, state.clock.now(), &ctx.origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let t = ctx.texts(&state);
    let rels = store::persons::relations(&state.db, kommun.as_str(), id).await?;
    if !rels.is_empty() {
        // The related persons are read too: one row names them.
        let mut e = ctx.origin.event(
            Some(kommun.as_str()),
            "person.relations_read",
            "person",
            Some(id.to_string()),
        );
        e.persons = rels
            .iter()
            .flat_map(|r| {
                [
                    format!("person:{}", r.carer.id),
                    format!("person:{}", r.recipient.id),
                ]
            })
            .collect();
        // The person stands in every relation: each is named once.
        e.persons.sort_unstable();
        e.persons.dedup();
        e.reason = grant.audit_reason().map(str::to_owned);
        store::audit::append_now(&state.db, state.clock.now(), &e).await?;
    }
    let relations = rels
        .iter()
        .map(|r| {
            let (other, how) = if r.carer.id == id {
                (
                    &r.recipient,
                    t.get1(
                        "relation-cares-for",
                        "kind",
                        &t.get(&format!("relation-{}", r.kind)),
                    ),
                )
            } else {
                (
                    &r.carer,
                    t.get1(
                        "relation-cared-for-by",
                        "kind",
                        &t.get(&format!("relation-{}", r.kind)),
                    ),
                )
            };
            (
                other.id,
                format!("{} {}", other.given_name, other.family_name),
                how,
                r.lives_together,
            )
        })
        .collect();
    let cases = store::cases::of_person(&state.db, &grant, state.clock.now(), &ctx.origin)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.id,
                c.case_number,
                t.get(&format!("case-kind-{}", c.kind)),
                t.get(&format!("case-status-{}", c.status)),
                domain::clock::stockholm_date(c.opened_at).to_string(),
            )
        })
        .collect();
    let page = PersonPage {
        csrf: ctx.csrf().to_owned(),
        relations,
        cases,
        relation_kinds: domain::case::RelationKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("relation-{}", k.as_str()))))
            .collect(),
        l: StaffLayout::signed_in(
            t,
            format!("{} {}", p.summary.given_name, p.summary.family_name),
            &ctx.staff,
            "persons",
        ),
        protection: t.get(&format!("protection-{}", p.summary.protection)),
        emergency: grant.emergency().map(str::to_owned),
        p,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RelationForm {
    /// The other person's personnummer or internal reference.
    other: String,
    kind: String,
    /// `cared-for-by` when the other person cares for this one.
    direction: String,
    lives_together: String,
}

pub async fn add_relation(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Person>,
    StaffForm(form): StaffForm<RelationForm>,
) -> Result<Response, PageError> {
    let id = id.get();
    let kommun = ctx.kommun()?;
    person_access(&state, &ctx, id).await?;
    let number = domain::Personnummer::parse(&form.other, state.clock.today())
        .ok()
        .map(|p| p.canonical());
    let other = store::persons::find_by_number_or_ref(
        &state.db,
        kommun.as_str(),
        number.as_deref(),
        &form.other,
    )
    .await?;
    let kind = domain::case::RelationKind::parse(&form.kind);
    let added = match (other, kind) {
        (Some(other), Some(kind)) => {
            let (carer, recipient) = if form.direction == "cared-for-by" {
                (other, id)
            } else {
                (id, other)
            };
            store::persons::add_relation(
                &state.db,
                kommun.as_str(),
                carer,
                recipient,
                kind,
                form.lives_together == "yes",
                state.clock.now(),
                &ctx.origin,
            )
            .await?
        }
        _ => false,
    };
    if added {
        return Ok(Redirect::to(&format!("/personal/personer/{id}")).into_response());
    }
    Ok(message(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "relation-error-title",
        "relation-error",
        Some(&ctx.staff),
    ))
}

#[derive(Template)]
#[template(path = "staff/person_new.html")]
struct NewPersonPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    v: RawPerson,
    protections: Vec<(&'static str, String)>,
    errors: FormErrors,
}

fn new_person_page<'a>(
    state: &'a AppState,
    ctx: &StaffCtx,
    v: RawPerson,
    errors: FieldErrors,
) -> NewPersonPage<'a> {
    let t = ctx.texts(state);
    let title = if errors.is_empty() {
        t.get("person-new-title")
    } else {
        t.get1(
            "form-title-with-errors",
            "title",
            &t.get("person-new-title"),
        )
    };
    NewPersonPage {
        l: StaffLayout::signed_in(t, title, &ctx.staff, "persons"),
        csrf: ctx.csrf().to_owned(),
        protections: domain::case::Protection::ALL
            .iter()
            .map(|p| (p.as_str(), t.get(&format!("protection-{}", p.as_str()))))
            .collect(),
        v,
        errors: FormErrors::plain(t, &errors, &[]),
    }
}

pub async fn new_person_form(
    State(state): State<AppState>,
    ctx: StaffCtx,
) -> Result<Response, PageError> {
    permitted(&ctx, Action::OpenCase)?;
    render(
        StatusCode::OK,
        &new_person_page(&state, &ctx, RawPerson::default(), FieldErrors::new()),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonForm {
    id_number: String,
    given_name: String,
    family_name: String,
    phone: String,
    email: String,
    address_line: String,
    postal_code: String,
    city: String,
    protection: String,
    children_in_household: String,
}

impl From<PersonForm> for RawPerson {
    fn from(f: PersonForm) -> Self {
        RawPerson {
            id_number: f.id_number,
            given_name: f.given_name,
            family_name: f.family_name,
            phone: f.phone,
            email: f.email,
            address_line: f.address_line,
            postal_code: f.postal_code,
            city: f.city,
            protection: f.protection,
            children_in_household: f.children_in_household == "yes",
        }
    }
}

pub async fn create_person(
    State(state): State<AppState>,
    ctx: StaffCtx,
    StaffForm(form): StaffForm<PersonForm>,
) -> Result<Response, PageError> {
    let kommun = permitted(&ctx, Action::OpenCase)?;
    let raw = RawPerson::from(form);
    let new = match domain::case::validate_person(&raw, state.clock.today()) {
        Ok(n) => n,
        Err(e) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_person_page(&state, &ctx, raw, e),
            );
        }
    };
    match store::persons::create(
        &state.db,
        kommun.as_str(),
        &new,
        Some(ctx.staff.user.id),
        false,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        Some(id) => Ok(Redirect::to(&format!("/personal/personer/{id}")).into_response()),
        None => {
            let errors = FieldErrors::one("id_number", "error-person-exists");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_person_page(&state, &ctx, raw, errors),
            )
        }
    }
}
