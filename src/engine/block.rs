//! The batch block in release milestones' descriptions: rendered from the
//! store's database changes, written only when the text differs, always on
//! top of the description as the forge has it now (a person may have edited
//! the text outside the markers; stale text is never written back).

use crate::core::block::{BLOCK_START, BatchBlock, apply_batch_block};
use crate::core::policy::ProjectState;
use crate::core::release::Scheme;
use crate::core::types::Milestone;
use crate::engine::access::write_error;
use crate::engine::failure::Step;
use crate::engine::milestones::cache_milestone_description;
use crate::engine::plan::planned_block_write;
use crate::engine::project::ProjectContext;
use crate::forge::apply::FailedWrite;
use crate::forge::rights::Write;

/// The description `milestone` should have: its block from the database
/// changes it holds and the warning sent to `announce_to` (no changes: no
/// block). Only release milestones carry one.
pub(crate) fn rendered_description(
    milestone: &Milestone,
    project: &ProjectState,
    scheme: &Scheme,
    announce_to: &[String],
) -> String {
    let block = scheme
        .parse(&milestone.title)
        .and_then(|_| BatchBlock::for_milestone(milestone.id, project, announce_to));
    apply_batch_block(&milestone.description, block.as_ref())
}

/// The milestones whose block may need a write: release milestones that
/// hold database changes, and any that carries the bot's block.
pub(crate) fn block_candidates<'m>(
    milestones: &'m [Milestone],
    project: &ProjectState,
    scheme: &Scheme,
) -> Vec<&'m Milestone> {
    milestones
        .iter()
        .filter(|m| {
            m.description.contains(BLOCK_START)
                || (scheme.parse(&m.title).is_some()
                    && project.db_changes_in(m.id).next().is_some())
        })
        .collect()
}

/// Writes `milestone`'s block when the description differs; `true` when
/// it wrote. In observe mode it records the write it would make instead.
pub(crate) async fn write_block(
    project: &ProjectContext<'_>,
    milestone: &Milestone,
    state: &ProjectState,
) -> Step<bool> {
    let wanted = rendered_description(
        milestone,
        state,
        &project.config.scheme,
        project.config.announce_to(),
    );
    if project.engine.observe {
        let writes = match wanted == milestone.description {
            true => Vec::new(),
            false => vec![planned_block_write(&milestone.title)],
        };
        let subject = format!("block:{}", milestone.id.0);
        project
            .store()
            .observe(&project.key(), &subject, &writes, None)
            .await?;
        return Ok(false);
    }
    if wanted == milestone.description {
        return Ok(false);
    }
    project
        .forge
        .set_milestone_description(project.path(), milestone.id, &wanted)
        .await
        .map_err(|error| {
            let failed = FailedWrite {
                write: Write::MilestoneDescription,
                error,
            };
            write_error(project, &failed, &format!("milestone {}", milestone.title))
        })?;
    cache_milestone_description(project, milestone.id, &wanted);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::block::BLOCK_END;
    use crate::core::ids::ItemNumber;
    use crate::core::policy::{DbItemRef, ItemKind};
    use crate::core::types::MilestoneId;
    use crate::core::types::MilestoneState;

    fn milestone(id: u64, title: &str, description: &str) -> Milestone {
        Milestone {
            id: MilestoneId(id),
            title: title.into(),
            state: MilestoneState::Open,
            start_date: None,
            due_date: None,
            description: description.into(),
            web_url: None,
        }
    }

    fn holding(milestone: u64) -> ProjectState {
        ProjectState {
            db_changes: vec![DbItemRef {
                kind: ItemKind::MergeRequest,
                number: ItemNumber(12),
                title: "Add devices".into(),
                web_url: None,
                milestone: MilestoneId(milestone),
                placed_by_bot: false,
                exception: None,
                conflicts: Vec::new(),
                breaking: Vec::new(),
            }],
            warnings_sent: Vec::new(),
            warnings_sending: Vec::new(),
            warnings_failed: Vec::new(),
        }
    }

    #[test]
    fn a_release_holding_a_change_gets_the_block_below_the_persons_text() {
        let m = milestone(2, "2026.12", "Plans.");
        let text = rendered_description(&m, &holding(2), &Scheme::Calver, &[]);
        assert!(text.starts_with("Plans.\n\n"));
        assert!(text.contains("Merge request 12: Add devices"));
        assert!(text.ends_with(BLOCK_END));
    }

    #[test]
    fn a_milestone_that_no_longer_holds_changes_loses_its_block_only() {
        let with_block = rendered_description(
            &milestone(2, "2026.12", "Plans."),
            &holding(2),
            &Scheme::Calver,
            &[],
        );
        let m = milestone(2, "2026.12", &with_block);
        assert_eq!(
            rendered_description(&m, &ProjectState::default(), &Scheme::Calver, &[]),
            "Plans."
        );
        assert_eq!(
            block_candidates(
                std::slice::from_ref(&m),
                &ProjectState::default(),
                &Scheme::Calver
            )
            .len(),
            1
        );
    }

    #[test]
    fn milestones_that_are_not_releases_get_no_block() {
        let backlog = milestone(5, "Backlog", "");
        assert_eq!(
            rendered_description(&backlog, &holding(5), &Scheme::Calver, &[]),
            ""
        );
        assert!(block_candidates(&[backlog], &holding(5), &Scheme::Calver).is_empty());
    }
}
