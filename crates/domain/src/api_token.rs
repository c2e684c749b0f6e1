//! API tokens: what one may do and how long it lives.

use chrono::{DateTime, Duration, Utc};

wire_enum!(
    /// What an API token may do. The CLI and the database use the wire names.
    Scope {
        /// Read what the account may read.
        Read = "read",
        /// Also change what the account may change.
        Write = "write",
    }
);

/// A token lives this long unless its creator says otherwise.
pub const DEFAULT_LIFETIME_DAYS: i64 = 90;
/// Longer than a year is too close to "never expires" to be allowed.
pub const MAX_LIFETIME_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenInputError {
    #[error("unknown scope {0:?}; the allowed scopes are: read, write")]
    UnknownScope(String),
    #[error(
        "{0:?} is not a lifetime; give a number of days, hours or weeks such as 90d, 12h or 2w"
    )]
    BadLifetime(String),
    #[error("a token may live at most {MAX_LIFETIME_DAYS} days")]
    TooLong,
}

/// The scopes named on the command line. Nothing named means read only; an unknown name is an
/// error rather than a silently weaker token.
pub fn parse_scopes(names: &[String]) -> Result<Vec<Scope>, TokenInputError> {
    let mut scopes = Vec::new();
    for name in names.iter().flat_map(|n| n.split([',', ' '])) {
        if name.is_empty() {
            continue;
        }
        let s = Scope::parse(name).ok_or_else(|| TokenInputError::UnknownScope(name.to_owned()))?;
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    if scopes.is_empty() {
        scopes.push(Scope::Read);
    }
    Ok(scopes)
}

/// A lifetime such as `90d`, `12h`, `2w` or a bare number of days.
pub fn parse_lifetime(text: &str) -> Result<Duration, TokenInputError> {
    let bad = || TokenInputError::BadLifetime(text.to_owned());
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "d"),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let hours = match unit {
        "h" => n,
        "d" => n.checked_mul(24).ok_or_else(bad)?,
        "w" => n.checked_mul(24 * 7).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if hours <= 0 {
        return Err(bad());
    }
    if hours > MAX_LIFETIME_DAYS * 24 {
        return Err(TokenInputError::TooLong);
    }
    Ok(Duration::hours(hours))
}

wire_enum!(
    /// Where a token stands at a given moment.
    TokenState {
        Live = "live",
        Expired = "expired",
        Revoked = "revoked",
    }
);

/// The moment a token stops working. Tokens made before lifetimes existed have none stored;
/// they get the default lifetime counted from their creation.
pub fn expiry(created_at: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    expires_at.unwrap_or(created_at + Duration::days(DEFAULT_LIFETIME_DAYS))
}

pub fn state(
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TokenState {
    if revoked_at.is_some() {
        TokenState::Revoked
    } else if now >= expiry(created_at, expires_at) {
        TokenState::Expired
    } else {
        TokenState::Live
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scopes_are_known_names_only() {
        assert_eq!(parse_scopes(&[]).unwrap(), vec![Scope::Read]);
        assert_eq!(
            parse_scopes(&["read".into(), "write".into(), "write".into()]).unwrap(),
            vec![Scope::Read, Scope::Write]
        );
        assert_eq!(parse_scopes(&["read,write".into()]).unwrap().len(), 2);
        let e = parse_scopes(&["cases:write".into()]).unwrap_err();
        assert_eq!(e, TokenInputError::UnknownScope("cases:write".into()));
        assert!(e.to_string().contains("read, write"));
    }

    #[test]
    fn lifetimes() {
        assert_eq!(parse_lifetime("90d").unwrap(), Duration::days(90));
        assert_eq!(parse_lifetime("30").unwrap(), Duration::days(30));
        assert_eq!(parse_lifetime("12h").unwrap(), Duration::hours(12));
        assert_eq!(parse_lifetime("2w").unwrap(), Duration::days(14));
        assert_eq!(parse_lifetime("367d"), Err(TokenInputError::TooLong));
        for bad in ["", "0d", "-5d", "5y", "d", "99999999999999999999"] {
            assert!(parse_lifetime(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_follows_revocation_then_expiry() {
        let made = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let later = made + Duration::days(89);
        assert_eq!(state(made, None, None, later), TokenState::Live);
        assert_eq!(
            state(made, None, None, made + Duration::days(90)),
            TokenState::Expired
        );
        let short = Some(made + Duration::hours(1));
        assert_eq!(state(made, short, None, later), TokenState::Expired);
        assert_eq!(state(made, None, Some(made), made), TokenState::Revoked);
    }
}
