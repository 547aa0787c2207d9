//! The Rails reader against every Rails migration of the hand-labelled
//! corpus (`tests/data/compat`): the labels were set without the reader, so
//! each must agree.

use super::read;
use crate::core::compat::Classification;
use std::path::Path;

#[test]
fn every_rails_label_of_the_corpus_agrees() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compat");
    let labels = std::fs::read_to_string(dir.join("labels.tsv")).expect("labels.tsv");
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for line in labels.lines().filter(|l| l.starts_with("rails/")) {
        let mut fields = line.split('\t');
        let (Some(path), Some(label)) = (fields.next(), fields.next()) else {
            panic!("a label line without path and compat: {line:?}");
        };
        let text = std::fs::read_to_string(dir.join(path)).expect("a labelled file");
        let classification = Classification::of(read(&text));
        checked += 1;
        if classification.compat.as_str() != label {
            let ops: Vec<String> = classification
                .operations
                .iter()
                .map(|o| o.describe())
                .collect();
            disagreements.push(format!(
                "{path}: labelled {label}, read {} {ops:?}",
                classification.compat
            ));
        }
    }
    assert!(checked >= 15, "only {checked} Rails labels");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
