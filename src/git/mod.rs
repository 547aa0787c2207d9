//! Reading a local git checkout: changed files, contents, release tags, and
//! the release history read in one pass (ancestry and every release's diff).

pub mod diff;
pub mod history;
pub mod objects;
pub mod pairs;
pub mod repo;
pub mod search;
pub mod tags;
pub mod tree;
