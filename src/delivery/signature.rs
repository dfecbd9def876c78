//! Webhook signatures to the Standard Webhooks spec (symmetric scheme `v1`, HMAC-SHA256).
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the `webhook-signature`
//! header carries `v1,<base64 of the MAC>` once per secret, space-separated, so a receiver can
//! rotate its secret without missing a delivery. Pure: no clock, no I/O (the caller passes the
//! timestamp, and `now` when verifying).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The prefix the spec gives symmetric secrets "for easy identification".
const PREFIX: &str = "whsec_";

/// The spec asks for a random secret of 24 to 64 bytes.
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// How far a timestamp may lie from `now` when verifying, as the spec's libraries do.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Standard base64; secrets are accepted with or without their `=` padding, as the spec's
/// libraries accept both.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A signing secret in the spec's `whsec_<base64>` form. Its bytes never show in `Debug`, and
/// are wiped from memory when it is dropped.
#[derive(Clone)]
pub struct Secret(SecretSlice<u8>);

/// Why a secret (or a set of them) was refused; the message names the reason, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "invalid webhook secret: it must have the Standard Webhooks form `whsec_<base64>` \
         (for example `whsec_` followed by 32 base64 characters)"
    )]
    NotWhsec,
    #[error("invalid webhook secret: the part after `whsec_` is not base64")]
    NotBase64(#[source] base64::DecodeError),
    #[error(
        "invalid webhook secret: it holds {0} bytes; the Standard Webhooks spec asks for {min} to \
         {max} random bytes",
        min = SECRET_BYTES.start(),
        max = SECRET_BYTES.end()
    )]
    Length(usize),
    #[error(
        "invalid webhook secret: {0} secrets given; a webhook endpoint signs with one, or two \
         while rotating"
    )]
    Count(usize),
}

impl Secret {
    /// Parses `whsec_<base64>`: the prefix is required, the rest must be standard base64 of
    /// 24 to 64 bytes. Anything else is refused with the reason.
    pub fn parse(text: &str) -> Result<Secret, SecretError> {
        let text = text.trim();
        let Some(encoded) = text.strip_prefix(PREFIX) else {
            return Err(SecretError::NotWhsec);
        };
        let bytes = SECRET_BASE64
            .decode(encoded)
            .map_err(SecretError::NotBase64)?;
        if !SECRET_BYTES.contains(&bytes.len()) {
            return Err(SecretError::Length(bytes.len()));
        }
        Ok(Secret(bytes.into()))
    }

    /// A fresh secret of 32 random bytes, and its `whsec_` text (to show once).
    pub fn generate() -> (Secret, String) {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let text = format!("{PREFIX}{}", SECRET_BASE64.encode(bytes));
        (Secret(bytes.to_vec().into()), text)
    }

    fn mac(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.0.expose_secret())
            .expect("HMAC takes keys of any length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// Compared in constant time, as secrets should be.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.0.expose_secret().ct_eq(other.0.expose_secret()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::str::FromStr for Secret {
    type Err = SecretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Secret::parse(s)
    }
}

/// Signs with one secret, or two while a receiver rotates (the header then carries both).
#[derive(Debug, Clone)]
pub struct Signer {
    secrets: Vec<Secret>,
}

/// Why a delivery's signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the message id is empty or contains a `.`")]
    BadId,
    #[error("the timestamp is more than {TOLERANCE_SECONDS} s old")]
    TooOld,
    #[error("the timestamp is more than {TOLERANCE_SECONDS} s in the future")]
    TooNew,
    #[error("no `v1` signature in the header matches")]
    NoMatch,
}

impl Signer {
    /// One secret, or two during a rotation (the new one first, by habit; order does not matter
    /// to a receiver). No secrets, or more than two, is refused.
    pub fn new(secrets: Vec<Secret>) -> Result<Signer, SecretError> {
        match secrets.len() {
            1 | 2 => Ok(Signer { secrets }),
            n => Err(SecretError::Count(n)),
        }
    }

