//! Detection end to end: the labelled path corpus (precision and recall of
//! path-only classification), per-framework examples, decoys, classification
//! with content, built-in pack validity and user-pack error reporting.

use schemagate::core::detect::{
    ContentNeeds, FileContent, RuleSet, builtin_packs, parse_name_status_line, parse_pack,
};
use schemagate::core::types::{ChangeKind, ChangedFile, MigrationKind};

const LABELLED: &str = include_str!("../data/labelled_paths.tsv");

struct Labelled {
    kind: Option<MigrationKind>,
    file: ChangedFile,
    note: String,
}

fn labelled() -> Vec<Labelled> {
    LABELLED
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 3, "bad corpus line: {line}");
            let kind = match fields[0] {
                "none" => None,
                name => Some(MigrationKind::from_name(name).expect("known kind")),
            };
            let change = ChangeKind::from_name(fields[1]).expect("known change");
            // A rename may name its old path: `old -> new`.
            let file = match fields[2].split_once(" -> ") {
                Some((old, new)) => {
                    assert_eq!(change, ChangeKind::Renamed, "`->` on a non-rename: {line}");
                    ChangedFile::renamed(old, new)
                }
                None => ChangedFile::new(fields[2], change),
            };
            Labelled {
                kind,
                file,
                note: fields.get(3).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

fn classify(rules: &RuleSet, line: &str) -> Option<(String, MigrationKind)> {
    let file = parse_name_status_line(line).expect("valid line");
    rules.classify_path(&file).map(|m| (m.framework, m.kind))
}

fn classify_with(
    rules: &RuleSet,
    line: &str,
    text: Option<&str>,
    added: Option<&str>,
) -> Option<(String, MigrationKind)> {
    let file = parse_name_status_line(line).expect("valid line");
    let content = FileContent {
        text,
        added_lines: added,
    };
    rules
        .classify(&file, &content)
        .map(|m| (m.framework, m.kind))
}

#[test]
fn labelled_corpus_has_enough_paths_of_both_sorts() {
    let rows = labelled();
    let migrations = rows.iter().filter(|r| r.kind.is_some()).count();
    assert!(rows.len() >= 600, "{} rows", rows.len());
    assert!(migrations * 10 >= rows.len() * 4, "{migrations} migrations");
    assert!((rows.len() - migrations) * 10 >= rows.len() * 4);
}

#[test]
fn path_only_precision_and_recall_are_at_least_98_percent() {
    let rules = RuleSet::builtin();
    let (mut tp, mut fp, mut fn_, mut tn, mut same_kind) = (0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for row in labelled() {
        let found = rules.classify_path(&row.file);
        let expected = row.kind.is_some_and(|k| k.is_db_change());
        let predicted = found.as_ref().is_some_and(|m| m.kind.is_db_change());
        if found.as_ref().map(|m| m.kind) == row.kind {
            same_kind += 1;
        }
        match (expected, predicted) {
            (true, true) => tp += 1,
            (false, false) => tn += 1,
            (false, true) => {
                fp += 1;
                misses.push(format!("false positive: {} ({})", row.file.path, row.note));
            }
            (true, false) => {
                fn_ += 1;
                misses.push(format!("false negative: {} ({})", row.file.path, row.note));
            }
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp);
    let recall = f64::from(tp) / f64::from(tp + fn_);
    let total = tp + fp + fn_ + tn;
    println!(
        "path-only detection over {total} labelled paths: precision {precision:.4} recall {recall:.4} \
         (tp {tp}, fp {fp}, fn {fn_}, tn {tn}); exact class agreement {same_kind}/{total}"
    );
    for miss in &misses {
        println!("  {miss}");
    }
    assert!(precision >= 0.98, "precision {precision:.4}");
    assert!(recall >= 0.98, "recall {recall:.4}");
}

#[test]
fn every_builtin_pack_parses_and_has_rules() {
    let packs = builtin_packs();
    assert!(packs.len() >= 20);
    for name in [
        "django",
        "alembic",
        "rails",
        "flyway",
        "liquibase",
        "golang-migrate",
        "goose",
        "sqlx",
        "diesel",
        "refinery",
        "seaorm",
        "prisma",
        "knex",
        "sequelize",
        "typeorm",
        "laravel",
        "ecto",
        "efcore",
        "ef6",
        "doctrine",
    ] {
        let pack = packs.iter().find(|p| p.name == name);
        assert!(
            pack.is_some_and(|p| !p.rules.is_empty()),
            "missing pack {name}"
        );
    }
}

#[test]
fn each_framework_recognises_its_own_layout() {
    let rules = RuleSet::builtin();
    let cases = [
        ("app/migrations/0002_auto_20240101_1200.py", "django"),
        ("pkg/alembic/versions/ab12cd34ef56_add_table.py", "alembic"),
        ("db/migrate/20240101000000_create_users.rb", "rails"),
        ("db/post_migrate/20240101000000_drop_column.rb", "rails"),
        (
            "db/analytics_migrate/20240101000000_create_events.rb",
            "rails",
        ),
        ("plugins/foo/db/migrate/001_create_foo.rb", "rails"),
        ("src/main/resources/db/migration/V1__init.sql", "flyway"),
        (
            "src/main/resources/db/changelog/changes/001.yaml",
            "liquibase",
        ),
        ("db/migrations/000001_init.up.sql", "golang-migrate"),
        ("db/migrations/20230201093158_create_users.sql", "goose"),
        ("migrations/20230201093158_users/up.sql", "diesel"),
        ("migrations/V1__init.rs", "refinery"),
        ("migration/src/m20220101_000001_create_table.rs", "seaorm"),
        (
            "prisma/migrations/20240101000000_init/migration.sql",
            "prisma",
        ),
        ("migrations/20240101000000_create_users.js", "knex"),
        ("migrations/20240101000000-create-user.js", "sequelize"),
        ("src/migrations/1700000000000-CreateUsers.ts", "typeorm"),
        (
            "database/migrations/2024_01_01_000000_create_posts_table.php",
            "laravel",
        ),
        (
            "priv/repo/migrations/20240101000000_create_users.exs",
            "ecto",
        ),
        ("Data/Migrations/20240101000000_Initial.cs", "efcore"),
        ("App/Migrations/201401011200000_Initial.cs", "ef6"),
        ("migrations/Version20240101000000.php", "doctrine"),
    ];
    for (path, framework) in cases {
        let found = classify(&rules, path);
        assert_eq!(found.map(|(f, _)| f).as_deref(), Some(framework), "{path}");
    }
}

#[test]
fn decoys_from_real_repositories_do_not_match() {
    let rules = RuleSet::builtin();
    for path in [
        "make/photon/prepare/migrations/version_2_15_0/harbor.yml.jinja",
        "make/photon/prepare/migrations/version_2_15_0/__init__.py",
        "src/ai/backend/agent/cli/config_migrate.py",
        "src/ai/backend/common/configs/migration/migrator.py",
        "docs/migration/2003-to-2009.rst",
        "src/ai/backend/manager/models/alembic/env.py",
        "lib/generators/redmine_plugin_migration/templates/migration.rb.tt",
        "lib/tasks/migrate_from_trac.rake",
        "prisma/migrations/migration_lock.toml",
        "debian/changelog",
        "CHANGELOG.md",
        "src/jobservice/migration/migrator.go",
        ".gitlab-ci/analyze/django_migrations.sh",
        "app/migrations/__init__.py",
        "db/schema.rb",
        "database/schema/mysql-schema.sql",
        "src/schema.rs",
        ".sqlx/query-0a9e6b5b.json",
        "Migrations/20240101000000_Initial.Designer.cs",
        "Migrations/AppDbContextModelSnapshot.cs",
        "migration/src/lib.rs",
        "migration/src/m20220101_000001_create_table_entities.rs",
        "docs/upgrading/migrations.md",
        "docs/examples/db/migrate/20240101000000_create_users.rb",
    ] {
        assert_eq!(classify(&rules, path), None, "{path}");
    }
}

#[test]
fn django_hyphenated_names_match() {
    let rules = RuleSet::builtin();
    let found = classify(
        &rules,
        "lava_scheduler_app/migrations/0002_add_lava-health_user.py",
    );
    assert_eq!(found, Some(("django".into(), MigrationKind::Schema)));
}

#[test]
fn modified_or_deleted_migration_is_an_edit() {
    let rules = RuleSet::builtin();
    let path = "app/migrations/0002_auto.py";
    assert_eq!(
        classify(&rules, &format!("M\t{path}")).map(|f| f.1),
        Some(MigrationKind::Edit)
    );
    assert_eq!(
        classify(&rules, &format!("D\t{path}")).map(|f| f.1),
        Some(MigrationKind::Edit)
    );
    assert_eq!(
        classify(&rules, &format!("R100\tdrafts/0003_x.py\t{path}")).map(|f| f.1),
        Some(MigrationKind::Schema)
    );
}

#[test]
fn moving_existing_migrations_is_an_edit_not_a_database_change() {
    let rules = RuleSet::builtin();
    for line in [
        "R100\tapp/migrations/0001_initial.py\tsrc/app/migrations/0001_initial.py",
        "R100\tapp/migrations/0003_x.py\tapp/migrations/0004_x.py",
        "R097\tdb/migrate/20200101000000_create_users.rb\tengines/core/db/migrate/20200101000000_create_users.rb",
    ] {
        let file = parse_name_status_line(line).unwrap();
        let found = rules.classify_path(&file).expect(line);
        assert_eq!(found.kind, MigrationKind::Edit, "{line}");
        assert!(!found.kind.is_db_change());
        let old = file.old_path.as_deref().unwrap();
        assert!(
            found.reason.contains(&format!("moved from {old}")),
            "{}",
            found.reason
        );
    }
}

#[test]
fn renaming_a_file_into_a_migration_directory_is_a_new_migration() {
    let rules = RuleSet::builtin();
    for (line, framework) in [
        ("R100\tdrafts/0002_x.py\tapp/migrations/0002_x.py", "django"),
        (
            "R090\ttmp/20240101000000_add_index.rb\tdb/migrate/20240101000000_add_index.rb",
            "rails",
        ),
        // The old path is a migration of another framework: not a move within one.
        (
            "R100\tdb/migrate/20240101000000_x.rb\tapp/migrations/0005_x.py",
            "django",
        ),
    ] {
        assert_eq!(
            classify(&rules, line),
            Some((framework.into(), MigrationKind::Schema)),
            "{line}"
        );
    }
}

#[test]
fn engine_test_apps_vendored_code_and_front_end_state_migrations_do_not_match() {
    let rules = RuleSet::builtin();
    for path in [
        "test/dummy/db/migrate/20240101000000_create_widgets.rb",
        "spec/dummy/db/migrate/20240101000000_create_widgets.rb",
        "test/rails_app/db/migrate/20240101000000_create_users.rb",
        "spec/internal/db/migrate/20240101000000_create_posts.rb",
        "engines/shop/test/dummy/db/migrate/20240101000000_create_carts.rb",
        "vendor/bundle/ruby/3.2.0/gems/doorkeeper-5.6.0/db/migrate/20240101000000_create_tables.rb",
        "vendor/laravel/framework/src/Illuminate/Queue/migrations/2024_01_01_000000_create_jobs_table.php",
        "services/api/vendor/github.com/x/y/migrations/000001_init.up.sql",
        "node_modules/connect-session-knex/migrations/20200101000000_create_sessions.js",
        "third_party/pgbouncer/migrations/0001_initial.py",
        ".venv/lib/python3.12/site-packages/django/contrib/auth/migrations/0013_alter_user.py",
        "static/js/migrations/0001_x.js",
        "assets/db/migrations/20240101000000_x.js",
        "public/migrations/20240101000000_x.js",
        "frontend/src/migrations/2.js",
        "client/src/store/migrations/3.ts",
        "web/src/migrations/4.js",
        "src/store/migrations/5.js",
        "frontend/src/migrations/20240101000000-add-field.js",
    ] {
        assert_eq!(classify(&rules, path), None, "{path}");
    }
}

#[test]
fn global_excludes_do_not_apply_to_extra_paths() {
    let rules = RuleSet::new(builtin_packs(), &["vendor/ours/sql/*.sql".into()], &[]).unwrap();
    assert_eq!(
        classify(&rules, "vendor/ours/sql/001.sql"),
        Some(("custom".into(), MigrationKind::Schema))
    );
    assert_eq!(
        classify(&rules, "vendor/ours/db/migrate/20240101000000_x.rb"),
        None
    );
}

#[test]
fn android_changelog_resources_are_not_liquibase() {
    let rules = RuleSet::builtin();
    let notes = "<changelog>\n  <release version=\"2.1\">\n    <change>New changeset viewer</change>\n  </release>\n</changelog>\n";
    for line in [
        "M\tapp/src/main/res/xml/changelog.xml",
        "M\tapp/src/main/res/raw/changelog.xml",
    ] {
        assert_eq!(classify(&rules, line), None, "{line}");
        assert_eq!(
            classify_with(&rules, line, Some(notes), Some(notes)),
            None,
            "{line}"
        );
    }
}

#[test]
fn liquibase_needs_its_own_syntax_not_the_word_changeset() {
    let rules = RuleSet::builtin();
    let line = "A\tdocs-site/changelog/release-changelog.xml";
    let notes = "<notes>\n  <item>Every changeset is reviewed.</item>\n</notes>\n";
    assert_eq!(classify_with(&rules, line, Some(notes), None), None);
    for text in [
        "<databaseChangeLog>\n</databaseChangeLog>\n",
        "<root>\n  <changeSet id=\"1\" author=\"a\"/>\n</root>\n",
        "--liquibase formatted sql\n--changeset a:1\ncreate table t (id int);\n",
        "-- changeset a:1\ncreate table t (id int);\n",
    ] {
        let sql_line = if text.starts_with("--") {
            "A\tdb/changelog/001-init.sql"
        } else {
            line
        };
        assert_eq!(
            classify_with(&rules, sql_line, Some(text), None),
            Some(("liquibase".into(), MigrationKind::Schema)),
            "{text}"
        );
    }
}

const DJANGO_SQUASH: &str = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    replaces = [('app', '0001_initial'), ('app', '0002_x')]\n    operations = [migrations.CreateModel(name='A', fields=[])]\n";
const DJANGO_DATA: &str = "from django.db import migrations\n\ndef forwards(apps, schema_editor):\n    pass\n\nclass Migration(migrations.Migration):\n    dependencies = [('app', '0001_initial')]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n";
const DJANGO_MIXED: &str = "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.AddField(model_name='a', name='b', field=models.IntegerField(default=0)),\n        migrations.RunPython(fill_b),\n    ]\n";

#[test]
fn django_replaces_is_a_squash_and_runpython_only_is_data() {
    let rules = RuleSet::builtin();
    let line = "app/migrations/0003_x.py";
    let kind = |text| classify_with(&rules, line, Some(text), None).map(|f| f.1);
    assert_eq!(kind(DJANGO_SQUASH), Some(MigrationKind::Squash));
    assert_eq!(kind(DJANGO_DATA), Some(MigrationKind::Data));
    assert_eq!(kind(DJANGO_MIXED), Some(MigrationKind::Schema));
}

#[test]
fn django_file_without_a_migration_class_is_not_a_migration() {
    let rules = RuleSet::builtin();
    let text = "# helper shared by migrations\ndef fill(apps):\n    pass\n";
    assert_eq!(
        classify_with(&rules, "app/migrations/0003_helpers.py", Some(text), None),
        None
    );
}

const ALEMBIC_MERGE: &str = "\"\"\"merge heads\n\nRevision ID: 21ce28a1c771\n\"\"\"\nfrom alembic import op\n\n# revision identifiers, used by Alembic.\nrevision = '21ce28a1c771'\ndown_revision = ('f5338adb2de1', '0a200d0fc480')\nbranch_labels = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
const ALEMBIC_REAL: &str = "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'c4b7ec740b36'\ndown_revision = ('a', 'b')\n\n\ndef upgrade() -> None:\n    op.add_column('vfolders', sa.Column('status', sa.String(64)))\n\n\ndef downgrade() -> None:\n    op.drop_column('vfolders', 'status')\n";
const ALEMBIC_TYPED_MERGE: &str = "revision: str = 'x'\ndown_revision: Union[str, Sequence[str], None] = ('a', 'b')\n\n\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n    pass\n\n\ndef downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n    pass\n";

#[test]
fn alembic_merge_revision_is_a_squash_only_when_upgrade_is_empty() {
    let rules = RuleSet::builtin();
    let line = "src/models/alembic/versions/21ce28a1c771_merge.py";
    let kind = |text| classify_with(&rules, line, Some(text), None).map(|f| f.1);
    assert_eq!(kind(ALEMBIC_MERGE), Some(MigrationKind::Squash));
    assert_eq!(kind(ALEMBIC_TYPED_MERGE), Some(MigrationKind::Squash));
    assert_eq!(kind(ALEMBIC_REAL), Some(MigrationKind::Schema));
}

#[test]
fn liquibase_changeset_appended_to_existing_changelog_is_schema() {
    let rules = RuleSet::builtin();
    let line = "M\tschema/changelog-6.13.0.xml";
    let text = "<databaseChangeLog>\n  <changeSet author=\"author\" id=\"changelog-6.13.0\">\n  </changeSet>\n</databaseChangeLog>\n";
    let appended = "  <changeSet author=\"author\" id=\"changelog-6.13.1\">\n    <addColumn tableName=\"tc_devices\"/>\n  </changeSet>";
    let reworded = "    <comment>typo fixed</comment>";
    let found = classify_with(&rules, line, Some(text), Some(appended));
    assert_eq!(found, Some(("liquibase".into(), MigrationKind::Schema)));
    let edit = classify_with(&rules, line, Some(text), Some(reworded));
    assert_eq!(edit.map(|f| f.1), Some(MigrationKind::Edit));
    let yaml = classify_with(
        &rules,
        "M\tsrc/main/resources/db/changelog/changes/001.yaml",
        Some("databaseChangeLog:\n"),
        Some("  - changeSet:\n      id: 2"),
    );
    assert_eq!(yaml.map(|f| f.1), Some(MigrationKind::Schema));
}

#[test]
fn liquibase_master_changelog_that_only_includes_is_not_a_migration() {
    let rules = RuleSet::builtin();
    let line = "M\tschema/changelog-master.xml";
    let include = "  <include file=\"changelog-6.14.0.xml\" relativeToChangelogFile=\"true\" />";
    assert_eq!(classify_with(&rules, line, None, Some(include)), None);
    assert_eq!(classify(&rules, line), None);
}

#[test]
fn flyway_repeatable_edit_is_schema_and_versioned_edit_is_edit() {
    let rules = RuleSet::builtin();
    let repeatable = classify(&rules, "M\tsrc/main/resources/db/migration/R__views.sql");
    assert_eq!(repeatable, Some(("flyway".into(), MigrationKind::Schema)));
    let versioned = classify(&rules, "M\tsrc/main/resources/db/migration/V1__init.sql");
    assert_eq!(versioned.map(|f| f.1), Some(MigrationKind::Edit));
    let baseline = classify(&rules, "db/migration/B5__baseline.sql");
    assert_eq!(baseline.map(|f| f.1), Some(MigrationKind::Squash));
}

#[test]
fn rails_post_deploy_migration_is_schema_and_says_so() {
    let rules = RuleSet::builtin();
    let file = ChangedFile::new(
        "db/post_migrate/20240101000000_drop_x.rb",
        ChangeKind::Added,
    );
    let text = "class DropX < Gitlab::Database::Migration[2.2]\n  def up\n  end\nend\n";
    let found = rules
        .classify(
            &file,
            &FileContent {
                text: Some(text),
                added_lines: None,
            },
        )
        .expect("post_migrate matches");
    assert_eq!(found.kind, MigrationKind::Schema);
    assert!(found.reason.contains("post-deployment"), "{}", found.reason);
}

#[test]
fn require_markers_pick_the_framework_when_content_is_known() {
    let rules = RuleSet::builtin();
    let line = "db/migrations/20230201093158_create_users.sql";
    let goose = "-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n";
    let plain = "CREATE TABLE users (id int);\n";
    assert_eq!(
        classify_with(&rules, line, Some(goose), None)
            .map(|f| f.0)
            .as_deref(),
        Some("goose")
    );
    assert_eq!(
        classify_with(&rules, line, Some(plain), None)
            .map(|f| f.0)
            .as_deref(),
        Some("sqlx")
    );
    let knex = "exports.up = function(knex) { return knex.schema.createTable('a', t => {}) };";
    let js = "migrations/20240101000000-create-user.js";
    assert_eq!(
        classify_with(&rules, js, Some(knex), None)
            .map(|f| f.0)
            .as_deref(),
        Some("knex")
    );
}

#[test]
fn content_needs_is_none_for_unrelated_files_and_lists_what_rules_read() {
    let rules = RuleSet::builtin();
    assert_eq!(
        rules.content_needs(&ChangedFile::new("src/main.rs", ChangeKind::Modified)),
        None
    );
    let changelog = ChangedFile::new("schema/changelog-6.13.0.xml", ChangeKind::Modified);
    assert_eq!(
        rules.content_needs(&changelog),
        Some(ContentNeeds {
            text: true,
            added_lines: true
        })
    );
    let django = ChangedFile::new("app/migrations/0002_x.py", ChangeKind::Added);
    assert_eq!(
        rules.content_needs(&django),
        Some(ContentNeeds {
            text: true,
            added_lines: false
        })
    );
    // A new SQL migration is read for its operations (expand or contract).
    let prisma = ChangedFile::new("prisma/migrations/1_x/migration.sql", ChangeKind::Added);
    assert_eq!(
        rules.content_needs(&prisma),
        Some(ContentNeeds {
            text: true,
            added_lines: false
        })
    );
    // A modified one is an edit: nothing in it is read.
    let edited = ChangedFile::new("prisma/migrations/1_x/migration.sql", ChangeKind::Modified);
    assert_eq!(rules.content_needs(&edited), Some(ContentNeeds::default()));
}

#[test]
fn extra_paths_count_as_custom_and_ignore_paths_win() {
    let extra = vec!["schema/*.sql".to_string()];
    let ignore = vec!["legacy/**".to_string()];
    let rules = RuleSet::new(builtin_packs(), &extra, &ignore).expect("valid globs");
    assert_eq!(
        classify(&rules, "schema/001.sql").map(|f| f.0).as_deref(),
        Some("custom")
    );
    assert_eq!(
        classify(&rules, "schema/sub/001.sql"),
        None,
        "* must not cross /"
    );
    assert_eq!(
        classify(&rules, "legacy/app/migrations/0001_initial.py"),
        None
    );
    assert_eq!(
        classify(&rules, "app/migrations/0001_initial.py")
            .map(|f| f.0)
            .as_deref(),
        Some("django")
    );
}

#[test]
fn bad_config_globs_are_reported_with_their_key() {
    let errors = RuleSet::new(Vec::new(), &["a/[b".to_string()], &["{c".to_string()])
        .expect_err("invalid globs");
    let keys: Vec<_> = errors.errors().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["extra_paths[0]", "ignore_paths[0]"]);
}

#[test]
fn duplicate_pack_names_are_rejected() {
    let mut packs = builtin_packs();
    packs.push(
        parse_pack(
            "mine.toml",
            "name = \"django\"\ntitle = \"Mine\"\n[[rule]]\npaths = [\"x/*.sql\"]\n",
        )
        .unwrap(),
    );
    let errors = RuleSet::new(packs, &[], &[]).expect_err("duplicate");
    assert!(errors.errors()[0].message.contains("django"));
    assert_eq!((errors.errors()[0].line, errors.errors()[0].column), (1, 8));
}

const BROKEN_PACK: &str = r#"name = "Bad Name"
title = "Broken"
colour = "red"

[[rule]]
paths = ["db/[migrate/*.rb"]
changes = ["added", "moved"]
require = ["(unclosed"]

[[rule.class]]
kind = "schemaa"
file_any = ["ok", "[bad"]
typo = true

[[rule]]
paths = []
"#;

#[test]
fn broken_user_pack_reports_every_error_with_line_and_column() {
    let errors = parse_pack("user.toml", BROKEN_PACK).expect_err("broken pack");
    let found: Vec<(String, usize, usize)> = errors
        .errors()
        .iter()
        .map(|e| (e.key.clone(), e.line, e.column))
        .collect();
    let expected = [
        ("name", 1, 8),
        ("colour", 3, 1),
        ("rule[0].paths[0]", 6, 10),
        ("rule[0].changes[1]", 7, 21),
        ("rule[0].require[0]", 8, 12),
        ("rule[0].class[0].kind", 11, 8),
        ("rule[0].class[0].file_any[1]", 12, 19),
        ("rule[0].class[0].typo", 13, 1),
        ("rule[1].paths", 16, 9),
    ];
    let expected: Vec<(String, usize, usize)> = expected
        .iter()
        .map(|(k, l, c)| (k.to_string(), *l, *c))
        .collect();
    assert_eq!(found, expected, "{errors}");
    for error in errors.errors() {
        assert!(!error.fix.is_empty(), "{error}");
        assert!(error.to_string().starts_with("user.toml:"), "{error}");
    }
}

#[test]
fn toml_syntax_errors_have_a_position() {
    let errors = parse_pack("user.toml", "name = \"x\"\ntitle = \n").expect_err("syntax");
    let first = &errors.errors()[0];
    assert_eq!(first.line, 2);
    assert!(first.message.contains("TOML syntax"), "{first}");
}

#[test]
fn user_pack_with_content_refinement_classifies() {
    let text = r#"
name = "inhouse"
title = "In-house SQL runner"
priority = 50

[[rule]]
id = "sql"
paths = ["db/sql/*.sql"]
changes = ["added", "modified"]

[[rule.class]]
kind = "data"
changes = ["added"]
file_none = ['(?i)\b(create|alter|drop)\s+(table|index|view)\b']
reason = "no DDL"
"#;
    let pack = parse_pack("inhouse.toml", text).expect("valid");
    let rules = RuleSet::new(vec![pack], &[], &[]).expect("valid");
    let file = ChangedFile::new("db/sql/0001_fill.sql", ChangeKind::Added);
    let data = rules.classify(
        &file,
        &FileContent {
            text: Some("UPDATE t SET a = 1;"),
            added_lines: None,
        },
    );
    assert_eq!(data.map(|m| m.kind), Some(MigrationKind::Data));
    let ddl = rules.classify(
        &file,
        &FileContent {
            text: Some("ALTER TABLE t ADD b int;"),
            added_lines: None,
        },
    );
    assert_eq!(ddl.map(|m| m.kind), Some(MigrationKind::Schema));
    let deleted = ChangedFile::new("db/sql/0001_fill.sql", ChangeKind::Deleted);
    assert_eq!(
        rules.classify_path(&deleted),
        None,
        "deletions are not counted by this rule"
    );
}

#[test]
fn rules_test_command_reports_each_path_as_json() {
    use schemagate::cli::Format;
    use schemagate::cli::rules::test_report;
    let rules = RuleSet::builtin();
    let input = "app/migrations/0002_x.py\nM\tREADME.md\n\nR100\told.sql\tdb/migration/R__v.sql\n";
    let report = test_report(&rules, input, Format::Json).expect("valid input");
    let json: serde_json::Value = serde_json::from_str(&report).expect("json");
    assert_eq!(json["db_change"], true);
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["framework"], "django");
    assert_eq!(files[1]["matched"], false);
    assert_eq!(files[2]["change"], "renamed");
    assert_eq!(files[2]["kind"], "schema");
}

#[test]
fn rules_test_command_names_the_bad_line() {
    use schemagate::cli::Format;
    use schemagate::cli::rules::test_report;
    let error =
        test_report(&RuleSet::builtin(), "a.py\nX\tb.py\n", Format::Table).expect_err("bad");
    assert!(
        error.to_string().starts_with("line 2 of the path list"),
        "{error}"
    );
}

#[test]
fn rules_list_command_shows_every_pack_and_its_globs() {
    use schemagate::cli::Format;
    use schemagate::cli::rules::list_report;
    let rules = RuleSet::builtin();
    let table = list_report(&rules, Format::Table);
    for pack in rules.packs() {
        assert!(table.contains(&pack.name), "{}", pack.name);
    }
    assert!(table.contains("**/migrations/[0-9][0-9][0-9][0-9]_*.py"));
    let json: serde_json::Value = serde_json::from_str(&list_report(&rules, Format::Json)).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(rules.packs().len()));
}

