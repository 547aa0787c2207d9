//! The soak: many events (default 100,000) over the MRs the earlier phases
//! opened, each a fresh delivery of an "open" event (the bot re-reads the
//! MR and finds nothing to write) at a fixed rate below what the bot works,
//! built as they are sent so the bench holds none of them. Samples serve's RSS and the store's file
//! size (database plus WAL) as it goes: with `server.retention = "30s"`,
//! old done jobs and deliveries are pruned while the load runs.

use crate::child::Serve;
use crate::fake_gitlab::FakeGitLab;
use crate::gitlab_hooks::{MrAction, merge_request};
use crate::load::send;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One look at serve while the soak runs.
pub struct Sample {
    /// Events acknowledged so far.
    pub acknowledged: usize,
    pub rss_kb: u64,
    pub store_bytes: u64,
}

pub struct Soak {
    pub events: usize,
    pub rate: usize,
    pub took: Duration,
    pub samples: Vec<Sample>,
}

/// The store's size on disk: the SQLite file and its write-ahead log.
pub fn store_bytes(database: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", database.display()));
    [database.to_path_buf(), wal]
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|meta| meta.len())
        .sum()
}

pub async fn run(
    serve: &Serve,
    fake: &Arc<FakeGitLab>,
    project: u64,
    merge_requests: u64,
    events: usize,
    rate: usize,
    database: &Path,
) -> Soak {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(16)
        .build()
        .expect("an HTTP client");
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    // Paced below what the bot works, so the store holds only the
    // retention's worth of done work, not a backlog.
    let pacer = {
        let (http, acknowledged) = (http.clone(), acknowledged.clone());
        let (fake, base) = (fake.clone(), serve.base.clone());
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            let mut sends = Vec::with_capacity(events);
            for index in 0..events {
                ticks.tick().await;
                let iid = index as u64 % merge_requests + 1;
                let delivery = merge_request(&fake, project, iid, MrAction::Open);
                let (http, base, acknowledged) = (http.clone(), base.clone(), acknowledged.clone());
                sends.push(tokio::spawn(async move {
                    send(&http, &base, &delivery).await;
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                }));
            }
            for sent in sends {
                sent.await.expect("soak send");
            }
        })
    };
    let mut samples = Vec::new();
    let every = (events / 10).max(1);
    let mut next_sample = every;
    while next_sample <= events {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let done = acknowledged.load(Ordering::Relaxed);
        if done >= next_sample {
            samples.push(Sample {
                acknowledged: done,
                rss_kb: serve.memory_kb("VmRSS"),
                store_bytes: store_bytes(database),
            });
            next_sample += every;
        }
    }
    pacer.await.expect("soak pacer");
    Soak {
        events,
        rate,
        took: started.elapsed(),
        samples,
    }
}
