package com.wechathub.wechat;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.WechatProperties.Mode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.LoggerFactory;
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
    // Whatever the element holds: a value that is not Base64 is a payload that fails to decrypt (400), not a missing one.
    private static final Pattern ENCRYPT = Pattern.compile("<Encrypt>\\s*+(?:<!\\[CDATA\\[)?([^<\\]]*+)(?:]]>)?\\s*+</Encrypt>");

    // WeChat's echostr is a random number; letters and digits leave room for any other token.
    private static final int MAX_ECHOSTR = 128;
    private static final Pattern ECHOSTR = Pattern.compile("[A-Za-z0-9]{1," + MAX_ECHOSTR + "}");

    private final WechatProperties properties;
    private final PushProperties limits;
    private final Clock clock;
    private final SignatureUses signatureUses;
    private final HubMetrics metrics;
    private final boolean allowSignatureReuse;

    /**
     * Exchange property: the token and AES key a push was signed and encrypted with — the account's
     * current ones, or during a rotation its previous ones (docs/operating.md, "Live edits"). The reply uses the same.
     */
    public static final String CREDENTIALS = "wechatCredentials";

    /** The token and AES key that checked out for one request. */
    record Credentials(String token, String encodingAesKey) {
    }

    public WechatPushes(WechatProperties properties, PushProperties limits, Clock clock, SignatureUses signatureUses,
                        HubMetrics metrics) {
        this.metrics = metrics;
        this.allowSignatureReuse = limits.signatureReuse() == PushProperties.SignatureReuse.ALLOW;
        if (allowSignatureReuse) {
            LoggerFactory.getLogger(WechatPushes.class).warn("hub.push.signature-reuse=allow: a signature seen once can carry"
                    + " any push for the timestamp window. Only for load generators that sign every push alike, never facing the internet");
        }
        this.properties = properties;
        this.limits = limits;
        this.clock = clock;
        this.signatureUses = signatureUses;
    }

    /** Resolves {account} from the path; an account not in configuration is 404. */
    public void resolveAccount(Exchange exchange) {
        String id = exchange.getMessage().getHeader("account", String.class);
        Account account = properties.account(id)
                .orElseThrow(() -> new Rejection(404, "unknown_account", "unknown account"));
        exchange.setProperty(ACCOUNT, account);
    }

    /**
     * GET verification: answers echostr when the signature is WeChat's and the timestamp within
     * the window. echostr is what WeChat sends (letters and digits), so the answer can only ever
     * be that word: never markup a browser would render.
     */
    public String verifyUrl(Exchange exchange) {
        Message in = exchange.getMessage();
        requireFreshTimestamp(in.getHeader("timestamp", String.class));
        String signature = in.getHeader("signature", String.class);
        requireSignature(exchange, signature);
        String echo = in.getHeader("echostr", String.class);
        if (echo == null || !ECHOSTR.matcher(echo).matches()) {
            throw new Rejection(400, "echostr", "echostr must be 1 to " + MAX_ECHOSTR + " letters and digits");
        }
        // Any echostr: the same triple may verify the URL again (WeChat's retry, an operator's check),
        // but never sign a push, since the request it is kept for is "GET".
        requireFirstUse(exchange, signature, "GET");
        return echo;
    }

    /**
     * POST verification. Plain mode checks signature over (token, timestamp, nonce); safe mode
     * (encrypt_type=aes, also for compatible-mode bodies) checks msg_signature over the Encrypt
     * value as well, then replaces the body with the decrypted message XML.
     */
    public String verifyPush(Exchange exchange) {
        Message in = exchange.getMessage();
        String body = in.getBody(String.class); // at most hub.push.max-body: web/BodyLimitFilter read it
        requireFreshTimestamp(in.getHeader("timestamp", String.class));
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        Mode mode = account.pushMode();
        boolean safeMode = "aes".equalsIgnoreCase(in.getHeader("encrypt_type", String.class));
        if (mode == Mode.SAFE && !safeMode) {
            // A plain push must never downgrade a safe-mode account, whatever it is signed with.
            throw new Rejection(403, "downgrade", "account accepts encrypted pushes only");
        }
        if (mode == Mode.PLAIN && safeMode) {
            throw Rejection.badRequest("account is not configured for safe mode");
        }
        String signature = in.getHeader("signature", String.class);
        if (!safeMode) {
            requireSignature(exchange, signature);
        }
        if (body == null || body.isBlank()) {
            throw Rejection.badRequest("empty body");
        }
        if (!safeMode) {
            exchange.setProperty(RAW_XML, refuseDtd(body));
            requireFirstUse(exchange, signature, body);
            return body;
        }
        var matcher = ENCRYPT.matcher(refuseDtd(body));
        if (!matcher.find()) {
            // encrypt_type=aes is safe mode whatever the account's mode: nothing to check msg_signature against.
            throw new Rejection(403, "signature", "Encrypt element is missing");
        }
        String encrypted = matcher.group(1).replaceAll("\\s", "");
        String msgSignature = in.getHeader("msg_signature", String.class);
        String token = signingToken(account, msgSignature, header(in, "timestamp"), header(in, "nonce"), encrypted)
                .orElseThrow(() -> new Rejection(403, "signature", "msg_signature does not match"));
        String plain = null;
        String key = null;
        Rejection refused = null;
        // WeChat's advice for a changed EncodingAESKey: keep the previous key and try it when the current one fails.
        for (String candidate : account.encodingAesKeys()) {
            try {
                plain = new WechatCrypto(candidate, account.appId()).decrypt(encrypted);
                key = candidate;
                break;
            } catch (Rejection e) {
                refused = refused == null ? e : refused;
            }
        }
        if (plain == null) {
            throw refused;
        }
        useCredentials(exchange, account, new Credentials(token, key));
        requireFirstUse(exchange, signature == null ? msgSignature : signature, body);
        exchange.setProperty(SAFE_MODE, true);
        exchange.setProperty(RAW_XML, refuseDtd(plain));
        return plain;
    }

    /**
     * Checks the parsed push against what the hub can keep: a CreateTime no further ahead of the
     * hub's clock than the timestamp window (no push may freeze a follower's state in the future;
     * old ones are WeChat's retries and late deliveries), and no field wider than its column, so
     * that an event accepted here never fails later in dispatch.
     */
    public void checkEvent(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        if (event == null) {
            return; // EventIdentity refuses it
        }
        Duration tolerance = limits.timestampTolerance();
        if (event.getCreateTime() != null && !tolerance.isZero() && !tolerance.isNegative()
                && event.getCreateTime() - clock.millis() / 1000 > tolerance.toSeconds()) {
            throw new Rejection(400, "create_time", "CreateTime is in the future");
        }
        event.tooWide().ifPresent(reason -> {
            throw new Rejection(400, "too_wide", reason);
        });
        event.notALocation().ifPresent(reason -> {
            throw new Rejection(400, "location", reason);
        });
    }

    /** Encrypts the passive reply in safe mode; "success" and plain mode pass through. */
    public String sealReply(Exchange exchange) {
        String reply = exchange.getMessage().getBody(String.class);
        if (!exchange.getProperty(SAFE_MODE, false, Boolean.class) || reply == null
                || reply.isEmpty() || "success".equals(reply)) {
            return reply;
        }
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        Credentials credentials = exchange.getProperty(CREDENTIALS, Credentials.class);
        if (credentials == null) {
            credentials = new Credentials(account.token(), account.encodingAesKey());
        }
        String encrypted = new WechatCrypto(credentials.encodingAesKey(), account.appId()).encrypt(reply);
        String timestamp = Long.toString(clock.millis() / 1000);
        String nonce = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        String signature = WechatSignature.sign(credentials.token(), timestamp, nonce, encrypted);
        return "<xml><Encrypt><![CDATA[" + encrypted + "]]></Encrypt><MsgSignature><![CDATA[" + signature
                + "]]></MsgSignature><TimeStamp>" + timestamp + "</TimeStamp><Nonce><![CDATA[" + nonce
                + "]]></Nonce></xml>";
    }

    private void requireSignature(Exchange exchange, String presented) {
        Message in = exchange.getMessage();
        Account account = exchange.getProperty(ACCOUNT, Account.class);
        String token = signingToken(account, presented, header(in, "timestamp"), header(in, "nonce"))
                .orElseThrow(() -> new Rejection(403, "signature", "signature does not match"));
        useCredentials(exchange, account, new Credentials(token, account.encodingAesKey()));
    }

    /** The account's token (or, during a rotation, its previous one) that makes this signature of the parts. */
    private static java.util.Optional<String> signingToken(Account account, String presented, String... parts) {
        for (String token : account.tokens()) {
            String[] signed = new String[parts.length + 1];
            signed[0] = token;
            System.arraycopy(parts, 0, signed, 1, parts.length);
            if (WechatSignature.matches(WechatSignature.sign(signed), presented)) {
                return java.util.Optional.of(token);
            }
        }
        return java.util.Optional.empty();
    }

    /** Remembers what a request was signed with; one that needed a previous key is counted, so the operator knows when to drop it. */
    private void useCredentials(Exchange exchange, Account account, Credentials credentials) {
        exchange.setProperty(CREDENTIALS, credentials);
        if (!credentials.token().equals(account.token())
                || credentials.encodingAesKey() != null && !credentials.encodingAesKey().equals(account.encodingAesKey())) {
            metrics.previousCredentials(exchange.getMessage().getHeader("account", String.class));
        }
    }

    /** The signature/timestamp/nonce triple signs this request only (and WeChat's byte-for-byte retries of it). */
    private void requireFirstUse(Exchange exchange, String signature, String request) {
        if (allowSignatureReuse) {
            return;
        }
        Message in = exchange.getMessage();
        String triple = digest(String.join("\u0000", in.getHeader("account", String.class),
                header(in, "timestamp"), header(in, "nonce"), signature.toLowerCase(java.util.Locale.ROOT)));
        if (!signatureUses.firstOrSame(triple, digest(request))) {
            throw new Rejection(403, "signature_reused", "signature was already used for another request");
        }
    }

    private static String digest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
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
