-- The inbox and the follower table on MySQL/MariaDB, in the shape PostgreSQL reaches after its
-- V1-V3 (db/migration): MySQL support starts there, so versions 2 and 3 have no file here.
-- utf8mb4_bin: WeChat ids (OpenID, event ids) are case-sensitive, and a push may carry any
-- Unicode text. DATETIME(3): milliseconds, no time-zone conversion by the server (the hub's
-- nodes read and write instants through the JDBC driver in the JVM's time zone).
CREATE TABLE wechat_event (
    id              VARCHAR(64)   NOT NULL PRIMARY KEY,   -- digest of the dedupe key; stable across retries
    seq             BIGINT        NOT NULL AUTO_INCREMENT UNIQUE,
    account         VARCHAR(64)   NOT NULL,
    open_id         VARCHAR(128)  NOT NULL,               -- FromUserName
    msg_type        VARCHAR(32)   NOT NULL,
    event           VARCHAR(64),                          -- null for ordinary messages
    event_key       VARCHAR(2048),
    create_time     BIGINT        NOT NULL,               -- WeChat's CreateTime, seconds
    fields          MEDIUMTEXT    NOT NULL,               -- every field of the push, as JSON
    raw_xml         MEDIUMTEXT    NOT NULL,               -- the (decrypted) push as received
    status          VARCHAR(16)   NOT NULL DEFAULT 'pending',  -- pending, claimed, done, dead
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3)   NOT NULL,
    claimed_at      DATETIME(3)   NULL,
    claimed_by      VARCHAR(128),
    last_error      VARCHAR(1000),
    received_at     DATETIME(3)   NOT NULL,
    done_at         DATETIME(3)   NULL,
    CONSTRAINT wechat_event_status CHECK (status IN ('pending', 'claimed', 'done', 'dead')),
    INDEX wechat_event_queue (status, seq),
    INDEX wechat_event_follower (account, open_id, create_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- What the hub knows of each follower; each aspect converges on the event with the latest CreateTime.
CREATE TABLE wechat_follower (
    account           VARCHAR(64)  NOT NULL,
    open_id           VARCHAR(128) NOT NULL,
    subscribed        BOOLEAN,
    subscribed_at     DATETIME(3)  NULL,
    unsubscribed_at   DATETIME(3)  NULL,
    scene             VARCHAR(128),
    subscription_time BIGINT,                             -- CreateTime of the event that set subscribed
    last_scene        VARCHAR(128),
    last_scene_at     DATETIME(3)  NULL,
    scene_time        BIGINT,
    latitude          DOUBLE,
    longitude         DOUBLE,
    `precision`       DOUBLE,                             -- a reserved word in MySQL: quoted wherever it is used
    located_at        DATETIME(3)  NULL,
    location_time     BIGINT,
    updated_at        DATETIME(3)  NOT NULL,
    PRIMARY KEY (account, open_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
