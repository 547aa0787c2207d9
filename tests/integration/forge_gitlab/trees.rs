//! The GitLab client's repository reads against the fake over HTTP: a
//! branch's head, and the files under directories at a commit, one paged
//! recursive tree listing per directory (100 entries a page), directories
//! and missing paths left out; and the fake's tree answers themselves
//! (keyset pages, the top level alone without `recursive`).

use super::*;
use crate::fake_gitlab::git_objects::{blob_id, listing, sha1};
use schemagate::forge::{TreeEntry, TreeListing};

const BRANCH_ROUTE: &str = "/repository/branches/{branch}";
const TREE_ROUTE: &str = "/repository/tree";
const RELEASE_SHA: &str = "9c1185a5c5e9fc54612808977ee8f548b2258d31";

fn dirs(list: &[&str]) -> Vec<String> {
    list.iter().map(|d| d.to_string()).collect()
}

fn paths(listing: &TreeListing) -> Vec<&str> {
    listing.entries.iter().map(|e| e.path.as_str()).collect()
}

fn blob<'a>(listing: &'a TreeListing, path: &str) -> &'a str {
    let entry: &TreeEntry = listing
        .entries
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("{path} not listed"));
    &entry.blob
}

/// The seeded fake with a small repository at `SHA`.
async fn repository() -> (FakeGitLab, u64) {
    let (fake, project) = seeded().await;
    for (path, text) in [
        ("db/migrations/0001_init.sql", "create table a;\n"),
        ("db/migrations/nested/0002_b.sql", "create table b;\n"),
        ("db/README.md", "hello\n"),
        ("schema/a.json", "create table a;\n"),
        ("schema/b.json", "{}\n"),
        ("src/main.rs", "fn main() {}\n"),
    ] {
        fake.add_file(project, SHA, path, text);
    }
    (fake, project)
}

#[tokio::test]
async fn a_branch_head_is_the_commit_it_points_at_and_an_unknown_branch_is_not_found() {
    let (fake, project) = seeded().await;
    fake.set_branch(project, "release/2026.11", RELEASE_SHA);
    let gitlab = client(&fake);
    let head = gitlab
        .branch_head(&lava(), "release/2026.11")
        .await
        .unwrap();
    assert_eq!(head, CommitSha(RELEASE_SHA.into()));
    let last = fake.state().requests.last().unwrap().uri.clone();
    assert!(
        last.contains("/projects/lava%2Flava/repository/branches/release%2F2026.11"),
        "{last}"
    );
    let missing = gitlab.branch_head(&lava(), "release/1999.01").await;
    assert!(
        matches!(&missing, Err(ForgeError::NotFound(m)) if m.contains("Branch Not Found")),
        "{missing:?}"
    );
    assert_eq!(fake.count("GET", BRANCH_ROUTE), 2);
}

#[tokio::test]
async fn files_under_each_directory_are_listed_without_directories_or_missing_paths() {
    let (fake, _) = repository().await;
    let listing = client(&fake)
        .list_tree(
            &lava(),
            &CommitSha(SHA.into()),
            &dirs(&["schema", "db/migrations", "no/such/dir"]),
        )
        .await
        .unwrap();
    assert_eq!(
        paths(&listing),
        [
            "db/migrations/0001_init.sql",
            "db/migrations/nested/0002_b.sql",
            "schema/a.json",
            "schema/b.json",
        ]
    );
    assert!(!listing.truncated);
    // One listing per directory, the missing one's 404 included.
    assert_eq!(fake.count("GET", TREE_ROUTE), 3);
    let uris: Vec<String> = fake
        .state()
        .requests
        .iter()
        .map(|r| r.uri.clone())
        .collect();
    assert!(
        uris.iter().any(|u| u.contains("path=db%2Fmigrations")
            && u.contains(&format!("ref={SHA}"))
            && u.contains("recursive=true")
            && u.contains("per_page=100")),
        "{uris:?}"
    );
}

