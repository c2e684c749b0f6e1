//! Configuration: a TOML file, then `ANHORIGSTOD_*` environment variables, then command-line
//! flags, each overriding the one before. Loaded once and passed in.

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    /// "all", or a list of kommunkoder this deployment serves.
    pub municipalities: Option<Municipalities>,
    /// "json" (default) or "pretty".
    pub log_format: Option<String>,
    pub access_log: Option<bool>,
    /// Seconds public content is cached per node.
    pub content_cache_seconds: Option<u64>,
    /// The SMTP server (the local MTA) the outbox is sent to; without it e-mail stays in
    /// the outbox.
    pub smtp_host: Option<String>,
    /// Default 25.
    pub smtp_port: Option<u16>,
    /// The From header, e.g. "Anhörigstöd <noreply@example.org>"; needed with `smtp_host`.
    pub mail_from: Option<String>,
    /// The address the public reaches this deployment at, for links in e-mails and
    /// calendars (e.g. "https://anhorigstod.kommun.se"); default http:// and the bind address.
    pub public_url: Option<String>,
    /// The bearer token `/metrics` asks for; without it only loopback clients read them.
    pub metrics_token: Option<String>,
    /// Send `Strict-Transport-Security` (only behind HTTPS).
    pub hsts: Option<bool>,
    /// Anonymous writes per client address per minute (default 20; 0 turns the limit off).
    pub rate_limit_per_minute: Option<u32>,
    /// Anonymous writes per municipality per minute, over all clients (default 600).
    pub rate_limit_municipality_per_minute: Option<u32>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Option<Vec<String>>,
    /// The file holding the key that signs the audit chain (64 hex digits); keep it off the
    /// database's machine or at least out of its backups.
    pub audit_key_file: Option<std::path::PathBuf>,
    /// The file holding the key that seals second-factor secrets at rest (64 hex digits);
    /// kept like the audit key, and not the same key.
    pub totp_key_file: Option<std::path::PathBuf>,
    /// Months a record of the open support (contact request without a case, sign-up, booking,
    /// conversation note) is kept after its last use, by the municipality's own retention
    /// decision (gallringsbeslut); default the law table's 24.
    pub retention_open_support_months: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Municipalities {
    All(String),
    Only(Vec<String>),
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub const DEFAULT_CONFIG_FILE: &str = "anhorigstod.toml";

/// Reads the file named, or `anhorigstod.toml` in the working folder if it exists.
pub fn load_file(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (Path::new(DEFAULT_CONFIG_FILE).to_path_buf(), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))
        }
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(FileConfig::default())
        }
        Err(e) => Err(ConfigError(format!("{}: {e}", path.display()))),
    }
}

/// Parses "all" or "0180,0380" into the served set.
pub fn parse_served(value: &Municipalities) -> Result<web::Served, ConfigError> {
    let list = match value {
        Municipalities::All(s) if s.trim().eq_ignore_ascii_case("all") => {
            return Ok(web::Served::All)
        }
        Municipalities::All(s) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .collect::<Vec<_>>(),
        Municipalities::Only(v) => v.clone(),
    };
    let mut set = std::collections::HashSet::new();
    for code in list {
        domain::Kommunkod::parse(&code).map_err(|_| {
            ConfigError(format!(
                "municipalities: '{code}' is not a four-digit kommunkod"
            ))
        })?;
        set.insert(code);
    }
    Ok(web::Served::Only(set))
}

