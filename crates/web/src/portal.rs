//! The public portal: server-rendered Swedish pages that work with JavaScript off.

use crate::contact::{submit, Submitted};
use crate::content::{self, HitKind, MunicipalityContent};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::PublicOrigin;
use crate::i18n::I18n;
use crate::markdown;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use domain::catalogue::{CatalogueEntry, ContentPage, Provenance, Track};
use domain::contact::{
    AgeGroup, Condition, PreferredTime, RawContactRequest, Relation, Want, FIELD_ORDER,
};
use domain::Municipality;
use pulldown_cmark::HeadingLevel;
use std::net::SocketAddr;
use std::sync::Arc;
use store::municipalities::Contact;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(start))
        .route("/valj", get(choose))
        .route("/sok", get(search))
        .route("/nationellt", get(national))
        .route("/nationellt/stod/{slug}", get(national_entry))
        .route("/om/{slug}", get(general_page))
        .route("/kommun/{kommunkod}", get(overview))
        .route("/kommun/{kommunkod}/stod", get(support_list))
        .route("/kommun/{kommunkod}/stod/{slug}", get(entry))
        .route("/kommun/{kommunkod}/ekonomiskt-stod", get(economic))
        .route("/kommun/{kommunkod}/kontakt", get(contact))
        .route("/kommun/{kommunkod}/sida/{slug}", get(page))
        .route(
            "/kommun/{kommunkod}/be-om-samtal",
            get(form).post(form_submit),
        )
        .route(
            "/kommun/{kommunkod}/be-om-samtal/skickad/{reference}",
            get(form_done),
        )
        .route("/static/app.css", get(css))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(fallback)
}

/// What every page's frame needs.
pub struct Layout<'a> {
    pub t: &'a I18n,
    pub title: String,
    pub kommun: Option<&'a Municipality>,
    /// Breadcrumbs after the start page: (label, link).
    pub crumbs: Vec<(String, String)>,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(t: &'a I18n, title: String, kommun: Option<&'a Municipality>) -> Self {
        let mut crumbs = Vec::new();
        if let Some(m) = kommun {
            crumbs.push((m.name.clone(), format!("/kommun/{}", m.kommunkod)));
        }
        Self {
            t,
            title,
            kommun,
            crumbs,
        }
    }

    pub(crate) fn crumb(mut self, label: String, href: String) -> Self {
        self.crumbs.push((label, href));
        self
    }

    /// A `tel:` link target: the digits and a leading plus.
    pub fn tel(&self, phone: &str) -> String {
        phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    pub fn base(&self) -> String {
        self.kommun
            .map_or_else(String::new, |m| format!("/kommun/{}", m.kommunkod))
    }
}

fn render(t: &impl Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

/// A public error page, in the portal's frame.
pub(crate) fn error_page(
    state: &AppState,
    status: StatusCode,
    heading: &str,
    text: &str,
) -> Response {
    let t = &state.t;
    let body = ErrorPage {
        l: Layout::new(t, t.get(heading), None),
        heading: t.get(heading),
        text: t.get(text),
    }
    .render();
    match body {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page");
            status.into_response()
        }
    }
}

/// The `{kommunkod}` of a path with more parameters than it.
#[derive(serde::Deserialize)]
pub(crate) struct KommunPath {
    pub kommunkod: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout<'a>,
    heading: String,
    text: String,
}

async fn fallback() -> PageError {
    PageError::NotFound
}

pub(crate) async fn municipality(
    state: &AppState,
    kommunkod: &str,
) -> Result<Arc<MunicipalityContent>, PageError> {
    content::load(state, kommunkod)
        .await?
        .ok_or(PageError::NotFound)
}

