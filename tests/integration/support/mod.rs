//! Shared helpers for the integration tests.

pub mod browser;
pub mod check;
pub mod db;
pub mod git_repo;
pub mod migrations;
pub mod serve;
pub mod smtp;
pub mod webhooks;

/// `PATH` with the built `schemagate` binary's folder first, so a shell
/// runs documented command lines (`schemagate …`) as written.
pub fn path_with_schemagate() -> String {
    let binary_dir = std::path::Path::new(env!("CARGO_BIN_EXE_schemagate"))
        .parent()
        .expect("the binary's folder");
    format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}
