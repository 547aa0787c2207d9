//! A real SMTP server per test: Debian's aiosmtpd run as a child process
//! (`tests/data/smtp/server.py`), with optional STARTTLS or implicit TLS on
//! a throwaway self-signed certificate, AUTH, and faults a test switches on
//! while it runs. Received mails are read back parsed: unfolded headers,
//! decoded body, envelope recipients; the server's log of commands and
//! replies counts SMTP round trips.
//!
//! Every wait is bounded and the child is killed on drop (it also exits by
//! itself when its stdin, held here, closes), so no test can hang on it.

mod received;

pub use received::ReceivedMail;
use received::parse_record;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the server may take to print its port.
const START_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// `smtp://…?tls=starttls`; the server refuses mail before STARTTLS.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

#[derive(Debug, Clone, Default)]
pub struct SmtpOptions {
    pub tls: Option<Tls>,
    /// Require AUTH with these credentials.
    pub auth: Option<(String, String)>,
    /// Mechanisms offered when `auth` is set, e.g. `["LOGIN"]`; empty offers PLAIN and LOGIN.
    pub mechanisms: Vec<String>,
}

pub struct SmtpServer {
    pub port: u16,
    options: SmtpOptions,
    child: Option<Child>,
    /// Held so the child's stdin stays open; dropping it makes the child exit.
    _stdin: Option<ChildStdin>,
    dir: Arc<tempfile::TempDir>,
}

/// One line of the server's log: a command it read or a reply it finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    Command { session: u64, name: String },
    Reply { session: u64, code: u16 },
}

impl SmtpServer {
    /// Starts a server on a free port with a fresh directory.
    pub fn start(options: SmtpOptions) -> SmtpServer {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        SmtpServer::start_on(0, options, dir)
    }

    /// Starts a server on `port` over `dir` (its mailbox and certificate
    /// kept), e.g. to bring one back after [`SmtpServer::stop`].
    pub fn start_on(port: u16, options: SmtpOptions, dir: Arc<tempfile::TempDir>) -> SmtpServer {
        if options.tls.is_some() && !dir.path().join("cert.pem").is_file() {
            make_certificate(dir.path());
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/smtp/server.py");
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(&script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(dir.path());
        match options.tls {
            Some(Tls::StartTls) => command.args(["--tls", "starttls"]),
            Some(Tls::Implicit) => command.args(["--tls", "implicit"]),
            None => &mut command,
        };
        if let Some((user, password)) = &options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
            if !options.mechanisms.is_empty() {
                command
                    .arg("--auth-mechanisms")
                    .arg(options.mechanisms.join(","));
            }
        }
        let stderr_path = dir
            .path()
            .join(format!("stderr-{}.txt", std::process::id()));
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot run /usr/bin/python3 for the SMTP test server ({error}); install python3-aiosmtpd (Debian)")
            });
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(START_TIMEOUT).unwrap_or_default();
        let Ok(bound) = line.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            panic!(
                "the SMTP test server did not start; install python3-aiosmtpd (Debian) for /usr/bin/python3.\nstdout: {line:?}\nstderr:\n{stderr}"
            );
        };
        SmtpServer {
            port: bound,
            options,
            child: Some(child),
            _stdin: stdin,
            dir,
        }
    }

    /// The directory holding the mailbox (pass to [`SmtpServer::start_on`]).
    pub fn dir(&self) -> Arc<tempfile::TempDir> {
        Arc::clone(&self.dir)
    }

    /// The `smtp_url` for schemagate's `[mail]`. TLS URLs name `localhost`
    /// (implicit) or `127.0.0.1` (STARTTLS), so both kinds of certificate
    /// name are verified.
    pub fn url(&self) -> String {
        match self.options.tls {
            None => format!("smtp://127.0.0.1:{}", self.port),
            Some(Tls::StartTls) => format!("smtp://127.0.0.1:{}?tls=starttls", self.port),
            Some(Tls::Implicit) => format!("smtps://localhost:{}", self.port),
        }
    }

    /// The self-signed certificate, for `mail.ca_file` (TLS servers only).
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.options.tls.map(|_| self.dir.path().join("cert.pem"))
    }

    /// Replaces the faults the server reads at each command.
    pub fn set_faults(&self, faults: serde_json::Value) {
        let path = self.dir.path().join("faults.json");
        let tmp = self.dir.path().join("faults.json.tmp");
        let mut file = std::fs::File::create(&tmp).expect("faults file");
        file.write_all(faults.to_string().as_bytes())
            .expect("write faults");
        drop(file);
        std::fs::rename(tmp, path).expect("install faults");
    }

    /// Every mail received so far, in arrival order.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        let mailbox = self.dir.path().join("mailbox");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&mailbox)
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                    .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files.iter().map(|path| parse_record(path)).collect()
    }

    /// Waits until at least `count` mails arrived or `timeout` passed, and
    /// returns what is there (the caller asserts the count).
    pub async fn wait_for_mails(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.mails();
            if mails.len() >= count || Instant::now() >= deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The commands and replies the server logged, in order.
    pub fn log(&self) -> Vec<LogEntry> {
        let text = std::fs::read_to_string(self.dir.path().join("log.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|entry| {
                let session = entry["session"].as_u64()?;
                if let Some(name) = entry["command"].as_str() {
                    return Some(LogEntry::Command {
                        session,
                        name: name.to_string(),
                    });
                }
                let code = u16::try_from(entry["reply"].as_u64()?).ok()?;
                Some(LogEntry::Reply { session, code })
            })
            .collect()
    }

    /// The command names of one connection, in order.
    pub fn commands(&self, session: u64) -> Vec<String> {
        self.log()
            .into_iter()
            .filter_map(|entry| match entry {
                LogEntry::Command { session: s, name } if s == session => Some(name),
                _ => None,
            })
            .collect()
    }

    /// The replies the server finished on one connection, greeting
    /// included: each is one round trip the client waited for.
    pub fn round_trips(&self, session: u64) -> usize {
        self.log()
            .into_iter()
            .filter(|entry| matches!(entry, LogEntry::Reply { session: s, .. } if *s == session))
            .count()
    }

    /// Kills the server; the directory stays for [`SmtpServer::start_on`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self._stdin = None;
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A self-signed certificate for localhost and 127.0.0.1 in `dir`
/// (`cert.pem`, `key.pem`), trusted through `mail.ca_file`.
fn make_certificate(dir: &Path) {
    let status = Command::new("/usr/bin/openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            // A leaf, not a CA: webpki refuses a CA certificate as the server's.
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("/usr/bin/openssl runs");
    assert!(
        status.success(),
        "openssl could not make the test certificate"
    );
}
