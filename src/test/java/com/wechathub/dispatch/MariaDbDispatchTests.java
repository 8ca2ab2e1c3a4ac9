package com.wechathub.dispatch;

import com.wechathub.support.OnMariaDb;

/** DispatchTests with the hub's inbox on MariaDB: the dispatcher's routes, retries, dead events and order per follower. */
@OnMariaDb
class MariaDbDispatchTests extends DispatchTests {
}
