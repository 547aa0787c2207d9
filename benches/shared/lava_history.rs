// A generated LAVA-size history for the benches (included with `include!`):
// 20,000 commits, 160 monthly release tags plus 16 maintenance releases on
// side branches, a Django migration in three releases of four.

use std::io::Write as _;
use std::process::Stdio;

const COMMITS: usize = 20_000;
const RELEASES: usize = 160;
const SOURCE_FILES: usize = 400;
const APPS: [&str; 4] = [
    "lava_scheduler_app",
    "lava_results_app",
    "linaro_django_xmlrpc",
    "lava_server",
];
/// Every tenth release gets a `.1` patch release on a branch of its own.
const MAINTENANCE_EVERY: usize = 10;

/// Release names 2013.01, 2013.02, … one a month.
fn release_name(index: usize) -> String {
    format!("{}.{:02}", 2013 + index / 12, index % 12 + 1)
}

/// Writes the history through `git fast-import`: each commit edits one source
/// file; every 125th commit is a release, three releases in four also add a
/// Django migration (apps in turn), and every tenth release gets a patch
/// release on a side branch. Returns how many migrations it added.
fn build_history(dir: &std::path::Path, migration_text: &dyn Fn(usize) -> String) -> usize {
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .status()
            .expect("git");
        assert!(status.success());
    };
    git(&["init", "-q", "-b", "main"]);
    let mut import = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let mut stream = std::io::BufWriter::new(import.stdin.take().expect("stdin"));
    let per_release = COMMITS / RELEASES;
    let mut migrations = 0;
    let mut side_mark = COMMITS;
    let commit_header = |stream: &mut dyn std::io::Write, branch: &str, mark: usize, n: usize| {
        let message = format!("change {n}");
        writeln!(stream, "commit refs/heads/{branch}\nmark :{mark}").unwrap();
        writeln!(
            stream,
            "committer Bench <bench@example.org> {} +0000",
            1_300_000_000 + n * 600
        )
        .unwrap();
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
    };
    for n in 1..=COMMITS {
        commit_header(&mut stream, "main", n, n);
        if n > 1 {
            writeln!(stream, "from :{}", n - 1).unwrap();
        }
        let content = format!("VALUE = {n}\n");
        let path = format!("{}/module_{}.py", APPS[n % 4], n % SOURCE_FILES);
        writeln!(
            stream,
            "M 100644 inline {path}\ndata {}\n{content}",
            content.len()
        )
        .unwrap();
        if n % per_release != 0 {
            continue;
        }
        let release = n / per_release - 1;
        if !release.is_multiple_of(4) {
            migrations += 1;
            let text = migration_text(migrations);
            let app = APPS[migrations % 4];
            writeln!(
                stream,
                "M 100644 inline {app}/migrations/{migrations:04}_field_{migrations}.py\ndata {}\n{text}",
                text.len()
            )
            .unwrap();
        }
        writeln!(
            stream,
            "reset refs/tags/{}\nfrom :{n}\n",
            release_name(release)
        )
        .unwrap();
        if release.is_multiple_of(MAINTENANCE_EVERY) {
            side_mark += 1;
            let branch = format!("maint-{release}");
            commit_header(&mut stream, &branch, side_mark, n);
            writeln!(stream, "from :{n}").unwrap();
            let fix = format!("FIX = {release}\n");
            writeln!(
                stream,
                "M 100644 inline lava_server/fix.py\ndata {}\n{fix}",
                fix.len()
            )
            .unwrap();
            writeln!(
                stream,
                "reset refs/tags/{}.1\nfrom :{side_mark}\n",
                release_name(release)
            )
            .unwrap();
        }
    }
    drop(stream);
    assert!(import.wait().expect("fast-import").success());
    git(&["checkout", "-q", "main"]);
    migrations
}
