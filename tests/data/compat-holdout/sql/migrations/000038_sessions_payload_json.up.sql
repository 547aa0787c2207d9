-- MySQL 8.0: the session store runs on the legacy MySQL cluster.
ALTER TABLE `sessions`
    MODIFY COLUMN `payload` JSON NOT NULL,
    ADD COLUMN `revoked_at` DATETIME(6) NULL DEFAULT NULL AFTER `expires_at`,
    ADD INDEX `idx_sessions_revoked_at` (`revoked_at`);
