//! A lease stolen mid-job: one `serve` is paused (SIGSTOP) inside its last
//! forge read before a write until its lease runs out, a second `serve` on the same store
//! takes the job and does it, and the first, resumed, writes nothing more:
//! every write reaches the forge once.

use super::*;
use schemagate::config::DatabaseKind;

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill -{name} {pid} failed");
}

/// Pauses `serve` outside any store transaction: a paused process holding
/// SQLite's write lock would stop the other replica too.
async fn pause_outside_a_transaction(serve: &ServeProcess, store: &Store) {
    for _ in 0..20 {
        signal(serve.pid(), "STOP");
        // A write transaction that changes nothing: it gets the lock only
        // if the paused process does not hold it.
        let probe = tokio::time::timeout(Duration::from_secs(1), store.prune(Duration::MAX)).await;
        if matches!(probe, Ok(Ok(_))) {
            return;
        }
        signal(serve.pid(), "CONT");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("serve held the store's write lock every time it was paused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_paused_past_its_lease_writes_nothing_after_another_took_the_job() {
    let world = World::seed(1, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("store.db").display());
    let config = write_config(dir.path(), &world.fake.url, &database);
    let store = open_store(&database, DatabaseKind::Sqlite).await;

    let first = ServeProcess::start(&config, 1, "1s").await;
    // Its start-up probe of the forge is done before the event.
    let started = Instant::now();
    while world.fake.count("GET", "milestones") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no start-up probe"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every read is slow, so the job is easy to catch at its last read
    // before its first write (the label's lookup).
    world.fake.set_delay(Some(Duration::from_millis(400)));
    let mark = world.fake.request_mark();
    first.deliver(&world.opened(1)).await;
    while world.fake.count("GET", "labels") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the job never read the label"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Paused inside that read, for longer than its lease.
    pause_outside_a_transaction(&first, &store).await;
    assert!(world.fake.writes_since(mark).is_empty(), "paused too late");
    world.fake.set_delay(None);
    tokio::time::sleep(Duration::from_millis(2000)).await;

    let second = ServeProcess::start(&config, 1, "1s").await;
    wait_drained(&store, Duration::from_secs(60)).await;
    world.assert_converged();
    let done_by_second = world.fake.writes_since(mark);
    assert!(
        !done_by_second.is_empty(),
        "the second replica did not do the job"
    );

    signal(first.pid(), "CONT");
    // The first replica's read answers, and its job would write next: the
    // fence refuses (the heartbeat, finding the lease gone, races it).
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let all = world.fake.writes_since(mark);
    assert_eq!(
        all, done_by_second,
        "the paused replica wrote after another replica had done its job"
    );
    assert_eq!(world.comments_created(1), 1);
    world.assert_converged();
    let metrics = first.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("schemagate_jobs_total") && line.contains("lease_lost")),
        "the first replica did not notice it lost the lease:\n{metrics}"
    );
    let jobs = store.jobs().await.unwrap();
    assert!(
        jobs.iter()
            .all(|job| job.state == "done" && job.completions == 1),
        "{jobs:#?}"
    );
    second.terminate().await;
    first.terminate().await;
}
