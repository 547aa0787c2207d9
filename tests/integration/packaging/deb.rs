//! The Debian package as built: its files and their modes, its conffiles,
//! its unit, lintian's verdict, and the packaged binary's `--version` and
//! `config check` on the packaged configuration.

use super::{Package, env_file_variables, package, repo_file, succeeds, tool, unpacked};
use std::collections::BTreeMap;
use std::process::Command;

/// `dpkg-deb --contents`: each path (without the leading `.`) with its
/// mode string and owner, e.g. `-rw-r-----` and `0/0`.
fn contents(package: &Package) -> BTreeMap<String, (String, String)> {
    let output = Command::new("dpkg-deb")
        .arg("--contents")
        .arg(&package.deb)
        .output()
        .expect("dpkg-deb runs");
    succeeds(output, "dpkg-deb --contents")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let path = fields[5].trim_start_matches('.').trim_end_matches('/');
            (path.to_string(), (fields[0].into(), fields[1].into()))
        })
        .collect()
}

/// One member of the control archive (`conffiles`, `postinst`, …).
fn control_member(package: &Package, member: &str) -> String {
    let output = Command::new("dpkg-deb")
        .arg("--info")
        .arg(&package.deb)
        .arg(member)
        .output()
        .expect("dpkg-deb runs");
    succeeds(output, "dpkg-deb --info")
}