/// Query pairs, repeated keys kept (`del=a&del=b`).
pub(crate) fn query_pairs(q: &Option<String>) -> Vec<(String, String)> {
    q.as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn query_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

// ---- Start, choice of municipality, national view ----

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage<'a> {
    l: Layout<'a>,
    regions: Vec<(String, String, Vec<&'a Municipality>)>,
}

async fn start(State(state): State<AppState>) -> Response {
    if let Some(html) = state.fixed.start_page.get() {
        return html_bytes(html.clone());
    }
    let t = &state.t;
    let regions = state
        .kommuner
        .by_region()
        .into_iter()
        .map(|(c, n, ms)| {
            let served = ms
                .into_iter()
                .filter(|m| state.config.serves(m.kommunkod.as_str()));
            (c, n, served.collect::<Vec<_>>())
        })
        .filter(|(_, _, ms)| !ms.is_empty())
        .collect();
    let p = StartPage {
        l: Layout::new(t, t.get("start-title"), None),
        regions,
    };
    match p.render() {
        // The page depends only on configuration: render it once.
        Ok(html) => html_bytes(
            state
                .fixed
                .start_page
                .get_or_init(|| Bytes::from(html))
                .clone(),
        ),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn html_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

async fn choose(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let code = query_value(&query_pairs(&q), "kommun");
    if state.kommuner.get(&code).is_some() && state.config.serves(&code) {
        Redirect::to(&format!("/kommun/{code}")).into_response()
    } else {
        Redirect::to("/#valj-kommun").into_response()
    }
}

#[derive(Template)]
#[template(path = "national.html")]
struct NationalPage<'a> {
    l: Layout<'a>,
    benefits: Vec<&'a CatalogueEntry>,
    organisations: Vec<&'a CatalogueEntry>,
}

async fn national(State(state): State<AppState>) -> Result<Response, PageError> {
    let t = &state.t;
    let all = content::national_entries(&state.national_catalogue);
    let p = NationalPage {
        l: Layout::new(t, t.get("national-title"), None)
            .crumb(t.get("national-title"), "/nationellt".into()),
        benefits: all
            .iter()
            .copied()
            .filter(|e| e.track == Track::National)
            .collect(),
        organisations: all
            .iter()
            .copied()
            .filter(|e| e.track == Track::Organisation)
            .collect(),
    };
    render(&p)
}

async fn national_entry(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let e = state
        .national_catalogue
        .entries
        .iter()
        .find(|e| e.slug == slug)
        .ok_or(PageError::NotFound)?;
    let t = &state.t;
    let l = Layout::new(t, e.title.clone(), None)
        .crumb(t.get("national-title"), "/nationellt".into())
        .crumb(e.title.clone(), format!("/nationellt/stod/{}", e.slug));
    render(&entry_page(&state, l, e, &q))
}

/// Pages that hold for every municipality (privacy, accessibility), from the shipped texts.
async fn general_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let p = state
        .default_catalogue
        .pages
        .iter()
        .find(|p| p.slug == slug && content::GENERAL_PAGES.contains(&p.slug.as_str()))
        .ok_or(PageError::NotFound)?;
    let mut p = p.clone();
    let (kommun, board) = (t.get("generic-municipality"), t.get("generic-board"));
    p.title = domain::catalogue::fill_placeholders(&p.title, &kommun, &board);
    p.body = domain::catalogue::fill_placeholders(&p.body, &kommun, &board);
    let l = Layout::new(t, p.title.clone(), None).crumb(p.title.clone(), format!("/om/{}", p.slug));
    render(&ContentPageView {
        body_html: markdown::to_html(&p.body, HeadingLevel::H2),
        page: &p,
        l,
        c: None,
    })
}

// ---- Search ----

pub struct HitView {
    pub href: String,
    pub title: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    l: Layout<'a>,
    query: String,
    query_encoded: String,
    hits: Vec<HitView>,
    searched: bool,
}

async fn search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let pairs = query_pairs(&q);
    let query: String = query_value(&pairs, "q").chars().take(200).collect();
    let code = query_value(&pairs, "kommun");
    let t = &state.t;
    let c = if code.is_empty() {
        None
    } else {
        content::load(&state, &code).await?
    };
    let hits = match &c {
        Some(c) => content::search(c, &query)
            .into_iter()
            .map(|h| HitView {
                href: match h.kind {
                    HitKind::Entry => format!("/kommun/{code}/stod/{}", h.slug),
                    HitKind::Page => special_page_href(&code, h.slug),
                },
                title: h.title.to_owned(),
                summary: h.summary.to_owned(),
            })
            .collect(),
        // No municipality chosen: municipalities by name, then national content.
        None => {
            let terms = content::terms(&query);
            let places = state
                .kommuner
                .list
                .iter()
                .filter(|m| state.config.serves(m.kommunkod.as_str()))
                .filter(|m| {
                    let name = content::fold(&m.name);
                    terms
                        .iter()
                        .any(|t| name.split_whitespace().any(|w| w.starts_with(t.as_str())))
                })
                .map(|m| HitView {
                    href: format!("/kommun/{}", m.kommunkod),
                    title: t.get1("search-hit-municipality", "kommun", &m.name),
                    summary: t.get1("search-hit-municipality-summary", "region", &m.region_name),
                });
            let national = content::search_in(
                &state.national_index.entries,
                &state.national_index.pages,
                &query,
            )
            .into_iter()
            .map(|h| HitView {
                href: match h.kind {
                    HitKind::Entry => format!("/nationellt/stod/{}", h.slug),
                    HitKind::Page => format!("/om/{}", h.slug),
                },
                title: h.title.to_owned(),
                summary: h.summary.to_owned(),
            });
            places.chain(national).collect()
        }
    };
    let kommun = c.as_ref().map(|c| &c.municipality);
    let title = if query.is_empty() {
        t.get("search-title")
    } else {
        t.get1("search-title-for", "query", &query)
    };
    let p = SearchPage {
        l: Layout::new(t, title, kommun).crumb(t.get("search-title"), "/sok".into()),
        searched: !query.is_empty() && (c.is_some() || code.is_empty()),
        query_encoded: form_urlencoded::byte_serialize(query.as_bytes()).collect(),
        query,
        hits,
    };
    render(&p)
}

