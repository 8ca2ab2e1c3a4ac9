package com.wechathub.dispatch;

import com.wechathub.support.OnMariaDb;

/** TwoDispatchersTests with the hub's inbox on MariaDB: two hubs claiming from one inbox. */
@OnMariaDb
class MariaDbTwoDispatchersTests extends TwoDispatchersTests {
}
