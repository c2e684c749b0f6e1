//! The open support in the staff workspace (`/personal/aktiviteter`): carer support officers
//! and their managers create, edit and cancel activities and occasions, see who signed up,
//! record attendance and write to all participants. Every page checks the session and
//! `Action::ManageActivities`; the store logs each read of the participant list.

use super::auth::Staff;
use super::pages::{
    errors_for, field, or_error, posted_for, render, staff_for, staff_origin, StaffLayout,
};
use crate::activities::{refusal_errors, view, ActivityView};
use crate::error::PageError;
use crate::i18n::I18n;
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::activity::{
    validate_activity, validate_message, validate_occasion, ActivityKind, RawActivity, RawOccasion,
    Theme,
};
use domain::case::Errors;
use domain::policy::Action;
use std::net::SocketAddr;
use store::activities::{Activity, CancelledBy, SignupKey};

type Rid = Option<Extension<RequestId>>;

/// A form field's label, so each link in the error summary says which field it is about.
fn label(t: &I18n, field: &str) -> String {
    let id = match field {
        "kind" => "staff-activity-field-kind",
        "theme" => "activities-filter-theme",
        "title" => "staff-activity-field-title",
        "description" => "staff-activity-field-description",
        "audience" => "activity-audience",
        "place_name" => "staff-activity-field-place",
        "place_address" => "staff-activity-field-address",
        "meeting_link" => "staff-activity-field-link",
        "capacity" => "staff-activity-field-capacity",
        "cost" => "staff-activity-field-cost",
        "signup_deadline" => "activity-deadline",
        "reminder_days" => "staff-activity-field-reminder",
        "date" => "staff-occasion-date",
        "start" => "staff-occasion-start",
        "end" => "staff-occasion-end",
        "reason" => "staff-occasion-reason",
        "cancel_reason" => "staff-activity-cancel-reason",
        "subject" => "staff-message-subject",
        "text" => "staff-message-text",
        _ => "signup-field-activity",
    };
    t.get(id)
}

/// Field errors as (field, message), in the form's order.
fn messages(t: &I18n, e: &Errors, order: &[&str]) -> Vec<(String, String)> {
    let known = order.iter().filter_map(|f| e.get_key_value(f));
    let others = e.iter().filter(|(f, _)| !order.contains(f));
    known
        .chain(others)
        .flat_map(|(f, ids)| ids.iter().map(move |id| ((*f).to_owned(), t.get(id))))
        .collect()
}

/// The error summary's links: (field, "Label: message").
pub(super) fn summary(t: &I18n, errors: &[(String, String)]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|(f, m)| {
            let l = label(t, f);
            (
                f.clone(),
                format!("{}: {m}", l.trim_end_matches(['?', '.', ':'])),
            )
        })
        .collect()
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub next: String,
    pub confirmed: i64,
    pub capacity: i64,
    pub waitlisted: i64,
    pub cancelled: bool,
}

#[derive(Template)]
#[template(path = "staff/activities.html")]
struct ListPage<'a> {
    l: StaffLayout<'a>,
    rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let t = state.texts(&staff.user.language);
        let now = domain::clock::stockholm_local(state.clock.now());
        let rows = store::activities::list(&state.db, kommun.as_str())
            .await?
            .iter()
            .map(|(a, o)| {
                let v = view(t, a, o, now);
                Row {
                    id: a.id,
                    title: a.title.clone(),
                    kind: v.kind,
                    next: v.next,
                    confirmed: a.confirmed,
                    capacity: a.capacity,
                    waitlisted: a.waitlisted,
                    cancelled: a.cancelled(),
                }
            })
            .collect();
        let p = ListPage {
            l: StaffLayout::signed_in(t, t.get("activities-title"), &staff, "activities"),
            rows,
        };
        render(StatusCode::OK, &p)
    }
    .await;
    or_error(&state, r)
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "staff/activity_form.html")]
struct FormPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    /// Where the form posts: the list (new) or the activity (edit).
    action: String,
    kinds: Vec<Choice>,
    themes: Vec<Choice>,
    officers: Vec<Choice>,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    summary: Vec<(String, String)>,
}

