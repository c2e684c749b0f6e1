//! Conversations in the staff workspace (`/personal/samtal`): officers publish bookable times,
//! see who booked, mark whether a conversation took place, and register conversations held by
//! phone. The municipal administrator sets the recording mode (`/personal/admin/oppet-stod`).

use super::pages::{local_time, render, StaffLayout};
use crate::conversations::{slot_view, SlotView};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::paths::ActionPath;
use crate::http::{Allowed, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::conversation::{
    validate_held, validate_slot, ConversationMode, ConversationStatus, RawHeld, RawSlot,
    RecordingMode,
};
use domain::FieldErrors;
use serde::Deserialize;

/// The forms' fields in order, for the error summary: the new time's, then the registration's.
const ORDER: &[&str] = &[
    "slot",
    "date",
    "start",
    "end",
    "mode",
    "place",
    "held_date",
    "held_time",
    "held_mode",
    "held_name",
    "held_phone",
    "held_topic",
    "held_age_group",
    "held_gender",
];

/// The page's forms: a new time, cancelling one, marking a booking, registering a
/// conversation held by phone (its fields carry the `held_` prefix). Shown again as posted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConversationForm {
    date: String,
    start: String,
    end: String,
    mode: String,
    place: String,
    slot: String,
    conversation: String,
    held: String,
    held_date: String,
    held_time: String,
    held_mode: String,
    held_name: String,
    held_phone: String,
    held_topic: String,
    held_age_group: String,
    held_gender: String,
}

pub struct Booked {
    pub id: i64,
    pub who: String,
    pub reach: String,
    pub topic: String,
    pub status: String,
    pub open: bool,
}

pub struct ScheduleRow {
    pub slot: SlotView,
    pub cancelled: bool,
    pub started: bool,
    pub booking: Option<Booked>,
}

pub struct HeldRow {
    pub when: String,
    pub who: String,
    pub mode: String,
    pub officer: String,
    pub status: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "staff/conversations.html")]
struct Page<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    kommunkod: String,
    recording: String,
    named: bool,
    rows: Vec<ScheduleRow>,
    held: Vec<HeldRow>,
    modes: Vec<Choice>,
    ages: Vec<Choice>,
    genders: Vec<Choice>,
    form: ConversationForm,
    errors: FormErrors,
    notice: String,
}

impl Page<'_> {
    fn err(&self, name: &str) -> String {
        self.errors.message(name)
    }
}

async fn page(
    state: &AppState,
    ctx: &StaffCtx,
    form: ConversationForm,
    errors: FormErrors,
    notice: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (t, staff, origin) = (ctx.texts(state), &ctx.staff, &ctx.origin);
    let kommun = ctx.kommun()?;
    let kommun = kommun.as_str();
    let now = state.clock.now();
    let local = domain::clock::stockholm_local(now);
    let from = local.date().and_hms_opt(0, 0, 0).unwrap_or(local);
    let recording = store::conversations::recording_mode(&state.db, kommun).await?;
    let rows = store::conversations::schedule(&state.db, kommun, from, now, origin)
        .await?
        .into_iter()
        .map(|(s, c)| ScheduleRow {
            cancelled: s.status == "cancelled",
            started: s.starts_at <= local,
            slot: slot_view(t, &s),
            booking: c.map(|c| Booked {
                id: c.id,
                who: c
                    .who()
                    .map_or_else(|| t.get("conversation-anonymous"), str::to_owned),
                reach: [c.phone.as_deref(), c.email.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                topic: c.topic.clone().unwrap_or_default(),
                open: c.status == "booked",
                status: t.get(&format!("booking-status-{}", c.status)),
            }),
        })
        .collect();
    let held = store::conversations::recent(&state.db, kommun, 20, now, origin)
        .await?
        .iter()
        .map(|c| HeldRow {
            when: local_time(domain::clock::from_stockholm(c.starts_at)),
            who: c
                .who()
                .map_or_else(|| t.get("conversation-anonymous"), str::to_owned),
            mode: t.get(&format!("conversation-mode-{}", c.mode)),
            officer: c.officer_name.clone().unwrap_or_default(),
            status: t.get(&format!("booking-status-{}", c.status)),
        })
        .collect();
    let title = if errors.is_empty() {
        t.get("staff-conversations-title")
    } else {
        t.get1(
            "form-title-with-errors",
            "title",
            &t.get("staff-conversations-title"),
        )
    };
    let p = Page {
        l: StaffLayout::signed_in(t, title, staff, "conversations"),
        csrf: staff.session.csrf_token.clone(),
        kommunkod: kommun.to_owned(),
        recording: t.get(&format!("conversations-recording-{}", recording.as_str())),
        named: recording == RecordingMode::Named,
        rows,
        held,
        modes: ConversationMode::ALL
            .iter()
            .map(|m| Choice {
                value: m.as_str(),
                label: t.get(&format!("conversation-mode-{}", m.as_str())),
            })
            .collect(),
        ages: domain::contact::AgeGroup::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str(),
                label: t.get(&format!("age-{}", a.as_str())),
            })
            .collect(),
        genders: domain::activity::Gender::ALL
            .iter()
            .map(|g| Choice {
                value: g.as_str(),
                label: t.get(&format!("gender-{}", g.as_str())),
            })
            .collect(),
        form,
        errors,
        notice,
    };
    render(status, &p)
}

const NOTICES: &[&str] = &["published", "slot-cancelled", "marked", "registered"];

