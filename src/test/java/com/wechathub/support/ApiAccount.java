package com.wechathub.support;

import com.wechathub.wechat.WechatCrypto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/** Test account "api" (src/test/resources/api-account.properties): WeChat's API on, every reply kind. */
public final class ApiAccount {

    public static final String ID = "api";
    public static final String TOKEN = "api-token";
    public static final String APP_ID = "wx000000000000000api";
    public static final String APP_SECRET = "api-secret";
    public static final String AES_KEY = "Qm3vR8kT1nX6pW2zB9cL5hJ7dF4gS0aY8eU3iO6tVbN";

    private ApiAccount() {
    }

    public static PushClient client(int port) {
        return new PushClient(port, ID, TOKEN, APP_ID, AES_KEY);
    }

    public static WechatCrypto crypto() {
        return new WechatCrypto(AES_KEY, APP_ID);
    }

    /** The account's settings as command-line arguments, for a hub started beside the shared one. */
    public static List<String> args() {
        Properties properties = new Properties();
        try (InputStream in = ApiAccount.class.getResourceAsStream("/api-account.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.stringPropertyNames().stream().sorted().map(key -> "--" + key + "=" + properties.getProperty(key)).toList();
    }
}