impl FormPage<'_> {
    fn val(&self, name: &str) -> String {
        field(&self.values, name).to_owned()
    }
    fn is(&self, name: &str, value: &str) -> bool {
        field(&self.values, name) == value
    }
    fn err(&self, name: &str) -> String {
        errors_for(&self.errors, name)
    }
}

async fn officers(state: &AppState, kommun: &str) -> Result<Vec<Choice>, PageError> {
    Ok(store::staff::list(&state.db, Some(kommun))
        .await?
        .into_iter()
        .filter(|u| {
            !u.disabled && matches!(u.role.as_str(), "carer-support-officer" | "unit-manager")
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.display_name,
        })
        .collect())
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    kommun: &str,
    action: String,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let heading = t.get(if action.ends_with("/aktiviteter") {
        "staff-activity-new"
    } else {
        "staff-activity-edit"
    });
    let title = if errors.is_empty() {
        heading
    } else {
        t.get1("form-title-with-errors", "title", &heading)
    };
    let choice = |v: &'static str, prefix: &str| Choice {
        value: v.to_owned(),
        label: t.get(&format!("{prefix}{v}")),
    };
    let p = FormPage {
        l: StaffLayout::signed_in(t, title, staff, "activities"),
        csrf: staff.session.csrf_token.clone(),
        action,
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| choice(k.as_str(), "activity-kind-"))
            .collect(),
        themes: Theme::ALL
            .iter()
            .map(|k| choice(k.as_str(), "activity-theme-"))
            .collect(),
        officers: officers(state, kommun).await?,
        values,
        summary: summary(t, &errors),
        errors,
    };
    render(status, &p)
}

pub async fn new_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let values = vec![
            ("responsible".to_owned(), staff.user.id.to_string()),
            ("reminder_days".to_owned(), "2".to_owned()),
            ("theme".to_owned(), "general".to_owned()),
        ];
        form_page(
            &state,
            &staff,
            kommun.as_str(),
            "/personal/aktiviteter".into(),
            values,
            Vec::new(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

fn raw_activity(f: &[(String, String)]) -> RawActivity {
    let yes = |k: &str| field(f, k) == "yes";
    RawActivity {
        kind: field(f, "kind").to_owned(),
        theme: field(f, "theme").to_owned(),
        title: field(f, "title").to_owned(),
        description: field(f, "description").to_owned(),
        audience: field(f, "audience").to_owned(),
        for_young_carers: yes("for_young_carers"),
        place_name: field(f, "place_name").to_owned(),
        place_address: field(f, "place_address").to_owned(),
        step_free: yes("step_free"),
        hearing_loop: yes("hearing_loop"),
        meeting_link: field(f, "meeting_link").to_owned(),
        capacity: field(f, "capacity").to_owned(),
        cost: field(f, "cost").to_owned(),
        signup_deadline: field(f, "signup_deadline").to_owned(),
        reminder_days: field(f, "reminder_days").to_owned(),
    }
}

/// The responsible officer named in the form, if they are staff of the municipality.
async fn responsible(
    state: &AppState,
    kommun: &str,
    f: &[(String, String)],
) -> Result<Option<i64>, PageError> {
    let Ok(id) = field(f, "responsible").parse::<i64>() else {
        return Ok(None);
    };
    Ok(officers(state, kommun)
        .await?
        .iter()
        .any(|o| o.value == id.to_string())
        .then_some(id))
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, kommun, f) =
            match posted_for(&state, &headers, &body, Action::ManageActivities).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let t = state.texts(&staff.user.language);
        match validate_activity(&raw_activity(&f), 0) {
            Err(e) => {
                let errors = messages(t, &e.0, domain::activity::ACTIVITY_FIELDS);
                form_page(
                    &state,
                    &staff,
                    kommun.as_str(),
                    "/personal/aktiviteter".into(),
                    f,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Ok(input) => {
                let who = responsible(&state, kommun.as_str(), &f).await?;
                let id = store::activities::create(
                    &state.db,
                    kommun.as_str(),
                    &input,
                    who,
                    state.clock.now(),
                    &staff_origin(&staff, &rid, addr),
                    Some(staff.user.id),
                    false,
                )
                .await?;
                state.activities.forget(kommun.as_str());
                Ok(Redirect::to(&format!("/personal/aktiviteter/{id}#tillfallen")).into_response())
            }
        }
    }
    .await;
    or_error(&state, r)
}

pub struct ParticipantView {
    pub id: i64,
    pub name: String,
    pub reach: String,
    pub status: String,
    pub live: bool,
    pub confirmed: bool,
    pub needs: String,
    /// Per occasion of the page, whether they came (None: not recorded).
    attended: Vec<Option<bool>>,
}

pub struct OccasionRow {
    pub id: i64,
    pub text: String,
    pub cancelled: bool,
    pub started: bool,
    pub recorded: usize,
    /// The confirmed participants: (sign-up id, name, came).
    pub roll: Vec<(i64, String, bool)>,
}

#[derive(Template)]
#[template(path = "staff/activity.html")]
struct ActivityPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    kommunkod: String,
    a: ActivityView,
    cancelled: bool,
    occasions: Vec<OccasionRow>,
    participants: Vec<ParticipantView>,
    errors: Vec<(String, String)>,
    summary: Vec<(String, String)>,
    values: Vec<(String, String)>,
    notice: String,
    seats: String,
    waiting: String,
    /// An occasion has begun, so there is attendance to record.
    any_started: bool,
}

impl ActivityPage<'_> {
    fn val(&self, name: &str) -> String {
        field(&self.values, name).to_owned()
    }
    fn err(&self, name: &str) -> String {
        errors_for(&self.errors, name)
    }
}

