//! One's own password: changed at `/personal/konto` (knowing the current one), or set through
//! the one-time link an administrator's reset sends by e-mail (`/personal/nytt-losenord/{token}`).
//! Nobody but the account holder ever knows the password.

use super::auth::{self, verify_password};
use super::pages::{render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::{AnonymousOrigin, PlainForm, StaffCtx, StaffForm};
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use serde::Deserialize;

const FIELDS: &[&str] = &["current", "password", "repeat"];

#[derive(Template)]
#[template(path = "staff/password_form.html")]
struct PasswordPage<'a> {
    l: StaffLayout<'a>,
    heading: String,
    action: String,
    csrf: Option<String>,
    email: Option<String>,
    ask_current: bool,
    errors: FormErrors,
    notice: Option<String>,
}

fn title(t: &I18n, heading: &str, errors: &FieldErrors) -> String {
    if errors.is_empty() {
        heading.to_owned()
    } else {
        t.get1("form-title-with-errors", "title", heading)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    password: String,
    repeat: String,
}

/// The new password's own rules, and that it was typed the same twice.
fn check_new(f: &PasswordForm, email: &str, errors: &mut FieldErrors) {
    if let Err(e) = domain::password::check(&f.password, email) {
        errors.add("password", e.message_id());
    } else if f.password != f.repeat {
        errors.add("repeat", "account-error-repeat");
    }
}

// ---- /personal/konto ----

fn account_page(
    state: &AppState,
    ctx: &StaffCtx,
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
    let heading = t.get("account-title");
    let p = PasswordPage {
        l: StaffLayout::signed_in(t, title(t, &heading, &errors), &ctx.staff, "account"),
        heading,
        action: "/personal/konto".into(),
        csrf: Some(ctx.staff.session.csrf_token.clone()),
        email: Some(ctx.staff.user.email.clone()),
        ask_current: true,
        errors: FormErrors::plain(t, &errors, FIELDS),
        notice,
    };
    render(status, &p)
}

pub async fn account(State(state): State<AppState>, ctx: StaffCtx) -> Result<Response, PageError> {
    account_page(&state, &ctx, StatusCode::OK, FieldErrors::new(), None)
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: StaffCtx,
    StaffForm(f): StaffForm<PasswordForm>,
) -> Result<Response, PageError> {
    let user = &ctx.staff.user;
    let mut errors = FieldErrors::new();
    let creds = store::staff::credentials_by_id(&state.db, user.id)
        .await?
        .ok_or(PageError::SignIn)?;
    if !verify_password(&creds.password_hash, &f.current) {
        errors.add("current", "account-error-current");
    }
    check_new(&f, &user.email, &mut errors);
    if !errors.is_empty() {
        return account_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, None);
    }
    let hash = auth::hash_password(state.config.hash_cost, &f.password)?;
    store::password_links::change_own(
        &state.db,
        user.id,
        &hash,
        &ctx.staff.raw_session,
        state.clock.now(),
        &ctx.origin,
    )
    .await?;
    let notice = ctx.texts(&state).get("account-changed");
    account_page(
        &state,
        &ctx,
        StatusCode::OK,
        FieldErrors::new(),
        Some(notice),
    )
}

// ---- /personal/nytt-losenord/{token} ----

#[derive(Deserialize)]
pub struct LinkPath {
    token: String,
}

fn link_page(
    state: &AppState,
    token: &str,
    email: String,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = &state.t;
    let heading = t.get("account-link-title");
    let p = PasswordPage {
        l: StaffLayout::anonymous(t, title(t, &heading, &errors)),
        heading,
        action: format!("/personal/nytt-losenord/{token}"),
        csrf: None,
        email: Some(email),
        ask_current: false,
        errors: FormErrors::plain(t, &errors, FIELDS),
        notice: None,
    };
    render(status, &p)
}

/// A used, expired or made-up link: the same page, which says what to do instead.
fn link_gone() -> PageError {
    PageError::Gone("account-link-gone")
}

pub async fn link_form(
    State(state): State<AppState>,
    Path(LinkPath { token }): Path<LinkPath>,
) -> Result<Response, PageError> {
    let holder = store::password_links::holder(&state.db, &token, state.clock.now())
        .await?
        .ok_or_else(link_gone)?;
    link_page(
        &state,
        &token,
        holder.email,
        StatusCode::OK,
        FieldErrors::new(),
    )
}

/// The link itself is the secret: no session and no CSRF token (a forged post would have to
/// know the link). It counts against the limits on anonymous writes.
pub async fn set_by_link(
    State(state): State<AppState>,
    Path(LinkPath { token }): Path<LinkPath>,
    AnonymousOrigin(origin): AnonymousOrigin,
    PlainForm(f): PlainForm<PasswordForm>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let holder = store::password_links::holder(&state.db, &token, now)
        .await?
        .ok_or_else(link_gone)?;
    let mut errors = FieldErrors::new();
    check_new(&f, &holder.email, &mut errors);
    if !errors.is_empty() {
        return link_page(
            &state,
            &token,
            holder.email,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        );
    }
    let hash = auth::hash_password(state.config.hash_cost, &f.password)?;
    match store::password_links::redeem(&state.db, &token, &hash, now, &origin).await? {
        Some(_) => Ok(Redirect::to("/personal/logga-in?nytt=1").into_response()),
        None => Err(link_gone()),
    }
}
