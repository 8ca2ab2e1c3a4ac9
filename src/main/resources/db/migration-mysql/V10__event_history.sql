-- An event's history: db/migration/V10__event_history.sql in MySQL/MariaDB types.

-- Attempts since the push, across replays (attempts counts those since the last replay).
ALTER TABLE wechat_event ADD COLUMN total_attempts INT NOT NULL DEFAULT 0;
UPDATE wechat_event SET total_attempts = attempts WHERE status IN ('pending', 'claimed', 'dead');

-- One row per attempt and per replay; see db/migration/V10__event_history.sql.
CREATE TABLE wechat_event_history (
    seq          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id     VARCHAR(64)   NOT NULL,                  -- wechat_event.id
    attempt      INT           NOT NULL,
    outcome      VARCHAR(16)   NOT NULL,                  -- done, retry, deferred, dead; replayed
    started_at   DATETIME(3)   NOT NULL,
    ended_at     DATETIME(3)   NOT NULL,
    error        VARCHAR(1000),
    node         VARCHAR(128)  NOT NULL,
    replayed_by  VARCHAR(128),
    forced       BOOLEAN       NOT NULL DEFAULT FALSE,
    bulk         BOOLEAN       NOT NULL DEFAULT FALSE,
    CONSTRAINT wechat_event_history_outcome CHECK (outcome IN ('done', 'retry', 'deferred', 'dead', 'replayed')),
    INDEX wechat_event_history_event (event_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
