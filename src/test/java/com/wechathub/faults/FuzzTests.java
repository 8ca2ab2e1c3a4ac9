package com.wechathub.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.hostile.HostileHubTest;
import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import com.wechathub.wechat.WechatCrypto;
import com.wechathub.wechat.WechatSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input, a few hundred requests from a seeded (so repeatable) generator:
 * truncated and byte-mutated pushes that are correctly signed so they reach the parser, random
 * bytes, deep nesting, oversized values, NUL and non-UTF-8 bytes, entity bombs, XXE, CDATA
 * tricks, absurd numbers, wrong content types and mangled safe-mode envelopes. Whatever comes
 * in, the hub answers 2xx or 4xx within WeChat's 5 s, never 5xx, never a stack trace, and is
 * still healthy afterwards. Also the shapes of docs/security.md: chunked bodies over the cap, CreateTimes
 * from the future, fields wider than their columns, a signature reused for another body, a plain
 * push to a safe-mode account, and URL checks with markup for echostr.
 */
class FuzzTests extends HostileHubTest {

    private static final long SEED = 0x5EC0_1D_FA11L;
    private static final Duration BUDGET = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(8);
    private static final String[] FIXTURES = {"event-subscribe", "event-subscribe-scene", "event-unsubscribe",
            "event-scan", "event-location", "event-click", "event-view", "message-text"};
    private static final String[] TOKENS = {"<", ">", "&", "&amp;", "&#0;", "&#x1;", "&#xD800;", "&bogus;", "]]>",
            "<![CDATA[", "<!--", "-->", "<?xml version=\"1.0\"?>", "</xml>", "<xml>", "\u0000", "\"", "'", "<a b='",
            "<CreateTime>", "</CreateTime>", "<FromUserName/>", "\uFFFE", "\uD83D\uDE00", "\r\n", "<!DOCTYPE x>"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * One request of the corpus; {@code expected} is the status where one is certain, else 0.
     * {@code account} is demo unless named; {@code timestamp} and {@code nonce} are fresh unless given.
     */
    record Case(String name, byte[] body, String contentType, boolean safeMode, boolean chunked, int expected,
                String account, String timestamp, String nonce) {

        Case(String name, byte[] body, String contentType, boolean safeMode, boolean chunked, int expected) {
            this(name, body, contentType, safeMode, chunked, expected, "demo", null, null);
        }
    }

    @Test
    void hostileInputGetsAClearAnswerNeverAServerError() throws Exception {
        List<Case> corpus = corpus(new Random(SEED));
        SoftAssertions softly = new SoftAssertions();
        Duration slowest = Duration.ZERO;
        for (Case c : corpus) {
            long start = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = send(c);
            } catch (HttpTimeoutException e) {
                softly.fail("%s: no answer within %s", c.name(), TIMEOUT);
                continue;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
            String what = c.name() + " -> " + response.statusCode() + " " + abbreviate(response.body());
            softly.assertThat(response.statusCode()).as(what).isBetween(200, 499);
            if (c.expected() != 0) {
                softly.assertThat(response.statusCode()).as(what).isEqualTo(c.expected());
            }
            softly.assertThat(took).as("time of " + what).isLessThan(BUDGET);
            softly.assertThat(response.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("root:x:0:0");
        }
        softly.assertAll();
        System.out.printf("FuzzTests: %d requests, slowest answer %d ms%n", corpus.size(), slowest.toMillis());

        HttpResponse<String> health = management.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).startsWith("{\"status\":\"UP\"");
    }

    // --- the corpus -------------------------------------------------------------------------

    private List<Case> corpus(Random random) {
        List<Case> cases = new ArrayList<>();
        // Each mutation starts from a valid push of a fresh follower, so a mutant that still
        // parses is a new event (and answered 200), not a duplicate of an earlier one.
        for (int i = 0; i < 40; i++) {
            byte[] valid = validPush(random, i);
            int cut = random.nextInt(valid.length);
            cases.add(plain("truncated at " + cut + " #" + i, java.util.Arrays.copyOf(valid, cut)));
        }
        for (int i = 0; i < 80; i++) {
            byte[] mutant = validPush(random, 100 + i);
            int flips = 1 + random.nextInt(6);
            for (int f = 0; f < flips; f++) {
                mutant[random.nextInt(mutant.length)] = (byte) random.nextInt(256);
            }
            cases.add(plain("byte-mutated x" + flips + " #" + i, mutant));
        }
        for (int i = 0; i < 50; i++) {
            String push = new String(validPush(random, 200 + i), StandardCharsets.UTF_8);
            int at = random.nextInt(push.length() + 1);
            String token = TOKENS[random.nextInt(TOKENS.length)];
            cases.add(plain("inserted " + printable(token) + " at " + at + " #" + i,
                    (push.substring(0, at) + token + push.substring(at)).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[random.nextInt(2048)];
            random.nextBytes(noise);
            cases.add(plain("random bytes (" + noise.length + ") #" + i, noise));
        }
        cases.addAll(structural(random));
        cases.addAll(safeMode(random));
        cases.addAll(internetFacing(random));
        return cases;
    }

    private List<Case> structural(Random random) {
        List<Case> cases = new ArrayList<>();
        cases.add(plain("10,000-deep nesting, closed (over the size limit)", 413,
                "<xml>" + "<a>".repeat(10_000) + "</a>".repeat(10_000) + "</xml>"));
        cases.add(plain("10,000-deep nesting, unclosed", 400, "<xml>" + "<a>".repeat(10_000)));
        cases.add(plain("10,000-deep nesting inside FromUserName", 400,
                click(random).replace("<FromUserName>", "<FromUserName>" + "<b>".repeat(10_000))));
        cases.add(plain("1 MB element value", 413, click(random).replace("<xml>", "<xml><Junk>" + "A".repeat(1 << 20) + "</Junk>")));
        cases.add(plain("just over 64 KiB", 413, click(random).replace("<xml>", "<xml><Junk>" + "A".repeat(64 * 1024) + "</Junk>")));
        cases.add(plain("just under 64 KiB", 200, click(random).replace("<xml>", "<xml><Junk>" + "A".repeat(60 * 1024) + "</Junk>")));
        cases.add(plain("NUL inside a value", 400, click(random).replace("gh_demo_account", "gh_demo\u0000account")));
        cases.add(plain("NUL before the root", 400, "\u0000" + click(random)));
        cases.add(plain("NUL after the root", 400, click(random) + "\u0000"));
        cases.add(plain("NUL as a character reference", 400, click(random).replace("</xml>", "<Junk>&#0;</Junk></xml>")));
        cases.add(plain("billion laughs", 400, """
                <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
                <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
                <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
                <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
                """ + click(random).replace("</xml>", "<Junk>&lol9;</Junk></xml>")));
        cases.add(plain("billion laughs, DOCTYPE spelled in lower case and spaced", 400,
                "<! doctype xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>" + click(random).replace("</xml>", "<Junk>&b;</Junk></xml>")));
        cases.add(plain("undeclared entity", 400, click(random).replace("</xml>", "<Junk>&lol;</Junk></xml>")));
        cases.add(plain("XXE file", 400, "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + click(random).replace("</xml>", "<Junk>&xxe;</Junk></xml>")));
        cases.add(plain("XXE parameter entity", 400, "<!DOCTYPE xml [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x.dtd\"> %p;]>" + click(random)));
        cases.add(plain("XXE in UTF-16 with a matching charset", 400,
                "text/xml; charset=UTF-16", utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                        + click(random).replace("</xml>", "<Junk>&xxe;</Junk></xml>"))));
        cases.add(plain("XXE in UTF-16 labelled UTF-8", 0, "text/xml", utf16(
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                        + click(random).replace("</xml>", "<Junk>&xxe;</Junk></xml>"))));
        cases.add(plain("XInclude", 0, click(random).replace("<xml>",
                "<xml xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/>")));
        cases.add(plain("CDATA end inside CDATA", 400, click(random).replace("gh_demo_account", "gh]]>demo")));
        cases.add(plain("CDATA split across sections", 200, push(random, "event-click")
                .replace("<![CDATA[gh_demo_account]]>", "<![CDATA[gh_demo]]]]><![CDATA[>account]]>")));
        cases.add(plain("CDATA number", 200, push(random, "event-view").replaceFirst("<CreateTime>(\\d+)</CreateTime>",
                "<CreateTime><![CDATA[$1]]></CreateTime>")));
        cases.add(plain("CDATA unclosed", 400, click(random).replace("]]></FromUserName>", "</FromUserName>")));
        cases.add(plain("CDATA holding markup", 200, push(random, "event-view")
                .replace("<EventKey><![CDATA[", "<EventKey><![CDATA[<xml><Event>subscribe</Event></xml>")));
        cases.add(plain("comment and PI in the push", 200, push(random, "event-click").replace("<MsgType>",
                "<!-- a comment --><?pi target?><MsgType>")));
        for (String number : new String[] {"99999999999999999999999999", "9223372036854775808", "-9223372036854775809",
                "1e400", "1.5", "0x10", "NaN", "Infinity", "", " ", "-", "12abc"}) {
            cases.add(plain("CreateTime " + printable(number), 400, click(random).replaceFirst("<CreateTime>\\d+</CreateTime>",
                    "<CreateTime>" + number + "</CreateTime>")));
        }
        for (String number : new String[] {"9223372036854775807", "-9223372036854775808", "0", "-1", " 42 ", "１２３"}) {
            cases.add(plain("CreateTime " + printable(number), 0, push(random, "event-click")
                    .replaceFirst("<CreateTime>\\d+</CreateTime>", "<CreateTime>" + number + "</CreateTime>")));
        }
        for (String number : new String[] {"1e999", "NaN", "-Infinity", "abc", "9".repeat(400)}) {
            cases.add(plain("Latitude " + printable(number), 0, push(random, "event-location")
                    .replaceFirst("<Latitude>[^<]*</Latitude>", "<Latitude>" + number + "</Latitude>")));
        }
        cases.add(plain("FromUserName of 200 characters", 400, withOpenId(click(random), "o" + "x".repeat(199))));
        cases.add(plain("FromUserName of 129 characters", 400, withOpenId(click(random), "o" + "x".repeat(128))));
        cases.add(plain("FromUserName of 128 characters", 200, withOpenId(push(random, "event-view"),
                ("o" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "y".repeat(128)).substring(0, 128))));
        cases.add(plain("Event of 100 characters", 400, click(random).replace("CDATA[CLICK]", "CDATA[" + "E".repeat(100) + "]")));
        cases.add(plain("MsgType of 40 characters", 400, click(random).replace("CDATA[event]", "CDATA[" + "m".repeat(40) + "]")));
        cases.add(plain("EventKey of 3000 characters", 400, click(random).replaceFirst("<EventKey><!\\[CDATA\\[[^]]*]]>",
                "<EventKey><![CDATA[" + "k".repeat(3000) + "]]>")));
        cases.add(plain("FromUserName with URL characters", 0, withOpenId(click(random), "o/../../x?y=1#z%20 " + random.nextInt())));
        cases.add(plain("emoji and astral characters", 0, withOpenId(push(random, "event-view"), "o\uD83D\uDE00" + random.nextInt())));
        cases.add(plain("Latin-1 bytes, not UTF-8", 0, latin1(push(random, "message-text").replace("hello", "caf\u00e9 na\u00efve"))));
        cases.add(plain("overlong UTF-8 for '<'", 0, bytes(click(random), new byte[] {(byte) 0xC0, (byte) 0xBC})));
        cases.add(plain("UTF-8 encoded surrogate", 0, bytes(click(random), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})));
        cases.add(plain("invalid UTF-8 continuation", 0, bytes(click(random), new byte[] {(byte) 0xE2, (byte) 0x28, (byte) 0xA1})));
        cases.add(plain("UTF-8 BOM", 0, bytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, push(random, "event-view"))));
        cases.add(plain("declared ISO-8859-1", 0, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + push(random, "event-view")));
        cases.add(plain("XML 1.1 with a control character", 0,
                "<?xml version=\"1.1\"?>" + push(random, "event-view").replace("</xml>", "<Junk>&#x1;</Junk></xml>")));
        cases.add(plain("two roots", 0, push(random, "event-click") + click(random)));
        cases.add(plain("duplicated fields", 0, push(random, "event-click").replace("</xml>",
                "<FromUserName>other</FromUserName><CreateTime>1</CreateTime><Event>SCAN</Event></xml>")));
        cases.add(plain("attributes on fields", 0, click(random).replace("<CreateTime>", "<CreateTime unit=\"s\">")));
        cases.add(plain("nested element in CreateTime", 400, click(random).replaceFirst("<CreateTime>(\\d+)</CreateTime>",
                "<CreateTime><v>$1</v></CreateTime>")));
        cases.add(plain("list where a field is", 0, click(random).replace("<Event>", "<Event><item>a</item><item>b</item></Event><Event2>")
                .replace("</Event></xml>", "</Event2></xml>")));
        cases.add(plain("namespaced root", 0, push(random, "event-click").replace("<xml>", "<w:xml xmlns:w=\"urn:w\">")
                .replace("</xml>", "</w:xml>")));
        cases.add(plain("empty root", 400, "<xml/>"));
        cases.add(plain("whitespace only", 400, "   \r\n\t  "));
        cases.add(plain("empty body", 400, ""));
        cases.add(plain("JSON", 400, "{\"FromUserName\":\"o\",\"CreateTime\":1}"));
        cases.add(plain("success", 400, "success"));
        for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=zzz",
                "multipart/form-data"}) {
            cases.add(new Case("Content-Type " + type, utf8(click(random)), type, false, false, 415));
        }
        for (String type : new String[] {"application/json", "text/plain; charset=NOPE", "text/xml; charset=",
                "image/png", "*/*", ";;;", "text/xml; charset=UTF-32", "application/octet-stream"}) {
            cases.add(new Case("Content-Type " + type, utf8(click(random)), type, false, false, 0));
        }
        cases.add(new Case("no Content-Type", utf8(click(random)), null, false, false, 0));
        cases.add(new Case("chunked, 100 KiB", utf8(click(random).replace("<xml>", "<xml><Junk>" + "A".repeat(100 * 1024)
                + "</Junk>")), "text/xml", false, true, 413));
        cases.add(new Case("chunked, small", utf8(click(random)), "text/xml", false, true, 200));
        return cases;
    }

