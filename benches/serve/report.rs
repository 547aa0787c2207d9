//! The figures: percentiles of one phase, and the table with each target.

use crate::load::Applied;
use crate::soak::Soak;
use crate::statements::Statements;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What one phase measured.
pub struct Phase {
    pub acks: Vec<Duration>,
    pub to_applied: Vec<Duration>,
    /// Events over the time from the first send to the last status.
    pub rate: f64,
}

impl Phase {
    pub fn of(timings: &[(Instant, Duration)], shas: &[String], applied: &Applied) -> Phase {
        let first_send = timings.iter().map(|(sent, _)| *sent).min().expect("events");
        let applied_at: Vec<Instant> = shas.iter().map(|sha| applied.at[sha]).collect();
        let last = *applied_at.iter().max().expect("statuses");
        let mut acks: Vec<Duration> = timings.iter().map(|(_, ack)| *ack).collect();
        let mut to_applied: Vec<Duration> = timings
            .iter()
            .zip(&applied_at)
            .map(|((sent, _), at)| at.saturating_duration_since(*sent))
            .collect();
        acks.sort();
        to_applied.sort();
        Phase {
            acks,
            to_applied,
            rate: timings.len() as f64 / last.duration_since(first_send).as_secs_f64(),
        }
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// One line of the figures table; `target` is `(text, met)`.
fn row(name: &str, value: String, target: Option<(&str, bool)>) {
    let (text, result) = match target {
        Some((text, met)) => (text, if met { "PASS" } else { "MISS" }),
        None => ("", ""),
    };
    println!("{name:<34} {value:>11}  {text:<9} {result}");
}

/// Everything the table shows.
pub struct Figures {
    pub burst_events: usize,
    pub steady_events: usize,
    pub concurrency: usize,
    pub rate: usize,
    pub workers: usize,
    pub db_every: usize,
    pub load_before: String,
    pub load_after: String,
    pub burst: Phase,
    pub steady: Phase,
    /// Requests the fake served during both phases (GETs, and the rest).
    pub reads: usize,
    pub writes: usize,
    pub write_routes: HashMap<String, usize>,
    pub idle_kb: u64,
    pub peak_kb: u64,
    pub after_kb: u64,
    pub serve_cpu: Duration,
    pub bench_cpu: Duration,
    pub stop_took: Duration,
    pub soak: Option<Soak>,
    pub counted: Statements,
}

pub fn print(f: &Figures) {
    let total = (f.burst_events + f.steady_events) as u32;
    let per_event = |count: usize| count as f64 / f64::from(total);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "serve bench: `Merge Request Hook` open events, one per MR, 1 in {} adding a Django \
         migration; serve --workers {} ({profile} build) on an SQLite file; the fake GitLab on \
         loopback in the bench process",
        f.db_every, f.workers
    );
    println!(
        "burst: {} events, {} in flight; steady: {} events at {} events/s",
        f.burst_events, f.concurrency, f.steady_events, f.rate
    );
    println!(
        "cores: {}; load average before {}, after {}",
        std::thread::available_parallelism().map_or(0, |p| p.get()),
        f.load_before,
        f.load_after
    );
    println!(
        "{:<34} {:>11}  {:<9} result",
        "figure", "measured", "target"
    );
    let (burst, steady) = (&f.burst, &f.steady);
    let ack_p99 = percentile(&burst.acks, 0.99);
    row("burst: ack p50", ms(percentile(&burst.acks, 0.5)), None);
    row(
        "burst: ack p99",
        ms(ack_p99),
        Some(("< 5 ms", ack_p99 < Duration::from_millis(5))),
    );
    row(
        "burst: events per second",
        format!("{:.0}", burst.rate),
        Some((">= 1000", burst.rate >= 1000.0)),
    );
    row(
        "burst: event-to-applied p50 (queue)",
        ms(percentile(&burst.to_applied, 0.5)),
        None,
    );
    row(
        "burst: event-to-applied p99 (queue)",
        ms(percentile(&burst.to_applied, 0.99)),
        None,
    );
    let applied_p99 = percentile(&steady.to_applied, 0.99);
    row("steady: ack p50", ms(percentile(&steady.acks, 0.5)), None);
    row("steady: ack p99", ms(percentile(&steady.acks, 0.99)), None);
    row(
        "steady: event-to-applied p50",
        ms(percentile(&steady.to_applied, 0.5)),
        None,
    );
    // A status that came before its event was a project-wide
    // re-evaluation's, which makes the latency meaningless.
    let early = steady.to_applied.iter().filter(|d| d.is_zero()).count();
    if early > 0 {
        row("steady: event-to-applied p99", ms(applied_p99), None);
        println!(
            "  (not judged: {early} of {} statuses came before their event, from a \
             project-wide re-evaluation during the run)",
            steady.to_applied.len()
        );
    } else {
        row(
            "steady: event-to-applied p99",
            ms(applied_p99),
            Some(("< 25 ms", applied_p99 < Duration::from_millis(25))),
        );
    }
    row(
        "forge calls per event",
        format!("{:.2}", per_event(f.reads + f.writes)),
        None,
    );
    row(
        "  reads / writes per event",
        format!("{:.2} / {:.2}", per_event(f.reads), per_event(f.writes)),
        None,
    );
    row(
        "idle RSS",
        mb(f.idle_kb),
        Some(("< 30 MB", f.idle_kb < 30 * 1024)),
    );
    row("peak RSS (VmHWM)", mb(f.peak_kb), None);
    row("RSS after the load", mb(f.after_kb), None);
    row("serve CPU per event", ms(f.serve_cpu / total), None);
    row("bench + fake CPU per event", ms(f.bench_cpu / total), None);
    row("SIGTERM to exit 0", ms(f.stop_took), None);
    row(
        "store statements per event",
        format!(
            "{:.1}",
            f.counted.statements as f64 / f.counted.events as f64
        ),
        None,
    );
    if let Some(soak) = &f.soak {
        print_soak(soak);
    }
    let mut routes: Vec<_> = f.write_routes.iter().collect();
    routes.sort_by_key(|(_, count)| std::cmp::Reverse(**count));
    let routes: Vec<String> = routes
        .iter()
        .map(|(route, count)| format!("{route} ×{count}"))
        .collect();
    println!("writes: {}", routes.join(", "));
}

/// The soak's rows: its rate, then RSS and store size at each tenth.
fn print_soak(soak: &Soak) {
    let rate = soak.events as f64 / soak.took.as_secs_f64();
    row(
        &format!(
            "soak: {} events at {}/s, sent per s",
            soak.events, soak.rate
        ),
        format!("{rate:.0}"),
        None,
    );
    let (Some(first), Some(last)) = (soak.samples.first(), soak.samples.last()) else {
        return;
    };
    // Flat: the last tenth holds no more than the second tenth plus 5 MB.
    let settled = soak.samples.get(1).unwrap_or(first);
    let rss_flat = last.rss_kb <= settled.rss_kb + 5 * 1024;
    row(
        "soak: RSS at 20% / 100%",
        format!("{} / {}", mb(settled.rss_kb), mb(last.rss_kb)),
        Some(("flat", rss_flat)),
    );
    // Bounded: pruning keeps the store from growing with the events.
    let half = &soak.samples[soak.samples.len() / 2];
    let store_bounded = last.store_bytes <= half.store_bytes * 3 / 2;
    row(
        "soak: store file at 50% / 100%",
        format!(
            "{} / {}",
            mb(half.store_bytes / 1024),
            mb(last.store_bytes / 1024)
        ),
        Some(("bounded", store_bounded)),
    );
    let series: Vec<String> = soak
        .samples
        .iter()
        .map(|s| {
            format!(
                "{}k: {} RSS, {} store",
                s.acknowledged / 1000,
                mb(s.rss_kb),
                mb(s.store_bytes / 1024)
            )
        })
        .collect();
    println!("soak samples: {}", series.join("; "));
}
