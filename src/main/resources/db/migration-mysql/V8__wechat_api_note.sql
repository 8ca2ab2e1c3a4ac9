-- WeChat's API as it really behaves: db/migration/V8__wechat_api_note.sql in MySQL/MariaDB types.
ALTER TABLE wechat_event ADD COLUMN api_note VARCHAR(500);
