package com.wechathub.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.wechathub.wechat.Rejection;
import com.wechathub.wechat.WechatCrypto;
import com.wechathub.wechat.WechatSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator against a fake hub: a JDK HTTP server that checks what WeChat's pushes must
 * carry (signature, and in safe mode msg_signature and an Encrypt sealed for the AppID) and
 * answers a reply, encrypted in safe mode. No Spring, no hub; SimulatorTests covers the real one.
 */
class SimulatorFakeHubTests {

    static final String TOKEN = "fake-hub-token";
    static final String APP_ID = "wx1234567890abcdef";
    static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    final WechatCrypto crypto = new WechatCrypto(AES_KEY, APP_ID);
    ExecutorService threads;
    HttpServer hub;
    volatile CountDownLatch together;
    volatile boolean forgeReplySignature;

    record Received(String path, Map<String, String> query, String body, String xml) {
    }

    @BeforeEach
    void startFakeHub() throws IOException {
        threads = Executors.newFixedThreadPool(8);
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.setExecutor(threads);
        hub.createContext("/wechat/", this::handle);
        hub.start();
    }

    @AfterEach
    void stopFakeHub() {
        hub.stop(0);
        threads.shutdownNow();
    }

    void handle(HttpExchange exchange) throws IOException {
        try {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String timestamp = query.get("timestamp");
            String nonce = query.get("nonce");
            if (!"POST".equals(exchange.getRequestMethod()) || timestamp == null || nonce == null) {
                answer(exchange, 400, "not a push");
                return;
            }
            if (!WechatSignature.matches(WechatSignature.sign(TOKEN, timestamp, nonce), query.get("signature"))) {
                answer(exchange, 403, "signature does not match");
                return;
            }
            boolean safeMode = "aes".equals(query.get("encrypt_type"));
            String xml = body;
            if (safeMode) {
                String encrypted = Simulator.field(body, "Encrypt");
                if (encrypted == null || !WechatSignature.matches(
                        WechatSignature.sign(TOKEN, timestamp, nonce, encrypted), query.get("msg_signature"))) {
                    answer(exchange, 403, "msg_signature does not match");
                    return;
                }
                try {
                    xml = crypto.decrypt(encrypted);
                } catch (Rejection e) {
                    answer(exchange, 400, e.getMessage());
                    return;
                }
            }
            received.add(new Received(exchange.getRequestURI().getPath(), query, body, xml));
            if (together != null) {
                together.countDown();
                if (!together.await(5, TimeUnit.SECONDS)) {
                    answer(exchange, 500, "copies did not arrive together");
                    return;
                }
            }
            String reply = "<xml><ToUserName><![CDATA[" + Simulator.field(xml, "FromUserName")
                    + "]]></ToUserName><FromUserName><![CDATA[" + Simulator.field(xml, "ToUserName")
                    + "]]></FromUserName><CreateTime>1764201601</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                    + "<Content><![CDATA[收到 " + Simulator.field(xml, "Event") + "]]></Content></xml>";
            answer(exchange, 200, safeMode ? seal(reply) : reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    String seal(String reply) {
        String encrypted = crypto.encrypt(reply);
        String signature = forgeReplySignature ? "0".repeat(40) : WechatSignature.sign(TOKEN, "1764201601", "987654321", encrypted);
        return "<xml><Encrypt><![CDATA[" + encrypted + "]]></Encrypt><MsgSignature><![CDATA[" + signature
                + "]]></MsgSignature><TimeStamp>1764201601</TimeStamp><Nonce><![CDATA[987654321]]></Nonce></xml>";
    }

    static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return query;
    }

    int simulate(String... options) {
        String[] args = Stream.concat(
                Stream.of("--url=http://127.0.0.1:" + hub.getAddress().getPort(), "--account=acme", "--token=" + TOKEN),
                Stream.of(options)).toArray(String[]::new);
        return Simulator.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(errors, true, StandardCharsets.UTF_8));
    }

    List<String> lines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void sendsAPlainPushSignedWithTheTokenAndPrintsTheAnswer() {
        long before = System.currentTimeMillis() / 1000;

        int exit = simulate("--simulate=click");

        assertThat(exit).isZero();
        assertThat(received).singleElement().satisfies(push -> {
            assertThat(push.path()).isEqualTo("/wechat/acme");
            assertThat(push.query()).containsKeys("signature", "timestamp", "nonce")
                    .containsEntry("openid", "oFollower0000000000000000001")
                    .doesNotContainKeys("encrypt_type", "msg_signature");
            assertThat(push.query().get("nonce")).matches("\\d+");
            assertThat(Long.parseLong(push.query().get("timestamp"))).isBetween(before, before + 60);
            assertThat(Long.parseLong(Simulator.field(push.body(), "CreateTime"))).isBetween(before, before + 60);
            assertThat(Simulator.field(push.body(), "Event")).isEqualTo("CLICK");
            assertThat(Simulator.field(push.body(), "EventKey")).isEqualTo("V1001_TODAY_MUSIC");
        });
        assertThat(lines()).singleElement().asString().startsWith("200 <xml>").contains("收到 CLICK");
    }

    @Test
    void sendsEverySeedShape() {
        Map<String, String> events = new LinkedHashMap<>();
        events.put("subscribe", "subscribe");
        events.put("subscribe-scene", "subscribe");
        events.put("unsubscribe", "unsubscribe");
        events.put("scan", "SCAN");
        events.put("location", "LOCATION");
        events.put("click", "CLICK");
        events.put("view", "VIEW");
        events.put("text", null);
        assertThat(events.keySet()).containsExactlyElementsOf(Simulator.EVENTS);

        events.keySet().forEach(event -> assertThat(simulate("--simulate=" + event)).isZero());

        assertThat(received).extracting(push -> Simulator.field(push.body(), "Event"))
                .containsExactlyElementsOf(events.values());
        assertThat(Simulator.field(received.get(1).body(), "EventKey")).isEqualTo("qrscene_123123");
        assertThat(Simulator.field(received.get(7).body(), "MsgType")).isEqualTo("text");
    }

    @Test
    void rewritesTheFollowerTheCreateTimeAndTheEventKey() {
        assertThat(simulate("--simulate=scan", "--openid=oAlice", "--create-time=1700000000", "--event-key=store-7")).isZero();

        assertThat(received).singleElement().satisfies(push -> {
            assertThat(push.query()).containsEntry("openid", "oAlice");
            assertThat(Simulator.field(push.body(), "FromUserName")).isEqualTo("oAlice");
            assertThat(Simulator.field(push.body(), "CreateTime")).isEqualTo("1700000000");
            assertThat(Simulator.field(push.body(), "EventKey")).isEqualTo("store-7");
            assertThat(Simulator.field(push.body(), "Ticket")).startsWith("gQH47joAAAAAAAAAASxodHRw");
        });
    }

    @Test
    void sendsAnEncryptedPushAndDecryptsTheSignedReply() {
        int exit = simulate("--simulate=subscribe-scene", "--encrypt", "--app-id=" + APP_ID, "--aes-key=" + AES_KEY);

        assertThat(exit).isZero();
        assertThat(received).singleElement().satisfies(push -> {
            assertThat(push.query()).containsEntry("encrypt_type", "aes").containsKeys("msg_signature", "signature");
            // safe mode: only ToUserName and Encrypt travel in the clear
            assertThat(push.body()).startsWith("<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt>")
                    .doesNotContain("FromUserName", "qrscene_");
            assertThat(Simulator.field(push.xml(), "EventKey")).isEqualTo("qrscene_123123");
        });
        assertThat(lines()).singleElement().asString()
                .startsWith("200 (decrypted) <xml><ToUserName><![CDATA[oFollower0000000000000000001]]>")
                .contains("收到 subscribe");
    }

    @Test
    void sendsTheIdenticalPushNTimesInARow() {
        assertThat(simulate("--simulate=location", "--times=3", "--encrypt", "--app-id=" + APP_ID, "--aes-key=" + AES_KEY)).isZero();

        assertThat(received).hasSize(3);
        assertThat(received).extracting(Received::query).containsOnly(received.get(0).query());
        assertThat(received).extracting(Received::body).containsOnly(received.get(0).body());
        assertThat(lines()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("200 (decrypted) <xml>"));
    }

    @Test
    void sendsParallelCopiesAtOnce() {
        together = new CountDownLatch(4); // the fake hub answers only when all four are in flight

        assertThat(simulate("--simulate=view", "--parallel=4")).isZero();

        assertThat(received).hasSize(4).extracting(Received::body).containsOnly(received.get(0).body());
        assertThat(lines()).hasSize(4).allSatisfy(line -> assertThat(line).startsWith("200 "));
    }

    @Test
    void exitsOneWhenTheHubRefusesTheSignature() {
        String[] wrongToken = {"--simulate=subscribe", "--token=not-the-token"};
        int exit = Simulator.run(Stream.concat(Stream.of("--url=http://127.0.0.1:" + hub.getAddress().getPort()),
                Stream.of(wrongToken)).toArray(String[]::new), new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);

        assertThat(exit).isOne();
        assertThat(lines()).containsExactly("403 signature does not match");
    }

    @Test
    void exitsOneWhenThePushIsSealedForAnotherAppId() {
        assertThat(simulate("--simulate=click", "--encrypt", "--app-id=wxSomebodyElse", "--aes-key=" + AES_KEY)).isOne();
        assertThat(lines()).containsExactly("400 encrypted payload is for another AppID");
    }

    @Test
    void exitsOneWhenTheReplySignatureIsWrong() {
        forgeReplySignature = true;

        assertThat(simulate("--simulate=click", "--encrypt", "--app-id=" + APP_ID, "--aes-key=" + AES_KEY)).isOne();
        assertThat(lines()).singleElement().asString().startsWith("200 (reply MsgSignature does not match) <xml><Encrypt>");
    }

    @Test
    void exitsOneWhenNothingAnswers() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int exit = Simulator.run(new String[] {"--simulate", "--url=http://127.0.0.1:" + port},
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);

        assertThat(exit).isOne();
        assertThat(lines()).singleElement().asString().startsWith("no answer from 127.0.0.1:" + port + ": ConnectException");
    }

