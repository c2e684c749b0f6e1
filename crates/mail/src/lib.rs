//! Sends the e-mail outbox (`store::outbox`) over SMTP. A worker claims due messages, sends
//! each to the local MTA and marks it sent, or records the failure and retries later with
//! exponential backoff. A message is never dropped: at worst it is sent twice (the MTA took
//! it but marking it sent failed), and then it carries the same Message-ID both times, so
//! the receiving side can tell.
//!
//! Plain SMTP only (no TLS in this crate): the application talks to an MTA on the same host
//! or a private link, and TLS to the outside relay is that MTA's job.
//!
//! Logs name the outbox id only, never an address, subject or text.

use chrono::{DateTime, Utc};
use domain::clock::Clock;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use store::outbox::Claimed;

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// The From header, e.g. "Anhörigstöd <noreply@example.org>".
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The longest one message may take, connection to QUIT.
    pub timeout: Duration,
}

impl SmtpSettings {
    /// Settings for the local MTA with the default timeout and no credentials.
    pub fn new(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            from: from.into(),
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// Checks what can be checked before the first message, so a bad `mail_from` stops the
    /// server at start instead of failing every message.
    pub fn validate(&self) -> Result<(), MailError> {
        if self.host.trim().is_empty() {
            return Err(MailError::Config("the SMTP host is empty".into()));
        }
        self.from.parse::<Mailbox>()?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("smtp: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("smtp: no answer within {0:?}")]
    Timeout(Duration),
    #[error("configuration: {0}")]
    Config(String),
}

impl MailError {
    /// A fixed word for logs: the SMTP server's own text may quote the address.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Address(_) => "address",
            Self::Build(_) => "message",
            Self::Smtp(e) if e.is_permanent() => "smtp-permanent",
            Self::Smtp(e) if e.is_transient() => "smtp-transient",
            Self::Smtp(e) if e.is_timeout() => "smtp-timeout",
            Self::Smtp(_) => "smtp-connection",
            Self::Timeout(_) => "smtp-timeout",
            Self::Config(_) => "configuration",
        }
    }
}

/// Builds the message: multipart/alternative with text/plain and text/html in UTF-8, the
/// stored Message-ID (the same on every attempt).
pub fn build_message(s: &SmtpSettings, m: &Claimed) -> Result<Message, MailError> {
    let from: Mailbox = s.from.parse()?;
    let to: Mailbox = m.to.parse()?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            m.text.clone(),
            m.html.clone(),
        ))?;
    Ok(message)
}

/// Sends one claimed message to the SMTP server.
pub async fn send(s: &SmtpSettings, m: &Claimed) -> Result<(), MailError> {
    let message = build_message(s, m)?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str())
        .port(s.port)
        .timeout(Some(s.timeout));
    if let (Some(user), Some(pass)) = (&s.username, &s.password) {
        builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    let transport = builder.build();
    // The transport's timeout is per command; this bounds the whole exchange, so the worker
    // knows how long a message can take when it checks its lease.
    match tokio::time::timeout(s.timeout, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(MailError::Timeout(s.timeout)),
    }
}

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Pause between runs when the outbox had nothing more to send.
    pub poll: Duration,
    /// How long a claimed message is held before another worker may take it.
    pub lease_seconds: i64,
    /// The first retry waits this long; each further failure doubles it.
    pub retry_base_seconds: i64,
    pub retry_max_seconds: i64,
    /// Messages claimed per run.
    pub batch: i64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(2),
            lease_seconds: 120,
            retry_base_seconds: 30,
            retry_max_seconds: 3600,
            batch: 20,
        }
    }
}

/// Seconds to wait after a failure, where `attempts_so_far` counts the attempts made,
/// including the one that just failed: 1 → base, 2 → 2 × base, 3 → 4 × base, ... never more
/// than `max` (nor less than zero).
pub fn retry_delay(attempts_so_far: i64, base: i64, max: i64) -> i64 {
    let max = max.max(0);
    let exponent = u32::try_from((attempts_so_far - 1).clamp(0, 62)).unwrap_or(62);
    let delay = 2i64
        .checked_pow(exponent)
        .and_then(|factor| base.max(0).checked_mul(factor))
        .unwrap_or(max);
    delay.clamp(0, max)
}

/// One pass: claims due messages, sends each and records the outcome. Returns how many were
/// sent. A failed send stays pending with its error and a later retry time; a store error
/// ends the pass (what is still claimed comes back when its lease ends).
pub async fn run_once(
    db: &store::Db,
    clock: &dyn Clock,
    smtp: &SmtpSettings,
    w: &WorkerSettings,
) -> Result<usize, store::StoreError> {
    let claimed_at = clock.now();
    let claimed = store::outbox::claim_due(db, claimed_at, w.lease_seconds, w.batch).await?;
    let lease_end = claimed_at + chrono::Duration::seconds(w.lease_seconds);
    let mut sent = 0;
    for m in &claimed {
        // Never start a send that could outlast the lease: another worker could claim the
        // message meanwhile and send it too. The rest come back when the lease ends.
        if !time_left(clock.now(), lease_end, smtp.timeout) {
            tracing::info!(
                outbox_id = m.id,
                "mail: lease nearly over, leaving the rest of the batch"
            );
            break;
        }
        match send(smtp, m).await {
            Ok(()) => {
                store::outbox::mark_sent(db, m.id, clock.now()).await?;
                tracing::debug!(outbox_id = m.id, "mail: sent");
                sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let delay = retry_delay(attempts, w.retry_base_seconds, w.retry_max_seconds);
                let retry_at = clock.now().timestamp() + delay;
                store::outbox::mark_failed(db, m.id, &e.to_string(), retry_at).await?;
                tracing::warn!(
                    outbox_id = m.id,
                    attempts,
                    kind = e.kind(),
                    retry_in_seconds = delay,
                    "mail: sending failed, will retry"
                );
            }
        }
    }
    Ok(sent)
}

