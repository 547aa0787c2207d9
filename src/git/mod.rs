//! Reading a local git checkout: changed files, contents and tags.

pub mod diff;
pub mod repo;
