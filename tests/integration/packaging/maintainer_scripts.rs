//! The maintainer scripts run for real: dpkg installs, upgrades, removes and
//! purges the package in a scratch root ([`super::scratch`]), and the test
//! reads what each step left: the user and its group, the state directory,
//! the secrets file's statoverride, the unit's symlinks, and what the
//! scripts asked of systemd. The service is started as the installed unit
//! says, as its user, with placeholder secrets and no forge reachable, and
//! must answer /healthz. As another user than root it is skipped locally.

use super::scratch::ScratchRoot;
use super::{Package, env_file_variables, package, succeeds};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the installed service may take to answer /healthz.
const HEALTHY_TIMEOUT: Duration = Duration::from_secs(60);

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
