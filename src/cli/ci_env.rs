//! Which MR a CI job is about, read from the variables GitLab CI and GitHub
//! Actions set (and the event file Actions writes). Pure over the variable
//! lookup and the file reader, so tests build each CI's environment exactly.

use crate::config::ForgeKind;
use serde::Deserialize;
use std::path::Path;

/// The MR a CI job gates, and where its forge's API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiTarget {
    pub forge: ForgeKind,
    /// `group/project` or `owner/repo`: the project the MR belongs to.
    pub project: String,
    pub number: u64,
    /// GitLab's base URL (`https://gitlab.example.org`) or GitHub's API URL.
    pub url: Option<String>,
    /// Set when the CI gives this job a token that may only read (a
    /// GitHub `pull_request` from a fork): why nothing will be written.
    pub read_only: Option<String>,
}

/// The subset of a GitHub Actions pull_request event file that matters.
#[derive(Debug, Deserialize)]
struct PullRequestEvent {
    pull_request: EventPull,
}

#[derive(Debug, Deserialize)]
struct EventPull {
    number: u64,
    head: EventSide,
    base: EventSide,
}

#[derive(Debug, Deserialize)]
struct EventSide {
    /// Null when the fork was deleted.
    repo: Option<EventRepo>,
}

#[derive(Debug, Deserialize)]
struct EventRepo {
    full_name: String,
}

