//! How deep a run of requests went: the longest chain of requests each sent
//! after the one before it was answered. Requests sent side by side overlap
//! and count once; so with every answer delayed well beyond the client's own
//! work, the depth is the number of round trips on the critical path.
//! Held by the fake GitLab (the benches include that fake by path) and used
//! by the fake GitHub from there.

use std::time::Instant;

/// When one request arrived and when its answer left.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub sent: Instant,
    pub answered: Instant,
}

/// The longest chain of requests in which each arrived after the previous
/// one's answer left; 0 for none.
pub fn depth(spans: &[Span]) -> usize {
    let mut ordered = spans.to_vec();
    ordered.sort_by_key(|s| s.sent);
    let mut chain: Vec<usize> = Vec::with_capacity(ordered.len());
    for (i, span) in ordered.iter().enumerate() {
        let before = (0..i)
            .filter(|&j| ordered[j].answered <= span.sent)
            .map(|j| chain[j])
            .max()
            .unwrap_or(0);
        chain.push(before + 1);
    }
    chain.into_iter().max().unwrap_or(0)
}
