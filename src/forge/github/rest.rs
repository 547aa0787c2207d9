//! Raw REST calls through octocrab's `_get`/`_post`/`_patch` routes: one
//! place that adds GitHub's headers, maps answers to [`ForgeError`] (with the
//! rate-limit headers the typed API would hide), and follows `Link` pages.

use crate::forge::budget::RateBudget;
use crate::forge::error::parse_retry_after;
use crate::forge::{ForgeError, cause_chain};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// Media type for JSON answers, and for a file's raw bytes from the contents API.
pub const JSON: &str = "application/vnd.github+json";
pub const RAW: &str = "application/vnd.github.raw+json";

/// The REST API version schemagate is written against.
const API_VERSION: &str = "2022-11-28";

/// The largest page GitHub serves (the default is 30).
pub const PER_PAGE: u32 = 100;

/// A successful answer: the headers (for `Link`) and the body.
pub struct Reply {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ForgeError> {
        serde_json::from_slice(&self.body).map_err(|e| ForgeError::Unexpected {
            status: 200,
            body: format!("GitHub answered JSON of an unexpected shape: {e}"),
        })
    }

    /// The `rel="next"` page as a path-and-query, if there is one.
    pub fn next_page(&self) -> Option<String> {
        let links = self.headers.get("link")?.to_str().ok()?;
        links.split(',').find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let is_next = params
                .split(';')
                .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
            is_next.then(|| relative(target.trim().trim_start_matches('<').trim_end_matches('>')))
        })
    }
}

/// Drops scheme and host from a `Link` target. Octocrab puts the configured
/// base URI back in front, and an absolute URI would make it withhold an App
/// installation's token from any host but api.github.com (GitHub Enterprise,
/// the test fake).
fn relative(url: &str) -> String {
    match url.parse::<http::Uri>() {
        Ok(uri) => uri
            .path_and_query()
            .map_or_else(|| url.to_string(), |p| p.to_string()),
        Err(_) => url.to_string(),
    }
}

