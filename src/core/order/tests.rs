//! Conflicts per framework, with the built-in packs' order declarations:
//! two leaves, two heads, duplicate and lower versions, and what resolves
//! or excuses them (merge migrations, stacked work, name-keyed tools).

use super::*;
use crate::core::detect::RuleSet;

fn rules() -> RuleSet {
    RuleSet::builtin()
}

/// A file as a branch or a change holds it (`text` where read).
fn file(rules: &RuleSet, path: &str, text: Option<&str>) -> OrderedFile {
    let (framework, key) = rules
        .order_key(path, text)
        .unwrap_or_else(|| panic!("{path} has no order key"));
    OrderedFile {
        path: path.into(),
        framework,
        key,
    }
}

fn django(app: &str, name: &str, parents: &[&str]) -> String {
    let deps: Vec<String> = parents
        .iter()
        .map(|p| format!("        (\"{app}\", \"{p}\"),\n"))
        .collect();
    format!(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [\n        (\"auth\", \"0012_alter_user\"),\n{}    ]\n\n    operations = []\n# {name}\n",
        deps.concat()
    )
}

fn alembic(revision: &str, down: &str) -> String {
    format!(
        "\"\"\"{revision}\"\"\"\nfrom alembic import op\n\nrevision: str = \"{revision}\"\ndown_revision: Union[str, None] = {down}\n\n\ndef upgrade() -> None:\n    op.add_column(\"t\", sa.Column(\"c\", sa.Integer()))\n"
    )
}

/// The branch's Django app: 0001…0067 by name alone, as a tree listing gives.
fn django_target(rules: &RuleSet, last: u32) -> Vec<OrderedFile> {
    (1..=last)
        .map(|n| file(rules, &format!("app/migrations/{n:04}_step.py"), None))
        .collect()
}

fn changed(rules: &RuleSet, files: &[(&str, String)]) -> Vec<OrderedFile> {
    files
        .iter()
        .map(|(path, text)| file(rules, path, Some(text)))
        .collect()
}

fn conflicts_of(rules: &RuleSet, target: &[OrderedFile], change: &[OrderedFile]) -> Vec<Conflict> {
    find_conflicts(target, &[], change, &|f| rules.order_spec(f))
}

#[test]
fn django_keys_come_from_the_name_and_the_same_apps_dependencies() {
    let rules = rules();
    let text = django("app", "0068_a", &["0067_step"]);
    let found = file(&rules, "lava/app/migrations/0068_a.py", Some(&text));
    assert_eq!(found.framework, "django");
    assert_eq!(found.key.group, "lava/app/migrations");
    assert_eq!(found.key.node.as_deref(), Some("0068_a"));
    // The auth dependency is kept: it names no migration of this app, so
    // it consumes nothing here.
    assert_eq!(
        found.key.parents,
        Some(vec!["0012_alter_user".to_string(), "0067_step".to_string()])
    );
    assert_eq!(found.key.version, Version::parse("68"));
    let one_line =
        "class Migration(migrations.Migration):\n    dependencies = [('app', '0001_initial')]\n";
    let found = file(&rules, "app/migrations/0002_b.py", Some(one_line));
    assert_eq!(found.key.parents, Some(vec!["0001_initial".to_string()]));
}

#[test]
fn django_next_migration_on_the_leaf_is_no_conflict() {
    let rules = rules();
    let target = django_target(&rules, 67);
    let change = changed(
        &rules,
        &[(
            "app/migrations/0068_a.py",
            django("app", "0068_a", &["0067_step"]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &change), vec![]);
}

#[test]
fn django_parent_that_is_no_longer_the_leaf_leaves_two_leaves() {
    let rules = rules();
    let mut target = django_target(&rules, 67);
    target.push(file(&rules, "app/migrations/0068_theirs.py", None));
    let change = changed(
        &rules,
        &[(
            "app/migrations/0068_mine.py",
            django("app", "0068_mine", &["0067_step"]),
        )],
    );
    let found = conflicts_of(&rules, &target, &change);
    assert_eq!(found.len(), 1, "{found:?}");
    let conflict = &found[0];
    assert_eq!(conflict.kind, ConflictKind::TwoLeaves);
    assert_eq!(conflict.files, vec!["app/migrations/0068_mine.py"]);
    assert_eq!(conflict.existing, vec!["app/migrations/0068_theirs.py"]);
    assert!(
        conflict.message.contains("multiple leaf nodes"),
        "{}",
        conflict.message
    );
    assert!(conflict.message.contains("0068_mine") && conflict.message.contains("0068_theirs"));
    assert!(
        conflict.fix.contains("follow 0068_theirs"),
        "{}",
        conflict.fix
    );
    assert!(conflict.fix.contains("makemigrations --merge"));
}

#[test]
fn django_merge_migration_resolves_two_leaves() {
    let rules = rules();
    let mut target = django_target(&rules, 67);
    target.push(file(&rules, "app/migrations/0068_theirs.py", None));
    let change = changed(
        &rules,
        &[
            (
                "app/migrations/0068_mine.py",
                django("app", "0068_mine", &["0067_step"]),
            ),
            (
                "app/migrations/0069_merge.py",
                django("app", "0069_merge", &["0068_mine", "0068_theirs"]),
            ),
        ],
    );
    assert_eq!(conflicts_of(&rules, &target, &change), vec![]);
    // A branch that already has two leaves is mended by a merge, not blamed.
    target.push(file(&rules, "app/migrations/0068_mine.py", None));
    let merge = changed(
        &rules,
        &[(
            "app/migrations/0069_merge.py",
            django("app", "0069_merge", &["0068_mine", "0068_theirs"]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &merge), vec![]);
}

#[test]
fn django_migration_stacked_on_unmerged_work_waits_for_it() {
    let rules = rules();
    let target = django_target(&rules, 67);
    let change = changed(
        &rules,
        &[(
            "app/migrations/0069_b.py",
            django("app", "0069_b", &["0068_elsewhere"]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &change), vec![]);
}

#[test]
fn django_squashed_migration_takes_no_place_and_new_apps_start_fresh() {
    let rules = rules();
    let target = django_target(&rules, 67);
    let squash = "class Migration(migrations.Migration):\n    replaces = [('app', '0001_step')]\n    dependencies = []\n";
    assert_eq!(
        rules.order_key("app/migrations/0001_squashed_0067.py", Some(squash)),
        None
    );
    let change = changed(
        &rules,
        &[(
            "newapp/migrations/0001_initial.py",
            django("newapp", "0001_initial", &[]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &change), vec![]);
}

#[test]
fn alembic_two_heads_and_the_merge_that_joins_them() {
    let rules = rules();
    let target = changed(
        &rules,
        &[
            ("alembic/versions/a0_init.py", alembic("a0", "None")),
            ("alembic/versions/a1_next.py", alembic("a1", "'a0'")),
        ],
    );
    let on_head = changed(
        &rules,
        &[("alembic/versions/b3_x.py", alembic("b3", "\"a1\""))],
    );
    assert_eq!(conflicts_of(&rules, &target, &on_head), vec![]);
    let mut moved = target.clone();
    moved.extend(on_head.clone());
    let behind = changed(
        &rules,
        &[("alembic/versions/b4_y.py", alembic("b4", "'a1'"))],
    );
    let found = conflicts_of(&rules, &moved, &behind);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, ConflictKind::TwoLeaves);
    assert!(
        found[0]
            .message
            .starts_with("Multiple head revisions are present")
    );
    assert_eq!(found[0].existing, vec!["alembic/versions/b3_x.py"]);
    assert!(found[0].fix.contains("alembic merge heads") && found[0].fix.contains("b3"));
    let merged = changed(
        &rules,
        &[
            ("alembic/versions/b4_y.py", alembic("b4", "'a1'")),
            (
                "alembic/versions/m1_merge.py",
                alembic("m1", "('b3', 'b4')"),
            ),
        ],
    );
    assert_eq!(conflicts_of(&rules, &moved, &merged), vec![]);
}

#[test]
fn flyway_duplicate_and_lower_versions() {
    let rules = rules();
    let dir = "src/main/resources/db/migration";
    let target: Vec<OrderedFile> = (1..=4)
        .map(|v| file(&rules, &format!("{dir}/V{v}__step.sql"), None))
        .collect();
    let next = vec![file(&rules, &format!("{dir}/V5__next.sql"), None)];
    assert_eq!(conflicts_of(&rules, &target, &next), vec![]);
    let same = vec![file(&rules, &format!("{dir}/archive/V4__again.sql"), None)];
    let found = conflicts_of(&rules, &target, &same);
    // Equal to the highest is a duplicate, not a lower version.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, ConflictKind::SameVersion);
    assert_eq!(
        found[0].message,
        format!("Found more than one migration with version 4 (2 files with version 4 in {dir})")
    );
    assert!(found[0].fix.contains("V5__"), "{}", found[0].fix);
    let lower = vec![file(&rules, &format!("{dir}/V3_1__late.sql"), None)];
    let found = conflicts_of(&rules, &target, &lower);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ConflictKind::BelowTarget);
    assert_eq!(found[0].existing, vec![format!("{dir}/V4__step.sql")]);
    // 1_1 and 1.1 are one version to Flyway.
    let dotted = vec![
        file(&rules, &format!("{dir}/V1.1__a.sql"), None),
        file(&rules, &format!("{dir}/V1_1__b.sql"), None),
    ];
    let found = conflicts_of(&rules, &[], &dotted);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].files.len(), 2);
}

#[test]
fn rails_versions_are_unique_per_directory_and_lower_ones_are_allowed() {
    let rules = rules();
    let target = vec![file(&rules, "db/migrate/20240102000000_b.rb", None)];
    let lower = vec![file(&rules, "db/migrate/20240101000000_a.rb", None)];
    assert_eq!(conflicts_of(&rules, &target, &lower), vec![]);
    let elsewhere = vec![file(&rules, "db/post_migrate/20240102000000_c.rb", None)];
    assert_eq!(conflicts_of(&rules, &target, &elsewhere), vec![]);
    let twin = vec![file(&rules, "db/migrate/20240102000000_c.rb", None)];
    let found = conflicts_of(&rules, &target, &twin);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .contains("Multiple migrations have the version number 20240102000000")
    );
}

#[test]
fn name_keyed_tools_never_collide() {
    let rules = rules();
    let target = vec![file(
        &rules,
        "database/migrations/2024_01_01_000000_a.php",
        None,
    )];
    let twin = vec![file(
        &rules,
        "database/migrations/2024_01_01_000000_b.php",
        None,
    )];
    assert_eq!(conflicts_of(&rules, &target, &twin), vec![]);
}

#[test]
fn pairwise_names_both_changes_and_skips_what_one_does_alone() {
    let rules = rules();
    let target = django_target(&rules, 67);
    let mr1 = changed(
        &rules,
        &[(
            "app/migrations/0068_a.py",
            django("app", "0068_a", &["0067_step"]),
        )],
    );
    let mr2 = changed(
        &rules,
        &[(
            "app/migrations/0068_b.py",
            django("app", "0068_b", &["0067_step"]),
        )],
    );
    let mr7 = changed(
        &rules,
        &[(
            "app/migrations/0069_c.py",
            django("app", "0069_c", &["0068_a"]),
        )],
    );
    let spec = |f: &str| rules.order_spec(f);
    let found = pairwise_conflicts(&target, (&mr1, &[]), (&mr2, &[]), &spec);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].files,
        vec!["app/migrations/0068_a.py", "app/migrations/0068_b.py"]
    );
    assert_eq!(
        pairwise_conflicts(&target, (&mr1, &[]), (&mr7, &[]), &spec),
        vec![]
    );
    let dir = "db/migration";
    let v5a = vec![file(&rules, &format!("{dir}/V5__a.sql"), None)];
    let v5b = vec![file(&rules, &format!("{dir}/V5__b.sql"), None)];
    let found = pairwise_conflicts(&[], (&v5a, &[]), (&v5b, &[]), &spec);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ConflictKind::SameVersion);
}

#[test]
fn a_deleted_file_leaves_the_branch() {
    let rules = rules();
    let dir = "db/migration";
    let target = vec![file(&rules, &format!("{dir}/V5__old.sql"), None)];
    let change = vec![file(&rules, &format!("{dir}/V5__new.sql"), None)];
    let removed = vec![format!("{dir}/V5__old.sql")];
    assert_eq!(
        find_conflicts(&target, &removed, &change, &|f| rules.order_spec(f)),
        vec![]
    );
}

#[test]
fn versions_compare_as_numbers() {
    let v = |s: &str| Version::parse(s).unwrap();
    assert_eq!(v("1.02"), v("1_2"));
    assert_eq!(v("1.0"), v("1"));
    assert!(v("10") > v("9"));
    assert!(v("2019-01-02-000000") > v("2019-01-01-235959"));
    assert!(v("99999999999999999999999") > v("99999999999999999999998"));
    assert_eq!(Version::parse("abc"), None);
}

fn pack_with_order(order: &str) -> Result<crate::core::rules::RulePack, Vec<(String, String)>> {
    let text = format!(
        "name = \"inhouse\"\ntitle = \"In-house\"\n\n[[rule]]\npaths = [\"db/*.sql\"]\n\n[rule.order]\n{order}\n"
    );
    crate::core::rules::parse_pack("inhouse.toml", &text)
        .map_err(|e| e.0.into_iter().map(|e| (e.key, e.message)).collect())
}

#[test]
fn an_order_table_is_checked_key_by_key() {
    let good = pack_with_order(
        "scheme = \"version\"\nversion = '/(?P<version>[0-9]+)_'\nout_of_order = \"refused\"\nfix = \"take {next}\"",
    )
    .expect("valid");
    let spec = good.rules[0].order.as_ref().unwrap();
    assert_eq!(spec.scheme, Scheme::Version);
    assert_eq!(spec.out_of_order, OutOfOrder::Refused);
    assert!(spec.unique);

    let errors = pack_with_order("scheme = \"tree\"").unwrap_err();
    assert!(
        errors.contains(&(
            "rule[0].order.scheme".into(),
            "unknown scheme `tree`".into()
        )),
        "{errors:?}"
    );
    let errors = pack_with_order("scheme = \"version\"\nversion = '/([0-9]+)_'").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|(k, m)| k == "rule[0].order.version" && m.contains("no capture named version")),
        "{errors:?}"
    );
    let errors = pack_with_order("scheme = \"graph\"\nnode = '(?P<node>x'").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|(k, m)| k == "rule[0].order.node" && m.contains("invalid regex")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(k, _)| k == "rule[0].order.parents"),
        "{errors:?}"
    );
    let errors = pack_with_order(
        "scheme = \"version\"\nversion = '(?P<version>1)'\nunique = \"yes\"\nsoon = 1",
    )
    .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|(k, m)| k == "rule[0].order.unique" && m.contains("true or false")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|(k, m)| k == "rule[0].order.soon" && m.contains("unknown key")),
        "{errors:?}"
    );
}

