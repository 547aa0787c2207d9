//! `schemagate releases` over calver and semver histories built by the tests.

use crate::support::git_repo::TestRepo;
use assert_cmd::Command;
use serde_json::Value;

fn releases_json(repo: &TestRepo, extra: &[&str]) -> Vec<(String, String, bool, Vec<String>)> {
    let out = Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args(["releases", "--format", "json", "--repo"])
        .arg(repo.path())
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "releases failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair["from"].as_str().unwrap().to_string(),
                pair["to"].as_str().unwrap().to_string(),
                pair["db_change"].as_bool().unwrap(),
                pair["migrations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| {
                        format!(
                            "{}:{}",
                            m["kind"].as_str().unwrap(),
                            m["path"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

const APP: &str = "lava_scheduler_app/migrations";

fn django(model: &str) -> String {
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name=\"{model}\", fields=[]),\n    ]\n"
    )
}

const RUNPYTHON: &str = "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    pass\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    operations = [migrations.RunPython(forwards)]\n";

/// 2023.05 … 2023.10 with a patch, a post release, a squash-only release, an
/// edit-only "reformat" release and a maintenance release tagged out of
/// order, on a branch of its own.
fn calver_history() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(&format!("{APP}/0001_initial.py"), &django("Device"));
    repo.commit("initial");
    repo.tag("2023.05");
    repo.write("lava_scheduler_app/views.py", "VIEWS = 1\n");
    repo.commit("fix a view");
    repo.tag("2023.05.1");
    repo.write(&format!("{APP}/0002_device_tags.py"), &django("Tag"));
    repo.commit("tags");
    repo.tag("2023.06");
    repo.write(
        &format!("{APP}/0001_squashed_0002_device_tags.py"),
        &format!(
            "{}    replaces = [(\"app\", \"0001_initial\"), (\"app\", \"0002_device_tags\")]\n",
            django("Device")
        ),
    );
    repo.commit("squash");
    repo.tag("2023.07");
    repo.write(
        &format!("{APP}/0001_initial.py"),
        &django("Device").replace("fields=[]", "fields=[\n        ]"),
    );
    repo.write(
        &format!("{APP}/0002_device_tags.py"),
        &format!("# reformatted\n{}", django("Tag")),
    );
    repo.commit("reformat migrations");
    repo.tag("2023.08");
    repo.write(&format!("{APP}/0003_backfill_health.py"), RUNPYTHON);
    repo.commit("backfill");
    repo.tag("2023.09");
    repo.write(&format!("{APP}/0004_device_owner.py"), &django("Owner"));
    repo.commit("owner");
    repo.tag("2023.10");
    // A maintenance release cut from 2023.09 after 2023.10 was tagged.
    repo.git(&["checkout", "-q", "-b", "maint", "2023.09"]);
    repo.write("lava_scheduler_app/views.py", "VIEWS = 2\n");
    repo.commit("hotfix");
    repo.tag("2023.09.post1");
    repo.git(&["checkout", "-q", "main"]);
    repo.tag("deploy-production");
    repo
}

#[test]
fn calver_releases_are_compared_in_version_order_with_the_right_verdicts() {
    let repo = calver_history();
    let pairs = releases_json(&repo, &["--scheme", "calver"]);
    let verdicts: Vec<(&str, &str, bool)> = pairs
        .iter()
        .map(|(from, to, db, _)| (from.as_str(), to.as_str(), *db))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("2023.05", "2023.05.1", false),
            ("2023.05.1", "2023.06", true),
            ("2023.06", "2023.07", false),
            ("2023.07", "2023.08", false),
            ("2023.08", "2023.09", true),
            ("2023.09", "2023.09.post1", false),
            // 2023.09.post1 sits on a maintenance branch: 2023.10 descends
            // from 2023.09, which is what an admin upgrades from.
            ("2023.09", "2023.10", true),
        ]
    );
    assert_eq!(
        pairs[1].3,
        vec![format!("schema:{APP}/0002_device_tags.py")]
    );
    assert_eq!(
        pairs[2].3,
        vec![format!("squash:{APP}/0001_squashed_0002_device_tags.py")],
        "a squash-only release lists its squash but is not a database change"
    );
    let mut reformat = pairs[3].3.clone();
    reformat.sort();
    assert_eq!(
        reformat,
        vec![
            format!("edit:{APP}/0001_initial.py"),
            format!("edit:{APP}/0002_device_tags.py")
        ]
    );
    assert_eq!(
        pairs[4].3,
        vec![format!("data:{APP}/0003_backfill_health.py")]
    );
    assert_eq!(
        pairs[6].3,
        vec![format!("schema:{APP}/0004_device_owner.py")]
    );
}

