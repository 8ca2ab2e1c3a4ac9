package com.wechathub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * Test account "demo" (src/test/resources/demo-account.properties): the shipped example account's
 * replies with credentials of the tests' own, for the prod profile, where the example account does
 * not exist. The {@code SHIPPED_*} values are the example account's, served by the default profile only.
 */
public final class DemoAccount {

    public static final String ID = "demo";
    public static final String TOKEN = "demo-test-token-3f9c";
    public static final String APP_ID = "wx0000000000000demo";
    public static final String AES_KEY = "Hx7qT2mVb9LpW4nZc8RkY3sJd6FgA1uE5oNiK0tQwXy";

    /** The example account of application.yaml's default profile (and the README's test push). */
    public static final String SHIPPED_TOKEN = "demo-token";
    public static final String SHIPPED_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private DemoAccount() {
    }

    /** The account's settings as command-line arguments, for a prod hub the tests start. */
    public static List<String> args() {
        Properties properties = new Properties();
        try (InputStream in = DemoAccount.class.getResourceAsStream("/demo-account.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.stringPropertyNames().stream().sorted().map(key -> "--" + key + "=" + properties.getProperty(key)).toList();
    }
}