/// Pages with a page of their own link there; the rest to the generic page view.
fn special_page_href(code: &str, slug: &str) -> String {
    match slug {
        "ekonomiskt-stod-inledning" => format!("/kommun/{code}/ekonomiskt-stod"),
        "kontakt-inledning" => format!("/kommun/{code}/kontakt"),
        _ => format!("/kommun/{code}/sida/{slug}"),
    }
}

// ---- A municipality ----

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    officers: Vec<&'a Contact>,
}

async fn overview(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let p = OverviewPage {
        l: Layout::new(
            t,
            t.get1("overview-title", "kommun", &c.municipality.name),
            Some(&c.municipality),
        ),
        officers: c.contacts_of("carer_support_officer").collect(),
        c: &c,
    };
    render(&p)
}

pub struct TrackGroup<'a> {
    pub id: &'static str,
    pub heading: String,
    pub intro: String,
    pub entries: Vec<&'a CatalogueEntry>,
}

#[derive(Template)]
#[template(path = "support_list.html")]
struct SupportListPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    groups: Vec<TrackGroup<'a>>,
}

fn track_groups<'a>(t: &I18n, c: &'a MunicipalityContent) -> Vec<TrackGroup<'a>> {
    Track::ALL
        .iter()
        .map(|&track| {
            let id = match track {
                Track::Open => "utan-ansokan",
                Track::AssessedSol => "bistand",
                Track::AssessedLss => "lss",
                Track::National => "forsakringskassan",
                Track::Organisation => "organisationer",
            };
            TrackGroup {
                id,
                heading: t.get(&format!("track-{}", track.as_str())),
                intro: t.get(&format!("track-{}-intro", track.as_str())),
                entries: c.entries_on(track).collect(),
            }
        })
        .filter(|g| !g.entries.is_empty())
        .collect()
}

async fn support_list(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let p = SupportListPage {
        l: Layout::new(t, t.get("support-title"), Some(&c.municipality))
            .crumb(t.get("support-title"), format!("/kommun/{kommunkod}/stod")),
        groups: track_groups(t, &c),
        c: &c,
    };
    render(&p)
}

pub struct RuleView {
    pub text: String,
    pub amount: Option<String>,
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage<'a> {
    l: Layout<'a>,
    e: &'a CatalogueEntry,
    description_html: String,
    track_label: String,
    audience: Vec<String>,
    legal: Option<String>,
    rules: Vec<RuleView>,
    base_amount: Option<String>,
    /// Sections chosen for printing; empty shows all.
    print: Vec<String>,
    sections: Vec<(&'static str, String)>,
    self_href: String,
}

impl EntryPage<'_> {
    fn show(&self, section: &str) -> bool {
        self.print.is_empty() || self.print.iter().any(|s| s == section)
    }
}

