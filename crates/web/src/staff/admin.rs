//! Account administration for municipal administrators (their municipality) and system
//! administrators (the installation): list, add, disable, enable, new password, and reset of
//! the second factor. Every change is audited; nobody here reads a case.

use super::auth::Staff;
use super::pages::{render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::{ids, Id, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::{can, Action, Decision, Resource};
use domain::staff::Role;
use domain::{FieldErrors, Kommunkod};
use serde::de::IgnoredAny;
use serde::Deserialize;
use store::staff::StaffUser;

/// The `{what}` of a change to an account.
#[derive(Deserialize)]
pub struct Change {
    what: String,
}

/// The municipality whose accounts are shown: the admin's own, or the one a system
/// administrator picked.
fn scope(staff: &Staff, asked: &str) -> Option<Kommunkod> {
    match staff.actor.role {
        Role::SystemAdmin => Kommunkod::parse(asked).ok(),
        _ => staff.actor.kommunkod,
    }
}

fn may_manage(staff: &Staff, kommun: Option<Kommunkod>) -> bool {
    match kommun {
        Some(k) => {
            can(
                &staff.actor,
                Action::ManageStaff,
                &Resource::Municipality(k),
            ) == Decision::Allow
        }
        // Accounts outside municipalities belong to the installation.
        None => can(&staff.actor, Action::ManageStaff, &Resource::Installation) == Decision::Allow,
    }
}

pub struct Account {
    pub u: StaffUser,
    pub role: String,
}

#[derive(Template)]
#[template(path = "staff/admin.html")]
struct AdminPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    kommun: String,
    system_admin: bool,
    accounts: Vec<Account>,
    roles: Vec<(&'static str, String)>,
    errors: FormErrors,
    notice: Option<String>,
    email: String,
    name: String,
}

struct Outcome {
    errors: FieldErrors,
    notice: Option<String>,
    email: String,
    name: String,
}

async fn admin_page(
    state: &AppState,
    staff: &Staff,
    kommun: Option<Kommunkod>,
    o: Outcome,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let system_admin = staff.actor.role == Role::SystemAdmin;
    let accounts = match kommun {
        Some(k) => store::staff::list(&state.db, Some(k.as_str())).await?,
        None => store::staff::list(&state.db, None)
            .await?
            .into_iter()
            .filter(|u| u.kommunkod.is_none())
            .collect(),
    };
    let roles = Role::ALL
        .iter()
        .filter(|r| domain::policy::may_grant_role(&staff.actor, **r))
        .map(|r| (r.as_str(), t.get(&format!("role-{}", r.as_str()))))
        .collect();
    let p = AdminPage {
        l: StaffLayout::signed_in(t, t.get("admin-title"), staff, "admin"),
        csrf: staff.session.csrf_token.clone(),
        kommun: kommun.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        system_admin,
        accounts: accounts
            .into_iter()
            .map(|u| Account {
                role: t.get(&format!("role-{}", u.role)),
                u,
            })
            .collect(),
        roles,
        errors: FormErrors::plain(t, &o.errors, &["email", "name", "role", "kommun"]),
        notice: o.notice,
        email: o.email,
        name: o.name,
    };
    render(status, &p)
}

fn empty() -> Outcome {
    Outcome {
        errors: FieldErrors::new(),
        notice: None,
        email: String::new(),
        name: String::new(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: StaffCtx,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let staff = &ctx.staff;
    let asked = q
        .as_deref()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "kommun")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let kommun = scope(staff, &asked);
    if !may_manage(staff, kommun) {
        return Err(PageError::Forbidden);
    }
    admin_page(&state, staff, kommun, empty(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    role: String,
    kommun: String,
    email: String,
    name: String,
    unit: String,
}

pub async fn add(
    State(state): State<AppState>,
    ctx: StaffCtx,
    StaffForm(form): StaffForm<AccountForm>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let t = ctx.texts(&state);
    let role = Role::parse(&form.role);
    let kommun = if role == Some(Role::SystemAdmin) {
        None
    } else {
        scope(staff, &form.kommun)
    };
    if !may_manage(staff, kommun)
        || role.is_some_and(|r| !domain::policy::may_grant_role(&staff.actor, r))
    {
        return Err(PageError::Forbidden);
    }
    let email = form.email.trim().to_owned();
    let name = form.name.trim().to_owned();
    let mut errors = FieldErrors::new();
    if !domain::contact::is_plausible_email(&email) {
        errors.add("email", "error-email");
    }
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "admin-error-name");
    }
    let Some(role) = role else {
        errors.add("role", "error-unknown-choice");
        return admin_page(
            &state,
            staff,
            kommun,
            Outcome {
                errors,
                email,
                name,
                ..empty()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if role != Role::SystemAdmin && kommun.is_none() {
        errors.add("kommun", "admin-error-kommun");
    }
    if !errors.is_empty() {
        return admin_page(
            &state,
            staff,
            kommun,
            Outcome {
                errors,
                email,
                name,
                ..empty()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // The holder chooses the password through a link sent to them; the administrator never
    // sees a password.
    let k = kommun.map(|k| k.as_str().to_owned());
    let now = state.clock.now();
    let token = store::password_links::new_token();
    let mail = crate::mails::Mails::new(&state).invitation(k.as_deref(), &email, &token, now)?;
    let unit = form.unit.trim();
    let account = store::staff::NewAccount {
        kommunkod: k.as_deref(),
        email: &email,
        display_name: &name,
        role: role.as_str(),
        unit: (!unit.is_empty()).then_some(unit),
        is_demo: false,
    };
    let created =
        store::password_links::invite(&state.db, &account, &token, mail, now, origin).await?;
    if created.is_none() {
        let errors = FieldErrors::one("email", "admin-error-exists");
        return admin_page(
            &state,
            staff,
            kommun,
            Outcome {
                errors,
                email,
                name,
                ..empty()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let o = Outcome {
        notice: Some(t.get1("admin-created", "email", &email)),
        ..empty()
    };
    admin_page(&state, staff, kommun, o, StatusCode::OK).await
}

/// One change to an existing account: disable, enable, new password or reset second factor.
pub async fn change(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::StaffAccount>,
    Path(Change { what }): Path<Change>,
    StaffForm(_): StaffForm<IgnoredAny>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let id = id.get();
    let target = store::staff::by_id(&state.db, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let kommun = target.kommunkod;
    // Another municipality's account does not exist for a municipal admin.
    if !may_manage(staff, kommun) {
        return Err(PageError::NotFound);
    }
    // One's own password is changed at /personal/konto, knowing the current one.
    if target.id == staff.user.id {
        return Err(PageError::ForbiddenBecause("admin-error-self"));
    }
    let t = ctx.texts(&state);
    let now = state.clock.now();
    let mut o = empty();
    match what.as_str() {
        "inaktivera" => {
            store::staff::set_disabled(&state.db, id, true, now, origin).await?;
            o.notice = Some(t.get1("admin-disabled", "email", &target.email));
        }
        "aktivera" => {
            store::staff::set_disabled(&state.db, id, false, now, origin).await?;
            o.notice = Some(t.get1("admin-enabled", "email", &target.email));
        }
        "nytt-losenord" => {
            // The holder chooses the new password through a link sent to them; the
            // administrator sees neither a password nor the link.
            let token = store::password_links::new_token();
            let mail = crate::mails::Mails::new(&state).password_link(
                id,
                kommun.as_ref().map(Kommunkod::as_str),
                &target.email,
                &token,
                now,
            )?;
            store::password_links::reset(&state.db, id, &token, &mail, now, origin).await?;
            o.notice = Some(t.get1("admin-password-link-sent", "email", &target.email));
        }
        "nollstall-tvastegs" => {
            store::staff::reset_second_factor(&state.db, id, now, origin).await?;
            o.notice = Some(t.get1("admin-totp-reset", "email", &target.email));
        }
        _ => return Err(PageError::NotFound),
    }
    admin_page(&state, staff, kommun, o, StatusCode::OK).await
}
