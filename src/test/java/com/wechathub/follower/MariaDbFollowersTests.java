package com.wechathub.follower;

import com.wechathub.support.OnMariaDb;

/** FollowersTests with the hub's tables on MariaDB, whose duplicate-key error and upsert differ. */
@OnMariaDb
class MariaDbFollowersTests extends FollowersTests {
}
