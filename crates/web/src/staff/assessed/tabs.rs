//! The case's assessed-support page in parts (`?del=`), each short enough to work in: the
//! application, the investigation, kommunicering, the decisions, the notice, the appeals,
//! execution and follow-up. A step comes back to the part its form is on, with that form's
//! errors, each naming its field.

use crate::i18n::I18n;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Application,
    Investigation,
    Communication,
    Decisions,
    Notice,
    Appeals,
    Execution,
    FollowUp,
}

impl Tab {
    pub const ALL: [Tab; 8] = [
        Tab::Application,
        Tab::Investigation,
        Tab::Communication,
        Tab::Decisions,
        Tab::Notice,
        Tab::Appeals,
        Tab::Execution,
        Tab::FollowUp,
    ];

    /// The part's address, `?del=` and the value.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Application => "ansokan",
            Tab::Investigation => "utredning",
            Tab::Communication => "kommunicering",
            Tab::Decisions => "beslut",
            Tab::Notice => "delgivning",
            Tab::Appeals => "overklaganden",
            Tab::Execution => "verkstallighet",
            Tab::FollowUp => "uppfoljning",
        }
    }

    /// The part named in the address; the application when none (or an unknown one) is.
    pub fn from_query(v: &str) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| t.slug() == v)
            .unwrap_or(Tab::Application)
    }

    /// The part a step's form is on, by the object and the step (`{action}` of its address).
    pub fn of_step(object: &str, action: &str) -> Tab {
        match (object, action) {
            ("case", "utredning" | "samtycke" | "aterkalla" | "sip") => Tab::Investigation,
            ("case", "kommunicering" | "svar") => Tab::Communication,
            ("case", "beslut") => Tab::Decisions,
            ("decision", "delgivning" | "mottagning") => Tab::Notice,
            ("decision", "overklagande") | ("appeal", _) => Tab::Appeals,
            ("decision", "bestall" | "verkstallighet" | "drojsmal") => Tab::Execution,
            ("decision", "uppfoljning") => Tab::FollowUp,
            _ => Tab::Application,
        }
    }

    pub fn label(self, t: &I18n) -> String {
        t.get(&format!("assessed-tab-{}", self.slug()))
    }
}

/// What the error summary calls a field of the page's forms: the same words as its label.
pub fn field_label(t: &I18n, field: &str) -> String {
    const LABELS: &[(&str, &str)] = &[
        ("answer", "assessed-answer-text"),
        ("answer_by", "assessed-answer-by-label"),
        ("answered_on", "assessed-date"),
        ("area", "assessed-area"),
        ("carer_view", "assessed-carer-view"),
        ("communication_waiver", "assessed-waiver-label"),
        ("consequences", "report-col-consequences"),
        ("court_outcome", "assessed-appeal-court"),
        ("days_per_week", "assessed-days-per-week"),
        ("decided_on", "assessed-decided-on"),
        ("exception", "assessed-appeal-exception"),
        ("given_by", "assessed-consent-given-by"),
        ("given_on", "assessed-date"),
        ("held_on", "assessed-date"),
        ("hours_per_month", "assessed-hours-per-month"),
        ("insats", "assessed-decision-insats-other"),
        ("interim_support", "report-col-interim"),
        ("kind", "assessed-execution-kind"),
        ("legal_basis", "assessed-legal-basis-choose"),
        ("material", "assessed-communication-material"),
        ("method", "assessed-method"),
        ("next_on", "assessed-next-follow-up"),
        ("note", "assessed-note"),
        ("on_date", "assessed-date"),
        ("outcome", "assessed-outcome"),
        ("period_from", "assessed-period-from"),
        ("period_to", "assessed-period-to"),
        ("planned_start", "assessed-planned-start"),
        ("provider", "assessed-provider"),
        ("reason", "report-col-reason"),
        ("reasons", "assessed-reasons"),
        ("received_on", "assessed-received-on"),
        ("recipient_view", "assessed-recipient-view"),
        ("reconsideration", "assessed-appeal-reconsider"),
        ("reported_to", "assessed-concern-to"),
        ("scope", "assessed-consent-scope"),
        ("scope_text", "assessed-scope-text"),
        ("sent_on", "assessed-sent-on"),
        ("sip_on", "assessed-sip-date"),
        ("still_fits", "assessed-still-fits"),
        ("text", "assessed-investigation-text"),
    ];
    LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, id)| t.get(id))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_its_part_and_every_part_its_address() {
        assert_eq!(Tab::of_step("appeal", "overlamna"), Tab::Appeals);
        assert_eq!(Tab::of_step("decision", "mottagning"), Tab::Notice);
        assert_eq!(Tab::of_step("decision", "drojsmal"), Tab::Execution);
        assert_eq!(Tab::of_step("case", "drojsmal"), Tab::Application);
        assert_eq!(Tab::of_step("case", "beslut"), Tab::Decisions);
        for t in Tab::ALL {
            assert_eq!(Tab::from_query(t.slug()), t);
        }
        assert_eq!(Tab::from_query("nonsense"), Tab::Application);
    }
}
