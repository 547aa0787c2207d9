//! A scratch root for installing the package for real: this machine's own
//! filesystem seen through an overlay, in a private mount and network
//! namespace. dpkg, adduser and deb-systemd-helper run there as they would
//! on a server, and everything they write (the package's files, the user,
//! the statoverride, the unit's symlinks) lands in a temporary directory
//! that vanishes with the namespace. `systemctl` there is a stand-in that
//! logs its calls; the network is loopback only. Making it needs root
//! (mounts, chroot).

use super::deb::unit_value;
use super::tool;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// What dpkg and the scripts get as PATH: the stand-in systemctl in
/// /usr/local/sbin comes before the real one.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Where the stand-in logs, inside the scratch root.
const SYSTEMCTL_LOG: &str = "/var/log/systemctl-calls";

pub struct ScratchRoot {
    /// `sleep`, holding the namespaces open; its /proc root shows them.
    holder: Child,
    dir: tempfile::TempDir,
}

impl ScratchRoot {
    /// The namespaces and the overlay, or `None` to skip (a failure under CI).
    pub fn new() -> Option<ScratchRoot> {
        let skip = |why: &str| {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but the scratch root cannot be made: {why}");
            }
            eprintln!("note: {why}; skipping the maintainer scripts test");
            None
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return skip("mounting an overlay and chroot need root");
        }
        if !tool("unshare", &["--version"], "apt-get install util-linux")
            || !tool("ip", &["-V"], "apt-get install iproute2")
            || !tool("curl", &["--version"], "apt-get install curl")
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        for sub in ["upper", "work", "root"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let at = |sub: &str| dir.path().join(sub).display().to_string();
        let (upper, work, root) = (at("upper"), at("work"), at("root"));
        // /run and /tmp are fresh, so no state of this machine's services
        // shows through; the loopback interface is the only network.
        let script = format!(
            "set -e
             mount -t overlay overlay -o lowerdir=/,upperdir={upper},workdir={work} {root}
             mount --rbind /dev {root}/dev
             mount -t proc proc {root}/proc
             mount -t tmpfs tmpfs {root}/run
             mount -t tmpfs tmpfs {root}/tmp
             ip link set lo up
             echo ready
             exec sleep 3600"
        );
        let mut holder = Command::new("unshare");
        holder
            .args(["--mount", "--net", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: prctl is async-signal-safe. Should the test process die
        // without dropping this, the holder, and with it the namespaces and
        // their mounts, dies too instead of sleeping on for an hour.
        unsafe {
            holder.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut holder = holder.spawn().expect("unshare runs");
        let mut line = String::new();
        let stdout = holder.stdout.take().unwrap();
        // The script either prints `ready` or exits, closing stdout.
        BufReader::new(stdout).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let output = holder.wait_with_output().unwrap();
            return skip(&format!(
                "the overlay could not be mounted: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Some(ScratchRoot { holder, dir })
    }

    /// The scratch root's directory, as the namespace sees it.
    pub fn root(&self) -> String {
        self.dir.path().join("root").display().to_string()
    }

    /// A path inside the scratch root, reachable from this process.
    pub fn path(&self, inside: &str) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/root{}{inside}",
            self.holder.id(),
            self.root()
        ))
    }

    /// A command run inside the namespaces.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("nsenter");
        command
            .args([
                "--target",
                &self.holder.id().to_string(),
                "--mount",
                "--net",
            ])
            .args(args)
            .env("PATH", PATH)
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("nsenter runs")
    }

    /// dpkg run inside the scratch root (chrooted, so it resolves the
    /// package's user and group there too), with no terminal: a conffile
    /// question would fail it rather than wait.
    pub fn dpkg(&self, args: &[&str]) -> Output {
        let root = self.root();
        let mut all = vec!["chroot", root.as_str(), "dpkg"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// A systemd for the scripts to talk to: its runtime directory (what
    /// they test for "systemd is running"), a systemctl that logs each call
    /// and does the offline ones (`--root=`: deb-systemd-helper enables a
    /// unit through `systemctl --root=/ preset`, which only makes symlinks),
    /// and no policy-rc.d (container images ship one that forbids starts,
    /// which would hide what the scripts ask for).
    pub fn stand_in_for_systemd(&self) {
        std::fs::create_dir_all(self.path("/run/systemd/system")).unwrap();
        let policy = self.path("/usr/sbin/policy-rc.d");
        if policy.exists() {
            std::fs::remove_file(policy).unwrap();
        }
        let systemctl = self.path("/usr/local/sbin/systemctl");
        std::fs::create_dir_all(systemctl.parent().unwrap()).unwrap();
        std::fs::write(
            &systemctl,
            format!(
                "#!/bin/sh\necho \"$*\" >> {SYSTEMCTL_LOG}\n\
                 case \"$1\" in --root=*) exec /usr/bin/systemctl \"$@\" ;; esac\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(
            &systemctl,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    }

    /// What the scripts asked the running systemd since the last call of
    /// this, besides rereading the units (`daemon-reload`, which every
    /// script that adds or removes a unit does, and must); the offline
    /// calls, which only change files, are judged by the files.
    pub fn take_systemctl_actions(&self) -> Vec<String> {
        let log = self.path(SYSTEMCTL_LOG);
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        assert!(
            calls.contains("daemon-reload"),
            "systemd was not told: {calls}"
        );
        calls
            .lines()
            .filter(|call| !call.ends_with("daemon-reload") && !call.starts_with("--root="))
            .map(str::to_string)
            .collect()
    }

    /// The `name:…` line of /etc/passwd, /etc/group … split at `:`.
    pub fn entry(&self, file: &str, name: &str) -> Option<Vec<String>> {
        std::fs::read_to_string(self.path(file))
            .unwrap()
            .lines()
            .find(|l| l.split(':').next() == Some(name))
            .map(|l| l.split(':').map(str::to_string).collect())
    }

    /// Starts the service the way the installed unit does: its user and
    /// group, its working directory, its environment file, its ExecStart.
    pub fn start_service(&self) -> Service {
        let unit = std::fs::read_to_string(self.path("/usr/lib/systemd/system/schemagate.service"))
            .unwrap();
        let value = |key| unit_value(&unit, key).unwrap_or_else(|| panic!("no {key}= in the unit"));
        let environment = std::fs::read_to_string(self.path(&value("EnvironmentFile"))).unwrap();
        let user = format!("{}:{}", value("User"), value("Group"));
        let shell = format!(
            "cd {} && exec {}",
            value("WorkingDirectory"),
            value("ExecStart")
        );
        let root = self.root();
        let mut args = vec![
            "chroot",
            "--userspec",
            &user,
            &root,
            "/usr/bin/env",
            "-i",
            "PATH=/usr/bin:/bin",
        ];
        args.extend(
            environment
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#')),
        );
        args.extend(["/bin/sh", "-c", &shell]);
        let child = self
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the service starts");
        Service(child)
    }

    /// `GET /healthz` from inside the namespace, once.
    pub fn healthz(&self, url: &str) -> Option<String> {
        let output = self.run(&["curl", "-fsS", "--max-time", "2", url]);
        output
            .status
            .success()
            .then(|| String::from_utf8(output.stdout).unwrap())
    }
}

impl Drop for ScratchRoot {
    fn drop(&mut self) {
        // The namespaces, and the mounts in them, end with their last process.
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// The running service, stopped when dropped.
pub struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
