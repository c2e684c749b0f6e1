//! Key material kept outside the database (the audit key, the TOTP key): read from text or a
//! file, and made fresh.

use crate::StoreError;

/// Shorter keys are refused: a key is all that stands between a database writer (or a stolen
/// backup) and what it protects.
pub const MIN_KEY_BYTES: usize = 32;

/// The bytes of a key given as text: 64 or more hex digits, or any other text of at least
/// 32 bytes. `what` names the key in the error.
pub fn key_bytes(text: &str, what: &str) -> Result<Vec<u8>, StoreError> {
    let t = text.trim();
    let bytes = match hex::decode(t) {
        Ok(b) if !t.is_empty() => b,
        _ => t.as_bytes().to_vec(),
    };
    if bytes.len() < MIN_KEY_BYTES {
        return Err(StoreError::Config(format!(
            "{what} must be at least {MIN_KEY_BYTES} bytes (e.g. 64 hex digits from `anhorigstod audit new-key`)"
        )));
    }
    Ok(bytes)
}

pub fn read_key_file(path: &std::path::Path, what: &str) -> Result<String, StoreError> {
    std::fs::read_to_string(path)
        .map_err(|e| StoreError::Config(format!("{what} file {}: {e}", path.display())))
}

/// A fresh random key as 64 hex digits.
pub fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}