    /** docs/security.md's shapes. */
    private List<Case> internetFacing(Random random) {
        List<Case> cases = new ArrayList<>();
        long now = System.currentTimeMillis() / 1000;
        cases.add(new Case("chunked, 1 MiB", utf8(click(random).replace("<xml>", "<xml><Junk>" + "A".repeat(1 << 20)
                + "</Junk>")), "text/xml", false, true, 413));
        cases.add(new Case("chunked, just under 64 KiB", utf8(push(random, "event-view").replace("<xml>", "<xml><Junk>"
                + "A".repeat(63 * 1024) + "</Junk>")), "text/xml", false, true, 200));
        cases.add(plain("CreateTime 10 minutes ahead", 400, click(random).replaceFirst("<CreateTime>\\d+</CreateTime>",
                "<CreateTime>" + (now + 600) + "</CreateTime>")));
        cases.add(plain("CreateTime in 2100", 400, click(random).replaceFirst("<CreateTime>\\d+</CreateTime>",
                "<CreateTime>4102444800</CreateTime>")));
        cases.add(plain("CreateTime a day ago", 200, push(random, "event-view").replaceFirst("<CreateTime>\\d+</CreateTime>",
                "<CreateTime>" + (now - 86_400) + "</CreateTime>")));
        cases.add(plain("SCAN EventKey of 2,048 characters", 400, Fixtures.withEventKey(push(random, "event-scan"), "s".repeat(2048))));
        cases.add(plain("subscribe scene of 129 characters", 400,
                Fixtures.withEventKey(push(random, "event-subscribe-scene"), "qrscene_" + "s".repeat(129))));
        cases.add(plain("SCAN scene of 128 characters", 200, Fixtures.withEventKey(push(random, "event-scan"), "s".repeat(128))));
        // The same signature/timestamp/nonce for two bodies: the first is taken, the second refused.
        String timestamp = Long.toString(now);
        String nonce = Long.toString(random.nextLong() & Long.MAX_VALUE);
        cases.add(new Case("triple, first use", utf8(push(random, "event-click")), "text/xml", false, false, 200, "demo", timestamp, nonce));
        cases.add(new Case("triple, reused for another body", utf8(push(random, "event-unsubscribe")), "text/xml", false, false, 403,
                "demo", timestamp, nonce));
        cases.add(new Case("plain push to a safe-mode account", utf8(push(random, "event-subscribe")), "text/xml", false, false, 403,
                "safe", null, null));
        return cases;
    }

