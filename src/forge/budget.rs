//! Pacing forge calls by the rate-limit budget the forge reports, so the bot
//! waits before a 429 instead of after: GitLab's `RateLimit-Remaining` and
//! `RateLimit-Reset`, GitHub's `x-ratelimit-remaining`, `x-ratelimit-reset`
//! and `x-ratelimit-resource`. One budget per client (that is, per forge and
//! token). Each call takes one unit before it goes out, so concurrent
//! workers never spend more than the forge said is left; each answer sets
//! the budget to what the forge says now (never above what was taken since,
//! within one window). While the budget is unknown a few calls go out at
//! once to learn it, so a fresh process's first concurrent reads (`check`)
//! are not made one after another; a forge that answers without budget
//! headers is not paced at all.

use std::sync::Mutex;
use std::time::Duration;

/// The longest wait for a window to reset; a forge that says more is
/// trusted only this far, and the call's own 429 handling takes over.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    remaining: u64,
    /// Unix seconds when the forge refills the budget.
    reset_at: i64,
}

/// What the forge's headers said about the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetReading {
    pub remaining: u64,
    pub reset_at: i64,
    /// GitHub's `x-ratelimit-resource` (`core`, `search`…); `core` on GitLab.
    pub resource: String,
}

impl BudgetReading {
    /// Reads GitLab's or GitHub's headers through `header`; `None` when the
    /// answer carries no budget.
    pub fn from_headers(header: impl Fn(&str) -> Option<String>) -> Option<BudgetReading> {
        let number = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| header(name))
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        let remaining = number(&["ratelimit-remaining", "x-ratelimit-remaining"])?;
        let reset_at = number(&["ratelimit-reset", "x-ratelimit-reset"])?;
        Some(BudgetReading {
            remaining: u64::try_from(remaining).unwrap_or(0),
            reset_at,
            resource: header("x-ratelimit-resource").unwrap_or_else(|| "core".to_string()),
        })
    }
}

/// How long the calls probing an unknown budget may hold the others back.
const PROBE_ALONE: Duration = Duration::from_secs(5);
/// How many calls may go out at once while the budget is unknown: enough
/// for a `check`'s first round of independent reads, far below any real
/// forge's budget (GitLab.com and GitHub allow thousands of calls per window).
const PROBES: u32 = 4;
/// How often a call waiting for the probe's answer looks again.
const PROBE_POLL: Duration = Duration::from_millis(10);

/// One client's budget.
#[derive(Debug, Default)]
pub struct RateBudget {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    window: Option<Window>,
    /// While the budget is unknown, up to [`PROBES`] calls go out to learn
    /// it (Unix milliseconds the first left); the others wait for an answer.
    probe_since_ms: Option<i64>,
    probes: u32,
    /// The forge answered without budget headers: it reports none, so
    /// there is nothing to learn and no call waits for a probe.
    unreported: bool,
}

impl RateBudget {
    /// Takes one unit for a call about to go out at `now_ms` (Unix
    /// milliseconds); `Some(wait)` when it must wait first (none left until
    /// the window resets, or another call is learning the budget): wait,
    /// then take again.
    pub fn take(&self, now_ms: i64) -> Option<Duration> {
        let now = now_ms.div_euclid(1000);
        let mut state = self.state.lock().expect("rate budget");
        if state.window.is_some_and(|w| now >= w.reset_at) {
            // A new window: the forge's next answer says how much it holds.
            state.window = None;
        }
        if state.window.is_none() && state.unreported {
            return None;
        }
        let Some(current) = state.window.as_mut() else {
            return match state.probe_since_ms {
                Some(since) if now_ms - since < PROBE_ALONE.as_millis() as i64 => {
                    if state.probes < PROBES {
                        state.probes += 1;
                        None
                    } else {
                        Some(PROBE_POLL)
                    }
                }
                _ => {
                    state.probe_since_ms = Some(now_ms);
                    state.probes = 1;
                    None
                }
            };
        };
        if current.remaining == 0 {
            let wait = Duration::from_secs((current.reset_at - now).max(1) as u64);
            return Some(wait.min(MAX_WAIT));
        }
        current.remaining -= 1;
        None
    }

    /// Records what an answer said; within the same window the budget
    /// never grows (answers to calls in flight may report stale counts).
    pub fn observe(&self, reading: &BudgetReading) {
        let mut state = self.state.lock().expect("rate budget");
        let remaining = match state.window {
            Some(current) if current.reset_at == reading.reset_at => {
                current.remaining.min(reading.remaining)
            }
            // The first answer to a few probes: the others are still out
            // and spend from this budget too.
            None => reading
                .remaining
                .saturating_sub(u64::from(state.probes.saturating_sub(1))),
            Some(_) => reading.remaining,
        };
        state.window = Some(Window {
            remaining,
            reset_at: reading.reset_at,
        });
        state.probe_since_ms = None;
        state.probes = 0;
        state.unreported = false;
    }

    /// Records an answer that carried no budget headers: the forge (or a
    /// proxy in front of it) reports none, so calls stop waiting for probes
    /// until an answer carries a budget again.
    pub fn unreported(&self) {
        let mut state = self.state.lock().expect("rate budget");
        state.unreported = true;
        state.probe_since_ms = None;
        state.probes = 0;
    }

