//! The fake forges' flaky mode (issue 11): on a seeded fifth of the API
//! calls a 429 with `Retry-After`, a 5xx or a broken connection, and on a
//! tenth a delay of up to 2 s. Some of the 5xx and broken connections come
//! after the fake has applied the write, the answer lost on its way back (a
//! proxy timing out): the case that makes a blind retry of a POST create a
//! second comment. Held by the fake GitLab as its module (the benches include
//! that fake alone by path) and used by the fake GitHub from there.
//!
//! Deterministic: a call's fate is a hash of the seed, its method and path,
//! and how many times that same call was made before. Two workers racing
//! change the order calls arrive in, not which of them fail.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, BodyStream, Empty, Full, StreamBody};
use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::time::Duration;

/// Percent of calls that fail.
const FAULT_PERCENT: u64 = 20;
/// Percent of calls that are slow (independently of failing).
const SLOW_PERCENT: u64 = 10;
/// The longest delay a slow call gets.
const MAX_DELAY_MS: u64 = 2000;
/// What the 429s ask for.
const RETRY_AFTER_SECS: u64 = 1;

/// What goes wrong with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mishap {
    /// 429 with `Retry-After`; nothing applied.
    TooManyRequests { retry_after_secs: u64 },
    /// A 5xx. `after`: the fake served the call first (a write is applied)
    /// and the answer was lost.
    ServerError { status: u16, after: bool },
    /// The connection breaks. `after`: mid-answer, the call served; else
    /// before any answer, nothing applied.
    Reset { after: bool },
}

impl Mishap {
    /// Whether the fake serves the call (applies a write) before the mishap.
    pub fn after(self) -> bool {
        matches!(
            self,
            Mishap::ServerError { after: true, .. } | Mishap::Reset { after: true }
        )
    }

    /// The answer instead of serving the call (for mishaps that come before it).
    pub fn refuse(self) -> Response {
        match self {
            Mishap::TooManyRequests { retry_after_secs } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(serde_json::json!({"message": "Retry later"})),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
                response
            }
            Mishap::ServerError { status, .. } => server_error(status),
            Mishap::Reset { .. } => broken(StatusCode::OK, HeaderMap::new(), Bytes::new()),
        }
    }

    /// What reaches the client of a call the fake served.
    pub async fn spoil(self, served: Response) -> Response {
        match self {
            Mishap::ServerError { status, .. } => server_error(status),
            Mishap::Reset { .. } => {
                let (parts, body) = served.into_parts();
                let whole = body
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default();
                // Half the answer gets through, then the connection breaks.
                let half = whole.slice(..whole.len() / 2);
                broken(parts.status, parts.headers, half)
            }
            Mishap::TooManyRequests { .. } => self.refuse(),
        }
    }
}

fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).expect("a 5xx");
    // A proxy's page ("502 Bad Gateway"), not the forge's JSON.
    (
        status,
        format!("<html><body><h1>{status}</h1></body></html>"),
    )
        .into_response()
}

/// An answer whose body stops after `sent` with an error: hyper then drops
/// the connection without ending the chunked body, and the client sees a
/// broken connection (it cannot mistake the part for a whole answer: there
/// is no `Content-Length` to satisfy).
fn broken(status: StatusCode, mut headers: HeaderMap, sent: Bytes) -> Response {
    headers.remove(header::CONTENT_LENGTH);
    let reset = || {
        Some(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "flaky fake",
        )))
    };
    let never = |never: Infallible| -> io::Error { match never {} };
    let body = if sent.is_empty() {
        Empty::<Bytes>::new()
            .map_err(never)
            .with_trailers(std::future::ready(reset()))
            .boxed()
    } else {
        Full::new(sent)
            .map_err(never)
            .with_trailers(std::future::ready(reset()))
            .boxed()
    };
    // Through a stream so the size is unknown and the body goes chunked.
    let mut response = Response::new(Body::new(StreamBody::new(BodyStream::new(body))));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// What the fake does to one call: wait first, then maybe a mishap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plan {
    pub delay: Option<Duration>,
    pub mishap: Option<Mishap>,
}

/// How many calls met each fate, for the test to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub calls: u64,
    pub slowed: u64,
    pub delayed_ms: u64,
    pub too_many: u64,
    pub server_errors: u64,
    pub server_errors_after: u64,
    pub resets: u64,
    pub resets_after: u64,
    /// Of the calls, writes; of the faults, those on writes, and of those,
    /// the ones that came after the write was applied.
    pub writes: u64,
    pub writes_failed: u64,
    pub writes_lost: u64,
    /// Those last writes, as `METHOD path`.
    pub lost: Vec<String>,
}

