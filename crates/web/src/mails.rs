//! The wording of the e-mails the open support sends: a plain-text and an HTML part from
//! templates, texts from the Fluent files (Swedish). The store decides who gets which message
//! inside the change's transaction; this module only writes them.

use crate::activities::occasion_text;
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use store::activities::{Compose, MailContext, MailKind, Written};
use store::conversations::{BookingMail, ComposeBooking, ConversationRow};

pub struct Mails<'a> {
    t: &'a I18n,
    base: &'a str,
}

impl<'a> Mails<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Self::with(&state.t, &state.config.public_url)
    }

    /// Without a running app (the demo seed): the texts and the public address.
    pub fn with(t: &'a I18n, public_url: &'a str) -> Self {
        Self {
            t,
            base: public_url.trim_end_matches('/'),
        }
    }
}

/// What both parts of a message show.
struct Body<'a> {
    t: &'a I18n,
    name: &'a str,
    lead: String,
    title: &'a str,
    /// The occasion the message is about (a reminder, a cancelled occasion).
    about: String,
    occasions: Vec<String>,
    place: String,
    link: String,
    /// A message from staff, as they wrote it.
    message: &'a str,
    contact: String,
    respite: bool,
    kommun_support: String,
}

#[derive(Template)]
#[template(path = "mail/signup.txt")]
struct TextMail<'a> {
    b: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "mail/signup.html")]
struct HtmlMail<'a> {
    b: &'a Body<'a>,
}

impl Compose for Mails<'_> {
    fn compose(&self, c: &MailContext<'_>) -> Result<Written, String> {
        let t = self.t;
        let a = c.activity;
        let kind = c.kind.as_str();
        let kommun = &c.signup.kommunkod;
        let (subject, message) = match (c.kind, c.message) {
            (MailKind::Message, Some((subject, text))) => (subject.to_owned(), text),
            _ => (
                t.get1(&format!("mail-subject-{kind}"), "title", &a.title),
                "",
            ),
        };
        let place = if a.digital {
            t.get("activity-digital-mail")
        } else {
            [
                a.place_name.as_str(),
                a.place_address.as_deref().unwrap_or(""),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
        };
        // The meeting link goes only to those with a seat.
        let place = match (&a.meeting_link, c.signup.status.as_str()) {
            (Some(link), "confirmed") => format!("{place} {link}"),
            _ => place,
        };
        let b = Body {
            t,
            name: &c.signup.name,
            lead: if c.kind == MailKind::Message {
                String::new()
            } else {
                t.get(&format!("mail-lead-{kind}"))
            },
            title: &a.title,
            about: c.occasion.map(|o| occasion_text(t, o)).unwrap_or_default(),
            occasions: c.occasions.iter().map(|o| occasion_text(t, o)).collect(),
            place,
            link: format!("{}/kommun/{kommun}/anmalan/{}", self.base, c.signup.token),
            message,
            contact: a.responsible_name.clone().unwrap_or_default(),
            respite: c.signup.needs.iter().any(|n| n == "care_for_recipient")
                && matches!(c.kind, MailKind::Confirmed | MailKind::Waitlisted),
            kommun_support: format!("{}/kommun/{kommun}/stod", self.base),
        };
        Ok(Written {
            subject,
            text: TextMail { b: &b }.render().map_err(|e| e.to_string())?,
            html: HtmlMail { b: &b }.render().map_err(|e| e.to_string())?,
        })
    }
}

/// What a booking message shows.
struct BookingBody<'a> {
    t: &'a I18n,
    greeting: String,
    lead: String,
    when: String,
    how: String,
    contact: String,
    link: String,
}

#[derive(Template)]
#[template(path = "mail/booking.txt")]
struct BookingText<'a> {
    b: &'a BookingBody<'a>,
}

#[derive(Template)]
#[template(path = "mail/booking.html")]
struct BookingHtml<'a> {
    b: &'a BookingBody<'a>,
}

impl ComposeBooking for Mails<'_> {
    fn compose_booking(&self, kind: BookingMail, c: &ConversationRow) -> Result<Written, String> {
        let t = self.t;
        let k = kind.as_str();
        let b = BookingBody {
            t,
            greeting: match c.who() {
                Some(name) if c.name.is_some() => t.get1("mail-greeting", "name", name),
                _ => t.get("mail-greeting-anonymous"),
            },
            lead: t.get(&format!("mail-lead-{k}")),
            when: crate::activities::moment_text(t, c.starts_at),
            how: [
                t.get(&format!("conversation-mode-{}", c.mode)),
                c.place.clone().unwrap_or_default(),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
            contact: c.officer_name.clone().unwrap_or_default(),
            link: c
                .token
                .as_ref()
                .map(|tok| format!("{}/kommun/{}/bokning/{tok}", self.base, c.kommunkod))
                .unwrap_or_default(),
        };
        Ok(Written {
            subject: t.get(&format!("mail-subject-{k}")),
            text: BookingText { b: &b }.render().map_err(|e| e.to_string())?,
            html: BookingHtml { b: &b }.render().map_err(|e| e.to_string())?,
        })
    }
}

#[derive(Template)]
#[template(path = "mail/password_link.txt")]
struct PasswordLinkText<'a> {
    t: &'a I18n,
    lead: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_link.html")]
struct PasswordLinkHtml<'a> {
    t: &'a I18n,
    subject: &'a str,
    lead: &'a str,
    link: &'a str,
}

impl Mails<'_> {
    /// The one-time link with which the account holder sets a new password.
    pub fn password_link(
        &self,
        user_id: i64,
        kommunkod: Option<&str>,
        email: &str,
        token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<store::outbox::NewMail, askama::Error> {
        let lead = self.t.get1("mail-password-lead", "email", email);
        let subject = self.t.get("mail-password-subject");
        self.link_mail(user_id, kommunkod, email, token, &subject, &lead, now)
    }

    /// A new account's first link, with which the holder chooses a password; `about` is set
    /// by the store once the account has its id.
    pub fn invitation(
        &self,
        kommunkod: Option<&str>,
        email: &str,
        token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<store::outbox::NewMail, askama::Error> {
        let lead = self.t.get1("mail-invite-lead", "email", email);
        let subject = self.t.get("mail-invite-subject");
        self.link_mail(0, kommunkod, email, token, &subject, &lead, now)
    }

    #[allow(clippy::too_many_arguments)]
    fn link_mail(
        &self,
        user_id: i64,
        kommunkod: Option<&str>,
        email: &str,
        token: &str,
        subject: &str,
        lead: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<store::outbox::NewMail, askama::Error> {
        let link = format!("{}/personal/nytt-losenord/{token}", self.base);
        let (t, link) = (self.t, link.as_str());
        Ok(store::outbox::NewMail {
            kommunkod: kommunkod.map(str::to_owned),
            kind: "password_link".into(),
            about: format!("staff:{user_id}"),
            to: email.to_owned(),
            subject: subject.to_owned(),
            text: PasswordLinkText { t, lead, link }.render()?,
            html: PasswordLinkHtml {
                t,
                subject,
                lead,
                link,
            }
            .render()?,
            send_after: now,
        })
    }
}