/// Thousands grouped with a space, as Swedish writes amounts.
pub fn kronor(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    format!("{}{out}\u{a0}kr", if n < 0 { "-" } else { "" })
}

fn entry_page<'a>(
    state: &'a AppState,
    l: Layout<'a>,
    e: &'a CatalogueEntry,
    q: &Option<String>,
) -> EntryPage<'a> {
    let t = &state.t;
    let today = state.clock.today();
    let legal = e
        .legal_ref
        .as_deref()
        .and_then(|code| state.law.reference(code, today))
        .map(|r| r.citation.clone());
    let rules = e
        .benefit
        .as_deref()
        .map(|b| {
            state
                .law
                .benefit_rules(b, today)
                .into_iter()
                .map(|(r, kr)| RuleView {
                    text: r.text.clone(),
                    amount: kr.map(kronor),
                })
                .collect()
        })
        .unwrap_or_default();
    let base_amount = e
        .benefit
        .as_ref()
        .and_then(|_| state.law.amount("prisbasbelopp", today))
        .map(|a| kronor(a.value as i64));
    let print: Vec<String> = query_pairs(q)
        .into_iter()
        .filter(|(k, _)| k == "del")
        .map(|(_, v)| v)
        .collect();
    let sections = vec![
        ("om", t.get("entry-section-about")),
        ("vem", t.get("entry-section-who")),
        ("ansok", t.get("entry-section-apply")),
        ("kostnad", t.get("entry-section-cost")),
        ("grund", t.get("entry-section-basis")),
        ("om-innehallet", t.get("provenance-heading")),
    ];
    let self_href = match l.kommun {
        Some(m) => format!("/kommun/{}/stod/{}", m.kommunkod, e.slug),
        None => format!("/nationellt/stod/{}", e.slug),
    };
    EntryPage {
        description_html: markdown::to_html(&e.description, HeadingLevel::H3),
        track_label: t.get(&format!("track-{}", e.track.as_str())),
        audience: e
            .audience
            .iter()
            .map(|a| t.get(&format!("audience-{}", a.as_str())))
            .collect(),
        legal,
        rules,
        base_amount,
        print,
        sections,
        self_href,
        l,
        e,
    }
}

async fn entry(
    State(state): State<AppState>,
    Path((kommunkod, slug)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let e = c.entry(&slug).ok_or(PageError::NotFound)?;
    let t = &state.t;
    let l = Layout::new(t, e.title.clone(), Some(&c.municipality))
        .crumb(t.get("support-title"), format!("/kommun/{kommunkod}/stod"))
        .crumb(e.title.clone(), format!("/kommun/{kommunkod}/stod/{slug}"));
    render(&entry_page(&state, l, e, &q))
}

#[derive(Template)]
#[template(path = "page.html")]
struct ContentPageView<'a> {
    l: Layout<'a>,
    page: &'a ContentPage,
    body_html: String,
    c: Option<&'a MunicipalityContent>,
}

