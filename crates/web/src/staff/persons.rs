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
    /// Records that may be the same person: (id, name, birth date or reference).
    duplicates: Vec<(i64, String, String)>,
    /// Just merged: the page says so.
    merged_now: bool,
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
    RawQuery(q): RawQuery,
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
    let duplicates =
        store::persons::possible_duplicates(&state.db, &grant, state.clock.now(), &ctx.origin)
            .await?
            .into_iter()
            .map(|d| {
                let born = d
                    .id_number
                    .as_deref()
                    .map(|n| n.chars().take(8).collect::<String>())
                    .unwrap_or(d.internal_ref);
                (d.id, format!("{} {}", d.given_name, d.family_name), born)
            })
            .collect();
    let page = PersonPage {
        csrf: ctx.csrf().to_owned(),
        relations,
        cases,
        duplicates,
        merged_now: query_value(&q, "sammanfogad") == "1",
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
    /// The person already registered under the number typed.
    existing: Option<i64>,
}

/// The form's fields in its order, with the words the summary names each by.
const PERSON_FIELDS: [(&str, &str); 9] = [
    ("given_name", "person-given-name"),
    ("family_name", "person-family-name"),
    ("id_number", "person-number"),
    ("birth_date", "person-birth-date"),
    ("phone", "field-phone"),
    ("email", "field-email"),
    ("protection", "person-protection"),
    ("address_line", "person-address"),
    ("postal_code", "person-postal-code"),
];

fn new_person_page<'a>(
    state: &'a AppState,
    ctx: &StaffCtx,
    v: RawPerson,
    errors: FieldErrors,
    existing: Option<i64>,
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
        errors: FormErrors::new(t, &errors, &PERSON_FIELDS.map(|(f, _)| f), |f| {
            PERSON_FIELDS
                .iter()
                .find(|(name, _)| *name == f)
                .map_or_else(|| t.get("person-city"), |(_, id)| t.get(id))
        }),
        existing,
    }
}

pub async fn new_person_form(
    State(state): State<AppState>,
    ctx: StaffCtx,
) -> Result<Response, PageError> {
    permitted(&ctx, Action::OpenCase)?;
    render(
        StatusCode::OK,
        &new_person_page(&state, &ctx, RawPerson::default(), FieldErrors::new(), None),
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
    birth_date: String,
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
            birth_date: f.birth_date,
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
                &new_person_page(&state, &ctx, raw, e, None),
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
        // Registered already: the form says so and links to that record.
        None => {
            let existing = match new.id_number.as_ref() {
                Some(n) => store::persons::id_by_number(&state.db, kommun.as_str(), n).await?,
                None => None,
            };
            let errors = FieldErrors::one("id_number", "error-person-exists");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_person_page(&state, &ctx, raw, errors, existing),
            )
        }
    }
}

// ---- Merging a duplicate ----

#[derive(Template)]
#[template(path = "staff/person_merge.html")]
struct MergePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    /// (id, name, number or reference, birth date, cases) of the record that stays, then of
    /// the one merged into it.
    kept: (i64, String, String, String, usize),
    folded: (i64, String, String, String, usize),
    /// The person whose page the officer came from.
    from: i64,
    refusal: Option<String>,
}

/// The confirmation before a merge, on a page of its own: both records side by side, which
/// one stays and what moves; nothing changes until the officer confirms.
pub async fn merge_form(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Person>,
    other: Id<ids::OtherPerson>,
) -> Result<Response, PageError> {
    permitted(&ctx, Action::OpenCase)?;
    let (id, other) = (id.get(), other.get());
    let a = person_access(&state, &ctx, id).await?;
    let b = person_access(&state, &ctx, other).await?;
    let now = state.clock.now();
    let mut shown = Vec::new();
    for g in [&a, &b] {
        let p = store::persons::get(&state.db, g, now, &ctx.origin)
            .await?
            .ok_or(PageError::NotFound)?;
        let cases = store::cases::of_person(&state.db, g, now, &ctx.origin)
            .await?
            .len();
        shown.push((p, cases));
    }
    let [(pa, ca), (pb, cb)] = <[_; 2]>::try_from(shown).map_err(|_| PageError::NotFound)?;
    let (ia, ib) = (
        domain::duplicates::Identity::from(&pa),
        domain::duplicates::Identity::from(&pb),
    );
    let t = ctx.texts(&state);
    let plan = domain::duplicates::merge_plan(&ia, &ib).map(|(k, _)| k.id);
    let refusal = plan.err().map(|r| t.get(r.message_id()));
    let kept_first = plan.map_or(true, |k| k == pa.summary.id);
    let describe = |p: &store::persons::PersonRecord, cases: usize| {
        (
            p.summary.id,
            format!("{} {}", p.summary.given_name, p.summary.family_name),
            p.summary
                .id_number
                .clone()
                .unwrap_or_else(|| p.summary.internal_ref.clone()),
            p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            cases,
        )
    };
    let (kept, folded) = if kept_first {
        (describe(&pa, ca), describe(&pb, cb))
    } else {
        (describe(&pb, cb), describe(&pa, ca))
    };
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &MergePage {
            l: StaffLayout::signed_in(t, t.get("merge-title"), &ctx.staff, "persons"),
            csrf: ctx.csrf().to_owned(),
            kept,
            folded,
            from: id,
            refusal,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    other: String,
}

/// The merge itself, once confirmed: to the record that stays.
pub async fn merge(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Person>,
    StaffForm(form): StaffForm<MergeForm>,
) -> Result<Response, PageError> {
    permitted(&ctx, Action::OpenCase)?;
    let id = id.get();
    let Ok(other) = form.other.trim().parse::<i64>() else {
        return Err(PageError::NotFound);
    };
    let a = person_access(&state, &ctx, id).await?;
    let b = person_access(&state, &ctx, other).await?;
    match store::persons::merge(
        &state.db,
        &a,
        &b,
        ctx.staff.user.id,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        Ok(kept) => {
            Ok(Redirect::to(&format!("/personal/personer/{kept}?sammanfogad=1")).into_response())
        }
        // The confirmation page says why.
        Err(_) => Ok(
            Redirect::to(&format!("/personal/personer/{id}/sammanfoga/{other}")).into_response(),
        ),
    }
}
