-- The dispatcher reads the inbox as a queue: waiting events by status, oldest (seq) first, and stops
-- at its batch size. (status, next_attempt_at) made every poll read and sort the whole backlog.
-- The operator API's "events in a status, newest first" uses the same index.
-- Building it blocks inserts into wechat_event for as long as it takes; on a large inbox, build it
-- beforehand with CREATE INDEX CONCURRENTLY (README.md, "Upgrading"), and this step skips it.
CREATE INDEX IF NOT EXISTS wechat_event_queue ON wechat_event (status, seq);
DROP INDEX IF EXISTS wechat_event_due;
