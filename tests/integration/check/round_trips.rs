//! `check` reads in at most three round trips, one after another, on both
//! forges and whatever the MR's state (issue 20): with every answer delayed
//! well beyond the client's own work, the fake records when each request
//! arrived and when its answer left, and the longest chain of requests each
//! sent after the previous was answered is the critical path. Counted, not
//! timed: a loaded machine makes a check slower, not deeper. The writes of
//! `--apply` come after the reads and are not counted.

use super::{MIGRATION, due, migration_lines, project, seed_github};
use crate::fake_github::FakeGitHub;
use crate::fake_github::state::Access;
use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use crate::support::check::run_check;
use std::time::Duration;

/// Far above the client's own work between two requests, so requests sent
/// side by side always overlap and dependent ones never do.
const DELAY: Duration = Duration::from_millis(250);

/// The most round trips a check's reads may take.
const MOST: usize = 3;

/// Where a check's reads end: its first write, or the label lookup that
/// begins the writes (GitLab creates the label only when it is missing).
fn writing(method: &str, route: &str) -> bool {
    method != "GET" || route.ends_with("/labels/{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gitlab_check_reads_in_at_most_three_round_trips_in_every_state() {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project_id = fake.add_project("lava/lava");
    let next = fake.add_milestone(Some(project_id), None, "2026.11", "active", Some(&due(5)));
    fake.add_milestone(Some(project_id), None, "2026.12", "active", Some(&due(40)));
    let lines = migration_lines();
    let sha = "a000000000000000000000000000000000000001";
    fake.add_merge_request(project_id, 1, sha, vec![Diff::added(MIGRATION, &lines)]);
    fake.add_file(project_id, sha, MIGRATION, &lines.join("\n"));
    let config = format!(
        "[gitlab]\nurl = \"{}\"\ntoken_env = \"GL_TOKEN\"\n\n{}",
        fake.url,
        project("gitlab")
    );
    fake.set_delay(Some(DELAY));
    let check = |token: &'static str, apply: bool| {
        let config = config.clone();
        let fake = &fake;
        async move {
            fake.reset_requests();
            let mut args = vec!["--project", "lava/lava", "--mr", "1", "--format", "json"];
            if apply {
                args.push("--apply");
            }
            let run = run_check(Some(&config), &[("GL_TOKEN", token)], &args).await;
            assert!(run.code == 0 || run.code == 1, "{run:?}");
            let report = run.json();
            (fake.round_trips_before(writing), report)
        }
    };

    let (depth, report) = check(READ_ONLY_TOKEN, false).await;
    assert_eq!(report["verdict"], "failure", "{report}");
    assert!(depth <= MOST, "a new database change: {depth} round trips");

    // A person puts it in the next release: who did decides the verdict.
    fake.person_sets_milestone(project_id, 1, Some(next));
    let (depth, report) = check(READ_ONLY_TOKEN, false).await;
    assert_eq!(report["history_read"], true, "{report}");
    assert!(depth <= MOST, "placed by a person: {depth} round trips");

    let (depth, report) = check(TOKEN, true).await;
    assert!(report["writes"].as_u64().unwrap() > 0, "{report}");
    assert!(depth <= MOST, "--apply: {depth} round trips before writing");

    let (depth, report) = check(READ_ONLY_TOKEN, false).await;
    assert_eq!(report["history_read"], false, "{report}");
    assert!(depth <= MOST, "settled: {depth} round trips");

    fake.set_merge_request_state(project_id, 1, "merged");
    let (depth, report) = check(READ_ONLY_TOKEN, false).await;
    assert_eq!(report["state"], "merged", "{report}");
    assert!(depth <= MOST, "merged: {depth} round trips");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_that_overturns_the_paths_verdict_costs_one_more_round_trip_not_more() {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project_id = fake.add_project("lava/lava");
    fake.add_milestone(Some(project_id), None, "2026.11", "active", Some(&due(5)));
    // By its path a new migration; by its text a squash, which changes no
    // database that already ran the migrations it replaces.
    let squash = "app/migrations/0043_merge.py";
    let lines = [
        "from django.db import migrations",
        "class Migration(migrations.Migration):",
        "    replaces = [(\"app\", \"0001_initial\"), (\"app\", \"0002_more\")]",
    ];
    let sha = "b000000000000000000000000000000000000002";
    fake.add_merge_request(project_id, 2, sha, vec![Diff::added(squash, &lines)]);
    fake.add_file(project_id, sha, squash, &lines.join("\n"));
    // Someone labelled it: whether it was the bot decides whether the
    // label goes, which only matters once the text says "no change".
    fake.person_sets_labels(project_id, 2, &["Database changes"]);
    let config = format!(
        "[gitlab]\nurl = \"{}\"\ntoken_env = \"GL_TOKEN\"\n\n{}",
        fake.url,
        project("gitlab")
    );
    fake.set_delay(Some(DELAY));
    fake.reset_requests();
    let args = ["--project", "lava/lava", "--mr", "2", "--format", "json"];
    let run = run_check(Some(&config), &[("GL_TOKEN", READ_ONLY_TOKEN)], &args).await;
    let report = run.json();
    assert_eq!(report["db_change"], false, "{report}");
    assert_eq!(report["history_read"], true, "{report}");
    let depth = fake.round_trips_before(writing);
    assert!(depth <= MOST, "{depth} round trips");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_github_check_reads_in_at_most_three_round_trips_in_every_state() {
    let fake = FakeGitHub::start().await;
    let number = seed_github(&fake, "e000000000000000000000000000000000000001", false);
    fake.add_token("ghp_rw", Access::ReadWrite);
    fake.add_token("ghp_ro", Access::ReadOnly);
    let config = format!(
        "[github]\napi_url = \"{}\"\ntoken_env = \"GH_TOKEN\"\n\n{}",
        fake.base_url(),
        project("github")
    );
    let next = fake.with_state(|s| {
        s.repos["lava/lava"]
            .milestones
            .iter()
            .find(|m| m.title == "2026.11")
            .map(|m| m.number)
            .expect("seeded")
    });
    fake.set_delay(Some(DELAY));
    let n = number.to_string();
    let check = |token: &'static str, apply: bool| {
        let config = config.clone();
        let fake = &fake;
        let n = n.clone();
        async move {
            fake.clear_requests();
            let mut args = vec!["--project", "lava/lava", "--mr", &n, "--format", "json"];
            if apply {
                args.push("--apply");
            }
            let run = run_check(Some(&config), &[("GH_TOKEN", token)], &args).await;
            assert!(run.code == 0 || run.code == 1, "{run:?}");
            let report = run.json();
            (fake.round_trips_before(writing), report)
        }
    };

    // The PR's diff is too large for GitHub to send: its text is read.
    let (depth, report) = check("ghp_ro", false).await;
    assert_eq!(report["verdict"], "failure", "{report}");
    assert!(depth <= MOST, "a new database change: {depth} round trips");

    // A person puts it in the next release: who did decides the verdict.
    fake.person_sets_milestone("lava/lava", number, Some(next));
    let (depth, report) = check("ghp_ro", false).await;
    assert_eq!(report["history_read"], true, "{report}");
    assert!(depth <= MOST, "placed by a person: {depth} round trips");

    let (depth, report) = check("ghp_rw", true).await;
    assert!(report["writes"].as_u64().unwrap() > 0, "{report}");
    assert!(depth <= MOST, "--apply: {depth} round trips before writing");

    let (depth, report) = check("ghp_ro", false).await;
    assert_eq!(report["history_read"], false, "{report}");
    assert!(depth <= MOST, "settled: {depth} round trips");

    fake.close_pull("lava/lava", number, true);
    let (depth, report) = check("ghp_ro", false).await;
    assert_eq!(report["state"], "merged", "{report}");
    assert!(depth <= MOST, "merged: {depth} round trips");
}

#[test]
fn overlapping_requests_count_once_and_sequential_ones_add_up() {
    use crate::fake_gitlab::round_trips::{Span, depth};
    let t0 = std::time::Instant::now();
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let span = |sent, answered| Span {
        sent: at(sent),
        answered: at(answered),
    };
    assert_eq!(depth(&[]), 0);
    // Three at once, then two at once, then one.
    let spans = [
        span(0, 100),
        span(1, 101),
        span(2, 99),
        span(102, 200),
        span(103, 201),
        span(202, 300),
    ];
    assert_eq!(depth(&spans), 3);
    // One long request beside a chain of two short ones.
    assert_eq!(depth(&[span(0, 300), span(1, 100), span(101, 200)]), 2);
}
