//! The ways an admin installs schemagate and learns what changed: the Debian
//! package (built by cargo-deb from the binary this test run built, linted,
//! unpacked, and installed into a scratch root), its man pages, the container
//! files, and the project's own changelog.
//!
//! Every outside tool (cargo-deb, dpkg-deb, lintian, systemd-analyze,
//! check-jsonschema, hadolint) is looked for first: when one is missing the
//! test says so and passes locally, and fails under `CI`, where `.ci/run`
//! installs them all.

mod changelog;
mod container;
mod deb;
mod maintainer_scripts;
mod man_pages;
mod scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// cargo-deb's version, the one `.ci/run` installs.
pub const CARGO_DEB_VERSION: &str = "3.8.0";

pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Whether `program probe…` runs; when it does not, a note and `false`
/// locally, a panic naming `install` under `CI`.
pub fn tool(program: &str, probe: &[&str], install: &str) -> bool {
    let found = Command::new(program)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but {program} is missing: {install}");
        }
        eprintln!("note: {program} is not installed ({install}); skipping this packaging test");
    }
    found
}

/// The command's stdout, failing the test with everything it said when it
/// did not exit 0.
pub fn succeeds(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The built package and what its control file says.
pub struct Package {
    pub deb: PathBuf,
    pub version: String,
}

impl Package {
    /// A field of the control file, as `dpkg-deb --field` prints it.
    pub fn field(&self, name: &str) -> String {
        let output = Command::new("dpkg-deb")
            .arg("--field")
            .arg(&self.deb)
            .arg(name)
            .output()
            .expect("dpkg-deb runs");
        succeeds(output, "dpkg-deb --field").trim().to_string()
    }
}

/// The package, built once per test run; `None` when cargo-deb or dpkg-deb
/// is missing outside CI.
///
/// It packages the debug binary this very run built (`--no-build --profile
/// dev`): a release build takes about 12 minutes on CI's 2 cores, and what
/// is tested here is the packaging, which is the same for both. cargo-deb
/// warns that the dev profile is meant for testing only; `--strip` makes
/// the binary the size of a shipped one for lintian and the install, and
/// `--fast` compresses in seconds instead of half a minute.
pub fn package() -> Option<&'static Package> {
    static PACKAGE: OnceLock<Option<Package>> = OnceLock::new();
    PACKAGE.get_or_init(build_package).as_ref()
}

fn build_package() -> Option<Package> {
    let install = format!("cargo install cargo-deb --version {CARGO_DEB_VERSION} --locked");
    if !tool("cargo-deb", &["--version"], &install)
        || !tool("dpkg-deb", &["--version"], "apt-get install dpkg")
    {
        return None;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("deb");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["deb", "--no-build", "--profile", "dev", "--strip", "--fast"])
        .arg("--output")
        .arg(&out)
        .output()
        .expect("cargo deb runs");
    let printed = succeeds(output, "cargo deb");
    // cargo-deb prints the path of the package it wrote, last.
    let deb = PathBuf::from(printed.lines().last().expect("the package's path").trim());
    assert!(deb.is_file(), "cargo deb printed {printed}");
    let mut package = Package {
        deb,
        version: String::new(),
    };
    package.version = package.field("Version");
    let bytes = std::fs::metadata(&package.deb).unwrap().len();
    eprintln!(
        "measure: {} is {bytes} bytes, installed {} KiB",
        package.deb.display(),
        package.field("Installed-Size")
    );
    Some(package)
}

/// The package unpacked (`dpkg-deb --extract`) into a fresh directory.
pub fn unpacked(package: &Package) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new("dpkg-deb")
        .arg("--extract")
        .arg(&package.deb)
        .arg(dir.path())
        .output()
        .expect("dpkg-deb runs");
    succeeds(output, "dpkg-deb --extract");
    dir
}

/// The variables `deploy/debian/env` (the package's /etc/schemagate/env)
/// lists, commented out as shipped.
pub fn env_file_variables() -> Vec<String> {
    std::fs::read_to_string(repo_file("deploy/debian/env"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix('#')?.strip_suffix('='))
        .map(str::to_string)
        .collect()
}
