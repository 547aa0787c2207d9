//! Runs `schemagate check` as CI does (a fresh process, the project's file,
//! only the token in the environment) and reports its figures.

use crate::world::World;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One `schemagate check` run on the world's MR; its exit code.
pub fn check(dir: &Path, world: &World, apply: bool) -> i32 {
    let number = world.number().to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .current_dir(dir)
        .env_clear()
        .env("FORGE_TOKEN", world.token(apply))
        .args(["check", "--project", "lava/lava", "--mr", &number]);
    command.args(["--format", "json"]);
    if apply {
        command.arg("--apply");
    }
    let output = command.output().expect("schemagate runs");
    output.status.code().unwrap_or(-1)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What one state measured.
pub struct Figures {
    pub p50: Duration,
}

/// Runs a read-only `check` `runs` times and prints the figures.
pub fn measure(
    label: &str,
    world: &World,
    dir: &Path,
    runs: usize,
    expected: i32,
    delay: Option<Duration>,
    reads_target: Option<f64>,
) -> Figures {
    let mut times = Vec::with_capacity(runs);
    world.reset_requests();
    for _ in 0..runs {
        let started = Instant::now();
        let code = check(dir, world, false);
        times.push(started.elapsed());
        assert_eq!(code, expected, "{label}: unexpected exit code");
    }
    let (reads, writes) = world.requests();
    times.sort();
    let per_check = reads as f64 / runs as f64;
    let target = match reads_target {
        Some(most) if per_check <= most => format!(" (target ≤ {most}: met)"),
        Some(most) => format!(" (target ≤ {most}: missed)"),
        None => String::new(),
    };
    let mut line = format!(
        "{label}: wall p50 {:.1} ms, p90 {:.1} ms, min {:.1} ms over {runs} runs; \
         forge reads per check {per_check:.1}{target}, writes {writes}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.9)),
        ms(times[0]),
    );
    if delay.is_some() {
        // One more run alone: its requests show how deep the reads went.
        world.reset_requests();
        assert_eq!(check(dir, world, false), expected, "{label}");
        let trips = world.round_trips();
        let verdict = if trips <= 3 { "met" } else { "missed" };
        line.push_str(&format!(
            "; round trips on the critical path {trips} (target ≤ 3: {verdict})"
        ));
    }
    println!("{line}");
    Figures {
        p50: percentile(&times, 0.5),
    }
}
