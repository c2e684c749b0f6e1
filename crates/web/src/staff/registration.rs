//! Two pages around assessed support: staff register an application that came by phone,
//! letter or visit (`/personal/ansokningar/ny`), and a municipal administrator adjusts the
//! wording of the letters (`/personal/admin/brevtexter`).

use super::auth::{self, Staff};
use super::pages::{
    field, message, or_error, posted, render, staff_origin, to_sign_in, StaffLayout,
};
use crate::error::PageError;
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::assessed::{Applicable, RawApplication};
use domain::policy::{can, Action, Decision, Resource};
use std::net::SocketAddr;

type Rid = Option<Extension<RequestId>>;

#[derive(Template)]
#[template(path = "staff/application_new.html")]
struct NewApplicationPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    entries: Vec<Applicable>,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

impl NewApplicationPage<'_> {
    fn val(&self, name: &str) -> String {
        field(&self.values, name).to_owned()
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }
    fn err(&self, name: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Staff who may register applications: those who read the municipality's inbox.
fn may_register(staff: &Staff) -> bool {
    staff.actor.kommunkod.is_some_and(|k| {
        can(&staff.actor, Action::OpenCase, &Resource::Municipality(k)) == Decision::Allow
    })
}

async fn application_page(
    state: &AppState,
    staff: &Staff,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let kommun = staff.actor.kommunkod.ok_or(PageError::NotFound)?;
    let entries = crate::assessed::applicable(state, kommun.as_str()).await?;
    let title = if errors.is_empty() {
        t.get("application-new-title")
    } else {
        t.get1(
            "form-title-with-errors",
            "title",
            &t.get("application-new-title"),
        )
    };
    let p = NewApplicationPage {
        l: StaffLayout::signed_in(t, title, staff, "inbox"),
        csrf: staff.session.csrf_token.clone(),
        entries,
        values,
        errors,
    };
    render(status, &p)
}

pub async fn new_application(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let Some(staff) = auth::current(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        if !may_register(&staff) {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let values = vec![
            ("received_on".to_owned(), state.clock.today().to_string()),
            ("channel".to_owned(), "phone".to_owned()),
            ("assign".to_owned(), "yes".to_owned()),
        ];
        application_page(&state, &staff, values, Vec::new(), StatusCode::OK).await
    }
    .await;
    or_error(&state, r)
}

pub async fn register_application(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(p) => p,
            Err(answer) => return Ok(answer),
        };
        if !may_register(&staff) {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let kommun = staff.actor.kommunkod.ok_or(PageError::NotFound)?;
        let raw = RawApplication {
            name: field(&f, "name").to_owned(),
            personnummer: field(&f, "personnummer").to_owned(),
            phone: field(&f, "phone").to_owned(),
            email: field(&f, "email").to_owned(),
            role: field(&f, "role").to_owned(),
            recipient_name: field(&f, "recipient_name").to_owned(),
            requested: f
                .iter()
                .filter(|(k, _)| k == "requested")
                .map(|(_, v)| v.clone())
                .collect(),
            free_text: field(&f, "free_text").to_owned(),
            received_on: field(&f, "received_on").to_owned(),
            // Staff register what came by phone, letter or visit; the e-service is the portal.
            channel: match field(&f, "channel") {
                "online" | "api" => "phone".to_owned(),
                c => c.to_owned(),
            },
            message: field(&f, "message").to_owned(),
            consent: field(&f, "consent") == "yes",
        };
        let origin = staff_origin(&staff, &rid, addr);
        match crate::assessed::submit_application(
            &state,
            kommun.as_str(),
            &raw,
            Some(staff.user.id),
            &origin,
        )
        .await?
        {
            Ok(s) => {
                if field(&f, "assign") == "yes" {
                    store::assessed::take(
                        &state.db,
                        kommun.as_str(),
                        s.case_id,
                        staff.user.id,
                        staff.actor.units.first().copied(),
                        state.clock.now(),
                        &origin,
                    )
                    .await?;
                    return Ok(
                        Redirect::to(&format!("/personal/arenden/{}/bistand", s.case_id))
                            .into_response(),
                    );
                }
                Ok(Redirect::to("/personal/inkorg?slag=ansokan").into_response())
            }
            Err(errors) => {
                let t = state.texts(&staff.user.language);
                let errors = errors
                    .into_iter()
                    .flat_map(|(k, ids)| ids.into_iter().map(move |i| (k, i)))
                    .map(|(k, i)| (k.to_owned(), t.get(i)))
                    .collect();
                application_page(&state, &staff, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
        }
    }
    .await;
    or_error(&state, r)
}

// ---- Letter texts ----

#[derive(Template)]
#[template(path = "staff/letter_blocks.html")]
struct BlocksPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    /// (code, label, current text, whether it is the municipality's own)
    blocks: Vec<(String, String, String, bool)>,
    today: String,
    error: Option<(String, String)>,
}

impl BlocksPage<'_> {
    fn failed_on(&self, code: &str) -> bool {
        self.error.as_ref().is_some_and(|(c, _)| c == code)
    }
}

fn may_configure(staff: &Staff) -> bool {
    staff.actor.kommunkod.is_some_and(|k| {
        can(
            &staff.actor,
            Action::ConfigureMunicipality,
            &Resource::Municipality(k),
        ) == Decision::Allow
    })
}

async fn blocks_page(
    state: &AppState,
    staff: &Staff,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let kommun = staff.actor.kommunkod.ok_or(PageError::NotFound)?;
    let today = state.clock.today();
    let shipped =
        domain::letter_text::Blocks::shipped().map_err(|e| PageError::internal(e.to_string()))?;
    let mut blocks = Vec::new();
    for code in shipped.codes() {
        let own = store::assessed::letter_block(&state.db, kommun.as_str(), code, today).await?;
        let text = own
            .clone()
            .or_else(|| shipped.get(code, today).map(str::to_owned))
            .unwrap_or_default();
        blocks.push((
            code.to_owned(),
            t.get(&format!("letter-block-{code}")),
            text,
            own.is_some(),
        ));
    }
    let p = BlocksPage {
        l: StaffLayout::signed_in(t, t.get("letter-blocks-title"), staff, "letters"),
        csrf: staff.session.csrf_token.clone(),
        blocks,
        today: today.to_string(),
        error,
    };
    render(status, &p)
}

pub async fn letter_blocks(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let Some(staff) = auth::current(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        if !may_configure(&staff) {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        blocks_page(&state, &staff, None, StatusCode::OK).await
    }
    .await;
    or_error(&state, r)
}

pub async fn save_letter_block(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(p) => p,
            Err(answer) => return Ok(answer),
        };
        if !may_configure(&staff) {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let kommun = staff.actor.kommunkod.ok_or(PageError::NotFound)?;
        let shipped = domain::letter_text::Blocks::shipped()
            .map_err(|e| PageError::internal(e.to_string()))?;
        let code = field(&f, "code");
        if !shipped.codes().contains(&code) {
            return Err(PageError::NotFound);
        }
        let t = state.texts(&staff.user.language);
        let text = domain::assessed::validate_text("body", field(&f, "body"), 10);
        let mut errors = domain::case::Errors::new();
        let from =
            domain::assessed::parse_date(&mut errors, "valid_from", field(&f, "valid_from"), true);
        match (text, from) {
            (Ok(body), Some(from)) => {
                store::assessed::set_letter_block(
                    &state.db,
                    kommun.as_str(),
                    code,
                    &body,
                    from,
                    staff.user.id,
                    state.clock.now(),
                    &staff_origin(&staff, &rid, addr),
                )
                .await?;
                Ok(
                    Redirect::to(&format!("/personal/admin/brevtexter#block-{code}"))
                        .into_response(),
                )
            }
            (Err(e), _) => {
                let msg = e
                    .values()
                    .flatten()
                    .map(|id| t.get(id))
                    .collect::<Vec<_>>()
                    .join(" ");
                blocks_page(
                    &state,
                    &staff,
                    Some((code.to_owned(), msg)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            (_, None) => {
                let msg = errors
                    .values()
                    .flatten()
                    .map(|id| t.get(id))
                    .collect::<Vec<_>>()
                    .join(" ");
                blocks_page(
                    &state,
                    &staff,
                    Some((code.to_owned(), msg)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    or_error(&state, r)
}