fn time_left(now: DateTime<Utc>, lease_end: DateTime<Utc>, needed: Duration) -> bool {
    let needed = chrono::Duration::from_std(needed).unwrap_or(chrono::Duration::MAX);
    now.checked_add_signed(needed)
        .is_some_and(|done_by| done_by < lease_end)
}

/// Runs the worker until the task is aborted: a pass, then (unless it filled a whole batch,
/// so more may be waiting) a pause of `poll`.
pub fn spawn(
    db: store::Db,
    clock: Arc<dyn Clock>,
    smtp: SmtpSettings,
    w: WorkerSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let more = match run_once(&db, clock.as_ref(), &smtp, &w).await {
                Ok(sent) => i64::try_from(sent).unwrap_or(i64::MAX) >= w.batch.max(1),
                Err(e) => {
                    tracing::warn!(error = %e, "mail: outbox pass failed");
                    false
                }
            };
            if !more {
                tokio::time::sleep(w.poll).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_and_caps() {
        assert_eq!(retry_delay(1, 30, 3600), 30);
        assert_eq!(retry_delay(2, 30, 3600), 60);
        assert_eq!(retry_delay(3, 30, 3600), 120);
        assert_eq!(retry_delay(7, 30, 3600), 1920);
        assert_eq!(retry_delay(8, 30, 3600), 3600);
        assert_eq!(retry_delay(1000, 30, 3600), 3600);
        assert_eq!(retry_delay(i64::MAX, 30, 3600), 3600);
    }

    #[test]
    fn retry_delay_odd_input() {
        // Zero or negative attempts count as the first.
        assert_eq!(retry_delay(0, 30, 3600), 30);
        assert_eq!(retry_delay(-5, 30, 3600), 30);
        assert_eq!(retry_delay(3, 0, 3600), 0);
        assert_eq!(retry_delay(3, -10, 3600), 0);
        assert_eq!(retry_delay(1, 30, 10), 10);
        assert_eq!(retry_delay(1, 30, -1), 0);
        assert_eq!(retry_delay(64, i64::MAX, i64::MAX), i64::MAX);
    }

    #[test]
    fn defaults() {
        let w = WorkerSettings::default();
        assert_eq!(w.poll, Duration::from_secs(2));
        assert_eq!(
            (
                w.lease_seconds,
                w.retry_base_seconds,
                w.retry_max_seconds,
                w.batch
            ),
            (120, 30, 3600, 20)
        );
    }

    fn claimed() -> Claimed {
        Claimed {
            id: 1,
            message_id: "<abc123@anhorigstod.invalid>".into(),
            to: "anna@example.org".into(),
            subject: "Bekräftelse: Anhörigträff i Växjö".into(),
            text: "Hej!\nDu är anmäld.".into(),
            html: "<p>Hej!</p><p>Du är anmäld.</p>".into(),
            attempts: 0,
        }
    }

    #[test]
    fn message_has_the_stored_id_and_both_parts() {
        let s = SmtpSettings::new("127.0.0.1", 25, "Anhörigstöd <noreply@example.org>");
        let raw = String::from_utf8(build_message(&s, &claimed()).unwrap().formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <abc123@anhorigstod.invalid>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("To: anna@example.org\r\n"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain; charset=utf-8"), "{raw}");
        assert!(raw.contains("text/html; charset=utf-8"), "{raw}");
        // The subject is encoded, not raw 8-bit.
        assert!(!raw.contains("Bekräftelse"), "{raw}");
    }

    #[test]
    fn bad_addresses_are_errors() {
        let s = SmtpSettings::new("127.0.0.1", 25, "not an address");
        assert!(s.validate().is_err());
        let ok = SmtpSettings::new("127.0.0.1", 25, "Anhörigstöd <noreply@example.org>");
        assert!(ok.validate().is_ok());
        let mut m = claimed();
        m.to = "nobody".into();
        assert!(matches!(build_message(&ok, &m), Err(MailError::Address(_))));
        assert!(SmtpSettings::new(" ", 25, "a@b.se").validate().is_err());
    }

    #[test]
    fn lease_check() {
        let now = Utc::now();
        let end = now + chrono::Duration::seconds(120);
        assert!(time_left(now, end, Duration::from_secs(30)));
        assert!(!time_left(now, end, Duration::from_secs(120)));
        assert!(!time_left(now, end, Duration::MAX));
    }
}
