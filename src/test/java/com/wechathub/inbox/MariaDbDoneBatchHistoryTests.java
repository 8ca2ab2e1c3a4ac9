package com.wechathub.inbox;

import com.wechathub.support.OnMariaDb;

/** DoneBatchHistoryTests with the hub's inbox on MariaDB. */
@OnMariaDb
class MariaDbDoneBatchHistoryTests extends DoneBatchHistoryTests {
}
