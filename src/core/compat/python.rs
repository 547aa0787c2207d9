//! Python migration texts through tree-sitter (being written).
