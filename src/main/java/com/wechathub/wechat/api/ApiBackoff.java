package com.wechathub.wechat.api;

import java.time.Instant;
import java.util.Optional;

/**
 * WeChat refused an AppID (or one of its APIs) in a way that seconds will not fix: every node
 * leaves it alone until {@code until}. Kept in the token store as one line; {@code fingerprint}
 * names the AppID and AppSecret it was refused for (a hash, never the secret), so an operator who
 * fixes the secret is not kept waiting.
 */
record ApiBackoff(Integer errcode, Instant at, Instant until, String fingerprint, String reason) {

    WechatErrors.Kind kind() {
        return WechatErrors.kind(errcode);
    }

    String encode() {
        return (errcode == null ? "" : errcode) + "|" + at.toEpochMilli() + "|" + until.toEpochMilli() + "|" + fingerprint + "|" + reason;
    }

    static Optional<ApiBackoff> decode(String line) {
        String[] parts = line.split("\\|", 5);
        if (parts.length < 5) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ApiBackoff(parts[0].isEmpty() ? null : Integer.valueOf(parts[0]),
                    Instant.ofEpochMilli(Long.parseLong(parts[1])), Instant.ofEpochMilli(Long.parseLong(parts[2])), parts[3], parts[4]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** For health and the event's error: what WeChat said and until when the hub leaves it alone (never the secret). */
    String describe() {
        return (errcode == null ? "" : "errcode " + errcode + ": ") + WechatErrors.meaning(errcode) + " (" + reason
                + "); not asked again until " + until;
    }
}
