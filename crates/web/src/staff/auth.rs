//! Staff sign-in: passwords (argon2id), a second factor (TOTP, recovery codes), sessions in
//! the database behind an HttpOnly cookie, CSRF tokens for every form, and lockout.
//! Every sign-in, failure and sign-out is written to the audit log.

use crate::error::PageError;
use crate::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::Duration;
use domain::staff::signin::{self, Gate};
use domain::staff::Actor;
use domain::totp::{self, TotpSecret};
use domain::Kommunkod;
use rand::RngCore;
use std::sync::OnceLock;
use store::audit::{self, Origin};
use store::sessions::Session;
use store::staff::{Credentials, StaffUser};

pub const SESSION_COOKIE: &str = "anh_session";
pub const LOGIN_CSRF_COOKIE: &str = "anh_login_csrf";

/// How hard password hashing works. Tests use the cheap setting; nothing else may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes.
    Standard,
    /// For tests only: 8 KiB, 1 pass.
    TestOnlyCheap,
}

fn argon(cost: HashCost) -> Argon2<'static> {
    let params = match cost {
        HashCost::Standard => Params::new(19 * 1024, 2, 1, None),
        HashCost::TestOnlyCheap => Params::new(8, 1, 1, None),
    }
    .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(cost: HashCost, password: &str) -> Result<String, PageError> {
    let salt = SaltString::generate(&mut OsRng);
    argon(cost)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PageError::internal(format!("password hash: {e}")))
}

/// Checks a password against a stored hash; the parameters come from the hash itself.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to check against when the account does not exist, so the answer takes as long.
fn dummy_hash(cost: HashCost) -> &'static str {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static CHEAP: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        HashCost::Standard => &STANDARD,
        HashCost::TestOnlyCheap => &CHEAP,
    };
    cell.get_or_init(|| hash_password(cost, "not a real account's password").unwrap_or_default())
}

pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares two secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A cookie only the server reads, sent back only to this site.
pub fn cookie(state: &AppState, name: &str, value: &str, max_age_seconds: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

pub fn session_cookie(state: &AppState, raw: &str) -> HeaderValue {
    cookie(state, SESSION_COOKIE, raw, signin::ABSOLUTE_HOURS * 3600)
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    cookie(state, SESSION_COOKIE, "", 0)
}

/// A signed-in member of staff with a completed second factor where one is required.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: StaffUser,
    pub actor: Actor,
    pub session: Session,
    pub raw_session: String,
}

impl Staff {
    pub fn origin(&self, request_id: Option<&str>, client: Option<String>) -> Origin {
        Origin {
            actor: format!("staff:{}", self.user.id),
            role: self.user.role.as_str().to_owned(),
            request_id: request_id.map(str::to_owned),
            client_addr: client,
        }
    }

    pub fn kommunkod(&self) -> Option<&str> {
        self.user.kommunkod.as_ref().map(Kommunkod::as_str)
    }
}

pub fn actor_of(user: &StaffUser, units: Vec<i64>) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
        kommunkod: user.kommunkod,
        units,
    }
}

/// The session behind the request's cookie, whatever its state.
pub async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Session, String)>, PageError> {
    let Some(raw) = cookie_value(headers, SESSION_COOKIE).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let idle = Duration::minutes(signin::IDLE_MINUTES);
    Ok(
        store::sessions::lookup(&state.db, &raw, state.clock.now(), idle)
            .await?
            .map(|s| (s, raw)),
    )
}

/// The signed-in staff member, if the session is complete and the account still active.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Staff>, PageError> {
    let Some(raw) = cookie_value(headers, SESSION_COOKIE).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let idle = Duration::minutes(signin::IDLE_MINUTES);
    // One query: the session, its account and units.
    let Some((session, user, units)) =
        store::sessions::lookup_user(&state.db, &raw, state.clock.now(), idle).await?
    else {
        return Ok(None);
    };
    if !session.mfa_done || user.disabled {
        return Ok(None);
    }
    let actor = actor_of(&user, units);
    Ok(Some(Staff {
        user,
        actor,
        session,
        raw_session: raw,
    }))
}

pub enum SignIn {
    /// Signed in; the new session's id.
    Done(String),
    /// Password right; a code from the authenticator app is next.
    NeedsCode(String),
    /// Password right; the account must set up a second factor first.
    NeedsEnrolment(String),
    WrongCredentials,
    TooManyAttempts,
}

/// Administrators always need a second factor (they grant access to personal data); case
/// readers unless their municipality has turned it off.
async fn mfa_required(state: &AppState, user: &StaffUser) -> Result<bool, PageError> {
    if !user.role.reads_cases() {
        return Ok(true);
    }
    Ok(match &user.kommunkod {
        Some(k) => store::municipalities::settings(&state.db, k.as_str())
            .await?
            .is_none_or(|s| s.require_mfa),
        None => true,
    })
}

