//! `schemagate config check` end to end: the real binary, real files.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn schemagate(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("schemagate").expect("binary built");
    command.current_dir(dir).env_remove("SCHEMAGATE_CONFIG");
    command
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml")
}

const BROKEN: &str = r#"[server]
listen = "localhost"

[gitlab]
url = "https://gitlab.example.org"
token = "glpat-123"

[[project]]
forge = "gitlab"
path = "group/project"
releases = { scheme = "calver" }
batch = { max_open_batches = 0, lead_time = "two weeks" }
gate = { require_announcement = false }
"#;

#[test]
fn example_config_checks_ok() {
    let dir = tempfile::tempdir().unwrap();
    let output = schemagate(dir.path())
        .arg("--config")
        .arg(example())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("config OK: 2 projects"), "{stdout}");
}

#[test]
fn broken_config_lists_every_issue_with_location_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), BROKEN).unwrap();
    let output = schemagate(dir.path())
        .args(["--config", "broken.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{stderr}");
    assert!(
        lines[0].starts_with(
            "broken.toml:2:10: server.listen: `localhost` is not an IP address with a port — "
        ),
        "{stderr}"
    );
    assert!(lines[1].starts_with("broken.toml:6:1: gitlab.token: unknown key `token` — secrets never go in the config text"), "{stderr}");
    assert!(
        lines[2].starts_with("broken.toml:12:30: project[0].batch.max_open_batches: "),
        "{stderr}"
    );
    assert!(
        lines[3].starts_with("broken.toml:12:45: project[0].batch.lead_time: "),
        "{stderr}"
    );
    assert_eq!(lines[4], "config invalid: 4 errors");
}

#[test]
fn json_format_gives_the_issues_as_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), BROKEN).unwrap();
    let output = schemagate(dir.path())
        .args([
            "--config",
            "broken.toml",
            "--format",
            "json",
            "config",
            "check",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let issues = report["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 4);
    assert_eq!(issues[1]["key_path"], "gitlab.token");
    assert_eq!(issues[1]["line"], 6);
    assert_eq!(issues[1]["column"], 1);
}

#[test]
fn missing_explicit_config_file_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = schemagate(dir.path())
        .args(["--config", "absent.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: config file absent.toml does not exist"),
        "{stderr}"
    );
}

#[test]
fn without_any_file_the_built_in_defaults_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let output = schemagate(dir.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.trim(), "config OK: 0 projects (built-in defaults)");
}

#[test]
fn schemagate_toml_in_the_working_directory_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example(), dir.path().join("schemagate.toml")).unwrap();
    let output = schemagate(dir.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.trim(), "config OK: 2 projects (schemagate.toml)");
}

#[test]
fn config_path_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), BROKEN).unwrap();
    let output = schemagate(dir.path())
        .env("SCHEMAGATE_CONFIG", "broken.toml")
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

const ANNOUNCING: &str = r#"[gitlab]
url = "https://gitlab.example.org"

[mail]
smtp_url = "smtp://127.0.0.1:25"
from = "bot@example.org"

[[project]]
forge = "gitlab"
path = "group/project"
releases = { scheme = "calver" }
announce = { to = ["list@example.org"], templates_dir = "mail-templates" }
"#;

/// A directory with `sg.toml` (announcing through `mail-templates/`) and those templates.
fn announcing_dir(templates: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sg.toml"), ANNOUNCING).unwrap();
    std::fs::create_dir(dir.path().join("mail-templates")).unwrap();
    for (name, text) in templates {
        std::fs::write(dir.path().join("mail-templates").join(name), text).unwrap();
    }
    dir
}

const BROKEN_WARNING: &str = "Subject: [{{ project.path }}] Downtime\n\nHello,\n{% for change in changes %}\n- {{ change.title }\n{% endfor %}\n";
const UNKNOWN_IN_UPDATE: &str =
    "Subject: Update\n\nRelease {{ milestone.title }}, due {{ milestone.due }}.\n";

#[test]
fn broken_mail_templates_are_config_errors_with_file_line_and_column() {
    let dir = announcing_dir(&[
        ("warning.txt", BROKEN_WARNING),
        ("update.txt", UNKNOWN_IN_UPDATE),
    ]);
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with(
            "./mail-templates/warning.txt:5:19: project[0].announce.templates_dir: syntax error: unexpected `}`"
        ),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(
            "./mail-templates/update.txt:3:39: project[0].announce.templates_dir: unknown variable or attribute in `milestone.due` — "
        ),
        "{stderr}"
    );
    assert_eq!(lines[2], "config invalid: 2 errors in templates");
}

#[test]
fn template_errors_in_json_carry_the_file_and_position() {
    let dir = announcing_dir(&[("update.txt", UNKNOWN_IN_UPDATE)]);
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "--format", "json", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let issue = &report["issues"][0];
    assert_eq!(issue["file"], "./mail-templates/update.txt");
    assert_eq!(issue["key_path"], "project[0].announce.templates_dir");
    assert_eq!(
        (issue["line"].as_u64(), issue["column"].as_u64()),
        (Some(3), Some(39))
    );
}

#[test]
fn a_good_template_override_checks_ok() {
    let dir = announcing_dir(&[(
        "release.txt",
        "Subject: {{ milestone.title }} is out\n\n{% for change in changes %}{{ change.reference }}\n{% endfor %}",
    )]);
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "config", "check"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn without_a_status_section_config_check_says_how_to_turn_the_page_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sg.toml"), "[server]\nobserve = true\n").unwrap();
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("note: the status page is off (every page answers 404); turn it on with [status] password_env"),
        "{stderr}"
    );
    assert!(stderr.contains("note: observe mode is on"), "{stderr}");
    std::fs::write(
        dir.path().join("sg.toml"),
        "[status]\npassword_env = \"SG_TEST_STATUS_PASSWORD_UNSET\"\n",
    )
    .unwrap();
    let output = schemagate(dir.path())
        .env_remove("SG_TEST_STATUS_PASSWORD_UNSET")
        .args(["--config", "sg.toml", "--format", "json", "config", "check"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["notes"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["warnings"][0],
        "SG_TEST_STATUS_PASSWORD_UNSET (named by `status.password_env`) is not set here; `serve` will not start without it"
    );
}

#[test]
fn bad_status_keys_are_config_errors_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sg.toml"),
        "[status]\npublic = \"yes\"\npassword_env = \"1BAD\"\npasword = \"x\"\n",
    )
    .unwrap();
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("sg.toml:2:10: status.public:"), "{stderr}");
    assert!(
        stderr.contains("sg.toml:3:16: status.password_env:"),
        "{stderr}"
    );
    assert!(stderr.contains("sg.toml:4:1: status.pasword:"), "{stderr}");
    assert!(stderr.contains("password_env"), "{stderr}");
}

#[test]
fn a_broken_status_template_is_a_config_error_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sg.toml"),
        "[status]\npublic = true\ntemplates_dir = \"pages\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("pages")).unwrap();
    std::fs::write(
        dir.path().join("pages/project.html"),
        "{% extends \"layout.html\" %}\n{% block content %}{{ p.path }{% endblock %}\n",
    )
    .unwrap();
    let output = schemagate(dir.path())
        .args(["--config", "sg.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("./pages/project.html:2:"), "{stderr}");
    assert!(
        stderr.contains("status.templates_dir: syntax error"),
        "{stderr}"
    );
}