#[allow(clippy::too_many_arguments)]
async fn activity_page(
    state: &AppState,
    staff: &Staff,
    kommun: &str,
    id: i64,
    errors: Vec<(String, String)>,
    values: Vec<(String, String)>,
    notice: String,
    origin: &store::audit::Origin,
    status: StatusCode,
) -> Result<Response, PageError> {
    let Some((a, occasions)) = store::activities::get(&state.db, Some(kommun), id).await? else {
        return Err(PageError::NotFound);
    };
    let t = state.texts(&staff.user.language);
    let now = domain::clock::stockholm_local(state.clock.now());
    let people =
        store::activities::participants(&state.db, kommun, id, state.clock.now(), origin).await?;
    let participants = people
        .iter()
        .map(|p| {
            let s = &p.signup;
            ParticipantView {
                id: s.id,
                name: s.name.clone(),
                reach: [s.email.as_deref(), s.phone.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                status: t.get(&format!("staff-signup-status-{}", s.status)),
                live: s.status != "cancelled",
                confirmed: s.status == "confirmed",
                needs: s
                    .needs
                    .iter()
                    .map(|n| t.get(&format!("need-{n}")))
                    .chain(s.interpreter_language.iter().cloned())
                    .chain(s.needs_note.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("; "),
                attended: occasions
                    .iter()
                    .map(|o| {
                        p.attendance
                            .iter()
                            .find(|(oid, _)| *oid == o.id)
                            .map(|(_, a)| *a)
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    let rows = occasions
        .iter()
        .enumerate()
        .map(|(i, o)| OccasionRow {
            id: o.id,
            text: crate::activities::occasion_text(t, o),
            cancelled: o.cancelled,
            started: o.starts_at <= now,
            recorded: participants
                .iter()
                .filter(|p| p.attended.get(i).copied().flatten() == Some(true))
                .count(),
            roll: participants
                .iter()
                .filter(|p| p.confirmed)
                .map(|p| {
                    (
                        p.id,
                        p.name.clone(),
                        p.attended.get(i).copied().flatten() == Some(true),
                    )
                })
                .collect(),
        })
        .collect();
    let v = view(t, &a, &occasions, now);
    let title = if errors.is_empty() {
        v.title.clone()
    } else {
        t.get1("form-title-with-errors", "title", &v.title)
    };
    let p = ActivityPage {
        l: StaffLayout::signed_in(t, title, staff, "activities"),
        csrf: staff.session.csrf_token.clone(),
        kommunkod: kommun.to_owned(),
        cancelled: a.cancelled(),
        any_started: occasions.iter().any(|o| !o.cancelled && o.starts_at <= now),
        waiting: t.get_n("staff-activity-waiting", "count", a.waitlisted),
        seats: t.get2(
            "staff-activity-seats",
            ("confirmed", &a.confirmed.to_string()),
            ("capacity", &a.capacity.to_string()),
        ),
        a: v,
        occasions: rows,
        participants,
        summary: summary(t, &errors),
        errors,
        values,
        notice,
    };
    render(status, &p)
}

/// The notices a finished form shows, by the code in `?klart=`.
const NOTICES: &[&str] = &[
    "saved",
    "occasion-added",
    "occasion-cancelled",
    "cancelled",
    "attendance-saved",
    "message-sent",
    "signup-cancelled",
];

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
        let origin = staff_origin(&staff, &rid, addr);
        let t = state.texts(&staff.user.language);
        let notice = crate::portal::query_pairs(&q)
            .into_iter()
            .find(|(k, v)| k == "klart" && NOTICES.contains(&v.as_str()))
            .map(|(_, v)| t.get(&format!("staff-notice-{v}")))
            .unwrap_or_default();
        activity_page(
            &state,
            &staff,
            kommun.as_str(),
            id,
            Vec::new(),
            Vec::new(),
            notice,
            &origin,
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

pub async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
        let Some((a, _)) = store::activities::get(&state.db, Some(kommun.as_str()), id).await?
        else {
            return Err(PageError::NotFound);
        };
        form_page(
            &state,
            &staff,
            kommun.as_str(),
            format!("/personal/aktiviteter/{id}/spara"),
            values_of(&a),
            Vec::new(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

/// The activity as the form shows it.
fn values_of(a: &Activity) -> Vec<(String, String)> {
    let yes = |b: bool| if b { "yes" } else { "" }.to_owned();
    [
        ("kind", a.kind.clone()),
        ("theme", a.theme.clone()),
        ("title", a.title.clone()),
        ("description", a.description.clone()),
        ("audience", a.audience.clone()),
        ("for_young_carers", yes(a.for_young_carers)),
        ("place_name", a.place_name.clone()),
        ("place_address", a.place_address.clone().unwrap_or_default()),
        ("step_free", yes(a.step_free)),
        ("hearing_loop", yes(a.hearing_loop)),
        ("meeting_link", a.meeting_link.clone().unwrap_or_default()),
        ("capacity", a.capacity.to_string()),
        ("cost", a.cost.clone()),
        (
            "signup_deadline",
            a.signup_deadline.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("reminder_days", a.reminder_days.to_string()),
        (
            "responsible",
            a.responsible_id.map(|r| r.to_string()).unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The forms on an activity's page, by the last part of their address.
pub async fn post(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, kommun, f) =
            match posted_for(&state, &headers, &body, Action::ManageActivities).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let kommun = kommun.as_str();
        let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
        let t = state.texts(&staff.user.language);
        let origin = staff_origin(&staff, &rid, addr);
        let now = state.clock.now();
        let compose = crate::mails::Mails::new(&state);
        let db = &state.db;
        // Each form: its validation errors, or the store's answer, then the notice to show.
        let outcome: Result<&str, Errors> = match action.as_str() {
            // The edit form (GET .../andra) posts here: .../andra itself is a GET-only route.
            "spara" => {
                let Some((current, _)) = store::activities::get(db, Some(kommun), id).await? else {
                    return Err(PageError::NotFound);
                };
                match validate_activity(&raw_activity(&f), current.confirmed) {
                    Err(e) => {
                        let errors = messages(t, &e.0, domain::activity::ACTIVITY_FIELDS);
                        return form_page(
                            &state,
                            &staff,
                            kommun,
                            format!("/personal/aktiviteter/{id}/spara"),
                            f,
                            errors,
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await;
                    }
                    Ok(input) => {
                        let who = responsible(&state, kommun, &f).await?;
                        match store::activities::update(
                            db, kommun, id, &input, who, &compose, now, &origin,
                        )
                        .await?
                        {
                            Ok(()) => Ok("saved"),
                            Err(r) => {
                                let errors = messages(
                                    t,
                                    &refusal_errors(r, true),
                                    domain::activity::ACTIVITY_FIELDS,
                                );
                                return form_page(
                                    &state,
                                    &staff,
                                    kommun,
                                    format!("/personal/aktiviteter/{id}/spara"),
                                    f,
                                    errors,
                                    StatusCode::UNPROCESSABLE_ENTITY,
                                )
                                .await;
                            }
                        }
                    }
                }
            }
            "tillfalle" => {
                let raw = RawOccasion {
                    date: field(&f, "date").to_owned(),
                    start: field(&f, "start").to_owned(),
                    end: field(&f, "end").to_owned(),
                };
                match validate_occasion(&raw, domain::clock::stockholm_local(now)) {
                    Err(e) => Err(e.0),
                    Ok((s, e)) => store::activities::add_occasion(
                        db, kommun, id, s, e, &compose, now, &origin,
                    )
                    .await?
                    .map(|_| "occasion-added")
                    .map_err(|r| refusal_errors(r, true)),
                }
            }
            "installt-tillfalle" => {
                let occasion = field(&f, "occasion").parse::<i64>().unwrap_or(0);
                match domain::case::validate_reason("reason", field(&f, "reason")) {
                    Err(e) => Err(e),
                    Ok(reason) => store::activities::cancel_occasion(
                        db, kommun, id, occasion, &reason, &compose, now, &origin,
                    )
                    .await?
                    .map(|()| "occasion-cancelled")
                    .map_err(|r| refusal_errors(r, true)),
                }
            }
            "installd" => {
                match domain::case::validate_reason("cancel_reason", field(&f, "cancel_reason")) {
                    Err(e) => Err(e),
                    Ok(reason) => store::activities::cancel_activity(
                        db, kommun, id, &reason, &compose, now, &origin,
                    )
                    .await?
                    .map(|()| "cancelled")
                    .map_err(|r| refusal_errors(r, true)),
                }
            }
            "narvaro" => {
                let occasion = field(&f, "occasion").parse::<i64>().unwrap_or(0);
                let present: Vec<i64> = f
                    .iter()
                    .filter(|(k, _)| k == "present")
                    .filter_map(|(_, v)| v.parse().ok())
                    .collect();
                store::activities::record_attendance(
                    db,
                    kommun,
                    id,
                    occasion,
                    &present,
                    staff.user.id,
                    now,
                    &origin,
                )
                .await?
                .map(|()| "attendance-saved")
                .map_err(|r| refusal_errors(r, true))
            }
            "meddelande" => match validate_message(field(&f, "subject"), field(&f, "text")) {
                Err(e) => Err(e.0),
                Ok((subject, text)) => store::activities::message_participants(
                    db, kommun, id, &subject, &text, &compose, now, &origin,
                )
                .await?
                .map(|_| "message-sent")
                .map_err(|r| refusal_errors(r, true)),
            },
            "avboka" => {
                let signup = field(&f, "signup").parse::<i64>().unwrap_or(0);
                store::activities::cancel_signup(
                    db,
                    SignupKey::Id {
                        kommunkod: kommun,
                        activity_id: id,
                        id: signup,
                    },
                    CancelledBy::Staff,
                    &compose,
                    now,
                    &origin,
                )
                .await?
                .map(|_| "signup-cancelled")
                .map_err(|r| refusal_errors(r, true))
            }
            _ => return Err(PageError::NotFound),
        };
        match outcome {
            // Post, redirect, get: a reload does not send the form again.
            Ok(notice) => {
                state.activities.forget(kommun);
                Ok(
                    Redirect::to(&format!("/personal/aktiviteter/{id}?klart={notice}"))
                        .into_response(),
                )
            }
            Err(e) => {
                let order = [
                    "date",
                    "start",
                    "end",
                    "occasion",
                    "reason",
                    "subject",
                    "text",
                    "cancel_reason",
                ];
                let errors = messages(t, &e, &order);
                activity_page(
                    &state,
                    &staff,
                    kommun,
                    id,
                    errors,
                    f,
                    String::new(),
                    &origin,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    or_error(&state, r)
}
