//! Comment-command reading speed: `parse_commands` over ordinary comments
//! (the fast path: no `/schemagate`), over comments with commands, and over
//! hostile megabytes (unclosed fences and HTML comments, invisible and
//! look-alike characters, a command on every line), printing megabytes per
//! second against the target (every comment read in linear time, at least
//! 20 MB/s on one core, so a 1 MB comment costs at most 50 ms). Comments
//! with more commands than the cap are read only up to it.
//! Run with `cargo bench --bench commands`.

use schemagate::core::commands::parse_commands;
use std::hint::black_box;
use std::time::Instant;

include!("shared/hostile_comments.rs");

const TARGET_MB_PER_S: f64 = 20.0;

fn main() {
    let prose =
        "Some prose about the release, nothing to run here.\n".repeat(HOSTILE_MEGABYTE / 51);
    let commands = "Looks good.\n/schemagate recheck\n> /schemagate approve quoted\n"
        .repeat(HOSTILE_MEGABYTE / 58);
    let mut cases: Vec<(String, String)> = vec![
        ("ordinary prose (fast path)".into(), prose),
        ("commands and quotes (read up to the cap)".into(), commands),
    ];
    for body in hostile_bodies() {
        let name = format!("hostile: {:?}…", body.chars().take(6).collect::<String>());
        cases.push((name, body + "\n/schemagate help"));
    }
    println!("{:<44} {:>10} {:>12}  result", "comment", "MB/s", "target");
    let mut missed = 0;
    for (name, body) in &cases {
        let rounds = 5;
        let started = Instant::now();
        for _ in 0..rounds {
            black_box(parse_commands(black_box(body)));
        }
        let seconds = started.elapsed().as_secs_f64() / f64::from(rounds);
        let rate = body.len() as f64 / 1e6 / seconds;
        let pass = rate >= TARGET_MB_PER_S;
        missed += usize::from(!pass);
        println!(
            "{name:<44} {rate:>10.1} {:>12}  {}",
            format!(">= {TARGET_MB_PER_S}"),
            if pass { "PASS" } else { "MISS" }
        );
    }
    println!("{} of {} comments below the target", missed, cases.len());
}
