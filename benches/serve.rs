//! Benchmark: the release `schemagate serve` binary as a child process on an
//! SQLite file, the fake GitLab on loopback, signed `Merge Request Hook`s
//! (one per seeded MR; 1 in 10 adds a Django migration) in two phases:
//! a burst of N at a fixed concurrency (acknowledgement latency under
//! pressure, events per second), then a steady stream at a fixed rate
//! (event-to-applied latency when the bot keeps up; in a burst it is the
//! queue's length). Also forge calls per event and idle and peak RSS, each
//! against the targets of issue 4.
//!
//! Run with `cargo bench --bench serve`. Settings: `SCHEMAGATE_BENCH_EVENTS`
//! (burst, 2000), `SCHEMAGATE_BENCH_CONCURRENCY` (16),
//! `SCHEMAGATE_BENCH_STEADY_EVENTS` (1500), `SCHEMAGATE_BENCH_RATE` (300/s),
//! `SCHEMAGATE_BENCH_WORKERS` (4); `SCHEMAGATE_BENCH_LOG=FILE` keeps serve's log.

#[allow(dead_code)]
#[path = "../tests/integration/fake_gitlab/mod.rs"]
mod fake_gitlab;

/// The integration tests' GitLab hook builder; its `super::` items are the
/// three below. Cargo builds benches with `cfg(test)` but no test harness, so
/// the module's own tests compile without their `#[test]` functions: hence
/// `unused_imports`.
#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/support/webhooks/gitlab.rs"]
mod gitlab_hooks;

const GITLAB_SECRET: &str = "gitlab-webhook-s3cret";

/// One webhook delivery, as `gitlab_hooks` builds it.
struct Delivery {
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
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
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        n & 0xffff_ffff_ffff
    )
}

use chrono::{Days, Utc};
use fake_gitlab::{Diff, FakeGitLab, TOKEN};
use gitlab_hooks::{MrAction, merge_request};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PROJECT: &str = "lava/lava";
/// One MR in this many adds a Django migration.
const DB_EVERY: usize = 10;
/// How long after the last acknowledgement every MR must have its status.
const APPLY_TIMEOUT: Duration = Duration::from_secs(120);

struct Settings {
    /// Events of the burst phase.
    events: usize,
    /// Webhooks in flight during the burst.
    concurrency: usize,
    /// Events of the steady phase, and their rate per second.
    steady_events: usize,
    rate: usize,
    workers: usize,
}

fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a count")),
        Err(_) => default,
    }
}

fn main() {
    let settings = Settings {
        events: setting("SCHEMAGATE_BENCH_EVENTS", 2000).max(1),
        concurrency: setting("SCHEMAGATE_BENCH_CONCURRENCY", 16).max(1),
        steady_events: setting("SCHEMAGATE_BENCH_STEADY_EVENTS", 1500).max(1),
        rate: setting("SCHEMAGATE_BENCH_RATE", 300).max(1),
        workers: setting("SCHEMAGATE_BENCH_WORKERS", 4).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(settings));
}

