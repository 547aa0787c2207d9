//! `schemagate jobs`: dead jobs listed (text and JSON) and retried, on the
//! store the configuration names.

use assert_cmd::Command;
use schemagate::store::{NewJob, Store};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_jobs_are_listed_and_retried_by_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[server]\ndatabase = \"sqlite://{}\"\n",
        dir.path().join("store.db").display()
    );
    let config_path = dir.path().join("schemagate.toml");
    std::fs::write(&config_path, &text).unwrap();
    let config = schemagate::config::parse("test", &text).unwrap();
    let store = Store::connect(&config.server.database).await.unwrap();
    let id = store
        .enqueue(&NewJob {
            serial_key: "mr:lava/lava!7",
            payload: "{}",
        })
        .await
        .unwrap();
    let job = store
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    store
        .retry_later(job.id, "w", "forge answered 500", Duration::ZERO, 1)
        .await
        .unwrap();
    let run = |args: &[&str]| {
        let output = Command::cargo_bin("schemagate")
            .unwrap()
            .arg("--config")
            .arg(&config_path)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let listed: serde_json::Value =
        serde_json::from_str(&run(&["jobs", "--format", "json"])).unwrap();
    assert_eq!(listed["jobs"][0]["id"], id.0);
    assert_eq!(listed["jobs"][0]["state"], "dead");
    assert_eq!(listed["jobs"][0]["last_error"], "forge answered 500");
    let text = run(&["jobs"]);
    assert!(
        text.contains("mr:lava/lava!7") && text.contains("forge answered 500"),
        "{text}"
    );
    let retried = run(&["jobs", "--retry", "all"]);
    assert!(
        retried.contains(&format!("requeued job {}", id.0)),
        "{retried}"
    );
    assert!(run(&["jobs"]).contains("no dead jobs"));
    let again = store
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (id, 0));
}
