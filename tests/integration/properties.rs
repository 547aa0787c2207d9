//! Property tests of every parser that takes outside input (issue 11): both
//! forges' webhook parsers, the config loader, rule packs, the name-status
//! parser and unquoter, and every version scheme. Arbitrary bytes and
//! structured mutations of real-shaped inputs never panic; each gives a
//! value or a clear error, and what a webhook parser accepts it accepts
//! again, the same, after a round trip through JSON.
//!
//! Cases per property: 64 by default, `SCHEMAGATE_PROPTEST_CASES` for more.

use proptest::prelude::*;
use proptest::test_runner::Config;
use schemagate::core::paths::{parse_name_status_line, unquote};
use schemagate::core::release::Scheme;
use schemagate::core::rules::{BUILTIN_PACK_SOURCES, parse_pack};
use schemagate::forge::github::parse_event;
use schemagate::forge::gitlab::webhook::parse as parse_gitlab;
use serde_json::Value;
use std::path::Path;

fn config() -> Config {
    let cases = std::env::var("SCHEMAGATE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The project's own webhook fixtures, with the event name each forge sends them under.
fn fixtures(forge: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/webhooks")
        .join(forge);
    let mut found: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let event = match forge {
                "github" => name.split('.').next().unwrap().to_string(),
                _ => gitlab_header(&name).to_string(),
            };
            let text = std::fs::read_to_string(&path).unwrap();
            (event, serde_json::from_str(&text).unwrap())
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn gitlab_header(file: &str) -> &'static str {
    match file {
        f if f.starts_with("merge_request") => "Merge Request Hook",
        f if f.starts_with("issue") || f.starts_with("work_item") => "Issue Hook",
        f if f.starts_with("note") => "Note Hook",
        f if f.starts_with("milestone") => "Milestone Hook",
        _ => "Push Hook",
    }
}

/// A JSON leaf or small value to put somewhere it does not belong.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
    ]
}

/// Every path to a value inside `value`, as object keys and array indexes.
fn paths(value: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let mut next = prefix.clone();
                next.push(key.clone());
                paths(child, next, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut next = prefix.clone();
                next.push(i.to_string());
                paths(child, next, out);
            }
        }
        _ => {}
    }
}

