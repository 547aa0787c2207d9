//! `check` on GitHub: the same verdict with a read-only token and zero
//! writes; `--apply` twice makes the writes once.

use super::{project, seed_github};
use crate::fake_github::FakeGitHub;
use crate::fake_github::state::Access;
use crate::support::check::run_check;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_decides_and_apply_twice_writes_once() {
    let fake = FakeGitHub::start().await;
    let number = seed_github(&fake, "e000000000000000000000000000000000000001", false);
    fake.add_token("ghp_rw", Access::ReadWrite);
    fake.add_token("ghp_ro", Access::ReadOnly);
    let config = format!(
        "[github]\napi_url = \"{}\"\ntoken_env = \"GH_TOKEN\"\n\n{}",
        fake.base_url(),
        project("github")
    );
    let n = number.to_string();
    let args = [
        "--project",
        "lava/lava",
        "--mr",
        n.as_str(),
        "--format",
        "json",
    ];
    let read_only = run_check(Some(&config), &[("GH_TOKEN", "ghp_ro")], &args).await;
    assert_eq!(read_only.code, 1, "{read_only:?}");
    assert_eq!(read_only.json()["verdict"], "failure");
    assert_eq!(fake.writes(), Vec::<String>::new());

    let mut apply = args.to_vec();
    apply.push("--apply");
    let first = run_check(Some(&config), &[("GH_TOKEN", "ghp_rw")], &apply).await;
    assert_eq!(first.code, 1, "{first:?}");
    assert!(
        first.json()["writes"].as_u64().unwrap() >= 3,
        "{}",
        first.stdout
    );
    assert_eq!(
        fake.labels_of("lava/lava", number),
        vec!["Database changes"]
    );
    fake.clear_requests();
    let second = run_check(Some(&config), &[("GH_TOKEN", "ghp_rw")], &apply).await;
    assert_eq!(second.code, 1, "{second:?}");
    assert_eq!(fake.writes(), Vec::<String>::new());
    assert_eq!(second.json()["summary"], first.json()["summary"]);
}
