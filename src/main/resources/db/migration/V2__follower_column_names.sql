-- Name follower columns as the downstream contract does (SPEC §7): scene, precision.
ALTER TABLE wechat_follower RENAME COLUMN subscribe_scene TO scene;
ALTER TABLE wechat_follower RENAME COLUMN location_precision TO precision;
