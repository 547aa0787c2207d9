//! Which configured project and forge client a job is about, and the keys
//! the store files its items under.

use super::failure::{Failure, Step, forge_failure, is_auth_error};
use super::{Engine, Forges, Work};
use crate::config::ProjectConfig;
use crate::core::ids::ProjectKey;
use crate::core::types::MilestoneId;
use crate::forge::apply::FailedWrite;
use crate::forge::rights::Write;
use crate::forge::{Forge, ForgeError, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use crate::store::ItemKey;
use std::sync::Arc;

/// One configured project with the client of its forge.
#[derive(Clone)]
pub(super) struct ProjectContext<'e> {
    pub config: &'e ProjectConfig,
    pub forge: Arc<dyn Forge>,
    pub kind: ForgeKind,
}

impl ProjectContext<'_> {
    /// The case-free key the project's caches are filed under.
    pub fn key(&self) -> ProjectKey {
        ProjectKey::new(self.kind, &self.config.path)
    }

    /// The path as configured.
    pub fn path(&self) -> &ProjectPath {
        &self.config.path
    }

    /// A re-evaluation of the whole project.
    pub fn reevaluate(&self) -> Work {
        Work::Reevaluate {
            forge: self.kind,
            project: self.path().clone(),
        }
    }

    /// A re-render of `milestone`'s block.
    pub fn render_block(&self, milestone: MilestoneId) -> Work {
        Work::RenderBlock {
            forge: self.kind,
            project: self.path().clone(),
            milestone,
        }
    }

    pub fn item_key(&self, kind: ItemKind, number: ItemNumber) -> ItemKey {
        ItemKey {
            forge: self.kind,
            project: self.config.path.clone(),
            kind,
            number,
        }
    }
}

impl Engine {
    /// The configured project `path` on `kind` with its client from
    /// `forges` (a job's, fenced), or why the job cannot run.
    pub(super) fn project_context(
        &self,
        forges: &Forges,
        kind: ForgeKind,
        path: &ProjectPath,
    ) -> Step<ProjectContext<'_>> {
        let config = self.config.project_on(kind, &path.0).ok_or_else(|| {
            Failure::Unrunnable(format!(
                "project {path} is not configured for {}",
                kind.name()
            ))
        })?;
        self.context_on(forges, config)
    }

    /// `config` with the engine's own (unfenced) client, for the commands.
    pub(super) fn context_for<'e>(&'e self, config: &'e ProjectConfig) -> Step<ProjectContext<'e>> {
        self.context_on(&self.forges, config)
    }

    pub(super) fn context_on<'e>(
        &'e self,
        forges: &Forges,
        config: &'e ProjectConfig,
    ) -> Step<ProjectContext<'e>> {
        let kind = config.forge;
        let forge = forges.get(kind).cloned().ok_or_else(|| {
            Failure::Unrunnable(format!(
                "project {} is on {} but no {} connection is configured",
                config.path,
                kind.name(),
                kind.name()
            ))
        })?;
        Ok(ProjectContext {
            config,
            forge,
            kind,
        })
    }

    /// Maps a forge error to a job failure; a token without rights is
    /// reported in the log once per project, with a clear reason.
    pub(super) fn forge_error(
        &self,
        project: &ProjectContext,
        error: &ForgeError,
        doing: &str,
    ) -> Failure {
        self.failure_of(project, error, doing, None)
    }

    /// Maps a failed write to a job failure; a write refused for lack of
    /// rights names the right the token lacks, logged once per project and
    /// kind of write.
    pub(super) fn write_error(
        &self,
        project: &ProjectContext,
        failed: &FailedWrite,
        target: &str,
    ) -> Failure {
        let doing = format!("{} on {target}", failed.write.doing());
        self.failure_of(project, &failed.error, &doing, Some(failed.write))
    }

    fn failure_of(
        &self,
        project: &ProjectContext,
        error: &ForgeError,
        doing: &str,
        write: Option<Write>,
    ) -> Failure {
        if !is_auth_error(error) {
            return forge_failure(error, doing);
        }
        let forge = project.kind.name();
        let path = &project.config.path;
        let mut reason = match error {
            ForgeError::Unauthorized => {
                format!("the token for {forge} was rejected for {path} ({doing}): {error}")
            }
            _ => format!("the token for {forge} cannot write to {path} ({doing}): {error}"),
        };
        if let (ForgeError::Forbidden(_), Some(write)) = (error, write) {
            reason.push_str(&format!("; it needs {}", write.needs(project.kind)));
        }
        let first_time = self
            .reported_auth
            .lock()
            .expect("auth report set")
            .insert((project.key(), write));
        if first_time {
            tracing::error!(forge, project = %path, "{reason}");
        }
        Failure::Access(reason)
    }
}
