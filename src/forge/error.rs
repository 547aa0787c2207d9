//! Errors a forge call can end in, typed so callers can branch on them
//! (a deleted MR ends its job, a read-only token is reported once, 429 waits).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// The project, MR, issue, milestone or file does not exist (HTTP 404).
    #[error("not found on the forge: {0}")]
    NotFound(String),
    /// The forge asked us to slow down (HTTP 429, or GitHub's 403 with no quota left).
    #[error("rate limited by the forge{}", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// The token is missing, expired or wrong (HTTP 401).
    #[error("the forge rejected the token (401); check that it is set and not expired")]
    Unauthorized,
    /// The token may read but not write (HTTP 403), e.g. a read-only token.
    #[error("the token has no permission for this request (403): {0}")]
    Forbidden(String),
    /// The forge could not be reached or the connection broke.
    #[error("could not reach the forge: {0}")]
    Transport(String),
    /// Any other answer we did not expect, including 5xx after retries.
    #[error("unexpected answer from the forge (HTTP {status}): {body}")]
    Unexpected { status: u16, body: String },
    /// Not sent: the job's lease may have run out, so another worker may
    /// hold the job now (see `write_fence`).
    #[error("the write was not sent: the job's lease ran out and another worker may hold the job")]
    LeaseLost,
    /// Not sent: the server runs in observe mode, which writes nothing to
    /// the forge. The engine records such writes instead of making them;
    /// this refusal catches any it did not.
    #[error(
        "the write was not sent: the server runs in observe mode, which writes nothing to the forge"
    )]
    Observing,
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; retry after {}s", wait.as_secs()),
        None => String::new(),
    }
}

impl ForgeError {
    /// Builds the error for an HTTP status the forge answered with.
    /// `retry_after` is the parsed `Retry-After` header, when present.
    pub fn from_status(status: u16, body: &str, retry_after: Option<Duration>) -> ForgeError {
        let body = shorten(body);
        match status {
            401 => ForgeError::Unauthorized,
            403 => ForgeError::Forbidden(body),
            404 => ForgeError::NotFound(body),
            429 => ForgeError::RateLimited { retry_after },
            _ => ForgeError::Unexpected { status, body },
        }
    }

    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ForgeError::RateLimited { .. } | ForgeError::Transport(_) => true,
            ForgeError::Unexpected { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The wait the forge asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ForgeError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

/// Parses a `Retry-After` header given in seconds. (The HTTP-date form is
/// not used by GitLab or GitHub for API rate limits.)
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, chrono::Utc::now())
}

/// `Retry-After` as delay-seconds or as an HTTP date (RFC 9110: `Wed, 21
/// Oct 2015 07:28:00 GMT`), relative to `now`; a date already past means
/// "now" (no wait).
pub fn parse_retry_after_at(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// An error and every cause under it on one line, `outer: cause: root`,
/// each said once: many errors print their source in their own message
/// (octocrab's "Service Error: client error (Connect)"), so a cause whose
/// text is already on the line is not repeated.
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !said.is_empty() && !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// Keeps error bodies to one readable line in logs and messages.
fn shorten(body: &str) -> String {
    const LIMIT: usize = 300;
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= LIMIT {
        one_line
    } else {
        let cut: String = one_line.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_error_callers_branch_on() {
        assert_eq!(
            ForgeError::from_status(401, "", None),
            ForgeError::Unauthorized
        );
        assert!(matches!(
            ForgeError::from_status(403, "x", None),
            ForgeError::Forbidden(_)
        ));
        assert!(matches!(
            ForgeError::from_status(404, "x", None),
            ForgeError::NotFound(_)
        ));
        assert_eq!(
            ForgeError::from_status(429, "", Some(Duration::from_secs(3))),
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            ForgeError::from_status(502, "bad gateway", None),
            ForgeError::Unexpected {
                status: 502,
                body: "bad gateway".into()
            }
        );
    }

    /// An error whose message repeats its source, over a root cause.
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn the_cause_chain_says_each_cause_once() {
        let root = Layer("failed to lookup address information", None);
        let dns = Layer("dns error", Some(Box::new(root)));
        let connect = Layer("client error (Connect)", Some(Box::new(dns)));
        let service = Layer(
            "Service Error: client error (Connect)",
            Some(Box::new(connect)),
        );
        assert_eq!(
            cause_chain(&service),
            "Service Error: client error (Connect): dns error: failed to lookup address information"
        );
        let alone = Layer(
            "error sending request for url (https://gitlab.example/api/v4/user)",
            None,
        );
        assert_eq!(cause_chain(&alone), alone.0);
    }

    #[test]
    fn only_rate_limits_transport_and_server_errors_are_retried() {
        assert!(ForgeError::RateLimited { retry_after: None }.is_retryable());
        assert!(ForgeError::Transport("reset".into()).is_retryable());
        assert!(ForgeError::from_status(503, "", None).is_retryable());
        assert!(!ForgeError::from_status(404, "", None).is_retryable());
        assert!(!ForgeError::from_status(403, "", None).is_retryable());
        assert!(!ForgeError::from_status(422, "", None).is_retryable());
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        // A date long past: retry now.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let wait = parse_retry_after(&soon).unwrap();
        assert!(
            (Duration::from_secs(85)..=Duration::from_secs(90)).contains(&wait),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("in a while"), None);
    }

    #[test]
    fn long_error_bodies_are_cut_to_one_line() {
        let body = "line\n".repeat(200);
        let ForgeError::Unexpected { body, .. } = ForgeError::from_status(500, &body, None) else {
            panic!("500 must be Unexpected");
        };
        assert!(!body.contains('\n'));
        assert!(body.chars().count() <= 301);
    }
}
