-- The push's W3C traceparent: db/migration/V11__event_traceparent.sql in MySQL/MariaDB types.
ALTER TABLE wechat_event ADD COLUMN traceparent VARCHAR(55);
