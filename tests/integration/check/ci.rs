//! The environments each CI really sets: GitLab's predefined variables in
//! a merge request pipeline, GitHub's variables and event file for a pull
//! request from the same repository and from a fork.

use super::{due, project, seed_github, two_forge_config};
use crate::fake_github::FakeGitHub;
use crate::fake_github::state::Access;
use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use crate::support::check::run_check;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_gitlab_merge_request_pipeline_check_finds_everything_itself() {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let pid = fake.add_project("lava/lava");
    let next = fake.add_milestone(Some(pid), None, "2026.11", "active", Some(&due(5)));
    let sha = "c000000000000000000000000000000000000001";
    fake.add_merge_request(pid, 3, sha, vec![Diff::added("lava/views.py", &["x = 1"])]);
    fake.person_sets_milestone(pid, 3, Some(next));
    let pid_text = pid.to_string();
    let api = format!("{}/api/v4", fake.url);
    // As GitLab sets them for a merge request pipeline (no [gitlab] section
    // in the file: the URL comes from CI_SERVER_URL).
    let mut env = vec![
        ("GITLAB_CI", "true"),
        ("CI", "true"),
        ("CI_SERVER_URL", fake.url.as_str()),
        ("CI_API_V4_URL", api.as_str()),
        ("CI_PROJECT_PATH", "lava/lava"),
        ("CI_PROJECT_ID", pid_text.as_str()),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_IID", "3"),
        ("CI_MERGE_REQUEST_PROJECT_PATH", "lava/lava"),
        ("CI_COMMIT_SHA", sha),
        ("CI_JOB_TOKEN", "glcbt-64_job"),
        ("SCHEMAGATE_GITLAB_TOKEN", READ_ONLY_TOKEN),
    ];
    let run = run_check(Some(&project("gitlab")), &env, &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("!3 passes: no database changes"),
        "{}",
        run.stdout
    );
    assert_eq!(fake.writes(), Vec::<String>::new());

    // The job token instead of a project token: refused, saying what to use.
    env.retain(|(name, _)| *name != "SCHEMAGATE_GITLAB_TOKEN");
    env.push(("SCHEMAGATE_GITLAB_TOKEN", "glcbt-64_job"));
    let refused = run_check(Some(&project("gitlab")), &env, &[]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("CI_JOB_TOKEN"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("project access token"),
        "{}",
        refused.stderr
    );

    // A branch pipeline has no merge request to gate.
    let branch: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .filter(|(name, _)| !name.starts_with("CI_MERGE_REQUEST"))
        .chain([("SCHEMAGATE_GITLAB_TOKEN", TOKEN)])
        .collect();
    let run = run_check(Some(&project("gitlab")), &branch, &[]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("merge_request_event"), "{}", run.stderr);
}

fn pull_event(number: u64, head_repo: &str) -> String {
    serde_json::json!({
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "head": {"ref": "feature", "sha": "d000000000000000000000000000000000000001",
                     "repo": {"full_name": head_repo, "fork": head_repo != "lava/lava"}},
            "base": {"ref": "main", "repo": {"full_name": "lava/lava", "fork": false}}
        },
        "repository": {"full_name": "lava/lava"},
        "sender": {"login": "contributor"}
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_github_actions_check_reads_the_event_and_a_fork_never_writes() {
    let fake = FakeGitHub::start().await;
    let sha = "d000000000000000000000000000000000000001";
    let number = seed_github(&fake, sha, true);
    fake.add_token("ghs_actions", Access::ReadWrite);
    let dir = tempfile::tempdir().unwrap();
    let event_path = dir.path().join("event.json");
    let event_text = event_path.to_str().unwrap().to_string();
    let env = |event: &'static str| {
        vec![
            ("GITHUB_ACTIONS", "true"),
            ("CI", "true"),
            ("GITHUB_EVENT_NAME", event),
            ("GITHUB_EVENT_PATH", event_text.as_str()),
            ("GITHUB_REPOSITORY", "lava/lava"),
            ("GITHUB_API_URL", fake.base_url()),
            ("GITHUB_SHA", sha),
            ("GITHUB_TOKEN", "ghs_actions"),
        ]
    };

    // A fork's pull_request: decided, never written, even with --apply.
    std::fs::write(&event_path, pull_event(number, "someone/lava")).unwrap();
    let fork = run_check(Some(&project("github")), &env("pull_request"), &["--apply"]).await;
    assert_eq!(fork.code, 1, "{fork:?}");
    assert!(
        fork.stdout
            .starts_with(&format!("#{number} is blocked: 2026.12 is ahead")),
        "{}",
        fork.stdout
    );
    assert!(
        fork.stdout.contains("comes from a fork (someone/lava)"),
        "{}",
        fork.stdout
    );
    assert_eq!(fake.writes(), Vec::<String>::new());

    // The same repository's pull request with --apply: labelled and placed.
    std::fs::write(&event_path, pull_event(number, "lava/lava")).unwrap();
    let own = run_check(Some(&project("github")), &env("pull_request"), &["--apply"]).await;
    assert_eq!(own.code, 1, "{own:?}");
    assert_eq!(
        fake.labels_of("lava/lava", number),
        vec!["Database changes"]
    );
    assert_eq!(
        fake.milestone_title_of("lava/lava", number).as_deref(),
        Some("2026.12")
    );

    // A push event has no pull request to gate.
    let push = run_check(Some(&project("github")), &env("push"), &[]).await;
    assert_eq!(push.code, 2, "{push:?}");
    assert!(push.stderr.contains("pull_request"), "{}", push.stderr);
}

/// The Action's command (`check --config FILE` with the variables the
/// Action passes into its container) against an example-style config with
/// both forges: only GitHub's token is set, and GitLab's is never asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_github_actions_a_config_with_both_forges_needs_only_the_github_token() {
    let fake = FakeGitHub::start().await;
    let sha = "d000000000000000000000000000000000000002";
    let number = seed_github(&fake, sha, true);
    fake.add_token("ghs_actions", Access::ReadWrite);
    let dir = tempfile::tempdir().unwrap();
    let event_path = dir.path().join("event.json");
    std::fs::write(&event_path, pull_event(number, "lava/lava")).unwrap();
    let config_path = dir.path().join("mirrored.toml");
    std::fs::write(
        &config_path,
        two_forge_config("http://127.0.0.1:9", fake.base_url()),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event_path.to_str().unwrap()),
        ("GITHUB_REPOSITORY", "lava/lava"),
        ("GITHUB_API_URL", fake.base_url()),
        ("GITHUB_TOKEN", "ghs_actions"),
        ("SCHEMAGATE_APPLY", "false"),
    ];
    let run = run_check(None, &env, &["--config", config_path.to_str().unwrap()]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with(&format!("#{number} is blocked: 2026.12 is ahead")),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("GITLAB_TOKEN"), "{}", run.stderr);
}
