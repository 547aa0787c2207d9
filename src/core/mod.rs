//! The pure core: detection, release order and policy. No I/O, no clock, no async.

pub mod closing;
pub mod release;
pub mod types;
