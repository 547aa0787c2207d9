//! The CI integration files: every YAML file against its schema
//! (check-jsonschema's built-in GitLab CI, Actions and workflow schemas),
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
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_schemagate"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap()
    );
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
