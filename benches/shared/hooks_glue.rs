// What the integration tests' GitLab hook builder (`gitlab_hooks`, included
// by `#[path]`) needs at a bench's crate root: its `super::` items. Included
// with `include!` by each bench that sends GitLab webhooks.

pub const GITLAB_SECRET: &str = "gitlab-webhook-s3cret";

/// One webhook delivery, as `gitlab_hooks` builds it.
pub struct Delivery {
    pub path: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the hook builder's own tests call.
#[allow(dead_code)]
impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn event(&self) -> &str {
        self.header("X-Gitlab-Event").unwrap_or_default()
    }
}

/// A UUID-shaped delivery id, unique within this run.
fn fresh_uuid() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        n & 0xffff_ffff_ffff
    )
}
