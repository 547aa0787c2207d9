//! Turns on SQLite's one connection, webhook intake first: a delivery waits
//! for at most the one statement or transaction in progress, never behind
//! every worker queued for the connection.
//!
//! sqlx's pool hands its connection out first come, first served, so with
//! four workers each running short transactions back to back, an
//! acknowledgement used to wait for all of them. Every use of the SQLite
//! connection takes a [`Turn`] first; when a turn ends it goes to the oldest
//! waiting intake, else the oldest waiting worker. PostgreSQL has a pool of
//! connections and needs no turns.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Who is asking for the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Storing webhook deliveries: a forge waits for the answer.
    Intake,
    /// Everything else: workers, sync, commands.
    Work,
}

/// The queue of tasks waiting for the connection.
#[derive(Default)]
pub struct Turns {
    state: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    held: bool,
    intake: VecDeque<oneshot::Sender<()>>,
    work: VecDeque<oneshot::Sender<()>>,
}

/// The right to use the connection; passed on when dropped.
pub struct Turn {
    turns: Arc<Turns>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.turns.pass_on();
    }
}

impl Turns {
    /// Waits for the connection. Cancel-safe: a waiter dropped after it
    /// was handed the turn passes it on.
    pub async fn take(self: &Arc<Turns>, priority: Priority) -> Turn {
        let receiver = {
            let mut state = self.lock();
            if !state.held {
                state.held = true;
                return Turn {
                    turns: self.clone(),
                };
            }
            let (sender, receiver) = oneshot::channel();
            match priority {
                Priority::Intake => state.intake.push_back(sender),
                Priority::Work => state.work.push_back(sender),
            }
            receiver
        };
        let mut waiter = Waiter {
            receiver: Some(receiver),
            turns: self.clone(),
        };
        let receiver = waiter.receiver.as_mut().expect("set above");
        // The sender is dropped only by `pass_on`, after a send or never.
        let _ = receiver.await;
        waiter.receiver = None;
        Turn {
            turns: self.clone(),
        }
    }

    /// Hands the turn to the next live waiter, intake first, or frees it.
    fn pass_on(&self) {
        let mut state = self.lock();
        while let Some(next) = state.intake.pop_front().or_else(|| state.work.pop_front()) {
            if next.send(()).is_ok() {
                return;
            }
        }
        state.held = false;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // The state is a flag and two queues, consistent after any panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A `take` in progress; gives the turn back if dropped after receiving it.
struct Waiter {
    receiver: Option<oneshot::Receiver<()>>,
    turns: Arc<Turns>,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut receiver) = self.receiver.take() {
            receiver.close();
            if receiver.try_recv().is_ok() {
                self.turns.pass_on();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_waiting_intake_goes_before_workers_that_waited_longer() {
        let turns = Arc::new(Turns::default());
        let first = turns.take(Priority::Work).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, priority) in [
            ("work 1", Priority::Work),
            ("work 2", Priority::Work),
            ("intake", Priority::Intake),
        ] {
            let (turns, order) = (turns.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = turns.take(priority).await;
                order.lock().unwrap().push(name);
            }));
            // Each waiter queues before the next is spawned.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(first);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["intake", "work 1", "work 2"]);
    }

    #[tokio::test]
    async fn a_cancelled_waiter_does_not_keep_the_turn() {
        let turns = Arc::new(Turns::default());
        let first = turns.take(Priority::Work).await;
        let cancelled = tokio::spawn({
            let turns = turns.clone();
            async move {
                let _turn = turns.take(Priority::Intake).await;
                std::future::pending::<()>().await;
            }
        });
        let waiting = {
            let turns = turns.clone();
            tokio::spawn(async move { drop(turns.take(Priority::Work).await) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        cancelled.abort();
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the turn reached the worker")
            .unwrap();
        // And the connection is free again afterwards.
        let again = tokio::time::timeout(Duration::from_secs(5), turns.take(Priority::Work)).await;
        assert!(again.is_ok());
    }
}
