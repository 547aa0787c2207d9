//! Bad input stays cheap (issue 11): a thousand malformed or unauthenticated
//! webhooks interleaved with valid ones leave the valid ones' effects intact
//! and store nothing for the bad ones.

use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use crate::support::serve::{TestServer, gitlab_client, test_secrets};
use crate::support::webhooks::gitlab::{MrAction, merge_request};
use crate::support::webhooks::{Delivery, fresh_uuid};
use schemagate::engine::Forges;

const VALID: u64 = 20;
const BAD: usize = 1000;

/// The `n`-th bad delivery: a wrong or missing token, a body that is not
/// JSON, JSON of the wrong shape, or a known event with no object.
fn bad(template: &Delivery, n: usize) -> Delivery {
    let fresh = template
        .clone()
        .with_header("X-Gitlab-Webhook-UUID", &fresh_uuid());
    match n % 5 {
        0 => fresh.with_header("X-Gitlab-Token", "not-the-secret"),
        1 => Delivery {
            headers: fresh
                .headers
                .iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("X-Gitlab-Token"))
                .cloned()
                .collect(),
            ..fresh
        },
        2 => Delivery {
            body: b"{\"object_kind\": \"merge_request\", \"object_attributes\": ".to_vec(),
            ..fresh
        },
        3 => Delivery {
            body: b"[1, 2, 3]".to_vec(),
            ..fresh
        },
        _ => Delivery {
            body: br#"{"object_kind":"merge_request","object_attributes":{"iid":"seven"}}"#
                .to_vec(),
            ..fresh
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_bad_webhooks_among_good_ones_store_nothing_and_change_nothing() {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    fake.add_milestone(Some(project), None, "2026.12", "active", None);
    for iid in 1..=VALID {
        let sha = format!("{iid:040}");
        fake.add_merge_request(
            project,
            iid,
            &sha,
            vec![Diff::added("lava/views.py", &["x = 1"])],
        );
    }
    let config = format!(
        "[server]\nsync_interval = \"1w\"\n\n[gitlab]\nurl = \"{}\"\n\n[[project]]\n\
         forge = \"gitlab\"\npath = \"lava/lava\"\nreleases = {{ scheme = \"calver\" }}\n",
        fake.url
    );
    let server = TestServer::start(
        &config,
        Forges {
            gitlab: Some(gitlab_client(&fake.url, TOKEN)),
            github: None,
        },
        test_secrets(),
    )
    .await;
    let template = merge_request(&fake, project, 1, MrAction::Open);
    let mut refused = 0;
    let mut accepted = 0;
    let per_valid = BAD / VALID as usize;
    for iid in 1..=VALID {
        let (status, body) = server
            .send(&merge_request(&fake, project, iid, MrAction::Open))
            .await;
        assert!(
            (200..300).contains(&status),
            "a valid delivery answered {status}: {body}"
        );
        accepted += 1;
        for n in 0..per_valid {
            let (status, _) = server.send(&bad(&template, n + iid as usize)).await;
            assert!(
                status == 400 || status == 401,
                "a bad delivery answered {status}"
            );
            refused += 1;
        }
    }
    server.wait_idle().await;
    assert_eq!((accepted, refused), (VALID, BAD));
    // One job per valid delivery (and whatever they implied), none for the bad.
    let jobs = server.job_count().await;
    assert!(
        jobs >= VALID as usize && jobs < VALID as usize + 10,
        "{jobs} jobs for {VALID} valid deliveries"
    );
    for iid in 1..=VALID {
        let sha = format!("{iid:040}");
        let status = fake.latest_status(project, &sha, "schemagate");
        assert_eq!(
            status.map(|s| s.state).as_deref(),
            Some("success"),
            "MR {iid} lost its verdict"
        );
    }
    server.shutdown().await;
}
