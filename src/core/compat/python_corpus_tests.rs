//! The Django and Alembic readers against the hand-labelled corpus
//! (`tests/data/compat`): every LAVA-shaped migration and Backend.AI-shaped
//! revision gets the label its reviewer gave it.

use crate::core::compat::{Reader, classify};
use std::path::Path;

#[test]
fn python_migrations_of_the_corpus_get_their_labels() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compat");
    let labels = std::fs::read_to_string(base.join("labels.tsv")).expect("labels.tsv");
    let mut read = 0;
    let mut wrong = Vec::new();
    for line in labels.lines().skip(1) {
        let mut fields = line.split('\t');
        let (Some(path), Some(label)) = (fields.next(), fields.next()) else {
            continue;
        };
        let reader = if path.starts_with("lava/") {
            Reader::Django
        } else if path.starts_with("backend.ai/") {
            Reader::Alembic
        } else {
            continue;
        };
        let text = std::fs::read_to_string(base.join(path)).expect("a labelled file");
        let classification = classify(reader, path, &text, None);
        read += 1;
        if classification.compat.as_str() != label {
            let operations: Vec<String> = classification
                .operations
                .iter()
                .map(|o| format!("{} [{}]", o.describe(), o.compat))
                .collect();
            wrong.push(format!(
                "{path}: labelled {label}, read {}: {}",
                classification.compat,
                operations.join("; ")
            ));
        }
    }
    assert_eq!(read, 73, "39 Django and 34 Alembic migrations");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
