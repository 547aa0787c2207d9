//! `schemagate scan` finding migrations that collide, over real git
//! histories built here: Django double leaves, Alembic double heads and
//! duplicate Flyway versions seeded by parallel branches, merge migrations
//! that resolve them, and nothing on a linear history.

use crate::scan::{scan_json as scan, schemagate};
use crate::support::git_repo::TestRepo;
use crate::support::migrations::{alembic, django};
use serde_json::Value;

const APP: &str = "lava_scheduler_app/migrations";
const VERSIONS: &str = "lava_server/alembic/versions";
const FLYWAY: &str = "src/main/resources/db/migration";

/// main: a Django app with 0001…0067, an Alembic chain a0 → a1, Flyway V1…V4.
fn project() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(&format!("{APP}/__init__.py"), "");
    for n in 1..=67u32 {
        let parent = format!("{:04}_step", n - 1);
        let parents: Vec<&str> = if n == 1 { vec![] } else { vec![&parent] };
        repo.write(
            &format!("{APP}/{n:04}_step.py"),
            &django(&format!("{n}"), &parents),
        );
    }
    repo.write(&format!("{VERSIONS}/a0_base.py"), &alembic("a0", "None"))
        .write(&format!("{VERSIONS}/a1_next.py"), &alembic("a1", "\"a0\""))
        .write(
            "lava_server/alembic/env.py",
            "from alembic import context\n",
        );
    for v in 1..=4 {
        repo.write(
            &format!("{FLYWAY}/V{v}__step.sql"),
            &format!("ALTER TABLE jobs ADD COLUMN v{v} INT;\n"),
        );
    }
    repo.commit("baseline");
    repo
}

/// A branch from main with `files`, committed; main is checked out after.
fn branch(repo: &mut TestRepo, name: &str, files: &[(String, String)]) {
    repo.git(&["checkout", "-q", "-b", name, "main"]);
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit(name);
    repo.git(&["checkout", "-q", "main"]);
}

fn merge(repo: &TestRepo, name: &str) {
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        &format!("merge {name}"),
        name,
    ]);
}

fn conflicts(report: &Value) -> Vec<Value> {
    report["conflicts"]
        .as_array()
        .expect("a range scan lists conflicts")
        .clone()
}

/// The three parallel pairs: MR1/MR2 (Django 0068), MR3/MR4 (Alembic on
/// a1), MR5/MR6 (Flyway V5).
fn parallel_branches(repo: &mut TestRepo) {
    let file = |dir: &str, name: &str, text: String| (format!("{dir}/{name}"), text);
    branch(
        repo,
        "mr1",
        &[file(APP, "0068_mine.py", django("68a", &["0067_step"]))],
    );
    branch(
        repo,
        "mr2",
        &[file(APP, "0068_theirs.py", django("68b", &["0067_step"]))],
    );
    branch(
        repo,
        "mr3",
        &[file(VERSIONS, "b3_x.py", alembic("b3", "\"a1\""))],
    );
    branch(
        repo,
        "mr4",
        &[file(VERSIONS, "b4_y.py", alembic("b4", "'a1'"))],
    );
    branch(
        repo,
        "mr5",
        &[file(FLYWAY, "V5__a.sql", "SELECT 1;\n".into())],
    );
    branch(
        repo,
        "mr6",
        &[file(FLYWAY, "V5__b.sql", "SELECT 2;\n".into())],
    );
}

#[test]
fn a_linear_history_has_no_conflicts() {
    let mut repo = project();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write(
        &format!("{APP}/0068_next.py"),
        &django("68", &["0067_step"]),
    )
    .write(&format!("{VERSIONS}/b1_next.py"), &alembic("b1", "'a1'"))
    .write(&format!("{FLYWAY}/V5__next.sql"), "SELECT 1;\n");
    repo.commit("next of each");
    repo.write(
        &format!("{APP}/0069_after.py"),
        &django("69", &["0068_next"]),
    );
    repo.commit("and one more");
    let report = scan(&repo, &format!("{base}..HEAD"));
    assert_eq!(report["migrations"].as_array().unwrap().len(), 4);
    assert_eq!(conflicts(&report), Vec::<Value>::new());
}

