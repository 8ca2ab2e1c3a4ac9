package com.wechathub.idempotency;

import com.wechathub.support.OnMariaDb;

/** RedisDownTests with the hub's inbox on MariaDB: Redis down, the inbox's unique event id as the dedupe backstop. */
@OnMariaDb
class MariaDbRedisDownTests extends RedisDownTests {
}