fn failed_event(origin: &Origin, creds: Option<&Credentials>, action: &str) -> audit::AuditEvent {
    let mut o = origin.clone();
    o.actor = creds.map_or_else(|| "unknown".to_owned(), |c| format!("staff:{}", c.user.id));
    o.role = creds.map_or_else(String::new, |c| c.user.role.as_str().to_owned());
    let kommun = creds.and_then(|c| c.user.kommunkod.as_ref().map(Kommunkod::as_str));
    o.event(
        kommun,
        action,
        "staff_user",
        creds.map(|c| c.user.id.to_string()),
    )
}

/// Checks e-mail and password, within the attempt limits, and starts a session.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    origin: &Origin,
) -> Result<SignIn, PageError> {
    let now = state.clock.now();
    let since = now - Duration::minutes(signin::WINDOW_MINUTES);
    let addr = origin.client_addr.as_deref();
    let failures = store::sessions::recent_failures(&state.db, email, addr, since).await?;
    let creds = store::staff::credentials(&state.db, email).await?;
    if signin::gate(failures) != Gate::Open {
        store::sessions::record_attempt(&state.db, email, addr, false, now).await?;
        audit::append_now(
            &state.db,
            now,
            &failed_event(origin, creds.as_ref(), "auth.sign_in_blocked"),
        )
        .await?;
        return Ok(SignIn::TooManyAttempts);
    }
    let password_ok = match &creds {
        Some(c) => verify_password(&c.password_hash, password),
        None => {
            let _ = verify_password(dummy_hash(state.config.hash_cost), password);
            false
        }
    };
    let creds = match creds {
        Some(c) if password_ok && !c.user.disabled => c,
        other => {
            store::sessions::record_attempt(&state.db, email, addr, false, now).await?;
            audit::append_now(
                &state.db,
                now,
                &failed_event(origin, other.as_ref(), "auth.sign_in_failed"),
            )
            .await?;
            return Ok(SignIn::WrongCredentials);
        }
    };
    store::sessions::record_attempt(&state.db, email, addr, true, now).await?;
    let needs_code = creds.totp_secret.is_some();
    let needs_enrolment = !needs_code && mfa_required(state, &creds.user).await?;
    let complete = !needs_code && !needs_enrolment;
    let raw = store::sessions::create(
        &state.db,
        creds.user.id,
        complete,
        now,
        Duration::hours(signin::ABSOLUTE_HOURS),
        addr,
    )
    .await?;
    let mut o = origin.clone();
    o.actor = format!("staff:{}", creds.user.id);
    o.role = creds.user.role.as_str().to_owned();
    let action = if complete {
        "auth.sign_in"
    } else {
        "auth.password_accepted"
    };
    audit::append_now(
        &state.db,
        now,
        &o.event(
            creds.user.kommunkod.as_ref().map(Kommunkod::as_str),
            action,
            "staff_user",
            Some(creds.user.id.to_string()),
        ),
    )
    .await?;
    Ok(if needs_code {
        SignIn::NeedsCode(raw)
    } else if needs_enrolment {
        SignIn::NeedsEnrolment(raw)
    } else {
        SignIn::Done(raw)
    })
}

pub enum SecondFactor {
    /// Accepted; the session's new id.
    Done(String),
    Wrong,
    /// Too many wrong codes: the session is ended.
    TooManyAttempts,
}

/// Checks a code from the authenticator app, or a recovery code, for a half-open session.
pub async fn verify_second_factor(
    state: &AppState,
    session: &Session,
    raw: &str,
    code: &str,
    origin: &Origin,
) -> Result<SecondFactor, PageError> {
    let now = state.clock.now();
    let Some(creds) = store::staff::credentials_by_id(&state.db, session.user_id).await? else {
        return Ok(SecondFactor::Wrong);
    };
    let mut o = origin.clone();
    o.actor = format!("staff:{}", creds.user.id);
    o.role = creds.user.role.as_str().to_owned();
    let kommun = creds.user.kommunkod;
    let since = now - Duration::minutes(signin::WINDOW_MINUTES);
    let failures = store::sessions::recent_failures(
        &state.db,
        &creds.user.email,
        o.client_addr.as_deref(),
        since,
    )
    .await?;
    if signin::gate(failures) != Gate::Open {
        store::sessions::revoke(&state.db, raw, now).await?;
        audit::append_now(
            &state.db,
            now,
            &o.event(
                kommun.as_ref().map(Kommunkod::as_str),
                "auth.second_factor_blocked",
                "staff_user",
                Some(creds.user.id.to_string()),
            ),
        )
        .await?;
        return Ok(SecondFactor::TooManyAttempts);
    }
    let secret = creds
        .totp_secret
        .as_deref()
        .and_then(|s| TotpSecret::from_base32(s).ok());
    let by_code = match &secret {
        Some(secret) => match totp::verify(secret, code, now.timestamp(), creds.totp_last_step) {
            Some(step) => store::staff::use_totp_step(&state.db, creds.user.id, step).await?,
            None => false,
        },
        None => false,
    };
    let ok = by_code || {
        let normalized = totp::normalize_recovery_code(code);
        normalized.len() == 10
            && store::staff::use_recovery_code(
                &state.db,
                creds.user.id,
                &totp::hash_recovery_code(&normalized),
                now,
            )
            .await?
    };
    if !ok {
        store::sessions::record_attempt(
            &state.db,
            &creds.user.email,
            o.client_addr.as_deref(),
            false,
            now,
        )
        .await?;
        audit::append_now(
            &state.db,
            now,
            &o.event(
                kommun.as_ref().map(Kommunkod::as_str),
                "auth.second_factor_failed",
                "staff_user",
                Some(creds.user.id.to_string()),
            ),
        )
        .await?;
        return Ok(SecondFactor::Wrong);
    }
    finish(
        state,
        raw,
        &o,
        kommun.as_ref().map(Kommunkod::as_str),
        creds.user.id,
        if by_code {
            "auth.sign_in"
        } else {
            "auth.sign_in_recovery_code"
        },
    )
    .await
}

