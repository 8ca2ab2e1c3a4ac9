-- The operator console and GET /admin/events list events newest first and page by seq
-- (ORDER BY seq DESC LIMIT n, the next page WHERE seq < cursor), and find a user's events by OpenID
-- alone. The same indexes as db/migration/V5__console_indexes.sql; MySQL has no CREATE INDEX IF NOT
-- EXISTS. (If seq is the AUTO_INCREMENT column, MySQL already keeps an index whose first column is
-- seq; wechat_event_seq then only duplicates it.)
CREATE INDEX wechat_event_seq ON wechat_event (seq);
CREATE INDEX wechat_event_open_id ON wechat_event (open_id, seq);
