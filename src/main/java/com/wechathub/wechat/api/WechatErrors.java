package com.wechathub.wechat.api;

import java.util.Map;

/**
 * What an answer of WeChat's API means for the hub: the one place where an errcode becomes a kind
 * of failure (WECHAT-API-NOTES.md, "Error codes the hub must tell apart"; docs/wechat.md). Each kind
 * has one behaviour, wherever the call was made.
 */
public final class WechatErrors {

    /** The kinds of failure, each with its one behaviour. */
    public enum Kind {
        /** -1 (system busy), no answer, HTTP error: retried with backoff. */
        TRANSIENT,
        /** 40001, 40014, 42001, 41001: the kept token is replaced (if still the one used), the call retried once. */
        TOKEN,
        /** 40013, 40125, 40164, 89503, 89506, 89507: not fixed within seconds; the AppID backs off for minutes, health DOWN. */
        CONFIGURATION,
        /** 45009, 45011: the API's quota is used up; it backs off, counted, health warns. */
        QUOTA,
        /** 43004, 45015, 45047, 45002: final for that follower or message, never retried. */
        FINAL,
        /** 48001: the account lacks this API; the caller degrades (does without it), never retries. */
        PERMANENT,
        /** Any other errcode: that call's failure; its event is retried like any failure. */
        OTHER
    }

    private static final Map<Integer, Kind> KINDS = Map.ofEntries(
            Map.entry(-1, Kind.TRANSIENT),
            Map.entry(40001, Kind.TOKEN), Map.entry(40014, Kind.TOKEN), Map.entry(42001, Kind.TOKEN), Map.entry(41001, Kind.TOKEN),
            Map.entry(40013, Kind.CONFIGURATION), Map.entry(40125, Kind.CONFIGURATION), Map.entry(40164, Kind.CONFIGURATION),
            Map.entry(89503, Kind.CONFIGURATION), Map.entry(89506, Kind.CONFIGURATION), Map.entry(89507, Kind.CONFIGURATION),
            Map.entry(45009, Kind.QUOTA), Map.entry(45011, Kind.QUOTA),
            Map.entry(43004, Kind.FINAL), Map.entry(45015, Kind.FINAL), Map.entry(45047, Kind.FINAL), Map.entry(45002, Kind.FINAL),
            Map.entry(48001, Kind.PERMANENT));

    private static final Map<Integer, String> MEANINGS = Map.ofEntries(
            Map.entry(-1, "WeChat is busy"),
            Map.entry(40001, "the access token is invalid or not the latest"),
            Map.entry(40014, "the access token is invalid"),
            Map.entry(42001, "the access token expired"),
            Map.entry(41001, "the access token is missing"),
            Map.entry(40013, "the AppID is invalid"),
            Map.entry(40125, "the AppSecret is invalid"),
            Map.entry(40164, "the hub's IP address is not on the account's allow-list"),
            Map.entry(89503, "an administrator must confirm this caller"),
            Map.entry(89506, "an administrator refused this caller"),
            Map.entry(89507, "an administrator refused this caller; wait before asking again"),
            Map.entry(45009, "the API's daily quota is used up"),
            Map.entry(45011, "the API's per-minute quota is used up"),
            Map.entry(43004, "the follower does not follow the account (any more)"),
            Map.entry(45015, "out of the window for customer-service messages"),
            Map.entry(45047, "over the count of customer-service messages for this action"),
            Map.entry(45002, "the content is too long"),
            Map.entry(48001, "the account lacks the permission for this API"));

    private WechatErrors() {
    }

    /** The kind of an errcode; {@code null} (no answer, not WeChat's JSON) is transient. */
    public static Kind kind(Integer errcode) {
        return errcode == null ? Kind.TRANSIENT : KINDS.getOrDefault(errcode, Kind.OTHER);
    }

    /** What the errcode means, in a few words, for logs, health and the event's record. */
    public static String meaning(Integer errcode) {
        return errcode == null ? "no answer from WeChat" : MEANINGS.getOrDefault(errcode, "errcode " + errcode);
    }
}
