-- The operator console and GET /admin/events list events newest first and page by seq
-- (ORDER BY seq DESC LIMIT n, the next page WHERE seq < cursor). Filtered by status that walks
-- wechat_event_queue (status, seq) from V3; unfiltered, by time or by event it read and sorted the
-- whole table on every page. seq only grows, so this index costs an insert little (appends only).
-- An OpenID alone is found by walking it too (about 20 ms over 100,000 events); with the account,
-- the follower index (account, open_id, create_time) finds it. No index of its own: one more
-- random-key index would tax every push's insert.
-- Like V3, it can be built beforehand with CREATE INDEX CONCURRENTLY on a large inbox (README.md).
CREATE INDEX IF NOT EXISTS wechat_event_seq ON wechat_event (seq);