#[test]
fn each_branch_alone_is_fine_and_after_a_merge_its_twin_conflicts() {
    let mut repo = project();
    parallel_branches(&mut repo);
    for name in ["mr1", "mr2", "mr3", "mr4", "mr5", "mr6"] {
        assert_eq!(
            conflicts(&scan(&repo, &format!("main...{name}"))),
            Vec::<Value>::new(),
            "{name}"
        );
    }
    merge(&repo, "mr1");
    merge(&repo, "mr3");
    merge(&repo, "mr5");

    let django = conflicts(&scan(&repo, "main...mr2"));
    assert_eq!(django.len(), 1, "{django:?}");
    assert_eq!(django[0]["framework"], "django");
    assert_eq!(django[0]["kind"], "two_leaves");
    assert_eq!(django[0]["group"], APP);
    assert_eq!(
        django[0]["files"],
        serde_json::json!([format!("{APP}/0068_theirs.py")])
    );
    assert_eq!(
        django[0]["existing"],
        serde_json::json!([format!("{APP}/0068_mine.py")])
    );
    assert!(
        django[0]["fix"]
            .as_str()
            .unwrap()
            .contains("makemigrations --merge")
    );

    let alembic = conflicts(&scan(&repo, "main...mr4"));
    assert_eq!(alembic.len(), 1, "{alembic:?}");
    assert!(
        alembic[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Multiple head revisions are present")
    );
    assert_eq!(
        alembic[0]["existing"],
        serde_json::json!([format!("{VERSIONS}/b3_x.py")])
    );

    // Two dots as well: BASE is the branch, whatever it has gained since.
    let flyway = conflicts(&scan(&repo, "main..mr6"));
    assert_eq!(flyway.len(), 1, "{flyway:?}");
    assert_eq!(flyway[0]["kind"], "same_version");
    assert_eq!(
        flyway[0]["files"],
        serde_json::json!([format!("{FLYWAY}/V5__b.sql")])
    );
    assert!(flyway[0]["fix"].as_str().unwrap().contains("V6__"));
}

#[test]
fn a_history_that_merged_both_twins_shows_each_collision() {
    let mut repo = project();
    let base = repo.git(&["rev-parse", "HEAD"]);
    parallel_branches(&mut repo);
    for name in ["mr1", "mr2", "mr3", "mr4", "mr5", "mr6"] {
        merge(&repo, name);
    }
    let found = conflicts(&scan(&repo, &format!("{base}..HEAD")));
    let kinds: Vec<(&str, &str)> = found
        .iter()
        .map(|c| {
            (
                c["framework"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{found:?}");
    assert!(kinds.contains(&("django", "two_leaves")));
    assert!(kinds.contains(&("alembic", "two_leaves")));
    assert!(kinds.contains(&("flyway", "same_version")));
}

#[test]
fn merge_migrations_resolve_the_collision() {
    let mut repo = project();
    let base = repo.git(&["rev-parse", "HEAD"]);
    parallel_branches(&mut repo);
    for name in ["mr1", "mr2", "mr3", "mr4"] {
        merge(&repo, name);
    }
    repo.write(
        &format!("{APP}/0069_merge.py"),
        &django("merge", &["0068_mine", "0068_theirs"]),
    )
    .write(
        &format!("{VERSIONS}/m1_merge.py"),
        &alembic("m1", "(\"b3\", \"b4\")"),
    );
    repo.commit("merge migrations");
    assert_eq!(
        conflicts(&scan(&repo, &format!("{base}..HEAD"))),
        Vec::<Value>::new()
    );
}

#[test]
fn exit_code_and_table_report_a_conflict() {
    let mut repo = project();
    parallel_branches(&mut repo);
    merge(&repo, "mr5");
    let out = schemagate()
        .args(["scan", "--exit-code", "--repo"])
        .arg(repo.path())
        .arg("main...mr6")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("conflict (flyway): Found more than one migration with version 5"),
        "{table}"
    );
    assert!(
        table.contains("V5__a.sql") && table.contains("V5__b.sql"),
        "{table}"
    );
}
