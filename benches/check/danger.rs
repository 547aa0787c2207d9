//! danger-js `danger pr` on the same MR against the same fake forge, with a
//! Dangerfile holding one rule: a new Django migration fails.

use crate::measure::{ms, percentile};
use crate::world::World;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DANGERFILE: &str = r#"
const changed = [...danger.git.created_files, ...danger.git.modified_files];
const migrations = changed.filter((p) => /(^|\/)migrations\/\d{4}_[^/]*\.py$/.test(p));
if (migrations.length > 0) {
  fail(`database migrations: ${migrations.join(", ")}; this MR needs a release milestone and a downtime warning`);
}
"#;

/// `danger pr` on the world's MR, `runs` times; the median wall time, or
/// `None` (said why) when danger did not report the migration.
pub fn measure(
    danger: &str,
    world: &World,
    dir: &Path,
    runs: usize,
    delay: Option<Duration>,
) -> Option<Duration> {
    std::fs::write(dir.join("dangerfile.js"), DANGERFILE).expect("dangerfile");
    let (env, url) = world.danger_target();
    let mut times = Vec::new();
    world.reset_requests();
    for _ in 0..runs {
        let started = Instant::now();
        let output = Command::new(danger)
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["pr", &url, "--dangerfile", "dangerfile.js"])
            .output()
            .expect("danger runs");
        times.push(started.elapsed());
        let text = String::from_utf8_lossy(&output.stdout);
        if !text.contains("database migrations") {
            println!(
                "  danger-js did not report the migration: {}{}",
                text,
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
    }
    let (reads, writes) = world.requests();
    world.reset_requests();
    times.sort();
    let median = percentile(&times, 0.5);
    let latency = match delay {
        None => "loopback".to_string(),
        Some(d) => format!("{} ms per request", d.as_millis()),
    };
    println!(
        "  danger-js `danger pr`, {latency}: wall p50 {:.1} ms, min {:.1} ms over {runs} runs; \
         forge calls per run {:.1}",
        ms(median),
        ms(times[0]),
        (reads + writes) as f64 / runs as f64
    );
    Some(median)
}
