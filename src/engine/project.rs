//! Which configured project and forge client a job is about, and the keys
//! the store files its items under.

use crate::config::ProjectConfig;
use crate::core::announcements::AnnouncementKind;
use crate::core::ids::ProjectKey;
use crate::core::policy::ProjectState;
use crate::core::types::MilestoneId;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::{Engine, Forges, Work};
use crate::forge::{Forge, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use crate::store::{ItemKey, Store};
use std::sync::Arc;

/// One configured project with the client of its forge.
#[derive(Clone)]
pub(crate) struct ProjectContext<'e> {
    /// The engine the project's work runs in: store, caches, clock, mail.
    pub engine: &'e Engine,
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

    /// An evaluation of one MR or issue.
    pub fn evaluate(&self, kind: ItemKind, number: ItemNumber) -> Work {
        Work::Evaluate {
            forge: self.kind,
            project: self.path().clone(),
            kind,
            number,
        }
    }

    /// The `kind` mail of `milestone`, if it is still due when it runs.
    pub fn announce(&self, milestone: MilestoneId, kind: AnnouncementKind) -> Work {
        Work::Announce {
            forge: self.kind,
            project: self.path().clone(),
            milestone,
            kind,
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

    /// The store the engine keeps.
    pub fn store(&self) -> &Store {
        &self.engine.store
    }

    /// The project's database changes and warnings as the store has them.
    pub async fn state(&self) -> Step<ProjectState> {
        Ok(self
            .store()
            .project_state(self.kind, &self.config.path)
            .await?)
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
    /// The configured project `path` on `kind` with the job's `forges`, or
    /// why the job cannot run.
    pub(crate) fn project_context(
        &self,
        forges: &Forges,
        kind: ForgeKind,
        path: &ProjectPath,
    ) -> Step<ProjectContext<'_>> {
        let config = self.config.project_on(kind, &path.0).ok_or_else(|| {
            Failure::Unrunnable(Unrunnable::ProjectNotConfigured {
                forge: kind,
                path: path.clone(),
            })
        })?;
        self.context_on(forges, config)
    }

    /// `config`'s project with the engine's own clients (the commands,
    /// which run under no lease).
    pub(crate) fn context_for<'e>(&'e self, config: &'e ProjectConfig) -> Step<ProjectContext<'e>> {
        self.context_on(&self.forges, config)
    }

    /// `config`'s project with `forges`' client of its forge.
    pub(crate) fn context_on<'e>(
        &'e self,
        forges: &Forges,
        config: &'e ProjectConfig,
    ) -> Step<ProjectContext<'e>> {
        let kind = config.forge;
        let forge = forges.get(kind).cloned().ok_or_else(|| {
            Failure::Unrunnable(Unrunnable::NoConnection {
                forge: kind,
                path: config.path.clone(),
            })
        })?;
        Ok(ProjectContext {
            engine: self,
            config,
            forge,
            kind,
        })
    }
}
