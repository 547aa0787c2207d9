//! Crash safety: `serve` is SIGKILLed with jobs queued and in flight, then
//! restarted on the same SQLite file; every event's effect lands exactly
//! once (one comment per MR, labels and statuses converge, no job lost).

use super::*;
use schemagate::config::DatabaseKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_work_resumes_and_applies_every_event_exactly_once() {
    let world = World::seed(12, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("store.db").display());
    let config = write_config(dir.path(), &world.fake.url, &database);

    // A slow forge keeps jobs queued and in flight when the process dies.
    world.fake.set_delay(Some(Duration::from_millis(120)));
    let first = ServeProcess::start(&config, 2, "2s").await;
    for mr in &world.merge_requests {
        first.deliver(&world.opened(mr.iid)).await;
    }
    let started = Instant::now();
    while world.fake.writes().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the bot wrote nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();

    let store = open_store(&database, DatabaseKind::Sqlite).await;
    let at_kill = store.queue_depth().await.unwrap();
    assert!(
        at_kill.queued + at_kill.running > 0,
        "the kill came after the work was done: {at_kill:?}"
    );
    let writes_at_kill = world.fake.writes().len();

    world.fake.set_delay(None);
    let second = ServeProcess::start(&config, 2, "2s").await;
    let depth = wait_drained(&store, Duration::from_secs(120)).await;
    assert_eq!(depth.dead, 0, "no job may die");
    assert!(world.fake.writes().len() > writes_at_kill);

    world.assert_converged();
    for mr in world.merge_requests.iter().filter(|mr| mr.db_change) {
        assert_eq!(
            world.comments_created(mr.iid),
            1,
            "!{} got its comment created more than once",
            mr.iid
        );
    }
    let jobs = store.jobs().await.unwrap();
    for job in &jobs {
        assert_eq!(job.state, "done", "{job:?}");
        assert_eq!(
            job.completions, 1,
            "a job completed twice or never: {job:?}"
        );
    }
    let reclaimed = jobs.iter().filter(|job| job.claims > 1).count();
    assert!(
        reclaimed > 0,
        "no job was in flight at the kill (none was claimed twice)"
    );

    // The same event again after the restart changes nothing.
    let mark = world.fake.request_mark();
    let first_db = world.merge_requests.iter().find(|mr| mr.db_change).unwrap();
    second.deliver(&world.opened(first_db.iid)).await;
    wait_drained(&store, Duration::from_secs(30)).await;
    assert_eq!(world.fake.writes_since(mark), Vec::<String>::new());
    second.terminate().await;
}
