//! The open support in the staff workspace (`/personal/aktiviteter`): carer support officers
//! and their managers create, edit and cancel activities and occasions, see who signed up,
//! record attendance and write to all participants. Every page checks the session and
//! `Action::ManageActivities`; the store logs each read of the participant list.

use super::pages::{render, StaffLayout};
use crate::activities::{refusal_errors, view, ActivityView};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::ids;
use crate::http::{Allowed, Id, StaffCtx, StaffForm};
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::activity::{
    validate_activity, validate_message, validate_occasion, ActivityKind, RawActivity, RawOccasion,
    Theme,
};
use domain::staff::Role;
use domain::FieldErrors;
use serde::de::{value::MapDeserializer, DeserializeOwned};
use serde::Deserialize;
use store::activities::{Activity, CancelledBy, SignupKey};

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

/// Field errors in the form's order; the summary names each field before its message.
fn shown(t: &I18n, e: &FieldErrors, order: &[&str]) -> FormErrors {
    FormErrors::new(t, e, order, |f| {
        label(t, f).trim_end_matches(['?', '.', ':']).to_owned()
    })
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

pub async fn list(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
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
        l: StaffLayout::signed_in(t, t.get("activities-title"), &ctx.staff, "activities"),
        rows,
    };
    render(StatusCode::OK, &p)
}

/// The activity form (new and edit), as posted or as the activity is now.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityForm {
    kind: String,
    theme: String,
    title: String,
    description: String,
    audience: String,
    for_young_carers: String,
    place_name: String,
    place_address: String,
    step_free: String,
    hearing_loop: String,
    meeting_link: String,
    capacity: String,
    cost: String,
    signup_deadline: String,
    reminder_days: String,
    responsible: String,
}

impl ActivityForm {
    /// The activity as the form shows it.
    fn of(a: &Activity) -> Self {
        let yes = |b: bool| if b { "yes" } else { "" }.to_owned();
        Self {
            kind: a.kind.clone(),
            theme: a.theme.clone(),
            title: a.title.clone(),
            description: a.description.clone(),
            audience: a.audience.clone(),
            for_young_carers: yes(a.for_young_carers),
            place_name: a.place_name.clone(),
            place_address: a.place_address.clone().unwrap_or_default(),
            step_free: yes(a.step_free),
            hearing_loop: yes(a.hearing_loop),
            meeting_link: a.meeting_link.clone().unwrap_or_default(),
            capacity: a.capacity.to_string(),
            cost: a.cost.clone(),
            signup_deadline: a.signup_deadline.map(|d| d.to_string()).unwrap_or_default(),
            reminder_days: a.reminder_days.to_string(),
            responsible: a.responsible_id.map(|r| r.to_string()).unwrap_or_default(),
        }
    }

    fn raw(&self) -> RawActivity {
        RawActivity {
            kind: self.kind.clone(),
            theme: self.theme.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            audience: self.audience.clone(),
            for_young_carers: self.for_young_carers == "yes",
            place_name: self.place_name.clone(),
            place_address: self.place_address.clone(),
            step_free: self.step_free == "yes",
            hearing_loop: self.hearing_loop == "yes",
            meeting_link: self.meeting_link.clone(),
            capacity: self.capacity.clone(),
            cost: self.cost.clone(),
            signup_deadline: self.signup_deadline.clone(),
            reminder_days: self.reminder_days.clone(),
        }
    }

    /// A field by its name in the form (the template's field macros name them).
    fn get(&self, name: &str) -> &str {
        match name {
            "kind" => &self.kind,
            "theme" => &self.theme,
            "title" => &self.title,
            "description" => &self.description,
            "audience" => &self.audience,
            "for_young_carers" => &self.for_young_carers,
            "place_name" => &self.place_name,
            "place_address" => &self.place_address,
            "step_free" => &self.step_free,
            "hearing_loop" => &self.hearing_loop,
            "meeting_link" => &self.meeting_link,
            "capacity" => &self.capacity,
            "cost" => &self.cost,
            "signup_deadline" => &self.signup_deadline,
            "reminder_days" => &self.reminder_days,
            "responsible" => &self.responsible,
            _ => "",
        }
    }
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
    form: ActivityForm,
    errors: FormErrors,
}

impl FormPage<'_> {
    fn val(&self, name: &str) -> String {
        self.form.get(name).to_owned()
    }
    fn is(&self, name: &str, value: &str) -> bool {
        self.form.get(name) == value
    }
    fn err(&self, name: &str) -> String {
        self.errors.message(name)
    }
}

async fn officers(state: &AppState, kommun: &str) -> Result<Vec<Choice>, PageError> {
    Ok(store::staff::list(&state.db, Some(kommun))
        .await?
        .into_iter()
        .filter(|u| !u.disabled && matches!(u.role, Role::CarerSupportOfficer | Role::UnitManager))
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.display_name,
        })
        .collect())
}

