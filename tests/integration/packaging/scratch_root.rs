//! The maintainer scripts run for real: dpkg installs, upgrades, removes and
//! purges the package inside a scratch root. The scratch root is this
//! machine's own filesystem seen through an overlay, in a private mount and
//! network namespace: dpkg, adduser and deb-systemd-helper run as they would
//! on a server, and everything they write (the package's files, the user,
//! the statoverride, the unit's symlinks) lands in a temporary directory
//! that vanishes with the namespace. `systemctl` there is a stand-in that
//! logs its calls, so the test sees what the scripts ask of systemd. The
//! service is then started as the installed unit says, as its user, with
//! placeholder secrets and only a loopback network: no forge is reachable.
//!
//! It needs root (mounts, chroot); as another user it is skipped locally.

use super::deb::unit_value;
use super::{Package, env_file_variables, package, succeeds, tool};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What dpkg and the scripts get as PATH: the stand-in systemctl in
/// /usr/local/sbin comes before the real one.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Where the stand-in logs, inside the scratch root.
const SYSTEMCTL_LOG: &str = "/var/log/systemctl-calls";
/// How long the installed service may take to answer /healthz.
const HEALTHY_TIMEOUT: Duration = Duration::from_secs(60);

struct ScratchRoot {
    /// `sleep`, holding the namespaces open; its /proc root shows them.
    holder: Child,
    dir: tempfile::TempDir,
}