impl Tally {
    pub fn faults(&self) -> u64 {
        self.too_many + self.server_errors + self.resets
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} calls judged ({} writes), {} faults: {} × 429, {} × 5xx ({} after serving), \
             {} resets ({} after serving); {} on writes, {} of them lost after the write \
             was applied; {} calls slowed by {:.1} s in all",
            self.calls,
            self.writes,
            self.faults(),
            self.too_many,
            self.server_errors,
            self.server_errors_after,
            self.resets,
            self.resets_after,
            self.writes_failed,
            self.writes_lost,
            self.slowed,
            self.delayed_ms as f64 / 1000.0
        )
    }
}

/// The seeded fault plan of one fake.
#[derive(Debug)]
pub struct Flaky {
    seed: u64,
    /// Credentials whose calls are left alone (the `schemagate check` runs
    /// of the story, which check agreement with the server, not resilience).
    spared: Vec<String>,
    /// Calls seen so far, by `METHOD path?query`.
    seen: HashMap<String, u64>,
    pub tally: Tally,
}

impl Flaky {
    pub fn new(seed: u64) -> Flaky {
        Flaky {
            seed,
            spared: Vec::new(),
            seen: HashMap::new(),
            tally: Tally::default(),
        }
    }

    pub fn sparing(mut self, credential: &str) -> Flaky {
        self.spared.push(credential.to_string());
        self
    }

    /// Decides (and counts) the fate of a call.
    pub fn plan(&mut self, method: &str, path: &str, credential: Option<&str>) -> Plan {
        if credential.is_some_and(|c| self.spared.iter().any(|s| s == c)) {
            return Plan::default();
        }
        let key = format!("{method} {path}");
        let seen = self.seen.entry(key.clone()).or_default();
        let occurrence = *seen;
        *seen += 1;
        let roll = mix(self.seed ^ fnv(&key) ^ mix(occurrence.wrapping_add(1)));
        let slow = mix(roll);
        let plan = Plan {
            delay: (slow % 100 < SLOW_PERCENT)
                .then(|| Duration::from_millis((slow >> 8) % (MAX_DELAY_MS + 1))),
            mishap: (roll % 100 < FAULT_PERCENT).then(|| {
                let after = (roll >> 16) & 1 == 1;
                match (roll >> 8) % 3 {
                    0 => Mishap::TooManyRequests {
                        retry_after_secs: RETRY_AFTER_SECS,
                    },
                    1 => Mishap::ServerError {
                        status: [500, 502, 503][((roll >> 24) % 3) as usize],
                        after,
                    },
                    _ => Mishap::Reset { after },
                }
            }),
        };
        self.count(method, &plan);
        if method != "GET" && plan.mishap.is_some_and(Mishap::after) {
            self.tally.lost.push(key);
        }
        plan
    }

    fn count(&mut self, method: &str, plan: &Plan) {
        let t = &mut self.tally;
        t.calls += 1;
        if method != "GET" {
            t.writes += 1;
            t.writes_failed += u64::from(plan.mishap.is_some());
            t.writes_lost += u64::from(plan.mishap.is_some_and(Mishap::after));
        }
        if let Some(delay) = plan.delay {
            t.slowed += 1;
            t.delayed_ms += delay.as_millis() as u64;
        }
        match plan.mishap {
            Some(Mishap::TooManyRequests { .. }) => t.too_many += 1,
            Some(Mishap::ServerError { after, .. }) => {
                t.server_errors += 1;
                t.server_errors_after += u64::from(after);
            }
            Some(Mishap::Reset { after }) => {
                t.resets += 1;
                t.resets_after += u64::from(after);
            }
            None => {}
        }
    }
}

/// SplitMix64's finaliser: a well-spread 64-bit hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a of a call's key.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

// Paths, not `use super::*`: the benches build this file with `cfg(test)`
// but no harness, where the tests vanish and an import would be unused.
#[cfg(test)]
mod tests {
    #[test]
    fn the_same_seed_plans_the_same_fates_and_about_a_fifth_fail() {
        let fates = |seed| {
            let mut flaky = super::Flaky::new(seed);
            (0..2000)
                .map(|i| {
                    flaky.plan(
                        "GET",
                        &format!("/projects/1/merge_requests/{}", i % 50),
                        None,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(fates(7), fates(7));
        assert_ne!(fates(7), fates(8));
        let failed = fates(7).iter().filter(|p| p.mishap.is_some()).count();
        assert!((300..500).contains(&failed), "{failed} of 2000 failed");
        let slow = fates(7).iter().filter(|p| p.delay.is_some()).count();
        assert!((120..280).contains(&slow), "{slow} of 2000 slow");
    }

    #[test]
    fn spared_credentials_meet_no_mishap() {
        let mut flaky = super::Flaky::new(1).sparing("ci");
        for _ in 0..200 {
            assert_eq!(
                flaky.plan("GET", "/user", Some("ci")),
                super::Plan::default()
            );
        }
        assert_eq!(flaky.tally.calls, 0);
    }
}
