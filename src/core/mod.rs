//! The pure core: detection, release order and policy. No I/O, no clock, no async.

pub mod announcements;
pub mod block;
pub mod closing;
pub mod commands;
pub mod comment;
pub mod compat;
pub mod detect;
pub mod exceptions;
pub mod forge_state;
pub mod ids;
pub mod order;
pub mod paths;
pub mod policy;
pub mod release;
pub mod rules;
pub mod series;
pub mod squash;
pub mod status;
pub mod types;
pub mod upgrade;
