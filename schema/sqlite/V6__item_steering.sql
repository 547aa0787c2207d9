-- What people asked the bot through `/schemagate` comments on an MR or
-- issue: the exceptions they approved and every command the bot handled.
-- Both are the audit trail of who waived the gate and why, so rows are
-- only ever added or ended, never pruned. Items are keyed as in `items`
-- (forge word, lowercased project path, kind word, number).

-- One row per approval, kept after it ends: the item's exception history.
-- `covers` is the MR's migration files at approval (JSON: [{"path", "digest"}]),
-- so a change to them lapses the exception. `ended_at` and `ending` (JSON of
-- how it ended: {"end": "withdrawn", "by": …}, {"end": "lapsed", "why": …},
-- {"end": "replaced"}) are both NULL while it holds.
CREATE TABLE item_exceptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    forge       TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    approver    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    approved_at INTEGER NOT NULL,
    covers      TEXT    NOT NULL,
    -- The comment that carried the approval, when known.
    comment_id  INTEGER,
    ended_at    INTEGER,
    ending      TEXT
);
-- An item's history, read with every evaluation of it.
CREATE INDEX item_exceptions_by_item ON item_exceptions (forge, project, kind, number);
-- At most one exception holds per item, even if two writers raced to approve.
CREATE UNIQUE INDEX item_exceptions_one_active ON item_exceptions (forge, project, kind, number)
    WHERE ended_at IS NULL;

-- The command record: one row per command line the bot handled, with what
-- it did (`outcome`: acted, refused or invalid) and the sentence its
-- comment answered. `comment_key` names one version of one comment (its id
-- and a digest of its body) and `line` the command's place in it, so a
-- comment handled again (a redelivered webhook, a sync) adds nothing,
-- while an edited comment is a new version whose commands count anew.
CREATE TABLE item_commands (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    forge       TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    comment_key TEXT    NOT NULL,
    line        INTEGER NOT NULL,
    author      TEXT    NOT NULL,
    verb        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    -- The comment that carried the command, when known.
    comment_id  INTEGER
);
-- The command record's idempotence: a comment version's line is stored
-- once. An index rather than a table constraint, so that both dialects name
-- it alike (PostgreSQL would name a constraint's index, SQLite hides it).
-- Its prefix also serves reading an item's commands.
CREATE UNIQUE INDEX item_commands_once
    ON item_commands (forge, project, kind, number, comment_key, line);
