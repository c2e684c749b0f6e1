//! Secrets that sign-in must read back (second-factor secrets), sealed at rest with a key kept
//! outside the database (`totp_key_file` or `ANHORIGSTOD_TOTP_KEY`), so a copy of the database
//! or its backups does not hand out every account's second factor. Sealed values are
//! `sealed:NONCE:CIPHERTEXT` (hex, XChaCha20-Poly1305) and bound to the account they belong
//! to, so a sealed secret moved to another account's row does not open.

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

const SEALED: &str = "sealed:";

/// The key that seals second-factor secrets.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    /// A key given as text: 64 or more hex digits, or any other text of at least 32 bytes.
    pub fn from_text(text: &str) -> Result<Self, StoreError> {
        let bytes = crate::keys::key_bytes(text, "the TOTP key")?;
        // Derived, so that key text of any length gives a full-strength cipher key.
        let mut h = Sha256::new();
        h.update(b"anhorigstod totp seal v1\0");
        h.update(&bytes);
        Ok(Self(h.finalize().into()))
    }

    pub fn from_file(path: &std::path::Path) -> Result<Self, StoreError> {
        Self::from_text(&crate::keys::read_key_file(path, "TOTP key")?)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

/// Whether a stored value is sealed (else it was stored before there was a key).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED)
}

fn owner_tag(owner: i64) -> String {
    format!("staff:{owner}")
}

/// The value to store for `plain`, owned by account `owner`: sealed when there is a key, as
/// it is otherwise.
pub fn seal(key: Option<&SealKey>, owner: i64, plain: &str) -> Result<String, StoreError> {
    let Some(key) = key else {
        return Ok(plain.to_owned());
    };
    let nonce_bytes: [u8; 24] = rand::random();
    let nonce = XNonce::from(nonce_bytes);
    let aad = owner_tag(owner);
    let sealed = key
        .cipher()
        .encrypt(
            &nonce,
            Payload {
                msg: plain.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Config("sealing a secret failed".into()))?;
    Ok(format!(
        "{SEALED}{}:{}",
        hex::encode(nonce_bytes),
        hex::encode(sealed)
    ))
}

/// The plain secret of a stored value. A sealed value needs the key it was sealed with; a
/// value stored before there was a key is returned as it is (`anhorigstod user seal-totp`
/// seals those).
pub fn unseal(key: Option<&SealKey>, owner: i64, stored: &str) -> Result<String, StoreError> {
    let Some(rest) = stored.strip_prefix(SEALED) else {
        return Ok(stored.to_owned());
    };
    let Some(key) = key else {
        return Err(StoreError::Config(
            "second-factor secrets are sealed: set totp_key_file or ANHORIGSTOD_TOTP_KEY".into(),
        ));
    };
    let wrong = || {
        StoreError::Config(format!(
            "the TOTP key does not open the secret of account {owner}"
        ))
    };
    let (nonce, body) = rest.split_once(':').ok_or_else(wrong)?;
    let nonce: [u8; 24] = hex::decode(nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(wrong)?;
    let body = hex::decode(body).map_err(|_| wrong())?;
    let aad = owner_tag(owner);
    let plain = key
        .cipher()
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &body,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| wrong())?;
    String::from_utf8(plain).map_err(|_| wrong())
}

/// At start: with sealed secrets in the database, the configured key must open them (else
/// every second-factor sign-in would fail). Returns how many secrets are still unsealed, so
/// the caller can say that `user seal-totp` should run.
pub async fn check_key(db: &Db) -> Result<i64, StoreError> {
    let rows: Vec<(i64, String)> = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT id, totp_secret FROM staff_users WHERE totp_secret IS NOT NULL")
            .fetch_all(pool)
            .await?
    });
    if let Some((id, stored)) = rows.iter().find(|(_, s)| is_sealed(s)) {
        unseal(db.seal_key(), *id, stored)?;
    }
    Ok(rows.iter().filter(|(_, s)| !is_sealed(s)).count() as i64)
}

/// Seals every stored second-factor secret with `new`, in one transaction: secrets stored
/// before there was a key, and (for a rotation) those sealed with `old`. Enrolments under way
/// are dropped (they start again on the next visit). Logged; returns how many were sealed.
/// Running it again with the same key seals them anew and changes nothing else.
pub async fn reseal_all(
    db: &Db,
    old: Option<&SealKey>,
    new: &SealKey,
    at: chrono::DateTime<chrono::Utc>,
    origin: &Origin,
) -> Result<usize, StoreError> {
    let mut tx = db.begin().await?;
    let rows: Vec<(i64, String)> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as("SELECT id, totp_secret FROM staff_users WHERE totp_secret IS NOT NULL ORDER BY id")
            .fetch_all(&mut *c)
            .await?
    });
    let mut resealed = Vec::with_capacity(rows.len());
    for (id, stored) in &rows {
        // A secret already under the new key (a second run) opens with it.
        let plain = unseal(old, *id, stored).or_else(|e| {
            if is_sealed(stored) {
                unseal(Some(new), *id, stored).map_err(|_| e)
            } else {
                Err(e)
            }
        })?;
        resealed.push((*id, seal(Some(new), *id, &plain)?));
    }
    crate::with_tx!(&mut tx, c => {
        for (id, sealed) in &resealed {
            sqlx::query("UPDATE staff_users SET totp_secret = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        sqlx::query("UPDATE sessions SET pending_totp = NULL WHERE pending_totp IS NOT NULL")
            .execute(&mut *c)
            .await?;
    });
    let mut e = origin.event(None, "staff.totp_resealed", "staff_users", None);
    e.reason = Some(format!("{} second-factor secrets sealed", resealed.len()));
    audit::commit_with(tx, at, &e).await?;
    Ok(resealed.len())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(n: u8) -> SealKey {
        SealKey::from_text(&hex::encode([n; 32])).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_its_key_and_owner_only() {
        let s = seal(Some(&key(1)), 7, "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&s));
        assert!(!s.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(unseal(Some(&key(1)), 7, &s).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(unseal(Some(&key(2)), 7, &s).is_err(), "another key");
        assert!(
            unseal(Some(&key(1)), 8, &s).is_err(),
            "another account's row"
        );
        assert!(unseal(None, 7, &s).is_err(), "no key");
    }

    #[test]
    fn without_a_key_values_stay_as_they_are() {
        assert_eq!(seal(None, 7, "ABC").unwrap(), "ABC");
        assert_eq!(unseal(Some(&key(1)), 7, "ABC").unwrap(), "ABC");
    }

    #[test]
    fn sealing_twice_gives_different_values() {
        let a = seal(Some(&key(1)), 7, "ABC").unwrap();
        let b = seal(Some(&key(1)), 7, "ABC").unwrap();
        assert_ne!(a, b);
    }
}
