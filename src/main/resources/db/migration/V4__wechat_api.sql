-- Talking back to WeChat (SPEC §10). Runs on PostgreSQL and on H2 (MODE=PostgreSQL) alike; the same
-- change for MySQL/MariaDB is db/migration-mysql/V4__wechat_api.sql.

-- The follower's UnionID from WeChat's user/info (accounts bound to an Open Platform account).
ALTER TABLE wechat_follower ADD COLUMN unionid VARCHAR(128);

-- A late reply (SPEC §10.4) is part of its event: a crm: menu reply not ready by hub.reply.deadline
-- is sent later as a customer-service message, by whichever node holds the claim on it.
--   reply_status: NULL (none pending: answered passively, or no late reply), waiting (the CRM is
--   being asked), sending, sent, none (the CRM had no reply), failed (reply_error says why).
ALTER TABLE wechat_event ADD COLUMN reply_status VARCHAR(16);
ALTER TABLE wechat_event ADD COLUMN reply_error VARCHAR(1000);
ALTER TABLE wechat_event ADD COLUMN reply_due_at TIMESTAMP WITH TIME ZONE;       -- sent by then, or failed
ALTER TABLE wechat_event ADD COLUMN reply_claimed_by VARCHAR(128);               -- the node delivering it
ALTER TABLE wechat_event ADD COLUMN reply_claimed_at TIMESTAMP WITH TIME ZONE;   -- renewed while it works
ALTER TABLE wechat_event ADD COLUMN reply_message VARCHAR;                       -- the custom/send body
ALTER TABLE wechat_event ADD COLUMN reply_done_at TIMESTAMP WITH TIME ZONE;

-- Each node looks for late replies whose node stopped renewing its claim, once a second.
-- Building it blocks inserts for as long as it takes: on a large inbox build it beforehand with
-- CREATE INDEX CONCURRENTLY (README.md, "Upgrading"), and this step skips it.
CREATE INDEX IF NOT EXISTS wechat_event_reply ON wechat_event (reply_status, reply_claimed_at);