#[test]
fn the_scheme_is_inferred_from_the_tags_when_not_given() {
    let repo = calver_history();
    assert_eq!(releases_json(&repo, &[]).len(), 7);
}

/// Rails history where patch releases on a maintenance branch carry migrations.
fn semver_history() -> TestRepo {
    let mut repo = TestRepo::new();
    let rails = |name: &str| {
        format!("class {name} < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n")
    };
    repo.write(
        "db/migrate/20260101000000_create_users.rb",
        &rails("CreateUsers"),
    );
    repo.commit("users");
    repo.tag("v1.0.0");
    repo.write(
        "db/migrate/20260201000000_create_projects.rb",
        &rails("CreateProjects"),
    );
    repo.commit("projects");
    repo.tag("v1.1.0");
    repo.write(
        "db/migrate/20260301000000_fix_user_index.rb",
        &rails("FixUserIndex"),
    );
    repo.commit("index fix");
    repo.tag("v1.1.1");
    repo.write("app/models/user.rb", "class User; end\n");
    repo.commit("model");
    repo.tag("v2.0.0-rc.1");
    repo.tag("v2.0.0");
    // 1.0.1 backports the index fix onto 1.0.0, tagged last.
    repo.git(&["checkout", "-q", "-b", "stable-1.0", "v1.0.0"]);
    repo.write(
        "db/migrate/20260301000000_fix_user_index.rb",
        &rails("FixUserIndex"),
    );
    repo.commit("backport index fix");
    repo.tag("v1.0.1");
    repo
}

#[test]
fn semver_patch_releases_that_add_migrations_count_and_prereleases_are_skipped() {
    let repo = semver_history();
    let pairs = releases_json(&repo, &["--scheme", "semver"]);
    let verdicts: Vec<(&str, &str, bool)> = pairs
        .iter()
        .map(|(from, to, db, _)| (from.as_str(), to.as_str(), *db))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("v1.0.0", "v1.0.1", true),
            // 1.1.0 descends from 1.0.0, not from the 1.0.1 backport.
            ("v1.0.0", "v1.1.0", true),
            ("v1.1.0", "v1.1.1", true),
            ("v1.1.1", "v2.0.0", false),
        ]
    );
    assert_eq!(
        pairs[0].3,
        vec!["schema:db/migrate/20260301000000_fix_user_index.rb".to_string()]
    );
    assert_eq!(
        pairs[1].3,
        vec!["schema:db/migrate/20260201000000_create_projects.rb".to_string()],
        "1.0.0 → 1.1.0 adds the projects table and nothing of the backport"
    );
}

