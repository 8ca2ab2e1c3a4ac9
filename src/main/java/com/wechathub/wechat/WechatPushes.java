package com.wechathub.wechat;

import com.wechathub.wechat.WechatProperties.Account;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The protocol steps of a callback, called by name from the YAML routes:
 * account lookup, URL verification, push verification and decryption, and sealing the reply.
 */
@Component("wechatPushes")
public class WechatPushes {

    /** Exchange property holding the resolved {@link Account}. */
    public static final String ACCOUNT = "wechatAccount";
    /** Exchange property set when the push came in safe mode, so the reply is encrypted too. */
    public static final String SAFE_MODE = "wechatSafeMode";
    /** Exchange property holding the push's (decrypted) XML, recorded verbatim in the inbox. */
    public static final String RAW_XML = "wechatRawXml";

    // A DOCTYPE may declare entities (XXE, billion laughs); WeChat never sends one.
    private static final Pattern DTD = Pattern.compile("<!\\s*(DOCTYPE|ENTITY)", Pattern.CASE_INSENSITIVE);
    // Possessive quantifiers: the whitespace runs overlap, and with backtracking an unclosed
    // <Encrypt> followed by 60 KB of spaces took minutes of CPU before the signature is even checked.
    private static final Pattern ENCRYPT = Pattern.compile("<Encrypt>\\s*+(?:<!\\[CDATA\\[)?([A-Za-z0-9+/=\\s]*+)(?:]]>)?\\s*+</Encrypt>");

    private final WechatProperties properties;
    private final long maxBody;
    private final WechatProperties.Limits limits;
    private final Clock clock;

    public WechatPushes(WechatProperties properties, WechatProperties.Limits limits, Clock clock) {
        this.properties = properties;
        this.maxBody = limits.maxBody().toBytes();
        this.limits = limits;
        this.clock = clock;
    }

    /** Resolves {account} from the path; an account not in configuration is 404. */
    public void resolveAccount(Exchange exchange) {
        String id = exchange.getMessage().getHeader("account", String.class);
        Account account = properties.account(id)
                .orElseThrow(() -> new Rejection(404, "unknown_account", "unknown account"));
        exchange.setProperty(ACCOUNT, account);
    }

    /** GET verification: answers echostr when the signature is WeChat's. */
    public String verifyUrl(Exchange exchange) {
        Message in = exchange.getMessage();
        requireSignature(exchange, in.getHeader("signature", String.class));
        String echo = in.getHeader("echostr", String.class);
        if (echo == null) {
            throw Rejection.badRequest("echostr is missing");
        }
        return echo;
    }

    /**
     * POST verification. Plain mode checks signature over (token, timestamp, nonce); safe mode
     * (encrypt_type=aes, also for compatible-mode bodies) checks msg_signature over the Encrypt
     * value as well, then replaces the body with the decrypted message XML.
     */
    public String verifyPush(Exchange exchange) {
        Message in = exchange.getMessage();
        String body = in.getBody(String.class);
        if (body != null && body.length() > maxBody) { // a chunked body the length filter could not see
            throw new Rejection(413, "too_large", "body is larger than " + maxBody + " bytes");
        }
        requireFreshTimestamp(in.getHeader("timestamp", String.class));
        boolean safeMode = "aes".equalsIgnoreCase(in.getHeader("encrypt_type", String.class));
        if (!safeMode) {
            requireSignature(exchange, in.getHeader("signature", String.class));
        }
        if (body == null || body.isBlank()) {
            throw Rejection.badRequest("empty body");
        }
        if (!safeMode) {
            exchange.setProperty(RAW_XML, refuseDtd(body));
            return body;
        }
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        if (!account.supportsSafeMode()) {
            throw Rejection.badRequest("account is not configured for safe mode");
        }
        var matcher = ENCRYPT.matcher(refuseDtd(body));
        if (!matcher.find()) {
            throw new Rejection(400, "xml", "Encrypt element is missing");
        }
        String encrypted = matcher.group(1).replaceAll("\\s", "");
        String expected = WechatSignature.sign(account.token(), header(in, "timestamp"), header(in, "nonce"), encrypted);
        if (!WechatSignature.matches(expected, in.getHeader("msg_signature", String.class))) {
            throw new Rejection(403, "signature", "msg_signature does not match");
        }
        String plain = new WechatCrypto(account.encodingAesKey(), account.appId()).decrypt(encrypted);
        exchange.setProperty(SAFE_MODE, true);
        exchange.setProperty(RAW_XML, refuseDtd(plain));
        return plain;
    }

    /** Encrypts the passive reply in safe mode; "success" and plain mode pass through. */
    public String sealReply(Exchange exchange) {
        String reply = exchange.getMessage().getBody(String.class);
        if (!exchange.getProperty(SAFE_MODE, false, Boolean.class) || reply == null
                || reply.isEmpty() || "success".equals(reply)) {
            return reply;
        }
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        String encrypted = new WechatCrypto(account.encodingAesKey(), account.appId()).encrypt(reply);
        String timestamp = Long.toString(clock.millis() / 1000);
        String nonce = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        String signature = WechatSignature.sign(account.token(), timestamp, nonce, encrypted);
        return "<xml><Encrypt><![CDATA[" + encrypted + "]]></Encrypt><MsgSignature><![CDATA[" + signature
                + "]]></MsgSignature><TimeStamp>" + timestamp + "</TimeStamp><Nonce><![CDATA[" + nonce
                + "]]></Nonce></xml>";
    }

    private void requireSignature(Exchange exchange, String presented) {
        Message in = exchange.getMessage();
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        String expected = WechatSignature.sign(account.token(), header(in, "timestamp"), header(in, "nonce"));
        if (!WechatSignature.matches(expected, presented)) {
            throw new Rejection(403, "signature", "signature does not match");
        }
    }

    private void requireFreshTimestamp(String timestamp) {
        Duration tolerance = limits.timestampTolerance();
        if (tolerance.isZero() || tolerance.isNegative()) {
            return;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException | NullPointerException e) {
            throw new Rejection(403, "timestamp", "timestamp is missing or not a number");
        }
        long skew = Math.abs(clock.millis() / 1000 - seconds);
        if (skew > tolerance.toSeconds()) {
            // Older than the window: a replay the dedupe keys may already have forgotten.
            throw new Rejection(403, "timestamp", "timestamp is outside the accepted window");
        }
    }

    private static String header(Message in, String name) {
        String value = in.getHeader(name, String.class);
        if (value == null) {
            throw new Rejection(403, "signature", name + " is missing");
        }
        return value;
    }

    private static String refuseDtd(String xml) {
        if (DTD.matcher(xml).find()) {
            throw new Rejection(400, "xml", "DTDs and entities are not accepted");
        }
        return xml;
    }

}
