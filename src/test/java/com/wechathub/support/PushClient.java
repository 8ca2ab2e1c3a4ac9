package com.wechathub.support;

import com.wechathub.wechat.WechatCrypto;
import com.wechathub.wechat.WechatSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends pushes to a running hub the way WeChat does: signed, optionally in safe mode. */
public final class PushClient {

    public static final String ACCOUNT = DemoAccount.ID;
    public static final String TOKEN = DemoAccount.TOKEN;
    public static final String APP_ID = DemoAccount.APP_ID;
    public static final String AES_KEY = DemoAccount.AES_KEY;

    private static final Pattern ENCRYPT = Pattern.compile("<Encrypt><!\\[CDATA\\[(.*?)]]></Encrypt>");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String baseUrl;
    private final String account;
    private final String token;
    private final WechatCrypto crypto;

    /** A client of the tests' demo account ({@link DemoAccount}), which the prod hubs of the tests serve. */
    public PushClient(int port) {
        this(port, ACCOUNT, TOKEN, APP_ID, AES_KEY);
    }

    /** A client of the example account of ./application.yaml's default profile, with its published token and AES key. */
    public static PushClient shippedDemo(int port) {
        return new PushClient(port, ACCOUNT, DemoAccount.SHIPPED_TOKEN, APP_ID, DemoAccount.SHIPPED_AES_KEY);
    }

    /** A client of another account, as WeChat signs (and in safe mode encrypts) its pushes. */
    public PushClient(int port, String account, String token, String appId, String aesKey) {
        this.baseUrl = "http://127.0.0.1:" + port;
        this.account = account;
        this.token = token;
        this.crypto = new WechatCrypto(aesKey, appId);
    }

    public HttpResponse<String> send(String xml) {
        String timestamp = now();
        String nonce = nonce();
        return post("/wechat/" + account + "?signature=" + WechatSignature.sign(token, timestamp, nonce)
                + "&timestamp=" + timestamp + "&nonce=" + nonce + "&openid=o", xml);
    }

    /** Safe mode: the push is wrapped in an Encrypt envelope signed with msg_signature. */
    public HttpResponse<String> sendEncrypted(String xml) {
        return sendEncrypted(xml, crypto);
    }

    /** The decrypted message of an encrypted reply of this client's account. */
    public String decrypt(String reply) {
        Matcher m = ENCRYPT.matcher(reply);
        if (!m.find()) {
            throw new AssertionError("reply is not encrypted: " + reply);
        }
        return crypto.decrypt(m.group(1));
    }

    public HttpResponse<String> sendEncrypted(String xml, WechatCrypto crypto) {
        String timestamp = now();
        String nonce = nonce();
        String encrypted = crypto.encrypt(xml);
        String body = "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt><![CDATA[" + encrypted
                + "]]></Encrypt></xml>";
        String query = "signature=" + WechatSignature.sign(token, timestamp, nonce) + "&timestamp=" + timestamp
                + "&nonce=" + nonce + "&openid=o&encrypt_type=aes&msg_signature="
                + WechatSignature.sign(token, timestamp, nonce, encrypted);
        return post("/wechat/" + account + "?" + query, body);
    }

    public static String decryptReply(String reply) {
        Matcher m = ENCRYPT.matcher(reply);
        if (!m.find()) {
            throw new AssertionError("reply is not encrypted: " + reply);
        }
        return new WechatCrypto(AES_KEY, APP_ID).decrypt(m.group(1));
    }

    public HttpResponse<String> post(String pathAndQuery, String body) {
        return exchange(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A bodiless call of the operator API, with "Authorization: Bearer token" unless the token is null. */
    public HttpResponse<String> operator(String method, String pathAndQuery, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return exchange(request);
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return exchange(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET());
    }

    public HttpResponse<String> exchange(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String signedQuery(String timestamp) {
        String nonce = nonce();
        return "signature=" + WechatSignature.sign(TOKEN, timestamp, nonce) + "&timestamp=" + timestamp + "&nonce=" + nonce;
    }

    public static String now() {
        return Long.toString(System.currentTimeMillis() / 1000);
    }

    static String nonce() {
        return Long.toString(ThreadLocalRandom.current().nextLong(100_000_000L, 999_999_999L));
    }
}