async fn page(
    State(state): State<AppState>,
    Path((kommunkod, slug)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let p = c.page(&slug).ok_or(PageError::NotFound)?;
    let l = Layout::new(&state.t, p.title.clone(), Some(&c.municipality))
        .crumb(p.title.clone(), format!("/kommun/{kommunkod}/sida/{slug}"));
    render(&ContentPageView {
        body_html: markdown::to_html(&p.body, HeadingLevel::H2),
        page: p,
        l,
        c: Some(&c),
    })
}

#[derive(Template)]
#[template(path = "economic.html")]
struct EconomicPage<'a> {
    l: Layout<'a>,
    intro_html: String,
    intro: Option<&'a ContentPage>,
    municipal: Vec<&'a CatalogueEntry>,
    national: Vec<(&'a CatalogueEntry, Vec<RuleView>)>,
    kommunkod: String,
}

async fn economic(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let today = state.clock.today();
    let intro = c.page("ekonomiskt-stod-inledning");
    let national = c
        .entries_on(Track::National)
        .map(|e| {
            let rules = e
                .benefit
                .as_deref()
                .map(|b| {
                    state
                        .law
                        .benefit_rules(b, today)
                        .into_iter()
                        .map(|(r, kr)| RuleView {
                            text: r.text.clone(),
                            amount: kr.map(kronor),
                        })
                        .collect()
                })
                .unwrap_or_default();
            (e, rules)
        })
        .collect();
    let p = EconomicPage {
        l: Layout::new(t, t.get("economic-title"), Some(&c.municipality)).crumb(
            t.get("economic-title"),
            format!("/kommun/{kommunkod}/ekonomiskt-stod"),
        ),
        intro_html: intro
            .map(|p| markdown::to_html(&p.body, HeadingLevel::H2))
            .unwrap_or_default(),
        intro,
        municipal: c
            .entries
            .iter()
            .map(|e| &e.item)
            .filter(|e| e.economic && !e.track.is_national())
            .collect(),
        national,
        kommunkod: kommunkod.clone(),
    };
    render(&p)
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    intro_html: String,
    officers: Vec<&'a Contact>,
    complaints: Vec<(String, &'a Contact)>,
}

async fn contact(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let p = ContactPage {
        l: Layout::new(t, t.get("contact-title"), Some(&c.municipality)).crumb(
            t.get("contact-title"),
            format!("/kommun/{kommunkod}/kontakt"),
        ),
        intro_html: c
            .page("kontakt-inledning")
            .map(|p| markdown::to_html(&p.body, HeadingLevel::H2))
            .unwrap_or_default(),
        officers: c
            .contacts_of("carer_support_officer")
            .chain(c.contacts_of("case_officer_intake"))
            .collect(),
        complaints: c
            .contacts
            .iter()
            .filter(|k| k.kind != "carer_support_officer" && k.kind != "case_officer_intake")
            .map(|k| {
                (
                    t.get(&format!("contact-kind-{}", k.kind.replace('_', "-"))),
                    k,
                )
            })
            .collect(),
        c: &c,
    };
    render(&p)
}

// ---- The contact request form ----

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    v: RawContactRequest,
    errors: FormErrors,
    relations: Vec<Choice>,
    recipient_ages: Vec<Choice>,
    conditions: Vec<Choice>,
    carer_ages: Vec<Choice>,
    wants: Vec<Choice>,
    times: Vec<Choice>,
    max_message: usize,
}

impl FormPage<'_> {
    fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    fn error_message(&self, field: &str) -> String {
        self.errors.message(field)
    }
}

/// A field's name as the summary says it, before a colon.
fn field_label(t: &I18n, field: &str) -> String {
    t.get(&format!("field-{}", field.replace('_', "-")))
        .trim_end_matches(['.', '?', ':'])
        .to_owned()
}

fn choices<T: Copy>(
    t: &I18n,
    prefix: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    chosen: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice {
            value: name(x),
            label: t.get(&format!("{prefix}-{}", name(x))),
            checked: chosen.contains(&name(x)),
        })
        .collect()
}

fn form_page<'a>(
    t: &'a I18n,
    c: &'a MunicipalityContent,
    v: RawContactRequest,
    errors: FormErrors,
) -> FormPage<'a> {
    let title = if errors.is_empty() {
        t.get("form-title")
    } else {
        t.get1("form-title-with-errors", "title", &t.get("form-title"))
    };
    let kommunkod = c.municipality.kommunkod.as_str();
    let conds: Vec<&str> = v.recipient_conditions.iter().map(String::as_str).collect();
    let wants: Vec<&str> = v.wants.iter().map(String::as_str).collect();
    FormPage {
        l: Layout::new(t, title, Some(&c.municipality)).crumb(
            t.get("form-title"),
            format!("/kommun/{kommunkod}/be-om-samtal"),
        ),
        relations: choices(
            t,
            "relation",
            Relation::ALL,
            Relation::as_str,
            &[v.relation.as_str()],
        ),
        recipient_ages: choices(
            t,
            "age",
            AgeGroup::ALL,
            AgeGroup::as_str,
            &[v.recipient_age_group.as_str()],
        ),
        conditions: choices(t, "condition", Condition::ALL, Condition::as_str, &conds),
        carer_ages: choices(
            t,
            "age",
            AgeGroup::ALL,
            AgeGroup::as_str,
            &[v.carer_age_group.as_str()],
        ),
        wants: choices(t, "want", Want::ALL, Want::as_str, &wants),
        times: choices(
            t,
            "time",
            PreferredTime::ALL,
            PreferredTime::as_str,
            &[v.preferred_time.as_str()],
        ),
        max_message: domain::contact::MAX_MESSAGE,
        v,
        errors,
        c,
    }
}

