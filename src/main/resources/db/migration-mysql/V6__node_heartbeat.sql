-- The hub's nodes announce themselves here while they dispatch. The events a node had claimed are
-- taken over by another node as soon as its heartbeat is older than hub.dispatch.node-timeout,
-- instead of waiting out the whole lease.
CREATE TABLE wechat_node (
    id           VARCHAR(128) NOT NULL PRIMARY KEY,   -- as in wechat_event.claimed_by
    started_at   DATETIME(3)  NOT NULL,
    heartbeat_at DATETIME(3)  NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