/// Completes sign-in: a new session id (the old one stops working) and the audit row.
async fn finish(
    state: &AppState,
    raw: &str,
    o: &Origin,
    kommun: Option<&str>,
    user_id: i64,
    action: &str,
) -> Result<SecondFactor, PageError> {
    let now = state.clock.now();
    let Some(new_raw) = store::sessions::rotate(&state.db, raw, true, now).await? else {
        return Ok(SecondFactor::Wrong);
    };
    audit::append_now(
        &state.db,
        now,
        &o.event(kommun, action, "staff_user", Some(user_id.to_string())),
    )
    .await?;
    Ok(SecondFactor::Done(new_raw))
}

/// The secret being enrolled in this session, made on first ask.
pub async fn pending_secret(
    state: &AppState,
    session: &Session,
    raw: &str,
) -> Result<TotpSecret, PageError> {
    if let Some(s) = session
        .pending_totp
        .as_deref()
        .and_then(|s| TotpSecret::from_base32(s).ok())
    {
        return Ok(s);
    }
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = TotpSecret::from_bytes(bytes.to_vec());
    store::sessions::set_pending_totp(&state.db, raw, session.user_id, Some(&secret.to_base32()))
        .await?;
    Ok(secret)
}

pub enum Enrolled {
    /// The new session id and the recovery codes, shown once.
    Done(String, Vec<String>),
    Wrong,
}

/// Confirms enrolment with the first code: stores the secret, makes recovery codes, and
/// completes sign-in.
pub async fn confirm_enrolment(
    state: &AppState,
    session: &Session,
    raw: &str,
    code: &str,
    origin: &Origin,
) -> Result<Enrolled, PageError> {
    let now = state.clock.now();
    let Some(secret) = session
        .pending_totp
        .as_deref()
        .and_then(|s| TotpSecret::from_base32(s).ok())
    else {
        return Ok(Enrolled::Wrong);
    };
    let Some(user) = store::staff::by_id(&state.db, session.user_id).await? else {
        return Ok(Enrolled::Wrong);
    };
    let mut o = origin.clone();
    o.actor = format!("staff:{}", user.id);
    o.role = user.role.as_str().to_owned();
    let Some(step) = totp::verify(&secret, code, now.timestamp(), None) else {
        audit::append_now(
            &state.db,
            now,
            &o.event(
                user.kommunkod.as_ref().map(Kommunkod::as_str),
                "auth.enrolment_failed",
                "staff_user",
                Some(user.id.to_string()),
            ),
        )
        .await?;
        return Ok(Enrolled::Wrong);
    };
    store::staff::set_totp(&state.db, user.id, Some(&secret.to_base32()), now, &o).await?;
    store::staff::use_totp_step(&state.db, user.id, step).await?;
    let codes: Vec<String> = (0..10)
        .map(|_| {
            let mut b = [0u8; 8];
            rand::thread_rng().fill_bytes(&mut b);
            totp::format_recovery_code(b)
        })
        .collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| totp::hash_recovery_code(&totp::normalize_recovery_code(c)))
        .collect();
    store::staff::replace_recovery_codes(&state.db, user.id, &hashes).await?;
    store::sessions::set_pending_totp(&state.db, raw, user.id, None).await?;
    match finish(
        state,
        raw,
        &o,
        user.kommunkod.as_ref().map(Kommunkod::as_str),
        user.id,
        "auth.sign_in",
    )
    .await?
    {
        SecondFactor::Done(new_raw) => Ok(Enrolled::Done(new_raw, codes)),
        _ => Ok(Enrolled::Wrong),
    }
}

/// An SVG QR code for the authenticator app, drawn on the server (no script needed).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
    )
}

pub async fn sign_out(
    state: &AppState,
    staff: &Staff,
    everywhere: bool,
    origin: &Origin,
) -> Result<(), PageError> {
    let now = state.clock.now();
    let action = if everywhere {
        store::sessions::revoke_all(&state.db, staff.user.id, now).await?;
        "auth.sign_out_everywhere"
    } else {
        store::sessions::revoke(&state.db, &staff.raw_session, now).await?;
        "auth.sign_out"
    };
    audit::append_now(
        &state.db,
        now,
        &origin.event(
            staff.kommunkod(),
            action,
            "staff_user",
            Some(staff.user.id.to_string()),
        ),
    )
    .await?;
    Ok(())
}
