package com.wechathub.hostile;

import com.wechathub.support.RedisKeys;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.springframework.test.context.TestPropertySource;

/**
 * The prod hub of {@link HubIntegrationTest} with two more accounts, one per mode the demo account
 * (compatible: it has an AES key) does not show, and a short body timeout. The suites of attacks
 * on the callback port share its one application context.
 */
@TestPropertySource(properties = {
        "wechat.accounts.safe.token=" + HostileHubTest.SAFE_TOKEN,
        "wechat.accounts.safe.app-id=" + HostileHubTest.SAFE_APP_ID,
        "wechat.accounts.safe.encoding-aes-key=" + HostileHubTest.SAFE_AES_KEY,
        "wechat.accounts.safe.mode=safe",
        "wechat.accounts.plainonly.token=" + HostileHubTest.PLAIN_TOKEN,
        "wechat.accounts.plainonly.app-id=wx00000000000plainonly",
        "wechat.accounts.plainonly.encoding-aes-key=" + HostileHubTest.SAFE_AES_KEY,
        "wechat.accounts.plainonly.mode=plain",
        "hub.push.body-timeout=" + HostileHubTest.BODY_TIMEOUT_SECONDS + "s",
        // Keys of this checkout's own: other checkouts' tests clear wechat-dedupe-test:* between their tests.
        "hub.dedupe.key-prefix=" + HostileHubTest.KEY_PREFIX,
})
public abstract class HostileHubTest extends HubIntegrationTest {

    public static final String SAFE_TOKEN = "safe-account-token";
    public static final String SAFE_APP_ID = "wx0000000000000safe";
    public static final String SAFE_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";
    public static final String PLAIN_TOKEN = "plain-account-token";
    public static final int BODY_TIMEOUT_SECONDS = 2;
    public static final String KEY_PREFIX = "wechat-dedupe-test-hostile-${HUB_TEST_SCHEMA:wechat_hub_test}";

    @AfterEach
    void forgetKeys() {
        RedisKeys.delete(redis, keyPrefix() + ":*");
    }

    /** KEY_PREFIX, resolved. */
    protected static String keyPrefix() {
        return "wechat-dedupe-test-hostile-" + TestSchema.schema();
    }

    /** WeChat as it pushes to account "safe" (mode: safe). */
    protected PushClient safeAccount() {
        return new PushClient(port, "safe", SAFE_TOKEN, SAFE_APP_ID, SAFE_AES_KEY);
    }

    /** WeChat as it pushes to account "plainonly" (mode: plain, though it has an AES key). */
    protected PushClient plainAccount() {
        return new PushClient(port, "plainonly", PLAIN_TOKEN, "wx00000000000plainonly", SAFE_AES_KEY);
    }
}
