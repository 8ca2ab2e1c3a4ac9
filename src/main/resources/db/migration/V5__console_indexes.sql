-- The operator console and GET /admin/events list events newest first and page by seq
-- (ORDER BY seq DESC LIMIT n, the next page WHERE seq < cursor): without an index on seq every page
-- of an unfiltered or time-filtered list sorted the whole table. An operator asked about one user
-- has the OpenID, often without the account: (account, open_id, …) cannot serve that.
-- Status filters use wechat_event_queue (status, seq) from V3; account + OpenID the follower index.
-- Like V3, each can be built beforehand with CREATE INDEX CONCURRENTLY on a large inbox (README.md).
CREATE INDEX IF NOT EXISTS wechat_event_seq ON wechat_event (seq);
CREATE INDEX IF NOT EXISTS wechat_event_open_id ON wechat_event (open_id, seq);
