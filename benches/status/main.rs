//! Benchmark: how long the status page and its JSON take for a LAVA-size
//! project (8 release milestones, 400 open MRs of which a third fail the
//! gate, 40 database changes), and a check that a page view asks the forge
//! nothing. The page is read from the store alone, so its cost grows with
//! the open MRs; this measures it where a busy project is, against the goal
//! of p99 < 20 ms on 2 cores (reported, not asserted).
//!
//! The store (a temp SQLite file; also PostgreSQL when
//! `SCHEMAGATE_TEST_POSTGRES` names a server) is seeded through the store's
//! public API, then the real server starts in-process with `[status] public
//! = true` and its GitLab client pointed at a loopback listener that answers
//! `[]` to everything and counts the requests. After a warm-up the bench
//! GETs `/projects/gitlab/lava/lava` and `/api/v1/projects/gitlab/lava/lava`
//! 500 times each, one after the other, and prints p50, p99 and max with the
//! answer's size, and the same work in-process (store reads and build,
//! template render, JSON) without HTTP. It exits 1 if the forge got any
//! request during the page loads; timings never fail it. The project's sync
//! job is held for the whole run (`hold_the_sync`), so the server's first
//! periodic sync, 10 s after start, neither asks the forge nor rewrites the
//! seeded project while it is measured.
//!
//! Run with `cargo bench --bench status`. Settings:
//! `SCHEMAGATE_BENCH_REQUESTS` (500 of each), `SCHEMAGATE_BENCH_WARMUP` (50),
//! `SCHEMAGATE_BENCH_IN_PROCESS` (200 runs of each part).

mod forge;
mod measure;
mod seed;

use forge::CountingForge;
use measure::{InProcess, Timings, get_times, in_process};
use schemagate::config::{self, Config};
use schemagate::engine::{Forges, MailService};
use schemagate::forge::Forge;
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::server::{ServeOptions, WebhookSecrets, sync_loop};
use schemagate::store::Store;
use sqlx::Connection;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGE: &str = "/projects/gitlab/lava/lava";
const JSON: &str = "/api/v1/projects/gitlab/lava/lava";
const GOAL: Duration = Duration::from_millis(20);

struct Settings {
    requests: usize,
    warm_up: usize,
    in_process: usize,
}

fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a count")),
        Err(_) => default,
    }
}

/// What one store backend measured.
struct Figures {
    backend: &'static str,
    seeded: seed::Seeded,
    page: Timings,
    json: Timings,
    local: InProcess,
    /// Requests the forge got before the measured loops (the start-up probe).
    before: usize,
    /// Request lines the forge got during the warm-up and the measured loops.
    during: Vec<String>,
}

fn main() -> ExitCode {
    let settings = Settings {
        requests: setting("SCHEMAGATE_BENCH_REQUESTS", 500).max(1),
        warm_up: setting("SCHEMAGATE_BENCH_WARMUP", 50),
        in_process: setting("SCHEMAGATE_BENCH_IN_PROCESS", 200).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let load_before = load_average();
    let started = Instant::now();
    let all = runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = format!("sqlite://{}", dir.path().join("status.db").display());
        let mut all = vec![run("SQLite", &sqlite, &settings).await];
        if let Ok(admin) = std::env::var("SCHEMAGATE_TEST_POSTGRES")
            && !admin.is_empty()
        {
            all.push(on_postgres(&admin, &settings).await);
        }
        all
    });
    report(&all, &settings, &load_before, started.elapsed())
}

/// Runs on a fresh PostgreSQL database, dropped afterwards.
async fn on_postgres(admin_url: &str, settings: &Settings) -> Figures {
    let name = format!("sg_bench_status_{}", std::process::id());
    let mut admin = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|error| panic!("SCHEMAGATE_TEST_POSTGRES is unreachable: {error}"));
    let create = format!("CREATE DATABASE {name}");
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await
        .expect("create the bench database");
    let mut url = url::Url::parse(admin_url).expect("SCHEMAGATE_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{name}"));
    let figures = run("PostgreSQL", url.as_str(), settings).await;
    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut admin)
        .await
        .expect("drop the bench database");
    figures
}

fn config_text(database: &str, forge_url: &str) -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:0"
database = "{database}"
sync_interval = "7d"

[gitlab]
url = "{forge_url}"
token_env = "SCHEMAGATE_BENCH_GITLAB_TOKEN"
webhook_secret_env = "SCHEMAGATE_BENCH_GITLAB_SECRET"

[mail]
smtp_url = "smtp://127.0.0.1:2525"
from = "schemagate@example.org"

[status]
public = true

[[project]]
forge = "gitlab"
path = "{project}"
releases = {{ scheme = "calver" }}
announce = {{ to = ["lava-announce@lists.example.org"] }}
"#,
        project = seed::PROJECT,
    )
}