/// `text` as one path segment: everything but ASCII letters, digits, `-`
/// and `_` percent-encoded, so a name taken from a comment or the config
/// (a login, a team slug) can never reach another route: not with `/`,
/// and not with `..`, which would be resolved before sending.
pub fn segment(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// A repository path or ref name (`db/huge migration.sql`, `release/2026.11`)
/// for a URL: each `/`-separated part percent-encoded (a space as `%20`, not
/// `+`), the slashes kept, as the contents and git refs APIs take them.
pub fn slashed(text: &str) -> String {
    text.split('/')
        .map(|part| {
            url::form_urlencoded::byte_serialize(part.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Sends one request and maps any non-2xx answer to a [`ForgeError`].
pub async fn send(
    crab: &Octocrab,
    method: Method,
    path: &str,
    body: Option<&Value>,
    accept: &str,
) -> Result<Reply, ForgeError> {
    send_paced(crab, method, path, body, accept, &RateBudget::default()).await
}

/// [`send`], recording the answer's rate-limit headers in `budget`. The
/// client's `Layers` take from the budget and check the write fence first.
pub async fn send_paced(
    crab: &Octocrab,
    method: Method,
    path: &str,
    body: Option<&Value>,
    accept: &str,
    budget: &RateBudget,
) -> Result<Reply, ForgeError> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::ACCEPT, accept)
        .header("x-github-api-version", API_VERSION)
        .header(http::header::USER_AGENT, "schemagate");
    let payload = match body {
        Some(value) => {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
            value.to_string()
        }
        None => String::new(),
    };
    let request = builder
        .body(payload)
        .map_err(|e| ForgeError::Transport(format!("could not build the request: {e}")))?;
    let response = crab
        .execute(request)
        .await
        .map_err(|e| ForgeError::Transport(cause_chain(&e)))?;
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map_err(|e| ForgeError::Transport(cause_chain(&e)))?
        .to_bytes()
        .to_vec();
    budget.read_answer("github", |name| {
        header(&parts.headers, name).map(str::to_string)
    });
    if parts.status.is_success() {
        return Ok(Reply {
            headers: parts.headers,
            body: bytes,
        });
    }
    Err(error_for(
        parts.status,
        &parts.headers,
        &String::from_utf8_lossy(&bytes),
        chrono::Utc::now().timestamp(),
    ))
}

/// GitHub's `message` field, or the body as it came.
fn message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
}

/// Maps a failed answer. 403 is a rate limit when the quota headers say so
/// (or `Retry-After` is set, GitHub's secondary limit), otherwise a refusal.
pub fn error_for(status: StatusCode, headers: &HeaderMap, body: &str, now: i64) -> ForgeError {
    let retry_after = header(headers, "retry-after").and_then(parse_retry_after);
    let quota_spent = header(headers, "x-ratelimit-remaining").map(str::trim) == Some("0");
    let reset_wait = header(headers, "x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|reset| Duration::from_secs(reset.saturating_sub(now).max(1) as u64));
    let text = message(body);
    match status.as_u16() {
        429 => ForgeError::RateLimited {
            retry_after: retry_after.or(reset_wait),
        },
        403 if retry_after.is_some()
            || quota_spent
            || text.to_lowercase().contains("rate limit") =>
        {
            ForgeError::RateLimited {
                retry_after: retry_after.or(if quota_spent { reset_wait } else { None }),
            }
        }
        // 422 keeps the whole body: its `errors[].code` (e.g. already_exists) matters.
        422 => ForgeError::from_status(422, body, retry_after),
        code => ForgeError::from_status(code, &text, retry_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let error = error_for(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "7")]),
            "{}",
            0,
        );
        assert_eq!(
            error,
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
    }

    #[test]
    fn forbidden_with_spent_quota_waits_until_reset() {
        let error = error_for(
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1030"),
            ]),
            r#"{"message":"API rate limit exceeded"}"#,
            1000,
        );
        assert_eq!(
            error,
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(30))
            }
        );
    }

    #[test]
    fn a_secondary_rate_limit_is_a_back_off_not_a_refusal() {
        let message = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        for (status, extra) in [
            (
                StatusCode::FORBIDDEN,
                vec![("x-ratelimit-remaining", "4999")],
            ),
            (StatusCode::TOO_MANY_REQUESTS, vec![("retry-after", "60")]),
        ] {
            let error = error_for(status, &headers(&extra), message, 0);
            assert!(
                matches!(error, ForgeError::RateLimited { .. }),
                "{status}: {error:?}"
            );
            assert!(error.is_retryable());
        }
    }

    #[test]
    fn forbidden_without_quota_headers_is_a_refusal_with_githubs_message() {
        let error = error_for(
            StatusCode::FORBIDDEN,
            &headers(&[("x-ratelimit-remaining", "4999")]),
            r#"{"message":"Resource not accessible by integration"}"#,
            0,
        );
        assert_eq!(
            error,
            ForgeError::Forbidden("Resource not accessible by integration".into())
        );
    }

    #[test]
    fn not_found_and_unauthorized_are_typed() {
        let none = HeaderMap::new();
        assert!(matches!(
            error_for(StatusCode::NOT_FOUND, &none, r#"{"message":"Not Found"}"#, 0),
            ForgeError::NotFound(m) if m == "Not Found"
        ));
        assert_eq!(
            error_for(StatusCode::UNAUTHORIZED, &none, "{}", 0),
            ForgeError::Unauthorized
        );
    }

    #[test]
    fn next_link_becomes_a_relative_path() {
        let reply = Reply {
            headers: headers(&[(
                "link",
                r#"<https://ghe.example/api/v3/repos/o/r/pulls/1/files?per_page=100&page=2>; rel="next", <https://ghe.example/api/v3/repos/o/r/pulls/1/files?per_page=100&page=3>; rel="last""#,
            )]),
            body: Vec::new(),
        };
        assert_eq!(
            reply.next_page().as_deref(),
            Some("/api/v3/repos/o/r/pulls/1/files?per_page=100&page=2")
        );
    }

    #[test]
    fn paths_keep_their_slashes_and_encode_the_rest() {
        assert_eq!(slashed("db/huge migration.sql"), "db/huge%20migration.sql");
        assert_eq!(
            slashed("release/2026.11+fix#2"),
            "release/2026.11%2Bfix%232"
        );
    }

    #[test]
    fn names_become_single_path_segments() {
        assert_eq!(segment("alice-dev_2"), "alice-dev_2");
        assert_eq!(segment("../x"), "%2E%2E%2Fx");
        assert_eq!(segment("bot[bot]"), "bot%5Bbot%5D");
    }

    #[test]
    fn last_page_has_no_next() {
        let reply = Reply {
            headers: headers(&[(
                "link",
                r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=2>; rel="prev""#,
            )]),
            body: Vec::new(),
        };
        assert_eq!(reply.next_page(), None);
    }
}
