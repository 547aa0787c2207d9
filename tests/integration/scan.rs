//! `schemagate scan` over git ranges built by the tests and over path lists.

use crate::support::git_repo::TestRepo;
use assert_cmd::Command;
use serde_json::Value;

pub(crate) fn schemagate() -> Command {
    let mut cmd = Command::cargo_bin("schemagate").expect("binary built");
    // Keep a developer's own schemagate.toml or env out of the tests.
    cmd.env_remove("SCHEMAGATE_CONFIG");
    cmd.current_dir(std::env::temp_dir());
    cmd
}

/// Runs `scan --format json` over `range` in `repo` and returns the JSON.
pub(crate) fn scan_json(repo: &TestRepo, range: &str) -> Value {
    let out = schemagate()
        .args(["scan", "--format", "json", "--repo"])
        .arg(repo.path())
        .arg(range)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("scan prints JSON")
}

/// `(path, change, kind)` of every migration in a scan's JSON.
fn migrations(report: &Value) -> Vec<(String, String, String)> {
    report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap().to_string(),
                m["change"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn kind_of(report: &Value, path: &str) -> Option<String> {
    migrations(report)
        .into_iter()
        .find(|(p, _, _)| p == path)
        .map(|(_, _, k)| k)
}

const DJANGO_INITIAL: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"Device\",\n            fields=[(\"id\", models.AutoField(primary_key=True))],\n        ),\n    ]\n";

const DJANGO_RUNPYTHON: &str = "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    Device = apps.get_model(\"lava_scheduler_app\", \"Device\")\n    Device.objects.filter(health=3).update(health=1)\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"lava_scheduler_app\", \"0001_initial\")]\n    operations = [\n        migrations.RunPython(forwards, migrations.RunPython.noop),\n    ]\n";

const DJANGO_SQUASHED: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    replaces = [\n        (\"lava_scheduler_app\", \"0001_initial\"),\n        (\"lava_scheduler_app\", \"0002_fix_health\"),\n    ]\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"Device\",\n            fields=[(\"id\", models.AutoField(primary_key=True))],\n        ),\n    ]\n";

const ALEMBIC_MERGE: &str = "\"\"\"merge heads\n\nRevision ID: 7c1a2b3d4e5f\nRevises: 1a2b3c4d5e6f, 6f5e4d3c2b1a\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n# revision identifiers, used by Alembic.\nrevision = \"7c1a2b3d4e5f\"\ndown_revision = (\"1a2b3c4d5e6f\", \"6f5e4d3c2b1a\")\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";

const ALEMBIC_ENV: &str = "from alembic import context\n\nconfig = context.config\n\n\ndef run_migrations_online():\n    pass\n";

const CHANGELOG_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\">\n  <changeSet id=\"1\" author=\"dev\">\n    <createTable tableName=\"devices\">\n      <column name=\"id\" type=\"INT\"/>\n    </createTable>\n  </changeSet>\n";

const CHANGELOG_APPENDED: &str = "  <changeSet id=\"2\" author=\"dev\">\n    <addColumn tableName=\"devices\">\n      <column name=\"name\" type=\"VARCHAR(128)\"/>\n    </addColumn>\n  </changeSet>\n";

const RAILS_POST_MIGRATION: &str = "class RemoveLegacyColumn < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy, :string\n  end\nend\n";

/// A repository with one baseline commit holding established migrations.
fn baseline() -> (TestRepo, String) {
    let mut repo = TestRepo::new();
    repo.write("lava_scheduler_app/migrations/__init__.py", "")
        .write(
            "lava_scheduler_app/migrations/0001_initial.py",
            DJANGO_INITIAL,
        )
        .write(
            "src/main/resources/db/changelog/changes/devices.xml",
            &format!("{CHANGELOG_START}</databaseChangeLog>\n"),
        )
        .write(
            "src/main/resources/db/migration/R__device_views.sql",
            "CREATE OR REPLACE VIEW active_devices AS SELECT * FROM devices;\n",
        )
        .write("README.md", "# test project\n");
    let base = repo.commit("baseline");
    (repo, base)
}

#[test]
fn a_new_django_migration_is_a_schema_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "lava_scheduler_app/migrations/0002_add_lava-health_user.py",
        &DJANGO_INITIAL.replace("Device", "HealthUser"),
    );
    repo.commit("add migration");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(report["db_change"], true);
    assert_eq!(
        migrations(&report),
        vec![(
            "lava_scheduler_app/migrations/0002_add_lava-health_user.py".to_string(),
            "added".to_string(),
            "schema".to_string()
        )]
    );
    assert_eq!(report["migrations"][0]["framework"], "django");
}

#[test]
fn a_runpython_only_migration_is_a_data_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "lava_scheduler_app/migrations/0002_fix_health.py",
        DJANGO_RUNPYTHON,
    );
    repo.commit("data migration");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(&report, "lava_scheduler_app/migrations/0002_fix_health.py").as_deref(),
        Some("data")
    );
    assert_eq!(
        report["db_change"], true,
        "data migrations need downtime too"
    );
}

