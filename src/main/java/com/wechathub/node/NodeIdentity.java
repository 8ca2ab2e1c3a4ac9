package com.wechathub.node;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * This node, one id per start: what the node writes in wechat_event.claimed_by and
 * reply_claimed_by, its wechat_node heartbeat, and the owner of its access-token locks. Its name
 * ({@code hub.dispatch.node-name}, by default the JVM's pid@host) and a random suffix, so two
 * starts on one host are two nodes. At most {@link #MAX_LENGTH} characters, inside those columns'
 * 128 however long the host name is.
 */
public final class NodeIdentity {

    /** The longest readable part of an id: with the suffix, 101 characters. */
    static final int NAME_LENGTH = 64;

    /** The longest id: the name, "/" and a UUID. */
    public static final int MAX_LENGTH = NAME_LENGTH + 1 + 36;

    private final String id;

    /** A new start of the node named {@code name}; null or blank: the JVM's name, pid@host. */
    public NodeIdentity(String name) {
        this.id = id(name == null || name.isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : name, UUID.randomUUID());
    }

    /**
     * The id of the start {@code start} of the node {@code name}. A name past {@link #NAME_LENGTH}
     * characters (host names may have 253) keeps its first 55 and 8 hex digits of the whole name's
     * SHA-256, so it stays readable and distinct.
     */
    static String id(String name, UUID start) {
        String readable = name;
        if (name.length() > NAME_LENGTH) {
            int cut = NAME_LENGTH - 9;
            if (Character.isHighSurrogate(name.charAt(cut - 1))) {
                cut--;
            }
            readable = name.substring(0, cut) + "~" + HexFormat.of().formatHex(sha256(name), 0, 4);
        }
        return readable + "/" + start;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
