//! The rate-limit window both fake forges can enforce: so many calls per
//! window, and what to put in each forge's rate-limit headers. The fake
//! GitLab holds it as its module (the benches include that fake alone by
//! path); the fake GitHub uses it from there.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A rate-limit window.
#[derive(Debug, Clone)]
pub struct Budget {
    pub limit: u64,
    pub window: Duration,
    pub started: Instant,
    pub used: u64,
    /// Calls that arrived with the budget spent (refused).
    pub over: u64,
}

/// One call counted against a [`Budget`].
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    pub over: bool,
    pub limit: u64,
    pub remaining: u64,
    pub used: u64,
    /// Unix seconds when the window resets.
    pub reset: u64,
    /// Until the window resets.
    pub left: Duration,
}

impl Budget {
    pub fn new(limit: u64, window: Duration) -> Budget {
        Budget {
            limit,
            window,
            started: Instant::now(),
            used: 0,
            over: 0,
        }
    }

    /// Counts one call, starting a new window when the last one is over.
    pub fn spend(&mut self) -> Spent {
        if self.started.elapsed() >= self.window {
            self.started = Instant::now();
            self.used = 0;
        }
        self.used += 1;
        let over = self.used > self.limit;
        if over {
            self.over += 1;
        }
        let left = self.window.saturating_sub(self.started.elapsed());
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        Spent {
            over,
            limit: self.limit,
            remaining: self.limit.saturating_sub(self.used),
            used: self.used.min(self.limit),
            reset: (now + left).as_secs_f64().ceil() as u64,
            left,
        }
    }
}
