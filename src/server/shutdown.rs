//! The server's lifecycle as one watched value, so the HTTP listener, the
//! workers and the sync loop all see the same stage of a graceful shutdown:
//! first stop taking new work, then (after the grace period) give up the
//! jobs still running.

use tokio::sync::watch;

/// Stages in order; a stage is never left for an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Running,
    /// No new connections or claims; in-flight jobs may finish.
    Draining,
    /// The grace period is over: in-flight jobs are stopped and returned to the queue.
    Abandoning,
}

/// The owner's side: moves the server through the phases.
pub struct Lifecycle {
    sender: watch::Sender<Phase>,
}

impl Lifecycle {
    pub fn new() -> Lifecycle {
        Lifecycle {
            sender: watch::Sender::new(Phase::Running),
        }
    }

    pub fn enter(&self, phase: Phase) {
        self.sender.send_if_modified(|current| {
            let later = phase > *current;
            if later {
                *current = phase;
            }
            later
        });
    }

    pub fn watch(&self) -> PhaseWatch {
        PhaseWatch(self.sender.subscribe())
    }
}

/// A task's side: asks where the server is and waits for a phase.
#[derive(Clone)]
pub struct PhaseWatch(watch::Receiver<Phase>);

impl PhaseWatch {
    pub fn reached(&self, phase: Phase) -> bool {
        *self.0.borrow() >= phase
    }

    /// Returns once the server is in `phase` or later (or its owner is gone).
    pub async fn wait_for(&mut self, phase: Phase) {
        // An error means the Lifecycle was dropped: nothing will run on, so stop too.
        let _ = self.0.wait_for(|current| *current >= phase).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn phases_only_move_forward_and_waiters_see_them() {
        let lifecycle = Lifecycle::new();
        let mut watch = lifecycle.watch();
        assert!(!watch.reached(Phase::Draining));
        let waiter = tokio::spawn({
            let mut watch = watch.clone();
            async move { watch.wait_for(Phase::Draining).await }
        });
        lifecycle.enter(Phase::Abandoning);
        waiter.await.unwrap();
        lifecycle.enter(Phase::Draining);
        assert!(watch.reached(Phase::Abandoning));
        watch.wait_for(Phase::Abandoning).await;
    }

    #[tokio::test]
    async fn a_dropped_lifecycle_releases_waiters() {
        let lifecycle = Lifecycle::new();
        let mut watch = lifecycle.watch();
        drop(lifecycle);
        watch.wait_for(Phase::Abandoning).await;
    }
}