#[tokio::test]
async fn blob_ids_are_gits_so_equal_content_has_equal_ids() {
    let (fake, _) = repository().await;
    let listing = client(&fake)
        .list_tree(&lava(), &CommitSha(SHA.into()), &dirs(&[""]))
        .await
        .unwrap();
    assert_eq!(listing.entries.len(), 6);
    let init = blob(&listing, "db/migrations/0001_init.sql");
    assert_eq!(init, blob(&listing, "schema/a.json"), "same text");
    assert_ne!(init, blob(&listing, "db/migrations/nested/0002_b.sql"));
    // `printf 'hello\n' | git hash-object --stdin`
    assert_eq!(
        blob(&listing, "db/README.md"),
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    assert_eq!(init, blob_id("create table a;\n"));
}

#[tokio::test]
async fn overlapping_directories_are_listed_once_and_no_directory_costs_nothing() {
    let (fake, _) = repository().await;
    let gitlab = client(&fake);
    let commit = CommitSha(SHA.into());
    let nested = gitlab
        .list_tree(
            &lava(),
            &commit,
            &dirs(&["db", "db/migrations/", "db/migrations/nested"]),
        )
        .await
        .unwrap();
    assert_eq!(
        paths(&nested),
        [
            "db/README.md",
            "db/migrations/0001_init.sql",
            "db/migrations/nested/0002_b.sql",
        ]
    );
    assert_eq!(fake.count("GET", TREE_ROUTE), 1, "db covers the others");
    let none = gitlab.list_tree(&lava(), &commit, &[]).await.unwrap();
    assert_eq!(none, TreeListing::default());
    assert_eq!(fake.count("GET", TREE_ROUTE), 1);
}

#[tokio::test]
async fn every_page_is_read_one_request_per_hundred_entries() {
    let (fake, project) = seeded().await;
    for i in 0..250 {
        fake.add_file(
            project,
            SHA,
            &format!("big/{i:04}.sql"),
            &format!("-- {i}\n"),
        );
    }
    for i in 0..500 {
        fake.add_file(
            project,
            SHA,
            &format!("huge/{i:04}.sql"),
            &format!("-- {i}\n"),
        );
    }
    let gitlab = client(&fake);
    let commit = CommitSha(SHA.into());
    let big = gitlab
        .list_tree(&lava(), &commit, &dirs(&["big"]))
        .await
        .unwrap();
    assert_eq!(big.entries.len(), 250);
    assert_eq!(big.entries[249].path, "big/0249.sql");
    assert_eq!(fake.count("GET", TREE_ROUTE), 3, "100 + 100 + 50");

    fake.reset_requests();
    let huge = gitlab
        .list_tree(&lava(), &commit, &dirs(&["huge"]))
        .await
        .unwrap();
    assert_eq!(huge.entries.len(), 500);
    // The fifth page says it is the last (`X-Next-Page` empty): no sixth.
    assert_eq!(fake.count("GET", TREE_ROUTE), 5);
}

#[tokio::test]
async fn a_failed_page_is_retried_alone() {
    let (fake, project) = seeded().await;
    for i in 0..150 {
        fake.add_file(project, SHA, &format!("big/{i:04}.sql"), "x\n");
    }
    fake.state().faults.push_back(crate::fake_gitlab::Fault {
        route: TREE_ROUTE.into(),
        uri: Some("page=2".into()),
        status: 502,
        retry_after: None,
    });
    let listing = client(&fake)
        .list_tree(&lava(), &CommitSha(SHA.into()), &dirs(&["big"]))
        .await
        .unwrap();
    assert_eq!(listing.entries.len(), 150);
    assert_eq!(fake.count("GET", TREE_ROUTE), 3, "page 1, page 2 twice");
}

#[tokio::test]
async fn a_missing_commit_is_not_found_for_the_whole_repository() {
    let (fake, _) = repository().await;
    let gitlab = client(&fake);
    let unknown = CommitSha("0000000000000000000000000000000000000000".into());
    let whole = gitlab.list_tree(&lava(), &unknown, &dirs(&[""])).await;
    assert!(
        matches!(&whole, Err(ForgeError::NotFound(m)) if m.contains("Tree Not Found")),
        "{whole:?}"
    );
    // Under a directory GitLab's 404 does not tell a missing commit from a
    // missing path (versions differ): nothing is listed.
    let under = gitlab.list_tree(&lava(), &unknown, &dirs(&["db"])).await;
    assert_eq!(under, Ok(TreeListing::default()));
    let project = gitlab
        .list_tree(&ProjectPath("lava/none".into()), &unknown, &dirs(&["db"]))
        .await;
    assert!(
        matches!(project, Err(ForgeError::NotFound(_))),
        "{project:?}"
    );
}

#[tokio::test]
async fn trees_and_raw_files_resolve_a_branch_name() {
    let (fake, project) = repository().await;
    fake.set_branch(project, "main", SHA);
    let gitlab = client(&fake);
    let main = CommitSha("main".into());
    let listing = gitlab
        .list_tree(&lava(), &main, &dirs(&["schema"]))
        .await
        .unwrap();
    assert_eq!(paths(&listing), ["schema/a.json", "schema/b.json"]);
    let text = gitlab
        .file_text(&lava(), &main, "schema/b.json")
        .await
        .unwrap();
    assert_eq!(text.as_deref(), Some("{}\n"));
}

/// GET `path_and_query` on the fake with the token; the JSON and the headers.
async fn get(
    fake: &FakeGitLab,
    path_and_query: &str,
) -> (serde_json::Value, reqwest::header::HeaderMap) {
    let url = if path_and_query.starts_with("http") {
        path_and_query.to_string()
    } else {
        format!("{}/api/v4{path_and_query}", fake.url)
    };
    let answer = reqwest::Client::new()
        .get(url)
        .header("PRIVATE-TOKEN", TOKEN)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    let headers = answer.headers().clone();
    (answer.json().await.unwrap(), headers)
}

fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let links = headers.get("link")?.to_str().ok()?;
    links.split(',').find_map(|link| {
        let (target, rel) = link.split_once(';')?;
        (rel.trim() == "rel=\"next\"").then(|| target.trim().trim_matches(['<', '>']).to_string())
    })
}