    @Test
    void exitsTwoOnBadOptionsWithoutSending() {
        assertThat(simulate("--simulate=follow")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "--times=0")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "--parallel=many")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "--encrypted")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "--create-time=yesterday")).isEqualTo(2);
        assertThat(simulate("--simulate=location", "--event-key=x")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "--encrypt", "--aes-key=too-short")).isEqualTo(2);
        assertThat(simulate("--simulate=click", "click")).isEqualTo(2);

        assertThat(received).isEmpty();
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("no such event: follow", "--times must be a positive number",
                "unknown option --encrypted", "the location push has no EventKey", "EncodingAESKey must be 43 characters");
    }

    @Test
    void printsUsageOnHelp() {
        assertThat(Simulator.run(new String[] {"--simulate", "--help"}, new PrintStream(printed, true, StandardCharsets.UTF_8), System.err))
                .isZero();
        assertThat(lines()).anySatisfy(line -> assertThat(line).contains("--simulate=<subscribe|subscribe-scene|"));
        assertThat(received).isEmpty();
    }

    @Test
    void isRequestedOnlyBySimulate() {
        assertThat(Simulator.requested(new String[] {"--simulate"})).isTrue();
        assertThat(Simulator.requested(new String[] {"--server.port=9090", "--simulate=scan"})).isTrue();
        assertThat(Simulator.requested(new String[] {})).isFalse();
        assertThat(Simulator.requested(new String[] {"--simulated", "--validate-routes", "simulate"})).isFalse();
    }
}
