//! The staff workspace's frame and what its pages share: the layout, rendering with
//! `no-store`, the message page (also for errors), and small helpers.

use super::auth::Staff;
use crate::error::PageError;
use crate::http::StaffCtx;
use crate::i18n::I18n;
use crate::portal::query_pairs;
use crate::AppState;
use askama::Template;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use domain::policy::{can, Action, Decision, Resource};
use domain::staff::Role;
use domain::Kommunkod;

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
    /// Managers and municipal administrators see what retention removes next.
    pub plans_retention: bool,
}

/// Whether the policy allows an action on the member's own municipality, or on the
/// installation for those outside every municipality; for the navigation.
fn allows(staff: &Staff, action: Action) -> bool {
    let on = staff
        .actor
        .kommunkod
        .map_or(Resource::Installation, Resource::Municipality);
    can(&staff.actor, action, &on) == Decision::Allow
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
            plans_retention: false,
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
            reviews: allows(staff, Action::ReviewAudit),
            plans_retention: allows(staff, Action::PlanRetention),
            administers: allows(staff, Action::ManageStaff),
            configures: staff.actor.kommunkod.is_some_and(|k| {
                can(
                    &staff.actor,
                    Action::ConfigureMunicipality,
                    &Resource::Municipality(k),
                ) == Decision::Allow
            }),
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

pub(super) fn field<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
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
pub(super) fn start_page(role: Role) -> &'static str {
    if role.reads_cases() {
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

/// The member of staff's municipality when the policy allows `action` there. An account
/// without a municipality finds no such page (not found, as these pages have always
/// answered), one the policy refuses is forbidden. Unlike [`Allowed`], it can run after the
/// form's CSRF check, so a post is checked in the old order: session, token, policy.
pub(super) fn permitted(ctx: &StaffCtx, action: Action) -> Result<Kommunkod, PageError> {
    let kommun = ctx.kommun()?;
    match can(&ctx.staff.actor, action, &Resource::Municipality(kommun)) {
        Decision::Allow => Ok(kommun),
        _ => Err(PageError::Forbidden),
    }
}

/// The first value of `key` in the query string, or empty.
pub(super) fn query_value(q: &Option<String>, key: &str) -> String {
    query_pairs(q)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

// ---- The list of my cases ----
