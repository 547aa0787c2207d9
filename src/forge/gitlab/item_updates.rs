//! Labels and milestone of a merge request or issue: one edit adds and
//! removes labels and sets or clears the milestone; a label is created only
//! when the project does not have it yet.

use super::client::{GitLabClient, builder_error, parse_color};
use super::model::GlLabel;
use crate::forge::{ForgeError, ItemKind, ItemNumber, ItemUpdate, MilestoneUpdate, ProjectPath};
use gitlab::api::projects::{issues, labels, merge_requests};

/// The merge-request and issue edit builders share no trait: one macro
/// fills either with the milestone and the label changes.
macro_rules! fill_edit {
    ($builder:ident, $milestone_id:expr, $update:expr) => {
        if let Some(id) = $milestone_id {
            $builder.milestone_id(id);
        }
        for label in &$update.add_labels {
            $builder.add_label(label.as_str());
        }
        for label in &$update.remove_labels {
            $builder.remove_label(label.as_str());
        }
    };
}

impl GitLabClient {
    /// One edit of the item for the whole update; nothing is sent for an empty one.
    pub(super) async fn edit_labels_and_milestone(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        update: &ItemUpdate,
    ) -> Result<(), ForgeError> {
        if update.is_empty() {
            return Ok(());
        }
        // GitLab clears a milestone with `milestone_id=0`.
        let milestone_id = update.milestone.map(|change| match change {
            MilestoneUpdate::Set(id) => id.0,
            MilestoneUpdate::Clear => 0,
        });
        let p = project.0.as_str();
        match kind {
            ItemKind::MergeRequest => {
                let mut builder = merge_requests::EditMergeRequest::builder();
                builder.project(p).merge_request(number.0);
                fill_edit!(builder, milestone_id, update);
                self.write(builder.build().map_err(builder_error)?).await
            }
            ItemKind::Issue => {
                let mut builder = issues::EditIssue::builder();
                builder.project(p).issue(number.0);
                fill_edit!(builder, milestone_id, update);
                self.write(builder.build().map_err(builder_error)?).await
            }
        }
    }

    /// Looks the label up first, so an existing one is never sent again.
    pub(super) async fn create_label_if_missing(
        &self,
        project: &ProjectPath,
        name: &str,
        color: &str,
    ) -> Result<(), ForgeError> {
        let p = project.0.as_str();
        let lookup = labels::Label::builder()
            .project(p)
            .label(name)
            .build()
            .map_err(builder_error)?;
        match self.query::<GlLabel, _>(lookup).await {
            Ok(_) => return Ok(()),
            Err(ForgeError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
        let rgb = parse_color(color).ok_or_else(|| ForgeError::Unexpected {
            status: 0,
            body: format!("label colour {color:?} is not #rrggbb"),
        })?;
        let create = labels::CreateLabel::builder()
            .project(p)
            .name(name)
            .color(rgb)
            .build()
            .map_err(builder_error)?;
        match self.write(create).await {
            // Someone created it between our look-up and our create.
            Err(ForgeError::Unexpected { status: 409, .. }) => Ok(()),
            other => other,
        }
    }
}