async fn run(backend: &'static str, database: &str, settings: &Settings) -> Figures {
    let forge = CountingForge::start().await;
    let config = config::parse("status-bench.toml", &config_text(database, &forge.url))
        .unwrap_or_else(|errors| panic!("the bench config is invalid:\n{errors}"));
    let store = Store::connect(&config.server.database)
        .await
        .unwrap_or_else(|error| panic!("{backend} store: {error}"));
    let seeded = seed::seed(&store).await;
    hold_the_sync(&config, &store).await;
    let local = in_process(&store, &config, settings.warm_up, settings.in_process).await;

    let gitlab = GitLabClient::new(GitLabSettings {
        url: forge.url.clone(),
        token: "bench-token".into(),
        retry: RetryPolicy::none(),
    })
    .expect("a GitLab client");
    let forges = Forges {
        gitlab: Some(Arc::new(gitlab) as Arc<dyn Forge>),
        github: None,
    };
    let options = ServeOptions {
        workers: 1,
        worker_id: "status-bench".into(),
        lease: Duration::from_secs(30),
        shutdown_grace: Duration::from_secs(2),
        mail: MailService::from_config(&config, &|_| None).expect("the mail service"),
        status_password: None,
    };
    let secrets = WebhookSecrets {
        gitlab: Some("bench-secret".into()),
        github: None,
    };
    let server =
        schemagate::server::start(Arc::new(config), store.clone(), forges, secrets, options)
            .await
            .expect("the server starts");
    let base = format!("http://{}", server.addr);
    // The start-up probe (one milestone read) is not a page view.
    let probe_deadline = Instant::now() + Duration::from_secs(5);
    while forge.count() == 0 && Instant::now() < probe_deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = forge.count();

    let http = reqwest::Client::new();
    check_shown(&http, &base, &seeded).await;
    get_times(&http, &format!("{base}{PAGE}"), settings.warm_up).await;
    get_times(&http, &format!("{base}{JSON}"), settings.warm_up).await;
    let page = get_times(&http, &format!("{base}{PAGE}"), settings.requests).await;
    let json = get_times(&http, &format!("{base}{JSON}"), settings.requests).await;
    // Nothing rewrote the project while it was measured.
    check_shown(&http, &base, &seeded).await;
    let during = forge.since(before);
    server.shutdown().await.expect("the server stops");
    Figures {
        backend,
        seeded,
        page,
        json,
        local,
        before,
        during,
    }
}

/// Claims the project's sync job before the server starts, as a sync
/// running in another replica would: the server's first periodic sync
/// (10 s after start, whatever `sync_interval` says) then waits behind it
/// instead of reading the empty forge, counting requests and rewriting the
/// seeded project halfway through the measurement.
async fn hold_the_sync(config: &Config, store: &Store) {
    sync_loop::enqueue_syncs(config, store).await;
    let held = store
        .claim("status-bench-holds-the-sync", Duration::from_secs(3600))
        .await
        .expect("the store answers")
        .expect("the sync job");
    assert!(held.serial_key.ends_with(":sync"), "{}", held.serial_key);
}

/// The JSON shows what was seeded: every release, change and blocked MR.
async fn check_shown(http: &reqwest::Client, base: &str, seeded: &seed::Seeded) {
    let json: serde_json::Value = (http.get(format!("{base}{JSON}")).send().await)
        .and_then(|response| response.error_for_status())
        .expect("the JSON answers")
        .json()
        .await
        .expect("JSON");
    let releases = json["releases"].as_array().expect("releases");
    let changes: usize = releases
        .iter()
        .map(|r| r["db_changes"].as_array().map_or(0, Vec::len))
        .sum();
    let blocked = json["blocked"].as_array().map_or(0, Vec::len);
    let sent = releases
        .iter()
        .filter(|r| r["warning"]["state"] == "sent")
        .count();
    assert_eq!(releases.len(), seeded.releases, "releases shown");
    assert_eq!(changes, seeded.db_changes, "database changes shown");
    assert_eq!(blocked, seeded.failing, "blocked MRs shown");
    assert_eq!(sent, 1, "sent warnings shown");
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The answer's size in bytes, or its range when it varied.
fn size(bytes: (usize, usize)) -> String {
    match bytes {
        (0, 0) => String::new(),
        (low, high) if low == high => format!("{low} B"),
        (low, high) => format!("{low}–{high} B"),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn row(what: &str, timings: &Timings) {
    println!(
        "{what:<44} {:>10} {:>10} {:>10}  {:>15}",
        ms(timings.percentile(0.5)),
        ms(timings.percentile(0.99)),
        ms(timings.max()),
        size(timings.bytes)
    );
}

fn report(all: &[Figures], settings: &Settings, load_before: &str, took: Duration) -> ExitCode {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let seeded = &all[0].seeded;
    println!(
        "status bench: {} with {} release milestones ({} shipped), {} open MRs ({} failing the \
         gate), {} database changes, {} issues; {profile} build, {} cores; {} sequential GETs of \
         each after {} of warm-up; in-process {} runs of each part",
        seed::PROJECT,
        seeded.releases,
        seeded.shipped,
        seeded.open_mrs,
        seeded.failing,
        seeded.db_changes,
        seeded.issues,
        std::thread::available_parallelism().map_or(0, |p| p.get()),
        settings.requests,
        settings.warm_up,
        settings.in_process,
    );
    println!(
        "load average before {load_before}, after {}; took {:.1} s",
        load_average(),
        took.as_secs_f64()
    );
    let mut failed = false;
    for figures in all {
        println!(
            "\n{:<44} {:>10} {:>10} {:>10}  {:>15}",
            figures.backend, "p50", "p99", "max", "size"
        );
        row(&format!("page  GET {PAGE}"), &figures.page);
        row(&format!("JSON  GET {JSON}"), &figures.json);
        row("in-process: store reads + build", &figures.local.gather);
        row("in-process: render project.html", &figures.local.render);
        row("in-process: serialise the JSON", &figures.local.json);
        let worst = figures
            .page
            .percentile(0.99)
            .max(figures.json.percentile(0.99));
        println!(
            "goal p99 < {} (reported, not asserted): {}",
            ms(GOAL),
            if worst < GOAL { "met" } else { "missed" }
        );
        println!(
            "forge requests during the {} page and JSON loads: {} (start-up probe before: {})",
            2 * (settings.requests + settings.warm_up + 1),
            figures.during.len(),
            figures.before
        );
        for line in figures.during.iter().take(10) {
            println!("  {line}");
        }
        failed |= !figures.during.is_empty();
    }
    if failed {
        println!("FAIL: a status page view asked the forge; it must read the store only");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
