//! The rule packs shipped in the binary: `rules/*.toml`, embedded at build time.

use super::model::RulePack;
use super::parse::parse_pack;
use std::sync::LazyLock;

macro_rules! packs {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../rules/", $name, ".toml")))),*]
    };
}

/// (pack name, TOML text) of every built-in pack, in listing order.
pub const BUILTIN_PACK_SOURCES: &[(&str, &str)] = packs![
    "django",
    "alembic",
    "rails",
    "flyway",
    "liquibase",
    "golang-migrate",
    "goose",
    "sqlx",
    "diesel",
    "refinery",
    "seaorm",
    "prisma",
    "knex",
    "sequelize",
    "typeorm",
    "laravel",
    "ecto",
    "efcore",
    "ef6",
    "doctrine",
    "nextcloud",
    "xorm",
    "dbup",
];

/// The built-in packs, parsed and compiled once per process.
///
/// The packs are part of the program, not input: a test parses each one, so a
/// failure here is a build defect. Dropping a broken pack silently would hide
/// migrations, so this fails loudly instead.
static PARSED: LazyLock<Vec<RulePack>> = LazyLock::new(|| {
    BUILTIN_PACK_SOURCES
        .iter()
        .map(|(name, text)| {
            parse_pack(&format!("builtin:{name}"), text)
                .unwrap_or_else(|errors| panic!("built-in rule pack {name} is invalid: {errors}"))
        })
        .collect()
});

/// Every built-in pack, parsed (a copy of the compiled packs; regexes and glob
/// matchers are shared, not recompiled).
pub fn builtin_packs() -> Vec<RulePack> {
    PARSED.clone()
}
