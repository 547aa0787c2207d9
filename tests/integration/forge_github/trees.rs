//! The GitHub client's repository reads against the fake over HTTP: a
//! branch's head from its ref, and the files under directories at a commit
//! from ONE recursive tree read, directories and other paths left out,
//! GitHub's `truncated` passed on; and the fake's own answers (the branches
//! endpoint, a tree's top level without `recursive`).

use super::*;
use crate::fake_gitlab::git_objects::blob_id;
use schemagate::forge::TreeListing;

const REF_ROUTE: &str = "/repos/{owner}/{repo}/git/ref/{*ref}";
const TREE_ROUTE: &str = "/repos/{owner}/{repo}/git/trees/{sha}";
const RELEASE_SHA: &str = "9c1185a5c5e9fc54612808977ee8f548b2258d31";

fn dirs(list: &[&str]) -> Vec<String> {
    list.iter().map(|d| d.to_string()).collect()
}

fn paths(listing: &TreeListing) -> Vec<&str> {
    listing.entries.iter().map(|e| e.path.as_str()).collect()
}

fn blob<'a>(listing: &'a TreeListing, path: &str) -> &'a str {
    &listing
        .entries
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("{path} not listed"))
        .blob
}

/// The fake with a small repository at `SHA`.
async fn repository() -> FakeGitHub {
    let fake = fake().await;
    for (path, text) in [
        ("db/migrations/0001_init.sql", "create table a;\n"),
        ("db/migrations/nested/0002_b.sql", "create table b;\n"),
        ("db/README.md", "hello\n"),
        ("db2/other.sql", "create table c;\n"),
        ("schema/a.json", "create table a;\n"),
        ("schema/b.json", "{}\n"),
        ("src/main.rs", "fn main() {}\n"),
    ] {
        fake.set_content(REPO, SHA, path, text);
    }
    fake
}

#[tokio::test]
async fn a_branch_head_is_read_from_its_ref_and_an_unknown_branch_is_not_found() {
    let fake = repository().await;
    fake.set_branch(REPO, "release/2026.11", RELEASE_SHA);
    let forge = client(&fake, TOKEN);
    let head = forge
        .branch_head(&project(), "release/2026.11")
        .await
        .unwrap();
    assert_eq!(head, CommitSha(RELEASE_SHA.into()));
    let asked = fake.requests().last().unwrap().path_and_query.clone();
    assert_eq!(asked, "/repos/lava-ci/demo/git/ref/heads/release/2026.11");
    let missing = forge.branch_head(&project(), "release").await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(fake.count("GET", REF_ROUTE), 2);
}

#[tokio::test]
async fn an_empty_repository_has_no_branch_and_no_tree() {
    let fake = fake().await;
    let forge = client(&fake, TOKEN);
    let head = forge.branch_head(&project(), "main").await;
    assert!(
        matches!(&head, Err(ForgeError::NotFound(m)) if m.contains("empty")),
        "{head:?}"
    );
    let tree = forge
        .list_tree(&project(), &CommitSha(SHA.into()), &dirs(&[""]))
        .await;
    assert!(matches!(tree, Err(ForgeError::NotFound(_))), "{tree:?}");
}

#[tokio::test]
async fn one_tree_read_lists_the_files_under_every_directory() {
    let fake = repository().await;
    let listing = client(&fake, TOKEN)
        .list_tree(
            &project(),
            &CommitSha(SHA.into()),
            &dirs(&["schema", "db/migrations", "db", "no/such/dir"]),
        )
        .await
        .unwrap();
    assert_eq!(
        paths(&listing),
        [
            "db/README.md",
            "db/migrations/0001_init.sql",
            "db/migrations/nested/0002_b.sql",
            "schema/a.json",
            "schema/b.json",
        ],
        "no directories, nothing from db2 or src"
    );
    assert!(!listing.truncated);
    assert_eq!(fake.count("GET", TREE_ROUTE), 1);
    let asked = fake.requests().last().unwrap().path_and_query.clone();
    assert_eq!(
        asked,
        format!("/repos/lava-ci/demo/git/trees/{SHA}?recursive=1")
    );
}

