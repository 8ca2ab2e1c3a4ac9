package com.wechathub.simulator;

import com.wechathub.wechat.Rejection;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    private static final Set<String> OPTIONS = Set.of("simulate", "url", "account", "token", "app-id", "aes-key",
            "encrypt", "openid", "create-time", "event-key", "times", "parallel", "verbose", "help");

    /** WeChat gives up on an answer after 5 seconds and sends the push again. */
    private static final Duration WECHAT_PATIENCE = Duration.ofSeconds(5);

    private final Map<String, String> options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // as WeChat; no h2c upgrade header
            .connectTimeout(Duration.ofSeconds(5)).build();

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

    /** Exit code: 0 when every answer was a 2xx (and an encrypted reply verified), 1 otherwise, 2 for bad options. */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") ? (eq < 0 ? arg.substring(2) : arg.substring(2, eq)) : null;
            if (name == null || !OPTIONS.contains(name)) {
                err.println("unknown option " + arg + "\n" + usage());
                return 2;
            }
            options.put(name, eq < 0 ? "true" : arg.substring(eq + 1));
        }
        if (options.containsKey("help")) {
            out.println(usage());
            return 0;
        }
        try {
            return new Simulator(options, out).send();
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + usage());
            return 2;
        }
    }

    /** Sends the push {@code times} times in a row, {@code parallel} identical copies each time. */
    int send() {
        String event = option("simulate", "subscribe");
        if (event.equals("true")) {
            event = "subscribe";
        }
        if (!EVENTS.contains(event)) {
            throw new IllegalArgumentException("no such event: " + event);
        }
        int times = positive("times");
        int parallel = positive("parallel");
        // Built once: a retry is the identical request (same query, same body) — WeChat's retry
        // repeats every field, and the hub must answer it as it answered the original.
        HttpRequest request = request(push(event));
        boolean allOk = true;
        for (int round = 0; round < times; round++) {
            List<CompletableFuture<Answer>> sends = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                long started = System.nanoTime();
                sends.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .thenApply(response -> answer(response, Duration.ofNanos(System.nanoTime() - started))));
            }
            for (CompletableFuture<Answer> send : sends) {
                Answer answer;
                try {
                    answer = send.join();
                } catch (CompletionException e) {
                    answer = new Answer(false, "no answer from " + request.uri().getAuthority() + ": " + describe(e.getCause()));
                }
                allOk &= answer.ok();
                out.println(answer.line());
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
            xml = replaceField(xml, "FromUserName", openId);
        }
        String createTime = option("create-time", Long.toString(System.currentTimeMillis() / 1000));
        if (!createTime.matches("\\d{1,12}")) {
            throw new IllegalArgumentException("--create-time must be seconds since the epoch: " + createTime);
        }
        xml = xml.replaceFirst("<CreateTime>\\d+</CreateTime>", "<CreateTime>" + createTime + "</CreateTime>");
        String eventKey = options.get("event-key");
        if (eventKey != null) {
            if (field(xml, "EventKey") == null) {
                throw new IllegalArgumentException("--event-key: the " + event + " push has no EventKey");
            }
            xml = replaceField(xml, "EventKey", eventKey);
        }
        return xml;
    }

    /** A POST as WeChat sends it: signed query, and in safe mode the encrypted envelope and msg_signature. */
    HttpRequest request(String xml) {
        String token = option("token", "demo-token");
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        String nonce = Long.toString(ThreadLocalRandom.current().nextLong(100_000_000L, 10_000_000_000L));
        // WeChat's openid parameter is the follower who sent the push, i.e. FromUserName.
        StringBuilder query = new StringBuilder("signature=").append(WechatSignature.sign(token, timestamp, nonce))
                .append("&timestamp=").append(timestamp).append("&nonce=").append(nonce)
                .append("&openid=").append(encode(field(xml, "FromUserName")));
        String body = xml;
        if (encrypting()) {
            String encrypted = crypto().encrypt(xml);
            body = "<xml><ToUserName><![CDATA[" + field(xml, "ToUserName") + "]]></ToUserName><Encrypt><![CDATA["
                    + encrypted + "]]></Encrypt></xml>";
            query.append("&encrypt_type=aes&msg_signature=").append(WechatSignature.sign(token, timestamp, nonce, encrypted));
        }
        String base = option("url", "http://localhost:8080").replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(base + "/wechat/" + encode(option("account", "demo")) + "?" + query);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--url is not a URL: " + base);
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("--url is not an http(s) URL: " + base);
        }
        if (verbose()) {
            out.println("POST " + uri + "\n" + body);
        }
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private Answer answer(HttpResponse<String> response, Duration took) {
        boolean ok = response.statusCode() / 100 == 2;
        String body = response.body();
        String shown = body;
        String encrypted = field(body, "Encrypt");
        if (encrypting() && encrypted != null) {
            // The reply is sealed like the push: MsgSignature over (token, TimeStamp, Nonce, Encrypt).
            encrypted = encrypted.replaceAll("\\s", "");
            String timestamp = field(body, "TimeStamp");
            String nonce = field(body, "Nonce");
            String expected = timestamp == null || nonce == null ? null
                    : WechatSignature.sign(option("token", "demo-token"), timestamp, nonce, encrypted);
            if (expected == null || !WechatSignature.matches(expected, field(body, "MsgSignature"))) {
                ok = false;
                shown = "(reply MsgSignature does not match) " + body;
            } else {
                try {
                    shown = "(decrypted) " + crypto().decrypt(encrypted);
                } catch (Rejection e) {
                    ok = false;
                    shown = "(reply cannot be decrypted: " + e.getMessage() + ") " + body;
                }
            }
        }
        if (took.compareTo(WECHAT_PATIENCE) > 0) {
            ok = false;
            shown += " (answered after " + took.toMillis() + " ms: WeChat would have dropped it and retried)";
        } else if (verbose()) {
            shown += " (" + took.toMillis() + " ms)";
        }
        return new Answer(ok, response.statusCode() + " " + shown);
    }

    private record Answer(boolean ok, String line) {
    }

    private boolean encrypting() {
        return options.containsKey("encrypt") && !options.get("encrypt").equals("false");
    }

    private boolean verbose() {
        return options.containsKey("verbose") && !options.get("verbose").equals("false");
    }

    private WechatCrypto crypto() {
        // The defaults are the demo account's in application.yaml.
        return new WechatCrypto(option("aes-key", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
                option("app-id", "wx0000000000000demo"));
    }

    private int positive(String name) {
        String value = option(name, "1");
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a positive number: " + value);
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** The text of an element, with or without CDATA; null when absent. */
    static String field(String xml, String name) {
        Matcher matcher = Pattern.compile("<" + name + ">\\s*(?:<!\\[CDATA\\[(.*?)]]>|([^<]*?))\\s*</" + name + ">",
                Pattern.DOTALL).matcher(xml == null ? "" : xml);
        if (!matcher.find()) {
            return null;
        }
        return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
    }

    private static String replaceField(String xml, String name, String value) {
        if (value.contains("]]>")) {
            throw new IllegalArgumentException(name + " cannot contain ]]>");
        }
        return xml.replaceFirst("<" + name + "><!\\[CDATA\\[[^]]*]]></" + name + ">",
                Matcher.quoteReplacement("<" + name + "><![CDATA[" + value + "]]></" + name + ">"));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String fixture(String name) {
        try (InputStream in = Simulator.class.getResourceAsStream("/fixtures/wechat/" + name + ".xml")) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name + " on the classpath");
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
                  --encrypt [--app-id=wx0000000000000demo] [--aes-key=<43 chars>]
                                 safe mode; the reply's MsgSignature is checked and the reply decrypted
                  --openid=…     the follower (default: the fixture's FromUserName)
                  --create-time=<seconds, default now>  a fresh CreateTime makes a new event
                  --event-key=…  for the pushes that carry one (subscribe-scene, scan, click, view)
                  --times=N      send the identical push N times in a row (WeChat's retries)
                  --parallel=N   send N identical copies at once
                  --verbose      print the request and how long each answer took
                Exit code: 0 when every answer is 2xx, 1 otherwise, 2 for bad options.""".formatted(String.join("|", EVENTS));
    }
}