impl ScratchRoot {
    /// The namespaces and the overlay, or `None` to skip (a failure under CI).
    fn new() -> Option<ScratchRoot> {
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
    fn root(&self) -> String {
        self.dir.path().join("root").display().to_string()
    }

    /// A path inside the scratch root, reachable from this process.
    fn path(&self, inside: &str) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/root{}{inside}",
            self.holder.id(),
            self.root()
        ))
    }

    /// A command run inside the namespaces.
    fn command(&self, args: &[&str]) -> Command {
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

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("nsenter runs")
    }

    /// dpkg run inside the scratch root (chrooted, so it resolves the
    /// package's user and group there too), with no terminal: a conffile
    /// question would fail it rather than wait.
    fn dpkg(&self, args: &[&str]) -> Output {
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
    fn stand_in_for_systemd(&self) {
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
    fn take_systemctl_actions(&self) -> Vec<String> {
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
    fn entry(&self, file: &str, name: &str) -> Option<Vec<String>> {
        std::fs::read_to_string(self.path(file))
            .unwrap()
            .lines()
            .find(|l| l.split(':').next() == Some(name))
            .map(|l| l.split(':').map(str::to_string).collect())
    }

    /// Starts the service the way the installed unit does: its user and
    /// group, its working directory, its environment file, its ExecStart.
    fn start_service(&self) -> Service {
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
    fn healthz(&self, url: &str) -> Option<String> {
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
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The package with another version (a later one), as an upgrade brings:
/// the same files, so the only conffile edits are the admin's.
fn later_version(package: &Package, version: &str, out: &Path) -> PathBuf {
    let tree = out.join("tree");
    succeeds(
        Command::new("dpkg-deb")
            .arg("--raw-extract")
            .arg(&package.deb)
            .arg(&tree)
            .output()
            .unwrap(),
        "dpkg-deb --raw-extract",
    );
    let control = tree.join("DEBIAN/control");
    let text = std::fs::read_to_string(&control).unwrap();
    let text = text.replace(
        &format!("Version: {}\n", package.version),
        &format!("Version: {version}\n"),
    );
    std::fs::write(&control, text).unwrap();
    let deb = out.join("upgrade.deb");
    // gzip at level 1: the test needs a package, not a small one.
    succeeds(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "-Zgzip", "-z1", "--build"])
            .arg(&tree)
            .arg(&deb)
            .output()
            .unwrap(),
        "dpkg-deb --build",
    );
    deb
}

fn mode(path: &Path) -> (u32, u32, u32) {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (meta.uid(), meta.gid(), meta.mode() & 0o7777)
}

#[test]
fn the_package_installs_upgrades_removes_and_purges_in_a_scratch_root() {
    let Some(package) = package() else { return };
    let Some(scratch) = ScratchRoot::new() else {
        return;
    };
    scratch.stand_in_for_systemd();
    std::fs::copy(&package.deb, scratch.path("/tmp/schemagate.deb")).unwrap();

    // Install.
    let started = Instant::now();
    succeeds(
        scratch.dpkg(&["--install", "/tmp/schemagate.deb"]),
        "dpkg --install",
    );
    let installed = started.elapsed();
    let user = scratch
        .entry("/etc/passwd", "schemagate")
        .expect("the user");
    let uid: u32 = user[2].parse().unwrap();
    let gid: u32 = user[3].parse().unwrap();
    assert!(uid < 1000, "a system user: {user:?}");
    assert_eq!(user[5..], ["/var/lib/schemagate", "/usr/sbin/nologin"]);
    let group = scratch
        .entry("/etc/group", "schemagate")
        .expect("the group");
    assert_eq!(group[2], gid.to_string());
    assert_eq!(
        mode(&scratch.path("/var/lib/schemagate")),
        (uid, gid, 0o750)
    );
    assert_eq!(mode(&scratch.path("/etc/schemagate/env")), (0, gid, 0o640));
    assert_eq!(
        mode(&scratch.path("/etc/schemagate/schemagate.toml")),
        (0, 0, 0o644)
    );
    let wants = scratch.path("/etc/systemd/system/multi-user.target.wants/schemagate.service");
    assert!(wants.is_symlink(), "the unit is enabled");
    // Enabled, not started: systemd only rereads its units.
    assert_eq!(scratch.take_systemctl_actions(), Vec::<String>::new());

    // The unit as installed, with the binary where the package put it and
    // the man pages its Documentation= names (hence chrooted: `man` looks).
    let root = scratch.root();
    let verify = |unit: &str| scratch.run(&["chroot", &root, "systemd-analyze", "verify", unit]);
    succeeds(verify("schemagate.service"), "systemd-analyze verify");
    // It does check: the same unit with a binary that is not there fails.
    let unit = std::fs::read_to_string(scratch.path("/usr/lib/systemd/system/schemagate.service"))
        .unwrap();
    let broken = scratch.path("/etc/systemd/system/schemagate-broken.service");
    std::fs::write(
        &broken,
        unit.replace("/usr/bin/schemagate ", "/usr/bin/schemagate-gone "),
    )
    .unwrap();
    let refused = verify("schemagate-broken.service");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("/usr/bin/schemagate-gone"));
    std::fs::remove_file(broken).unwrap();

    // The admin puts placeholder secrets in the env file; the service
    // starts as the unit says and answers /healthz with the packaged config.
    let env_file = scratch.path("/etc/schemagate/env");
    let secrets: String = env_file_variables()
        .iter()
        .filter(|name| *name != "PGPASSWORD")
        .map(|name| format!("{name}=placeholder-{}\n", name.to_lowercase()))
        .collect();
    let shipped = std::fs::read_to_string(&env_file).unwrap();
    std::fs::write(&env_file, format!("{shipped}{secrets}")).unwrap();
    let service = scratch.start_service();
    let deadline = Instant::now() + HEALTHY_TIMEOUT;
    let health = loop {
        if let Some(body) = scratch.healthz("http://127.0.0.1:8080/healthz") {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "no healthy /healthz in {HEALTHY_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!(
        "measure: dpkg --install {:.2} s; from dpkg --install to a healthy /healthz {:.2} s",
        installed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["database"], "ok", "{health}");
    drop(service);
    let store = scratch.path("/var/lib/schemagate/schemagate.db");
    assert_eq!(mode(&store).0, uid, "the store is the service's");

    // Upgrade: the admin's edits to both conffiles stay, with no question.
    let config = scratch.path("/etc/schemagate/schemagate.toml");
    let edited = format!(
        "{}\n# edited by the admin\n",
        std::fs::read_to_string(&config).unwrap()
    );
    std::fs::write(&config, &edited).unwrap();
    let work = tempfile::tempdir().unwrap();
    let later = format!("{}+upgrade", package.version);
    let upgrade = later_version(package, &later, work.path());
    std::fs::copy(&upgrade, scratch.path("/tmp/upgrade.deb")).unwrap();
    succeeds(
        scratch.dpkg(&["--install", "/tmp/upgrade.deb"]),
        "the upgrade",
    );
    let status = succeeds(scratch.dpkg(&["--status", "schemagate"]), "dpkg --status");
    assert!(status.contains(&format!("Version: {later}\n")), "{status}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);
    assert!(
        std::fs::read_to_string(&env_file)
            .unwrap()
            .ends_with(&secrets)
    );
    assert_eq!(mode(&env_file), (0, gid, 0o640));
    // A running service is restarted on the new binary; a stopped one stays so.
    assert_eq!(
        scratch.take_systemctl_actions(),
        ["try-restart schemagate.service"]
    );

    // Remove: the binary goes; configuration, secrets, store and user stay.
    succeeds(scratch.dpkg(&["--remove", "schemagate"]), "dpkg --remove");
    assert!(!scratch.path("/usr/bin/schemagate").exists());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);
    assert!(
        std::fs::read_to_string(&env_file)
            .unwrap()
            .ends_with(&secrets)
    );
    assert!(store.exists(), "remove keeps the store");
    assert!(scratch.entry("/etc/passwd", "schemagate").is_some());
    assert_eq!(
        scratch.take_systemctl_actions(),
        ["stop schemagate.service"]
    );

    // Purge: nothing of it is left.
    succeeds(scratch.dpkg(&["--purge", "schemagate"]), "dpkg --purge");
    assert!(!scratch.path("/etc/schemagate").exists());
    assert!(!scratch.path("/var/lib/schemagate").exists());
    for file in ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"] {
        assert!(scratch.entry(file, "schemagate").is_none(), "{file}");
    }
    let overrides = std::fs::read_to_string(scratch.path("/var/lib/dpkg/statoverride")).unwrap();
    assert!(!overrides.contains("/etc/schemagate"), "{overrides}");
    assert!(!wants.is_symlink());
    // Nor the mask that remove left.
    assert!(
        !scratch
            .path("/etc/systemd/system/schemagate.service")
            .is_symlink()
    );
}
