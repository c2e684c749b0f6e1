//! Conversations in the staff workspace (`/personal/samtal`): officers publish bookable times,
//! see who booked, mark whether a conversation took place, and register conversations held by
//! phone. The municipal administrator sets the recording mode (`/personal/admin/oppet-stod`).

use super::auth::Staff;
use super::pages::{
    errors_for, field, local_time, or_error, posted_for, render, staff_for, staff_origin,
    StaffLayout,
};
use crate::conversations::{slot_view, SlotView};
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
use domain::case::Errors;
use domain::conversation::{
    validate_held, validate_slot, ConversationMode, ConversationStatus, RawHeld, RawSlot,
    RecordingMode,
};
use domain::policy::Action;
use std::net::SocketAddr;

type Rid = Option<Extension<RequestId>>;

/// Field errors in the forms' order: the new time's fields, then the registration's.
fn messages(t: &I18n, e: &Errors) -> Vec<(String, String)> {
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
    let known = ORDER.iter().filter_map(|f| e.get_key_value(f));
    let others = e.iter().filter(|(f, _)| !ORDER.contains(f));
    known
        .chain(others)
        .flat_map(|(f, ids)| ids.iter().map(move |id| ((*f).to_owned(), t.get(id))))
        .collect()
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
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    notice: String,
}

impl Page<'_> {
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

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    staff: &Staff,
    kommun: &str,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    notice: String,
    origin: &store::audit::Origin,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
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
        values,
        errors,
        notice,
    };
    render(status, &p)
}

const NOTICES: &[&str] = &["published", "slot-cancelled", "marked", "registered"];

pub async fn show(
    State(state): State<AppState>,
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
        let t = state.texts(&staff.user.language);
        let notice = crate::portal::query_pairs(&q)
            .into_iter()
            .find(|(k, v)| k == "klart" && NOTICES.contains(&v.as_str()))
            .map(|(_, v)| t.get(&format!("staff-conversations-notice-{v}")))
            .unwrap_or_default();
        let values = vec![
            ("mode".to_owned(), "phone".to_owned()),
            ("held_mode".to_owned(), "phone".to_owned()),
            ("held_date".to_owned(), state.clock.today().to_string()),
        ];
        page(
            &state,
            &staff,
            kommun.as_str(),
            values,
            Vec::new(),
            notice,
            &staff_origin(&staff, &rid, addr),
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

pub async fn post(
    State(state): State<AppState>,
    Path(action): Path<String>,
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
        let t = state.texts(&staff.user.language);
        let origin = staff_origin(&staff, &rid, addr);
        let now = state.clock.now();
        let local = domain::clock::stockholm_local(now);
        let compose = crate::mails::Mails::new(&state);
        let gone = || {
            let mut e = Errors::new();
            e.entry("slot").or_default().push("error-slot-unavailable");
            e
        };
        let outcome: Result<&str, Errors> = match action.as_str() {
            "tid" => {
                let raw = RawSlot {
                    date: field(&f, "date").to_owned(),
                    start: field(&f, "start").to_owned(),
                    end: field(&f, "end").to_owned(),
                    mode: field(&f, "mode").to_owned(),
                    place: field(&f, "place").to_owned(),
                };
                match validate_slot(&raw, local) {
                    Err(e) => Err(e.0),
                    Ok(s) => {
                        store::conversations::publish_slot(
                            &state.db,
                            kommun,
                            staff.user.id,
                            &s,
                            now,
                            &origin,
                        )
                        .await?;
                        Ok("published")
                    }
                }
            }
            "stall-in" => {
                let slot = field(&f, "slot").parse::<i64>().unwrap_or(0);
                store::conversations::cancel_slot(&state.db, kommun, slot, &compose, now, &origin)
                    .await?
                    .map(|()| "slot-cancelled")
                    .map_err(|_| gone())
            }
            "genomfort" => {
                let id = field(&f, "conversation").parse::<i64>().unwrap_or(0);
                let status = if field(&f, "held") == "no" {
                    ConversationStatus::NotHeld
                } else {
                    ConversationStatus::Held
                };
                store::conversations::mark(&state.db, kommun, id, status, now, &origin)
                    .await?
                    .map(|()| "marked")
                    .map_err(|_| gone())
            }
            "registrera" => {
                let recording = store::conversations::recording_mode(&state.db, kommun).await?;
                let raw = RawHeld {
                    date: field(&f, "held_date").to_owned(),
                    time: field(&f, "held_time").to_owned(),
                    mode: field(&f, "held_mode").to_owned(),
                    name: field(&f, "held_name").to_owned(),
                    phone: field(&f, "held_phone").to_owned(),
                    topic: field(&f, "held_topic").to_owned(),
                    age_group: field(&f, "held_age_group").to_owned(),
                    gender: field(&f, "held_gender").to_owned(),
                };
                match validate_held(&raw, recording, local) {
                    // The registration form's fields carry a prefix of their own.
                    Err(e) => Err(e.0.into_iter().map(|(k, v)| (held_field(k), v)).collect()),
                    Ok(h) => {
                        store::conversations::register_held(
                            &state.db,
                            kommun,
                            staff.user.id,
                            &h,
                            recording,
                            now,
                            &origin,
                        )
                        .await?;
                        Ok("registered")
                    }
                }
            }
            _ => return Err(PageError::NotFound),
        };
        match outcome {
            Ok(notice) => {
                Ok(Redirect::to(&format!("/personal/samtal?klart={notice}")).into_response())
            }
            Err(e) => {
                page(
                    &state,
                    &staff,
                    kommun,
                    f,
                    messages(t, &e),
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
    staff: &Staff,
    kommun: &str,
    saved: bool,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let current = store::conversations::recording_mode(&state.db, kommun).await?;
    let p = SettingsPage {
        l: StaffLayout::signed_in(
            t,
            t.get("staff-open-support-settings"),
            staff,
            "open-support-settings",
        ),
        csrf: staff.session.csrf_token.clone(),
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
    render(StatusCode::OK, &p)
}

pub async fn settings(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) =
            match staff_for(&state, &headers, Action::ConfigureMunicipality).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let saved = crate::portal::query_pairs(&q)
            .iter()
            .any(|(k, v)| k == "klart" && v == "1");
        settings_page(&state, &staff, kommun.as_str(), saved).await
    }
    .await;
    or_error(&state, r)
}

pub async fn save_settings(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, kommun, f) =
            match posted_for(&state, &headers, &body, Action::ConfigureMunicipality).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let Some(mode) = RecordingMode::parse(field(&f, "recording_mode")) else {
            let mut page = settings_page(&state, &staff, kommun.as_str(), false).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(page);
        };
        store::conversations::set_recording_mode(
            &state.db,
            kommun.as_str(),
            mode,
            staff.user.id,
            state.clock.now(),
            &staff_origin(&staff, &rid, addr),
        )
        .await?;
        Ok(Redirect::to("/personal/admin/oppet-stod?klart=1").into_response())
    }
    .await;
    or_error(&state, r)
}
