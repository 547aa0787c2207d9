//! GitHub webhook authentication: the `X-Hub-Signature-256` HMAC-SHA256 check.
//!
//! GitHub signs the raw request body with the webhook secret and sends
//! `sha256=<hex digest>`. The comparison is constant-time so a caller cannot
//! learn the digest byte by byte from response timings.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header GitHub puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a delivery's signature was refused (the server answers 401 for all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>")]
    Malformed,
    #[error("the X-Hub-Signature-256 header does not match the body and the webhook secret")]
    Mismatch,
}

/// Computes the header value GitHub would send for `body` signed with `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!("{PREFIX}{}", hex::encode(digest(secret, body)))
}

/// Checks a delivery's `X-Hub-Signature-256` header against its raw body.
pub fn verify_signature(
    secret: &[u8],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed)?;
    let claimed = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    if claimed.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let expected = digest(secret, body);
    if bool::from(expected.as_slice().ct_eq(&claimed)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn digest(secret: &[u8], body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    // GitHub's documented test vector ("Validating webhook deliveries").
    const SECRET: &[u8] = b"It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const HEADER: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn documented_vector_is_accepted() {
        assert_eq!(verify_signature(SECRET, BODY, Some(HEADER)), Ok(()));
    }

    #[test]
    fn sign_reproduces_documented_vector() {
        assert_eq!(sign(SECRET, BODY), HEADER);
    }

    #[test]
    fn changed_body_is_rejected() {
        assert_eq!(
            verify_signature(SECRET, b"Hello, World?", Some(HEADER)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn wrong_secret_is_rejected() {
        assert_eq!(
            verify_signature(b"wrong secret", BODY, Some(HEADER)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_header_is_rejected() {
        assert_eq!(
            verify_signature(SECRET, BODY, None),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn header_without_prefix_or_hex_is_malformed() {
        let bare = HEADER.trim_start_matches("sha256=");
        assert_eq!(
            verify_signature(SECRET, BODY, Some(bare)),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature(SECRET, BODY, Some("sha256=zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature(SECRET, BODY, Some("sha256=abcd")),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn sha1_header_is_not_accepted_as_sha256() {
        let sha1_style = HEADER.replace("sha256=", "sha1=");
        assert_eq!(
            verify_signature(SECRET, BODY, Some(&sha1_style)),
            Err(SignatureError::Malformed)
        );
    }
}