#[tokio::test]
async fn the_fake_pages_trees_by_keyset_and_lists_one_level_without_recursive() {
    let (fake, project) = repository().await;
    for i in 0..250 {
        fake.add_file(project, SHA, &format!("big/{i:04}.sql"), "x\n");
    }
    let tree = format!("/projects/lava%2Flava/repository/tree?ref={SHA}");
    let mut next = Some(format!(
        "{tree}&path=big&recursive=true&pagination=keyset&per_page=100"
    ));
    let (mut seen, mut pages) = (Vec::new(), 0);
    while let Some(url) = next {
        let (page, headers) = get(&fake, &url).await;
        assert!(
            headers.get("x-next-page").is_none(),
            "keyset has no offsets"
        );
        seen.extend(page.as_array().unwrap().iter().map(|e| e["path"].clone()));
        next = next_link(&headers);
        pages += 1;
    }
    assert_eq!((seen.len(), pages), (250, 3));

    // Offset pages link to the next one too, under the API's prefix.
    let (_, headers) = get(&fake, &format!("{tree}&path=big&per_page=100")).await;
    let second = next_link(&headers).unwrap();
    assert!(second.contains("/api/v4/projects/"), "{second}");
    let (page, _) = get(&fake, &second).await;
    assert_eq!(page[0]["path"], "big/0100.sql");

    // Without `recursive`: the top level, directories first.
    let (top, _) = get(&fake, &format!("{tree}&path=db")).await;
    let entries: Vec<(String, String)> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().into(),
                e["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("tree".to_string(), "db/migrations".to_string()),
            ("blob".to_string(), "db/README.md".to_string()),
        ]
    );
    assert_eq!(top[0]["mode"], "040000");
    assert_eq!(top[1]["name"], "README.md");
}

#[test]
fn the_fakes_ids_are_the_ones_git_computes() {
    // `printf 'hello\n' | git hash-object --stdin`, and the empty blob.
    assert_eq!(
        blob_id("hello\n"),
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    assert_eq!(blob_id(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    // Longer than one SHA-1 block.
    assert_eq!(
        hex::encode(sha1(&[b'a'; 1000])),
        "291e9a6c66994949b57ba5e650361e98fc36b1ba"
    );
}

#[test]
fn the_fakes_trees_are_listed_and_hashed_as_git_does() {
    let files: std::collections::BTreeMap<String, String> = [
        ("db/a.sql", "create table a;\n"),
        ("db-x", "x\n"),
        ("db/sub/b.sql", "create table b;\n"),
        ("README.md", "hello\n"),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    let (root, nodes) = listing(&files);
    let paths: Vec<&str> = nodes.iter().map(|n| n.path.as_str()).collect();
    // `db-x` sorts before the directory `db` ('-' < '/').
    assert_eq!(
        paths,
        [
            "README.md",
            "db-x",
            "db",
            "db/a.sql",
            "db/sub",
            "db/sub/b.sql"
        ]
    );
    // `git write-tree` and `git ls-tree -r -t` of the same files.
    assert_eq!(root, "80bd3bca00afc92099af20f9b2b268fa470aa0bf");
    let db = &nodes[2];
    assert!(db.is_tree);
    assert_eq!(db.id, "37f934057fce1849c42ad83c7b9c838895b0e22e");
    assert_eq!(nodes[4].id, "f67242a948e933ae6c66bcca30f4aa360c43a34f");
    assert_eq!(nodes[5].id, "a3de224888a52df4d26a7b0cbad2aff7e796b682");
    assert_eq!(nodes[5].size, Some(16));
}
