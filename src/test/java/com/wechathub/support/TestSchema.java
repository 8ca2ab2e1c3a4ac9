package com.wechathub.support;

/** What HUB_TEST_SCHEMA makes of this checkout's test data, as ProdTestProperties' placeholders resolve it. */
public final class TestSchema {

    private TestSchema() {
    }

    public static String schema() {
        String schema = System.getenv("HUB_TEST_SCHEMA");
        return schema == null ? "wechat_hub_test" : schema;
    }

    /** ProdTestProperties.TOKEN_KEY_PREFIX, resolved: this checkout's access-token keys. */
    public static String tokenKeyPrefix() {
        return "wechat-token-test-" + schema();
    }
}
