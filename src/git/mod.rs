//! Reading facts from a local git checkout through the `git` binary.

pub mod tags;