async fn form_page(
    state: &AppState,
    ctx: &StaffCtx,
    action: String,
    form: ActivityForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
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
        l: StaffLayout::signed_in(t, title, &ctx.staff, "activities"),
        csrf: ctx.csrf().to_owned(),
        action,
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| choice(k.as_str(), "activity-kind-"))
            .collect(),
        themes: Theme::ALL
            .iter()
            .map(|k| choice(k.as_str(), "activity-theme-"))
            .collect(),
        officers: officers(state, ctx.kommun()?.as_str()).await?,
        form,
        errors,
    };
    render(status, &p)
}

pub async fn new_form(
    State(state): State<AppState>,
    Allowed { ctx, .. }: Allowed<act::ManageActivities>,
) -> Result<Response, PageError> {
    let form = ActivityForm {
        responsible: ctx.staff.user.id.to_string(),
        reminder_days: "2".into(),
        theme: "general".into(),
        ..ActivityForm::default()
    };
    let action = "/personal/aktiviteter".into();
    form_page(
        &state,
        &ctx,
        action,
        form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// The responsible officer named in the form, if they are staff of the municipality.
async fn responsible(
    state: &AppState,
    kommun: &str,
    form: &ActivityForm,
) -> Result<Option<i64>, PageError> {
    let Ok(id) = form.responsible.parse::<i64>() else {
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
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    StaffForm(form): StaffForm<ActivityForm>,
) -> Result<Response, PageError> {
    let input = match validate_activity(&form.raw(), 0) {
        Ok(input) => input,
        Err(e) => {
            let errors = shown(ctx.texts(&state), &e, domain::activity::ACTIVITY_FIELDS);
            let action = "/personal/aktiviteter".into();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(&state, &ctx, action, form, errors, status).await;
        }
    };
    let who = responsible(&state, kommun.as_str(), &form).await?;
    let id = store::activities::create(
        &state.db,
        kommun.as_str(),
        &input,
        who,
        state.clock.now(),
        &ctx.origin,
        Some(ctx.staff.user.id),
        false,
    )
    .await?;
    crate::changes::activities_changed(&state, kommun.as_str()).await;
    Ok(Redirect::to(&format!("/personal/aktiviteter/{id}#tillfallen")).into_response())
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
    errors: FormErrors,
    form: PageForm,
    notice: String,
    seats: String,
    waiting: String,
    /// An occasion has begun, so there is attendance to record.
    any_started: bool,
}

impl ActivityPage<'_> {
    fn err(&self, name: &str) -> String {
        self.errors.message(name)
    }
}

/// The forms on an activity's page (new occasion, cancelling one or the activity, attendance,
/// a message, cancelling a sign-up), as posted. The attendance checkboxes repeat their key, so
/// they are read from the posted pairs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageForm {
    date: String,
    start: String,
    end: String,
    occasion: String,
    reason: String,
    cancel_reason: String,
    subject: String,
    text: String,
    signup: String,
}

/// The posted pairs read into a typed form (keys the form does not name are left alone, so
/// they may repeat).
fn typed<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, PageError> {
    let fields = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    T::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(fields))
        .map_err(|e| PageError::internal(format!("form: {e}")))
}

