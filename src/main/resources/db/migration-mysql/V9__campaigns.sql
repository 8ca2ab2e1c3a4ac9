-- Scene-QR campaigns (SPEC §15.2): db/migration/V9__campaigns.sql in MySQL/MariaDB types.

-- Each campaign's QR code as WeChat made it; see db/migration/V9__campaigns.sql.
CREATE TABLE wechat_campaign_qrcode (
    account     VARCHAR(64)   NOT NULL,
    scene       VARCHAR(64)   NOT NULL,              -- WeChat's scene_str
    permanent   BOOLEAN       NOT NULL,
    ticket      VARCHAR(512)  NOT NULL,
    url         VARCHAR(1024) NOT NULL,
    expires_at  DATETIME(3)   NULL,                  -- null for a permanent code
    created_at  DATETIME(3)   NOT NULL,
    image       MEDIUMBLOB,                          -- WeChat's PNG, null until first shown
    PRIMARY KEY (account, scene)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A campaign's follows and scans of a period; see db/migration/V9__campaigns.sql.
CREATE INDEX wechat_event_campaign ON wechat_event (account, event, create_time);
