//! UI text from Fluent files: Swedish first, English second. Templates ask for messages by id.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{langid, LanguageIdentifier};

/// Each language's Fluent files, one per part of the system; the same file names in both.
pub const SV_FTL: &[&str] = &[
    include_str!("../locales/sv/main.ftl"),
    include_str!("../locales/sv/assessed.ftl"),
    include_str!("../locales/sv/apply.ftl"),
    include_str!("../locales/sv/open.ftl"),
    include_str!("../locales/sv/conversations.ftl"),
];
pub const EN_FTL: &[&str] = &[
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/assessed.ftl"),
    include_str!("../locales/en/apply.ftl"),
    include_str!("../locales/en/open.ftl"),
    include_str!("../locales/en/conversations.ftl"),
];

/// A Swedish message where no app state is at hand (error conversions), from a bundle
/// loaded once.
pub fn swedish(id: &str) -> String {
    static SV: std::sync::OnceLock<Option<I18n>> = std::sync::OnceLock::new();
    match SV.get_or_init(|| I18n::swedish().ok()) {
        Some(t) => t.get(id),
        None => format!("[{id}]"),
    }
}

pub struct I18n {
    bundle: FluentBundle<FluentResource>,
    /// The language's tag for `<html lang>`: "sv" or "en".
    pub lang: &'static str,
}

#[derive(Debug)]
pub struct I18nError(pub String);

impl std::fmt::Display for I18nError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn lang_is_english(bundle: &FluentBundle<FluentResource>) -> bool {
    bundle
        .locales
        .first()
        .is_some_and(|l| l.language.as_str() == "en")
}