    /// The `webhook-signature` header value: `v1,<base64>` per secret, space-separated.
    ///
    /// `msg_id` must not contain a `.` (the spec's separator): ids from [`new_message_id`]
    /// never do.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        debug_assert!(!msg_id.contains('.'), "a webhook id must not contain `.`");
        self.secrets
            .iter()
            .map(|secret| {
                let tag = secret.mac(msg_id, timestamp, body).finalize().into_bytes();
                format!("v1,{}", STANDARD.encode(tag))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Verifies a delivery as a receiver would: the timestamp within [`TOLERANCE_SECONDS`] of
    /// `now`, and any `v1` signature in `header` matching any of this signer's secrets
    /// (compared in constant time). Unknown versions (`v1a`, ...) are skipped.
    pub fn verify(
        &self,
        msg_id: &str,
        timestamp: i64,
        body: &[u8],
        header: &str,
        now: i64,
    ) -> Result<(), VerifyError> {
        if msg_id.is_empty() || msg_id.contains('.') {
            return Err(VerifyError::BadId);
        }
        if timestamp < now.saturating_sub(TOLERANCE_SECONDS) {
            return Err(VerifyError::TooOld);
        }
        if timestamp > now.saturating_add(TOLERANCE_SECONDS) {
            return Err(VerifyError::TooNew);
        }
        let candidates: Vec<Vec<u8>> = header
            .split_whitespace()
            .filter_map(|item| item.strip_prefix("v1,"))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .collect();
        let matches = self.secrets.iter().any(|secret| {
            candidates.iter().any(|candidate| {
                secret
                    .mac(msg_id, timestamp, body)
                    .verify_slice(candidate)
                    .is_ok()
            })
        });
        if matches {
            Ok(())
        } else {
            Err(VerifyError::NoMatch)
        }
    }
}

/// A fresh `webhook-id`: `msg_` and 128 random bits in URL-safe base64 (no `.`, no padding).
/// The same id goes with every retry of one event, so a receiver can deduplicate.
pub fn new_message_id() -> String {
    let bytes: [u8; 16] = rand::random();
    format!("msg_{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(secrets: &[&str]) -> Signer {
        Signer::new(secrets.iter().map(|s| Secret::parse(s).unwrap()).collect()).unwrap()
    }

    /// The vector the spec's Go, PHP, Python, JavaScript, Java and C# libraries all test.
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_specs_test_vector_matches() {
        assert_eq!(signer(&[SECRET]).sign(ID, TS, BODY), EXPECTED);
        assert_eq!(signer(&[SECRET]).verify(ID, TS, BODY, EXPECTED, TS), Ok(()));
    }

    #[test]
    fn the_rust_librarys_test_vector_matches() {
        let s = signer(&["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]);
        assert_eq!(
            s.sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn rotation_signs_with_both_secrets_and_each_verifies_alone() {
        let new = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        let header = signer(&[new, SECRET]).sign(ID, TS, BODY);
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2, "{header}");
        assert_eq!(
            parts[1], EXPECTED,
            "the old secret's signature is unchanged"
        );
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_eq!(signer(&[new]).verify(ID, TS, BODY, &header, TS), Ok(()));
        assert_eq!(signer(&[SECRET]).verify(ID, TS, BODY, &header, TS), Ok(()));
        let other = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            signer(&[other]).verify(ID, TS, BODY, &header, TS),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn tampering_fails_verification() {
        let s = signer(&[SECRET]);
        let header = s.sign(ID, TS, BODY);
        let tampered = br#"{"test": 2432232315}"#;
        assert_eq!(
            s.verify(ID, TS, tampered, &header, TS),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            s.verify(ID, TS + 1, BODY, &header, TS),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            s.verify("msg_other", TS, BODY, &header, TS),
            Err(VerifyError::NoMatch)
        );
        let flipped = EXPECTED.replace("OE=", "OA=");
        assert_eq!(
            s.verify(ID, TS, BODY, &flipped, TS),
            Err(VerifyError::NoMatch)
        );
        // Only `v1` counts: the same bytes under another version label are ignored.
        let relabelled = EXPECTED.replace("v1,", "v1a,");
        assert_eq!(
            s.verify(ID, TS, BODY, &relabelled, TS),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn verification_keeps_a_tolerance_window() {
        let s = signer(&[SECRET]);
        let header = s.sign(ID, TS, BODY);
        let t = TOLERANCE_SECONDS;
        assert_eq!(s.verify(ID, TS, BODY, &header, TS + t), Ok(()));
        assert_eq!(s.verify(ID, TS, BODY, &header, TS - t), Ok(()));
        assert_eq!(
            s.verify(ID, TS, BODY, &header, TS + t + 1),
            Err(VerifyError::TooOld)
        );
        assert_eq!(
            s.verify(ID, TS, BODY, &header, TS - t - 1),
            Err(VerifyError::TooNew)
        );
    }

    #[test]
    fn secrets_outside_the_whsec_form_are_refused_with_a_reason() {
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        let cases = [
            ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_"),
            ("a-plain-shared-secret", "whsec_"),
            ("", "whsec_"),
            ("whsec_", "0 bytes"),
            ("whsec_not base64!", "not base64"),
            ("whsec_c2hvcnQ=", "5 bytes"),
            (long.as_str(), "65 bytes"),
        ];
        for (input, reason) in cases {
            let err = Secret::parse(input).expect_err(input).to_string();
            assert!(err.contains(reason), "{input:?}: {err}");
            assert!(
                input.len() < 8 || !err.contains(input),
                "the error repeats the secret"
            );
        }
        assert!(Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
        // 25 bytes, with and without the `=` padding.
        let unpadded = format!("whsec_{}", "A".repeat(34));
        assert!(Secret::parse(&unpadded).is_ok());
        assert!(Secret::parse(&format!("{unpadded}==")).is_ok());
        assert_eq!(
            format!("{:?}", Secret::parse(SECRET).unwrap()),
            "Secret(<redacted>)"
        );
    }

    #[test]
    fn a_signer_takes_one_or_two_secrets() {
        let one = || Secret::parse(SECRET).unwrap();
        assert!(Signer::new(vec![]).is_err());
        assert!(Signer::new(vec![one()]).is_ok());
        assert!(Signer::new(vec![one(), one()]).is_ok());
        assert!(Signer::new(vec![one(), one(), one()]).is_err());
    }

    #[test]
    fn message_ids_are_url_safe_and_unique() {
        let a = new_message_id();
        let b = new_message_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            let rest = id.strip_prefix("msg_").expect(id);
            assert_eq!(rest.len(), 22, "{id}");
            assert!(
                rest.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{id}"
            );
        }
    }
}
