//! Store statements per event: a second `serve` on a fresh SQLite file with
//! sqlx's statement log on (`RUST_LOG=sqlx::query=debug`) takes a burst of
//! events, and its log lines are counted. Only this phase logs statements,
//! so the timings of the other phases are not disturbed by it.

use crate::Delivery;
use crate::child::Serve;
use crate::load::fire_burst;
use std::sync::Arc;
use std::time::Duration;

/// What the counted phase found.
pub struct Statements {
    pub events: usize,
    /// Statements the events and their jobs ran (the queue-depth reads of
    /// the bench's own `/metrics` scrapes excluded).
    pub statements: usize,
}

fn counted(log: &str) -> usize {
    log.lines()
        .filter(|line| line.contains("sqlx::query"))
        // The bench's `/metrics` scrapes, not the events' work.
        .filter(|line| !line.contains("COUNT(CASE"))
        .count()
}

/// Starts the counting `serve` on `crate::COUNTED_PROJECT`, sends
/// `warm_up` (the project's first database change, which re-evaluates the
/// project) before the mark, then `deliveries`.
pub async fn count(
    dir: &std::path::Path,
    fake_url: &str,
    warm_up: Delivery,
    deliveries: Vec<Delivery>,
    workers: usize,
) -> Statements {
    let serve = Serve::start_logging(
        dir,
        fake_url,
        crate::COUNTED_PROJECT,
        workers,
        "warn,sqlx::query=debug",
    );
    let http = reqwest::Client::new();
    fire_burst(&serve.base, Arc::new(vec![warm_up]), 1).await;
    serve.wait_drained(&http, Duration::from_secs(60)).await;
    // The log reaches its file through a thread: let it catch up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = counted(&std::fs::read_to_string(&serve.log).unwrap_or_default());
    let events = deliveries.len();
    fire_burst(&serve.base, Arc::new(deliveries), 16).await;
    serve.wait_drained(&http, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = counted(&std::fs::read_to_string(&serve.log).unwrap_or_default());
    serve.stop();
    Statements {
        events,
        statements: after - before,
    }
}
