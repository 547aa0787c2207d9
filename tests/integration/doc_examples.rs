//! The examples the docs show run as written: every `$ schemagate …` line in
//! a fenced block of docs/upgrade-path.md is run from the repository's root
//! (backslash continuations joined), and what it prints must be the lines
//! the page shows under it.

use std::path::Path;
use std::process::Command;

/// One `$ command` of a page and the output shown under it.
struct Example {
    command: String,
    shown: String,
}

fn examples(page: &str) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut continued = false;
    // Output lines belong to a command of the same block only.
    let mut command_in_block = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continued = false;
            command_in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if continued {
            let last = found.last_mut().expect("a command to continue");
            continued = line.ends_with('\\');
            last.command.push(' ');
            last.command
                .push_str(line.trim().trim_end_matches('\\').trim());
        } else if let Some(command) = line.strip_prefix("$ ") {
            command_in_block = true;
            continued = command.ends_with('\\');
            found.push(Example {
                command: command.trim_end_matches('\\').trim().to_string(),
                shown: String::new(),
            });
        } else if let Some(last) = found.last_mut().filter(|_| command_in_block) {
            last.shown.push_str(line);
            last.shown.push('\n');
        }
    }
    found
}

#[test]
fn every_upgrade_path_example_prints_what_the_page_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/upgrade-path.md")).unwrap();
    let examples = examples(&page);
    let runs: Vec<&Example> = examples
        .iter()
        .filter(|e| e.command.starts_with("schemagate ") && !e.shown.trim().is_empty())
        .collect();
    assert!(runs.len() >= 4, "too few examples found: {}", runs.len());
    let path = crate::support::path_with_schemagate();
    for example in examples.iter().filter(|e| e.shown.trim() != "") {
        let output = Command::new("sh")
            .args(["-c", &example.command])
            .current_dir(root)
            .env("PATH", &path)
            .env_remove("SCHEMAGATE_CONFIG")
            .output()
            .expect("sh runs");
        let printed = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            printed.trim_end(),
            example.shown.trim_end(),
            "`{}` (exit {:?}, stderr: {})",
            example.command,
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
