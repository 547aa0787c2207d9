//! Graceful shutdown: running jobs finish within the grace period, the ones
//! that cannot are returned to the queue (not lost, not counted as failed),
//! and the listener is closed.

use super::*;
use std::time::Instant;

/// Shuts the server down, failing the test (instead of hanging it) when the
/// shutdown does not finish within `limit`.
async fn shut_down_within(server: &mut TestServer, limit: Duration) {
    let shutdown = server.server.take().expect("a running server").shutdown();
    match tokio::time::timeout(limit, shutdown).await {
        Ok(outcome) => outcome.expect("graceful shutdown"),
        Err(_) => panic!("shutdown did not finish within {limit:?}"),
    }
}

async fn job_state(server: &TestServer, key: &str) -> Option<JobSummary> {
    server
        .event_jobs()
        .await
        .into_iter()
        .find(|job| job.serial_key == key)
}

#[tokio::test]
async fn a_job_still_running_after_the_grace_period_goes_back_to_the_queue() {
    let mut server = TestServer::start(Setup {
        shutdown_grace: Duration::from_millis(300),
        ..Setup::default()
    })
    .await;
    seed_gitlab_mr(&server.gitlab, 11);
    // Every GitLab answer takes 5 s: the job cannot finish in the grace period.
    server.gitlab.set_delay(Some(Duration::from_secs(5)));
    let (status, _) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 11, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let key = "gitlab:lava/lava:mr:11";
    let mut running = false;
    for _ in 0..100 {
        if job_state(&server, key)
            .await
            .is_some_and(|job| job.state == "running")
        {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        running,
        "the job was never claimed: {:?}",
        server.event_jobs().await
    );

    let started = Instant::now();
    shut_down_within(&mut server, Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown waited {:?}",
        started.elapsed()
    );
    let job = job_state(&server, key).await.unwrap();
    assert_eq!(job.state, "queued", "{job:?}");
    assert_eq!(job.completions, 0, "{job:?}");
    assert_eq!(
        job.last_error, None,
        "a returned job is not a failed one: {job:?}"
    );
    // The listener is gone.
    let refused = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await;
    assert!(refused.is_err(), "still answering after shutdown");
}

#[tokio::test]
async fn a_job_that_finishes_within_the_grace_period_is_completed() {
    let mut server = TestServer::start(Setup {
        shutdown_grace: Duration::from_secs(20),
        ..Setup::default()
    })
    .await;
    seed_gitlab_mr(&server.gitlab, 12);
    server.gitlab.set_delay(Some(Duration::from_millis(100)));
    let (status, _) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 12, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let key = "gitlab:lava/lava:mr:12";
    let claimed = eventually(Duration::from_secs(5), || async {
        job_state(&server, key)
            .await
            .is_some_and(|job| job.state == "running")
    })
    .await;
    assert!(claimed, "{:?}", server.event_jobs().await);
    let started = Instant::now();
    shut_down_within(&mut server, Duration::from_secs(30)).await;
    // The job's one 100 ms forge answer at a time is all shutdown waits for,
    // far below the 20 s grace period.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "shutdown waited {:?} for a job that needed well under a second",
        started.elapsed()
    );
    let job = job_state(&server, key).await.unwrap();
    assert_eq!(
        (job.state.as_str(), job.completions),
        ("done", 1),
        "{job:?}"
    );
}