/// The SMTP settings from the file, each overridden by its `ANHORIGSTOD_*` variable (read
/// through `env`, so tests need not touch the process environment). `None` when no host is
/// set: then e-mail stays in the outbox.
pub fn smtp_settings(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<mail::SmtpSettings>, ConfigError> {
    // An empty variable counts as unset, as a blank line in a unit file often means.
    let env = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    let Some(host) = env("ANHORIGSTOD_SMTP_HOST").or_else(|| file.smtp_host.clone()) else {
        return Ok(None);
    };
    let port = match env("ANHORIGSTOD_SMTP_PORT") {
        Some(p) => p.trim().parse::<u16>().map_err(|_| {
            ConfigError(format!("ANHORIGSTOD_SMTP_PORT: '{p}' is not a port number"))
        })?,
        None => file.smtp_port.unwrap_or(25),
    };
    let from = env("ANHORIGSTOD_MAIL_FROM")
        .or_else(|| file.mail_from.clone())
        .ok_or_else(|| {
            ConfigError(
                "mail_from (or ANHORIGSTOD_MAIL_FROM) is needed when smtp_host is set".into(),
            )
        })?;
    let settings = mail::SmtpSettings::new(host.trim(), port, from);
    settings
        .validate()
        .map_err(|e| ConfigError(format!("mail_from / smtp_host: {e}")))?;
    Ok(Some(settings))
}

/// The limits on anonymous writes and the proxies to believe, from the file, each overridden
/// by its `ANHORIGSTOD_*` variable (`ANHORIGSTOD_TRUSTED_PROXIES` is a comma-separated list).
pub struct AbuseSettings {
    pub rate_limit_per_minute: u32,
    pub rate_limit_municipality_per_minute: u32,
    pub trusted_proxies: web::http::TrustedProxies,
}

pub fn abuse_settings(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<AbuseSettings, ConfigError> {
    let env = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    let number = |key: &str, from_file: Option<u32>, default: u32| match env(key) {
        Some(v) => v
            .trim()
            .parse::<u32>()
            .map_err(|_| ConfigError(format!("{key}: '{v}' is not a whole number"))),
        None => Ok(from_file.unwrap_or(default)),
    };
    let proxies = match env("ANHORIGSTOD_TRUSTED_PROXIES") {
        Some(v) => web::http::TrustedProxies::parse(v.split(',')),
        None => web::http::TrustedProxies::parse(
            file.trusted_proxies.iter().flatten().map(String::as_str),
        ),
    }
    .map_err(|e| ConfigError(format!("trusted_proxies: {e}")))?;
    Ok(AbuseSettings {
        rate_limit_per_minute: number(
            "ANHORIGSTOD_RATE_LIMIT_PER_MINUTE",
            file.rate_limit_per_minute,
            20,
        )?,
        rate_limit_municipality_per_minute: number(
            "ANHORIGSTOD_RATE_LIMIT_MUNICIPALITY_PER_MINUTE",
            file.rate_limit_municipality_per_minute,
            600,
        )?,
        trusted_proxies: proxies,
    })
}

/// The address links in e-mails and calendars start with: `ANHORIGSTOD_PUBLIC_URL`, else
/// `public_url`, else the bound address (behind a proxy set it to the public address).
/// The months of `retention_open_support_months` (env `ANHORIGSTOD_RETENTION_OPEN_SUPPORT_MONTHS`),
/// if set; 1 to 1200.
pub fn retention_open_support_months(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<u32>, ConfigError> {
    const KEY: &str = "ANHORIGSTOD_RETENTION_OPEN_SUPPORT_MONTHS";
    let months = match env(KEY).filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(
            v.trim()
                .parse::<u32>()
                .map_err(|_| ConfigError(format!("{KEY}: '{v}' is not a whole number")))?,
        ),
        None => file.retention_open_support_months,
    };
    match months {
        Some(m) if !(1..=1200).contains(&m) => Err(ConfigError(format!(
            "retention_open_support_months: {m} is not between 1 and 1200"
        ))),
        m => Ok(m),
    }
}

pub fn public_url(file: &FileConfig, bind: &str, env: impl Fn(&str) -> Option<String>) -> String {
    env("ANHORIGSTOD_PUBLIC_URL")
        .filter(|v| !v.trim().is_empty())
        .or(file.public_url.clone())
        .unwrap_or_else(|| format!("http://{bind}"))
}

/// The audit key: `ANHORIGSTOD_AUDIT_KEY` (the key itself), else the file named by
/// `ANHORIGSTOD_AUDIT_KEY_FILE` or `audit_key_file`. None when nothing is set.
pub fn audit_key(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<store::audit::AuditKey>, ConfigError> {
    key_setting(
        &env,
        "ANHORIGSTOD_AUDIT_KEY",
        file.audit_key_file.as_ref(),
        store::audit::AuditKey::from_text,
        store::audit::AuditKey::from_file,
    )
}

/// The key that seals second-factor secrets: `ANHORIGSTOD_TOTP_KEY`, else the file named by
/// `ANHORIGSTOD_TOTP_KEY_FILE` or `totp_key_file`. None when nothing is set.
pub fn totp_key(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<store::sealed::SealKey>, ConfigError> {
    key_setting(
        &env,
        "ANHORIGSTOD_TOTP_KEY",
        file.totp_key_file.as_ref(),
        store::sealed::SealKey::from_text,
        store::sealed::SealKey::from_file,
    )
}

/// A key given in the environment variable `var`, or in the file named by `{var}_FILE` or
/// by the configuration file.
fn key_setting<K>(
    env: &impl Fn(&str) -> Option<String>,
    var: &str,
    configured: Option<&std::path::PathBuf>,
    from_text: impl Fn(&str) -> Result<K, store::StoreError>,
    from_file: impl Fn(&std::path::Path) -> Result<K, store::StoreError>,
) -> Result<Option<K>, ConfigError> {
    let given = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let key = if let Some(text) = given(var) {
        from_text(&text)
    } else if let Some(path) = given(&format!("{var}_FILE"))
        .map(std::path::PathBuf::from)
        .or(configured.cloned())
    {
        from_file(&path)
    } else {
        return Ok(None);
    };
    key.map(Some).map_err(|e| ConfigError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_parsing() {
        assert!(matches!(
            parse_served(&Municipalities::All("all".into())).unwrap(),
            web::Served::All
        ));
        match parse_served(&Municipalities::All("0180, 0380".into())).unwrap() {
            web::Served::Only(s) => assert!(s.contains("0180") && s.contains("0380")),
            web::Served::All => panic!("expected a list"),
        }
        assert!(parse_served(&Municipalities::Only(vec!["18".into()])).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("bnid = \"x\"").is_err());
        let c: FileConfig =
            toml::from_str("bind = \"127.0.0.1:9000\"\nmunicipalities = [\"0180\"]").unwrap();
        assert_eq!(c.bind.as_deref(), Some("127.0.0.1:9000"));
    }

    #[test]
    fn smtp_from_file_then_environment() {
        let none = |_: &str| None;
        assert!(smtp_settings(&FileConfig::default(), none)
            .unwrap()
            .is_none());

        let file: FileConfig = toml::from_str(
            "smtp_host = \"mail.internal\"\nsmtp_port = 2525\nmail_from = \"Anhörigstöd <noreply@example.org>\"",
        )
        .unwrap();
        let s = smtp_settings(&file, none).unwrap().unwrap();
        assert_eq!((s.host.as_str(), s.port), ("mail.internal", 2525));
        assert_eq!(s.from, "Anhörigstöd <noreply@example.org>");

        let env = |k: &str| match k {
            "ANHORIGSTOD_SMTP_HOST" => Some("127.0.0.1".to_owned()),
            "ANHORIGSTOD_SMTP_PORT" => Some("25".to_owned()),
            "ANHORIGSTOD_MAIL_FROM" => Some(String::new()),
            _ => None,
        };
        let s = smtp_settings(&file, env).unwrap().unwrap();
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 25));
        assert_eq!(s.from, "Anhörigstöd <noreply@example.org>");

        let only_host = |k: &str| (k == "ANHORIGSTOD_SMTP_HOST").then(|| "localhost".to_owned());
        assert!(smtp_settings(&FileConfig::default(), only_host).is_err());
        let bad_port = |k: &str| match k {
            "ANHORIGSTOD_SMTP_PORT" => Some("smtp".to_owned()),
            _ => None,
        };
        assert!(smtp_settings(&file, bad_port).is_err());
        let bad_from: FileConfig =
            toml::from_str("smtp_host = \"localhost\"\nmail_from = \"nobody\"").unwrap();
        assert!(smtp_settings(&bad_from, none).is_err());
        assert!(toml::from_str::<FileConfig>("smtp_hots = \"x\"").is_err());
    }

    #[test]
    fn limits_from_file_then_environment() {
        let none = |_: &str| None;
        let d = abuse_settings(&FileConfig::default(), none).unwrap();
        assert_eq!(
            (
                d.rate_limit_per_minute,
                d.rate_limit_municipality_per_minute
            ),
            (20, 600)
        );
        let file: FileConfig = toml::from_str(
            "rate_limit_per_minute = 5\nrate_limit_municipality_per_minute = 50\ntrusted_proxies = [\"10.0.0.0/8\"]",
        )
        .unwrap();
        let f = abuse_settings(&file, none).unwrap();
        assert_eq!(
            (
                f.rate_limit_per_minute,
                f.rate_limit_municipality_per_minute
            ),
            (5, 50)
        );
        let env = |k: &str| (k == "ANHORIGSTOD_RATE_LIMIT_PER_MINUTE").then(|| "0".to_owned());
        assert_eq!(abuse_settings(&file, env).unwrap().rate_limit_per_minute, 0);
        let bad = |k: &str| (k == "ANHORIGSTOD_RATE_LIMIT_PER_MINUTE").then(|| "many".to_owned());
        assert!(abuse_settings(&file, bad).is_err());
        let bad_proxy =
            |k: &str| (k == "ANHORIGSTOD_TRUSTED_PROXIES").then(|| "10.0.0.1, nginx".to_owned());
        assert!(abuse_settings(&file, bad_proxy).is_err());
    }
}
