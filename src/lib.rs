//! schemagate: finds database migrations in merge requests, batches them into
//! one announced release milestone and gates merges ahead of the next release.
//!
//! `core` is pure (facts in, decisions out); everything that touches git, the
//! network, the disk or the clock lives outside it.

pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod engine;
pub mod forge;
pub mod git;
pub mod mail;
pub mod metric_names;
pub mod releases;
pub mod scan;
pub mod server;
pub mod store;
pub mod tasks;
pub mod work;
