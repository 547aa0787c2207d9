//! The gate as a GitHub App's check run: one per head commit, found once
//! and edited after; created at most once even when an answer is lost.

use super::client::GitHubClient;
use super::rest::JSON;
use crate::forge::{CommitSha, ForgeError, ProjectPath, STATUS_NAME};
use http::Method;
use serde_json::Value;

impl GitHubClient {
    /// PATCHes the bot's check run on `sha` (found once per process by
    /// listing the commit's runs), or creates it.
    pub(super) async fn write_check_run(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        body: &Value,
    ) -> Result<(), ForgeError> {
        let key = (crate::core::ids::path_key(&project.0), sha.0.clone());
        let known = self
            .check_runs
            .lock()
            .expect("check runs")
            .get(&key)
            .copied();
        let existing = match known {
            Some(id) => Some(id),
            None => self.find_check_run(project, sha).await?,
        };
        if let Some(id) = existing {
            let path = format!("/repos/{}/check-runs/{id}", project.0);
            match self
                .call(project, Method::PATCH, &path, Some(body), JSON)
                .await
            {
                Ok(_) => {
                    self.check_runs.lock().expect("check runs").insert(key, id);
                    return Ok(());
                }
                // Deleted (the commit's runs were re-requested away): start anew.
                Err(ForgeError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        // A lost answer may hide a run GitHub made: look before trying again.
        let path = format!("/repos/{}/check-runs", project.0);
        let created = self
            .retry
            .run_or_find(
                || async {
                    let created: RestCheckRun = self.create(project, &path, body).await?.json()?;
                    Ok(created.id)
                },
                || self.find_check_run(project, sha),
            )
            .await?;
        self.check_runs
            .lock()
            .expect("check runs")
            .insert(key, created);
        Ok(())
    }

    async fn find_check_run(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
    ) -> Result<Option<u64>, ForgeError> {
        let path = format!(
            "/repos/{}/commits/{sha}/check-runs?check_name={STATUS_NAME}",
            project.0
        );
        let list: RestCheckRuns = self.get_json(project, &path).await?;
        Ok(list
            .check_runs
            .into_iter()
            .filter(|run| run.name.as_deref() == Some(STATUS_NAME))
            .map(|run| run.id)
            .max())
    }
}

#[derive(Debug, serde::Deserialize)]
struct RestCheckRun {
    id: u64,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct RestCheckRuns {
    check_runs: Vec<RestCheckRun>,
}
