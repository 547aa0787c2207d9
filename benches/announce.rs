//! Benchmark: from the webhook that makes a downtime warning due to the mail
//! in a real SMTP server's mailbox. The release `schemagate serve` binary
//! on an SQLite file, the fake GitLab and aiosmtpd (tests/data/smtp) on
//! loopback, `trigger = "first-change"`. Each round opens a release
//! milestone, sends the "MR opened" webhook of a database change (the clock
//! starts), waits for the warning to land in the mailbox (it stops), then
//! merges the MR and closes the milestone so the next round starts a new
//! batch. Also the SMTP
//! round trips per mail (from the server's command log) and serve's RSS
//! while idle with mail configured.
//!
//! Run with `cargo bench --bench announce`; `SCHEMAGATE_BENCH_MAILS` sets
//! the number of rounds (50). Needs Debian's python3-aiosmtpd.

#[allow(dead_code)]
#[path = "../tests/integration/fake_gitlab/mod.rs"]
mod fake_gitlab;

/// The integration tests' GitLab hook builder (see benches/serve/main.rs).
#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/support/webhooks/gitlab.rs"]
mod gitlab_hooks;

#[allow(dead_code)]
#[path = "serve/child.rs"]
mod child;

include!("shared/hooks_glue.rs");

use child::Serve;
use chrono::{Days, Utc};
use fake_gitlab::{Diff, FakeGitLab};
use gitlab_hooks::{MrAction, merge_request, milestone};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROJECT: &str = "lava/lava";
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// aiosmtpd with the test suite's handler, on an ephemeral port.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Smtp {
        let dir = tempfile::tempdir().expect("a temp dir");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/smtp/server.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .args(["--port", "0", "--dir"])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd (install Debian's python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP server prints its port");
        let port = line.trim().parse().expect("a port number");
        Smtp { child, port, dir }
    }

    fn mails(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("mailbox"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Replies the server finished per connection that delivered a mail:
    /// each is one round trip the bot waited for.
    fn round_trips_per_mail(&self) -> f64 {
        let log = std::fs::read_to_string(self.dir.path().join("log.jsonl")).unwrap_or_default();
        let entries: Vec<serde_json::Value> = log
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        let delivering: BTreeSet<u64> = entries
            .iter()
            .filter(|e| e["command"] == "DATA")
            .filter_map(|e| e["session"].as_u64())
            .collect();
        let replies = entries
            .iter()
            .filter(|e| e["reply"].is_u64())
            .filter(|e| {
                e["session"]
                    .as_u64()
                    .is_some_and(|s| delivering.contains(&s))
            })
            .count();
        replies as f64 / delivering.len().max(1) as f64
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(http: &reqwest::Client, base: &str, delivery: &Delivery) {
    let mut request = http
        .post(format!("{base}{}", delivery.path))
        .body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("serve answers");
    assert!(
        response.status().is_success(),
        "refused: {}",
        response.status()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn migration(round: u64) -> (String, String) {
    (
        format!(
            "lava_scheduler_app/migrations/{:04}_bench_{round}.py",
            100 + round
        ),
        "from django.db import migrations, models\n\n\
         class Migration(migrations.Migration):\n    \
         dependencies = [(\"lava_scheduler_app\", \"0041_previous\")]\n    \
         operations = [migrations.AddField(model_name=\"testjob\", \
         name=\"priority\", field=models.IntegerField(default=0))]\n"
            .to_string(),
    )
}

async fn run(rounds: u64) {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project(PROJECT);
    let smtp = Smtp::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let mail = format!(
        "[mail]\nsmtp_url = \"smtp://127.0.0.1:{}\"\nfrom = \"bot@lava.example.org\"",
        smtp.port
    );
    let serve = Serve::start_with(
        dir.path(),
        &fake.url,
        PROJECT,
        4,
        &mail,
        "announce = { to = [\"lava-announce@lists.example.org\"], trigger = \"first-change\", upgrade_steps = [\"Back up the database\"] }",
    );
    let http = reqwest::Client::new();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kb = serve.memory_kb("VmRSS");

    let due = (Utc::now().date_naive() + Days::new(60))
        .format("%Y-%m-%d")
        .to_string();
    let mut latencies = Vec::new();
    for round in 1..=rounds {
        let title = format!("{}.{:02}", 2030 + (round - 1) / 12, (round - 1) % 12 + 1);
        let batch = fake.add_milestone(Some(project), None, &title, "active", Some(&due));
        post(&http, &serve.base, &milestone(&fake, batch, "create")).await;
        serve.wait_drained(&http, MAIL_TIMEOUT).await;
        let sha = format!("{round:040x}");
        let (path, text) = migration(round);
        fake.add_file(project, &sha, &path, &text);
        let lines: Vec<&str> = text.lines().collect();
        fake.add_merge_request(project, round, &sha, vec![Diff::added(&path, &lines)]);
        let before = smtp.mails();
        let started = Instant::now();
        post(
            &http,
            &serve.base,
            &merge_request(&fake, project, round, MrAction::Open),
        )
        .await;
        while smtp.mails() == before {
            if started.elapsed() > MAIL_TIMEOUT {
                serve.fail(&format!(
                    "round {round}: no warning within {MAIL_TIMEOUT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        latencies.push(started.elapsed());
        serve.wait_drained(&http, MAIL_TIMEOUT).await;
        // The release ships: its MR merged, the milestone closed.
        fake.set_merge_request_state(project, round, "merged");
        post(
            &http,
            &serve.base,
            &merge_request(&fake, project, round, MrAction::Merge),
        )
        .await;
        serve.wait_drained(&http, MAIL_TIMEOUT).await;
        fake.set_milestone_state(batch, "closed");
        post(&http, &serve.base, &milestone(&fake, batch, "close")).await;
        serve.wait_drained(&http, MAIL_TIMEOUT).await;
    }
    let mails = smtp.mails();
    serve.stop();
    latencies.sort();
    println!("announce bench: {rounds} rounds, {mails} mails in the mailbox");
    println!(
        "webhook → warning in the mailbox: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().expect("rounds").as_secs_f64() * 1e3,
    );
    println!(
        "SMTP round trips per mail: {:.1}",
        smtp.round_trips_per_mail()
    );
    println!(
        "idle RSS with mail configured: {:.1} MB (target < 30 MB)",
        idle_rss_kb as f64 / 1024.0
    );
    assert_eq!(mails as u64, rounds, "one warning per round, no more");
}

fn main() {
    let rounds = std::env::var("SCHEMAGATE_BENCH_MAILS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(run(rounds));
}
