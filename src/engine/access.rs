//! How a forge error becomes a job's failure: an outage is retried, a token
//! without the rights it needs is said once per project (and kind of write)
//! in the log, with the right it lacks, and the job ends.

use crate::engine::failure::{AccessDenied, Failure, forge_failure, is_auth_error};
use crate::engine::project::ProjectContext;
use crate::forge::ForgeError;
use crate::forge::apply::FailedWrite;
use crate::forge::rights::Write;

/// Maps a forge error to a job failure; a token without rights is
/// reported in the log once per project, with a clear reason.
pub(crate) fn forge_error(project: &ProjectContext, error: &ForgeError, doing: &str) -> Failure {
    failure_of(project, error, doing, None)
}

/// Maps a failed write to a job failure; a write refused for lack of
/// rights names the right the token lacks, logged once per project and
/// kind of write.
pub(crate) fn write_error(project: &ProjectContext, failed: &FailedWrite, target: &str) -> Failure {
    let doing = format!("{} on {target}", failed.write.doing());
    failure_of(project, &failed.error, &doing, Some(failed.write))
}

fn failure_of(
    project: &ProjectContext,
    error: &ForgeError,
    doing: &str,
    write: Option<Write>,
) -> Failure {
    if !is_auth_error(error) {
        return forge_failure(error, doing);
    }
    let denied = AccessDenied {
        forge: project.kind,
        project: project.config.path.clone(),
        doing: doing.to_string(),
        write,
        error: error.clone(),
    };
    let first_time = project
        .engine
        .reported_auth
        .lock()
        .expect("auth report set")
        .insert((project.key(), write));
    if first_time {
        tracing::error!(forge = project.kind.name(), project = %project.config.path, "{denied}");
    }
    Failure::Access(denied)
}
