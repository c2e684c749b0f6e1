//! The support catalogue: what a municipality offers carers, on which track, and the
//! informational pages around it. The same shape is the import/export format (TOML or JSON).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The two tracks of municipal support are always kept apart (DOMAIN.md), and national
/// benefits and organisations are shown beside them but decided by others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// Without individual needs assessment (utan biståndsprövning); the board's decision names it.
    Open,
    /// Assessed support under the social services act (bistånd).
    AssessedSol,
    /// Assessed support under LSS (1993:387).
    AssessedLss,
    /// Decided by Försäkringskassan, not the municipality.
    National,
    /// Associations, support lines and ombudsmen.
    Organisation,
}

impl Track {
    pub const ALL: [Track; 5] = [
        Track::Open,
        Track::AssessedSol,
        Track::AssessedLss,
        Track::National,
        Track::Organisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Track::Open => "open",
            Track::AssessedSol => "assessed_sol",
            Track::AssessedLss => "assessed_lss",
            Track::National => "national",
            Track::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the municipality decides it after an application (and it can be appealed).
    pub fn is_assessed(self) -> bool {
        matches!(self, Track::AssessedSol | Track::AssessedLss)
    }

    /// National entries and organisations are shown in every municipality.
    pub fn is_national(self) -> bool {
        matches!(self, Track::National | Track::Organisation)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Carer,
    CareRecipient,
    YoungCarer,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Carer => "carer",
            Audience::CareRecipient => "care_recipient",
            Audience::YoungCarer => "young_carer",
        }
    }
}

/// Who stands behind a piece of content, shown on the page as the national portal does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub updated_on: NaiveDate,
    pub editor: String,
    pub reviewer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    /// URL name, unique within its municipality (or among national entries).
    pub slug: String,
    pub title: String,
    pub track: Track,
    pub audience: Vec<Audience>,
    /// One plain-Swedish sentence for lists.
    pub summary: String,
    /// Plain Swedish in Markdown (paragraphs and lists; raw HTML is not rendered).
    pub description: String,
    pub who_applies: String,
    pub how_to_apply: String,
    pub consent_required: bool,
    pub cost: String,
    /// Open track: the board's decision that offers it without assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_ref: Option<String>,
    /// Open track: the conditions the board set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// A code in the law table (`data/law.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_ref: Option<String>,
    /// National benefits: the benefit whose dated rules the page shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Money paid to the carer or the care recipient: listed on the economic-support page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub economic: bool,
    /// Words a carer might search with that are not in the text.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Part of the default catalogue every municipality starts from.
    #[serde(default = "yes")]
    pub in_default: bool,
    #[serde(flatten)]
    pub provenance: Provenance,
}

fn yes() -> bool {
    true
}

/// An informational page (who can get support, young carers, complaints, privacy, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentPage {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Markdown; `{kommun}` and `{namnd}` are replaced with the municipality's and board's names.
    pub body: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A whole catalogue file: entries and pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(default, rename = "entry")]
    pub entries: Vec<CatalogueEntry>,
    #[serde(default, rename = "page")]
    pub pages: Vec<ContentPage>,
}

/// What is wrong with an imported catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("entry {0}: the slug must be 1-80 lowercase letters a-z, digits or '-'")]
    BadSlug(String),
    #[error("slug {0} appears more than once")]
    DuplicateSlug(String),
    #[error("entry {0}: an open-track entry needs the board's decision reference")]
    OpenWithoutDecision(String),
    #[error("entry {0}: the title is empty")]
    EmptyTitle(String),
}

pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Catalogue {
    /// Checks the rules a catalogue must meet before it is stored.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let mut seen = std::collections::HashSet::new();
        for e in &self.entries {
            if !is_valid_slug(&e.slug) {
                return Err(CatalogueError::BadSlug(e.slug.clone()));
            }
            if !seen.insert(("entry", e.slug.as_str())) {
                return Err(CatalogueError::DuplicateSlug(e.slug.clone()));
            }
            if e.title.trim().is_empty() {
                return Err(CatalogueError::EmptyTitle(e.slug.clone()));
            }
            if e.track == Track::Open
                && e.decision_ref
                    .as_deref()
                    .is_none_or(|d| d.trim().is_empty())
            {
                return Err(CatalogueError::OpenWithoutDecision(e.slug.clone()));
            }
        }
        for p in &self.pages {
            if !is_valid_slug(&p.slug) {
                return Err(CatalogueError::BadSlug(p.slug.clone()));
            }
            if !seen.insert(("page", p.slug.as_str())) {
                return Err(CatalogueError::DuplicateSlug(p.slug.clone()));
            }
        }
        Ok(())
    }

    /// The catalogue a new municipality starts from: the shipped entries marked as default.
    pub fn default_for_new_municipality(shipped: &Catalogue) -> Catalogue {
        Catalogue {
            entries: shipped
                .entries
                .iter()
                .filter(|e| e.in_default)
                .cloned()
                .collect(),
            pages: shipped.pages.clone(),
        }
    }
}

