//! Benchmark: the release `schemagate serve` binary as a child process on an
//! SQLite file, the fake GitLab on loopback, N signed `Merge Request Hook`s
//! (one per seeded MR; 1 in 10 adds a Django migration) fired at a fixed
//! concurrency. Prints acknowledgement and event-to-applied latency, events
//! per second, forge calls per event, and idle and peak RSS against the
//! targets of issue 4. Run with `cargo bench --bench serve`; override the
//! load with `SCHEMAGATE_BENCH_EVENTS`, `SCHEMAGATE_BENCH_CONCURRENCY` and
//! `SCHEMAGATE_BENCH_WORKERS`; `SCHEMAGATE_BENCH_LOG=FILE` keeps serve's log.

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
    events: usize,
    concurrency: usize,
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

/// When each event was sent and how long its acknowledgement took, by index.
async fn fire(
    base: &str,
    deliveries: Vec<Delivery>,
    concurrency: usize,
) -> Vec<(Instant, Duration)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("an HTTP client");
    let deliveries = Arc::new(deliveries);
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
                        "webhook {index} refused: {status} {body}"
                    );
                    timings.push((index, sent, acknowledged));
                }
            })
        })
        .collect();
    let mut all = vec![None; deliveries.len()];
    for task in tasks {
        for (index, sent, acknowledged) in task.await.expect("sender task") {
            all[index] = Some((sent, acknowledged));
        }
    }
    all.into_iter()
        .map(|t| t.expect("every event sent"))
        .collect()
}

/// The first status write the fake received for each sha, scanning its
/// request log from `scanned` on.
fn collect_statuses(
    fake: &FakeGitLab,
    scanned: &mut usize,
    applied: &mut HashMap<String, Instant>,
) {
    let state = fake.state();
    for request in &state.requests[*scanned..] {
        if request.method == "POST" && request.route.ends_with("/statuses/{sha}") {
            let path = request.uri.split('?').next().unwrap_or_default();
            let sha = path.rsplit('/').next().unwrap_or_default();
            applied.entry(sha.to_string()).or_insert(request.at);
        }
    }
    *scanned = state.requests.len();
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
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

    let shas = seed_merge_requests(&fake, project, settings.events);
    let deliveries: Vec<Delivery> = (1..=settings.events as u64)
        .map(|iid| merge_request(&fake, project, iid, MrAction::Open))
        .collect();
    let mark = fake.request_mark();
    let (serve_cpu_before, bench_cpu_before) = (serve.cpu_time(), cpu_time("/proc/self/stat"));
    let mut scanned = mark;
    let mut applied = HashMap::new();

    let timings = fire(&serve.base, deliveries, settings.concurrency).await;
    let last_ack = Instant::now();
    while applied.len() < settings.events {
        collect_statuses(&fake, &mut scanned, &mut applied);
        if last_ack.elapsed() > APPLY_TIMEOUT {
            let missing: Vec<usize> = (0..settings.events)
                .filter(|i| !applied.contains_key(&shas[*i]))
                .map(|i| i + 1)
                .take(20)
                .collect();
            serve.fail(&format!(
                "EVENTS LOST: {} of {} MRs have no status {APPLY_TIMEOUT:?} after the last \
                 acknowledgement (first missing iids: {missing:?})",
                settings.events - applied.len(),
                settings.events
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    serve.wait_drained(&http, Duration::from_secs(120)).await;
    let drained = Instant::now();
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
    let first_send = timings.iter().map(|(sent, _)| *sent).min().expect("events");
    let last_applied = applied.values().max().copied().expect("statuses");
    let mut acks: Vec<Duration> = timings.iter().map(|(_, ack)| *ack).collect();
    let mut to_applied: Vec<Duration> = timings
        .iter()
        .zip(&shas)
        .map(|((sent, _), sha)| applied[sha].saturating_duration_since(*sent))
        .collect();
    acks.sort();
    to_applied.sort();
    if let Ok(keep) = std::env::var("SCHEMAGATE_BENCH_LOG") {
        std::fs::copy(&serve.log, &keep).expect("serve log copied");
    }
    let stop_took = serve.stop();

    let n = settings.events;
    let rate = n as f64 / last_applied.duration_since(first_send).as_secs_f64();
    let (ack_p99, applied_p99) = (percentile(&acks, 0.99), percentile(&to_applied, 0.99));
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "serve bench: {n} `Merge Request Hook` open events, one per MR, 1 in {DB_EVERY} adding a \
         Django migration ({} DB, {} plain); {} in flight; serve --workers {}; SQLite file store \
         (WAL); {profile} build; fake GitLab on loopback in the bench process",
        n / DB_EVERY,
        n - n / DB_EVERY,
        settings.concurrency,
        settings.workers
    );
    println!(
        "cores: {}; load average before {load_before}, after {load_after}",
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );
    println!(
        "{:<28} {:>12}  {:<10} result",
        "figure", "measured", "target"
    );
    let row = |name: &str, value: String, target: &str, pass: Option<bool>| {
        let result = pass.map_or("", verdict);
        println!("{name:<28} {value:>12}  {target:<10} {result}");
    };
    row("ack p50", ms(percentile(&acks, 0.5)), "", None);
    row(
        "ack p99",
        ms(ack_p99),
        "< 10 ms",
        Some(ack_p99 < Duration::from_millis(10)),
    );
    row(
        "event-to-applied p50",
        ms(percentile(&to_applied, 0.5)),
        "",
        None,
    );
    row(
        "event-to-applied p99",
        ms(applied_p99),
        "< 50 ms",
        Some(applied_p99 < Duration::from_millis(50)),
    );
    row(
        "events per second",
        format!("{rate:.0}"),
        ">= 300",
        Some(rate >= 300.0),
    );
    row(
        "forge calls per event",
        format!("{:.2}", (reads + writes) as f64 / n as f64),
        "",
        None,
    );
    row(
        "  reads per event",
        format!("{:.2}", reads as f64 / n as f64),
        "",
        None,
    );
    row(
        "  writes per event",
        format!("{:.2}", writes as f64 / n as f64),
        "",
        None,
    );
    row(
        "idle RSS",
        format!("{:.1} MB", idle_kb as f64 / 1024.0),
        "< 30 MB",
        Some(idle_kb < 30 * 1024),
    );
    row(
        "peak RSS (VmHWM)",
        format!("{:.1} MB", peak_kb as f64 / 1024.0),
        "",
        None,
    );
    row(
        "RSS after the load",
        format!("{:.1} MB", after_kb as f64 / 1024.0),
        "",
        None,
    );
    row(
        "all follow-up work drained",
        format!("{:.2} s", drained.duration_since(first_send).as_secs_f64()),
        "",
        None,
    );
    row("SIGTERM to exit 0", ms(stop_took), "", None);
    row("serve CPU per event", ms(serve_cpu / n as u32), "", None);
    row(
        "bench+fake CPU per event",
        ms(bench_cpu / n as u32),
        "",
        None,
    );
    let mut routes: Vec<_> = write_routes.into_iter().collect();
    routes.sort_by(|a, b| b.1.cmp(&a.1));
    let routes: Vec<String> = routes
        .iter()
        .map(|(route, count)| format!("{route} ×{count}"))
        .collect();
    println!("writes: {}", routes.join(", "));
}