#[test]
fn a_squashed_django_migration_is_not_a_db_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "lava_scheduler_app/migrations/0001_squashed_0002_fix_health.py",
        DJANGO_SQUASHED,
    );
    repo.commit("squash");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(
            &report,
            "lava_scheduler_app/migrations/0001_squashed_0002_fix_health.py"
        )
        .as_deref(),
        Some("squash")
    );
    assert_eq!(report["db_change"], false);
}

#[test]
fn an_alembic_merge_revision_is_a_squash_and_env_py_is_ignored() {
    let (mut repo, base) = baseline();
    repo.write(
        "src/ai/backend/manager/models/alembic/versions/7c1a2b3d4e5f_merge_heads.py",
        ALEMBIC_MERGE,
    )
    .write("src/ai/backend/manager/models/alembic/env.py", ALEMBIC_ENV);
    repo.commit("merge heads");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        migrations(&report),
        vec![(
            "src/ai/backend/manager/models/alembic/versions/7c1a2b3d4e5f_merge_heads.py"
                .to_string(),
            "added".to_string(),
            "squash".to_string()
        )]
    );
    assert_eq!(report["db_change"], false);
}

#[test]
fn editing_an_old_migration_is_an_edit_not_a_db_change() {
    let (mut repo, base) = baseline();
    repo.append(
        "lava_scheduler_app/migrations/0001_initial.py",
        "# reformatted\n",
    );
    repo.commit("reformat");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        migrations(&report),
        vec![(
            "lava_scheduler_app/migrations/0001_initial.py".to_string(),
            "modified".to_string(),
            "edit".to_string()
        )]
    );
    assert_eq!(report["db_change"], false);
}

#[test]
fn a_changeset_appended_to_an_existing_changelog_is_a_schema_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "src/main/resources/db/changelog/changes/devices.xml",
        &format!("{CHANGELOG_START}{CHANGELOG_APPENDED}</databaseChangeLog>\n"),
    );
    repo.commit("add column");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(
            &report,
            "src/main/resources/db/changelog/changes/devices.xml"
        )
        .as_deref(),
        Some("schema")
    );
    assert_eq!(report["db_change"], true);
}

#[test]
fn a_changelog_edit_inside_an_existing_changeset_is_an_edit() {
    let (mut repo, base) = baseline();
    repo.write(
        "src/main/resources/db/changelog/changes/devices.xml",
        &format!(
            "{}</databaseChangeLog>\n",
            CHANGELOG_START.replace("type=\"INT\"", "type=\"BIGINT\"")
        ),
    );
    repo.commit("widen id");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(
            &report,
            "src/main/resources/db/changelog/changes/devices.xml"
        )
        .as_deref(),
        Some("edit")
    );
    assert_eq!(report["db_change"], false);
}

#[test]
fn editing_a_flyway_repeatable_migration_is_a_schema_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "src/main/resources/db/migration/R__device_views.sql",
        "CREATE OR REPLACE VIEW active_devices AS SELECT id FROM devices;\n",
    );
    repo.commit("narrow view");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(
            &report,
            "src/main/resources/db/migration/R__device_views.sql"
        )
        .as_deref(),
        Some("schema")
    );
    assert_eq!(report["db_change"], true);
}

#[test]
fn a_rails_post_deployment_migration_is_a_schema_change() {
    let (mut repo, base) = baseline();
    repo.write(
        "db/post_migrate/20261101120000_remove_legacy_column.rb",
        RAILS_POST_MIGRATION,
    );
    repo.commit("post migration");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(
            &report,
            "db/post_migrate/20261101120000_remove_legacy_column.rb"
        )
        .as_deref(),
        Some("schema")
    );
}

#[test]
fn decoys_are_ignored() {
    let (mut repo, base) = baseline();
    repo.write("alembic/env.py", ALEMBIC_ENV)
        .write(
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        )
        .write(
            "debian/changelog",
            "lava (2026.11) unstable; urgency=medium\n\n  * New release.\n",
        )
        .write(
            "docs/admin/migrating-to-postgresql.md",
            "# Migrating\n\nRun the migrations.\n",
        )
        .write(
            "make/photon/prepare/migrations/version_2_15_0/harbor.yml.jinja",
            "hostname: {{ hostname }}\n",
        )
        .write("CHANGELOG.md", "## 2026.11\n- migrations batched\n");
    repo.commit("decoys");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(migrations(&report), vec![]);
    assert_eq!(report["db_change"], false);
}

#[test]
fn a_migration_renamed_into_place_is_a_new_migration() {
    let (mut repo, base) = baseline();
    repo.write(
        "drafts/0002_device_name.py",
        &DJANGO_INITIAL.replace("Device", "Name"),
    );
    let middle = repo.commit("draft");
    repo.rename(
        "drafts/0002_device_name.py",
        "lava_scheduler_app/migrations/0002_device_name.py",
    );
    repo.commit("move into place");
    let report = scan_json(&repo, &format!("{middle}..HEAD"));
    assert_eq!(
        migrations(&report),
        vec![(
            "lava_scheduler_app/migrations/0002_device_name.py".to_string(),
            "renamed".to_string(),
            "schema".to_string()
        )]
    );
    let whole = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(
        kind_of(&whole, "lava_scheduler_app/migrations/0002_device_name.py").as_deref(),
        Some("schema")
    );
}

