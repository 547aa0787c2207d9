//! The one-shot runs people start from a shell or a CI job, assembled from
//! the engine's pipeline and its parts (the scan, the blocks, the mails): `check` (one MR in CI), `announce`
//! (one mail now), `sync` (one project reconciled inline) and the
//! server-less sync (the store kept in the milestones' blocks).

pub mod announce;
pub mod check;
mod check_reads;
mod check_steering;
pub mod serverless;
pub mod sync;

pub use check::{CheckOptions, CheckReport};
pub use serverless::ForgeSyncReport;
pub use sync::{SyncMode, SyncObserver, SyncReport, sync};