/// A `Key=value` of the unit's `[Service]` section.
pub fn unit_value(unit: &str, key: &str) -> Option<String> {
    unit.lines()
        .skip_while(|l| l.trim() != "[Service]")
        .take_while(|l| !l.starts_with('[') || l.trim() == "[Service]")
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

#[test]
fn the_package_puts_each_file_where_the_unit_and_the_admin_look_for_it() {
    let Some(package) = package() else { return };
    assert_eq!(package.field("Package"), "schemagate");
    assert_eq!(
        package.version,
        env!("CARGO_PKG_VERSION"),
        "no Debian revision"
    );
    assert!(
        package.field("Depends").contains("adduser"),
        "postinst runs adduser"
    );

    let files = contents(package);
    let expect = |path: &str, mode: &str| match files.get(path) {
        Some((found, owner)) => {
            assert_eq!((found.as_str(), owner.as_str()), (mode, "0/0"), "{path}")
        }
        None => panic!("{path} is not in the package: {:#?}", files.keys()),
    };
    expect("/usr/bin/schemagate", "-rwxr-xr-x");
    expect("/usr/lib/systemd/system/schemagate.service", "-rw-r--r--");
    expect("/etc/schemagate/schemagate.toml", "-rw-r--r--");
    // The group is the service's, set by postinst's statoverride.
    expect("/etc/schemagate/env", "-rw-r-----");
    expect("/usr/share/doc/schemagate/copyright", "-rw-r--r--");
    expect("/usr/share/doc/schemagate/changelog.gz", "-rw-r--r--");
    expect("/usr/share/doc/schemagate/CHANGELOG.md", "-rw-r--r--");
    expect("/usr/share/lintian/overrides/schemagate", "-rw-r--r--");
    let pages = std::fs::read_dir(repo_file("deploy/man")).unwrap();
    for page in pages {
        let name = page.unwrap().file_name().to_string_lossy().into_owned();
        expect(&format!("/usr/share/man/man1/{name}.gz"), "-rw-r--r--");
    }
    // Nothing lands outside the places an admin expects this package in.
    let allowed = [
        "/etc/schemagate",
        "/usr/bin/schemagate",
        "/usr/lib/systemd/system",
        "/usr/share/doc/schemagate",
        "/usr/share/man/man1",
        "/usr/share/lintian/overrides",
    ];
    for (path, (mode, _)) in &files {
        if !mode.starts_with('d') {
            assert!(
                allowed.iter().any(|a| path.starts_with(a)),
                "{path} is outside {allowed:?}"
            );
        }
    }

    // Both files in /etc are conffiles: an upgrade keeps an admin's edits.
    let conffiles = control_member(package, "conffiles");
    let mut conffiles: Vec<&str> = conffiles.lines().collect();
    conffiles.sort();
    assert_eq!(
        conffiles,
        ["/etc/schemagate/env", "/etc/schemagate/schemagate.toml"]
    );

    // The files are the repository's, unchanged.
    let dir = unpacked(package);
    let same = |packaged: &str, source: &str| {
        let packaged_text = std::fs::read(dir.path().join(packaged)).unwrap();
        assert!(
            packaged_text == std::fs::read(repo_file(source)).unwrap(),
            "{packaged} is not {source}"
        );
    };
    same("etc/schemagate/schemagate.toml", "config/example.toml");
    same("etc/schemagate/env", "deploy/debian/env");
    same(
        "usr/lib/systemd/system/schemagate.service",
        "deploy/schemagate.service",
    );

    // The unit runs the packaged binary on the packaged files, in the
    // directory postinst makes.
    let unit = std::fs::read_to_string(repo_file("deploy/schemagate.service")).unwrap();
    let exec = unit_value(&unit, "ExecStart").expect("ExecStart");
    assert_eq!(
        exec,
        "/usr/bin/schemagate --config /etc/schemagate/schemagate.toml serve"
    );
    assert_eq!(
        unit_value(&unit, "EnvironmentFile").as_deref(),
        Some("/etc/schemagate/env")
    );
    assert_eq!(unit_value(&unit, "User").as_deref(), Some("schemagate"));
    let postinst = control_member(package, "postinst");
    let state_dir = unit_value(&unit, "WorkingDirectory").expect("WorkingDirectory");
    assert!(postinst.contains(&format!(
        "install -d -o schemagate -g schemagate -m 0750 {state_dir}"
    )));
    // Enabled, but never started by the package: the service needs the
    // admin's projects and secrets first. (An upgrade restarts it only when
    // it runs: try-restart.)
    assert!(postinst.contains("deb-systemd-helper enable schemagate.service"));
    assert!(!postinst.contains("deb-systemd-invoke start"), "{postinst}");
    assert!(postinst.contains("deb-systemd-invoke try-restart schemagate.service"));
}

#[test]
fn lintian_passes_the_package_and_every_override_has_a_reason() {
    let Some(package) = package() else { return };
    if !tool("lintian", &["--version"], "apt-get install lintian") {
        return;
    }
    // --display-info shows the overrides that no longer match anything.
    // lintian leaves an mldbm-elf-* directory in TMPDIR after each run.
    let scratch = tempfile::tempdir().unwrap();
    let output = Command::new("lintian")
        .env("TMPDIR", scratch.path())
        .args(["--fail-on", "error,warning", "--display-info"])
        .arg(&package.deb)
        .output()
        .expect("lintian runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "lintian:\n{said}");
    for stale in ["unused-override", "mismatched-override"] {
        assert!(!said.contains(stale), "lintian:\n{said}");
    }
    let overrides = std::fs::read_to_string(repo_file("deploy/debian/lintian-overrides")).unwrap();
    let lines: Vec<&str> = overrides.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if line.starts_with("schemagate: ") {
            assert!(
                index > 0 && lines[index - 1].starts_with('#'),
                "the override `{line}` has no reason above it"
            );
        }
    }
}

#[test]
fn the_packaged_binary_names_the_package_version_and_accepts_the_packaged_config() {
    let Some(package) = package() else { return };
    let dir = unpacked(package);
    let binary = dir.path().join("usr/bin/schemagate");
    let version = succeeds(
        Command::new(&binary).arg("--version").output().unwrap(),
        "schemagate --version",
    );
    assert_eq!(version, format!("schemagate {}\n", package.version));

    let config = dir.path().join("etc/schemagate/schemagate.toml");
    let check = |secrets: &[String]| {
        let mut command = Command::new(&binary);
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .arg("--config")
            .arg(&config)
            .args(["config", "check"]);
        for name in secrets {
            command.env(name, "placeholder");
        }
        command.output().unwrap()
    };
    // With every secret the env file lists set to a placeholder, the
    // packaged config is valid and nothing is missing.
    let listed = env_file_variables();
    let placeholders = check(&listed);
    let stderr = String::from_utf8_lossy(&placeholders.stderr).into_owned();
    succeeds(placeholders, "config check with placeholder secrets");
    assert!(!stderr.contains("warning:"), "{stderr}");

    // With none, each secret it asks for is one the env file lists.
    let bare = check(&[]);
    let stderr = String::from_utf8_lossy(&bare.stderr).into_owned();
    succeeds(bare, "config check without secrets");
    let asked: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: ")?.split_whitespace().next())
        .collect();
    assert!(
        asked.len() >= 4,
        "the example names forge secrets: {stderr}"
    );
    for name in asked {
        assert!(
            listed.iter().any(|l| l == name),
            "{name} is not in deploy/debian/env"
        );
    }
}