/// Replaces the value at `path` (or deletes it, when `delete` and it is an
/// object member).
fn mutate(value: &mut Value, path: &[String], replacement: Value, delete: bool) {
    let Some((last, parents)) = path.split_last() else {
        *value = replacement;
        return;
    };
    let mut here = value;
    for step in parents {
        here = match here {
            Value::Object(map) => map.get_mut(step).unwrap(),
            Value::Array(items) => &mut items[step.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    match here {
        Value::Object(map) if delete => {
            map.remove(last);
        }
        Value::Object(map) => {
            map.insert(last.clone(), replacement);
        }
        Value::Array(items) => items[last.parse::<usize>().unwrap()] = replacement,
        _ => {}
    }
}

type Parser = fn(&str, &[u8]) -> Result<schemagate::work::Translated, schemagate::work::ParseError>;

fn mutated_payloads_never_panic_and_round_trip(forge: &str, parser: Parser) {
    let seeds = fixtures(forge);
    let strategy = (
        0..seeds.len(),
        any::<prop::sample::Index>(),
        odd_value(),
        any::<bool>(),
    );
    proptest::test_runner::TestRunner::new(config())
        .run(&strategy, |(seed, at, replacement, delete)| {
            let (event, original) = &seeds[seed];
            let mut candidates = Vec::new();
            paths(original, Vec::new(), &mut candidates);
            let path = at.get(&candidates);
            let mut payload = original.clone();
            mutate(&mut payload, path, replacement, delete);
            let body = serde_json::to_vec(&payload).unwrap();
            if let Ok(parsed) = parser(event, &body) {
                let again = serde_json::to_vec_pretty(&payload).unwrap();
                prop_assert_eq!(parser(event, &again).ok(), Some(parsed));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn gitlab_webhooks_mutated_never_panic_and_what_parses_parses_again() {
    mutated_payloads_never_panic_and_round_trip("gitlab", parse_gitlab);
}

#[test]
fn github_webhooks_mutated_never_panic_and_what_parses_parses_again() {
    mutated_payloads_never_panic_and_round_trip("github", parse_event);
}

#[test]
fn webhook_parsers_take_arbitrary_bytes_without_panicking() {
    let events = prop::sample::select(vec![
        "Merge Request Hook",
        "Issue Hook",
        "Note Hook",
        "Milestone Hook",
        "pull_request",
        "issues",
        "issue_comment",
        "milestone",
        "ping",
        "anything else",
    ]);
    proptest::test_runner::TestRunner::new(config())
        .run(
            &(events, prop::collection::vec(any::<u8>(), 0..512)),
            |(event, body)| {
                let _ = parse_gitlab(event, &body);
                let _ = parse_event(event, &body);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_config_loader_answers_any_text_and_any_edit_of_the_example() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml"))
            .unwrap();
    let edit = (any::<prop::sample::Index>(), 0usize..8, ".{0,12}");
    proptest::test_runner::TestRunner::new(config())
        .run(&(".{0,300}", edit), |(text, (at, cut, insert))| {
            let _ = schemagate::config::parse("arbitrary", &text);
            // Splice the example: cut a few characters somewhere, insert others.
            let chars: Vec<char> = example.chars().collect();
            let start = at.index(chars.len());
            let end = (start + cut).min(chars.len());
            let spliced: String = chars[..start]
                .iter()
                .chain(insert.chars().collect::<Vec<_>>().iter())
                .chain(chars[end..].iter())
                .collect();
            if let Err(errors) = schemagate::config::parse("example", &spliced) {
                // An error always says where and what.
                prop_assert!(!errors.to_string().trim().is_empty());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn rule_packs_answer_any_text_and_any_edit_of_a_built_in_pack() {
    let packs: Vec<&str> = BUILTIN_PACK_SOURCES.iter().map(|(_, text)| *text).collect();
    let edit = (
        0..packs.len(),
        any::<prop::sample::Index>(),
        0usize..8,
        ".{0,12}",
    );
    proptest::test_runner::TestRunner::new(config())
        .run(&(".{0,300}", edit), |(text, (pack, at, cut, insert))| {
            let _ = parse_pack("arbitrary", &text);
            let chars: Vec<char> = packs[pack].chars().collect();
            let start = at.index(chars.len());
            let end = (start + cut).min(chars.len());
            let spliced: String = chars[..start]
                .iter()
                .copied()
                .chain(insert.chars())
                .chain(chars[end..].iter().copied())
                .collect();
            if let Err(errors) = parse_pack("edited", &spliced) {
                prop_assert!(!errors.to_string().trim().is_empty());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn name_status_lines_and_quoted_paths_never_panic_and_plain_paths_round_trip() {
    let status = prop::sample::select(vec!["A", "M", "D", "R100", "C075", "T", "X", ""]);
    proptest::test_runner::TestRunner::new(config())
        .run(
            &(status, ".{0,80}", "[a-zA-Z0-9_./-]{1,60}"),
            |(status, junk, plain)| {
                let _ = parse_name_status_line(&junk);
                let _ = parse_name_status_line(&format!("{status}\t{junk}"));
                let _ = parse_name_status_line(&format!("{status}\t{junk}\t{junk}"));
                let _ = unquote(&junk);
                let _ = unquote(&format!("\"{junk}\""));
                let added = parse_name_status_line(&format!("A\t{plain}"));
                prop_assert_eq!(added.map(|f| f.path), Ok(plain.clone()));
                prop_assert_eq!(unquote(&format!("\"{plain}\"")), Ok(plain));
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn every_version_scheme_answers_any_title_and_orders_what_it_builds() {
    let schemes: Vec<Scheme> = Scheme::NAMES
        .iter()
        .map(|n| Scheme::from_name(n).unwrap())
        .chain(Scheme::title_regex(r"^v(?P<version>[0-9.]+)$").ok())
        .collect();
    proptest::test_runner::TestRunner::new(config())
        .run(
            &(".{0,40}", 2000u32..2100, 1u32..13, 1u32..13, 0u32..50),
            |(title, year, month, other_month, patch)| {
                for scheme in &schemes {
                    let _ = scheme.parse(&title);
                }
                let calver = Scheme::Calver;
                let (a, b) = (
                    calver.parse(&format!("{year}.{month:02}")),
                    calver.parse(&format!("{year}.{other_month:02}")),
                );
                prop_assert!(a.is_some() && b.is_some());
                prop_assert_eq!(a.cmp(&b), month.cmp(&other_month));
                let semver = Scheme::Semver;
                let (x, y) = (
                    semver.parse(&format!("v{month}.{patch}.0")),
                    semver.parse(&format!("{month}.{patch}.1")),
                );
                prop_assert!(x.is_some() && x < y);
                Ok(())
            },
        )
        .unwrap();
}

/// Migration conflicts over arbitrary Django and Alembic texts and
/// Flyway names: never a panic, and a linear chain never conflicts.
#[test]
fn conflicts_answer_any_migration_text_and_a_linear_chain_never_collides() {
    use schemagate::core::detect::RuleSet;
    use schemagate::core::order::{OrderedFile, find_conflicts};
    let rules = RuleSet::builtin();
    let ordered = |path: &str, text: Option<&str>| {
        rules
            .order_key(path, text)
            .map(|(framework, key)| OrderedFile {
                path: path.to_string(),
                framework,
                key,
            })
    };
    proptest!(config(), |(
        texts in proptest::collection::vec(".{0,300}", 1..6),
        names in proptest::collection::vec("[0-9]{1,5}(_[0-9]{1,3})?__[a-z]{1,5}", 1..6),
        chain in 1usize..40,
    )| {
        let mut change = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let django = format!("app/migrations/{:04}_x{i}.py", i + 1);
            let alembic = format!("alembic/versions/r{i}.py");
            change.extend(ordered(&django, Some(text)));
            change.extend(ordered(&alembic, Some(text)));
        }
        for name in &names {
            change.extend(ordered(&format!("db/migration/V{name}.sql"), None));
        }
        let spec = |f: &str| rules.order_spec(f);
        let _ = find_conflicts(&change, &[], &change, &spec);
        let _ = find_conflicts(&[], &[], &change, &spec);

        // 0001 … 00NN, each depending on the one before, over a branch
        // holding the first half: nothing collides.
        let migration = |n: usize| {
            let deps = if n == 1 { String::new() } else { format!("(\"app\", \"{:04}_s\")", n - 1) };
            format!("class Migration(migrations.Migration):\n    dependencies = [{deps}]\n")
        };
        let all: Vec<OrderedFile> = (1..=chain)
            .filter_map(|n| ordered(&format!("app/migrations/{n:04}_s.py"), Some(&migration(n))))
            .collect();
        let (branch, added) = all.split_at(chain / 2);
        let branch: Vec<OrderedFile> = branch
            .iter()
            .filter_map(|f| ordered(&f.path, None))
            .collect();
        prop_assert_eq!(find_conflicts(&branch, &[], added, &spec), vec![]);
    });
}

/// Expand or contract over any migration text of the families schemagate
/// reads, and over corpus migrations broken by a stray token: never a
/// panic; a migration whose text does not parse is never `expand` and one
/// of its operations carries the parse error.
#[test]
fn classification_answers_any_text_and_a_broken_migration_is_never_expand() {
    use schemagate::core::compat::{Compat, OpKind};
    use schemagate::core::detect::{FileContent, RuleSet};
    use schemagate::core::types::{ChangeKind, ChangedFile};
    let rules = RuleSet::builtin();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compat");
    let read = |path: &str| std::fs::read_to_string(corpus.join(path)).unwrap();
    // One migration of each family, the path it is read under, and a tail
    // that no parser of its language accepts.
    let families = [
        (
            "app/migrations/0002_x.py",
            read("lava/lava_scheduler_app/migrations/0004_testjob_priority.py"),
            "\n    operations += [(\n",
        ),
        (
            "alembic/versions/1a2b_x.py",
            read(
                "backend.ai/src/ai/backend/manager/models/alembic/versions/f4c3efa3f635_enlarge_kernels_image_column.py",
            ),
            "\ndef upgrade(:\n",
        ),
        (
            "db/migrate/20260101000000_x.rb",
            read("rails/db/migrate/20240111140233_add_archived_at_to_projects.rb"),
            "\nclass end def (\n",
        ),
        (
            "migrations/000002_x.up.sql",
            read("sql/migrations/000003_add_users_status.up.sql"),
            "\nALTER TABLE (;\n",
        ),
    ];
    let classify = |path: &str, text: &str| {
        rules.classify(
            &ChangedFile::new(path, ChangeKind::Added),
            &FileContent {
                text: Some(text),
                added_lines: None,
            },
        )
    };
    proptest!(config(), |(
        noise in ".{0,400}",
        family in 0usize..4,
        cut in 0usize..4000,
    )| {
        let (path, text, breaker) = &families[family];
        // Any text: an answer, never a panic.
        let _ = classify(path, &noise);
        // A real migration cut anywhere: an answer too.
        let cut_at = (0..=cut.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let _ = classify(path, &text[..cut_at]);
        // A real migration with a broken tail: never expand, says why.
        let broken = format!("{text}{breaker}");
        if let Some(found) = classify(path, &broken) {
            prop_assert_ne!(found.compat, Compat::Expand, "{} {:?}", path, found.operations);
            prop_assert!(
                found.operations.iter().any(|o| o.op == OpKind::NotUnderstood
                    && o.note.as_deref().is_some_and(|n| n.contains("parse error"))),
                "{} {:?}", path, found.operations
            );
        }
    });
}
