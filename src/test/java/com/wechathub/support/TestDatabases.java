package com.wechathub.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives the suites a fresh test database on both servers, once per test run, before the first
 * suite's hub starts: what an earlier run or another branch left (rows, or migrations this
 * checkout does not have) cannot get in the way. With HUB_TEST_SCHEMA set, another checkout may
 * be testing in the same database at the same time, so it is only created when missing.
 */
public final class TestDatabases implements BeforeAllCallback {

    private static volatile boolean ready;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ready) {
            return;
        }
        synchronized (TestDatabases.class) {
            if (!ready) {
                boolean shared = System.getenv("HUB_TEST_SCHEMA") != null;
                for (TestDatabase server : TestDatabase.values()) {
                    if (shared) {
                        server.ensure(ProdTestProperties.DATABASE);
                    } else {
                        server.recreate(ProdTestProperties.DATABASE);
                    }
                }
                ready = true;
            }
        }
    }
}
