//! Benchmark: the release `schemagate check` binary against the fake GitLab
//! and the fake GitHub, on one database-change MR in two states: new
//! (unlabelled and in no release, as at its first pipeline; its history is
//! read) and settled (labelled and in the only batch by the bot's
//! `--apply`, so its history is not needed). Each state runs on
//! loopback and with every answer `SCHEMAGATE_BENCH_LATENCY_MS` (default 50)
//! late, as from a hosted CI runner to a forge across the internet. Prints
//! the wall time per check (a fresh process each time, as in CI), the forge
//! calls per check and, with the latency, the round trips on the critical
//! path (on loopback requests hardly overlap in time), against the
//! targets of issues 10 and 20 (at most 5 reads for a settled MR, at most
//! 3 round trips).
//!
//! Then, for comparison, the same MR through danger-js (`danger pr`) with a
//! Dangerfile holding one migration-path rule, when
//! `SCHEMAGATE_BENCH_DANGER` names its binary
//! (`npm install --prefix target/danger danger`, then
//! `SCHEMAGATE_BENCH_DANGER=target/danger/node_modules/.bin/danger`):
//! targets at least 20x faster on loopback, at least 5x with the latency.
//!
//! Run with `cargo bench --bench check`; `SCHEMAGATE_BENCH_RUNS` (default
//! 30) sets the runs per state and latency, `SCHEMAGATE_BENCH_DANGER_RUNS`
//! (default 5) danger's.

#[allow(dead_code)]
#[path = "../../tests/integration/fake_github/mod.rs"]
mod fake_github;
#[allow(dead_code)]
#[path = "../../tests/integration/fake_gitlab/mod.rs"]
mod fake_gitlab;

mod danger;
mod measure;
mod world;

use measure::{Figures, check, measure};
use std::time::Duration;
use world::World;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one latency is called in the output.
fn latency_name(delay: Option<Duration>) -> String {
    match delay {
        None => "loopback".to_string(),
        Some(d) => format!("{} ms per request", d.as_millis()),
    }
}

/// `check` is `ratio`x faster than danger-js; the target for this latency.
fn compare(forge: &str, state: &str, delay: Option<Duration>, ours: &Figures, danger: Duration) {
    let ratio = danger.as_secs_f64() / ours.p50.as_secs_f64();
    let target = if delay.is_some() { 5.0 } else { 20.0 };
    let verdict = if ratio >= target { "met" } else { "missed" };
    println!(
        "  {forge}, {state}, {}: check is {ratio:.1}x faster than danger-js \
         (target ≥ {target}x: {verdict})",
        latency_name(delay)
    );
}

fn main() {
    let runs = setting("SCHEMAGATE_BENCH_RUNS", 30) as usize;
    let danger_runs = setting("SCHEMAGATE_BENCH_DANGER_RUNS", 5) as usize;
    let latency = Duration::from_millis(setting("SCHEMAGATE_BENCH_LATENCY_MS", 50));
    let danger = std::env::var("SCHEMAGATE_BENCH_DANGER").ok();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for delay in [None, Some(latency)] {
        // A fresh forge per latency: the first state is an MR no one placed yet.
        for world in [
            runtime.block_on(World::gitlab()),
            runtime.block_on(World::github()),
        ] {
            run_states(&world, delay, runs, danger.as_deref(), danger_runs);
        }
    }
}

/// Both states of the world's MR at one latency, and danger-js beside them.
fn run_states(
    world: &World,
    delay: Option<Duration>,
    runs: usize,
    danger: Option<&str>,
    danger_runs: usize,
) {
    let forge = world.name();
    let at = latency_name(delay);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("schemagate.toml"), world.config()).expect("config");
    world.set_delay(delay);
    // The first pipeline of a new MR: unlabelled, in no release, so who
    // labels and places it matters and its history is read.
    let label = format!("{forge}, new database change (blocked), {at}");
    let new = measure(&label, world, dir.path(), runs, 1, delay, None);
    let theirs =
        danger.and_then(|binary| danger::measure(binary, world, dir.path(), danger_runs, delay));
    // The bot places the MR once, as the server (or `check --apply`) would:
    // then its label and milestone say all.
    assert_eq!(check(dir.path(), world, true), 1, "{forge}: --apply");
    let label = format!("{forge}, settled database change (blocked), {at}");
    let settled = measure(&label, world, dir.path(), runs, 1, delay, Some(5.0));
    match theirs {
        Some(theirs) => {
            compare(forge, "new", delay, &new, theirs);
            compare(forge, "settled", delay, &settled, theirs);
        }
        None if danger.is_none() => {
            println!("  danger-js: skipped (set SCHEMAGATE_BENCH_DANGER to its binary to compare)")
        }
        None => {}
    }
}