#[test]
fn a_user_pack_orders_its_own_files() {
    let pack = pack_with_order(
        "scheme = \"version\"\nversion = '/(?P<version>[0-9]+)_[^/]*\\.sql$'\nout_of_order = \"refused\"\nerror = \"version {version} twice\"\nfix = \"use {next}\"",
    )
    .unwrap();
    let rules = RuleSet::new(vec![pack], &[], &[]).unwrap();
    let on = |p: &str| file(&rules, p, None);
    let found = conflicts_of(
        &rules,
        &[on("db/001_a.sql"), on("db/002_b.sql")],
        &[on("db/002_c.sql")],
    );
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "version 2 twice (2 files with version 2 in db)"
    );
    assert_eq!(found[0].fix, "use 3");
}

#[test]
fn an_edited_or_moved_migration_takes_no_new_place() {
    use crate::core::detect::FileContent;
    use crate::core::types::{ChangeKind, ChangedFile};
    let rules = rules();
    let text = django("app", "0005_x", &["0004_step"]);
    let content = FileContent {
        text: Some(&text),
        added_lines: None,
    };
    let edited = ChangedFile::new("app/migrations/0005_x.py", ChangeKind::Modified);
    let found = rules.classify(&edited, &content).expect("a migration");
    assert_eq!(found.order, None);
    let mut moved = ChangedFile::new("db/migration/V5__b.sql", ChangeKind::Renamed);
    moved.old_path = Some("db/migration/V5__a.sql".into());
    let found = rules
        .classify(&moved, &FileContent::UNKNOWN)
        .expect("a migration");
    assert_eq!(found.order, None);
    let added = ChangedFile::new("app/migrations/0069_y.py", ChangeKind::Added);
    assert!(rules.classify(&added, &content).unwrap().order.is_some());
}

