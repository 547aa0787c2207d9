//! The evaluation pipeline of one MR or issue: read it (a deleted one is
//! forgotten), decide (`core::policy::decide` on the facts), apply the
//! smallest set of writes, and record the outcome with the follow-up work
//! it implies. Every handler and task that evaluates an item goes through it.

pub(crate) mod commit;
pub(crate) mod decide;
pub mod desired;
pub(crate) mod detect;
pub mod fingerprint;
pub(crate) mod issue;
pub(crate) mod merge_request;
pub(crate) mod pending;
pub(crate) mod subject;
