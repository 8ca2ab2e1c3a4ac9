-- The dispatcher reads the inbox as a queue: waiting events by status, oldest (seq) first, and stops
-- at its batch size. (status, next_attempt_at) made every poll read and sort the whole backlog.
-- The operator API's "events in a status, newest first" uses the same index.
DROP INDEX wechat_event_due;
CREATE INDEX wechat_event_queue ON wechat_event (status, seq);
