//! Final steps ask first, on a page of their own: forwarding an appeal to the court,
//! dismissing one, closing a case or a request, cancelling an activity or a sign-up. The
//! step's form posts once; the answer is this page, with what will happen, the posted values
//! hidden, and one button that posts them again with `_confirmed=yes`. It works without
//! JavaScript, and nothing changes until the officer confirms.

use super::pages::{render, StaffLayout};
use crate::error::PageError;
use crate::http::StaffCtx;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

/// The field the confirmation page adds to the form it posts again.
pub const CONFIRMED: &str = "_confirmed";

/// Whether the posted pairs carry the confirmation.
pub fn given(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| k == CONFIRMED && v == "yes")
}

/// What the page asks, in the member of staff's language.
pub struct Question {
    /// The page's heading: the question itself.
    pub title: String,
    /// What the step records, as label and value.
    pub facts: Vec<(String, String)>,
    /// What follows from it, and whether it can be undone.
    pub consequence: String,
    /// The confirming button's words.
    pub button: String,
    /// Where the form posts again.
    pub action: String,
    /// Where "Avbryt" leads: back to where the officer came from.
    pub back: String,
}

impl Question {
    /// The question of a step by its name: its words are the messages `confirm-{step}-title`,
    /// `-consequence` and `-button`.
    pub fn asking(
        t: &crate::i18n::I18n,
        step: &str,
        facts: Vec<(String, String)>,
        action: String,
        back: String,
    ) -> Self {
        Question {
            title: t.get(&format!("confirm-{step}-title")),
            facts,
            consequence: t.get(&format!("confirm-{step}-consequence")),
            button: t.get(&format!("confirm-{step}-button")),
            action,
            back,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/confirm.html")]
struct ConfirmPage<'a> {
    l: StaffLayout<'a>,
    q: Question,
    csrf: String,
    /// The posted values, sent again as they were.
    hidden: Vec<(String, String)>,
}

/// The confirmation page for `pairs` (the form as posted).
pub fn page(
    state: &AppState,
    ctx: &StaffCtx,
    current: &'static str,
    q: Question,
    pairs: &[(String, String)],
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
    let hidden = pairs
        .iter()
        .filter(|(k, _)| k != "_csrf" && k != CONFIRMED)
        .cloned()
        .collect();
    render(
        StatusCode::OK,
        &ConfirmPage {
            l: StaffLayout::signed_in(t, q.title.clone(), &ctx.staff, current),
            csrf: ctx.csrf().to_owned(),
            hidden,
            q,
        },
    )
}
