//! Benchmark: the release `schemagate serve` binary as a child process on an
//! SQLite file, the fake GitLab on loopback, signed `Merge Request Hook`s
//! (one per seeded MR; 1 in 10 adds a Django migration) in two phases:
//! a burst of N at a fixed concurrency (acknowledgement latency under
//! pressure, events per second), then a steady stream at a fixed rate
//! (event-to-applied latency when the bot keeps up; in a burst it is the
//! queue's length), then a soak of many more events (RSS and store size
//! over time). Also forge calls and store statements per event and idle
//! and peak RSS, each against the targets of issues 4 and 11.
//!
//! Run with `cargo bench --bench serve`. Settings: `SCHEMAGATE_BENCH_EVENTS`
//! (burst, 2000), `SCHEMAGATE_BENCH_CONCURRENCY` (16),
//! `SCHEMAGATE_BENCH_STEADY_EVENTS` (1500), `SCHEMAGATE_BENCH_RATE` (300/s),
//! `SCHEMAGATE_BENCH_WORKERS` (4), `SCHEMAGATE_BENCH_SOAK` (100000; 0 skips
//! it) at `SCHEMAGATE_BENCH_SOAK_RATE` (150/s); `SCHEMAGATE_BENCH_LOG=FILE` keeps serve's log.

#[allow(dead_code)]
#[path = "../../tests/integration/fake_gitlab/mod.rs"]
mod fake_gitlab;

/// The integration tests' GitLab hook builder; its `super::` items are the
/// three below. Cargo builds benches with `cfg(test)` but no test harness, so
/// the module's own tests compile without their `#[test]` functions: hence
/// `unused_imports`.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/integration/support/webhooks/gitlab.rs"]
mod gitlab_hooks;

include!("../shared/hooks_glue.rs");

mod child;
mod load;
mod report;
mod soak;
mod statements;

use child::{Serve, cpu_time};
use chrono::{Days, Utc};
use fake_gitlab::{Diff, FakeGitLab};
use gitlab_hooks::{MrAction, merge_request};
use load::{Applied, fire_burst, fire_paced};
use report::{Figures, Phase, load_average};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const PROJECT: &str = "lava/lava";
/// The statement-counting phase's project.
const COUNTED_PROJECT: &str = "lava/counted";
/// One MR in this many adds a Django migration.
const DB_EVERY: usize = 10;

struct Settings {
    /// Events of the burst phase.
    events: usize,
    /// Webhooks in flight during the burst.
    concurrency: usize,
    /// Events of the steady phase, and their rate per second.
    steady_events: usize,
    rate: usize,
    workers: usize,
    /// Events of the soak, and their rate per second.
    soak: usize,
    soak_rate: usize,
}

/// The MR whose database change makes the batch before the load.
const WARM_UP_IID: u64 = 1_000_000;
/// Events of the statement-counting phase.
const COUNTED_EVENTS: usize = 200;

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
        soak: setting("SCHEMAGATE_BENCH_SOAK", 100_000),
        soak_rate: setting("SCHEMAGATE_BENCH_SOAK_RATE", 150).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(settings));
}

/// A project with LAVA's next two releases: 2026.11 (due in 5 days) and
/// 2026.12 (in 40, where the batch goes).
fn add_project(fake: &FakeGitLab, path: &str) -> u64 {
    let project = fake.add_project(path);
    let today = Utc::now().date_naive();
    for (title, days) in [("2026.11", 5), ("2026.12", 40)] {
        let due = (today + Days::new(days)).format("%Y-%m-%d").to_string();
        fake.add_milestone(Some(project), None, title, "active", Some(&due));
    }
    project
}

/// Seeds `count` open MRs (no milestone); every `DB_EVERY`th adds a migration.
/// Returns each MR's head sha, by iid - 1.
fn seed_merge_requests(fake: &FakeGitLab, project: u64, count: usize) -> Vec<String> {
    (1..=count as u64)
        .map(|iid| seed_merge_request(fake, project, iid, (iid as usize).is_multiple_of(DB_EVERY)))
        .collect()
}

