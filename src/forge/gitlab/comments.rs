//! The bot's one comment on GitLab: notes listed, found by marker among the
//! token user's own notes, created and edited.

use super::client::{GitLabClient, builder_error};
use super::model::{GlNote, GlUser};
use crate::forge::{CommentId, ForgeError, ItemKind, ItemNumber, ProjectPath};
use gitlab::api::projects::{issues, merge_requests};

impl GitLabClient {
    pub(super) async fn bot_username(&self) -> Result<&str, ForgeError> {
        self.bot_username
            .get_or_try_init(|| async {
                let endpoint = gitlab::api::users::CurrentUser::builder()
                    .build()
                    .map_err(builder_error)?;
                let user: GlUser = self.query(endpoint).await?;
                Ok(user.username)
            })
            .await
            .map(String::as_str)
    }

    pub(super) async fn find_note(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<GlNote>, ForgeError> {
        let p = project.0.as_str();
        let notes: Vec<GlNote> = match kind {
            ItemKind::MergeRequest => {
                let endpoint = merge_requests::notes::MergeRequestNotes::builder()
                    .project(p)
                    .merge_request(number.0)
                    .build()
                    .map_err(builder_error)?;
                self.query_all(endpoint).await?
            }
            ItemKind::Issue => {
                let endpoint = issues::notes::IssueNotes::builder()
                    .project(p)
                    .issue(number.0)
                    .build()
                    .map_err(builder_error)?;
                self.query_all(endpoint).await?
            }
        };
        // Only the bot's own notes: a person quoting the bot copies its marker too.
        let bot = self.bot_username().await?;
        Ok(notes
            .into_iter()
            .filter(|note| {
                !note.system && note.author.username == bot && note.body.contains(marker)
            })
            .min_by_key(|note| note.id))
    }

    pub(super) async fn edit_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        id: CommentId,
        body: &str,
    ) -> Result<(), ForgeError> {
        let p = project.0.as_str();
        match kind {
            ItemKind::MergeRequest => {
                let endpoint = merge_requests::notes::EditMergeRequestNote::builder()
                    .project(p)
                    .merge_request(number.0)
                    .note(id.0)
                    .body(body)
                    .build()
                    .map_err(builder_error)?;
                self.write(endpoint).await
            }
            ItemKind::Issue => {
                let endpoint = issues::notes::EditIssueNote::builder()
                    .project(p)
                    .issue(number.0)
                    .note(id.0)
                    .body(body)
                    .build()
                    .map_err(builder_error)?;
                self.write(endpoint).await
            }
        }
    }

    pub(super) async fn create_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        body: &str,
    ) -> Result<CommentId, ForgeError> {
        let p = project.0.as_str();
        let note: GlNote = match kind {
            ItemKind::MergeRequest => {
                let endpoint = merge_requests::notes::CreateMergeRequestNote::builder()
                    .project(p)
                    .merge_request(number.0)
                    .body(body)
                    .build()
                    .map_err(builder_error)?;
                self.query(endpoint).await?
            }
            ItemKind::Issue => {
                let endpoint = issues::notes::CreateIssueNote::builder()
                    .project(p)
                    .issue(number.0)
                    .body(body)
                    .build()
                    .map_err(builder_error)?;
                self.query(endpoint).await?
            }
        };
        Ok(CommentId(note.id))
    }
}
