//! Two `serve` processes sharing one PostgreSQL take 500 events between
//! them: no job is worked twice, both do work, and the fake forge ends in
//! the state one process would have left.

use super::*;
use crate::support::db::with_postgres;
use crate::support::webhooks::gitlab::MrChanges;
use schemagate::config::DatabaseKind;

const MERGE_REQUESTS: u64 = 100;
const EVENTS_PER_MR: u64 = 5;

/// The sum of one metric's samples in a Prometheus text page.
fn metric_total(page: &str, name: &str) -> f64 {
    page.lines()
        .filter(|line| line.starts_with(name))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_serve_processes_on_one_postgres_share_500_events_and_work_none_twice() {
    with_postgres(|db| async move {
        let world = World::seed(MERGE_REQUESTS, 5).await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), &world.fake.url, &db.url.url);
        let replicas = [
            ServeProcess::start(&config, 4, "60s").await,
            ServeProcess::start(&config, 4, "60s").await,
        ];
        assert_ne!(replicas[0].pid(), replicas[1].pid());

        // Each MR: opened, then edits that change nothing (new deliveries),
        // spread over both replicas as a load balancer would.
        let mut sent = 0;
        for round in 0..EVENTS_PER_MR {
            for mr in &world.merge_requests {
                let delivery = if round == 0 {
                    world.opened(mr.iid)
                } else {
                    hooks::merge_request(
                        &world.fake,
                        world.project,
                        mr.iid,
                        MrAction::Update(MrChanges::default()),
                    )
                };
                replicas[sent % 2].deliver(&delivery).await;
                sent += 1;
            }
        }
        assert_eq!(sent, 500);

        let store = open_store(&db.url.url, DatabaseKind::Postgres).await;
        let depth = wait_drained(&store, Duration::from_secs(180)).await;
        assert_eq!(depth.dead, 0);
        let jobs = store.jobs().await.unwrap();
        assert!(jobs.len() >= 500, "{} jobs for 500 events", jobs.len());
        for job in &jobs {
            assert_eq!(job.state, "done", "{job:?}");
            assert_eq!(job.claims, 1, "a job was claimed twice: {job:?}");
            assert_eq!(job.completions, 1, "a job was worked twice: {job:?}");
        }

        let mut processed = Vec::new();
        for replica in &replicas {
            let page = replica.metrics().await;
            processed.push(metric_total(&page, schemagate::metric_names::JOBS));
        }
        assert!(
            processed.iter().all(|count| *count > 0.0),
            "both replicas must work jobs: {processed:?}"
        );
        assert_eq!(
            processed.iter().sum::<f64>() as usize,
            jobs.len(),
            "every job worked by exactly one replica"
        );

        world.assert_converged();
        for mr in world.merge_requests.iter().filter(|mr| mr.db_change) {
            assert_eq!(world.comments_created(mr.iid), 1, "!{}", mr.iid);
        }
        for replica in replicas {
            replica.terminate().await;
        }
    })
    .await;
}
