//! Handlers of the staff workspace. They parse, ask the policy, call auth or the store, and
//! render; the rules live in `domain`.

use super::auth::{self, Enrolled, SecondFactor, SignIn, Staff};
use crate::error::WebError;
use crate::i18n::I18n;
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use domain::policy::{can, Action, Decision, Resource};
use domain::staff::Role;
use std::net::SocketAddr;
use store::audit::Origin;
use store::contact_requests::{Holder, InboxItem, InboxQuery};

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
    fn anonymous(t: &'a I18n, title: String) -> Self {
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
            reviews: allows(staff, Action::ReviewAudit),
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

pub(super) fn render(status: StatusCode, t: &impl Template) -> Result<Response, WebError> {
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

fn origin(request_id: &Option<Extension<RequestId>>, addr: SocketAddr) -> Origin {
    Origin {
        actor: "anonymous".into(),
        role: String::new(),
        request_id: request_id.as_ref().map(|r| r.0 .0.clone()),
        client_addr: Some(addr.ip().to_string()),
    }
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

/// Renders internal errors as a plain page, and logs them.
pub(super) fn or_error(state: &AppState, r: Result<Response, WebError>) -> Response {
    match r {
        Ok(r) => r,
        Err(WebError::NotFound) => message(
            state,
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found-text",
            None,
        ),
        Err(WebError::Internal(detail)) => {
            tracing::error!(error = %detail, "internal error");
            message(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-internal-title",
                "staff-error-internal-text",
                None,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "staff/message.html")]
struct MessagePage<'a> {
    l: StaffLayout<'a>,
    heading: String,
    text: String,
}

pub(super) fn message(
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

/// The start page of the session's user.
async fn landing(state: &AppState, raw: &str) -> &'static str {
    let idle = chrono::Duration::minutes(domain::staff::signin::IDLE_MINUTES);
    match store::sessions::lookup(&state.db, raw, state.clock.now(), idle).await {
        Ok(Some(s)) => match store::staff::by_id(&state.db, s.user_id).await {
            Ok(Some(u)) => start_page(&u.role),
            _ => "/personal",
        },
        _ => "/personal",
    }
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::current(&state, &headers).await {
        Ok(Some(s)) if !s.actor.role.reads_cases() => {
            Redirect::to("/personal/admin/anvandare").into_response()
        }
        Ok(Some(s)) => Redirect::to(start_page(&s.user.role)).into_response(),
        Ok(None) => to_sign_in(),
        Err(e) => or_error(&state, Err(e)),
    }
}

// ---- Sign-in ----

#[derive(Template)]
#[template(path = "staff/sign_in.html")]
struct SignInPage<'a> {
    l: StaffLayout<'a>,
    email: String,
    csrf: String,
    errors: Vec<(&'static str, String)>,
    notice: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    email: String,
    errors: Vec<(&'static str, String)>,
    notice: Option<String>,
) -> Response {
    let t = &state.t;
    let csrf = auth::random_hex(32);
    let title = if errors.is_empty() {
        t.get("signin-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("signin-title"))
    };
    let p = SignInPage {
        l: StaffLayout::anonymous(t, title),
        email,
        csrf: csrf.clone(),
        errors,
        notice,
    };
    match p.render() {
        // The form's token is also in a cookie; a cross-site form cannot know it (double submit).
        Ok(html) => with_cookie(
            page(status, html),
            auth::cookie(state, auth::LOGIN_CSRF_COOKIE, &csrf, 3600),
        ),
        Err(e) => or_error(state, Err(e.into())),
    }
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Ok(Some(staff)) = auth::current(&state, &headers).await {
        return Redirect::to(start_page(&staff.user.role)).into_response();
    }
    let notice = q
        .as_deref()
        .filter(|q| q.contains("utloggad=1"))
        .map(|_| state.t.get("signin-signed-out"));
    sign_in_page(&state, StatusCode::OK, String::new(), Vec::new(), notice)
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let t = &state.t;
    let f = form(&body);
    let email = field(&f, "email").trim().to_owned();
    let password = field(&f, "password");
    let cookie_token = auth::cookie_value(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !auth::same_secret(&cookie_token, field(&f, "_csrf")) {
        return sign_in_page(
            &state,
            StatusCode::FORBIDDEN,
            email,
            vec![("email", t.get("error-csrf"))],
            None,
        );
    }
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(("email", t.get("signin-error-email-missing")));
    }
    if password.is_empty() {
        errors.push(("password", t.get("signin-error-password-missing")));
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
    let o = origin(&request_id, addr);
    match auth::sign_in(&state, &email, password, &o).await {
        Ok(SignIn::Done(raw)) => with_cookie(
            Redirect::to(landing(&state, &raw).await).into_response(),
            auth::session_cookie(&state, &raw),
        ),
        Ok(SignIn::NeedsCode(raw)) => with_cookie(
            Redirect::to("/personal/tvastegs").into_response(),
            auth::session_cookie(&state, &raw),
        ),
        Ok(SignIn::NeedsEnrolment(raw)) => with_cookie(
            Redirect::to("/personal/tvastegs/aktivera").into_response(),
            auth::session_cookie(&state, &raw),
        ),
        Ok(SignIn::WrongCredentials) => sign_in_page(
            &state,
            StatusCode::UNAUTHORIZED,
            email,
            vec![("email", t.get("signin-error-wrong"))],
            None,
        ),
        Ok(SignIn::TooManyAttempts) => sign_in_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            email,
            vec![("email", t.get("signin-error-too-many"))],
            None,
        ),
        Err(e) => or_error(&state, Err(e)),
    }
}

// ---- Second factor ----

#[derive(Template)]
#[template(path = "staff/code.html")]
struct CodePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    errors: Vec<(&'static str, String)>,
}

pub async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let Some((session, _)) = auth::session_of(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        if session.mfa_done {
            return Ok(Redirect::to("/personal").into_response());
        }
        let t = &state.t;
        render(
            StatusCode::OK,
            &CodePage {
                l: StaffLayout::anonymous(t, t.get("code-title")),
                csrf: session.csrf_token,
                errors: Vec::new(),
            },
        )
    }
    .await;
    or_error(&state, r)
}

pub async fn code(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let Some((session, raw)) = auth::session_of(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let t = &state.t;
        let f = form(&body);
        let retry = |status, msg: String| {
            let title = t.get1("form-title-with-errors", "title", &t.get("code-title"));
            render(
                status,
                &CodePage {
                    l: StaffLayout::anonymous(t, title),
                    csrf: session.csrf_token.clone(),
                    errors: vec![("code", msg)],
                },
            )
        };
        if !auth::same_secret(&session.csrf_token, field(&f, "_csrf")) {
            return retry(StatusCode::FORBIDDEN, t.get("error-csrf"));
        }
        if session.mfa_done {
            return Ok(Redirect::to("/personal").into_response());
        }
        match auth::verify_second_factor(
            &state,
            &session,
            &raw,
            field(&f, "code"),
            &origin(&request_id, addr),
        )
        .await?
        {
            SecondFactor::Done(new_raw) => Ok(with_cookie(
                Redirect::to(landing(&state, &new_raw).await).into_response(),
                auth::session_cookie(&state, &new_raw),
            )),
            SecondFactor::Wrong => retry(StatusCode::UNAUTHORIZED, t.get("code-error-wrong")),
            SecondFactor::TooManyAttempts => {
                let r = sign_in_page(
                    &state,
                    StatusCode::TOO_MANY_REQUESTS,
                    String::new(),
                    vec![("email", t.get("signin-error-too-many"))],
                    None,
                );
                Ok(with_cookie(r, auth::clear_session_cookie(&state)))
            }
        }
    }
    .await;
    or_error(&state, r)
}

#[derive(Template)]
#[template(path = "staff/enrol.html")]
struct EnrolPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    qr_svg: String,
    secret: String,
    errors: Vec<(&'static str, String)>,
}

async fn enrol_page(
    state: &AppState,
    session: &store::sessions::Session,
    raw: &str,
    status: StatusCode,
    errors: Vec<(&'static str, String)>,
) -> Result<Response, WebError> {
    let t = &state.t;
    let secret = auth::pending_secret(state, session, raw).await?;
    let user = store::staff::by_id(&state.db, session.user_id)
        .await?
        .ok_or(WebError::NotFound)?;
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
            errors,
        },
    )
}

pub async fn enrol_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let Some((session, raw)) = auth::session_of(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        if session.mfa_done {
            return Ok(Redirect::to("/personal").into_response());
        }
        enrol_page(&state, &session, &raw, StatusCode::OK, Vec::new()).await
    }
    .await;
    or_error(&state, r)
}

#[derive(Template)]
#[template(path = "staff/recovery.html")]
struct RecoveryPage<'a> {
    l: StaffLayout<'a>,
    codes: Vec<String>,
}

pub async fn enrol(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let Some((session, raw)) = auth::session_of(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let t = &state.t;
        let f = form(&body);
        if !auth::same_secret(&session.csrf_token, field(&f, "_csrf")) {
            return enrol_page(
                &state,
                &session,
                &raw,
                StatusCode::FORBIDDEN,
                vec![("code", t.get("error-csrf"))],
            )
            .await;
        }
        if session.mfa_done {
            return Ok(Redirect::to("/personal").into_response());
        }
        match auth::confirm_enrolment(
            &state,
            &session,
            &raw,
            field(&f, "code"),
            &origin(&request_id, addr),
        )
        .await?
        {
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
                enrol_page(
                    &state,
                    &session,
                    &raw,
                    StatusCode::UNAUTHORIZED,
                    vec![("code", t.get("code-error-wrong"))],
                )
                .await
            }
        }
    }
    .await;
    or_error(&state, r)
}

pub async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let Some(staff) = auth::current(&state, &headers).await? else {
            return Ok(with_cookie(
                to_sign_in(),
                auth::clear_session_cookie(&state),
            ));
        };
        let f = form(&body);
        if !auth::same_secret(&staff.session.csrf_token, field(&f, "_csrf")) {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "error-csrf-title",
                "error-csrf",
                Some(&staff),
            ));
        }
        let everywhere = field(&f, "everywhere") == "yes";
        auth::sign_out(
            &state,
            &staff,
            everywhere,
            &staff_origin(&staff, &request_id, addr),
        )
        .await?;
        Ok(with_cookie(
            Redirect::to("/personal/logga-in?utloggad=1").into_response(),
            auth::clear_session_cookie(&state),
        ))
    }
    .await;
    or_error(&state, r)
}