/// The CI job's target, `None` outside GitLab CI and GitHub Actions; an
/// error when the job runs in CI but not for an MR.
pub fn detect(
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Option<CiTarget>, String> {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if set("GITLAB_CI").is_some() {
        return gitlab(&set).map(Some);
    }
    if set("GITHUB_ACTIONS").is_some() {
        return github(&set, read_file).map(Some);
    }
    Ok(None)
}

fn gitlab(set: &dyn Fn(&str) -> Option<String>) -> Result<CiTarget, String> {
    let Some(iid) = set("CI_MERGE_REQUEST_IID") else {
        return Err(
            "this GitLab CI job is not part of a merge request pipeline \
             (CI_MERGE_REQUEST_IID is not set): run `schemagate check` in merge request \
             pipelines, e.g. with `rules: [{if: $CI_PIPELINE_SOURCE == \"merge_request_event\"}]`"
                .to_string(),
        );
    };
    let number = iid
        .parse()
        .map_err(|_| format!("CI_MERGE_REQUEST_IID is not a number: {iid:?}"))?;
    // The MR's own project: in a pipeline for a fork's MR that runs in the
    // parent project, CI_PROJECT_PATH may name the fork.
    let project = set("CI_MERGE_REQUEST_PROJECT_PATH")
        .or_else(|| set("CI_PROJECT_PATH"))
        .or_else(|| set("CI_PROJECT_ID"))
        .ok_or("GitLab CI set neither CI_PROJECT_PATH nor CI_PROJECT_ID")?;
    Ok(CiTarget {
        forge: ForgeKind::GitLab,
        project,
        number,
        url: gitlab_url(set),
        read_only: None,
    })
}

/// The GitLab instance a job runs on: `CI_SERVER_URL`, else `CI_API_V4_URL`
/// without its `/api/v4`.
pub fn gitlab_url(set: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    set("CI_SERVER_URL")
        .or_else(|| set("CI_API_V4_URL").map(|api| api.trim_end_matches("/api/v4").to_string()))
}

fn github(
    set: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<CiTarget, String> {
    let event = set("GITHUB_EVENT_NAME").unwrap_or_default();
    if event != "pull_request" && event != "pull_request_target" {
        return Err(format!(
            "this GitHub Actions run was triggered by `{event}`: run `schemagate check` \
             on `pull_request` (or `pull_request_target`) events"
        ));
    }
    let path = set("GITHUB_EVENT_PATH").ok_or("GitHub Actions did not set GITHUB_EVENT_PATH")?;
    let text = read_file(Path::new(&path))
        .map_err(|e| format!("cannot read the event file {path}: {e}"))?;
    let payload: PullRequestEvent = serde_json::from_str(&text)
        .map_err(|e| format!("the event file {path} is not a pull request event: {e}"))?;
    let pull = payload.pull_request;
    let base = pull.base.repo.map(|r| r.full_name);
    let project = set("GITHUB_REPOSITORY")
        .or(base.clone())
        .ok_or("GitHub Actions did not set GITHUB_REPOSITORY")?;
    let head = pull.head.repo.map(|r| r.full_name);
    let from_fork = head.as_deref() != Some(project.as_str());
    let read_only = (event == "pull_request" && from_fork).then(|| {
        format!(
            "#{} comes from a fork ({}): GitHub gives its `pull_request` workflow a \
             read-only token, so check decides without writing",
            pull.number,
            head.as_deref().unwrap_or("a deleted repository")
        )
    });
    Ok(CiTarget {
        forge: ForgeKind::GitHub,
        project,
        number: pull.number,
        url: set("GITHUB_API_URL"),
        read_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(vars: &[(&str, &str)], file: Option<&str>) -> Result<Option<CiTarget>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let file = file.map(str::to_string);
        detect(&|name| vars.get(name).cloned(), &|_| {
            file.clone()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "absent"))
        })
    }

    fn event(head: &str) -> String {
        format!(
            r#"{{"action":"opened","number":7,"pull_request":{{"number":7,
                "head":{{"ref":"f","repo":{{"full_name":"{head}"}}}},
                "base":{{"ref":"main","repo":{{"full_name":"lava/lava"}}}}}},
                "repository":{{"full_name":"lava/lava"}}}}"#
        )
    }

    #[test]
    fn outside_ci_there_is_no_target() {
        assert_eq!(run(&[], None), Ok(None));
    }

    #[test]
    fn a_gitlab_merge_request_pipeline_names_the_mr_and_the_server() {
        let target = run(
            &[
                ("GITLAB_CI", "true"),
                ("CI_SERVER_URL", "https://gitlab.example.org"),
                ("CI_PROJECT_PATH", "someone/lava"),
                ("CI_PROJECT_ID", "77"),
                ("CI_MERGE_REQUEST_PROJECT_PATH", "lava/lava"),
                ("CI_MERGE_REQUEST_IID", "12"),
            ],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(target.forge, ForgeKind::GitLab);
        assert_eq!(target.project, "lava/lava");
        assert_eq!(target.number, 12);
        assert_eq!(target.url.as_deref(), Some("https://gitlab.example.org"));
    }

    #[test]
    fn a_gitlab_branch_pipeline_is_refused_with_the_rule_to_use() {
        let error = run(
            &[("GITLAB_CI", "true"), ("CI_PROJECT_PATH", "lava/lava")],
            None,
        )
        .unwrap_err();
        assert!(error.contains("merge_request_event"), "{error}");
    }

    #[test]
    fn a_github_pull_request_from_the_same_repository_may_write() {
        let target = run(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", "/tmp/event.json"),
                ("GITHUB_REPOSITORY", "lava/lava"),
                ("GITHUB_API_URL", "https://api.github.com"),
            ],
            Some(&event("lava/lava")),
        )
        .unwrap()
        .unwrap();
        assert_eq!(target.forge, ForgeKind::GitHub);
        assert_eq!((target.project.as_str(), target.number), ("lava/lava", 7));
        assert_eq!(target.read_only, None);
    }

    #[test]
    fn a_github_pull_request_from_a_fork_is_read_only_unless_pull_request_target() {
        let vars = |name: &'static str| {
            vec![
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", name),
                ("GITHUB_EVENT_PATH", "/tmp/event.json"),
                ("GITHUB_REPOSITORY", "lava/lava"),
            ]
        };
        let fork = event("someone/lava");
        let target = run(&vars("pull_request"), Some(&fork)).unwrap().unwrap();
        assert!(target.read_only.unwrap().contains("someone/lava"));
        let target = run(&vars("pull_request_target"), Some(&fork))
            .unwrap()
            .unwrap();
        assert_eq!(target.read_only, None);
    }

    #[test]
    fn a_github_push_or_a_broken_event_file_is_an_error() {
        let error = run(
            &[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push")],
            None,
        )
        .unwrap_err();
        assert!(error.contains("`push`"), "{error}");
        let error = run(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", "/tmp/event.json"),
            ],
            Some("{}"),
        )
        .unwrap_err();
        assert!(error.contains("not a pull request event"), "{error}");
    }
}
