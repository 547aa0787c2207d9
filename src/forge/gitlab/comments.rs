//! The bot's one comment on GitLab: notes listed (for the marker here, and
//! for every comment in `people.rs`), found by marker among the token
//! user's own notes, created and edited. Creating is sent once per
//! try, never blindly again: a lost answer may hide a note GitLab saved.

use super::client::{GitLabClient, builder_error};
use super::model::{GlNote, GlUser};
use crate::forge::{CommentId, ForgeError, ItemKind, ItemNumber, ProjectPath};
use gitlab::api::common::SortOrder;
use gitlab::api::projects::merge_requests::notes::NoteOrderBy;
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

    /// Every note on the item, all pages. `oldest_first` asks GitLab for
    /// creation order (its default is newest first): notes written while the
    /// pages are read then land on the last page instead of shifting the
    /// ones not read yet.
    pub(super) async fn list_notes(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        oldest_first: bool,
    ) -> Result<Vec<GlNote>, ForgeError> {
        let p = project.0.as_str();
        match kind {
            ItemKind::MergeRequest => {
                let mut builder = merge_requests::notes::MergeRequestNotes::builder();
                builder.project(p).merge_request(number.0);
                if oldest_first {
                    builder
                        .order_by(NoteOrderBy::CreatedAt)
                        .sort(SortOrder::Ascending);
                }
                self.query_all(builder.build().map_err(builder_error)?)
                    .await
            }
            ItemKind::Issue => {
                let mut builder = issues::notes::IssueNotes::builder();
                builder.project(p).issue(number.0);
                if oldest_first {
                    builder
                        .order_by(NoteOrderBy::CreatedAt)
                        .sort(SortOrder::Ascending);
                }
                self.query_all(builder.build().map_err(builder_error)?)
                    .await
            }
        }
    }

    pub(super) async fn find_note(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<GlNote>, ForgeError> {
        let notes = self.list_notes(project, kind, number, false).await?;
        // Only the bot's own notes: a person quoting the bot copies its marker too.
        let bot = self.bot_username().await?;
        Ok(notes
            .into_iter()
            .filter(|note| {
                !note.system && note.author.username == bot && note.body.contains(marker)
            })
            .min_by_key(|note| note.id))
    }

    /// Edits the bot's note in place, or adopts the marked one, or creates
    /// it (never two: see [`crate::forge::retry::RetryPolicy::run_or_find`]).
    pub(super) async fn upsert_note(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<CommentId, ForgeError> {
        if let Some(id) = known {
            match self.edit_comment(project, kind, number, id, body).await {
                Ok(()) => return Ok(id),
                // Deleted by a person: find another marked one or start anew.
                Err(ForgeError::NotFound(_)) => {}
                Err(error) => return Err(error),
            }
        }
        if let Some(id) = self.adopt_note(project, kind, number, marker, body).await? {
            return Ok(id);
        }
        self.retry_policy()
            .run_or_find(
                || self.create_comment(project, kind, number, body),
                || self.adopt_note(project, kind, number, marker, body),
            )
            .await
    }

    /// The bot's marked note, brought up to `body`, if there is one.
    async fn adopt_note(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
        body: &str,
    ) -> Result<Option<CommentId>, ForgeError> {
        let Some(note) = self.find_note(project, kind, number, marker).await? else {
            return Ok(None);
        };
        let id = CommentId(note.id);
        if note.body != body {
            self.edit_comment(project, kind, number, id, body).await?;
        }
        Ok(Some(id))
    }

    async fn edit_comment(
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

    /// One try at creating the note: no retry of its own.
    async fn create_comment(
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
                self.query_once(endpoint).await?
            }
            ItemKind::Issue => {
                let endpoint = issues::notes::CreateIssueNote::builder()
                    .project(p)
                    .issue(number.0)
                    .body(body)
                    .build()
                    .map_err(builder_error)?;
                self.query_once(endpoint).await?
            }
        };
        Ok(CommentId(note.id))
    }
}
