//! The pure core: detection, release order and policy. No I/O, no clock, no async.

pub mod detect;
pub mod paths;
pub mod release;
pub mod rules;
pub mod types;
