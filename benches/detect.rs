//! Detection throughput: classifies a large, realistic mix of changed paths
//! (mostly ordinary source files, some migrations and decoys of every
//! framework) with every built-in pack loaded, on one thread, and prints
//! paths per second. Run with `cargo bench --bench detect`.

use schemagate::core::detect::RuleSet;
use schemagate::core::types::{ChangeKind, ChangedFile};
use std::hint::black_box;
use std::time::Instant;

const PATHS: usize = 1_200_000;

/// Directories and file names seen in real repositories; combined at random.
const DIRS: &[&str] = &[
    "src",
    "src/app",
    "src/components/forms",
    "src/server/api/v1",
    "lib",
    "lib/utils",
    "app/models",
    "app/controllers/admin",
    "app/views/layouts",
    "internal/store/sqlstore",
    "pkg/api/handlers",
    "cmd/server",
    "crates/core/src",
    "crates/db_schema/src/impls",
    "packages/web/src/pages",
    "packages/cli/src/commands",
    "tests",
    "tests/unit/models",
    "spec/models",
    "docs",
    "docs/guides/upgrade",
    "config",
    ".github/workflows",
    "lava_scheduler_app",
    "lava_scheduler_app/templates/lava_scheduler_app",
    "zerver/lib",
    "netbox/dcim/forms",
    "src/sentry/api/endpoints",
    "ghost/core/core/server/services",
    "server/channels/app",
    "models/issues",
    "Jellyfin.Api/Controllers",
    "apps/dav/lib/CalDAV",
    "src/main/java/org/example/service",
    "src/main/resources",
    "priv/static/js",
    "src/migration",
    "make/photon/prepare/migrations/version_2_15_0",
    "scripts",
];
const FILES: &[&str] = &[
    "index.ts",
    "main.go",
    "models.py",
    "views.py",
    "user.rb",
    "README.md",
    "Makefile",
    "utils.js",
    "handler_test.go",
    "schema.rs",
    "lib.rs",
    "Dockerfile",
    "config.yaml",
    "UserService.java",
    "app.component.tsx",
    "styles.css",
    "__init__.py",
    "settings.py",
    "migrate.go",
    "migration.py",
    "changelog.md",
    "package.json",
    "device.html",
    "api.ex",
];
const MIGRATIONS: &[&str] = &[
    "lava_scheduler_app/migrations/0067_testjob_requested_device.py",
    "src/ai/backend/manager/models/alembic/versions/c4b7ec740b36_add_status.py",
    "db/migrate/20240115120000_add_index_on_merge_requests.rb",
    "db/post_migrate/20240116093000_remove_old_columns.rb",
    "src/main/resources/db/migration/POSTGRESQL/V1_20_2__action_indexes.sql",
    "schema/changelog-6.13.0.xml",
    "make/migrations/postgresql/0180_2.15.0_schema.up.sql",
    "migrations/2024-01-05-213000_add_subscribers/up.sql",
    "migration/src/m20240101_000001_create_table.rs",
    "prisma/migrations/19_add_session_replay/migration.sql",
    "migrations/20240101000000-create-user.js",
    "src/migrations/1700000000000-CreateUsers.ts",
    "database/migrations/2024_01_01_000000_create_posts_table.php",
    "priv/repo/migrations/20240123095646_add_unique_index.exs",
    "util/PostgresMigrations/Migrations/20240112143220_AddSeats.cs",
    "migrations/Version20230613121354.php",
    "models/migrations/v1_22/v283.go",
    "util/Migrator/DbScripts/2024-01-12_00_AddSeats.sql",
    "prisma/migrations/migration_lock.toml",
    "Migrations/20240101000000_Initial.Designer.cs",
];

/// A small deterministic generator (xorshift64*), so every run measures the same list.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

fn generate(count: usize) -> Vec<ChangedFile> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let changes = [
        ChangeKind::Added,
        ChangeKind::Modified,
        ChangeKind::Modified,
        ChangeKind::Deleted,
    ];
    (0..count)
        .map(|i| {
            let path = if rng.next().is_multiple_of(20) {
                // About 5% migrations and migration-directory decoys, with a varying prefix.
                format!("services/svc{}/{}", i % 97, rng.pick(MIGRATIONS))
            } else {
                format!("{}/{}", rng.pick(DIRS), rng.pick(FILES))
            };
            ChangedFile::new(path, changes[rng.next() % changes.len()])
        })
        .collect()
}

fn main() {
    let rules = RuleSet::builtin();
    let globs: usize = rules
        .packs()
        .iter()
        .flat_map(|p| &p.rules)
        .map(|r| r.paths.len())
        .sum();
    let files = generate(PATHS);

    // Warm up caches (and the glob set's lazy DFA) before timing.
    for file in files.iter().take(10_000) {
        black_box(rules.classify_path(file));
    }

    let mut best = f64::MAX;
    let mut matched = 0;
    for _ in 0..3 {
        let start = Instant::now();
        matched = 0;
        for file in &files {
            if black_box(rules.classify_path(black_box(file))).is_some() {
                matched += 1;
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let rate = PATHS as f64 / best;
    println!(
        "detect: {PATHS} paths, {} packs, {globs} globs, {matched} matched; best of 3: {:.3} s = {:.0} paths/s on one thread",
        rules.packs().len(),
        best,
        rate
    );
}