/// Seeds one open MR, adding a Django migration when `db_change`; returns its head sha.
fn seed_merge_request(fake: &FakeGitLab, project: u64, iid: u64, db_change: bool) -> String {
    let sha = format!("{:040x}", iid.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (path, text) = if db_change {
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
}

async fn run(settings: Settings) {
    let load_before = load_average();
    let fake = Arc::new(FakeGitLab::start().await);
    fake.add_group("lava");
    let project = add_project(&fake, PROJECT);
    let dir = tempfile::tempdir().expect("temp dir");
    let serve = Serve::start(dir.path(), &fake.url, PROJECT, settings.workers);
    let http = reqwest::Client::new();

    // The first periodic sync runs 10 s after start; let it finish on the
    // empty project so it neither overlaps the load nor pre-evaluates the MRs.
    while fake.request_mark() == 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    serve.wait_drained(&http, Duration::from_secs(60)).await;
    // A batch exists before the load, as it does most of a project's life:
    // the first database change, which makes 2026.12 a batch and so
    // re-evaluates every open MR, is not part of what is measured.
    let warm_up = WARM_UP_IID;
    seed_merge_request(&fake, project, warm_up, true);
    let first_batch = merge_request(&fake, project, warm_up, MrAction::Open);
    fire_burst(&serve.base, Arc::new(vec![first_batch]), 1).await;
    serve.wait_drained(&http, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kb = serve.memory_kb("VmRSS");

    let (burst_n, steady_n) = (settings.events, settings.steady_events);
    let shas = seed_merge_requests(&fake, project, burst_n + steady_n);
    let mut deliveries: Vec<Delivery> = (1..=(burst_n + steady_n) as u64)
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
    let soak = (settings.soak > 0).then_some(settings.soak);
    let soak = match soak {
        Some(events) => {
            let database = dir.path().join("bench.db");
            let mrs = (burst_n + steady_n) as u64;
            let soak = soak::run(
                &serve,
                &fake,
                project,
                mrs,
                events,
                settings.soak_rate,
                &database,
            )
            .await;
            // The soak is acknowledged faster than it is worked: the backlog waits in the store.
            let drain = Duration::from_secs(60 + events as u64 / 50);
            serve.wait_drained(&http, drain).await;
            Some(soak)
        }
        None => None,
    };
    if let Ok(keep) = std::env::var("SCHEMAGATE_BENCH_LOG") {
        std::fs::copy(&serve.log, &keep).expect("serve log copied");
    }
    let stop_took = serve.stop();
    // Counted on a project of its own, with a batch made first as above.
    let counted_dir = tempfile::tempdir().expect("temp dir");
    let counted_project = add_project(&fake, COUNTED_PROJECT);
    seed_merge_request(&fake, counted_project, WARM_UP_IID, true);
    let warm_up = merge_request(&fake, counted_project, WARM_UP_IID, MrAction::Open);
    seed_merge_requests(&fake, counted_project, COUNTED_EVENTS);
    let counted_events = (1..=COUNTED_EVENTS as u64)
        .map(|iid| merge_request(&fake, counted_project, iid, MrAction::Open))
        .collect();
    let counted = statements::count(
        counted_dir.path(),
        &fake.url,
        warm_up,
        counted_events,
        settings.workers,
    )
    .await;

    report::print(&Figures {
        burst_events: burst_n,
        steady_events: steady_n,
        concurrency: settings.concurrency,
        rate: settings.rate,
        workers: settings.workers,
        db_every: DB_EVERY,
        load_before,
        load_after,
        burst,
        steady,
        reads,
        writes,
        write_routes,
        idle_kb,
        peak_kb,
        after_kb,
        serve_cpu,
        bench_cpu,
        stop_took,
        soak,
        counted,
    });
}
