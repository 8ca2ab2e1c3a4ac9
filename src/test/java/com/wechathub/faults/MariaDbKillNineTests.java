package com.wechathub.faults;

import com.wechathub.support.TestDatabase;

/** kill -9 under load with the hub's inbox on MariaDB: the same guarantees as on PostgreSQL. */
class MariaDbKillNineTests extends KillNineTests {

    @Override
    TestDatabase database() {
        return TestDatabase.MARIADB;
    }
}