impl I18n {
    pub fn new(lang: LanguageIdentifier, sources: &[&str]) -> Result<Self, I18nError> {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.clone()]);
        // Isolation marks would end up inside attribute values and titles.
        bundle.set_use_isolating(false);
        for source in sources {
            let resource = FluentResource::try_new((*source).to_owned())
                .map_err(|(_, errs)| I18nError(format!("{lang}: {errs:?}")))?;
            // A message defined twice is an error, not a silent override.
            bundle
                .add_resource(resource)
                .map_err(|errs| I18nError(format!("{errs:?}")))?;
        }
        let lang = if lang_is_english(&bundle) { "en" } else { "sv" };
        Ok(Self { bundle, lang })
    }

    pub fn swedish() -> Result<Self, I18nError> {
        Self::new(langid!("sv-SE"), SV_FTL)
    }

    pub fn english() -> Result<Self, I18nError> {
        Self::new(langid!("en-GB"), EN_FTL)
    }

    /// The message, or its id in brackets when missing (a test keeps that from happening).
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message with one named argument.
    pub fn get1(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value));
        self.format(id, Some(&args))
    }

    /// The message with a number, so that plural forms ("1 plats", "2 platser") are chosen.
    pub fn get_n(&self, id: &str, name: &str, n: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(n));
        self.format(id, Some(&args))
    }

    /// The message with two named arguments.
    pub fn get2(&self, id: &str, a: (&str, &str), b: (&str, &str)) -> String {
        let mut args = FluentArgs::new();
        args.set(a.0, FluentValue::from(a.1));
        args.set(b.0, FluentValue::from(b.1));
        self.format(id, Some(&args))
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return format!("[{id}]");
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Every message id in a Fluent source, for the completeness tests.
    pub fn ids(sources: &[&str]) -> Vec<String> {
        sources
            .iter()
            .flat_map(|s| s.lines())
            .filter_map(|l| {
                let (id, _) = l.split_once(" =")?;
                (!id.starts_with(['#', ' ', '.', '-']) && !id.is_empty())
                    .then(|| id.trim().to_owned())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_parse_and_have_the_same_messages() {
        I18n::swedish().unwrap();
        I18n::english().unwrap();
        let sv: BTreeSet<_> = I18n::ids(SV_FTL).into_iter().collect();
        let en: BTreeSet<_> = I18n::ids(EN_FTL).into_iter().collect();
        assert!(sv.len() > 50);
        assert_eq!(
            sv.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in English"
        );
        assert_eq!(
            en.difference(&sv).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in Swedish"
        );
    }

    #[test]
    fn every_message_id_used_in_code_and_templates_exists() {
        let sv = I18n::swedish().unwrap();
        let mut sources: Vec<String> = Vec::new();
        for dir in ["templates", "templates/staff", "templates/mail"] {
            let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_file() {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        // Every Rust file of the crate, so a new module cannot be forgotten.
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("i18n.rs")
                {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut missing = Vec::new();
        for src in &sources {
            for part in src
                .split("t.get(\"")
                .skip(1)
                .chain(src.split("t.get1(\"").skip(1))
                .chain(src.split("t.get2(\"").skip(1))
                .chain(src.split("t.get_n(\"").skip(1))
                .chain(src.split("swedish(\"").skip(1))
            {
                let id = part.split('"').next().unwrap();
                if !sv.has(id) {
                    missing.push(id.to_owned());
                }
            }
        }
        for e in [
            domain::personnummer::PersonnummerError::Empty,
            domain::personnummer::PersonnummerError::InvalidCharacters,
            domain::personnummer::PersonnummerError::WrongLength,
            domain::personnummer::PersonnummerError::InvalidDate,
            domain::personnummer::PersonnummerError::FutureDate,
            domain::personnummer::PersonnummerError::ChecksumMismatch,
        ] {
            if !sv.has(e.message_id()) {
                missing.push(e.message_id().to_owned());
            }
        }
        // Every refusal of assessed support, through the web's own mapping.
        for r in store::assessed::Refusal::ALL {
            let id = crate::assessed::refusal_message_id(*r);
            if !sv.has(id) {
                missing.push(id.to_owned());
            }
        }
        // Message ids the domain hands up as string literals.
        for rel in [
            "../domain/src/assessed.rs",
            "../domain/src/assessed/steps.rs",
            "../domain/src/activity.rs",
            "../domain/src/conversation.rs",
        ] {
            let src =
                std::fs::read_to_string(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            for prefix in ["\"error-", "\"refusal-"] {
                for part in src.split(prefix).skip(1) {
                    let id = format!("{}{}", &prefix[1..], part.split('"').next().unwrap());
                    if !sv.has(&id) {
                        missing.push(id);
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing Fluent messages: {missing:?}");
    }

    /// Ids built at run time from enums and field names.
    #[test]
    fn every_built_message_id_exists() {
        use domain::catalogue::{Audience, Track};
        use domain::contact::*;
        let sv = I18n::swedish().unwrap();
        let mut ids: Vec<String> = Vec::new();
        for t in Track::ALL {
            ids.push(format!("track-{}", t.as_str()));
            ids.push(format!("track-{}-intro", t.as_str()));
        }
        for a in [
            Audience::Carer,
            Audience::CareRecipient,
            Audience::YoungCarer,
        ] {
            ids.push(format!("audience-{}", a.as_str()));
        }
        ids.extend(
            Relation::ALL
                .iter()
                .map(|x| format!("relation-{}", x.as_str())),
        );
        ids.extend(AgeGroup::ALL.iter().map(|x| format!("age-{}", x.as_str())));
        ids.extend(
            Condition::ALL
                .iter()
                .map(|x| format!("condition-{}", x.as_str())),
        );
        ids.extend(Want::ALL.iter().map(|x| format!("want-{}", x.as_str())));
        ids.extend(
            PreferredTime::ALL
                .iter()
                .map(|x| format!("time-{}", x.as_str())),
        );
        ids.extend(
            FIELD_ORDER
                .iter()
                .map(|f| format!("field-{}", f.replace('_', "-"))),
        );
        ids.extend(
            store::municipalities::CONTACT_KINDS
                .iter()
                .map(|k| format!("contact-kind-{}", k.replace('_', "-"))),
        );
        ids.extend(
            domain::staff::Role::ALL
                .iter()
                .map(|r| format!("role-{}", r.as_str())),
        );
        for e in [
            domain::password::PasswordError::TooShort,
            domain::password::PasswordError::TooLong,
            domain::password::PasswordError::Common,
            domain::password::PasswordError::ContainsEmail,
        ] {
            ids.push(e.message_id().to_owned());
        }
        use domain::case::{
            CaseKind, CaseStatus, JournalKind, PersonRole, Protection, RelationKind,
        };
        ids.extend(
            CaseKind::ALL
                .iter()
                .map(|x| format!("case-kind-{}", x.as_str())),
        );
        ids.extend(
            CaseStatus::ALL
                .iter()
                .map(|x| format!("case-status-{}", x.as_str())),
        );
        ids.extend(
            JournalKind::ALL
                .iter()
                .map(|x| format!("journal-kind-{}", x.as_str())),
        );
        ids.extend(
            PersonRole::ALL
                .iter()
                .map(|x| format!("person-role-{}", x.as_str())),
        );
        ids.extend(
            Protection::ALL
                .iter()
                .map(|x| format!("protection-{}", x.as_str())),
        );
        ids.extend(
            RelationKind::ALL
                .iter()
                .map(|x| format!("relation-{}", x.as_str())),
        );
        ids.extend(["case-event-opened", "case-event-status"].map(str::to_owned));
        ids.extend(
            domain::case::InboxKind::ALL
                .iter()
                .map(|x| format!("inbox-kind-{}", x.as_str())),
        );
        // Ids handed to the staff message page as plain arguments.
        ids.extend(
            [
                "forbidden-title",
                "forbidden-text",
                "error-csrf-title",
                "error-csrf",
                "person-not-yours",
                "api-mark-own",
                "relation-error-title",
                "relation-error",
                "admin-error-self",
                "error-not-found-title",
                "error-not-found-text",
                "error-internal-title",
                "staff-error-internal-text",
            ]
            .map(str::to_owned),
        );
        ids.extend(["not_started", "interrupted"].map(|w| format!("report-waiting-{w}")));
        {
            use domain::activity::*;
            ids.extend(
                ActivityKind::ALL
                    .iter()
                    .map(|x| format!("activity-kind-{}", x.as_str())),
            );
            ids.extend(
                Theme::ALL
                    .iter()
                    .map(|x| format!("activity-theme-{}", x.as_str())),
            );
            ids.extend(Need::ALL.iter().map(|x| format!("need-{}", x.as_str())));
            ids.extend(Gender::ALL.iter().map(|x| format!("gender-{}", x.as_str())));
            ids.extend(
                SignupStatus::ALL
                    .iter()
                    .map(|x| format!("signup-title-{}", x.as_str())),
            );
            ids.extend(
                SignupStatus::ALL
                    .iter()
                    .map(|x| format!("signup-status-{}", x.as_str())),
            );
            ids.extend(
                SignupStatus::ALL
                    .iter()
                    .map(|x| format!("staff-signup-status-{}", x.as_str())),
            );
            ids.extend(
                [
                    "saved",
                    "occasion-added",
                    "occasion-cancelled",
                    "cancelled",
                    "attendance-saved",
                    "message-sent",
                    "signup-cancelled",
                ]
                .map(|n| format!("staff-notice-{n}")),
            );
            ids.extend((1..=7).map(|d| format!("weekday-{d}")));
            ids.extend((1..=12).map(|m| format!("month-{m}")));
            for k in store::activities::MailKind::ALL {
                ids.push(format!("mail-subject-{}", k.as_str()));
                ids.push(format!("mail-lead-{}", k.as_str()));
            }
            for c in [
                Closed::Cancelled,
                Closed::DeadlinePassed,
                Closed::NoOccasionLeft,
            ] {
                ids.push(c.message_id().to_owned());
            }
        }
        ids.extend(["woman", "man", "unknown"].map(|w| format!("report-sex-{w}")));
        {
            use domain::assessed::*;
            fn all<T: Copy>(
                ids: &mut Vec<String>,
                prefix: &str,
                xs: &[T],
                name: fn(T) -> &'static str,
            ) {
                ids.extend(xs.iter().map(|x| format!("{prefix}-{}", name(*x))));
            }
            all(&mut ids, "area", Area::ALL, Area::as_str);
            ids.extend(
                Area::ALL
                    .iter()
                    .map(|a| format!("area-group-{}", a.group())),
            );
            all(&mut ids, "outcome", Outcome::ALL, Outcome::as_str);
            all(
                &mut ids,
                "notice-method",
                NoticeMethod::ALL,
                NoticeMethod::as_str,
            );
            all(
                &mut ids,
                "communication-method",
                CommunicationMethod::ALL,
                CommunicationMethod::as_str,
            );
            all(
                &mut ids,
                "consent-scope",
                ConsentScope::ALL,
                ConsentScope::as_str,
            );
            all(
                &mut ids,
                "execution-event",
                ExecutionEvent::ALL,
                ExecutionEvent::as_str,
            );
            all(
                &mut ids,
                "appeal-exception",
                AppealException::ALL,
                AppealException::as_str,
            );
            all(
                &mut ids,
                "reconsideration",
                Reconsideration::ALL,
                Reconsideration::as_str,
            );
            all(
                &mut ids,
                "court-outcome",
                CourtOutcome::ALL,
                CourtOutcome::as_str,
            );
            all(&mut ids, "channel", Channel::ALL, Channel::as_str);
            all(
                &mut ids,
                "applicant-role",
                ApplicantRole::ALL,
                ApplicantRole::as_str,
            );
            ids.extend(
                ExecutionEvent::ALL
                    .iter()
                    .map(|e| format!("case-event-execution-{}", e.as_str())),
            );
        }
        ids.extend(
            ["ordered", "running", "interrupted", "ended"].map(|w| format!("execution-state-{w}")),
        );
        ids.extend(
            ["waiting", "dismissed", "lapsed", "forwarded", "settled"]
                .map(|w| format!("appeal-status-{w}")),
        );
        ids.extend(["delay_notice", "decision_request"].map(|w| format!("delay-kind-{w}")));
        ids.extend(
            domain::letter_text::Blocks::shipped()
                .unwrap()
                .codes()
                .into_iter()
                .map(|c| format!("letter-block-{c}")),
        );
        ids.extend(
            [
                "case-age",
                "decision-request",
                "communication",
                "notice",
                "appeal-waiting",
                "appeal-late",
                "follow-up",
                "not-started",
            ]
            .map(|w| format!("watch-what-{w}")),
        );
        ids.extend(["journal-kind-investigation", "track-free"].map(str::to_owned));
        // Appeal periods in words in the decision letter.
        ids.push("letter-number-3".to_owned());
        // The case events the assessed steps write (store::assessed).
        ids.extend(
            [
                "application",
                "assigned",
                "consent",
                "consent-withdrawn",
                "concern-report",
                "sip",
                "communication",
                "communication-answered",
                "decision",
                "notice",
                "appeal",
                "appeal-exception",
                "appeal-dismissed",
                "appeal-reconsidered",
                "appeal-forwarded",
                "appeal-court",
                "execution-ordered",
                "delay-explained",
                "follow-up",
                "delay_notice",
                "decision_request",
            ]
            .map(|k| format!("case-event-{k}")),
        );
        let missing: Vec<_> = ids.iter().filter(|id| !sv.has(id)).collect();
        assert!(missing.is_empty(), "missing Fluent messages: {missing:?}");
        let en = I18n::english().unwrap();
        let missing_en: Vec<_> = ids.iter().filter(|id| !en.has(id)).collect();
        assert!(
            missing_en.is_empty(),
            "missing English messages: {missing_en:?}"
        );
    }
}