async fn form(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    render(&form_page(
        &state.t,
        &c,
        RawContactRequest::default(),
        FormErrors::none(),
    ))
}

/// Reads the urlencoded form, keeping repeated checkbox names.
pub fn raw_from_form(body: &[u8]) -> RawContactRequest {
    let mut r = RawContactRequest::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "anonymous" => r.anonymous = v == "yes",
            "name" => r.name = v,
            "phone" => r.phone = v,
            "email" => r.email = v,
            "personnummer" => r.personnummer = v,
            "relation" => r.relation = v,
            "recipient_age_group" => r.recipient_age_group = v,
            "recipient_conditions" => r.recipient_conditions.push(v),
            "carer_age_group" => r.carer_age_group = v,
            "wants" => r.wants.push(v),
            "message" => r.message = v,
            "preferred_time" => r.preferred_time = v,
            "consent" => r.consent = v == "yes",
            _ => {}
        }
    }
    r.recipient_is_child = r.recipient_age_group == AgeGroup::Under18.as_str();
    r
}

async fn form_submit(
    State(state): State<AppState>,
    Path(kommunkod): Path<String>,
    PublicOrigin(origin): PublicOrigin,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let mut page = form_page(t, &c, RawContactRequest::default(), FormErrors::none());
            page.errors.push(
                "message",
                t.get("field-message"),
                t.get(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "error-form-too-large"
                } else {
                    "error-form-unreadable"
                }),
            );
            let html = page.render()?;
            return Ok((e.status(), Html(html)).into_response());
        }
    };
    let raw = raw_from_form(&body);
    match submit(&state, &kommunkod, &raw, &origin).await? {
        Submitted::Stored {
            reference,
            young_carer,
        } => {
            let q = if young_carer { "?ung=1" } else { "" };
            Ok(Redirect::to(&format!(
                "/kommun/{kommunkod}/be-om-samtal/skickad/{reference}{q}"
            ))
            .into_response())
        }
        Submitted::Invalid(errors) => {
            let list = FormErrors::new(t, &errors, FIELD_ORDER, |f| field_label(t, f));
            let html = form_page(t, &c, raw, list).render()?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    reference: String,
    young_carer: bool,
    officers: Vec<&'a Contact>,
}

async fn form_done(
    State(state): State<AppState>,
    Path((kommunkod, reference)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    // The reference is shown back as typed only when it has the shape we hand out.
    let well_formed = reference.len() == 8
        && reference.chars().enumerate().all(|(i, ch)| {
            if i == 3 {
                ch == '-'
            } else {
                domain::contact::REFERENCE_ALPHABET.contains(&(ch as u8))
            }
        });
    if !well_formed {
        return Err(PageError::NotFound);
    }
    let t = &state.t;
    let p = DonePage {
        l: Layout::new(t, t.get("done-title"), Some(&c.municipality)),
        young_carer: query_value(&query_pairs(&q), "ung") == "1",
        officers: c.contacts_of("carer_support_officer").collect(),
        reference,
        c: &c,
    };
    render(&p)
}

// ---- Assets and operations ----

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let peer = peer.map(|Extension(c)| c.0.ip());
    if !crate::metrics::may_read(state.config.metrics_token.as_deref(), authorization, peer) {
        return StatusCode::FORBIDDEN.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Provenance line shown at the foot of content, as the national portal does.
pub fn provenance_date(p: &Provenance) -> String {
    p.updated_on.format("%Y-%m-%d").to_string()
}
