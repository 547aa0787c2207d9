//! The `schemagate` binary: parse arguments, run the command, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = schemagate::cli::Cli::parse();
    match schemagate::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", schemagate::cli::one_sentence(&error));
            ExitCode::from(2)
        }
    }
}