/// The `serve` child, its log file and its address.
struct Serve {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Serve {
    fn start(dir: &std::path::Path, fake_url: &str, workers: usize) -> Serve {
        let config = format!(
            r#"
[server]
database = "sqlite://{db}"
sync_interval = "1h"

[gitlab]
url = "{fake_url}"
token_env = "SCHEMAGATE_BENCH_GITLAB_TOKEN"
webhook_secret_env = "SCHEMAGATE_BENCH_GITLAB_SECRET"

[[project]]
forge = "gitlab"
path = "{PROJECT}"
releases = {{ scheme = "calver" }}
gate = {{ require_announcement = false }}
"#,
            db = dir.join("bench.db").display()
        );
        let config_path = dir.join("schemagate.toml");
        std::fs::write(&config_path, config).expect("config written");
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemagate"))
            .arg("--config")
            .arg(&config_path)
            .args(["serve", "--listen", "127.0.0.1:0", "--workers"])
            .arg(workers.to_string())
            .env("SCHEMAGATE_BENCH_GITLAB_TOKEN", TOKEN)
            .env("SCHEMAGATE_BENCH_GITLAB_SECRET", GITLAB_SECRET)
            .stderr(Stdio::piped())
            .spawn()
            .expect("schemagate serve starts");
        // The log goes to a file, as under systemd; the address line comes back.
        let log = dir.join("serve.log");
        let mut file = std::fs::File::create(&log).expect("log file");
        let stderr = child.stderr.take().expect("piped stderr");
        let (address_sender, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("schemagate listening on ") {
                    let _ = address_sender.send(address.to_string());
                }
                let _ = writeln!(file, "{line}");
            }
        });
        let base = address
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve printed no address; log: {}", log.display()));
        Serve { child, base, log }
    }

    /// A `/proc/<pid>/status` field in kB (`VmRSS`, `VmHWM`).
    fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status of serve");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    /// CPU time (user + system) the process has used so far.
    fn cpu_time(&self) -> Duration {
        cpu_time(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Queued and running jobs, from `/metrics`.
    async fn busy_jobs(&self, http: &reqwest::Client) -> u64 {
        let text = http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("/metrics answers")
            .text()
            .await
            .expect("/metrics text");
        text.lines()
            .filter(|line| {
                line.starts_with("schemagate_queue_depth")
                    && (line.contains("\"queued\"") || line.contains("\"running\""))
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }

    /// Waits until the queue has been empty on two scrapes in a row.
    async fn wait_drained(&self, http: &reqwest::Client, timeout: Duration) {
        let started = Instant::now();
        let mut quiet = 0;
        while quiet < 2 {
            quiet = if self.busy_jobs(http).await == 0 {
                quiet + 1
            } else {
                0
            };
            if started.elapsed() > timeout {
                self.fail(&format!("the queue did not drain in {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn fail(&self, what: &str) -> ! {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!("{what}\nlast lines of the serve log:\n{}", tail.join("\n"));
    }

    /// SIGTERM, then the exit status (which must be success).
    fn stop(mut self) -> Duration {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM could not be sent");
        let exit = self.child.wait().expect("serve exits");
        if !exit.success() {
            self.fail(&format!("serve exited with {exit} after SIGTERM"));
        }
        started.elapsed()
    }
}

/// Seeds `count` open MRs (no milestone); every `DB_EVERY`th adds a migration.
/// Returns each MR's head sha, by iid - 1.
fn seed_merge_requests(fake: &FakeGitLab, project: u64, count: usize) -> Vec<String> {
    (1..=count as u64)
        .map(|iid| {
            let sha = format!("{:040x}", iid.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (path, text) = if (iid as usize).is_multiple_of(DB_EVERY) {
                (
                    format!(
                        "lava_scheduler_app/migrations/{:04}_bench_{iid}.py",
                        iid % 10_000
                    ),
                    "from django.db import migrations, models\n\n\
                     class Migration(migrations.Migration):\n    \
                     dependencies = [(\"lava_scheduler_app\", \"0041_previous\")]\n    \
                     operations = [migrations.AddField(model_name=\"testjob\", \
                     name=\"priority\", field=models.IntegerField(default=0))]\n",
                )
            } else {
                (
                    format!("lava_server/views/page_{iid}.py"),
                    "def view(request):\n    return None\n",
                )
            };
            fake.add_file(project, &sha, &path, text);
            let lines: Vec<&str> = text.lines().collect();
            fake.add_merge_request(project, iid, &sha, vec![Diff::added(&path, &lines)]);
            sha
        })
        .collect()
}

/// Sends one delivery; returns when it went out and how long the 2xx took.
async fn send(http: &reqwest::Client, base: &str, delivery: &Delivery) -> (Instant, Duration) {
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
async fn fire_burst(
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
async fn fire_paced(
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
struct Applied {
    scanned: usize,
    at: HashMap<String, Instant>,
}

impl Applied {
    fn from_mark(mark: usize) -> Applied {
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
    async fn wait_for(&mut self, fake: &FakeGitLab, serve: &Serve, shas: &[String]) {
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

/// What one phase measured.
struct Phase {
    acks: Vec<Duration>,
    to_applied: Vec<Duration>,
    /// Events over the time from the first send to the last status.
    rate: f64,
}

impl Phase {
    fn of(timings: &[(Instant, Duration)], shas: &[String], applied: &Applied) -> Phase {
        let first_send = timings.iter().map(|(sent, _)| *sent).min().expect("events");
        let applied_at: Vec<Instant> = shas.iter().map(|sha| applied.at[sha]).collect();
        let last = *applied_at.iter().max().expect("statuses");
        let mut acks: Vec<Duration> = timings.iter().map(|(_, ack)| *ack).collect();
        let mut to_applied: Vec<Duration> = timings
            .iter()
            .zip(&applied_at)
            .map(|((sent, _), at)| at.saturating_duration_since(*sent))
            .collect();
        acks.sort();
        to_applied.sort();
        Phase {
            acks,
            to_applied,
            rate: timings.len() as f64 / last.duration_since(first_send).as_secs_f64(),
        }
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// User + system CPU time from a `/proc/.../stat` file.
fn cpu_time(stat_path: &str) -> Duration {
    let stat = std::fs::read_to_string(stat_path).expect("/proc stat");
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|field| field.parse::<u64>().expect("tick count"))
        .sum();
    // The kernel reports in USER_HZ, which is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// One line of the figures table; `target` is `(text, met)`.
fn row(name: &str, value: String, target: Option<(&str, bool)>) {
    let (text, result) = match target {
        Some((text, met)) => (text, if met { "PASS" } else { "MISS" }),
        None => ("", ""),
    };
    println!("{name:<34} {value:>11}  {text:<9} {result}");
}

async fn run(settings: Settings) {
    let load_before = load_average();
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project(PROJECT);
    let today = Utc::now().date_naive();
    for (title, days) in [("2026.11", 5), ("2026.12", 40)] {
        let due = (today + Days::new(days)).format("%Y-%m-%d").to_string();
        fake.add_milestone(Some(project), None, title, "active", Some(&due));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let serve = Serve::start(dir.path(), &fake.url, settings.workers);
    let http = reqwest::Client::new();

    // The first periodic sync runs 10 s after start; let it finish on the
    // empty project so it neither overlaps the load nor pre-evaluates the MRs.
    while fake.request_mark() == 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    serve.wait_drained(&http, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kb = serve.memory_kb("VmRSS");

    let (burst_n, steady_n) = (settings.events, settings.steady_events);
    let shas = seed_merge_requests(&fake, project, burst_n + steady_n);
    let mut deliveries: Vec<Delivery> = (1..=shas.len() as u64)
        .map(|iid| merge_request(&fake, project, iid, MrAction::Open))
        .collect();
    let steady_deliveries = Arc::new(deliveries.split_off(burst_n));
    let (burst_shas, steady_shas) = shas.split_at(burst_n);
    let mark = fake.request_mark();
    let mut applied = Applied::from_mark(mark);
    let (serve_cpu_before, bench_cpu_before) = (serve.cpu_time(), cpu_time("/proc/self/stat"));

    let timings = fire_burst(&serve.base, Arc::new(deliveries), settings.concurrency).await;
    applied.wait_for(&fake, &serve, burst_shas).await;
    serve.wait_drained(&http, Duration::from_secs(120)).await;
    let burst = Phase::of(&timings, burst_shas, &applied);

    let timings = fire_paced(&serve.base, steady_deliveries, settings.rate).await;
    applied.wait_for(&fake, &serve, steady_shas).await;
    serve.wait_drained(&http, Duration::from_secs(120)).await;
    let steady = Phase::of(&timings, steady_shas, &applied);

    let serve_cpu = serve.cpu_time() - serve_cpu_before;
    let bench_cpu = cpu_time("/proc/self/stat") - bench_cpu_before;
    let peak_kb = serve.memory_kb("VmHWM");
    let after_kb = serve.memory_kb("VmRSS");
    let load_after = load_average();
    let (mut reads, mut writes) = (0usize, 0usize);
    let mut write_routes: HashMap<String, usize> = HashMap::new();
    for request in &fake.state().requests[mark..] {
        if request.method == "GET" {
            reads += 1;
        } else {
            writes += 1;
            *write_routes
                .entry(format!("{} {}", request.method, request.route))
                .or_default() += 1;
        }
    }
    if let Ok(keep) = std::env::var("SCHEMAGATE_BENCH_LOG") {
        std::fs::copy(&serve.log, &keep).expect("serve log copied");
    }
    let stop_took = serve.stop();

    let total = (burst_n + steady_n) as u32;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "serve bench: `Merge Request Hook` open events, one per MR, 1 in {DB_EVERY} adding a \
         Django migration; serve --workers {} ({profile} build) on an SQLite file; the fake \
         GitLab on loopback in the bench process",
        settings.workers
    );
    println!(
        "burst: {burst_n} events, {} in flight; steady: {steady_n} events at {} events/s",
        settings.concurrency, settings.rate
    );
    println!(
        "cores: {}; load average before {load_before}, after {load_after}",
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );
    println!(
        "{:<34} {:>11}  {:<9} result",
        "figure", "measured", "target"
    );
    let ack_p99 = percentile(&burst.acks, 0.99);
    row("burst: ack p50", ms(percentile(&burst.acks, 0.5)), None);
    row(
        "burst: ack p99",
        ms(ack_p99),
        Some(("< 10 ms", ack_p99 < Duration::from_millis(10))),
    );
    row(
        "burst: events per second",
        format!("{:.0}", burst.rate),
        Some((">= 300", burst.rate >= 300.0)),
    );
    row(
        "burst: event-to-applied p50 (queue)",
        ms(percentile(&burst.to_applied, 0.5)),
        None,
    );
    row(
        "burst: event-to-applied p99 (queue)",
        ms(percentile(&burst.to_applied, 0.99)),
        None,
    );
    let applied_p99 = percentile(&steady.to_applied, 0.99);
    row("steady: ack p50", ms(percentile(&steady.acks, 0.5)), None);
    row("steady: ack p99", ms(percentile(&steady.acks, 0.99)), None);
    row(
        "steady: event-to-applied p50",
        ms(percentile(&steady.to_applied, 0.5)),
        None,
    );
    row(
        "steady: event-to-applied p99",
        ms(applied_p99),
        Some(("< 50 ms", applied_p99 < Duration::from_millis(50))),
    );
    row(
        "forge calls per event",
        format!("{:.2}", (reads + writes) as f64 / f64::from(total)),
        None,
    );
    row(
        "  reads / writes per event",
        format!(
            "{:.2} / {:.2}",
            reads as f64 / f64::from(total),
            writes as f64 / f64::from(total)
        ),
        None,
    );
    row(
        "idle RSS",
        mb(idle_kb),
        Some(("< 30 MB", idle_kb < 30 * 1024)),
    );
    row("peak RSS (VmHWM)", mb(peak_kb), None);
    row("RSS after the load", mb(after_kb), None);
    row("serve CPU per event", ms(serve_cpu / total), None);
    row("bench + fake CPU per event", ms(bench_cpu / total), None);
    row("SIGTERM to exit 0", ms(stop_took), None);
    let mut routes: Vec<_> = write_routes.into_iter().collect();
    routes.sort_by(|a, b| b.1.cmp(&a.1));
    let routes: Vec<String> = routes
        .iter()
        .map(|(route, count)| format!("{route} ×{count}"))
        .collect();
    println!("writes: {}", routes.join(", "));
}
