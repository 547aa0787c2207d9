//! Who may see the status page: anyone when `[status] public = true`, else
//! whoever sends HTTP Basic credentials for the user `schemagate` and the
//! password from `[status] password_env`, compared in constant time (both
//! sides hashed first, so neither the content nor the length leaks).

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The user name HTTP Basic auth expects.
pub const USER: &str = "schemagate";
/// The realm browsers show in their password prompt.
pub const CHALLENGE: &str = "Basic realm=\"schemagate status\", charset=\"UTF-8\"";

/// The page's access rule.
#[derive(Clone)]
pub enum Access {
    Public,
    /// The SHA-256 of `schemagate:<password>`.
    Password([u8; 32]),
}

impl std::fmt::Debug for Access {
    /// Never prints the digest: it stands for the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Access::Public => f.write_str("Public"),
            Access::Password(_) => f.write_str("Password(..)"),
        }
    }
}

fn digest(credentials: &[u8]) -> [u8; 32] {
    Sha256::digest(credentials).into()
}

impl Access {
    pub fn password(password: &str) -> Access {
        Access::Password(digest(format!("{USER}:{password}").as_bytes()))
    }

    /// Whether a request with this `Authorization` header may see the page.
    pub fn allows(&self, authorization: Option<&[u8]>) -> bool {
        let Access::Password(expected) = self else {
            return true;
        };
        let Some(given) = authorization.and_then(basic_credentials) else {
            return false;
        };
        digest(&given).ct_eq(expected).into()
    }
}

/// The decoded `user:password` of a `Basic` header.
fn basic_credentials(header: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(header).ok()?.trim();
    let (scheme, encoded) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user_and_password: &str) -> Vec<u8> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(user_and_password);
        format!("Basic {encoded}").into_bytes()
    }

    #[test]
    fn only_the_right_user_and_password_pass() {
        let access = Access::password("s3cret");
        assert!(access.allows(Some(&basic("schemagate:s3cret"))));
        assert!(access.allows(Some(b"basic   c2NoZW1hZ2F0ZTpzM2NyZXQ=")));
        assert!(!access.allows(Some(&basic("schemagate:wrong"))));
        assert!(!access.allows(Some(&basic("admin:s3cret"))));
        assert!(!access.allows(Some(&basic("schemagate:s3cret "))));
        assert!(!access.allows(Some(b"Bearer s3cret")));
        assert!(!access.allows(Some(b"Basic not base64!")));
        assert!(!access.allows(None));
    }

    #[test]
    fn a_public_page_needs_nothing_and_the_digest_is_never_printed() {
        assert!(Access::Public.allows(None));
        assert_eq!(format!("{:?}", Access::password("s3cret")), "Password(..)");
    }
}
