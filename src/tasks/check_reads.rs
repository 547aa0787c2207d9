//! What `check` reads from the forge, arranged so that no read waits for
//! one it does not depend on. Round 1: everything that needs only the MR's
//! number (the MR, the milestones, its changed files; with `apply` also its
//! comment, its history and the bot's account, which the writes always
//! need). Round 2: the file texts the rules need at the MR's head commit,
//! beside the history the decision needs were the changes what their paths
//! and diffs suggest (both wait for the MR, the milestones and the changes,
//! not for the rest of round 1). Round 3 (in `check_in`), only when the
//! texts say otherwise and the decision needs more of the history: that
//! part. So a check's reads are at most three round trips deep, counting
//! one page per list (a list of many pages takes a trip per page).

use crate::core::forge_state::{
    ItemEvent, OwnershipNeeds, ownership_from_events, project_state_from_blocks,
};
use crate::core::order::{change_files, listing_dirs, sets_of};
use crate::core::policy::{ItemState, MigrationConflict, Ownership, ProjectState};
use crate::core::types::{Match, Milestone};
use crate::engine::access::forge_error;
use crate::engine::conflicts::{Peers, branch_files_at, branch_listing, conflicts_over};
use crate::engine::failure::Step;
use crate::engine::milestones::milestones;
use crate::engine::pipeline::detect::project_rules;
use crate::engine::pipeline::detect::{classify_listed, migration_files, read_texts};
use crate::engine::project::ProjectContext;
use crate::forge::apply::PostedComment;
use crate::forge::{
    ChangedFiles, CommitSha, ForgeError, History, ItemKind, ItemNumber, MergeRequest,
};
use crate::store::{CachedMatches, ItemRecord};
use crate::tasks::check::prepare_for_check;
use crate::tasks::check::{CheckOptions, needs_of, recorded_entry};
use crate::tasks::check_steering::{ThreadSteering, read_thread, steering_of_thread};

/// Everything `check` decides on, as read from the forge.
pub(crate) struct CheckInputs {
    pub mr: MergeRequest,
    /// The project state the milestones' blocks record.
    pub state: ProjectState,
    /// The MR's entry in the blocks and, when writing, its comment.
    pub record: ItemRecord,
    pub matches: CachedMatches,
    /// The history read so far (the parts the decision may need).
    pub history: HistoryRead,
    /// Exceptions and command answers, from the MR's comments.
    pub thread: ThreadSteering,
    /// Its migrations' collisions with the target branch.
    pub conflicts: Vec<MigrationConflict>,
}

/// What the decision stands on besides the comment and the history: read in
/// round 1, then the texts in round 2.
struct Decidable {
    mr: MergeRequest,
    state: ProjectState,
    matches: CachedMatches,
    history: HistoryRead,
    conflicts: Vec<MigrationConflict>,
}

/// The parts of an MR's history read so far, and whose edits are the bot's.
#[derive(Debug, Default)]
pub(crate) struct HistoryRead {
    pub read: History,
    pub events: Vec<ItemEvent>,
    /// The bot's account, when it had to be asked for.
    pub bot: Option<String>,
}

impl HistoryRead {
    /// The parts of `needs` not read yet.
    pub fn missing(&self, needs: OwnershipNeeds) -> History {
        History {
            labels: needs.label && !self.read.labels,
            milestones: needs.milestone && !self.read.milestones,
        }
    }

    pub fn add(&mut self, more: HistoryRead) {
        self.read.labels |= more.read.labels;
        self.read.milestones |= more.read.milestones;
        self.events.extend(more.events);
        self.bot = self.bot.take().or(more.bot);
    }

    /// The MR's ownership record replayed from the events read.
    pub fn ownership(
        &self,
        label: &str,
        milestones: &[Milestone],
        named_bot: Option<&str>,
    ) -> Ownership {
        let bot = named_bot.or(self.bot.as_deref()).unwrap_or_default();
        ownership_from_events(&self.events, label, milestones, |actor| {
            actor.eq_ignore_ascii_case(bot)
        })
    }
}

/// Whether any part of a history is wanted.
pub(crate) fn any(wanted: History) -> bool {
    wanted.labels || wanted.milestones
}

/// The MR's migrations as its changes' paths and diffs suggest, before the
/// texts are read: what the texts almost always confirm. The history read
/// early is the one this guess needs; when the texts say otherwise and the
/// decision needs more, round 3 reads it.
fn likely_matches(rules: &crate::core::detect::RuleSet, changed: &ChangedFiles) -> Vec<Match> {
    classify_listed(rules, changed, &vec![None; changed.files.len()])
}

/// Reads what `check` decides MR `number` on, in two rounds.
pub(crate) async fn check_inputs(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
    options: &CheckOptions,
    reference: &str,
) -> Step<CheckInputs> {
    let named_bot = options.bot_account.as_deref();
    // Writing replaces the label and milestone the bot owns: both
    // histories are needed whatever the decision, so they come at once.
    let history_first = History {
        labels: options.apply,
        milestones: options.apply,
    };
    let (decidable, comment, history, thread) = tokio::try_join!(
        decidable(project, number, listed, options, reference),
        read_comment(project, number, options.apply, reference),
        read_history(project, number, history_first, named_bot),
        read_thread(project, number, reference),
    )?;
    let Decidable {
        mr,
        state,
        matches,
        history: mut speculative,
        conflicts,
    } = decidable;
    speculative.add(history);
    let thread = steering_of_thread(
        project,
        &thread,
        mr.state,
        &matches.migration_files,
        reference,
    )
    .await?;
    Ok(CheckInputs {
        mr,
        record: ItemRecord {
            db_change: recorded_entry(&state, number),
            comment,
            ..ItemRecord::default()
        },
        state,
        matches,
        history: speculative,
        thread,
        conflicts,
    })
}

