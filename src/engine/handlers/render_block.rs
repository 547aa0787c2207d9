//! `Work::RenderBlock`: bring one milestone's description block up to date
//! with the store, from a fresh read of the milestone (a person may have
//! edited the text around the block since the list was cached).

use crate::core::types::MilestoneId;
use crate::engine::block::write_block;
use crate::engine::failure::Step;
use crate::engine::milestones::fresh_milestones;
use crate::engine::project::ProjectContext;

/// Re-renders one milestone's block from fresh forge text.
pub(super) async fn run(project: &ProjectContext<'_>, milestone: MilestoneId) -> Step<()> {
    let milestones = fresh_milestones(project).await?;
    let Some(current) = milestones.iter().find(|m| m.id == milestone) else {
        // Deleted meanwhile: nothing to render into.
        return Ok(());
    };
    let state = project.state().await?;
    write_block(project, current, &state).await.map(|_| ())
}
