//! Two pages around assessed support: staff register an application that came by phone,
//! letter or visit (`/personal/ansokningar/ny`), and a municipal administrator adjusts the
//! wording of the letters (`/personal/admin/brevtexter`).

use super::pages::{field, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::{Allowed, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::assessed::{Applicable, RawApplication};
use domain::{FieldErrors, Kommunkod};
use serde::Deserialize;
use store::assessed::Taken;

#[derive(Template)]
#[template(path = "staff/application_new.html")]
struct NewApplicationPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    entries: Vec<Applicable>,
    values: Vec<(String, String)>,
    errors: FormErrors,
}

impl NewApplicationPage<'_> {
    fn val(&self, name: &str) -> String {
        field(&self.values, name).to_owned()
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }
    fn err(&self, name: &str) -> String {
        self.errors.message(name)
    }
}

// Staff who may register applications are those who may open cases in the municipality
// (`Allowed<act::OpenCase>`).

async fn application_page(
    state: &AppState,
    ctx: &StaffCtx,
    kommun: Kommunkod,
    values: Vec<(String, String)>,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
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
        l: StaffLayout::signed_in(t, title, &ctx.staff, "inbox"),
        csrf: ctx.csrf().to_owned(),
        entries,
        values,
        errors: FormErrors::plain(t, &errors, &[]),
    };
    render(status, &p)
}

pub async fn new_application(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OpenCase>,
) -> Result<Response, PageError> {
    let values = vec![
        ("received_on".to_owned(), state.clock.today().to_string()),
        ("channel".to_owned(), "phone".to_owned()),
        ("assign".to_owned(), "yes".to_owned()),
    ];
    application_page(
        &state,
        &ctx,
        kommun,
        values,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The application form has a checkbox list (`requested`) and comes back with its values
/// when it has errors, so the body stays the posted pairs.
pub async fn register_application(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OpenCase>,
    StaffForm(f): StaffForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
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
    match crate::assessed::submit_application(
        &state,
        kommun.as_str(),
        &raw,
        Some(staff.user.id),
        origin,
    )
    .await?
    {
        Ok(s) => {
            if field(&f, "assign") == "yes" {
                let taken = store::assessed::take(
                    &state.db,
                    &staff.actor,
                    s.case_id,
                    None,
                    state.clock.now(),
                    origin,
                )
                .await?;
                match taken {
                    Taken::Taken => {
                        return Ok(Redirect::to(&format!(
                            "/personal/arenden/{}/bistand",
                            s.case_id
                        ))
                        .into_response())
                    }
                    // The applicant is in a colleague's case: registered, and waiting in the
                    // inbox unless the officer gives a reason to take it.
                    Taken::NeedsReason => {
                        return super::assessed::ask_reason(&state, &ctx, s.case_id, false)
                    }
                    Taken::Gone | Taken::Denied => {}
                }
            }
            Ok(Redirect::to("/personal/inkorg?slag=ansokan").into_response())
        }
        Err(errors) => {
            application_page(
                &state,
                &ctx,
                kommun,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
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

async fn blocks_page(
    state: &AppState,
    ctx: &StaffCtx,
    kommun: Kommunkod,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
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
        l: StaffLayout::signed_in(t, t.get("letter-blocks-title"), &ctx.staff, "letters"),
        csrf: ctx.csrf().to_owned(),
        blocks,
        today: today.to_string(),
        error,
    };
    render(status, &p)
}

pub async fn letter_blocks(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ConfigureMunicipality>,
) -> Result<Response, PageError> {
    blocks_page(&state, &ctx, kommun, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LetterBlockForm {
    code: String,
    body: String,
    valid_from: String,
}

pub async fn save_letter_block(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ConfigureMunicipality>,
    StaffForm(form): StaffForm<LetterBlockForm>,
) -> Result<Response, PageError> {
    let shipped =
        domain::letter_text::Blocks::shipped().map_err(|e| PageError::internal(e.to_string()))?;
    let code = form.code.as_str();
    if !shipped.codes().contains(&code) {
        return Err(PageError::NotFound);
    }
    let t = ctx.texts(&state);
    let text = domain::assessed::validate_text("body", &form.body, 10);
    let mut errors = FieldErrors::new();
    let from = domain::assessed::parse_date(&mut errors, "valid_from", &form.valid_from, true);
    match (text, from) {
        (Ok(body), Some(from)) => {
            store::assessed::set_letter_block(
                &state.db,
                kommun.as_str(),
                code,
                &body,
                from,
                ctx.staff.user.id,
                state.clock.now(),
                &ctx.origin,
            )
            .await?;
            Ok(Redirect::to(&format!("/personal/admin/brevtexter#block-{code}")).into_response())
        }
        (Err(e), _) => {
            let msg = FormErrors::plain(t, &e, &[]).all();
            blocks_page(
                &state,
                &ctx,
                kommun,
                Some((code.to_owned(), msg)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        (_, None) => {
            let msg = FormErrors::plain(t, &errors, &[]).all();
            blocks_page(
                &state,
                &ctx,
                kommun,
                Some((code.to_owned(), msg)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
