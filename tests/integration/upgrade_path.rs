//! `schemagate upgrade-path` end to end: versions from a file or from a git
//! repository's tags, plans, `--check` verdicts and exit codes.

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn schemagate(args: &[&str]) -> Outcome {
    let output = cargo_bin_cmd!("schemagate")
        .args(args)
        .output()
        .expect("the binary runs");
    Outcome {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A Backend.AI-shaped release list (23.03.0–11, 23.09.0–10, 24.03.0–5 and a
/// release candidate) written as a versions file, with comments and blanks.
fn backend_ai_versions(dir: &TempDir) -> String {
    let mut text = String::from("# Backend.AI releases\n\n");
    for (series, last) in [("23.03", 11), ("23.09", 10), ("24.03", 5)] {
        for patch in 0..=last {
            text.push_str(&format!("{series}.{patch}\n"));
        }
        text.push('\n');
    }
    text.push_str("24.03.0rc1   # candidates are never stops\n");
    write(dir, "versions.txt", &text)
}

/// The path line of a plan (the lines after it say why at each stop).
fn path_line(out: &Outcome) -> &str {
    out.stdout.lines().next().unwrap_or("")
}

fn write(dir: &TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.to_string_lossy().into_owned()
}

fn plan(dir: &TempDir, extra: &[&str]) -> Outcome {
    let versions = backend_ai_versions(dir);
    let mut args = vec![
        "upgrade-path",
        "--versions",
        &versions,
        "--scheme",
        "yy.mm.patch",
    ];
    args.extend_from_slice(extra);
    schemagate(&args)
}

#[test]
fn plans_the_stop_gap_path_through_the_latest_patch_of_each_series() {
    let dir = TempDir::new().unwrap();
    let out = plan(&dir, &["--from", "23.03.0", "--to", "24.03.5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "23.03.0 → 23.03.11 → 23.09.10 → 24.03.5");
}

#[test]
fn prints_the_path_as_json() {
    let dir = TempDir::new().unwrap();
    let out = plan(
        &dir,
        &["--from", "23.09.9", "--to", "24.03.0", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "path": ["23.09.9", "23.09.10", "24.03.0"],
            "stops": [{
                "version": "23.09.10",
                "reason": "the latest release of series 23.09, which is left only from its latest release",
            }],
        })
    );
}

#[test]
fn to_latest_means_the_highest_stable_release() {
    let dir = TempDir::new().unwrap();
    let out = plan(&dir, &["--from", "23.09.10", "--to", "latest"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "23.09.10 → 24.03.5");
}

#[test]
fn consecutive_policy_lists_every_release() {
    let dir = TempDir::new().unwrap();
    let out = plan(
        &dir,
        &[
            "--from",
            "23.09.8",
            "--to",
            "24.03.1",
            "--policy",
            "consecutive",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        path_line(&out),
        "23.09.8 → 23.09.9 → 23.09.10 → 24.03.0 → 24.03.1"
    );
}

#[test]
fn check_accepts_each_documented_allowed_path() {
    let allowed = [
        "23.09.10,24.03.0",
        "23.09.10,24.03.5",
        "23.09.9,23.09.10,24.03.0",
        "23.03.11,23.09.0,23.09.1,23.09.2,23.09.3,23.09.4,23.09.5,23.09.6,23.09.7,\
         23.09.8,23.09.9,23.09.10,24.03.0",
    ];
    let dir = TempDir::new().unwrap();
    for path in allowed {
        let out = plan(&dir, &["--check", path]);
        assert_eq!(out.code, 0, "{path}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.starts_with("allowed: "), "{}", out.stdout);
    }
}

#[test]
fn check_refuses_each_documented_forbidden_path_with_the_reason_and_a_fix() {
    let dir = TempDir::new().unwrap();
    let out = plan(&dir, &["--check", "23.09.9,24.03.0"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "refused: 23.09.9 → 24.03.0 skips 23.09.10, the latest release of series 23.09; \
         upgrade to 23.09.10 first\nan allowed path: 23.09.9 → 23.09.10 → 24.03.0\n"
    );

    let out = plan(&dir, &["--check", "23.03.0, 24.03.0", "--format", "json"]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["allowed"], false);
    assert_eq!(
        json["reason"],
        "23.03.0 → 24.03.0 skips series 23.09; pass through 23.09.10, its latest release"
    );
    assert_eq!(
        json["suggested_path"],
        serde_json::json!(["23.03.0", "23.03.11", "23.09.10", "24.03.0"])
    );
}

#[test]
fn check_with_an_unknown_version_is_an_error() {
    let dir = TempDir::new().unwrap();
    let out = plan(&dir, &["--check", "23.09.10,24.03.9"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: 24.03.9 is not a known release; the known releases run from 23.03.0 to 24.03.5\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_downgrade_is_an_error() {
    let dir = TempDir::new().unwrap();
    let out = plan(&dir, &["--from", "24.03.0", "--to", "23.09.10"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("does not move forward"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreadable_versions_file_is_one_sentence_and_exit_2() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.txt");
    let out = schemagate(&[
        "upgrade-path",
        "--versions",
        missing.to_str().unwrap(),
        "--from",
        "1.0.0",
        "--to",
        "2.0.0",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: cannot read "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn a_line_that_is_not_a_version_is_named_with_its_number() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "versions.txt", "# semver list\n1.0.0\nversion two\n");
    let out = schemagate(&[
        "upgrade-path",
        "--versions",
        &file,
        "--from",
        "1.0.0",
        "--to",
        "1.0.0",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .ends_with("line 3: `version two` is not a semver version\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn db_stop_gaps_stops_at_the_releases_listed_with_database_changes() {
    let dir = TempDir::new().unwrap();
    let db = write(&dir, "db.txt", "23.09.4\n24.03.2 # new tables\n");
    let out = plan(
        &dir,
        &[
            "--from",
            "23.09.1",
            "--to",
            "24.03.5",
            "--policy",
            "db-stop-gaps",
            "--db-releases",
            &db,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        path_line(&out),
        "23.09.1 → 23.09.4 → 23.09.10 → 24.03.2 → 24.03.5"
    );
    // Each stop is listed with its reason, in path order.
    let reasons: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(
        reasons,
        [
            "stop at 23.09.4: it ships database migrations, which run there",
            "stop at 23.09.10: the latest release of series 23.09, which is left only from its latest release",
            "stop at 24.03.2: it ships database migrations, which run there",
        ]
    );

    let out = plan(
        &dir,
        &[
            "--check",
            "23.09.10,24.03.5",
            "--policy",
            "db-stop-gaps",
            "--db-releases",
            &db,
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("skips 24.03.2, which ships database migrations"),
        "{}",
        out.stdout
    );
}

#[test]
fn db_stop_gaps_needs_the_database_releases() {
    let dir = TempDir::new().unwrap();
    let out = plan(
        &dir,
        &[
            "--from",
            "23.09.1",
            "--to",
            "24.03.5",
            "--policy",
            "db-stop-gaps",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--db-releases FILE"), "{}", out.stderr);

    let db = write(&dir, "db.txt", "24.03.9\n");
    let out = plan(
        &dir,
        &[
            "--from",
            "23.09.1",
            "--to",
            "24.03.5",
            "--policy",
            "db-stop-gaps",
            "--db-releases",
            &db,
        ],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("24.03.9 in ") && out.stderr.contains("not one of the known releases"),
        "{}",
        out.stderr
    );
}

#[test]
fn db_releases_with_another_policy_is_an_error() {
    let dir = TempDir::new().unwrap();
    let db = write(&dir, "db.txt", "24.03.2\n");
    let out = plan(
        &dir,
        &["--from", "23.09.1", "--to", "24.03.5", "--db-releases", &db],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("only applies to --policy db-stop-gaps"));
}

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// A repository with one commit per tag, plus tags that are not releases.
fn tagged_repo(tags: &[&str]) -> TempDir {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "--quiet"]);
    for tag in tags {
        git(
            dir.path(),
            &["commit", "--quiet", "--allow-empty", "-m", tag],
        );
        git(dir.path(), &["tag", tag]);
    }
    dir
}

#[test]
fn repo_release_tags_are_the_known_releases_and_keep_their_spelling() {
    let repo = tagged_repo(&[
        "v1.3.0",
        "v1.3.2",
        "deploy-prod",
        "v1.4.0",
        "v1.4.1",
        "latest",
        "v1.5.0-rc.1",
        "v1.5.0",
    ]);
    let dir = repo.path().to_str().unwrap();
    let out = schemagate(&[
        "upgrade-path",
        "--repo",
        dir,
        "--from",
        "1.3.0",
        "--to",
        "1.5.0",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "v1.3.0 → v1.3.2 → v1.4.1 → v1.5.0");

    let out = schemagate(&["upgrade-path", "--repo", dir, "--check", "1.3.2,1.5.0"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("skips series 1.4"), "{}", out.stdout);
}

#[test]
fn repo_tags_follow_the_chosen_scheme() {
    let repo = tagged_repo(&["2023.05", "2023.05.1", "2023.06", "1.0.0"]);
    let out = schemagate(&[
        "upgrade-path",
        "--repo",
        repo.path().to_str().unwrap(),
        "--scheme",
        "calver",
        "--from",
        "2023.05",
        "--to",
        "2023.06",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Calver's default policy goes straight to the target: nothing in this
    // history forces a stop.
    assert_eq!(out.stdout.trim(), "2023.05 → 2023.06");

    let out = schemagate(&[
        "upgrade-path",
        "--repo",
        repo.path().to_str().unwrap(),
        "--scheme",
        "calver",
        "--policy",
        "stop-gaps",
        "--from",
        "2023.05",
        "--to",
        "2023.06",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "2023.05 → 2023.05.1 → 2023.06");
}

#[test]
fn a_repo_without_release_tags_says_so() {
    let repo = tagged_repo(&["deploy-prod"]);
    let out = schemagate(&[
        "upgrade-path",
        "--repo",
        repo.path().to_str().unwrap(),
        "--from",
        "1.0.0",
        "--to",
        "1.1.0",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("found no semver versions"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_directory_that_is_not_a_repository_is_an_error() {
    let dir = TempDir::new().unwrap();
    let out = schemagate(&[
        "upgrade-path",
        "--repo",
        dir.path().to_str().unwrap(),
        "--from",
        "1.0.0",
        "--to",
        "1.1.0",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: ") && out.stderr.contains("is not a git repository"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

const RESULTS: &str = "lava_results_app/migrations";

fn django(name: &str, extra: &str) -> String {
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n{extra}    dependencies = []\n    operations = [migrations.CreateModel(name=\"{name}\", fields=[])]\n"
    )
}

/// A squash release (2026.02 adds `0001_squashed_0003_b.py`, replacing
/// 0001–0003) and the later release that deletes the replaced migrations
/// (2026.04), as LAVA's results app went; 2025.10 predates 0003.
fn squash_history() -> crate::support::git_repo::TestRepo {
    let mut repo = crate::support::git_repo::TestRepo::new();
    repo.write(&format!("{RESULTS}/0001_initial.py"), &django("Suite", ""));
    repo.write(&format!("{RESULTS}/0002_a.py"), &django("TestCase", ""));
    repo.commit("results");
    repo.tag("2025.10");
    repo.write(&format!("{RESULTS}/0003_b.py"), &django("TestSet", ""));
    repo.commit("test sets");
    repo.tag("2025.12");
    repo.write("lava_results_app/views.py", "VIEWS = 1\n");
    repo.commit("views");
    repo.tag("2026.01");
    let replaces = "    replaces = [\n        (\"lava_results_app\", \"0001_initial\"),\n        (\"lava_results_app\", \"0002_a\"),\n        (\"lava_results_app\", \"0003_b\"),\n    ]\n";
    repo.write(
        &format!("{RESULTS}/0001_squashed_0003_b.py"),
        &django("Suite", replaces),
    );
    repo.commit("squash the results migrations");
    repo.tag("2026.02");
    repo.write("lava_results_app/views.py", "VIEWS = 2\n");
    repo.commit("views again");
    repo.tag("2026.03");
    for name in ["0001_initial", "0002_a", "0003_b"] {
        repo.git(&["rm", "-q", &format!("{RESULTS}/{name}.py")]);
    }
    repo.commit("drop the squashed-away migrations");
    repo.tag("2026.04");
    repo.write(&format!("{RESULTS}/0004_c.py"), &django("Chart", ""));
    repo.commit("charts");
    repo.tag("2026.07");
    repo
}

fn in_repo(repo: &crate::support::git_repo::TestRepo, args: &[&str]) -> Outcome {
    let dir = repo.path().to_str().unwrap();
    let mut all = vec!["upgrade-path", "--repo", dir, "--scheme", "calver"];
    all.extend_from_slice(args);
    schemagate(&all)
}

#[test]
fn calver_goes_straight_to_the_target_except_at_a_squash_deletion() {
    let repo = squash_history();
    let out = in_repo(&repo, &["--from", "2025.10", "--to", "2026.07"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "2025.10 → 2026.03 → 2026.07");
    let why = out.stdout.lines().nth(1).unwrap_or_default();
    assert_eq!(
        why,
        "stop at 2026.03: 2026.04 deletes lava_results_app/migrations/0001_initial.py, 0002_a.py, \
         0003_b.py, replaced by the squashed lava_results_app/migrations/0001_squashed_0003_b.py; \
         a database at 2025.10 has not applied them all, so it must run them at 2026.03, the \
         last release that carries them"
    );
    // 2025.12 carries all three: Django applies the squash's replacement.
    let out = in_repo(&repo, &["--from", "2025.12", "--to", "2026.07"]);
    assert_eq!(out.stdout.trim(), "2025.12 → 2026.07");
    // Not reaching the deletion: straight there.
    let out = in_repo(&repo, &["--from", "2025.10", "--to", "2026.03"]);
    assert_eq!(out.stdout.trim(), "2025.10 → 2026.03");

    let out = in_repo(
        &repo,
        &["--from", "2025.10", "--to", "2026.07", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["path"],
        serde_json::json!(["2025.10", "2026.03", "2026.07"])
    );
    assert_eq!(json["stops"][0]["version"], "2026.03");
}

#[test]
fn check_refuses_a_path_that_jumps_over_the_last_release_with_the_squashed_migrations() {
    let repo = squash_history();
    let out = in_repo(&repo, &["--check", "2025.10,2026.07"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(
            "refused: 2025.10 → 2026.07 jumps over 2026.03: 2026.04 deletes \
             lava_results_app/migrations/0001_initial.py, 0002_a.py, 0003_b.py"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("an allowed path: 2025.10 → 2026.03 → 2026.07\n"),
        "{}",
        out.stdout
    );
    let out = in_repo(&repo, &["--check", "2025.10,2026.03,2026.07"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    // Monthly releases are not series to finish under the calver default.
    let out = in_repo(&repo, &["--check", "2025.12,2026.07"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn a_path_between_two_unrelated_histories_is_refused_as_bad_input() {
    let mut repo = crate::support::git_repo::TestRepo::new();
    repo.write("server.py", "1\n");
    repo.commit("server");
    repo.tag("2015.11");
    repo.git(&["checkout", "-q", "--orphan", "dispatcher"]);
    repo.git(&["rm", "-rqf", "."]);
    repo.write("dispatcher.py", "1\n");
    repo.commit("dispatcher");
    repo.tag("2015.11.post1");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("server.py", "2\n");
    repo.commit("server 2015.12");
    repo.tag("2015.12");
    let out = in_repo(&repo, &["--from", "2015.11.post1", "--to", "2015.12"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "2015.11.post1 and 2015.12 belong to different histories (the series that starts \
             at 2015.11.post1 and the one that starts at 2015.11)"
        ),
        "{}",
        out.stderr
    );
    // A proposed path through the other history is refused the same way.
    let out = in_repo(&repo, &["--check", "2015.11,2015.11.post1,2015.12"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("2015.11.post1 and 2015.12 belong to different histories"),
        "{}",
        out.stderr
    );
    // Within the server's own series the dispatcher tag is no stop.
    let out = in_repo(
        &repo,
        &[
            "--from",
            "2015.11",
            "--to",
            "2015.12",
            "--policy",
            "consecutive",
        ],
    );
    assert_eq!(path_line(&out), "2015.11 → 2015.12");
}

#[test]
fn a_squash_added_in_the_release_that_deletes_what_it_replaces_is_a_cut_too() {
    // The squashed migration is 0001_initial plus `replaces`, so git's
    // rename detection pairs the two: the deletion must still be seen.
    let mut repo = crate::support::git_repo::TestRepo::new();
    let initial = django("Device", "");
    repo.write(&format!("{RESULTS}/0001_initial.py"), &initial);
    repo.commit("initial");
    repo.tag("2025.12");
    repo.write(&format!("{RESULTS}/0002_a.py"), &django("Tag", ""));
    repo.commit("tags");
    repo.tag("2026.01");
    repo.write("lava_results_app/views.py", "VIEWS = 1\n");
    repo.commit("views");
    repo.tag("2026.02");
    repo.git(&[
        "mv",
        &format!("{RESULTS}/0001_initial.py"),
        &format!("{RESULTS}/0001_squashed_0002_a.py"),
    ]);
    repo.git(&["rm", "-q", &format!("{RESULTS}/0002_a.py")]);
    repo.write(
        &format!("{RESULTS}/0001_squashed_0002_a.py"),
        &initial.replace(
            "    dependencies",
            "    replaces = [(\"lava_results_app\", \"0001_initial\"), (\"lava_results_app\", \"0002_a\")]\n    dependencies",
        ),
    );
    repo.commit("squash and drop");
    repo.tag("2026.04");
    let renamed = repo.git(&["diff", "-M", "--name-status", "2026.02", "2026.04"]);
    assert!(
        renamed.starts_with('R'),
        "the fixture must rename: {renamed}"
    );

    let out = in_repo(&repo, &["--from", "2025.12", "--to", "2026.04"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(path_line(&out), "2025.12 → 2026.02 → 2026.04");
    assert!(
        out.stdout.contains(
            "2026.04 deletes lava_results_app/migrations/0001_initial.py, 0002_a.py, replaced by"
        ),
        "{}",
        out.stdout
    );
    let out = in_repo(&repo, &["--from", "2026.01", "--to", "2026.04"]);
    assert_eq!(out.stdout.trim(), "2026.01 → 2026.04");
}