// ---- The inbox ----

pub struct Row {
    pub id: i64,
    pub reference: String,
    pub received: String,
    pub age_days: i64,
    pub who: String,
    pub wants: String,
    pub young_carer: bool,
    pub involves_child: bool,
    pub assignee: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/inbox.html")]
struct InboxPage<'a> {
    l: StaffLayout<'a>,
    rows: Vec<Row>,
    holder: &'static str,
    young: bool,
    oldest_first: bool,
    next: Option<String>,
    filters_query: String,
    /// The municipality's units, and the one filtered on.
    units: Vec<(i64, String)>,
    unit: Option<i64>,
    kind: &'static str,
    kinds: Vec<(&'static str, String)>,
    /// Applications nobody has taken yet (assessed support), oldest first.
    applications: Vec<store::assessed::InboxApplication>,
    csrf: String,
}

impl InboxPage<'_> {
    fn is_unit(&self, id: &i64) -> bool {
        self.unit == Some(*id)
    }
}

pub(super) fn local_time(t: DateTime<Utc>) -> String {
    let offset = domain::clock::stockholm_offset_hours(t);
    (t + chrono::Duration::hours(offset))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn row(t: &I18n, item: &InboxItem, now: DateTime<Utc>) -> Row {
    let r = &item.request;
    Row {
        id: r.id,
        reference: r.reference.clone(),
        received: local_time(r.received_at),
        age_days: (now - r.received_at).num_days(),
        who: r.name.clone().unwrap_or_else(|| {
            t.get(if r.anonymous {
                "inbox-anonymous"
            } else {
                "inbox-no-name"
            })
        }),
        wants: r
            .wants
            .iter()
            .map(|w| t.get(&format!("want-{w}")))
            .collect::<Vec<_>>()
            .join(", "),
        young_carer: r.young_carer,
        involves_child: r.involves_child,
        assignee: item.assignee_name.clone(),
    }
}

pub(super) fn municipality_of(staff: &Staff) -> Result<domain::Kommunkod, WebError> {
    staff.actor.kommunkod.ok_or(WebError::NotFound)
}

pub const PAGE_SIZE: i64 = 50;

pub async fn inbox(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = async {
        let Some(staff) = auth::current(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let t = state.texts(&staff.user.language);
        let Some(kommun) = staff.actor.kommunkod else {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        };
        if can(
            &staff.actor,
            Action::ReadInbox,
            &Resource::Municipality(kommun),
        ) != Decision::Allow
        {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let pairs: Vec<(String, String)> = q
            .as_deref()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let holder_name = match field(&pairs, "visa") {
            "mina" => "mina",
            "otilldelade" => "otilldelade",
            _ => "alla",
        };
        let holder = match holder_name {
            "mina" => Holder::Me(staff.user.id),
            "otilldelade" => Holder::Nobody,
            _ => Holder::Anyone,
        };
        let young = field(&pairs, "unga") == "1";
        let oldest_first = field(&pairs, "ordning") != "nyast";
        let after = field(&pairs, "efter")
            .split_once('_')
            .and_then(|(micros, id)| {
                Some((
                    DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?,
                    id.parse().ok()?,
                ))
            });
        let units: Vec<(i64, String)> = store::staff::units(&state.db, kommun.as_str())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let unit = field(&pairs, "enhet")
            .parse::<i64>()
            .ok()
            .filter(|u| units.iter().any(|(id, _)| id == u));
        let query = InboxQuery {
            holder,
            young_carers_only: young,
            oldest_first,
            after,
            limit: PAGE_SIZE,
            unit,
            kind: domain::case::InboxKind::parse(field(&pairs, "slag")),
        };
        let now = state.clock.now();
        let items = store::contact_requests::inbox(
            &state.db,
            kommun.as_str(),
            &query,
            now,
            &staff_origin(&staff, &request_id, addr),
        )
        .await?;
        // Applications wait for someone to take them; they have no holder to filter on.
        let show_applications = query
            .kind
            .is_none_or(|k| k == domain::case::InboxKind::Application)
            && holder_name != "mina"
            && after.is_none();
        let applications = if show_applications {
            let mut list = store::assessed::inbox(
                &state.db,
                kommun.as_str(),
                PAGE_SIZE,
                state.clock.today(),
                now,
                &staff_origin(&staff, &request_id, addr),
            )
            .await?;
            list.retain(|a| !young || a.young_carer);
            list
        } else {
            Vec::new()
        };
        let filters_query = format!(
            "visa={holder_name}{}{}",
            if young { "&unga=1" } else { "" },
            if oldest_first { "" } else { "&ordning=nyast" }
        ) + &unit.map(|u| format!("&enhet={u}")).unwrap_or_default()
            + &query
                .kind
                .map(|k| format!("&slag={}", k.as_str()))
                .unwrap_or_default();
        let next = (items.len() as i64 == PAGE_SIZE)
            .then(|| {
                items.last().map(|i| {
                    format!(
                        "{}_{}",
                        i.request.received_at.timestamp_micros(),
                        i.request.id
                    )
                })
            })
            .flatten();
        let p = InboxPage {
            l: StaffLayout::signed_in(t, t.get("inbox-title"), &staff, "inbox"),
            rows: items.iter().map(|i| row(t, i, now)).collect(),
            holder: holder_name,
            young,
            oldest_first,
            next,
            filters_query,
            units,
            unit,
            kind: query.kind.map(|k| k.as_str()).unwrap_or(""),
            kinds: domain::case::InboxKind::ALL
                .iter()
                .map(|k| (k.as_str(), t.get(&format!("inbox-kind-{}", k.as_str()))))
                .collect(),
            applications,
            csrf: staff.session.csrf_token.clone(),
        };
        render(StatusCode::OK, &p)
    }
    .await;
    or_error(&state, r)
}

pub struct Colleague {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/item.html")]
struct ItemPage<'a> {
    l: StaffLayout<'a>,
    item: InboxItem,
    received: String,
    relation: Option<String>,
    recipient_age: Option<String>,
    carer_age: Option<String>,
    conditions: Vec<String>,
    wants: Vec<String>,
    time: Option<String>,
    colleagues: Vec<Colleague>,
    mine: bool,
}

async fn colleagues(
    state: &AppState,
    kommun: &str,
    selected: Option<i64>,
) -> Result<Vec<Colleague>, WebError> {
    Ok(store::staff::list(&state.db, Some(kommun))
        .await?
        .into_iter()
        .filter(|u| !u.disabled && Role::parse(&u.role).is_some_and(Role::reads_cases))
        .map(|u| Colleague {
            id: u.id,
            selected: Some(u.id) == selected,
            name: u.display_name,
        })
        .collect())
}

pub async fn inbox_item(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let Some(staff) = auth::current(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let kommun = municipality_of(&staff)?;
        // Not allowed and not found look the same: nothing reveals what exists.
        if can(
            &staff.actor,
            Action::ReadInbox,
            &Resource::Municipality(kommun),
        ) != Decision::Allow
        {
            return Err(WebError::NotFound);
        }
        let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
        let item = store::contact_requests::get(
            &state.db,
            kommun.as_str(),
            id,
            state.clock.now(),
            &staff_origin(&staff, &request_id, addr),
        )
        .await?
        .ok_or(WebError::NotFound)?;
        let t = state.texts(&staff.user.language);
        let r = &item.request;
        let p = ItemPage {
            l: StaffLayout::signed_in(
                t,
                t.get1("item-title", "reference", &r.reference),
                &staff,
                "inbox",
            ),
            received: local_time(r.received_at),
            relation: r.relation.as_ref().map(|x| t.get(&format!("relation-{x}"))),
            recipient_age: r
                .recipient_age_group
                .as_ref()
                .map(|x| t.get(&format!("age-{x}"))),
            carer_age: r
                .carer_age_group
                .as_ref()
                .map(|x| t.get(&format!("age-{x}"))),
            conditions: r
                .recipient_conditions
                .iter()
                .map(|x| t.get(&format!("condition-{x}")))
                .collect(),
            wants: r
                .wants
                .iter()
                .map(|x| t.get(&format!("want-{x}")))
                .collect(),
            time: r
                .preferred_time
                .as_ref()
                .map(|x| t.get(&format!("time-{x}"))),
            colleagues: colleagues(&state, kommun.as_str(), r.assigned_to).await?,
            mine: r.assigned_to == Some(staff.user.id),
            item,
        };
        render(StatusCode::OK, &p)
    }
    .await;
    or_error(&state, r)
}

pub async fn assign(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let kommun = municipality_of(&staff)?;
        if can(
            &staff.actor,
            Action::AssignInbox,
            &Resource::Municipality(kommun),
        ) != Decision::Allow
        {
            return Err(WebError::NotFound);
        }
        let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
        let to = match field(&f, "till") {
            "" => None,
            "me" => Some(staff.user.id),
            other => Some(other.parse::<i64>().map_err(|_| WebError::NotFound)?),
        };
        if !store::contact_requests::assign(
            &state.db,
            kommun.as_str(),
            id,
            to,
            state.clock.now(),
            &staff_origin(&staff, &request_id, addr),
        )
        .await?
        {
            return Err(WebError::NotFound);
        }
        Ok(Redirect::to(&format!("/personal/inkorg/{id}")).into_response())
    }
    .await;
    or_error(&state, r)
}

/// Switches the workspace language of the signed-in account (Swedish or English).
pub async fn set_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let lang = if field(&f, "lang") == "en" {
            "en"
        } else {
            "sv"
        };
        store::staff::set_language(&state.db, staff.user.id, lang).await?;
        Ok(Redirect::to(start_page(&staff.user.role)).into_response())
    }
    .await;
    or_error(&state, r)
}

/// The start of every signed-in form post: the member of staff and the form, or the answer
/// to give instead (to sign-in when not signed in, the expired-form page when the CSRF token
/// does not match).
pub(super) async fn posted(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(Staff, Vec<(String, String)>), Response>, WebError> {
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
) -> Result<Result<(Staff, domain::Kommunkod), Response>, WebError> {
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
) -> Result<Result<(Staff, domain::Kommunkod, Vec<(String, String)>), Response>, WebError> {
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
