//! `Work::Reevaluate` and `Work::Sync`: list the project once and queue an
//! evaluation for every item whose facts changed, a render for every block
//! that is out of date and an announcement for every mail owed, each as its
//! own job so that each item's work stays serialised.

use crate::engine::announce::mails_due;
use crate::engine::block::{block_candidates, rendered_description};
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::engine::queue::enqueue_work;
use crate::engine::scan::{ProjectScan, scan_project};
use crate::forge::ItemKind;
use crate::work::Work;

/// `Work::Reevaluate` and `Work::Sync`: enqueue an evaluation for every
/// item whose facts changed and a render for every block that is out of date.
pub(super) async fn run(project: &ProjectContext<'_>) -> Step<()> {
    let outcome = sync(project).await;
    // The status page's "last sync": when it finished, or why it failed.
    let error = outcome.as_ref().err().map(ToString::to_string);
    project
        .store()
        .record_sync(&project.key(), error.as_deref())
        .await?;
    outcome
}

async fn sync(project: &ProjectContext<'_>) -> Step<()> {
    let scan = scan_project(project).await?;
    let evaluate = |kind, number| project.evaluate(kind, number);
    let mut work: Vec<Work> = Vec::new();
    work.extend(
        scan.merge_requests
            .iter()
            .filter(|l| l.changed)
            .map(|l| evaluate(ItemKind::MergeRequest, l.item.number)),
    );
    work.extend(
        scan.issues
            .iter()
            .filter(|l| l.changed)
            .map(|l| evaluate(ItemKind::Issue, l.item.number)),
    );
    work.extend(scan.stored_only.iter().map(|(kind, n)| evaluate(*kind, *n)));
    work.extend(blocks_out_of_date(project, &scan));
    work.extend(mails_owed(project, &scan).await?);
    for item in &work {
        enqueue_work(project.engine, item).await?;
    }
    Ok(())
}

/// An announce job per mail the project owes. The listing already read
/// the milestones and the state; only the ledger is new (and only for a
/// project that announces).
async fn mails_owed(project: &ProjectContext<'_>, scan: &ProjectScan) -> Step<Vec<Work>> {
    if project.config.announce.is_none() {
        return Ok(Vec::new());
    }
    let snapshot = crate::engine::announce::Snapshot {
        rows: project
            .store()
            .announcements(project.kind, &project.config.path)
            .await?,
        milestones: scan.milestones.clone(),
        state: scan.state.clone(),
        now: scan.now,
    };
    let owed = mails_due(project, &snapshot).into_iter();
    Ok(owed
        .map(|due| project.announce(due.milestone, due.kind))
        .collect())
}

/// A render job for every block whose description is out of date.
fn blocks_out_of_date(project: &ProjectContext<'_>, scan: &ProjectScan) -> Vec<Work> {
    let scheme = &project.config.scheme;
    block_candidates(&scan.milestones, &scan.state, scheme)
        .into_iter()
        .filter(|milestone| {
            rendered_description(milestone, &scan.state, scheme, project.config.announce_to())
                != milestone.description
        })
        .map(|milestone| project.render_block(milestone.id))
        .collect()
}
