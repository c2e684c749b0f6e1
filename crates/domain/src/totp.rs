//! Time-based one-time passwords (RFC 6238) for the second login factor, plus recovery codes.
//!
//! Pure: the caller passes in the time and the random bytes, so every rule here is testable
//! against the RFC vectors. Only SHA-1, 6 digits and 30-second steps are offered, because that is
//! the one combination every authenticator app understands.

use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use std::fmt;

/// Seconds per TOTP step. Authenticator apps assume 30 and many ignore the `period` parameter.
pub const PERIOD_SECONDS: i64 = 30;

/// Digits per code. Apps assume 6 and many ignore the `digits` parameter.
pub const DIGITS: usize = 6;

const MODULUS: u32 = 1_000_000;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Without 0/O, 1/I/L, so a code read off paper is typed back correctly.
const RECOVERY_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

const RECOVERY_LENGTH: usize = 10;

/// Why a secret could not be read. The variants carry no input, so that an error that ends up in
/// a log never holds part of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the secret is empty")]
    EmptySecret,
    #[error("the text contains a character that is not base32")]
    InvalidBase32Character,
    #[error("the base32 text continues after its padding")]
    DataAfterPadding,
    #[error("the base32 text has a length no encoding can produce")]
    InvalidBase32Length,
}

/// The shared secret of an enrolled authenticator.
///
/// Debug is written by hand so that the secret cannot leak through `{:?}` in a log line.
#[derive(Clone)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// The caller draws the bytes (20, the HMAC-SHA1 output size, as RFC 4226 recommends).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// Reads a secret as stored or as shown to the user; an empty secret would make every code
    /// guessable by anyone, so it is refused.
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let bytes = base32_decode(text)?;
        if bytes.is_empty() {
            return Err(TotpError::EmptySecret);
        }
        Ok(Self(bytes))
    }

    /// The form authenticator apps expect when the secret is typed in by hand.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// For encrypting the secret at rest.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpSecret").finish_non_exhaustive()
    }
}

/// RFC 4648 base32 without padding, which is what `otpauth://` URIs carry.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(base32_char(buffer >> bits));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(base32_char(buffer << (5 - bits)));
    }
    out
}

/// Lenient about what people paste (lower case, spaces, padding), strict about anything that
/// would silently change the secret.
pub fn base32_decode(text: &str) -> Result<Vec<u8>, TotpError> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    let mut padding_seen = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == '=' {
            padding_seen = true;
            continue;
        }
        if padding_seen {
            return Err(TotpError::DataAfterPadding);
        }
        let value = base32_value(c).ok_or(TotpError::InvalidBase32Character)?;
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Five or more bits left over is a whole character that encodes nothing: a truncated text.
    if bits >= 5 {
        return Err(TotpError::InvalidBase32Length);
    }
    Ok(out)
}

fn base32_char(five_bits: u32) -> char {
    char::from(BASE32_ALPHABET[(five_bits & 0x1f) as usize])
}

fn base32_value(c: char) -> Option<u8> {
    match c.to_ascii_uppercase() {
        c @ 'A'..='Z' => Some(c as u8 - b'A'),
        c @ '2'..='7' => Some(c as u8 - b'2' + 26),
        _ => None,
    }
}

/// HMAC-SHA1 through the fixed-size key constructor. RFC 2104 hashes keys longer than a block and
/// zero-pads shorter ones; doing that here leaves no fallible constructor and no error arm that
/// can never be taken.
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..20].copy_from_slice(&Sha1::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = Hmac::<Sha1>::new(&block.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// RFC 4226 HOTP, 6 digits: the building block TOTP feeds with the time step.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let mac = hmac_sha1(secret, &counter.to_be_bytes());
    let offset = usize::from(mac[19] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    binary % MODULUS
}

/// The step a moment falls in; the caller stores the step [`verify`] returns, not the time.
pub fn time_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(PERIOD_SECONDS)
}

/// The code an authenticator shows at the given moment, as the user would type it.
pub fn totp_at(secret: &TotpSecret, unix_seconds: i64) -> String {
    // A clock before 1970 is broken, not an attack; counter 0 keeps this total instead of panicking.
    let counter = u64::try_from(time_step(unix_seconds)).unwrap_or(0);
    format_code(hotp(secret.as_bytes(), counter))
}

fn format_code(code: u32) -> String {
    format!("{code:0width$}", width = DIGITS)
}

/// Checks a typed code and returns the step it matched, which the caller must store as the new
/// `last_used_step`: a code is valid for up to 90 seconds and must not work twice.
///
/// One step either side is accepted because phone clocks drift. Every candidate is computed and
/// compared, so the time taken does not reveal which step (if any) matched.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let typed = normalize_code(code)?;
    let current = time_step(unix_seconds);
    let mut matched = None;
    for step in [current - 1, current, current + 1] {
        if last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = format_code(hotp(secret.as_bytes(), counter));
        // The latest matching step, so that replay protection covers every step the code fits.
        if constant_time_eq(expected.as_bytes(), &typed) {
            matched = Some(step);
        }
    }
    matched
}

