-- One trace from a push to its event's dispatch (docs/operating.md, "Dashboards, alerts and
-- traces"). Runs on PostgreSQL and on H2 (MODE=PostgreSQL) alike; the same change for MySQL/MariaDB
-- is db/migration-mysql/V11__event_traceparent.sql.

-- The push's W3C trace context (00-<trace id>-<span id>-<flags>, 55 characters), written with the
-- push while tracing is on; the dispatch continues that trace. NULL: the push was not traced.
ALTER TABLE wechat_event ADD COLUMN traceparent VARCHAR(55);
