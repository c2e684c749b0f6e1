//! What a municipality's public pages show, assembled once and cached per node for a few
//! seconds: settings, contacts, its catalogue with the national entries, placeholders filled.
//! The cache holds only public content, so nodes need not share it.

use crate::http::cache::TtlCache;
use crate::AppState;
use domain::catalogue::{fill_placeholders, Catalogue, CatalogueEntry, ContentPage, Track};
use domain::Municipality;
use std::sync::Arc;
use std::time::Duration;
use store::municipalities::{Contact, Settings};

pub struct MunicipalityContent {
    pub municipality: Municipality,
    pub settings: Settings,
    pub contacts: Vec<Contact>,
    /// Municipal entries first, then the national ones; each with its folded search text.
    pub entries: Vec<Indexed<CatalogueEntry>>,
    pub pages: Vec<Indexed<ContentPage>>,
    /// Whether the catalogue is the shipped default (the municipality has not imported its own).
    pub default_catalogue: bool,
    /// The public pages rendered from this content, which go when it is reloaded.
    pub rendered: crate::http::cache::Rendered,
}

pub struct Indexed<T> {
    pub item: T,
    pub title_folded: String,
    pub text_folded: String,
}

impl MunicipalityContent {
    pub fn entry(&self, slug: &str) -> Option<&CatalogueEntry> {
        self.entries
            .iter()
            .map(|e| &e.item)
            .find(|e| e.slug == slug)
    }

    pub fn page(&self, slug: &str) -> Option<&ContentPage> {
        self.pages.iter().map(|p| &p.item).find(|p| p.slug == slug)
    }

    pub fn entries_on(&self, track: Track) -> impl Iterator<Item = &CatalogueEntry> {
        self.entries
            .iter()
            .map(|e| &e.item)
            .filter(move |e| e.track == track)
    }

    pub fn contacts_of(&self, kind: &str) -> impl Iterator<Item = &Contact> {
        let kind = kind.to_owned();
        self.contacts.iter().filter(move |c| c.kind == kind)
    }
}

/// Lowercase, with å ä ö é folded, so "vaxelvard" finds "Växelvård".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' => 'u',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect()
}

fn index_entry(e: CatalogueEntry) -> Indexed<CatalogueEntry> {
    let text = [
        e.summary.as_str(),
        &e.description,
        &e.who_applies,
        &e.how_to_apply,
        &e.keywords.join(" "),
    ]
    .join(" ");
    Indexed {
        title_folded: fold(&e.title),
        text_folded: fold(&text),
        item: e,
    }
}

fn index_page(p: ContentPage) -> Indexed<ContentPage> {
    let text = [p.summary.as_str(), &p.body, &p.keywords.join(" ")].join(" ");
    Indexed {
        title_folded: fold(&p.title),
        text_folded: fold(&text),
        item: p,
    }
}

fn fill_entry(mut e: CatalogueEntry, kommun: &str, board: &str) -> CatalogueEntry {
    let f = |s: &str| fill_placeholders(s, kommun, board);
    e.title = f(&e.title);
    e.summary = f(&e.summary);
    e.description = f(&e.description);
    e.who_applies = f(&e.who_applies);
    e.how_to_apply = f(&e.how_to_apply);
    e.cost = f(&e.cost);
    e.decision_ref = e.decision_ref.as_deref().map(f);
    e.conditions = e.conditions.as_deref().map(f);
    e
}

fn fill_page(mut p: ContentPage, kommun: &str, board: &str) -> ContentPage {
    p.title = fill_placeholders(&p.title, kommun, board);
    p.summary = fill_placeholders(&p.summary, kommun, board);
    p.body = fill_placeholders(&p.body, kommun, board);
    p
}

/// The board's name when the municipality has not set one.
pub fn default_board_name(kommun: &str) -> String {
    format!("Socialnämnden i {kommun}")
}

/// Each municipality's assembled content, kept `WebConfig::content_ttl` per node (ADR 4).
pub type ContentCache = TtlCache<String, MunicipalityContent>;

/// The assembled content of a municipality the deployment serves; `None` if it serves none
/// such. Reloaded from the database when older than the configured time.
pub async fn load(
    state: &AppState,
    kommunkod: &str,
) -> Result<Option<Arc<MunicipalityContent>>, store::StoreError> {
    let Some(municipality) = state.kommuner.get(kommunkod).cloned() else {
        return Ok(None);
    };
    if !state.config.serves(kommunkod) {
        return Ok(None);
    }
    if let Some(c) = state.content.get(kommunkod) {
        return Ok(Some(c));
    }
    let db = &state.db;
    let settings = store::municipalities::settings(db, kommunkod)
        .await?
        .unwrap_or_else(|| Settings {
            board_name: default_board_name(&municipality.name),
            ..Settings::default()
        });
    let contacts = store::municipalities::contacts(db, kommunkod).await?;
    let own = store::catalogue::current(db, kommunkod).await?;
    let default_catalogue = own.is_none();
    let municipal = match own {
        Some((_, c)) => c,
        None => state.default_catalogue.as_ref().clone(),
    };
    let national = match store::catalogue::current(db, store::catalogue::NATIONAL).await? {
        Some((_, c)) => c,
        None => state.national_catalogue.as_ref().clone(),
    };
    let (kommun, board) = (municipality.name.as_str(), settings.board_name.as_str());
    let entries = municipal
        .entries
        .into_iter()
        .chain(national.entries)
        .map(|e| index_entry(fill_entry(e, kommun, board)))
        .collect();
    let pages = municipal
        .pages
        .into_iter()
        .map(|p| index_page(fill_page(p, kommun, board)))
        .collect();
    let content = MunicipalityContent {
        municipality,
        settings,
        contacts,
        entries,
        pages,
        default_catalogue,
        rendered: Default::default(),
    };
    Ok(Some(state.content.insert(kommunkod.to_owned(), content)))
}

