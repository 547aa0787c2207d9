//! The status page over real HTTP: off by default (404, and `config check`
//! says how to turn it on), HTTP Basic auth with the password from the
//! environment, public when configured, unknown projects and encoded
//! slashes, and every value HTML-escaped.

use super::{Setup, TestServer, eventually, post_gitlab_mr_opened, seed_gitlab_mr};
use crate::support::serve::STATUS_PASSWORD;
use base64::Engine as _;
use reqwest::StatusCode;
use std::time::Duration;

const WITH_PASSWORD: &str = "password_env = \"SCHEMAGATE_TEST_STATUS_PASSWORD\"";

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

impl TestServer {
    async fn get_as(&self, path: &str, authorization: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send().await.unwrap()
    }
}

#[tokio::test]
async fn without_a_status_section_every_page_is_404_and_says_how_to_turn_it_on() {
    let server = TestServer::start(Setup::default()).await;
    for path in ["/", "/api/v1/status", "/projects/gitlab/lava/lava"] {
        let response = server.get_as(path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains("[status] password_env"), "{path}: {text}");
    }
}

#[tokio::test]
async fn a_password_protects_every_page_and_the_json() {
    let server = TestServer::start(Setup {
        status: Some(WITH_PASSWORD),
        ..Setup::default()
    })
    .await;
    let right = basic("schemagate", STATUS_PASSWORD);
    for path in ["/", "/api/v1/status", "/api/v1/projects/gitlab/lava/lava"] {
        let none = server.get_as(path, None).await;
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path}");
        let challenge = none.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Basic realm="), "{challenge}");
        let wrong = server
            .get_as(path, Some(&basic("schemagate", "guess")))
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{path}");
        let other_user = server
            .get_as(path, Some(&basic("admin", STATUS_PASSWORD)))
            .await;
        assert_eq!(other_user.status(), StatusCode::UNAUTHORIZED, "{path}");
        let ok = server.get_as(path, Some(&right)).await;
        assert_eq!(ok.status(), StatusCode::OK, "{path}");
        assert_eq!(ok.headers()["cache-control"], "no-store");
    }
    let page = server.get_as("/", Some(&right)).await.text().await.unwrap();
    // minijinja's HTML escaping writes `/` as `&#x2f;`, which browsers read back as `/`.
    assert!(
        page.contains("lava&#x2f;lava") && page.contains("octo&#x2f;demo"),
        "{page}"
    );
    // The password never appears in what the server answers.
    assert!(!page.contains(STATUS_PASSWORD));
}

#[tokio::test]
async fn a_public_page_needs_no_credentials() {
    let server = TestServer::start(Setup {
        status: Some("public = true"),
        ..Setup::default()
    })
    .await;
    let response = server.get_as("/api/v1/status", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = response.json().await.unwrap();
    let paths: Vec<&str> = json["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["lava/lava", "octo/demo"]);
    assert_eq!(json["observe"], false);
}

#[tokio::test]
async fn an_unknown_project_is_404_and_an_encoded_slash_names_the_project() {
    let server = TestServer::start(Setup {
        status: Some("public = true"),
        ..Setup::default()
    })
    .await;
    let unknown = server
        .get_as("/api/v1/projects/gitlab/lava/nope", None)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let json: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(
        json["error"],
        "No project gitlab:lava/nope is configured here."
    );
    let bad_forge = server.get_as("/projects/bitbucket/lava/lava", None).await;
    assert_eq!(bad_forge.status(), StatusCode::NOT_FOUND);
    for path in [
        "/api/v1/projects/gitlab/lava%2Flava",
        "/api/v1/projects/gitlab/LAVA/Lava",
        "/api/v1/projects/gitlab/lava/lava",
    ] {
        let response = server.get_as(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let json: serde_json::Value = response.json().await.unwrap();
        assert_eq!(json["path"], "lava/lava", "{path}");
    }
    let page = server.get_as("/projects/gitlab/lava%2Flava", None).await;
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn titles_are_escaped_in_the_page() {
    let server = TestServer::start(Setup {
        status: Some("public = true"),
        ..Setup::default()
    })
    .await;
    let project = seed_gitlab_mr(&server.gitlab, 7);
    let hostile = r#"<script>alert("owned")</script> & "quotes""#;
    server
        .gitlab
        .set_merge_request_text(project, 7, hostile, "");
    assert_eq!(
        post_gitlab_mr_opened(&server.base, 7).await,
        StatusCode::ACCEPTED
    );
    let evaluated = eventually(Duration::from_secs(20), || async {
        let json: serde_json::Value = server
            .get_as("/api/v1/projects/gitlab/lava/lava", None)
            .await
            .json()
            .await
            .unwrap();
        json["releases"][0]["db_changes"][0]["title"] == hostile
    })
    .await;
    assert!(evaluated, "the MR never showed in the JSON");
    let page = server
        .get_as("/projects/gitlab/lava/lava", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>"), "{page}");
    assert!(!page.contains(r#""quotes""#), "{page}");
    assert!(
        page.contains(
            "&lt;script&gt;alert(&quot;owned&quot;)&lt;&#x2f;script&gt; &amp; &quot;quotes&quot;"
        ),
        "{page}"
    );
}
