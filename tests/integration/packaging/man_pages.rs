//! The man pages the package installs (`deploy/man/*.1`) are the CLI's own
//! `--help`, rendered by clap_mangen: one page per command and subcommand.
//! They are committed so a plain `cargo deb` packages them with no build
//! step of its own; this test fails when a flag, a help line or the version
//! changes without them, and `SCHEMAGATE_SAVE_MAN_PAGES=1` writes them anew.

use super::repo_file;
use clap::CommandFactory;
use std::collections::BTreeMap;
use std::path::Path;

/// Every page clap_mangen makes of the CLI, by file name.
fn generated() -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    clap_mangen::generate_to(schemagate::cli::Cli::command(), dir.path()).unwrap();
    read_pages(dir.path())
}

fn read_pages(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn the_man_pages_are_the_clis_help_for_every_command() {
    let pages = generated();
    let dir = repo_file("deploy/man");
    if std::env::var_os("SCHEMAGATE_SAVE_MAN_PAGES").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for stale in read_pages(&dir).keys().filter(|n| !pages.contains_key(*n)) {
            std::fs::remove_file(dir.join(stale)).unwrap();
        }
        for (name, text) in &pages {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    // One page per command an admin runs, subcommands included.
    for name in [
        "schemagate.1",
        "schemagate-serve.1",
        "schemagate-config-check.1",
        "schemagate-rules-list.1",
    ] {
        assert!(pages.contains_key(name), "no {name} in {:?}", pages.keys());
    }
    let version = format!("schemagate {}", env!("CARGO_PKG_VERSION"));
    assert!(
        pages["schemagate.1"].contains(&version),
        "the version is on the page"
    );
    let committed = read_pages(&dir);
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&pages),
        "deploy/man is not the CLI's pages: SCHEMAGATE_SAVE_MAN_PAGES=1 cargo test --test integration man_pages"
    );
    for (name, text) in &pages {
        assert!(
            committed[name] == *text,
            "deploy/man/{name} is not the CLI's help: \
             SCHEMAGATE_SAVE_MAN_PAGES=1 cargo test --test integration man_pages"
        );
    }
}
