//! Putting work on the queue: one job, or the follow-up work an evaluation
//! implies, encoded once so it can be saved in the same store transaction
//! as the record that implies it.

use crate::engine::Engine;
use crate::engine::failure::Step;
use crate::engine::pipeline::decide::FollowUps;
use crate::engine::project::ProjectContext;
use crate::forge::ItemKind;
use crate::store::NewJob;
use crate::work::Work;

pub(crate) async fn enqueue_work(engine: &Engine, work: &Work) -> Step<()> {
    let payload = work.to_json();
    let serial_key = work.serial_key();
    engine
        .store
        .enqueue(&NewJob {
            serial_key: &serial_key,
            payload: &payload,
        })
        .await?;
    Ok(())
}

/// The jobs a finished evaluation implies: re-render the blocks it touched,
/// re-evaluate the issues it closes or closed, and the whole project when it
/// changed the batches.
pub(crate) fn follow_up_work(project: &ProjectContext<'_>, follow_ups: &FollowUps) -> Vec<Work> {
    let milestones = follow_ups.milestones.iter();
    let mut work: Vec<Work> = milestones.map(|m| project.render_block(*m)).collect();
    if follow_ups.batches_changed {
        work.push(project.reevaluate());
    }
    let issues = follow_ups.issues.iter();
    work.extend(issues.map(|issue| project.evaluate(ItemKind::Issue, *issue)));
    let merge_requests = follow_ups.merge_requests.iter();
    work.extend(merge_requests.map(|mr| project.evaluate(ItemKind::MergeRequest, *mr)));
    let mails = follow_ups.announcements.iter();
    work.extend(mails.map(|(milestone, kind)| project.announce(*milestone, *kind)));
    work
}

/// Work as the queue stores it (serial key and JSON payload), owned so that
/// borrowed `NewJob`s can be handed to one store transaction.
pub(crate) struct EncodedWork(Vec<(String, String)>);

impl EncodedWork {
    pub fn new(work: &[Work]) -> EncodedWork {
        EncodedWork(
            work.iter()
                .map(|work| (work.serial_key(), work.to_json()))
                .collect(),
        )
    }

    pub fn jobs(&self) -> Vec<NewJob<'_>> {
        self.0
            .iter()
            .map(|(serial_key, payload)| NewJob {
                serial_key,
                payload,
            })
            .collect()
    }
}
