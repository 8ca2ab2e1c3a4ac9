package com.wechathub.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Creates the test database on both servers before a suite's hub starts, unless it exists. */
public final class TestDatabases implements BeforeAllCallback {

    private static volatile boolean ensured;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!ensured) {
            TestDatabase.POSTGRES.ensure(ProdTestProperties.DATABASE);
            TestDatabase.MARIADB.ensure(ProdTestProperties.DATABASE);
            ensured = true;
        }
    }
}
