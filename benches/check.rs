//! Benchmark: the release `schemagate check` binary against the fake GitLab
//! on loopback, on one database-change MR in two states: settled (labelled
//! and in the only batch, so its history is not needed) and moved by a
//! person to the next release (its milestone history is read). Prints the wall
//! time per check (a fresh process each time, as in CI) and the forge calls
//! per check, against the targets of issue 10 (≤ 5 forge reads).
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

fn measure(label: &str, fake: &FakeGitLab, dir: &std::path::Path, runs: usize, expected: i32) {
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
    measure(
        "settled database change (blocked)",
        &fake,
        dir.path(),
        runs,
        1,
    );

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
