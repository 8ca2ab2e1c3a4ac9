package com.wechathub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The real WeChat payloads in src/main/resources/fixtures/wechat, one per event shape. */
public final class Fixtures {

    private Fixtures() {
    }

    public static String read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/wechat/" + name + ".xml")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture as sent by the given follower at the given CreateTime. */
    public static String push(String name, String openId, long createTime) {
        return read(name)
                .replaceFirst("<FromUserName><!\\[CDATA\\[[^]]*]]></FromUserName>",
                        "<FromUserName><![CDATA[" + openId + "]]></FromUserName>")
                .replaceFirst("<CreateTime>\\d+</CreateTime>", "<CreateTime>" + createTime + "</CreateTime>");
    }

    public static String withEventKey(String xml, String eventKey) {
        return xml.replaceFirst("<EventKey><!\\[CDATA\\[[^]]*]]></EventKey>",
                "<EventKey><![CDATA[" + eventKey + "]]></EventKey>");
    }
}
