//! What the conflict check keeps between events, per process: each target
//! branch's listing per head commit and directories (a moved head is a new
//! key, so nothing stale is ever used), and the texts of branch files by
//! blob id (a blob never changes). Both are bounded.

use crate::core::ids::ProjectKey;
use crate::forge::{CommitSha, TreeListing};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Listings kept: a few heads of a few branches per project.
const LISTINGS_KEPT: usize = 64;
/// Texts kept: a large Alembic history several times over.
const BLOBS_KEPT: usize = 20_000;

type ListingKey = (ProjectKey, String, Vec<String>);

#[derive(Default)]
pub(crate) struct BranchTrees {
    listings: Mutex<HashMap<ListingKey, Arc<TreeListing>>>,
    blobs: Mutex<HashMap<String, Option<String>>>,
}

impl BranchTrees {
    pub fn listing(
        &self,
        project: &ProjectKey,
        head: &CommitSha,
        dirs: &[String],
    ) -> Option<Arc<TreeListing>> {
        let key = (project.clone(), head.0.clone(), dirs.to_vec());
        self.listings.lock().expect("listings").get(&key).cloned()
    }

    pub fn keep_listing(
        &self,
        project: &ProjectKey,
        head: &CommitSha,
        dirs: &[String],
        listing: TreeListing,
    ) -> Arc<TreeListing> {
        let listing = Arc::new(listing);
        let mut listings = self.listings.lock().expect("listings");
        if listings.len() >= LISTINGS_KEPT {
            listings.clear();
        }
        let key = (project.clone(), head.0.clone(), dirs.to_vec());
        listings.insert(key, listing.clone());
        listing
    }

    /// A blob's text as read before (`Some(None)`: it was not text).
    pub fn blob(&self, id: &str) -> Option<Option<String>> {
        self.blobs.lock().expect("blobs").get(id).cloned()
    }

    pub fn keep_blob(&self, id: &str, text: Option<String>) {
        let mut blobs = self.blobs.lock().expect("blobs");
        if blobs.len() >= BLOBS_KEPT {
            blobs.clear();
        }
        blobs.insert(id.to_string(), text);
    }
}
