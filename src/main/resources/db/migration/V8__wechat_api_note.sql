-- WeChat's API as it really behaves (SPEC §10.1a, §10.2). Runs on PostgreSQL and on H2
-- (MODE=PostgreSQL) alike; the same change for MySQL/MariaDB is db/migration-mysql/V8__wechat_api_note.sql.

-- Why an event was done without what WeChat's API would have added: a subscribe bound without the
-- follower's details because WeChat answered 48001 (the account lacks user/info) or 43004 (no
-- longer following), or because the subscribe was too old or unfollowed since. NULL: nothing left out.
ALTER TABLE wechat_event ADD COLUMN api_note VARCHAR(500);
