-- Scene-QR campaigns (SPEC §15.2). Runs on PostgreSQL and on H2 (MODE=PostgreSQL) alike; the same
-- change for MySQL/MariaDB is db/migration-mysql/V9__campaigns.sql.

-- Each campaign's QR code as WeChat made it: a permanent one is made once, ever (WeChat never
-- deletes one and allows 100,000); a temporary one is made again once expires_at has passed.
-- The image is WeChat's PNG from showqrcode, fetched once, so the console needs no internet.
CREATE TABLE wechat_campaign_qrcode (
    account     VARCHAR(64)   NOT NULL,
    scene       VARCHAR(64)   NOT NULL,              -- WeChat's scene_str
    permanent   BOOLEAN       NOT NULL,
    ticket      VARCHAR(512)  NOT NULL,
    url         VARCHAR(1024) NOT NULL,              -- what the code encodes (http://weixin.qq.com/q/…)
    expires_at  TIMESTAMP WITH TIME ZONE,            -- null for a permanent code
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    image       BYTEA,                               -- null until first shown
    PRIMARY KEY (account, scene)
);

-- A campaign's figures read the account's follows (subscribe) and scans (SCAN) of a period, by
-- CreateTime; the follower index (account, open_id, create_time) then answers "followed before?"
-- and "unfollowed within 7 days?" per follower. EventKey is not in the index: PostgreSQL refuses
-- an index entry over ~2.7 kB and an EventKey may be 2,048 characters, so one long key would fail
-- a push's insert; the scene is compared on the rows the index found.
-- Building it blocks inserts for as long as it takes: on a large inbox build it beforehand with
-- CREATE INDEX CONCURRENTLY (README.md, "Upgrading"), and this step skips it.
CREATE INDEX IF NOT EXISTS wechat_event_campaign ON wechat_event (account, event, create_time);
