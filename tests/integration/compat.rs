//! Expand or contract through the commands (issue 26): `scan` over the
//! hand-labelled corpus agrees with its labels, `scan` shows each
//! migration's operations, `releases` says which upgrades roll and
//! `upgrade-path --policy contract-stop-gaps` stops only where one cannot.

use crate::scan::{scan_json, schemagate};
use crate::support::git_repo::TestRepo;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The corpus's files (labels and README aside), relative to its folder.
fn corpus_files(dir: &Path, under: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(under).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            corpus_files(dir, &path, found);
        } else {
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if relative != "labels.tsv" && relative != "README.md" {
                found.push(relative);
            }
        }
    }
}

/// How `scan` agrees with a labelled set (a folder of `tests/data/` with
/// its `labels.tsv`): agreeing labels, all labels, and each disagreement.
fn agreement(set: &str) -> (usize, usize, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(set);
    let labels: BTreeMap<String, String> = std::fs::read_to_string(dir.join("labels.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let path = fields.next().unwrap().to_string();
            (path, fields.next().expect("a compat column").to_string())
        })
        .collect();

    let mut repo = TestRepo::new();
    repo.write("README", "corpus\n");
    repo.commit("base");
    let mut files = Vec::new();
    corpus_files(&dir, &dir, &mut files);
    for file in &files {
        repo.write(file, &std::fs::read_to_string(dir.join(file)).unwrap());
    }
    repo.commit("every migration of the set");
    let report = scan_json(&repo, "HEAD~1..HEAD");
    let found: BTreeMap<String, Value> = report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["path"].as_str().unwrap().to_string(), m.clone()))
        .collect();
    // Nothing the scan finds beyond the labelled migrations.
    let unlabelled: Vec<&String> = found.keys().filter(|p| !labels.contains_key(*p)).collect();
    assert!(
        unlabelled.is_empty(),
        "{set}: found but not labelled: {unlabelled:?}"
    );

    let mut agree = 0;
    let mut by_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (path, label) in &labels {
        let family = path.split('/').next().unwrap();
        let tally = by_family.entry(family).or_default();
        tally.1 += 1;
        let got = found.get(path).map(|m| m["compat"].as_str().unwrap_or("?"));
        if got == Some(label.as_str()) {
            agree += 1;
            tally.0 += 1;
        } else {
            let operations = found.get(path).map(|m| m["operations"].to_string());
            disagreements.push(format!(
                "{path}: labelled {label}, scan says {got:?} {}",
                operations.unwrap_or_default()
            ));
        }
    }
    eprintln!(
        "{set} agreement: {agree}/{} ({:.1}%), by family {by_family:?}",
        labels.len(),
        agree as f64 * 100.0 / labels.len() as f64
    );
    for line in &disagreements {
        eprintln!("  {line}");
    }
    (agree, labels.len(), disagreements)
}

/// The corpus the readers were written beside: every label agrees.
#[test]
fn scan_agrees_with_the_hand_labelled_corpus() {
    let (agree, total, disagreements) = agreement("compat");
    assert!(total >= 100, "the corpus has {total} labels");
    assert!(
        agree * 100 >= total * 95,
        "scan agrees with {agree} of {total} labels:\n{}",
        disagreements.join("\n")
    );
}

/// The held-out set, written without seeing the readers or the corpus's
/// labels: how far the classification generalises.
#[test]
fn scan_agrees_with_the_held_out_set() {
    let (agree, total, disagreements) = agreement("compat-holdout");
    assert!(total >= 40, "the held-out set has {total} labels");
    assert!(
        agree * 100 >= total * HELD_OUT_FLOOR,
        "scan agrees with {agree} of {total} held-out labels:\n{}",
        disagreements.join("\n")
    );
}

/// The share (in percent) of held-out labels `scan` must agree with.
const HELD_OUT_FLOOR: usize = 95;

const DROP_SQL: &str = "-- the old flag is gone\nALTER TABLE devices DROP COLUMN legacy_flag;\nCREATE INDEX CONCURRENTLY devices_name_idx ON devices (name);\n";

