-- Talking back to WeChat (SPEC §10): db/migration/V4__wechat_api.sql in MySQL/MariaDB types.

-- The follower's UnionID from WeChat's user/info (accounts bound to an Open Platform account).
ALTER TABLE wechat_follower ADD COLUMN unionid VARCHAR(128);

-- A late reply (SPEC §10.4) is part of its event; see db/migration/V4__wechat_api.sql.
ALTER TABLE wechat_event ADD COLUMN reply_status VARCHAR(16);
ALTER TABLE wechat_event ADD COLUMN reply_error VARCHAR(1000);
ALTER TABLE wechat_event ADD COLUMN reply_due_at DATETIME(3);
ALTER TABLE wechat_event ADD COLUMN reply_claimed_by VARCHAR(128);
ALTER TABLE wechat_event ADD COLUMN reply_claimed_at DATETIME(3);
ALTER TABLE wechat_event ADD COLUMN reply_message MEDIUMTEXT;
ALTER TABLE wechat_event ADD COLUMN reply_done_at DATETIME(3);

CREATE INDEX wechat_event_reply ON wechat_event (reply_status, reply_claimed_at);