/// Round 1's MR, milestones and changes, then round 2's texts beside
/// the history when it may matter (never with `apply`, which reads it
/// in round 1).
async fn decidable(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
    options: &CheckOptions,
    reference: &str,
) -> Step<Decidable> {
    let rules = project_rules(project)?;
    let (mr, milestones, changed) = tokio::try_join!(
        read_mr(project, number, listed, reference),
        milestones(project),
        read_changes(project, number),
    )?;
    let state = project_state_from_blocks(&milestones);
    let likely = likely_matches(&rules.rules, &changed);
    let early = if options.apply {
        OwnershipNeeds::default()
    } else {
        let record = ItemRecord {
            db_change: recorded_entry(&state, number),
            ..ItemRecord::default()
        };
        ownership_needs_for(project, &mr, &record, likely.clone(), &state).await?
    };
    let texts = async {
        let forge = project.forge.as_ref();
        read_texts(forge, project.path(), &mr.head_sha, &changed, &rules.rules)
            .await
            .map_err(|e| forge_error(project, &e, &format!("reading the changes of {number}")))
    };
    let wanted = History {
        labels: early.label,
        milestones: early.milestone,
    };
    let named_bot = options.bot_account.as_deref();
    // The target branch is listed at its name beside the texts: the
    // directories come from the paths alone.
    let (likely_ordered, _) = change_files(&likely);
    let dirs = if mr.state == ItemState::Open {
        listing_dirs(&likely_ordered)
    } else {
        Vec::new()
    };
    let branch = CommitSha(mr.target_branch.clone());
    let listing = branch_listing(project, &mr.target_branch, &branch, &dirs, false);
    let (texts, history, listing) = tokio::try_join!(
        texts,
        read_history(project, number, wanted, named_bot),
        listing
    )?;
    let found = classify_listed(&rules.rules, &changed, &texts);
    let (ordered, _) = change_files(&found);
    let on_branch = branch_files_at(
        project,
        &mr.target_branch,
        &branch,
        &listing,
        &sets_of(&ordered),
    )
    .await?;
    // No store of the other open MRs here: the target branch only; none
    // when the branch's listing is partial or its texts too many.
    let conflicts = match on_branch {
        Some(on_branch) if !listing.truncated => {
            conflicts_over(project, &mr, &found, &on_branch, Peers::None).await?
        }
        _ => Vec::new(),
    };
    let matches = CachedMatches {
        head_sha: mr.head_sha.clone(),
        rules_digest: rules.digest.clone(),
        migration_files: migration_files(&changed, &texts, &found),
        matches: found,
        truncated: changed.truncated,
    };
    Ok(Decidable {
        mr,
        state,
        matches,
        history,
        conflicts,
    })
}

/// Which parts of the MR's history its decision depends on, were the
/// MR's migrations `matches`.
async fn ownership_needs_for(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    record: &ItemRecord,
    matches: Vec<Match>,
    state: &ProjectState,
) -> Step<OwnershipNeeds> {
    let supposed = CachedMatches {
        head_sha: mr.head_sha.clone(),
        rules_digest: String::new(),
        matches,
        truncated: false,
        migration_files: Vec::new(),
    };
    let prepared = prepare_for_check(
        project,
        mr,
        record.clone(),
        &supposed,
        state,
        Default::default(),
        Vec::new(),
    )
    .await?;
    Ok(needs_of(&prepared))
}

/// The MR, from the listing when it holds it.
async fn read_mr(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
    reference: &str,
) -> Step<MergeRequest> {
    if let Some(mr) = listed {
        return Ok(mr);
    }
    project
        .forge
        .merge_request(project.path(), number)
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading {reference}")))
}

/// The MR's changed files (they need only its number, not its head).
async fn read_changes(project: &ProjectContext<'_>, number: ItemNumber) -> Step<ChangedFiles> {
    project
        .forge
        .changed_files(project.path(), number)
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading the changes of {number}")))
}

/// The bot's comment found by its marker, read only when writing.
async fn read_comment(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    apply: bool,
    reference: &str,
) -> Step<Option<PostedComment>> {
    if !apply {
        return Ok(None);
    }
    project
        .forge
        .find_comment(
            project.path(),
            ItemKind::MergeRequest,
            number,
            crate::core::comment::COMMENT_MARKER,
        )
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading {reference}")))
}

/// The `wanted` parts of the MR's history and, unless `named_bot` says
/// who the bot is, the account the forge names for this token, read
/// side by side; nothing when nothing is wanted.
pub(crate) async fn read_history(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    wanted: History,
    named_bot: Option<&str>,
) -> Step<HistoryRead> {
    if !any(wanted) {
        return Ok(HistoryRead::default());
    }
    let forge = project.forge.as_ref();
    let path = project.path();
    let account = async {
        match named_bot {
            Some(_) => Ok(None),
            None => forge.account(path).await.map(Some),
        }
    };
    let events = forge.item_events(path, ItemKind::MergeRequest, number, wanted);
    let (events, bot) = tokio::try_join!(events, account).map_err(|e: ForgeError| {
        forge_error(project, &e, &format!("reading the history of {number}"))
    })?;
    Ok(HistoryRead {
        read: wanted,
        events,
        bot,
    })
}