    @Test
    void hostileUrlChecksGetAClearAnswer() {
        for (String echostr : new String[] {"<script>alert(1)</script>", "<xml/>", "a b", "\u00e9t\u00e9", "x".repeat(129), ""}) {
            HttpResponse<String> response = client.get("/wechat/demo?" + PushClient.signedQuery(PushClient.now())
                    + "&echostr=" + URLEncoder.encode(echostr, StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(printable(echostr)).isEqualTo(400);
            assertThat(response.body()).as(printable(echostr)).doesNotContain("<");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        assertThat(client.get("/wechat/demo?" + PushClient.signedQuery("1409735669") + "&echostr=123").statusCode())
                .as("a verification URL from 2014").isEqualTo(403);
    }

    private List<Case> safeMode(Random random) {
        List<Case> cases = new ArrayList<>();
        WechatCrypto crypto = new WechatCrypto(PushClient.AES_KEY, PushClient.APP_ID);
        for (int i = 0; i < 30; i++) {
            char[] encrypt = crypto.encrypt(push(random, "event-subscribe")).toCharArray();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!*";
                encrypt[random.nextInt(encrypt.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            cases.add(envelope("Encrypt mutated x" + flips + " #" + i, 0, new String(encrypt)));
        }
        for (int i = 0; i < 10; i++) {
            String encrypt = crypto.encrypt(push(random, "event-subscribe"));
            int cut = random.nextInt(encrypt.length());
            cases.add(envelope("Encrypt truncated at " + cut + " #" + i, 400, encrypt.substring(0, cut)));
        }
        byte[] noise = new byte[96];
        random.nextBytes(noise);
        cases.add(envelope("Encrypt of random blocks", 400, Base64.getEncoder().encodeToString(noise)));
        cases.add(envelope("Encrypt for another AppID", 400,
                new WechatCrypto(PushClient.AES_KEY, "wxAnotherAppId0000").encrypt(push(random, "event-subscribe"))));
        cases.add(envelope("Encrypt empty", 400, ""));
        cases.add(envelope("Encrypt of a DTD", 400, crypto.encrypt("<!DOCTYPE x [<!ENTITY a \"b\">]>" + push(random, "event-click"))));
        cases.add(envelope("Encrypt of random bytes", 400, crypto.encrypt(new String(noise, StandardCharsets.ISO_8859_1))));
        cases.add(envelope("Encrypt of a 10,000-deep body", 400, crypto.encrypt("<xml>" + "<a>".repeat(10_000))));
        // encrypt_type=aes is safe mode: without Encrypt, nothing msg_signature could sign (403)
        cases.add(new Case("Encrypt missing", "<xml><ToUserName>gh</ToUserName></xml>".getBytes(StandardCharsets.UTF_8),
                "text/xml", true, false, 403));
        // Whitespace the Encrypt pattern has to walk before it gives up (no closing tag).
        String padding = " ".repeat(60_000);
        cases.add(new Case("Encrypt followed by 60,000 spaces, unclosed",
                ("<xml><Encrypt>" + padding).getBytes(StandardCharsets.UTF_8), "text/xml", true, false, 0));
        cases.add(new Case("Encrypt of 60,000 base64 characters and spaces, unclosed",
                ("<xml><Encrypt>" + "A ".repeat(30_000)).getBytes(StandardCharsets.UTF_8), "text/xml", true, false, 0));
        return cases;
    }

    // --- building requests ------------------------------------------------------------------

    private byte[] validPush(Random random, int i) {
        return push(random, FIXTURES[i % FIXTURES.length]).getBytes(StandardCharsets.UTF_8);
    }

    /** A valid push of the fixture from a follower of this test only, so it is new to the hub. */
    private String push(Random random, String fixture) {
        return Fixtures.push(fixture, openId.substring(0, 20) + "f" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36),
                createTime);
    }

    private String click(Random random) {
        return push(random, "event-click");
    }

    private static String withOpenId(String xml, String openId) {
        return xml.replaceFirst("<FromUserName><!\\[CDATA\\[[^]]*]]></FromUserName>",
                "<FromUserName><![CDATA[" + openId.replace("$", "\\$") + "]]></FromUserName>");
    }

    private static Case plain(String name, byte[] body) {
        return new Case(name, body, "text/xml", false, false, 0);
    }

    private static Case plain(String name, int expected, String body) {
        return new Case(name, utf8(body), "text/xml", false, false, expected);
    }

    private static Case plain(String name, int expected, String contentType, byte[] body) {
        return new Case(name, body, contentType, false, false, expected);
    }

    private static Case plain(String name, int expected, byte[] body) {
        return new Case(name, body, "text/xml", false, false, expected);
    }

    private static Case envelope(String name, int expected, String encrypt) {
        String body = "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt><![CDATA[" + encrypt
                + "]]></Encrypt></xml>";
        return new Case(name, utf8(body), "text/xml", true, false, expected);
    }

    private HttpResponse<String> send(Case c) throws IOException, InterruptedException {
        String timestamp = c.timestamp() != null ? c.timestamp() : PushClient.now();
        // A fresh nonce per request: a signature is used for one body only.
        String nonce = c.nonce() != null ? c.nonce() : Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40));
        String token = "safe".equals(c.account()) ? SAFE_TOKEN : PushClient.TOKEN;
        String query = "signature=" + WechatSignature.sign(token, timestamp, nonce) + "&timestamp=" + timestamp
                + "&nonce=" + nonce + "&openid=o";
        if (c.safeMode()) {
            // Signed over whatever Encrypt the body carries, so the mangled payload reaches decryption.
            String body = new String(c.body(), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<Encrypt><!\\[CDATA\\[(.*?)]]></Encrypt>").matcher(body);
            String encrypt = m.find() ? m.group(1) : "";
            query += "&encrypt_type=aes&msg_signature=" + WechatSignature.sign(PushClient.TOKEN, timestamp, nonce, encrypt);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/wechat/" + c.account() + "?" + query))
                .timeout(TIMEOUT).POST(c.chunked()
                        // Without a declared length: the size can only be checked while reading.
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(c.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf16(String s) {
        return s.getBytes(StandardCharsets.UTF_16);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The push with raw bytes inserted into the ToUserName value. */
    private static byte[] bytes(String xml, byte[] raw) {
        int at = xml.indexOf("gh_demo");
        if (at < 0) {
            at = 0;
        }
        return bytes(xml.substring(0, at), raw, xml.substring(at));
    }

    private static byte[] bytes(String before, byte[] raw, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return "'" + (b.length() > 40 ? b.substring(0, 40) + "…" : b) + "'";
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 120 ? flat.substring(0, 120) + "…" : flat;
    }
}