pub async fn show(
    State(state): State<AppState>,
    Allowed { ctx, .. }: Allowed<act::ManageActivities>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let notice = crate::portal::query_pairs(&q)
        .into_iter()
        .find(|(k, v)| k == "klart" && NOTICES.contains(&v.as_str()))
        .map(|(_, v)| t.get(&format!("staff-conversations-notice-{v}")))
        .unwrap_or_default();
    let form = ConversationForm {
        mode: "phone".into(),
        held_mode: "phone".into(),
        held_date: state.clock.today().to_string(),
        ..ConversationForm::default()
    };
    page(
        &state,
        &ctx,
        form,
        FormErrors::none(),
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn post(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    Path(ActionPath { action }): Path<ActionPath>,
    StaffForm(form): StaffForm<ConversationForm>,
) -> Result<Response, PageError> {
    let kommun = kommun.as_str();
    let (t, origin) = (ctx.texts(&state), &ctx.origin);
    let now = state.clock.now();
    let local = domain::clock::stockholm_local(now);
    let compose = crate::mails::Mails::new(&state);
    let gone = || FieldErrors::one("slot", "error-slot-unavailable");
    let outcome: Result<&str, FieldErrors> = match action.as_str() {
        "tid" => {
            let raw = RawSlot {
                date: form.date.clone(),
                start: form.start.clone(),
                end: form.end.clone(),
                mode: form.mode.clone(),
                place: form.place.clone(),
            };
            match validate_slot(&raw, local) {
                Err(e) => Err(e),
                Ok(s) => {
                    store::conversations::publish_slot(
                        &state.db,
                        kommun,
                        ctx.staff.user.id,
                        &s,
                        now,
                        origin,
                    )
                    .await?;
                    Ok("published")
                }
            }
        }
        "stall-in" => {
            let slot = form.slot.parse::<i64>().unwrap_or(0);
            store::conversations::cancel_slot(&state.db, kommun, slot, &compose, now, origin)
                .await?
                .map(|()| "slot-cancelled")
                .map_err(|_| gone())
        }
        "genomfort" => {
            let id = form.conversation.parse::<i64>().unwrap_or(0);
            let status = if form.held == "no" {
                ConversationStatus::NotHeld
            } else {
                ConversationStatus::Held
            };
            store::conversations::mark(&state.db, kommun, id, status, now, origin)
                .await?
                .map(|()| "marked")
                .map_err(|_| gone())
        }
        "registrera" => {
            let recording = store::conversations::recording_mode(&state.db, kommun).await?;
            let raw = RawHeld {
                date: form.held_date.clone(),
                time: form.held_time.clone(),
                mode: form.held_mode.clone(),
                name: form.held_name.clone(),
                phone: form.held_phone.clone(),
                topic: form.held_topic.clone(),
                age_group: form.held_age_group.clone(),
                gender: form.held_gender.clone(),
            };
            match validate_held(&raw, recording, local) {
                // The registration form's fields carry a prefix of their own.
                Err(e) => Err(e.rename(held_field)),
                Ok(h) => {
                    store::conversations::register_held(
                        &state.db,
                        kommun,
                        ctx.staff.user.id,
                        &h,
                        recording,
                        now,
                        origin,
                    )
                    .await?;
                    Ok("registered")
                }
            }
        }
        _ => return Err(PageError::NotFound),
    };
    match outcome {
        Ok(notice) => Ok(Redirect::to(&format!("/personal/samtal?klart={notice}")).into_response()),
        Err(e) => {
            let errors = FormErrors::plain(t, &e, ORDER);
            page(
                &state,
                &ctx,
                form,
                errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn held_field(k: &'static str) -> &'static str {
    match k {
        "date" => "held_date",
        "time" => "held_time",
        "mode" => "held_mode",
        "name" => "held_name",
        "phone" => "held_phone",
        "topic" => "held_topic",
        "age_group" => "held_age_group",
        "gender" => "held_gender",
        other => other,
    }
}

#[derive(Template)]
#[template(path = "staff/open_support_settings.html")]
struct SettingsPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    modes: Vec<(&'static str, String, bool)>,
    saved: bool,
}

async fn settings_page(
    state: &AppState,
    ctx: &StaffCtx,
    saved: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
    let current = store::conversations::recording_mode(&state.db, ctx.kommun()?.as_str()).await?;
    let p = SettingsPage {
        l: StaffLayout::signed_in(
            t,
            t.get("staff-open-support-settings"),
            &ctx.staff,
            "open-support-settings",
        ),
        csrf: ctx.csrf().to_owned(),
        modes: RecordingMode::ALL
            .iter()
            .map(|m| {
                (
                    m.as_str(),
                    t.get(&format!("recording-mode-{}", m.as_str())),
                    *m == current,
                )
            })
            .collect(),
        saved,
    };
    render(status, &p)
}

pub async fn settings(
    State(state): State<AppState>,
    Allowed { ctx, .. }: Allowed<act::ConfigureMunicipality>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let saved = crate::portal::query_pairs(&q)
        .iter()
        .any(|(k, v)| k == "klart" && v == "1");
    settings_page(&state, &ctx, saved, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    recording_mode: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ConfigureMunicipality>,
    StaffForm(form): StaffForm<SettingsForm>,
) -> Result<Response, PageError> {
    let Some(mode) = RecordingMode::parse(&form.recording_mode) else {
        return settings_page(&state, &ctx, false, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    store::conversations::set_recording_mode(
        &state.db,
        kommun.as_str(),
        mode,
        ctx.staff.user.id,
        state.clock.now(),
        &ctx.origin,
    )
    .await?;
    Ok(Redirect::to("/personal/admin/oppet-stod?klart=1").into_response())
}