/// Apps show codes as "123 456" and people type them that way.
fn normalize_code(code: &str) -> Option<[u8; DIGITS]> {
    let mut digits = [0u8; DIGITS];
    let mut count = 0;
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if !c.is_ascii_digit() || count == DIGITS {
            return None;
        }
        digits[count] = c as u8;
        count += 1;
    }
    (count == DIGITS).then_some(digits)
}

/// Equality whose running time depends only on the lengths, so that a code cannot be found digit
/// by digit from response times. `black_box` keeps the optimiser from adding an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// The link a QR code carries to enrol an authenticator app. The issuer is given both in the label
/// and as a parameter because older apps read only one of them.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECONDS}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// Only the RFC 3986 unreserved characters pass unchanged, which is safe in the path and in the
/// query alike.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4, b'A'));
            out.push(hex_digit(byte & 0x0f, b'A'));
        }
    }
    out
}

fn hex_digit(nibble: u8, ten: u8) -> char {
    char::from(if nibble < 10 {
        b'0' + nibble
    } else {
        ten + nibble - 10
    })
}

/// A recovery code for paper, from 8 random bytes the caller draws.
///
/// Ten characters from a 31-letter alphabet hold about 49.5 bits; reducing 64 random bits to them
/// skews the distribution by less than one part in 20 000, which is negligible.
pub fn format_recovery_code(bytes: [u8; 8]) -> String {
    let mut value = u64::from_be_bytes(bytes);
    let radix = RECOVERY_ALPHABET.len() as u64;
    let mut out = String::with_capacity(RECOVERY_LENGTH + 1);
    for i in 0..RECOVERY_LENGTH {
        if i == RECOVERY_LENGTH / 2 {
            out.push('-');
        }
        out.push(char::from(RECOVERY_ALPHABET[(value % radix) as usize]));
        value /= radix;
    }
    out
}

