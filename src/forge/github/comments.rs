//! The bot's marked comment on an issue or pull request: found by its id or
//! its marker, edited in place, and created at most once even when an
//! answer is lost.

use super::client::GitHubClient;
use super::history::ACTIONS_ACCOUNT;
use super::model::RestComment;
use super::rest::JSON;
use crate::forge::{CommentId, ForgeError, ItemNumber, ProjectPath};
use http::Method;
use serde_json::json;

impl GitHubClient {
    /// Brings the comment marked with `marker` (or known by its id) up to
    /// `body`, or creates it.
    pub(super) async fn upsert_marked_comment(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<CommentId, ForgeError> {
        if let Some(id) = self
            .adopt_comment(project, number, known, marker, body)
            .await?
        {
            return Ok(id);
        }
        // A lost answer may hide a comment GitHub made: look before trying again.
        let path = format!("/repos/{}/issues/{number}/comments", project.0);
        let payload = json!({"body": body});
        self.retry
            .run_or_find(
                || async {
                    let created: RestComment =
                        self.create(project, &path, &payload).await?.json()?;
                    Ok(CommentId(created.id))
                },
                || self.adopt_comment(project, number, None, marker, body),
            )
            .await
    }

    /// The login this client writes as: an App's `{slug}[bot]` or the token's user.
    /// Asked once; the credential does not change.
    pub(super) async fn bot_account(&self, project: &ProjectPath) -> Result<&str, ForgeError> {
        let ask = || self.retry.run(|| self.credentials.account(project));
        self.account.get_or_try_init(ask).await.map(String::as_str)
    }

    /// The comment known by its id, else the first of the bot's own that
    /// opens with `marker`.
    pub(super) async fn find_marked(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
    ) -> Result<Option<RestComment>, ForgeError> {
        let repo = &project.0;
        if let Some(id) = known {
            let path = format!("/repos/{repo}/issues/comments/{id}");
            match self.get_json::<RestComment>(project, &path).await {
                Ok(comment) => return Ok(Some(comment)),
                // Deleted by someone: fall back to the marker, then to a new comment.
                Err(ForgeError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        let path = format!("/repos/{repo}/issues/{number}/comments");
        let comments: Vec<RestComment> = self.get_all(project, &path).await?;
        let bot = self.bot_account(project).await?;
        Ok(comments.into_iter().find(|c| is_the_bots(c, bot, marker)))
    }

    /// The marked comment, brought up to `body`, if there is one.
    async fn adopt_comment(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<Option<CommentId>, ForgeError> {
        let Some(found) = self.find_marked(project, number, known, marker).await? else {
            return Ok(None);
        };
        if found.body.as_deref() != Some(body) {
            let path = format!("/repos/{}/issues/comments/{}", project.0, found.id);
            let payload = json!({"body": body});
            self.call(project, Method::PATCH, &path, Some(&payload), JSON)
                .await?;
        }
        Ok(Some(CommentId(found.id)))
    }
}

/// Whether `comment` is the bot's: it opens with `marker` (a person quoting
/// the bot starts with `> `), and its author is `account`, or any App or
/// Actions account (a person's login never ends in `[bot]`), or anyone when
/// the account is only guessed: an installation token may not ask `/user`,
/// and the server that wrote the comment may have used another credential.
fn is_the_bots(comment: &RestComment, account: &str, marker: &str) -> bool {
    let opens = (comment.body.as_deref()).is_some_and(|b| b.trim_start().starts_with(marker));
    let login = comment.user.as_ref().map_or("", |user| user.login.as_str());
    let author = login.eq_ignore_ascii_case(account) || login.ends_with("[bot]");
    opens && (author || account == ACTIONS_ACCOUNT)
}