#[test]
fn django_squash_on_the_branch_and_labels_that_are_not_the_directory() {
    let rules = rules();
    let mut target = django_target(&rules, 68);
    target.push(file(
        &rules,
        "app/migrations/0001_squashed_0068_step.py",
        None,
    ));
    let after_squash = changed(
        &rules,
        &[(
            "app/migrations/0069_a.py",
            django("app", "0069_a", &["0001_squashed_0068_step"]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &after_squash), vec![]);
    // Wagtail's images app is labelled `wagtailimages`.
    let target: Vec<OrderedFile> = (1..=25)
        .map(|n| {
            file(
                &rules,
                &format!("wagtail/images/migrations/{n:04}_step.py"),
                None,
            )
        })
        .collect();
    let change = changed(
        &rules,
        &[(
            "wagtail/images/migrations/0026_x.py",
            django("wagtailimages", "0026_x", &["0025_step"]),
        )],
    );
    assert_eq!(conflicts_of(&rules, &target, &change), vec![]);
}

#[test]
fn alembic_comments_and_branch_labels() {
    let rules = rules();
    let commented = alembic("b3", "\"a1\"  # was \"a0\"");
    let found = file(&rules, "alembic/versions/b3.py", Some(&commented));
    assert_eq!(found.key.parents, Some(vec!["a1".to_string()]));
    let labelled = alembic("c0", "None").replace(
        "from alembic",
        "branch_labels = (\"reports\",)\nfrom alembic",
    );
    assert_eq!(
        rules.order_key("alembic/versions/c0.py", Some(&labelled)),
        None
    );
}