/// For pages with no municipality chosen: the shipped national catalogue.
pub fn national_entries(national: &Catalogue) -> Vec<&CatalogueEntry> {
    national.entries.iter().collect()
}

/// Pages that hold for every municipality, shown at /om/{slug} with generic names.
pub const GENERAL_PAGES: &[&str] = &[
    "personuppgifter",
    "tillganglighet",
    "vem-kan-fa-stod",
    "unga-anhoriga",
    "fragor-och-svar",
];

/// What a search finds when no municipality is chosen: the national entries and the
/// general pages, with generic names for the placeholders.
pub struct NationalIndex {
    pub entries: Vec<Indexed<CatalogueEntry>>,
    pub pages: Vec<Indexed<ContentPage>>,
}

impl NationalIndex {
    pub fn new(national: &Catalogue, municipal: &Catalogue, kommun: &str, board: &str) -> Self {
        Self {
            entries: national
                .entries
                .iter()
                .cloned()
                .map(|e| index_entry(fill_entry(e, kommun, board)))
                .collect(),
            pages: municipal
                .pages
                .iter()
                .filter(|p| GENERAL_PAGES.contains(&p.slug.as_str()))
                .cloned()
                .map(|p| index_page(fill_page(p, kommun, board)))
                .collect(),
        }
    }
}

pub const DEFAULT_TTL: Duration = Duration::from_secs(5);

/// Words too common to search by.
const STOPWORDS: &[&str] = &[
    "och", "att", "jag", "min", "mitt", "mina", "for", "en", "ett", "med", "det", "som", "ar",
    "pa", "om", "hur", "kan", "vill", "till", "av", "den", "har", "mig", "vad", "var", "nar",
    "the", "and", "of", "to",
];

pub enum HitKind {
    Entry,
    Page,
}

pub struct Hit<'a> {
    pub kind: HitKind,
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub score: u32,
}

fn score(title: &str, text: &str, terms: &[String]) -> u32 {
    terms
        .iter()
        .map(|t| {
            // A crude stem, so "avlösningen" and "avlastande" still meet "avlösning", "avlastning".
            let stem: String = if t.chars().count() > 6 {
                t.chars().take(t.chars().count() - 2).collect()
            } else {
                t.clone()
            };
            if title.contains(stem.as_str()) {
                5
            } else if text.contains(stem.as_str()) {
                1
            } else {
                0
            }
        })
        .sum()
}

/// Finds a municipality's entries and pages by the words a carer types, best first.
pub fn search<'a>(c: &'a MunicipalityContent, query: &str) -> Vec<Hit<'a>> {
    search_in(&c.entries, &c.pages, query)
}

/// The words of a query worth searching by, folded.
pub fn terms(query: &str) -> Vec<String> {
    fold(query)
        .split_whitespace()
        .filter(|t| t.chars().count() >= 2 && !STOPWORDS.contains(t))
        .map(str::to_owned)
        .collect()
}

/// Searches any set of entries and pages.
pub fn search_in<'a>(
    entries: &'a [Indexed<CatalogueEntry>],
    pages: &'a [Indexed<ContentPage>],
    query: &str,
) -> Vec<Hit<'a>> {
    let terms = terms(query);
    if terms.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Hit<'a>> = entries
        .iter()
        .map(|e| Hit {
            kind: HitKind::Entry,
            slug: &e.item.slug,
            title: &e.item.title,
            summary: &e.item.summary,
            score: score(&e.title_folded, &e.text_folded, &terms),
        })
        .chain(pages.iter().map(|p| Hit {
            kind: HitKind::Page,
            slug: &p.item.slug,
            title: &p.item.title,
            summary: &p.item.summary,
            score: score(&p.title_folded, &p.text_folded, &terms),
        }))
        .filter(|h| h.score > 0)
        .collect();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.title.cmp(b.title)));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_lets_plain_letters_find_swedish_ones() {
        assert_eq!(fold("Växelvård för Öland!"), "vaxelvard for oland ");
    }

    #[test]
    fn score_prefers_titles_and_ignores_unrelated() {
        let terms = vec!["vaxelvard".to_owned()];
        assert_eq!(score("vaxelvard", "", &terms), 5);
        assert_eq!(score("annat", "om vaxelvarden", &terms), 1);
        assert_eq!(score("annat", "inget", &terms), 0);
    }
}
