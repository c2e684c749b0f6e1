//! Handlers of the staff workspace. They parse, ask the policy, call auth or the store, and
//! render; the rules live in `domain`.

use super::auth::{self, Staff};
use crate::error::PageError;
use crate::i18n::I18n;
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use domain::policy::{can, Action, Decision, Resource};
use domain::staff::Role;
use std::net::SocketAddr;
use store::audit::Origin;

/// What every staff page's frame needs.
pub struct StaffLayout<'a> {
    pub t: &'a I18n,
    pub title: String,
    /// (display name, role label, CSRF token) when signed in.
    pub who: Option<(String, String, String)>,
    pub current: &'static str,
    /// Which parts of the workspace the role uses (the pages check again).
    pub reads_cases: bool,
    pub reviews: bool,
    pub administers: bool,
    /// Municipal administrators adjust the municipality's settings (letter texts).
    pub configures: bool,
    /// Carer support officers and managers run the open support's activities.
    pub runs_activities: bool,
}

impl<'a> StaffLayout<'a> {
    pub(super) fn anonymous(t: &'a I18n, title: String) -> Self {
        Self {
            t,
            title,
            who: None,
            current: "",
            reads_cases: false,
            reviews: false,
            administers: false,
            configures: false,
            runs_activities: false,
        }
    }

    pub(super) fn signed_in(
        t: &'a I18n,
        title: String,
        staff: &Staff,
        current: &'static str,
    ) -> Self {
        let role = t.get(&format!("role-{}", staff.user.role));
        Self {
            t,
            title,
            who: Some((
                staff.user.display_name.clone(),
                role,
                staff.session.csrf_token.clone(),
            )),
            current,
            reads_cases: staff.actor.role.reads_cases(),
            reviews: staff.actor.role == Role::UnitManager,
            administers: matches!(staff.actor.role, Role::MunicipalAdmin | Role::SystemAdmin),
            configures: staff.actor.role == Role::MunicipalAdmin,
            runs_activities: staff.actor.kommunkod.is_some_and(|k| {
                can(
                    &staff.actor,
                    Action::ManageActivities,
                    &Resource::Municipality(k),
                ) == Decision::Allow
            }),
        }
    }
}

/// Staff pages are never cached: they hold personal data.
pub(super) fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) fn render(status: StatusCode, t: &impl Template) -> Result<Response, PageError> {
    Ok(page(status, t.render()?))
}

pub(super) fn to_sign_in() -> Response {
    Redirect::to("/personal/logga-in").into_response()
}

pub(super) fn with_cookie(mut r: Response, cookie: HeaderValue) -> Response {
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

pub(super) fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub(super) fn field<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

pub(super) fn staff_origin(
    staff: &Staff,
    request_id: &Option<Extension<RequestId>>,
    addr: SocketAddr,
) -> Origin {
    staff.origin(
        request_id.as_ref().map(|r| r.0 .0.as_str()),
        Some(addr.ip().to_string()),
    )
}

/// The answer for a handler's result: its response, or its error's page.
pub(super) fn or_error(_state: &AppState, r: Result<Response, PageError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "staff/message.html")]
struct MessagePage<'a> {
    l: StaffLayout<'a>,
    heading: String,
    text: String,
}

pub(crate) fn message(
    state: &AppState,
    status: StatusCode,
    heading: &str,
    text: &str,
    staff: Option<&Staff>,
) -> Response {
    let t = staff.map_or(&*state.t, |s| state.texts(&s.user.language));
    let l = match staff {
        Some(s) => StaffLayout::signed_in(t, t.get(heading), s, ""),
        None => StaffLayout::anonymous(t, t.get(heading)),
    };
    let p = MessagePage {
        l,
        heading: t.get(heading),
        text: t.get(text),
    };
    page(status, p.render().unwrap_or_default())
}

/// Where a role starts: case readers in the inbox, administrators among the accounts.
pub(super) fn start_page(role: &str) -> &'static str {
    if Role::parse(role).is_some_and(Role::reads_cases) {
        "/personal/inkorg"
    } else {
        "/personal/admin/anvandare"
    }
}

pub(super) fn local_time(t: DateTime<Utc>) -> String {
    let offset = domain::clock::stockholm_offset_hours(t);
    (t + chrono::Duration::hours(offset))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) fn municipality_of(staff: &Staff) -> Result<domain::Kommunkod, PageError> {
    staff.actor.kommunkod.ok_or(PageError::NotFound)
}

/// The start of every signed-in form post: the member of staff and the form, or the answer
/// to give instead (to sign-in when not signed in, the expired-form page when the CSRF token
/// does not match).
pub(super) async fn posted(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(Staff, Vec<(String, String)>), Response>, PageError> {
    let Some(staff) = auth::current(state, headers).await? else {
        return Ok(Err(to_sign_in()));
    };
    let f = form(body);
    if !auth::same_secret(&staff.session.csrf_token, field(&f, "_csrf")) {
        return Ok(Err(message(
            state,
            StatusCode::FORBIDDEN,
            "error-csrf-title",
            "error-csrf",
            Some(&staff),
        )));
    }
    Ok(Ok((staff, f)))
}

/// The municipality where the member of staff may take `action`, if any.
pub(super) fn allowed(staff: &Staff, action: Action) -> Option<domain::Kommunkod> {
    staff
        .actor
        .kommunkod
        .filter(|k| can(&staff.actor, action, &Resource::Municipality(*k)) == Decision::Allow)
}

fn forbidden(state: &AppState, staff: &Staff) -> Response {
    message(
        state,
        StatusCode::FORBIDDEN,
        "forbidden-title",
        "forbidden-text",
        Some(staff),
    )
}

/// The start of a signed-in page about the municipality as a whole: the member of staff and
/// their municipality when they may take `action` there, or the answer to give instead.
pub(super) async fn staff_for(
    state: &AppState,
    headers: &HeaderMap,
    action: Action,
) -> Result<Result<(Staff, domain::Kommunkod), Response>, PageError> {
    let Some(staff) = auth::current(state, headers).await? else {
        return Ok(Err(to_sign_in()));
    };
    Ok(match allowed(&staff, action) {
        Some(k) => Ok((staff, k)),
        None => Err(forbidden(state, &staff)),
    })
}

/// As [`staff_for`], for a form post (session, CSRF token, then the policy).
pub(super) async fn posted_for(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    action: Action,
) -> Result<Result<(Staff, domain::Kommunkod, Vec<(String, String)>), Response>, PageError> {
    let (staff, f) = match posted(state, headers, body).await? {
        Ok(p) => p,
        Err(answer) => return Ok(Err(answer)),
    };
    Ok(match allowed(&staff, action) {
        Some(k) => Ok((staff, k, f)),
        None => Err(forbidden(state, &staff)),
    })
}

/// The messages for one field of a form's errors, joined.
pub(super) fn errors_for(errors: &[(String, String)], name: &str) -> String {
    errors
        .iter()
        .filter(|(f, _)| f == name)
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
