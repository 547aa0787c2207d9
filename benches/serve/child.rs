//! The `schemagate serve` child process: started from a config in a temp
//! directory, its log to a file, its memory and CPU from `/proc`, its queue
//! from `/metrics`, and stopped with SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What differs between the benches' `serve` children.
struct Settings<'a> {
    /// A `[mail]` section, or empty.
    mail: &'a str,
    /// The project's last lines (`gate`, `announce`).
    project_extra: &'a str,
    /// `RUST_LOG`.
    log: &'a str,
}

/// The `serve` child, its log file and its address.
pub struct Serve {
    child: Child,
    pub base: String,
    pub log: std::path::PathBuf,
}

impl Serve {
    pub fn start(dir: &std::path::Path, fake_url: &str, project: &str, workers: usize) -> Serve {
        Serve::start_logging(dir, fake_url, project, workers, "info")
    }

    /// `start` with `RUST_LOG` set to `log`.
    pub fn start_logging(
        dir: &std::path::Path,
        fake_url: &str,
        project: &str,
        workers: usize,
        log: &str,
    ) -> Serve {
        let settings = Settings {
            mail: "",
            project_extra: "gate = { require_announcement = false }",
            log,
        };
        Serve::start_configured(dir, fake_url, project, workers, &settings)
    }

    /// `start` with `mail` (a `[mail]` section, or empty) and the project's
    /// last lines (`gate`, `announce`): the announce bench's.
    #[allow(dead_code)]
    pub fn start_with(
        dir: &std::path::Path,
        fake_url: &str,
        project: &str,
        workers: usize,
        mail: &str,
        project_extra: &str,
    ) -> Serve {
        let settings = Settings {
            mail,
            project_extra,
            log: "info",
        };
        Serve::start_configured(dir, fake_url, project, workers, &settings)
    }

    fn start_configured(
        dir: &std::path::Path,
        fake_url: &str,
        project: &str,
        workers: usize,
        settings: &Settings<'_>,
    ) -> Serve {
        let Settings {
            mail,
            project_extra,
            log,
        } = settings;
        let config = format!(
            r#"
[server]
database = "sqlite://{db}"
sync_interval = "1h"
retention = "30s"

{mail}

[gitlab]
url = "{fake_url}"
token_env = "SCHEMAGATE_BENCH_GITLAB_TOKEN"
webhook_secret_env = "SCHEMAGATE_BENCH_GITLAB_SECRET"

[[project]]
forge = "gitlab"
path = "{project}"
releases = {{ scheme = "calver" }}
{project_extra}
"#,
            db = dir.join("bench.db").display()
        );
        let config_path = dir.join("schemagate.toml");
        std::fs::write(&config_path, config).expect("config written");
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemagate"))
            .arg("--config")
            .arg(&config_path)
            .args(["serve", "--listen", "127.0.0.1:0", "--workers"])
            .arg(workers.to_string())
            .env("SCHEMAGATE_BENCH_GITLAB_TOKEN", crate::fake_gitlab::TOKEN)
            .env("SCHEMAGATE_BENCH_GITLAB_SECRET", crate::GITLAB_SECRET)
            .env("RUST_LOG", log)
            .stderr(Stdio::piped())
            .spawn()
            .expect("schemagate serve starts");
        // The log goes to a file, as under systemd; the address line comes back.
        let log = dir.join("serve.log");
        let mut file = std::fs::File::create(&log).expect("log file");
        let stderr = child.stderr.take().expect("piped stderr");
        let (address_sender, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("schemagate listening on ") {
                    let _ = address_sender.send(address.to_string());
                }
                let _ = writeln!(file, "{line}");
            }
        });
        let base = address
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve printed no address; log: {}", log.display()));
        Serve { child, base, log }
    }

    /// A `/proc/<pid>/status` field in kB (`VmRSS`, `VmHWM`).
    pub fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status of serve");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    /// CPU time (user + system) the process has used so far.
    pub fn cpu_time(&self) -> Duration {
        cpu_time(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Queued and running jobs, from `/metrics`.
    pub async fn busy_jobs(&self, http: &reqwest::Client) -> u64 {
        let text = http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("/metrics answers")
            .text()
            .await
            .expect("/metrics text");
        text.lines()
            .filter(|line| {
                line.starts_with("schemagate_queue_depth")
                    && (line.contains("\"queued\"") || line.contains("\"running\""))
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }

    /// Waits until the queue has been empty on two scrapes in a row.
    pub async fn wait_drained(&self, http: &reqwest::Client, timeout: Duration) {
        let started = Instant::now();
        let mut quiet = 0;
        while quiet < 2 {
            quiet = if self.busy_jobs(http).await == 0 {
                quiet + 1
            } else {
                0
            };
            if started.elapsed() > timeout {
                self.fail(&format!("the queue did not drain in {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn fail(&self, what: &str) -> ! {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!("{what}\nlast lines of the serve log:\n{}", tail.join("\n"));
    }

    /// SIGTERM, then the exit status (which must be success).
    pub fn stop(mut self) -> Duration {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM could not be sent");
        let exit = self.child.wait().expect("serve exits");
        if !exit.success() {
            self.fail(&format!("serve exited with {exit} after SIGTERM"));
        }
        started.elapsed()
    }
}

/// User + system CPU time from a `/proc/.../stat` file.
pub fn cpu_time(stat_path: &str) -> Duration {
    let stat = std::fs::read_to_string(stat_path).expect("/proc stat");
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|field| field.parse::<u64>().expect("tick count"))
        .sum();
    // The kernel reports in USER_HZ, which is 100 on Linux.
    Duration::from_millis(ticks * 10)
}
