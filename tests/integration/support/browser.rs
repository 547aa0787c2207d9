//! Real headless Chromium (Debian's `chromium`) for tests that look at a
//! page as a browser builds it: the DOM after load (`--dump-dom`, read back
//! by [`dom::Dom`]) and a PNG screenshot. Each run gets a fresh profile in a
//! temp directory and its own process group, killed whole when it outlives
//! [`CHROMIUM_TIMEOUT`], so a hung browser fails the test instead of
//! hanging the run.
//!
//! Without Chromium on `PATH` browser tests are skipped and counted, and the
//! run ends with one line saying how many (as `db.rs` does for PostgreSQL);
//! under `CI` a missing Chromium fails instead (`.ci/run` installs it).

pub mod dom;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long one Chromium run may take before it is killed.
pub const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

/// The names Chromium goes by on `PATH` (Debian's first).
const NAMES: &[&str] = &["chromium", "chromium-browser"];

/// The first 8 bytes of every PNG file.
pub const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

pub struct Chromium {
    program: PathBuf,
}

impl Chromium {
    /// Chromium, or `None` to skip (counted and reported at exit); panics
    /// under `CI`, where `.ci/run` installs it.
    pub fn find() -> Option<Chromium> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let found = NAMES.iter().find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        });
        match found {
            Some(program) => Some(Chromium { program }),
            None if std::env::var_os("CI").is_some() => panic!(
                "CI is set but Chromium is not on PATH: the browser tests cannot run \
                 (apt-get install chromium)"
            ),
            None => {
                count_skipped_browser_test();
                None
            }
        }
    }

    /// The DOM Chromium built from `url`, serialized after load.
    pub async fn dump_dom(&self, url: &str) -> String {
        let output = self.run(&["--dump-dom", url]).await;
        let html = String::from_utf8(output).expect("Chromium writes the DOM as UTF-8");
        assert!(
            html.contains("</html>"),
            "Chromium printed no document for {url}: {html:?}"
        );
        html
    }

    /// A `width`×`height` PNG of `url` at `path` (absolute).
    pub async fn screenshot(&self, url: &str, path: &Path, (width, height): (u32, u32)) {
        assert!(
            path.is_absolute(),
            "Chromium needs an absolute path: {path:?}"
        );
        let _ = std::fs::remove_file(path);
        let size = format!("--window-size={width},{height}");
        let target = format!("--screenshot={}", path.display());
        self.run(&["--hide-scrollbars", &size, &target, url]).await;
    }

    /// Runs Chromium headless on `args` with a fresh profile; its stdout.
    /// Fails the test, with Chromium's stderr, when it fails or hangs.
    async fn run(&self, args: &[&str]) -> Vec<u8> {
        let profile = tempfile::tempdir().expect("a temp dir for the Chromium profile");
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so a timeout kills its helpers too.
            .process_group(0)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.program.display()));
        let group = child.id().expect("a running child has an id");
        let output = match tokio::time::timeout(CHROMIUM_TIMEOUT, child.wait_with_output()).await {
            Ok(output) => output.expect("Chromium's output"),
            Err(_) => {
                kill_group(group);
                panic!("Chromium did not finish {args:?} within {CHROMIUM_TIMEOUT:?}; killed it");
            }
        };
        assert!(
            output.status.success(),
            "Chromium {args:?} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

/// SIGKILLs the process group a hung Chromium leads (its id is the
/// browser's), helpers included.
fn kill_group(group: u32) {
    let group = libc::pid_t::try_from(group).expect("a process id fits pid_t");
    // SAFETY: kill(2) with a negative id signals only the group this test
    // started; a group already gone answers ESRCH, which is ignored.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

/// Checks `path` holds a PNG and returns its width and height (from IHDR).
pub fn png_size(path: &Path) -> (u32, u32) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|error| panic!("no screenshot at {path:?}: {error}"));
    assert!(
        bytes.len() > 33 && bytes.starts_with(PNG_MAGIC) && &bytes[12..16] == b"IHDR",
        "{path:?} is not a PNG ({} bytes, starting {:?})",
        bytes.len(),
        &bytes[..bytes.len().min(16)]
    );
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (number(16), number(20))
}

static SKIPPED_BROWSER_TESTS: AtomicUsize = AtomicUsize::new(0);

/// Counts one skipped test; the count is printed once when the test
/// process exits, after libtest's summary (which captures test output).
fn count_skipped_browser_test() {
    static AT_EXIT: Once = Once::new();
    SKIPPED_BROWSER_TESTS.fetch_add(1, Ordering::Relaxed);
    AT_EXIT.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn` that only reads an atomic
        // and writes to stderr, which is safe during exit.
        unsafe {
            libc::atexit(report_skipped_browser_tests);
        }
    });
}

extern "C" fn report_skipped_browser_tests() {
    let skipped = SKIPPED_BROWSER_TESTS.load(Ordering::Relaxed);
    eprintln!(
        "note: {skipped} browser test(s) were skipped, not run, because Chromium is not on PATH \
         (CI installs it: apt-get install chromium)"
    );
}
