package com.wechathub.wechat;

import com.wechathub.support.OnMariaDb;

/** CallbackTests with the hub's inbox on MariaDB: recording and answering every push shape. */
@OnMariaDb
class MariaDbCallbackTests extends CallbackTests {
}
