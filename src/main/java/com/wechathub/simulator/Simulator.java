package com.wechathub.simulator;

import com.wechathub.wechat.WechatCrypto;
import com.wechathub.wechat.WechatSignature;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends one of the seed's pushes to a running hub the way WeChat does — signed with the account's
 * token, plain or encrypted (safe mode), once, N times in a row, or N copies at once — and prints
 * each answer, decrypted when it is encrypted. Runs without starting Spring:
 * {@code java -jar target/wechat-event-hub.jar --simulate=subscribe --encrypt}.
 */
public final class Simulator {

    static final List<String> EVENTS = List.of("subscribe", "subscribe-scene", "unsubscribe", "scan", "location",
            "click", "view", "text");

    private static final Pattern ENCRYPT = Pattern.compile("<Encrypt><!\\[CDATA\\[(.*?)]]></Encrypt>");

    private final Map<String, String> options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Simulator(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static boolean requested(String[] args) {
        for (String arg : args) {
            if (arg.equals("--simulate") || arg.startsWith("--simulate=")) {
                return true;
            }
        }
        return false;
    }

    public static int run(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                options.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "true" : arg.substring(eq + 1));
            }
        }
        options.computeIfPresent("simulate", (name, value) -> value.equals("true") ? "subscribe" : value);
        if (options.containsKey("help") || !EVENTS.contains(options.getOrDefault("simulate", "subscribe"))) {
            System.out.println(usage());
            return options.containsKey("help") ? 0 : 2;
        }
        return new Simulator(options, System.out).send();
    }

    int send() {
        String xml = push(option("simulate", "subscribe"));
        int times = Integer.parseInt(option("times", "1"));
        int parallel = Integer.parseInt(option("parallel", "1"));
        boolean allOk = true;
        for (int round = 0; round < times; round++) {
            List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                sends.add(http.sendAsync(request(xml), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> send : sends) {
                try {
                    HttpResponse<String> response = send.join();
                    allOk &= response.statusCode() / 100 == 2;
                    out.println(response.statusCode() + " " + readable(response.body()));
                } catch (RuntimeException e) {
                    allOk = false;
                    out.println("no answer: " + e.getCause());
                }
            }
        }
        return allOk ? 0 : 1;
    }

    /** The fixture for the event, from this follower, now (a fresh CreateTime makes a new event). */
    String push(String event) {
        String name = event.equals("text") ? "message-text" : "event-" + event;
        String xml = fixture(name);
        String openId = options.get("openid");
        if (openId != null) {
            xml = xml.replaceFirst("<FromUserName><!\\[CDATA\\[[^]]*]]>", "<FromUserName><![CDATA[" + Matcher.quoteReplacement(openId) + "]]>");
        }
        String createTime = option("create-time", Long.toString(System.currentTimeMillis() / 1000));
        xml = xml.replaceFirst("<CreateTime>\\d+</CreateTime>", "<CreateTime>" + createTime + "</CreateTime>");
        String eventKey = options.get("event-key");
        if (eventKey != null) {
            xml = xml.replaceFirst("<EventKey><!\\[CDATA\\[[^]]*]]>", "<EventKey><![CDATA[" + Matcher.quoteReplacement(eventKey) + "]]>");
        }
        return xml;
    }

    HttpRequest request(String xml) {
        String token = option("token", "demo-token");
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        String nonce = Long.toString(ThreadLocalRandom.current().nextLong(100_000_000L, 999_999_999L));
        StringBuilder query = new StringBuilder("signature=").append(WechatSignature.sign(token, timestamp, nonce))
                .append("&timestamp=").append(timestamp).append("&nonce=").append(nonce)
                .append("&openid=").append(encode(option("openid", "oSimulator")));
        String body = xml;
        if (options.containsKey("encrypt")) {
            String encrypted = crypto().encrypt(xml);
            body = "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt><![CDATA[" + encrypted + "]]></Encrypt></xml>";
            query.append("&encrypt_type=aes&msg_signature=").append(WechatSignature.sign(token, timestamp, nonce, encrypted));
        }
        String url = option("url", "http://localhost:8080") + "/wechat/" + option("account", "demo") + "?" + query;
        if (options.containsKey("verbose")) {
            out.println("POST " + url + "\n" + body);
        }
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String readable(String body) {
        Matcher encrypted = ENCRYPT.matcher(body);
        if (options.containsKey("encrypt") && encrypted.find()) {
            return "(decrypted) " + crypto().decrypt(encrypted.group(1));
        }
        return body;
    }

    private WechatCrypto crypto() {
        return new WechatCrypto(option("aes-key", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
                option("app-id", "wx0000000000000demo"));
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String fixture(String name) {
        try (InputStream in = Simulator.class.getResourceAsStream("/fixtures/wechat/" + name + ".xml")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String usage() {
        return """
                Sends a WeChat push to a running hub and prints the answer.
                  --simulate=<%s>
                  --url=http://localhost:8080  --account=demo  --token=demo-token
                  --encrypt [--app-id=wx…] [--aes-key=<43 chars>]   safe mode; the reply is decrypted
                  --openid=…  --create-time=<seconds, default now>  --event-key=…
                  --times=N      send the identical push N times in a row (WeChat's retries)
                  --parallel=N   send N identical copies at once
                  --verbose      print each request""".formatted(String.join("|", EVENTS));
    }
}
