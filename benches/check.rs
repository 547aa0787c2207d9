//! Benchmark: the release `schemagate check` binary against the fake GitLab
//! on loopback, on one database-change MR in two states: settled (labelled
//! and in the only batch, so its history is not needed) and moved by a
//! person to the next release (its milestone history is read). Prints the wall
//! time per check (a fresh process each time, as in CI) and the forge calls
//! per check, against the targets of issue 10 (≤ 5 forge reads).
//!
//! Then, for comparison, the same MR through danger-js (`danger pr`) with a
//! Dangerfile holding one migration-path rule, when
//! `SCHEMAGATE_BENCH_DANGER` names its binary
//! (`npm install --prefix target/danger danger`, then
//! `SCHEMAGATE_BENCH_DANGER=target/danger/node_modules/.bin/danger`).
//!
//! Run with `cargo bench --bench check`; `SCHEMAGATE_BENCH_RUNS` (default 30)
//! sets the runs per state.

#[allow(dead_code)]
#[path = "../tests/integration/fake_gitlab/mod.rs"]
mod fake_gitlab;

use chrono::{Days, Utc};
use fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use std::process::Command;
use std::time::{Duration, Instant};

const MIGRATION: &str = "app/migrations/0042_add_field.py";

fn due(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn config(url: &str) -> String {
    format!(
        "[gitlab]\nurl = \"{url}\"\ntoken_env = \"GL_TOKEN\"\n\n[[project]]\nforge = \"gitlab\"\n\
         path = \"lava/lava\"\nrule_packs = [\"django\"]\nreleases = {{ scheme = \"calver\" }}\n\
         gate = {{ require_announcement = false }}\n"
    )
}

/// One `schemagate check` run; its exit code.
fn check(dir: &std::path::Path, token: &str, apply: bool) -> i32 {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .current_dir(dir)
        .env_clear()
        .env("GL_TOKEN", token)
        .args([
            "check",
            "--project",
            "lava/lava",
            "--mr",
            "1",
            "--format",
            "json",
        ]);
    if apply {
        command.arg("--apply");
    }
    let output = command.output().expect("schemagate runs");
    output.status.code().unwrap_or(-1)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Runs `check` `runs` times and prints the figures; the median wall time.
fn measure(
    label: &str,
    fake: &FakeGitLab,
    dir: &std::path::Path,
    runs: usize,
    expected: i32,
) -> Duration {
    let mut times = Vec::with_capacity(runs);
    fake.reset_requests();
    for _ in 0..runs {
        let started = Instant::now();
        let code = check(dir, READ_ONLY_TOKEN, false);
        times.push(started.elapsed());
        assert_eq!(code, expected, "{label}: unexpected exit code");
    }
    let (reads, writes) = {
        let state = fake.state();
        let reads = state.requests.iter().filter(|r| r.method == "GET").count();
        (reads, state.requests.len() - reads)
    };
    times.sort();
    let per_check = reads as f64 / runs as f64;
    let verdict = if per_check <= 5.0 { "met" } else { "missed" };
    println!(
        "{label}: wall p50 {:.1} ms, p90 {:.1} ms, min {:.1} ms over {runs} runs; \
         forge reads per check {per_check:.1} (target ≤ 5: {verdict}), writes {writes}",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.9).as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
    percentile(&times, 0.5)
}

/// The one rule the comparison gives danger-js: a new Django migration fails.
const DANGERFILE: &str = r#"
const changed = [...danger.git.created_files, ...danger.git.modified_files];
const migrations = changed.filter((p) => /(^|\/)migrations\/\d{4}_[^/]*\.py$/.test(p));
if (migrations.length > 0) {
  fail(`database migrations: ${migrations.join(", ")}; this MR needs a release milestone and a downtime warning`);
}
"#;

/// `danger pr` on the MR, `runs` times; the median wall time, or why not.
fn measure_danger(
    danger: &str,
    fake: &FakeGitLab,
    dir: &std::path::Path,
    runs: usize,
) -> Option<Duration> {
    std::fs::write(dir.join("dangerfile.js"), DANGERFILE).expect("dangerfile");
    let url = format!("{}/lava/lava/-/merge_requests/1", fake.url);
    let mut times = Vec::new();
    fake.reset_requests();
    for _ in 0..runs {
        let started = Instant::now();
        let output = Command::new(danger)
            .current_dir(dir)
            .env("DANGER_GITLAB_HOST", &fake.url)
            .env("DANGER_GITLAB_API_TOKEN", READ_ONLY_TOKEN)
            .args(["pr", &url, "--dangerfile", "dangerfile.js"])
            .output()
            .expect("danger runs");
        times.push(started.elapsed());
        let text = String::from_utf8_lossy(&output.stdout);
        if !text.contains("database migrations") {
            println!(
                "danger-js did not report the migration: {}{}",
                text,
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
    }
    let calls = fake.state().requests.len();
    times.sort();
    let median = percentile(&times, 0.5);
    println!(
        "danger-js `danger pr`: wall p50 {:.1} ms, min {:.1} ms over {runs} runs; forge calls per run {:.1}",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        calls as f64 / runs as f64
    );
    Some(median)
}

fn main() {
    let runs: usize = std::env::var("SCHEMAGATE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fake = runtime.block_on(FakeGitLab::start());
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    let next = fake.add_milestone(Some(project), None, "2026.11", "active", Some(&due(5)));
    fake.add_milestone(Some(project), None, "2026.12", "active", Some(&due(40)));
    let lines = [
        "from django.db import migrations, models",
        "class Migration(migrations.Migration):",
        "    operations = [migrations.AddField(model_name=\"job\", name=\"p\", field=models.IntegerField(default=0))]",
    ];
    let sha = "a000000000000000000000000000000000000001";
    fake.add_merge_request(project, 1, sha, vec![Diff::added(MIGRATION, &lines)]);
    fake.add_file(project, sha, MIGRATION, &lines.join("\n"));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("schemagate.toml"), config(&fake.url)).expect("config");

    // The bot places the MR once, as the server (or `check --apply`) would.
    assert_eq!(check(dir.path(), TOKEN, true), 1);
    let settled = measure(
        "settled database change (blocked)",
        &fake,
        dir.path(),
        runs,
        1,
    );
    match std::env::var("SCHEMAGATE_BENCH_DANGER") {
        Ok(danger) => {
            if let Some(danger_median) = measure_danger(&danger, &fake, dir.path(), 5) {
                let ratio = danger_median.as_secs_f64() / settled.as_secs_f64();
                let verdict = if ratio >= 20.0 { "met" } else { "missed" };
                println!("check is {ratio:.0}x faster than danger-js (target ≥ 20x: {verdict})");
            }
        }
        Err(_) => {
            println!("danger-js: skipped (set SCHEMAGATE_BENCH_DANGER to its binary to compare)")
        }
    }

    // A person moves it to the next release, which then becomes the batch:
    // who placed it decides whether the bot would move it, so the milestone
    // history is read.
    fake.person_sets_milestone(project, 1, Some(next));
    measure(
        "person moved it to the next release (passes)",
        &fake,
        dir.path(),
        runs,
        0,
    );
}