async fn activity_page(
    state: &AppState,
    ctx: &StaffCtx,
    id: i64,
    errors: FormErrors,
    form: PageForm,
    notice: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let kommun = ctx.kommun()?;
    let kommun = kommun.as_str();
    let Some((a, occasions)) = store::activities::get(&state.db, Some(kommun), id).await? else {
        return Err(PageError::NotFound);
    };
    let t = ctx.texts(state);
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
        errors,
        form,
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
    Allowed { ctx, .. }: Allowed<act::ManageActivities>,
    id: Id<ids::Activity>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let notice = crate::portal::query_pairs(&q)
        .into_iter()
        .find(|(k, v)| k == "klart" && NOTICES.contains(&v.as_str()))
        .map(|(_, v)| t.get(&format!("staff-notice-{v}")))
        .unwrap_or_default();
    let form = PageForm::default();
    activity_page(
        &state,
        &ctx,
        id.get(),
        FormErrors::none(),
        form,
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    id: Id<ids::Activity>,
) -> Result<Response, PageError> {
    let id = id.get();
    let (a, _) = store::activities::get(&state.db, Some(kommun.as_str()), id)
        .await?
        .ok_or(PageError::NotFound)?;
    let action = format!("/personal/aktiviteter/{id}/spara");
    form_page(
        &state,
        &ctx,
        action,
        ActivityForm::of(&a),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// The last part of a form's address on an activity's page.
#[derive(Deserialize)]
pub struct FormAction {
    action: String,
}

/// The forms on an activity's page, by the last part of their address.
pub async fn post(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    id: Id<ids::Activity>,
    Path(FormAction { action }): Path<FormAction>,
    StaffForm(pairs): StaffForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (kommun, id) = (kommun.as_str(), id.get());
    let (t, origin) = (ctx.texts(&state), &ctx.origin);
    let now = state.clock.now();
    let compose = crate::mails::Mails::new(&state);
    let db = &state.db;
    // The edit form (GET .../andra) posts here: .../andra itself is a GET-only route.
    if action == "spara" {
        let form: ActivityForm = typed(&pairs)?;
        let (current, _) = store::activities::get(db, Some(kommun), id)
            .await?
            .ok_or(PageError::NotFound)?;
        let refused = match validate_activity(&form.raw(), current.confirmed) {
            Err(e) => e,
            Ok(input) => {
                let who = responsible(&state, kommun, &form).await?;
                match store::activities::update(db, kommun, id, &input, who, &compose, now, origin)
                    .await?
                {
                    Ok(()) => return Ok(done(&state, kommun, id, "saved").await),
                    Err(r) => refusal_errors(r, true),
                }
            }
        };
        let errors = shown(t, &refused, domain::activity::ACTIVITY_FIELDS);
        let action = format!("/personal/aktiviteter/{id}/spara");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return form_page(&state, &ctx, action, form, errors, status).await;
    }
    let form: PageForm = typed(&pairs)?;
    let occasion = form.occasion.parse::<i64>().unwrap_or(0);
    // Each form: its validation errors, or the store's answer, then the notice to show.
    let outcome: Result<&str, FieldErrors> = match action.as_str() {
        "tillfalle" => {
            let raw = RawOccasion {
                date: form.date.clone(),
                start: form.start.clone(),
                end: form.end.clone(),
            };
            match validate_occasion(&raw, domain::clock::stockholm_local(now)) {
                Err(e) => Err(e),
                Ok((s, e)) => {
                    store::activities::add_occasion(db, kommun, id, s, e, &compose, now, origin)
                        .await?
                        .map(|_| "occasion-added")
                        .map_err(|r| refusal_errors(r, true))
                }
            }
        }
        "installt-tillfalle" => match domain::case::validate_reason("reason", &form.reason) {
            Err(e) => Err(e),
            Ok(reason) => store::activities::cancel_occasion(
                db, kommun, id, occasion, &reason, &compose, now, origin,
            )
            .await?
            .map(|()| "occasion-cancelled")
            .map_err(|r| refusal_errors(r, true)),
        },
        "installd" => match domain::case::validate_reason("cancel_reason", &form.cancel_reason) {
            Err(e) => Err(e),
            Ok(reason) if !crate::staff::confirm::given(&pairs) => {
                let q = crate::staff::confirm::Question::asking(
                    t,
                    "cancel-activity",
                    vec![(t.get("confirm-reason"), reason)],
                    format!("/personal/aktiviteter/{id}/installd"),
                    format!("/personal/aktiviteter/{id}"),
                );
                return crate::staff::confirm::page(&state, &ctx, "activities", q, &pairs);
            }
            Ok(reason) => {
                store::activities::cancel_activity(db, kommun, id, &reason, &compose, now, origin)
                    .await?
                    .map(|()| "cancelled")
                    .map_err(|r| refusal_errors(r, true))
            }
        },
        "narvaro" => {
            let present: Vec<i64> = pairs
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
                ctx.staff.user.id,
                now,
                origin,
            )
            .await?
            .map(|()| "attendance-saved")
            .map_err(|r| refusal_errors(r, true))
        }
        "meddelande" => match validate_message(&form.subject, &form.text) {
            Err(e) => Err(e),
            Ok((subject, text)) => store::activities::message_participants(
                db, kommun, id, &subject, &text, &compose, now, origin,
            )
            .await?
            .map(|_| "message-sent")
            .map_err(|r| refusal_errors(r, true)),
        },
        "avboka" if !crate::staff::confirm::given(&pairs) => {
            // The page names whom it cancels (the read is logged like the list's).
            let signup = form.signup.parse::<i64>().unwrap_or(0);
            let name = store::activities::participants(db, kommun, id, now, origin)
                .await?
                .into_iter()
                .find(|p| p.signup.id == signup)
                .map(|p| p.signup.name)
                .ok_or(PageError::NotFound)?;
            let q = crate::staff::confirm::Question::asking(
                t,
                "cancel-signup",
                vec![(t.get("confirm-participant"), name)],
                format!("/personal/aktiviteter/{id}/avboka"),
                format!("/personal/aktiviteter/{id}#deltagare"),
            );
            return crate::staff::confirm::page(&state, &ctx, "activities", q, &pairs);
        }
        "avboka" => {
            let signup = form.signup.parse::<i64>().unwrap_or(0);
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
                origin,
            )
            .await?
            .map(|_| "signup-cancelled")
            .map_err(|r| refusal_errors(r, true))
        }
        _ => return Err(PageError::NotFound),
    };
    match outcome {
        Ok(notice) => Ok(done(&state, kommun, id, notice).await),
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
            let errors = shown(t, &e, &order);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            activity_page(&state, &ctx, id, errors, form, String::new(), status).await
        }
    }
}

/// A form done: the public listing forgets the municipality's activities, and post, redirect,
/// get (a reload does not send the form again).
async fn done(state: &AppState, kommun: &str, id: i64, notice: &str) -> Response {
    crate::changes::activities_changed(state, kommun).await;
    Redirect::to(&format!("/personal/aktiviteter/{id}?klart={notice}")).into_response()
}