#[test]
fn scan_shows_each_migrations_class_and_operations() {
    let mut repo = TestRepo::new();
    repo.write("README", "x\n");
    repo.commit("base");
    repo.write("migrations/000002_drop_flag.up.sql", DROP_SQL);
    repo.write(
        "migrations/000002_drop_flag.down.sql",
        "ALTER TABLE devices ADD COLUMN legacy_flag boolean;\n",
    );
    repo.write(
        "migrations/000003_broken.up.sql",
        "ALTER TABLE devices FROBNICATE;\n",
    );
    repo.commit("two migrations");
    let report = scan_json(&repo, "HEAD~1..HEAD");
    assert_eq!(report["rolling"], Value::Bool(false), "{report}");
    let migrations = report["migrations"].as_array().unwrap();
    let drop = migrations
        .iter()
        .find(|m| m["path"] == "migrations/000002_drop_flag.up.sql")
        .expect("the drop is found");
    assert_eq!(drop["compat"], "contract", "{drop}");
    let operations = drop["operations"].as_array().unwrap();
    assert_eq!(operations[0]["op"], "drop_column", "{drop}");
    assert_eq!(operations[0]["table"], "devices", "{drop}");
    assert_eq!(operations[0]["column"], "legacy_flag", "{drop}");
    assert_eq!(operations[0]["compat"], "contract", "{drop}");
    assert_eq!(operations[1]["op"], "create_index", "{drop}");
    assert_eq!(operations[1]["compat"], "expand", "{drop}");
    let broken = migrations
        .iter()
        .find(|m| m["path"] == "migrations/000003_broken.up.sql")
        .expect("the broken file is still a migration");
    assert_eq!(broken["compat"], "unknown", "{broken}");
    let note = broken["operations"][0]["note"].as_str().unwrap_or_default();
    assert!(note.contains("parse error"), "{broken}");

    let out = schemagate()
        .args(["scan", "--repo"])
        .arg(repo.path())
        .arg("HEAD~1..HEAD")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("COMPAT"), "{table}");
    assert!(table.contains("rolling: no"), "{table}");
    assert!(
        table.contains(
            "migrations/000002_drop_flag.up.sql: contract: drops column devices.legacy_flag"
        ),
        "{table}"
    );
}

const INITIAL: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name=\"Device\", fields=[(\"id\", models.AutoField(primary_key=True))]),\n    ]\n";

/// A Django migration of app `app` after `parent` with one operation.
fn django(parent: &str, operation: &str) -> String {
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"app\", \"{parent}\")]\n    operations = [\n        {operation},\n    ]\n"
    )
}

/// v1.0.0 creates the table; v1.0.1 adds a nullable column (rolls);
/// v1.0.2 drops a column (does not); v1.0.3 runs Python (cannot tell).
fn rolling_history() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("app/migrations/0001_initial.py", INITIAL);
    repo.commit("initial");
    repo.tag("v1.0.0");
    repo.write(
        "app/migrations/0002_device_note.py",
        &django(
            "0001_initial",
            "migrations.AddField(model_name=\"device\", name=\"note\", field=models.TextField(null=True))",
        ),
    );
    repo.commit("a nullable note");
    repo.tag("v1.0.1");
    repo.write(
        "app/migrations/0003_remove_device_note.py",
        &django(
            "0002_device_note",
            "migrations.RemoveField(model_name=\"device\", name=\"note\")",
        ),
    );
    repo.commit("drop the note");
    repo.tag("v1.0.2");
    repo.write(
        "app/migrations/0004_fill.py",
        &django("0003_remove_device_note", "migrations.RunPython(forwards)"),
    );
    repo.commit("fill something");
    repo.tag("v1.0.3");
    repo
}

#[test]
fn releases_say_which_upgrades_roll() {
    let repo = rolling_history();
    let out = schemagate()
        .args([
            "releases", "--format", "json", "--scheme", "semver", "--repo",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pairs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rolling: Vec<(String, Value)> = pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["to"].as_str().unwrap().to_string(), p["rolling"].clone()))
        .collect();
    assert_eq!(
        rolling,
        vec![
            ("v1.0.1".to_string(), Value::Bool(true)),
            ("v1.0.2".to_string(), Value::Bool(false)),
            ("v1.0.3".to_string(), Value::Null),
        ],
        "{pairs}"
    );
    let v12 = &pairs[1]["migrations"][0];
    assert_eq!(v12["operations"][0]["op"], "drop_column", "{v12}");
    assert_eq!(v12["operations"][0]["table"], "device", "{v12}");

    let table = schemagate()
        .args(["releases", "--scheme", "semver", "--repo"])
        .arg(repo.path())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("ROLLING"), "{table}");

    let path = schemagate()
        .args([
            "upgrade-path",
            "--scheme",
            "semver",
            "--policy",
            "contract-stop-gaps",
        ])
        .args(["--from", "v1.0.0", "--to", "v1.0.3", "--repo"])
        .arg(repo.path())
        .output()
        .unwrap();
    let path = String::from_utf8_lossy(&path.stdout);
    assert_eq!(
        path.lines().next(),
        Some("v1.0.0 → v1.0.2 → v1.0.3"),
        "v1.0.1 rolls and is crossed; v1.0.2 does not: {path}"
    );
}