    /// Forgets a probe that got no budget headers back (an error, or a
    /// forge that sends none), so the next call may go.
    pub fn unprobed(&self) {
        let mut state = self.state.lock().expect("rate budget");
        if state.window.is_none() {
            state.probe_since_ms = None;
            state.probes = 0;
        }
    }

    /// Learns from an answer's headers (read through `header`): its budget,
    /// also shown on `/metrics` as `forge`'s, or that it carries none.
    pub fn read_answer(&self, forge: &'static str, header: impl Fn(&str) -> Option<String>) {
        match BudgetReading::from_headers(header) {
            Some(reading) => {
                self.observe(&reading);
                report(forge, &reading);
            }
            None => self.unreported(),
        }
    }

    /// Waits until a unit is free and takes it.
    pub async fn acquire(&self) {
        while let Some(wait) = self.take(chrono::Utc::now().timestamp_millis()) {
            if wait > PROBE_POLL {
                tracing::info!(
                    wait_s = wait.as_secs(),
                    "rate-limit budget spent; waiting for it to reset"
                );
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// Shows the budget on `/metrics`.
pub fn report(forge: &'static str, reading: &BudgetReading) {
    metrics::gauge!(
        crate::metric_names::FORGE_RATE_LIMIT_REMAINING,
        "forge" => forge,
        "resource" => reading.resource.clone()
    )
    .set(reading.remaining as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(remaining: u64, reset_at: i64) -> BudgetReading {
        BudgetReading {
            remaining,
            reset_at,
            resource: "core".into(),
        }
    }

    #[test]
    fn both_forges_headers_are_read() {
        let gitlab = |name: &str| match name {
            "ratelimit-remaining" => Some("42".to_string()),
            "ratelimit-reset" => Some("1767225600".to_string()),
            _ => None,
        };
        assert_eq!(
            BudgetReading::from_headers(gitlab),
            Some(reading(42, 1_767_225_600))
        );
        let github = |name: &str| match name {
            "x-ratelimit-remaining" => Some("0".to_string()),
            "x-ratelimit-reset" => Some("1767225600".to_string()),
            "x-ratelimit-resource" => Some("search".to_string()),
            _ => None,
        };
        let read = BudgetReading::from_headers(github).unwrap();
        assert_eq!((read.remaining, read.resource.as_str()), (0, "search"));
        assert_eq!(BudgetReading::from_headers(|_| None), None);
    }

    #[test]
    fn calls_take_the_budget_and_wait_for_the_reset_when_it_is_spent() {
        let budget = RateBudget::default();
        let at = |seconds: i64| seconds * 1000;
        assert_eq!(
            budget.take(at(100)),
            None,
            "nothing known yet: a call probes"
        );
        budget.observe(&reading(2, 160));
        assert_eq!(budget.take(at(100)), None);
        assert_eq!(budget.take(at(100)), None);
        assert_eq!(budget.take(at(100)), Some(Duration::from_secs(60)));
        // A stale answer from a call in flight does not hand units back.
        budget.observe(&reading(1, 160));
        assert_eq!(budget.take(at(101)), Some(Duration::from_secs(59)));
        // The window resets: a few calls learn the new budget, the others
        // wait for them.
        for _ in 0..PROBES {
            assert_eq!(budget.take(at(160)), None);
        }
        assert_eq!(budget.take(at(160)), Some(PROBE_POLL));
        budget.observe(&reading(5, 220));
        assert_eq!(budget.take(at(161)), None);
    }

    #[test]
    fn a_probe_that_learns_nothing_lets_the_next_call_go() {
        let budget = RateBudget::default();
        assert_eq!(budget.take(0), None);
        budget.unprobed();
        assert_eq!(budget.take(1), None);
        // Probes that never come back stop blocking after a while.
        for _ in 1..PROBES {
            assert_eq!(budget.take(2), None);
        }
        assert_eq!(budget.take(3), Some(PROBE_POLL));
        assert_eq!(budget.take(PROBE_ALONE.as_millis() as i64 + 2), None);
    }

    #[test]
    fn the_probes_still_out_are_charged_to_the_budget_the_first_answer_reports() {
        let budget = RateBudget::default();
        for _ in 0..PROBES {
            assert_eq!(budget.take(0), None);
        }
        // The first answer says 4 are left: the other probes will spend 3.
        budget.observe(&reading(u64::from(PROBES), 60));
        assert_eq!(budget.take(1), None);
        assert_eq!(budget.take(1), Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_forge_that_reports_no_budget_is_not_paced() {
        let budget = RateBudget::default();
        assert_eq!(budget.take(0), None);
        budget.unreported();
        for _ in 0..2 * PROBES {
            assert_eq!(budget.take(1), None, "no call waits for a probe");
        }
        // An answer with a budget turns pacing back on.
        budget.observe(&reading(1, 60));
        assert_eq!(budget.take(2), None);
        assert_eq!(budget.take(2), Some(Duration::from_secs(60)));
    }
}