#[test]
fn rules_cli_exits_zero_and_prints_matches() {
    let output = assert_cmd::Command::cargo_bin("schemagate")
        .unwrap()
        .args(["rules", "test"])
        .write_stdin("db/migrate/20240101000000_create_users.rb\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("rails"), "{stdout}");
}

#[test]
fn rules_cli_does_not_class_migrations_in_documentation_folders() {
    // LAVA keeps its documentation under `doc/`, others under `docs/` or
    // `documentation/`: example migrations there are not the project's.
    let output = assert_cmd::Command::cargo_bin("schemagate")
        .unwrap()
        .env_remove("SCHEMAGATE_CONFIG")
        .current_dir(std::env::temp_dir())
        .args(["rules", "test", "--format", "json"])
        .write_stdin(
            "doc/migrations/0001_x.py
docs/migrations/0001_x.py
\
             documentation/db/migrate/20240101000000_create_users.rb
\
             lava_scheduler_app/migrations/0001_x.py
",
        )
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let matched: Vec<bool> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["matched"].as_bool().unwrap())
        .collect();
    assert_eq!(matched, [false, false, false, true], "{json}");
}

#[test]
fn every_error_of_a_user_pack_is_reported_by_config_load() {
    use schemagate::config::{ConfigError, load};
    let dir = tempfile::tempdir().unwrap();
    let pack = "name = \"acme\"\ntitle = \"Acme\"\n\n[[rule]]\npaths = [\"db/[\"]\nchanges = [\"added\", \"moved\"]\nrequire = [\"(\"]\n";
    std::fs::write(dir.path().join("acme.toml"), pack).unwrap();
    let config = dir.path().join("schemagate.toml");
    std::fs::write(&config, "[rules]\nfiles = [\"acme.toml\"]\n").unwrap();
    let Err(ConfigError::Invalid { errors }) = load(Some(&config)) else {
        panic!("a pack with three errors must make the config invalid");
    };
    // All three sit at the same config position, so they come sorted by key.
    let expected = [
        ("rules.files[0]:rule[0].changes[1]", "acme.toml:6:21:"),
        ("rules.files[0]:rule[0].paths[0]", "acme.toml:5:10:"),
        ("rules.files[0]:rule[0].require[0]", "acme.toml:7:12:"),
    ];
    assert_eq!(errors.errors.len(), expected.len(), "{errors}");
    for (issue, (key, position)) in errors.errors.iter().zip(expected) {
        assert_eq!(issue.key_path, key, "{errors}");
        assert_eq!((issue.line, issue.column), (2, 10), "{issue:?}");
        assert!(issue.message.contains(position), "{}", issue.message);
    }
}