#[test]
fn exit_code_flag_reports_a_db_change_with_status_one() {
    let (mut repo, base) = baseline();
    let range = format!("{base}..HEAD");
    repo.write("README.md", "# changed\n");
    repo.commit("docs only");
    schemagate()
        .args(["scan", "--exit-code", "--repo"])
        .arg(repo.path())
        .arg(&range)
        .assert()
        .code(0);
    repo.write(
        "lava_scheduler_app/migrations/0002_more.py",
        &DJANGO_INITIAL.replace("Device", "More"),
    );
    repo.commit("migration");
    schemagate()
        .args(["scan", "--exit-code", "--repo"])
        .arg(repo.path())
        .arg(&range)
        .assert()
        .code(1);
}

#[test]
fn bad_ranges_and_repositories_are_one_sentence_errors_with_status_two() {
    let (repo, _) = baseline();
    let out = schemagate()
        .args(["scan", "--repo"])
        .arg(repo.path())
        .arg("nosuchbranch..HEAD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown revision `nosuchbranch`"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let out = schemagate()
        .args(["scan", "--repo"])
        .arg(empty.path())
        .arg("main..HEAD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a git repository"));
}

fn scan_paths(input: &str, extra: &[&str]) -> std::process::Output {
    schemagate()
        .args(["scan", "--paths", "-"])
        .args(extra)
        .write_stdin(input)
        .output()
        .unwrap()
}

#[test]
fn name_status_input_that_only_touches_old_migrations_is_not_a_db_change() {
    let input = "M\tlava_scheduler_app/migrations/0001_initial.py\nD\tdb/migrate/20200101000000_create_users.rb\nM\tlava_scheduler_app/models.py\n";
    let out = scan_paths(input, &["--format", "json", "--exit-code"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["db_change"], false);
    let kinds: Vec<String> = migrations(&report).into_iter().map(|(_, _, k)| k).collect();
    assert_eq!(kinds, vec!["edit", "edit"]);
}

#[test]
fn name_status_input_that_adds_a_migration_is_a_db_change() {
    let input = "M\tlava_scheduler_app/models.py\nA\tlava_scheduler_app/migrations/0065_device_tags.py\nR100\tdb/old_name.sql\tdb/migrate/20261101000000_add_tags.rb\n";
    let out = scan_paths(input, &["--format", "json", "--exit-code"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["db_change"], true);
    assert_eq!(
        migrations(&report),
        vec![
            (
                "lava_scheduler_app/migrations/0065_device_tags.py".to_string(),
                "added".to_string(),
                "schema".to_string()
            ),
            (
                "db/migrate/20261101000000_add_tags.rb".to_string(),
                "renamed".to_string(),
                "schema".to_string()
            ),
        ]
    );
}

#[test]
fn plain_paths_count_as_added_files_and_the_table_names_them() {
    let out = scan_paths("db/migrate/20261101000000_add_tags.rb\nREADME.md\n", &[]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("db/migrate/20261101000000_add_tags.rb"),
        "{stdout}"
    );
    assert!(stdout.contains("rails"), "{stdout}");
    assert!(!stdout.contains("README.md"), "{stdout}");
    assert!(stdout.contains("database change: yes"), "{stdout}");
}

#[test]
fn a_malformed_name_status_line_is_rejected_with_its_line_number() {
    let out = scan_paths("A\tok.py\nR100\tonly-one-path\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn a_changeset_appended_to_a_changelog_whose_path_has_spaces_is_a_schema_change() {
    let mut repo = TestRepo::new();
    let path = "db/changelog/my dir/changes 1.xml";
    repo.write(path, &format!("{CHANGELOG_START}</databaseChangeLog>\n"));
    let base = repo.commit("changelog");
    repo.write(
        path,
        &format!("{CHANGELOG_START}{CHANGELOG_APPENDED}</databaseChangeLog>\n"),
    );
    repo.commit("append");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(kind_of(&report, path).as_deref(), Some("schema"));
}

#[test]
fn a_submodule_named_like_a_migration_is_not_a_migration() {
    let (mut repo, base) = baseline();
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{base},db/migrate/20260102000000_vendored.rb"),
    ]);
    repo.git(&["commit", "-q", "-m", "submodule"]);
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(migrations(&report), vec![]);
    repo.write("db/migrate/20260102000001_real.rb", RAILS_POST_MIGRATION);
    repo.commit("real migration");
    let report = scan_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(migrations(&report).len(), 1);
}

#[test]
fn the_empty_tree_as_base_scans_a_history_from_nothing() {
    let (repo, _) = baseline();
    let empty_tree = repo.git(&["hash-object", "-t", "tree", "/dev/null"]);
    let report = scan_json(&repo, &format!("{empty_tree}..HEAD"));
    assert_eq!(
        kind_of(&report, "lava_scheduler_app/migrations/0001_initial.py").as_deref(),
        Some("schema")
    );
    assert_eq!(report["db_change"], true);
}
