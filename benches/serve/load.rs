//! The load: webhooks sent in a closed-loop burst or at a fixed rate, and
//! when each MR's status reached the fake GitLab (the last write of an
//! evaluation), from the fake's request log.

use crate::Delivery;
use crate::child::Serve;
use crate::fake_gitlab::FakeGitLab;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long after the last acknowledgement every MR must have its status.
const APPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// Sends one delivery; returns when it went out and how long the 2xx took.
pub async fn send(http: &reqwest::Client, base: &str, delivery: &Delivery) -> (Instant, Duration) {
    let mut request = http
        .post(format!("{base}{}", delivery.path))
        .body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    let sent = Instant::now();
    let response = request.send().await.expect("serve answers");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let acknowledged = sent.elapsed();
    assert!(
        status.is_success(),
        "a webhook was refused: {status} {body}"
    );
    (sent, acknowledged)
}

fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("an HTTP client")
}

/// Closed loop: `concurrency` senders, each sending its next delivery as
/// soon as the previous one is acknowledged. Timings by index.
pub async fn fire_burst(
    base: &str,
    deliveries: Arc<Vec<Delivery>>,
    concurrency: usize,
) -> Vec<(Instant, Duration)> {
    let http = client(concurrency);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, deliveries, next) = (http.clone(), deliveries.clone(), next.clone());
            let base = base.to_string();
            tokio::spawn(async move {
                let mut timings = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(delivery) = deliveries.get(index) else {
                        return timings;
                    };
                    timings.push((index, send(&http, &base, delivery).await));
                }
            })
        })
        .collect();
    let mut all = vec![None; deliveries.len()];
    for task in tasks {
        for (index, timing) in task.await.expect("sender task") {
            all[index] = Some(timing);
        }
    }
    all.into_iter()
        .map(|t| t.expect("every event sent"))
        .collect()
}

/// Open loop: one delivery every 1/`rate` s whatever the answers, as a
/// forge sends them. Timings by index.
pub async fn fire_paced(
    base: &str,
    deliveries: Arc<Vec<Delivery>>,
    rate: usize,
) -> Vec<(Instant, Duration)> {
    let http = client(32);
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let mut tasks = Vec::with_capacity(deliveries.len());
    for index in 0..deliveries.len() {
        ticks.tick().await;
        let (http, deliveries, base) = (http.clone(), deliveries.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            send(&http, &base, &deliveries[index]).await
        }));
    }
    let mut all = Vec::with_capacity(tasks.len());
    for task in tasks {
        all.push(task.await.expect("sender task"));
    }
    all
}

/// Each sha's first status write the fake received, as the request log says.
pub struct Applied {
    scanned: usize,
    pub at: HashMap<String, Instant>,
}

impl Applied {
    pub fn from_mark(mark: usize) -> Applied {
        Applied {
            scanned: mark,
            at: HashMap::new(),
        }
    }

    fn collect(&mut self, fake: &FakeGitLab) {
        let state = fake.state();
        for request in &state.requests[self.scanned..] {
            if request.method == "POST" && request.route.ends_with("/statuses/{sha}") {
                let path = request.uri.split('?').next().unwrap_or_default();
                let sha = path.rsplit('/').next().unwrap_or_default();
                self.at.entry(sha.to_string()).or_insert(request.at);
            }
        }
        self.scanned = state.requests.len();
    }

    /// Waits until every sha has a status; fails loudly when one never comes.
    pub async fn wait_for(&mut self, fake: &FakeGitLab, serve: &Serve, shas: &[String]) {
        let started = Instant::now();
        loop {
            self.collect(fake);
            let missing: Vec<usize> = (0..shas.len())
                .filter(|i| !self.at.contains_key(&shas[*i]))
                .collect();
            if missing.is_empty() {
                return;
            }
            if started.elapsed() > APPLY_TIMEOUT {
                serve.fail(&format!(
                    "EVENTS LOST: {} of {} MRs have no status {APPLY_TIMEOUT:?} after the last \
                     acknowledgement (first missing: {:?})",
                    missing.len(),
                    shas.len(),
                    &missing[..missing.len().min(20)]
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