/// The shipped municipal catalogue (entries and pages) and the national one.
pub const MUNICIPAL_CATALOGUE_TOML: &str = include_str!("../data/catalogue/municipal.toml");
pub const NATIONAL_CATALOGUE_TOML: &str = include_str!("../data/catalogue/national.toml");

pub fn shipped_municipal() -> Result<Catalogue, toml::de::Error> {
    toml::from_str(MUNICIPAL_CATALOGUE_TOML)
}

pub fn shipped_national() -> Result<Catalogue, toml::de::Error> {
    toml::from_str(NATIONAL_CATALOGUE_TOML)
}

/// Replaces the placeholders a shared text may hold.
pub fn fill_placeholders(text: &str, municipality: &str, board: &str) -> String {
    text.replace("{kommun}", municipality)
        .replace("{namnd}", board)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::LawTable;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn shipped_catalogues_are_valid_and_cite_laws_in_force() {
        let law = LawTable::shipped().unwrap();
        for cat in [shipped_municipal().unwrap(), shipped_national().unwrap()] {
            cat.validate().unwrap();
            for e in &cat.entries {
                if let Some(code) = &e.legal_ref {
                    assert!(
                        law.reference(code, today()).is_some(),
                        "{}: {code} not in force",
                        e.slug
                    );
                }
                if let Some(b) = &e.benefit {
                    assert!(
                        !law.benefit_rules(b, today()).is_empty(),
                        "{}: no rules for {b}",
                        e.slug
                    );
                }
                if e.track.is_assessed() {
                    assert!(
                        e.legal_ref.is_some(),
                        "{}: assessed support names its law",
                        e.slug
                    );
                }
            }
        }
    }

    #[test]
    fn the_two_tracks_and_every_seed_form_are_in_the_shipped_catalogue() {
        let cat = shipped_municipal().unwrap();
        let on = |t: Track| cat.entries.iter().filter(|e| e.track == t).count();
        assert!(on(Track::Open) >= 8 && on(Track::AssessedSol) >= 5 && on(Track::AssessedLss) == 5);
        let national = shipped_national().unwrap();
        for slug in [
            "narstaendepenning",
            "omvardnadsbidrag",
            "merkostnadsersattning",
            "anhorigas-riksforbund",
            "roda-korset",
        ] {
            assert!(national.entries.iter().any(|e| e.slug == slug), "{slug}");
        }
        for page in [
            "vem-kan-fa-stod",
            "unga-anhoriga",
            "om-du-inte-ar-nojd",
            "fragor-och-svar",
            "personuppgifter",
            "tillganglighet",
        ] {
            assert!(cat.pages.iter().any(|p| p.slug == page), "{page}");
        }
    }

    #[test]
    fn default_catalogue_leaves_out_what_only_some_municipalities_offer() {
        let shipped = shipped_municipal().unwrap();
        let default = Catalogue::default_for_new_municipality(&shipped);
        assert!(default.entries.len() < shipped.entries.len());
        assert!(!default.entries.iter().any(|e| e.slug == "anhorigbidrag"));
    }

    #[test]
    fn validation_rejects_bad_catalogues() {
        let mut cat = shipped_municipal().unwrap();
        let open = cat
            .entries
            .iter()
            .position(|e| e.track == Track::Open)
            .unwrap();
        cat.entries[open].decision_ref = Some("  ".into());
        assert!(matches!(
            cat.validate(),
            Err(CatalogueError::OpenWithoutDecision(_))
        ));
        let mut cat = shipped_municipal().unwrap();
        let dup = cat.entries[0].clone();
        cat.entries.push(dup);
        assert!(matches!(
            cat.validate(),
            Err(CatalogueError::DuplicateSlug(_))
        ));
        let mut cat = shipped_municipal().unwrap();
        cat.entries[0].slug = "Växelvård".into();
        assert!(matches!(cat.validate(), Err(CatalogueError::BadSlug(_))));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill_placeholders("{namnd} i {kommun}", "Uppsala", "Socialnämnden"),
            "Socialnämnden i Uppsala"
        );
    }
}
