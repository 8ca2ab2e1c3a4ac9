-- The operator console and GET /admin/events list events newest first and page by seq
-- (ORDER BY seq DESC LIMIT n, the next page WHERE seq < cursor), and find a user's events by OpenID
-- alone, which (account, open_id, …) cannot serve. db/migration/V5__console_indexes.sql also indexes
-- seq; here it is the AUTO_INCREMENT column, which InnoDB keeps an index on already (it must lead
-- one), so only the OpenID index is new. Checked on MariaDB 10.11.
CREATE INDEX wechat_event_open_id ON wechat_event (open_id, seq);