#[test]
fn markdown_output_is_a_table_with_one_row_per_pair() {
    let repo = semver_history();
    let out = Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args([
            "releases", "--format", "markdown", "--scheme", "semver", "--repo",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("| FROM | TO | DB CHANGE | ROLLING | MIGRATIONS |"),
        "{text}"
    );
    assert!(
        text.contains("| v1.1.1 | v2.0.0 | no | yes | - |"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 6, "{text}");
}

#[test]
fn an_unknown_scheme_is_an_error() {
    let repo = semver_history();
    let out = Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args(["releases", "--scheme", "romver", "--repo"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown version scheme `romver`"),
        "{stderr}"
    );
}

#[test]
fn a_tag_of_a_tree_is_not_a_release_and_does_not_abort_the_comparison() {
    let repo = semver_history();
    repo.git(&["tag", "v9.9.9", "v1.0.0^{tree}"]);
    let pairs = releases_json(&repo, &["--scheme", "semver"]);
    assert_eq!(pairs.len(), 4);
    assert!(pairs.iter().all(|(_, to, _, _)| to != "v9.9.9"));
}

/// LAVA's shape: the server and the dispatcher were separate repositories,
/// each with its own root, tagged with interleaved calendar versions, until
/// the dispatcher was merged in (2016.03 here).
fn two_histories() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(&format!("{APP}/0001_initial.py"), &django("Device"));
    repo.commit("server");
    repo.tag("2015.11");
    repo.git(&["checkout", "-q", "--orphan", "dispatcher"]);
    repo.git(&["rm", "-rqf", "."]);
    repo.write("lava_dispatcher/actions.py", "ACTIONS = 1\n");
    repo.commit("dispatcher");
    repo.tag("2015.11.post1");
    repo.write("lava_dispatcher/actions.py", "ACTIONS = 2\n");
    repo.commit("dispatcher fix");
    repo.tag("2015.11.post2");
    repo.write("lava_dispatcher/actions.py", "ACTIONS = 3\n");
    repo.commit("dispatcher 2016.01");
    repo.tag("2016.01");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(&format!("{APP}/0002_device_tags.py"), &django("Tag"));
    repo.commit("tags");
    repo.tag("2015.12");
    repo.write("lava_scheduler_app/views.py", "VIEWS = 1\n");
    repo.commit("views");
    repo.tag("2016.02");
    repo.git(&[
        "merge",
        "-q",
        "--allow-unrelated-histories",
        "-m",
        "merge the dispatcher",
        "dispatcher",
    ]);
    repo.tag("2016.03");
    repo.write(&format!("{APP}/0003_device_owner.py"), &django("Owner"));
    repo.commit("owner");
    repo.tag("2016.04");
    repo
}

#[test]
fn each_release_is_compared_with_its_latest_earlier_ancestor_across_merged_histories() {
    let repo = two_histories();
    let out = Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args([
            "releases", "--format", "json", "--scheme", "calver", "--repo",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(&str, &str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["from"].as_str().unwrap(),
                p["to"].as_str().unwrap(),
                p["series"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2015.11.post1", "2015.11.post2", "2015.11.post1"),
            ("2015.11", "2015.12", "2015.11"),
            ("2015.11.post2", "2016.01", "2015.11.post1"),
            ("2015.12", "2016.02", "2015.11"),
            // The merge has both histories behind it; the latest earlier
            // release among its ancestors is the server's 2016.02.
            ("2016.02", "2016.03", "2015.11"),
            ("2016.03", "2016.04", "2015.11"),
        ]
    );
    // 2015.12 adds one migration; compared with the dispatcher's
    // 2015.11.post2 (the tag before it by version) it would re-add them all.
    let pairs = releases_json(&repo, &["--scheme", "calver"]);
    assert_eq!(
        pairs[1].3,
        vec![format!("schema:{APP}/0002_device_tags.py")]
    );
    assert!(!pairs[4].2, "the merge brings no migration");

    // Independently of the implementation: every `from` is an ancestor of
    // its `to`, and no release between them by version is.
    let tags: Vec<&str> = vec![
        "2015.11",
        "2015.11.post1",
        "2015.11.post2",
        "2015.12",
        "2016.01",
        "2016.02",
        "2016.03",
        "2016.04",
    ];
    let is_ancestor = |a: &str, b: &str| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(["merge-base", "--is-ancestor", a, b])
            .status()
            .unwrap()
            .success()
    };
    for (from, to, _) in &rows {
        assert!(is_ancestor(from, to), "{from} is not an ancestor of {to}");
        let (lo, hi) = (
            tags.iter().position(|t| t == from).unwrap(),
            tags.iter().position(|t| t == to).unwrap(),
        );
        for between in &tags[lo + 1..hi] {
            assert!(
                !is_ancestor(between, to),
                "{between} lies between {from} and {to} and is an ancestor of {to}"
            );
        }
    }
}

#[test]
fn the_table_lists_each_series_apart() {
    let repo = two_histories();
    let out = Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args(["releases", "--scheme", "calver", "--repo"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let server = text.find("series 2015.11 (5 releases)").expect(&text);
    let dispatcher = text.find("series 2015.11.post1 (3 releases)").expect(&text);
    assert!(text.starts_with("2 series"), "{text}");
    assert!(server < dispatcher, "{text}");
    let dispatcher_rows = &text[dispatcher..];
    assert!(dispatcher_rows.contains("2015.11.post2  2016.01"), "{text}");
    assert!(!dispatcher_rows.contains("2016.02"), "{text}");
}

/// Liquibase appends changeSets to one changelog: only the added lines tell
/// a release that adds one from a release that touches the file otherwise.
#[test]
fn added_lines_decide_appended_changelogs_across_all_pairs_in_one_pass() {
    let mut repo = TestRepo::new();
    let head = "<databaseChangeLog>\n  <changeSet id=\"1\" author=\"a\">\n    <createTable tableName=\"t\"/>\n  </changeSet>\n";
    let log = "src/main/resources/db/changelog/changes.xml";
    repo.write(log, &format!("{head}</databaseChangeLog>\n"));
    repo.commit("first");
    repo.tag("v1.0.0");
    repo.write(
        log,
        &format!("{head}  <changeSet id=\"2\" author=\"a\">\n    <addColumn tableName=\"t\"/>\n  </changeSet>\n</databaseChangeLog>\n"),
    );
    repo.commit("append a changeSet");
    repo.tag("v1.1.0");
    repo.append(log, "<!-- a comment -->\n");
    repo.commit("comment");
    repo.tag("v1.2.0");
    let verdicts: Vec<(String, bool)> = releases_json(&repo, &["--scheme", "semver"])
        .into_iter()
        .map(|(_, to, db, _)| (to, db))
        .collect();
    assert_eq!(
        verdicts,
        [("v1.1.0".to_string(), true), ("v1.2.0".to_string(), false)]
    );
}
