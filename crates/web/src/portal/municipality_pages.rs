//! A municipality's own pages: overview, its support, an entry, economic support, contacts.

use super::{municipality, query_pairs, render, render_once, Layout};
use crate::content::MunicipalityContent;
use crate::error::PageError;
use crate::http::paths::{KommunPath, SlugPath};
use crate::i18n::I18n;
use crate::markdown;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use domain::catalogue::{CatalogueEntry, ContentPage, Track};
use pulldown_cmark::HeadingLevel;
use store::municipalities::Contact;

// ---- A municipality ----

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage<'a> {
    l: Layout<'a>,
    c: &'a MunicipalityContent,
    officers: Vec<&'a Contact>,
}

pub(super) async fn overview(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    render_once(&c, "overview", || OverviewPage {
        l: Layout::new(
            t,
            t.get1("overview-title", "kommun", &c.municipality.name),
            Some(&c.municipality),
        ),
        officers: c.contacts_of("carer_support_officer").collect(),
        c: &c,
    })
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

pub(super) fn track_groups<'a>(t: &I18n, c: &'a MunicipalityContent) -> Vec<TrackGroup<'a>> {
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

pub(super) async fn support_list(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
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
pub(super) struct EntryPage<'a> {
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

pub(super) fn entry_page<'a>(
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

pub(super) async fn entry(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(SlugPath { slug }): Path<SlugPath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let e = c.entry(&slug).ok_or(PageError::NotFound)?;
    let t = &state.t;
    // The legal references shown are those in force today.
    let key = format!(
        "stod/{slug}/{}?{}",
        state.clock.today(),
        q.as_deref().unwrap_or_default()
    );
    render_once(&c, &key, || {
        let l = Layout::new(t, e.title.clone(), Some(&c.municipality))
            .crumb(t.get("support-title"), format!("/kommun/{kommunkod}/stod"))
            .crumb(e.title.clone(), format!("/kommun/{kommunkod}/stod/{slug}"));
        entry_page(&state, l, e, &q)
    })
}

#[derive(Template)]
#[template(path = "page.html")]
pub(super) struct ContentPageView<'a> {
    pub(super) l: Layout<'a>,
    pub(super) page: &'a ContentPage,
    pub(super) body_html: String,
    pub(super) c: Option<&'a MunicipalityContent>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(SlugPath { slug }): Path<SlugPath>,
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

pub(super) async fn economic(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
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

pub(super) async fn contact(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
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