#[tokio::test]
async fn blob_ids_are_gits_so_equal_content_has_equal_ids() {
    let fake = repository().await;
    let listing = client(&fake, TOKEN)
        .list_tree(&project(), &CommitSha(SHA.into()), &dirs(&[""]))
        .await
        .unwrap();
    assert_eq!(listing.entries.len(), 7);
    let init = blob(&listing, "db/migrations/0001_init.sql");
    assert_eq!(init, blob(&listing, "schema/a.json"), "same text");
    assert_ne!(init, blob(&listing, "db/migrations/nested/0002_b.sql"));
    assert_eq!(
        blob(&listing, "db/README.md"),
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    assert_eq!(init, blob_id("create table a;\n"));
}

#[tokio::test]
async fn a_tree_github_cut_short_says_so() {
    let fake = repository().await;
    fake.set_tree_limit(4);
    let listing = client(&fake, TOKEN)
        .list_tree(&project(), &CommitSha(SHA.into()), &dirs(&["db", "schema"]))
        .await
        .unwrap();
    assert!(listing.truncated);
    // The first four entries in git's order: db/, db/README.md, db/migrations/, …
    assert_eq!(
        paths(&listing),
        ["db/README.md", "db/migrations/0001_init.sql"]
    );
}

#[tokio::test]
async fn an_unknown_commit_is_not_found_and_no_directory_costs_nothing() {
    let fake = repository().await;
    let forge = client(&fake, TOKEN);
    let unknown = CommitSha("0000000000000000000000000000000000000000".into());
    let tree = forge.list_tree(&project(), &unknown, &dirs(&["db"])).await;
    assert!(matches!(tree, Err(ForgeError::NotFound(_))), "{tree:?}");
    let none = forge
        .list_tree(&project(), &CommitSha(SHA.into()), &[])
        .await
        .unwrap();
    assert_eq!(none, TreeListing::default());
    assert_eq!(fake.count("GET", TREE_ROUTE), 1);
}

#[tokio::test]
async fn a_failed_tree_read_is_retried() {
    let fake = repository().await;
    fake.inject("GET", TREE_ROUTE, Fault::ServerError, 1);
    let listing = client(&fake, TOKEN)
        .list_tree(&project(), &CommitSha(SHA.into()), &dirs(&["schema"]))
        .await
        .unwrap();
    assert_eq!(paths(&listing), ["schema/a.json", "schema/b.json"]);
    assert_eq!(fake.count("GET", TREE_ROUTE), 2);
}

#[tokio::test]
async fn contents_and_trees_resolve_a_branch_name() {
    let fake = repository().await;
    fake.set_branch(REPO, "main", SHA);
    let forge = client(&fake, TOKEN);
    let main = CommitSha("main".into());
    let text = forge
        .file_text(&project(), &main, "schema/b.json")
        .await
        .unwrap();
    assert_eq!(text.as_deref(), Some("{}\n"));
    let listing = forge
        .list_tree(&project(), &main, &dirs(&["schema"]))
        .await
        .unwrap();
    assert_eq!(listing.entries.len(), 2);
}

async fn get(fake: &FakeGitHub, path_and_query: &str) -> serde_json::Value {
    let answer = reqwest::Client::new()
        .get(format!("{}{path_and_query}", fake.base_url()))
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    answer.json().await.unwrap()
}

#[tokio::test]
async fn the_fake_answers_branches_and_top_level_trees_as_github_does() {
    let fake = repository().await;
    fake.set_branch(REPO, "release/2026.11", SHA);
    let branch = get(&fake, "/repos/lava-ci/demo/branches/release/2026.11").await;
    assert_eq!(branch["name"], "release/2026.11");
    assert_eq!(branch["commit"]["sha"], SHA);
    let root = branch["commit"]["commit"]["tree"]["sha"].as_str().unwrap();

    let top = get(&fake, &format!("/repos/lava-ci/demo/git/trees/{SHA}")).await;
    assert_eq!(top["sha"], root, "the commit's tree");
    assert_eq!(top["truncated"], false);
    let entries: Vec<(&str, &str)> = top["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [
            ("tree", "db"),
            ("tree", "db2"),
            ("tree", "schema"),
            ("tree", "src")
        ]
    );
    assert_eq!(top["tree"][0]["mode"], "040000");
    assert!(top["tree"][0].get("size").is_none(), "trees have no size");
}