/// The form that is hashed and compared, so that case, spaces and the dash do not matter.
pub fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Hex SHA-256 of a normalised recovery code, for storage.
///
/// A fast hash rather than a password hash: the code is random (about 49.5 bits), not chosen by a
/// person, so there is no dictionary to try, and it only stands in for the second factor, so
/// whoever brute-forces a leaked hash still needs the password, which is stored slowly hashed.
pub fn hash_recovery_code(normalized: &str) -> String {
    let digest = Sha256::digest(normalized.as_bytes());
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(hex_digit(byte >> 4, b'a'));
        out.push(hex_digit(byte & 0x0f, b'a'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(RFC_SECRET)
    }

    const RFC4648: [(&str, &str); 7] = [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ];

    #[test]
    fn base32_encodes_rfc4648_vectors_without_padding() {
        for (plain, encoded) in RFC4648 {
            assert_eq!(base32_encode(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn base32_decodes_rfc4648_vectors() {
        for (plain, encoded) in RFC4648 {
            assert_eq!(
                base32_decode(encoded).unwrap(),
                plain.as_bytes(),
                "{encoded:?}"
            );
        }
    }

    #[test]
    fn base32_decode_accepts_lower_case_spaces_and_padding() {
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MY======").unwrap(), b"f");
        assert_eq!(base32_decode("mZxW6yQ=").unwrap(), b"foob");
    }

    #[test]
    fn base32_decode_rejects_bad_input() {
        for text in ["MZ1Q", "MZ0Q", "MZ8Q", "MZ!Q", "MZÖQ"] {
            assert_eq!(
                base32_decode(text),
                Err(TotpError::InvalidBase32Character),
                "{text:?}"
            );
        }
        assert_eq!(base32_decode("MY=A"), Err(TotpError::DataAfterPadding));
        for text in ["M", "MZX", "MZXW6Y", "MZXW6YTBO"] {
            assert_eq!(
                base32_decode(text),
                Err(TotpError::InvalidBase32Length),
                "{text:?}"
            );
        }
    }

    #[test]
    fn base32_round_trips_every_length() {
        for len in 0..=41u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(97).wrapping_add(len))
                .collect();
            assert_eq!(
                base32_decode(&base32_encode(&bytes)).unwrap(),
                bytes,
                "length {len}"
            );
        }
    }

    #[test]
    fn secret_round_trips_through_base32() {
        let secret = rfc_secret();
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let back = TotpSecret::from_base32(&secret.to_base32().to_lowercase()).unwrap();
        assert_eq!(back.as_bytes(), RFC_SECRET);
    }

    #[test]
    fn secret_from_base32_rejects_empty_and_invalid() {
        assert_eq!(
            TotpSecret::from_base32("").unwrap_err(),
            TotpError::EmptySecret
        );
        assert_eq!(
            TotpSecret::from_base32(" = ").unwrap_err(),
            TotpError::EmptySecret
        );
        assert_eq!(
            TotpSecret::from_base32("GEZ1").unwrap_err(),
            TotpError::InvalidBase32Character
        );
    }

    #[test]
    fn secret_debug_hides_the_secret() {
        let secret = rfc_secret();
        let debug = format!("{secret:?}");
        assert_eq!(debug, "TotpSecret { .. }");
        assert!(!debug.contains(&secret.to_base32()));
        assert!(!debug.contains("12345"));
        assert!(!debug.contains("49"));
    }

    #[test]
    fn hmac_sha1_matches_the_hmac_crate_for_any_key_length() {
        for len in [0usize, 1, 20, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut reference = Hmac::<Sha1>::new_from_slice(&key).unwrap();
            reference.update(b"message");
            let expected: [u8; 20] = reference.finalize().into_bytes().into();
            assert_eq!(hmac_sha1(&key, b"message"), expected, "key length {len}");
        }
    }

    #[test]
    fn hmac_sha1_matches_rfc2202_long_key_vector() {
        let mac = hmac_sha1(
            &[0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(hex(&mac), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hotp_matches_rfc4226_appendix_d() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64), code, "counter {counter}");
        }
    }

    #[test]
    fn totp_matches_rfc6238_appendix_b_sha1() {
        let secret = rfc_secret();
        for (time, code) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
            (20000000000, "353130"),
        ] {
            assert_eq!(totp_at(&secret, time), code, "time {time}");
        }
    }

    #[test]
    fn totp_is_constant_within_a_step() {
        let secret = rfc_secret();
        assert_eq!(totp_at(&secret, 30), totp_at(&secret, 59));
        assert_ne!(totp_at(&secret, 59), totp_at(&secret, 60));
        assert_eq!(time_step(59), 1);
        assert_eq!(time_step(60), 2);
        assert_eq!(time_step(-1), -1);
    }

    #[test]
    fn totp_before_1970_does_not_panic() {
        assert_eq!(totp_at(&rfc_secret(), -1), totp_at(&rfc_secret(), 0));
        assert_eq!(totp_at(&rfc_secret(), i64::MIN).len(), 6);
    }

    const NOW: i64 = 1_234_567_890;

    #[test]
    fn verify_accepts_current_previous_and_next_step() {
        let secret = rfc_secret();
        let step = time_step(NOW);
        assert_eq!(
            verify(&secret, &totp_at(&secret, NOW), NOW, None),
            Some(step)
        );
        let previous = totp_at(&secret, NOW - PERIOD_SECONDS);
        assert_eq!(verify(&secret, &previous, NOW, None), Some(step - 1));
        let next = totp_at(&secret, NOW + PERIOD_SECONDS);
        assert_eq!(verify(&secret, &next, NOW, None), Some(step + 1));
    }

    #[test]
    fn verify_rejects_codes_two_steps_away() {
        let secret = rfc_secret();
        let early = totp_at(&secret, NOW - 2 * PERIOD_SECONDS);
        let late = totp_at(&secret, NOW + 2 * PERIOD_SECONDS);
        assert_eq!(verify(&secret, &early, NOW, None), None);
        assert_eq!(verify(&secret, &late, NOW, None), None);
    }

    #[test]
    fn verify_rejects_replay() {
        let secret = rfc_secret();
        let code = totp_at(&secret, NOW);
        let used = verify(&secret, &code, NOW, None).unwrap();
        assert_eq!(verify(&secret, &code, NOW, Some(used)), None);
        assert_eq!(verify(&secret, &code, NOW + 10, Some(used)), None);
        // A code of an earlier step than the last one used is as stale as a replay.
        let previous = totp_at(&secret, NOW - PERIOD_SECONDS);
        assert_eq!(verify(&secret, &previous, NOW, Some(used)), None);
        // The next step's code still works.
        let next = totp_at(&secret, NOW + PERIOD_SECONDS);
        assert_eq!(verify(&secret, &next, NOW, Some(used)), Some(used + 1));
    }

    #[test]
    fn verify_accepts_spaces_inside_the_code() {
        let secret = rfc_secret();
        assert_eq!(totp_at(&secret, NOW), "005924");
        assert_eq!(verify(&secret, "005 924", NOW, None), Some(time_step(NOW)));
        assert_eq!(
            verify(&secret, " 00 59 24 ", NOW, None),
            Some(time_step(NOW))
        );
    }

    #[test]
    fn verify_rejects_malformed_codes() {
        let secret = rfc_secret();
        for code in [
            "",
            "5924",
            "05924",
            "0005924",
            "005924 0",
            "00592a",
            "+05924",
            "-05924",
            "005-924",
            "００５９２４",
            "٠٠٥٩٢٤",
        ] {
            assert_eq!(verify(&secret, code, NOW, None), None, "{code:?}");
        }
    }

    #[test]
    fn verify_rejects_a_wrong_code() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "005925", NOW, None), None);
        let other = TotpSecret::from_bytes(vec![7u8; 20]);
        assert_eq!(verify(&other, "005924", NOW, None), None);
    }

    #[test]
    fn verify_at_the_epoch_skips_negative_steps() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, &totp_at(&secret, 0), 0, None), Some(0));
    }

    #[test]
    fn constant_time_eq_compares_contents_and_length() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"123456", b"12345"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn otpauth_uri_percent_encodes_issuer_and_account() {
        let uri = otpauth_uri(
            &rfc_secret(),
            "Anhörigstöd",
            "anna.svensson+test@example.se",
        );
        assert_eq!(
            uri,
            "otpauth://totp/Anh%C3%B6rigst%C3%B6d:anna.svensson%2Btest%40example.se\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Anh%C3%B6rigst%C3%B6d\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn percent_encode_keeps_only_unreserved() {
        assert_eq!(percent_encode("Az09-._~"), "Az09-._~");
        assert_eq!(percent_encode("a b:c/d?e&f=g"), "a%20b%3Ac%2Fd%3Fe%26f%3Dg");
        assert_eq!(percent_encode("å"), "%C3%A5");
    }

    #[test]
    fn recovery_code_has_two_groups_from_the_alphabet() {
        assert_eq!(format_recovery_code([0; 8]), "22222-22222");
        for bytes in [
            [0xff; 8],
            [1, 2, 3, 4, 5, 6, 7, 8],
            [0x80, 0, 0, 0, 0, 0, 0, 1],
        ] {
            let code = format_recovery_code(bytes);
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(code.as_bytes()[5], b'-', "{code}");
            assert!(
                code.bytes()
                    .enumerate()
                    .all(|(i, c)| i == 5 || RECOVERY_ALPHABET.contains(&c)),
                "{code}"
            );
        }
        assert_ne!(
            format_recovery_code([1, 2, 3, 4, 5, 6, 7, 8]),
            format_recovery_code([1, 2, 3, 4, 5, 6, 7, 9])
        );
    }

    #[test]
    fn recovery_alphabet_has_no_look_alikes() {
        assert_eq!(RECOVERY_ALPHABET.len(), 31);
        for c in b"01OIL" {
            assert!(!RECOVERY_ALPHABET.contains(c));
        }
    }

    #[test]
    fn normalize_recovery_code_ignores_case_spaces_and_dashes() {
        assert_eq!(normalize_recovery_code(" abcde-fghjk "), "ABCDEFGHJK");
        assert_eq!(normalize_recovery_code("AbC dE fGh-Jk"), "ABCDEFGHJK");
        let code = format_recovery_code([9; 8]);
        assert_eq!(normalize_recovery_code(&code), code.replace('-', ""));
    }

    #[test]
    fn hash_recovery_code_is_hex_sha256() {
        assert_eq!(
            hash_recovery_code("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let typed = normalize_recovery_code("abcde-fghjk");
        let printed = normalize_recovery_code("ABCDEFGHJK");
        assert_eq!(hash_recovery_code(&typed), hash_recovery_code(&printed));
        assert_ne!(
            hash_recovery_code("ABCDEFGHJK"),
            hash_recovery_code("ABCDEFGHJM")
        );
    }
}
