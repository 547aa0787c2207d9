//! Reading a local git checkout: changed files, contents and release tags.

pub mod diff;
pub mod repo;
pub mod tags;
