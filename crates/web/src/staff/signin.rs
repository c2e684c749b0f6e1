//! Signing in and out: password, second factor (code or enrolment with recovery codes), the
//! start page by role, and the workspace language. Every step is audited by `auth`.

use super::auth::{self, Enrolled, SecondFactor, SignIn};
use super::pages::{page, render, start_page, to_sign_in, with_cookie, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::{AnonymousOrigin, PendingSession, PlainForm, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use serde::Deserialize;

/// The start page of the session's user.
async fn landing(state: &AppState, raw: &str) -> &'static str {
    let idle = chrono::Duration::minutes(domain::staff::signin::IDLE_MINUTES);
    match store::sessions::lookup(&state.db, raw, state.clock.now(), idle).await {
        Ok(Some(s)) => match store::staff::by_id(&state.db, s.user_id).await {
            Ok(Some(u)) => start_page(u.role),
            _ => "/personal",
        },
        _ => "/personal",
    }
}

pub async fn home(ctx: StaffCtx) -> Redirect {
    if ctx.staff.actor.role.reads_cases() {
        Redirect::to(start_page(ctx.staff.user.role))
    } else {
        Redirect::to("/personal/admin/anvandare")
    }
}

// ---- Sign-in ----

#[derive(Template)]
#[template(path = "staff/sign_in.html")]
struct SignInPage<'a> {
    l: StaffLayout<'a>,
    email: String,
    csrf: String,
    errors: FormErrors,
    notice: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    email: String,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let csrf = auth::random_hex(32);
    let title = if errors.is_empty() {
        t.get("signin-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("signin-title"))
    };
    let html = SignInPage {
        l: StaffLayout::anonymous(t, title),
        email,
        csrf: csrf.clone(),
        errors: FormErrors::plain(t, &errors, &["email", "password"]),
        notice,
    }
    .render()?;
    // The form's token is also in a cookie; a cross-site form cannot know it (double submit).
    Ok(with_cookie(
        page(status, html),
        auth::cookie(state, auth::LOGIN_CSRF_COOKIE, &csrf, 3600),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInQuery {
    utloggad: String,
    /// Back from setting a new password through a link.
    nytt: String,
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    signed_in: Option<StaffCtx>,
    Query(q): Query<SignInQuery>,
) -> Result<Response, PageError> {
    if let Some(ctx) = signed_in {
        return Ok(Redirect::to(start_page(ctx.staff.user.role)).into_response());
    }
    let notice = if q.nytt == "1" {
        Some(state.t.get("signin-new-password"))
    } else {
        (q.utloggad == "1").then(|| state.t.get("signin-signed-out"))
    };
    sign_in_page(
        &state,
        StatusCode::OK,
        String::new(),
        FieldErrors::new(),
        notice,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    AnonymousOrigin(origin): AnonymousOrigin,
    headers: axum::http::HeaderMap,
    PlainForm(f): PlainForm<SignInForm>,
) -> Result<Response, PageError> {
    let email = f.email.trim().to_owned();
    let cookie_token = auth::cookie_value(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !auth::same_secret(&cookie_token, &f.csrf) {
        let errors = FieldErrors::one("email", "error-csrf");
        return sign_in_page(&state, StatusCode::FORBIDDEN, email, errors, None);
    }
    let mut errors = FieldErrors::new();
    if email.is_empty() {
        errors.add("email", "signin-error-email-missing");
    }
    if f.password.is_empty() {
        errors.add("password", "signin-error-password-missing");
    }
    if !errors.is_empty() {
        return sign_in_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            email,
            errors,
            None,
        );
    }
    let next = |to: &str, raw: &str| {
        with_cookie(
            Redirect::to(to).into_response(),
            auth::session_cookie(&state, raw),
        )
    };
    Ok(
        match auth::sign_in(&state, &email, &f.password, &origin).await? {
            SignIn::Done(raw) => next(landing(&state, &raw).await, &raw),
            SignIn::NeedsCode(raw) => next("/personal/tvastegs", &raw),
            SignIn::NeedsEnrolment(raw) => next("/personal/tvastegs/aktivera", &raw),
            SignIn::WrongCredentials => {
                let errors = FieldErrors::one("email", "signin-error-wrong");
                sign_in_page(&state, StatusCode::UNAUTHORIZED, email, errors, None)?
            }
            SignIn::TooManyAttempts => {
                let errors = FieldErrors::one("email", "signin-error-too-many");
                sign_in_page(&state, StatusCode::TOO_MANY_REQUESTS, email, errors, None)?
            }
        },
    )
}

// ---- Second factor ----

#[derive(Template)]
#[template(path = "staff/code.html")]
struct CodePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    errors: FormErrors,
}

fn code_page(
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let title = match error {
        None => t.get("code-title"),
        Some(_) => t.get1("form-title-with-errors", "title", &t.get("code-title")),
    };
    render(
        status,
        &CodePage {
            l: StaffLayout::anonymous(t, title),
            csrf: csrf.to_owned(),
            errors: match error {
                Some(id) => FormErrors::plain(t, &FieldErrors::one("code", id), &[]),
                None => FormErrors::none(),
            },
        },
    )
}

pub async fn code_form(
    State(state): State<AppState>,
    PendingSession { session, .. }: PendingSession,
) -> Result<Response, PageError> {
    if session.mfa_done {
        return Ok(Redirect::to("/personal").into_response());
    }
    code_page(&state, &session.csrf_token, StatusCode::OK, None)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn code(
    State(state): State<AppState>,
    PendingSession { session, raw }: PendingSession,
    AnonymousOrigin(origin): AnonymousOrigin,
    PlainForm(f): PlainForm<CodeForm>,
) -> Result<Response, PageError> {
    let csrf = &session.csrf_token;
    if !auth::same_secret(csrf, &f.csrf) {
        return code_page(&state, csrf, StatusCode::FORBIDDEN, Some("error-csrf"));
    }
    if session.mfa_done {
        return Ok(Redirect::to("/personal").into_response());
    }
    match auth::verify_second_factor(&state, &session, &raw, &f.code, &origin).await? {
        SecondFactor::Done(new_raw) => Ok(with_cookie(
            Redirect::to(landing(&state, &new_raw).await).into_response(),
            auth::session_cookie(&state, &new_raw),
        )),
        SecondFactor::Wrong => code_page(
            &state,
            csrf,
            StatusCode::UNAUTHORIZED,
            Some("code-error-wrong"),
        ),
        SecondFactor::TooManyAttempts => {
            let errors = FieldErrors::one("email", "signin-error-too-many");
            let r = sign_in_page(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                String::new(),
                errors,
                None,
            )?;
            Ok(with_cookie(r, auth::clear_session_cookie(&state)))
        }
    }
}

// ---- Enrolment of the second factor ----

#[derive(Template)]
#[template(path = "staff/enrol.html")]
struct EnrolPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    qr_svg: String,
    secret: String,
    errors: FormErrors,
}

async fn enrol_page(
    state: &AppState,
    session: &store::sessions::Session,
    raw: &str,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = &state.t;
    let secret = auth::pending_secret(state, session, raw).await?;
    let user = store::staff::by_id(&state.db, session.user_id)
        .await?
        .ok_or(PageError::NotFound)?;
    let uri = domain::totp::otpauth_uri(&secret, &t.get("site-name"), &user.email);
    let title = if errors.is_empty() {
        t.get("enrol-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("enrol-title"))
    };
    let b32 = secret.to_base32();
    let grouped = b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    render(
        status,
        &EnrolPage {
            l: StaffLayout::anonymous(t, title),
            csrf: session.csrf_token.clone(),
            qr_svg: auth::qr_svg(&uri).unwrap_or_default(),
            secret: grouped,
            errors: FormErrors::plain(t, &errors, &[]),
        },
    )
}

pub async fn enrol_form(
    State(state): State<AppState>,
    PendingSession { session, raw }: PendingSession,
) -> Result<Response, PageError> {
    if session.mfa_done {
        return Ok(Redirect::to("/personal").into_response());
    }
    enrol_page(&state, &session, &raw, StatusCode::OK, FieldErrors::new()).await
}

#[derive(Template)]
#[template(path = "staff/recovery.html")]
struct RecoveryPage<'a> {
    l: StaffLayout<'a>,
    codes: Vec<String>,
}

pub async fn enrol(
    State(state): State<AppState>,
    PendingSession { session, raw }: PendingSession,
    AnonymousOrigin(origin): AnonymousOrigin,
    PlainForm(f): PlainForm<CodeForm>,
) -> Result<Response, PageError> {
    let t = &state.t;
    if !auth::same_secret(&session.csrf_token, &f.csrf) {
        let errors = FieldErrors::one("code", "error-csrf");
        return enrol_page(&state, &session, &raw, StatusCode::FORBIDDEN, errors).await;
    }
    if session.mfa_done {
        return Ok(Redirect::to("/personal").into_response());
    }
    match auth::confirm_enrolment(&state, &session, &raw, &f.code, &origin).await? {
        Enrolled::Done(new_raw, codes) => {
            let p = RecoveryPage {
                l: StaffLayout::anonymous(t, t.get("recovery-title")),
                codes,
            };
            Ok(with_cookie(
                render(StatusCode::OK, &p)?,
                auth::session_cookie(&state, &new_raw),
            ))
        }
        Enrolled::Wrong => {
            let errors = FieldErrors::one("code", "code-error-wrong");
            enrol_page(&state, &session, &raw, StatusCode::UNAUTHORIZED, errors).await
        }
    }
}

// ---- Signing out, language ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignOutForm {
    everywhere: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    ctx: Option<StaffCtx>,
    form: Result<StaffForm<SignOutForm>, PageError>,
) -> Result<Response, PageError> {
    let Some(ctx) = ctx else {
        return Ok(with_cookie(
            to_sign_in(),
            auth::clear_session_cookie(&state),
        ));
    };
    let StaffForm(f) = form?;
    auth::sign_out(&state, &ctx.staff, f.everywhere == "yes", &ctx.origin).await?;
    Ok(with_cookie(
        Redirect::to("/personal/logga-in?utloggad=1").into_response(),
        auth::clear_session_cookie(&state),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    lang: String,
}

/// Switches the workspace language of the signed-in account (Swedish or English).
pub async fn set_language(
    State(state): State<AppState>,
    ctx: StaffCtx,
    StaffForm(f): StaffForm<LanguageForm>,
) -> Result<Response, PageError> {
    let lang = if f.lang == "en" { "en" } else { "sv" };
    store::staff::set_language(&state.db, ctx.staff.user.id, lang).await?;
    Ok(Redirect::to(start_page(ctx.staff.user.role)).into_response())
}
