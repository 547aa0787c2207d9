//! Preparing one issue: why it may be a database change (closed by a
//! database-change MR, or the project's opt-in keywords), then the shared
//! decision. Issues get no status and have no changed files.

use crate::core::policy::DbChangeReason;
use crate::engine::failure::Step;
use crate::engine::pipeline::decide::{self, Extra, Prepared};
use crate::engine::pipeline::read::{Found, read_or_forget};
use crate::engine::pipeline::subject::Subject;
use crate::engine::project::ProjectContext;
use crate::forge::{Issue, ItemKind, ItemNumber};

/// Whether the issue's title or text mentions one of the keywords
/// (case-insensitive); an empty list turns it off.
pub(crate) fn mentions_keywords(issue_title: &str, description: &str, keywords: &[String]) -> bool {
    let text = format!("{issue_title}\n{description}").to_lowercase();
    keywords
        .iter()
        .map(|k| k.trim().to_lowercase())
        .any(|k| !k.is_empty() && text.contains(&k))
}

/// Reads the issue (unless `listed` already holds it) and decides.
pub(crate) async fn prepare(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<Issue>,
) -> Step<Found<Prepared>> {
    let read = || project.forge.issue(project.path(), number);
    let found = read_or_forget(project, ItemKind::Issue, number, listed, read).await?;
    found
        .then(|issue| async move {
            let key = project.item_key(ItemKind::Issue, number);
            let record = project.store().item(&key).await?.unwrap_or_default();
            let closing = project
                .store()
                .merge_requests_closing(project.kind, &project.config.path, number)
                .await?;
            let reason = match closing.iter().min() {
                Some(mr) => Some(DbChangeReason::ClosedByMergeRequest { number: *mr }),
                None => mentions_keywords(
                    &issue.title,
                    &issue.description,
                    &project.config.issue_keywords,
                )
                .then_some(DbChangeReason::Keywords),
            };
            let extra = Extra {
                matches: None,
                reason,
                closing_merge_requests: closing,
                steering: None,
                conflicts: Vec::new(),
                peers_to_tell: Vec::new(),
            };
            decide::prepare(project, Subject::Issue(issue), record, extra).await
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_title_or_text_without_case_and_an_empty_list_is_off() {
        let keywords = vec!["schema change".to_string()];
        assert!(mentions_keywords("Needs a Schema Change", "", &keywords));
        assert!(mentions_keywords("x", "this is a SCHEMA CHANGE", &keywords));
        assert!(!mentions_keywords("schema", "change", &keywords));
        assert!(!mentions_keywords("schema change", "", &[]));
    }
}
