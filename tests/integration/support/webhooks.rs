//! Webhook deliveries shaped like the ones GitLab and GitHub send, built
//! from a fake forge's current state so a payload agrees with what the API
//! answers afterwards: the event header, a fresh delivery id, and the
//! forge's authentication (GitLab's token, GitHub's HMAC signature).

pub mod github;
pub mod gitlab;

use std::sync::atomic::{AtomicU64, Ordering};

/// The GitLab webhook secret token the test server is configured with.
pub const GITLAB_SECRET: &str = "gitlab-webhook-s3cret";
/// The GitHub webhook HMAC secret the test server is configured with.
pub const GITHUB_SECRET: &str = "github-webhook-s3cret";

/// One HTTP delivery, ready to POST to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `/webhooks/gitlab` or `/webhooks/github`.
    pub path: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Delivery {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The event header's value (`Merge Request Hook`, `pull_request`).
    pub fn event(&self) -> &str {
        self.header("X-Gitlab-Event")
            .or_else(|| self.header("X-GitHub-Event"))
            .expect("every delivery names its event")
    }

    /// The id the server deduplicates on.
    pub fn delivery_id(&self) -> &str {
        self.header("Idempotency-Key")
            .or_else(|| self.header("X-GitHub-Delivery"))
            .expect("every delivery has an id")
    }

    /// The body as JSON, for assertions.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("deliveries carry JSON")
    }

    /// Sets (or replaces) one header.
    pub fn with_header(mut self, name: &str, value: &str) -> Delivery {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same payload as a new delivery: a forge sending the same event
    /// again (not a redelivery), so every id header is fresh. The body and
    /// with it GitHub's signature are unchanged.
    pub fn resent(&self) -> Delivery {
        let id = fresh_uuid();
        let mut copy = self.clone();
        for (name, value) in &mut copy.headers {
            let lower = name.to_ascii_lowercase();
            if [
                "idempotency-key",
                "x-gitlab-webhook-uuid",
                "x-gitlab-event-uuid",
                "x-github-delivery",
            ]
            .contains(&lower.as_str())
            {
                *value = id.clone();
            }
        }
        copy
    }
}

/// A UUID-shaped id, unique within this test process.
pub fn fresh_uuid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let pid = u64::from(std::process::id());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        pid & 0xffff_ffff,
        (n >> 48) & 0xffff,
        (n >> 36) & 0xfff,
        (n >> 24) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_are_unique_and_uuid_shaped() {
        let a = fresh_uuid();
        let b = fresh_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn a_resent_delivery_has_new_ids_and_the_same_body() {
        let id = fresh_uuid();
        let delivery = Delivery {
            path: "/webhooks/gitlab",
            headers: vec![
                ("X-Gitlab-Event".into(), "Merge Request Hook".into()),
                ("X-Gitlab-Webhook-UUID".into(), id.clone()),
                ("Idempotency-Key".into(), id.clone()),
            ],
            body: b"{}".to_vec(),
        };
        let again = delivery.resent();
        assert_ne!(again.delivery_id(), id);
        assert_eq!(
            again.header("X-Gitlab-Webhook-UUID"),
            Some(again.delivery_id())
        );
        assert_eq!(again.body, delivery.body);
        assert_eq!(again.event(), "Merge Request Hook");
    }
}
